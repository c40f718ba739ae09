/* tm-store-private.h — what the other store files of src/core share with tm-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workflow (leads, hits, audit), the sync and the reports are kept in their own
 * files but run their SQL on the TmStore's one connection. Not for the app or the CLI:
 * they go through the public functions, which enforce the roles.
 */
#pragma once

#include <sqlite3.h>

#include "tm-store.h"

G_BEGIN_DECLS

sqlite3    *tm_store_get_db               (TmStore      *self);
/* The local site's row id (sites.id). */
gint64      tm_store_get_local_site_id    (TmStore      *self);
/* Now in UTC, fixed width ("2026-11-21T10:00:00.123456Z") so strings sort as times. */
char       *tm_store_now_iso8601          (void);
/* Sets @error from an SQLite result code (constraint violations become
 * TM_STORE_ERROR_CONSTRAINT), prefixed with the database path and @what. */
void        tm_store_set_sql_error        (TmStore      *self,
                                           GError      **error,
                                           int           rc,
                                           const char   *what);
sqlite3_stmt *tm_store_prepare            (TmStore      *self,
                                           const char   *sql,
                                           GError      **error);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (the latter only when a transaction is open). */
gboolean    tm_store_begin                (TmStore      *self,
                                           GError      **error);
gboolean    tm_store_commit               (TmStore      *self,
                                           GError      **error);
void        tm_store_rollback             (TmStore      *self);

/* Steps @stmt once and expects SQLITE_DONE; otherwise sets @error as
 * tm_store_set_sql_error() does, with @what saying what was being done. */
gboolean    tm_store_step_done            (TmStore      *self,
                                           sqlite3_stmt *stmt,
                                           const char   *what,
                                           GError      **error);
/* Steps @stmt once and expects a row: TRUE when there is one; when there is none sets
 * @error to TM_STORE_ERROR_NOT_FOUND with the message @not_found_format, on an
 * SQLite error as tm_store_set_sql_error() does with @what. */
gboolean    tm_store_step_row             (TmStore      *self,
                                           sqlite3_stmt *stmt,
                                           const char   *what,
                                           GError      **error,
                                           const char   *not_found_format,
                                           ...) G_GNUC_PRINTF (5, 6);
/* Steps the prepared and bound @stmt to its end and returns the first column of
 * each row as a GArray of gint64; on an SQLite error sets @error naming @what. */
GArray     *tm_store_collect_ids          (TmStore      *self,
                                           sqlite3_stmt *stmt,
                                           const char   *what,
                                           GError      **error);
/* One object from the current row of a statement. */
typedef gpointer (*TmStmtRowFunc) (sqlite3_stmt *stmt);
/* Steps the prepared and bound @stmt to its end and returns @from_row of each row in a
 * GPtrArray freeing them with @free_func; on an SQLite error sets @error naming @what. */
GPtrArray  *tm_store_collect_rows         (TmStore        *self,
                                           sqlite3_stmt   *stmt,
                                           TmStmtRowFunc   from_row,
                                           GDestroyNotify  free_func,
                                           const char     *what,
                                           GError        **error);
/* The first column of the first row of @sql (a query without parameters). */
gboolean    tm_store_query_int64          (TmStore      *self,
                                           const char   *sql,
                                           gint64       *out_value,
                                           GError      **error);

/* Reads @text as a row id (a positive number: @out_id, @out_uuid NULL) or a UUID
 * (lower-cased in @out_uuid, @out_id 0); otherwise sets @error saying it is neither
 * @noun id (e.g. "a lead") nor a UUID. */
gboolean    tm_store_parse_id_or_uuid     (const char   *text,
                                           const char   *noun,
                                           gint64       *out_id,
                                           char        **out_uuid,
                                           GError      **error);

typedef sqlite3_stmt TmStmt;
void        tm_stmt_free                  (TmStmt       *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmStmt, tm_stmt_free)
/* Binds @value as text (copied), or SQL NULL when @value is NULL. */
void        tm_stmt_bind_text_or_null     (sqlite3_stmt *stmt,
                                           int           index,
                                           const char   *value);
/* A text column as a C string (NULL for SQL NULL); valid until the next step. */
const char *tm_stmt_column_text           (sqlite3_stmt *stmt,
                                           int           column);

G_END_DECLS
