/* tm-preprocess.h — levelling, NaN-aware band-pass, resampling and region of interest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-surface.h"

G_BEGIN_DECLS

#define TM_PREPROCESS_ERROR (tm_preprocess_error_quark ())

typedef enum
{
  TM_PREPROCESS_ERROR_EMPTY,      /* no (or too few) valid points to work with */
  TM_PREPROCESS_ERROR_UNSUPPORTED,/* e.g. non-square pixels, 2D image where 3D needed */
} TmPreprocessError;

GQuark tm_preprocess_error_quark (void);

/**
 * TmPreprocessMode:
 * @TM_PREPROCESS_AUTO: decide from the scan: a scan that already has invalid points
 *   around a cropped region (the published "processed" sets) gets the light pass, a scan
 *   without any invalid point (raw instrument output) gets the full pass
 * @TM_PREPROCESS_FULL: find the breech-face region (primer boundary, firing-pin
 *   impression), level, band-pass, resample, erode
 * @TM_PREPROCESS_LIGHT: keep the existing mask; level, band-pass, resample, erode
 */
typedef enum
{
  TM_PREPROCESS_AUTO,
  TM_PREPROCESS_FULL,
  TM_PREPROCESS_LIGHT,
} TmPreprocessMode;

/**
 * TmPreprocessParams:
 * @mode: see #TmPreprocessMode (default AUTO)
 * @pixel_um: working pixel size in µm (default 6.25, the NIST/CSAFE working resolution)
 * @short_cutoff_um: Gaussian short-wavelength cutoff λs in µm (default 16, Chen 2017);
 *   0 disables the low-pass half
 * @long_cutoff_um: Gaussian long-wavelength cutoff λc in µm (default 250, Chen 2017);
 *   0 disables the high-pass half
 * @level_order: 1 = least-squares plane, 2 = second-order surface (default 1)
 * @erode_um: width removed along every edge of the valid region after filtering, where
 *   the normalised convolution had only one side to average (default 12.5 µm)
 * @firing_pin_margin_um: extra ring removed around the detected firing-pin impression
 *   on raw scans (default 60 µm)
 */
typedef struct
{
  TmPreprocessMode mode;
  double           pixel_um;
  double           short_cutoff_um;
  double           long_cutoff_um;
  int              level_order;
  double           erode_um;
  double           firing_pin_margin_um;
} TmPreprocessParams;

void tm_preprocess_params_init (TmPreprocessParams *params);

/**
 * TmBreechFaceRoi:
 * What the region-of-interest search found on a raw scan (pixel coordinates of the input
 * surface). @has_firing_pin is FALSE when no impression was found.
 */
typedef struct
{
  double   primer_cx, primer_cy, primer_r;
  gboolean has_firing_pin;
  double   pin_cx, pin_cy, pin_r;
} TmBreechFaceRoi;

/* The whole import-time pipeline. Returns a new surface at params->pixel_um with NaN
 * outside the breech face. @out_roi (optional) receives the geometry found on raw scans
 * (zeroed for the light pass); @out_firing_pin (optional) receives the firing-pin
 * impression region (levelled, not band-passed) or NULL when none was found. */
TmSurface *tm_preprocess_surface     (TmSurface                *surface,
                                      const TmPreprocessParams *params,
                                      TmBreechFaceRoi          *out_roi,
                                      TmSurface               **out_firing_pin,
                                      GError                  **error);

/* The steps, usable on their own (all in µm of the surface's own pixel size). */
gboolean   tm_preprocess_level       (TmSurface   *surface,
                                      int          order,
                                      GError     **error);
void       tm_preprocess_bandpass    (TmSurface   *surface,
                                      double       short_cutoff_um,
                                      double       long_cutoff_um);
TmSurface *tm_preprocess_resample    (TmSurface   *surface,
                                      double       pixel_um);
void       tm_preprocess_erode       (TmSurface   *surface,
                                      int          radius_px);
gboolean   tm_preprocess_find_roi    (TmSurface       *surface,
                                      TmBreechFaceRoi *out_roi,
                                      GError         **error);

/* ---- float grids used inside the engine (NaN = invalid, row-major, x fastest) ---- */

typedef struct
{
  int    w;
  int    h;
  float *z;
} TmGrid;

TmGrid  *tm_grid_new            (int            w,
                                 int            h);
void     tm_grid_free           (TmGrid        *grid);
TmGrid  *tm_grid_copy           (const TmGrid  *grid);
TmGrid  *tm_grid_from_surface   (TmSurface     *surface);
/* Area-averaging resample to round(w / factor) × round(h / factor); an output point is
 * valid when at least half of its footprint is. */
TmGrid  *tm_grid_resample       (const TmGrid  *grid,
                                 double         factor);
/* NaN-aware Gaussian filter by normalised convolution: G∗(z·m) / G∗m, written back at
 * valid points only. */
void     tm_grid_gaussian       (TmGrid        *grid,
                                 double         sigma_px);
gsize    tm_grid_count_valid    (const TmGrid  *grid);
gsize    tm_grid_valid_centroid (const TmGrid  *grid,
                                 double        *out_cx,
                                 double        *out_cy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmGrid, tm_grid_free)

G_END_DECLS
