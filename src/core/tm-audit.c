/* tm-audit.c — the append-only, SHA-256 hash-chained audit trail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The canonical text leaves seq out on purpose: a row's position is what the chain
 * itself encodes (prev_hash), so a swapped pair still hashes right on its own but no
 * longer links to its neighbour, and verify can say which row now stands out of order
 * (its prev_hash is the hash of a row elsewhere) instead of only "something changed".
 * A hash chain cannot tell a truncated tail from a short log; sync compares heads
 * across sites for that.
 */
#define G_LOG_DOMAIN "tm-audit"

#include "config.h"

#include <string.h>

#include "tm-audit.h"
#include "tm-store-private.h"

void
tm_audit_entry_free (TmAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->uuid);
  g_free (entry->at);
  g_free (entry->user);
  g_free (entry->site);
  g_free (entry->action);
  g_free (entry->entity_type);
  g_free (entry->entity_uuid);
  g_free (entry->details);
  g_free (entry->prev_hash);
  g_free (entry->hash);
  g_free (entry);
}

static void
append_field (GString    *str,
              const char *name,
              const char *value)
{
  if (value == NULL)
    value = "";
  g_string_append_printf (str, "%s:%" G_GSIZE_FORMAT ":%s\n", name, strlen (value), value);
}

char *
tm_audit_canonical_text (const TmAuditEntry *entry)
{
  GString *str = g_string_new ("toolmark-audit-1\n");

  append_field (str, "uuid", entry->uuid);
  append_field (str, "at", entry->at);
  append_field (str, "user", entry->user);
  append_field (str, "site", entry->site);
  append_field (str, "action", entry->action);
  append_field (str, "entity_type", entry->entity_type);
  append_field (str, "entity_uuid", entry->entity_uuid);
  append_field (str, "details", entry->details);
  append_field (str, "prev_hash", entry->prev_hash);
  return g_string_free (str, FALSE);
}

static char *
entry_hash (const TmAuditEntry *entry)
{
  g_autofree char *text = tm_audit_canonical_text (entry);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

gboolean
tm_audit_append (TmStore     *store,
                 const char  *user,
                 const char  *action,
                 const char  *entity_type,
                 const char  *entity_uuid,
                 const char  *details,
                 GError     **error)
{
  g_autoptr(TmStmt) last = NULL;
  g_autoptr(TmStmt) insert = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *at = tm_store_now_iso8601 ();
  g_autofree char *prev_hash = NULL;
  g_autofree char *hash = NULL;
  TmAuditEntry entry = { 0 };
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (action != NULL && entity_type != NULL && entity_uuid != NULL, FALSE);

  db = tm_store_get_db (store);
  /* Chaining to the last row is only safe under the write lock the caller holds. */
  if (sqlite3_get_autocommit (db))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_SQL,
                   "%s: audit entry '%s' for %s %s must be appended inside a transaction",
                   tm_store_get_path (store), action, entity_type, entity_uuid);
      return FALSE;
    }

  last = tm_store_prepare (store, "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1", error);
  if (last == NULL)
    return FALSE;
  rc = sqlite3_step (last);
  if (rc == SQLITE_ROW)
    prev_hash = g_strdup (tm_stmt_column_text (last, 0));
  else if (rc == SQLITE_DONE)
    prev_hash = g_strdup (TM_AUDIT_GENESIS_HASH);
  else
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the audit log");
      return FALSE;
    }

  entry.uuid = uuid;
  entry.at = at;
  entry.user = (char *)(user ? user : "");
  entry.site = (char *)tm_store_get_local_site (store);
  entry.action = (char *)action;
  entry.entity_type = (char *)entity_type;
  entry.entity_uuid = (char *)entity_uuid;
  entry.details = (char *)(details ? details : "{}");
  entry.prev_hash = prev_hash;
  hash = entry_hash (&entry);

  insert = tm_store_prepare (store, "INSERT INTO audit_log (seq, uuid, at, user, site, action, entity_type,"
                                    " entity_uuid, details, prev_hash, hash)"
                                    " VALUES ((SELECT coalesce (max (seq), 0) + 1 FROM audit_log),"
                                    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_text (insert, 1, entry.uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, entry.at, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 3, entry.user, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, entry.site, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 5, entry.action, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 6, entry.entity_type, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 7, entry.entity_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 8, entry.details, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 9, entry.prev_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 10, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    {
      g_autofree char *what = g_strdup_printf ("cannot append '%s' for %s %s to the audit log",
                                               action, entity_type, entity_uuid);
      tm_store_set_sql_error (store, error, rc, what);
      return FALSE;
    }
  return TRUE;
}

#define AUDIT_COLUMNS "seq, uuid, at, user, site, action, entity_type, entity_uuid, details, prev_hash, hash"

static TmAuditEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  TmAuditEntry *entry = g_new0 (TmAuditEntry, 1);

  entry->seq = sqlite3_column_int64 (stmt, 0);
  entry->uuid = g_strdup (tm_stmt_column_text (stmt, 1));
  entry->at = g_strdup (tm_stmt_column_text (stmt, 2));
  entry->user = g_strdup (tm_stmt_column_text (stmt, 3));
  entry->site = g_strdup (tm_stmt_column_text (stmt, 4));
  entry->action = g_strdup (tm_stmt_column_text (stmt, 5));
  entry->entity_type = g_strdup (tm_stmt_column_text (stmt, 6));
  entry->entity_uuid = g_strdup (tm_stmt_column_text (stmt, 7));
  entry->details = g_strdup (tm_stmt_column_text (stmt, 8));
  entry->prev_hash = g_strdup (tm_stmt_column_text (stmt, 9));
  entry->hash = g_strdup (tm_stmt_column_text (stmt, 10));
  return entry;
}

gboolean
tm_audit_verify (TmStore     *store,
                 GPtrArray  **out_problems,
                 gint64      *out_n_rows,
                 GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_audit_entry_free);
  g_autoptr(GHashTable) by_hash = g_hash_table_new (g_str_hash, g_str_equal);
  int rc;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_problems != NULL, FALSE);

  stmt = tm_store_prepare (store, "SELECT " AUDIT_COLUMNS " FROM audit_log ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TmAuditEntry *entry = entry_from_row (stmt);

      g_ptr_array_add (rows, entry);
      if (entry->hash != NULL)
        g_hash_table_insert (by_hash, entry->hash, entry);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the audit log");
      return FALSE;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      TmAuditEntry *entry = g_ptr_array_index (rows, i);
      TmAuditEntry *before = i > 0 ? g_ptr_array_index (rows, i - 1) : NULL;
      const char *expected_prev = before ? before->hash : TM_AUDIT_GENESIS_HASH;
      gint64 expected_seq = before ? before->seq + 1 : 1;
      g_autofree char *hash = entry_hash (entry);

      /* Each row is named by what a reader can find it by: seq, uuid, and what it says. */
      if (g_strcmp0 (hash, entry->hash) != 0)
        g_ptr_array_add (problems,
                         g_strdup_printf ("audit row seq %" G_GINT64_FORMAT " (%s, %s %s %s) was edited: "
                                          "its contents no longer match its hash",
                                          entry->seq, entry->uuid, entry->action, entry->entity_type,
                                          entry->entity_uuid));
      if (entry->seq == expected_seq + 1)
        g_ptr_array_add (problems,
                         g_strdup_printf ("audit row seq %" G_GINT64_FORMAT " is missing (deleted) before "
                                          "row seq %" G_GINT64_FORMAT " (%s)",
                                          expected_seq, entry->seq, entry->uuid));
      else if (entry->seq != expected_seq)
        g_ptr_array_add (problems,
                         g_strdup_printf ("audit rows seq %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                                          " are missing (deleted) before row seq %" G_GINT64_FORMAT " (%s)",
                                          expected_seq, entry->seq - 1, entry->seq, entry->uuid));
      if (g_strcmp0 (entry->prev_hash, expected_prev) != 0)
        {
          TmAuditEntry *linked = entry->prev_hash ? g_hash_table_lookup (by_hash, entry->prev_hash) : NULL;

          if (linked != NULL && linked != before)
            g_ptr_array_add (problems,
                             g_strdup_printf ("audit row seq %" G_GINT64_FORMAT " (%s) is out of order: "
                                              "it was chained after row seq %" G_GINT64_FORMAT " (%s), "
                                              "not after seq %" G_GINT64_FORMAT,
                                              entry->seq, entry->uuid, linked->seq, linked->uuid,
                                              before ? before->seq : 0));
          else if (entry->seq == expected_seq)
            g_ptr_array_add (problems,
                             g_strdup_printf ("audit row seq %" G_GINT64_FORMAT " (%s) does not follow "
                                              "the row before it: a row before it was deleted or edited",
                                              entry->seq, entry->uuid));
        }
    }

  if (out_n_rows != NULL)
    *out_n_rows = rows->len;
  *out_problems = g_steal_pointer (&problems);
  return TRUE;
}

GPtrArray *
tm_audit_list (TmStore     *store,
               const char  *entity_uuid,
               GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);

  if (entity_uuid != NULL)
    {
      stmt = tm_store_prepare (store, "SELECT " AUDIT_COLUMNS " FROM audit_log"
                                      " WHERE entity_uuid = ?1 OR instr (details, ?1) > 0 ORDER BY seq", error);
      if (stmt != NULL)
        sqlite3_bind_text (stmt, 1, entity_uuid, -1, SQLITE_TRANSIENT);
    }
  else
    stmt = tm_store_prepare (store, "SELECT " AUDIT_COLUMNS " FROM audit_log ORDER BY seq", error);
  if (stmt == NULL)
    return NULL;
  return tm_store_collect_rows (store, stmt, (TmStmtRowFunc) entry_from_row,
                                (GDestroyNotify) tm_audit_entry_free, "cannot read the audit log", error);
}
