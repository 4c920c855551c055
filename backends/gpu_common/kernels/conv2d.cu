/* conv2d as an implicit GEMM (library "accel"): M = N*P*Q output pixels, N = K output channels,
 * K = C*R*S. A(pixel, crs) is gathered from X on the fly (no im2col buffer); B(crs, k) is the
 * weight tensor read in place: KCRS for NCHW, KRSC for NHWC, so W is [K][C*R*S] in both layouts
 * with the reduction index ordered like the input's channel position.
 * Y = act(conv(X, W) + bias + residual), residual shaped like Y. */
#include "accel_gpu_tile.h"

template <typename T> struct accel_conv_load_x {
    const T *x; accel_conv2d_params p;
    __device__ float operator()(accel_i64 pix, accel_i64 red) const {
        const accel_i64 img = pix / (p.p * p.q), pq = pix % (p.p * p.q);
        const accel_i64 oh = pq / p.q, ow = pq % p.q;
        accel_i64 ci, ri, si;
        if (p.nhwc) { ri = red / (p.s * p.c); si = (red / p.c) % p.s; ci = red % p.c; }
        else { ci = red / (p.r * p.s); ri = (red / p.s) % p.r; si = red % p.s; }
        const accel_i64 ih = oh * p.stride_h - p.pad_h + ri * p.dil_h;
        const accel_i64 iw = ow * p.stride_w - p.pad_w + si * p.dil_w;
        if (ih < 0 || ih >= p.h || iw < 0 || iw >= p.w) return 0.0f;
        return accel_load(p.nhwc ? x + ((img * p.h + ih) * p.w + iw) * p.c + ci
                                 : x + ((img * p.c + ci) * p.h + ih) * p.w + iw);
    }
};
template <typename T> struct accel_conv_load_w {
    const T *w; accel_i64 red_len;
    __device__ float operator()(accel_i64 red, accel_i64 ko) const { return accel_load(w + ko * red_len + red); }
};
template <typename T> struct accel_conv_store {
    T *y; const T *bias; const T *res; accel_conv2d_params p;
    __device__ void operator()(accel_i64 pix, accel_i64 ko, float acc) const {
        accel_i64 idx;
        if (p.nhwc) idx = pix * p.k + ko;
        else {
            const accel_i64 img = pix / (p.p * p.q), pq = pix % (p.p * p.q);
            idx = (img * p.k + ko) * p.p * p.q + pq;
        }
        float v = acc;
        if (bias) v += accel_load(bias + ko);
        if (res) v += accel_load(res + idx);
        accel_store(y + idx, p.relu ? accel_activate(v, ACCEL_ACT_RELU) : v);
    }
};

template <typename T>
__device__ void accel_conv2d_impl(const T *x, const T *w, const T *bias, const T *res, T *y,
                                  const accel_conv2d_params &p) {
    const accel_i64 M = p.n * p.p * p.q, N = p.k, K = p.c * p.r * p.s;
    const accel_i64 m0 = (accel_i64)blockIdx.y * ACCEL_TILE_M, n0 = (accel_i64)blockIdx.x * ACCEL_TILE_N;
    accel_conv_load_x<T> lx = {x, p};
    accel_conv_load_w<T> lw = {w, K};
    accel_conv_store<T> st = {y, bias, res, p};
    accel_tile_gemm<float>(M, N, K, m0, n0, lx, lw, st);
}

#define ACCEL_CONV2D_ENTRY(T, sfx)                                                            \
    extern "C" __global__ void __launch_bounds__(ACCEL_TILE_THREADS)                          \
    accel_conv2d_##sfx(const T *x, const T *w, const T *bias, const T *res, T *y,             \
                       const accel_conv2d_params p) {                                         \
        accel_conv2d_impl<T>(x, w, bias, res, y, p);                                          \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_CONV2D_ENTRY)
