/* tm-search.c — the search cascade: filters → pre-score of all → full comparison of the top
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 1. SQL narrows the database by the demographic filters (indexed columns).
 * 2. Every remaining candidate's signature is pre-scored against the query's
 *    (tm_signature_set_prescore, all cores): this stage sees *all* candidates, so a
 *    filtered-in mate is never skipped unseen.
 * 3. The top N by pre-score are compared fully (registration + CMC, tm_compare_data) on
 *    all cores, each thread taking the next candidate; loading a stored surface is
 *    serialised (one SQLite connection), comparing is not.
 * 4. The fully scored candidates are ranked by score and given their unusualness
 *    against the bulk of the scores (tm-score-model).
 * The run — query, filters, parameters, counts, timings, candidates — is saved whether
 * it completed or was cancelled, so what a reviewer sees can always say what it covers.
 */
#define G_LOG_DOMAIN "tm-search"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-knm-reference.h"
#include "tm-score-model.h"
#include "tm-microstamp.h"
#include "tm-search.h"
#include "tm-users.h"

G_DEFINE_QUARK (tm-search-error-quark, tm_search_error)

void
tm_search_filters_clear (TmSearchFilters *f)
{
  g_return_if_fail (f != NULL);

  g_clear_pointer (&f->calibre, g_free);
  g_clear_pointer (&f->firing_pin_type, g_free);
  g_clear_pointer (&f->firing_pin_shape, g_free);
  g_clear_pointer (&f->breech_face_class, g_free);
  g_clear_pointer (&f->kind, g_free);
  g_clear_pointer (&f->incident_from, g_free);
  g_clear_pointer (&f->incident_to, g_free);
  g_clear_pointer (&f->entered_from, g_free);
  g_clear_pointer (&f->entered_to, g_free);
  g_clear_pointer (&f->sites, g_strfreev);
}

static gboolean
check_date (const char  *value,
            const char  *what,
            GError     **error)
{
  unsigned y, m, d;
  char tail;

  if (value == NULL)
    return TRUE;
  if (sscanf (value, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || strlen (value) != 10 ||
      !g_date_valid_dmy (d, m, y))
    {
      g_set_error (error, TM_SEARCH_ERROR, TM_SEARCH_ERROR_INVALID,
                   "%s '%s' is not a date; write it as YYYY-MM-DD", what, value);
      return FALSE;
    }
  return TRUE;
}

gboolean
tm_search_filters_normalize (TmSearchFilters  *f,
                             GError          **error)
{
  g_autoptr(TmCaseData) data = tm_case_data_new ();

  g_return_val_if_fail (f != NULL, FALSE);

  /* The enumerations are spelled as the store spells them; reuse its normaliser so a
   * filter accepts exactly what an import accepts. */
  data->calibre = g_steal_pointer (&f->calibre);
  data->firing_pin_type = g_steal_pointer (&f->firing_pin_type);
  data->firing_pin_shape = g_steal_pointer (&f->firing_pin_shape);
  data->breech_face_class = g_steal_pointer (&f->breech_face_class);
  data->kind = g_steal_pointer (&f->kind);
  if (!tm_case_data_normalize (data, error))
    {
      g_prefix_error (error, "filter: ");
      return FALSE;
    }
  f->calibre = g_steal_pointer (&data->calibre);
  f->firing_pin_type = g_steal_pointer (&data->firing_pin_type);
  f->firing_pin_shape = g_steal_pointer (&data->firing_pin_shape);
  f->breech_face_class = g_steal_pointer (&data->breech_face_class);
  f->kind = g_steal_pointer (&data->kind);
  return check_date (f->incident_from, "incident-from", error) &&
         check_date (f->incident_to, "incident-to", error) &&
         check_date (f->entered_from, "entered-from", error) &&
         check_date (f->entered_to, "entered-to", error);
}

char *
tm_search_filters_to_json (const TmSearchFilters *f)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const struct { const char *name; const char *value; } fields[] = {
    { "calibre", f->calibre }, { "firing_pin_type", f->firing_pin_type },
    { "firing_pin_shape", f->firing_pin_shape }, { "breech_face_class", f->breech_face_class },
    { "kind", f->kind }, { "incident_from", f->incident_from }, { "incident_to", f->incident_to },
    { "entered_from", f->entered_from }, { "entered_to", f->entered_to },
  };

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].value != NULL)
      {
        json_builder_set_member_name (b, fields[i].name);
        json_builder_add_string_value (b, fields[i].value);
      }
  if (f->sites != NULL && f->sites[0] != NULL)
    {
      json_builder_set_member_name (b, "sites");
      json_builder_begin_array (b);
      for (guint i = 0; f->sites[i] != NULL; i++)
        json_builder_add_string_value (b, f->sites[i]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

void
tm_search_params_init (TmSearchParams *params)
{
  g_return_if_fail (params != NULL);

  params->top_n = 100;
  params->n_threads = 0;
  params->save = TRUE;
  params->parallel_load = FALSE;
  tm_compare_params_init (&params->compare);
}

const char *
tm_search_stage_to_string (TmSearchStage stage)
{
  switch (stage)
    {
    case TM_SEARCH_STAGE_FILTER:
      return "filter";
    case TM_SEARCH_STAGE_PRESCORE:
      return "prescore";
    case TM_SEARCH_STAGE_FULL:
      return "full";
    default:
      g_return_val_if_reached ("full");
    }
}

/* ---- selection ---- */

typedef struct
{
  float score;
  guint index;
} Scored;

static int
cmp_scored_desc (gconstpointer a,
                 gconstpointer b)
{
  const Scored *x = a, *y = b;

  if (x->score != y->score)
    return x->score < y->score ? 1 : -1;
  return (x->index > y->index) - (x->index < y->index);
}

GArray *
tm_search_select_top (const float *scores,
                      gsize        n,
                      gsize        top_n)
{
  GArray *out;
  g_autofree Scored *heap = NULL;
  gsize k;

  g_return_val_if_fail (scores != NULL || n == 0, NULL);

  k = (top_n == 0 || top_n > n) ? n : top_n;
  out = g_array_sized_new (FALSE, FALSE, sizeof (guint), k);
  if (k == 0)
    return out;

  /* A min-heap of the k best: one pass over n scores at O(log k) per replacement,
   * instead of sorting 10⁵ scores to keep 100. */
  heap = g_new (Scored, k);
  for (gsize i = 0; i < n; i++)
    {
      Scored s = { isnan (scores[i]) ? -INFINITY : scores[i], (guint)i };
      gsize pos;

      if (i < k)
        {
          pos = i;
          while (pos > 0 && cmp_scored_desc (&heap[(pos - 1) / 2], &s) < 0)
            {
              heap[pos] = heap[(pos - 1) / 2];
              pos = (pos - 1) / 2;
            }
          heap[pos] = s;
          continue;
        }
      /* heap[0] is the worst kept; replace it when s ranks before it. */
      if (cmp_scored_desc (&s, &heap[0]) >= 0)
        continue;
      pos = 0;
      for (;;)
        {
          gsize l = 2 * pos + 1, r = l + 1, worst = pos;
          const Scored *w = &s;

          if (l < k && cmp_scored_desc (&heap[l], w) > 0)
            {
              worst = l;
              w = &heap[l];
            }
          if (r < k && cmp_scored_desc (&heap[r], w) > 0)
            worst = r;
          if (worst == pos)
            break;
          heap[pos] = heap[worst];
          pos = worst;
        }
      heap[pos] = s;
    }
  qsort (heap, k, sizeof (Scored), (int (*)(const void *, const void *))cmp_scored_desc);
  for (gsize i = 0; i < k; i++)
    g_array_append_val (out, heap[i].index);
  return out;
}

/* ---- full comparison ---- */

double
tm_search_score_of (TmComparison *comparison)
{
  double accf = tm_comparison_get_accf (comparison);

  /* CMC counts step by ½ (mean of two directions); ACCF / 100 ≤ 0.01 only orders ties. */
  return tm_comparison_get_score (comparison) + (isfinite (accf) ? accf / 100.0 : 0);
}

typedef struct
{
  const TmCompareData  *query;
  TmSurface            *query_pin;  /* NULL: no firing-pin scores */
  TmSearchLoadFunc      load_pin;
  const gint64         *ids;
  gsize                 n;
  TmSearchLoadFunc      load;
  gpointer              load_data;
  const TmSearchParams *params;
  TmCandidate          *out;
  gboolean             *done;
  TmSearchProgressFunc  progress;
  gpointer              progress_data;
  GCancellable         *cancellable;
  GMutex                lock;       /* the loader, the progress callback, n_done */
  gint                  next;       /* atomic */
  guint64               n_done;
} FullJob;

/* The firing-pin score: the ACCF of the two firing-pin regions at their best rotation and
 * shift over the full circle. The impression is small (a few hundred µm across at most,
 * a few thousand points at the working pixel): too few cells for CMC to count, but
 * enough for one areal correlation, which is what the published firing-pin comparisons
 * report (Weller 2012's ACCF). A candidate without the region keeps NaN. */
static void
score_firing_pin (FullJob     *job,
                  gsize        i,
                  TmCandidate *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) pin = NULL;
  TmRegistrationParams rp = job->params->compare.registration;
  TmRegistration reg;

  if (job->params->parallel_load)
    pin = job->load_pin (job->ids[i], job->load_data, NULL);
  else
    {
      g_mutex_lock (&job->lock);
      pin = job->load_pin (job->ids[i], job->load_data, NULL);
      g_mutex_unlock (&job->lock);
    }
  if (pin == NULL)
    return;
  /* The breech face's pyramid (a 40 µm coarse scan) would leave an impression of 0.5 mm
   * a dozen pixels wide; the region is small enough to scan at 20 µm and finish at
   * 6.25 µm for little time, and a pin never sits more than a few hundred µm off. */
  rp.coarse_pixel_um = MIN (rp.coarse_pixel_um, 20.0);
  rp.mid_pixel_um = MIN (rp.mid_pixel_um, 12.5);
  rp.fine_pixel_um = MIN (rp.fine_pixel_um, 6.25);
  rp.max_shift_um = MIN (rp.max_shift_um, 400.0);
  if (tm_register_surfaces (job->query_pin, pin, &rp, &reg, job->cancellable, &error))
    c->firing_pin = reg.accf;
  else
    g_debug ("candidate %" G_GINT64_FORMAT ": no firing-pin score: %s", job->ids[i], error->message);
}

static gpointer
full_worker (gpointer data)
{
  FullJob *job = data;

  for (;;)
    {
      gsize i = (gsize)g_atomic_int_add (&job->next, 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(TmSurface) surface = NULL;
      g_autoptr(TmCompareData) cdata = NULL;
      g_autoptr(TmComparison) cmp = NULL;
      TmCandidate *c;

      if (i >= job->n || g_cancellable_is_cancelled (job->cancellable))
        break;
      c = &job->out[i];
      c->acquisition_id = job->ids[i];
      c->score = -1;
      c->accf = c->angle_deg = c->dx_um = c->dy_um = NAN;
      c->p_knm = c->p_knm_model = NAN;
      c->firing_pin = NAN;

      if (job->params->parallel_load)
        surface = job->load (job->ids[i], job->load_data, &error);
      else
        {
          g_mutex_lock (&job->lock);
          surface = job->load (job->ids[i], job->load_data, &error);
          g_mutex_unlock (&job->lock);
        }
      if (surface != NULL)
        {
          cdata = tm_compare_data_new (surface, &job->params->compare);
          cmp = tm_compare_data (job->query, cdata, &job->params->compare, job->cancellable, &error);
        }
      if (cmp != NULL)
        {
          c->score = tm_search_score_of (cmp);
          c->cmc_a_to_b = tm_comparison_get_cmc (cmp, TM_COMPARISON_A_TO_B);
          c->cmc_b_to_a = tm_comparison_get_cmc (cmp, TM_COMPARISON_B_TO_A);
          c->accf = tm_comparison_get_accf (cmp);
          c->angle_deg = tm_comparison_get_angle_deg (cmp);
          c->dx_um = tm_comparison_get_dx_um (cmp);
          c->dy_um = tm_comparison_get_dy_um (cmp);
        }
      /* independent of the breech face: a mate whose breech face cannot be compared may
       * still be found by its firing-pin impression */
      if (job->query_pin != NULL && !g_cancellable_is_cancelled (job->cancellable))
        score_firing_pin (job, i, c);
      if (cmp == NULL && g_cancellable_is_cancelled (job->cancellable))
        break;    /* interrupted, not scored */
      else if (cmp == NULL)
        /* A candidate the engine cannot compare (no overlap at any pose, too few valid
         * points) is as dissimilar as it gets, not a failure of the search. */
        g_debug ("candidate %" G_GINT64_FORMAT ": %s", job->ids[i], error ? error->message : "?");

      g_mutex_lock (&job->lock);
      job->done[i] = TRUE;
      job->n_done++;
      if (job->progress != NULL)
        job->progress (TM_SEARCH_STAGE_FULL, job->n_done, job->n, job->progress_data);
      g_mutex_unlock (&job->lock);
    }
  return NULL;
}

static gboolean
score_candidates (const TmCompareData  *query,
                  TmSurface            *query_pin,
                  TmSearchLoadFunc      load_pin,
                  const gint64         *ids,
                  gsize                 n_ids,
                  TmSearchLoadFunc      load,
                  gpointer              load_data,
                  const TmSearchParams *params,
                  TmCandidate          *out,
                  gboolean             *out_done,
                  TmSearchProgressFunc  progress,
                  gpointer              progress_data,
                  GCancellable         *cancellable)
{
  FullJob job = { 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  guint n_threads;

  g_return_val_if_fail (query != NULL && load != NULL && params != NULL, FALSE);
  g_return_val_if_fail (n_ids == 0 || (ids != NULL && out != NULL && out_done != NULL), FALSE);

  job.query = query;
  job.query_pin = load_pin != NULL ? query_pin : NULL;
  job.load_pin = load_pin;
  job.ids = ids;
  job.n = n_ids;
  job.load = load;
  job.load_data = load_data;
  job.params = params;
  job.out = out;
  job.done = out_done;
  job.progress = progress;
  job.progress_data = progress_data;
  job.cancellable = cancellable;
  g_mutex_init (&job.lock);
  memset (out_done, 0, n_ids * sizeof (gboolean));

  n_threads = params->n_threads ? params->n_threads : g_get_num_processors ();
  n_threads = MAX (1, MIN (n_threads, n_ids));
  for (guint t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("tm-search", full_worker, &job));
  full_worker (&job);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
  g_mutex_clear (&job.lock);
  return !g_cancellable_is_cancelled (cancellable);
}

gboolean
tm_search_score_candidates (const TmCompareData  *query,
                            const gint64         *ids,
                            gsize                 n_ids,
                            TmSearchLoadFunc      load,
                            gpointer              load_data,
                            const TmSearchParams *params,
                            TmCandidate          *out,
                            gboolean             *out_done,
                            TmSearchProgressFunc  progress,
                            gpointer              progress_data,
                            GCancellable         *cancellable)
{
  return score_candidates (query, NULL, NULL, ids, n_ids, load, load_data, params, out, out_done,
                           progress, progress_data, cancellable);
}

static int
cmp_candidate (gconstpointer a,
               gconstpointer b)
{
  const TmCandidate *x = a, *y = b;

  if (x->score != y->score)
    return x->score < y->score ? 1 : -1;
  if (x->prescore != y->prescore)
    return x->prescore < y->prescore ? 1 : -1;
  return (x->acquisition_id > y->acquisition_id) - (x->acquisition_id < y->acquisition_id);
}

static int
cmp_firing_pin (gconstpointer a,
                gconstpointer b)
{
  const TmCandidate *x = *(TmCandidate * const *)a, *y = *(TmCandidate * const *)b;

  if (x->firing_pin != y->firing_pin)
    return x->firing_pin < y->firing_pin ? 1 : -1;
  return cmp_candidate (x, y);
}

/* The combined rank ("rank sort", as the IBIS correlation lists): a candidate is placed
 * by the best of its per-region ranks, so a mate that one region finds (a breech face
 * barely marked, a firing-pin impression clearly) reaches the top of the one list a
 * reviewer reads; ties (rank 1 on one list, rank 1 on the other) go to the better
 * rank on the other region, then to the score. The mean of the ranks would instead
 * bury a mate that one region misses, which is the case the second region is for. */
static void
combined_key (const TmCandidate *c,
              guint             *best,
              guint             *other)
{
  if (c->rank_firing_pin == 0)
    {
      *best = c->rank_breech_face;
      *other = G_MAXUINT;
    }
  else
    {
      *best = MIN (c->rank_breech_face, c->rank_firing_pin);
      *other = MAX (c->rank_breech_face, c->rank_firing_pin);
    }
}

static int
cmp_combined (gconstpointer a,
              gconstpointer b)
{
  guint ba, oa, bb, ob;

  combined_key (a, &ba, &oa);
  combined_key (b, &bb, &ob);
  if (ba != bb)
    return ba < bb ? -1 : 1;
  if (oa != ob)
    return oa < ob ? -1 : 1;
  return cmp_candidate (a, b);
}

void
tm_search_rank_candidates (GArray *candidates)
{
  g_autofree double *bulk = NULL;
  g_autoptr(TmScoreModel) model = NULL;
  g_autoptr(GPtrArray) with_pin = g_ptr_array_new ();
  guint n, skip;

  g_return_if_fail (candidates != NULL);

  g_array_sort (candidates, cmp_candidate);
  n = candidates->len;
  for (guint i = 0; i < n; i++)
    {
      TmCandidate *c = &g_array_index (candidates, TmCandidate, i);

      c->rank = c->rank_breech_face = i + 1;
      c->rank_firing_pin = 0;
      if (isfinite (c->firing_pin))
        g_ptr_array_add (with_pin, c);
    }
  g_ptr_array_sort (with_pin, cmp_firing_pin);
  for (guint i = 0; i < with_pin->len; i++)
    ((TmCandidate *)g_ptr_array_index (with_pin, i))->rank_firing_pin = i + 1;
  if (with_pin->len > 0)
    {
      g_array_sort (candidates, cmp_combined);
      for (guint i = 0; i < n; i++)
        g_array_index (candidates, TmCandidate, i).rank = i + 1;
    }

  /* The reference distribution: below the best max(2, n/10) scores a search's
   * candidates are non-matches but for the rarest database (a firearm with more shots
   * than that in the scope), and they are non-matches the pre-score found similar, so
   * the tail probabilities err on the cautious side. tm_search_run replaces it with
   * the database's reference (tm-knm-reference.h) when that is large enough. */
  for (guint i = 0; i < n; i++)
    {
      TmCandidate *c = &g_array_index (candidates, TmCandidate, i);

      c->p_knm = c->p_knm_model = c->p_knm_firing_pin = NAN;
      c->knm_source = c->knm_source_firing_pin = TM_KNM_SOURCE_NONE;
      c->knm_n = c->knm_n_firing_pin = 0;
      c->knm_per_calibre = FALSE;
    }
  skip = MAX (2, n / 10);
  if (n >= skip + 10)
    {
      bulk = g_new (double, n - skip);
      for (guint i = 0; i < n; i++)
        {
          const TmCandidate *c = &g_array_index (candidates, TmCandidate, i);

          /* the bulk by score, whatever order the combined rank put them in */
          if (c->rank_breech_face > skip)
            bulk[c->rank_breech_face - 1 - skip] = c->score;
        }
      model = tm_score_model_new (bulk, n - skip);
      for (guint i = 0; i < n; i++)
        {
          TmCandidate *c = &g_array_index (candidates, TmCandidate, i);

          c->p_knm = tm_score_model_p_empirical (model, c->score);
          c->p_knm_model = tm_score_model_p_fitted (model, c->score);
          c->knm_source = TM_KNM_SOURCE_RUN;
          c->knm_n = n - skip;
        }
    }

  /* the same for the firing-pin scores, among the candidates that have one */
  skip = MAX (2, with_pin->len / 10);
  if (with_pin->len >= skip + 10)
    {
      g_autofree double *pin_bulk = g_new (double, with_pin->len - skip);
      g_autoptr(TmScoreModel) pin_model = NULL;

      for (guint i = skip; i < with_pin->len; i++)
        pin_bulk[i - skip] = ((TmCandidate *)g_ptr_array_index (with_pin, i))->firing_pin;
      pin_model = tm_score_model_new (pin_bulk, with_pin->len - skip);
      for (guint i = 0; i < n; i++)
        {
          TmCandidate *c = &g_array_index (candidates, TmCandidate, i);

          if (!isfinite (c->firing_pin))
            continue;
          c->p_knm_firing_pin = tm_score_model_p_empirical (pin_model, c->firing_pin);
          c->knm_source_firing_pin = TM_KNM_SOURCE_RUN;
          c->knm_n_firing_pin = with_pin->len - skip;
        }
    }
}

/* Measures the run's candidates against the database's known non-match scores
 * (tm-knm-reference.h) when it holds at least TM_KNM_REFERENCE_MIN_SCORES comparable
 * ones; otherwise the run's own bulk stays. A reference that cannot be read is not a
 * reason to lose the search. */
static void
apply_database_reference (TmStore       *store,
                          TmAcquisition *query,
                          const char    *params_json,
                          GArray        *candidates)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmKnmReference) reference = tm_knm_reference_get (store, &error);
  g_autofree char *key = NULL;

  if (reference == NULL)
    {
      g_message ("%s: measuring unusualness against the run's own candidates: %s",
                 tm_acquisition_get_file (query), error->message);
      return;
    }
  key = tm_knm_reference_params_key (params_json);
  for (TmKnmRegion region = TM_KNM_REGION_BREECH_FACE; region <= TM_KNM_REGION_FIRING_PIN; region++)
    {
      gboolean per_calibre = FALSE;
      g_autoptr(GArray) scores = tm_knm_reference_select (reference, region,
                                                          tm_acquisition_get_id (query),
                                                          tm_acquisition_get_modality (query),
                                                          tm_acquisition_get_calibre (query),
                                                          key, &per_calibre);
      g_autoptr(TmScoreModel) model = NULL;

      if (scores->len < TM_KNM_REFERENCE_MIN_SCORES)
        continue;
      model = tm_score_model_new ((const double *)scores->data, scores->len);
      for (guint i = 0; i < candidates->len; i++)
        {
          TmCandidate *c = &g_array_index (candidates, TmCandidate, i);

          if (region == TM_KNM_REGION_BREECH_FACE && isfinite (c->score) && c->score >= 0)
            {
              c->p_knm = tm_score_model_p_empirical (model, c->score);
              c->p_knm_model = tm_score_model_p_fitted (model, c->score);
              c->knm_source = TM_KNM_SOURCE_DATABASE;
              c->knm_n = scores->len;
              c->knm_per_calibre = per_calibre;
            }
          else if (region == TM_KNM_REGION_FIRING_PIN && isfinite (c->firing_pin))
            {
              c->p_knm_firing_pin = tm_score_model_p_empirical (model, c->firing_pin);
              c->knm_source_firing_pin = TM_KNM_SOURCE_DATABASE;
              c->knm_n_firing_pin = scores->len;
            }
        }
    }
}

/* ---- the cascade over the store ---- */

typedef struct
{
  TmSignatureSet *set;
  guint           n_filtered;
  guint           n_unprocessed;
} Collect;

static gboolean
collect_cb (gint64   id,
            GBytes  *signature,
            gpointer user_data)
{
  Collect *c = user_data;
  float v[TM_SIGNATURE_DIM];

  c->n_filtered++;
  /* A signature of another version cannot be compared: the candidate counts as
   * unprocessed until `reprocess` has run, rather than being scored wrongly. */
  if (signature == NULL || !tm_signature_from_bytes (signature, v, NULL))
    {
      c->n_unprocessed++;
      return TRUE;
    }
  tm_signature_set_add (c->set, id, v);
  return TRUE;
}

static void
add_condition (GString    *where,
               GPtrArray  *args,
               const char *condition,
               const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (where, " AND %s", condition);
  g_ptr_array_add (args, g_strdup (value));
}

static TmSurface *
load_from_store_cb (gint64    id,
                    gpointer  user_data,
                    GError  **error)
{
  return tm_store_load_preprocessed (TM_STORE (user_data), id, "breech-face", error);
}

static TmSurface *
load_pin_from_store_cb (gint64    id,
                        gpointer  user_data,
                        GError  **error)
{
  return tm_store_load_preprocessed (TM_STORE (user_data), id, "firing-pin", error);
}

static char *
now_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static char *
params_to_json (const TmSearchParams *params)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "top");
  if (params->top_n == 0)
    json_builder_add_string_value (b, "all");
  else
    json_builder_add_int_value (b, params->top_n);
  json_builder_set_member_name (b, "signature_version");
  json_builder_add_int_value (b, TM_SIGNATURE_VERSION);
  json_builder_set_member_name (b, "cmc_t_ccf");
  json_builder_add_double_value (b, params->compare.cmc.t_ccf);
  json_builder_set_member_name (b, "cmc_t_theta_deg");
  json_builder_add_double_value (b, params->compare.cmc.t_theta_deg);
  json_builder_set_member_name (b, "cmc_t_xy_um");
  json_builder_add_double_value (b, params->compare.cmc.t_xy_um);
  json_builder_set_member_name (b, "cmc_grid_cells");
  json_builder_add_int_value (b, params->compare.cmc.grid_cells);
  json_builder_set_member_name (b, "registration_angle_range_deg");
  json_builder_add_double_value (b, params->compare.registration.angle_range_deg);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean add_microstamp_matches (TmStore *store, gint64 query_id, TmCorrelationRun *run,
                                        GError **error);

TmCorrelationRun *
tm_search_run (TmStore               *store,
               gint64                 query_id,
               const TmSearchFilters *filters,
               const TmSearchParams  *params,
               const char            *user,
               TmSearchProgressFunc   progress,
               gpointer               progress_data,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autoptr(TmAcquisition) query = NULL;
  g_autoptr(TmSurface) query_surface = NULL;
  g_autoptr(TmSurface) query_pin = NULL;
  g_autoptr(GBytes) query_bytes = NULL;
  g_autoptr(TmCompareData) query_data = NULL;
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(GString) where = g_string_new ("a.id <> ? AND a.modality = ?");
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) top = NULL;
  g_autofree float *query_sig = g_new (float, TM_SIGNATURE_DIM);
  g_autofree float *scores = NULL;
  g_autofree gint64 *top_ids = NULL;
  g_autofree TmCandidate *scored = NULL;
  g_autofree gboolean *done = NULL;
  g_autofree char *started = now_utc ();
  g_autofree char *finished = NULL;
  g_autofree char *filters_json = NULL;
  g_autofree char *params_json = NULL;
  TmSearchFilters no_filters = { 0 };
  TmSearchParams default_params;
  Collect collect = { 0 };
  gsize n_set;
  guint n_full = 0;
  gboolean cancelled = FALSE;
  gint64 t0 = g_get_monotonic_time (), t;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filters == NULL)
    filters = &no_filters;
  if (params == NULL)
    {
      tm_search_params_init (&default_params);
      params = &default_params;
    }
  /* Before any work: a refused user should not wait minutes to learn it. */
  if (!tm_store_check_permission (store, user, TM_PERMISSION_CORRELATE, error))
    return NULL;

  query = tm_store_get_acquisition (store, query_id, error);
  if (query == NULL)
    return NULL;
  query_bytes = tm_store_load_signature (store, query_id, NULL);
  query_surface = tm_store_load_preprocessed (store, query_id, "breech-face", NULL);
  /* absent for most acquisitions: then no firing-pin scores, and no error */
  query_pin = tm_store_load_preprocessed (store, query_id, "firing-pin", NULL);
  if (query_bytes == NULL || query_surface == NULL ||
      !tm_signature_from_bytes (query_bytes, query_sig, NULL))
    {
      g_set_error (error, TM_SEARCH_ERROR, TM_SEARCH_ERROR_UNPROCESSED,
                   "acquisition %" G_GINT64_FORMAT " (%s) has no current preprocessed surface or "
                   "signature to search with; run toolmark-cli reprocess",
                   query_id, tm_acquisition_get_file (query));
      return NULL;
    }

  run = tm_correlation_run_new (query_id, tm_acquisition_get_file (query));
  tm_correlation_run_set_user (run, user);
  filters_json = tm_search_filters_to_json (filters);
  params_json = params_to_json (params);
  tm_correlation_run_set_filters (run, filters_json);
  tm_correlation_run_set_parameters (run, params_json);

  /* 1. Filters, streamed with the signatures. */
  g_ptr_array_add (args, g_strdup_printf ("%" G_GINT64_FORMAT, query_id));
  g_ptr_array_add (args, g_strdup (tm_acquisition_get_modality (query)));
  add_condition (where, args, "a.calibre = ?", filters->calibre);
  add_condition (where, args, "a.firing_pin_type = ?", filters->firing_pin_type);
  add_condition (where, args, "a.firing_pin_shape = ?", filters->firing_pin_shape);
  add_condition (where, args, "a.breech_face_class = ?", filters->breech_face_class);
  add_condition (where, args, "e.kind = ?", filters->kind);
  add_condition (where, args, "c.incident_date >= ?", filters->incident_from);
  /* Incident dates may carry a time; the end date is included whole. */
  add_condition (where, args, "c.incident_date < date (?, '+1 day')", filters->incident_to);
  add_condition (where, args, "a.imported_at >= ?", filters->entered_from);
  add_condition (where, args, "a.imported_at < date (?, '+1 day')", filters->entered_to);
  if (filters->sites != NULL && filters->sites[0] != NULL)
    {
      g_string_append (where, " AND a.origin_site IN (");
      for (guint i = 0; filters->sites[i] != NULL; i++)
        {
          g_string_append (where, i ? ", ?" : "?");
          g_ptr_array_add (args, g_ascii_strdown (filters->sites[i], -1));
        }
      g_string_append (where, ")");
    }
  g_ptr_array_add (args, NULL);

  collect.set = tm_signature_set_new (1024);
  if (!tm_store_foreach_signature (store, where->str, (const char * const *)args->pdata,
                                   collect_cb, &collect, error))
    {
      tm_signature_set_free (collect.set);
      return NULL;
    }
  n_set = tm_signature_set_get_size (collect.set);
  t = g_get_monotonic_time ();
  tm_correlation_run_set_timing (run, "filter", (t - t0) / 1e6);
  if (progress != NULL)
    progress (TM_SEARCH_STAGE_FILTER, collect.n_filtered, collect.n_filtered, progress_data);

  /* 2. Pre-score of every candidate with a signature. */
  scores = g_new (float, MAX (n_set, 1));
  if (!tm_signature_set_prescore (collect.set, query_sig, scores, params->n_threads, cancellable))
    cancelled = TRUE;
  tm_correlation_run_set_timing (run, "prescore", (g_get_monotonic_time () - t) / 1e6);
  t = g_get_monotonic_time ();
  if (!cancelled && progress != NULL)
    progress (TM_SEARCH_STAGE_PRESCORE, n_set, n_set, progress_data);

  /* 3. Full comparison of the best. */
  if (!cancelled)
    {
      top = tm_search_select_top (scores, n_set, params->top_n);
      top_ids = g_new (gint64, MAX (top->len, 1));
      scored = g_new0 (TmCandidate, MAX (top->len, 1));
      done = g_new0 (gboolean, MAX (top->len, 1));
      for (guint i = 0; i < top->len; i++)
        top_ids[i] = tm_signature_set_get_id (collect.set, g_array_index (top, guint, i));

      query_data = tm_compare_data_new (query_surface, &params->compare);
      /* The query is side A of every comparison: its rotated coarse spectra are made
       * once here instead of once per candidate. */
      tm_compare_data_prepare_query (query_data, &params->compare);
      tm_correlation_run_set_timing (run, "query_data", (g_get_monotonic_time () - t) / 1e6);
      if (!score_candidates (query_data, query_pin, query_pin ? load_pin_from_store_cb : NULL,
                             top_ids, top->len, load_from_store_cb, store,
                             params, scored, done, progress, progress_data, cancellable))
        cancelled = TRUE;

      for (guint i = 0; i < top->len; i++)
        {
          g_autoptr(TmAcquisition) a = NULL;

          if (!done[i])
            continue;
          scored[i].prescore = scores[g_array_index (top, guint, i)];
          a = tm_store_get_acquisition (store, scored[i].acquisition_id, NULL);
          scored[i].file = g_strdup (a ? tm_acquisition_get_file (a) : "");
          tm_correlation_run_add_candidate (run, &scored[i]);
          n_full++;
        }
      tm_search_rank_candidates (tm_correlation_run_get_candidates (run));
      apply_database_reference (store, query, params_json, tm_correlation_run_get_candidates (run));
      if (!add_microstamp_matches (store, query_id, run, error))
        {
          tm_signature_set_free (collect.set);
          return NULL;
        }
      tm_correlation_run_set_timing (run, "full", (g_get_monotonic_time () - t) / 1e6);
    }
  tm_signature_set_free (collect.set);

  /* Counts as they happened: a cancelled pre-score scored nobody for certain. */
  tm_correlation_run_set_counts (run, collect.n_filtered, top != NULL ? (guint)n_set : 0, n_full,
                                 collect.n_unprocessed);
  tm_correlation_run_set_timing (run, "total", (g_get_monotonic_time () - t0) / 1e6);
  tm_correlation_run_set_status (run, cancelled ? TM_CORRELATION_RUN_CANCELLED
                                                : TM_CORRELATION_RUN_COMPLETE);
  finished = now_utc ();
  tm_correlation_run_set_times (run, started, finished);

  if (params->save && !tm_store_save_run (store, run, error))
    return NULL;
  return g_steal_pointer (&run);
}

static int
cmp_microstamp_first (gconstpointer a,
                      gconstpointer b)
{
  const TmCandidate *ca = a, *cb = b;

  if ((ca->microstamp != NULL) != (cb->microstamp != NULL))
    return ca->microstamp != NULL ? -1 : 1;
  if (ca->rank != cb->rank)
    return ca->rank < cb->rank ? -1 : 1;
  return ca->acquisition_id < cb->acquisition_id ? -1 : ca->acquisition_id > cb->acquisition_id;
}

/* Acquisitions sharing a microstamp code with the query are an exact link whatever
 * their images score, and whatever the filters: they go to the top of the list,
 * flagged with the code, added when the image search did not reach them. */
static gboolean
add_microstamp_matches (TmStore           *store,
                        gint64             query_id,
                        TmCorrelationRun  *run,
                        GError           **error)
{
  g_autoptr(GPtrArray) matches = tm_store_find_microstamp_matches (store, query_id, error);
  GArray *candidates = tm_correlation_run_get_candidates (run);

  if (matches == NULL)
    return FALSE;
  if (matches->len == 0)
    return TRUE;
  for (guint m = 0; m < matches->len; m++)
    {
      const TmMicrostamp *match = g_ptr_array_index (matches, m);
      gboolean found = FALSE;

      for (guint i = 0; i < candidates->len && !found; i++)
        {
          TmCandidate *c = &g_array_index (candidates, TmCandidate, i);

          if (c->acquisition_id == match->acquisition_id)
            {
              g_free (c->microstamp);
              c->microstamp = g_strdup (match->code);
              found = TRUE;
            }
        }
      if (!found)
        {
          g_autoptr(TmAcquisition) a = tm_store_get_acquisition (store, match->acquisition_id, NULL);
          TmCandidate c = { 0 };

          c.acquisition_id = match->acquisition_id;
          c.file = g_strdup (a ? tm_acquisition_get_file (a) : "");
          c.rank = G_MAXUINT;  /* after the scored ones that share a code */
          c.score = c.prescore = c.accf = c.angle_deg = c.dx_um = c.dy_um = NAN;
          c.p_knm = c.p_knm_model = c.firing_pin = c.p_knm_firing_pin = NAN;
          c.microstamp = g_strdup (match->code);
          tm_correlation_run_add_candidate (run, &c);
        }
    }
  g_array_sort (candidates, cmp_microstamp_first);
  for (guint i = 0; i < candidates->len; i++)
    g_array_index (candidates, TmCandidate, i).rank = i + 1;
  return TRUE;
}

TmSurface *
tm_search_prepare_firing_pin (TmSurface                *pin,
                              const TmPreprocessParams *params)
{
  TmPreprocessParams defaults;
  g_autoptr(TmSurface) work = NULL;
  TmSurface *out;

  g_return_val_if_fail (TM_IS_SURFACE (pin), NULL);

  if (params == NULL)
    {
      tm_preprocess_params_init (&defaults);
      params = &defaults;
    }
  /* 2D regions leave tm_preprocess_2d_surface already finished */
  if (tm_surface_get_modality (pin) == TM_MODALITY_2D)
    return tm_surface_copy (pin);
  work = tm_surface_copy (pin);
  /* The impression is a bowl tens of µm deep: a second-order fit takes the bowl, and
   * the breech face's pass band keeps the marks the pin left in it, so two bowls do not
   * correlate merely for being bowls. */
  if (!tm_preprocess_level (work, 2, NULL))
    return NULL;
  tm_preprocess_bandpass (work, params->short_cutoff_um, params->long_cutoff_um);
  out = params->pixel_um > 0 ? tm_preprocess_resample (work, params->pixel_um)
                             : tm_surface_copy (work);
  tm_preprocess_erode (out, (int)lround (params->erode_um / tm_surface_get_pixel_um_x (out)));
  if (tm_surface_count_valid (out) < 100)
    g_clear_object (&out);
  return out;
}
