/* tm-x3p.c — ISO 25178-72 X3P (ISO 5436-2 container) reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An X3P file is a zip archive holding main.xml (the ISO 5436-2 document), the point
 * data (bindata/data.bin, little-endian, x varying fastest) and md5checksum.hex (the MD5
 * of main.xml). Everything is read from memory: import keeps the very bytes it read.
 *
 * Reading treats the file as hostile. Declared sizes are checked against the safety
 * limits of tm-surface.h before anything is allocated, a zip entry's declared size must
 * be exactly what the matrix needs before it is inflated (a zip bomb is refused from its
 * central directory), no more bytes than declared are ever inflated, and main.xml may not
 * carry a document type declaration (GMarkup does not expand entities, but a refusal
 * that says why is better than an "unknown entity" error).
 *
 * Units: ISO 5436-2 says metres, but TopMatch exports write increments and heights in
 * micrometres. No microscope scan has a pixel larger than 100 µm, so an x/y increment
 * above 1e-4 is taken as micrometres. Surfaces always hold µm.
 *
 * Checksums: both MD5s are verified and the error says which one failed. A file without
 * md5checksum.hex or without MD5ChecksumPointData is still read — the chain of custody
 * rests on the SHA-256 of the whole file kept at import, not on these MD5s — but the
 * unverified parts are listed in the TM_X3P_META_UNVERIFIED metadata so that a reviewer
 * can see it. A checksum that is present and wrong is always an error.
 */
#define G_LOG_DOMAIN "tm-x3p"

#include "config.h"

#include <math.h>
#include <string.h>
#include <zip.h>

#include "tm-format.h"
#include "tm-png.h"
#include "tm-x3p.h"

#define X3P_NAMESPACE        "http://www.opengps.eu/2008/ISO5436_2"
#define X3P_MAIN_XML         "main.xml"
#define X3P_CHECKSUM_FILE    "md5checksum.hex"
#define X3P_DATA_FILE        "bindata/data.bin"
#define X3P_MASK_FILE        "bindata/mask.png"
#define X3P_CHECKSUM_MAX     4096
#define X3P_MAX_DEPTH        32
#define X3P_FIELD_MAX        (64 * 1024)
/* x3ptools' default mask background (bronze); pixels of this colour are outside. */
#define X3P_MASK_BACKGROUND  0xcd7f32
/* Above this an x/y increment cannot be metres per pixel of a microscope scan. */
#define X3P_METRE_INCREMENT_MAX  1e-4
/* The largest point-data entry any acceptable matrix could need (16k × 16k float64). */
#define X3P_DATA_MAX         (TM_SURFACE_MAX_SAMPLES * 8)

/* The elements the reader uses, as paths below the root element. Anything else
 * (Axes/Origin, Axes/Rotation, Record3/Mask/Annotations, VendorSpecificID …) is skipped. */
static const char * const known_fields[] = {
  "Record1/Revision",
  "Record1/FeatureType",
  "Record1/Axes/CX/AxisType",
  "Record1/Axes/CX/DataType",
  "Record1/Axes/CX/Increment",
  "Record1/Axes/CX/Offset",
  "Record1/Axes/CY/AxisType",
  "Record1/Axes/CY/DataType",
  "Record1/Axes/CY/Increment",
  "Record1/Axes/CY/Offset",
  "Record1/Axes/CZ/AxisType",
  "Record1/Axes/CZ/DataType",
  "Record1/Axes/CZ/Increment",
  "Record1/Axes/CZ/Offset",
  "Record2/Date",
  "Record2/Creator",
  "Record2/Instrument/Manufacturer",
  "Record2/Instrument/Model",
  "Record2/Instrument/Serial",
  "Record2/Instrument/Version",
  "Record2/CalibrationDate",
  "Record2/ProbingSystem/Type",
  "Record2/ProbingSystem/Identification",
  "Record2/Comment",
  "Record3/MatrixDimension/SizeX",
  "Record3/MatrixDimension/SizeY",
  "Record3/MatrixDimension/SizeZ",
  "Record3/ListDimension",
  "Record3/DataLink/PointDataLink",
  "Record3/DataLink/MD5ChecksumPointData",
  "Record3/DataLink/ValidPointsLink",
  "Record3/DataLink/MD5ChecksumValidPoints",
  "Record3/DataList",
  "Record3/Mask/Background",
  "Record4/ChecksumFile",
};

/* Record2 element → surface metadata key. */
static const struct
{
  const char *path;
  const char *key;
} record2_fields[] = {
  { "Record2/Date",                          TM_META_DATE },
  { "Record2/Creator",                       TM_META_CREATOR },
  { "Record2/Instrument/Manufacturer",       TM_META_INSTRUMENT_MANUFACTURER },
  { "Record2/Instrument/Model",              TM_META_INSTRUMENT_MODEL },
  { "Record2/Instrument/Serial",             TM_META_INSTRUMENT_SERIAL },
  { "Record2/Instrument/Version",            TM_META_INSTRUMENT_VERSION },
  { "Record2/CalibrationDate",               TM_META_CALIBRATION_DATE },
  { "Record2/ProbingSystem/Type",            TM_META_PROBING_TYPE },
  { "Record2/ProbingSystem/Identification",  TM_META_PROBING_IDENTIFICATION },
  { "Record2/Comment",                       TM_META_COMMENT },
};

typedef enum
{
  X3P_TYPE_INT16,
  X3P_TYPE_INT32,
  X3P_TYPE_FLOAT32,
  X3P_TYPE_FLOAT64,
} X3pDataType;

typedef struct
{
  const char *display_name;
  gboolean    seen_root;
  GString    *path;        /* below the root, e.g. "Record1/Axes/CX/Increment" */
  GArray     *path_lens;   /* path length before each open element */
  GString    *text;
  gboolean    collecting;  /* the open element is a known field */
  GHashTable *fields;      /* path → stripped text, first occurrence wins */

  /* Text DataList: one Datum per point, an empty Datum is an invalid point. */
  gboolean    in_datalist;
  guint64     datalist_max;
  GArray     *datums;      /* double, NAN for an empty Datum */
} X3pParser;

static void x3p_set_error (GError       **error,
                           const char    *display_name,
                           TmFormatError  code,
                           const char    *format,
                           ...) G_GNUC_PRINTF (4, 5);

static void
x3p_set_error (GError        **error,
               const char     *display_name,
               TmFormatError   code,
               const char     *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TM_FORMAT_ERROR, code, "%s: %s", display_name, message);
}

static gsize
x3p_type_size (X3pDataType type)
{
  switch (type)
    {
    case X3P_TYPE_INT16: return 2;
    case X3P_TYPE_INT32: return 4;
    case X3P_TYPE_FLOAT32: return 4;
    case X3P_TYPE_FLOAT64: return 8;
    default: g_assert_not_reached ();
    }
}

static const char *
x3p_type_code (X3pDataType type)
{
  switch (type)
    {
    case X3P_TYPE_INT16: return "I";
    case X3P_TYPE_INT32: return "L";
    case X3P_TYPE_FLOAT32: return "F";
    case X3P_TYPE_FLOAT64: return "D";
    default: g_assert_not_reached ();
    }
}

static const char *
x3p_type_name (X3pDataType type)
{
  switch (type)
    {
    case X3P_TYPE_INT16: return "int16";
    case X3P_TYPE_INT32: return "int32";
    case X3P_TYPE_FLOAT32: return "float32";
    case X3P_TYPE_FLOAT64: return "float64";
    default: g_assert_not_reached ();
    }
}

static gboolean
x3p_type_from_code (const char  *code,
                    X3pDataType *out_type)
{
  if (g_strcmp0 (code, "I") == 0)
    *out_type = X3P_TYPE_INT16;
  else if (g_strcmp0 (code, "L") == 0)
    *out_type = X3P_TYPE_INT32;
  else if (g_strcmp0 (code, "F") == 0)
    *out_type = X3P_TYPE_FLOAT32;
  else if (g_strcmp0 (code, "D") == 0)
    *out_type = X3P_TYPE_FLOAT64;
  else
    return FALSE;
  return TRUE;
}

static gboolean
is_known_field (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_fields); i++)
    if (strcmp (path, known_fields[i]) == 0)
      return TRUE;
  return FALSE;
}

static const char *
local_name (const char *element_name)
{
  const char *colon = strrchr (element_name, ':');

  return colon != NULL ? colon + 1 : element_name;
}

/* Parses a whole string as a double ("1e-6", " 7.37 "); FALSE on anything else. */
static gboolean
parse_double (const char *text,
              double     *out_value)
{
  char *end = NULL;
  double value;

  if (text == NULL || *text == '\0')
    return FALSE;
  value = g_ascii_strtod (text, &end);
  if (end == text)
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0')
    return FALSE;
  *out_value = value;
  return TRUE;
}

/* Parses a decimal number and multiplies it by 10^shift without a rounding step: the
 * exponent is shifted in the text, so "6.25e-06" with shift 6 reads as exactly 6.25.
 * This is what makes a written pixel size read back bit-identically. */
static gboolean
parse_double_shifted (const char *text,
                      int         shift,
                      double     *out_value)
{
  g_autofree char *mantissa = NULL;
  g_autofree char *shifted = NULL;
  const char *e;
  gint64 exponent = 0;

  if (text == NULL)
    return FALSE;
  e = strpbrk (text, "eE");
  if (e == NULL)
    mantissa = g_strstrip (g_strdup (text));
  else
    {
      g_autofree char *exp_text = g_strstrip (g_strdup (e + 1));

      mantissa = g_strstrip (g_strndup (text, e - text));
      if (!g_ascii_string_to_signed (*exp_text == '+' ? exp_text + 1 : exp_text, 10,
                                     -100000, 100000, &exponent, NULL))
        return FALSE;
    }
  /* The mantissa alone must be a plain decimal number (no "inf", "nan", hex). */
  for (const char *p = mantissa; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != '.' && *p != '-' && *p != '+')
      return FALSE;
  shifted = g_strdup_printf ("%se%" G_GINT64_FORMAT, mantissa, exponent + shift);
  return parse_double (shifted, out_value);
}

static gboolean
parse_md5_hex (const char *text,
               char        out_hex[33])
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < 32; i++)
    {
      if (!g_ascii_isxdigit (text[i]))
        return FALSE;
      out_hex[i] = g_ascii_tolower (text[i]);
    }
  out_hex[32] = '\0';
  return TRUE;
}

static char *
md5_of (const guint8 *data,
        gsize         len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_MD5, data, len);
}

/* ---- main.xml ---------------------------------------------------------------------- */

static void
parser_start_element (GMarkupParseContext  *context,
                      const char           *element_name,
                      const char          **attribute_names,
                      const char          **attribute_values,
                      gpointer              user_data,
                      GError              **error)
{
  X3pParser *self = user_data;
  const char *name = local_name (element_name);
  gsize len = self->path->len;

  if (!self->seen_root)
    {
      if (strcmp (name, "ISO5436_2") != 0)
        {
          x3p_set_error (error, self->display_name, TM_FORMAT_ERROR_UNKNOWN_FORMAT,
                         "main.xml is not an ISO 5436-2 document (its root element is <%s>)",
                         element_name);
          return;
        }
      self->seen_root = TRUE;
      g_array_append_val (self->path_lens, len);
      return;
    }

  if (self->path_lens->len >= X3P_MAX_DEPTH)
    {
      x3p_set_error (error, self->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "main.xml nests elements more than %d deep", X3P_MAX_DEPTH);
      return;
    }

  g_array_append_val (self->path_lens, len);
  if (self->path->len > 0)
    g_string_append_c (self->path, '/');
  g_string_append (self->path, name);
  g_string_truncate (self->text, 0);

  if (self->in_datalist)
    {
      self->collecting = strcmp (name, "Datum") == 0;
      return;
    }

  self->collecting = is_known_field (self->path->str);

  if (strcmp (self->path->str, "Record3/DataList") == 0)
    {
      const char *sx = g_hash_table_lookup (self->fields, "Record3/MatrixDimension/SizeX");
      const char *sy = g_hash_table_lookup (self->fields, "Record3/MatrixDimension/SizeY");
      guint64 nx = 0, ny = 0;

      /* Bound the list before reading it: the matrix size must be known and sane. */
      if (sx == NULL || sy == NULL ||
          !g_ascii_string_to_unsigned (sx, 10, 1, G_MAXUINT64, &nx, NULL) ||
          !g_ascii_string_to_unsigned (sy, 10, 1, G_MAXUINT64, &ny, NULL))
        {
          x3p_set_error (error, self->display_name, TM_FORMAT_ERROR_CORRUPT,
                         "main.xml has a DataList without a valid MatrixDimension before it");
          return;
        }
      if (nx > TM_SURFACE_MAX_SIDE || ny > TM_SURFACE_MAX_SIDE)
        {
          x3p_set_error (error, self->display_name, TM_FORMAT_ERROR_TOO_LARGE,
                         "%" G_GUINT64_FORMAT " × %" G_GUINT64_FORMAT
                         " points exceeds the %d × %d limit",
                         nx, ny, TM_SURFACE_MAX_SIDE, TM_SURFACE_MAX_SIDE);
          return;
        }
      self->in_datalist = TRUE;
      self->datalist_max = nx * ny;
      self->datums = g_array_new (FALSE, FALSE, sizeof (double));
      g_hash_table_insert (self->fields, g_strdup (self->path->str), g_strdup (""));
    }
}

static void
parser_end_element (GMarkupParseContext  *context,
                    const char           *element_name,
                    gpointer              user_data,
                    GError              **error)
{
  X3pParser *self = user_data;
  gsize len;

  if (self->path_lens->len == 0)
    return;

  if (self->in_datalist && self->collecting)
    {
      /* A Datum of a matrix with incremental x/y axes holds z alone; a "x;y;z" list
       * would carry z last. */
      char *value_text = g_strstrip (self->text->str);
      const char *semicolon = strrchr (value_text, ';');
      double value = NAN;

      if (semicolon != NULL)
        value_text = (char *)semicolon + 1;
      if (*value_text != '\0' && !parse_double (value_text, &value))
        {
          x3p_set_error (error, self->display_name, TM_FORMAT_ERROR_CORRUPT,
                         "DataList point %u is not a number (“%.32s”)",
                         self->datums->len + 1, value_text);
          return;
        }
      if (self->datums->len >= self->datalist_max)
        {
          x3p_set_error (error, self->display_name, TM_FORMAT_ERROR_CORRUPT,
                         "DataList holds more points than the %" G_GUINT64_FORMAT
                         " of its MatrixDimension", self->datalist_max);
          return;
        }
      g_array_append_val (self->datums, value);
    }
  else if (self->collecting && !g_hash_table_contains (self->fields, self->path->str))
    {
      g_hash_table_insert (self->fields, g_strdup (self->path->str),
                           g_strstrip (g_strdup (self->text->str)));
    }

  if (self->in_datalist && strcmp (self->path->str, "Record3/DataList") == 0)
    self->in_datalist = FALSE;

  len = g_array_index (self->path_lens, gsize, self->path_lens->len - 1);
  g_array_set_size (self->path_lens, self->path_lens->len - 1);
  g_string_truncate (self->path, len);
  g_string_truncate (self->text, 0);
  self->collecting = FALSE;
}

static void
parser_text (GMarkupParseContext  *context,
             const char           *text,
             gsize                 text_len,
             gpointer              user_data,
             GError              **error)
{
  X3pParser *self = user_data;

  if (!self->collecting)
    return;
  if (self->text->len + text_len > X3P_FIELD_MAX)
    {
      x3p_set_error (error, self->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "main.xml element %s holds more than %d bytes of text",
                     self->path->str, X3P_FIELD_MAX);
      return;
    }
  g_string_append_len (self->text, text, text_len);
}

static void
parser_passthrough (GMarkupParseContext  *context,
                    const char           *passthrough_text,
                    gsize                 text_len,
                    gpointer              user_data,
                    GError              **error)
{
  X3pParser *self = user_data;

  if (text_len >= 2 && passthrough_text[0] == '<' && passthrough_text[1] == '!' &&
      !(text_len >= 4 && passthrough_text[2] == '-' && passthrough_text[3] == '-') &&
      !(text_len >= 3 && passthrough_text[2] == '['))
    x3p_set_error (error, self->display_name, TM_FORMAT_ERROR_UNSUPPORTED,
                   "main.xml contains a document type declaration; X3P files never need "
                   "one and it is refused as a possible entity-expansion attack");
}

static const GMarkupParser x3p_markup_parser = {
  parser_start_element,
  parser_end_element,
  parser_text,
  parser_passthrough,
  NULL,
};

static gboolean
contains (const guint8 *data,
          gsize         len,
          const char   *needle)
{
  gsize needle_len = strlen (needle);

  for (gsize i = 0; i + needle_len <= len; i++)
    if (data[i] == (guint8)needle[0] && memcmp (data + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
parse_main_xml (X3pParser     *parser,
                const guint8  *xml,
                gsize          len,
                GError       **error)
{
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) local_error = NULL;

  /* Refuse DTDs up front, wherever they are: entity declarations are the whole of the
   * "billion laughs" attack, and no X3P writer emits one. */
  if (contains (xml, len, "<!DOCTYPE") || contains (xml, len, "<!ENTITY"))
    {
      x3p_set_error (error, parser->display_name, TM_FORMAT_ERROR_UNSUPPORTED,
                     "main.xml contains a document type or entity declaration; X3P files "
                     "never need one and it is refused as a possible entity-expansion attack");
      return FALSE;
    }
  /* GMarkup wants UTF-8 without a byte-order mark. */
  if (len >= 3 && xml[0] == 0xef && xml[1] == 0xbb && xml[2] == 0xbf)
    {
      xml += 3;
      len -= 3;
    }
  if (!g_utf8_validate ((const char *)xml, len, NULL))
    {
      x3p_set_error (error, parser->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "main.xml is not valid UTF-8 text");
      return FALSE;
    }

  context = g_markup_parse_context_new (&x3p_markup_parser, 0, parser, NULL);
  if (!g_markup_parse_context_parse (context, (const char *)xml, len, &local_error) ||
      !g_markup_parse_context_end_parse (context, &local_error))
    {
      if (local_error->domain == TM_FORMAT_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        x3p_set_error (error, parser->display_name, TM_FORMAT_ERROR_CORRUPT,
                       "main.xml is not well-formed XML: %s", local_error->message);
      return FALSE;
    }
  if (!parser->seen_root)
    {
      x3p_set_error (error, parser->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "main.xml has no root element");
      return FALSE;
    }
  return TRUE;
}

static void
x3p_parser_clear (X3pParser *parser)
{
  g_clear_pointer (&parser->fields, g_hash_table_unref);
  if (parser->path != NULL)
    g_string_free (parser->path, TRUE);
  if (parser->text != NULL)
    g_string_free (parser->text, TRUE);
  g_clear_pointer (&parser->path_lens, g_array_unref);
  g_clear_pointer (&parser->datums, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (X3pParser, x3p_parser_clear)

/* ---- zip entries ------------------------------------------------------------------- */

typedef struct
{
  zip_t      *archive;
  const char *display_name;
} X3pArchive;

/* Finds an entry and its declared (uncompressed) size; FALSE without error if absent. */
static gboolean
archive_stat (X3pArchive   *ar,
              const char   *name,
              zip_uint64_t *out_index,
              guint64      *out_size,
              GError      **error)
{
  zip_stat_t st;
  zip_int64_t entry_index;

  entry_index = zip_name_locate (ar->archive, name, 0);
  if (entry_index < 0)
    return FALSE;
  zip_stat_init (&st);
  if (zip_stat_index (ar->archive, entry_index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "the zip entry %s cannot be read (%s)", name,
                     zip_error_strerror (zip_get_error (ar->archive)));
      return FALSE;
    }
  *out_index = entry_index;
  *out_size = st.size;
  return TRUE;
}

/* Inflates exactly @size bytes (the declared size, already checked by the caller) and
 * makes sure the entry holds no more: at most @size + 1 bytes are ever produced. */
static guint8 *
archive_read (X3pArchive   *ar,
              zip_uint64_t  entry_index,
              const char   *name,
              guint64       size,
              GError      **error)
{
  g_autofree guint8 *buffer = NULL;
  zip_file_t *file;
  guint64 done = 0;
  guint8 extra;
  zip_int64_t n;

  file = zip_fopen_index (ar->archive, entry_index, 0);
  if (file == NULL)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "the zip entry %s cannot be opened (%s)", name,
                     zip_error_strerror (zip_get_error (ar->archive)));
      return NULL;
    }
  buffer = g_try_malloc (MAX (size, 1));
  if (buffer == NULL)
    {
      zip_fclose (file);
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_TOO_LARGE,
                     "not enough memory to read %s (%" G_GUINT64_FORMAT " bytes)",
                     name, size);
      return NULL;
    }
  while (done < size)
    {
      n = zip_fread (file, buffer + done, MIN (size - done, G_GUINT64_CONSTANT (1) << 26));
      if (n <= 0)
        break;
      done += n;
    }
  if (done == size)
    n = zip_fread (file, &extra, 1);
  if (n < 0 || done != size)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "the zip entry %s is truncated or damaged (%s)", name,
                     n < 0 ? zip_error_strerror (zip_file_get_error (file))
                           : "fewer bytes than declared");
      zip_fclose (file);
      return NULL;
    }
  if (n > 0)
    {
      zip_fclose (file);
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "the zip entry %s holds more data than its declared %"
                     G_GUINT64_FORMAT " bytes", name, size);
      return NULL;
    }
  zip_fclose (file);
  return g_steal_pointer (&buffer);
}

/* Reads a small entry whose size is only bounded (main.xml, md5checksum.hex, mask.png). */
static guint8 *
archive_read_bounded (X3pArchive  *ar,
                      const char  *name,
                      guint64      max_size,
                      gboolean    *out_found,
                      gsize       *out_len,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  zip_uint64_t entry_index;
  guint64 size;

  *out_found = archive_stat (ar, name, &entry_index, &size, &local_error);
  if (!*out_found)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (size > max_size)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_TOO_LARGE,
                     "%s declares %" G_GUINT64_FORMAT " bytes, more than the %"
                     G_GUINT64_FORMAT " accepted", name, size, max_size);
      return NULL;
    }
  *out_len = size;
  return archive_read (ar, entry_index, name, size, error);
}

/* ---- reading ----------------------------------------------------------------------- */

static const char *
field (X3pParser  *parser,
       const char *path)
{
  return g_hash_table_lookup (parser->fields, path);
}

static void
note_unverified (TmSurface  *surface,
                 const char *part)
{
  const char *old = tm_surface_get_meta (surface, TM_X3P_META_UNVERIFIED);
  g_autofree char *joined = NULL;

  joined = old != NULL ? g_strconcat (old, ",", part, NULL) : g_strdup (part);
  tm_surface_set_meta (surface, TM_X3P_META_UNVERIFIED, joined);
}

/* Reads an axis increment (in the file's unit) and returns it in µm. */
static gboolean
read_increment (X3pParser   *parser,
                const char  *axis,
                gboolean     micrometres,
                double      *out_um,
                GError     **error)
{
  g_autofree char *path = g_strdup_printf ("Record1/Axes/%s/Increment", axis);
  const char *text = field (parser, path);
  double value;

  if (text == NULL)
    {
      x3p_set_error (error, parser->display_name, TM_FORMAT_ERROR_UNITS,
                     "main.xml gives no increment (pixel size) for the %s axis", axis);
      return FALSE;
    }
  if (!parse_double_shifted (text, micrometres ? 0 : 6, &value) || !isfinite (value) ||
      value <= 0)
    {
      x3p_set_error (error, parser->display_name, TM_FORMAT_ERROR_UNITS,
                     "the %s increment “%s” is not a positive finite pixel size", axis, text);
      return FALSE;
    }
  *out_um = value;
  return TRUE;
}

static gboolean
check_axis_type (X3pParser   *parser,
                 const char  *axis,
                 const char  *wanted,
                 GError     **error)
{
  g_autofree char *path = g_strdup_printf ("Record1/Axes/%s/AxisType", axis);
  const char *text = field (parser, path);

  if (g_strcmp0 (text, wanted) == 0)
    return TRUE;
  if (text == NULL)
    x3p_set_error (error, parser->display_name, TM_FORMAT_ERROR_CORRUPT,
                   "main.xml gives no AxisType for the %s axis", axis);
  else
    x3p_set_error (error, parser->display_name, TM_FORMAT_ERROR_UNSUPPORTED,
                   "the %s axis has AxisType “%s”; Toolmark reads %s %s axes only",
                   axis, text, strcmp (wanted, "I") == 0 ? "incremental (I)" : "absolute (A)",
                   axis);
  return FALSE;
}

static gboolean
parse_size (X3pParser   *parser,
            const char  *name,
            guint64     *out_value,
            GError     **error)
{
  g_autofree char *path = g_strdup_printf ("Record3/MatrixDimension/%s", name);
  const char *text = field (parser, path);

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, out_value, NULL))
    {
      x3p_set_error (error, parser->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "main.xml has no valid MatrixDimension/%s", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_background (const char *text,
                  guint32    *out_rgb)
{
  guint64 value;

  if (text == NULL || text[0] != '#' || strlen (text) != 7 ||
      !g_ascii_string_to_unsigned (text + 1, 16, 0, 0xffffff, &value, NULL))
    return FALSE;
  *out_rgb = (guint32)value;
  return TRUE;
}

static double
decode_sample (const guint8 *p,
               X3pDataType   type,
               double        z_increment,
               double        z_offset)
{
  switch (type)
    {
    case X3P_TYPE_INT16:
      {
        guint16 v;
        memcpy (&v, p, 2);
        return z_offset + z_increment * (gint16)GUINT16_FROM_LE (v);
      }
    case X3P_TYPE_INT32:
      {
        guint32 v;
        memcpy (&v, p, 4);
        return z_offset + z_increment * (gint32)GUINT32_FROM_LE (v);
      }
    case X3P_TYPE_FLOAT32:
      {
        guint32 v;
        float f;
        memcpy (&v, p, 4);
        v = GUINT32_FROM_LE (v);
        memcpy (&f, &v, 4);
        return f;
      }
    case X3P_TYPE_FLOAT64:
      {
        guint64 v;
        double d;
        memcpy (&v, p, 8);
        v = GUINT64_FROM_LE (v);
        memcpy (&d, &v, 8);
        return d;
      }
    default:
      g_assert_not_reached ();
    }
}

static gboolean
apply_valid_bits (X3pArchive  *ar,
                  X3pParser   *parser,
                  TmSurface   *surface,
                  GError     **error)
{
  const char *link = field (parser, "Record3/DataLink/ValidPointsLink");
  const char *md5_text = field (parser, "Record3/DataLink/MD5ChecksumValidPoints");
  gsize n = (gsize)tm_surface_get_width (surface) * tm_surface_get_height (surface);
  guint64 expected = (n + 7) / 8;
  g_autofree guint8 *bits = NULL;
  g_autofree char *md5 = NULL;
  float *data = tm_surface_get_data (surface);
  g_autoptr(GError) local_error = NULL;
  zip_uint64_t entry_index;
  guint64 size;
  char want[33];

  if (link == NULL || *link == '\0')
    return TRUE;
  if (!archive_stat (ar, link, &entry_index, &size, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                       "main.xml links the valid-points file %s but the archive has no "
                       "such file", link);
      return FALSE;
    }
  if (size != expected)
    {
      x3p_set_error (error, ar->display_name,
                     size > X3P_DATA_MAX ? TM_FORMAT_ERROR_TOO_LARGE : TM_FORMAT_ERROR_CORRUPT,
                     "%s holds %" G_GUINT64_FORMAT " bytes but %" G_GSIZE_FORMAT
                     " points need %" G_GUINT64_FORMAT, link, size, n, expected);
      return FALSE;
    }
  bits = archive_read (ar, entry_index, link, size, error);
  if (bits == NULL)
    return FALSE;
  if (md5_text != NULL)
    {
      md5 = md5_of (bits, size);
      if (!parse_md5_hex (md5_text, want) || strlen (md5_text) != 32 ||
          strcmp (md5, want) != 0)
        {
          x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CHECKSUM,
                         "%s checksum does not match main.xml", link);
          return FALSE;
        }
    }
  else
    note_unverified (surface, link);

  /* ISO 5436-2 (as openGPS implements it): bit i % 8 of byte i / 8, 1 = valid. */
  for (gsize i = 0; i < n; i++)
    if (!((bits[i >> 3] >> (i & 7)) & 1))
      data[i] = NAN;
  return TRUE;
}

static inline guint32
rgb_at (const guint8 *rgba,
        gsize         i)
{
  return ((guint32)rgba[4 * i] << 16) | ((guint32)rgba[4 * i + 1] << 8) | rgba[4 * i + 2];
}

static gboolean
apply_mask_png (X3pArchive  *ar,
                X3pParser   *parser,
                TmSurface   *surface,
                GError     **error)
{
  guint width = tm_surface_get_width (surface);
  guint height = tm_surface_get_height (surface);
  gsize n = (gsize)width * height;
  g_autofree guint8 *png = NULL;
  g_autofree guint8 *rgba = NULL;
  g_autofree guint8 *keep = NULL;
  g_autofree char *png_name = NULL;
  const char *background_text = field (parser, "Record3/Mask/Background");
  guint32 background = X3P_MASK_BACKGROUND;
  guint mask_width = 0, mask_height = 0;
  g_autoptr(GError) local_error = NULL;
  gboolean found = FALSE;
  gsize len = 0;

  /* A PNG holds at most about its raw pixels plus headers; more is not a mask. */
  png = archive_read_bounded (ar, X3P_MASK_FILE, (guint64)n * 4 + 1024 * 1024, &found, &len,
                              &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!found)
    return TRUE;
  if (background_text != NULL && !parse_background (background_text, &background))
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "the mask background colour “%s” is not of the form #rrggbb",
                     background_text);
      return FALSE;
    }

  png_name = g_strdup_printf ("%s: %s", ar->display_name, X3P_MASK_FILE);
  rgba = tm_png_decode_rgba (png, len, png_name, &mask_width, &mask_height, error);
  if (rgba == NULL)
    return FALSE;
  if (mask_width != width || mask_height != height)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "%s is %u × %u pixels but the surface is %u × %u points",
                     X3P_MASK_FILE, mask_width, mask_height, width, height);
      return FALSE;
    }

  /* Without a declared Background, a mask that holds no pixel of x3ptools' default
   * colour is read as a binary mask: black is outside, every other colour inside. The
   * TopMatch raw scans carry such a black-and-white mask (white = breech face), and
   * their processed versions are cropped to exactly the white region. */
  if (background_text == NULL)
    {
      gboolean has_default = FALSE;

      for (gsize i = 0; i < n && !has_default; i++)
        has_default = rgb_at (rgba, i) == X3P_MASK_BACKGROUND;
      if (!has_default)
        background = 0x000000;
    }

  /* Row r of the image is matrix row y = r, as x3ptools writes it. Only the colour
   * decides; x3ptools writes the mask opaque. */
  keep = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    keep[i] = rgb_at (rgba, i) != background;
  tm_surface_apply_mask (surface, keep);
  return TRUE;
}

static gboolean
read_point_data (X3pArchive  *ar,
                 X3pParser   *parser,
                 TmSurface   *surface,
                 X3pDataType  type,
                 double       z_increment,
                 double       z_offset,
                 double       to_um,
                 GError     **error)
{
  const char *link = field (parser, "Record3/DataLink/PointDataLink");
  const char *md5_text = field (parser, "Record3/DataLink/MD5ChecksumPointData");
  gsize n = (gsize)tm_surface_get_width (surface) * tm_surface_get_height (surface);
  gsize type_size = x3p_type_size (type);
  guint64 expected = (guint64)n * type_size;
  g_autofree guint8 *bytes = NULL;
  g_autofree char *md5 = NULL;
  float *data = tm_surface_get_data (surface);
  g_autoptr(GError) local_error = NULL;
  zip_uint64_t entry_index;
  guint64 size;
  char want[33];

  if (link == NULL || *link == '\0')
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "main.xml has neither a DataLink/PointDataLink nor a DataList");
      return FALSE;
    }
  if (!archive_stat (ar, link, &entry_index, &size, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                       "main.xml links the point data %s but the archive has no such file",
                       link);
      return FALSE;
    }
  /* Checked from the central directory, before a byte is inflated: a zip bomb that
   * declares gigabytes is refused here. */
  if (size > X3P_DATA_MAX)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_TOO_LARGE,
                     "%s declares %" G_GUINT64_FORMAT " bytes, more than any accepted "
                     "surface needs (the %u × %u %s matrix needs %" G_GUINT64_FORMAT ")",
                     link, size, tm_surface_get_width (surface),
                     tm_surface_get_height (surface), x3p_type_name (type), expected);
      return FALSE;
    }
  if (size != expected)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "%s holds %" G_GUINT64_FORMAT " bytes but the %u × %u %s matrix of "
                     "main.xml needs %" G_GUINT64_FORMAT,
                     link, size, tm_surface_get_width (surface),
                     tm_surface_get_height (surface), x3p_type_name (type), expected);
      return FALSE;
    }

  bytes = archive_read (ar, entry_index, link, size, error);
  if (bytes == NULL)
    return FALSE;

  if (md5_text != NULL)
    {
      md5 = md5_of (bytes, size);
      if (!parse_md5_hex (md5_text, want) || strlen (md5_text) != 32 ||
          strcmp (md5, want) != 0)
        {
          x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CHECKSUM,
                         "%s checksum does not match main.xml", link);
          return FALSE;
        }
    }
  else
    note_unverified (surface, link);

  for (gsize i = 0; i < n; i++)
    data[i] = (float)(decode_sample (bytes + i * type_size, type, z_increment, z_offset) *
                      to_um);
  return TRUE;
}

static gboolean
verify_main_checksum (X3pArchive    *ar,
                      const char    *checksum_name,
                      const guint8  *xml,
                      gsize          xml_len,
                      gboolean      *out_found,
                      GError       **error)
{
  g_autofree guint8 *hex = NULL;
  g_autofree char *md5 = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  char want[33];

  hex = archive_read_bounded (ar, checksum_name, X3P_CHECKSUM_MAX, out_found, &len,
                              &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!*out_found)
    return TRUE;
  /* md5sum writes "<32 hex digits> *main.xml"; many writers only the digits and a
   * newline. Only the first 32 characters matter. */
  if (len < 32 || !parse_md5_hex ((const char *)hex, want))
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CHECKSUM,
                     "%s does not start with a 32-digit MD5 checksum", checksum_name);
      return FALSE;
    }
  md5 = md5_of (xml, xml_len);
  if (strcmp (md5, want) != 0)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CHECKSUM,
                     "main.xml checksum does not match %s", checksum_name);
      return FALSE;
    }
  return TRUE;
}

static TmSurface *
read_archive (X3pArchive  *ar,
              GError     **error)
{
  g_auto(X3pParser) parser = { 0 };
  g_autoptr(TmSurface) surface = NULL;
  g_autofree guint8 *xml = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *text;
  const char *checksum_name;
  gboolean found = FALSE, checksum_found = FALSE, micrometres;
  gsize xml_len = 0;
  guint64 nx, ny, nz;
  double inc_x, inc_y, raw_inc_x, z_increment = 1.0, z_offset = 0.0;
  X3pDataType type;

  xml = archive_read_bounded (ar, X3P_MAIN_XML, TM_X3P_MAIN_XML_MAX, &found, &xml_len,
                              &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!found)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_UNKNOWN_FORMAT,
                     "a zip archive without main.xml, not an X3P file");
      return NULL;
    }

  /* Verify main.xml before trusting a word of it, so that an edited file is reported
   * as such rather than as whatever the edit broke. */
  if (!verify_main_checksum (ar, X3P_CHECKSUM_FILE, xml, xml_len, &checksum_found, error))
    return NULL;

  parser.display_name = ar->display_name;
  parser.path = g_string_new (NULL);
  parser.text = g_string_new (NULL);
  parser.path_lens = g_array_new (FALSE, FALSE, sizeof (gsize));
  parser.fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!parse_main_xml (&parser, xml, xml_len, error))
    return NULL;

  checksum_name = field (&parser, "Record4/ChecksumFile");
  if (!checksum_found && checksum_name != NULL && strcmp (checksum_name, X3P_CHECKSUM_FILE) != 0)
    {
      if (!verify_main_checksum (ar, checksum_name, xml, xml_len, &checksum_found, error))
        return NULL;
    }

  /* Record1 */
  text = field (&parser, "Record1/Revision");
  if (g_strcmp0 (text, "ISO5436 - 2000") != 0 && g_strcmp0 (text, "ISO5436-2000") != 0)
    {
      if (text == NULL)
        x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                       "main.xml has no Record1/Revision");
      else
        x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_UNSUPPORTED,
                       "revision “%s” of ISO 5436-2 is not supported (expected "
                       "“ISO5436 - 2000”)", text);
      return NULL;
    }
  text = field (&parser, "Record1/FeatureType");
  if (g_strcmp0 (text, "PRF") == 0 || g_strcmp0 (text, "PCL") == 0)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_UNSUPPORTED,
                     "the file holds a %s (FeatureType %s); Toolmark reads areal surfaces "
                     "(FeatureType SUR) only",
                     strcmp (text, "PRF") == 0 ? "profile" : "point cloud", text);
      return NULL;
    }
  if (g_strcmp0 (text, "SUR") != 0)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "main.xml has no valid Record1/FeatureType (found “%s”)",
                     text != NULL ? text : "");
      return NULL;
    }
  if (!check_axis_type (&parser, "CX", "I", error) ||
      !check_axis_type (&parser, "CY", "I", error) ||
      !check_axis_type (&parser, "CZ", "A", error))
    return NULL;

  text = field (&parser, "Record1/Axes/CZ/DataType");
  if (!x3p_type_from_code (text, &type))
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                     "the CZ axis has no valid DataType (I, L, F or D; found “%s”)",
                     text != NULL ? text : "");
      return NULL;
    }

  /* Units: decided on the x increment, then both axes must agree. */
  text = field (&parser, "Record1/Axes/CX/Increment");
  if (text == NULL || !parse_double (text, &raw_inc_x) || !isfinite (raw_inc_x) ||
      raw_inc_x <= 0)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_UNITS,
                     "the CX increment “%s” is not a positive finite pixel size",
                     text != NULL ? text : "");
      return NULL;
    }
  micrometres = raw_inc_x > X3P_METRE_INCREMENT_MAX;
  if (!read_increment (&parser, "CX", micrometres, &inc_x, error) ||
      !read_increment (&parser, "CY", micrometres, &inc_y, error))
    return NULL;
  if (inc_y > 10 * inc_x || inc_x > 10 * inc_y || inc_x > 1e4)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_UNITS,
                     "implausible pixel size %g × %g µm (are the x and y increments in "
                     "the same unit?)", inc_x, inc_y);
      return NULL;
    }

  /* The z scale applies to integer samples only (ISO 5436-2: Zreal = offset + int × inc). */
  if (type == X3P_TYPE_INT16 || type == X3P_TYPE_INT32)
    {
      text = field (&parser, "Record1/Axes/CZ/Increment");
      if (text != NULL && (!parse_double (text, &z_increment) || !isfinite (z_increment) ||
                           z_increment == 0))
        {
          x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_UNITS,
                         "the CZ increment “%s” is not a finite non-zero number", text);
          return NULL;
        }
      text = field (&parser, "Record1/Axes/CZ/Offset");
      if (text != NULL && (!parse_double (text, &z_offset) || !isfinite (z_offset)))
        {
          x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_UNITS,
                         "the CZ offset “%s” is not a finite number", text);
          return NULL;
        }
    }

  /* Record3 */
  if (field (&parser, "Record3/ListDimension") != NULL)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_UNSUPPORTED,
                     "the file holds an unordered point list (ListDimension); Toolmark "
                     "reads matrices only");
      return NULL;
    }
  if (!parse_size (&parser, "SizeX", &nx, error) ||
      !parse_size (&parser, "SizeY", &ny, error) ||
      !parse_size (&parser, "SizeZ", &nz, error))
    return NULL;
  if (nx == 0 || ny == 0)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_NO_DATA,
                     "the matrix is empty (%" G_GUINT64_FORMAT " × %" G_GUINT64_FORMAT ")",
                     nx, ny);
      return NULL;
    }
  if (nx > TM_SURFACE_MAX_SIDE || ny > TM_SURFACE_MAX_SIDE ||
      nx * ny > TM_SURFACE_MAX_SAMPLES)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_TOO_LARGE,
                     "%" G_GUINT64_FORMAT " × %" G_GUINT64_FORMAT
                     " points exceeds the %d × %d limit",
                     nx, ny, TM_SURFACE_MAX_SIDE, TM_SURFACE_MAX_SIDE);
      return NULL;
    }
  if (nz != 1)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_UNSUPPORTED,
                     "the matrix has %" G_GUINT64_FORMAT " layers (SizeZ); Toolmark reads "
                     "single-layer surfaces only", nz);
      return NULL;
    }

  surface = tm_surface_new ((guint)nx, (guint)ny, inc_x, inc_y, TM_MODALITY_3D);
  if (surface == NULL)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_TOO_LARGE,
                     "not enough memory for a %" G_GUINT64_FORMAT " × %" G_GUINT64_FORMAT
                     " surface", nx, ny);
      return NULL;
    }

  if (parser.datums != NULL)
    {
      float *data = tm_surface_get_data (surface);
      double to_um = micrometres ? 1.0 : 1e6;

      if (parser.datums->len != nx * ny)
        {
          x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_CORRUPT,
                         "the DataList holds %u points but the matrix has %"
                         G_GUINT64_FORMAT, parser.datums->len, nx * ny);
          return NULL;
        }
      for (guint i = 0; i < parser.datums->len; i++)
        {
          double v = g_array_index (parser.datums, double, i);

          if (type == X3P_TYPE_INT16 || type == X3P_TYPE_INT32)
            v = z_offset + z_increment * v;
          data[i] = (float)(v * to_um);
        }
    }
  else if (!read_point_data (ar, &parser, surface, type, z_increment, z_offset,
                             micrometres ? 1.0 : 1e6, error))
    return NULL;

  if (!apply_valid_bits (ar, &parser, surface, error))
    return NULL;
  tm_surface_sync_mask (surface);
  if (!apply_mask_png (ar, &parser, surface, error))
    return NULL;

  if (tm_surface_count_valid (surface) == 0)
    {
      x3p_set_error (error, ar->display_name, TM_FORMAT_ERROR_NO_DATA,
                     "the surface has no valid point (every sample is missing or NaN)");
      return NULL;
    }

  if (!checksum_found)
    note_unverified (surface, X3P_MAIN_XML);
  for (guint i = 0; i < G_N_ELEMENTS (record2_fields); i++)
    {
      text = field (&parser, record2_fields[i].path);
      if (text != NULL && *text != '\0')
        tm_surface_set_meta (surface, record2_fields[i].key, text);
    }
  tm_surface_set_meta (surface, TM_META_SOURCE_FORMAT, "x3p");
  tm_surface_set_meta (surface, TM_META_SOURCE_UNITS, micrometres ? "um" : "m");
  tm_surface_set_meta (surface, TM_META_SOURCE_DATA_TYPE, x3p_type_code (type));

  return g_steal_pointer (&surface);
}

/**
 * tm_x3p_read_bytes:
 * @bytes: the whole X3P file
 * @display_name: the name used in error messages (usually the base name)
 *
 * Reads an areal surface (FeatureType SUR) into µm heights. See the file comment for
 * what is verified and refused.
 *
 * Returns: (transfer full): the surface, or %NULL with @error in %TM_FORMAT_ERROR set
 */
TmSurface *
tm_x3p_read_bytes (GBytes      *bytes,
                   const char  *display_name,
                   GError     **error)
{
  X3pArchive ar = { NULL, display_name };
  TmSurface *surface;
  zip_source_t *source;
  zip_error_t zerror;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      x3p_set_error (error, display_name, TM_FORMAT_ERROR_CORRUPT, "the file is empty");
      return NULL;
    }

  zip_error_init (&zerror);
  source = zip_source_buffer_create (data, len, 0, &zerror);
  if (source == NULL)
    {
      x3p_set_error (error, display_name, TM_FORMAT_ERROR_IO,
                     "cannot read the file from memory (%s)", zip_error_strerror (&zerror));
      zip_error_fini (&zerror);
      return NULL;
    }
  /* CHECKCONS cross-checks the central directory against the local headers, so a
   * truncated or spliced archive is caught before any entry is read. */
  ar.archive = zip_open_from_source (source, ZIP_RDONLY | ZIP_CHECKCONS, &zerror);
  if (ar.archive == NULL)
    {
      zip_source_free (source);
      x3p_set_error (error, display_name, TM_FORMAT_ERROR_CORRUPT,
                     "not a readable X3P (zip) archive: %s; the file may be truncated or "
                     "damaged", zip_error_strerror (&zerror));
      zip_error_fini (&zerror);
      return NULL;
    }
  zip_error_fini (&zerror);

  surface = read_archive (&ar, error);
  zip_discard (ar.archive);
  return surface;
}

TmSurface *
tm_x3p_read_file (const char  *path,
                  GError     **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display_name = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  display_name = g_path_get_basename (path);
  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      x3p_set_error (error, display_name, TM_FORMAT_ERROR_IO, "%s", local_error->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  return tm_x3p_read_bytes (bytes, display_name, error);
}

/* ---- writing ----------------------------------------------------------------------- */

/* The shortest decimal text that reads back as @value, with its decimal exponent moved
 * by @shift: format_shifted (6.25, -6) = "6.25e-6". The reader shifts it back in the
 * text (parse_double_shifted), so the pixel size survives a round trip bit for bit. */
static char *
format_shifted (double value,
                int    shift)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];
  char *e;
  gint64 exponent;
  double check;

  /* 17 significant digits always round-trip; try fewer first for readable files. */
  for (int precision = 0; precision <= 16; precision++)
    {
      g_snprintf (format, sizeof format, "%%.%de", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (parse_double (buf, &check) && check == value)
        break;
    }
  e = strchr (buf, 'e');
  g_assert (e != NULL);
  exponent = g_ascii_strtoll (e + 1, NULL, 10);
  *e = '\0';
  /* Drop trailing zeros of the mantissa: "6.250000000000000" → "6.25". */
  if (strchr (buf, '.') != NULL)
    {
      gsize l = strlen (buf);

      while (l > 0 && buf[l - 1] == '0')
        buf[--l] = '\0';
      if (l > 0 && buf[l - 1] == '.')
        buf[--l] = '\0';
    }
  return g_strdup_printf ("%se%" G_GINT64_FORMAT, buf, exponent + shift);
}

/* Text for an XML element: valid UTF-8, no control characters XML 1.0 forbids. */
static char *
sanitize_text (const char *value)
{
  char *text = g_utf8_make_valid (value, -1);

  for (char *p = text; *p != '\0'; p++)
    if ((guchar)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
      *p = ' ';
  return text;
}

/* The metadata value, or @fallback when it is missing or blank. */
static const char *
meta_or (TmSurface  *surface,
         const char *key,
         const char *fallback)
{
  const char *value = tm_surface_get_meta (surface, key);

  if (value != NULL)
    for (const char *p = value; *p != '\0'; p++)
      if (!g_ascii_isspace (*p))
        return value;
  return fallback;
}

/* An xsd:dateTime for @value: kept as written when it already is one, completed when it
 * is a bare date (TopMatch writes CalibrationDate as "2021-08-05"), reformatted when it
 * is another ISO 8601 form, @fallback otherwise. */
static char *
xsd_datetime (const char *value,
              const char *fallback)
{
  static GRegex *datetime_re = NULL;
  static GRegex *date_re = NULL;
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *candidate = NULL;

  if (g_once_init_enter (&datetime_re))
    {
      date_re = g_regex_new ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", 0, 0, NULL);
      g_once_init_leave (&datetime_re,
                         g_regex_new ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                                      "(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$", 0, 0, NULL));
    }
  if (value == NULL)
    return g_strdup (fallback);

  candidate = g_strstrip (g_strdup (value));
  if (g_regex_match (date_re, candidate, 0, NULL))
    {
      char *completed = g_strconcat (candidate, "T00:00:00", NULL);

      g_free (candidate);
      candidate = completed;
    }
  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (candidate, utc);
  if (dt == NULL)
    return g_strdup (fallback);
  if (g_regex_match (datetime_re, candidate, 0, NULL))
    return g_steal_pointer (&candidate);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S%:z");
}

static char *
build_main_xml (TmSurface  *surface,
                const char *data_md5)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z");
  g_autofree char *inc_x = format_shifted (tm_surface_get_pixel_um_x (surface), -6);
  g_autofree char *inc_y = format_shifted (tm_surface_get_pixel_um_y (surface), -6);
  g_autofree char *date = xsd_datetime (tm_surface_get_meta (surface, TM_META_DATE), now_text);
  /* The schema requires a calibration date. When the source gave none we write the Unix
   * epoch, which no real calibration has, rather than invent a plausible one. */
  g_autofree char *calibration =
    xsd_datetime (tm_surface_get_meta (surface, TM_META_CALIBRATION_DATE),
                  "1970-01-01T00:00:00Z");
  const char *probing = tm_surface_get_meta (surface, TM_META_PROBING_TYPE);
  const char *comment = tm_surface_get_meta (surface, TM_META_COMMENT);
  g_autofree char *creator = sanitize_text (meta_or (surface, TM_META_CREATOR, "Toolmark"));
  g_autofree char *manufacturer =
    sanitize_text (meta_or (surface, TM_META_INSTRUMENT_MANUFACTURER, "unknown"));
  g_autofree char *model = sanitize_text (meta_or (surface, TM_META_INSTRUMENT_MODEL, "unknown"));
  g_autofree char *serial = sanitize_text (meta_or (surface, TM_META_INSTRUMENT_SERIAL, "unknown"));
  g_autofree char *version =
    sanitize_text (meta_or (surface, TM_META_INSTRUMENT_VERSION, "unknown"));
  g_autofree char *identification =
    sanitize_text (meta_or (surface, TM_META_PROBING_IDENTIFICATION, "unknown"));
  g_autofree char *comment_text = comment != NULL ? sanitize_text (comment) : NULL;
  GString *xml = g_string_new (NULL);
  char *part;

  /* The schema allows three probing types only; an unknown one is written as
   * "Software": the file was produced by software that did not know the probe. */
  if (g_strcmp0 (probing, "Contacting") != 0 && g_strcmp0 (probing, "NonContacting") != 0 &&
      g_strcmp0 (probing, "Software") != 0)
    probing = "Software";

  g_string_append (xml,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<p:ISO5436_2 xmlns:p=\"" X3P_NAMESPACE "\" "
                   "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                   "xsi:schemaLocation=\"" X3P_NAMESPACE " " X3P_NAMESPACE "/ISO5436_2.xsd\">\n"
                   "  <Record1>\n"
                   "    <Revision>ISO5436 - 2000</Revision>\n"
                   "    <FeatureType>SUR</FeatureType>\n"
                   "    <Axes>\n");
  g_string_append_printf (xml,
                          "      <CX>\n"
                          "        <AxisType>I</AxisType>\n"
                          "        <DataType>D</DataType>\n"
                          "        <Increment>%s</Increment>\n"
                          "        <Offset>0</Offset>\n"
                          "      </CX>\n"
                          "      <CY>\n"
                          "        <AxisType>I</AxisType>\n"
                          "        <DataType>D</DataType>\n"
                          "        <Increment>%s</Increment>\n"
                          "        <Offset>0</Offset>\n"
                          "      </CY>\n",
                          inc_x, inc_y);
  g_string_append (xml,
                   "      <CZ>\n"
                   "        <AxisType>A</AxisType>\n"
                   "        <DataType>D</DataType>\n"
                   "        <Increment>1</Increment>\n"
                   "        <Offset>0</Offset>\n"
                   "      </CZ>\n"
                   "    </Axes>\n"
                   "  </Record1>\n");

  part = g_markup_printf_escaped ("  <Record2>\n"
                                  "    <Date>%s</Date>\n"
                                  "    <Creator>%s</Creator>\n"
                                  "    <Instrument>\n"
                                  "      <Manufacturer>%s</Manufacturer>\n"
                                  "      <Model>%s</Model>\n"
                                  "      <Serial>%s</Serial>\n"
                                  "      <Version>%s</Version>\n"
                                  "    </Instrument>\n"
                                  "    <CalibrationDate>%s</CalibrationDate>\n"
                                  "    <ProbingSystem>\n"
                                  "      <Type>%s</Type>\n"
                                  "      <Identification>%s</Identification>\n"
                                  "    </ProbingSystem>\n",
                                  date, creator, manufacturer, model, serial, version,
                                  calibration, probing, identification);
  g_string_append (xml, part);
  g_free (part);
  if (comment_text != NULL)
    {
      part = g_markup_printf_escaped ("    <Comment>%s</Comment>\n", comment_text);
      g_string_append (xml, part);
      g_free (part);
    }
  g_string_append (xml, "  </Record2>\n");

  g_string_append_printf (xml,
                          "  <Record3>\n"
                          "    <MatrixDimension>\n"
                          "      <SizeX>%u</SizeX>\n"
                          "      <SizeY>%u</SizeY>\n"
                          "      <SizeZ>1</SizeZ>\n"
                          "    </MatrixDimension>\n"
                          "    <DataLink>\n"
                          "      <PointDataLink>" X3P_DATA_FILE "</PointDataLink>\n"
                          "      <MD5ChecksumPointData>%s</MD5ChecksumPointData>\n"
                          "    </DataLink>\n"
                          "  </Record3>\n"
                          "  <Record4>\n"
                          "    <ChecksumFile>" X3P_CHECKSUM_FILE "</ChecksumFile>\n"
                          "  </Record4>\n"
                          "</p:ISO5436_2>\n",
                          tm_surface_get_width (surface), tm_surface_get_height (surface),
                          data_md5);
  return g_string_free (xml, FALSE);
}

static gboolean
add_buffer (zip_t        *archive,
            const char   *name,
            const void   *data,
            gsize         len)
{
  zip_source_t *source = zip_source_buffer (archive, data, len, 0);

  if (source == NULL)
    return FALSE;
  if (zip_file_add (archive, name, source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0)
    {
      zip_source_free (source);
      return FALSE;
    }
  return TRUE;
}

/**
 * tm_x3p_write_bytes:
 *
 * Writes @surface as an X3P file conforming to the ISO 5436-2 schema: heights in metres
 * as float64 (invalid points NaN), Record2 from the surface metadata with defaults for
 * what is missing, and both MD5 checksums.
 *
 * Returns: (transfer full): the file's bytes, or %NULL with @error set
 */
GBytes *
tm_x3p_write_bytes (TmSurface  *surface,
                    GError    **error)
{
  g_autofree guint8 *data_bin = NULL;
  g_autofree char *data_md5 = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *checksum_line = NULL;
  g_autofree char *xml_md5 = NULL;
  g_autofree guint8 *out = NULL;
  const float *data;
  const guint8 *mask;
  zip_source_t *sink;
  zip_t *archive;
  zip_error_t zerror;
  zip_int64_t size = -1;
  gsize n;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = (gsize)tm_surface_get_width (surface) * tm_surface_get_height (surface);
  data = tm_surface_peek_data (surface);
  mask = tm_surface_peek_mask (surface);
  data_bin = g_try_malloc (n * 8);
  if (data_bin == NULL)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
                   "not enough memory to write a %u × %u X3P file",
                   tm_surface_get_width (surface), tm_surface_get_height (surface));
      return NULL;
    }
  for (gsize i = 0; i < n; i++)
    {
      /* µm → m by an exact division: float → double → float reads back bit-identically. */
      double metres = mask[i] ? (double)data[i] / 1e6 : NAN;
      guint64 bits;

      memcpy (&bits, &metres, 8);
      bits = GUINT64_TO_LE (bits);
      memcpy (data_bin + 8 * i, &bits, 8);
    }
  data_md5 = md5_of (data_bin, n * 8);
  xml = build_main_xml (surface, data_md5);
  xml_md5 = md5_of ((const guint8 *)xml, strlen (xml));
  /* The format of `md5sum main.xml`, as the schema's Record4 documentation asks. */
  checksum_line = g_strdup_printf ("%s *" X3P_MAIN_XML "\n", xml_md5);

  zip_error_init (&zerror);
  sink = zip_source_buffer_create (NULL, 0, 0, &zerror);
  if (sink == NULL)
    goto zip_failed;
  zip_source_keep (sink);
  archive = zip_open_from_source (sink, ZIP_TRUNCATE, &zerror);
  if (archive == NULL)
    {
      zip_source_free (sink);
      goto zip_failed;
    }
  if (zip_dir_add (archive, "bindata", ZIP_FL_ENC_UTF_8) < 0 ||
      !add_buffer (archive, X3P_MAIN_XML, xml, strlen (xml)) ||
      !add_buffer (archive, X3P_DATA_FILE, data_bin, n * 8) ||
      !add_buffer (archive, X3P_CHECKSUM_FILE, checksum_line, strlen (checksum_line)) ||
      zip_close (archive) != 0)
    {
      zip_error_set (&zerror, zip_error_code_zip (zip_get_error (archive)),
                     zip_error_code_system (zip_get_error (archive)));
      zip_discard (archive);
      zip_source_free (sink);
      goto zip_failed;
    }

  if (zip_source_open (sink) == 0)
    {
      if (zip_source_seek (sink, 0, SEEK_END) == 0)
        size = zip_source_tell (sink);
      if (size >= 0 && zip_source_seek (sink, 0, SEEK_SET) == 0)
        {
          out = g_try_malloc (MAX (size, 1));
          if (out == NULL || zip_source_read (sink, out, size) != size)
            size = -1;
        }
      zip_source_close (sink);
    }
  if (size < 0)
    {
      zip_error_set (&zerror, ZIP_ER_MEMORY, 0);
      zip_source_free (sink);
      goto zip_failed;
    }
  zip_source_free (sink);
  zip_error_fini (&zerror);
  return g_bytes_new_take (g_steal_pointer (&out), size);

zip_failed:
  g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO,
               "cannot build the X3P archive: %s", zip_error_strerror (&zerror));
  zip_error_fini (&zerror);
  return NULL;
}

gboolean
tm_x3p_write_file (TmSurface   *surface,
                   const char  *path,
                   GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display_name = NULL;
  gconstpointer data;
  gsize len;

  g_return_val_if_fail (TM_IS_SURFACE (surface), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  display_name = g_path_get_basename (path);
  bytes = tm_x3p_write_bytes (surface, &local_error);
  if (bytes == NULL)
    {
      x3p_set_error (error, display_name, local_error->code, "%s", local_error->message);
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &len);
  if (!g_file_set_contents (path, data, len, &local_error))
    {
      x3p_set_error (error, display_name, TM_FORMAT_ERROR_IO, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}
