/* bench-sync.c — sync of 10,000 acquisitions to a hub and from it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs TM_TEST_PG_URL (scripts/test.sh and `meson test --benchmark` under
 * scripts/pg-test-cluster.sh); skipped (exit 77) without. How the data is made: one
 * synthetic breech-face scan (tm_synth, seed 1) is imported into site A with its
 * preprocessed surface and signature, then duplicated in SQL to N acquisitions
 * (default 10,000; argv[1]) under new UUIDs, each in its own exhibit. Measured: A's
 * push of all N to a fresh hub, then site B's pull of all N (wall time, rows/s, the
 * bytes moved as preprocessed data), then a replay of each (nothing to do).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "tm-hub.h"
#include "tm-importer.h"
#include "tm-store.h"
#include "tm-sync.h"
#include "tm-synth.h"
#include "tm-x3p.h"

#define NEW_UUID "lower (hex (randomblob (4)) || '-' || hex (randomblob (2)) || '-4' ||" \
                 " substr (hex (randomblob (2)), 2) || '-a' || substr (hex (randomblob (2)), 2) || '-' ||" \
                 " hex (randomblob (6)))"

static void
check (gboolean ok, GError *error)
{
  if (!ok)
    {
      fprintf (stderr, "bench-sync: %s\n", error ? error->message : "failed");
      exit (1);
    }
}

static double
timed_sync (TmStore *store, const char *url, gboolean push, TmSyncReport *report)
{
  TmSyncOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  options.push = push;
  options.pull = !push;
  options.batch_size = 200;
  check (tm_sync_run (store, url, &options, report, NULL, NULL, NULL, &error), error);
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int argc, char *argv[])
{
  const char *base = g_getenv ("TM_TEST_PG_URL");
  int n = argc > 1 ? atoi (argv[1]) : 10000;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *scan = NULL, *a_path = NULL, *b_path = NULL, *url = NULL, *sql = NULL;
  g_autoptr(TmStore) a = NULL;
  g_autoptr(TmStore) b = NULL;
  g_autoptr(TmSynthFirearm) firearm = NULL;
  g_autoptr(TmSurface) surface = NULL;
  g_autoptr(TmImporter) importer = NULL;
  g_autoptr(TmAcquisition) first = NULL;
  TmSyncReport push_report, pull_report, replay_report;
  double t_push, t_pull, t_push_replay, t_pull_replay;
  gint64 surface_bytes = 0;
  PGconn *conn;
  PGresult *result;
  const char *slash;

  if (base == NULL)
    {
      printf ("bench-sync: TM_TEST_PG_URL is not set; skipped\n");
      return 77;
    }

  dir = g_dir_make_tmp ("bench-sync-XXXXXX", &error);
  check (dir != NULL, error);
  scan = g_build_filename (dir, "shot.x3p", NULL);
  firearm = tm_synth_firearm_new (1, NULL, &error);
  check (firearm != NULL, error);
  surface = tm_synth_shot (firearm, 1, NULL);
  check (tm_x3p_write_file (surface, scan, &error), error);

  a_path = g_build_filename (dir, "a.db", NULL);
  b_path = g_build_filename (dir, "b.db", NULL);
  a = tm_store_open (a_path, &error);
  check (a != NULL, error);
  b = tm_store_open (b_path, &error);
  check (b != NULL, error);
  importer = tm_importer_new (a, g_get_user_name ());
  first = tm_importer_import_file (importer, scan, &error);
  check (first != NULL, error);

  sql = g_strdup_printf (
    "WITH RECURSIVE k (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d)"
    " INSERT INTO exhibits (uuid, case_id, item_number, kind)"
    "  SELECT " NEW_UUID ", e.case_id, 'dup-' || k.i, e.kind"
    "    FROM k, acquisitions a JOIN exhibits e ON e.id = a.exhibit_id WHERE a.id = 1;"
    "INSERT INTO acquisitions (uuid, exhibit_id, region, modality, instrument, pixel_um_x, pixel_um_y,"
    "   width, height, valid_fraction, calibre, firing_pin_type, firing_pin_shape, breech_face_class,"
    "   original_name, sha256, source_meta, imported_by, imported_at, origin_site, collection)"
    "  SELECT " NEW_UUID ", e.id, a.region, a.modality, a.instrument, a.pixel_um_x, a.pixel_um_y,"
    "   a.width, a.height, a.valid_fraction, a.calibre, a.firing_pin_type, a.firing_pin_shape,"
    "   a.breech_face_class, a.original_name, a.sha256, a.source_meta, a.imported_by, a.imported_at,"
    "   a.origin_site, a.collection FROM acquisitions a, exhibits e"
    "   WHERE a.id = 1 AND e.item_number LIKE 'dup-%%' ORDER BY e.id;"
    "INSERT INTO preprocessed SELECT n.id, p.region, p.width, p.height, p.pixel_um, p.encoding, p.scale,"
    "   p.offset, p.data, p.params_hash, p.created_at FROM acquisitions n, preprocessed p"
    "  WHERE p.acquisition_id = 1 AND n.id > 1;"
    "INSERT INTO signatures SELECT n.id, s.version, s.params_hash, s.data FROM acquisitions n, signatures s"
    "  WHERE s.acquisition_id = 1 AND n.id > 1;", n - 1);
  check (tm_store_exec (a, sql, &error), error);

  /* A fresh hub database. */
  conn = PQconnectdb (base);
  check (PQstatus (conn) == CONNECTION_OK, NULL);
  {
    g_autofree char *name = g_strdup_printf ("tmbench_%u", (guint)getpid ());
    g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);

    result = PQexec (conn, create);
    check (PQresultStatus (result) == PGRES_COMMAND_OK, NULL);
    PQclear (result);
    slash = strrchr (base, '/');
    url = g_strdup_printf ("%.*s/%s", (int)(slash - base), base, name);
  }
  PQfinish (conn);
  check (tm_hub_init_schema (url, NULL, &error), error);

  tm_sync_report_init (&push_report);
  tm_sync_report_init (&pull_report);
  tm_sync_report_init (&replay_report);
  t_push = timed_sync (a, url, TRUE, &push_report);
  t_pull = timed_sync (b, url, FALSE, &pull_report);
  t_push_replay = timed_sync (a, url, TRUE, &replay_report);
  t_pull_replay = timed_sync (b, url, FALSE, &replay_report);
  check (push_report.pushed_acquisitions == (guint)n && pull_report.pulled_acquisitions == (guint)n &&
         replay_report.pushed_acquisitions == 0 && replay_report.pulled_acquisitions == 0, NULL);

  conn = PQconnectdb (url);
  result = PQexec (conn, "SELECT sum (length (data)) FROM surfaces");
  surface_bytes = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  PQfinish (conn);

  printf ("bench-sync: %d acquisitions (%ux%u scan, %.1f MB of preprocessed surfaces in all)\n",
          n, tm_surface_get_width (surface), tm_surface_get_height (surface), surface_bytes / 1e6);
  printf ("  push A -> hub: %.2f s, %.0f acquisitions/s (%u originals)\n", t_push, n / t_push,
          push_report.pushed_originals);
  printf ("  pull hub -> B: %.2f s, %.0f acquisitions/s\n", t_pull, n / t_pull);
  printf ("  replay (nothing new): push %.2f s, pull %.2f s\n", t_push_replay, t_pull_replay);

  /* Several GB at 10,000: do not leave them behind. */
  {
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
    g_autofree char *drop = g_strdup_printf ("DROP DATABASE %s", strrchr (url, '/') + 1);

    g_clear_object (&a);
    g_clear_object (&b);
    g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
    conn = PQconnectdb (base);
    PQclear (PQexec (conn, drop));
    PQfinish (conn);
  }
  tm_sync_report_clear (&push_report);
  tm_sync_report_clear (&pull_report);
  tm_sync_report_clear (&replay_report);
  return 0;
}
