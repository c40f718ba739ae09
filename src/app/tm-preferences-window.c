/* tm-preferences-window.c — the application's settings, bound to GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here is applied by hand: each row is bound with g_settings_bind() (or
 * g_settings_bind_with_mapping() for the dropdowns and lists), and the views that use
 * a key listen to its "changed" signal, so there is no Apply button to forget.
 */
#define G_LOG_DOMAIN "tm-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tm-preferences-window.h"

struct _TmPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (TmPreferencesWindow, tm_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char * const render_modes[] = { "relief", "false-colour", "grey", NULL };
static const char * const color_schemes[] = { "default", "light", "dark", NULL };

/* A string key with choices ↔ the position in a combo row; @user_data is the choices. */
static gboolean
mode_get_mapping (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char * const *choices = user_data;
  const char *mode = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_str_equal (mode, choices[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
mode_set_mapping (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char * const *choices = user_data;
  guint i = g_value_get_uint (value);

  if (i >= g_strv_length ((char **) choices))
    return NULL;
  return g_variant_new_string (choices[i]);
}

/* "as" keys edited as one comma-separated line: scope lists are short. */
static gboolean
list_get_mapping (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  g_autofree const char **items = g_variant_get_strv (variant, NULL);

  g_value_take_string (value, g_strjoinv (", ", (char **) items));
  return TRUE;
}

static GVariant *
list_set_mapping (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  g_auto(GStrv) parts = g_strsplit (g_value_get_string (value) ?: "", ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) items = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  items = g_strv_builder_end (builder);
  return g_variant_new_strv ((const char * const *) items, -1);
}

static GtkWidget *
add_group (GtkWidget  *page,
           const char *title,
           const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  return group;
}

static GtkWidget *
add_switch (TmPreferencesWindow *self,
            GtkWidget           *group,
            const char          *key,
            const char          *title,
            const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  gtk_widget_set_name (row, key);
  g_settings_bind (self->settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkWidget *
add_spin (TmPreferencesWindow *self,
          GtkWidget           *group,
          const char          *key,
          const char          *title,
          const char          *subtitle,
          double               lower,
          double               upper,
          double               step,
          guint                digits)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lower, upper, step);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  gtk_widget_set_name (row, key);
  g_settings_bind (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkWidget *
add_entry (TmPreferencesWindow *self,
           GtkWidget           *group,
           const char          *key,
           const char          *title,
           gboolean             is_list)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, key);
  if (is_list)
    g_settings_bind_with_mapping (self->settings, key, row, "text", G_SETTINGS_BIND_DEFAULT,
                                  list_get_mapping, list_set_mapping, NULL, NULL);
  else
    g_settings_bind (self->settings, key, row, "text", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static void
tm_preferences_window_build (TmPreferencesWindow *self)
{
  GtkWidget *page;
  GtkWidget *group;
  GtkWidget *combo;
  const char *mode_labels[] = { _("Shaded relief"), _("False-colour height"), _("Grey height"), NULL };
  g_autoptr(GtkStringList) modes = gtk_string_list_new (mode_labels);
  const char *scheme_labels[] = { _("Follow the system"), _("Light"), _("Dark"), NULL };
  g_autoptr(GtkStringList) schemes = gtk_string_list_new (scheme_labels);

  page = adw_preferences_page_new ();
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _("Correlation"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "edit-find-symbolic");
  group = add_group (page, _("Defaults of a New Correlation"),
                     _("The correlate form starts with these; each run can change them."));
  add_spin (self, group, "default-top-n", _("Candidates fully scored"),
            _("The best pre-scored candidates that get full registration and cell scoring"),
            1, 1000, 1, 0);
  add_switch (self, group, "same-calibre-only", _("Same calibre only"),
              _("Narrow the search to the query’s calibre"));
  group = add_group (page, _("Search Scope"),
                     _("Comma-separated; empty means every site or calibre the database holds."));
  add_entry (self, group, "search-scope-sites", _("Sites"), TRUE);
  add_entry (self, group, "search-scope-calibres", _("Calibres"), TRUE);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));

  page = adw_preferences_page_new ();
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _("Display"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "applications-graphics-symbolic");
  group = add_group (page, _("Appearance"), NULL);
  combo = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (combo), _("Style"));
  adw_combo_row_set_model (ADW_COMBO_ROW (combo), G_LIST_MODEL (schemes));
  gtk_widget_set_name (combo, "color-scheme");
  g_settings_bind_with_mapping (self->settings, "color-scheme", combo, "selected",
                                G_SETTINGS_BIND_DEFAULT, mode_get_mapping, mode_set_mapping,
                                (gpointer) color_schemes, NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), combo);

  group = add_group (page, _("Scans"), _("How thumbnails and the compare view draw a surface."));
  combo = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (combo), _("3D scans are drawn as"));
  adw_combo_row_set_model (ADW_COMBO_ROW (combo), G_LIST_MODEL (modes));
  gtk_widget_set_name (combo, "render-mode");
  g_settings_bind_with_mapping (self->settings, "render-mode", combo, "selected",
                                G_SETTINGS_BIND_DEFAULT, mode_get_mapping, mode_set_mapping,
                                (gpointer) render_modes, NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), combo);
  add_spin (self, group, "light-azimuth", _("Light azimuth (°)"),
            _("Where the light comes from, clockwise from the top; 315° is top left"),
            0, 359, 5, 0);
  add_spin (self, group, "light-elevation", _("Light elevation (°)"),
            _("Height of the light above the surface"), 1, 90, 1, 0);
  add_switch (self, group, "show-cells", _("Show matching cells"),
              _("Draw the congruent matching cells on both scans"));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));

  page = adw_preferences_page_new ();
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _("Site"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "network-server-symbolic");
  group = add_group (page, _("This Laboratory"), NULL);
  add_entry (self, group, "agency-name", _("Agency name"), FALSE);
  group = add_group (page, _("Hub"), _("The shared server this site exchanges acquisitions and leads with."));
  add_entry (self, group, "hub-url", _("Hub address"), FALSE);
  add_spin (self, group, "sync-interval", _("Synchronise every (minutes)"),
            _("0 synchronises only when asked"), 0, 1440, 5, 0);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
}

static void
tm_preferences_window_dispose (GObject *object)
{
  TmPreferencesWindow *self = TM_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tm_preferences_window_parent_class)->dispose (object);
}

static void
tm_preferences_window_class_init (TmPreferencesWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tm_preferences_window_dispose;
}

static void
tm_preferences_window_init (TmPreferencesWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 640);
}

TmPreferencesWindow *
tm_preferences_window_new (GtkWindow *parent,
                           GSettings *settings)
{
  TmPreferencesWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (TM_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->settings = g_object_ref (settings);
  tm_preferences_window_build (self);
  return self;
}
