#include "cpu_conv_cols.h"

#include "cpu_dtype.h"

void cpu_conv_im2col(const accel_conv2d_desc *d, int64_t p, int64_t q, const void *X, int64_t img0, int64_t count,
                     float *col, int threads) {
    const int64_t K = d->c * d->r * d->s, pq = p * q;
    const int64_t dil_h = d->dil_h > 0 ? d->dil_h : 1, dil_w = d->dil_w > 0 ? d->dil_w : 1;
    const int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t row_index = 0; row_index < count * pq; row_index++) {
        const int64_t img = img0 + row_index / pq, i = row_index % pq;
        const int64_t oy = i / q, ox = i % q;
        float *row = col + row_index * K;
        for (int64_t r = 0; r < d->r; r++) {
            const int64_t iy = oy * d->stride_h - d->pad_h + r * dil_h;
            for (int64_t s = 0; s < d->s; s++) {
                const int64_t ix = ox * d->stride_w - d->pad_w + s * dil_w;
                const int inside = iy >= 0 && iy < d->h && ix >= 0 && ix < d->w;
                if (nhwc) { /* contiguous channels on both sides */
                    float *dst = row + (r * d->s + s) * d->c;
                    const int64_t base = ((img * d->h + iy) * d->w + ix) * d->c;
                    for (int64_t c = 0; c < d->c; c++) dst[c] = inside ? cpu_load(d->x_type, X, base + c) : 0.0f;
                } else {
                    for (int64_t c = 0; c < d->c; c++)
                        row[(c * d->r + r) * d->s + s] =
                            inside ? cpu_load(d->x_type, X, ((img * d->c + c) * d->h + iy) * d->w + ix) : 0.0f;
                }
            }
        }
    }
}

void cpu_conv_col2im(const accel_conv2d_desc *d, int64_t p, int64_t q, const float *col, int64_t img0, int64_t count,
                     void *dX, int threads) {
    const int64_t K = d->c * d->r * d->s, pq = p * q;
    const int64_t dil_h = d->dil_h > 0 ? d->dil_h : 1, dil_w = d->dil_w > 0 ? d->dil_w : 1;
    const int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t row = 0; row < count * d->h; row++) {
        const int64_t local = row / d->h, img = img0 + local, iy = row % d->h;
        for (int64_t ix = 0; ix < d->w; ix++)
            for (int64_t c = 0; c < d->c; c++) {
                float acc = 0.0f;
                for (int64_t r = 0; r < d->r; r++) {
                    const int64_t ty = iy + d->pad_h - r * dil_h; /* = oy * stride_h */
                    if (ty < 0 || ty % d->stride_h) continue;
                    const int64_t oy = ty / d->stride_h;
                    if (oy >= p) continue;
                    for (int64_t s = 0; s < d->s; s++) {
                        const int64_t tx = ix + d->pad_w - s * dil_w;
                        if (tx < 0 || tx % d->stride_w) continue;
                        const int64_t ox = tx / d->stride_w;
                        if (ox >= q) continue;
                        acc += col[(local * pq + oy * q + ox) * K + cpu_conv_col_index(d, c, r, s)];
                    }
                }
                const int64_t at = nhwc ? ((img * d->h + iy) * d->w + ix) * d->c + c
                                        : ((img * d->c + c) * d->h + iy) * d->w + ix;
                cpu_store(d->x_type, dX, at, acc);
            }
    }
}
