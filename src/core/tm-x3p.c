/* tm-x3p.c — being written */
#include "config.h"
