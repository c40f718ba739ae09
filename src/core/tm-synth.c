/* tm-synth.c — synthetic breech-face topographies with known ground truth
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The project's own fixtures and the benchmark's scale data. A firearm is a texture on a
 * square "canvas" in the firearm frame (µm from its centre, y down): band-limited noise
 * (the individual marks) plus class marks (striations, arcs or a coarse grain). A shot is
 * the firearm's texture plus independent shot noise, damped where the primer made poor
 * contact, with small dropouts and the firing-pin hole, all in the firearm frame too, so
 * that a shot moved to another pose (tm_synth_shot_at) is the same surface moved rigidly.
 * The scan then sees that frame through a pose (rotation + shift) and the primer disc,
 * which stays centred in the scan as a real scan is centred on the primer.
 *
 * Everything is drawn from GRand streams seeded from the firearm and shot seeds, and each
 * stream is consumed in a fixed order, so a seed gives bit-identical surfaces on a given
 * machine. The FFT (FFTW, single precision) only shapes the noise spectra; its plans are
 * made once per size with FFTW_ESTIMATE.
 */
#define G_LOG_DOMAIN "tm-synth"

#include "config.h"

#include <math.h>
#include <string.h>

#include <fftw3.h>

#include "tm-synth.h"

struct _TmSynthFirearm
{
  guint64       seed;
  TmSynthParams params;
  TmSynthClass  mark_class;

  double        radius_um;     /* primer radius */
  guint         canvas;        /* side of the texture canvas, pixels of params.pixel_um */
  float        *texture;       /* canvas × canvas, unit rms */
  float        *noise_gain;     /* canvas × (canvas / 2 + 1): spectrum of the shot noise */

  double        pin_u;
  double        pin_v;
  double        pin_radius_um;
};

typedef struct
{
  double u;
  double v;
  double radius2;
} Dropout;

G_DEFINE_QUARK (tm-synth-error-quark, tm_synth_error)

/* α of the ISO 16610-61 Gaussian filter: 50 % transmission at the cutoff wavelength. */
#define GAUSS_ALPHA 0.46971863934982566

/* ---------------------------------------------------------------------------------- */
/* FFT plans                                                                           */

/* FFTW's planner is process-global and not thread-safe. tm-fft serialises the engine's
 * planning with its own lock, which this module cannot take, and a benchmark worker may
 * well draw its first shot while another preprocesses its first scan. So the planner is
 * made thread-safe for everyone (fftw3f_threads) before the first plan here.
 *
 * The plans are FFTW_ESTIMATE, chosen without timing, so that a seed gives the same
 * floats on every run (FFTW_MEASURE may pick another algorithm each time, with other
 * rounding). They are cached for the life of the process; executing a plan on new
 * arrays is safe from any thread as long as the arrays come from fftwf_malloc. */
static GMutex plan_lock;
static GHashTable *plans;

static fftwf_plan
get_c2r_plan (guint rank,
              guint n)
{
  fftwf_plan plan;
  guint key = n * 2 + (rank - 1);

  g_assert (rank == 1 || rank == 2);

  g_mutex_lock (&plan_lock);
  if (plans == NULL)
    {
      fftwf_make_planner_thread_safe ();
      plans = g_hash_table_new (NULL, NULL);
    }
  plan = g_hash_table_lookup (plans, GUINT_TO_POINTER (key));
  if (plan == NULL)
    {
      gsize n_complex = rank == 2 ? (gsize)n * (n / 2 + 1) : n / 2 + 1;
      gsize n_real = rank == 2 ? (gsize)n * n : n;
      fftwf_complex *in = fftwf_malloc (n_complex * sizeof (fftwf_complex));
      float *out = fftwf_malloc (n_real * sizeof (float));

      if (rank == 2)
        plan = fftwf_plan_dft_c2r_2d ((int)n, (int)n, in, out, FFTW_ESTIMATE);
      else
        plan = fftwf_plan_dft_c2r_1d ((int)n, in, out, FFTW_ESTIMATE);
      g_assert (plan != NULL);
      g_hash_table_insert (plans, GUINT_TO_POINTER (key), plan);
      fftwf_free (in);
      fftwf_free (out);
    }
  g_mutex_unlock (&plan_lock);
  return plan;
}

/* The smallest n ≥ @min that is even and has no prime factor above 5 (fast for FFTW). */
static guint
fft_size (guint min)
{
  for (guint n = MAX (min, 8u) + (MAX (min, 8u) & 1); ; n += 2)
    {
      guint m = n;

      while (m % 2 == 0)
        m /= 2;
      while (m % 3 == 0)
        m /= 3;
      while (m % 5 == 0)
        m /= 5;
      if (m == 1)
        return n;
    }
}

/* ---------------------------------------------------------------------------------- */
/* Random numbers                                                                      */

static guint64
splitmix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return x ^ (x >> 31);
}

static GRand *
rand_new (guint64 a,
          guint64 b,
          guint32 stream)
{
  guint32 seed[5] = {
    (guint32)a, (guint32)(a >> 32), (guint32)b, (guint32)(b >> 32), stream,
  };

  return g_rand_new_with_seed_array (seed, G_N_ELEMENTS (seed));
}

/* Uniform in [−1, 1) from one 32-bit draw: the noise spectra need many of these fast. */
static inline float
rand_signed (GRand *rand)
{
  return (float)((gint32)g_rand_int (rand) * (1.0 / 2147483648.0));
}

static guint
rand_poisson (GRand  *rand,
              double  mean)
{
  double limit = exp (-mean), p = 1.0;
  guint k = 0;

  /* Knuth's method; the means used here are small. */
  for (;;)
    {
      p *= g_rand_double (rand);
      if (p <= limit || k >= 1000)
        return k;
      k++;
    }
}

/* ---------------------------------------------------------------------------------- */
/* Spectra                                                                             */

static double
gauss_lowpass (double lambda_um,
               double f)
{
  double x = GAUSS_ALPHA * lambda_um * f;

  return exp (-G_PI * x * x);
}

/* Gain of the band-pass [short, long] with a 1/f^slope spectrum inside: slope 1 spreads
 * the variance evenly over the octaves, as in a rough machined surface. */
static double
band_gain (double f,
           double short_um,
           double long_um,
           double slope)
{
  if (f <= 0.0)
    return 0.0;
  return gauss_lowpass (short_um, f) * (1.0 - gauss_lowpass (long_um, f)) *
         pow (f * long_um, -slope);
}

typedef double (*GainFunc) (double fx, double fy, gconstpointer data);

typedef struct
{
  double short_um;
  double long_um;
  double slope;
  double normal;       /* striations: direction of the wave vector, radians */
  double spread;       /* striations: angular spread, radians (0 = isotropic) */
} BandSpec;

static double
band_spec_gain (double        fx,
                double        fy,
                gconstpointer data)
{
  const BandSpec *spec = data;
  double f = hypot (fx, fy);
  double gain = band_gain (f, spec->short_um, spec->long_um, spec->slope);

  if (spec->spread > 0.0 && gain > 0.0)
    {
      /* Angle between the wave vector and the striations' normal, folded to [0, π/2]. */
      double d = fabs (remainder (atan2 (fy, fx) - spec->normal, G_PI));

      gain *= exp (-0.5 * (d / spec->spread) * (d / spec->spread));
    }
  return gain;
}

/* Fills gain[] (n × (n/2 + 1), the r2c layout) for a canvas of n pixels of @pixel_um. */
static void
fill_gain_2d (float         *gain,
              guint          n,
              double         pixel_um,
              GainFunc       func,
              gconstpointer  data)
{
  guint half = n / 2 + 1;
  double df = 1.0 / (n * pixel_um);

  for (guint ky = 0; ky < n; ky++)
    {
      double fy = (ky <= n / 2 ? (double)ky : (double)ky - n) * df;

      for (guint kx = 0; kx < half; kx++)
        gain[(gsize)ky * half + kx] = (float)func (kx * df, fy, data);
    }
}

/* Scales @field to zero mean and unit rms; a field of zeros stays zero. */
static void
normalise (float *field,
           gsize  n)
{
  double sum = 0.0, sum2 = 0.0, mean, rms;

  for (gsize i = 0; i < n; i++)
    sum += field[i];
  mean = sum / n;
  for (gsize i = 0; i < n; i++)
    sum2 += (field[i] - mean) * (field[i] - mean);
  rms = sqrt (sum2 / n);
  if (rms <= 0.0)
    return;
  for (gsize i = 0; i < n; i++)
    field[i] = (float)((field[i] - mean) / rms);
}

/* Random noise with the spectrum @gain on an n × n canvas, unit rms, into @out (from
 * fftwf_malloc). The coefficients are uniform rather than Gaussian: every output sample
 * sums ~10⁵ of them, so the field is Gaussian all the same, at a third of the cost. */
static void
noise_2d (GRand       *rand,
          const float *gain,
          guint        n,
          float       *out)
{
  gsize n_complex = (gsize)n * (n / 2 + 1);
  fftwf_complex *spectrum = fftwf_malloc (n_complex * sizeof (fftwf_complex));

  for (gsize i = 0; i < n_complex; i++)
    {
      float re = rand_signed (rand);
      float im = rand_signed (rand);

      spectrum[i][0] = gain[i] * re;
      spectrum[i][1] = gain[i] * im;
    }
  fftwf_execute_dft_c2r (get_c2r_plan (2, n), spectrum, out);
  fftwf_free (spectrum);
  normalise (out, (gsize)n * n);
}

/* A 1D band-limited random profile of n samples spaced @step_um, unit rms. */
static float *
noise_1d (GRand  *rand,
          guint   n,
          double  step_um,
          double  short_um,
          double  long_um,
          double  slope)
{
  guint half = n / 2 + 1;
  fftwf_complex *spectrum = fftwf_malloc (half * sizeof (fftwf_complex));
  float *out = fftwf_malloc (n * sizeof (float));

  for (guint k = 0; k < half; k++)
    {
      double gain = band_gain (k / (n * step_um), short_um, long_um, slope);

      spectrum[k][0] = (float)(gain * rand_signed (rand));
      spectrum[k][1] = (float)(gain * rand_signed (rand));
    }
  fftwf_execute_dft_c2r (get_c2r_plan (1, n), spectrum, out);
  fftwf_free (spectrum);
  normalise (out, n);
  return out;
}

/* ---------------------------------------------------------------------------------- */
/* Parameters and poses                                                                */

const char *
tm_synth_class_to_string (TmSynthClass mark_class)
{
  switch (mark_class)
    {
    case TM_SYNTH_CLASS_PARALLEL: return "parallel";
    case TM_SYNTH_CLASS_ARCHED: return "arched";
    case TM_SYNTH_CLASS_GRANULAR: return "granular";
    case TM_SYNTH_CLASS_ANY: return "any";
    default: return "unknown";
    }
}

void
tm_synth_params_init (TmSynthParams *params)
{
  g_return_if_fail (params != NULL);

  params->size = 400;
  params->pixel_um = 6.25;
  params->radius_fraction = 0.48;   /* 192 px = 1.2 mm at the defaults */
  params->pin_fraction = 0.25;
  params->rms_um = 1.0;
  params->short_cutoff_um = 16.0;   /* the engine's band-pass (Chen 2017) */
  params->long_cutoff_um = 250.0;
  /* Known matches then correlate at about 1 / (1 + noise²) ≈ 0.6–0.8 before damping. */
  params->noise_min = 0.45;
  params->noise_max = 0.8;
  params->max_shift_fraction = 0.1;
  params->contact_probability = 0.75;
  params->dropouts = 12.0;
  params->mark_class = TM_SYNTH_CLASS_ANY;
}

gboolean
tm_synth_params_validate (const TmSynthParams *params,
                          GError             **error)
{
  g_return_val_if_fail (params != NULL, FALSE);

#define REFUSE(...) G_STMT_START { \
    g_set_error (error, TM_SYNTH_ERROR, TM_SYNTH_ERROR_INVALID, __VA_ARGS__); \
    return FALSE; \
  } G_STMT_END

  if (params->size < 32 || params->size > 4096)
    REFUSE ("scan size %u px is outside 32–4096 px", params->size);
  if (!(params->pixel_um >= 0.1 && params->pixel_um <= 100.0))
    REFUSE ("pixel size %g µm is outside 0.1–100 µm", params->pixel_um);
  if (!(params->radius_fraction > 0.1 && params->radius_fraction <= 0.5))
    REFUSE ("primer radius fraction %g is outside (0.1, 0.5]", params->radius_fraction);
  if (!(params->pin_fraction >= 0.0 && params->pin_fraction <= 0.6))
    REFUSE ("firing-pin fraction %g is outside 0–0.6", params->pin_fraction);
  if (!(params->rms_um > 0.0 && params->rms_um <= 1000.0))
    REFUSE ("rms height %g µm is outside (0, 1000] µm", params->rms_um);
  if (!(params->short_cutoff_um > 0.0 && params->long_cutoff_um > params->short_cutoff_um))
    REFUSE ("band %g–%g µm is empty: the long cutoff must exceed the short one",
            params->short_cutoff_um, params->long_cutoff_um);
  if (!(params->noise_min >= 0.0 && params->noise_max >= params->noise_min &&
        params->noise_max <= 10.0))
    REFUSE ("shot noise range %g–%g is not within 0–10", params->noise_min, params->noise_max);
  if (!(params->max_shift_fraction >= 0.0 && params->max_shift_fraction <= 0.25))
    REFUSE ("shift fraction %g is outside 0–0.25", params->max_shift_fraction);
  if (!(params->contact_probability >= 0.0 && params->contact_probability <= 1.0))
    REFUSE ("contact probability %g is outside 0–1", params->contact_probability);
  if (!(params->dropouts >= 0.0 && params->dropouts <= 100.0))
    REFUSE ("mean dropout count %g is outside 0–100", params->dropouts);
  if ((guint)params->mark_class > TM_SYNTH_CLASS_GRANULAR)
    REFUSE ("unknown mark class %d", (int)params->mark_class);

#undef REFUSE
  return TRUE;
}

void
tm_synth_pose_apply (const TmSynthPose *pose,
                     double             u,
                     double             v,
                     double            *out_x,
                     double            *out_y)
{
  double t = pose->rotation_deg * (G_PI / 180.0);
  double c = cos (t), s = sin (t);

  *out_x = c * u + s * v + pose->shift_x_um;
  *out_y = -s * u + c * v + pose->shift_y_um;
}

void
tm_synth_pose_invert (const TmSynthPose *pose,
                      TmSynthPose       *out_inverse)
{
  double t = pose->rotation_deg * (G_PI / 180.0);
  double c = cos (t), s = sin (t);
  double sx = pose->shift_x_um, sy = pose->shift_y_um;

  /* u = R(−θ)(x − s) = R(−θ) x − R(−θ) s, with R(−θ) = [c, −s; s, c]. */
  out_inverse->rotation_deg = -pose->rotation_deg;
  out_inverse->shift_x_um = -(c * sx - s * sy);
  out_inverse->shift_y_um = -(s * sx + c * sy);
}

void
tm_synth_pose_between (const TmSynthPose *from,
                       const TmSynthPose *to,
                       TmSynthPose       *out_relative)
{
  TmSynthPose inverse;
  double t, c, s, ix, iy;

  /* x_to = R(θt)(R(−θf)(x − sf)) + st = R(θt − θf) x + (st − R(θt − θf) sf). */
  tm_synth_pose_invert (from, &inverse);
  t = to->rotation_deg * (G_PI / 180.0);
  c = cos (t);
  s = sin (t);
  ix = inverse.shift_x_um;
  iy = inverse.shift_y_um;
  out_relative->rotation_deg = fmod (to->rotation_deg - from->rotation_deg + 720.0, 360.0);
  out_relative->shift_x_um = c * ix + s * iy + to->shift_x_um;
  out_relative->shift_y_um = -s * ix + c * iy + to->shift_y_um;
}

guint64
tm_synth_derive_seed (guint64 seed,
                      guint64 index)
{
  return splitmix64 (splitmix64 (seed) ^ (index * G_GUINT64_CONSTANT (0xD1B54A32D192ED03)));
}

/* ---------------------------------------------------------------------------------- */
/* Firearms                                                                            */

/* Concentric arcs around a centre outside the breech face: a random radial profile. */
static void
add_arcs (TmSynthFirearm *self,
          GRand          *rand,
          float          *field)
{
  const TmSynthParams *p = &self->params;
  guint n = self->canvas;
  double half_extent = n * p->pixel_um * G_SQRT2 / 2.0;
  double distance = g_rand_double_range (rand, 1.3, 3.0) * self->radius_um;
  double direction = g_rand_double_range (rand, 0.0, 2.0 * G_PI);
  double cu = distance * cos (direction), cv = distance * sin (direction);
  double step = p->pixel_um / 2.0;
  double r0 = MAX (0.0, distance - half_extent) - 4 * step;
  guint len = fft_size ((guint)ceil ((2.0 * half_extent + 8 * step) / step));
  float *profile = noise_1d (rand, len, step, p->short_cutoff_um, p->long_cutoff_um, 0.5);

  for (guint j = 0; j < n; j++)
    for (guint i = 0; i < n; i++)
      {
        double u = ((double)i - n / 2) * p->pixel_um, v = ((double)j - n / 2) * p->pixel_um;
        double pos = (hypot (u - cu, v - cv) - r0) / step;
        guint k = (guint)CLAMP (pos, 0.0, len - 2.0);
        double f = CLAMP (pos - k, 0.0, 1.0);

        field[(gsize)j * n + i] = (float)((1.0 - f) * profile[k] + f * profile[k + 1]);
      }
  fftwf_free (profile);
}

TmSynthFirearm *
tm_synth_firearm_new (guint64              seed,
                      const TmSynthParams *params,
                      GError             **error)
{
  g_autoptr(TmSynthFirearm) self = NULL;
  g_autoptr(GRand) rand = NULL;
  TmSynthParams defaults;
  BandSpec base, marks;
  float *gain, *class_field;
  double class_weight, reach_um, pin_offset, pin_direction;
  gsize n2;

  if (params == NULL)
    {
      tm_synth_params_init (&defaults);
      params = &defaults;
    }
  if (!tm_synth_params_validate (params, error))
    return NULL;

  self = g_new0 (TmSynthFirearm, 1);
  self->seed = seed;
  self->params = *params;
  rand = rand_new (seed, 0, 0x46697265); /* "Fire" */

  /* The class is drawn even when the parameters force one, so that forcing it leaves
   * the pin and the other draws of that seed as they were. */
  self->mark_class = (TmSynthClass)(1 + g_rand_int_range (rand, 0, 3));
  if (params->mark_class != TM_SYNTH_CLASS_ANY)
    self->mark_class = params->mark_class;
  class_weight = g_rand_double_range (rand, 0.4, 0.6);
  pin_offset = g_rand_double_range (rand, 0.0, 0.06);
  pin_direction = g_rand_double_range (rand, 0.0, 2.0 * G_PI);

  self->radius_um = params->radius_fraction * params->size * params->pixel_um;
  self->pin_radius_um = params->pin_fraction * self->radius_um *
                        g_rand_double_range (rand, 0.9, 1.1);
  self->pin_u = pin_offset * self->radius_um * cos (pin_direction);
  self->pin_v = pin_offset * self->radius_um * sin (pin_direction);

  /* The canvas must hold every firearm point any pose can bring into the primer disc
   * (radius plus centring jitter plus the largest diagonal shift), plus the 2-pixel
   * support of the cubic interpolation. */
  reach_um = self->radius_um * 1.02 +
             params->max_shift_fraction * params->size * params->pixel_um * G_SQRT2;
  self->canvas = fft_size ((guint)ceil (2.0 * reach_um / params->pixel_um) + 8);
  n2 = (gsize)self->canvas * self->canvas;

  base = (BandSpec) { params->short_cutoff_um, params->long_cutoff_um, 1.0, 0.0, 0.0 };
  gain = g_new (float, (gsize)self->canvas * (self->canvas / 2 + 1));
  fill_gain_2d (gain, self->canvas, params->pixel_um, band_spec_gain, &base);
  self->texture = fftwf_malloc (n2 * sizeof (float));
  noise_2d (rand, gain, self->canvas, self->texture);
  /* Shot noise shares the individual texture's spectrum: what varies between shots is
   * the same kind of fine detail that identifies the firearm. */
  self->noise_gain = gain;

  class_field = fftwf_malloc (n2 * sizeof (float));
  switch (self->mark_class)
    {
    case TM_SYNTH_CLASS_PARALLEL:
      {
        g_autofree float *class_gain = g_new (float, (gsize)self->canvas * (self->canvas / 2 + 1));
        double angle = g_rand_double_range (rand, 0.0, G_PI);

        /* Striations along @angle: their wave vectors point across them. */
        marks = (BandSpec) { params->short_cutoff_um, params->long_cutoff_um, 0.5,
                             angle + G_PI / 2, g_rand_double_range (rand, 1.5, 4.0) * G_PI / 180 };
        fill_gain_2d (class_gain, self->canvas, params->pixel_um, band_spec_gain, &marks);
        noise_2d (rand, class_gain, self->canvas, class_field);
      }
      break;

    case TM_SYNTH_CLASS_ARCHED:
      add_arcs (self, rand, class_field);
      break;

    case TM_SYNTH_CLASS_GRANULAR:
      {
        g_autofree float *class_gain = g_new (float, (gsize)self->canvas * (self->canvas / 2 + 1));

        /* A grain several times coarser than the individual marks. */
        marks = (BandSpec) { MAX (params->short_cutoff_um * 3.0, params->long_cutoff_um / 5.0),
                             params->long_cutoff_um, 0.0, 0.0, 0.0 };
        fill_gain_2d (class_gain, self->canvas, params->pixel_um, band_spec_gain, &marks);
        noise_2d (rand, class_gain, self->canvas, class_field);
        class_weight = MIN (0.7, class_weight + 0.1);
      }
      break;

    case TM_SYNTH_CLASS_ANY:
    default:
      g_assert_not_reached ();
    }

  for (gsize i = 0; i < n2; i++)
    self->texture[i] = (float)(sqrt (1.0 - class_weight) * self->texture[i] +
                               sqrt (class_weight) * class_field[i]);
  fftwf_free (class_field);
  normalise (self->texture, n2);

  return g_steal_pointer (&self);
}

void
tm_synth_firearm_free (TmSynthFirearm *firearm)
{
  if (firearm == NULL)
    return;
  if (firearm->texture != NULL)
    fftwf_free (firearm->texture);
  g_free (firearm->noise_gain);
  g_free (firearm);
}

TmSynthClass
tm_synth_firearm_get_class (TmSynthFirearm *firearm)
{
  g_return_val_if_fail (firearm != NULL, TM_SYNTH_CLASS_ANY);
  return firearm->mark_class;
}

const TmSynthParams *
tm_synth_firearm_get_params (TmSynthFirearm *firearm)
{
  g_return_val_if_fail (firearm != NULL, NULL);
  return &firearm->params;
}

void
tm_synth_firearm_get_pin (TmSynthFirearm *firearm,
                          double         *out_u,
                          double         *out_v,
                          double         *out_radius_um)
{
  g_return_if_fail (firearm != NULL);
  if (out_u)
    *out_u = firearm->pin_u;
  if (out_v)
    *out_v = firearm->pin_v;
  if (out_radius_um)
    *out_radius_um = firearm->pin_radius_um;
}

/* ---------------------------------------------------------------------------------- */
/* Shots                                                                               */

/* Keys' cubic convolution kernel (a = −0.5) weights for offset t ∈ [0, 1). */
static inline void
cubic_weights (double t,
               double w[4])
{
  double t2 = t * t, t3 = t2 * t;

  w[0] = -0.5 * t3 + t2 - 0.5 * t;
  w[1] = 1.5 * t3 - 2.5 * t2 + 1.0;
  w[2] = -1.5 * t3 + 2.0 * t2 + 0.5 * t;
  w[3] = 0.5 * t3 - 0.5 * t2;
}

static inline double
sample_cubic (const float *field,
              guint        n,
              double       x,
              double       y)
{
  double fx = floor (x), fy = floor (y), wx[4], wy[4], sum = 0.0;
  int ix = (int)fx - 1, iy = (int)fy - 1;

  /* The canvas is sized so that this never clamps; the clamp only guards memory. */
  ix = CLAMP (ix, 0, (int)n - 4);
  iy = CLAMP (iy, 0, (int)n - 4);
  cubic_weights (x - fx, wx);
  cubic_weights (y - fy, wy);
  for (int j = 0; j < 4; j++)
    {
      const float *row = field + (gsize)(iy + j) * n + ix;

      sum += wy[j] * (wx[0] * row[0] + wx[1] * row[1] + wx[2] * row[2] + wx[3] * row[3]);
    }
  return sum;
}

static TmSurface *
make_shot (TmSynthFirearm    *self,
           guint64            shot_seed,
           const TmSynthPose *forced_pose,
           TmSynthPose       *out_pose)
{
  const TmSynthParams *p = &self->params;
  g_autoptr(GRand) rand = rand_new (self->seed, shot_seed, 0x53686f74); /* "Shot" */
  g_autoptr(GArray) dropouts = g_array_new (FALSE, FALSE, sizeof (Dropout));
  g_autofree char *comment = NULL;
  TmSurface *surface;
  TmSynthPose pose;
  float *field, *data;
  double max_shift, centre_x, centre_y, noise, scale, r2;
  double contact_cos = 0, contact_sin = 0, contact_start = 0, contact_width = 0;
  double contact_floor = 1, cos_t, sin_t;
  gboolean contact;
  guint n = self->canvas, size = p->size, n_drop;
  gsize n2 = (gsize)n * n;
  char rot[G_ASCII_DTOSTR_BUF_SIZE], sx[G_ASCII_DTOSTR_BUF_SIZE], sy[G_ASCII_DTOSTR_BUF_SIZE];

  /* Every draw happens whether or not it is used (a forced pose, no contact loss), so
   * that the noise of a shot does not depend on its pose. */
  max_shift = p->max_shift_fraction * size * p->pixel_um;
  pose.rotation_deg = g_rand_double_range (rand, 0.0, 360.0);
  pose.shift_x_um = g_rand_double_range (rand, -max_shift, max_shift);
  pose.shift_y_um = g_rand_double_range (rand, -max_shift, max_shift);
  if (forced_pose != NULL)
    pose = *forced_pose;

  centre_x = g_rand_double_range (rand, -0.01, 0.01) * self->radius_um;
  centre_y = g_rand_double_range (rand, -0.01, 0.01) * self->radius_um;
  noise = g_rand_double_range (rand, p->noise_min, p->noise_max + 1e-12);

  /* Poor contact: beyond a chord the marks fade out, then vanish (no data). */
  contact = g_rand_double (rand) < p->contact_probability;
  {
    double phi = g_rand_double_range (rand, 0.0, 2.0 * G_PI);

    contact_cos = cos (phi);
    contact_sin = sin (phi);
    contact_start = g_rand_double_range (rand, 0.35, 0.85) * self->radius_um;
    contact_width = g_rand_double_range (rand, 0.15, 0.35) * self->radius_um;
    contact_floor = g_rand_double_range (rand, 0.0, 0.3);
  }

  n_drop = rand_poisson (rand, p->dropouts);
  for (guint k = 0; k < n_drop; k++)
    {
      Dropout d;
      double a = g_rand_double_range (rand, 0.0, 2.0 * G_PI);
      double r = sqrt (g_rand_double (rand)) * self->radius_um;
      double radius = g_rand_double_range (rand, 1.0, 6.0) * p->pixel_um;

      d.u = r * cos (a);
      d.v = r * sin (a);
      d.radius2 = radius * radius;
      g_array_append_val (dropouts, d);
    }

  /* The shot in the firearm frame: texture plus noise, scaled so that the rms height
   * is params.rms_um whatever the noise level. */
  field = fftwf_malloc (n2 * sizeof (float));
  noise_2d (rand, self->noise_gain, n, field);
  scale = p->rms_um / sqrt (1.0 + noise * noise);
  for (gsize i = 0; i < n2; i++)
    field[i] = (float)(scale * (self->texture[i] + noise * field[i]));

  surface = tm_surface_new (size, size, p->pixel_um, p->pixel_um, TM_MODALITY_3D);
  g_assert (surface != NULL);
  data = tm_surface_get_data (surface);
  cos_t = cos (pose.rotation_deg * (G_PI / 180.0));
  sin_t = sin (pose.rotation_deg * (G_PI / 180.0));
  r2 = self->radius_um * self->radius_um;

  for (guint j = 0; j < size; j++)
    for (guint i = 0; i < size; i++)
      {
        double x = ((double)i + 0.5 - size / 2.0) * p->pixel_um;
        double y = ((double)j + 0.5 - size / 2.0) * p->pixel_um;
        double dx, dy, u, v, weight = 1.0;
        gboolean hole = FALSE;

        if ((x - centre_x) * (x - centre_x) + (y - centre_y) * (y - centre_y) > r2)
          continue;

        /* Back into the firearm frame: u = R(−θ)(x − shift). */
        dx = x - pose.shift_x_um;
        dy = y - pose.shift_y_um;
        u = cos_t * dx - sin_t * dy;
        v = sin_t * dx + cos_t * dy;

        if ((u - self->pin_u) * (u - self->pin_u) + (v - self->pin_v) * (v - self->pin_v) <
            self->pin_radius_um * self->pin_radius_um)
          continue;

        if (contact)
          {
            double t = u * contact_cos + v * contact_sin - contact_start;

            if (t >= contact_width)
              continue;
            if (t > 0.0)
              weight = 1.0 - (1.0 - contact_floor) * t / contact_width;
          }

        for (guint k = 0; k < dropouts->len && !hole; k++)
          {
            const Dropout *d = &g_array_index (dropouts, Dropout, k);

            hole = (u - d->u) * (u - d->u) + (v - d->v) * (v - d->v) < d->radius2;
          }
        if (hole)
          continue;

        data[(gsize)j * size + i] =
          (float)(weight * sample_cubic (field, n, u / p->pixel_um + n / 2.0,
                                         v / p->pixel_um + n / 2.0));
      }
  fftwf_free (field);
  tm_surface_sync_mask (surface);

  /* Fixed metadata (no clock, no host) keeps files from the same seed byte-identical. */
  g_ascii_formatd (rot, sizeof rot, "%.6f", pose.rotation_deg);
  g_ascii_formatd (sx, sizeof sx, "%.3f", pose.shift_x_um);
  g_ascii_formatd (sy, sizeof sy, "%.3f", pose.shift_y_um);
  comment = g_strdup_printf ("Synthetic breech face (toolmark synth): class %s, firearm seed %"
                             G_GUINT64_FORMAT ", shot seed %" G_GUINT64_FORMAT
                             ", rotation %s deg, shift %s,%s um",
                             tm_synth_class_to_string (self->mark_class), self->seed,
                             shot_seed, rot, sx, sy);
  tm_surface_set_meta (surface, TM_META_COMMENT, comment);
  tm_surface_set_meta (surface, TM_META_DATE, "2000-01-01T00:00:00+00:00");
  tm_surface_set_meta (surface, TM_META_CALIBRATION_DATE, "2000-01-01T00:00:00+00:00");
  tm_surface_set_meta (surface, TM_META_CREATOR, "toolmark-cli synth");
  tm_surface_set_meta (surface, TM_META_INSTRUMENT_MANUFACTURER, "Toolmark");
  tm_surface_set_meta (surface, TM_META_INSTRUMENT_MODEL, "Synthetic breech face");
  tm_surface_set_meta (surface, TM_META_INSTRUMENT_SERIAL, "none");
  tm_surface_set_meta (surface, TM_META_INSTRUMENT_VERSION, PACKAGE_VERSION);
  tm_surface_set_meta (surface, TM_META_PROBING_TYPE, "NonContacting");
  tm_surface_set_meta (surface, TM_META_PROBING_IDENTIFICATION, "synthetic");

  if (out_pose != NULL)
    *out_pose = pose;
  return surface;
}

TmSurface *
tm_synth_shot (TmSynthFirearm *firearm,
               guint64         shot_seed,
               TmSynthPose    *out_pose)
{
  g_return_val_if_fail (firearm != NULL, NULL);
  return make_shot (firearm, shot_seed, NULL, out_pose);
}

TmSurface *
tm_synth_shot_at (TmSynthFirearm    *firearm,
                  guint64            shot_seed,
                  const TmSynthPose *pose)
{
  g_return_val_if_fail (firearm != NULL, NULL);
  g_return_val_if_fail (pose != NULL, NULL);
  return make_shot (firearm, shot_seed, pose, NULL);
}

/* ---------------------------------------------------------------------------------- */
/* Helpers for tests                                                                   */

TmSurface *
tm_synth_transform_surface (TmSurface         *surface,
                            const TmSynthPose *pose)
{
  TmSurface *out;
  TmSynthPose inverse;
  const float *src;
  const guint8 *mask;
  float *dst;
  guint w, h;
  double px, py;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);
  g_return_val_if_fail (pose != NULL, NULL);

  out = tm_surface_copy (surface);
  if (out == NULL)
    return NULL;
  w = tm_surface_get_width (surface);
  h = tm_surface_get_height (surface);
  px = tm_surface_get_pixel_um_x (surface);
  py = tm_surface_get_pixel_um_y (surface);
  src = tm_surface_peek_data (surface);
  mask = tm_surface_peek_mask (surface);
  dst = tm_surface_get_data (out);
  tm_synth_pose_invert (pose, &inverse);

  for (guint j = 0; j < h; j++)
    for (guint i = 0; i < w; i++)
      {
        double x, y, sx, sy, fx, fy, tx, ty, weights[4], sum;
        int ix, iy;
        float value;

        tm_synth_pose_apply (&inverse, ((double)i + 0.5 - w / 2.0) * px,
                             ((double)j + 0.5 - h / 2.0) * py, &x, &y);
        sx = x / px + w / 2.0 - 0.5;
        sy = y / py + h / 2.0 - 0.5;
        fx = floor (sx);
        fy = floor (sy);
        ix = (int)fx;
        iy = (int)fy;
        tx = sx - fx;
        ty = sy - fy;
        weights[0] = (1 - tx) * (1 - ty);
        weights[1] = tx * (1 - ty);
        weights[2] = (1 - tx) * ty;
        weights[3] = tx * ty;
        sum = 0.0;
        for (int k = 0; k < 4 && isfinite (sum); k++)
          {
            int cx = ix + (k & 1), cy = iy + (k >> 1);

            /* A tap that does not contribute may be missing: a sample that falls exactly
             * on a pixel next to a hole or the border stays valid. */
            if (weights[k] < 1e-9)
              continue;
            if (cx < 0 || cy < 0 || cx >= (int)w || cy >= (int)h ||
                !mask[(gsize)cy * w + cx])
              sum = NAN;
            else
              sum += weights[k] * src[(gsize)cy * w + cx];
          }
        value = (float)sum;
        dst[(gsize)j * w + i] = value;
      }
  tm_surface_sync_mask (out);
  return out;
}

double
tm_synth_correlation (TmSurface *a,
                      TmSurface *b,
                      gsize      min_points,
                      gsize     *out_overlap)
{
  const float *da, *db;
  const guint8 *ma, *mb;
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, cov, va, vb;
  gsize n, count = 0;

  g_return_val_if_fail (TM_IS_SURFACE (a) && TM_IS_SURFACE (b), NAN);
  g_return_val_if_fail (tm_surface_get_width (a) == tm_surface_get_width (b) &&
                        tm_surface_get_height (a) == tm_surface_get_height (b), NAN);

  n = (gsize)tm_surface_get_width (a) * tm_surface_get_height (a);
  da = tm_surface_peek_data (a);
  db = tm_surface_peek_data (b);
  ma = tm_surface_peek_mask (a);
  mb = tm_surface_peek_mask (b);
  for (gsize i = 0; i < n; i++)
    if (ma[i] && mb[i])
      {
        sa += da[i];
        sb += db[i];
        saa += (double)da[i] * da[i];
        sbb += (double)db[i] * db[i];
        sab += (double)da[i] * db[i];
        count++;
      }
  if (out_overlap)
    *out_overlap = count;
  if (count < MAX (min_points, (gsize)2))
    return NAN;
  cov = sab - sa * sb / count;
  va = saa - sa * sa / count;
  vb = sbb - sb * sb / count;
  if (va <= 0 || vb <= 0)
    return NAN;
  return cov / sqrt (va * vb);
}
