/* gemm.cl: tiled GEMM with local memory and register blocking (accel_gemm_desc semantics).
 *
 * Kernel accel_gemm(int M, int N, int K,
 *                   global const AB_T *A, long a_off, long lda, long stride_a,
 *                   global const AB_T *B, long b_off, long ldb, long stride_b,
 *                   global const CD_T *C, long c_off, long ldc, long stride_c,
 *                   global CD_T *D, long d_off, long ldd, long stride_d,
 *                   global const CD_T *bias, long bias_off, long stride_bias,
 *                   float alpha, float beta, int flags)
 *   D = act(alpha * op(A) op(B) + beta * C + bias), row-major, offsets/strides/ld in elements.
 *   flags: 1 read C, 2 add bias, 4 relu, 8 gelu (erf), 16 gelu (tanh).
 *   Work-group (TSN/WPTN, TSM/WPTM, 1); grid ceil(N/TSN) x ceil(M/TSM) x batch groups.
 *   Each work-item owns WPTM x WPTN outputs spaced TSM/WPTM rows and TSN/WPTN columns apart, so
 *   neighbouring work-items touch neighbouring columns (coalesced on GPUs, vectorised across
 *   work-items by PoCL on CPUs).
 *
 * Compile-time options (defaults below): TSM TSN TSK WPTM WPTN tile sizes, TRANS_A TRANS_B (0/1),
 * AB_TYPE CD_TYPE storage (0 f32, 1 f16 via vload_half/vstore_half: core OpenCL C, no cl_khr_fp16,
 * 2 bf16 as ushort). Math is fp32 throughout. */

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

/* Remainders are written as v - q * d: llvm-spirv 14 cannot translate the `freeze` clang emits
 * when it pairs a `/` with a `%` of the same operands. */
#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)
#define WGS (RTSM * RTSN)
#define VW 4 /* elements per vector load */

#if AB_TYPE == 0
#define AB_T float
#define LOAD_AB(p, i) ((p)[i])
#define LOAD_AB4(p, i) vload4(0, (p) + (i))
#elif AB_TYPE == 1
#define AB_T half
#define LOAD_AB(p, i) vload_half((i), (p))
#define LOAD_AB4(p, i) vload_half4(0, (p) + (i))
#else
#define AB_T ushort
#define LOAD_AB(p, i) as_float(((uint)(p)[i]) << 16)
#define LOAD_AB4(p, i) as_float4(convert_uint4(vload4(0, (p) + (i))) << 16)
#endif

#if CD_TYPE == 0
#define CD_T float
#define LOAD_CD(p, i) ((p)[i])
#define STORE_CD(p, i, v) ((p)[i] = (v))
#elif CD_TYPE == 1
#define CD_T half
#define LOAD_CD(p, i) vload_half((i), (p))
#define STORE_CD(p, i, v) vstore_half((v), (i), (p))
#else
#define CD_T ushort
#define LOAD_CD(p, i) as_float(((uint)(p)[i]) << 16)
#define STORE_CD(p, i, v) ((p)[i] = accel_f32_to_bf16(v))
#endif

#include "accel_bf16.h"

inline float accel_epilogue(float v, int flags) {
    if (flags & 4)
        v = fmax(v, 0.0f);
    else if (flags & 8)
        v = 0.5f * v * (1.0f + erf(v * 0.70710678118654752f));
    else if (flags & 16)
        v = 0.5f * v * (1.0f + tanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    return v;
}

/* A tile element (m, k) lives where the global load puts it without a transpose. */
#if TRANS_A == 0
#define AS_INDEX(m, k) ((m) * TSK + (k))
#else
#define AS_INDEX(m, k) ((k) * TSM + (m))
#endif
#define BS_STRIDE (TSN + TRANS_B) /* a transposing store is padded against bank conflicts */

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1))) void
accel_gemm(const int M, const int N, const int K, __global const AB_T *A, const long a_off,
           const long lda, const long stride_a, __global const AB_T *B, const long b_off,
           const long ldb, const long stride_b, __global const CD_T *C, const long c_off,
           const long ldc, const long stride_c, __global CD_T *D, const long d_off, const long ldd,
           const long stride_d, __global const CD_T *bias, const long bias_off,
           const long stride_bias, const float alpha, const float beta, const int flags) {
    __local float As[TSM * TSK];
    __local float Bs[TSK * BS_STRIDE];

    const int tid0 = get_local_id(0);
    const int tid1 = get_local_id(1);
    const int tid = tid1 * RTSN + tid0;
    const int n0 = get_group_id(0) * TSN;
    const int m0 = get_group_id(1) * TSM;
    const long batch = get_group_id(2);
    A += a_off + batch * stride_a;
    B += b_off + batch * stride_b;

    float acc[WPTM][WPTN];
#pragma unroll
    for (int wm = 0; wm < WPTM; wm++)
#pragma unroll
        for (int wn = 0; wn < WPTN; wn++)
            acc[wm][wn] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TSK) {
        /* A tile: TSM x TSK, VW elements at a time along the contiguous dimension. */
#pragma unroll
        for (int l = 0; l < (TSM * TSK) / (VW * WGS); l++) {
            const int v = tid + l * WGS;
#if TRANS_A == 0
            const int mm = v / (TSK / VW), kk = (v - mm * (TSK / VW)) * VW;
            const int gm = m0 + mm, gk = k0 + kk;
            float4 x = (float4)(0.0f);
            if (gm < M && gk + VW <= K) {
                x = LOAD_AB4(A, gm * lda + gk);
            } else if (gm < M) {
                x.s0 = gk < K ? LOAD_AB(A, gm * lda + gk) : 0.0f;
                x.s1 = gk + 1 < K ? LOAD_AB(A, gm * lda + gk + 1) : 0.0f;
                x.s2 = gk + 2 < K ? LOAD_AB(A, gm * lda + gk + 2) : 0.0f;
                x.s3 = gk + 3 < K ? LOAD_AB(A, gm * lda + gk + 3) : 0.0f;
            }
            vstore4(x, 0, As + AS_INDEX(mm, kk));
#else
            const int kk = v / (TSM / VW), mm = (v - kk * (TSM / VW)) * VW;
            const int gm = m0 + mm, gk = k0 + kk;
            float4 x = (float4)(0.0f);
            if (gk < K && gm + VW <= M) {
                x = LOAD_AB4(A, gk * lda + gm);
            } else if (gk < K) {
                x.s0 = gm < M ? LOAD_AB(A, gk * lda + gm) : 0.0f;
                x.s1 = gm + 1 < M ? LOAD_AB(A, gk * lda + gm + 1) : 0.0f;
                x.s2 = gm + 2 < M ? LOAD_AB(A, gk * lda + gm + 2) : 0.0f;
                x.s3 = gm + 3 < M ? LOAD_AB(A, gk * lda + gm + 3) : 0.0f;
            }
            vstore4(x, 0, As + AS_INDEX(mm, kk));
#endif
        }
        /* B tile: TSK x TSN, stored k-major so the compute loop reads neighbouring columns. */
#pragma unroll
        for (int l = 0; l < (TSN * TSK) / (VW * WGS); l++) {
            const int v = tid + l * WGS;
#if TRANS_B == 0
            const int kk = v / (TSN / VW), nn = (v - kk * (TSN / VW)) * VW;
            const int gk = k0 + kk, gn = n0 + nn;
            float4 x = (float4)(0.0f);
            if (gk < K && gn + VW <= N) {
                x = LOAD_AB4(B, gk * ldb + gn);
            } else if (gk < K) {
                x.s0 = gn < N ? LOAD_AB(B, gk * ldb + gn) : 0.0f;
                x.s1 = gn + 1 < N ? LOAD_AB(B, gk * ldb + gn + 1) : 0.0f;
                x.s2 = gn + 2 < N ? LOAD_AB(B, gk * ldb + gn + 2) : 0.0f;
                x.s3 = gn + 3 < N ? LOAD_AB(B, gk * ldb + gn + 3) : 0.0f;
            }
            vstore4(x, 0, Bs + kk * BS_STRIDE + nn);
#else
            const int nn = v / (TSK / VW), kk = (v - nn * (TSK / VW)) * VW;
            const int gk = k0 + kk, gn = n0 + nn;
            float4 x = (float4)(0.0f);
            if (gn < N && gk + VW <= K) {
                x = LOAD_AB4(B, gn * ldb + gk);
            } else if (gn < N) {
                x.s0 = gk < K ? LOAD_AB(B, gn * ldb + gk) : 0.0f;
                x.s1 = gk + 1 < K ? LOAD_AB(B, gn * ldb + gk + 1) : 0.0f;
                x.s2 = gk + 2 < K ? LOAD_AB(B, gn * ldb + gk + 2) : 0.0f;
                x.s3 = gk + 3 < K ? LOAD_AB(B, gn * ldb + gk + 3) : 0.0f;
            }
            Bs[(kk + 0) * BS_STRIDE + nn] = x.s0;
            Bs[(kk + 1) * BS_STRIDE + nn] = x.s1;
            Bs[(kk + 2) * BS_STRIDE + nn] = x.s2;
            Bs[(kk + 3) * BS_STRIDE + nn] = x.s3;
#endif
        }
        barrier(CLK_LOCAL_MEM_FENCE);

#pragma unroll
        for (int k = 0; k < TSK; k++) {
            float a[WPTM], b[WPTN];
#pragma unroll
            for (int wm = 0; wm < WPTM; wm++)
                a[wm] = As[AS_INDEX(tid1 + wm * RTSM, k)];
#pragma unroll
            for (int wn = 0; wn < WPTN; wn++)
                b[wn] = Bs[k * BS_STRIDE + tid0 + wn * RTSN];
#pragma unroll
            for (int wm = 0; wm < WPTM; wm++)
#pragma unroll
                for (int wn = 0; wn < WPTN; wn++)
                    acc[wm][wn] = fma(a[wm], b[wn], acc[wm][wn]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    C += c_off + batch * stride_c;
    D += d_off + batch * stride_d;
    bias += bias_off + batch * stride_bias;
#pragma unroll
    for (int wm = 0; wm < WPTM; wm++) {
        const int row = m0 + tid1 + wm * RTSM;
#pragma unroll
        for (int wn = 0; wn < WPTN; wn++) {
            const int col = n0 + tid0 + wn * RTSN;
            if (row < M && col < N) {
                float v = alpha * acc[wm][wn];
                if (flags & 1)
                    v += beta * LOAD_CD(C, row * ldc + col);
                if (flags & 2)
                    v += LOAD_CD(bias, col);
                STORE_CD(D, row * ldd + col, accel_epilogue(v, flags));
            }
        }
    }
}
