/* tm-application.h — the Toolmark GTK application: options, app actions, windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The schema id follows the application id (data/meson.build installs the schema
 * under it), so a .Devel build never rewrites the installed application's settings.
 * APPLICATION_ID comes from config.h, which every .c includes first. */
#define TM_SETTINGS_SCHEMA_ID APPLICATION_ID

#define TM_TYPE_APPLICATION (tm_application_get_type ())

G_DECLARE_FINAL_TYPE (TmApplication, tm_application, TM, APPLICATION, AdwApplication)

TmApplication *tm_application_new          (void);
/* The database the windows show: --db, or $XDG_DATA_HOME/toolmark/toolmark.db. */
const char    *tm_application_get_db_path  (TmApplication *self);
void           tm_application_set_db_path  (TmApplication *self,
                                            const char    *db_path);
/* The application's settings, or NULL when the schema is not installed (running from
 * a build tree without `meson devenv`); windows then simply do not remember state. */
GSettings     *tm_application_get_settings (TmApplication *self);

G_END_DECLS
