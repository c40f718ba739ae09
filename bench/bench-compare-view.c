/* bench-compare-view.c — frame times of the compare view while panning large surfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   xvfb-run -a -s "-screen 0 1600x1000x24" env GSK_RENDERER=cairo bench-compare-view [--frames N] [--size PX] [--angle DEG]
 *
 * Shows two SIZE × SIZE surfaces (default 2,000, the figure; the candidate is
 * the query rotated by ANGLE, default 20°, so it is drawn as a rotated texture) in a
 * 1280 × 800 window and, for every mode at fit-to-window and at 1:1, pans by 7 px per
 * frame from a tick callback for N frames (default 120). Two figures per run:
 *  - "paint": from the frame clock's update phase to the end of its paint phase, i.e.
 *    the snapshot and the renderer's work for one frame (what must stay under 16.7 ms);
 *  - "interval": between consecutive frames as the frame clock delivered them (capped
 *    at the display's rate: under Xvfb a 60 Hz timer).
 * Each as mean, 95th percentile and maximum in ms. The renderer is GTK's choice or
 * $GSK_RENDERER (cairo, ngl, gl).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <adwaita.h>

#include "tm-compare-view.h"
#include "tm-registration.h"

typedef struct
{
  TmCompareView *view;
  GArray        *paint;      /* double ms */
  GArray        *interval;   /* double ms */
  gint64         update_start;
  gint64         last_frame;
  guint          frames;
  guint          target;
  double         direction;
  gboolean       done;
} Run;

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
stats (GArray *values, double *mean, double *p95, double *max)
{
  double sum = 0.0;

  g_array_sort (values, compare_doubles);
  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, double, i);
  *mean = values->len ? sum / values->len : NAN;
  *p95 = values->len ? g_array_index (values, double, (guint) floor (0.95 * (values->len - 1))) : NAN;
  *max = values->len ? g_array_index (values, double, values->len - 1) : NAN;
}

static void
update_cb (GdkFrameClock *clock, Run *run)
{
  run->update_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock, Run *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->done || run->update_start == 0)
    return;
  /* The first frames warm caches (texture uploads, glyphs): not counted. */
  if (run->frames > 3)
    {
      double paint = (now - run->update_start) / 1000.0;
      g_array_append_val (run->paint, paint);
      if (run->last_frame != 0)
        {
          double interval = (now - run->last_frame) / 1000.0;
          g_array_append_val (run->interval, interval);
        }
    }
  run->last_frame = now;
  run->update_start = 0;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Run *run = user_data;
  TmCompareCanvas *canvas = tm_compare_view_get_canvas (run->view);

  if (run->frames >= run->target)
    {
      run->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  /* Back and forth, so the content stays on screen. */
  if (run->frames % 60 == 0)
    run->direction = -run->direction;
  tm_compare_canvas_pan (canvas, 7.0 * run->direction, 3.0 * run->direction);
  run->frames++;
  return G_SOURCE_CONTINUE;
}

static void
measure (TmCompareView *view, const char *mode_name, const char *zoom_name, guint frames)
{
  GtkWidget *canvas = GTK_WIDGET (tm_compare_view_get_canvas (view));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (canvas);
  Run run = { 0 };
  gulong update_id, paint_id;
  double mean, p95, max, imean, ip95, imax;

  run.view = view;
  run.paint = g_array_new (FALSE, FALSE, sizeof (double));
  run.interval = g_array_new (FALSE, FALSE, sizeof (double));
  run.target = frames;
  run.direction = 1.0;

  update_id = g_signal_connect (clock, "update", G_CALLBACK (update_cb), &run);
  paint_id = g_signal_connect_after (clock, "after-paint", G_CALLBACK (after_paint_cb), &run);
  gtk_widget_add_tick_callback (canvas, tick_cb, &run, NULL);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, update_id);
  g_signal_handler_disconnect (clock, paint_id);

  stats (run.paint, &mean, &p95, &max);
  stats (run.interval, &imean, &ip95, &imax);
  printf ("%-13s %-4s %4u   %7.2f %7.2f %7.2f   %7.2f %7.2f %7.2f   %5.1f\n",
          mode_name, zoom_name, run.paint->len, mean, p95, max, imean, ip95, imax,
          imean > 0 ? 1000.0 / imean : 0.0);
  fflush (stdout);
  g_array_unref (run.paint);
  g_array_unref (run.interval);
}

/* A 2D texture of crossing ridges and fine noise with a circular valid region and a
 * firing-pin hole: a stand-in for a raw 3D scan at its native resolution. */
static TmSurface *
make_surface (guint size)
{
  TmSurface *s = tm_surface_new (size, size, 1.5625, 1.5625, TM_MODALITY_3D);
  float *z = tm_surface_get_data (s);
  GRand *rand = g_rand_new_with_seed (11);
  double c = (size - 1) / 2.0;

  for (guint y = 0; y < size; y++)
    for (guint x = 0; x < size; x++)
      {
        double r = hypot (x - c, y - c) / c;
        gsize i = (gsize) y * size + x;

        if (r > 0.95 || r < 0.18)
          z[i] = NAN;
        else
          z[i] = (float) (0.8 * sin (x * 0.05 + y * 0.013) + 0.5 * sin (y * 0.031 - x * 0.007)
                          + 0.3 * sin ((x + y) * 0.11) + 0.1 * g_rand_double_range (rand, -1, 1));
      }
  tm_surface_sync_mask (s);
  g_rand_free (rand);
  return s;
}

int
main (int argc, char **argv)
{
  guint frames = 120, size = 2000;
  double angle = 20.0;
  GOptionEntry entries[] = {
    { "angle", 0, 0, G_OPTION_ARG_DOUBLE, &angle, "Rotation of the candidate, degrees (20)", "DEG" },
    { "frames", 0, 0, G_OPTION_ARG_INT, &frames, "Frames per measurement (120)", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Side of the surfaces in samples (2000)", "PX" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— compare view frame times");
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) query = NULL;
  g_autoptr(TmSurface) candidate = NULL;
  GtkWidget *window;
  TmCompareView *view;
  static const struct { TmCompareMode mode; const char *name; } modes[] = {
    { TM_COMPARE_MODE_SIDE_BY_SIDE, "side-by-side" },
    { TM_COMPARE_MODE_BLEND, "blend" },
    { TM_COMPARE_MODE_DIFFERENCE, "difference" },
    { TM_COMPARE_MODE_CHECKERBOARD, "checkerboard" },
    { TM_COMPARE_MODE_SPLIT, "split" },
  };
  gint64 t0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  gtk_init ();
  adw_init ();

  query = make_surface (size);
  candidate = tm_surface_transform (query, angle, 30.0, -12.0);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  view = TM_COMPARE_VIEW (tm_compare_view_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (GTK_WIDGET (tm_compare_view_get_canvas (view))) == 0)
    g_main_context_iteration (NULL, TRUE);

  t0 = g_get_monotonic_time ();
  tm_compare_view_set_surfaces (view, query, candidate, NULL);
  /* The candidate's pose: what "align" would apply. */
  tm_compare_canvas_set_pose (tm_compare_view_get_canvas (view), angle, 30.0 * 1.5625, -12.0 * 1.5625);
  while (tm_compare_view_is_busy (view))
    g_main_context_iteration (NULL, TRUE);

  {
    GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
    printf ("renderer %s, surfaces %u × %u, window 1280 × 800, %u frames per row\n",
            G_OBJECT_TYPE_NAME (renderer), size, size, frames);
    printf ("textures rendered and uploaded in %.0f ms (both surfaces, all levels)\n",
            (g_get_monotonic_time () - t0) / 1000.0);
  }
  printf ("%-13s %-4s %4s   %7s %7s %7s   %7s %7s %7s   %5s\n", "mode", "zoom", "n",
          "paint", "p95", "max", "interval", "p95", "max", "fps");

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      tm_compare_view_set_mode (view, modes[m].mode);
      tm_compare_canvas_fit (tm_compare_view_get_canvas (view));
      measure (view, modes[m].name, "fit", frames);
      tm_compare_canvas_one_to_one (tm_compare_view_get_canvas (view));
      measure (view, modes[m].name, "1:1", frames);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
