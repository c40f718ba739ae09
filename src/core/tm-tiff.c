/* tm-tiff.c — TIFF reader and writer (libtiff 4.5): grey, RGB(A), float height maps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Files are read and written in memory through TIFFClientOpenExt: import reads the very
 * bytes it keeps in the blob store. Each call gets its own TIFFOpenOptions whose error and
 * warning handlers write into that call's state, so messages never cross threads and
 * libtiff's own words end up in the GError ("… : Invalid TIFF directory; …").
 *
 * Only the first image directory is read: a multi-page TIFF of a cartridge case is not a
 * thing scanners write, and a second page would have nowhere to go in one TmSurface.
 *
 * What is accepted: 8/16-bit unsigned grey (MinIsBlack or MinIsWhite, optionally with an
 * alpha sample), 8/16-bit RGB and RGBA (converted to luminance), 32/64-bit IEEE float with
 * one sample (heights), strips or tiles, planar contiguous or separate. Anything else is
 * refused as TM_FORMAT_ERROR_UNSUPPORTED naming what the file declares.
 *
 * Heights: float samples are heights in micrometres, as in TopMatch exports and as we
 * write them. Many tools export SI metres instead; a float map whose every |value| is
 * below 1e-2 (less than 10 nm of relief if read as µm, which no toolmark scan has) on
 * micrometre-scale pixels (≤ 100 µm) is taken to be in metres and scaled by 1e6, and
 * source.units says "m". Files we wrote carry their units in ImageDescription and are
 * never guessed about.
 *
 * Pixel size: our ImageDescription ("toolmark pixel_um_x=… pixel_um_y=… …") when present,
 * since libtiff keeps rational tags only in single precision; else XResolution /
 * YResolution with ResolutionUnit inch or centimetre; else the user's @pixel_um. 72 and
 * 96 dpi are screen placeholders that editors write whether or not anything was measured,
 * and are treated as absent.
 */
#define G_LOG_DOMAIN "tm-tiff"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <tiffio.h>

#include "tm-format.h"
#include "tm-tiff.h"

/* libtiff's own allocations (compressed strip buffers, tag arrays); our pixel buffers
 * are bounded by TM_SURFACE_MAX_SIDE separately. */
#define TIFF_MAX_SINGLE_ALLOC  (G_GINT64_CONSTANT (256) * 1024 * 1024)
#define TIFF_ERRORS_MAX_LEN    1024
#define TIFF_DESCRIPTION_TAG   "toolmark"
/* Heights below this everywhere are metres, not micrometres (see the file comment). */
#define TIFF_METRES_MAX_ABS    1e-2
#define TIFF_METRES_MAX_PIXEL  100.0

typedef struct
{
  /* reading: the file; writing: the growing output */
  const guint8 *data;
  gsize         len;
  GByteArray   *out;
  guint64       pos;

  /* libtiff's error messages of this call, "; "-separated */
  GString      *errors;
  char         *suffix;
  /* libtiff's warnings about strip/tile tags it had to make up */
  GString      *repairs;
} TiffIO;

static void
tiff_io_init (TiffIO *io)
{
  memset (io, 0, sizeof *io);
  io->errors = g_string_new (NULL);
  io->repairs = g_string_new (NULL);
}

static void
tiff_io_clear (TiffIO *io)
{
  if (io->errors != NULL)
    g_string_free (io->errors, TRUE);
  io->errors = NULL;
  if (io->repairs != NULL)
    g_string_free (io->repairs, TRUE);
  io->repairs = NULL;
  g_clear_pointer (&io->out, g_byte_array_unref);
  g_clear_pointer (&io->suffix, g_free);
}

/* " (libtiff: <its messages>)" to append to our own message, or "" when it said nothing. */
static const char *
tiff_io_errors (TiffIO *io)
{
  if (io->errors->len == 0)
    return "";
  g_free (io->suffix);
  io->suffix = g_strdup_printf (" (libtiff: %s)", io->errors->str);
  return io->suffix;
}

G_GNUC_PRINTF (4, 0) static int
tiff_error_cb (TIFF       *tif,
               void       *user_data,
               const char *module,
               const char *fmt,
               va_list     ap)
{
  TiffIO *io = user_data;
  g_autofree char *message = NULL;

  /* Return 1 in every case: the message is ours; libtiff must not print it to stderr. */
  if (io == NULL || io->errors->len >= TIFF_ERRORS_MAX_LEN)
    return 1;
  message = g_strdup_vprintf (fmt, ap);
  if (io->errors->len > 0)
    g_string_append (io->errors, "; ");
  if (module != NULL && *module != '\0')
    g_string_append_printf (io->errors, "%s: ", module);
  g_string_append (io->errors, message);
  return 1;
}

G_GNUC_PRINTF (4, 0) static int
tiff_warning_cb (TIFF       *tif,
                 void       *user_data,
                 const char *module,
                 const char *fmt,
                 va_list     ap)
{
  TiffIO *io = user_data;
  g_autofree char *message = g_strdup_vprintf (fmt, ap);

  /* Warnings (unknown private tags, …) do not stop a read; keep them out of stderr.
   * But libtiff also "repairs" strip and tile tags it finds inconsistent (a byte count
   * beyond the end of the file, a wrong count of offsets) by guessing them from the
   * image size. A file in that state is damaged: we refuse it rather than analyse
   * guessed data, and say what libtiff found. */
  g_debug ("libtiff warning: %s: %s", module != NULL ? module : "", message);
  if (io != NULL && io->repairs->len < TIFF_ERRORS_MAX_LEN &&
      (strstr (message, "Bogus") != NULL || strstr (message, "Wrong") != NULL ||
       strstr (message, "Incorrect count") != NULL) &&
      (strstr (message, "Strip") != NULL || strstr (message, "Tile") != NULL))
    {
      if (io->repairs->len > 0)
        g_string_append (io->repairs, "; ");
      g_string_append (io->repairs, message);
    }
  return 1;
}

static tmsize_t
tiff_read_proc (thandle_t handle,
                void     *buf,
                tmsize_t  size)
{
  TiffIO *io = handle;
  const guint8 *src = io->out != NULL ? io->out->data : io->data;
  guint64 len = io->out != NULL ? io->out->len : io->len;
  guint64 n;

  if (size <= 0 || io->pos >= len)
    return 0;
  n = MIN ((guint64)size, len - io->pos);
  memcpy (buf, src + io->pos, n);
  io->pos += n;
  return (tmsize_t)n;
}

static tmsize_t
tiff_write_proc (thandle_t handle,
                 void     *buf,
                 tmsize_t  size)
{
  TiffIO *io = handle;

  if (io->out == NULL || size < 0)
    return -1;
  if (io->pos + (guint64)size > G_MAXUINT32)
    return -1;  /* classic TIFF cannot address more, and GByteArray neither */
  if (io->pos > io->out->len)
    {
      /* A seek past the end leaves a hole; fill it with zeros, not heap garbage. */
      guint old = io->out->len;

      g_byte_array_set_size (io->out, (guint)io->pos);
      memset (io->out->data + old, 0, io->pos - old);
    }
  if (io->pos + size > io->out->len)
    g_byte_array_set_size (io->out, (guint)(io->pos + size));
  memcpy (io->out->data + io->pos, buf, size);
  io->pos += size;
  return size;
}

static toff_t
tiff_seek_proc (thandle_t handle,
                toff_t    offset,
                int       whence)
{
  TiffIO *io = handle;
  guint64 len = io->out != NULL ? io->out->len : io->len;
  guint64 base;

  switch (whence)
    {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = io->pos; break;
    case SEEK_END: base = len; break;
    default: return (toff_t)-1;
    }
  /* offset is unsigned; libtiff passes negative relative moves as wrapped values. */
  io->pos = base + offset;
  return io->pos;
}

static int
tiff_close_proc (thandle_t handle)
{
  return 0;
}

static toff_t
tiff_size_proc (thandle_t handle)
{
  TiffIO *io = handle;

  return io->out != NULL ? io->out->len : io->len;
}

static int
tiff_map_proc (thandle_t handle,
               void    **base,
               toff_t   *size)
{
  return 0;  /* no mapping: reads go through tiff_read_proc with its bounds checks */
}

static void
tiff_unmap_proc (thandle_t handle,
                 void     *base,
                 toff_t    size)
{
}

static TIFF *
tiff_open (TiffIO     *io,
           const char *name,
           const char *mode)
{
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();
  TIFF *tif;

  TIFFOpenOptionsSetMaxSingleMemAlloc (opts, TIFF_MAX_SINGLE_ALLOC);
  /* The handler type carries no format attribute, which GCC would have us add. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-format-attribute"
  TIFFOpenOptionsSetErrorHandlerExtR (opts, tiff_error_cb, io);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, tiff_warning_cb, io);
#pragma GCC diagnostic pop
  tif = TIFFClientOpenExt (name, mode, (thandle_t)io,
                           tiff_read_proc, tiff_write_proc, tiff_seek_proc, tiff_close_proc,
                           tiff_size_proc, tiff_map_proc, tiff_unmap_proc, opts);
  TIFFOpenOptionsFree (opts);
  return tif;
}

/* ------------------------------------------------------------------------------------ */
/* Reading                                                                              */

typedef enum
{
  KIND_GREY,
  KIND_RGB,
  KIND_FLOAT,
} TiffKind;

typedef struct
{
  const char *display_name;
  TIFF       *tif;
  TiffIO     *io;

  guint32     width;
  guint32     height;
  guint16     bits;
  guint16     spp;
  guint16     sample_format;
  guint16     photometric;
  guint16     planar;
  guint16     compression;
  TiffKind    kind;
  int         alpha_sample;   /* index of the alpha sample, or -1 */
  gboolean    min_is_white;

  float      *out;            /* the surface's data */
  guint8     *transparent;    /* width × height, 1 where alpha is 0 */
} TiffRead;

static inline double
sample_at (const guint8 *p,
           guint16       bits,
           gboolean      is_float)
{
  if (is_float)
    {
      if (bits == 32)
        {
          float f;
          memcpy (&f, p, sizeof f);
          return f;
        }
      else
        {
          double d;
          memcpy (&d, p, sizeof d);
          return d;
        }
    }
  if (bits == 8)
    return p[0];
  else
    {
      guint16 v;
      memcpy (&v, p, sizeof v);
      return v;
    }
}

/* Converts one decoded block (strip or tile) of bw × bh pixels at (x0, y0) into the
 * output. @plane is the sample held by the block for planar separate images, or -1 when
 * all samples are interleaved. Luminance is linear in the samples, so separate planes
 * simply add their weighted share. */
static void
tiff_convert_block (TiffRead     *r,
                    const guint8 *buf,
                    guint32       x0,
                    guint32       y0,
                    guint32       bw,
                    guint32       bh,
                    int           plane)
{
  static const double weights[3] = { 0.2126, 0.7152, 0.0722 };  /* Rec. 709 */
  const gboolean is_float = r->kind == KIND_FLOAT;
  const guint bps = r->bits / 8;
  const guint samples_in_block = plane < 0 ? r->spp : 1;
  const gsize stride = (gsize)bw * samples_in_block * bps;
  const double max_value = r->bits == 16 ? 65535.0 : 255.0;
  guint32 rows = MIN (bh, r->height - y0);
  guint32 cols = MIN (bw, r->width - x0);

  for (guint32 j = 0; j < rows; j++)
    {
      const guint8 *row = buf + (gsize)j * stride;
      gsize o = (gsize)(y0 + j) * r->width + x0;

      for (guint32 i = 0; i < cols; i++, o++)
        {
          const guint8 *px = row + (gsize)i * samples_in_block * bps;

          if (plane >= 0)
            {
              double v = sample_at (px, r->bits, is_float);

              if (plane == r->alpha_sample)
                {
                  if (v == 0)
                    r->transparent[o] = 1;
                }
              else if (r->kind == KIND_RGB && plane < 3)
                r->out[o] += (float)(weights[plane] * v);
              else if (plane == 0)
                r->out[o] = (float)(r->min_is_white ? max_value - v : v);
              continue;
            }

          if (r->alpha_sample >= 0 &&
              sample_at (px + r->alpha_sample * bps, r->bits, FALSE) == 0)
            r->transparent[o] = 1;

          if (r->kind == KIND_RGB)
            {
              double cr = sample_at (px, r->bits, FALSE);
              double cg = sample_at (px + bps, r->bits, FALSE);
              double cb = sample_at (px + 2 * bps, r->bits, FALSE);

              /* Grey pixels keep their exact value. */
              if (cr == cg && cg == cb)
                r->out[o] = (float)cr;
              else
                r->out[o] = (float)(weights[0] * cr + weights[1] * cg + weights[2] * cb);
            }
          else
            {
              double v = sample_at (px, r->bits, is_float);

              r->out[o] = (float)(r->min_is_white && !is_float ? max_value - v : v);
            }
        }
    }
}

/* The compressed data cannot hold more than this many times its size of pixels. */
static guint64
max_inflate_ratio (guint16 compression)
{
  switch (compression)
    {
    case COMPRESSION_NONE: return 1;
    case COMPRESSION_PACKBITS: return 64;
    case COMPRESSION_DEFLATE:
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_LZW:
      return 2048;
    default:
      return 100000;
    }
}

/* Every strip/tile must lie inside the file, and the data must plausibly be enough for
 * the declared image; checked before the image buffers are allocated. */
static gboolean
tiff_check_striles (TiffRead  *r,
                    GError   **error)
{
  guint32 n = TIFFIsTiled (r->tif) ? TIFFNumberOfTiles (r->tif) : TIFFNumberOfStrips (r->tif);
  guint64 total = 0, raw;

  if (n == 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the TIFF image has no strips or tiles%s", r->display_name,
                   tiff_io_errors (r->io));
      return FALSE;
    }
  for (guint32 s = 0; s < n; s++)
    {
      int err = 0;
      guint64 off = TIFFGetStrileOffsetWithErr (r->tif, s, &err);
      guint64 count = err ? 0 : TIFFGetStrileByteCountWithErr (r->tif, s, &err);

      if (err || off > r->io->len || count > r->io->len - off)
        {
          g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                       "%s: %s %u of the image lies beyond the end of the file "
                       "(offset %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " bytes, file size %"
                       G_GSIZE_FORMAT "); the file is truncated or its tags are damaged%s",
                       r->display_name, TIFFIsTiled (r->tif) ? "tile" : "strip", s,
                       off, count, r->io->len, tiff_io_errors (r->io));
          return FALSE;
        }
      total += count;
    }

  raw = (guint64)r->width * r->height * r->spp * (r->bits / 8);
  if (total > G_MAXUINT64 / 100000 || total * max_inflate_ratio (r->compression) < raw)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the TIFF declares %u × %u pixels but its strips hold only %"
                   G_GUINT64_FORMAT " bytes; the file is truncated or damaged%s",
                   r->display_name, r->width, r->height, total, tiff_io_errors (r->io));
      return FALSE;
    }
  return TRUE;
}

static gboolean
tiff_read_pixels (TiffRead  *r,
                  GError   **error)
{
  const int planes = r->planar == PLANARCONFIG_SEPARATE ? r->spp : 1;
  g_autofree guint8 *buf = NULL;
  tmsize_t buf_size;

  if (TIFFIsTiled (r->tif))
    {
      guint32 tw = 0, th = 0;

      TIFFGetField (r->tif, TIFFTAG_TILEWIDTH, &tw);
      TIFFGetField (r->tif, TIFFTAG_TILELENGTH, &th);
      buf_size = TIFFTileSize (r->tif);
      if (tw == 0 || th == 0 || buf_size <= 0)
        {
          g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                       "%s: the TIFF tile size is invalid%s", r->display_name,
                       tiff_io_errors (r->io));
          return FALSE;
        }
      buf = g_try_malloc (buf_size);
      if (buf == NULL)
        goto no_memory;

      for (int s = 0; s < planes; s++)
        for (guint32 y = 0; y < r->height; y += th)
          for (guint32 x = 0; x < r->width; x += tw)
            {
              ttile_t tile = TIFFComputeTile (r->tif, x, y, 0, (tsample_t)s);

              if (TIFFReadEncodedTile (r->tif, tile, buf, buf_size) < 0)
                goto read_failed;
              tiff_convert_block (r, buf, x, y, tw, th, planes > 1 ? s : -1);
            }
    }
  else
    {
      guint32 rows_per_strip = 0;

      TIFFGetFieldDefaulted (r->tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
      rows_per_strip = MIN (MAX (rows_per_strip, 1), r->height);
      buf_size = TIFFStripSize (r->tif);
      if (buf_size <= 0)
        {
          g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                       "%s: the TIFF strip size is invalid%s", r->display_name,
                       tiff_io_errors (r->io));
          return FALSE;
        }
      buf = g_try_malloc (buf_size);
      if (buf == NULL)
        goto no_memory;

      for (int s = 0; s < planes; s++)
        for (guint32 y = 0; y < r->height; y += rows_per_strip)
          {
            tstrip_t strip = TIFFComputeStrip (r->tif, y, (tsample_t)s);
            tmsize_t got;
            guint32 rows = MIN (rows_per_strip, r->height - y);
            tmsize_t need = (tmsize_t)((gsize)buf_size / rows_per_strip * rows);

            got = TIFFReadEncodedStrip (r->tif, strip, buf, buf_size);
            if (got < need)
              goto read_failed;
            tiff_convert_block (r, buf, 0, y, r->width, rows, planes > 1 ? s : -1);
          }
    }
  return TRUE;

read_failed:
  g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
               "%s: the TIFF image data cannot be decoded; the file is truncated or damaged%s",
               r->display_name, tiff_io_errors (r->io));
  return FALSE;

no_memory:
  g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
               "%s: not enough memory to decode %u × %u pixels", r->display_name,
               r->width, r->height);
  return FALSE;
}

/* Works out which layout this is, or says precisely why it is not one we read. */
static gboolean
tiff_classify (TiffRead  *r,
               GError   **error)
{
  guint16 extra_count = 0;
  guint16 *extra = NULL;
  gboolean has_photometric;

  TIFFGetFieldDefaulted (r->tif, TIFFTAG_BITSPERSAMPLE, &r->bits);
  TIFFGetFieldDefaulted (r->tif, TIFFTAG_SAMPLESPERPIXEL, &r->spp);
  TIFFGetFieldDefaulted (r->tif, TIFFTAG_SAMPLEFORMAT, &r->sample_format);
  TIFFGetFieldDefaulted (r->tif, TIFFTAG_PLANARCONFIG, &r->planar);
  TIFFGetFieldDefaulted (r->tif, TIFFTAG_COMPRESSION, &r->compression);
  has_photometric = TIFFGetField (r->tif, TIFFTAG_PHOTOMETRIC, &r->photometric);
  if (!has_photometric)
    r->photometric = r->spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
  TIFFGetField (r->tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra);

  r->alpha_sample = -1;
  r->min_is_white = r->photometric == PHOTOMETRIC_MINISWHITE;

  if (r->sample_format == SAMPLEFORMAT_IEEEFP)
    {
      if (r->spp != 1 || (r->bits != 32 && r->bits != 64))
        goto unsupported;
      r->kind = KIND_FLOAT;
    }
  else if (r->sample_format == SAMPLEFORMAT_UINT || r->sample_format == SAMPLEFORMAT_VOID)
    {
      if (r->bits != 8 && r->bits != 16)
        goto unsupported;
      if (r->photometric == PHOTOMETRIC_MINISBLACK || r->photometric == PHOTOMETRIC_MINISWHITE)
        {
          if (r->spp != 1 && r->spp != 2)
            goto unsupported;
          r->kind = KIND_GREY;
        }
      else if (r->photometric == PHOTOMETRIC_RGB)
        {
          if (r->spp != 3 && r->spp != 4)
            goto unsupported;
          r->kind = KIND_RGB;
        }
      else
        goto unsupported;

      /* The sample after the colour ones is alpha only when ExtraSamples says so;
       * an unspecified extra sample is ignored. */
      if (r->spp == (r->kind == KIND_RGB ? 4 : 2) && extra_count >= 1 && extra != NULL &&
          (extra[0] == EXTRASAMPLE_ASSOCALPHA || extra[0] == EXTRASAMPLE_UNASSALPHA))
        r->alpha_sample = r->spp - 1;
    }
  else
    goto unsupported;

  if (r->planar != PLANARCONFIG_CONTIG && r->planar != PLANARCONFIG_SEPARATE)
    goto unsupported;
  if (!TIFFIsCODECConfigured (r->compression))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNSUPPORTED,
                   "%s: the TIFF uses compression scheme %u, which this build of libtiff "
                   "cannot decode; save it uncompressed, LZW or Deflate", r->display_name,
                   r->compression);
      return FALSE;
    }
  return TRUE;

unsupported:
  g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNSUPPORTED,
               "%s: a TIFF image with %u bits per sample and %u sample(s) per pixel (sample "
               "format %u, photometric %u, planar configuration %u) is not supported; Toolmark reads "
               "8/16-bit grey or RGB(A) images and 32/64-bit float height maps%s",
               r->display_name, r->bits, r->spp, r->sample_format, r->photometric, r->planar,
               tiff_io_errors (r->io));
  return FALSE;
}

typedef struct
{
  gboolean   present;
  double     pixel_um_x;
  double     pixel_um_y;
  gboolean   has_modality;
  TmModality modality;
  char      *units;
} TiffDescription;

/* Parses "toolmark pixel_um_x=6.25 pixel_um_y=6.25 modality=3d units=um". */
static void
tiff_parse_description (const char      *text,
                        TiffDescription *desc)
{
  g_auto(GStrv) words = NULL;

  memset (desc, 0, sizeof *desc);
  if (text == NULL || !g_str_has_prefix (text, TIFF_DESCRIPTION_TAG " "))
    return;

  words = g_strsplit_set (text, " \n", -1);
  for (guint i = 1; words[i] != NULL; i++)
    {
      const char *eq = strchr (words[i], '=');
      g_autofree char *key = NULL;
      const char *value;

      if (eq == NULL)
        continue;
      key = g_strndup (words[i], eq - words[i]);
      value = eq + 1;
      if (g_str_equal (key, "pixel_um_x") || g_str_equal (key, "pixel_um_y"))
        {
          char *end = NULL;
          double v = g_ascii_strtod (value, &end);

          if (end == value || *end != '\0' || !isfinite (v) || v <= 0)
            continue;
          if (key[9] == 'x')
            desc->pixel_um_x = v;
          else
            desc->pixel_um_y = v;
        }
      else if (g_str_equal (key, "modality"))
        desc->has_modality = tm_modality_from_string (value, &desc->modality);
      else if (g_str_equal (key, "units"))
        {
          g_free (desc->units);
          desc->units = g_strdup (value);
        }
    }
  desc->present = desc->pixel_um_x > 0 && desc->pixel_um_y > 0;
}

static gboolean
dpi_is_placeholder (double res,
                    guint16 unit)
{
  double dpi = unit == RESUNIT_CENTIMETER ? res * 2.54 : res;

  return fabs (dpi - 72.0) < 1e-3 || fabs (dpi - 96.0) < 1e-3;
}

/* Decides the pixel size (see the file comment for the order of sources). */
static gboolean
tiff_pixel_size (TiffRead              *r,
                 const TiffDescription *desc,
                 double                 user_pixel_um,
                 double                *out_x,
                 double                *out_y,
                 GError               **error)
{
  float xres = 0, yres = 0;
  guint16 unit = 0;
  gboolean has_res, has_unit;
  const char *why;

  if (desc->present)
    {
      *out_x = desc->pixel_um_x;
      *out_y = desc->pixel_um_y;
      return TRUE;
    }

  has_res = TIFFGetField (r->tif, TIFFTAG_XRESOLUTION, &xres) &&
            TIFFGetField (r->tif, TIFFTAG_YRESOLUTION, &yres);
  has_unit = TIFFGetField (r->tif, TIFFTAG_RESOLUTIONUNIT, &unit) &&
             (unit == RESUNIT_INCH || unit == RESUNIT_CENTIMETER);

  if (has_res && has_unit && isfinite (xres) && isfinite (yres) && xres > 0 && yres > 0 &&
      !dpi_is_placeholder (xres, unit))
    {
      double per_unit_um = unit == RESUNIT_CENTIMETER ? 1e4 : 25400.0;

      *out_x = per_unit_um / xres;
      *out_y = per_unit_um / yres;
      if (user_pixel_um > 0 && fabs (*out_x - user_pixel_um) > 1e-3 * user_pixel_um)
        {
          g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNITS,
                       "%s: the file declares %.6g µm per pixel, not the %.6g µm given",
                       r->display_name, *out_x, user_pixel_um);
          return FALSE;
        }
      return TRUE;
    }

  if (user_pixel_um > 0 && isfinite (user_pixel_um))
    {
      *out_x = *out_y = user_pixel_um;
      return TRUE;
    }

  if (!has_res)
    why = "has no resolution tags";
  else if (!has_unit)
    why = "has resolution tags without a unit of length";
  else if (!(xres > 0 && yres > 0) || !isfinite (xres) || !isfinite (yres))
    why = "has invalid resolution tags";
  else
    why = "only carries a 72/96 dpi screen resolution";
  g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNITS,
               "%s: the TIFF %s, so the pixel size is unknown; give it with --pixel-um",
               r->display_name, why);
  return FALSE;
}

static void
tiff_copy_meta (TIFF       *tif,
                TmSurface  *surface,
                ttag_t      tag,
                const char *key)
{
  const char *value = NULL;

  if (TIFFGetField (tif, tag, &value) && value != NULL && *value != '\0' &&
      g_utf8_validate (value, -1, NULL))
    tm_surface_set_meta (surface, key, value);
}

/**
 * tm_tiff_read_bytes:
 *
 * Reads the first image of a TIFF file (see the file comment for what is accepted and
 * how pixel size and height units are decided).
 */
TmSurface *
tm_tiff_read_bytes (GBytes      *bytes,
                    const char  *display_name,
                    double       pixel_um,
                    GError     **error)
{
  TiffIO io;
  TiffRead r = { 0 };
  TiffDescription desc = { 0 };
  g_autoptr(TmSurface) surface = NULL;
  g_autofree guint8 *transparent = NULL;
  const char *description = NULL;
  double px_x, px_y;
  TmModality modality;
  gsize n, valid = 0;
  float *data;
  const char *units;
  gboolean ok = FALSE;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  tiff_io_init (&io);
  io.data = g_bytes_get_data (bytes, &io.len);
  r.display_name = display_name;
  r.io = &io;

  if (io.len == 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the file is empty", display_name);
      goto out;
    }
  if (io.len < 8 || (memcmp (io.data, "II", 2) != 0 && memcmp (io.data, "MM", 2) != 0))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNKNOWN_FORMAT,
                   "%s: not a TIFF file (the TIFF byte-order mark is missing)", display_name);
      goto out;
    }

  r.tif = tiff_open (&io, display_name, "rm");
  if (r.tif == NULL)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the TIFF structure cannot be read; the file is truncated or damaged%s",
                   display_name, tiff_io_errors (&io));
      goto out;
    }

  TIFFGetField (r.tif, TIFFTAG_IMAGEWIDTH, &r.width);
  TIFFGetField (r.tif, TIFFTAG_IMAGELENGTH, &r.height);
  if (r.width == 0 || r.height == 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the TIFF declares an empty image (%u × %u pixels)%s",
                   display_name, r.width, r.height, tiff_io_errors (&io));
      goto out;
    }
  if (r.width > TM_SURFACE_MAX_SIDE || r.height > TM_SURFACE_MAX_SIDE)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
                   "%s: the TIFF declares %u × %u pixels; at most %u × %u are accepted",
                   display_name, r.width, r.height, TM_SURFACE_MAX_SIDE, TM_SURFACE_MAX_SIDE);
      goto out;
    }
  if (!tiff_classify (&r, error))
    goto out;
  if (io.repairs->len > 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_CORRUPT,
                   "%s: the TIFF's strip or tile tags are damaged; the file is truncated or "
                   "was written incorrectly (libtiff: %s)", display_name, io.repairs->str);
      goto out;
    }

  TIFFGetField (r.tif, TIFFTAG_IMAGEDESCRIPTION, &description);
  tiff_parse_description (description, &desc);
  if (!tiff_pixel_size (&r, &desc, pixel_um, &px_x, &px_y, error))
    goto out;
  if (!tiff_check_striles (&r, error))
    goto out;

  modality = r.kind == KIND_FLOAT ? TM_MODALITY_3D : TM_MODALITY_2D;
  if (desc.has_modality && r.kind == KIND_FLOAT)
    modality = desc.modality;

  surface = tm_surface_new (r.width, r.height, px_x, px_y, modality);
  n = (gsize)r.width * r.height;
  transparent = g_try_malloc0 (n);
  if (surface == NULL || transparent == NULL)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
                   "%s: not enough memory for %u × %u pixels", display_name, r.width, r.height);
      goto out;
    }
  data = tm_surface_get_data (surface);
  /* Separate RGB planes accumulate their weighted share into the output. */
  if (r.kind == KIND_RGB && r.planar == PLANARCONFIG_SEPARATE)
    memset (data, 0, n * sizeof (float));
  r.out = data;
  r.transparent = transparent;
  if (!tiff_read_pixels (&r, error))
    goto out;

  for (gsize i = 0; i < n; i++)
    {
      if (transparent[i] || !isfinite (data[i]))
        data[i] = NAN;
      else
        valid++;
    }
  if (valid == 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_NO_DATA,
                   "%s: the TIFF has no valid point (every sample is NaN or transparent)",
                   display_name);
      goto out;
    }

  if (r.kind != KIND_FLOAT)
    units = "grey";
  else if (desc.units != NULL && g_str_equal (desc.units, "m"))
    units = "m";
  else if (desc.units != NULL && g_str_equal (desc.units, "grey"))
    units = "grey";
  else if (desc.units != NULL)
    units = "um";
  else
    {
      float max_abs = 0;

      for (gsize i = 0; i < n; i++)
        if (isfinite (data[i]))
          max_abs = MAX (max_abs, fabsf (data[i]));
      if (max_abs > 0 && max_abs < TIFF_METRES_MAX_ABS &&
          px_x <= TIFF_METRES_MAX_PIXEL && px_y <= TIFF_METRES_MAX_PIXEL)
        units = "m";
      else
        units = "um";
    }
  if (g_str_equal (units, "m"))
    for (gsize i = 0; i < n; i++)
      data[i] = (float)(data[i] * 1e6);

  tm_surface_sync_mask (surface);
  tm_surface_set_meta (surface, TM_META_SOURCE_FORMAT, "tiff");
  tm_surface_set_meta (surface, TM_META_SOURCE_UNITS, units);
  {
    g_autofree char *type = g_strdup_printf ("%s%u%s",
                                             r.kind == KIND_FLOAT ? "float" : "uint", r.bits,
                                             r.kind == KIND_RGB ? (r.alpha_sample >= 0 ? " RGBA" : " RGB") : "");
    tm_surface_set_meta (surface, TM_META_SOURCE_DATA_TYPE, type);
  }
  tiff_copy_meta (r.tif, surface, TIFFTAG_DATETIME, TM_META_DATE);
  tiff_copy_meta (r.tif, surface, TIFFTAG_ARTIST, TM_META_CREATOR);
  tiff_copy_meta (r.tif, surface, TIFFTAG_MAKE, TM_META_INSTRUMENT_MANUFACTURER);
  tiff_copy_meta (r.tif, surface, TIFFTAG_MODEL, TM_META_INSTRUMENT_MODEL);
  if (!desc.present)
    tiff_copy_meta (r.tif, surface, TIFFTAG_IMAGEDESCRIPTION, TM_META_COMMENT);
  ok = TRUE;

out:
  if (r.tif != NULL)
    TIFFClose (r.tif);
  g_free (desc.units);
  tiff_io_clear (&io);
  return ok ? g_steal_pointer (&surface) : NULL;
}

/**
 * tm_tiff_read_file:
 *
 * tm_tiff_read_bytes() on the contents of @path; messages name the file's base name.
 */
TmSurface *
tm_tiff_read_file (const char  *path,
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
  return tm_tiff_read_bytes (bytes, name, pixel_um, error);
}

/* ------------------------------------------------------------------------------------ */
/* Writing                                                                              */

/**
 * tm_tiff_write_bytes:
 *
 * Writes @surface as a one-sample 32-bit float TIFF (NaN at invalid points), in strips,
 * Deflate-compressed with the floating-point predictor when libtiff has Deflate. The
 * pixel size goes into XResolution/YResolution (pixels per centimetre) for other
 * programs, and exactly (%.17g) with the modality and units into ImageDescription for
 * us, so a round trip is bit-identical.
 */
GBytes *
tm_tiff_write_bytes (TmSurface  *surface,
                     GError    **error)
{
  TiffIO io;
  TIFF *tif;
  guint width, height;
  double px_x, px_y;
  guint32 rows_per_strip;
  const float *data;
  g_autofree float *scratch = NULL;
  g_autofree char *description = NULL;
  char num_x[G_ASCII_DTOSTR_BUF_SIZE], num_y[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean deflate;
  GBytes *result = NULL;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);

  width = tm_surface_get_width (surface);
  height = tm_surface_get_height (surface);
  px_x = tm_surface_get_pixel_um_x (surface);
  px_y = tm_surface_get_pixel_um_y (surface);
  data = tm_surface_peek_data (surface);
  if (!(px_x > 0 && px_y > 0 && isfinite (px_x) && isfinite (px_y)))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_UNITS,
                   "cannot write a TIFF: the surface has no valid pixel size (%g × %g µm)",
                   px_x, px_y);
      return NULL;
    }

  tiff_io_init (&io);
  io.out = g_byte_array_new ();
  tif = tiff_open (&io, "surface.tiff", "w");
  if (tif == NULL)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO,
                   "cannot start a TIFF file%s", tiff_io_errors (&io));
      tiff_io_clear (&io);
      return NULL;
    }

  /* %.17g (locale-independent) reproduces every double exactly. */
  g_ascii_formatd (num_x, sizeof num_x, "%.17g", px_x);
  g_ascii_formatd (num_y, sizeof num_y, "%.17g", px_y);
  description = g_strdup_printf (TIFF_DESCRIPTION_TAG " pixel_um_x=%s pixel_um_y=%s "
                                 "modality=%s units=%s",
                                 num_x, num_y,
                                 tm_modality_to_string (tm_surface_get_modality (surface)),
                                 tm_surface_get_modality (surface) == TM_MODALITY_3D ? "um" : "grey");
  deflate = TIFFIsCODECConfigured (COMPRESSION_ADOBE_DEFLATE);
  /* Strips of about 256 KiB: small enough to stream, large enough to compress well. */
  rows_per_strip = MAX (1, MIN (height, (256 * 1024) / (width * sizeof (float))));

  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, (guint32)width);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, (guint32)height);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 32);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField (tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
  TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, rows_per_strip);
  if (deflate)
    {
      TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
      TIFFSetField (tif, TIFFTAG_PREDICTOR, PREDICTOR_FLOATINGPOINT);
    }
  else
    TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  TIFFSetField (tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_CENTIMETER);
  TIFFSetField (tif, TIFFTAG_XRESOLUTION, 1e4 / px_x);
  TIFFSetField (tif, TIFFTAG_YRESOLUTION, 1e4 / px_y);
  TIFFSetField (tif, TIFFTAG_IMAGEDESCRIPTION, description);
  TIFFSetField (tif, TIFFTAG_SOFTWARE, "Toolmark " PACKAGE_VERSION);

  /* libtiff may encode in place (predictor, byte order): hand it a copy of each strip. */
  scratch = g_try_new (float, (gsize)rows_per_strip * width);
  if (scratch == NULL)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
                   "cannot write a TIFF: out of memory");
      goto fail;
    }
  for (guint32 y = 0, strip = 0; y < height; y += rows_per_strip, strip++)
    {
      guint32 rows = MIN (rows_per_strip, height - y);
      gsize count = (gsize)rows * width;

      memcpy (scratch, data + (gsize)y * width, count * sizeof (float));
      if (TIFFWriteEncodedStrip (tif, strip, scratch, (tmsize_t)(count * sizeof (float))) < 0)
        {
          g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO,
                       "cannot write the TIFF image data%s", tiff_io_errors (&io));
          goto fail;
        }
    }
  if (!TIFFWriteDirectory (tif))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO,
                   "cannot write the TIFF directory%s", tiff_io_errors (&io));
      goto fail;
    }
  TIFFClose (tif);
  tif = NULL;
  if (io.errors->len > 0)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO,
                   "cannot write the TIFF file%s", tiff_io_errors (&io));
      goto fail;
    }

  result = g_byte_array_free_to_bytes (g_steal_pointer (&io.out));

fail:
  if (tif != NULL)
    TIFFClose (tif);
  tiff_io_clear (&io);
  return result;
}

/**
 * tm_tiff_write_file:
 *
 * tm_tiff_write_bytes() saved atomically to @path.
 */
gboolean
tm_tiff_write_file (TmSurface   *surface,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (TM_IS_SURFACE (surface), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  name = g_path_get_basename (path);
  bytes = tm_tiff_write_bytes (surface, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "%s: %s", name, local_error->message);
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &len);
  if (!g_file_set_contents (path, (const char *)data, len, &local_error))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO,
                   "%s: %s", name, local_error->message);
      return FALSE;
    }
  return TRUE;
}
