/* tm-text-column.h — a GtkColumnView column of one-line text cells
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Returns the cell text for @item (a row of the model), newly allocated. */
typedef char *(*TmTextColumnFormat) (gpointer item);

/**
 * tm_text_column_new:
 * @sorter: (transfer full) (nullable): how the column sorts
 * @numeric: right-aligned with tabular figures (ids, counts, dates)
 *
 * A column whose cells are labels (ellipsized, the full text as tooltip) filled by
 * @format when bound. Returns a new reference.
 */
GtkColumnViewColumn *tm_text_column_new (const char          *title,
                                         TmTextColumnFormat   format,
                                         GtkSorter           *sorter,
                                         gboolean             numeric,
                                         int                  fixed_width,
                                         gboolean             expand);

/* A column of a list's table of columns, for tm_text_column_append_all(). */
typedef struct
{
  const char         *title;
  TmTextColumnFormat  format;
  GtkSorter          *sorter;       /* (transfer full) (nullable) */
  gboolean            numeric;
  int                 fixed_width;
  gboolean            expand;
} TmTextColumnSpec;

/* Appends to @view a tm_text_column_new() column for each of the @n @specs, in order. */
void tm_text_column_append_all (GtkColumnView          *view,
                                const TmTextColumnSpec *specs,
                                guint                   n);

/* "2024-05-01 14:03" in local time from ISO 8601 UTC; "—" when empty. */
char *tm_text_column_format_date    (const char *iso8601);
/* @iso8601 (UTC) in local time, written with the g_date_time_format() @format; "—"
 * when empty, @iso8601 itself when it is not a date. */
char *tm_text_column_format_date_as (const char *iso8601,
                                     const char *format);

G_END_DECLS
