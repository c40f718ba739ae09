/* tm-cli-list.c — being written */
#include "config.h"
#include "tm-cli.h"
int
tm_cli_list (TmCliContext *ctx, int argc, char **argv)
{
  tm_cli_error ("list: not built yet");
  return 1;
}
