/* test-cli.c — toolmark-cli end to end: init, import, list, show, export, verify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tm-blob-store.h"
#include "tm-surface.h"
#include "tm-tiff.h"
#include "tm-x3p.h"
#include "tm-test-support.h"

typedef struct
{
  char *dir;
  char *db;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = tm_test_make_tmpdir ("test-cli-XXXXXX");
  f->db = g_build_filename (f->dir, "toolmark.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_free (f->dir);
  g_free (f->db);
}

/* Runs toolmark-cli --db DB ARGS…; returns the exit status. */
static int
run (Fixture     *f,
     char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out_local = NULL;
  g_autofree char *err_local = NULL;
  const char *arg;
  va_list ap;
  int status;

  g_ptr_array_add (args, (gpointer)"--db");
  g_ptr_array_add (args, f->db);
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  status = tm_test_run_cli ((const char * const *)args->pdata, &out_local, &err_local);
  g_test_message ("toolmark-cli %s → %d%s%s", (const char *)g_ptr_array_index (args, 2), status,
                  err_local && *err_local ? "; stderr: " : "", err_local ? err_local : "");
  if (out != NULL)
    *out = g_steal_pointer (&out_local);
  if (err != NULL)
    *err = g_steal_pointer (&err_local);
  return status;
}

static TmSurface *
make_surface (guint      seed,
              TmModality modality)
{
  TmSurface *surface = tm_surface_new (80, 60, 3.5, 3.5, modality);
  float *data = tm_surface_get_data (surface);

  for (guint y = 0; y < 60; y++)
    for (guint x = 0; x < 80; x++)
      {
        double v = sin (0.21 * x + seed) * cos (0.17 * y - seed) + 0.001 * x;

        if (modality == TM_MODALITY_2D)
          v = 128 + 100 * v;
        data[y * 80 + x] = (x * 7 + y * 3 + seed) % 23 == 0 ? NAN : (float)v;
      }
  tm_surface_sync_mask (surface);
  return surface;
}

static char *
write_x3p (Fixture    *f,
           const char *name,
           guint       seed)
{
  g_autoptr(TmSurface) surface = make_surface (seed, TM_MODALITY_3D);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (tm_x3p_write_file (surface, path, &error));
  g_assert_no_error (error);
  return path;
}

static char *
write_tiff (Fixture    *f,
            const char *name,
            guint       seed)
{
  g_autoptr(TmSurface) surface = make_surface (seed, TM_MODALITY_3D);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (tm_tiff_write_file (surface, path, &error));
  g_assert_no_error (error);
  return path;
}

static JsonArray *
list_json (Fixture *f)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run (f, &out, NULL, "list", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static JsonObject *
find_by_file (JsonArray  *array,
              const char *file)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (o, "file"), file) == 0)
        return o;
    }
  return NULL;
}

static char *
blob_path_of (Fixture    *f,
              const char *sha256)
{
  return g_strdup_printf ("%s.blobs/%.2s/%s", f->db, sha256, sha256 + 2);
}

static void
test_end_to_end (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *a = write_x3p (f, "case A item 1.x3p", 1);
  g_autofree char *b = write_tiff (f, "b.tif", 2);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *x3p_out = g_build_filename (f->dir, "export.x3p", NULL);
  g_autofree char *tiff_out = g_build_filename (f->dir, "export.tif", NULL);
  g_autofree char *orig_out = g_build_filename (f->dir, "export.orig", NULL);
  g_autofree char *blob = NULL;
  g_autofree char *id_a = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(TmSurface) original = NULL;
  g_autoptr(TmSurface) exported = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *bytes_a = NULL;
  g_autofree char *bytes_out = NULL;
  gsize len_a, len_out;
  JsonObject *o;

  g_assert_cmpint (run (f, &out, NULL, "init", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "schema version"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run (f, &out, NULL, "import", "--case", "2024-0042", "--calibre", "9mm Luger",
                        "--kind", "test-fire", a, b, NULL), ==, 0);
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  /* Each line names the file as it was given. */
  g_assert_cmpstr (strchr (lines[0], '\t') + 1, ==, a);
  g_assert_cmpstr (strchr (lines[1], '\t') + 1, ==, b);
  id_a = g_strndup (lines[0], strchr (lines[0], '\t') - lines[0]);

  list = list_json (f);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  o = find_by_file (list, "case A item 1.x3p");
  g_assert_nonnull (o);
  g_assert_cmpint (json_object_get_int_member (o, "id"), ==, g_ascii_strtoll (id_a, NULL, 10));
  g_assert_cmpint (json_object_get_int_member (o, "width"), ==, 80);
  g_assert_cmpint (json_object_get_int_member (o, "height"), ==, 60);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "pixel_um"), 3.5, 1e-6);
  g_assert_cmpstr (json_object_get_string_member (o, "modality"), ==, "3d");
  g_assert_cmpstr (json_object_get_string_member (o, "case"), ==, "2024-0042");
  g_assert_cmpstr (json_object_get_string_member (o, "exhibit"), ==, "case A item 1");
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "test-fire");
  g_assert_cmpstr (json_object_get_string_member (o, "calibre"), ==, "9mm Luger");
  g_assert_true (tm_blob_sha256_is_valid (json_object_get_string_member (o, "sha256")));
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (o, "uuid")));
  g_assert_cmpfloat (json_object_get_double_member (o, "valid_fraction"), >, 0.9);
  g_assert_cmpfloat (json_object_get_double_member (o, "valid_fraction"), <, 1.0);
  g_assert_cmpstr (json_object_get_string_member (o, "imported_by"), ==, g_get_user_name ());
  g_assert_true (json_object_has_member (o, "imported_at"));
  g_assert_true (json_object_has_member (o, "instrument"));
  blob = blob_path_of (f, json_object_get_string_member (o, "sha256"));
  g_assert_nonnull (find_by_file (list, "b.tif"));

  /* Plain text: a table with a heading, and key: value lines. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "list", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "ID "));
  g_assert_nonnull (strstr (out, "80×60"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "show", id_a, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "file: case A item 1.x3p\n"));
  g_assert_nonnull (strstr (out, "case: 2024-0042\n"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "show", "--json", id_a, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"calibre\" : \"9mm Luger\""));

  /* Export: X3P and TIFF carry the same surface; --original the same bytes. */
  g_assert_cmpint (run (f, NULL, NULL, "export", id_a, "--x3p", x3p_out, "--tiff", tiff_out,
                        "--original", orig_out, NULL), ==, 0);
  original = tm_x3p_read_file (a, &error);
  g_assert_no_error (error);
  exported = tm_x3p_read_file (x3p_out, &error);
  g_assert_no_error (error);
  g_assert_true (tm_surface_equal (original, exported));
  g_clear_object (&exported);
  exported = tm_tiff_read_file (tiff_out, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tm_surface_get_width (exported), ==, 80);
  g_assert_cmpuint (tm_surface_count_valid (exported), ==, tm_surface_count_valid (original));
  g_assert_cmpfloat_with_epsilon (tm_surface_get_pixel_um_x (exported), 3.5, 1e-3);
  g_assert_true (g_file_get_contents (a, &bytes_a, &len_a, NULL));
  g_assert_true (g_file_get_contents (orig_out, &bytes_out, &len_out, NULL));
  g_assert_cmpmem (bytes_a, len_a, bytes_out, len_out);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, NULL, "verify", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "OK"));

  /* One byte changed in a stored original: verify fails and names it; export refuses. */
  bytes_a[len_a / 3] ^= 0x20;
  g_assert_true (g_file_set_contents (blob, bytes_a, len_a, NULL));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "verify", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "toolmark-cli: blob "));
  g_assert_nonnull (strstr (err, blob + strlen (f->db) + strlen (".blobs/") + 3));
  g_assert_nonnull (strstr (err, "case A item 1.x3p"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "export", id_a, "--x3p", x3p_out, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "altered"));
}

static void
test_corrupt_input (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *good = write_x3p (f, "good.x3p", 3);
  g_autofree char *bad = g_build_filename (f->dir, "bad.x3p", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonArray) list = NULL;
  gsize len;

  g_assert_cmpint (run (f, NULL, NULL, "import", good, NULL), ==, 0);

  /* Damaged in the middle (the zip's data and CRC no longer agree). */
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
  for (gsize i = len / 3; i < len / 3 + 64; i++)
    contents[i] = (char)~contents[i];
  g_assert_true (g_file_set_contents (bad, contents, len, NULL));

  g_assert_cmpint (run (f, &out, &err, "import", bad, NULL), !=, 0);
  g_assert_true (g_str_has_prefix (err, "toolmark-cli: bad.x3p: "));
  g_assert_cmpstr (out, ==, "");

  /* A good file beside a bad one is imported; the status still reports the failure. */
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, &out, &err, "import", "--case", "C9", bad, good, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "bad.x3p"));
  g_assert_nonnull (strstr (out, "good.x3p"));

  list = list_json (f);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);

  /* The same file into the same exhibit again is refused with a reason. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "import", good, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "already imported"));
  g_clear_pointer (&list, json_array_unref);
  list = list_json (f);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "show", "999", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "no acquisition 999"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "import", "--kind", "suspicious", good, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "suspicious"));
}

static void
test_manifest_json (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *a = write_x3p (f, "a.x3p", 4);
  g_autofree char *b = write_x3p (f, "b.x3p", 5);
  g_autofree char *csv = g_build_filename (f->dir, "intake.csv", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) list = NULL;
  JsonArray *imported;
  JsonObject *o;

  g_assert_true (g_file_set_contents (csv,
    "file,case,exhibit,kind,calibre,firing_pin_shape,breech_face_class,firearm_make,firearm_serial,firearm,md5\n"
    "a.x3p,2024-7,E1,crime-scene,9mm Luger,elliptical,arched,,,f1,0\n"
    "b.x3p,2024-7,T1,test-fire,9mm Luger,elliptical,arched,Ruger,P95-1234,f1,0\n", -1, NULL));

  /* No FILE: every file the manifest lists. */
  g_assert_cmpint (run (f, &out, NULL, "import", "--manifest", csv, "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  imported = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (imported), ==, 2);

  list = list_json (f);
  o = find_by_file (list, "b.x3p");
  g_assert_cmpstr (json_object_get_string_member (o, "case"), ==, "2024-7");
  g_assert_cmpstr (json_object_get_string_member (o, "exhibit"), ==, "T1");
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "test-fire");
  g_assert_cmpstr (json_object_get_string_member (o, "firearm_make"), ==, "Ruger");
  g_assert_cmpstr (json_object_get_string_member (o, "firing_pin_shape"), ==, "elliptical");
  o = find_by_file (list, "a.x3p");
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "crime-scene");
  g_assert_cmpstr (json_object_get_string_member (o, "breech_face_class"), ==, "arched");
  g_assert_true (json_object_get_null_member (o, "firearm_make"));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static void
collect_x3p (const char *dir,
             GPtrArray  *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_x3p (path, out);
      else if (g_str_has_suffix (name, ".x3p"))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

static void
test_shared_scans (Fixture       *f,
                   gconstpointer  data)
{
  const char *scans = tm_test_shared_scans ();
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(JsonArray) list = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 start;
  double seconds;
  int status;

  if (scans == NULL)
    {
      g_test_skip ("../shared/scans is absent: the 63 real scans cannot be imported");
      return;
    }
  collect_x3p (scans, files);
  g_ptr_array_sort (files, compare_strings);
  g_assert_cmpuint (files->len, ==, 63);

  g_ptr_array_add (args, (gpointer)"--db");
  g_ptr_array_add (args, f->db);
  g_ptr_array_add (args, (gpointer)"import");
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (args, g_ptr_array_index (files, i));
  g_ptr_array_add (args, NULL);

  start = g_get_monotonic_time ();
  status = tm_test_run_cli ((const char * const *)args->pdata, &out, &err);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("imported %u real scans in %.2f s: %.3f s per scan", files->len, seconds,
                  seconds / files->len);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);

  list = list_json (f);
  g_assert_cmpuint (json_array_get_length (list), ==, 63);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);
      const char *file = json_object_get_string_member (o, "file");
      double pixel = json_object_get_double_member (o, "pixel_um");
      gint64 width = json_object_get_int_member (o, "width");
      gint64 height = json_object_get_int_member (o, "height");
      double valid = json_object_get_double_member (o, "valid_fraction");

      if (g_str_has_prefix (file, "Fadul") || g_str_has_prefix (file, "TW"))
        {
          /* Processed at 6.25 µm, about 545 px square, NaN outside the breech face. */
          g_assert_cmpfloat_with_epsilon (pixel, 6.25, 1e-6);
          g_assert_cmpint (width, >, 400);
          g_assert_cmpint (width, <, 700);
          g_assert_cmpint (height, >, 400);
          g_assert_cmpint (height, <, 700);
          g_assert_cmpfloat (valid, >, 0.1);
          g_assert_cmpfloat (valid, <, 0.6);
        }
      else
        {
          /* TopMatch, micrometre units detected: 7.37 µm, not 7.37 m. */
          g_assert_cmpfloat_with_epsilon (pixel, 7.37, 0.01);
          g_assert_cmpfloat (valid, >, 0.1);
        }
      g_assert_cmpstr (json_object_get_string_member (o, "modality"), ==, "3d");
    }

  g_clear_pointer (&out, g_free);
  start = g_get_monotonic_time ();
  g_assert_cmpint (run (f, &out, NULL, "verify", NULL), ==, 0);
  g_test_message ("verify of 63 real scans: %.2f s", (g_get_monotonic_time () - start) / 1e6);
}

static void
test_usage_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *err = NULL;

  /* Reading commands do not create a database where none is. */
  g_assert_cmpint (run (f, NULL, &err, "list", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "no database"));
  g_assert_false (g_file_test (f->db, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "import", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "no file given"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (f, NULL, &err, "export", "1", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "--x3p"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/end-to-end", Fixture, NULL, fixture_setup, test_end_to_end, fixture_teardown);
  g_test_add ("/cli/import/corrupt", Fixture, NULL, fixture_setup, test_corrupt_input, fixture_teardown);
  g_test_add ("/cli/import/manifest-json", Fixture, NULL, fixture_setup, test_manifest_json, fixture_teardown);
  g_test_add ("/cli/import/shared-scans", Fixture, NULL, fixture_setup, test_shared_scans, fixture_teardown);
  g_test_add ("/cli/usage-errors", Fixture, NULL, fixture_setup, test_usage_errors, fixture_teardown);

  return g_test_run ();
}
