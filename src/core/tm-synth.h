/* tm-synth.h — synthetic breech-face topographies with known ground truth
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "tm-surface.h"

G_BEGIN_DECLS

#define TM_SYNTH_ERROR (tm_synth_error_quark ())

typedef enum
{
  TM_SYNTH_ERROR_INVALID,
} TmSynthError;

GQuark tm_synth_error_quark (void);

/**
 * TmSynthClass:
 * @TM_SYNTH_CLASS_ANY: let the firearm's seed choose one of the classes below
 * @TM_SYNTH_CLASS_PARALLEL: straight striations at a firearm-specific angle
 * @TM_SYNTH_CLASS_ARCHED: concentric arcs around a centre outside the breech face
 * @TM_SYNTH_CLASS_GRANULAR: a coarser isotropic texture
 *
 * Breech-face mark classes (named as in the OpenFMC enumeration).
 */
typedef enum
{
  TM_SYNTH_CLASS_ANY,
  TM_SYNTH_CLASS_PARALLEL,
  TM_SYNTH_CLASS_ARCHED,
  TM_SYNTH_CLASS_GRANULAR,
} TmSynthClass;

const char *tm_synth_class_to_string (TmSynthClass mark_class);

/**
 * TmSynthParams:
 * @size: side of the square scan in pixels
 * @pixel_um: pixel size in µm (x and y)
 * @radius_fraction: radius of the primer (the valid disc) as a fraction of @size
 * @pin_fraction: firing-pin hole radius as a fraction of the primer radius
 * @rms_um: rms height of a shot before contact damping, µm
 * @short_cutoff_um: short (λs) Gaussian cutoff of the textures, µm
 * @long_cutoff_um: long (λc) Gaussian cutoff of the textures, µm
 * @noise_min: smallest shot-to-shot noise rms, relative to the firearm texture
 * @noise_max: largest one (each shot draws uniformly in between)
 * @max_shift_fraction: largest random shift per axis, as a fraction of @size
 * @contact_probability: probability that a shot has a sector of poor contact
 * @dropouts: mean number of small NaN blobs per shot
 * @mark_class: the class marks, or %TM_SYNTH_CLASS_ANY for a per-firearm choice
 *
 * Initialise with tm_synth_params_init() and change what you need; the defaults are a
 * 400 × 400 px scan at 6.25 µm of a 1.2 mm breech face, band-limited to 16–250 µm.
 */
typedef struct
{
  guint        size;
  double       pixel_um;
  double       radius_fraction;
  double       pin_fraction;
  double       rms_um;
  double       short_cutoff_um;
  double       long_cutoff_um;
  double       noise_min;
  double       noise_max;
  double       max_shift_fraction;
  double       contact_probability;
  double       dropouts;
  TmSynthClass mark_class;
} TmSynthParams;

void     tm_synth_params_init     (TmSynthParams       *params);
gboolean tm_synth_params_validate (const TmSynthParams *params,
                                   GError             **error);

/**
 * TmSynthPose:
 * @rotation_deg: rotation of the firearm's marks, counter-clockwise as displayed
 *   (row 0 at the top)
 * @shift_x_um: translation to the right, µm
 * @shift_y_um: translation downwards (towards higher rows), µm
 *
 * Where a shot's marks sit in its scan. With positions measured in µm from the scan's
 * centre, x to the right and y downwards, a mark at firearm position u appears at
 * x = R(rotation) · u + shift, where R(θ) = [cos θ, sin θ; −sin θ, cos θ] (counter-
 * clockwise on screen because y points down). The identity pose puts the firearm frame
 * on the scan frame.
 */
typedef struct
{
  double rotation_deg;
  double shift_x_um;
  double shift_y_um;
} TmSynthPose;

/* Maps a point (µm from the centre, y down) of the firearm frame into the scan. */
void tm_synth_pose_apply   (const TmSynthPose *pose,
                            double             u,
                            double             v,
                            double            *out_x,
                            double            *out_y);
/* The pose that undoes @pose: apply (pose, apply (inverse, p)) = p. */
void tm_synth_pose_invert  (const TmSynthPose *pose,
                            TmSynthPose       *out_inverse);
/* The transform from scan @from to scan @to of the same shot or firearm:
 * x_to = R(out.rotation) · x_from + out.shift (the "known answer" for a registration). */
void tm_synth_pose_between (const TmSynthPose *from,
                            const TmSynthPose *to,
                            TmSynthPose       *out_relative);

/* A well-mixed 64-bit seed for item @index of a run seeded with @seed (splitmix64), so
 * firearm k of seed s never depends on how many firearms are generated. */
guint64 tm_synth_derive_seed (guint64 seed,
                              guint64 index);

typedef struct _TmSynthFirearm TmSynthFirearm;

/* A firearm: its own band-limited texture and class marks, fully determined by @seed
 * and @params (%NULL for the defaults). Immutable once made: shots may be drawn from
 * several threads at once. Returns %NULL with an error for invalid parameters. */
TmSynthFirearm *tm_synth_firearm_new       (guint64              seed,
                                            const TmSynthParams *params,
                                            GError             **error);
void            tm_synth_firearm_free      (TmSynthFirearm      *firearm);
TmSynthClass    tm_synth_firearm_get_class (TmSynthFirearm      *firearm);
const TmSynthParams *
                tm_synth_firearm_get_params (TmSynthFirearm     *firearm);
/* The firing-pin hole in the firearm frame (µm from the centre, y down). */
void            tm_synth_firearm_get_pin   (TmSynthFirearm      *firearm,
                                            double              *out_u,
                                            double              *out_v,
                                            double              *out_radius_um);

/* One shot (a fired cartridge case) as a 3D surface in µm: the firearm's texture plus
 * independent shot noise, partial contact, dropouts and the firing-pin hole, placed
 * in the scan by a random pose drawn from @shot_seed (returned in @out_pose), NaN
 * outside the primer. The same (firearm, shot_seed) always gives the same surface. */
TmSurface *tm_synth_shot    (TmSynthFirearm    *firearm,
                             guint64            shot_seed,
                             TmSynthPose       *out_pose);
/* The same shot (same noise, contact and dropouts) placed at @pose instead of its own
 * random one; tm_synth_shot_at (f, s, p) with p from tm_synth_shot (f, s, &p) is
 * bit-identical to it. For registration tests with a known rotation and shift. */
TmSurface *tm_synth_shot_at (TmSynthFirearm    *firearm,
                             guint64            shot_seed,
                             const TmSynthPose *pose);

/* Resamples @surface (bilinear; NaN where any neighbour is NaN) so that a point at p
 * in @surface appears at apply (@pose, p) in the result, which has the same size. E.g.
 * with the inverse of a shot's pose it puts the shot back in the firearm frame. */
TmSurface *tm_synth_transform_surface (TmSurface         *surface,
                                       const TmSynthPose *pose);

/* Pearson correlation of two surfaces of equal size over the points valid in both;
 * NaN when fewer than @min_points points overlap. */
double     tm_synth_correlation       (TmSurface         *a,
                                       TmSurface         *b,
                                       gsize              min_points,
                                       gsize             *out_overlap);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmSynthFirearm, tm_synth_firearm_free)

G_END_DECLS
