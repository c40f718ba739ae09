/* tm-cmc.h — congruent matching cells (Song 2013; Tong 2015 high CMC)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tm-registration.h"

G_BEGIN_DECLS

/**
 * TmCmcParams:
 * @pixel_um: resolution at which cells are registered (default 12.5 µm; see tm-cmc.c)
 * @grid_cells: cells per side of the grid laid over the reference's valid bounding box
 *   (default 8, as NIST and cmcR)
 * @min_valid: a cell counts only when at least this fraction of it is valid (0.15)
 * @search_factor: side of the search region in the target / cell side (default 3, as
 *   cmcR; the region is centred where the global registration puts the cell)
 * @min_overlap: fraction of a cell's valid points that must fall on valid target points
 *   for a position to count (default 0.8)
 * @angle_step_deg, @n_angle_steps: angles tried per cell, θ* + k·step for
 *   |k| ≤ n_angle_steps around the global registration angle θ* (3°, 1: θ* ± 3°)
 * @t_ccf: CCF threshold T_CCF (default 0.5)
 * @t_theta_deg: angle congruence threshold Tθ (default 6°)
 * @t_xy_um: translation congruence threshold Tx = Ty (default 125 µm = 20 px at 6.25)
 * @tau: high-CMC tolerance τ (default 1)
 * @coarse_to_fine: find each cell's peak over the search region at twice @pixel_um, then
 *   climb to the best shift at @pixel_um by direct correlation (default TRUE; FALSE
 *   searches the whole region at @pixel_um, 4× the FFT points)
 */
typedef struct
{
  double pixel_um;
  int    grid_cells;
  double min_valid;
  double search_factor;
  double min_overlap;
  double angle_step_deg;
  int    n_angle_steps;
  double t_ccf;
  double t_theta_deg;
  double t_xy_um;
  int    tau;
  gboolean coarse_to_fine;
} TmCmcParams;

void tm_cmc_params_init (TmCmcParams *params);

/**
 * TmCmcCell:
 * @x_um, @y_um, @w_um, @h_um: the cell in the reference, µm from its top-left corner
 * @angle_deg, @dx_um, @dy_um: the cell's own registration in the pose convention of
 *   #TmRegistration (reference → target)
 * @ccf: the cell's CCF maximum
 * @congruent: whether the cell agrees with the consensus within the thresholds
 */
typedef struct
{
  double   x_um, y_um, w_um, h_um;
  double   angle_deg;
  double   dx_um, dy_um;
  double   ccf;
  gboolean congruent;
} TmCmcCell;

/* One direction (reference → target) of a CMC comparison. */
typedef struct
{
  GArray *cells;           /* TmCmcCell, the cells that counted (≥ min_valid) */
  guint   initial_cmc;     /* Song 2013: best angle per cell, congruent to the medians */
  guint   high_cmc;        /* Tong 2015: merged over angles within τ of the best count */
  guint   cmc;             /* the count reported: high CMC, or initial when it failed */
  double  consensus_angle_deg;
  double  consensus_dx_um;
  double  consensus_dy_um;
} TmCmcResult;

void tm_cmc_result_clear (TmCmcResult *result);

/* The reference side of CMC: cells and their spectra, reusable against any target. */
typedef struct _TmCmcCells TmCmcCells;

TmCmcCells *tm_cmc_cells_new   (const TmPyramid   *reference,
                                const TmCmcParams *params);
void        tm_cmc_cells_free  (TmCmcCells        *cells);
guint       tm_cmc_cells_count (const TmCmcCells  *cells);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmCmcCells, tm_cmc_cells_free)

/* Registers every cell of @cells in @target around the pose @reg (reference → target). */
gboolean tm_cmc_run (const TmCmcCells     *cells,
                     const TmPyramid      *target,
                     const TmRegistration *reg,
                     const TmCmcParams    *params,
                     TmCmcResult          *out,
                     GCancellable         *cancellable,
                     GError              **error);

/* The pose target → reference of a pose reference → target. */
void tm_registration_invert (const TmRegistration *reg,
                             TmRegistration       *out);

G_END_DECLS
