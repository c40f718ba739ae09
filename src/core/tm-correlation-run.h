/* tm-correlation-run.h — one search of a query against the database, with its candidates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * TmCandidate:
 *
 * A fully scored candidate of a run (registration and CMC ran on it). Candidates that
 * were only pre-scored are counted, not kept: at 10⁵ they would drown the list.
 *
 * @acquisition_id: the candidate acquisition
 * @file: its original file name (owned)
 * @rank: 1 = most similar, by @score
 * @score: the number the candidates are ranked by: the engine's combined CMC count
 *   (tm_comparison_get_score) plus the ACCF / 100 as a tiebreak; higher = more similar
 * @prescore: the signature pre-score in [−1, 1]
 * @cmc_a_to_b, @cmc_b_to_a: congruent cells query → candidate and back
 * @accf: areal cross-correlation maximum at the registration
 * @angle_deg, @dx_um, @dy_um: the pose query → candidate (see #TmRegistration)
 * @p_knm: probability that a known non-match scores at least @score (tm-score-model.h);
 *   NaN when there was no reference distribution
 * @p_knm_model: the same from the fitted model
 * @review_state: "unreviewed" (the default) or what a reviewer set later (owned)
 * @firing_pin: the firing-pin impression score, the ACCF of the two firing-pin regions
 *   registered over the full circle; NaN when either acquisition has no such region
 * @rank_breech_face: 1-based rank of @score among the run's candidates
 * @rank_firing_pin: 1-based rank of @firing_pin among the candidates that have one;
 *   0 when this one has none
 * @microstamp: the microstamp code this candidate shares with the query (owned), or
 *   NULL; such candidates rank first whatever their image scores (tm-microstamp.h)
 * @knm_source: which known non-match scores @p_knm was measured against
 * @knm_n: how many there were (0 when @p_knm is NaN)
 * @knm_per_calibre: the database reference held only the query's calibre
 * @p_knm_firing_pin, @knm_source_firing_pin, @knm_n_firing_pin: the same for @firing_pin
 *   against firing-pin scores; NaN / NONE / 0 without a firing-pin score or reference
 *
 * @rank is the combined rank ("rank sort"): candidates ordered by the best of their
 * per-region ranks, ties by the other region's rank, then by @score (see tm-search.c).
 */
/**
 * TmKnmSource:
 * @TM_KNM_SOURCE_NONE: no reference: the unusualness is unknown
 * @TM_KNM_SOURCE_RUN: the run's own candidates below its best max(2, n/10)
 * @TM_KNM_SOURCE_DATABASE: known or presumed non-match pairs of the database's stored
 *   runs (tm-knm-reference.h)
 */
typedef enum
{
  TM_KNM_SOURCE_NONE,
  TM_KNM_SOURCE_RUN,
  TM_KNM_SOURCE_DATABASE,
} TmKnmSource;

/* "run", "database"; NULL for NONE. */
const char *tm_knm_source_to_string   (TmKnmSource  source);
TmKnmSource tm_knm_source_from_string (const char  *text);

typedef struct
{
  gint64   acquisition_id;
  char    *file;
  guint    rank;
  double   score;
  double   prescore;
  guint    cmc_a_to_b;
  guint    cmc_b_to_a;
  double   accf;
  double   angle_deg;
  double   dx_um;
  double   dy_um;
  double   p_knm;
  double   p_knm_model;
  char    *review_state;
  double   firing_pin;
  guint    rank_breech_face;
  guint    rank_firing_pin;
  char    *microstamp;
  TmKnmSource knm_source;
  guint    knm_n;
  gboolean knm_per_calibre;
  double   p_knm_firing_pin;
  TmKnmSource knm_source_firing_pin;
  guint    knm_n_firing_pin;
} TmCandidate;

void tm_candidate_clear (TmCandidate *candidate);

typedef enum
{
  TM_CORRELATION_RUN_COMPLETE,
  TM_CORRELATION_RUN_CANCELLED,
} TmCorrelationRunStatus;

const char *tm_correlation_run_status_to_string (TmCorrelationRunStatus status);

#define TM_TYPE_CORRELATION_RUN (tm_correlation_run_get_type ())

G_DECLARE_FINAL_TYPE (TmCorrelationRun, tm_correlation_run, TM, CORRELATION_RUN, GObject)

TmCorrelationRun *tm_correlation_run_new        (gint64            query_id,
                                                 const char       *query_file);

gint64       tm_correlation_run_get_id          (TmCorrelationRun *self);
void         tm_correlation_run_set_id          (TmCorrelationRun *self,
                                                 gint64            id);
gint64       tm_correlation_run_get_query_id    (TmCorrelationRun *self);
const char  *tm_correlation_run_get_query_file  (TmCorrelationRun *self);
const char  *tm_correlation_run_get_user        (TmCorrelationRun *self);
void         tm_correlation_run_set_user        (TmCorrelationRun *self,
                                                 const char       *user);
/* The filters and parameters as JSON objects (text), as stored. */
const char  *tm_correlation_run_get_filters     (TmCorrelationRun *self);
void         tm_correlation_run_set_filters     (TmCorrelationRun *self,
                                                 const char       *json);
const char  *tm_correlation_run_get_parameters  (TmCorrelationRun *self);
void         tm_correlation_run_set_parameters  (TmCorrelationRun *self,
                                                 const char       *json);
/* Counts: passed the filters (with a signature), pre-scored, fully scored; and the
 * acquisitions that passed the filters but have no signature yet (not searched). */
void         tm_correlation_run_set_counts      (TmCorrelationRun *self,
                                                 guint             filtered,
                                                 guint             prescored,
                                                 guint             full,
                                                 guint             unprocessed);
void         tm_correlation_run_get_counts      (TmCorrelationRun *self,
                                                 guint            *filtered,
                                                 guint            *prescored,
                                                 guint            *full,
                                                 guint            *unprocessed);
/* Wall time per stage in seconds ("filter", "prescore", "full", "total", …). */
void         tm_correlation_run_set_timing      (TmCorrelationRun *self,
                                                 const char       *stage,
                                                 double            seconds);
double       tm_correlation_run_get_timing      (TmCorrelationRun *self,
                                                 const char       *stage);
char        *tm_correlation_run_timings_to_json (TmCorrelationRun *self);
const char  *tm_correlation_run_get_started_at  (TmCorrelationRun *self);
const char  *tm_correlation_run_get_finished_at (TmCorrelationRun *self);
void         tm_correlation_run_set_times       (TmCorrelationRun *self,
                                                 const char       *started_at,
                                                 const char       *finished_at);
TmCorrelationRunStatus
             tm_correlation_run_get_status      (TmCorrelationRun *self);
void         tm_correlation_run_set_status      (TmCorrelationRun *self,
                                                 TmCorrelationRunStatus status);
/* The candidates in rank order (TmCandidate; the run owns them). */
GArray      *tm_correlation_run_get_candidates  (TmCorrelationRun *self);
/* Takes the contents of @candidate (zeroing it). */
void         tm_correlation_run_add_candidate   (TmCorrelationRun *self,
                                                 TmCandidate      *candidate);

/* The run as the JSON of `toolmark-cli correlate --json` (see README.md). */
JsonNode    *tm_correlation_run_to_json         (TmCorrelationRun *self);
/* One candidate's "scores" object. */
JsonNode    *tm_candidate_scores_to_json        (const TmCandidate *candidate);
/* One candidate's "ranks" object: {"breech_face", "firing_pin" (null when none),
 * "combined"}. */
JsonNode    *tm_candidate_ranks_to_json         (const TmCandidate *candidate);
/* Reads "firing_pin", "microstamp", the reference of the unusualness ("knm_source",
 * "knm_n", "knm_per_calibre", "p_knm_firing_pin", "knm_source_firing_pin",
 * "knm_n_firing_pin") of a "scores" object and its "ranks" member (as the store keeps
 * them) back into @candidate; absent members leave NaN / 0 / NONE. */
void         tm_candidate_set_from_json         (TmCandidate       *candidate,
                                                 JsonObject        *scores);

G_END_DECLS
