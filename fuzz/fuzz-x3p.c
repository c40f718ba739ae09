/* fuzz-x3p.c — libFuzzer target for the X3P reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two kinds of input reach tm_x3p_read_bytes():
 *  - a zip ("PK…"), fed as it is: this exercises the container handling (central
 *    directory, declared sizes, truncation, inflating);
 *  - anything else is taken as "main.xml" + SEPARATOR + "data.bin" and wrapped into a
 *    valid archive with correct checksums ("@MD5@" in the XML is replaced by the MD5 of
 *    the data). Random bytes would almost never get past the two MD5 checks, so without
 *    this the fuzzer would never reach the XML parser, the unit logic or the decoders.
 * Any outcome but a crash, a leak or a sanitizer report is fine; the result is checked
 * against the reader's contract.
 */
#include "config.h"

#include <glib.h>
#include <string.h>
#include <zip.h>

#include "tm-format.h"
#include "tm-x3p.h"

#define SEPARATOR "\n--data.bin--\n"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gboolean
add_entry (zip_t      *archive,
           const char *name,
           const void *data,
           gsize       len)
{
  zip_source_t *source = zip_source_buffer (archive, data, len, 0);

  if (source == NULL)
    return FALSE;
  if (zip_file_add (archive, name, source, ZIP_FL_ENC_UTF_8) < 0)
    {
      zip_source_free (source);
      return FALSE;
    }
  /* Stored, not deflated: the fuzzer's time goes to the reader, not to zlib. */
  zip_set_file_compression (archive, zip_name_locate (archive, name, 0), ZIP_CM_STORE, 0);
  return TRUE;
}

/* Wraps main.xml and data.bin into an X3P with matching checksums. */
static GBytes *
wrap (const guint8 *input,
      gsize         size)
{
  const guint8 *sep = NULL;
  g_autofree char *data_md5 = NULL;
  g_autofree char *xml_md5 = NULL;
  g_autoptr(GString) xml = NULL;
  const guint8 *bin;
  gsize xml_len, bin_len;
  zip_error_t zerror;
  zip_source_t *sink;
  zip_t *archive;
  zip_int64_t out_len;
  guint8 *out;

  for (gsize i = 0; i + strlen (SEPARATOR) <= size; i++)
    if (memcmp (input + i, SEPARATOR, strlen (SEPARATOR)) == 0)
      {
        sep = input + i;
        break;
      }
  xml_len = sep != NULL ? (gsize)(sep - input) : size;
  bin = sep != NULL ? sep + strlen (SEPARATOR) : input + size;
  bin_len = input + size - bin;

  data_md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, bin, bin_len);
  xml = g_string_new (NULL);
  g_string_append_len (xml, (const char *)input, xml_len);
  g_string_replace (xml, "@MD5@", data_md5, 0);
  xml_md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, (const guint8 *)xml->str, xml->len);

  zip_error_init (&zerror);
  sink = zip_source_buffer_create (NULL, 0, 0, &zerror);
  if (sink == NULL)
    return NULL;
  zip_source_keep (sink);
  archive = zip_open_from_source (sink, ZIP_TRUNCATE, &zerror);
  if (archive == NULL ||
      !add_entry (archive, "main.xml", xml->str, xml->len) ||
      !add_entry (archive, "md5checksum.hex", xml_md5, 32) ||
      !add_entry (archive, "bindata/data.bin", bin, bin_len) ||
      zip_close (archive) != 0)
    {
      if (archive != NULL)
        zip_discard (archive);
      zip_source_free (sink);
      zip_error_fini (&zerror);
      return NULL;
    }
  zip_error_fini (&zerror);
  if (zip_source_open (sink) != 0)
    {
      zip_source_free (sink);
      return NULL;
    }
  zip_source_seek (sink, 0, SEEK_END);
  out_len = zip_source_tell (sink);
  zip_source_seek (sink, 0, SEEK_SET);
  out = g_malloc (MAX (out_len, 1));
  if (out_len < 0 || zip_source_read (sink, out, out_len) != out_len)
    {
      g_free (out);
      zip_source_close (sink);
      zip_source_free (sink);
      return NULL;
    }
  zip_source_close (sink);
  zip_source_free (sink);
  return g_bytes_new_take (out, out_len);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = NULL;

  if (size >= 2 && data[0] == 'P' && data[1] == 'K')
    bytes = g_bytes_new_static (data, size);
  else
    bytes = wrap (data, size);
  if (bytes == NULL)
    return 0;

  surface = tm_x3p_read_bytes (bytes, "fuzz.x3p", &error);
  /* Exactly one of a surface or an error; errors name the file; a surface has a valid
   * point and a sane size and pixel size. */
  g_assert ((surface == NULL) != (error == NULL));
  if (surface != NULL)
    {
      g_assert (tm_surface_count_valid (surface) > 0);
      g_assert (tm_surface_get_width (surface) <= TM_SURFACE_MAX_SIDE);
      g_assert (tm_surface_get_height (surface) <= TM_SURFACE_MAX_SIDE);
      g_assert (tm_surface_get_pixel_um_x (surface) > 0);
      g_assert (tm_surface_get_pixel_um_y (surface) > 0);
    }
  else
    {
      g_assert (error->domain == TM_FORMAT_ERROR);
      g_assert (g_str_has_prefix (error->message, "fuzz.x3p: "));
    }
  return 0;
}
