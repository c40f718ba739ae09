/* tm-microstamp.c — microstamp codes read from cartridge cases, and the makers' registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tm-microstamp"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "tm-audit.h"
#include "tm-microstamp.h"
#include "tm-store-private.h"
#include "tm-users.h"

/* Codes imported with the case data (tm-store.c) are stored as typed, so every
 * comparison normalises in SQL the same way tm_microstamp_normalize() does. */
#define NORMALIZED(column) "upper (replace (replace (trim (" column "), ' ', ''), char (9), ''))"

void
tm_microstamp_free (TmMicrostamp *stamp)
{
  if (stamp == NULL)
    return;
  g_free (stamp->location);
  g_free (stamp->code);
  g_free (stamp);
}

void
tm_microstamp_firearm_free (TmMicrostampFirearm *firearm)
{
  if (firearm == NULL)
    return;
  g_free (firearm->code);
  g_free (firearm->make);
  g_free (firearm->model);
  g_free (firearm->serial);
  g_free (firearm->source);
  g_free (firearm->imported_at);
  g_free (firearm);
}

char *
tm_microstamp_normalize (const char *code)
{
  GString *str;

  if (code == NULL)
    return NULL;
  str = g_string_new (NULL);
  for (const char *p = code; *p != '\0'; p++)
    if (*p != ' ' && *p != '\t')
      g_string_append_c (str, g_ascii_toupper (*p));
  if (str->len == 0)
    {
      g_string_free (str, TRUE);
      return NULL;
    }
  return g_string_free (str, FALSE);
}

gboolean
tm_store_add_microstamp (TmStore     *store,
                         gint64       acquisition_id,
                         const char  *location,
                         const char  *code,
                         const char  *user,
                         GError     **error)
{
  g_autoptr(TmStmt) find = NULL;
  g_autoptr(TmStmt) insert = NULL;
  g_autofree char *normalized = tm_microstamp_normalize (code);
  g_autofree char *acq_uuid = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *details = NULL;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);

  if (!tm_store_check_permission (store, user, TM_PERMISSION_LEAD, error))
    return FALSE;
  if (g_strcmp0 (location, "breech-face") != 0 && g_strcmp0 (location, "firing-pin") != 0)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "microstamp location '%s' is not one of breech-face, firing-pin", location ? location : "");
      return FALSE;
    }
  if (normalized == NULL)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "acquisition %" G_GINT64_FORMAT ": an empty microstamp code cannot be recorded", acquisition_id);
      return FALSE;
    }
  if (!tm_store_begin (store, error))
    return FALSE;
  find = tm_store_prepare (store, "SELECT uuid FROM acquisitions WHERE id = ?", error);
  if (find == NULL)
    goto fail;
  sqlite3_bind_int64 (find, 1, acquisition_id);
  if (!tm_store_step_row (store, find, "cannot read the acquisition", error,
                          "%s: there is no acquisition %" G_GINT64_FORMAT, tm_store_get_path (store), acquisition_id))
    goto fail;
  acq_uuid = g_strdup (tm_stmt_column_text (find, 0));

  insert = tm_store_prepare (store, "INSERT OR IGNORE INTO acquisition_microstamps (acquisition_id, location, code)"
                                    " VALUES (?, ?, ?)", error);
  if (insert == NULL)
    goto fail;
  sqlite3_bind_int64 (insert, 1, acquisition_id);
  sqlite3_bind_text (insert, 2, location, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 3, normalized, -1, SQLITE_TRANSIENT);
  if (!tm_store_step_done (store, insert, "cannot record the microstamp code", error))
    goto fail;
  /* Recording the same code twice changes nothing, and is not a change to audit. */
  if (sqlite3_changes (tm_store_get_db (store)) == 0)
    return tm_store_commit (store, error);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "acquisition");
  json_builder_add_string_value (builder, acq_uuid);
  json_builder_set_member_name (builder, "location");
  json_builder_add_string_value (builder, location);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, normalized);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  details = json_to_string (root, FALSE);
  if (!tm_audit_append (store, user, "microstamp-added", "microstamp", acq_uuid, details, error))
    goto fail;
  return tm_store_commit (store, error);

fail:
  tm_store_rollback (store);
  return FALSE;
}

static GPtrArray *
collect_stamps (TmStore     *store,
                const char  *sql,
                gint64       acquisition_id,
                GError     **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store, sql, error);
  g_autoptr(GPtrArray) stamps = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_microstamp_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, acquisition_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TmMicrostamp *stamp = g_new0 (TmMicrostamp, 1);

      stamp->acquisition_id = sqlite3_column_int64 (stmt, 0);
      stamp->location = g_strdup (tm_stmt_column_text (stmt, 1));
      stamp->code = g_strdup (tm_stmt_column_text (stmt, 2));
      g_ptr_array_add (stamps, stamp);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the microstamp codes");
      return NULL;
    }
  return g_steal_pointer (&stamps);
}

GPtrArray *
tm_store_list_microstamps (TmStore  *store,
                           gint64    acquisition_id,
                           GError  **error)
{
  g_return_val_if_fail (TM_IS_STORE (store), NULL);
  return collect_stamps (store, "SELECT acquisition_id, location, code FROM acquisition_microstamps"
                                " WHERE acquisition_id = ? ORDER BY location, code", acquisition_id, error);
}

GPtrArray *
tm_store_find_microstamp_matches (TmStore  *store,
                                  gint64    acquisition_id,
                                  GError  **error)
{
  g_return_val_if_fail (TM_IS_STORE (store), NULL);
  /* One row per other acquisition: the first shared code (a breech-face and a
   * firing-pin stamp of one gun carry the same code). */
  return collect_stamps (store,
                         "SELECT o.acquisition_id, min (o.location), min (" NORMALIZED ("o.code") ")"
                         "  FROM acquisition_microstamps q JOIN acquisition_microstamps o"
                         "    ON " NORMALIZED ("o.code") " = " NORMALIZED ("q.code")
                         " WHERE q.acquisition_id = ?1 AND o.acquisition_id <> ?1"
                         " GROUP BY o.acquisition_id ORDER BY o.acquisition_id",
                         acquisition_id, error);
}

/* Registry */

/* One CSV record of @line (RFC 4180 quoting, no line breaks inside fields). */
static GPtrArray *
split_csv_line (const char  *line,
                const char  *path,
                guint        line_number,
                GError     **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  const char *p = line;

  for (;;)
    {
      GString *field = g_string_new (NULL);

      if (*p == '"')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  g_string_free (field, TRUE);
                  g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                               "%s:%u: a quoted field is not closed (line breaks inside fields are not supported)",
                               path, line_number);
                  return NULL;
                }
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p++);
            }
          if (*p != ',' && *p != '\0')
            {
              g_string_free (field, TRUE);
              g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                           "%s:%u: text after a closing quote; quote the whole field", path, line_number);
              return NULL;
            }
        }
      else
        while (*p != ',' && *p != '\0')
          g_string_append_c (field, *p++);
      g_ptr_array_add (fields, g_strstrip (g_string_free (field, FALSE)));
      if (*p == '\0')
        break;
      p++;  /* the comma */
    }
  return g_steal_pointer (&fields);
}

static int
column_index (GPtrArray  *header,
              const char *name)
{
  for (guint i = 0; i < header->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (header, i), name) == 0)
      return (int)i;
  return -1;
}

static const char *
field_or_null (GPtrArray *fields,
               int        index)
{
  const char *value;

  if (index < 0 || (guint)index >= fields->len)
    return NULL;
  value = g_ptr_array_index (fields, index);
  return *value != '\0' ? value : NULL;
}

gboolean
tm_store_import_microstamp_registry (TmStore     *store,
                                     const char  *path,
                                     const char  *user,
                                     guint       *out_n_rows,
                                     GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *now = tm_store_now_iso8601 ();
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(TmStmt) insert = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *names[] = { "code", "make", "model", "serial" };
  int columns[G_N_ELEMENTS (names)];
  gsize length = 0;
  guint n_rows = 0;
  guint first = 0;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!tm_store_check_permission (store, user, TM_PERMISSION_IMPORT, error))
    return FALSE;
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND, "%s", local_error->message);
      return FALSE;
    }
  if (!g_utf8_validate (contents, length, NULL))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "%s: is not UTF-8 text; save the registry as UTF-8 CSV", path);
      return FALSE;
    }
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
  basename = g_path_get_basename (path);
  lines = g_strsplit (contents, "\n", -1);

  /* The header: the first non-empty line. */
  while (lines[first] != NULL && *g_strstrip (lines[first]) == '\0')
    first++;
  if (lines[first] == NULL)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "%s: is empty; a registry starts with the header line code,make,model,serial", path);
      return FALSE;
    }
  /* A byte-order mark from spreadsheet programs is not part of the first column name. */
  if (g_str_has_prefix (lines[first], "\xEF\xBB\xBF"))
    memmove (lines[first], lines[first] + 3, strlen (lines[first] + 3) + 1);
  header = split_csv_line (lines[first], path, first + 1, error);
  if (header == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      columns[i] = column_index (header, names[i]);
      if (columns[i] < 0)
        {
          g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                       "%s:%u: the header has no column '%s'; a registry starts with the header line "
                       "code,make,model,serial", path, first + 1, names[i]);
          return FALSE;
        }
    }

  if (!tm_store_begin (store, error))
    return FALSE;
  insert = tm_store_prepare (store, "INSERT INTO microstamp_registry (code, make, model, serial, source, imported_at)"
                                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET"
                                    " make = excluded.make, model = excluded.model, serial = excluded.serial,"
                                    " source = excluded.source, imported_at = excluded.imported_at", error);
  if (insert == NULL)
    goto fail;
  for (guint l = first + 1; lines[l] != NULL; l++)
    {
      g_autoptr(GPtrArray) fields = NULL;
      g_autofree char *code = NULL;
      const char *make;
      gpointer previous;
      int rc;

      if (*g_strstrip (lines[l]) == '\0')
        continue;
      fields = split_csv_line (lines[l], path, l + 1, error);
      if (fields == NULL)
        goto fail;
      code = tm_microstamp_normalize (field_or_null (fields, columns[0]));
      make = field_or_null (fields, columns[1]);
      if (code == NULL || make == NULL)
        {
          g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                       "%s:%u: the %s is empty; every row needs a code and a make",
                       path, l + 1, code == NULL ? "code" : "make");
          goto fail;
        }
      if (g_hash_table_lookup_extended (seen, code, NULL, &previous))
        {
          g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                       "%s:%u: code %s is already on line %u", path, l + 1, code, GPOINTER_TO_UINT (previous));
          goto fail;
        }
      g_hash_table_insert (seen, g_strdup (code), GUINT_TO_POINTER (l + 1));
      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, make, -1, SQLITE_TRANSIENT);
      tm_stmt_bind_text_or_null (insert, 3, field_or_null (fields, columns[2]));
      tm_stmt_bind_text_or_null (insert, 4, field_or_null (fields, columns[3]));
      sqlite3_bind_text (insert, 5, basename, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 6, now, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (insert);
      if (rc != SQLITE_DONE)
        {
          g_autofree char *what = g_strdup_printf ("%s:%u: cannot record code %s", path, l + 1, code);
          tm_store_set_sql_error (store, error, rc, what);
          goto fail;
        }
      n_rows++;
    }

  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *details = NULL;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "file");
    json_builder_add_string_value (builder, basename);
    json_builder_set_member_name (builder, "sha256");
    json_builder_add_string_value (builder, sha256);
    json_builder_set_member_name (builder, "rows");
    json_builder_add_int_value (builder, n_rows);
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    details = json_to_string (root, FALSE);
    /* The registry file is the entity: its hash says exactly which list was loaded. */
    if (!tm_audit_append (store, user, "microstamp-registry-imported", "microstamp", sha256, details, error))
      goto fail;
  }
  if (!tm_store_commit (store, error))
    return FALSE;
  if (out_n_rows != NULL)
    *out_n_rows = n_rows;
  return TRUE;

fail:
  tm_store_rollback (store);
  return FALSE;
}

TmMicrostampFirearm *
tm_store_resolve_microstamp (TmStore     *store,
                             const char  *code,
                             GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *normalized = tm_microstamp_normalize (code);
  TmMicrostampFirearm *firearm;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);

  if (normalized == NULL)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT, "an empty microstamp code resolves to nothing");
      return NULL;
    }
  stmt = tm_store_prepare (store, "SELECT code, make, model, serial, source, imported_at FROM microstamp_registry"
                                  " WHERE code = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, normalized, -1, SQLITE_TRANSIENT);
  if (!tm_store_step_row (store, stmt, "cannot read the microstamp registry", error,
                          "microstamp code %s is not in the registry of %s; import the maker's registry CSV",
                          normalized, tm_store_get_path (store)))
    return NULL;
  firearm = g_new0 (TmMicrostampFirearm, 1);
  firearm->code = g_strdup (tm_stmt_column_text (stmt, 0));
  firearm->make = g_strdup (tm_stmt_column_text (stmt, 1));
  firearm->model = g_strdup (tm_stmt_column_text (stmt, 2));
  firearm->serial = g_strdup (tm_stmt_column_text (stmt, 3));
  firearm->source = g_strdup (tm_stmt_column_text (stmt, 4));
  firearm->imported_at = g_strdup (tm_stmt_column_text (stmt, 5));
  return firearm;
}
