/* tm-ui-test-support.h — helpers shared by the UI tests (run under Xvfb): driving the
 * main loop, finding widgets, waiting for the app's workers, screenshots, and making
 * the database with toolmark-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tm-application.h"
#include "tm-window.h"

G_BEGIN_DECLS

/* ---- setting up ---- */

/* Whether the UI can run here: a display (xvfb-run) and a session bus
 * (dbus-run-session), without which GtkApplication warns and GTest makes that fatal.
 * When not, the test is marked skipped with the reason: return g_test_run (). */
gboolean       tm_ui_test_can_run               (void);
/* The real application on @db_path, registered (so its actions work). */
TmApplication *tm_ui_test_application_new       (const char    *db_path);
/* A main window of @app on @db_path, 1500×950, presented and loaded. */
TmWindow      *tm_ui_test_window_new            (TmApplication *app,
                                                 const char    *db_path);

/* ---- the main loop ---- */

/* Iterates the main loop until @done (@data) returns TRUE; the test fails, naming
 * @what, when that takes longer than @timeout_s seconds. */
void        tm_ui_test_iterate_until_named   (gboolean  (*done) (gpointer),
                                              const char *what,
                                              gpointer    data,
                                              guint       timeout_s);
#define tm_ui_test_iterate_until(done, data, timeout_s) \
  tm_ui_test_iterate_until_named ((done), #done, (data), (timeout_s))
/* Iterates the main loop for @msec milliseconds (layout, drawing, idle handlers). */
void        tm_ui_test_iterate_for           (guint       msec);

/* ---- predicates for tm_ui_test_iterate_until ---- */

/* @data is a TmWindow: its acquisition list is loaded. */
gboolean    tm_ui_test_window_loaded         (gpointer    data);
/* @data is a TmReviewPage: its run is loaded. */
gboolean    tm_ui_test_review_loaded         (gpointer    data);
/* @data is a TmLeadsPage: its list is loaded. */
gboolean    tm_ui_test_leads_loaded          (gpointer    data);
/* @data is a TmLeadView: no write is running. */
gboolean    tm_ui_test_lead_view_idle        (gpointer    data);
/* @data is a TmHitsPage: its list is loaded. */
gboolean    tm_ui_test_hits_loaded           (gpointer    data);
/* @data is a TmCompareView: nothing is loading or aligning. */
gboolean    tm_ui_test_compare_idle          (gpointer    data);
/* @data points to a gboolean that is TRUE. */
gboolean    tm_ui_test_flag_set              (gpointer    data);
/* @data points to a gint64 run id that is set (see tm_ui_test_store_run_id). */
gboolean    tm_ui_test_run_finished          (gpointer    data);
/* A TmCorrelateDialog::finished handler that stores the run id in @out. */
void        tm_ui_test_store_run_id          (GtkWidget  *dialog,
                                              gint64      run_id,
                                              gint64     *out);

/* ---- finding widgets ---- */

/* The first widget under @root (itself included) of @type. */
GtkWidget  *tm_ui_test_find_type             (GtkWidget  *root,
                                              GType       type);
/* The first GtkButton under @root labelled @label. */
GtkWidget  *tm_ui_test_find_button           (GtkWidget  *root,
                                              const char *label);
/* The first AdwPreferencesRow of @type under @root titled @title. */
GtkWidget  *tm_ui_test_find_row              (GtkWidget  *root,
                                              GType       type,
                                              const char *title);
/* The first GtkLabel under @root whose text contains @part. */
GtkWidget  *tm_ui_test_find_label_containing (GtkWidget  *root,
                                              const char *part);
/* A visible toplevel window of @type, or NULL. */
GtkWindow  *tm_ui_test_find_toplevel         (GType       type);

/* ---- acting and looking ---- */

/* Clicks @button as a person would: it must be sensitive. */
void        tm_ui_test_click                 (GtkWidget  *button);
/* The key binding of @widget's shortcut controllers for @keyval + @mods, or NULL; the
 * controller keeps it alive. */
GtkShortcut *tm_ui_test_find_key_binding     (GtkWidget       *widget,
                                              guint            keyval,
                                              GdkModifierType  mods);
/* Presses @keyval + @mods on @widget as its key bindings would handle it: the binding
 * is looked up in @widget's shortcut controllers (a missing binding ends the test
 * program) and its action activated on @widget. */
void        tm_ui_test_press_key             (GtkWidget       *widget,
                                              guint            keyval,
                                              GdkModifierType  mods);
/* Renders what @widget shows (a window or any mapped widget) to the PNG @path. */
void        tm_ui_test_save_png              (GtkWidget  *widget,
                                              const char *path);
/* Renders @widget to @name in $TM_SCREENSHOT_DIR, when that is set. */
void        tm_ui_test_screenshot            (GtkWidget  *widget,
                                              const char *name);

/* ---- the database, through the command line ---- */

/* Runs `toolmark-cli --db @db_path @first …` (NULL-terminated); returns its output
 * and ends the test program when it fails. */
char       *tm_ui_test_cli                   (const char *db_path,
                                              const char *first,
                                              ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
