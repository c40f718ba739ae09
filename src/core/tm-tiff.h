/* tm-tiff.h — TIFF reader and writer (libtiff): grey, RGB(A), float height maps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-surface.h"

G_BEGIN_DECLS

/* @pixel_um: the user's pixel size, or 0. Used where the file has no usable resolution
 * tags; without either the read fails with TM_FORMAT_ERROR_UNITS. 8/16-bit and RGB(A)
 * images read as 2D intensities; 32-bit float as 3D heights in µm. */
TmSurface *tm_tiff_read_bytes  (GBytes      *bytes,
                                const char  *display_name,
                                double       pixel_um,
                                GError     **error);
TmSurface *tm_tiff_read_file   (const char  *path,
                                double       pixel_um,
                                GError     **error);
/* 3D surfaces as 32-bit float (NaN invalid), 2D as 32-bit float too so nothing is lost;
 * resolution tags in centimetres carry the pixel size. */
GBytes    *tm_tiff_write_bytes (TmSurface   *surface,
                                GError     **error);
gboolean   tm_tiff_write_file  (TmSurface   *surface,
                                const char  *path,
                                GError     **error);

G_END_DECLS
