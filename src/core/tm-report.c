/* tm-report.c — a laid-out report: page frame, drawing, PDF output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The report kinds (tm-report-lead.c, -hit.c, -linkage.c, -stats.c) read the store and
 * fill a TmReportDoc; this file adds what every page carries — the agency, the title,
 * when and by whom the report was generated, "page N of M" — and draws pages on any
 * cairo_t, which is how the PDF writer, GtkPrintOperation and the preview share one
 * renderer.
 */
#define G_LOG_DOMAIN "tm-report"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>

#include "tm-report-private.h"

struct _TmReport
{
  GObject      parent_instance;

  char        *title;
  char        *agency;
  char        *user;          /* as printed: "Name (login)" */
  char        *user_login;
  GDateTime   *generated_at;
  TmReportDoc *doc;
};

G_DEFINE_FINAL_TYPE (TmReport, tm_report, G_TYPE_OBJECT)

G_DEFINE_QUARK (tm-report-error-quark, tm_report_error)

static void
tm_report_finalize (GObject *object)
{
  TmReport *self = TM_REPORT (object);

  g_free (self->title);
  g_free (self->agency);
  g_free (self->user);
  g_free (self->user_login);
  g_clear_pointer (&self->generated_at, g_date_time_unref);
  g_clear_pointer (&self->doc, tm_report_doc_free);
  G_OBJECT_CLASS (tm_report_parent_class)->finalize (object);
}

static void
tm_report_class_init (TmReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tm_report_finalize;
}

static void
tm_report_init (TmReport *self)
{
}

char *
tm_report_describe_user (TmStore    *store,
                         const char *login)
{
  g_autoptr(TmStmt) stmt = NULL;

  if (login == NULL)
    return g_strdup ("—");
  stmt = tm_store_prepare (store, "SELECT display_name FROM users WHERE login = ?", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, login, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *name = tm_stmt_column_text (stmt, 0);

          if (name != NULL && *name != '\0' && g_strcmp0 (name, login) != 0)
            return g_strdup_printf ("%s (%s)", name, login);
        }
    }
  return g_strdup (login);
}

static char *
local_site_name (TmStore *store)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store, "SELECT name FROM sites WHERE is_local = 1",
                                             NULL);

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    return g_strdup (tm_stmt_column_text (stmt, 0));
  return g_strdup (g_get_host_name ());
}

TmReport *
tm_report_new_from_doc (TmStore               *store,
                        const TmReportOptions *options,
                        const char            *title,
                        TmReportDoc           *doc)
{
  TmReport *self = g_object_new (TM_TYPE_REPORT, NULL);

  self->title = g_strdup (title);
  if (options->agency != NULL && *options->agency != '\0')
    self->agency = g_strdup (options->agency);
  else
    self->agency = local_site_name (store);
  self->user_login = g_strdup (options->user);
  self->user = tm_report_describe_user (store, options->user);
  self->generated_at = options->generated_at != NULL ? g_date_time_ref (options->generated_at)
                                                     : g_date_time_new_now_local ();
  tm_report_doc_paginate (doc);
  self->doc = doc;
  return self;
}

const char *
tm_report_get_title (TmReport *self)
{
  g_return_val_if_fail (TM_IS_REPORT (self), NULL);
  return self->title;
}

guint
tm_report_get_n_pages (TmReport *self)
{
  g_return_val_if_fail (TM_IS_REPORT (self), 0);
  return tm_report_doc_get_n_pages (self->doc);
}

static void
draw_frame (TmReport *self,
            cairo_t  *cr,
            guint     page)
{
  const char *body = tm_report_style_font (TM_REPORT_STYLE_BODY);
  const char *small = tm_report_style_font (TM_REPORT_STYLE_SMALL);
  double x = TM_REPORT_MARGIN;
  double w = TM_REPORT_A4_WIDTH - 2 * TM_REPORT_MARGIN;
  double y = TM_REPORT_MARGIN;
  double footer_y = TM_REPORT_A4_HEIGHT - TM_REPORT_MARGIN - TM_REPORT_FOOTER_HEIGHT + 8;
  g_autoptr(GDateTime) local = g_date_time_to_local (self->generated_at);
  g_autofree char *when = g_date_time_format (local, "%x %X");
  g_autofree char *agency = g_markup_printf_escaped ("<b>%s</b>", self->agency);
  g_autofree char *title = g_markup_escape_text (self->title, -1);
  /* Translators: the report header's second line: the time, then the user. */
  g_autofree char *generated = g_markup_printf_escaped (_("Generated %s by %s"), when, self->user);
  g_autofree char *pages = g_markup_printf_escaped (_("Page %u of %u"), page + 1,
                                                    tm_report_get_n_pages (self));
  g_autofree char *product = g_markup_printf_escaped ("Toolmark %s", PACKAGE_VERSION);

  cairo_set_source_rgb (cr, 0, 0, 0);
  tm_report_draw_text (cr, x, y, w * 0.55, "Sans 10", agency, PANGO_ALIGN_LEFT);
  tm_report_draw_text (cr, x + w * 0.45, y, w * 0.55, body, title, PANGO_ALIGN_RIGHT);
  tm_report_draw_text (cr, x, y + 15, w, small, generated, PANGO_ALIGN_LEFT);
  tm_report_draw_text (cr, x, y + 15, w, small, pages, PANGO_ALIGN_RIGHT);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, x, y + 30);
  cairo_line_to (cr, x + w, y + 30);
  cairo_stroke (cr);

  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, x, footer_y);
  cairo_line_to (cr, x + w, footer_y);
  cairo_stroke (cr);
  tm_report_draw_text (cr, x, footer_y + 3, w * 0.7, small, title, PANGO_ALIGN_LEFT);
  tm_report_draw_text (cr, x, footer_y + 3, w, small, pages, PANGO_ALIGN_RIGHT);
  tm_report_draw_text (cr, x, footer_y + 3, w, small, product, PANGO_ALIGN_CENTER);
}

void
tm_report_draw_page (TmReport *self,
                     cairo_t  *cr,
                     guint     page,
                     double    width_pt,
                     double    height_pt)
{
  double scale;

  g_return_if_fail (TM_IS_REPORT (self));
  g_return_if_fail (page < tm_report_get_n_pages (self));

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, width_pt, height_pt);
  cairo_fill (cr);
  /* Laid out at A4; any other size (Letter, a preview) gets the page scaled to fit. */
  scale = MIN (width_pt / TM_REPORT_A4_WIDTH, height_pt / TM_REPORT_A4_HEIGHT);
  cairo_translate (cr, (width_pt - TM_REPORT_A4_WIDTH * scale) / 2,
                   (height_pt - TM_REPORT_A4_HEIGHT * scale) / 2);
  cairo_scale (cr, scale, scale);
  draw_frame (self, cr, page);
  cairo_translate (cr, TM_REPORT_MARGIN, TM_REPORT_MARGIN + TM_REPORT_HEADER_HEIGHT);
  tm_report_doc_draw_page (self->doc, cr, page);
  cairo_restore (cr);
}

gboolean
tm_report_write_pdf (TmReport   *self,
                     const char *path,
                     GError    **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *created = NULL;
  g_autofree char *creator = g_strdup_printf ("Toolmark %s", PACKAGE_VERSION);

  g_return_val_if_fail (TM_IS_REPORT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  surface = cairo_pdf_surface_create (path, TM_REPORT_A4_WIDTH, TM_REPORT_A4_HEIGHT);
  status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_WRITE,
                   _("%s: cannot create the PDF file: %s"), path, cairo_status_to_string (status));
      cairo_surface_destroy (surface);
      return FALSE;
    }
  utc = g_date_time_to_utc (self->generated_at);
  created = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, self->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, self->user);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_SUBJECT, self->agency);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, creator);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, created);

  cr = cairo_create (surface);
  for (guint page = 0; page < tm_report_get_n_pages (self); page++)
    {
      tm_report_draw_page (self, cr, page, TM_REPORT_A4_WIDTH, TM_REPORT_A4_HEIGHT);
      cairo_show_page (cr);
    }
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_WRITE,
                   _("%s: cannot write the report: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
