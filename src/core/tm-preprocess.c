/* tm-preprocess.c — levelling, NaN-aware band-pass, resampling and region of interest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pipeline every acquisition goes through once, at import:
 *
 *   region of interest → level → band-pass → resample → erode
 *
 * Region of interest: raw scans (TopMatch) show the firing-pin impression, tens of µm
 * deep, in the middle of the breech face; it is found on the levelled heights (a deep,
 * compact depression near the centre of the valid region) and cut out with a margin.
 * Already processed scans (Fadul, Weller: NaN outside the breech face) have no such
 * depression, so the same detector finds nothing and leaves their mask alone.
 *
 * Processed scans are levelled and band-passed again. Both steps are close to idempotent
 * on data that went through the same filter (a plane fit of a levelled surface is ~0, a
 * Gaussian band-pass of a band-passed surface changes little), and doing them on every
 * acquisition gives one pass band in the database whatever the source: a scan filtered at
 * 16–500 µm elsewhere is compared with our 16–250 µm ones on equal terms. The cost is a
 * few tens of milliseconds per scan at import.
 *
 * Invalid points: every filter is a normalised convolution (filter z·m and m, divide), so
 * a hole does not drag its neighbours to zero, and output is written only where the input
 * was valid. Eroding the edge afterwards removes the ring where the filter saw one side.
 */
#define G_LOG_DOMAIN "tm-preprocess"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "tm-preprocess.h"
#include "tm-preprocess-2d.h"

/* ISO 16610-21: the Gaussian weighting function with 50 % transmission at the cutoff
 * wavelength λ has σ = λ·sqrt(ln 2 / (2π²)). */
#define GAUSS_SIGMA_PER_CUTOFF 0.18739

G_DEFINE_QUARK (tm-preprocess-error-quark, tm_preprocess_error)

void
tm_preprocess_params_init (TmPreprocessParams *params)
{
  g_return_if_fail (params != NULL);

  params->mode = TM_PREPROCESS_AUTO;
  params->pixel_um = 6.25;
  params->short_cutoff_um = 16.0;
  params->long_cutoff_um = 250.0;
  params->level_order = 1;
  params->erode_um = 12.5;
  params->firing_pin_margin_um = 60.0;
}

/* ---- grids ---- */

TmGrid *
tm_grid_new (int w,
             int h)
{
  TmGrid *grid;

  g_return_val_if_fail (w > 0 && h > 0, NULL);

  grid = g_new0 (TmGrid, 1);
  grid->w = w;
  grid->h = h;
  grid->z = g_new (float, (gsize)w * h);
  for (gsize i = 0; i < (gsize)w * h; i++)
    grid->z[i] = NAN;
  return grid;
}

void
tm_grid_free (TmGrid *grid)
{
  if (grid == NULL)
    return;
  g_free (grid->z);
  g_free (grid);
}

TmGrid *
tm_grid_copy (const TmGrid *grid)
{
  TmGrid *copy = tm_grid_new (grid->w, grid->h);

  memcpy (copy->z, grid->z, (gsize)grid->w * grid->h * sizeof (float));
  return copy;
}

TmGrid *
tm_grid_from_surface (TmSurface *surface)
{
  TmGrid *grid;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);

  grid = tm_grid_new (tm_surface_get_width (surface), tm_surface_get_height (surface));
  memcpy (grid->z, tm_surface_peek_data (surface),
          (gsize)grid->w * grid->h * sizeof (float));
  return grid;
}

static TmSurface *
grid_to_surface (const TmGrid *grid,
                 TmSurface    *like,
                 double        pixel_um)
{
  TmSurface *out = tm_surface_new (grid->w, grid->h, pixel_um, pixel_um,
                                   tm_surface_get_modality (like));
  GHashTableIter iter;
  gpointer key, value;

  memcpy (tm_surface_get_data (out), grid->z, (gsize)grid->w * grid->h * sizeof (float));
  tm_surface_sync_mask (out);
  g_hash_table_iter_init (&iter, tm_surface_get_meta_table (like));
  while (g_hash_table_iter_next (&iter, &key, &value))
    tm_surface_set_meta (out, key, value);
  return out;
}

gsize
tm_grid_count_valid (const TmGrid *grid)
{
  gsize n = 0;

  for (gsize i = 0; i < (gsize)grid->w * grid->h; i++)
    n += !isnan (grid->z[i]);
  return n;
}

/**
 * tm_grid_valid_centroid:
 *
 * The number of valid points and, when there is any, their centroid in grid pixels.
 * Both region-of-interest finders (3D and 2D) start from it: the valid region stands for
 * the primer face when nothing better is known.
 */
gsize
tm_grid_valid_centroid (const TmGrid *grid,
                        double       *out_cx,
                        double       *out_cy)
{
  double sx = 0, sy = 0;
  gsize valid = 0;

  for (int y = 0; y < grid->h; y++)
    for (int x = 0; x < grid->w; x++)
      if (!isnan (grid->z[(gsize)y * grid->w + x]))
        {
          sx += x;
          sy += y;
          valid++;
        }
  *out_cx = valid > 0 ? sx / valid : 0.0;
  *out_cy = valid > 0 ? sy / valid : 0.0;
  return valid;
}

/* Area weights of a 1D resample by @factor: output i covers input [i·f, (i+1)·f). */
typedef struct
{
  int    first;
  int    count;
  float  w[64];
} AreaTap;

static AreaTap *
area_taps (int    n_in,
           int    n_out,
           double factor)
{
  AreaTap *taps = g_new0 (AreaTap, n_out);

  for (int i = 0; i < n_out; i++)
    {
      double a = i * factor, b = (i + 1) * factor;
      int j0 = (int)floor (a), j1 = (int)ceil (b) - 1;

      j0 = CLAMP (j0, 0, n_in - 1);
      j1 = CLAMP (j1, 0, n_in - 1);
      j1 = MIN (j1, j0 + 63);
      taps[i].first = j0;
      taps[i].count = j1 - j0 + 1;
      for (int j = j0; j <= j1; j++)
        {
          double lo = MAX (a, (double)j), hi = MIN (b, (double)j + 1);

          taps[i].w[j - j0] = (float)MAX (hi - lo, 0.0);
        }
    }
  return taps;
}

TmGrid *
tm_grid_resample (const TmGrid *grid,
                  double        factor)
{
  int ow, oh;
  g_autofree AreaTap *tx = NULL;
  g_autofree AreaTap *ty = NULL;
  g_autofree float *rz = NULL;
  g_autofree float *rm = NULL;
  TmGrid *out;

  g_return_val_if_fail (grid != NULL && factor > 0, NULL);

  ow = MAX (1, (int)lround (grid->w / factor));
  oh = MAX (1, (int)lround (grid->h / factor));
  tx = area_taps (grid->w, ow, factor);
  ty = area_taps (grid->h, oh, factor);

  /* rows first: (z·m, m) summed along x */
  rz = g_new (float, (gsize)ow * grid->h);
  rm = g_new (float, (gsize)ow * grid->h);
  for (int y = 0; y < grid->h; y++)
    {
      const float *row = grid->z + (gsize)y * grid->w;

      for (int i = 0; i < ow; i++)
        {
          float sz = 0, sm = 0;

          for (int k = 0; k < tx[i].count; k++)
            {
              float v = row[tx[i].first + k];

              if (!isnan (v))
                {
                  sz += tx[i].w[k] * v;
                  sm += tx[i].w[k];
                }
            }
          rz[(gsize)y * ow + i] = sz;
          rm[(gsize)y * ow + i] = sm;
        }
    }

  out = tm_grid_new (ow, oh);
  for (int j = 0; j < oh; j++)
    {
      float area = 0;

      for (int k = 0; k < ty[j].count; k++)
        area += ty[j].w[k];
      for (int i = 0; i < ow; i++)
        {
          float sz = 0, sm = 0, full = 0;

          for (int k = 0; k < ty[j].count; k++)
            {
              gsize idx = (gsize)(ty[j].first + k) * ow + i;

              sz += ty[j].w[k] * rz[idx];
              sm += ty[j].w[k] * rm[idx];
            }
          for (int k = 0; k < tx[i].count; k++)
            full += tx[i].w[k];
          full *= area;
          if (sm > 0 && sm >= 0.5f * full)
            out->z[(gsize)j * ow + i] = sz / sm;
        }
    }
  return out;
}

static float *
gaussian_kernel (double sigma,
                 int   *out_radius)
{
  int r = MAX (1, (int)ceil (3.0 * sigma));
  float *k = g_new (float, 2 * r + 1);

  for (int i = -r; i <= r; i++)
    k[i + r] = (float)exp (-0.5 * (i / sigma) * (i / sigma));
  *out_radius = r;
  return k;
}

/* Separable convolution of a w×h array in place (zero outside the array). */
static void
convolve_separable (float       *a,
                    int          w,
                    int          h,
                    const float *k,
                    int          r,
                    float       *tmp)
{
  for (int y = 0; y < h; y++)
    {
      const float *row = a + (gsize)y * w;
      float *dst = tmp + (gsize)y * w;

      for (int x = 0; x < w; x++)
        {
          int lo = MAX (-r, -x), hi = MIN (r, w - 1 - x);
          float s = 0;

          for (int i = lo; i <= hi; i++)
            s += k[i + r] * row[x + i];
          dst[x] = s;
        }
    }
  /* columns: accumulate whole rows for cache-friendly access */
  memset (a, 0, (gsize)w * h * sizeof (float));
  for (int y = 0; y < h; y++)
    {
      float *dst = a + (gsize)y * w;
      int lo = MAX (-r, -y), hi = MIN (r, h - 1 - y);

      for (int i = lo; i <= hi; i++)
        {
          const float *src = tmp + (gsize)(y + i) * w;
          float kk = k[i + r];

          for (int x = 0; x < w; x++)
            dst[x] += kk * src[x];
        }
    }
}

/* Low-pass by normalised convolution into @out (NaN where @grid is NaN). */
static void
gaussian_lowpass (const TmGrid *grid,
                  double        sigma_px,
                  float        *out)
{
  gsize n = (gsize)grid->w * grid->h;
  g_autofree float *zm = g_new (float, n);
  g_autofree float *m = g_new (float, n);
  g_autofree float *tmp = g_new (float, n);
  g_autofree float *k = NULL;
  int r;

  for (gsize i = 0; i < n; i++)
    {
      gboolean valid = !isnan (grid->z[i]);

      zm[i] = valid ? grid->z[i] : 0.0f;
      m[i] = valid ? 1.0f : 0.0f;
    }
  k = gaussian_kernel (sigma_px, &r);
  convolve_separable (zm, grid->w, grid->h, k, r, tmp);
  convolve_separable (m, grid->w, grid->h, k, r, tmp);
  for (gsize i = 0; i < n; i++)
    out[i] = (isnan (grid->z[i]) || m[i] <= 1e-6f) ? NAN : zm[i] / m[i];
}

void
tm_grid_gaussian (TmGrid *grid,
                  double  sigma_px)
{
  g_autofree float *out = NULL;

  g_return_if_fail (grid != NULL);
  if (sigma_px <= 0)
    return;
  out = g_new (float, (gsize)grid->w * grid->h);
  gaussian_lowpass (grid, sigma_px, out);
  memcpy (grid->z, out, (gsize)grid->w * grid->h * sizeof (float));
}

/* ---- steps on surfaces ---- */

/* Least-squares fit of z over the valid points with the terms 1, x, y (and x², xy, y²
 * for order 2), coordinates scaled to [-1, 1] for conditioning; points whose residual
 * exceeds @clip (if > 0) are left out. Returns FALSE when the system is singular. */
static gboolean
fit_polynomial (const TmGrid *grid,
                int           order,
                const double *prev,
                double        clip,
                double       *coef)
{
  int nt = order >= 2 ? 6 : 3;
  double ata[36] = { 0 }, atb[6] = { 0 };
  double sx = 2.0 / MAX (grid->w - 1, 1), sy = 2.0 / MAX (grid->h - 1, 1);
  gsize used = 0;
  gsl_matrix_view m;
  gsl_vector_view b;
  gsl_vector *x;
  gsl_permutation *p;
  int signum;
  gboolean ok;

  for (int j = 0; j < grid->h; j++)
    for (int i = 0; i < grid->w; i++)
      {
        double z = grid->z[(gsize)j * grid->w + i], t[6];
        double u = i * sx - 1, v = j * sy - 1;

        if (isnan (z))
          continue;
        t[0] = 1; t[1] = u; t[2] = v; t[3] = u * u; t[4] = u * v; t[5] = v * v;
        if (prev != NULL && clip > 0)
          {
            double f = 0;

            for (int a = 0; a < nt; a++)
              f += prev[a] * t[a];
            if (fabs (z - f) > clip)
              continue;
          }
        for (int a = 0; a < nt; a++)
          {
            atb[a] += t[a] * z;
            for (int c = 0; c < nt; c++)
              ata[a * nt + c] += t[a] * t[c];
          }
        used++;
      }
  if (used < (gsize)nt * 3)
    return FALSE;

  m = gsl_matrix_view_array (ata, nt, nt);
  b = gsl_vector_view_array (atb, nt);
  x = gsl_vector_alloc (nt);
  p = gsl_permutation_alloc (nt);
  ok = gsl_linalg_LU_decomp (&m.matrix, p, &signum) == 0 &&
       fabs (gsl_linalg_LU_det (&m.matrix, signum)) > 1e-300 &&
       gsl_linalg_LU_solve (&m.matrix, p, &b.vector, x) == 0;
  for (int a = 0; a < 6; a++)
    coef[a] = (ok && a < nt) ? gsl_vector_get (x, a) : 0.0;
  gsl_vector_free (x);
  gsl_permutation_free (p);
  return ok;
}

static void
subtract_polynomial (TmGrid       *grid,
                     const double *coef)
{
  double sx = 2.0 / MAX (grid->w - 1, 1), sy = 2.0 / MAX (grid->h - 1, 1);

  for (int j = 0; j < grid->h; j++)
    for (int i = 0; i < grid->w; i++)
      {
        float *z = &grid->z[(gsize)j * grid->w + i];
        double u = i * sx - 1, v = j * sy - 1;

        if (!isnan (*z))
          *z -= (float)(coef[0] + coef[1] * u + coef[2] * v + coef[3] * u * u +
                        coef[4] * u * v + coef[5] * v * v);
      }
}

static int
cmp_float (const void *a,
           const void *b)
{
  float x = *(const float *)a, y = *(const float *)b;

  return (x > y) - (x < y);
}

/* Median absolute value of the valid points (a robust spread of a levelled surface). */
static double
median_abs (const TmGrid *grid)
{
  gsize n = 0, total = (gsize)grid->w * grid->h, step;
  g_autofree float *v = NULL;
  double med;

  step = MAX (1, total / 200000);
  v = g_new (float, total / step + 1);
  for (gsize i = 0; i < total; i += step)
    if (!isnan (grid->z[i]))
      v[n++] = fabsf (grid->z[i]);
  if (n == 0)
    return 0;
  qsort (v, n, sizeof (float), cmp_float);
  med = v[n / 2];
  return med;
}

/* Robust levelling of a grid in place: fit, then refit without points beyond 3 σ
 * (σ from the median absolute residual), so the firing-pin impression or a burr does
 * not tilt the plane. */
static gboolean
level_grid (TmGrid *grid,
            int     order)
{
  double coef[6], coef2[6], sigma;
  g_autoptr(TmGrid) resid = NULL;

  if (!fit_polynomial (grid, order, NULL, 0, coef))
    return FALSE;
  resid = tm_grid_copy (grid);
  subtract_polynomial (resid, coef);
  sigma = 1.4826 * median_abs (resid);
  if (sigma > 0 && fit_polynomial (grid, order, coef, 3 * sigma, coef2))
    memcpy (coef, coef2, sizeof coef);
  subtract_polynomial (grid, coef);
  return TRUE;
}

static void
grid_into_surface (const TmGrid *grid,
                   TmSurface    *surface)
{
  memcpy (tm_surface_get_data (surface), grid->z, (gsize)grid->w * grid->h * sizeof (float));
  tm_surface_sync_mask (surface);
}

gboolean
tm_preprocess_level (TmSurface  *surface,
                     int         order,
                     GError    **error)
{
  g_autoptr(TmGrid) grid = NULL;

  g_return_val_if_fail (TM_IS_SURFACE (surface), FALSE);

  grid = tm_grid_from_surface (surface);
  if (!level_grid (grid, CLAMP (order, 1, 2)))
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_EMPTY,
                   "Too few valid points to level the surface (%" G_GSIZE_FORMAT " of %u×%u)",
                   tm_grid_count_valid (grid), grid->w, grid->h);
      return FALSE;
    }
  grid_into_surface (grid, surface);
  return TRUE;
}

static void
bandpass_grid (TmGrid *grid,
               double  pixel_um,
               double  short_cutoff_um,
               double  long_cutoff_um)
{
  gsize n = (gsize)grid->w * grid->h;

  if (short_cutoff_um > 0)
    tm_grid_gaussian (grid, GAUSS_SIGMA_PER_CUTOFF * short_cutoff_um / pixel_um);
  if (long_cutoff_um > 0)
    {
      g_autofree float *low = g_new (float, n);

      gaussian_lowpass (grid, GAUSS_SIGMA_PER_CUTOFF * long_cutoff_um / pixel_um, low);
      for (gsize i = 0; i < n; i++)
        grid->z[i] -= low[i];
    }
}

void
tm_preprocess_bandpass (TmSurface *surface,
                        double     short_cutoff_um,
                        double     long_cutoff_um)
{
  g_autoptr(TmGrid) grid = NULL;

  g_return_if_fail (TM_IS_SURFACE (surface));

  grid = tm_grid_from_surface (surface);
  bandpass_grid (grid, tm_surface_get_pixel_um_x (surface), short_cutoff_um, long_cutoff_um);
  grid_into_surface (grid, surface);
}

TmSurface *
tm_preprocess_resample (TmSurface *surface,
                        double     pixel_um)
{
  g_autoptr(TmGrid) grid = NULL;
  g_autoptr(TmGrid) out = NULL;
  double factor;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);
  g_return_val_if_fail (pixel_um > 0, NULL);

  grid = tm_grid_from_surface (surface);
  factor = pixel_um / tm_surface_get_pixel_um_x (surface);
  if (fabs (factor - 1.0) < 1e-6)
    return tm_surface_copy (surface);
  out = tm_grid_resample (grid, factor);
  return grid_to_surface (out, surface, pixel_um);
}

static void
erode_grid (TmGrid *grid,
            int     radius)
{
  gsize n = (gsize)grid->w * grid->h;
  g_autofree guint8 *valid = g_new (guint8, n);

  /* alternating 4- and 8-neighbour steps approximate a disc */
  for (int step = 0; step < radius; step++)
    {
      gboolean diag = step % 2 == 1;

      for (gsize i = 0; i < n; i++)
        valid[i] = !isnan (grid->z[i]);
      for (int y = 0; y < grid->h; y++)
        for (int x = 0; x < grid->w; x++)
          {
            gsize i = (gsize)y * grid->w + x;
            gboolean keep = valid[i];

            if (!keep)
              continue;
            for (int dy = -1; dy <= 1 && keep; dy++)
              for (int dx = -1; dx <= 1 && keep; dx++)
                {
                  int xx = x + dx, yy = y + dy;

                  if ((dx == 0 && dy == 0) || (!diag && dx != 0 && dy != 0))
                    continue;
                  if (xx < 0 || yy < 0 || xx >= grid->w || yy >= grid->h ||
                      !valid[(gsize)yy * grid->w + xx])
                    keep = FALSE;
                }
            if (!keep)
              grid->z[i] = NAN;
          }
    }
}

void
tm_preprocess_erode (TmSurface *surface,
                     int        radius_px)
{
  g_autoptr(TmGrid) grid = NULL;

  g_return_if_fail (TM_IS_SURFACE (surface));

  grid = tm_grid_from_surface (surface);
  erode_grid (grid, radius_px);
  grid_into_surface (grid, surface);
}

/* ---- region of interest on raw scans ---- */

/* Labels the 4-connected components of @on and returns the one with the largest area
 * whose centroid lies within @max_dist of (cx, cy); fills its centroid and area. */
static gboolean
largest_central_component (const guint8 *on,
                           int           w,
                           int           h,
                           double        cx,
                           double        cy,
                           double        max_dist,
                           double       *out_x,
                           double       *out_y,
                           gsize        *out_area)
{
  gsize n = (gsize)w * h;
  g_autofree int *label = g_new0 (int, n);
  g_autofree gsize *stack = g_new (gsize, n);
  gboolean found = FALSE;
  int next = 0;

  *out_area = 0;
  for (gsize seed = 0; seed < n; seed++)
    {
      gsize top = 0, area = 0;
      double sx = 0, sy = 0;

      if (!on[seed] || label[seed])
        continue;
      label[seed] = ++next;
      stack[top++] = seed;
      while (top > 0)
        {
          gsize i = stack[--top];
          int x = i % w, y = i / w;
          static const int nb[4][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } };

          area++;
          sx += x;
          sy += y;
          for (int k = 0; k < 4; k++)
            {
              int xx = x + nb[k][0], yy = y + nb[k][1];
              gsize j;

              if (xx < 0 || yy < 0 || xx >= w || yy >= h)
                continue;
              j = (gsize)yy * w + xx;
              if (on[j] && !label[j])
                {
                  label[j] = next;
                  stack[top++] = j;
                }
            }
        }
      sx /= area;
      sy /= area;
      if (hypot (sx - cx, sy - cy) <= max_dist && area > *out_area)
        {
          *out_area = area;
          *out_x = sx;
          *out_y = sy;
          found = TRUE;
        }
    }
  return found;
}

gboolean
tm_preprocess_find_roi (TmSurface       *surface,
                        TmBreechFaceRoi *out_roi,
                        GError         **error)
{
  g_autoptr(TmGrid) full = NULL;
  g_autoptr(TmGrid) grid = NULL;
  g_autofree guint8 *deep = NULL;
  double px, factor, sx, sy, sigma, threshold, fx = 0, fy = 0;  /* sx, sy: valid centroid */
  gsize n, valid = 0, area;

  g_return_val_if_fail (TM_IS_SURFACE (surface), FALSE);
  g_return_val_if_fail (out_roi != NULL, FALSE);

  memset (out_roi, 0, sizeof *out_roi);
  px = tm_surface_get_pixel_um_x (surface);
  full = tm_grid_from_surface (surface);
  /* the impression is hundreds of µm across: 25 µm pixels are plenty to find it */
  factor = MAX (1.0, 25.0 / px);
  grid = factor > 1.0 ? tm_grid_resample (full, factor) : tm_grid_copy (full);
  factor = (double)full->w / grid->w;
  n = (gsize)grid->w * grid->h;

  valid = tm_grid_valid_centroid (grid, &sx, &sy);
  if (valid < 100)
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_EMPTY,
                   "Only %" G_GSIZE_FORMAT " valid points: too few to find the breech face",
                   valid);
      return FALSE;
    }
  /* The valid region (the instrument's or the mask.png region of interest) is the primer
   * face; its centroid and equivalent radius locate it well enough for what follows. */
  out_roi->primer_cx = (sx + 0.5) * factor - 0.5;
  out_roi->primer_cy = (sy + 0.5) * factor - 0.5;
  out_roi->primer_r = sqrt (valid / G_PI) * factor;

  if (!level_grid (grid, 1))
    return TRUE;
  tm_grid_gaussian (grid, 50.0 / (px * factor));
  sigma = 1.4826 * median_abs (grid);
  /* A firing-pin impression is 50–200 µm deep; breech-face relief after levelling is a
   * few µm. Requiring both 6 σ and 20 µm keeps curved but intact faces untouched. */
  threshold = -MAX (6.0 * sigma, 20.0);
  deep = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    deep[i] = !isnan (grid->z[i]) && grid->z[i] < threshold;
  if (largest_central_component (deep, grid->w, grid->h, sx, sy,
                                 0.5 * sqrt (valid / G_PI), &fx, &fy, &area) &&
      area >= MAX (valid / 100, 10))
    {
      out_roi->has_firing_pin = TRUE;
      out_roi->pin_cx = (fx + 0.5) * factor - 0.5;
      out_roi->pin_cy = (fy + 0.5) * factor - 0.5;
      out_roi->pin_r = sqrt (area / G_PI) * factor;
    }
  return TRUE;
}

TmSurface *
tm_preprocess_surface (TmSurface                *surface,
                       const TmPreprocessParams *params,
                       TmBreechFaceRoi          *out_roi,
                       TmSurface               **out_firing_pin,
                       GError                  **error)
{
  TmPreprocessParams defaults;
  TmBreechFaceRoi roi = { 0 };
  g_autoptr(TmGrid) grid = NULL;
  g_autoptr(TmGrid) small = NULL;
  g_autoptr(TmSurface) tmp = NULL;
  double px, factor;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);

  if (params == NULL)
    {
      tm_preprocess_params_init (&defaults);
      params = &defaults;
    }
  if (out_firing_pin)
    *out_firing_pin = NULL;
  /* intensities, not heights: illumination and radial trend first (tm-preprocess-2d.c) */
  if (tm_surface_get_modality (surface) == TM_MODALITY_2D)
    return tm_preprocess_2d_surface (surface, params, out_roi, out_firing_pin, error);

  px = tm_surface_get_pixel_um_x (surface);
  if (!(px > 0) || fabs (tm_surface_get_pixel_um_y (surface) - px) > 1e-3 * px)
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_UNSUPPORTED,
                   "The scan's pixels are not square (%g × %g µm): resample it first",
                   px, tm_surface_get_pixel_um_y (surface));
      return NULL;
    }
  grid = tm_grid_from_surface (surface);

  if (params->mode != TM_PREPROCESS_LIGHT)
    {
      if (!tm_preprocess_find_roi (surface, &roi, error))
        return NULL;
      if (roi.has_firing_pin)
        {
          double cut = roi.pin_r + params->firing_pin_margin_um / px;
          g_autoptr(TmGrid) pin = tm_grid_new (grid->w, grid->h);

          for (int y = 0; y < grid->h; y++)
            for (int x = 0; x < grid->w; x++)
              {
                gsize i = (gsize)y * grid->w + x;

                if (hypot (x - roi.pin_cx, y - roi.pin_cy) < cut)
                  {
                    pin->z[i] = grid->z[i];
                    grid->z[i] = NAN;
                  }
              }
          if (out_firing_pin && tm_grid_count_valid (pin) > 0)
            {
              level_grid (pin, 1);
              *out_firing_pin = grid_to_surface (pin, surface, px);
            }
        }
    }

  if (!level_grid (grid, CLAMP (params->level_order, 1, 2)))
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_EMPTY,
                   "Too few valid points to level the breech face (%" G_GSIZE_FORMAT
                   " of %d×%d)", tm_grid_count_valid (grid), grid->w, grid->h);
      return NULL;
    }
  bandpass_grid (grid, px, params->short_cutoff_um, params->long_cutoff_um);
  factor = params->pixel_um > 0 ? params->pixel_um / px : 1.0;
  if (fabs (factor - 1.0) > 1e-6)
    small = tm_grid_resample (grid, factor);
  else
    small = g_steal_pointer (&grid);
  erode_grid (small, (int)lround (params->erode_um / (px * factor)));
  if (tm_grid_count_valid (small) < 100)
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_EMPTY,
                   "Fewer than 100 valid points are left after preprocessing: the scan "
                   "has no usable breech-face region");
      return NULL;
    }
  if (out_roi)
    *out_roi = roi;
  return grid_to_surface (small, surface, px * factor);
}
