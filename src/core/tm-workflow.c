/* tm-workflow.c — what people decide after a correlation, enforced by role
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each public function: permission check, BEGIN IMMEDIATE, appended rows, audit entry,
 * COMMIT — or a rollback that leaves nothing behind. Events are appended (the triggers
 * of schema 3 refuse updates and deletes); the only rows updated in place are the
 * caches derived from them (candidates.review_state).
 */
#define G_LOG_DOMAIN "tm-workflow"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "tm-audit.h"
#include "tm-store-private.h"
#include "tm-users.h"
#include "tm-workflow.h"

static const char * const review_states[] = { "viewed", "dismissed", "unreviewed", NULL };
static const char * const outcomes[] = { "arrest", "suspect-identified", "linked-prior-investigation", "no-action", NULL };
static const char * const conclusions[] = { "identification", "inconclusive", "elimination", "unsuitable", NULL };

/* Helpers */

/* A JSON object from NULL-terminated key/value string pairs; NULL values are left out. */
static char *
json_object_text (const char *first_key,
                  ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *key = first_key;
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_key);
  while (key != NULL)
    {
      const char *value = va_arg (args, const char *);

      if (value != NULL)
        {
          json_builder_set_member_name (builder, key);
          json_builder_add_string_value (builder, value);
        }
      key = va_arg (args, const char *);
    }
  va_end (args);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
check_in_list (const char          *value,
               const char * const  *allowed,
               const char          *what,
               GError             **error)
{
  g_autofree char *joined = NULL;

  if (value != NULL && g_strv_contains (allowed, value))
    return TRUE;
  joined = g_strjoinv (", ", (char **)allowed);
  g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
               "%s '%s' is not one of %s", what, value ? value : "", joined);
  return FALSE;
}

typedef struct
{
  gint64  id;
  char   *uuid;
  gint64  exhibit_id;
  gint64  case_id;
} AcqInfo;

static gboolean
lookup_acquisition (TmStore   *self,
                    gint64     id,
                    AcqInfo   *info,
                    GError   **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  int rc;

  stmt = tm_store_prepare (self, "SELECT a.uuid, a.exhibit_id, e.case_id FROM acquisitions a"
                                 " JOIN exhibits e ON e.id = a.exhibit_id WHERE a.id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      info->id = id;
      info->uuid = g_strdup (tm_stmt_column_text (stmt, 0));
      info->exhibit_id = sqlite3_column_int64 (stmt, 1);
      info->case_id = sqlite3_column_int64 (stmt, 2);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND,
                 "%s: there is no acquisition %" G_GINT64_FORMAT, tm_store_get_path (self), id);
  else
    tm_store_set_sql_error (self, error, rc, "cannot read the acquisition");
  return FALSE;
}

static char *
lookup_uuid (TmStore     *self,
             const char  *sql,
             gint64       id,
             const char  *what,
             GError     **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (self, sql, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!tm_store_step_row (self, stmt, "cannot read the database", error,
                          "%s: there is no %s %" G_GINT64_FORMAT, tm_store_get_path (self), what, id))
    return NULL;
  return g_strdup (tm_stmt_column_text (stmt, 0));
}

static char *
lead_uuid (TmStore  *self,
           gint64    lead_id,
           GError  **error)
{
  return lookup_uuid (self, "SELECT uuid FROM leads WHERE id = ?", lead_id, "lead", error);
}

/* Appends a lead event (and its audit entry); returns the event's UUID. */
static char *
append_event (TmStore     *self,
              gint64       lead_id,
              const char  *lead_uuid_text,
              const char  *kind,
              const char  *payload,
              const char  *user,
              const char  *now,
              GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *details = NULL;
  g_autofree char *action = g_strconcat ("lead-", kind, NULL);

  stmt = tm_store_prepare (self, "INSERT INTO lead_events (uuid, lead_id, kind, payload, user, at, origin_site)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  sqlite3_bind_int64 (stmt, 2, lead_id);
  tm_stmt_bind_text_or_null (stmt, 3, kind);
  tm_stmt_bind_text_or_null (stmt, 4, payload ? payload : "{}");
  tm_stmt_bind_text_or_null (stmt, 5, user);
  tm_stmt_bind_text_or_null (stmt, 6, now);
  tm_stmt_bind_text_or_null (stmt, 7, tm_store_get_local_site (self));
  if (!tm_store_step_done (self, stmt, "cannot record the lead event", error))
    return NULL;

  /* The audit row carries the event's payload, so the trail alone tells the story. */
  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonNode) inner = json_from_string (payload ? payload : "{}", NULL);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "event");
    json_builder_add_string_value (builder, uuid);
    json_builder_set_member_name (builder, "payload");
    json_builder_add_value (builder, inner ? g_steal_pointer (&inner) : json_node_new (JSON_NODE_NULL));
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    details = json_to_string (root, FALSE);
  }
  if (!tm_audit_append (self, user, action, "lead", lead_uuid_text, details, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

/* The candidate (@run_id, @acquisition_id) becomes "lead" with a decision row, when it
 * is a candidate of that run; the query acquisition of a run is not. */
static gboolean
mark_candidate_lead (TmStore     *self,
                     gint64       run_id,
                     const AcqInfo *acq,
                     gint64       lead_id,
                     const char  *lead_uuid_text,
                     const char  *user,
                     const char  *now,
                     GError     **error)
{
  g_autoptr(TmStmt) find = NULL;
  g_autoptr(TmStmt) insert = NULL;
  g_autoptr(TmStmt) update = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *details = NULL;
  g_autofree char *run_text = g_strdup_printf ("%" G_GINT64_FORMAT, run_id);
  int rc;

  find = tm_store_prepare (self, "SELECT 1 FROM candidates WHERE run_id = ? AND acquisition_id = ?", error);
  if (find == NULL)
    return FALSE;
  sqlite3_bind_int64 (find, 1, run_id);
  sqlite3_bind_int64 (find, 2, acq->id);
  rc = sqlite3_step (find);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      tm_store_set_sql_error (self, error, rc, "cannot read the candidates");
      return FALSE;
    }

  insert = tm_store_prepare (self, "INSERT INTO candidate_decisions (uuid, run_id, acquisition_id, decision,"
                                   " lead_id, user, at) VALUES (?, ?, ?, 'lead', ?, ?, ?)", error);
  if (insert == NULL)
    return FALSE;
  tm_stmt_bind_text_or_null (insert, 1, uuid);
  sqlite3_bind_int64 (insert, 2, run_id);
  sqlite3_bind_int64 (insert, 3, acq->id);
  sqlite3_bind_int64 (insert, 4, lead_id);
  tm_stmt_bind_text_or_null (insert, 5, user);
  tm_stmt_bind_text_or_null (insert, 6, now);
  if (!tm_store_step_done (self, insert, "cannot record the candidate decision", error))
    return FALSE;
  update = tm_store_prepare (self, "UPDATE candidates SET review_state = 'lead'"
                                   " WHERE run_id = ? AND acquisition_id = ?", error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_int64 (update, 1, run_id);
  sqlite3_bind_int64 (update, 2, acq->id);
  if (!tm_store_step_done (self, update, "cannot update the candidate", error))
    return FALSE;
  details = json_object_text ("decision", "lead", "decision_uuid", uuid, "run", run_text,
                              "acquisition", acq->uuid, "lead", lead_uuid_text, NULL);
  return tm_audit_append (self, user, "candidate-decision", "candidate", acq->uuid, details, error);
}

static gboolean
insert_member (TmStore     *self,
               gint64       lead_id,
               const AcqInfo *acq,
               gint64       run_id,
               const char  *user,
               const char  *now,
               const char  *event_uuid,
               GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;

  stmt = tm_store_prepare (self, "INSERT INTO lead_members (lead_id, acquisition_id, run_id, added_by,"
                                 " added_at, event_uuid) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  sqlite3_bind_int64 (stmt, 2, acq->id);
  if (run_id > 0)
    sqlite3_bind_int64 (stmt, 3, run_id);
  else
    sqlite3_bind_null (stmt, 3);
  tm_stmt_bind_text_or_null (stmt, 4, user);
  tm_stmt_bind_text_or_null (stmt, 5, now);
  tm_stmt_bind_text_or_null (stmt, 6, event_uuid);
  return tm_store_step_done (self, stmt, "cannot record the lead member", error);
}

static gboolean
check_run (TmStore  *self,
           gint64    run_id,
           GError  **error)
{
  g_autofree char *uuid = NULL;

  if (run_id <= 0)
    return TRUE;
  uuid = lookup_uuid (self, "SELECT uuid FROM correlation_runs WHERE id = ?", run_id, "correlation run", error);
  return uuid != NULL;
}

/* Candidate review */

gboolean
tm_store_set_candidate_state (TmStore     *self,
                              gint64       run_id,
                              gint64       acquisition_id,
                              const char  *state,
                              const char  *user,
                              GError     **error)
{
  g_autoptr(TmStmt) find = NULL;
  g_autoptr(TmStmt) insert = NULL;
  g_autoptr(TmStmt) update = NULL;
  g_autofree char *now = tm_store_now_iso8601 ();
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *acq_uuid = NULL;
  g_autofree char *details = NULL;
  g_autofree char *run_text = g_strdup_printf ("%" G_GINT64_FORMAT, run_id);

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);

  if (!tm_store_check_permission (self, user, TM_PERMISSION_REVIEW, error) ||
      !check_in_list (state, review_states, "review state", error))
    return FALSE;
  if (!tm_store_begin (self, error))
    return FALSE;

  find = tm_store_prepare (self, "SELECT k.review_state, a.uuid FROM candidates k"
                                 " JOIN acquisitions a ON a.id = k.acquisition_id"
                                 " WHERE k.run_id = ? AND k.acquisition_id = ?", error);
  if (find == NULL)
    goto fail;
  sqlite3_bind_int64 (find, 1, run_id);
  sqlite3_bind_int64 (find, 2, acquisition_id);
  if (!tm_store_step_row (self, find, "cannot read the candidate", error,
                          "acquisition %" G_GINT64_FORMAT " is not a candidate of correlation run %" G_GINT64_FORMAT,
                          acquisition_id, run_id))
    goto fail;
  if (g_strcmp0 (tm_stmt_column_text (find, 0), "lead") == 0)
    {
      /* A lead is a decision others build on; it is undone with an elimination, not here. */
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "candidate %" G_GINT64_FORMAT " of correlation run %" G_GINT64_FORMAT
                   " is in a lead and stays 'lead'; record an elimination or a note on the lead instead",
                   acquisition_id, run_id);
      goto fail;
    }
  acq_uuid = g_strdup (tm_stmt_column_text (find, 1));

  insert = tm_store_prepare (self, "INSERT INTO candidate_decisions (uuid, run_id, acquisition_id, decision,"
                                   " user, at) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (insert == NULL)
    goto fail;
  tm_stmt_bind_text_or_null (insert, 1, uuid);
  sqlite3_bind_int64 (insert, 2, run_id);
  sqlite3_bind_int64 (insert, 3, acquisition_id);
  tm_stmt_bind_text_or_null (insert, 4, state);
  tm_stmt_bind_text_or_null (insert, 5, user);
  tm_stmt_bind_text_or_null (insert, 6, now);
  if (!tm_store_step_done (self, insert, "cannot record the candidate decision", error))
    goto fail;
  update = tm_store_prepare (self, "UPDATE candidates SET review_state = ? WHERE run_id = ? AND acquisition_id = ?",
                             error);
  if (update == NULL)
    goto fail;
  tm_stmt_bind_text_or_null (update, 1, state);
  sqlite3_bind_int64 (update, 2, run_id);
  sqlite3_bind_int64 (update, 3, acquisition_id);
  if (!tm_store_step_done (self, update, "cannot update the candidate", error))
    goto fail;
  details = json_object_text ("decision", state, "decision_uuid", uuid, "run", run_text,
                              "acquisition", acq_uuid, NULL);
  if (!tm_audit_append (self, user, "candidate-decision", "candidate", acq_uuid, details, error))
    goto fail;
  return tm_store_commit (self, error);

fail:
  tm_store_rollback (self);
  return FALSE;
}

/* Leads */

static void
acq_info_clear (AcqInfo *info)
{
  g_clear_pointer (&info->uuid, g_free);
}

gint64
tm_store_create_lead (TmStore      *self,
                      const gint64 *acquisition_ids,
                      guint         n_ids,
                      const char   *note,
                      gint64        run_id,
                      const char   *user,
                      GError      **error)
{
  g_autoptr(GArray) infos = NULL;
  g_autoptr(TmStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *now = tm_store_now_iso8601 ();
  g_autofree char *payload = NULL;
  g_autofree char *event_uuid = NULL;
  gint64 lead_id;

  g_return_val_if_fail (TM_IS_STORE (self), 0);
  g_return_val_if_fail (acquisition_ids != NULL || n_ids == 0, 0);

  if (!tm_store_check_permission (self, user, TM_PERMISSION_LEAD, error))
    return 0;
  if (n_ids < 2)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "a lead links two or more acquisitions; %u given", n_ids);
      return 0;
    }

  if (!tm_store_begin (self, error))
    return 0;

  infos = g_array_new (FALSE, TRUE, sizeof (AcqInfo));
  g_array_set_clear_func (infos, (GDestroyNotify)acq_info_clear);
  for (guint i = 0; i < n_ids; i++)
    {
      AcqInfo info = { 0 };

      if (!lookup_acquisition (self, acquisition_ids[i], &info, error))
        goto fail;
      for (guint j = 0; j < infos->len; j++)
        if (g_array_index (infos, AcqInfo, j).exhibit_id == info.exhibit_id)
          {
            /* Two scans of one exhibit are one piece of evidence, not a link. */
            g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                         "acquisitions %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
                         " are of the same exhibit; a lead links different exhibits",
                         g_array_index (infos, AcqInfo, j).id, info.id);
            acq_info_clear (&info);
            goto fail;
          }
      g_array_append_val (infos, info);
    }
  if (!check_run (self, run_id, error))
    goto fail;

  stmt = tm_store_prepare (self, "INSERT INTO leads (uuid, origin_site, created_by, created_at)"
                                 " VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  tm_stmt_bind_text_or_null (stmt, 2, tm_store_get_local_site (self));
  tm_stmt_bind_text_or_null (stmt, 3, user);
  tm_stmt_bind_text_or_null (stmt, 4, now);
  if (!tm_store_step_done (self, stmt, "cannot record the lead", error))
    goto fail;
  lead_id = sqlite3_last_insert_rowid (tm_store_get_db (self));

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "acquisitions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < infos->len; i++)
    json_builder_add_string_value (builder, g_array_index (infos, AcqInfo, i).uuid);
  json_builder_end_array (builder);
  if (run_id > 0)
    {
      g_autofree char *run_uuid = lookup_uuid (self, "SELECT uuid FROM correlation_runs WHERE id = ?",
                                               run_id, "correlation run", error);

      if (run_uuid == NULL)
        goto fail;
      json_builder_set_member_name (builder, "run");
      json_builder_add_string_value (builder, run_uuid);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  payload = json_to_string (root, FALSE);

  event_uuid = append_event (self, lead_id, uuid, "created", payload, user, now, error);
  if (event_uuid == NULL)
    goto fail;
  for (guint i = 0; i < infos->len; i++)
    {
      const AcqInfo *info = &g_array_index (infos, AcqInfo, i);

      if (!insert_member (self, lead_id, info, run_id, user, now, event_uuid, error))
        goto fail;
      if (run_id > 0 && !mark_candidate_lead (self, run_id, info, lead_id, uuid, user, now, error))
        goto fail;
    }
  if (note != NULL && *note != '\0')
    {
      g_autofree char *note_payload = json_object_text ("note", note, NULL);
      g_autofree char *note_uuid = append_event (self, lead_id, uuid, "note", note_payload, user, now, error);

      if (note_uuid == NULL)
        goto fail;
    }
  if (!tm_store_commit (self, error))
    return 0;
  return lead_id;

fail:
  tm_store_rollback (self);
  return 0;
}

gboolean
tm_store_add_to_lead (TmStore     *self,
                      gint64       lead_id,
                      gint64       acquisition_id,
                      gint64       run_id,
                      const char  *user,
                      GError     **error)
{
  g_autoptr(TmStmt) same = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *now = tm_store_now_iso8601 ();
  g_autofree char *payload = NULL;
  g_autofree char *event_uuid = NULL;
  AcqInfo info = { 0 };
  int rc;

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);

  if (!tm_store_check_permission (self, user, TM_PERMISSION_LEAD, error))
    return FALSE;
  if (!tm_store_begin (self, error))
    return FALSE;
  uuid = lead_uuid (self, lead_id, error);
  if (uuid == NULL || !lookup_acquisition (self, acquisition_id, &info, error) || !check_run (self, run_id, error))
    goto fail;

  same = tm_store_prepare (self, "SELECT m.acquisition_id FROM lead_members m"
                                 " JOIN acquisitions a ON a.id = m.acquisition_id"
                                 " WHERE m.lead_id = ? AND a.exhibit_id = ?", error);
  if (same == NULL)
    goto fail;
  sqlite3_bind_int64 (same, 1, lead_id);
  sqlite3_bind_int64 (same, 2, info.exhibit_id);
  rc = sqlite3_step (same);
  if (rc == SQLITE_ROW)
    {
      gint64 other = sqlite3_column_int64 (same, 0);

      if (other == acquisition_id)
        g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                     "acquisition %" G_GINT64_FORMAT " is already in lead %" G_GINT64_FORMAT,
                     acquisition_id, lead_id);
      else
        g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                     "lead %" G_GINT64_FORMAT " already has acquisition %" G_GINT64_FORMAT
                     " of the same exhibit as acquisition %" G_GINT64_FORMAT,
                     lead_id, other, acquisition_id);
      goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (self, error, rc, "cannot read the lead members");
      goto fail;
    }

  payload = json_object_text ("acquisition", info.uuid, NULL);
  event_uuid = append_event (self, lead_id, uuid, "member-added", payload, user, now, error);
  if (event_uuid == NULL ||
      !insert_member (self, lead_id, &info, run_id, user, now, event_uuid, error) ||
      (run_id > 0 && !mark_candidate_lead (self, run_id, &info, lead_id, uuid, user, now, error)))
    goto fail;
  acq_info_clear (&info);
  return tm_store_commit (self, error);

fail:
  acq_info_clear (&info);
  tm_store_rollback (self);
  return FALSE;
}

/* One event on an existing lead, in its own transaction. */
static gboolean
add_simple_event (TmStore      *self,
                  gint64        lead_id,
                  const char   *kind,
                  const char   *payload,
                  const char   *user,
                  GError      **error)
{
  g_autofree char *uuid = NULL;
  g_autofree char *now = tm_store_now_iso8601 ();
  g_autofree char *event_uuid = NULL;

  if (!tm_store_begin (self, error))
    return FALSE;
  uuid = lead_uuid (self, lead_id, error);
  if (uuid == NULL)
    goto fail;
  event_uuid = append_event (self, lead_id, uuid, kind, payload, user, now, error);
  if (event_uuid == NULL)
    goto fail;
  return tm_store_commit (self, error);

fail:
  tm_store_rollback (self);
  return FALSE;
}

gboolean
tm_store_add_lead_note (TmStore     *self,
                        gint64       lead_id,
                        const char  *note,
                        const char  *user,
                        GError     **error)
{
  g_autofree char *payload = NULL;

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);

  if (!tm_store_check_permission (self, user, TM_PERMISSION_LEAD, error))
    return FALSE;
  if (note == NULL || *note == '\0')
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "a note on lead %" G_GINT64_FORMAT " needs some text", lead_id);
      return FALSE;
    }
  payload = json_object_text ("note", note, NULL);
  return add_simple_event (self, lead_id, "note", payload, user, error);
}

gboolean
tm_store_add_lead_feedback (TmStore     *self,
                            gint64       lead_id,
                            const char  *outcome,
                            const char  *note,
                            const char  *user,
                            GError     **error)
{
  g_autofree char *payload = NULL;

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);

  if (!tm_store_check_permission (self, user, TM_PERMISSION_LEAD, error) ||
      !check_in_list (outcome, outcomes, "investigator outcome", error))
    return FALSE;
  payload = json_object_text ("outcome", outcome, "note", note && *note ? note : NULL, NULL);
  return add_simple_event (self, lead_id, "feedback", payload, user, error);
}

/* Hits */

/* Union-find over case ids. */
static gint64
uf_find (GHashTable *parent,
         gint64      x)
{
  gint64 root = x;
  gpointer p;

  while ((p = g_hash_table_lookup (parent, &root)) != NULL && *(gint64 *)p != root)
    root = *(gint64 *)p;
  return root;
}

static void
uf_union (GHashTable *parent,
          gint64      a,
          gint64      b)
{
  gint64 ra = uf_find (parent, a);
  gint64 rb = uf_find (parent, b);

  if (ra != rb)
    {
      gint64 *key = g_new (gint64, 1);
      gint64 *value = g_new (gint64, 1);

      *key = ra;
      *value = rb;
      g_hash_table_replace (parent, key, value);
    }
}

/* The ATF count: the lead's cases grouped by what was already known to connect them
 * (investigator links and earlier hits, transitively, through any case); each group
 * beyond the first is one hit. Two cases new to each other: 1; a third: 2; cases all
 * known to be linked: 0. */
static gboolean
count_hits (TmStore  *self,
            GArray   *case_ids,
            guint    *out_n_hits,
            GError  **error)
{
  g_autoptr(GHashTable) parent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(TmStmt) stmt = NULL;
  int rc;

  stmt = tm_store_prepare (self, "SELECT case_a, case_b FROM case_links", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    uf_union (parent, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1));
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (self, error, rc, "cannot read the case links");
      return FALSE;
    }
  for (guint i = 0; i < case_ids->len; i++)
    {
      gint64 *root = g_new (gint64, 1);

      *root = uf_find (parent, g_array_index (case_ids, gint64, i));
      g_hash_table_add (groups, root);
    }
  *out_n_hits = g_hash_table_size (groups) > 0 ? g_hash_table_size (groups) - 1 : 0;
  return TRUE;
}

static GArray *
lead_case_ids (TmStore  *self,
               gint64    lead_id,
               GError  **error)
{
  g_autoptr(TmStmt) stmt = NULL;

  stmt = tm_store_prepare (self, "SELECT DISTINCT e.case_id FROM lead_members m"
                                 " JOIN acquisitions a ON a.id = m.acquisition_id"
                                 " JOIN exhibits e ON e.id = a.exhibit_id"
                                 " WHERE m.lead_id = ? ORDER BY e.case_id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  return tm_store_collect_ids (self, stmt, "cannot read the lead's cases", error);
}

static gboolean
insert_case_link (TmStore     *self,
                  gint64       case_a,
                  gint64       case_b,
                  const char  *source,
                  gint64       hit_id,
                  const char  *user,
                  const char  *now,
                  gboolean    *out_inserted,
                  GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;

  stmt = tm_store_prepare (self, "INSERT OR IGNORE INTO case_links (case_a, case_b, source, hit_id, user, at)"
                                 " VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, MIN (case_a, case_b));
  sqlite3_bind_int64 (stmt, 2, MAX (case_a, case_b));
  tm_stmt_bind_text_or_null (stmt, 3, source);
  if (hit_id > 0)
    sqlite3_bind_int64 (stmt, 4, hit_id);
  else
    sqlite3_bind_null (stmt, 4);
  tm_stmt_bind_text_or_null (stmt, 5, user);
  tm_stmt_bind_text_or_null (stmt, 6, now);
  if (!tm_store_step_done (self, stmt, "cannot record the case link", error))
    return FALSE;
  if (out_inserted != NULL)
    *out_inserted = sqlite3_changes (tm_store_get_db (self)) > 0;
  return TRUE;
}

static gboolean
record_hit (TmStore     *self,
            gint64       lead_id,
            const char  *lead_uuid_text,
            const char  *event_uuid,
            const char  *user,
            const char  *now,
            gint64      *out_hit_id,
            GError     **error)
{
  g_autoptr(GArray) cases = lead_case_ids (self, lead_id, error);
  g_autoptr(TmStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *details = NULL;
  guint n_hits = 0;
  gint64 hit_id;

  if (cases == NULL || !count_hits (self, cases, &n_hits, error))
    return FALSE;

  stmt = tm_store_prepare (self, "INSERT INTO hits (uuid, lead_id, event_uuid, examiner, confirmed_at, n_hits,"
                                 " origin_site) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  sqlite3_bind_int64 (stmt, 2, lead_id);
  tm_stmt_bind_text_or_null (stmt, 3, event_uuid);
  tm_stmt_bind_text_or_null (stmt, 4, user);
  tm_stmt_bind_text_or_null (stmt, 5, now);
  sqlite3_bind_int64 (stmt, 6, n_hits);
  tm_stmt_bind_text_or_null (stmt, 7, tm_store_get_local_site (self));
  if (!tm_store_step_done (self, stmt, "cannot record the hit", error))
    return FALSE;
  hit_id = sqlite3_last_insert_rowid (tm_store_get_db (self));

  /* Every pair of the lead's cases is now known to be connected. */
  for (guint i = 0; i < cases->len; i++)
    for (guint j = i + 1; j < cases->len; j++)
      if (!insert_case_link (self, g_array_index (cases, gint64, i), g_array_index (cases, gint64, j),
                             "hit", hit_id, user, now, NULL, error))
        return FALSE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "lead");
  json_builder_add_string_value (builder, lead_uuid_text);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event_uuid);
  json_builder_set_member_name (builder, "n_hits");
  json_builder_add_int_value (builder, n_hits);
  json_builder_set_member_name (builder, "cases");
  json_builder_begin_array (builder);
  for (guint i = 0; i < cases->len; i++)
    {
      g_autofree char *case_uuid = lookup_uuid (self, "SELECT uuid FROM cases WHERE id = ?",
                                                g_array_index (cases, gint64, i), "case", error);
      if (case_uuid == NULL)
        return FALSE;
      json_builder_add_string_value (builder, case_uuid);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  details = json_to_string (root, FALSE);
  if (!tm_audit_append (self, user, "hit-recorded", "hit", uuid, details, error))
    return FALSE;
  if (out_hit_id != NULL)
    *out_hit_id = hit_id;
  return TRUE;
}

gboolean
tm_store_confirm_lead (TmStore     *self,
                       gint64       lead_id,
                       const char  *conclusion,
                       const char  *note,
                       const char  *user,
                       gint64      *out_hit_id,
                       GError     **error)
{
  g_autofree char *uuid = NULL;
  g_autofree char *now = tm_store_now_iso8601 ();
  g_autofree char *payload = NULL;
  g_autofree char *event_uuid = NULL;
  gint64 hit_id = 0;

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);

  if (out_hit_id != NULL)
    *out_hit_id = 0;
  if (!tm_store_check_permission (self, user, TM_PERMISSION_CONCLUDE, error) ||
      !check_in_list (conclusion, conclusions, "conclusion", error))
    return FALSE;
  if (!tm_store_begin (self, error))
    return FALSE;
  uuid = lead_uuid (self, lead_id, error);
  if (uuid == NULL)
    goto fail;
  payload = json_object_text ("conclusion", conclusion, "note", note && *note ? note : NULL, NULL);
  event_uuid = append_event (self, lead_id, uuid, "conclusion", payload, user, now, error);
  if (event_uuid == NULL)
    goto fail;
  if (g_str_equal (conclusion, "identification") &&
      !record_hit (self, lead_id, uuid, event_uuid, user, now, &hit_id, error))
    goto fail;
  if (!tm_store_commit (self, error))
    return FALSE;
  if (out_hit_id != NULL)
    *out_hit_id = hit_id;
  return TRUE;

fail:
  tm_store_rollback (self);
  return FALSE;
}

/* Reading leads */

static TmLead *
load_lead (TmStore     *self,
           const char  *where,
           gint64       id,
           const char  *uuid,
           const char  *what,
           GError     **error)
{
  g_autofree char *sql = g_strconcat ("SELECT id, uuid, created_by, created_at FROM leads ", where, NULL);
  g_autoptr(TmStmt) stmt = tm_store_prepare (self, sql, error);
  g_autoptr(TmStmt) members_stmt = NULL;
  g_autoptr(TmStmt) events_stmt = NULL;
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_lead_member_free);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_lead_event_free);
  gint64 lead_id;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (uuid != NULL)
    tm_stmt_bind_text_or_null (stmt, 1, uuid);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  if (!tm_store_step_row (self, stmt, "cannot read the lead", error,
                          "%s: there is no lead %s", tm_store_get_path (self), what))
    return NULL;
  lead_id = sqlite3_column_int64 (stmt, 0);

  members_stmt = tm_store_prepare (self, "SELECT m.acquisition_id, a.uuid, c.case_number, e.item_number,"
                                         " a.original_name, m.added_by, m.added_at FROM lead_members m"
                                         " JOIN acquisitions a ON a.id = m.acquisition_id"
                                         " JOIN exhibits e ON e.id = a.exhibit_id"
                                         " JOIN cases c ON c.id = e.case_id"
                                         " WHERE m.lead_id = ? ORDER BY m.added_at, m.rowid", error);
  if (members_stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (members_stmt, 1, lead_id);
  while ((rc = sqlite3_step (members_stmt)) == SQLITE_ROW)
    {
      TmLeadMember *member = g_new0 (TmLeadMember, 1);

      member->acquisition_id = sqlite3_column_int64 (members_stmt, 0);
      member->acquisition_uuid = g_strdup (tm_stmt_column_text (members_stmt, 1));
      member->case_number = g_strdup (tm_stmt_column_text (members_stmt, 2));
      member->exhibit = g_strdup (tm_stmt_column_text (members_stmt, 3));
      member->file = g_strdup (tm_stmt_column_text (members_stmt, 4));
      member->added_by = g_strdup (tm_stmt_column_text (members_stmt, 5));
      member->added_at = g_strdup (tm_stmt_column_text (members_stmt, 6));
      g_ptr_array_add (members, member);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (self, error, rc, "cannot read the lead members");
      return NULL;
    }

  /* Time order, whichever site recorded an event; ties (one transaction) by insertion. */
  events_stmt = tm_store_prepare (self, "SELECT uuid, kind, payload, user, at, origin_site FROM lead_events"
                                        " WHERE lead_id = ? ORDER BY at, id", error);
  if (events_stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (events_stmt, 1, lead_id);
  while ((rc = sqlite3_step (events_stmt)) == SQLITE_ROW)
    {
      TmLeadEvent *event = g_new0 (TmLeadEvent, 1);

      event->uuid = g_strdup (tm_stmt_column_text (events_stmt, 0));
      event->kind = g_strdup (tm_stmt_column_text (events_stmt, 1));
      event->payload = g_strdup (tm_stmt_column_text (events_stmt, 2));
      event->user = g_strdup (tm_stmt_column_text (events_stmt, 3));
      event->at = g_strdup (tm_stmt_column_text (events_stmt, 4));
      event->origin_site = g_strdup (tm_stmt_column_text (events_stmt, 5));
      g_ptr_array_add (events, event);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (self, error, rc, "cannot read the lead events");
      return NULL;
    }

  return tm_lead_new (lead_id, tm_stmt_column_text (stmt, 1), tm_stmt_column_text (stmt, 2), tm_stmt_column_text (stmt, 3),
                      g_steal_pointer (&members), g_steal_pointer (&events));
}

TmLead *
tm_store_get_lead (TmStore     *self,
                   const char  *id_or_uuid,
                   GError     **error)
{
  gint64 id;
  g_autofree char *uuid = NULL;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  g_return_val_if_fail (id_or_uuid != NULL, NULL);

  if (!tm_store_parse_id_or_uuid (id_or_uuid, "a lead", &id, &uuid, error))
    return NULL;
  if (uuid == NULL)
    return load_lead (self, "WHERE id = ?", id, NULL, id_or_uuid, error);
  return load_lead (self, "WHERE uuid = ?", 0, uuid, id_or_uuid, error);
}

static GPtrArray *
list_leads_sql (TmStore     *self,
                const char  *sql,
                gint64       arg,
                GError     **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (self, sql, error);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) leads = g_ptr_array_new_with_free_func (g_object_unref);

  if (stmt == NULL)
    return NULL;
  if (arg != 0)
    sqlite3_bind_int64 (stmt, 1, arg);
  ids = tm_store_collect_ids (self, stmt, "cannot list the leads", error);
  if (ids == NULL)
    return NULL;
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *what = g_strdup_printf ("%" G_GINT64_FORMAT, g_array_index (ids, gint64, i));
      TmLead *lead = load_lead (self, "WHERE id = ?", g_array_index (ids, gint64, i), NULL, what, error);

      if (lead == NULL)
        return NULL;
      g_ptr_array_add (leads, lead);
    }
  return g_steal_pointer (&leads);
}

GPtrArray *
tm_store_list_leads (TmStore  *self,
                     GError  **error)
{
  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  return list_leads_sql (self, "SELECT id FROM leads ORDER BY created_at DESC, id DESC", 0, error);
}

GPtrArray *
tm_store_list_leads_of (TmStore  *self,
                        gint64    acquisition_id,
                        GError  **error)
{
  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  return list_leads_sql (self, "SELECT l.id FROM leads l JOIN lead_members m ON m.lead_id = l.id"
                               " WHERE m.acquisition_id = ? ORDER BY l.created_at DESC, l.id DESC",
                         acquisition_id, error);
}

/* Reading hits */

void
tm_hit_free (TmHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->uuid);
  g_free (hit->lead_uuid);
  g_free (hit->examiner);
  g_free (hit->confirmed_at);
  g_free (hit->origin_site);
  g_strfreev (hit->case_numbers);
  g_free (hit);
}

#define HIT_SELECT \
  "SELECT h.id, h.uuid, h.lead_id, l.uuid, h.examiner, h.confirmed_at, h.n_hits, h.origin_site," \
  "       (SELECT group_concat (name, char (10)) FROM" \
  "          (SELECT DISTINCT CASE WHEN c.agency = '' THEN c.case_number" \
  "                                ELSE c.agency || ' ' || c.case_number END AS name" \
  "             FROM lead_members m JOIN acquisitions a ON a.id = m.acquisition_id" \
  "             JOIN exhibits e ON e.id = a.exhibit_id JOIN cases c ON c.id = e.case_id" \
  "            WHERE m.lead_id = h.lead_id AND m.added_at <= h.confirmed_at ORDER BY name))" \
  "  FROM hits h JOIN leads l ON l.id = h.lead_id "

static TmHit *
hit_from_row (sqlite3_stmt *stmt)
{
  TmHit *hit = g_new0 (TmHit, 1);
  const char *cases = tm_stmt_column_text (stmt, 8);

  hit->id = sqlite3_column_int64 (stmt, 0);
  hit->uuid = g_strdup (tm_stmt_column_text (stmt, 1));
  hit->lead_id = sqlite3_column_int64 (stmt, 2);
  hit->lead_uuid = g_strdup (tm_stmt_column_text (stmt, 3));
  hit->examiner = g_strdup (tm_stmt_column_text (stmt, 4));
  hit->confirmed_at = g_strdup (tm_stmt_column_text (stmt, 5));
  hit->n_hits = (guint)sqlite3_column_int64 (stmt, 6);
  hit->origin_site = g_strdup (tm_stmt_column_text (stmt, 7));
  hit->case_numbers = cases != NULL ? g_strsplit (cases, "\n", -1) : g_new0 (char *, 1);
  return hit;
}

GPtrArray *
tm_store_list_hits (TmStore  *self,
                    GError  **error)
{
  g_autoptr(TmStmt) stmt = NULL;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);

  stmt = tm_store_prepare (self, HIT_SELECT "ORDER BY h.confirmed_at DESC, h.id DESC", error);
  if (stmt == NULL)
    return NULL;
  return tm_store_collect_rows (self, stmt, (TmStmtRowFunc) hit_from_row, (GDestroyNotify) tm_hit_free,
                                "cannot list the hits", error);
}

TmHit *
tm_store_get_hit (TmStore     *self,
                  const char  *id_or_uuid,
                  GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *uuid = NULL;
  gint64 id;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  g_return_val_if_fail (id_or_uuid != NULL, NULL);

  if (!tm_store_parse_id_or_uuid (id_or_uuid, "a hit", &id, &uuid, error))
    return NULL;
  stmt = tm_store_prepare (self, uuid == NULL ? HIT_SELECT "WHERE h.id = ?" : HIT_SELECT "WHERE h.uuid = ?",
                           error);
  if (stmt == NULL)
    return NULL;
  if (uuid == NULL)
    sqlite3_bind_int64 (stmt, 1, id);
  else
    tm_stmt_bind_text_or_null (stmt, 1, uuid);
  if (!tm_store_step_row (self, stmt, "cannot read the hit", error,
                          "%s: there is no hit %s", tm_store_get_path (self), id_or_uuid))
    return NULL;
  return hit_from_row (stmt);
}

/* Cases */

gint64
tm_store_find_case (TmStore     *self,
                    const char  *reference,
                    GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  const char *slash;
  gint64 id = 0;
  guint n = 0;
  int rc;

  g_return_val_if_fail (TM_IS_STORE (self), 0);
  g_return_val_if_fail (reference != NULL, 0);

  slash = strchr (reference, '/');
  if (g_uuid_string_is_valid (reference))
    {
      g_autofree char *lower = g_ascii_strdown (reference, -1);

      stmt = tm_store_prepare (self, "SELECT id FROM cases WHERE uuid = ?", error);
      if (stmt != NULL)
        tm_stmt_bind_text_or_null (stmt, 1, lower);
    }
  else if (slash != NULL)
    {
      g_autofree char *agency = g_strndup (reference, slash - reference);

      stmt = tm_store_prepare (self, "SELECT id FROM cases WHERE agency = ? AND case_number = ?", error);
      if (stmt != NULL)
        {
          tm_stmt_bind_text_or_null (stmt, 1, agency);
          tm_stmt_bind_text_or_null (stmt, 2, slash + 1);
        }
    }
  else
    {
      stmt = tm_store_prepare (self, "SELECT id FROM cases WHERE case_number = ?", error);
      if (stmt != NULL)
        tm_stmt_bind_text_or_null (stmt, 1, reference);
    }
  if (stmt == NULL)
    return 0;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      n++;
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (self, error, rc, "cannot read the cases");
      return 0;
    }
  if (n == 0)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND,
                   "%s: there is no case '%s'", tm_store_get_path (self), reference);
      return 0;
    }
  if (n > 1)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "case number '%s' is used by %u agencies; write AGENCY/%s or the case's UUID",
                   reference, n, reference);
      return 0;
    }
  return id;
}

char *
tm_store_get_case_uuid (TmStore  *self,
                        gint64    case_id,
                        GError  **error)
{
  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  return lookup_uuid (self, "SELECT uuid FROM cases WHERE id = ?", case_id, "case", error);
}

gboolean
tm_store_link_cases_known (TmStore     *self,
                           gint64       case_a,
                           gint64       case_b,
                           const char  *user,
                           GError     **error)
{
  g_autofree char *now = tm_store_now_iso8601 ();
  g_autofree char *uuid_a = NULL;
  g_autofree char *uuid_b = NULL;
  g_autofree char *details = NULL;
  gboolean inserted = FALSE;

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);

  if (!tm_store_check_permission (self, user, TM_PERMISSION_LEAD, error))
    return FALSE;
  if (case_a == case_b)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "a case cannot be linked to itself (case %" G_GINT64_FORMAT ")", case_a);
      return FALSE;
    }
  if (!tm_store_begin (self, error))
    return FALSE;
  uuid_a = lookup_uuid (self, "SELECT uuid FROM cases WHERE id = ?", case_a, "case", error);
  if (uuid_a == NULL)
    goto fail;
  uuid_b = lookup_uuid (self, "SELECT uuid FROM cases WHERE id = ?", case_b, "case", error);
  if (uuid_b == NULL)
    goto fail;
  if (!insert_case_link (self, case_a, case_b, "investigator", 0, user, now, &inserted, error))
    goto fail;
  if (inserted)
    {
      details = json_object_text ("linked_case", uuid_b, "source", "investigator", NULL);
      if (!tm_audit_append (self, user, "case-link-known", "case", uuid_a, details, error))
        goto fail;
    }
  return tm_store_commit (self, error);

fail:
  tm_store_rollback (self);
  return FALSE;
}
