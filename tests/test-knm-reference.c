/* test-knm-reference.c — the database's known non-match reference of the unusualness
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Six synthetic firearms, three cartridge cases each (`toolmark-cli synth`), imported
 * through the CLI. Six searches of every other acquisition fill the reference; the test
 * recomputes what it must hold from the runs themselves (each run's bulk below
 * max(2, n/10), plus dismissed candidates, one score per unordered pair, no pair of a
 * common lead) and checks the store's reference against it, then that a later search is
 * measured against it and says its true mates lie beyond every non-match.
 */
#define G_LOG_DOMAIN "test-knm-reference"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "tm-knm-reference.h"
#include "tm-search.h"
#include "tm-store.h"
#include "tm-test-support.h"
#include "tm-workflow.h"

#define N_FIREARMS 6
#define N_CASES    3

typedef struct
{
  char    *dir;
  char    *db;
  TmStore *store;
  gint64   ids[N_FIREARMS][N_CASES];
  GPtrArray *runs;   /* TmCorrelationRun, the fill searches in order */
} Fixture;

static Fixture *fixture;

static int
firearm_of (gint64 id)
{
  for (int f = 0; f < N_FIREARMS; f++)
    for (int c = 0; c < N_CASES; c++)
      if (fixture->ids[f][c] == id)
        return f;
  return -1;
}

static TmCorrelationRun *
search (gint64 query_id)
{
  g_autoptr(GError) error = NULL;
  TmSearchParams params;
  TmCorrelationRun *run;

  tm_search_params_init (&params);
  params.top_n = 0;
  run = tm_search_run (fixture->store, query_id, NULL, &params, g_get_user_name (),
                       NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run);
  return run;
}

static void
build_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *scans = NULL;
  g_autofree char *truth = NULL;

  fixture = g_new0 (Fixture, 1);
  fixture->dir = tm_test_make_tmpdir ("test-knm-reference-XXXXXX");
  fixture->db = g_build_filename (fixture->dir, "knm.db", NULL);
  scans = g_build_filename (fixture->dir, "scans", NULL);
  truth = g_build_filename (scans, "truth.csv", NULL);
  fixture->runs = g_ptr_array_new_with_free_func (g_object_unref);
  {
    const char *argv[] = { "synth", "--firearms", "6", "--cases", "3", "--size", "200",
                           "--out", scans, NULL };
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (tm_test_run_cli (argv, &out, &err), ==, 0);
  }
  {
    const char *argv[] = { "--db", fixture->db, "import", "--manifest", truth, scans, NULL };
    g_autofree char *out = NULL, *err = NULL;

    if (tm_test_run_cli (argv, &out, &err) != 0)
      g_error ("import failed: %s", err);
  }
  fixture->store = tm_store_open (fixture->db, &error);
  g_assert_no_error (error);
  for (gint64 id = 1; id <= N_FIREARMS * N_CASES; id++)
    {
      g_autoptr(TmAcquisition) a = tm_store_get_acquisition (fixture->store, id, &error);
      unsigned f = 0, c = 0;

      g_assert_no_error (error);
      /* synth names its scans F01-C01.x3p … */
      g_assert_cmpint (sscanf (tm_acquisition_get_file (a), "F%u-C%u", &f, &c), ==, 2);
      g_assert_true (f >= 1 && f <= N_FIREARMS && c >= 1 && c <= N_CASES);
      fixture->ids[f - 1][c - 1] = id;
    }
}

static void
pair_add (GHashTable *set,
          gint64      a,
          gint64      b)
{
  g_hash_table_add (set, g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                          MIN (a, b), MAX (a, b)));
}

/* What the reference must hold, from the runs as they were stored, with the review
 * states and leads of the store now. */
static GHashTable *
expected_pairs (guint *out_with_duplicates)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint total = 0;

  for (guint r = 0; r < fixture->runs->len; r++)
    {
      g_autoptr(GError) error = NULL;
      TmCorrelationRun *saved = g_ptr_array_index (fixture->runs, r);
      g_autoptr(TmCorrelationRun) run = tm_store_load_run (fixture->store,
                                                           tm_correlation_run_get_id (saved), &error);
      GArray *cands;
      guint skip;

      g_assert_no_error (error);
      cands = tm_correlation_run_get_candidates (run);
      skip = MAX (2, cands->len / 10);
      for (guint i = 0; i < cands->len; i++)
        {
          const TmCandidate *c = &g_array_index (cands, TmCandidate, i);
          gint64 q = tm_correlation_run_get_query_id (run);
          g_autoptr(GPtrArray) leads_q = tm_store_list_leads_of (fixture->store, q, NULL);
          gboolean common_lead = FALSE;

          for (guint l = 0; leads_q != NULL && l < leads_q->len; l++)
            {
              TmLead *lead = g_ptr_array_index (leads_q, l);
              g_autoptr(GPtrArray) leads_c = tm_store_list_leads_of (fixture->store, c->acquisition_id, NULL);

              for (guint m = 0; leads_c != NULL && m < leads_c->len; m++)
                if (tm_lead_get_id (g_ptr_array_index (leads_c, m)) == tm_lead_get_id (lead))
                  common_lead = TRUE;
            }
          if (common_lead || g_strcmp0 (c->review_state, "lead") == 0)
            continue;
          if (c->rank_breech_face > skip || g_strcmp0 (c->review_state, "dismissed") == 0)
            {
              pair_add (set, q, c->acquisition_id);
              total++;
            }
        }
    }
  if (out_with_duplicates != NULL)
    *out_with_duplicates = total;
  return set;
}

static gsize
reference_size (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmKnmReference) ref = tm_knm_reference_get (fixture->store, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ref);
  return tm_knm_reference_get_n_pairs (ref, TM_KNM_REGION_BREECH_FACE);
}

static void
test_first_run_uses_its_bulk (void)
{
  TmCorrelationRun *run = search (fixture->ids[0][0]);
  GArray *cands = tm_correlation_run_get_candidates (run);
  guint n = cands->len;

  g_ptr_array_add (fixture->runs, run);
  g_assert_cmpuint (n, ==, N_FIREARMS * N_CASES - 1);
  /* an empty database has no reference: the run's own bulk, as before */
  for (guint i = 0; i < n; i++)
    {
      const TmCandidate *c = &g_array_index (cands, TmCandidate, i);

      g_assert_cmpint (c->knm_source, ==, TM_KNM_SOURCE_RUN);
      g_assert_cmpuint (c->knm_n, ==, n - MAX (2, n / 10));
    }
}

static void
test_size_and_deduplication (void)
{
  g_autoptr(GHashTable) expected = NULL;
  guint with_duplicates = 0;
  /* every second query is a mate of an earlier one or shares its bulk, so pairs repeat */
  const int queries[][2] = { { 1, 0 }, { 2, 0 }, { 3, 0 }, { 0, 1 }, { 1, 1 } };

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    g_ptr_array_add (fixture->runs, search (fixture->ids[queries[q][0]][queries[q][1]]));
  expected = expected_pairs (&with_duplicates);
  g_test_message ("reference: %u distinct pairs of %u bulk entries over %u runs",
                  g_hash_table_size (expected), with_duplicates, fixture->runs->len);
  g_assert_cmpuint (g_hash_table_size (expected), <, with_duplicates);
  g_assert_cmpuint (reference_size (), ==, g_hash_table_size (expected));
  g_assert_cmpuint (reference_size (), >=, TM_KNM_REFERENCE_MIN_SCORES);
}

static void
test_dismissed_counts (void)
{
  g_autoptr(GError) error = NULL;
  TmCorrelationRun *run = g_ptr_array_index (fixture->runs, 0);
  GArray *cands = tm_correlation_run_get_candidates (run);
  const TmCandidate *top = NULL;
  gsize before = reference_size ();

  /* a candidate of the top, above the bulk: only a reviewer's judgement adds it */
  for (guint i = 0; i < cands->len && top == NULL; i++)
    if (g_array_index (cands, TmCandidate, i).rank_breech_face == 1)
      top = &g_array_index (cands, TmCandidate, i);
  g_assert_nonnull (top);
  g_assert_true (tm_store_set_candidate_state (fixture->store, tm_correlation_run_get_id (run),
                                               top->acquisition_id, "dismissed",
                                               g_get_user_name (), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (reference_size (), ==, before + 1);
  {
    g_autoptr(GHashTable) expected = expected_pairs (NULL);

    g_assert_cmpuint (reference_size (), ==, g_hash_table_size (expected));
  }
  /* undone: the cached reference notices the new decision */
  g_assert_true (tm_store_set_candidate_state (fixture->store, tm_correlation_run_get_id (run),
                                               top->acquisition_id, "unreviewed",
                                               g_get_user_name (), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (reference_size (), ==, before);
}

static void
test_lead_pairs_excluded (void)
{
  g_autoptr(GError) error = NULL;
  TmCorrelationRun *run = g_ptr_array_index (fixture->runs, 1);
  GArray *cands = tm_correlation_run_get_candidates (run);
  gint64 q = tm_correlation_run_get_query_id (run);
  gint64 pair[2] = { q, 0 };
  gsize before = reference_size ();
  guint in_runs = 0;
  gint64 lead;

  /* a pair from the bulk, which a (mistaken) lead then claims as a possible match */
  for (guint i = 0; i < cands->len && pair[1] == 0; i++)
    {
      const TmCandidate *c = &g_array_index (cands, TmCandidate, i);

      if (c->rank_breech_face == cands->len)
        pair[1] = c->acquisition_id;
    }
  g_assert_cmpint (pair[1], !=, 0);
  /* the pair may also sit in another run's bulk, the other way round */
  for (guint r = 0; r < fixture->runs->len; r++)
    {
      TmCorrelationRun *other = g_ptr_array_index (fixture->runs, r);

      if (tm_correlation_run_get_query_id (other) == pair[1])
        in_runs++;
    }
  g_test_message ("lead on %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " (%u reverse runs)",
                  pair[0], pair[1], in_runs);
  lead = tm_store_create_lead (fixture->store, pair, 2, "test", tm_correlation_run_get_id (run),
                               g_get_user_name (), &error);
  g_assert_no_error (error);
  g_assert_cmpint (lead, >, 0);
  /* one pair, whichever runs held it */
  g_assert_cmpuint (reference_size (), ==, before - 1);
  {
    g_autoptr(GHashTable) expected = expected_pairs (NULL);

    g_assert_cmpuint (reference_size (), ==, g_hash_table_size (expected));
  }
}

static void
test_later_run_uses_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) expected = expected_pairs (NULL);
  gint64 query = fixture->ids[4][0];
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(TmCorrelationRun) again = NULL;
  g_autoptr(TmCorrelationRun) loaded = NULL;
  GHashTableIter iter;
  gpointer key;
  guint n_expected = 0, mates = 0;
  GArray *cands;

  /* the reference for this query leaves out its own pairs */
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gint64 a = 0, b = 0;

      g_assert_cmpint (sscanf (key, "%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, &a, &b), ==, 2);
      if (a != query && b != query)
        n_expected++;
    }
  g_assert_cmpuint (n_expected, >=, TM_KNM_REFERENCE_MIN_SCORES);

  run = search (query);
  cands = tm_correlation_run_get_candidates (run);
  for (guint i = 0; i < cands->len; i++)
    {
      const TmCandidate *c = &g_array_index (cands, TmCandidate, i);
      g_autofree char *text = tm_knm_format_unusualness (c->p_knm, c->knm_n);

      g_assert_cmpint (c->knm_source, ==, TM_KNM_SOURCE_DATABASE);
      g_assert_cmpuint (c->knm_n, ==, n_expected);
      g_assert_false (c->knm_per_calibre);   /* synthetic scans have no calibre */
      g_test_message ("rank %u id %" G_GINT64_FORMAT " firearm %d score %.2f p %.3g: %s",
                      c->rank, c->acquisition_id, firearm_of (c->acquisition_id), c->score,
                      c->p_knm, text);
      if (firearm_of (c->acquisition_id) == 4)
        {
          /* a true mate against dozens of non-matches of 0–4 cells: beyond them all */
          g_assert_true (tm_knm_is_beyond_reference (c->p_knm, c->knm_n));
          g_assert_cmpfloat_with_epsilon (c->p_knm, 1.0 / (n_expected + 1), 1e-12);
          g_assert_nonnull (strstr (text, "beyond all"));
          mates++;
        }
      else
        g_assert_false (tm_knm_is_beyond_reference (c->p_knm, c->knm_n));
    }
  g_assert_cmpuint (mates, ==, N_CASES - 1);

  /* stored and read back */
  loaded = tm_store_load_run (fixture->store, tm_correlation_run_get_id (run), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < cands->len; i++)
    {
      const TmCandidate *c = &g_array_index (tm_correlation_run_get_candidates (loaded), TmCandidate, i);

      g_assert_cmpint (c->knm_source, ==, TM_KNM_SOURCE_DATABASE);
      g_assert_cmpuint (c->knm_n, ==, n_expected);
    }

  /* a re-run is measured against the same reference: its first run's pairs are its own */
  again = search (query);
  g_assert_cmpuint (g_array_index (tm_correlation_run_get_candidates (again), TmCandidate, 0).knm_n,
                    ==, n_expected);

  /* the CLI's JSON says which reference and how large */
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, fixture->ids[5][0]);
    const char *argv[] = { "--db", fixture->db, "correlate", id, "--json", NULL };
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonObject *scores;

    g_assert_cmpint (tm_test_run_cli (argv, &out, &err), ==, 0);
    root = json_from_string (out, &error);
    g_assert_no_error (error);
    scores = json_object_get_object_member (
      json_array_get_object_element (json_object_get_array_member (json_node_get_object (root),
                                                                   "candidates"), 0), "scores");
    g_assert_cmpstr (json_object_get_string_member (scores, "knm_source"), ==, "database");
    g_assert_cmpint (json_object_get_int_member (scores, "knm_n"), >=, TM_KNM_REFERENCE_MIN_SCORES);
  }
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, fixture->ids[5][1]);
    const char *argv[] = { "--db", fixture->db, "correlate", id, NULL };
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (tm_test_run_cli (argv, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "beyond all"));
    g_assert_nonnull (strstr (out, "known non-match scores from this database"));
  }
}

static void
test_words (void)
{
  g_autofree char *beyond = tm_knm_format_unusualness (1.0 / 313, 312);
  g_autofree char *inside = tm_knm_format_unusualness (3.0 / 313, 312);
  g_autofree char *no_n = tm_knm_format_unusualness (1.0 / 19, 0);
  g_autofree char *db = tm_knm_describe_unusualness (TM_KNM_SOURCE_DATABASE, 312, FALSE, 3.9e-29);
  g_autofree char *own = tm_knm_describe_unusualness (TM_KNM_SOURCE_RUN, 18, FALSE, NAN);
  g_autofree char *none = tm_knm_describe_unusualness (TM_KNM_SOURCE_NONE, 0, FALSE, NAN);

  g_assert_cmpstr (beyond, ==, "beyond all 312 non-matches");
  g_assert_cmpstr (inside, ==, "1 in 100");
  g_assert_cmpstr (no_n, ==, "1 in 19");
  g_assert_nonnull (strstr (db, "312 known non-match scores from this database"));
  g_assert_nonnull (strstr (db, "Model extrapolation"));
  g_assert_nonnull (strstr (db, "3.9e-29"));
  g_assert_nonnull (strstr (own, "18 scores of this run's lower-ranked candidates"));
  g_assert_null (strstr (own, "extrapolation"));
  g_assert_nonnull (strstr (none, "Too few"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* the words are checked in English */
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/knm-reference/words", test_words);
  /* in order: each builds on the runs and decisions of the ones before */
  g_test_add_func ("/knm-reference/first-run-uses-its-bulk", test_first_run_uses_its_bulk);
  g_test_add_func ("/knm-reference/size-and-deduplication", test_size_and_deduplication);
  g_test_add_func ("/knm-reference/dismissed-counts", test_dismissed_counts);
  g_test_add_func ("/knm-reference/lead-pairs-excluded", test_lead_pairs_excluded);
  g_test_add_func ("/knm-reference/later-run-uses-database", test_later_run_uses_database);
  build_database ();
  status = g_test_run ();
  g_clear_object (&fixture->store);
  g_ptr_array_unref (fixture->runs);
  g_free (fixture->db);
  g_free (fixture->dir);
  g_free (fixture);
  return status;
}
