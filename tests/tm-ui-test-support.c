/* tm-ui-test-support.c — helpers shared by the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "tm-compare-view.h"
#include "tm-hits-page.h"
#include "tm-lead-view.h"
#include "tm-leads-page.h"
#include "tm-review-page.h"
#include "tm-test-support.h"
#include "tm-ui-test-support.h"
#include "tm-window.h"

/* ---- setting up ---- */

gboolean
tm_ui_test_can_run (void)
{
  g_autoptr(GDBusConnection) bus = NULL;

  if (!gtk_init_check ())
    {
      g_test_skip ("no display: run under xvfb-run (meson test does)");
      return FALSE;
    }
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    {
      g_test_skip ("no D-Bus session bus: run under dbus-run-session (meson test does)");
      return FALSE;
    }
  return TRUE;
}

TmApplication *
tm_ui_test_application_new (const char *db_path)
{
  g_autoptr(GError) error = NULL;
  TmApplication *app = tm_application_new ();

  tm_application_set_db_path (app, db_path);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  return app;
}

TmWindow *
tm_ui_test_window_new (TmApplication *app,
                       const char    *db_path)
{
  TmWindow *window = tm_window_new (app, db_path, tm_application_get_settings (app));

  gtk_window_set_default_size (GTK_WINDOW (window), 1500, 950);
  gtk_window_present (GTK_WINDOW (window));
  tm_ui_test_iterate_until (tm_ui_test_window_loaded, window, 30);
  return window;
}

/* ---- the main loop ---- */

static gboolean
heartbeat_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
tm_ui_test_iterate_until_named (gboolean   (*done) (gpointer),
                                const char  *what,
                                gpointer     data,
                                guint        timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;
  /* Wakes the blocking iteration so the deadline is checked even when nothing
   * else happens. */
  guint heartbeat = g_timeout_add (50, heartbeat_cb, NULL);

  while (!done (data))
    {
      /* Name what never happened: a bare deadline assertion says nothing in a CI log. */
      if (g_get_monotonic_time () >= deadline)
        g_error ("timed out after %u s waiting for %s", timeout_s, what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (heartbeat);
}

static gboolean
elapsed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

void
tm_ui_test_iterate_for (guint msec)
{
  gint64 until = g_get_monotonic_time () + msec * 1000;

  tm_ui_test_iterate_until (elapsed, &until, 30);
}

/* ---- predicates ---- */

gboolean
tm_ui_test_window_loaded (gpointer data)
{
  return !tm_window_get_loading (TM_WINDOW (data));
}

gboolean
tm_ui_test_review_loaded (gpointer data)
{
  return !tm_review_page_get_loading (TM_REVIEW_PAGE (data));
}

gboolean
tm_ui_test_leads_loaded (gpointer data)
{
  return !tm_leads_page_get_loading (TM_LEADS_PAGE (data));
}

gboolean
tm_ui_test_lead_view_idle (gpointer data)
{
  return !tm_lead_view_get_busy (TM_LEAD_VIEW (data));
}

gboolean
tm_ui_test_hits_loaded (gpointer data)
{
  return !tm_hits_page_get_loading (TM_HITS_PAGE (data));
}

gboolean
tm_ui_test_compare_idle (gpointer data)
{
  return !tm_compare_view_is_busy (TM_COMPARE_VIEW (data));
}

gboolean
tm_ui_test_flag_set (gpointer data)
{
  return *(gboolean *) data;
}

gboolean
tm_ui_test_run_finished (gpointer data)
{
  return *(gint64 *) data != 0;
}

void
tm_ui_test_store_run_id (GtkWidget *dialog,
                         gint64     run_id,
                         gint64    *out)
{
  *out = run_id;
}

/* ---- finding widgets ---- */

typedef gboolean (*Match) (GtkWidget     *widget,
                           gconstpointer  what);

/* Depth first, @root first: the first widget @match accepts. */
static GtkWidget *
find_first (GtkWidget     *root,
            Match          match,
            gconstpointer  what)
{
  if (match (root, what))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_first (child, match, what);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_of_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, *(const GType *) type);
}

GtkWidget *
tm_ui_test_find_type (GtkWidget *root,
                      GType      type)
{
  return find_first (root, is_of_type, &type);
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

GtkWidget *
tm_ui_test_find_button (GtkWidget  *root,
                        const char *label)
{
  return find_first (root, is_button_labelled, label);
}

typedef struct
{
  GType       type;
  const char *title;
} RowQuery;

static gboolean
is_row_titled (GtkWidget     *widget,
               gconstpointer  data)
{
  const RowQuery *query = data;

  return G_TYPE_CHECK_INSTANCE_TYPE (widget, query->type) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), query->title) == 0;
}

GtkWidget *
tm_ui_test_find_row (GtkWidget  *root,
                     GType       type,
                     const char *title)
{
  RowQuery query = { type, title };

  g_return_val_if_fail (g_type_is_a (type, ADW_TYPE_PREFERENCES_ROW), NULL);
  return find_first (root, is_row_titled, &query);
}

static gboolean
is_label_containing (GtkWidget     *widget,
                     gconstpointer  part)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), part) != NULL;
}

GtkWidget *
tm_ui_test_find_label_containing (GtkWidget  *root,
                                  const char *part)
{
  return find_first (root, is_label_containing, part);
}

GtkWindow *
tm_ui_test_find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

/* ---- acting and looking ---- */

void
tm_ui_test_click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  tm_ui_test_iterate_for (50);
}

GtkShortcut *
tm_ui_test_find_key_binding (GtkWidget       *widget,
                             guint            keyval,
                             GdkModifierType  mods)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger) &&
              /* Triggers keep keyvals in lower case, the Shift in the modifiers. */
              gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == gdk_keyval_to_lower (keyval) &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods)
            return shortcut;
        }
    }
  return NULL;
}

void
tm_ui_test_press_key (GtkWidget       *widget,
                      guint            keyval,
                      GdkModifierType  mods)
{
  GtkShortcut *shortcut = tm_ui_test_find_key_binding (widget, keyval, mods);

  if (shortcut == NULL)
    g_error ("no key binding for %s on %s", gtk_accelerator_name (keyval, mods), G_OBJECT_TYPE_NAME (widget));
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                               GTK_SHORTCUT_ACTION_EXCLUSIVE, widget,
                                               gtk_shortcut_get_arguments (shortcut)));
}

void
tm_ui_test_save_png (GtkWidget  *widget,
                     const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

void
tm_ui_test_screenshot (GtkWidget  *widget,
                       const char *name)
{
  const char *dir = g_getenv ("TM_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  /* Let the widgets lay out and draw what they were just given. */
  tm_ui_test_iterate_for (300);
  path = g_build_filename (dir, name, NULL);
  tm_ui_test_save_png (widget, path);
  g_test_message ("wrote %s", path);
}

/* ---- the database, through the command line ---- */

char *
tm_ui_test_cli (const char *db_path,
                const char *first,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db_path);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  status = tm_test_run_cli ((const char * const *) argv->pdata, &out, &err);
  if (status != 0)
    g_error ("toolmark-cli %s failed (%d): %s", first, status, err);
  return g_steal_pointer (&out);
}
