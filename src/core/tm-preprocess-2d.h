/* tm-preprocess-2d.h — 2D images (ring-light / reflectance intensities) to comparable surfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-preprocess.h"
#include "tm-surface.h"

G_BEGIN_DECLS

/* The whole 2D pipeline (tm_preprocess_surface() routes TM_MODALITY_2D surfaces here):
 * region of interest → illumination levelling → radial trend removal → band-pass
 * (params' cutoffs, the same normalised convolution as 3D) → resample → erode →
 * zero mean / unit variance. Same contract as tm_preprocess_surface(): a new surface at
 * params->pixel_um with NaN outside the breech face; @out_roi (optional) the primer and
 * firing-pin circles found (input pixels); @out_firing_pin (optional) the firing-pin
 * region, levelled, band-passed and normalised the same way, or NULL. */
TmSurface *tm_preprocess_2d_surface     (TmSurface                *surface,
                                         const TmPreprocessParams *params,
                                         TmBreechFaceRoi          *out_roi,
                                         TmSurface               **out_firing_pin,
                                         GError                  **error);

/* The primer disc and the firing-pin hole of a fully valid image, as the strongest
 * circular intensity edges about the image centre. An image that already has invalid
 * points (a transparent mask, a user mask) keeps its mask: the primer is then the valid
 * region's centroid and equivalent radius, and no hole is looked for. Returns FALSE with
 * @error only when the image has too few valid points. */
gboolean   tm_preprocess_2d_find_roi    (TmSurface                *surface,
                                         TmBreechFaceRoi          *out_roi,
                                         GError                  **error);

/* Divides the intensities by their NaN-aware Gaussian background of cutoff
 * @background_um (a multiplicative illumination gradient also scales the texture's
 * contrast, which subtracting cannot undo); subtracts it instead when the background
 * is not positive everywhere (signed data). */
void       tm_preprocess_2d_level_illumination (TmSurface *surface,
                                                double     background_um);

/* Subtracts the median intensity of each one-pixel ring about (@cx, @cy) (pixels),
 * smoothed over neighbouring rings: the radial trend of a ring light. */
void       tm_preprocess_2d_remove_radial_trend (TmSurface *surface,
                                                 double     cx,
                                                 double     cy);

/* Zero mean and unit variance over the valid points (nothing when fewer than 2). */
void       tm_preprocess_2d_normalize   (TmSurface                *surface);

/* Keeps only the pixels of @surface where the mask image @png (same size) is opaque and
 * not black: a region of interest drawn by the user. */
gboolean   tm_preprocess_2d_apply_mask_png (TmSurface             *surface,
                                            GBytes                *png,
                                            const char            *display_name,
                                            GError               **error);

G_END_DECLS
