/* tm-cli-case.c — `toolmark-cli case link`: connections investigators already know of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Known links are what keeps the hit count honest: an identification between cases
 * already connected by an investigation is not a new hit.
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli-workflow.h"
#include "tm-workflow.h"

static int
case_link (TmCliContext *ctx,
           int           argc,
           char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = { { NULL } };
  gint64 a = 0, b = 0;

  if (!tm_cli_parse ("case link", "CASE CASE",
                     _("Record that an investigator already knows two cases are connected "
                       "(a case number, AGENCY/NUMBER or UUID)."), entries, &argc, &argv))
    return 2;
  if (argc != 3)
    {
      tm_cli_error ("case link: give two cases");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (a = tm_store_find_case (store, argv[1], &error)) == 0 ||
      (b = tm_store_find_case (store, argv[2], &error)) == 0 ||
      !tm_store_link_cases_known (store, a, b, ctx->user, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}

int
tm_cli_case (TmCliContext *ctx,
             int           argc,
             char        **argv)
{
  static const TmCliSubcommand subcommands[] = {
    { "link", case_link, N_("Record a connection an investigator already knows of") },
    { NULL }
  };

  return tm_cli_run_subcommand (ctx, "case", subcommands, argc, argv);
}
