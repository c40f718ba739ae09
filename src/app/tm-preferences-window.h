/* tm-preferences-window.h — the application's settings, bound to GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TM_TYPE_PREFERENCES_WINDOW (tm_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (TmPreferencesWindow, tm_preferences_window, TM, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Every row is bound to @settings: a change in the window is a change of the key and
 * the other way round. */
TmPreferencesWindow *tm_preferences_window_new (GtkWindow *parent,
                                                GSettings *settings);

G_END_DECLS
