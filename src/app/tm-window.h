/* tm-window.h — the main window: the acquisitions of one database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tm-application.h"
#include "tm-case-browser.h"
#include "tm-detail-pane.h"
#include "tm-hits-page.h"
#include "tm-import-dialog.h"
#include "tm-leads-page.h"
#include "tm-review-page.h"

G_BEGIN_DECLS

#define TM_TYPE_WINDOW (tm_window_get_type ())

G_DECLARE_FINAL_TYPE (TmWindow, tm_window, TM, WINDOW, AdwApplicationWindow)

/* @settings may be NULL (schema not installed): the window then does not save state. */
TmWindow   *tm_window_new                (TmApplication *application,
                                          const char    *db_path,
                                          GSettings     *settings);
const char *tm_window_get_db_path        (TmWindow      *self);
/* Re-reads the acquisitions in a worker thread (the "win.reload" action). */
void        tm_window_reload             (TmWindow      *self);
/* TRUE while a load runs; "loading" is notified when it changes. */
gboolean    tm_window_get_loading        (TmWindow      *self);
/* Every acquisition of the database as loaded (TmAcquisition items). */
GListModel *tm_window_get_acquisitions   (TmWindow      *self);
/* What the column view shows: the acquisitions filtered by the search and sorted. */
GListModel *tm_window_get_visible_model  (TmWindow      *self);
void        tm_window_set_search_text    (TmWindow      *self,
                                          const char    *text);
/* Which page shows: "loading", "list", "empty", "no-results" or "error". */
const char *tm_window_get_view           (TmWindow      *self);
/* Which page of the content shows: "acquisition", "review", "leads" or "hits". */
const char *tm_window_get_page           (TmWindow      *self);
/* The import dialog for @files (GFile items), as win.import and a drop open it; the
 * window reloads when it has imported something. Not yet presented. */
TmImportDialog *tm_window_open_import    (TmWindow      *self,
                                          GListModel    *files);
/* Opens what a file manager or the command line hands over: scans (X3P, TIFF, PNG) and
 * folders in one import dialog, presented and returned (NULL when there were none);
 * each exchange package (.tmpkg) imported (tm_package_import_file); anything else
 * named in a toast that says what Toolmark opens. */
TmImportDialog *tm_window_open_files     (TmWindow      *self,
                                          GFile        **files,
                                          guint          n_files);
/* Shows correlation run @run_id on the review page (what a finished correlate does). */
void        tm_window_show_run           (TmWindow      *self,
                                          gint64         run_id);
/* Selects the row at @position of the visible model (the detail pane follows). */
void        tm_window_select_position    (TmWindow      *self,
                                          guint          position);
TmDetailPane  *tm_window_get_detail_pane (TmWindow      *self);
TmCaseBrowser *tm_window_get_case_browser (TmWindow     *self);
TmReviewPage  *tm_window_get_review_page (TmWindow      *self);
/* "Signed in as LOGIN (ROLE)", as the main menu shows it; NULL before the first load. */
const char *tm_window_get_user_label     (TmWindow      *self);
/* Shows @toast (consumed) in the window's toast overlay: messages from background work
 * such as the scheduled sync. */
void        tm_window_add_toast          (TmWindow      *self,
                                          AdwToast      *toast);

/* Shows the leads page with lead @lead_id selected (the "win.show-lead" action). */
void        tm_window_show_lead          (TmWindow      *self,
                                          gint64         lead_id);
TmLeadsPage   *tm_window_get_leads_page  (TmWindow      *self);
TmHitsPage    *tm_window_get_hits_page   (TmWindow      *self);

G_END_DECLS
