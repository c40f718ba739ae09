/* tm-sync.h — a workstation's database ⇄ the hub, and records moving between sites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Push sends what this site created since its last push; pull brings what other sites
 * created within this site's search scope since its last pull. Records carry global
 * UUIDs and their origin site; acquisitions are immutable (a known UUID is skipped when
 * identical and quarantined when different); leads, their members, events and hits
 * are merged by UUID, so replays change nothing. Every batch is one hub transaction
 * (push) or one local transaction (pull) together with its cursor: a sync killed at
 * any point and run again ends in the state of an uninterrupted one.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tm-store.h"

G_BEGIN_DECLS

#define TM_SYNC_ERROR (tm_sync_error_quark ())

typedef enum
{
  TM_SYNC_ERROR_RECORD,    /* a malformed record */
  TM_SYNC_ERROR_REMOTE,    /* an original that only the hub holds and cannot be fetched */
} TmSyncError;

GQuark tm_sync_error_quark (void);

/**
 * TmSyncOptions:
 * @scope_sites: (nullable): UUIDs of the sites whose acquisitions are pulled; NULL or
 *   empty: every site
 * @scope_calibres: (nullable): calibres pulled; NULL or empty: all
 * @batch_size: records per transaction (0: 200)
 * @push, @pull: what to do (both FALSE means both)
 */
typedef struct
{
  const char * const *scope_sites;
  const char * const *scope_calibres;
  guint               batch_size;
  gboolean            push;
  gboolean            pull;
} TmSyncOptions;

/**
 * TmSyncReport:
 * @withheld: point-of-sale / manufacturer acquisitions not pushed to a NIBIN hub
 * @identical: remote records already here, unchanged (skipped)
 * @messages: (element-type utf8): one line per record quarantined in this run
 */
typedef struct
{
  guint      pushed_acquisitions;
  guint      pushed_originals;
  guint      pushed_leads;
  guint      pushed_events;
  guint      pushed_members;
  guint      pushed_hits;
  guint      pushed_audit;
  guint      withheld;
  guint      pulled_acquisitions;
  guint      pulled_leads;
  guint      pulled_events;
  guint      pulled_members;
  guint      pulled_hits;
  guint      identical;
  guint      quarantined;
  GPtrArray *messages;
} TmSyncReport;

void   tm_sync_report_init  (TmSyncReport *report);
void   tm_sync_report_clear (TmSyncReport *report);

/* @phase: "push acquisitions", "pull leads", …; @total 0 when unknown. Called from the
 * thread running the sync. */
typedef void (*TmSyncProgressFunc) (const char *phase,
                                    guint64     done,
                                    guint64     total,
                                    gpointer    user_data);

/**
 * tm_sync_run:
 * @hub_url: a libpq URI or key=value string; errors name it without its password
 *
 * Pushes then pulls. A cancelled sync stops between batches (G_IO_ERROR_CANCELLED);
 * what was committed stays, and the next sync goes on from there.
 */
gboolean tm_sync_run             (TmStore             *store,
                                  const char          *hub_url,
                                  const TmSyncOptions *options,
                                  TmSyncReport        *report,
                                  TmSyncProgressFunc   progress,
                                  gpointer             progress_data,
                                  GCancellable        *cancellable,
                                  GError             **error);

/**
 * tm_sync_fetch_original:
 *
 * The original file of acquisition @id: from the blob store when present, else fetched
 * from the hub, its SHA-256 checked, and kept in the blob store for next time.
 */
GBytes  *tm_sync_fetch_original  (TmStore             *store,
                                  const char          *hub_url,
                                  gint64               id,
                                  GError             **error);

/**
 * TmSyncQuarantined:
 * @source: the hub (URL without password) or package file the record came from
 * @entity: "acquisition", "lead", "lead-event", "lead-member", "hit"
 */
typedef struct
{
  gint64  id;
  char   *source;
  char   *entity;
  char   *uuid;
  char   *reason;
  char   *record;
  char   *at;
} TmSyncQuarantined;

void       tm_sync_quarantined_free (TmSyncQuarantined *item);
/* Every quarantined record, oldest first (element-type TmSyncQuarantined). */
GPtrArray *tm_sync_list_quarantine  (TmStore      *store,
                                     GError      **error);

/* ---- one acquisition as it travels (sync and exchange packages) ---- */

typedef struct
{
  char   *region;
  int     width;
  int     height;
  double  pixel_um;
  char   *encoding;
  double  scale;
  double  offset;
  GBytes *data;
  char   *params_hash;
} TmSyncSurface;

/**
 * TmSyncAcquisition:
 * @meta: the metadata: the acquisition's columns, its "case", "exhibit" and origin
 *   "site" as objects, "microstamps" as an array of {location, code}
 * @surfaces: (element-type TmSyncSurface): the preprocessed surfaces
 * @signature: (nullable): the pre-score signature
 */
typedef struct
{
  JsonObject *meta;
  GPtrArray  *surfaces;
  GBytes     *signature;
  int         signature_version;
  char       *signature_params_hash;
} TmSyncAcquisition;

TmSyncAcquisition *tm_sync_acquisition_new   (void);
void               tm_sync_acquisition_free  (TmSyncAcquisition *acquisition);
TmSyncSurface     *tm_sync_surface_new       (void);
void               tm_sync_surface_free      (TmSyncSurface     *surface);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmSyncAcquisition, tm_sync_acquisition_free)

/* Reads acquisition @id with its derived data. */
TmSyncAcquisition *tm_sync_acquisition_load  (TmStore      *store,
                                              gint64        id,
                                              GError      **error);
/* SHA-256 (hex) of the metadata's immutable fields; equal for equal records whatever
 * the JSON's key order or number formatting. NULL (TM_SYNC_ERROR_RECORD) when @meta is
 * malformed. */
char              *tm_sync_meta_hash         (JsonObject   *meta,
                                              GError      **error);

typedef enum
{
  TM_SYNC_APPLIED,
  TM_SYNC_IDENTICAL,
  TM_SYNC_QUARANTINED,
} TmSyncOutcome;

/**
 * TmSyncAuditInfo:
 * @user: who applied the records (the person running the sync or import)
 * @action_prefix: "sync-pulled" or "package-imported": the audit rows are
 *   "<prefix>-acquisition", "<prefix>-case" and "<prefix>-exhibit"
 * @via_key: "hub" or "package": the details member naming where the record came from
 * @via: the hub's URL without password, or the package file
 *
 * Records that arrive from elsewhere enter the audit trail as local changes do, in the
 * same transaction, naming the site that created them and the way they came.
 */
typedef struct
{
  const char *user;
  const char *action_prefix;
  const char *via_key;
  const char *via;
} TmSyncAuditInfo;

/**
 * tm_sync_acquisition_apply:
 * @source: where the record came from (quarantine rows name it)
 * @audit: how an applied record (and a case or exhibit it creates) is audited
 * @hub_uuid: (nullable): the hub that can later deliver the original, or NULL
 * @original: (nullable): the original bytes (must hash to the record's sha256); NULL
 *   leaves the original to be fetched from @hub_uuid
 * @out_blob_created: (out): TRUE when this call put a new file in the blob store (the
 *   caller removes it if its transaction does not commit)
 * @out_reason: (out) (optional): why it was quarantined
 *
 * Inside the caller's open transaction. A record that cannot be applied (malformed,
 * or a different record under a known UUID) is quarantined, not an error; FALSE only
 * when the database itself fails.
 */
gboolean tm_sync_acquisition_apply   (TmStore           *store,
                                      TmSyncAcquisition *acquisition,
                                      const char        *source,
                                      const char        *hub_uuid,
                                      GBytes            *original,
                                      const TmSyncAuditInfo *audit,
                                      TmSyncOutcome     *out_outcome,
                                      gboolean          *out_blob_created,
                                      char             **out_reason,
                                      GError           **error);
/* Records a quarantined record (inside the caller's transaction; a replay of the same
 * record and reason adds nothing). */
gboolean tm_sync_quarantine          (TmStore           *store,
                                      const char        *source,
                                      const char        *entity,
                                      const char        *uuid,
                                      const char        *reason,
                                      const char        *record,
                                      GError           **error);

G_END_DECLS
