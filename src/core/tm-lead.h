/* tm-lead.h — a lead: acquisitions of different exhibits a reviewer linked, and its history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A TmLead is a snapshot read from the store (tm_store_get_lead): the lead row, its
 * members and its events in time order. Its status is derived from the events, never
 * stored in place, so records merged from other sites give the same status everywhere.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * TmLeadMember:
 * @acquisition_id, @acquisition_uuid: the linked acquisition
 * @case_number, @exhibit, @file: what a reader needs to name it
 * @added_by, @added_at: who linked it, when (ISO 8601 UTC)
 */
typedef struct
{
  gint64  acquisition_id;
  char   *acquisition_uuid;
  char   *case_number;
  char   *exhibit;
  char   *file;
  char   *added_by;
  char   *added_at;
} TmLeadMember;

/**
 * TmLeadEvent:
 * @uuid: the event's global id
 * @kind: "created", "member-added", "note", "feedback", "conclusion", "status"
 * @payload: JSON object text (e.g. {"outcome":"arrest"}, {"conclusion":"identification","note":"…"})
 * @user, @at, @origin_site: who, when (ISO 8601 UTC), at which site
 */
typedef struct
{
  char *uuid;
  char *kind;
  char *payload;
  char *user;
  char *at;
  char *origin_site;
} TmLeadEvent;

#define TM_TYPE_LEAD (tm_lead_get_type ())

G_DECLARE_FINAL_TYPE (TmLead, tm_lead, TM, LEAD, GObject)

/* GObject properties (read-only): id, uuid, status, created-by, created-at,
 * n-members, conclusion (NULL until an examiner concluded), outcome (latest
 * investigator feedback or NULL). */
gint64        tm_lead_get_id           (TmLead *self);
const char   *tm_lead_get_uuid         (TmLead *self);
/* "open", "confirmed" (identification → hit), "eliminated", "inconclusive",
 * "unsuitable", "closed": from the latest status/conclusion event. */
const char   *tm_lead_get_status       (TmLead *self);
const char   *tm_lead_get_created_by   (TmLead *self);
const char   *tm_lead_get_created_at   (TmLead *self);
const char   *tm_lead_get_conclusion   (TmLead *self);
const char   *tm_lead_get_outcome      (TmLead *self);
/* (element-type TmLeadMember) (transfer none), in the order they were added */
GPtrArray    *tm_lead_get_members      (TmLead *self);
/* (element-type TmLeadEvent) (transfer none), oldest first */
GPtrArray    *tm_lead_get_events       (TmLead *self);

/* For the store only: builds a snapshot (takes ownership of the arrays, whose free
 * functions must be set). */
TmLead       *tm_lead_new              (gint64      id,
                                        const char *uuid,
                                        const char *created_by,
                                        const char *created_at,
                                        GPtrArray  *members,
                                        GPtrArray  *events);

void          tm_lead_member_free      (TmLeadMember *member);
void          tm_lead_event_free       (TmLeadEvent  *event);

G_END_DECLS
