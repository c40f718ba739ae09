/* tm-cli-list.c — `toolmark-cli list`: the acquisitions, newest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-cli-workflow.h"
#include "tm-store.h"

enum { COL_ID, COL_FILE, COL_SIZE, COL_PIXEL, COL_MODALITY, COL_CASE, COL_EXHIBIT,
       COL_KIND, COL_CALIBRE, COL_VALID, COL_IMPORTED, N_COLS };

static const char *headings[N_COLS] = {
  "ID", "FILE", "SIZE", "PIXEL µm", "MODALITY", "CASE", "EXHIBIT", "KIND", "CALIBRE",
  "VALID", "IMPORTED",
};

static char **
row_cells (TmAcquisition *a)
{
  char **cells = g_new0 (char *, N_COLS + 1);
  const char *imported = tm_acquisition_get_imported_at (a);

  cells[COL_ID] = g_strdup_printf ("%" G_GINT64_FORMAT, tm_acquisition_get_id (a));
  cells[COL_FILE] = g_strdup (tm_acquisition_get_file (a));
  cells[COL_SIZE] = g_strdup_printf ("%u×%u", tm_acquisition_get_width (a), tm_acquisition_get_height (a));
  cells[COL_PIXEL] = g_strdup_printf ("%.6g", tm_acquisition_get_pixel_um (a));
  cells[COL_MODALITY] = g_strdup (tm_acquisition_get_modality (a));
  cells[COL_CASE] = g_strdup (tm_acquisition_get_case_number (a));
  cells[COL_EXHIBIT] = g_strdup (tm_acquisition_get_exhibit (a));
  cells[COL_KIND] = g_strdup (tm_acquisition_get_kind (a));
  cells[COL_CALIBRE] = g_strdup (tm_acquisition_get_calibre (a) ? tm_acquisition_get_calibre (a) : "-");
  cells[COL_VALID] = g_strdup_printf ("%.0f%%", 100.0 * tm_acquisition_get_valid_fraction (a));
  /* Minutes are enough in a table; show gives the full time. */
  cells[COL_IMPORTED] = imported ? g_strndup (imported, 16) : g_strdup ("-");
  for (guint i = 0; i < N_COLS; i++)
    if (cells[i] == NULL)
      cells[i] = g_strdup ("-");
  return cells;
}

static void
print_padded (const char *text,
              glong       width,
              gboolean    last)
{
  fputs (text, stdout);
  if (!last)
    for (glong pad = g_utf8_strlen (text, -1); pad < width + 2; pad++)
      fputc (' ', stdout);
}

int
tm_cli_list (TmCliContext *ctx,
             int           argc,
             char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GPtrArray) acquisitions = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array of objects"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("list", "", _("List the acquisitions in the database, newest first."),
                     entries, &argc, &argv))
    return 2;
  if (argc > 1)
    {
      tm_cli_error ("list: unexpected argument '%s'", argv[1]);
      return 2;
    }
  /* Reading commands never create a database: a mistyped --db must not look empty. */
  store = tm_cli_open_existing_store (ctx, &error);
  if (store != NULL)
    acquisitions = tm_store_list_acquisitions (store, &error);
  if (acquisitions == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < acquisitions->len; i++)
        json_builder_add_value (builder, tm_acquisition_to_json (g_ptr_array_index (acquisitions, i)));
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
      return 0;
    }

  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
    glong widths[N_COLS];

    for (guint c = 0; c < N_COLS; c++)
      widths[c] = g_utf8_strlen (headings[c], -1);
    for (guint i = 0; i < acquisitions->len; i++)
      {
        char **cells = row_cells (g_ptr_array_index (acquisitions, i));

        for (guint c = 0; c < N_COLS; c++)
          widths[c] = MAX (widths[c], g_utf8_strlen (cells[c], -1));
        g_ptr_array_add (rows, cells);
      }

    for (guint c = 0; c < N_COLS; c++)
      print_padded (headings[c], widths[c], c == N_COLS - 1);
    fputc ('\n', stdout);
    for (guint i = 0; i < rows->len; i++)
      {
        char **cells = g_ptr_array_index (rows, i);

        for (guint c = 0; c < N_COLS; c++)
          print_padded (cells[c], widths[c], c == N_COLS - 1);
        fputc ('\n', stdout);
      }
  }
  return 0;
}
