/* tm-cli-show.c — being written */
#include "config.h"
#include "tm-cli.h"
int
tm_cli_show (TmCliContext *ctx, int argc, char **argv)
{
  tm_cli_error ("show: not built yet");
  return 1;
}
