/* test-app.c — the real TmWindow on a real database, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under `xvfb-run` with GSK_RENDERER=cairo (see tests/meson.build). Synthetic
 * surfaces are written as X3P, read back and added through the store, then the window
 * built by TmApplication is driven: list, search (through the entry and the API),
 * sorting by columns, the case browser and the kind/modality/calibre filters, the
 * detail pane and its thumbnails, the import dialog (real widgets: form rows, Import
 * button, worker; a corrupt file among good ones), reload, the empty and error pages,
 * preferences bound to GSettings, saving its size, and a render of the window to PNG
 * that must show something.
 */
#define G_LOG_DOMAIN "test-app"

#include "config.h"

#include <math.h>
#include <string.h>

#include <adwaita.h>

#include "tm-application.h"
#include "tm-preferences-window.h"
#include "tm-store.h"
#include "tm-test-support.h"
#include "tm-ui-test-support.h"
#include "tm-window.h"
#include "tm-workflow.h"
#include "tm-x3p.h"

static TmApplication *app;
static char *tmpdir;
static char *db_path;

typedef struct
{
  const char *file;
  const char *case_number;
  const char *exhibit;
  const char *kind;
  guint       width;
  guint       height;
  double      pixel_um;
} Sample;

static const Sample samples[] = {
  { "alpha-1.x3p", "CASE-A", "A1", "crime-scene", 64, 48, 6.25 },
  { "alpha-2.x3p", "CASE-A", "A2", "test-fire",   80, 60, 3.5 },
  { "bravo-1.x3p", "CASE-B", "B1", "crime-scene", 100, 40, 1.5625 },
};

/* Writes a synthetic surface as X3P and imports it the way an import does: the file's
 * bytes as the original, the surface read back from them. */
static void
import_sample (TmStore      *store,
               const Sample *sample)
{
  g_autoptr(TmSurface) written = NULL;
  g_autoptr(TmSurface) surface = NULL;
  g_autoptr(TmCaseData) data = tm_case_data_new ();
  g_autoptr(GBytes) original = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, sample->file, NULL);
  g_autofree char *contents = NULL;
  gsize length;
  float *samples_data;
  gint64 id;

  written = tm_surface_new (sample->width, sample->height,
                            sample->pixel_um, sample->pixel_um, TM_MODALITY_3D);
  samples_data = tm_surface_get_data (written);
  for (guint y = 0; y < sample->height; y++)
    for (guint x = 0; x < sample->width; x++)
      samples_data[y * sample->width + x] =
        (x < 4) ? NAN : (float) (sin (x * 0.3) + cos (y * 0.2 + sample->width));
  tm_surface_sync_mask (written);

  tm_x3p_write_file (written, path, &error);
  g_assert_no_error (error);
  surface = tm_x3p_read_file (path, &error);
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  original = g_bytes_new_take (g_steal_pointer (&contents), length);

  data->case_number = g_strdup (sample->case_number);
  data->exhibit = g_strdup (sample->exhibit);
  data->kind = g_strdup (sample->kind);
  data->calibre = g_strdup ("9mm Luger");
  id = tm_store_add_acquisition (store, data, surface, original, sample->file,
                                 g_get_user_name (), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
}

static TmWindow *
open_window (const char *path)
{
  TmWindow *window = tm_window_new (app, path, tm_application_get_settings (app));

  gtk_window_present (GTK_WINDOW (window));
  tm_ui_test_iterate_until (tm_ui_test_window_loaded, window, 30);
  /* Let the window map, lay out and draw its rows. */
  tm_ui_test_iterate_for (400);
  return window;
}

static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (label == NULL || g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), label) == 0))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gint64
store_count (const char *path)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count;

  store = tm_store_open (path, &error);
  g_assert_no_error (error);
  count = tm_store_count_acquisitions (store, &error);
  g_assert_no_error (error);
  return count;
}

static const char *
file_at (GListModel *model,
         guint       position)
{
  g_autoptr(TmAcquisition) acquisition = g_list_model_get_item (model, position);

  g_assert_nonnull (acquisition);
  /* The store keeps the row alive; the string outlives this reference. */
  return tm_acquisition_get_file (acquisition);
}

static void
test_window_list (void)
{
  TmWindow *window = open_window (db_path);
  GtkColumnView *column_view;
  GListModel *model;

  g_assert_cmpstr (tm_window_get_view (window), ==, "list");
  column_view = GTK_COLUMN_VIEW (find_widget (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW, NULL));
  g_assert_nonnull (column_view);
  model = G_LIST_MODEL (gtk_column_view_get_model (column_view));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, store_count (db_path));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (samples));

  /* The cells are really bound: labels formatted by the template's closures exist. */
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "alpha-1.x3p"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "CASE-B"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "Test fire"));
  /* Added without derived data (no preprocessing): a search cannot find them yet. */
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "Not preprocessed"));

  /* The first row is selected at load, so the detail pane is never empty. */
  g_assert_nonnull (tm_detail_pane_get_acquisition (tm_window_get_detail_pane (window)));

  /* The detail pane shows the selected row's metadata. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (file_at (model, i), "alpha-1.x3p") == 0)
      tm_window_select_position (window, i);
  tm_ui_test_iterate_for (100);
  g_assert_cmpstr (tm_acquisition_get_file (tm_detail_pane_get_acquisition (tm_window_get_detail_pane (window))),
                   ==, "alpha-1.x3p");
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "64 × 48"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "6.250 µm"));
  /* 4 of 64 columns are NaN in the first sample. */
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "93.8 %"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "9mm Luger"));

  /* The user and role, as the primary menu shows them. */
  g_assert_nonnull (tm_window_get_user_label (window));
  g_assert_nonnull (strstr (tm_window_get_user_label (window), g_get_user_name ()));
  g_assert_nonnull (strstr (tm_window_get_user_label (window), "administrator"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_n_visible (gpointer data)
{
  TmWindow *window = data;
  guint wanted = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (window), "wanted"));

  return g_list_model_get_n_items (tm_window_get_visible_model (window)) == wanted;
}

static void
test_window_search (void)
{
  TmWindow *window = open_window (db_path);
  GListModel *visible = tm_window_get_visible_model (window);
  GtkEditable *entry;

  tm_window_set_search_text (window, "case-b");
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  g_assert_cmpstr (file_at (visible, 0), ==, "bravo-1.x3p");

  tm_window_set_search_text (window, "ALPHA");
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);

  /* Exhibit numbers match too; "A2" is in no file name. */
  tm_window_set_search_text (window, "a2");
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  g_assert_cmpstr (file_at (visible, 0), ==, "alpha-2.x3p");

  tm_window_set_search_text (window, "no such thing");
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 0);
  g_assert_cmpstr (tm_window_get_view (window), ==, "no-results");

  tm_window_set_search_text (window, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, G_N_ELEMENTS (samples));
  g_assert_cmpstr (tm_window_get_view (window), ==, "list");

  /* Typing in the entry, as a person does (search-changed is debounced). */
  /* The sidebar's entry: other pages (leads) have search entries of their own. */
  entry = GTK_EDITABLE (find_widget (gtk_widget_get_ancestor (GTK_WIDGET (tm_window_get_case_browser (window)),
                                                              GTK_TYPE_BOX),
                                     GTK_TYPE_SEARCH_ENTRY, NULL));
  g_assert_nonnull (entry);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.find", NULL);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (entry)) ||
                 gtk_widget_is_focus (gtk_root_get_focus (GTK_ROOT (window))));
  gtk_editable_set_text (entry, "bravo");
  g_object_set_data (G_OBJECT (window), "wanted", GUINT_TO_POINTER (1));
  tm_ui_test_iterate_until (has_n_visible, window, 30);
  g_assert_cmpstr (file_at (visible, 0), ==, "bravo-1.x3p");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_sort (void)
{
  TmWindow *window = open_window (db_path);
  GtkColumnView *column_view;
  GListModel *columns;
  GListModel *visible = tm_window_get_visible_model (window);
  g_autoptr(GtkColumnViewColumn) file_column = NULL;
  g_autoptr(GtkColumnViewColumn) kind_column = NULL;
  g_autoptr(GtkColumnViewColumn) exhibit_column = NULL;

  column_view = GTK_COLUMN_VIEW (find_widget (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW, NULL));
  columns = gtk_column_view_get_columns (column_view);
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 8);
  file_column = g_list_model_get_item (columns, 0);
  exhibit_column = g_list_model_get_item (columns, 2);
  kind_column = g_list_model_get_item (columns, 3);
  g_assert_cmpstr (gtk_column_view_column_get_title (file_column), ==, "File");
  g_assert_cmpstr (gtk_column_view_column_get_title (kind_column), ==, "Kind");

  gtk_column_view_sort_by_column (column_view, file_column, GTK_SORT_DESCENDING);
  g_assert_cmpstr (file_at (visible, 0), ==, "bravo-1.x3p");
  g_assert_cmpstr (file_at (visible, 2), ==, "alpha-1.x3p");
  gtk_column_view_sort_by_column (column_view, file_column, GTK_SORT_ASCENDING);
  g_assert_cmpstr (file_at (visible, 0), ==, "alpha-1.x3p");

  /* By kind: the one test fire after the crime-scene exhibits. */
  gtk_column_view_sort_by_column (column_view, kind_column, GTK_SORT_ASCENDING);
  g_assert_cmpstr (file_at (visible, 2), ==, "alpha-2.x3p");
  gtk_column_view_sort_by_column (column_view, exhibit_column, GTK_SORT_DESCENDING);
  g_assert_cmpstr (file_at (visible, 0), ==, "bravo-1.x3p");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_render (void)
{
  TmWindow *window = open_window (db_path);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  g_autofree char *png = NULL;
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  GskRenderer *renderer;
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));
  gsize dark = 0;

  g_assert_cmpint (width, >, 300);
  g_assert_cmpint (height, >, 200);

  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));

  png = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ?: tmpdir, "test-app-window.png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("window rendered to %s", png);

  /* Not blank: many colours (text is antialiased), and a fair share of dark pixels,
   * the text of the header bar and of the rows. */
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      const guchar *p = pixels + i * 4;
      guint32 value = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];

      g_hash_table_add (colours, GUINT_TO_POINTER (value));
      if (p[3] > 200 && p[0] < 96 && p[1] < 96 && p[2] < 96)
        dark++;
    }
  g_test_message ("%u colours, %" G_GSIZE_FORMAT " dark pixels of %d",
                  g_hash_table_size (colours), dark, width * height);
  g_assert_cmpuint (g_hash_table_size (colours), >, 32);
  g_assert_cmpuint (dark, >, (gsize) width * height / 1000);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_reload (void)
{
  TmWindow *window = open_window (db_path);
  static const Sample extra = { "charlie-1.x3p", "CASE-C", "C1", "test-fire", 50, 50, 2.0 };

  g_assert_cmpuint (g_list_model_get_n_items (tm_window_get_acquisitions (window)), ==, 3);
  {
    g_autoptr(TmStore) store = NULL;
    g_autoptr(GError) error = NULL;

    store = tm_store_open (db_path, &error);
    g_assert_no_error (error);
    import_sample (store, &extra);
  }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.reload", NULL);
  g_assert_true (tm_window_get_loading (window));
  tm_ui_test_iterate_until (tm_ui_test_window_loaded, window, 30);
  g_assert_cmpuint (g_list_model_get_n_items (tm_window_get_visible_model (window)), ==, store_count (db_path));
  g_assert_cmpuint (g_list_model_get_n_items (tm_window_get_visible_model (window)), ==, 4);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_empty (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "empty", "toolmark.db", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *quoted = g_shell_quote (path);
  TmWindow *window = open_window (path);

  /* Opening created the database. */
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (tm_window_get_view (window), ==, "empty");
  expected = g_strdup_printf ("toolmark-cli --db %s import SCAN.x3p…", quoted);
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, expected));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_error (void)
{
  g_autofree char *blocker = g_build_filename (tmpdir, "a-file", NULL);
  g_autofree char *path = g_build_filename (blocker, "toolmark.db", NULL);
  TmWindow *window;
  AdwStatusPage *page;

  /* A regular file where the database's folder should be: opening must fail. */
  g_assert_true (g_file_set_contents (blocker, "not a folder", -1, NULL));
  window = open_window (path);
  g_assert_cmpstr (tm_window_get_view (window), ==, "error");
  page = ADW_STATUS_PAGE (find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, NULL));
  g_assert_nonnull (page);
  g_assert_cmpuint (g_list_model_get_n_items (tm_window_get_acquisitions (window)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_state (void)
{
  GSettings *settings = tm_application_get_settings (app);
  TmWindow *window;
  int width, height;

  g_assert_nonnull (settings);
  window = open_window (db_path);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 610);
  tm_ui_test_iterate_for (100);
  gtk_window_close (GTK_WINDOW (window));
  g_settings_get (settings, "window-size", "(ii)", &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 610);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  /* A new window starts at the saved size. */
  window = open_window (db_path);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 610);
  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
count_about_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (window))
        count++;
    }
  return count;
}

static void
test_app_quit (void)
{
  GSettings *settings = tm_application_get_settings (app);
  TmWindow *window = open_window (db_path);
  int width, height;

  gtk_window_set_default_size (GTK_WINDOW (window), 950, 620);
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  tm_ui_test_iterate_for (200);
  g_assert_cmpuint (count_about_windows (), ==, 1);

  /* Quit closes every window (the About window with its parent) and saves state. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  tm_ui_test_iterate_for (100);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_assert_cmpuint (count_about_windows (), ==, 0);
  g_settings_get (settings, "window-size", "(ii)", &width, &height);
  g_assert_cmpint (width, ==, 950);
  g_assert_cmpint (height, ==, 620);
}

static GtkWidget *
find_named (GtkWidget  *widget,
            GType       type,
            const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (name == NULL || g_strcmp0 (gtk_widget_get_name (widget), name) == 0))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, type, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A form row (AdwEntryRow, AdwComboRow, …) by its title. */
static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  return tm_ui_test_find_row (widget, ADW_TYPE_PREFERENCES_ROW, title);
}

static void
test_window_browser (void)
{
  TmWindow *window = open_window (db_path);
  GListModel *visible = tm_window_get_visible_model (window);
  TmCaseBrowser *browser = tm_window_get_case_browser (window);
  GtkDropDown *kind, *modality, *calibre;
  g_autofree char *case_a = NULL;
  g_autofree char *exhibit_a2 = NULL;
  GtkWidget *dropdown;

  g_assert_cmpuint (tm_case_browser_get_n_cases (browser), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    {
      g_autoptr(TmAcquisition) acquisition = g_list_model_get_item (visible, i);

      if (g_strcmp0 (tm_acquisition_get_file (acquisition), "alpha-2.x3p") == 0)
        {
          case_a = g_strdup (tm_acquisition_get_case_uuid (acquisition));
          exhibit_a2 = g_strdup (tm_acquisition_get_exhibit_uuid (acquisition));
        }
    }
  g_assert_nonnull (case_a);

  /* A case shows its acquisitions; an exhibit (its case expanded) only its own. */
  g_assert_true (tm_case_browser_select (browser, case_a, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  g_assert_true (tm_case_browser_select (browser, case_a, exhibit_a2));
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  g_assert_cmpstr (file_at (visible, 0), ==, "alpha-2.x3p");
  g_assert_false (tm_case_browser_select (browser, "no-such-case", NULL));
  g_assert_true (tm_case_browser_select (browser, NULL, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 3);

  /* The dropdowns of the sidebar, in their order: kind, modality, calibre. */
  /* In the sidebar: the leads page has dropdowns of its own. */
  dropdown = find_widget (gtk_widget_get_ancestor (GTK_WIDGET (browser), GTK_TYPE_BOX),
                          GTK_TYPE_DROP_DOWN, NULL);
  g_assert_nonnull (dropdown);
  kind = GTK_DROP_DOWN (dropdown);
  modality = GTK_DROP_DOWN (find_widget (gtk_widget_get_next_sibling (dropdown), GTK_TYPE_DROP_DOWN, NULL));
  calibre = GTK_DROP_DOWN (find_widget (gtk_widget_get_next_sibling (gtk_widget_get_parent (dropdown)),
                                        GTK_TYPE_DROP_DOWN, NULL));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (kind)), ==, "Evidence kind");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (modality)), ==, "Modality");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (calibre)), ==, "Calibre");

  gtk_drop_down_set_selected (kind, 2);  /* test fires */
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  g_assert_cmpstr (file_at (visible, 0), ==, "alpha-2.x3p");
  gtk_drop_down_set_selected (kind, 1);  /* crime scene */
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  gtk_drop_down_set_selected (kind, 0);

  gtk_drop_down_set_selected (modality, 2);  /* 2D: the samples are all 3D */
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 0);
  g_assert_cmpstr (tm_window_get_view (window), ==, "no-results");
  gtk_drop_down_set_selected (modality, 1);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 3);
  gtk_drop_down_set_selected (modality, 0);

  /* The calibres come from the data: "All calibres", then the one the samples have. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (calibre)), ==, 2);
  gtk_drop_down_set_selected (calibre, 1);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 3);

  /* Filters combine with the search and the case. */
  tm_window_set_search_text (window, "alpha");
  g_assert_true (tm_case_browser_select (browser, case_a, NULL));
  gtk_drop_down_set_selected (kind, 1);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  g_assert_cmpstr (file_at (visible, 0), ==, "alpha-1.x3p");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
detail_idle (gpointer data)
{
  return !tm_detail_pane_get_busy (TM_DETAIL_PANE (data));
}

static void
test_window_detail (void)
{
  TmWindow *window = open_window (db_path);
  TmDetailPane *pane = tm_window_get_detail_pane (window);
  GdkPaintable *scan;

  tm_window_select_position (window, 1);
  tm_ui_test_iterate_until (detail_idle, pane, 30);
  scan = tm_detail_pane_get_scan_thumbnail (pane);
  /* The scan, read back from the blob store and rendered as relief off the thread. */
  g_assert_nonnull (scan);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (scan), ==,
                   tm_acquisition_get_width (tm_detail_pane_get_acquisition (pane)));
  /* These samples were stored without preprocessing: no region thumbnail. */
  g_assert_null (tm_detail_pane_get_region_thumbnail (pane));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL,
                                 "Not preprocessed: run “toolmark-cli reprocess”"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Saves what @widget shows to G_TEST_BUILDDIR/@name, for a person to look at. */
static void
save_png (GtkWidget  *widget,
          const char *name)
{
  g_autofree char *png = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ?: tmpdir, name, NULL);

  tm_ui_test_save_png (widget, png);
  g_test_message ("%s rendered to %s", G_OBJECT_TYPE_NAME (widget), png);
}

static gboolean
import_idle (gpointer data)
{
  return !tm_import_dialog_get_running (TM_IMPORT_DIALOG (data));
}

static void
test_window_import (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "import", NULL);
  g_autofree char *scans = g_build_filename (dir, "scans", NULL);
  g_autofree char *path = g_build_filename (dir, "toolmark.db", NULL);
  g_autofree char *broken = g_build_filename (scans, "broken.x3p", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
  g_autoptr(GDir) listing = NULL;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  const char *synth[] = { "synth", "--firearms", "1", "--cases", "3", "--size", "200",
                          "--out", scans, NULL };
  const char *name;
  TmImportDialog *dialog;
  TmWindow *window;
  GtkWidget *import;
  guint n_broken = 0;

  g_assert_cmpint (tm_test_run_cli (synth, &out, &err), ==, 0);
  /* A file named like a scan that is not one: it must fail alone. */
  g_assert_true (g_file_set_contents (broken, "PK\003\004 this is not a zip archive", -1, NULL));
  listing = g_dir_open (scans, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".x3p"))
      {
        g_autofree char *file_path = g_build_filename (scans, name, NULL);
        g_autoptr(GFile) file = g_file_new_for_path (file_path);

        g_list_store_append (files, file);
      }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (files)), ==, 4);

  window = open_window (path);
  g_assert_cmpstr (tm_window_get_view (window), ==, "empty");
  dialog = tm_window_open_import (window, G_LIST_MODEL (files));
  gtk_window_present (GTK_WINDOW (dialog));
  tm_ui_test_iterate_for (200);
  paths = tm_import_dialog_dup_paths (dialog);
  g_assert_cmpuint (g_strv_length (paths), ==, 4);

  /* Fill the form as a person does. */
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Agency")), "Test PD");
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Agency case number")), "CASE-IMP-7");
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Lab case number")), "L-2024-77");
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Offense")), "Aggravated assault");
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Calibre")), "9mm Luger");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (GTK_WIDGET (dialog), "Evidence kind")), 1);
  g_assert_true (gtk_widget_get_visible (find_row (GTK_WIDGET (dialog), "Firearm make")));
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Firearm make")), "Glock");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (GTK_WIDGET (dialog), "Firing-pin shape")), 2);
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (GTK_WIDGET (dialog), "Breech-face class")), 5);
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "On the firing pin")), "AB12");

  import = tm_ui_test_find_button (GTK_WIDGET (dialog), "_Import");
  g_assert_nonnull (import);

  /* A date that is not one is refused before anything runs. */
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Incident date (YYYY-MM-DD)")), "5 March");
  g_signal_emit_by_name (import, "clicked");
  g_assert_false (tm_import_dialog_get_running (dialog));
  g_assert_true (gtk_widget_has_css_class (find_row (GTK_WIDGET (dialog), "Incident date (YYYY-MM-DD)"), "error"));
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (dialog), "Incident date (YYYY-MM-DD)")), "2024-03-05");

  g_signal_emit_by_name (import, "clicked");
  g_assert_true (tm_import_dialog_get_running (dialog));
  tm_ui_test_iterate_until (import_idle, dialog, 30);

  g_assert_cmpuint (tm_import_dialog_get_n_imported (dialog), ==, 3);
  g_assert_cmpuint (tm_import_dialog_get_n_failed (dialog), ==, 1);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      const char *message = tm_import_dialog_get_file_error (dialog, i);

      if (g_str_has_suffix (paths[i], "broken.x3p"))
        {
          n_broken++;
          g_assert_nonnull (message);
          g_test_message ("broken.x3p: %s", message);
          /* The message names the file, and is on the file's row. */
          g_assert_nonnull (strstr (message, "broken.x3p"));
        }
      else
        g_assert_null (message);
    }
  g_assert_cmpuint (n_broken, ==, 1);
  tm_ui_test_iterate_for (100);
  save_png (GTK_WIDGET (dialog), "test-app-import.png");

  /* The store has the three good scans with what the form said. */
  store = tm_store_open (path, &error);
  g_assert_no_error (error);
  stored = tm_store_list_acquisitions (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 3);
  for (guint i = 0; i < stored->len; i++)
    {
      TmAcquisition *a = g_ptr_array_index (stored, i);

      g_assert_cmpstr (tm_acquisition_get_case_number (a), ==, "CASE-IMP-7");
      g_assert_cmpstr (tm_acquisition_get_agency (a), ==, "Test PD");
      g_assert_cmpstr (tm_acquisition_get_lab_case_number (a), ==, "L-2024-77");
      g_assert_cmpstr (tm_acquisition_get_incident_date (a), ==, "2024-03-05");
      g_assert_cmpstr (tm_acquisition_get_offense (a), ==, "Aggravated assault");
      g_assert_cmpstr (tm_acquisition_get_kind (a), ==, "test-fire");
      g_assert_cmpstr (tm_acquisition_get_firearm_make (a), ==, "Glock");
      g_assert_cmpstr (tm_acquisition_get_calibre (a), ==, "9mm Luger");
      g_assert_cmpstr (tm_acquisition_get_firing_pin_shape (a), ==, "elliptical");
      g_assert_cmpstr (tm_acquisition_get_breech_face_class (a), ==, "parallel");
      g_assert_nonnull (strstr (tm_acquisition_get_microstamp (a), "AB12"));
      g_assert_cmpstr (tm_acquisition_get_imported_by (a), ==, g_get_user_name ());
    }

  /* The window reloaded by itself and shows them, searchable (preprocessed at import). */
  tm_ui_test_iterate_until (tm_ui_test_window_loaded, window, 30);
  g_assert_cmpuint (g_list_model_get_n_items (tm_window_get_visible_model (window)), ==, 3);
  g_assert_cmpstr (tm_window_get_view (window), ==, "list");
  tm_ui_test_iterate_for (200);
  g_assert_nonnull (find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "Searchable"));

  /* The preprocessed region thumbnail shows for an imported scan. */
  tm_ui_test_iterate_until (detail_idle, tm_window_get_detail_pane (window), 30);
  g_assert_nonnull (tm_detail_pane_get_scan_thumbnail (tm_window_get_detail_pane (window)));
  g_assert_nonnull (tm_detail_pane_get_region_thumbnail (tm_window_get_detail_pane (window)));

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_preferences (void)
{
  GSettings *settings = tm_application_get_settings (app);
  TmPreferencesWindow *preferences;
  GtkWidget *row;
  GtkSpinButton *spin;
  GtkSwitch *toggle;
  AdwStyleManager *style = adw_style_manager_get_default ();

  g_assert_nonnull (settings);
  preferences = tm_preferences_window_new (NULL, settings);
  gtk_window_present (GTK_WINDOW (preferences));
  tm_ui_test_iterate_for (100);

  /* Window → settings. */
  row = find_named (GTK_WIDGET (preferences), ADW_TYPE_ACTION_ROW, "default-top-n");
  g_assert_nonnull (row);
  spin = GTK_SPIN_BUTTON (find_widget (row, GTK_TYPE_SPIN_BUTTON, NULL));
  gtk_spin_button_set_value (spin, 37);
  g_assert_cmpuint (g_settings_get_uint (settings, "default-top-n"), ==, 37);

  row = find_named (GTK_WIDGET (preferences), ADW_TYPE_COMBO_ROW, "render-mode");
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 2);
  g_assert_cmpstr (g_settings_get_string (settings, "render-mode"), ==, "grey");

  row = find_named (GTK_WIDGET (preferences), ADW_TYPE_ENTRY_ROW, "search-scope-calibres");
  gtk_editable_set_text (GTK_EDITABLE (row), "9mm Luger, .40 S&W ,");
  {
    g_auto(GStrv) calibres = g_settings_get_strv (settings, "search-scope-calibres");

    g_assert_cmpuint (g_strv_length (calibres), ==, 2);
    g_assert_cmpstr (calibres[1], ==, ".40 S&W");
  }

  /* Settings → window. */
  row = find_named (GTK_WIDGET (preferences), ADW_TYPE_ACTION_ROW, "same-calibre-only");
  toggle = GTK_SWITCH (find_widget (row, GTK_TYPE_SWITCH, NULL));
  g_settings_set_boolean (settings, "same-calibre-only", FALSE);
  g_assert_false (gtk_switch_get_active (toggle));
  g_settings_set_boolean (settings, "same-calibre-only", TRUE);
  g_assert_true (gtk_switch_get_active (toggle));
  g_settings_set_double (settings, "light-azimuth", 120);
  spin = GTK_SPIN_BUTTON (find_widget (find_named (GTK_WIDGET (preferences), ADW_TYPE_ACTION_ROW, "light-azimuth"),
                                       GTK_TYPE_SPIN_BUTTON, NULL));
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 120);

  /* The style follows its key. */
  row = find_named (GTK_WIDGET (preferences), ADW_TYPE_COMBO_ROW, "color-scheme");
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 2);
  g_assert_cmpstr (g_settings_get_string (settings, "color-scheme"), ==, "dark");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_settings_reset (settings, "color-scheme");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 0);

  tm_ui_test_iterate_for (300);
  if (gtk_widget_get_width (GTK_WIDGET (preferences)) > 0)
    save_png (GTK_WIDGET (preferences), "test-app-preferences.png");
  g_settings_reset (settings, "default-top-n");
  g_settings_reset (settings, "render-mode");
  g_settings_reset (settings, "search-scope-calibres");
  g_settings_reset (settings, "light-azimuth");
  gtk_window_destroy (GTK_WINDOW (preferences));
}

static gboolean
message_shown (gpointer data)
{
  return tm_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static TmWindow *
main_window (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (TM_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
run_cli (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (tm_test_run_cli ((const char * const *) argv->pdata, &out, &err) != 0)
    g_error ("toolmark-cli %s failed: %s", first, err);
}

/* What a file manager's "Open With Toolmark" does: g_application_open on the real
 * application with scans, an exchange package and a file that is neither. */
static void
test_app_open (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "open", NULL);
  g_autofree char *scans = g_build_filename (dir, "scans", NULL);
  g_autofree char *path = g_build_filename (dir, "toolmark.db", NULL);
  g_autofree char *sender = g_build_filename (dir, "sender.db", NULL);
  g_autofree char *package = g_build_filename (dir, "from-sender.tmpkg", NULL);
  g_autofree char *notes = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *first = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) scan_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) paths = NULL;
  const char *name;
  const char *body;
  TmImportDialog *dialog;
  GtkWindow *message;
  TmWindow *window;
  GtkWidget *toast;

  g_assert_null (main_window ());
  run_cli ("synth", "--firearms", "1", "--cases", "2", "--size", "200", "--out", scans, NULL);
  listing = g_dir_open (scans, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".x3p"))
      {
        g_autofree char *file_path = g_build_filename (scans, name, NULL);

        g_ptr_array_add (files, g_file_new_for_path (file_path));
        g_ptr_array_add (scan_names, g_strdup (name));
        if (first == NULL)
          first = g_steal_pointer (&file_path);
      }
  g_assert_cmpuint (files->len, ==, 2);

  /* Another site's package of one scan, made with the command line. */
  run_cli ("--db", sender, "import", "--case", "SENT-9", "--exhibit", "S1", first, NULL);
  run_cli ("--db", sender, "package", "export", "--case", "SENT-9", "--agency", "Sender PD",
           "-o", package, NULL);
  g_assert_true (g_file_test (package, G_FILE_TEST_IS_REGULAR));
  g_ptr_array_add (files, g_file_new_for_path (package));
  g_assert_true (g_file_set_contents (notes, "not a scan", -1, NULL));
  g_ptr_array_add (files, g_file_new_for_path (notes));

  /* No window is open: opening makes one on the application's database. */
  tm_application_set_db_path (app, path);
  g_application_open (G_APPLICATION (app), (GFile **) files->pdata, (int) files->len, "");
  window = main_window ();
  g_assert_nonnull (window);
  g_assert_cmpstr (tm_window_get_db_path (window), ==, path);

  /* The scans are in the import dialog, the same one Ctrl+O and a drop open. */
  dialog = TM_IMPORT_DIALOG (tm_ui_test_find_toplevel (TM_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  paths = tm_import_dialog_dup_paths (dialog);
  g_assert_cmpuint (g_strv_length (paths), ==, 2);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (paths[i]);

      g_assert_true (g_ptr_array_find_with_equal_func (scan_names, base, g_str_equal, NULL));
    }

  /* The text file is refused by name. */
  tm_ui_test_iterate_for (200);
  toast = tm_ui_test_find_label_containing (GTK_WIDGET (window), "notes.txt");
  g_assert_nonnull (toast);
  g_test_message ("refused: %s", gtk_label_get_text (GTK_LABEL (toast)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (toast)), "not a scan"));

  /* The package is verified and imported in the background, then reported; the
   * window reloads and lists what came in. */
  tm_ui_test_iterate_until (message_shown, NULL, 30);
  message = tm_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (message));
  g_test_message ("%s: %s", adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (message)), body);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (message)), ==, "Exchange package");
  g_assert_nonnull (strstr (body, "Sender PD"));
  g_assert_nonnull (strstr (body, "1 imported"));
  g_assert_cmpint (store_count (path), ==, 1);
  tm_ui_test_iterate_until (tm_ui_test_window_loaded, window, 30);
  g_assert_cmpuint (g_list_model_get_n_items (tm_window_get_acquisitions (window)), ==, 1);
  gtk_window_destroy (message);

  /* A second open reuses the window; nothing else opens for a refused file. */
  {
    g_autoptr(GFile) again = g_file_new_for_path (notes);

    gtk_window_destroy (GTK_WINDOW (dialog));
    g_application_open (G_APPLICATION (app), &again, 1, "");
    g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
    g_assert_null (tm_ui_test_find_toplevel (TM_TYPE_IMPORT_DIALOG));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  tm_application_set_db_path (app, db_path);
}

/* The detail pane lists the leads of the selected acquisition; a row opens the lead. */
static void
test_window_detail_leads (void)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  gint64 ids[2] = { 0, 0 };
  gint64 lead_id;
  TmWindow *window;
  TmDetailPane *pane;
  GListModel *visible;
  GtkWidget *row;

  store = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  stored = tm_store_list_acquisitions (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < stored->len; i++)
    {
      TmAcquisition *a = g_ptr_array_index (stored, i);

      if (g_strcmp0 (tm_acquisition_get_file (a), "alpha-1.x3p") == 0)
        ids[0] = tm_acquisition_get_id (a);
      else if (g_strcmp0 (tm_acquisition_get_file (a), "bravo-1.x3p") == 0)
        ids[1] = tm_acquisition_get_id (a);
    }
  lead_id = tm_store_create_lead (store, ids, 2, "Same breech face marks", 0, g_get_user_name (), &error);
  g_assert_no_error (error);
  g_assert_cmpint (lead_id, >, 0);

  window = open_window (db_path);
  pane = tm_window_get_detail_pane (window);
  visible = tm_window_get_visible_model (window);
  title = g_strdup_printf ("Lead %" G_GINT64_FORMAT " · Open", lead_id);

  /* A scan in no lead shows none. */
  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    if (g_strcmp0 (file_at (visible, i), "alpha-2.x3p") == 0)
      tm_window_select_position (window, i);
  tm_ui_test_iterate_until (detail_idle, pane, 30);
  g_assert_null (find_row (GTK_WIDGET (pane), title));

  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    if (g_strcmp0 (file_at (visible, i), "alpha-1.x3p") == 0)
      tm_window_select_position (window, i);
  tm_ui_test_iterate_until (detail_idle, pane, 30);
  row = find_row (GTK_WIDGET (pane), title);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_is_visible (row));
  /* The other evidence of the lead, not the selected scan itself. */
  g_test_message ("%s: %s", title, adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Case CASE-B · Item B1"));
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "CASE-A"));

  /* Activating the row, as a click or Enter does, shows the lead. */
  g_assert_cmpstr (tm_window_get_page (window), ==, "acquisition");
  gtk_widget_activate (row);
  g_assert_cmpstr (tm_window_get_page (window), ==, "leads");
  tm_ui_test_iterate_for (100);
  tm_ui_test_iterate_until (tm_ui_test_leads_loaded, tm_window_get_leads_page (window), 30);
  tm_ui_test_iterate_for (100);
  g_assert_cmpint (tm_lead_view_get_lead_id (tm_leads_page_get_lead_view (tm_window_get_leads_page (window))),
                   ==, lead_id);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (!tm_ui_test_can_run ())
    return g_test_run ();

  tmpdir = tm_test_make_tmpdir ("toolmark-test-app-XXXXXX");
  db_path = g_build_filename (tmpdir, "toolmark.db", NULL);
  store = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    import_sample (store, &samples[i]);
  g_clear_object (&store);

  app = tm_ui_test_application_new (db_path);

  g_test_add_func ("/app/window/list", test_window_list);
  g_test_add_func ("/app/window/search", test_window_search);
  g_test_add_func ("/app/window/sort", test_window_sort);
  g_test_add_func ("/app/window/browser", test_window_browser);
  g_test_add_func ("/app/window/detail", test_window_detail);
  g_test_add_func ("/app/window/import", test_window_import);
  g_test_add_func ("/app/preferences", test_preferences);
  g_test_add_func ("/app/window/render", test_window_render);
  g_test_add_func ("/app/window/empty", test_window_empty);
  g_test_add_func ("/app/window/error", test_window_error);
  g_test_add_func ("/app/window/state", test_window_state);
  g_test_add_func ("/app/window/reload", test_window_reload);
  g_test_add_func ("/app/window/detail-leads", test_window_detail_leads);
  g_test_add_func ("/app/open", test_app_open);
  g_test_add_func ("/app/quit", test_app_quit);

  status = g_test_run ();

  g_clear_object (&app);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&tmpdir, g_free);
  return status;
}
