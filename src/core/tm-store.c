/* tm-store.c — the local SQLite database: schema, migrations, queries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schema version lives in PRAGMA user_version; `migrations` is the ordered list of
 * steps from version N to N+1, each applied in its own transaction, so an interrupted
 * upgrade leaves a database at a consistent older version. A database newer than this
 * program is refused rather than touched.
 *
 * The database file is created 0600 before SQLite opens it: SQLite gives the -wal and
 * -shm files the permissions of the database file, so all three stay owner-only without
 * touching the process umask (which other threads share).
 */
#define G_LOG_DOMAIN "tm-store"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "tm-audit.h"
#include "tm-store.h"
#include "tm-store-private.h"
#include "tm-users.h"

struct _TmStore
{
  GObject      parent_instance;

  sqlite3     *db;
  char        *path;
  char        *local_site;
  gint64       local_site_id;
  int          schema_version;
  TmBlobStore *blobs;
};

G_DEFINE_FINAL_TYPE (TmStore, tm_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (tm-store-error-quark, tm_store_error)

/* The OpenFMC enumerations (see domain.md); NULL-terminated, canonical spellings. */
static const char * const kinds[] = { "crime-scene", "test-fire", NULL };
static const char * const regions[] = { "breech-face", "firing-pin", "ejector", "aperture-shear", "full", NULL };
static const char * const firing_pin_types[] = { "centre-fire", "rim-fire", NULL };
static const char * const firing_pin_shapes[] = { "circular", "elliptical", "hemispherical", "rectangular", NULL };
static const char * const breech_face_classes[] = { "arched", "circular", "crosshatch", "granular", "parallel", "smooth", NULL };
static const char * const collections[] = { "casework", "point-of-sale", "manufacturer", NULL };

static const char * const migrations[] = {
  /* 1: the foundation. */
  "CREATE TABLE sites ("
  "  id        INTEGER PRIMARY KEY,"
  "  uuid      TEXT NOT NULL UNIQUE,"
  "  name      TEXT NOT NULL,"
  "  region    TEXT,"
  "  is_local  INTEGER NOT NULL DEFAULT 0 CHECK (is_local IN (0, 1))"
  ");"
  "CREATE UNIQUE INDEX sites_one_local ON sites (is_local) WHERE is_local = 1;"

  "CREATE TABLE users ("
  "  id           INTEGER PRIMARY KEY,"
  "  login        TEXT NOT NULL UNIQUE CHECK (login <> ''),"
  "  display_name TEXT,"
  "  role         TEXT NOT NULL CHECK (role IN ('technician', 'examiner', 'supervisor', 'administrator')),"
  "  created_at   TEXT NOT NULL"
  ");"

  "CREATE TABLE cases ("
  "  id              INTEGER PRIMARY KEY,"
  "  uuid            TEXT NOT NULL UNIQUE,"
  "  agency          TEXT NOT NULL DEFAULT '',"
  "  case_number     TEXT NOT NULL CHECK (case_number <> ''),"
  "  lab_case_number TEXT,"
  "  incident_date   TEXT,"
  "  offense         TEXT,"
  "  location        TEXT,"
  "  site_id         INTEGER NOT NULL REFERENCES sites (id),"
  "  created_at      TEXT NOT NULL,"
  "  UNIQUE (agency, case_number)"
  ");"
  "CREATE INDEX cases_incident_date ON cases (incident_date);"
  "CREATE INDEX cases_site ON cases (site_id);"

  "CREATE TABLE exhibits ("
  "  id             INTEGER PRIMARY KEY,"
  "  uuid           TEXT NOT NULL UNIQUE,"
  "  case_id        INTEGER NOT NULL REFERENCES cases (id),"
  "  item_number    TEXT NOT NULL CHECK (item_number <> ''),"
  "  kind           TEXT NOT NULL CHECK (kind IN ('crime-scene', 'test-fire')),"
  "  firearm_make   TEXT,"
  "  firearm_model  TEXT,"
  "  firearm_serial TEXT,"
  "  CHECK (kind = 'test-fire' OR (firearm_make IS NULL AND firearm_model IS NULL AND firearm_serial IS NULL)),"
  "  UNIQUE (case_id, item_number)"
  ");"
  "CREATE INDEX exhibits_kind ON exhibits (kind);"

  "CREATE TABLE blobs ("
  "  sha256    TEXT PRIMARY KEY CHECK (length (sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),"
  "  size      INTEGER NOT NULL CHECK (size >= 0),"
  "  stored_at TEXT NOT NULL"
  ") WITHOUT ROWID;"

  "CREATE TABLE acquisitions ("
  "  id                INTEGER PRIMARY KEY,"
  "  uuid              TEXT NOT NULL UNIQUE,"
  "  exhibit_id        INTEGER NOT NULL REFERENCES exhibits (id),"
  "  region            TEXT NOT NULL DEFAULT 'breech-face'"
  "                    CHECK (region IN ('breech-face', 'firing-pin', 'ejector', 'aperture-shear', 'full')),"
  "  modality          TEXT NOT NULL CHECK (modality IN ('2d', '3d')),"
  "  instrument        TEXT,"
  "  pixel_um_x        REAL NOT NULL CHECK (pixel_um_x > 0),"
  "  pixel_um_y        REAL NOT NULL CHECK (pixel_um_y > 0),"
  "  width             INTEGER NOT NULL CHECK (width > 0),"
  "  height            INTEGER NOT NULL CHECK (height > 0),"
  "  valid_fraction    REAL NOT NULL CHECK (valid_fraction >= 0 AND valid_fraction <= 1),"
  "  calibre           TEXT,"
  "  firing_pin_type   TEXT CHECK (firing_pin_type IN ('centre-fire', 'rim-fire')),"
  "  firing_pin_shape  TEXT CHECK (firing_pin_shape IN ('circular', 'elliptical', 'hemispherical', 'rectangular')),"
  "  breech_face_class TEXT CHECK (breech_face_class IN ('arched', 'circular', 'crosshatch', 'granular', 'parallel', 'smooth')),"
  "  original_name     TEXT NOT NULL,"
  "  sha256            TEXT NOT NULL REFERENCES blobs (sha256),"
  "  source_meta       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (source_meta)),"
  "  imported_by       TEXT NOT NULL REFERENCES users (login),"
  "  imported_at       TEXT NOT NULL,"
  "  origin_site       TEXT NOT NULL REFERENCES sites (uuid),"
  "  UNIQUE (exhibit_id, sha256)"
  ");"
  /* The demographic filters of a search, and the joins it needs. */
  "CREATE INDEX acquisitions_exhibit ON acquisitions (exhibit_id);"
  "CREATE INDEX acquisitions_sha256 ON acquisitions (sha256);"
  "CREATE INDEX acquisitions_calibre ON acquisitions (calibre, firing_pin_shape);"
  "CREATE INDEX acquisitions_firing_pin_shape ON acquisitions (firing_pin_shape);"
  "CREATE INDEX acquisitions_breech_face_class ON acquisitions (breech_face_class);"
  "CREATE INDEX acquisitions_imported_at ON acquisitions (imported_at);"
  "CREATE INDEX acquisitions_origin_site ON acquisitions (origin_site);"
  /* Chain of custody: what was imported, from where, by whom and when never changes. */
  "CREATE TRIGGER acquisitions_custody_immutable"
  "  BEFORE UPDATE OF uuid, exhibit_id, original_name, sha256, imported_by, imported_at, origin_site"
  "  ON acquisitions"
  "  BEGIN SELECT RAISE (ABORT, 'the custody fields of an acquisition cannot be changed'); END;"

  "CREATE TABLE acquisition_microstamps ("
  "  acquisition_id INTEGER NOT NULL REFERENCES acquisitions (id) ON DELETE CASCADE,"
  "  location       TEXT NOT NULL CHECK (location IN ('breech-face', 'firing-pin')),"
  "  code           TEXT NOT NULL CHECK (code <> ''),"
  "  PRIMARY KEY (acquisition_id, location, code)"
  ") WITHOUT ROWID;"
  "CREATE INDEX acquisition_microstamps_code ON acquisition_microstamps (code);",

  /* 2: what the engine computes at import, and correlation runs. */
  /* The preprocessed surface of each region of interest, so a search never preprocesses
   * again: heights as int16 with one scale and offset per surface (NaN = -32768), which
   * keeps 1e-4 of the range, far below the instrument's noise, at half the size of
   * float32. params_hash names the preprocessing parameters (and signature version) it
   * was made with, so `reprocess` can find stale rows. */
  "CREATE TABLE preprocessed ("
  "  acquisition_id INTEGER NOT NULL REFERENCES acquisitions (id) ON DELETE CASCADE,"
  "  region         TEXT NOT NULL CHECK (region IN ('breech-face', 'firing-pin')),"
  "  width          INTEGER NOT NULL CHECK (width > 0),"
  "  height         INTEGER NOT NULL CHECK (height > 0),"
  "  pixel_um       REAL NOT NULL CHECK (pixel_um > 0),"
  "  encoding       TEXT NOT NULL CHECK (encoding IN ('int16le')),"
  "  scale          REAL NOT NULL,"
  "  offset         REAL NOT NULL,"
  "  data           BLOB NOT NULL,"
  "  params_hash    TEXT NOT NULL,"
  "  created_at     TEXT NOT NULL,"
  "  PRIMARY KEY (acquisition_id, region)"
  ") WITHOUT ROWID;"
  /* The pre-score signature, apart from the surfaces so the pre-score streams a small
   * table. */
  "CREATE TABLE signatures ("
  "  acquisition_id INTEGER PRIMARY KEY REFERENCES acquisitions (id) ON DELETE CASCADE,"
  "  version        INTEGER NOT NULL,"
  "  params_hash    TEXT NOT NULL,"
  "  data           BLOB NOT NULL"
  ");"
  "CREATE TABLE correlation_runs ("
  "  id                   INTEGER PRIMARY KEY,"
  "  uuid                 TEXT NOT NULL UNIQUE,"
  "  query_acquisition_id INTEGER NOT NULL REFERENCES acquisitions (id),"
  "  filters              TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (filters)),"
  "  parameters           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (parameters)),"
  "  n_filtered           INTEGER NOT NULL CHECK (n_filtered >= 0),"
  "  n_prescored          INTEGER NOT NULL CHECK (n_prescored >= 0),"
  "  n_full               INTEGER NOT NULL CHECK (n_full >= 0),"
  "  n_unprocessed        INTEGER NOT NULL DEFAULT 0 CHECK (n_unprocessed >= 0),"
  "  timings              TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (timings)),"
  "  user                 TEXT NOT NULL REFERENCES users (login),"
  "  started_at           TEXT NOT NULL,"
  "  finished_at          TEXT,"
  "  status               TEXT NOT NULL CHECK (status IN ('complete', 'cancelled'))"
  ");"
  "CREATE INDEX correlation_runs_query ON correlation_runs (query_acquisition_id);"
  "CREATE TABLE candidates ("
  "  run_id         INTEGER NOT NULL REFERENCES correlation_runs (id) ON DELETE CASCADE,"
  "  acquisition_id INTEGER NOT NULL REFERENCES acquisitions (id),"
  "  rank           INTEGER NOT NULL CHECK (rank >= 1),"
  "  score          REAL,"
  "  scores         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (scores)),"
  "  prescore       REAL,"
  "  angle_deg      REAL,"
  "  dx_um          REAL,"
  "  dy_um          REAL,"
  "  cmc_a_to_b     INTEGER,"
  "  cmc_b_to_a     INTEGER,"
  "  accf           REAL,"
  "  p_knm          REAL,"
  "  review_state   TEXT NOT NULL DEFAULT 'unreviewed'"
  "                 CHECK (review_state IN ('unreviewed', 'viewed', 'dismissed', 'lead')),"
  "  PRIMARY KEY (run_id, acquisition_id),"
  "  UNIQUE (run_id, rank)"
  ");"
  "CREATE INDEX candidates_acquisition ON candidates (acquisition_id);",

  /* 3: the workflow after a correlation — decisions, leads, conclusions, hits — and the
   * audit trail, plus what sync needs (every shared record has a UUID and an origin).
   * Everything a person decides is appended, never updated in place: statuses are
   * derived from the event rows, which is also what lets two sites acting on the same
   * lead merge by union. Logins in these tables are not foreign keys: records synced
   * from other sites name users this database has never seen. */
  "ALTER TABLE acquisitions ADD COLUMN collection TEXT NOT NULL DEFAULT 'casework'"
  "  CHECK (collection IN ('casework', 'point-of-sale', 'manufacturer'));"
  "CREATE INDEX acquisitions_collection ON acquisitions (collection);"
  "ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));"
  "ALTER TABLE correlation_runs ADD COLUMN origin_site TEXT;"

  /* Each decision on a candidate, in order; candidates.review_state is the latest one. */
  "CREATE TABLE candidate_decisions ("
  "  id             INTEGER PRIMARY KEY,"
  "  uuid           TEXT NOT NULL UNIQUE,"
  "  run_id         INTEGER NOT NULL REFERENCES correlation_runs (id) ON DELETE CASCADE,"
  "  acquisition_id INTEGER NOT NULL REFERENCES acquisitions (id),"
  "  decision       TEXT NOT NULL CHECK (decision IN ('unreviewed', 'viewed', 'dismissed', 'lead')),"
  "  lead_id        INTEGER REFERENCES leads (id),"
  "  user           TEXT NOT NULL,"
  "  at             TEXT NOT NULL,"
  "  FOREIGN KEY (run_id, acquisition_id) REFERENCES candidates (run_id, acquisition_id)"
  ");"
  "CREATE INDEX candidate_decisions_candidate ON candidate_decisions (run_id, acquisition_id);"
  "CREATE INDEX candidate_decisions_at ON candidate_decisions (at);"

  "CREATE TABLE leads ("
  "  id           INTEGER PRIMARY KEY,"
  "  uuid         TEXT NOT NULL UNIQUE,"
  "  origin_site  TEXT NOT NULL,"
  "  created_by   TEXT NOT NULL,"
  "  created_at   TEXT NOT NULL"
  ");"
  "CREATE INDEX leads_created_at ON leads (created_at);"
  /* The acquisitions a lead links; a member is never removed (a wrong link is answered
   * with an elimination or a note event). */
  "CREATE TABLE lead_members ("
  "  lead_id        INTEGER NOT NULL REFERENCES leads (id),"
  "  acquisition_id INTEGER NOT NULL REFERENCES acquisitions (id),"
  "  run_id         INTEGER REFERENCES correlation_runs (id) ON DELETE SET NULL,"
  "  added_by       TEXT NOT NULL,"
  "  added_at       TEXT NOT NULL,"
  "  event_uuid     TEXT NOT NULL,"
  "  PRIMARY KEY (lead_id, acquisition_id)"
  ");"
  "CREATE INDEX lead_members_acquisition ON lead_members (acquisition_id);"
  /* kind: created, member-added, note, feedback (payload.outcome: arrest,
   * suspect-identified, linked-prior-investigation, no-action), conclusion (payload:
   * conclusion, note), status (payload.status: open, confirmed, eliminated,
   * inconclusive, closed). */
  "CREATE TABLE lead_events ("
  "  id           INTEGER PRIMARY KEY,"
  "  uuid         TEXT NOT NULL UNIQUE,"
  "  lead_id      INTEGER NOT NULL REFERENCES leads (id),"
  "  kind         TEXT NOT NULL CHECK (kind IN ('created', 'member-added', 'note', 'feedback', 'conclusion', 'status')),"
  "  payload      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (payload)),"
  "  user         TEXT NOT NULL,"
  "  at           TEXT NOT NULL,"
  "  origin_site  TEXT NOT NULL"
  ");"
  "CREATE INDEX lead_events_lead ON lead_events (lead_id, at);"
  "CREATE TRIGGER lead_events_append_only_update BEFORE UPDATE ON lead_events"
  "  BEGIN SELECT RAISE (ABORT, 'lead events are append-only'); END;"
  "CREATE TRIGGER lead_events_append_only_delete BEFORE DELETE ON lead_events"
  "  BEGIN SELECT RAISE (ABORT, 'lead events are append-only'); END;"
  "CREATE TRIGGER lead_members_append_only_update BEFORE UPDATE ON lead_members"
  "  BEGIN SELECT RAISE (ABORT, 'lead members are append-only'); END;"
  "CREATE TRIGGER lead_members_append_only_delete BEFORE DELETE ON lead_members"
  "  BEGIN SELECT RAISE (ABORT, 'lead members are append-only'); END;"

  /* An examiner's conclusion on a lead; an identification makes a hit. n_hits is the
   * ATF count at the time of the conclusion: the number of cases this identification
   * linked that had no known connection before, minus one (0 when none are new). */
  "CREATE TABLE hits ("
  "  id            INTEGER PRIMARY KEY,"
  "  uuid          TEXT NOT NULL UNIQUE,"
  "  lead_id       INTEGER NOT NULL REFERENCES leads (id),"
  "  event_uuid    TEXT NOT NULL REFERENCES lead_events (uuid),"
  "  examiner      TEXT NOT NULL,"
  "  confirmed_at  TEXT NOT NULL,"
  "  n_hits        INTEGER NOT NULL CHECK (n_hits >= 0),"
  "  origin_site   TEXT NOT NULL"
  ");"
  "CREATE INDEX hits_lead ON hits (lead_id);"
  "CREATE INDEX hits_confirmed_at ON hits (confirmed_at);"
  /* Connections between cases, in both directions (case_a < case_b): those an
   * investigator already knew of (not counted as hits) and those made by hits. */
  "CREATE TABLE case_links ("
  "  case_a      INTEGER NOT NULL REFERENCES cases (id),"
  "  case_b      INTEGER NOT NULL REFERENCES cases (id),"
  "  source      TEXT NOT NULL CHECK (source IN ('investigator', 'hit')),"
  "  hit_id      INTEGER REFERENCES hits (id),"
  "  user        TEXT NOT NULL,"
  "  at          TEXT NOT NULL,"
  "  CHECK (case_a < case_b),"
  "  PRIMARY KEY (case_a, case_b, source)"
  ");"

  /* Microstamp codes → firearm, from a manufacturer's registry CSV. */
  "CREATE TABLE microstamp_registry ("
  "  code         TEXT PRIMARY KEY CHECK (code <> ''),"
  "  make         TEXT NOT NULL,"
  "  model        TEXT,"
  "  serial       TEXT,"
  "  source       TEXT,"
  "  imported_at  TEXT NOT NULL"
  ");"

  /* The tamper-evident trail: one row per change to a case, acquisition, candidate,
   * lead, hit, user or microstamp, in seq order. hash = SHA-256 (hex) of the row's
   * canonical text (see tm-audit.c) including prev_hash, the hash of the row before
   * (64 zeros for the first), so editing, deleting or reordering any row breaks the
   * chain from that row on. */
  "CREATE TABLE audit_log ("
  "  seq          INTEGER PRIMARY KEY,"
  "  uuid         TEXT NOT NULL UNIQUE,"
  "  at           TEXT NOT NULL,"
  "  user         TEXT NOT NULL,"
  "  site         TEXT NOT NULL,"
  "  action       TEXT NOT NULL,"
  "  entity_type  TEXT NOT NULL CHECK (entity_type IN ('case', 'exhibit', 'acquisition', 'candidate', 'lead', 'hit', 'user', 'microstamp', 'sync', 'package')),"
  "  entity_uuid  TEXT NOT NULL,"
  "  details      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (details)),"
  "  prev_hash    TEXT NOT NULL CHECK (length (prev_hash) = 64),"
  "  hash         TEXT NOT NULL CHECK (length (hash) = 64)"
  ");"
  "CREATE INDEX audit_log_entity ON audit_log (entity_uuid);"
  "CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
  "CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;",

  /* 4: hub sync (tm-sync.c) and exchange packages (tm-package.c). A hub is known by the
   * UUID it was created with, not its URL, so a renamed host keeps its cursors. A cursor
   * is the last local row id pushed or hub sequence number pulled per entity; it is
   * written in the same transaction as the rows it covers, which is what makes a killed
   * sync resumable. pull_scope fingerprints the search scope the pull cursors belong to
   * (a wider scope starts the pull over). */
  "CREATE TABLE sync_hubs ("
  "  hub_uuid      TEXT PRIMARY KEY,"
  "  url           TEXT NOT NULL,"
  "  network_type  TEXT NOT NULL,"
  "  pull_scope    TEXT NOT NULL DEFAULT '',"
  "  last_push_at  TEXT,"
  "  last_pull_at  TEXT"
  ");"
  "CREATE TABLE sync_cursors ("
  "  hub_uuid   TEXT NOT NULL REFERENCES sync_hubs (hub_uuid),"
  "  direction  TEXT NOT NULL CHECK (direction IN ('push', 'pull')),"
  "  entity     TEXT NOT NULL,"
  "  position   INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (hub_uuid, direction, entity)"
  ") WITHOUT ROWID;"
  /* Remote records that were not applied (a different record under a known UUID, or a
   * malformed one), kept for a person to look at; source is the hub URL or package. */
  "CREATE TABLE sync_quarantine ("
  "  id      INTEGER PRIMARY KEY,"
  "  source  TEXT NOT NULL,"
  "  entity  TEXT NOT NULL,"
  "  uuid    TEXT NOT NULL,"
  "  reason  TEXT NOT NULL,"
  "  record  TEXT,"
  "  at      TEXT NOT NULL,"
  "  UNIQUE (source, entity, uuid, reason)"
  ");"
  /* Originals of remote acquisitions: recorded in blobs (acquisitions refer to them)
   * but not in the blob store until fetched from hub_uuid (NULL: nowhere to fetch from,
   * e.g. a package that carried an X3P export instead of the original). */
  "CREATE TABLE remote_originals ("
  "  sha256    TEXT PRIMARY KEY REFERENCES blobs (sha256),"
  "  hub_uuid  TEXT"
  ") WITHOUT ROWID;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == TM_STORE_SCHEMA_VERSION);

/* The columns tm_acquisition_from_row() reads, in its order. */
#define ACQUISITION_SELECT \
  "SELECT a.id, a.uuid, a.original_name, a.sha256, a.width, a.height, a.pixel_um_x," \
  "       a.pixel_um_y, a.modality, a.region, a.instrument, c.case_number," \
  "       c.lab_case_number, e.item_number, e.kind, a.calibre, a.firing_pin_type," \
  "       a.firing_pin_shape, a.breech_face_class," \
  "       (SELECT group_concat (location || ':' || code, '; ') FROM" \
  "          (SELECT location, code FROM acquisition_microstamps m" \
  "            WHERE m.acquisition_id = a.id ORDER BY location, code))," \
  "       a.valid_fraction, a.imported_by, a.imported_at, a.origin_site, c.uuid, e.uuid," \
  "       c.agency, c.incident_date, c.offense, c.location, e.firearm_make," \
  "       e.firearm_model, e.firearm_serial, a.source_meta" \
  "  FROM acquisitions a" \
  "  JOIN exhibits e ON e.id = a.exhibit_id" \
  "  JOIN cases c ON c.id = e.case_id "

static void
tm_store_finalize (GObject *object)
{
  TmStore *self = (TmStore *)object;

  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->local_site, g_free);
  g_clear_object (&self->blobs);

  G_OBJECT_CLASS (tm_store_parent_class)->finalize (object);
}

static void
tm_store_class_init (TmStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tm_store_finalize;
}

static void
tm_store_init (TmStore *self)
{
}

/* Helpers */

static char *
now_utc_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  /* Fixed width (microseconds always present) so the strings sort as times. */
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void
set_sql_error (TmStore     *self,
               GError     **error,
               int          rc,
               const char  *what)
{
  int primary = rc & 0xff;
  TmStoreError code = TM_STORE_ERROR_SQL;

  if (primary == SQLITE_CONSTRAINT)
    code = TM_STORE_ERROR_CONSTRAINT;
  g_set_error (error, TM_STORE_ERROR, code, "%s: %s: %s",
               self->path, what, self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
}

static sqlite3_stmt *
prepare (TmStore     *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sql_error (self, error, rc, "cannot prepare a query");
      return NULL;
    }
  return stmt;
}

void
tm_stmt_free (TmStmt *stmt)
{
  sqlite3_finalize (stmt);
}

void
tm_stmt_bind_text_or_null (sqlite3_stmt *stmt,
                           int           index,
                           const char   *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
exec (TmStore     *self,
      const char  *sql,
      GError     **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      int primary = rc & 0xff;

      g_set_error (error, TM_STORE_ERROR,
                   primary == SQLITE_CONSTRAINT ? TM_STORE_ERROR_CONSTRAINT : TM_STORE_ERROR_SQL,
                   "%s: %s", self->path, message ? message : sqlite3_errstr (rc));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static void
rollback (TmStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
tm_store_query_int64 (TmStore     *self,
                      const char  *sql,
                      gint64      *out_value,
                      GError     **error)
{
  g_autoptr(TmStmt) stmt = prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sql_error (self, error, rc, "cannot read the database");
      return FALSE;
    }
  *out_value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

const char *
tm_stmt_column_text (sqlite3_stmt *stmt,
                     int           column)
{
  return (const char *)sqlite3_column_text (stmt, column);
}

gboolean
tm_store_step_done (TmStore      *self,
                    sqlite3_stmt *stmt,
                    const char   *what,
                    GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
tm_store_parse_id_or_uuid (const char  *text,
                           const char  *noun,
                           gint64      *out_id,
                           char       **out_uuid,
                           GError     **error)
{
  guint64 id;

  *out_id = 0;
  *out_uuid = NULL;
  if (g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &id, NULL))
    {
      *out_id = (gint64)id;
      return TRUE;
    }
  if (g_uuid_string_is_valid (text))
    {
      *out_uuid = g_ascii_strdown (text, -1);
      return TRUE;
    }
  g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND,
               "'%s' is neither %s id (a number) nor a UUID", text, noun);
  return FALSE;
}

gboolean
tm_store_step_row (TmStore      *self,
                   sqlite3_stmt *stmt,
                   const char   *what,
                   GError      **error,
                   const char   *not_found_format,
                   ...)
{
  int rc = sqlite3_step (stmt);
  va_list args;

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, what);
      return FALSE;
    }
  va_start (args, not_found_format);
  g_propagate_error (error, g_error_new_valist (TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND, not_found_format, args));
  va_end (args);
  return FALSE;
}

GPtrArray *
tm_store_collect_rows (TmStore        *self,
                       sqlite3_stmt   *stmt,
                       TmStmtRowFunc   from_row,
                       GDestroyNotify  free_func,
                       const char     *what,
                       GError        **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, what);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

GArray *
tm_store_collect_ids (TmStore      *self,
                      sqlite3_stmt *stmt,
                      const char   *what,
                      GError      **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, what);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

static gboolean
in_list (const char         *value,
         const char * const *list)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_str_equal (value, list[i]))
      return TRUE;
  return FALSE;
}

/* Shared with the other store files (tm-store-private.h) */

sqlite3 *
tm_store_get_db (TmStore *self)
{
  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  return self->db;
}

gint64
tm_store_get_local_site_id (TmStore *self)
{
  g_return_val_if_fail (TM_IS_STORE (self), 0);
  return self->local_site_id;
}

char *
tm_store_now_iso8601 (void)
{
  return now_utc_iso8601 ();
}

void
tm_store_set_sql_error (TmStore     *self,
                        GError     **error,
                        int          rc,
                        const char  *what)
{
  set_sql_error (self, error, rc, what);
}

sqlite3_stmt *
tm_store_prepare (TmStore     *self,
                  const char  *sql,
                  GError     **error)
{
  return prepare (self, sql, error);
}

gboolean
tm_store_begin (TmStore  *self,
                GError  **error)
{
  return exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
tm_store_commit (TmStore  *self,
                 GError  **error)
{
  if (!exec (self, "COMMIT", error))
    {
      rollback (self);
      return FALSE;
    }
  return TRUE;
}

void
tm_store_rollback (TmStore *self)
{
  rollback (self);
}

/* Opening and migrating */

static gboolean
migrate (TmStore  *self,
         GError  **error)
{
  gint64 version;

  if (!tm_store_query_int64 (self, "PRAGMA user_version", &version, error))
    return FALSE;

  while (version < TM_STORE_SCHEMA_VERSION)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *set_version = NULL;

      /* IMMEDIATE takes the write lock first, then the version is read again: two
       * programs opening a new database at once must not both run a step. */
      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!tm_store_query_int64 (self, "PRAGMA user_version", &version, error))
        {
          rollback (self);
          return FALSE;
        }
      if (version >= TM_STORE_SCHEMA_VERSION)
        {
          rollback (self);
          break;
        }
      if (version < 0)
        {
          rollback (self);
          g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_SCHEMA,
                       "%s: the database has an invalid schema version %" G_GINT64_FORMAT,
                       self->path, version);
          return FALSE;
        }
      set_version = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, version + 1);
      if (!exec (self, migrations[version], &local_error) ||
          !exec (self, set_version, &local_error) ||
          !exec (self, "COMMIT", &local_error))
        {
          rollback (self);
          g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_SCHEMA,
                       "%s: upgrading the database to schema version %" G_GINT64_FORMAT " failed: %s",
                       self->path, version + 1, local_error->message);
          return FALSE;
        }
      g_debug ("%s: migrated to schema version %" G_GINT64_FORMAT, self->path, version + 1);
      version++;
    }

  if (version > TM_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_SCHEMA,
                   "%s: the database has schema version %" G_GINT64_FORMAT
                   ", newer than the version %d this program knows; use a newer Toolmark",
                   self->path, version, TM_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  self->schema_version = (int)version;
  return TRUE;
}

/* First open: this installation's site row, and its first user (the OS account, as
 * administrator, so a fresh database is usable without a separate setup step). */
static gboolean
bootstrap (TmStore  *self,
           GError  **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *now = now_utc_iso8601 ();
  gint64 n_users;
  int rc;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  stmt = prepare (self, "SELECT id, uuid FROM sites WHERE is_local = 1", error);
  if (stmt == NULL)
    goto fail;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      self->local_site_id = sqlite3_column_int64 (stmt, 0);
      self->local_site = g_strdup (tm_stmt_column_text (stmt, 1));
    }
  else if (rc == SQLITE_DONE)
    {
      g_autoptr(TmStmt) insert = NULL;
      g_autofree char *uuid = g_uuid_string_random ();

      insert = prepare (self, "INSERT INTO sites (uuid, name, is_local) VALUES (?, ?, 1)", error);
      if (insert == NULL)
        goto fail;
      tm_stmt_bind_text_or_null (insert, 1, uuid);
      tm_stmt_bind_text_or_null (insert, 2, g_get_host_name ());
      if (!tm_store_step_done (self, insert, "cannot record the local site", error))
        goto fail;
      self->local_site_id = sqlite3_last_insert_rowid (self->db);
      self->local_site = g_steal_pointer (&uuid);
    }
  else
    {
      set_sql_error (self, error, rc, "cannot read the sites");
      goto fail;
    }

  if (!tm_store_query_int64 (self, "SELECT count(*) FROM users", &n_users, error))
    goto fail;
  if (n_users == 0)
    {
      g_autoptr(TmStmt) insert = NULL;

      insert = prepare (self, "INSERT INTO users (login, display_name, role, created_at)"
                              " VALUES (?, ?, 'administrator', ?)", error);
      if (insert == NULL)
        goto fail;
      tm_stmt_bind_text_or_null (insert, 1, g_get_user_name ());
      tm_stmt_bind_text_or_null (insert, 2, g_get_real_name ());
      tm_stmt_bind_text_or_null (insert, 3, now);
      if (!tm_store_step_done (self, insert, "cannot register the first user", error))
        goto fail;
      {
        g_autofree char *details = tm_users_new_user_details ("administrator", g_get_real_name ());

        if (!tm_audit_append (self, g_get_user_name (), "user-added", "user", g_get_user_name (),
                              details, error))
          goto fail;
      }
    }

  return exec (self, "COMMIT", error);

fail:
  rollback (self);
  return FALSE;
}

static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;
          g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_OPEN,
                       "%s: cannot create the folder: %s", dir, g_strerror (saved));
          return FALSE;
        }
    }

  fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == EEXIST)
        return TRUE;  /* created meanwhile by another program: fine, SQLite opens it */
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_OPEN,
                   "%s: cannot create the database: %s", path, g_strerror (saved));
      return FALSE;
    }
  /* The umask could have removed bits but never adds them; make it exactly 0600. */
  fchmod (fd, 0600);
  close (fd);
  return TRUE;
}

TmStore *
tm_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(TmStore) self = NULL;
  g_autofree char *blob_root = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TM_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_OPEN,
                   "%s: is a folder, not a database file", path);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !create_private_file (path, error))
    return NULL;

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_OPEN, "%s: cannot open the database: %s",
                   path, self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  /* Another program (the app while the CLI imports) may hold the write lock briefly. */
  sqlite3_busy_timeout (self->db, 10000);

  /* Reading the schema first turns "not a database" into a clear error before any
   * PRAGMA that would write. */
  {
    g_autoptr(GError) local_error = NULL;

    if (!exec (self, "SELECT count(*) FROM sqlite_schema", &local_error))
      {
        g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_OPEN,
                     "not a Toolmark database: %s", local_error->message);
        return NULL;
      }
  }
  /* FULL: a committed import must survive a power cut, as its blob (fsync'ed) does. */
  if (!exec (self, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", error))
    return NULL;

  if (!migrate (self, error) || !bootstrap (self, error))
    return NULL;

  blob_root = g_strconcat (path, ".blobs", NULL);
  self->blobs = tm_blob_store_new (blob_root, error);
  if (self->blobs == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

const char *
tm_store_get_path (TmStore *self)
{
  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  return self->path;
}

int
tm_store_get_schema_version (TmStore *self)
{
  g_return_val_if_fail (TM_IS_STORE (self), 0);
  return self->schema_version;
}

TmBlobStore *
tm_store_get_blob_store (TmStore *self)
{
  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  return self->blobs;
}

const char *
tm_store_get_local_site (TmStore *self)
{
  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  return self->local_site;
}

gboolean
tm_store_exec (TmStore     *self,
               const char  *sql,
               GError     **error)
{
  g_return_val_if_fail (TM_IS_STORE (self), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  return exec (self, sql, error);
}

/* Users */

gboolean
tm_store_add_user (TmStore     *self,
                   const char  *login,
                   const char  *display_name,
                   const char  *role,
                   GError     **error)
{
  g_return_val_if_fail (TM_IS_STORE (self), FALSE);
  g_return_val_if_fail (login != NULL, FALSE);

  /* Unchecked (setup and tests); the audit entry names the OS login that ran it.
   * Administrators acting through the app or CLI use tm_store_add_user_as(). */
  return tm_store_insert_user (self, g_get_user_name (), login, display_name, role, error);
}

char *
tm_store_get_user_role (TmStore     *self,
                        const char  *login,
                        GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT role FROM users WHERE login = ?", error);
  if (stmt == NULL)
    return NULL;
  tm_stmt_bind_text_or_null (stmt, 1, login);
  if (!tm_store_step_row (self, stmt, "cannot read the users", error,
                          "user '%s' is not registered in %s; an administrator must add them",
                          login ? login : "", self->path))
    return NULL;
  return g_strdup (tm_stmt_column_text (stmt, 0));
}

/* Case data */

TmCaseData *
tm_case_data_new (void)
{
  return g_new0 (TmCaseData, 1);
}

#define CASE_DATA_N_FIELDS (sizeof (TmCaseData) / sizeof (char *))
G_STATIC_ASSERT (sizeof (TmCaseData) % sizeof (char *) == 0);

/* TmCaseData is a struct of strings only: treat it as an array to copy and free. */
static char **
case_data_fields (const TmCaseData *data)
{
  return (char **)data;
}

TmCaseData *
tm_case_data_copy (const TmCaseData *data)
{
  TmCaseData *copy = tm_case_data_new ();

  if (data != NULL)
    for (gsize i = 0; i < CASE_DATA_N_FIELDS; i++)
      case_data_fields (copy)[i] = g_strdup (case_data_fields (data)[i]);
  return copy;
}

void
tm_case_data_free (TmCaseData *data)
{
  if (data == NULL)
    return;
  for (gsize i = 0; i < CASE_DATA_N_FIELDS; i++)
    g_free (case_data_fields (data)[i]);
  g_free (data);
}

void
tm_case_data_merge (TmCaseData       *data,
                    const TmCaseData *over)
{
  g_return_if_fail (data != NULL);

  if (over == NULL)
    return;
  for (gsize i = 0; i < CASE_DATA_N_FIELDS; i++)
    {
      const char *value = case_data_fields (over)[i];

      if (value != NULL && *value != '\0')
        {
          g_free (case_data_fields (data)[i]);
          case_data_fields (data)[i] = g_strdup (value);
        }
    }
}

/* Spellings people actually type (after lower-casing and '_'/' ' to '-'). */
static const struct { const char *alias; const char *canonical; } enum_aliases[] = {
  { "center-fire", "centre-fire" }, { "centerfire", "centre-fire" }, { "centrefire", "centre-fire" },
  { "cf", "centre-fire" }, { "rimfire", "rim-fire" }, { "rf", "rim-fire" },
  { "testfire", "test-fire" }, { "test", "test-fire" }, { "known", "test-fire" },
  { "crimescene", "crime-scene" }, { "evidence", "crime-scene" },
  { "cross-hatch", "crosshatch" }, { "cross-hatched", "crosshatch" },
  { "breechface", "breech-face" }, { "firingpin", "firing-pin" }, { "bf", "breech-face" },
  { "fp", "firing-pin" },
};

/* Lower case, '_' and ' ' to '-', then the aliases above. */
static gboolean
normalize_enum (char               **slot,
                const char          *field,
                const char * const  *allowed,
                GError             **error)
{
  g_autofree char *value = NULL;
  g_autofree char *joined = NULL;

  if (*slot == NULL)
    return TRUE;

  value = g_ascii_strdown (*slot, -1);
  g_strdelimit (value, "_ ", '-');
  /* Domain usage: "unknown" is crime-scene evidence; for a class it means not known. */
  if (g_str_equal (value, "unknown") && allowed != kinds)
    {
      g_clear_pointer (slot, g_free);
      return TRUE;
    }
  if (g_str_equal (value, "unknown"))
    {
      g_free (value);
      value = g_strdup ("crime-scene");
    }
  for (guint i = 0; i < G_N_ELEMENTS (enum_aliases); i++)
    if (g_str_equal (value, enum_aliases[i].alias))
      {
        g_free (value);
        value = g_strdup (enum_aliases[i].canonical);
        break;
      }

  if (!in_list (value, allowed))
    {
      joined = g_strjoinv (", ", (char **)allowed);
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "%s '%s' is not one of %s", field, *slot, joined);
      return FALSE;
    }
  g_free (*slot);
  *slot = g_steal_pointer (&value);
  return TRUE;
}

gboolean
tm_case_data_normalize (TmCaseData  *data,
                        GError     **error)
{
  g_return_val_if_fail (data != NULL, FALSE);

  for (gsize i = 0; i < CASE_DATA_N_FIELDS; i++)
    {
      char **slot = &case_data_fields (data)[i];

      if (*slot != NULL)
        {
          g_strstrip (*slot);
          if (**slot == '\0')
            g_clear_pointer (slot, g_free);
        }
    }

  if (data->incident_date != NULL)
    {
      g_autofree char *probe = g_strconcat (data->incident_date, "T00:00:00Z", NULL);
      g_autoptr(GDateTime) date = NULL;

      /* A date (YYYY-MM-DD) or a full ISO 8601 time; anything else cannot be filtered on. */
      date = g_date_time_new_from_iso8601 (data->incident_date, NULL);
      if (date == NULL)
        date = g_date_time_new_from_iso8601 (probe, NULL);
      if (date == NULL)
        {
          g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                       "incident date '%s' is not an ISO 8601 date (YYYY-MM-DD)", data->incident_date);
          return FALSE;
        }
    }

  return normalize_enum (&data->kind, "kind", kinds, error) &&
         normalize_enum (&data->region, "region of interest", regions, error) &&
         normalize_enum (&data->firing_pin_type, "firing-pin type", firing_pin_types, error) &&
         normalize_enum (&data->firing_pin_shape, "firing-pin shape", firing_pin_shapes, error) &&
         normalize_enum (&data->breech_face_class, "breech-face class", breech_face_classes, error) &&
         normalize_enum (&data->collection, "collection", collections, error);
}

/* Acquisitions */

static TmAcquisition *
acquisition_from_row (sqlite3_stmt *stmt)
{
  return g_object_new (TM_TYPE_ACQUISITION,
                       "id", (gint64)sqlite3_column_int64 (stmt, 0),
                       "uuid", tm_stmt_column_text (stmt, 1),
                       "file", tm_stmt_column_text (stmt, 2),
                       "sha256", tm_stmt_column_text (stmt, 3),
                       "width", (guint)sqlite3_column_int64 (stmt, 4),
                       "height", (guint)sqlite3_column_int64 (stmt, 5),
                       "pixel-um", sqlite3_column_double (stmt, 6),
                       "pixel-um-y", sqlite3_column_double (stmt, 7),
                       "modality", tm_stmt_column_text (stmt, 8),
                       "region", tm_stmt_column_text (stmt, 9),
                       "instrument", tm_stmt_column_text (stmt, 10),
                       "case-number", tm_stmt_column_text (stmt, 11),
                       "lab-case-number", tm_stmt_column_text (stmt, 12),
                       "exhibit", tm_stmt_column_text (stmt, 13),
                       "kind", tm_stmt_column_text (stmt, 14),
                       "calibre", tm_stmt_column_text (stmt, 15),
                       "firing-pin-type", tm_stmt_column_text (stmt, 16),
                       "firing-pin-shape", tm_stmt_column_text (stmt, 17),
                       "breech-face-class", tm_stmt_column_text (stmt, 18),
                       "microstamp", tm_stmt_column_text (stmt, 19),
                       "valid-fraction", CLAMP (sqlite3_column_double (stmt, 20), 0.0, 1.0),
                       "imported-by", tm_stmt_column_text (stmt, 21),
                       "imported-at", tm_stmt_column_text (stmt, 22),
                       "origin-site", tm_stmt_column_text (stmt, 23),
                       "case-uuid", tm_stmt_column_text (stmt, 24),
                       "exhibit-uuid", tm_stmt_column_text (stmt, 25),
                       "agency", tm_stmt_column_text (stmt, 26),
                       "incident-date", tm_stmt_column_text (stmt, 27),
                       "offense", tm_stmt_column_text (stmt, 28),
                       "location", tm_stmt_column_text (stmt, 29),
                       "firearm-make", tm_stmt_column_text (stmt, 30),
                       "firearm-model", tm_stmt_column_text (stmt, 31),
                       "firearm-serial", tm_stmt_column_text (stmt, 32),
                       "source-meta", tm_stmt_column_text (stmt, 33),
                       NULL);
}

GPtrArray *
tm_store_list_acquisitions (TmStore  *self,
                            GError  **error)
{
  g_autoptr(TmStmt) stmt = NULL;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);

  stmt = prepare (self, ACQUISITION_SELECT "ORDER BY a.imported_at DESC, a.id DESC", error);
  if (stmt == NULL)
    return NULL;
  return tm_store_collect_rows (self, stmt, (TmStmtRowFunc) acquisition_from_row, g_object_unref,
                                "cannot list the acquisitions", error);
}

static TmAcquisition *
get_acquisition_where (TmStore     *self,
                       const char  *where,
                       gint64       id,
                       const char  *uuid,
                       const char  *what,
                       GError     **error)
{
  g_autofree char *sql = g_strconcat (ACQUISITION_SELECT, where, NULL);
  g_autoptr(TmStmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return NULL;
  if (uuid != NULL)
    tm_stmt_bind_text_or_null (stmt, 1, uuid);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  if (!tm_store_step_row (self, stmt, "cannot read the acquisition", error,
                          "%s: no acquisition %s", self->path, what))
    return NULL;
  return acquisition_from_row (stmt);
}

TmAcquisition *
tm_store_get_acquisition (TmStore  *self,
                          gint64    id,
                          GError  **error)
{
  g_autofree char *what = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  return get_acquisition_where (self, "WHERE a.id = ?", id, NULL, what, error);
}

TmAcquisition *
tm_store_find_acquisition (TmStore     *self,
                           const char  *id_or_uuid,
                           GError     **error)
{
  gint64 id;
  g_autofree char *uuid = NULL;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  g_return_val_if_fail (id_or_uuid != NULL, NULL);

  if (!tm_store_parse_id_or_uuid (id_or_uuid, "an acquisition", &id, &uuid, error))
    return NULL;
  if (uuid == NULL)
    return tm_store_get_acquisition (self, id, error);
  return get_acquisition_where (self, "WHERE a.uuid = ?", 0, uuid, id_or_uuid, error);
}

gint64
tm_store_count_acquisitions (TmStore  *self,
                             GError  **error)
{
  gint64 n = -1;

  g_return_val_if_fail (TM_IS_STORE (self), -1);

  if (!tm_store_query_int64 (self, "SELECT count(*) FROM acquisitions", &n, error))
    return -1;
  return n;
}

static char *
surface_meta_json (TmSurface *surface)
{
  GHashTable *table = tm_surface_get_meta_table (surface);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree const char **keys = NULL;
  guint n_keys = 0;

  keys = (const char **)g_hash_table_get_keys_as_array (table, &n_keys);
  /* Sorted, so the same file always yields the same text. */
  g_qsort_with_data (keys, n_keys, sizeof (char *), (GCompareDataFunc)g_strcmp0, NULL);
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_keys; i++)
    {
      json_builder_set_member_name (builder, keys[i]);
      json_builder_add_string_value (builder, g_hash_table_lookup (table, keys[i]));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
surface_instrument (TmSurface *surface)
{
  const char *parts[] = {
    tm_surface_get_meta (surface, TM_META_INSTRUMENT_MANUFACTURER),
    tm_surface_get_meta (surface, TM_META_INSTRUMENT_MODEL),
  };
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *part = g_strstrip (g_strdup (parts[i] ? parts[i] : ""));

      if (*part == '\0' || g_ascii_strcasecmp (part, "unknown") == 0)
        continue;
      if (str->len > 0)
        g_string_append_c (str, ' ');
      g_string_append (str, part);
    }
  if (str->len == 0)
    {
      g_string_free (str, TRUE);
      return NULL;
    }
  return g_string_free (str, FALSE);
}

/* The audit entry of a case or exhibit change at import: what it says now. */
static gboolean
audit_row (TmStore     *self,
           const char  *user,
           const char  *action,
           const char  *entity_type,
           const char  *sql,
           gint64       id,
           GError     **error)
{
  g_autoptr(TmStmt) stmt = prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sql_error (self, error, rc, "cannot read the changed row for the audit log");
      return FALSE;
    }
  return tm_audit_append (self, user, action, entity_type, tm_stmt_column_text (stmt, 0), tm_stmt_column_text (stmt, 1), error);
}

#define AUDIT_CASE_SQL \
  "SELECT uuid, json_object ('agency', agency, 'case_number', case_number, 'lab_case_number'," \
  " lab_case_number, 'incident_date', incident_date, 'offense', offense, 'location', location)" \
  " FROM cases WHERE id = ?"
#define AUDIT_EXHIBIT_SQL \
  "SELECT e.uuid, json_object ('case', c.uuid, 'item_number', e.item_number, 'kind', e.kind," \
  " 'firearm_make', e.firearm_make, 'firearm_model', e.firearm_model, 'firearm_serial', e.firearm_serial)" \
  " FROM exhibits e JOIN cases c ON c.id = e.case_id WHERE e.id = ?"

static gint64
find_or_create_case (TmStore     *self,
                     TmCaseData  *data,
                     const char  *user,
                     const char  *now,
                     GError     **error)
{
  g_autoptr(TmStmt) find = NULL;
  g_autoptr(TmStmt) stmt = NULL;
  const char *agency = data->agency ? data->agency : "";
  int rc;

  find = prepare (self, "SELECT id FROM cases WHERE agency = ? AND case_number = ?", error);
  if (find == NULL)
    return 0;
  tm_stmt_bind_text_or_null (find, 1, agency);
  tm_stmt_bind_text_or_null (find, 2, data->case_number);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (find, 0);

      /* Later imports may know more about the case; they fill in, never overwrite.
       * Only a row that really gains a value is touched, so only that is audited. */
      stmt = prepare (self, "UPDATE cases SET lab_case_number = coalesce (lab_case_number, ?1),"
                            " incident_date = coalesce (incident_date, ?2), offense = coalesce (offense, ?3),"
                            " location = coalesce (location, ?4) WHERE id = ?5"
                            " AND ((lab_case_number IS NULL AND ?1 IS NOT NULL) OR (incident_date IS NULL AND ?2 IS NOT NULL)"
                            " OR (offense IS NULL AND ?3 IS NOT NULL) OR (location IS NULL AND ?4 IS NOT NULL))", error);
      if (stmt == NULL)
        return 0;
      tm_stmt_bind_text_or_null (stmt, 1, data->lab_case_number);
      tm_stmt_bind_text_or_null (stmt, 2, data->incident_date);
      tm_stmt_bind_text_or_null (stmt, 3, data->offense);
      tm_stmt_bind_text_or_null (stmt, 4, data->location);
      sqlite3_bind_int64 (stmt, 5, id);
      if (!tm_store_step_done (self, stmt, "cannot update the case", error))
        return 0;
      if (sqlite3_changes (self->db) > 0 &&
          !audit_row (self, user, "case-updated", "case", AUDIT_CASE_SQL, id, error))
        return 0;
      return id;
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, "cannot look the case up");
      return 0;
    }

  stmt = prepare (self, "INSERT INTO cases (uuid, agency, case_number, lab_case_number, incident_date,"
                        " offense, location, site_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  {
    g_autofree char *uuid = g_uuid_string_random ();

    tm_stmt_bind_text_or_null (stmt, 1, uuid);
    tm_stmt_bind_text_or_null (stmt, 2, agency);
    tm_stmt_bind_text_or_null (stmt, 3, data->case_number);
    tm_stmt_bind_text_or_null (stmt, 4, data->lab_case_number);
    tm_stmt_bind_text_or_null (stmt, 5, data->incident_date);
    tm_stmt_bind_text_or_null (stmt, 6, data->offense);
    tm_stmt_bind_text_or_null (stmt, 7, data->location);
    sqlite3_bind_int64 (stmt, 8, self->local_site_id);
    tm_stmt_bind_text_or_null (stmt, 9, now);
  }
  if (!tm_store_step_done (self, stmt, "cannot create the case", error))
    return 0;
  {
    gint64 id = sqlite3_last_insert_rowid (self->db);

    return audit_row (self, user, "case-created", "case", AUDIT_CASE_SQL, id, error) ? id : 0;
  }
}

static gint64
find_or_create_exhibit (TmStore     *self,
                        gint64       case_id,
                        TmCaseData  *data,
                        const char  *user,
                        GError     **error)
{
  g_autoptr(TmStmt) find = NULL;
  g_autoptr(TmStmt) stmt = NULL;
  const char *kind = data->kind ? data->kind : "crime-scene";
  gboolean has_firearm = data->firearm_make || data->firearm_model || data->firearm_serial;
  int rc;

  find = prepare (self, "SELECT id, kind FROM exhibits WHERE case_id = ? AND item_number = ?", error);
  if (find == NULL)
    return 0;
  sqlite3_bind_int64 (find, 1, case_id);
  tm_stmt_bind_text_or_null (find, 2, data->exhibit);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (find, 0);
      const char *existing = tm_stmt_column_text (find, 1);

      kind = existing;
      if (data->kind != NULL && !g_str_equal (data->kind, existing))
        {
          g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                       "exhibit %s of case %s is already recorded as %s, not %s",
                       data->exhibit, data->case_number, existing, data->kind);
          return 0;
        }
      if (has_firearm && !g_str_equal (kind, "test-fire"))
        goto firearm_on_evidence;
      if (has_firearm)
        {
          stmt = prepare (self, "UPDATE exhibits SET firearm_make = coalesce (firearm_make, ?1),"
                                " firearm_model = coalesce (firearm_model, ?2),"
                                " firearm_serial = coalesce (firearm_serial, ?3) WHERE id = ?4"
                                " AND ((firearm_make IS NULL AND ?1 IS NOT NULL) OR (firearm_model IS NULL AND ?2 IS NOT NULL)"
                                " OR (firearm_serial IS NULL AND ?3 IS NOT NULL))", error);
          if (stmt == NULL)
            return 0;
          tm_stmt_bind_text_or_null (stmt, 1, data->firearm_make);
          tm_stmt_bind_text_or_null (stmt, 2, data->firearm_model);
          tm_stmt_bind_text_or_null (stmt, 3, data->firearm_serial);
          sqlite3_bind_int64 (stmt, 4, id);
          if (!tm_store_step_done (self, stmt, "cannot update the exhibit", error))
            return 0;
          if (sqlite3_changes (self->db) > 0 &&
              !audit_row (self, user, "exhibit-updated", "exhibit", AUDIT_EXHIBIT_SQL, id, error))
            return 0;
        }
      return id;
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, "cannot look the exhibit up");
      return 0;
    }
  if (has_firearm && !g_str_equal (kind, "test-fire"))
    goto firearm_on_evidence;

  stmt = prepare (self, "INSERT INTO exhibits (uuid, case_id, item_number, kind, firearm_make,"
                        " firearm_model, firearm_serial) VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  {
    g_autofree char *uuid = g_uuid_string_random ();

    tm_stmt_bind_text_or_null (stmt, 1, uuid);
    sqlite3_bind_int64 (stmt, 2, case_id);
    tm_stmt_bind_text_or_null (stmt, 3, data->exhibit);
    tm_stmt_bind_text_or_null (stmt, 4, kind);
    tm_stmt_bind_text_or_null (stmt, 5, data->firearm_make);
    tm_stmt_bind_text_or_null (stmt, 6, data->firearm_model);
    tm_stmt_bind_text_or_null (stmt, 7, data->firearm_serial);
  }
  if (!tm_store_step_done (self, stmt, "cannot create the exhibit", error))
    return 0;
  {
    gint64 id = sqlite3_last_insert_rowid (self->db);

    return audit_row (self, user, "exhibit-created", "exhibit", AUDIT_EXHIBIT_SQL, id, error) ? id : 0;
  }

firearm_on_evidence:
  /* The firearm of crime-scene evidence is unknown by definition; a make or serial
   * there is a mistake in the intake data (or the kind was forgotten). */
  g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
               "exhibit %s of case %s is crime-scene evidence; a firearm make, model or serial "
               "belongs to a test fire (give the kind test-fire)", data->exhibit, data->case_number);
  return 0;
}

static gboolean
insert_microstamp (TmStore     *self,
                   gint64       acquisition_id,
                   const char  *location,
                   const char  *codes,
                   GError     **error)
{
  g_auto(GStrv) parts = NULL;

  if (codes == NULL)
    return TRUE;
  /* Several codes for one location are separated by ';' (two stamps on a firing pin). */
  parts = g_strsplit (codes, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(TmStmt) stmt = NULL;
      char *code = g_strstrip (parts[i]);

      if (*code == '\0')
        continue;
      stmt = prepare (self, "INSERT OR IGNORE INTO acquisition_microstamps (acquisition_id, location, code)"
                            " VALUES (?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, acquisition_id);
      tm_stmt_bind_text_or_null (stmt, 2, location);
      tm_stmt_bind_text_or_null (stmt, 3, code);
      if (!tm_store_step_done (self, stmt, "cannot record the microstamp code", error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_may_import (TmStore     *self,
                  const char  *user,
                  GError     **error)
{
  /* Supervisors read and report; entering evidence is the bench's work (domain.md). */
  return tm_store_check_permission (self, user, TM_PERMISSION_IMPORT, error);
}

static gint64
add_acquisition_locked (TmStore     *self,
                        TmCaseData  *data,
                        TmSurface   *surface,
                        GBytes      *original,
                        const char  *original_name,
                        const char  *sha256,
                        const char  *user,
                        const char  *now,
                        gboolean    *out_blob_created,
                        GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *meta = surface_meta_json (surface);
  g_autofree char *instrument = surface_instrument (surface);
  gint64 case_id, exhibit_id, acquisition_id;
  int rc;

  case_id = find_or_create_case (self, data, user, now, error);
  if (case_id == 0)
    return 0;
  exhibit_id = find_or_create_exhibit (self, case_id, data, user, error);
  if (exhibit_id == 0)
    return 0;

  stmt = prepare (self, "SELECT id FROM acquisitions WHERE exhibit_id = ? AND sha256 = ?", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, exhibit_id);
  tm_stmt_bind_text_or_null (stmt, 2, sha256);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      /* The same bytes twice in one exhibit is a slip at the bench, not a new scan. */
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "already imported into case %s, exhibit %s as acquisition %" G_GINT64_FORMAT
                   " (identical content)", data->case_number, data->exhibit,
                   (gint64)sqlite3_column_int64 (stmt, 0));
      return 0;
    }
  g_clear_pointer (&stmt, tm_stmt_free);

  stmt = prepare (self, "INSERT INTO blobs (sha256, size, stored_at) VALUES (?, ?, ?)"
                        " ON CONFLICT (sha256) DO NOTHING", error);
  if (stmt == NULL)
    return 0;
  tm_stmt_bind_text_or_null (stmt, 1, sha256);
  sqlite3_bind_int64 (stmt, 2, (gint64)g_bytes_get_size (original));
  tm_stmt_bind_text_or_null (stmt, 3, now);
  if (!tm_store_step_done (self, stmt, "cannot record the original", error))
    return 0;
  g_clear_pointer (&stmt, tm_stmt_free);

  /* The file goes in place inside the transaction; the caller removes it again if the
   * transaction does not commit. */
  if (!tm_blob_store_put (self->blobs, sha256, original, out_blob_created, error))
    return 0;

  stmt = prepare (self, "INSERT INTO acquisitions (uuid, exhibit_id, region, modality, instrument,"
                        " pixel_um_x, pixel_um_y, width, height, valid_fraction, calibre, firing_pin_type,"
                        " firing_pin_shape, breech_face_class, original_name, sha256, source_meta,"
                        " imported_by, imported_at, origin_site, collection)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  sqlite3_bind_int64 (stmt, 2, exhibit_id);
  tm_stmt_bind_text_or_null (stmt, 3, data->region ? data->region : "breech-face");
  tm_stmt_bind_text_or_null (stmt, 4, tm_modality_to_string (tm_surface_get_modality (surface)));
  tm_stmt_bind_text_or_null (stmt, 5, instrument ? instrument : data->instrument);
  sqlite3_bind_double (stmt, 6, tm_surface_get_pixel_um_x (surface));
  sqlite3_bind_double (stmt, 7, tm_surface_get_pixel_um_y (surface));
  sqlite3_bind_int64 (stmt, 8, tm_surface_get_width (surface));
  sqlite3_bind_int64 (stmt, 9, tm_surface_get_height (surface));
  sqlite3_bind_double (stmt, 10, tm_surface_valid_fraction (surface));
  tm_stmt_bind_text_or_null (stmt, 11, data->calibre);
  tm_stmt_bind_text_or_null (stmt, 12, data->firing_pin_type);
  tm_stmt_bind_text_or_null (stmt, 13, data->firing_pin_shape);
  tm_stmt_bind_text_or_null (stmt, 14, data->breech_face_class);
  tm_stmt_bind_text_or_null (stmt, 15, original_name);
  tm_stmt_bind_text_or_null (stmt, 16, sha256);
  tm_stmt_bind_text_or_null (stmt, 17, meta);
  tm_stmt_bind_text_or_null (stmt, 18, user);
  tm_stmt_bind_text_or_null (stmt, 19, now);
  tm_stmt_bind_text_or_null (stmt, 20, self->local_site);
  tm_stmt_bind_text_or_null (stmt, 21, data->collection ? data->collection : "casework");
  if (!tm_store_step_done (self, stmt, "cannot record the acquisition", error))
    return 0;
  acquisition_id = sqlite3_last_insert_rowid (self->db);

  if (!insert_microstamp (self, acquisition_id, "firing-pin", data->microstamp_firing_pin, error) ||
      !insert_microstamp (self, acquisition_id, "breech-face", data->microstamp_breech_face, error))
    return 0;

  /* Custody: what came in, its hash, where it went and the codes read from it. */
  if (!audit_row (self, user, "acquisition-imported", "acquisition",
                  "SELECT a.uuid, json_object ('exhibit', e.uuid, 'case', c.uuid, 'file', a.original_name,"
                  " 'sha256', a.sha256, 'modality', a.modality, 'region', a.region,"
                  " 'microstamps', (SELECT json_group_array (location || ':' || code)"
                  "   FROM acquisition_microstamps m WHERE m.acquisition_id = a.id))"
                  " FROM acquisitions a JOIN exhibits e ON e.id = a.exhibit_id"
                  " JOIN cases c ON c.id = e.case_id WHERE a.id = ?", acquisition_id, error))
    return 0;

  return acquisition_id;
}

static gboolean insert_derived (TmStore *self, gint64 id, const TmDerived *derived,
                                const char *now, GError **error);

gint64
tm_store_add_acquisition (TmStore     *self,
                          TmCaseData  *data,
                          TmSurface   *surface,
                          GBytes      *original,
                          const char  *original_name,
                          const char  *user,
                          GError     **error)
{
  return tm_store_add_acquisition_derived (self, data, surface, original, original_name,
                                           user, NULL, error);
}

gint64
tm_store_add_acquisition_derived (TmStore         *self,
                                  TmCaseData      *data,
                                  TmSurface       *surface,
                                  GBytes          *original,
                                  const char      *original_name,
                                  const char      *user,
                                  const TmDerived *derived,
                                  GError         **error)
{
  g_autofree char *sha256 = NULL;
  g_autofree char *now = NULL;
  g_autofree char *stem = NULL;
  gboolean blob_created = FALSE;
  gint64 id;

  g_return_val_if_fail (TM_IS_STORE (self), 0);
  g_return_val_if_fail (data != NULL, 0);
  g_return_val_if_fail (TM_IS_SURFACE (surface), 0);
  g_return_val_if_fail (original != NULL, 0);
  g_return_val_if_fail (original_name != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!tm_case_data_normalize (data, error) || !check_may_import (self, user, error))
    {
      g_prefix_error (error, "%s: ", original_name);
      return 0;
    }

  /* Without case data an acquisition still belongs somewhere a technician can find
   * and reassign it: the case "UNASSIGNED", one exhibit per file, named after it. */
  if (data->case_number == NULL)
    data->case_number = g_strdup ("UNASSIGNED");
  if (data->exhibit == NULL)
    {
      const char *dot = strrchr (original_name, '.');

      stem = dot != NULL && dot != original_name ? g_strndup (original_name, dot - original_name)
                                                 : g_strdup (original_name);
      data->exhibit = g_strdup (stem);
    }

  sha256 = tm_blob_sha256_bytes (original);
  now = now_utc_iso8601 ();

  if (!exec (self, "BEGIN IMMEDIATE", error))
    {
      g_prefix_error (error, "%s: ", original_name);
      return 0;
    }
  id = add_acquisition_locked (self, data, surface, original, original_name, sha256, user, now,
                               &blob_created, error);
  if (id != 0 && derived != NULL && !insert_derived (self, id, derived, now, error))
    id = 0;
  if (id != 0 && !exec (self, "COMMIT", error))
    id = 0;
  if (id == 0)
    {
      rollback (self);
      if (blob_created)
        tm_blob_store_remove (self->blobs, sha256, NULL);
      g_prefix_error (error, "%s: ", original_name);
      return 0;
    }
  return id;
}

GBytes *
tm_store_read_original (TmStore  *self,
                        gint64    id,
                        GError  **error)
{
  g_autoptr(TmAcquisition) acquisition = NULL;
  GBytes *bytes;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);

  acquisition = tm_store_get_acquisition (self, id, error);
  if (acquisition == NULL)
    return NULL;
  bytes = tm_blob_store_get (self->blobs, tm_acquisition_get_sha256 (acquisition), error);
  if (bytes == NULL)
    g_prefix_error (error, "acquisition %" G_GINT64_FORMAT " (%s): ", id,
                    tm_acquisition_get_file (acquisition));
  return bytes;
}

/* Derived data */

static GBytes *
encode_surface (TmSurface *surface,
                double    *out_scale,
                double    *out_offset)
{
  gsize n = (gsize)tm_surface_get_width (surface) * tm_surface_get_height (surface);
  const float *z = tm_surface_peek_data (surface);
  guint8 *buf = g_malloc (n * 2);
  float lo = 0, hi = 0;
  double scale, offset;

  if (!tm_surface_get_range (surface, &lo, &hi))
    lo = hi = 0;
  offset = ((double)lo + hi) / 2;
  /* ±32767 spans the range; -32768 marks an invalid point. */
  scale = hi > lo ? ((double)hi - lo) / (2 * 32766.0) : 1.0;
  for (gsize i = 0; i < n; i++)
    {
      gint16 q;

      if (isnan (z[i]))
        q = G_MININT16;
      else
        q = (gint16)CLAMP (lrint ((z[i] - offset) / scale), -32767, 32767);
      buf[2 * i] = (guint16)q & 0xff;
      buf[2 * i + 1] = (guint16)q >> 8;
    }
  *out_scale = scale;
  *out_offset = offset;
  return g_bytes_new_take (buf, n * 2);
}

static gboolean
insert_surface (TmStore     *self,
                gint64       id,
                const char  *region,
                TmSurface   *surface,
                const char  *params_hash,
                const char  *now,
                GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autoptr(GBytes) bytes = NULL;
  double scale, offset;
  gsize size;
  const void *data;

  bytes = encode_surface (surface, &scale, &offset);
  data = g_bytes_get_data (bytes, &size);
  stmt = prepare (self, "INSERT OR REPLACE INTO preprocessed (acquisition_id, region, width, height,"
                        " pixel_um, encoding, scale, offset, data, params_hash, created_at)"
                        " VALUES (?, ?, ?, ?, ?, 'int16le', ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  tm_stmt_bind_text_or_null (stmt, 2, region);
  sqlite3_bind_int64 (stmt, 3, tm_surface_get_width (surface));
  sqlite3_bind_int64 (stmt, 4, tm_surface_get_height (surface));
  sqlite3_bind_double (stmt, 5, tm_surface_get_pixel_um_x (surface));
  sqlite3_bind_double (stmt, 6, scale);
  sqlite3_bind_double (stmt, 7, offset);
  sqlite3_bind_blob64 (stmt, 8, data, size, SQLITE_TRANSIENT);
  tm_stmt_bind_text_or_null (stmt, 9, params_hash);
  tm_stmt_bind_text_or_null (stmt, 10, now);
  return tm_store_step_done (self, stmt, "cannot record the preprocessed surface", error);
}

static gboolean
insert_derived (TmStore         *self,
                gint64           id,
                const TmDerived *derived,
                const char      *now,
                GError         **error)
{
  const char *hash = derived->params_hash ? derived->params_hash : "";
  g_autofree char *sql = g_strdup_printf ("DELETE FROM preprocessed WHERE acquisition_id = %" G_GINT64_FORMAT ";"
                                          "DELETE FROM signatures WHERE acquisition_id = %" G_GINT64_FORMAT,
                                          id, id);

  if (!exec (self, sql, error))
    return FALSE;
  if (derived->breech_face != NULL &&
      !insert_surface (self, id, "breech-face", derived->breech_face, hash, now, error))
    return FALSE;
  if (derived->firing_pin != NULL &&
      !insert_surface (self, id, "firing-pin", derived->firing_pin, hash, now, error))
    return FALSE;
  if (derived->signature != NULL)
    {
      g_autoptr(TmStmt) stmt = NULL;
      gsize size;
      const void *data = g_bytes_get_data (derived->signature, &size);

      stmt = prepare (self, "INSERT INTO signatures (acquisition_id, version, params_hash, data)"
                            " VALUES (?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, derived->signature_version);
      tm_stmt_bind_text_or_null (stmt, 3, hash);
      sqlite3_bind_blob64 (stmt, 4, data, size, SQLITE_TRANSIENT);
      if (!tm_store_step_done (self, stmt, "cannot record the signature", error))
        return FALSE;
    }
  return TRUE;
}

gboolean
tm_store_set_derived (TmStore         *self,
                      gint64           id,
                      const TmDerived *derived,
                      GError         **error)
{
  g_autofree char *now = now_utc_iso8601 ();

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);
  g_return_val_if_fail (derived != NULL, FALSE);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!insert_derived (self, id, derived, now, error) || !exec (self, "COMMIT", error))
    {
      rollback (self);
      g_prefix_error (error, "acquisition %" G_GINT64_FORMAT ": ", id);
      return FALSE;
    }
  return TRUE;
}

TmSurface *
tm_store_load_preprocessed (TmStore     *self,
                            gint64       id,
                            const char  *region,
                            GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  TmSurface *surface;
  const guint8 *data;
  float *z;
  gsize n;
  double scale, offset, pixel_um;
  int rc, w, h;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  g_return_val_if_fail (region != NULL, NULL);

  stmt = prepare (self, "SELECT width, height, pixel_um, scale, offset, data FROM preprocessed"
                        " WHERE acquisition_id = ? AND region = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  tm_stmt_bind_text_or_null (stmt, 2, region);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND,
                   "acquisition %" G_GINT64_FORMAT " has no preprocessed %s surface; "
                   "run toolmark-cli reprocess", id, region);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sql_error (self, error, rc, "cannot read the preprocessed surface");
      return NULL;
    }
  w = sqlite3_column_int (stmt, 0);
  h = sqlite3_column_int (stmt, 1);
  pixel_um = sqlite3_column_double (stmt, 2);
  scale = sqlite3_column_double (stmt, 3);
  offset = sqlite3_column_double (stmt, 4);
  data = sqlite3_column_blob (stmt, 5);
  n = (gsize)w * h;
  if (w <= 0 || h <= 0 || w > TM_SURFACE_MAX_SIDE || h > TM_SURFACE_MAX_SIDE ||
      (gsize)sqlite3_column_bytes (stmt, 5) != n * 2)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_SQL,
                   "%s: the preprocessed %s surface of acquisition %" G_GINT64_FORMAT
                   " is damaged (%d bytes for %d × %d points); run toolmark-cli reprocess",
                   self->path, region, id, sqlite3_column_bytes (stmt, 5), w, h);
      return NULL;
    }
  surface = tm_surface_new (w, h, pixel_um, pixel_um, TM_MODALITY_3D);
  z = tm_surface_get_data (surface);
  for (gsize i = 0; i < n; i++)
    {
      gint16 q = (gint16)(data[2 * i] | data[2 * i + 1] << 8);

      z[i] = q == G_MININT16 ? NAN : (float)(offset + q * scale);
    }
  tm_surface_sync_mask (surface);
  return surface;
}

GBytes *
tm_store_load_signature (TmStore  *self,
                         gint64    id,
                         GError  **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT data FROM signatures WHERE acquisition_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  if (rc == SQLITE_DONE)
    g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND,
                 "acquisition %" G_GINT64_FORMAT " has no pre-score signature; run toolmark-cli reprocess", id);
  else
    set_sql_error (self, error, rc, "cannot read the signature");
  return NULL;
}

GArray *
tm_store_list_stale (TmStore     *self,
                     const char  *params_hash,
                     GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);
  g_return_val_if_fail (params_hash != NULL, NULL);

  stmt = prepare (self, "SELECT a.id FROM acquisitions a LEFT JOIN signatures s ON s.acquisition_id = a.id"
                        " WHERE s.acquisition_id IS NULL OR s.params_hash <> ?1"
                        "    OR NOT EXISTS (SELECT 1 FROM preprocessed p WHERE p.acquisition_id = a.id"
                        "                     AND p.region = 'breech-face' AND p.params_hash = ?1)"
                        " ORDER BY a.id", error);
  if (stmt == NULL)
    return NULL;
  tm_stmt_bind_text_or_null (stmt, 1, params_hash);
  return tm_store_collect_ids (self, stmt, "cannot list the acquisitions to reprocess", error);
}

gboolean
tm_store_foreach_signature (TmStore             *self,
                            const char          *where,
                            const char * const  *args,
                            TmStoreSignatureFunc func,
                            gpointer             user_data,
                            GError             **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *sql = NULL;
  int rc;

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  sql = g_strdup_printf ("SELECT a.id, s.data FROM acquisitions a"
                         "  JOIN exhibits e ON e.id = a.exhibit_id"
                         "  JOIN cases c ON c.id = e.case_id"
                         "  LEFT JOIN signatures s ON s.acquisition_id = a.id"
                         " WHERE %s ORDER BY a.id", where != NULL && *where ? where : "1");
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    tm_stmt_bind_text_or_null (stmt, i + 1, args[i]);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_autoptr(GBytes) signature = NULL;

      if (sqlite3_column_type (stmt, 1) == SQLITE_BLOB)
        signature = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
      if (!func (id, signature, user_data))
        return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, "cannot read the candidates' signatures");
      return FALSE;
    }
  return TRUE;
}

static void
bind_double_or_null (sqlite3_stmt *stmt,
                     int           index,
                     double        value)
{
  if (isfinite (value))
    sqlite3_bind_double (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static double
column_double_or_nan (sqlite3_stmt *stmt,
                      int           column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, column);
}

static gboolean
save_run_locked (TmStore          *self,
                 TmCorrelationRun *run,
                 gint64           *out_id,
                 GError          **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *timings = tm_correlation_run_timings_to_json (run);
  GArray *candidates = tm_correlation_run_get_candidates (run);
  guint filtered, prescored, full, unprocessed;
  gint64 run_id;

  tm_correlation_run_get_counts (run, &filtered, &prescored, &full, &unprocessed);
  stmt = prepare (self, "INSERT INTO correlation_runs (uuid, query_acquisition_id, filters, parameters,"
                        " n_filtered, n_prescored, n_full, n_unprocessed, timings, user, started_at,"
                        " finished_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  tm_stmt_bind_text_or_null (stmt, 1, uuid);
  sqlite3_bind_int64 (stmt, 2, tm_correlation_run_get_query_id (run));
  tm_stmt_bind_text_or_null (stmt, 3, tm_correlation_run_get_filters (run));
  tm_stmt_bind_text_or_null (stmt, 4, tm_correlation_run_get_parameters (run));
  sqlite3_bind_int64 (stmt, 5, filtered);
  sqlite3_bind_int64 (stmt, 6, prescored);
  sqlite3_bind_int64 (stmt, 7, full);
  sqlite3_bind_int64 (stmt, 8, unprocessed);
  tm_stmt_bind_text_or_null (stmt, 9, timings);
  tm_stmt_bind_text_or_null (stmt, 10, tm_correlation_run_get_user (run));
  tm_stmt_bind_text_or_null (stmt, 11, tm_correlation_run_get_started_at (run));
  tm_stmt_bind_text_or_null (stmt, 12, tm_correlation_run_get_finished_at (run));
  tm_stmt_bind_text_or_null (stmt, 13, tm_correlation_run_status_to_string (tm_correlation_run_get_status (run)));
  if (!tm_store_step_done (self, stmt, "cannot record the correlation run", error))
    return FALSE;
  run_id = sqlite3_last_insert_rowid (self->db);
  g_clear_pointer (&stmt, tm_stmt_free);

  stmt = prepare (self, "INSERT INTO candidates (run_id, acquisition_id, rank, score, scores, prescore,"
                        " angle_deg, dx_um, dy_um, cmc_a_to_b, cmc_b_to_a, accf, p_knm, review_state)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < candidates->len; i++)
    {
      const TmCandidate *c = &g_array_index (candidates, TmCandidate, i);
      g_autoptr(JsonNode) scores = tm_candidate_scores_to_json (c);
      g_autofree char *scores_text = NULL;

      /* the per-region ranks travel with the scores (tm_candidate_set_from_json) */
      json_object_set_member (json_node_get_object (scores), "ranks", tm_candidate_ranks_to_json (c));
      scores_text = json_to_string (scores, FALSE);
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, run_id);
      sqlite3_bind_int64 (stmt, 2, c->acquisition_id);
      sqlite3_bind_int64 (stmt, 3, c->rank);
      bind_double_or_null (stmt, 4, c->score);
      tm_stmt_bind_text_or_null (stmt, 5, scores_text);
      bind_double_or_null (stmt, 6, c->prescore);
      bind_double_or_null (stmt, 7, c->angle_deg);
      bind_double_or_null (stmt, 8, c->dx_um);
      bind_double_or_null (stmt, 9, c->dy_um);
      sqlite3_bind_int64 (stmt, 10, c->cmc_a_to_b);
      sqlite3_bind_int64 (stmt, 11, c->cmc_b_to_a);
      bind_double_or_null (stmt, 12, c->accf);
      bind_double_or_null (stmt, 13, c->p_knm);
      tm_stmt_bind_text_or_null (stmt, 14, c->review_state ? c->review_state : "unreviewed");
      if (!tm_store_step_done (self, stmt, "cannot record a candidate", error))
        return FALSE;
    }
  if (!audit_row (self, tm_correlation_run_get_user (run), "correlation-run-saved", "candidate",
                  "SELECT r.uuid, json_object ('query', a.uuid, 'status', r.status, 'n_candidates',"
                  " (SELECT count (*) FROM candidates k WHERE k.run_id = r.id), 'n_filtered', r.n_filtered)"
                  " FROM correlation_runs r JOIN acquisitions a ON a.id = r.query_acquisition_id"
                  " WHERE r.id = ?", run_id, error))
    return FALSE;
  *out_id = run_id;
  return TRUE;
}

gboolean
tm_store_save_run (TmStore          *self,
                   TmCorrelationRun *run,
                   GError          **error)
{
  gint64 id = 0;

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (run), FALSE);

  if (!tm_store_check_permission (self, tm_correlation_run_get_user (run), TM_PERMISSION_CORRELATE, error))
    return FALSE;
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!save_run_locked (self, run, &id, error) || !exec (self, "COMMIT", error))
    {
      rollback (self);
      return FALSE;
    }
  tm_correlation_run_set_id (run, id);
  return TRUE;
}

TmCorrelationRun *
tm_store_load_run (TmStore  *self,
                   gint64    run_id,
                   GError  **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(JsonNode) timings = NULL;
  int rc;

  g_return_val_if_fail (TM_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT r.query_acquisition_id, a.original_name, r.filters, r.parameters,"
                        " r.n_filtered, r.n_prescored, r.n_full, r.n_unprocessed, r.timings, r.user,"
                        " r.started_at, r.finished_at, r.status"
                        " FROM correlation_runs r JOIN acquisitions a ON a.id = r.query_acquisition_id"
                        " WHERE r.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  if (!tm_store_step_row (self, stmt, "cannot read the correlation run", error,
                          "%s: there is no correlation run %" G_GINT64_FORMAT, self->path, run_id))
    return NULL;
  run = tm_correlation_run_new (sqlite3_column_int64 (stmt, 0), tm_stmt_column_text (stmt, 1));
  tm_correlation_run_set_id (run, run_id);
  tm_correlation_run_set_filters (run, tm_stmt_column_text (stmt, 2));
  tm_correlation_run_set_parameters (run, tm_stmt_column_text (stmt, 3));
  tm_correlation_run_set_counts (run, sqlite3_column_int (stmt, 4), sqlite3_column_int (stmt, 5),
                                 sqlite3_column_int (stmt, 6), sqlite3_column_int (stmt, 7));
  timings = json_from_string (tm_stmt_column_text (stmt, 8), NULL);
  if (timings != NULL && JSON_NODE_HOLDS_OBJECT (timings))
    {
      JsonObject *o = json_node_get_object (timings);
      g_autoptr(GList) members = json_object_get_members (o);

      for (GList *l = members; l != NULL; l = l->next)
        tm_correlation_run_set_timing (run, l->data, json_object_get_double_member (o, l->data));
    }
  tm_correlation_run_set_user (run, tm_stmt_column_text (stmt, 9));
  tm_correlation_run_set_times (run, tm_stmt_column_text (stmt, 10), tm_stmt_column_text (stmt, 11));
  tm_correlation_run_set_status (run, g_strcmp0 (tm_stmt_column_text (stmt, 12), "cancelled") == 0
                                      ? TM_CORRELATION_RUN_CANCELLED : TM_CORRELATION_RUN_COMPLETE);
  g_clear_pointer (&stmt, tm_stmt_free);

  stmt = prepare (self, "SELECT k.acquisition_id, a.original_name, k.rank, k.score, k.prescore,"
                        " k.angle_deg, k.dx_um, k.dy_um, k.cmc_a_to_b, k.cmc_b_to_a, k.accf, k.p_knm,"
                        " k.review_state, k.scores"
                        " FROM candidates k JOIN acquisitions a ON a.id = k.acquisition_id"
                        " WHERE k.run_id = ? ORDER BY k.rank", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TmCandidate c = { 0 };
      g_autoptr(JsonNode) scores = json_from_string (tm_stmt_column_text (stmt, 13), NULL);

      c.acquisition_id = sqlite3_column_int64 (stmt, 0);
      c.file = g_strdup (tm_stmt_column_text (stmt, 1));
      c.rank = sqlite3_column_int (stmt, 2);
      c.score = column_double_or_nan (stmt, 3);
      c.prescore = column_double_or_nan (stmt, 4);
      c.angle_deg = column_double_or_nan (stmt, 5);
      c.dx_um = column_double_or_nan (stmt, 6);
      c.dy_um = column_double_or_nan (stmt, 7);
      c.cmc_a_to_b = sqlite3_column_int (stmt, 8);
      c.cmc_b_to_a = sqlite3_column_int (stmt, 9);
      c.accf = column_double_or_nan (stmt, 10);
      c.p_knm = column_double_or_nan (stmt, 11);
      c.p_knm_model = NAN;
      if (scores != NULL && JSON_NODE_HOLDS_OBJECT (scores))
        {
          JsonNode *m = json_object_get_member (json_node_get_object (scores), "p_knm_model");

          if (m != NULL && JSON_NODE_HOLDS_VALUE (m))
            c.p_knm_model = json_node_get_double (m);
        }
      tm_candidate_set_from_json (&c, scores != NULL && JSON_NODE_HOLDS_OBJECT (scores)
                                      ? json_node_get_object (scores) : NULL);
      c.review_state = g_strdup (tm_stmt_column_text (stmt, 12));
      tm_correlation_run_add_candidate (run, &c);
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, "cannot read the candidates");
      return NULL;
    }
  return g_steal_pointer (&run);
}

/* Verification */

static gboolean
collect_rows (TmStore     *self,
              const char  *sql,
              GPtrArray   *problems,
              const char  *format_prefix,
              gboolean     skip_ok,
              GError     **error)
{
  g_autoptr(TmStmt) stmt = prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *text = tm_stmt_column_text (stmt, 0);

      if (skip_ok && g_strcmp0 (text, "ok") == 0)
        continue;
      g_ptr_array_add (problems, g_strconcat (format_prefix, text ? text : "", NULL));
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, "cannot check the database");
      return FALSE;
    }
  return TRUE;
}

gboolean
tm_store_verify (TmStore     *self,
                 GPtrArray  **out_problems,
                 GError     **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) present = NULL;
  g_autoptr(GPtrArray) strays = NULL;
  g_autoptr(GHashTable) recorded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *db_prefix = g_strdup_printf ("database %s: ", self->path);
  int rc;

  g_return_val_if_fail (TM_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_problems != NULL, FALSE);

  if (!collect_rows (self, "PRAGMA integrity_check", problems, db_prefix, TRUE, error))
    return FALSE;
  if (!collect_rows (self,
                     "SELECT 'table ' || fk.\"table\" || ' row ' || coalesce (fk.rowid, '?')"
                     "       || ' refers to a missing row of ' || fk.parent"
                     "  FROM pragma_foreign_key_check AS fk",
                     problems, db_prefix, FALSE, error))
    return FALSE;
  if (!collect_rows (self,
                     "SELECT 'acquisition ' || a.id || ' (' || a.original_name || '): original '"
                     "       || a.sha256 || ' is not recorded in the blob table'"
                     "  FROM acquisitions a LEFT JOIN blobs b ON b.sha256 = a.sha256"
                     " WHERE b.sha256 IS NULL ORDER BY a.id",
                     problems, "", FALSE, error))
    return FALSE;

  /* Every recorded blob: present and re-hashed, named with the acquisitions it holds. */
  stmt = prepare (self,
                  "SELECT b.sha256, b.size,"
                  "       (SELECT group_concat ('acquisition ' || a.id || ' (' || a.original_name || ')', ', ')"
                  "          FROM acquisitions a WHERE a.sha256 = b.sha256)"
                  "  FROM blobs b"
                  /* Remote originals are not fetched yet: nothing to re-hash. */
                  " WHERE b.sha256 NOT IN (SELECT sha256 FROM remote_originals)"
                  " ORDER BY b.sha256", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *sha256 = tm_stmt_column_text (stmt, 0);
      const char *users = tm_stmt_column_text (stmt, 2);
      g_autoptr(GError) local_error = NULL;

      g_hash_table_add (recorded, g_strdup (sha256));
      if (!tm_blob_sha256_is_valid (sha256))
        {
          g_ptr_array_add (problems, g_strdup_printf ("blob '%s': not a SHA-256 name", sha256));
          continue;
        }
      if (!tm_blob_store_verify (self->blobs, sha256, &local_error))
        g_ptr_array_add (problems, g_strdup_printf ("%s; original of %s", local_error->message,
                                                    users ? users : "no acquisition"));
      else
        {
          g_autofree char *path = tm_blob_store_get_path (self->blobs, sha256);
          GStatBuf st;

          if (g_stat (path, &st) == 0 && st.st_size != sqlite3_column_int64 (stmt, 1))
            g_ptr_array_add (problems,
                             g_strdup_printf ("blob %s (%s): size %" G_GINT64_FORMAT " differs from the "
                                              "recorded %" G_GINT64_FORMAT "; original of %s",
                                              sha256, path, (gint64)st.st_size,
                                              (gint64)sqlite3_column_int64 (stmt, 1),
                                              users ? users : "no acquisition"));
        }
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, error, rc, "cannot read the blob table");
      return FALSE;
    }

  /* Files nobody recorded: left by a crash between writing a blob and committing, or
   * put there by hand. Either way the store no longer matches its record. */
  present = tm_blob_store_list (self->blobs, &strays, error);
  if (present == NULL)
    return FALSE;
  for (guint i = 0; i < present->len; i++)
    {
      const char *sha256 = g_ptr_array_index (present, i);

      if (!g_hash_table_contains (recorded, sha256))
        {
          g_autofree char *path = tm_blob_store_get_path (self->blobs, sha256);
          g_ptr_array_add (problems,
                           g_strdup_printf ("blob %s (%s): the file is not recorded in the database",
                                            sha256, path));
        }
    }
  for (guint i = 0; i < strays->len; i++)
    g_ptr_array_add (problems,
                     g_strdup_printf ("blob store %s: unexpected file %s",
                                      tm_blob_store_get_root (self->blobs),
                                      (const char *)g_ptr_array_index (strays, i)));

  *out_problems = g_steal_pointer (&problems);
  return TRUE;
}
