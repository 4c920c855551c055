/* gemm_vec.cl: GEMM for CPU-like OpenCL devices (PoCL), explicitly vectorised, no local memory.
 *
 * Kernel accel_gemm_vec(int M, int N, int K,
 *                       global const AB_T *A, long a_off, long lda, long stride_a,
 *                       global const AB_T *B, long b_off, long ldb, long stride_b,
 *                       global const CD_T *C, long c_off, long ldc, long stride_c,
 *                       global CD_T *D, long d_off, long ldd, long stride_d,
 *                       global const CD_T *bias, long bias_off, long stride_bias,
 *                       float alpha, float beta, int flags)
 *   Same arguments and semantics as accel_gemm in gemm.cl (flags: 1 read C, 2 bias, 4 relu,
 *   8 gelu erf, 16 gelu tanh). Work-item (x, y, batch) owns rows y*WPTM.. and columns x*VECN..:
 *   WPTM accumulators of VECN floats stay in vector registers for the whole K loop, each step
 *   one vector load of B and WPTM broadcasts of A. CPU compilers vectorise across work-items only
 *   when the loop body is simple; explicit vectors do not depend on that, and without barriers no
 *   state is spilled between work-items. Caches take the role of local memory.
 *   Any work-group shape; grid covers ceil(N/VECN) x ceil(M/WPTM) x batch work-items.
 *
 * Also accel_transpose_b (below), which packs a transposed B for it.
 *
 * Compile-time options: VECN (4, 8 or 16; default 16), WPTM (default 8), KC (K chunk between
 * work-group barriers for cache reuse, 0 = none), TRANS_A, TRANS_B (0/1),
 * AB_TYPE, CD_TYPE (0 f32, 1 f16 via vload_half: core OpenCL C, 2 bf16 as ushort). fp32 math. */

#ifndef VECN
#define VECN 16
#endif
#ifndef WPTM
#define WPTM 8
#endif
#ifndef KC
#define KC 0 /* K chunk between work-group barriers; 0 = one pass over K */
#endif
#ifndef TRANS_A
#define TRANS_A 0
#endif
#ifndef TRANS_B
#define TRANS_B 0
#endif
#ifndef AB_TYPE
#define AB_TYPE 0
#endif
#ifndef CD_TYPE
#define CD_TYPE 0
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define VEC CAT(float, VECN)
#define VLOADF CAT(vload, VECN)
#define VSTOREF CAT(vstore, VECN)
#define VLOADH CAT(vload_half, VECN)
#define VSTOREH CAT(vstore_half, VECN)
#define USHORTV CAT(ushort, VECN)
#define UINTV CAT(uint, VECN)
#define CONVERT_UINTV CAT(convert_uint, VECN)
#define CONVERT_USHORTV CAT(convert_ushort, VECN)
#define AS_VEC CAT(as_float, VECN)
#define AS_UINTV CAT(as_uint, VECN)

#include "accel_bf16.h"

#if AB_TYPE == 0
#define AB_T float
#define LOAD_AB(p, i) ((p)[i])
#define LOAD_ABV(p, i) VLOADF(0, (p) + (i))
#elif AB_TYPE == 1
#define AB_T half
#define LOAD_AB(p, i) vload_half((i), (p))
#define LOAD_ABV(p, i) VLOADH(0, (p) + (i))
#else
#define AB_T ushort
#define LOAD_AB(p, i) as_float(((uint)(p)[i]) << 16)
#define LOAD_ABV(p, i) AS_VEC(CONVERT_UINTV(CAT(vload, VECN)(0, (p) + (i))) << 16)
#endif

#if CD_TYPE == 0
#define CD_T float
#define LOAD_CD(p, i) ((p)[i])
#define STORE_CD(p, i, v) ((p)[i] = (v))
#define LOAD_CDV(p, i) VLOADF(0, (p) + (i))
#define STORE_CDV(p, i, v) VSTOREF((v), 0, (p) + (i))
#elif CD_TYPE == 1
#define CD_T half
#define LOAD_CD(p, i) vload_half((i), (p))
#define STORE_CD(p, i, v) vstore_half((v), (i), (p))
#define LOAD_CDV(p, i) VLOADH(0, (p) + (i))
#define STORE_CDV(p, i, v) VSTOREH((v), 0, (p) + (i))
#else
#define CD_T ushort
#define LOAD_CD(p, i) as_float(((uint)(p)[i]) << 16)
#define STORE_CD(p, i, v) ((p)[i] = accel_f32_to_bf16(v))
#define LOAD_CDV(p, i) AS_VEC(CONVERT_UINTV(CAT(vload, VECN)(0, (p) + (i))) << 16)
#define STORE_CDV(p, i, v) CAT(vstore, VECN)(accel_f32_to_bf16v(v), 0, (p) + (i))
inline USHORTV accel_f32_to_bf16v(VEC f) {
    UINTV u = AS_UINTV(f);
    UINTV rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    UINTV nan = (u >> 16) | 0x40u;
    return CONVERT_USHORTV(select(rounded, nan, (u & 0x7fffffffu) > 0x7f800000u));
}
#endif

#if TRANS_A == 0
#define A_AT(i, k) LOAD_AB(A, (long)(i) * lda + (k))
#else
#define A_AT(i, k) LOAD_AB(A, (long)(k) * lda + (i))
#endif
#if TRANS_B == 0
#define B_AT(k, j) LOAD_AB(B, (long)(k) * ldb + (j))
#else
#define B_AT(k, j) LOAD_AB(B, (long)(j) * ldb + (k))
#endif

inline VEC accel_epilogue_v(VEC v, int flags) {
    if (flags & 4)
        v = fmax(v, (VEC)(0.0f));
    else if (flags & 8)
        v = 0.5f * v * (1.0f + erf(v * 0.70710678118654752f));
    else if (flags & 16)
        v = 0.5f * v * (1.0f + tanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    return v;
}

inline float accel_epilogue_s(float v, int flags) {
    if (flags & 4)
        v = fmax(v, 0.0f);
    else if (flags & 8)
        v = 0.5f * v * (1.0f + erf(v * 0.70710678118654752f));
    else if (flags & 16)
        v = 0.5f * v * (1.0f + tanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    return v;
}

__kernel void accel_gemm_vec(const int M, const int N, const int K, __global const AB_T *A,
                             const long a_off, const long lda, const long stride_a,
                             __global const AB_T *B, const long b_off, const long ldb,
                             const long stride_b, __global const CD_T *C, const long c_off,
                             const long ldc, const long stride_c, __global CD_T *D,
                             const long d_off, const long ldd, const long stride_d,
                             __global const CD_T *bias, const long bias_off,
                             const long stride_bias, const float alpha, const float beta,
                             const int flags) {
    const int col0 = get_global_id(0) * VECN;
    const int row0 = get_global_id(1) * WPTM;
    const long batch = get_global_id(2);
    A += a_off + batch * stride_a;
    B += b_off + batch * stride_b;
    C += c_off + batch * stride_c;
    D += d_off + batch * stride_d;
    bias += bias_off + batch * stride_bias;
    const int full = col0 + VECN <= N && row0 + WPTM <= M;

    VEC acc[WPTM];
#pragma unroll
    for (int i = 0; i < WPTM; i++)
        acc[i] = (VEC)(0.0f);
#if KC > 0
    /* K in chunks with a barrier between them, so the whole work-group works through the same
     * A rows and B rows before moving on and they stay in cache. Every work-item reaches every
     * barrier (the trip count is uniform); only full blocks compute here. */
    for (int k0 = 0; k0 < K; k0 += KC) {
        const int kend = min(k0 + KC, K);
        for (int k = full ? k0 : kend; k < kend; k++) {
#else
    if (full) {
        for (int k = 0; k < K; k++) {
#endif
#if TRANS_B == 0
            const VEC b = LOAD_ABV(B, (long)k * ldb + col0);
#else
            VEC b;
            float tmp[VECN];
#pragma unroll
            for (int j = 0; j < VECN; j++)
                tmp[j] = B_AT(k, col0 + j);
            b = VLOADF(0, tmp);
#endif
#pragma unroll
            for (int i = 0; i < WPTM; i++)
                acc[i] = fma((VEC)(A_AT(row0 + i, k)), b, acc[i]);
        }
#if KC > 0
        barrier(CLK_GLOBAL_MEM_FENCE);
#endif
    }
    if (col0 >= N || row0 >= M)
        return;
    if (full) {
#pragma unroll
        for (int i = 0; i < WPTM; i++) {
            VEC v = alpha * acc[i];
            if (flags & 1)
                v += beta * LOAD_CDV(C, (long)(row0 + i) * ldc + col0);
            if (flags & 2)
                v += LOAD_CDV(bias, col0);
            STORE_CDV(D, (long)(row0 + i) * ldd + col0, accel_epilogue_v(v, flags));
        }
        return;
    }
    /* Edge block: scalar, guarded. */
    for (int i = 0; i < WPTM && row0 + i < M; i++) {
        for (int j = 0; j < VECN && col0 + j < N; j++) {
            float acc = 0.0f;
            for (int k = 0; k < K; k++)
                acc = fma(A_AT(row0 + i, k), B_AT(k, col0 + j), acc);
            float v = alpha * acc;
            if (flags & 1)
                v += beta * LOAD_CD(C, (long)(row0 + i) * ldc + col0 + j);
            if (flags & 2)
                v += LOAD_CD(bias, col0 + j);
            STORE_CD(D, (long)(row0 + i) * ldd + col0 + j, accel_epilogue_s(v, flags));
        }
    }
}

/* Kernel accel_transpose_b(int N, int K, global const AB_BITS *B, long b_off, long ldb,
 *                          long stride_b, global AB_BITS *W, long w_off)
 *   W[batch][k][j] = B[batch * stride_b + j * ldb + k] for j < N, k < K: packs a transposed B
 *   (stored n x k) into k x n so accel_gemm_vec reads it with whole-vector loads. Values move as
 *   raw bits. Work-item (j, k, batch); any work-group shape. */
#if AB_TYPE == 0
#define AB_BITS uint
#else
#define AB_BITS ushort
#endif
__kernel void accel_transpose_b(const int N, const int K, __global const AB_BITS *B,
                                const long b_off, const long ldb, const long stride_b,
                                __global AB_BITS *W, const long w_off) {
    const int j = get_global_id(0), k = get_global_id(1);
    const long batch = get_global_id(2);
    if (j >= N || k >= K)
        return;
    W[w_off + (batch * K + k) * N + j] = B[b_off + batch * stride_b + (long)j * ldb + k];
}
