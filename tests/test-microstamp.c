/* test-microstamp.c — codes per acquisition, the registry CSV, and exact-code candidates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "tm-audit.h"
#include "tm-importer.h"
#include "tm-microstamp.h"
#include "tm-search.h"
#include "tm-synth.h"
#include "tm-users.h"
#include "tm-x3p.h"
#include "tm-test-workflow.h"

static void
test_codes (void)
{
  g_autoptr(TmStore) store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stamps = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  const char *me = g_get_user_name ();
  gint64 a = tm_test_workflow_add (store, "MS-1", "1", 1, NULL, &error);
  gint64 b = tm_test_workflow_add (store, "MS-2", "1", 2, NULL, &error);
  gint64 c = tm_test_workflow_add (store, "MS-3", "1", 3, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (tm_store_add_microstamp (store, a, "breech-face", " ab 12x ", me, &error));
  g_assert_true (tm_store_add_microstamp (store, a, "firing-pin", "AB12X", me, &error));
  g_assert_true (tm_store_add_microstamp (store, b, "firing-pin", "ab12x", me, &error));
  g_assert_true (tm_store_add_microstamp (store, c, "breech-face", "ZZ99", me, &error));
  g_assert_no_error (error);
  g_assert_false (tm_store_add_microstamp (store, a, "ejector", "AB12X", me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (tm_store_add_microstamp (store, a, "breech-face", "  ", me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (tm_store_add_microstamp (store, 999, "breech-face", "X", me, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (tm_store_add_user_as (store, me, "sup", NULL, "supervisor", &error));
  g_assert_false (tm_store_add_microstamp (store, a, "breech-face", "Q1", "sup", &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION);
  g_clear_error (&error);

  stamps = tm_store_list_microstamps (store, a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stamps->len, ==, 2);
  g_assert_cmpstr (((TmMicrostamp *)stamps->pdata[0])->code, ==, "AB12X");
  matches = tm_store_find_microstamp_matches (store, a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (matches->len, ==, 1);
  g_assert_cmpint (((TmMicrostamp *)matches->pdata[0])->acquisition_id, ==, b);
  g_assert_cmpstr (((TmMicrostamp *)matches->pdata[0])->code, ==, "AB12X");
  /* Two codes recorded → two audit rows. */
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM audit_log WHERE action = 'microstamp-added'"),
                   ==, 4);
}

static char *
write_csv (const char *dir,
           const char *name,
           const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  return path;
}

static void
test_registry (void)
{
  g_autoptr(TmStore) store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = tm_test_make_tmpdir ("test-microstamp-XXXXXX");
  g_autofree char *good = write_csv (dir, "registry.csv",
                                     "\xEF\xBB\xBFserial,Code,make,model,notes\r\n"
                                     "SN-1,ab12x,Acme,\"Model 9, compact\",x\r\n"
                                     "\n"
                                     "SN-2,ZZ99,\"Acme \"\"Arms\"\"\",M2,\r\n");
  g_autofree char *no_header = write_csv (dir, "noheader.csv", "AB12X,Acme,M,S\n");
  g_autofree char *empty_make = write_csv (dir, "emptymake.csv", "code,make,model,serial\nA1,Acme,,\nA2,,M,S\n");
  g_autofree char *duplicate = write_csv (dir, "dup.csv", "code,make,model,serial\nA1,Acme,,\na 1,Other,,\n");
  g_autofree char *quote = write_csv (dir, "quote.csv", "code,make,model,serial\n\"A1,Acme,,\n");
  g_autoptr(TmMicrostampFirearm) firearm = NULL;
  g_autoptr(TmMicrostampFirearm) second = NULL;
  guint n = 0;

  g_assert_true (tm_store_import_microstamp_registry (store, good, g_get_user_name (), &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  firearm = tm_store_resolve_microstamp (store, "AB 12x", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (firearm->make, ==, "Acme");
  g_assert_cmpstr (firearm->model, ==, "Model 9, compact");
  g_assert_cmpstr (firearm->serial, ==, "SN-1");
  g_assert_cmpstr (firearm->source, ==, "registry.csv");
  second = tm_store_resolve_microstamp (store, "zz99", &error);
  g_assert_cmpstr (second->make, ==, "Acme \"Arms\"");
  g_assert_cmpstr (second->model, ==, "M2");
  g_assert_null (tm_store_resolve_microstamp (store, "NOPE", &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Errors name the file and line; a failed import records nothing. */
  g_assert_false (tm_store_import_microstamp_registry (store, no_header, g_get_user_name (), NULL, &error));
  g_assert_nonnull (strstr (error->message, "noheader.csv:1:"));
  g_assert_nonnull (strstr (error->message, "code,make,model,serial"));
  g_clear_error (&error);
  g_assert_false (tm_store_import_microstamp_registry (store, empty_make, g_get_user_name (), NULL, &error));
  g_assert_nonnull (strstr (error->message, "emptymake.csv:3:"));
  g_assert_nonnull (strstr (error->message, "make"));
  g_clear_error (&error);
  g_assert_null (tm_store_resolve_microstamp (store, "A1", NULL));
  g_assert_false (tm_store_import_microstamp_registry (store, duplicate, g_get_user_name (), NULL, &error));
  g_assert_nonnull (strstr (error->message, "dup.csv:3: code A1 is already on line 2"));
  g_clear_error (&error);
  g_assert_false (tm_store_import_microstamp_registry (store, quote, g_get_user_name (), NULL, &error));
  g_assert_nonnull (strstr (error->message, "quote.csv:2:"));
  g_clear_error (&error);
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM microstamp_registry"), ==, 2);
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM audit_log"
                                                  " WHERE action = 'microstamp-registry-imported'"), ==, 1);
}

/* A code shared with the query puts a candidate first, even one whose image is from
 * another firearm and that the image search would not have compared at all. */
static void
test_search (void)
{
  g_autoptr(TmStore) store = tm_test_workflow_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TmImporter) importer = tm_importer_new (store, g_get_user_name ());
  g_autofree char *dir = tm_test_make_tmpdir ("test-microstamp-XXXXXX");
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(TmCorrelationRun) loaded = NULL;
  TmSynthParams params;
  TmSearchParams search;
  gint64 ids[3][2];
  GArray *candidates;
  const TmCandidate *first;

  tm_synth_params_init (&params);
  params.size = 128;
  for (int f = 0; f < 3; f++)
    {
      g_autoptr(TmSynthFirearm) firearm = tm_synth_firearm_new (tm_synth_derive_seed (7, f), &params, &error);

      g_assert_no_error (error);
      for (int s = 0; s < 2; s++)
        {
          g_autoptr(TmSurface) shot = tm_synth_shot (firearm, tm_synth_derive_seed (11 + f, s), NULL);
          g_autofree char *name = g_strdup_printf ("gun%d-shot%d.x3p", f, s);
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_autoptr(TmCaseData) data = tm_case_data_new ();
          g_autoptr(TmAcquisition) a = NULL;

          g_assert_true (tm_x3p_write_file (shot, path, &error));
          data->case_number = g_strdup_printf ("MSS-%d-%d", f, s);
          /* the query and a shot of another gun carry the same code (as typed at intake) */
          if ((f == 0 && s == 0) || (f == 2 && s == 1))
            data->microstamp_breech_face = g_strdup (f == 0 ? "MX-77" : "mx-77");
          tm_importer_set_defaults (importer, data);
          a = tm_importer_import_file (importer, path, &error);
          g_assert_no_error (error);
          ids[f][s] = tm_acquisition_get_id (a);
        }
    }

  tm_search_params_init (&search);
  search.top_n = 1;  /* the image search compares only its best pre-score */
  run = tm_search_run (store, ids[0][0], NULL, &search, g_get_user_name (), NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  candidates = tm_correlation_run_get_candidates (run);
  g_assert_cmpuint (candidates->len, ==, 2);
  first = &g_array_index (candidates, TmCandidate, 0);
  g_assert_cmpint (first->acquisition_id, ==, ids[2][1]);
  g_assert_cmpuint (first->rank, ==, 1);
  g_assert_cmpstr (first->microstamp, ==, "MX-77");
  g_assert_null (g_array_index (candidates, TmCandidate, 1).microstamp);
  g_assert_cmpuint (g_array_index (candidates, TmCandidate, 1).rank, ==, 2);

  /* Stored with the run: scores {"microstamp": code}. */
  g_assert_cmpint (tm_test_workflow_count (store, "SELECT count(*) FROM candidates"
                                                  " WHERE json_extract (scores, '$.microstamp') = 'MX-77'"
                                                  " AND rank = 1"), ==, 1);
  loaded = tm_store_load_run (store, tm_correlation_run_get_id (run), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_array_index (tm_correlation_run_get_candidates (loaded), TmCandidate, 0).microstamp,
                   ==, "MX-77");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/microstamp/codes", test_codes);
  g_test_add_func ("/microstamp/registry", test_registry);
  g_test_add_func ("/microstamp/search", test_search);

  return g_test_run ();
}
