/* tm-report.h — printed reports: lead, hit / intelligence, case linkage, statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A TmReport is built from the store once (the data read, the comparisons re-run, the
 * pages laid out at A4) and can then draw any of its pages on any cairo_t: a PDF file
 * (tm_report_write_pdf), a GtkPrintOperation page or a preview widget. A finished
 * report does not touch the store again, so it may be built in a worker thread and
 * drawn in the main one.
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "tm-store.h"

G_BEGIN_DECLS

#define TM_REPORT_ERROR (tm_report_error_quark ())

typedef enum
{
  TM_REPORT_ERROR_NOT_FOUND,   /* no such lead, hit or case */
  TM_REPORT_ERROR_INVALID,     /* an option is malformed, e.g. a date */
  TM_REPORT_ERROR_WRITE,       /* the PDF could not be written */
} TmReportError;

GQuark tm_report_error_quark (void);

/**
 * TmReportOptions:
 * @agency: the agency named in the page header; NULL or "": the local site's name
 * @user: login of the person generating the report (printed on every page)
 * @generated_at: (nullable): the generation time; NULL: now
 */
typedef struct
{
  const char *agency;
  const char *user;
  GDateTime  *generated_at;
} TmReportOptions;

/**
 * TmReportStatsRange:
 * @from, @to: ISO 8601 dates ("2026-11-01"), inclusive; NULL: unbounded (from the first
 *   record / up to today)
 * @site: a site's UUID or name; NULL: every site
 */
typedef struct
{
  const char *from;
  const char *to;
  const char *site;
} TmReportStatsRange;

#define TM_TYPE_REPORT (tm_report_get_type ())

G_DECLARE_FINAL_TYPE (TmReport, tm_report, TM, REPORT, GObject)

/* For investigators: the cases, evidence, aligned images with congruent cells, scores,
 * reviewer; states that the lead is unconfirmed. @lead is an id or a UUID. */
TmReport   *tm_report_new_lead        (TmStore                  *store,
                                       const char               *lead,
                                       const TmReportOptions    *options,
                                       GCancellable             *cancellable,
                                       GError                  **error);
/* The lead report plus the examiner's conclusion and the chain of custody. @hit is a
 * hit's id or UUID. */
TmReport   *tm_report_new_hit         (TmStore                  *store,
                                       const char               *hit,
                                       const TmReportOptions    *options,
                                       GCancellable             *cancellable,
                                       GError                  **error);
/* The graph of cases linked to @case_ref (a case number, or "#id", or UUID) by leads
 * and hits. */
TmReport   *tm_report_new_linkage     (TmStore                  *store,
                                       const char               *case_ref,
                                       const TmReportOptions    *options,
                                       GError                  **error);
/* Supervisor statistics over a period and site. */
TmReport   *tm_report_new_stats       (TmStore                  *store,
                                       const TmReportStatsRange *range,
                                       const TmReportOptions    *options,
                                       GError                  **error);

const char *tm_report_get_title       (TmReport                 *self);
guint       tm_report_get_n_pages     (TmReport                 *self);
/* Draws page @page (0-based) scaled to fit @width_pt × @height_pt (A4 proportions
 * centred), white background included. */
void        tm_report_draw_page       (TmReport                 *self,
                                       cairo_t                  *cr,
                                       guint                     page,
                                       double                    width_pt,
                                       double                    height_pt);
/* Writes every page to an A4 PDF with title, author and creation date metadata. */
gboolean    tm_report_write_pdf       (TmReport                 *self,
                                       const char               *path,
                                       GError                  **error);

G_END_DECLS
