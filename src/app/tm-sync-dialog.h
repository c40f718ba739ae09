/* tm-sync-dialog.h — sync with the hub now, and exchange packages, from the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TM_TYPE_SYNC_DIALOG (tm_sync_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TmSyncDialog, tm_sync_dialog, TM, SYNC_DIALOG, AdwWindow)

/* Syncs @db_path with the hub of the settings key hub-url, within the search scope of
 * search-scope-sites / search-scope-calibres, in the background: progress, Cancel, and
 * what was pushed, pulled and quarantined when done. */
TmSyncDialog *tm_sync_dialog_new               (GtkWindow    *parent,
                                                const char   *db_path,
                                                GSettings    *settings);
void          tm_sync_dialog_present           (GtkWindow    *parent,
                                                const char   *db_path,
                                                GSettings    *settings);
/* TRUE while the sync runs; "running" is notified when it changes. */
gboolean      tm_sync_dialog_get_running       (TmSyncDialog *self);
void          tm_sync_dialog_cancel            (TmSyncDialog *self);
/* The summary shown when the sync ended (NULL before). */
const char   *tm_sync_dialog_get_summary       (TmSyncDialog *self);

/* Asks where to save (GtkFileChooserNative), then writes a .tmpkg of @ids in the
 * background; the sending agency is the settings' default agency when set. */
void          tm_package_export_dialog_present (GtkWindow    *parent,
                                                const char   *db_path,
                                                const gint64 *ids,
                                                guint         n_ids);
/* Asks for a .tmpkg, verifies and imports it in the background, and says what came in. */
void          tm_package_import_dialog_present (GtkWindow    *parent,
                                                const char   *db_path);
/* Verifies and imports the .tmpkg @file in the background (what opening a package from
 * a file manager does), says what came in, and reloads @parent ("win.reload"). */
void          tm_package_import_file           (GtkWindow    *parent,
                                                const char   *db_path,
                                                GFile        *file);

G_END_DECLS
