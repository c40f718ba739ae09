/* tm-import-dialog.h — import scans: the case form, progress, and what failed per file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TM_TYPE_IMPORT_DIALOG (tm_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TmImportDialog, tm_import_dialog, TM, IMPORT_DIALOG, AdwWindow)

/* @files: GFile items (files or folders; folders contribute their .x3p, .tif, .tiff and
 * .png files). @settings (may be NULL) prefills the agency. */
TmImportDialog *tm_import_dialog_new            (GtkWindow      *parent,
                                                 const char     *db_path,
                                                 GSettings      *settings,
                                                 GListModel     *files);
/* Starts importing, as the Import button does; FALSE (and the form shows why) when
 * the form is not valid or there is nothing to import. */
gboolean        tm_import_dialog_start          (TmImportDialog *self);
/* Stops after the file being imported (that one is finished or rolled back whole). */
void            tm_import_dialog_cancel         (TmImportDialog *self);
/* TRUE while the worker runs; "running" is notified when it changes. */
gboolean        tm_import_dialog_get_running    (TmImportDialog *self);
/* The files to import, as paths (after expanding folders). */
GStrv           tm_import_dialog_dup_paths      (TmImportDialog *self);
guint           tm_import_dialog_get_n_imported (TmImportDialog *self);
guint           tm_import_dialog_get_n_failed   (TmImportDialog *self);
/* The error of file @index, or NULL when it imported (or was not reached). */
const char     *tm_import_dialog_get_file_error (TmImportDialog *self,
                                                 guint           index);

G_END_DECLS
