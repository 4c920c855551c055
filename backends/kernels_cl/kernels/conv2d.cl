/* conv2d.cl: 2-D convolution (cross-correlation) as an implicit GEMM, no im2col buffer.
 *
 * Kernel accel_conv2d(global const T *X, long x_off, global const T *W, long w_off,
 *                     global const T *bias, long bias_off, global const T *R, long r_off,
 *                     global T *Y, long y_off,
 *                     int n, int c, int h, int w, int k, int r, int s, int p, int q,
 *                     int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w,
 *                     int flags)
 *   Y = act(conv(X, W) + bias + R); flags: 2 bias, 4 relu, 32 residual. Offsets in elements.
 *   LAYOUT 0 (NCHW, weights KCRS): GEMM rows = output channels, columns = output pixels (n,p,q),
 *     depth = c*r*s; Y[n][k][p][q].
 *   LAYOUT 1 (NHWC, weights KRSC): GEMM rows = output pixels, columns = output channels,
 *     depth = r*s*c; Y[n][p][q][k].
 *   Work-group (TSN/WPTN, TSM/WPTM, 1); grid ceil(cols/TSN) x ceil(rows/TSM) x 1.
 *
 * Compile-time options: LAYOUT (0/1), TSM TSN TSK WPTM WPTN, DTYPE (0 f32, 1 f16 storage via
 * vload_half, 2 bf16 as ushort). fp32 math. */

#ifndef TSM
#define TSM 64
#endif
#ifndef TSN
#define TSN 64
#endif
#ifndef TSK
#define TSK 16
#endif
#ifndef WPTM
#define WPTM 4
#endif
#ifndef WPTN
#define WPTN 4
#endif
#ifndef LAYOUT
#define LAYOUT 0
#endif

/* Remainders are written as v - q * d: llvm-spirv 14 cannot translate the `freeze` clang emits
 * when it pairs a `/` with a `%` of the same operands. */
#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)
#define WGS (RTSM * RTSN)

#include "accel_storage.h"

typedef struct conv_geom {
    int n, c, h, w, k, r, s, p, q, sh, sw, ph, pw, dh, dw;
} conv_geom;

/* Input value feeding output pixel `pix` at filter tap (ci, ri, si); 0 in the padding. */
inline float conv_input(__global const T *X, const conv_geom *g, int pix, int ci, int ri, int si) {
    const int pq = g->p * g->q;
    const int ni = pix / pq, rem = pix - ni * pq;
    const int pi = rem / g->q, qi = rem - pi * g->q;
    const int hi = pi * g->sh - g->ph + ri * g->dh;
    const int wi = qi * g->sw - g->pw + si * g->dw;
    if (hi < 0 || hi >= g->h || wi < 0 || wi >= g->w)
        return 0.0f;
#if LAYOUT == 0
    return LOAD(X, (((long)ni * g->c + ci) * g->h + hi) * g->w + wi);
#else
    return LOAD(X, (((long)ni * g->h + hi) * g->w + wi) * g->c + ci);
#endif
}

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1))) void
accel_conv2d(__global const T *X, const long x_off, __global const T *W, const long w_off,
             __global const T *bias, const long bias_off, __global const T *R, const long r_off,
             __global T *Y, const long y_off, const int n, const int c, const int h, const int w,
             const int k, const int r, const int s, const int p, const int q, const int stride_h,
             const int stride_w, const int pad_h, const int pad_w, const int dil_h, const int dil_w,
             const int flags) {
    __local float As[TSK * TSM];
    __local float Bs[TSK * TSN];
    conv_geom g = {n, c, h, w, k, r, s, p, q, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w};
    X += x_off;
    W += w_off;
    const int pixels = n * p * q;
    const int depth = c * r * s;
#if LAYOUT == 0
    const int M = k, N = pixels;
#else
    const int M = pixels, N = k;
#endif
    const int tid0 = get_local_id(0), tid1 = get_local_id(1);
    const int tid = tid1 * RTSN + tid0;
    const int n0 = get_group_id(0) * TSN, m0 = get_group_id(1) * TSM;

    float acc[WPTM][WPTN];
#pragma unroll
    for (int wm = 0; wm < WPTM; wm++)
#pragma unroll
        for (int wn = 0; wn < WPTN; wn++)
            acc[wm][wn] = 0.0f;

    for (int k0 = 0; k0 < depth; k0 += TSK) {
#pragma unroll
        for (int l = 0; l < (TSM * TSK) / WGS; l++) {
            const int v = tid + l * WGS;
            const int mm = v / TSK, kk = v - mm * TSK;
            const int gm = m0 + mm, gk = k0 + kk;
            float x = 0.0f;
            if (gm < M && gk < depth) {
#if LAYOUT == 0
                x = LOAD(W, (long)gm * depth + gk); /* weights KCRS: row gm, tap gk */
#else
                const int ri = gk / (s * c), sc = gk - ri * (s * c), si = sc / c, ci = sc - si * c;
                x = conv_input(X, &g, gm, ci, ri, si);
#endif
            }
            As[kk * TSM + mm] = x;
        }
#pragma unroll
        for (int l = 0; l < (TSN * TSK) / WGS; l++) {
            const int v = tid + l * WGS;
#if LAYOUT == 0
            const int kk = v / TSN, nn = v - kk * TSN; /* neighbouring work-items: neighbouring pixels */
#else
            const int nn = v / TSK, kk = v - nn * TSK; /* neighbouring work-items: neighbouring taps */
#endif
            const int gn = n0 + nn, gk = k0 + kk;
            float x = 0.0f;
            if (gn < N && gk < depth) {
#if LAYOUT == 0
                const int ci = gk / (r * s), rs = gk - ci * (r * s), ri = rs / s, si = rs - ri * s;
                x = conv_input(X, &g, gn, ci, ri, si);
#else
                x = LOAD(W, (long)gn * depth + gk); /* weights KRSC: row gn, tap gk */
#endif
            }
            Bs[kk * TSN + nn] = x;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
        for (int kk = 0; kk < TSK; kk++) {
            float a[WPTM], b[WPTN];
#pragma unroll
            for (int wm = 0; wm < WPTM; wm++)
                a[wm] = As[kk * TSM + tid1 + wm * RTSM];
#pragma unroll
            for (int wn = 0; wn < WPTN; wn++)
                b[wn] = Bs[kk * TSN + tid0 + wn * RTSN];
#pragma unroll
            for (int wm = 0; wm < WPTM; wm++)
#pragma unroll
                for (int wn = 0; wn < WPTN; wn++)
                    acc[wm][wn] = fma(a[wm], b[wn], acc[wm][wn]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    bias += bias_off;
    R += r_off;
    Y += y_off;
    const int pq = p * q;
#pragma unroll
    for (int wm = 0; wm < WPTM; wm++) {
        const int row = m0 + tid1 + wm * RTSM;
#pragma unroll
        for (int wn = 0; wn < WPTN; wn++) {
            const int col = n0 + tid0 + wn * RTSN;
            if (row < M && col < N) {
#if LAYOUT == 0
                const int ko = row, pix = col;
                const int ni = pix / pq;
                const long yi = ((long)ni * k + ko) * pq + (pix - ni * pq);
#else
                const int ko = col;
                const long yi = (long)row * k + ko;
#endif
                float v = acc[wm][wn];
                if (flags & 2)
                    v += LOAD(bias, ko);
                if (flags & 32)
                    v += LOAD(R, yi);
                if (flags & 4)
                    v = fmax(v, 0.0f);
                STORE(Y, yi, v);
            }
        }
    }
}
