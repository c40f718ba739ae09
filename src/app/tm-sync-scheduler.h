/* tm-sync-scheduler.h — background sync with the hub on the schedule of the preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Watches the settings keys hub-url and sync-interval (minutes; 0 syncs only when
 * asked) and, while a hub is set, syncs the database every interval in a worker thread
 * with its own TmStore, within the search scope (search-scope-sites/-calibres). One sync
 * at a time in the process: a tick while any sync runs (a manual one from the Sync
 * dialog included) is skipped. A failure is reported (the last-error property and a
 * toast on the active window) and does not stop later ticks.
 *
 * TM_SYNC_INTERVAL_SECONDS (tests only) counts the interval in seconds instead.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TM_TYPE_SYNC_SCHEDULER (tm_sync_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (TmSyncScheduler, tm_sync_scheduler, TM, SYNC_SCHEDULER, GObject)

/* @application (nullable): where failures are shown and, while the db-path property is
 * NULL, whose database is synced (tm_application_get_db_path). */
TmSyncScheduler *tm_sync_scheduler_new            (GtkApplication  *application,
                                                   GSettings       *settings);
/* The database synced; NULL: the application's. */
void             tm_sync_scheduler_set_db_path    (TmSyncScheduler *self,
                                                   const char      *db_path);
/* TRUE while a scheduled sync runs. */
gboolean         tm_sync_scheduler_get_running    (TmSyncScheduler *self);
/* When the last scheduled sync ended (success or failure), or NULL. */
GDateTime       *tm_sync_scheduler_get_last_sync  (TmSyncScheduler *self);
/* Why the last scheduled sync failed, or NULL when it succeeded (or none ran). */
const char      *tm_sync_scheduler_get_last_error (TmSyncScheduler *self);
/* Scheduled syncs that ran to an end (succeeded or failed), and ticks skipped because
 * another sync was running. */
guint            tm_sync_scheduler_get_n_runs     (TmSyncScheduler *self);
guint            tm_sync_scheduler_get_n_skipped  (TmSyncScheduler *self);

/* The process-wide "one sync at a time" lock, taken and released in the thread that
 * runs the sync: a manual sync waits for a scheduled one to end (lock), a tick gives way
 * to any running sync (trylock). */
void             tm_sync_scheduler_lock_sync      (void);
gboolean         tm_sync_scheduler_trylock_sync   (void);
void             tm_sync_scheduler_unlock_sync    (void);

G_END_DECLS
