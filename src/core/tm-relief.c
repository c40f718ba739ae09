/* tm-relief.c — surfaces rendered to RGBA images: shaded relief, false colour, grey
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The compare view and the thumbnails draw surfaces through this one function, so a scan
 * looks the same everywhere. Everything happens on a (possibly downsampled) float grid:
 *
 *  - downsampling is an area average of the *valid* samples of each f × f block, so the
 *    NaN holes of a scan neither spread nor darken their borders;
 *  - levels are quantiles of the valid samples (a handful of spikes must not flatten the
 *    whole picture), estimated from at most 2^18 evenly strided samples;
 *  - normals come from central differences in micrometres (one-sided next to a hole,
 *    flat when both neighbours are missing), so the shading does not depend on the
 *    resolution the surface was downsampled to;
 *  - the false-colour map is built here in OKLab: lightness rises linearly, hue turns
 *    from blue-violet through teal and green to yellow, chroma is reduced where sRGB
 *    cannot show it. The lightness ramp is what keeps it readable in grey and for
 *    colour-blind readers.
 */
#define G_LOG_DOMAIN "tm-relief"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "tm-relief.h"

#define TM_RELIEF_QUANTILE_SAMPLES (1u << 18)
#define TM_RELIEF_AMBIENT 0.12

void
tm_relief_params_init (TmReliefParams *params)
{
  g_return_if_fail (params != NULL);

  params->mode = TM_RELIEF_SHADED;
  params->azimuth_deg = 315.0;
  params->elevation_deg = 35.0;
  params->low = 0.01;
  params->high = 0.99;
  params->exaggerate = FALSE;
}

/* ---- colour map ---------------------------------------------------------------- */

static double
linear_to_srgb (double c)
{
  if (c <= 0.0031308)
    return 12.92 * c;
  return 1.055 * pow (c, 1.0 / 2.4) - 0.055;
}

/* OKLab → linear sRGB; returns whether the colour is inside the sRGB gamut. */
static gboolean
oklab_to_linear_srgb (double L, double a, double b, double rgb[3])
{
  double l_ = L + 0.3963377774 * a + 0.2158037573 * b;
  double m_ = L - 0.1055613458 * a - 0.0638541728 * b;
  double s_ = L - 0.0894841775 * a - 1.2914855480 * b;
  double l = l_ * l_ * l_, m = m_ * m_ * m_, s = s_ * s_ * s_;

  rgb[0] = 4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s;
  rgb[1] = -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s;
  rgb[2] = -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s;

  for (guint i = 0; i < 3; i++)
    if (rgb[i] < -1e-6 || rgb[i] > 1.0 + 1e-6)
      return FALSE;
  return TRUE;
}

static guint8 colormap_lut[256][3];

static gpointer
build_colormap (gpointer data)
{
  for (guint i = 0; i < 256; i++)
    {
      double t = i / 255.0;
      double L = 0.27 + 0.69 * t;
      double hue = (285.0 - 185.0 * t) * G_PI / 180.0;
      double chroma = 0.12, lo = 0.0, hi = 0.12;
      double rgb[3];

      /* Largest chroma ≤ 0.12 that sRGB can show at this lightness and hue. */
      if (!oklab_to_linear_srgb (L, chroma * cos (hue), chroma * sin (hue), rgb))
        {
          for (guint iter = 0; iter < 30; iter++)
            {
              double mid = 0.5 * (lo + hi);
              if (oklab_to_linear_srgb (L, mid * cos (hue), mid * sin (hue), rgb))
                lo = mid;
              else
                hi = mid;
            }
          chroma = lo;
          oklab_to_linear_srgb (L, chroma * cos (hue), chroma * sin (hue), rgb);
        }
      for (guint c = 0; c < 3; c++)
        colormap_lut[i][c] = (guint8) CLAMP (lround (255.0 * linear_to_srgb (CLAMP (rgb[c], 0.0, 1.0))), 0, 255);
    }
  return NULL;
}

static void
ensure_colormap (void)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, build_colormap, NULL);
}

void
tm_relief_colormap (double  t,
                    guint8 *out_rgb)
{
  guint idx;

  ensure_colormap ();
  if (!(t >= 0.0))
    t = 0.0;
  if (t > 1.0)
    t = 1.0;
  idx = (guint) lround (t * 255.0);
  memcpy (out_rgb, colormap_lut[idx], 3);
}

/* ---- grid helpers -------------------------------------------------------------- */

/* Area average of the valid samples of each factor × factor block. */
static float *
downsample (const float *src, guint w, guint h, guint factor, guint *out_w, guint *out_h)
{
  guint ow = (w + factor - 1) / factor;
  guint oh = (h + factor - 1) / factor;
  float *dst = g_new (float, (gsize) ow * oh);

  for (guint oy = 0; oy < oh; oy++)
    for (guint ox = 0; ox < ow; ox++)
      {
        double sum = 0.0;
        guint n = 0;
        guint y1 = MIN (h, (oy + 1) * factor), x1 = MIN (w, (ox + 1) * factor);

        for (guint y = oy * factor; y < y1; y++)
          {
            const float *row = src + (gsize) y * w;
            for (guint x = ox * factor; x < x1; x++)
              if (!isnan (row[x]))
                {
                  sum += row[x];
                  n++;
                }
          }
        dst[(gsize) oy * ow + ox] = n > 0 ? (float) (sum / n) : NAN;
      }

  *out_w = ow;
  *out_h = oh;
  return dst;
}

static int
compare_floats (const void *a, const void *b)
{
  float fa = *(const float *) a, fb = *(const float *) b;
  return (fa > fb) - (fa < fb);
}

/* Quantiles q_low, q_high of the valid values (strided sample); FALSE if none is valid. */
static gboolean
quantiles (const float *v, gsize n, double q_low, double q_high, double *out_low, double *out_high)
{
  g_autofree float *sample = NULL;
  gsize stride = MAX ((gsize) 1, n / TM_RELIEF_QUANTILE_SAMPLES);
  gsize count = 0;

  sample = g_new (float, n / stride + 1);
  for (gsize i = 0; i < n; i += stride)
    if (!isnan (v[i]) && isfinite (v[i]))
      sample[count++] = v[i];

  /* A stride can step over every valid point of a sparse grid: look at them all then. */
  if (count == 0 && stride > 1)
    {
      g_free (sample);
      sample = g_new (float, n);
      for (gsize i = 0; i < n; i++)
        if (!isnan (v[i]) && isfinite (v[i]))
          sample[count++] = v[i];
    }
  if (count == 0)
    return FALSE;

  qsort (sample, count, sizeof (float), compare_floats);
  q_low = CLAMP (q_low, 0.0, 1.0);
  q_high = CLAMP (q_high, 0.0, 1.0);
  if (q_high < q_low)
    {
      double t = q_low;
      q_low = q_high;
      q_high = t;
    }
  *out_low = sample[(gsize) floor (q_low * (count - 1))];
  *out_high = sample[(gsize) ceil (q_high * (count - 1))];
  return TRUE;
}

/* Central difference along one axis, one-sided beside holes and edges, 0 when isolated.
 * @at is the sample, @prev / @next its neighbours or NULL outside the grid. */
static inline double
derivative (const float *prev, float at, const float *next, double spacing)
{
  gboolean has_prev = prev != NULL && !isnan (*prev);
  gboolean has_next = next != NULL && !isnan (*next);

  if (has_prev && has_next)
    return (*next - *prev) / (2.0 * spacing);
  if (has_next)
    return (*next - at) / spacing;
  if (has_prev)
    return (at - *prev) / spacing;
  return 0.0;
}

static void
gradient_at (const float *z, guint w, guint h, guint x, guint y,
             double px, double py, double *gx, double *gy)
{
  gsize i = (gsize) y * w + x;

  *gx = derivative (x > 0 ? &z[i - 1] : NULL, z[i], x + 1 < w ? &z[i + 1] : NULL, px);
  /* Rows grow downwards: gy is the slope towards the bottom of the image. */
  *gy = derivative (y > 0 ? &z[i - w] : NULL, z[i], y + 1 < h ? &z[i + w] : NULL, py);
}

/* Vertical exaggeration that draws the 90th percentile of the slopes at 45°. */
static double
exaggeration_factor (const float *z, guint w, guint h, double px, double py)
{
  gsize n = (gsize) w * h;
  gsize stride = MAX ((gsize) 1, n / TM_RELIEF_QUANTILE_SAMPLES);
  g_autofree float *slopes = g_new (float, n / stride + 1);
  gsize count = 0;
  double p90;

  for (gsize i = 0; i < n; i += stride)
    {
      double gx, gy;
      if (isnan (z[i]))
        continue;
      gradient_at (z, w, h, i % w, i / w, px, py, &gx, &gy);
      slopes[count++] = (float) hypot (gx, gy);
    }
  if (count == 0)
    return 1.0;
  qsort (slopes, count, sizeof (float), compare_floats);
  p90 = slopes[(gsize) (0.9 * (count - 1))];
  if (!(p90 > 1e-12))
    return 1.0;
  return 1.0 / p90;
}

/* ---- rendering ----------------------------------------------------------------- */

static void
render_levels (const float *z, gsize n, double low, double high, gboolean colour, guint8 *out)
{
  double span = high - low;
  double scale = span > 0.0 ? 1.0 / span : 0.0;

  ensure_colormap ();
  for (gsize i = 0; i < n; i++)
    {
      guint8 *px = out + 4 * i;
      double t;
      guint idx;

      if (isnan (z[i]))
        {
          px[0] = px[1] = px[2] = px[3] = 0;
          continue;
        }
      /* A constant surface sits in the middle of the scale, not at black. */
      t = span > 0.0 ? (z[i] - low) * scale : 0.5;
      t = CLAMP (t, 0.0, 1.0);
      idx = (guint) (t * 255.0 + 0.5);
      if (colour)
        memcpy (px, colormap_lut[idx], 3);
      else
        px[0] = px[1] = px[2] = (guint8) idx;
      px[3] = 255;
    }
}

static void
render_shaded (const float *z, guint w, guint h, double px, double py,
               const TmReliefParams *params, guint8 *out)
{
  double az = params->azimuth_deg * G_PI / 180.0;
  double el = CLAMP (params->elevation_deg, 0.0, 90.0) * G_PI / 180.0;
  /* Light direction in image coordinates (x right, y down, z up out of the surface):
   * azimuth 0° is the top of the image, 90° the right. */
  double lx = sin (az) * cos (el);
  double ly = -cos (az) * cos (el);
  double lz = sin (el);
  double k = params->exaggerate ? exaggeration_factor (z, w, h, px, py) : 1.0;

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        gsize i = (gsize) y * w + x;
        guint8 *o = out + 4 * i;
        double gx, gy, nx, ny, nz, norm, lambert, v;

        if (isnan (z[i]))
          {
            o[0] = o[1] = o[2] = o[3] = 0;
            continue;
          }
        gradient_at (z, w, h, x, y, px, py, &gx, &gy);
        /* Normal of z = f(x, y) is (-fx, -fy, 1). */
        nx = -k * gx;
        ny = -k * gy;
        nz = 1.0;
        norm = sqrt (nx * nx + ny * ny + nz * nz);
        lambert = (nx * lx + ny * ly + nz * lz) / norm;
        v = TM_RELIEF_AMBIENT + (1.0 - TM_RELIEF_AMBIENT) * MAX (lambert, 0.0);
        o[0] = o[1] = o[2] = (guint8) CLAMP (lround (255.0 * v), 0, 255);
        o[3] = 255;
      }
}

GBytes *
tm_relief_render (TmSurface            *surface,
                  const TmReliefParams *params,
                  guint                 max_size,
                  guint                *out_width,
                  guint                *out_height,
                  GError              **error)
{
  TmReliefParams defaults;
  const float *data;
  g_autofree float *scaled = NULL;
  const float *z;
  guint w, h, factor = 1;
  double px, py;
  guint8 *pixels;
  gsize n;
  TmReliefMode mode;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (params == NULL)
    {
      tm_relief_params_init (&defaults);
      params = &defaults;
    }

  w = tm_surface_get_width (surface);
  h = tm_surface_get_height (surface);
  data = tm_surface_peek_data (surface);
  if (w == 0 || h == 0 || data == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Cannot draw an empty surface (%u × %u samples)", w, h);
      return NULL;
    }

  if (max_size > 0 && MAX (w, h) > max_size)
    factor = (MAX (w, h) + max_size - 1) / max_size;

  px = tm_surface_get_pixel_um_x (surface);
  py = tm_surface_get_pixel_um_y (surface);
  if (!(px > 0.0) || !isfinite (px))
    px = 1.0;
  if (!(py > 0.0) || !isfinite (py))
    py = px;

  if (factor > 1)
    {
      scaled = downsample (data, w, h, factor, &w, &h);
      z = scaled;
      px *= factor;
      py *= factor;
    }
  else
    z = data;

  n = (gsize) w * h;
  pixels = g_malloc (n * 4);

  mode = params->mode;
  /* Shading a photograph's intensities would invent a relief that is not there. */
  if (mode == TM_RELIEF_SHADED && tm_surface_get_modality (surface) == TM_MODALITY_2D)
    mode = TM_RELIEF_GREY;

  if (mode == TM_RELIEF_SHADED)
    render_shaded (z, w, h, px, py, params, pixels);
  else
    {
      double low = 0.0, high = 0.0;

      if (!quantiles (z, n, params->low, params->high, &low, &high))
        low = high = 0.0; /* no valid point: render_levels makes it all transparent */
      render_levels (z, n, low, high, mode == TM_RELIEF_FALSE_COLOUR, pixels);
    }

  if (out_width != NULL)
    *out_width = w;
  if (out_height != NULL)
    *out_height = h;
  return g_bytes_new_take (pixels, n * 4);
}
