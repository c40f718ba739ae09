/* tm-cli-hub.c — `toolmark-cli hub init URL`: create or migrate a hub's schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli.h"
#include "tm-hub.h"

int
tm_cli_hub (TmCliContext *ctx,
            int           argc,
            char        **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmHub) hub = NULL;
  gboolean nibin = FALSE;
  gboolean other = FALSE;
  GOptionEntry entries[] = {
    { "nibin", 0, 0, G_OPTION_ARG_NONE, &nibin, N_("A new hub is a NIBIN-type network: point-of-sale and manufacturer acquisitions are never pushed to it"), NULL },
    { "other", 0, 0, G_OPTION_ARG_NONE, &other, N_("A new hub is any other network (the default)"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("hub", "init|status URL",
                     _("init: create the hub schema in a PostgreSQL database, or migrate it; running it "
                       "again changes nothing. status: the hub's identity and type."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 3 || (!g_str_equal (argv[1], "init") && !g_str_equal (argv[1], "status")))
    {
      tm_cli_error ("hub: give 'init URL' or 'status URL'");
      return 2;
    }
  if (nibin && other)
    {
      tm_cli_error ("hub: give --nibin or --other, not both");
      return 2;
    }

  if (g_str_equal (argv[1], "init") &&
      !tm_hub_init_schema (argv[2], nibin ? "nibin" : other ? "other" : NULL, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  hub = tm_hub_connect (argv[2], &error);
  if (hub == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (!ctx->quiet)
    printf ("%s\t%s\t%s\n", tm_hub_get_display_url (hub), tm_hub_get_uuid (hub),
            tm_hub_get_network_type (hub));
  return 0;
}
