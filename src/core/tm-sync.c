/* tm-sync.c — a workstation's database ⇄ the hub, and records moving between sites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Push, per entity (acquisitions, leads, lead events, lead members, hits, audit rows):
 * the local rows of this site with a row id above the push cursor, in batches; each
 * batch is one hub transaction of INSERT … ON CONFLICT DO NOTHING, and the cursor is
 * written locally after it commits. A kill between the two re-sends the batch, which
 * changes nothing on the hub.
 *
 * Pull, per entity: the hub rows of other sites with a sequence number above the pull
 * cursor (acquisitions restricted to the search scope), in batches; each batch and its
 * cursor are one local transaction. A record naming something not here yet (a member
 * whose acquisition is outside the scope, an event of a lead not pulled yet) fetches it
 * from the hub first, so the order rows arrive in does not matter.
 *
 * TM_SYNC_KILL_AFTER=N (tests only) raises SIGKILL on the process at the N-th batch
 * boundary: after a push batch committed on the hub but before its cursor is saved,
 * and after a pull batch committed locally.
 */
#define G_LOG_DOMAIN "tm-sync"

#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include "tm-audit.h"
#include "tm-hub.h"
#include "tm-store-private.h"
#include "tm-sync.h"

G_DEFINE_QUARK (tm-sync-error-quark, tm_sync_error)

#define DEFAULT_BATCH 200

typedef struct
{
  TmStore             *store;
  TmHub               *hub;
  const TmSyncOptions *options;
  TmSyncReport        *report;
  TmSyncProgressFunc   progress;
  gpointer             progress_data;
  GCancellable        *cancellable;
  const char          *local_site;
  const char          *source;     /* the hub's URL without password */
  guint                batch;
  TmSyncAuditInfo      audit;
} SyncContext;

/* Test hook (see the file comment) */

static void
batch_boundary (void)
{
  static gint64 kill_after = -1;
  static gint64 n_batches = 0;

  if (kill_after < 0)
    {
      const char *env = g_getenv ("TM_SYNC_KILL_AFTER");

      kill_after = env != NULL ? g_ascii_strtoll (env, NULL, 10) : 0;
    }
  if (kill_after > 0 && ++n_batches == kill_after)
    raise (SIGKILL);
}

/* Small helpers */

static gboolean
local_exec (TmStore     *store,
            const char  *sql,
            GError     **error)
{
  return tm_store_exec (store, sql, error);
}

static void
add_string_or_null (JsonObject  *object,
                    const char  *key,
                    const char  *value)
{
  if (value != NULL)
    json_object_set_string_member (object, key, value);
  else
    json_object_set_null_member (object, key);
}

/* The string member @key; NULL when absent or null; FALSE when another type. */
static gboolean
get_string (JsonObject   *object,
            const char   *key,
            const char  **out_value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, key) : NULL;

  *out_value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out_value = json_node_get_string (node);
  return TRUE;
}

static const char *
str_member (JsonObject  *object,
            const char  *key)
{
  const char *value = NULL;

  get_string (object, key, &value);
  return value;
}

/* A number member as a double (JSON has no int/float distinction that survives every
 * parser: jsonb prints 6.0 as 6.0, json-glib reads 6 as an integer). */
static gboolean
get_number (JsonObject  *object,
            const char  *key,
            double      *out_value)
{
  JsonNode *node = json_object_get_member (object, key);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_DOUBLE)
    *out_value = json_node_get_double (node);
  else if (type == G_TYPE_INT64)
    *out_value = (double)json_node_get_int (node);
  else
    return FALSE;
  return isfinite (*out_value);
}

static JsonObject *
get_object (JsonObject  *object,
            const char  *key)
{
  JsonNode *node = json_object_get_member (object, key);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static char *
object_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

static JsonObject *
object_from_text (const char  *text,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD, "the record is not a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* Records */

TmSyncSurface *
tm_sync_surface_new (void)
{
  return g_new0 (TmSyncSurface, 1);
}

void
tm_sync_surface_free (TmSyncSurface *surface)
{
  if (surface == NULL)
    return;
  g_free (surface->region);
  g_free (surface->encoding);
  g_clear_pointer (&surface->data, g_bytes_unref);
  g_free (surface->params_hash);
  g_free (surface);
}

TmSyncAcquisition *
tm_sync_acquisition_new (void)
{
  TmSyncAcquisition *acquisition = g_new0 (TmSyncAcquisition, 1);

  acquisition->surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_sync_surface_free);
  return acquisition;
}

void
tm_sync_acquisition_free (TmSyncAcquisition *acquisition)
{
  if (acquisition == NULL)
    return;
  g_clear_pointer (&acquisition->meta, json_object_unref);
  g_clear_pointer (&acquisition->surfaces, g_ptr_array_unref);
  g_clear_pointer (&acquisition->signature, g_bytes_unref);
  g_free (acquisition->signature_params_hash);
  g_free (acquisition);
}

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  return g_bytes_new (sqlite3_column_blob (stmt, column), sqlite3_column_bytes (stmt, column));
}

/* The columns of an acquisition record, in the order load_meta reads them. */
static const char * const acquisition_string_fields[] = {
  "uuid", "origin_site", "region", "modality", "instrument", "calibre", "firing_pin_type",
  "firing_pin_shape", "breech_face_class", "original_name", "sha256", "source_meta",
  "imported_by", "imported_at", "collection",
};

static JsonObject *
load_meta (TmStore  *store,
           gint64    id,
           GError  **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autoptr(JsonObject) meta = json_object_new ();
  JsonObject *case_object, *exhibit_object, *site_object;
  JsonArray *microstamps;
  int rc;
  int c;

  stmt = tm_store_prepare (store,
    "SELECT a.uuid, a.origin_site, a.region, a.modality, a.instrument, a.calibre,"
    "       a.firing_pin_type, a.firing_pin_shape, a.breech_face_class, a.original_name,"
    "       a.sha256, a.source_meta, a.imported_by, a.imported_at, a.collection,"
    "       a.pixel_um_x, a.pixel_um_y, a.valid_fraction, a.width, a.height, b.size,"
    "       c.uuid, c.agency, c.case_number, c.lab_case_number, c.incident_date, c.offense,"
    "       c.location, c.created_at, cs.uuid,"
    "       e.uuid, e.item_number, e.kind, e.firearm_make, e.firearm_model, e.firearm_serial,"
    "       s.name, s.region"
    "  FROM acquisitions a"
    "  JOIN exhibits e ON e.id = a.exhibit_id"
    "  JOIN cases c ON c.id = e.case_id"
    "  JOIN sites cs ON cs.id = c.site_id"
    "  JOIN blobs b ON b.sha256 = a.sha256"
    "  LEFT JOIN sites s ON s.uuid = a.origin_site"
    " WHERE a.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!tm_store_step_row (store, stmt, "cannot read the acquisition", error,
                          "no acquisition %" G_GINT64_FORMAT " in %s", id, tm_store_get_path (store)))
    return NULL;
  for (c = 0; c < (int)G_N_ELEMENTS (acquisition_string_fields); c++)
    add_string_or_null (meta, acquisition_string_fields[c], tm_stmt_column_text (stmt, c));
  json_object_set_double_member (meta, "pixel_um_x", sqlite3_column_double (stmt, c++));
  json_object_set_double_member (meta, "pixel_um_y", sqlite3_column_double (stmt, c++));
  json_object_set_double_member (meta, "valid_fraction", sqlite3_column_double (stmt, c++));
  json_object_set_int_member (meta, "width", sqlite3_column_int64 (stmt, c++));
  json_object_set_int_member (meta, "height", sqlite3_column_int64 (stmt, c++));
  json_object_set_int_member (meta, "original_size", sqlite3_column_int64 (stmt, c++));

  case_object = json_object_new ();
  add_string_or_null (case_object, "uuid", tm_stmt_column_text (stmt, c++));
  add_string_or_null (case_object, "agency", tm_stmt_column_text (stmt, c++));
  add_string_or_null (case_object, "case_number", tm_stmt_column_text (stmt, c++));
  add_string_or_null (case_object, "lab_case_number", tm_stmt_column_text (stmt, c++));
  add_string_or_null (case_object, "incident_date", tm_stmt_column_text (stmt, c++));
  add_string_or_null (case_object, "offense", tm_stmt_column_text (stmt, c++));
  add_string_or_null (case_object, "location", tm_stmt_column_text (stmt, c++));
  add_string_or_null (case_object, "created_at", tm_stmt_column_text (stmt, c++));
  add_string_or_null (case_object, "origin_site", tm_stmt_column_text (stmt, c++));
  json_object_set_object_member (meta, "case", case_object);

  exhibit_object = json_object_new ();
  add_string_or_null (exhibit_object, "uuid", tm_stmt_column_text (stmt, c++));
  add_string_or_null (exhibit_object, "item_number", tm_stmt_column_text (stmt, c++));
  add_string_or_null (exhibit_object, "kind", tm_stmt_column_text (stmt, c++));
  add_string_or_null (exhibit_object, "firearm_make", tm_stmt_column_text (stmt, c++));
  add_string_or_null (exhibit_object, "firearm_model", tm_stmt_column_text (stmt, c++));
  add_string_or_null (exhibit_object, "firearm_serial", tm_stmt_column_text (stmt, c++));
  json_object_set_object_member (meta, "exhibit", exhibit_object);

  site_object = json_object_new ();
  add_string_or_null (site_object, "name", tm_stmt_column_text (stmt, c++));
  add_string_or_null (site_object, "region", tm_stmt_column_text (stmt, c++));
  json_object_set_object_member (meta, "site", site_object);
  g_clear_pointer (&stmt, tm_stmt_free);

  microstamps = json_array_new ();
  stmt = tm_store_prepare (store, "SELECT location, code FROM acquisition_microstamps"
                                  " WHERE acquisition_id = ? ORDER BY location, code", error);
  if (stmt == NULL)
    {
      json_array_unref (microstamps);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *stamp = json_object_new ();

      json_object_set_string_member (stamp, "location", tm_stmt_column_text (stmt, 0));
      json_object_set_string_member (stamp, "code", tm_stmt_column_text (stmt, 1));
      json_array_add_object_element (microstamps, stamp);
    }
  json_object_set_array_member (meta, "microstamps", microstamps);
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the microstamps");
      return NULL;
    }
  return g_steal_pointer (&meta);
}

TmSyncAcquisition *
tm_sync_acquisition_load (TmStore  *store,
                          gint64    id,
                          GError  **error)
{
  g_autoptr(TmSyncAcquisition) acquisition = tm_sync_acquisition_new ();
  g_autoptr(TmStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);

  acquisition->meta = load_meta (store, id, error);
  if (acquisition->meta == NULL)
    return NULL;

  stmt = tm_store_prepare (store, "SELECT region, width, height, pixel_um, encoding, scale, offset,"
                                  " data, params_hash FROM preprocessed WHERE acquisition_id = ?"
                                  " ORDER BY region", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TmSyncSurface *surface = tm_sync_surface_new ();

      surface->region = g_strdup (tm_stmt_column_text (stmt, 0));
      surface->width = sqlite3_column_int (stmt, 1);
      surface->height = sqlite3_column_int (stmt, 2);
      surface->pixel_um = sqlite3_column_double (stmt, 3);
      surface->encoding = g_strdup (tm_stmt_column_text (stmt, 4));
      surface->scale = sqlite3_column_double (stmt, 5);
      surface->offset = sqlite3_column_double (stmt, 6);
      surface->data = column_bytes (stmt, 7);
      surface->params_hash = g_strdup (tm_stmt_column_text (stmt, 8));
      g_ptr_array_add (acquisition->surfaces, surface);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the preprocessed surfaces");
      return NULL;
    }
  g_clear_pointer (&stmt, tm_stmt_free);

  stmt = tm_store_prepare (store, "SELECT version, params_hash, data FROM signatures"
                                  " WHERE acquisition_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      acquisition->signature_version = sqlite3_column_int (stmt, 0);
      acquisition->signature_params_hash = g_strdup (tm_stmt_column_text (stmt, 1));
      acquisition->signature = column_bytes (stmt, 2);
    }
  else if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the signature");
      return NULL;
    }
  return g_steal_pointer (&acquisition);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static void
canonical_add (GString    *out,
               const char *key,
               const char *value)
{
  /* Length-prefixed: no choice of values can make two records read the same. */
  if (value == NULL)
    g_string_append_printf (out, "%s:-\n", key);
  else
    g_string_append_printf (out, "%s:%zu:%s\n", key, strlen (value), value);
}

char *
tm_sync_meta_hash (JsonObject  *meta,
                   GError     **error)
{
  g_autoptr(GString) out = g_string_new ("toolmark-acquisition-1\n");
  JsonObject *case_object, *exhibit_object;
  JsonNode *stamps_node;
  g_autoptr(GPtrArray) stamps = g_ptr_array_new_with_free_func (g_free);
  static const char * const required[] = {
    "uuid", "origin_site", "region", "modality", "original_name", "sha256", "imported_by",
    "imported_at", "collection",
  };
  static const char * const numbers[] = { "pixel_um_x", "pixel_um_y", "valid_fraction", "width",
                                          "height", "original_size" };
  static const char * const case_fields[] = { "uuid", "agency", "case_number" };
  static const char * const exhibit_fields[] = { "uuid", "item_number", "kind" };

  g_return_val_if_fail (meta != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      const char *value;

      if (!get_string (meta, required[i], &value) || value == NULL || *value == '\0')
        goto malformed_field;
    }
  for (guint i = 0; i < G_N_ELEMENTS (acquisition_string_fields); i++)
    {
      const char *value;

      if (!get_string (meta, acquisition_string_fields[i], &value))
        {
          g_set_error (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD,
                       "field '%s' is not a string", acquisition_string_fields[i]);
          return NULL;
        }
      canonical_add (out, acquisition_string_fields[i], value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      double value;
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      if (!get_number (meta, numbers[i], &value))
        {
          g_set_error (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD,
                       "field '%s' is missing or not a finite number", numbers[i]);
          return NULL;
        }
      canonical_add (out, numbers[i], g_ascii_dtostr (buf, sizeof buf, value));
    }

  /* The case and exhibit as far as they identify the evidence: their other fields are
   * filled in over time and do not change what the acquisition is. */
  case_object = get_object (meta, "case");
  exhibit_object = get_object (meta, "exhibit");
  if (case_object == NULL || exhibit_object == NULL)
    {
      g_set_error (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD, "the case or exhibit is missing");
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (case_fields); i++)
    {
      const char *value;

      if (!get_string (case_object, case_fields[i], &value) || value == NULL)
        {
          g_set_error (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD,
                       "case field '%s' is missing or not a string", case_fields[i]);
          return NULL;
        }
      if (i > 0)
        canonical_add (out, case_fields[i], value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (exhibit_fields); i++)
    {
      const char *value;

      if (!get_string (exhibit_object, exhibit_fields[i], &value) || value == NULL)
        {
          g_set_error (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD,
                       "exhibit field '%s' is missing or not a string", exhibit_fields[i]);
          return NULL;
        }
      if (i > 0)
        canonical_add (out, exhibit_fields[i], value);
    }

  stamps_node = json_object_get_member (meta, "microstamps");
  if (stamps_node != NULL && JSON_NODE_HOLDS_ARRAY (stamps_node))
    {
      JsonArray *array = json_node_get_array (stamps_node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          const char *location = NULL, *code = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (node) ||
              !get_string (json_node_get_object (node), "location", &location) ||
              !get_string (json_node_get_object (node), "code", &code) ||
              location == NULL || code == NULL)
            {
              g_set_error_literal (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD,
                                   "a microstamp is not a {location, code} object");
              return NULL;
            }
          g_ptr_array_add (stamps, g_strdup_printf ("%s:%zu:%s", location, strlen (code), code));
        }
    }
  g_ptr_array_sort (stamps, compare_strings);
  for (guint i = 0; i < stamps->len; i++)
    canonical_add (out, "microstamp", g_ptr_array_index (stamps, i));

  if (!g_uuid_string_is_valid (str_member (meta, "uuid")) ||
      !g_uuid_string_is_valid (str_member (meta, "origin_site")) ||
      !g_uuid_string_is_valid (str_member (case_object, "uuid")) ||
      !g_uuid_string_is_valid (str_member (exhibit_object, "uuid")))
    {
      g_set_error_literal (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD, "a UUID is not valid");
      return NULL;
    }
  if (!tm_blob_sha256_is_valid (str_member (meta, "sha256")))
    {
      g_set_error_literal (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD, "sha256 is not a SHA-256 in hex");
      return NULL;
    }
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, out->str, out->len);

malformed_field:
  g_set_error (error, TM_SYNC_ERROR, TM_SYNC_ERROR_RECORD,
               "a required field (uuid, origin_site, region, modality, original_name, sha256, "
               "imported_by, imported_at, collection) is missing or empty");
  return NULL;
}

gboolean
tm_sync_quarantine (TmStore     *store,
                    const char  *source,
                    const char  *entity,
                    const char  *uuid,
                    const char  *reason,
                    const char  *record,
                    GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *now = tm_store_now_iso8601 ();

  stmt = tm_store_prepare (store, "INSERT OR IGNORE INTO sync_quarantine (source, entity, uuid, reason,"
                                  " record, at) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  tm_stmt_bind_text_or_null (stmt, 1, source);
  tm_stmt_bind_text_or_null (stmt, 2, entity);
  tm_stmt_bind_text_or_null (stmt, 3, uuid != NULL ? uuid : "");
  tm_stmt_bind_text_or_null (stmt, 4, reason);
  tm_stmt_bind_text_or_null (stmt, 5, record);
  tm_stmt_bind_text_or_null (stmt, 6, now);
  return tm_store_step_done (store, stmt, "cannot record the quarantined record", error);
}

/* One audit row for a record that came from elsewhere: @what is the entity ("case",
 * "acquisition", "lead-event", …) and names the action; @entity_type the audit entity.
 * @extra (nullable, consumed) adds members to the details. */
static gboolean
audit_applied (TmStore                *store,
               const TmSyncAuditInfo  *audit,
               const char             *what,
               const char             *entity_type,
               const char             *entity_uuid,
               const char             *origin_site,
               JsonObject             *extra,
               GError                **error)
{
  g_autoptr(JsonObject) details = extra != NULL ? extra : json_object_new ();
  g_autofree char *action = NULL;
  g_autofree char *text = NULL;

  if (audit == NULL)
    return TRUE;
  add_string_or_null (details, "origin_site", origin_site);
  add_string_or_null (details, audit->via_key, audit->via);
  text = object_to_text (details);
  action = g_strdup_printf ("%s-%s", audit->action_prefix, what);
  return tm_audit_append (store, audit->user, action, entity_type, entity_uuid, text, error);
}

/* Looks a row id up by a text key; 0 when absent, -1 on error. */
static gint64
lookup_id (TmStore     *store,
           const char  *sql,
           const char  *key1,
           const char  *key2,
           GError     **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return -1;
  tm_stmt_bind_text_or_null (stmt, 1, key1);
  if (key2 != NULL)
    tm_stmt_bind_text_or_null (stmt, 2, key2);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot look a record up");
      return -1;
    }
  return 0;
}

static gint64
ensure_site (TmStore     *store,
             const char  *uuid,
             const char  *name,
             const char  *region,
             GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *fallback = NULL;
  gint64 id = lookup_id (store, "SELECT id FROM sites WHERE uuid = ?", uuid, NULL, error);

  if (id != 0)
    return id;
  if (name == NULL || *name == '\0')
    name = fallback = g_strdup_printf ("site %.8s", uuid);
  stmt = tm_store_prepare (store, "INSERT INTO sites (uuid, name, region) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return -1;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  tm_stmt_bind_text_or_null (stmt, 2, name);
  tm_stmt_bind_text_or_null (stmt, 3, region);
  if (!tm_store_step_done (store, stmt, "cannot record the site", error))
    return -1;
  return sqlite3_last_insert_rowid (tm_store_get_db (store));
}

/* The case: by UUID, else by (agency, case number) — the same investigation recorded
 * by another site is the same case here — else created under the remote UUID. */
static gint64
ensure_case (TmStore     *store,
             JsonObject  *object,
             const char  *fallback_site,
             gboolean    *out_created,
             GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  const char *uuid = str_member (object, "uuid");
  const char *agency = str_member (object, "agency");
  const char *origin = str_member (object, "origin_site");
  g_autofree char *now = NULL;
  gint64 id, site_id;

  id = lookup_id (store, "SELECT id FROM cases WHERE uuid = ?", uuid, NULL, error);
  if (id != 0)
    return id;
  id = lookup_id (store, "SELECT id FROM cases WHERE agency = ? AND case_number = ?",
                  agency != NULL ? agency : "", str_member (object, "case_number"), error);
  if (id != 0)
    return id;
  if (origin == NULL || !g_uuid_string_is_valid (origin))
    origin = fallback_site;
  site_id = ensure_site (store, origin, NULL, NULL, error);
  if (site_id < 0)
    return -1;
  now = tm_store_now_iso8601 ();
  stmt = tm_store_prepare (store, "INSERT INTO cases (uuid, agency, case_number, lab_case_number,"
                                  " incident_date, offense, location, site_id, created_at)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return -1;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  tm_stmt_bind_text_or_null (stmt, 2, agency != NULL ? agency : "");
  tm_stmt_bind_text_or_null (stmt, 3, str_member (object, "case_number"));
  tm_stmt_bind_text_or_null (stmt, 4, str_member (object, "lab_case_number"));
  tm_stmt_bind_text_or_null (stmt, 5, str_member (object, "incident_date"));
  tm_stmt_bind_text_or_null (stmt, 6, str_member (object, "offense"));
  tm_stmt_bind_text_or_null (stmt, 7, str_member (object, "location"));
  sqlite3_bind_int64 (stmt, 8, site_id);
  tm_stmt_bind_text_or_null (stmt, 9, str_member (object, "created_at") ? str_member (object, "created_at") : now);
  if (!tm_store_step_done (store, stmt, "cannot record the case", error))
    return -1;
  *out_created = TRUE;
  return sqlite3_last_insert_rowid (tm_store_get_db (store));
}

static gint64
ensure_exhibit (TmStore     *store,
                gint64       case_id,
                JsonObject  *object,
                gboolean    *out_created,
                char       **out_reason,
                GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  const char *uuid = str_member (object, "uuid");
  const char *kind = str_member (object, "kind");
  int rc;

  stmt = tm_store_prepare (store, "SELECT id, kind FROM exhibits WHERE uuid = ?"
                                  " OR (case_id = ? AND item_number = ?) ORDER BY uuid = ? DESC LIMIT 1",
                           error);
  if (stmt == NULL)
    return -1;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  sqlite3_bind_int64 (stmt, 2, case_id);
  tm_stmt_bind_text_or_null (stmt, 3, str_member (object, "item_number"));
  tm_stmt_bind_text_or_null (stmt, 4, uuid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (g_strcmp0 (tm_stmt_column_text (stmt, 1), kind) != 0)
        {
          *out_reason = g_strdup_printf ("exhibit %s is %s here but %s in the record",
                                         str_member (object, "item_number"), tm_stmt_column_text (stmt, 1),
                                         kind ? kind : "(none)");
          return 0;
        }
      return sqlite3_column_int64 (stmt, 0);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot look the exhibit up");
      return -1;
    }
  g_clear_pointer (&stmt, tm_stmt_free);
  stmt = tm_store_prepare (store, "INSERT INTO exhibits (uuid, case_id, item_number, kind, firearm_make,"
                                  " firearm_model, firearm_serial) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return -1;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  sqlite3_bind_int64 (stmt, 2, case_id);
  tm_stmt_bind_text_or_null (stmt, 3, str_member (object, "item_number"));
  tm_stmt_bind_text_or_null (stmt, 4, kind);
  tm_stmt_bind_text_or_null (stmt, 5, str_member (object, "firearm_make"));
  tm_stmt_bind_text_or_null (stmt, 6, str_member (object, "firearm_model"));
  tm_stmt_bind_text_or_null (stmt, 7, str_member (object, "firearm_serial"));
  rc = sqlite3_step (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      *out_reason = g_strdup_printf ("exhibit %s: %s", str_member (object, "item_number"),
                                     sqlite3_errmsg (tm_store_get_db (store)));
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot record the exhibit");
      return -1;
    }
  *out_created = TRUE;
  return sqlite3_last_insert_rowid (tm_store_get_db (store));
}

/* Inserts everything of a validated record; 0 with @out_reason when a constraint
 * refuses it (a malformed value), -1 on a database error. */
static gint64
insert_acquisition (TmStore            *store,
                    TmSyncAcquisition  *acquisition,
                    const char         *hub_uuid,
                    GBytes             *original,
                    const TmSyncAuditInfo *audit,
                    gboolean           *out_blob_created,
                    char              **out_reason,
                    GError            **error)
{
  JsonObject *meta = acquisition->meta;
  JsonObject *case_object = get_object (meta, "case");
  JsonObject *exhibit_object = get_object (meta, "exhibit");
  gboolean case_created = FALSE, exhibit_created = FALSE;
  JsonObject *site = get_object (meta, "site");
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *now = tm_store_now_iso8601 ();
  const char *sha256 = str_member (meta, "sha256");
  const char *origin = str_member (meta, "origin_site");
  double size = 0, number;
  gint64 case_id, exhibit_id, id;
  TmBlobStore *blobs = tm_store_get_blob_store (store);
  sqlite3 *db = tm_store_get_db (store);
  int rc;

  if (ensure_site (store, origin, site ? str_member (site, "name") : NULL,
                   site ? str_member (site, "region") : NULL, error) < 0)
    return -1;
  case_id = ensure_case (store, case_object, origin, &case_created, error);
  if (case_id < 0)
    return -1;
  exhibit_id = ensure_exhibit (store, case_id, exhibit_object, &exhibit_created, out_reason, error);
  if (exhibit_id <= 0)
    return exhibit_id;

  get_number (meta, "original_size", &size);
  stmt = tm_store_prepare (store, "INSERT INTO blobs (sha256, size, stored_at) VALUES (?, ?, ?)"
                                  " ON CONFLICT (sha256) DO NOTHING", error);
  if (stmt == NULL)
    return -1;
  tm_stmt_bind_text_or_null (stmt, 1, sha256);
  sqlite3_bind_int64 (stmt, 2, (gint64)size);
  tm_stmt_bind_text_or_null (stmt, 3, now);
  if (!tm_store_step_done (store, stmt, "cannot record the original", error))
    return -1;
  g_clear_pointer (&stmt, tm_stmt_free);

  if (!tm_blob_store_contains (blobs, sha256))
    {
      if (original != NULL)
        {
          g_autofree char *actual = tm_blob_sha256_bytes (original);

          if (!g_str_equal (actual, sha256))
            {
              *out_reason = g_strdup_printf ("the original's SHA-256 is %s, the record says %s",
                                             actual, sha256);
              return 0;
            }
          if (!tm_blob_store_put (blobs, sha256, original, out_blob_created, error))
            return -1;
        }
      else
        {
          stmt = tm_store_prepare (store, "INSERT OR IGNORE INTO remote_originals (sha256, hub_uuid)"
                                          " VALUES (?, ?)", error);
          if (stmt == NULL)
            return -1;
          tm_stmt_bind_text_or_null (stmt, 1, sha256);
          tm_stmt_bind_text_or_null (stmt, 2, hub_uuid);
          if (!tm_store_step_done (store, stmt, "cannot record the remote original", error))
            return -1;
          g_clear_pointer (&stmt, tm_stmt_free);
        }
    }

  stmt = tm_store_prepare (store, "INSERT INTO acquisitions (uuid, exhibit_id, region, modality, instrument,"
                                  " pixel_um_x, pixel_um_y, width, height, valid_fraction, calibre,"
                                  " firing_pin_type, firing_pin_shape, breech_face_class, original_name,"
                                  " sha256, source_meta, imported_by, imported_at, origin_site, collection)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return -1;
  tm_stmt_bind_text_or_null (stmt, 1, str_member (meta, "uuid"));
  sqlite3_bind_int64 (stmt, 2, exhibit_id);
  tm_stmt_bind_text_or_null (stmt, 3, str_member (meta, "region"));
  tm_stmt_bind_text_or_null (stmt, 4, str_member (meta, "modality"));
  tm_stmt_bind_text_or_null (stmt, 5, str_member (meta, "instrument"));
  get_number (meta, "pixel_um_x", &number);
  sqlite3_bind_double (stmt, 6, number);
  get_number (meta, "pixel_um_y", &number);
  sqlite3_bind_double (stmt, 7, number);
  get_number (meta, "width", &number);
  sqlite3_bind_int64 (stmt, 8, (gint64)number);
  get_number (meta, "height", &number);
  sqlite3_bind_int64 (stmt, 9, (gint64)number);
  get_number (meta, "valid_fraction", &number);
  sqlite3_bind_double (stmt, 10, number);
  tm_stmt_bind_text_or_null (stmt, 11, str_member (meta, "calibre"));
  tm_stmt_bind_text_or_null (stmt, 12, str_member (meta, "firing_pin_type"));
  tm_stmt_bind_text_or_null (stmt, 13, str_member (meta, "firing_pin_shape"));
  tm_stmt_bind_text_or_null (stmt, 14, str_member (meta, "breech_face_class"));
  tm_stmt_bind_text_or_null (stmt, 15, str_member (meta, "original_name"));
  tm_stmt_bind_text_or_null (stmt, 16, sha256);
  tm_stmt_bind_text_or_null (stmt, 17, str_member (meta, "source_meta") ? str_member (meta, "source_meta") : "{}");
  tm_stmt_bind_text_or_null (stmt, 18, str_member (meta, "imported_by"));
  tm_stmt_bind_text_or_null (stmt, 19, str_member (meta, "imported_at"));
  tm_stmt_bind_text_or_null (stmt, 20, origin);
  tm_stmt_bind_text_or_null (stmt, 21, str_member (meta, "collection"));
  rc = sqlite3_step (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      *out_reason = g_strdup_printf ("refused by the database: %s", sqlite3_errmsg (db));
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot record the acquisition");
      return -1;
    }
  id = sqlite3_last_insert_rowid (db);
  g_clear_pointer (&stmt, tm_stmt_free);

  {
    JsonNode *stamps_node = json_object_get_member (meta, "microstamps");
    JsonArray *stamps = stamps_node && JSON_NODE_HOLDS_ARRAY (stamps_node) ? json_node_get_array (stamps_node) : NULL;

    for (guint i = 0; stamps != NULL && i < json_array_get_length (stamps); i++)
      {
        JsonObject *stamp = json_array_get_object_element (stamps, i);
        g_autoptr(TmStmt) insert = tm_store_prepare (store, "INSERT OR IGNORE INTO acquisition_microstamps"
                                                            " (acquisition_id, location, code) VALUES (?, ?, ?)",
                                                     error);
        if (insert == NULL)
          return -1;
        sqlite3_bind_int64 (insert, 1, id);
        tm_stmt_bind_text_or_null (insert, 2, str_member (stamp, "location"));
        tm_stmt_bind_text_or_null (insert, 3, str_member (stamp, "code"));
        rc = sqlite3_step (insert);
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
          {
            *out_reason = g_strdup_printf ("microstamp refused: %s", sqlite3_errmsg (db));
            return 0;
          }
        if (rc != SQLITE_DONE)
          {
            tm_store_set_sql_error (store, error, rc, "cannot record a microstamp");
            return -1;
          }
      }
  }

  for (guint i = 0; i < acquisition->surfaces->len; i++)
    {
      TmSyncSurface *surface = g_ptr_array_index (acquisition->surfaces, i);
      g_autoptr(TmStmt) insert = NULL;
      gsize len = 0;
      gconstpointer data = surface->data ? g_bytes_get_data (surface->data, &len) : NULL;

      if (surface->width <= 0 || surface->height <= 0 ||
          (gsize)surface->width * surface->height * 2 != len)
        {
          *out_reason = g_strdup_printf ("preprocessed %s surface: %d × %d does not match its %zu bytes",
                                         surface->region ? surface->region : "(no region)",
                                         surface->width, surface->height, len);
          return 0;
        }
      insert = tm_store_prepare (store, "INSERT INTO preprocessed (acquisition_id, region, width, height,"
                                        " pixel_um, encoding, scale, offset, data, params_hash, created_at)"
                                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
      if (insert == NULL)
        return -1;
      sqlite3_bind_int64 (insert, 1, id);
      tm_stmt_bind_text_or_null (insert, 2, surface->region);
      sqlite3_bind_int (insert, 3, surface->width);
      sqlite3_bind_int (insert, 4, surface->height);
      sqlite3_bind_double (insert, 5, surface->pixel_um);
      tm_stmt_bind_text_or_null (insert, 6, surface->encoding);
      sqlite3_bind_double (insert, 7, surface->scale);
      sqlite3_bind_double (insert, 8, surface->offset);
      sqlite3_bind_blob (insert, 9, data, (int)len, SQLITE_TRANSIENT);
      tm_stmt_bind_text_or_null (insert, 10, surface->params_hash);
      tm_stmt_bind_text_or_null (insert, 11, now);
      rc = sqlite3_step (insert);
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        {
          *out_reason = g_strdup_printf ("preprocessed surface refused: %s", sqlite3_errmsg (db));
          return 0;
        }
      if (rc != SQLITE_DONE)
        {
          tm_store_set_sql_error (store, error, rc, "cannot record a preprocessed surface");
          return -1;
        }
    }

  if (acquisition->signature != NULL)
    {
      g_autoptr(TmStmt) insert = NULL;
      gsize len;
      gconstpointer data = g_bytes_get_data (acquisition->signature, &len);

      insert = tm_store_prepare (store, "INSERT INTO signatures (acquisition_id, version, params_hash, data)"
                                        " VALUES (?, ?, ?, ?)", error);
      if (insert == NULL)
        return -1;
      sqlite3_bind_int64 (insert, 1, id);
      sqlite3_bind_int (insert, 2, acquisition->signature_version);
      tm_stmt_bind_text_or_null (insert, 3, acquisition->signature_params_hash ? acquisition->signature_params_hash : "");
      sqlite3_bind_blob (insert, 4, data, (int)len, SQLITE_TRANSIENT);
      if (!tm_store_step_done (store, insert, "cannot record the signature", error))
        return -1;
    }

  /* Audited last, once nothing can refuse the record any more (a refused one rolls
   * back to the savepoint, its audit rows with it). The case and exhibit are named by
   * the UUIDs they have here, which differ from the record's when they matched an
   * existing case by agency and number. */
  {
    g_autofree char *case_uuid = NULL, *exhibit_uuid = NULL;
    JsonObject *extra;
    g_autoptr(TmStmt) names = tm_store_prepare (store, "SELECT c.uuid, e.uuid FROM exhibits e"
                                                       " JOIN cases c ON c.id = e.case_id WHERE e.id = ?",
                                                error);
    if (names == NULL)
      return -1;
    sqlite3_bind_int64 (names, 1, exhibit_id);
    if (sqlite3_step (names) != SQLITE_ROW)
      {
        tm_store_set_sql_error (store, error, sqlite3_errcode (db), "cannot read the exhibit back");
        return -1;
      }
    case_uuid = g_strdup (tm_stmt_column_text (names, 0));
    exhibit_uuid = g_strdup (tm_stmt_column_text (names, 1));
    if (case_created)
      {
        extra = json_object_new ();
        add_string_or_null (extra, "case_number", str_member (case_object, "case_number"));
        add_string_or_null (extra, "agency", str_member (case_object, "agency"));
        if (!audit_applied (store, audit, "case", "case", case_uuid, str_member (case_object, "origin_site"),
                            extra, error))
          return -1;
      }
    if (exhibit_created)
      {
        extra = json_object_new ();
        add_string_or_null (extra, "case", case_uuid);
        add_string_or_null (extra, "item_number", str_member (exhibit_object, "item_number"));
        if (!audit_applied (store, audit, "exhibit", "exhibit", exhibit_uuid, origin, extra, error))
          return -1;
      }
    extra = json_object_new ();
    add_string_or_null (extra, "case", case_uuid);
    add_string_or_null (extra, "exhibit", exhibit_uuid);
    add_string_or_null (extra, "sha256", sha256);
    if (!audit_applied (store, audit, "acquisition", "acquisition", str_member (meta, "uuid"), origin,
                        extra, error))
      return -1;
  }
  return id;
}

gboolean
tm_sync_acquisition_apply (TmStore            *store,
                           TmSyncAcquisition  *acquisition,
                           const char         *source,
                           const char         *hub_uuid,
                           GBytes             *original,
                           const TmSyncAuditInfo *audit,
                           TmSyncOutcome      *out_outcome,
                           gboolean           *out_blob_created,
                           char              **out_reason,
                           GError            **error)
{
  g_autoptr(GError) record_error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *record_text = NULL;
  const char *uuid;
  gint64 existing, id;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (acquisition != NULL && acquisition->meta != NULL, FALSE);

  *out_blob_created = FALSE;
  uuid = str_member (acquisition->meta, "uuid");
  hash = tm_sync_meta_hash (acquisition->meta, &record_error);
  if (hash == NULL)
    {
      reason = g_strdup_printf ("malformed record: %s", record_error->message);
      goto quarantine;
    }

  existing = lookup_id (store, "SELECT id FROM acquisitions WHERE uuid = ?", uuid, NULL, error);
  if (existing < 0)
    return FALSE;
  if (existing > 0)
    {
      g_autoptr(JsonObject) local = load_meta (store, existing, error);
      g_autofree char *local_hash = NULL;

      if (local == NULL)
        return FALSE;
      local_hash = tm_sync_meta_hash (local, NULL);
      if (g_strcmp0 (local_hash, hash) == 0)
        {
          *out_outcome = TM_SYNC_IDENTICAL;
          return TRUE;
        }
      reason = g_strdup_printf ("acquisition %s differs from acquisition %" G_GINT64_FORMAT
                                " recorded here under the same UUID (acquisitions are immutable)",
                                uuid, existing);
      goto quarantine;
    }

  /* A savepoint so a refused record leaves nothing half-applied in the caller's batch. */
  if (!local_exec (store, "SAVEPOINT tm_sync_apply", error))
    return FALSE;
  id = insert_acquisition (store, acquisition, hub_uuid, original, audit, out_blob_created, &reason, error);
  if (id <= 0)
    {
      local_exec (store, "ROLLBACK TO tm_sync_apply; RELEASE tm_sync_apply", NULL);
      if (*out_blob_created)
        {
          tm_blob_store_remove (tm_store_get_blob_store (store), str_member (acquisition->meta, "sha256"), NULL);
          *out_blob_created = FALSE;
        }
      if (id < 0)
        return FALSE;
      goto quarantine;
    }
  if (!local_exec (store, "RELEASE tm_sync_apply", error))
    return FALSE;
  *out_outcome = TM_SYNC_APPLIED;
  return TRUE;

quarantine:
  record_text = object_to_text (acquisition->meta);
  if (!tm_sync_quarantine (store, source, "acquisition", uuid ? uuid : "", reason, record_text, error))
    return FALSE;
  *out_outcome = TM_SYNC_QUARANTINED;
  if (out_reason != NULL)
    *out_reason = g_steal_pointer (&reason);
  return TRUE;
}

/* Reports */

void
tm_sync_report_init (TmSyncReport *report)
{
  memset (report, 0, sizeof *report);
  report->messages = g_ptr_array_new_with_free_func (g_free);
}

void
tm_sync_report_clear (TmSyncReport *report)
{
  g_clear_pointer (&report->messages, g_ptr_array_unref);
}

static void
report_quarantined (SyncContext *ctx,
                    const char  *entity,
                    const char  *uuid,
                    const char  *reason)
{
  ctx->report->quarantined++;
  g_ptr_array_add (ctx->report->messages,
                   g_strdup_printf ("%s %s from %s: %s", entity, uuid, ctx->source, reason));
}

static void
progress (SyncContext *ctx,
          const char  *phase,
          guint64      done,
          guint64      total)
{
  if (ctx->progress != NULL)
    ctx->progress (phase, done, total, ctx->progress_data);
}

/* Cursors */

static gboolean
get_cursor (SyncContext  *ctx,
            const char   *direction,
            const char   *entity,
            gint64       *out_position,
            GError      **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (ctx->store,
    "SELECT position FROM sync_cursors WHERE hub_uuid = ? AND direction = ? AND entity = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  tm_stmt_bind_text_or_null (stmt, 1, tm_hub_get_uuid (ctx->hub));
  tm_stmt_bind_text_or_null (stmt, 2, direction);
  tm_stmt_bind_text_or_null (stmt, 3, entity);
  rc = sqlite3_step (stmt);
  *out_position = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (ctx->store, error, rc, "cannot read the sync cursor");
      return FALSE;
    }
  return TRUE;
}

/* Inside the caller's transaction. */
static gboolean
set_cursor (SyncContext  *ctx,
            const char   *direction,
            const char   *entity,
            gint64        position,
            GError      **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (ctx->store,
    "INSERT INTO sync_cursors (hub_uuid, direction, entity, position) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (hub_uuid, direction, entity) DO UPDATE SET position = excluded.position", error);

  if (stmt == NULL)
    return FALSE;
  tm_stmt_bind_text_or_null (stmt, 1, tm_hub_get_uuid (ctx->hub));
  tm_stmt_bind_text_or_null (stmt, 2, direction);
  tm_stmt_bind_text_or_null (stmt, 3, entity);
  sqlite3_bind_int64 (stmt, 4, position);
  return tm_store_step_done (ctx->store, stmt, "cannot save the sync cursor", error);
}

static gboolean
save_push_cursor (SyncContext  *ctx,
                  const char   *entity,
                  gint64        position,
                  GError      **error)
{
  if (!tm_store_begin (ctx->store, error))
    return FALSE;
  if (!set_cursor (ctx, "push", entity, position, error) || !tm_store_commit (ctx->store, error))
    {
      tm_store_rollback (ctx->store);
      return FALSE;
    }
  return TRUE;
}

/* Push */

static gboolean
hub_exec_params (SyncContext         *ctx,
                 const char          *sql,
                 int                  n,
                 const char * const  *values,
                 const int           *lengths,
                 const int           *formats,
                 int                 *out_affected,
                 GError             **error)
{
  g_autoptr(PGresult) result = tm_hub_query (ctx->hub, sql, n, values, lengths, formats, FALSE, error);

  if (result == NULL)
    return FALSE;
  if (out_affected != NULL)
    *out_affected = (int)g_ascii_strtoll (PQcmdTuples (result), NULL, 10);
  return TRUE;
}

static gboolean
push_one_acquisition (SyncContext        *ctx,
                      TmSyncAcquisition  *acquisition,
                      GHashTable         *originals_sent,
                      GError            **error)
{
  JsonObject *meta = acquisition->meta;
  JsonObject *case_object = get_object (meta, "case");
  JsonObject *exhibit_object = get_object (meta, "exhibit");
  g_autofree char *record = object_to_text (meta);
  g_autofree char *hash = NULL;
  const char *uuid = str_member (meta, "uuid");
  const char *sha256 = str_member (meta, "sha256");
  int affected = 0;

  hash = tm_sync_meta_hash (meta, error);
  if (hash == NULL)
    return FALSE;

  {
    const char *values[] = {
      str_member (case_object, "uuid"), str_member (case_object, "origin_site"),
      str_member (case_object, "agency") ? str_member (case_object, "agency") : "",
      str_member (case_object, "case_number"), str_member (case_object, "lab_case_number"),
      str_member (case_object, "incident_date"), str_member (case_object, "offense"),
      str_member (case_object, "location"), str_member (case_object, "created_at"),
    };
    if (!hub_exec_params (ctx, "INSERT INTO cases (uuid, origin_site, agency, case_number, lab_case_number,"
                               " incident_date, offense, location, created_at)"
                               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (uuid) DO NOTHING",
                          9, values, NULL, NULL, NULL, error))
      return FALSE;
  }
  {
    const char *values[] = {
      str_member (exhibit_object, "uuid"), str_member (case_object, "uuid"), ctx->local_site,
      str_member (exhibit_object, "item_number"), str_member (exhibit_object, "kind"),
      str_member (exhibit_object, "firearm_make"), str_member (exhibit_object, "firearm_model"),
      str_member (exhibit_object, "firearm_serial"),
    };
    if (!hub_exec_params (ctx, "INSERT INTO exhibits (uuid, case_uuid, origin_site, item_number, kind,"
                               " firearm_make, firearm_model, firearm_serial)"
                               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (uuid) DO NOTHING",
                          8, values, NULL, NULL, NULL, error))
      return FALSE;
  }
  {
    const char *values[] = {
      uuid, str_member (exhibit_object, "uuid"), str_member (case_object, "uuid"),
      str_member (meta, "origin_site"), str_member (meta, "collection"), str_member (meta, "calibre"),
      str_member (meta, "modality"), str_member (meta, "imported_at"), sha256, record, hash,
    };
    if (!hub_exec_params (ctx, "INSERT INTO acquisitions (uuid, exhibit_uuid, case_uuid, origin_site,"
                               " collection, calibre, modality, imported_at, sha256, record, record_hash)"
                               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                               " ON CONFLICT (uuid) DO NOTHING",
                          11, values, NULL, NULL, &affected, error))
      return FALSE;
  }
  if (affected == 0)
    {
      const char *values[] = { uuid };
      g_autoptr(PGresult) result = tm_hub_query (ctx->hub, "SELECT record_hash FROM acquisitions WHERE uuid = $1",
                                                 1, values, NULL, NULL, FALSE, error);

      if (result == NULL)
        return FALSE;
      if (PQntuples (result) == 1 && !g_str_equal (PQgetvalue (result, 0, 0), hash))
        {
          /* Not ours to overwrite: the hub keeps what it has, and a person looks. */
          g_autofree char *reason = g_strdup ("the hub holds a different acquisition under this UUID");
          if (!tm_store_begin (ctx->store, error))
            return FALSE;
          if (!tm_sync_quarantine (ctx->store, ctx->source, "acquisition", uuid, reason, record, error) ||
              !tm_store_commit (ctx->store, error))
            {
              tm_store_rollback (ctx->store);
              return FALSE;
            }
          report_quarantined (ctx, "acquisition", uuid, reason);
        }
      /* Already there (a replay of a batch whose cursor was not saved): nothing more. */
      return TRUE;
    }
  ctx->report->pushed_acquisitions++;

  for (guint i = 0; i < acquisition->surfaces->len; i++)
    {
      TmSyncSurface *surface = g_ptr_array_index (acquisition->surfaces, i);
      char width[16], height[16], pixel[G_ASCII_DTOSTR_BUF_SIZE], scale[G_ASCII_DTOSTR_BUF_SIZE],
           offset[G_ASCII_DTOSTR_BUF_SIZE];
      gsize len;
      const char *data = g_bytes_get_data (surface->data, &len);
      const char *values[] = { uuid, surface->region, width, height, pixel, surface->encoding, scale,
                               offset, data, surface->params_hash };
      int lengths[] = { 0, 0, 0, 0, 0, 0, 0, 0, (int)len, 0 };
      int formats[] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };

      g_snprintf (width, sizeof width, "%d", surface->width);
      g_snprintf (height, sizeof height, "%d", surface->height);
      g_ascii_dtostr (pixel, sizeof pixel, surface->pixel_um);
      g_ascii_dtostr (scale, sizeof scale, surface->scale);
      g_ascii_dtostr (offset, sizeof offset, surface->offset);
      if (!hub_exec_params (ctx, "INSERT INTO surfaces (acquisition_uuid, region, width, height, pixel_um,"
                                 " encoding, scale, \"offset\", data, params_hash)"
                                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                                 " ON CONFLICT DO NOTHING",
                            10, values, lengths, formats, NULL, error))
        return FALSE;
    }
  if (acquisition->signature != NULL)
    {
      char version[16];
      gsize len;
      const char *data = g_bytes_get_data (acquisition->signature, &len);
      const char *values[] = { uuid, version, acquisition->signature_params_hash, data };
      int lengths[] = { 0, 0, 0, (int)len };
      int formats[] = { 0, 0, 0, 1 };

      g_snprintf (version, sizeof version, "%d", acquisition->signature_version);
      if (!hub_exec_params (ctx, "INSERT INTO signatures (acquisition_uuid, version, params_hash, data)"
                                 " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                            4, values, lengths, formats, NULL, error))
        return FALSE;
    }

  /* The original, once per content (a re-import elsewhere of the same file shares it). */
  if (!g_hash_table_contains (originals_sent, sha256))
    {
      const char *check_values[] = { sha256 };
      g_autoptr(PGresult) present = tm_hub_query (ctx->hub, "SELECT 1 FROM originals WHERE sha256 = $1",
                                                  1, check_values, NULL, NULL, FALSE, error);

      if (present == NULL)
        return FALSE;
      if (PQntuples (present) == 0)
        {
          g_autoptr(GBytes) bytes = tm_blob_store_get (tm_store_get_blob_store (ctx->store), sha256, error);
          char size[32];
          gsize len;
          const char *data;

          if (bytes == NULL)
            return FALSE;
          data = g_bytes_get_data (bytes, &len);
          g_snprintf (size, sizeof size, "%zu", len);
          {
            const char *values[] = { sha256, size, ctx->local_site, data };
            int lengths[] = { 0, 0, 0, (int)len };
            int formats[] = { 0, 0, 0, 1 };

            if (!hub_exec_params (ctx, "INSERT INTO originals (sha256, size, origin_site, data)"
                                       " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                  4, values, lengths, formats, &affected, error))
              return FALSE;
          }
          ctx->report->pushed_originals += affected;
        }
      g_hash_table_add (originals_sent, g_strdup (sha256));
    }
  return TRUE;
}

static gboolean
count_rows (TmStore     *store,
            const char  *sql,
            const char  *text_arg,
            gint64       int_arg,
            gint64      *out_count,
            GError     **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  tm_stmt_bind_text_or_null (stmt, 1, text_arg);
  sqlite3_bind_int64 (stmt, 2, int_arg);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      tm_store_set_sql_error (store, error, rc, "cannot count rows");
      return FALSE;
    }
  *out_count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
check_cancelled (SyncContext  *ctx,
                 GError      **error)
{
  return g_cancellable_set_error_if_cancelled (ctx->cancellable, error);
}

static gboolean
push_acquisitions (SyncContext  *ctx,
                   GError      **error)
{
  g_autoptr(GHashTable) originals_sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Point-of-sale and manufacturer test fires never go to a NIBIN network (domain.md). */
  const char *filter = tm_hub_is_nibin (ctx->hub) ? " AND collection = 'casework'" : "";
  g_autofree char *select_sql = g_strdup_printf ("SELECT id FROM acquisitions WHERE origin_site = ?"
                                                 " AND id > ?%s ORDER BY id LIMIT %u", filter, ctx->batch);
  g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM acquisitions WHERE origin_site = ?"
                                                " AND id > ?%s", filter);
  gint64 cursor, total, done = 0, withheld = 0;

  if (!get_cursor (ctx, "push", "acquisitions", &cursor, error) ||
      !count_rows (ctx->store, count_sql, ctx->local_site, cursor, &total, error))
    return FALSE;
  if (tm_hub_is_nibin (ctx->hub))
    {
      if (!count_rows (ctx->store, "SELECT count(*) FROM acquisitions WHERE origin_site = ? AND id > ?"
                                   " AND collection <> 'casework'", ctx->local_site, cursor, &withheld, error))
        return FALSE;
      ctx->report->withheld += (guint)withheld;
    }

  for (;;)
    {
      g_autoptr(GArray) ids = NULL;
      g_autoptr(TmStmt) stmt = NULL;

      if (check_cancelled (ctx, error))
        return FALSE;
      progress (ctx, "push acquisitions", done, total);
      stmt = tm_store_prepare (ctx->store, select_sql, error);
      if (stmt == NULL)
        return FALSE;
      tm_stmt_bind_text_or_null (stmt, 1, ctx->local_site);
      sqlite3_bind_int64 (stmt, 2, cursor);
      ids = tm_store_collect_ids (ctx->store, stmt, "cannot list the acquisitions to push", error);
      if (ids == NULL)
        return FALSE;
      if (ids->len == 0)
        break;

      if (!tm_hub_begin_write (ctx->hub, error))
        return FALSE;
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(TmSyncAcquisition) acquisition = NULL;

          acquisition = tm_sync_acquisition_load (ctx->store, g_array_index (ids, gint64, i), error);
          if (acquisition == NULL || !push_one_acquisition (ctx, acquisition, originals_sent, error))
            {
              tm_hub_rollback (ctx->hub);
              return FALSE;
            }
        }
      if (!tm_hub_commit (ctx->hub, error))
        return FALSE;
      batch_boundary ();
      cursor = g_array_index (ids, gint64, ids->len - 1);
      if (!save_push_cursor (ctx, "acquisitions", cursor, error))
        return FALSE;
      done += ids->len;
    }
  progress (ctx, "push acquisitions", done, total);
  return TRUE;
}

/* A generic push of rows whose columns map one to one to hub parameters; the first
 * selected column is the local cursor (a row id), the others the values. */
typedef struct
{
  const char *entity;       /* cursor name and progress phase */
  const char *local_sql;    /* ?1 = local site, ?2 = cursor; returns rowid + n_values texts */
  const char *count_sql;
  const char *hub_sql;      /* $1…$n */
  int         n_values;
  guint      *counter;
} PushSpec;

static gboolean
push_rows (SyncContext     *ctx,
           const PushSpec  *spec,
           GError         **error)
{
  g_autofree char *phase = g_strdup_printf ("push %s", spec->entity);
  g_autofree char *select_sql = g_strdup_printf ("%s LIMIT %u", spec->local_sql, ctx->batch);
  gint64 cursor, total, done = 0;

  if (!get_cursor (ctx, "push", spec->entity, &cursor, error) ||
      !count_rows (ctx->store, spec->count_sql, ctx->local_site, cursor, &total, error))
    return FALSE;

  for (;;)
    {
      g_autoptr(TmStmt) stmt = NULL;
      gint64 last = cursor;
      guint n = 0;
      int rc;

      if (check_cancelled (ctx, error))
        return FALSE;
      progress (ctx, phase, done, total);
      stmt = tm_store_prepare (ctx->store, select_sql, error);
      if (stmt == NULL)
        return FALSE;
      tm_stmt_bind_text_or_null (stmt, 1, ctx->local_site);
      sqlite3_bind_int64 (stmt, 2, cursor);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *values[16];
          int affected = 0;

          g_assert (spec->n_values <= (int)G_N_ELEMENTS (values));
          if (n == 0 && !tm_hub_begin_write (ctx->hub, error))
            return FALSE;
          last = sqlite3_column_int64 (stmt, 0);
          for (int i = 0; i < spec->n_values; i++)
            values[i] = tm_stmt_column_text (stmt, i + 1);
          if (!hub_exec_params (ctx, spec->hub_sql, spec->n_values, values, NULL, NULL, &affected, error))
            {
              tm_hub_rollback (ctx->hub);
              return FALSE;
            }
          *spec->counter += affected;
          n++;
        }
      if (rc != SQLITE_DONE)
        {
          tm_hub_rollback (ctx->hub);
          tm_store_set_sql_error (ctx->store, error, rc, "cannot list the rows to push");
          return FALSE;
        }
      if (n == 0)
        break;
      if (!tm_hub_commit (ctx->hub, error))
        return FALSE;
      batch_boundary ();
      cursor = last;
      if (!save_push_cursor (ctx, spec->entity, cursor, error))
        return FALSE;
      done += n;
    }
  progress (ctx, phase, done, total);
  return TRUE;
}

/* This site's audit rows. Run again after the pull: what the pull applied is audited
 * here, and the hub then holds this site's whole trail when the sync ends. */
static gboolean
push_audit (SyncContext  *ctx,
            GError      **error)
{
  const PushSpec spec = {
    "audit",
    "SELECT seq, uuid, site, seq, at, user, action, entity_type, entity_uuid, details, prev_hash, hash"
    "  FROM audit_log WHERE site = ?1 AND seq > ?2 ORDER BY seq",
    "SELECT count(*) FROM audit_log WHERE site = ?1 AND seq > ?2",
    "INSERT INTO audit_events (uuid, origin_site, site_seq, at, \"user\", action, entity_type,"
    " entity_uuid, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    " ON CONFLICT DO NOTHING", 11, &ctx->report->pushed_audit,
  };

  return push_rows (ctx, &spec, error);
}

static gboolean
push_all (SyncContext  *ctx,
          GError      **error)
{
  /* lead_members rows carry no site: a member is this site's when its event is (or,
   * without an event row, when the lead is). Members of point-of-sale acquisitions stay
   * away from a NIBIN hub as the acquisitions do. */
  g_autofree char *members_where = g_strdup_printf (
    "  FROM lead_members m JOIN leads l ON l.id = m.lead_id"
    "  JOIN acquisitions a ON a.id = m.acquisition_id"
    "  LEFT JOIN lead_events ev ON ev.uuid = m.event_uuid"
    " WHERE coalesce (ev.origin_site, l.origin_site) = ?1 AND m.rowid > ?2%s",
    tm_hub_is_nibin (ctx->hub) ? " AND a.collection = 'casework'" : "");
  g_autofree char *members_sql = g_strconcat ("SELECT m.rowid, l.uuid, a.uuid, m.added_by, m.added_at,"
                                              " m.event_uuid, ?1", members_where, " ORDER BY m.rowid", NULL);
  g_autofree char *members_count = g_strconcat ("SELECT count(*)", members_where, NULL);
  const PushSpec specs[] = {
    { "leads",
      "SELECT id, uuid, origin_site, created_by, created_at FROM leads"
      " WHERE origin_site = ?1 AND id > ?2 ORDER BY id",
      "SELECT count(*) FROM leads WHERE origin_site = ?1 AND id > ?2",
      "INSERT INTO leads (uuid, origin_site, created_by, created_at) VALUES ($1, $2, $3, $4)"
      " ON CONFLICT (uuid) DO NOTHING", 4, &ctx->report->pushed_leads },
    { "lead-events",
      "SELECT ev.id, ev.uuid, l.uuid, ev.kind, ev.payload, ev.user, ev.at, ev.origin_site"
      "  FROM lead_events ev JOIN leads l ON l.id = ev.lead_id"
      " WHERE ev.origin_site = ?1 AND ev.id > ?2 ORDER BY ev.id",
      "SELECT count(*) FROM lead_events WHERE origin_site = ?1 AND id > ?2",
      "INSERT INTO lead_events (uuid, lead_uuid, kind, payload, \"user\", at, origin_site)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (uuid) DO NOTHING", 7, &ctx->report->pushed_events },
    { "lead-members", members_sql, members_count,
      "INSERT INTO lead_members (lead_uuid, acquisition_uuid, added_by, added_at, event_uuid, origin_site)"
      " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING", 6, &ctx->report->pushed_members },
    { "hits",
      "SELECT h.id, h.uuid, l.uuid, h.event_uuid, h.examiner, h.confirmed_at, h.n_hits, h.origin_site"
      "  FROM hits h JOIN leads l ON l.id = h.lead_id"
      " WHERE h.origin_site = ?1 AND h.id > ?2 ORDER BY h.id",
      "SELECT count(*) FROM hits WHERE origin_site = ?1 AND id > ?2",
      "INSERT INTO hits (uuid, lead_uuid, event_uuid, examiner, confirmed_at, n_hits, origin_site)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (uuid) DO NOTHING", 7, &ctx->report->pushed_hits },
  };

  {
    g_autoptr(TmStmt) stmt = tm_store_prepare (ctx->store, "SELECT name, region FROM sites WHERE uuid = ?", error);
    const char *values[3] = { ctx->local_site, NULL, NULL };

    if (stmt == NULL)
      return FALSE;
    tm_stmt_bind_text_or_null (stmt, 1, ctx->local_site);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      {
        values[1] = tm_stmt_column_text (stmt, 0);
        values[2] = tm_stmt_column_text (stmt, 1);
      }
    if (!tm_hub_begin_write (ctx->hub, error) ||
        !hub_exec_params (ctx, "INSERT INTO sites (uuid, name, region) VALUES ($1, $2, $3)"
                               " ON CONFLICT (uuid) DO NOTHING", 3, values, NULL, NULL, NULL, error) ||
        !tm_hub_commit (ctx->hub, error))
      {
        tm_hub_rollback (ctx->hub);
        return FALSE;
      }
  }

  if (!push_acquisitions (ctx, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    if (!push_rows (ctx, &specs[i], error))
      return FALSE;
  return push_audit (ctx, error);
}

/* Pull */

static TmSyncAcquisition *
acquisition_from_hub (const char  *record_text,
                      GError     **error)
{
  g_autoptr(TmSyncAcquisition) acquisition = tm_sync_acquisition_new ();

  acquisition->meta = object_from_text (record_text, error);
  if (acquisition->meta == NULL)
    return NULL;
  return g_steal_pointer (&acquisition);
}

/* Fills in the derived data of @acquisitions (keyed by UUID) from the hub. */
static gboolean
fetch_derived (SyncContext  *ctx,
               GHashTable   *acquisitions,
               GError      **error)
{
  g_autoptr(GPtrArray) uuids = g_ptr_array_new ();
  g_autofree char *array = NULL;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, acquisitions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (uuids, key);
  g_ptr_array_add (uuids, NULL);
  array = tm_hub_array_literal ((const char * const *)uuids->pdata);
  if (array == NULL)
    return TRUE;

  {
    const char *values[] = { array };
    g_autoptr(PGresult) result = tm_hub_query (ctx->hub,
      "SELECT acquisition_uuid::text, region, width::text, height::text, pixel_um::text, encoding,"
      "       scale::text, \"offset\"::text, data, params_hash"
      "  FROM surfaces WHERE acquisition_uuid = ANY ($1::uuid[]) ORDER BY acquisition_uuid, region",
      1, values, NULL, NULL, TRUE, error);

    if (result == NULL)
      return FALSE;
    for (int r = 0; r < PQntuples (result); r++)
      {
        TmSyncAcquisition *acquisition = g_hash_table_lookup (acquisitions, PQgetvalue (result, r, 0));
        TmSyncSurface *surface;

        if (acquisition == NULL)
          continue;
        surface = tm_sync_surface_new ();
        surface->region = g_strdup (PQgetvalue (result, r, 1));
        surface->width = (int)g_ascii_strtoll (PQgetvalue (result, r, 2), NULL, 10);
        surface->height = (int)g_ascii_strtoll (PQgetvalue (result, r, 3), NULL, 10);
        surface->pixel_um = g_ascii_strtod (PQgetvalue (result, r, 4), NULL);
        surface->encoding = g_strdup (PQgetvalue (result, r, 5));
        surface->scale = g_ascii_strtod (PQgetvalue (result, r, 6), NULL);
        surface->offset = g_ascii_strtod (PQgetvalue (result, r, 7), NULL);
        surface->data = g_bytes_new (PQgetvalue (result, r, 8), PQgetlength (result, r, 8));
        surface->params_hash = g_strdup (PQgetvalue (result, r, 9));
        g_ptr_array_add (acquisition->surfaces, surface);
      }
  }
  {
    const char *values[] = { array };
    g_autoptr(PGresult) result = tm_hub_query (ctx->hub,
      "SELECT acquisition_uuid::text, version::text, params_hash, data"
      "  FROM signatures WHERE acquisition_uuid = ANY ($1::uuid[])",
      1, values, NULL, NULL, TRUE, error);

    if (result == NULL)
      return FALSE;
    for (int r = 0; r < PQntuples (result); r++)
      {
        TmSyncAcquisition *acquisition = g_hash_table_lookup (acquisitions, PQgetvalue (result, r, 0));

        if (acquisition == NULL)
          continue;
        acquisition->signature_version = (int)g_ascii_strtoll (PQgetvalue (result, r, 1), NULL, 10);
        acquisition->signature_params_hash = g_strdup (PQgetvalue (result, r, 2));
        acquisition->signature = g_bytes_new (PQgetvalue (result, r, 3), PQgetlength (result, r, 3));
      }
  }
  return TRUE;
}

static void
count_outcome (SyncContext   *ctx,
               TmSyncOutcome  outcome,
               guint         *applied_counter,
               const char    *entity,
               const char    *uuid,
               const char    *reason)
{
  switch (outcome)
    {
    case TM_SYNC_APPLIED:
      (*applied_counter)++;
      break;
    case TM_SYNC_IDENTICAL:
      ctx->report->identical++;
      break;
    case TM_SYNC_QUARANTINED:
      report_quarantined (ctx, entity, uuid, reason);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Applies hub acquisition rows (uuid, record, record_hash) inside the open local
 * transaction. */
static gboolean
apply_hub_acquisitions (SyncContext  *ctx,
                        PGresult     *result,
                        int           uuid_column,
                        int           record_column,
                        int           hash_column,
                        GError      **error)
{
  g_autoptr(GHashTable) by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_sync_acquisition_free);

  for (int r = 0; r < PQntuples (result); r++)
    {
      g_autoptr(GError) parse_error = NULL;
      TmSyncAcquisition *acquisition = acquisition_from_hub (PQgetvalue (result, r, record_column), &parse_error);

      g_ptr_array_add (list, acquisition);
      if (acquisition != NULL)
        g_hash_table_insert (by_uuid, PQgetvalue (result, r, uuid_column), acquisition);
    }
  if (!fetch_derived (ctx, by_uuid, error))
    return FALSE;

  for (int r = 0; r < PQntuples (result); r++)
    {
      TmSyncAcquisition *acquisition = g_ptr_array_index (list, r);
      const char *uuid = PQgetvalue (result, r, uuid_column);
      g_autofree char *reason = NULL;
      g_autofree char *hash = NULL;
      TmSyncOutcome outcome = TM_SYNC_QUARANTINED;
      gboolean blob_created = FALSE;

      g_autoptr(GError) record_error = NULL;

      if (acquisition == NULL)
        reason = g_strdup ("malformed record: not a JSON object");
      else if ((hash = tm_sync_meta_hash (acquisition->meta, &record_error)) == NULL)
        reason = g_strdup_printf ("malformed record: %s", record_error->message);
      else if (!g_str_equal (hash, PQgetvalue (result, r, hash_column)))
        reason = g_strdup ("the record does not match its hash on the hub");
      else if (g_strcmp0 (str_member (acquisition->meta, "uuid"), uuid) != 0)
        reason = g_strdup ("the record's UUID is not the one it is filed under");
      if (reason != NULL)
        {
          if (!tm_sync_quarantine (ctx->store, ctx->source, "acquisition", uuid, reason,
                                   PQgetvalue (result, r, record_column), error))
            return FALSE;
        }
      else if (!tm_sync_acquisition_apply (ctx->store, acquisition, ctx->source, tm_hub_get_uuid (ctx->hub),
                                           NULL, &ctx->audit, &outcome, &blob_created, &reason, error))
        return FALSE;
      count_outcome (ctx, outcome, &ctx->report->pulled_acquisitions, "acquisition", uuid, reason);
    }
  return TRUE;
}

/* The local id of acquisition @uuid, fetched from the hub (whatever the scope) when it
 * is not here; 0 when the hub does not have it either or it was quarantined. */
static gint64
ensure_acquisition (SyncContext  *ctx,
                    const char   *uuid,
                    GError      **error)
{
  const char *values[] = { uuid };
  g_autoptr(PGresult) result = NULL;
  gint64 id = lookup_id (ctx->store, "SELECT id FROM acquisitions WHERE uuid = ?", uuid, NULL, error);

  if (id != 0)
    return id;
  result = tm_hub_query (ctx->hub, "SELECT uuid::text, record::text, record_hash FROM acquisitions"
                                   " WHERE uuid = $1", 1, values, NULL, NULL, TRUE, error);
  if (result == NULL)
    return -1;
  if (PQntuples (result) == 0)
    return 0;
  if (!apply_hub_acquisitions (ctx, result, 0, 1, 2, error))
    return -1;
  return lookup_id (ctx->store, "SELECT id FROM acquisitions WHERE uuid = ?", uuid, NULL, error);
}

static gboolean backfill_lead (SyncContext  *ctx,
                               const char   *uuid,
                               GError      **error);

/* The local id of lead @uuid, fetched from the hub when it is not here, with
 * everything on it: a lead becomes relevant here (a member in scope) possibly long
 * after its events and members went past the pull cursors. */
static gint64
ensure_lead (SyncContext  *ctx,
             const char   *uuid,
             GError      **error)
{
  gint64 lead_id;

  const char *values[] = { uuid };
  g_autoptr(PGresult) result = NULL;
  g_autoptr(TmStmt) stmt = NULL;
  gint64 id = lookup_id (ctx->store, "SELECT id FROM leads WHERE uuid = ?", uuid, NULL, error);

  if (id != 0)
    return id;
  result = tm_hub_query (ctx->hub, "SELECT origin_site::text, created_by, created_at FROM leads"
                                   " WHERE uuid = $1", 1, values, NULL, NULL, FALSE, error);
  if (result == NULL)
    return -1;
  if (PQntuples (result) == 0)
    return 0;
  stmt = tm_store_prepare (ctx->store, "INSERT INTO leads (uuid, origin_site, created_by, created_at)"
                                       " VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return -1;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  tm_stmt_bind_text_or_null (stmt, 2, PQgetvalue (result, 0, 0));
  tm_stmt_bind_text_or_null (stmt, 3, PQgetvalue (result, 0, 1));
  tm_stmt_bind_text_or_null (stmt, 4, PQgetvalue (result, 0, 2));
  if (!tm_store_step_done (ctx->store, stmt, "cannot record the lead", error))
    return -1;
  lead_id = sqlite3_last_insert_rowid (tm_store_get_db (ctx->store));
  ctx->report->pulled_leads++;
  if (!audit_applied (ctx->store, &ctx->audit, "lead", "lead", uuid, PQgetvalue (result, 0, 0), NULL, error) ||
      !backfill_lead (ctx, uuid, error))
    return -1;
  return lead_id;
}

/* Event @uuid of lead @lead_id is here (inserted from @row when not); returns 1 when
 * inserted, 0 when it was here already, 2 when a different event holds the UUID,
 * -1 on error. */
static int
insert_event (SyncContext  *ctx,
              gint64        lead_id,
              const char   *lead_uuid,
              const char   *uuid,
              const char   *kind,
              const char   *payload,
              const char   *user,
              const char   *at,
              const char   *origin,
              GError      **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  int rc;

  stmt = tm_store_prepare (ctx->store, "SELECT lead_id = ? AND kind = ? AND payload = ? AND user = ?"
                                       " AND at = ? AND origin_site = ? FROM lead_events WHERE uuid = ?", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  tm_stmt_bind_text_or_null (stmt, 2, kind);
  tm_stmt_bind_text_or_null (stmt, 3, payload);
  tm_stmt_bind_text_or_null (stmt, 4, user);
  tm_stmt_bind_text_or_null (stmt, 5, at);
  tm_stmt_bind_text_or_null (stmt, 6, origin);
  tm_stmt_bind_text_or_null (stmt, 7, uuid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int (stmt, 0) ? 0 : 2;
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (ctx->store, error, rc, "cannot look the lead event up");
      return -1;
    }
  g_clear_pointer (&stmt, tm_stmt_free);
  if (!tm_store_exec (ctx->store, "SAVEPOINT tm_sync_event", error))
    return -1;
  stmt = tm_store_prepare (ctx->store, "INSERT INTO lead_events (uuid, lead_id, kind, payload, user, at,"
                                       " origin_site) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return -1;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  sqlite3_bind_int64 (stmt, 2, lead_id);
  tm_stmt_bind_text_or_null (stmt, 3, kind);
  tm_stmt_bind_text_or_null (stmt, 4, payload);
  tm_stmt_bind_text_or_null (stmt, 5, user);
  tm_stmt_bind_text_or_null (stmt, 6, at);
  tm_stmt_bind_text_or_null (stmt, 7, origin);
  rc = sqlite3_step (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      tm_store_exec (ctx->store, "ROLLBACK TO tm_sync_event; RELEASE tm_sync_event", NULL);
      return 3;
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (ctx->store, error, rc, "cannot record the lead event");
      return -1;
    }
  {
    JsonObject *extra = json_object_new ();

    add_string_or_null (extra, "event", uuid);
    add_string_or_null (extra, "kind", kind);
    add_string_or_null (extra, "by", user);
    if (!audit_applied (ctx->store, &ctx->audit, "lead-event", "lead", lead_uuid, origin, extra, error))
      return -1;
  }
  return tm_store_exec (ctx->store, "RELEASE tm_sync_event", error) ? 1 : -1;
}

/* A pulled hit connects the cases its lead held when it was confirmed, as a local
 * confirmation does (tm-workflow.c), so the ATF count of a later hit here knows them
 * to be linked already; then its audit row. */
static gboolean
link_hit_cases (SyncContext  *ctx,
                gint64        hit_id,
                gint64        lead_id,
                const char   *lead_uuid,
                const char   *hit_uuid,
                const char   *examiner,
                const char   *confirmed_at,
                const char   *n_hits,
                const char   *origin,
                GError      **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autoptr(GArray) cases = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonObject *extra;
  JsonArray *case_uuids = json_array_new ();
  int rc;

  /* Members added after the confirmation (here or at another site) were not part of
   * what the examiner concluded. */
  stmt = tm_store_prepare (ctx->store, "SELECT DISTINCT e.case_id, c.uuid FROM lead_members m"
                                       " JOIN acquisitions a ON a.id = m.acquisition_id"
                                       " JOIN exhibits e ON e.id = a.exhibit_id"
                                       " JOIN cases c ON c.id = e.case_id"
                                       " WHERE m.lead_id = ? AND m.added_at <= ? ORDER BY e.case_id", error);
  if (stmt == NULL)
    {
      json_array_unref (case_uuids);
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, lead_id);
  tm_stmt_bind_text_or_null (stmt, 2, confirmed_at);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (cases, id);
      json_array_add_string_element (case_uuids, tm_stmt_column_text (stmt, 1));
    }
  if (rc != SQLITE_DONE)
    {
      json_array_unref (case_uuids);
      tm_store_set_sql_error (ctx->store, error, rc, "cannot read the hit's cases");
      return FALSE;
    }
  g_clear_pointer (&stmt, tm_stmt_free);

  for (guint i = 0; i < cases->len; i++)
    for (guint j = i + 1; j < cases->len; j++)
      {
        stmt = tm_store_prepare (ctx->store, "INSERT OR IGNORE INTO case_links (case_a, case_b, source, hit_id,"
                                             " user, at) VALUES (?, ?, 'hit', ?, ?, ?)", error);
        if (stmt == NULL)
          {
            json_array_unref (case_uuids);
            return FALSE;
          }
        sqlite3_bind_int64 (stmt, 1, g_array_index (cases, gint64, i));
        sqlite3_bind_int64 (stmt, 2, g_array_index (cases, gint64, j));
        sqlite3_bind_int64 (stmt, 3, hit_id);
        tm_stmt_bind_text_or_null (stmt, 4, examiner);
        tm_stmt_bind_text_or_null (stmt, 5, confirmed_at);
        if (!tm_store_step_done (ctx->store, stmt, "cannot record the case link", error))
          {
            json_array_unref (case_uuids);
            return FALSE;
          }
        g_clear_pointer (&stmt, tm_stmt_free);
      }

  extra = json_object_new ();
  add_string_or_null (extra, "lead", lead_uuid);
  add_string_or_null (extra, "examiner", examiner);
  json_object_set_int_member (extra, "n_hits", g_ascii_strtoll (n_hits, NULL, 10));
  json_object_set_array_member (extra, "cases", case_uuids);
  return audit_applied (ctx->store, &ctx->audit, "hit", "hit", hit_uuid, origin, extra, error);
}

/* Which pull a hub row belongs to, and how it is applied. */
typedef enum
{
  PULL_ACQUISITIONS,
  PULL_LEADS,
  PULL_EVENTS,
  PULL_MEMBERS,
  PULL_HITS,
} PullKind;

static gboolean
apply_pull_row (SyncContext  *ctx,
                PullKind      kind,
                PGresult     *result,
                int           r,
                GError      **error)
{
  const char *uuid = PQgetvalue (result, r, 1);
  g_autofree char *reason = NULL;

  switch (kind)
    {
    case PULL_LEADS:
      {
        gint64 id = ensure_lead (ctx, uuid, error);

        return id >= 0;
      }
    case PULL_EVENTS:
      {
        gint64 lead_id = ensure_lead (ctx, PQgetvalue (result, r, 2), error);
        int inserted;

        if (lead_id < 0)
          return FALSE;
        if (lead_id == 0)
          reason = g_strdup_printf ("names lead %s, which the hub does not hold", PQgetvalue (result, r, 2));
        else
          {
            inserted = insert_event (ctx, lead_id, PQgetvalue (result, r, 2), uuid, PQgetvalue (result, r, 3),
                                     PQgetvalue (result, r, 4),
                                     PQgetvalue (result, r, 5), PQgetvalue (result, r, 6),
                                     PQgetvalue (result, r, 7), error);
            if (inserted < 0)
              return FALSE;
            if (inserted == 1)
              ctx->report->pulled_events++;
            else if (inserted == 0)
              ctx->report->identical++;
            else if (inserted == 2)
              reason = g_strdup ("a different lead event is recorded here under the same UUID");
            else
              reason = g_strdup_printf ("refused by the database: %s", sqlite3_errmsg (tm_store_get_db (ctx->store)));
          }
        if (reason != NULL)
          {
            report_quarantined (ctx, "lead-event", uuid, reason);
            return tm_sync_quarantine (ctx->store, ctx->source, "lead-event", uuid, reason, NULL, error);
          }
        return TRUE;
      }
    case PULL_MEMBERS:
      {
        /* Columns: seq, lead uuid, acquisition uuid, added_by, added_at, event_uuid, origin. */
        const char *lead_uuid = PQgetvalue (result, r, 1);
        const char *acquisition_uuid = PQgetvalue (result, r, 2);
        g_autofree char *key = g_strdup_printf ("%s/%s", lead_uuid, acquisition_uuid);
        gint64 lead_id = ensure_lead (ctx, lead_uuid, error);
        gint64 acquisition_id;
        g_autoptr(TmStmt) stmt = NULL;

        if (lead_id < 0)
          return FALSE;
        acquisition_id = lead_id > 0 ? ensure_acquisition (ctx, acquisition_uuid, error) : 0;
        if (acquisition_id < 0)
          return FALSE;
        if (lead_id == 0 || acquisition_id == 0)
          {
            reason = g_strdup_printf ("names %s %s, which the hub does not hold or was quarantined",
                                      lead_id == 0 ? "lead" : "acquisition",
                                      lead_id == 0 ? lead_uuid : acquisition_uuid);
            report_quarantined (ctx, "lead-member", key, reason);
            return tm_sync_quarantine (ctx->store, ctx->source, "lead-member", key, reason, NULL, error);
          }
        stmt = tm_store_prepare (ctx->store, "INSERT OR IGNORE INTO lead_members (lead_id, acquisition_id,"
                                             " added_by, added_at, event_uuid) VALUES (?, ?, ?, ?, ?)", error);
        if (stmt == NULL)
          return FALSE;
        sqlite3_bind_int64 (stmt, 1, lead_id);
        sqlite3_bind_int64 (stmt, 2, acquisition_id);
        tm_stmt_bind_text_or_null (stmt, 3, PQgetvalue (result, r, 3));
        tm_stmt_bind_text_or_null (stmt, 4, PQgetvalue (result, r, 4));
        tm_stmt_bind_text_or_null (stmt, 5, PQgetvalue (result, r, 5));
        if (!tm_store_step_done (ctx->store, stmt, "cannot record the lead member", error))
          return FALSE;
        if (sqlite3_changes (tm_store_get_db (ctx->store)) > 0)
          {
            JsonObject *extra = json_object_new ();

            ctx->report->pulled_members++;
            add_string_or_null (extra, "acquisition", acquisition_uuid);
            add_string_or_null (extra, "by", PQgetvalue (result, r, 3));
            if (!audit_applied (ctx->store, &ctx->audit, "lead-member", "lead", lead_uuid,
                                PQgetvalue (result, r, 6), extra, error))
              return FALSE;
          }
        else
          ctx->report->identical++;
        return TRUE;
      }
    case PULL_HITS:
      {
        /* Columns: seq, uuid, lead uuid, event uuid, examiner, confirmed_at, n_hits, origin. */
        const char *event_uuid = PQgetvalue (result, r, 3);
        gint64 lead_id = ensure_lead (ctx, PQgetvalue (result, r, 2), error);
        gint64 event_id;
        g_autoptr(TmStmt) stmt = NULL;

        if (lead_id < 0)
          return FALSE;
        event_id = lookup_id (ctx->store, "SELECT id FROM lead_events WHERE uuid = ?", event_uuid, NULL, error);
        if (event_id < 0)
          return FALSE;
        if (event_id == 0 && lead_id > 0)
          {
            const char *values[] = { event_uuid };
            g_autoptr(PGresult) event = tm_hub_query (ctx->hub,
              "SELECT kind, payload, \"user\", at, origin_site::text FROM lead_events WHERE uuid = $1",
              1, values, NULL, NULL, FALSE, error);

            if (event == NULL)
              return FALSE;
            if (PQntuples (event) == 1)
              {
                int inserted = insert_event (ctx, lead_id, PQgetvalue (result, r, 2), event_uuid,
                                             PQgetvalue (event, 0, 0),
                                             PQgetvalue (event, 0, 1), PQgetvalue (event, 0, 2),
                                             PQgetvalue (event, 0, 3), PQgetvalue (event, 0, 4), error);
                if (inserted < 0)
                  return FALSE;
                event_id = inserted == 1 ? 1 : 0;
                if (inserted == 1)
                  ctx->report->pulled_events++;
              }
          }
        if (lead_id == 0 || event_id == 0)
          {
            reason = g_strdup ("names a lead or conclusion event the hub does not hold");
            report_quarantined (ctx, "hit", uuid, reason);
            return tm_sync_quarantine (ctx->store, ctx->source, "hit", uuid, reason, NULL, error);
          }
        stmt = tm_store_prepare (ctx->store, "INSERT OR IGNORE INTO hits (uuid, lead_id, event_uuid, examiner,"
                                             " confirmed_at, n_hits, origin_site) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 error);
        if (stmt == NULL)
          return FALSE;
        tm_stmt_bind_text_or_null (stmt, 1, uuid);
        sqlite3_bind_int64 (stmt, 2, lead_id);
        tm_stmt_bind_text_or_null (stmt, 3, event_uuid);
        tm_stmt_bind_text_or_null (stmt, 4, PQgetvalue (result, r, 4));
        tm_stmt_bind_text_or_null (stmt, 5, PQgetvalue (result, r, 5));
        sqlite3_bind_int64 (stmt, 6, g_ascii_strtoll (PQgetvalue (result, r, 6), NULL, 10));
        tm_stmt_bind_text_or_null (stmt, 7, PQgetvalue (result, r, 7));
        if (!tm_store_step_done (ctx->store, stmt, "cannot record the hit", error))
          return FALSE;
        if (sqlite3_changes (tm_store_get_db (ctx->store)) == 0)
          {
            ctx->report->identical++;
            return TRUE;
          }
        ctx->report->pulled_hits++;
        return link_hit_cases (ctx, sqlite3_last_insert_rowid (tm_store_get_db (ctx->store)), lead_id,
                               PQgetvalue (result, r, 2), uuid, PQgetvalue (result, r, 4),
                               PQgetvalue (result, r, 5), PQgetvalue (result, r, 6), PQgetvalue (result, r, 7),
                               error);
      }
    case PULL_ACQUISITIONS:
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

/* Every lead held here, as a PostgreSQL array literal (NULL when none). */
static gboolean
local_lead_uuids (SyncContext  *ctx,
                  char        **out_array,
                  GError      **error)
{
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(TmStmt) stmt = tm_store_prepare (ctx->store, "SELECT uuid FROM leads ORDER BY id", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (uuids, g_strdup (tm_stmt_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (ctx->store, error, rc, "cannot list the leads");
      return FALSE;
    }
  g_ptr_array_add (uuids, NULL);
  *out_array = tm_hub_array_literal ((const char * const *)uuids->pdata);
  return TRUE;
}

/* Everything on lead @uuid that other sites recorded, applied as the pulls do (a replay
 * of a row already here changes nothing). */
static gboolean
backfill_lead (SyncContext  *ctx,
               const char   *uuid,
               GError      **error)
{
  static const struct
  {
    PullKind    kind;
    const char *sql;
  } parts[] = {
    { PULL_EVENTS,
      "SELECT seq::text, uuid::text, lead_uuid::text, kind, payload, \"user\", at, origin_site::text"
      "  FROM lead_events WHERE lead_uuid = $1::uuid AND origin_site <> $2::uuid ORDER BY seq" },
    { PULL_MEMBERS,
      "SELECT seq::text, lead_uuid::text, acquisition_uuid::text, added_by, added_at, event_uuid::text,"
      "       origin_site::text"
      "  FROM lead_members WHERE lead_uuid = $1::uuid AND origin_site <> $2::uuid ORDER BY seq" },
    { PULL_HITS,
      "SELECT seq::text, uuid::text, lead_uuid::text, event_uuid::text, examiner, confirmed_at,"
      "       n_hits::text, origin_site::text"
      "  FROM hits WHERE lead_uuid = $1::uuid AND origin_site <> $2::uuid ORDER BY seq" },
  };
  const char *values[] = { uuid, ctx->local_site };

  for (guint p = 0; p < G_N_ELEMENTS (parts); p++)
    {
      g_autoptr(PGresult) result = tm_hub_query (ctx->hub, parts[p].sql, 2, values, NULL, NULL, FALSE, error);

      if (result == NULL)
        return FALSE;
      for (int r = 0; r < PQntuples (result); r++)
        if (!apply_pull_row (ctx, parts[p].kind, result, r, error))
          return FALSE;
    }
  return TRUE;
}

static gboolean
pull_entity (SyncContext  *ctx,
             const char   *entity,
             PullKind      kind,
             const char   *from_where,   /* FROM … WHERE seq > $1 AND origin_site <> $2 … */
             const char   *columns,      /* seq::text first */
             const char   *sites,
             const char   *calibres,
             GError      **error)
{
  g_autofree char *phase = g_strdup_printf ("pull %s", entity);
  g_autofree char *select_sql = g_strdup_printf ("SELECT %s %s ORDER BY seq::bigint LIMIT %u", columns, from_where, ctx->batch);
  g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) %s", from_where);
  gboolean scoped = kind == PULL_ACQUISITIONS;
  g_autofree char *local_leads = NULL;
  const char *values[5];
  char cursor_text[32];
  gint64 cursor, total = 0, done = 0;
  int n_params = scoped ? 4 : 5;

  if (!get_cursor (ctx, "pull", entity, &cursor, error))
    return FALSE;
  /* Rows of leads held here keep coming whatever the scope says now. */
  if (!scoped && !local_lead_uuids (ctx, &local_leads, error))
    return FALSE;
  g_snprintf (cursor_text, sizeof cursor_text, "%" G_GINT64_FORMAT, cursor);
  values[0] = cursor_text;
  values[1] = ctx->local_site;
  values[2] = sites;
  values[3] = calibres;
  values[4] = local_leads;
  {
    g_autoptr(PGresult) count = tm_hub_query (ctx->hub, count_sql, n_params, values, NULL, NULL, FALSE, error);

    if (count == NULL)
      return FALSE;
    total = g_ascii_strtoll (PQgetvalue (count, 0, 0), NULL, 10);
  }

  for (;;)
    {
      g_autoptr(PGresult) result = NULL;
      int n;

      if (check_cancelled (ctx, error))
        return FALSE;
      progress (ctx, phase, done, total);
      g_snprintf (cursor_text, sizeof cursor_text, "%" G_GINT64_FORMAT, cursor);
      result = tm_hub_query (ctx->hub, select_sql, n_params, values, NULL, NULL, scoped, error);
      if (result == NULL)
        return FALSE;
      n = PQntuples (result);
      if (n == 0)
        break;

      if (!tm_store_begin (ctx->store, error))
        return FALSE;
      if (scoped)
        {
          if (!apply_hub_acquisitions (ctx, result, 1, 2, 3, error))
            goto fail;
        }
      else
        for (int r = 0; r < n; r++)
          if (!apply_pull_row (ctx, kind, result, r, error))
            goto fail;
      cursor = g_ascii_strtoll (PQgetvalue (result, n - 1, 0), NULL, 10);
      if (!set_cursor (ctx, "pull", entity, cursor, error) || !tm_store_commit (ctx->store, error))
        goto fail;
      batch_boundary ();
      done += n;
    }
  progress (ctx, phase, done, total);
  return TRUE;

fail:
  tm_store_rollback (ctx->store);
  return FALSE;
}

static char *
scope_fingerprint (const TmSyncOptions *options)
{
  g_autofree char *sites = options->scope_sites ? g_strjoinv (",", (char **)options->scope_sites) : NULL;
  g_autofree char *calibres = options->scope_calibres ? g_strjoinv (",", (char **)options->scope_calibres) : NULL;

  return g_strdup_printf ("sites=%s;calibres=%s", sites ? sites : "", calibres ? calibres : "");
}

/* Records the hub and, when the search scope changed since the last pull, starts the
 * acquisitions pull over (what is already here is skipped as identical). */
static gboolean
register_hub (SyncContext  *ctx,
              GError      **error)
{
  g_autofree char *scope = scope_fingerprint (ctx->options);
  g_autoptr(TmStmt) stmt = NULL;
  gboolean changed = FALSE;
  int rc;

  if (!tm_store_begin (ctx->store, error))
    return FALSE;
  stmt = tm_store_prepare (ctx->store, "SELECT pull_scope FROM sync_hubs WHERE hub_uuid = ?", error);
  if (stmt == NULL)
    goto fail;
  tm_stmt_bind_text_or_null (stmt, 1, tm_hub_get_uuid (ctx->hub));
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    changed = !g_str_equal (tm_stmt_column_text (stmt, 0), scope);
  g_clear_pointer (&stmt, tm_stmt_free);

  stmt = tm_store_prepare (ctx->store, "INSERT INTO sync_hubs (hub_uuid, url, network_type, pull_scope)"
                                       " VALUES (?, ?, ?, ?) ON CONFLICT (hub_uuid) DO UPDATE SET"
                                       " url = excluded.url, network_type = excluded.network_type", error);
  if (stmt == NULL)
    goto fail;
  tm_stmt_bind_text_or_null (stmt, 1, tm_hub_get_uuid (ctx->hub));
  tm_stmt_bind_text_or_null (stmt, 2, ctx->source);
  tm_stmt_bind_text_or_null (stmt, 3, tm_hub_get_network_type (ctx->hub));
  tm_stmt_bind_text_or_null (stmt, 4, scope);
  if (!tm_store_step_done (ctx->store, stmt, "cannot record the hub", error))
    goto fail;
  if (changed && ctx->options->pull)
    {
      g_clear_pointer (&stmt, tm_stmt_free);
      stmt = tm_store_prepare (ctx->store, "UPDATE sync_hubs SET pull_scope = ? WHERE hub_uuid = ?", error);
      if (stmt == NULL)
        goto fail;
      tm_stmt_bind_text_or_null (stmt, 1, scope);
      tm_stmt_bind_text_or_null (stmt, 2, tm_hub_get_uuid (ctx->hub));
      if (!tm_store_step_done (ctx->store, stmt, "cannot record the search scope", error) ||
          !set_cursor (ctx, "pull", "acquisitions", 0, error))
        goto fail;
    }
  return tm_store_commit (ctx->store, error);

fail:
  tm_store_rollback (ctx->store);
  return FALSE;
}

static gboolean
pull_all (SyncContext  *ctx,
          GError      **error)
{
  g_autofree char *sites = tm_hub_array_literal (ctx->options->scope_sites);
  g_autofree char *calibres = tm_hub_array_literal (ctx->options->scope_calibres);

  /* A lead is pulled when it concerns this site: one of its members is this site's
   * acquisition or one within the search scope (then all of it comes, members outside
   * the scope included), or the lead is held here already. */
#define RELEVANT(lead) \
  " AND (" lead " = ANY ($5::uuid[]) OR EXISTS (SELECT 1 FROM lead_members rm" \
  "      JOIN acquisitions ra ON ra.uuid = rm.acquisition_uuid" \
  "     WHERE rm.lead_uuid = " lead " AND (ra.origin_site = $2::uuid" \
  "       OR (($3::uuid[] IS NULL OR ra.origin_site = ANY ($3::uuid[]))" \
  "           AND ($4::text[] IS NULL OR ra.calibre = ANY ($4::text[]))))))"

  if (!pull_entity (ctx, "acquisitions", PULL_ACQUISITIONS,
                    "FROM acquisitions WHERE seq > $1 AND origin_site <> $2::uuid"
                    " AND ($3::uuid[] IS NULL OR origin_site = ANY ($3::uuid[]))"
                    " AND ($4::text[] IS NULL OR calibre = ANY ($4::text[]))",
                    "seq::text, uuid::text, record::text, record_hash", sites, calibres, error) ||
      !pull_entity (ctx, "leads", PULL_LEADS,
                    "FROM leads WHERE seq > $1 AND origin_site <> $2::uuid" RELEVANT ("leads.uuid"),
                    "seq::text, uuid::text", sites, calibres, error) ||
      !pull_entity (ctx, "lead-events", PULL_EVENTS,
                    "FROM lead_events WHERE seq > $1 AND origin_site <> $2::uuid" RELEVANT ("lead_events.lead_uuid"),
                    "seq::text, uuid::text, lead_uuid::text, kind, payload, \"user\", at, origin_site::text",
                    sites, calibres, error) ||
      !pull_entity (ctx, "lead-members", PULL_MEMBERS,
                    "FROM lead_members WHERE seq > $1 AND origin_site <> $2::uuid" RELEVANT ("lead_members.lead_uuid"),
                    "seq::text, lead_uuid::text, acquisition_uuid::text, added_by, added_at, event_uuid::text,"
                    " origin_site::text", sites, calibres, error) ||
      !pull_entity (ctx, "hits", PULL_HITS,
                    "FROM hits WHERE seq > $1 AND origin_site <> $2::uuid" RELEVANT ("hits.lead_uuid"),
                    "seq::text, uuid::text, lead_uuid::text, event_uuid::text, examiner, confirmed_at,"
                    " n_hits::text, origin_site::text", sites, calibres, error))
    return FALSE;
#undef RELEVANT
  return TRUE;
}

gboolean
tm_sync_run (TmStore             *store,
             const char          *hub_url,
             const TmSyncOptions *options,
             TmSyncReport        *report,
             TmSyncProgressFunc   progress_func,
             gpointer             progress_data,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(TmHub) hub = NULL;
  TmSyncOptions defaults = { 0 };
  SyncContext ctx = { 0 };
  g_autofree char *now = NULL;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (hub_url != NULL, FALSE);
  g_return_val_if_fail (report != NULL && report->messages != NULL, FALSE);

  if (options == NULL)
    options = &defaults;
  defaults = *options;
  if (!defaults.push && !defaults.pull)
    defaults.push = defaults.pull = TRUE;

  hub = tm_hub_connect (hub_url, error);
  if (hub == NULL)
    return FALSE;

  ctx.store = store;
  ctx.hub = hub;
  ctx.options = &defaults;
  ctx.report = report;
  ctx.progress = progress_func;
  ctx.progress_data = progress_data;
  ctx.cancellable = cancellable;
  ctx.local_site = tm_store_get_local_site (store);
  ctx.source = tm_hub_get_display_url (hub);
  ctx.batch = defaults.batch_size > 0 ? defaults.batch_size : DEFAULT_BATCH;
  ctx.audit.user = g_get_user_name ();
  ctx.audit.action_prefix = "sync-pulled";
  ctx.audit.via_key = "hub";
  ctx.audit.via = ctx.source;

  if (!register_hub (&ctx, error))
    return FALSE;
  if (defaults.push && !push_all (&ctx, error))
    return FALSE;
  if (defaults.pull && !pull_all (&ctx, error))
    return FALSE;
  if (defaults.push && defaults.pull && !push_audit (&ctx, error))
    return FALSE;

  now = tm_store_now_iso8601 ();
  {
    g_autoptr(TmStmt) stmt = tm_store_prepare (store, "UPDATE sync_hubs SET"
                                                      " last_push_at = CASE WHEN ?1 THEN ?3 ELSE last_push_at END,"
                                                      " last_pull_at = CASE WHEN ?2 THEN ?3 ELSE last_pull_at END"
                                                      " WHERE hub_uuid = ?4", error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int (stmt, 1, defaults.push);
    sqlite3_bind_int (stmt, 2, defaults.pull);
    tm_stmt_bind_text_or_null (stmt, 3, now);
    tm_stmt_bind_text_or_null (stmt, 4, tm_hub_get_uuid (hub));
    if (!tm_store_step_done (store, stmt, "cannot record the sync time", error))
      return FALSE;
  }
  return TRUE;
}

/* Remote originals */

GBytes *
tm_sync_fetch_original (TmStore     *store,
                        const char  *hub_url,
                        gint64       id,
                        GError     **error)
{
  g_autoptr(TmAcquisition) acquisition = NULL;
  g_autoptr(TmHub) hub = NULL;
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *actual = NULL;
  TmBlobStore *blobs;
  const char *sha256;
  const char *values[1];
  gboolean created = FALSE;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);

  acquisition = tm_store_get_acquisition (store, id, error);
  if (acquisition == NULL)
    return NULL;
  blobs = tm_store_get_blob_store (store);
  sha256 = tm_acquisition_get_sha256 (acquisition);
  if (tm_blob_store_contains (blobs, sha256))
    return tm_store_read_original (store, id, error);
  if (hub_url == NULL)
    {
      g_set_error (error, TM_SYNC_ERROR, TM_SYNC_ERROR_REMOTE,
                   "acquisition %" G_GINT64_FORMAT " (%s): the original is held by the hub and no hub "
                   "address is set", id, tm_acquisition_get_file (acquisition));
      return NULL;
    }

  hub = tm_hub_connect (hub_url, error);
  if (hub == NULL)
    return NULL;
  values[0] = sha256;
  result = tm_hub_query (hub, "SELECT data FROM originals WHERE sha256 = $1", 1, values, NULL, NULL, TRUE, error);
  if (result == NULL)
    return NULL;
  if (PQntuples (result) == 0)
    {
      g_set_error (error, TM_SYNC_ERROR, TM_SYNC_ERROR_REMOTE,
                   "acquisition %" G_GINT64_FORMAT " (%s): hub %s does not hold its original %s",
                   id, tm_acquisition_get_file (acquisition), tm_hub_get_display_url (hub), sha256);
      return NULL;
    }
  bytes = g_bytes_new (PQgetvalue (result, 0, 0), PQgetlength (result, 0, 0));
  actual = tm_blob_sha256_bytes (bytes);
  if (!g_str_equal (actual, sha256))
    {
      g_set_error (error, TM_SYNC_ERROR, TM_SYNC_ERROR_REMOTE,
                   "acquisition %" G_GINT64_FORMAT " (%s): the original from hub %s hashes to %s, not %s",
                   id, tm_acquisition_get_file (acquisition), tm_hub_get_display_url (hub), actual, sha256);
      return NULL;
    }

  /* Cached: the file in place, then its record, so verify sees it from now on. */
  if (!tm_store_begin (store, error))
    return NULL;
  stmt = tm_store_prepare (store, "DELETE FROM remote_originals WHERE sha256 = ?", error);
  if (stmt == NULL)
    goto fail;
  tm_stmt_bind_text_or_null (stmt, 1, sha256);
  if (!tm_store_step_done (store, stmt, "cannot record the fetched original", error) ||
      !tm_blob_store_put (blobs, sha256, bytes, &created, error) ||
      !tm_store_commit (store, error))
    goto fail;
  return g_steal_pointer (&bytes);

fail:
  tm_store_rollback (store);
  if (created)
    tm_blob_store_remove (blobs, sha256, NULL);
  return NULL;
}

/* Quarantine */

void
tm_sync_quarantined_free (TmSyncQuarantined *item)
{
  if (item == NULL)
    return;
  g_free (item->source);
  g_free (item->entity);
  g_free (item->uuid);
  g_free (item->reason);
  g_free (item->record);
  g_free (item->at);
  g_free (item);
}

GPtrArray *
tm_sync_list_quarantine (TmStore  *store,
                         GError  **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_sync_quarantined_free);
  g_autoptr(TmStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);

  stmt = tm_store_prepare (store, "SELECT id, source, entity, uuid, reason, record, at FROM sync_quarantine"
                                  " ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TmSyncQuarantined *item = g_new0 (TmSyncQuarantined, 1);

      item->id = sqlite3_column_int64 (stmt, 0);
      item->source = g_strdup (tm_stmt_column_text (stmt, 1));
      item->entity = g_strdup (tm_stmt_column_text (stmt, 2));
      item->uuid = g_strdup (tm_stmt_column_text (stmt, 3));
      item->reason = g_strdup (tm_stmt_column_text (stmt, 4));
      item->record = g_strdup (tm_stmt_column_text (stmt, 5));
      item->at = g_strdup (tm_stmt_column_text (stmt, 6));
      g_ptr_array_add (items, item);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the quarantine");
      return NULL;
    }
  return g_steal_pointer (&items);
}
