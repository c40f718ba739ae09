/* test-cmc.c — congruent matching cells on synthetic surfaces with known answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "tm-cmc.h"
#include "tm-comparison.h"
#include "tm-preprocess.h"
#include "tm-registration.h"

/* Breech-face-like texture (smoothed noise) on an annulus, NaN elsewhere. The texture's
 * correlation length (σ 1.5 px at 6.25 µm) is small against the cells (~25 px at the
 * 12.5 µm CMC resolution), as breech-face marks are against real cells. */
static TmSurface *
make_texture (guint   side,
              guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(TmGrid) grid = tm_grid_new (side, side);
  TmSurface *s = tm_surface_new (side, side, 6.25, 6.25, TM_MODALITY_3D);
  float *d = tm_surface_get_data (s);
  double c = (side - 1) / 2.0;

  for (guint i = 0; i < side * side; i++)
    grid->z[i] = (float)g_rand_double_range (rand, -1, 1);
  tm_grid_gaussian (grid, 1.5);
  for (guint y = 0; y < side; y++)
    for (guint x = 0; x < side; x++)
      {
        double r = hypot (x - c, y - c) / side;

        d[y * side + x] = (r > 0.12 && r < 0.47) ? grid->z[y * side + x] : NAN;
      }
  tm_surface_sync_mask (s);
  return s;
}

static void
add_noise (TmSurface *s,
           double     amplitude,
           guint32    seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  float *d = tm_surface_get_data (s);
  gsize n = (gsize)tm_surface_get_width (s) * tm_surface_get_height (s);

  for (gsize i = 0; i < n; i++)
    if (!isnan (d[i]))
      d[i] += (float)g_rand_double_range (rand, -amplitude, amplitude);
}

static void
check_cells (TmComparison          *cmp,
             TmComparisonDirection  direction,
             double                 extent_um)
{
  guint n, congruent = 0;
  const TmCmcCell *cells = tm_comparison_get_cells (cmp, direction, &n);

  g_assert_cmpuint (n, >=, 20);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (isfinite (cells[i].ccf));
      g_assert_cmpfloat (cells[i].ccf, <=, 1.0);
      g_assert_true (isfinite (cells[i].dx_um) && isfinite (cells[i].dy_um));
      g_assert_cmpfloat (cells[i].angle_deg, >=, 0.0);
      g_assert_cmpfloat (cells[i].angle_deg, <, 360.0);
      g_assert_cmpfloat (cells[i].x_um + cells[i].w_um, >, 0);
      g_assert_cmpfloat (cells[i].x_um, <, extent_um);
      g_assert_cmpfloat (cells[i].y_um, <, extent_um);
      congruent += cells[i].congruent;
    }
  g_assert_cmpuint (congruent, ==, tm_comparison_get_cmc (cmp, direction));
}

/* A surface against its own noisy, rotated and shifted copy: most cells congruent, in
 * both directions, at the true pose. */
static void
test_same_source (void)
{
  g_autoptr(TmSurface) a = make_texture (400, 21);
  g_autoptr(TmSurface) b = tm_surface_transform (a, 123.0, 4.0, -6.0);
  g_autoptr(TmComparison) cmp = NULL;
  g_autoptr(GError) error = NULL;
  guint n_ab, n_ba;

  add_noise (b, 0.15, 3);
  cmp = tm_compare_surfaces (a, b, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cmp);
  tm_comparison_get_cells (cmp, TM_COMPARISON_A_TO_B, &n_ab);
  tm_comparison_get_cells (cmp, TM_COMPARISON_B_TO_A, &n_ba);
  g_test_message ("same source: CMC %u/%u and %u/%u, ACCF %.3f, angle %.2f",
                  tm_comparison_get_cmc (cmp, TM_COMPARISON_A_TO_B), n_ab,
                  tm_comparison_get_cmc (cmp, TM_COMPARISON_B_TO_A), n_ba,
                  tm_comparison_get_accf (cmp), tm_comparison_get_angle_deg (cmp));
  g_assert_cmpfloat (fabs (tm_comparison_get_angle_deg (cmp) - 123.0), <=, 1.0);
  g_assert_cmpuint (tm_comparison_get_cmc (cmp, TM_COMPARISON_A_TO_B), >=, n_ab * 7 / 10);
  g_assert_cmpuint (tm_comparison_get_cmc (cmp, TM_COMPARISON_B_TO_A), >=, n_ba * 7 / 10);
  g_assert_cmpfloat (tm_comparison_get_score (cmp), >=, 0.7 * MIN (n_ab, n_ba));
  check_cells (cmp, TM_COMPARISON_A_TO_B, 400 * 6.25);
  check_cells (cmp, TM_COMPARISON_B_TO_A, 400 * 6.25);
}

/* Independent textures: few congruent cells, a low ACCF — for several pairs of seeds,
 * so the test does not rest on one lucky draw (6 pairs measured: scores 0.5–2). */
static void
test_different_source (void)
{
  for (guint32 seed = 21; seed < 27; seed += 2)
    {
      g_autoptr(TmSurface) a = make_texture (400, seed);
      g_autoptr(TmSurface) b = make_texture (400, seed + 1);
      g_autoptr(TmComparison) cmp = NULL;
      g_autoptr(GError) error = NULL;

      cmp = tm_compare_surfaces (a, b, NULL, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("different source %u/%u: CMC %u and %u, ACCF %.3f", seed, seed + 1,
                      tm_comparison_get_cmc (cmp, TM_COMPARISON_A_TO_B),
                      tm_comparison_get_cmc (cmp, TM_COMPARISON_B_TO_A),
                      tm_comparison_get_accf (cmp));
      g_assert_cmpfloat (tm_comparison_get_score (cmp), <=, 3.0);
      g_assert_cmpfloat (tm_comparison_get_accf (cmp), <, 0.5);
      check_cells (cmp, TM_COMPARISON_A_TO_B, 400 * 6.25);
    }
}

/* Given the true pose directly, each cell finds it on its own — searched coarse to fine
 * (the default) or over the whole region at the cell resolution. */
static void
check_known_pose (gboolean coarse_to_fine)
{
  g_autoptr(TmSurface) a = make_texture (400, 5);
  g_autoptr(TmSurface) b = tm_surface_transform (a, 200.0, -3.0, 2.0);
  g_autoptr(TmPyramid) pa = tm_pyramid_new (a, NULL);
  g_autoptr(TmPyramid) pb = tm_pyramid_new (b, NULL);
  g_autoptr(TmCmcCells) cells = NULL;
  g_autoptr(GError) error = NULL;
  TmRegistration reg = { 200.0, -3.0 * 6.25, 2.0 * 6.25, 0 };
  TmCmcResult res = { 0 };
  TmCmcParams params;

  tm_cmc_params_init (&params);
  params.coarse_to_fine = coarse_to_fine;
  cells = tm_cmc_cells_new (pa, &params);
  g_assert_true (tm_cmc_run (cells, pb, &reg, &params, &res, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (res.cells->len, ==, tm_cmc_cells_count (cells));
  g_assert_cmpuint (res.cmc, >=, res.cells->len * 8 / 10);
  g_assert_cmpfloat (fabs (res.consensus_angle_deg - 200.0), <=, 3.0);
  g_assert_cmpfloat (fabs (res.consensus_dx_um + 3.0 * 6.25), <=, 12.5);
  g_assert_cmpfloat (fabs (res.consensus_dy_um - 2.0 * 6.25), <=, 12.5);
  for (guint i = 0; i < res.cells->len; i++)
    {
      const TmCmcCell *c = &g_array_index (res.cells, TmCmcCell, i);

      /* a congruent cell's own shift is the true one to within a pixel */
      if (c->congruent)
        {
          g_assert_cmpfloat (fabs (c->dx_um + 3.0 * 6.25), <=, 12.5);
          g_assert_cmpfloat (fabs (c->dy_um - 2.0 * 6.25), <=, 12.5);
        }
    }
  tm_cmc_result_clear (&res);
}

static void
test_cells_at_known_pose (void)
{
  check_known_pose (TRUE);
}

static void
test_cells_at_known_pose_single_level (void)
{
  check_known_pose (FALSE);
}

static void
test_invert (void)
{
  TmRegistration reg = { 37.0, 120.0, -45.0, 0.7 }, inv, back;

  tm_registration_invert (&reg, &inv);
  g_assert_cmpfloat (fabs (inv.angle_deg - 323.0), <, 1e-9);
  tm_registration_invert (&inv, &back);
  g_assert_cmpfloat (fabs (back.angle_deg - 37.0), <, 1e-9);
  g_assert_cmpfloat (fabs (back.dx_um - 120.0), <, 1e-9);
  g_assert_cmpfloat (fabs (back.dy_um + 45.0), <, 1e-9);
}

/* A surface with almost nothing valid yields no cells and no error. */
static void
test_empty_cells (void)
{
  g_autoptr(TmSurface) a = tm_surface_new (64, 64, 6.25, 6.25, TM_MODALITY_3D);
  g_autoptr(TmPyramid) pa = NULL;
  g_autoptr(TmCmcCells) cells = NULL;

  pa = tm_pyramid_new (a, NULL);
  cells = tm_cmc_cells_new (pa, NULL);
  g_assert_cmpuint (tm_cmc_cells_count (cells), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cmc/same-source", test_same_source);
  g_test_add_func ("/cmc/different-source", test_different_source);
  g_test_add_func ("/cmc/known-pose", test_cells_at_known_pose);
  g_test_add_func ("/cmc/known-pose/single-level", test_cells_at_known_pose_single_level);
  g_test_add_func ("/cmc/invert", test_invert);
  g_test_add_func ("/cmc/empty", test_empty_cells);

  return g_test_run ();
}
