/* tm-sync-scheduler.c — background sync with the hub on the schedule of the preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GLib timeout per interval while hub-url is set and sync-interval > 0; each tick
 * runs tm_sync_run() in a GTask thread on its own TmStore. The settings are read when
 * a tick starts, so a change of scope applies from the next sync on; a change of hub or
 * interval reschedules at once and cancels a sync still talking to the old hub.
 */
#define G_LOG_DOMAIN "tm-sync-scheduler"

#include "config.h"

#include <glib/gi18n.h>

#include "tm-application.h"
#include "tm-store.h"
#include "tm-sync.h"
#include "tm-sync-scheduler.h"
#include "tm-window.h"

struct _TmSyncScheduler
{
  GObject         parent_instance;

  GWeakRef        application;
  GSettings      *settings;
  char           *db_path;
  guint           timeout_id;
  GCancellable   *cancellable;    /* the running sync's, or NULL */
  GDateTime      *last_sync;
  char           *last_error;
  guint           n_runs;
  guint           n_skipped;
};

enum {
  PROP_0,
  PROP_APPLICATION,
  PROP_SETTINGS,
  PROP_DB_PATH,
  PROP_RUNNING,
  PROP_LAST_SYNC,
  PROP_LAST_ERROR,
  PROP_N_RUNS,
  PROP_N_SKIPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (TmSyncScheduler, tm_sync_scheduler, G_TYPE_OBJECT)

/* One sync at a time per process (see the header). */
static GMutex sync_lock;

typedef struct
{
  char  *db_path;
  char  *hub_url;
  GStrv  scope_sites;
  GStrv  scope_calibres;
} SyncJob;

static void
sync_job_free (SyncJob *job)
{
  g_free (job->db_path);
  g_free (job->hub_url);
  g_strfreev (job->scope_sites);
  g_strfreev (job->scope_calibres);
  g_free (job);
}

/* Helpers */

static guint
interval_seconds (TmSyncScheduler *self)
{
  guint minutes = g_settings_get_uint (self->settings, "sync-interval");
  const char *test_seconds = g_getenv ("TM_SYNC_INTERVAL_SECONDS");

  if (minutes == 0)
    return 0;
  /* Tests wait seconds, not minutes. */
  if (test_seconds != NULL && g_ascii_strtoull (test_seconds, NULL, 10) > 0)
    return (guint)g_ascii_strtoull (test_seconds, NULL, 10);
  return minutes * 60;
}

static char *
current_db_path (TmSyncScheduler *self)
{
  g_autoptr(GtkApplication) application = NULL;

  if (self->db_path != NULL)
    return g_strdup (self->db_path);
  application = g_weak_ref_get (&self->application);
  if (application != NULL && TM_IS_APPLICATION (application))
    return g_strdup (tm_application_get_db_path (TM_APPLICATION (application)));
  return NULL;
}

static void
show_failure (TmSyncScheduler *self,
              const char      *message)
{
  g_autoptr(GtkApplication) application = g_weak_ref_get (&self->application);
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;
  GtkWindow *window;
  AdwToast *toast;

  if (application == NULL)
    return;
  window = gtk_application_get_active_window (application);
  /* A dialog may be the active window: the main window shows the toast. */
  if (window == NULL || !TM_IS_WINDOW (window))
    {
      window = NULL;
      for (GList *l = gtk_application_get_windows (application); l != NULL; l = l->next)
        if (TM_IS_WINDOW (l->data))
          {
            window = l->data;
            break;
          }
    }
  if (window == NULL)
    return;
  /* Toast titles are Pango markup; a hub URL may hold '&'. */
  escaped = g_markup_escape_text (message, -1);
  title = g_strdup_printf (_("Scheduled sync failed: %s"), escaped);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 10);
  tm_window_add_toast (TM_WINDOW (window), toast);
}

/* Worker */

static void
sync_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SyncJob *job = task_data;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TmSyncOptions options = { 0 };
  TmSyncReport report;
  gboolean ok;

  /* A manual sync (or another scheduled one) is running: this tick gives way. */
  if (!tm_sync_scheduler_trylock_sync ())
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "another sync is running");
      return;
    }
  store = tm_store_open (job->db_path, &error);
  if (store == NULL)
    {
      tm_sync_scheduler_unlock_sync ();
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  options.scope_sites = (const char * const *)job->scope_sites;
  options.scope_calibres = (const char * const *)job->scope_calibres;
  tm_sync_report_init (&report);
  ok = tm_sync_run (store, job->hub_url, &options, &report, NULL, NULL, cancellable, &error);
  tm_sync_report_clear (&report);
  g_clear_object (&store);
  tm_sync_scheduler_unlock_sync ();
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TmSyncScheduler *self = TM_SYNC_SCHEDULER (object);
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->cancellable);
  g_task_propagate_boolean (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    {
      self->n_skipped++;
      g_object_notify_by_pspec (object, properties[PROP_N_SKIPPED]);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&self->last_sync, g_date_time_unref);
      self->last_sync = g_date_time_new_now_local ();
      g_free (self->last_error);
      self->last_error = error != NULL ? g_strdup (error->message) : NULL;
      self->n_runs++;
      if (error != NULL)
        {
          g_message ("scheduled sync failed: %s", error->message);
          show_failure (self, error->message);
        }
      g_object_notify_by_pspec (object, properties[PROP_LAST_SYNC]);
      g_object_notify_by_pspec (object, properties[PROP_LAST_ERROR]);
      g_object_notify_by_pspec (object, properties[PROP_N_RUNS]);
    }
  g_object_notify_by_pspec (object, properties[PROP_RUNNING]);
}

static gboolean
tick_cb (gpointer user_data)
{
  TmSyncScheduler *self = user_data;
  g_autoptr(GTask) task = NULL;
  g_autofree char *hub_url = g_settings_get_string (self->settings, "hub-url");
  g_autofree char *db_path = current_db_path (self);
  SyncJob *job;

  if (*hub_url == '\0' || db_path == NULL)
    return G_SOURCE_CONTINUE;
  /* The previous scheduled sync is still going (a slow hub, a long first pull). */
  if (self->cancellable != NULL)
    {
      self->n_skipped++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SKIPPED]);
      return G_SOURCE_CONTINUE;
    }

  job = g_new0 (SyncJob, 1);
  job->db_path = g_steal_pointer (&db_path);
  job->hub_url = g_steal_pointer (&hub_url);
  job->scope_sites = g_settings_get_strv (self->settings, "search-scope-sites");
  job->scope_calibres = g_settings_get_strv (self->settings, "search-scope-calibres");

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, sync_done_cb, NULL);
  g_task_set_source_tag (task, tick_cb);
  g_task_set_task_data (task, job, (GDestroyNotify)sync_job_free);
  g_task_run_in_thread (task, sync_thread);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  return G_SOURCE_CONTINUE;
}

static void
reschedule (TmSyncScheduler *self,
            gboolean         hub_changed)
{
  g_autofree char *hub_url = g_settings_get_string (self->settings, "hub-url");
  guint seconds = interval_seconds (self);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  /* A sync still talking to a hub that is no longer ours stops between batches. */
  if (hub_changed && self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (*hub_url == '\0' || seconds == 0)
    return;
  self->timeout_id = g_timeout_add_seconds (seconds, tick_cb, self);
}

static void
settings_changed_cb (TmSyncScheduler *self,
                     const char      *key,
                     GSettings       *settings)
{
  reschedule (self, g_str_equal (key, "hub-url"));
}

/* Overrides */

static void
tm_sync_scheduler_constructed (GObject *object)
{
  TmSyncScheduler *self = TM_SYNC_SCHEDULER (object);

  G_OBJECT_CLASS (tm_sync_scheduler_parent_class)->constructed (object);

  g_signal_connect_object (self->settings, "changed::hub-url",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::sync-interval",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  reschedule (self, FALSE);
}

static void
tm_sync_scheduler_dispose (GObject *object)
{
  TmSyncScheduler *self = TM_SYNC_SCHEDULER (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tm_sync_scheduler_parent_class)->dispose (object);
}

static void
tm_sync_scheduler_finalize (GObject *object)
{
  TmSyncScheduler *self = TM_SYNC_SCHEDULER (object);

  g_weak_ref_clear (&self->application);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_sync, g_date_time_unref);
  g_free (self->last_error);
  g_free (self->db_path);

  G_OBJECT_CLASS (tm_sync_scheduler_parent_class)->finalize (object);
}

static void
tm_sync_scheduler_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TmSyncScheduler *self = TM_SYNC_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_take_object (value, g_weak_ref_get (&self->application));
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_DB_PATH:
      g_value_set_string (value, self->db_path);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, tm_sync_scheduler_get_running (self));
      break;
    case PROP_LAST_SYNC:
      g_value_set_boxed (value, self->last_sync);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_N_RUNS:
      g_value_set_uint (value, self->n_runs);
      break;
    case PROP_N_SKIPPED:
      g_value_set_uint (value, self->n_skipped);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_sync_scheduler_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TmSyncScheduler *self = TM_SYNC_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_weak_ref_set (&self->application, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_DB_PATH:
      tm_sync_scheduler_set_db_path (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_sync_scheduler_class_init (TmSyncSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tm_sync_scheduler_constructed;
  object_class->dispose = tm_sync_scheduler_dispose;
  object_class->finalize = tm_sync_scheduler_finalize;
  object_class->get_property = tm_sync_scheduler_get_property;
  object_class->set_property = tm_sync_scheduler_set_property;

  properties[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL, GTK_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNC] =
    g_param_spec_boxed ("last-sync", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_RUNS] =
    g_param_spec_uint ("n-runs", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_SKIPPED] =
    g_param_spec_uint ("n-skipped", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tm_sync_scheduler_init (TmSyncScheduler *self)
{
  g_weak_ref_init (&self->application, NULL);
}

/* Public API */

TmSyncScheduler *
tm_sync_scheduler_new (GtkApplication *application,
                       GSettings      *settings)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (TM_TYPE_SYNC_SCHEDULER, "application", application, "settings", settings, NULL);
}

void
tm_sync_scheduler_set_db_path (TmSyncScheduler *self,
                               const char      *db_path)
{
  g_return_if_fail (TM_IS_SYNC_SCHEDULER (self));

  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DB_PATH]);
}

gboolean
tm_sync_scheduler_get_running (TmSyncScheduler *self)
{
  g_return_val_if_fail (TM_IS_SYNC_SCHEDULER (self), FALSE);
  return self->cancellable != NULL;
}

GDateTime *
tm_sync_scheduler_get_last_sync (TmSyncScheduler *self)
{
  g_return_val_if_fail (TM_IS_SYNC_SCHEDULER (self), NULL);
  return self->last_sync;
}

const char *
tm_sync_scheduler_get_last_error (TmSyncScheduler *self)
{
  g_return_val_if_fail (TM_IS_SYNC_SCHEDULER (self), NULL);
  return self->last_error;
}

guint
tm_sync_scheduler_get_n_runs (TmSyncScheduler *self)
{
  g_return_val_if_fail (TM_IS_SYNC_SCHEDULER (self), 0);
  return self->n_runs;
}

guint
tm_sync_scheduler_get_n_skipped (TmSyncScheduler *self)
{
  g_return_val_if_fail (TM_IS_SYNC_SCHEDULER (self), 0);
  return self->n_skipped;
}

void
tm_sync_scheduler_lock_sync (void)
{
  g_mutex_lock (&sync_lock);
}

gboolean
tm_sync_scheduler_trylock_sync (void)
{
  return g_mutex_trylock (&sync_lock);
}

void
tm_sync_scheduler_unlock_sync (void)
{
  g_mutex_unlock (&sync_lock);
}
