/* tm-surface.h — a measured surface: 3D heights or 2D intensities on a regular grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * TmModality:
 * @TM_MODALITY_3D: samples are heights in micrometres (topography, e.g. X3P)
 * @TM_MODALITY_2D: samples are intensities (a grey image; 8-bit images in 0..255)
 */
typedef enum
{
  TM_MODALITY_3D,
  TM_MODALITY_2D,
} TmModality;

const char *tm_modality_to_string   (TmModality  modality);
gboolean    tm_modality_from_string (const char *str,
                                     TmModality *out_modality);

/* Keys of the source metadata (X3P Record2, TIFF tags, …). Values are strings. */
#define TM_META_DATE                     "date"
#define TM_META_CREATOR                  "creator"
#define TM_META_COMMENT                  "comment"
#define TM_META_INSTRUMENT_MANUFACTURER  "instrument.manufacturer"
#define TM_META_INSTRUMENT_MODEL         "instrument.model"
#define TM_META_INSTRUMENT_SERIAL        "instrument.serial"
#define TM_META_INSTRUMENT_VERSION       "instrument.version"
#define TM_META_CALIBRATION_DATE         "calibration-date"
#define TM_META_PROBING_TYPE             "probing.type"
#define TM_META_PROBING_IDENTIFICATION   "probing.identification"
#define TM_META_SOURCE_FORMAT            "source.format"   /* "x3p", "tiff", "png" */
#define TM_META_SOURCE_UNITS             "source.units"    /* "m", "um", "grey" … */
#define TM_META_SOURCE_DATA_TYPE         "source.data-type" /* X3P I/L/F/D, TIFF bits */

/* Hard limits protecting every reader from absurd or hostile declarations. A real
 * cartridge-case scan is below 4k × 4k; 16k × 16k samples (1 GiB of floats) is refused. */
#define TM_SURFACE_MAX_SIDE     16384
#define TM_SURFACE_MAX_SAMPLES  (G_GUINT64_CONSTANT (16384) * 16384)

#define TM_TYPE_SURFACE (tm_surface_get_type ())

G_DECLARE_FINAL_TYPE (TmSurface, tm_surface, TM, SURFACE, GObject)

TmSurface    *tm_surface_new              (guint        width,
                                           guint        height,
                                           double       pixel_um_x,
                                           double       pixel_um_y,
                                           TmModality   modality);
TmSurface    *tm_surface_copy             (TmSurface   *self);
guint         tm_surface_get_width        (TmSurface   *self);
guint         tm_surface_get_height       (TmSurface   *self);
double        tm_surface_get_pixel_um_x   (TmSurface   *self);
double        tm_surface_get_pixel_um_y   (TmSurface   *self);
void          tm_surface_set_pixel_um     (TmSurface   *self,
                                           double       pixel_um_x,
                                           double       pixel_um_y);
TmModality    tm_surface_get_modality     (TmSurface   *self);
float        *tm_surface_get_data         (TmSurface   *self);
const float  *tm_surface_peek_data        (TmSurface   *self);
guint8       *tm_surface_get_mask         (TmSurface   *self);
const guint8 *tm_surface_peek_mask        (TmSurface   *self);
void          tm_surface_sync_mask        (TmSurface   *self);
void          tm_surface_apply_mask       (TmSurface   *self,
                                           const guint8 *keep);
gsize         tm_surface_count_valid      (TmSurface   *self);
double        tm_surface_valid_fraction   (TmSurface   *self);
gboolean      tm_surface_get_range        (TmSurface   *self,
                                           float       *out_min,
                                           float       *out_max);
const char   *tm_surface_get_meta         (TmSurface   *self,
                                           const char  *key);
void          tm_surface_set_meta         (TmSurface   *self,
                                           const char  *key,
                                           const char  *value);
GHashTable   *tm_surface_get_meta_table   (TmSurface   *self);
gboolean      tm_surface_equal            (TmSurface   *a,
                                           TmSurface   *b);

G_END_DECLS
