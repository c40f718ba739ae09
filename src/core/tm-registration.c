/* tm-registration.c — full-circle rotation and translation between two surfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Coarse to fine over a per-surface pyramid (built once per acquisition, see TmPyramid):
 *
 *  1. full circle at coarse_pixel_um (40 µm: ~85 px across a breech face) in
 *     coarse_step_deg steps: masked NCC over every translation for each angle, ~0.2 ms
 *     per angle with 112-point FFTs. A query compared with many candidates can keep its
 *     rotated coarse spectra (TmRotationCache): then each angle costs the six inverse
 *     transforms only. At 50 µm the TopMatch pair K013sA1/A2 (finer
 *     marks than Fadul's) no longer shows its true angle among the coarse maxima;
 *  2. the n_candidates best local maxima refined at mid_pixel_um over ± one coarse step,
 *     with the translation predicted by the coarse level and only a small residual
 *     searched (small FFTs again);
 *  3. the best candidate refined at fine_pixel_um, where the ACCF is read, with parabolic
 *     interpolation of angle and shift.
 *
 * The correlation is Padfield's masked NCC (IEEE TIP 2012): six FFT correlations of
 * z, z² and the mask give, for every shift at once, the Pearson correlation over exactly
 * the points valid in both surfaces. Zero-filling NaN instead would make the breech-face
 * outline, not its marks, drive the peak.
 */
#define G_LOG_DOMAIN "tm-registration"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-registration.h"

G_DEFINE_QUARK (tm-registration-error-quark, tm_registration_error)

void
tm_registration_params_init (TmRegistrationParams *params)
{
  g_return_if_fail (params != NULL);

  params->coarse_pixel_um = 40.0;
  params->coarse_step_deg = 3.0;
  params->n_candidates = 3;
  params->mid_pixel_um = 25.0;
  params->mid_step_deg = 1.0;
  params->fine_pixel_um = 12.5;
  params->fine_step_deg = 0.25;
  params->fine_range_deg = 0.0;
  params->max_shift_um = 1000.0;
  params->min_overlap = 0.3;
  params->angle_center_deg = 0.0;
  params->angle_range_deg = 180.0;
}

/* ---- warping ---- */

/* floor() for the coordinates a warp meets (|q| < 2³⁰): without SSE4.1 floor is a libm
 * call, and the warp calls it twice per output point. */
static inline int
floor_int (double q)
{
  int i = (int)q;

  return i - (q < i);
}

/* The columns i ∈ [*lo, *hi) of a row where q0 + i·dq ∈ [−1, n): outside them an
 * output point has no source neighbour at all and is NaN. */
static void
clip_span (double q0,
           double dq,
           int    n,
           int   *lo,
           int   *hi)
{
  double a, b;

  if (fabs (dq) < 1e-12)
    {
      if (q0 < -1 || q0 >= n)
        *lo = *hi = 0;
      return;
    }
  a = (-1 - q0) / dq;
  b = (n - q0) / dq;
  if (a > b)
    {
      double t = a;

      a = b;
      b = t;
    }
  /* one column of slack each side: the exact test is repeated per point */
  a = MAX (floor (a) - 1, (double)*lo);
  b = MIN (ceil (b) + 1, (double)*hi);
  if (a >= b)
    *lo = *hi = 0;
  else
    {
      *lo = (int)a;
      *hi = (int)b;
    }
}

void
tm_grid_warp_into (const TmGrid *src,
                   double        src_cx,
                   double        src_cy,
                   double        angle_deg,
                   double        tx,
                   double        ty,
                   double        out_cx,
                   double        out_cy,
                   int           x0,
                   int           y0,
                   TmGrid       *out)
{
  double a = angle_deg * G_PI / 180.0, c = cos (a), s = sin (a);
  int w = src->w, h = src->h;

  for (int j = 0; j < out->h; j++)
    {
      double dx = x0 - out_cx - tx, dy = y0 + j - out_cy - ty;
      /* q = R⁻¹ d + src_c, stepping d.x by one per output column */
      double qx0 = c * dx + s * dy + src_cx, qy0 = -s * dx + c * dy + src_cy;
      float *row = out->z + (gsize)j * out->w;
      int lo = 0, hi = out->w;

      clip_span (qx0, c, w, &lo, &hi);
      clip_span (qy0, -s, h, &lo, &hi);
      for (int i = 0; i < lo; i++)
        row[i] = NAN;
      for (int i = hi; i < out->w; i++)
        row[i] = NAN;
      for (int i = lo; i < hi; i++)
        {
          /* recomputed rather than accumulated, so the span clipping cannot drift */
          double qx = qx0 + c * i, qy = qy0 - s * i;
          int ix = floor_int (qx), iy = floor_int (qy);
          float fx = (float)(qx - ix), fy = (float)(qy - iy);
          float wsum = 0, vsum = 0;
          float wt[4] = { (1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy };

          if (ix >= 0 && iy >= 0 && ix + 1 < w && iy + 1 < h)
            {
              const float *p = src->z + (gsize)iy * w + ix;
              float v[4] = { p[0], p[1], p[w], p[w + 1] };

              /* interior with four valid neighbours: the common case, no bookkeeping */
              if (!isnan (v[0] + v[1] + v[2] + v[3]))
                {
                  row[i] = wt[0] * v[0] + wt[1] * v[1] + wt[2] * v[2] + wt[3] * v[3];
                  continue;
                }
              for (int k = 0; k < 4; k++)
                if (!isnan (v[k]))
                  {
                    wsum += wt[k];
                    vsum += wt[k] * v[k];
                  }
              row[i] = wsum >= 0.5f ? vsum / wsum : NAN;
              continue;
            }
          row[i] = NAN;
          if (ix < -1 || iy < -1 || ix >= w || iy >= h)
            continue;
          for (int k = 0; k < 4; k++)
            {
              int xx = ix + (k & 1), yy = iy + (k >> 1);
              float val;

              if (xx < 0 || yy < 0 || xx >= w || yy >= h)
                continue;
              val = src->z[(gsize)yy * w + xx];
              if (!isnan (val))
                {
                  wsum += wt[k];
                  vsum += wt[k] * val;
                }
            }
          if (wsum >= 0.5f)
            row[i] = vsum / wsum;
        }
    }
}

TmSurface *
tm_surface_transform (TmSurface *surface,
                      double     angle_deg,
                      double     dx_px,
                      double     dy_px)
{
  g_autoptr(TmGrid) src = NULL;
  g_autoptr(TmGrid) out = NULL;
  TmSurface *result;
  GHashTableIter iter;
  gpointer key, value;
  double cx, cy;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);

  src = tm_grid_from_surface (surface);
  out = tm_grid_new (src->w, src->h);
  cx = (src->w - 1) / 2.0;
  cy = (src->h - 1) / 2.0;
  tm_grid_warp_into (src, cx, cy, angle_deg, dx_px, dy_px, cx, cy, 0, 0, out);
  result = tm_surface_new (out->w, out->h, tm_surface_get_pixel_um_x (surface),
                           tm_surface_get_pixel_um_y (surface),
                           tm_surface_get_modality (surface));
  memcpy (tm_surface_get_data (result), out->z, (gsize)out->w * out->h * sizeof (float));
  tm_surface_sync_mask (result);
  g_hash_table_iter_init (&iter, tm_surface_get_meta_table (surface));
  while (g_hash_table_iter_next (&iter, &key, &value))
    tm_surface_set_meta (result, key, value);
  return result;
}

/* ---- masked NCC ---- */

void
tm_ncc_spectra_init (TmNccSpectra    *spectra,
                     const TmFftPlan *plan)
{
  gsize nc = tm_fft_plan_n_complex (plan);

  spectra->plan = plan;
  spectra->f = tm_fft_alloc_complex (nc);
  spectra->f2 = tm_fft_alloc_complex (nc);
  spectra->m = tm_fft_alloc_complex (nc);
  spectra->n_valid = 0;
}

void
tm_ncc_spectra_clear (TmNccSpectra *spectra)
{
  g_clear_pointer (&spectra->f, tm_fft_free);
  g_clear_pointer (&spectra->f2, tm_fft_free);
  g_clear_pointer (&spectra->m, tm_fft_free);
}

void
tm_ncc_work_init (TmNccWork       *work,
                  const TmFftPlan *plan)
{
  gsize n = (gsize)tm_fft_plan_rows (plan) * tm_fft_plan_cols (plan);

  work->plan = plan;
  work->real = tm_fft_alloc_real (n);
  for (int k = 0; k < 6; k++)
    work->sum[k] = tm_fft_alloc_real (n);
  work->prod = tm_fft_alloc_complex (tm_fft_plan_n_complex (plan));
}

void
tm_ncc_work_clear (TmNccWork *work)
{
  g_clear_pointer (&work->real, tm_fft_free);
  for (int k = 0; k < 6; k++)
    g_clear_pointer (&work->sum[k], tm_fft_free);
  g_clear_pointer (&work->prod, tm_fft_free);
}

void
tm_ncc_spectra_set (TmNccSpectra *spectra,
                    TmNccWork    *work,
                    const TmGrid *grid,
                    int           x0,
                    int           y0,
                    int           w,
                    int           h)
{
  const TmFftPlan *plan = spectra->plan;
  int cols = tm_fft_plan_cols (plan), rows = tm_fft_plan_rows (plan);
  gsize total = (gsize)rows * cols;
  float *rm = work->sum[0], *rz = work->sum[1], *rz2 = work->sum[2];
  int ix0 = MAX (x0, 0), iy0 = MAX (y0, 0);
  int ix1 = MIN (x0 + w, grid->w), iy1 = MIN (y0 + h, grid->h);
  double sum = 0;
  float mean;
  gsize n = 0;

  g_assert (w <= cols && h <= rows);

  /* The sum buffers are free until tm_ncc_map() runs: use them as the three inputs.
   * z is taken about its mean over the window: the NCC does not depend on it, and
   * removing it keeps the float sums of the six correlations well conditioned. */
  memset (rm, 0, total * sizeof (float));
  memset (rz, 0, total * sizeof (float));
  for (int y = iy0; y < iy1; y++)
    {
      const float *src = grid->z + (gsize)y * grid->w;
      float *dm = rm + (gsize)(y - y0) * cols - x0, *dz = rz + (gsize)(y - y0) * cols - x0;

      for (int x = ix0; x < ix1; x++)
        {
          float v = src[x];

          if (!isnan (v))
            {
              dm[x] = 1.0f;
              dz[x] = v;
              sum += v;
              n++;
            }
        }
    }
  spectra->n_valid = n;
  mean = n > 0 ? (float)(sum / n) : 0.0f;
  for (gsize i = 0; i < total; i++)
    {
      float v = rz[i] - mean * rm[i];

      rz[i] = v;
      rz2[i] = v * v;
    }
  tm_fft_forward (plan, rm, spectra->m);
  tm_fft_forward (plan, rz, spectra->f);
  tm_fft_forward (plan, rz2, spectra->f2);
}

/* prod = conj(a) · b */
static void
cross_spectrum (const fftwf_complex *a,
                const fftwf_complex *b,
                fftwf_complex       *prod,
                gsize                n)
{
  for (gsize i = 0; i < n; i++)
    {
      float ar = a[i][0], ai = a[i][1], br = b[i][0], bi = b[i][1];

      prod[i][0] = ar * br + ai * bi;
      prod[i][1] = ar * bi - ai * br;
    }
}

/* The NCC from the six correlation sums for @n consecutive shifts from index @i0. In
 * float: the sums come out of single-precision transforms, double would add digits, not
 * accuracy; and the loop has no branch, so the compiler can vectorise it. */
static void
ncc_run (const TmNccWork *work,
         gsize            i0,
         int              n,
         float            scale,
         float            min_count,
         float           *out)
{
  const float *s0 = work->sum[0] + i0, *s1 = work->sum[1] + i0, *s2 = work->sum[2] + i0;
  const float *s3 = work->sum[3] + i0, *s4 = work->sum[4] + i0, *s5 = work->sum[5] + i0;
  float *o = out + i0;

  for (int i = 0; i < n; i++)
    {
      float cnt = s0[i] * scale;
      float inv = 1.0f / MAX (cnt, 1.0f);
      float sf = s1[i] * scale, sg = s2[i] * scale;
      float vf = s3[i] * scale - sf * sf * inv;
      float vg = s4[i] * scale - sg * sg * inv;
      float num = s5[i] * scale - sf * sg * inv;
      float r = num / sqrtf (MAX (vf * vg, 1e-30f));

      r = MIN (MAX (r, -1.0f), 1.0f);
      o[i] = (cnt < min_count || vf <= 1e-12f || vg <= 1e-12f) ? NAN : r;
    }
}

void
tm_ncc_map_window (const TmNccSpectra *t,
                   const TmNccSpectra *g,
                   TmNccWork          *work,
                   double              min_count,
                   int                 u0,
                   int                 u1,
                   int                 v0,
                   int                 v1,
                   float              *out)
{
  const TmFftPlan *plan = t->plan;
  int rows = tm_fft_plan_rows (plan), cols = tm_fft_plan_cols (plan);
  gsize nc = tm_fft_plan_n_complex (plan);
  const fftwf_complex *pairs[6][2] = {
    { t->m, g->m }, { t->f, g->m }, { t->m, g->f },
    { t->f2, g->m }, { t->m, g->f2 }, { t->f, g->f },
  };
  double scale = 1.0 / ((double)rows * cols);

  for (int k = 0; k < 6; k++)
    {
      cross_spectrum (pairs[k][0], pairs[k][1], work->prod, nc);
      tm_fft_inverse (plan, work->prod, work->sum[k]);
    }
  min_count = MAX (min_count, 4.0);
  /* only the shifts asked for, one contiguous run of a row at a time */
  for (int v = v0; v <= v1; v++)
    {
      gsize row = (gsize)(((v % rows) + rows) % rows) * cols;
      int uu = ((u0 % cols) + cols) % cols, left = u1 - u0 + 1;

      while (left > 0)
        {
          int run = MIN (left, cols - uu);

          ncc_run (work, row + uu, run, (float)scale, (float)min_count, out);
          left -= run;
          uu = 0;
        }
    }
}

void
tm_ncc_map (const TmNccSpectra *t,
            const TmNccSpectra *g,
            TmNccWork          *work,
            double              min_count,
            float              *out)
{
  int rows = tm_fft_plan_rows (t->plan), cols = tm_fft_plan_cols (t->plan);

  tm_ncc_map_window (t, g, work, min_count, 0, cols - 1, 0, rows - 1, out);
}

/* ---- pyramid ---- */

#define MAX_LEVELS 4

struct _TmPyramid
{
  TmLevel levels[MAX_LEVELS];  /* [0] = the surface itself, then coarser */
  int     n_levels;
};

static void
level_init (TmLevel *level,
            TmGrid  *grid,
            double   pixel_um,
            double   factor,
            double   base_cx,
            double   base_cy)
{
  level->grid = grid;
  level->pixel_um = pixel_um;
  /* area resampling maps output pixel i to base coordinate (i + ½)·factor − ½ */
  level->cx = (base_cx + 0.5) / factor - 0.5;
  level->cy = (base_cy + 0.5) / factor - 0.5;
  level->n_valid = tm_grid_count_valid (grid);
}

TmPyramid *
tm_pyramid_new (TmSurface                  *surface,
                const TmRegistrationParams *params)
{
  TmRegistrationParams defaults;
  TmPyramid *pyramid;
  double px, cx, cy;
  double wanted[3];

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);

  if (params == NULL)
    {
      tm_registration_params_init (&defaults);
      params = &defaults;
    }
  wanted[0] = params->fine_pixel_um;
  wanted[1] = params->mid_pixel_um;
  wanted[2] = params->coarse_pixel_um;

  pyramid = g_new0 (TmPyramid, 1);
  px = tm_surface_get_pixel_um_x (surface);
  cx = (tm_surface_get_width (surface) - 1) / 2.0;
  cy = (tm_surface_get_height (surface) - 1) / 2.0;
  level_init (&pyramid->levels[0], tm_grid_from_surface (surface), px, 1.0, cx, cy);
  pyramid->n_levels = 1;
  for (int k = 0; k < 3; k++)
    {
      double factor = wanted[k] / px;
      gboolean have = FALSE;

      if (factor < 1.01)
        continue;
      for (int l = 0; l < pyramid->n_levels; l++)
        have |= fabs (pyramid->levels[l].pixel_um - wanted[k]) < 1e-6;
      if (have)
        continue;
      level_init (&pyramid->levels[pyramid->n_levels],
                  tm_grid_resample (pyramid->levels[0].grid, factor),
                  wanted[k], factor, cx, cy);
      pyramid->n_levels++;
    }
  return pyramid;
}

void
tm_pyramid_free (TmPyramid *pyramid)
{
  if (pyramid == NULL)
    return;
  for (int l = 0; l < pyramid->n_levels; l++)
    tm_grid_free (pyramid->levels[l].grid);
  g_free (pyramid);
}

const TmLevel *
tm_pyramid_get_level (const TmPyramid *pyramid,
                      double           pixel_um)
{
  const TmLevel *best = &pyramid->levels[0];

  g_return_val_if_fail (pyramid != NULL, NULL);

  for (int l = 1; l < pyramid->n_levels; l++)
    if (fabs (log (pyramid->levels[l].pixel_um / pixel_um)) <
        fabs (log (best->pixel_um / pixel_um)))
      best = &pyramid->levels[l];
  return best;
}

const TmLevel *
tm_pyramid_get_base (const TmPyramid *pyramid)
{
  g_return_val_if_fail (pyramid != NULL, NULL);
  return &pyramid->levels[0];
}

/* ---- registration at one level ---- */

typedef struct
{
  const TmLevel   *a;
  const TmLevel   *b;
  int              side;      /* canvas side: both surfaces fit in it */
  int              bx0, by0;  /* where B sits in the canvas */
  int              max_shift; /* residual searched, pixels */
  const TmFftPlan *plan;
  TmNccSpectra     sa, sb;
  TmNccWork        work;
  TmGrid          *canvas;
  float           *map;
  double           min_count;
} LevelScan;

typedef struct
{
  double score;
  double angle;
  double tx, ty;   /* level pixels */
} Pose;

static void
level_scan_init (LevelScan     *scan,
                 const TmLevel *a,
                 const TmLevel *b,
                 int            max_shift,
                 double         min_overlap)
{
  int n;

  memset (scan, 0, sizeof *scan);
  scan->a = a;
  scan->b = b;
  scan->side = MAX (MAX (a->grid->w, a->grid->h), MAX (b->grid->w, b->grid->h));
  scan->bx0 = (scan->side - b->grid->w) / 2;
  scan->by0 = (scan->side - b->grid->h) / 2;
  scan->max_shift = max_shift;
  /* a circular correlation of side-wide canvases is exact for |u| ≤ n − side */
  n = tm_fft_fast_size (scan->side + max_shift);
  scan->plan = tm_fft_plan_get (n, n);
  tm_ncc_work_init (&scan->work, scan->plan);
  tm_ncc_spectra_init (&scan->sa, scan->plan);
  tm_ncc_spectra_init (&scan->sb, scan->plan);
  tm_ncc_spectra_set (&scan->sb, &scan->work, b->grid, -scan->bx0, -scan->by0,
                      scan->side, scan->side);
  scan->canvas = tm_grid_new (scan->side, scan->side);
  scan->map = tm_fft_alloc_real ((gsize)n * n);
  scan->min_count = min_overlap * MIN (a->n_valid, b->n_valid);
}

static void
level_scan_clear (LevelScan *scan)
{
  tm_ncc_work_clear (&scan->work);
  tm_ncc_spectra_clear (&scan->sa);
  tm_ncc_spectra_clear (&scan->sb);
  g_clear_pointer (&scan->canvas, tm_grid_free);
  g_clear_pointer (&scan->map, tm_fft_free);
}

/* Sub-pixel offset of a peak from three samples (0 when not a proper maximum). */
static double
parabola_offset (double left,
                 double mid,
                 double right)
{
  double d = left - 2 * mid + right;

  if (!isfinite (left) || !isfinite (right) || d >= 0)
    return 0;
  return CLAMP (0.5 * (left - right) / d, -0.5, 0.5);
}

/* The best residual shift within ±max_shift of the NCC between the spectra @sa (A as
 * placed for pose (angle, tx, ty)) and B, added to that pose. */
static Pose
level_scan_peak (LevelScan          *scan,
                 const TmNccSpectra *sa,
                 double              angle,
                 double              tx,
                 double              ty)
{
  int n = tm_fft_plan_rows (scan->plan), ms = scan->max_shift;
  Pose best = { -2, angle, tx, ty };
  int bu = 0, bv = 0;

  tm_ncc_map_window (sa, &scan->sb, &scan->work, scan->min_count,
                     -ms - 1, ms + 1, -ms - 1, ms + 1, scan->map);
  for (int v = -ms; v <= ms; v++)
    for (int u = -ms; u <= ms; u++)
      {
        float s = scan->map[(gsize)((v + n) % n) * n + (u + n) % n];

        if (!isnan (s) && s > best.score)
          {
            best.score = s;
            bu = u;
            bv = v;
          }
      }
  if (best.score > -2)
    {
      float l = scan->map[(gsize)((bv + n) % n) * n + (bu - 1 + n) % n];
      float r = scan->map[(gsize)((bv + n) % n) * n + (bu + 1 + n) % n];
      float t = scan->map[(gsize)((bv - 1 + n) % n) * n + (bu + n) % n];
      float d = scan->map[(gsize)((bv + 1 + n) % n) * n + (bu + n) % n];

      best.tx = tx + bu + (abs (bu) < ms ? parabola_offset (l, best.score, r) : 0);
      best.ty = ty + bv + (abs (bv) < ms ? parabola_offset (t, best.score, d) : 0);
    }
  return best;
}

/* NCC of A rotated by @angle and placed at the predicted translation (tx, ty) against B;
 * the best residual shift within ±max_shift is added to the returned pose. */
static Pose
level_scan_angle (LevelScan *scan,
                  double     angle,
                  double     tx,
                  double     ty)
{
  const TmLevel *a = scan->a, *b = scan->b;

  tm_grid_warp_into (a->grid, a->cx, a->cy, angle, tx, ty,
                     b->cx + scan->bx0, b->cy + scan->by0, 0, 0, scan->canvas);
  tm_ncc_spectra_set (&scan->sa, &scan->work, scan->canvas, 0, 0, scan->side, scan->side);
  return level_scan_peak (scan, &scan->sa, angle, tx, ty);
}

/* ---- the query's rotated coarse spectra ---- */

struct _TmRotationCache
{
  const TmLevel   *a;
  double           pixel_um;
  double           start_deg;
  double           step_deg;
  int              n_angles;
  int              max_shift;
  int              side;      /* canvas side */
  double           pcx, pcy;  /* where A's centre sits in the canvas */
  const TmFftPlan *plan;
  TmNccSpectra    *spectra;   /* n_angles */
};

/* The coarse angles of @params: the full circle from 0, or centre ± range. */
static int
coarse_angles (const TmRegistrationParams *params,
               double                     *start,
               gboolean                   *full_circle)
{
  gboolean full = params->angle_range_deg >= 180.0 - 1e-9;
  int n = full ? (int)lround (360.0 / params->coarse_step_deg)
               : 2 * (int)floor (params->angle_range_deg / params->coarse_step_deg) + 1;

  *start = full ? 0.0
                : params->angle_center_deg -
                  floor (params->angle_range_deg / params->coarse_step_deg) *
                  params->coarse_step_deg;
  if (full_circle)
    *full_circle = full;
  return MAX (n, 1);
}

TmRotationCache *
tm_rotation_cache_new (const TmPyramid            *a,
                       const TmRegistrationParams *params)
{
  TmRegistrationParams defaults;
  TmRotationCache *cache;
  g_autoptr(TmGrid) canvas = NULL;
  TmNccWork work;
  int n;

  g_return_val_if_fail (a != NULL, NULL);

  if (params == NULL)
    {
      tm_registration_params_init (&defaults);
      params = &defaults;
    }
  cache = g_new0 (TmRotationCache, 1);
  cache->a = tm_pyramid_get_level (a, params->coarse_pixel_um);
  cache->pixel_um = cache->a->pixel_um;
  cache->step_deg = params->coarse_step_deg;
  cache->n_angles = coarse_angles (params, &cache->start_deg, NULL);
  cache->max_shift = (int)ceil (params->max_shift_um / cache->pixel_um);
  /* B must fit in the canvas with its centre near A's: take all the room the FFT size
   * leaves, at least a few pixels beyond A's own extent */
  n = tm_fft_fast_size (MAX (cache->a->grid->w, cache->a->grid->h) + 4 + cache->max_shift);
  cache->side = n - cache->max_shift;
  /* A's centre near the canvas centre with the sub-pixel phase it has in its own grid:
   * a candidate of the same size as the query then sits at exactly the phase the
   * uncached scan would give it. Half a pixel off at 40 µm costs a 2D image (content up
   * to the coarse Nyquist) a third of its true peak, enough to lose the angle. */
  cache->pcx = cache->a->cx + floor ((cache->side - 1) / 2.0 - cache->a->cx + 0.5);
  cache->pcy = cache->a->cy + floor ((cache->side - 1) / 2.0 - cache->a->cy + 0.5);
  cache->plan = tm_fft_plan_get (n, n);
  cache->spectra = g_new0 (TmNccSpectra, cache->n_angles);
  canvas = tm_grid_new (cache->side, cache->side);
  tm_ncc_work_init (&work, cache->plan);
  for (int k = 0; k < cache->n_angles; k++)
    {
      tm_grid_warp_into (cache->a->grid, cache->a->cx, cache->a->cy,
                         cache->start_deg + k * cache->step_deg, 0, 0,
                         cache->pcx, cache->pcy, 0, 0, canvas);
      tm_ncc_spectra_init (&cache->spectra[k], cache->plan);
      tm_ncc_spectra_set (&cache->spectra[k], &work, canvas, 0, 0, cache->side, cache->side);
    }
  tm_ncc_work_clear (&work);
  return cache;
}

void
tm_rotation_cache_free (TmRotationCache *cache)
{
  if (cache == NULL)
    return;
  for (int k = 0; k < cache->n_angles; k++)
    tm_ncc_spectra_clear (&cache->spectra[k]);
  g_free (cache->spectra);
  g_free (cache);
}

/* Sets @scan up against the cache's canvas: B placed at whole pixels so that its centre
 * is within half a pixel of A's, the remainder returned in (dx, dy). FALSE when this
 * cache cannot serve (other parameters, or B too large for the canvas). */
static gboolean
level_scan_init_cached (LevelScan             *scan,
                        const TmRotationCache *cache,
                        const TmLevel         *a,
                        const TmLevel         *b,
                        const TmRegistrationParams *params,
                        double                *dx,
                        double                *dy)
{
  double start;
  int n_angles = coarse_angles (params, &start, NULL);
  int bx0 = (int)floor (cache->pcx - b->cx + 0.5), by0 = (int)floor (cache->pcy - b->cy + 0.5);

  if (cache->a != a || n_angles != cache->n_angles || fabs (start - cache->start_deg) > 1e-9 ||
      fabs (params->coarse_step_deg - cache->step_deg) > 1e-9 ||
      cache->max_shift != (int)ceil (params->max_shift_um / a->pixel_um) ||
      fabs (b->pixel_um - cache->pixel_um) > 1e-6 * cache->pixel_um ||
      bx0 < 0 || by0 < 0 || bx0 + b->grid->w > cache->side || by0 + b->grid->h > cache->side)
    return FALSE;

  memset (scan, 0, sizeof *scan);
  scan->a = a;
  scan->b = b;
  scan->side = cache->side;
  scan->bx0 = bx0;
  scan->by0 = by0;
  scan->max_shift = cache->max_shift;
  scan->plan = cache->plan;
  tm_ncc_work_init (&scan->work, scan->plan);
  tm_ncc_spectra_init (&scan->sa, scan->plan);
  tm_ncc_spectra_init (&scan->sb, scan->plan);
  tm_ncc_spectra_set (&scan->sb, &scan->work, b->grid, -bx0, -by0, scan->side, scan->side);
  scan->canvas = tm_grid_new (1, 1);
  scan->map = tm_fft_alloc_real ((gsize)tm_fft_plan_rows (scan->plan) * tm_fft_plan_rows (scan->plan));
  scan->min_count = params->min_overlap * MIN (a->n_valid, b->n_valid);
  /* A's centre is at pc; B's centre at b->cx + bx0: A sits (dx, dy) from it already */
  *dx = cache->pcx - (b->cx + bx0);
  *dy = cache->pcy - (b->cy + by0);
  return TRUE;
}

static double
wrap_angle (double a)
{
  a = fmod (a, 360.0);
  return a < 0 ? a + 360.0 : a;
}

static gboolean
check_cancel (GCancellable  *cancellable,
              GError       **error)
{
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_set_error (error, TM_REGISTRATION_ERROR, TM_REGISTRATION_ERROR_CANCELLED,
                   "The comparison was cancelled");
      return TRUE;
    }
  return FALSE;
}

/* Refines @start at @level over angles start ± range in @step steps with a residual
 * translation search of ±@max_shift level pixels. @start's translation is in the
 * units of @from_px and is rescaled. */
static Pose
refine (const TmLevel *a,
        const TmLevel *b,
        Pose           start,
        double         from_px,
        double         range,
        double         step,
        int            max_shift,
        double         min_overlap,
        gboolean       interpolate_angle)
{
  LevelScan scan;
  double k = from_px / a->pixel_um;
  int n_steps = (int)floor (range / step + 1e-9);
  g_autofree double *scores = g_new (double, 2 * n_steps + 1);
  Pose best = { -2, start.angle, start.tx * k, start.ty * k };
  int best_j = 0;

  level_scan_init (&scan, a, b, max_shift, min_overlap);
  for (int j = -n_steps; j <= n_steps; j++)
    {
      Pose p = level_scan_angle (&scan, start.angle + j * step, start.tx * k, start.ty * k);

      scores[j + n_steps] = p.score;
      if (p.score > best.score)
        {
          best = p;
          best_j = j;
        }
    }
  if (interpolate_angle && abs (best_j) < n_steps)
    {
      double off = parabola_offset (scores[best_j + n_steps - 1], best.score,
                                    scores[best_j + n_steps + 1]);

      if (off != 0)
        {
          Pose p = level_scan_angle (&scan, best.angle + off * step, best.tx, best.ty);

          /* a residual of ±1 px around the pose found keeps the interpolated angle
           * honest: it is kept only if it correlates at least as well */
          if (p.score >= best.score)
            best = p;
        }
    }
  level_scan_clear (&scan);
  return best;
}

gboolean
tm_register_pyramids (const TmPyramid            *a,
                      const TmPyramid            *b,
                      const TmRegistrationParams *params,
                      TmRegistration             *out,
                      GCancellable               *cancellable,
                      GError                    **error)
{
  return tm_register_pyramids_cached (a, NULL, b, params, out, cancellable, error);
}

gboolean
tm_register_pyramids_cached (const TmPyramid            *a,
                             const TmRotationCache      *cache,
                             const TmPyramid            *b,
                             const TmRegistrationParams *params,
                             TmRegistration             *out,
                             GCancellable               *cancellable,
                             GError                    **error)
{
  TmRegistrationParams defaults;
  const TmLevel *ca, *cb, *ma, *mb, *fa, *fb;
  LevelScan scan;
  int n_angles, n_cand = 0;
  g_autofree Pose *coarse = NULL;
  g_autofree Pose *cand = NULL;
  Pose best = { -2, 0, 0, 0 };
  gboolean full_circle;
  double start_angle, cdx = 0, cdy = 0;

  g_return_val_if_fail (a != NULL && b != NULL && out != NULL, FALSE);

  if (params == NULL)
    {
      tm_registration_params_init (&defaults);
      params = &defaults;
    }
  if (fabs (tm_pyramid_get_base (a)->pixel_um - tm_pyramid_get_base (b)->pixel_um) >
      1e-3 * tm_pyramid_get_base (a)->pixel_um)
    {
      g_set_error (error, TM_REGISTRATION_ERROR, TM_REGISTRATION_ERROR_MISMATCH,
                   "The surfaces have different pixel sizes (%g and %g µm): preprocess "
                   "both to the same working pixel size",
                   tm_pyramid_get_base (a)->pixel_um, tm_pyramid_get_base (b)->pixel_um);
      return FALSE;
    }
  if (tm_pyramid_get_base (a)->n_valid < 100 || tm_pyramid_get_base (b)->n_valid < 100)
    {
      g_set_error (error, TM_REGISTRATION_ERROR, TM_REGISTRATION_ERROR_EMPTY,
                   "A surface has fewer than 100 valid points: nothing to register");
      return FALSE;
    }

  ca = tm_pyramid_get_level (a, params->coarse_pixel_um);
  cb = tm_pyramid_get_level (b, params->coarse_pixel_um);
  ma = tm_pyramid_get_level (a, params->mid_pixel_um);
  mb = tm_pyramid_get_level (b, params->mid_pixel_um);
  fa = tm_pyramid_get_level (a, params->fine_pixel_um);
  fb = tm_pyramid_get_level (b, params->fine_pixel_um);

  /* 1. coarse scan */
  n_angles = coarse_angles (params, &start_angle, &full_circle);
  coarse = g_new (Pose, n_angles);
  if (cache != NULL && level_scan_init_cached (&scan, cache, ca, cb, params, &cdx, &cdy))
    {
      for (int k = 0; k < n_angles; k++)
        {
          if (check_cancel (cancellable, error))
            {
              level_scan_clear (&scan);
              return FALSE;
            }
          coarse[k] = level_scan_peak (&scan, &cache->spectra[k],
                                       start_angle + k * params->coarse_step_deg, cdx, cdy);
        }
    }
  else
    {
      level_scan_init (&scan, ca, cb, (int)ceil (params->max_shift_um / ca->pixel_um),
                       params->min_overlap);
      for (int k = 0; k < n_angles; k++)
        {
          if (check_cancel (cancellable, error))
            {
              level_scan_clear (&scan);
              return FALSE;
            }
          coarse[k] = level_scan_angle (&scan, start_angle + k * params->coarse_step_deg, 0, 0);
        }
    }
  level_scan_clear (&scan);

  /* 2. local maxima (circular on the full circle), best first */
  cand = g_new (Pose, MAX (params->n_candidates, 1));
  for (int k = 0; k < n_angles; k++)
    {
      int l = full_circle ? (k + n_angles - 1) % n_angles : k - 1;
      int r = full_circle ? (k + 1) % n_angles : k + 1;
      Pose p = coarse[k];
      int slot;

      if (p.score <= -2 ||
          (l >= 0 && coarse[l].score > p.score) ||
          (r < n_angles && coarse[r].score >= p.score && r != k))
        continue;
      for (slot = n_cand; slot > 0 && cand[slot - 1].score < p.score; slot--)
        if (slot < MAX (params->n_candidates, 1))
          cand[slot] = cand[slot - 1];
      if (slot < MAX (params->n_candidates, 1))
        {
          cand[slot] = p;
          n_cand = MIN (n_cand + 1, MAX (params->n_candidates, 1));
        }
    }
  if (n_cand == 0)
    {
      g_set_error (error, TM_REGISTRATION_ERROR, TM_REGISTRATION_ERROR_NO_OVERLAP,
                   "No rotation and translation within %g µm gives the surfaces enough "
                   "common area to correlate", params->max_shift_um);
      return FALSE;
    }

  /* 3. refine each candidate at the mid level, keep the best */
  for (int c = 0; c < n_cand; c++)
    {
      Pose p;

      if (check_cancel (cancellable, error))
        return FALSE;
      /* the true peak is within half a coarse step of a coarse sample, plus one mid
       * step of margin so the parabola has both neighbours */
      p = refine (ma, mb, cand[c], ca->pixel_um,
                  0.5 * params->coarse_step_deg + params->mid_step_deg,
                  params->mid_step_deg,
                  (int)ceil (1.5 * ca->pixel_um / ma->pixel_um) + 2,
                  params->min_overlap, TRUE);
      p.tx *= ma->pixel_um;  /* keep in µm between levels */
      p.ty *= ma->pixel_um;
      if (p.score > best.score)
        best = p;
    }

  /* 4. fine level, with interpolation */
  if (check_cancel (cancellable, error))
    return FALSE;
  /* the mid level's interpolated angle is already within a fraction of a degree: by
   * default the fine level only re-measures shift and ACCF at that angle */
  best = refine (fa, fb, best, 1.0, params->fine_range_deg, params->fine_step_deg,
                 (int)ceil (1.5 * ma->pixel_um / fa->pixel_um) + 2,
                 params->min_overlap, TRUE);

  out->angle_deg = wrap_angle (best.angle);
  out->dx_um = best.tx * fa->pixel_um;
  out->dy_um = best.ty * fa->pixel_um;
  out->accf = best.score;
  return TRUE;
}

gboolean
tm_register_surfaces (TmSurface                  *a,
                      TmSurface                  *b,
                      const TmRegistrationParams *params,
                      TmRegistration             *out,
                      GCancellable               *cancellable,
                      GError                    **error)
{
  g_autoptr(TmPyramid) pa = NULL;
  g_autoptr(TmPyramid) pb = NULL;

  g_return_val_if_fail (TM_IS_SURFACE (a) && TM_IS_SURFACE (b), FALSE);

  pa = tm_pyramid_new (a, params);
  pb = tm_pyramid_new (b, params);
  return tm_register_pyramids (pa, pb, params, out, cancellable, error);
}
