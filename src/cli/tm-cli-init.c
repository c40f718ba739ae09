/* tm-cli-init.c — being written */
#include "config.h"
#include "tm-cli.h"
int
tm_cli_init (TmCliContext *ctx, int argc, char **argv)
{
  tm_cli_error ("init: not built yet");
  return 1;
}
