/* tm-window.h — the main window: the acquisitions of one database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tm-application.h"

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

G_END_DECLS
