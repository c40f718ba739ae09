/* test-search.c — the search cascade end to end on a small synthetic database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Six synthetic firearms, three shots each, written as X3P and imported through the
 * importer (so preprocessing and signatures are the stored ones). Firearms 0–3 are 9 mm,
 * 4–5 are .40 S&W; shot 2 of every firearm is a test fire, the others crime-scene.
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "tm-importer.h"
#include "tm-score-model.h"
#include "tm-search.h"
#include "tm-synth.h"
#include "tm-test-support.h"
#include "tm-x3p.h"

#define N_FIREARMS 6
#define N_SHOTS    3

typedef struct
{
  char    *dir;
  char    *db_path;
  TmStore *store;
  gint64   ids[N_FIREARMS][N_SHOTS];
} Fixture;

static Fixture *fixture;

static int
firearm_of (gint64 id)
{
  for (int f = 0; f < N_FIREARMS; f++)
    for (int s = 0; s < N_SHOTS; s++)
      if (fixture->ids[f][s] == id)
        return f;
  return -1;
}

static void
build_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmImporter) importer = NULL;
  TmSynthParams params;

  fixture = g_new0 (Fixture, 1);
  fixture->dir = tm_test_make_tmpdir ("test-search-XXXXXX");
  fixture->db_path = g_build_filename (fixture->dir, "search.db", NULL);
  fixture->store = tm_store_open (fixture->db_path, &error);
  g_assert_no_error (error);
  importer = tm_importer_new (fixture->store, g_get_user_name ());

  tm_synth_params_init (&params);
  params.size = 256;
  for (int f = 0; f < N_FIREARMS; f++)
    {
      g_autoptr(TmSynthFirearm) firearm = tm_synth_firearm_new (tm_synth_derive_seed (2024, f), &params, &error);

      g_assert_no_error (error);
      for (int s = 0; s < N_SHOTS; s++)
        {
          g_autoptr(TmSurface) shot = tm_synth_shot (firearm, tm_synth_derive_seed (77 + f, s), NULL);
          g_autofree char *name = g_strdup_printf ("gun%d-shot%d.x3p", f, s);
          g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
          g_autoptr(TmCaseData) data = tm_case_data_new ();
          g_autoptr(TmAcquisition) a = NULL;

          g_assert_true (tm_x3p_write_file (shot, path, &error));
          g_assert_no_error (error);
          data->calibre = g_strdup (f < 4 ? "9mm Luger" : ".40 S&W");
          data->kind = g_strdup (s == 2 ? "test-fire" : "crime-scene");
          data->case_number = g_strdup_printf ("CASE-%d-%d", f, s);
          data->incident_date = g_strdup_printf ("2024-0%d-15", 1 + f);
          data->breech_face_class = g_strdup (f % 2 ? "granular" : "parallel");
          tm_importer_set_defaults (importer, data);
          a = tm_importer_import_file (importer, path, &error);
          g_assert_no_error (error);
          fixture->ids[f][s] = tm_acquisition_get_id (a);
        }
    }
}

static TmCorrelationRun *
search (gint64                 query,
        const TmSearchFilters *filters,
        guint                  top_n)
{
  g_autoptr(GError) error = NULL;
  TmSearchParams params;
  TmCorrelationRun *run;

  tm_search_params_init (&params);
  params.top_n = top_n;
  run = tm_search_run (fixture->store, query, filters, &params, g_get_user_name (), NULL, NULL,
                       NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run);
  return run;
}

/* Every query's two mates rank first and second, and the counts say what was done. */
static void
test_mates_first (void)
{
  guint worst_rank = 0;

  for (int f = 0; f < N_FIREARMS; f++)
    {
      gint64 query = fixture->ids[f][0];
      g_autoptr(TmCorrelationRun) run = search (query, NULL, 0);
      GArray *c = tm_correlation_run_get_candidates (run);
      guint filtered, prescored, full, unprocessed;

      tm_correlation_run_get_counts (run, &filtered, &prescored, &full, &unprocessed);
      g_assert_cmpuint (filtered, ==, N_FIREARMS * N_SHOTS - 1);
      g_assert_cmpuint (prescored, ==, filtered);
      g_assert_cmpuint (full, ==, filtered);
      g_assert_cmpuint (unprocessed, ==, 0);
      g_assert_cmpuint (c->len, ==, full);
      g_assert_cmpint (tm_correlation_run_get_status (run), ==, TM_CORRELATION_RUN_COMPLETE);
      for (guint i = 0; i < c->len; i++)
        {
          const TmCandidate *k = &g_array_index (c, TmCandidate, i);

          g_assert_cmpuint (k->rank, ==, i + 1);
          g_assert_cmpint (k->acquisition_id, !=, query);
          if (i > 0)
            g_assert_cmpfloat (k->score, <=, g_array_index (c, TmCandidate, i - 1).score);
          if (firearm_of (k->acquisition_id) == f)
            worst_rank = MAX (worst_rank, k->rank);
        }
      g_test_message ("firearm %d: mates score %.2f and %.2f, best non-mate %.2f", f,
                      g_array_index (c, TmCandidate, 0).score, g_array_index (c, TmCandidate, 1).score,
                      g_array_index (c, TmCandidate, 2).score);
      g_assert_cmpint (firearm_of (g_array_index (c, TmCandidate, 0).acquisition_id), ==, f);
      g_assert_cmpint (firearm_of (g_array_index (c, TmCandidate, 1).acquisition_id), ==, f);
      /* The best candidate's score is unusual against the rest. */
      g_assert_cmpfloat (g_array_index (c, TmCandidate, 0).p_knm, <, 0.1);
    }
  g_assert_cmpuint (worst_rank, ==, 2);
}

static void
test_top_n (void)
{
  g_autoptr(TmCorrelationRun) run = search (fixture->ids[1][1], NULL, 4);
  guint filtered, prescored, full;

  tm_correlation_run_get_counts (run, &filtered, &prescored, &full, NULL);
  g_assert_cmpuint (filtered, ==, 17);
  g_assert_cmpuint (prescored, ==, 17);
  g_assert_cmpuint (full, ==, 4);
  g_assert_cmpuint (tm_correlation_run_get_candidates (run)->len, ==, 4);
  g_assert_cmpint (firearm_of (g_array_index (tm_correlation_run_get_candidates (run), TmCandidate, 0).acquisition_id), ==, 1);
}

static void
test_filters (void)
{
  g_autoptr(GError) error = NULL;
  TmSearchFilters filters = { 0 };

  /* Calibre: only the .40 S&W firearms (4, 5) remain; of them the query's mates lead. */
  {
    g_autoptr(TmCorrelationRun) run = NULL;
    GArray *c;
    guint filtered;

    filters.calibre = g_strdup (".40 S&W");
    g_assert_true (tm_search_filters_normalize (&filters, &error));
    g_assert_no_error (error);
    run = search (fixture->ids[4][0], &filters, 0);
    c = tm_correlation_run_get_candidates (run);
    tm_correlation_run_get_counts (run, &filtered, NULL, NULL, NULL);
    g_assert_cmpuint (filtered, ==, 5);
    for (guint i = 0; i < c->len; i++)
      g_assert_cmpint (firearm_of (g_array_index (c, TmCandidate, i).acquisition_id), >=, 4);
    g_assert_cmpint (firearm_of (g_array_index (c, TmCandidate, 0).acquisition_id), ==, 4);
    tm_search_filters_clear (&filters);
  }
  /* Kind and breech-face class together: test fires of the "parallel" firearms 0, 2, 4. */
  {
    g_autoptr(TmCorrelationRun) run = NULL;
    GArray *c;

    filters.kind = g_strdup ("test-fire");
    filters.breech_face_class = g_strdup ("Parallel");
    g_assert_true (tm_search_filters_normalize (&filters, &error));
    g_assert_cmpstr (filters.breech_face_class, ==, "parallel");
    run = search (fixture->ids[0][0], &filters, 0);
    c = tm_correlation_run_get_candidates (run);
    g_assert_cmpuint (c->len, ==, 3);
    for (guint i = 0; i < c->len; i++)
      {
        gint64 id = g_array_index (c, TmCandidate, i).acquisition_id;
        g_assert_true (id == fixture->ids[0][2] || id == fixture->ids[2][2] || id == fixture->ids[4][2]);
      }
    g_assert_cmpint (g_array_index (c, TmCandidate, 0).acquisition_id, ==, fixture->ids[0][2]);
    tm_search_filters_clear (&filters);
  }
  /* Incident dates: firearms 1 and 2 (February, March). */
  {
    g_autoptr(TmCorrelationRun) run = NULL;
    guint filtered;

    filters.incident_from = g_strdup ("2024-02-01");
    filters.incident_to = g_strdup ("2024-03-15");
    g_assert_true (tm_search_filters_normalize (&filters, &error));
    run = search (fixture->ids[0][0], &filters, 0);
    tm_correlation_run_get_counts (run, &filtered, NULL, NULL, NULL);
    g_assert_cmpuint (filtered, ==, 6);
    tm_search_filters_clear (&filters);
  }
  /* Entry dates: nothing was imported in 2001; a site that is not ours has nothing. */
  {
    g_autoptr(TmCorrelationRun) run = NULL;
    g_autoptr(TmCorrelationRun) run2 = NULL;
    g_autoptr(TmCorrelationRun) run3 = NULL;
    const char *sites[] = { "00000000-0000-4000-8000-000000000000", NULL };
    const char *ours[] = { tm_store_get_local_site (fixture->store), NULL };
    guint filtered, full;

    filters.entered_to = g_strdup ("2001-12-31");
    run = search (fixture->ids[0][0], &filters, 0);
    tm_correlation_run_get_counts (run, &filtered, NULL, &full, NULL);
    g_assert_cmpuint (filtered, ==, 0);
    g_assert_cmpuint (full, ==, 0);
    tm_search_filters_clear (&filters);

    filters.sites = g_strdupv ((char **)sites);
    run2 = search (fixture->ids[0][0], &filters, 0);
    tm_correlation_run_get_counts (run2, &filtered, NULL, NULL, NULL);
    g_assert_cmpuint (filtered, ==, 0);
    tm_search_filters_clear (&filters);

    filters.sites = g_strdupv ((char **)ours);
    run3 = search (fixture->ids[0][0], &filters, 2);
    tm_correlation_run_get_counts (run3, &filtered, NULL, NULL, NULL);
    g_assert_cmpuint (filtered, ==, 17);
    tm_search_filters_clear (&filters);
  }
  /* Values that are not understood are refused with the filter named. */
  filters.firing_pin_shape = g_strdup ("triangular");
  g_assert_false (tm_search_filters_normalize (&filters, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "triangular"));
  g_clear_error (&error);
  tm_search_filters_clear (&filters);
  filters.incident_from = g_strdup ("2024-13-01");
  g_assert_false (tm_search_filters_normalize (&filters, &error));
  g_assert_error (error, TM_SEARCH_ERROR, TM_SEARCH_ERROR_INVALID);
  tm_search_filters_clear (&filters);
}

typedef struct
{
  GCancellable *cancellable;
  guint         full_calls;
  guint         prescore_calls;
} CancelState;

static void
cancel_progress_cb (TmSearchStage stage,
                    guint64       done,
                    guint64       total,
                    gpointer      user_data)
{
  CancelState *state = user_data;

  g_assert_cmpuint (done, <=, total);
  if (stage == TM_SEARCH_STAGE_PRESCORE)
    state->prescore_calls++;
  if (stage == TM_SEARCH_STAGE_FULL && ++state->full_calls == 2)
    g_cancellable_cancel (state->cancellable);
}

/* Cancelled during the full stage: the run keeps what finished, says so, and is stored
 * with status cancelled. */
static void
test_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(TmCorrelationRun) loaded = NULL;
  CancelState state = { cancellable, 0, 0 };
  TmSearchParams params;
  guint filtered, prescored, full;

  tm_search_params_init (&params);
  params.top_n = 0;
  params.n_threads = 1;
  run = tm_search_run (fixture->store, fixture->ids[2][0], NULL, &params, g_get_user_name (),
                       cancel_progress_cb, &state, cancellable, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tm_correlation_run_get_status (run), ==, TM_CORRELATION_RUN_CANCELLED);
  tm_correlation_run_get_counts (run, &filtered, &prescored, &full, NULL);
  g_assert_cmpuint (state.prescore_calls, ==, 1);
  g_assert_cmpuint (filtered, ==, 17);
  g_assert_cmpuint (prescored, ==, 17);
  /* One thread: the second comparison's progress cancels; a third may not start. */
  g_assert_cmpuint (full, ==, 2);
  g_assert_cmpuint (tm_correlation_run_get_candidates (run)->len, ==, 2);
  g_assert_cmpint (tm_correlation_run_get_id (run), >, 0);

  loaded = tm_store_load_run (fixture->store, tm_correlation_run_get_id (run), &error);
  g_assert_no_error (error);
  g_assert_cmpint (tm_correlation_run_get_status (loaded), ==, TM_CORRELATION_RUN_CANCELLED);
  tm_correlation_run_get_counts (loaded, &filtered, &prescored, &full, NULL);
  g_assert_cmpuint (full, ==, 2);
  g_assert_cmpuint (tm_correlation_run_get_candidates (loaded)->len, ==, 2);

  /* Cancelled before it starts: nothing is scored, and the counts say so. */
  {
    g_autoptr(TmCorrelationRun) run2 = NULL;

    run2 = tm_search_run (fixture->store, fixture->ids[2][0], NULL, &params, g_get_user_name (),
                          NULL, NULL, cancellable, &error);
    g_assert_no_error (error);
    g_assert_cmpint (tm_correlation_run_get_status (run2), ==, TM_CORRELATION_RUN_CANCELLED);
    tm_correlation_run_get_counts (run2, &filtered, &prescored, &full, NULL);
    g_assert_cmpuint (filtered, ==, 17);
    g_assert_cmpuint (prescored, ==, 0);
    g_assert_cmpuint (full, ==, 0);
  }
}

/* The stored run is what was returned: counts, candidates, poses, review state. */
static void
test_stored (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmCorrelationRun) run = search (fixture->ids[3][1], NULL, 5);
  g_autoptr(TmCorrelationRun) loaded = tm_store_load_run (fixture->store, tm_correlation_run_get_id (run), &error);
  g_autoptr(JsonNode) json = NULL;
  GArray *a, *b;
  JsonObject *o;

  g_assert_no_error (error);
  a = tm_correlation_run_get_candidates (run);
  b = tm_correlation_run_get_candidates (loaded);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const TmCandidate *x = &g_array_index (a, TmCandidate, i);
      const TmCandidate *y = &g_array_index (b, TmCandidate, i);

      g_assert_cmpint (x->acquisition_id, ==, y->acquisition_id);
      g_assert_cmpuint (x->rank, ==, y->rank);
      g_assert_cmpfloat_with_epsilon (x->score, y->score, 1e-9);
      g_assert_cmpfloat_with_epsilon (x->angle_deg, y->angle_deg, 1e-9);
      g_assert_cmpuint (x->cmc_a_to_b, ==, y->cmc_a_to_b);
      g_assert_cmpstr (y->review_state, ==, "unreviewed");
      g_assert_cmpstr (x->file, ==, y->file);
    }
  g_assert_cmpstr (tm_correlation_run_get_user (loaded), ==, g_get_user_name ());
  g_assert_nonnull (tm_correlation_run_get_started_at (loaded));
  g_assert_cmpfloat (tm_correlation_run_get_timing (loaded, "total"), >, 0);

  json = tm_correlation_run_to_json (loaded);
  o = json_node_get_object (json);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "query"), "id"), ==,
                   fixture->ids[3][1]);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "counts"), "full"), ==, 5);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "candidates")), ==, 5);
  g_assert_true (json_object_has_member (json_object_get_object_member (
                   json_array_get_object_element (json_object_get_array_member (o, "candidates"), 0),
                   "scores"), "p_knm"));
}

/* An acquisition without derived data is counted, not searched; and cannot be a query
 * until reprocessed. */
static void
test_unprocessed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) shot = NULL;
  g_autoptr(TmSynthFirearm) firearm = NULL;
  g_autoptr(TmCaseData) data = tm_case_data_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(TmCorrelationRun) after = NULL;
  TmSynthParams sp;
  TmPreprocessParams pp;
  TmDerived derived = { 0 };
  g_autofree char *hash = NULL;
  g_autoptr(GArray) stale = NULL;
  guint filtered, unprocessed;
  gint64 id;

  tm_synth_params_init (&sp);
  sp.size = 256;
  firearm = tm_synth_firearm_new (tm_synth_derive_seed (2024, 0), &sp, &error);
  shot = tm_synth_shot (firearm, 999, NULL);
  bytes = tm_x3p_write_bytes (shot, &error);
  g_assert_no_error (error);
  id = tm_store_add_acquisition (fixture->store, data, shot, bytes, "bare.x3p", g_get_user_name (), &error);
  g_assert_no_error (error);

  g_assert_null (tm_search_run (fixture->store, id, NULL, NULL, g_get_user_name (), NULL, NULL, NULL, &error));
  g_assert_error (error, TM_SEARCH_ERROR, TM_SEARCH_ERROR_UNPROCESSED);
  g_clear_error (&error);

  run = search (fixture->ids[0][0], NULL, 3);
  tm_correlation_run_get_counts (run, &filtered, NULL, NULL, &unprocessed);
  g_assert_cmpuint (filtered, ==, 18);
  g_assert_cmpuint (unprocessed, ==, 1);

  tm_preprocess_params_init (&pp);
  hash = tm_derived_params_hash (&pp);
  stale = tm_store_list_stale (fixture->store, hash, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stale->len, ==, 1);
  g_assert_cmpint (g_array_index (stale, gint64, 0), ==, id);
  g_assert_true (tm_derived_compute (shot, &pp, &derived, &error));
  derived.params_hash = hash;
  g_assert_true (tm_store_set_derived (fixture->store, id, &derived, &error));
  g_assert_no_error (error);
  tm_derived_clear (&derived);

  after = search (fixture->ids[0][0], NULL, 3);
  tm_correlation_run_get_counts (after, &filtered, NULL, NULL, &unprocessed);
  g_assert_cmpuint (unprocessed, ==, 0);
  /* The new shot is firearm 0's too: it joins the query's mates. */
  g_assert_cmpint (firearm_of (g_array_index (tm_correlation_run_get_candidates (after), TmCandidate, 0).acquisition_id), ==, 0);
}

/* Stored surfaces come back as they went in, to the int16 quantisation. */
static void
test_preprocessed_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) s = tm_store_load_preprocessed (fixture->store, fixture->ids[5][2], "breech-face", &error);
  const float *z;
  gsize n_valid = 0;
  float lo, hi;

  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), >, 0);
  z = tm_surface_peek_data (s);
  for (gsize i = 0; i < (gsize)tm_surface_get_width (s) * tm_surface_get_height (s); i++)
    if (!isnan (z[i]))
      n_valid++;
  g_assert_cmpuint (n_valid, >, 1000);
  g_assert_true (tm_surface_get_range (s, &lo, &hi));
  g_assert_cmpfloat (hi, >, lo);

  g_assert_null (tm_store_load_preprocessed (fixture->store, 123456, "breech-face", &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND);
}

static void
test_select_top (void)
{
  const float scores[] = { 0.1f, 0.9f, 0.5f, NAN, 0.9f, -1.0f, 0.7f };
  g_autoptr(GArray) top3 = tm_search_select_top (scores, G_N_ELEMENTS (scores), 3);
  g_autoptr(GArray) all = tm_search_select_top (scores, G_N_ELEMENTS (scores), 0);
  const guint expect_all[] = { 1, 4, 6, 2, 0, 5, 3 };

  g_assert_cmpuint (top3->len, ==, 3);
  g_assert_cmpuint (g_array_index (top3, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (top3, guint, 1), ==, 4);
  g_assert_cmpuint (g_array_index (top3, guint, 2), ==, 6);
  g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (scores));
  for (guint i = 0; i < all->len; i++)
    g_assert_cmpuint (g_array_index (all, guint, i), ==, expect_all[i]);
}

static void
test_score_model (void)
{
  double knm[100];
  g_autoptr(TmScoreModel) model = NULL;
  g_autoptr(TmScoreModel) flat = NULL;

  for (guint i = 0; i < 100; i++)
    knm[i] = i % 5;   /* 0…4, twenty each */
  model = tm_score_model_new (knm, 100);
  g_assert_cmpuint (tm_score_model_get_n (model), ==, 100);
  g_assert_cmpfloat_with_epsilon (tm_score_model_p_empirical (model, -1), 101.0 / 101, 1e-12);
  g_assert_cmpfloat_with_epsilon (tm_score_model_p_empirical (model, 4), 21.0 / 101, 1e-12);
  g_assert_cmpfloat_with_epsilon (tm_score_model_p_empirical (model, 4.5), 1.0 / 101, 1e-12);
  /* Beyond the data the fitted tail keeps falling. */
  g_assert_cmpfloat (tm_score_model_p_fitted (model, 10), <, tm_score_model_p_fitted (model, 5));
  g_assert_cmpfloat (tm_score_model_p_fitted (model, 20), <, 1e-3);
  g_assert_cmpfloat (tm_score_model_p_fitted (model, 0), >, 0.5);

  flat = tm_score_model_new (knm, 0);
  g_assert_true (isnan (tm_score_model_p_empirical (flat, 1)));
  g_assert_true (isnan (tm_score_model_p_fitted (flat, 1)));
}

/* ---- firing-pin impressions ---- */

#define PIN_SIZE 320
#define PIN_FIREARMS 4

/* A raw-looking scan: a synthetic shot whose firing-pin hole is filled with an
 * impression, a bowl 60 µm deep carrying marks of its own that belong to the firearm
 * (drawn from a second synthetic "firearm" @pin_seed, turned with the shot). Without a
 * @pin_seed the hole stays empty (no impression, as in processed scans). */
static TmSurface *
shot_with_pin (guint64 firearm_seed,
               guint64 pin_seed,
               guint64 shot_seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSynthFirearm) firearm = NULL;
  g_autoptr(TmSynthFirearm) pin_marks = NULL;
  g_autoptr(TmSurface) texture = NULL;
  TmSynthParams params, pin_params;
  TmSynthPose pose, texture_pose;
  TmSurface *shot;
  double u, v, r_um, x, y, cx, cy, r, px;
  float *z;
  const float *t;
  int side;

  tm_synth_params_init (&params);
  params.size = PIN_SIZE;
  params.pin_fraction = 0.4;
  firearm = tm_synth_firearm_new (firearm_seed, &params, &error);
  g_assert_no_error (error);
  shot = tm_synth_shot (firearm, shot_seed, &pose);
  if (pin_seed == 0)
    return shot;

  px = params.pixel_um;
  tm_synth_firearm_get_pin (firearm, &u, &v, &r_um);
  tm_synth_pose_apply (&pose, u, v, &x, &y);
  cx = (PIN_SIZE - 1) / 2.0 + x / px;
  cy = (PIN_SIZE - 1) / 2.0 + y / px;
  r = r_um / px;

  side = 2 * (int)ceil (r) + 8;
  tm_synth_params_init (&pin_params);
  pin_params.size = side;
  pin_params.radius_fraction = 0.5;
  pin_params.pin_fraction = 0;
  pin_params.max_shift_fraction = 0;
  pin_params.contact_probability = 0;
  pin_params.dropouts = 0;
  pin_params.rms_um = 1.5;
  pin_marks = tm_synth_firearm_new (pin_seed, &pin_params, &error);
  g_assert_no_error (error);
  texture_pose.rotation_deg = pose.rotation_deg;
  texture_pose.shift_x_um = texture_pose.shift_y_um = 0;
  texture = tm_synth_shot_at (pin_marks, shot_seed, &texture_pose);
  t = tm_surface_peek_data (texture);

  z = tm_surface_get_data (shot);
  for (int j = 0; j < PIN_SIZE; j++)
    for (int i = 0; i < PIN_SIZE; i++)
      {
        double d = hypot (i - cx, j - cy);
        int ti = (int)lround (i - cx + (side - 1) / 2.0), tj = (int)lround (j - cy + (side - 1) / 2.0);
        float mark = 0;

        if (d >= r)
          continue;
        if (ti >= 0 && tj >= 0 && ti < side && tj < side && !isnan (t[tj * side + ti]))
          mark = t[tj * side + ti];
        z[j * PIN_SIZE + i] = (float)(-60.0 * (1 - (d / r) * (d / r))) + mark;
      }
  tm_surface_sync_mask (shot);
  return shot;
}

/* The combined rank is the best of the per-region ranks (tm-search.c). */
static void
test_rank_regions (void)
{
  g_autoptr(GArray) c = g_array_new (FALSE, TRUE, sizeof (TmCandidate));
  /* id, breech-face score, firing-pin score (NaN: none) */
  const struct { gint64 id; double score; double pin; } in[] = {
    { 1, 20.0, 0.30 }, { 2, 3.0, 0.80 }, { 3, 2.0, NAN }, { 4, 1.0, 0.10 }, { 5, 5.0, 0.20 },
  };
  const gint64 expect[] = { 1, 2, 5, 4, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (in); i++)
    {
      TmCandidate k = { 0 };

      k.acquisition_id = in[i].id;
      k.score = in[i].score;
      k.firing_pin = in[i].pin;
      k.prescore = 0;
      g_array_append_val (c, k);
    }
  tm_search_rank_candidates (c);
  /* breech face: 1, 5, 2, 3, 4; firing pin: 2, 1, 5, 4 (3 has none)
   * best ranks: 1 → 1 (other 2), 2 → 1 (other 3), 5 → 2, 4 → 4 (other 5), 3 → 4 (no
   * other: a second region that agrees wins the tie) */
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      const TmCandidate *k = &g_array_index (c, TmCandidate, i);

      g_assert_cmpint (k->acquisition_id, ==, expect[i]);
      g_assert_cmpuint (k->rank, ==, i + 1);
    }
  g_assert_cmpuint (g_array_index (c, TmCandidate, 1).rank_breech_face, ==, 3);
  g_assert_cmpuint (g_array_index (c, TmCandidate, 1).rank_firing_pin, ==, 1);
  g_assert_cmpuint (g_array_index (c, TmCandidate, 4).rank_firing_pin, ==, 0);

  {
    g_autoptr(JsonNode) ranks = tm_candidate_ranks_to_json (&g_array_index (c, TmCandidate, 4));
    JsonObject *o = json_node_get_object (ranks);

    g_assert_cmpint (json_object_get_int_member (o, "breech_face"), ==, 4);
    g_assert_true (json_object_get_null_member (o, "firing_pin"));
    g_assert_cmpint (json_object_get_int_member (o, "combined"), ==, 5);
  }
  for (guint i = 0; i < c->len; i++)
    tm_candidate_clear (&g_array_index (c, TmCandidate, i));
}

/* Raw scans with firing-pin impressions: the preprocessor separates the region at
 * import, the search scores it, and the mate's impression is the most similar. */
static void
test_firing_pin (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = tm_test_make_tmpdir ("test-search-pin-XXXXXX");
  g_autofree char *db = g_build_filename (dir, "pin.db", NULL);
  g_autoptr(TmStore) store = tm_store_open (db, &error);
  g_autoptr(TmImporter) importer = NULL;
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(TmCorrelationRun) stored = NULL;
  g_autoptr(JsonNode) json = NULL;
  TmPreprocessParams pp;
  TmSearchParams params;
  gint64 ids[PIN_FIREARMS][2], plain = 0;
  GArray *c;
  double best_knm_pin = -1, mate_pin = NAN;

  g_assert_no_error (error);
  importer = tm_importer_new (store, g_get_user_name ());
  tm_preprocess_params_init (&pp);
  pp.mode = TM_PREPROCESS_FULL;    /* raw scans: find the impression */
  tm_importer_set_preprocess (importer, &pp);
  for (int f = 0; f <= PIN_FIREARMS; f++)
    for (int s = 0; s < (f < PIN_FIREARMS ? 2 : 1); s++)
      {
        /* the last acquisition has no impression in its hole */
        g_autoptr(TmSurface) shot = shot_with_pin (tm_synth_derive_seed (4040, f),
                                                   f < PIN_FIREARMS ? tm_synth_derive_seed (5050, f) : 0,
                                                   tm_synth_derive_seed (60 + f, s));
        g_autofree char *name = g_strdup_printf ("pin%d-shot%d.x3p", f, s);
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_autoptr(TmAcquisition) a = NULL;
        g_autoptr(TmSurface) pin = NULL;

        g_assert_true (tm_x3p_write_file (shot, path, &error));
        g_assert_no_error (error);
        a = tm_importer_import_file (importer, path, &error);
        g_assert_no_error (error);
        pin = tm_store_load_preprocessed (store, tm_acquisition_get_id (a), "firing-pin", NULL);
        if (f < PIN_FIREARMS)
          {
            ids[f][s] = tm_acquisition_get_id (a);
            g_assert_nonnull (pin);    /* separated at import */
            g_assert_cmpfloat (tm_surface_get_pixel_um_x (pin), ==, pp.pixel_um);
          }
        else
          {
            plain = tm_acquisition_get_id (a);
            g_assert_null (pin);
          }
      }

  tm_search_params_init (&params);
  params.top_n = 0;
  run = tm_search_run (store, ids[0][0], NULL, &params, g_get_user_name (), NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  c = tm_correlation_run_get_candidates (run);
  g_assert_cmpuint (c->len, ==, 2 * PIN_FIREARMS);
  for (guint i = 0; i < c->len; i++)
    {
      const TmCandidate *k = &g_array_index (c, TmCandidate, i);

      g_test_message ("rank %u: %" G_GINT64_FORMAT " breech face %.2f (rank %u), firing pin %.3f (rank %u)",
                      k->rank, k->acquisition_id, k->score, k->rank_breech_face, k->firing_pin,
                      k->rank_firing_pin);
      if (k->acquisition_id == plain)
        {
          g_assert_true (isnan (k->firing_pin));
          g_assert_cmpuint (k->rank_firing_pin, ==, 0);
        }
      else if (k->acquisition_id == ids[0][1])
        {
          mate_pin = k->firing_pin;
          g_assert_cmpuint (k->rank, ==, 1);
          g_assert_cmpuint (k->rank_firing_pin, ==, 1);
        }
      else
        best_knm_pin = MAX (best_knm_pin, k->firing_pin);
    }
  g_assert_cmpfloat (mate_pin, >, best_knm_pin + 0.2);

  /* correlate JSON: scores.firing_pin and ranks {breech_face, firing_pin, combined} */
  json = tm_correlation_run_to_json (run);
  {
    JsonArray *cands = json_object_get_array_member (json_node_get_object (json), "candidates");

    for (guint i = 0; i < json_array_get_length (cands); i++)
      {
        JsonObject *k = json_array_get_object_element (cands, i);
        JsonObject *scores = json_object_get_object_member (k, "scores");
        JsonObject *ranks = json_object_get_object_member (k, "ranks");
        gboolean none = json_object_get_int_member (k, "id") == plain;

        g_assert_nonnull (ranks);
        g_assert_true (json_object_has_member (scores, "firing_pin"));
        g_assert_cmpint (json_object_get_null_member (scores, "firing_pin"), ==, none);
        g_assert_cmpint (json_object_get_null_member (ranks, "firing_pin"), ==, none);
        g_assert_cmpint (json_object_get_int_member (ranks, "combined"), ==,
                         json_object_get_int_member (k, "rank"));
        g_assert_true (json_object_has_member (ranks, "breech_face"));
      }
  }

  /* the store keeps the firing-pin scores and the per-region ranks */
  stored = tm_store_load_run (store, tm_correlation_run_get_id (run), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < c->len; i++)
    {
      const TmCandidate *x = &g_array_index (c, TmCandidate, i);
      const TmCandidate *y = &g_array_index (tm_correlation_run_get_candidates (stored), TmCandidate, i);

      g_assert_cmpint (x->acquisition_id, ==, y->acquisition_id);
      g_assert_cmpuint (x->rank_breech_face, ==, y->rank_breech_face);
      g_assert_cmpuint (x->rank_firing_pin, ==, y->rank_firing_pin);
      g_assert_cmpint (isnan (x->firing_pin), ==, isnan (y->firing_pin));
      if (!isnan (x->firing_pin))
        g_assert_cmpfloat_with_epsilon (x->firing_pin, y->firing_pin, 1e-9);
    }

  /* a query without an impression: no firing-pin scores at all */
  {
    g_autoptr(TmCorrelationRun) none = tm_search_run (store, plain, NULL, &params, g_get_user_name (),
                                                      NULL, NULL, NULL, &error);
    GArray *nc;

    g_assert_no_error (error);
    nc = tm_correlation_run_get_candidates (none);
    for (guint i = 0; i < nc->len; i++)
      {
        g_assert_true (isnan (g_array_index (nc, TmCandidate, i).firing_pin));
        g_assert_cmpuint (g_array_index (nc, TmCandidate, i).rank, ==,
                          g_array_index (nc, TmCandidate, i).rank_breech_face);
      }
  }
}

/* `toolmark-cli correlate` interrupted by SIGINT (Ctrl-C): the search is cancelled, not
 * killed; the run is stored as cancelled and the exit status is 130. The CLI says (as a
 * debug message) when the handler is in place, so the signal cannot come too early. */
static void
test_cli_sigint (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autofree char *query = g_strdup_printf ("%" G_GINT64_FORMAT, fixture->ids[0][0]);
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  const char *cli = g_getenv ("TM_CLI");
  gboolean ready = FALSE;
  gint64 run_id = 0;
  const char *line_run;

  if (cli == NULL)
    {
      g_test_skip ("TM_CLI is not set: run this test through meson test");
      return;
    }
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "toolmark-cli", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, cli, "--db", fixture->db_path, "correlate",
                                      query, "--top", "all", "--threads", "1", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        break;
      if (strstr (line, "SIGINT cancels") != NULL)
        {
          ready = TRUE;
          break;
        }
    }
  g_assert_true (ready);
  g_subprocess_send_signal (proc, SIGINT);
  {
    g_autoptr(GBytes) out_bytes = NULL;
    g_autoptr(GBytes) err_bytes = NULL;
    g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();

    g_output_stream_splice (mem, G_INPUT_STREAM (in), G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
    g_assert_no_error (error);
    out_bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
    rest = g_strndup (g_bytes_get_data (out_bytes, NULL), g_bytes_get_size (out_bytes));
    g_subprocess_communicate (proc, NULL, NULL, NULL, &err_bytes, &error);
    g_assert_no_error (error);
    err = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
  }
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", rest, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 130);
  g_assert_nonnull (strstr (err, "cancelled"));

  line_run = strstr (rest, "run ");
  g_assert_nonnull (line_run);
  g_assert_true (sscanf (line_run, "run %" G_GINT64_FORMAT ":", &run_id) == 1);
  run = tm_store_load_run (fixture->store, run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tm_correlation_run_get_status (run), ==, TM_CORRELATION_RUN_CANCELLED);
  g_assert_cmpint (tm_correlation_run_get_query_id (run), ==, fixture->ids[0][0]);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/search/select-top", test_select_top);
  g_test_add_func ("/search/score-model", test_score_model);
  g_test_add_func ("/search/mates-first", test_mates_first);
  g_test_add_func ("/search/top-n", test_top_n);
  g_test_add_func ("/search/filters", test_filters);
  g_test_add_func ("/search/cancel", test_cancel);
  g_test_add_func ("/search/stored", test_stored);
  g_test_add_func ("/search/preprocessed-roundtrip", test_preprocessed_roundtrip);
  g_test_add_func ("/search/unprocessed", test_unprocessed);
  g_test_add_func ("/search/cli-sigint", test_cli_sigint);
  g_test_add_func ("/search/rank-regions", test_rank_regions);
  g_test_add_func ("/search/firing-pin", test_firing_pin);

  build_database ();
  status = g_test_run ();
  g_clear_object (&fixture->store);
  g_free (fixture->db_path);
  g_free (fixture->dir);
  g_free (fixture);
  return status;
}
