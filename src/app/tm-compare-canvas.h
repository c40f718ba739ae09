/* tm-compare-canvas.h — the drawing area of the compare view: two surfaces, one pose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tm-comparison.h"
#include "tm-relief-texture.h"
#include "tm-surface.h"

G_BEGIN_DECLS

/**
 * TmCompareMode:
 * @TM_COMPARE_MODE_SIDE_BY_SIDE: query left, candidate right, each in its own pane
 * @TM_COMPARE_MODE_BLEND: the candidate over the query with an adjustable opacity
 * @TM_COMPARE_MODE_DIFFERENCE: |query − candidate| per colour channel
 * @TM_COMPARE_MODE_CHECKERBOARD: squares of query and candidate alternating
 * @TM_COMPARE_MODE_SPLIT: query left of a draggable hairline, candidate right of it
 */
typedef enum
{
  TM_COMPARE_MODE_SIDE_BY_SIDE,
  TM_COMPARE_MODE_BLEND,
  TM_COMPARE_MODE_DIFFERENCE,
  TM_COMPARE_MODE_CHECKERBOARD,
  TM_COMPARE_MODE_SPLIT,
} TmCompareMode;

#define TM_TYPE_COMPARE_MODE (tm_compare_mode_get_type ())
GType tm_compare_mode_get_type (void);

typedef enum
{
  TM_COMPARE_NUDGE_LEFT,
  TM_COMPARE_NUDGE_RIGHT,
  TM_COMPARE_NUDGE_UP,
  TM_COMPARE_NUDGE_DOWN,
  TM_COMPARE_NUDGE_CLOCKWISE,
  TM_COMPARE_NUDGE_ANTICLOCKWISE,
} TmCompareNudge;

#define TM_TYPE_COMPARE_CANVAS (tm_compare_canvas_get_type ())

G_DECLARE_FINAL_TYPE (TmCompareCanvas, tm_compare_canvas, TM, COMPARE_CANVAS, GtkWidget)

GtkWidget     *tm_compare_canvas_new              (void);
/* Replaces what is shown. The textures may be NULL (rendered here, synchronously) or
 * rendered elsewhere with tm_compare_canvas_get_render_params(). With a comparison the
 * candidate is aligned by its registration. */
void           tm_compare_canvas_set_data         (TmCompareCanvas      *self,
                                                   TmSurface            *query,
                                                   TmSurface            *candidate,
                                                   TmComparison         *comparison,
                                                   TmReliefTexture      *query_texture,
                                                   TmReliefTexture      *candidate_texture);
TmSurface     *tm_compare_canvas_get_surface      (TmCompareCanvas      *self,
                                                   guint                 index);
TmComparison  *tm_compare_canvas_get_comparison   (TmCompareCanvas      *self);
/* How a surface shown turned by @screen_rotation_deg on screen is rendered: with
 * @bake_rotation the texture is made turned by that angle (tm_relief_texture_new) and
 * lit as set; without, it is made unturned with the light turned back by the angle. So
 * the light stays where it was set on the screen either way. */
void           tm_compare_render_params_for       (const TmReliefParams *base,
                                                   double                screen_rotation_deg,
                                                   gboolean              bake_rotation,
                                                   TmReliefParams       *out,
                                                   double               *out_rotation_deg);
/* The parameters and rotation the query (0) or candidate (1) is rendered with now. */
void           tm_compare_canvas_get_render_params (TmCompareCanvas     *self,
                                                   guint                 index,
                                                   TmReliefParams       *out,
                                                   double               *out_rotation_deg);
/* TRUE under the Cairo renderer, which draws turned textures slowly: textures are then
 * made turned (see tm-relief-texture.c). */
gboolean       tm_compare_canvas_get_bakes_rotation (TmCompareCanvas    *self);
void           tm_compare_canvas_set_relief_params (TmCompareCanvas     *self,
                                                   const TmReliefParams *params);
const TmReliefParams *tm_compare_canvas_get_relief_params (TmCompareCanvas *self);
/* TRUE while a texture is being re-rendered in a worker thread. */
gboolean       tm_compare_canvas_is_rendering     (TmCompareCanvas      *self);

void           tm_compare_canvas_set_mode         (TmCompareCanvas      *self,
                                                   TmCompareMode         mode);
TmCompareMode  tm_compare_canvas_get_mode         (TmCompareCanvas      *self);
void           tm_compare_canvas_set_locked       (TmCompareCanvas      *self,
                                                   gboolean              locked);
gboolean       tm_compare_canvas_get_locked       (TmCompareCanvas      *self);
void           tm_compare_canvas_set_opacity      (TmCompareCanvas      *self,
                                                   double                opacity);
double         tm_compare_canvas_get_opacity      (TmCompareCanvas      *self);
void           tm_compare_canvas_set_show_cells   (TmCompareCanvas      *self,
                                                   gboolean              show);
gboolean       tm_compare_canvas_get_show_cells   (TmCompareCanvas      *self);
void           tm_compare_canvas_set_ruler_tool   (TmCompareCanvas      *self,
                                                   gboolean              active);
gboolean       tm_compare_canvas_get_ruler_tool   (TmCompareCanvas      *self);
/* Position of the split hairline, 0..1 of the width. */
void           tm_compare_canvas_set_split        (TmCompareCanvas      *self,
                                                   double                fraction);

/* The candidate's pose in the registration's convention (candidate = R·query + d). */
void           tm_compare_canvas_get_pose         (TmCompareCanvas      *self,
                                                   double               *angle_deg,
                                                   double               *dx_um,
                                                   double               *dy_um);
void           tm_compare_canvas_set_pose         (TmCompareCanvas      *self,
                                                   double                angle_deg,
                                                   double                dx_um,
                                                   double                dy_um);
/* Applies the comparison's registration; FALSE when there is none. */
gboolean       tm_compare_canvas_align            (TmCompareCanvas      *self);
void           tm_compare_canvas_reset_alignment  (TmCompareCanvas      *self);
gboolean       tm_compare_canvas_get_aligned      (TmCompareCanvas      *self);
/* Moves the candidate by one screen pixel (@large: ten) or turns it by 0.25° (1°). */
void           tm_compare_canvas_nudge            (TmCompareCanvas      *self,
                                                   TmCompareNudge        nudge,
                                                   gboolean              large);

void           tm_compare_canvas_pan              (TmCompareCanvas      *self,
                                                   double                dx_px,
                                                   double                dy_px);
void           tm_compare_canvas_zoom_by          (TmCompareCanvas      *self,
                                                   double                factor);
void           tm_compare_canvas_rotate_view      (TmCompareCanvas      *self,
                                                   double                degrees);
void           tm_compare_canvas_fit              (TmCompareCanvas      *self);
void           tm_compare_canvas_one_to_one       (TmCompareCanvas      *self);
/* Rotation of pane 0 or 1's view, degrees clockwise. */
double         tm_compare_canvas_get_view_rotation (TmCompareCanvas     *self,
                                                   guint                 pane);
/* Screen pixels per µm of the first pane. */
double         tm_compare_canvas_get_zoom         (TmCompareCanvas      *self);

/* Measures from (x0, y0) to (x1, y1), widget coordinates; returns the length in µm. */
double         tm_compare_canvas_measure          (TmCompareCanvas      *self,
                                                   double                x0,
                                                   double                y0,
                                                   double                x1,
                                                   double                y1);
void           tm_compare_canvas_clear_ruler      (TmCompareCanvas      *self);
/* The cell under (x, y) in widget coordinates, or -1; @out_text describes it. */
int            tm_compare_canvas_cell_at          (TmCompareCanvas      *self,
                                                   double                x,
                                                   double                y,
                                                   char                **out_text);
/* Cells drawn by the last snapshot (both panes counted). */
guint          tm_compare_canvas_get_cells_drawn  (TmCompareCanvas      *self);
int            tm_compare_canvas_step_cell        (TmCompareCanvas      *self,
                                                   int                   delta);
int            tm_compare_canvas_get_focus_cell   (TmCompareCanvas      *self);
char          *tm_compare_canvas_dup_cell_text    (TmCompareCanvas      *self,
                                                   int                   index);

/* Draws the view as it is into @snapshot at @width × @height (export, tests). */
void           tm_compare_canvas_draw             (TmCompareCanvas      *self,
                                                   GtkSnapshot          *snapshot,
                                                   int                   width,
                                                   int                   height);

G_END_DECLS
