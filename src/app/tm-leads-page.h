/* tm-leads-page.h — the leads of the database, and the selected lead's view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tm-lead-view.h"

G_BEGIN_DECLS

#define TM_TYPE_LEADS_PAGE (tm_leads_page_get_type ())

G_DECLARE_FINAL_TYPE (TmLeadsPage, tm_leads_page, TM, LEADS_PAGE, GtkWidget)

GtkWidget  *tm_leads_page_new               (void);
/* The database to read; reloads. */
void        tm_leads_page_set_db_path       (TmLeadsPage *self,
                                             const char  *db_path);
void        tm_leads_page_set_settings      (TmLeadsPage *self,
                                             GSettings   *settings);
/* Re-reads the leads in a worker thread (also each time the page is mapped); the
 * selected lead stays selected. */
void        tm_leads_page_reload            (TmLeadsPage *self);
gboolean    tm_leads_page_get_loading       (TmLeadsPage *self);
/* Shows only leads of @status ("open", "confirmed", …) or all (NULL); the status
 * dropdown follows. */
void        tm_leads_page_set_status_filter (TmLeadsPage *self,
                                             const char  *status);
/* The rows as shown (TmLead, filtered and sorted). */
GListModel *tm_leads_page_get_model         (TmLeadsPage *self);
/* Selects lead @lead_id (clearing the status filter when it hides it); when the list
 * is loading, once it has loaded. */
void        tm_leads_page_select_lead       (TmLeadsPage *self,
                                             gint64       lead_id);
TmLeadView *tm_leads_page_get_lead_view     (TmLeadsPage *self);

G_END_DECLS
