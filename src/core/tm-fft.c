/* tm-fft.c — FFTW single-precision 2D real transforms with a process-wide plan cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FFTW's planner is not thread-safe, its executor is: plans are created once per size
 * under a mutex and then executed concurrently with fftwf_execute_dft_r2c/c2r on the
 * caller's arrays. Those arrays must have the alignment of the arrays the plan was made
 * with, which is why every buffer comes from fftwf_malloc (tm_fft_alloc_*).
 *
 * Plans are made with FFTW_MEASURE for the small sizes the correlation engine uses over
 * and over (cells, coarse levels): measuring costs tens of milliseconds once and buys
 * 1.5–2× per transform. Large sizes use FFTW_ESTIMATE so a one-off big transform does
 * not spend seconds planning.
 */
#define G_LOG_DOMAIN "tm-fft"

#include "config.h"

#include "tm-fft.h"

#define MEASURE_MAX_SAMPLES (320 * 320)

struct _TmFftPlan
{
  int        rows;
  int        cols;
  fftwf_plan forward;
  fftwf_plan inverse;
};

static GMutex      plan_lock;
static GHashTable *plans;  /* (rows << 32 | cols) → TmFftPlan*, never freed */

static guint64
plan_key (int rows,
          int cols)
{
  return ((guint64)(guint32)rows << 32) | (guint32)cols;
}

const TmFftPlan *
tm_fft_plan_get (int rows,
                 int cols)
{
  TmFftPlan *plan;
  guint64 key;

  g_return_val_if_fail (rows > 0 && cols > 0, NULL);

  key = plan_key (rows, cols);
  g_mutex_lock (&plan_lock);
  if (plans == NULL)
    plans = g_hash_table_new (g_int64_hash, g_int64_equal);
  plan = g_hash_table_lookup (plans, &key);
  if (plan == NULL)
    {
      gsize n_real = (gsize)rows * cols;
      gsize n_complex = (gsize)rows * (cols / 2 + 1);
      unsigned flags = n_real <= MEASURE_MAX_SAMPLES ? FFTW_MEASURE : FFTW_ESTIMATE;
      float *r = fftwf_alloc_real (n_real);
      fftwf_complex *c = fftwf_alloc_complex (n_complex);
      guint64 *stored_key = g_new (guint64, 1);

      plan = g_new0 (TmFftPlan, 1);
      plan->rows = rows;
      plan->cols = cols;
      plan->forward = fftwf_plan_dft_r2c_2d (rows, cols, r, c, flags);
      plan->inverse = fftwf_plan_dft_c2r_2d (rows, cols, c, r, flags);
      g_assert (plan->forward != NULL && plan->inverse != NULL);
      fftwf_free (r);
      fftwf_free (c);
      *stored_key = key;
      g_hash_table_insert (plans, stored_key, plan);
    }
  g_mutex_unlock (&plan_lock);
  return plan;
}

int
tm_fft_plan_rows (const TmFftPlan *plan)
{
  return plan->rows;
}

int
tm_fft_plan_cols (const TmFftPlan *plan)
{
  return plan->cols;
}

gsize
tm_fft_plan_n_complex (const TmFftPlan *plan)
{
  return (gsize)plan->rows * (plan->cols / 2 + 1);
}

void
tm_fft_forward (const TmFftPlan *plan,
                float           *in,
                fftwf_complex   *out)
{
  fftwf_execute_dft_r2c (plan->forward, in, out);
}

void
tm_fft_inverse (const TmFftPlan *plan,
                fftwf_complex   *in,
                float           *out)
{
  fftwf_execute_dft_c2r (plan->inverse, in, out);
}

float *
tm_fft_alloc_real (gsize n)
{
  float *p = fftwf_alloc_real (MAX (n, 1));

  if (p == NULL)
    g_error ("tm-fft: out of memory allocating %" G_GSIZE_FORMAT " floats", n);
  return p;
}

fftwf_complex *
tm_fft_alloc_complex (gsize n)
{
  fftwf_complex *p = fftwf_alloc_complex (MAX (n, 1));

  if (p == NULL)
    g_error ("tm-fft: out of memory allocating %" G_GSIZE_FORMAT " complex values", n);
  return p;
}

void
tm_fft_free (gpointer p)
{
  if (p != NULL)
    fftwf_free (p);
}

int
tm_fft_good_size (int n)
{
  for (int m = MAX (n, 1);; m++)
    {
      int r = m;

      while (r % 2 == 0)
        r /= 2;
      while (r % 3 == 0)
        r /= 3;
      while (r % 5 == 0)
        r /= 5;
      while (r % 7 == 0)
        r /= 7;
      if (r == 1)
        return m;
    }
}

int
tm_fft_fast_size (int n)
{
  for (int m = MAX (n, 2) + (MAX (n, 2) & 1);; m += 2)
    {
      int r = m;

      while (r % 2 == 0)
        r /= 2;
      while (r % 3 == 0)
        r /= 3;
      while (r % 5 == 0)
        r /= 5;
      if (r == 1)
        return m;
    }
}
