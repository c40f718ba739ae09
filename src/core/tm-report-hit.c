/* tm-report-hit.c — the hit / intelligence report: the lead, the examiner's conclusion
 * and the chain of custody
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hit is what an examiner will defend in court, so beyond the lead report this one
 * carries who concluded what and when, the cases the hit linked and how ATF counts it,
 * and the chain of custody: each original file's SHA-256 as stored, and every recorded
 * action on the items (the hash-chained audit log, with the chain's check result).
 */
#define G_LOG_DOMAIN "tm-report"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-audit.h"
#include "tm-report-private.h"

typedef struct
{
  gint64  id;
  char   *uuid;
  gint64  lead_id;
  char   *event_uuid;
  char   *examiner;
  char   *confirmed_at;
  gint64  n_hits;
  char   *conclusion;
  char   *note;
} Hit;

static void
hit_clear (Hit *hit)
{
  g_free (hit->uuid);
  g_free (hit->event_uuid);
  g_free (hit->examiner);
  g_free (hit->confirmed_at);
  g_free (hit->conclusion);
  g_free (hit->note);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Hit, hit_clear)

static gboolean
load_hit (TmStore    *store,
          const char *ref,
          Hit        *hit,
          GError    **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT h.id, h.uuid, h.lead_id, h.event_uuid, h.examiner, h.confirmed_at, h.n_hits,"
    "       json_extract (e.payload, '$.conclusion'), json_extract (e.payload, '$.note')"
    "  FROM hits h LEFT JOIN lead_events e ON e.uuid = h.event_uuid"
    " WHERE h.uuid = ?1 OR CAST (h.id AS TEXT) = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_NOT_FOUND,
                   _("No hit “%s” in %s: give a hit's number or UUID (an examiner's "
                     "identification on a lead makes a hit)"), ref, tm_store_get_path (store));
      return FALSE;
    }
  hit->id = sqlite3_column_int64 (stmt, 0);
  hit->uuid = g_strdup (tm_stmt_column_text (stmt, 1));
  hit->lead_id = sqlite3_column_int64 (stmt, 2);
  hit->event_uuid = g_strdup (tm_stmt_column_text (stmt, 3));
  hit->examiner = g_strdup (tm_stmt_column_text (stmt, 4));
  hit->confirmed_at = g_strdup (tm_stmt_column_text (stmt, 5));
  hit->n_hits = sqlite3_column_int64 (stmt, 6);
  hit->conclusion = g_strdup (tm_stmt_column_text (stmt, 7));
  hit->note = g_strdup (tm_stmt_column_text (stmt, 8));
  return TRUE;
}

static gboolean
add_conclusion (TmReportDoc *doc,
                TmStore     *store,
                const Hit   *hit,
                GError     **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT ca.agency, ca.case_number, cb.agency, cb.case_number"
    "  FROM case_links l JOIN cases ca ON ca.id = l.case_a JOIN cases cb ON cb.id = l.case_b"
    " WHERE l.hit_id = ? ORDER BY ca.case_number, cb.case_number", error);
  const double widths[] = { 0.3, 0.7 };
  const char *header[] = { _("Examiner's conclusion"), "" };
  g_autofree char *examiner = tm_report_describe_user (store, hit->examiner);
  g_autofree char *when = tm_report_format_datetime (hit->confirmed_at);
  g_autofree char *count = tm_report_format_int (hit->n_hits);
  g_autoptr(GString) links = g_string_new (NULL);
  TmReportTable *table;
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, hit->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *aa = tm_stmt_column_text (stmt, 0), *an = tm_stmt_column_text (stmt, 1);
      const char *ba = tm_stmt_column_text (stmt, 2), *bn = tm_stmt_column_text (stmt, 3);

      g_string_append_printf (links, "%s%s%s%s — %s%s%s\n", links->len ? "" : "",
                              aa && *aa ? aa : "", aa && *aa ? " " : "", an,
                              ba && *ba ? ba : "", ba && *ba ? " " : "", bn);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, _("cannot read the cases the hit linked"));
      return FALSE;
    }
  if (links->len > 0)
    g_string_truncate (links, links->len - 1);
  else
    g_string_append (links, _("none new (the cases were already known to be connected)"));

  table = tm_report_doc_begin_table (doc, 2, widths, header);
  tm_report_table_add_rowv (table, _("Conclusion"), tm_report_describe_word (hit->conclusion),
                            NULL);
  tm_report_table_add_rowv (table, _("Examiner"), examiner, NULL);
  tm_report_table_add_rowv (table, _("Concluded"), when, NULL);
  tm_report_table_add_rowv (table, _("Examiner's note"),
                            hit->note && *hit->note ? hit->note : "—", NULL);
  tm_report_table_add_rowv (table, _("Cases newly linked"), links->str, NULL);
  tm_report_table_add_rowv (table, _("Hits (ATF count)"), count, NULL);
  tm_report_table_add_rowv (table, _("Hit UUID"), hit->uuid, NULL);
  return TRUE;
}

static gboolean
add_custody (TmReportDoc *doc,
             TmStore     *store,
             const Hit   *hit,
             GPtrArray   *acquisition_uuids,
             GPtrArray   *case_uuids,
             GError     **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT a.original_name, a.sha256, b.size, a.imported_by, a.imported_at,"
    "       COALESCE (s.name, a.origin_site), a.id"
    "  FROM acquisitions a JOIN blobs b ON b.sha256 = a.sha256"
    "  LEFT JOIN sites s ON s.uuid = a.origin_site WHERE a.uuid = ?", error);
  const double widths[] = { 0.22, 0.46, 0.1, 0.22 };
  const char *header[] = { _("Original file"), _("SHA-256"), _("Bytes"), _("Imported") };
  const double audit_widths[] = { 0.05, 0.19, 0.18, 0.22, 0.21, 0.15 };
  const char *audit_header[] = { _("No."), _("When"), _("Who"), _("Action"), _("Item"),
                                 _("Row hash") };
  g_autoptr(GPtrArray) entities = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gpointer));
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) tm_audit_entry_free);
  g_autoptr(GError) local = NULL;
  g_autofree char *lead_uuid = NULL;
  gint64 n_rows = 0;
  TmReportTable *table;

  if (stmt == NULL)
    return FALSE;
  tm_report_doc_add_page_break (doc);
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Chain of custody"));
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_SMALL,
                          _("Each original file is kept byte-identical in the store, named by "
                            "its SHA-256; “toolmark-cli verify” re-hashes every one."));
  table = tm_report_doc_begin_table (doc, 4, widths, header);
  for (guint i = 0; i < acquisition_uuids->len; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, g_ptr_array_index (acquisition_uuids, i), -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_autofree char *file = g_strdup_printf ("%s (#%" G_GINT64_FORMAT ")",
                                                   tm_stmt_column_text (stmt, 0),
                                                   (gint64) sqlite3_column_int64 (stmt, 6));
          g_autofree char *size = tm_report_format_int (sqlite3_column_int64 (stmt, 2));
          g_autofree char *who = tm_report_describe_user (store, tm_stmt_column_text (stmt, 3));
          g_autofree char *when = tm_report_format_datetime (tm_stmt_column_text (stmt, 4));
          g_autofree char *imported = g_strdup_printf ("%s\n%s\n%s", when, who,
                                                       tm_stmt_column_text (stmt, 5));

          const char *sha = tm_stmt_column_text (stmt, 1);
          g_autofree char *hash = g_strdup_printf ("%.32s\n%s", sha, strlen (sha) > 32 ? sha + 32 : "");

          tm_report_table_add_rowv (table, file, hash, size, imported, NULL);
        }
    }

  /* Every audited action on the items, the lead and the hit, oldest first. */
  {
    g_autoptr(TmStmt) lead = tm_store_prepare (store, "SELECT uuid FROM leads WHERE id = ?", error);

    if (lead == NULL)
      return FALSE;
    sqlite3_bind_int64 (lead, 1, hit->lead_id);
    if (sqlite3_step (lead) == SQLITE_ROW)
      lead_uuid = g_strdup (tm_stmt_column_text (lead, 0));
  }
  g_ptr_array_extend (entities, acquisition_uuids, NULL, NULL);
  g_ptr_array_extend (entities, case_uuids, NULL, NULL);
  if (lead_uuid != NULL)
    g_ptr_array_add (entities, lead_uuid);
  g_ptr_array_add (entities, hit->uuid);
  for (guint i = 0; i < entities->len; i++)
    {
      g_autoptr(GPtrArray) entries = tm_audit_list (store, g_ptr_array_index (entities, i), error);

      if (entries == NULL)
        return FALSE;
      for (guint j = 0; j < entries->len; j++)
        {
          TmAuditEntry *entry = g_ptr_array_index (entries, j);

          if (g_hash_table_contains (seen, &entry->seq))
            continue;
          g_ptr_array_add (all, g_ptr_array_steal_index (entries, j--));
          g_hash_table_add (seen, &((TmAuditEntry *) g_ptr_array_index (all, all->len - 1))->seq);
        }
    }
  {
    /* Sort by seq: the chain's order. */
    for (guint i = 1; i < all->len; i++)
      for (guint j = i; j > 0; j--)
        {
          TmAuditEntry *x = g_ptr_array_index (all, j - 1), *y = g_ptr_array_index (all, j);

          if (x->seq <= y->seq)
            break;
          all->pdata[j - 1] = y;
          all->pdata[j] = x;
        }
  }

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Audit trail"));
  if (tm_audit_verify (store, &problems, &n_rows, &local))
    {
      g_autofree char *n = tm_report_format_int (n_rows);

      if (problems->len == 0)
        tm_report_doc_add_textf (doc, TM_REPORT_STYLE_BODY,
                                 _("The hash chain of the audit log was verified when this "
                                   "report was generated: %s rows, intact."), n);
      else
        tm_report_doc_add_textf (doc, TM_REPORT_STYLE_NOTICE,
                                 _("The hash chain of the audit log is broken (%u problems in "
                                   "%s rows), first: %s"), problems->len, n,
                                 (const char *) g_ptr_array_index (problems, 0));
    }
  else
    tm_report_doc_add_textf (doc, TM_REPORT_STYLE_NOTICE,
                             _("The audit log could not be verified: %s"), local->message);

  table = tm_report_doc_begin_table (doc, 6, audit_widths, audit_header);
  for (guint i = 0; i < all->len; i++)
    {
      TmAuditEntry *entry = g_ptr_array_index (all, i);
      g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, entry->seq);
      g_autofree char *when = tm_report_format_datetime (entry->at);
      g_autofree char *who = tm_report_describe_user (store, entry->user);
      g_autofree char *item = g_strdup_printf ("%s %.8s", entry->entity_type, entry->entity_uuid);
      g_autofree char *hash = g_strdup_printf ("%.12s…", entry->hash);

      tm_report_table_add_rowv (table, seq, when, who, entry->action, item, hash, NULL);
    }
  if (all->len == 0)
    tm_report_table_add_rowv (table, "", "", "", _("no audited actions recorded"), "", "", NULL);
  return TRUE;
}

TmReport *
tm_report_new_hit (TmStore               *store,
                   const char            *hit_ref,
                   const TmReportOptions *options,
                   GCancellable          *cancellable,
                   GError               **error)
{
  g_auto(Hit) hit = { 0 };
  g_autoptr(TmReportDoc) doc = NULL;
  g_autoptr(GPtrArray) acquisitions = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autofree char *title = NULL;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);
  g_return_val_if_fail (hit_ref != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (!load_hit (store, hit_ref, &hit, error))
    return NULL;
  doc = tm_report_doc_new ();
  title = g_strdup_printf (_("Hit / intelligence report — hit %" PRId64
                             " (lead %" PRId64 ")"), hit.id, hit.lead_id);
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_TITLE, title);
  if (!add_conclusion (doc, store, &hit, error)
      || !tm_report_add_lead_sections (doc, store, hit.lead_id, TRUE, &acquisitions, &cases,
                                       cancellable, error)
      || !add_custody (doc, store, &hit, acquisitions, cases, error))
    return NULL;
  return tm_report_new_from_doc (store, options, title, g_steal_pointer (&doc));
}
