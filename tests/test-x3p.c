/* test-x3p.c — the X3P reader and writer: real scans, round trips, hostile files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hostile archives are built here with libzip, in memory; the expected sizes of the real
 * scans are read from their main.xml with a regular expression, independently of the
 * reader under test.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <zip.h>

#include "tm-format.h"
#include "tm-png.h"
#include "tm-surface.h"
#include "tm-test-support.h"
#include "tm-x3p.h"

#define NS "http://www.opengps.eu/2008/ISO5436_2"

/* ---- building archives ------------------------------------------------------------- */

typedef struct
{
  const char *name;
  const void *data;
  gsize       len;
} Entry;

/* A zip file in memory holding @entries (deflated). */
static GBytes *
zip_entries (const Entry *entries,
             guint        n_entries)
{
  zip_error_t zerror;
  zip_source_t *sink;
  zip_t *archive;
  zip_int64_t size;
  guint8 *out;

  zip_error_init (&zerror);
  sink = zip_source_buffer_create (NULL, 0, 0, &zerror);
  g_assert_nonnull (sink);
  zip_source_keep (sink);
  archive = zip_open_from_source (sink, ZIP_TRUNCATE, &zerror);
  g_assert_nonnull (archive);
  for (guint i = 0; i < n_entries; i++)
    {
      zip_source_t *s = zip_source_buffer (archive, entries[i].data, entries[i].len, 0);

      g_assert_nonnull (s);
      g_assert_cmpint (zip_file_add (archive, entries[i].name, s, ZIP_FL_ENC_UTF_8), >=, 0);
    }
  g_assert_cmpint (zip_close (archive), ==, 0);
  g_assert_cmpint (zip_source_open (sink), ==, 0);
  g_assert_cmpint (zip_source_seek (sink, 0, SEEK_END), ==, 0);
  size = zip_source_tell (sink);
  g_assert_cmpint (zip_source_seek (sink, 0, SEEK_SET), ==, 0);
  out = g_malloc (size);
  g_assert_cmpint (zip_source_read (sink, out, size), ==, size);
  zip_source_close (sink);
  zip_source_free (sink);
  zip_error_fini (&zerror);
  return g_bytes_new_take (out, size);
}

/* Reads one entry of a zip in memory (for inspecting what the writer produced). */
static GBytes *
unzip_entry (GBytes     *zip,
             const char *name)
{
  zip_error_t zerror;
  zip_source_t *src;
  zip_t *archive;
  zip_file_t *file;
  zip_stat_t st;
  gsize len;
  const void *data = g_bytes_get_data (zip, &len);
  guint8 *out;

  zip_error_init (&zerror);
  src = zip_source_buffer_create (data, len, 0, &zerror);
  archive = zip_open_from_source (src, ZIP_RDONLY, &zerror);
  g_assert_nonnull (archive);
  if (zip_stat (archive, name, 0, &st) != 0)
    {
      zip_discard (archive);
      return NULL;
    }
  file = zip_fopen (archive, name, 0);
  g_assert_nonnull (file);
  out = g_malloc (MAX (st.size, 1));
  g_assert_cmpint (zip_fread (file, out, st.size), ==, (zip_int64_t)st.size);
  zip_fclose (file);
  zip_discard (archive);
  zip_error_fini (&zerror);
  return g_bytes_new_take (out, st.size);
}

static char *
md5_hex (const void *data,
         gsize       len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, data, len);
}

/* What goes into a hand-built X3P; NULL strings take the usual values. */
typedef struct
{
  const char *prolog;        /* inserted after the XML declaration (DOCTYPE tests) */
  const char *revision;
  const char *feature;
  const char *inc_x;
  const char *inc_y;
  const char *z_type;
  const char *z_extra;       /* e.g. "<Increment>…</Increment><Offset>…</Offset>" */
  const char *size_x;
  const char *size_y;
  const char *size_z;
  const char *datalist;      /* the <Datum> elements; replaces the DataLink */
  const char *data_md5;      /* overrides the computed MD5ChecksumPointData */
  gboolean    no_data_md5;
  const char *valid_link;    /* adds ValidPointsLink + MD5ChecksumValidPoints */
  const char *valid_md5;
  const char *record3_extra; /* e.g. a <Mask> element */
  const char *text_entity;   /* text used as the Creator (entity references) */
} Spec;

static char *
spec_xml (const Spec   *spec,
          const guint8 *data,
          gsize         data_len)
{
  g_autofree char *md5 = md5_hex (data, data_len);
  g_autofree char *record3 = NULL;

  if (spec->datalist != NULL)
    record3 = g_strdup_printf ("<DataList>%s</DataList>", spec->datalist);
  else
    record3 = g_strdup_printf ("<DataLink><PointDataLink>bindata/data.bin</PointDataLink>"
                               "%s%s%s%s%s</DataLink>",
                               spec->no_data_md5 ? "" : "<MD5ChecksumPointData>",
                               spec->no_data_md5 ? "" : (spec->data_md5 ? spec->data_md5 : md5),
                               spec->no_data_md5 ? "" : "</MD5ChecksumPointData>",
                               spec->valid_link ? spec->valid_link : "",
                               spec->valid_md5 ? spec->valid_md5 : "");
  return g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n%s"
    "<p:ISO5436_2 xmlns:p=\"" NS "\">\n"
    "<Record1><Revision>%s</Revision><FeatureType>%s</FeatureType><Axes>"
    "<CX><AxisType>I</AxisType><DataType>D</DataType><Increment>%s</Increment><Offset>0</Offset></CX>"
    "<CY><AxisType>I</AxisType><DataType>D</DataType><Increment>%s</Increment><Offset>0</Offset></CY>"
    "<CZ><AxisType>A</AxisType><DataType>%s</DataType>%s</CZ><Origin>NW</Origin></Axes></Record1>\n"
    "<Record2><Date>2011-01-24T13:00:00</Date><Creator>%s</Creator>"
    "<CalibrationDate>2011-01-24T09:00:00</CalibrationDate><Comment>hand made</Comment>"
    "<Instrument><Manufacturer>Maker</Manufacturer><Model>M1</Model><Serial>42</Serial>"
    "<Version>1.0</Version></Instrument>"
    "<ProbingSystem><Type>NonContacting</Type><Identification>20x</Identification></ProbingSystem>"
    "</Record2>\n"
    "<Record3><MatrixDimension><SizeX>%s</SizeX><SizeY>%s</SizeY><SizeZ>%s</SizeZ></MatrixDimension>"
    "%s%s</Record3>\n"
    "<Record4><ChecksumFile>md5checksum.hex</ChecksumFile></Record4>\n"
    "</p:ISO5436_2>\n",
    spec->prolog ? spec->prolog : "",
    spec->revision ? spec->revision : "ISO5436 - 2000",
    spec->feature ? spec->feature : "SUR",
    spec->inc_x ? spec->inc_x : "6.25e-06",
    spec->inc_y ? spec->inc_y : (spec->inc_x ? spec->inc_x : "6.25e-06"),
    spec->z_type ? spec->z_type : "D",
    spec->z_extra ? spec->z_extra : "<Increment>1</Increment><Offset>0</Offset>",
    spec->text_entity ? spec->text_entity : "Tester",
    spec->size_x ? spec->size_x : "4",
    spec->size_y ? spec->size_y : "3",
    spec->size_z ? spec->size_z : "1",
    record3,
    spec->record3_extra ? spec->record3_extra : "");
}

/* An X3P from a spec, point data and optional extra entries. @xml_md5 NULL = correct. */
static GBytes *
build_x3p (const Spec   *spec,
           const guint8 *data,
           gsize         data_len,
           const char   *xml_md5,
           gboolean      with_checksum_file,
           const Entry  *extra,
           guint         n_extra)
{
  g_autofree char *xml = spec_xml (spec, data, data_len);
  g_autofree char *md5 = md5_hex (xml, strlen (xml));
  g_autofree char *checksum = g_strdup_printf ("%s\r\n", xml_md5 ? xml_md5 : md5);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  Entry e;

  e = (Entry) { "main.xml", xml, strlen (xml) };
  g_array_append_val (entries, e);
  if (with_checksum_file)
    {
      e = (Entry) { "md5checksum.hex", checksum, strlen (checksum) };
      g_array_append_val (entries, e);
    }
  if (spec->datalist == NULL)
    {
      e = (Entry) { "bindata/data.bin", data, data_len };
      g_array_append_val (entries, e);
    }
  for (guint i = 0; i < n_extra; i++)
    g_array_append_val (entries, extra[i]);
  return zip_entries ((const Entry *)entries->data, entries->len);
}

/* 4 × 3 float64 heights in metres: point i is i µm, point 5 NaN. */
static guint8 *
doubles_le (gsize n,
            gsize nan_index)
{
  guint8 *out = g_malloc (n * 8);

  for (gsize i = 0; i < n; i++)
    {
      double v = i == nan_index ? NAN : (double)i * 1e-6;
      guint64 bits;

      memcpy (&bits, &v, 8);
      bits = GUINT64_TO_LE (bits);
      memcpy (out + 8 * i, &bits, 8);
    }
  return out;
}

static TmSurface *
read_named (GBytes     *bytes,
            GError    **error)
{
  return tm_x3p_read_bytes (bytes, "Hostile 7-1.x3p", error);
}

/* Asserts a refusal with @code whose message names the file and contains @needle. */
static void
assert_refused (GBytes     *bytes,
                int         code,
                const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = read_named (bytes, &error);

  g_assert_null (surface);
  g_assert_error (error, TM_FORMAT_ERROR, code);
  g_test_message ("refused: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "Hostile 7-1.x3p: "));
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, needle);
}

/* ---- real scans -------------------------------------------------------------------- */

static char *
xml_value (const char *xml,
           const char *element)
{
  g_autofree char *pattern = g_strdup_printf ("<%s>\\s*([^<]*?)\\s*</%s>", element, element);
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (re, xml, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

static void
check_scan (const char *path,
            const char *folder,
            GString    *summary)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) xml_bytes = NULL;
  g_autoptr(GBytes) mask_png = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *size_x = NULL;
  g_autofree char *size_y = NULL;
  g_autofree char *increment = NULL;
  gsize len;
  double fraction;
  gboolean topmatch = g_str_has_prefix (folder, "dfsc_topmatch");

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  file = g_bytes_new_take (g_steal_pointer (&contents), len);
  xml_bytes = unzip_entry (file, "main.xml");
  xml = g_strndup (g_bytes_get_data (xml_bytes, NULL), g_bytes_get_size (xml_bytes));
  size_x = xml_value (xml, "SizeX");
  size_y = xml_value (xml, "SizeY");
  increment = xml_value (xml, "Increment");

  surface = tm_x3p_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (surface);
  g_assert_cmpuint (tm_surface_get_width (surface), ==, g_ascii_strtoull (size_x, NULL, 10));
  g_assert_cmpuint (tm_surface_get_height (surface), ==, g_ascii_strtoull (size_y, NULL, 10));
  g_assert_cmpint (tm_surface_get_modality (surface), ==, TM_MODALITY_3D);
  g_assert_nonnull (tm_surface_get_meta (surface, TM_META_INSTRUMENT_MANUFACTURER));
  g_assert_nonnull (tm_surface_get_meta (surface, TM_META_DATE));
  g_assert_null (tm_surface_get_meta (surface, TM_X3P_META_UNVERIFIED));
  fraction = tm_surface_valid_fraction (surface);

  if (topmatch)
    {
      /* TopMatch: micrometre increments (7.37 µm), heights already in µm. */
      g_assert_cmpfloat (tm_surface_get_pixel_um_x (surface), ==, g_ascii_strtod (increment, NULL));
      g_assert_cmpfloat_with_epsilon (tm_surface_get_pixel_um_x (surface), 7.37, 0.01);
      g_assert_cmpfloat (tm_surface_get_pixel_um_y (surface), ==, tm_surface_get_pixel_um_x (surface));
      g_assert_cmpstr (tm_surface_get_meta (surface, TM_META_SOURCE_UNITS), ==, "um");
      /* Observed: raw (mask.png) 0.133 and 0.144, processed (NaN) 0.302–0.338. */
      if (strstr (folder, "raw") != NULL)
        {
          g_assert_cmpfloat (fraction, >, 0.10);
          g_assert_cmpfloat (fraction, <, 0.20);
        }
      else
        {
          g_assert_cmpfloat (fraction, >, 0.25);
          g_assert_cmpfloat (fraction, <, 0.40);
        }
    }
  else
    {
      g_assert_cmpfloat (tm_surface_get_pixel_um_x (surface), ==, 6.25);
      g_assert_cmpfloat (tm_surface_get_pixel_um_y (surface), ==, 6.25);
      g_assert_cmpstr (tm_surface_get_meta (surface, TM_META_SOURCE_UNITS), ==, "m");
      g_assert_cmpstr (tm_surface_get_meta (surface, TM_META_SOURCE_DATA_TYPE), ==, "D");
      /* NaN outside the breech face: about 70 % of each matrix (README); observed
       * 0.232–0.424 over the 58 Fadul and Weller scans. */
      g_assert_cmpfloat (fraction, >, 0.20);
      g_assert_cmpfloat (fraction, <, 0.45);
    }

  /* Heights are µm now: breech-face topography spans micrometres to tens of them. */
  {
    float lo, hi;

    g_assert_true (tm_surface_get_range (surface, &lo, &hi));
    g_assert_cmpfloat (hi - lo, >, 0.1);
    g_assert_cmpfloat (hi - lo, <, 2000);
  }

  mask_png = unzip_entry (file, "bindata/mask.png");
  if (mask_png != NULL)
    {
      g_autofree guint8 *rgba = NULL;
      const guint8 *mask = tm_surface_peek_mask (surface);
      guint w = 0, h = 0;
      gsize outside = 0;

      rgba = tm_png_decode_rgba (g_bytes_get_data (mask_png, NULL),
                                 g_bytes_get_size (mask_png), "mask.png", &w, &h, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (w, ==, tm_surface_get_width (surface));
      g_assert_cmpuint (h, ==, tm_surface_get_height (surface));
      /* These masks are black and white, with no Background declared: black is
       * outside (see apply_mask_png). */
      g_assert_null (strstr (xml, "<Background>"));
      for (gsize i = 0; i < (gsize)w * h; i++)
        if (rgba[4 * i] == 0 && rgba[4 * i + 1] == 0 && rgba[4 * i + 2] == 0)
          {
            g_assert_cmpuint (mask[i], ==, 0);
            outside++;
          }
      g_assert_cmpuint (outside, >, 0);
      g_assert_cmpuint (outside, ==, (gsize)w * h - tm_surface_count_valid (surface));
    }

  g_string_append_printf (summary, "%s/%s %ux%u %.5g µm valid %.4f%s\n", folder,
                          g_path_get_basename (path) /* leaked in a test: fine */,
                          tm_surface_get_width (surface), tm_surface_get_height (surface),
                          tm_surface_get_pixel_um_x (surface), fraction,
                          mask_png != NULL ? " (mask.png)" : "");
}

static void
test_read_shared_scans (void)
{
  const char *folders[] = { "fadulProcessed", "wellerProcessed", "dfsc_topmatch/raw",
                            "dfsc_topmatch/processed" };
  const char *root = tm_test_shared_scans ();
  g_autoptr(GString) summary = g_string_new (NULL);
  guint count = 0;

  if (root == NULL)
    {
      g_test_skip ("../shared/scans is absent");
      return;
    }
  for (guint f = 0; f < G_N_ELEMENTS (folders); f++)
    {
      g_autofree char *dir_path = g_build_filename (root, folders[f], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);

          if (!g_str_has_suffix (name, ".x3p"))
            continue;
          check_scan (path, folders[f], summary);
          count++;
        }
    }
  g_test_message ("%s", summary->str);
  g_assert_cmpuint (count, ==, 63);
}

static char *
fadul_path (void)
{
  const char *root = tm_test_shared_scans ();

  return root != NULL ? g_build_filename (root, "fadulProcessed", "Fadul 1-1.x3p", NULL) : NULL;
}

static void
test_read_time (void)
{
  g_autofree char *path = fadul_path ();
  g_autoptr(GTimer) timer = NULL;
  double best = G_MAXDOUBLE;

  if (path == NULL)
    {
      g_test_skip ("../shared/scans is absent");
      return;
    }
  timer = g_timer_new ();
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TmSurface) surface = NULL;

      g_timer_start (timer);
      surface = tm_x3p_read_file (path, &error);
      g_assert_no_error (error);
      best = MIN (best, g_timer_elapsed (timer, NULL));
    }
  g_test_message ("Fadul 1-1.x3p (545 × 545 float64): best of 5 reads %.1f ms", best * 1e3);
}

/* ---- round trips ------------------------------------------------------------------- */

/* The writer stores µm floats as metres by dividing by 1e6 in double; the reader
 * multiplies back. Check that this is exact over the whole float range. */
static void
test_float_metre_exact (void)
{
  GRand *rand = g_rand_new_with_seed (5436);
  guint failures = 0;

  for (guint i = 0; i < 2000000; i++)
    {
      guint32 bits = g_rand_int (rand);
      float f, back;

      memcpy (&f, &bits, 4);
      if (!isfinite (f))
        continue;
      back = (float)(((double)f / 1e6) * 1e6);
      if (memcmp (&f, &back, 4) != 0)
        failures++;
    }
  g_rand_free (rand);
  g_assert_cmpuint (failures, ==, 0);
}

static TmSurface *
synthetic_surface (guint  width,
                   guint  height,
                   double pixel_um)
{
  TmSurface *surface = tm_surface_new (width, height, pixel_um, pixel_um, TM_MODALITY_3D);
  float *data = tm_surface_get_data (surface);
  GRand *rand = g_rand_new_with_seed (width * 7919 + height);

  for (gsize i = 0; i < (gsize)width * height; i++)
    {
      /* Heights over many magnitudes, and some missing points. */
      if (g_rand_int_range (rand, 0, 10) == 0)
        data[i] = NAN;
      else
        data[i] = (float)(g_rand_double_range (rand, -1, 1) *
                          pow (10, g_rand_int_range (rand, -8, 4)));
    }
  g_rand_free (rand);
  tm_surface_sync_mask (surface);
  return surface;
}

static void
test_roundtrip_synthetic (void)
{
  const double pixel_sizes[] = { 6.25, 7.37468, 0.1, 3.4567891234567, 1.0 / 3.0 };

  for (guint k = 0; k < G_N_ELEMENTS (pixel_sizes); k++)
    {
      g_autoptr(TmSurface) surface = synthetic_surface (37 + k, 23 + 2 * k, pixel_sizes[k]);
      g_autoptr(TmSurface) back = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      tm_surface_set_meta (surface, TM_META_CREATOR, "A & B <lab> \"x\" 'y'");
      tm_surface_set_meta (surface, TM_META_COMMENT, "line1\nline2 \x01 µm ü");
      tm_surface_set_meta (surface, TM_META_INSTRUMENT_MODEL, "TopMatch-GS 3D");
      tm_surface_set_meta (surface, TM_META_PROBING_TYPE, "Contacting");
      tm_surface_set_meta (surface, TM_META_CALIBRATION_DATE, "2021-08-05");

      bytes = tm_x3p_write_bytes (surface, &error);
      g_assert_no_error (error);
      back = tm_x3p_read_bytes (bytes, "synthetic.x3p", &error);
      g_assert_no_error (error);
      g_assert_true (tm_surface_equal (surface, back));
      g_assert_cmpfloat (tm_surface_get_pixel_um_x (back), ==, pixel_sizes[k]);
      g_assert_cmpstr (tm_surface_get_meta (back, TM_META_CREATOR), ==, "A & B <lab> \"x\" 'y'");
      g_assert_cmpstr (tm_surface_get_meta (back, TM_META_COMMENT), ==, "line1\nline2   µm ü");
      g_assert_cmpstr (tm_surface_get_meta (back, TM_META_INSTRUMENT_MODEL), ==, "TopMatch-GS 3D");
      g_assert_cmpstr (tm_surface_get_meta (back, TM_META_INSTRUMENT_SERIAL), ==, "unknown");
      g_assert_cmpstr (tm_surface_get_meta (back, TM_META_PROBING_TYPE), ==, "Contacting");
      g_assert_cmpstr (tm_surface_get_meta (back, TM_META_CALIBRATION_DATE), ==,
                       "2021-08-05T00:00:00");
      g_assert_cmpstr (tm_surface_get_meta (back, TM_META_SOURCE_UNITS), ==, "m");
      g_assert_cmpstr (tm_surface_get_meta (back, TM_META_SOURCE_DATA_TYPE), ==, "D");
      g_assert_null (tm_surface_get_meta (back, TM_X3P_META_UNVERIFIED));
    }
}

static void
test_roundtrip_file (void)
{
  g_autofree char *dir = tm_test_make_tmpdir ("x3p-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "out.x3p", NULL);
  g_autoptr(TmSurface) surface = synthetic_surface (64, 48, 6.25);
  g_autoptr(TmSurface) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (tm_x3p_write_file (surface, path, &error));
  g_assert_no_error (error);
  back = tm_x3p_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (tm_surface_equal (surface, back));
}

static void
roundtrip_real (const char *relative)
{
  const char *root = tm_test_shared_scans ();
  g_autofree char *path = NULL;
  g_autoptr(TmSurface) surface = NULL;
  g_autoptr(TmSurface) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (root == NULL)
    {
      g_test_skip ("../shared/scans is absent");
      return;
    }
  path = g_build_filename (root, relative, NULL);
  surface = tm_x3p_read_file (path, &error);
  g_assert_no_error (error);
  bytes = tm_x3p_write_bytes (surface, &error);
  g_assert_no_error (error);
  back = tm_x3p_read_bytes (bytes, "copy.x3p", &error);
  g_assert_no_error (error);
  g_assert_true (tm_surface_equal (surface, back));
  for (const char * const *key = (const char * const[]) { TM_META_DATE, TM_META_CREATOR,
         TM_META_INSTRUMENT_MANUFACTURER, TM_META_INSTRUMENT_MODEL, TM_META_INSTRUMENT_SERIAL,
         TM_META_INSTRUMENT_VERSION, TM_META_PROBING_TYPE, TM_META_PROBING_IDENTIFICATION,
         TM_META_COMMENT, NULL }; *key != NULL; key++)
    g_assert_cmpstr (tm_surface_get_meta (back, *key), ==, tm_surface_get_meta (surface, *key));
  /* Whatever the source units, the copy is ISO metres. */
  g_assert_cmpstr (tm_surface_get_meta (back, TM_META_SOURCE_UNITS), ==, "m");
}

static void
test_roundtrip_fadul (void)
{
  roundtrip_real ("fadulProcessed/Fadul 1-1.x3p");
}

static void
test_roundtrip_topmatch (void)
{
  /* Micrometre units and a mask.png in; metres and NaN out. */
  roundtrip_real ("dfsc_topmatch/raw/K013sA1.x3p");
}

static void
validate_with_xsd (const char *xmllint,
                   const char *xsd,
                   const char *xml_text)
{
  g_autofree char *dir = tm_test_make_tmpdir ("x3p-xsd-XXXXXX");
  g_autofree char *xml_path = g_build_filename (dir, "main.xml", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { xmllint, "--noout", "--nonet", "--schema", xsd, xml_path, NULL };
  int status = -1;

  g_assert_true (g_file_set_contents (xml_path, xml_text, -1, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("xmllint: %s", g_strstrip (err));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("main.xml does not conform to ISO5436_2.xsd:\n%s\n%s", err, xml_text);
}

/* The written main.xml, against the published ISO 5436-2 schema when xmllint is here. */
static void
test_write_schema (void)
{
  g_autoptr(TmSurface) surface = synthetic_surface (8, 5, 6.25);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) xml = NULL;
  g_autoptr(GBytes) hex = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml_text = NULL;
  g_autofree char *xml_md5 = NULL;
  g_autofree char *data_md5 = NULL;
  g_autofree char *xsd = NULL;
  g_autofree char *xmllint = NULL;
  const char *order[] = { "<Record1>", "<Revision>ISO5436 - 2000</Revision>",
                          "<FeatureType>SUR</FeatureType>", "<CX>", "<CY>", "<CZ>",
                          "</Record1>", "<Record2>", "<Date>", "<Creator>Toolmark</Creator>",
                          "<Instrument>", "<Manufacturer>unknown</Manufacturer>", "<Model>",
                          "<Serial>", "<Version>", "</Instrument>", "<CalibrationDate>",
                          "<ProbingSystem>", "<Type>Software</Type>", "<Identification>",
                          "</Record2>", "<Record3>", "<MatrixDimension>", "<SizeX>8</SizeX>",
                          "<SizeY>5</SizeY>", "<SizeZ>1</SizeZ>", "<DataLink>",
                          "<PointDataLink>bindata/data.bin</PointDataLink>",
                          "<MD5ChecksumPointData>", "</Record3>", "<Record4>",
                          "<ChecksumFile>md5checksum.hex</ChecksumFile>", "</Record4>" };
  const char *pos;

  bytes = tm_x3p_write_bytes (surface, &error);
  g_assert_no_error (error);
  xml = unzip_entry (bytes, "main.xml");
  hex = unzip_entry (bytes, "md5checksum.hex");
  data = unzip_entry (bytes, "bindata/data.bin");
  g_assert_nonnull (xml);
  g_assert_nonnull (hex);
  g_assert_nonnull (data);
  g_assert_cmpuint (g_bytes_get_size (data), ==, 8 * 5 * 8);
  xml_text = g_strndup (g_bytes_get_data (xml, NULL), g_bytes_get_size (xml));
  xml_md5 = md5_hex (xml_text, strlen (xml_text));
  data_md5 = md5_hex (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_assert_cmpmem (g_bytes_get_data (hex, NULL), 32, xml_md5, 32);
  g_assert_nonnull (strstr (xml_text, data_md5));
  g_assert_nonnull (strstr (xml_text, "<Increment>6.25e-6</Increment>"));

  pos = xml_text;
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      const char *next = strstr (pos, order[i]);

      if (next == NULL)
        g_error ("main.xml lacks %s after position %d:\n%s", order[i],
                 (int)(pos - xml_text), xml_text);
      pos = next;
    }

  xsd = g_test_build_filename (G_TEST_DIST, "data", "iso5436_2.xsd", NULL);
  xmllint = g_find_program_in_path ("xmllint");
  if (xmllint == NULL || !g_file_test (xsd, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("xmllint or tests/data/iso5436_2.xsd not available: order checked only");
      return;
    }
  validate_with_xsd (xmllint, xsd, xml_text);

  /* Metadata from real files: TopMatch writes CalibrationDate as a bare date, which the
   * writer must complete to an xsd:dateTime. */
  if (tm_test_shared_scans () != NULL)
    {
      const char *real[] = { "fadulProcessed/Fadul 1-1.x3p", "dfsc_topmatch/raw/K013sA1.x3p" };

      for (guint i = 0; i < G_N_ELEMENTS (real); i++)
        {
          g_autofree char *path = g_build_filename (tm_test_shared_scans (), real[i], NULL);
          g_autoptr(TmSurface) scan = tm_x3p_read_file (path, &error);
          g_autoptr(GBytes) copy = NULL;
          g_autoptr(GBytes) copy_xml = NULL;
          g_autofree char *copy_text = NULL;

          g_assert_no_error (error);
          copy = tm_x3p_write_bytes (scan, &error);
          g_assert_no_error (error);
          copy_xml = unzip_entry (copy, "main.xml");
          copy_text = g_strndup (g_bytes_get_data (copy_xml, NULL), g_bytes_get_size (copy_xml));
          validate_with_xsd (xmllint, xsd, copy_text);
        }
    }
}

/* ---- variants real files carry ------------------------------------------------------ */

static void
test_read_variants (void)
{
  g_autofree guint8 *data = doubles_le (12, 5);
  const Spec specs[] = {
    { .revision = "ISO5436-2000" },
    { .revision = "ISO5436 - 2000",
      .record3_extra = "<Mask><Background>#cd7f32</Background><Annotations/><Version>2</Version></Mask>" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (specs); k++)
    {
      g_autoptr(GBytes) bytes = build_x3p (&specs[k], data, 12 * 8, NULL, TRUE, NULL, 0);
      g_autoptr(GError) error = NULL;
      g_autoptr(TmSurface) surface = read_named (bytes, &error);
      const float *values;

      g_assert_no_error (error);
      g_assert_cmpuint (tm_surface_get_width (surface), ==, 4);
      g_assert_cmpuint (tm_surface_get_height (surface), ==, 3);
      g_assert_cmpfloat (tm_surface_get_pixel_um_x (surface), ==, 6.25);
      values = tm_surface_peek_data (surface);
      for (guint i = 0; i < 12; i++)
        if (i == 5)
          g_assert_true (isnan (values[i]));
        else
          g_assert_cmpfloat (values[i], ==, (float)((double)i * 1e-6 * 1e6));
      g_assert_cmpuint (tm_surface_count_valid (surface), ==, 11);
      g_assert_cmpstr (tm_surface_get_meta (surface, TM_META_CREATOR), ==, "Tester");
      g_assert_cmpstr (tm_surface_get_meta (surface, TM_META_PROBING_IDENTIFICATION), ==, "20x");
      g_assert_cmpstr (tm_surface_get_meta (surface, TM_META_COMMENT), ==, "hand made");
    }
}

static void
test_read_missing_checksums (void)
{
  g_autofree guint8 *data = doubles_le (12, 99);
  Spec spec = { .no_data_md5 = TRUE };
  g_autoptr(GBytes) bytes = build_x3p (&spec, data, 12 * 8, NULL, FALSE, NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = read_named (bytes, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (tm_surface_get_meta (surface, TM_X3P_META_UNVERIFIED), ==,
                   "bindata/data.bin,main.xml");
}

static void
test_read_integer (void)
{
  /* int16 heights with a z scale: z = offset + n × increment (metres). */
  guint8 data[12 * 2];
  Spec spec = { .z_type = "I", .z_extra = "<Increment>1e-8</Increment><Offset>2e-6</Offset>" };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = NULL;

  for (int i = 0; i < 12; i++)
    {
      gint16 v = GINT16_TO_LE ((gint16)(i * 100 - 600));

      memcpy (data + 2 * i, &v, 2);
    }
  bytes = build_x3p (&spec, data, sizeof data, NULL, TRUE, NULL, 0);
  surface = read_named (bytes, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 12; i++)
    g_assert_cmpfloat_with_epsilon (tm_surface_peek_data (surface)[i],
                                    2.0 + (i * 100 - 600) * 0.01, 1e-5);
  g_assert_cmpstr (tm_surface_get_meta (surface, TM_META_SOURCE_DATA_TYPE), ==, "I");
}

static void
test_read_micrometres (void)
{
  /* TopMatch style: increments and float32 heights in µm. */
  guint8 data[12 * 4];
  Spec spec = { .inc_x = "7.37468", .z_type = "F" };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = NULL;

  for (int i = 0; i < 12; i++)
    {
      float f = i * 0.5f - 3.0f;
      guint32 bits;

      memcpy (&bits, &f, 4);
      bits = GUINT32_TO_LE (bits);
      memcpy (data + 4 * i, &bits, 4);
    }
  bytes = build_x3p (&spec, data, sizeof data, NULL, TRUE, NULL, 0);
  surface = read_named (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tm_surface_get_pixel_um_x (surface), ==, 7.37468);
  g_assert_cmpstr (tm_surface_get_meta (surface, TM_META_SOURCE_UNITS), ==, "um");
  for (int i = 0; i < 12; i++)
    g_assert_cmpfloat (tm_surface_peek_data (surface)[i], ==, i * 0.5f - 3.0f);
}

static void
test_read_datalist (void)
{
  Spec spec = { .size_x = "3", .size_y = "2",
                .datalist = "<Datum>1e-6</Datum><Datum>-2.5e-6</Datum><Datum/>"
                            "<Datum> 4e-6 </Datum><Datum>0</Datum><Datum>6e-6</Datum>" };
  const float expected[] = { 1, -2.5, NAN, 4, 0, 6 };
  g_autoptr(GBytes) bytes = build_x3p (&spec, NULL, 0, NULL, TRUE, NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = read_named (bytes, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (tm_surface_get_width (surface), ==, 3);
  g_assert_cmpuint (tm_surface_count_valid (surface), ==, 5);
  for (int i = 0; i < 6; i++)
    if (i == 2)
      g_assert_cmpuint (tm_surface_peek_mask (surface)[i], ==, 0);
    else
      g_assert_cmpfloat_with_epsilon (tm_surface_peek_data (surface)[i], expected[i], 1e-6);

  {
    Spec short_list = { .size_x = "3", .size_y = "2", .datalist = "<Datum>1e-6</Datum>" };
    g_autoptr(GBytes) b = build_x3p (&short_list, NULL, 0, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_CORRUPT, "DataList holds 1 points");
  }
  {
    Spec empty = { .size_x = "1", .size_y = "2", .datalist = "<Datum/><Datum></Datum>" };
    g_autoptr(GBytes) b = build_x3p (&empty, NULL, 0, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_NO_DATA, "no valid point");
  }
}

static void
test_read_valid_bin (void)
{
  g_autofree guint8 *data = doubles_le (12, 99);
  /* Points 0, 2, 4, 6 and 9 valid (LSB first), the rest invalid. */
  const guint8 bits[2] = { 0x55, 0x02 };
  g_autofree char *bits_md5 = md5_hex (bits, 2);
  g_autofree char *md5_element = g_strdup_printf ("<MD5ChecksumValidPoints>%s</MD5ChecksumValidPoints>",
                                                  bits_md5);
  Spec spec = { .valid_link = "<ValidPointsLink>bindata/valid.bin</ValidPointsLink>",
                .valid_md5 = md5_element };
  Entry extra = { "bindata/valid.bin", bits, 2 };
  g_autoptr(GBytes) bytes = build_x3p (&spec, data, 12 * 8, NULL, TRUE, &extra, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = read_named (bytes, &error);
  const guint8 *mask;

  g_assert_no_error (error);
  mask = tm_surface_peek_mask (surface);
  for (guint i = 0; i < 12; i++)
    g_assert_cmpuint (mask[i], ==, (i == 0 || i == 2 || i == 4 || i == 6 || i == 9));

  {
    const guint8 wrong[2] = { 0x55, 0x03 };
    Entry bad = { "bindata/valid.bin", wrong, 2 };
    g_autoptr(GBytes) b = build_x3p (&spec, data, 12 * 8, NULL, TRUE, &bad, 1);

    assert_refused (b, TM_FORMAT_ERROR_CHECKSUM, "bindata/valid.bin checksum does not match");
  }
}

static void
test_read_mask_png (void)
{
  g_autofree guint8 *data = doubles_le (12, 99);
  g_autofree guint8 *rgba = g_malloc (12 * 4);
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) surface = NULL;
  Spec spec = { .record3_extra = "<Mask><Background>#102030</Background></Mask>" };
  Entry extra;

  /* Background #102030 in column 0 and on the whole last row: outside. */
  for (guint i = 0; i < 12; i++)
    {
      gboolean outside = i % 4 == 0 || i >= 8;

      rgba[4 * i + 0] = outside ? 0x10 : 0xcd;
      rgba[4 * i + 1] = outside ? 0x20 : 0x7f;
      rgba[4 * i + 2] = outside ? 0x30 : 0x32;
      rgba[4 * i + 3] = 0xff;
    }
  png = tm_png_encode_rgba (rgba, 4, 3, &error);
  g_assert_no_error (error);
  extra = (Entry) { "bindata/mask.png", g_bytes_get_data (png, NULL), g_bytes_get_size (png) };
  bytes = build_x3p (&spec, data, 12 * 8, NULL, TRUE, &extra, 1);
  surface = read_named (bytes, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 12; i++)
    g_assert_cmpuint (tm_surface_peek_mask (surface)[i], ==, !(i % 4 == 0 || i >= 8));
}

/* ---- hostile files ------------------------------------------------------------------ */

static GBytes *
valid_x3p (void)
{
  g_autoptr(TmSurface) surface = synthetic_surface (40, 30, 6.25);

  return tm_x3p_write_bytes (surface, NULL);
}

static void
test_hostile_truncated (void)
{
  g_autoptr(GBytes) whole = valid_x3p ();
  gsize len = g_bytes_get_size (whole);

  /* Every cut must be refused cleanly; the half file as a corrupt archive. */
  for (gsize cut = 1; cut < len; cut += MAX (1, len / 97))
    {
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (whole, 0, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(TmSurface) surface = read_named (part, &error);

      g_assert_null (surface);
      g_assert_nonnull (error);
      g_assert_true (error->domain == TM_FORMAT_ERROR);
      g_assert_true (g_str_has_prefix (error->message, "Hostile 7-1.x3p: "));
    }
  {
    g_autoptr(GBytes) half = g_bytes_new_from_bytes (whole, 0, len / 2);

    assert_refused (half, TM_FORMAT_ERROR_CORRUPT, "truncated");
  }
  {
    g_autoptr(GBytes) text = g_bytes_new_static ("PK\003\004 not a zip at all",
                                                   sizeof "PK\003\004 not a zip at all" - 1);

    assert_refused (text, TM_FORMAT_ERROR_CORRUPT, "not a readable");
  }
}

static void
test_hostile_checksums (void)
{
  g_autofree guint8 *data = doubles_le (12, 5);
  Spec good = { 0 };
  Spec bad_data = { .data_md5 = "0123456789abcdef0123456789abcdef" };

  {
    g_autoptr(GBytes) b = build_x3p (&good, data, 12 * 8, "00112233445566778899aabbccddeeff",
                                     TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_CHECKSUM, "main.xml checksum does not match");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&bad_data, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_CHECKSUM,
                    "bindata/data.bin checksum does not match main.xml");
  }
  {
    /* One flipped bit of the heights, the declared MD5 left as it was. */
    g_autoptr(GBytes) written = valid_x3p ();
    g_autoptr(GBytes) xml = unzip_entry (written, "main.xml");
    g_autoptr(GBytes) hex = unzip_entry (written, "md5checksum.hex");
    g_autoptr(GBytes) bin = unzip_entry (written, "bindata/data.bin");
    g_autofree guint8 *flipped = g_memdup2 (g_bytes_get_data (bin, NULL), g_bytes_get_size (bin));
    Entry entries[3];
    g_autoptr(GBytes) b = NULL;

    flipped[100] ^= 0x10;
    entries[0] = (Entry) { "main.xml", g_bytes_get_data (xml, NULL), g_bytes_get_size (xml) };
    entries[1] = (Entry) { "md5checksum.hex", g_bytes_get_data (hex, NULL), g_bytes_get_size (hex) };
    entries[2] = (Entry) { "bindata/data.bin", flipped, g_bytes_get_size (bin) };
    b = zip_entries (entries, 3);
    assert_refused (b, TM_FORMAT_ERROR_CHECKSUM, "bindata/data.bin checksum");
  }
}

/* Finds the local header and the central directory record of @name in a zip. */
static void
find_headers (guint8     *zip,
              gsize       len,
              const char *name,
              gsize      *out_local,
              gsize      *out_central)
{
  gsize name_len = strlen (name);

  *out_local = *out_central = G_MAXSIZE;
  for (gsize i = 0; i + 46 + name_len <= len; i++)
    {
      if (memcmp (zip + i, "PK\003\004", 4) == 0 && memcmp (zip + i + 30, name, name_len) == 0)
        *out_local = i;
      if (memcmp (zip + i, "PK\001\002", 4) == 0 && memcmp (zip + i + 46, name, name_len) == 0)
        *out_central = i;
    }
  g_assert_cmpuint (*out_local, !=, G_MAXSIZE);
  g_assert_cmpuint (*out_central, !=, G_MAXSIZE);
}

static void
put_le32 (guint8 *p,
          guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
}

static void
test_hostile_zip_bomb (void)
{
  g_autofree guint8 *data = doubles_le (12, 5);
  Spec spec = { 0 };

  {
    /* Declared size: the central directory and local header claim 4 GB of heights for
     * a 4 × 3 matrix; refused from zip_stat, before anything is inflated or allocated. */
    g_autoptr(GBytes) good = build_x3p (&spec, data, 12 * 8, NULL, TRUE, NULL, 0);
    gsize len;
    guint8 *zip = g_bytes_unref_to_data (g_bytes_ref (good), &len);
    gsize local, central;
    g_autoptr(GBytes) bomb = NULL;

    find_headers (zip, len, "bindata/data.bin", &local, &central);
    put_le32 (zip + local + 22, 0xfffffff0u);
    put_le32 (zip + central + 24, 0xfffffff0u);
    bomb = g_bytes_new_take (zip, len);
    assert_refused (bomb, TM_FORMAT_ERROR_TOO_LARGE, "declares 4294967280 bytes");
  }
  {
    /* A real bomb: 256 MiB of zeros (a few hundred KiB deflated) whose headers declare
     * the 96 bytes the matrix needs. At most 97 bytes may come out of it. */
    gsize big = 256 * 1024 * 1024;
    g_autofree guint8 *zeros = g_malloc0 (big);
    g_autofree char *xml = spec_xml (&spec, zeros, 12 * 8);
    g_autofree char *xml_md5 = md5_hex (xml, strlen (xml));
    Entry entries[] = { { "main.xml", xml, strlen (xml) },
                        { "md5checksum.hex", xml_md5, 32 },
                        { "bindata/data.bin", zeros, big } };
    g_autoptr(GBytes) built = zip_entries (entries, G_N_ELEMENTS (entries));
    gsize len;
    guint8 *zip = g_bytes_unref_to_data (g_bytes_ref (built), &len);
    gsize local, central;
    g_autoptr(GBytes) bomb = NULL;
    g_autoptr(GTimer) timer = g_timer_new ();

    g_clear_pointer (&zeros, g_free);
    g_test_message ("256 MiB of zeros deflate to %" G_GSIZE_FORMAT " bytes", len);
    find_headers (zip, len, "bindata/data.bin", &local, &central);
    put_le32 (zip + local + 22, 12 * 8);
    put_le32 (zip + central + 24, 12 * 8);
    bomb = g_bytes_new_take (zip, len);
    assert_refused (bomb, TM_FORMAT_ERROR_CORRUPT, "bindata/data.bin");
    /* Inflating 256 MiB would take far longer than reading 97 bytes. */
    g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 0.5);
  }
}

static void
test_hostile_entities (void)
{
  g_autofree guint8 *data = doubles_le (12, 5);
  Spec laughs = {
    .prolog = "<!DOCTYPE lolz [\n"
              " <!ENTITY lol \"lol\">\n"
              " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
              " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
              " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
              " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
              " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
              " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
              " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
              " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
              "]>\n",
    .text_entity = "&lol9;",
  };
  Spec doctype = { .prolog = "<!DOCTYPE p:ISO5436_2 SYSTEM \"http://example.org/x.dtd\">\n" };
  Spec undeclared = { .text_entity = "&lol9;" };

  {
    g_autoptr(GBytes) b = build_x3p (&laughs, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_UNSUPPORTED, "entity-expansion");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&doctype, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_UNSUPPORTED, "document type");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&undeclared, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_CORRUPT, "not well-formed");
  }
}

static void
test_hostile_dimensions (void)
{
  g_autofree guint8 *data = doubles_le (12, 5);
  Spec absurd = { .size_x = "100000", .size_y = "100000" };
  Spec wide = { .size_x = "16385", .size_y = "1" };
  Spec negative = { .size_x = "-4" };
  Spec layers = { .size_z = "2" };
  Spec mismatch = { .size_x = "5" };

  {
    g_autoptr(GBytes) b = build_x3p (&absurd, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_TOO_LARGE,
                    "100000 × 100000 points exceeds the 16384 × 16384 limit");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&wide, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_TOO_LARGE, "16385 × 1");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&negative, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_CORRUPT, "SizeX");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&layers, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_UNSUPPORTED, "layers");
  }
  {
    /* 5 × 3 float64 needs 120 bytes; data.bin has 96. */
    g_autoptr(GBytes) b = build_x3p (&mismatch, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_CORRUPT, "holds 96 bytes but the 5 × 3 float64 matrix");
  }
  {
    /* 95 bytes: one short. */
    Spec spec = { 0 };
    g_autoptr(GBytes) b = build_x3p (&spec, data, 12 * 8 - 1, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_CORRUPT, "holds 95 bytes");
  }
}

static void
test_hostile_nan_only (void)
{
  guint8 data[12 * 8];
  Spec spec = { 0 };
  g_autoptr(GBytes) b = NULL;

  for (int i = 0; i < 12; i++)
    {
      double v = NAN;
      guint64 bits;

      memcpy (&bits, &v, 8);
      bits = GUINT64_TO_LE (bits);
      memcpy (data + 8 * i, &bits, 8);
    }
  b = build_x3p (&spec, data, sizeof data, NULL, TRUE, NULL, 0);
  assert_refused (b, TM_FORMAT_ERROR_NO_DATA, "no valid point");
}

static void
test_hostile_units (void)
{
  g_autofree guint8 *data = doubles_le (12, 5);
  const char *increments[] = { "0", "-6.25e-06", "nan", "inf", "1e400", "abc", "" };

  for (guint i = 0; i < G_N_ELEMENTS (increments); i++)
    {
      Spec spec = { .inc_x = increments[i] };
      g_autoptr(GBytes) b = build_x3p (&spec, data, 12 * 8, NULL, TRUE, NULL, 0);

      assert_refused (b, TM_FORMAT_ERROR_UNITS, "increment");
    }
  {
    /* x in micrometres, y in metres: no single unit fits. */
    Spec spec = { .inc_x = "6.25", .inc_y = "6.25e-06" };
    g_autoptr(GBytes) b = build_x3p (&spec, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_UNITS, NULL);
  }
}

static void
test_hostile_unsupported (void)
{
  g_autofree guint8 *data = doubles_le (12, 5);
  Spec profile = { .feature = "PRF" };
  Spec cloud = { .feature = "PCL" };
  Spec nonsense = { .feature = "XYZ" };
  Spec revision = { .revision = "ISO5436 - 2099" };
  Spec z_type = { .z_type = "Q" };

  {
    g_autoptr(GBytes) b = build_x3p (&profile, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_UNSUPPORTED, "profile (FeatureType PRF)");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&cloud, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_UNSUPPORTED, "point cloud");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&nonsense, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_CORRUPT, "FeatureType");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&revision, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_UNSUPPORTED, "ISO5436 - 2099");
  }
  {
    g_autoptr(GBytes) b = build_x3p (&z_type, data, 12 * 8, NULL, TRUE, NULL, 0);

    assert_refused (b, TM_FORMAT_ERROR_CORRUPT, "DataType");
  }
  {
    /* A zip that is not an X3P at all. */
    Entry e = { "word/document.xml", "<w/>", 4 };
    g_autoptr(GBytes) b = zip_entries (&e, 1);

    assert_refused (b, TM_FORMAT_ERROR_UNKNOWN_FORMAT, "without main.xml");
  }
  {
    /* Well-formed XML of another kind. */
    const char *xml = "<?xml version=\"1.0\"?><svg/>";
    Entry e = { "main.xml", xml, strlen (xml) };
    g_autoptr(GBytes) b = zip_entries (&e, 1);

    assert_refused (b, TM_FORMAT_ERROR_UNKNOWN_FORMAT, "not an ISO 5436-2 document");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/x3p/read/shared-scans", test_read_shared_scans);
  g_test_add_func ("/x3p/read/time", test_read_time);
  g_test_add_func ("/x3p/read/variants", test_read_variants);
  g_test_add_func ("/x3p/read/missing-checksums", test_read_missing_checksums);
  g_test_add_func ("/x3p/read/integer", test_read_integer);
  g_test_add_func ("/x3p/read/micrometres", test_read_micrometres);
  g_test_add_func ("/x3p/read/datalist", test_read_datalist);
  g_test_add_func ("/x3p/read/valid-bin", test_read_valid_bin);
  g_test_add_func ("/x3p/read/mask-png", test_read_mask_png);
  g_test_add_func ("/x3p/roundtrip/float-metre-exact", test_float_metre_exact);
  g_test_add_func ("/x3p/roundtrip/synthetic", test_roundtrip_synthetic);
  g_test_add_func ("/x3p/roundtrip/file", test_roundtrip_file);
  g_test_add_func ("/x3p/roundtrip/fadul", test_roundtrip_fadul);
  g_test_add_func ("/x3p/roundtrip/topmatch", test_roundtrip_topmatch);
  g_test_add_func ("/x3p/write/schema", test_write_schema);
  g_test_add_func ("/x3p/hostile/truncated", test_hostile_truncated);
  g_test_add_func ("/x3p/hostile/checksums", test_hostile_checksums);
  g_test_add_func ("/x3p/hostile/zip-bomb", test_hostile_zip_bomb);
  g_test_add_func ("/x3p/hostile/entities", test_hostile_entities);
  g_test_add_func ("/x3p/hostile/dimensions", test_hostile_dimensions);
  g_test_add_func ("/x3p/hostile/nan-only", test_hostile_nan_only);
  g_test_add_func ("/x3p/hostile/units", test_hostile_units);
  g_test_add_func ("/x3p/hostile/unsupported", test_hostile_unsupported);

  return g_test_run ();
}
