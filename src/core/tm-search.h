/* tm-search.h — the search cascade: filters → pre-score of all → full comparison of the top
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tm-comparison.h"
#include "tm-correlation-run.h"
#include "tm-signature.h"
#include "tm-store.h"

G_BEGIN_DECLS

#define TM_SEARCH_ERROR (tm_search_error_quark ())

typedef enum
{
  TM_SEARCH_ERROR_INVALID,      /* a filter value that is not understood */
  TM_SEARCH_ERROR_UNPROCESSED,  /* the query has no preprocessed surface or signature */
} TmSearchError;

GQuark tm_search_error_quark (void);

/**
 * TmSearchFilters:
 *
 * Demographic filters applied in SQL before anything is scored. Every field is an owned
 * string or NULL (no restriction). Dates are ISO 8601 (YYYY-MM-DD), both ends included;
 * @entered_from / @entered_to restrict the import date. @sites lists origin-site UUIDs.
 * Candidates always have the query's modality (2D or 3D) and never are the query.
 */
typedef struct
{
  char  *calibre;
  char  *firing_pin_type;
  char  *firing_pin_shape;
  char  *breech_face_class;
  char  *kind;
  char  *incident_from;
  char  *incident_to;
  char  *entered_from;
  char  *entered_to;
  GStrv  sites;
} TmSearchFilters;

void     tm_search_filters_clear     (TmSearchFilters       *filters);
/* Canonical spellings (as tm_case_data_normalize) and valid dates, or an error naming
 * the filter. */
gboolean tm_search_filters_normalize (TmSearchFilters       *filters,
                                      GError               **error);
char    *tm_search_filters_to_json   (const TmSearchFilters *filters);

/**
 * TmSearchParams:
 * @top_n: candidates fully compared, best pre-scores first (default 100; 0 = all)
 * @n_threads: threads for the pre-score and the comparisons (default 0 = all cores)
 * @save: store the run in the database (default TRUE)
 * @parallel_load: the #TmSearchLoadFunc may run on several threads at once (default
 *   FALSE: calls are serialised, as one SQLite connection needs)
 * @compare: the engine's parameters (tm_compare_params_init)
 */
typedef struct
{
  guint           top_n;
  guint           n_threads;
  gboolean        save;
  gboolean        parallel_load;
  TmCompareParams compare;
} TmSearchParams;

void tm_search_params_init (TmSearchParams *params);

typedef enum
{
  TM_SEARCH_STAGE_FILTER,
  TM_SEARCH_STAGE_PRESCORE,
  TM_SEARCH_STAGE_FULL,
} TmSearchStage;

const char *tm_search_stage_to_string (TmSearchStage stage);

/* Progress: @done of @total in @stage. Called from the searching threads, one call at
 * a time (an application marshals it to its main loop). */
typedef void (*TmSearchProgressFunc) (TmSearchStage stage,
                                      guint64       done,
                                      guint64       total,
                                      gpointer      user_data);

/**
 * tm_search_run:
 *
 * Searches the acquisition @query_id against the database: the filters in SQL, the
 * pre-score of every remaining candidate's signature, then registration + CMC of the
 * @params->top_n best (in parallel on all cores), ranked by score. When @cancellable is
 * cancelled the run stops where it is, keeps what was fully scored, has status
 * cancelled, and is still saved and returned (no error). Returns NULL with @error only
 * when the search could not run.
 */
TmCorrelationRun *tm_search_run (TmStore               *store,
                                 gint64                 query_id,
                                 const TmSearchFilters *filters,
                                 const TmSearchParams  *params,
                                 const char            *user,
                                 TmSearchProgressFunc   progress,
                                 gpointer               progress_data,
                                 GCancellable          *cancellable,
                                 GError               **error);

/* ---- the stages, for the benchmark and the evaluation ---- */

/* Indices of the @top_n largest of @scores (all when @top_n is 0 or ≥ @n), largest
 * first; ties keep the lower index first. */
GArray   *tm_search_select_top   (const float           *scores,
                                  gsize                  n,
                                  gsize                  top_n);

/* Returns the preprocessed surface of candidate @id. Called from the comparing threads,
 * one at a time unless @params->parallel_load, so a loader may use one SQLite connection. */
typedef TmSurface *(*TmSearchLoadFunc) (gint64     id,
                                        gpointer   user_data,
                                        GError   **error);

/**
 * tm_search_score_candidates:
 * @query: the query's comparison data
 * @ids: the candidates to compare fully
 * @out: (array length=n_ids): receives each candidate's scores and pose
 *   (acquisition_id, score, cmc, accf, pose); rank, file and p_knm are left to the caller
 * @out_done: (array length=n_ids): set TRUE for each candidate actually scored
 *
 * Runs on @params->n_threads threads. A candidate whose surface cannot be loaded or
 * compared (e.g. too little overlap) gets score −1 and is still marked done. Returns
 * FALSE when cancelled (what finished is in @out / @out_done).
 */
gboolean  tm_search_score_candidates (const TmCompareData  *query,
                                      const gint64         *ids,
                                      gsize                 n_ids,
                                      TmSearchLoadFunc      load,
                                      gpointer              load_data,
                                      const TmSearchParams *params,
                                      TmCandidate          *out,
                                      gboolean             *out_done,
                                      TmSearchProgressFunc  progress,
                                      gpointer              progress_data,
                                      GCancellable         *cancellable);

/* The firing-pin region as tm_preprocess_surface() separates it (levelled heights at the
 * scan's pixel size) made comparable: second-order levelling, the breech face's band-pass,
 * the working pixel size, eroded rim. 2D regions come finished and are copied. NULL
 * when too little of it is left. The importer stores what this returns. */
TmSurface *tm_search_prepare_firing_pin (TmSurface                *pin,
                                         const TmPreprocessParams *params);

/* The ranking number of a comparison: combined CMC + ACCF / 100 (tiebreak). */
double    tm_search_score_of     (TmComparison          *comparison);

/* Sets each candidate's per-region ranks (rank_breech_face by score, rank_firing_pin by
 * the firing-pin score among those that have one), sorts @candidates by the combined
 * rank (the best of the two; see tm-search.c) and sets rank 1…n — the score order when
 * no candidate has a firing-pin score — and fills p_knm / p_knm_model (knm_source
 * TM_KNM_SOURCE_RUN, knm_n) against the bulk of the scores (all but the best
 * max(2, n/10)), which are overwhelmingly non-matches, and p_knm_firing_pin likewise
 * among the firing-pin scores; NaN when fewer than 10 remain. tm_search_run then
 * measures against the database's reference instead when it holds at least
 * TM_KNM_REFERENCE_MIN_SCORES comparable scores (tm-knm-reference.h). */
void      tm_search_rank_candidates (GArray             *candidates);

G_END_DECLS
