/* tm-cli-synth.c — being written */
#include "config.h"
#include "tm-cli.h"
int
tm_cli_synth (TmCliContext *ctx, int argc, char **argv)
{
  tm_cli_error ("synth: not built yet");
  return 1;
}
