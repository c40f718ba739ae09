/* bench-compare.c — time of one full comparison (full-circle registration + CMC both ways)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-compare [--runs N] [A.x3p B.x3p]
 *
 * Without files it uses Fadul 1-1 and 1-2 from $TM_SHARED_SCANS. Runs on one thread.
 * Reports the median over --runs of: the registration alone, each CMC direction, the
 * comparison of cached per-surface data, the whole tm_compare_surfaces() including the
 * per-surface pyramid and cell spectra, and — what a search pays per candidate — the
 * comparison against a query prepared with tm_compare_data_prepare_query().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tm-comparison.h"
#include "tm-preprocess.h"
#include "tm-registration.h"
#include "tm-x3p.h"

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median_ms (double *v,
           int     n)
{
  qsort (v, n, sizeof (double), cmp_double);
  return v[n / 2] * 1e3;
}

/* Thread CPU time: the machine is shared, and a one-core budget is about the work this
 * thread does, not about how long others kept the core busy. */
static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int   argc,
      char *argv[])
{
  int runs = 21, candidates = -1, cmc_steps = -1;
  double coarse_step = 0, cmc_px = 0, coarse_px = 0;
  GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Repetitions", "N" },
    { "coarse-step", 0, 0, G_OPTION_ARG_DOUBLE, &coarse_step, "Coarse angle step", "DEG" },
    { "coarse-px", 0, 0, G_OPTION_ARG_DOUBLE, &coarse_px, "Coarse pixel size", "UM" },
    { "candidates", 0, 0, G_OPTION_ARG_INT, &candidates, "Coarse candidates", "N" },
    { "cmc-steps", 0, 0, G_OPTION_ARG_INT, &cmc_steps, "CMC angle steps each side", "N" },
    { "cmc-px", 0, 0, G_OPTION_ARG_DOUBLE, &cmc_px, "CMC pixel size", "UM" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("[A.x3p B.x3p]");
  g_autoptr(GError) error = NULL;
  g_autofree char *path_a = NULL;
  g_autofree char *path_b = NULL;
  g_autoptr(TmSurface) ra = NULL;
  g_autoptr(TmSurface) rb = NULL;
  g_autoptr(TmSurface) a = NULL;
  g_autoptr(TmSurface) b = NULL;
  g_autoptr(TmCompareData) da = NULL;
  g_autoptr(TmCompareData) db = NULL;
  TmCompareParams params;
  g_autofree double *t_reg = NULL, *t_ab = NULL, *t_ba = NULL, *t_data = NULL, *t_full = NULL;
  g_autofree double *t_prep = NULL, *t_query = NULL, *t_prepare = NULL;
  double score = 0, score_query = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || (argc != 1 && argc != 3))
    {
      fprintf (stderr, "usage: bench-compare [--runs N] [A.x3p B.x3p]\n");
      return 2;
    }
  runs = MAX (runs, 1);
  if (argc == 3)
    {
      path_a = g_strdup (argv[1]);
      path_b = g_strdup (argv[2]);
    }
  else
    {
      const char *scans = g_getenv ("TM_SHARED_SCANS");

      if (scans == NULL)
        scans = "../shared/scans";
      path_a = g_build_filename (scans, "fadulProcessed", "Fadul 1-1.x3p", NULL);
      path_b = g_build_filename (scans, "fadulProcessed", "Fadul 1-2.x3p", NULL);
    }
  ra = tm_x3p_read_file (path_a, &error);
  if (ra != NULL)
    rb = tm_x3p_read_file (path_b, &error);
  if (rb == NULL)
    {
      fprintf (stderr, "bench-compare: %s\n", error->message);
      return 77;
    }

  t_prep = g_new (double, runs);
  for (int r = 0; r < runs; r++)
    {
      double t0 = now ();
      g_autoptr(TmSurface) p = tm_preprocess_surface (ra, NULL, NULL, NULL, &error);

      t_prep[r] = now () - t0;
      if (p == NULL)
        {
          fprintf (stderr, "bench-compare: %s\n", error->message);
          return 1;
        }
    }
  a = tm_preprocess_surface (ra, NULL, NULL, NULL, &error);
  b = tm_preprocess_surface (rb, NULL, NULL, NULL, &error);
  tm_compare_params_init (&params);
  if (coarse_step > 0)
    params.registration.coarse_step_deg = coarse_step;
  if (coarse_px > 0)
    params.registration.coarse_pixel_um = coarse_px;
  if (candidates > 0)
    params.registration.n_candidates = candidates;
  if (cmc_steps >= 0)
    params.cmc.n_angle_steps = cmc_steps;
  if (cmc_px > 0)
    params.cmc.pixel_um = cmc_px;
  da = tm_compare_data_new (a, &params);
  db = tm_compare_data_new (b, &params);

  /* warm up: plans are made on first use */
  g_object_unref (tm_compare_data (da, db, &params, NULL, &error));

  t_reg = g_new (double, runs);
  t_ab = g_new (double, runs);
  t_ba = g_new (double, runs);
  t_data = g_new (double, runs);
  t_full = g_new (double, runs);
  t_query = g_new (double, runs);
  t_prepare = g_new (double, runs);
  for (int r = 0; r < runs; r++)
    {
      g_autoptr(TmComparison) c1 = NULL;
      g_autoptr(TmComparison) c2 = NULL;
      g_autoptr(TmPyramid) pa = tm_pyramid_new (a, &params.registration);
      g_autoptr(TmPyramid) pb = tm_pyramid_new (b, &params.registration);
      g_autoptr(TmCmcCells) ca = tm_cmc_cells_new (pa, &params.cmc);
      g_autoptr(TmCmcCells) cb = tm_cmc_cells_new (pb, &params.cmc);
      TmRegistration reg, inv;
      TmCmcResult res = { 0 };
      double t0;

      t0 = now ();
      tm_register_pyramids (pa, pb, &params.registration, &reg, NULL, NULL);
      t_reg[r] = now () - t0;
      t0 = now ();
      tm_cmc_run (ca, pb, &reg, &params.cmc, &res, NULL, NULL);
      t_ab[r] = now () - t0;
      tm_cmc_result_clear (&res);
      tm_registration_invert (&reg, &inv);
      t0 = now ();
      tm_cmc_run (cb, pa, &inv, &params.cmc, &res, NULL, NULL);
      t_ba[r] = now () - t0;
      tm_cmc_result_clear (&res);

      t0 = now ();
      c1 = tm_compare_data (da, db, &params, NULL, &error);
      t_data[r] = now () - t0;
      t0 = now ();
      c2 = tm_compare_surfaces (a, b, &params, NULL, &error);
      t_full[r] = now () - t0;
      score = tm_comparison_get_score (c2);
    }
  /* a search: the query's rotated coarse spectra made once, then one comparison per
   * candidate */
  for (int r = 0; r < runs; r++)
    {
      g_autoptr(TmComparison) c3 = NULL;
      double t0 = now ();

      tm_compare_data_prepare_query (da, &params);
      t_prepare[r] = now () - t0;
      t0 = now ();
      c3 = tm_compare_data (da, db, &params, NULL, &error);
      t_query[r] = now () - t0;
      score_query = tm_comparison_get_score (c3);
    }

  printf ("pair: %s vs %s (%u×%u and %u×%u px at %.2f µm), score %.1f\n",
          path_a, path_b, tm_surface_get_width (a), tm_surface_get_height (a),
          tm_surface_get_width (b), tm_surface_get_height (b),
          tm_surface_get_pixel_um_x (a), score);
  printf ("median of %d runs, one thread, thread CPU time:\n", runs);
  printf ("  preprocessing one scan          %8.1f ms\n", median_ms (t_prep, runs));
  printf ("  registration (full circle)      %8.1f ms\n", median_ms (t_reg, runs));
  printf ("  CMC A → B                       %8.1f ms\n", median_ms (t_ab, runs));
  printf ("  CMC B → A                       %8.1f ms\n", median_ms (t_ba, runs));
  printf ("  comparison of cached data       %8.1f ms\n", median_ms (t_data, runs));
  printf ("  tm_compare_surfaces (no cache)  %8.1f ms\n", median_ms (t_full, runs));
  printf ("  preparing a query (once)        %8.1f ms\n", median_ms (t_prepare, runs));
  printf ("  comparison, prepared query      %8.1f ms (score %.1f)\n", median_ms (t_query, runs),
          score_query);
  return 0;
}
