/* tm-png.c — PNG reader (libpng) for 2D images and X3P mask.png files, PNG writer for masks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything is decoded from memory (png_set_read_fn): import hands us the very bytes it
 * stores, and X3P masks come out of a zip entry. libpng reports errors by longjmp; the
 * setjmp lives in a small function of its own whose state sits in a caller-owned struct,
 * so no local variable of that function is modified between setjmp and longjmp.
 *
 * Hostile files are refused before anything large is allocated: the IHDR dimensions are
 * checked against TM_SURFACE_MAX_SIDE, and the compressed image data must be big enough
 * to plausibly inflate to the declared image (deflate cannot exceed ~1032:1), so a
 * 100-byte file cannot make us allocate a gigabyte.
 */
#define G_LOG_DOMAIN "tm-png"

#include "config.h"

#include <math.h>
#include <png.h>
#include <string.h>

#include "tm-format.h"
#include "tm-png.h"

/* Ancillary chunks (text, ICC profiles) are never needed to draw the image; cap them. */
#define PNG_CHUNK_MALLOC_MAX  (8 * 1024 * 1024)
#define PNG_CHUNK_CACHE_MAX   256
/* Deflate's best case is a 258-byte match per ~2 bits: 1032:1. A little slack on top. */
#define PNG_MAX_INFLATE_RATIO 1040

typedef struct
{
  /* input */
  const guint8 *data;
  gsize         len;
  gsize         pos;
  gboolean      keep16;

  /* error state: the first message libpng gave, and the code to report it with */
  char         *message;
  TmFormatError code;

  /* output */
  guint8       *pixels;   /* RGBA, 8-bit, or 16-bit in host order when keep16 */
  png_bytep    *rows;
  guint         width;
  guint         height;
  guint         bytes_per_channel;
  gboolean      colour;
  gboolean      have_phys;
  png_uint_32   res_x;
  png_uint_32   res_y;
  int           res_unit;
} PngDecode;

static void
png_decode_clear (PngDecode *d)
{
  g_clear_pointer (&d->message, g_free);
  g_clear_pointer (&d->pixels, g_free);
  g_clear_pointer (&d->rows, g_free);
}

G_NORETURN static void
png_error_cb (png_structp     png,
              png_const_charp message)
{
  PngDecode *d = png_get_error_ptr (png);

  if (d != NULL && d->message == NULL)
    d->message = g_strdup (message);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp     png,
                png_const_charp message)
{
  /* Warnings (bad ancillary CRC, oversized text chunk skipped …) do not stop a read. */
  g_debug ("libpng warning: %s", message);
}

static void
png_read_cb (png_structp png,
             png_bytep   out,
             size_t      n)
{
  PngDecode *d = png_get_io_ptr (png);

  if (n > d->len - d->pos)
    png_error (png, "the file ends early (truncated)");
  memcpy (out, d->data + d->pos, n);
  d->pos += n;
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

/* Checks signature, IHDR and the amount of IDAT data by walking the chunk list ourselves,
 * before libpng (and before any allocation proportional to the image). */
static gboolean
png_precheck (const guint8 *data,
              gsize         len,
              const char   *display_name,
              GError      **error)
{
  static const guint8 channels_by_type[7] = { 1, 0, 3, 1, 2, 0, 4 };
  guint32 width, height;
  guint bit_depth, colour_type, bits_per_pixel;
  guint64 idat = 0, raw;
  gsize pos;

  if (len < 8 || png_sig_cmp (data, 0, 8) != 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNKNOWN_FORMAT,
                   "%s: not a PNG file (the PNG signature is missing)", display_name);
      return FALSE;
    }
  if (len < 8 + 8 + 13 || read_be32 (data + 8) != 13 || memcmp (data + 12, "IHDR", 4) != 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the PNG header (IHDR) is missing or truncated", display_name);
      return FALSE;
    }

  width = read_be32 (data + 16);
  height = read_be32 (data + 20);
  bit_depth = data[24];
  colour_type = data[25];
  if (width == 0 || height == 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the PNG declares an empty image (%u × %u pixels)",
                   display_name, width, height);
      return FALSE;
    }
  if (width > TM_SURFACE_MAX_SIDE || height > TM_SURFACE_MAX_SIDE)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
                   "%s: the PNG declares %u × %u pixels; at most %u × %u are accepted",
                   display_name, width, height, TM_SURFACE_MAX_SIDE, TM_SURFACE_MAX_SIDE);
      return FALSE;
    }
  if (colour_type > 6 || channels_by_type[colour_type] == 0 ||
      (bit_depth != 1 && bit_depth != 2 && bit_depth != 4 && bit_depth != 8 && bit_depth != 16))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the PNG header declares an invalid colour type %u with bit depth %u",
                   display_name, colour_type, bit_depth);
      return FALSE;
    }
  bits_per_pixel = channels_by_type[colour_type] * bit_depth;

  for (pos = 8; pos + 8 <= len;)
    {
      guint32 chunk_len = read_be32 (data + pos);

      if (memcmp (data + pos + 4, "IDAT", 4) == 0)
        idat += chunk_len;
      else if (memcmp (data + pos + 4, "IEND", 4) == 0)
        break;
      /* Checked here, not left to libpng: libpng 1.6.39 allocates and zero-fills a
       * chunk's declared length before reading it, so a 2 GB tEXt length in a
       * 150-byte file would cost 2 GB of memory before "truncated" is noticed. */
      if ((guint64)chunk_len + 12 > len - pos)
        {
          g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                       "%s: a PNG chunk declares %u bytes but the file ends first; "
                       "the file is truncated or damaged", display_name, chunk_len);
          return FALSE;
        }
      if (chunk_len > PNG_CHUNK_MALLOC_MAX && memcmp (data + pos + 4, "IDAT", 4) != 0)
        {
          g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
                       "%s: a PNG metadata chunk of %u bytes exceeds the %u-byte limit",
                       display_name, chunk_len, (guint)PNG_CHUNK_MALLOC_MAX);
          return FALSE;
        }
      pos += (gsize)chunk_len + 12;
    }

  /* One filter byte per row plus the packed pixels; interlacing only adds to this. */
  raw = (guint64)height * (((guint64)width * bits_per_pixel + 7) / 8 + 1);
  if (raw > idat * PNG_MAX_INFLATE_RATIO + 1024)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the PNG declares %u × %u pixels but holds only %" G_GUINT64_FORMAT
                   " bytes of image data; the file is truncated or damaged",
                   display_name, width, height, idat);
      return FALSE;
    }
  return TRUE;
}

/* Runs libpng over d->data. Returns FALSE with d->message / d->code set on failure.
 * Kept apart so that its only locals (png, info) are never modified after setjmp. */
static gboolean
png_decode_run (PngDecode *d)
{
  png_structp png;
  png_infop info;

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, d, png_error_cb, png_warning_cb);
  if (png == NULL)
    {
      d->code = TM_FORMAT_ERROR_TOO_LARGE;
      d->message = g_strdup ("out of memory");
      return FALSE;
    }
  info = png_create_info_struct (png);
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      d->code = TM_FORMAT_ERROR_TOO_LARGE;
      d->message = g_strdup ("out of memory");
      return FALSE;
    }

  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_read_struct (&png, &info, NULL);
      return FALSE;
    }

  png_set_user_limits (png, TM_SURFACE_MAX_SIDE, TM_SURFACE_MAX_SIDE);
  png_set_chunk_cache_max (png, PNG_CHUNK_CACHE_MAX);
  png_set_chunk_malloc_max (png, PNG_CHUNK_MALLOC_MAX);
  png_set_read_fn (png, d, png_read_cb);

  png_read_info (png, info);

  {
    png_uint_32 w, h;
    int bit_depth, colour_type, interlace;
    gboolean has_alpha;
    size_t rowbytes;

    png_get_IHDR (png, info, &w, &h, &bit_depth, &colour_type, &interlace, NULL, NULL);
    if (w == 0 || h == 0 || w > TM_SURFACE_MAX_SIDE || h > TM_SURFACE_MAX_SIDE)
      {
        d->code = TM_FORMAT_ERROR_TOO_LARGE;
        png_error (png, "image dimensions beyond the accepted limits");
      }
    d->width = w;
    d->height = h;
    d->colour = (colour_type & PNG_COLOR_MASK_COLOR) != 0;
    has_alpha = (colour_type & PNG_COLOR_MASK_ALPHA) != 0 || png_get_valid (png, info, PNG_INFO_tRNS);
    d->have_phys = png_get_pHYs (png, info, &d->res_x, &d->res_y, &d->res_unit) != 0;

    /* Normalise every colour type to RGBA, 8 or 16 bits per channel. */
    if (colour_type == PNG_COLOR_TYPE_PALETTE)
      png_set_palette_to_rgb (png);
    if (colour_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
      png_set_expand_gray_1_2_4_to_8 (png);
    if (png_get_valid (png, info, PNG_INFO_tRNS))
      png_set_tRNS_to_alpha (png);
    if (bit_depth == 16)
      {
        if (d->keep16)
          {
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
            png_set_swap (png);
#endif
          }
        else
          png_set_scale_16 (png);
      }
    if (!d->colour)
      png_set_gray_to_rgb (png);
    if (!has_alpha)
      png_set_add_alpha (png, (bit_depth == 16 && d->keep16) ? 0xffff : 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling (png);
    png_read_update_info (png, info);

    d->bytes_per_channel = png_get_bit_depth (png, info) == 16 ? 2 : 1;
    rowbytes = png_get_rowbytes (png, info);
    if (png_get_channels (png, info) != 4 || rowbytes != (size_t)w * 4 * d->bytes_per_channel)
      png_error (png, "unexpected pixel layout after conversion to RGBA");

    d->pixels = g_try_malloc ((gsize)rowbytes * h);
    d->rows = g_try_new (png_bytep, h);
    if (d->pixels == NULL || d->rows == NULL)
      {
        d->code = TM_FORMAT_ERROR_TOO_LARGE;
        png_error (png, "not enough memory for the image");
      }
    for (png_uint_32 y = 0; y < h; y++)
      d->rows[y] = d->pixels + (gsize)y * rowbytes;

    png_read_image (png, d->rows);
    /* The pixels are complete here; a missing IEND or damaged trailing text chunk would
     * not change them, so png_read_end() is not required to succeed. */
  }

  png_destroy_read_struct (&png, &info, NULL);
  g_clear_pointer (&d->rows, g_free);
  return TRUE;
}

static gboolean
png_decode (PngDecode   *d,
            const char  *display_name,
            GError     **error)
{
  if (!png_precheck (d->data, d->len, display_name, error))
    return FALSE;

  d->code = TM_FORMAT_ERROR_CORRUPT;
  if (!png_decode_run (d))
    {
      g_set_error (error, TM_FORMAT_ERROR, d->code,
                   "%s: cannot decode the PNG image: %s", display_name,
                   d->message != NULL ? d->message : "unknown libpng error");
      png_decode_clear (d);
      return FALSE;
    }
  return TRUE;
}

/**
 * tm_png_decode_rgba:
 *
 * Decodes any PNG (grey, grey+alpha, palette, RGB, RGBA; 1 to 16 bits) to 8-bit RGBA,
 * width × height × 4 bytes, row-major, top row first. 16-bit channels are scaled (not
 * truncated) to 8 bits; a tRNS chunk becomes alpha. Free the result with g_free().
 */
guint8 *
tm_png_decode_rgba (const guint8 *data,
                    gsize         len,
                    const char   *display_name,
                    guint        *out_width,
                    guint        *out_height,
                    GError      **error)
{
  PngDecode d = { 0 };
  guint8 *pixels;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (out_width != NULL && out_height != NULL, NULL);

  d.data = data;
  d.len = len;
  d.keep16 = FALSE;
  if (!png_decode (&d, display_name, error))
    return NULL;

  g_assert (d.bytes_per_channel == 1);
  *out_width = d.width;
  *out_height = d.height;
  pixels = g_steal_pointer (&d.pixels);
  png_decode_clear (&d);
  return pixels;
}

/* Screen defaults that image editors write into pHYs whether or not anyone measured
 * anything (72 and 96 dpi): they are not a pixel size and are treated as absent. */
static gboolean
phys_is_placeholder (png_uint_32 px_per_m)
{
  return px_per_m == 2835 || px_per_m == 2834 || px_per_m == 3780 || px_per_m == 3779;
}

/* Rec. 709 luma weights: the images come from digital cameras and microscopes whose
 * sensors are closest to sRGB primaries. Grey pixels (R = G = B) keep their exact value. */
static inline float
luminance (guint r,
           guint g,
           guint b)
{
  if (r == g && g == b)
    return (float)r;
  return (float)(0.2126 * r + 0.7152 * g + 0.0722 * b);
}

/**
 * tm_png_read_bytes:
 *
 * Reads a 2D image as intensities: grey as is, colour converted to luminance; 8-bit
 * samples in 0..255, 16-bit in 0..65535. Fully transparent pixels are invalid points.
 * The pixel size comes from a pHYs chunk in metres; without one (or with a 72/96 dpi
 * screen placeholder) @pixel_um must be given. When both exist and disagree the read is
 * refused, as for X3P files: the two cannot both be right.
 */
TmSurface *
tm_png_read_bytes (GBytes      *bytes,
                   const char  *display_name,
                   double       pixel_um,
                   GError     **error)
{
  PngDecode d = { 0 };
  g_autoptr(TmSurface) surface = NULL;
  double px_x = 0, px_y = 0;
  float *out;
  gsize n, valid = 0;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  d.data = g_bytes_get_data (bytes, &d.len);
  d.keep16 = TRUE;
  if (d.len == 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the file is empty", display_name);
      return NULL;
    }
  if (!png_decode (&d, display_name, error))
    return NULL;

  if (d.have_phys && d.res_unit == PNG_RESOLUTION_METER && d.res_x > 0 && d.res_y > 0 &&
      !phys_is_placeholder (d.res_x) && !phys_is_placeholder (d.res_y))
    {
      px_x = 1e6 / d.res_x;
      px_y = 1e6 / d.res_y;
      if (pixel_um > 0 && fabs (px_x - pixel_um) > 1e-3 * pixel_um)
        {
          g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNITS,
                       "%s: the file declares %.6g µm per pixel, not the %.6g µm given",
                       display_name, px_x, pixel_um);
          png_decode_clear (&d);
          return NULL;
        }
    }
  else if (pixel_um > 0 && isfinite (pixel_um))
    px_x = px_y = pixel_um;
  else
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNITS,
                   "%s: the PNG does not say how large a pixel is; give the pixel size "
                   "with --pixel-um", display_name);
      png_decode_clear (&d);
      return NULL;
    }

  surface = tm_surface_new (d.width, d.height, px_x, px_y, TM_MODALITY_2D);
  if (surface == NULL)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
                   "%s: not enough memory for %u × %u pixels", display_name, d.width, d.height);
      png_decode_clear (&d);
      return NULL;
    }

  out = tm_surface_get_data (surface);
  n = (gsize)d.width * d.height;
  if (d.bytes_per_channel == 2)
    {
      const guint16 *p = (const guint16 *)(gconstpointer)d.pixels;

      for (gsize i = 0; i < n; i++, p += 4)
        if (p[3] != 0)
          {
            out[i] = luminance (p[0], p[1], p[2]);
            valid++;
          }
    }
  else
    {
      const guint8 *p = d.pixels;

      for (gsize i = 0; i < n; i++, p += 4)
        if (p[3] != 0)
          {
            out[i] = luminance (p[0], p[1], p[2]);
            valid++;
          }
    }
  png_decode_clear (&d);

  if (valid == 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_NO_DATA,
                   "%s: every pixel of the PNG is fully transparent; there is nothing to read",
                   display_name);
      return NULL;
    }
  tm_surface_sync_mask (surface);
  tm_surface_set_meta (surface, TM_META_SOURCE_FORMAT, "png");
  tm_surface_set_meta (surface, TM_META_SOURCE_UNITS, "grey");
  tm_surface_set_meta (surface, TM_META_SOURCE_DATA_TYPE,
                       d.bytes_per_channel == 2 ? "16-bit" : "8-bit");
  return g_steal_pointer (&surface);
}

TmSurface *
tm_png_read_file (const char  *path,
                  double       pixel_um,
                  GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);

  name = g_path_get_basename (path);
  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO,
                   "%s: %s", name, local_error->message);
      return NULL;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  return tm_png_read_bytes (bytes, name, pixel_um, error);
}

typedef struct
{
  GByteArray *out;
  char       *message;
} PngEncode;

G_NORETURN static void
png_encode_error_cb (png_structp     png,
                     png_const_charp message)
{
  PngEncode *e = png_get_error_ptr (png);

  if (e != NULL && e->message == NULL)
    e->message = g_strdup (message);
  png_longjmp (png, 1);
}

static void
png_write_cb (png_structp png,
              png_bytep   data,
              size_t      n)
{
  PngEncode *e = png_get_io_ptr (png);

  g_byte_array_append (e->out, data, n);
}

static void
png_flush_cb (png_structp png)
{
}

/* Same setjmp discipline as png_decode_run(). */
static gboolean
png_encode_run (PngEncode    *e,
                const guint8 *rgba,
                guint         width,
                guint         height)
{
  png_structp png;
  png_infop info;

  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, e, png_encode_error_cb, png_warning_cb);
  if (png == NULL)
    {
      e->message = g_strdup ("out of memory");
      return FALSE;
    }
  info = png_create_info_struct (png);
  if (info == NULL)
    {
      png_destroy_write_struct (&png, NULL);
      e->message = g_strdup ("out of memory");
      return FALSE;
    }

  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_write_struct (&png, &info);
      return FALSE;
    }

  png_set_write_fn (png, e, png_write_cb, png_flush_cb);
  png_set_IHDR (png, info, width, height, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (guint y = 0; y < height; y++)
    /* libpng does not modify rows when no write transform is set. */
    png_write_row (png, (png_const_bytep)(rgba + (gsize)y * width * 4));
  png_write_end (png, NULL);

  png_destroy_write_struct (&png, &info);
  return TRUE;
}

/**
 * tm_png_encode_rgba:
 *
 * Encodes width × height 8-bit RGBA pixels (row-major, top row first) as a PNG.
 */
GBytes *
tm_png_encode_rgba (const guint8 *rgba,
                    guint         width,
                    guint         height,
                    GError      **error)
{
  PngEncode e = { 0 };

  g_return_val_if_fail (rgba != NULL, NULL);

  if (width == 0 || height == 0 || width > TM_SURFACE_MAX_SIDE || height > TM_SURFACE_MAX_SIDE)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
                   "cannot encode a %u × %u PNG image: each side must be 1 to %u pixels",
                   width, height, TM_SURFACE_MAX_SIDE);
      return NULL;
    }

  e.out = g_byte_array_new ();
  if (!png_encode_run (&e, rgba, width, height))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO,
                   "cannot encode the PNG image: %s",
                   e.message != NULL ? e.message : "unknown libpng error");
      g_free (e.message);
      g_byte_array_unref (e.out);
      return NULL;
    }
  g_free (e.message);
  return g_byte_array_free_to_bytes (e.out);
}
