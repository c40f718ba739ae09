/* tm-fft.h — FFTW single-precision 2D real transforms with a process-wide plan cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <fftw3.h>

G_BEGIN_DECLS

/* A pair of plans (real → half-complex forward, half-complex → real inverse) for one
 * rows × cols size. Plans live until the process exits and may be used from any thread:
 * only planning is serialised, execution uses FFTW's new-array execute functions. */
typedef struct _TmFftPlan TmFftPlan;

const TmFftPlan *tm_fft_plan_get        (int              rows,
                                         int              cols);
int              tm_fft_plan_rows       (const TmFftPlan *plan);
int              tm_fft_plan_cols       (const TmFftPlan *plan);
/* Number of complex values of the half spectrum: rows × (cols / 2 + 1). */
gsize            tm_fft_plan_n_complex  (const TmFftPlan *plan);

/* Unnormalised transforms. Arrays must come from tm_fft_alloc_*() (SIMD alignment).
 * The inverse destroys its input, as FFTW's c2r does. */
void             tm_fft_forward         (const TmFftPlan *plan,
                                         float           *in,
                                         fftwf_complex   *out);
void             tm_fft_inverse         (const TmFftPlan *plan,
                                         fftwf_complex   *in,
                                         float           *out);

float           *tm_fft_alloc_real      (gsize            n);
fftwf_complex   *tm_fft_alloc_complex   (gsize            n);
void             tm_fft_free            (gpointer         p);

/* The smallest n' ≥ n whose only prime factors are 2, 3, 5 and 7 (fast FFTW sizes). */
int              tm_fft_good_size       (int              n);
/* The smallest even n' ≥ n whose only prime factors are 2, 3 and 5: FFTW's single-
 * precision 2D real transforms are about twice as fast on these as on odd sizes or
 * multiples of 7 of about the same size (105² takes 33 µs, 108² 17 µs here). */
int              tm_fft_fast_size       (int              n);

G_END_DECLS
