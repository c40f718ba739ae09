/* tm-case-browser.h — the sidebar tree: all acquisitions → cases → exhibits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TM_TYPE_CASE_BROWSER (tm_case_browser_get_type ())

G_DECLARE_FINAL_TYPE (TmCaseBrowser, tm_case_browser, TM, CASE_BROWSER, GtkWidget)

GtkWidget  *tm_case_browser_new                (void);
/* Rebuilds the tree from @acquisitions (TmAcquisition items), keeping the selected
 * case or exhibit selected when it still exists. */
void        tm_case_browser_set_acquisitions   (TmCaseBrowser *self,
                                                GListModel    *acquisitions);
/* The selected case's UUID, or NULL for "All Acquisitions". */
const char *tm_case_browser_get_case_uuid      (TmCaseBrowser *self);
/* The selected exhibit's UUID, or NULL when a case (or everything) is selected. */
const char *tm_case_browser_get_exhibit_uuid   (TmCaseBrowser *self);
/* Selects a case (@exhibit_uuid NULL), an exhibit, or everything (both NULL);
 * FALSE when no such row exists. Emits "selection-changed" when it changes. */
gboolean    tm_case_browser_select             (TmCaseBrowser *self,
                                                const char    *case_uuid,
                                                const char    *exhibit_uuid);
/* Number of cases in the tree. */
guint       tm_case_browser_get_n_cases        (TmCaseBrowser *self);

G_END_DECLS
