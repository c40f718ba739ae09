/* tm-manifest.c — per-file case data for a batch import, from a CSV file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Intake sheets come out of spreadsheets and research repositories, so the parser is
 * strict about structure (a ragged row is an error naming its line: silently shifted
 * columns would put data in the wrong case) and lenient about naming (aliases, extra
 * columns ignored).
 */
#define G_LOG_DOMAIN "tm-manifest"

#include "config.h"

#include <stddef.h>
#include <string.h>

#include "tm-manifest.h"

struct _TmManifest
{
  GObject     parent_instance;

  GPtrArray  *paths;        /* char *, absolute */
  GPtrArray  *rows;         /* TmCaseData * */
  GHashTable *by_path;      /* path → row index + 1 */
  GHashTable *by_basename;  /* base name → row index + 1, or 0 when ambiguous */
  GStrv       ignored;
};

G_DEFINE_FINAL_TYPE (TmManifest, tm_manifest, G_TYPE_OBJECT)

G_DEFINE_QUARK (tm-manifest-error-quark, tm_manifest_error)

#define FILE_COLUMN ((gssize)-1)

static const struct
{
  const char *name;
  gssize      offset;
} columns[] = {
  { "file", FILE_COLUMN },
  { "path", FILE_COLUMN },
  { "filename", FILE_COLUMN },
  { "file_name", FILE_COLUMN },
  { "case", offsetof (TmCaseData, case_number) },
  { "case_number", offsetof (TmCaseData, case_number) },
  { "agency_case_number", offsetof (TmCaseData, case_number) },
  { "lab_case", offsetof (TmCaseData, lab_case_number) },
  { "lab_case_number", offsetof (TmCaseData, lab_case_number) },
  { "agency", offsetof (TmCaseData, agency) },
  { "incident_date", offsetof (TmCaseData, incident_date) },
  { "offense", offsetof (TmCaseData, offense) },
  { "offence", offsetof (TmCaseData, offense) },
  { "location", offsetof (TmCaseData, location) },
  { "exhibit", offsetof (TmCaseData, exhibit) },
  { "item", offsetof (TmCaseData, exhibit) },
  { "item_number", offsetof (TmCaseData, exhibit) },
  { "kind", offsetof (TmCaseData, kind) },
  { "evidence", offsetof (TmCaseData, kind) },
  { "region", offsetof (TmCaseData, region) },
  { "roi", offsetof (TmCaseData, region) },
  { "firearm_make", offsetof (TmCaseData, firearm_make) },
  { "make", offsetof (TmCaseData, firearm_make) },
  { "firearm_model", offsetof (TmCaseData, firearm_model) },
  { "model", offsetof (TmCaseData, firearm_model) },
  { "firearm_serial", offsetof (TmCaseData, firearm_serial) },
  { "serial", offsetof (TmCaseData, firearm_serial) },
  { "serial_number", offsetof (TmCaseData, firearm_serial) },
  { "calibre", offsetof (TmCaseData, calibre) },
  { "caliber", offsetof (TmCaseData, calibre) },
  { "firing_pin_type", offsetof (TmCaseData, firing_pin_type) },
  { "firing_pin_shape", offsetof (TmCaseData, firing_pin_shape) },
  { "breech_face_class", offsetof (TmCaseData, breech_face_class) },
  { "microstamp", offsetof (TmCaseData, microstamp_firing_pin) },
  { "microstamp_firing_pin", offsetof (TmCaseData, microstamp_firing_pin) },
  { "microstamp_breech_face", offsetof (TmCaseData, microstamp_breech_face) },
  { "instrument", offsetof (TmCaseData, instrument) },
};

static void
tm_manifest_finalize (GObject *object)
{
  TmManifest *self = (TmManifest *)object;

  g_clear_pointer (&self->paths, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->by_path, g_hash_table_unref);
  g_clear_pointer (&self->by_basename, g_hash_table_unref);
  g_clear_pointer (&self->ignored, g_strfreev);

  G_OBJECT_CLASS (tm_manifest_parent_class)->finalize (object);
}

static void
tm_manifest_class_init (TmManifestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tm_manifest_finalize;
}

static void
tm_manifest_init (TmManifest *self)
{
  self->paths = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_case_data_free);
  self->by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->by_basename = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Splits CSV text into records of fields. Returns FALSE on an unterminated quote or a
 * stray quote inside an unquoted field; *out_line then names the record's first line. */
static gboolean
parse_csv (const char  *text,
           gsize        length,
           GPtrArray   *records,     /* of GPtrArray of char * */
           GArray      *lines,       /* guint: the line each record starts on */
           guint       *out_line,
           const char **out_what)
{
  const char *p = text;
  const char *end = text + length;
  guint line = 1;

  /* A UTF-8 BOM, as spreadsheet programs write. */
  if (length >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
    p += 3;

  while (p < end)
    {
      g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
      guint start_line = line;
      gboolean record_done = FALSE;

      while (!record_done)
        {
          GString *field = g_string_new (NULL);

          if (p < end && *p == '"')
            {
              p++;
              for (;;)
                {
                  if (p >= end)
                    {
                      g_string_free (field, TRUE);
                      *out_line = start_line;
                      *out_what = "a quoted field is not closed";
                      return FALSE;
                    }
                  if (*p == '"' && p + 1 < end && p[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      p += 2;
                    }
                  else if (*p == '"')
                    {
                      p++;
                      break;
                    }
                  else
                    {
                      if (*p == '\n')
                        line++;
                      g_string_append_c (field, *p++);
                    }
                }
              if (p < end && *p != ',' && *p != '\n' && *p != '\r')
                {
                  g_string_free (field, TRUE);
                  *out_line = line;
                  *out_what = "text follows a closing quote";
                  return FALSE;
                }
            }
          else
            {
              while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                {
                  if (*p == '"')
                    {
                      g_string_free (field, TRUE);
                      *out_line = line;
                      *out_what = "a quote inside an unquoted field";
                      return FALSE;
                    }
                  g_string_append_c (field, *p++);
                }
            }

          g_ptr_array_add (fields, g_string_free (field, FALSE));

          if (p < end && *p == ',')
            p++;
          else
            {
              if (p < end && *p == '\r')
                p++;
              if (p < end && *p == '\n')
                p++;
              line++;
              record_done = TRUE;
            }
        }

      /* Blank lines (a single empty field) separate nothing; skip them. */
      if (fields->len == 1 && *(const char *)g_ptr_array_index (fields, 0) == '\0')
        continue;
      g_ptr_array_add (records, g_steal_pointer (&fields));
      g_array_append_val (lines, start_line);
    }
  return TRUE;
}

static char *
normalize_header (const char *name)
{
  char *key = g_ascii_strdown (name, -1);

  g_strstrip (key);
  g_strdelimit (key, " -.", '_');
  return key;
}

TmManifest *
tm_manifest_parse (const char  *text,
                   gsize        length,
                   const char  *display_name,
                   const char  *base_dir,
                   GError     **error)
{
  g_autoptr(TmManifest) self = NULL;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) map = NULL;
  g_autoptr(GStrvBuilder) ignored = g_strv_builder_new ();
  g_autofree char *cwd = NULL;
  GPtrArray *header;
  gssize file_col = -1;
  const char *what = NULL;
  guint bad_line = 0;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE,
                   "%s: not UTF-8 text (save the sheet as CSV UTF-8)", display_name);
      return NULL;
    }
  if (!parse_csv (text, length, records, lines, &bad_line, &what))
    {
      g_set_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE,
                   "%s: line %u: %s", display_name, bad_line, what);
      return NULL;
    }
  if (records->len == 0)
    {
      g_set_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE,
                   "%s: the manifest is empty (it needs a header line naming a \"file\" column)",
                   display_name);
      return NULL;
    }

  /* Column i of the file → offset into TmCaseData, FILE_COLUMN, or -2 (ignored). */
  header = g_ptr_array_index (records, 0);
  map = g_array_sized_new (FALSE, FALSE, sizeof (gssize), header->len);
  for (guint i = 0; i < header->len; i++)
    {
      g_autofree char *key = normalize_header (g_ptr_array_index (header, i));
      gssize target = -2;

      for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
        if (g_str_equal (key, columns[c].name))
          {
            target = columns[c].offset;
            break;
          }
      /* The same field twice (e.g. "case" and "case_number") would make one win silently. */
      for (guint j = 0; target != -2 && j < i; j++)
        if (g_array_index (map, gssize, j) == target)
          {
            g_set_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE,
                         "%s: columns %u and %u both give the %s", display_name, j + 1, i + 1,
                         (const char *)g_ptr_array_index (header, i));
            return NULL;
          }
      if (target == FILE_COLUMN)
        file_col = i;
      if (target == -2)
        g_strv_builder_add (ignored, g_ptr_array_index (header, i));
      g_array_append_val (map, target);
    }
  if (file_col < 0)
    {
      g_set_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE,
                   "%s: the header has no \"file\" column naming the scans", display_name);
      return NULL;
    }

  self = g_object_new (TM_TYPE_MANIFEST, NULL);
  self->ignored = g_strv_builder_end (ignored);
  cwd = g_get_current_dir ();
  if (base_dir == NULL)
    base_dir = cwd;

  for (guint r = 1; r < records->len; r++)
    {
      GPtrArray *fields = g_ptr_array_index (records, r);
      guint line = g_array_index (lines, guint, r);
      g_autoptr(TmCaseData) data = NULL;
      g_autofree char *path = NULL;
      g_autofree char *base = NULL;
      const char *file;
      gpointer existing;

      if (fields->len != header->len)
        {
          g_set_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE,
                       "%s: line %u has %u fields but the header has %u", display_name, line,
                       fields->len, header->len);
          return NULL;
        }
      file = g_ptr_array_index (fields, file_col);
      if (*file == '\0')
        {
          g_set_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_PARSE,
                       "%s: line %u: the file column is empty", display_name, line);
          return NULL;
        }

      data = tm_case_data_new ();
      for (guint i = 0; i < fields->len; i++)
        {
          gssize target = g_array_index (map, gssize, i);
          const char *value = g_ptr_array_index (fields, i);

          if (target >= 0 && *value != '\0')
            *(char **)((guint8 *)data + target) = g_strdup (value);
        }

      path = g_canonicalize_filename (file, base_dir);
      if (g_hash_table_lookup_extended (self->by_path, path, NULL, &existing))
        {
          g_set_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_DUPLICATE,
                       "%s: line %u lists %s a second time", display_name, line, file);
          return NULL;
        }
      g_hash_table_insert (self->by_path, g_strdup (path), GUINT_TO_POINTER (self->rows->len + 1));
      base = g_path_get_basename (path);
      if (g_hash_table_contains (self->by_basename, base))
        g_hash_table_insert (self->by_basename, g_steal_pointer (&base), GUINT_TO_POINTER (0));
      else
        g_hash_table_insert (self->by_basename, g_steal_pointer (&base),
                             GUINT_TO_POINTER (self->rows->len + 1));

      g_ptr_array_add (self->paths, g_steal_pointer (&path));
      g_ptr_array_add (self->rows, g_steal_pointer (&data));
    }

  return g_steal_pointer (&self);
}

TmManifest *
tm_manifest_load (const char  *path,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *abs_dir = NULL;
  g_autofree char *name = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &text, &length, &local_error))
    {
      g_set_error (error, TM_MANIFEST_ERROR, TM_MANIFEST_ERROR_IO,
                   "%s: cannot read the manifest: %s", path, local_error->message);
      return NULL;
    }
  dir = g_path_get_dirname (path);
  abs_dir = g_canonicalize_filename (dir, NULL);
  name = g_path_get_basename (path);
  return tm_manifest_parse (text, length, name, abs_dir, error);
}

guint
tm_manifest_get_n_rows (TmManifest *self)
{
  g_return_val_if_fail (TM_IS_MANIFEST (self), 0);
  return self->rows->len;
}

const char *
tm_manifest_get_path (TmManifest *self,
                      guint       index)
{
  g_return_val_if_fail (TM_IS_MANIFEST (self), NULL);
  g_return_val_if_fail (index < self->paths->len, NULL);
  return g_ptr_array_index (self->paths, index);
}

const TmCaseData *
tm_manifest_get_data (TmManifest *self,
                      guint       index)
{
  g_return_val_if_fail (TM_IS_MANIFEST (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);
  return g_ptr_array_index (self->rows, index);
}

const TmCaseData *
tm_manifest_lookup (TmManifest *self,
                    const char *path)
{
  g_autofree char *canonical = NULL;
  g_autofree char *base = NULL;
  guint index;

  g_return_val_if_fail (TM_IS_MANIFEST (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  canonical = g_canonicalize_filename (path, NULL);
  index = GPOINTER_TO_UINT (g_hash_table_lookup (self->by_path, canonical));
  if (index == 0)
    {
      /* The sheet was written elsewhere, or the files were moved: the name still
       * identifies the scan as long as it is unique. */
      base = g_path_get_basename (canonical);
      index = GPOINTER_TO_UINT (g_hash_table_lookup (self->by_basename, base));
    }
  return index > 0 ? g_ptr_array_index (self->rows, index - 1) : NULL;
}

const char * const *
tm_manifest_get_ignored_columns (TmManifest *self)
{
  g_return_val_if_fail (TM_IS_MANIFEST (self), NULL);
  return (const char * const *)self->ignored;
}
