/* test-hits.c — hits counted the ATF way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hit links cases with no previously known connection: n cases new to each other
 * are n − 1 hits, each further case one more; links an investigator already knew of
 * (and earlier hits, transitively) are not counted again.
 */
#include "config.h"

#include "tm-users.h"
#include "tm-workflow.h"
#include "tm-test-workflow.h"

typedef struct
{
  TmStore *store;
  guint    seed;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->store = tm_test_workflow_store ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
}

/* One acquisition in a new exhibit of case @case_number. */
static gint64
acq (Fixture    *fixture,
     const char *case_number)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *exhibit = g_strdup_printf ("item-%u", ++fixture->seed);
  gint64 id = tm_test_workflow_add (fixture->store, case_number, exhibit, fixture->seed, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
know (Fixture    *fixture,
      const char *case_a,
      const char *case_b)
{
  g_autoptr(GError) error = NULL;
  gint64 a = tm_store_find_case (fixture->store, case_a, &error);
  gint64 b = tm_store_find_case (fixture->store, case_b, &error);

  g_assert_no_error (error);
  g_assert_true (tm_store_link_cases_known (fixture->store, a, b, g_get_user_name (), &error));
  g_assert_no_error (error);
}

static gint64
lead_of (Fixture      *fixture,
         const gint64 *ids,
         guint         n)
{
  g_autoptr(GError) error = NULL;
  gint64 lead = tm_store_create_lead (fixture->store, ids, n, NULL, 0, g_get_user_name (), &error);

  g_assert_no_error (error);
  return lead;
}

/* Confirms @lead as an identification; returns the hit's n_hits. */
static guint
identify (Fixture *fixture,
          gint64   lead)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id_text = NULL;
  g_autoptr(TmHit) hit = NULL;
  gint64 hit_id = 0;

  g_assert_true (tm_store_confirm_lead (fixture->store, lead, "identification", NULL, g_get_user_name (),
                                        &hit_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (hit_id, >, 0);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, hit_id);
  hit = tm_store_get_hit (fixture->store, id_text, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hit->lead_id, ==, lead);
  return hit->n_hits;
}

static void
test_two_new_cases (Fixture *fixture, gconstpointer data)
{
  gint64 lead = lead_of (fixture, (gint64[]) { acq (fixture, "A"), acq (fixture, "B") }, 2);

  g_assert_cmpuint (identify (fixture, lead), ==, 1);
  /* The cases are now known to be linked, by the hit. */
  g_assert_cmpint (tm_test_workflow_count (fixture->store, "SELECT count(*) FROM case_links"
                                                           " WHERE source = 'hit' AND hit_id IS NOT NULL"), ==, 1);
}

static void
test_three_cases (Fixture *fixture, gconstpointer data)
{
  gint64 lead = lead_of (fixture, (gint64[]) { acq (fixture, "A"), acq (fixture, "B"), acq (fixture, "C") }, 3);

  g_assert_cmpuint (identify (fixture, lead), ==, 2);
  g_assert_cmpint (tm_test_workflow_count (fixture->store, "SELECT count(*) FROM case_links"), ==, 3);
}

static void
test_known_pair_plus_new (Fixture *fixture, gconstpointer data)
{
  gint64 a = acq (fixture, "A"), b = acq (fixture, "B"), c = acq (fixture, "C");

  know (fixture, "A", "B");
  g_assert_cmpuint (identify (fixture, lead_of (fixture, (gint64[]) { a, b, c }, 3)), ==, 1);
}

static void
test_all_known (Fixture *fixture, gconstpointer data)
{
  gint64 a = acq (fixture, "A"), b = acq (fixture, "B"), c = acq (fixture, "C");

  /* A–B and B–C known: A–C is known too (transitively). */
  know (fixture, "A", "B");
  know (fixture, "C", "B");
  g_assert_cmpuint (identify (fixture, lead_of (fixture, (gint64[]) { a, c }, 2)), ==, 0);
  g_assert_cmpuint (identify (fixture, lead_of (fixture, (gint64[]) { a, b, c }, 3)), ==, 0);
  /* A hit row exists even when it counts 0: the examiner's identification stands. */
  g_assert_cmpint (tm_test_workflow_count (fixture->store, "SELECT count(*) FROM hits"), ==, 2);
  g_assert_cmpint (tm_test_workflow_count (fixture->store, "SELECT sum(n_hits) FROM hits"), ==, 0);
}

static void
test_extended_lead (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gint64 lead = lead_of (fixture, (gint64[]) { acq (fixture, "A"), acq (fixture, "B") }, 2);
  TmHit *latest;

  g_assert_cmpuint (identify (fixture, lead), ==, 1);
  /* New evidence from case C links in; a second identification counts only C. */
  g_assert_true (tm_store_add_to_lead (fixture->store, lead, acq (fixture, "C"), 0, g_get_user_name (), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (identify (fixture, lead), ==, 1);
  /* A further exhibit of a case already in the lead adds nothing. */
  g_assert_true (tm_store_add_to_lead (fixture->store, lead, acq (fixture, "C"), 0, g_get_user_name (), &error));
  g_assert_cmpuint (identify (fixture, lead), ==, 0);
  g_assert_cmpint (tm_test_workflow_count (fixture->store, "SELECT sum(n_hits) FROM hits"), ==, 2);

  hits = tm_store_list_hits (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 3);
  latest = hits->pdata[0];
  g_assert_cmpuint (g_strv_length (latest->case_numbers), ==, 3);
  g_assert_cmpstr (latest->case_numbers[2], ==, "C");
  g_assert_cmpstr (latest->examiner, ==, g_get_user_name ());
}

static void
test_earlier_hits_transitive (Fixture *fixture, gconstpointer data)
{
  gint64 a = acq (fixture, "A"), b = acq (fixture, "B"), c = acq (fixture, "C"), d = acq (fixture, "D");

  g_assert_cmpuint (identify (fixture, lead_of (fixture, (gint64[]) { a, b }, 2)), ==, 1);
  g_assert_cmpuint (identify (fixture, lead_of (fixture, (gint64[]) { acq (fixture, "B"), c }, 2)), ==, 1);
  /* A and C are connected through B by earlier hits; D is new. */
  g_assert_cmpuint (identify (fixture, lead_of (fixture, (gint64[]) { acq (fixture, "A"), acq (fixture, "C"), d }, 3)),
                    ==, 1);
}

static void
test_same_case_and_other_conclusions (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 lead = lead_of (fixture, (gint64[]) { acq (fixture, "A"), acq (fixture, "A") }, 2);
  gint64 other = lead_of (fixture, (gint64[]) { acq (fixture, "B"), acq (fixture, "C") }, 2);
  const char *conclusions[] = { "inconclusive", "elimination", "unsuitable" };
  gint64 hit_id = -1;

  /* Two exhibits of one case: an identification, but no link between cases. */
  g_assert_cmpuint (identify (fixture, lead), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (conclusions); i++)
    {
      g_assert_true (tm_store_confirm_lead (fixture->store, other, conclusions[i], NULL, g_get_user_name (),
                                            &hit_id, &error));
      g_assert_no_error (error);
      g_assert_cmpint (hit_id, ==, 0);
    }
  g_assert_cmpint (tm_test_workflow_count (fixture->store, "SELECT count(*) FROM hits"), ==, 1);
  g_assert_false (tm_store_confirm_lead (fixture->store, other, "match", NULL, g_get_user_name (), NULL, &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
}

static void
test_case_links (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 a, b;

  acq (fixture, "A");
  acq (fixture, "B");
  a = tm_store_find_case (fixture->store, "A", &error);
  b = tm_store_find_case (fixture->store, "/B", &error);
  g_assert_no_error (error);
  g_assert_cmpint (tm_store_find_case (fixture->store, "Z", &error), ==, 0);
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (tm_store_add_user_as (fixture->store, g_get_user_name (), "sup", NULL, "supervisor", &error));
  g_assert_false (tm_store_link_cases_known (fixture->store, a, b, "sup", &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_false (tm_store_link_cases_known (fixture->store, a, a, g_get_user_name (), &error));
  g_assert_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  /* Either order, once. */
  g_assert_true (tm_store_link_cases_known (fixture->store, b, a, g_get_user_name (), &error));
  g_assert_true (tm_store_link_cases_known (fixture->store, a, b, g_get_user_name (), &error));
  g_assert_no_error (error);
  g_assert_cmpint (tm_test_workflow_count (fixture->store, "SELECT count(*) FROM case_links"
                                                           " WHERE source = 'investigator'"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/hits/two-new-cases", test_two_new_cases);
  ADD ("/hits/three-cases", test_three_cases);
  ADD ("/hits/known-pair-plus-new", test_known_pair_plus_new);
  ADD ("/hits/all-known", test_all_known);
  ADD ("/hits/extended-lead", test_extended_lead);
  ADD ("/hits/earlier-hits-transitive", test_earlier_hits_transitive);
  ADD ("/hits/same-case-and-other-conclusions", test_same_case_and_other_conclusions);
  ADD ("/hits/case-links", test_case_links);
#undef ADD

  return g_test_run ();
}
