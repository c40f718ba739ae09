/* tm-hub.h — the PostgreSQL database that the sites of a network share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hub holds every site's acquisitions (metadata, preprocessed surfaces, signatures),
 * their original files (content-addressed by SHA-256), leads, lead members and events,
 * hits and audit events. Every record carries its global UUID and origin site; nothing
 * is updated in place, so sites merge by union (tm-sync.c). One TmHub is one libpq
 * connection; use it from one thread at a time.
 */
#pragma once

#include <glib-object.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

#define TM_HUB_ERROR (tm_hub_error_quark ())

typedef enum
{
  TM_HUB_ERROR_CONNECT,   /* the server cannot be reached or refused the login */
  TM_HUB_ERROR_SCHEMA,    /* not a hub (run `hub init`), or a newer hub schema */
  TM_HUB_ERROR_SQL,
} TmHubError;

/* The hub schema version this program creates and understands. */
#define TM_HUB_SCHEMA_VERSION 1

#define TM_TYPE_HUB (tm_hub_get_type ())

G_DECLARE_FINAL_TYPE (TmHub, tm_hub, TM, HUB, GObject)

GQuark      tm_hub_error_quark        (void);

/* @url without its password (for messages and the local record of the hub); works for
 * URIs (postgresql://user:secret@host/db) and key=value strings alike. */
char       *tm_hub_redact_url         (const char  *url);

/**
 * tm_hub_init_schema:
 * @network_type: (nullable): "nibin" or "other" for a new hub; NULL keeps an existing
 *   hub's type (a new hub is then "other")
 *
 * Creates the hub schema or migrates it to TM_HUB_SCHEMA_VERSION; running it again
 * changes nothing. Changing the network type of an existing hub is refused: sites have
 * already pushed under the old rules.
 */
gboolean    tm_hub_init_schema        (const char  *url,
                                       const char  *network_type,
                                       GError     **error);

/* Connects to an initialised hub of this schema version. */
TmHub      *tm_hub_connect            (const char  *url,
                                       GError     **error);
const char *tm_hub_get_display_url    (TmHub       *self);
/* The UUID the hub was created with (its identity for the sites' cursors). */
const char *tm_hub_get_uuid           (TmHub       *self);
/* "nibin" or "other". */
const char *tm_hub_get_network_type   (TmHub       *self);
gboolean    tm_hub_is_nibin           (TmHub       *self);

/* For tm-sync.c: the connection, and statements with errors naming the hub. */
PGconn     *tm_hub_get_conn           (TmHub       *self);
gboolean    tm_hub_exec               (TmHub       *self,
                                       const char  *sql,
                                       GError     **error);
/**
 * tm_hub_query:
 * @formats: (nullable): per parameter 0 (text) or 1 (binary, for bytea)
 * @binary_result: TRUE for binary results (only for queries whose columns are text
 *   or bytea, which then come back as raw bytes)
 *
 * Runs one statement; a result that is not PGRES_COMMAND_OK or PGRES_TUPLES_OK is
 * cleared and reported in @error. Free the result with PQclear.
 */
PGresult   *tm_hub_query              (TmHub              *self,
                                       const char         *sql,
                                       int                 n_params,
                                       const char * const *values,
                                       const int          *lengths,
                                       const int          *formats,
                                       gboolean            binary_result,
                                       GError            **error);
/* BEGIN, then the hub-wide write lock: writers are serialised so sequence numbers
 * commit in order and a puller's cursor never skips a row committed late. */
gboolean    tm_hub_begin_write        (TmHub       *self,
                                       GError     **error);
gboolean    tm_hub_commit             (TmHub       *self,
                                       GError     **error);
void        tm_hub_rollback           (TmHub       *self);

/* A PostgreSQL array literal ({"a","b"}) of @values, or NULL when @values is empty. */
char       *tm_hub_array_literal      (const char * const *values);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_END_DECLS
