/* tm-candidate-item.h — one candidate of a correlation run, as a list item
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "tm-acquisition.h"
#include "tm-correlation-run.h"

G_BEGIN_DECLS

#define TM_TYPE_CANDIDATE_ITEM (tm_candidate_item_get_type ())

G_DECLARE_FINAL_TYPE (TmCandidateItem, tm_candidate_item, TM, CANDIDATE_ITEM, GObject)

/* Properties (read-only unless said): acquisition-id (gint64), file, case-number,
 * exhibit, kind, rank (combined), score, rank-breech-face, firing-pin (NaN when none),
 * rank-firing-pin (0 when none), cmc (the smaller of the two directions), cmc-a-to-b,
 * cmc-b-to-a, accf, angle-deg, dx-um, dy-um, p-knm (NaN when unknown), knm-n (the size
 * of the reference p-knm was measured against), unusualness (p-knm in words,
 * tm_knm_format_unusualness: "beyond all 312 non-matches", "1 in 40"),
 * unusualness-reference (what it was measured against and the fitted model's figure,
 * for a tooltip), review-state (read-write: the page updates it in place after a
 * decision). */
TmCandidateItem *tm_candidate_item_new              (const TmCandidate *candidate,
                                                     TmAcquisition     *acquisition);
gint64           tm_candidate_item_get_acquisition_id (TmCandidateItem *self);
const char      *tm_candidate_item_get_file         (TmCandidateItem *self);
const char      *tm_candidate_item_get_case_number  (TmCandidateItem *self);
const char      *tm_candidate_item_get_exhibit      (TmCandidateItem *self);
guint            tm_candidate_item_get_rank         (TmCandidateItem *self);
double           tm_candidate_item_get_score        (TmCandidateItem *self);
double           tm_candidate_item_get_p_knm        (TmCandidateItem *self);
const char      *tm_candidate_item_get_review_state (TmCandidateItem *self);
void             tm_candidate_item_set_review_state (TmCandidateItem *self,
                                                     const char      *state);

/* "1 in 3,000" for a probability of 1/3000, "1 in 2" … ; "—" for NaN. (transfer full)
 * Without the reference's size; the list shows the unusualness property instead. */
char            *tm_format_unusualness              (double           p);

G_END_DECLS
