/* tm-cli-verify.c — being written */
#include "config.h"
#include "tm-cli.h"
int
tm_cli_verify (TmCliContext *ctx, int argc, char **argv)
{
  tm_cli_error ("verify: not built yet");
  return 1;
}
