/* tm-cli-reprocess.c — `toolmark-cli reprocess`: recompute preprocessing and signatures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Import stores each acquisition's preprocessed surfaces and pre-score signature. When
 * the preprocessing parameters or the signature change (or an acquisition was imported
 * before they existed), this recomputes them from the stored originals: only the stale
 * ones by default, every one with --all.
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli-workflow.h"
#include "tm-format.h"
#include "tm-importer.h"

int
tm_cli_reprocess (TmCliContext *ctx,
                  int           argc,
                  char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *hash = NULL;
  TmPreprocessParams params;
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Recompute every acquisition, not only stale ones"), NULL },
    { NULL }
  };
  guint n_ok = 0, n_failed = 0;

  if (!tm_cli_parse ("reprocess", "", _("Recompute the preprocessed surfaces and pre-score "
                                        "signatures from the stored originals."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      tm_cli_error ("reprocess: takes no arguments");
      return 2;
    }
  store = tm_cli_open_existing_store (ctx, &error);
  if (store == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  tm_preprocess_params_init (&params);
  /* With --all nothing matches the impossible hash "", so every acquisition is listed. */
  hash = tm_derived_params_hash (&params);
  ids = tm_store_list_stale (store, all ? "" : hash, &error);
  if (ids == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(GError) local = NULL;
      g_autoptr(TmAcquisition) a = tm_store_get_acquisition (store, id, &local);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(TmSurface) surface = NULL;
      TmDerived derived = { 0 };
      gboolean ok = FALSE;

      if (a != NULL)
        bytes = tm_store_read_original (store, id, &local);
      if (bytes != NULL)
        surface = tm_surface_load_bytes (bytes, tm_acquisition_get_file (a),
                                         tm_acquisition_get_pixel_um (a), &local);
      if (surface != NULL && tm_derived_compute (surface, &params, &derived, &local))
        {
          derived.params_hash = hash;
          ok = tm_store_set_derived (store, id, &derived, &local);
        }
      tm_derived_clear (&derived);
      if (ok)
        {
          n_ok++;
          if (!ctx->quiet)
            printf ("%" G_GINT64_FORMAT "\t%s\n", id, tm_acquisition_get_file (a));
        }
      else
        {
          n_failed++;
          tm_cli_error ("acquisition %" G_GINT64_FORMAT "%s%s: %s", id, a ? " " : "",
                        a ? tm_acquisition_get_file (a) : "", local->message);
        }
    }
  if (!ctx->quiet)
    fprintf (stderr, "reprocessed %u acquisition(s), %u failed\n", n_ok, n_failed);
  return n_failed > 0 ? 1 : 0;
}
