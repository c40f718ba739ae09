/* test-surface.c — TmSurface invariants and format sniffing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-format.h"
#include "tm-surface.h"

static void
test_new_is_invalid (void)
{
  g_autoptr(TmSurface) s = tm_surface_new (7, 5, 6.25, 6.5, TM_MODALITY_3D);

  g_assert_nonnull (s);
  g_assert_cmpuint (tm_surface_get_width (s), ==, 7);
  g_assert_cmpuint (tm_surface_get_height (s), ==, 5);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 6.25);
  g_assert_cmpfloat (tm_surface_get_pixel_um_y (s), ==, 6.5);
  g_assert_cmpuint (tm_surface_count_valid (s), ==, 0);
  g_assert_true (isnan (tm_surface_peek_data (s)[34]));
  g_assert_false (tm_surface_get_range (s, NULL, NULL));
}

static void
test_refuses_absurd_size (void)
{
  g_assert_null (tm_surface_new (TM_SURFACE_MAX_SIDE + 1, 10, 1, 1, TM_MODALITY_3D));
  g_assert_null (tm_surface_new (10, 100000, 1, 1, TM_MODALITY_3D));
}

static void
test_sync_and_apply_mask (void)
{
  g_autoptr(TmSurface) s = tm_surface_new (4, 4, 1, 1, TM_MODALITY_2D);
  float *d = tm_surface_get_data (s);
  guint8 keep[16];
  float lo, hi;

  for (guint i = 0; i < 16; i++)
    {
      d[i] = (float)i;
      keep[i] = i % 2;
    }
  d[3] = INFINITY;
  tm_surface_sync_mask (s);
  g_assert_cmpuint (tm_surface_count_valid (s), ==, 15);
  g_assert_true (isnan (tm_surface_peek_data (s)[3]));
  g_assert_cmpuint (tm_surface_peek_mask (s)[3], ==, 0);

  tm_surface_apply_mask (s, keep);
  /* odd indices kept, minus index 3 */
  g_assert_cmpuint (tm_surface_count_valid (s), ==, 7);
  g_assert_cmpfloat_with_epsilon (tm_surface_valid_fraction (s), 7.0 / 16.0, 1e-12);
  g_assert_true (tm_surface_get_range (s, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 1.0f);
  g_assert_cmpfloat (hi, ==, 15.0f);
}

static void
test_copy_and_equal (void)
{
  g_autoptr(TmSurface) a = tm_surface_new (3, 2, 2.0, 2.0, TM_MODALITY_3D);
  g_autoptr(TmSurface) b = NULL;
  float *d = tm_surface_get_data (a);

  for (guint i = 0; i < 6; i++)
    d[i] = i == 4 ? NAN : 0.5f * i;
  tm_surface_sync_mask (a);
  tm_surface_set_meta (a, TM_META_CREATOR, "tester");

  b = tm_surface_copy (a);
  g_assert_true (tm_surface_equal (a, b));
  g_assert_cmpstr (tm_surface_get_meta (b, TM_META_CREATOR), ==, "tester");

  tm_surface_get_data (b)[0] = 1e-7f;
  g_assert_false (tm_surface_equal (a, b));
  tm_surface_get_data (b)[0] = 0.0f;
  g_assert_true (tm_surface_equal (a, b));
  tm_surface_set_pixel_um (b, 2.0, 2.5);
  g_assert_false (tm_surface_equal (a, b));

  tm_surface_set_meta (b, TM_META_CREATOR, NULL);
  g_assert_null (tm_surface_get_meta (b, TM_META_CREATOR));
}

static void
test_sniff (void)
{
  static const guint8 zip[] = { 'P', 'K', 3, 4, 0 };
  static const guint8 tiff_le[] = { 'I', 'I', 42, 0 };
  static const guint8 tiff_be[] = { 'M', 'M', 0, 42 };
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 text[] = "hello world";

  g_assert_cmpint (tm_file_format_sniff (zip, sizeof zip), ==, TM_FILE_FORMAT_X3P);
  g_assert_cmpint (tm_file_format_sniff (tiff_le, sizeof tiff_le), ==, TM_FILE_FORMAT_TIFF);
  g_assert_cmpint (tm_file_format_sniff (tiff_be, sizeof tiff_be), ==, TM_FILE_FORMAT_TIFF);
  g_assert_cmpint (tm_file_format_sniff (png, sizeof png), ==, TM_FILE_FORMAT_PNG);
  g_assert_cmpint (tm_file_format_sniff (text, sizeof text), ==, TM_FILE_FORMAT_UNKNOWN);
  g_assert_cmpint (tm_file_format_sniff (png, 3), ==, TM_FILE_FORMAT_UNKNOWN);
}

static void
test_load_unknown_and_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) text = g_bytes_new_static ("not a scan", 10);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(TmSurface) s = NULL;

  s = tm_surface_load_bytes (text, "notes.txt", 0, &error);
  g_assert_null (s);
  g_assert_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNKNOWN_FORMAT);
  g_assert_nonnull (strstr (error->message, "notes.txt"));
  g_clear_error (&error);

  s = tm_surface_load_bytes (empty, "empty.x3p", 0, &error);
  g_assert_null (s);
  g_assert_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "empty.x3p"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/surface/new-is-invalid", test_new_is_invalid);
  g_test_add_func ("/surface/refuses-absurd-size", test_refuses_absurd_size);
  g_test_add_func ("/surface/sync-and-apply-mask", test_sync_and_apply_mask);
  g_test_add_func ("/surface/copy-and-equal", test_copy_and_equal);
  g_test_add_func ("/format/sniff", test_sniff);
  g_test_add_func ("/format/load-unknown-and-empty", test_load_unknown_and_empty);
  return g_test_run ();
}
