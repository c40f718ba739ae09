/* tm-compare-view.h — the compare view: a query and a candidate, side by side or overlaid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tm-compare-canvas.h"
#include "tm-comparison.h"
#include "tm-relief-texture.h"
#include "tm-surface.h"

G_BEGIN_DECLS

#define TM_TYPE_COMPARE_VIEW (tm_compare_view_get_type ())

G_DECLARE_FINAL_TYPE (TmCompareView, tm_compare_view, TM, COMPARE_VIEW, GtkWidget)

GtkWidget       *tm_compare_view_new             (void);

/* Loads acquisitions @query_id and @candidate_id of the database at @db_path in a worker
 * thread with its own connection: their preprocessed breech faces (preprocessing the
 * original when none is stored), the comparison (pose and cells) and the textures.
 * The view shows them when the load finishes; a newer load or @cancellable cancels it. */
void             tm_compare_view_load_async      (TmCompareView        *self,
                                                  const char           *db_path,
                                                  gint64                query_id,
                                                  gint64                candidate_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean         tm_compare_view_load_finish     (TmCompareView        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Shows two surfaces directly (tests, tools); @comparison may be NULL (no pose, no cells).
 * Renders the textures in the calling thread. */
void             tm_compare_view_set_surfaces    (TmCompareView        *self,
                                                  TmSurface            *left,
                                                  TmSurface            *right,
                                                  TmComparison         *comparison);

TmCompareMode    tm_compare_view_get_mode        (TmCompareView        *self);
void             tm_compare_view_set_mode        (TmCompareView        *self,
                                                  TmCompareMode         mode);
gboolean         tm_compare_view_get_locked      (TmCompareView        *self);
void             tm_compare_view_set_locked      (TmCompareView        *self,
                                                  gboolean              locked);
double           tm_compare_view_get_opacity     (TmCompareView        *self);
void             tm_compare_view_set_opacity     (TmCompareView        *self,
                                                  double                opacity);
TmReliefMode     tm_compare_view_get_render_mode (TmCompareView        *self);
void             tm_compare_view_set_render_mode (TmCompareView        *self,
                                                  TmReliefMode          mode);
void             tm_compare_view_set_light       (TmCompareView        *self,
                                                  double                azimuth_deg,
                                                  double                elevation_deg);

/* Renders the canvas as it is now (toolbar excluded) at @width × @height, or at its
 * current size when 0 (1280 × 800 while it has none). */
GdkTexture      *tm_compare_view_render_texture  (TmCompareView        *self,
                                                  int                   width,
                                                  int                   height,
                                                  GError              **error);
gboolean         tm_compare_view_export_png      (TmCompareView        *self,
                                                  const char           *path,
                                                  GError              **error);

/* TRUE while a load or a re-render of a texture runs. */
gboolean         tm_compare_view_is_busy         (TmCompareView        *self);
TmCompareCanvas *tm_compare_view_get_canvas      (TmCompareView        *self);

G_END_DECLS
