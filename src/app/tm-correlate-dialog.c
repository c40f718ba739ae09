/* tm-correlate-dialog.c — the correlate form: filters, scope, progress, counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The search runs in a GTask thread with its own TmStore (SQLite connections are per
 * thread). tm_search_run() reports progress from its worker threads; the latest value
 * is kept under a mutex and at most one idle callback is pending, so a search of
 * 100,000 pre-scores does not flood the main loop with 100,000 callbacks.
 */
#define G_LOG_DOMAIN "tm-correlate-dialog"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "tm-correlate-dialog.h"
#include "tm-search.h"
#include "tm-store.h"

struct _TmCorrelateDialog
{
  AdwWindow          parent_instance;

  AdwToastOverlay   *toast_overlay;
  AdwWindowTitle    *window_title;
  GtkButton         *cancel_button;
  GtkButton         *search_button;
  AdwActionRow      *query_row;
  AdwPreferencesGroup *filters_group;
  AdwPreferencesGroup *scope_group;
  AdwEntryRow       *calibre_row;
  AdwComboRow       *firing_pin_shape_row;
  AdwComboRow       *breech_face_class_row;
  AdwComboRow       *kind_row;
  AdwEntryRow       *incident_from_row;
  AdwEntryRow       *incident_to_row;
  AdwEntryRow       *entered_from_row;
  AdwEntryRow       *entered_to_row;
  AdwEntryRow       *sites_row;
  GtkSpinButton     *top_n_spin;
  AdwPreferencesGroup *progress_group;
  GtkProgressBar    *progress_bar;
  AdwPreferencesGroup *results_group;
  GtkLabel          *filtered_label;
  GtkLabel          *prescored_label;
  GtkLabel          *full_label;
  GtkLabel          *status_label;

  char              *db_path;
  gint64             query_id;
  gint64             run_id;
  GCancellable      *cancellable;
  gboolean           query_ok;
  gboolean           close_when_done;

  /* Progress from the search threads; guarded by progress_lock. */
  GMutex             progress_lock;
  TmSearchStage      progress_stage;
  guint64            progress_done;
  guint64            progress_total;
  gboolean           progress_pending;
};

enum {
  FINISHED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (TmCorrelateDialog, tm_correlate_dialog, ADW_TYPE_WINDOW)

static guint signals[N_SIGNALS];

/* The combo rows' items, in the order of ui/tm-correlate-dialog.ui (index 0 = any). */
static const char * const firing_pin_shapes[] = { NULL, "circular", "elliptical", "hemispherical", "rectangular" };
static const char * const breech_face_classes[] = { NULL, "arched", "circular", "crosshatch", "granular", "parallel", "smooth" };
static const char * const kinds[] = { NULL, "crime-scene", "test-fire" };

typedef struct
{
  char            *db_path;
  gint64           query_id;
  TmSearchFilters  filters;
  TmSearchParams   params;
  char            *user;
} SearchJob;

static void
search_job_free (SearchJob *job)
{
  g_free (job->db_path);
  tm_search_filters_clear (&job->filters);
  g_free (job->user);
  g_free (job);
}

static guint
index_of (const char * const *values,
          guint               n,
          const char         *value)
{
  for (guint i = 1; i < n; i++)
    if (g_strcmp0 (values[i], value) == 0)
      return i;
  return 0;
}

static char *
entry_text (AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
}

static void
show_error (TmCorrelateDialog *self,
            const char        *message)
{
  AdwToast *toast = adw_toast_new (message);

  g_debug ("%s", message);
  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
set_running (TmCorrelateDialog *self,
             gboolean           running)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->filters_group), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scope_group), !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "correlate.search", !running && self->query_ok);
  if (running)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_group), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->results_group), FALSE);
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
      gtk_button_set_label (self->cancel_button, _("_Cancel"));
    }
}

static void
prefill (TmCorrelateDialog *self,
         GSettings         *settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(TmAcquisition) query = NULL;
  g_autofree char *subtitle = NULL;
  const char *calibre;
  gboolean same_calibre = TRUE;

  store = tm_store_open (self->db_path, &error);
  if (store != NULL)
    query = tm_store_get_acquisition (store, self->query_id, &error);
  if (query == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->query_row), _("No query"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->query_row), error->message);
      self->query_ok = FALSE;
      return;
    }
  self->query_ok = TRUE;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->query_row),
                                 tm_acquisition_get_file (query));
  /* Translators: the query's case, exhibit, calibre and modality */
  subtitle = g_strdup_printf (_("Case %s · exhibit %s · %s · %s"),
                              tm_acquisition_get_case_number (query),
                              tm_acquisition_get_exhibit (query),
                              tm_acquisition_get_calibre (query) ? tm_acquisition_get_calibre (query)
                                                                 : _("calibre unknown"),
                              g_strcmp0 (tm_acquisition_get_modality (query), "2d") == 0 ? _("2D image")
                                                                                       : _("3D topography"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->query_row), subtitle);
  adw_window_title_set_subtitle (self->window_title, tm_acquisition_get_file (query));

  if (settings != NULL)
    {
      g_auto(GStrv) sites = g_settings_get_strv (settings, "search-scope-sites");
      g_auto(GStrv) calibres = g_settings_get_strv (settings, "search-scope-calibres");
      g_autofree char *sites_text = g_strjoinv (", ", sites);

      same_calibre = g_settings_get_boolean (settings, "same-calibre-only");
      gtk_spin_button_set_value (self->top_n_spin, g_settings_get_uint (settings, "default-top-n"));
      gtk_editable_set_text (GTK_EDITABLE (self->sites_row), sites_text);
      /* The search takes one calibre; a scope of exactly one is that filter. */
      if (!same_calibre && g_strv_length (calibres) == 1)
        gtk_editable_set_text (GTK_EDITABLE (self->calibre_row), calibres[0]);
    }

  calibre = tm_acquisition_get_calibre (query);
  if (same_calibre && calibre != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->calibre_row), calibre);
  /* Class characteristics the firearm leaves are the same on every shot, so a
   * candidate of another class cannot be a mate: the query's own restrict. */
  adw_combo_row_set_selected (self->firing_pin_shape_row,
                              index_of (firing_pin_shapes, G_N_ELEMENTS (firing_pin_shapes),
                                        tm_acquisition_get_firing_pin_shape (query)));
  adw_combo_row_set_selected (self->breech_face_class_row,
                              index_of (breech_face_classes, G_N_ELEMENTS (breech_face_classes),
                                        tm_acquisition_get_breech_face_class (query)));
  /* The kind is left at "any": crime-scene evidence is searched against other scenes
   * and against test fires alike, so the query's own kind says nothing about its mates. */
  adw_combo_row_set_selected (self->kind_row, 0);
}

static gboolean
read_form (TmCorrelateDialog *self,
           SearchJob         *job,
           GError           **error)
{
  g_autofree char *sites = entry_text (self->sites_row);
  guint i;

  job->filters.calibre = entry_text (self->calibre_row);
  i = adw_combo_row_get_selected (self->firing_pin_shape_row);
  job->filters.firing_pin_shape = g_strdup (i < G_N_ELEMENTS (firing_pin_shapes) ? firing_pin_shapes[i] : NULL);
  i = adw_combo_row_get_selected (self->breech_face_class_row);
  job->filters.breech_face_class = g_strdup (i < G_N_ELEMENTS (breech_face_classes) ? breech_face_classes[i] : NULL);
  i = adw_combo_row_get_selected (self->kind_row);
  job->filters.kind = g_strdup (i < G_N_ELEMENTS (kinds) ? kinds[i] : NULL);
  job->filters.incident_from = entry_text (self->incident_from_row);
  job->filters.incident_to = entry_text (self->incident_to_row);
  job->filters.entered_from = entry_text (self->entered_from_row);
  job->filters.entered_to = entry_text (self->entered_to_row);
  if (sites != NULL)
    {
      g_auto(GStrv) parts = g_strsplit_set (sites, ",; ", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (i = 0; parts[i] != NULL; i++)
        if (parts[i][0] != '\0')
          g_strv_builder_add (builder, parts[i]);
      job->filters.sites = g_strv_builder_end (builder);
    }

  tm_search_params_init (&job->params);
  job->params.top_n = (guint) gtk_spin_button_get_value_as_int (self->top_n_spin);
  return tm_search_filters_normalize (&job->filters, error);
}

static gboolean
progress_idle_cb (gpointer data)
{
  TmCorrelateDialog *self = data;
  TmSearchStage stage;
  guint64 done, total;
  double lo, hi, fraction;
  g_autofree char *text = NULL;

  g_mutex_lock (&self->progress_lock);
  stage = self->progress_stage;
  done = self->progress_done;
  total = self->progress_total;
  self->progress_pending = FALSE;
  g_mutex_unlock (&self->progress_lock);

  /* The full comparisons take nearly all of the time; the bar says so. */
  switch (stage)
    {
    case TM_SEARCH_STAGE_FILTER:
      lo = 0, hi = 0.02;
      /* Translators: search progress; %lu are counts */
      text = g_strdup_printf (_("Filtering: %" PRIu64 " candidates"), done);
      break;
    case TM_SEARCH_STAGE_PRESCORE:
      lo = 0.02, hi = 0.1;
      text = g_strdup_printf (_("Pre-scoring: %" PRIu64 " of %" PRIu64), done, total);
      break;
    case TM_SEARCH_STAGE_FULL:
    default:
      lo = 0.1, hi = 1.0;
      text = g_strdup_printf (_("Comparing fully: %" PRIu64 " of %" PRIu64), done, total);
      break;
    }
  fraction = lo + (hi - lo) * (total > 0 ? (double) MIN (done, total) / total : 0);
  if (self->cancellable != NULL && !g_cancellable_is_cancelled (self->cancellable))
    {
      gtk_progress_bar_set_fraction (self->progress_bar, fraction);
      gtk_progress_bar_set_text (self->progress_bar, text);
    }
  return G_SOURCE_REMOVE;
}

/* Called from the search's threads, one call at a time. */
static void
search_progress_cb (TmSearchStage stage,
                    guint64       done,
                    guint64       total,
                    gpointer      user_data)
{
  TmCorrelateDialog *self = user_data;
  gboolean schedule;

  g_mutex_lock (&self->progress_lock);
  self->progress_stage = stage;
  self->progress_done = done;
  self->progress_total = total;
  schedule = !self->progress_pending;
  self->progress_pending = TRUE;
  g_mutex_unlock (&self->progress_lock);

  if (schedule)
    g_idle_add_full (G_PRIORITY_DEFAULT, progress_idle_cb, g_object_ref (self), g_object_unref);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchJob *job = task_data;
  g_autoptr(TmStore) store = NULL;
  TmCorrelationRun *run = NULL;
  GError *error = NULL;

  store = tm_store_open (job->db_path, &error);
  if (store != NULL)
    run = tm_search_run (store, job->query_id, &job->filters, &job->params, job->user,
                         search_progress_cb, source_object, cancellable, &error);
  if (run == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, run, g_object_unref);
}

static char *
format_count (guint n)
{
  return g_strdup_printf ("%'u", n);
}

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TmCorrelateDialog *self = TM_CORRELATE_DIALOG (object);
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(GError) error = NULL;
  guint filtered, prescored, full, unprocessed;
  g_autofree char *filtered_text = NULL;
  g_autofree char *prescored_text = NULL;
  g_autofree char *full_text = NULL;
  gboolean cancelled;

  run = g_task_propagate_pointer (G_TASK (result), &error);
  g_clear_object (&self->cancellable);
  set_running (self, FALSE);
  gtk_button_set_label (self->cancel_button, _("_Close"));

  if (run == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_group), FALSE);
      show_error (self, error->message);
      if (self->close_when_done)
        gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  cancelled = tm_correlation_run_get_status (run) == TM_CORRELATION_RUN_CANCELLED;
  tm_correlation_run_get_counts (run, &filtered, &prescored, &full, &unprocessed);
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  gtk_progress_bar_set_text (self->progress_bar, cancelled ? _("Cancelled") : _("Done"));
  filtered_text = format_count (filtered);
  if (unprocessed > 0)
    {
      g_autofree char *base = g_steal_pointer (&filtered_text);

      /* Translators: acquisitions passing the filters, then those not yet processed */
      filtered_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "%s (+%u not yet processed, not searched)",
                                                    "%s (+%u not yet processed, not searched)",
                                                    unprocessed),
                                       base, unprocessed);
    }
  prescored_text = format_count (prescored);
  full_text = format_count (full);
  gtk_label_set_text (self->filtered_label, filtered_text);
  gtk_label_set_text (self->prescored_label, prescored_text);
  gtk_label_set_text (self->full_label, full_text);
  gtk_label_set_text (self->status_label,
                      cancelled ? _("Cancelled — the candidates scored so far were saved")
                                : _("Complete"));
  gtk_widget_set_visible (GTK_WIDGET (self->results_group), TRUE);

  self->run_id = tm_correlation_run_get_id (run);
  g_signal_emit (self, signals[FINISHED], 0, self->run_id);

  if (self->close_when_done)
    gtk_window_destroy (GTK_WINDOW (self));
}

/* ---- actions ---- */

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TmCorrelateDialog *self = TM_CORRELATE_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  SearchJob *job;

  if (self->cancellable != NULL || !self->query_ok)
    return;

  job = g_new0 (SearchJob, 1);
  if (!read_form (self, job, &error))
    {
      search_job_free (job);
      show_error (self, error->message);
      return;
    }
  job->db_path = g_strdup (self->db_path);
  job->query_id = self->query_id;
  job->user = g_strdup (g_get_user_name ());

  self->cancellable = g_cancellable_new ();
  set_running (self, TRUE);
  task = g_task_new (self, self->cancellable, search_done_cb, NULL);
  g_task_set_source_tag (task, search_action);
  g_task_set_task_data (task, job, (GDestroyNotify) search_job_free);
  /* Cancelling must not turn the task into an error: the search returns its
   * cancelled run, which is saved and shown. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, search_thread);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TmCorrelateDialog *self = TM_CORRELATE_DIALOG (widget);

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      gtk_progress_bar_set_text (self->progress_bar,
                                 _("Cancelling: the comparisons under way finish, then the run is saved…"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

/* ---- overrides ---- */

static gboolean
tm_correlate_dialog_close_request (GtkWindow *window)
{
  TmCorrelateDialog *self = TM_CORRELATE_DIALOG (window);

  /* A running search still writes its run: stop it, and close once it is saved. */
  if (self->cancellable != NULL)
    {
      self->close_when_done = TRUE;
      g_cancellable_cancel (self->cancellable);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (tm_correlate_dialog_parent_class)->close_request (window);
}

static void
tm_correlate_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TM_TYPE_CORRELATE_DIALOG);

  G_OBJECT_CLASS (tm_correlate_dialog_parent_class)->dispose (object);
}

static void
tm_correlate_dialog_finalize (GObject *object)
{
  TmCorrelateDialog *self = TM_CORRELATE_DIALOG (object);

  g_clear_pointer (&self->db_path, g_free);
  g_clear_object (&self->cancellable);
  g_mutex_clear (&self->progress_lock);

  G_OBJECT_CLASS (tm_correlate_dialog_parent_class)->finalize (object);
}

static void
tm_correlate_dialog_class_init (TmCorrelateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tm_correlate_dialog_dispose;
  object_class->finalize = tm_correlate_dialog_finalize;
  window_class->close_request = tm_correlate_dialog_close_request;

  /**
   * TmCorrelateDialog::finished:
   * @run_id: the saved run (complete or cancelled)
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-correlate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, search_button);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, query_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, filters_group);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, scope_group);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, calibre_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, firing_pin_shape_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, breech_face_class_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, incident_from_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, incident_to_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, entered_from_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, entered_to_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, sites_row);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, top_n_spin);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, progress_group);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, results_group);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, filtered_label);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, prescored_label);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, full_label);
  gtk_widget_class_bind_template_child (widget_class, TmCorrelateDialog, status_label);

  gtk_widget_class_install_action (widget_class, "correlate.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "correlate.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "correlate.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "correlate.search", NULL);
}

static void
tm_correlate_dialog_init (TmCorrelateDialog *self)
{
  g_mutex_init (&self->progress_lock);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWindow *
tm_correlate_dialog_new (GtkWindow  *parent,
                         const char *db_path,
                         gint64      query_id,
                         GSettings  *settings)
{
  TmCorrelateDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (TM_TYPE_CORRELATE_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->db_path = g_strdup (db_path);
  self->query_id = query_id;
  prefill (self, settings);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "correlate.search", self->query_ok);
  return GTK_WINDOW (self);
}

gboolean
tm_correlate_dialog_get_running (TmCorrelateDialog *self)
{
  g_return_val_if_fail (TM_IS_CORRELATE_DIALOG (self), FALSE);

  return self->cancellable != NULL;
}

gint64
tm_correlate_dialog_get_run_id (TmCorrelateDialog *self)
{
  g_return_val_if_fail (TM_IS_CORRELATE_DIALOG (self), 0);

  return self->run_id;
}
