/* tm-manifest.c — being written */
#include "config.h"
