/* tm-compare-canvas.c — the drawing area of the compare view: two surfaces, one pose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Coordinates. Every surface is drawn centred on its own origin in µm ("local"
 * coordinates: the centre of the image is 0, y grows downwards). The query's local
 * frame is the "world" both surfaces are shown in. The candidate is placed in the world
 * by its pose, kept in the registration's convention (tm-registration.h): a query point
 * u (world µm) lies on candidate point b = R(θ)·u + d, so the candidate is drawn with
 * u = R(−θ)·(b − d). "Align" sets (θ, d) from the comparison; nudging edits them.
 *
 * A pane maps the world to the screen: s = pane centre + zoom · R(rot) · (u − centre).
 * Side by side has two panes (query left, candidate right), each with its own view;
 * "locked" applies every pan, zoom and rotation to both, keeping whatever offset the
 * two had, as the stages of a comparison microscope do. The overlay modes have a single
 * pane and draw both surfaces through view 0.
 *
 * Drawing is a tree of texture, transform, clip, opacity and blend nodes over textures
 * that were rendered once (TmReliefTexture): panning only changes transforms. A shaded
 * relief has its light baked in, so when a surface is shown rotated its texture is
 * re-rendered in a worker thread with the light turned back by that rotation, and
 * swapped in when ready; until then the previous texture keeps being drawn.
 */
#define G_LOG_DOMAIN "tm-compare-canvas"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "tm-compare-canvas.h"

#define PANE_GAP 2.0
#define CHECKER_PX 96.0
#define SPLIT_GRAB_PX 8.0
#define ZOOM_MIN 0.005   /* px per µm: a 40 mm field in 200 px */
#define ZOOM_MAX 50.0    /* px per µm: 0.02 µm per pixel */

typedef struct
{
  double cx, cy;   /* world µm at the centre of the pane */
  double zoom;     /* screen px per µm */
  double rot;      /* degrees, clockwise */
} View;

typedef enum
{
  DRAG_NONE,
  DRAG_PAN,
  DRAG_CANDIDATE,
  DRAG_SPLIT,
  DRAG_RULER,
} DragKind;

struct _TmCompareCanvas
{
  GtkWidget        parent_instance;

  TmSurface       *surface[2];
  TmReliefTexture *texture[2];
  TmComparison    *comparison;
  guint            generation;
  gboolean         rendering[2];

  TmReliefParams   params;
  TmCompareMode    mode;
  gboolean         locked;
  gboolean         show_cells;
  gboolean         ruler_tool;
  double           opacity;
  double           split;

  View             view[2];
  double           pose_angle;
  double           pose_dx;
  double           pose_dy;
  gboolean         aligned;
  gboolean         need_fit;

  /* interaction */
  DragKind         drag;
  guint            drag_pane;
  guint            active_pane;
  View             drag_view[2];
  double           drag_pose[3];
  double           drag_x, drag_y;
  double           gesture_zoom[2];
  double           gesture_angle;

  gboolean         has_ruler;
  guint            ruler_pane;
  double           ruler[4];   /* world µm: x0, y0, x1, y1 */

  int              hover_cell;
  int              focus_cell;   /* stepped to from the keyboard, -1 for none */
  gboolean         hover_candidate;
  double           pointer_x, pointer_y;

  guint            cells_drawn;
  gboolean         cairo;      /* drawn by the Cairo renderer (see tm-relief-texture.c) */
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TmCompareCanvas, tm_compare_canvas, GTK_TYPE_WIDGET)

GType
tm_compare_mode_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { TM_COMPARE_MODE_SIDE_BY_SIDE, "TM_COMPARE_MODE_SIDE_BY_SIDE", "side-by-side" },
        { TM_COMPARE_MODE_BLEND, "TM_COMPARE_MODE_BLEND", "blend" },
        { TM_COMPARE_MODE_DIFFERENCE, "TM_COMPARE_MODE_DIFFERENCE", "difference" },
        { TM_COMPARE_MODE_CHECKERBOARD, "TM_COMPARE_MODE_CHECKERBOARD", "checkerboard" },
        { TM_COMPARE_MODE_SPLIT, "TM_COMPARE_MODE_SPLIT", "split" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("TmCompareMode"), values);
      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

/* ---- geometry ------------------------------------------------------------------ */

static void
rotate_point (double deg, double x, double y, double *ox, double *oy)
{
  double r = deg * G_PI / 180.0, c = cos (r), s = sin (r);
  double rx = c * x - s * y, ry = s * x + c * y;

  *ox = rx;
  *oy = ry;
}

static double
wrap_degrees (double deg)
{
  deg = fmod (deg, 360.0);
  if (deg < 0.0)
    deg += 360.0;
  return deg;
}

static guint
n_panes (TmCompareCanvas *self)
{
  return self->mode == TM_COMPARE_MODE_SIDE_BY_SIDE ? 2 : 1;
}

static void
pane_rect (TmCompareCanvas *self, guint pane, double width, double height, graphene_rect_t *out)
{
  if (n_panes (self) == 1)
    graphene_rect_init (out, 0, 0, width, height);
  else
    {
      double half = floor ((width - PANE_GAP) / 2.0);
      graphene_rect_init (out, pane == 0 ? 0 : width - half, 0, half, height);
    }
}

static guint
pane_at (TmCompareCanvas *self, double x)
{
  if (n_panes (self) == 1)
    return 0;
  return x < gtk_widget_get_width (GTK_WIDGET (self)) / 2.0 ? 0 : 1;
}

static void
world_from_screen (const graphene_rect_t *pane, const View *v, double sx, double sy,
                   double *wx, double *wy)
{
  double px = (sx - (pane->origin.x + pane->size.width / 2.0)) / v->zoom;
  double py = (sy - (pane->origin.y + pane->size.height / 2.0)) / v->zoom;

  rotate_point (-v->rot, px, py, wx, wy);
  *wx += v->cx;
  *wy += v->cy;
}

static void
screen_from_world (const graphene_rect_t *pane, const View *v, double wx, double wy,
                   double *sx, double *sy)
{
  rotate_point (v->rot, (wx - v->cx) * v->zoom, (wy - v->cy) * v->zoom, sx, sy);
  *sx += pane->origin.x + pane->size.width / 2.0;
  *sy += pane->origin.y + pane->size.height / 2.0;
}

/* Candidate local µm from world µm: b = R(θ)·u + d. */
static void
candidate_from_world (TmCompareCanvas *self, double wx, double wy, double *bx, double *by)
{
  rotate_point (self->pose_angle, wx, wy, bx, by);
  *bx += self->pose_dx;
  *by += self->pose_dy;
}

/* Where the candidate's centre lands in the world: u = −R(−θ)·d. */
static void
candidate_origin_in_world (TmCompareCanvas *self, double *wx, double *wy)
{
  rotate_point (-self->pose_angle, -self->pose_dx, -self->pose_dy, wx, wy);
}

static void
push_view (GtkSnapshot *snapshot, const graphene_rect_t *pane, const View *v)
{
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (pane->origin.x + pane->size.width / 2.0,
                                                          pane->origin.y + pane->size.height / 2.0));
  gtk_snapshot_rotate (snapshot, v->rot);
  gtk_snapshot_scale (snapshot, v->zoom, v->zoom);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-v->cx, -v->cy));
}

static void
push_candidate (TmCompareCanvas *self, GtkSnapshot *snapshot)
{
  double ox, oy;

  candidate_origin_in_world (self, &ox, &oy);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (ox, oy));
  gtk_snapshot_rotate (snapshot, -self->pose_angle);
}

/* Screen rotation of the query (0) or candidate (1) in the pane that shows it. */
static double
screen_rotation (TmCompareCanvas *self, guint index)
{
  const View *v = &self->view[(index == 1 && n_panes (self) == 2) ? 1 : 0];
  return index == 0 ? v->rot : v->rot - self->pose_angle;
}

static void
emit_changed (TmCompareCanvas *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* ---- rendering of the textures ------------------------------------------------- */

void
tm_compare_render_params_for (const TmReliefParams *base,
                              double                screen_rotation_deg,
                              gboolean              bake_rotation,
                              TmReliefParams       *out,
                              double               *out_rotation_deg)
{
  *out = *base;
  if (bake_rotation)
    {
      /* Turned before shading: the light is applied in screen coordinates. */
      *out_rotation_deg = fabs (screen_rotation_deg) < 1e-9 ? 0.0 : screen_rotation_deg;
    }
  else
    {
      /* The texture turns with the surface on screen, so its light must turn back. */
      out->azimuth_deg = wrap_degrees (base->azimuth_deg - screen_rotation_deg);
      *out_rotation_deg = 0.0;
    }
}

void
tm_compare_canvas_get_render_params (TmCompareCanvas *self,
                                     guint            index,
                                     TmReliefParams  *out,
                                     double          *out_rotation_deg)
{
  double rotation;

  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));
  g_return_if_fail (index < 2);

  tm_compare_render_params_for (&self->params, wrap_degrees (screen_rotation (self, index)),
                                self->cairo, out, &rotation);
  if (out_rotation_deg != NULL)
    *out_rotation_deg = rotation;
}

gboolean
tm_compare_canvas_get_bakes_rotation (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), FALSE);
  return self->cairo;
}

static double
angle_between (double a, double b)
{
  return fabs (wrap_degrees (a - b + 180.0) - 180.0);
}

static gboolean
render_params_equal (TmSurface *surface, const TmReliefParams *a, double rotation_a,
                     TmReliefTexture *texture)
{
  const TmReliefParams *b = tm_relief_texture_get_params (texture);
  gboolean shaded = a->mode == TM_RELIEF_SHADED
                    && tm_surface_get_modality (surface) == TM_MODALITY_3D;
  double daz;

  if (a->mode != b->mode)
    return FALSE;
  /* A twentieth of a degree is a tenth of a pixel 100 px from the centre. */
  if (angle_between (rotation_a, tm_relief_texture_get_rotation (texture)) > 0.05)
    return FALSE;
  if (!shaded)
    return a->low == b->low && a->high == b->high;
  /* Shading ignores the levels; half a degree of light is invisible. */
  daz = angle_between (a->azimuth_deg, b->azimuth_deg);
  return daz < 0.5 && a->elevation_deg == b->elevation_deg && a->exaggerate == b->exaggerate;
}

typedef struct
{
  TmCompareCanvas *self;
  TmSurface       *surface;
  TmReliefParams   params;
  double           rotation;
  guint            index;
  guint            generation;
} RenderJob;

static void
render_job_free (gpointer data)
{
  RenderJob *job = data;

  g_clear_object (&job->self);
  g_clear_object (&job->surface);
  g_free (job);
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderJob *job = task_data;
  GError *error = NULL;
  TmReliefTexture *texture = tm_relief_texture_new (job->surface, &job->params, job->rotation, &error);

  if (texture == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, texture, g_object_unref);
}

static void ensure_rendered (TmCompareCanvas *self, guint index);

static void
render_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TmCompareCanvas *self = TM_COMPARE_CANVAS (object);
  RenderJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(TmReliefTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);

  self->rendering[job->index] = FALSE;
  if (job->generation != self->generation)
    {
      ensure_rendered (self, job->index);
      return;
    }
  if (texture == NULL)
    {
      g_warning ("Could not draw the %s: %s",
                 job->index == 0 ? "query" : "candidate", error->message);
      return;
    }
  g_set_object (&self->texture[job->index], texture);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  /* The light or the rotation may have moved on while this was rendered. */
  ensure_rendered (self, job->index);
  emit_changed (self);
}

static void
ensure_rendered (TmCompareCanvas *self, guint index)
{
  TmReliefParams wanted;
  double rotation;
  g_autoptr(GTask) task = NULL;
  RenderJob *job;

  if (self->surface[index] == NULL || self->rendering[index])
    return;
  tm_compare_canvas_get_render_params (self, index, &wanted, &rotation);
  if (self->texture[index] != NULL
      && render_params_equal (self->surface[index], &wanted, rotation, self->texture[index]))
    return;

  job = g_new0 (RenderJob, 1);
  job->self = g_object_ref (self);
  job->surface = g_object_ref (self->surface[index]);
  job->params = wanted;
  job->rotation = rotation;
  job->index = index;
  job->generation = self->generation;

  self->rendering[index] = TRUE;
  task = g_task_new (self, NULL, render_done_cb, NULL);
  g_task_set_source_tag (task, ensure_rendered);
  g_task_set_task_data (task, job, render_job_free);
  g_task_run_in_thread (task, render_thread);
}

static void
ensure_all_rendered (TmCompareCanvas *self)
{
  ensure_rendered (self, 0);
  ensure_rendered (self, 1);
}

/* ---- drawing ------------------------------------------------------------------- */

static void
draw_surface (TmCompareCanvas *self, GtkSnapshot *snapshot, guint index,
              const graphene_rect_t *pane, const View *v, const graphene_rect_t *screen_clip)
{
  TmReliefTexture *texture = self->texture[index];
  double ox = 0.0, oy = 0.0, delta, min_x, min_y, max_x, max_y;
  double pcx = pane->origin.x + pane->size.width / 2.0;
  double pcy = pane->origin.y + pane->size.height / 2.0;
  graphene_rect_t visible;

  if (texture == NULL)
    return;

  /* s = pc + zoom · (R(rot)·(T − c) + R(φ − baked)·t), t in the texture's frame, where
   * T is where the surface's centre lies in the world and φ its rotation on screen. */
  if (index == 1)
    candidate_origin_in_world (self, &ox, &oy);
  rotate_point (v->rot, ox - v->cx, oy - v->cy, &ox, &oy);
  delta = (v->rot - (index == 1 ? self->pose_angle : 0.0)) - tm_relief_texture_get_rotation (texture);
  delta = wrap_degrees (delta + 180.0) - 180.0;
  if (fabs (delta) < 1e-9)
    delta = 0.0;

  /* The screen clip in the texture's frame, to skip the tiles outside it. */
  min_x = min_y = G_MAXDOUBLE;
  max_x = max_y = -G_MAXDOUBLE;
  for (guint i = 0; i < 4; i++)
    {
      double sx = screen_clip->origin.x + ((i & 1) ? screen_clip->size.width : 0);
      double sy = screen_clip->origin.y + ((i & 2) ? screen_clip->size.height : 0);
      double tx, ty;

      rotate_point (-delta, (sx - pcx) / v->zoom - ox, (sy - pcy) / v->zoom - oy, &tx, &ty);
      min_x = MIN (min_x, tx);
      min_y = MIN (min_y, ty);
      max_x = MAX (max_x, tx);
      max_y = MAX (max_y, ty);
    }
  graphene_rect_init (&visible, min_x, min_y, max_x - min_x, max_y - min_y);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (pcx, pcy));
  gtk_snapshot_scale (snapshot, v->zoom, v->zoom);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (ox, oy));
  if (delta != 0.0)
    gtk_snapshot_rotate (snapshot, delta);
  tm_relief_texture_snapshot (texture, snapshot, &visible, v->zoom, self->cairo);
  gtk_snapshot_restore (snapshot);
}

static void
append_rect (GtkSnapshot *snapshot, const GdkRGBA *colour, double x, double y, double w, double h)
{
  gtk_snapshot_append_color (snapshot, colour, &GRAPHENE_RECT_INIT (x, y, w, h));
}

/* A cell, in the coordinates it is defined in. Congruent cells are framed with a solid
 * line; the others only get corner brackets, so they differ in shape, not only hue. */
static void
draw_cell (GtkSnapshot *snapshot, const graphene_rect_t *r, gboolean congruent,
           gboolean hovered, double px_um)
{
  static const GdkRGBA green = { 0.2, 0.82, 0.48, 1.0 };
  static const GdkRGBA orange = { 1.0, 0.64, 0.28, 1.0 };
  static const GdkRGBA fill = { 0.2, 0.82, 0.48, 0.07 };
  static const GdkRGBA hover_fill = { 1.0, 1.0, 1.0, 0.22 };
  double x = r->origin.x, y = r->origin.y, w = r->size.width, h = r->size.height;

  if (hovered)
    append_rect (snapshot, &hover_fill, x, y, w, h);

  if (congruent)
    {
      double lw = (hovered ? 3.0 : 2.0) * px_um;

      if (!hovered)
        append_rect (snapshot, &fill, x, y, w, h);
      append_rect (snapshot, &green, x, y, w, lw);
      append_rect (snapshot, &green, x, y + h - lw, w, lw);
      append_rect (snapshot, &green, x, y, lw, h);
      append_rect (snapshot, &green, x + w - lw, y, lw, h);
    }
  else
    {
      double lw = (hovered ? 2.5 : 1.5) * px_um;
      double lx = w * 0.22, ly = h * 0.22;

      for (guint corner = 0; corner < 4; corner++)
        {
          double cx = (corner & 1) ? x + w - lx : x;
          double cy = (corner & 2) ? y + h - ly : y;
          double vx = (corner & 1) ? x + w - lw : x;
          double hy = (corner & 2) ? y + h - lw : y;

          append_rect (snapshot, &orange, cx, hy, lx, lw);
          append_rect (snapshot, &orange, vx, cy, lw, ly);
        }
    }
}

/* The cell @i in query-centred µm. */
static void
cell_rect (TmCompareCanvas *self, const TmCmcCell *cell, graphene_rect_t *out)
{
  TmSurface *q = self->surface[0];
  double ox = 0.5 * tm_surface_get_width (q) * tm_surface_get_pixel_um_x (q);
  double oy = 0.5 * tm_surface_get_height (q) * tm_surface_get_pixel_um_y (q);

  graphene_rect_init (out, cell->x_um - ox, cell->y_um - oy, cell->w_um, cell->h_um);
}

static void
draw_cells (TmCompareCanvas *self, GtkSnapshot *snapshot, const graphene_rect_t *pane,
            const View *v, gboolean on_candidate)
{
  const TmCmcCell *cells;
  guint n = 0;

  if (!self->show_cells || self->comparison == NULL || self->surface[0] == NULL)
    return;
  cells = tm_comparison_get_cells (self->comparison, TM_COMPARISON_A_TO_B, &n);

  gtk_snapshot_save (snapshot);
  push_view (snapshot, pane, v);
  if (on_candidate)
    push_candidate (self, snapshot);
  for (guint i = 0; i < n; i++)
    {
      graphene_rect_t r;
      gboolean hovered = self->hover_cell == (int) i || self->focus_cell == (int) i;

      cell_rect (self, &cells[i], &r);
      if (on_candidate)
        {
          /* Where the cell's own registration puts it on the candidate. */
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (cells[i].dx_um, cells[i].dy_um));
          gtk_snapshot_rotate (snapshot, cells[i].angle_deg);
          draw_cell (snapshot, &r, cells[i].congruent, hovered, 1.0 / v->zoom);
          gtk_snapshot_restore (snapshot);
        }
      else
        draw_cell (snapshot, &r, cells[i].congruent, hovered, 1.0 / v->zoom);
      self->cells_drawn++;
    }
  gtk_snapshot_restore (snapshot);
}

/* A label on a dark rounded plate, top-left corner at (x, y); returns its size. */
static void
draw_label (TmCompareCanvas *self, GtkSnapshot *snapshot, const char *text,
            double x, double y, gboolean right_aligned, gboolean above,
            double *out_w, double *out_h)
{
  static const GdkRGBA plate = { 0.0, 0.0, 0.0, 0.62 };
  static const GdkRGBA white = { 1.0, 1.0, 1.0, 1.0 };
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int lw, lh;
  double w, h;
  GskRoundedRect rounded;

  pango_layout_get_pixel_size (layout, &lw, &lh);
  w = lw + 12.0;
  h = lh + 6.0;
  if (right_aligned)
    x -= w;
  if (above)
    y -= h;

  gsk_rounded_rect_init_from_rect (&rounded, &GRAPHENE_RECT_INIT (x, y, w, h), 4.0);
  gtk_snapshot_push_rounded_clip (snapshot, &rounded);
  gtk_snapshot_append_color (snapshot, &plate, &GRAPHENE_RECT_INIT (x, y, w, h));
  gtk_snapshot_pop (snapshot);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 6.0, y + 3.0));
  gtk_snapshot_append_layout (snapshot, layout, &white);
  gtk_snapshot_restore (snapshot);

  if (out_w != NULL)
    *out_w = w;
  if (out_h != NULL)
    *out_h = h;
}

static char *
format_um (double um)
{
  if (um >= 1000.0)
    /* Translators: a length in millimetres */
    return g_strdup_printf (_("%.2f mm"), um / 1000.0);
  if (um >= 100.0)
    /* Translators: a length in micrometres */
    return g_strdup_printf (_("%.0f µm"), um);
  return g_strdup_printf (_("%.1f µm"), um);
}

/* A bar of a round length (1, 2 or 5 × 10ⁿ µm) about 120 px long. */
static void
draw_scale_bar (TmCompareCanvas *self, GtkSnapshot *snapshot, const graphene_rect_t *pane,
                const View *v)
{
  static const GdkRGBA white = { 1.0, 1.0, 1.0, 1.0 };
  static const GdkRGBA shadow = { 0.0, 0.0, 0.0, 0.7 };
  double target = 120.0 / v->zoom, unit = pow (10.0, floor (log10 (target)));
  double length_um = unit;
  double length_px, x, y;
  g_autofree char *text = NULL;
  double lw, lh;

  if (target >= 5.0 * unit)
    length_um = 5.0 * unit;
  else if (target >= 2.0 * unit)
    length_um = 2.0 * unit;
  length_px = length_um * v->zoom;

  x = pane->origin.x + 16.0;
  y = pane->origin.y + pane->size.height - 18.0;
  append_rect (snapshot, &shadow, x - 1.0, y - 1.0, length_px + 2.0, 6.0);
  append_rect (snapshot, &white, x, y, length_px, 4.0);

  if (length_um >= 1000.0)
    /* Translators: the scale bar's length in millimetres */
    text = g_strdup_printf (_("%g mm"), length_um / 1000.0);
  else
    /* Translators: the scale bar's length in micrometres */
    text = g_strdup_printf (_("%g µm"), length_um);
  draw_label (self, snapshot, text, x, y - 4.0, FALSE, TRUE, &lw, &lh);
}

static void
draw_line (GtkSnapshot *snapshot, const GdkRGBA *colour, double x0, double y0,
           double x1, double y1, double width)
{
  double len = hypot (x1 - x0, y1 - y0);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x0, y0));
  gtk_snapshot_rotate (snapshot, atan2 (y1 - y0, x1 - x0) * 180.0 / G_PI);
  append_rect (snapshot, colour, 0, -width / 2.0, len, width);
  gtk_snapshot_restore (snapshot);
}

static void
draw_ruler (TmCompareCanvas *self, GtkSnapshot *snapshot, const graphene_rect_t *pane,
            const View *v)
{
  static const GdkRGBA yellow = { 1.0, 0.9, 0.2, 1.0 };
  static const GdkRGBA shadow = { 0.0, 0.0, 0.0, 0.8 };
  double x0, y0, x1, y1, len_um, nx, ny, len_px;
  g_autofree char *text = NULL;

  screen_from_world (pane, v, self->ruler[0], self->ruler[1], &x0, &y0);
  screen_from_world (pane, v, self->ruler[2], self->ruler[3], &x1, &y1);
  len_um = hypot (self->ruler[2] - self->ruler[0], self->ruler[3] - self->ruler[1]);
  len_px = hypot (x1 - x0, y1 - y0);

  draw_line (snapshot, &shadow, x0, y0, x1, y1, 4.0);
  draw_line (snapshot, &yellow, x0, y0, x1, y1, 2.0);
  /* End ticks across the line. */
  if (len_px > 0.5)
    {
      nx = -(y1 - y0) / len_px * 7.0;
      ny = (x1 - x0) / len_px * 7.0;
      draw_line (snapshot, &yellow, x0 - nx, y0 - ny, x0 + nx, y0 + ny, 2.0);
      draw_line (snapshot, &yellow, x1 - nx, y1 - ny, x1 + nx, y1 + ny, 2.0);
    }
  text = format_um (len_um);
  draw_label (self, snapshot, text, (x0 + x1) / 2.0 + 8.0, (y0 + y1) / 2.0 - 8.0, FALSE, TRUE, NULL, NULL);
}

static void
draw_pane (TmCompareCanvas *self, GtkSnapshot *snapshot, guint pane_index,
           double width, double height)
{
  static const GdkRGBA background = { 0.11, 0.11, 0.12, 1.0 };
  static const GdkRGBA hairline = { 1.0, 1.0, 1.0, 0.95 };
  static const GdkRGBA hairline_shadow = { 0.0, 0.0, 0.0, 0.6 };
  graphene_rect_t pane;
  const View *v;

  pane_rect (self, pane_index, width, height, &pane);
  v = &self->view[pane_index];

  gtk_snapshot_push_clip (snapshot, &pane);
  gtk_snapshot_append_color (snapshot, &background, &pane);

  switch (self->mode)
    {
    case TM_COMPARE_MODE_SIDE_BY_SIDE:
      draw_surface (self, snapshot, pane_index, &pane, v, &pane);
      draw_cells (self, snapshot, &pane, v, pane_index == 1);
      break;

    case TM_COMPARE_MODE_BLEND:
      draw_surface (self, snapshot, 0, &pane, v, &pane);
      gtk_snapshot_push_opacity (snapshot, self->opacity);
      draw_surface (self, snapshot, 1, &pane, v, &pane);
      gtk_snapshot_pop (snapshot);
      draw_cells (self, snapshot, &pane, v, FALSE);
      break;

    case TM_COMPARE_MODE_DIFFERENCE:
      gtk_snapshot_push_blend (snapshot, GSK_BLEND_MODE_DIFFERENCE);
      draw_surface (self, snapshot, 0, &pane, v, &pane);
      gtk_snapshot_pop (snapshot);
      draw_surface (self, snapshot, 1, &pane, v, &pane);
      gtk_snapshot_pop (snapshot);
      draw_cells (self, snapshot, &pane, v, FALSE);
      break;

    case TM_COMPARE_MODE_CHECKERBOARD:
      draw_surface (self, snapshot, 0, &pane, v, &pane);
      /* Squares fixed on the screen, so panning slides both surfaces under them. */
      for (guint row = 0; row * CHECKER_PX < pane.size.height; row++)
        for (guint col = 0; col * CHECKER_PX < pane.size.width; col++)
          {
            graphene_rect_t square;

            if ((row + col) % 2 == 0)
              continue;
            graphene_rect_init (&square, pane.origin.x + col * CHECKER_PX,
                                pane.origin.y + row * CHECKER_PX, CHECKER_PX, CHECKER_PX);
            gtk_snapshot_push_clip (snapshot, &square);
            draw_surface (self, snapshot, 1, &pane, v, &square);
            gtk_snapshot_pop (snapshot);
          }
      draw_cells (self, snapshot, &pane, v, FALSE);
      break;

    case TM_COMPARE_MODE_SPLIT:
      {
        double x = round (pane.origin.x + self->split * pane.size.width);
        graphene_rect_t left, right;

        graphene_rect_init (&left, pane.origin.x, pane.origin.y, x - pane.origin.x, pane.size.height);
        graphene_rect_init (&right, x, pane.origin.y, pane.origin.x + pane.size.width - x, pane.size.height);
        if (left.size.width > 0)
          {
            gtk_snapshot_push_clip (snapshot, &left);
            draw_surface (self, snapshot, 0, &pane, v, &left);
            gtk_snapshot_pop (snapshot);
          }
        if (right.size.width > 0)
          {
            gtk_snapshot_push_clip (snapshot, &right);
            draw_surface (self, snapshot, 1, &pane, v, &right);
            gtk_snapshot_pop (snapshot);
          }
        draw_cells (self, snapshot, &pane, v, FALSE);
        append_rect (snapshot, &hairline_shadow, x - 1.0, pane.origin.y, 3.0, pane.size.height);
        append_rect (snapshot, &hairline, x, pane.origin.y, 1.0, pane.size.height);
        /* A grip in the middle says the line can be dragged. */
        {
          GskRoundedRect grip;
          double gy = pane.origin.y + pane.size.height / 2.0 - 18.0;

          gsk_rounded_rect_init_from_rect (&grip, &GRAPHENE_RECT_INIT (x - 5.0, gy, 11.0, 36.0), 5.0);
          gtk_snapshot_push_rounded_clip (snapshot, &grip);
          append_rect (snapshot, &hairline, x - 5.0, gy, 11.0, 36.0);
          gtk_snapshot_pop (snapshot);
          append_rect (snapshot, &hairline_shadow, x - 2.0, gy + 8.0, 1.0, 20.0);
          append_rect (snapshot, &hairline_shadow, x + 2.0, gy + 8.0, 1.0, 20.0);
        }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  if (self->has_ruler && self->ruler_pane == pane_index)
    draw_ruler (self, snapshot, &pane, v);

  if (self->surface[0] != NULL)
    {
      draw_scale_bar (self, snapshot, &pane, v);

      /* Which surface is which, where it is not obvious. */
      if (self->mode == TM_COMPARE_MODE_SIDE_BY_SIDE)
        draw_label (self, snapshot, pane_index == 0 ? _("Query") : _("Candidate"),
                    pane.origin.x + 10.0, pane.origin.y + 10.0, FALSE, FALSE, NULL, NULL);
      else if (self->mode == TM_COMPARE_MODE_SPLIT)
        {
          double x = pane.origin.x + self->split * pane.size.width;
          draw_label (self, snapshot, _("Query"), x - 10.0, pane.origin.y + 10.0, TRUE, FALSE, NULL, NULL);
          draw_label (self, snapshot, _("Candidate"), x + 10.0, pane.origin.y + 10.0, FALSE, FALSE, NULL, NULL);
        }
    }

  gtk_snapshot_pop (snapshot);
}

void
tm_compare_canvas_draw (TmCompareCanvas *self,
                        GtkSnapshot     *snapshot,
                        int              width,
                        int              height)
{
  static const GdkRGBA gap = { 0.0, 0.0, 0.0, 1.0 };

  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  self->cells_drawn = 0;
  if (width <= 0 || height <= 0)
    return;

  if (n_panes (self) == 2)
    gtk_snapshot_append_color (snapshot, &gap, &GRAPHENE_RECT_INIT (0, 0, width, height));
  for (guint p = 0; p < n_panes (self); p++)
    draw_pane (self, snapshot, p, width, height);

  if (self->hover_cell >= 0)
    {
      g_autofree char *text = NULL;

      if (tm_compare_canvas_cell_at (self, self->pointer_x, self->pointer_y, &text) >= 0)
        draw_label (self, snapshot, text, width - 10.0, height - 10.0, TRUE, TRUE, NULL, NULL);
    }
  else if (self->focus_cell >= 0)
    {
      g_autofree char *text = tm_compare_canvas_dup_cell_text (self, self->focus_cell);

      if (text != NULL)
        draw_label (self, snapshot, text, width - 10.0, height - 10.0, TRUE, TRUE, NULL, NULL);
    }
}

/* ---- view operations ----------------------------------------------------------- */

/* The zoom at which the query fits the first pane of the current mode (0 if unknown). */
static double
fit_zoom (TmCompareCanvas *self, double width, double height)
{
  graphene_rect_t pane;
  TmSurface *s = self->surface[0];

  if (s == NULL || width <= 0 || height <= 0)
    return 0.0;
  pane_rect (self, 0, width, height, &pane);
  return MIN (pane.size.width / (tm_surface_get_width (s) * tm_surface_get_pixel_um_x (s)),
              pane.size.height / (tm_surface_get_height (s) * tm_surface_get_pixel_um_y (s)));
}

static void
fit_pane (TmCompareCanvas *self, guint pane_index, double width, double height)
{
  graphene_rect_t pane;
  guint index = (n_panes (self) == 2 && pane_index == 1) ? 1 : 0;
  TmSurface *s = self->surface[index];
  double w_um, h_um;
  View *v = &self->view[pane_index];

  if (s == NULL)
    return;
  pane_rect (self, pane_index, width, height, &pane);
  w_um = tm_surface_get_width (s) * tm_surface_get_pixel_um_x (s);
  h_um = tm_surface_get_height (s) * tm_surface_get_pixel_um_y (s);
  /* The rotated surface's bounding box is at most its diagonal wide. */
  {
    double r = v->rot * G_PI / 180.0;
    double bw = fabs (cos (r)) * w_um + fabs (sin (r)) * h_um;
    double bh = fabs (sin (r)) * w_um + fabs (cos (r)) * h_um;
    v->zoom = 0.96 * MIN (pane.size.width / bw, pane.size.height / bh);
  }
  v->zoom = CLAMP (v->zoom, ZOOM_MIN, ZOOM_MAX);
  /* Aligned, both panes show the same place of the world; otherwise each its surface. */
  if (index == 1 && !self->aligned)
    candidate_origin_in_world (self, &v->cx, &v->cy);
  else
    v->cx = v->cy = 0.0;
}

void
tm_compare_canvas_fit (TmCompareCanvas *self)
{
  int width, height;

  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));
  if (width <= 0 || height <= 0)
    {
      self->need_fit = TRUE;
      return;
    }
  self->need_fit = FALSE;
  fit_pane (self, 0, width, height);
  if (n_panes (self) == 2)
    fit_pane (self, 1, width, height);
  else
    self->view[1] = self->view[0];
  gtk_widget_queue_draw (GTK_WIDGET (self));
  emit_changed (self);
}

void
tm_compare_canvas_one_to_one (TmCompareCanvas *self)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  for (guint i = 0; i < 2; i++)
    if (self->surface[i] != NULL)
      self->view[i].zoom = 1.0 / tm_surface_get_pixel_um_x (self->surface[i]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  emit_changed (self);
}

/* The panes an operation started in @pane acts on. */
static gboolean
acts_on (TmCompareCanvas *self, guint pane, guint target)
{
  if (n_panes (self) == 1)
    return TRUE; /* view 1 follows view 0, ready for side by side */
  return self->locked || pane == target;
}

/* Zooms every affected pane by @factor about the screen point (x, y) of @pane, taken at
 * the same place within each pane. */
static void
zoom_at (TmCompareCanvas *self, guint pane, double factor, double x, double y)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  graphene_rect_t from;

  pane_rect (self, pane, width, height, &from);
  for (guint i = 0; i < 2; i++)
    {
      graphene_rect_t r;
      View *v = &self->view[i];
      double wx, wy, sx, sy, zoom;

      if (!acts_on (self, pane, i))
        continue;
      pane_rect (self, n_panes (self) == 2 ? i : 0, width, height, &r);
      sx = r.origin.x + (x - from.origin.x);
      sy = r.origin.y + (y - from.origin.y);
      world_from_screen (&r, v, sx, sy, &wx, &wy);
      zoom = CLAMP (v->zoom * factor, ZOOM_MIN, ZOOM_MAX);
      /* Keep the world point under the pointer where it is. */
      {
        double dx, dy;
        rotate_point (-v->rot, (sx - (r.origin.x + r.size.width / 2.0)) / zoom,
                      (sy - (r.origin.y + r.size.height / 2.0)) / zoom, &dx, &dy);
        v->cx = wx - dx;
        v->cy = wy - dy;
      }
      v->zoom = zoom;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  emit_changed (self);
}

void
tm_compare_canvas_zoom_by (TmCompareCanvas *self,
                           double           factor)
{
  int width, height;
  graphene_rect_t r;

  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));
  pane_rect (self, self->active_pane % n_panes (self), width, height, &r);
  zoom_at (self, self->active_pane % n_panes (self), factor,
           r.origin.x + r.size.width / 2.0, r.origin.y + r.size.height / 2.0);
}

/* Pans by a screen offset: the content follows the pointer. */
static void
pan_from (TmCompareCanvas *self, guint pane, const View *start, double dx, double dy)
{
  for (guint i = 0; i < 2; i++)
    {
      double wx, wy;

      if (!acts_on (self, pane, i))
        continue;
      rotate_point (-start[i].rot, dx / start[i].zoom, dy / start[i].zoom, &wx, &wy);
      self->view[i].cx = start[i].cx - wx;
      self->view[i].cy = start[i].cy - wy;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
tm_compare_canvas_pan (TmCompareCanvas *self,
                       double           dx_px,
                       double           dy_px)
{
  View start[2];

  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  start[0] = self->view[0];
  start[1] = self->view[1];
  pan_from (self, self->active_pane % n_panes (self), start, dx_px, dy_px);
  emit_changed (self);
}

void
tm_compare_canvas_rotate_view (TmCompareCanvas *self,
                               double           degrees)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  for (guint i = 0; i < 2; i++)
    if (acts_on (self, self->active_pane % n_panes (self), i))
      self->view[i].rot = wrap_degrees (self->view[i].rot + degrees);
  ensure_all_rendered (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  emit_changed (self);
}

double
tm_compare_canvas_get_view_rotation (TmCompareCanvas *self,
                                     guint            pane)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), 0.0);
  g_return_val_if_fail (pane < 2, 0.0);
  return self->view[pane].rot;
}

double
tm_compare_canvas_get_zoom (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), 1.0);
  return self->view[0].zoom;
}

/* ---- pose ---------------------------------------------------------------------- */

void
tm_compare_canvas_get_pose (TmCompareCanvas *self,
                            double          *angle_deg,
                            double          *dx_um,
                            double          *dy_um)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  if (angle_deg != NULL)
    *angle_deg = self->pose_angle;
  if (dx_um != NULL)
    *dx_um = self->pose_dx;
  if (dy_um != NULL)
    *dy_um = self->pose_dy;
}

void
tm_compare_canvas_set_pose (TmCompareCanvas *self,
                            double           angle_deg,
                            double           dx_um,
                            double           dy_um)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  self->pose_angle = wrap_degrees (angle_deg);
  self->pose_dx = dx_um;
  self->pose_dy = dy_um;
  self->aligned = FALSE;
  ensure_rendered (self, 1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  emit_changed (self);
}

gboolean
tm_compare_canvas_align (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), FALSE);

  if (self->comparison == NULL)
    return FALSE;
  tm_compare_canvas_set_pose (self,
                              tm_comparison_get_angle_deg (self->comparison),
                              tm_comparison_get_dx_um (self->comparison),
                              tm_comparison_get_dy_um (self->comparison));
  self->aligned = TRUE;
  /* Side by side, the candidate's pane follows so that both show the same place. */
  if (n_panes (self) == 2)
    {
      self->view[1] = self->view[0];
    }
  emit_changed (self);
  return TRUE;
}

void
tm_compare_canvas_reset_alignment (TmCompareCanvas *self)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  tm_compare_canvas_set_pose (self, 0.0, 0.0, 0.0);
  if (n_panes (self) == 2)
    {
      int width = gtk_widget_get_width (GTK_WIDGET (self));
      int height = gtk_widget_get_height (GTK_WIDGET (self));
      if (width > 0 && height > 0)
        fit_pane (self, 1, width, height);
    }
}

gboolean
tm_compare_canvas_get_aligned (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), FALSE);
  return self->aligned;
}

/* Moves the candidate by a world offset (query µm). */
static void
move_candidate_from (TmCompareCanvas *self, const double start[3], double wx, double wy)
{
  double rx, ry;

  /* u' = u + Δ  ⇔  d' = d − R(θ)·Δ */
  rotate_point (start[0], wx, wy, &rx, &ry);
  self->pose_angle = start[0];
  self->pose_dx = start[1] - rx;
  self->pose_dy = start[2] - ry;
  self->aligned = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Turns the candidate by @deg (clockwise on screen) about its centre. */
static void
turn_candidate (TmCompareCanvas *self, double deg)
{
  double ox, oy;

  candidate_origin_in_world (self, &ox, &oy);
  self->pose_angle = wrap_degrees (self->pose_angle - deg);
  /* Keep the centre where it was: d = −R(θ)·origin. */
  rotate_point (self->pose_angle, -ox, -oy, &self->pose_dx, &self->pose_dy);
  self->aligned = FALSE;
}

void
tm_compare_canvas_nudge (TmCompareCanvas *self,
                         TmCompareNudge   nudge,
                         gboolean         large)
{
  const View *v;
  double sx = 0.0, sy = 0.0, wx, wy, start[3];
  double step = large ? 10.0 : 1.0;

  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  v = &self->view[n_panes (self) == 2 ? 1 : 0];
  switch (nudge)
    {
    case TM_COMPARE_NUDGE_LEFT: sx = -step; break;
    case TM_COMPARE_NUDGE_RIGHT: sx = step; break;
    case TM_COMPARE_NUDGE_UP: sy = -step; break;
    case TM_COMPARE_NUDGE_DOWN: sy = step; break;
    case TM_COMPARE_NUDGE_CLOCKWISE:
    case TM_COMPARE_NUDGE_ANTICLOCKWISE:
      turn_candidate (self, (nudge == TM_COMPARE_NUDGE_CLOCKWISE ? 1.0 : -1.0) * (large ? 1.0 : 0.25));
      ensure_rendered (self, 1);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      emit_changed (self);
      return;
    default:
      g_assert_not_reached ();
    }
  /* One screen pixel in the direction pressed, whatever the view's rotation. */
  rotate_point (-v->rot, sx / v->zoom, sy / v->zoom, &wx, &wy);
  start[0] = self->pose_angle;
  start[1] = self->pose_dx;
  start[2] = self->pose_dy;
  move_candidate_from (self, start, wx, wy);
  emit_changed (self);
}

/* ---- cells, ruler -------------------------------------------------------------- */

/* What the tooltip, the label drawn over the canvas and a screen reader say of @cell. */
static char *
cell_text (const TmCmcCell *cell)
{
  guint col = (guint) floor (cell->x_um / MAX (cell->w_um, 1e-9));
  guint row = (guint) floor (cell->y_um / MAX (cell->h_um, 1e-9));
  double angle = cell->angle_deg > 180.0 ? cell->angle_deg - 360.0 : cell->angle_deg;

  /* Translators: a congruent matching cell: its row and column in the grid,
   * its correlation (CCF), whether it agrees with the others, its own rotation
   * and shift onto the candidate */
  return g_strdup_printf (_("Cell row %u, column %u · CCF %.2f · %s\nrotation %.1f° · shift %.0f, %.0f µm"),
                          row + 1, col + 1, cell->ccf,
                          cell->congruent ? _("congruent") : _("not congruent"),
                          angle, cell->dx_um, cell->dy_um);
}

/* Forgets the cell stepped to (the data or the cells' visibility changed): the canvas
 * is described as a whole again. */
static void
clear_focus_cell (TmCompareCanvas *self)
{
  if (self->focus_cell < 0)
    return;
  self->focus_cell = -1;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Drag to pan, scroll to zoom, Shift+drag to move the candidate"),
                                  -1);
}

int
tm_compare_canvas_cell_at (TmCompareCanvas  *self,
                           double            x,
                           double            y,
                           char            **out_text)
{
  const TmCmcCell *cells;
  guint n = 0, pane_index;
  graphene_rect_t pane;
  double wx, wy;
  gboolean on_candidate;

  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), -1);

  if (!self->show_cells || self->comparison == NULL || self->surface[0] == NULL)
    return -1;
  cells = tm_comparison_get_cells (self->comparison, TM_COMPARISON_A_TO_B, &n);
  pane_index = pane_at (self, x);
  on_candidate = n_panes (self) == 2 && pane_index == 1;
  pane_rect (self, pane_index, gtk_widget_get_width (GTK_WIDGET (self)),
             gtk_widget_get_height (GTK_WIDGET (self)), &pane);
  world_from_screen (&pane, &self->view[pane_index], x, y, &wx, &wy);
  if (on_candidate)
    candidate_from_world (self, wx, wy, &wx, &wy);

  for (guint i = 0; i < n; i++)
    {
      graphene_rect_t r;
      double ux = wx, uy = wy;

      cell_rect (self, &cells[i], &r);
      if (on_candidate)
        /* Back from the candidate into the query through the cell's own pose. */
        rotate_point (-cells[i].angle_deg, wx - cells[i].dx_um, wy - cells[i].dy_um, &ux, &uy);
      if (!graphene_rect_contains_point (&r, &GRAPHENE_POINT_INIT (ux, uy)))
        continue;

      if (out_text != NULL)
        *out_text = cell_text (&cells[i]);
      return (int) i;
    }
  return -1;
}

/**
 * tm_compare_canvas_step_cell:
 * @delta: +1 for the next cell, -1 for the previous one
 *
 * Steps through the congruent matching cells from the keyboard, wrapping at either
 * end. The cell is highlighted and its row, column and score drawn over the canvas,
 * shown as the keyboard tooltip and set as the canvas's accessible description, which
 * a screen reader announces.
 *
 * Returns: the index of the cell stepped to, or -1 when no cells are shown
 */
int
tm_compare_canvas_step_cell (TmCompareCanvas *self,
                             int              delta)
{
  g_autofree char *text = NULL;
  guint n = 0;

  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), -1);

  if (!self->show_cells || self->comparison == NULL)
    return -1;
  tm_comparison_get_cells (self->comparison, TM_COMPARISON_A_TO_B, &n);
  if (n == 0)
    return -1;
  if (self->focus_cell < 0)
    self->focus_cell = delta >= 0 ? 0 : (int) n - 1;
  else
    self->focus_cell = (int) (((gint64) self->focus_cell + delta % (int) n + n) % n);

  text = tm_compare_canvas_dup_cell_text (self, self->focus_cell);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return self->focus_cell;
}

/**
 * tm_compare_canvas_get_focus_cell:
 *
 * Returns: the cell stepped to with tm_compare_canvas_step_cell(), or -1
 */
int
tm_compare_canvas_get_focus_cell (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), -1);
  return self->focus_cell;
}

/**
 * tm_compare_canvas_dup_cell_text:
 * @index: a cell of the comparison
 *
 * Returns: (transfer full) (nullable): what is said of cell @index: its row and
 *   column, CCF, congruence and pose; %NULL without such a cell
 */
char *
tm_compare_canvas_dup_cell_text (TmCompareCanvas *self,
                                 int              index)
{
  const TmCmcCell *cells;
  guint n = 0;

  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), NULL);

  if (self->comparison == NULL || index < 0)
    return NULL;
  cells = tm_comparison_get_cells (self->comparison, TM_COMPARISON_A_TO_B, &n);
  if ((guint) index >= n)
    return NULL;
  return cell_text (&cells[index]);
}

guint
tm_compare_canvas_get_cells_drawn (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), 0);
  return self->cells_drawn;
}

double
tm_compare_canvas_measure (TmCompareCanvas *self,
                           double           x0,
                           double           y0,
                           double           x1,
                           double           y1)
{
  graphene_rect_t pane;
  guint p;

  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), 0.0);

  p = pane_at (self, x0);
  pane_rect (self, p, gtk_widget_get_width (GTK_WIDGET (self)),
             gtk_widget_get_height (GTK_WIDGET (self)), &pane);
  world_from_screen (&pane, &self->view[p], x0, y0, &self->ruler[0], &self->ruler[1]);
  world_from_screen (&pane, &self->view[p], x1, y1, &self->ruler[2], &self->ruler[3]);
  self->ruler_pane = p;
  self->has_ruler = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return hypot (self->ruler[2] - self->ruler[0], self->ruler[3] - self->ruler[1]);
}

void
tm_compare_canvas_clear_ruler (TmCompareCanvas *self)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));
  self->has_ruler = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- input --------------------------------------------------------------------- */

static void
drag_begin_cb (GtkGestureDrag  *gesture,
               double           x,
               double           y,
               TmCompareCanvas *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  guint pane = pane_at (self, x);
  gboolean candidate_here = n_panes (self) == 1 || pane == 1;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_pane = pane;
  self->active_pane = pane;
  self->drag_x = x;
  self->drag_y = y;
  self->drag_view[0] = self->view[0];
  self->drag_view[1] = self->view[1];
  self->drag_pose[0] = self->pose_angle;
  self->drag_pose[1] = self->pose_dx;
  self->drag_pose[2] = self->pose_dy;

  if (self->ruler_tool)
    {
      self->drag = DRAG_RULER;
      tm_compare_canvas_measure (self, x, y, x, y);
    }
  else if (self->mode == TM_COMPARE_MODE_SPLIT
           && fabs (x - self->split * gtk_widget_get_width (GTK_WIDGET (self))) <= SPLIT_GRAB_PX)
    self->drag = DRAG_SPLIT;
  else if ((mods & (GDK_SHIFT_MASK | GDK_ALT_MASK)) && candidate_here)
    self->drag = DRAG_CANDIDATE;
  else
    self->drag = DRAG_PAN;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
drag_update_cb (GtkGestureDrag  *gesture,
                double           dx,
                double           dy,
                TmCompareCanvas *self)
{
  switch (self->drag)
    {
    case DRAG_PAN:
      pan_from (self, self->drag_pane, self->drag_view, dx, dy);
      break;
    case DRAG_CANDIDATE:
      {
        const View *v = &self->drag_view[self->drag_pane];
        double wx, wy;
        rotate_point (-v->rot, dx / v->zoom, dy / v->zoom, &wx, &wy);
        move_candidate_from (self, self->drag_pose, wx, wy);
      }
      break;
    case DRAG_SPLIT:
      tm_compare_canvas_set_split (self, (self->drag_x + dx) / MAX (1, gtk_widget_get_width (GTK_WIDGET (self))));
      break;
    case DRAG_RULER:
      {
        graphene_rect_t pane;
        pane_rect (self, self->ruler_pane, gtk_widget_get_width (GTK_WIDGET (self)),
                   gtk_widget_get_height (GTK_WIDGET (self)), &pane);
        world_from_screen (&pane, &self->view[self->ruler_pane], self->drag_x + dx, self->drag_y + dy,
                           &self->ruler[2], &self->ruler[3]);
        gtk_widget_queue_draw (GTK_WIDGET (self));
      }
      break;
    case DRAG_NONE:
    default:
      break;
    }
}

static void
drag_end_cb (GtkGestureDrag  *gesture,
             double           dx,
             double           dy,
             TmCompareCanvas *self)
{
  if (self->drag == DRAG_RULER && hypot (dx, dy) < 3.0)
    tm_compare_canvas_clear_ruler (self);
  if (self->drag != DRAG_NONE)
    emit_changed (self);
  self->drag = DRAG_NONE;
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           TmCompareCanvas          *self)
{
  double x = self->pointer_x, y = self->pointer_y;

  if (dy == 0.0)
    return FALSE;
  self->active_pane = pane_at (self, x);
  zoom_at (self, self->active_pane, pow (1.15, -dy), x, y);
  return TRUE;
}

static void
zoom_begin_cb (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               TmCompareCanvas  *self)
{
  self->gesture_zoom[0] = self->view[0].zoom;
  self->gesture_zoom[1] = self->view[1].zoom;
}

static void
zoom_scale_changed_cb (GtkGestureZoom  *gesture,
                       double           scale,
                       TmCompareCanvas *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    return;
  self->active_pane = pane_at (self, x);
  /* zoom_at multiplies: the factor from where the view is to where the pinch says. */
  zoom_at (self, self->active_pane, self->gesture_zoom[self->active_pane] * scale
           / self->view[self->active_pane].zoom, x, y);
}

static void
rotate_begin_cb (GtkGesture       *gesture,
                 GdkEventSequence *sequence,
                 TmCompareCanvas  *self)
{
  self->gesture_angle = 0.0;
}

static void
rotate_angle_changed_cb (GtkGestureRotate *gesture,
                         double            angle,
                         double            delta,
                         TmCompareCanvas  *self)
{
  /* @delta is the total since the gesture began; the view turns by the increment. */
  tm_compare_canvas_rotate_view (self, (delta - self->gesture_angle) * 180.0 / G_PI);
  self->gesture_angle = delta;
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           TmCompareCanvas          *self)
{
  int cell;
  gboolean near_split;

  self->pointer_x = x;
  self->pointer_y = y;
  cell = tm_compare_canvas_cell_at (self, x, y, NULL);
  if (cell != self->hover_cell)
    {
      self->hover_cell = cell;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }

  near_split = self->mode == TM_COMPARE_MODE_SPLIT
               && fabs (x - self->split * gtk_widget_get_width (GTK_WIDGET (self))) <= SPLIT_GRAB_PX;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   self->ruler_tool ? "crosshair"
                                   : near_split ? "col-resize"
                                   : "default");
}

static void
leave_cb (GtkEventControllerMotion *controller,
          TmCompareCanvas          *self)
{
  if (self->hover_cell >= 0)
    {
      self->hover_cell = -1;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static gboolean
query_tooltip_cb (GtkWidget       *widget,
                  int              x,
                  int              y,
                  gboolean         keyboard_mode,
                  GtkTooltip      *tooltip,
                  TmCompareCanvas *self)
{
  g_autofree char *text = NULL;

  /* From the keyboard, the cell stepped to (tm_compare_canvas_step_cell()). */
  if (keyboard_mode)
    text = self->focus_cell >= 0 ? tm_compare_canvas_dup_cell_text (self, self->focus_cell) : NULL;
  else
    tm_compare_canvas_cell_at (self, x, y, &text);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* ---- GtkWidget ------------------------------------------------------------------ */

static void
tm_compare_canvas_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  TmCompareCanvas *self = TM_COMPARE_CANVAS (widget);

  tm_compare_canvas_draw (self, snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
}

static void
tm_compare_canvas_realize (GtkWidget *widget)
{
  TmCompareCanvas *self = TM_COMPARE_CANVAS (widget);
  GskRenderer *renderer;

  GTK_WIDGET_CLASS (tm_compare_canvas_parent_class)->realize (widget);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  self->cairo = renderer == NULL || GSK_IS_CAIRO_RENDERER (renderer);
  /* Textures made before the renderer was known may be turned the wrong way for it. */
  ensure_all_rendered (self);
}

static void
tm_compare_canvas_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  TmCompareCanvas *self = TM_COMPARE_CANVAS (widget);

  if (self->need_fit && width > 0 && height > 0)
    tm_compare_canvas_fit (self);
}

static void
tm_compare_canvas_measure_size (GtkWidget      *widget,
                                GtkOrientation  orientation,
                                int             for_size,
                                int            *minimum,
                                int            *natural,
                                int            *minimum_baseline,
                                int            *natural_baseline)
{
  *minimum = 200;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 960 : 600;
}

static void
tm_compare_canvas_dispose (GObject *object)
{
  TmCompareCanvas *self = TM_COMPARE_CANVAS (object);

  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&self->surface[i]);
      g_clear_object (&self->texture[i]);
    }
  g_clear_object (&self->comparison);

  G_OBJECT_CLASS (tm_compare_canvas_parent_class)->dispose (object);
}

static void
tm_compare_canvas_class_init (TmCompareCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_compare_canvas_dispose;
  widget_class->snapshot = tm_compare_canvas_snapshot;
  widget_class->size_allocate = tm_compare_canvas_size_allocate;
  widget_class->realize = tm_compare_canvas_realize;
  widget_class->measure = tm_compare_canvas_measure_size;

  /* Emitted when the view, the pose or a texture changed (for labels and actions). */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "tm-compare-canvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tm_compare_canvas_init (TmCompareCanvas *self)
{
  GtkGesture *drag, *zoom, *rotate;
  GtkEventController *scroll, *motion;

  tm_relief_params_init (&self->params);
  /* Band-passed breech faces are nearly flat at true scale: at 35° their shading varies
   * by a few percent. Steepened, the marks an examiner compares are what shows. */
  self->params.exaggerate = TRUE;
  self->mode = TM_COMPARE_MODE_SIDE_BY_SIDE;
  self->locked = TRUE;
  self->show_cells = TRUE;
  self->opacity = 0.5;
  self->split = 0.5;
  self->hover_cell = -1;
  self->focus_cell = -1;
  for (guint i = 0; i < 2; i++)
    self->view[i] = (View) { 0.0, 0.0, 0.2, 0.0 };
  self->need_fit = TRUE;
  self->cairo = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Query and candidate surfaces"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Drag to pan, scroll to zoom, Shift+drag to move the candidate"),
                                  -1);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  zoom = gtk_gesture_zoom_new ();
  g_signal_connect (zoom, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect (zoom, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (zoom));

  rotate = gtk_gesture_rotate_new ();
  g_signal_connect (rotate, "begin", G_CALLBACK (rotate_begin_cb), self);
  g_signal_connect (rotate, "angle-changed", G_CALLBACK (rotate_angle_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (rotate));
  /* Pinch and twist are one two-finger gesture (grouping needs both on the widget). */
  gtk_gesture_group (rotate, zoom);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

/* ---- public API ---------------------------------------------------------------- */

GtkWidget *
tm_compare_canvas_new (void)
{
  return g_object_new (TM_TYPE_COMPARE_CANVAS, NULL);
}

void
tm_compare_canvas_set_data (TmCompareCanvas *self,
                            TmSurface       *query,
                            TmSurface       *candidate,
                            TmComparison    *comparison,
                            TmReliefTexture *query_texture,
                            TmReliefTexture *candidate_texture)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));
  g_return_if_fail (query == NULL || TM_IS_SURFACE (query));
  g_return_if_fail (candidate == NULL || TM_IS_SURFACE (candidate));

  self->generation++;
  g_set_object (&self->surface[0], query);
  g_set_object (&self->surface[1], candidate);
  g_set_object (&self->comparison, comparison);
  g_set_object (&self->texture[0], query_texture);
  g_set_object (&self->texture[1], candidate_texture);
  self->hover_cell = -1;
  clear_focus_cell (self);
  self->has_ruler = FALSE;
  self->pose_angle = self->pose_dx = self->pose_dy = 0.0;
  self->aligned = FALSE;

  if (comparison != NULL)
    {
      self->pose_angle = wrap_degrees (tm_comparison_get_angle_deg (comparison));
      self->pose_dx = tm_comparison_get_dx_um (comparison);
      self->pose_dy = tm_comparison_get_dy_um (comparison);
      self->aligned = TRUE;
    }

  /* Textures not given are drawn now: the caller wants to see the surfaces at once. */
  for (guint i = 0; i < 2; i++)
    if (self->surface[i] != NULL && self->texture[i] == NULL)
      {
        TmReliefParams params;
        double rotation;
        g_autoptr(GError) error = NULL;

        tm_compare_canvas_get_render_params (self, i, &params, &rotation);
        self->texture[i] = tm_relief_texture_new (self->surface[i], &params, rotation, &error);
        if (self->texture[i] == NULL)
          g_warning ("Could not draw the %s: %s", i == 0 ? "query" : "candidate", error->message);
      }

  tm_compare_canvas_fit (self);
  ensure_all_rendered (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  emit_changed (self);
}

TmSurface *
tm_compare_canvas_get_surface (TmCompareCanvas *self,
                               guint            index)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), NULL);
  g_return_val_if_fail (index < 2, NULL);
  return self->surface[index];
}

TmComparison *
tm_compare_canvas_get_comparison (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), NULL);
  return self->comparison;
}

void
tm_compare_canvas_set_relief_params (TmCompareCanvas      *self,
                                     const TmReliefParams *params)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));
  g_return_if_fail (params != NULL);

  self->params = *params;
  self->params.azimuth_deg = wrap_degrees (params->azimuth_deg);
  self->params.elevation_deg = CLAMP (params->elevation_deg, 0.0, 90.0);
  ensure_all_rendered (self);
  emit_changed (self);
}

const TmReliefParams *
tm_compare_canvas_get_relief_params (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), NULL);
  return &self->params;
}

gboolean
tm_compare_canvas_is_rendering (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), FALSE);
  return self->rendering[0] || self->rendering[1];
}

void
tm_compare_canvas_set_mode (TmCompareCanvas *self,
                            TmCompareMode    mode)
{
  TmCompareMode old;

  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));

  if (self->mode == mode)
    return;
  old = self->mode;
  self->mode = mode;

  /* Going between one and two panes, the panes change size: the zoom follows so that
   * the surface keeps its place in the pane (a fitted view stays fitted), and the
   * second pane takes the first one's view so both show the same place. */
  if ((old == TM_COMPARE_MODE_SIDE_BY_SIDE) != (mode == TM_COMPARE_MODE_SIDE_BY_SIDE))
    {
      int width = gtk_widget_get_width (GTK_WIDGET (self));
      int height = gtk_widget_get_height (GTK_WIDGET (self));
      double before, after;

      self->mode = old;
      before = fit_zoom (self, width, height);
      self->mode = mode;
      after = fit_zoom (self, width, height);
      if (before > 0.0 && after > 0.0)
        self->view[0].zoom = CLAMP (self->view[0].zoom * after / before, ZOOM_MIN, ZOOM_MAX);
      if (mode == TM_COMPARE_MODE_SIDE_BY_SIDE)
        {
          self->view[1] = self->view[0];
          if (!self->aligned)
            candidate_origin_in_world (self, &self->view[1].cx, &self->view[1].cy);
        }
      self->active_pane = 0;
    }
  self->hover_cell = -1;
  ensure_all_rendered (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  emit_changed (self);
}

TmCompareMode
tm_compare_canvas_get_mode (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), TM_COMPARE_MODE_SIDE_BY_SIDE);
  return self->mode;
}

void
tm_compare_canvas_set_locked (TmCompareCanvas *self,
                              gboolean         locked)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));
  self->locked = !!locked;
  emit_changed (self);
}

gboolean
tm_compare_canvas_get_locked (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), FALSE);
  return self->locked;
}

void
tm_compare_canvas_set_opacity (TmCompareCanvas *self,
                               double           opacity)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));
  self->opacity = CLAMP (opacity, 0.0, 1.0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
tm_compare_canvas_get_opacity (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), 0.5);
  return self->opacity;
}

void
tm_compare_canvas_set_show_cells (TmCompareCanvas *self,
                                  gboolean         show)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));
  self->show_cells = !!show;
  if (!show)
    {
      self->hover_cell = -1;
      clear_focus_cell (self);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
tm_compare_canvas_get_show_cells (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), FALSE);
  return self->show_cells;
}

void
tm_compare_canvas_set_ruler_tool (TmCompareCanvas *self,
                                  gboolean         active)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));
  self->ruler_tool = !!active;
  if (!active)
    self->has_ruler = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
tm_compare_canvas_get_ruler_tool (TmCompareCanvas *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_CANVAS (self), FALSE);
  return self->ruler_tool;
}

void
tm_compare_canvas_set_split (TmCompareCanvas *self,
                             double           fraction)
{
  g_return_if_fail (TM_IS_COMPARE_CANVAS (self));
  self->split = CLAMP (fraction, 0.0, 1.0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
