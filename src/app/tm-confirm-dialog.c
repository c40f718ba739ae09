/* tm-confirm-dialog.c — an examiner records a conclusion on a lead
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The conclusion of a microscopic comparison (AFTE range: identification,
 * inconclusive, elimination, unsuitable) is what turns a lead into a hit a court will
 * hear about, so the dialog says what an identification does before it is recorded.
 * Only examiners (and administrators) may record one. The dialog asks the core
 * (tm_store_check_permission) when it opens and disables Record with the core's
 * reason; the core checks again when recording (the role may change meanwhile, on
 * this machine or through a sync), and that refusal is shown in the dialog as well.
 * Reading and recording run in worker threads, each with its own TmStore.
 */
#define G_LOG_DOMAIN "tm-confirm-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "tm-confirm-dialog.h"
#include "tm-store.h"
#include "tm-users.h"
#include "tm-workflow.h"

struct _TmConfirmDialog
{
  AdwWindow        parent_instance;

  /* Template widgets */
  AdwWindowTitle  *window_title;
  GtkButton       *record_button;
  GtkLabel        *intro_label;
  GtkListBox      *members_list;
  GtkCheckButton  *identification_check;
  GtkCheckButton  *inconclusive_check;
  GtkCheckButton  *elimination_check;
  GtkCheckButton  *unsuitable_check;
  GtkLabel        *effect_label;
  GtkTextView     *note_view;
  GtkRevealer     *message_revealer;
  GtkLabel        *message_label;
  GtkSpinner      *spinner;

  char            *db_path;
  gint64           lead_id;
  char            *message;
  GCancellable    *cancellable;
  guint            checking : 1;
  guint            recording : 1;
  guint            permitted : 1;
};

enum {
  RECORDED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (TmConfirmDialog, tm_confirm_dialog, ADW_TYPE_WINDOW)

static guint signals[N_SIGNALS];

/* ---- helpers ---- */

static void
show_message (TmConfirmDialog *self,
              const char      *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_label (self->message_label, message ? message : "");
  gtk_revealer_set_reveal_child (self->message_revealer, message != NULL);
}

static void
update_sensitivity (TmConfirmDialog *self)
{
  gboolean busy = self->checking || self->recording;
  gboolean can = !busy && self->permitted && tm_confirm_dialog_get_conclusion (self) != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->record_button), can);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);

  if (!self->checking && !self->permitted)
    /* The core's own words say which role is needed. */
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->record_button), self->message);
  else if (tm_confirm_dialog_get_conclusion (self) == NULL)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->record_button), _("Choose a conclusion first"));
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->record_button),
                                 _("Record the conclusion under your name; it cannot be edited later"));
}

static char *
get_note (TmConfirmDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->note_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_strstrip (text);
  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

/* ---- check: read the lead and ask the core whether the login may conclude ---- */

typedef struct
{
  TmLead *lead;
  char   *refusal;
} CheckResult;

static void
check_result_free (CheckResult *result)
{
  g_clear_object (&result->lead);
  g_free (result->refusal);
  g_free (result);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  TmConfirmDialog *self = source_object;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) refusal = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, self->lead_id);
  CheckResult *result;
  GError *error = NULL;
  TmLead *lead;

  store = tm_store_open (self->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  lead = tm_store_get_lead (store, id, &error);
  if (lead == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  result = g_new0 (CheckResult, 1);
  result->lead = lead;
  if (!tm_store_check_permission (store, g_get_user_name (), TM_PERMISSION_CONCLUDE, &refusal))
    result->refusal = g_strdup (refusal->message);
  g_task_return_pointer (task, result, (GDestroyNotify) check_result_free);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  TmConfirmDialog *self = TM_CONFIRM_DIALOG (object);
  g_autoptr(GError) error = NULL;
  CheckResult *checked = g_task_propagate_pointer (G_TASK (result), &error);
  GPtrArray *members;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->checking = FALSE;
  if (checked == NULL)
    {
      self->permitted = FALSE;
      show_message (self, error->message);
      update_sensitivity (self);
      return;
    }

  members = tm_lead_get_members (checked->lead);
  for (guint i = 0; i < members->len; i++)
    {
      const TmLeadMember *m = g_ptr_array_index (members, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;

      /* Translators: a lead member in the confirm dialog: case number, exhibit */
      title = g_strdup_printf (_("Case %s, exhibit %s"),
                               m->case_number ? m->case_number : "—",
                               m->exhibit ? m->exhibit : "—");
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), m->file ? m->file : "");
      gtk_list_box_append (self->members_list, row);
    }
  if (tm_lead_get_conclusion (checked->lead) != NULL)
    {
      g_autofree char *previous = NULL;

      /* Translators: %s is the earlier conclusion ("identification", …) */
      previous = g_strdup_printf (_("This lead already has a conclusion (%s). A new one is added to its history; the earlier one stays on record."),
                                  tm_lead_get_conclusion (checked->lead));
      gtk_label_set_label (self->effect_label, previous);
    }

  self->permitted = checked->refusal == NULL;
  if (checked->refusal != NULL)
    show_message (self, checked->refusal);
  update_sensitivity (self);
  check_result_free (checked);
}

/* ---- record ---- */

typedef struct
{
  gint64  lead_id;
  char   *db_path;
  char   *conclusion;
  char   *note;
} RecordData;

static void
record_data_free (RecordData *data)
{
  g_free (data->db_path);
  g_free (data->conclusion);
  g_free (data->note);
  g_free (data);
}

static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RecordData *data = task_data;
  g_autoptr(TmStore) store = NULL;
  GError *error = NULL;
  gint64 hit_id = 0;

  store = tm_store_open (data->db_path, &error);
  if (store == NULL ||
      !tm_store_confirm_lead (store, data->lead_id, data->conclusion, data->note,
                              g_get_user_name (), &hit_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Identifications return their hit; 0 otherwise. -1 marks "done, no hit". */
  g_task_return_int (task, hit_id > 0 ? hit_id : -1);
}

static void
record_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  TmConfirmDialog *self = TM_CONFIRM_DIALOG (object);
  RecordData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gssize hit_id = g_task_propagate_int (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->recording = FALSE;
  if (error != NULL)
    {
      /* Refused by the core (the role changed since the dialog opened) or failed:
       * its message, in the dialog, and Record stays off while refused. */
      if (g_error_matches (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION))
        self->permitted = FALSE;
      show_message (self, error->message);
      update_sensitivity (self);
      return;
    }

  g_object_ref (self);
  g_signal_emit (self, signals[RECORDED], 0, self->lead_id, data->conclusion,
                 (gint64) (hit_id > 0 ? hit_id : 0));
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

/* ---- callbacks ---- */

static void
conclusion_toggled_cb (TmConfirmDialog *self)
{
  const char *conclusion = tm_confirm_dialog_get_conclusion (self);

  if (self->permitted && self->message != NULL && !self->checking)
    show_message (self, NULL);
  if (g_strcmp0 (conclusion, "identification") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->effect_label), "accent");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->effect_label), "accent");
  update_sensitivity (self);
}

static void
record_clicked_cb (TmConfirmDialog *self)
{
  tm_confirm_dialog_record (self);
}

/* ---- GObject ---- */

static void
tm_confirm_dialog_dispose (GObject *object)
{
  TmConfirmDialog *self = TM_CONFIRM_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TM_TYPE_CONFIRM_DIALOG);

  G_OBJECT_CLASS (tm_confirm_dialog_parent_class)->dispose (object);
}

static void
tm_confirm_dialog_finalize (GObject *object)
{
  TmConfirmDialog *self = TM_CONFIRM_DIALOG (object);

  g_free (self->db_path);
  g_free (self->message);

  G_OBJECT_CLASS (tm_confirm_dialog_parent_class)->finalize (object);
}

static void
tm_confirm_dialog_class_init (TmConfirmDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_confirm_dialog_dispose;
  object_class->finalize = tm_confirm_dialog_finalize;

  /**
   * TmConfirmDialog::recorded:
   * @lead_id: the lead
   * @conclusion: what was recorded
   * @hit_id: the hit an identification made, else 0
   */
  signals[RECORDED] =
    g_signal_new ("recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-confirm-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, record_button);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, members_list);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, identification_check);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, inconclusive_check);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, elimination_check);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, unsuitable_check);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, effect_label);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, note_view);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, message_revealer);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, TmConfirmDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, conclusion_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, record_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tm_confirm_dialog_init (TmConfirmDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/* ---- public API ---- */

GtkWindow *
tm_confirm_dialog_new (GtkWindow  *parent,
                       const char *db_path,
                       gint64      lead_id)
{
  TmConfirmDialog *self;
  g_autoptr(GTask) task = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *intro = NULL;
  g_autofree char *effect = NULL;
  g_autofree char *number = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (lead_id > 0, NULL);

  self = g_object_new (TM_TYPE_CONFIRM_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->db_path = g_strdup (db_path);
  self->lead_id = lead_id;

  number = g_strdup_printf ("%" G_GINT64_FORMAT, lead_id);
  /* Translators: the confirm dialog's subtitle; %s is the lead number */
  subtitle = g_strdup_printf (_("Lead %s"), number);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  /* Translators: %s is the OS login the conclusion is recorded under */
  intro = g_strdup_printf (_("Record the conclusion of your microscopic comparison of the physical evidence below. It is recorded under your name (%s) with the time, added to the lead’s history and cannot be edited later."),
                           g_get_user_name ());
  gtk_label_set_label (self->intro_label, intro);
  effect = g_strdup (_("An identification makes a hit: the cases of this lead are linked. Each case not already known to be connected to the others counts as one ATF hit; links the investigators already knew about are not counted."));
  gtk_label_set_label (self->effect_label, effect);

  self->checking = TRUE;
  update_sensitivity (self);
  task = g_task_new (self, self->cancellable, check_cb, NULL);
  g_task_set_source_tag (task, tm_confirm_dialog_new);
  g_task_run_in_thread (task, check_thread);
  return GTK_WINDOW (self);
}

gint64
tm_confirm_dialog_get_lead_id (TmConfirmDialog *self)
{
  g_return_val_if_fail (TM_IS_CONFIRM_DIALOG (self), 0);

  return self->lead_id;
}

void
tm_confirm_dialog_set_conclusion (TmConfirmDialog *self,
                                  const char      *conclusion)
{
  g_return_if_fail (TM_IS_CONFIRM_DIALOG (self));

  gtk_check_button_set_active (self->identification_check, g_strcmp0 (conclusion, "identification") == 0);
  gtk_check_button_set_active (self->inconclusive_check, g_strcmp0 (conclusion, "inconclusive") == 0);
  gtk_check_button_set_active (self->elimination_check, g_strcmp0 (conclusion, "elimination") == 0);
  gtk_check_button_set_active (self->unsuitable_check, g_strcmp0 (conclusion, "unsuitable") == 0);
}

const char *
tm_confirm_dialog_get_conclusion (TmConfirmDialog *self)
{
  g_return_val_if_fail (TM_IS_CONFIRM_DIALOG (self), NULL);

  if (gtk_check_button_get_active (self->identification_check))
    return "identification";
  if (gtk_check_button_get_active (self->inconclusive_check))
    return "inconclusive";
  if (gtk_check_button_get_active (self->elimination_check))
    return "elimination";
  if (gtk_check_button_get_active (self->unsuitable_check))
    return "unsuitable";
  return NULL;
}

void
tm_confirm_dialog_set_note (TmConfirmDialog *self,
                            const char      *note)
{
  g_return_if_fail (TM_IS_CONFIRM_DIALOG (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->note_view), note ? note : "", -1);
}

gboolean
tm_confirm_dialog_get_busy (TmConfirmDialog *self)
{
  g_return_val_if_fail (TM_IS_CONFIRM_DIALOG (self), FALSE);

  return self->checking || self->recording;
}

gboolean
tm_confirm_dialog_get_permitted (TmConfirmDialog *self)
{
  g_return_val_if_fail (TM_IS_CONFIRM_DIALOG (self), FALSE);

  return self->permitted;
}

const char *
tm_confirm_dialog_get_message (TmConfirmDialog *self)
{
  g_return_val_if_fail (TM_IS_CONFIRM_DIALOG (self), NULL);

  return self->message;
}

void
tm_confirm_dialog_record (TmConfirmDialog *self)
{
  g_autoptr(GTask) task = NULL;
  RecordData *data;

  g_return_if_fail (TM_IS_CONFIRM_DIALOG (self));

  if (self->checking || self->recording || tm_confirm_dialog_get_conclusion (self) == NULL)
    return;

  data = g_new0 (RecordData, 1);
  data->lead_id = self->lead_id;
  data->db_path = g_strdup (self->db_path);
  data->conclusion = g_strdup (tm_confirm_dialog_get_conclusion (self));
  data->note = get_note (self);

  self->recording = TRUE;
  show_message (self, NULL);
  update_sensitivity (self);
  task = g_task_new (self, self->cancellable, record_cb, NULL);
  g_task_set_source_tag (task, tm_confirm_dialog_record);
  g_task_set_task_data (task, data, (GDestroyNotify) record_data_free);
  g_task_run_in_thread (task, record_thread);
}
