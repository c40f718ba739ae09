/* test-sync-scheduler.c — the scheduled sync of the preferences, against a real hub
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs TM_TEST_PG_URL (scripts/test.sh starts a private PostgreSQL cluster); skipped
 * without. TM_SYNC_INTERVAL_SECONDS=1 makes the interval of sync-interval seconds, so
 * the scheduler ticks while the test watches the main loop.
 */
#include "config.h"

#include <string.h>

#include <libpq-fe.h>

#include "tm-hub.h"
#include "tm-store.h"
#include "tm-store-private.h"
#include "tm-sync.h"
#include "tm-sync-scheduler.h"
#include "tm-test-support.h"

static char *scans_dir;

static char *
make_hub (void)
{
  const char *base = g_getenv ("TM_TEST_PG_URL");
  g_autofree char *name = g_strdup_printf ("tmsched_%u_%u", (guint)getpid (), g_random_int ());
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);
  g_autoptr(GError) error = NULL;
  const char *slash = strrchr (base, '/');
  PGconn *conn = PQconnectdb (base);
  PGresult *result;
  char *url;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
  PQfinish (conn);
  g_assert_nonnull (slash);
  url = g_strdup_printf ("%.*s/%s", (int)(slash - base), base, name);
  g_assert_true (tm_hub_init_schema (url, NULL, &error));
  g_assert_no_error (error);
  return url;
}

static void
cli_ok (const char *db,
        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *)"--db");
  g_ptr_array_add (argv, (char *)db);
  va_start (args, db);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (tm_test_run_cli ((const char * const *)argv->pdata, &out, &err) != 0)
    g_error ("toolmark-cli failed: %s", err);
}

static void
import_and_push (const char *db,
                 const char *file,
                 const char *url)
{
  g_autofree char *path = g_build_filename (scans_dir, file, NULL);

  cli_ok (db, "import", "--calibre", "9mm", path, NULL);
  cli_ok (db, "-q", "sync", "--push-only", url, NULL);
}

static gboolean
holds_file (const char *db,
            const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = tm_store_open (db, &error);
  g_autoptr(TmStmt) stmt = NULL;

  g_assert_no_error (error);
  stmt = tm_store_prepare (store, "SELECT count(*) FROM acquisitions WHERE original_name = ?", &error);
  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, file, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0) > 0;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @seconds, or until @until (nullable) says so. */
static gboolean
spin (double     seconds,
      gboolean (*until) (gpointer),
      gpointer   data)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add ((guint)(seconds * 1000), timeout_cb, &timed_out);

  while (!timed_out && (until == NULL || !until (data)))
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return until != NULL && until (data);
}

typedef struct
{
  TmSyncScheduler *scheduler;
  guint            runs;
} RunsAbove;

static gboolean
runs_above (gpointer data)
{
  RunsAbove *wait = data;

  return tm_sync_scheduler_get_n_runs (wait->scheduler) > wait->runs &&
         !tm_sync_scheduler_get_running (wait->scheduler);
}

static gboolean
not_running (gpointer data)
{
  return !tm_sync_scheduler_get_running (data);
}

static void
test_schedule (void)
{
  g_autofree char *dir = NULL, *a = NULL, *b = NULL, *url = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(TmSyncScheduler) scheduler = NULL;
  RunsAbove wait;
  guint runs;

  if (g_getenv ("TM_TEST_PG_URL") == NULL || *g_getenv ("TM_TEST_PG_URL") == '\0')
    {
      g_test_skip ("TM_TEST_PG_URL is not set (scripts/test.sh starts a PostgreSQL cluster)");
      return;
    }
  dir = tm_test_make_tmpdir ("sched-XXXXXX");
  a = g_build_filename (dir, "a.db", NULL);
  b = g_build_filename (dir, "b.db", NULL);
  url = make_hub ();
  import_and_push (a, "F01-C01.x3p", url);
  cli_ok (b, "init", NULL);

  settings = g_settings_new (APPLICATION_ID);
  g_settings_set_uint (settings, "sync-interval", 1);
  scheduler = tm_sync_scheduler_new (NULL, settings);
  tm_sync_scheduler_set_db_path (scheduler, b);

  /* No hub: nothing runs. */
  spin (2.5, NULL, NULL);
  g_assert_cmpuint (tm_sync_scheduler_get_n_runs (scheduler), ==, 0);
  g_assert_null (tm_sync_scheduler_get_last_sync (scheduler));

  /* A hub set: A's acquisition arrives at B with nobody asking. */
  g_settings_set_string (settings, "hub-url", url);
  wait.scheduler = scheduler;
  wait.runs = 0;
  g_assert_true (spin (30, runs_above, &wait));
  g_assert_null (tm_sync_scheduler_get_last_error (scheduler));
  g_assert_nonnull (tm_sync_scheduler_get_last_sync (scheduler));
  g_assert_true (holds_file (b, "F01-C01.x3p"));

  /* Ticks go on: A's next acquisition comes too. */
  import_and_push (a, "F02-C01.x3p", url);
  wait.runs = tm_sync_scheduler_get_n_runs (scheduler);
  g_assert_true (spin (30, runs_above, &wait));
  g_assert_true (holds_file (b, "F02-C01.x3p"));

  /* A sync running elsewhere in the process (the Sync dialog's): ticks give way. */
  tm_sync_scheduler_lock_sync ();
  import_and_push (a, "F01-C02.x3p", url);
  g_assert_true (spin (10, not_running, scheduler));
  runs = tm_sync_scheduler_get_n_runs (scheduler);
  spin (3.5, NULL, NULL);
  g_assert_true (spin (10, not_running, scheduler));
  g_assert_cmpuint (tm_sync_scheduler_get_n_runs (scheduler), ==, runs);
  g_assert_cmpuint (tm_sync_scheduler_get_n_skipped (scheduler), >, 0);
  tm_sync_scheduler_unlock_sync ();
  wait.runs = runs;
  g_assert_true (spin (30, runs_above, &wait));
  g_assert_true (holds_file (b, "F01-C02.x3p"));

  /* No hub any more: it stops. */
  g_settings_set_string (settings, "hub-url", "");
  g_assert_true (spin (30, not_running, scheduler));
  runs = tm_sync_scheduler_get_n_runs (scheduler);
  import_and_push (a, "F02-C02.x3p", url);
  spin (3.5, NULL, NULL);
  g_assert_cmpuint (tm_sync_scheduler_get_n_runs (scheduler), ==, runs);
  g_assert_false (holds_file (b, "F02-C02.x3p"));

  /* An unreachable hub: a failure, reported, and the next tick still runs. */
  g_settings_set_string (settings, "hub-url", "postgresql://toolmark@127.0.0.1:1/nohub?connect_timeout=2");
  wait.runs = runs;
  g_assert_true (spin (30, runs_above, &wait));
  g_assert_nonnull (tm_sync_scheduler_get_last_error (scheduler));
  g_assert_nonnull (strstr (tm_sync_scheduler_get_last_error (scheduler), "127.0.0.1:1"));
  wait.runs = tm_sync_scheduler_get_n_runs (scheduler);
  g_assert_true (spin (30, runs_above, &wait));
  g_assert_nonnull (tm_sync_scheduler_get_last_error (scheduler));

  /* Back to the real hub: the next tick succeeds and catches up. */
  g_settings_set_string (settings, "hub-url", url);
  wait.runs = tm_sync_scheduler_get_n_runs (scheduler);
  g_assert_true (spin (30, runs_above, &wait));
  g_assert_null (tm_sync_scheduler_get_last_error (scheduler));
  g_assert_true (holds_file (b, "F02-C02.x3p"));

  g_settings_set_string (settings, "hub-url", "");
  g_assert_true (spin (30, not_running, scheduler));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *out = NULL;

  g_setenv ("TM_SYNC_INTERVAL_SECONDS", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  scans_dir = tm_test_make_tmpdir ("sched-scans-XXXXXX");
  {
    const char *synth[] = { "synth", "--firearms", "2", "--cases", "2", "--out", scans_dir, "--seed", "7", NULL };

    g_assert_cmpint (tm_test_run_cli (synth, &out, NULL), ==, 0);
  }
  g_test_add_func ("/sync-scheduler/schedule", test_schedule);
  return g_test_run ();
}
