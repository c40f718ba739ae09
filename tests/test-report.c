/* test-report.c — the printed reports from a scripted workflow, checked with poppler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One workflow is scripted once for the whole program: synthetic scans of two firearms
 * imported as six cases (toolmark-cli synth, import --manifest), a correlation
 * (toolmark-cli correlate), a lead of the three cases of the first firearm confirmed by
 * an examiner (a hit), a second lead left open with investigator feedback. Each report
 * is then written with `toolmark-cli report` and read back with poppler: pdftotext must
 * find the case numbers, the conclusion and the names; pdftoppm must render every page
 * (as many as tm_report_get_n_pages) and no page may be blank.
 *
 * TM_REPORT_KEEP=DIR keeps the PDFs there (for data/screenshots/reports/).
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "tm-report.h"
#include "tm-store.h"
#include "tm-test-support.h"
#include "tm-workflow.h"

static char *tmpdir;
static char *db_path;
static gint64 hit_lead, open_lead, hit_id;
static gboolean have_poppler;
static char *stats_from, *stats_to;   /* the last seven days, UTC */

static const char *case_numbers[] = { "SPD-2026-0101", "SPD-2026-0102", "SPD-2026-0103",
                                      "SPD-2026-0201", "SPD-2026-0202", "SPD-2026-0203" };

static char *
cli (gboolean     expect_ok,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, db_path);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  status = tm_test_run_cli ((const char * const *) argv->pdata, &out, &err);
  if (expect_ok && status != 0)
    g_error ("toolmark-cli %s failed (%d): %s", first, status, err);
  if (!expect_ok)
    {
      g_assert_cmpint (status, !=, 0);
      return g_steal_pointer (&err);
    }
  return g_steal_pointer (&out);
}

static gint64
find_acquisition (TmStore    *store,
                  const char *file)
{
  g_autoptr(GPtrArray) all = tm_store_list_acquisitions (store, NULL);

  for (guint i = 0; i < all->len; i++)
    if (g_str_equal (tm_acquisition_get_file (g_ptr_array_index (all, i)), file))
      return tm_acquisition_get_id (g_ptr_array_index (all, i));
  g_error ("%s not imported", file);
  return 0;
}

static void
script_workflow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = NULL;
  g_autofree char *scans = g_build_filename (tmpdir, "scans", NULL);
  g_autofree char *manifest = g_build_filename (tmpdir, "manifest.csv", NULL);
  g_autoptr(GString) csv = g_string_new ("file,case,exhibit,kind,calibre,incident_date,offense,location\n");
  static const char *files[] = { "F01-C01.x3p", "F01-C02.x3p", "F01-C03.x3p",
                                 "F02-C01.x3p", "F02-C02.x3p", "F02-C03.x3p" };
  static const char *offenses[] = { "Aggravated assault", "Shots fired", "Homicide",
                                    "Robbery", "Shots fired", "Drive-by shooting" };
  static const char *places[] = { "Elm St & 4th Ave", "Riverside Park", "1200 Oak Blvd",
                                  "Harbor Rd gas station", "Maple Court", "Route 9 overpass" };
  g_autofree char *out = NULL;
  g_autofree char *query = NULL;
  gint64 ids[6], run = 0;
  g_auto(GStrv) lines = NULL;

  store = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_true (tm_store_add_user (store, "tina", "Tina Tech", "technician", &error));
  g_assert_true (tm_store_add_user (store, "erik", "Erik Examiner", "examiner", &error));
  g_assert_true (tm_store_add_user (store, "sam", "Sam Supervisor", "supervisor", &error));
  g_clear_object (&store);

  g_free (cli (TRUE, "synth", "--firearms", "2", "--cases", "3", "--seed", "11", "--out", scans, NULL));
  for (guint i = 0; i < 6; i++)
    g_string_append_printf (csv, "%s/%s,%s,%u,crime-scene,9mm Luger,2026-%02u-%02u,%s,%s\n",
                            scans, files[i], case_numbers[i], i + 1, 9 + i / 3, 3 + 4 * i,
                            offenses[i], places[i]);
  g_assert_true (g_file_set_contents (manifest, csv->str, -1, NULL));
  g_free (cli (TRUE, "--user", "tina", "import", "--manifest", manifest, NULL));

  store = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 6; i++)
    ids[i] = find_acquisition (store, files[i]);

  query = g_strdup_printf ("%" G_GINT64_FORMAT, ids[0]);
  out = cli (TRUE, "--user", "tina", "correlate", query, "--json", NULL);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (g_strstrip (lines[i]), "\"run\""))
      run = g_ascii_strtoll (strchr (lines[i], ':') + 1, NULL, 10);
  g_assert_cmpint (run, >, 0);

  hit_lead = tm_store_create_lead (store, (gint64[]) { ids[0], ids[1] }, 2,
                                   "same breech-face marks, high CMC", run, "tina", &error);
  g_assert_no_error (error);
  g_assert_true (tm_store_add_to_lead (store, hit_lead, ids[2], run, "tina", &error));
  g_assert_true (tm_store_confirm_lead (store, hit_lead, "identification",
                                        "agreement of individual characteristics in the "
                                        "breech-face impressions", "erik", &hit_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hit_id, >, 0);
  g_assert_true (tm_store_add_lead_feedback (store, hit_lead, "arrest", NULL, "tina", &error));

  /* A false lead an examiner eliminated, and a connection investigators knew of. */
  {
    gint64 wrong = tm_store_create_lead (store, (gint64[]) { ids[2], ids[5] }, 2,
                                         "similar class marks", 0, "tina", &error);

    g_assert_no_error (error);
    g_assert_true (tm_store_confirm_lead (store, wrong, "elimination",
                                          "different individual characteristics", "erik",
                                          NULL, &error));
    g_assert_true (tm_store_link_cases_known (store, tm_store_find_case (store, case_numbers[3], NULL),
                                              tm_store_find_case (store, case_numbers[5], NULL),
                                              "tina", &error));
    g_assert_no_error (error);
  }
  /* The open lead comes from a correlation of its own, so its report has scores. */
  g_free (query);
  query = g_strdup_printf ("%" G_GINT64_FORMAT, ids[3]);
  g_free (out);
  out = cli (TRUE, "--user", "tina", "correlate", query, "--json", NULL);
  g_strfreev (lines);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (g_strstrip (lines[i]), "\"run\""))
      run = g_ascii_strtoll (strchr (lines[i], ':') + 1, NULL, 10);
  open_lead = tm_store_create_lead (store, (gint64[]) { ids[3], ids[4] }, 2, NULL, run, "tina", &error);
  g_assert_no_error (error);
  g_assert_true (tm_store_add_lead_feedback (store, open_lead, "suspect-identified", NULL,
                                             "tina", &error));
}

/* Renders @pdf with pdftoppm at 50 dpi in grey; returns the number of pages and checks
 * that none is blank (the standard deviation of its pixels). */
static guint
render_pages (const char *pdf)
{
  g_autofree char *prefix = g_strconcat (pdf, "-page", NULL);
  g_autofree char *dir = g_path_get_dirname (pdf);
  g_autofree char *base = g_path_get_basename (prefix);
  const char *argv[] = { "pdftoppm", "-r", "50", "-gray", pdf, prefix, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  int status;
  guint n = 0;
  const char *name;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *data = NULL;
      gsize len;
      int w, h, max, off = 0;
      double sum = 0, sum2 = 0, sd;

      if (!g_str_has_prefix (name, base) || !g_str_has_suffix (name, ".pgm"))
        continue;
      path = g_build_filename (dir, name, NULL);
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      g_assert_cmpint (sscanf (data, "P5 %d %d %d%n", &w, &h, &max, &off), ==, 3);
      off++;
      g_assert_cmpint (len, >=, off + (gsize) w * h);
      for (gsize i = 0; i < (gsize) w * h; i++)
        {
          double v = (guint8) data[off + i];

          sum += v;
          sum2 += v * v;
        }
      sd = sqrt (MAX (0, sum2 / ((double) w * h) - pow (sum / ((double) w * h), 2)));
      g_test_message ("%s: %d × %d, sd %.1f", name, w, h, sd);
      g_assert_cmpfloat (sd, >, 10);   /* a blank page has sd 0; text alone gives > 20 */
      n++;
    }
  return n;
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

static char *
pdf_info (const char *pdf)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };
  char *out = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, NULL, NULL))
    return g_strdup ("");
  return out;
}

/* Writes the report with the CLI as @user, checks it, returns its text. */
static char *
check_report (const char  *name,
              TmReport    *report,
              const char  *user,
              const char  *kind,
              const char  *target)
{
  g_autofree char *pdf = g_build_filename (tmpdir, name, NULL);
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  const char *keep = g_getenv ("TM_REPORT_KEEP");
  guint pages;

  if (target != NULL)
    out = cli (TRUE, "--user", user, "report", kind, target, "--agency", "Springfield Police Department",
               "-o", pdf, NULL);
  else
    out = cli (TRUE, "--user", user, "report", kind, "--agency", "Springfield Police Department",
               "--from", stats_from, "--to", stats_to, "-o", pdf, NULL);
  g_test_message ("report %s: %s", kind, out);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  if (keep != NULL)
    {
      g_autofree char *copy = g_build_filename (keep, name, NULL);
      g_autofree char *bytes = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (pdf, &bytes, &len, NULL));
      g_assert_true (g_file_set_contents (copy, bytes, len, NULL));
    }

  if (!have_poppler)
    return g_strdup ("");
  pages = render_pages (pdf);
  g_assert_cmpuint (pages, ==, tm_report_get_n_pages (report));
  text = pdf_text (pdf);
  g_assert_nonnull (strstr (text, "Springfield Police Department"));
  g_assert_nonnull (strstr (text, "Sam Supervisor"));   /* who generated it */
  {
    g_autofree char *last = g_strdup_printf ("%u", pages);

    g_assert_nonnull (strstr (text, "Page 1 of"));
    g_assert_nonnull (strstr (text, last));
  }
  {
    g_autofree char *info = pdf_info (pdf);

    if (*info != '\0')
      {
        g_assert_nonnull (strstr (info, "Title:"));
        g_assert_nonnull (strstr (info, "Sam Supervisor"));
      }
  }
  return g_steal_pointer (&text);
}

static TmReport *
core_report (const char *kind,
             const char *target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = tm_store_open (db_path, &error);
  TmReportOptions options = { "Springfield Police Department", "sam", NULL };
  TmReport *report = NULL;

  g_assert_no_error (error);
  if (g_str_equal (kind, "lead"))
    report = tm_report_new_lead (store, target, &options, NULL, &error);
  else if (g_str_equal (kind, "hit"))
    report = tm_report_new_hit (store, target, &options, NULL, &error);
  else if (g_str_equal (kind, "case"))
    report = tm_report_new_linkage (store, target, &options, &error);
  else
    {
      TmReportStatsRange range = { stats_from, stats_to, NULL };

      report = tm_report_new_stats (store, &range, &options, &error);
    }
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (tm_report_get_n_pages (report), >=, 1);
  return report;
}

static void
test_lead (void)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, open_lead);
  g_autoptr(TmReport) report = core_report ("lead", id);
  g_autofree char *text = check_report ("lead.pdf", report, "sam", "lead", id);

  if (!have_poppler)
    return;
  g_assert_nonnull (strstr (text, "SPD-2026-0201"));
  g_assert_nonnull (strstr (text, "SPD-2026-0202"));
  g_assert_null (strstr (text, "SPD-2026-0203"));
  g_assert_nonnull (strstr (text, "Tina Tech"));        /* the reviewer */
  g_assert_nonnull (strstr (text, "unconfirmed"));
  g_assert_nonnull (strstr (text, "Robbery"));
  g_assert_nonnull (strstr (text, "Harbor Rd gas station"));
  g_assert_nonnull (strstr (text, "cells congruent"));
  g_assert_null (strstr (text, "No correlation run"));  /* the scores of the correlation */
}

static void
test_hit (void)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, hit_id);
  g_autoptr(TmReport) report = core_report ("hit", id);
  g_autofree char *text = check_report ("hit.pdf", report, "sam", "hit", id);

  if (!have_poppler)
    return;
  for (guint i = 0; i < 3; i++)
    g_assert_nonnull (strstr (text, case_numbers[i]));
  g_assert_nonnull (strstr (text, "identification"));
  g_assert_nonnull (strstr (text, "Erik Examiner"));
  g_assert_nonnull (strstr (text, "Tina Tech"));
  g_assert_nonnull (strstr (text, "Chain of custody"));
  g_assert_nonnull (strstr (text, "intact"));
  g_assert_nonnull (strstr (text, "F01-C02.x3p"));
  /* The SHA-256 of an original as stored. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TmStore) store = tm_store_open (db_path, &error);
    g_autoptr(GPtrArray) all = tm_store_list_acquisitions (store, &error);

    for (guint i = 0; i < all->len; i++)
      if (g_str_has_prefix (tm_acquisition_get_file (g_ptr_array_index (all, i)), "F01"))
        {
          /* Printed in two halves so it fits the column. */
          g_autofree char *head = g_strndup (tm_acquisition_get_sha256 (g_ptr_array_index (all, i)), 32);

          g_assert_nonnull (strstr (text, head));
          g_assert_nonnull (strstr (text, tm_acquisition_get_sha256 (g_ptr_array_index (all, i)) + 32));
        }
  }
}

static void
test_linkage (void)
{
  g_autoptr(TmReport) report = core_report ("case", "SPD-2026-0102");
  g_autofree char *text = check_report ("case.pdf", report, "sam", "case", "SPD-2026-0102");

  if (!have_poppler)
    return;
  for (guint i = 0; i < 3; i++)
    g_assert_nonnull (strstr (text, case_numbers[i]));
  /* Through the eliminated lead to 0203, its known link to 0201 and the open lead to 0202. */
  for (guint i = 3; i < 6; i++)
    g_assert_nonnull (strstr (text, case_numbers[i]));
  g_assert_nonnull (strstr (text, "hit (lead 1)"));
  g_assert_nonnull (strstr (text, "eliminated"));
  g_assert_nonnull (strstr (text, "known"));
}

static void
test_stats (void)
{
  g_autoptr(TmReport) report = core_report ("stats", NULL);
  g_autofree char *pdf = g_build_filename (tmpdir, "stats.pdf", NULL);
  g_autofree char *text = NULL;

  text = check_report ("stats.pdf", report, "sam", "stats", NULL);
  if (!have_poppler)
    return;
  g_assert_nonnull (strstr (text, "48-hour goal"));
  g_assert_nonnull (strstr (text, "Unreviewed correlations"));
  g_assert_nonnull (strstr (text, "Investigator feedback"));
}

static void
test_refused (void)
{
  g_autofree char *pdf = g_build_filename (tmpdir, "nobody.pdf", NULL);
  g_autofree char *err = NULL;

  /* An unregistered user may not report; a malformed date and an unknown lead say why. */
  err = cli (FALSE, "--user", "nobody", "report", "stats", "-o", pdf, NULL);
  g_assert_nonnull (strstr (err, "nobody"));
  g_free (err);
  err = cli (FALSE, "--user", "sam", "report", "stats", "--from", "1.11.2026", "-o", pdf, NULL);
  g_assert_nonnull (strstr (err, "YYYY-MM-DD"));
  g_free (err);
  err = cli (FALSE, "--user", "sam", "report", "lead", "999", "-o", pdf, NULL);
  g_assert_nonnull (strstr (err, "999"));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
}

static void
test_draw_any_size (void)
{
  g_autoptr(TmReport) report = core_report ("case", "SPD-2026-0101");
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 306, 396);
  cairo_t *cr = cairo_create (surface);
  const guint8 *data;
  guint dark = 0;

  /* Letter-sized preview at 1/2 scale: the A4 page is fitted and drawn. */
  tm_report_draw_page (report, cr, 0, 306, 396);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < 396; y++)
    for (int x = 0; x < 306; x++)
      if (data[y * cairo_image_surface_get_stride (surface) + 4 * x] < 128)
        dark++;
  g_assert_cmpuint (dark, >, 500);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
skip_without_poppler (void)
{
  g_test_skip ("pdftotext and pdftoppm (poppler-utils) are needed to check the reports: "
               "install poppler-utils");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *poppler = g_find_program_in_path ("pdftotext");
  g_autofree char *pdftoppm = g_find_program_in_path ("pdftoppm");
  int status;

  /* Numbers and dates follow the locale; the checks read English words. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  have_poppler = poppler != NULL && pdftoppm != NULL;
  if (!have_poppler)
    {
      g_test_add_func ("/report/poppler", skip_without_poppler);
      return g_test_run ();
    }
  /* With TM_REPORT_KEEP the database stays too, to regenerate reports by hand. */
  if (g_getenv ("TM_REPORT_KEEP") != NULL)
    {
      tmpdir = g_build_filename (g_getenv ("TM_REPORT_KEEP"), "work", NULL);
      tm_test_rm_rf (tmpdir);
      g_assert_cmpint (g_mkdir_with_parents (tmpdir, 0700), ==, 0);
    }
  else
    tmpdir = tm_test_make_tmpdir ("test-report-XXXXXX");
  db_path = g_build_filename (tmpdir, "toolmark.db", NULL);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) week = g_date_time_add_days (now, -6);

    stats_to = g_date_time_format (now, "%Y-%m-%d");
    stats_from = g_date_time_format (week, "%Y-%m-%d");
  }

  g_test_add_func ("/report/lead", test_lead);
  g_test_add_func ("/report/hit", test_hit);
  g_test_add_func ("/report/linkage", test_linkage);
  g_test_add_func ("/report/stats", test_stats);
  g_test_add_func ("/report/refused", test_refused);
  g_test_add_func ("/report/draw-any-size", test_draw_any_size);

  script_workflow ();
  status = g_test_run ();
  return status;
}
