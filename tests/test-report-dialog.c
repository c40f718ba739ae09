/* test-report-dialog.c — the report dialog: preview, printing and saving, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The database is made with the command line as a lab would: synthetic scans of two
 * firearms (`toolmark-cli synth`) imported into four cases, a correlation, a lead of
 * the two scans of one firearm (`lead create`) and the examiner's identification
 * (`hit confirm`; the OS login is the first user, so administrator). The real
 * TmReportDialog is opened for the lead and for the hit: the preview pages through
 * tm_report_get_n_pages() pages; the GtkPrintOperation that "Print…" runs is run with
 * GTK_PRINT_OPERATION_ACTION_EXPORT into a PDF, and "Save as PDF" writes another; poppler
 * (pdftotext, pdfinfo) reads both back: the case numbers and the conclusion are there,
 * and each has as many pages as the preview. Skips without pdftotext/pdfinfo.
 *
 * TM_REPORT_KEEP=DIR copies the PDFs there for a person to look at.
 */
#define G_LOG_DOMAIN "test-report-dialog"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "tm-report-dialog.h"
#include "tm-test-support.h"
#include "tm-ui-test-support.h"

static char *tmpdir;
static char *db_path;
static char *lead_id;
static char *hit_id;

static const char * const case_numbers[] = { "MPD-2025-0411", "MPD-2025-0412", "MPD-2025-0413", "MPD-2025-0414" };

/* ---- main loop helpers ---- */

static gboolean
report_built (gpointer data)
{
  return tm_report_dialog_get_report (TM_REPORT_DIALOG (data)) != NULL;
}

/* ---- widget lookup ---- */

static GtkWidget *
find_label_prefix (GtkWidget  *widget,
                   const char *prefix)
{
  if (GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), prefix))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_prefix (child, prefix);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* ---- the database, through the command line ---- */

/* The first number on the first line of @out (what `lead create` and `hit confirm`
 * print first). */
static char *
first_id (const char *out)
{
  gint64 id = g_ascii_strtoll (out, NULL, 10);

  g_assert_cmpint (id, >, 0);
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static void
build_database (void)
{
  static const char *files[] = { "F01-C01.x3p", "F01-C02.x3p", "F02-C01.x3p", "F02-C02.x3p" };
  g_autofree char *scans = g_build_filename (tmpdir, "scans", NULL);
  g_autofree char *out_arg = g_strconcat ("--out=", scans, NULL);
  const char *synth_argv[] = { "synth", "--firearms=2", "--cases=2", "--size=200", "--seed=5",
                               out_arg, NULL };
  g_autofree char *synth_out = NULL;
  g_autofree char *synth_err = NULL;
  g_autofree char *query = NULL;
  g_autofree char *mate = NULL;
  g_autofree char *run = NULL;
  g_autofree char *lead = NULL;
  g_autofree char *hit = NULL;

  g_assert_cmpint (tm_test_run_cli (synth_argv, &synth_out, &synth_err), ==, 0);
  g_free (tm_ui_test_cli (db_path, "init", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (scans, files[i], NULL);
      g_autofree char *exhibit = g_strdup_printf ("E%u", i + 1);
      g_autofree char *line = tm_ui_test_cli (db_path, "import", "--calibre", "9mm Luger",
                                              "--agency", "Metro PD", "--case", case_numbers[i],
                                              "--exhibit", exhibit, path, NULL);
      gint64 id = g_ascii_strtoll (line, NULL, 10);

      g_assert_cmpint (id, >, 0);
      if (i == 0)
        query = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      else if (i == 1)
        mate = g_strdup_printf ("%" G_GINT64_FORMAT, id);
    }
  run = tm_ui_test_cli (db_path, "correlate", query, "--top", "3", NULL);
  g_assert_nonnull (strstr (run, "F01-C02.x3p"));
  lead = tm_ui_test_cli (db_path, "lead", "create", query, mate,
                         "--note", "Same firearm likely", NULL);
  lead_id = first_id (lead);
  hit = tm_ui_test_cli (db_path, "hit", "confirm", lead_id, "--conclusion", "identification",
                        "--note", "Agreement of breech-face marks", NULL);
  hit_id = first_id (hit);
}

/* ---- poppler ---- */

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static char *
run_tool (const char *tool,
          const char *pdf)
{
  const char *argv[] = { tool, pdf, "-", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  /* pdfinfo takes no output file: drop the "-". */
  if (g_str_equal (tool, "pdfinfo"))
    argv[2] = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s %s failed: %s", tool, pdf, err);
  return g_steal_pointer (&out);
}

static guint
pdf_pages (const char *pdf)
{
  g_autofree char *info = run_tool ("pdfinfo", pdf);
  const char *line = strstr (info, "\nPages:");

  g_assert_nonnull (line);
  return (guint) g_ascii_strtoull (line + strlen ("\nPages:"), NULL, 10);
}

static void
keep (const char *pdf)
{
  const char *dir = g_getenv ("TM_REPORT_KEEP");
  g_autofree char *base = NULL;
  g_autofree char *target = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (dir == NULL)
    return;
  base = g_path_get_basename (pdf);
  target = g_build_filename (dir, base, NULL);
  g_assert_true (g_file_get_contents (pdf, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (target, contents, length, NULL));
  g_test_message ("kept %s", target);
}

/* ---- the tests ---- */

/* Opens the dialog for @kind @target, waits for the report, pages through the preview
 * and prints and saves it; returns the printed PDF's text. */
static char *
print_and_save (const char *kind,
                const char *target)
{
  TmReportDialog *dialog;
  TmReport *report;
  GtkWidget *page_label;
  GtkWidget *print_button;
  GtkWidget *save_button;
  GtkWidget *preview;
  g_autofree char *printed = g_strdup_printf ("%s/%s-%s-printed.pdf", tmpdir, kind, target);
  g_autofree char *saved = g_strdup_printf ("%s/%s-%s-saved.pdf", tmpdir, kind, target);
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  g_autofree char *saved_text = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  dialog = tm_report_dialog_new (NULL, db_path, kind, target, NULL);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 1000, 800);
  gtk_window_present (GTK_WINDOW (dialog));

  /* Not built yet: printing says so rather than writing an empty file. */
  if (tm_report_dialog_get_report (dialog) == NULL)
    {
      g_assert_false (tm_report_dialog_export_via_print (dialog, printed, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
      g_clear_error (&error);
      g_assert_false (g_file_test (printed, G_FILE_TEST_EXISTS));
    }

  tm_ui_test_iterate_until (report_built, dialog, 240);
  tm_ui_test_iterate_for (200);
  report = tm_report_dialog_get_report (dialog);
  n = tm_report_get_n_pages (report);
  g_test_message ("%s report %s: “%s”, %u pages", kind, target, tm_report_get_title (report), n);
  g_assert_cmpuint (n, >=, 1);

  /* The preview: a page drawn, "Page 1 of N", and paging to the last one. */
  preview = tm_ui_test_find_type (GTK_WIDGET (dialog), GTK_TYPE_DRAWING_AREA);
  g_assert_nonnull (preview);
  g_assert_cmpint (gtk_widget_get_width (preview), >, 100);
  print_button = tm_ui_test_find_button (GTK_WIDGET (dialog), "_Print…");
  save_button = tm_ui_test_find_button (GTK_WIDGET (dialog), "_Save as PDF…");
  g_assert_true (gtk_widget_is_sensitive (print_button));
  g_assert_true (gtk_widget_is_sensitive (save_button));
  expected = g_strdup_printf ("Page 1 of %u", n);
  page_label = find_label_prefix (GTK_WIDGET (dialog), "Page ");
  g_assert_nonnull (page_label);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (page_label)), ==, expected);
  for (guint i = 1; i < n; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "report.page", "i", 1));
  g_free (expected);
  expected = g_strdup_printf ("Page %u of %u", n, n);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (page_label)), ==, expected);
  /* Past the last page it stays there. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "report.page", "i", 1));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (page_label)), ==, expected);

  /* Printing: the operation "Print…" runs, exported to PDF instead of a printer. */
  g_assert_true (tm_report_dialog_export_via_print (dialog, printed, &error));
  g_assert_no_error (error);
  keep (printed);
  g_assert_cmpuint (pdf_pages (printed), ==, n);
  text = run_tool ("pdftotext", printed);

  /* Saving: what "Save as PDF…" writes once the file is chosen. */
  g_assert_true (tm_report_dialog_save_pdf (dialog, saved, &error));
  g_assert_no_error (error);
  keep (saved);
  g_assert_cmpuint (pdf_pages (saved), ==, n);
  saved_text = run_tool ("pdftotext", saved);
  for (guint i = 0; i < 2; i++)
    g_assert_nonnull (strstr (saved_text, case_numbers[i]));

  /* Both pages of paper carry the page numbers of the preview. */
  g_free (expected);
  expected = g_strdup_printf ("Page %u of %u", n, n);
  g_assert_nonnull (strstr (text, expected));
  g_assert_nonnull (strstr (saved_text, expected));

  gtk_window_destroy (GTK_WINDOW (dialog));
  tm_ui_test_iterate_for (50);
  return g_steal_pointer (&text);
}

static void
test_lead_report (void)
{
  g_autofree char *text = NULL;

  if (!have_program ("pdftotext") || !have_program ("pdfinfo"))
    {
      g_test_skip ("poppler-utils (pdftotext, pdfinfo) are not installed");
      return;
    }
  text = print_and_save ("lead", lead_id);
  /* The two linked cases, not the others. */
  g_assert_nonnull (strstr (text, case_numbers[0]));
  g_assert_nonnull (strstr (text, case_numbers[1]));
  g_assert_null (strstr (text, case_numbers[2]));
  g_assert_null (strstr (text, case_numbers[3]));
  g_assert_nonnull (strstr (text, "Metro PD"));
  g_assert_nonnull (strstr (text, g_get_user_name ()));   /* who generated it */
}

static void
test_hit_report (void)
{
  g_autofree char *text = NULL;

  if (!have_program ("pdftotext") || !have_program ("pdfinfo"))
    {
      g_test_skip ("poppler-utils (pdftotext, pdfinfo) are not installed");
      return;
    }
  text = print_and_save ("hit", hit_id);
  g_assert_nonnull (strstr (text, case_numbers[0]));
  g_assert_nonnull (strstr (text, case_numbers[1]));
  /* The examiner's conclusion and its note. */
  g_assert_nonnull (strstr (text, "identification"));
  g_assert_nonnull (strstr (text, "Agreement of breech-face marks"));
  g_assert_nonnull (strstr (text, "Chain of custody"));
}

/* A report that cannot be built says why in the dialog, and nothing prints. */
static void
test_missing_lead (void)
{
  TmReportDialog *dialog = tm_report_dialog_new (NULL, db_path, "lead", "9999", NULL);
  g_autofree char *pdf = g_build_filename (tmpdir, "missing.pdf", NULL);
  g_autoptr(GError) error = NULL;
  GtkWidget *status;

  gtk_window_present (GTK_WINDOW (dialog));
  tm_ui_test_iterate_for (1500);
  g_assert_null (tm_report_dialog_get_report (dialog));
  status = tm_ui_test_find_label_containing (GTK_WIDGET (dialog), "9999");
  g_assert_nonnull (status);
  g_test_message ("lead 9999: %s", gtk_label_get_text (GTK_LABEL (status)));
  g_assert_false (gtk_widget_is_sensitive (tm_ui_test_find_button (GTK_WIDGET (dialog), "_Print…")));
  g_assert_false (tm_report_dialog_export_via_print (dialog, pdf, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_test_skip ("no display: run under xvfb-run (meson test does)");
      return g_test_run ();
    }
  adw_init ();

  tmpdir = tm_test_make_tmpdir ("test-report-dialog-XXXXXX");
  db_path = g_build_filename (tmpdir, "reports.db", NULL);
  build_database ();

  g_test_add_func ("/report-dialog/lead", test_lead_report);
  g_test_add_func ("/report-dialog/hit", test_hit_report);
  g_test_add_func ("/report-dialog/missing", test_missing_lead);
  return g_test_run ();
}
