/* tm-cmc.c — congruent matching cells (Song 2013; Tong 2015 high CMC)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reference's valid bounding box is cut into a grid of square cells; each cell with
 * enough valid points is registered on its own in the target, which is first rotated by
 * a few angles around the global registration angle θ*. A cell is congruent when its own
 * CCF maximum reaches T_CCF and its pose (θ, x, y) agrees with the consensus of all cells
 * within Tθ and Tx = Ty. Same-source pairs put many cells at one pose; different-source
 * pairs scatter them.
 *
 * Where this departs from the papers, and why:
 *  - The search region is centred where the global registration puts the cell (the
 *    papers centre it on the cell's own position in pre-aligned scans). The global
 *    registration is what "pre-aligned" means here, for any orientation. The region is
 *    3× the cell side as in cmcR: a smaller one would confine every cell's translation
 *    to within Tx of the centre and leave only the CCF threshold to decide.
 *  - Only θ* ± a few steps are tried instead of −30…30° or the full circle: the full
 *    circle has already been searched by the global registration, and per-cell work is
 *    the cost that matters (cells × angles × 9 FFTs).
 *  - Cells are registered at 12.5 µm by default rather than 6.25 µm: 4× fewer FFT points,
 *    and most of the 16–250 µm band is still resolved. Fadul, Weller and TopMatch separate
 *    completely at 12.5 µm (bench/README.md); 6.25 µm has not been compared yet.
 *  - Coarse to fine (default): the whole 3× region is searched by FFT at 25 µm (54-point
 *    transforms instead of 108), and the peak found there is climbed at 12.5 µm by a
 *    direct masked correlation over the few shifts around it, where the CCF is read.
 *    Per-cell work drops about 4×; on Fadul, Weller and TopMatch the KM/KNM ranges stay
 *    within half a cell of the single-level search (bench/README.md).
 * Each cell's correlation is the masked NCC (tm_ncc_map), so a cell half outside the
 * target's breech face is scored over the common points only.
 */
#define G_LOG_DOMAIN "tm-cmc"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tm-cmc.h"

void
tm_cmc_params_init (TmCmcParams *params)
{
  g_return_if_fail (params != NULL);

  params->pixel_um = 12.5;
  params->grid_cells = 8;
  params->min_valid = 0.15;
  params->search_factor = 3.0;
  params->min_overlap = 0.8;
  params->angle_step_deg = 3.0;
  params->n_angle_steps = 1;
  params->t_ccf = 0.5;
  params->t_theta_deg = 6.0;
  params->t_xy_um = 125.0;
  params->tau = 1;
  params->coarse_to_fine = TRUE;
}

void
tm_cmc_result_clear (TmCmcResult *result)
{
  g_clear_pointer (&result->cells, g_array_unref);
}

void
tm_registration_invert (const TmRegistration *reg,
                        TmRegistration       *out)
{
  double a = -reg->angle_deg * G_PI / 180.0, c = cos (a), s = sin (a);
  TmRegistration r = *reg;

  /* q = R(−θ)(p − c_B − t) + c_A: angle −θ, translation −R(−θ)·t */
  r.angle_deg = fmod (360.0 - reg->angle_deg, 360.0);
  r.dx_um = -(c * reg->dx_um - s * reg->dy_um);
  r.dy_um = -(s * reg->dx_um + c * reg->dy_um);
  *out = r;
}

typedef struct
{
  int          x, y;      /* top-left in the level grid */
  TmNccSpectra spectra;   /* at the level (single-level search) or the coarse level */
  float       *tmpl;      /* coarse to fine: the cell at the level as three side × side
                           * planes, value about its mean (0 where invalid), value², and
                           * validity (1 or 0): the direct correlation is branch-free */
  gsize        n_valid;   /* valid points of the cell at the level */
} Cell;

struct _TmCmcCells
{
  const TmLevel   *level;
  const TmLevel   *coarse;   /* the level at 2 × pixel_um, or NULL: single level */
  double           pixel_um;
  int              side;     /* cell side, level pixels */
  int              region;   /* search region side = FFT size (at the coarse level when
                              * coarse-to-fine) */
  int              margin;   /* (region − side) / 2, in the same pixels as region */
  int              cside;    /* coarse cell side = side / 2 */
  int              x0, y0;   /* grid origin */
  int              n_grid;
  const TmFftPlan *plan;
  GArray          *cells;    /* Cell */
};

#define MIN_COARSE_CELL 8  /* coarse-level pixels per cell side for coarse to fine */

TmCmcCells *
tm_cmc_cells_new (const TmPyramid   *reference,
                  const TmCmcParams *params)
{
  TmCmcParams defaults;
  TmCmcCells *self;
  const TmGrid *g;
  int bx0 = G_MAXINT, by0 = G_MAXINT, bx1 = -1, by1 = -1, extent;
  TmNccWork work;

  g_return_val_if_fail (reference != NULL, NULL);

  if (params == NULL)
    {
      tm_cmc_params_init (&defaults);
      params = &defaults;
    }
  self = g_new0 (TmCmcCells, 1);
  self->level = tm_pyramid_get_level (reference, params->pixel_um);
  self->pixel_um = self->level->pixel_um;
  self->cells = g_array_new (FALSE, TRUE, sizeof (Cell));
  g = self->level->grid;
  if (params->coarse_to_fine)
    {
      const TmLevel *c = tm_pyramid_get_level (reference, 2 * self->pixel_um);

      /* only an exact factor 2 keeps a coarse pixel on two level pixels */
      if (fabs (c->pixel_um - 2 * self->pixel_um) < 1e-3 * self->pixel_um)
        self->coarse = c;
    }

  for (int y = 0; y < g->h; y++)
    for (int x = 0; x < g->w; x++)
      if (!isnan (g->z[(gsize)y * g->w + x]))
        {
          bx0 = MIN (bx0, x);
          bx1 = MAX (bx1, x);
          by0 = MIN (by0, y);
          by1 = MAX (by1, y);
        }
  if (bx1 < 0)
    return self;

  self->n_grid = MAX (params->grid_cells, 1);
  extent = MAX (bx1 - bx0 + 1, by1 - by0 + 1);
  self->side = MAX (4, (extent + self->n_grid - 1) / self->n_grid);
  /* centre the square grid on the bounding box */
  self->x0 = (bx0 + bx1 + 1) / 2 - self->side * self->n_grid / 2;
  self->y0 = (by0 + by1 + 1) / 2 - self->side * self->n_grid / 2;
  /* a coarse cell of a few pixels has no peak worth climbing from (a 100 px image at
   * 6.25 µm has 6 px cells at 12.5 µm): search such small cells at the level itself */
  if (self->coarse != NULL && self->side / 2 < MIN_COARSE_CELL)
    self->coarse = NULL;
  if (self->coarse != NULL)
    {
      /* even side and origin: coarse pixel i is exactly level pixels 2i and 2i + 1 */
      self->side += self->side & 1;
      self->x0 -= self->x0 & 1;
      self->y0 -= self->y0 & 1;
      self->cside = self->side / 2;
      self->region = tm_fft_fast_size ((int)ceil (MAX (params->search_factor, 1.0) * self->cside));
      self->margin = (self->region - self->cside) / 2;
    }
  else
    {
      self->region = tm_fft_fast_size ((int)ceil (MAX (params->search_factor, 1.0) * self->side));
      self->margin = (self->region - self->side) / 2;
    }
  self->plan = tm_fft_plan_get (self->region, self->region);

  tm_ncc_work_init (&work, self->plan);
  for (int j = 0; j < self->n_grid; j++)
    for (int i = 0; i < self->n_grid; i++)
      {
        Cell cell = { self->x0 + i * self->side, self->y0 + j * self->side };
        gsize valid = 0;
        double sum = 0;

        for (int y = cell.y; y < cell.y + self->side; y++)
          for (int x = cell.x; x < cell.x + self->side; x++)
            if (x >= 0 && y >= 0 && x < g->w && y < g->h && !isnan (g->z[(gsize)y * g->w + x]))
              {
                valid++;
                sum += g->z[(gsize)y * g->w + x];
              }
        if (valid < params->min_valid * self->side * self->side || valid < 8)
          continue;
        cell.n_valid = valid;
        tm_ncc_spectra_init (&cell.spectra, self->plan);
        if (self->coarse != NULL)
          {
            float mean = (float)(sum / valid);

            gsize plane = (gsize)self->side * self->side;

            cell.tmpl = g_new0 (float, 3 * plane);
            for (int y = 0; y < self->side; y++)
              for (int x = 0; x < self->side; x++)
                {
                  int gx = cell.x + x, gy = cell.y + y;
                  gsize k = (gsize)y * self->side + x;
                  float v;

                  if (gx < 0 || gy < 0 || gx >= g->w || gy >= g->h)
                    continue;
                  v = g->z[(gsize)gy * g->w + gx];
                  if (isnan (v))
                    continue;
                  cell.tmpl[k] = v - mean;
                  cell.tmpl[plane + k] = (v - mean) * (v - mean);
                  cell.tmpl[2 * plane + k] = 1.0f;
                }
            tm_ncc_spectra_set (&cell.spectra, &work, self->coarse->grid, cell.x / 2,
                                cell.y / 2, self->cside, self->cside);
          }
        else
          tm_ncc_spectra_set (&cell.spectra, &work, g, cell.x, cell.y, self->side, self->side);
        g_array_append_val (self->cells, cell);
      }
  tm_ncc_work_clear (&work);
  return self;
}

void
tm_cmc_cells_free (TmCmcCells *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->cells->len; i++)
    {
      Cell *cell = &g_array_index (self->cells, Cell, i);

      tm_ncc_spectra_clear (&cell->spectra);
      g_free (cell->tmpl);
    }
  g_array_unref (self->cells);
  g_free (self);
}

guint
tm_cmc_cells_count (const TmCmcCells *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->cells->len;
}

typedef struct
{
  double ccf;
  double tx, ty;   /* the cell's pose translation, level pixels */
} CellHit;

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median (double *v,
        guint   n)
{
  if (n == 0)
    return 0;
  qsort (v, n, sizeof (double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double
angle_delta (double a,
             double b)
{
  double d = fmod (a - b, 360.0);

  if (d > 180)
    d -= 360;
  if (d < -180)
    d += 360;
  return d;
}

static double
parabola_offset (double l,
                 double m,
                 double r)
{
  double d = l - 2 * m + r;

  if (!isfinite (l) || !isfinite (r) || d >= 0)
    return 0;
  return CLAMP (0.5 * (l - r) / d, -0.5, 0.5);
}

/* ---- coarse to fine: the level's shift by direct masked correlation ---- */

#define REFINE_RADIUS 4  /* level pixels the climb may move from the coarse prediction */

typedef struct
{
  int     wside;   /* side + 2 · REFINE_RADIUS */
  TmGrid *win;     /* the target warped into the reference frame around the cell */
  float  *planes;  /* win as value (0 where invalid), value², validity */
  double  score[(2 * REFINE_RADIUS + 1) * (2 * REFINE_RADIUS + 1)];
} Refine;

/* Masked NCC of the cell against the window at shift (u, v) ∈ [−R, R]²: the same
 * statistic as tm_ncc_map, summed directly over the few shifts the climb visits. */
static double
direct_ncc (const Cell   *cell,
            int           side,
            const Refine *r,
            int           u,
            int           v,
            double        min_count)
{
  gsize plane = (gsize)side * side, wplane = (gsize)r->wside * r->wside;
  const float *tv = cell->tmpl, *tv2 = tv + plane, *tm = tv + 2 * plane;
  double n = 0, sf = 0, sg = 0, sff = 0, sgg = 0, sfg = 0, vf, vg;

  for (int y = 0; y < side; y++)
    {
      gsize o = (gsize)(y + REFINE_RADIUS + v) * r->wside + REFINE_RADIUS + u;
      const float *a = tv + (gsize)y * side, *a2 = tv2 + (gsize)y * side;
      const float *am = tm + (gsize)y * side;
      const float *b = r->planes + o, *b2 = b + wplane, *bm = b + 2 * wplane;
      float rn = 0, rsf = 0, rsg = 0, rsff = 0, rsgg = 0, rsfg = 0;

      /* float within a row (≤ a few dozen terms), double across rows */
      for (int x = 0; x < side; x++)
        {
          rn += am[x] * bm[x];
          rsf += a[x] * bm[x];
          rsff += a2[x] * bm[x];
          rsg += am[x] * b[x];
          rsgg += am[x] * b2[x];
          rsfg += a[x] * b[x];
        }
      n += rn;
      sf += rsf;
      sg += rsg;
      sff += rsff;
      sgg += rsgg;
      sfg += rsfg;
    }
  if (n < MAX (min_count, 4.0))
    return NAN;
  vf = sff - sf * sf / n;
  vg = sgg - sg * sg / n;
  if (vf <= 1e-12 || vg <= 1e-12)
    return NAN;
  return CLAMP ((sfg - sf * sg / n) / sqrt (vf * vg), -1.0, 1.0);
}

static double
refine_score (const Cell *cell,
              int         side,
              Refine     *r,
              int         u,
              int         v,
              double      min_count)
{
  double *s;

  if (abs (u) > REFINE_RADIUS || abs (v) > REFINE_RADIUS)
    return NAN;
  s = &r->score[(v + REFINE_RADIUS) * (2 * REFINE_RADIUS + 1) + u + REFINE_RADIUS];
  if (*s == -3)
    *s = direct_ncc (cell, side, r, u, v, min_count);
  return *s;
}

/* Climbs from shift 0 (the coarse prediction) to the best neighbouring shift until none
 * is better; returns the CCF and the sub-pixel offset from the prediction. The window
 * @r->win must already hold the warped target around the predicted position. */
static double
refine_climb (const Cell *cell,
              int         side,
              Refine     *r,
              double      min_count,
              double     *du,
              double     *dv)
{
  gsize wplane = (gsize)r->wside * r->wside;
  int cu = 0, cv = 0;
  double best;

  for (gsize i = 0; i < wplane; i++)
    {
      float z = r->win->z[i];
      gboolean ok = !isnan (z);

      r->planes[i] = ok ? z : 0.0f;
      r->planes[wplane + i] = ok ? z * z : 0.0f;
      r->planes[2 * wplane + i] = ok ? 1.0f : 0.0f;
    }
  for (guint i = 0; i < G_N_ELEMENTS (r->score); i++)
    r->score[i] = -3;

  best = refine_score (cell, side, r, 0, 0, min_count);
  for (;;)
    {
      int nu = cu, nv = cv;

      for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
          {
            double sc = refine_score (cell, side, r, cu + dx, cv + dy, min_count);

            if (!isnan (sc) && (isnan (best) || sc > best))
              {
                best = sc;
                nu = cu + dx;
                nv = cv + dy;
              }
          }
      if (nu == cu && nv == cv)
        break;
      cu = nu;
      cv = nv;
    }
  *du = cu;
  *dv = cv;
  if (isnan (best))
    return NAN;
  *du += parabola_offset (refine_score (cell, side, r, cu - 1, cv, min_count), best,
                          refine_score (cell, side, r, cu + 1, cv, min_count));
  *dv += parabola_offset (refine_score (cell, side, r, cu, cv - 1, min_count), best,
                          refine_score (cell, side, r, cu, cv + 1, min_count));
  return best;
}

gboolean
tm_cmc_run (const TmCmcCells     *cells,
            const TmPyramid      *target,
            const TmRegistration *reg,
            const TmCmcParams    *params,
            TmCmcResult          *out,
            GCancellable         *cancellable,
            GError              **error)
{
  TmCmcParams defaults;
  const TmLevel *ta, *ra;
  guint n_cells, n_angles;
  double px, t0x, t0y, txy;
  g_autofree CellHit *hits = NULL;
  g_autofree double *angles = NULL;
  g_autofree double *tmp = NULL;
  g_autofree int *best_j = NULL;
  g_autofree guint8 *flag = NULL;
  g_autoptr(TmGrid) warped = NULL;
  g_autofree float *map = NULL;
  TmNccSpectra region;
  TmNccWork work;
  const TmLevel *sref, *stgt;
  Refine refine;
  int wx0, wy0, wext, side, rs, m, kf, cs;
  guint initial = 0, high = 0, best_count = 0;
  double med_a = 0, med_x = 0, med_y = 0;
  gboolean high_ok;

  g_return_val_if_fail (cells != NULL && target != NULL && reg != NULL && out != NULL, FALSE);

  if (params == NULL)
    {
      tm_cmc_params_init (&defaults);
      params = &defaults;
    }
  memset (out, 0, sizeof *out);
  out->cells = g_array_new (FALSE, TRUE, sizeof (TmCmcCell));

  ra = cells->level;
  ta = tm_pyramid_get_level (target, cells->pixel_um);
  px = ra->pixel_um;
  if (fabs (ta->pixel_um - px) > 1e-3 * px)
    {
      g_set_error (error, TM_REGISTRATION_ERROR, TM_REGISTRATION_ERROR_MISMATCH,
                   "The surfaces have different pixel sizes (%g and %g µm): preprocess "
                   "both to the same working pixel size", px, ta->pixel_um);
      return FALSE;
    }
  n_cells = cells->cells->len;
  if (n_cells == 0)
    return TRUE;

  n_angles = 2 * MAX (params->n_angle_steps, 0) + 1;
  angles = g_new (double, n_angles);
  for (guint j = 0; j < n_angles; j++)
    angles[j] = reg->angle_deg + ((int)j - MAX (params->n_angle_steps, 0)) * params->angle_step_deg;
  hits = g_new (CellHit, (gsize)n_cells * n_angles);
  t0x = reg->dx_um / px;
  t0y = reg->dy_um / px;
  txy = params->t_xy_um / px;
  side = cells->side;
  rs = cells->region;
  m = cells->margin;

  /* The FFT search runs at the search level — the coarse level (one pixel per kf = 2
   * level pixels) when coarse-to-fine — over the part of the reference frame the
   * regions cover. */
  kf = cells->coarse != NULL ? 2 : 1;
  cs = side / kf;
  sref = cells->coarse != NULL ? cells->coarse : ra;
  stgt = cells->coarse != NULL ? tm_pyramid_get_level (target, sref->pixel_um) : ta;
  if (fabs (stgt->pixel_um - sref->pixel_um) > 1e-3 * px)
    {
      g_set_error (error, TM_REGISTRATION_ERROR, TM_REGISTRATION_ERROR_MISMATCH,
                   "The target surface has no %g µm level for the cell search: compare "
                   "surfaces prepared with the same parameters", sref->pixel_um);
      return FALSE;
    }
  wx0 = cells->x0 / kf - m;
  wy0 = cells->y0 / kf - m;
  wext = cells->n_grid * cs + rs - cs;
  warped = tm_grid_new (wext, wext);
  map = tm_fft_alloc_real ((gsize)rs * rs);
  tm_ncc_work_init (&work, cells->plan);
  tm_ncc_spectra_init (&region, cells->plan);
  refine.wside = side + 2 * REFINE_RADIUS;
  refine.win = tm_grid_new (refine.wside, refine.wside);
  refine.planes = g_new (float, 3 * (gsize)refine.wside * refine.wside);

  for (guint j = 0; j < n_angles; j++)
    {
      double a = -angles[j] * G_PI / 180.0, c = cos (a), s = sin (a);
      double ra_ = angles[j] * G_PI / 180.0, cr = cos (ra_), sr = sin (ra_);
      /* target in the reference frame: Bw(x) = B(R(θ)(x − c_A) + c_B + t) */
      double wtx = -(c * t0x - s * t0y), wty = -(s * t0x + c * t0y);

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, TM_REGISTRATION_ERROR, TM_REGISTRATION_ERROR_CANCELLED,
                       "The comparison was cancelled");
          tm_ncc_work_clear (&work);
          tm_ncc_spectra_clear (&region);
          tm_fft_free (g_steal_pointer (&map));
          tm_grid_free (refine.win);
          g_free (refine.planes);
          return FALSE;
        }
      tm_grid_warp_into (stgt->grid, stgt->cx, stgt->cy, -angles[j], wtx / kf, wty / kf,
                         sref->cx, sref->cy, wx0, wy0, warped);
      for (guint i = 0; i < n_cells; i++)
        {
          const Cell *cell = &g_array_index (cells->cells, Cell, i);
          CellHit *hit = &hits[(gsize)i * n_angles + j];
          int bu = 0, bv = 0;
          double best = -2, du, dv;

          tm_ncc_spectra_set (&region, &work, warped, cell->x / kf - m - wx0,
                              cell->y / kf - m - wy0, rs, rs);
          /* most of the cell must land on valid target points: an NCC over a sliver of
           * a few dozen points reaches T_CCF by chance */
          tm_ncc_map_window (&cell->spectra, &region, &work,
                             params->min_overlap * cell->spectra.n_valid,
                             0, rs - cs, 0, rs - cs, map);
          for (int v = 0; v <= rs - cs; v++)
            for (int u = 0; u <= rs - cs; u++)
              {
                float sc = map[(gsize)v * rs + u];

                if (!isnan (sc) && sc > best)
                  {
                    best = sc;
                    bu = u;
                    bv = v;
                  }
              }
          du = bu - m;
          dv = bv - m;
          if (best > -2 && kf == 2)
            {
              /* the coarse peak predicts the shift within a level pixel or two: climb
               * to the level's own maximum, where the CCF is read */
              int d0x = 2 * (bu - m), d0y = 2 * (bv - m);

              tm_grid_warp_into (ta->grid, ta->cx, ta->cy, -angles[j], wtx, wty,
                                 ra->cx, ra->cy, cell->x + d0x - REFINE_RADIUS,
                                 cell->y + d0y - REFINE_RADIUS, refine.win);
              best = refine_climb (cell, side, &refine, params->min_overlap * cell->n_valid,
                                   &du, &dv);
              du += d0x;
              dv += d0y;
              if (isnan (best))
                best = -2;
            }
          else if (best > -2)
            {
              if (bu > 0 && bu < rs - cs)
                du += parabola_offset (map[(gsize)bv * rs + bu - 1], best,
                                       map[(gsize)bv * rs + bu + 1]);
              if (bv > 0 && bv < rs - cs)
                dv += parabola_offset (map[(gsize)(bv - 1) * rs + bu], best,
                                       map[(gsize)(bv + 1) * rs + bu]);
            }
          hit->ccf = best > -2 ? best : 0;
          /* cell pose translation: t + R(θ)·d */
          hit->tx = t0x + cr * du - sr * dv;
          hit->ty = t0y + sr * du + cr * dv;
        }
    }
  tm_grid_free (refine.win);
  g_free (refine.planes);
  tm_ncc_work_clear (&work);
  tm_ncc_spectra_clear (&region);

  /* initial CMC: each cell at its best angle, congruent with the medians */
  best_j = g_new (int, n_cells);
  tmp = g_new (double, n_cells * 3 + n_angles);
  {
    guint k = 0;
    double *va = tmp, *vx = tmp + n_cells, *vy = tmp + 2 * n_cells;

    for (guint i = 0; i < n_cells; i++)
      {
        best_j[i] = 0;
        for (guint j = 1; j < n_angles; j++)
          if (hits[(gsize)i * n_angles + j].ccf > hits[(gsize)i * n_angles + best_j[i]].ccf)
            best_j[i] = j;
        if (hits[(gsize)i * n_angles + best_j[i]].ccf >= params->t_ccf)
          {
            va[k] = angle_delta (angles[best_j[i]], reg->angle_deg);
            vx[k] = hits[(gsize)i * n_angles + best_j[i]].tx;
            vy[k] = hits[(gsize)i * n_angles + best_j[i]].ty;
            k++;
          }
      }
    med_a = reg->angle_deg + median (va, k);
    med_x = median (vx, k);
    med_y = median (vy, k);
    if (k == 0)
      {
        med_x = t0x;
        med_y = t0y;
      }
  }
  flag = g_new0 (guint8, n_cells);
  for (guint i = 0; i < n_cells; i++)
    {
      const CellHit *h = &hits[(gsize)i * n_angles + best_j[i]];

      if (h->ccf >= params->t_ccf &&
          fabs (angle_delta (angles[best_j[i]], med_a)) <= params->t_theta_deg &&
          fabs (h->tx - med_x) <= txy && fabs (h->ty - med_y) <= txy)
        {
          flag[i] = 1;
          initial++;
        }
    }

  /* high CMC: a congruent count per angle, merged over the angles within τ of the best */
  {
    g_autofree guint *count = g_new0 (guint, n_angles);
    g_autofree double *mx = g_new (double, n_angles);
    g_autofree double *my = g_new (double, n_angles);
    double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

    for (guint j = 0; j < n_angles; j++)
      {
        double *vx = tmp, *vy = tmp + n_cells;
        guint k = 0;

        for (guint i = 0; i < n_cells; i++)
          if (hits[(gsize)i * n_angles + j].ccf >= params->t_ccf)
            {
              vx[k] = hits[(gsize)i * n_angles + j].tx;
              vy[k] = hits[(gsize)i * n_angles + j].ty;
              k++;
            }
        mx[j] = median (vx, k);
        my[j] = median (vy, k);
        for (guint i = 0; i < n_cells; i++)
          {
            const CellHit *h = &hits[(gsize)i * n_angles + j];

            if (h->ccf >= params->t_ccf && fabs (h->tx - mx[j]) <= txy &&
                fabs (h->ty - my[j]) <= txy)
              count[j]++;
          }
        best_count = MAX (best_count, count[j]);
      }
    for (guint j = 0; j < n_angles; j++)
      if (best_count > 0 && count[j] + params->tau >= best_count)
        {
          lo = MIN (lo, angles[j]);
          hi = MAX (hi, angles[j]);
        }
    high_ok = best_count > 0 && hi - lo <= params->t_theta_deg + 1e-9;
    if (high_ok)
      {
        for (guint i = 0; i < n_cells; i++)
          {
            gboolean any = FALSE;

            for (guint j = 0; j < n_angles && !any; j++)
              {
                const CellHit *h = &hits[(gsize)i * n_angles + j];

                any = count[j] + params->tau >= best_count && h->ccf >= params->t_ccf &&
                      fabs (h->tx - mx[j]) <= txy && fabs (h->ty - my[j]) <= txy;
              }
            flag[i] = any;
            high += any;
          }
      }
  }

  out->initial_cmc = initial;
  out->high_cmc = high_ok ? high : 0;
  out->cmc = high_ok ? high : initial;
  out->consensus_angle_deg = fmod (med_a + 360.0, 360.0);
  out->consensus_dx_um = med_x * px;
  out->consensus_dy_um = med_y * px;
  for (guint i = 0; i < n_cells; i++)
    {
      const Cell *cell = &g_array_index (cells->cells, Cell, i);
      const CellHit *h = &hits[(gsize)i * n_angles + best_j[i]];
      TmCmcCell rc;

      rc.x_um = cell->x * px;
      rc.y_um = cell->y * px;
      rc.w_um = rc.h_um = side * px;
      rc.angle_deg = fmod (angles[best_j[i]] + 720.0, 360.0);
      rc.dx_um = h->tx * px;
      rc.dy_um = h->ty * px;
      rc.ccf = h->ccf;
      rc.congruent = flag[i];
      g_array_append_val (out->cells, rc);
    }
  tm_fft_free (g_steal_pointer (&map));
  return TRUE;
}
