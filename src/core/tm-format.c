/* tm-format.c — format sniffing and the single entry point import uses to read a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tm-format"

#include "config.h"

#include <string.h>

#include "tm-format.h"
#include "tm-png.h"
#include "tm-tiff.h"
#include "tm-x3p.h"

G_DEFINE_QUARK (tm-format-error-quark, tm_format_error)

/* Sniffs by content, never by file name: a renamed file still reads as what it is. */
TmFileFormat
tm_file_format_sniff (const guint8 *head,
                      gsize         len)
{
  static const guint8 png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (len >= 4 && head[0] == 'P' && head[1] == 'K' &&
      (head[2] == 3 || head[2] == 5 || head[2] == 7) &&
      (head[3] == 4 || head[3] == 6 || head[3] == 8))
    return TM_FILE_FORMAT_X3P;
  if (len >= 4 && ((head[0] == 'I' && head[1] == 'I' && (head[2] == 42 || head[2] == 43) && head[3] == 0) ||
                   (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && (head[3] == 42 || head[3] == 43))))
    return TM_FILE_FORMAT_TIFF;
  if (len >= 8 && memcmp (head, png_magic, 8) == 0)
    return TM_FILE_FORMAT_PNG;
  return TM_FILE_FORMAT_UNKNOWN;
}

const char *
tm_file_format_to_string (TmFileFormat format)
{
  switch (format)
    {
    case TM_FILE_FORMAT_X3P: return "x3p";
    case TM_FILE_FORMAT_TIFF: return "tiff";
    case TM_FILE_FORMAT_PNG: return "png";
    case TM_FILE_FORMAT_UNKNOWN:
    default:
      return "unknown";
    }
}

TmSurface *
tm_surface_load_bytes (GBytes      *bytes,
                       const char  *display_name,
                       double       pixel_um,
                       GError     **error)
{
  gsize len;
  const guint8 *data;
  TmSurface *surface = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the file is empty", display_name);
      return NULL;
    }

  switch (tm_file_format_sniff (data, len))
    {
    case TM_FILE_FORMAT_X3P:
      surface = tm_x3p_read_bytes (bytes, display_name, error);
      if (surface != NULL && pixel_um > 0 &&
          ABS (tm_surface_get_pixel_um_x (surface) - pixel_um) > 1e-3 * pixel_um)
        {
          g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNITS,
                       "%s: the file declares %.4g µm per pixel, not the %.4g µm given",
                       display_name, tm_surface_get_pixel_um_x (surface), pixel_um);
          g_clear_object (&surface);
        }
      break;
    case TM_FILE_FORMAT_TIFF:
      surface = tm_tiff_read_bytes (bytes, display_name, pixel_um, error);
      break;
    case TM_FILE_FORMAT_PNG:
      surface = tm_png_read_bytes (bytes, display_name, pixel_um, error);
      break;
    case TM_FILE_FORMAT_UNKNOWN:
    default:
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNKNOWN_FORMAT,
                   "%s: not an X3P, TIFF or PNG file", display_name);
      break;
    }

  /* Every reader refuses NaN-only data itself; this is the last guard for import. */
  if (surface != NULL && tm_surface_count_valid (surface) == 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_NO_DATA,
                   "%s: the surface has no valid point (all samples missing or NaN)",
                   display_name);
      g_clear_object (&surface);
    }

  if (surface != NULL)
    tm_surface_set_meta (surface, TM_META_SOURCE_FORMAT,
                         tm_file_format_to_string (tm_file_format_sniff (data, len)));
  return surface;
}
