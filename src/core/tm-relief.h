/* tm-relief.h — surfaces rendered to RGBA images: shaded relief, false colour, grey
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-surface.h"

G_BEGIN_DECLS

/**
 * TmReliefMode:
 * @TM_RELIEF_SHADED: Lambert shading of the surface normals under a movable light
 *   (3D scans; a 2D image is drawn in grey instead, shading intensities means nothing)
 * @TM_RELIEF_FALSE_COLOUR: heights through a perceptual colour map whose lightness rises
 *   monotonically, so it stays legible when printed in grey
 * @TM_RELIEF_GREY: heights (or intensities) in grey between the levels
 */
typedef enum
{
  TM_RELIEF_SHADED,
  TM_RELIEF_FALSE_COLOUR,
  TM_RELIEF_GREY,
} TmReliefMode;

/**
 * TmReliefParams:
 * @mode: what to draw
 * @azimuth_deg: direction the light comes from, clockwise from the top of the image
 *   (315° = top left, the cartographic convention)
 * @elevation_deg: height of the light above the surface plane, 0..90°
 * @low: lower level as a quantile (0..1) of the valid samples, e.g. 0.01
 * @high: upper level as a quantile (0..1) of the valid samples, e.g. 0.99
 * @exaggerate: for shading, scale heights so that the 90th percentile of the slopes is
 *   drawn at 45°: band-passed breech faces are nearly flat at true scale
 */
typedef struct
{
  TmReliefMode mode;
  double       azimuth_deg;
  double       elevation_deg;
  double       low;
  double       high;
  gboolean     exaggerate;
} TmReliefParams;

/* Shaded, light from 315° at 35°, levels 0.01 / 0.99, no exaggeration. */
void    tm_relief_params_init (TmReliefParams       *params);

/* RGBA, 8 bits per channel, not premultiplied, row stride width × 4; invalid (NaN)
 * points are fully transparent. max_size > 0 downsamples (area average of the valid
 * samples) so that the longer side is at most max_size; 0 keeps the full resolution.
 * Thread-safe: reads the surface only. */
GBytes *tm_relief_render      (TmSurface            *surface,
                               const TmReliefParams *params,
                               guint                 max_size,
                               guint                *out_width,
                               guint                *out_height,
                               GError              **error);

/* The colour of the false-colour map at t in 0..1 (clamped), as 8-bit sRGB. */
void    tm_relief_colormap    (double                t,
                               guint8               *out_rgb);

G_END_DECLS
