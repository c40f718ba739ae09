/* test-review-ui.c — correlate, review and decide through the real widgets, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Synthetic scans of three firearms (two shots each) are written as X3P and imported
 * with the importer (preprocessing and signatures as stored by an import). The review
 * page is shown in a window; a correlation runs through the correlate dialog's own
 * buttons; the first candidate (the query's mate) is promoted to a lead through the
 * decision bar; then a fresh connection checks what the store kept: the candidate's
 * review state, the lead and its members, the decision row with user and time, and
 * the audit entry. Keyboard review drives the page's key bindings (the shortcuts the
 * help overlay lists) and checks the store again.
 */
#define G_LOG_DOMAIN "test-review-ui"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <sqlite3.h>

#include "tm-application.h"
#include "tm-audit.h"
#include "tm-compare-view.h"
#include "tm-candidate-item.h"
#include "tm-candidate-list.h"
#include "tm-correlate-dialog.h"
#include "tm-import-dialog.h"
#include "tm-importer.h"
#include "tm-lead-chooser.h"
#include "tm-review-page.h"
#include "tm-store.h"
#include "tm-synth.h"
#include "tm-test-support.h"
#include "tm-ui-test-support.h"
#include "tm-window.h"
#include "tm-workflow.h"
#include "tm-x3p.h"

#define N_FIREARMS 3
#define N_SHOTS    2

static TmApplication *app;
static char *tmpdir;
static char *db_path;
static gint64 ids[N_FIREARMS][N_SHOTS];

/* ---- main loop helpers ---- */

static gboolean
dialog_running (gpointer data)
{
  return tm_correlate_dialog_get_running (TM_CORRELATE_DIALOG (data));
}

/* ---- widget lookup ---- */

/* The value shown in the AdwActionRow titled @title: its suffix label, the one with
 * the "numeric" style (the title and subtitle are labels too). */
static const char *
row_value (GtkWidget  *root,
           const char *title)
{
  GtkWidget *row = tm_ui_test_find_row (root, ADW_TYPE_ACTION_ROW, title);
  GPtrArray *pending = g_ptr_array_new ();
  const char *text = NULL;

  g_assert_nonnull (row);
  g_ptr_array_add (pending, row);
  while (pending->len > 0 && text == NULL)
    {
      GtkWidget *w = g_ptr_array_steal_index (pending, pending->len - 1);

      if (GTK_IS_LABEL (w) && gtk_widget_has_css_class (w, "numeric"))
        text = gtk_label_get_text (GTK_LABEL (w));
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (pending, c);
    }
  g_ptr_array_unref (pending);
  return text;
}

/* Presses @keyval + @mods on @page and lets it handle the result. */
static void
press_key (GtkWidget       *page,
           guint            keyval,
           GdkModifierType  mods)
{
  tm_ui_test_press_key (page, keyval, mods);
  tm_ui_test_iterate_for (50);
}

/* ---- the database ---- */

/* Writes the synthetic shots, N_SHOTS of each of N_FIREARMS, to @dir as
 * gunF-shotS.x3p; returns their paths, firearm by firearm. */
static GPtrArray *
write_shots (const char *dir)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  TmSynthParams params;

  tm_synth_params_init (&params);
  params.size = 256;
  for (int f = 0; f < N_FIREARMS; f++)
    {
      g_autoptr(TmSynthFirearm) firearm = tm_synth_firearm_new (tm_synth_derive_seed (4711, f), &params, &error);

      g_assert_no_error (error);
      for (int s = 0; s < N_SHOTS; s++)
        {
          g_autoptr(TmSurface) shot = tm_synth_shot (firearm, tm_synth_derive_seed (31 + f, s), NULL);
          g_autofree char *name = g_strdup_printf ("gun%d-shot%d.x3p", f, s);
          char *path = g_build_filename (dir, name, NULL);

          g_assert_true (tm_x3p_write_file (shot, path, &error));
          g_assert_no_error (error);
          g_ptr_array_add (paths, path);
        }
    }
  return paths;
}

static void
build_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(TmImporter) importer = NULL;
  g_autoptr(GPtrArray) paths = NULL;

  tmpdir = tm_test_make_tmpdir ("test-review-ui-XXXXXX");
  db_path = g_build_filename (tmpdir, "review.db", NULL);
  store = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  importer = tm_importer_new (store, g_get_user_name ());

  paths = write_shots (tmpdir);
  for (int f = 0; f < N_FIREARMS; f++)
    {
      for (int s = 0; s < N_SHOTS; s++)
        {
          const char *path = g_ptr_array_index (paths, f * N_SHOTS + s);
          g_autoptr(TmCaseData) data = tm_case_data_new ();
          g_autoptr(TmAcquisition) a = NULL;

          data->calibre = g_strdup ("9mm Luger");
          data->kind = g_strdup (s == 0 ? "crime-scene" : "test-fire");
          data->case_number = g_strdup_printf ("CASE-%d-%d", f, s);
          data->exhibit = g_strdup_printf ("E%d", s + 1);
          data->breech_face_class = g_strdup ("granular");
          tm_importer_set_defaults (importer, data);
          a = tm_importer_import_file (importer, path, &error);
          g_assert_no_error (error);
          ids[f][s] = tm_acquisition_get_id (a);
        }
    }
}

static GSettings *
test_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.toolmark.Toolmark", TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

/* Runs the correlate dialog for @query through its buttons; returns the run id. */
static gint64
correlate (GtkWindow *parent,
           gint64     query,
           GSettings *settings,
           gboolean   cancel)
{
  GtkWindow *dialog = tm_correlate_dialog_new (parent, db_path, query, settings);
  GtkWidget *search, *calibre, *spin;
  gint64 run_id = 0;

  g_signal_connect (dialog, "finished", G_CALLBACK (tm_ui_test_store_run_id), &run_id);
  gtk_window_present (dialog);
  tm_ui_test_iterate_for (200);

  /* Prefilled from the query and from the settings. */
  calibre = tm_ui_test_find_row (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Calibre");
  g_assert_nonnull (calibre);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (calibre)), ==, "9mm Luger");
  spin = tm_ui_test_find_type (GTK_WIDGET (dialog), GTK_TYPE_SPIN_BUTTON);
  g_assert_nonnull (spin);
  if (settings != NULL)
    g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==,
                     (int) g_settings_get_uint (settings, "default-top-n"));
  else
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 4);

  search = tm_ui_test_find_button (GTK_WIDGET (dialog), "_Search");
  g_assert_nonnull (search);
  /* A button activated from the keyboard "clicks" when its press animation ends. */
  g_assert_true (gtk_widget_activate (search));
  tm_ui_test_iterate_until (dialog_running, dialog, 10);
  if (cancel)
    /* Escape, at once: the Cancel button would only click after its animation, by
     * when a search this small may be done. */
    press_key (GTK_WIDGET (dialog), GDK_KEY_Escape, 0);
  tm_ui_test_iterate_until (tm_ui_test_run_finished, &run_id, 300);
  g_assert_false (tm_correlate_dialog_get_running (TM_CORRELATE_DIALOG (dialog)));
  g_assert_cmpint (tm_correlate_dialog_get_run_id (TM_CORRELATE_DIALOG (dialog)), ==, run_id);

  /* The counts are shown with the results: 5 other acquisitions of the calibre. */
  if (!cancel)
    {
      g_assert_cmpstr (row_value (GTK_WIDGET (dialog), "Passed the filters"), ==, "5");
      g_assert_cmpstr (row_value (GTK_WIDGET (dialog), "Pre-scored"), ==, "5");
      g_assert_cmpstr (row_value (GTK_WIDGET (dialog), "Fully scored"), ==, "4");
    }

  gtk_window_close (dialog);
  tm_ui_test_iterate_for (50);
  return run_id;
}

static GtkWindow *
open_page (TmReviewPage **out_page)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *page = tm_review_page_new ();

  gtk_window_set_default_size (window, 1400, 900);
  gtk_window_set_child (window, page);
  gtk_window_present (window);
  tm_ui_test_iterate_for (200);
  *out_page = TM_REVIEW_PAGE (page);
  return window;
}

static void
show_run (TmReviewPage *page,
          gint64        run_id)
{
  tm_review_page_set_run (page, db_path, run_id);
  g_assert_true (tm_review_page_get_loading (page));
  tm_ui_test_iterate_until (tm_ui_test_review_loaded, page, 60);
  tm_ui_test_iterate_for (200);
}

static TmCandidateItem *
item_at (TmReviewPage *page,
         guint         position)
{
  GListModel *model = tm_candidate_list_get_model (tm_review_page_get_candidate_list (page));
  TmCandidateItem *item = g_list_model_get_item (model, position);

  g_object_unref (item);  /* the model keeps it */
  return item;
}

static char *
stored_state (TmStore *store,
              gint64   run_id,
              gint64   acquisition_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmCorrelationRun) run = tm_store_load_run (store, run_id, &error);
  GArray *candidates;

  g_assert_no_error (error);
  candidates = tm_correlation_run_get_candidates (run);
  for (guint i = 0; i < candidates->len; i++)
    {
      TmCandidate *c = &g_array_index (candidates, TmCandidate, i);

      if (c->acquisition_id == acquisition_id)
        return g_strdup (c->review_state);
    }
  return NULL;
}

static int
count_decisions (gint64      run_id,
                 gint64      acquisition_id,
                 const char *decision,
                 char      **out_user,
                 char      **out_at)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n = 0;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT user, at FROM candidate_decisions"
                                           " WHERE run_id = ? AND acquisition_id = ? AND decision = ?"
                                           " ORDER BY id", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, acquisition_id);
  sqlite3_bind_text (stmt, 3, decision, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (n == 0 && out_user != NULL)
        *out_user = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (n == 0 && out_at != NULL)
        *out_at = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      n++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* ---- tests ---- */

static void
test_unusualness (void)
{
  g_autofree char *nan_text = tm_format_unusualness (NAN);
  g_autofree char *rare = tm_format_unusualness (1.0 / 3000);
  g_autofree char *rounded = tm_format_unusualness (1.0 / 31234);
  g_autofree char *small = tm_format_unusualness (1.0 / 4.5);
  g_autofree char *common = tm_format_unusualness (0.7);

  g_assert_cmpstr (nan_text, ==, "—");
  /* The C locale groups no digits; a person's locale does ("1 in 3,000"). */
  g_assert_cmpstr (rare, ==, "1 in 3000");
  g_assert_cmpstr (rounded, ==, "1 in 31000");
  g_assert_cmpstr (small, ==, "1 in 4.5");
  g_assert_cmpstr (common, ==, "common");
}

static void
test_end_to_end (void)
{
  g_autoptr(GSettings) settings = test_settings ();
  g_autoptr(TmStore) fresh = NULL;
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(TmAcquisition) mate_acq = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *user = NULL;
  g_autofree char *at = NULL;
  TmReviewPage *page;
  GtkWindow *window;
  TmCandidateList *list;
  TmCandidateItem *first;
  GPtrArray *members;
  gint64 run_id;
  gint64 query = ids[0][0], mate = ids[0][1];
  gboolean audited = FALSE;

  if (settings != NULL)
    g_settings_set_uint (settings, "default-top-n", 4);
  else
    g_test_message ("org.toolmark.Toolmark schema not found: the dialog's defaults are not checked");

  window = open_page (&page);
  run_id = correlate (window, query, settings, FALSE);
  g_assert_cmpint (run_id, >, 0);
  show_run (page, run_id);

  list = tm_review_page_get_candidate_list (page);
  g_assert_cmpuint (g_list_model_get_n_items (tm_candidate_list_get_model (list)), ==, 4);
  /* The first candidate is selected, is the query's mate, and was marked viewed. */
  g_assert_cmpuint (tm_candidate_list_get_selected_position (list), ==, 0);
  first = tm_candidate_list_get_selected (list);
  g_assert_nonnull (first);
  g_assert_cmpuint (tm_candidate_item_get_rank (first), ==, 1);
  g_assert_cmpint (tm_candidate_item_get_acquisition_id (first), ==, mate);
  g_assert_cmpstr (tm_candidate_item_get_review_state (first), ==, "viewed");
  g_assert_cmpstr (tm_candidate_item_get_case_number (first), ==, "CASE-0-1");

  /* Promote through the decision bar. */
  g_assert_true (gtk_widget_activate (tm_ui_test_find_button (GTK_WIDGET (page), "_Promote to Lead")));
  tm_ui_test_iterate_for (500);
  g_assert_cmpstr (tm_candidate_item_get_review_state (first), ==, "lead");

  /* A fresh connection sees what was decided. */
  fresh = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  state = stored_state (fresh, run_id, mate);
  g_assert_cmpstr (state, ==, "lead");
  leads = tm_store_list_leads (fresh, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leads->len, ==, 1);
  members = tm_lead_get_members (g_ptr_array_index (leads, 0));
  g_assert_cmpuint (members->len, ==, 2);
  g_assert_true ((((TmLeadMember *) members->pdata[0])->acquisition_id == query &&
                  ((TmLeadMember *) members->pdata[1])->acquisition_id == mate) ||
                 (((TmLeadMember *) members->pdata[0])->acquisition_id == mate &&
                  ((TmLeadMember *) members->pdata[1])->acquisition_id == query));
  g_assert_cmpint (count_decisions (run_id, mate, "lead", &user, &at), ==, 1);
  g_assert_cmpstr (user, ==, g_get_user_name ());
  g_assert_true (at != NULL && g_str_has_prefix (at, "20"));
  g_assert_cmpint (count_decisions (run_id, mate, "viewed", NULL, NULL), ==, 1);

  mate_acq = tm_store_get_acquisition (fresh, mate, &error);
  g_assert_no_error (error);
  audit = tm_audit_list (fresh, tm_acquisition_get_uuid (mate_acq), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < audit->len; i++)
    {
      TmAuditEntry *entry = g_ptr_array_index (audit, i);

      if (g_strcmp0 (entry->user, g_get_user_name ()) == 0 &&
          (g_strcmp0 (entry->action, "candidate-decision") == 0 ||
           g_strcmp0 (entry->entity_type, "lead") == 0))
        audited = TRUE;
    }
  g_assert_true (audited);

  /* The lead cannot be undone into a plain review state: the core refuses, the row
   * keeps its state. */
  press_key (GTK_WIDGET (page), GDK_KEY_z, GDK_CONTROL_MASK);
  g_assert_cmpstr (tm_candidate_item_get_review_state (first), ==, "lead");

  gtk_window_destroy (window);
  tm_ui_test_iterate_for (50);
}

static void
test_keyboard_review (void)
{
  g_autoptr(TmStore) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state1 = NULL;
  g_autofree char *state2 = NULL;
  TmReviewPage *page;
  GtkWindow *window;
  TmCandidateList *list;
  TmCandidateItem *second, *third;
  gint64 run_id;
  gint64 query = ids[1][0], mate = ids[1][1];
  g_autoptr(GList) toplevels = NULL;
  TmLeadChooser *chooser = NULL;
  g_autoptr(GPtrArray) leads = NULL;
  gint64 lead_id;
  gint64 pair[2];

  window = open_page (&page);
  run_id = correlate (window, query, NULL, FALSE);
  show_run (page, run_id);
  list = tm_review_page_get_candidate_list (page);
  g_assert_cmpint (tm_candidate_item_get_acquisition_id (tm_candidate_list_get_selected (list)), ==, mate);

  /* J moves down (and marks viewed), D dismisses and moves on, Ctrl+Z undoes. */
  press_key (GTK_WIDGET (page), GDK_KEY_j, 0);
  g_assert_cmpuint (tm_candidate_list_get_selected_position (list), ==, 1);
  second = item_at (page, 1);
  third = item_at (page, 2);
  g_assert_cmpstr (tm_candidate_item_get_review_state (second), ==, "viewed");
  press_key (GTK_WIDGET (page), GDK_KEY_d, 0);
  g_assert_cmpstr (tm_candidate_item_get_review_state (second), ==, "dismissed");
  g_assert_cmpuint (tm_candidate_list_get_selected_position (list), ==, 2);
  g_assert_cmpstr (tm_candidate_item_get_review_state (third), ==, "viewed");
  press_key (GTK_WIDGET (page), GDK_KEY_d, 0);
  g_assert_cmpstr (tm_candidate_item_get_review_state (third), ==, "dismissed");
  press_key (GTK_WIDGET (page), GDK_KEY_z, GDK_CONTROL_MASK);
  g_assert_cmpstr (tm_candidate_item_get_review_state (third), ==, "viewed");
  g_assert_cmpuint (tm_candidate_list_get_selected_position (list), ==, 2);
  press_key (GTK_WIDGET (page), GDK_KEY_k, 0);
  g_assert_cmpuint (tm_candidate_list_get_selected_position (list), ==, 1);
  press_key (GTK_WIDGET (page), GDK_KEY_Up, GDK_ALT_MASK);
  g_assert_cmpuint (tm_candidate_list_get_selected_position (list), ==, 0);
  press_key (GTK_WIDGET (page), GDK_KEY_Down, GDK_ALT_MASK);
  g_assert_cmpuint (tm_candidate_list_get_selected_position (list), ==, 1);
  press_key (GTK_WIDGET (page), GDK_KEY_k, 0);

  /* P promotes the mate to a new lead. */
  press_key (GTK_WIDGET (page), GDK_KEY_p, 0);
  g_assert_cmpstr (tm_candidate_item_get_review_state (item_at (page, 0)), ==, "lead");

  fresh = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  state1 = stored_state (fresh, run_id, tm_candidate_item_get_acquisition_id (second));
  state2 = stored_state (fresh, run_id, tm_candidate_item_get_acquisition_id (third));
  g_assert_cmpstr (state1, ==, "dismissed");
  g_assert_cmpstr (state2, ==, "viewed");
  /* viewed, dismissed, viewed again (the undo): each decision is its own row. */
  g_assert_cmpint (count_decisions (run_id, tm_candidate_item_get_acquisition_id (third), "viewed", NULL, NULL), ==, 2);
  g_assert_cmpint (count_decisions (run_id, tm_candidate_item_get_acquisition_id (third), "dismissed", NULL, NULL), ==, 1);

  /* L adds the query and the (third) candidate to an existing lead: the one of the
   * first test (firearm 0's pair). */
  leads = tm_store_list_leads (fresh, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leads->len, ==, 2);
  pair[0] = ids[0][0];
  pair[1] = ids[0][1];
  lead_id = 0;
  for (guint i = 0; i < leads->len; i++)
    {
      GPtrArray *members = tm_lead_get_members (g_ptr_array_index (leads, i));

      if (((TmLeadMember *) members->pdata[0])->acquisition_id == pair[0] ||
          ((TmLeadMember *) members->pdata[0])->acquisition_id == pair[1])
        lead_id = tm_lead_get_id (g_ptr_array_index (leads, i));
    }
  g_assert_cmpint (lead_id, >, 0);
  press_key (GTK_WIDGET (page), GDK_KEY_j, 0);
  press_key (GTK_WIDGET (page), GDK_KEY_j, 0);
  g_assert_true (tm_candidate_list_get_selected (list) == third);
  press_key (GTK_WIDGET (page), GDK_KEY_l, 0);
  tm_ui_test_iterate_for (200);
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (TM_IS_LEAD_CHOOSER (l->data) && gtk_widget_get_visible (l->data))
      chooser = l->data;
  g_assert_nonnull (chooser);
  g_assert_true (tm_lead_chooser_choose (chooser, lead_id));
  tm_ui_test_iterate_for (500);
  g_assert_cmpstr (tm_candidate_item_get_review_state (third), ==, "lead");
  {
    g_autofree char *ref = g_strdup_printf ("%" G_GINT64_FORMAT, lead_id);
    g_autoptr(TmLead) lead = tm_store_get_lead (fresh, ref, &error);

    g_assert_no_error (error);
    /* firearm 0's pair, then this run's query and the third candidate */
    g_assert_cmpuint (tm_lead_get_members (lead)->len, ==, 4);
  }

  gtk_window_destroy (window);
  tm_ui_test_iterate_for (50);
}

static void
test_sorting (void)
{
  TmReviewPage *page;
  GtkWindow *window = open_page (&page);
  gint64 run_id = correlate (window, ids[2][0], NULL, FALSE);
  TmCandidateList *list;
  GtkColumnView *view;
  GListModel *columns, *model;
  guint n;

  show_run (page, run_id);
  list = tm_review_page_get_candidate_list (page);
  view = tm_candidate_list_get_column_view (list);
  columns = gtk_column_view_get_columns (view);
  model = tm_candidate_list_get_model (list);
  n = g_list_model_get_n_items (model);
  g_assert_cmpuint (n, >=, 2);

  for (guint c = 0; c < g_list_model_get_n_items (columns); c++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, c);
      const char *title = gtk_column_view_column_get_title (column);

      gtk_column_view_sort_by_column (view, column, GTK_SORT_ASCENDING);
      tm_ui_test_iterate_for (20);
      for (guint i = 0; i + 1 < n; i++)
        {
          g_autoptr(TmCandidateItem) a = g_list_model_get_item (model, i);
          g_autoptr(TmCandidateItem) b = g_list_model_get_item (model, i + 1);

          if (g_str_equal (title, "Rank"))
            g_assert_cmpuint (tm_candidate_item_get_rank (a), <, tm_candidate_item_get_rank (b));
          else if (g_str_equal (title, "Breech Face"))
            /* Scores sort best first. */
            g_assert_cmpfloat (tm_candidate_item_get_score (a), >=, tm_candidate_item_get_score (b));
          else if (g_str_equal (title, "File"))
            g_assert_cmpint (g_strcmp0 (tm_candidate_item_get_file (a), tm_candidate_item_get_file (b)), <=, 0);
        }
    }
  gtk_window_destroy (window);
  tm_ui_test_iterate_for (50);
}

static void
test_cancel (void)
{
  g_autoptr(TmStore) fresh = NULL;
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(GError) error = NULL;
  TmReviewPage *page;
  GtkWindow *window = open_page (&page);
  gint64 run_id = correlate (window, ids[2][1], NULL, TRUE);

  /* A cancelled run is still saved, as the command line saves it. */
  g_assert_cmpint (run_id, >, 0);
  fresh = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  run = tm_store_load_run (fresh, run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tm_correlation_run_get_status (run), ==, TM_CORRELATION_RUN_CANCELLED);
  show_run (page, run_id);
  gtk_window_destroy (window);
  tm_ui_test_iterate_for (50);
}

/* The help overlay lists every key the page binds. */
static void
test_shortcuts_listed (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/org/toolmark/Toolmark/gtk/help-overlay.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");
  g_autoptr(GString) accels = g_string_new (" ");
  GSList *objects = gtk_builder_get_objects (builder);
  static const char *expected[] = { "j", "<Alt>Down", "k", "<Alt>Up", "d", "p", "l", "<Control>z" };

  g_assert_nonnull (overlay);
  for (GSList *l = objects; l != NULL; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        g_autofree char *accel = NULL;

        g_object_get (l->data, "accelerator", &accel, NULL);
        if (accel != NULL)
          g_string_append_printf (accels, "%s ", accel);
      }
  g_slist_free (objects);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *needle = g_strdup_printf (" %s ", expected[i]);

      g_assert_nonnull (strstr (accels->str, needle));
    }
  gtk_window_destroy (GTK_WINDOW (overlay));
}

static gboolean
import_done (gpointer data)
{
  return !tm_import_dialog_get_running (TM_IMPORT_DIALOG (data));
}

/* Switches through every compare mode with the view's own action and checks each
 * renders something. */
static void
switch_compare_modes (GtkWidget *view)
{
  static const struct { const char *name; TmCompareMode mode; } modes[] = {
    { "blend", TM_COMPARE_MODE_BLEND },
    { "difference", TM_COMPARE_MODE_DIFFERENCE },
    { "checkerboard", TM_COMPARE_MODE_CHECKERBOARD },
    { "split", TM_COMPARE_MODE_SPLIT },
    { "side-by-side", TM_COMPARE_MODE_SIDE_BY_SIDE },
  };

  tm_ui_test_iterate_until (tm_ui_test_compare_idle, view, 120);
  g_assert_true (gtk_widget_activate_action (view, "compare.align", NULL));
  g_assert_true (gtk_widget_activate_action (view, "compare.fit", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(GdkTexture) texture = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (gtk_widget_activate_action (view, "compare.mode", "s", modes[i].name));
      tm_ui_test_iterate_for (50);
      g_assert_cmpint (tm_compare_view_get_mode (TM_COMPARE_VIEW (view)), ==, modes[i].mode);
      texture = tm_compare_view_render_texture (TM_COMPARE_VIEW (view), 320, 200, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gdk_texture_get_width (texture), ==, 320);
    }
}

/* The whole loop in the real window: import through the import dialog, correlate
 * through win.correlate and the dialog, review, every compare mode, promote. */
static void
test_window (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "window", NULL);
  g_autofree char *path = g_build_filename (dir, "window.db", NULL);
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) fresh = NULL;
  g_autoptr(GPtrArray) leads = NULL;
  g_autofree char *state = NULL;
  g_autofree char *user = NULL;
  g_autofree char *at = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  TmImportDialog *import;
  TmWindow *window;
  TmReviewPage *page;
  GtkWindow *dialog;
  TmCandidateItem *first;
  GListModel *visible;
  gint64 query = 0, mate = 0, run_id = 0;
  guint query_pos = G_MAXUINT;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  paths = write_shots (dir);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (g_ptr_array_index (paths, i));

      g_list_store_append (files, file);
    }

  window = tm_ui_test_window_new (app, path);

  /* Import through the shell's import dialog. */
  import = tm_window_open_import (window, G_LIST_MODEL (files));
  gtk_window_present (GTK_WINDOW (import));
  tm_ui_test_iterate_for (200);
  gtk_editable_set_text (GTK_EDITABLE (tm_ui_test_find_row (GTK_WIDGET (import), ADW_TYPE_ENTRY_ROW, "Calibre")), "9mm Luger");
  g_signal_emit_by_name (tm_ui_test_find_button (GTK_WIDGET (import), "_Import"), "clicked");
  g_assert_true (tm_import_dialog_get_running (import));
  tm_ui_test_iterate_until (import_done, import, 300);
  g_assert_cmpuint (tm_import_dialog_get_n_imported (import), ==, N_FIREARMS * N_SHOTS);
  gtk_window_destroy (GTK_WINDOW (import));
  tm_ui_test_iterate_until (tm_ui_test_window_loaded, window, 30);
  tm_ui_test_iterate_for (200);

  visible = tm_window_get_visible_model (window);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, N_FIREARMS * N_SHOTS);
  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    {
      g_autoptr(TmAcquisition) a = g_list_model_get_item (visible, i);

      if (g_str_equal (tm_acquisition_get_file (a), "gun0-shot0.x3p"))
        query = tm_acquisition_get_id (a), query_pos = i;
      else if (g_str_equal (tm_acquisition_get_file (a), "gun0-shot1.x3p"))
        mate = tm_acquisition_get_id (a);
    }
  g_assert_cmpuint (query_pos, !=, G_MAXUINT);
  g_assert_cmpint (query, >, 0);
  g_assert_cmpint (mate, >, 0);
  tm_window_select_position (window, query_pos);
  tm_ui_test_iterate_for (100);

  /* Correlate through the window's action and the dialog's own buttons. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.correlate", NULL));
  tm_ui_test_iterate_for (200);
  dialog = tm_ui_test_find_toplevel (TM_TYPE_CORRELATE_DIALOG);
  g_assert_nonnull (dialog);
  g_signal_connect (dialog, "finished", G_CALLBACK (tm_ui_test_store_run_id), &run_id);
  g_assert_true (gtk_widget_activate (tm_ui_test_find_button (GTK_WIDGET (dialog), "_Search")));
  tm_ui_test_iterate_until (tm_ui_test_run_finished, &run_id, 300);
  gtk_window_close (dialog);

  /* The window switched to the review page by itself. */
  g_assert_cmpstr (tm_window_get_page (window), ==, "review");
  page = tm_window_get_review_page (window);
  tm_ui_test_iterate_until (tm_ui_test_review_loaded, page, 60);
  tm_ui_test_iterate_for (200);
  first = tm_candidate_list_get_selected (tm_review_page_get_candidate_list (page));
  g_assert_nonnull (first);
  g_assert_cmpint (tm_candidate_item_get_acquisition_id (first), ==, mate);

  switch_compare_modes (tm_review_page_get_compare_view (page));

  g_assert_true (gtk_widget_activate (tm_ui_test_find_button (GTK_WIDGET (page), "_Promote to Lead")));
  tm_ui_test_iterate_for (500);
  g_assert_cmpstr (tm_candidate_item_get_review_state (first), ==, "lead");

  fresh = tm_store_open (path, &error);
  g_assert_no_error (error);
  state = stored_state (fresh, run_id, mate);
  g_assert_cmpstr (state, ==, "lead");
  leads = tm_store_list_leads (fresh, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leads->len, ==, 1);
  g_assert_cmpuint (tm_lead_get_members (g_ptr_array_index (leads, 0))->len, ==, 2);
  g_assert_true (((TmLeadMember *) tm_lead_get_members (g_ptr_array_index (leads, 0))->pdata[0])->acquisition_id == query ||
                 ((TmLeadMember *) tm_lead_get_members (g_ptr_array_index (leads, 0))->pdata[1])->acquisition_id == query);
  {
    g_autofree char *saved = db_path;

    db_path = g_strdup (path);
    g_assert_cmpint (count_decisions (run_id, mate, "lead", &user, &at), ==, 1);
    g_free (db_path);
    db_path = g_steal_pointer (&saved);
  }
  g_assert_cmpstr (user, ==, g_get_user_name ());
  g_assert_nonnull (at);

  gtk_window_destroy (GTK_WINDOW (window));
  tm_ui_test_iterate_for (50);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  build_database ();
  app = tm_ui_test_application_new (db_path);

  g_test_add_func ("/review/unusualness", test_unusualness);
  g_test_add_func ("/review/shortcuts-listed", test_shortcuts_listed);
  g_test_add_func ("/review/end-to-end", test_end_to_end);
  g_test_add_func ("/review/keyboard", test_keyboard_review);
  g_test_add_func ("/review/sorting", test_sorting);
  g_test_add_func ("/review/cancel", test_cancel);
  g_test_add_func ("/review/window", test_window);
  status = g_test_run ();

  g_clear_object (&app);
  g_free (db_path);
  g_free (tmpdir);
  return status;
}
