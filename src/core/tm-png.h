/* tm-png.h — PNG reader (libpng) for 2D images and X3P mask.png files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-surface.h"

G_BEGIN_DECLS

/* A 2D image (grey, grey+alpha, RGB, RGBA, 8 or 16 bit, palette) as intensities; the
 * pixel size comes from the pHYs chunk or @pixel_um. Transparent pixels are invalid. */
TmSurface *tm_png_read_bytes      (GBytes      *bytes,
                                   const char  *display_name,
                                   double       pixel_um,
                                   GError     **error);
/* tm_png_read_bytes() on a file; messages name its base name. */
TmSurface *tm_png_read_file       (const char  *path,
                                   double       pixel_um,
                                   GError     **error);
/* Decodes to 8-bit RGBA (width × height × 4 bytes, row-major). Used for X3P masks. */
guint8    *tm_png_decode_rgba     (const guint8 *data,
                                   gsize         len,
                                   const char   *display_name,
                                   guint        *out_width,
                                   guint        *out_height,
                                   GError      **error);
/* Encodes 8-bit RGBA to PNG bytes (for writing X3P masks and thumbnails). */
GBytes    *tm_png_encode_rgba     (const guint8 *rgba,
                                   guint         width,
                                   guint         height,
                                   GError      **error);

G_END_DECLS
