/* tm-sync-dialog.c — sync with the hub now, and exchange packages, from the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sync runs in a GTask thread on its own TmStore (one SQLite connection per
 * thread); progress reaches the window through the main context. Closing the window
 * cancels between batches: what was committed stays, the next sync continues.
 */
#define G_LOG_DOMAIN "tm-sync-dialog"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "tm-package.h"
#include "tm-store.h"
#include "tm-sync.h"
#include "tm-sync-dialog.h"
#include "tm-sync-scheduler.h"

struct _TmSyncDialog
{
  AdwWindow       parent_instance;

  char           *db_path;
  char           *hub_url;
  GStrv           scope_sites;
  GStrv           scope_calibres;
  GCancellable   *cancellable;
  char           *summary;
  gboolean        running;

  GtkLabel       *phase_label;
  GtkProgressBar *progress;
  GtkLabel       *result_label;
  GtkButton      *cancel_button;
};

G_DEFINE_FINAL_TYPE (TmSyncDialog, tm_sync_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  GWeakRef  dialog;
  char     *phase;
  guint64   done;
  guint64   total;
} ProgressUpdate;

static gboolean
progress_update_cb (gpointer data)
{
  ProgressUpdate *update = data;
  g_autoptr(TmSyncDialog) self = g_weak_ref_get (&update->dialog);

  if (self != NULL && self->running)
    {
      g_autofree char *text = g_strdup_printf (_("%s: %" PRIu64 " of %" PRIu64),
                                               update->phase, update->done, update->total);
      gtk_label_set_text (self->phase_label, text);
      if (update->total > 0)
        gtk_progress_bar_set_fraction (self->progress, (double)update->done / update->total);
      else
        gtk_progress_bar_pulse (self->progress);
    }
  g_weak_ref_clear (&update->dialog);
  g_free (update->phase);
  g_free (update);
  return G_SOURCE_REMOVE;
}

static void
sync_progress (const char *phase,
               guint64     done,
               guint64     total,
               gpointer    user_data)
{
  GTask *task = user_data;
  ProgressUpdate *update = g_new0 (ProgressUpdate, 1);

  g_weak_ref_init (&update->dialog, g_task_get_source_object (task));
  update->phase = g_strdup (phase);
  update->done = done;
  update->total = total;
  g_main_context_invoke (NULL, progress_update_cb, update);
}

static char *
report_summary (const TmSyncReport *report)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, _("Pushed %u acquisitions, %u leads, %u lead events, %u lead members, %u hits."),
                          report->pushed_acquisitions, report->pushed_leads, report->pushed_events,
                          report->pushed_members, report->pushed_hits);
  if (report->withheld > 0)
    g_string_append_printf (out, _(" %u point-of-sale or manufacturer acquisitions stay off this NIBIN hub."),
                            report->withheld);
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Pulled %u acquisitions, %u leads, %u lead events, %u lead members, %u hits."),
                          report->pulled_acquisitions, report->pulled_leads, report->pulled_events,
                          report->pulled_members, report->pulled_hits);
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Quarantined: %u."), report->quarantined);
  for (guint i = 0; i < report->messages->len && i < 20; i++)
    g_string_append_printf (out, "\n• %s", (const char *)g_ptr_array_index (report->messages, i));
  return g_string_free (out, FALSE);
}

static void
sync_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TmSyncDialog *self = source_object;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TmSyncOptions options = { 0 };
  TmSyncReport report;
  g_autofree char *summary = NULL;
  gboolean ok;

  store = tm_store_open (self->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  options.scope_sites = (const char * const *)self->scope_sites;
  options.scope_calibres = (const char * const *)self->scope_calibres;
  tm_sync_report_init (&report);
  /* One sync at a time: a scheduled sync that is running ends first (its next tick
   * gives way to this one). */
  tm_sync_scheduler_lock_sync ();
  ok = tm_sync_run (store, self->hub_url, &options, &report, sync_progress, task, cancellable, &error);
  tm_sync_scheduler_unlock_sync ();
  summary = report_summary (&report);
  tm_sync_report_clear (&report);
  if (!ok)
    {
      g_prefix_error (&error, "%s\n\n", summary);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&summary), g_free);
}

static void
set_running (TmSyncDialog *self,
             gboolean      running)
{
  if (self->running == running)
    return;
  self->running = running;
  gtk_button_set_label (self->cancel_button, running ? _("_Cancel") : _("_Close"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TmSyncDialog *self = TM_SYNC_DIALOG (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = g_task_propagate_pointer (G_TASK (result), &error);

  g_free (self->summary);
  if (summary != NULL)
    {
      self->summary = g_steal_pointer (&summary);
      gtk_label_set_text (self->phase_label, _("Sync complete"));
      gtk_progress_bar_set_fraction (self->progress, 1.0);
    }
  else
    {
      self->summary = g_strdup (error->message);
      gtk_label_set_text (self->phase_label,
                          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                          ? _("Sync cancelled; the next sync continues from here")
                          : _("Sync failed; local work is untouched"));
    }
  gtk_label_set_text (self->result_label, self->summary);
  set_running (self, FALSE);
}

static void
cancel_clicked_cb (TmSyncDialog *self)
{
  if (self->running)
    tm_sync_dialog_cancel (self);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static gboolean
close_request_cb (TmSyncDialog *self)
{
  /* The worker holds a reference; it stops at the next batch. */
  g_cancellable_cancel (self->cancellable);
  return FALSE;
}

static void
tm_sync_dialog_finalize (GObject *object)
{
  TmSyncDialog *self = (TmSyncDialog *)object;

  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->hub_url, g_free);
  g_clear_pointer (&self->scope_sites, g_strfreev);
  g_clear_pointer (&self->scope_calibres, g_strfreev);
  g_clear_pointer (&self->summary, g_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (tm_sync_dialog_parent_class)->finalize (object);
}

static void
tm_sync_dialog_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TmSyncDialog *self = TM_SYNC_DIALOG (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_sync_dialog_class_init (TmSyncDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tm_sync_dialog_finalize;
  object_class->get_property = tm_sync_dialog_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tm_sync_dialog_init (TmSyncDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Sync with the Hub"));
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 360);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 18);

  self->phase_label = GTK_LABEL (gtk_label_new (_("Connecting to the hub…")));
  gtk_label_set_xalign (self->phase_label, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->phase_label));
  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));
  self->result_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->result_label, 0);
  gtk_label_set_yalign (self->result_label, 0);
  gtk_label_set_wrap (self->result_label, TRUE);
  gtk_label_set_selectable (self->result_label, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->result_label));
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), scroller);
  self->cancel_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Cancel")));
  gtk_widget_set_halign (GTK_WIDGET (self->cancel_button), GTK_ALIGN_END);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->cancel_button));

  gtk_box_append (GTK_BOX (content), header);
  gtk_box_append (GTK_BOX (content), box);
  adw_window_set_content (ADW_WINDOW (self), content);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

TmSyncDialog *
tm_sync_dialog_new (GtkWindow  *parent,
                    const char *db_path,
                    GSettings  *settings)
{
  TmSyncDialog *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (TM_TYPE_SYNC_DIALOG, "transient-for", parent, NULL);
  self->db_path = g_strdup (db_path);
  self->hub_url = g_settings_get_string (settings, "hub-url");
  self->scope_sites = g_settings_get_strv (settings, "search-scope-sites");
  self->scope_calibres = g_settings_get_strv (settings, "search-scope-calibres");

  if (self->hub_url == NULL || *self->hub_url == '\0')
    {
      gtk_label_set_text (self->phase_label, _("No hub is set"));
      gtk_label_set_text (self->result_label, _("Set the hub's address in Preferences to sync with it."));
      gtk_button_set_label (self->cancel_button, _("_Close"));
      return self;
    }
  set_running (self, TRUE);
  task = g_task_new (self, self->cancellable, sync_done_cb, NULL);
  g_task_set_source_tag (task, tm_sync_dialog_new);
  g_task_run_in_thread (task, sync_thread);
  return self;
}

void
tm_sync_dialog_present (GtkWindow  *parent,
                        const char *db_path,
                        GSettings  *settings)
{
  gtk_window_present (GTK_WINDOW (tm_sync_dialog_new (parent, db_path, settings)));
}

gboolean
tm_sync_dialog_get_running (TmSyncDialog *self)
{
  g_return_val_if_fail (TM_IS_SYNC_DIALOG (self), FALSE);
  return self->running;
}

void
tm_sync_dialog_cancel (TmSyncDialog *self)
{
  g_return_if_fail (TM_IS_SYNC_DIALOG (self));
  gtk_label_set_text (self->phase_label, _("Cancelling after this batch…"));
  g_cancellable_cancel (self->cancellable);
}

const char *
tm_sync_dialog_get_summary (TmSyncDialog *self)
{
  g_return_val_if_fail (TM_IS_SYNC_DIALOG (self), NULL);
  return self->summary;
}

/* Exchange packages */

typedef struct
{
  char   *db_path;
  char   *path;
  char   *agency;
  GArray *ids;
} PackageJob;

static void
package_job_free (PackageJob *job)
{
  g_free (job->db_path);
  g_free (job->path);
  g_free (job->agency);
  g_clear_pointer (&job->ids, g_array_unref);
  g_free (job);
}

static void
show_message (GtkWindow  *parent,
              const char *heading,
              const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
package_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GtkWindow) parent = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = g_task_propagate_pointer (G_TASK (result), &error);

  if (message == NULL)
    show_message (parent, _("Exchange package refused"), error->message);
  else
    {
      show_message (parent, _("Exchange package"), message);
      /* What came in shows at once in the main window's list (a no-op elsewhere). */
      if (parent != NULL)
        gtk_widget_activate_action (GTK_WIDGET (parent), "win.reload", NULL);
    }
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PackageJob *job = task_data;
  g_autoptr(TmStore) store = tm_store_open (job->db_path, NULL);
  g_autoptr(GError) error = NULL;

  if (store == NULL ||
      !tm_package_export (store, (const gint64 *)(gpointer)job->ids->data, job->ids->len, job->agency,
                          job->path, cancellable, &error))
    {
      if (error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: cannot open the database"), job->db_path);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_strdup_printf (_("%u acquisitions written to %s."), job->ids->len, job->path),
                         g_free);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PackageJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = tm_store_open (job->db_path, &error);
  TmPackageReport report;
  GString *out;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  tm_package_report_init (&report);
  if (!tm_package_import (store, job->path, g_get_user_name (), &report, cancellable, &error))
    {
      tm_package_report_clear (&report);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  out = g_string_new (NULL);
  g_string_append_printf (out, _("From %s: %u imported, %u already here, %u quarantined."),
                          report.agency && *report.agency ? report.agency : _("an unnamed agency"),
                          report.imported, report.identical, report.quarantined);
  for (guint i = 0; i < report.messages->len; i++)
    g_string_append_printf (out, "\n• %s", (const char *)g_ptr_array_index (report.messages, i));
  tm_package_report_clear (&report);
  g_task_return_pointer (task, g_string_free (out, FALSE), g_free);
}

static void
run_package_job (GtkWindow       *parent,
                 PackageJob      *job,
                 GTaskThreadFunc  func)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, package_done_cb, parent ? g_object_ref (parent) : NULL);

  g_task_set_task_data (task, job, (GDestroyNotify)package_job_free);
  g_task_run_in_thread (task, func);
}

static GtkFileFilter *
package_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Exchange packages"));
  gtk_file_filter_add_mime_type (filter, TM_PACKAGE_MIME_TYPE);
  gtk_file_filter_add_pattern (filter, "*.tmpkg");
  return filter;
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     PackageJob      *job)
{
  GtkWindow *parent = gtk_native_dialog_get_transient_for (chooser);
  g_autoptr(GFile) file = NULL;
  gboolean exporting = job->ids != NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file == NULL || g_file_peek_path (file) == NULL)
    {
      package_job_free (job);
    }
  else
    {
      job->path = g_file_get_path (file);
      if (exporting && !g_str_has_suffix (job->path, ".tmpkg"))
        {
          char *with_suffix = g_strconcat (job->path, ".tmpkg", NULL);
          g_free (job->path);
          job->path = with_suffix;
        }
      run_package_job (parent, job, exporting ? export_thread : import_thread);
    }
  g_object_unref (chooser);
}

void
tm_package_export_dialog_present (GtkWindow    *parent,
                                  const char   *db_path,
                                  const gint64 *ids,
                                  guint         n_ids)
{
  GtkFileChooserNative *chooser;
  PackageJob *job;
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (ids != NULL && n_ids > 0);

  job = g_new0 (PackageJob, 1);
  job->db_path = g_strdup (db_path);
  job->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (job->ids, ids, n_ids);
  /* The agency the user's imports default to is the sending agency. */
  if (source != NULL && (schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE)) != NULL &&
      g_settings_schema_has_key (schema, "agency-name"))
    {
      g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
      job->agency = g_settings_get_string (settings, "agency-name");
    }

  chooser = gtk_file_chooser_native_new (_("Export Exchange Package"), parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "acquisitions.tmpkg");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), package_filter ());
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), job);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
tm_package_import_file (GtkWindow  *parent,
                        const char *db_path,
                        GFile      *file)
{
  PackageJob *job;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (PackageJob, 1);
  job->db_path = g_strdup (db_path);
  job->path = g_file_get_path (file);
  if (job->path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *body = g_strdup_printf (_("%s is not a local file: copy it to this computer first."), uri);

      show_message (parent, _("Exchange package refused"), body);
      package_job_free (job);
      return;
    }
  run_package_job (parent, job, import_thread);
}

void
tm_package_import_dialog_present (GtkWindow  *parent,
                                  const char *db_path)
{
  GtkFileChooserNative *chooser;
  PackageJob *job;

  g_return_if_fail (db_path != NULL);

  job = g_new0 (PackageJob, 1);
  job->db_path = g_strdup (db_path);
  chooser = gtk_file_chooser_native_new (_("Import Exchange Package"), parent, GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Import"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), package_filter ());
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), job);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
