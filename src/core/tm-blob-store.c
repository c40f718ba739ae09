/* tm-blob-store.c — being written */
#include "config.h"
