/* test-tiff.c — TIFF reading (every supported layout, units, hostile files) and writing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Well-formed fixtures are written here with libtiff itself, the way other programs write
 * them; hostile ones are assembled byte by byte so that each carries exactly one defect.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <tiffio.h>

#include "tm-format.h"
#include "tm-test-support.h"
#include "tm-tiff.h"

/* ------------------------------------------------------------------------------------ */
/* Fixtures written with libtiff                                                        */

typedef struct
{
  guint        width;
  guint        height;
  guint16      bits;
  guint16      spp;
  guint16      sample_format;
  guint16      photometric;
  guint16      planar;
  guint16      compression;
  guint        tile;            /* 0: strips */
  guint        rows_per_strip;  /* 0: libtiff's default */
  gboolean     alpha;           /* last sample declared as unassociated alpha */
  guint16      res_unit;        /* 0: no ResolutionUnit tag */
  double       xres;            /* 0: no resolution tags */
  double       yres;
  const char  *description;
  gboolean     big_endian;      /* "MM" byte order */
} Fixture;

static const Fixture fixture_defaults = {
  .width = 37, .height = 29, .bits = 8, .spp = 1, .sample_format = SAMPLEFORMAT_UINT,
  .photometric = PHOTOMETRIC_MINISBLACK, .planar = PLANARCONFIG_CONTIG,
  .compression = COMPRESSION_NONE, .res_unit = RESUNIT_CENTIMETER, .xres = 1600, .yres = 1600,
};

/* Writes @pixels (interleaved samples, row-major, host byte order) as a TIFF. */
static GBytes *
fixture_write (const Fixture *f,
               const void    *pixels)
{
  g_autofree char *dir = tm_test_make_tmpdir ("test-tiff-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "fixture.tif", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const guint bps = f->bits / 8;
  const guint planes = f->planar == PLANARCONFIG_SEPARATE ? f->spp : 1;
  const guint block_spp = planes > 1 ? 1 : f->spp;
  const guint8 *src = pixels;
  gsize len;
  TIFF *tif;

  tif = TIFFOpen (path, f->big_endian ? "wb" : "wl");
  g_assert_nonnull (tif);
  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, f->width);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, f->height);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, f->bits);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, f->spp);
  TIFFSetField (tif, TIFFTAG_SAMPLEFORMAT, f->sample_format);
  TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, f->photometric);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, f->planar);
  TIFFSetField (tif, TIFFTAG_COMPRESSION, f->compression);
  if (f->alpha)
    {
      guint16 extra = EXTRASAMPLE_UNASSALPHA;
      TIFFSetField (tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
  if (f->res_unit != 0)
    TIFFSetField (tif, TIFFTAG_RESOLUTIONUNIT, f->res_unit);
  if (f->xres > 0)
    {
      TIFFSetField (tif, TIFFTAG_XRESOLUTION, f->xres);
      TIFFSetField (tif, TIFFTAG_YRESOLUTION, f->yres);
    }
  if (f->description != NULL)
    TIFFSetField (tif, TIFFTAG_IMAGEDESCRIPTION, f->description);

  if (f->tile > 0)
    {
      gsize tile_bytes = (gsize)f->tile * f->tile * block_spp * bps;
      g_autofree guint8 *buf = g_malloc (tile_bytes);

      TIFFSetField (tif, TIFFTAG_TILEWIDTH, f->tile);
      TIFFSetField (tif, TIFFTAG_TILELENGTH, f->tile);
      for (guint s = 0; s < planes; s++)
        for (guint ty = 0; ty < f->height; ty += f->tile)
          for (guint tx = 0; tx < f->width; tx += f->tile)
            {
              memset (buf, 0, tile_bytes);
              for (guint y = ty; y < MIN (ty + f->tile, f->height); y++)
                for (guint x = tx; x < MIN (tx + f->tile, f->width); x++)
                  for (guint c = 0; c < block_spp; c++)
                    memcpy (buf + (((gsize)(y - ty) * f->tile + (x - tx)) * block_spp + c) * bps,
                            src + (((gsize)y * f->width + x) * f->spp + (planes > 1 ? s : c)) * bps,
                            bps);
              g_assert_cmpint (TIFFWriteEncodedTile (tif, TIFFComputeTile (tif, tx, ty, 0, s),
                                                     buf, tile_bytes), >=, 0);
            }
    }
  else
    {
      guint rps = f->rows_per_strip > 0 ? f->rows_per_strip : TIFFDefaultStripSize (tif, 0);
      gsize row_bytes = (gsize)f->width * block_spp * bps;
      g_autofree guint8 *buf = g_malloc (row_bytes * rps);

      TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, rps);
      for (guint s = 0; s < planes; s++)
        for (guint y0 = 0; y0 < f->height; y0 += rps)
          {
            guint rows = MIN (rps, f->height - y0);

            for (guint y = y0; y < y0 + rows; y++)
              for (guint x = 0; x < f->width; x++)
                for (guint c = 0; c < block_spp; c++)
                  memcpy (buf + ((gsize)(y - y0) * f->width + x) * block_spp * bps + c * bps,
                          src + (((gsize)y * f->width + x) * f->spp + (planes > 1 ? s : c)) * bps,
                          bps);
            g_assert_cmpint (TIFFWriteEncodedStrip (tif, TIFFComputeStrip (tif, y0, s), buf,
                                                    rows * row_bytes), >=, 0);
          }
    }
  TIFFClose (tif);

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

/* Test pixel values: varied, reproducible, including both ends of the range. */
static guint
pattern (guint x,
         guint y,
         guint c,
         guint max)
{
  return ((x * 37u + y * 101u + c * 53u) * 2654435761u >> 7) % (max + 1);
}

static void
assert_error (GError     *error,
              gint        code,
              const char *name)
{
  g_assert_error (error, TM_FORMAT_ERROR, code);
  if (strstr (error->message, name) == NULL)
    g_error ("message does not name the file %s: %s", name, error->message);
  g_test_message ("refused as expected: %s", error->message);
}

/* ------------------------------------------------------------------------------------ */
/* Reading well-formed files                                                            */

static void
test_read_grey8 (void)
{
  Fixture f = fixture_defaults;
  g_autofree guint8 *px = g_new (guint8, f.width * f.height);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;
  const float *data;

  for (guint y = 0; y < f.height; y++)
    for (guint x = 0; x < f.width; x++)
      px[y * f.width + x] = pattern (x, y, 0, 255);
  px[0] = 0;
  px[1] = 255;
  bytes = fixture_write (&f, px);

  s = tm_tiff_read_bytes (bytes, "grey8.tif", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tm_surface_get_width (s), ==, f.width);
  g_assert_cmpuint (tm_surface_get_height (s), ==, f.height);
  g_assert_cmpint (tm_surface_get_modality (s), ==, TM_MODALITY_2D);
  /* 1600 pixels per centimetre */
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 6.25);
  g_assert_cmpfloat (tm_surface_get_pixel_um_y (s), ==, 6.25);
  g_assert_cmpuint (tm_surface_count_valid (s), ==, f.width * f.height);
  g_assert_cmpstr (tm_surface_get_meta (s, TM_META_SOURCE_UNITS), ==, "grey");
  data = tm_surface_peek_data (s);
  for (guint i = 0; i < f.width * f.height; i++)
    g_assert_cmpfloat (data[i], ==, px[i]);
}

static void
test_read_grey16_min_is_white (void)
{
  Fixture f = fixture_defaults;
  g_autofree guint16 *px = g_new (guint16, f.width * f.height);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;
  const float *data;

  f.bits = 16;
  f.big_endian = TRUE;  /* libtiff swaps the samples to host order */
  f.photometric = PHOTOMETRIC_MINISWHITE;
  f.compression = COMPRESSION_LZW;
  for (guint i = 0; i < f.width * f.height; i++)
    px[i] = pattern (i % f.width, i / f.width, 0, 65535);
  px[5] = 65535;
  bytes = fixture_write (&f, px);

  s = tm_tiff_read_bytes (bytes, "grey16.tif", 0, &error);
  g_assert_no_error (error);
  data = tm_surface_peek_data (s);
  for (guint i = 0; i < f.width * f.height; i++)
    g_assert_cmpfloat (data[i], ==, 65535.0f - px[i]);
  g_assert_cmpstr (tm_surface_get_meta (s, TM_META_SOURCE_DATA_TYPE), ==, "uint16");
}

static void
check_rgb (guint16  bits,
           guint16  planar,
           guint    tile,
           gboolean alpha)
{
  Fixture f = fixture_defaults;
  const guint spp = alpha ? 4 : 3;
  const guint max = bits == 16 ? 65535 : 255;
  const gsize n = (gsize)f.width * f.height;
  g_autofree guint16 *values = g_new (guint16, n * spp);
  g_autofree guint8 *raw = g_malloc (n * spp * (bits / 8));
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;
  const float *data;
  gsize transparent = 0;

  f.bits = bits;
  f.spp = spp;
  f.alpha = alpha;
  f.photometric = PHOTOMETRIC_RGB;
  f.planar = planar;
  f.tile = tile;
  f.compression = COMPRESSION_ADOBE_DEFLATE;
  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < spp; c++)
      values[i * spp + c] = pattern (i % f.width, i / f.width, c, max);
  /* a grey pixel, which must keep its exact value */
  values[3 * spp] = values[3 * spp + 1] = values[3 * spp + 2] = max / 3;
  if (alpha)
    for (gsize i = 0; i < n; i++)
      {
        values[i * spp + 3] = (i % 7 == 0) ? 0 : max;
        transparent += i % 7 == 0;
      }
  for (gsize i = 0; i < n * spp; i++)
    {
      if (bits == 16)
        memcpy (raw + i * 2, &values[i], 2);
      else
        raw[i] = values[i];
    }
  bytes = fixture_write (&f, raw);

  s = tm_tiff_read_bytes (bytes, "colour.tif", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tm_surface_get_modality (s), ==, TM_MODALITY_2D);
  g_assert_cmpuint (tm_surface_count_valid (s), ==, n - transparent);
  data = tm_surface_peek_data (s);
  for (gsize i = 0; i < n; i++)
    {
      const guint16 *v = &values[i * spp];
      double expect = 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];

      if (alpha && v[3] == 0)
        {
          g_assert_true (isnan (data[i]));
          g_assert_cmpuint (tm_surface_peek_mask (s)[i], ==, 0);
        }
      else
        g_assert_cmpfloat_with_epsilon (data[i], expect, 1e-6 * max);
    }
  if (!alpha || values[3 * spp + 3] != 0)
    g_assert_cmpfloat (data[3], ==, (float)(max / 3));
}

static void
test_read_rgb8 (void)
{
  check_rgb (8, PLANARCONFIG_CONTIG, 0, FALSE);
}

static void
test_read_rgba8_transparent (void)
{
  check_rgb (8, PLANARCONFIG_CONTIG, 0, TRUE);
}

static void
test_read_rgba16_tiled (void)
{
  check_rgb (16, PLANARCONFIG_CONTIG, 16, TRUE);
}

static void
test_read_rgb_separate (void)
{
  check_rgb (8, PLANARCONFIG_SEPARATE, 0, FALSE);
  check_rgb (16, PLANARCONFIG_SEPARATE, 16, TRUE);
}

static float *
make_heights (guint width,
              guint height,
              gsize *out_nan)
{
  float *z = g_new (float, (gsize)width * height);
  gsize nan = 0;

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        gsize i = (gsize)y * width + x;
        double dx = x - width / 2.0, dy = y - height / 2.0;

        if (dx * dx + dy * dy > (width / 2.0) * (width / 2.0))
          {
            z[i] = NAN;
            nan++;
          }
        else
          z[i] = (float)(3.5 * sin (x * 0.3) * cos (y * 0.17) - 1.25);
      }
  *out_nan = nan;
  return z;
}

static void
check_float32 (guint    tile,
               guint16  compression,
               guint    rows_per_strip)
{
  Fixture f = fixture_defaults;
  gsize nan;
  g_autofree float *z = make_heights (f.width, f.height, &nan);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;
  const float *data;

  f.bits = 32;
  f.sample_format = SAMPLEFORMAT_IEEEFP;
  f.tile = tile;
  f.compression = compression;
  f.rows_per_strip = rows_per_strip;
  bytes = fixture_write (&f, z);

  s = tm_tiff_read_bytes (bytes, "heights.tif", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tm_surface_get_modality (s), ==, TM_MODALITY_3D);
  g_assert_cmpuint (tm_surface_count_valid (s), ==, (gsize)f.width * f.height - nan);
  g_assert_cmpstr (tm_surface_get_meta (s, TM_META_SOURCE_UNITS), ==, "um");
  data = tm_surface_peek_data (s);
  for (gsize i = 0; i < (gsize)f.width * f.height; i++)
    {
      if (isnan (z[i]))
        g_assert_true (isnan (data[i]));
      else
        g_assert_cmpmem (&data[i], sizeof (float), &z[i], sizeof (float));
    }
}

static void
test_read_float32_striped (void)
{
  check_float32 (0, COMPRESSION_NONE, 0);
  check_float32 (0, COMPRESSION_NONE, 4);   /* several strips, a short last one */
  check_float32 (0, COMPRESSION_LZW, 1);
}

static void
test_read_float32_tiled (void)
{
  check_float32 (16, COMPRESSION_NONE, 0);  /* partial tiles on the right and bottom */
  check_float32 (32, COMPRESSION_ADOBE_DEFLATE, 0);
}

static void
test_read_float64 (void)
{
  Fixture f = fixture_defaults;
  g_autofree double *z = g_new (double, f.width * f.height);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;

  f.bits = 64;
  f.sample_format = SAMPLEFORMAT_IEEEFP;
  f.big_endian = TRUE;
  for (guint i = 0; i < f.width * f.height; i++)
    z[i] = i % 11 == 0 ? NAN : i * 0.001 - 0.3;
  bytes = fixture_write (&f, z);

  s = tm_tiff_read_bytes (bytes, "heights64.tif", 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < f.width * f.height; i++)
    {
      if (i % 11 == 0)
        g_assert_true (isnan (tm_surface_peek_data (s)[i]));
      else
        g_assert_cmpfloat (tm_surface_peek_data (s)[i], ==, (float)z[i]);
    }
  g_assert_cmpstr (tm_surface_get_meta (s, TM_META_SOURCE_DATA_TYPE), ==, "float64");
}

/* A float map in metres (as many tools export) on 6.25 µm pixels is scaled to µm. */
static void
test_read_float_metres (void)
{
  Fixture f = fixture_defaults;
  gsize nan;
  g_autofree float *z = make_heights (f.width, f.height, &nan);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;

  f.bits = 32;
  f.sample_format = SAMPLEFORMAT_IEEEFP;
  for (guint i = 0; i < f.width * f.height; i++)
    z[i] *= 1e-6f;
  bytes = fixture_write (&f, z);

  s = tm_tiff_read_bytes (bytes, "metres.tif", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tm_surface_get_meta (s, TM_META_SOURCE_UNITS), ==, "m");
  for (guint i = 0; i < f.width * f.height; i++)
    if (!isnan (z[i]))
      g_assert_cmpfloat_with_epsilon (tm_surface_peek_data (s)[i], z[i] * 1e6, 1e-5);
}

/* ------------------------------------------------------------------------------------ */
/* Pixel size                                                                           */

static GBytes *
grey_with_resolution (guint16     unit,
                      double      xres,
                      double      yres,
                      const char *description)
{
  Fixture f = fixture_defaults;
  g_autofree guint8 *px = g_new0 (guint8, f.width * f.height);

  f.res_unit = unit;
  f.xres = xres;
  f.yres = yres;
  f.description = description;
  for (guint i = 0; i < f.width * f.height; i++)
    px[i] = i;
  return fixture_write (&f, px);
}

static void
test_units (void)
{
  g_autoptr(GError) error = NULL;
  TmSurface *s;
  GBytes *b;

  /* inches: 2540 dpi = 10 µm; anisotropic pixels are kept */
  b = grey_with_resolution (RESUNIT_INCH, 2540, 5080, NULL);
  s = tm_tiff_read_bytes (b, "inch.tif", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 10.0);
  g_assert_cmpfloat (tm_surface_get_pixel_um_y (s), ==, 5.0);
  g_object_unref (s);
  g_bytes_unref (b);

  /* no tags: the user's pixel size, or a UNITS error that says how to give it */
  b = grey_with_resolution (0, 0, 0, NULL);
  s = tm_tiff_read_bytes (b, "bare.tif", 5.0, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 5.0);
  g_object_unref (s);
  s = tm_tiff_read_bytes (b, "bare.tif", 0, &error);
  g_assert_null (s);
  assert_error (error, TM_FORMAT_ERROR_UNITS, "bare.tif");
  g_assert_nonnull (strstr (error->message, "--pixel-um"));
  g_clear_error (&error);
  g_bytes_unref (b);

  /* resolution without a unit of length (ResolutionUnit none): user value needed */
  b = grey_with_resolution (RESUNIT_NONE, 1600, 1600, NULL);
  s = tm_tiff_read_bytes (b, "nounit.tif", 0, &error);
  g_assert_null (s);
  assert_error (error, TM_FORMAT_ERROR_UNITS, "nounit.tif");
  g_clear_error (&error);
  s = tm_tiff_read_bytes (b, "nounit.tif", 3.5, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 3.5);
  g_object_unref (s);
  g_bytes_unref (b);

  /* resolution tags but no ResolutionUnit tag at all: same */
  b = grey_with_resolution (0, 1600, 1600, NULL);
  s = tm_tiff_read_bytes (b, "absent-unit.tif", 0, &error);
  g_assert_null (s);
  assert_error (error, TM_FORMAT_ERROR_UNITS, "absent-unit.tif");
  g_clear_error (&error);
  s = tm_tiff_read_bytes (b, "absent-unit.tif", 4.0, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 4.0);
  g_object_unref (s);
  g_bytes_unref (b);

  /* a 72 dpi screen placeholder is not a measurement */
  b = grey_with_resolution (RESUNIT_INCH, 72, 72, NULL);
  s = tm_tiff_read_bytes (b, "screen.tif", 0, &error);
  g_assert_null (s);
  assert_error (error, TM_FORMAT_ERROR_UNITS, "screen.tif");
  g_clear_error (&error);
  s = tm_tiff_read_bytes (b, "screen.tif", 6.25, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 6.25);
  g_object_unref (s);
  g_bytes_unref (b);

  /* file and user disagree: refused, as for X3P */
  b = grey_with_resolution (RESUNIT_CENTIMETER, 1600, 1600, NULL);
  s = tm_tiff_read_bytes (b, "conflict.tif", 5.0, &error);
  g_assert_null (s);
  assert_error (error, TM_FORMAT_ERROR_UNITS, "conflict.tif");
  g_clear_error (&error);
  s = tm_tiff_read_bytes (b, "conflict.tif", 6.25, &error);
  g_assert_no_error (error);
  g_object_unref (s);
  g_bytes_unref (b);

  /* our description wins over the single-precision tags */
  b = grey_with_resolution (RESUNIT_CENTIMETER, 1600, 1600,
                            "toolmark pixel_um_x=6.2500000001 pixel_um_y=6.2500000002 modality=2d");
  s = tm_tiff_read_bytes (b, "desc.tif", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 6.2500000001);
  g_assert_cmpfloat (tm_surface_get_pixel_um_y (s), ==, 6.2500000002);
  g_object_unref (s);
  g_bytes_unref (b);

  /* someone else's description is kept as a comment, not parsed */
  b = grey_with_resolution (RESUNIT_CENTIMETER, 1600, 1600, "Keyence VK-X height map");
  s = tm_tiff_read_bytes (b, "other.tif", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tm_surface_get_meta (s, TM_META_COMMENT), ==, "Keyence VK-X height map");
  g_object_unref (s);
  g_bytes_unref (b);
}

/* ------------------------------------------------------------------------------------ */
/* Writing                                                                              */

static TmSurface *
make_surface (guint      width,
              guint      height,
              double     pixel_um,
              TmModality modality)
{
  TmSurface *s = tm_surface_new (width, height, pixel_um, pixel_um * 1.5, modality);
  float *z = tm_surface_get_data (s);

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        gsize i = (gsize)y * width + x;

        if ((x * 7 + y * 3) % 17 == 0)
          z[i] = NAN;
        else if (modality == TM_MODALITY_3D)
          z[i] = (float)(sin (x * 0.05) * 2.0e-3 + y * 1e-7);  /* tiny values: no guessing */
        else
          z[i] = (float)((x + y) % 256);
      }
  tm_surface_sync_mask (s);
  return s;
}

static void
test_round_trip (void)
{
  const TmModality modalities[2] = { TM_MODALITY_3D, TM_MODALITY_2D };

  for (guint m = 0; m < 2; m++)
    {
      /* 301 columns: several strips of ~256 KiB, the last one short */
      g_autoptr(TmSurface) a = make_surface (301, 450, 6.123456789012345, modalities[m]);
      g_autoptr(TmSurface) b = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      bytes = tm_tiff_write_bytes (a, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (tm_file_format_sniff (g_bytes_get_data (bytes, NULL),
                                              g_bytes_get_size (bytes)), ==, TM_FILE_FORMAT_TIFF);
      /* compressed: far smaller than the raw floats */
      g_assert_cmpuint (g_bytes_get_size (bytes), <, 301 * 450 * 4);

      b = tm_tiff_read_bytes (bytes, "round.tif", 0, &error);
      g_assert_no_error (error);
      g_assert_true (tm_surface_equal (a, b));
      g_assert_cmpint (tm_surface_get_modality (b), ==, modalities[m]);
      g_assert_cmpstr (tm_surface_get_meta (b, TM_META_SOURCE_UNITS), ==,
                       (modalities[m] == TM_MODALITY_3D ? "um" : "grey"));
    }
}

/* Other programs see the pixel size in the resolution tags (single precision in libtiff). */
static void
test_write_resolution_tags (void)
{
  g_autoptr(TmSurface) a = make_surface (20, 10, 6.123456789012345, TM_MODALITY_3D);
  g_autoptr(GBytes) bytes = tm_tiff_write_bytes (a, NULL);
  g_autofree char *dir = tm_test_make_tmpdir ("test-tiff-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "tags.tif", NULL);
  float xres = 0, yres = 0;
  guint16 unit = 0, compression = 0;
  TIFF *tif;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL));
  tif = TIFFOpen (path, "r");
  g_assert_nonnull (tif);
  g_assert_true (TIFFGetField (tif, TIFFTAG_RESOLUTIONUNIT, &unit));
  g_assert_true (TIFFGetField (tif, TIFFTAG_XRESOLUTION, &xres));
  g_assert_true (TIFFGetField (tif, TIFFTAG_YRESOLUTION, &yres));
  TIFFGetField (tif, TIFFTAG_COMPRESSION, &compression);
  TIFFClose (tif);
  g_assert_cmpuint (unit, ==, RESUNIT_CENTIMETER);
  g_assert_cmpfloat_with_epsilon (1e4 / xres / 6.123456789012345, 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (1e4 / yres / (6.123456789012345 * 1.5), 1.0, 1e-6);
  if (TIFFIsCODECConfigured (COMPRESSION_ADOBE_DEFLATE))
    g_assert_cmpuint (compression, ==, COMPRESSION_ADOBE_DEFLATE);
}

static void
test_file_round_trip (void)
{
  g_autoptr(TmSurface) a = make_surface (64, 48, 1.5625, TM_MODALITY_3D);
  g_autoptr(TmSurface) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = tm_test_make_tmpdir ("test-tiff-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "exported.tiff", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.tiff", NULL);

  g_assert_true (tm_tiff_write_file (a, path, &error));
  g_assert_no_error (error);
  b = tm_tiff_read_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (tm_surface_equal (a, b));

  g_assert_null (tm_tiff_read_file (missing, 0, &error));
  assert_error (error, TM_FORMAT_ERROR_IO, "missing.tiff");
}

/* The import entry point sniffs the content and routes it here. */
static void
test_load_bytes_routes_tiff (void)
{
  g_autoptr(TmSurface) a = make_surface (40, 30, 2.0, TM_MODALITY_3D);
  g_autoptr(GBytes) bytes = tm_tiff_write_bytes (a, NULL);
  g_autoptr(TmSurface) b = NULL;
  g_autoptr(GError) error = NULL;

  b = tm_surface_load_bytes (bytes, "renamed.png", 0, &error);
  g_assert_no_error (error);
  g_assert_true (tm_surface_equal (a, b));
  g_assert_cmpstr (tm_surface_get_meta (b, TM_META_SOURCE_FORMAT), ==, "tiff");
}

/* ------------------------------------------------------------------------------------ */
/* Hostile files, assembled by hand: a little-endian classic TIFF with one IFD           */

typedef struct
{
  guint16 tag;
  guint16 type;
  guint32 count;
  guint32 value;
} Entry;

static GBytes *
hand_tiff (const Entry *entries,
           guint        n_entries,
           gsize        pixel_bytes)
{
  GByteArray *out = g_byte_array_new ();
  guint8 header[8] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
  guint8 word[4];

  g_byte_array_append (out, header, 8);
  word[0] = n_entries & 0xff;
  word[1] = n_entries >> 8;
  g_byte_array_append (out, word, 2);
  for (guint i = 0; i < n_entries; i++)
    {
      guint8 e[12];

      e[0] = entries[i].tag & 0xff;  e[1] = entries[i].tag >> 8;
      e[2] = entries[i].type & 0xff; e[3] = entries[i].type >> 8;
      for (guint k = 0; k < 4; k++)
        {
          e[4 + k] = (entries[i].count >> (8 * k)) & 0xff;
          e[8 + k] = (entries[i].value >> (8 * k)) & 0xff;
        }
      g_byte_array_append (out, e, 12);
    }
  memset (word, 0, 4);
  g_byte_array_append (out, word, 4);  /* no next IFD */
  for (gsize i = 0; i < pixel_bytes; i++)
    {
      guint8 v = (guint8)(i * 13);
      g_byte_array_append (out, &v, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

/* 8-bit grey 16 × 16, one strip starting after a 12-entry IFD (8 + 2 + 12·12 + 4 = 158). */
#define HAND_DATA_OFFSET 158

static void
hand_grey (Entry *e)
{
  const Entry base[12] = {
    { TIFFTAG_IMAGEWIDTH, TIFF_LONG, 1, 16 },
    { TIFFTAG_IMAGELENGTH, TIFF_LONG, 1, 16 },
    { TIFFTAG_BITSPERSAMPLE, TIFF_SHORT, 1, 8 },
    { TIFFTAG_COMPRESSION, TIFF_SHORT, 1, COMPRESSION_NONE },
    { TIFFTAG_PHOTOMETRIC, TIFF_SHORT, 1, PHOTOMETRIC_MINISBLACK },
    { TIFFTAG_STRIPOFFSETS, TIFF_LONG, 1, HAND_DATA_OFFSET },
    { TIFFTAG_SAMPLESPERPIXEL, TIFF_SHORT, 1, 1 },
    { TIFFTAG_ROWSPERSTRIP, TIFF_LONG, 1, 16 },
    { TIFFTAG_STRIPBYTECOUNTS, TIFF_LONG, 1, 256 },
    { TIFFTAG_PLANARCONFIG, TIFF_SHORT, 1, PLANARCONFIG_CONTIG },
    { TIFFTAG_RESOLUTIONUNIT, TIFF_SHORT, 1, RESUNIT_NONE },
    { TIFFTAG_SAMPLEFORMAT, TIFF_SHORT, 1, SAMPLEFORMAT_UINT },
  };
  memcpy (e, base, sizeof base);
}

static Entry *
hand_find (Entry  *e,
           guint16 tag)
{
  for (guint i = 0; i < 12; i++)
    if (e[i].tag == tag)
      return &e[i];
  g_assert_not_reached ();
}

static void
test_hostile_hand_made (void)
{
  g_autoptr(GError) error = NULL;
  Entry e[12];
  GBytes *b;
  TmSurface *s;

  /* the well-formed baseline reads, so each defect below is the reason for refusal */
  hand_grey (e);
  b = hand_tiff (e, 12, 256);
  s = tm_tiff_read_bytes (b, "baseline.tif", 5.0, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_peek_data (s)[1], ==, 13);
  g_object_unref (s);
  g_bytes_unref (b);

  /* absurd dimensions: 100000 × 100000 declared over 256 bytes */
  hand_grey (e);
  hand_find (e, TIFFTAG_IMAGEWIDTH)->value = 100000;
  hand_find (e, TIFFTAG_IMAGELENGTH)->value = 100000;
  b = hand_tiff (e, 12, 256);
  g_assert_null (tm_tiff_read_bytes (b, "huge.tif", 5.0, &error));
  assert_error (error, TM_FORMAT_ERROR_TOO_LARGE, "huge.tif");
  g_clear_error (&error);
  g_bytes_unref (b);

  /* within the limits but far more pixels than the file holds */
  hand_grey (e);
  hand_find (e, TIFFTAG_IMAGEWIDTH)->value = 16000;
  hand_find (e, TIFFTAG_IMAGELENGTH)->value = 16000;
  hand_find (e, TIFFTAG_ROWSPERSTRIP)->value = 16000;
  b = hand_tiff (e, 12, 256);
  g_assert_null (tm_tiff_read_bytes (b, "short.tif", 5.0, &error));
  assert_error (error, TM_FORMAT_ERROR_CORRUPT, "short.tif");
  g_clear_error (&error);
  g_bytes_unref (b);

  /* BitsPerSample 13 */
  hand_grey (e);
  hand_find (e, TIFFTAG_BITSPERSAMPLE)->value = 13;
  b = hand_tiff (e, 12, 256);
  g_assert_null (tm_tiff_read_bytes (b, "bits13.tif", 5.0, &error));
  assert_error (error, TM_FORMAT_ERROR_UNSUPPORTED, "bits13.tif");
  g_assert_nonnull (strstr (error->message, "13 bits"));
  g_clear_error (&error);
  g_bytes_unref (b);

  /* StripOffsets past the end of the file */
  hand_grey (e);
  hand_find (e, TIFFTAG_STRIPOFFSETS)->value = 1000000;
  b = hand_tiff (e, 12, 256);
  g_assert_null (tm_tiff_read_bytes (b, "offsets.tif", 5.0, &error));
  assert_error (error, TM_FORMAT_ERROR_CORRUPT, "offsets.tif");
  g_clear_error (&error);
  g_bytes_unref (b);

  /* StripByteCounts beyond the file */
  hand_grey (e);
  hand_find (e, TIFFTAG_STRIPBYTECOUNTS)->value = 0x7fffffff;
  b = hand_tiff (e, 12, 256);
  g_assert_null (tm_tiff_read_bytes (b, "counts.tif", 5.0, &error));
  assert_error (error, TM_FORMAT_ERROR_CORRUPT, "counts.tif");
  g_clear_error (&error);
  g_bytes_unref (b);

  /* zero width */
  hand_grey (e);
  hand_find (e, TIFFTAG_IMAGEWIDTH)->value = 0;
  b = hand_tiff (e, 12, 256);
  g_assert_null (tm_tiff_read_bytes (b, "zero.tif", 5.0, &error));
  assert_error (error, TM_FORMAT_ERROR_CORRUPT, "zero.tif");
  g_clear_error (&error);
  g_bytes_unref (b);

  /* a colour model we do not read (CMYK) */
  hand_grey (e);
  hand_find (e, TIFFTAG_PHOTOMETRIC)->value = PHOTOMETRIC_SEPARATED;
  b = hand_tiff (e, 12, 256);
  g_assert_null (tm_tiff_read_bytes (b, "cmyk.tif", 5.0, &error));
  assert_error (error, TM_FORMAT_ERROR_UNSUPPORTED, "cmyk.tif");
  g_clear_error (&error);
  g_bytes_unref (b);

  /* the IFD offset points outside the file */
  hand_grey (e);
  b = hand_tiff (e, 12, 256);
  {
    g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
    g_autoptr(GBytes) bad = NULL;

    copy[4] = 0xff; copy[5] = 0xff; copy[6] = 0xff; copy[7] = 0x0f;
    bad = g_bytes_new (copy, g_bytes_get_size (b));
    g_assert_null (tm_tiff_read_bytes (bad, "ifd.tif", 5.0, &error));
    assert_error (error, TM_FORMAT_ERROR_CORRUPT, "ifd.tif");
    g_clear_error (&error);
  }
  g_bytes_unref (b);
}

static void
test_hostile_written (void)
{
  g_autoptr(TmSurface) a = make_surface (200, 150, 3.0, TM_MODALITY_3D);
  g_autoptr(TmSurface) nan = tm_surface_new (30, 20, 3.0, 3.0, TM_MODALITY_3D);
  g_autoptr(GBytes) bytes = tm_tiff_write_bytes (a, NULL);
  g_autoptr(GBytes) nan_bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  gsize len = g_bytes_get_size (bytes);
  guint8 garbage[4096];
  GRand *rand = g_rand_new_with_seed (42);
  GBytes *b;

  /* NaN-only float TIFF (tm_surface_new makes every sample NaN) */
  nan_bytes = tm_tiff_write_bytes (nan, &error);
  g_assert_no_error (error);
  g_assert_null (tm_tiff_read_bytes (nan_bytes, "nan.tif", 0, &error));
  assert_error (error, TM_FORMAT_ERROR_NO_DATA, "nan.tif");
  g_clear_error (&error);

  /* truncated: libtiff writes the directory at the end, so cut both ways */
  b = g_bytes_new (data, len / 2);
  g_assert_null (tm_tiff_read_bytes (b, "truncated.tif", 0, &error));
  assert_error (error, TM_FORMAT_ERROR_CORRUPT, "truncated.tif");
  g_clear_error (&error);
  g_bytes_unref (b);
  for (gsize cut = 8; cut < len; cut += len / 7)
    {
      b = g_bytes_new (data, cut);
      g_assert_null (tm_tiff_read_bytes (b, "cut.tif", 0, &error));
      assert_error (error, TM_FORMAT_ERROR_CORRUPT, "cut.tif");
      g_clear_error (&error);
      g_bytes_unref (b);
    }

  /* zero length */
  b = g_bytes_new (NULL, 0);
  g_assert_null (tm_tiff_read_bytes (b, "empty.tif", 5.0, &error));
  assert_error (error, TM_FORMAT_ERROR_CORRUPT, "empty.tif");
  g_clear_error (&error);
  g_bytes_unref (b);

  /* random garbage, with and without a TIFF header in front */
  for (guint round = 0; round < 50; round++)
    {
      for (guint i = 0; i < sizeof garbage; i++)
        garbage[i] = g_rand_int_range (rand, 0, 256);
      if (round % 2 == 0)
        memcpy (garbage, "II*\0\x08\0\0\0", 8);
      b = g_bytes_new (garbage, sizeof garbage);
      g_assert_null (tm_tiff_read_bytes (b, "garbage.tif", 5.0, &error));
      if (round % 2 == 0)
        {
          /* mostly CORRUPT; an IFD that happens to parse may yield UNSUPPORTED etc. */
          g_assert_true (error->domain == TM_FORMAT_ERROR);
          g_assert_nonnull (strstr (error->message, "garbage.tif"));
        }
      else
        assert_error (error, TM_FORMAT_ERROR_UNKNOWN_FORMAT, "garbage.tif");
      g_clear_error (&error);
      g_bytes_unref (b);
    }

  /* single flipped bytes over the whole file: refused cleanly or read, never a crash */
  for (gsize i = 0; i < len; i += 97)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      TmSurface *s;

      copy[i] ^= 0x5a;
      b = g_bytes_new (copy, len);
      s = tm_tiff_read_bytes (b, "flipped.tif", 0, &error);
      g_assert_true ((s == NULL) != (error == NULL));
      if (s == NULL)
        g_assert_nonnull (strstr (error->message, "flipped.tif"));
      g_clear_object (&s);
      g_clear_error (&error);
      g_bytes_unref (b);
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tiff/read/grey8", test_read_grey8);
  g_test_add_func ("/tiff/read/grey16-min-is-white", test_read_grey16_min_is_white);
  g_test_add_func ("/tiff/read/rgb8", test_read_rgb8);
  g_test_add_func ("/tiff/read/rgba8-transparent", test_read_rgba8_transparent);
  g_test_add_func ("/tiff/read/rgba16-tiled", test_read_rgba16_tiled);
  g_test_add_func ("/tiff/read/rgb-planar-separate", test_read_rgb_separate);
  g_test_add_func ("/tiff/read/float32-striped", test_read_float32_striped);
  g_test_add_func ("/tiff/read/float32-tiled", test_read_float32_tiled);
  g_test_add_func ("/tiff/read/float64", test_read_float64);
  g_test_add_func ("/tiff/read/float-metres", test_read_float_metres);
  g_test_add_func ("/tiff/units", test_units);
  g_test_add_func ("/tiff/write/round-trip", test_round_trip);
  g_test_add_func ("/tiff/write/resolution-tags", test_write_resolution_tags);
  g_test_add_func ("/tiff/write/file", test_file_round_trip);
  g_test_add_func ("/tiff/load-bytes", test_load_bytes_routes_tiff);
  g_test_add_func ("/tiff/hostile/hand-made", test_hostile_hand_made);
  g_test_add_func ("/tiff/hostile/written", test_hostile_written);

  return g_test_run ();
}
