/* test-png.c — the PNG decoder/encoder and 2D PNG import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fixtures are made here with libpng itself, so every colour type and bit depth is
 * written exactly as another program would write it; hostile ones are patched copies.
 */
#include "config.h"

#include <math.h>
#include <glib/gstdio.h>
#include <png.h>
#include <string.h>

#include "tm-format.h"
#include "tm-png.h"

/* ------------------------------------------------------------------------------------ */
/* Fixtures                                                                             */

typedef struct
{
  guint        width;
  guint        height;
  int          colour_type;
  int          bit_depth;
  gboolean     interlace;
  png_uint_32  phys;          /* pixels per metre, 0: no pHYs chunk */
  int          phys_unit;
  const png_color *palette;
  int          n_palette;
  const guint8 *trans;        /* tRNS alpha per palette entry */
  int          n_trans;
} Fixture;

G_NORETURN static void
fixture_error_cb (png_structp     png,
                  png_const_charp message)
{
  g_error ("libpng failed to write a fixture: %s", message);
}

static void
fixture_write_cb (png_structp png,
                  png_bytep   data,
                  size_t      n)
{
  g_byte_array_append (png_get_io_ptr (png), data, n);
}

static void
fixture_flush_cb (png_structp png)
{
}

/* @pixels: packed rows as PNG stores them (16-bit samples big-endian). */
static GBytes *
fixture_write (const Fixture *f,
               const guint8  *pixels)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, fixture_error_cb, NULL);
  png_infop info = png_create_info_struct (png);
  g_autofree png_bytep *rows = g_new (png_bytep, f->height);
  int channels = f->colour_type == PNG_COLOR_TYPE_RGB ? 3 :
                 f->colour_type == PNG_COLOR_TYPE_RGB_ALPHA ? 4 :
                 f->colour_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
  gsize rowbytes = ((gsize)f->width * channels * f->bit_depth + 7) / 8;

  png_set_write_fn (png, out, fixture_write_cb, fixture_flush_cb);
  png_set_IHDR (png, info, f->width, f->height, f->bit_depth, f->colour_type,
                f->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (f->palette != NULL)
    png_set_PLTE (png, info, f->palette, f->n_palette);
  if (f->trans != NULL)
    png_set_tRNS (png, info, f->trans, f->n_trans, NULL);
  if (f->phys > 0)
    png_set_pHYs (png, info, f->phys, f->phys, f->phys_unit);
  for (guint y = 0; y < f->height; y++)
    rows[y] = (png_bytep)pixels + y * rowbytes;
  png_set_rows (png, info, rows);
  png_write_png (png, info, PNG_TRANSFORM_IDENTITY, NULL);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (out);
}

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

/* The PNG CRC (ISO 3309), to re-seal chunks a test has tampered with. */
static guint32
png_crc (const guint8 *p,
         gsize         n)
{
  guint32 c = 0xffffffffu;

  for (gsize i = 0; i < n; i++)
    {
      c ^= p[i];
      for (int k = 0; k < 8; k++)
        c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
  return c ^ 0xffffffffu;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* A copy of @png whose IHDR declares width × height, with a valid CRC. */
static GBytes *
with_dimensions (GBytes *png,
                 guint32 width,
                 guint32 height)
{
  gsize len;
  guint8 *copy = g_memdup2 (g_bytes_get_data (png, &len), g_bytes_get_size (png));

  put_be32 (copy + 16, width);
  put_be32 (copy + 20, height);
  put_be32 (copy + 29, png_crc (copy + 12, 17));
  return g_bytes_new_take (copy, len);
}

/* ------------------------------------------------------------------------------------ */
/* tm_png_decode_rgba / tm_png_encode_rgba                                              */

static void
test_rgba_round_trip (void)
{
  const guint w = 37, h = 23;
  g_autofree guint8 *rgba = g_new (guint8, w * h * 4);
  g_autofree guint8 *back = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  guint bw = 0, bh = 0;
  const guint8 *data;
  gsize len;

  for (guint i = 0; i < w * h * 4; i++)
    rgba[i] = (guint8)(i * 7 + i / 13);

  png = tm_png_encode_rgba (rgba, w, h, &error);
  g_assert_no_error (error);
  g_assert_nonnull (png);
  data = g_bytes_get_data (png, &len);
  g_assert_cmpuint (tm_file_format_sniff (data, len), ==, TM_FILE_FORMAT_PNG);

  back = tm_png_decode_rgba (data, len, "mask.png", &bw, &bh, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bw, ==, w);
  g_assert_cmpuint (bh, ==, h);
  g_assert_cmpmem (back, w * h * 4, rgba, w * h * 4);

  g_assert_null (tm_png_encode_rgba (rgba, 0, h, &error));
  g_assert_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE);
}

/* Every colour type comes out as 8-bit RGBA. */
static void
test_decode_colour_types (void)
{
  const guint w = 13, h = 9;
  static const png_color palette[3] = { { 205, 127, 50 }, { 0, 0, 0 }, { 10, 200, 30 } };
  static const guint8 trans[1] = { 0 };
  guint8 px[13 * 9 * 8];
  g_autoptr(GError) error = NULL;

  /* 1-bit grey: 0/1 become 0/255 */
  {
    Fixture f = { .width = w, .height = h, .colour_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 1 };
    g_autoptr(GBytes) b = NULL;
    g_autofree guint8 *rgba = NULL;
    guint rw, rh;

    memset (px, 0, sizeof px);
    for (guint y = 0; y < h; y++)
      px[y * 2] = 0x80;  /* first pixel of each row white */
    b = fixture_write (&f, px);
    rgba = tm_png_decode_rgba (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "g1.png",
                               &rw, &rh, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rgba[0], ==, 255);
    g_assert_cmpuint (rgba[3], ==, 255);
    g_assert_cmpuint (rgba[4], ==, 0);
    g_assert_cmpuint (rgba[(w * 1) * 4], ==, 255);
  }

  /* 16-bit RGB, interlaced: scaled to 8 bits, opaque */
  {
    Fixture f = { .width = w, .height = h, .colour_type = PNG_COLOR_TYPE_RGB, .bit_depth = 16,
                  .interlace = TRUE };
    g_autoptr(GBytes) b = NULL;
    g_autofree guint8 *rgba = NULL;
    guint rw, rh;

    for (guint i = 0; i < w * h * 3; i++)
      {
        guint v = pattern (i, 0, 0, 65535);
        px[i * 2] = v >> 8;
        px[i * 2 + 1] = v & 0xff;
      }
    b = fixture_write (&f, px);
    rgba = tm_png_decode_rgba (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "rgb16.png",
                               &rw, &rh, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < w * h; i++)
      for (guint c = 0; c < 3; c++)
        {
          guint v = pattern (i * 3 + c, 0, 0, 65535);
          g_assert_cmpint (ABS ((int)rgba[i * 4 + c] - (int)((v * 255 + 32767) / 65535)), <=, 1);
        }
    for (guint i = 0; i < w * h; i++)
      g_assert_cmpuint (rgba[i * 4 + 3], ==, 255);
  }

  /* palette with a transparent entry (an X3P mask's background) */
  {
    Fixture f = { .width = w, .height = h, .colour_type = PNG_COLOR_TYPE_PALETTE, .bit_depth = 8,
                  .palette = palette, .n_palette = 3, .trans = trans, .n_trans = 1 };
    g_autoptr(GBytes) b = NULL;
    g_autofree guint8 *rgba = NULL;
    guint rw, rh;

    for (guint i = 0; i < w * h; i++)
      px[i] = i % 3;
    b = fixture_write (&f, px);
    rgba = tm_png_decode_rgba (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "pal.png",
                               &rw, &rh, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (rgba, 4, ((guint8[]) { 205, 127, 50, 0 }), 4);
    g_assert_cmpmem (rgba + 8, 4, ((guint8[]) { 10, 200, 30, 255 }), 4);
  }

  /* grey + alpha */
  {
    Fixture f = { .width = w, .height = h, .colour_type = PNG_COLOR_TYPE_GRAY_ALPHA, .bit_depth = 8 };
    g_autoptr(GBytes) b = NULL;
    g_autofree guint8 *rgba = NULL;
    guint rw, rh;

    for (guint i = 0; i < w * h; i++)
      {
        px[i * 2] = i;
        px[i * 2 + 1] = 255 - i;
      }
    b = fixture_write (&f, px);
    rgba = tm_png_decode_rgba (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "ga.png",
                               &rw, &rh, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < w * h; i++)
      {
        g_assert_cmpuint (rgba[i * 4], ==, i);
        g_assert_cmpuint (rgba[i * 4 + 2], ==, i);
        g_assert_cmpuint (rgba[i * 4 + 3], ==, 255 - i);
      }
  }
}

/* ------------------------------------------------------------------------------------ */
/* tm_png_read_bytes                                                                    */

static void
test_read_grey8 (void)
{
  Fixture f = { .width = 40, .height = 30, .colour_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 8,
                .phys = 160000, .phys_unit = PNG_RESOLUTION_METER };
  g_autofree guint8 *px = g_new (guint8, 40 * 30);
  g_autoptr(GBytes) b = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 40 * 30; i++)
    px[i] = pattern (i % 40, i / 40, 0, 255);
  b = fixture_write (&f, px);
  s = tm_png_read_bytes (b, "grey.png", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tm_surface_get_width (s), ==, 40);
  g_assert_cmpuint (tm_surface_get_height (s), ==, 30);
  g_assert_cmpint (tm_surface_get_modality (s), ==, TM_MODALITY_2D);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 6.25);  /* 160000 px/m */
  g_assert_cmpuint (tm_surface_count_valid (s), ==, 40 * 30);
  for (guint i = 0; i < 40 * 30; i++)
    g_assert_cmpfloat (tm_surface_peek_data (s)[i], ==, px[i]);

  /* the same through a file, and a missing file */
  {
    g_autofree char *dir = g_dir_make_tmp ("test-png-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "on-disk.png", NULL);
    g_autofree char *missing = g_build_filename (dir, "missing.png", NULL);
    g_autoptr(TmSurface) t = NULL;

    g_assert_true (g_file_set_contents (path, g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL));
    t = tm_png_read_file (path, 0, &error);
    g_assert_no_error (error);
    g_assert_true (tm_surface_equal (s, t));
    g_assert_null (tm_png_read_file (missing, 0, &error));
    assert_error (error, TM_FORMAT_ERROR_IO, "missing.png");
    g_remove (path);
    g_rmdir (dir);
  }
}

static void
test_read_grey16 (void)
{
  Fixture f = { .width = 40, .height = 30, .colour_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 16 };
  g_autofree guint8 *px = g_new (guint8, 40 * 30 * 2);
  g_autoptr(GBytes) b = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 40 * 30; i++)
    {
      guint v = i == 0 ? 65535 : pattern (i, 1, 0, 65535);
      px[i * 2] = v >> 8;
      px[i * 2 + 1] = v & 0xff;
    }
  b = fixture_write (&f, px);
  s = tm_png_read_bytes (b, "grey16.png", 2.5, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 2.5);
  g_assert_cmpfloat (tm_surface_peek_data (s)[0], ==, 65535);
  for (guint i = 1; i < 40 * 30; i++)
    g_assert_cmpfloat (tm_surface_peek_data (s)[i], ==, pattern (i, 1, 0, 65535));
  g_assert_cmpstr (tm_surface_get_meta (s, TM_META_SOURCE_DATA_TYPE), ==, "16-bit");
}

static void
test_read_rgba_transparent (void)
{
  Fixture f = { .width = 20, .height = 10, .colour_type = PNG_COLOR_TYPE_RGB_ALPHA, .bit_depth = 8 };
  g_autofree guint8 *px = g_new (guint8, 20 * 10 * 4);
  g_autoptr(GBytes) b = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;
  gsize transparent = 0;

  for (guint i = 0; i < 200; i++)
    {
      for (guint c = 0; c < 3; c++)
        px[i * 4 + c] = pattern (i, 2, c, 255);
      px[i * 4 + 3] = i % 5 == 0 ? 0 : (i % 5 == 1 ? 1 : 255);  /* only 0 is invalid */
      transparent += i % 5 == 0;
    }
  px[1 * 4 + 0] = px[1 * 4 + 1] = px[1 * 4 + 2] = 77;
  b = fixture_write (&f, px);
  s = tm_png_read_bytes (b, "rgba.png", 5.0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tm_surface_count_valid (s), ==, 200 - transparent);
  for (guint i = 0; i < 200; i++)
    {
      const guint8 *p = px + i * 4;

      if (p[3] == 0)
        g_assert_true (isnan (tm_surface_peek_data (s)[i]));
      else
        g_assert_cmpfloat_with_epsilon (tm_surface_peek_data (s)[i],
                                        0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2], 1e-4);
    }
  g_assert_cmpfloat (tm_surface_peek_data (s)[1], ==, 77);
}

static void
test_units (void)
{
  Fixture f = { .width = 8, .height = 8, .colour_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 8 };
  guint8 px[64];
  g_autoptr(GError) error = NULL;
  GBytes *b;
  TmSurface *s;

  for (guint i = 0; i < 64; i++)
    px[i] = i;

  /* no pHYs: the user's pixel size or a UNITS error that says how to give it */
  b = fixture_write (&f, px);
  g_assert_null (tm_png_read_bytes (b, "nophys.png", 0, &error));
  assert_error (error, TM_FORMAT_ERROR_UNITS, "nophys.png");
  g_assert_nonnull (strstr (error->message, "--pixel-um"));
  g_clear_error (&error);
  s = tm_png_read_bytes (b, "nophys.png", 3.0, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_y (s), ==, 3.0);
  g_object_unref (s);
  g_bytes_unref (b);

  /* pHYs without a unit (aspect ratio only) */
  f.phys = 1000;
  f.phys_unit = PNG_RESOLUTION_UNKNOWN;
  b = fixture_write (&f, px);
  g_assert_null (tm_png_read_bytes (b, "aspect.png", 0, &error));
  assert_error (error, TM_FORMAT_ERROR_UNITS, "aspect.png");
  g_clear_error (&error);
  g_bytes_unref (b);

  /* 72 dpi written by an image editor */
  f.phys = 2835;
  f.phys_unit = PNG_RESOLUTION_METER;
  b = fixture_write (&f, px);
  g_assert_null (tm_png_read_bytes (b, "editor.png", 0, &error));
  assert_error (error, TM_FORMAT_ERROR_UNITS, "editor.png");
  g_clear_error (&error);
  s = tm_png_read_bytes (b, "editor.png", 6.25, &error);
  g_assert_no_error (error);
  g_object_unref (s);
  g_bytes_unref (b);

  /* a real pHYs and a different user value: refused */
  f.phys = 200000;
  b = fixture_write (&f, px);
  g_assert_null (tm_png_read_bytes (b, "conflict.png", 6.25, &error));
  assert_error (error, TM_FORMAT_ERROR_UNITS, "conflict.png");
  g_clear_error (&error);
  s = tm_png_read_bytes (b, "conflict.png", 5.0, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 5.0);
  g_object_unref (s);
  g_bytes_unref (b);
}

static void
test_load_bytes_routes_png (void)
{
  Fixture f = { .width = 8, .height = 8, .colour_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 8,
                .phys = 400000, .phys_unit = PNG_RESOLUTION_METER };
  guint8 px[64];
  g_autoptr(GBytes) b = NULL;
  g_autoptr(TmSurface) s = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 64; i++)
    px[i] = i * 3;
  b = fixture_write (&f, px);
  s = tm_surface_load_bytes (b, "scan.tif", 0, &error);  /* named wrongly on purpose */
  g_assert_no_error (error);
  g_assert_cmpstr (tm_surface_get_meta (s, TM_META_SOURCE_FORMAT), ==, "png");
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (s), ==, 2.5);
  g_assert_cmpfloat (tm_surface_peek_data (s)[10], ==, 30);
}

/* ------------------------------------------------------------------------------------ */
/* Hostile files                                                                        */

static void
test_hostile (void)
{
  Fixture f = { .width = 64, .height = 48, .colour_type = PNG_COLOR_TYPE_RGB, .bit_depth = 8,
                .phys = 160000, .phys_unit = PNG_RESOLUTION_METER };
  g_autofree guint8 *px = g_new (guint8, 64 * 48 * 3);
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GError) error = NULL;
  GRand *rand = g_rand_new_with_seed (7);
  const guint8 *data;
  gsize len;
  GBytes *b;

  for (guint i = 0; i < 64 * 48 * 3; i++)
    px[i] = g_rand_int_range (rand, 0, 256);  /* incompressible, so cuts land in IDAT */
  good = fixture_write (&f, px);
  data = g_bytes_get_data (good, &len);

  /* truncated at several points */
  for (gsize cut = 8; cut < len; cut += len / 9)
    {
      b = g_bytes_new (data, cut);
      g_assert_null (tm_png_read_bytes (b, "cut.png", 0, &error));
      assert_error (error, TM_FORMAT_ERROR_CORRUPT, "cut.png");
      g_clear_error (&error);
      g_bytes_unref (b);
    }

  /* A metadata chunk declaring 1.8 GB inside a tiny file (found by fuzz-png): libpng would
   * zero-fill the declared length before noticing the file ends, so it must be refused
   * from the chunk walk, quickly and without the allocation. */
  {
    gsize head = 8 + 25;  /* signature + IHDR chunk */
    g_autofree guint8 *evil = g_malloc (head + 8 + 16);

    memcpy (evil, data, head);
    put_be32 (evil + head, 1795162149u);
    memcpy (evil + head + 4, "tEXt", 4);
    memset (evil + head + 8, 'x', 16);
    b = g_bytes_new (evil, head + 8 + 16);
    g_assert_null (tm_png_read_bytes (b, "bigtext.png", 0, &error));
    assert_error (error, TM_FORMAT_ERROR_CORRUPT, "bigtext.png");
    g_clear_error (&error);
    g_bytes_unref (b);
  }

  /* absurd dimensions, refused from the header alone */
  b = with_dimensions (good, 100000, 100000);
  g_assert_null (tm_png_read_bytes (b, "huge.png", 0, &error));
  assert_error (error, TM_FORMAT_ERROR_TOO_LARGE, "huge.png");
  g_clear_error (&error);
  {
    guint w, h;
    g_assert_null (tm_png_decode_rgba (g_bytes_get_data (b, NULL), g_bytes_get_size (b),
                                       "huge-mask.png", &w, &h, &error));
    assert_error (error, TM_FORMAT_ERROR_TOO_LARGE, "huge-mask.png");
    g_clear_error (&error);
  }
  g_bytes_unref (b);

  /* allowed dimensions but far too little image data for them */
  b = with_dimensions (good, 16000, 16000);
  g_assert_null (tm_png_read_bytes (b, "bomb.png", 0, &error));
  assert_error (error, TM_FORMAT_ERROR_CORRUPT, "bomb.png");
  g_clear_error (&error);
  g_bytes_unref (b);

  /* a damaged IHDR CRC */
  {
    g_autofree guint8 *copy = g_memdup2 (data, len);
    copy[29] ^= 0xff;
    b = g_bytes_new (copy, len);
    g_assert_null (tm_png_read_bytes (b, "crc.png", 0, &error));
    assert_error (error, TM_FORMAT_ERROR_CORRUPT, "crc.png");
    g_clear_error (&error);
    g_bytes_unref (b);
  }

  /* zero length and garbage */
  b = g_bytes_new (NULL, 0);
  g_assert_null (tm_png_read_bytes (b, "empty.png", 5.0, &error));
  assert_error (error, TM_FORMAT_ERROR_CORRUPT, "empty.png");
  g_clear_error (&error);
  g_bytes_unref (b);
  {
    guint8 garbage[2048];

    for (guint i = 0; i < sizeof garbage; i++)
      garbage[i] = g_rand_int_range (rand, 0, 256);
    b = g_bytes_new (garbage, sizeof garbage);
    g_assert_null (tm_png_read_bytes (b, "garbage.png", 5.0, &error));
    assert_error (error, TM_FORMAT_ERROR_UNKNOWN_FORMAT, "garbage.png");
    g_clear_error (&error);
    g_bytes_unref (b);

    memcpy (garbage, data, 33);  /* a valid signature and IHDR, then noise */
    b = g_bytes_new (garbage, sizeof garbage);
    g_assert_null (tm_png_read_bytes (b, "noise.png", 5.0, &error));
    assert_error (error, TM_FORMAT_ERROR_CORRUPT, "noise.png");
    g_clear_error (&error);
    g_bytes_unref (b);
  }

  /* fully transparent: nothing to read */
  {
    Fixture t = { .width = 8, .height = 8, .colour_type = PNG_COLOR_TYPE_GRAY_ALPHA, .bit_depth = 8 };
    guint8 ga[128] = { 0 };

    b = fixture_write (&t, ga);
    g_assert_null (tm_png_read_bytes (b, "clear.png", 5.0, &error));
    assert_error (error, TM_FORMAT_ERROR_NO_DATA, "clear.png");
    g_clear_error (&error);
    g_bytes_unref (b);
  }

  /* flipped bytes everywhere: refused or read, never a crash */
  for (gsize i = 0; i < len; i += 41)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      TmSurface *s;

      copy[i] ^= 0x21;
      b = g_bytes_new (copy, len);
      s = tm_png_read_bytes (b, "flipped.png", 0, &error);
      g_assert_true ((s == NULL) != (error == NULL));
      if (s == NULL)
        g_assert_nonnull (strstr (error->message, "flipped.png"));
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

  g_test_add_func ("/png/rgba/round-trip", test_rgba_round_trip);
  g_test_add_func ("/png/rgba/colour-types", test_decode_colour_types);
  g_test_add_func ("/png/read/grey8", test_read_grey8);
  g_test_add_func ("/png/read/grey16", test_read_grey16);
  g_test_add_func ("/png/read/rgba-transparent", test_read_rgba_transparent);
  g_test_add_func ("/png/units", test_units);
  g_test_add_func ("/png/load-bytes", test_load_bytes_routes_png);
  g_test_add_func ("/png/hostile", test_hostile);

  return g_test_run ();
}
