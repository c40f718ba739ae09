/* test-workflow.c — roles, candidate decisions, leads and their append-only history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tm-audit.h"
#include "tm-users.h"
#include "tm-workflow.h"
#include "tm-test-workflow.h"

/* Users of every role, registered by the bootstrap administrator (the OS login). */
static void
add_staff (TmStore *store)
{
  g_autoptr(GError) error = NULL;
  const char *admin = g_get_user_name ();

  g_assert_true (tm_store_add_user_as (store, admin, "tech", "Tess Technician", "technician", &error));
  g_assert_no_error (error);
  g_assert_true (tm_store_add_user_as (store, admin, "exam", "Ed Examiner", "examiner", &error));
  g_assert_true (tm_store_add_user_as (store, admin, "sup", "Sue Pervisor", "supervisor", &error));
  g_assert_true (tm_store_add_user_as (store, admin, "admin2", NULL, "administrator", &error));
  g_assert_no_error (error);
}

static void
assert_refused (GError     **error,
                const char  *needed)
{
  g_assert_error (*error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION);
  /* The refusal says which role is needed. */
  g_assert_nonnull (strstr ((*error)->message, needed));
  g_clear_error (error);
}

static void
test_roles (void)
{
  g_autoptr(TmStore) store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  gint64 a, b, c, run, lead, hit = -1;
  const char *roles[] = { "tech", "exam", "sup", "admin2" };

  add_staff (store);

  /* Import: everybody but the supervisor. */
  g_assert_cmpint (tm_test_workflow_add (store, "C-1", "1", 1, "sup", &error), ==, 0);
  assert_refused (&error, "technician, examiner or administrator");
  a = tm_test_workflow_add (store, "C-1", "1", 1, "tech", &error);
  g_assert_no_error (error);
  b = tm_test_workflow_add (store, "C-2", "1", 2, "exam", &error);
  c = tm_test_workflow_add (store, "C-3", "1", 3, "admin2", &error);
  g_assert_no_error (error);
  g_assert_cmpint (a * b * c, >, 0);
  /* Strangers can do nothing, and are told who can let them. */
  g_assert_cmpint (tm_test_workflow_add (store, "C-4", "1", 4, "nobody", &error), ==, 0);
  assert_refused (&error, "an administrator must add them");

  /* Correlate (saving a run): not the supervisor. */
  g_assert_cmpint (tm_test_workflow_run (store, a, (gint64[]) { b, c }, 2, "sup", &error), ==, 0);
  assert_refused (&error, "technician, examiner or administrator");
  run = tm_test_workflow_run (store, a, (gint64[]) { b, c }, 2, "tech", &error);
  g_assert_no_error (error);

  /* Review: technicians yes, supervisors no. */
  g_assert_false (tm_store_set_candidate_state (store, run, c, "viewed", "sup", &error));
  assert_refused (&error, "technician, examiner or administrator");
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (!g_str_equal (roles[i], "sup"))
      {
        g_assert_true (tm_store_set_candidate_state (store, run, c, "viewed", roles[i], &error));
        g_assert_no_error (error);
      }

  /* Leads: technicians create and extend; supervisors cannot. */
  g_assert_cmpint (tm_store_create_lead (store, (gint64[]) { a, b }, 2, NULL, run, "sup", &error), ==, 0);
  assert_refused (&error, "technician, examiner or administrator");
  lead = tm_store_create_lead (store, (gint64[]) { a, b }, 2, "same breech-face marks", run, "tech", &error);
  g_assert_no_error (error);
  g_assert_cmpint (lead, >, 0);
  g_assert_false (tm_store_add_to_lead (store, lead, c, 0, "sup", &error));
  assert_refused (&error, "technician");
  g_assert_false (tm_store_add_lead_note (store, lead, "looks good", "sup", &error));
  assert_refused (&error, "technician");
  g_assert_false (tm_store_add_lead_feedback (store, lead, "arrest", NULL, "sup", &error));
  assert_refused (&error, "technician");

  /* Conclusions: examiners and administrators only. */
  g_assert_false (tm_store_confirm_lead (store, lead, "identification", NULL, "tech", &hit, &error));
  assert_refused (&error, "an examiner or administrator");
  g_assert_cmpint (hit, ==, 0);
  g_assert_false (tm_store_confirm_lead (store, lead, "identification", NULL, "sup", &hit, &error));
  assert_refused (&error, "an examiner or administrator");
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM hits"), ==, 0);
  g_assert_true (tm_store_confirm_lead (store, lead, "identification", "agree", "exam", &hit, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hit, >, 0);

  /* Users: administrators only. */
  g_assert_false (tm_store_add_user_as (store, "exam", "x", NULL, "technician", &error));
  assert_refused (&error, "an administrator");
  g_assert_false (tm_store_set_user_role (store, "sup", "sup", "administrator", &error));
  assert_refused (&error, "an administrator");
  g_assert_true (tm_store_set_user_role (store, "admin2", "tech", "examiner", &error));
  g_assert_no_error (error);
  g_assert_true (tm_store_check_permission (store, "tech", TM_PERMISSION_CONCLUDE, &error));
  g_assert_false (tm_store_set_user_role (store, "admin2", "tech", "chief", &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Supervisors read and report. */
  g_assert_true (tm_store_check_permission (store, "sup", TM_PERMISSION_READ, &error));
  g_assert_true (tm_store_check_permission (store, "sup", TM_PERMISSION_REPORT, &error));
  g_assert_no_error (error);

  /* A deactivated user keeps their history and can do nothing more. */
  g_assert_true (tm_store_deactivate_user (store, "admin2", "exam", &error));
  g_assert_no_error (error);
  g_assert_false (tm_store_add_lead_note (store, lead, "again", "exam", &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION);
  g_assert_nonnull (strstr (error->message, "deactivated"));
  g_clear_error (&error);
  g_assert_false (tm_store_deactivate_user (store, "admin2", "admin2", &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Every change above left an audit entry, and the chain holds. */
  {
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GPtrArray) user_history = tm_audit_list (store, "tech", &error);
    gint64 n_rows = 0;

    g_assert_no_error (error);
    /* added, role changed */
    g_assert_cmpuint (user_history->len, >=, 2);
    g_assert_true (tm_audit_verify (store, &problems, &n_rows, &error));
    g_assert_cmpuint (problems->len, ==, 0);
    g_assert_cmpint (n_rows, >, 15);
  }
}

static void
test_review (void)
{
  g_autoptr(TmStore) store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TmCorrelationRun) loaded = NULL;
  gint64 q = tm_test_workflow_add (store, "R-1", "1", 1, NULL, &error);
  gint64 b = tm_test_workflow_add (store, "R-2", "1", 2, NULL, &error);
  gint64 c = tm_test_workflow_add (store, "R-3", "1", 3, NULL, &error);
  gint64 run = tm_test_workflow_run (store, q, (gint64[]) { b, c }, 2, NULL, &error);
  const char *me = g_get_user_name ();

  g_assert_no_error (error);
  g_assert_true (tm_store_set_candidate_state (store, run, b, "viewed", me, &error));
  g_assert_true (tm_store_set_candidate_state (store, run, b, "dismissed", me, &error));
  g_assert_true (tm_store_set_candidate_state (store, run, b, "unreviewed", me, &error));
  g_assert_true (tm_store_set_candidate_state (store, run, c, "dismissed", me, &error));
  g_assert_no_error (error);
  /* Each decision is a row; the candidate shows the latest. */
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM candidate_decisions"), ==, 4);
  loaded = tm_store_load_run (store, run, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_array_index (tm_correlation_run_get_candidates (loaded), TmCandidate, 0).review_state,
                   ==, "unreviewed");
  g_assert_cmpstr (g_array_index (tm_correlation_run_get_candidates (loaded), TmCandidate, 1).review_state,
                   ==, "dismissed");

  g_assert_false (tm_store_set_candidate_state (store, run, c, "lead", me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (tm_store_set_candidate_state (store, run, q, "viewed", me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* In a lead, a candidate stays "lead". */
  g_assert_cmpint (tm_store_create_lead (store, (gint64[]) { q, c }, 2, NULL, run, me, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM candidates WHERE review_state = 'lead'"),
                   ==, 1);
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM candidate_decisions"
                                                  " WHERE decision = 'lead' AND lead_id IS NOT NULL"), ==, 1);
  g_assert_false (tm_store_set_candidate_state (store, run, c, "dismissed", me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "lead"));
}

static void
test_lead_lifecycle (void)
{
  g_autoptr(TmStore) store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TmLead) lead = NULL;
  g_autoptr(TmLead) by_uuid = NULL;
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GPtrArray) of_d = NULL;
  const char *me = g_get_user_name ();
  gint64 a = tm_test_workflow_add (store, "L-1", "1", 1, NULL, &error);
  gint64 a2 = tm_test_workflow_add (store, "L-1", "1", 11, NULL, &error);
  gint64 b = tm_test_workflow_add (store, "L-2", "1", 2, NULL, &error);
  gint64 c = tm_test_workflow_add (store, "L-3", "4", 3, NULL, &error);
  gint64 d = tm_test_workflow_add (store, "L-3", "5", 4, NULL, &error);
  gint64 id;
  GPtrArray *members, *events;
  char *text;

  g_assert_no_error (error);

  /* Two scans of one exhibit are not a link; one acquisition is not a lead. */
  g_assert_cmpint (tm_store_create_lead (store, (gint64[]) { a, a2 }, 2, NULL, 0, me, &error), ==, 0);
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "same exhibit"));
  g_clear_error (&error);
  g_assert_cmpint (tm_store_create_lead (store, (gint64[]) { a }, 1, NULL, 0, me, &error), ==, 0);
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (tm_store_create_lead (store, (gint64[]) { a, 999 }, 2, NULL, 0, me, &error), ==, 0);
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM leads"), ==, 0);

  id = tm_store_create_lead (store, (gint64[]) { a, b }, 2, "first note", 0, me, &error);
  g_assert_no_error (error);
  /* Extended as new evidence links in; the same exhibit twice is refused. */
  g_assert_true (tm_store_add_to_lead (store, id, c, 0, me, &error));
  g_assert_no_error (error);
  g_assert_false (tm_store_add_to_lead (store, id, c, 0, me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (tm_store_add_to_lead (store, id, a2, 0, me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (tm_store_add_to_lead (store, id, d, 0, me, &error));
  g_assert_true (tm_store_add_lead_note (store, id, "second note", me, &error));
  g_assert_no_error (error);
  g_assert_false (tm_store_add_lead_note (store, id, "", me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (tm_store_add_lead_feedback (store, id, "hooray", NULL, me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "arrest"));
  g_clear_error (&error);

  text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  lead = tm_store_get_lead (store, text, &error);
  g_free (text);
  g_assert_no_error (error);
  g_assert_cmpstr (tm_lead_get_status (lead), ==, "open");
  g_assert_null (tm_lead_get_conclusion (lead));
  g_assert_null (tm_lead_get_outcome (lead));
  g_assert_cmpstr (tm_lead_get_created_by (lead), ==, me);
  members = tm_lead_get_members (lead);
  g_assert_cmpuint (members->len, ==, 4);
  g_assert_cmpint (((TmLeadMember *)members->pdata[0])->acquisition_id, ==, a);
  g_assert_cmpstr (((TmLeadMember *)members->pdata[2])->case_number, ==, "L-3");
  g_assert_cmpstr (((TmLeadMember *)members->pdata[3])->exhibit, ==, "5");
  events = tm_lead_get_events (lead);
  /* created, note, member-added ×2, note */
  g_assert_cmpuint (events->len, ==, 5);
  g_assert_cmpstr (((TmLeadEvent *)events->pdata[0])->kind, ==, "created");
  g_assert_cmpstr (((TmLeadEvent *)events->pdata[1])->kind, ==, "note");
  g_assert_nonnull (strstr (((TmLeadEvent *)events->pdata[1])->payload, "first note"));
  g_assert_cmpstr (((TmLeadEvent *)events->pdata[2])->kind, ==, "member-added");

  by_uuid = tm_store_get_lead (store, tm_lead_get_uuid (lead), &error);
  g_assert_no_error (error);
  g_assert_cmpint (tm_lead_get_id (by_uuid), ==, id);
  g_assert_null (tm_store_get_lead (store, "banana", &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Feedback and conclusions are events; the status follows the latest. */
  g_assert_true (tm_store_add_lead_feedback (store, id, "suspect-identified", "named in report", me, &error));
  g_assert_true (tm_store_confirm_lead (store, id, "inconclusive", "poor marks", me, NULL, &error));
  g_assert_true (tm_store_add_lead_feedback (store, id, "arrest", NULL, me, &error));
  g_assert_no_error (error);
  g_clear_object (&lead);
  lead = tm_store_get_lead (store, tm_lead_get_uuid (by_uuid), &error);
  g_assert_cmpstr (tm_lead_get_status (lead), ==, "inconclusive");
  g_assert_cmpstr (tm_lead_get_outcome (lead), ==, "arrest");
  g_assert_cmpstr (tm_lead_get_conclusion (lead), ==, "inconclusive");
  g_assert_true (tm_store_confirm_lead (store, id, "elimination", NULL, me, NULL, &error));
  g_clear_object (&lead);
  lead = tm_store_get_lead (store, tm_lead_get_uuid (by_uuid), &error);
  g_assert_cmpstr (tm_lead_get_status (lead), ==, "eliminated");
  {
    g_autofree char *status = NULL;
    guint n_members = 0;

    g_object_get (lead, "status", &status, "n-members", &n_members, NULL);
    g_assert_cmpstr (status, ==, "eliminated");
    g_assert_cmpuint (n_members, ==, 4);
  }

  /* Listing: newest first, and by member. */
  g_assert_cmpint (tm_store_create_lead (store, (gint64[]) { b, d }, 2, NULL, 0, me, &error), >, id);
  leads = tm_store_list_leads (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leads->len, ==, 2);
  g_assert_cmpint (tm_lead_get_id (leads->pdata[1]), ==, id);
  of_d = tm_store_list_leads_of (store, a, &error);
  g_assert_cmpuint (of_d->len, ==, 1);
}

static void
test_events_append_only (void)
{
  g_autoptr(TmStore) store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  const char *me = g_get_user_name ();
  gint64 a = tm_test_workflow_add (store, "E-1", "1", 1, NULL, &error);
  gint64 b = tm_test_workflow_add (store, "E-2", "1", 2, NULL, &error);
  gint64 id = tm_store_create_lead (store, (gint64[]) { a, b }, 2, "note", 0, me, &error);
  const char *tampering[] = {
    "UPDATE lead_events SET payload = '{\"note\":\"changed\"}'",
    "DELETE FROM lead_events",
    "UPDATE lead_members SET added_by = 'someone'",
    "DELETE FROM lead_members",
    "UPDATE audit_log SET user = 'someone'",
    "DELETE FROM audit_log",
  };

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (tampering); i++)
    {
      g_assert_false (tm_store_exec (store, tampering[i], &error));
      g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
      g_assert_nonnull (strstr (error->message, "append-only"));
      g_clear_error (&error);
    }
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM lead_events"), ==, 2);
}

/* Events synced from another site interleave by time: the status is the same whatever
 * order the rows arrived in. */
static void
test_merge (void)
{
  g_autoptr(TmStore) store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TmLead) lead = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *id_text = NULL;
  const char *me = g_get_user_name ();
  gint64 a = tm_test_workflow_add (store, "M-1", "1", 1, NULL, &error);
  gint64 b = tm_test_workflow_add (store, "M-2", "1", 2, NULL, &error);
  gint64 id = tm_store_create_lead (store, (gint64[]) { a, b }, 2, NULL, 0, me, &error);
  GPtrArray *events;

  g_assert_no_error (error);
  g_assert_true (tm_store_confirm_lead (store, id, "inconclusive", NULL, me, NULL, &error));
  g_assert_no_error (error);

  /* A remote elimination recorded earlier than the local conclusion, arriving later:
   * the local (later) conclusion stands. Then a remote identification dated in the
   * future wins. */
  sql = g_strdup_printf ("INSERT INTO lead_events (uuid, lead_id, kind, payload, user, at, origin_site) VALUES"
                         " ('%s', %" G_GINT64_FORMAT ", 'conclusion', '{\"conclusion\":\"elimination\"}',"
                         "  'remote-examiner', '2000-01-01T00:00:00.000000Z', 'other-site')",
                         "6f9619ff-8b86-d011-b42d-00c04fc964ff", id);
  g_assert_true (tm_store_exec (store, sql, &error));
  g_assert_no_error (error);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  lead = tm_store_get_lead (store, id_text, &error);
  g_assert_cmpstr (tm_lead_get_status (lead), ==, "inconclusive");
  events = tm_lead_get_events (lead);
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpstr (((TmLeadEvent *)events->pdata[0])->origin_site, ==, "other-site");

  g_free (sql);
  sql = g_strdup_printf ("INSERT INTO lead_events (uuid, lead_id, kind, payload, user, at, origin_site) VALUES"
                         " ('%s', %" G_GINT64_FORMAT ", 'status', '{\"status\":\"closed\"}',"
                         "  'remote-examiner', '2999-01-01T00:00:00.000000Z', 'other-site')",
                         "7f9619ff-8b86-d011-b42d-00c04fc964ff", id);
  g_assert_true (tm_store_exec (store, sql, &error));
  g_clear_object (&lead);
  lead = tm_store_get_lead (store, id_text, &error);
  g_assert_cmpstr (tm_lead_get_status (lead), ==, "closed");
  g_assert_cmpstr (tm_lead_get_conclusion (lead), ==, "inconclusive");
}

/* Runs toolmark-cli --db DB ARGS…; returns the exit status, output in *out / *err. */
static int
cli (const char  *db,
     char       **out,
     char       **err,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  const char *arg;
  va_list ap;
  int status;

  g_ptr_array_add (args, (gpointer)"--db");
  g_ptr_array_add (args, (gpointer)db);
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  status = tm_test_run_cli ((const char * const *)args->pdata, &o, &e);
  g_test_message ("toolmark-cli %s %s → %d\n%s%s", (char *)args->pdata[2],
                  args->len > 4 ? (char *)args->pdata[3] : "", status, o, e);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return status;
}

/* The README's walk-through: import, correlate, promote, confirm (refused for a
 * technician, accepted for an examiner), audit verify — then tampering is caught. */
static void
test_cli_walk_through (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("test-workflow-cli-XXXXXX");
  g_autofree char *db = g_build_filename (dir, "toolmark.db", NULL);
  g_autofree char *scans = g_build_filename (dir, "scans", NULL);
  g_autofree char *csv = g_build_filename (dir, "registry.csv", NULL);
  const char *cases[] = { "2024-0113", "2024-0207", "2024-0388" };
  const char *files[] = { "F01-C01.x3p", "F01-C02.x3p", "F02-C01.x3p" };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) fields = NULL;
  const char *me = g_get_user_name ();

  g_assert_cmpint (tm_test_run_cli ((const char *[]) { "synth", "--firearms", "2", "--cases", "2", "--size", "160",
                                                       "--out", scans, NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (cli (db, NULL, NULL, "init", NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (scans, files[i], NULL);

      g_assert_cmpint (cli (db, NULL, NULL, "import", "--case", cases[i], path, NULL), ==, 0);
    }
  g_assert_cmpint (cli (db, NULL, NULL, "user", "add", "tess", "--role", "technician", "--name", "Tess", NULL), ==, 0);
  g_assert_cmpint (cli (db, NULL, NULL, "user", "add", "ed", "--role", "examiner", NULL), ==, 0);
  g_assert_cmpint (cli (db, NULL, &err, "user", "add", "x", "--role", "chief", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "chief"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (db, &out, NULL, "user", "list", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"technician\""));
  g_clear_pointer (&out, g_free);
  /* A technician cannot manage users. */
  g_assert_cmpint (cli (db, NULL, &err, "--user", "tess", "user", "add", "y", "--role", "examiner", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "administrator"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli (db, NULL, NULL, "--user", "tess", "correlate", "1", NULL), ==, 0);
  g_assert_cmpint (cli (db, NULL, NULL, "--user", "tess", "review", "1", "3", "dismiss", NULL), ==, 0);
  g_assert_cmpint (cli (db, &out, NULL, "--user", "tess", "lead", "create", "1", "2", "--run", "1",
                        "--note", "breech-face marks agree", NULL), ==, 0);
  /* The lead's id first on its line. */
  fields = g_strsplit (out, "\t", 2);
  g_assert_cmpstr (fields[0], ==, "1");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (cli (db, NULL, &err, "--user", "tess", "hit", "confirm", "1", "--conclusion", "identification",
                        NULL), ==, 1);
  g_assert_nonnull (strstr (err, "technician"));
  g_assert_nonnull (strstr (err, "examiner"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (db, &out, NULL, "--user", "ed", "hit", "confirm", "1", "--conclusion", "identification",
                        "--note", "agree", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "hit on lead 1: 1 new case link"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (db, NULL, NULL, "--user", "tess", "lead", "feedback", "1", "--outcome", "arrest", NULL), ==, 0);
  g_assert_cmpint (cli (db, &out, NULL, "lead", "show", "1", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"status\" : \"confirmed\""));
  g_assert_nonnull (strstr (out, "\"outcome\" : \"arrest\""));
  g_clear_pointer (&out, g_free);

  /* A third case that investigators already tied to the second: no new hit. */
  g_assert_cmpint (cli (db, NULL, NULL, "--user", "tess", "case", "link", "2024-0207", "2024-0388", NULL), ==, 0);
  g_assert_cmpint (cli (db, NULL, NULL, "--user", "tess", "lead", "add", "1", "3", NULL), ==, 0);
  g_assert_cmpint (cli (db, &out, NULL, "--user", "ed", "hit", "confirm", "1", "--conclusion", "identification",
                        NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 new case links"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (db, &out, NULL, "hit", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "1 hit (ATF count) from 2 identifications"));
  g_clear_pointer (&out, g_free);

  /* Microstamps and the registry. */
  g_assert_true (g_file_set_contents (csv, "code,make,model,serial\nMX77,Acme,M9,SN-1\n", -1, NULL));
  g_assert_cmpint (cli (db, NULL, NULL, "--user", "tess", "microstamp", "registry", "import", csv, NULL), ==, 0);
  g_assert_cmpint (cli (db, NULL, NULL, "--user", "tess", "microstamp", "add", "1", "mx77", "--location",
                        "breech-face", NULL), ==, 0);
  g_assert_cmpint (cli (db, &out, NULL, "--user", "tess", "microstamp", "add", "3", "MX77", "--location",
                        "firing-pin", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "acquisition 1 carries the same code MX77"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (db, &out, NULL, "microstamp", "resolve", "MX77", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "SN-1"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (cli (db, &out, NULL, "audit", "verify", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "intact"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (cli (db, &out, NULL, "audit", "show", "lead:1", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "lead-conclusion"));
  g_clear_pointer (&out, g_free);

  /* --user: a registered user, or any login when the OS login is an administrator.
   * Once the OS login is only a supervisor, a stranger is refused. */
  g_assert_cmpint (cli (db, NULL, NULL, "user", "add", "admin2", "--role", "administrator", NULL), ==, 0);
  g_assert_cmpint (cli (db, NULL, NULL, "--user", "stranger", "lead", "list", NULL), ==, 0);
  g_assert_cmpint (cli (db, NULL, NULL, "--user", "admin2", "user", "set-role", me, "supervisor", NULL), ==, 0);
  g_assert_cmpint (cli (db, NULL, &err, "--user", "stranger", "lead", "list", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--user stranger"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (db, NULL, &err, "lead", "note", "1", "from a supervisor", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "supervisor"));
  g_clear_pointer (&err, g_free);

  /* Tampering with sqlite3 is named by audit verify. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TmStore) store = tm_store_open (db, &error);

    g_assert_no_error (error);
    g_assert_true (tm_store_exec (store, "DROP TRIGGER audit_log_append_only_update;"
                                         "UPDATE audit_log SET user = 'mallory' WHERE seq = 3", &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (cli (db, &out, &err, "audit", "verify", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "audit row seq 3 "));
  g_assert_nonnull (strstr (out, "edited"));
  g_assert_nonnull (strstr (err, "tampered"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/workflow/roles", test_roles);
  g_test_add_func ("/workflow/review", test_review);
  g_test_add_func ("/workflow/lead/lifecycle", test_lead_lifecycle);
  g_test_add_func ("/workflow/lead/append-only", test_events_append_only);
  g_test_add_func ("/workflow/lead/merge", test_merge);
  g_test_add_func ("/workflow/cli/walk-through", test_cli_walk_through);

  return g_test_run ();
}
