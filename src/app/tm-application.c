/* tm-application.c — the Toolmark GTK application: options, app actions, windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tm-application"

#include "config.h"

#include <glib/gi18n.h>

#include "tm-application.h"
#include "tm-preferences-window.h"
#include "tm-sync-scheduler.h"
#include "tm-window.h"

struct _TmApplication
{
  AdwApplication  parent_instance;

  char           *db_path;
  GSettings      *settings;
  gboolean        quit_after_startup;
  /* --run / --lead: what the first window opens on (0: the acquisitions) */
  gint64          open_run;
  gint64          open_lead;
};

enum {
  PROP_0,
  PROP_DB_PATH,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TmApplication, tm_application, ADW_TYPE_APPLICATION)

static GParamSpec *properties[N_PROPS];

static const GOptionEntry main_entries[] = {
  { "db", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open the database at PATH (default: $XDG_DATA_HOME/toolmark/toolmark.db)"), N_("PATH") },
  /* A correlation or lead from a script or a colleague's message opens straight on
   * its page: `toolmark-cli correlate` prints the run's number. */
  { "run", 0, 0, G_OPTION_ARG_INT64, NULL,
    N_("Open correlation run N for review (the number toolmark-cli correlate prints)"), N_("N") },
  { "lead", 0, 0, G_OPTION_ARG_INT64, NULL,
    N_("Open lead N"), N_("N") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  /* For the install test (tests/check-install.sh): proves an installed build starts,
   * finds its schema and resources, and draws its window. Hidden from --help. */
  { "quit-after-startup", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, NULL,
    "Quit once the first window has drawn its first frame", NULL },
  { NULL }
};

static char *
default_db_path (void)
{
  /* The same default as toolmark-cli, so `toolmark-cli import` fills what the app shows. */
  return g_build_filename (g_get_user_data_dir (), "toolmark", "toolmark.db", NULL);
}

static void
tm_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  TmApplication *self = user_data;
  static const char *developers[] = { "The Toolmark developers", NULL };
  /* The methods the engine implements, so an examiner can cite what produced a score. */
  static const char *methods[] = {
    "Song J. (2013), Proposed “NIST Ballistics Identification System (NBIS)” based on 3D topography measurements on correlation cells, AFTE Journal 45(2)",
    "Tong M., Song J., Chu W. (2015), An improved algorithm of congruent matching cells (CMC) method for firearm evidence identifications, J. Res. NIST 120",
    "Chen Z., Song J., Chu W., Soons J. A., Zhao X. (2017), A convergence algorithm for correlation of breech face images based on the congruent matching cells (CMC) method, Forensic Sci. Int. 280",
    "Vorburger T. V. et al. (2007), Surface topography analysis for a feasibility assessment of a National Ballistics Imaging Database, NISTIR 7362",
    "Fadul T. G. et al. (2011), An empirical study to improve the scientific foundation of forensic firearm and tool mark identification utilizing 10 consecutively manufactured slides, NIJ report 237960",
    "ISO 25178-72:2017, XML file format x3p for surface texture data (OpenFMC)",
    NULL
  };
  static const char *data_sets[] = {
    "NIST Ballistics Toolmark Research Database https://tsapps.nist.gov/NRBTD/",
    NULL
  };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("Toolmark"),
                        "application-icon", "org.toolmark.Toolmark",
                        "developer-name", _("The Toolmark developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Correlation review workstation for ballistic imaging: import cartridge-case scans, search for those fired by the same firearm, and review the candidates side by side."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: replace with your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about), _("Published Methods"), methods);
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about), _("Reference Data"), data_sets);
  gtk_window_present (GTK_WINDOW (about));
}

static void
tm_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  TmApplication *self = user_data;
  TmPreferencesWindow *preferences;

  if (self->settings == NULL)
    {
      g_warning ("The settings schema %s is not installed; run from `meson devenv` or install",
                 TM_SETTINGS_SCHEMA_ID);
      return;
    }
  preferences = tm_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                           self->settings);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
tm_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  TmApplication *self = user_data;
  GList *windows;

  /* Closing (not destroying) lets each window save its state in close-request; the
   * application ends by itself when the last window is gone. */
  /* Referenced: closing a window also destroys its transient dialogs (About). */
  windows = g_list_copy_deep (gtk_application_get_windows (GTK_APPLICATION (self)),
                              (GCopyFunc) g_object_ref, NULL);
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free_full (windows, g_object_unref);
}

static const GActionEntry app_actions[] = {
  { "about", tm_application_about_action },
  { "preferences", tm_application_preferences_action },
  { "quit",  tm_application_quit_action },
};

static void
tm_application_quit_idle_cb (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (user_data), "quit", NULL);
}

static void
tm_application_first_frame_cb (GdkFrameClock *frame_clock,
                               gpointer       user_data)
{
  TmApplication *self = user_data;

  g_signal_handlers_disconnect_by_func (frame_clock, tm_application_first_frame_cb, self);
  g_print ("toolmark: window drawn\n");
  /* Not from inside the paint: closing the window there would tear it down mid-frame. */
  g_idle_add_once (tm_application_quit_idle_cb, self);
}

static void
tm_application_window_map_cb (GtkWidget *window,
                              gpointer   user_data)
{
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (tm_application_first_frame_cb), user_data, 0);
}

static void
color_scheme_changed_cb (TmApplication *self,
                         const char    *key,
                         GSettings     *settings)
{
  g_autofree char *scheme = g_settings_get_string (settings, "color-scheme");
  AdwColorScheme value = ADW_COLOR_SCHEME_DEFAULT;

  if (g_strcmp0 (scheme, "light") == 0)
    value = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (scheme, "dark") == 0)
    value = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_application_get_style_manager (ADW_APPLICATION (self)), value);
}

static int
tm_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  TmApplication *self = TM_APPLICATION (application);
  g_autofree char *db = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("toolmark %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_contains (options, "quit-after-startup"))
    self->quit_after_startup = TRUE;
  if (g_variant_dict_lookup (options, "run", "x", &self->open_run) && self->open_run <= 0)
    {
      g_printerr (_("toolmark: --run takes a run number of 1 or more\n"));
      return 2;
    }
  if (g_variant_dict_lookup (options, "lead", "x", &self->open_lead) && self->open_lead <= 0)
    {
      g_printerr (_("toolmark: --lead takes a lead number of 1 or more\n"));
      return 2;
    }

  if (g_variant_dict_lookup (options, "db", "^ay", &db))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (db);

      tm_application_set_db_path (self, g_file_peek_path (file));
      /* A running instance would only be activated and keep showing its own
       * database, so a window for an explicit database gets its own process. */
      g_application_set_flags (application,
                               g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
    }

  return G_APPLICATION_CLASS (tm_application_parent_class)->handle_local_options (application, options);
}

static void
tm_application_startup (GApplication *application)
{
  TmApplication *self = TM_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *reload_accels[] = { "F5", "<Control>r", NULL };
  static const char *find_accels[] = { "<Control>f", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *import_accels[] = { "<Control>o", NULL };
  static const char *correlate_accels[] = { "<Control>Return", "<Control>KP_Enter", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *sidebar_accels[] = { "<Alt>Left", NULL };
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  G_APPLICATION_CLASS (tm_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.reload", reload_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.find", find_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.import", import_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.correlate", correlate_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-sidebar", sidebar_accels);

  /* g_settings_new() aborts on a missing schema; from an uninstalled build tree the
   * window works without remembering its size rather than not starting. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, TM_SETTINGS_SCHEMA_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new_full (schema, NULL, NULL);
  else
    g_debug ("GSettings schema %s is not installed; window state will not be saved",
             TM_SETTINGS_SCHEMA_ID);

  /* Without settings there is nothing for the preferences to change: no dead item. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "preferences")),
                               self->settings != NULL);
  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::color-scheme",
                               G_CALLBACK (color_scheme_changed_cb), self, G_CONNECT_SWAPPED);
      color_scheme_changed_cb (self, "color-scheme", self->settings);
    }

  /* Syncs with the hub on the schedule of the preferences while the application runs;
   * owned by the application (tm-sync-scheduler.c). */
  if (self->settings != NULL)
    g_object_set_data_full (G_OBJECT (self), "tm-sync-scheduler",
                            tm_sync_scheduler_new (GTK_APPLICATION (self), self->settings),
                            g_object_unref);
}

static void
tm_application_activate (GApplication *application)
{
  TmApplication *self = TM_APPLICATION (application);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    {
      window = GTK_WINDOW (tm_window_new (self, self->db_path, self->settings));
      if (self->quit_after_startup)
        g_signal_connect_object (window, "map",
                                 G_CALLBACK (tm_application_window_map_cb), self, 0);
      /* The page loads its data off the main thread and says so itself when the
       * number does not exist. */
      if (self->open_run > 0)
        tm_window_show_run (TM_WINDOW (window), self->open_run);
      else if (self->open_lead > 0)
        tm_window_show_lead (TM_WINDOW (window), self->open_lead);
    }
  gtk_window_present (window);
}

/* The main window (a dialog may be the active window), or NULL. */
static TmWindow *
tm_application_find_main_window (TmApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (TM_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* "Open With Toolmark" and `toolmark FILE…`: scans go to the import dialog, packages
 * are imported, into the database this instance shows (a running instance receives
 * the files; `--db` makes an instance of its own, see handle_local_options). */
static void
tm_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  TmApplication *self = TM_APPLICATION (application);
  TmWindow *window = tm_application_find_main_window (self);

  if (window == NULL)
    {
      g_application_activate (application);
      window = tm_application_find_main_window (self);
    }
  g_return_if_fail (window != NULL);
  gtk_window_present (GTK_WINDOW (window));
  tm_window_open_files (window, files, (guint) n_files);
}

static void
tm_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TmApplication *self = TM_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      g_value_set_string (value, self->db_path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TmApplication *self = TM_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      tm_application_set_db_path (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_application_finalize (GObject *object)
{
  TmApplication *self = TM_APPLICATION (object);

  g_clear_pointer (&self->db_path, g_free);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tm_application_parent_class)->finalize (object);
}

static void
tm_application_class_init (TmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = tm_application_finalize;
  object_class->get_property = tm_application_get_property;
  object_class->set_property = tm_application_set_property;

  app_class->handle_local_options = tm_application_handle_local_options;
  app_class->startup = tm_application_startup;
  app_class->activate = tm_application_activate;
  app_class->open = tm_application_open;

  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tm_application_init (TmApplication *self)
{
  self->db_path = default_db_path ();
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
}

TmApplication *
tm_application_new (void)
{
  /* The resource base path stays fixed for the .Devel id, so the templates, the help
   * overlay, style.css and the icons resolve in both builds. */
  return g_object_new (TM_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/toolmark/Toolmark",
                       NULL);
}

const char *
tm_application_get_db_path (TmApplication *self)
{
  g_return_val_if_fail (TM_IS_APPLICATION (self), NULL);

  return self->db_path;
}

void
tm_application_set_db_path (TmApplication *self,
                            const char    *db_path)
{
  g_return_if_fail (TM_IS_APPLICATION (self));
  g_return_if_fail (db_path != NULL);

  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;

  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DB_PATH]);
}

GSettings *
tm_application_get_settings (TmApplication *self)
{
  g_return_val_if_fail (TM_IS_APPLICATION (self), NULL);

  return self->settings;
}
