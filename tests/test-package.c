/* test-package.c — exchange packages: round trip, tampering, hostile archives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <zip.h>

#include "tm-audit.h"
#include "tm-package.h"
#include "tm-store.h"
#include "tm-test-support.h"

static char *scans_dir;

static TmStore *
open_store (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  TmStore *store = tm_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

/* A store at @dir/a.db with two imported synthetic scans; returns the package path. */
static char *
export_two (const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "a.db", NULL);
  g_autofree char *f1 = g_build_filename (scans_dir, "F01-C01.x3p", NULL);
  g_autofree char *f2 = g_build_filename (scans_dir, "F01-C02.x3p", NULL);
  g_autofree char *out = NULL;
  char *package = g_build_filename (dir, "two.tmpkg", NULL);
  const char *import[] = { "--db", db, "import", "--calibre", "9mm", "--case", "K-1", f1, f2, NULL };
  const char *export[] = { "--db", db, "package", "export", "--case", "K-1", "--agency", "Landeskriminalamt",
                           "-o", package, NULL };

  g_assert_cmpint (tm_test_run_cli (import, &out, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (tm_test_run_cli (export, &out, NULL), ==, 0);
  return package;
}

static void
test_round_trip (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("package-XXXXXX");
  g_autofree char *package = export_two (dir);
  g_autoptr(TmStore) a = open_store (dir, "a.db");
  g_autoptr(TmStore) b = open_store (dir, "b.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  TmPackageReport report;

  tm_package_report_init (&report);
  g_assert_true (tm_package_import (b, package, g_get_user_name (), &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.imported, ==, 2);
  g_assert_cmpstr (report.agency, ==, "Landeskriminalamt");
  tm_package_report_clear (&report);

  /* The imported records are in B's audit trail, naming the package, and the chain
   * still verifies. */
  {
    g_autoptr(GPtrArray) audit = tm_audit_list (b, NULL, &error);
    g_autoptr(GPtrArray) problems = NULL;
    guint n_acquisitions = 0, n_cases = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < audit->len; i++)
      {
        TmAuditEntry *entry = g_ptr_array_index (audit, i);

        if (g_str_equal (entry->action, "package-imported-acquisition"))
          {
            n_acquisitions++;
            g_assert_cmpstr (entry->entity_type, ==, "acquisition");
            g_assert_nonnull (strstr (entry->details, package));
            g_assert_nonnull (strstr (entry->details, "origin_site"));
          }
        n_cases += g_str_equal (entry->action, "package-imported-case");
      }
    g_assert_cmpuint (n_acquisitions, ==, 2);
    g_assert_cmpuint (n_cases, >=, 1);
    g_assert_true (tm_audit_verify (b, &problems, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (problems->len, ==, 0);
  }

  list = tm_store_list_acquisitions (a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  for (guint i = 0; i < list->len; i++)
    {
      TmAcquisition *acq = g_ptr_array_index (list, i);
      g_autoptr(TmAcquisition) copy = tm_store_find_acquisition (b, tm_acquisition_get_uuid (acq), &error);
      g_autoptr(TmSurface) s1 = NULL, s2 = NULL;
      g_autoptr(GBytes) o1 = NULL, o2 = NULL;
      gsize n;

      g_assert_no_error (error);
      /* The same UUID, origin and custody fields. */
      g_assert_cmpstr (tm_acquisition_get_origin_site (copy), ==, tm_acquisition_get_origin_site (acq));
      g_assert_cmpstr (tm_acquisition_get_sha256 (copy), ==, tm_acquisition_get_sha256 (acq));
      g_assert_cmpstr (tm_acquisition_get_imported_at (copy), ==, tm_acquisition_get_imported_at (acq));
      g_assert_cmpstr (tm_acquisition_get_calibre (copy), ==, "9mm");
      /* Identical preprocessed surfaces, value for value. */
      s1 = tm_store_load_preprocessed (a, tm_acquisition_get_id (acq), "breech-face", &error);
      g_assert_no_error (error);
      s2 = tm_store_load_preprocessed (b, tm_acquisition_get_id (copy), "breech-face", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (tm_surface_get_width (s1), ==, tm_surface_get_width (s2));
      g_assert_cmpuint (tm_surface_get_height (s1), ==, tm_surface_get_height (s2));
      n = (gsize)tm_surface_get_width (s1) * tm_surface_get_height (s1);
      g_assert_cmpmem (tm_surface_peek_data (s1), n * sizeof (float), tm_surface_peek_data (s2), n * sizeof (float));
      /* X3P originals travel as themselves. */
      o1 = tm_store_read_original (a, tm_acquisition_get_id (acq), &error);
      g_assert_no_error (error);
      o2 = tm_store_read_original (b, tm_acquisition_get_id (copy), &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (o1, o2));
    }

  /* De-duplicated by UUID: a second import adds nothing. */
  tm_package_report_init (&report);
  g_assert_true (tm_package_import (b, package, g_get_user_name (), &report, NULL, &error));
  g_assert_cmpuint (report.imported, ==, 0);
  g_assert_cmpuint (report.identical, ==, 2);
  tm_package_report_clear (&report);
  g_assert_cmpint (tm_store_count_acquisitions (b, NULL), ==, 2);
}

/* Replaces member @name of @package by its content with one byte changed. */
static void
change_one_byte (const char *package,
                 const char *name)
{
  zip_t *zip = zip_open (package, 0, NULL);
  zip_int64_t index = zip_name_locate (zip, name, 0);
  zip_stat_t st;
  zip_file_t *file;
  guint8 *buf;
  zip_source_t *source;

  g_assert_cmpint (index, >=, 0);
  zip_stat_index (zip, index, 0, &st);
  buf = g_malloc (st.size);
  file = zip_fopen_index (zip, index, 0);
  g_assert_cmpint (zip_fread (file, buf, st.size), ==, (zip_int64_t)st.size);
  zip_fclose (file);
  buf[st.size / 2] ^= 0x01;
  source = zip_source_buffer (zip, buf, st.size, 1);
  g_assert_cmpint (zip_file_replace (zip, index, source, 0), ==, 0);
  g_assert_cmpint (zip_close (zip), ==, 0);
}

static void
test_tampered (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("package-XXXXXX");
  g_autofree char *package = export_two (dir);
  g_autoptr(TmStore) a = open_store (dir, "a.db");
  g_autoptr(TmStore) b = open_store (dir, "b.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(TmAcquisition) first = tm_store_get_acquisition (a, 1, NULL);
  g_autofree char *member = g_strdup_printf ("acquisitions/%s/surface-breech-face.bin",
                                             tm_acquisition_get_uuid (first));
  TmPackageReport report;

  change_one_byte (package, member);
  tm_package_report_init (&report);
  g_assert_false (tm_package_import (b, package, g_get_user_name (), &report, NULL, &error));
  g_assert_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_TAMPERED);
  g_assert_nonnull (strstr (error->message, member));
  tm_package_report_clear (&report);
  g_assert_cmpint (tm_store_count_acquisitions (b, NULL), ==, 0);

  /* A byte flipped in the file itself (inside a stored member's data) is refused too,
   * naming the member. */
  {
    g_autofree char *package2 = NULL;
    g_autofree char *raw = NULL;
    gsize len;
    g_autofree char *dir2 = tm_test_make_tmpdir ("package-XXXXXX");

    g_clear_error (&error);
    package2 = export_two (dir2);
    g_assert_true (g_file_get_contents (package2, &raw, &len, NULL));
    raw[len / 3] ^= 0x20;
    g_assert_true (g_file_set_contents (package2, raw, len, NULL));
    tm_package_report_init (&report);
    g_assert_false (tm_package_import (b, package2, g_get_user_name (), &report, NULL, &error));
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "acquisitions/"));
    tm_package_report_clear (&report);
  }
}

static char *
write_zip (const char *dir,
           const char *member,
           gsize       size,
           const char *manifest)
{
  char *path = g_build_filename (dir, "hostile.tmpkg", NULL);
  zip_t *zip = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, NULL);
  guint8 *zeros = g_malloc0 (size);

  zip_file_add (zip, member, zip_source_buffer (zip, zeros, size, 1), 0);
  zip_file_add (zip, "manifest.json", zip_source_buffer (zip, manifest, strlen (manifest), 0), 0);
  g_assert_cmpint (zip_close (zip), ==, 0);
  return path;
}

static void
test_hostile (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("package-XXXXXX");
  g_autoptr(TmStore) b = open_store (dir, "b.db");
  const char *manifest = "{\"format\": \"toolmark-package\", \"version\": 1, \"acquisitions\": [], \"members\": []}";
  struct { const char *member; gsize size; int code; const char *needle; } cases[] = {
    { "../../etc/evil", 10, TM_PACKAGE_ERROR_INVALID, "../../etc/evil" },
    { "/abs/path", 10, TM_PACKAGE_ERROR_INVALID, "/abs/path" },
    { "acquisitions\\x", 10, TM_PACKAGE_ERROR_INVALID, "not a plain relative path" },
    { "bomb.bin", 32 * 1024 * 1024, TM_PACKAGE_ERROR_TOO_LARGE, "bomb.bin" },
    { "extra.bin", 10, TM_PACKAGE_ERROR_TAMPERED, "lists 0 members" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_zip (dir, cases[i].member, cases[i].size, manifest);
      g_autoptr(GError) error = NULL;
      TmPackageReport report;

      tm_package_report_init (&report);
      g_assert_false (tm_package_import (b, path, g_get_user_name (), &report, NULL, &error));
      g_assert_error (error, TM_PACKAGE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      tm_package_report_clear (&report);
    }

  /* Not a zip at all. */
  {
    g_autofree char *path = g_build_filename (dir, "text.tmpkg", NULL);
    g_autoptr(GError) error = NULL;
    TmPackageReport report;

    g_assert_true (g_file_set_contents (path, "hello", -1, NULL));
    tm_package_report_init (&report);
    g_assert_false (tm_package_import (b, path, g_get_user_name (), &report, NULL, &error));
    g_assert_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID);
    tm_package_report_clear (&report);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *out = NULL;

  g_test_init (&argc, &argv, NULL);
  scans_dir = tm_test_make_tmpdir ("package-scans-XXXXXX");
  {
    const char *synth[] = { "synth", "--firearms", "1", "--cases", "2", "--out", scans_dir, "--seed", "5", NULL };

    g_assert_cmpint (tm_test_run_cli (synth, &out, NULL), ==, 0);
  }
  g_test_add_func ("/package/round-trip", test_round_trip);
  g_test_add_func ("/package/tampered", test_tampered);
  g_test_add_func ("/package/hostile", test_hostile);
  return g_test_run ();
}
