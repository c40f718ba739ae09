/* test-synth.c — synthetic breech faces: determinism, statistics, ground truth, CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "tm-synth.h"
#include "tm-test-support.h"
#include "tm-x3p.h"

/* A smaller scan than the default keeps the suite quick; the geometry scales with it. */
static void
small_params (TmSynthParams *params)
{
  tm_synth_params_init (params);
  params->size = 200;
  params->pixel_um = 12.5;
}

static TmSynthFirearm *
firearm_new (guint64              seed,
             const TmSynthParams *params)
{
  g_autoptr(GError) error = NULL;
  TmSynthFirearm *firearm = tm_synth_firearm_new (seed, params, &error);

  g_assert_no_error (error);
  g_assert_nonnull (firearm);
  return firearm;
}

/* The shot put back into the firearm frame by undoing the pose it was drawn with. */
static TmSurface *
shot_in_firearm_frame (TmSynthFirearm *firearm,
                       guint64         shot_seed)
{
  g_autoptr(TmSurface) shot = NULL;
  TmSynthPose pose, inverse;

  shot = tm_synth_shot (firearm, shot_seed, &pose);
  tm_synth_pose_invert (&pose, &inverse);
  return tm_synth_transform_surface (shot, &inverse);
}

static double
surface_rms (TmSurface *surface)
{
  const float *data = tm_surface_peek_data (surface);
  const guint8 *mask = tm_surface_peek_mask (surface);
  gsize n = (gsize)tm_surface_get_width (surface) * tm_surface_get_height (surface);
  double sum = 0, sum2 = 0;
  gsize count = 0;

  for (gsize i = 0; i < n; i++)
    if (mask[i])
      {
        sum += data[i];
        sum2 += (double)data[i] * data[i];
        count++;
      }
  g_assert_cmpuint (count, >, 0);
  return sqrt (sum2 / count - (sum / count) * (sum / count));
}

static void
test_determinism (void)
{
  g_autoptr(TmSynthFirearm) a = firearm_new (7, NULL);
  g_autoptr(TmSynthFirearm) b = firearm_new (7, NULL);
  g_autoptr(TmSynthFirearm) c = firearm_new (8, NULL);
  g_autoptr(TmSurface) a3 = NULL, b3 = NULL, c3 = NULL, a4 = NULL, again = NULL;
  TmSynthPose pose_a, pose_b, pose_a4;

  a3 = tm_synth_shot (a, 3, &pose_a);
  b3 = tm_synth_shot (b, 3, &pose_b);
  c3 = tm_synth_shot (c, 3, NULL);
  a4 = tm_synth_shot (a, 4, &pose_a4);

  g_assert_true (tm_surface_equal (a3, b3));
  g_assert_cmpstr (tm_surface_get_meta (a3, "comment"), ==, tm_surface_get_meta (b3, "comment"));
  g_assert_cmpfloat (pose_a.rotation_deg, ==, pose_b.rotation_deg);
  g_assert_false (tm_surface_equal (a3, c3));
  g_assert_false (tm_surface_equal (a3, a4));
  g_assert_cmpfloat (pose_a.rotation_deg, !=, pose_a4.rotation_deg);

  /* Forcing a shot's own pose reproduces it bit for bit. */
  again = tm_synth_shot_at (a, 3, &pose_a);
  g_assert_true (tm_surface_equal (a3, again));

  g_assert_cmpuint (tm_synth_derive_seed (1, 0), !=, tm_synth_derive_seed (1, 1));
  g_assert_cmpuint (tm_synth_derive_seed (1, 0), !=, tm_synth_derive_seed (2, 0));
  g_assert_cmpuint (tm_synth_derive_seed (1, 5), ==, tm_synth_derive_seed (1, 5));
}

static void
test_statistics (void)
{
  TmSynthParams params;
  const TmSynthClass classes[] = {
    TM_SYNTH_CLASS_PARALLEL, TM_SYNTH_CLASS_ARCHED, TM_SYNTH_CLASS_GRANULAR,
  };

  tm_synth_params_init (&params);
  g_assert_cmpuint (params.size, ==, 400);
  g_assert_cmpfloat (params.pixel_um, ==, 6.25);

  for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
    {
      g_autoptr(TmSynthFirearm) firearm = NULL;
      double pin_u, pin_v, pin_r;
      double radius_um = params.radius_fraction * params.size * params.pixel_um;

      params.mark_class = classes[c];
      firearm = firearm_new (100 + c, &params);
      g_assert_cmpint (tm_synth_firearm_get_class (firearm), ==, classes[c]);
      tm_synth_firearm_get_pin (firearm, &pin_u, &pin_v, &pin_r);
      g_assert_cmpfloat (pin_r, >, 0.2 * radius_um);
      g_assert_cmpfloat (pin_r, <, 0.3 * radius_um);

      for (guint s = 0; s < 3; s++)
        {
          g_autoptr(TmSurface) shot = NULL;
          TmSynthPose pose;
          const float *data;
          double fraction, rms, px, py;
          guint size = params.size;
          gsize outside_valid = 0, pin_valid = 0, pin_points = 0;

          shot = tm_synth_shot (firearm, s, &pose);
          g_assert_cmpuint (tm_surface_get_width (shot), ==, size);
          g_assert_cmpuint (tm_surface_get_height (shot), ==, size);
          g_assert_cmpfloat (tm_surface_get_pixel_um_x (shot), ==, 6.25);
          g_assert_cmpint (tm_surface_get_modality (shot), ==, TM_MODALITY_3D);
          data = tm_surface_peek_data (shot);

          /* A disc of 72 % of the frame, less the pin hole (4.5 %), contact loss and
           * dropouts. */
          fraction = tm_surface_valid_fraction (shot);
          rms = surface_rms (shot);
          g_test_message ("class %s shot %u: valid %.3f, rms %.3f µm, rotation %.1f°",
                          tm_synth_class_to_string (classes[c]), s, fraction, rms,
                          pose.rotation_deg);
          g_assert_cmpfloat (fraction, >, 0.40);
          g_assert_cmpfloat (fraction, <, 0.70);
          g_assert_cmpfloat (rms, >, 0.6);
          g_assert_cmpfloat (rms, <, 1.3);
          g_assert_cmpfloat (fabs (pose.shift_x_um), <=, 0.1 * size * 6.25);
          g_assert_cmpfloat (fabs (pose.shift_y_um), <=, 0.1 * size * 6.25);

          /* Nothing outside the primer (allowing for its 1 % centring jitter). */
          for (guint j = 0; j < size; j++)
            for (guint i = 0; i < size; i++)
              {
                double x = ((double)i + 0.5 - size / 2.0) * 6.25;
                double y = ((double)j + 0.5 - size / 2.0) * 6.25;

                if (hypot (x, y) > 1.02 * radius_um && isfinite (data[j * size + i]))
                  outside_valid++;
              }
          g_assert_cmpuint (outside_valid, ==, 0);

          /* The firing-pin hole, where the pose puts it, holds no data. */
          tm_synth_pose_apply (&pose, pin_u, pin_v, &px, &py);
          for (guint j = 0; j < size; j++)
            for (guint i = 0; i < size; i++)
              {
                double x = ((double)i + 0.5 - size / 2.0) * 6.25;
                double y = ((double)j + 0.5 - size / 2.0) * 6.25;

                if (hypot (x - px, y - py) < 0.95 * pin_r)
                  {
                    pin_points++;
                    pin_valid += isfinite (data[j * size + i]) != 0;
                  }
              }
          g_assert_cmpuint (pin_points, >, 1000);
          g_assert_cmpuint (pin_valid, ==, 0);
          /* …while just around it there is surface. */
          g_assert_true (isfinite (data[(guint)(py / 6.25 + size / 2.0) * size +
                                        (guint)((px + 1.6 * pin_r) / 6.25 + size / 2.0)]) ||
                         isfinite (data[(guint)(py / 6.25 + size / 2.0) * size +
                                        (guint)((px - 1.6 * pin_r) / 6.25 + size / 2.0)]));
        }
    }
}

static void
test_classes (void)
{
  TmSynthParams params;
  guint seen[4] = { 0 };

  small_params (&params);
  for (guint64 seed = 0; seed < 30; seed++)
    {
      g_autoptr(TmSynthFirearm) firearm = firearm_new (seed, &params);
      TmSynthClass mark_class = tm_synth_firearm_get_class (firearm);

      g_assert_cmpint (mark_class, >=, TM_SYNTH_CLASS_PARALLEL);
      g_assert_cmpint (mark_class, <=, TM_SYNTH_CLASS_GRANULAR);
      seen[mark_class]++;
    }
  g_assert_cmpuint (seen[TM_SYNTH_CLASS_PARALLEL], >, 0);
  g_assert_cmpuint (seen[TM_SYNTH_CLASS_ARCHED], >, 0);
  g_assert_cmpuint (seen[TM_SYNTH_CLASS_GRANULAR], >, 0);
  g_assert_cmpstr (tm_synth_class_to_string (TM_SYNTH_CLASS_ARCHED), ==, "arched");
}

static void
test_pose (void)
{
  TmSynthPose a = { 30.0, 100.0, -50.0 }, b = { 250.0, -20.0, 70.0 }, inverse, between;
  double x, y, u, v, xa, ya, xb, yb, x2, y2;

  /* Counter-clockwise on screen with y down: right turns into up. */
  tm_synth_pose_apply (&(TmSynthPose) { 90.0, 0.0, 0.0 }, 1.0, 0.0, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 0.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (y, -1.0, 1e-12);

  tm_synth_pose_invert (&a, &inverse);
  tm_synth_pose_apply (&a, 123.0, -45.0, &x, &y);
  tm_synth_pose_apply (&inverse, x, y, &u, &v);
  g_assert_cmpfloat_with_epsilon (u, 123.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (v, -45.0, 1e-9);

  /* between (a, b) maps where a firearm point lands under a to where it lands under b. */
  tm_synth_pose_between (&a, &b, &between);
  g_assert_cmpfloat_with_epsilon (between.rotation_deg, 220.0, 1e-9);
  tm_synth_pose_apply (&a, 77.0, 31.0, &xa, &ya);
  tm_synth_pose_apply (&b, 77.0, 31.0, &xb, &yb);
  tm_synth_pose_apply (&between, xa, ya, &x2, &y2);
  g_assert_cmpfloat_with_epsilon (x2, xb, 1e-9);
  g_assert_cmpfloat_with_epsilon (y2, yb, 1e-9);
}

static void
test_transform (void)
{
  g_autoptr(TmSurface) surface = tm_surface_new (8, 8, 2.0, 2.0, TM_MODALITY_3D);
  g_autoptr(TmSurface) moved = NULL;
  const float *out;
  float *data = tm_surface_get_data (surface);

  /* One bright point at column 5, row 4; a shift of +2 px right and +1 px down moves it
   * to column 7, row 5; everything else is a ramp in x. */
  for (guint j = 0; j < 8; j++)
    for (guint i = 0; i < 8; i++)
      data[j * 8 + i] = (i == 5 && j == 4) ? 100.0f : (float)i;
  data[0] = NAN;
  tm_surface_sync_mask (surface);

  moved = tm_synth_transform_surface (surface, &(TmSynthPose) { 0.0, 4.0, 2.0 });
  out = tm_surface_peek_data (moved);
  g_assert_cmpfloat (out[5 * 8 + 7], ==, 100.0f);
  g_assert_cmpfloat (out[5 * 8 + 4], ==, 2.0f);
  g_assert_cmpfloat (out[7 * 8 + 7], ==, 5.0f);
  /* The invalid corner moved too, and what came from outside is invalid. */
  g_assert_true (isnan (out[1 * 8 + 2]));
  g_assert_cmpfloat (out[1 * 8 + 3], ==, 1.0f);
  g_assert_true (isnan (out[4 * 8 + 0]));
  g_assert_true (isnan (out[0 * 8 + 4]));
  g_assert_cmpuint (tm_surface_peek_mask (moved)[5 * 8 + 4], ==, 1);
  g_assert_cmpuint (tm_surface_peek_mask (moved)[4 * 8 + 0], ==, 0);

  /* A quarter turn: the point at (x, y) = (+3, +1) µm from the centre goes to
   * (+1, −3) µm, i.e. column 4, row 2. */
  g_clear_object (&moved);
  moved = tm_synth_transform_surface (surface, &(TmSynthPose) { 90.0, 0.0, 0.0 });
  out = tm_surface_peek_data (moved);
  g_assert_cmpfloat_with_epsilon (out[2 * 8 + 4], 100.0, 1e-3);
}

/* Known matches (same firearm, other shot) correlate well once the known poses are
 * undone; known non-matches do not. */
static void
test_similarity (void)
{
  TmSynthParams params;
  const guint n_firearms = 4, n_shots = 3;
  g_autoptr(GPtrArray) shots = g_ptr_array_new_with_free_func (g_object_unref);
  double km_min = 1, km_max = -1, knm_max = 0;

  small_params (&params);
  for (guint f = 0; f < n_firearms; f++)
    {
      g_autoptr(TmSynthFirearm) firearm = NULL;

      params.mark_class = (TmSynthClass)(1 + f % 3);
      firearm = firearm_new (tm_synth_derive_seed (42, f), &params);
      for (guint s = 0; s < n_shots; s++)
        g_ptr_array_add (shots, shot_in_firearm_frame (firearm, s));
    }

  for (guint i = 0; i < shots->len; i++)
    for (guint j = i + 1; j < shots->len; j++)
      {
        gsize overlap;
        double r = tm_synth_correlation (g_ptr_array_index (shots, i),
                                         g_ptr_array_index (shots, j), 1000, &overlap);

        g_assert_false (isnan (r));
        if (i / n_shots == j / n_shots)
          {
            km_min = MIN (km_min, r);
            km_max = MAX (km_max, r);
          }
        else
          knm_max = MAX (knm_max, fabs (r));
      }
  g_test_message ("known matches %.3f–%.3f, known non-matches |r| ≤ %.3f",
                  km_min, km_max, knm_max);
  g_assert_cmpfloat (km_min, >, 0.4);
  g_assert_cmpfloat (km_max, <, 0.95);
  g_assert_cmpfloat (knm_max, <, 0.15);
}

/* tm_synth_shot_at gives the same shot elsewhere: undoing each pose brings both back
 * to the same surface, up to interpolation. */
static void
test_shot_at (void)
{
  TmSynthParams params;
  g_autoptr(TmSynthFirearm) firearm = NULL;
  g_autoptr(TmSurface) own = NULL, moved = NULL, own_back = NULL, moved_back = NULL;
  TmSynthPose pose, other = { 123.0, 60.0, -90.0 }, inverse;
  gsize overlap;
  double r;

  small_params (&params);
  firearm = firearm_new (5, &params);
  own = tm_synth_shot (firearm, 9, &pose);
  moved = tm_synth_shot_at (firearm, 9, &other);
  g_assert_false (tm_surface_equal (own, moved));

  tm_synth_pose_invert (&pose, &inverse);
  own_back = tm_synth_transform_surface (own, &inverse);
  tm_synth_pose_invert (&other, &inverse);
  moved_back = tm_synth_transform_surface (moved, &inverse);
  r = tm_synth_correlation (own_back, moved_back, 1000, &overlap);
  g_test_message ("same shot at two poses: r = %.4f over %" G_GSIZE_FORMAT " points",
                  r, overlap);
  g_assert_cmpfloat (r, >, 0.97);
}

static void
test_invalid_params (void)
{
  TmSynthParams params;
  g_autoptr(GError) error = NULL;
  TmSynthFirearm *firearm;

  tm_synth_params_init (&params);
  params.size = 10;
  firearm = tm_synth_firearm_new (1, &params, &error);
  g_assert_null (firearm);
  g_assert_error (error, TM_SYNTH_ERROR, TM_SYNTH_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "10 px"));
  g_clear_error (&error);

  tm_synth_params_init (&params);
  params.long_cutoff_um = 10.0;
  g_assert_false (tm_synth_params_validate (&params, &error));
  g_assert_error (error, TM_SYNTH_ERROR, TM_SYNTH_ERROR_INVALID);
  g_clear_error (&error);

  tm_synth_params_init (&params);
  params.pixel_um = NAN;
  g_assert_false (tm_synth_params_validate (&params, &error));
  g_clear_error (&error);

  tm_synth_params_init (&params);
  g_assert_true (tm_synth_params_validate (&params, &error));
  g_assert_no_error (error);
}

typedef struct
{
  TmSynthFirearm *firearm;
  guint64         first_seed;
  TmSurface      *shots[4];
} ThreadJob;

static gpointer
draw_shots_thread (gpointer data)
{
  ThreadJob *job = data;

  for (guint i = 0; i < G_N_ELEMENTS (job->shots); i++)
    job->shots[i] = tm_synth_shot (job->firearm, job->first_seed + i, NULL);
  return NULL;
}

/* The benchmark draws shots from several threads: a shared firearm gives each thread
 * exactly what a single thread gets. */
static void
test_threads (void)
{
  TmSynthParams params;
  g_autoptr(TmSynthFirearm) firearm = NULL;
  ThreadJob jobs[2];
  GThread *threads[2];

  small_params (&params);
  firearm = firearm_new (31, &params);
  for (guint t = 0; t < 2; t++)
    {
      jobs[t] = (ThreadJob) { firearm, 100 * t, { NULL } };
      threads[t] = g_thread_new ("synth", draw_shots_thread, &jobs[t]);
    }
  for (guint t = 0; t < 2; t++)
    {
      g_thread_join (threads[t]);
      for (guint i = 0; i < G_N_ELEMENTS (jobs[t].shots); i++)
        {
          g_autoptr(TmSurface) expected = tm_synth_shot (firearm, 100 * t + i, NULL);

          g_assert_true (tm_surface_equal (jobs[t].shots[i], expected));
          g_object_unref (jobs[t].shots[i]);
        }
    }
}

/* Generation speed, reported rather than asserted (the machine is shared). */
static void
test_speed (void)
{
  TmSynthParams params;
  g_autoptr(TmSynthFirearm) firearm = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  const guint n = 10;
  double firearm_s;

  tm_synth_params_init (&params);
  firearm = firearm_new (11, &params);
  firearm_s = g_timer_elapsed (timer, NULL);
  g_timer_start (timer);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TmSurface) shot = tm_synth_shot (firearm, i, NULL);
      g_assert_nonnull (shot);
    }
  g_test_message ("400×400 px: firearm %.1f ms, shot %.1f ms",
                  firearm_s * 1e3, g_timer_elapsed (timer, NULL) * 1e3 / n);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* synth 3 firearms × 2 cases: six X3P files that read back as the very surfaces the
 * library makes in memory, a truth table, byte-identical on a second run. */
static void
test_cli (void)
{
  g_autofree char *tmp = tm_test_make_tmpdir ("test-synth-XXXXXX");
  g_autofree char *dir_a = g_build_filename (tmp, "a", "nested", NULL);
  g_autofree char *dir_b = g_build_filename (tmp, "b", NULL);
  g_autofree char *dir_c = g_build_filename (tmp, "c", NULL);
  g_autofree char *out = NULL, *err = NULL, *truth = NULL, *truth_path = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSynthFirearm) firearm = NULL;
  const char *args_a[] = { "synth", "--firearms", "3", "--cases", "2", "--out", dir_a, NULL };
  const char *args_b[] = { "synth", "--firearms", "3", "--cases", "2", "--out", dir_b,
                           "--seed", "1", NULL };
  const char *args_c[] = { "synth", "--firearms", "3", "--cases", "2", "--out", dir_c,
                           "--seed", "2", NULL };
  const char *args_force[] = { "synth", "--firearms", "3", "--cases", "2", "--out", dir_a,
                               "--force", NULL };
  int status;

  status = tm_test_run_cli (args_a, &out, &err);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (count_lines (out), ==, 7);

  truth_path = g_build_filename (dir_a, "truth.csv", NULL);
  g_file_get_contents (truth_path, &truth, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (truth, ==,
                   "file,firearm\n"
                   "F01-C01.x3p,F01\nF01-C02.x3p,F01\n"
                   "F02-C01.x3p,F02\nF02-C02.x3p,F02\n"
                   "F03-C01.x3p,F03\nF03-C02.x3p,F03\n");

  /* Every scan printed, readable, and equal to what the library draws for it. */
  firearm = firearm_new (tm_synth_derive_seed (1, 1), NULL);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(TmSurface) read = NULL;
      g_autofree char *base = g_path_get_basename (lines[i]);

      g_assert_true (g_str_has_prefix (lines[i], dir_a));
      g_assert_nonnull (strstr (truth, base));
      read = tm_x3p_read_file (lines[i], &error);
      g_assert_no_error (error);
      g_assert_cmpuint (tm_surface_get_width (read), ==, 400);
      g_assert_cmpuint (tm_surface_get_height (read), ==, 400);
      g_assert_cmpfloat_with_epsilon (tm_surface_get_pixel_um_x (read), 6.25, 1e-9);
      g_assert_cmpfloat (tm_surface_valid_fraction (read), >, 0.4);
      g_assert_cmpfloat (tm_surface_valid_fraction (read), <, 0.7);
      if (g_str_equal (base, "F02-C02.x3p"))
        {
          g_autoptr(TmSurface) expected = tm_synth_shot (firearm, 1, NULL);

          g_assert_true (tm_surface_equal (read, expected));
        }
    }
  g_assert_cmpstr (lines[6], ==, truth_path);

  /* The same seed writes the same bytes; another seed other bytes. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tm_test_run_cli (args_b, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tm_test_run_cli (args_c, &out, &err), ==, 0);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *base = g_path_get_basename (lines[i]);
      g_autofree char *path_b = g_build_filename (dir_b, base, NULL);
      g_autofree char *path_c = g_build_filename (dir_c, base, NULL);
      g_autoptr(GBytes) a = read_bytes (lines[i]);
      g_autoptr(GBytes) b = read_bytes (path_b);
      g_autoptr(GBytes) c = read_bytes (path_c);

      g_assert_true (g_bytes_equal (a, b));
      g_assert_false (g_bytes_equal (a, c));
    }

  /* An existing truth.csv is kept unless --force is given. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = tm_test_run_cli (args_a, &out, &err);
  g_assert_cmpint (status, !=, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "toolmark-cli: "));
  g_assert_nonnull (strstr (err, truth_path));
  g_assert_nonnull (strstr (err, "--force"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (tm_test_run_cli (args_force, &out, &err), ==, 0);
  g_assert_cmpuint (count_lines (out), ==, 7);
}

static void
test_cli_options (void)
{
  g_autofree char *tmp = tm_test_make_tmpdir ("test-synth-XXXXXX");
  g_autofree char *dir = g_build_filename (tmp, "small", NULL);
  g_autofree char *file = g_build_filename (tmp, "plain-file", NULL);
  g_autofree char *blocked = g_build_filename (file, "sub", NULL);
  g_autofree char *scan = g_build_filename (dir, "F01-C01.x3p", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) read = NULL;
  const char *small[] = { "synth", "--firearms", "1", "--cases", "1", "--out", dir,
                          "--size", "96", "--pixel-um", "25", "--seed", "77", NULL };
  struct {
    const char *args[12];
    const char *message;
  } bad[] = {
    { { "synth", "--firearms", "0", "--cases", "2", "--out", dir, NULL }, "--firearms" },
    { { "synth", "--firearms", "2", "--cases", "0", "--out", dir, NULL }, "--cases" },
    { { "synth", "--firearms", "20000", "--cases", "2", "--out", dir, NULL }, "--firearms" },
    { { "synth", "--firearms", "10000", "--cases", "1000", "--out", dir, NULL }, "files" },
    { { "synth", "--firearms", "2", "--cases", "2", NULL }, "--out" },
    { { "synth", "--firearms", "2", "--cases", "2", "--out", dir, "--seed", "abc", NULL }, "--seed" },
    { { "synth", "--firearms", "2", "--cases", "2", "--out", dir, "--size", "10", NULL }, "10 px" },
    { { "synth", "--firearms", "2", "--cases", "2", "--out", dir, "--pixel-um", "-1", NULL }, "pixel" },
    { { "synth", "--firearms", "2", "--cases", "2", "--out", blocked, NULL }, blocked },
    { { "synth", "--firearms", "x", "--cases", "2", "--out", dir, NULL }, "synth" },
  };

  g_file_set_contents (file, "not a folder", -1, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      int status = tm_test_run_cli (bad[i].args, &out, &err);

      g_test_message ("bad case %u: %s", i, err);
      g_assert_cmpint (status, !=, 0);
      g_assert_true (g_str_has_prefix (err, "toolmark-cli: "));
      g_assert_nonnull (strstr (err, bad[i].message));
      g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }

  /* --size and --pixel-um reach the scans. */
  g_assert_cmpint (tm_test_run_cli (small, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpuint (count_lines (out), ==, 2);
  read = tm_x3p_read_file (scan, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tm_surface_get_width (read), ==, 96);
  g_assert_cmpfloat_with_epsilon (tm_surface_get_pixel_um_x (read), 25.0, 1e-9);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/synth/determinism", test_determinism);
  g_test_add_func ("/synth/statistics", test_statistics);
  g_test_add_func ("/synth/classes", test_classes);
  g_test_add_func ("/synth/pose", test_pose);
  g_test_add_func ("/synth/transform", test_transform);
  g_test_add_func ("/synth/similarity", test_similarity);
  g_test_add_func ("/synth/shot-at", test_shot_at);
  g_test_add_func ("/synth/params/invalid", test_invalid_params);
  g_test_add_func ("/synth/threads", test_threads);
  g_test_add_func ("/synth/speed", test_speed);
  g_test_add_func ("/synth/cli", test_cli);
  g_test_add_func ("/synth/cli/options", test_cli_options);

  return g_test_run ();
}
