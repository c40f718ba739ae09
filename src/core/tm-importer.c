/* tm-importer.c — being written */
#include "config.h"
