/* tm-lead-view.h — one lead: evidence, timeline, notes, feedback, conclusion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tm-lead.h"

G_BEGIN_DECLS

#define TM_TYPE_LEAD_VIEW (tm_lead_view_get_type ())

G_DECLARE_FINAL_TYPE (TmLeadView, tm_lead_view, TM, LEAD_VIEW, GtkWidget)

GtkWidget  *tm_lead_view_new             (void);
void        tm_lead_view_set_db_path     (TmLeadView *self,
                                          const char *db_path);
/* For the report dialog's defaults (nullable). */
void        tm_lead_view_set_settings    (TmLeadView *self,
                                          GSettings  *settings);
/* Shows lead @lead_id (read in a worker thread); 0 shows nothing. */
void        tm_lead_view_set_lead        (TmLeadView *self,
                                          gint64      lead_id);
gint64      tm_lead_view_get_lead_id     (TmLeadView *self);
/* The snapshot shown, or NULL while none is loaded. */
TmLead     *tm_lead_view_get_lead        (TmLeadView *self);
/* The hit recorded on the lead (the latest identification), or 0. */
gint64      tm_lead_view_get_hit_id      (TmLeadView *self);
void        tm_lead_view_reload          (TmLeadView *self);
/* TRUE while the lead is read or a note / feedback is being recorded. */
gboolean    tm_lead_view_get_busy        (TmLeadView *self);
/* What "Confirm…" does: the examiner's dialog for this lead, presented. */
GtkWindow  *tm_lead_view_open_confirm    (TmLeadView *self);
/* What "History" does: the audit history of the lead, presented. */
GtkWindow  *tm_lead_view_open_history    (TmLeadView *self);

G_END_DECLS
