/* fuzz-tiff.c — libFuzzer target for the TIFF reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Feeds arbitrary bytes to tm_tiff_read_bytes() with a user pixel size, so files without
 * resolution information still reach the pixel decoding. Any outcome but a crash, a leak
 * or a sanitizer report is fine; the result is checked for the reader's contract.
 */
#include "config.h"

#include <glib.h>

#include "tm-format.h"
#include "tm-tiff.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = NULL;

  surface = tm_tiff_read_bytes (bytes, "fuzz.tiff", 5.0, &error);
  /* Exactly one of a surface or an error; a surface always has a valid point. */
  g_assert ((surface == NULL) != (error == NULL));
  if (surface != NULL)
    g_assert (tm_surface_count_valid (surface) > 0);
  else
    g_assert (error->domain == TM_FORMAT_ERROR);
  return 0;
}
