/* tm-audit.h — the append-only, SHA-256 hash-chained audit trail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every change to a case, exhibit, acquisition, candidate, lead, hit, user or
 * microstamp appends one row to audit_log inside the transaction that makes the change,
 * so the change and its record commit together or not at all. Each row's hash covers its
 * canonical text (tm_audit_canonical_text) including the previous row's hash, so an
 * edited, deleted or reordered row breaks the chain and tm_audit_verify() names it,
 * even when the append-only triggers were dropped first.
 */
#pragma once

#include "tm-store.h"

G_BEGIN_DECLS

/* The prev_hash of the first row. */
#define TM_AUDIT_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/**
 * TmAuditEntry:
 * @seq: position in the chain (1 = first)
 * @details: JSON object text
 */
typedef struct
{
  gint64  seq;
  char   *uuid;
  char   *at;
  char   *user;
  char   *site;
  char   *action;
  char   *entity_type;
  char   *entity_uuid;
  char   *details;
  char   *prev_hash;
  char   *hash;
} TmAuditEntry;

void        tm_audit_entry_free       (TmAuditEntry *entry);

/* The text a row's hash is computed over; each field is length-prefixed so no choice
 * of values can make two different rows read the same. */
char       *tm_audit_canonical_text   (const TmAuditEntry *entry);

/**
 * tm_audit_append:
 * @entity_type: "case", "exhibit", "acquisition", "candidate", "lead", "hit", "user",
 *   "microstamp", "sync" or "package"
 * @entity_uuid: the changed item's UUID (a login for users)
 * @details: (nullable): JSON object text with what changed
 *
 * Must be called inside the caller's open transaction (tm_store_begin): the row is
 * chained to the last committed one, which only the write lock makes safe.
 */
gboolean    tm_audit_append           (TmStore      *store,
                                       const char   *user,
                                       const char   *action,
                                       const char   *entity_type,
                                       const char   *entity_uuid,
                                       const char   *details,
                                       GError      **error);

/**
 * tm_audit_verify:
 * @out_problems: (out): one line per problem, naming the row (seq and uuid) and what
 *   is wrong with it (edited, missing rows before it, out of order)
 * @out_n_rows: (out) (optional): rows checked
 *
 * Returns FALSE only when the check could not run; an empty @out_problems means the
 * chain is intact.
 */
gboolean    tm_audit_verify           (TmStore      *store,
                                       GPtrArray   **out_problems,
                                       gint64       *out_n_rows,
                                       GError      **error);

/**
 * tm_audit_list:
 * @entity_uuid: (nullable): an item's UUID (or a login); NULL for the whole log
 *
 * The rows about @entity_uuid — those naming it as their entity and those whose
 * details mention it (a lead's member-added row names the acquisition) — oldest first
 * (element-type TmAuditEntry).
 */
GPtrArray  *tm_audit_list             (TmStore      *store,
                                       const char   *entity_uuid,
                                       GError      **error);

G_END_DECLS
