/* tm-signature.c — compact rotation- and translation-invariant pre-score descriptors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pre-score stage must rank every candidate of a search (10⁴–10⁶) in well under a
 * second, at an unknown orientation. A dot product of short vectors does that, so the
 * descriptor must be invariant by construction:
 *
 *  1. the preprocessed surface is averaged down to 12.5 µm, its mean removed and its
 *     invalid points set to zero, and its 2D power spectrum |F|² taken: the power
 *     spectrum does not change when the scan is shifted;
 *  2. the spectrum is integrated over polar cells: log-spaced rings between the long
 *     and short wavelengths the band-pass keeps, times angular sectors over [0, π)
 *     (the spectrum of a real surface is point-symmetric). Integrating over cells, not
 *     sampling points, is what keeps step 3 stable: a periodogram fluctuates from bin to
 *     bin, and point samples would alias when the scan rotates;
 *  3. on each ring the log power around the circle is a periodic function of the angle,
 *     and a rotation of the scan only shifts it: the magnitudes of its angular Fourier
 *     coefficients (harmonics) are rotation-invariant. So is the product of harmonic k
 *     on one ring with the conjugate of harmonic k on the next ring: both turn by the
 *     same phase, so their relative phase (how the anisotropy of neighbouring scales is
 *     aligned) survives — information the magnitudes alone discard;
 *  4. the features are weighted and the vector L2-normalised.
 *
 * A rotation by an angle that is not a multiple of the sector width moves power between
 * neighbouring sectors; the harmonics kept are low enough (k ≤ N_HARMONICS − 1, with 32
 * sectors) that this only blurs them slightly.
 */
#define G_LOG_DOMAIN "tm-signature"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-fft.h"
#include "tm-preprocess.h"
#include "tm-signature.h"

G_DEFINE_QUARK (tm-signature-error-quark, tm_signature_error)

#define WORK_PIXEL_UM    12.5

/* Spectral part */
#define LONG_UM          250.0
#define SHORT_UM         32.0
#define N_RINGS          16
#define N_SECTORS        32
#define N_HARMONICS      7    /* k = 0 … 6 */
#define N_SPECTRAL       (N_RINGS * N_HARMONICS)

/* Polar part: rings around the firing-pin hole */
#define P_RINGS          TM_SIGNATURE_P_RINGS
#define P_HARMONICS      TM_SIGNATURE_P_HARMONICS
#define P_FIRST_UM       30.0    /* first ring outside the hole's edge */
#define P_STEP_UM        50.0
#define P_SAMPLES        256
#define P_SMOOTH_UM      20.0
#define N_POLAR          (2 * P_RINGS * P_HARMONICS)

G_STATIC_ASSERT (N_SPECTRAL + N_POLAR == TM_SIGNATURE_DIM);

#define MIN_VALID_POINTS 400
#define MIN_HOLE_PX      12

static double w_spectral = 0.5;
static double w_polar = 0.5;

typedef struct
{
  double re, im;
} Complex;

static void
normalise (float *v,
           int    n)
{
  double norm = 0;

  for (int i = 0; i < n; i++)
    norm += (double)v[i] * v[i];
  norm = sqrt (norm);
  if (norm > 0)
    for (int i = 0; i < n; i++)
      v[i] = (float)(v[i] / norm);
}

/* The centre the polar part is sampled around: the firing-pin hole (the largest region
 * of invalid points that does not touch the scan's edge), which moves with the marks
 * of the breech face when the cartridge sits differently; without a hole, the centroid
 * of the valid points. */
static void
find_centre (const TmGrid *g,
             double       *out_cx,
             double       *out_cy,
             double       *out_radius_px)
{
  gsize n = (gsize)g->w * g->h;
  g_autofree gint32 *label = g_new0 (gint32, n);
  g_autofree gint32 *queue = g_new (gint32, n);
  gsize best_area = 0;
  gint32 best_label = 0;
  gint32 next = 0;

  for (gsize start = 0; start < n; start++)
    {
      gsize head = 0, tail = 0, area = 0;
      gboolean border = FALSE;

      if (!isnan (g->z[start]) || label[start] != 0)
        continue;
      next++;
      label[start] = next;
      queue[tail++] = (gint32)start;
      while (head < tail)
        {
          gint32 p = queue[head++];
          int x = p % g->w, y = p / g->w;
          const int nx[4] = { x - 1, x + 1, x, x };
          const int ny[4] = { y, y, y - 1, y + 1 };

          area++;
          if (x == 0 || y == 0 || x == g->w - 1 || y == g->h - 1)
            border = TRUE;
          for (int k = 0; k < 4; k++)
            {
              gsize q;

              if (nx[k] < 0 || ny[k] < 0 || nx[k] >= g->w || ny[k] >= g->h)
                continue;
              q = (gsize)ny[k] * g->w + nx[k];
              if (isnan (g->z[q]) && label[q] == 0)
                {
                  label[q] = next;
                  queue[tail++] = (gint32)q;
                }
            }
        }
      if (!border && area > best_area)
        {
          best_area = area;
          best_label = next;
        }
    }

  if (best_area >= MIN_HOLE_PX)
    {
      /* The centre of the largest inscribed circle, not the centroid: shot dropouts
       * and damage that touch the hole's edge enlarge it on one side and would drag a
       * centroid by a few pixels, which the polar part cannot afford. A chamfer (3-4)
       * distance to the nearest point outside the hole, then the centroid of the points
       * within a pixel of its maximum. */
      g_autofree guint16 *dist = g_new (guint16, n);
      guint16 dmax = 0;
      double sx = 0, sy = 0, sw = 0;

      for (gsize i = 0; i < n; i++)
        dist[i] = label[i] == best_label ? G_MAXUINT16 : 0;
      for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++)
          {
            gsize i = (gsize)y * g->w + x;
            guint d = dist[i];

            if (d == 0)
              continue;
            if (x > 0) d = MIN (d, dist[i - 1] + 3u);
            if (y > 0) d = MIN (d, dist[i - g->w] + 3u);
            if (x > 0 && y > 0) d = MIN (d, dist[i - g->w - 1] + 4u);
            if (x + 1 < g->w && y > 0) d = MIN (d, dist[i - g->w + 1] + 4u);
            dist[i] = (guint16)MIN (d, G_MAXUINT16);
          }
      for (int y = g->h - 1; y >= 0; y--)
        for (int x = g->w - 1; x >= 0; x--)
          {
            gsize i = (gsize)y * g->w + x;
            guint d = dist[i];

            if (d == 0)
              continue;
            if (x + 1 < g->w) d = MIN (d, dist[i + 1] + 3u);
            if (y + 1 < g->h) d = MIN (d, dist[i + g->w] + 3u);
            if (x + 1 < g->w && y + 1 < g->h) d = MIN (d, dist[i + g->w + 1] + 4u);
            if (x > 0 && y + 1 < g->h) d = MIN (d, dist[i + g->w - 1] + 4u);
            dist[i] = (guint16)d;
            dmax = MAX (dmax, dist[i]);
          }
      for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++)
          {
            guint16 d = dist[(gsize)y * g->w + x];

            if (d + 3 >= dmax && d > 0)
              {
                double w = d + 4.0 - dmax;

                sx += w * x;
                sy += w * y;
                sw += w;
              }
          }
      *out_cx = sx / sw;
      *out_cy = sy / sw;
      *out_radius_px = dmax / 3.0;
      return;
    }
  {
    double sx = 0, sy = 0;
    gsize count = 0;

    for (int y = 0; y < g->h; y++)
      for (int x = 0; x < g->w; x++)
        if (!isnan (g->z[(gsize)y * g->w + x]))
          {
            sx += x;
            sy += y;
            count++;
          }
    *out_cx = count ? sx / count : (g->w - 1) / 2.0;
    *out_cy = count ? sy / count : (g->h - 1) / 2.0;
    *out_radius_px = 0;
  }
}

static float
sample (const TmGrid *g,
        double        x,
        double        y)
{
  int x0 = (int)floor (x), y0 = (int)floor (y);
  double fx = x - x0, fy = y - y0, sum = 0, wsum = 0;

  for (int j = 0; j < 2; j++)
    for (int i = 0; i < 2; i++)
      {
        int xi = x0 + i, yj = y0 + j;
        double w = (i ? fx : 1 - fx) * (j ? fy : 1 - fy);
        float v;

        if (xi < 0 || yj < 0 || xi >= g->w || yj >= g->h)
          continue;
        v = g->z[(gsize)yj * g->w + xi];
        if (isnan (v))
          continue;
        sum += w * v;
        wsum += w;
      }
  return wsum >= 0.5 ? (float)(sum / wsum) : NAN;
}

/* Angular harmonics of the smoothed surface on rings around the hole: out receives,
 * ring by ring, (re, im) of harmonics 1 … P_HARMONICS. Rotating the scan by φ
 * multiplies harmonic k by e^{−ikφ}, which tm_signature_score() searches over. */
static void
compute_polar (const TmGrid *work,
               double        pixel_um,
               float        *out)
{
  g_autoptr(TmGrid) smooth = tm_grid_copy (work);
  double cx, cy, hole_px;
  double cos_t[P_SAMPLES], sin_t[P_SAMPLES];
  int d = 0;

  tm_grid_gaussian (smooth, P_SMOOTH_UM / pixel_um);
  find_centre (work, &cx, &cy, &hole_px);
  for (int s = 0; s < P_SAMPLES; s++)
    {
      cos_t[s] = cos (2 * G_PI * s / P_SAMPLES);
      sin_t[s] = sin (2 * G_PI * s / P_SAMPLES);
    }
  for (int r = 0; r < P_RINGS; r++)
    {
      double radius = hole_px + (P_FIRST_UM + r * P_STEP_UM) / pixel_um;
      float profile[P_SAMPLES];
      double mean = 0;
      int n_valid = 0;

      for (int s = 0; s < P_SAMPLES; s++)
        {
          profile[s] = sample (smooth, cx + radius * cos_t[s], cy + radius * sin_t[s]);
          if (!isnan (profile[s]))
            {
              mean += profile[s];
              n_valid++;
            }
        }
      mean = n_valid ? mean / n_valid : 0;
      for (int s = 0; s < P_SAMPLES; s++)
        profile[s] = isnan (profile[s]) ? 0 : (float)(profile[s] - mean);
      for (int k = 1; k <= P_HARMONICS; k++)
        {
          double re = 0, im = 0;

          for (int s = 0; s < P_SAMPLES; s++)
            {
              int idx = (k * s) % P_SAMPLES;

              re += profile[s] * cos_t[idx];
              im -= profile[s] * sin_t[idx];
            }
          out[d++] = (float)(re / P_SAMPLES);
          out[d++] = (float)(im / P_SAMPLES);
        }
    }
  g_assert (d == N_POLAR);
  normalise (out, N_POLAR);
}

float *
tm_signature_compute (TmSurface  *preprocessed,
                      GError    **error)
{
  g_autoptr(TmGrid) grid = NULL;
  g_autoptr(TmGrid) work = NULL;
  const TmFftPlan *plan;
  float *canvas;
  fftwf_complex *spectrum;
  double pixel_um, mean = 0, freq_lo, freq_hi, log_ratio;
  gsize n_valid = 0;
  int n, half;
  double power[N_RINGS][N_SECTORS] = { { 0 } };
  guint count[N_RINGS][N_SECTORS] = { { 0 } };
  Complex harm[N_RINGS][N_HARMONICS];
  g_autofree float *out = NULL;
  int d = 0;

  g_return_val_if_fail (TM_IS_SURFACE (preprocessed), NULL);

  pixel_um = tm_surface_get_pixel_um_x (preprocessed);
  grid = tm_grid_from_surface (preprocessed);
  if (pixel_um < WORK_PIXEL_UM * 0.95)
    {
      work = tm_grid_resample (grid, WORK_PIXEL_UM / pixel_um);
      pixel_um *= (double)grid->w / work->w;
    }
  else
    work = g_steal_pointer (&grid);

  for (gsize i = 0; i < (gsize)work->w * work->h; i++)
    if (!isnan (work->z[i]))
      {
        mean += work->z[i];
        n_valid++;
      }
  if (n_valid < MIN_VALID_POINTS)
    {
      g_set_error (error, TM_SIGNATURE_ERROR, TM_SIGNATURE_ERROR_EMPTY,
                   "only %" G_GSIZE_FORMAT " valid points at %.1f µm; a signature needs %d",
                   n_valid, pixel_um, MIN_VALID_POINTS);
      return NULL;
    }
  mean /= n_valid;

  n = tm_fft_good_size (MAX (work->w, work->h));
  half = n / 2 + 1;
  plan = tm_fft_plan_get (n, n);
  canvas = tm_fft_alloc_real ((gsize)n * n);
  spectrum = tm_fft_alloc_complex (tm_fft_plan_n_complex (plan));
  memset (canvas, 0, (gsize)n * n * sizeof (float));
  for (int y = 0; y < work->h; y++)
    for (int x = 0; x < work->w; x++)
      {
        float v = work->z[(gsize)y * work->w + x];

        if (!isnan (v))
          canvas[(gsize)y * n + x] = v - (float)mean;
      }
  tm_fft_forward (plan, canvas, spectrum);

  /* Frequencies in cycles per µm: bin k is k / (n · pixel). */
  freq_lo = 1.0 / LONG_UM;
  freq_hi = MIN (1.0 / SHORT_UM, 0.5 / pixel_um);
  log_ratio = log (freq_hi / freq_lo);
  for (int ky = 0; ky < n; ky++)
    {
      int fy = ky <= n / 2 ? ky : ky - n;

      for (int kx = 0; kx < half; kx++)
        {
          double f, theta, re, im;
          int ring, sector;

          /* The half spectrum holds kx ≥ 0; the other half is its mirror image and
           * carries the same power, so each bin is counted once, at its angle mod π. */
          if (kx == 0 && fy < 0)
            continue;
          f = hypot (kx, fy) / (n * pixel_um);
          if (f < freq_lo || f >= freq_hi)
            continue;
          ring = (int)(N_RINGS * log (f / freq_lo) / log_ratio);
          ring = CLAMP (ring, 0, N_RINGS - 1);
          theta = atan2 (fy, kx);             /* (−π/2, π/2] */
          if (theta < 0)
            theta += G_PI;
          sector = (int)(theta / G_PI * N_SECTORS);
          sector = CLAMP (sector, 0, N_SECTORS - 1);
          re = spectrum[(gsize)ky * half + kx][0];
          im = spectrum[(gsize)ky * half + kx][1];
          power[ring][sector] += re * re + im * im;
          count[ring][sector]++;
        }
    }
  tm_fft_free (canvas);
  tm_fft_free (spectrum);

  for (int r = 0; r < N_RINGS; r++)
    {
      double logp[N_SECTORS];

      for (int s = 0; s < N_SECTORS; s++)
        {
          /* An empty cell (only possible on the innermost ring of a tiny scan) takes
           * its neighbour's value rather than a made-up zero. */
          if (count[r][s] == 0)
            logp[s] = s > 0 ? logp[s - 1] : 0;
          else
            logp[s] = log (power[r][s] / count[r][s] / n_valid + 1e-20);
        }
      for (int k = 0; k < N_HARMONICS; k++)
        {
          double re = 0, im = 0;

          for (int s = 0; s < N_SECTORS; s++)
            {
              double a = 2 * G_PI * k * (s + 0.5) / N_SECTORS;

              re += logp[s] * cos (a);
              im -= logp[s] * sin (a);
            }
          harm[r][k].re = re / N_SECTORS;
          harm[r][k].im = im / N_SECTORS;
        }
    }

  out = g_new0 (float, TM_SIGNATURE_DIM);
  {
    double radial_mean = 0;

    /* The mean log power only says how rough the whole scan is, which changes with
     * contact pressure between shots of one firearm: the radial profile is kept
     * relative to it. */
    for (int r = 0; r < N_RINGS; r++)
      radial_mean += harm[r][0].re;
    radial_mean /= N_RINGS;
    for (int r = 0; r < N_RINGS; r++)
      out[d++] = 0.5 * (harm[r][0].re - radial_mean);
  }
  for (int r = 0; r < N_RINGS; r++)
    for (int k = 1; k < N_HARMONICS; k++)
      out[d++] = hypot (harm[r][k].re, harm[r][k].im);
  g_assert (d == N_SPECTRAL);
  normalise (out, N_SPECTRAL);

  compute_polar (work, pixel_um, out + N_SPECTRAL);
  return g_steal_pointer (&out);
}

/* How well the polar parts agree at the best relative rotation: the correlation of the
 * two ring sets as a function of the rotation φ is Re Σ_k A_k e^{ikφ} with
 * A_k = Σ_rings a_k · conj (b_k); it is evaluated on a grid of angles fine enough for
 * the highest harmonic. */
#define N_PHI 128

static float cos_phi[N_PHI][P_HARMONICS + 1];
static float sin_phi[N_PHI][P_HARMONICS + 1];

static void
init_tables (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (int i = 0; i < N_PHI; i++)
        for (int k = 0; k <= P_HARMONICS; k++)
          {
            cos_phi[i][k] = (float)cos (2 * G_PI * k * i / N_PHI);
            sin_phi[i][k] = (float)sin (2 * G_PI * k * i / N_PHI);
          }
      g_once_init_leave (&done, 1);
    }
}

static float
polar_score (const float *a,
             const float *b)
{
  float are[P_HARMONICS + 1] = { 0 }, aim[P_HARMONICS + 1] = { 0 };
  float best = -2;

  for (int r = 0; r < P_RINGS; r++)
    for (int k = 1; k <= P_HARMONICS; k++)
      {
        const float *x = a + 2 * (r * P_HARMONICS + k - 1);
        const float *y = b + 2 * (r * P_HARMONICS + k - 1);

        are[k] += x[0] * y[0] + x[1] * y[1];
        aim[k] += x[1] * y[0] - x[0] * y[1];
      }
  for (int i = 0; i < N_PHI; i++)
    {
      float s = 0;

      for (int k = 1; k <= P_HARMONICS; k++)
        s += are[k] * cos_phi[i][k] - aim[k] * sin_phi[i][k];
      best = MAX (best, s);
    }
  /* Only the positive harmonics are stored; the negative ones are their conjugates and
   * contribute the same real part, so the full correlation is twice this sum over
   * twice the energy: the normalisation cancels. */
  return best;
}

float
tm_signature_score (const float *a,
                    const float *b)
{
  init_tables ();
  return (float)(w_spectral * tm_signature_dot_n (a, b, N_SPECTRAL) +
                 w_polar * polar_score (a + N_SPECTRAL, b + N_SPECTRAL));
}

void
tm_signature_set_weights (double spectral,
                          double polar)
{
  w_spectral = spectral;
  w_polar = polar;
}

float
tm_signature_dot_n (const float *a,
                    const float *b,
                    int          n)
{
  /* Independent accumulators: the loop is bound by the multiply-add latency otherwise,
   * and GCC does not reassociate float sums on its own. */
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  int i;

  for (i = 0; i + 8 <= n; i += 8)
    {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
      s4 += a[i + 4] * b[i + 4];
      s5 += a[i + 5] * b[i + 5];
      s6 += a[i + 6] * b[i + 6];
      s7 += a[i + 7] * b[i + 7];
    }
  for (; i < n; i++)
    s0 += a[i] * b[i];
  return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

/* Storage: "TS", version (u16 LE), dimension (u16 LE), reserved (u16), scale (float32
 * LE), then one int8 per value. */
#define HEADER_SIZE 12

GBytes *
tm_signature_to_bytes (const float *signature)
{
  guint8 *buf = g_malloc0 (HEADER_SIZE + TM_SIGNATURE_DIM);
  float max = 0, scale;
  guint32 scale_bits;

  g_return_val_if_fail (signature != NULL, NULL);

  for (int i = 0; i < TM_SIGNATURE_DIM; i++)
    max = MAX (max, fabsf (signature[i]));
  scale = max > 0 ? max / 127.0f : 1.0f;
  buf[0] = 'T';
  buf[1] = 'S';
  buf[2] = TM_SIGNATURE_VERSION & 0xff;
  buf[3] = TM_SIGNATURE_VERSION >> 8;
  buf[4] = TM_SIGNATURE_DIM & 0xff;
  buf[5] = TM_SIGNATURE_DIM >> 8;
  memcpy (&scale_bits, &scale, 4);
  scale_bits = GUINT32_TO_LE (scale_bits);
  memcpy (buf + 8, &scale_bits, 4);
  for (int i = 0; i < TM_SIGNATURE_DIM; i++)
    buf[HEADER_SIZE + i] = (guint8)(gint8)lrintf (signature[i] / scale);
  return g_bytes_new_take (buf, HEADER_SIZE + TM_SIGNATURE_DIM);
}

gboolean
tm_signature_from_bytes (GBytes  *bytes,
                         float   *out,
                         GError **error)
{
  gsize size;
  const guint8 *buf;
  guint32 scale_bits;
  float scale;
  int version, dim;

  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  buf = g_bytes_get_data (bytes, &size);
  if (size < HEADER_SIZE || buf[0] != 'T' || buf[1] != 'S')
    {
      g_set_error (error, TM_SIGNATURE_ERROR, TM_SIGNATURE_ERROR_INVALID,
                   "the stored signature is not a signature (%" G_GSIZE_FORMAT " bytes)", size);
      return FALSE;
    }
  version = buf[2] | buf[3] << 8;
  dim = buf[4] | buf[5] << 8;
  if (version != TM_SIGNATURE_VERSION || dim != TM_SIGNATURE_DIM ||
      size != (gsize)HEADER_SIZE + TM_SIGNATURE_DIM)
    {
      g_set_error (error, TM_SIGNATURE_ERROR, TM_SIGNATURE_ERROR_INVALID,
                   "the stored signature has version %d with %d values; this program uses "
                   "version %d with %d (run toolmark-cli reprocess)",
                   version, dim, TM_SIGNATURE_VERSION, TM_SIGNATURE_DIM);
      return FALSE;
    }
  memcpy (&scale_bits, buf + 8, 4);
  scale_bits = GUINT32_FROM_LE (scale_bits);
  memcpy (&scale, &scale_bits, 4);
  for (int i = 0; i < TM_SIGNATURE_DIM; i++)
    out[i] = (gint8)buf[HEADER_SIZE + i] * scale;
  /* Quantisation moves the norms slightly off 1; the pre-score assumes unit parts. */
  normalise (out, N_SPECTRAL);
  normalise (out + N_SPECTRAL, N_POLAR);
  return TRUE;
}

/* ---- signature sets ---- */

struct _TmSignatureSet
{
  gsize   n;
  gsize   capacity;
  float  *data;   /* n × TM_SIGNATURE_DIM, contiguous: the pre-score streams it */
  gint64 *ids;
};

TmSignatureSet *
tm_signature_set_new (gsize reserve)
{
  TmSignatureSet *set = g_new0 (TmSignatureSet, 1);

  set->capacity = MAX (reserve, 16);
  set->data = g_new (float, set->capacity * TM_SIGNATURE_DIM);
  set->ids = g_new (gint64, set->capacity);
  return set;
}

void
tm_signature_set_free (TmSignatureSet *set)
{
  if (set == NULL)
    return;
  g_free (set->data);
  g_free (set->ids);
  g_free (set);
}

void
tm_signature_set_add (TmSignatureSet *set,
                      gint64          id,
                      const float    *signature)
{
  g_return_if_fail (set != NULL && signature != NULL);

  if (set->n == set->capacity)
    {
      set->capacity *= 2;
      set->data = g_renew (float, set->data, set->capacity * TM_SIGNATURE_DIM);
      set->ids = g_renew (gint64, set->ids, set->capacity);
    }
  memcpy (set->data + set->n * TM_SIGNATURE_DIM, signature, TM_SIGNATURE_DIM * sizeof (float));
  set->ids[set->n] = id;
  set->n++;
}

gsize
tm_signature_set_get_size (const TmSignatureSet *set)
{
  g_return_val_if_fail (set != NULL, 0);
  return set->n;
}

gint64
tm_signature_set_get_id (const TmSignatureSet *set,
                         gsize                 index)
{
  g_return_val_if_fail (set != NULL && index < set->n, 0);
  return set->ids[index];
}

const float *
tm_signature_set_get (const TmSignatureSet *set,
                      gsize                 index)
{
  g_return_val_if_fail (set != NULL && index < set->n, NULL);
  return set->data + index * TM_SIGNATURE_DIM;
}

typedef struct
{
  const TmSignatureSet *set;
  const float          *query;
  float                *out;
  GCancellable         *cancellable;
  gint                  next_chunk;   /* atomic */
} PrescoreJob;

/* Chunks are small enough for the threads to balance and to notice a cancellation
 * within a millisecond, large enough for the atomic to cost nothing. */
#define CHUNK 4096

static gpointer
prescore_worker (gpointer data)
{
  PrescoreJob *job = data;
  gsize n = job->set->n;

  for (;;)
    {
      gsize chunk = (gsize)g_atomic_int_add (&job->next_chunk, 1);
      gsize first = chunk * CHUNK, last;

      if (first >= n || g_cancellable_is_cancelled (job->cancellable))
        break;
      last = MIN (n, first + CHUNK);
      for (gsize i = first; i < last; i++)
        job->out[i] = tm_signature_score (job->query, job->set->data + i * TM_SIGNATURE_DIM);
    }
  return NULL;
}

gboolean
tm_signature_set_prescore (const TmSignatureSet *set,
                           const float          *query,
                           float                *out_scores,
                           guint                 n_threads,
                           GCancellable         *cancellable)
{
  PrescoreJob job = { set, query, out_scores, cancellable, 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  gsize n_chunks;

  g_return_val_if_fail (set != NULL && query != NULL && out_scores != NULL, FALSE);

  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  n_chunks = (set->n + CHUNK - 1) / CHUNK;
  n_threads = MAX (1, MIN (n_threads, n_chunks));
  for (guint t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("tm-prescore", prescore_worker, &job));
  prescore_worker (&job);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
  return !g_cancellable_is_cancelled (cancellable);
}
