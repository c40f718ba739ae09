/* tm-blob-store.h — original files kept byte-identical, content-addressed by SHA-256
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: "<root>/ab/cdef…" where "abcdef…" is the lower-case hex SHA-256 of the content.
 * The root is created 0700 and every blob 0600: originals are evidence, readable by
 * the owner only. Errors are in TM_STORE_ERROR (tm-store.h), mostly TM_STORE_ERROR_BLOB.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TM_TYPE_BLOB_STORE (tm_blob_store_get_type ())

G_DECLARE_FINAL_TYPE (TmBlobStore, tm_blob_store, TM, BLOB_STORE, GObject)

/* Lower-case hex SHA-256 of @bytes (64 characters). */
char        *tm_blob_sha256_bytes      (GBytes       *bytes);
/* TRUE when @sha256 is 64 lower-case hex digits (what a blob name must be). */
gboolean     tm_blob_sha256_is_valid   (const char   *sha256);

/* Opens the blob store rooted at @root, creating it (mode 0700) when missing. */
TmBlobStore *tm_blob_store_new         (const char   *root,
                                        GError      **error);
const char  *tm_blob_store_get_root    (TmBlobStore  *self);
/* Where the blob named @sha256 lives (whether or not it exists). */
char        *tm_blob_store_get_path    (TmBlobStore  *self,
                                        const char   *sha256);
gboolean     tm_blob_store_contains    (TmBlobStore  *self,
                                        const char   *sha256);
/* Stores @bytes under @sha256 (which the caller computed from @bytes; it is checked).
 * Written to a temporary file in the same directory, fsync'ed, then renamed into place,
 * so a blob is either absent or complete. When the blob already exists it is re-hashed
 * and left untouched; *@out_created tells whether this call created the file, so that a
 * failed transaction can remove exactly what it added. */
gboolean     tm_blob_store_put         (TmBlobStore  *self,
                                        const char   *sha256,
                                        GBytes       *bytes,
                                        gboolean     *out_created,
                                        GError      **error);
/* Reads the blob and checks that its content still hashes to @sha256. */
GBytes      *tm_blob_store_get         (TmBlobStore  *self,
                                        const char   *sha256,
                                        GError      **error);
/* Re-hashes the stored file (streaming); FALSE with TM_STORE_ERROR_BLOB naming the
 * blob and its file when it is missing, unreadable or altered. */
gboolean     tm_blob_store_verify      (TmBlobStore  *self,
                                        const char   *sha256,
                                        GError      **error);
gboolean     tm_blob_store_remove      (TmBlobStore  *self,
                                        const char   *sha256,
                                        GError      **error);
/* Names (SHA-256) of every blob file present, sorted; files that do not look like blobs
 * (leftover temporary files, stray names) are listed in @out_strays when non-NULL. */
GPtrArray   *tm_blob_store_list        (TmBlobStore  *self,
                                        GPtrArray   **out_strays,
                                        GError      **error);

G_END_DECLS
