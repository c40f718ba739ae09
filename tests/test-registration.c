/* test-registration.c — full-circle registration on synthetic surfaces with known poses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-preprocess.h"
#include "tm-registration.h"

/* A breech-face-like test surface: smoothed noise (isotropic texture) plus a few
 * parallel ridges, on an annulus with a hole in the middle, NaN elsewhere. */
static TmSurface *
make_texture (guint   side,
              guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(TmGrid) grid = tm_grid_new (side, side);
  TmSurface *s = tm_surface_new (side, side, 6.25, 6.25, TM_MODALITY_3D);
  float *d = tm_surface_get_data (s);
  double c = (side - 1) / 2.0;

  for (guint i = 0; i < side * side; i++)
    grid->z[i] = (float)g_rand_double_range (rand, -1, 1);
  tm_grid_gaussian (grid, 2.0);
  for (guint y = 0; y < side; y++)
    for (guint x = 0; x < side; x++)
      {
        double r = hypot (x - c, y - c) / side;
        double ridge = 0.05 * sin (0.21 * (x * 0.8 + y * 0.6));

        d[y * side + x] = (r > 0.12 && r < 0.47) ? grid->z[y * side + x] + (float)ridge : NAN;
      }
  tm_surface_sync_mask (s);
  return s;
}

static void
add_noise (TmSurface *s,
           double     amplitude,
           guint32    seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  float *d = tm_surface_get_data (s);
  gsize n = (gsize)tm_surface_get_width (s) * tm_surface_get_height (s);

  for (gsize i = 0; i < n; i++)
    if (!isnan (d[i]))
      d[i] += (float)g_rand_double_range (rand, -amplitude, amplitude);
}

static double
angle_diff (double a,
            double b)
{
  double d = fmod (a - b, 360.0);

  if (d > 180)
    d -= 360;
  if (d < -180)
    d += 360;
  return fabs (d);
}

static void
check_pose (double angle,
            double dx,
            double dy)
{
  g_autoptr(TmSurface) a = make_texture (200, 7);
  g_autoptr(TmSurface) b = tm_surface_transform (a, angle, dx, dy);
  g_autoptr(GError) error = NULL;
  TmRegistration reg;

  add_noise (b, 0.05, 11);
  g_assert_true (tm_register_surfaces (a, b, NULL, &reg, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("true %.1f° (%.1f, %.1f) px → found %.2f° (%.2f, %.2f) px, ACCF %.3f",
                  angle, dx, dy, reg.angle_deg, reg.dx_um / 6.25, reg.dy_um / 6.25, reg.accf);
  g_assert_cmpfloat (angle_diff (reg.angle_deg, angle), <=, 1.0);
  g_assert_cmpfloat (fabs (reg.dx_um / 6.25 - dx), <=, 1.0);
  g_assert_cmpfloat (fabs (reg.dy_um / 6.25 - dy), <=, 1.0);
  g_assert_cmpfloat (reg.accf, >, 0.8);
  g_assert_false (isnan (reg.accf));
}

/* A query's rotation cache (what a search prepares once) finds the pose the uncached
 * registration finds. */
static void
test_cached_same_size (void)
{
  g_autoptr(TmSurface) a = make_texture (200, 7);
  g_autoptr(TmSurface) b = tm_surface_transform (a, 143.0, -5.0, 8.0);
  g_autoptr(TmPyramid) pa = tm_pyramid_new (a, NULL);
  g_autoptr(TmPyramid) pb = NULL;
  g_autoptr(TmRotationCache) cache = NULL;
  g_autoptr(GError) error = NULL;
  TmRegistration plain, cached;

  add_noise (b, 0.05, 13);
  pb = tm_pyramid_new (b, NULL);
  cache = tm_rotation_cache_new (pa, NULL);
  g_assert_true (tm_register_pyramids (pa, pb, NULL, &plain, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tm_register_pyramids_cached (pa, cache, pb, NULL, &cached, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("plain %.2f° (%.2f, %.2f) µm ACCF %.3f; cached %.2f° (%.2f, %.2f) µm ACCF %.3f",
                  plain.angle_deg, plain.dx_um, plain.dy_um, plain.accf,
                  cached.angle_deg, cached.dx_um, cached.dy_um, cached.accf);
  g_assert_cmpfloat (angle_diff (cached.angle_deg, 143.0), <=, 1.0);
  g_assert_cmpfloat (fabs (cached.dx_um / 6.25 + 5.0), <=, 1.0);
  g_assert_cmpfloat (fabs (cached.dy_um / 6.25 - 8.0), <=, 1.0);
  g_assert_cmpfloat (angle_diff (cached.angle_deg, plain.angle_deg), <=, 0.5);
  g_assert_cmpfloat (fabs (cached.accf - plain.accf), <=, 0.02);
}

/* The same with texture up to the coarse level's Nyquist frequency (as normalised 2D
 * images have), where the sub-pixel phase of the cache's canvas matters: for a candidate
 * of the query's size the cache must give the uncached result itself (with A centred on
 * the canvas instead of at its own phase this pose came out 0.009° off; on a 2D image
 * pair the true angle was lost). */
static void
test_cached_rough (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_autoptr(TmSurface) a = tm_surface_new (400, 400, 6.25, 6.25, TM_MODALITY_3D);
  g_autoptr(TmSurface) b = NULL;
  g_autoptr(TmPyramid) pa = NULL;
  g_autoptr(TmPyramid) pb = NULL;
  g_autoptr(TmRotationCache) cache = NULL;
  g_autoptr(GError) error = NULL;
  float *d = tm_surface_get_data (a);
  TmRegistration plain, cached;

  /* blocks of 7 px (≈ 44 µm): all of the energy near the 40 µm level's Nyquist */
  for (guint y = 0; y < 400; y += 7)
    for (guint x = 0; x < 400; x += 7)
      {
        float v = (float)g_rand_double_range (rand, -1, 1);

        for (guint yy = y; yy < MIN (y + 7, 400); yy++)
          for (guint xx = x; xx < MIN (x + 7, 400); xx++)
            d[yy * 400 + xx] = hypot (xx - 199.5, yy - 199.5) < 190 ? v : NAN;
      }
  tm_surface_sync_mask (a);
  b = tm_surface_transform (a, 261.0, 0.0, 0.0);
  pa = tm_pyramid_new (a, NULL);
  pb = tm_pyramid_new (b, NULL);
  cache = tm_rotation_cache_new (pa, NULL);
  g_assert_true (tm_register_pyramids (pa, pb, NULL, &plain, NULL, &error));
  g_assert_true (tm_register_pyramids_cached (pa, cache, pb, NULL, &cached, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("plain %.4f° ACCF %.4f; cached %.4f° ACCF %.4f", plain.angle_deg, plain.accf,
                  cached.angle_deg, cached.accf);
  g_assert_cmpfloat (angle_diff (plain.angle_deg, 261.0), <=, 1.0);
  g_assert_cmpfloat (angle_diff (cached.angle_deg, plain.angle_deg), <=, 0.001);
  g_assert_cmpfloat (fabs (cached.dx_um - plain.dx_um), <=, 0.01);
  g_assert_cmpfloat (fabs (cached.accf - plain.accf), <=, 1e-4);
}

static void
test_cached_larger_target (void)
{
  g_autoptr(TmSurface) a = make_texture (200, 7);
  g_autoptr(TmSurface) b = make_texture (260, 7);
  g_autoptr(TmPyramid) pa = tm_pyramid_new (a, NULL);
  g_autoptr(TmPyramid) pb = tm_pyramid_new (b, NULL);
  g_autoptr(TmRotationCache) cache = tm_rotation_cache_new (pa, NULL);
  g_autoptr(GError) error = NULL;
  TmRegistration plain, cached;

  /* B does not fit the cache's canvas: the same answer as without the cache */
  g_assert_true (tm_register_pyramids (pa, pb, NULL, &plain, NULL, &error));
  g_assert_true (tm_register_pyramids_cached (pa, cache, pb, NULL, &cached, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (cached.angle_deg, ==, plain.angle_deg);
  g_assert_cmpfloat (cached.dx_um, ==, plain.dx_um);
  g_assert_cmpfloat (cached.accf, ==, plain.accf);
}

static void
test_pose_37 (void)
{
  check_pose (37.0, 6.0, -4.0);
}

static void
test_pose_181 (void)
{
  check_pose (181.0, -9.0, 3.0);
}

static void
test_pose_300 (void)
{
  check_pose (300.0, 2.5, 7.5);
}

static void
test_pose_identity (void)
{
  check_pose (0.0, 0.0, 0.0);
}

/* Two independent textures must not correlate like a match. */
static void
test_independent (void)
{
  g_autoptr(TmSurface) a = make_texture (200, 7);
  g_autoptr(TmSurface) b = make_texture (200, 8);
  g_autoptr(GError) error = NULL;
  TmRegistration reg;

  g_assert_true (tm_register_surfaces (a, b, NULL, &reg, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("independent: ACCF %.3f", reg.accf);
  g_assert_cmpfloat (reg.accf, <, 0.5);
}

/* The transform keeps NaN out of the valid region and rotates content exactly. */
static void
test_transform_roundtrip (void)
{
  g_autoptr(TmSurface) a = make_texture (120, 3);
  g_autoptr(TmSurface) b = tm_surface_transform (a, 90.0, 0, 0);
  const float *da = tm_surface_peek_data (a), *db = tm_surface_peek_data (b);
  guint checked = 0;

  /* 90° clockwise as displayed: out(x, y) = in(y, w − 1 − x) */
  for (guint y = 0; y < 120; y++)
    for (guint x = 0; x < 120; x++)
      {
        float v = db[y * 120 + x], u = da[(119 - x) * 120 + y];

        g_assert_cmpint (isnan (v), ==, isnan (u));
        if (!isnan (v))
          {
            g_assert_cmpfloat (fabsf (v - u), <, 1e-4);
            checked++;
          }
      }
  g_assert_cmpuint (checked, >, 1000);
  g_assert_cmpuint (tm_surface_count_valid (b), ==, checked);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/registration/transform/roundtrip", test_transform_roundtrip);
  g_test_add_func ("/registration/pose/identity", test_pose_identity);
  g_test_add_func ("/registration/pose/37", test_pose_37);
  g_test_add_func ("/registration/pose/181", test_pose_181);
  g_test_add_func ("/registration/pose/300", test_pose_300);
  g_test_add_func ("/registration/independent", test_independent);
  g_test_add_func ("/registration/cached/same-size", test_cached_same_size);
  g_test_add_func ("/registration/cached/larger-target", test_cached_larger_target);
  g_test_add_func ("/registration/cached/rough", test_cached_rough);

  return g_test_run ();
}
