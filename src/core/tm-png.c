/* tm-png.c — being written */
#include "config.h"
