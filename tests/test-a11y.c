/* test-a11y.c — every control of the real window and its dialogs has an accessible
 * name, and the review page's decisions and compare view are usable by keyboard alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The database is made as a lab would with the command line (`toolmark-cli synth`,
 * import, a lead); the window built by TmApplication then correlates through
 * win.correlate and its dialog, and every page and dialog the app can open is shown:
 * acquisitions list and detail pane, review page (candidate list, compare view,
 * decision bar), leads page with its lead, hits page, import, preferences, correlate,
 * confirm, audit, report, sync, lead chooser, shortcuts window and About.
 *
 * The accessible-name rule. GTK 4.8 has no public "get accessible name" call, and
 * computes the name an AT-SPI client reads (gtk_at_context_get_name) from two things
 * only: the LABEL property and the LABELLED_BY relation (the name of each related
 * widget). A tooltip becomes the DESCRIPTION, not the name, so a screen reader says
 * nothing useful for a button that has only a tooltip. GTK's and libadwaita's own
 * widgets set LABELLED_BY for their label children (buttons made with a label, check
 * buttons, rows whose activatable widget is a control, labels with a mnemonic widget).
 * The test reads both attributes through GTK's public test API
 * (gtk_test_accessible_has_property/_has_relation) and, where a widget names itself
 * from a child in a way the attributes do not show, accepts in this order:
 *   1. the LABEL property or the LABELLED_BY relation;
 *   2. a button-like widget (GtkButton and subclasses, GtkMenuButton) with a visible
 *      GtkLabel with text inside it (what a GtkButton's label becomes);
 *   3. an AdwPreferencesRow (action, combo, entry rows) with a title, or a control that
 *      is the activatable widget of a titled AdwActionRow;
 *   4. the GtkText inside an entry, spin button or entry row: the wrapper is checked;
 * and never a tooltip alone. Offenders are listed with their widget path (type names
 * and template ids from the window down) and the test fails if any remain.
 */
#define G_LOG_DOMAIN "test-a11y"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "tm-application.h"
#include "tm-audit-dialog.h"
#include "tm-candidate-list.h"
#include "tm-compare-view.h"
#include "tm-confirm-dialog.h"
#include "tm-correlate-dialog.h"
#include "tm-hits-page.h"
#include "tm-import-dialog.h"
#include "tm-lead-chooser.h"
#include "tm-lead-view.h"
#include "tm-leads-page.h"
#include "tm-preferences-window.h"
#include "tm-report-dialog.h"
#include "tm-review-page.h"
#include "tm-store.h"
#include "tm-sync-dialog.h"
#include "tm-test-support.h"
#include "tm-ui-test-support.h"
#include "tm-window.h"
#include "tm-workflow.h"

static TmApplication *app;
static char *tmpdir;
static char *db_path;
static char *scans_dir;
static gint64 lead_id;
static gint64 query_id;
static TmWindow *window;

/* ---- the accessible-name rule ---- */

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) ||          /* also toggle, check (4.8: not a GtkButton), link */
         GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_MENU_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) ||
         GTK_IS_SCALE (widget) ||
         GTK_IS_SPIN_BUTTON (widget) ||
         GTK_IS_ENTRY (widget) ||
         GTK_IS_TEXT (widget) ||
         GTK_IS_SEARCH_ENTRY (widget) ||
         GTK_IS_PASSWORD_ENTRY (widget) ||
         ADW_IS_ENTRY_ROW (widget) ||
         ADW_IS_COMBO_ROW (widget) ||
         GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_COLUMN_VIEW (widget) ||
         GTK_IS_LIST_VIEW (widget) ||
         TM_IS_COMPARE_CANVAS (widget);
}

static gboolean
has_text_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));

      if (text != NULL && *text != '\0')
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (!GTK_IS_POPOVER (child) && has_text_label (child))
      return TRUE;
  return FALSE;
}

static gboolean
has_name (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);
  GtkWidget *parent = gtk_widget_get_parent (widget);

  /* 1. What GTK 4.8 builds the name from. */
  if (gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL) ||
      gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;

  /* 2. A button's label child. */
  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget)) &&
      has_text_label (widget))
    return TRUE;

  /* 3. Rows and the control a row activates. */
  if (ADW_IS_PREFERENCES_ROW (widget))
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));

      return title != NULL && *title != '\0';
    }
  for (GtkWidget *row = parent; row != NULL; row = gtk_widget_get_parent (row))
    if (ADW_IS_ACTION_ROW (row))
      {
        const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));

        if (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)) == widget &&
            title != NULL && *title != '\0')
          return TRUE;
        break;
      }

  /* 4. The text inside an editable wrapper is named through the wrapper. */
  if (GTK_IS_TEXT (widget))
    for (GtkWidget *up = parent; up != NULL; up = gtk_widget_get_parent (up))
      if (GTK_IS_EDITABLE (up) && !GTK_IS_TEXT (up))
        return TRUE;

  return FALSE;
}

static void
append_path (GString   *path,
             GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);
  const char *id = GTK_IS_BUILDABLE (widget) ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) : NULL;

  if (parent != NULL)
    {
      append_path (path, parent);
      g_string_append (path, " > ");
    }
  g_string_append (path, G_OBJECT_TYPE_NAME (widget));
  if (id != NULL)
    g_string_append_printf (path, "#%s", id);
  if (GTK_IS_BUTTON (widget) && gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL)
    g_string_append_printf (path, "[icon=%s]", gtk_button_get_icon_name (GTK_BUTTON (widget)));
  else if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)) != NULL)
    g_string_append_printf (path, "[icon=%s]", gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)));
}

/* Widgets GTK and libadwaita make inside their own composite widgets, named through
 * the composite (which is checked) or out of the application's reach:
 * - the GtkColumnListView inside a GtkColumnView (the column view carries the name);
 * - the parts of an AdwComboRow (the row carries the title);
 * - the search entry of AdwPreferencesWindow's header bar (libadwaita 1.2 gives it a
 *   placeholder only and no API to reach it);
 * - the search entry and section button of GtkShortcutsWindow (GTK 4.8 builds them
 *   itself; help-overlay.ui holds shortcuts only). */
static gboolean
is_library_internal (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if (GTK_IS_LIST_VIEW (widget) && GTK_IS_COLUMN_VIEW (parent))
    return TRUE;
  if (GTK_IS_SHORTCUTS_WINDOW (gtk_widget_get_root (widget)))
    return TRUE;
  for (GtkWidget *up = parent; up != NULL; up = gtk_widget_get_parent (up))
    {
      if (ADW_IS_COMBO_ROW (up))
        return TRUE;
      if (GTK_IS_SEARCH_ENTRY (widget) && ADW_IS_HEADER_BAR (up) &&
          ADW_IS_PREFERENCES_WINDOW (gtk_widget_get_root (widget)))
        return TRUE;
    }
  return FALSE;
}

/* Items of list views are bound and recycled: a row's own widgets are checked like any
 * other, but the list item widgets GTK makes around them are not controls of ours. */
static void
collect_offenders (GtkWidget  *widget,
                   GHashTable *offenders,
                   guint      *n_controls)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (is_control (widget) && !is_library_internal (widget))
    {
      (*n_controls)++;
      if (!has_name (widget))
        {
          g_autoptr(GString) path = g_string_new (NULL);

          append_path (path, widget);
          g_hash_table_add (offenders, g_string_free (g_steal_pointer (&path), FALSE));
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_offenders (child, offenders, n_controls);
}

/* Offenders of every visit, by path; reported together at the end. */
static GHashTable *all_offenders;

static void
check_names (GtkWidget  *root,
             const char *what)
{
  g_autoptr(GHashTable) offenders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree gpointer *paths = NULL;
  guint n_controls = 0, n;

  collect_offenders (root, offenders, &n_controls);
  paths = g_hash_table_get_keys_as_array (offenders, &n);
  g_test_message ("%s: %u controls, %u without an accessible name", what, n_controls, n);
  for (guint i = 0; i < n; i++)
    {
      g_test_message ("  no name: %s", (char *) paths[i]);
      g_hash_table_add (all_offenders, g_strdup (paths[i]));
    }
  /* A visit that finds no controls at all did not see what it meant to (but all the
   * shortcuts window's controls are GTK's own, see is_library_internal()). */
  if (!GTK_IS_SHORTCUTS_WINDOW (root))
    g_assert_cmpuint (n_controls, >, 0);
  if (n > 0)
    g_test_fail_printf ("%s: %u controls without an accessible name", what, n);
}

static void
check_toplevel (GType       type,
                const char *what)
{
  GtkWindow *toplevel;

  tm_ui_test_iterate_for (300);
  toplevel = tm_ui_test_find_toplevel (type);
  g_assert_nonnull (toplevel);
  check_names (GTK_WIDGET (toplevel), what);
  gtk_window_destroy (toplevel);
  tm_ui_test_iterate_for (50);
}

/* ---- the database, through the command line ---- */

static void
build_database (void)
{
  static const char *files[] = { "F01-C01.x3p", "F01-C02.x3p", "F02-C01.x3p", "F02-C02.x3p" };
  g_autofree char *out_arg = NULL;
  g_autofree char *synth_out = NULL;
  g_autofree char *synth_err = NULL;
  g_autofree char *out = NULL;
  const char *synth_argv[7];
  gint64 ids[G_N_ELEMENTS (files)];

  tmpdir = tm_test_make_tmpdir ("test-a11y-XXXXXX");
  db_path = g_build_filename (tmpdir, "a11y.db", NULL);
  scans_dir = g_build_filename (tmpdir, "scans", NULL);
  out_arg = g_strconcat ("--out=", scans_dir, NULL);

  synth_argv[0] = "synth";
  synth_argv[1] = "--firearms=2";
  synth_argv[2] = "--cases=2";
  synth_argv[3] = "--size=200";
  synth_argv[4] = "--seed=11";
  synth_argv[5] = out_arg;
  synth_argv[6] = NULL;
  g_assert_cmpint (tm_test_run_cli (synth_argv, &synth_out, &synth_err), ==, 0);

  /* The first run makes the OS login administrator: every dialog may open. */
  g_free (tm_ui_test_cli (db_path, "init", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (scans_dir, files[i], NULL);
      g_autofree char *case_no = g_strdup_printf ("2024-%04u", 201 + i);
      g_autofree char *exhibit = g_strdup_printf ("E%u", i + 1);
      g_autofree char *line = tm_ui_test_cli (db_path, "import", "--calibre", "9mm Luger",
                                              "--agency", "Metro PD", "--case", case_no,
                                              "--exhibit", exhibit, path, NULL);

      ids[i] = g_ascii_strtoll (line, NULL, 10);
      g_assert_cmpint (ids[i], >, 0);
    }
  query_id = ids[0];
  {
    g_autofree char *query = g_strdup_printf ("%" G_GINT64_FORMAT, ids[0]);
    g_autofree char *mate = g_strdup_printf ("%" G_GINT64_FORMAT, ids[1]);

    out = tm_ui_test_cli (db_path, "lead", "create", query, mate, "--note", "Same firearm likely", NULL);
  }
  lead_id = g_ascii_strtoll (out, NULL, 10);
  g_assert_cmpint (lead_id, >, 0);
}

/* ---- visits ---- */

static void
show_page (const char *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", name));
  tm_ui_test_iterate_for (200);
  g_assert_cmpstr (tm_window_get_page (window), ==, name);
}

static void
select_query (void)
{
  GListModel *visible = tm_window_get_visible_model (window);

  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    {
      g_autoptr(TmAcquisition) a = g_list_model_get_item (visible, i);

      if (tm_acquisition_get_id (a) == query_id)
        tm_window_select_position (window, i);
    }
  tm_ui_test_iterate_for (200);
}

static void
test_acquisitions (void)
{
  show_page ("acquisition");
  select_query ();
  g_assert_nonnull (tm_detail_pane_get_acquisition (tm_window_get_detail_pane (window)));
  check_names (GTK_WIDGET (window), "acquisitions page");
}

/* Correlates the selected acquisition through win.correlate and the dialog's own
 * button; the window shows the review page by itself. */
static void
open_review (void)
{
  TmReviewPage *page = tm_window_get_review_page (window);
  GtkWindow *dialog;
  gint64 run_id = 0;

  if (tm_review_page_get_run_id (page) > 0)
    {
      show_page ("review");
      return;
    }
  show_page ("acquisition");
  select_query ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.correlate", NULL));
  tm_ui_test_iterate_for (300);
  dialog = tm_ui_test_find_toplevel (TM_TYPE_CORRELATE_DIALOG);
  g_assert_nonnull (dialog);
  check_names (GTK_WIDGET (dialog), "correlate dialog");
  g_signal_connect (dialog, "finished", G_CALLBACK (tm_ui_test_store_run_id), &run_id);
  g_assert_true (gtk_widget_activate (tm_ui_test_find_button (GTK_WIDGET (dialog), "_Search")));
  tm_ui_test_iterate_until (tm_ui_test_run_finished, &run_id, 300);
  g_assert_cmpint (run_id, >, 0);
  /* The results, as the dialog shows them after the run. */
  tm_ui_test_iterate_for (100);
  check_names (GTK_WIDGET (dialog), "correlate dialog (finished)");
  gtk_window_close (dialog);

  g_assert_cmpstr (tm_window_get_page (window), ==, "review");
  tm_ui_test_iterate_until (tm_ui_test_review_loaded, page, 60);
  tm_ui_test_iterate_for (200);
  tm_ui_test_iterate_until (tm_ui_test_compare_idle, tm_review_page_get_compare_view (page), 120);
  tm_ui_test_iterate_for (200);
}

static void
test_review (void)
{
  open_review ();
  check_names (GTK_WIDGET (window), "review page");
}

static void
test_leads (void)
{
  TmLeadsPage *page = tm_window_get_leads_page (window);
  TmLeadView *view = tm_leads_page_get_lead_view (page);

  show_page ("leads");
  tm_ui_test_iterate_until (tm_ui_test_leads_loaded, page, 30);
  tm_leads_page_select_lead (page, lead_id);
  tm_ui_test_iterate_for (100);
  tm_ui_test_iterate_until (tm_ui_test_lead_view_idle, view, 30);
  g_assert_cmpint (tm_lead_view_get_lead_id (view), ==, lead_id);
  check_names (GTK_WIDGET (window), "leads page");

  /* The lead's own dialogs, through the lead view's actions. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "lead-view.confirm", NULL));
  check_toplevel (TM_TYPE_CONFIRM_DIALOG, "confirm dialog");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "lead-view.lead-history", NULL));
  check_toplevel (TM_TYPE_AUDIT_DIALOG, "audit dialog");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "lead-view.report-lead", NULL));
  check_toplevel (TM_TYPE_REPORT_DIALOG, "report dialog");
}

static void
test_hits (void)
{
  TmHitsPage *page = tm_window_get_hits_page (window);

  show_page ("hits");
  tm_ui_test_iterate_until (tm_ui_test_hits_loaded, page, 30);
  check_names (GTK_WIDGET (window), "hits page");
}

static void
test_dialogs (void)
{
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *scan = g_build_filename (scans_dir, "F01-C01.x3p", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (scan);
  TmImportDialog *import;
  GtkWindow *dialog;
  gint64 ids[2] = { 0, 0 };

  show_page ("acquisition");

  g_list_store_append (files, file);
  import = tm_window_open_import (window, G_LIST_MODEL (files));
  gtk_window_present (GTK_WINDOW (import));
  check_toplevel (TM_TYPE_IMPORT_DIALOG, "import dialog");

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "preferences"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  check_toplevel (TM_TYPE_PREFERENCES_WINDOW, "preferences window");

  /* No hub is set: the dialog says so, with its buttons. */
  dialog = GTK_WINDOW (tm_sync_dialog_new (GTK_WINDOW (window), db_path, tm_application_get_settings (app)));
  gtk_window_present (dialog);
  check_toplevel (TM_TYPE_SYNC_DIALOG, "sync dialog");

  store = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  leads = tm_store_list_leads (store, &error);
  g_assert_no_error (error);
  ids[0] = query_id;
  dialog = tm_lead_chooser_new (GTK_WINDOW (window), leads, ids, 1);
  gtk_window_present (dialog);
  check_toplevel (TM_TYPE_LEAD_CHOOSER, "lead chooser");

  /* GTK 4.8's shortcuts window lays out its key caps with Adwaita's negative margins and
   * warns "GtkLabel … reported min width -3": GTK's warning, harmless, and not the
   * application's. Warnings are not fatal while it is shown; criticals still are. */
  {
    GLogLevelFlags fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
    check_toplevel (GTK_TYPE_SHORTCUTS_WINDOW, "shortcuts window");
    g_log_set_always_fatal (fatal);
  }

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  check_toplevel (ADW_TYPE_ABOUT_WINDOW, "about window");
}

/* ---- keyboard ---- */

/* The named actions the key bindings of @widget's shortcut controllers trigger. */
static GHashTable *
bound_actions (GtkWidget *widget)
{
  GHashTable *actions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          GVariant *arguments = gtk_shortcut_get_arguments (shortcut);

          /* Only keys: a person without a mouse cannot use anything else. */
          if (!GTK_IS_KEYVAL_TRIGGER (trigger) || !GTK_IS_NAMED_ACTION (action))
            continue;
          g_hash_table_add (actions, g_strdup (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action))));
          if (arguments != NULL && g_variant_is_of_type (arguments, G_VARIANT_TYPE_STRING))
            g_hash_table_add (actions, g_strdup_printf ("%s::%s",
                                                        gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)),
                                                        g_variant_get_string (arguments, NULL)));
        }
    }
  return actions;
}

static void
assert_bound (GHashTable *actions,
              const char *name)
{
  if (!g_hash_table_contains (actions, name))
    g_error ("no key binds %s", name);
}

/* Steps through the CMC cells with "." and ",": each cell is highlighted and becomes
 * the canvas's accessible description (what a screen reader announces). */
static void
check_cell_stepping (GtkWidget *view,
                     GtkWidget *canvas)
{
  TmCompareCanvas *c = TM_COMPARE_CANVAS (canvas);
  TmComparison *comparison = tm_compare_canvas_get_comparison (c);
  guint n = 0;

  g_assert_nonnull (comparison);
  tm_comparison_get_cells (comparison, TM_COMPARISON_A_TO_B, &n);
  g_assert_cmpuint (n, >, 1);
  g_assert_true (tm_compare_canvas_get_show_cells (c));
  g_assert_cmpint (tm_compare_canvas_get_focus_cell (c), ==, -1);

  tm_ui_test_press_key (view, GDK_KEY_period, 0);
  g_assert_cmpint (tm_compare_canvas_get_focus_cell (c), ==, 0);
  tm_ui_test_press_key (view, GDK_KEY_period, 0);
  g_assert_cmpint (tm_compare_canvas_get_focus_cell (c), ==, 1);
  {
    g_autofree char *text = tm_compare_canvas_dup_cell_text (c, 1);
    g_autofree char *mismatch = NULL;

    g_assert_nonnull (strstr (text, "CCF"));
    mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (canvas), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text);
    g_assert_null (mismatch);
    g_test_message ("cell 2 of %u announced as: %s", n, text);
  }
  tm_ui_test_press_key (view, GDK_KEY_comma, 0);
  tm_ui_test_press_key (view, GDK_KEY_comma, 0);
  /* Wraps from the first cell to the last. */
  g_assert_cmpint (tm_compare_canvas_get_focus_cell (c), ==, (int) n - 1);
  tm_ui_test_press_key (view, GDK_KEY_period, 0);
  g_assert_cmpint (tm_compare_canvas_get_focus_cell (c), ==, 0);

  /* Hiding the cells forgets the cell. */
  tm_compare_canvas_set_show_cells (c, FALSE);
  g_assert_cmpint (tm_compare_canvas_get_focus_cell (c), ==, -1);
  g_assert_cmpint (tm_compare_canvas_step_cell (c, 1), ==, -1);
  tm_compare_canvas_set_show_cells (c, TRUE);
}

static gboolean
is_inside (GtkWidget *widget,
           GtkWidget *ancestor)
{
  return widget != NULL && (widget == ancestor || gtk_widget_is_ancestor (widget, ancestor));
}

static void
test_keyboard (void)
{
  TmReviewPage *page;
  GtkWidget *view, *list, *canvas, *decisions = NULL;
  g_autoptr(GHashTable) review_keys = NULL;
  g_autoptr(GHashTable) compare_keys = NULL;
  static const char *review_actions[] = {
    "review.next", "review.previous", "review.dismiss", "review.promote",
    "review.add-to-lead", "review.undo",
  };
  static const char *compare_actions[] = {
    "compare.mode::side-by-side", "compare.mode::blend", "compare.mode::difference",
    "compare.mode::checkerboard", "compare.mode::split", "compare.align", "compare.fit",
    "compare.one-to-one", "compare.zoom", "compare.pan::left", "compare.pan::right",
    "compare.pan::up", "compare.pan::down", "compare.ruler", "compare.light::left",
    "compare.light::up", "compare.export", "compare.nudge", "compare.rotate",
    "compare.cells", "compare.cell",
  };
  gboolean reached_list = FALSE, reached_canvas = FALSE, reached_decisions = FALSE;
  GtkWidget *first_focus = NULL;
  GString *chain = g_string_new (NULL);

  open_review ();
  page = tm_window_get_review_page (window);
  view = tm_review_page_get_compare_view (page);
  list = GTK_WIDGET (tm_review_page_get_candidate_list (page));
  canvas = GTK_WIDGET (tm_compare_view_get_canvas (TM_COMPARE_VIEW (view)));

  review_keys = bound_actions (GTK_WIDGET (page));
  for (guint i = 0; i < G_N_ELEMENTS (review_actions); i++)
    assert_bound (review_keys, review_actions[i]);
  compare_keys = bound_actions (view);
  for (guint i = 0; i < G_N_ELEMENTS (compare_actions); i++)
    assert_bound (compare_keys, compare_actions[i]);

  /* The canvas takes focus and says what it is. */
  g_assert_true (gtk_widget_get_focusable (canvas));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (canvas)), ==, GTK_ACCESSIBLE_ROLE_IMG);
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (canvas), GTK_ACCESSIBLE_PROPERTY_LABEL));
  check_cell_stepping (view, canvas);

  /* The decision bar: the promote button's parent box. */
  decisions = tm_ui_test_find_button (GTK_WIDGET (page), "_Promote to Lead");
  g_assert_nonnull (decisions);
  decisions = gtk_widget_get_parent (decisions);

  /* Tab through the whole window, as a person does, from the candidate list. */
  gtk_widget_grab_focus (list);
  for (guint i = 0; i < 400; i++)
    {
      GtkWidget *focus;

      if (!gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD))
        /* Off the end of the chain: GTK wraps to the start. */
        gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
      focus = gtk_root_get_focus (GTK_ROOT (window));
      if (focus == NULL)
        continue;
      if (i < 60)
        g_string_append_printf (chain, " %s", G_OBJECT_TYPE_NAME (focus));
      reached_list |= is_inside (focus, list);
      reached_canvas |= focus == canvas;
      reached_decisions |= is_inside (focus, decisions);
      if (focus == first_focus && reached_list && reached_canvas && reached_decisions)
        break;
      if (first_focus == NULL)
        first_focus = focus;
    }
  g_test_message ("tab chain:%s", chain->str);
  g_string_free (chain, TRUE);
  g_assert_true (reached_list);
  g_assert_true (reached_canvas);
  g_assert_true (reached_decisions);
}

/* Run last: the offenders of all the visits together. */
static void
test_summary (void)
{
  g_test_message ("%u distinct controls without an accessible name in all visits",
                  g_hash_table_size (all_offenders));
  g_assert_cmpuint (g_hash_table_size (all_offenders), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "C.UTF-8");
  /* GTK's test AT context keeps the accessible attributes without an accessibility
   * bus (there is none in the private session); GTK_A11Y=none would too, but say so. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!tm_ui_test_can_run ())
    return g_test_run ();
  adw_init ();

  all_offenders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  build_database ();
  app = tm_ui_test_application_new (db_path);
  window = tm_ui_test_window_new (app, db_path);
  tm_ui_test_iterate_for (300);

  g_test_add_func ("/a11y/names/acquisitions", test_acquisitions);
  g_test_add_func ("/a11y/names/review", test_review);
  g_test_add_func ("/a11y/names/leads", test_leads);
  g_test_add_func ("/a11y/names/hits", test_hits);
  g_test_add_func ("/a11y/names/dialogs", test_dialogs);
  g_test_add_func ("/a11y/keyboard/review", test_keyboard);
  g_test_add_func ("/a11y/names/summary", test_summary);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  g_hash_table_unref (all_offenders);
  g_free (scans_dir);
  g_free (db_path);
  g_free (tmpdir);
  return status;
}
