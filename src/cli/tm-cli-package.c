/* tm-cli-package.c — `toolmark-cli package export|import`: exchange packages (IBIN)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli.h"
#include "tm-package.h"
#include "tm-store.h"

static int
package_export (TmCliContext *ctx,
                TmStore      *store,
                const char   *acquisitions,
                const char   *case_number,
                const char   *agency,
                const char   *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;

  if (out == NULL || (acquisitions == NULL) == (case_number == NULL))
    {
      tm_cli_error ("package export: give --acquisitions ID,ID… or --case CASE, and -o FILE.tmpkg");
      return 2;
    }
  if (acquisitions != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (acquisitions, ",", -1);

      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autoptr(TmAcquisition) acquisition = NULL;
          gint64 id;

          if (*g_strstrip (parts[i]) == '\0')
            continue;
          acquisition = tm_store_find_acquisition (store, parts[i], &error);
          if (acquisition == NULL)
            {
              tm_cli_error ("%s", error->message);
              return 1;
            }
          id = tm_acquisition_get_id (acquisition);
          g_array_append_val (ids, id);
        }
    }
  else
    {
      ids = tm_package_case_acquisitions (store, case_number, &error);
      if (ids == NULL)
        {
          tm_cli_error ("%s", error->message);
          return 1;
        }
    }
  if (!tm_package_export (store, (const gint64 *)(gpointer)ids->data, ids->len, agency, out, NULL, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (!ctx->quiet)
    printf ("%s\t%u acquisitions\n", out, ids->len);
  return 0;
}

static int
package_import (TmCliContext *ctx,
                TmStore      *store,
                const char   *path)
{
  g_autoptr(GError) error = NULL;
  TmPackageReport report;
  int status = 0;

  tm_package_report_init (&report);
  if (!tm_package_import (store, path, ctx->user, &report, NULL, &error))
    {
      tm_cli_error ("%s", error->message);
      status = 1;
    }
  else if (!ctx->quiet)
    {
      printf ("%s: from %s: %u imported, %u already here, %u quarantined\n", path,
              report.agency && *report.agency ? report.agency : "an unnamed agency",
              report.imported, report.identical, report.quarantined);
      for (guint i = 0; i < report.messages->len; i++)
        printf ("  %s\n", (const char *)g_ptr_array_index (report.messages, i));
    }
  tm_package_report_clear (&report);
  return status;
}

int
tm_cli_package (TmCliContext *ctx,
                int           argc,
                char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *acquisitions = NULL;
  g_autofree char *case_number = NULL;
  g_autofree char *agency = NULL;
  g_autofree char *out = NULL;
  GOptionEntry entries[] = {
    { "acquisitions", 0, 0, G_OPTION_ARG_STRING, &acquisitions, N_("Export these acquisitions (ids or UUIDs, comma-separated)"), N_("ID,ID…") },
    { "case", 0, 0, G_OPTION_ARG_STRING, &case_number, N_("Export every acquisition of this case"), N_("CASE") },
    { "agency", 0, 0, G_OPTION_ARG_STRING, &agency, N_("The sending agency, recorded in the manifest"), N_("NAME") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("The package to write (.tmpkg)"), N_("FILE") },
    { NULL }
  };

  if (!tm_cli_parse ("package", "export|import [FILE]",
                     _("export: write acquisitions (X3P scans, OpenFMC-style metadata, preprocessed "
                       "surfaces, signatures) and a manifest of SHA-256 hashes to one file. import: verify "
                       "every hash, then import with the original UUIDs; acquisitions already here are skipped."),
                     entries, &argc, &argv))
    return 2;
  if (argc < 2 || (!g_str_equal (argv[1], "export") && !g_str_equal (argv[1], "import")))
    {
      tm_cli_error ("package: give 'export' or 'import FILE'");
      return 2;
    }
  if (g_str_equal (argv[1], "import") && argc != 3)
    {
      tm_cli_error ("package import: give exactly one package file");
      return 2;
    }
  if (g_str_equal (argv[1], "export") && argc != 2)
    {
      tm_cli_error ("package export: unexpected argument '%s'", argv[2]);
      return 2;
    }
  if (g_str_equal (argv[1], "export") && !g_file_test (ctx->db_path, G_FILE_TEST_EXISTS))
    {
      tm_cli_error ("%s: no database here (create one with 'toolmark-cli init')", ctx->db_path);
      return 1;
    }
  store = tm_store_open (ctx->db_path, &error);
  if (store == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (g_str_equal (argv[1], "export"))
    return package_export (ctx, store, acquisitions, case_number, agency, out);
  return package_import (ctx, store, argv[2]);
}
