/* tm-report-layout.c — page layout for the printed reports: text, tables, charts, pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tm-report"

#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tm-report-layout.h"

#define CELL_PAD 3.0

typedef enum
{
  BLOCK_TEXT,
  BLOCK_SPACE,
  BLOCK_CUSTOM,
  BLOCK_ROW,
} BlockKind;

typedef struct _Block Block;

struct _Block
{
  BlockKind        kind;
  double           height;
  gboolean         keep_with_next;
  gboolean         break_before;
  /* text */
  TmReportStyle    style;
  char            *markup;
  /* custom */
  TmReportDrawFunc draw;
  gpointer         data;
  GDestroyNotify   destroy;
  /* table row */
  TmReportTable   *table;
  char           **cells;       /* escaped markup per column */
  gboolean         is_header;
};

struct _TmReportTable
{
  TmReportDoc *doc;
  guint        n_columns;
  double      *widths;          /* points */
  Block       *header;
  guint        n_rows;
};

typedef struct
{
  Block *block;
  guint  page;
  double y;
} Placement;

struct _TmReportDoc
{
  GPtrArray *blocks;            /* Block, owned */
  GPtrArray *tables;            /* TmReportTable, owned */
  GArray    *placements;        /* Placement, after pagination */
  guint      n_pages;
  gboolean   paginated;
};

const char *
tm_report_style_font (TmReportStyle style)
{
  switch (style)
    {
    case TM_REPORT_STYLE_TITLE:   return "Sans Bold 16";
    case TM_REPORT_STYLE_HEADING: return "Sans Bold 11.5";
    case TM_REPORT_STYLE_BOLD:    return "Sans Bold 9";
    case TM_REPORT_STYLE_SMALL:   return "Sans 7.5";
    case TM_REPORT_STYLE_MONO:    return "Monospace 7";
    case TM_REPORT_STYLE_NOTICE:
    case TM_REPORT_STYLE_BODY:
    default:                      return "Sans 9";
    }
}

/* The same font options for measuring and for drawing: unhinted metrics make line
 * breaks independent of the surface (PDF, printer, screen). */
static void
setup_context (PangoContext *context)
{
  cairo_font_options_t *options = cairo_font_options_create ();

  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  pango_cairo_context_set_resolution (context, 72.0);
  cairo_font_options_destroy (options);
}

static PangoContext *
measure_context (void)
{
  static GPrivate key = G_PRIVATE_INIT (g_object_unref);
  PangoContext *context = g_private_get (&key);

  /* Pango contexts are not thread-safe; reports may be built in a worker thread. */
  if (context == NULL)
    {
      PangoFontMap *map = pango_cairo_font_map_get_default ();

      context = pango_font_map_create_context (map);
      setup_context (context);
      g_private_set (&key, context);
    }
  return context;
}

PangoLayout *
tm_report_text_layout (cairo_t       *cr,
                       const char    *markup,
                       const char    *font,
                       double         width,
                       PangoAlignment alignment)
{
  PangoLayout *layout;
  PangoFontDescription *desc = pango_font_description_from_string (font);

  if (cr != NULL)
    {
      PangoContext *context = pango_cairo_create_context (cr);

      setup_context (context);
      layout = pango_layout_new (context);
      g_object_unref (context);
    }
  else
    layout = pango_layout_new (measure_context ());

  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  if (width > 0)
    pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_markup (layout, markup, -1);
  return layout;
}

double
tm_report_measure_text (const char *markup,
                        const char *font,
                        double      width)
{
  g_autoptr(PangoLayout) layout = tm_report_text_layout (NULL, markup, font, width,
                                                         PANGO_ALIGN_LEFT);
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

double
tm_report_draw_text (cairo_t       *cr,
                     double         x,
                     double         y,
                     double         width,
                     const char    *font,
                     const char    *markup,
                     PangoAlignment alignment)
{
  g_autoptr(PangoLayout) layout = tm_report_text_layout (cr, markup, font, width, alignment);
  int w, h;

  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

/* ---- fill patterns and charts ---- */

static void
hatch (cairo_t *cr,
       double   x,
       double   y,
       double   w,
       double   h,
       double   spacing,
       int      direction)
{
  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  cairo_clip (cr);
  cairo_set_line_width (cr, 0.7);
  for (double t = -h; t < w + h; t += spacing)
    {
      if (direction > 0)
        {
          cairo_move_to (cr, x + t, y + h);
          cairo_line_to (cr, x + t + h, y);
        }
      else
        {
          cairo_move_to (cr, x + t, y);
          cairo_line_to (cr, x + t + h, y + h);
        }
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
tm_report_fill_pattern (cairo_t *cr,
                        double   x,
                        double   y,
                        double   w,
                        double   h,
                        guint    index)
{
  /* Greys, hatches and dots tell the series apart in black-and-white print. */
  static const struct { double grey; double hatch_spacing; gboolean cross; gboolean dots; } patterns[] = {
    { 0.25, 0.0, FALSE, FALSE },
    { 1.0,  3.0, FALSE, FALSE },
    { 0.72, 0.0, FALSE, FALSE },
    { 1.0,  3.5, TRUE,  FALSE },
    { 1.0,  0.0, FALSE, TRUE },
  };
  guint p = index % G_N_ELEMENTS (patterns);

  cairo_save (cr);
  cairo_set_source_rgb (cr, patterns[p].grey, patterns[p].grey, patterns[p].grey);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
  if (patterns[p].hatch_spacing > 0 || patterns[p].dots)
    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  if (patterns[p].hatch_spacing > 0)
    hatch (cr, x, y, w, h, patterns[p].hatch_spacing, 1);
  if (patterns[p].cross)
    hatch (cr, x, y, w, h, patterns[p].hatch_spacing, -1);
  if (patterns[p].dots)
    for (double yy = y + 1.5; yy < y + h; yy += 3)
      for (double xx = x + 1.5; xx < x + w; xx += 3)
        {
          cairo_arc (cr, xx, yy, 0.55, 0, 2 * G_PI);
          cairo_fill (cr);
        }
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 0.6);
  cairo_rectangle (cr, x, y, w, h);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* A "nice" axis maximum and tick step for values up to @max. */
static double
nice_step (double max,
           int    target_ticks)
{
  double raw = max / MAX (target_ticks, 1);
  double mag = pow (10, floor (log10 (raw)));
  double f = raw / mag;

  if (f <= 1)
    return mag;
  if (f <= 2)
    return 2 * mag;
  if (f <= 5)
    return 5 * mag;
  return 10 * mag;
}

static void
draw_value_axis (cairo_t *cr,
                 double   px,
                 double   py,
                 double   pw,
                 double   ph,
                 double   axis_max,
                 double   step,
                 gboolean integers)
{
  const char *font = tm_report_style_font (TM_REPORT_STYLE_SMALL);

  cairo_save (cr);
  cairo_set_line_width (cr, 0.4);
  for (double v = 0; v <= axis_max + step * 0.01; v += step)
    {
      double yy = py + ph - v / axis_max * ph;
      g_autofree char *label = integers ? tm_report_format_int ((gint64) llround (v))
                                        : tm_report_format_double (v, step < 1 ? 1 : 0);
      g_autofree char *markup = g_markup_escape_text (label, -1);

      cairo_set_source_rgb (cr, 0.8, 0.8, 0.8);
      cairo_move_to (cr, px, yy);
      cairo_line_to (cr, px + pw, yy);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, 0, 0, 0);
      tm_report_draw_text (cr, px - 40, yy - 5, 37, font, markup, PANGO_ALIGN_RIGHT);
    }
  cairo_set_line_width (cr, 0.8);
  cairo_move_to (cr, px, py);
  cairo_line_to (cr, px, py + ph);
  cairo_line_to (cr, px + pw, py + ph);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static double
draw_chart_title (cairo_t    *cr,
                  double      x,
                  double      y,
                  double      w,
                  const char *title)
{
  g_autofree char *markup = NULL;

  if (title == NULL)
    return 0;
  markup = g_markup_escape_text (title, -1);
  return tm_report_draw_text (cr, x, y, w, tm_report_style_font (TM_REPORT_STYLE_BOLD),
                              markup, PANGO_ALIGN_LEFT) + 4;
}

void
tm_report_draw_bar_chart (cairo_t            *cr,
                          double              x,
                          double              y,
                          double              w,
                          double              h,
                          const char         *title,
                          const char * const *categories,
                          guint               n_categories,
                          const char * const *series,
                          guint               n_series,
                          const double       *values,
                          const char         *value_label)
{
  const char *small = tm_report_style_font (TM_REPORT_STYLE_SMALL);
  double max = 0, step, axis_max, px, py, pw, ph, group_w, bar_w, legend_y;
  gboolean integers = TRUE;
  guint label_every;

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  y += draw_chart_title (cr, x, y, w, title);

  for (guint i = 0; i < n_series * n_categories; i++)
    {
      max = MAX (max, values[i]);
      if (values[i] != floor (values[i]))
        integers = FALSE;
    }
  step = nice_step (MAX (max, 1), 4);
  if (integers)
    step = MAX (step, 1);
  axis_max = ceil (MAX (max, 1) / step) * step;

  /* Legend on the right of the title row, category labels below the plot. */
  px = x + 44;
  pw = w - 44 - 4;
  legend_y = y;
  /* Room above the plot for the legend and the value over the tallest bar. */
  py = y + (n_series > 1 ? 24 : 12);
  ph = h - (py - y) - 24 - (title ? 14 : 0);
  if (ph < 20)
    ph = 20;

  {
    double lx = px;

    for (guint s = 0; s < n_series && n_series > 1; s++)
      {
        g_autofree char *markup = g_markup_escape_text (series[s], -1);
        g_autoptr(PangoLayout) layout = tm_report_text_layout (cr, markup, small, -1,
                                                               PANGO_ALIGN_LEFT);
        int lw, lh;

        pango_layout_get_size (layout, &lw, &lh);
        tm_report_fill_pattern (cr, lx, legend_y + 1, 14, 8, s);
        cairo_set_source_rgb (cr, 0, 0, 0);
        cairo_move_to (cr, lx + 18, legend_y);
        pango_cairo_show_layout (cr, layout);
        lx += 18 + (double) lw / PANGO_SCALE + 14;
      }
  }

  draw_value_axis (cr, px, py, pw, ph, axis_max, step, integers);
  if (value_label != NULL)
    {
      g_autofree char *markup = g_markup_escape_text (value_label, -1);

      cairo_save (cr);
      cairo_move_to (cr, x, py + ph);
      cairo_rotate (cr, -G_PI / 2);
      {
        g_autoptr(PangoLayout) layout = tm_report_text_layout (cr, markup, small, ph,
                                                               PANGO_ALIGN_CENTER);
        pango_cairo_show_layout (cr, layout);
      }
      cairo_restore (cr);
    }

  if (n_categories == 0)
    {
      tm_report_draw_text (cr, px, py + ph / 2 - 6, pw, small, _("No data in this period"),
                           PANGO_ALIGN_CENTER);
      cairo_restore (cr);
      return;
    }

  group_w = pw / n_categories;
  bar_w = MIN (group_w * 0.8 / n_series, 28);
  label_every = MAX (1, (guint) ceil (44.0 / group_w));
  for (guint c = 0; c < n_categories; c++)
    {
      double gx = px + c * group_w + (group_w - bar_w * n_series) / 2;
      g_autofree char *cat = g_markup_escape_text (categories[c], -1);

      for (guint s = 0; s < n_series; s++)
        {
          double v = values[s * n_categories + c];
          double bh = v / axis_max * ph;
          double bx = gx + s * bar_w;

          if (bh > 0)
            tm_report_fill_pattern (cr, bx, py + ph - bh, bar_w, bh, s);
          if (bar_w >= 9 && v != 0)
            {
              g_autofree char *label = integers ? tm_report_format_int ((gint64) llround (v))
                                                : tm_report_format_double (v, 1);
              g_autofree char *markup = g_markup_escape_text (label, -1);

              cairo_set_source_rgb (cr, 0, 0, 0);
              tm_report_draw_text (cr, bx - 6, py + ph - bh - 10, bar_w + 12, small, markup,
                                   PANGO_ALIGN_CENTER);
            }
        }
      /* Every label when they fit, else every k-th, centred on its group. */
      cairo_set_source_rgb (cr, 0, 0, 0);
      if (c % label_every == 0)
        {
          double lw = MAX (group_w, 44) * label_every;

          tm_report_draw_text (cr, px + (c + 0.5) * group_w - lw / 2, py + ph + 3, lw, small,
                               cat, PANGO_ALIGN_CENTER);
        }
    }
  cairo_restore (cr);
}

void
tm_report_draw_histogram (cairo_t      *cr,
                          double        x,
                          double        y,
                          double        w,
                          double        h,
                          const char   *title,
                          const double *edges,
                          const double *counts,
                          guint         n_bins,
                          const char   *x_label,
                          double        marker,
                          const char   *marker_label)
{
  const char *small = tm_report_style_font (TM_REPORT_STYLE_SMALL);
  double max = 1, step, axis_max, px, py, pw, ph, x0, x1;

  g_return_if_fail (n_bins > 0);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  y += draw_chart_title (cr, x, y, w, title);
  for (guint i = 0; i < n_bins; i++)
    max = MAX (max, counts[i]);
  step = MAX (1, nice_step (max, 4));
  axis_max = ceil (max / step) * step;

  px = x + 44;
  pw = w - 44 - 4;
  py = y + 14;
  ph = h - (py - y) - 30 - (title ? 14 : 0);
  x0 = edges[0];
  x1 = edges[n_bins];
  draw_value_axis (cr, px, py, pw, ph, axis_max, step, TRUE);

  for (guint i = 0; i < n_bins; i++)
    {
      double bx = px + (edges[i] - x0) / (x1 - x0) * pw;
      double bw = (edges[i + 1] - edges[i]) / (x1 - x0) * pw;
      double bh = counts[i] / axis_max * ph;

      if (bh > 0)
        tm_report_fill_pattern (cr, bx + 0.5, py + ph - bh, bw - 1, bh,
                                !isnan (marker) && edges[i + 1] <= marker + 1e-9 ? 0 : 1);
      if (counts[i] > 0)
        {
          g_autofree char *label = tm_report_format_int ((gint64) llround (counts[i]));

          cairo_set_source_rgb (cr, 0, 0, 0);
          tm_report_draw_text (cr, bx - 4, py + ph - bh - 10, bw + 8, small, label,
                               PANGO_ALIGN_CENTER);
        }
    }
  /* Edge labels under the axis, thinned to fit. */
  {
    guint every = MAX (1, (guint) ceil (n_bins * 26.0 / pw));

    cairo_set_source_rgb (cr, 0, 0, 0);
    for (guint i = 0; i <= n_bins; i += every)
      {
        double ex = px + (edges[i] - x0) / (x1 - x0) * pw;
        g_autofree char *label = tm_report_format_int ((gint64) llround (edges[i]));

        tm_report_draw_text (cr, ex - 15, py + ph + 2, 30, small, label, PANGO_ALIGN_CENTER);
      }
  }
  if (x_label != NULL)
    {
      g_autofree char *markup = g_markup_escape_text (x_label, -1);

      tm_report_draw_text (cr, px, py + ph + 14, pw, small, markup, PANGO_ALIGN_CENTER);
    }

  if (!isnan (marker) && marker >= x0 && marker <= x1)
    {
      static const double dash[] = { 5, 2, 1, 2 };
      double mx = px + (marker - x0) / (x1 - x0) * pw;

      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_set_line_width (cr, 1.6);
      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_move_to (cr, mx, py - 4);
      cairo_line_to (cr, mx, py + ph);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (marker_label != NULL)
        {
          g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>", marker_label);

          tm_report_draw_text (cr, mx + 3, py - 4, MIN (180, px + pw - mx + 40), small, markup,
                               PANGO_ALIGN_LEFT);
        }
    }
  cairo_restore (cr);
}

/* ---- locale formatting ---- */

char *
tm_report_format_int (gint64 value)
{
  /* The ' flag groups thousands as the locale (LC_NUMERIC) says. */
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

char *
tm_report_format_double (double value,
                         int    digits)
{
  if (isnan (value))
    return g_strdup ("—");
  return g_strdup_printf ("%'.*f", digits, value);
}

static GDateTime *
parse_time (const char *iso8601,
            gboolean   *date_only)
{
  GDateTime *dt;
  int y, m, d;

  *date_only = FALSE;
  if (iso8601 == NULL)
    return NULL;
  dt = g_date_time_new_from_iso8601 (iso8601, NULL);
  if (dt != NULL)
    return dt;
  /* A date without a time, or a time without a zone (taken as UTC, as stored). */
  if (strlen (iso8601) == 10 && sscanf (iso8601, "%4d-%2d-%2d", &y, &m, &d) == 3)
    {
      *date_only = TRUE;
      return g_date_time_new_local (y, m, d, 0, 0, 0);
    }
  {
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

    return g_date_time_new_from_iso8601 (iso8601, utc);
  }
}

/* A bare date stays that day ("%x"); a time is shown in local time as @local_format. */
static char *
format_time (const char *iso8601,
             const char *local_format)
{
  gboolean date_only;
  g_autoptr(GDateTime) dt = parse_time (iso8601, &date_only);
  g_autoptr(GDateTime) local = NULL;

  if (dt == NULL)
    return g_strdup (iso8601 ? iso8601 : "—");
  if (date_only)
    return g_date_time_format (dt, "%x");
  local = g_date_time_to_local (dt);
  return g_date_time_format (local, local_format);
}

char *
tm_report_format_date (const char *iso8601)
{
  return format_time (iso8601, "%x");
}

char *
tm_report_format_datetime (const char *iso8601)
{
  return format_time (iso8601, "%x %X");
}

/* ---- the document ---- */

static void
block_free (gpointer data)
{
  Block *block = data;

  g_free (block->markup);
  g_strfreev (block->cells);
  if (block->destroy != NULL)
    block->destroy (block->data);
  g_free (block);
}

static void
table_free (gpointer data)
{
  TmReportTable *table = data;

  g_free (table->widths);
  g_free (table);
}

TmReportDoc *
tm_report_doc_new (void)
{
  TmReportDoc *doc = g_new0 (TmReportDoc, 1);

  doc->blocks = g_ptr_array_new_with_free_func (block_free);
  doc->tables = g_ptr_array_new_with_free_func (table_free);
  doc->placements = g_array_new (FALSE, FALSE, sizeof (Placement));
  return doc;
}

void
tm_report_doc_free (TmReportDoc *doc)
{
  if (doc == NULL)
    return;
  g_ptr_array_unref (doc->blocks);
  g_ptr_array_unref (doc->tables);
  g_array_unref (doc->placements);
  g_free (doc);
}

double
tm_report_doc_get_content_width (TmReportDoc *doc)
{
  return TM_REPORT_A4_WIDTH - 2 * TM_REPORT_MARGIN;
}

double
tm_report_doc_get_content_height (TmReportDoc *doc)
{
  return TM_REPORT_A4_HEIGHT - 2 * TM_REPORT_MARGIN - TM_REPORT_HEADER_HEIGHT
         - TM_REPORT_FOOTER_HEIGHT;
}

static Block *
add_block (TmReportDoc *doc,
           BlockKind    kind)
{
  Block *block = g_new0 (Block, 1);

  g_return_val_if_fail (!doc->paginated, block);
  block->kind = kind;
  g_ptr_array_add (doc->blocks, block);
  return block;
}

void
tm_report_doc_add_text (TmReportDoc   *doc,
                        TmReportStyle  style,
                        const char    *markup)
{
  Block *block = add_block (doc, BLOCK_TEXT);
  double width = tm_report_doc_get_content_width (doc);

  block->style = style;
  block->markup = g_strdup (markup);
  if (style == TM_REPORT_STYLE_NOTICE)
    width -= 16;
  block->height = tm_report_measure_text (markup, tm_report_style_font (style), width);
  switch (style)
    {
    case TM_REPORT_STYLE_TITLE:   block->height += 6; break;
    case TM_REPORT_STYLE_HEADING: block->height += 4; block->keep_with_next = TRUE; break;
    case TM_REPORT_STYLE_NOTICE:  block->height += 16 + 4; break;
    case TM_REPORT_STYLE_BODY:
    case TM_REPORT_STYLE_BOLD:
    case TM_REPORT_STYLE_SMALL:
    case TM_REPORT_STYLE_MONO:
    default:                      block->height += 2; break;
    }
  if (style == TM_REPORT_STYLE_HEADING)
    block->height += 6;   /* space above a heading */
}

void
tm_report_doc_add_textf (TmReportDoc   *doc,
                         TmReportStyle  style,
                         const char    *format,
                         ...)
{
  va_list args;
  g_autofree char *markup = NULL;

  va_start (args, format);
  markup = g_markup_vprintf_escaped (format, args);
  va_end (args);
  tm_report_doc_add_text (doc, style, markup);
}

void
tm_report_doc_add_space (TmReportDoc *doc,
                         double       height)
{
  Block *block = add_block (doc, BLOCK_SPACE);

  block->height = height;
}

void
tm_report_doc_add_page_break (TmReportDoc *doc)
{
  Block *block = add_block (doc, BLOCK_SPACE);

  block->height = 0;
  block->break_before = TRUE;
}

void
tm_report_doc_keep_with_next (TmReportDoc *doc)
{
  if (doc->blocks->len > 0)
    ((Block *) g_ptr_array_index (doc->blocks, doc->blocks->len - 1))->keep_with_next = TRUE;
}

void
tm_report_doc_add_custom (TmReportDoc     *doc,
                          double           height,
                          TmReportDrawFunc draw,
                          gpointer         data,
                          GDestroyNotify   destroy)
{
  Block *block = add_block (doc, BLOCK_CUSTOM);

  block->height = height;
  block->draw = draw;
  block->data = data;
  block->destroy = destroy;
}

static double
row_height (TmReportTable *table,
            char         **cells,
            gboolean       header)
{
  const char *font = tm_report_style_font (header ? TM_REPORT_STYLE_BOLD : TM_REPORT_STYLE_SMALL);
  double h = 0;

  for (guint i = 0; i < table->n_columns; i++)
    h = MAX (h, tm_report_measure_text (cells[i], font, table->widths[i] - 2 * CELL_PAD));
  return h + 2 * CELL_PAD;
}

static char **
escape_cells (const char * const *cells,
              guint               n)
{
  char **out = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    out[i] = g_markup_escape_text (cells[i] ? cells[i] : "", -1);
  return out;
}

TmReportTable *
tm_report_doc_begin_table (TmReportDoc        *doc,
                           guint               n_columns,
                           const double       *widths,
                           const char * const *header)
{
  TmReportTable *table = g_new0 (TmReportTable, 1);
  double content = tm_report_doc_get_content_width (doc);
  Block *block;

  table->doc = doc;
  table->n_columns = n_columns;
  table->widths = g_new (double, n_columns);
  for (guint i = 0; i < n_columns; i++)
    table->widths[i] = widths[i] * content;
  g_ptr_array_add (doc->tables, table);

  block = add_block (doc, BLOCK_ROW);
  block->table = table;
  block->is_header = TRUE;
  block->cells = escape_cells (header, n_columns);
  block->height = row_height (table, block->cells, TRUE);
  block->keep_with_next = TRUE;
  table->header = block;
  return table;
}

void
tm_report_table_add_row (TmReportTable      *table,
                         const char * const *cells)
{
  Block *block = add_block (table->doc, BLOCK_ROW);

  block->table = table;
  block->cells = escape_cells (cells, table->n_columns);
  block->height = row_height (table, block->cells, FALSE);
  table->n_rows++;
}

void
tm_report_table_add_rowv (TmReportTable *table,
                          const char    *first,
                          ...)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  va_list args;
  const char *cell;

  va_start (args, first);
  for (cell = first; cell != NULL && cells->len < table->n_columns; cell = va_arg (args, const char *))
    g_ptr_array_add (cells, (gpointer) cell);
  va_end (args);
  while (cells->len < table->n_columns)
    g_ptr_array_add (cells, (gpointer) "");
  tm_report_table_add_row (table, (const char * const *) cells->pdata);
}

static void
place (TmReportDoc *doc,
       Block       *block,
       guint        page,
       double       y)
{
  Placement p = { block, page, y };

  g_array_append_val (doc->placements, p);
}

void
tm_report_doc_paginate (TmReportDoc *doc)
{
  double page_h = tm_report_doc_get_content_height (doc);
  guint page = 0;
  double y = 0;

  g_return_if_fail (!doc->paginated);

  for (guint i = 0; i < doc->blocks->len; i++)
    {
      Block *block = g_ptr_array_index (doc->blocks, i);
      double need = block->height;

      /* A heading (or a table header) must not be the last thing on a page. */
      for (guint j = i; j + 1 < doc->blocks->len; j++)
        {
          Block *cur = g_ptr_array_index (doc->blocks, j);
          Block *next = g_ptr_array_index (doc->blocks, j + 1);

          if (!cur->keep_with_next)
            break;
          need += next->height;
        }
      if ((block->break_before && y > 0)
          || (y > 0 && y + MIN (need, page_h) > page_h))
        {
          page++;
          y = 0;
        }
      if (block->kind == BLOCK_SPACE && y == 0)
        continue;   /* no blank space at the top of a page */
      /* A table continued on a new page repeats its header. */
      if (y == 0 && block->kind == BLOCK_ROW && !block->is_header)
        {
          place (doc, block->table->header, page, y);
          y += block->table->header->height;
        }
      place (doc, block, page, y);
      y += block->height;
    }
  doc->n_pages = page + 1;
  doc->paginated = TRUE;
}

guint
tm_report_doc_get_n_pages (TmReportDoc *doc)
{
  g_return_val_if_fail (doc->paginated, 0);
  return doc->n_pages;
}

static void
draw_row (cairo_t *cr,
          Block   *block,
          double   width)
{
  TmReportTable *table = block->table;
  const char *font = tm_report_style_font (block->is_header ? TM_REPORT_STYLE_BOLD
                                                             : TM_REPORT_STYLE_SMALL);
  double x = 0;

  if (block->is_header)
    {
      cairo_set_source_rgb (cr, 0.88, 0.88, 0.88);
      cairo_rectangle (cr, 0, 0, width, block->height);
      cairo_fill (cr);
    }
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint i = 0; i < table->n_columns; i++)
    {
      tm_report_draw_text (cr, x + CELL_PAD, CELL_PAD, table->widths[i] - 2 * CELL_PAD, font,
                           block->cells[i], PANGO_ALIGN_LEFT);
      x += table->widths[i];
    }
  cairo_set_line_width (cr, block->is_header ? 0.8 : 0.3);
  cairo_set_source_rgb (cr, block->is_header ? 0 : 0.55, block->is_header ? 0 : 0.55,
                        block->is_header ? 0 : 0.55);
  cairo_move_to (cr, 0, block->height);
  cairo_line_to (cr, x, block->height);
  cairo_stroke (cr);
}

void
tm_report_doc_draw_page (TmReportDoc *doc,
                         cairo_t     *cr,
                         guint        page)
{
  double width = tm_report_doc_get_content_width (doc);

  g_return_if_fail (doc->paginated);

  for (guint i = 0; i < doc->placements->len; i++)
    {
      Placement *p = &g_array_index (doc->placements, Placement, i);
      Block *block = p->block;

      if (p->page != page)
        continue;
      cairo_save (cr);
      cairo_translate (cr, 0, p->y);
      cairo_set_source_rgb (cr, 0, 0, 0);
      switch (block->kind)
        {
        case BLOCK_TEXT:
          if (block->style == TM_REPORT_STYLE_NOTICE)
            {
              cairo_set_source_rgb (cr, 0.93, 0.93, 0.93);
              cairo_rectangle (cr, 0, 0, width, block->height - 4);
              cairo_fill_preserve (cr);
              cairo_set_source_rgb (cr, 0, 0, 0);
              cairo_set_line_width (cr, 1.2);
              cairo_stroke (cr);
              tm_report_draw_text (cr, 8, 8, width - 16, tm_report_style_font (block->style),
                                   block->markup, PANGO_ALIGN_LEFT);
            }
          else
            tm_report_draw_text (cr, 0, block->style == TM_REPORT_STYLE_HEADING ? 6 : 0,
                                 width, tm_report_style_font (block->style), block->markup,
                                 PANGO_ALIGN_LEFT);
          if (block->style == TM_REPORT_STYLE_HEADING)
            {
              cairo_set_line_width (cr, 0.5);
              cairo_move_to (cr, 0, block->height - 1);
              cairo_line_to (cr, width, block->height - 1);
              cairo_stroke (cr);
            }
          break;
        case BLOCK_CUSTOM:
          cairo_rectangle (cr, 0, 0, width, block->height);
          cairo_clip (cr);
          block->draw (block->data, cr, width, block->height);
          break;
        case BLOCK_ROW:
          draw_row (cr, block, width);
          break;
        case BLOCK_SPACE:
        default:
          break;
        }
      cairo_restore (cr);
    }
}

/* ---- charts as blocks ---- */

typedef struct
{
  gboolean  histogram;
  char     *title;
  char    **categories;
  char    **series;
  guint     n_categories;
  guint     n_series;
  double   *values;      /* bars: n_series × n_categories; histogram: counts */
  double   *edges;       /* histogram: n_categories + 1 */
  char     *label;
  double    marker;
  char     *marker_label;
} Chart;

static void
chart_free (gpointer data)
{
  Chart *chart = data;

  g_free (chart->title);
  g_strfreev (chart->categories);
  g_strfreev (chart->series);
  g_free (chart->values);
  g_free (chart->edges);
  g_free (chart->label);
  g_free (chart->marker_label);
  g_free (chart);
}

static void
chart_draw (gpointer data,
            cairo_t *cr,
            double   width,
            double   height)
{
  Chart *chart = data;

  if (chart->histogram)
    tm_report_draw_histogram (cr, 0, 0, width, height, chart->title, chart->edges,
                              chart->values, chart->n_categories, chart->label, chart->marker,
                              chart->marker_label);
  else
    tm_report_draw_bar_chart (cr, 0, 0, width, height, chart->title,
                              (const char * const *) chart->categories, chart->n_categories,
                              (const char * const *) chart->series, chart->n_series,
                              chart->values, chart->label);
}

static char **
copy_strv (const char * const *strv,
           guint               n)
{
  char **out = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    out[i] = g_strdup (strv[i]);
  return out;
}

void
tm_report_doc_add_bar_chart (TmReportDoc        *doc,
                             double              height,
                             const char         *title,
                             const char * const *categories,
                             guint               n_categories,
                             const char * const *series,
                             guint               n_series,
                             const double       *values,
                             const char         *value_label)
{
  Chart *chart = g_new0 (Chart, 1);

  chart->title = g_strdup (title);
  chart->categories = copy_strv (categories, n_categories);
  chart->series = copy_strv (series, n_series);
  chart->n_categories = n_categories;
  chart->n_series = n_series;
  chart->values = n_series * n_categories > 0
    ? g_memdup2 (values, sizeof (double) * n_series * n_categories) : NULL;
  chart->label = g_strdup (value_label);
  tm_report_doc_add_custom (doc, height, chart_draw, chart, chart_free);
}

void
tm_report_doc_add_histogram (TmReportDoc  *doc,
                             double        height,
                             const char   *title,
                             const double *edges,
                             const double *counts,
                             guint         n_bins,
                             const char   *x_label,
                             double        marker,
                             const char   *marker_label)
{
  Chart *chart = g_new0 (Chart, 1);

  chart->histogram = TRUE;
  chart->title = g_strdup (title);
  chart->n_categories = n_bins;
  chart->values = g_memdup2 (counts, sizeof (double) * n_bins);
  chart->edges = g_memdup2 (edges, sizeof (double) * (n_bins + 1));
  chart->label = g_strdup (x_label);
  chart->marker = marker;
  chart->marker_label = g_strdup (marker_label);
  tm_report_doc_add_custom (doc, height, chart_draw, chart, chart_free);
}
