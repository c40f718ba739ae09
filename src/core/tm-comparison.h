/* tm-comparison.h — the result of comparing two preprocessed surfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tm-cmc.h"
#include "tm-registration.h"

G_BEGIN_DECLS

/**
 * TmCmcCombine:
 * @TM_CMC_COMBINE_MIN: the smaller of the two directions (Tong 2015)
 * @TM_CMC_COMBINE_MEAN: their mean
 */
typedef enum
{
  TM_CMC_COMBINE_MIN,
  TM_CMC_COMBINE_MEAN,
} TmCmcCombine;

typedef enum
{
  TM_COMPARISON_A_TO_B,
  TM_COMPARISON_B_TO_A,
} TmComparisonDirection;

/**
 * TmCompareParams:
 * @registration: the global registration (defaults: tm_registration_params_init())
 * @cmc: the cells (defaults: tm_cmc_params_init())
 * @combine: how the two directions make one score (default MEAN, see tm-comparison.c)
 */
typedef struct
{
  TmRegistrationParams registration;
  TmCmcParams          cmc;
  TmCmcCombine         combine;
} TmCompareParams;

void tm_compare_params_init (TmCompareParams *params);

/* Per-surface data a search caches per acquisition: the pyramid and the CMC cells. */
typedef struct _TmCompareData TmCompareData;

TmCompareData *tm_compare_data_new  (TmSurface             *preprocessed,
                                     const TmCompareParams *params);
void           tm_compare_data_free (TmCompareData         *data);
/* For a surface compared as A (the first argument of tm_compare_data) with many others,
 * e.g. a search query: computes A's rotated coarse spectra once (about 10 ms and 20 MB
 * for a 550 px scan) so each comparison skips that work, a third of the registration.
 * Results are unchanged up to sub-pixel placement. Call it before @data is shared
 * between threads; release_query frees the cache again. */
void           tm_compare_data_prepare_query (TmCompareData         *data,
                                              const TmCompareParams *params);
void           tm_compare_data_release_query (TmCompareData         *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmCompareData, tm_compare_data_free)

#define TM_TYPE_COMPARISON (tm_comparison_get_type ())

G_DECLARE_FINAL_TYPE (TmComparison, tm_comparison, TM, COMPARISON, GObject)

/* Both surfaces must already be preprocessed (tm_preprocess_surface) to one pixel size. */
TmComparison    *tm_compare_surfaces          (TmSurface             *a,
                                               TmSurface             *b,
                                               const TmCompareParams *params,
                                               GCancellable          *cancellable,
                                               GError               **error);
TmComparison    *tm_compare_data              (const TmCompareData   *a,
                                               const TmCompareData   *b,
                                               const TmCompareParams *params,
                                               GCancellable          *cancellable,
                                               GError               **error);

/* The score candidates are ranked by: the combined CMC count (higher = more similar). */
double           tm_comparison_get_score      (TmComparison          *self);
guint            tm_comparison_get_cmc        (TmComparison          *self,
                                               TmComparisonDirection  direction);
guint            tm_comparison_get_initial_cmc (TmComparison         *self,
                                               TmComparisonDirection  direction);
double           tm_comparison_get_accf       (TmComparison          *self);
/* The pose A → B (see #TmRegistration). */
const TmRegistration *tm_comparison_get_registration (TmComparison  *self);
double           tm_comparison_get_angle_deg  (TmComparison          *self);
double           tm_comparison_get_dx_um      (TmComparison          *self);
double           tm_comparison_get_dy_um      (TmComparison          *self);
/* The cells of one direction (A → B: cells on A; B → A: cells on B). */
const TmCmcCell *tm_comparison_get_cells      (TmComparison          *self,
                                               TmComparisonDirection  direction,
                                               guint                 *n_cells);
/* Wall time of the comparison itself, in seconds. */
double           tm_comparison_get_seconds    (TmComparison          *self);

G_END_DECLS
