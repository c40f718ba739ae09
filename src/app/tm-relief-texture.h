/* tm-relief-texture.h — a rendered surface as mipmapped, tiled GdkTextures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tm-relief.h"
#include "tm-surface.h"

G_BEGIN_DECLS

#define TM_TYPE_RELIEF_MODE (tm_relief_mode_get_type ())
GType tm_relief_mode_get_type (void);

#define TM_TYPE_RELIEF_TEXTURE (tm_relief_texture_get_type ())

G_DECLARE_FINAL_TYPE (TmReliefTexture, tm_relief_texture, TM, RELIEF_TEXTURE, GObject)

/* Renders @surface (tm_relief_render) and uploads it as tiles; may run in any thread.
 * A non-zero @rotation_deg turns the surface (clockwise on screen, about its centre)
 * before shading it: the texture is then drawn unrotated where the surface is shown
 * turned by that angle (see tm-relief-texture.c for why). */
TmReliefTexture      *tm_relief_texture_new          (TmSurface             *surface,
                                                      const TmReliefParams  *params,
                                                      double                 rotation_deg,
                                                      GError               **error);
const TmReliefParams *tm_relief_texture_get_params   (TmReliefTexture       *self);
double                tm_relief_texture_get_rotation (TmReliefTexture       *self);
/* The size the (turned) surface covers, in µm; it is drawn centred on the origin. */
double                tm_relief_texture_get_width_um (TmReliefTexture       *self);
double                tm_relief_texture_get_height_um (TmReliefTexture      *self);
guint                 tm_relief_texture_get_n_levels (TmReliefTexture       *self);
/* Appends the tiles of the level that suits @screen_px_per_um which intersect @visible
 * (µm, centred coordinates; NULL = all), in the current (µm) coordinate system. With
 * @no_shrink the level is never smaller than the screen (for the Cairo renderer, which
 * shrinks images slowly). Returns the number of tiles appended. */
guint                 tm_relief_texture_snapshot     (TmReliefTexture       *self,
                                                      GtkSnapshot           *snapshot,
                                                      const graphene_rect_t *visible,
                                                      double                 screen_px_per_um,
                                                      gboolean               no_shrink);

G_END_DECLS
