/* test-compare-view.c — the compare view rendered and checked, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under `xvfb-run` with GSK_RENDERER=cairo (tests/meson.build). The view sits in a
 * real 1280 × 800 window; every check renders the canvas to a texture, as the export
 * does, and reads its pixels:
 *  - each mode draws something, and modes switch through the "compare.mode" action;
 *  - the difference of a surface with itself is flat (all black where it is valid);
 *  - a rotated and shifted copy, aligned by the registration the engine finds, is nearly
 *    flat, and clearly not flat before alignment;
 *  - the cells are drawn (green frames), and not when switched off;
 *  - the ruler measures in µm, nudging moves the pose, export writes a PNG.
 * With TM_SCREENSHOT_DIR set, the mode renders are written there as
 * compare-<mode>.png; with the shared scans present they show a real Fadul pair loaded
 * through tm_compare_view_load_async() from a database made by toolmark-cli import.
 */
#define G_LOG_DOMAIN "test-compare-view"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>

#include "tm-compare-view.h"
#include "tm-preprocess.h"
#include "tm-registration.h"
#include "tm-store.h"
#include "tm-synth.h"
#include "tm-test-support.h"
#include "tm-ui-test-support.h"
#include "tm-x3p.h"

#define WIDTH 1280
#define HEIGHT 760

static GtkWidget *window;
static TmCompareView *view;
static TmSurface *query;      /* preprocessed synthetic shot */

static const char *mode_nicks[] = { "side-by-side", "blend", "difference", "checkerboard", "split" };

static void
spin_until_idle (void)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  while (tm_compare_view_is_busy (view) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (tm_compare_view_is_busy (view));
}

typedef struct
{
  int     width;
  int     height;
  guint8 *rgba;  /* straight alpha, 4 bytes per pixel */
} Image;

static void
image_free (Image *image)
{
  g_free (image->rgba);
  g_free (image);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Image, image_free)

static Image *
render (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  Image *image = g_new0 (Image, 1);

  spin_until_idle ();
  texture = tm_compare_view_render_texture (view, WIDTH, HEIGHT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (texture);
  image->width = gdk_texture_get_width (texture);
  image->height = gdk_texture_get_height (texture);
  g_assert_cmpint (image->width, ==, WIDTH);
  g_assert_cmpint (image->height, ==, HEIGHT);
  image->rgba = g_malloc ((gsize) image->width * image->height * 4);
  /* GDK_MEMORY_DEFAULT is B8G8R8A8 premultiplied; the canvas is opaque everywhere. */
  gdk_texture_download (texture, image->rgba, (gsize) image->width * 4);
  return image;
}

/* With TM_SCREENSHOT_DIR set, writes the whole window (toolbar and canvas, as a person
 * sees it) to compare-<name>.png there. */
static void
maybe_save (const char *name)
{
  const char *dir = g_getenv ("TM_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autofree char *file = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width, height;

  if (dir == NULL || *dir == '\0')
    return;
  g_mkdir_with_parents (dir, 0755);
  file = g_strdup_printf ("compare-%s.png", name);
  path = g_build_filename (dir, file, NULL);
  spin_until_idle ();
  /* Let the window draw once, so the paintable has the current frame. */
  gtk_widget_queue_draw (window);
  for (int i = 0; i < 5; i++)
    {
      g_usleep (20000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s", path);
}

static inline int
luma_at (const Image *image, int x, int y)
{
  const guint8 *p = image->rgba + ((gsize) y * image->width + x) * 4;
  /* B, G, R order */
  return (p[0] + 2 * p[1] + p[2] + 2) / 4;
}

/* The canvas background, as the top-right corner shows it (nothing is drawn there). */
static gboolean
is_background (const Image *image, int x, int y)
{
  const guint8 *p = image->rgba + ((gsize) y * image->width + x) * 4;
  const guint8 *corner = image->rgba + ((gsize) image->width - 1) * 4;

  return memcmp (p, corner, 4) == 0;
}

/* Mean and standard deviation of the luma of the difference image over the pixels where
 * @mask_image (the query alone) shows the surface, away from its edges. */
static void
masked_stats (const Image *diff, const Image *mask_image, double *out_mean, double *out_std,
              gsize *out_count, double *out_dark)
{
  double sum = 0.0, sum2 = 0.0;
  gsize n = 0, dark = 0;
  const int margin = 4;

  for (int y = margin; y < diff->height - margin; y++)
    for (int x = margin; x < diff->width - margin; x++)
      {
        gboolean inside = TRUE;
        int v;

        for (int d = -margin; d <= margin && inside; d += margin)
          for (int e = -margin; e <= margin && inside; e += margin)
            if (is_background (mask_image, x + d, y + e))
              inside = FALSE;
        if (!inside)
          continue;
        v = luma_at (diff, x, y);
        if (v <= 2)
          dark++;
        sum += v;
        sum2 += (double) v * v;
        n++;
      }
  g_assert_cmpuint (n, >, 0);
  *out_mean = sum / n;
  *out_std = sqrt (MAX (0.0, sum2 / n - (sum / n) * (sum / n)));
  *out_count = n;
  if (out_dark != NULL)
    *out_dark = (double) dark / n;
}

static Image *
render_query_mask (void)
{
  double opacity = tm_compare_view_get_opacity (view);
  TmCompareMode mode = tm_compare_view_get_mode (view);
  Image *image;

  /* Blend with the candidate invisible: the query over the background. */
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_BLEND);
  tm_compare_view_set_opacity (view, 0.0);
  image = render ();
  tm_compare_view_set_opacity (view, opacity);
  tm_compare_view_set_mode (view, mode);
  return image;
}

static gsize
count_green (const Image *image)
{
  gsize n = 0;

  for (gsize i = 0; i < (gsize) image->width * image->height; i++)
    {
      const guint8 *p = image->rgba + 4 * i;
      if (p[1] > p[2] + 60 && p[1] > p[0] + 40)
        n++;
    }
  return n;
}

static double
image_std (const Image *image)
{
  double sum = 0.0, sum2 = 0.0;
  gsize n = (gsize) image->width * image->height;

  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      {
        int v = luma_at (image, x, y);
        sum += v;
        sum2 += (double) v * v;
      }
  return sqrt (MAX (0.0, sum2 / n - (sum / n) * (sum / n)));
}

static TmComparison *
compare (TmSurface *a, TmSurface *b)
{
  TmCompareParams params;
  g_autoptr(GError) error = NULL;
  TmComparison *comparison;

  tm_compare_params_init (&params);
  comparison = tm_compare_surfaces (a, b, &params, NULL, &error);
  g_assert_no_error (error);
  return comparison;
}

/* ---- tests ---------------------------------------------------------------------- */

/* The window must work from 1024 px wide with the candidate list beside the view: the
 * toolbar gives up the mode names for icons rather than widen the window. */
static void
test_width (void)
{
  int min = 0, nat = 0;

  gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_test_message ("view width: minimum %d, natural %d", min, nat);
  g_assert_cmpint (min, <=, 700);
  g_assert_cmpint (nat, <=, 1024);
}

static void
test_modes (void)
{
  g_autoptr(TmComparison) comparison = compare (query, query);

  tm_compare_view_set_surfaces (view, query, query, comparison);
  for (guint i = 0; i < G_N_ELEMENTS (mode_nicks); i++)
    {
      g_autoptr(Image) image = NULL;
      g_autoptr(GEnumClass) klass = g_type_class_ref (TM_TYPE_COMPARE_MODE);

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.mode", "s", mode_nicks[i]));
      g_assert_cmpstr (g_enum_get_value (klass, tm_compare_view_get_mode (view))->value_nick, ==, mode_nicks[i]);
      image = render ();
      /* Something is drawn: not one flat colour. */
      g_assert_cmpfloat (image_std (image), >, 5.0);
    }
  /* The action's state follows the property when code sets it. */
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_SPLIT);
  {
    g_autoptr(GVariant) state = NULL;
    GtkWidget *button = gtk_toggle_button_new ();

    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "compare.mode");
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", "split");
    gtk_box_append (GTK_BOX (gtk_widget_get_first_child (GTK_WIDGET (view))), button);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
    gtk_box_remove (GTK_BOX (gtk_widget_get_first_child (GTK_WIDGET (view))), button);
  }
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_SIDE_BY_SIDE);
}

static void
test_difference_self (void)
{
  g_autoptr(Image) mask = NULL;
  g_autoptr(Image) diff = NULL;
  double mean, std, dark;
  gsize n;

  tm_compare_view_set_surfaces (view, query, query, NULL);
  g_object_set (view, "show-cells", FALSE, NULL);
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_DIFFERENCE);
  tm_compare_canvas_fit (tm_compare_view_get_canvas (view));

  for (guint r = 0; r < 3; r++)
    {
      static const TmReliefMode modes[] = { TM_RELIEF_SHADED, TM_RELIEF_FALSE_COLOUR, TM_RELIEF_GREY };

      tm_compare_view_set_render_mode (view, modes[r]);
      g_clear_pointer (&mask, image_free);
      g_clear_pointer (&diff, image_free);
      mask = render_query_mask ();
      diff = render ();
      if (r == 0)
        maybe_save ("difference-self");
      masked_stats (diff, mask, &mean, &std, &n, &dark);
      g_test_message ("self difference, render mode %u: mean %.3f, std %.3f, %.4f%% black, over %"
                      G_GSIZE_FORMAT " px", r, mean, std, 100.0 * dark, n);
      /* The surface covers a good part of the window… */
      g_assert_cmpuint (n, >, (gsize) WIDTH * HEIGHT / 8);
      /* …and its difference with itself is black there; only the filtered outlines of
       * the holes (half-transparent texels) may show. */
      g_assert_cmpfloat (mean, <, 0.5);
      g_assert_cmpfloat (dark, >, 0.995);
    }
  tm_compare_view_set_render_mode (view, TM_RELIEF_SHADED);
  g_object_set (view, "show-cells", TRUE, NULL);
}

/* The candidate is the query rotated by 30° and shifted; the engine's registration,
 * applied by "align", must lay it back onto the query. */
static void
test_difference_aligned (void)
{
  const double angle = 30.0, dx_px = 14.0, dy_px = -9.0;
  g_autoptr(TmSurface) moved = tm_surface_transform (query, angle, dx_px, dy_px);
  g_autoptr(TmComparison) comparison = compare (query, moved);
  g_autoptr(Image) mask = NULL;
  g_autoptr(Image) aligned = NULL;
  g_autoptr(Image) unaligned = NULL;
  double px = tm_surface_get_pixel_um_x (query);
  double a, dx, dy, mean_aligned, std_aligned, mean_unaligned, std_unaligned;
  gsize n;

  /* The engine finds the transform (convention of tm-registration.h). */
  g_assert_cmpfloat (fabs (tm_comparison_get_angle_deg (comparison) - angle), <, 1.0);
  g_assert_cmpfloat (fabs (tm_comparison_get_dx_um (comparison) - dx_px * px), <, 2.0 * px);
  g_assert_cmpfloat (fabs (tm_comparison_get_dy_um (comparison) - dy_px * px), <, 2.0 * px);

  tm_compare_view_set_surfaces (view, query, moved, comparison);
  g_object_set (view, "show-cells", FALSE, NULL);
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_DIFFERENCE);
  tm_compare_canvas_fit (tm_compare_view_get_canvas (view));
  /* set_surfaces aligns by the comparison. */
  tm_compare_canvas_get_pose (tm_compare_view_get_canvas (view), &a, &dx, &dy);
  g_assert_cmpfloat (fabs (a - tm_comparison_get_angle_deg (comparison)), <, 1e-9);
  g_assert_true (tm_compare_canvas_get_aligned (tm_compare_view_get_canvas (view)));

  mask = render_query_mask ();
  aligned = render ();
  masked_stats (aligned, mask, &mean_aligned, &std_aligned, &n, NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.reset-alignment", NULL));
  g_assert_false (tm_compare_canvas_get_aligned (tm_compare_view_get_canvas (view)));
  unaligned = render ();
  masked_stats (unaligned, mask, &mean_unaligned, &std_unaligned, &n, NULL);
  g_test_message ("transformed copy: aligned mean %.2f std %.2f, unaligned mean %.2f std %.2f",
                  mean_aligned, std_aligned, mean_unaligned, std_unaligned);

  /* Resampled twice (transform, then drawing) and shaded from resampled heights: not
   * zero, but far below the unaligned difference. */
  g_assert_cmpfloat (mean_aligned, <, 12.0);
  g_assert_cmpfloat (mean_unaligned, >, 3.0 * mean_aligned);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.align", NULL));
  g_assert_true (tm_compare_canvas_get_aligned (tm_compare_view_get_canvas (view)));
  {
    g_autoptr(Image) again = render ();
    double mean2, std2;
    masked_stats (again, mask, &mean2, &std2, &n, NULL);
    g_assert_cmpfloat (fabs (mean2 - mean_aligned), <, 0.5);
  }
  g_object_set (view, "show-cells", TRUE, NULL);
}

static void
test_cells (void)
{
  g_autoptr(TmComparison) comparison = compare (query, query);
  TmCompareCanvas *canvas = tm_compare_view_get_canvas (view);
  guint n_cells = 0;
  g_autoptr(Image) with_cells = NULL;
  g_autoptr(Image) without = NULL;

  tm_comparison_get_cells (comparison, TM_COMPARISON_A_TO_B, &n_cells);
  g_assert_cmpuint (n_cells, >, 0);
  g_assert_cmpuint (tm_comparison_get_cmc (comparison, TM_COMPARISON_A_TO_B), >, 0);

  tm_compare_view_set_surfaces (view, query, query, comparison);
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_SIDE_BY_SIDE);
  tm_compare_view_set_render_mode (view, TM_RELIEF_GREY);
  g_object_set (view, "show-cells", TRUE, NULL);
  with_cells = render ();
  g_assert_cmpuint (tm_compare_canvas_get_cells_drawn (canvas), ==, 2 * n_cells);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.cells", NULL));
  g_assert_false (tm_compare_canvas_get_show_cells (canvas));
  without = render ();
  g_assert_cmpuint (tm_compare_canvas_get_cells_drawn (canvas), ==, 0);
  /* The grey relief has no green: the frames of the congruent cells are. */
  g_test_message ("green pixels: %" G_GSIZE_FORMAT " with cells, %" G_GSIZE_FORMAT " without",
                  count_green (with_cells), count_green (without));
  g_assert_cmpuint (count_green (with_cells), >, 1000);
  g_assert_cmpuint (count_green (without), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.cells", NULL));

  /* Hovering the centre of a congruent cell of the query describes it. */
  {
    const TmCmcCell *cells = tm_comparison_get_cells (comparison, TM_COMPARISON_A_TO_B, &n_cells);
    int width = gtk_widget_get_width (GTK_WIDGET (canvas));
    int height = gtk_widget_get_height (GTK_WIDGET (canvas));
    g_autofree char *text = NULL;
    double zoom = tm_compare_canvas_get_zoom (canvas);
    double half = floor ((width - 2.0) / 2.0);
    double w_um = tm_surface_get_width (query) * tm_surface_get_pixel_um_x (query);
    double h_um = tm_surface_get_height (query) * tm_surface_get_pixel_um_y (query);
    guint c = 0;

    while (c < n_cells && !cells[c].congruent)
      c++;
    g_assert_cmpuint (c, <, n_cells);
    tm_compare_canvas_fit (canvas);
    zoom = tm_compare_canvas_get_zoom (canvas);
    g_assert_cmpint (tm_compare_canvas_cell_at (canvas,
                                                half / 2.0 + (cells[c].x_um + cells[c].w_um / 2.0 - w_um / 2.0) * zoom,
                                                height / 2.0 + (cells[c].y_um + cells[c].h_um / 2.0 - h_um / 2.0) * zoom,
                                                &text), ==, (int) c);
    g_assert_nonnull (strstr (text, "CCF"));
  }
  tm_compare_view_set_render_mode (view, TM_RELIEF_SHADED);
}

static void
test_ruler_and_zoom (void)
{
  TmCompareCanvas *canvas = tm_compare_view_get_canvas (view);
  double px = tm_surface_get_pixel_um_x (query);
  double length;

  tm_compare_view_set_surfaces (view, query, query, NULL);
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_BLEND);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.one-to-one", NULL));
  g_assert_cmpfloat (fabs (tm_compare_canvas_get_zoom (canvas) - 1.0 / px), <, 1e-9);
  /* 1:1: 120 px right and 50 px down are 130 samples. */
  length = tm_compare_canvas_measure (canvas, 300, 300, 420, 350);
  g_assert_cmpfloat (fabs (length - 130.0 * px), <, 1e-6);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.zoom", "d", 2.0));
  length = tm_compare_canvas_measure (canvas, 300, 300, 420, 350);
  g_assert_cmpfloat (fabs (length - 65.0 * px), <, 1e-6);
  /* A rotated view measures the same lengths. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.rotate", "d", 37.0));
  length = tm_compare_canvas_measure (canvas, 300, 300, 420, 350);
  g_assert_cmpfloat (fabs (length - 65.0 * px), <, 1e-6);
  maybe_save ("ruler");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.rotate", "d", -37.0));
  tm_compare_canvas_clear_ruler (canvas);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.fit", NULL));
  /* Fitted: the surface's height (the shorter way of the window) just fits. */
  {
    double h_um = tm_surface_get_height (query) * tm_surface_get_pixel_um_y (query);
    double h_px = gtk_widget_get_height (GTK_WIDGET (canvas));
    g_assert_cmpfloat (tm_compare_canvas_get_zoom (canvas) * h_um, <=, h_px);
    g_assert_cmpfloat (tm_compare_canvas_get_zoom (canvas) * h_um, >, 0.9 * h_px);
  }
}

static void
test_nudge (void)
{
  TmCompareCanvas *canvas = tm_compare_view_get_canvas (view);
  g_autoptr(TmComparison) comparison = compare (query, query);
  double a0, x0, y0, a1, x1, y1, zoom;

  tm_compare_view_set_surfaces (view, query, query, comparison);
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_BLEND);
  zoom = tm_compare_canvas_get_zoom (canvas);
  tm_compare_canvas_get_pose (canvas, &a0, &x0, &y0);
  /* Candidate one screen pixel to the right: it now sits 1/zoom µm further right, so a
   * query point lands 1/zoom µm further left on it, along the candidate's own axes:
   * d' = d − R(θ)·(1/zoom, 0). */
  {
    double t = a0 * G_PI / 180.0;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.nudge", "s", "right"));
    tm_compare_canvas_get_pose (canvas, &a1, &x1, &y1);
    g_assert_cmpfloat (fabs (a1 - a0), <, 1e-9);
    g_assert_cmpfloat (fabs ((x1 - x0) + cos (t) / zoom), <, 1e-6);
    g_assert_cmpfloat (fabs ((y1 - y0) + sin (t) / zoom), <, 1e-6);
    g_assert_false (tm_compare_canvas_get_aligned (canvas));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.nudge", "s", "down-large"));
    tm_compare_canvas_get_pose (canvas, &a1, &x1, &y1);
    /* 1 px right then 10 px down: R(θ)·(1, 10) / zoom in all. */
    g_assert_cmpfloat (fabs ((x1 - x0) + (cos (t) - 10.0 * sin (t)) / zoom), <, 1e-6);
    g_assert_cmpfloat (fabs ((y1 - y0) + (sin (t) + 10.0 * cos (t)) / zoom), <, 1e-6);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.nudge", "s", "cw"));
  tm_compare_canvas_get_pose (canvas, &a1, &x1, &y1);
  /* Turning the candidate clockwise on screen turns the pose anticlockwise. */
  g_assert_cmpfloat (fabs (fmod (a1 - a0 + 360.0, 360.0) - 359.75), <, 1e-9);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.align", NULL));
  tm_compare_canvas_get_pose (canvas, &a1, &x1, &y1);
  g_assert_cmpfloat (fabs (x1 - x0), <, 1e-9);
  g_assert_cmpfloat (fabs (y1 - y0), <, 1e-9);

  /* Lock, light and render-mode actions reach their properties. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.lock", NULL));
  g_assert_false (tm_compare_view_get_locked (view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.lock", NULL));
  g_assert_true (tm_compare_view_get_locked (view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.render-mode", "s", "false-colour"));
  g_assert_cmpint (tm_compare_view_get_render_mode (view), ==, TM_RELIEF_FALSE_COLOUR);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.light", "s", "right"));
  {
    double az;
    g_object_get (view, "light-azimuth", &az, NULL);
    g_assert_cmpfloat (fabs (az - 330.0), <, 1e-9);
  }
  tm_compare_view_set_render_mode (view, TM_RELIEF_SHADED);
  tm_compare_view_set_light (view, 315.0, 35.0);
}

static double
mean_abs_difference (const Image *a, const Image *b)
{
  double sum = 0.0;

  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width; x++)
      sum += abs (luma_at (a, x, y) - luma_at (b, x, y));
  return sum / ((double) a->width * a->height);
}

/* Moving the light re-renders the relief off the main thread and swaps it in; a
 * rotated view turns the light back so it stays where it was set on the screen. */
static void
test_light (void)
{
  TmCompareCanvas *canvas = tm_compare_view_get_canvas (view);
  g_autoptr(Image) from_nw = NULL;
  g_autoptr(Image) from_se = NULL;
  g_autoptr(Image) back = NULL;
  TmReliefParams params;
  double az, rotation;

  tm_compare_view_set_surfaces (view, query, query, NULL);
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_SIDE_BY_SIDE);
  tm_compare_view_set_render_mode (view, TM_RELIEF_SHADED);
  tm_compare_view_set_light (view, 315.0, 35.0);
  from_nw = render ();

  g_object_set (view, "light-azimuth", 135.0, NULL);
  /* The texture is re-rendered in a worker thread… */
  g_assert_true (tm_compare_view_is_busy (view));
  from_se = render ();
  g_test_message ("light 315° → 135°: mean |Δ| %.1f", mean_abs_difference (from_nw, from_se));
  g_assert_cmpfloat (mean_abs_difference (from_nw, from_se), >, 10.0);

  g_object_set (view, "light-azimuth", 315.0, NULL);
  back = render ();
  g_assert_cmpfloat (mean_abs_difference (from_nw, back), <, 0.01);

  /* View turned 90° clockwise: either the texture is made turned by 90° and lit as set
   * (Cairo), or made as scanned with its own light coming from 90° less. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.rotate", "d", 90.0));
  tm_compare_canvas_get_render_params (canvas, 0, &params, &rotation);
  if (tm_compare_canvas_get_bakes_rotation (canvas))
    {
      g_assert_cmpfloat (fabs (params.azimuth_deg - 315.0), <, 1e-9);
      g_assert_cmpfloat (fabs (rotation - 90.0), <, 1e-9);
    }
  else
    {
      g_assert_cmpfloat (fabs (params.azimuth_deg - 225.0), <, 1e-9);
      g_assert_cmpfloat (rotation, ==, 0.0);
    }
  g_object_get (view, "light-azimuth", &az, NULL);
  g_assert_cmpfloat (az, ==, 315.0);
  spin_until_idle ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.rotate", "d", -90.0));
  spin_until_idle ();
}

/* Everything works by keyboard: each binding reaches its action and does what it says;
 * the review page's keys around the view are left alone. */
static void
test_keyboard (void)
{
  TmCompareCanvas *canvas = tm_compare_view_get_canvas (view);
  g_autoptr(TmComparison) comparison = compare (query, query);
  static const struct { guint key; GdkModifierType mods; } reserved[] = {
    { GDK_KEY_l, 0 }, { GDK_KEY_j, 0 }, { GDK_KEY_k, 0 }, { GDK_KEY_d, 0 }, { GDK_KEY_p, 0 },
    { GDK_KEY_Up, GDK_ALT_MASK }, { GDK_KEY_Down, GDK_ALT_MASK }, { GDK_KEY_z, GDK_CONTROL_MASK },
  };
  static const guint mode_keys[] = { GDK_KEY_1, GDK_KEY_2, GDK_KEY_3, GDK_KEY_4, GDK_KEY_5 };
  double zoom, a0, x0, y0, a1, x1, y1, az;

  tm_compare_view_set_surfaces (view, query, query, comparison);
  for (guint i = 0; i < G_N_ELEMENTS (reserved); i++)
    g_assert_null (tm_ui_test_find_key_binding (GTK_WIDGET (view), reserved[i].key, reserved[i].mods));

  for (guint i = 0; i < G_N_ELEMENTS (mode_keys); i++)
    {
      tm_ui_test_press_key (GTK_WIDGET (view), mode_keys[i], 0);
      g_assert_cmpint (tm_compare_view_get_mode (view), ==, (TmCompareMode) i);
    }

  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_L, GDK_SHIFT_MASK);
  g_assert_false (tm_compare_view_get_locked (view));
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_L, GDK_SHIFT_MASK);
  g_assert_true (tm_compare_view_get_locked (view));
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_c, 0);
  g_assert_false (tm_compare_canvas_get_show_cells (canvas));
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_c, 0);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_r, 0);
  g_assert_true (tm_compare_canvas_get_ruler_tool (canvas));
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_r, 0);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_h, 0);
  g_assert_cmpint (tm_compare_view_get_render_mode (view), ==, TM_RELIEF_FALSE_COLOUR);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_g, 0);
  g_assert_cmpint (tm_compare_view_get_render_mode (view), ==, TM_RELIEF_GREY);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_s, 0);
  g_assert_cmpint (tm_compare_view_get_render_mode (view), ==, TM_RELIEF_SHADED);

  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_0, GDK_CONTROL_MASK);
  zoom = tm_compare_canvas_get_zoom (canvas);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_plus, GDK_CONTROL_MASK);
  g_assert_cmpfloat (fabs (tm_compare_canvas_get_zoom (canvas) - 1.25 * zoom), <, 1e-9);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_minus, GDK_CONTROL_MASK);
  g_assert_cmpfloat (fabs (tm_compare_canvas_get_zoom (canvas) - zoom), <, 1e-9);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_1, GDK_CONTROL_MASK);
  g_assert_cmpfloat (fabs (tm_compare_canvas_get_zoom (canvas) - 1.0 / tm_surface_get_pixel_um_x (query)), <, 1e-9);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_f, 0);
  g_assert_cmpfloat (fabs (tm_compare_canvas_get_zoom (canvas) - zoom), <, 1e-9);

  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_bracketright, 0);
  g_assert_cmpfloat (fabs (tm_compare_canvas_get_view_rotation (canvas, 0) - 5.0), <, 1e-9);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_bracketleft, 0);
  g_assert_cmpfloat (fabs (tm_compare_canvas_get_view_rotation (canvas, 0)), <, 1e-9);

  tm_compare_canvas_get_pose (canvas, &a0, &x0, &y0);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_Right, GDK_SHIFT_MASK);
  tm_compare_canvas_get_pose (canvas, &a1, &x1, &y1);
  g_assert_cmpfloat (fabs (x1 - x0), >, 0.1);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_bracketright, GDK_ALT_MASK);
  tm_compare_canvas_get_pose (canvas, &a1, &x1, &y1);
  g_assert_cmpfloat (fabs (a1 - a0), >, 0.1);
  g_assert_false (tm_compare_canvas_get_aligned (canvas));
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_A, GDK_SHIFT_MASK);
  tm_compare_canvas_get_pose (canvas, &a1, &x1, &y1);
  g_assert_cmpfloat (a1, ==, 0.0);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_a, 0);
  g_assert_true (tm_compare_canvas_get_aligned (canvas));

  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_Right, GDK_CONTROL_MASK);
  g_object_get (view, "light-azimuth", &az, NULL);
  g_assert_cmpfloat (fabs (az - 330.0), <, 1e-9);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_Left, GDK_CONTROL_MASK);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_x, 0);
  g_assert_false (tm_compare_canvas_get_relief_params (canvas)->exaggerate);
  tm_ui_test_press_key (GTK_WIDGET (view), GDK_KEY_x, 0);
  g_assert_true (tm_compare_canvas_get_relief_params (canvas)->exaggerate);

  /* Export opens a file chooser: the binding exists and names the action. */
  {
    GtkShortcut *shortcut = tm_ui_test_find_key_binding (GTK_WIDGET (view), GDK_KEY_e, GDK_CONTROL_MASK);
    g_assert_nonnull (shortcut);
    g_assert_cmpstr (gtk_named_action_get_action_name (GTK_NAMED_ACTION (gtk_shortcut_get_action (shortcut))),
                     ==, "compare.export");
  }
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_SIDE_BY_SIDE);
  spin_until_idle ();
}

static void
test_export (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("compare-export-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "view.png", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "view.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  tm_compare_view_set_surfaces (view, query, query, NULL);
  tm_compare_view_set_mode (view, TM_COMPARE_MODE_SPLIT);
  spin_until_idle ();
  g_assert_true (tm_compare_view_export_png (view, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 8);
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (GTK_WIDGET (tm_compare_view_get_canvas (view))));
  g_assert_cmpint (gdk_texture_get_height (texture), ==, gtk_widget_get_height (GTK_WIDGET (tm_compare_view_get_canvas (view))));

  g_assert_false (tm_compare_view_export_png (view, bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "missing"));
}

/* ---- real scans through the database ------------------------------------------- */

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;
  if (!tm_compare_view_load_finish (TM_COMPARE_VIEW (object), result, error) && *error == NULL)
    g_assert_not_reached ();
  g_object_set_data (object, "loaded", GINT_TO_POINTER (1));
}

static void
load_pair (const char *db, const char *a, const char *b)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "--db", db, "import", "--kind", "test-fire", a, b, NULL };
  GError *error = NULL;
  int status;

  status = tm_test_run_cli (argv, &out, &err);
  if (status != 0)
    g_error ("toolmark-cli import failed: %s", err);

  g_object_set_data (G_OBJECT (view), "loaded", NULL);
  tm_compare_view_load_async (view, db, 1, 2, NULL, load_done_cb, &error);
  while (g_object_get_data (G_OBJECT (view), "loaded") == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (error);
}

static void
test_load (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("compare-load-XXXXXX");
  g_autofree char *db = g_build_filename (dir, "toolmark.db", NULL);
  const char *scans = tm_test_shared_scans ();
  TmCompareCanvas *canvas = tm_compare_view_get_canvas (view);
  TmComparison *comparison;

  /* Screenshots (data/screenshots) at a size that keeps the PNGs small. */
  if (g_getenv ("TM_SCREENSHOT_DIR") != NULL)
    {
      int before = gtk_widget_get_width (GTK_WIDGET (canvas));

      gtk_window_set_default_size (GTK_WINDOW (window), 1024, 640);
      while (gtk_widget_get_width (GTK_WIDGET (canvas)) == before)
        g_main_context_iteration (NULL, TRUE);
    }

  if (scans != NULL)
    {
      g_autofree char *a = g_build_filename (scans, "fadulProcessed", "Fadul 1-1.x3p", NULL);
      g_autofree char *b = g_build_filename (scans, "fadulProcessed", "Fadul 1-2.x3p", NULL);
      load_pair (db, a, b);
    }
  else
    {
      /* Two shots of one synthetic firearm, written as X3P and imported. */
      g_autoptr(TmSynthFirearm) firearm = tm_synth_firearm_new (7, NULL, NULL);
      g_autoptr(TmSurface) s1 = tm_synth_shot (firearm, 1, NULL);
      g_autoptr(TmSurface) s2 = tm_synth_shot (firearm, 2, NULL);
      g_autofree char *a = g_build_filename (dir, "shot-1.x3p", NULL);
      g_autofree char *b = g_build_filename (dir, "shot-2.x3p", NULL);
      g_assert_true (tm_x3p_write_file (s1, a, NULL));
      g_assert_true (tm_x3p_write_file (s2, b, NULL));
      load_pair (db, a, b);
    }

  comparison = tm_compare_canvas_get_comparison (canvas);
  g_assert_nonnull (comparison);
  g_assert_nonnull (tm_compare_canvas_get_surface (canvas, 0));
  g_assert_nonnull (tm_compare_canvas_get_surface (canvas, 1));
  g_assert_true (tm_compare_canvas_get_aligned (canvas));
  g_test_message ("loaded pair: CMC %u, angle %.1f°",
                  tm_comparison_get_cmc (comparison, TM_COMPARISON_A_TO_B),
                  tm_comparison_get_angle_deg (comparison));
  /* A mated pair: the registration found cells that agree. */
  g_assert_cmpuint (tm_comparison_get_cmc (comparison, TM_COMPARISON_A_TO_B), >=, 4);

  /* The screenshots of every mode, and each is a real picture. */
  tm_compare_view_set_render_mode (view, TM_RELIEF_SHADED);
  tm_compare_view_set_opacity (view, 0.5);
  tm_compare_canvas_set_split (canvas, 0.5);
  for (guint i = 0; i < G_N_ELEMENTS (mode_nicks); i++)
    {
      g_autoptr(Image) image = NULL;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.mode", "s", mode_nicks[i]));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.fit", NULL));
      image = render ();
      g_assert_cmpfloat (image_std (image), >, 5.0);
      maybe_save (mode_nicks[i]);
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "compare.mode", "s", "side-by-side"));
  tm_compare_view_set_render_mode (view, TM_RELIEF_FALSE_COLOUR);
  maybe_save ("false-colour");
  tm_compare_view_set_render_mode (view, TM_RELIEF_SHADED);

  /* An acquisition without a stored preprocessed surface (imported before the engine,
   * or its derived data dropped for a reprocess) is preprocessed from its original. */
  {
    g_autoptr(TmStore) store = tm_store_open (db, NULL);
    GError *error = NULL;

    g_assert_nonnull (store);
    g_assert_true (tm_store_exec (store, "DELETE FROM preprocessed WHERE acquisition_id = 2", NULL));
    g_object_set_data (G_OBJECT (view), "loaded", NULL);
    tm_compare_view_load_async (view, db, 1, 2, NULL, load_done_cb, &error);
    while (g_object_get_data (G_OBJECT (view), "loaded") == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_no_error (error);
    g_assert_true (tm_compare_canvas_get_comparison (canvas) != comparison);
    comparison = tm_compare_canvas_get_comparison (canvas);
    g_test_message ("candidate preprocessed from its original: CMC %u",
                    tm_comparison_get_cmc (comparison, TM_COMPARISON_A_TO_B));
    g_assert_cmpuint (tm_comparison_get_cmc (comparison, TM_COMPARISON_A_TO_B), >=, 4);
  }

  /* A missing acquisition is an error naming it, and the view keeps what it showed. */
  {
    GError *error = NULL;

    g_object_set_data (G_OBJECT (view), "loaded", NULL);
    tm_compare_view_load_async (view, db, 1, 99, NULL, load_done_cb, &error);
    while (g_object_get_data (G_OBJECT (view), "loaded") == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_nonnull (error);
    g_test_message ("missing acquisition: %s", error->message);
    g_assert_nonnull (strstr (error->message, "99"));
    g_clear_error (&error);
    g_assert_true (tm_compare_canvas_get_comparison (canvas) == comparison);
  }
}

int
main (int argc, char **argv)
{
  g_autoptr(TmSynthFirearm) firearm = NULL;
  g_autoptr(TmSurface) shot = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  firearm = tm_synth_firearm_new (42, NULL, &error);
  g_assert_no_error (error);
  shot = tm_synth_shot (firearm, 3, NULL);
  query = tm_preprocess_surface (shot, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT + 48);
  view = TM_COMPARE_VIEW (tm_compare_view_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (GTK_WIDGET (tm_compare_view_get_canvas (view))) == 0)
    g_main_context_iteration (NULL, TRUE);

  g_test_add_func ("/compare-view/width", test_width);
  g_test_add_func ("/compare-view/modes", test_modes);
  g_test_add_func ("/compare-view/difference-self", test_difference_self);
  g_test_add_func ("/compare-view/difference-aligned", test_difference_aligned);
  g_test_add_func ("/compare-view/cells", test_cells);
  g_test_add_func ("/compare-view/ruler-zoom", test_ruler_and_zoom);
  g_test_add_func ("/compare-view/nudge", test_nudge);
  g_test_add_func ("/compare-view/light", test_light);
  g_test_add_func ("/compare-view/keyboard", test_keyboard);
  g_test_add_func ("/compare-view/export", test_export);
  g_test_add_func ("/compare-view/load", test_load);

  status = g_test_run ();
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&query);
  return status;
}
