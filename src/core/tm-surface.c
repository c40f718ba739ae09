/* tm-surface.c — a measured surface: 3D heights or 2D intensities on a regular grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Samples are stored as float, row-major, x varying fastest (the X3P order), row 0 at the
 * top. Invalid points are NaN in the data *and* 0 in the mask: the mask exists so that
 * drawing and statistics need not test floats, the NaN so that filters cannot silently
 * use a missing point. tm_surface_sync_mask() re-establishes the invariant after a writer
 * changed the data.
 */
#define G_LOG_DOMAIN "tm-surface"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-surface.h"

struct _TmSurface
{
  GObject     parent_instance;

  guint       width;
  guint       height;
  double      pixel_um_x;
  double      pixel_um_y;
  TmModality  modality;
  float      *data;
  guint8     *mask;
  GHashTable *meta;
};

G_DEFINE_FINAL_TYPE (TmSurface, tm_surface, G_TYPE_OBJECT)

const char *
tm_modality_to_string (TmModality modality)
{
  switch (modality)
    {
    case TM_MODALITY_3D: return "3d";
    case TM_MODALITY_2D: return "2d";
    default: return "unknown";
    }
}

gboolean
tm_modality_from_string (const char *str,
                         TmModality *out_modality)
{
  if (g_strcmp0 (str, "3d") == 0 || g_strcmp0 (str, "3D") == 0)
    *out_modality = TM_MODALITY_3D;
  else if (g_strcmp0 (str, "2d") == 0 || g_strcmp0 (str, "2D") == 0)
    *out_modality = TM_MODALITY_2D;
  else
    return FALSE;
  return TRUE;
}

static void
tm_surface_finalize (GObject *object)
{
  TmSurface *self = (TmSurface *)object;

  g_clear_pointer (&self->data, g_free);
  g_clear_pointer (&self->mask, g_free);
  g_clear_pointer (&self->meta, g_hash_table_unref);

  G_OBJECT_CLASS (tm_surface_parent_class)->finalize (object);
}

static void
tm_surface_class_init (TmSurfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tm_surface_finalize;
}

static void
tm_surface_init (TmSurface *self)
{
  self->meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * tm_surface_new:
 *
 * Creates a surface with every sample invalid (NaN, mask 0). Returns %NULL when the
 * dimensions exceed %TM_SURFACE_MAX_SIDE or memory cannot be had: readers check the
 * declared size before calling this and report the file.
 */
TmSurface *
tm_surface_new (guint      width,
                guint      height,
                double     pixel_um_x,
                double     pixel_um_y,
                TmModality modality)
{
  TmSurface *self;
  gsize n;

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (width > TM_SURFACE_MAX_SIDE || height > TM_SURFACE_MAX_SIDE)
    return NULL;

  n = (gsize)width * height;
  self = g_object_new (TM_TYPE_SURFACE, NULL);
  self->width = width;
  self->height = height;
  self->pixel_um_x = pixel_um_x;
  self->pixel_um_y = pixel_um_y;
  self->modality = modality;
  self->data = g_try_new (float, n);
  self->mask = g_try_new0 (guint8, n);
  if (self->data == NULL || self->mask == NULL)
    {
      g_object_unref (self);
      return NULL;
    }
  for (gsize i = 0; i < n; i++)
    self->data[i] = NAN;

  return self;
}

TmSurface *
tm_surface_copy (TmSurface *self)
{
  TmSurface *copy;
  gsize n;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (TM_IS_SURFACE (self), NULL);

  copy = tm_surface_new (self->width, self->height, self->pixel_um_x, self->pixel_um_y,
                         self->modality);
  if (copy == NULL)
    return NULL;
  n = (gsize)self->width * self->height;
  memcpy (copy->data, self->data, n * sizeof (float));
  memcpy (copy->mask, self->mask, n);
  g_hash_table_iter_init (&iter, self->meta);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->meta, g_strdup (key), g_strdup (value));
  return copy;
}

guint
tm_surface_get_width (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), 0);
  return self->width;
}

guint
tm_surface_get_height (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), 0);
  return self->height;
}

double
tm_surface_get_pixel_um_x (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), 0.0);
  return self->pixel_um_x;
}

double
tm_surface_get_pixel_um_y (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), 0.0);
  return self->pixel_um_y;
}

void
tm_surface_set_pixel_um (TmSurface *self,
                         double     pixel_um_x,
                         double     pixel_um_y)
{
  g_return_if_fail (TM_IS_SURFACE (self));
  self->pixel_um_x = pixel_um_x;
  self->pixel_um_y = pixel_um_y;
}

TmModality
tm_surface_get_modality (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), TM_MODALITY_3D);
  return self->modality;
}

/* Writable data; call tm_surface_sync_mask() after writing NaN or valid values. */
float *
tm_surface_get_data (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), NULL);
  return self->data;
}

const float *
tm_surface_peek_data (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), NULL);
  return self->data;
}

/* Writable mask (1 = valid). A 0 written here is applied to the data (as NaN) by
 * tm_surface_sync_mask(). */
guint8 *
tm_surface_get_mask (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), NULL);
  return self->mask;
}

const guint8 *
tm_surface_peek_mask (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), NULL);
  return self->mask;
}

/**
 * tm_surface_sync_mask:
 *
 * Re-establishes "mask 0 ⇔ NaN" from the data: a point is valid exactly when its sample
 * is finite (infinities become NaN). Writers fill the data, write NAN where a point is
 * missing (or call tm_surface_apply_mask() with an external mask), then call this.
 */
void
tm_surface_sync_mask (TmSurface *self)
{
  gsize n;

  g_return_if_fail (TM_IS_SURFACE (self));

  n = (gsize)self->width * self->height;
  for (gsize i = 0; i < n; i++)
    {
      if (!isfinite (self->data[i]))
        {
          self->data[i] = NAN;
          self->mask[i] = 0;
        }
      else
        self->mask[i] = 1;
    }
}

gsize
tm_surface_count_valid (TmSurface *self)
{
  gsize n, count = 0;

  g_return_val_if_fail (TM_IS_SURFACE (self), 0);

  n = (gsize)self->width * self->height;
  for (gsize i = 0; i < n; i++)
    count += self->mask[i] != 0;
  return count;
}

double
tm_surface_valid_fraction (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), 0.0);
  return (double)tm_surface_count_valid (self) / ((double)self->width * self->height);
}

gboolean
tm_surface_get_range (TmSurface *self,
                      float     *out_min,
                      float     *out_max)
{
  float lo = INFINITY, hi = -INFINITY;
  gsize n;

  g_return_val_if_fail (TM_IS_SURFACE (self), FALSE);

  n = (gsize)self->width * self->height;
  for (gsize i = 0; i < n; i++)
    if (self->mask[i])
      {
        lo = MIN (lo, self->data[i]);
        hi = MAX (hi, self->data[i]);
      }
  if (out_min)
    *out_min = lo;
  if (out_max)
    *out_max = hi;
  return lo <= hi;
}

const char *
tm_surface_get_meta (TmSurface  *self,
                     const char *key)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return g_hash_table_lookup (self->meta, key);
}

void
tm_surface_set_meta (TmSurface  *self,
                     const char *key,
                     const char *value)
{
  g_return_if_fail (TM_IS_SURFACE (self));
  g_return_if_fail (key != NULL);

  if (value == NULL)
    g_hash_table_remove (self->meta, key);
  else
    g_hash_table_insert (self->meta, g_strdup (key), g_strdup (value));
}

/* The metadata as a read-only table (string → string), e.g. to store as JSON. */
GHashTable *
tm_surface_get_meta_table (TmSurface *self)
{
  g_return_val_if_fail (TM_IS_SURFACE (self), NULL);
  return self->meta;
}

/**
 * tm_surface_equal:
 *
 * Whether two surfaces have the same geometry, modality, mask and bit-identical samples
 * (NaN equals NaN at invalid points). Metadata is not compared.
 */
gboolean
tm_surface_equal (TmSurface *a,
                  TmSurface *b)
{
  gsize n;

  g_return_val_if_fail (TM_IS_SURFACE (a) && TM_IS_SURFACE (b), FALSE);

  if (a->width != b->width || a->height != b->height || a->modality != b->modality ||
      a->pixel_um_x != b->pixel_um_x || a->pixel_um_y != b->pixel_um_y)
    return FALSE;
  n = (gsize)a->width * a->height;
  if (memcmp (a->mask, b->mask, n) != 0)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (a->mask[i] && memcmp (&a->data[i], &b->data[i], sizeof (float)) != 0)
      return FALSE;
  return TRUE;
}

/**
 * tm_surface_apply_mask:
 * @keep: width × height bytes, non-zero where a point is inside the region of interest
 *
 * Invalidates (NaN, mask 0) every point outside @keep.
 */
void
tm_surface_apply_mask (TmSurface    *self,
                       const guint8 *keep)
{
  gsize n;

  g_return_if_fail (TM_IS_SURFACE (self));
  g_return_if_fail (keep != NULL);

  n = (gsize)self->width * self->height;
  for (gsize i = 0; i < n; i++)
    if (!keep[i])
      {
        self->data[i] = NAN;
        self->mask[i] = 0;
      }
}
