/* tm-cli.h — what every toolmark-cli command shares: the global options and helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char     *db_path;   /* --db, or $XDG_DATA_HOME/toolmark/toolmark.db */
  char     *user;      /* --user, or the OS login */
  gboolean  quiet;
} TmCliContext;

/* A command gets argv with argv[0] = the command name and the global options removed;
 * it returns the process exit status. */
typedef int (*TmCliCommandFunc) (TmCliContext *ctx, int argc, char **argv);

/* Prints "toolmark-cli: MESSAGE" to stderr; messages already name the file. */
void  tm_cli_error          (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Parses the command's own options with GOptionContext; on error prints it and the
 * command's usage and returns FALSE. */
gboolean tm_cli_parse       (const char    *command,
                             const char    *parameter_string,
                             const char    *summary,
                             GOptionEntry  *entries,
                             int           *argc,
                             char        ***argv);

int tm_cli_init     (TmCliContext *ctx, int argc, char **argv);
int tm_cli_import   (TmCliContext *ctx, int argc, char **argv);
int tm_cli_list     (TmCliContext *ctx, int argc, char **argv);
int tm_cli_show     (TmCliContext *ctx, int argc, char **argv);
int tm_cli_export   (TmCliContext *ctx, int argc, char **argv);
int tm_cli_verify   (TmCliContext *ctx, int argc, char **argv);
int tm_cli_synth    (TmCliContext *ctx, int argc, char **argv);
int tm_cli_compare  (TmCliContext *ctx, int argc, char **argv);
int tm_cli_transform (TmCliContext *ctx, int argc, char **argv);
int tm_cli_correlate (TmCliContext *ctx, int argc, char **argv);
int tm_cli_evaluate  (TmCliContext *ctx, int argc, char **argv);
int tm_cli_reprocess (TmCliContext *ctx, int argc, char **argv);
int tm_cli_hub       (TmCliContext *ctx, int argc, char **argv);
int tm_cli_sync      (TmCliContext *ctx, int argc, char **argv);
int tm_cli_package   (TmCliContext *ctx, int argc, char **argv);
int tm_cli_report    (TmCliContext *ctx, int argc, char **argv);

int tm_cli_user       (TmCliContext *ctx, int argc, char **argv);
int tm_cli_lead       (TmCliContext *ctx, int argc, char **argv);
int tm_cli_review     (TmCliContext *ctx, int argc, char **argv);
int tm_cli_hit        (TmCliContext *ctx, int argc, char **argv);
int tm_cli_audit      (TmCliContext *ctx, int argc, char **argv);
int tm_cli_microstamp (TmCliContext *ctx, int argc, char **argv);
int tm_cli_case       (TmCliContext *ctx, int argc, char **argv);

/* "--top N|all": a count ≥ 1, or "all" (0); @text NULL leaves @out_top as it is. */
gboolean tm_cli_parse_top (const char *text, guint *out_top, GError **error);

G_END_DECLS
