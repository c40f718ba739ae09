/* bench-app.c — how fast the main window starts and scrolls on a large database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-app make N DB      a database of N acquisitions: one synthetic scan stored
 *                            through the store, then copied N-1 times by SQL (10
 *                            exhibits per case), which takes seconds, not an import
 *   bench-app load DB        the store alone: open and list every acquisition
 *   bench-app startup DB     from main() to the first frame drawn with the rows shown
 *   bench-app scroll DB      scrolls the list by half a page per frame for 600 frames
 *                            and reports the frame intervals and the work per frame
 *
 * Run under Xvfb with GSK_RENDERER=cairo like the UI test, e.g.
 *   xvfb-run -a -s "-screen 0 1600x1000x24" dbus-run-session -- \
 *     env GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=build/data GSK_RENDERER=cairo \
 *     build/tests/bench-app startup /tmp/10k.db
 */
#define G_LOG_DOMAIN "bench-app"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <adwaita.h>

#include "tm-application.h"
#include "tm-importer.h"
#include "tm-store.h"
#include "tm-window.h"

static gint64 t_main;
static const char *mode;
static TmWindow *window;
static GArray *intervals;   /* double, ms between frames */
static GArray *work;        /* double, ms from layout to after-paint */
static gint64 last_frame;
static gint64 layout_start;
static guint n_frames;

static void
make_db (guint       n,
         const char *path)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(TmSurface) surface = NULL;
  g_autoptr(TmCaseData) data = tm_case_data_new ();
  g_autoptr(GBytes) original = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  float *z;
  guint n_cases = MAX ((n + 8) / 10, 1);

  store = tm_store_open (path, &error);
  g_assert_no_error (error);
  surface = tm_surface_new (64, 64, 6.25, 6.25, TM_MODALITY_3D);
  z = tm_surface_get_data (surface);
  for (guint i = 0; i < 64 * 64; i++)
    z[i] = sinf (i * 0.37f);
  tm_surface_sync_mask (surface);
  original = g_bytes_new_static ("bench original", 14);
  data->case_number = g_strdup ("SEED");
  data->agency = g_strdup ("Seed");
  data->calibre = g_strdup ("9mm Luger");
  tm_store_add_acquisition (store, data, surface, original, "seed.x3p", g_get_user_name (), &error);
  g_assert_no_error (error);

  sql = g_strdup_printf (
    "BEGIN;"
    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %u)"
    " INSERT INTO cases (uuid, agency, case_number, incident_date, site_id, created_at)"
    " SELECT lower (hex (randomblob (16))), 'Bench PD', printf ('B-%%06d', i),"
    "        printf ('2024-%%02d-%%02d', 1 + i %% 12, 1 + i %% 28),"
    "        (SELECT site_id FROM cases LIMIT 1), '2024-01-01T00:00:00Z' FROM k;"
    "WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 10)"
    " INSERT INTO exhibits (uuid, case_id, item_number, kind)"
    " SELECT lower (hex (randomblob (16))), c.id, printf ('%%d', j),"
    "        CASE WHEN j %% 3 = 0 THEN 'test-fire' ELSE 'crime-scene' END"
    "   FROM cases c, k WHERE c.agency = 'Bench PD';"
    "INSERT INTO acquisitions (uuid, exhibit_id, region, modality, instrument, pixel_um_x,"
    "   pixel_um_y, width, height, valid_fraction, calibre, original_name, sha256,"
    "   source_meta, imported_by, imported_at, origin_site)"
    " SELECT lower (hex (randomblob (16))), e.id, a.region, a.modality, a.instrument,"
    "        a.pixel_um_x, a.pixel_um_y, a.width, a.height, a.valid_fraction,"
    "        CASE e.id %% 4 WHEN 0 THEN '9mm Luger' WHEN 1 THEN '.40 S&W' WHEN 2 THEN '.45 Auto' ELSE '.22 LR' END,"
    "        printf ('bench-%%07d.x3p', e.id), a.sha256, a.source_meta, a.imported_by,"
    "        printf ('2024-%%02d-%%02dT%%02d:00:00Z', 1 + e.id %% 12, 1 + e.id %% 28, e.id %% 24),"
    "        a.origin_site"
    "   FROM exhibits e JOIN cases c ON c.id = e.case_id,"
    "        (SELECT * FROM acquisitions LIMIT 1) a"
    "  WHERE c.agency = 'Bench PD' LIMIT %u;"
    "COMMIT;", n_cases, n - 1);
  tm_store_exec (store, sql, &error);
  g_assert_no_error (error);
  g_print ("%s: %" G_GINT64_FORMAT " acquisitions\n", path, tm_store_count_acquisitions (store, NULL));
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
report (const char *what,
        GArray     *values)
{
  double sum = 0;

  g_array_sort (values, compare_doubles);
  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, double, i);
  g_print ("%s: n %u, mean %.2f ms, median %.2f ms, p95 %.2f ms, max %.2f ms\n", what,
           values->len, sum / values->len,
           g_array_index (values, double, values->len / 2),
           g_array_index (values, double, (guint) (values->len * 0.95)),
           g_array_index (values, double, values->len - 1));
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  /* Mapped: the review page holds column views of its own, hidden. */
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
layout_cb (GdkFrameClock *clock)
{
  layout_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock)
{
  gint64 now = g_get_monotonic_time ();

  if (layout_start > 0)
    {
      double ms = (now - layout_start) / 1000.0;

      g_array_append_val (work, ms);
    }
  if (last_frame > 0)
    {
      double ms = (now - last_frame) / 1000.0;

      g_array_append_val (intervals, ms);
    }
  last_frame = now;
  layout_start = 0;
}

/* Moves the list by half a page whenever the previous move has been drawn, so the
 * figures say how fast the window can follow a scroll (a timeout rather than a tick
 * callback: it keeps asking for frames even when one takes longer than a vblank). */
static gboolean
scroll_step_cb (gpointer user_data)
{
  GtkAdjustment *adjustment = user_data;
  double value = gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) / 2;

  if (value > gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment))
    value = 0;
  gtk_adjustment_set_value (adjustment, value);

  if (++n_frames % 100 == 0)
    g_print ("%u steps, at %.0f px of %.0f (page %.0f)\n", n_frames, value,
             gtk_adjustment_get_upper (adjustment), gtk_adjustment_get_page_size (adjustment));
  if (n_frames < 600)
    return G_SOURCE_CONTINUE;

  report ("frame interval", intervals);
  report ("work per frame (update, layout, paint)", work);
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

static void
dump_widths (GtkWidget *widget,
             int        depth)
{
  int min, nat;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  if (min > 300 && depth < 40)
    g_printerr ("%*s%s min %d nat %d\n", depth, "", G_OBJECT_TYPE_NAME (widget), min, nat);
  if (min > 300)
    for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      dump_widths (child, depth + 1);
}

static gboolean
start_scrolling_cb (gpointer user_data)
{
  GdkFrameClock *clock = user_data;
  GtkWidget *view = find_type (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW);
  GtkWidget *scroller;
  GtkAdjustment *adjustment;

  if (view == NULL)
    {
      dump_widths (GTK_WIDGET (window), 0);
      g_printerr ("no column view on screen (page %s, window %d×%d)\n", tm_window_get_view (window),
                  gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)));
      exit (1);
    }
  scroller = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  intervals = g_array_new (FALSE, FALSE, sizeof (double));
  work = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (clock, "before-paint", G_CALLBACK (layout_cb), NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  g_timeout_add (8, scroll_step_cb, adjustment);
  return G_SOURCE_REMOVE;
}

static void
first_frame_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  GListModel *rows = tm_window_get_visible_model (window);
  double ms = (g_get_monotonic_time () - t_main) / 1000.0;

  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, user_data);
  g_print ("first frame with %u rows: %.0f ms after main()\n", g_list_model_get_n_items (rows), ms);

  if (g_str_equal (mode, "startup"))
    {
      g_application_quit (g_application_get_default ());
      return;
    }

  /* Let the stack finish its crossfade to the list before scrolling it. */
  g_timeout_add_seconds (1, start_scrolling_cb, clock);
}

static void
loading_cb (TmWindow   *self,
            GParamSpec *pspec)
{
  if (tm_window_get_loading (self))
    return;
  g_print ("rows loaded (worker thread): %.0f ms after main()\n",
           (g_get_monotonic_time () - t_main) / 1000.0);
  /* The next frame drawn is the first with the rows. */
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                    G_CALLBACK (first_frame_cb), NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *added)
{
  if (!TM_IS_WINDOW (added) || window != NULL)
    return;
  window = TM_WINDOW (added);
  g_print ("window created: %.0f ms after main()\n", (g_get_monotonic_time () - t_main) / 1000.0);
  g_signal_connect (window, "notify::loading", G_CALLBACK (loading_cb), NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TmApplication) app = NULL;
  char *app_argv[4];

  t_main = g_get_monotonic_time ();
  /* The figures must reach a file even when the run is interrupted. */
  setvbuf (stdout, NULL, _IONBF, 0);
  if (argc == 4 && g_str_equal (argv[1], "make"))
    {
      make_db ((guint) atoi (argv[2]), argv[3]);
      return 0;
    }
  if (argc == 3 && g_str_equal (argv[1], "load"))
    {
      g_autoptr(TmStore) store = NULL;
      g_autoptr(GPtrArray) list = NULL;
      g_autoptr(GError) error = NULL;
      gint64 t0 = g_get_monotonic_time (), t1, t2;

      store = tm_store_open (argv[2], &error);
      g_assert_no_error (error);
      t1 = g_get_monotonic_time ();
      list = tm_store_list_acquisitions (store, &error);
      g_assert_no_error (error);
      t2 = g_get_monotonic_time ();
      {
        TmPreprocessParams params;
        g_autofree char *hash = NULL;
        g_autoptr(GArray) stale = NULL;
        gint64 t3;

        tm_preprocess_params_init (&params);
        hash = tm_derived_params_hash (&params);
        stale = tm_store_list_stale (store, hash, &error);
        g_assert_no_error (error);
        t3 = g_get_monotonic_time ();
        g_print ("open %.0f ms, list %u acquisitions %.0f ms, %u stale %.0f ms\n",
                 (t1 - t0) / 1000.0, list->len, (t2 - t1) / 1000.0, stale->len, (t3 - t2) / 1000.0);
      }
      return 0;
    }
  if (argc != 3 || (!g_str_equal (argv[1], "startup") && !g_str_equal (argv[1], "scroll")))
    {
      g_printerr ("usage: bench-app make N DB | startup DB | scroll DB\n");
      return 2;
    }
  mode = argv[1];

  app = tm_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);
  app_argv[0] = (char *) "toolmark";
  app_argv[1] = (char *) "--db";
  app_argv[2] = argv[2];
  app_argv[3] = NULL;
  return g_application_run (G_APPLICATION (app), 3, app_argv);
}
