/* tm-cli-export.c — `toolmark-cli export ID`: the stored original, as X3P, TIFF or itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exports start from the kept original (its hash checked first), never from a derived
 * copy: what leaves the workstation is traceable to what was imported.
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli-workflow.h"
#include "tm-format.h"
#include "tm-store.h"
#include "tm-tiff.h"
#include "tm-x3p.h"

int
tm_cli_export (TmCliContext *ctx,
               int           argc,
               char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(TmAcquisition) acquisition = NULL;
  g_autoptr(GBytes) original = NULL;
  g_autoptr(TmSurface) surface = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *x3p_out = NULL;
  g_autofree char *tiff_out = NULL;
  g_autofree char *original_out = NULL;
  GOptionEntry entries[] = {
    { "x3p", 0, 0, G_OPTION_ARG_FILENAME, &x3p_out, N_("Write an ISO 25178-72 X3P file"), N_("OUT") },
    { "tiff", 0, 0, G_OPTION_ARG_FILENAME, &tiff_out, N_("Write a 32-bit float TIFF"), N_("OUT") },
    { "original", 0, 0, G_OPTION_ARG_FILENAME, &original_out, N_("Write the imported file, byte-identical"), N_("OUT") },
    { NULL }
  };

  if (!tm_cli_parse ("export", "ID", _("Export an acquisition (by id or UUID) from its stored "
                                       "original, whose hash is checked first."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      tm_cli_error ("export: give exactly one acquisition id");
      return 2;
    }
  if (x3p_out == NULL && tiff_out == NULL && original_out == NULL)
    {
      tm_cli_error ("export: say what to write: --x3p OUT, --tiff OUT or --original OUT");
      return 2;
    }
  store = tm_cli_open_existing_store (ctx, &error);
  if (store != NULL)
    acquisition = tm_store_find_acquisition (store, argv[1], &error);
  if (acquisition != NULL)
    original = tm_store_read_original (store, tm_acquisition_get_id (acquisition), &error);
  if (original == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  if (original_out != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (original, &len);

      if (!g_file_set_contents (original_out, data, len, &error))
        {
          tm_cli_error ("%s", error->message);
          return 1;
        }
    }

  if (x3p_out == NULL && tiff_out == NULL)
    return 0;

  /* The recorded pixel size stands in where the original has none (a TIFF imported with
   * --pixel-um); for files that declare one it must agree, and it does. */
  surface = tm_surface_load_bytes (original, tm_acquisition_get_file (acquisition),
                                   tm_acquisition_get_pixel_um (acquisition), &error);
  if (surface == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (x3p_out != NULL && !tm_x3p_write_file (surface, x3p_out, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (tiff_out != NULL && !tm_tiff_write_file (surface, tiff_out, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}
