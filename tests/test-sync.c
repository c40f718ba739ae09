/* test-sync.c — two workstations and a hub on a real PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs TM_TEST_PG_URL (a maintenance database of a server where the tests may create
 * databases; scripts/test.sh starts a private cluster and sets it); skipped without.
 * The workstations are driven through toolmark-cli where a person would use it
 * (import, sync, correlate), so SIGKILL can hit a real sync process.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <libpq-fe.h>
#include <json-glib/json-glib.h>

#include "tm-audit.h"
#include "tm-hub.h"
#include "tm-store.h"
#include "tm-store-private.h"
#include "tm-sync.h"
#include "tm-test-support.h"
#include "tm-workflow.h"

static char *scans_dir;    /* synthetic scans shared by the tests */

/* A fresh hub database on the test server; its URL. */
static char *
make_hub (const char *nibin)
{
  const char *base = g_getenv ("TM_TEST_PG_URL");
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  const char *slash;
  PGconn *conn;
  PGresult *result;
  char *url;

  name = g_strdup_printf ("tmhub_%u_%u", (guint)getpid (), g_random_int ());
  conn = PQconnectdb (base);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  result = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  PQclear (result);
  PQfinish (conn);

  slash = strrchr (base, '/');
  g_assert_nonnull (slash);
  url = g_strdup_printf ("%.*s/%s", (int)(slash - base), base, name);
  g_assert_true (tm_hub_init_schema (url, nibin, &error));
  g_assert_no_error (error);
  return url;
}

static gboolean
need_pg (void)
{
  if (g_getenv ("TM_TEST_PG_URL") == NULL || *g_getenv ("TM_TEST_PG_URL") == '\0')
    {
      g_test_skip ("TM_TEST_PG_URL is not set (scripts/test.sh starts a PostgreSQL cluster)");
      return FALSE;
    }
  return TRUE;
}

static int
cli (const char *db,
     char      **out_stdout,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autofree char *ignored = NULL;
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (char *)"--db");
  g_ptr_array_add (argv, (char *)db);
  va_start (args, out_stdout);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  /* Output not asked for is kept off the test's own stdout (TAP). */
  status = tm_test_run_cli ((const char * const *)argv->pdata, out_stdout ? out_stdout : &ignored, &err);
  if (status != 0 && err != NULL)
    g_test_message ("toolmark-cli: %s", err);
  return status;
}

static gint64
import_one (const char *db,
            const char *file,
            const char *collection)
{
  g_autofree char *path = g_build_filename (scans_dir, file, NULL);
  g_autofree char *out = NULL;
  int status;

  status = cli (db, &out, "import", "--calibre", "9mm", "--collection", collection ? collection : "casework",
                path, NULL);
  g_assert_cmpint (status, ==, 0);
  return g_ascii_strtoll (out, NULL, 10);
}

static void
sync_ok (const char *db,
         const char *url,
         const char *batch)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (cli (db, &out, "-q", "sync", "--batch", batch, url, NULL), ==, 0);
}

/* Duplicates acquisition 1 (with its derived data) @n times under new UUIDs, each in
 * its own exhibit: many records quickly, without preprocessing. */
static void
duplicate_acquisitions (TmStore *store,
                        int      n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

#define NEW_UUID "lower (hex (randomblob (4)) || '-' || hex (randomblob (2)) || '-4' ||" \
                 " substr (hex (randomblob (2)), 2) || '-a' || substr (hex (randomblob (2)), 2) || '-' ||" \
                 " hex (randomblob (6)))"
  sql = g_strdup_printf (
    "CREATE TEMP TABLE dup_before AS SELECT max (id) AS m FROM acquisitions;"
    "WITH RECURSIVE k (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d)"
    " INSERT INTO exhibits (uuid, case_id, item_number, kind)"
    "  SELECT " NEW_UUID ", e.case_id, 'dup-' || (SELECT m FROM dup_before) || '-' || k.i, e.kind"
    "    FROM k, acquisitions a JOIN exhibits e ON e.id = a.exhibit_id WHERE a.id = 1;"
    "INSERT INTO acquisitions (uuid, exhibit_id, region, modality, instrument, pixel_um_x, pixel_um_y,"
    "   width, height, valid_fraction, calibre, firing_pin_type, firing_pin_shape, breech_face_class,"
    "   original_name, sha256, source_meta, imported_by, imported_at, origin_site, collection)"
    "  SELECT " NEW_UUID ", e.id, a.region, a.modality, a.instrument, a.pixel_um_x, a.pixel_um_y,"
    "   a.width, a.height, a.valid_fraction, a.calibre, a.firing_pin_type, a.firing_pin_shape,"
    "   a.breech_face_class, a.original_name, a.sha256, a.source_meta, a.imported_by, a.imported_at,"
    "   a.origin_site, a.collection"
    "    FROM acquisitions a, exhibits e"
    "   WHERE a.id = 1 AND e.item_number LIKE 'dup-' || (SELECT m FROM dup_before) || '-%%' ORDER BY e.id;"
    "INSERT INTO preprocessed SELECT n.id, p.region, p.width, p.height, p.pixel_um, p.encoding, p.scale,"
    "   p.offset, p.data, p.params_hash, p.created_at"
    "  FROM acquisitions n, preprocessed p WHERE p.acquisition_id = 1 AND n.id > (SELECT m FROM dup_before);"
    "INSERT INTO signatures SELECT n.id, s.version, s.params_hash, s.data"
    "  FROM acquisitions n, signatures s WHERE s.acquisition_id = 1 AND n.id > (SELECT m FROM dup_before);"
    "DROP TABLE dup_before;", n);
#undef NEW_UUID
  g_assert_true (tm_store_exec (store, sql, &error));
  g_assert_no_error (error);
}

static char *
query_text (TmStore    *store,
            const char *sql)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store, sql, NULL);
  GString *out = g_string_new (NULL);

  g_assert_nonnull (stmt);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        g_string_append_printf (out, "%s%s", c ? "|" : "", (const char *)sqlite3_column_text (stmt, c));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* What a database holds that sync is responsible for, in a comparable text. */
static char *
local_state (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = tm_store_open (db, &error);
  g_autofree char *a = NULL, *p = NULL, *l = NULL, *c = NULL;

  g_assert_no_error (error);
  a = query_text (store, "SELECT id, uuid, origin_site, sha256, original_name FROM acquisitions ORDER BY id");
  p = query_text (store, "SELECT a.uuid, p.region, length (p.data), hex (substr (p.data, 1, 64)), s.version,"
                         " hex (s.data) FROM preprocessed p JOIN acquisitions a ON a.id = p.acquisition_id"
                         " LEFT JOIN signatures s ON s.acquisition_id = a.id ORDER BY a.uuid, p.region");
  l = query_text (store, "SELECT l.uuid, a.uuid FROM lead_members m JOIN leads l ON l.id = m.lead_id"
                         " JOIN acquisitions a ON a.id = m.acquisition_id ORDER BY 1, 2");
  c = query_text (store, "SELECT count(*) FROM sync_quarantine");
  return g_strconcat (a, "--\n", p, "--\n", l, "--\n", c, NULL);
}

static char *
hub_state (const char *url)
{
  PGconn *conn = PQconnectdb (url);
  GString *out = g_string_new (NULL);
  const char *queries[] = {
    "SELECT uuid, record_hash, origin_site FROM acquisitions ORDER BY uuid",
    "SELECT acquisition_uuid, region, md5 (data) FROM surfaces ORDER BY 1, 2",
    "SELECT acquisition_uuid, md5 (data) FROM signatures ORDER BY 1",
    "SELECT sha256, size FROM originals ORDER BY 1",
    "SELECT uuid FROM leads ORDER BY 1",
    "SELECT uuid, kind FROM lead_events ORDER BY 1",
    "SELECT lead_uuid, acquisition_uuid FROM lead_members ORDER BY 1, 2",
    "SELECT count(*) FROM audit_events",
  };

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      PGresult *result = PQexec (conn, queries[q]);

      g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
      for (int r = 0; r < PQntuples (result); r++)
        {
          for (int c = 0; c < PQnfields (result); c++)
            g_string_append_printf (out, "%s%s", c ? "|" : "", PQgetvalue (result, r, c));
          g_string_append_c (out, '\n');
        }
      g_string_append (out, "--\n");
      PQclear (result);
    }
  PQfinish (conn);
  return g_string_free (out, FALSE);
}

/* Site A imports and promotes a lead; B syncs, correlates, finds A's acquisition and
 * adds to the lead; A syncs and sees it. */
static void
test_two_sites (void)
{
  g_autofree char *dir = NULL, *a = NULL, *b = NULL, *url = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(TmLead) lead = NULL;
  gint64 a11, a12, b13, run_id, top_id, lead_id;
  JsonObject *root;
  JsonArray *candidates;
  g_autofree char *b13_id = NULL;

  if (!need_pg ())
    return;
  dir = tm_test_make_tmpdir ("sync-XXXXXX");
  a = g_build_filename (dir, "a.db", NULL);
  b = g_build_filename (dir, "b.db", NULL);
  url = make_hub (NULL);

  a11 = import_one (a, "F01-C01.x3p", NULL);
  a12 = import_one (a, "F01-C02.x3p", NULL);
  import_one (a, "F02-C01.x3p", NULL);
  b13 = import_one (b, "F01-C03.x3p", NULL);
  import_one (b, "F02-C02.x3p", NULL);

  {
    g_autoptr(TmStore) store = tm_store_open (a, &error);
    gint64 ids[] = { a11, a12 };

    g_assert_no_error (error);
    lead_id = tm_store_create_lead (store, ids, 2, "same breech face", 0, g_get_user_name (), &error);
    g_assert_no_error (error);
    g_assert_cmpint (lead_id, >, 0);
  }

  sync_ok (a, url, "2");
  sync_ok (b, url, "2");

  /* B correlates its F01-C03 against everything it holds, A's acquisitions included. */
  b13_id = g_strdup_printf ("%" G_GINT64_FORMAT, b13);
  g_assert_cmpint (cli (b, &out, "correlate", b13_id, "--top", "all", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  run_id = json_object_get_int_member (root, "run");
  candidates = json_object_get_array_member (root, "candidates");
  g_assert_cmpuint (json_array_get_length (candidates), ==, 4);
  top_id = json_object_get_int_member (json_array_get_object_element (candidates, 0), "id");

  {
    g_autoptr(TmStore) store = tm_store_open (b, &error);
    g_autoptr(TmAcquisition) top = tm_store_get_acquisition (store, top_id, &error);
    g_autoptr(GPtrArray) leads = NULL;
    g_autoptr(GBytes) original = NULL;

    g_assert_no_error (error);
    /* The best candidate is a mate from site A. */
    g_assert_true (g_str_has_prefix (tm_acquisition_get_file (top), "F01-"));
    g_assert_cmpstr (tm_acquisition_get_origin_site (top), !=, tm_store_get_local_site (store));

    leads = tm_store_list_leads_of (store, top_id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (leads->len, ==, 1);
    g_assert_cmpint (run_id, >, 0);
    g_assert_true (tm_store_add_to_lead (store, tm_lead_get_id (g_ptr_array_index (leads, 0)), b13, 0,
                                         g_get_user_name (), &error));
    g_assert_no_error (error);

    /* The original of a remote acquisition is not here until someone opens it. */
    g_assert_null (tm_store_read_original (store, top_id, &error));
    g_clear_error (&error);
    original = tm_sync_fetch_original (store, url, top_id, &error);
    g_assert_no_error (error);
    g_assert_nonnull (original);
    g_clear_pointer (&original, g_bytes_unref);
    original = tm_store_read_original (store, top_id, &error);
    g_assert_no_error (error);
  }
  g_free (out);
  out = NULL;
  g_assert_cmpint (cli (b, &out, "verify", NULL), ==, 0);

  sync_ok (b, url, "2");
  sync_ok (a, url, "2");

  {
    g_autoptr(TmStore) store = tm_store_open (a, &error);
    g_autofree char *lead_text = g_strdup_printf ("%" G_GINT64_FORMAT, lead_id);
    GPtrArray *members;
    gboolean found = FALSE;

    g_assert_no_error (error);
    lead = tm_store_get_lead (store, lead_text, &error);
    g_assert_no_error (error);
    members = tm_lead_get_members (lead);
    g_assert_cmpuint (members->len, ==, 3);
    for (guint i = 0; i < members->len; i++)
      found |= g_strcmp0 (((TmLeadMember *)g_ptr_array_index (members, i))->file, "F01-C03.x3p") == 0;
    g_assert_true (found);
  }

  /* Replays change nothing. */
  {
    g_autofree char *before_a = local_state (a);
    g_autofree char *before_b = local_state (b);
    g_autofree char *before_hub = hub_state (url);
    g_autofree char *after_a = NULL, *after_b = NULL, *after_hub = NULL;

    sync_ok (a, url, "1");
    sync_ok (b, url, "3");
    after_a = local_state (a);
    after_b = local_state (b);
    after_hub = hub_state (url);
    g_assert_cmpstr (before_a, ==, after_a);
    g_assert_cmpstr (before_b, ==, after_b);
    g_assert_cmpstr (before_hub, ==, after_hub);
  }
}

static gint64
import_case (const char *db,
             const char *file,
             const char *case_number)
{
  g_autofree char *path = g_build_filename (scans_dir, file, NULL);
  g_autofree char *out = NULL;

  g_assert_cmpint (cli (db, &out, "import", "--calibre", "9mm", "--case", case_number, path, NULL), ==, 0);
  return g_ascii_strtoll (out, NULL, 10);
}

static char *
local_site_of (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = tm_store_open (db, &error);

  g_assert_no_error (error);
  return g_strdup (tm_store_get_local_site (store));
}

/* The audit chain of @db verifies; returns how many rows have @action. */
static guint
audit_rows (const char *db,
            const char *action)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = tm_store_open (db, &error);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_true (tm_audit_verify (store, &problems, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("%s: %s", db, (const char *)g_ptr_array_index (problems, i));
  g_assert_cmpuint (problems->len, ==, 0);
  rows = tm_audit_list (store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    n += g_str_equal (((TmAuditEntry *)g_ptr_array_index (rows, i))->action, action);
  return n;
}

static gint64
count_sql (const char *db,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = tm_store_open (db, &error);
  g_autoptr(TmStmt) stmt = NULL;

  g_assert_no_error (error);
  stmt = tm_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* Site A confirms a hit linking cases X and Y; B pulls it, so B knows X and Y are
 * linked: B's identification of X, Y and a new Z counts one hit, not two. Everything
 * pulled is in B's audit trail, which still verifies, and reaches the hub. */
static void
test_hit_links (void)
{
  g_autofree char *dir = NULL, *a = NULL, *b = NULL, *url = NULL;
  g_autoptr(GError) error = NULL;
  gint64 x, y, z, lead_id, hit_id = 0;

  if (!need_pg ())
    return;
  dir = tm_test_make_tmpdir ("sync-hit-XXXXXX");
  a = g_build_filename (dir, "a.db", NULL);
  b = g_build_filename (dir, "b.db", NULL);
  url = make_hub (NULL);
  x = import_case (a, "F01-C01.x3p", "X-1");
  y = import_case (a, "F01-C02.x3p", "Y-2");
  z = import_case (b, "F01-C03.x3p", "Z-3");
  {
    g_autoptr(TmStore) store = tm_store_open (a, &error);
    gint64 ids[] = { x, y };

    g_assert_no_error (error);
    lead_id = tm_store_create_lead (store, ids, 2, NULL, 0, g_get_user_name (), &error);
    g_assert_no_error (error);
    g_assert_true (tm_store_confirm_lead (store, lead_id, "identification", NULL, g_get_user_name (),
                                          &hit_id, &error));
    g_assert_no_error (error);
  }
  sync_ok (a, url, "2");
  sync_ok (b, url, "2");

  g_assert_cmpint (count_sql (b, "SELECT count(*) FROM hits"), ==, 1);
  g_assert_cmpint (count_sql (b, "SELECT count(*) FROM case_links l JOIN cases ca ON ca.id = l.case_a"
                                 " JOIN cases cb ON cb.id = l.case_b WHERE l.source = 'hit'"
                                 " AND l.hit_id IS NOT NULL"
                                 " AND ca.case_number || cb.case_number IN ('X-1Y-2', 'Y-2X-1')"), ==, 1);
  g_assert_cmpuint (audit_rows (b, "sync-pulled-acquisition"), ==, 2);
  g_assert_cmpuint (audit_rows (b, "sync-pulled-case"), ==, 2);
  g_assert_cmpuint (audit_rows (b, "sync-pulled-exhibit"), ==, 2);
  g_assert_cmpuint (audit_rows (b, "sync-pulled-lead"), ==, 1);
  g_assert_cmpuint (audit_rows (b, "sync-pulled-lead-member"), ==, 2);
  g_assert_cmpuint (audit_rows (b, "sync-pulled-lead-event"), >=, 2);
  g_assert_cmpuint (audit_rows (b, "sync-pulled-hit"), ==, 1);
  g_assert_cmpuint (audit_rows (a, "sync-pulled-acquisition"), ==, 0);

  /* The pulled rows reached the hub in the same sync: its audit trail of B is whole. */
  {
    g_autoptr(TmHub) hub = tm_hub_connect (url, &error);
    g_autoptr(PGresult) result = NULL;
    g_autofree char *site_b = local_site_of (b);
    const char *values[] = { site_b };

    g_assert_no_error (error);
    result = tm_hub_query (hub, "SELECT count(*) FROM audit_events WHERE origin_site = $1::uuid"
                                " AND action = 'sync-pulled-hit'", 1, values, NULL, NULL, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, "1");
  }

  {
    g_autoptr(TmStore) store = tm_store_open (b, &error);
    g_autoptr(TmHit) hit = NULL;
    g_autofree char *hit_text = NULL;
    gint64 ids[3];
    gint64 b_lead, b_hit = 0;

    g_assert_no_error (error);
    ids[0] = z;
    ids[1] = count_sql (b, "SELECT a.id FROM acquisitions a JOIN exhibits e ON e.id = a.exhibit_id"
                           " JOIN cases c ON c.id = e.case_id WHERE c.case_number = 'X-1'");
    ids[2] = count_sql (b, "SELECT a.id FROM acquisitions a JOIN exhibits e ON e.id = a.exhibit_id"
                           " JOIN cases c ON c.id = e.case_id WHERE c.case_number = 'Y-2'");
    b_lead = tm_store_create_lead (store, ids, 3, NULL, 0, g_get_user_name (), &error);
    g_assert_no_error (error);
    g_assert_true (tm_store_confirm_lead (store, b_lead, "identification", NULL, g_get_user_name (),
                                          &b_hit, &error));
    g_assert_no_error (error);
    hit_text = g_strdup_printf ("%" G_GINT64_FORMAT, b_hit);
    hit = tm_store_get_hit (store, hit_text, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (hit->n_hits, ==, 1);
  }
  /* A replay adds nothing, and both trails still verify after B's pushes reach A. */
  sync_ok (b, url, "2");
  sync_ok (a, url, "2");
  g_assert_cmpuint (audit_rows (a, "sync-pulled-hit"), ==, 1);
  g_assert_cmpuint (audit_rows (b, "sync-pulled-hit"), ==, 1);
}

/* Only leads that concern B come: one with a member in B's scope (then with all its
 * members, out-of-scope ones included), not one only between other sites' acquisitions
 * outside the scope — until a member in scope joins it, when it comes whole. */
static void
test_lead_scope (void)
{
  g_autofree char *dir = NULL, *a = NULL, *b = NULL, *c = NULL, *url = NULL;
  g_autofree char *site_a = NULL;
  g_autoptr(GError) error = NULL;
  gint64 a1, a2, c1, c2, only_c, mixed;
  g_autofree char *only_c_uuid = NULL;

  if (!need_pg ())
    return;
  dir = tm_test_make_tmpdir ("sync-scope-XXXXXX");
  a = g_build_filename (dir, "a.db", NULL);
  b = g_build_filename (dir, "b.db", NULL);
  c = g_build_filename (dir, "c.db", NULL);
  url = make_hub (NULL);
  a1 = import_one (a, "F01-C01.x3p", NULL);
  a2 = import_one (a, "F02-C01.x3p", NULL);
  c1 = import_one (c, "F01-C02.x3p", NULL);
  c2 = import_one (c, "F02-C02.x3p", NULL);
  import_one (c, "F01-C03.x3p", NULL);
  g_assert_cmpint (cli (b, NULL, "init", NULL), ==, 0);
  site_a = local_site_of (a);

  {
    g_autoptr(TmStore) store = tm_store_open (c, &error);
    g_autoptr(TmLead) lead = NULL;
    g_autofree char *id_text = NULL;
    gint64 ids[] = { c1, c2 };

    g_assert_no_error (error);
    only_c = tm_store_create_lead (store, ids, 2, "C only", 0, g_get_user_name (), &error);
    g_assert_no_error (error);
    id_text = g_strdup_printf ("%" G_GINT64_FORMAT, only_c);
    lead = tm_store_get_lead (store, id_text, &error);
    g_assert_no_error (error);
    only_c_uuid = g_strdup (tm_lead_get_uuid (lead));
  }
  sync_ok (c, url, "5");
  sync_ok (a, url, "5");
  {
    g_autoptr(TmStore) store = tm_store_open (a, &error);
    gint64 ids[] = { a1, 0 };

    g_assert_no_error (error);
    ids[1] = count_sql (a, "SELECT id FROM acquisitions WHERE original_name = 'F01-C03.x3p'");
    mixed = tm_store_create_lead (store, ids, 2, "A and C", 0, g_get_user_name (), &error);
    g_assert_no_error (error);
    g_assert_cmpint (mixed, >, 0);
  }
  sync_ok (a, url, "5");

  /* B's scope: site A only. */
  g_assert_cmpint (cli (b, NULL, "-q", "sync", "--batch", "5", "--scope-site", site_a, url, NULL), ==, 0);
  g_assert_cmpint (count_sql (b, "SELECT count(*) FROM leads"), ==, 1);
  g_assert_cmpint (count_sql (b, "SELECT count(*) FROM leads l JOIN lead_events ev ON ev.lead_id = l.id"
                                 " WHERE ev.kind = 'note'"), ==, 1);
  /* The pulled lead shows both members, C's (outside the scope) fetched for it. */
  g_assert_cmpint (count_sql (b, "SELECT count(*) FROM lead_members"), ==, 2);
  g_assert_cmpint (count_sql (b, "SELECT count(*) FROM acquisitions WHERE original_name = 'F01-C03.x3p'"), ==, 1);
  g_assert_cmpint (count_sql (b, "SELECT count(*) FROM acquisitions WHERE original_name IN"
                                 " ('F01-C02.x3p', 'F02-C02.x3p')"), ==, 0);

  /* A adds its a2 to C's lead: now it concerns B, and comes with all its history. */
  {
    g_autoptr(TmStore) store = tm_store_open (a, &error);
    g_autoptr(TmLead) lead = tm_store_get_lead (store, only_c_uuid, &error);

    g_assert_no_error (error);
    g_assert_true (tm_store_add_to_lead (store, tm_lead_get_id (lead), a2, 0, g_get_user_name (), &error));
    g_assert_no_error (error);
  }
  sync_ok (a, url, "5");
  g_assert_cmpint (cli (b, NULL, "-q", "sync", "--batch", "5", "--scope-site", site_a, url, NULL), ==, 0);
  g_assert_cmpint (count_sql (b, "SELECT count(*) FROM leads"), ==, 2);
  {
    g_autoptr(TmStore) store = tm_store_open (b, &error);
    g_autoptr(TmLead) lead = tm_store_get_lead (store, only_c_uuid, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (tm_lead_get_members (lead)->len, ==, 3);
  }
  g_assert_cmpint (count_sql (b, "SELECT count(*) FROM lead_events ev JOIN leads l ON l.id = ev.lead_id"
                                 " WHERE ev.kind = 'note' AND ev.payload LIKE '%C only%'"), ==, 1);
  g_assert_cmpuint (audit_rows (b, "sync-pulled-lead"), ==, 2);
}

/* Runs `sync` with TM_SYNC_KILL_AFTER=@kill_after; TRUE when SIGKILL ended it. */
static gboolean
sync_killed (const char *db,
             const char *url,
             const char *extra,
             int         kill_after)
{
  g_autofree char *kill_text = g_strdup_printf ("%d", kill_after);
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "TM_SYNC_KILL_AFTER", kill_text, TRUE);
  const char *argv[] = { g_getenv ("TM_CLI"), "--db", db, "-q", "sync", "--batch", "3", extra, url, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  if (extra == NULL)
    {
      argv[7] = url;
      argv[8] = NULL;
    }
  g_assert_true (g_spawn_sync (NULL, (char **)argv, env, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  return WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
}

/* Kill -9 during push and during pull at several batch boundaries, then resync: the
 * hub and the puller end as after an uninterrupted sync. */
static void
test_kill_resume (void)
{
  g_autofree char *dir = NULL, *a = NULL, *ref_url = NULL, *ref_b = NULL;
  g_autofree char *ref_hub = NULL, *ref_local = NULL;
  g_autoptr(GError) error = NULL;
  const int kill_points[] = { 1, 2, 5, 9 };

  if (!need_pg ())
    return;
  dir = tm_test_make_tmpdir ("sync-kill-XXXXXX");
  a = g_build_filename (dir, "a.db", NULL);
  import_one (a, "F01-C01.x3p", NULL);
  import_one (a, "F02-C01.x3p", NULL);
  {
    g_autoptr(TmStore) store = tm_store_open (a, &error);
    gint64 ids[] = { 1, 2 };

    g_assert_no_error (error);
    duplicate_acquisitions (store, 20);
    g_assert_cmpint (tm_store_create_lead (store, ids, 2, NULL, 0, g_get_user_name (), &error), >, 0);
    g_assert_no_error (error);
  }

  /* The reference: uninterrupted. */
  ref_url = make_hub (NULL);
  ref_b = g_build_filename (dir, "ref-b.db", NULL);
  g_assert_cmpint (cli (ref_b, NULL, "init", NULL), ==, 0);
  sync_ok (a, ref_url, "3");
  sync_ok (ref_b, ref_url, "3");
  ref_hub = hub_state (ref_url);
  ref_local = local_state (ref_b);

  for (guint k = 0; k < G_N_ELEMENTS (kill_points); k++)
    {
      g_autofree char *url = make_hub (NULL);
      g_autofree char *a_copy = g_strdup_printf ("%s/a%u.db", dir, k);
      g_autofree char *b_copy = g_strdup_printf ("%s/b%u.db", dir, k);
      g_autofree char *hub_now = NULL, *local_now = NULL, *cmd = NULL;

      /* A fresh copy of A (its push cursors belong to the reference hub's UUID only, so
       * the copy pushes everything again to the new hub). */
      cmd = g_strdup_printf ("cp -r '%s' '%s' && cp -r '%s.blobs' '%s.blobs'", a, a_copy, a, a_copy);
      g_assert_cmpint (system (cmd), ==, 0);
      g_assert_cmpint (cli (b_copy, NULL, "init", NULL), ==, 0);

      /* Push killed at the boundary (the batch is on the hub, its cursor not saved),
       * resumed and killed again a little further on, then run through; the same for
       * the pull. */
      g_assert_true (sync_killed (a_copy, url, "--push-only", kill_points[k]));
      sync_killed (a_copy, url, "--push-only", kill_points[k] + 1);
      sync_ok (a_copy, url, "3");
      g_assert_true (sync_killed (b_copy, url, "--pull-only", kill_points[k]));
      sync_killed (b_copy, url, "--pull-only", kill_points[k] + 2);
      sync_ok (b_copy, url, "3");

      hub_now = hub_state (url);
      local_now = local_state (b_copy);
      /* The hub's records are the same up to the UUIDs that differ between the two
       * databases (none: A's copy is byte-identical), and B's rows come in the same
       * order with the same ids. */
      g_assert_cmpstr (hub_now, ==, ref_hub);
      {
        /* Sites differ (B and its copy are separate installations): compare without
         * the puller's own site. */
        g_assert_cmpstr (local_now, ==, ref_local);
      }
    }
}

/* Point-of-sale and manufacturer acquisitions never reach a NIBIN hub; an "other"
 * hub takes them. */
static void
test_point_of_sale (void)
{
  g_autofree char *dir = NULL, *a = NULL, *nibin = NULL, *other = NULL, *hub = NULL;

  if (!need_pg ())
    return;
  dir = tm_test_make_tmpdir ("sync-pos-XXXXXX");
  a = g_build_filename (dir, "a.db", NULL);
  import_one (a, "F01-C01.x3p", NULL);
  import_one (a, "F01-C02.x3p", "point-of-sale");
  import_one (a, "F02-C01.x3p", "manufacturer");
  nibin = make_hub ("nibin");
  other = make_hub ("other");
  sync_ok (a, nibin, "1");
  sync_ok (a, other, "1");
  hub = hub_state (nibin);
  g_assert_cmpuint (g_strv_length (g_strsplit (hub, "\n", -1)), >, 0);
  {
    PGconn *conn = PQconnectdb (nibin);
    PGresult *result = PQexec (conn, "SELECT count(*), count(*) FILTER (WHERE collection <> 'casework'),"
                                     " (SELECT count(*) FROM originals) FROM acquisitions");

    g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, "1");
    g_assert_cmpstr (PQgetvalue (result, 0, 1), ==, "0");
    g_assert_cmpstr (PQgetvalue (result, 0, 2), ==, "1");
    PQclear (result);
    PQfinish (conn);
    conn = PQconnectdb (other);
    result = PQexec (conn, "SELECT count(*) FROM acquisitions");
    g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, "3");
    PQclear (result);
    PQfinish (conn);
  }
}

/* A record that differs from the local one under the same UUID, and a malformed one,
 * are quarantined and listed, not applied. */
static void
test_quarantine (void)
{
  g_autofree char *dir = NULL, *a = NULL, *b = NULL, *url = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_pg ())
    return;
  dir = tm_test_make_tmpdir ("sync-q-XXXXXX");
  a = g_build_filename (dir, "a.db", NULL);
  b = g_build_filename (dir, "b.db", NULL);
  url = make_hub (NULL);
  import_one (a, "F01-C01.x3p", NULL);
  import_one (a, "F02-C01.x3p", NULL);
  sync_ok (a, url, "10");
  g_assert_cmpint (cli (b, NULL, "init", NULL), ==, 0);
  sync_ok (b, url, "10");

  {
    PGconn *conn = PQconnectdb (url);
    PGresult *result;

    /* Another site re-files acquisition 1 with a different calibre (and a matching
     * hash, so it looks valid), and a third record is garbage. */
    result = PQexec (conn, "UPDATE acquisitions SET seq = nextval('hub_seq'),"
                           " record = jsonb_set (record, '{calibre}', '\"45 Auto\"')"
                           " WHERE seq = (SELECT min (seq) FROM acquisitions)");
    g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
    PQclear (result);
    result = PQexec (conn, "INSERT INTO acquisitions (uuid, exhibit_uuid, case_uuid, origin_site, collection,"
                           " modality, imported_at, sha256, record, record_hash) VALUES"
                           " (gen_random_uuid (), gen_random_uuid (), gen_random_uuid (), gen_random_uuid (),"
                           " 'casework', '3d', 'x', 'x', '{\"uuid\": 12}', 'x')");
    g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
    PQclear (result);
    PQfinish (conn);
  }
  /* The changed record's stored hash no longer matches: recompute it as a forger would. */
  {
    g_autoptr(TmHub) hub = tm_hub_connect (url, &error);
    g_autoptr(PGresult) result = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *hash = NULL;
    g_autofree char *uuid = NULL;
    const char *values[2];

    g_assert_no_error (error);
    result = tm_hub_query (hub, "SELECT uuid::text, record::text FROM acquisitions WHERE calibre = '9mm'"
                                " AND record->>'calibre' = '45 Auto'", 0, NULL, NULL, NULL, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpint (PQntuples (result), ==, 1);
    g_assert_true (json_parser_load_from_data (parser, PQgetvalue (result, 0, 1), -1, &error));
    hash = tm_sync_meta_hash (json_node_get_object (json_parser_get_root (parser)), &error);
    g_assert_no_error (error);
    uuid = g_strdup (PQgetvalue (result, 0, 0));
    values[0] = hash;
    values[1] = uuid;
    g_clear_pointer (&result, PQclear);
    result = tm_hub_query (hub, "UPDATE acquisitions SET record_hash = $1 WHERE uuid = $2", 2, values,
                           NULL, NULL, FALSE, &error);
    g_assert_no_error (error);
  }

  {
    g_autofree char *before = local_state (b);
    g_autofree char *after = NULL;

    sync_ok (b, url, "10");
    after = local_state (b);
    /* Nothing applied but the two quarantine rows. */
    g_assert_true (g_str_has_suffix (after, "--\n2\n"));
    g_assert_true (g_str_has_suffix (before, "--\n0\n"));
  }
  g_assert_cmpint (cli (b, &out, "sync", "quarantine", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "differs from acquisition"));
  g_assert_nonnull (strstr (out, "malformed record"));
  /* A replay quarantines nothing twice. */
  sync_ok (b, url, "10");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (b, &out, "sync", "quarantine", NULL), ==, 0);
  g_assert_cmpuint (g_strv_length (g_strsplit (g_strstrip (out), "\n", -1)), ==, 2);
}

/* A hub that is down: a clear error naming it without its password; local work goes on. */
static void
test_hub_down (void)
{
  g_autofree char *dir = NULL, *a = NULL, *err = NULL, *out = NULL;
  const char *argv[6];
  int status;

  dir = tm_test_make_tmpdir ("sync-down-XXXXXX");
  a = g_build_filename (dir, "a.db", NULL);
  import_one (a, "F01-C01.x3p", NULL);
  argv[0] = "--db";
  argv[1] = a;
  argv[2] = "sync";
  argv[3] = "postgresql://alice:s3cret@127.0.0.1:1/hub?connect_timeout=2";
  argv[4] = NULL;
  status = tm_test_run_cli (argv, &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "postgresql://alice@127.0.0.1:1/hub"));
  g_assert_null (strstr (err, "s3cret"));
  g_assert_nonnull (strstr (err, "cannot connect"));
  g_assert_cmpint (cli (a, NULL, "verify", NULL), ==, 0);
  import_one (a, "F01-C02.x3p", NULL);
}

static void
test_redact (void)
{
  g_autofree char *a = tm_hub_redact_url ("postgresql://bob:pw@db.example:5433/hub");
  g_autofree char *b = tm_hub_redact_url ("host=db.example user=bob password=pw dbname=hub");

  g_assert_cmpstr (a, ==, "postgresql://bob@db.example:5433/hub");
  g_assert_cmpstr (b, ==, "postgresql://bob@db.example/hub");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *out = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  scans_dir = tm_test_make_tmpdir ("sync-scans-XXXXXX");
  {
    const char *synth[] = { "synth", "--firearms", "2", "--cases", "3", "--out", scans_dir, "--seed", "7", NULL };

    status = tm_test_run_cli (synth, &out, NULL);
    g_assert_cmpint (status, ==, 0);
  }

  g_test_add_func ("/sync/redact-url", test_redact);
  g_test_add_func ("/sync/hub-down", test_hub_down);
  g_test_add_func ("/sync/two-sites", test_two_sites);
  g_test_add_func ("/sync/point-of-sale", test_point_of_sale);
  g_test_add_func ("/sync/quarantine", test_quarantine);
  g_test_add_func ("/sync/kill-resume", test_kill_resume);
  g_test_add_func ("/sync/hit-links", test_hit_links);
  g_test_add_func ("/sync/lead-scope", test_lead_scope);
  return g_test_run ();
}
