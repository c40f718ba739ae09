/* tm-cli-export.c — being written */
#include "config.h"
#include "tm-cli.h"
int
tm_cli_export (TmCliContext *ctx, int argc, char **argv)
{
  tm_cli_error ("export: not built yet");
  return 1;
}
