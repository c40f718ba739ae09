/* test-relief.c — shaded relief, false colour and grey rendering of surfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "tm-relief.h"
#include "tm-surface.h"

/* z = a·x_um + b·y_um (+ c for the NaN tests), pixel size 2 µm. */
static TmSurface *
make_plane (guint w, guint h, double a, double b, TmModality modality)
{
  TmSurface *s = tm_surface_new (w, h, 2.0, 2.0, modality);
  float *d = tm_surface_get_data (s);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      d[(gsize) y * w + x] = (float) (a * x * 2.0 + b * y * 2.0);
  tm_surface_sync_mask (s);
  return s;
}

static const guint8 *
pixel (GBytes *bytes, guint width, guint x, guint y)
{
  return (const guint8 *) g_bytes_get_data (bytes, NULL) + 4 * ((gsize) y * width + x);
}

static void
test_params_init (void)
{
  TmReliefParams p;

  tm_relief_params_init (&p);
  g_assert_cmpint (p.mode, ==, TM_RELIEF_SHADED);
  g_assert_cmpfloat (p.azimuth_deg, ==, 315.0);
  g_assert_cmpfloat (p.elevation_deg, ==, 35.0);
  g_assert_cmpfloat (p.low, ==, 0.01);
  g_assert_cmpfloat (p.high, ==, 0.99);
  g_assert_false (p.exaggerate);
}

static void
test_flat_shading (void)
{
  g_autoptr(TmSurface) s = make_plane (40, 30, 0.0, 0.0, TM_MODALITY_3D);
  TmReliefParams p;
  g_autoptr(GBytes) rgba = NULL;
  guint w = 0, h = 0;
  double expected;

  tm_relief_params_init (&p);
  p.elevation_deg = 30.0;
  rgba = tm_relief_render (s, &p, 0, &w, &h, NULL);
  g_assert_nonnull (rgba);
  g_assert_cmpuint (w, ==, 40);
  g_assert_cmpuint (h, ==, 30);
  g_assert_cmpuint (g_bytes_get_size (rgba), ==, 40 * 30 * 4);

  /* Flat surface: n·L = sin(elevation) everywhere, and the image is uniform. */
  expected = 255.0 * (0.12 + 0.88 * sin (30.0 * G_PI / 180.0));
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        const guint8 *px = pixel (rgba, w, x, y);
        g_assert_cmpfloat (fabs (px[0] - expected), <=, 1.0);
        g_assert_cmpuint (px[0], ==, px[1]);
        g_assert_cmpuint (px[1], ==, px[2]);
        g_assert_cmpuint (px[3], ==, 255);
      }
}

/* A plane rising towards the bottom of the image faces the top ("north"): a light from
 * the top (0°) shows it brighter than one from the bottom (180°); a light from the
 * right (90°) grazes it, in between. */
static void
test_light_direction (void)
{
  g_autoptr(TmSurface) s = make_plane (20, 20, 0.0, 0.5, TM_MODALITY_3D);
  g_autoptr(TmSurface) flat = make_plane (20, 20, 0.0, 0.0, TM_MODALITY_3D);
  TmReliefParams p;
  guint w, h;
  guint8 north, south, east, level;

  tm_relief_params_init (&p);
  p.azimuth_deg = 0.0;
  {
    g_autoptr(GBytes) b = tm_relief_render (s, &p, 0, &w, &h, NULL);
    north = pixel (b, w, 10, 10)[0];
  }
  p.azimuth_deg = 180.0;
  {
    g_autoptr(GBytes) b = tm_relief_render (s, &p, 0, &w, &h, NULL);
    south = pixel (b, w, 10, 10)[0];
  }
  p.azimuth_deg = 90.0;
  {
    g_autoptr(GBytes) b = tm_relief_render (s, &p, 0, &w, &h, NULL);
    east = pixel (b, w, 10, 10)[0];
  }
  {
    g_autoptr(GBytes) b = tm_relief_render (flat, &p, 0, &w, &h, NULL);
    level = pixel (b, w, 10, 10)[0];
  }
  g_assert_cmpuint (north, >, south + 40);
  /* Not tilted towards an east light: only the normal leaning away from it darkens it. */
  g_assert_cmpuint (east, <, level);
  g_assert_cmpuint (east, >, south);
  g_assert_cmpuint (east, <, north);
}

/* Exaggeration makes a gentle slope visible: the contrast between lit and unlit grows. */
static void
test_exaggerate (void)
{
  g_autoptr(TmSurface) s = tm_surface_new (64, 64, 3.0, 3.0, TM_MODALITY_3D);
  float *d = tm_surface_get_data (s);
  TmReliefParams p;
  guint w, h;
  int contrast_true, contrast_exaggerated;

  /* Ripples of 0.05 µm amplitude over 30 µm: nearly flat at true scale. */
  for (guint y = 0; y < 64; y++)
    for (guint x = 0; x < 64; x++)
      d[y * 64 + x] = (float) (0.05 * sin (x * 3.0 * 2.0 * G_PI / 30.0));
  tm_surface_sync_mask (s);

  tm_relief_params_init (&p);
  p.azimuth_deg = 90.0;
  {
    g_autoptr(GBytes) b = tm_relief_render (s, &p, 0, &w, &h, NULL);
    int lo = 255, hi = 0;
    for (guint x = 0; x < 64; x++)
      {
        lo = MIN (lo, pixel (b, w, x, 32)[0]);
        hi = MAX (hi, pixel (b, w, x, 32)[0]);
      }
    contrast_true = hi - lo;
  }
  p.exaggerate = TRUE;
  {
    g_autoptr(GBytes) b = tm_relief_render (s, &p, 0, &w, &h, NULL);
    int lo = 255, hi = 0;
    for (guint x = 0; x < 64; x++)
      {
        lo = MIN (lo, pixel (b, w, x, 32)[0]);
        hi = MAX (hi, pixel (b, w, x, 32)[0]);
      }
    contrast_exaggerated = hi - lo;
  }
  g_assert_cmpint (contrast_true, <, 30);
  g_assert_cmpint (contrast_exaggerated, >, 100);
}

static void
test_nan_transparent (void)
{
  g_autoptr(TmSurface) s = make_plane (16, 16, 0.1, 0.0, TM_MODALITY_3D);
  float *d = tm_surface_get_data (s);
  TmReliefMode modes[] = { TM_RELIEF_SHADED, TM_RELIEF_FALSE_COLOUR, TM_RELIEF_GREY };

  for (guint y = 4; y < 8; y++)
    for (guint x = 4; x < 8; x++)
      d[y * 16 + x] = NAN;
  tm_surface_sync_mask (s);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      TmReliefParams p;
      guint w, h;
      g_autoptr(GBytes) b = NULL;

      tm_relief_params_init (&p);
      p.mode = modes[m];
      b = tm_relief_render (s, &p, 0, &w, &h, NULL);
      for (guint y = 0; y < 16; y++)
        for (guint x = 0; x < 16; x++)
          {
            gboolean hole = x >= 4 && x < 8 && y >= 4 && y < 8;
            g_assert_cmpuint (pixel (b, w, x, y)[3], ==, hole ? 0 : 255);
          }
      /* Shading beside the hole uses one-sided differences: same slope, same shade. */
      if (modes[m] == TM_RELIEF_SHADED)
        g_assert_cmpint (ABS (pixel (b, w, 3, 5)[0] - pixel (b, w, 12, 12)[0]), <=, 1);
    }
}

static void
test_grey_levels (void)
{
  /* Ramp 0..199 along x; levels at the 1 % and 99 % quantiles. */
  g_autoptr(TmSurface) s = tm_surface_new (200, 4, 1.0, 1.0, TM_MODALITY_3D);
  float *d = tm_surface_get_data (s);
  TmReliefParams p;
  guint w, h;
  g_autoptr(GBytes) b = NULL;

  for (guint y = 0; y < 4; y++)
    for (guint x = 0; x < 200; x++)
      d[y * 200 + x] = (float) x;
  tm_surface_sync_mask (s);

  tm_relief_params_init (&p);
  p.mode = TM_RELIEF_GREY;
  b = tm_relief_render (s, &p, 0, &w, &h, NULL);
  g_assert_cmpuint (pixel (b, w, 0, 0)[0], ==, 0);
  g_assert_cmpuint (pixel (b, w, 1, 0)[0], ==, 0);
  g_assert_cmpuint (pixel (b, w, 2, 0)[0], >, 0);
  g_assert_cmpuint (pixel (b, w, 199, 0)[0], ==, 255);
  g_assert_cmpuint (pixel (b, w, 198, 0)[0], ==, 255);
  /* Levels 1 and 198: the 1 % and 99 % quantiles of 800 samples, 4 of each value. */
  g_assert_cmpint (ABS ((int) pixel (b, w, 100, 0)[0] - 128), <=, 1);
  for (guint x = 1; x < 200; x++)
    g_assert_cmpuint (pixel (b, w, x, 2)[0], >=, pixel (b, w, x - 1, 2)[0]);
}

/* 2D images are never shaded: SHADED falls back to grey levels. */
static void
test_2d_grey (void)
{
  g_autoptr(TmSurface) s = make_plane (50, 10, 1.0, 0.0, TM_MODALITY_2D);
  TmReliefParams p;
  guint w, h;
  g_autoptr(GBytes) shaded = NULL;
  g_autoptr(GBytes) grey = NULL;

  tm_relief_params_init (&p);
  shaded = tm_relief_render (s, &p, 0, &w, &h, NULL);
  p.mode = TM_RELIEF_GREY;
  grey = tm_relief_render (s, &p, 0, &w, &h, NULL);
  g_assert_true (g_bytes_equal (shaded, grey));
  g_assert_cmpuint (pixel (grey, w, 0, 5)[0], <, pixel (grey, w, 49, 5)[0]);
}

static double
luma (const guint8 *rgb)
{
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

/* The colour map is legible in grey: its luminance rises strictly and spans most of
 * the range; it is also coloured (not a grey ramp). */
static void
test_colormap (void)
{
  guint8 prev[3], rgb[3];
  double max_chroma = 0.0;

  tm_relief_colormap (0.0, prev);
  for (guint i = 1; i <= 64; i++)
    {
      tm_relief_colormap (i / 64.0, rgb);
      g_assert_cmpfloat (luma (rgb), >, luma (prev));
      max_chroma = MAX (max_chroma, MAX (MAX (rgb[0], rgb[1]), rgb[2]) - MIN (MIN (rgb[0], rgb[1]), rgb[2]));
      memcpy (prev, rgb, 3);
    }
  tm_relief_colormap (0.0, rgb);
  g_assert_cmpfloat (luma (rgb), <, 60.0);
  tm_relief_colormap (1.0, rgb);
  g_assert_cmpfloat (luma (rgb), >, 200.0);
  g_assert_cmpfloat (max_chroma, >, 60.0);
  /* Out-of-range and NaN inputs clamp. */
  tm_relief_colormap (-3.0, prev);
  tm_relief_colormap (0.0, rgb);
  g_assert_cmpmem (prev, 3, rgb, 3);
  tm_relief_colormap (NAN, prev);
  g_assert_cmpmem (prev, 3, rgb, 3);
}

static void
test_downsample (void)
{
  g_autoptr(TmSurface) s = make_plane (1000, 450, 0.001, 0.0, TM_MODALITY_3D);
  float *d = tm_surface_get_data (s);
  TmReliefParams p;
  guint w = 0, h = 0;
  g_autoptr(GBytes) b = NULL;

  /* The left half of row block 0 is missing except one sample: it stays opaque. */
  for (guint y = 0; y < 10; y++)
    for (guint x = 0; x < 10; x++)
      d[y * 1000 + x] = (y == 3 && x == 7) ? 0.0f : NAN;
  /* Block (1, 0) entirely missing: transparent. */
  for (guint y = 0; y < 10; y++)
    for (guint x = 10; x < 20; x++)
      d[y * 1000 + x] = NAN;
  tm_surface_sync_mask (s);

  tm_relief_params_init (&p);
  p.mode = TM_RELIEF_GREY;
  b = tm_relief_render (s, &p, 100, &w, &h, NULL);
  g_assert_cmpuint (w, ==, 100);
  g_assert_cmpuint (h, ==, 45);
  g_assert_cmpuint (g_bytes_get_size (b), ==, 100 * 45 * 4);
  g_assert_cmpuint (pixel (b, w, 0, 0)[3], ==, 255);
  g_assert_cmpuint (pixel (b, w, 1, 0)[3], ==, 0);
  g_assert_cmpuint (pixel (b, w, 2, 0)[3], ==, 255);
  g_assert_cmpuint (pixel (b, w, 99, 44)[0], >, pixel (b, w, 50, 44)[0]);

  /* Longer side not a multiple of 100: 1001 → factor 11 → 91 wide, not 101. */
  {
    g_autoptr(TmSurface) odd = make_plane (1001, 7, 0.0, 0.0, TM_MODALITY_3D);
    g_autoptr(GBytes) ob = tm_relief_render (odd, &p, 100, &w, &h, NULL);
    g_assert_cmpuint (w, <=, 100);
    g_assert_cmpuint (w, ==, 91);
    g_assert_cmpuint (h, ==, 1);
  }
  /* A surface already small enough is not enlarged. */
  {
    g_autoptr(TmSurface) small = make_plane (30, 20, 0.0, 0.0, TM_MODALITY_3D);
    g_autoptr(GBytes) sb = tm_relief_render (small, &p, 100, &w, &h, NULL);
    g_assert_cmpuint (w, ==, 30);
    g_assert_cmpuint (h, ==, 20);
  }
}

static void
test_all_invalid (void)
{
  g_autoptr(TmSurface) s = tm_surface_new (8, 8, 1.0, 1.0, TM_MODALITY_3D);
  float *d = tm_surface_get_data (s);
  TmReliefParams p;
  guint w, h;

  for (guint i = 0; i < 64; i++)
    d[i] = NAN;
  tm_surface_sync_mask (s);
  tm_relief_params_init (&p);
  for (int m = TM_RELIEF_SHADED; m <= TM_RELIEF_GREY; m++)
    {
      g_autoptr(GBytes) b = NULL;
      p.mode = m;
      b = tm_relief_render (s, &p, 0, &w, &h, NULL);
      g_assert_nonnull (b);
      for (guint i = 0; i < 64; i++)
        g_assert_cmpuint (((const guint8 *) g_bytes_get_data (b, NULL))[4 * i + 3], ==, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/relief/params-init", test_params_init);
  g_test_add_func ("/relief/flat-shading", test_flat_shading);
  g_test_add_func ("/relief/light-direction", test_light_direction);
  g_test_add_func ("/relief/exaggerate", test_exaggerate);
  g_test_add_func ("/relief/nan-transparent", test_nan_transparent);
  g_test_add_func ("/relief/grey-levels", test_grey_levels);
  g_test_add_func ("/relief/2d-grey", test_2d_grey);
  g_test_add_func ("/relief/colormap", test_colormap);
  g_test_add_func ("/relief/downsample", test_downsample);
  g_test_add_func ("/relief/all-invalid", test_all_invalid);

  return g_test_run ();
}
