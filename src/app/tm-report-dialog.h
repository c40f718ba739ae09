/* tm-report-dialog.h — choose a report, preview it, print it or save it as PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tm-report.h"

G_BEGIN_DECLS

#define TM_TYPE_REPORT_DIALOG (tm_report_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TmReportDialog, tm_report_dialog, TM, REPORT_DIALOG, AdwWindow)

/**
 * tm_report_dialog_present:
 * @parent: (nullable): the window the dialog is modal for
 * @db_path: the database; the report is built on a worker thread with its own
 *   connection
 * @kind: (nullable): "lead", "hit", "case" or "stats" (NULL: "lead")
 * @target_id: (nullable): the lead, hit or case to report on (ignored for "stats")
 * @settings: (nullable): org.toolmark.Toolmark, for agency-name
 *
 * Opens the report dialog. With a kind and a target (or kind "stats") the report is
 * built at once and its first page previewed; "Print…" prints it through
 * GtkPrintOperation (each page drawn by tm_report_draw_page) and "Save as PDF…"
 * writes it with tm_report_write_pdf. The report names the OS login as its author.
 */
void        tm_report_dialog_present    (GtkWindow  *parent,
                                         const char *db_path,
                                         const char *kind,
                                         const char *target_id,
                                         GSettings  *settings);

TmReportDialog *tm_report_dialog_new    (GtkWindow  *parent,
                                         const char *db_path,
                                         const char *kind,
                                         const char *target_id,
                                         GSettings  *settings);
/* Runs the print operation "Print…" runs (same page setup, pages drawn by
 * tm_report_draw_page) with GTK_PRINT_OPERATION_ACTION_EXPORT into the PDF file
 * @path, without a dialog. FALSE when no report is built or the export failed. */
gboolean    tm_report_dialog_export_via_print (TmReportDialog  *self,
                                               const char      *path,
                                               GError         **error);
/* What "Save as PDF…" writes once a file is chosen (tm_report_write_pdf). */
gboolean    tm_report_dialog_save_pdf   (TmReportDialog  *self,
                                         const char      *path,
                                         GError         **error);
/* The report previewed, or NULL while none is built (for tests). */
TmReport   *tm_report_dialog_get_report (TmReportDialog *self);

G_END_DECLS
