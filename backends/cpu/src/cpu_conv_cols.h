/* The column matrix of a convolution on our GEMM engine: one row per output pixel, one column per
 * (input channel, kernel row, kernel column) in the weights' own order (KRSC: r, s, c for NHWC;
 * KCRS: c, r, s for NCHW), so W read as K x (C R S) multiplies it directly. The forward pass fills
 * it from X (im2col); the data gradient folds one back onto X's shape (col2im). */
#ifndef ACCEL_CPU_CONV_COLS_H
#define ACCEL_CPU_CONV_COLS_H

#include <stdint.h>

#include "accel/ops.h"

/* Column index of (c, r, s) for the description's layout. */
static inline int64_t cpu_conv_col_index(const accel_conv2d_desc *d, int64_t c, int64_t r, int64_t s) {
    return d->layout == ACCEL_LAYOUT_NHWC ? (r * d->s + s) * d->c + c : (c * d->r + r) * d->s + s;
}

/* Rows of images img0 .. img0 + count - 1, one after the other, from X (x_type), as fp32. */
void cpu_conv_im2col(const accel_conv2d_desc *d, int64_t p, int64_t q, const void *X, int64_t img0, int64_t count,
                     float *col, int threads);
/* dX of images img0 .. img0 + count - 1 (x_type, the description's layout) = the sum, for each
 * input element, of every column entry the forward read it into. Gathers, so threads never write
 * the same element. */
void cpu_conv_col2im(const accel_conv2d_desc *d, int64_t p, int64_t q, const float *col, int64_t img0, int64_t count,
                     void *dX, int threads);

#endif
