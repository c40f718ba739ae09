/* tm-preprocess-2d.c — 2D images (ring-light / reflectance intensities) to comparable surfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A 2D image of a breech face records light, not height: the marks appear through the
 * slopes they give the surface, multiplied by how the primer was lit. After Tai & Eddy
 * (2018), the pipeline removes what the lighting adds and keeps what the marks add:
 *
 *   region of interest → illumination levelling → radial trend → band-pass → resample
 *   → erode → zero mean, unit variance
 *
 * Region of interest: the primer is the strongest circular intensity edge about the
 * image centre (its boundary is a step or a dark gap in every ring-light image), and
 * the firing-pin impression the strongest circular edge inside it. The edge strength of
 * a circle is the |median| over 64 directions of the radial intensity difference across
 * it, so a circle counts only where most of its perimeter agrees; texture, whose
 * differences change sign from one direction to the next, scores near zero. An image
 * that already has invalid points (a transparent mask, a user-drawn mask) keeps them:
 * somebody chose that region.
 *
 * Illumination: a ring light or a lamp off the axis leaves a gradient that is
 * multiplicative (twice the light, twice the contrast of every mark), so the image is
 * divided by a heavily smoothed, NaN-aware background rather than having it
 * subtracted; the circular symmetry of a ring light leaves in addition a trend with the
 * radius, removed as the per-ring median. The band-pass is the 3D one
 * (tm_preprocess_bandpass: normalised convolution, same cutoffs), so a 2D surface
 * reaches the comparison engine in the same pass band as a 3D one, and the final
 * normalisation puts every image on one intensity scale whatever its exposure.
 */
#define G_LOG_DOMAIN "tm-preprocess-2d"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-png.h"
#include "tm-preprocess-2d.h"

/* ISO 16610-21 Gaussian: σ = λ·sqrt(ln 2 / (2π²)), as in tm-preprocess.c */
#define GAUSS_SIGMA_PER_CUTOFF 0.18739
#define N_ANGLES 64
/* Resolution at which the circles are searched: the primer is ~4 mm across, the
 * firing-pin impression ~1 mm, so 25 µm pixels place them to a few tens of µm. */
#define ROI_PIXEL_UM 25.0

/* ---- small helpers ---- */

static void
grid_into_surface (const TmGrid *grid,
                   TmSurface    *surface)
{
  memcpy (tm_surface_get_data (surface), grid->z, (gsize)grid->w * grid->h * sizeof (float));
  tm_surface_sync_mask (surface);
}

static TmSurface *
surface_from_grid (const TmGrid *grid,
                   TmSurface    *like,
                   double        pixel_um)
{
  TmSurface *out = tm_surface_new (grid->w, grid->h, pixel_um, pixel_um,
                                   tm_surface_get_modality (like));
  GHashTableIter iter;
  gpointer key, value;

  grid_into_surface (grid, out);
  g_hash_table_iter_init (&iter, tm_surface_get_meta_table (like));
  while (g_hash_table_iter_next (&iter, &key, &value))
    tm_surface_set_meta (out, key, value);
  return out;
}

static int
cmp_float (const void *a,
           const void *b)
{
  float x = *(const float *)a, y = *(const float *)b;

  return (x > y) - (x < y);
}

static float
median_in_place (float *v,
                 gsize  n)
{
  if (n == 0)
    return NAN;
  qsort (v, n, sizeof (float), cmp_float);
  return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

/* Robust spread (1.4826 × MAD) of the differences I(x + 3) − I(x) of the valid points of
 * @grid, optionally only inside the disc (cx, cy, r) when r > 0: the scale of what
 * texture alone gives the radial differences circle_score() takes the median of. Edges
 * are a minority of the differences and do not move it. */
static double
difference_sigma (const TmGrid *grid,
                  double        cx,
                  double        cy,
                  double        r)
{
  g_autofree float *v = g_new (float, (gsize)grid->w * grid->h);
  gsize n = 0;
  float med;

  for (int y = 0; y < grid->h; y++)
    for (int x = 0; x + 3 < grid->w; x++)
      {
        float a = grid->z[(gsize)y * grid->w + x], b = grid->z[(gsize)y * grid->w + x + 3];

        if (!isnan (a) && !isnan (b) && (r <= 0 || hypot (x - cx, y - cy) < r))
          v[n++] = b - a;
      }
  if (n < 2)
    return 0;
  med = median_in_place (v, n);
  for (gsize i = 0; i < n; i++)
    v[i] = fabsf (v[i] - med);
  return 1.4826 * median_in_place (v, n);
}

/* Bilinear sample; NaN outside the grid or next to an invalid point. */
static float
sample (const TmGrid *g,
        double        x,
        double        y)
{
  int x0 = (int)floor (x), y0 = (int)floor (y);
  double fx = x - x0, fy = y - y0;
  const float *p;

  if (x0 < 0 || y0 < 0 || x0 + 1 >= g->w || y0 + 1 >= g->h)
    return NAN;
  p = g->z + (gsize)y0 * g->w + x0;
  return (float)((1 - fy) * ((1 - fx) * p[0] + fx * p[1]) +
                 fy * ((1 - fx) * p[g->w] + fx * p[g->w + 1]));
}

/* ---- circles ---- */

typedef struct
{
  double cos_t[N_ANGLES];
  double sin_t[N_ANGLES];
  float  buf[N_ANGLES];
} CircleScratch;

/* |median| over the directions of I(r + 1.5) − I(r − 1.5) along the circle; 0 when
 * fewer than ¾ of the directions can be measured. */
static double
circle_score (const TmGrid  *g,
              CircleScratch *s,
              double         cx,
              double         cy,
              double         r)
{
  gsize n = 0;

  for (int k = 0; k < N_ANGLES; k++)
    {
      float a = sample (g, cx + (r + 1.5) * s->cos_t[k], cy + (r + 1.5) * s->sin_t[k]);
      float b = sample (g, cx + (r - 1.5) * s->cos_t[k], cy + (r - 1.5) * s->sin_t[k]);

      if (!isnan (a) && !isnan (b))
        s->buf[n++] = a - b;
    }
  if (n < N_ANGLES * 3 / 4)
    return 0;
  return fabs (median_in_place (s->buf, n));
}

/* The strongest circle with its centre within @max_offset of (cx0, cy0) and its radius
 * in [r_min, r_max] (grid pixels): a scan of centres every 2 px and radii every 1 px,
 * then a refinement at 0.5 px around the best. Returns its score. */
static double
find_circle (const TmGrid *g,
             double        cx0,
             double        cy0,
             double        max_offset,
             double        r_min,
             double        r_max,
             double       *out_cx,
             double       *out_cy,
             double       *out_r)
{
  CircleScratch s;
  double best = -1, bx = cx0, by = cy0, br = r_min;
  int m = (int)ceil (max_offset);

  for (int k = 0; k < N_ANGLES; k++)
    {
      s.cos_t[k] = cos (2 * G_PI * k / N_ANGLES);
      s.sin_t[k] = sin (2 * G_PI * k / N_ANGLES);
    }
  for (int dy = -m; dy <= m; dy += 2)
    for (int dx = -m; dx <= m; dx += 2)
      {
        if (hypot (dx, dy) > max_offset)
          continue;
        for (double r = r_min; r <= r_max; r += 1.0)
          {
            double v = circle_score (g, &s, cx0 + dx, cy0 + dy, r);

            if (v > best)
              {
                best = v;
                bx = cx0 + dx;
                by = cy0 + dy;
                br = r;
              }
          }
      }
  {
    double cx = bx, cy = by, cr = br;

    for (double dy = -2; dy <= 2; dy += 0.5)
      for (double dx = -2; dx <= 2; dx += 0.5)
        for (double dr = -1.5; dr <= 1.5; dr += 0.5)
          {
            double v = circle_score (g, &s, cx + dx, cy + dy, cr + dr);

            if (v > best)
              {
                best = v;
                bx = cx + dx;
                by = cy + dy;
                br = cr + dr;
              }
          }
  }
  *out_cx = bx;
  *out_cy = by;
  *out_r = br;
  return MAX (best, 0);
}

static gboolean
has_invalid (TmSurface *surface)
{
  return tm_surface_count_valid (surface) <
         (gsize)tm_surface_get_width (surface) * tm_surface_get_height (surface);
}

gboolean
tm_preprocess_2d_find_roi (TmSurface       *surface,
                           TmBreechFaceRoi *out_roi,
                           GError         **error)
{
  g_autoptr(TmGrid) full = NULL;
  g_autoptr(TmGrid) grid = NULL;
  g_autoptr(TmGrid) background = NULL;
  double px, factor, sx, sy, sigma, score, cx, cy, r;  /* sx, sy: valid centroid */
  gsize valid = 0;

  g_return_val_if_fail (TM_IS_SURFACE (surface), FALSE);
  g_return_val_if_fail (out_roi != NULL, FALSE);

  memset (out_roi, 0, sizeof *out_roi);
  px = tm_surface_get_pixel_um_x (surface);
  full = tm_grid_from_surface (surface);
  valid = tm_grid_valid_centroid (full, &sx, &sy);
  if (valid < 100)
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_EMPTY,
                   "Only %" G_GSIZE_FORMAT " valid pixels: too few to find the primer in the image",
                   valid);
      return FALSE;
    }
  /* Without a circle to go by, the valid region stands for the primer (as in 3D). */
  out_roi->primer_cx = sx;
  out_roi->primer_cy = sy;
  out_roi->primer_r = sqrt (valid / G_PI);
  if (has_invalid (surface))
    return TRUE;

  factor = MAX (1.0, ROI_PIXEL_UM / px);
  grid = factor > 1.0 ? tm_grid_resample (full, factor) : tm_grid_copy (full);
  factor = (double)full->w / grid->w;
  if (MIN (grid->w, grid->h) < 24)
    return TRUE;    /* too small an image to hold two circles we could tell apart */

  /* Flatten the lighting first, or one bright side would outvote the edge elsewhere;
   * then a light smoothing against pixel noise. */
  background = tm_grid_copy (grid);
  tm_grid_gaussian (background, 0.25 * MIN (grid->w, grid->h));
  for (gsize i = 0; i < (gsize)grid->w * grid->h; i++)
    grid->z[i] = background->z[i] > 0 ? grid->z[i] / background->z[i] : grid->z[i] - background->z[i];
  tm_grid_gaussian (grid, 1.0);

  /* The primer: a disc of 20–50 % of the image side about the centre. Over texture alone
   * the median of 64 differences has a spread near σ/6 (σ that of one difference), so
   * even the best of ~10⁴ circles stays below σ; 1.5 σ around most of a perimeter is a
   * boundary. */
  sigma = difference_sigma (grid, 0, 0, 0);
  score = find_circle (grid, (grid->w - 1) / 2.0, (grid->h - 1) / 2.0,
                       0.15 * MIN (grid->w, grid->h),
                       0.2 * MIN (grid->w, grid->h), 0.5 * MIN (grid->w, grid->h) - 2,
                       &cx, &cy, &r);
  g_debug ("primer circle (%.1f, %.1f) r %.1f px: edge %.3g = %.2f σ", cx, cy, r, score,
           sigma > 0 ? score / sigma : 0);
  if (!(sigma > 0 && score >= 1.5 * sigma))
    return TRUE;
  out_roi->primer_cx = (cx + 0.5) * factor - 0.5;
  out_roi->primer_cy = (cy + 0.5) * factor - 0.5;
  out_roi->primer_r = r * factor;

  /* The firing-pin impression: 10–60 % of the primer radius, near its centre; σ from the
   * primer's own texture, and 2 σ because a small circle has fewer independent
   * directions. */
  sigma = difference_sigma (grid, cx, cy, 0.9 * r);
  {
    double pcx, pcy, pr;

    score = find_circle (grid, cx, cy, 0.35 * r, MAX (3.0, 0.1 * r), 0.6 * r,
                         &pcx, &pcy, &pr);
    g_debug ("firing-pin circle (%.1f, %.1f) r %.1f px: edge %.3g = %.2f σ", pcx, pcy, pr,
             score, sigma > 0 ? score / sigma : 0);
    if (sigma > 0 && score >= 2.0 * sigma)
      {
        out_roi->has_firing_pin = TRUE;
        out_roi->pin_cx = (pcx + 0.5) * factor - 0.5;
        out_roi->pin_cy = (pcy + 0.5) * factor - 0.5;
        out_roi->pin_r = pr * factor;
      }
  }
  return TRUE;
}

/* ---- illumination and radial trend ---- */

static void
level_illumination_grid (TmGrid *grid,
                         double  sigma_px)
{
  g_autoptr(TmGrid) background = tm_grid_copy (grid);
  gsize n = (gsize)grid->w * grid->h;
  float lo = INFINITY, hi = -INFINITY;

  tm_grid_gaussian (background, sigma_px);
  for (gsize i = 0; i < n; i++)
    if (!isnan (background->z[i]))
      {
        lo = MIN (lo, background->z[i]);
        hi = MAX (hi, background->z[i]);
      }
  if (!(hi > -INFINITY))
    return;
  /* Dividing by a background near zero would blow noise up: intensities that are not
   * clearly positive (already signed data) are levelled by subtraction. */
  if (lo > 1e-3f * fabsf (hi) && lo > 0)
    for (gsize i = 0; i < n; i++)
      grid->z[i] = grid->z[i] / background->z[i] - 1.0f;
  else
    for (gsize i = 0; i < n; i++)
      grid->z[i] -= background->z[i];
}

void
tm_preprocess_2d_level_illumination (TmSurface *surface,
                                     double     background_um)
{
  g_autoptr(TmGrid) grid = NULL;

  g_return_if_fail (TM_IS_SURFACE (surface));
  g_return_if_fail (background_um > 0);

  grid = tm_grid_from_surface (surface);
  level_illumination_grid (grid, GAUSS_SIGMA_PER_CUTOFF * background_um /
                                 tm_surface_get_pixel_um_x (surface));
  grid_into_surface (grid, surface);
}

static void
remove_radial_trend_grid (TmGrid *grid,
                          double  cx,
                          double  cy)
{
  int n_rings = (int)ceil (hypot (MAX (cx, grid->w - 1 - cx), MAX (cy, grid->h - 1 - cy))) + 2;
  g_autofree guint *count = g_new0 (guint, n_rings);
  g_autofree guint *start = g_new0 (guint, n_rings + 1);
  g_autofree guint *fill = g_new0 (guint, n_rings);
  g_autofree float *values = NULL;
  g_autofree double *median = g_new (double, n_rings);
  g_autofree double *smooth = g_new (double, n_rings);

  /* bucket the valid points by ring, then take each ring's median */
  for (int y = 0; y < grid->h; y++)
    for (int x = 0; x < grid->w; x++)
      if (!isnan (grid->z[(gsize)y * grid->w + x]))
        count[(int)hypot (x - cx, y - cy)]++;
  for (int k = 0; k < n_rings; k++)
    start[k + 1] = start[k] + count[k];
  values = g_new (float, MAX (start[n_rings], 1));
  for (int y = 0; y < grid->h; y++)
    for (int x = 0; x < grid->w; x++)
      {
        float z = grid->z[(gsize)y * grid->w + x];
        int k;

        if (isnan (z))
          continue;
        k = (int)hypot (x - cx, y - cy);
        values[start[k] + fill[k]++] = z;
      }
  for (int k = 0; k < n_rings; k++)
    median[k] = count[k] > 0 ? median_in_place (values + start[k], count[k]) : NAN;

  /* Rings near the centre hold a handful of points: their medians are pooled with
   * their neighbours' (weighted by the points) until 32 points speak for the ring, so
   * they add no noise of their own; elsewhere a ring is left as it is, so a trend
   * that changes quickly with the radius is still followed. */
  for (int k = 0; k < n_rings; k++)
    {
      double s = 0, w = 0;

      for (int half = 0; half <= 8 && w < 32; half++)
        {
          s = w = 0;
          for (int j = MAX (0, k - half); j <= MIN (n_rings - 1, k + half); j++)
            if (count[j] > 0)
              {
                s += count[j] * median[j];
                w += count[j];
              }
        }
      smooth[k] = w > 0 ? s / w : 0;
    }
  for (int y = 0; y < grid->h; y++)
    for (int x = 0; x < grid->w; x++)
      {
        float *z = &grid->z[(gsize)y * grid->w + x];
        double r = hypot (x - cx, y - cy), f;
        int k;

        if (isnan (*z))
          continue;
        /* linear between ring centres (ring k spans [k, k + 1)) */
        f = r - 0.5;
        k = (int)floor (f);
        if (k < 0)
          *z -= (float)smooth[0];
        else if (k + 1 >= n_rings)
          *z -= (float)smooth[n_rings - 1];
        else
          *z -= (float)((1 - (f - k)) * smooth[k] + (f - k) * smooth[k + 1]);
      }
}

void
tm_preprocess_2d_remove_radial_trend (TmSurface *surface,
                                      double     cx,
                                      double     cy)
{
  g_autoptr(TmGrid) grid = NULL;

  g_return_if_fail (TM_IS_SURFACE (surface));

  grid = tm_grid_from_surface (surface);
  remove_radial_trend_grid (grid, cx, cy);
  grid_into_surface (grid, surface);
}

void
tm_preprocess_2d_normalize (TmSurface *surface)
{
  float *z;
  gsize n, count = 0;
  double s = 0, ss = 0, mean, sd;

  g_return_if_fail (TM_IS_SURFACE (surface));

  z = tm_surface_get_data (surface);
  n = (gsize)tm_surface_get_width (surface) * tm_surface_get_height (surface);
  for (gsize i = 0; i < n; i++)
    if (!isnan (z[i]))
      {
        s += z[i];
        count++;
      }
  if (count < 2)
    return;
  mean = s / count;
  for (gsize i = 0; i < n; i++)
    if (!isnan (z[i]))
      ss += (z[i] - mean) * (z[i] - mean);
  sd = sqrt (ss / (count - 1));
  for (gsize i = 0; i < n; i++)
    if (!isnan (z[i]))
      z[i] = sd > 0 ? (float)((z[i] - mean) / sd) : 0.0f;
}

gboolean
tm_preprocess_2d_apply_mask_png (TmSurface   *surface,
                                 GBytes      *png,
                                 const char  *display_name,
                                 GError     **error)
{
  g_autofree guint8 *rgba = NULL;
  g_autofree guint8 *keep = NULL;
  guint w = 0, h = 0;
  gsize n;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (TM_IS_SURFACE (surface), FALSE);
  g_return_val_if_fail (png != NULL, FALSE);

  data = g_bytes_get_data (png, &len);
  rgba = tm_png_decode_rgba (data, len, display_name, &w, &h, error);
  if (rgba == NULL)
    return FALSE;
  if (w != tm_surface_get_width (surface) || h != tm_surface_get_height (surface))
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_UNSUPPORTED,
                   "%s: the mask is %u × %u pixels but the image is %u × %u; draw the mask "
                   "on the image itself", display_name, w, h,
                   tm_surface_get_width (surface), tm_surface_get_height (surface));
      return FALSE;
    }
  n = (gsize)w * h;
  keep = g_new (guint8, n);
  for (gsize i = 0; i < n; i++)
    keep[i] = rgba[4 * i + 3] != 0 && (rgba[4 * i] | rgba[4 * i + 1] | rgba[4 * i + 2]) != 0;
  tm_surface_apply_mask (surface, keep);
  return TRUE;
}

/* ---- the pipeline ---- */

/* Band-pass, resample, erode and normalise a levelled region; NULL when too little is
 * left of it. */
static TmSurface *
finish_region (TmGrid                   *grid,
               TmSurface                *like,
               const TmPreprocessParams *params,
               double                    px)
{
  g_autoptr(TmSurface) native = surface_from_grid (grid, like, px);
  g_autoptr(TmSurface) out = NULL;
  double factor;

  tm_preprocess_bandpass (native, params->short_cutoff_um, params->long_cutoff_um);
  out = params->pixel_um > 0 ? tm_preprocess_resample (native, params->pixel_um)
                             : tm_surface_copy (native);
  factor = tm_surface_get_pixel_um_x (out);
  tm_preprocess_erode (out, (int)lround (params->erode_um / factor));
  if (tm_surface_count_valid (out) < 100)
    return NULL;
  tm_preprocess_2d_normalize (out);
  return g_steal_pointer (&out);
}

TmSurface *
tm_preprocess_2d_surface (TmSurface                *surface,
                          const TmPreprocessParams *params,
                          TmBreechFaceRoi          *out_roi,
                          TmSurface               **out_firing_pin,
                          GError                  **error)
{
  TmPreprocessParams defaults;
  TmBreechFaceRoi roi = { 0 };
  g_autoptr(TmGrid) grid = NULL;
  g_autoptr(TmGrid) pin = NULL;
  g_autoptr(TmSurface) out = NULL;
  double px, background_px, primer_keep;
  gboolean masked;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);

  if (params == NULL)
    {
      tm_preprocess_params_init (&defaults);
      params = &defaults;
    }
  if (out_firing_pin)
    *out_firing_pin = NULL;

  px = tm_surface_get_pixel_um_x (surface);
  if (!(px > 0) || fabs (tm_surface_get_pixel_um_y (surface) - px) > 1e-3 * px)
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_UNSUPPORTED,
                   "The image's pixels are not square (%g × %g µm): resample it first",
                   px, tm_surface_get_pixel_um_y (surface));
      return NULL;
    }

  masked = has_invalid (surface);
  if (params->mode == TM_PREPROCESS_LIGHT || masked)
    {
      /* keep the given region; its centroid is the centre of the radial trend */
      if (!tm_preprocess_2d_find_roi (surface, &roi, error))
        return NULL;
      roi.has_firing_pin = FALSE;
    }
  else if (!tm_preprocess_2d_find_roi (surface, &roi, error))
    return NULL;

  grid = tm_grid_from_surface (surface);
  /* The illumination background at twice the long cutoff: slow enough to leave the band
   * the comparison uses, fast enough to follow a lamp's falloff across the primer. */
  background_px = GAUSS_SIGMA_PER_CUTOFF * 2.0 * MAX (params->long_cutoff_um, 125.0) / px;

  /* Crop first so the background and the radial medians see only the breech face: the
   * cartridge head outside and the impression inside are lit quite differently. A
   * detected boundary is an edge, so a few pixels inside it go too. */
  primer_keep = roi.primer_r - (masked ? 0 : MAX (2.0, 25.0 / px));
  if (roi.has_firing_pin)
    pin = tm_grid_new (grid->w, grid->h);
  for (int y = 0; y < grid->h; y++)
    for (int x = 0; x < grid->w; x++)
      {
        gsize i = (gsize)y * grid->w + x;
        double rp = hypot (x - roi.primer_cx, y - roi.primer_cy);

        if (roi.has_firing_pin)
          {
            double rf = hypot (x - roi.pin_cx, y - roi.pin_cy);

            if (rf < roi.pin_r - MAX (2.0, 25.0 / px))
              pin->z[i] = grid->z[i];
            if (rf < roi.pin_r + params->firing_pin_margin_um / px)
              {
                grid->z[i] = NAN;
                continue;
              }
          }
        if (!masked && rp >= primer_keep)
          grid->z[i] = NAN;
      }
  if (tm_grid_count_valid (grid) < 100)
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_EMPTY,
                   "Fewer than 100 pixels of the image lie on the breech face");
      return NULL;
    }

  level_illumination_grid (grid, background_px);
  remove_radial_trend_grid (grid, roi.primer_cx, roi.primer_cy);
  out = finish_region (grid, surface, params, px);
  if (out == NULL)
    {
      g_set_error (error, TM_PREPROCESS_ERROR, TM_PREPROCESS_ERROR_EMPTY,
                   "Fewer than 100 valid points are left after preprocessing: the image "
                   "has no usable breech-face region");
      return NULL;
    }

  if (pin != NULL && out_firing_pin != NULL && tm_grid_count_valid (pin) >= 100)
    {
      level_illumination_grid (pin, background_px);
      remove_radial_trend_grid (pin, roi.pin_cx, roi.pin_cy);
      *out_firing_pin = finish_region (pin, surface, params, px);
    }
  if (out_roi)
    *out_roi = roi;
  return g_steal_pointer (&out);
}
