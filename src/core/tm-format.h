/* tm-format.h — reading and writing surface files: the shared error domain and the
 * format-sniffing entry points used by import.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-surface.h"

G_BEGIN_DECLS

#define TM_FORMAT_ERROR (tm_format_error_quark ())

/**
 * TmFormatError:
 * @TM_FORMAT_ERROR_IO: the file cannot be opened or read
 * @TM_FORMAT_ERROR_UNKNOWN_FORMAT: not an X3P, TIFF or PNG file
 * @TM_FORMAT_ERROR_CORRUPT: truncated or malformed container or structure
 * @TM_FORMAT_ERROR_CHECKSUM: a checksum in the file does not match its content
 * @TM_FORMAT_ERROR_UNSUPPORTED: valid but a variant we do not read (e.g. profiles)
 * @TM_FORMAT_ERROR_TOO_LARGE: declared dimensions or sizes beyond the safety limits
 * @TM_FORMAT_ERROR_NO_DATA: no valid sample at all (e.g. NaN-only)
 * @TM_FORMAT_ERROR_UNITS: missing or implausible pixel size / units
 *
 * Every message names the file and says what is wrong, in words a user can act on:
 * "Fadul 1-1.x3p: data.bin checksum does not match main.xml".
 */
typedef enum
{
  TM_FORMAT_ERROR_IO,
  TM_FORMAT_ERROR_UNKNOWN_FORMAT,
  TM_FORMAT_ERROR_CORRUPT,
  TM_FORMAT_ERROR_CHECKSUM,
  TM_FORMAT_ERROR_UNSUPPORTED,
  TM_FORMAT_ERROR_TOO_LARGE,
  TM_FORMAT_ERROR_NO_DATA,
  TM_FORMAT_ERROR_UNITS,
} TmFormatError;

typedef enum
{
  TM_FILE_FORMAT_UNKNOWN,
  TM_FILE_FORMAT_X3P,
  TM_FILE_FORMAT_TIFF,
  TM_FILE_FORMAT_PNG,
} TmFileFormat;

GQuark        tm_format_error_quark   (void);
TmFileFormat  tm_file_format_sniff    (const guint8 *head,
                                       gsize         len);
const char   *tm_file_format_to_string (TmFileFormat format);

/**
 * tm_surface_load_bytes:
 * @bytes: the whole file
 * @display_name: the name used in error messages (usually the base name)
 * @pixel_um: pixel size given by the user, or 0; for 2D images it overrides a missing
 *   resolution tag (and is required then); for X3P it must agree or is refused
 *
 * Sniffs the format and reads the surface. The caller keeps @bytes (import stores the
 * very same bytes in the blob store, so what was read is what was kept).
 */
TmSurface    *tm_surface_load_bytes   (GBytes       *bytes,
                                       const char   *display_name,
                                       double        pixel_um,
                                       GError      **error);

G_END_DECLS
