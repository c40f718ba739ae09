/* tm-package.c — exchange packages (IBIN-style): acquisitions moving between systems
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The package comes from another organisation: every size, name and count in it is
 * checked against the limits of tm-package.h before memory is spent on it, member
 * names must be plain relative paths (no "..", no absolute or backslash names), and the
 * manifest must list exactly the members present. Hashes are checked for all members
 * before the database is touched.
 */
#define G_LOG_DOMAIN "tm-package"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <zip.h>

#include "tm-format.h"
#include "tm-package.h"
#include "tm-store-private.h"
#include "tm-sync.h"
#include "tm-x3p.h"

G_DEFINE_QUARK (tm-package-error-quark, tm_package_error)

#define FORMAT_NAME "toolmark-package"
#define FORMAT_VERSION 1

/* Export */

typedef struct
{
  zip_t     *zip;
  JsonArray *members;
  GPtrArray *keep;    /* GBytes the zip reads from until it is closed */
} Writer;

static gboolean
add_member (Writer      *writer,
            const char  *name,
            GBytes      *bytes,
            const char  *path,
            GError     **error)
{
  gsize len;
  gconstpointer data = g_bytes_get_data (bytes, &len);
  g_autofree char *sha256 = tm_blob_sha256_bytes (bytes);
  zip_source_t *source;
  zip_int64_t index;
  JsonObject *member;

  source = zip_source_buffer (writer->zip, data, len, 0);
  if (source == NULL || (index = zip_file_add (writer->zip, name, source, ZIP_FL_ENC_UTF_8)) < 0)
    {
      if (source != NULL)
        zip_source_free (source);
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: cannot add %s: %s",
                   path, name, zip_strerror (writer->zip));
      return FALSE;
    }
  g_ptr_array_add (writer->keep, g_bytes_ref (bytes));
  member = json_object_new ();
  json_object_set_string_member (member, "name", name);
  json_object_set_string_member (member, "sha256", sha256);
  json_object_set_int_member (member, "size", (gint64)len);
  json_array_add_object_element (writer->members, member);
  return TRUE;
}

static GBytes *
object_bytes (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len;
  char *text;

  json_node_set_object (node, object);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

static const char *
meta_string (JsonObject  *object,
             const char  *key)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, key) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

/* The OpenFMC forensic X3P metadata draft's names for what it describes. */
static JsonObject *
openfmc_object (JsonObject *meta)
{
  JsonObject *out = json_object_new ();
  JsonObject *exhibit = json_object_get_object_member (meta, "exhibit");
  JsonObject *case_object = json_object_get_object_member (meta, "case");
  const struct { const char *key; JsonObject *from; const char *field; } map[] = {
    { "Specimen.Caliber", meta, "calibre" },
    { "Specimen.FiringPinType", meta, "firing_pin_type" },
    { "Specimen.FiringPinShape", meta, "firing_pin_shape" },
    { "Specimen.BreechFaceClass", meta, "breech_face_class" },
    { "Specimen.RegionOfInterest", meta, "region" },
    { "Specimen.EvidenceType", exhibit, "kind" },
    { "Specimen.ItemNumber", exhibit, "item_number" },
    { "Firearm.Make", exhibit, "firearm_make" },
    { "Firearm.Model", exhibit, "firearm_model" },
    { "Firearm.SerialNumber", exhibit, "firearm_serial" },
    { "Case.Agency", case_object, "agency" },
    { "Case.Number", case_object, "case_number" },
    { "Case.IncidentDate", case_object, "incident_date" },
    { "Acquisition.Instrument", meta, "instrument" },
    { "Acquisition.Operator", meta, "imported_by" },
    { "Acquisition.Date", meta, "imported_at" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      const char *value = meta_string (map[i].from, map[i].field);

      if (value != NULL)
        json_object_set_string_member (out, map[i].key, value);
    }
  return out;
}

static GBytes *
scan_x3p (TmStore        *store,
          gint64          id,
          gboolean       *out_is_original,
          GError        **error)
{
  g_autoptr(TmAcquisition) acquisition = tm_store_get_acquisition (store, id, error);
  g_autoptr(GBytes) original = NULL;
  g_autoptr(TmSurface) surface = NULL;
  gsize len;
  const guint8 *head;

  if (acquisition == NULL)
    return NULL;
  original = tm_store_read_original (store, id, error);
  if (original == NULL)
    return NULL;
  head = g_bytes_get_data (original, &len);
  if (tm_file_format_sniff (head, len) == TM_FILE_FORMAT_X3P)
    {
      *out_is_original = TRUE;
      return g_steal_pointer (&original);
    }
  surface = tm_surface_load_bytes (original, tm_acquisition_get_file (acquisition),
                                   tm_acquisition_get_pixel_um (acquisition), error);
  if (surface == NULL)
    return NULL;
  *out_is_original = FALSE;
  return tm_x3p_write_bytes (surface, error);
}

static gboolean
export_one (TmStore    *store,
            Writer     *writer,
            gint64      id,
            const char *path,
            JsonArray  *uuids,
            GError    **error)
{
  g_autoptr(TmSyncAcquisition) acquisition = tm_sync_acquisition_load (store, id, error);
  g_autoptr(GBytes) scan = NULL;
  g_autoptr(GBytes) metadata = NULL;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *prefix = NULL;
  g_autofree char *scan_name = NULL;
  g_autofree char *metadata_name = NULL;
  JsonArray *surfaces = json_array_new ();
  gboolean is_original = FALSE;
  const char *uuid;

  if (acquisition == NULL)
    {
      json_array_unref (surfaces);
      return FALSE;
    }
  uuid = meta_string (acquisition->meta, "uuid");
  prefix = g_strdup_printf ("acquisitions/%s/", uuid);
  scan = scan_x3p (store, id, &is_original, error);
  if (scan == NULL)
    {
      json_array_unref (surfaces);
      return FALSE;
    }
  scan_name = g_strconcat (prefix, "scan.x3p", NULL);
  if (!add_member (writer, scan_name, scan, path, error))
    {
      json_array_unref (surfaces);
      return FALSE;
    }

  json_object_set_object_member (object, "openfmc", openfmc_object (acquisition->meta));
  json_object_set_string_member (object, "scan", "scan.x3p");
  json_object_set_boolean_member (object, "scan_is_original", is_original);
  for (guint i = 0; i < acquisition->surfaces->len; i++)
    {
      TmSyncSurface *surface = g_ptr_array_index (acquisition->surfaces, i);
      g_autofree char *file = g_strdup_printf ("surface-%s.bin", surface->region);
      g_autofree char *name = g_strconcat (prefix, file, NULL);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "region", surface->region);
      json_object_set_int_member (entry, "width", surface->width);
      json_object_set_int_member (entry, "height", surface->height);
      json_object_set_double_member (entry, "pixel_um", surface->pixel_um);
      json_object_set_string_member (entry, "encoding", surface->encoding);
      json_object_set_double_member (entry, "scale", surface->scale);
      json_object_set_double_member (entry, "offset", surface->offset);
      json_object_set_string_member (entry, "params_hash", surface->params_hash);
      json_object_set_string_member (entry, "file", file);
      json_array_add_object_element (surfaces, entry);
      if (!add_member (writer, name, surface->data, path, error))
        {
          json_array_unref (surfaces);
          return FALSE;
        }
    }
  json_object_set_array_member (object, "surfaces", surfaces);
  if (acquisition->signature != NULL)
    {
      g_autofree char *name = g_strconcat (prefix, "signature.bin", NULL);
      JsonObject *entry = json_object_new ();

      json_object_set_int_member (entry, "version", acquisition->signature_version);
      json_object_set_string_member (entry, "params_hash", acquisition->signature_params_hash);
      json_object_set_string_member (entry, "file", "signature.bin");
      json_object_set_object_member (object, "signature", entry);
      if (!add_member (writer, name, acquisition->signature, path, error))
        return FALSE;
    }
  json_object_set_object_member (object, "record", json_object_ref (acquisition->meta));

  metadata = object_bytes (object);
  metadata_name = g_strconcat (prefix, "metadata.json", NULL);
  if (!add_member (writer, metadata_name, metadata, path, error))
    return FALSE;
  json_array_add_string_element (uuids, uuid);
  return TRUE;
}

gboolean
tm_package_export (TmStore       *store,
                   const gint64  *ids,
                   guint          n_ids,
                   const char    *agency,
                   const char    *path,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(JsonObject) manifest = json_object_new ();
  g_autoptr(GBytes) manifest_bytes = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *now = tm_store_now_iso8601 ();
  Writer writer = { 0 };
  JsonArray *uuids;
  int zip_error = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (n_ids == 0)
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: no acquisitions to export", path);
      return FALSE;
    }
  /* Written beside the target and renamed: a failed export leaves no half package. */
  tmp_path = g_strconcat (path, ".part", NULL);
  g_unlink (tmp_path);
  writer.zip = zip_open (tmp_path, ZIP_CREATE | ZIP_EXCL, &zip_error);
  if (writer.zip == NULL)
    {
      zip_error_t ze;

      zip_error_init_with_code (&ze, zip_error);
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: cannot create the package: %s",
                   path, zip_error_strerror (&ze));
      zip_error_fini (&ze);
      return FALSE;
    }
  writer.members = json_array_new ();
  writer.keep = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  uuids = json_array_new ();

  json_object_set_string_member (manifest, "format", FORMAT_NAME);
  json_object_set_int_member (manifest, "version", FORMAT_VERSION);
  json_object_set_string_member (manifest, "agency", agency != NULL ? agency : "");
  json_object_set_string_member (manifest, "site", tm_store_get_local_site (store));
  json_object_set_string_member (manifest, "created_at", now);
  json_object_set_string_member (manifest, "generator", "Toolmark " PACKAGE_VERSION);

  for (guint i = 0; i < n_ids; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !export_one (store, &writer, ids[i], path, uuids, error))
        goto out;
    }
  json_object_set_array_member (manifest, "acquisitions", uuids);
  uuids = NULL;
  json_object_set_array_member (manifest, "members", writer.members);
  writer.members = NULL;
  manifest_bytes = object_bytes (manifest);
  {
    gsize len;
    gconstpointer data = g_bytes_get_data (manifest_bytes, &len);
    zip_source_t *source = zip_source_buffer (writer.zip, data, len, 0);

    if (source == NULL || zip_file_add (writer.zip, "manifest.json", source, ZIP_FL_ENC_UTF_8) < 0)
      {
        if (source != NULL)
          zip_source_free (source);
        g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: cannot add the manifest: %s",
                     path, zip_strerror (writer.zip));
        goto out;
      }
  }
  if (zip_close (writer.zip) != 0)
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: cannot write the package: %s",
                   path, zip_strerror (writer.zip));
      goto out;
    }
  writer.zip = NULL;
  if (g_rename (tmp_path, path) != 0)
    {
      int saved = errno;

      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: cannot put the package in place: %s",
                   path, g_strerror (saved));
      goto out;
    }
  ok = TRUE;

out:
  if (writer.zip != NULL)
    zip_discard (writer.zip);
  if (!ok)
    g_unlink (tmp_path);
  g_clear_pointer (&writer.members, json_array_unref);
  g_clear_pointer (&uuids, json_array_unref);
  g_clear_pointer (&writer.keep, g_ptr_array_unref);
  return ok;
}

GArray *
tm_package_case_acquisitions (TmStore     *store,
                              const char  *case_number,
                              GError     **error)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(TmStmt) stmt = NULL;

  stmt = tm_store_prepare (store, "SELECT a.id FROM acquisitions a JOIN exhibits e ON e.id = a.exhibit_id"
                                  " JOIN cases c ON c.id = e.case_id WHERE c.case_number = ? ORDER BY a.id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, case_number, -1, SQLITE_TRANSIENT);
  ids = tm_store_collect_ids (store, stmt, "cannot list the case's acquisitions", error);
  if (ids == NULL)
    return NULL;
  if (ids->len == 0)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND, "case %s has no acquisitions in %s",
                   case_number, tm_store_get_path (store));
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/* Import */

void
tm_package_report_init (TmPackageReport *report)
{
  memset (report, 0, sizeof *report);
  report->messages = g_ptr_array_new_with_free_func (g_free);
}

void
tm_package_report_clear (TmPackageReport *report)
{
  g_clear_pointer (&report->agency, g_free);
  g_clear_pointer (&report->messages, g_ptr_array_unref);
}

/* A plain relative path of safe characters: what this program writes, and nothing a
 * careless extractor could turn into a write outside its folder. */
static gboolean
member_name_is_safe (const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (name == NULL || *name == '\0' || *name == '/' || strlen (name) > 255)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.' && *p != '/')
      return FALSE;
  parts = g_strsplit (name, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

static GBytes *
read_member (zip_t       *zip,
             zip_uint64_t index,
             const char  *name,
             zip_uint64_t size,
             const char  *path,
             GError     **error)
{
  zip_file_t *file = zip_fopen_index (zip, index, 0);
  guint8 *buf;
  zip_int64_t n;
  guint8 extra;

  if (file == NULL)
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_TAMPERED, "%s: member %s cannot be read: %s",
                   path, name, zip_strerror (zip));
      return NULL;
    }
  buf = g_malloc (size > 0 ? size : 1);
  n = size > 0 ? zip_fread (file, buf, size) : 0;
  /* Never more than the directory says: a lying directory is a tampered package. */
  if (n != (zip_int64_t)size || zip_fread (file, &extra, 1) != 0)
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_TAMPERED,
                   "%s: member %s is damaged or its size differs from the zip directory (%s)",
                   path, name, zip_file_strerror (file));
      zip_fclose (file);
      g_free (buf);
      return NULL;
    }
  zip_fclose (file);
  return g_bytes_new_take (buf, size);
}

static JsonObject *
parse_object (GBytes      *bytes,
              const char  *path,
              const char  *name,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, len, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: %s is not a JSON object%s%s",
                   path, name, local_error ? ": " : "", local_error ? local_error->message : "");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static gboolean
number_member (JsonObject *object,
               const char *key,
               double     *out)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out = (double)json_node_get_int (node);
  else
    return FALSE;
  return TRUE;
}

/* Builds the acquisition of one metadata.json; NULL with a reason when malformed. */
static TmSyncAcquisition *
acquisition_from_package (JsonObject   *metadata,
                          const char   *prefix,
                          GHashTable   *contents,
                          char        **out_reason)
{
  g_autoptr(TmSyncAcquisition) acquisition = tm_sync_acquisition_new ();
  JsonNode *record = json_object_get_member (metadata, "record");
  JsonNode *surfaces = json_object_get_member (metadata, "surfaces");
  JsonNode *signature = json_object_get_member (metadata, "signature");

  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record))
    {
      *out_reason = g_strdup ("metadata.json has no record object");
      return NULL;
    }
  acquisition->meta = json_object_ref (json_node_get_object (record));
  if (surfaces != NULL && JSON_NODE_HOLDS_ARRAY (surfaces))
    {
      JsonArray *array = json_node_get_array (surfaces);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          JsonObject *entry;
          g_autofree char *name = NULL;
          TmSyncSurface *surface;
          double width, height, pixel_um, scale, offset;
          GBytes *data;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            goto bad_surface;
          entry = json_node_get_object (node);
          if (meta_string (entry, "file") == NULL || meta_string (entry, "region") == NULL ||
              !number_member (entry, "width", &width) || !number_member (entry, "height", &height) ||
              !number_member (entry, "pixel_um", &pixel_um) || !number_member (entry, "scale", &scale) ||
              !number_member (entry, "offset", &offset) || width < 1 || height < 1 ||
              width > 100000 || height > 100000)
            goto bad_surface;
          name = g_strconcat (prefix, meta_string (entry, "file"), NULL);
          data = g_hash_table_lookup (contents, name);
          if (data == NULL)
            goto bad_surface;
          surface = tm_sync_surface_new ();
          surface->region = g_strdup (meta_string (entry, "region"));
          surface->width = (int)width;
          surface->height = (int)height;
          surface->pixel_um = pixel_um;
          surface->encoding = g_strdup (meta_string (entry, "encoding"));
          surface->scale = scale;
          surface->offset = offset;
          surface->params_hash = g_strdup (meta_string (entry, "params_hash"));
          surface->data = g_bytes_ref (data);
          g_ptr_array_add (acquisition->surfaces, surface);
        }
    }
  if (signature != NULL && JSON_NODE_HOLDS_OBJECT (signature))
    {
      JsonObject *entry = json_node_get_object (signature);
      g_autofree char *name = NULL;
      double version;
      GBytes *data;

      if (meta_string (entry, "file") == NULL || !number_member (entry, "version", &version))
        {
          *out_reason = g_strdup ("metadata.json: the signature entry is malformed");
          return NULL;
        }
      name = g_strconcat (prefix, meta_string (entry, "file"), NULL);
      data = g_hash_table_lookup (contents, name);
      if (data == NULL)
        {
          *out_reason = g_strdup_printf ("metadata.json names %s, which the package does not hold", name);
          return NULL;
        }
      acquisition->signature = g_bytes_ref (data);
      acquisition->signature_version = (int)version;
      acquisition->signature_params_hash = g_strdup (meta_string (entry, "params_hash"));
    }
  return g_steal_pointer (&acquisition);

bad_surface:
  *out_reason = g_strdup ("metadata.json: a surface entry is malformed or names a missing member");
  return NULL;
}

static gboolean
check_may_import (TmStore     *store,
                  const char  *user,
                  GError     **error)
{
  g_autofree char *role = tm_store_get_user_role (store, user, error);

  if (role == NULL)
    return FALSE;
  if (g_str_equal (role, "supervisor"))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION,
                   "user '%s' is a supervisor; importing a package needs a technician, examiner or "
                   "administrator", user);
      return FALSE;
    }
  return TRUE;
}

gboolean
tm_package_import (TmStore          *store,
                   const char       *path,
                   const char       *user,
                   TmPackageReport  *report,
                   GCancellable     *cancellable,
                   GError          **error)
{
  g_autoptr(GHashTable) contents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify)g_bytes_unref);
  g_autoptr(GBytes) manifest_bytes = NULL;
  g_autoptr(JsonObject) manifest = NULL;
  g_autoptr(GPtrArray) created_blobs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *source = NULL;
  TmSyncAuditInfo audit = { 0 };
  JsonNode *members_node, *uuids_node;
  JsonArray *members, *uuids;
  zip_t *zip;
  zip_int64_t n_entries;
  zip_uint64_t total = 0;
  zip_int64_t manifest_index = -1;
  int zip_error = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL && report != NULL, FALSE);

  if (!check_may_import (store, user, error))
    return FALSE;

  zip = zip_open (path, ZIP_RDONLY | ZIP_CHECKCONS, &zip_error);
  if (zip == NULL)
    {
      zip_error_t ze;

      zip_error_init_with_code (&ze, zip_error);
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: not a readable package: %s",
                   path, zip_error_strerror (&ze));
      zip_error_fini (&ze);
      return FALSE;
    }

  /* The directory first: names, sizes, ratios, before anything is inflated. */
  n_entries = zip_get_num_entries (zip, 0);
  if (n_entries < 1 || n_entries > TM_PACKAGE_MAX_MEMBERS)
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_TOO_LARGE,
                   "%s: %" G_GINT64_FORMAT " members (a package holds 1 to %d)", path, (gint64)n_entries,
                   TM_PACKAGE_MAX_MEMBERS);
      goto out;
    }
  for (zip_int64_t i = 0; i < n_entries; i++)
    {
      zip_stat_t st;

      zip_stat_init (&st);
      if (zip_stat_index (zip, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE))
        {
          g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: member %" G_GINT64_FORMAT
                       " has an unreadable directory entry", path, (gint64)i);
          goto out;
        }
      if (!member_name_is_safe (st.name))
        {
          g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID,
                       "%s: member name '%s' is not a plain relative path; refused", path, st.name);
          goto out;
        }
      if (st.size > TM_PACKAGE_MAX_MEMBER_SIZE ||
          (g_str_equal (st.name, "manifest.json") && st.size > TM_PACKAGE_MAX_MANIFEST) ||
          ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > 1024 * 1024 &&
           st.size / MAX (st.comp_size, 1) > TM_PACKAGE_MAX_RATIO))
        {
          g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_TOO_LARGE,
                       "%s: member %s inflates to %" G_GUINT64_FORMAT " bytes, beyond what a package may hold",
                       path, st.name, (guint64)st.size);
          goto out;
        }
      total += st.size;
      if (total > TM_PACKAGE_MAX_TOTAL_SIZE)
        {
          g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_TOO_LARGE,
                       "%s: the members inflate to more than %" G_GUINT64_FORMAT " bytes", path,
                       (guint64)TM_PACKAGE_MAX_TOTAL_SIZE);
          goto out;
        }
      if (g_str_equal (st.name, "manifest.json"))
        manifest_index = i;
    }
  if (manifest_index < 0)
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: no manifest.json; not a Toolmark package", path);
      goto out;
    }

  {
    zip_stat_t st;

    zip_stat_index (zip, manifest_index, 0, &st);
    manifest_bytes = read_member (zip, manifest_index, "manifest.json", st.size, path, error);
    if (manifest_bytes == NULL)
      goto out;
  }
  manifest = parse_object (manifest_bytes, path, "manifest.json", error);
  if (manifest == NULL)
    goto out;
  if (g_strcmp0 (meta_string (manifest, "format"), FORMAT_NAME) != 0)
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID, "%s: manifest.json is not a %s manifest",
                   path, FORMAT_NAME);
      goto out;
    }
  {
    double version = 0;

    if (!number_member (manifest, "version", &version) || version != FORMAT_VERSION)
      {
        g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID,
                     "%s: package version %g is not %d; use a matching Toolmark", path, version, FORMAT_VERSION);
        goto out;
      }
  }
  members_node = json_object_get_member (manifest, "members");
  uuids_node = json_object_get_member (manifest, "acquisitions");
  if (members_node == NULL || !JSON_NODE_HOLDS_ARRAY (members_node) ||
      uuids_node == NULL || !JSON_NODE_HOLDS_ARRAY (uuids_node))
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID,
                   "%s: manifest.json lacks its members or acquisitions list", path);
      goto out;
    }
  members = json_node_get_array (members_node);
  uuids = json_node_get_array (uuids_node);
  if (json_array_get_length (members) != (guint)n_entries - 1)
    {
      g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_TAMPERED,
                   "%s: the manifest lists %u members but the package holds %" G_GINT64_FORMAT,
                   path, json_array_get_length (members), (gint64)n_entries - 1);
      goto out;
    }

  /* Every member's hash before anything is applied. */
  for (guint i = 0; i < json_array_get_length (members); i++)
    {
      JsonNode *node = json_array_get_element (members, i);
      JsonObject *member = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = meta_string (member, "name");
      const char *sha256 = meta_string (member, "sha256");
      g_autofree char *actual = NULL;
      zip_int64_t index;
      zip_stat_t st;
      GBytes *bytes;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (name == NULL || sha256 == NULL || !member_name_is_safe (name) ||
          g_str_equal (name, "manifest.json") || g_hash_table_contains (contents, name))
        {
          g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID,
                       "%s: manifest entry %u is malformed or repeats a member", path, i);
          goto out;
        }
      index = zip_name_locate (zip, name, 0);
      if (index < 0)
        {
          g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_TAMPERED,
                       "%s: member %s is listed in the manifest but missing", path, name);
          goto out;
        }
      zip_stat_index (zip, index, 0, &st);
      bytes = read_member (zip, index, name, st.size, path, error);
      if (bytes == NULL)
        goto out;
      actual = tm_blob_sha256_bytes (bytes);
      if (!g_str_equal (actual, sha256))
        {
          g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_TAMPERED,
                       "%s: member %s does not match its SHA-256 in the manifest; the package was altered "
                       "or damaged and is refused", path, name);
          g_bytes_unref (bytes);
          goto out;
        }
      g_hash_table_insert (contents, g_strdup (name), bytes);
    }

  report->agency = g_strdup (meta_string (manifest, "agency"));
  source = g_strdup_printf ("package %s (%s)", path, report->agency ? report->agency : "unknown agency");
  audit.user = user;
  audit.action_prefix = "package-imported";
  audit.via_key = "package";
  audit.via = source;

  if (!tm_store_begin (store, error))
    goto out;
  for (guint i = 0; i < json_array_get_length (uuids); i++)
    {
      const char *uuid = json_array_get_string_element (uuids, i);
      g_autofree char *prefix = NULL;
      g_autofree char *metadata_name = NULL;
      g_autofree char *scan_name = NULL;
      g_autofree char *reason = NULL;
      g_autoptr(JsonObject) metadata = NULL;
      g_autoptr(TmSyncAcquisition) acquisition = NULL;
      GBytes *metadata_bytes, *scan;
      TmSyncOutcome outcome = TM_SYNC_QUARANTINED;
      gboolean blob_created = FALSE;

      if (uuid == NULL || !g_uuid_string_is_valid (uuid))
        {
          g_set_error (error, TM_PACKAGE_ERROR, TM_PACKAGE_ERROR_INVALID,
                       "%s: manifest entry %u of the acquisitions is not a UUID", path, i);
          goto rollback;
        }
      prefix = g_strdup_printf ("acquisitions/%s/", uuid);
      metadata_name = g_strconcat (prefix, "metadata.json", NULL);
      scan_name = g_strconcat (prefix, "scan.x3p", NULL);
      metadata_bytes = g_hash_table_lookup (contents, metadata_name);
      if (metadata_bytes == NULL)
        reason = g_strdup_printf ("%s is missing", metadata_name);
      else if ((metadata = parse_object (metadata_bytes, path, metadata_name, NULL)) == NULL)
        reason = g_strdup_printf ("%s is not a JSON object", metadata_name);
      else
        acquisition = acquisition_from_package (metadata, prefix, contents, &reason);
      if (acquisition != NULL && g_strcmp0 (meta_string (acquisition->meta, "uuid"), uuid) != 0)
        {
          g_clear_pointer (&acquisition, tm_sync_acquisition_free);
          reason = g_strdup ("the record's UUID is not the one it is filed under");
        }

      if (acquisition == NULL)
        {
          if (!tm_sync_quarantine (store, source, "acquisition", uuid, reason, NULL, error))
            goto rollback;
        }
      else
        {
          g_autofree char *scan_sha = NULL;

          /* The scan is the original only when it hashes as the record says. */
          scan = g_hash_table_lookup (contents, scan_name);
          if (scan != NULL)
            scan_sha = tm_blob_sha256_bytes (scan);
          if (scan_sha == NULL || g_strcmp0 (scan_sha, meta_string (acquisition->meta, "sha256")) != 0)
            scan = NULL;
          if (!tm_sync_acquisition_apply (store, acquisition, source, NULL, scan, &audit, &outcome, &blob_created,
                                          &reason, error))
            goto rollback;
          if (blob_created)
            g_ptr_array_add (created_blobs, g_strdup (meta_string (acquisition->meta, "sha256")));
        }
      switch (outcome)
        {
        case TM_SYNC_APPLIED:
          report->imported++;
          break;
        case TM_SYNC_IDENTICAL:
          report->identical++;
          break;
        case TM_SYNC_QUARANTINED:
          report->quarantined++;
          g_ptr_array_add (report->messages, g_strdup_printf ("acquisition %s: %s", uuid, reason));
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (!tm_store_commit (store, error))
    goto rollback;
  ok = TRUE;
  goto out;

rollback:
  tm_store_rollback (store);
  for (guint i = 0; i < created_blobs->len; i++)
    tm_blob_store_remove (tm_store_get_blob_store (store), g_ptr_array_index (created_blobs, i), NULL);

out:
  zip_discard (zip);
  return ok;
}
