/* tm-registration.h — full-circle rotation and translation between two surfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tm-fft.h"
#include "tm-preprocess.h"
#include "tm-surface.h"

G_BEGIN_DECLS

#define TM_REGISTRATION_ERROR (tm_registration_error_quark ())

typedef enum
{
  TM_REGISTRATION_ERROR_EMPTY,       /* a surface has too few valid points */
  TM_REGISTRATION_ERROR_MISMATCH,    /* the two surfaces have different pixel sizes */
  TM_REGISTRATION_ERROR_NO_OVERLAP,  /* no rotation/shift gives enough common area */
  TM_REGISTRATION_ERROR_CANCELLED,
} TmRegistrationError;

GQuark tm_registration_error_quark (void);

/**
 * TmRegistrationParams:
 * @coarse_pixel_um: pixel size of the full-circle angle scan (default 40 µm)
 * @coarse_step_deg: angle step of that scan (default 3°)
 * @n_candidates: best coarse angles carried to the next level (default 3; 5 or 8 did
 *   not make the TopMatch pair hold at coarser scans consistently, bench/README.md)
 * @mid_pixel_um: pixel size of the first refinement (default 25 µm)
 * @mid_step_deg: its angle step, over ± (half a coarse step + one mid step), with
 *   parabolic interpolation of the angle (default 1°)
 * @fine_pixel_um: pixel size of the final refinement, where the ACCF is measured
 *   (default 12.5 µm)
 * @fine_step_deg: its angle step (default 0.25°)
 * @fine_range_deg: angles tried at the fine level, ± this around the mid level's
 *   interpolated angle (default 0: the fine level only refines shift and reads the ACCF)
 * @max_shift_um: largest translation searched (default 1000 µm)
 * @min_overlap: smallest common area, as a fraction of the smaller valid area, at which
 *   a correlation value counts (default 0.3)
 * @angle_center_deg, @angle_range_deg: the angles searched, centre ± range (default
 *   0 ± 180°, the full circle: the orientation of a cartridge case is unknown)
 */
typedef struct
{
  double coarse_pixel_um;
  double coarse_step_deg;
  int    n_candidates;
  double mid_pixel_um;
  double mid_step_deg;
  double fine_pixel_um;
  double fine_step_deg;
  double fine_range_deg;
  double max_shift_um;
  double min_overlap;
  double angle_center_deg;
  double angle_range_deg;
} TmRegistrationParams;

void tm_registration_params_init (TmRegistrationParams *params);

/**
 * TmRegistration:
 * @angle_deg: rotation in [0, 360) degrees, clockwise as displayed (y down)
 * @dx_um, @dy_um: translation in µm
 * @accf: areal cross-correlation maximum (masked normalised CCF) at that pose
 *
 * The pose maps A onto B: a point q of A (pixels) lands on
 * p = R(angle)·(q − c_A) + c_B + (dx, dy) / pixel in B, with c the image centres
 * ((w − 1) / 2, (h − 1) / 2). So for B = tm_surface_transform (A, angle, dx, dy), the
 * registration of (A, B) returns angle, dx, dy.
 */
typedef struct
{
  double angle_deg;
  double dx_um;
  double dy_um;
  double accf;
} TmRegistration;

/* ---- per-surface data reused by every comparison of that surface ---- */

typedef struct
{
  TmGrid *grid;
  double  pixel_um;
  double  cx;     /* the base image centre in this level's pixel coordinates */
  double  cy;
  gsize   n_valid;
} TmLevel;

typedef struct _TmPyramid TmPyramid;

TmPyramid     *tm_pyramid_new          (TmSurface                  *surface,
                                        const TmRegistrationParams *params);
void           tm_pyramid_free         (TmPyramid                  *pyramid);
/* The level closest to @pixel_um (never finer than the surface itself). */
const TmLevel *tm_pyramid_get_level    (const TmPyramid            *pyramid,
                                        double                      pixel_um);
const TmLevel *tm_pyramid_get_base     (const TmPyramid            *pyramid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmPyramid, tm_pyramid_free)

gboolean tm_register_pyramids (const TmPyramid            *a,
                               const TmPyramid            *b,
                               const TmRegistrationParams *params,
                               TmRegistration             *out,
                               GCancellable               *cancellable,
                               GError                    **error);
/* The coarse full-circle scan rotates A by every coarse angle: for a surface compared as
 * A with many others (a search query) those rotated spectra can be computed once. The
 * cache holds 3 spectra per coarse angle (about 20 MB for a 550 px scan at 40 µm) and
 * is read-only once made, so one cache may serve comparisons on several threads. */
typedef struct _TmRotationCache TmRotationCache;

TmRotationCache *tm_rotation_cache_new  (const TmPyramid            *a,
                                         const TmRegistrationParams *params);
void             tm_rotation_cache_free (TmRotationCache            *cache);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmRotationCache, tm_rotation_cache_free)

/* tm_register_pyramids() with A's rotated coarse spectra taken from @cache (made from
 * @a with the same coarse parameters; NULL, or a cache B does not fit in, falls back to
 * rotating A here). Same result up to a sub-pixel placement of the coarse canvas. */
gboolean tm_register_pyramids_cached (const TmPyramid            *a,
                                      const TmRotationCache      *cache,
                                      const TmPyramid            *b,
                                      const TmRegistrationParams *params,
                                      TmRegistration             *out,
                                      GCancellable               *cancellable,
                                      GError                    **error);
gboolean tm_register_surfaces (TmSurface                  *a,
                               TmSurface                  *b,
                               const TmRegistrationParams *params,
                               TmRegistration             *out,
                               GCancellable               *cancellable,
                               GError                    **error);

/* Rotates @surface by @angle_deg about its centre and shifts it by (dx, dy) pixels,
 * keeping its size: out(p) = in(R⁻¹(p − c − d) + c), bilinear over valid neighbours. */
TmSurface *tm_surface_transform (TmSurface *surface,
                                 double     angle_deg,
                                 double     dx_px,
                                 double     dy_px);

/* out(p) = src(R⁻¹(p − (out_cx, out_cy) − (tx, ty)) + (src_cx, src_cy)) for p in the
 * out_w × out_h window starting at (x0, y0) of the output frame. A point is valid when
 * its valid bilinear neighbours carry at least half the weight. */
void tm_grid_warp_into (const TmGrid *src,
                        double        src_cx,
                        double        src_cy,
                        double        angle_deg,
                        double        tx,
                        double        ty,
                        double        out_cx,
                        double        out_cy,
                        int           x0,
                        int           y0,
                        TmGrid       *out);

/* ---- masked normalised cross-correlation (Padfield 2012) by FFT ---- */

/* Spectra of one operand placed at the origin of an rows × cols zero canvas. */
typedef struct
{
  const TmFftPlan *plan;
  fftwf_complex   *f;   /* z (0 where invalid) */
  fftwf_complex   *f2;  /* z² */
  fftwf_complex   *m;   /* validity mask */
  gsize            n_valid;
} TmNccSpectra;

typedef struct
{
  const TmFftPlan *plan;
  float           *real;      /* input canvas */
  float           *sum[6];    /* n, sf, sg, sff, sgg, sfg */
  fftwf_complex   *prod;
} TmNccWork;

void tm_ncc_spectra_init   (TmNccSpectra   *spectra,
                            const TmFftPlan *plan);
void tm_ncc_spectra_clear  (TmNccSpectra   *spectra);
/* Fills the spectra from the w × h window at (x0, y0) of @grid (outside = invalid). */
void tm_ncc_spectra_set    (TmNccSpectra   *spectra,
                            TmNccWork      *work,
                            const TmGrid   *grid,
                            int             x0,
                            int             y0,
                            int             w,
                            int             h);
void tm_ncc_work_init      (TmNccWork      *work,
                            const TmFftPlan *plan);
void tm_ncc_work_clear     (TmNccWork      *work);
/* NCC(u) between template @t and moving @g: the correlation of t(x) with g(x + u), over
 * the common valid points, written to @out (rows × cols, index u mod size); NaN where
 * fewer than @min_count points are common. */
void tm_ncc_map            (const TmNccSpectra *t,
                            const TmNccSpectra *g,
                            TmNccWork          *work,
                            double              min_count,
                            float              *out);
/* The same, evaluated only for shifts u0 ≤ u ≤ u1, v0 ≤ v ≤ v1 (may be negative: taken
 * modulo the size); @out is left untouched elsewhere. */
void tm_ncc_map_window     (const TmNccSpectra *t,
                            const TmNccSpectra *g,
                            TmNccWork          *work,
                            double              min_count,
                            int                 u0,
                            int                 u1,
                            int                 v0,
                            int                 v1,
                            float              *out);

G_END_DECLS
