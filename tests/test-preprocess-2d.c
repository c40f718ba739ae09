/* test-preprocess-2d.c — 2D image preprocessing: region, illumination, radial trend, search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The 2D images are rendered from synthetic 3D shots (tm-synth) as a reflectance image
 * would see them: a ring-light shading of the curvature of the marks, times an
 * illumination gradient and a radial falloff, on a darker cartridge head with a dark
 * gap around the primer and a dark firing-pin hole. Two renderings of one shot differ
 * only in their lighting, so what survives preprocessing of that difference is what the
 * pipeline failed to remove.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tm-comparison.h"
#include "tm-png.h"
#include "tm-preprocess-2d.h"
#include "tm-synth.h"
#include "tm-test-support.h"

#define SIZE 400
#define PIXEL_UM 6.25

typedef struct
{
  double gradient;      /* relative change of the light across the image */
  double gradient_deg;  /* its direction */
  double falloff;       /* relative loss of light at the primer's edge */
  double level;         /* overall exposure (grey levels at 1.0) */
} Lighting;

static void
synth_params (TmSynthParams *params)
{
  tm_synth_params_init (params);
  params->size = SIZE;
  params->pixel_um = PIXEL_UM;
  params->radius_fraction = 0.4;    /* room for the cartridge head around the primer */
  params->max_shift_fraction = 0;
}

/* The shot of @firearm drawn with @seed, centred and turned by @rotation_deg, and where
 * its firing-pin hole lies (pixels). */
static TmSurface *
centred_shot (TmSynthFirearm *firearm,
              guint64         seed,
              double          rotation_deg,
              double         *out_pin_x,
              double         *out_pin_y,
              double         *out_pin_r)
{
  TmSynthPose pose = { rotation_deg, 0, 0 };
  double u, v, r, x, y;

  tm_synth_firearm_get_pin (firearm, &u, &v, &r);
  tm_synth_pose_apply (&pose, u, v, &x, &y);
  *out_pin_x = (SIZE - 1) / 2.0 + x / PIXEL_UM;
  *out_pin_y = (SIZE - 1) / 2.0 + y / PIXEL_UM;
  *out_pin_r = r / PIXEL_UM;
  return tm_synth_shot_at (firearm, seed, &pose);
}

/* Renders a 3D shot as a 2D image of grey levels (0–255, no invalid pixel). */
static TmSurface *
render (TmSurface      *shot,
        double          pin_x,
        double          pin_y,
        double          pin_r,
        const Lighting *light,
        guint64         noise_seed)
{
  const float *z = tm_surface_peek_data (shot);
  g_autofree double *slope = g_new0 (double, SIZE * SIZE);
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32)noise_seed);
  TmSurface *out = tm_surface_new (SIZE, SIZE, PIXEL_UM, PIXEL_UM, TM_MODALITY_2D);
  float *o = tm_surface_get_data (out);
  double c = (SIZE - 1) / 2.0, primer_r = 0.4 * SIZE, s2 = 0;
  gsize n = 0;

  /* A ring light lights the primer from every side at a low angle: what shows is the
   * curvature of the marks (hollows dark, crests bright), whatever their orientation, so
   * the image turns with the case. */
  for (int y = 1; y < SIZE - 1; y++)
    for (int x = 1; x < SIZE - 1; x++)
      {
        gsize i = (gsize)y * SIZE + x;

        if (isnan (z[i]) || isnan (z[i - 1]) || isnan (z[i + 1]) ||
            isnan (z[i - SIZE]) || isnan (z[i + SIZE]))
          continue;
        slope[i] = -(z[i + 1] + z[i - 1] + z[i + SIZE] + z[i - SIZE] - 4 * z[i]) /
                   (PIXEL_UM * PIXEL_UM);
        s2 += slope[i] * slope[i];
        n++;
      }
  g_assert_cmpuint (n, >, 1000);
  s2 = sqrt (s2 / n);

  for (int y = 0; y < SIZE; y++)
    for (int x = 0; x < SIZE; x++)
      {
        gsize i = (gsize)y * SIZE + x;
        double r = hypot (x - c, y - c), albedo, illum;

        if (r > primer_r + 4)
          albedo = 0.30;                      /* cartridge head */
        else if (r > primer_r)
          albedo = 0.04;                      /* the gap around the primer */
        else if (hypot (x - pin_x, y - pin_y) < pin_r + 1)
          albedo = 0.06;                      /* firing-pin hole in shadow */
        else
          albedo = 0.5 + 0.12 * slope[i] / s2;   /* dropouts render as flat metal */
        illum = (1 + light->gradient * ((x - c) * cos (light->gradient_deg * G_PI / 180) +
                                        (y - c) * sin (light->gradient_deg * G_PI / 180)) / SIZE) *
                (1 - light->falloff * MIN (r / primer_r, 1.2) * MIN (r / primer_r, 1.2));
        o[i] = (float)CLAMP (light->level * albedo * illum + g_rand_double_range (rand, -1, 1), 0, 255);
      }
  tm_surface_sync_mask (out);
  return out;
}

static const Lighting light_a = { 0.9, 20, 0.45, 300 };
static const Lighting light_b = { 0.9, 200, 0.05, 220 };

static TmSurface *
rendered_shot (guint64         firearm_seed,
               guint64         shot_seed,
               double          rotation_deg,
               const Lighting *light,
               TmBreechFaceRoi *out_truth)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSynthFirearm) firearm = NULL;
  g_autoptr(TmSurface) shot = NULL;
  TmSynthParams params;
  double px, py, pr;

  synth_params (&params);
  firearm = tm_synth_firearm_new (firearm_seed, &params, &error);
  g_assert_no_error (error);
  shot = centred_shot (firearm, shot_seed, rotation_deg, &px, &py, &pr);
  if (out_truth != NULL)
    {
      out_truth->primer_cx = out_truth->primer_cy = (SIZE - 1) / 2.0;
      out_truth->primer_r = 0.4 * SIZE;
      out_truth->has_firing_pin = pr > 0;
      out_truth->pin_cx = px;
      out_truth->pin_cy = py;
      out_truth->pin_r = pr;
    }
  return render (shot, px, py, pr, light, shot_seed ^ firearm_seed ^ (guint64)light->level);
}

static TmSurface *
preprocess (TmSurface  *image,
            TmSurface **out_pin)
{
  g_autoptr(GError) error = NULL;
  TmSurface *out = tm_preprocess_surface (image, NULL, NULL, out_pin, &error);

  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_true (tm_surface_get_modality (out) == TM_MODALITY_2D);
  return out;
}

static void
test_roi (void)
{
  g_autoptr(GError) error = NULL;
  TmBreechFaceRoi truth, found;
  g_autoptr(TmSurface) image = rendered_shot (11, 1, 37, &light_a, &truth);
  g_autoptr(TmSurface) flat = tm_surface_new (SIZE, SIZE, PIXEL_UM, PIXEL_UM, TM_MODALITY_2D);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  float *f = tm_surface_get_data (flat);

  g_assert_true (tm_preprocess_2d_find_roi (image, &found, &error));
  g_assert_no_error (error);
  g_test_message ("primer (%.1f, %.1f) r %.1f, found (%.1f, %.1f) r %.1f; pin (%.1f, %.1f) r %.1f, "
                  "found %d (%.1f, %.1f) r %.1f", truth.primer_cx, truth.primer_cy, truth.primer_r,
                  found.primer_cx, found.primer_cy, found.primer_r, truth.pin_cx, truth.pin_cy,
                  truth.pin_r, found.has_firing_pin, found.pin_cx, found.pin_cy, found.pin_r);
  /* within two search pixels (25 µm each) */
  g_assert_cmpfloat (hypot (found.primer_cx - truth.primer_cx, found.primer_cy - truth.primer_cy), <, 8);
  g_assert_cmpfloat (fabs (found.primer_r - truth.primer_r), <, 8);
  g_assert_true (found.has_firing_pin);
  g_assert_cmpfloat (hypot (found.pin_cx - truth.pin_cx, found.pin_cy - truth.pin_cy), <, 8);
  g_assert_cmpfloat (fabs (found.pin_r - truth.pin_r), <, 8);

  /* featureless noise has no circle: the whole image stands for the primer */
  for (gsize i = 0; i < SIZE * SIZE; i++)
    f[i] = (float)g_rand_double_range (rand, 100, 110);
  tm_surface_sync_mask (flat);
  g_assert_true (tm_preprocess_2d_find_roi (flat, &found, &error));
  g_assert_false (found.has_firing_pin);
  g_assert_cmpfloat (fabs (found.primer_r - sqrt (SIZE * SIZE / G_PI)), <, 1);
}

static void
test_illumination (void)
{
  g_autoptr(TmSurface) a = rendered_shot (11, 1, 0, &light_a, NULL);
  g_autoptr(TmSurface) b = rendered_shot (11, 1, 0, &light_b, NULL);
  g_autoptr(TmSurface) other = rendered_shot (12, 1, 0, &light_b, NULL);
  g_autoptr(TmSurface) pa = preprocess (a, NULL);
  g_autoptr(TmSurface) pb = preprocess (b, NULL);
  g_autoptr(TmSurface) po = preprocess (other, NULL);
  double raw, pre, diff, mean = 0, var = 0;
  const float *z = tm_surface_peek_data (pa);
  gsize n = 0;

  /* the raw images over the same breech face the preprocessing kept */
  {
    g_autoptr(TmSurface) keep = tm_preprocess_resample (a, tm_surface_get_pixel_um_x (pa));
    g_autoptr(TmSurface) keep_b = tm_preprocess_resample (b, tm_surface_get_pixel_um_x (pa));

    g_assert_cmpuint (tm_surface_get_width (keep), ==, tm_surface_get_width (pa));
    tm_surface_apply_mask (keep, tm_surface_peek_mask (pa));
    raw = tm_synth_correlation (keep, keep_b, 1000, NULL);
  }
  pre = tm_synth_correlation (pa, pb, 1000, NULL);
  diff = tm_synth_correlation (pa, po, 1000, NULL);
  g_test_message ("same shot, two lightings: raw r = %.3f, preprocessed r = %.3f; "
                  "another firearm: r = %.3f", raw, pre, diff);
  g_assert_cmpfloat (pre, >, 0.9);
  g_assert_cmpfloat (raw, <, 0.6);
  g_assert_cmpfloat (pre - raw, >, 0.3);
  g_assert_cmpfloat (fabs (diff), <, 0.2);

  /* the firing-pin hole and the cartridge head are out, the output is normalised */
  g_assert_cmpfloat (tm_surface_valid_fraction (pa), <, G_PI * 0.4 * 0.4);
  g_assert_cmpfloat (tm_surface_valid_fraction (pa), >, 0.5 * G_PI * 0.4 * 0.4 - 0.1);
  for (gsize i = 0; i < (gsize)tm_surface_get_width (pa) * tm_surface_get_height (pa); i++)
    if (!isnan (z[i]))
      {
        mean += z[i];
        n++;
      }
  mean /= n;
  for (gsize i = 0; i < (gsize)tm_surface_get_width (pa) * tm_surface_get_height (pa); i++)
    if (!isnan (z[i]))
      var += (z[i] - mean) * (z[i] - mean);
  g_assert_cmpfloat (fabs (mean), <, 1e-3);
  g_assert_cmpfloat (fabs (var / (n - 1) - 1), <, 1e-3);
}

/* The steps on their own: a pure multiplicative gradient and a pure radial trend leave
 * (almost) nothing behind. */
static void
test_steps (void)
{
  g_autoptr(TmSurface) s = tm_surface_new (200, 200, 10, 10, TM_MODALITY_2D);
  float *z = tm_surface_get_data (s);
  double max = 0;

  for (int y = 0; y < 200; y++)
    for (int x = 0; x < 200; x++)
      z[y * 200 + x] = (float)(100 * (1 + 0.004 * x + 0.002 * y));
  tm_surface_sync_mask (s);
  tm_preprocess_2d_level_illumination (s, 500);
  /* away from the border, where the background is a one-sided average of the ramp */
  for (int y = 30; y < 170; y++)
    for (int x = 30; x < 170; x++)
      max = MAX (max, fabs (z[y * 200 + x]));
  g_assert_cmpfloat (max, <, 0.005);

  for (int y = 0; y < 200; y++)
    for (int x = 0; x < 200; x++)
      z[y * 200 + x] = (float)(50 + 30 * cos (hypot (x - 90.0, y - 110.0) / 15.0));
  tm_surface_sync_mask (s);
  tm_preprocess_2d_remove_radial_trend (s, 90.0, 110.0);
  max = 0;
  for (int y = 0; y < 200; y++)
    for (int x = 0; x < 200; x++)
      if (hypot (x - 90.0, y - 110.0) < 89)   /* the whole rings (a primer disc) */
        max = MAX (max, fabs (z[y * 200 + x]));
  g_assert_cmpfloat (max, <, 1.0);
}

/* A mask given by the user (transparent pixels, or a mask PNG) is the region. */
static void
test_mask (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) image = rendered_shot (11, 1, 0, &light_a, NULL);
  g_autoptr(TmSurface) out = NULL;
  g_autofree guint8 *rgba = g_new0 (guint8, SIZE * SIZE * 4);
  g_autoptr(GBytes) png = NULL;
  const float *z;
  double c = (SIZE - 1) / 2.0;

  /* keep only a disc of radius 100 px left of the centre */
  for (int y = 0; y < SIZE; y++)
    for (int x = 0; x < SIZE; x++)
      if (hypot (x - (c - 40), y - c) < 100)
        memset (rgba + 4 * ((gsize)y * SIZE + x), 255, 4);
  png = tm_png_encode_rgba (rgba, SIZE, SIZE, &error);
  g_assert_no_error (error);
  g_assert_true (tm_preprocess_2d_apply_mask_png (image, png, "mask.png", &error));
  g_assert_no_error (error);
  out = preprocess (image, NULL);
  z = tm_surface_peek_data (out);
  for (guint y = 0; y < tm_surface_get_height (out); y++)
    for (guint x = 0; x < tm_surface_get_width (out); x++)
      if (!isnan (z[y * tm_surface_get_width (out) + x]))
        g_assert_cmpfloat (hypot (x - (c - 40), y - c), <, 101);
  /* the user's region is kept whole but for the eroded rim */
  g_assert_cmpfloat (tm_surface_valid_fraction (out), >, 0.9 * G_PI * 96 * 96 / (SIZE * SIZE));

  {
    g_autoptr(TmSurface) small = tm_surface_new (10, 10, 1, 1, TM_MODALITY_2D);

    g_assert_false (tm_preprocess_2d_apply_mask_png (small, png, "mask.png", &error));
    g_assert_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "mask.png"));
  }
}

/* The comparison engine on 2D surfaces: shots of one firearm under different lighting
 * and orientation against shots of others. */
static void
test_compare (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) a = rendered_shot (21, 1, 0, &light_a, NULL);
  g_autoptr(TmSurface) b = rendered_shot (21, 2, 75, &light_b, NULL);
  g_autoptr(TmSurface) c = rendered_shot (22, 1, 140, &light_b, NULL);
  g_autoptr(TmSurface) pa = preprocess (a, NULL);
  g_autoptr(TmSurface) pb = preprocess (b, NULL);
  g_autoptr(TmSurface) pc = preprocess (c, NULL);
  g_autoptr(TmComparison) km = NULL;
  g_autoptr(TmComparison) knm = NULL;
  TmCompareParams params;

  tm_compare_params_init (&params);
  km = tm_compare_surfaces (pa, pb, &params, NULL, &error);
  g_assert_no_error (error);
  knm = tm_compare_surfaces (pa, pc, &params, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("2D: mates score %.1f (ACCF %.3f, angle %.1f°), non-mates %.1f (ACCF %.3f)",
                  tm_comparison_get_score (km), tm_comparison_get_accf (km),
                  tm_comparison_get_angle_deg (km), tm_comparison_get_score (knm),
                  tm_comparison_get_accf (knm));
  g_assert_cmpfloat (tm_comparison_get_score (km), >=, 6);
  g_assert_cmpfloat (tm_comparison_get_score (knm), <, 6);
  g_assert_cmpfloat (tm_comparison_get_accf (km), >, tm_comparison_get_accf (knm) + 0.2);
}

/* PNG files through `toolmark-cli import` and `correlate`: the mate comes first. */
static void
test_cli_correlate (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("test-preprocess-2d-XXXXXX");
  g_autofree char *scans = g_build_filename (dir, "scans", NULL);
  g_autofree char *db = g_build_filename (dir, "2d.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonArray *candidates;
  JsonObject *o;
  gint64 query_id = 0;

  g_assert_cmpint (g_mkdir (scans, 0700), ==, 0);
  for (guint f = 0; f < 3; f++)
    for (guint s = 0; s < 2; s++)
      {
        g_autoptr(TmSurface) image = rendered_shot (31 + f, 1 + s, 50.0 * (f + 2 * s),
                                                    s ? &light_b : &light_a, NULL);
        const float *z = tm_surface_peek_data (image);
        g_autofree guint8 *rgba = g_new (guint8, SIZE * SIZE * 4);
        g_autoptr(GBytes) png = NULL;
        g_autofree char *name = g_strdup_printf ("f%u_s%u.png", f, s);
        g_autofree char *path = g_build_filename (scans, name, NULL);

        for (gsize i = 0; i < SIZE * SIZE; i++)
          {
            guint8 v = (guint8)CLAMP (lround (z[i]), 0, 255);

            rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = v;
            rgba[4 * i + 3] = 255;
          }
        png = tm_png_encode_rgba (rgba, SIZE, SIZE, &error);
        g_assert_no_error (error);
        g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL),
                                            g_bytes_get_size (png), &error));
      }

  {
    const char *argv[] = { "--db", db, "import", "--pixel-um", "6.25", scans, NULL };

    g_assert_cmpint (tm_test_run_cli (argv, &out, &err), ==, 0);
    /* every image was preprocessed (nothing "imported without preprocessing") */
    g_assert_null (strstr (err, "without preprocessing"));
    /* "ID<tab>FILE" per file, in name order: f0_s0.png first */
    g_assert_true (sscanf (out, "%" G_GINT64_FORMAT, &query_id) == 1);
    g_assert_nonnull (strstr (out, "f0_s0.png"));
    g_assert_true (strstr (out, "f0_s0.png") < strstr (out, "f0_s1.png"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, query_id);
    const char *argv[] = { "--db", db, "correlate", id, "--top", "all", "--json", NULL };
    int status = tm_test_run_cli (argv, &out, &err);

    if (status != 0)
      g_test_message ("stderr: %s", err);
    g_assert_cmpint (status, ==, 0);
  }
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  o = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "counts"), "full"), ==, 5);
  candidates = json_object_get_array_member (o, "candidates");
  g_assert_cmpuint (json_array_get_length (candidates), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *c = json_array_get_object_element (candidates, i);

      g_test_message ("rank %u: %s score %.2f", i + 1, json_object_get_string_member (c, "file"),
                      json_object_get_double_member (c, "score"));
    }
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (candidates, 0), "file"),
                   ==, "f0_s1.png");
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (candidates, 0), "score"), >,
                     json_object_get_double_member (json_array_get_object_element (candidates, 1), "score") + 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/preprocess-2d/roi", test_roi);
  g_test_add_func ("/preprocess-2d/steps", test_steps);
  g_test_add_func ("/preprocess-2d/illumination", test_illumination);
  g_test_add_func ("/preprocess-2d/mask", test_mask);
  g_test_add_func ("/preprocess-2d/compare", test_compare);
  g_test_add_func ("/preprocess-2d/cli-correlate", test_cli_correlate);

  return g_test_run ();
}
