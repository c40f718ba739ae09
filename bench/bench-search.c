/* bench-search.c — the search cascade at 10⁴ and 10⁵ candidates on synthetic data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-search [--firearms F] [--shots S] [--queries Q] [--searches N] [--threads T]
 *                [--size PX] [--top N]
 *
 * The database (in memory, never through files or SQLite):
 *   F firearms (default 4,000) × S shots (default 25) = 100,000 acquisitions, made with
 *   tm-synth at PX = 128 px of 12.5 µm (a 1.6 mm field; the signature works at 12.5 µm
 *   anyway). Synthetic shots are band-limited to 16–250 µm and level by construction, so
 *   tm_preprocess_surface (which would also resample to 6.25 µm) is skipped: each shot's
 *   signature is computed from the shot directly, and a candidate's surface for the full
 *   comparison is regenerated from its (firearm, shot) seeds, as a store would load it.
 *   The 10,000 database is the first 10,000 signatures (the first F/10 firearms).
 *   Many shots per firearm keep generation within minutes; it makes the benchmark
 *   harder, not easier: a distractor firearm that resembles a query brings all S of its
 *   shots up the ranking together.
 *
 * Measured, for each database size:
 *   - pre-score throughput (candidates/s, all threads), median of the searches;
 *   - recall: queries are fresh shots (seeds not in the database) of random database
 *     firearms; for each (query, database mate) pair the mate's rank among the query's
 *     *non-mates* is what its rank would be with no other mate present; recall@100 is
 *     the fraction of pairs ranked ≤ 100 (the target: ≥ 99 % at 100,000);
 *   - a full search: pre-score of all + full comparison (registration + CMC, both
 *     directions) of the top N = 100 on all threads, wall time;
 *   - peak memory (getrusage ru_maxrss) after each stage.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "tm-search.h"
#include "tm-signature.h"
#include "tm-synth.h"

#define FIREARM_SEED 20261121
#define QUERY_SHOT_BASE 1000000

typedef struct
{
  TmSynthParams params;
  guint         n_firearms;
  guint         n_shots;
  float        *signatures;   /* n_firearms × n_shots × TM_SIGNATURE_DIM */
  gint          next;         /* atomic: next firearm to generate */
  gint          done;         /* atomic */
} Database;

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
peak_mib (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

static guint64
shot_seed (guint firearm,
           guint shot)
{
  return tm_synth_derive_seed (firearm + 1, shot);
}

static gpointer
generate_worker (gpointer data)
{
  Database *db = data;

  for (;;)
    {
      guint f = (guint)g_atomic_int_add (&db->next, 1);
      g_autoptr(TmSynthFirearm) firearm = NULL;
      int done;

      if (f >= db->n_firearms)
        break;
      firearm = tm_synth_firearm_new (tm_synth_derive_seed (FIREARM_SEED, f), &db->params, NULL);
      g_assert (firearm != NULL);
      for (guint s = 0; s < db->n_shots; s++)
        {
          g_autoptr(TmSurface) shot = tm_synth_shot (firearm, shot_seed (f, s), NULL);
          g_autoptr(GError) error = NULL;
          g_autofree float *sig = tm_signature_compute (shot, &error);

          g_assert_no_error (error);
          memcpy (db->signatures + ((gsize)f * db->n_shots + s) * TM_SIGNATURE_DIM, sig,
                  TM_SIGNATURE_DIM * sizeof (float));
        }
      done = g_atomic_int_add (&db->done, 1) + 1;
      if (done % 500 == 0)
        fprintf (stderr, "  generated %d / %u firearms\n", done, db->n_firearms);
    }
  return NULL;
}

/* Candidate id = f × n_shots + s + 1. Thread-safe: firearms are made per call. */
static TmSurface *
load_cb (gint64    id,
         gpointer  user_data,
         GError  **error)
{
  Database *db = user_data;
  guint index = (guint)(id - 1);
  guint f = index / db->n_shots, s = index % db->n_shots;
  g_autoptr(TmSynthFirearm) firearm = tm_synth_firearm_new (tm_synth_derive_seed (FIREARM_SEED, f),
                                                            &db->params, error);

  if (firearm == NULL)
    return NULL;
  return tm_synth_shot (firearm, shot_seed (f, s), NULL);
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  int n_firearms = 4000, n_shots = 25, n_queries = 100, n_searches = 3, n_threads = 0, size = 128, top = 100;
  GOptionEntry entries[] = {
    { "firearms", 0, 0, G_OPTION_ARG_INT, &n_firearms, "Firearms in the database", "F" },
    { "shots", 0, 0, G_OPTION_ARG_INT, &n_shots, "Shots per firearm", "S" },
    { "queries", 0, 0, G_OPTION_ARG_INT, &n_queries, "Queries for the recall", "Q" },
    { "searches", 0, 0, G_OPTION_ARG_INT, &n_searches, "Full searches timed per size", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Threads (default: all cores)", "T" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Scan side in pixels of 12.5 µm", "PX" },
    { "top", 0, 0, G_OPTION_ARG_INT, &top, "Candidates compared fully", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  Database db = { 0 };
  gsize total;
  double t0, t_gen;
  const gsize sizes[2] = { 10000, 100000 };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-search: %s\n", error->message);
      return 2;
    }
  if (n_threads <= 0)
    n_threads = g_get_num_processors ();

  tm_synth_params_init (&db.params);
  db.params.size = size;
  db.params.pixel_um = 12.5;
  db.n_firearms = n_firearms;
  db.n_shots = n_shots;
  total = (gsize)n_firearms * n_shots;
  db.signatures = g_new (float, total * TM_SIGNATURE_DIM);

  printf ("database: %d firearms × %d shots = %" G_GSIZE_FORMAT " synthetic acquisitions, "
          "%d px at 12.5 µm, signature %d floats (%d bytes stored), %d threads\n",
          n_firearms, n_shots, total, size, TM_SIGNATURE_DIM, TM_SIGNATURE_DIM + 12, n_threads);
  t0 = now ();
  for (int t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("generate", generate_worker, &db));
  generate_worker (&db);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
  t_gen = now () - t0;
  printf ("generated in %.1f s (%.2f ms per acquisition on %d threads: synth shot + signature); "
          "peak memory %.0f MiB\n", t_gen, t_gen * 1e3 * n_threads / total, n_threads, peak_mib ());

  for (guint si = 0; si < G_N_ELEMENTS (sizes); si++)
    {
      gsize n = MIN (sizes[si], total);
      guint n_firearms_here = (guint)(n / n_shots);
      g_autoptr(TmSignatureSet) set = tm_signature_set_new (n);
      g_autofree float *scores = g_new (float, n);
      g_autofree double *throughput = g_new (double, MAX (n_queries, 1));
      g_autofree double *search_wall = g_new (double, MAX (n_searches, 1));
      guint pairs = 0, in_top = 0, in_top10 = 0, queries_all_in_top = 0;
      double rank_sum = 0;
      TmSearchParams params;

      if (n_firearms_here == 0)
        continue;
      n = (gsize)n_firearms_here * n_shots;
      for (gsize i = 0; i < n; i++)
        tm_signature_set_add (set, (gint64)i + 1, db.signatures + i * TM_SIGNATURE_DIM);

      printf ("\n== %" G_GSIZE_FORMAT " candidates ==\n", n);

      /* Pre-score throughput and recall. */
      for (int q = 0; q < n_queries; q++)
        {
          guint f = g_rand_int_range (rand, 0, n_firearms_here);
          g_autoptr(TmSynthFirearm) firearm = tm_synth_firearm_new (tm_synth_derive_seed (FIREARM_SEED, f),
                                                                    &db.params, NULL);
          g_autoptr(TmSurface) shot = tm_synth_shot (firearm, shot_seed (f, QUERY_SHOT_BASE + q), NULL);
          g_autofree float *query = tm_signature_compute (shot, NULL);
          g_autofree float *nonmate = g_new (float, n);
          gsize n_nonmate = 0;
          gboolean all_in = TRUE;
          double t;

          t = now ();
          tm_signature_set_prescore (set, query, scores, n_threads, NULL);
          throughput[q] = n / (now () - t);

          for (gsize i = 0; i < n; i++)
            if (i / n_shots != f)
              nonmate[n_nonmate++] = scores[i];
          /* Rank of each mate among the non-mates. */
          for (guint s = 0; s < (guint)n_shots; s++)
            {
              float ms = scores[(gsize)f * n_shots + s];
              gsize rank = 1;

              for (gsize i = 0; i < n_nonmate; i++)
                if (nonmate[i] >= ms)
                  rank++;
              pairs++;
              rank_sum += rank;
              if (rank <= (gsize)top)
                in_top++;
              else
                all_in = FALSE;
              if (rank <= 10)
                in_top10++;
            }
          if (all_in)
            queries_all_in_top++;
        }
      if (n_queries > 0)
        {
          qsort (throughput, n_queries, sizeof (double), cmp_double);
          printf ("pre-score: %.0f candidates/s (median of %d, %d threads)\n",
                  throughput[n_queries / 2], n_queries, n_threads);
          printf ("recall: a mate ranks in the pre-score top %d among %" G_GSIZE_FORMAT
                  " non-mates for %.2f %% of %u (query, mate) pairs (top 10: %.2f %%; mean rank %.1f); "
                  "all %d mates in the top %d for %.1f %% of %d queries\n",
                  top, n - n_shots, 100.0 * in_top / pairs, pairs, 100.0 * in_top10 / pairs,
                  rank_sum / pairs, n_shots, top, 100.0 * queries_all_in_top / n_queries, n_queries);
        }
      printf ("peak memory %.0f MiB\n", peak_mib ());

      /* Full searches: pre-score of all, full comparison of the top N. */
      tm_search_params_init (&params);
      params.n_threads = n_threads;
      params.parallel_load = TRUE;
      for (int k = 0; k < n_searches; k++)
        {
          guint f = g_rand_int_range (rand, 0, n_firearms_here);
          g_autoptr(TmSynthFirearm) firearm = tm_synth_firearm_new (tm_synth_derive_seed (FIREARM_SEED, f),
                                                                    &db.params, NULL);
          g_autoptr(TmSurface) shot = tm_synth_shot (firearm, shot_seed (f, QUERY_SHOT_BASE + 500 + k), NULL);
          g_autofree float *query = NULL;
          g_autoptr(TmCompareData) qdata = NULL;
          g_autoptr(GArray) best = NULL;
          g_autofree gint64 *ids = NULL;
          g_autofree TmCandidate *cands = NULL;
          g_autofree gboolean *done = NULL;
          double t, t_pre, t_full;
          guint mates_top = 0;
          double best_mate = -1, best_non = -1;

          t = now ();
          query = tm_signature_compute (shot, NULL);
          qdata = tm_compare_data_new (shot, &params.compare);
          tm_compare_data_prepare_query (qdata, &params.compare);
          tm_signature_set_prescore (set, query, scores, n_threads, NULL);
          best = tm_search_select_top (scores, n, top);
          t_pre = now () - t;
          ids = g_new (gint64, best->len);
          cands = g_new0 (TmCandidate, best->len);
          done = g_new0 (gboolean, best->len);
          for (guint i = 0; i < best->len; i++)
            ids[i] = tm_signature_set_get_id (set, g_array_index (best, guint, i));
          tm_search_score_candidates (qdata, ids, best->len, load_cb, &db, &params, cands, done,
                                      NULL, NULL, NULL);
          t_full = now () - t - t_pre;
          search_wall[k] = now () - t;
          for (guint i = 0; i < best->len; i++)
            {
              gboolean mate = (guint)((ids[i] - 1) / n_shots) == f;

              if (mate)
                {
                  mates_top++;
                  best_mate = MAX (best_mate, cands[i].score);
                }
              else
                best_non = MAX (best_non, cands[i].score);
            }
          printf ("search %d: %.2f s wall (query data + pre-score + top-%d selection %.2f s, "
                  "full comparison of %u %.2f s); %u mates in the top %d, best mate score %.2f, "
                  "best non-mate %.2f\n", k + 1, search_wall[k], top, t_pre, best->len, t_full,
                  mates_top, top, best_mate, best_non);
          for (guint i = 0; i < best->len; i++)
            tm_candidate_clear (&cands[i]);
        }
      if (n_searches > 0)
        {
          qsort (search_wall, n_searches, sizeof (double), cmp_double);
          printf ("search of %" G_GSIZE_FORMAT " with full scoring of the top %d: %.2f s wall "
                  "(median of %d)\n", n, top, search_wall[n_searches / 2], n_searches);
        }
      printf ("peak memory %.0f MiB\n", peak_mib ());
    }

  g_free (db.signatures);
  return 0;
}
