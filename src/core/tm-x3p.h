/* tm-x3p.h — ISO 25178-72 X3P (ISO 5436-2 container) reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-surface.h"

G_BEGIN_DECLS

/* Set by the reader when a file lacks a checksum that ISO 5436-2 asks for (the file is
 * read all the same): a comma-separated list of the parts that could not be verified,
 * e.g. "main.xml" (no md5checksum.hex) or "bindata/data.bin" (no MD5ChecksumPointData).
 * Absent when every checksum was present and matched. */
#define TM_X3P_META_UNVERIFIED  "x3p.unverified"

/* Largest main.xml the reader inflates. The text DataList form stores every point in
 * main.xml, so this is far above the ~2 KiB of a binary-linked file. */
#define TM_X3P_MAIN_XML_MAX     (G_GUINT64_CONSTANT (64) * 1024 * 1024)

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
