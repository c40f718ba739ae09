/* tm-knm-reference.h — the database's known non-match scores, the reference of unusualness
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-correlation-run.h"
#include "tm-store.h"

G_BEGIN_DECLS

/* Fewer database scores than this and a search measures against its own bulk instead:
 * with a few dozen the smallest tail a reference can show is still a few per cent. */
#define TM_KNM_REFERENCE_MIN_SCORES 50

typedef enum
{
  TM_KNM_REGION_BREECH_FACE,   /* the ranking score (combined CMC + ACCF / 100) */
  TM_KNM_REGION_FIRING_PIN,    /* the firing-pin ACCF */
} TmKnmRegion;

/**
 * TmKnmReference:
 *
 * Scores of candidate pairs known or presumed not to match, gathered from every stored
 * correlation run: candidates a reviewer dismissed, and the bulk below the best
 * max(2, n/10) of each run (as tm_search_rank_candidates takes it). Never a candidate
 * promoted to a lead nor a pair whose two acquisitions are members of a common lead,
 * never a microstamp match or a comparison that failed. Each unordered pair of
 * acquisitions counts once, with its score in the latest run that qualifies it.
 * Immutable once loaded; shared between threads by reference.
 */
typedef struct _TmKnmReference TmKnmReference;

/* The reference of @store: loaded with one query the first time, then kept with the
 * store and reloaded only when runs, decisions or lead members have been added since.
 * (transfer full) */
TmKnmReference *tm_knm_reference_get        (TmStore              *store,
                                             GError              **error);
TmKnmReference *tm_knm_reference_ref        (TmKnmReference       *self);
void            tm_knm_reference_unref      (TmKnmReference       *self);
/* Distinct pairs held for @region, over all modalities, calibres and parameters. */
gsize           tm_knm_reference_get_n_pairs (TmKnmReference      *self,
                                              TmKnmRegion          region);
/* The key under which runs' scores are comparable: the comparison parameters of a
 * run's parameters JSON (tm-search.c), without what only chooses candidates. */
char           *tm_knm_reference_params_key (const char           *parameters_json);
/**
 * tm_knm_reference_select:
 * @query_id: pairs that include this acquisition are left out, so that a query is
 *   never measured against its own earlier candidates and a re-run reads the same
 * @modality: "2d" or "3d"; only pairs whose query had it
 * @calibre: (nullable): when at least TM_KNM_REFERENCE_MIN_SCORES pairs of two
 *   acquisitions of this calibre qualify, only they are taken
 * @params_key: (nullable): tm_knm_reference_params_key() of the search; only runs with
 *   the same key (NULL: any)
 * @per_calibre: (out) (optional): whether only @calibre was taken
 *
 * Returns: (transfer full): the scores (double), unsorted.
 */
GArray         *tm_knm_reference_select     (TmKnmReference       *self,
                                             TmKnmRegion           region,
                                             gint64                query_id,
                                             const char           *modality,
                                             const char           *calibre,
                                             const char           *params_key,
                                             gboolean             *per_calibre);

/* How unusual a score is, in words for a reader, the same in the app, the CLI and the
 * reports: "beyond all 312 non-matches" when no reference score reached it (the
 * empirical tail is then only a bound, 1 / (n + 1), and quoting it as "1 in 313" would
 * read as an estimate); else "1 in 3,000", "1 in 4.5", "common"; "—" for NaN.
 * @knm_n: the size of the reference, 0 when unknown (then never "beyond"). */
char           *tm_knm_format_unusualness   (double                p,
                                             guint                 knm_n);
/* True when p is the floor 1 / (n + 1) of a reference of @knm_n scores. */
gboolean        tm_knm_is_beyond_reference  (double                p,
                                             guint                 knm_n);
/* What the unusualness was measured against, for a tooltip or a report's note:
 * "Against 312 known non-match scores from this database." and, when @p_model is a
 * number, the fitted model's figure, labelled as an extrapolation. */
char           *tm_knm_describe_unusualness (TmKnmSource           source,
                                             guint                 knm_n,
                                             gboolean              per_calibre,
                                             double                p_model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmKnmReference, tm_knm_reference_unref)

G_END_DECLS
