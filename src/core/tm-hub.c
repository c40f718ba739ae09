/* tm-hub.c — the PostgreSQL database that the sites of a network share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Schema notes. Every table has a `seq` from one hub-wide sequence: a site pulls "what
 * is new since seq N" per table. Writers take one advisory lock per transaction
 * (tm_hub_begin_write), so sequence numbers become visible in order and a cursor never
 * skips a row that committed after a higher one. The hub is not partitioned:
 * PostgreSQL's partitioned tables can only enforce a unique key that contains the
 * partition key, and the global UUID must be unique across every site. Instead each
 * pull path has an index on (filter, seq), the bulky columns (surfaces, signatures,
 * originals) live in their own TOASTed tables, and originals are stored EXTERNAL
 * (X3P files are zip archives already). There are no foreign keys between records:
 * sites push in any order, and a lead may name an acquisition a NIBIN hub refuses to
 * hold (point-of-sale); the puller checks references when it applies records.
 */
#define G_LOG_DOMAIN "tm-hub"

#include "config.h"

#include <string.h>

#include "tm-hub.h"

struct _TmHub
{
  GObject  parent_instance;

  PGconn  *conn;
  char    *display_url;
  char    *uuid;
  char    *network_type;
};

G_DEFINE_FINAL_TYPE (TmHub, tm_hub, G_TYPE_OBJECT)

G_DEFINE_QUARK (tm-hub-error-quark, tm_hub_error)

/* Any constant: the advisory lock key of hub writers ("TMHUB" in ASCII). */
#define HUB_WRITE_LOCK "8477487266"

static const char * const hub_migrations[] = {
  /* 1 */
  "CREATE SEQUENCE hub_seq;"
  "CREATE TABLE sites ("
  "  uuid        uuid PRIMARY KEY,"
  "  name        text NOT NULL,"
  "  region      text,"
  "  first_seen  timestamptz NOT NULL DEFAULT now(),"
  "  seq         bigint NOT NULL DEFAULT nextval('hub_seq')"
  ");"
  "CREATE TABLE cases ("
  "  uuid            uuid PRIMARY KEY,"
  "  origin_site     uuid NOT NULL,"
  "  agency          text NOT NULL,"
  "  case_number     text NOT NULL,"
  "  lab_case_number text,"
  "  incident_date   text,"
  "  offense         text,"
  "  location        text,"
  "  created_at      text,"
  "  seq             bigint NOT NULL DEFAULT nextval('hub_seq')"
  ");"
  "CREATE INDEX cases_number ON cases (agency, case_number);"
  "CREATE TABLE exhibits ("
  "  uuid           uuid PRIMARY KEY,"
  "  case_uuid      uuid NOT NULL,"
  "  origin_site    uuid NOT NULL,"
  "  item_number    text NOT NULL,"
  "  kind           text NOT NULL,"
  "  firearm_make   text,"
  "  firearm_model  text,"
  "  firearm_serial text,"
  "  seq            bigint NOT NULL DEFAULT nextval('hub_seq')"
  ");"
  "CREATE INDEX exhibits_case ON exhibits (case_uuid);"
  /* record: the full metadata (tm-sync.c's JSON); the columns beside it are what pulls
   * and searches filter on. record_hash: SHA-256 of its canonical form, so a re-push
   * tells an identical record from a conflicting one without comparing fields. */
  "CREATE TABLE acquisitions ("
  "  uuid          uuid PRIMARY KEY,"
  "  exhibit_uuid  uuid NOT NULL,"
  "  case_uuid     uuid NOT NULL,"
  "  origin_site   uuid NOT NULL,"
  "  collection    text NOT NULL,"
  "  calibre       text,"
  "  modality      text NOT NULL,"
  "  imported_at   text NOT NULL,"
  "  sha256        text NOT NULL,"
  "  record        jsonb NOT NULL,"
  "  record_hash   text NOT NULL,"
  "  pushed_at     timestamptz NOT NULL DEFAULT now(),"
  "  seq           bigint NOT NULL UNIQUE DEFAULT nextval('hub_seq')"
  ");"
  "CREATE INDEX acquisitions_site_seq ON acquisitions (origin_site, seq);"
  "CREATE INDEX acquisitions_calibre_seq ON acquisitions (calibre, seq);"
  "CREATE INDEX acquisitions_exhibit ON acquisitions (exhibit_uuid);"
  "CREATE INDEX acquisitions_sha256 ON acquisitions (sha256);"
  "CREATE INDEX acquisitions_imported_at ON acquisitions (imported_at);"
  "CREATE TABLE surfaces ("
  "  acquisition_uuid uuid NOT NULL,"
  "  region           text NOT NULL,"
  "  width            integer NOT NULL,"
  "  height           integer NOT NULL,"
  "  pixel_um         double precision NOT NULL,"
  "  encoding         text NOT NULL,"
  "  scale            double precision NOT NULL,"
  "  \"offset\"         double precision NOT NULL,"
  "  data             bytea NOT NULL,"
  "  params_hash      text NOT NULL,"
  "  PRIMARY KEY (acquisition_uuid, region)"
  ");"
  /* Height noise hardly compresses: storing it uncompressed saves the CPU of trying. */
  "ALTER TABLE surfaces ALTER COLUMN data SET STORAGE EXTERNAL;"
  "CREATE TABLE signatures ("
  "  acquisition_uuid uuid PRIMARY KEY,"
  "  version          integer NOT NULL,"
  "  params_hash      text NOT NULL,"
  "  data             bytea NOT NULL"
  ");"
  "CREATE TABLE originals ("
  "  sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),"
  "  size        bigint NOT NULL,"
  "  origin_site uuid NOT NULL,"
  "  data        bytea NOT NULL,"
  "  stored_at   timestamptz NOT NULL DEFAULT now()"
  ");"
  "ALTER TABLE originals ALTER COLUMN data SET STORAGE EXTERNAL;"
  "CREATE TABLE leads ("
  "  uuid        uuid PRIMARY KEY,"
  "  origin_site uuid NOT NULL,"
  "  created_by  text NOT NULL,"
  "  created_at  text NOT NULL,"
  "  seq         bigint NOT NULL UNIQUE DEFAULT nextval('hub_seq')"
  ");"
  "CREATE TABLE lead_events ("
  "  uuid        uuid PRIMARY KEY,"
  "  lead_uuid   uuid NOT NULL,"
  "  kind        text NOT NULL,"
  "  payload     text NOT NULL,"
  "  \"user\"      text NOT NULL,"
  "  at          text NOT NULL,"
  "  origin_site uuid NOT NULL,"
  "  seq         bigint NOT NULL UNIQUE DEFAULT nextval('hub_seq')"
  ");"
  "CREATE INDEX lead_events_lead ON lead_events (lead_uuid);"
  "CREATE TABLE lead_members ("
  "  lead_uuid        uuid NOT NULL,"
  "  acquisition_uuid uuid NOT NULL,"
  "  added_by         text NOT NULL,"
  "  added_at         text NOT NULL,"
  "  event_uuid       uuid NOT NULL,"
  "  origin_site      uuid NOT NULL,"
  "  seq              bigint NOT NULL UNIQUE DEFAULT nextval('hub_seq'),"
  "  PRIMARY KEY (lead_uuid, acquisition_uuid)"
  ");"
  "CREATE INDEX lead_members_acquisition ON lead_members (acquisition_uuid);"
  "CREATE TABLE hits ("
  "  uuid         uuid PRIMARY KEY,"
  "  lead_uuid    uuid NOT NULL,"
  "  event_uuid   uuid NOT NULL,"
  "  examiner     text NOT NULL,"
  "  confirmed_at text NOT NULL,"
  "  n_hits       integer NOT NULL,"
  "  origin_site  uuid NOT NULL,"
  "  seq          bigint NOT NULL UNIQUE DEFAULT nextval('hub_seq')"
  ");"
  "CREATE INDEX hits_lead ON hits (lead_uuid);"
  /* Each site's own hash-chained audit rows, kept as the site wrote them. */
  "CREATE TABLE audit_events ("
  "  uuid        uuid PRIMARY KEY,"
  "  origin_site uuid NOT NULL,"
  "  site_seq    bigint NOT NULL,"
  "  at          text NOT NULL,"
  "  \"user\"      text NOT NULL,"
  "  action      text NOT NULL,"
  "  entity_type text NOT NULL,"
  "  entity_uuid text NOT NULL,"
  "  details     text NOT NULL,"
  "  prev_hash   text NOT NULL,"
  "  hash        text NOT NULL,"
  "  seq         bigint NOT NULL UNIQUE DEFAULT nextval('hub_seq'),"
  "  UNIQUE (origin_site, site_seq)"
  ");"
  "CREATE INDEX audit_events_entity ON audit_events (entity_uuid);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (hub_migrations) == TM_HUB_SCHEMA_VERSION);

static void
tm_hub_finalize (GObject *object)
{
  TmHub *self = (TmHub *)object;

  g_clear_pointer (&self->conn, PQfinish);
  g_clear_pointer (&self->display_url, g_free);
  g_clear_pointer (&self->uuid, g_free);
  g_clear_pointer (&self->network_type, g_free);

  G_OBJECT_CLASS (tm_hub_parent_class)->finalize (object);
}

static void
tm_hub_class_init (TmHubClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tm_hub_finalize;
}

static void
tm_hub_init (TmHub *self)
{
}

char *
tm_hub_redact_url (const char *url)
{
  PQconninfoOption *options;
  GString *out;
  const char *user = NULL, *host = NULL, *port = NULL, *dbname = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  options = PQconninfoParse (url, NULL);
  if (options == NULL)
    return g_strdup ("(unparsable hub address)");
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (o->val == NULL || *o->val == '\0')
        continue;
      if (g_str_equal (o->keyword, "user"))
        user = o->val;
      else if (g_str_equal (o->keyword, "host") || (host == NULL && g_str_equal (o->keyword, "hostaddr")))
        host = o->val;
      else if (g_str_equal (o->keyword, "port"))
        port = o->val;
      else if (g_str_equal (o->keyword, "dbname"))
        dbname = o->val;
    }
  /* Rebuilt from the parsed parts: whatever form the password took, it is not here. */
  out = g_string_new ("postgresql://");
  if (user != NULL)
    g_string_append_printf (out, "%s@", user);
  if (host != NULL)
    g_string_append (out, host[0] == '/' ? "localhost" : host);
  if (port != NULL)
    g_string_append_printf (out, ":%s", port);
  if (dbname != NULL)
    g_string_append_printf (out, "/%s", dbname);
  PQconninfoFree (options);
  return g_string_free (out, FALSE);
}

static PGconn *
open_conn (const char  *url,
           const char  *display,
           GError     **error)
{
  PGconn *conn;

  /* libpq reads a URI or key=value string; expand_dbname only applies to dbname. */
  conn = PQconnectdb (url);
  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strdup (conn != NULL ? PQerrorMessage (conn) : "out of memory");

      g_strchomp (message);
      g_set_error (error, TM_HUB_ERROR, TM_HUB_ERROR_CONNECT,
                   "hub %s: cannot connect (%s); local work is untouched", display, message);
      if (conn != NULL)
        PQfinish (conn);
      return NULL;
    }
  /* Quiet the notices of CREATE … IF NOT EXISTS and friends. */
  PQclear (PQexec (conn, "SET client_min_messages = warning"));
  return conn;
}

static void
set_result_error (GError     **error,
                  const char  *display,
                  PGconn      *conn,
                  PGresult    *result)
{
  g_autofree char *message = g_strdup (result != NULL ? PQresultErrorMessage (result)
                                                      : PQerrorMessage (conn));
  int code = TM_HUB_ERROR_SQL;

  g_strchomp (message);
  if (PQstatus (conn) != CONNECTION_OK)
    code = TM_HUB_ERROR_CONNECT;
  g_set_error (error, TM_HUB_ERROR, code, "hub %s: %s", display, message);
}

static gboolean
conn_exec (PGconn      *conn,
           const char  *display,
           const char  *sql,
           GError     **error)
{
  g_autoptr(PGresult) result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_result_error (error, display, conn, result);
      return FALSE;
    }
  return TRUE;
}

/* The hub's version, uuid and network type; version 0 when the schema is absent. */
static gboolean
read_meta (PGconn      *conn,
           const char  *display,
           int         *out_version,
           char       **out_uuid,
           char       **out_network_type,
           GError     **error)
{
  g_autoptr(PGresult) exists = PQexec (conn, "SELECT to_regclass('hub_meta') IS NOT NULL");
  g_autoptr(PGresult) result = NULL;

  if (PQresultStatus (exists) != PGRES_TUPLES_OK)
    {
      set_result_error (error, display, conn, exists);
      return FALSE;
    }
  *out_version = 0;
  if (!g_str_equal (PQgetvalue (exists, 0, 0), "t"))
    return TRUE;
  result = PQexec (conn, "SELECT key, value FROM hub_meta");
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      set_result_error (error, display, conn, result);
      return FALSE;
    }
  for (int i = 0; i < PQntuples (result); i++)
    {
      const char *key = PQgetvalue (result, i, 0);
      const char *value = PQgetvalue (result, i, 1);

      if (g_str_equal (key, "schema_version"))
        *out_version = (int)g_ascii_strtoll (value, NULL, 10);
      else if (g_str_equal (key, "hub_uuid") && out_uuid != NULL)
        *out_uuid = g_strdup (value);
      else if (g_str_equal (key, "network_type") && out_network_type != NULL)
        *out_network_type = g_strdup (value);
    }
  return TRUE;
}

gboolean
tm_hub_init_schema (const char  *url,
                    const char  *network_type,
                    GError     **error)
{
  g_autofree char *display = NULL;
  g_autofree char *existing_type = NULL;
  g_autofree char *existing_uuid = NULL;
  PGconn *conn;
  int version;

  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (network_type == NULL || g_str_equal (network_type, "nibin") ||
                        g_str_equal (network_type, "other"), FALSE);

  display = tm_hub_redact_url (url);
  conn = open_conn (url, display, error);
  if (conn == NULL)
    return FALSE;

  /* One transaction (PostgreSQL DDL is transactional) under the writers' lock: two
   * sites initialising the same hub at once run the steps once. */
  if (!conn_exec (conn, display, "BEGIN; SELECT pg_advisory_xact_lock(" HUB_WRITE_LOCK ");"
                  "CREATE TABLE IF NOT EXISTS hub_meta (key text PRIMARY KEY, value text NOT NULL)",
                  error) ||
      !read_meta (conn, display, &version, &existing_uuid, &existing_type, error))
    goto fail;

  if (version > TM_HUB_SCHEMA_VERSION)
    {
      g_set_error (error, TM_HUB_ERROR, TM_HUB_ERROR_SCHEMA,
                   "hub %s has schema version %d, newer than the version %d this program knows; "
                   "use a newer Toolmark", display, version, TM_HUB_SCHEMA_VERSION);
      goto fail;
    }
  if (existing_type != NULL && network_type != NULL && !g_str_equal (existing_type, network_type))
    {
      g_set_error (error, TM_HUB_ERROR, TM_HUB_ERROR_SCHEMA,
                   "hub %s is already a '%s' network; its type cannot become '%s' "
                   "(sites have pushed under the old rules)", display, existing_type, network_type);
      goto fail;
    }

  for (; version < TM_HUB_SCHEMA_VERSION; version++)
    {
      g_autofree char *set_version = NULL;

      if (!conn_exec (conn, display, hub_migrations[version], error))
        {
          g_prefix_error (error, "upgrading to hub schema version %d: ", version + 1);
          goto fail;
        }
      set_version = g_strdup_printf ("INSERT INTO hub_meta VALUES ('schema_version', '%d')"
                                     " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                                     version + 1);
      if (!conn_exec (conn, display, set_version, error))
        goto fail;
    }

  if (existing_uuid == NULL)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      const char *values[] = { uuid, network_type != NULL ? network_type : "other" };
      g_autoptr(PGresult) result = PQexecParams (conn,
        "INSERT INTO hub_meta VALUES ('hub_uuid', $1), ('network_type', $2),"
        " ('created_at', now()::text)", 2, NULL, values, NULL, NULL, 0);

      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        {
          set_result_error (error, display, conn, result);
          goto fail;
        }
    }
  if (!conn_exec (conn, display, "COMMIT", error))
    goto fail;
  PQfinish (conn);
  return TRUE;

fail:
  PQclear (PQexec (conn, "ROLLBACK"));
  PQfinish (conn);
  return FALSE;
}

TmHub *
tm_hub_connect (const char  *url,
                GError     **error)
{
  g_autoptr(TmHub) self = NULL;
  int version;

  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (TM_TYPE_HUB, NULL);
  self->display_url = tm_hub_redact_url (url);
  self->conn = open_conn (url, self->display_url, error);
  if (self->conn == NULL)
    return NULL;
  if (!read_meta (self->conn, self->display_url, &version, &self->uuid, &self->network_type, error))
    return NULL;
  if (version == 0 || self->uuid == NULL)
    {
      g_set_error (error, TM_HUB_ERROR, TM_HUB_ERROR_SCHEMA,
                   "hub %s: not a Toolmark hub (create it with 'toolmark-cli hub init URL')",
                   self->display_url);
      return NULL;
    }
  if (version != TM_HUB_SCHEMA_VERSION)
    {
      g_set_error (error, TM_HUB_ERROR, TM_HUB_ERROR_SCHEMA,
                   version > TM_HUB_SCHEMA_VERSION
                   ? "hub %s: schema version %d is newer than the version %d this program knows; use a newer Toolmark"
                   : "hub %s: schema version %d is older than %d; run 'toolmark-cli hub init URL' to migrate it",
                   self->display_url, version, TM_HUB_SCHEMA_VERSION);
      return NULL;
    }
  if (self->network_type == NULL)
    self->network_type = g_strdup ("other");
  return g_steal_pointer (&self);
}

const char *
tm_hub_get_display_url (TmHub *self)
{
  g_return_val_if_fail (TM_IS_HUB (self), NULL);
  return self->display_url;
}

const char *
tm_hub_get_uuid (TmHub *self)
{
  g_return_val_if_fail (TM_IS_HUB (self), NULL);
  return self->uuid;
}

const char *
tm_hub_get_network_type (TmHub *self)
{
  g_return_val_if_fail (TM_IS_HUB (self), NULL);
  return self->network_type;
}

gboolean
tm_hub_is_nibin (TmHub *self)
{
  g_return_val_if_fail (TM_IS_HUB (self), FALSE);
  return g_str_equal (self->network_type, "nibin");
}

PGconn *
tm_hub_get_conn (TmHub *self)
{
  g_return_val_if_fail (TM_IS_HUB (self), NULL);
  return self->conn;
}

gboolean
tm_hub_exec (TmHub       *self,
             const char  *sql,
             GError     **error)
{
  g_return_val_if_fail (TM_IS_HUB (self), FALSE);
  return conn_exec (self->conn, self->display_url, sql, error);
}

PGresult *
tm_hub_query (TmHub              *self,
              const char         *sql,
              int                 n_params,
              const char * const *values,
              const int          *lengths,
              const int          *formats,
              gboolean            binary_result,
              GError            **error)
{
  PGresult *result;
  ExecStatusType status;

  g_return_val_if_fail (TM_IS_HUB (self), NULL);

  result = PQexecParams (self->conn, sql, n_params, NULL, values, lengths, formats,
                         binary_result ? 1 : 0);
  status = PQresultStatus (result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_result_error (error, self->display_url, self->conn, result);
      PQclear (result);
      return NULL;
    }
  return result;
}

gboolean
tm_hub_begin_write (TmHub   *self,
                    GError **error)
{
  return tm_hub_exec (self, "BEGIN; SELECT pg_advisory_xact_lock(" HUB_WRITE_LOCK ")", error);
}

gboolean
tm_hub_commit (TmHub   *self,
               GError **error)
{
  if (!tm_hub_exec (self, "COMMIT", error))
    {
      tm_hub_rollback (self);
      return FALSE;
    }
  return TRUE;
}

void
tm_hub_rollback (TmHub *self)
{
  if (PQtransactionStatus (self->conn) != PQTRANS_IDLE)
    PQclear (PQexec (self->conn, "ROLLBACK"));
}

char *
tm_hub_array_literal (const char * const *values)
{
  GString *out;

  if (values == NULL || values[0] == NULL)
    return NULL;
  out = g_string_new ("{");
  for (guint i = 0; values[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '"');
      for (const char *p = values[i]; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}
