/* tm-x3p.h — ISO 25178-72 X3P (ISO 5436-2 container) reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-surface.h"

G_BEGIN_DECLS

/* Reads an X3P file held in memory. Errors are in TM_FORMAT_ERROR and name @display_name. */
TmSurface *tm_x3p_read_bytes  (GBytes      *bytes,
                               const char  *display_name,
                               GError     **error);
TmSurface *tm_x3p_read_file   (const char  *path,
                               GError     **error);
/* Writes a schema-conformant X3P (Record1–4, full Record2 from the surface metadata,
 * both MD5s), heights in metres as DataType D. 2D surfaces are written as heights too. */
GBytes    *tm_x3p_write_bytes (TmSurface   *surface,
                               GError     **error);
gboolean   tm_x3p_write_file  (TmSurface   *surface,
                               const char  *path,
                               GError     **error);

G_END_DECLS
