/* tm-cli-evaluate.c — `toolmark-cli evaluate --truth CSV`: every acquisition against the rest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Imports nothing. Each acquisition of the database whose file is named in the truth
 * table (`file,firearm`, matched by base name) is a query against all the others, with
 * the same cascade as `correlate` (pre-score of everyone, full comparison of the top N
 * by pre-score, ranked by score; the ones not compared fully rank after, by pre-score).
 * The comparison scores both directions, so each unordered pair is compared once and
 * its score serves both queries; every acquisition's comparison data is made once.
 *
 * Output (--json):
 *   {"acquisitions", "queries", "queries_with_mates", "top",
 *    "top1": fraction of queries whose best candidate is a mate,
 *    "all_mates_top10": fraction whose every mate ranks in the top 10,
 *    "auc": known-match vs known-non-match pair scores (Mann–Whitney, ties ½),
 *    "km": {"pairs", "min", "max"}, "knm": {"pairs", "min", "max"},
 *    "prescore": {"recall_top": mates in the pre-score top N / all mates,
 *                 "recall_top10", "mean_rank": mean pre-score rank of a mate},
 *    "pairs_compared", "seconds",
 *    "queries_detail": [{"id", "file", "firearm", "mates", "best_mate_rank",
 *                        "worst_mate_rank", "top1_is_mate"}]}
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-cli-workflow.h"
#include "tm-search.h"

typedef struct
{
  gint64         id;
  char          *file;
  char          *firearm;
  float          signature[TM_SIGNATURE_DIM];
  TmSurface     *surface;
  TmCompareData *data;
} Item;

static void
item_clear (Item *item)
{
  g_free (item->file);
  g_free (item->firearm);
  g_clear_object (&item->surface);
  g_clear_pointer (&item->data, tm_compare_data_free);
}

/* Splits one CSV line (double quotes, "" inside quotes) into fields. */
static GPtrArray *
split_csv (const char *line)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; *p != '\0' && *p != '\n' && *p != '\r'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (fields, g_string_free (field, FALSE));
          field = g_string_new (NULL);
        }
      else
        g_string_append_c (field, *p);
    }
  g_ptr_array_add (fields, g_string_free (field, FALSE));
  return fields;
}

/* base name → firearm */
static GHashTable *
read_truth (const char  *path,
            GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) truth = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int file_col = -1, firearm_col = -1;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) fields = NULL;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      fields = split_csv (lines[i]);
      if (file_col < 0)
        {
          for (guint c = 0; c < fields->len; c++)
            {
              const char *name = g_strstrip ((char *)g_ptr_array_index (fields, c));

              if (g_ascii_strcasecmp (name, "file") == 0)
                file_col = c;
              else if (g_ascii_strcasecmp (name, "firearm") == 0)
                firearm_col = c;
            }
          if (file_col < 0 || firearm_col < 0)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "%s: the first line must name the columns, with 'file' and 'firearm'", path);
              return NULL;
            }
          continue;
        }
      if ((guint)MAX (file_col, firearm_col) < fields->len)
        {
          g_autofree char *base = g_path_get_basename (g_ptr_array_index (fields, file_col));
          const char *firearm = g_ptr_array_index (fields, firearm_col);

          if (*firearm != '\0')
            g_hash_table_replace (truth, g_steal_pointer (&base), g_strdup (firearm));
        }
    }
  return g_steal_pointer (&truth);
}

typedef struct
{
  Item          *items;
  guint          n;
  GArray        *pairs;       /* guint[2] flattened: i, j */
  double        *pair_score;  /* n × n, symmetric, NaN = not compared */
  const TmCompareParams *params;
  gint           next;        /* atomic */
  GMutex         lock;
  guint          done;
  gboolean       show_progress;
} Job;

static gpointer
data_worker (gpointer data)
{
  Job *job = data;

  for (;;)
    {
      guint i = (guint)g_atomic_int_add (&job->next, 1);

      if (i >= job->n)
        break;
      job->items[i].data = tm_compare_data_new (job->items[i].surface, job->params);
    }
  return NULL;
}

static gpointer
pair_worker (gpointer data)
{
  Job *job = data;
  guint n_pairs = job->pairs->len / 2;

  for (;;)
    {
      guint p = (guint)g_atomic_int_add (&job->next, 1);
      guint i, j;
      g_autoptr(TmComparison) cmp = NULL;
      g_autoptr(GError) error = NULL;
      double score = -1;

      if (p >= n_pairs)
        break;
      i = g_array_index (job->pairs, guint, 2 * p);
      j = g_array_index (job->pairs, guint, 2 * p + 1);
      cmp = tm_compare_data (job->items[i].data, job->items[j].data, job->params, NULL, &error);
      /* As in a search: a pair the engine cannot compare is as dissimilar as it gets. */
      if (cmp != NULL)
        score = tm_search_score_of (cmp);
      job->pair_score[(gsize)i * job->n + j] = score;
      job->pair_score[(gsize)j * job->n + i] = score;
      g_mutex_lock (&job->lock);
      job->done++;
      if (job->show_progress)
        fprintf (stderr, "\rcompared %u / %u pairs   %s", job->done, n_pairs,
                 job->done == n_pairs ? "\n" : "");
      g_mutex_unlock (&job->lock);
    }
  return NULL;
}

static void
run_threads (GThreadFunc func,
             Job        *job,
             guint       n_threads)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();

  job->next = 0;
  for (guint t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("tm-evaluate", func, job));
  func (job);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
}

typedef struct
{
  double score;
  double prescore;
  guint  index;
  gboolean full;
} Ranked;

static int
cmp_ranked (const void *a,
            const void *b)
{
  const Ranked *x = a, *y = b;

  /* Fully compared candidates first (by score), then the rest by pre-score. */
  if (x->full != y->full)
    return x->full ? -1 : 1;
  if (x->full && x->score != y->score)
    return x->score < y->score ? 1 : -1;
  if (x->prescore != y->prescore)
    return x->prescore < y->prescore ? 1 : -1;
  return (x->index > y->index) - (x->index < y->index);
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* Mann–Whitney AUC with ties counted ½, by sorting both samples. */
static double
auc (GArray *km,
     GArray *knm)
{
  double *a = (double *)km->data, *b = (double *)knm->data;
  double sum = 0;
  guint j_lo = 0, j_hi = 0;

  if (km->len == 0 || knm->len == 0)
    return NAN;
  qsort (a, km->len, sizeof (double), cmp_double);
  qsort (b, knm->len, sizeof (double), cmp_double);
  for (guint i = 0; i < km->len; i++)
    {
      while (j_lo < knm->len && b[j_lo] < a[i])
        j_lo++;
      j_hi = MAX (j_hi, j_lo);
      while (j_hi < knm->len && b[j_hi] <= a[i])
        j_hi++;
      sum += j_lo + 0.5 * (j_hi - j_lo);
    }
  return sum / ((double)km->len * knm->len);
}

static void
range (GArray *v,
       double *lo,
       double *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (guint i = 0; i < v->len; i++)
    {
      *lo = MIN (*lo, g_array_index (v, double, i));
      *hi = MAX (*hi, g_array_index (v, double, i));
    }
}

static void
add_range (JsonBuilder *b,
           const char  *name,
           GArray      *v)
{
  double lo, hi;

  range (v, &lo, &hi);
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pairs");
  json_builder_add_int_value (b, v->len);
  json_builder_set_member_name (b, "min");
  if (v->len)
    json_builder_add_double_value (b, lo);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "max");
  if (v->len)
    json_builder_add_double_value (b, hi);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

int
tm_cli_evaluate (TmCliContext *ctx,
                 int           argc,
                 char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) truth = NULL;
  g_autoptr(GPtrArray) acquisitions = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_autoptr(GArray) km = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) knm = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(JsonBuilder) detail = json_builder_new ();
  g_autofree char *truth_path = NULL;
  g_autofree char *top_text = NULL;
  g_autofree double *pair_score = NULL;
  g_autofree float *prescore = NULL;
  g_autofree guint8 *needed = NULL;
  TmSearchParams params;
  gboolean json = FALSE;
  int threads = 0;
  GOptionEntry entries[] = {
    { "truth", 0, 0, G_OPTION_ARG_FILENAME, &truth_path, N_("CSV with the columns file and firearm"), "CSV" },
    { "top", 0, 0, G_OPTION_ARG_STRING, &top_text, N_("Candidates compared fully per query (default all)"), "N|all" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the results as JSON"), NULL },
    { NULL }
  };
  Job job = { 0 };
  guint n, n_threads, n_unprocessed = 0, n_queries = 0, n_with_mates = 0, n_top1 = 0, n_top10 = 0;
  guint n_mates_total = 0, n_mates_in_top = 0, n_mates_in_top10 = 0;
  double mate_rank_sum = 0;
  gint64 t0 = g_get_monotonic_time ();
  double seconds;

  if (!tm_cli_parse ("evaluate", "", _("Search every acquisition in the database against the others "
                                       "and measure the ranking against a truth table."),
                     entries, &argc, &argv))
    return 2;
  tm_search_params_init (&params);
  params.top_n = 0;
  if (truth_path == NULL || argc != 1)
    {
      tm_cli_error ("evaluate: give --truth CSV (and no other arguments)");
      return 2;
    }
  if (!tm_cli_parse_top (top_text, &params.top_n, &error))
    {
      tm_cli_error ("evaluate: %s", error->message);
      return 2;
    }
  n_threads = threads > 0 ? (guint)threads : g_get_num_processors ();
  truth = read_truth (truth_path, &error);
  if (truth == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  store = tm_cli_open_existing_store (ctx, &error);
  if (store != NULL)
    acquisitions = tm_store_list_acquisitions (store, &error);
  if (acquisitions == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  /* The acquisitions the truth table names, with their stored surface and signature. */
  for (guint i = 0; i < acquisitions->len; i++)
    {
      TmAcquisition *a = g_ptr_array_index (acquisitions, i);
      const char *firearm = g_hash_table_lookup (truth, tm_acquisition_get_file (a));
      g_autoptr(GBytes) sig = NULL;
      Item item = { 0 };

      if (firearm == NULL)
        continue;
      item.id = tm_acquisition_get_id (a);
      sig = tm_store_load_signature (store, item.id, NULL);
      item.surface = tm_store_load_preprocessed (store, item.id, "breech-face", NULL);
      if (sig == NULL || item.surface == NULL || !tm_signature_from_bytes (sig, item.signature, NULL))
        {
          g_clear_object (&item.surface);
          n_unprocessed++;
          continue;
        }
      item.file = g_strdup (tm_acquisition_get_file (a));
      item.firearm = g_strdup (firearm);
      g_array_append_val (items, item);
    }
  n = items->len;
  if (n < 2)
    {
      tm_cli_error ("evaluate: %u acquisition(s) of %s are in the truth table %s with a "
                    "signature; at least 2 are needed", n, ctx->db_path, truth_path);
      return 1;
    }

  job.items = (Item *)items->data;
  job.n = n;
  job.params = &params.compare;
  job.show_progress = !ctx->quiet && !json && isatty (2);
  g_mutex_init (&job.lock);
  run_threads (data_worker, &job, MIN (n_threads, n));

  /* Pre-score of every ordered pair, and the pairs the top N of each query need. */
  prescore = g_new (float, (gsize)n * n);
  needed = g_new0 (guint8, (gsize)n * n);
  for (guint q = 0; q < n; q++)
    {
      g_autoptr(GArray) top = NULL;

      for (guint c = 0; c < n; c++)
        prescore[(gsize)q * n + c] = c == q ? -INFINITY
                                            : tm_signature_score (job.items[q].signature, job.items[c].signature);
      top = tm_search_select_top (prescore + (gsize)q * n, n, params.top_n ? params.top_n + 1 : 0);
      for (guint k = 0, kept = 0; k < top->len && (params.top_n == 0 || kept < params.top_n); k++)
        {
          guint c = g_array_index (top, guint, k);

          if (c == q)
            continue;
          kept++;
          needed[(gsize)MIN (q, c) * n + MAX (q, c)] = 1;
        }
    }
  job.pairs = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      if (needed[(gsize)i * n + j])
        {
          g_array_append_val (job.pairs, i);
          g_array_append_val (job.pairs, j);
        }
  pair_score = g_new (double, (gsize)n * n);
  for (gsize k = 0; k < (gsize)n * n; k++)
    pair_score[k] = NAN;
  job.pair_score = pair_score;
  run_threads (pair_worker, &job, MIN (n_threads, MAX (1, job.pairs->len / 2)));

  /* Pair score distributions (each unordered pair once). */
  for (guint p = 0; p < job.pairs->len / 2; p++)
    {
      guint i = g_array_index (job.pairs, guint, 2 * p);
      guint j = g_array_index (job.pairs, guint, 2 * p + 1);
      double s = pair_score[(gsize)i * n + j];

      if (g_str_equal (job.items[i].firearm, job.items[j].firearm))
        g_array_append_val (km, s);
      else
        g_array_append_val (knm, s);
    }

  /* Rankings per query. */
  json_builder_begin_array (detail);
  for (guint q = 0; q < n; q++)
    {
      g_autofree Ranked *ranked = g_new (Ranked, n);
      g_autofree Ranked *by_prescore = g_new (Ranked, n);
      guint m = 0, mates = 0, best = 0, worst = 0;

      for (guint c = 0; c < n; c++)
        {
          double s = pair_score[(gsize)q * n + c];

          if (c == q)
            continue;
          ranked[m].score = s;
          ranked[m].prescore = prescore[(gsize)q * n + c];
          ranked[m].index = c;
          ranked[m].full = !isnan (s);
          by_prescore[m] = ranked[m];
          by_prescore[m].full = FALSE;
          m++;
        }
      qsort (ranked, m, sizeof (Ranked), cmp_ranked);
      qsort (by_prescore, m, sizeof (Ranked), cmp_ranked);
      n_queries++;
      for (guint r = 0; r < m; r++)
        if (g_str_equal (job.items[ranked[r].index].firearm, job.items[q].firearm))
          {
            mates++;
            if (best == 0)
              best = r + 1;
            worst = r + 1;
          }
      for (guint r = 0; r < m; r++)
        if (g_str_equal (job.items[by_prescore[r].index].firearm, job.items[q].firearm))
          {
            n_mates_total++;
            mate_rank_sum += r + 1;
            if (params.top_n == 0 || r < params.top_n)
              n_mates_in_top++;
            if (r < 10)
              n_mates_in_top10++;
          }
      if (mates > 0)
        {
          n_with_mates++;
          if (best == 1)
            n_top1++;
          if (worst <= 10)
            n_top10++;
        }
      json_builder_begin_object (detail);
      json_builder_set_member_name (detail, "id");
      json_builder_add_int_value (detail, job.items[q].id);
      json_builder_set_member_name (detail, "file");
      json_builder_add_string_value (detail, job.items[q].file);
      json_builder_set_member_name (detail, "firearm");
      json_builder_add_string_value (detail, job.items[q].firearm);
      json_builder_set_member_name (detail, "mates");
      json_builder_add_int_value (detail, mates);
      json_builder_set_member_name (detail, "best_mate_rank");
      json_builder_add_int_value (detail, best);
      json_builder_set_member_name (detail, "worst_mate_rank");
      json_builder_add_int_value (detail, worst);
      json_builder_set_member_name (detail, "top1_is_mate");
      json_builder_add_boolean_value (detail, best == 1);
      json_builder_end_object (detail);
    }
  json_builder_end_array (detail);
  seconds = (g_get_monotonic_time () - t0) / 1e6;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      double a = auc (km, knm);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "acquisitions");
      json_builder_add_int_value (b, n);
      json_builder_set_member_name (b, "unprocessed");
      json_builder_add_int_value (b, n_unprocessed);
      json_builder_set_member_name (b, "queries");
      json_builder_add_int_value (b, n_queries);
      json_builder_set_member_name (b, "queries_with_mates");
      json_builder_add_int_value (b, n_with_mates);
      json_builder_set_member_name (b, "top");
      if (params.top_n == 0)
        json_builder_add_string_value (b, "all");
      else
        json_builder_add_int_value (b, params.top_n);
      json_builder_set_member_name (b, "top1");
      json_builder_add_double_value (b, n_with_mates ? (double)n_top1 / n_with_mates : 0);
      json_builder_set_member_name (b, "all_mates_top10");
      json_builder_add_double_value (b, n_with_mates ? (double)n_top10 / n_with_mates : 0);
      json_builder_set_member_name (b, "auc");
      if (isfinite (a))
        json_builder_add_double_value (b, a);
      else
        json_builder_add_null_value (b);
      add_range (b, "km", km);
      add_range (b, "knm", knm);
      json_builder_set_member_name (b, "prescore");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "recall_top");
      json_builder_add_double_value (b, n_mates_total ? (double)n_mates_in_top / n_mates_total : 0);
      json_builder_set_member_name (b, "recall_top10");
      json_builder_add_double_value (b, n_mates_total ? (double)n_mates_in_top10 / n_mates_total : 0);
      json_builder_set_member_name (b, "mean_rank");
      json_builder_add_double_value (b, n_mates_total ? mate_rank_sum / n_mates_total : 0);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "pairs_compared");
      json_builder_add_int_value (b, job.pairs->len / 2);
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, seconds);
      json_builder_set_member_name (b, "queries_detail");
      json_builder_add_value (b, json_builder_get_root (detail));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
    }
  else
    {
      double lo, hi;

      printf ("acquisitions: %u (%u without a signature skipped), queries with mates: %u\n",
              n, n_unprocessed, n_with_mates);
      printf ("pairs compared: %u, %.1f s\n", job.pairs->len / 2, seconds);
      printf ("top-1 accuracy: %.3f (%u/%u)\n", n_with_mates ? (double)n_top1 / n_with_mates : 0,
              n_top1, n_with_mates);
      printf ("all mates in top 10: %.3f (%u/%u)\n",
              n_with_mates ? (double)n_top10 / n_with_mates : 0, n_top10, n_with_mates);
      printf ("AUC (known-match vs known-non-match pair scores): %.4f\n", auc (km, knm));
      range (km, &lo, &hi);
      printf ("KM scores: %u pairs, %.2f – %.2f\n", km->len, lo, hi);
      range (knm, &lo, &hi);
      printf ("KNM scores: %u pairs, %.2f – %.2f\n", knm->len, lo, hi);
      printf ("pre-score: mates in the top %s: %.3f; in the top 10: %.3f; mean rank of a mate %.1f\n",
              top_text ? top_text : "all",
              n_mates_total ? (double)n_mates_in_top / n_mates_total : 0,
              n_mates_total ? (double)n_mates_in_top10 / n_mates_total : 0,
              n_mates_total ? mate_rank_sum / n_mates_total : 0);
    }

  for (guint i = 0; i < n; i++)
    item_clear (&job.items[i]);
  g_array_unref (job.pairs);
  g_mutex_clear (&job.lock);
  return 0;
}
