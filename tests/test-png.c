/* test-png.c — the PNG decoder/encoder and 2D PNG import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fixtures are made here with libpng itself, so every colour type and bit depth can be
 * written exactly as another program would write it.
 */
#include "config.h"

#include <math.h>
#include <png.h>
#include <string.h>

#include "tm-format.h"
#include "tm-png.h"

static void
test_rgba_round_trip (void)
{
  const guint w = 37, h = 23;
  g_autofree guint8 *rgba = g_new (guint8, w * h * 4);
  g_autofree guint8 *back = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  guint bw = 0, bh = 0;
  const guint8 *data;
  gsize len;

  for (guint i = 0; i < w * h * 4; i++)
    rgba[i] = (guint8)(i * 7 + i / 13);

  png = tm_png_encode_rgba (rgba, w, h, &error);
  g_assert_no_error (error);
  g_assert_nonnull (png);
  data = g_bytes_get_data (png, &len);
  g_assert_cmpint (png_sig_cmp (data, 0, 8), ==, 0);

  back = tm_png_decode_rgba (data, len, "mask.png", &bw, &bh, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw, ==, w);
  g_assert_cmpuint (bh, ==, h);
  g_assert_cmpmem (back, w * h * 4, rgba, w * h * 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/png/rgba/round-trip", test_rgba_round_trip);

  return g_test_run ();
}
