/* tm-workflow.h — what people decide after a correlation, enforced by role
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every function takes the login of the person acting (@user) and checks the role in
 * the store before changing anything (TM_STORE_ERROR_PERMISSION with a message saying
 * which role is needed). Each change is one transaction that also appends to the audit
 * log (tm-audit.h); nothing a person decided is updated in place.
 *
 * Roles: technicians import, correlate, review candidates and create/extend leads;
 * examiners can do all that and record conclusions; supervisors read and report
 * (no changes); administrators manage users and can do everything.
 */
#pragma once

#include "tm-lead.h"
#include "tm-store.h"

G_BEGIN_DECLS

/* Candidate review: @state is "viewed", "dismissed" or "unreviewed" (undo). Appends a
 * candidate_decisions row and sets candidates.review_state. A candidate that is
 * already in a lead stays "lead" (TM_STORE_ERROR_CONSTRAINT). */
gboolean   tm_store_set_candidate_state  (TmStore      *self,
                                          gint64        run_id,
                                          gint64        acquisition_id,
                                          const char   *state,
                                          const char   *user,
                                          GError      **error);

/**
 * tm_store_create_lead:
 * @acquisition_ids: (array length=n_ids): two or more acquisitions of different exhibits
 * @note: (nullable): a first note event
 * @run_id: the correlation run the link was found in, or 0; when set, the candidates
 *   (@run_id, id) among @acquisition_ids are marked "lead" with a decision row
 *
 * Returns the new lead's id, or 0.
 */
gint64     tm_store_create_lead          (TmStore      *self,
                                          const gint64 *acquisition_ids,
                                          guint         n_ids,
                                          const char   *note,
                                          gint64        run_id,
                                          const char   *user,
                                          GError      **error);
/* Links one more acquisition (an exhibit not already in the lead); @run_id as above. */
gboolean   tm_store_add_to_lead          (TmStore      *self,
                                          gint64        lead_id,
                                          gint64        acquisition_id,
                                          gint64        run_id,
                                          const char   *user,
                                          GError      **error);
gboolean   tm_store_add_lead_note        (TmStore      *self,
                                          gint64        lead_id,
                                          const char   *note,
                                          const char   *user,
                                          GError      **error);
/* Investigator feedback: "arrest", "suspect-identified", "linked-prior-investigation",
 * "no-action". */
gboolean   tm_store_add_lead_feedback    (TmStore      *self,
                                          gint64        lead_id,
                                          const char   *outcome,
                                          const char   *note,
                                          const char   *user,
                                          GError      **error);
/**
 * tm_store_confirm_lead:
 * @conclusion: "identification", "inconclusive", "elimination" or "unsuitable"
 * @out_hit_id: (out) (optional): the hit an identification made, else 0
 *
 * Examiners (and administrators) only. An identification records a hit, links the
 * cases (case_links, source "hit") and counts it the ATF way (hits.n_hits).
 */
gboolean   tm_store_confirm_lead         (TmStore      *self,
                                          gint64        lead_id,
                                          const char   *conclusion,
                                          const char   *note,
                                          const char   *user,
                                          gint64       *out_hit_id,
                                          GError      **error);
/* Looks a lead up by id ("3") or UUID. */
TmLead    *tm_store_get_lead             (TmStore      *self,
                                          const char   *id_or_uuid,
                                          GError      **error);
/* Every lead, newest first (element-type TmLead). */
GPtrArray *tm_store_list_leads           (TmStore      *self,
                                          GError      **error);
/* The leads an acquisition is a member of (element-type TmLead). */
GPtrArray *tm_store_list_leads_of        (TmStore      *self,
                                          gint64        acquisition_id,
                                          GError      **error);

/* ---- added by the workflow implementation ---- */

/**
 * TmHit:
 * @n_hits: the ATF count of this identification (see tm_store_confirm_lead)
 * @case_numbers: (array zero-terminated=1): the cases the lead links, as "AGENCY CASE"
 *   or the case number alone when the agency is empty
 */
typedef struct
{
  gint64   id;
  char    *uuid;
  gint64   lead_id;
  char    *lead_uuid;
  char    *examiner;
  char    *confirmed_at;
  guint    n_hits;
  char    *origin_site;
  char   **case_numbers;
} TmHit;

void       tm_hit_free                   (TmHit        *hit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmHit, tm_hit_free)
/* Every hit, newest first (element-type TmHit). */
GPtrArray *tm_store_list_hits            (TmStore      *self,
                                          GError      **error);
/* Looks a hit up by id ("2") or UUID. */
TmHit     *tm_store_get_hit              (TmStore      *self,
                                          const char   *id_or_uuid,
                                          GError      **error);

/* A case by its UUID, its number ("2024-0113", refused when two agencies use it) or
 * "AGENCY/NUMBER"; returns its id, or 0. */
gint64     tm_store_find_case            (TmStore      *self,
                                          const char   *reference,
                                          GError      **error);
/* The UUID of case @case_id (its audit history is filed under it). */
char      *tm_store_get_case_uuid        (TmStore      *self,
                                          gint64        case_id,
                                          GError      **error);
/**
 * tm_store_link_cases_known:
 *
 * Records that an investigator already knew @case_a and @case_b are connected
 * (case_links source "investigator"), so a later identification between them is not
 * counted as a hit. Technicians, examiners and administrators.
 */
gboolean   tm_store_link_cases_known     (TmStore      *self,
                                          gint64        case_a,
                                          gint64        case_b,
                                          const char   *user,
                                          GError      **error);

G_END_DECLS
