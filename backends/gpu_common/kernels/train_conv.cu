/* conv2d backward (accel/ops_train.h) with the forward's accel_conv2d_params, groups 1, fp32
 * accumulation, grid-stride over the output gradient's elements in their memory order:
 * - data: dX[n, c, y, x] = sum over k and the taps (r, s) that reach (y, x) from an output pixel of
 *   dY[n, k, p, q] W[k, c, r, s] (the transposed convolution; NHWC has the channel fastest, so
 *   neighbouring threads read one dY value and neighbouring weights);
 * - weights: dW[k, c, r, s] = sum over n and the output pixels of dY[n, k, p, q] X[n, c, y, x].
 * NCHW pairs with KCRS weights, NHWC with KRSC, as the forward kernel. */
#include "accel_gpu_port.h"

__device__ __forceinline__ accel_i64 accel_cb_x(const accel_conv2d_params &p, accel_i64 n, accel_i64 c, accel_i64 y,
                                                accel_i64 x) {
    return p.nhwc ? ((n * p.h + y) * p.w + x) * p.c + c : ((n * p.c + c) * p.h + y) * p.w + x;
}
__device__ __forceinline__ accel_i64 accel_cb_y(const accel_conv2d_params &p, accel_i64 n, accel_i64 k, accel_i64 pi,
                                                accel_i64 qi) {
    return p.nhwc ? ((n * p.p + pi) * p.q + qi) * p.k + k : ((n * p.k + k) * p.p + pi) * p.q + qi;
}
__device__ __forceinline__ accel_i64 accel_cb_w(const accel_conv2d_params &p, accel_i64 k, accel_i64 c, accel_i64 r,
                                                accel_i64 s) {
    return p.nhwc ? ((k * p.r + r) * p.s + s) * p.c + c : ((k * p.c + c) * p.r + r) * p.s + s;
}

template <typename T>
__device__ void accel_conv_bwd_data_impl(const T *dy, const T *w, T *dx, accel_conv2d_params p) {
    const accel_i64 total = p.n * p.c * p.h * p.w;
    ACCEL_GRID_STRIDE_LOOP(i, total) {
        accel_i64 ci, xi, yi, ni;
        if (p.nhwc) {
            ci = i % p.c, xi = (i / p.c) % p.w, yi = (i / (p.c * p.w)) % p.h, ni = i / (p.c * p.w * p.h);
        } else {
            xi = i % p.w, yi = (i / p.w) % p.h, ci = (i / (p.w * p.h)) % p.c, ni = i / (p.w * p.h * p.c);
        }
        float acc = 0.0f;
        for (accel_i64 r = 0; r < p.r; ++r) {
            const accel_i64 ty = yi + p.pad_h - r * p.dil_h;
            if (ty < 0 || ty % p.stride_h) continue;
            const accel_i64 pi = ty / p.stride_h;
            if (pi >= p.p) continue;
            for (accel_i64 s = 0; s < p.s; ++s) {
                const accel_i64 tx = xi + p.pad_w - s * p.dil_w;
                if (tx < 0 || tx % p.stride_w) continue;
                const accel_i64 qi = tx / p.stride_w;
                if (qi >= p.q) continue;
                for (accel_i64 k = 0; k < p.k; ++k)
                    acc += accel_load(dy + accel_cb_y(p, ni, k, pi, qi)) * accel_load(w + accel_cb_w(p, k, ci, r, s));
            }
        }
        accel_store(dx + i, acc);
    }
}

template <typename T>
__device__ void accel_conv_bwd_weights_impl(const T *x, const T *dy, T *dw, accel_conv2d_params p) {
    const accel_i64 total = p.k * p.c * p.r * p.s;
    ACCEL_GRID_STRIDE_LOOP(i, total) {
        accel_i64 ci, si, ri, ki;
        if (p.nhwc) {
            ci = i % p.c, si = (i / p.c) % p.s, ri = (i / (p.c * p.s)) % p.r, ki = i / (p.c * p.s * p.r);
        } else {
            si = i % p.s, ri = (i / p.s) % p.r, ci = (i / (p.s * p.r)) % p.c, ki = i / (p.s * p.r * p.c);
        }
        /* the output rows and columns whose input pixel lies inside the image */
        accel_i64 p0 = 0, p1 = p.p, q0 = 0, q1 = p.q;
        while (p0 < p.p && p0 * p.stride_h - p.pad_h + ri * p.dil_h < 0) ++p0;
        while (p1 > p0 && (p1 - 1) * p.stride_h - p.pad_h + ri * p.dil_h >= p.h) --p1;
        while (q0 < p.q && q0 * p.stride_w - p.pad_w + si * p.dil_w < 0) ++q0;
        while (q1 > q0 && (q1 - 1) * p.stride_w - p.pad_w + si * p.dil_w >= p.w) --q1;
        float acc = 0.0f;
        for (accel_i64 n = 0; n < p.n; ++n)
            for (accel_i64 pi = p0; pi < p1; ++pi) {
                const accel_i64 yi = pi * p.stride_h - p.pad_h + ri * p.dil_h;
                for (accel_i64 qi = q0; qi < q1; ++qi)
                    acc += accel_load(dy + accel_cb_y(p, n, ki, pi, qi)) *
                           accel_load(x + accel_cb_x(p, n, ci, yi, qi * p.stride_w - p.pad_w + si * p.dil_w));
            }
        accel_store(dw + i, acc);
    }
}

#define ACCEL_TRAIN_CONV_ENTRIES(T, sfx)                                                                        \
    extern "C" __global__ void accel_conv_bwd_data_##sfx(const T *dy, const T *w, T *dx, accel_conv2d_params p) { \
        accel_conv_bwd_data_impl<T>(dy, w, dx, p);                                                             \
    }                                                                                                          \
    extern "C" __global__ void accel_conv_bwd_weights_##sfx(const T *x, const T *dy, T *dw,                    \
                                                            accel_conv2d_params p) {                           \
        accel_conv_bwd_weights_impl<T>(x, dy, dw, p);                                                          \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_TRAIN_CONV_ENTRIES)
