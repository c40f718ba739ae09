/* tm-relief-texture.c — a rendered surface as mipmapped, tiled GdkTextures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The compare view pans and zooms surfaces of up to 4,000 × 4,000 samples every frame,
 * with the GL renderer and with the Cairo one (Xvfb, remote sessions). Both draw a
 * texture node in time proportional to the texels they touch, and Cairo converts every
 * texture it draws into an image surface each frame. So the rendered relief is kept
 *
 *  - in levels of half the resolution each (premultiplied 2 × 2 averages), so a zoomed
 *    out view draws about as many texels as it has screen pixels;
 *  - in tiles of TILE_SIZE: Cairo copies a texture into an image surface each time it
 *    draws one, so small tiles keep that copy to about what is on screen (and what a
 *    checkerboard square shows);
 *  - cut into tiles of TILE_SIZE texels, so a zoomed in view only draws the tiles it
 *    shows (the caller passes the visible rectangle). Each tile carries one more column
 *    and row of texels, under its right and lower neighbours: renderers antialias the
 *    edges of a transformed texture, and two half-covered edges on one line would
 *    leave a faint seam of background between the tiles.
 *
 * The pixels are stored premultiplied in GDK_MEMORY_DEFAULT, Cairo's own layout, so
 * Cairo needs no conversion and GL uploads them as they are.
 *
 * A texture may also be made already turned by the angle it will be shown at: Cairo
 * draws a rotated image through a general affine filter (under Xvfb 20–70 ms a frame at
 * 1:1 for a 2,000 px scan) but a translated or scaled one on its fast paths (under
 * 6 ms). The heights are turned (tm_surface_transform on a canvas grown to the rotated
 * bounding box) and then shaded, so the light is applied after the turn.
 */
#define G_LOG_DOMAIN "tm-relief-texture"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-registration.h"
#include "tm-relief-texture.h"

#define TILE_SIZE 256
#define MIN_LEVEL_SIDE 128
/* The relief is rendered at most this large; bigger scans are area-averaged first. */
#define MAX_RENDER_SIDE 4096

typedef struct
{
  GdkTexture     *texture;
  graphene_rect_t bounds;   /* µm, centred coordinates */
} Tile;

typedef struct
{
  guint   width;
  guint   height;
  double  texel_um;
  GArray *tiles;            /* Tile */
} Level;

struct _TmReliefTexture
{
  GObject         parent_instance;

  TmReliefParams  params;
  double          rotation_deg;
  double          width_um;
  double          height_um;
  GPtrArray      *levels;   /* Level* */
};

G_DEFINE_FINAL_TYPE (TmReliefTexture, tm_relief_texture, G_TYPE_OBJECT)

GType
tm_relief_mode_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { TM_RELIEF_SHADED, "TM_RELIEF_SHADED", "shaded" },
        { TM_RELIEF_FALSE_COLOUR, "TM_RELIEF_FALSE_COLOUR", "false-colour" },
        { TM_RELIEF_GREY, "TM_RELIEF_GREY", "grey" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("TmReliefMode"), values);
      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

static void
level_free (gpointer data)
{
  Level *level = data;

  for (guint i = 0; i < level->tiles->len; i++)
    g_object_unref (g_array_index (level->tiles, Tile, i).texture);
  g_array_unref (level->tiles);
  g_free (level);
}

/* Cuts one level (premultiplied BGRA, tightly packed) into tiles. */
static Level *
level_new (const guint8 *pixels, guint width, guint height, double texel_um,
           double origin_x_um, double origin_y_um)
{
  Level *level = g_new0 (Level, 1);

  level->width = width;
  level->height = height;
  level->texel_um = texel_um;
  level->tiles = g_array_new (FALSE, FALSE, sizeof (Tile));

  for (guint ty = 0; ty < height; ty += TILE_SIZE)
    for (guint tx = 0; tx < width; tx += TILE_SIZE)
      {
        guint tw = MIN (TILE_SIZE + 1, width - tx);
        guint th = MIN (TILE_SIZE + 1, height - ty);
        guint8 *copy = g_malloc ((gsize) tw * th * 4);
        g_autoptr(GBytes) bytes = NULL;
        Tile tile;

        for (guint y = 0; y < th; y++)
          memcpy (copy + (gsize) y * tw * 4, pixels + ((gsize) (ty + y) * width + tx) * 4, (gsize) tw * 4);
        bytes = g_bytes_new_take (copy, (gsize) tw * th * 4);
        tile.texture = gdk_memory_texture_new (tw, th, GDK_MEMORY_DEFAULT, bytes, (gsize) tw * 4);
        graphene_rect_init (&tile.bounds,
                            origin_x_um + tx * texel_um, origin_y_um + ty * texel_um,
                            tw * texel_um, th * texel_um);
        g_array_append_val (level->tiles, tile);
      }
  return level;
}

/* Half resolution: the mean of each 2 × 2 block (premultiplied, so holes do not darken). */
static guint8 *
halve (const guint8 *src, guint w, guint h, guint *out_w, guint *out_h)
{
  guint ow = (w + 1) / 2, oh = (h + 1) / 2;
  guint8 *dst = g_malloc ((gsize) ow * oh * 4);

  for (guint y = 0; y < oh; y++)
    for (guint x = 0; x < ow; x++)
      {
        guint sum[4] = { 0, 0, 0, 0 }, n = 0;

        for (guint dy = 0; dy < 2; dy++)
          for (guint dx = 0; dx < 2; dx++)
            {
              guint sx = MIN (w - 1, 2 * x + dx), sy = MIN (h - 1, 2 * y + dy);
              const guint8 *p = src + ((gsize) sy * w + sx) * 4;
              for (guint c = 0; c < 4; c++)
                sum[c] += p[c];
              n++;
            }
        for (guint c = 0; c < 4; c++)
          dst[((gsize) y * ow + x) * 4 + c] = (guint8) ((sum[c] + n / 2) / n);
      }
  *out_w = ow;
  *out_h = oh;
  return dst;
}

static void
tm_relief_texture_finalize (GObject *object)
{
  TmReliefTexture *self = TM_RELIEF_TEXTURE (object);

  g_clear_pointer (&self->levels, g_ptr_array_unref);

  G_OBJECT_CLASS (tm_relief_texture_parent_class)->finalize (object);
}

static void
tm_relief_texture_class_init (TmReliefTextureClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tm_relief_texture_finalize;
}

static void
tm_relief_texture_init (TmReliefTexture *self)
{
  self->levels = g_ptr_array_new_with_free_func (level_free);
}

/* @surface on a canvas big enough to hold it turned by @deg, turned by @deg about the
 * (common) centre. The canvas keeps the parity of each side so the centres coincide. */
static TmSurface *
turned_surface (TmSurface *surface, double deg)
{
  guint w = tm_surface_get_width (surface), h = tm_surface_get_height (surface);
  double r = deg * G_PI / 180.0, c = fabs (cos (r)), s = fabs (sin (r));
  guint cw = (guint) ceil (c * w + s * h), ch = (guint) ceil (s * w + c * h);
  g_autoptr(TmSurface) canvas = NULL;
  const float *src = tm_surface_peek_data (surface);
  float *dst;
  guint ox, oy;

  cw = MAX (cw, w) + 2;
  ch = MAX (ch, h) + 2;
  if ((cw - w) % 2)
    cw++;
  if ((ch - h) % 2)
    ch++;
  ox = (cw - w) / 2;
  oy = (ch - h) / 2;

  canvas = tm_surface_new (cw, ch, tm_surface_get_pixel_um_x (surface),
                           tm_surface_get_pixel_um_y (surface), tm_surface_get_modality (surface));
  dst = tm_surface_get_data (canvas);
  for (gsize i = 0; i < (gsize) cw * ch; i++)
    dst[i] = NAN;
  for (guint y = 0; y < h; y++)
    memcpy (dst + (gsize) (y + oy) * cw + ox, src + (gsize) y * w, w * sizeof (float));
  tm_surface_sync_mask (canvas);
  return tm_surface_transform (canvas, deg, 0.0, 0.0);
}

TmReliefTexture *
tm_relief_texture_new (TmSurface             *surface,
                       const TmReliefParams  *params,
                       double                 rotation_deg,
                       GError               **error)
{
  g_autoptr(TmReliefTexture) self = NULL;
  g_autoptr(GBytes) rgba = NULL;
  g_autoptr(TmSurface) turned = NULL;
  g_autofree guint8 *level_pixels = NULL;
  const guint8 *src;
  guint w = 0, h = 0;
  gsize n;
  double texel_um;

  g_return_val_if_fail (TM_IS_SURFACE (surface), NULL);
  g_return_val_if_fail (params != NULL, NULL);

  rotation_deg = fmod (rotation_deg, 360.0);
  if (fabs (rotation_deg) > 1e-9)
    surface = turned = turned_surface (surface, rotation_deg);

  rgba = tm_relief_render (surface, params, MAX_RENDER_SIDE, &w, &h, error);
  if (rgba == NULL)
    return NULL;

  self = g_object_new (TM_TYPE_RELIEF_TEXTURE, NULL);
  self->params = *params;
  self->rotation_deg = rotation_deg;
  self->width_um = tm_surface_get_width (surface) * tm_surface_get_pixel_um_x (surface);
  self->height_um = tm_surface_get_height (surface) * tm_surface_get_pixel_um_y (surface);
  /* Downsampling may round the texel count up: spread the surface over the texels. */
  texel_um = self->width_um / w;

  /* RGBA straight alpha → premultiplied, in the byte order of GDK_MEMORY_DEFAULT. */
  n = (gsize) w * h;
  src = g_bytes_get_data (rgba, NULL);
  level_pixels = g_malloc (n * 4);
  for (gsize i = 0; i < n; i++)
    {
      const guint8 *s = src + 4 * i;
      guint8 *d = level_pixels + 4 * i;
      guint a = s[3];
      guint8 r = (guint8) ((s[0] * a + 127) / 255);
      guint8 g = (guint8) ((s[1] * a + 127) / 255);
      guint8 b = (guint8) ((s[2] * a + 127) / 255);

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
      d[0] = b; d[1] = g; d[2] = r; d[3] = (guint8) a;
#else
      d[0] = (guint8) a; d[1] = r; d[2] = g; d[3] = b;
#endif
    }
  g_clear_pointer (&rgba, g_bytes_unref);

  for (;;)
    {
      guint hw, hh;
      guint8 *half;

      g_ptr_array_add (self->levels,
                       level_new (level_pixels, w, h, texel_um,
                                  -0.5 * self->width_um, -0.5 * self->height_um));
      if (MAX (w, h) <= MIN_LEVEL_SIDE)
        break;
      half = halve (level_pixels, w, h, &hw, &hh);
      g_free (level_pixels);
      level_pixels = half;
      /* Odd sides keep their last texel: the level covers the same extent. */
      texel_um = self->width_um / hw;
      w = hw;
      h = hh;
    }

  return g_steal_pointer (&self);
}

const TmReliefParams *
tm_relief_texture_get_params (TmReliefTexture *self)
{
  g_return_val_if_fail (TM_IS_RELIEF_TEXTURE (self), NULL);
  return &self->params;
}

double
tm_relief_texture_get_rotation (TmReliefTexture *self)
{
  g_return_val_if_fail (TM_IS_RELIEF_TEXTURE (self), 0.0);
  return self->rotation_deg;
}

double
tm_relief_texture_get_width_um (TmReliefTexture *self)
{
  g_return_val_if_fail (TM_IS_RELIEF_TEXTURE (self), 0.0);
  return self->width_um;
}

double
tm_relief_texture_get_height_um (TmReliefTexture *self)
{
  g_return_val_if_fail (TM_IS_RELIEF_TEXTURE (self), 0.0);
  return self->height_um;
}

guint
tm_relief_texture_get_n_levels (TmReliefTexture *self)
{
  g_return_val_if_fail (TM_IS_RELIEF_TEXTURE (self), 0);
  return self->levels->len;
}

guint
tm_relief_texture_snapshot (TmReliefTexture       *self,
                            GtkSnapshot           *snapshot,
                            const graphene_rect_t *visible,
                            double                 screen_px_per_um,
                            gboolean               no_shrink)
{
  const Level *level = NULL;
  guint drawn = 0;

  g_return_val_if_fail (TM_IS_RELIEF_TEXTURE (self), 0);

  /* With @no_shrink, the coarsest level whose texels still cover a screen pixel each:
   * Cairo shrinks an image through a box filter many times slower than its bilinear
   * path (a fitted 2,000 px surface took 77 instead of 19 ms a frame). Otherwise the
   * level whose texels are closest to one screen pixel, never more than √2 off. */
  for (guint i = 0; i < self->levels->len; i++)
    {
      const Level *candidate = g_ptr_array_index (self->levels, i);
      double ratio = candidate->texel_um * screen_px_per_um;

      if (no_shrink)
        {
          if (level == NULL || level->texel_um * screen_px_per_um < 1.0)
            level = candidate;
          if (ratio >= 1.0)
            break;
        }
      else if (level == NULL || fabs (log2 (ratio)) < fabs (log2 (level->texel_um * screen_px_per_um)))
        level = candidate;
    }
  if (level == NULL)
    return 0;

  for (guint i = 0; i < level->tiles->len; i++)
    {
      const Tile *tile = &g_array_index (level->tiles, Tile, i);
      graphene_rect_t inter;

      if (visible != NULL && !graphene_rect_intersection (&tile->bounds, visible, &inter))
        continue;
      gtk_snapshot_append_texture (snapshot, tile->texture, &tile->bounds);
      drawn++;
    }
  return drawn;
}
