/* tm-report-layout.h — page layout for the printed reports: text, tables, charts, pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A report is laid out once, at A4, as a list of blocks (a paragraph, a table row, a
 * chart) of measured height, broken into pages; drawing page N then only replays the
 * blocks placed on it, on any cairo_t (PDF, print, preview), scaled to the target size.
 * Text is measured and drawn at 72 dpi with unhinted metrics so that a PDF, a printer
 * and a screen preview break lines and pages in the same places.
 */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

G_BEGIN_DECLS

/* A4 in points. */
#define TM_REPORT_A4_WIDTH   595.276
#define TM_REPORT_A4_HEIGHT  841.890

typedef enum
{
  TM_REPORT_STYLE_TITLE,
  TM_REPORT_STYLE_HEADING,
  TM_REPORT_STYLE_BODY,
  TM_REPORT_STYLE_BOLD,
  TM_REPORT_STYLE_SMALL,
  TM_REPORT_STYLE_MONO,
  TM_REPORT_STYLE_NOTICE,   /* body text in a framed box: the caveats a reader must see */
} TmReportStyle;

const char *tm_report_style_font (TmReportStyle style);

/* A PangoLayout for @cr (or, when NULL, for measuring only) at 72 dpi, unhinted. */
PangoLayout *tm_report_text_layout (cairo_t       *cr,
                                    const char    *markup,
                                    const char    *font,
                                    double         width,
                                    PangoAlignment alignment);
/* Draws @markup with its top-left at (x, y); returns the height used. */
double       tm_report_draw_text   (cairo_t       *cr,
                                    double         x,
                                    double         y,
                                    double         width,
                                    const char    *font,
                                    const char    *markup,
                                    PangoAlignment alignment);
double       tm_report_measure_text (const char   *markup,
                                     const char   *font,
                                     double        width);

/* Fills a rectangle with pattern @index: solid dark, diagonal hatch, light, cross-hatch,
 * dotted, … so that series stay apart when printed in grey. */
void         tm_report_fill_pattern (cairo_t      *cr,
                                     double        x,
                                     double        y,
                                     double        w,
                                     double        h,
                                     guint         index);

/**
 * tm_report_draw_bar_chart:
 * @categories: (array length=n_categories): labels along the x axis
 * @series: (array length=n_series): legend labels
 * @values: n_series × n_categories values, series-major
 *
 * Grouped vertical bars with a value axis from 0, gridlines, the value above each bar
 * and a legend (patterns, not colours).
 */
void         tm_report_draw_bar_chart (cairo_t           *cr,
                                       double             x,
                                       double             y,
                                       double             w,
                                       double             h,
                                       const char        *title,
                                       const char * const *categories,
                                       guint              n_categories,
                                       const char * const *series,
                                       guint              n_series,
                                       const double      *values,
                                       const char        *value_label);

/**
 * tm_report_draw_histogram:
 * @edges: (array length=n_bins+1): bin edges along x
 * @counts: (array length=n_bins)
 * @marker: an x value drawn as a marked vertical line labelled @marker_label, or NaN
 *
 * Bins at or left of @marker are filled dark, the others hatched.
 */
void         tm_report_draw_histogram (cairo_t           *cr,
                                       double             x,
                                       double             y,
                                       double             w,
                                       double             h,
                                       const char        *title,
                                       const double      *edges,
                                       const double      *counts,
                                       guint              n_bins,
                                       const char        *x_label,
                                       double             marker,
                                       const char        *marker_label);

/* Locale-aware formatting (thousands separators, the locale's date order). */
char        *tm_report_format_int      (gint64       value);
char        *tm_report_format_double   (double       value,
                                        int          digits);
/* An ISO 8601 date ("2026-11-21") or time ("2026-11-21T10:00:00.1Z") as a local date,
 * or date and time; NULL or unparsable text is returned as given ("—" for NULL). */
char        *tm_report_format_date     (const char  *iso8601);
char        *tm_report_format_datetime (const char  *iso8601);

typedef struct _TmReportDoc TmReportDoc;

/* Called to draw a custom block at (0, 0) of the content column. */
typedef void (*TmReportDrawFunc) (gpointer  data,
                                  cairo_t  *cr,
                                  double    width,
                                  double    height);

TmReportDoc *tm_report_doc_new        (void);
void         tm_report_doc_free       (TmReportDoc   *doc);
/* Width and height of the content column (A4 minus margins, header and footer). */
double       tm_report_doc_get_content_width  (TmReportDoc *doc);
double       tm_report_doc_get_content_height (TmReportDoc *doc);

void         tm_report_doc_add_text   (TmReportDoc   *doc,
                                       TmReportStyle  style,
                                       const char    *markup);
/* As above, with printf-style arguments escaped for Pango markup. */
void         tm_report_doc_add_textf  (TmReportDoc   *doc,
                                       TmReportStyle  style,
                                       const char    *format,
                                       ...) G_GNUC_PRINTF (3, 4);
void         tm_report_doc_add_space  (TmReportDoc   *doc,
                                       double         height);
void         tm_report_doc_add_page_break (TmReportDoc *doc);
/* Keeps the last block added on the same page as the next one (headings). */
void         tm_report_doc_keep_with_next (TmReportDoc *doc);
void         tm_report_doc_add_custom (TmReportDoc     *doc,
                                       double           height,
                                       TmReportDrawFunc draw,
                                       gpointer         data,
                                       GDestroyNotify   destroy);

/* Charts as blocks of @height (the arguments are copied). */
void         tm_report_doc_add_bar_chart (TmReportDoc       *doc,
                                          double             height,
                                          const char        *title,
                                          const char * const *categories,
                                          guint              n_categories,
                                          const char * const *series,
                                          guint              n_series,
                                          const double      *values,
                                          const char        *value_label);
void         tm_report_doc_add_histogram (TmReportDoc       *doc,
                                          double             height,
                                          const char        *title,
                                          const double      *edges,
                                          const double      *counts,
                                          guint              n_bins,
                                          const char        *x_label,
                                          double             marker,
                                          const char        *marker_label);

/* A table: @widths are fractions of the content width. Cells are plain text (escaped
 * here). The header row repeats at the top of every page the table continues on. */
typedef struct _TmReportTable TmReportTable;

TmReportTable *tm_report_doc_begin_table (TmReportDoc         *doc,
                                          guint                n_columns,
                                          const double        *widths,
                                          const char * const  *header);
void           tm_report_table_add_row   (TmReportTable       *table,
                                          const char * const  *cells);
/* Convenience: NULL-terminated list of cells (NULL cells are not allowed; use ""). */
void           tm_report_table_add_rowv  (TmReportTable       *table,
                                          const char          *first,
                                          ...) G_GNUC_NULL_TERMINATED;

/* Breaks the blocks into pages; after this nothing may be added. */
void         tm_report_doc_paginate   (TmReportDoc   *doc);
guint        tm_report_doc_get_n_pages (TmReportDoc  *doc);
/* Draws the blocks of @page (0-based) with the content column's top-left at (0, 0). */
void         tm_report_doc_draw_page  (TmReportDoc   *doc,
                                       cairo_t       *cr,
                                       guint          page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmReportDoc, tm_report_doc_free)

/* Page geometry shared by the report frame (header, footer) and the layout. */
#define TM_REPORT_MARGIN        42.0
#define TM_REPORT_HEADER_HEIGHT 48.0
#define TM_REPORT_FOOTER_HEIGHT 26.0

G_END_DECLS
