/* tm-review-page.h — review one correlation run: candidates, compare view, decisions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tm-candidate-list.h"

G_BEGIN_DECLS

#define TM_TYPE_REVIEW_PAGE (tm_review_page_get_type ())

G_DECLARE_FINAL_TYPE (TmReviewPage, tm_review_page, TM, REVIEW_PAGE, GtkWidget)

/* Widget actions (each also a key binding, listed in the shortcuts window):
 *   review.next (J, Alt+Down), review.previous (K, Alt+Up), review.dismiss (D),
 *   review.promote (P), review.add-to-lead (L), review.undo (Ctrl+Z).
 * Decisions are recorded through tm-workflow.h as the OS login (g_get_user_name ()).
 * Properties: loading (bool, read-only), run-id (gint64, read-only). */
GtkWidget       *tm_review_page_new                (void);
/* Loads run @run_id of @db_path on a worker thread and shows it; the first candidate
 * is selected (and so marked viewed) when it has loaded. */
void             tm_review_page_set_run            (TmReviewPage *self,
                                                    const char   *db_path,
                                                    gint64        run_id);
gint64           tm_review_page_get_run_id         (TmReviewPage *self);
gboolean         tm_review_page_get_loading        (TmReviewPage *self);
TmCandidateList *tm_review_page_get_candidate_list (TmReviewPage *self);
/* The compare view of the selected candidate (a TmCompareView), or NULL. */
GtkWidget       *tm_review_page_get_compare_view   (TmReviewPage *self);

G_END_DECLS
