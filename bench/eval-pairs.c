/* eval-pairs.c — every pair of a set of scans against the truth table: score ranges, AUC
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   eval-pairs [--rotate SEED] [--cmc-px UM] [--combine min|mean] [--verbose]
 *              [--no-query-cache] SCANS_DIR TRUTH_CSV PREFIX
 *
 * PREFIX selects the rows of truth.csv (e.g. "fadulProcessed/"). Each scan is read,
 * optionally rotated by a random angle over the full circle and shifted by up to
 * ±20 px (--rotate SEED, as `toolmark-cli transform` would), preprocessed, and compared
 * with every other one, the first of each pair prepared as a query the way a search
 * prepares its query (--no-query-cache: not). Prints the known-match and known-non-match score ranges, the AUC
 * of the score and of the ACCF, and the time per pair.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm-comparison.h"
#include "tm-preprocess.h"
#include "tm-registration.h"
#include "tm-x3p.h"

typedef struct
{
  double score;
  double accf;
  gboolean match;
} Pair;

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* AUC = P(score KM > score KNM) + ½ P(tie) */
static double
auc (const Pair *pairs,
     guint       n,
     gboolean    use_accf)
{
  double wins = 0, total = 0;

  for (guint i = 0; i < n; i++)
    if (pairs[i].match)
      for (guint j = 0; j < n; j++)
        if (!pairs[j].match)
          {
            double a = use_accf ? pairs[i].accf : pairs[i].score;
            double b = use_accf ? pairs[j].accf : pairs[j].score;

            wins += a > b ? 1 : a == b ? 0.5 : 0;
            total += 1;
          }
  return total > 0 ? wins / total : NAN;
}

int
main (int   argc,
      char *argv[])
{
  int seed = -1, cmc_steps = -1, candidates = -1;
  double cmc_px = 0, coarse_px = 0;
  char *combine = NULL;
  gboolean verbose = FALSE, no_query_cache = FALSE;
  GOptionEntry entries[] = {
    { "rotate", 0, 0, G_OPTION_ARG_INT, &seed, "Rotate and shift every scan randomly", "SEED" },
    { "cmc-px", 0, 0, G_OPTION_ARG_DOUBLE, &cmc_px, "CMC pixel size", "UM" },
    { "cmc-steps", 0, 0, G_OPTION_ARG_INT, &cmc_steps, "CMC angle steps each side", "N" },
    { "coarse-px", 0, 0, G_OPTION_ARG_DOUBLE, &coarse_px, "Coarse pixel size", "UM" },
    { "candidates", 0, 0, G_OPTION_ARG_INT, &candidates, "Coarse angles refined", "N" },
    { "combine", 0, 0, G_OPTION_ARG_STRING, &combine, "min or mean", "HOW" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print every pair", NULL },
    { "no-query-cache", 0, 0, G_OPTION_ARG_NONE, &no_query_cache,
      "Do not prepare each row's scan as a query (tm_compare_data_prepare_query)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("SCANS_DIR TRUTH_CSV PREFIX");
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) guns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) data = NULL;
  g_autoptr(GRand) rand = NULL;
  TmCompareParams params;
  TmPreprocessParams pre;
  g_autofree Pair *pairs = NULL;
  g_autofree double *times = NULL;
  guint n, n_pairs = 0;
  double km_lo = G_MAXDOUBLE, km_hi = -G_MAXDOUBLE, knm_lo = G_MAXDOUBLE, knm_hi = -G_MAXDOUBLE;
  double akm_lo = G_MAXDOUBLE, aknm_hi = -G_MAXDOUBLE;
  double prep_total = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 4)
    {
      fprintf (stderr, "usage: eval-pairs [options] SCANS_DIR TRUTH_CSV PREFIX\n");
      return 2;
    }
  if (!g_file_get_contents (argv[2], &csv, NULL, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  lines = g_strsplit (csv, "\n", -1);
  for (guint i = 1; lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", 3);

      if (f[0] && f[1] && g_str_has_prefix (f[0], argv[3]))
        {
          g_ptr_array_add (files, g_build_filename (argv[1], f[0], NULL));
          g_ptr_array_add (guns, g_strdup (f[1]));
        }
    }
  n = files->len;
  if (n < 2)
    {
      fprintf (stderr, "fewer than two scans match %s\n", argv[3]);
      return 1;
    }

  tm_compare_params_init (&params);
  if (cmc_px > 0)
    params.cmc.pixel_um = cmc_px;
  if (cmc_steps >= 0)
    params.cmc.n_angle_steps = cmc_steps;
  if (coarse_px > 0)
    params.registration.coarse_pixel_um = coarse_px;
  if (candidates > 0)
    params.registration.n_candidates = candidates;
  if (g_strcmp0 (combine, "min") == 0)
    params.combine = TM_CMC_COMBINE_MIN;
  tm_preprocess_params_init (&pre);
  rand = g_rand_new_with_seed (seed >= 0 ? (guint32)seed : 1);

  data = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_compare_data_free);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TmSurface) raw = tm_x3p_read_file (files->pdata[i], &error);
      g_autoptr(TmSurface) prep = NULL;
      gint64 t0;

      if (raw == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      if (seed >= 0)
        {
          double angle = g_rand_double_range (rand, 0, 360);
          double dx = g_rand_double_range (rand, -20, 20), dy = g_rand_double_range (rand, -20, 20);
          TmSurface *moved = tm_surface_transform (raw, angle, dx, dy);

          g_object_unref (raw);
          raw = moved;
        }
      t0 = g_get_monotonic_time ();
      prep = tm_preprocess_surface (raw, &pre, NULL, NULL, &error);
      if (prep == NULL)
        {
          fprintf (stderr, "%s: %s\n", (char *)files->pdata[i], error->message);
          return 1;
        }
      g_ptr_array_add (data, tm_compare_data_new (prep, &params));
      prep_total += (g_get_monotonic_time () - t0) / 1e6;
    }

  pairs = g_new0 (Pair, n * (n - 1) / 2);
  times = g_new0 (double, n * (n - 1) / 2);
  for (guint i = 0; i < n; i++)
    {
      /* as a search does: scan i is the query of its row */
      if (!no_query_cache)
        tm_compare_data_prepare_query (data->pdata[i], &params);
      for (guint j = i + 1; j < n; j++)
        {
          gint64 t0 = g_get_monotonic_time ();
          g_autoptr(TmComparison) cmp = tm_compare_data (data->pdata[i], data->pdata[j], &params,
                                                         NULL, &error);
          Pair *p = &pairs[n_pairs];

          times[n_pairs] = (g_get_monotonic_time () - t0) / 1e6;
          if (cmp == NULL)
            {
              fprintf (stderr, "%s vs %s: %s\n", (char *)files->pdata[i], (char *)files->pdata[j],
                       error->message);
              g_clear_error (&error);
              p->score = 0;
              p->accf = 0;
            }
          else
            {
              p->score = tm_comparison_get_score (cmp);
              p->accf = tm_comparison_get_accf (cmp);
            }
          p->match = g_str_equal (guns->pdata[i], guns->pdata[j]);
          if (p->match)
            {
              km_lo = MIN (km_lo, p->score);
              km_hi = MAX (km_hi, p->score);
              akm_lo = MIN (akm_lo, p->accf);
            }
          else
            {
              knm_lo = MIN (knm_lo, p->score);
              knm_hi = MAX (knm_hi, p->score);
              aknm_hi = MAX (aknm_hi, p->accf);
            }
          if (verbose && cmp != NULL)
            printf ("%s\t%s\t%s\tscore %.1f (%u/%u, initial %u/%u)\taccf %.3f\tangle %.1f\t"
                    "shift %.0f,%.0f µm\t%.1f ms\n",
                    p->match ? "KM " : "KNM", g_path_get_basename (files->pdata[i]),
                    g_path_get_basename (files->pdata[j]), p->score,
                    tm_comparison_get_cmc (cmp, TM_COMPARISON_A_TO_B),
                    tm_comparison_get_cmc (cmp, TM_COMPARISON_B_TO_A),
                    tm_comparison_get_initial_cmc (cmp, TM_COMPARISON_A_TO_B),
                    tm_comparison_get_initial_cmc (cmp, TM_COMPARISON_B_TO_A),
                    p->accf, tm_comparison_get_angle_deg (cmp),
                    tm_comparison_get_dx_um (cmp), tm_comparison_get_dy_um (cmp),
                    times[n_pairs] * 1e3);
          n_pairs++;
        }
      tm_compare_data_release_query (data->pdata[i]);
    }
  qsort (times, n_pairs, sizeof (double), cmp_double);
  printf ("scans %u, pairs %u (%s)\n", n, n_pairs, seed >= 0 ? "randomly rotated" : "as scanned");
  printf ("KM score %.1f–%.1f, KNM score %.1f–%.1f, AUC %.4f\n", km_lo, km_hi, knm_lo, knm_hi,
          auc (pairs, n_pairs, FALSE));
  printf ("KM ACCF min %.3f, KNM ACCF max %.3f, AUC(ACCF) %.4f\n", akm_lo, aknm_hi,
          auc (pairs, n_pairs, TRUE));
  printf ("per pair: median %.1f ms, max %.1f ms; preprocessing %.0f ms per scan\n",
          times[n_pairs / 2] * 1e3, times[n_pairs - 1] * 1e3, prep_total / n * 1e3);
  return 0;
}
