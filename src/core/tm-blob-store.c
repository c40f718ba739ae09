/* tm-blob-store.c — original files kept byte-identical, content-addressed by SHA-256
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The blob store is the chain of custody: what was imported is kept exactly, under the
 * name of its own hash, so any later alteration is detectable by re-hashing. Writes go
 * through a temporary file, fsync and rename so that a crash never leaves a truncated
 * file under a valid name.
 */
#define G_LOG_DOMAIN "tm-blob-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tm-blob-store.h"
#include "tm-store.h"

struct _TmBlobStore
{
  GObject  parent_instance;

  char    *root;
};

G_DEFINE_FINAL_TYPE (TmBlobStore, tm_blob_store, G_TYPE_OBJECT)

static void
tm_blob_store_finalize (GObject *object)
{
  TmBlobStore *self = (TmBlobStore *)object;

  g_clear_pointer (&self->root, g_free);

  G_OBJECT_CLASS (tm_blob_store_parent_class)->finalize (object);
}

static void
tm_blob_store_class_init (TmBlobStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tm_blob_store_finalize;
}

static void
tm_blob_store_init (TmBlobStore *self)
{
}

char *
tm_blob_sha256_bytes (GBytes *bytes)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  /* g_compute_checksum_for_data takes a gsize, so files above 4 GiB hash right too. */
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data != NULL ? data : (const guint8 *)"", len);
}

gboolean
tm_blob_sha256_is_valid (const char *sha256)
{
  if (sha256 == NULL || strlen (sha256) != 64)
    return FALSE;
  for (const char *p = sha256; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static gboolean
ensure_dir (const char  *path,
            GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "%s: cannot create the blob store folder: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

TmBlobStore *
tm_blob_store_new (const char  *root,
                   GError     **error)
{
  g_autoptr(TmBlobStore) self = NULL;
  gboolean existed;

  g_return_val_if_fail (root != NULL, NULL);

  existed = g_file_test (root, G_FILE_TEST_IS_DIR);
  if (!ensure_dir (root, error))
    return NULL;
  /* g_mkdir_with_parents honours the umask only downwards; make a new root owner-only
   * explicitly. An existing root keeps the mode its owner gave it. */
  if (!existed && g_chmod (root, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "%s: cannot restrict the blob store to its owner: %s", root, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (TM_TYPE_BLOB_STORE, NULL);
  self->root = g_strdup (root);
  return g_steal_pointer (&self);
}

const char *
tm_blob_store_get_root (TmBlobStore *self)
{
  g_return_val_if_fail (TM_IS_BLOB_STORE (self), NULL);
  return self->root;
}

char *
tm_blob_store_get_path (TmBlobStore *self,
                        const char  *sha256)
{
  char prefix[3];

  g_return_val_if_fail (TM_IS_BLOB_STORE (self), NULL);
  g_return_val_if_fail (tm_blob_sha256_is_valid (sha256), NULL);

  prefix[0] = sha256[0];
  prefix[1] = sha256[1];
  prefix[2] = '\0';
  return g_build_filename (self->root, prefix, sha256 + 2, NULL);
}

gboolean
tm_blob_store_contains (TmBlobStore *self,
                        const char  *sha256)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (TM_IS_BLOB_STORE (self), FALSE);

  if (!tm_blob_sha256_is_valid (sha256))
    return FALSE;
  path = tm_blob_store_get_path (self, sha256);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, MIN (len, (gsize)G_MAXSSIZE));

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      data += n;
      len -= (gsize)n;
    }
  return TRUE;
}

/* Makes the rename itself durable: without syncing the directory a crash could lose
 * the new name even though the data reached the disk. */
static void
sync_dir (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

gboolean
tm_blob_store_put (TmBlobStore  *self,
                   const char   *sha256,
                   GBytes       *bytes,
                   gboolean     *out_created,
                   GError      **error)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *actual = NULL;
  const guint8 *data;
  gsize len;
  int fd;

  g_return_val_if_fail (TM_IS_BLOB_STORE (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  if (out_created != NULL)
    *out_created = FALSE;

  if (!tm_blob_sha256_is_valid (sha256))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "'%s' is not a SHA-256 blob name", sha256 ? sha256 : "(null)");
      return FALSE;
    }
  actual = tm_blob_sha256_bytes (bytes);
  if (!g_str_equal (actual, sha256))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "blob %s: the content hashes to %s (changed while importing?)", sha256, actual);
      return FALSE;
    }

  path = tm_blob_store_get_path (self, sha256);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    /* Never overwrite evidence; but a damaged copy must not be taken as the original. */
    return tm_blob_store_verify (self, sha256, error);

  dir = g_path_get_dirname (path);
  if (!ensure_dir (dir, error))
    return FALSE;

  tmp = g_strdup_printf ("%s/.tmp-%s-XXXXXX", dir, sha256 + 2);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "%s: cannot create a file in the blob store: %s", dir, g_strerror (saved));
      return FALSE;
    }

  data = g_bytes_get_data (bytes, &len);
  if (!write_all (fd, data, len) || fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      g_unlink (tmp);
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "%s: cannot write the original into the blob store: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (close (fd) != 0 || g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "%s: cannot move the original into place: %s", path, g_strerror (saved));
      return FALSE;
    }
  sync_dir (dir);

  if (out_created != NULL)
    *out_created = TRUE;
  return TRUE;
}

GBytes *
tm_blob_store_get (TmBlobStore  *self,
                   const char   *sha256,
                   GError      **error)
{
  g_autofree char *path = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GMappedFile) mapped = NULL;

  g_return_val_if_fail (TM_IS_BLOB_STORE (self), NULL);

  if (!tm_blob_sha256_is_valid (sha256))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "'%s' is not a SHA-256 blob name", sha256 ? sha256 : "(null)");
      return NULL;
    }

  path = tm_blob_store_get_path (self, sha256);
  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "blob %s (%s): the stored original cannot be read: %s",
                   sha256, path, local_error->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  actual = tm_blob_sha256_bytes (bytes);
  if (!g_str_equal (actual, sha256))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "blob %s (%s): the stored original has been altered (it now hashes to %s)",
                   sha256, path, actual);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

gboolean
tm_blob_store_verify (TmBlobStore  *self,
                      const char   *sha256,
                      GError      **error)
{
  g_autoptr(GBytes) bytes = tm_blob_store_get (self, sha256, error);

  return bytes != NULL;
}

gboolean
tm_blob_store_remove (TmBlobStore  *self,
                      const char   *sha256,
                      GError      **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (TM_IS_BLOB_STORE (self), FALSE);
  g_return_val_if_fail (tm_blob_sha256_is_valid (sha256), FALSE);

  path = tm_blob_store_get_path (self, sha256);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "%s: cannot remove the blob: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

GPtrArray *
tm_blob_store_list (TmBlobStore  *self,
                    GPtrArray   **out_strays,
                    GError      **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) strays = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) root = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *sub;

  g_return_val_if_fail (TM_IS_BLOB_STORE (self), NULL);

  root = g_dir_open (self->root, 0, &local_error);
  if (root == NULL)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_BLOB,
                   "%s: cannot list the blob store: %s", self->root, local_error->message);
      return NULL;
    }

  while ((sub = g_dir_read_name (root)) != NULL)
    {
      g_autofree char *subpath = g_build_filename (self->root, sub, NULL);
      g_autoptr(GDir) dir = NULL;
      const char *name;

      if (!g_file_test (subpath, G_FILE_TEST_IS_DIR) ||
          strlen (sub) != 2 || !g_ascii_isxdigit (sub[0]) || !g_ascii_isxdigit (sub[1]))
        {
          g_ptr_array_add (strays, g_steal_pointer (&subpath));
          continue;
        }
      dir = g_dir_open (subpath, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *sha = g_strconcat (sub, name, NULL);

          if (tm_blob_sha256_is_valid (sha))
            g_ptr_array_add (names, g_steal_pointer (&sha));
          else
            g_ptr_array_add (strays, g_build_filename (subpath, name, NULL));
        }
    }

  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_sort (strays, compare_strings);
  if (out_strays != NULL)
    *out_strays = g_steal_pointer (&strays);
  return g_steal_pointer (&names);
}
