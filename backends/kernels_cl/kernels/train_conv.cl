/* train_conv.cl: conv2d backward (accel/ops_train.h), groups 1, fp32 accumulation.
 *
 * Kernel accel_conv_bwd_data(global const T *dY, long dy_off, global const T *W, long w_off,
 *                            global T *dX, long dx_off, int n, c, h, w, k, r, s, p, q, stride_h,
 *                            stride_w, pad_h, pad_w, dil_h, dil_w)
 *   dX[n, c, y, x] = sum over k and the taps (r, s) that reach (y, x) from an output pixel of
 *   dY[n, k, (y + pad - r dil) / stride, ...] W[k, c, r, s]: the transposed convolution, one
 *   work-item per element of dX in its memory order (NHWC: channel fastest, so neighbouring
 *   work-items read the same dY value and neighbouring weights).
 * Kernel accel_conv_bwd_weights(global const T *X, long x_off, global const T *dY, long dy_off,
 *                               global T *dW, long dw_off, the same 15 ints)
 *   dW[k, c, r, s] = sum over n and the output pixels of dY[n, k, p, q] X[n, c, p stride - pad +
 *   r dil, ...]: one work-item per weight in its memory order, the reduction over n p q in fp32.
 * The first int (n) is 0 in the plugin's warm-up: every work-item returns.
 *
 * Compile-time options: LAYOUT (0 NCHW with KCRS weights, 1 NHWC with KRSC weights), DTYPE. */

#ifndef LAYOUT
#define LAYOUT 0
#endif
#include "accel_storage.h"

#if LAYOUT == 1
#define X_AT(ni, ci, yi, xi) ((((long)(ni) * h + (yi)) * w + (xi)) * c + (ci))
#define Y_AT(ni, ki, pi, qi) ((((long)(ni) * p + (pi)) * q + (qi)) * k + (ki))
#define W_AT(ki, ci, ri, si) ((((long)(ki) * r + (ri)) * s + (si)) * c + (ci))
#else
#define X_AT(ni, ci, yi, xi) ((((long)(ni) * c + (ci)) * h + (yi)) * w + (xi))
#define Y_AT(ni, ki, pi, qi) ((((long)(ni) * k + (ki)) * p + (pi)) * q + (qi))
#define W_AT(ki, ci, ri, si) ((((long)(ki) * c + (ci)) * r + (ri)) * s + (si))
#endif

__kernel void accel_conv_bwd_data(__global const T *dY, const long dy_off, __global const T *W, const long w_off,
                                  __global T *dX, const long dx_off, const int n, const int c, const int h,
                                  const int w, const int k, const int r, const int s, const int p, const int q,
                                  const int stride_h, const int stride_w, const int pad_h, const int pad_w,
                                  const int dil_h, const int dil_w) {
    const long i = get_global_id(0);
    if (i >= (long)n * c * h * w)
        return;
    dY += dy_off;
    W += w_off;
#if LAYOUT == 1
    const int ci = (int)(i % c), xi = (int)((i / c) % w), yi = (int)((i / ((long)c * w)) % h);
    const int ni = (int)(i / ((long)c * w * h));
#else
    const int xi = (int)(i % w), yi = (int)((i / w) % h), ci = (int)((i / ((long)w * h)) % c);
    const int ni = (int)(i / ((long)w * h * c));
#endif
    float acc = 0.0f;
    for (int ri = 0; ri < r; ri++) {
        const int ty = yi + pad_h - ri * dil_h;
        if (ty < 0 || ty % stride_h)
            continue;
        const int pi = ty / stride_h;
        if (pi >= p)
            continue;
        for (int si = 0; si < s; si++) {
            const int tx = xi + pad_w - si * dil_w;
            if (tx < 0 || tx % stride_w)
                continue;
            const int qi = tx / stride_w;
            if (qi >= q)
                continue;
            for (int ki = 0; ki < k; ki++)
                acc += LOAD(dY, Y_AT(ni, ki, pi, qi)) * LOAD(W, W_AT(ki, ci, ri, si));
        }
    }
    STORE(dX, dx_off + i, acc);
}

__kernel void accel_conv_bwd_weights(__global const T *X, const long x_off, __global const T *dY, const long dy_off,
                                     __global T *dW, const long dw_off, const int n, const int c, const int h,
                                     const int w, const int k, const int r, const int s, const int p, const int q,
                                     const int stride_h, const int stride_w, const int pad_h, const int pad_w,
                                     const int dil_h, const int dil_w) {
    const long i = get_global_id(0);
    if (n == 0 || i >= (long)k * c * r * s)
        return;
    X += x_off;
    dY += dy_off;
#if LAYOUT == 1
    const int ci = (int)(i % c), si = (int)((i / c) % s), ri = (int)((i / ((long)c * s)) % r);
    const int ki = (int)(i / ((long)c * s * r));
#else
    const int si = (int)(i % s), ri = (int)((i / s) % r), ci = (int)((i / ((long)s * r)) % c);
    const int ki = (int)(i / ((long)s * r * c));
#endif
    /* the output rows and columns whose input pixel lies inside the image */
    int p0 = 0, p1 = p, q0 = 0, q1 = q;
    while (p0 < p && p0 * stride_h - pad_h + ri * dil_h < 0) p0++;
    while (p1 > p0 && (p1 - 1) * stride_h - pad_h + ri * dil_h >= h) p1--;
    while (q0 < q && q0 * stride_w - pad_w + si * dil_w < 0) q0++;
    while (q1 > q0 && (q1 - 1) * stride_w - pad_w + si * dil_w >= w) q1--;
    float acc = 0.0f;
    for (int ni = 0; ni < n; ni++)
        for (int pi = p0; pi < p1; pi++) {
            const int yi = pi * stride_h - pad_h + ri * dil_h;
            for (int qi = q0; qi < q1; qi++)
                acc += LOAD(dY, Y_AT(ni, ki, pi, qi)) * LOAD(X, X_AT(ni, ci, yi, qi * stride_w - pad_w + si * dil_w));
        }
    STORE(dW, dw_off + i, acc);
}
