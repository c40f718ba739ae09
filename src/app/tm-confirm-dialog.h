/* tm-confirm-dialog.h — an examiner records a conclusion on a lead
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TM_TYPE_CONFIRM_DIALOG (tm_confirm_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TmConfirmDialog, tm_confirm_dialog, TM, CONFIRM_DIALOG, AdwWindow)

/* The dialog for lead @lead_id of the database at @db_path, acting as the OS login.
 * Reads the lead and checks the role in a worker thread; not yet presented. */
GtkWindow  *tm_confirm_dialog_new             (GtkWindow       *parent,
                                               const char      *db_path,
                                               gint64           lead_id);
gint64      tm_confirm_dialog_get_lead_id     (TmConfirmDialog *self);
/* "identification", "inconclusive", "elimination", "unsuitable", or NULL (none yet). */
void        tm_confirm_dialog_set_conclusion  (TmConfirmDialog *self,
                                               const char      *conclusion);
const char *tm_confirm_dialog_get_conclusion  (TmConfirmDialog *self);
void        tm_confirm_dialog_set_note        (TmConfirmDialog *self,
                                               const char      *note);
/* TRUE while the lead is read / the role checked, or a conclusion is being recorded. */
gboolean    tm_confirm_dialog_get_busy        (TmConfirmDialog *self);
/* FALSE when the core refused the OS login the permission to record a conclusion. */
gboolean    tm_confirm_dialog_get_permitted   (TmConfirmDialog *self);
/* The refusal or error shown in the dialog (the core's words), or NULL. */
const char *tm_confirm_dialog_get_message     (TmConfirmDialog *self);
/* What the Record button does: tm_store_confirm_lead() in a worker thread; on
 * success emits ::recorded and closes, else shows the core's message. */
void        tm_confirm_dialog_record          (TmConfirmDialog *self);

G_END_DECLS
