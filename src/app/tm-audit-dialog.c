/* tm-audit-dialog.c — the audit history of one item, and the chain check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The audit log is evidence: who changed what and when, hash-chained so an edit
 * shows. This dialog lists the rows about one item (tm_audit_list, which also finds
 * the rows that only mention it, e.g. a lead's member-added row on an acquisition)
 * and verifies the whole chain on request, since a chain is only intact as a whole.
 * Both read in worker threads with their own TmStore connection.
 */
#define G_LOG_DOMAIN "tm-audit-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-audit-dialog.h"
#include "tm-audit.h"
#include "tm-store.h"
#include "tm-text-column.h"

struct _TmAuditDialog
{
  AdwWindow       parent_instance;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkButton      *verify_button;
  GtkStack       *stack;
  GtkListBox     *list_box;
  AdwStatusPage  *error_page;
  GtkRevealer    *verify_revealer;
  GtkImage       *verify_icon;
  GtkLabel       *verify_label;

  char           *db_path;
  char           *entity_uuid;
  GPtrArray      *entries;        /* TmAuditEntry */
  GCancellable   *cancellable;
  char           *verify_message;
  guint           loading : 1;
  guint           verifying : 1;
  guint           intact : 1;
};

G_DEFINE_FINAL_TYPE (TmAuditDialog, tm_audit_dialog, ADW_TYPE_WINDOW)

/* ---- helpers ---- */

static char *
format_date (const char *iso8601)
{
  /* Seconds too: two entries of one minute must still read in their order. */
  return tm_text_column_format_date_as (iso8601, "%Y-%m-%d %H:%M:%S");
}

/* The audit actions as a reader says them; an action this version does not know
 * (written by a newer one, or synced) is shown as stored. */
static const char *
describe_action (const char *action)
{
  static const struct { const char *action; const char *text; } actions[] = {
    { "lead-created", N_("Lead created") },
    { "lead-member-added", N_("Evidence added to the lead") },
    { "lead-note", N_("Note added") },
    { "lead-feedback", N_("Investigator feedback recorded") },
    { "lead-conclusion", N_("Examiner's conclusion recorded") },
    { "lead-status", N_("Lead status changed") },
    { "hit-recorded", N_("Hit recorded") },
    { "candidate-decision", N_("Candidate reviewed") },
    { "correlation-run-saved", N_("Correlation run saved") },
    { "case-created", N_("Case created") },
    { "case-updated", N_("Case changed") },
    { "case-link-known", N_("Known case link recorded") },
    { "exhibit-created", N_("Exhibit created") },
    { "exhibit-updated", N_("Exhibit changed") },
    { "acquisition-imported", N_("Acquisition imported") },
    { "microstamp-added", N_("Microstamp code recorded") },
    { "user-added", N_("User added") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_strcmp0 (actions[i].action, action) == 0)
      return _(actions[i].text);
  return action;
}

static void
append_node_text (GString  *text,
                  JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append (text, ", ");
          append_node_text (text, json_array_get_element (array, i));
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node))
    {
      GValue value = G_VALUE_INIT;
      GValue as_string = G_VALUE_INIT;

      json_node_get_value (node, &value);
      g_value_init (&as_string, G_TYPE_STRING);
      if (g_value_transform (&value, &as_string))
        g_string_append (text, g_value_get_string (&as_string));
      g_value_unset (&as_string);
      g_value_unset (&value);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *json = json_to_string (node, FALSE);

      g_string_append (text, json);
    }
}

/* The details as "key: value" lines; the raw text when it is not a JSON object. */
static char *
format_details (const char *details)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *object;
  GList *members;

  if (details == NULL || *details == '\0')
    return NULL;
  root = json_from_string (details, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return g_strdup (details);
  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%s: ", (const char *) l->data);
      append_node_text (text, json_object_get_member (object, l->data));
    }
  g_list_free (members);
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static GtkWidget *
make_row (const TmAuditEntry *entry)
{
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *seq, *details_label;
  g_autofree char *when = format_date (entry->at);
  g_autofree char *subtitle = NULL;
  g_autofree char *seq_text = NULL;
  g_autofree char *details = format_details (entry->details);
  g_autofree char *body = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), describe_action (entry->action));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* Translators: an audit entry's subtitle: who, when */
  subtitle = g_strdup_printf (_("%s · %s"), entry->user ? entry->user : "—", when);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);

  seq_text = g_strdup_printf ("#%" G_GINT64_FORMAT, entry->seq);
  seq = gtk_label_new (seq_text);
  gtk_widget_add_css_class (seq, "dim-label");
  gtk_widget_add_css_class (seq, "numeric");
  adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), seq);

  /* Translators: the expanded part of an audit entry: the item, its details and hashes */
  body = g_strdup_printf (_("Item: %s %s\n%s%sSite: %s\nHash: %s\nPrevious hash: %s"),
                          entry->entity_type ? entry->entity_type : "—",
                          entry->entity_uuid ? entry->entity_uuid : "—",
                          details ? details : "", details ? "\n" : "",
                          entry->site ? entry->site : "—",
                          entry->hash ? entry->hash : "—",
                          entry->prev_hash ? entry->prev_hash : "—");
  details_label = gtk_label_new (body);
  gtk_label_set_xalign (GTK_LABEL (details_label), 0);
  gtk_label_set_wrap (GTK_LABEL (details_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (details_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (details_label), TRUE);
  gtk_widget_set_margin_start (details_label, 12);
  gtk_widget_set_margin_end (details_label, 12);
  gtk_widget_set_margin_top (details_label, 8);
  gtk_widget_set_margin_bottom (details_label, 8);
  gtk_widget_add_css_class (details_label, "caption");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), details_label);
  return row;
}

/* ---- worker threads ---- */

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TmAuditDialog *self = source_object;
  g_autoptr(TmStore) store = NULL;
  GPtrArray *entries;
  GError *error = NULL;

  store = tm_store_open (self->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  entries = tm_audit_list (store, self->entity_uuid, &error);
  if (entries == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

typedef struct
{
  GPtrArray *problems;
  gint64     n_rows;
} VerifyResult;

static void
verify_result_free (VerifyResult *result)
{
  g_clear_pointer (&result->problems, g_ptr_array_unref);
  g_free (result);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TmAuditDialog *self = source_object;
  g_autoptr(TmStore) store = NULL;
  VerifyResult *result = g_new0 (VerifyResult, 1);
  GError *error = NULL;

  store = tm_store_open (self->db_path, &error);
  if (store == NULL ||
      !tm_audit_verify (store, &result->problems, &result->n_rows, &error))
    {
      verify_result_free (result);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) verify_result_free);
}

/* ---- callbacks ---- */

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  TmAuditDialog *self = TM_AUDIT_DIALOG (object);
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  if (entries == NULL)
    {
      /* Status page descriptions are markup; a path may hold '&'. */
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->error_page, escaped);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = entries;
  for (guint i = 0; i < entries->len; i++)
    gtk_list_box_append (self->list_box, make_row (g_ptr_array_index (entries, i)));
  gtk_stack_set_visible_child_name (self->stack, entries->len > 0 ? "list" : "empty");
}

static void
verify_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  TmAuditDialog *self = TM_AUDIT_DIALOG (object);
  g_autoptr(GError) error = NULL;
  VerifyResult *verified = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->verifying = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->verify_button), TRUE);
  g_clear_pointer (&self->verify_message, g_free);
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_label), "error");

  if (verified == NULL)
    {
      self->intact = FALSE;
      /* Translators: %s says why the audit chain could not be checked */
      self->verify_message = g_strdup_printf (_("The audit trail could not be checked: %s"), error->message);
      gtk_image_set_from_icon_name (self->verify_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_label), "error");
    }
  else if (verified->problems->len == 0)
    {
      self->intact = TRUE;
      self->verify_message =
        /* Translators: the audit chain check passed; %u is the number of entries */
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "The audit trail is intact: %u entry checked, none edited, deleted or reordered.",
                                      "The audit trail is intact: %u entries checked, none edited, deleted or reordered.",
                                      (gulong) verified->n_rows),
                         (guint) verified->n_rows);
      gtk_image_set_from_icon_name (self->verify_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_label), "success");
    }
  else
    {
      g_autoptr(GString) text = g_string_new (NULL);

      self->intact = FALSE;
      g_string_append_printf (text,
                              /* Translators: the audit chain check failed; %u problems follow, one per line */
                              g_dngettext (GETTEXT_PACKAGE,
                                           "The audit trail has been tampered with (%u problem):",
                                           "The audit trail has been tampered with (%u problems):",
                                           verified->problems->len),
                              verified->problems->len);
      for (guint i = 0; i < verified->problems->len; i++)
        g_string_append_printf (text, "\n%s", (const char *) g_ptr_array_index (verified->problems, i));
      self->verify_message = g_string_free (g_steal_pointer (&text), FALSE);
      gtk_image_set_from_icon_name (self->verify_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->verify_label), "error");
    }
  gtk_label_set_label (self->verify_label, self->verify_message);
  gtk_revealer_set_reveal_child (self->verify_revealer, TRUE);
  g_clear_pointer (&verified, verify_result_free);
}

static void
verify_clicked_cb (TmAuditDialog *self)
{
  tm_audit_dialog_verify (self);
}

/* ---- GObject ---- */

static void
tm_audit_dialog_dispose (GObject *object)
{
  TmAuditDialog *self = TM_AUDIT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TM_TYPE_AUDIT_DIALOG);

  G_OBJECT_CLASS (tm_audit_dialog_parent_class)->dispose (object);
}

static void
tm_audit_dialog_finalize (GObject *object)
{
  TmAuditDialog *self = TM_AUDIT_DIALOG (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_free (self->db_path);
  g_free (self->entity_uuid);
  g_free (self->verify_message);

  G_OBJECT_CLASS (tm_audit_dialog_parent_class)->finalize (object);
}

static void
tm_audit_dialog_class_init (TmAuditDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_audit_dialog_dispose;
  object_class->finalize = tm_audit_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-audit-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TmAuditDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, TmAuditDialog, verify_button);
  gtk_widget_class_bind_template_child (widget_class, TmAuditDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, TmAuditDialog, list_box);
  gtk_widget_class_bind_template_child (widget_class, TmAuditDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, TmAuditDialog, verify_revealer);
  gtk_widget_class_bind_template_child (widget_class, TmAuditDialog, verify_icon);
  gtk_widget_class_bind_template_child (widget_class, TmAuditDialog, verify_label);
  gtk_widget_class_bind_template_callback (widget_class, verify_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tm_audit_dialog_init (TmAuditDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/* ---- public API ---- */

GtkWindow *
tm_audit_dialog_new (GtkWindow  *parent,
                     const char *db_path,
                     const char *entity_uuid,
                     const char *item_title)
{
  TmAuditDialog *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (entity_uuid != NULL, NULL);

  self = g_object_new (TM_TYPE_AUDIT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->db_path = g_strdup (db_path);
  self->entity_uuid = g_strdup (entity_uuid);
  adw_window_title_set_subtitle (self->window_title, item_title ? item_title : entity_uuid);

  self->loading = TRUE;
  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, tm_audit_dialog_new);
  g_task_run_in_thread (task, load_thread);
  return GTK_WINDOW (self);
}

gboolean
tm_audit_dialog_get_loading (TmAuditDialog *self)
{
  g_return_val_if_fail (TM_IS_AUDIT_DIALOG (self), FALSE);

  return self->loading;
}

guint
tm_audit_dialog_get_n_entries (TmAuditDialog *self)
{
  g_return_val_if_fail (TM_IS_AUDIT_DIALOG (self), 0);

  return self->entries != NULL ? self->entries->len : 0;
}

const char *
tm_audit_dialog_get_entry_action (TmAuditDialog *self,
                                  guint          index)
{
  g_return_val_if_fail (TM_IS_AUDIT_DIALOG (self), NULL);
  g_return_val_if_fail (self->entries != NULL && index < self->entries->len, NULL);

  return ((TmAuditEntry *) g_ptr_array_index (self->entries, index))->action;
}

void
tm_audit_dialog_verify (TmAuditDialog *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TM_IS_AUDIT_DIALOG (self));

  if (self->verifying)
    return;
  self->verifying = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->verify_button), FALSE);
  task = g_task_new (self, self->cancellable, verify_cb, NULL);
  g_task_set_source_tag (task, tm_audit_dialog_verify);
  g_task_run_in_thread (task, verify_thread);
}

gboolean
tm_audit_dialog_get_verifying (TmAuditDialog *self)
{
  g_return_val_if_fail (TM_IS_AUDIT_DIALOG (self), FALSE);

  return self->verifying;
}

const char *
tm_audit_dialog_get_verify_message (TmAuditDialog *self)
{
  g_return_val_if_fail (TM_IS_AUDIT_DIALOG (self), NULL);

  return self->verify_message;
}

gboolean
tm_audit_dialog_get_chain_intact (TmAuditDialog *self)
{
  g_return_val_if_fail (TM_IS_AUDIT_DIALOG (self), FALSE);

  return self->intact;
}
