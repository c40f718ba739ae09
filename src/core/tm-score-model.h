/* tm-score-model.h — how unusual a score is against known non-matches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TmScoreModel TmScoreModel;

/* A model of the known non-match (KNM) score distribution from @n scores. */
TmScoreModel *tm_score_model_new          (const double       *knm_scores,
                                           gsize               n);
void          tm_score_model_free         (TmScoreModel       *model);
gsize         tm_score_model_get_n        (const TmScoreModel *model);
/* Empirical tail probability that a KNM scores at least @score, (1 + #{knm ≥ score}) /
 * (n + 1): never 0, since n non-matches cannot show a rarer event than 1 in n + 1.
 * NaN without scores. */
double        tm_score_model_p_empirical  (const TmScoreModel *model,
                                           double              score);
/* The same from a gamma distribution fitted (method of moments) to the KNM scores + ½
 * (CMC counts are small non-negative numbers with a long right tail); reaches beyond
 * the largest observed KNM score. NaN when the scores do not vary. */
double        tm_score_model_p_fitted     (const TmScoreModel *model,
                                           double              score);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmScoreModel, tm_score_model_free)

G_END_DECLS
