/* tm-cli-verify.c — `toolmark-cli verify`: is the database whole and every original intact?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli-workflow.h"
#include "tm-store.h"

int
tm_cli_verify (TmCliContext *ctx,
               int           argc,
               char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { NULL }
  };
  gint64 count;
  gint64 start;

  if (!tm_cli_parse ("verify", "", _("Check the database (integrity, foreign keys) and re-hash "
                                     "every stored original. Each problem is printed on its own "
                                     "line; the exit status is 1 if there is any."),
                     entries, &argc, &argv))
    return 2;
  if (argc > 1)
    {
      tm_cli_error ("verify: unexpected argument '%s'", argv[1]);
      return 2;
    }
  start = g_get_monotonic_time ();
  store = tm_cli_open_existing_store (ctx, &error);
  if (store == NULL ||
      (count = tm_store_count_acquisitions (store, &error)) < 0 ||
      !tm_store_verify (store, &problems, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  for (guint i = 0; i < problems->len; i++)
    tm_cli_error ("%s", (const char *)g_ptr_array_index (problems, i));

  if (problems->len > 0)
    {
      tm_cli_error ("verify: %u problem%s found in %s", problems->len,
                    problems->len == 1 ? "" : "s", tm_store_get_path (store));
      return 1;
    }
  if (!ctx->quiet)
    printf ("%s: OK, %" G_GINT64_FORMAT " acquisitions, every original intact (%.1f s)\n",
            tm_store_get_path (store), count, (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
