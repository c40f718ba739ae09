/* test-store.c — the SQLite store, the blob store, import transactions and manifests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "tm-blob-store.h"
#include "tm-format.h"
#include "tm-importer.h"
#include "tm-manifest.h"
#include "tm-store.h"
#include "tm-x3p.h"
#include "tm-test-support.h"

/* A small 3D surface whose content depends on @seed, with a few invalid points. */
static TmSurface *
make_surface (guint seed)
{
  TmSurface *surface = tm_surface_new (64, 48, 6.25, 6.25, TM_MODALITY_3D);
  float *data = tm_surface_get_data (surface);

  for (guint y = 0; y < 48; y++)
    for (guint x = 0; x < 64; x++)
      data[y * 64 + x] = (x + y) % 7 == 0 ? NAN
                                          : (float)(sin (0.3 * x + seed) * cos (0.2 * y) + 0.01 * seed);
  tm_surface_sync_mask (surface);
  tm_surface_set_meta (surface, TM_META_INSTRUMENT_MANUFACTURER, "Test");
  tm_surface_set_meta (surface, TM_META_INSTRUMENT_MODEL, "Bench 1");
  return surface;
}

static GBytes *
make_x3p (guint seed)
{
  g_autoptr(TmSurface) surface = make_surface (seed);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = tm_x3p_write_bytes (surface, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static char *
new_db_path (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("test-store-XXXXXX");
  return g_build_filename (dir, "sub", "toolmark.db", NULL);
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* Counts rows with a separate connection, so the store's own view cannot mislead. */
static gint64
count_rows (const char *db_path,
            const char *table)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static guint
count_blob_files (TmStore *store)
{
  g_autoptr(GPtrArray) strays = NULL;
  g_autoptr(GPtrArray) names = tm_blob_store_list (tm_store_get_blob_store (store), &strays, NULL);

  g_assert_nonnull (names);
  return names->len + strays->len;
}

static gint64
add (TmStore     *store,
     GBytes      *bytes,
     const char  *name,
     const char  *case_number,
     const char  *exhibit,
     GError     **error)
{
  g_autoptr(TmCaseData) data = tm_case_data_new ();
  g_autoptr(TmSurface) surface = tm_surface_load_bytes (bytes, name, 0, error);

  if (surface == NULL)
    return 0;
  data->case_number = g_strdup (case_number);
  data->exhibit = g_strdup (exhibit);
  return tm_store_add_acquisition (store, data, surface, bytes, name, g_get_user_name (), error);
}

static void
test_schema_create (void)
{
  g_autofree char *path = new_db_path ();
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *blobs = g_strconcat (path, ".blobs", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *role = NULL;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = tm_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tm_store_get_schema_version (store), ==, TM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (tm_store_count_acquisitions (store, &error), ==, 0);
  g_assert_true (g_uuid_string_is_valid (tm_store_get_local_site (store)));

  role = tm_store_get_user_role (store, g_get_user_name (), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (role, ==, "administrator");

  /* Owner-only: the folder created for it, the database, its WAL files, the blobs. */
  g_assert_cmpuint (file_mode (dir), ==, 0700);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (file_mode (wal), ==, 0600);
  g_assert_cmpuint (file_mode (shm), ==, 0600);
  g_assert_cmpuint (file_mode (blobs), ==, 0700);

  g_assert_cmpint (count_rows (path, "sites"), ==, 1);
  g_assert_cmpint (count_rows (path, "users"), ==, 1);
}

static void
test_schema_reopen (void)
{
  g_autofree char *path = new_db_path ();
  g_autofree char *site = NULL;
  g_autoptr(GBytes) bytes = make_x3p (1);
  g_autoptr(GError) error = NULL;
  TmStore *store;

  store = tm_store_open (path, &error);
  g_assert_no_error (error);
  site = g_strdup (tm_store_get_local_site (store));
  g_assert_cmpint (add (store, bytes, "a.x3p", NULL, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_object_unref (store);

  /* Opening again migrates nothing, creates no second site or user, keeps the data. */
  for (guint i = 0; i < 2; i++)
    {
      store = tm_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (tm_store_get_schema_version (store), ==, TM_STORE_SCHEMA_VERSION);
      g_assert_cmpstr (tm_store_get_local_site (store), ==, site);
      g_assert_cmpint (tm_store_count_acquisitions (store, &error), ==, 1);
      g_object_unref (store);
    }
  g_assert_cmpint (count_rows (path, "sites"), ==, 1);
  g_assert_cmpint (count_rows (path, "users"), ==, 1);
}

static void
test_schema_newer (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(GError) error = NULL;
  TmStore *store;

  store = tm_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (tm_store_exec (store, "PRAGMA user_version = 99", &error));
  g_object_unref (store);

  store = tm_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "99"));
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_schema_not_a_database (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("test-store-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "notes.txt", NULL);
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "these are not the rows you are looking for\n"
                                            "0123456789abcdef0123456789abcdef0123456789abcdef\n"
                                            "0123456789abcdef0123456789abcdef0123456789abcdef\n", -1, NULL));
  store = tm_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_OPEN);
}

static void
test_import_basic (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(TmStore) store = tm_store_open (path, NULL);
  g_autoptr(GBytes) bytes = make_x3p (2);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(TmAcquisition) acq = NULL;
  g_autoptr(TmSurface) surface = NULL;
  g_autoptr(TmCaseData) data = tm_case_data_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = tm_blob_sha256_bytes (bytes);
  g_autofree char *blob_path = NULL;
  gint64 id;

  surface = tm_surface_load_bytes (bytes, "scan.x3p", 0, &error);
  g_assert_no_error (error);
  data->case_number = g_strdup ("2024-0042");
  data->exhibit = g_strdup ("3");
  data->kind = g_strdup ("Test Fire");
  data->calibre = g_strdup ("9mm Luger");
  data->firing_pin_type = g_strdup ("center fire");
  data->firing_pin_shape = g_strdup ("Rectangular");
  data->breech_face_class = g_strdup ("parallel");
  data->firearm_make = g_strdup ("Glock");
  data->firearm_serial = g_strdup ("ABC123");
  data->microstamp_firing_pin = g_strdup ("XY12; ZZ9");
  data->incident_date = g_strdup ("2024-03-01");
  id = tm_store_add_acquisition (store, data, surface, bytes, "scan.x3p", g_get_user_name (), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  acq = tm_store_get_acquisition (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tm_acquisition_get_file (acq), ==, "scan.x3p");
  g_assert_cmpuint (tm_acquisition_get_width (acq), ==, 64);
  g_assert_cmpuint (tm_acquisition_get_height (acq), ==, 48);
  g_assert_cmpfloat_with_epsilon (tm_acquisition_get_pixel_um (acq), 6.25, 1e-9);
  g_assert_cmpstr (tm_acquisition_get_modality (acq), ==, "3d");
  g_assert_cmpstr (tm_acquisition_get_region (acq), ==, "breech-face");
  g_assert_cmpstr (tm_acquisition_get_case_number (acq), ==, "2024-0042");
  g_assert_cmpstr (tm_acquisition_get_exhibit (acq), ==, "3");
  g_assert_cmpstr (tm_acquisition_get_kind (acq), ==, "test-fire");
  g_assert_cmpstr (tm_acquisition_get_calibre (acq), ==, "9mm Luger");
  g_assert_cmpstr (tm_acquisition_get_firing_pin_type (acq), ==, "centre-fire");
  g_assert_cmpstr (tm_acquisition_get_firing_pin_shape (acq), ==, "rectangular");
  g_assert_cmpstr (tm_acquisition_get_breech_face_class (acq), ==, "parallel");
  g_assert_cmpstr (tm_acquisition_get_firearm_make (acq), ==, "Glock");
  g_assert_null (tm_acquisition_get_firearm_model (acq));
  g_assert_cmpstr (tm_acquisition_get_microstamp (acq), ==, "firing-pin:XY12; firing-pin:ZZ9");
  g_assert_cmpstr (tm_acquisition_get_instrument (acq), ==, "Test Bench 1");
  g_assert_cmpstr (tm_acquisition_get_sha256 (acq), ==, sha);
  g_assert_cmpstr (tm_acquisition_get_imported_by (acq), ==, g_get_user_name ());
  g_assert_cmpstr (tm_acquisition_get_origin_site (acq), ==, tm_store_get_local_site (store));
  g_assert_true (g_str_has_suffix (tm_acquisition_get_imported_at (acq), "Z"));
  g_assert_cmpfloat_with_epsilon (tm_acquisition_get_valid_fraction (acq),
                                  tm_surface_valid_fraction (surface), 1e-12);

  /* The original is kept byte-identical, owner-only, and found by UUID too. */
  blob_path = tm_blob_store_get_path (tm_store_get_blob_store (store), sha);
  g_assert_cmpuint (file_mode (blob_path), ==, 0600);
  back = tm_store_read_original (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, bytes));
  {
    g_autofree char *uuid = g_ascii_strup (tm_acquisition_get_uuid (acq), -1);

    g_clear_object (&acq);
    acq = tm_store_find_acquisition (store, uuid, &error);
    g_assert_no_error (error);
    g_assert_cmpint (tm_acquisition_get_id (acq), ==, id);
  }
  g_clear_object (&acq);
  acq = tm_store_get_acquisition (store, id + 100, &error);
  g_assert_null (acq);
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND);
}

static void
test_import_duplicate (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(TmStore) store = tm_store_open (path, NULL);
  g_autoptr(GBytes) bytes = make_x3p (3);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (add (store, bytes, "a.x3p", "C1", "1", &error), >, 0);
  g_assert_no_error (error);

  g_assert_cmpint (add (store, bytes, "a-copy.x3p", "C1", "1", &error), ==, 0);
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "a-copy.x3p"));
  g_assert_nonnull (strstr (error->message, "already imported"));
  g_clear_error (&error);
  g_assert_cmpint (tm_store_count_acquisitions (store, NULL), ==, 1);

  /* The same bytes as another exhibit's acquisition share one blob. */
  g_assert_cmpint (add (store, bytes, "a.x3p", "C1", "2", &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (tm_store_count_acquisitions (store, NULL), ==, 2);
  g_assert_cmpuint (count_blob_files (store), ==, 1);
  g_assert_cmpint (count_rows (path, "blobs"), ==, 1);
}

static void
test_import_rollback (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(TmStore) store = tm_store_open (path, NULL);
  g_autoptr(GBytes) first = make_x3p (4);
  g_autoptr(GBytes) second = make_x3p (5);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (add (store, first, "first.x3p", "C1", "1", &error), >, 0);
  g_assert_no_error (error);

  /* Make the last statement of the transaction fail: everything before it (the case,
   * the exhibit, the blob row and the blob file) must disappear with it. */
  g_assert_true (tm_store_exec (store,
                                "CREATE TEMP TRIGGER fail_import BEFORE INSERT ON acquisitions"
                                " BEGIN SELECT RAISE (ABORT, 'injected failure'); END", &error));
  g_assert_cmpint (add (store, second, "second.x3p", "C2", "9", &error), ==, 0);
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "second.x3p"));
  g_clear_error (&error);

  g_assert_cmpint (tm_store_count_acquisitions (store, NULL), ==, 1);
  g_assert_cmpint (count_rows (path, "cases"), ==, 1);
  g_assert_cmpint (count_rows (path, "exhibits"), ==, 1);
  g_assert_cmpint (count_rows (path, "blobs"), ==, 1);
  g_assert_cmpuint (count_blob_files (store), ==, 1);

  /* A blob that already existed is left in place when a later import of it fails. */
  g_assert_cmpint (add (store, first, "first.x3p", "C1", "2", &error), ==, 0);
  g_clear_error (&error);
  g_assert_cmpuint (count_blob_files (store), ==, 1);
  {
    g_autofree char *sha = tm_blob_sha256_bytes (first);

    g_assert_true (tm_blob_store_verify (tm_store_get_blob_store (store), sha, &error));
    g_assert_no_error (error);
  }

  g_assert_true (tm_store_exec (store, "DROP TRIGGER temp.fail_import", &error));
  g_assert_cmpint (add (store, second, "second.x3p", "C2", "9", &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (count_blob_files (store), ==, 2);
}

static void
test_import_corrupt_file (void)
{
  g_autofree char *path = new_db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *file = g_build_filename (dir, "broken scan.x3p", NULL);
  g_autofree char *big = g_build_filename (dir, "empty.tif", NULL);
  g_autoptr(TmStore) store = tm_store_open (path, NULL);
  g_autoptr(TmImporter) importer = tm_importer_new (store, g_get_user_name ());
  g_autoptr(GBytes) bytes = make_x3p (6);
  g_autoptr(TmAcquisition) acq = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  /* Truncated: the zip's central directory is gone. */
  g_assert_true (g_file_set_contents (file, data, len / 2, NULL));
  acq = tm_importer_import_file (importer, file, &error);
  g_assert_null (acq);
  g_assert_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message, "broken scan.x3p: "));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (big, "", 0, NULL));
  acq = tm_importer_import_file (importer, big, &error);
  g_assert_null (acq);
  g_assert_nonnull (strstr (error->message, "empty.tif"));
  g_clear_error (&error);

  g_assert_cmpint (tm_store_count_acquisitions (store, NULL), ==, 0);
  g_assert_cmpuint (count_blob_files (store), ==, 0);
  g_assert_cmpint (count_rows (path, "cases"), ==, 0);

  /* The intact file imports, into the default case and an exhibit named after it. */
  g_assert_true (g_file_set_contents (file, data, len, NULL));
  acq = tm_importer_import_file (importer, file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tm_acquisition_get_case_number (acq), ==, "UNASSIGNED");
  g_assert_cmpstr (tm_acquisition_get_exhibit (acq), ==, "broken scan");
  g_assert_cmpstr (tm_acquisition_get_kind (acq), ==, "crime-scene");
}

static void
assert_sql_fails (TmStore    *store,
                  const char *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (tm_store_exec (store, sql, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
}

static void
test_constraints (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(TmStore) store = tm_store_open (path, NULL);
  g_autoptr(GBytes) bytes = make_x3p (7);
  g_autoptr(TmCaseData) data = tm_case_data_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *update = NULL;
  gint64 id;

  /* The C side refuses with words … */
  data->firing_pin_shape = g_strdup ("oval");
  g_assert_false (tm_case_data_normalize (data, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "oval"));
  g_assert_nonnull (strstr (error->message, "elliptical"));
  g_clear_error (&error);
  g_clear_pointer (&data->firing_pin_shape, g_free);
  data->incident_date = g_strdup ("last Tuesday");
  g_assert_false (tm_case_data_normalize (data, &error));
  g_clear_error (&error);
  g_clear_pointer (&data->incident_date, g_free);
  data->firing_pin_shape = g_strdup ("unknown");
  g_assert_true (tm_case_data_normalize (data, &error));
  g_assert_null (data->firing_pin_shape);

  /* … and the schema itself refuses what the C side might one day let through. */
  assert_sql_fails (store, "INSERT INTO users (login, role, created_at) VALUES ('x', 'janitor', 'now')");
  assert_sql_fails (store, "INSERT INTO blobs (sha256, size, stored_at) VALUES ('abc', 1, 'now')");
  id = add (store, bytes, "a.x3p", "C1", "1", &error);
  g_assert_no_error (error);
  update = g_strdup_printf ("UPDATE acquisitions SET breech_face_class = 'wavy' WHERE id = %" G_GINT64_FORMAT, id);
  assert_sql_fails (store, update);
  g_free (update);
  update = g_strdup_printf ("UPDATE acquisitions SET firing_pin_type = 'pin-fire' WHERE id = %" G_GINT64_FORMAT, id);
  assert_sql_fails (store, update);
  assert_sql_fails (store, "UPDATE exhibits SET kind = 'found'");
  assert_sql_fails (store, "UPDATE exhibits SET firearm_make = 'Glock'");  /* crime-scene */
  assert_sql_fails (store, "INSERT INTO acquisition_microstamps VALUES (1, 'ejector', 'X')");
  assert_sql_fails (store, "DELETE FROM blobs");  /* still referenced */
  g_free (update);
  update = g_strdup_printf ("UPDATE acquisitions SET sha256 = sha256 WHERE id = %" G_GINT64_FORMAT, id);
  assert_sql_fails (store, update);  /* custody fields are immutable */

  /* Firearm data on crime-scene evidence is refused with a message, not a CHECK. */
  g_clear_pointer (&data, tm_case_data_free);
  data = tm_case_data_new ();
  data->exhibit = g_strdup ("7");
  data->firearm_serial = g_strdup ("S1");
  {
    g_autoptr(TmSurface) surface = tm_surface_load_bytes (bytes, "a.x3p", 0, NULL);

    g_assert_cmpint (tm_store_add_acquisition (store, data, surface, bytes, "a.x3p",
                                               g_get_user_name (), &error), ==, 0);
    g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
    g_assert_nonnull (strstr (error->message, "test fire"));
    g_clear_error (&error);

    /* A supervisor reads but does not enter evidence; strangers do nothing. */
    g_assert_true (tm_store_add_user (store, "sup", "Sue Pervisor", "supervisor", &error));
    g_clear_pointer (&data->firearm_serial, g_free);
    g_assert_cmpint (tm_store_add_acquisition (store, data, surface, bytes, "a.x3p", "sup", &error), ==, 0);
    g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION);
    g_clear_error (&error);
    g_assert_cmpint (tm_store_add_acquisition (store, data, surface, bytes, "a.x3p", "nobody", &error), ==, 0);
    g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION);
    g_clear_error (&error);
    g_assert_false (tm_store_add_user (store, "sup", NULL, "technician", &error));
    g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  }
  g_assert_cmpint (tm_store_count_acquisitions (store, NULL), ==, 1);
}

static gboolean
problems_mention (GPtrArray  *problems,
                  const char *a,
                  const char *b)
{
  for (guint i = 0; i < problems->len; i++)
    {
      const char *line = g_ptr_array_index (problems, i);

      if (strstr (line, a) != NULL && (b == NULL || strstr (line, b) != NULL))
        return TRUE;
    }
  return FALSE;
}

static void
test_verify (void)
{
  g_autofree char *path = new_db_path ();
  g_autoptr(TmStore) store = tm_store_open (path, NULL);
  g_autoptr(GBytes) one = make_x3p (8);
  g_autoptr(GBytes) two = make_x3p (9);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha_one = tm_blob_sha256_bytes (one);
  g_autofree char *sha_two = tm_blob_sha256_bytes (two);
  g_autofree char *blob_one = tm_blob_store_get_path (tm_store_get_blob_store (store), sha_one);
  g_autofree char *blob_two = tm_blob_store_get_path (tm_store_get_blob_store (store), sha_two);
  g_autofree char *stray = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_cmpint (add (store, one, "one.x3p", NULL, NULL, &error), >, 0);
  g_assert_cmpint (add (store, two, "two.x3p", NULL, NULL, &error), >, 0);
  g_assert_no_error (error);

  g_assert_true (tm_store_verify (store, &problems, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_clear_pointer (&problems, g_ptr_array_unref);

  /* One bit flipped in the middle of a blob: named, with the acquisition it holds. */
  g_assert_true (g_file_get_contents (blob_one, &contents, &len, NULL));
  contents[len / 2] ^= 0x01;
  g_assert_true (g_file_set_contents (blob_one, contents, len, NULL));
  g_assert_true (tm_store_verify (store, &problems, &error));
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (problems_mention (problems, sha_one, "one.x3p"));
  g_clear_pointer (&problems, g_ptr_array_unref);

  /* Reading that original for export is refused as well. */
  g_assert_null (tm_store_read_original (store, 1, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB);
  g_clear_error (&error);

  /* A missing blob and an unrecorded file are problems too. */
  g_assert_cmpint (g_unlink (blob_two), ==, 0);
  stray = g_build_filename (tm_blob_store_get_root (tm_store_get_blob_store (store)), "notes.txt", NULL);
  g_assert_true (g_file_set_contents (stray, "x", 1, NULL));
  g_assert_true (tm_store_verify (store, &problems, &error));
  g_assert_cmpuint (problems->len, ==, 3);
  g_assert_true (problems_mention (problems, sha_two, "two.x3p"));
  g_assert_true (problems_mention (problems, "notes.txt", NULL));
}

static void
test_blob_store (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("test-blob-XXXXXX");
  g_autofree char *root = g_build_filename (dir, "blobs", NULL);
  g_autoptr(TmBlobStore) blobs = tm_blob_store_new (root, NULL);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("abc", 3);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = tm_blob_sha256_bytes (bytes);
  gboolean created = FALSE;

  /* The FIPS 180-2 test vector. */
  g_assert_cmpstr (sha, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_true (tm_blob_store_put (blobs, sha, bytes, &created, &error));
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_true (tm_blob_store_put (blobs, sha, bytes, &created, &error));
  g_assert_false (created);
  back = tm_blob_store_get (blobs, sha, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, bytes));
  /* Content that does not match its name is never stored. */
  g_assert_false (tm_blob_store_put (blobs, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae",
                                     bytes, &created, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB);
  g_assert_false (created);
}

static TmManifest *
parse_csv_text (const char  *text,
                const char  *base_dir,
                GError     **error)
{
  return tm_manifest_parse (text, strlen (text), "m.csv", base_dir, error);
}

static void
test_manifest_parse (void)
{
  static const char csv[] =
    "\xef\xbb\xbf" "File,Case Number,Exhibit,Kind,Calibre,firing-pin shape,Breech_Face_Class,Make,Serial,Firearm,Notes\r\n"
    "scans/a.x3p,2024-1,1,crime-scene,9mm Luger,elliptical,arched,,,g1,\"said \"\"hi\"\", then left\"\r\n"
    "\r\n"
    "b.tif,2024-2,T1,test-fire,.40 S&W,rectangular,,Glock,\"X,1\",g2,\"two\nlines\"\r\n";
  g_autoptr(TmManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;
  const TmCaseData *row;
  const char * const *ignored;

  manifest = tm_manifest_parse (csv, strlen (csv), "intake.csv", "/data", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tm_manifest_get_n_rows (manifest), ==, 2);
  g_assert_cmpstr (tm_manifest_get_path (manifest, 0), ==, "/data/scans/a.x3p");

  row = tm_manifest_lookup (manifest, "/data/scans/a.x3p");
  g_assert_nonnull (row);
  g_assert_cmpstr (row->case_number, ==, "2024-1");
  g_assert_cmpstr (row->firing_pin_shape, ==, "elliptical");
  g_assert_null (row->firearm_make);
  /* Found by base name where the folders differ. */
  row = tm_manifest_lookup (manifest, "/elsewhere/b.tif");
  g_assert_nonnull (row);
  g_assert_cmpstr (row->kind, ==, "test-fire");
  g_assert_cmpstr (row->firearm_serial, ==, "X,1");
  g_assert_cmpstr (row->calibre, ==, ".40 S&W");
  g_assert_null (tm_manifest_lookup (manifest, "/data/c.x3p"));

  ignored = tm_manifest_get_ignored_columns (manifest);
  g_assert_cmpuint (g_strv_length ((char **)ignored), ==, 2);
  g_assert_cmpstr (ignored[0], ==, "Firearm");

  /* Structure errors name the line. */
  g_clear_object (&manifest);
  manifest = parse_csv_text ("file,case\na.x3p,1\nb.x3p,2,extra\n", "/", &error);
  g_assert_null (manifest);
  g_assert_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "m.csv: line 3"));
  g_clear_error (&error);
  manifest = parse_csv_text ("case,exhibit\n1,2\n", "/", &error);
  g_assert_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE);
  g_clear_error (&error);
  manifest = parse_csv_text ("file\n\"a.x3p\n", "/", &error);
  g_assert_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE);
  g_clear_error (&error);
  manifest = parse_csv_text ("file\na.x3p\n./a.x3p\n", "/d", &error);
  g_assert_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_DUPLICATE);
}

static void
test_manifest_truth (void)
{
  const char *scans = tm_test_shared_scans ();
  g_autofree char *truth = NULL;
  g_autoptr(TmManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;

  if (scans == NULL)
    {
      g_test_skip ("../shared/scans is absent: no truth.csv to read");
      return;
    }
  truth = g_build_filename (scans, "truth.csv", NULL);
  manifest = tm_manifest_load (truth, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tm_manifest_get_n_rows (manifest), ==, 63);
  for (guint i = 0; i < 63; i++)
    g_assert_true (g_file_test (tm_manifest_get_path (manifest, i), G_FILE_TEST_IS_REGULAR));
  g_assert_nonnull (tm_manifest_get_data (manifest, 0)->instrument);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/schema/create", test_schema_create);
  g_test_add_func ("/store/schema/reopen", test_schema_reopen);
  g_test_add_func ("/store/schema/newer", test_schema_newer);
  g_test_add_func ("/store/schema/not-a-database", test_schema_not_a_database);
  g_test_add_func ("/store/blob/put-get", test_blob_store);
  g_test_add_func ("/store/import/basic", test_import_basic);
  g_test_add_func ("/store/import/duplicate", test_import_duplicate);
  g_test_add_func ("/store/import/rollback", test_import_rollback);
  g_test_add_func ("/store/import/corrupt-file", test_import_corrupt_file);
  g_test_add_func ("/store/constraints", test_constraints);
  g_test_add_func ("/store/verify", test_verify);
  g_test_add_func ("/store/manifest/parse", test_manifest_parse);
  g_test_add_func ("/store/manifest/truth", test_manifest_truth);

  return g_test_run ();
}
