/* tm-cli-microstamp.c — `toolmark-cli microstamp add|list|resolve|registry import`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli-workflow.h"
#include "tm-microstamp.h"

static int
microstamp_add (TmCliContext *ctx,
                int           argc,
                char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmAcquisition) acquisition = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autofree char *location = NULL;
  GOptionEntry entries[] = {
    { "location", 0, 0, G_OPTION_ARG_STRING, &location, N_("breech-face or firing-pin"), "L" },
    { NULL }
  };

  if (!tm_cli_parse ("microstamp add", "ID CODE", _("Record a microstamp code read from an acquisition."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 3 || location == NULL)
    {
      tm_cli_error ("microstamp add: give an acquisition ID, the CODE and --location breech-face|firing-pin");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (acquisition = tm_store_find_acquisition (store, argv[1], &error)) == NULL ||
      !tm_store_add_microstamp (store, tm_acquisition_get_id (acquisition), location, argv[2], ctx->user, &error) ||
      (matches = tm_store_find_microstamp_matches (store, tm_acquisition_get_id (acquisition), &error)) == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  /* Said at once: a shared code is an exact link. */
  for (guint i = 0; i < matches->len; i++)
    {
      TmMicrostamp *m = g_ptr_array_index (matches, i);

      printf ("acquisition %" G_GINT64_FORMAT " carries the same code %s\n", m->acquisition_id, m->code);
    }
  return 0;
}

static int
microstamp_list (TmCliContext *ctx,
                 int           argc,
                 char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmAcquisition) acquisition = NULL;
  g_autoptr(GPtrArray) stamps = NULL;
  GOptionEntry entries[] = { { NULL } };

  if (!tm_cli_parse ("microstamp list", "ID", _("The microstamp codes of an acquisition."), entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      tm_cli_error ("microstamp list: give an acquisition ID");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (acquisition = tm_store_find_acquisition (store, argv[1], &error)) == NULL ||
      (stamps = tm_store_list_microstamps (store, tm_acquisition_get_id (acquisition), &error)) == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  for (guint i = 0; i < stamps->len; i++)
    {
      TmMicrostamp *m = g_ptr_array_index (stamps, i);

      printf ("%-12s  %s\n", m->location, m->code);
    }
  return 0;
}

static int
microstamp_resolve (TmCliContext *ctx,
                    int           argc,
                    char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmMicrostampFirearm) firearm = NULL;
  GOptionEntry entries[] = { { NULL } };

  if (!tm_cli_parse ("microstamp resolve", "CODE", _("The firearm a code belongs to, from the registry."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      tm_cli_error ("microstamp resolve: give one CODE");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (firearm = tm_store_resolve_microstamp (store, argv[1], &error)) == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  printf ("code:    %s\nmake:    %s\nmodel:   %s\nserial:  %s\nsource:  %s (%s)\n", firearm->code, firearm->make,
          firearm->model ? firearm->model : "-", firearm->serial ? firearm->serial : "-",
          firearm->source ? firearm->source : "-", firearm->imported_at);
  return 0;
}

static int
microstamp_registry (TmCliContext *ctx,
                     int           argc,
                     char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = { { NULL } };
  guint n = 0;

  if (!tm_cli_parse ("microstamp registry", "import CSV",
                     _("Import a manufacturer's registry: a CSV with the header code,make,model,serial."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 3 || !g_str_equal (argv[1], "import"))
    {
      tm_cli_error ("microstamp registry: give 'import' and the CSV file");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || !tm_store_import_microstamp_registry (store, argv[2], ctx->user, &n, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (!ctx->quiet)
    printf ("%u code%s imported from %s\n", n, n == 1 ? "" : "s", argv[2]);
  return 0;
}

int
tm_cli_microstamp (TmCliContext *ctx,
                   int           argc,
                   char        **argv)
{
  static const TmCliSubcommand subcommands[] = {
    { "add", microstamp_add, N_("Record a code read from an acquisition") },
    { "list", microstamp_list, N_("The codes of an acquisition") },
    { "resolve", microstamp_resolve, N_("The firearm of a code") },
    { "registry", microstamp_registry, N_("Import a manufacturer's registry CSV") },
    { NULL }
  };

  return tm_cli_run_subcommand (ctx, "microstamp", subcommands, argc, argv);
}
