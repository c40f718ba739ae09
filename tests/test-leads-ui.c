/* test-leads-ui.c — leads, the examiner's confirm dialog, hits and the audit history,
 * through the real widgets of the main window, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The database is made the way a lab would with the command line: synthetic scans of
 * two firearms (`toolmark-cli synth`), imported by a technician, correlated, and a
 * lead created by the technician. The window then shows the leads page; a note and
 * investigator feedback are entered through the lead view's own widgets. The OS login
 * is made an examiner (`toolmark-cli user set-role`) and records an identification in
 * the confirm dialog: the store then holds the hit, the lead is confirmed and the
 * events were appended. Made a technician again, the login is refused — the button
 * off with the core's reason, and the core's refusal shown when the role changes while
 * the dialog is open. The audit dialog lists the lead's events and verifies the chain.
 *
 * TM_SCREENSHOT_DIR=DIR writes lead.png and confirm.png (the widgets rendered).
 */
#define G_LOG_DOMAIN "test-leads-ui"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "tm-application.h"
#include "tm-audit-dialog.h"
#include "tm-confirm-dialog.h"
#include "tm-hit-item.h"
#include "tm-hits-page.h"
#include "tm-lead-view.h"
#include "tm-leads-page.h"
#include "tm-store.h"
#include "tm-test-support.h"
#include "tm-ui-test-support.h"
#include "tm-users.h"
#include "tm-window.h"
#include "tm-workflow.h"

static TmApplication *app;
static char *tmpdir;
static char *db_path;
static gint64 lead_id;
static TmWindow *window;

/* ---- main loop helpers ---- */

static gboolean
confirm_idle (gpointer data)
{
  return !tm_confirm_dialog_get_busy (TM_CONFIRM_DIALOG (data));
}

static gboolean
audit_loaded (gpointer data)
{
  return !tm_audit_dialog_get_loading (TM_AUDIT_DIALOG (data));
}

static gboolean
audit_verified (gpointer data)
{
  return !tm_audit_dialog_get_verifying (TM_AUDIT_DIALOG (data)) &&
         tm_audit_dialog_get_verify_message (TM_AUDIT_DIALOG (data)) != NULL;
}

/* ---- widget lookup ---- */

/* ---- the database, through the command line ---- */

static void
set_role (const char *role)
{
  /* "boss" is an administrator, so the OS login can be demoted and promoted again. */
  g_free (tm_ui_test_cli (db_path, "--user", "boss", "user", "set-role", g_get_user_name (), role, NULL));
}

static void
build_database (void)
{
  g_autofree char *scans = NULL;
  g_autofree char *out = NULL;
  static const char *files[] = { "F01-C01.x3p", "F01-C02.x3p", "F02-C01.x3p", "F02-C02.x3p" };
  static const char *synth_argv[7];
  g_autofree char *synth_out = NULL;
  g_autofree char *synth_err = NULL;
  gint64 ids[G_N_ELEMENTS (files)];

  tmpdir = tm_test_make_tmpdir ("test-leads-ui-XXXXXX");
  db_path = g_build_filename (tmpdir, "leads.db", NULL);
  scans = g_build_filename (tmpdir, "scans", NULL);

  synth_argv[0] = "synth";
  synth_argv[1] = "--firearms=2";
  synth_argv[2] = "--cases=2";
  synth_argv[3] = "--size=200";
  synth_argv[4] = "--seed=7";
  synth_argv[5] = g_strconcat ("--out=", scans, NULL);
  synth_argv[6] = NULL;
  g_assert_cmpint (tm_test_run_cli (synth_argv, &synth_out, &synth_err), ==, 0);
  g_free ((char *) synth_argv[5]);

  /* The first run makes the OS login administrator. */
  g_free (tm_ui_test_cli (db_path, "init", NULL));
  g_free (tm_ui_test_cli (db_path, "user", "add", "tech", "--role", "technician", NULL));
  g_free (tm_ui_test_cli (db_path, "user", "add", "boss", "--role", "administrator", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (scans, files[i], NULL);
      g_autofree char *case_no = g_strdup_printf ("2024-%04u", 101 + i);
      g_autofree char *exhibit = g_strdup_printf ("E%u", i + 1);
      g_autofree char *line = tm_ui_test_cli (db_path, "--user", "tech", "import",
                                              "--calibre", "9mm Luger", "--agency", "Metro PD",
                                              "--case", case_no, "--exhibit", exhibit, path, NULL);

      ids[i] = g_ascii_strtoll (line, NULL, 10);
      g_assert_cmpint (ids[i], >, 0);
    }
  {
    g_autofree char *query = g_strdup_printf ("%" G_GINT64_FORMAT, ids[0]);
    g_autofree char *mate = g_strdup_printf ("%" G_GINT64_FORMAT, ids[1]);
    g_autofree char *run = tm_ui_test_cli (db_path, "--user", "tech", "correlate", query, "--top", "3", NULL);

    /* The mate ranks first; the technician promotes the pair to a lead. */
    g_assert_nonnull (strstr (run, "F01-C02.x3p"));
    out = tm_ui_test_cli (db_path, "--user", "tech", "lead", "create", query, mate,
                          "--note", "Same firearm likely", NULL);
  }
  lead_id = g_ascii_strtoll (out, NULL, 10);
  g_assert_cmpint (lead_id, >, 0);
}

static TmLead *
stored_lead (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmStore) store = tm_store_open (db_path, &error);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, lead_id);
  TmLead *lead;

  g_assert_no_error (error);
  lead = tm_store_get_lead (store, id, &error);
  g_assert_no_error (error);
  return lead;
}

static guint
count_events (TmLead     *lead,
              const char *kind,
              const char *user)
{
  GPtrArray *events = tm_lead_get_events (lead);
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      TmLeadEvent *e = g_ptr_array_index (events, i);

      if (g_strcmp0 (e->kind, kind) == 0 && (user == NULL || g_strcmp0 (e->user, user) == 0))
        n++;
    }
  return n;
}

static gboolean
row_has_outcome (gpointer data)
{
  g_autoptr(TmLead) row = NULL;

  if (g_list_model_get_n_items (G_LIST_MODEL (data)) == 0)
    return FALSE;
  row = g_list_model_get_item (G_LIST_MODEL (data), 0);
  return g_strcmp0 (tm_lead_get_outcome (row), "suspect-identified") == 0;
}

static TmLeadView *
show_leads_page (void)
{
  TmLeadsPage *page = tm_window_get_leads_page (window);
  TmLeadView *view = tm_leads_page_get_lead_view (page);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "leads"));
  tm_ui_test_iterate_for (100);
  g_assert_cmpstr (tm_window_get_page (window), ==, "leads");
  tm_ui_test_iterate_until (tm_ui_test_leads_loaded, page, 30);
  tm_ui_test_iterate_for (100);
  tm_ui_test_iterate_until (tm_ui_test_lead_view_idle, view, 30);
  return view;
}

/* ---- tests ---- */

static void
test_leads_page (void)
{
  TmLeadsPage *page;
  TmLeadView *view;
  GListModel *model;
  g_autoptr(TmLead) first = NULL;
  g_autoptr(TmLead) after_note = NULL;
  g_autoptr(TmLead) after_feedback = NULL;
  GtkWidget *note_row, *outcome_row;

  view = show_leads_page ();
  page = tm_window_get_leads_page (window);
  model = tm_leads_page_get_model (page);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  first = g_list_model_get_item (model, 0);
  g_assert_cmpint (tm_lead_get_id (first), ==, lead_id);
  g_assert_cmpstr (tm_lead_get_status (first), ==, "open");
  g_assert_cmpstr (tm_lead_get_created_by (first), ==, "tech");

  /* The first lead is selected and shown, with both members and their thumbnails. */
  g_assert_cmpint (tm_lead_view_get_lead_id (view), ==, lead_id);
  g_assert_nonnull (tm_lead_view_get_lead (view));
  g_assert_nonnull (tm_ui_test_find_row (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW, "Case 2024-0101 · exhibit E1"));
  g_assert_nonnull (tm_ui_test_find_row (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW, "Case 2024-0102 · exhibit E2"));
  g_assert_nonnull (tm_ui_test_find_row (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW, "Note: Same firearm likely"));

  /* The status filter hides it, and shows it again. */
  tm_leads_page_set_status_filter (page, "confirmed");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  tm_leads_page_set_status_filter (page, "open");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  tm_leads_page_set_status_filter (page, NULL);
  /* Shown again, the lead is selected and read again. */
  g_assert_cmpint (tm_lead_view_get_lead_id (view), ==, lead_id);
  tm_ui_test_iterate_until (tm_ui_test_lead_view_idle, view, 30);

  /* A note through the entry row (Enter / the apply button emit "apply"). */
  note_row = tm_ui_test_find_row (GTK_WIDGET (view), ADW_TYPE_ENTRY_ROW, "Add a note");
  g_assert_nonnull (note_row);
  g_assert_true (gtk_widget_is_sensitive (note_row));
  gtk_editable_set_text (GTK_EDITABLE (note_row), "Investigator Doe informed by phone");
  g_signal_emit_by_name (note_row, "apply");
  g_assert_true (tm_lead_view_get_busy (view));
  tm_ui_test_iterate_until (tm_ui_test_lead_view_idle, view, 30);
  after_note = stored_lead ();
  g_assert_cmpuint (count_events (after_note, "note", g_get_user_name ()), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (note_row)), ==, "");
  g_assert_nonnull (tm_ui_test_find_row (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW, "Note: Investigator Doe informed by phone"));

  /* Feedback: "Suspect identified" in the combo row, then Record Feedback. */
  outcome_row = tm_ui_test_find_row (GTK_WIDGET (view), ADW_TYPE_COMBO_ROW, "_Outcome");
  g_assert_nonnull (outcome_row);
  adw_combo_row_set_selected (ADW_COMBO_ROW (outcome_row), 1);
  gtk_editable_set_text (GTK_EDITABLE (tm_ui_test_find_row (GTK_WIDGET (view), ADW_TYPE_ENTRY_ROW, "Feedback note (optional)")),
                         "Suspect named by a witness");
  tm_ui_test_click (tm_ui_test_find_button (GTK_WIDGET (view), "Record _Feedback"));
  tm_ui_test_iterate_until (tm_ui_test_lead_view_idle, view, 30);
  after_feedback = stored_lead ();
  g_assert_cmpstr (tm_lead_get_outcome (after_feedback), ==, "suspect-identified");
  g_assert_cmpuint (count_events (after_feedback, "feedback", g_get_user_name ()), ==, 1);

  /* The list row follows (the page reloads after the view's change). */
  tm_ui_test_iterate_until (row_has_outcome, model, 30);
}

static void
recorded_cb (TmConfirmDialog *dialog,
             gint64           id,
             const char      *conclusion,
             gint64           hit_id,
             gint64          *out_hit)
{
  *out_hit = hit_id;
}

static void
set_flag_cb (gboolean *flag)
{
  *flag = TRUE;
}

/* Chooses @title's radio in the confirm dialog, as a tm_ui_test_click on the row would. */
static void
choose_conclusion (GtkWindow  *dialog,
                   const char *title)
{
  GtkWidget *row = tm_ui_test_find_row (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, title);
  GtkWidget *check;

  g_assert_nonnull (row);
  check = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row));
  g_assert_true (GTK_IS_CHECK_BUTTON (check));
  g_assert_true (gtk_widget_activate (check));
  tm_ui_test_iterate_for (50);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
}

static GtkWindow *
open_confirm (TmLeadView *view)
{
  GtkWindow *dialog;

  tm_ui_test_click (tm_ui_test_find_button (GTK_WIDGET (view), "_Confirm…"));
  tm_ui_test_iterate_for (100);
  dialog = tm_ui_test_find_toplevel (TM_TYPE_CONFIRM_DIALOG);
  g_assert_nonnull (dialog);
  tm_ui_test_iterate_until (confirm_idle, dialog, 30);
  return dialog;
}

static void
test_confirm_examiner (void)
{
  TmLeadView *view;
  GtkWindow *dialog;
  GtkWidget *record;
  g_autoptr(TmLead) before = NULL;
  g_autoptr(TmLead) after = NULL;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  gint64 hit_id = -1;
  gboolean closed = FALSE;
  TmHit *hit;
  TmHitsPage *hits_page;
  GPtrArray *events;

  set_role ("examiner");
  view = show_leads_page ();
  tm_lead_view_reload (view);
  tm_ui_test_iterate_until (tm_ui_test_lead_view_idle, view, 30);
  before = stored_lead ();
  tm_ui_test_screenshot (GTK_WIDGET (window), "lead.png");

  dialog = open_confirm (view);
  g_assert_true (tm_confirm_dialog_get_permitted (TM_CONFIRM_DIALOG (dialog)));
  g_assert_null (tm_confirm_dialog_get_message (TM_CONFIRM_DIALOG (dialog)));

  /* Record stays off until a conclusion is chosen. */
  record = tm_ui_test_find_button (GTK_WIDGET (dialog), "_Record");
  g_assert_nonnull (record);
  g_assert_false (gtk_widget_is_sensitive (record));
  choose_conclusion (dialog, "_Identification");
  g_assert_cmpstr (tm_confirm_dialog_get_conclusion (TM_CONFIRM_DIALOG (dialog)), ==, "identification");
  tm_confirm_dialog_set_note (TM_CONFIRM_DIALOG (dialog), "Breech-face marks agree over the whole primer");
  g_assert_true (gtk_widget_is_sensitive (record));
  tm_ui_test_screenshot (GTK_WIDGET (dialog), "confirm.png");

  g_signal_connect (dialog, "recorded", G_CALLBACK (recorded_cb), &hit_id);
  g_signal_connect_swapped (dialog, "destroy", G_CALLBACK (set_flag_cb), &closed);
  tm_ui_test_click (record);
  tm_ui_test_iterate_until (tm_ui_test_flag_set, &closed, 30);
  g_assert_cmpint (hit_id, >, 0);

  /* The store: a hit on the lead by the OS login, the lead confirmed, the conclusion
   * appended after everything that was there. */
  store = tm_store_open (db_path, &error);
  g_assert_no_error (error);
  hits = tm_store_list_hits (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  hit = g_ptr_array_index (hits, 0);
  g_assert_cmpint (hit->id, ==, hit_id);
  g_assert_cmpint (hit->lead_id, ==, lead_id);
  g_assert_cmpstr (hit->examiner, ==, g_get_user_name ());
  g_assert_cmpuint (hit->n_hits, ==, 1);
  after = stored_lead ();
  g_assert_cmpstr (tm_lead_get_status (after), ==, "confirmed");
  g_assert_cmpstr (tm_lead_get_conclusion (after), ==, "identification");
  events = tm_lead_get_events (after);
  g_assert_cmpuint (events->len, ==, tm_lead_get_events (before)->len + 1);
  for (guint i = 0; i < tm_lead_get_events (before)->len; i++)
    g_assert_cmpstr (((TmLeadEvent *) g_ptr_array_index (events, i))->uuid, ==,
                     ((TmLeadEvent *) g_ptr_array_index (tm_lead_get_events (before), i))->uuid);
  g_assert_cmpstr (((TmLeadEvent *) g_ptr_array_index (events, events->len - 1))->kind, ==, "conclusion");
  g_assert_cmpstr (((TmLeadEvent *) g_ptr_array_index (events, events->len - 1))->user, ==, g_get_user_name ());
  g_assert_nonnull (strstr (((TmLeadEvent *) g_ptr_array_index (events, events->len - 1))->payload,
                            "Breech-face marks agree"));

  /* The view follows: confirmed, with its hit. */
  tm_ui_test_iterate_until (tm_ui_test_lead_view_idle, view, 30);
  g_assert_cmpint (tm_lead_view_get_hit_id (view), ==, hit_id);
  g_assert_cmpstr (tm_lead_get_status (tm_lead_view_get_lead (view)), ==, "confirmed");

  /* The hits page lists it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "hits"));
  hits_page = tm_window_get_hits_page (window);
  tm_ui_test_iterate_for (100);
  tm_ui_test_iterate_until (tm_ui_test_hits_loaded, hits_page, 30);
  g_assert_cmpuint (g_list_model_get_n_items (tm_hits_page_get_model (hits_page)), ==, 1);
  {
    g_autoptr(TmHitItem) item = g_list_model_get_item (tm_hits_page_get_model (hits_page), 0);

    g_assert_cmpint (tm_hit_item_get_lead_id (item), ==, lead_id);
    g_assert_nonnull (strstr (tm_hit_item_get_cases (item), "2024-0101"));
    g_assert_nonnull (strstr (tm_hit_item_get_cases (item), "2024-0102"));
  }
  /* Open Lead goes back to the lead (win.show-lead). */
  tm_hits_page_select (hits_page, 0);
  tm_ui_test_click (tm_ui_test_find_button (GTK_WIDGET (hits_page), "_Open Lead"));
  g_assert_cmpstr (tm_window_get_page (window), ==, "leads");
}

static void
test_confirm_refused (void)
{
  TmLeadView *view;
  GtkWindow *dialog;
  GtkWidget *record, *confirm;
  g_autoptr(TmLead) before = NULL;
  g_autoptr(TmLead) after = NULL;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) refusal = NULL;
  gboolean closed = FALSE;

  /* A technician: the core's reason, before anything is tried. */
  set_role ("technician");
  store = tm_store_open (db_path, NULL);
  g_assert_false (tm_store_check_permission (store, g_get_user_name (), TM_PERMISSION_CONCLUDE, &refusal));
  g_assert_error (refusal, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION);
  g_assert_nonnull (strstr (refusal->message, "technician"));

  view = show_leads_page ();
  tm_lead_view_reload (view);
  tm_ui_test_iterate_until (tm_ui_test_lead_view_idle, view, 30);
  confirm = tm_ui_test_find_button (GTK_WIDGET (view), "_Confirm…");
  g_assert_false (gtk_widget_is_sensitive (confirm));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (confirm), ==, refusal->message);

  /* The dialog itself (e.g. opened before the role changed) says the same and keeps
   * Record off. */
  dialog = tm_lead_view_open_confirm (view);
  tm_ui_test_iterate_until (confirm_idle, dialog, 30);
  g_assert_false (tm_confirm_dialog_get_permitted (TM_CONFIRM_DIALOG (dialog)));
  g_assert_cmpstr (tm_confirm_dialog_get_message (TM_CONFIRM_DIALOG (dialog)), ==, refusal->message);
  choose_conclusion (dialog, "_Elimination");
  record = tm_ui_test_find_button (GTK_WIDGET (dialog), "_Record");
  g_assert_false (gtk_widget_is_sensitive (record));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (record), ==, refusal->message);
  gtk_window_destroy (dialog);
  tm_ui_test_iterate_for (50);

  /* The role changes while the dialog is open: Record is on, the core refuses, the
   * dialog shows the core's message and stays open; nothing is recorded. */
  set_role ("examiner");
  tm_lead_view_reload (view);
  tm_ui_test_iterate_until (tm_ui_test_lead_view_idle, view, 30);
  dialog = open_confirm (view);
  g_assert_true (tm_confirm_dialog_get_permitted (TM_CONFIRM_DIALOG (dialog)));
  choose_conclusion (dialog, "_Elimination");
  set_role ("technician");
  before = stored_lead ();
  g_signal_connect_swapped (dialog, "destroy", G_CALLBACK (set_flag_cb), &closed);
  tm_ui_test_click (tm_ui_test_find_button (GTK_WIDGET (dialog), "_Record"));
  tm_ui_test_iterate_until (confirm_idle, dialog, 30);
  tm_ui_test_iterate_for (50);
  g_assert_false (closed);
  g_assert_cmpstr (tm_confirm_dialog_get_message (TM_CONFIRM_DIALOG (dialog)), ==, refusal->message);
  g_assert_false (gtk_widget_is_sensitive (tm_ui_test_find_button (GTK_WIDGET (dialog), "_Record")));
  after = stored_lead ();
  g_assert_cmpuint (tm_lead_get_events (after)->len, ==, tm_lead_get_events (before)->len);
  g_assert_cmpstr (tm_lead_get_status (after), ==, "confirmed");
  gtk_window_destroy (dialog);
  tm_ui_test_iterate_for (50);
}

static void
test_audit (void)
{
  TmLeadView *view = show_leads_page ();
  GtkWindow *dialog;
  g_autoptr(GString) actions = g_string_new (" ");
  guint n;

  tm_ui_test_click (tm_ui_test_find_button (GTK_WIDGET (view), "_History"));
  tm_ui_test_iterate_for (100);
  dialog = tm_ui_test_find_toplevel (TM_TYPE_AUDIT_DIALOG);
  g_assert_nonnull (dialog);
  tm_ui_test_iterate_until (audit_loaded, dialog, 30);
  n = tm_audit_dialog_get_n_entries (TM_AUDIT_DIALOG (dialog));
  for (guint i = 0; i < n; i++)
    g_string_append_printf (actions, "%s ", tm_audit_dialog_get_entry_action (TM_AUDIT_DIALOG (dialog), i));
  g_test_message ("lead history:%s", actions->str);
  /* created (with its first note), the UI's note and feedback, the conclusion. */
  g_assert_nonnull (strstr (actions->str, " lead-created "));
  g_assert_nonnull (strstr (actions->str, " lead-note "));
  g_assert_nonnull (strstr (actions->str, " lead-feedback "));
  g_assert_nonnull (strstr (actions->str, " lead-conclusion "));
  g_assert_nonnull (tm_ui_test_find_row (GTK_WIDGET (dialog), ADW_TYPE_EXPANDER_ROW, "Examiner's conclusion recorded"));

  tm_ui_test_click (tm_ui_test_find_button (GTK_WIDGET (dialog), "_Verify Chain"));
  tm_ui_test_iterate_until (audit_verified, dialog, 60);
  g_assert_true (tm_audit_dialog_get_chain_intact (TM_AUDIT_DIALOG (dialog)));
  g_assert_nonnull (strstr (tm_audit_dialog_get_verify_message (TM_AUDIT_DIALOG (dialog)), "intact"));
  gtk_window_destroy (dialog);
  tm_ui_test_iterate_for (50);
}

/* win.show-lead, as the review page uses it after creating a lead. */
static void
test_show_lead (void)
{
  TmLeadsPage *page = tm_window_get_leads_page (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "acquisition"));
  tm_leads_page_set_status_filter (page, "open");  /* hides the confirmed lead */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-lead", "x", lead_id));
  g_assert_cmpstr (tm_window_get_page (window), ==, "leads");
  tm_ui_test_iterate_for (100);
  tm_ui_test_iterate_until (tm_ui_test_leads_loaded, page, 30);
  tm_ui_test_iterate_for (100);
  g_assert_cmpint (tm_lead_view_get_lead_id (tm_leads_page_get_lead_view (page)), ==, lead_id);
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
  window = tm_ui_test_window_new (app, db_path);

  /* In order: each builds on the store the one before left. */
  g_test_add_func ("/leads-ui/leads-page", test_leads_page);
  g_test_add_func ("/leads-ui/confirm-examiner", test_confirm_examiner);
  g_test_add_func ("/leads-ui/confirm-refused", test_confirm_refused);
  g_test_add_func ("/leads-ui/audit", test_audit);
  g_test_add_func ("/leads-ui/show-lead", test_show_lead);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  g_free (db_path);
  g_free (tmpdir);
  return status;
}
