/* tm-candidate-list.h — the ranked candidates of a correlation run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tm-candidate-item.h"

G_BEGIN_DECLS

#define TM_TYPE_CANDIDATE_LIST (tm_candidate_list_get_type ())

G_DECLARE_FINAL_TYPE (TmCandidateList, tm_candidate_list, TM, CANDIDATE_LIST, GtkWidget)

GtkWidget       *tm_candidate_list_new              (void);
/* @items: (element-type TmCandidateItem) (nullable): in rank order */
void             tm_candidate_list_set_items        (TmCandidateList *self,
                                                     GListModel      *items);
/* The candidates as shown (sorted by the column view). */
GListModel      *tm_candidate_list_get_model        (TmCandidateList *self);
/* (transfer none) (nullable); also the "selected-item" property */
TmCandidateItem *tm_candidate_list_get_selected     (TmCandidateList *self);
guint            tm_candidate_list_get_selected_position (TmCandidateList *self);
/* Selects the row at @position of the shown order and scrolls it into view. */
void             tm_candidate_list_select_position  (TmCandidateList *self,
                                                     guint            position);
/* Moves the selection one row down / up; FALSE at the end (nothing changes). */
gboolean         tm_candidate_list_select_next      (TmCandidateList *self);
gboolean         tm_candidate_list_select_previous  (TmCandidateList *self);
GtkColumnView   *tm_candidate_list_get_column_view  (TmCandidateList *self);

G_END_DECLS
