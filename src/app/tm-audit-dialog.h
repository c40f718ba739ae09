/* tm-audit-dialog.h — the audit history of one item, and the chain check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TM_TYPE_AUDIT_DIALOG (tm_audit_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TmAuditDialog, tm_audit_dialog, TM, AUDIT_DIALOG, AdwWindow)

/* The audit entries about @entity_uuid (a lead, acquisition, case or hit UUID), read
 * in a worker thread; @item_title names the item in the header ("Lead 3"). Not yet
 * presented. */
GtkWindow  *tm_audit_dialog_new                (GtkWindow     *parent,
                                                const char    *db_path,
                                                const char    *entity_uuid,
                                                const char    *item_title);
/* TRUE while the entries are read. */
gboolean    tm_audit_dialog_get_loading        (TmAuditDialog *self);
guint       tm_audit_dialog_get_n_entries      (TmAuditDialog *self);
/* The action of entry @index ("lead-created", …), oldest first. */
const char *tm_audit_dialog_get_entry_action   (TmAuditDialog *self,
                                                guint          index);
/* What the "Verify Chain" button does: tm_audit_verify() over the whole log in a
 * worker thread. */
void        tm_audit_dialog_verify             (TmAuditDialog *self);
gboolean    tm_audit_dialog_get_verifying      (TmAuditDialog *self);
/* After a verification: the message shown, and whether the chain is intact. */
const char *tm_audit_dialog_get_verify_message (TmAuditDialog *self);
gboolean    tm_audit_dialog_get_chain_intact   (TmAuditDialog *self);

G_END_DECLS
