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

G_END_DECLS
