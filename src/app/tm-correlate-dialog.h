/* tm-correlate-dialog.h — the correlate form: filters, scope, progress, counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TM_TYPE_CORRELATE_DIALOG (tm_correlate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TmCorrelateDialog, tm_correlate_dialog, TM, CORRELATE_DIALOG, AdwWindow)

/**
 * tm_correlate_dialog_new:
 * @settings: (nullable): org.toolmark.Toolmark, for default-top-n, search-scope-* and
 *   same-calibre-only
 *
 * A modal window whose form is prefilled from the query acquisition and @settings.
 * Its "correlate.search" action runs the search on a worker thread (its own store
 * connection) with a progress bar; "correlate.cancel" cancels a running search (the
 * run is still saved, with what was fully scored) or closes the window. When a run is
 * saved, complete or cancelled, the counts are shown and "finished" (gint64 run id) is
 * emitted.
 */
GtkWindow  *tm_correlate_dialog_new          (GtkWindow  *parent,
                                              const char *db_path,
                                              gint64      query_id,
                                              GSettings  *settings);
gboolean    tm_correlate_dialog_get_running  (TmCorrelateDialog *self);
/* The id of the last run saved, or 0. */
gint64      tm_correlate_dialog_get_run_id   (TmCorrelateDialog *self);

G_END_DECLS
