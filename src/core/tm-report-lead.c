/* tm-report-lead.c — the lead report for investigators
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What an investigator needs to act on a lead within 48 hours: which cases it links
 * (dates, places, offenses), the evidence items, the images side by side in the pose
 * the engine found with the congruent matching cells drawn, how high and how unusual
 * the scores are, who reviewed it and when — and, unmistakably, that a lead is an
 * unconfirmed association until an examiner has compared the evidence under a
 * microscope. The comparison is re-run from the stored preprocessed surfaces, which is
 * the only way to get the cells (the store keeps the counts, not the cells).
 */
#define G_LOG_DOMAIN "tm-report"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-comparison.h"
#include "tm-knm-reference.h"
#include "tm-report-private.h"

/* Pairs drawn side by side at most (the first member against each other one). */
#define MAX_IMAGE_PAIRS 6
/* Longest side of an embedded image, in pixels: enough for 80 mm at 100 dpi. */
#define IMAGE_MAX_SIDE 320

typedef struct
{
  gint64  acquisition_id;
  char   *acquisition_uuid;
  char   *file;
  char   *sha256;
  char   *imported_by;
  char   *imported_at;
  char   *added_by;
  char   *added_at;
  char   *calibre;
  char   *modality;
  char   *exhibit;
  char   *kind;
  gint64  case_id;
  char   *case_uuid;
  char   *case_number;
  char   *agency;
  char   *lab_case_number;
  char   *incident_date;
  char   *offense;
  char   *location;
  char   *firearm;
} Member;

static void
member_free (gpointer data)
{
  Member *m = data;

  g_free (m->acquisition_uuid);
  g_free (m->file);
  g_free (m->sha256);
  g_free (m->imported_by);
  g_free (m->imported_at);
  g_free (m->added_by);
  g_free (m->added_at);
  g_free (m->calibre);
  g_free (m->modality);
  g_free (m->exhibit);
  g_free (m->kind);
  g_free (m->case_uuid);
  g_free (m->case_number);
  g_free (m->agency);
  g_free (m->lab_case_number);
  g_free (m->incident_date);
  g_free (m->offense);
  g_free (m->location);
  g_free (m->firearm);
  g_free (m);
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup (tm_stmt_column_text (stmt, column));
}

static const char *
or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : "—";
}

const char *
tm_report_describe_word (const char *word)
{
  static const struct { const char *word; const char *text; } words[] = {
    { "open", N_("open (unconfirmed)") },
    { "confirmed", N_("confirmed by an examiner (hit)") },
    { "eliminated", N_("eliminated by an examiner") },
    { "inconclusive", N_("inconclusive") },
    { "unsuitable", N_("unsuitable for comparison") },
    { "closed", N_("closed") },
    { "identification", N_("identification") },
    { "elimination", N_("elimination") },
    { "arrest", N_("arrest") },
    { "suspect-identified", N_("suspect identified") },
    { "linked-prior-investigation", N_("linked to a prior investigation") },
    { "no-action", N_("no action") },
    { "created", N_("lead created") },
    { "member-added", N_("evidence added") },
    { "note", N_("note") },
    { "feedback", N_("investigator feedback") },
    { "conclusion", N_("examiner's conclusion") },
    { "status", N_("status") },
    { "crime-scene", N_("crime scene") },
    { "test-fire", N_("test fire") },
  };

  if (word == NULL)
    return "—";
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_str_equal (word, words[i].word))
      return _(words[i].text);
  return word;
}

gint64
tm_report_find_lead (TmStore    *store,
                     const char *lead,
                     GError    **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT id FROM leads WHERE uuid = ?1 OR CAST (id AS TEXT) = ?1", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, lead, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_NOT_FOUND,
               _("No lead “%s” in %s: give a lead's number or UUID (toolmark-cli lead list)"),
               lead, tm_store_get_path (store));
  return 0;
}

char *
tm_report_lead_status (TmStore *store,
                       gint64   lead_id)
{
  /* The latest conclusion or status event decides, as in tm-lead.c. */
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT kind, json_extract (payload, '$.conclusion'), json_extract (payload, '$.status')"
    "  FROM lead_events WHERE lead_id = ? AND kind IN ('conclusion', 'status')"
    " ORDER BY at DESC, id DESC LIMIT 1", NULL);

  if (stmt == NULL)
    return g_strdup ("open");
  sqlite3_bind_int64 (stmt, 1, lead_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *kind = tm_stmt_column_text (stmt, 0);
      const char *conclusion = tm_stmt_column_text (stmt, 1);
      const char *status = tm_stmt_column_text (stmt, 2);

      if (g_strcmp0 (kind, "status") == 0 && status != NULL)
        return g_strdup (status);
      if (g_strcmp0 (conclusion, "identification") == 0)
        return g_strdup ("confirmed");
      if (g_strcmp0 (conclusion, "elimination") == 0)
        return g_strdup ("eliminated");
      if (conclusion != NULL)
        return g_strdup (conclusion);
    }
  return g_strdup ("open");
}

static GPtrArray *
load_members (TmStore *store,
              gint64   lead_id,
              GError **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT a.id, a.uuid, a.original_name, a.sha256, a.imported_by, a.imported_at,"
    "       m.added_by, m.added_at, a.calibre, a.modality, e.item_number, e.kind,"
    "       c.id, c.uuid, c.case_number, c.agency, c.lab_case_number, c.incident_date,"
    "       c.offense, c.location,"
    "       trim (COALESCE (e.firearm_make, '') || ' ' || COALESCE (e.firearm_model, '') ||"
    "             CASE WHEN e.firearm_serial IS NULL THEN '' ELSE ' #' || e.firearm_serial END)"
    "  FROM lead_members m"
    "  JOIN acquisitions a ON a.id = m.acquisition_id"
    "  JOIN exhibits e ON e.id = a.exhibit_id"
    "  JOIN cases c ON c.id = e.case_id"
    " WHERE m.lead_id = ? ORDER BY m.added_at, m.rowid", error);
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func (member_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Member *m = g_new0 (Member, 1);

      m->acquisition_id = sqlite3_column_int64 (stmt, 0);
      m->acquisition_uuid = dup_column (stmt, 1);
      m->file = dup_column (stmt, 2);
      m->sha256 = dup_column (stmt, 3);
      m->imported_by = dup_column (stmt, 4);
      m->imported_at = dup_column (stmt, 5);
      m->added_by = dup_column (stmt, 6);
      m->added_at = dup_column (stmt, 7);
      m->calibre = dup_column (stmt, 8);
      m->modality = dup_column (stmt, 9);
      m->exhibit = dup_column (stmt, 10);
      m->kind = dup_column (stmt, 11);
      m->case_id = sqlite3_column_int64 (stmt, 12);
      m->case_uuid = dup_column (stmt, 13);
      m->case_number = dup_column (stmt, 14);
      m->agency = dup_column (stmt, 15);
      m->lab_case_number = dup_column (stmt, 16);
      m->incident_date = dup_column (stmt, 17);
      m->offense = dup_column (stmt, 18);
      m->location = dup_column (stmt, 19);
      m->firearm = dup_column (stmt, 20);
      g_ptr_array_add (members, m);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, _("cannot read the lead's evidence"));
      return NULL;
    }
  return g_steal_pointer (&members);
}

static char *
case_label (const Member *m)
{
  if (m->agency != NULL && *m->agency != '\0')
    return g_strdup_printf ("%s %s", m->agency, m->case_number);
  return g_strdup (m->case_number);
}

/* ---- shaded relief ---- */

/* Lambert shading of a preprocessed (band-passed) surface, light from the top left at
 * 45°, slopes scaled so their 90th percentile is drawn at 45°: the band-passed marks
 * are nearly flat at true scale. Invalid points are white. Grey, so it prints. */
static cairo_surface_t *
render_relief (TmSurface *surface)
{
  guint w = tm_surface_get_width (surface);
  guint h = tm_surface_get_height (surface);
  guint step = MAX (1, (MAX (w, h) + IMAGE_MAX_SIDE - 1) / IMAGE_MAX_SIDE);
  guint ow = w / step, oh = h / step;
  const float *data = tm_surface_peek_data (surface);
  g_autofree float *small = g_new (float, (gsize) ow * oh);
  g_autoptr(GArray) slopes = g_array_new (FALSE, FALSE, sizeof (float));
  cairo_surface_t *image;
  guint8 *pixels;
  int stride;
  double gain = 1;
  const double lx = -0.5, ly = -0.5, lz = M_SQRT1_2;   /* unit vector to the light */

  /* Area average of the valid samples per output pixel. */
  for (guint y = 0; y < oh; y++)
    for (guint x = 0; x < ow; x++)
      {
        double sum = 0;
        guint n = 0;

        for (guint j = 0; j < step; j++)
          for (guint i = 0; i < step; i++)
            {
              float v = data[(gsize) (y * step + j) * w + x * step + i];

              if (!isnan (v))
                {
                  sum += v;
                  n++;
                }
            }
        small[(gsize) y * ow + x] = n * 2 > step * step ? (float) (sum / n) : NAN;
      }

  for (guint y = 1; y + 1 < oh; y++)
    for (guint x = 1; x + 1 < ow; x++)
      {
        const float *p = small + (gsize) y * ow + x;
        float gx = (p[1] - p[-1]) / 2, gy = (p[ow] - p[-(gssize) ow]) / 2;

        if (!isnan (gx) && !isnan (gy))
          {
            float s = sqrtf (gx * gx + gy * gy);

            g_array_append_val (slopes, s);
          }
      }
  if (slopes->len > 0)
    {
      float *s = (float *) slopes->data;
      gsize k = (gsize) (0.9 * (slopes->len - 1));

      /* Partial selection would do; a report renders a handful of images. */
      for (gsize i = 0; i <= k; i++)
        for (gsize j = i + 1; j < slopes->len; j++)
          if (s[j] < s[i])
            {
              float t = s[i];

              s[i] = s[j];
              s[j] = t;
            }
      if (s[k] > 0)
        gain = 1.0 / s[k];
    }

  image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, ow, oh);
  cairo_surface_flush (image);
  pixels = cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image);
  for (guint y = 0; y < oh; y++)
    {
      guint32 *row = (guint32 *) (pixels + (gsize) y * stride);

      for (guint x = 0; x < ow; x++)
        {
          const float *p = small + (gsize) y * ow + x;
          guint8 g = 255;

          if (!isnan (p[0]))
            {
              float left = x > 0 ? p[-1] : NAN, right = x + 1 < ow ? p[1] : NAN;
              float up = y > 0 ? p[-(gssize) ow] : NAN, down = y + 1 < oh ? p[ow] : NAN;
              double gx, gy, nz, shade;

              gx = !isnan (left) && !isnan (right) ? (right - left) / 2
                   : !isnan (right) ? right - p[0] : !isnan (left) ? p[0] - left : 0;
              gy = !isnan (up) && !isnan (down) ? (down - up) / 2
                   : !isnan (down) ? down - p[0] : !isnan (up) ? p[0] - up : 0;
              gx *= gain;
              gy *= gain;
              nz = 1.0 / sqrt (gx * gx + gy * gy + 1);
              shade = (-gx * lx - gy * ly + lz) * nz;
              /* Keep the darkest shade mid-grey: cell frames must stay visible on it. */
              g = (guint8) CLAMP (60 + 180 * CLAMP (shade, 0, 1), 0, 255);
            }
          row[x] = 0xff000000u | ((guint32) g << 16) | ((guint32) g << 8) | g;
        }
    }
  cairo_surface_mark_dirty (image);
  return image;
}

/* ---- aligned image pair ---- */

typedef struct
{
  cairo_surface_t *image_a;
  cairo_surface_t *image_b;
  guint            w_a, h_a, w_b, h_b;   /* surface pixels */
  double           pixel_um_a, pixel_um_b;
  double           angle_deg, dx_um, dy_um;
  gboolean         b_in_a_frame;         /* image_b already transformed into A's frame */
  GArray          *cells;                /* TmCmcCell, A → B */
  char            *caption;
} Pair;

static void
pair_free (gpointer data)
{
  Pair *pair = data;

  g_clear_pointer (&pair->image_a, cairo_surface_destroy);
  g_clear_pointer (&pair->image_b, cairo_surface_destroy);
  g_clear_pointer (&pair->cells, g_array_unref);
  g_free (pair->caption);
  g_free (pair);
}

static void
stroke_cell (cairo_t  *cr,
             double    scale,
             gboolean  congruent)
{
  static const double dash[] = { 2.5, 2 };

  /* White under black: a frame reads on dark and light relief alike. */
  cairo_set_dash (cr, congruent ? NULL : dash, congruent ? 0 : 2, 0);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, (congruent ? 2.6 : 1.4) / scale);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, (congruent ? 1.3 : 0.6) / scale);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
paint_image (cairo_t         *cr,
             cairo_surface_t *image,
             guint            surface_w)
{
  double k = (double) surface_w / cairo_image_surface_get_width (image);

  cairo_save (cr);
  cairo_scale (cr, k, k);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
pair_draw (gpointer data,
           cairo_t *cr,
           double   width,
           double   height)
{
  Pair *pair = data;
  double gap = 12;
  double side = (width - gap) / 2;
  double scale = side / MAX (pair->w_a, pair->h_a);
  double ca_x = (pair->w_a - 1) / 2.0, ca_y = (pair->h_a - 1) / 2.0;
  double cb_x = (pair->w_b - 1) / 2.0, cb_y = (pair->h_b - 1) / 2.0;
  double caption_y = side + 6;
  TmRegistration pose = { pair->angle_deg, pair->dx_um, pair->dy_um, 0 }, inv;

  tm_registration_invert (&pose, &inv);

  for (int pane = 0; pane < 2; pane++)
    {
      double ox = pane * (side + gap);

      cairo_save (cr);
      cairo_rectangle (cr, ox, 0, side, side);
      cairo_clip (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      cairo_translate (cr, ox + (side - pair->w_a * scale) / 2, (side - pair->h_a * scale) / 2);
      cairo_scale (cr, scale, scale);

      if (pane == 0)
        paint_image (cr, pair->image_a, pair->w_a);
      else if (pair->b_in_a_frame)
        paint_image (cr, pair->image_b, pair->w_a);
      else
        {
          /* B into A's frame with the inverse pose, as tm_surface_transform() maps:
           * q = R(θ⁻¹)·(p − c_B) + c_A + d⁻¹. */
          cairo_save (cr);
          cairo_translate (cr, ca_x + inv.dx_um / pair->pixel_um_a, ca_y + inv.dy_um / pair->pixel_um_a);
          cairo_rotate (cr, inv.angle_deg * G_PI / 180);
          cairo_translate (cr, -cb_x, -cb_y);
          paint_image (cr, pair->image_b, pair->w_b);
          cairo_restore (cr);
        }

      for (guint i = 0; pair->cells != NULL && i < pair->cells->len; i++)
        {
          const TmCmcCell *cell = &g_array_index (pair->cells, TmCmcCell, i);
          double x = cell->x_um / pair->pixel_um_a, y = cell->y_um / pair->pixel_um_a;
          double w = cell->w_um / pair->pixel_um_a, h = cell->h_um / pair->pixel_um_a;

          cairo_save (cr);
          if (pane == 1)
            {
              /* Where the cell's own registration put it in B, brought back into A's
               * frame: congruent cells land where they are on the left. */
              double qx = x + w / 2 - ca_x, qy = y + h / 2 - ca_y;
              double tc = cell->angle_deg * G_PI / 180, ti = inv.angle_deg * G_PI / 180;
              double px = cos (tc) * qx - sin (tc) * qy + cell->dx_um / pair->pixel_um_b;
              double py = sin (tc) * qx + cos (tc) * qy + cell->dy_um / pair->pixel_um_b;
              double ax = cos (ti) * px - sin (ti) * py + ca_x + inv.dx_um / pair->pixel_um_a;
              double ay = sin (ti) * px + cos (ti) * py + ca_y + inv.dy_um / pair->pixel_um_a;

              cairo_translate (cr, ax, ay);
              cairo_rotate (cr, tc + ti);
              cairo_rectangle (cr, -w / 2, -h / 2, w, h);
            }
          else
            cairo_rectangle (cr, x, y, w, h);
          stroke_cell (cr, scale, cell->congruent);
          cairo_restore (cr);
        }
      cairo_restore (cr);

      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_set_line_width (cr, 0.6);
      cairo_rectangle (cr, ox, 0, side, side);
      cairo_stroke (cr);
    }

  /* Legend: the two frame styles. */
  cairo_save (cr);
  cairo_rectangle (cr, 0, caption_y + 1, 14, 8);
  stroke_cell (cr, 1, TRUE);
  cairo_rectangle (cr, 110, caption_y + 1, 14, 8);
  stroke_cell (cr, 1, FALSE);
  cairo_restore (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  tm_report_draw_text (cr, 18, caption_y, 90, tm_report_style_font (TM_REPORT_STYLE_SMALL),
                       _("congruent cell"), PANGO_ALIGN_LEFT);
  tm_report_draw_text (cr, 128, caption_y, 200, tm_report_style_font (TM_REPORT_STYLE_SMALL),
                       _("cell that did not agree"), PANGO_ALIGN_LEFT);
  tm_report_draw_text (cr, 0, caption_y + 13, width, tm_report_style_font (TM_REPORT_STYLE_SMALL),
                       pair->caption, PANGO_ALIGN_LEFT);
}

static gboolean
add_image_pair (TmReportDoc  *doc,
                TmStore      *store,
                const Member *a,
                const Member *b,
                GCancellable *cancellable,
                GError      **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(TmSurface) sa = tm_store_load_preprocessed (store, a->acquisition_id, "breech-face", &local);
  g_autoptr(TmSurface) sb = NULL;
  g_autoptr(TmComparison) cmp = NULL;
  g_autofree char *label_a = case_label (a);
  g_autofree char *label_b = case_label (b);
  TmCompareParams params;
  Pair *pair;
  const TmCmcCell *cells;
  guint n_cells, n_congruent = 0;
  double width = tm_report_doc_get_content_width (doc);
  g_autofree char *angle = NULL, *dx = NULL, *dy = NULL, *score = NULL, *accf = NULL;

  tm_report_doc_add_textf (doc, TM_REPORT_STYLE_BOLD, "%s %s  ↔  %s %s", label_a, a->exhibit,
                           label_b, b->exhibit);
  tm_report_doc_keep_with_next (doc);
  if (sa != NULL)
    sb = tm_store_load_preprocessed (store, b->acquisition_id, "breech-face", &local);
  if (sb != NULL)
    {
      tm_compare_params_init (&params);
      cmp = tm_compare_surfaces (sa, sb, &params, cancellable, &local);
    }
  if (cmp == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      /* A missing surface is worth saying in the report, not failing it. */
      tm_report_doc_add_textf (doc, TM_REPORT_STYLE_SMALL,
                               _("No aligned images: %s (run “toolmark-cli reprocess” to "
                                 "store the preprocessed surfaces)."),
                               local ? local->message : "");
      return TRUE;
    }

  pair = g_new0 (Pair, 1);
  pair->image_a = render_relief (sa);
  /* Shade B after turning it into A's frame, so both are lit from the same side:
   * marks lit from different sides do not look alike. */
  if (tm_surface_get_width (sa) == tm_surface_get_width (sb)
      && tm_surface_get_height (sa) == tm_surface_get_height (sb))
    {
      TmRegistration inv;
      g_autoptr(TmSurface) moved = NULL;
      double pixel = tm_surface_get_pixel_um_x (sb);

      tm_registration_invert (tm_comparison_get_registration (cmp), &inv);
      moved = tm_surface_transform (sb, inv.angle_deg, inv.dx_um / pixel, inv.dy_um / pixel);
      pair->image_b = render_relief (moved);
      pair->b_in_a_frame = TRUE;
    }
  else
    pair->image_b = render_relief (sb);
  pair->w_a = tm_surface_get_width (sa);
  pair->h_a = tm_surface_get_height (sa);
  pair->w_b = tm_surface_get_width (sb);
  pair->h_b = tm_surface_get_height (sb);
  pair->pixel_um_a = tm_surface_get_pixel_um_x (sa);
  pair->pixel_um_b = tm_surface_get_pixel_um_x (sb);
  pair->angle_deg = tm_comparison_get_angle_deg (cmp);
  pair->dx_um = tm_comparison_get_dx_um (cmp);
  pair->dy_um = tm_comparison_get_dy_um (cmp);
  cells = tm_comparison_get_cells (cmp, TM_COMPARISON_A_TO_B, &n_cells);
  pair->cells = g_array_sized_new (FALSE, FALSE, sizeof (TmCmcCell), n_cells);
  g_array_append_vals (pair->cells, cells, n_cells);
  for (guint i = 0; i < n_cells; i++)
    n_congruent += cells[i].congruent;

  angle = tm_report_format_double (pair->angle_deg, 1);
  dx = tm_report_format_double (pair->dx_um, 0);
  dy = tm_report_format_double (pair->dy_um, 0);
  score = tm_report_format_double (tm_comparison_get_score (cmp), 1);
  accf = tm_report_format_double (tm_comparison_get_accf (cmp), 3);
  pair->caption = g_markup_printf_escaped (
    _("Left: %s, item %s (%s). Right: %s, item %s (%s), turned by %s° and shifted by "
      "(%s, %s) µm onto the left one. Breech-face surfaces as preprocessed for comparison "
      "(shaded relief). %u of %u cells congruent (score %s, ACCF %s), re-computed for this "
      "report."),
    label_a, a->exhibit, a->file, label_b, b->exhibit, b->file, angle, dx, dy, n_congruent,
    n_cells, score, accf);

  tm_report_doc_add_custom (doc, (width - 12) / 2 + 6 + 13
                                 + tm_report_measure_text (pair->caption,
                                                           tm_report_style_font (TM_REPORT_STYLE_SMALL),
                                                           width) + 6,
                            pair_draw, pair, pair_free);
  return TRUE;
}

/* ---- tables ---- */

static void
add_cases (TmReportDoc *doc,
           GPtrArray   *members)
{
  const double widths[] = { 0.2, 0.15, 0.15, 0.25, 0.25 };
  const char *header[] = { _("Case"), _("Lab case"), _("Incident date"), _("Offense"),
                           _("Location") };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  TmReportTable *table;

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Linked cases"));
  table = tm_report_doc_begin_table (doc, 5, widths, header);
  for (guint i = 0; i < members->len; i++)
    {
      Member *m = g_ptr_array_index (members, i);
      g_autofree char *label = NULL;
      g_autofree char *date = NULL;

      if (g_hash_table_contains (seen, &m->case_id))
        continue;
      g_hash_table_add (seen, &m->case_id);
      label = case_label (m);
      date = tm_report_format_date (m->incident_date);
      tm_report_table_add_rowv (table, label, or_dash (m->lab_case_number), date,
                                or_dash (m->offense), or_dash (m->location), NULL);
    }
}

static void
add_evidence (TmReportDoc *doc,
              TmStore     *store,
              GPtrArray   *members)
{
  const double widths[] = { 0.16, 0.07, 0.11, 0.1, 0.22, 0.17, 0.17 };
  const char *header[] = { _("Case"), _("Item"), _("Kind"), _("Calibre"), _("File"),
                           _("Imported"), _("Linked to the lead") };
  TmReportTable *table;

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Evidence items"));
  table = tm_report_doc_begin_table (doc, 7, widths, header);
  for (guint i = 0; i < members->len; i++)
    {
      Member *m = g_ptr_array_index (members, i);
      g_autofree char *label = case_label (m);
      g_autofree char *kind = NULL;
      g_autofree char *file = g_strdup_printf ("%s (#%" G_GINT64_FORMAT ")", m->file,
                                               m->acquisition_id);
      g_autofree char *imported = tm_report_format_datetime (m->imported_at);
      g_autofree char *added = tm_report_format_datetime (m->added_at);
      g_autofree char *by = tm_report_describe_user (store, m->imported_by);
      g_autofree char *added_by = tm_report_describe_user (store, m->added_by);
      g_autofree char *imported_text = g_strdup_printf ("%s\n%s", imported, by);
      g_autofree char *added_text = g_strdup_printf ("%s\n%s", added, added_by);

      kind = m->firearm != NULL && *m->firearm != '\0'
             ? g_strdup_printf ("%s: %s", tm_report_describe_word (m->kind), m->firearm)
             : g_strdup (tm_report_describe_word (m->kind));
      tm_report_table_add_rowv (table, label, m->exhibit, kind, or_dash (m->calibre), file,
                                imported_text, added_text, NULL);
    }
}

static gboolean
add_scores (TmReportDoc *doc,
            TmStore     *store,
            gint64       lead_id,
            GPtrArray   *members,
            GError     **error)
{
  /* The candidates that made or extended the lead: every stored comparison between
   * two members, latest run first, with the decision that put it in the lead. */
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT r.id, r.query_acquisition_id, c.acquisition_id, c.rank, c.score, c.cmc_a_to_b,"
    "       c.cmc_b_to_a, c.accf, c.p_knm, json_extract (c.scores, '$.p_knm_model'),"
    "       c.review_state, r.user, r.finished_at,"
    "       (SELECT d.user || char (31) || d.at FROM candidate_decisions d"
    "         WHERE d.run_id = c.run_id AND d.acquisition_id = c.acquisition_id"
    "           AND d.decision = 'lead' ORDER BY d.at DESC, d.id DESC LIMIT 1),"
    "       json_extract (c.scores, '$.knm_source'), json_extract (c.scores, '$.knm_n'),"
    "       json_extract (c.scores, '$.knm_per_calibre')"
    "  FROM candidates c JOIN correlation_runs r ON r.id = c.run_id"
    " WHERE r.query_acquisition_id IN (SELECT acquisition_id FROM lead_members WHERE lead_id = ?1)"
    "   AND c.acquisition_id IN (SELECT acquisition_id FROM lead_members WHERE lead_id = ?1)"
    " ORDER BY r.started_at DESC, c.rank", error);
  const double widths[] = { 0.22, 0.1, 0.08, 0.1, 0.1, 0.16, 0.24 };
  const char *header[] = { _("Query → candidate"), _("Run, rank"), _("Score"), _("Cells"),
                           _("ACCF"), _("Unusualness"), _("Reviewed") };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  TmReportTable *table;
  int rc;
  guint n = 0;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Correlation scores"));
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_SMALL,
                          _("Score: congruent matching cells (mean of both directions) plus "
                            "ACCF / 100. Cells: congruent cells query → candidate / back. "
                            "Unusualness: how rarely a known non-match scores at least this high, "
                            "counted among the non-match scores named below it — those of this "
                            "database (candidates dismissed by reviewers and the lower-ranked "
                            "candidates of its runs) or, while the database holds too few, the "
                            "run's own lower-ranked candidates. \"Beyond all N non-matches\": "
                            "none of the N reached it, which bounds the chance below 1 in N + 1 "
                            "and says no more. The model extrapolation is a distribution fitted "
                            "to those scores and read beyond them, not an observation (a dash: "
                            "too few non-matches to tell)."));
  table = tm_report_doc_begin_table (doc, 7, widths, header);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 query = sqlite3_column_int64 (stmt, 1);
      gint64 cand = sqlite3_column_int64 (stmt, 2);
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                              MIN (query, cand), MAX (query, cand));
      g_autofree char *query_name = NULL, *cand_name = NULL;
      g_autofree char *pair = NULL, *run = NULL, *score = NULL, *cells = NULL, *accf = NULL;
      g_autofree char *p = NULL, *reviewed = NULL;
      const char *decision = tm_stmt_column_text (stmt, 13);

      if (g_hash_table_contains (seen, key))
        continue;   /* the latest run of a pair is enough */
      g_hash_table_add (seen, g_steal_pointer (&key));
      for (guint i = 0; i < members->len; i++)
        {
          Member *m = g_ptr_array_index (members, i);

          if (m->acquisition_id == query && query_name == NULL)
            query_name = g_strdup_printf (_("%s item %s"), m->case_number, m->exhibit);
          if (m->acquisition_id == cand && cand_name == NULL)
            cand_name = g_strdup_printf (_("%s item %s"), m->case_number, m->exhibit);
        }
      pair = g_strdup_printf ("%s →\n%s", query_name, cand_name);
      run = g_strdup_printf ("#%" G_GINT64_FORMAT ", %d", (gint64) sqlite3_column_int64 (stmt, 0),
                             sqlite3_column_int (stmt, 3));
      score = tm_report_format_double (sqlite3_column_double (stmt, 4), 1);
      cells = g_strdup_printf ("%d / %d", sqlite3_column_int (stmt, 5),
                               sqlite3_column_int (stmt, 6));
      accf = tm_report_format_double (sqlite3_column_double (stmt, 7), 3);
      if (sqlite3_column_type (stmt, 8) == SQLITE_NULL)
        p = g_strdup ("—");
      else
        {
          /* runs saved before the source was recorded measured against their own bulk */
          TmKnmSource source = sqlite3_column_type (stmt, 14) == SQLITE_NULL
                               ? TM_KNM_SOURCE_RUN
                               : tm_knm_source_from_string (tm_stmt_column_text (stmt, 14));
          guint knm_n = (guint)sqlite3_column_int (stmt, 15);
          g_autofree char *words = tm_knm_format_unusualness (sqlite3_column_double (stmt, 8), knm_n);
          g_autoptr(GString) cell = g_string_new (words);

          /* Translators: under the unusualness in a report, what it was counted against */
          if (tm_knm_is_beyond_reference (sqlite3_column_double (stmt, 8), knm_n))
            g_string_append (cell, source == TM_KNM_SOURCE_DATABASE ? _("\nin this database")
                                                                    : _("\nof this run"));
          else if (knm_n > 0 && source == TM_KNM_SOURCE_DATABASE && sqlite3_column_int (stmt, 16))
            g_string_append_printf (cell, _("\nof %u known non-matches of this calibre in this database"), knm_n);
          else if (knm_n > 0 && source == TM_KNM_SOURCE_DATABASE)
            g_string_append_printf (cell, _("\nof %u known non-matches in this database"), knm_n);
          else if (knm_n > 0)
            g_string_append_printf (cell, _("\nof %u lower-ranked candidates of this run"), knm_n);
          if (sqlite3_column_type (stmt, 9) != SQLITE_NULL)
            /* Translators: a fitted distribution's figure beyond the observed scores */
            g_string_append_printf (cell, _("\nmodel extrapolation %.2g"), sqlite3_column_double (stmt, 9));
          p = g_string_free (g_steal_pointer (&cell), FALSE);
        }
      if (decision != NULL)
        {
          g_auto(GStrv) parts = g_strsplit (decision, "\x1f", 2);
          g_autofree char *who = tm_report_describe_user (store, parts[0]);
          g_autofree char *when = tm_report_format_datetime (parts[1]);

          reviewed = g_strdup_printf ("%s\n%s", who, when);
        }
      else
        reviewed = g_strdup (tm_report_describe_word (tm_stmt_column_text (stmt, 10)));
      tm_report_table_add_rowv (table, pair, run, score, cells, accf, p, reviewed, NULL);
      n++;
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, _("cannot read the lead's scores"));
      return FALSE;
    }
  if (n == 0)
    tm_report_table_add_rowv (table, _("No correlation run compared these items; the lead "
                                       "was made by hand."), "", "", "", "", "", "", NULL);
  return TRUE;
}

static char *
describe_payload (const char *kind,
                  const char *payload,
                  GPtrArray  *members)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GString *text = g_string_new (tm_report_describe_word (kind));
  JsonObject *object;

  if (payload != NULL && json_parser_load_from_data (parser, payload, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      const char *keys[] = { "conclusion", "outcome", "status", "acquisition", "note" };

      object = json_node_get_object (json_parser_get_root (parser));
      for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          JsonNode *node = json_object_get_member (object, keys[i]);

          if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
            continue;
          if (json_node_get_value_type (node) == G_TYPE_STRING && i == 3)
            {
              /* An acquisition named by UUID: say which evidence item it is. */
              const char *uuid = json_node_get_string (node);
              const Member *found = NULL;

              for (guint k = 0; k < members->len && found == NULL; k++)
                if (g_strcmp0 (((Member *) g_ptr_array_index (members, k))->acquisition_uuid, uuid) == 0)
                  found = g_ptr_array_index (members, k);
              if (found != NULL)
                g_string_append_printf (text, ": %s, item %s (%s)", found->case_number,
                                        found->exhibit, found->file);
              else
                g_string_append_printf (text, ": %s", uuid);
            }
          else if (json_node_get_value_type (node) == G_TYPE_STRING)
            g_string_append_printf (text, i == 4 ? ": “%s”" : ": %s",
                                    tm_report_describe_word (json_node_get_string (node)));
          else if (json_node_get_value_type (node) == G_TYPE_INT64)
            g_string_append_printf (text, ": #%" G_GINT64_FORMAT, json_node_get_int (node));
        }
    }
  return g_string_free (text, FALSE);
}

static gboolean
add_history (TmReportDoc *doc,
             TmStore     *store,
             gint64       lead_id,
             GPtrArray   *members,
             GError     **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT at, user, kind, payload FROM lead_events WHERE lead_id = ? ORDER BY at, id", error);
  const double widths[] = { 0.22, 0.25, 0.53 };
  const char *header[] = { _("When"), _("Who"), _("What") };
  TmReportTable *table;
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("History of the lead"));
  table = tm_report_doc_begin_table (doc, 3, widths, header);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *when = tm_report_format_datetime (tm_stmt_column_text (stmt, 0));
      g_autofree char *who = tm_report_describe_user (store, tm_stmt_column_text (stmt, 1));
      g_autofree char *what = describe_payload (tm_stmt_column_text (stmt, 2),
                                                tm_stmt_column_text (stmt, 3), members);

      tm_report_table_add_rowv (table, when, who, what, NULL);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, _("cannot read the lead's history"));
      return FALSE;
    }
  return TRUE;
}

gboolean
tm_report_add_lead_sections (TmReportDoc   *doc,
                             TmStore       *store,
                             gint64         lead_id,
                             gboolean       confirmed,
                             GPtrArray    **out_acquisition_uuids,
                             GPtrArray    **out_case_uuids,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GPtrArray) members = load_members (store, lead_id, error);
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *status = NULL;
  g_autofree char *created_by = NULL;
  g_autofree char *created_at = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(GHashTable) cases = g_hash_table_new (g_int64_hash, g_int64_equal);
  const double widths[] = { 0.3, 0.7 };
  const char *header[] = { _("Lead"), "" };
  TmReportTable *table;
  guint n_pairs = 0;

  if (members == NULL)
    return FALSE;
  stmt = tm_store_prepare (store, "SELECT uuid, created_by, created_at FROM leads WHERE id = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lead_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_NOT_FOUND,
                   _("No lead %" PRId64 " in %s"), lead_id, tm_store_get_path (store));
      return FALSE;
    }
  uuid = dup_column (stmt, 0);
  created_by = tm_report_describe_user (store, tm_stmt_column_text (stmt, 1));
  created_at = tm_report_format_datetime (tm_stmt_column_text (stmt, 2));
  status = tm_report_lead_status (store, lead_id);
  for (guint i = 0; i < members->len; i++)
    g_hash_table_add (cases, &((Member *) g_ptr_array_index (members, i))->case_id);

  if (!confirmed)
    tm_report_doc_add_text (doc, TM_REPORT_STYLE_NOTICE,
                            _("<b>This is a lead, not an identification.</b> It is an "
                              "unconfirmed, potential association between the evidence items "
                              "below, found by ballistic imaging correlation and judged likely "
                              "by the reviewer named here. It remains unconfirmed until a "
                              "firearms examiner has compared the physical evidence under a "
                              "comparison microscope; it must not be presented as an "
                              "identification."));
  else
    tm_report_doc_add_text (doc, TM_REPORT_STYLE_NOTICE,
                            _("<b>Confirmed by an examiner.</b> The association below was "
                              "examined by a firearms examiner under a comparison microscope; "
                              "the examiner's conclusion is given in this report. The scores "
                              "and images are the correlation that produced the lead, not the "
                              "basis of the conclusion."));
  tm_report_doc_add_space (doc, 4);

  table = tm_report_doc_begin_table (doc, 2, widths, header);
  {
    g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, lead_id);
    g_autofree char *created = g_strdup_printf ("%s, %s", created_at, created_by);
    g_autofree char *counts = g_strdup_printf (_("%u evidence items in %u cases"), members->len,
                                               g_hash_table_size (cases));

    tm_report_table_add_rowv (table, _("Number"), number, NULL);
    tm_report_table_add_rowv (table, _("UUID"), uuid, NULL);
    tm_report_table_add_rowv (table, _("Status"), tm_report_describe_word (status), NULL);
    tm_report_table_add_rowv (table, _("Created (reviewer)"), created, NULL);
    tm_report_table_add_rowv (table, _("Links"), counts, NULL);
  }

  add_cases (doc, members);
  add_evidence (doc, store, members);
  if (!add_scores (doc, store, lead_id, members, error))
    return FALSE;

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Aligned images"));
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_SMALL,
                          _("Each pair is shown in the pose the comparison found: the right "
                            "item is turned and shifted onto the left one. Frames mark the "
                            "cells of the left surface; on the right each cell is drawn where "
                            "its own best match lies."));
  tm_report_doc_keep_with_next (doc);
  for (guint i = 1; i < members->len && n_pairs < MAX_IMAGE_PAIRS; i++)
    {
      Member *a = g_ptr_array_index (members, 0);
      Member *b = g_ptr_array_index (members, i);

      if (g_strcmp0 (a->modality, b->modality) != 0)
        continue;
      if (!add_image_pair (doc, store, a, b, cancellable, error))
        return FALSE;
      n_pairs++;
    }
  if (members->len > MAX_IMAGE_PAIRS + 1)
    tm_report_doc_add_textf (doc, TM_REPORT_STYLE_SMALL,
                             _("%u more items are not drawn; the table above lists them all."),
                             members->len - 1 - MAX_IMAGE_PAIRS);

  if (!add_history (doc, store, lead_id, members, error))
    return FALSE;

  if (out_acquisition_uuids != NULL)
    {
      *out_acquisition_uuids = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < members->len; i++)
        g_ptr_array_add (*out_acquisition_uuids,
                         g_strdup (((Member *) g_ptr_array_index (members, i))->acquisition_uuid));
    }
  if (out_case_uuids != NULL)
    {
      *out_case_uuids = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < members->len; i++)
        {
          const char *c = ((Member *) g_ptr_array_index (members, i))->case_uuid;

          if (!g_ptr_array_find_with_equal_func (*out_case_uuids, c, g_str_equal, NULL))
            g_ptr_array_add (*out_case_uuids, g_strdup (c));
        }
    }
  return TRUE;
}

TmReport *
tm_report_new_lead (TmStore               *store,
                    const char            *lead,
                    const TmReportOptions *options,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr(TmReportDoc) doc = NULL;
  g_autofree char *title = NULL;
  gint64 lead_id;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);
  g_return_val_if_fail (lead != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  lead_id = tm_report_find_lead (store, lead, error);
  if (lead_id == 0)
    return NULL;
  doc = tm_report_doc_new ();
  title = g_strdup_printf (_("Lead report — lead %" PRId64), lead_id);
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_TITLE, title);
  if (!tm_report_add_lead_sections (doc, store, lead_id, FALSE, NULL, NULL, cancellable, error))
    return NULL;
  return tm_report_new_from_doc (store, options, title, g_steal_pointer (&doc));
}
