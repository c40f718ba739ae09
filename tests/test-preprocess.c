/* test-preprocess.c — levelling, NaN-aware band-pass, resampling, ROI on known surfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-preprocess.h"

/* z(x, y) = plane + a sinusoid of wavelength @lambda_um along x; NaN in a few holes when
 * @holes is set. */
static TmSurface *
make_wave (guint    side,
           double   pixel_um,
           double   lambda_um,
           double   amplitude,
           double   tilt,
           gboolean holes)
{
  TmSurface *s = tm_surface_new (side, side, pixel_um, pixel_um, TM_MODALITY_3D);
  float *d = tm_surface_get_data (s);

  for (guint y = 0; y < side; y++)
    for (guint x = 0; x < side; x++)
      {
        double v = 3.0 + tilt * (0.7 * x - 0.4 * y) +
                   amplitude * sin (2 * G_PI * x * pixel_um / lambda_um);
        gboolean hole = holes && ((hypot (x - side * 0.3, y - side * 0.3) < side * 0.1) ||
                                  (x > side * 0.6 && y > side * 0.7));

        d[y * side + x] = hole ? NAN : (float)v;
      }
  tm_surface_sync_mask (s);
  return s;
}

/* Amplitude of the component along x at wavelength λ, from the valid points away from
 * the edges (least squares on sin and cos). */
static double
wave_amplitude (TmSurface *s,
                double     lambda_um,
                guint      margin)
{
  guint w = tm_surface_get_width (s), h = tm_surface_get_height (s);
  const float *d = tm_surface_peek_data (s);
  double px = tm_surface_get_pixel_um_x (s);
  double ss = 0, sc = 0, nn = 0;

  for (guint y = margin; y + margin < h; y++)
    for (guint x = margin; x + margin < w; x++)
      {
        float v = d[y * w + x];
        double ph = 2 * G_PI * x * px / lambda_um;

        if (isnan (v))
          continue;
        ss += v * sin (ph);
        sc += v * cos (ph);
        nn += 1;
      }
  return 2 * hypot (ss, sc) / MAX (nn, 1);
}

static double
max_abs_valid (TmSurface *s,
               guint      margin)
{
  guint w = tm_surface_get_width (s), h = tm_surface_get_height (s);
  const float *d = tm_surface_peek_data (s);
  double m = 0;

  for (guint y = margin; y + margin < h; y++)
    for (guint x = margin; x + margin < w; x++)
      if (!isnan (d[y * w + x]))
        m = MAX (m, fabs (d[y * w + x]));
  return m;
}

static void
test_level_plane (void)
{
  g_autoptr(TmSurface) s = make_wave (64, 6.25, 100, 0.0, 0.5, TRUE);
  g_autoptr(GError) error = NULL;

  g_assert_true (tm_preprocess_level (s, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (max_abs_valid (s, 0), <, 1e-3);
}

static void
test_level_quadratic (void)
{
  g_autoptr(TmSurface) s = tm_surface_new (50, 40, 6.25, 6.25, TM_MODALITY_3D);
  g_autoptr(GError) error = NULL;
  float *d = tm_surface_get_data (s);

  for (guint y = 0; y < 40; y++)
    for (guint x = 0; x < 50; x++)
      d[y * 50 + x] = (float)(1.0 + 0.01 * x * x - 0.02 * x * y + 0.005 * y * y);
  tm_surface_sync_mask (s);
  g_assert_true (tm_preprocess_level (s, 2, &error));
  g_assert_cmpfloat (max_abs_valid (s, 0), <, 2e-3);
}

static void
test_level_empty (void)
{
  g_autoptr(TmSurface) s = tm_surface_new (10, 10, 6.25, 6.25, TM_MODALITY_3D);
  g_autoptr(GError) error = NULL;

  g_assert_false (tm_preprocess_level (s, 1, &error));
  g_assert_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_EMPTY);
}

/* The band-pass removes a plane and the long waviness, keeps mid wavelengths. */
static void
test_bandpass_pass_and_stop (void)
{
  g_autoptr(TmSurface) mid = make_wave (256, 6.25, 80, 1.0, 0.3, FALSE);
  g_autoptr(TmSurface) longw = make_wave (256, 6.25, 1200, 1.0, 0.3, FALSE);
  g_autoptr(TmSurface) shortw = make_wave (256, 2.0, 7, 1.0, 0.0, FALSE);
  double a_mid, a_long, a_short;

  tm_preprocess_bandpass (mid, 16, 250);
  tm_preprocess_bandpass (longw, 16, 250);
  tm_preprocess_bandpass (shortw, 16, 250);
  a_mid = wave_amplitude (mid, 80, 60);
  a_long = wave_amplitude (longw, 1200, 60);
  a_short = wave_amplitude (shortw, 7, 60);
  g_test_message ("transmission: 80 µm %.3f, 1200 µm %.3f, 7 µm %.3f", a_mid, a_long, a_short);
  g_assert_cmpfloat (a_mid, >, 0.75);
  g_assert_cmpfloat (a_long, <, 0.05);
  g_assert_cmpfloat (a_short, <, 0.05);
  /* the plane (and the constant 3) are gone: nothing but the ±1 wave remains */
  g_assert_cmpfloat (max_abs_valid (mid, 60), <, 1.2);
}

/* Holes stay holes, valid points stay finite, and a hole does not drag its neighbours
 * towards zero (normalised convolution). */
static void
test_bandpass_nan (void)
{
  g_autoptr(TmSurface) s = make_wave (128, 6.25, 100, 0.0, 0.0, TRUE);
  g_autoptr(TmSurface) before = tm_surface_copy (s);
  const float *d;

  tm_preprocess_bandpass (s, 16, 250);
  d = tm_surface_peek_data (s);
  g_assert_cmpmem (tm_surface_peek_mask (s), 128 * 128, tm_surface_peek_mask (before), 128 * 128);
  for (guint i = 0; i < 128 * 128; i++)
    if (tm_surface_peek_mask (s)[i])
      {
        g_assert_true (isfinite (d[i]));
        /* a constant surface band-passes to 0 everywhere, holes or not */
        g_assert_cmpfloat (fabs (d[i]), <, 1e-3);
      }
}

static void
test_resample (void)
{
  g_autoptr(TmSurface) s = make_wave (100, 3.125, 100, 0.0, 0.0, TRUE);
  g_autoptr(TmSurface) r = tm_preprocess_resample (s, 6.25);
  const float *d = tm_surface_peek_data (r);

  g_assert_cmpuint (tm_surface_get_width (r), ==, 50);
  g_assert_cmpuint (tm_surface_get_height (r), ==, 50);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (r), ==, 6.25);
  g_assert_cmpfloat (fabs (tm_surface_valid_fraction (r) - tm_surface_valid_fraction (s)), <, 0.05);
  for (guint i = 0; i < 50 * 50; i++)
    if (tm_surface_peek_mask (r)[i])
      g_assert_cmpfloat (fabs (d[i] - 3.0), <, 1e-5);
}

/* A raw-scan lookalike: a disc (primer) with a 100 µm deep firing-pin impression
 * off the centre; ROI detection must find it and the pipeline must cut it out. */
static TmSurface *
make_raw_scan (void)
{
  guint side = 300;
  TmSurface *s = tm_surface_new (side, side, 7.5, 7.5, TM_MODALITY_3D);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  float *d = tm_surface_get_data (s);

  for (guint y = 0; y < side; y++)
    for (guint x = 0; x < side; x++)
      {
        double r = hypot (x - 150.0, y - 150.0), rp = hypot (x - 160.0, y - 145.0);
        double z = 0.02 * x + g_rand_double_range (rand, -0.5, 0.5);

        if (rp < 40)
          z -= 100.0 * (1 - (rp / 40) * (rp / 40));
        d[y * side + x] = r < 140 ? (float)z : NAN;
      }
  tm_surface_sync_mask (s);
  return s;
}

static void
test_roi_firing_pin (void)
{
  g_autoptr(TmSurface) s = make_raw_scan ();
  g_autoptr(TmSurface) pin = NULL;
  g_autoptr(TmSurface) out = NULL;
  g_autoptr(GError) error = NULL;
  TmBreechFaceRoi roi;
  TmPreprocessParams params;

  g_assert_true (tm_preprocess_find_roi (s, &roi, &error));
  g_assert_no_error (error);
  g_test_message ("primer (%.1f, %.1f) r %.1f; pin %d (%.1f, %.1f) r %.1f", roi.primer_cx,
                  roi.primer_cy, roi.primer_r, roi.has_firing_pin, roi.pin_cx, roi.pin_cy,
                  roi.pin_r);
  g_assert_cmpfloat (fabs (roi.primer_cx - 150), <, 3);
  g_assert_cmpfloat (fabs (roi.primer_r - 140), <, 5);
  g_assert_true (roi.has_firing_pin);
  g_assert_cmpfloat (hypot (roi.pin_cx - 160, roi.pin_cy - 145), <, 5);
  g_assert_cmpfloat (roi.pin_r, >, 15);
  g_assert_cmpfloat (roi.pin_r, <, 45);

  tm_preprocess_params_init (&params);
  out = tm_preprocess_surface (s, &params, &roi, &pin, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_nonnull (pin);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (out), ==, 6.25);
  /* the impression's centre is cut from the breech face, at the working resolution */
  g_assert_cmpuint (tm_surface_peek_mask (out)[(guint)(145 * 1.2) * tm_surface_get_width (out) +
                                               (guint)(160 * 1.2)], ==, 0);
  g_assert_cmpfloat (tm_surface_valid_fraction (out), >, 0.3);
}

/* Processed scans (no impression left) keep their mask: nothing but the edge erosion. */
static void
test_pipeline_light (void)
{
  g_autoptr(TmSurface) s = make_wave (200, 6.25, 100, 1.0, 0.2, TRUE);
  g_autoptr(TmSurface) out = NULL;
  g_autoptr(GError) error = NULL;
  TmBreechFaceRoi roi;
  const float *d;

  out = tm_preprocess_surface (s, NULL, &roi, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (roi.has_firing_pin);
  g_assert_cmpuint (tm_surface_get_width (out), ==, 200);
  g_assert_cmpfloat (tm_surface_valid_fraction (out), <, tm_surface_valid_fraction (s));
  g_assert_cmpfloat (tm_surface_valid_fraction (out), >, 0.8 * tm_surface_valid_fraction (s));
  d = tm_surface_peek_data (out);
  for (guint i = 0; i < 200 * 200; i++)
    g_assert_true (tm_surface_peek_mask (out)[i] ? isfinite (d[i]) : isnan (d[i]));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/preprocess/level/plane", test_level_plane);
  g_test_add_func ("/preprocess/level/quadratic", test_level_quadratic);
  g_test_add_func ("/preprocess/level/empty", test_level_empty);
  g_test_add_func ("/preprocess/bandpass/pass-and-stop", test_bandpass_pass_and_stop);
  g_test_add_func ("/preprocess/bandpass/nan", test_bandpass_nan);
  g_test_add_func ("/preprocess/resample", test_resample);
  g_test_add_func ("/preprocess/roi/firing-pin", test_roi_firing_pin);
  g_test_add_func ("/preprocess/pipeline/light", test_pipeline_light);

  return g_test_run ();
}
