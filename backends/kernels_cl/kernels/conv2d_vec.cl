/* conv2d_vec.cl: NHWC conv2d for CPU-like OpenCL devices (PoCL), explicitly vectorised.
 *
 * Kernel accel_conv2d_vec(global const T *X, long x_off, global const T *Wt, long wt_off,
 *                         global const T *bias, long bias_off, global const T *R, long r_off,
 *                         global T *Y, long y_off,
 *                         int n, int c, int h, int w, int k, int r, int s, int p, int q,
 *                         int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w,
 *                         int flags)
 *   Implicit GEMM, rows = output pixels (n,p,q), columns = output channels: Y[n][p][q][k] =
 *   act(sum_{r,s,c} X[n][h][w][c] Wt[(r*s + s)*c + c][k] + bias + R); flags: 2 bias, 4 relu,
 *   32 residual. Wt is the weight tensor packed as (r*s*c) x k followed by VECN elements of
 *   padding (see accel_conv_pack_w), so each
 *   step is one vector load of VECN output channels and WPTM broadcasts of input pixels; the
 *   accumulators stay in registers over the whole r, s, c loop and there are no barriers.
 *   Work-item (x, y): channels x*VECN.., pixels y*WPTM..; any work-group shape.
 *
 * Kernel accel_conv2d_vec_nchw(same arguments, W in KCRS instead of Wt; no packing)
 *   NCHW: rows = output channels, columns = output pixels (n,p,q) flattened, so a work-item
 *   computes WPTM channels x VECN neighbouring pixels: Y[n][k][p][q]. Each (c,r,s) step gathers the
 *   VECN input values (masked by the padding) and broadcasts WPTM weights; K in chunks of KC taps
 *   between work-group barriers as in gemm_vec.cl. Any work-group shape.
 *
 * Kernel accel_conv_pack_w(int k, int rsc, global const T *W, long w_off, global T *Wt, long wt_off)
 *   Wt[i][o] = W[o][i]: KRSC weights to (RSC) x K. Work-item (o, i); any work-group shape.
 *
 * Compile-time options: VECN (4, 8 or 16; default 16), WPTM (default 8), KC (default 256),
 * DTYPE (0 f32, 1 f16
 * storage via vload_half, 2 bf16 as ushort). fp32 math. */

#ifndef VECN
#define VECN 16
#endif
#ifndef WPTM
#define WPTM 8
#endif
#ifndef DTYPE
#define DTYPE 0
#endif
#ifndef KC
#define KC 256
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define VEC CAT(float, VECN)

__constant uint lane_ids[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

#include "accel_bf16.h"

#if DTYPE == 0
#define T float
#define BITS uint
#define LOAD(p, i) ((p)[i])
#define STORE(p, i, v) ((p)[i] = (v))
#define LOADV(p, i) CAT(vload, VECN)(0, (p) + (i))
#elif DTYPE == 1
#define T half
#define BITS ushort
#define LOAD(p, i) vload_half((i), (p))
#define STORE(p, i, v) vstore_half((v), (i), (p))
#define LOADV(p, i) CAT(vload_half, VECN)(0, (p) + (i))
#else
#define T ushort
#define BITS ushort
#define LOAD(p, i) as_float(((uint)(p)[i]) << 16)
#define STORE(p, i, v) ((p)[i] = accel_f32_to_bf16(v))
#define LOADV(p, i) CAT(as_float, VECN)(CAT(convert_uint, VECN)(CAT(vload, VECN)(0, (p) + (i))) << 16)
#endif

__kernel void accel_conv2d_vec(__global const T *X, const long x_off, __global const T *Wt,
                               const long wt_off, __global const T *bias, const long bias_off,
                               __global const T *R, const long r_off, __global T *Y,
                               const long y_off, const int n, const int c, const int h,
                               const int w, const int k, const int r, const int s, const int p,
                               const int q, const int stride_h, const int stride_w,
                               const int pad_h, const int pad_w, const int dil_h, const int dil_w,
                               const int flags) {
    const int col0 = get_global_id(0) * VECN;
    const int row0 = get_global_id(1) * WPTM;
    const int pixels = n * p * q;
    if (col0 >= k || row0 >= pixels)
        return;
    X += x_off;
    Wt += wt_off;

    int hb[WPTM], wb[WPTM];
    long xb[WPTM];
#pragma unroll
    for (int i = 0; i < WPTM; i++) {
        const int pix = min(row0 + i, pixels - 1); /* rows past the end compute a copy, unstored */
        const int ni = pix / (p * q), pq = pix - ni * (p * q);
        const int pi = pq / q, qi = pq - pi * q;
        hb[i] = pi * stride_h - pad_h;
        wb[i] = qi * stride_w - pad_w;
        xb[i] = (long)ni * h * w * c;
    }
    VEC acc[WPTM];
#pragma unroll
    for (int i = 0; i < WPTM; i++)
        acc[i] = (VEC)(0.0f);
    for (int ri = 0; ri < r; ri++) {
        for (int si = 0; si < s; si++) {
            long xo[WPTM];
            int ok[WPTM];
#pragma unroll
            for (int i = 0; i < WPTM; i++) {
                const int hh = hb[i] + ri * dil_h, ww = wb[i] + si * dil_w;
                ok[i] = hh >= 0 && hh < h && ww >= 0 && ww < w;
                xo[i] = xb[i] + ((long)hh * w + ww) * c;
            }
            const long wrow = (long)(ri * s + si) * c;
            for (int ci = 0; ci < c; ci++) {
                /* Lanes past k read the next row (or the VECN elements of padding after the
                 * last): computed, never stored. */
                const VEC b = LOADV(Wt, (wrow + ci) * k + col0);
#pragma unroll
                for (int i = 0; i < WPTM; i++)
                    acc[i] = fma((VEC)(ok[i] ? LOAD(X, xo[i] + ci) : 0.0f), b, acc[i]);
            }
        }
    }
    bias += bias_off;
    R += r_off;
    Y += y_off;
    const int ncols = min(VECN, k - col0);
#pragma unroll
    for (int i = 0; i < WPTM; i++) {
        const long yrow = (long)(row0 + i) * k + col0;
        const int cols = row0 + i < pixels ? ncols : 0;
        for (int j = 0; j < cols; j++) {
            /* shuffle picks lane j: no private array, which llvm-spirv 14 mistranslates here */
            float v = shuffle(acc[i], (CAT(uint, VECN))((uint)j)).s0;
            if (flags & 2)
                v += LOAD(bias, col0 + j);
            if (flags & 32)
                v += LOAD(R, yrow + j);
            if (flags & 4)
                v = fmax(v, 0.0f);
            STORE(Y, yrow + j, v);
        }
    }
}

__kernel void accel_conv_pack_w(const int k, const int rsc, __global const BITS *W,
                                const long w_off, __global BITS *Wt, const long wt_off) {
    const int o = get_global_id(0), i = get_global_id(1);
    if (o >= k || i >= rsc)
        return;
    Wt[wt_off + (long)i * k + o] = W[w_off + (long)o * rsc + i];
}

#define INTV CAT(int, VECN)
#if VECN == 4
#define GATHER(X, idx, ok)                                                                         \
    (VEC)(ok.s0 ? LOAD(X, idx.s0) : 0.0f, ok.s1 ? LOAD(X, idx.s1) : 0.0f,                        \
          ok.s2 ? LOAD(X, idx.s2) : 0.0f, ok.s3 ? LOAD(X, idx.s3) : 0.0f)
#elif VECN == 8
#define GATHER(X, idx, ok)                                                                         \
    (VEC)(ok.s0 ? LOAD(X, idx.s0) : 0.0f, ok.s1 ? LOAD(X, idx.s1) : 0.0f,                        \
          ok.s2 ? LOAD(X, idx.s2) : 0.0f, ok.s3 ? LOAD(X, idx.s3) : 0.0f,                        \
          ok.s4 ? LOAD(X, idx.s4) : 0.0f, ok.s5 ? LOAD(X, idx.s5) : 0.0f,                        \
          ok.s6 ? LOAD(X, idx.s6) : 0.0f, ok.s7 ? LOAD(X, idx.s7) : 0.0f)
#else
#define GATHER(X, idx, ok)                                                                         \
    (VEC)(ok.s0 ? LOAD(X, idx.s0) : 0.0f, ok.s1 ? LOAD(X, idx.s1) : 0.0f,                        \
          ok.s2 ? LOAD(X, idx.s2) : 0.0f, ok.s3 ? LOAD(X, idx.s3) : 0.0f,                        \
          ok.s4 ? LOAD(X, idx.s4) : 0.0f, ok.s5 ? LOAD(X, idx.s5) : 0.0f,                        \
          ok.s6 ? LOAD(X, idx.s6) : 0.0f, ok.s7 ? LOAD(X, idx.s7) : 0.0f,                        \
          ok.s8 ? LOAD(X, idx.s8) : 0.0f, ok.s9 ? LOAD(X, idx.s9) : 0.0f,                        \
          ok.sa ? LOAD(X, idx.sa) : 0.0f, ok.sb ? LOAD(X, idx.sb) : 0.0f,                        \
          ok.sc ? LOAD(X, idx.sc) : 0.0f, ok.sd ? LOAD(X, idx.sd) : 0.0f,                        \
          ok.se ? LOAD(X, idx.se) : 0.0f, ok.sf ? LOAD(X, idx.sf) : 0.0f)
#endif

__kernel void accel_conv2d_vec_nchw(__global const T *X, const long x_off, __global const T *W,
                                    const long w_off, __global const T *bias, const long bias_off,
                                    __global const T *R, const long r_off, __global T *Y,
                                    const long y_off, const int n, const int c, const int h,
                                    const int w, const int k, const int r, const int s, const int p,
                                    const int q, const int stride_h, const int stride_w,
                                    const int pad_h, const int pad_w, const int dil_h,
                                    const int dil_w, const int flags) {
    const int col0 = get_global_id(0) * VECN; /* output pixel */
    const int row0 = get_global_id(1) * WPTM; /* output channel */
    const int pixels = n * p * q, pq = p * q, depth = c * r * s;
    const int active = col0 < pixels && row0 < k;
    X += x_off;
    W += w_off;
    /* lane j: pixel col0 + j (clamped; lanes past the end are computed, never stored) */
    INTV pix = min((INTV)(col0) + CAT(convert_int, VECN)(CAT(vload, VECN)(0, (__constant uint *)lane_ids)), (INTV)(pixels - 1));
    INTV ni = pix / pq, rem = pix - ni * pq;
    INTV pi = rem / q, qi = rem - pi * q;
    INTV hb = pi * stride_h - pad_h, wb = qi * stride_w - pad_w;
    INTV xb = ni * (c * h * w); /* images below 2^31 elements: checked at plan time */

    VEC acc[WPTM];
#pragma unroll
    for (int i = 0; i < WPTM; i++)
        acc[i] = (VEC)(0.0f);
    for (int t0 = 0; t0 < depth; t0 += KC) {
        const int tend = active ? min(t0 + KC, depth) : t0;
        for (int t = t0; t < tend; t++) {
            const int ci = t / (r * s), rs = t - ci * (r * s), ri = rs / s, si = rs - ri * s;
            const INTV hh = hb + ri * dil_h, ww = wb + si * dil_w;
            const INTV ok = hh >= 0 && hh < h && ww >= 0 && ww < w;
            const INTV idx = xb + (ci * h + hh) * w + ww;
            const VEC b = GATHER(X, idx, ok);
#pragma unroll
            for (int i = 0; i < WPTM; i++) {
                const int kk = min(row0 + i, k - 1);
                acc[i] = fma((VEC)(LOAD(W, (long)kk * depth + t)), b, acc[i]);
            }
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
    if (!active)
        return;
    bias += bias_off;
    R += r_off;
    Y += y_off;
    const int ncols = min(VECN, pixels - col0);
#pragma unroll
    for (int i = 0; i < WPTM; i++) {
        const int ko = row0 + i;
        const int cols = ko < k ? ncols : 0;
        for (int j = 0; j < cols; j++) {
            const int px = col0 + j, nj = px / pq;
            const long yi = ((long)nj * k + ko) * pq + (px - nj * pq);
            float v = shuffle(acc[i], (CAT(uint, VECN))((uint)j)).s0;
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
