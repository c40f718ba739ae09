/* tm-score-model.c — how unusual a score is against known non-matches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tai & Eddy (2018) report an empirical tail probability against the database's own
 * non-match scores; Song (2020) fits a parametric model so that probabilities far below
 * 1/n can be stated. Both are given: the empirical one is what the data show, the
 * fitted one how far a score lies beyond them. A gamma distribution (not the binomial
 * of Song) is fitted because the score is a mean of two CMC counts, not one count.
 */
#define G_LOG_DOMAIN "tm-score-model"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "tm-score-model.h"

struct _TmScoreModel
{
  double *sorted;   /* ascending */
  gsize   n;
  double  shape;
  double  scale;
};

/* Scores and counts are ≥ 0; the shift keeps a mass of zeros inside the gamma's support. */
#define SHIFT 0.5

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

TmScoreModel *
tm_score_model_new (const double *knm_scores,
                    gsize         n)
{
  TmScoreModel *model = g_new0 (TmScoreModel, 1);
  double mean = 0, var = 0;
  gsize m = 0;

  g_return_val_if_fail (knm_scores != NULL || n == 0, model);

  model->sorted = g_new (double, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    if (isfinite (knm_scores[i]))
      model->sorted[m++] = knm_scores[i];
  model->n = m;
  qsort (model->sorted, m, sizeof (double), cmp_double);

  for (gsize i = 0; i < m; i++)
    mean += model->sorted[i] + SHIFT;
  if (m > 0)
    mean /= m;
  for (gsize i = 0; i < m; i++)
    var += (model->sorted[i] + SHIFT - mean) * (model->sorted[i] + SHIFT - mean);
  if (m > 1)
    var /= m - 1;
  if (m > 1 && var > 0 && mean > 0)
    {
      model->shape = mean * mean / var;
      model->scale = var / mean;
    }
  return model;
}

void
tm_score_model_free (TmScoreModel *model)
{
  if (model == NULL)
    return;
  g_free (model->sorted);
  g_free (model);
}

gsize
tm_score_model_get_n (const TmScoreModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->n;
}

double
tm_score_model_p_empirical (const TmScoreModel *model,
                            double              score)
{
  gsize lo = 0, hi;

  g_return_val_if_fail (model != NULL, NAN);

  if (model->n == 0 || !isfinite (score))
    return NAN;
  /* First index with sorted[i] ≥ score. */
  hi = model->n;
  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;

      if (model->sorted[mid] < score)
        lo = mid + 1;
      else
        hi = mid;
    }
  return (1.0 + (model->n - lo)) / (model->n + 1.0);
}

double
tm_score_model_p_fitted (const TmScoreModel *model,
                         double              score)
{
  g_return_val_if_fail (model != NULL, NAN);

  if (model->shape <= 0 || !isfinite (score))
    return NAN;
  return gsl_cdf_gamma_Q (MAX (score + SHIFT, 0), model->shape, model->scale);
}
