/* tm-store.h — the local SQLite database: schema, migrations, queries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One TmStore is one SQLite connection (WAL, foreign keys on); use one per thread.
 * The blob store of original files lives beside the database file, in
 * "<db>.blobs/" (content-addressed by SHA-256).
 */
#pragma once

#include <glib-object.h>

#include "tm-acquisition.h"
#include "tm-blob-store.h"
#include "tm-correlation-run.h"
#include "tm-surface.h"

G_BEGIN_DECLS

#define TM_STORE_ERROR (tm_store_error_quark ())

typedef enum
{
  TM_STORE_ERROR_OPEN,
  TM_STORE_ERROR_SCHEMA,      /* newer schema than this program knows, or migration failed */
  TM_STORE_ERROR_SQL,
  TM_STORE_ERROR_NOT_FOUND,
  TM_STORE_ERROR_CONSTRAINT,  /* invalid value, e.g. an unknown calibre class */
  TM_STORE_ERROR_BLOB,        /* a stored original is missing or does not hash right */
  TM_STORE_ERROR_PERMISSION,  /* the user's role does not allow the action */
} TmStoreError;

#define TM_TYPE_STORE (tm_store_get_type ())

G_DECLARE_FINAL_TYPE (TmStore, tm_store, TM, STORE, GObject)

GQuark      tm_store_error_quark          (void);
/* Opens (creating and migrating as needed) the database at @path; the file, its
 * directory (when created) and the blob store are made readable by the owner only. */
TmStore    *tm_store_open                 (const char  *path,
                                           GError     **error);
const char *tm_store_get_path             (TmStore     *self);
int         tm_store_get_schema_version   (TmStore     *self);
/* Every acquisition, newest first, as TmAcquisition objects. */
GPtrArray  *tm_store_list_acquisitions    (TmStore     *self,
                                           GError     **error);
TmAcquisition *tm_store_get_acquisition   (TmStore     *self,
                                           gint64       id,
                                           GError     **error);
gint64      tm_store_count_acquisitions   (TmStore     *self,
                                           GError     **error);

/* The schema version this program creates and understands (PRAGMA user_version). */
#define TM_STORE_SCHEMA_VERSION 4

/**
 * TmCaseData:
 *
 * What a person says about an acquisition (the file says the rest): the case, the
 * exhibit and the class characteristics. Every field is an owned string or NULL
 * (unknown). Enumerated fields take the spellings of the schema ("test-fire",
 * "centre-fire", "elliptical", …); tm_case_data_normalize() accepts common variants.
 */
typedef struct
{
  char *agency;
  char *case_number;        /* agency case number; NULL: "UNASSIGNED" */
  char *lab_case_number;
  char *incident_date;      /* ISO 8601 date */
  char *offense;
  char *location;
  char *exhibit;            /* item number within the case; NULL: the file's stem */
  char *kind;               /* "crime-scene" (default) or "test-fire" */
  char *firearm_make;       /* test fires only */
  char *firearm_model;
  char *firearm_serial;
  char *region;             /* region of interest; NULL: "breech-face" */
  char *calibre;
  char *firing_pin_type;    /* "centre-fire" / "rim-fire" */
  char *firing_pin_shape;   /* "circular" / "elliptical" / "hemispherical" / "rectangular" */
  char *breech_face_class;  /* "arched" / "circular" / "crosshatch" / "granular" / "parallel" / "smooth" */
  char *microstamp_firing_pin;
  char *microstamp_breech_face;
  char *instrument;         /* used only when the file does not name its instrument */
  char *collection;         /* "casework" (default), "point-of-sale" or "manufacturer" */
} TmCaseData;

TmCaseData *tm_case_data_new              (void);
TmCaseData *tm_case_data_copy             (const TmCaseData *data);
void        tm_case_data_free             (TmCaseData  *data);
/* Fields set (non-NULL, non-empty) in @over replace those of @data. */
void        tm_case_data_merge            (TmCaseData  *data,
                                           const TmCaseData *over);
/* Trims every field, turns empty strings to NULL and enumerations to their canonical
 * spelling; FALSE with TM_STORE_ERROR_CONSTRAINT naming the field and the allowed
 * values when one is not recognised. */
gboolean    tm_case_data_normalize        (TmCaseData  *data,
                                           GError     **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmCaseData, tm_case_data_free)

TmBlobStore *tm_store_get_blob_store      (TmStore     *self);
/* UUID of this installation's own site (created at first open). */
const char *tm_store_get_local_site       (TmStore     *self);

/* Adds a user; @role is technician, examiner, supervisor or administrator. */
gboolean    tm_store_add_user             (TmStore     *self,
                                           const char  *login,
                                           const char  *display_name,
                                           const char  *role,
                                           GError     **error);
/* The role of @login, or NULL (TM_STORE_ERROR_NOT_FOUND) when not registered. */
char       *tm_store_get_user_role        (TmStore     *self,
                                           const char  *login,
                                           GError     **error);

/**
 * tm_store_add_acquisition:
 * @data: case data (normalised here); NULL fields take the defaults documented above
 * @surface: what was read from @original
 * @original: the file's bytes, kept byte-identical in the blob store
 * @original_name: the file's base name, as recorded and shown
 * @user: the login of the person importing (must be a registered technician,
 *   examiner or administrator)
 *
 * One transaction: finds or creates the case and exhibit, records the blob and the
 * acquisition and puts the blob file in place. On any failure the database is rolled
 * back and a blob file this call created is removed (one that existed stays). The same
 * bytes imported twice into the same exhibit are refused (TM_STORE_ERROR_CONSTRAINT).
 * Returns the new acquisition's id, or 0.
 */
gint64      tm_store_add_acquisition      (TmStore     *self,
                                           TmCaseData  *data,
                                           TmSurface   *surface,
                                           GBytes      *original,
                                           const char  *original_name,
                                           const char  *user,
                                           GError     **error);
/* The original bytes of acquisition @id from the blob store, their hash checked. */
GBytes     *tm_store_read_original        (TmStore     *self,
                                           gint64       id,
                                           GError     **error);
/* Looks an acquisition up by its id ("12") or its UUID. */
TmAcquisition *tm_store_find_acquisition  (TmStore     *self,
                                           const char  *id_or_uuid,
                                           GError     **error);
/**
 * tm_store_verify:
 * @out_problems: (out): one line per problem found, naming the blob or acquisition
 *
 * SQLite integrity_check and foreign_key_check, every acquisition's blob recorded and
 * present, every blob re-hashed, no unrecorded files in the blob store. Returns FALSE
 * only when the check itself could not run; an empty @out_problems means all is well.
 */
gboolean    tm_store_verify               (TmStore     *self,
                                           GPtrArray  **out_problems,
                                           GError     **error);
/* Runs SQL with no result rows (maintenance and tests); constraint violations are
 * reported as TM_STORE_ERROR_CONSTRAINT. */
gboolean    tm_store_exec                 (TmStore     *self,
                                           const char  *sql,
                                           GError     **error);

/* ---- what the engine derives from an acquisition (schema version 2) ---- */

/**
 * TmDerived:
 * @breech_face: the preprocessed breech-face surface (tm_preprocess_surface), or NULL
 * @firing_pin: the firing-pin impression region, or NULL when none was found
 * @signature: the pre-score signature (tm_signature_to_bytes), or NULL
 * @signature_version: TM_SIGNATURE_VERSION of @signature
 * @params_hash: names the preprocessing parameters and signature version used
 */
typedef struct
{
  TmSurface  *breech_face;
  TmSurface  *firing_pin;
  GBytes     *signature;
  int         signature_version;
  const char *params_hash;
} TmDerived;

/* As tm_store_add_acquisition(), and in the same transaction the derived data (when
 * @derived is not NULL): an import either records everything or nothing. */
gint64      tm_store_add_acquisition_derived (TmStore        *self,
                                              TmCaseData     *data,
                                              TmSurface      *surface,
                                              GBytes         *original,
                                              const char     *original_name,
                                              const char     *user,
                                              const TmDerived *derived,
                                              GError        **error);
/* Replaces the derived data of acquisition @id (one transaction; `reprocess`). */
gboolean    tm_store_set_derived          (TmStore         *self,
                                           gint64           id,
                                           const TmDerived *derived,
                                           GError         **error);
/* The stored preprocessed surface of @region ("breech-face" or "firing-pin");
 * TM_STORE_ERROR_NOT_FOUND when there is none. */
TmSurface  *tm_store_load_preprocessed    (TmStore     *self,
                                           gint64       id,
                                           const char  *region,
                                           GError     **error);
/* The stored signature bytes; TM_STORE_ERROR_NOT_FOUND when there is none. */
GBytes     *tm_store_load_signature       (TmStore     *self,
                                           gint64       id,
                                           GError     **error);
/* The ids of acquisitions whose derived data is missing or was made with other
 * parameters than @params_hash, in id order. */
GArray     *tm_store_list_stale           (TmStore     *self,
                                           const char  *params_hash,
                                           GError     **error);

/* Called per acquisition passing the filter; @signature is NULL when the acquisition
 * has none yet. Return FALSE to stop. */
typedef gboolean (*TmStoreSignatureFunc) (gint64      id,
                                          GBytes     *signature,
                                          gpointer    user_data);
/**
 * tm_store_foreach_signature:
 * @where: an SQL condition over the aliases a (acquisitions), e (exhibits) and c (cases),
 *   with ? placeholders, or NULL for all
 * @args: the placeholders' values as text, NULL-terminated (may be NULL)
 *
 * Streams the signatures of the acquisitions matching @where (tm-search builds it from
 * the demographic filters), in id order.
 */
gboolean    tm_store_foreach_signature    (TmStore             *self,
                                           const char          *where,
                                           const char * const  *args,
                                           TmStoreSignatureFunc func,
                                           gpointer             user_data,
                                           GError             **error);

/* Saves a finished (complete or cancelled) run and its candidates in one transaction
 * and sets its id. */
gboolean    tm_store_save_run             (TmStore          *self,
                                           TmCorrelationRun *run,
                                           GError          **error);
/* Loads a run and its candidates. */
TmCorrelationRun *tm_store_load_run       (TmStore     *self,
                                           gint64       run_id,
                                           GError     **error);

G_END_DECLS
