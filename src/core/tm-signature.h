/* tm-signature.h — compact rotation- and translation-invariant pre-score descriptors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tm-surface.h"

G_BEGIN_DECLS

#define TM_SIGNATURE_ERROR (tm_signature_error_quark ())

typedef enum
{
  TM_SIGNATURE_ERROR_EMPTY,     /* too few valid points for a spectrum */
  TM_SIGNATURE_ERROR_INVALID,   /* a stored signature of another version or size */
} TmSignatureError;

GQuark tm_signature_error_quark (void);

/* Bumped whenever the descriptor changes: stored signatures of another version are
 * refused (toolmark-cli reprocess recomputes them). */
#define TM_SIGNATURE_VERSION 3
/* Number of floats in a signature. */
#define TM_SIGNATURE_P_RINGS     8
#define TM_SIGNATURE_P_HARMONICS 24
#define TM_SIGNATURE_DIM     (16 * 7 + 2 * TM_SIGNATURE_P_RINGS * TM_SIGNATURE_P_HARMONICS)

/* The descriptor of a preprocessed surface (tm_preprocess_surface): TM_SIGNATURE_DIM
 * floats in two L2-normalised parts. The spectral part (ring/sector power spectrum
 * harmonics) is invariant to rotation and translation and compared by a dot product;
 * the polar part (angular harmonics of rings around the firing-pin hole) is compared at
 * the best relative rotation by tm_signature_score(). See tm-signature.c. */
float   *tm_signature_compute     (TmSurface    *preprocessed,
                                   GError      **error);
/* The pre-score of two signatures, in [−1, 1], higher = more similar. */
float    tm_signature_score       (const float  *a,
                                   const float  *b);
/* Dot product of the first @n values. */
float    tm_signature_dot_n       (const float  *a,
                                   const float  *b,
                                   int           n);
/* Relative weights of the spectral and polar parts (defaults 0.5, 0.5); for tuning. */
void     tm_signature_set_weights (double        spectral,
                                   double        polar);

/* Storage: a small header (version, dimension) and the floats as int8 with one scale,
 * TM_SIGNATURE_DIM + 8 bytes. */
GBytes  *tm_signature_to_bytes    (const float  *signature);
/* Decodes into @out (TM_SIGNATURE_DIM floats). */
gboolean tm_signature_from_bytes  (GBytes       *bytes,
                                   float        *out,
                                   GError      **error);

/* ---- a set of signatures streamed by the pre-score stage ---- */

typedef struct _TmSignatureSet TmSignatureSet;

TmSignatureSet *tm_signature_set_new      (gsize                  reserve);
void            tm_signature_set_free     (TmSignatureSet        *set);
void            tm_signature_set_add      (TmSignatureSet        *set,
                                           gint64                 id,
                                           const float           *signature);
gsize           tm_signature_set_get_size (const TmSignatureSet  *set);
gint64          tm_signature_set_get_id   (const TmSignatureSet  *set,
                                           gsize                  index);
const float    *tm_signature_set_get      (const TmSignatureSet  *set,
                                           gsize                  index);
/* Pre-scores every signature of @set against @query into @out_scores (one float per
 * member, in order), on @n_threads threads (0: all cores). Returns FALSE only when
 * @cancellable was cancelled. */
gboolean        tm_signature_set_prescore (const TmSignatureSet  *set,
                                           const float           *query,
                                           float                 *out_scores,
                                           guint                  n_threads,
                                           GCancellable          *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmSignatureSet, tm_signature_set_free)

G_END_DECLS
