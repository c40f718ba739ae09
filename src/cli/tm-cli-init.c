/* tm-cli-init.c — `toolmark-cli init`: create (or migrate) the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli.h"
#include "tm-store.h"

int
tm_cli_init (TmCliContext *ctx,
             int           argc,
             char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { NULL }
  };
  gint64 count;

  if (!tm_cli_parse ("init", "", _("Create the database (owner-only), or bring an existing one "
                                   "to the current schema."), entries, &argc, &argv))
    return 2;
  if (argc > 1)
    {
      tm_cli_error ("init: unexpected argument '%s'", argv[1]);
      return 2;
    }

  store = tm_store_open (ctx->db_path, &error);
  if (store == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  count = tm_store_count_acquisitions (store, &error);
  if (count < 0)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (!ctx->quiet)
    printf ("%s: schema version %d, site %s, %" G_GINT64_FORMAT " acquisitions\n",
            tm_store_get_path (store), tm_store_get_schema_version (store),
            tm_store_get_local_site (store), count);
  return 0;
}
