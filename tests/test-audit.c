/* test-audit.c — the hash-chained audit log catches edits, deletions and reordering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The attacker here has the database file and sqlite3: they drop the append-only
 * triggers first, then change rows with plain SQL.
 */
#include "config.h"

#include "tm-audit.h"
#include "tm-workflow.h"
#include "tm-test-workflow.h"

static const char *drop_triggers =
  "DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete;";

/* A store with some history: imports, a run, a review, a lead, a hit. */
static TmStore *
store_with_history (gint64 *out_acquisition)
{
  TmStore *store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  const char *me = g_get_user_name ();
  gint64 a = tm_test_workflow_add (store, "AU-1", "1", 1, NULL, &error);
  gint64 b = tm_test_workflow_add (store, "AU-2", "1", 2, NULL, &error);
  gint64 c = tm_test_workflow_add (store, "AU-3", "1", 3, NULL, &error);
  gint64 run = tm_test_workflow_run (store, a, (gint64[]) { b, c }, 2, NULL, &error);
  gint64 lead;

  g_assert_no_error (error);
  g_assert_true (tm_store_set_candidate_state (store, run, c, "dismissed", me, &error));
  lead = tm_store_create_lead (store, (gint64[]) { a, b }, 2, "note", run, me, &error);
  g_assert_true (tm_store_confirm_lead (store, lead, "identification", NULL, me, NULL, &error));
  g_assert_no_error (error);
  if (out_acquisition != NULL)
    *out_acquisition = b;
  return store;
}

static GPtrArray *
verify (TmStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *problems = NULL;

  g_assert_true (tm_audit_verify (store, &problems, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (char *)problems->pdata[i]);
  return problems;
}

static char *
uuid_of (TmStore *store,
         gint64   seq)
{
  g_autoptr(GPtrArray) all = tm_audit_list (store, NULL, NULL);

  for (guint i = 0; i < all->len; i++)
    if (((TmAuditEntry *)all->pdata[i])->seq == seq)
      return g_strdup (((TmAuditEntry *)all->pdata[i])->uuid);
  g_assert_not_reached ();
}

static gboolean
problems_contain (GPtrArray  *problems,
                  const char *a,
                  const char *b)
{
  for (guint i = 0; i < problems->len; i++)
    if (strstr (problems->pdata[i], a) != NULL && (b == NULL || strstr (problems->pdata[i], b) != NULL))
      return TRUE;
  return FALSE;
}

static void
test_chain (void)
{
  gint64 b = 0;
  g_autoptr(TmStore) store = store_with_history (&b);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = verify (store);
  g_autoptr(GPtrArray) all = tm_audit_list (store, NULL, &error);
  g_autoptr(TmAcquisition) acquisition = tm_store_get_acquisition (store, b, &error);
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GHashTable) actions = g_hash_table_new (g_str_hash, g_str_equal);
  const char *expected[] = {
    "user-added", "case-created", "exhibit-created", "acquisition-imported", "correlation-run-saved",
    "candidate-decision", "lead-created", "lead-note", "lead-conclusion", "hit-recorded",
  };

  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpstr (((TmAuditEntry *)all->pdata[0])->prev_hash, ==, TM_AUDIT_GENESIS_HASH);
  for (guint i = 0; i < all->len; i++)
    {
      TmAuditEntry *entry = all->pdata[i];

      g_assert_cmpint (entry->seq, ==, i + 1);
      g_assert_cmpstr (entry->site, ==, tm_store_get_local_site (store));
      if (i > 0)
        g_assert_cmpstr (entry->prev_hash, ==, ((TmAuditEntry *)all->pdata[i - 1])->hash);
      g_hash_table_add (actions, entry->action);
    }
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (!g_hash_table_contains (actions, expected[i]))
      g_error ("no audit row for %s", expected[i]);

  /* An acquisition's history: its import, then the lead that links it. */
  history = tm_audit_list (store, tm_acquisition_get_uuid (acquisition), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, >=, 3);
  g_assert_cmpstr (((TmAuditEntry *)history->pdata[0])->action, ==, "acquisition-imported");
  g_assert_nonnull (strstr (((TmAuditEntry *)history->pdata[0])->details, tm_acquisition_get_sha256 (acquisition)));

  /* Appending outside a transaction could race another writer: refused. */
  g_assert_false (tm_audit_append (store, "x", "test", "case", "u", NULL, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_SQL);
}

static void
test_update (void)
{
  g_autoptr(TmStore) store = store_with_history (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *uuid = uuid_of (store, 5);

  /* The triggers stop the casual edit... */
  g_assert_false (tm_store_exec (store, "UPDATE audit_log SET user = 'mallory' WHERE seq = 5", &error));
  g_clear_error (&error);
  /* ...and the hash catches the deliberate one. */
  g_assert_true (tm_store_exec (store, drop_triggers, &error));
  g_assert_true (tm_store_exec (store, "UPDATE audit_log SET user = 'mallory' WHERE seq = 5", &error));
  g_assert_no_error (error);
  problems = verify (store);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (problems_contain (problems, "seq 5 ", "edited"));
  g_assert_true (problems_contain (problems, uuid, NULL));
}

/* The careful attacker re-hashes the edited row: the next row no longer follows it. */
static void
test_update_rehashed (void)
{
  g_autoptr(TmStore) store = store_with_history (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) all = tm_audit_list (store, NULL, &error);
  TmAuditEntry *entry = all->pdata[3];
  g_autofree char *text = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *sql = NULL;

  g_free (entry->details);
  entry->details = g_strdup ("{\"file\":\"forged.x3p\"}");
  text = tm_audit_canonical_text (entry);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  sql = g_strdup_printf ("UPDATE audit_log SET details = '%s', hash = '%s' WHERE seq = 4", entry->details, hash);
  g_assert_true (tm_store_exec (store, drop_triggers, &error));
  g_assert_true (tm_store_exec (store, sql, &error));
  g_assert_no_error (error);
  problems = verify (store);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (problems_contain (problems, "seq 5 ", "does not follow"));
}

static void
test_delete (void)
{
  g_autoptr(TmStore) store = store_with_history (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) renumbered = NULL;

  g_assert_true (tm_store_exec (store, drop_triggers, &error));
  g_assert_true (tm_store_exec (store, "DELETE FROM audit_log WHERE seq = 6", &error));
  g_assert_no_error (error);
  problems = verify (store);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (problems_contain (problems, "seq 6", "missing"));

  /* Closing the gap does not hide it. */
  g_assert_true (tm_store_exec (store, "UPDATE audit_log SET seq = seq - 1 WHERE seq > 6", &error));
  g_assert_no_error (error);
  renumbered = verify (store);
  g_assert_cmpuint (renumbered->len, ==, 1);
  g_assert_true (problems_contain (renumbered, "seq 6 ", "does not follow"));
}

static void
test_swap (void)
{
  g_autoptr(TmStore) store = store_with_history (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *uuid7 = uuid_of (store, 7);

  g_assert_true (tm_store_exec (store, drop_triggers, &error));
  g_assert_true (tm_store_exec (store, "UPDATE audit_log SET seq = -7 WHERE seq = 7;"
                                       "UPDATE audit_log SET seq = 7 WHERE seq = 8;"
                                       "UPDATE audit_log SET seq = 8 WHERE seq = -7;", &error));
  g_assert_no_error (error);
  problems = verify (store);
  g_assert_cmpuint (problems->len, >=, 1);
  /* The row now at seq 7 stands out of order, and the row moved to 8 is named. */
  g_assert_true (problems_contain (problems, "seq 7 ", "out of order"));
  g_assert_true (problems_contain (problems, uuid7, "out of order"));
}

static void
test_many (void)
{
  g_autoptr(TmStore) store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) history = NULL;
  gint64 n_rows = 0, t0, t1, t2;
  const guint n = 10000;

  t0 = g_get_monotonic_time ();
  g_assert_true (tm_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *entity = g_strdup_printf ("00000000-0000-4000-8000-%012u", i % 100);
      g_autofree char *details = g_strdup_printf ("{\"i\":%u}", i);

      g_assert_true (tm_audit_append (store, "bench", "lead-note", "lead", entity, details, &error));
    }
  g_assert_true (tm_store_commit (store, &error));
  g_assert_no_error (error);
  t1 = g_get_monotonic_time ();
  g_assert_true (tm_audit_verify (store, &problems, &n_rows, &error));
  t2 = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpint (n_rows, ==, n + 1);  /* + the first user */
  g_test_message ("audit: %u appends in %.3f s, verify of %" G_GINT64_FORMAT " rows in %.3f s",
                  n, (t1 - t0) / 1e6, n_rows, (t2 - t1) / 1e6);
  history = tm_audit_list (store, "00000000-0000-4000-8000-000000000042", &error);
  g_assert_cmpuint (history->len, ==, n / 100);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/audit/chain", test_chain);
  g_test_add_func ("/audit/update", test_update);
  g_test_add_func ("/audit/update-rehashed", test_update_rehashed);
  g_test_add_func ("/audit/delete", test_delete);
  g_test_add_func ("/audit/swap", test_swap);
  g_test_add_func ("/audit/10000", test_many);

  return g_test_run ();
}
