/* test-signature.c — pre-score signatures: invariance, storage, streaming
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-preprocess.h"
#include "tm-registration.h"
#include "tm-signature.h"
#include "tm-synth.h"

static TmSurface *
preprocessed_shot (guint64            firearm_seed,
                   guint64            shot_seed,
                   const TmSynthPose *pose)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSynthFirearm) firearm = NULL;
  g_autoptr(TmSurface) shot = NULL;
  TmSynthParams params;
  TmPreprocessParams pp;
  TmSurface *out;

  tm_synth_params_init (&params);
  params.size = 256;
  firearm = tm_synth_firearm_new (firearm_seed, &params, &error);
  g_assert_no_error (error);
  shot = pose ? tm_synth_shot_at (firearm, shot_seed, pose) : tm_synth_shot (firearm, shot_seed, NULL);
  tm_preprocess_params_init (&pp);
  pp.mode = TM_PREPROCESS_LIGHT;
  out = tm_preprocess_surface (shot, &pp, NULL, NULL, &error);
  g_assert_no_error (error);
  return out;
}

static float *
signature_of (TmSurface *surface)
{
  g_autoptr(GError) error = NULL;
  float *sig = tm_signature_compute (surface, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sig);
  return sig;
}

/* The same shot at several orientations (and shifts) must keep its signature: the
 * pre-score of a scan against its rotated copy is near 1 and above that of any other
 * firearm's shot. */
static void
test_rotation_invariance (void)
{
  const double angles[] = { 0, 37, 90, 151, 233, 312 };
  g_autofree float *ref = NULL;
  g_autoptr(TmSurface) ref_surface = NULL;
  float worst_same = 1, best_other = -1;

  ref_surface = preprocessed_shot (11, 5, &(TmSynthPose) { 0, 0, 0 });
  ref = signature_of (ref_surface);
  g_assert_cmpfloat (fabsf (tm_signature_score (ref, ref) - 1), <, 1e-4);

  for (guint i = 1; i < G_N_ELEMENTS (angles); i++)
    {
      TmSynthPose pose = { angles[i], 40.0 * i - 100, 60 - 25.0 * i };
      g_autoptr(TmSurface) s = preprocessed_shot (11, 5, &pose);
      g_autofree float *sig = signature_of (s);
      float score = tm_signature_score (ref, sig);

      g_test_message ("rotated %.0f°: pre-score %.3f", angles[i], score);
      worst_same = MIN (worst_same, score);
    }
  for (guint f = 0; f < 6; f++)
    {
      g_autoptr(TmSurface) s = preprocessed_shot (100 + f, 5, NULL);
      g_autofree float *sig = signature_of (s);

      best_other = MAX (best_other, tm_signature_score (ref, sig));
    }
  g_test_message ("same shot rotated: worst %.3f; other firearms: best %.3f", worst_same, best_other);
  g_assert_cmpfloat (worst_same, >, 0.85);
  g_assert_cmpfloat (worst_same, >, best_other + 0.1);
}

/* The engine's own rotation of a preprocessed surface (bilinear, about the centre)
 * gives the same answer as a shot drawn at that angle. */
static void
test_rotation_transform (void)
{
  g_autoptr(TmSurface) a = preprocessed_shot (21, 1, NULL);
  g_autoptr(TmSurface) b = tm_surface_transform (a, 123.0, 7, -4);
  g_autofree float *sa = signature_of (a);
  g_autofree float *sb = signature_of (b);
  float score = tm_signature_score (sa, sb);

  g_test_message ("surface vs its transformed copy: %.3f", score);
  g_assert_cmpfloat (score, >, 0.85);
}

/* Shots of one firearm score above shots of others (most of the time: this is a
 * pre-score, so the test asks for the majority, with a margin to fail on). */
static void
test_mates_rank_high (void)
{
  const guint n_firearms = 12;
  g_autoptr(GPtrArray) sigs = g_ptr_array_new_with_free_func (g_free);
  guint first = 0, total = 0;

  for (guint f = 0; f < n_firearms; f++)
    for (guint s = 0; s < 2; s++)
      {
        g_autoptr(TmSurface) surface = preprocessed_shot (300 + f, 10 + s, NULL);
        g_ptr_array_add (sigs, signature_of (surface));
      }
  for (guint q = 0; q < sigs->len; q++)
    {
      guint mate = q ^ 1, rank = 1;
      float s_mate = tm_signature_score (sigs->pdata[q], sigs->pdata[mate]);

      for (guint c = 0; c < sigs->len; c++)
        if (c != q && c != mate && tm_signature_score (sigs->pdata[q], sigs->pdata[c]) >= s_mate)
          rank++;
      total++;
      if (rank == 1)
        first++;
    }
  g_test_message ("mate ranked first for %u of %u queries", first, total);
  g_assert_cmpuint (first * 4, >=, total * 3);
}

static void
test_bytes (void)
{
  g_autoptr(TmSurface) a = preprocessed_shot (31, 2, NULL);
  g_autofree float *sig = signature_of (a);
  g_autoptr(GBytes) bytes = tm_signature_to_bytes (sig);
  g_autoptr(GError) error = NULL;
  float back[TM_SIGNATURE_DIM];
  g_autofree guint8 *bad = NULL;
  g_autoptr(GBytes) bad_bytes = NULL;
  gsize size;

  g_assert_cmpuint (g_bytes_get_size (bytes), <, 600);
  g_assert_true (tm_signature_from_bytes (bytes, back, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_signature_score (sig, back), >, 0.995);

  /* Another version is refused, not misread. */
  /* Two statements: in one call the order of evaluating the arguments is unspecified,
   * so size could be read before g_bytes_get_data() sets it. */
  {
    gconstpointer data = g_bytes_get_data (bytes, &size);
    bad = g_memdup2 (data, size);
  }
  bad[2] ^= 0x7f;
  bad_bytes = g_bytes_new (bad, size);
  g_assert_false (tm_signature_from_bytes (bad_bytes, back, &error));
  g_assert_error (error, TM_SIGNATURE_ERROR, TM_SIGNATURE_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&bad_bytes, g_bytes_unref);
  bad_bytes = g_bytes_new (bad, 5);
  g_assert_false (tm_signature_from_bytes (bad_bytes, back, &error));
  g_assert_error (error, TM_SIGNATURE_ERROR, TM_SIGNATURE_ERROR_INVALID);
}

static void
test_empty (void)
{
  g_autoptr(TmSurface) s = tm_surface_new (64, 64, 6.25, 6.25, TM_MODALITY_3D);
  g_autoptr(GError) error = NULL;
  float *z = tm_surface_get_data (s);
  float *sig;

  for (guint i = 0; i < 64 * 64; i++)
    z[i] = NAN;
  tm_surface_sync_mask (s);
  sig = tm_signature_compute (s, &error);
  g_assert_null (sig);
  g_assert_error (error, TM_SIGNATURE_ERROR, TM_SIGNATURE_ERROR_EMPTY);
}

/* Multi-threaded pre-score equals the one-thread result value for value. */
static void
test_prescore_threads (void)
{
  const gsize n = 20000;
  g_autoptr(TmSignatureSet) set = tm_signature_set_new (16);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree float *one = g_new (float, n);
  g_autofree float *many = g_new (float, n);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  float v[TM_SIGNATURE_DIM];

  for (gsize i = 0; i < n; i++)
    {
      for (guint d = 0; d < TM_SIGNATURE_DIM; d++)
        v[d] = (float)g_rand_double_range (rand, -1, 1);
      tm_signature_set_add (set, (gint64)i + 1, v);
    }
  g_assert_cmpuint (tm_signature_set_get_size (set), ==, n);
  g_assert_cmpint (tm_signature_set_get_id (set, 17), ==, 18);
  g_assert_true (tm_signature_set_prescore (set, tm_signature_set_get (set, 3), one, 1, NULL));
  g_assert_true (tm_signature_set_prescore (set, tm_signature_set_get (set, 3), many, 4, NULL));
  g_assert_cmpmem (one, n * sizeof (float), many, n * sizeof (float));
  g_assert_cmpfloat (one[3], ==, tm_signature_score (tm_signature_set_get (set, 3),
                                                     tm_signature_set_get (set, 3)));

  g_cancellable_cancel (cancellable);
  g_assert_false (tm_signature_set_prescore (set, v, many, 2, cancellable));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/signature/rotation/synth", test_rotation_invariance);
  g_test_add_func ("/signature/rotation/transform", test_rotation_transform);
  g_test_add_func ("/signature/mates", test_mates_rank_high);
  g_test_add_func ("/signature/bytes", test_bytes);
  g_test_add_func ("/signature/empty", test_empty);
  g_test_add_func ("/signature/prescore/threads", test_prescore_threads);

  return g_test_run ();
}
