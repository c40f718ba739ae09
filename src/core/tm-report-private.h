/* tm-report-private.h — what the report kinds (tm-report-*.c) share with tm-report.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tm-report.h"
#include "tm-report-layout.h"
#include "tm-store-private.h"

G_BEGIN_DECLS

/* Wraps a laid-out document (paginated here; ownership taken) in a report with the
 * page frame: agency, title, generation time and user, page N of M. */
TmReport *tm_report_new_from_doc      (TmStore               *store,
                                       const TmReportOptions *options,
                                       const char            *title,
                                       TmReportDoc           *doc);
/* "Display Name (login)", or the login when the user has no name or is unknown. */
char     *tm_report_describe_user     (TmStore               *store,
                                       const char            *login);

/* The lead sections (cases, evidence, scores, aligned images, history) of the lead
 * with row id @lead_id; shared by the lead and the hit report. @confirmed: the lead
 * was confirmed by an examiner (the hit report), which changes the caveat printed.
 * @out_acquisition_uuids, @out_case_uuids: (out) (optional): the members' UUIDs and
 * their cases' UUIDs (for the chain of custody). */
gboolean  tm_report_add_lead_sections (TmReportDoc           *doc,
                                       TmStore               *store,
                                       gint64                 lead_id,
                                       gboolean               confirmed,
                                       GPtrArray            **out_acquisition_uuids,
                                       GPtrArray            **out_case_uuids,
                                       GCancellable          *cancellable,
                                       GError               **error);
/* A lead's status from its events (as tm-lead.c derives it): "open", "confirmed", … */
char     *tm_report_lead_status       (TmStore               *store,
                                       gint64                 lead_id);
/* A translated word for a status, conclusion or feedback outcome. */
const char *tm_report_describe_word   (const char            *word);
/* Resolves a lead's id or UUID to its row id; TM_REPORT_ERROR_NOT_FOUND otherwise. */
gint64    tm_report_find_lead         (TmStore               *store,
                                       const char            *lead,
                                       GError               **error);

G_END_DECLS
