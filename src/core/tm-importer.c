/* tm-importer.c — files into the store: read, check, keep the original, record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file is read once into memory; the surface is parsed from those bytes and the
 * very same bytes go into the blob store, so what was checked is what is kept (a file
 * changed on disk meanwhile cannot slip a different original in).
 */
#define G_LOG_DOMAIN "tm-importer"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "tm-format.h"
#include "tm-importer.h"
#include "tm-search.h"
#include "tm-signature.h"

struct _TmImporter
{
  GObject     parent_instance;

  TmStore    *store;
  char       *user;
  TmCaseData *defaults;
  TmManifest *manifest;
  double      pixel_um;
  TmPreprocessParams preprocess;
  char       *params_hash;
};

G_DEFINE_FINAL_TYPE (TmImporter, tm_importer, G_TYPE_OBJECT)

static void
tm_importer_finalize (GObject *object)
{
  TmImporter *self = (TmImporter *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->manifest);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->defaults, tm_case_data_free);
  g_clear_pointer (&self->params_hash, g_free);

  G_OBJECT_CLASS (tm_importer_parent_class)->finalize (object);
}

static void
tm_importer_class_init (TmImporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tm_importer_finalize;
}

static void
tm_importer_init (TmImporter *self)
{
  self->defaults = tm_case_data_new ();
  tm_preprocess_params_init (&self->preprocess);
  self->params_hash = tm_derived_params_hash (&self->preprocess);
}

TmImporter *
tm_importer_new (TmStore    *store,
                 const char *user)
{
  TmImporter *self;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);
  g_return_val_if_fail (user != NULL, NULL);

  self = g_object_new (TM_TYPE_IMPORTER, NULL);
  self->store = g_object_ref (store);
  self->user = g_strdup (user);
  return self;
}

void
tm_importer_set_defaults (TmImporter       *self,
                          const TmCaseData *defaults)
{
  g_return_if_fail (TM_IS_IMPORTER (self));

  g_clear_pointer (&self->defaults, tm_case_data_free);
  self->defaults = tm_case_data_copy (defaults);
}

void
tm_importer_set_manifest (TmImporter *self,
                          TmManifest *manifest)
{
  g_return_if_fail (TM_IS_IMPORTER (self));
  g_return_if_fail (manifest == NULL || TM_IS_MANIFEST (manifest));

  g_set_object (&self->manifest, manifest);
}

void
tm_importer_set_pixel_um (TmImporter *self,
                          double      pixel_um)
{
  g_return_if_fail (TM_IS_IMPORTER (self));
  g_return_if_fail (pixel_um >= 0);

  self->pixel_um = pixel_um;
}

void
tm_importer_set_preprocess (TmImporter               *self,
                            const TmPreprocessParams *params)
{
  g_return_if_fail (TM_IS_IMPORTER (self));
  g_return_if_fail (params != NULL);

  self->preprocess = *params;
  g_free (self->params_hash);
  self->params_hash = tm_derived_params_hash (params);
}

char *
tm_derived_params_hash (const TmPreprocessParams *params)
{
  g_autofree char *text = NULL;
  char pixel[G_ASCII_DTOSTR_BUF_SIZE], short_cutoff[G_ASCII_DTOSTR_BUF_SIZE];
  char long_cutoff[G_ASCII_DTOSTR_BUF_SIZE], erode[G_ASCII_DTOSTR_BUF_SIZE];
  char pin_margin[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (params != NULL, NULL);

  /* Fixed formats: the same parameters always give the same text on every machine.
   * g_ascii_formatd, not printf's %f: under a Spanish or French LC_NUMERIC printf
   * writes "6,250000", and every stored surface would then look stale. */
  g_ascii_formatd (pixel, sizeof pixel, "%.6f", params->pixel_um);
  g_ascii_formatd (short_cutoff, sizeof short_cutoff, "%.6f", params->short_cutoff_um);
  g_ascii_formatd (long_cutoff, sizeof long_cutoff, "%.6f", params->long_cutoff_um);
  g_ascii_formatd (erode, sizeof erode, "%.6f", params->erode_um);
  g_ascii_formatd (pin_margin, sizeof pin_margin, "%.6f", params->firing_pin_margin_um);
  text = g_strdup_printf ("preprocess mode=%d pixel=%s short=%s long=%s order=%d "
                          "erode=%s pin-margin=%s; signature version=%d dim=%d; "
                          "firing-pin band-passed=1",
                          (int)params->mode, pixel, short_cutoff, long_cutoff,
                          params->level_order, erode, pin_margin,
                          TM_SIGNATURE_VERSION, TM_SIGNATURE_DIM);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

void
tm_derived_clear (TmDerived *derived)
{
  g_clear_object (&derived->breech_face);
  g_clear_object (&derived->firing_pin);
  g_clear_pointer (&derived->signature, g_bytes_unref);
}

gboolean
tm_derived_compute (TmSurface                *surface,
                    const TmPreprocessParams *params,
                    TmDerived                *out,
                    GError                  **error)
{
  g_autoptr(TmSurface) prep = NULL;
  g_autoptr(TmSurface) pin = NULL;
  g_autofree float *signature = NULL;

  g_return_val_if_fail (TM_IS_SURFACE (surface), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  prep = tm_preprocess_surface (surface, params, NULL, &pin, error);
  if (prep == NULL)
    return FALSE;
  signature = tm_signature_compute (prep, error);
  if (signature == NULL)
    return FALSE;
  out->breech_face = g_steal_pointer (&prep);
  /* stored comparable: band-passed at the working pixel size like the breech face */
  out->firing_pin = pin != NULL ? tm_search_prepare_firing_pin (pin, params) : NULL;
  out->signature = tm_signature_to_bytes (signature);
  out->signature_version = TM_SIGNATURE_VERSION;
  return TRUE;
}

static GBytes *
read_file (const char  *path,
           const char  *name,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;
  char *contents = NULL;
  gsize length = 0;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO, "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO, "%s: not a regular file", path);
      return NULL;
    }
  if ((gint64)st.st_size > TM_IMPORTER_MAX_FILE_SIZE)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_TOO_LARGE,
                   "%s: the file is %.1f GiB; scans above %d GiB are refused",
                   name, st.st_size / (double)(1 << 30), (int)(TM_IMPORTER_MAX_FILE_SIZE >> 30));
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO, "%s", local_error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, length);
}

TmAcquisition *
tm_importer_import_file (TmImporter  *self,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TmSurface) surface = NULL;
  g_autoptr(TmCaseData) data = NULL;
  g_autofree char *name = NULL;
  gint64 id;

  g_return_val_if_fail (TM_IS_IMPORTER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_path_get_basename (path);
  bytes = read_file (path, name, error);
  if (bytes == NULL)
    return NULL;

  surface = tm_surface_load_bytes (bytes, name, self->pixel_um, error);
  if (surface == NULL)
    return NULL;

  data = tm_case_data_copy (self->defaults);
  if (self->manifest != NULL)
    tm_case_data_merge (data, tm_manifest_lookup (self->manifest, path));

  {
    g_autoptr(GError) local_error = NULL;
    TmDerived derived = { 0 };
    gboolean have = tm_derived_compute (surface, &self->preprocess, &derived, &local_error);

    /* The evidence is kept even when the engine cannot use it; it is simply not
     * searchable until `reprocess` succeeds, and searches count it as unprocessed. */
    if (!have)
      g_message ("%s: imported without preprocessing or signature: %s", name, local_error->message);
    /* An acquisition of the firing-pin impression itself (--region firing-pin) is its own
     * firing-pin region, compared with the other acquisitions' firing-pin regions. */
    if (have && g_strcmp0 (data->region, "firing-pin") == 0)
      {
        g_clear_object (&derived.firing_pin);
        derived.firing_pin = tm_surface_get_modality (surface) == TM_MODALITY_2D
                             ? tm_surface_copy (derived.breech_face)   /* finished already */
                             : tm_search_prepare_firing_pin (surface, &self->preprocess);
      }
    derived.params_hash = self->params_hash;
    id = tm_store_add_acquisition_derived (self->store, data, surface, bytes, name, self->user,
                                           have ? &derived : NULL, error);
    tm_derived_clear (&derived);
  }
  if (id == 0)
    return NULL;
  return tm_store_get_acquisition (self->store, id, error);
}

static gboolean
is_scan_name (const char *name)
{
  static const char * const suffixes[] = { ".x3p", ".tif", ".tiff", ".png" };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (name[0] == '.')
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;
  return FALSE;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char * const *)a, *(const char * const *)b);
}

static gboolean
expand_dir (const char  *dir,
            GPtrArray   *out,
            guint        depth,
            GError     **error)
{
  g_autoptr(GDir) handle = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  /* Symlink loops and absurd trees end here rather than in a stack overflow. */
  if (depth > 32)
    {
      g_set_error (error, TM_FORMAT_ERROR, TM_FORMAT_ERROR_IO,
                   "%s: folders nested too deeply (a symbolic link loop?)", dir);
      return FALSE;
    }
  handle = g_dir_open (dir, 0, error);
  if (handle == NULL)
    return FALSE;
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (entries, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (entries, compare_paths);

  for (guint i = 0; i < entries->len; i++)
    {
      const char *entry = g_ptr_array_index (entries, i);
      g_autofree char *base = g_path_get_basename (entry);

      if (g_file_test (entry, G_FILE_TEST_IS_DIR))
        {
          if (base[0] != '.' && !expand_dir (entry, out, depth + 1, error))
            return FALSE;
        }
      else if (is_scan_name (base))
        g_ptr_array_add (out, g_strdup (entry));
    }
  return TRUE;
}

GPtrArray *
tm_importer_expand_paths (const char * const  *paths,
                          GError             **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (paths != NULL, NULL);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      /* Files named explicitly are imported whatever their name: content decides. */
      if (g_file_test (paths[i], G_FILE_TEST_IS_DIR))
        {
          if (!expand_dir (paths[i], out, 0, error))
            return NULL;
        }
      else
        g_ptr_array_add (out, g_strdup (paths[i]));
    }
  return g_steal_pointer (&out);
}
