/* tm-window.c — the main window: the acquisitions of one database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is read by a worker thread with its own TmStore connection (SQLite
 * connections are per thread), so opening a database of 100,000 acquisitions never
 * blocks the window; the rows then arrive in the GListStore in a single splice. The
 * column view shows acquisitions → GtkFilterListModel (search text, and the sidebar's
 * case/exhibit, kind, modality and calibre) → GtkSortListModel (the column view's
 * sorter) → GtkSingleSelection; the columns, their cells and sorters are declared in
 * ui/tm-window.ui and format values through the closures below.
 *
 * Layout: an AdwLeaflet of the sidebar (search, filters, TmCaseBrowser) and the
 * content (a GtkStack of the "acquisition" page — list and TmDetailPane — and the
 * "review" page), which folds to one column below about 1000 px with a back button.
 */
#define G_LOG_DOMAIN "tm-window"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tm-case-browser.h"
#include "tm-correlate-dialog.h"
#include "tm-detail-pane.h"
#include "tm-import-dialog.h"
#include "tm-importer.h"
#include "tm-hits-page.h"
#include "tm-leads-page.h"
#include "tm-review-page.h"
#include "tm-store.h"
#include "tm-sync-dialog.h"
#include "tm-text-column.h"
#include "tm-window.h"

/* The state of an acquisition in the list, set by the loader on each row. */
#define STATE_KEY "tm-window-state"

struct _TmWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  AdwLeaflet           *leaflet;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *kind_dropdown;
  GtkDropDown          *modality_dropdown;
  GtkDropDown          *calibre_dropdown;
  GtkStringList        *calibres;
  TmCaseBrowser        *case_browser;
  GtkStack             *main_stack;
  GtkWidget            *list_button;
  GtkStack             *stack;
  GtkColumnView        *column_view;
  TmDetailPane         *detail_pane;
  AdwBin               *review_slot;
  TmReviewPage         *review_page;
  AdwBin               *leads_slot;
  TmLeadsPage          *leads_page;
  AdwBin               *hits_slot;
  TmHitsPage           *hits_page;
  GMenu                *user_section;
  AdwStatusPage        *empty_page;
  GtkLabel             *import_command_label;
  AdwStatusPage        *error_page;

  /* Models, from the store to the view */
  GListStore           *acquisitions;
  GtkStringFilter      *search_filter;
  GtkCustomFilter      *browse_filter;
  GtkEveryFilter       *filter;
  GtkFilterListModel   *filter_model;
  GtkSortListModel     *sort_model;
  GtkSingleSelection   *selection;

  GSettings            *settings;
  GCancellable         *cancellable;
  char                 *db_path;
  char                 *load_error;
  char                 *user_label;
  gint64                load_started;
  guint                 loading : 1;
};

enum {
  PROP_0,
  PROP_DB_PATH,
  PROP_SETTINGS,
  PROP_LOADING,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TmWindow, tm_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

/* The database path as a person reads it: "~/…" under the home folder. */
static char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);

  if (len > 1 && g_str_has_prefix (path, home) && path[len] == G_DIR_SEPARATOR)
    return g_strconcat ("~", path + len, NULL);
  return g_strdup (path);
}

static char *
import_command (TmWindow *self)
{
  g_autofree char *default_path = NULL;
  g_autofree char *quoted = NULL;

  default_path = g_build_filename (g_get_user_data_dir (), "toolmark", "toolmark.db", NULL);
  if (g_strcmp0 (default_path, self->db_path) == 0)
    return g_strdup ("toolmark-cli import SCAN.x3p…");

  quoted = g_shell_quote (self->db_path);
  return g_strdup_printf ("toolmark-cli --db %s import SCAN.x3p…", quoted);
}

static void tm_window_update_sync_actions (TmWindow *self);

static void
tm_window_update_view (TmWindow *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->acquisitions));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  g_autofree char *path = display_path (self->db_path);
  g_autofree char *subtitle = NULL;
  const char *page;

  if (self->load_error != NULL && total == 0)
    page = "error";
  else if (self->loading && total == 0)
    page = "loading";
  else if (total == 0)
    page = "empty";
  else if (shown == 0)
    page = "no-results";
  else
    page = "list";
  gtk_stack_set_visible_child_name (self->stack, page);
  tm_window_update_sync_actions (self);

  if (self->load_error != NULL && total == 0)
    subtitle = g_strdup (path);
  else if (self->loading && total == 0)
    /* Translators: the window subtitle while reading; %s is the database file */
    subtitle = g_strdup_printf (_("%s — loading…"), path);
  else if (shown != total)
    /* Translators: the window subtitle during a search: database file, rows shown, all rows */
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%s — %u of %u acquisition",
                                             "%s — %u of %u acquisitions", total),
                                path, shown, total);
  else
    /* Translators: the window subtitle: the database file and how many acquisitions it holds */
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%s — %u acquisition",
                                             "%s — %u acquisitions", total),
                                path, total);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
tm_window_set_loading (TmWindow *self,
                       gboolean  loading)
{
  loading = !!loading;
  if (self->loading == loading)
    return;

  self->loading = loading;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reload", !loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

typedef struct
{
  GPtrArray *list;
  char      *user_label;
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->list, g_ptr_array_unref);
  g_free (result->user_label);
  g_free (result);
}

/* Runs in a worker thread: its own connection, never the window. */
static void
tm_window_load_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  const char *db_path = task_data;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GArray) stale = NULL;
  g_autoptr(GHashTable) stale_ids = NULL;
  g_autofree char *params_hash = NULL;
  g_autofree char *role = NULL;
  TmPreprocessParams params;
  LoadResult *result;
  GError *error = NULL;

  store = tm_store_open (db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  list = tm_store_list_acquisitions (store, &error);
  if (list == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* An acquisition a search can find has its derived data made with the current
   * parameters; the others need `toolmark-cli reprocess` first. */
  tm_preprocess_params_init (&params);
  params_hash = tm_derived_params_hash (&params);
  stale = tm_store_list_stale (store, params_hash, &error);
  if (stale == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  stale_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < stale->len; i++)
    g_hash_table_add (stale_ids, &g_array_index (stale, gint64, i));
  for (guint i = 0; i < list->len; i++)
    {
      TmAcquisition *acquisition = g_ptr_array_index (list, i);
      gint64 id = tm_acquisition_get_id (acquisition);

      g_object_set_data (G_OBJECT (acquisition), STATE_KEY,
                         GINT_TO_POINTER (g_hash_table_contains (stale_ids, &id) ? 2 : 1));
    }

  result = g_new0 (LoadResult, 1);
  result->list = g_steal_pointer (&list);
  /* The app acts as the OS login; its role decides what it may do. */
  role = tm_store_get_user_role (store, g_get_user_name (), NULL);
  if (role != NULL)
    /* Translators: in the main menu: the login and the role (e.g. "technician") */
    result->user_label = g_strdup_printf (_("Signed in as %s (%s)"), g_get_user_name (), role);
  else
    /* Translators: in the main menu, when the OS login is not a user of the database */
    result->user_label = g_strdup_printf (_("%s is not a user of this database"), g_get_user_name ());

  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

/* g_ptr_array_sort() passes pointers to the elements. */
static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

static void
tm_window_update_calibres (TmWindow *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *selected = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->acquisitions));
  guint position = 0;

  if (gtk_drop_down_get_selected (self->calibre_dropdown) > 0)
    selected = g_strdup (gtk_string_list_get_string (self->calibres,
                                                     gtk_drop_down_get_selected (self->calibre_dropdown)));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TmAcquisition) acquisition = g_list_model_get_item (G_LIST_MODEL (self->acquisitions), i);
      const char *calibre = tm_acquisition_get_calibre (acquisition);

      /* The strings live as long as the rows, which outlive this function. */
      if (calibre != NULL && g_hash_table_add (seen, (gpointer) calibre))
        g_ptr_array_add (names, (gpointer) calibre);
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_insert (names, 0, (gpointer) _("All calibres"));
  for (guint i = 1; i < names->len; i++)
    if (g_strcmp0 (selected, g_ptr_array_index (names, i)) == 0)
      position = i;
  g_ptr_array_add (names, NULL);

  gtk_string_list_splice (self->calibres, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->calibres)),
                          (const char * const *) names->pdata);
  gtk_drop_down_set_selected (self->calibre_dropdown, position);
}

static void
tm_window_load_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TmWindow *self = TM_WINDOW (object);
  LoadResult *loaded;
  GPtrArray *list;
  g_autoptr(GError) error = NULL;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  list = loaded != NULL ? loaded->list : NULL;
  /* Cancelled: the window closed or a newer load replaced this one. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->load_error, g_free);

  if (list == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      /* Status page descriptions and toast titles are Pango markup; a path may hold '&'. */
      g_debug ("%s", error->message);
      self->load_error = g_strdup (error->message);
      adw_status_page_set_description (self->error_page, escaped);
      /* With rows already on screen keep them, and say that the reload failed. */
      if (g_list_model_get_n_items (G_LIST_MODEL (self->acquisitions)) > 0)
        {
          g_autofree char *title = NULL;
          AdwToast *toast;

          /* Translators: %s is the error, which names the database file */
          title = g_strdup_printf (_("Could not reload: %s"), escaped);
          toast = adw_toast_new (title);
          adw_toast_set_timeout (toast, 0);
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
        }
    }
  else
    {
      /* One splice, so a 100,000-row list is one items-changed, not 100,000. */
      g_autoptr(GMenuItem) item = g_menu_item_new (loaded->user_label, NULL);

      g_list_store_splice (self->acquisitions, 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->acquisitions)),
                           list->pdata, list->len);
      g_debug ("%s: %u acquisitions loaded in %.3f s", self->db_path, list->len,
               (g_get_monotonic_time () - self->load_started) / (double) G_USEC_PER_SEC);
      tm_window_update_calibres (self);
      tm_case_browser_set_acquisitions (self->case_browser, G_LIST_MODEL (self->acquisitions));
      /* The detail pane is never an empty half of the window when there is a scan. */
      if (gtk_single_selection_get_selected_item (self->selection) == NULL &&
          g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
        gtk_single_selection_set_selected (self->selection, 0);

      /* No action: the item reads as information, not as something to click. */
      g_free (self->user_label);
      self->user_label = g_strdup (loaded->user_label);
      g_menu_remove_all (self->user_section);
      g_menu_append_item (self->user_section, item);
      load_result_free (loaded);
    }

  tm_window_set_loading (self, FALSE);
  tm_window_update_view (self);
}

static void
tm_window_filter_items_changed_cb (TmWindow   *self,
                                   guint       position,
                                   guint       removed,
                                   guint       added,
                                   GListModel *model)
{
  tm_window_update_view (self);
}

static void
tm_window_search_changed_cb (TmWindow       *self,
                             GtkSearchEntry *entry)
{
  tm_window_set_search_text (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
tm_window_stop_search_cb (TmWindow       *self,
                          GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

/* The sidebar's choices besides the text: case or exhibit, kind, modality, calibre. */
static gboolean
tm_window_browse_filter (gpointer item,
                         gpointer user_data)
{
  TmWindow *self = user_data;
  TmAcquisition *acquisition = item;
  const char *case_uuid = tm_case_browser_get_case_uuid (self->case_browser);
  const char *exhibit_uuid = tm_case_browser_get_exhibit_uuid (self->case_browser);
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);
  guint modality = gtk_drop_down_get_selected (self->modality_dropdown);
  guint calibre = gtk_drop_down_get_selected (self->calibre_dropdown);

  if (case_uuid != NULL && g_strcmp0 (tm_acquisition_get_case_uuid (acquisition), case_uuid) != 0)
    return FALSE;
  if (exhibit_uuid != NULL && g_strcmp0 (tm_acquisition_get_exhibit_uuid (acquisition), exhibit_uuid) != 0)
    return FALSE;
  /* Positions of the dropdowns in ui/tm-window.ui; 0 is "all". */
  if (kind == 1 && g_strcmp0 (tm_acquisition_get_kind (acquisition), "crime-scene") != 0)
    return FALSE;
  if (kind == 2 && g_strcmp0 (tm_acquisition_get_kind (acquisition), "test-fire") != 0)
    return FALSE;
  if (modality == 1 && g_strcmp0 (tm_acquisition_get_modality (acquisition), "3d") != 0)
    return FALSE;
  if (modality == 2 && g_strcmp0 (tm_acquisition_get_modality (acquisition), "2d") != 0)
    return FALSE;
  if (calibre > 0 && calibre != GTK_INVALID_LIST_POSITION &&
      g_strcmp0 (tm_acquisition_get_calibre (acquisition),
                 gtk_string_list_get_string (self->calibres, calibre)) != 0)
    return FALSE;
  return TRUE;
}

static void
tm_window_filter_changed_cb (TmWindow *self)
{
  gboolean all = tm_case_browser_get_case_uuid (self->case_browser) == NULL &&
                 gtk_drop_down_get_selected (self->kind_dropdown) == 0 &&
                 gtk_drop_down_get_selected (self->modality_dropdown) == 0 &&
                 (gtk_drop_down_get_selected (self->calibre_dropdown) == 0 ||
                  gtk_drop_down_get_selected (self->calibre_dropdown) == GTK_INVALID_LIST_POSITION);

  if (self->browse_filter == NULL)
    return;
  /* Without a function the filter matches everything and says so (strictness ALL),
   * so loading 100,000 rows with no filter chosen runs no function per row. */
  if (all)
    gtk_custom_filter_set_filter_func (self->browse_filter, NULL, NULL, NULL);
  else
    gtk_custom_filter_set_filter_func (self->browse_filter, tm_window_browse_filter, self, NULL);
}

static void
tm_window_case_selection_changed_cb (TmWindow *self)
{
  tm_window_filter_changed_cb (self);
  /* Folded, choosing a case is navigation: show what was chosen. */
  gtk_stack_set_visible_child_name (self->main_stack, "acquisition");
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
tm_window_page_changed_cb (TmWindow *self)
{
  gboolean review = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "review") == 0;

  /* The way back from a run to the list only exists while a run shows. */
  gtk_widget_set_visible (GTK_WIDGET (self->list_button), review);
}

static void
tm_window_row_activated_cb (TmWindow      *self,
                            guint          position,
                            GtkColumnView *column_view)
{
  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.correlate", NULL);
}

static void
tm_window_selection_changed_cb (TmWindow *self)
{
  TmAcquisition *acquisition = gtk_single_selection_get_selected_item (self->selection);

  tm_detail_pane_set_acquisition (self->detail_pane, acquisition);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.correlate", acquisition != NULL);
}

/* What the search matches: file, case and exhibit, one per line so that a search can
 * never match across the boundary of two fields. */
static char *
tm_window_search_key (TmAcquisition *acquisition)
{
  return g_strjoin ("\n",
                    tm_acquisition_get_file (acquisition) ?: "",
                    tm_acquisition_get_case_number (acquisition) ?: "",
                    tm_acquisition_get_exhibit (acquisition) ?: "",
                    NULL);
}

/* Closures for the cell and sorter expressions in tm-window.ui. The first argument is
 * the expression's `this` (the list item, or the row for sorters). */

static char *
format_text (gpointer    this,
             const char *text)
{
  /* An em dash marks an empty field, so a missing value never reads as a layout gap. */
  return g_strdup (text != NULL && *text != '\0' ? text : "—");
}

static char *
format_kind (gpointer    this,
             const char *kind)
{
  if (g_strcmp0 (kind, "crime-scene") == 0)
    return g_strdup (_("Crime scene"));
  if (g_strcmp0 (kind, "test-fire") == 0)
    return g_strdup (_("Test fire"));
  return format_text (this, kind);
}

static char *
format_modality (gpointer    this,
                 const char *modality)
{
  if (g_strcmp0 (modality, "3d") == 0)
    return g_strdup (_("3D"));
  if (g_strcmp0 (modality, "2d") == 0)
    return g_strdup (_("2D"));
  return format_text (this, modality);
}

static char *
format_size (gpointer       this,
             TmAcquisition *acquisition)
{
  if (acquisition == NULL)
    return NULL;
  /* Translators: image size in pixels, width × height */
  return g_strdup_printf (_("%u × %u"),
                          tm_acquisition_get_width (acquisition),
                          tm_acquisition_get_height (acquisition));
}

static char *
format_pixel (gpointer       this,
              TmAcquisition *acquisition)
{
  double x, y;

  if (acquisition == NULL)
    return NULL;

  x = tm_acquisition_get_pixel_um (acquisition);
  y = tm_acquisition_get_pixel_um_y (acquisition);
  /* Non-square pixels are rare but real (line scanners); show both then. */
  if (y > 0 && fabs (x - y) > 1e-6 * MAX (x, y))
    return g_strdup_printf ("%.3f × %.3f", x, y);
  return g_strdup_printf ("%.3f", x);
}

static char *
format_valid (gpointer       this,
              TmAcquisition *acquisition)
{
  if (acquisition == NULL)
    return NULL;
  /* Translators: the fraction of valid points of a scan, as a percentage */
  return g_strdup_printf (_("%.1f %%"), 100.0 * tm_acquisition_get_valid_fraction (acquisition));
}

static char *
format_date (gpointer    this,
             const char *iso8601)
{
  return tm_text_column_format_date (iso8601);
}

static char *
acquisition_state (gpointer       this,
                   TmAcquisition *acquisition)
{
  if (acquisition == NULL)
    return NULL;
  /* Set by the loader: 1 searchable, 2 derived data missing or stale. */
  switch (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (acquisition), STATE_KEY)))
    {
    case 1:
      return g_strdup (_("Searchable"));
    case 2:
      return g_strdup (_("Not preprocessed"));
    default:
      return g_strdup ("—");
    }
}

static guint64
acquisition_area (TmAcquisition *acquisition)
{
  return (guint64) tm_acquisition_get_width (acquisition) * tm_acquisition_get_height (acquisition);
}

static void
tm_window_reload_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  tm_window_reload (TM_WINDOW (widget));
}

static void
tm_window_find_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TmWindow *self = TM_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
tm_window_show_sidebar_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  adw_leaflet_navigate (TM_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
tm_window_show_acquisitions_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  gtk_stack_set_visible_child_name (TM_WINDOW (widget)->main_stack, "acquisition");
}

/* The switcher sits in the sidebar: folded, choosing a page is navigation. */
static void
tm_window_page_shown_cb (TmWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet) &&
      adw_leaflet_get_visible_child_name (self->leaflet) != NULL &&
      g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "sidebar") == 0)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
tm_window_show_lead_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  tm_window_show_lead (TM_WINDOW (widget), g_variant_get_int64 (parameter));
}

static void
import_finished_cb (TmWindow       *self,
                    guint           n_imported,
                    TmImportDialog *dialog)
{
  if (n_imported > 0)
    tm_window_reload (self);
}

static void
file_chooser_response_cb (GtkNativeDialog *chooser,
                          int              response,
                          TmWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      gtk_window_present (GTK_WINDOW (tm_window_open_import (self, files)));
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
add_filter (GtkFileChooser     *chooser,
            const char         *name,
            const char * const *patterns)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_suffix (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
correlate_finished_cb (TmWindow          *self,
                       gint64             run_id,
                       TmCorrelateDialog *dialog)
{
  tm_window_show_run (self, run_id);
}

static void
tm_window_correlate_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  TmWindow *self = TM_WINDOW (widget);
  TmAcquisition *query = gtk_single_selection_get_selected_item (self->selection);
  GtkWindow *dialog;

  if (query == NULL)
    return;
  dialog = tm_correlate_dialog_new (GTK_WINDOW (self), self->db_path,
                                    tm_acquisition_get_id (query), self->settings);
  g_signal_connect_object (dialog, "finished", G_CALLBACK (correlate_finished_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (dialog);
}

static void
tm_window_sync_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TmWindow *self = TM_WINDOW (widget);

  tm_sync_dialog_present (GTK_WINDOW (self), self->db_path, self->settings);
}

static void
tm_window_export_package_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  TmWindow *self = TM_WINDOW (widget);
  GListModel *shown = G_LIST_MODEL (self->sort_model);
  guint n = g_list_model_get_n_items (shown);
  g_autofree gint64 *ids = g_new (gint64, MAX (n, 1));

  /* What the list shows is what goes: choose a case, an exhibit or filters first. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TmAcquisition) acquisition = g_list_model_get_item (shown, i);

      ids[i] = tm_acquisition_get_id (acquisition);
    }
  tm_package_export_dialog_present (GTK_WINDOW (self), self->db_path, ids, n);
}

static void
tm_window_import_package_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  TmWindow *self = TM_WINDOW (widget);

  tm_package_import_dialog_present (GTK_WINDOW (self), self->db_path);
}

static void
tm_window_update_sync_actions (TmWindow *self)
{
  g_autofree char *hub = NULL;

  if (self->settings != NULL)
    hub = g_settings_get_string (self->settings, "hub-url");
  /* Without a hub there is nothing to synchronise with (Preferences → Site sets it). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync", hub != NULL && *hub != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-package",
                                 g_list_model_get_n_items (G_LIST_MODEL (self->sort_model)) > 0);
}

static void
tm_window_import_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  TmWindow *self = TM_WINDOW (widget);
  GtkFileChooserNative *chooser;
  static const char * const all[] = { "x3p", "tif", "tiff", "png", NULL };
  static const char * const x3p[] = { "x3p", NULL };
  static const char * const tiff[] = { "tif", "tiff", NULL };
  static const char * const png[] = { "png", NULL };

  chooser = gtk_file_chooser_native_new (_("Import Scans"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  add_filter (GTK_FILE_CHOOSER (chooser), _("Scans (X3P, TIFF, PNG)"), all);
  add_filter (GTK_FILE_CHOOSER (chooser), _("X3P topographies"), x3p);
  add_filter (GTK_FILE_CHOOSER (chooser), _("TIFF images"), tiff);
  add_filter (GTK_FILE_CHOOSER (chooser), _("PNG images"), png);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (file_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
tm_window_drop_cb (GtkDropTarget *target,
                   const GValue  *value,
                   double         x,
                   double         y,
                   TmWindow      *self)
{
  GdkFileList *file_list = g_value_get_boxed (value);
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
  GSList *list = gdk_file_list_get_files (file_list);

  for (GSList *l = list; l != NULL; l = l->next)
    g_list_store_append (files, l->data);
  g_slist_free (list);
  if (g_list_model_get_n_items (G_LIST_MODEL (files)) == 0)
    return FALSE;

  gtk_window_present (GTK_WINDOW (tm_window_open_import (self, G_LIST_MODEL (files))));
  return TRUE;
}

static void
tm_window_copy_import_command_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  TmWindow *self = TM_WINDOW (widget);
  g_autofree char *command = import_command (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), command);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Command copied")));
}

static gboolean
tm_window_close_request (GtkWindow *window)
{
  TmWindow *self = TM_WINDOW (window);

  if (self->settings != NULL)
    {
      gboolean maximized = gtk_window_is_maximized (window);

      /* A maximized window's size is the screen's; keep the size to restore to. */
      if (!maximized)
        {
          int width, height;

          gtk_window_get_default_size (window, &width, &height);
          g_settings_set (self->settings, "window-size", "(ii)", width, height);
        }
      g_settings_set_boolean (self->settings, "window-maximized", maximized);
    }

  return GTK_WINDOW_CLASS (tm_window_parent_class)->close_request (window);
}

static void
tm_window_constructed (GObject *object)
{
  TmWindow *self = TM_WINDOW (object);
  g_autofree char *command = NULL;

  G_OBJECT_CLASS (tm_window_parent_class)->constructed (object);

  if (self->db_path == NULL)
    self->db_path = g_build_filename (g_get_user_data_dir (), "toolmark", "toolmark.db", NULL);

  if (self->settings != NULL)
    {
      int width, height;

      g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
      gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  command = import_command (self);
  gtk_label_set_label (self->import_command_label, command);
  tm_detail_pane_set_db_path (self->detail_pane, self->db_path);
  tm_detail_pane_set_settings (self->detail_pane, self->settings);
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::hub-url",
                             G_CALLBACK (tm_window_update_sync_actions), self, G_CONNECT_SWAPPED);
  tm_window_update_sync_actions (self);
  tm_leads_page_set_settings (self->leads_page, self->settings);
  tm_leads_page_set_db_path (self->leads_page, self->db_path);
  tm_hits_page_set_settings (self->hits_page, self->settings);
  tm_hits_page_set_db_path (self->hits_page, self->db_path);

  tm_window_reload (self);
}

static void
tm_window_dispose (GObject *object)
{
  TmWindow *self = TM_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), TM_TYPE_WINDOW);

  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->search_filter);
  g_clear_object (&self->browse_filter);
  g_clear_object (&self->filter);
  g_clear_object (&self->acquisitions);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tm_window_parent_class)->dispose (object);
}

static void
tm_window_finalize (GObject *object)
{
  TmWindow *self = TM_WINDOW (object);

  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->load_error, g_free);
  g_clear_pointer (&self->user_label, g_free);

  G_OBJECT_CLASS (tm_window_parent_class)->finalize (object);
}

static void
tm_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TmWindow *self = TM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      g_value_set_string (value, self->db_path);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  TmWindow *self = TM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      self->db_path = g_value_dup_string (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_window_class_init (TmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = tm_window_constructed;
  object_class->dispose = tm_window_dispose;
  object_class->finalize = tm_window_finalize;
  object_class->get_property = tm_window_get_property;
  object_class->set_property = tm_window_set_property;

  window_class->close_request = tm_window_close_request;

  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The cell templates look up TmAcquisition properties by name while parsing. */
  g_type_ensure (TM_TYPE_ACQUISITION);
  g_type_ensure (TM_TYPE_CASE_BROWSER);
  g_type_ensure (TM_TYPE_DETAIL_PANE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, modality_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, calibre_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, calibres);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, case_browser);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, list_button);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, review_slot);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, leads_slot);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, hits_slot);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, user_section);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, import_command_label);
  gtk_widget_class_bind_template_child (widget_class, TmWindow, error_page);
  gtk_widget_class_bind_template_callback (widget_class, tm_window_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tm_window_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, tm_window_filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tm_window_case_selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tm_window_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, acquisition_state);
  gtk_widget_class_bind_template_callback (widget_class, format_text);
  gtk_widget_class_bind_template_callback (widget_class, format_kind);
  gtk_widget_class_bind_template_callback (widget_class, format_modality);
  gtk_widget_class_bind_template_callback (widget_class, format_size);
  gtk_widget_class_bind_template_callback (widget_class, format_pixel);
  gtk_widget_class_bind_template_callback (widget_class, format_valid);
  gtk_widget_class_bind_template_callback (widget_class, format_date);
  gtk_widget_class_bind_template_callback (widget_class, acquisition_area);

  gtk_widget_class_install_action (widget_class, "win.reload", NULL, tm_window_reload_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, tm_window_find_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, tm_window_import_action);
  gtk_widget_class_install_action (widget_class, "win.sync", NULL, tm_window_sync_action);
  gtk_widget_class_install_action (widget_class, "win.export-package", NULL, tm_window_export_package_action);
  gtk_widget_class_install_action (widget_class, "win.import-package", NULL, tm_window_import_package_action);
  gtk_widget_class_install_action (widget_class, "win.correlate", NULL, tm_window_correlate_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, tm_window_show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.show-acquisitions", NULL,
                                   tm_window_show_acquisitions_action);
  gtk_widget_class_install_action (widget_class, "win.copy-import-command", NULL,
                                   tm_window_copy_import_command_action);
  /* The review page (and the hits page) jump to a lead by id. */
  gtk_widget_class_install_action (widget_class, "win.show-lead", "x", tm_window_show_lead_action);
}

static void
tm_window_init (TmWindow *self)
{
  GtkExpression *search_key;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->acquisitions = g_list_store_new (TM_TYPE_ACQUISITION);

  search_key = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (tm_window_search_key), NULL, NULL);
  self->search_filter = gtk_string_filter_new (search_key);
  gtk_string_filter_set_ignore_case (self->search_filter, TRUE);
  gtk_string_filter_set_match_mode (self->search_filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);

  self->browse_filter = gtk_custom_filter_new (NULL, NULL, NULL);
  self->filter = gtk_every_filter_new ();
  gtk_multi_filter_append (GTK_MULTI_FILTER (self->filter), g_object_ref (GTK_FILTER (self->browse_filter)));
  gtk_multi_filter_append (GTK_MULTI_FILTER (self->filter), g_object_ref (GTK_FILTER (self->search_filter)));

  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->acquisitions)),
                                                  g_object_ref (GTK_FILTER (self->filter)));
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_model)),
                                              g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sort_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (tm_window_filter_items_changed_cb), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (tm_window_selection_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.correlate", FALSE);
  g_signal_connect_object (self->main_stack, "notify::visible-child-name",
                           G_CALLBACK (tm_window_page_changed_cb), self, G_CONNECT_SWAPPED);
  tm_window_page_changed_cb (self);

  /* Typing anywhere in the window searches, as in Files. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (tm_window_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  self->review_page = TM_REVIEW_PAGE (tm_review_page_new ());
  adw_bin_set_child (self->review_slot, GTK_WIDGET (self->review_page));

  /* Leads and hits beside the acquisitions; win.page (the header's switcher) is the
   * content stack's visible page as a stateful action. */
  self->leads_page = TM_LEADS_PAGE (tm_leads_page_new ());
  adw_bin_set_child (self->leads_slot, GTK_WIDGET (self->leads_page));
  self->hits_page = TM_HITS_PAGE (tm_hits_page_new ());
  adw_bin_set_child (self->hits_slot, GTK_WIDGET (self->hits_page));
  {
    g_autoptr(GPropertyAction) page_action = g_property_action_new ("page", self->main_stack,
                                                                    "visible-child-name");

    g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (page_action));
  }
  g_signal_connect_object (self->main_stack, "notify::visible-child-name",
                           G_CALLBACK (tm_window_page_shown_cb), self, G_CONNECT_SWAPPED);
}

TmWindow *
tm_window_new (TmApplication *application,
               const char    *db_path,
               GSettings     *settings)
{
  g_return_val_if_fail (TM_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (TM_TYPE_WINDOW,
                       "application", application,
                       "db-path", db_path,
                       "settings", settings,
                       NULL);
}

const char *
tm_window_get_db_path (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return self->db_path;
}

void
tm_window_reload (TmWindow *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TM_IS_WINDOW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  tm_window_set_loading (self, TRUE);
  tm_window_update_view (self);

  self->load_started = g_get_monotonic_time ();
  task = g_task_new (self, self->cancellable, tm_window_load_cb, NULL);
  g_task_set_source_tag (task, tm_window_reload);
  g_task_set_task_data (task, g_strdup (self->db_path), g_free);
  g_task_run_in_thread (task, tm_window_load_thread);
}

gboolean
tm_window_get_loading (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), FALSE);

  return self->loading;
}

GListModel *
tm_window_get_acquisitions (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->acquisitions);
}

GListModel *
tm_window_get_visible_model (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}

void
tm_window_set_search_text (TmWindow   *self,
                           const char *text)
{
  g_return_if_fail (TM_IS_WINDOW (self));

  /* The entry first: replacing its text passes through "" and GtkSearchEntry reports
   * an empty search at once, which would otherwise override @text. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text ?: "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ?: "");
  gtk_string_filter_set_search (self->search_filter, text);
}

const char *
tm_window_get_view (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

TmImportDialog *
tm_window_open_import (TmWindow   *self,
                       GListModel *files)
{
  TmImportDialog *dialog;

  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (files), NULL);

  dialog = tm_import_dialog_new (GTK_WINDOW (self), self->db_path, self->settings, files);
  g_signal_connect_object (dialog, "finished", G_CALLBACK (import_finished_cb), self,
                           G_CONNECT_SWAPPED);
  return dialog;
}

/* Scans by their name, as the import chooser's filter and tm_importer_expand_paths()
 * pick them; a file manager hands over names, and a wrong guess still fails alone in
 * the import dialog with the reader's message. */
static gboolean
is_scan_file (const char *basename)
{
  static const char * const suffixes[] = { ".x3p", ".tif", ".tiff", ".png" };
  g_autofree char *lower = g_utf8_strdown (basename, -1);

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;
  return FALSE;
}

TmImportDialog *
tm_window_open_files (TmWindow  *self,
                      GFile    **files,
                      guint      n_files)
{
  g_autoptr(GListStore) scans = g_list_store_new (G_TYPE_FILE);
  g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func (g_free);
  TmImportDialog *dialog = NULL;

  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);
  g_return_val_if_fail (files != NULL || n_files == 0, NULL);

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *basename = g_file_get_basename (files[i]);
      g_autofree char *lower = g_utf8_strdown (basename != NULL ? basename : "", -1);

      if (g_str_has_suffix (lower, ".tmpkg"))
        tm_package_import_file (GTK_WINDOW (self), self->db_path, files[i]);
      else if (g_file_query_file_type (files[i], G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY ||
               is_scan_file (lower))
        g_list_store_append (scans, files[i]);
      else
        g_ptr_array_add (refused, g_strdup (basename != NULL ? basename : ""));
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (scans)) > 0)
    {
      dialog = tm_window_open_import (self, G_LIST_MODEL (scans));
      gtk_window_present (GTK_WINDOW (dialog));
    }

  if (refused->len > 0)
    {
      g_autofree char *names = NULL;
      g_autofree char *escaped = NULL;
      g_autofree char *title = NULL;
      AdwToast *toast;

      g_ptr_array_add (refused, NULL);
      /* Translators: separates file names in a list */
      names = g_strjoinv (_(", "), (char **) refused->pdata);
      /* Toast titles are Pango markup; a file name may hold '&' or '<'. */
      escaped = g_markup_escape_text (names, -1);
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%s is not a scan or an exchange package: Toolmark opens X3P, TIFF and PNG scans and .tmpkg packages",
                                            "%s are not scans or exchange packages: Toolmark opens X3P, TIFF and PNG scans and .tmpkg packages",
                                            refused->len - 1),
                               escaped);
      toast = adw_toast_new (title);
      /* Stays until dismissed: the person may be looking at the import dialog. */
      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }

  return dialog;
}

void
tm_window_show_run (TmWindow *self,
                    gint64    run_id)
{
  g_return_if_fail (TM_IS_WINDOW (self));
  g_return_if_fail (run_id > 0);

  tm_review_page_set_run (self->review_page, self->db_path, run_id);
  gtk_stack_set_visible_child_name (self->main_stack, "review");
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
tm_window_select_position (TmWindow *self,
                           guint     position)
{
  g_return_if_fail (TM_IS_WINDOW (self));

  gtk_single_selection_set_selected (self->selection, position);
}

TmDetailPane *
tm_window_get_detail_pane (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return self->detail_pane;
}

TmCaseBrowser *
tm_window_get_case_browser (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return self->case_browser;
}

TmReviewPage *
tm_window_get_review_page (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return self->review_page;
}

const char *
tm_window_get_page (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->main_stack);
}

const char *
tm_window_get_user_label (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return self->user_label;
}

void
tm_window_show_lead (TmWindow *self,
                     gint64    lead_id)
{
  g_return_if_fail (TM_IS_WINDOW (self));
  g_return_if_fail (lead_id > 0);

  tm_leads_page_select_lead (self->leads_page, lead_id);
  gtk_stack_set_visible_child_name (self->main_stack, "leads");
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

TmLeadsPage *
tm_window_get_leads_page (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return self->leads_page;
}

TmHitsPage *
tm_window_get_hits_page (TmWindow *self)
{
  g_return_val_if_fail (TM_IS_WINDOW (self), NULL);

  return self->hits_page;
}

void
tm_window_add_toast (TmWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (TM_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
