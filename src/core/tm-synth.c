/* tm-synth.c — being written */
#include "config.h"
