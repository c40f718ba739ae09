/* tm-hits-page.h — the hits of the database: linked cases, examiner, date, ATF count
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TM_TYPE_HITS_PAGE (tm_hits_page_get_type ())

G_DECLARE_FINAL_TYPE (TmHitsPage, tm_hits_page, TM, HITS_PAGE, GtkWidget)

GtkWidget     *tm_hits_page_new              (void);
/* The database to read; reloads. */
void           tm_hits_page_set_db_path      (TmHitsPage *self,
                                              const char *db_path);
/* For the report dialog's defaults (nullable). */
void           tm_hits_page_set_settings     (TmHitsPage *self,
                                              GSettings  *settings);
/* Re-reads the hits in a worker thread (also done each time the page is mapped). */
void           tm_hits_page_reload           (TmHitsPage *self);
gboolean       tm_hits_page_get_loading      (TmHitsPage *self);
/* The rows as shown (TmHitItem, sorted by the column view). */
GListModel    *tm_hits_page_get_model        (TmHitsPage *self);
void           tm_hits_page_select           (TmHitsPage *self,
                                              guint       position);

G_END_DECLS
