/* tm-acquisition.c — being written */
#include "config.h"
