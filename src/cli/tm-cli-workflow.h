/* tm-cli-workflow.h — what the workflow commands (user, lead, review, hit, audit,
 * microstamp, case) share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tm-cli.h"
#include "tm-store.h"

G_BEGIN_DECLS

typedef struct
{
  const char       *name;
  TmCliCommandFunc  func;
  const char       *summary;
} TmCliSubcommand;

/* Opens the database of --db; an error when there is none (only 'init' creates one).
 * For every command that reads or changes an existing database. */
TmStore  *tm_cli_open_existing_store (TmCliContext       *ctx,
                                      GError            **error);
/* Opens the existing database of --db and applies the --user rule: acting as another
 * login is allowed when that login is an active user, or the OS login an administrator. */
TmStore  *tm_cli_open_store      (TmCliContext           *ctx,
                                  GError                **error);
/* Pretty-printed to stdout. */
void      tm_cli_print_json      (JsonNode               *node);
/* A positive id, or prints what is wrong and returns FALSE. */
gboolean  tm_cli_parse_id        (const char             *text,
                                  const char             *what,
                                  gint64                 *out_id);
/* Runs argv[1] among @subcommands (NULL-terminated) with argv shifted by one. */
int       tm_cli_run_subcommand  (TmCliContext           *ctx,
                                  const char             *command,
                                  const TmCliSubcommand  *subcommands,
                                  int                     argc,
                                  char                  **argv);

G_END_DECLS
