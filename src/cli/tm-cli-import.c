/* tm-cli-import.c — being written */
#include "config.h"
#include "tm-cli.h"
int
tm_cli_import (TmCliContext *ctx, int argc, char **argv)
{
  tm_cli_error ("import: not built yet");
  return 1;
}
