/* tm-test-workflow.h — small fixtures shared by the workflow, hit, audit and microstamp tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Header-only (static functions) so each test program stays one file to read.
 */
#pragma once

#include <math.h>
#include <string.h>

#include <glib.h>

#include "tm-store.h"
#include "tm-store-private.h"
#include "tm-test-support.h"

static inline TmStore *
tm_test_workflow_store (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("test-workflow-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "toolmark.db", NULL);
  g_autoptr(GError) error = NULL;
  TmStore *store = tm_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Imports a small synthetic surface as case @case_number, exhibit @exhibit; the
 * original's bytes are made unique per (case, exhibit, seed). */
static inline gint64
tm_test_workflow_add (TmStore     *store,
                      const char  *case_number,
                      const char  *exhibit,
                      guint        seed,
                      const char  *user,
                      GError     **error)
{
  g_autoptr(TmCaseData) data = tm_case_data_new ();
  g_autoptr(TmSurface) surface = tm_surface_new (16, 16, 5.0, 5.0, TM_MODALITY_3D);
  g_autofree char *name = g_strdup_printf ("%s-%s-%u.x3p", case_number, exhibit, seed);
  g_autoptr(GBytes) original = g_bytes_new (name, strlen (name));
  float *heights = tm_surface_get_data (surface);

  for (guint i = 0; i < 16 * 16; i++)
    heights[i] = (float)sin (0.37 * i + seed);
  tm_surface_sync_mask (surface);
  data->case_number = g_strdup (case_number);
  data->exhibit = g_strdup (exhibit);
  return tm_store_add_acquisition (store, data, surface, original, name,
                                   user ? user : g_get_user_name (), error);
}

/* A saved run of @query with @candidates in rank order. */
static inline gint64
tm_test_workflow_run (TmStore      *store,
                      gint64        query,
                      const gint64 *candidates,
                      guint         n_candidates,
                      const char   *user,
                      GError      **error)
{
  g_autoptr(TmCorrelationRun) run = tm_correlation_run_new (query, "query.x3p");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *at = g_date_time_format_iso8601 (now);

  tm_correlation_run_set_user (run, user ? user : g_get_user_name ());
  tm_correlation_run_set_times (run, at, at);
  tm_correlation_run_set_counts (run, n_candidates, n_candidates, n_candidates, 0);
  for (guint i = 0; i < n_candidates; i++)
    {
      TmCandidate c = { 0 };

      c.acquisition_id = candidates[i];
      c.file = g_strdup ("candidate.x3p");
      c.rank = i + 1;
      c.score = 10.0 - i;
      c.prescore = 0.5;
      c.cmc_a_to_b = c.cmc_b_to_a = 10 - i;
      c.accf = 0.5;
      c.angle_deg = c.dx_um = c.dy_um = 0.0;
      c.p_knm = c.p_knm_model = c.firing_pin = NAN;
      c.rank_breech_face = i + 1;
      tm_correlation_run_add_candidate (run, &c);
    }
  if (!tm_store_save_run (store, run, error))
    return 0;
  return tm_correlation_run_get_id (run);
}

/* One integer from a query on the store's own connection (tests only). */
static inline gint64
tm_test_workflow_count (TmStore    *store,
                        const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (tm_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}
