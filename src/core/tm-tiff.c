/* tm-tiff.c — being written */
#include "config.h"
