/* tm-cli-import.c — `toolmark-cli import`: files into the database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each file is its own transaction: one bad file among a hundred is reported and the
 * others are imported, but the exit status says that something failed so a script
 * notices.
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-cli.h"
#include "tm-importer.h"
#include "tm-manifest.h"
#include "tm-store.h"

int
tm_cli_import (TmCliContext *ctx,
               int           argc,
               char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(TmImporter) importer = NULL;
  g_autoptr(TmManifest) manifest = NULL;
  g_autoptr(TmCaseData) defaults = tm_case_data_new ();
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *manifest_path = NULL;
  double pixel_um = 0;
  gboolean json = FALSE;
  guint n_failed = 0;
  GOptionEntry entries[] = {
    { "case", 0, 0, G_OPTION_ARG_STRING, &defaults->case_number, N_("Agency case number (default: UNASSIGNED)"), N_("NO") },
    { "agency", 0, 0, G_OPTION_ARG_STRING, &defaults->agency, N_("Agency owning the case"), N_("NAME") },
    { "lab-case", 0, 0, G_OPTION_ARG_STRING, &defaults->lab_case_number, N_("Laboratory case number"), N_("NO") },
    { "exhibit", 0, 0, G_OPTION_ARG_STRING, &defaults->exhibit, N_("Exhibit item number (default: the file name without extension)"), N_("NO") },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &defaults->kind, N_("crime-scene (default) or test-fire"), N_("KIND") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &defaults->region, N_("Region of interest: breech-face (default), firing-pin, ejector, aperture-shear, full"), N_("ROI") },
    { "calibre", 0, 0, G_OPTION_ARG_STRING, &defaults->calibre, N_("Calibre, e.g. 9mm Luger"), N_("C") },
    { "firing-pin-type", 0, 0, G_OPTION_ARG_STRING, &defaults->firing_pin_type, N_("centre-fire or rim-fire"), N_("TYPE") },
    { "firing-pin-shape", 0, 0, G_OPTION_ARG_STRING, &defaults->firing_pin_shape, N_("circular, elliptical, hemispherical or rectangular"), N_("SHAPE") },
    { "breech-face-class", 0, 0, G_OPTION_ARG_STRING, &defaults->breech_face_class, N_("arched, circular, crosshatch, granular, parallel or smooth"), N_("CLASS") },
    { "collection", 0, 0, G_OPTION_ARG_STRING, &defaults->collection, N_("casework (default), point-of-sale or manufacturer (never synced to a NIBIN hub)"), N_("NAME") },
    { "pixel-um", 0, 0, G_OPTION_ARG_DOUBLE, &pixel_um, N_("Pixel size in µm for images without resolution tags"), N_("F") },
    { "manifest", 0, 0, G_OPTION_ARG_FILENAME, &manifest_path, N_("CSV with per-file case data; without FILE arguments, imports every file it lists"), N_("CSV") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the imported acquisitions as a JSON array"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("import", "[FILE|FOLDER…]",
                     _("Import X3P, TIFF or PNG scans; folders are searched recursively. "
                       "Prints one line \"ID<tab>FILE\" per imported file."),
                     entries, &argc, &argv))
    return 2;
  if (pixel_um < 0 || !isfinite (pixel_um))
    {
      tm_cli_error ("import: --pixel-um must be a positive number of micrometres");
      return 2;
    }
  if (!tm_case_data_normalize (defaults, &error))
    {
      tm_cli_error ("import: %s", error->message);
      return 2;
    }

  if (manifest_path != NULL)
    {
      manifest = tm_manifest_load (manifest_path, &error);
      if (manifest == NULL)
        {
          tm_cli_error ("%s", error->message);
          return 1;
        }
    }

  if (argc > 1)
    {
      files = tm_importer_expand_paths ((const char * const *)argv + 1, &error);
      if (files == NULL)
        {
          tm_cli_error ("%s", error->message);
          return 1;
        }
    }
  else if (manifest != NULL)
    {
      files = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < tm_manifest_get_n_rows (manifest); i++)
        g_ptr_array_add (files, g_strdup (tm_manifest_get_path (manifest, i)));
    }
  else
    {
      tm_cli_error ("import: no file given (name files or folders, or --manifest CSV)");
      return 2;
    }

  store = tm_store_open (ctx->db_path, &error);
  if (store == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  importer = tm_importer_new (store, ctx->user);
  tm_importer_set_defaults (importer, defaults);
  tm_importer_set_manifest (importer, manifest);
  tm_importer_set_pixel_um (importer, pixel_um);

  if (json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }

  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autoptr(TmAcquisition) acquisition = NULL;
      g_autoptr(GError) local_error = NULL;

      acquisition = tm_importer_import_file (importer, file, &local_error);
      if (acquisition == NULL)
        {
          tm_cli_error ("%s", local_error->message);
          n_failed++;
          continue;
        }
      if (json)
        json_builder_add_value (builder, tm_acquisition_to_json (acquisition));
      else
        {
          printf ("%" G_GINT64_FORMAT "\t%s\n", tm_acquisition_get_id (acquisition), file);
          fflush (stdout);
        }
    }

  if (json)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
    }

  if (n_failed > 0)
    {
      tm_cli_error ("import: %u of %u files failed", n_failed, files->len);
      return 1;
    }
  return 0;
}
