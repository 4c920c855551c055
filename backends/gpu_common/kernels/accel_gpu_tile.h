/* A 64x64 output tile, K stepped by 16, 256 threads each owning a 4x4 strided sub-tile, operands
 * staged through shared memory in the accumulation type. Shared by the fallback GEMM and the
 * implicit-GEMM convolution, which differ only in how they fetch A(m, k) and B(k, n) and how they
 * write the result (the LoadA/LoadB/Store functors). Portable, not tuned: the library path
 * (cuBLASLt/hipBLASLt) is the fast one. */
#ifndef ACCEL_GPU_TILE_H
#define ACCEL_GPU_TILE_H
#include "accel_gpu_port.h"

#define ACCEL_TILE_M 64
#define ACCEL_TILE_N 64
#define ACCEL_TILE_K 16
#define ACCEL_TILE_THREADS 256

/* Acc: accumulation type. load_a(m, k) / load_b(k, n) return Acc and must answer 0 outside the
 * problem; store(m, n, acc) is called only inside it. */
template <typename Acc, typename LoadA, typename LoadB, typename Store>
__device__ void accel_tile_gemm(accel_i64 M, accel_i64 N, accel_i64 K, accel_i64 m0, accel_i64 n0,
                                const LoadA &load_a, const LoadB &load_b, const Store &store) {
    __shared__ Acc as[ACCEL_TILE_K][ACCEL_TILE_M + 1];
    __shared__ Acc bs[ACCEL_TILE_K][ACCEL_TILE_N + 1];
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    Acc acc[4][4];
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) acc[i][j] = Acc(0);

    for (accel_i64 k0 = 0; k0 < K; k0 += ACCEL_TILE_K) {
        for (int l = threadIdx.x; l < ACCEL_TILE_M * ACCEL_TILE_K; l += ACCEL_TILE_THREADS) {
            const int kk = l % ACCEL_TILE_K, mm = l / ACCEL_TILE_K;
            const accel_i64 gm = m0 + mm, gk = k0 + kk;
            as[kk][mm] = (gm < M && gk < K) ? load_a(gm, gk) : Acc(0);
        }
        for (int l = threadIdx.x; l < ACCEL_TILE_N * ACCEL_TILE_K; l += ACCEL_TILE_THREADS) {
            const int nn = l % ACCEL_TILE_N, kk = l / ACCEL_TILE_N;
            const accel_i64 gn = n0 + nn, gk = k0 + kk;
            bs[kk][nn] = (gn < N && gk < K) ? load_b(gk, gn) : Acc(0);
        }
        __syncthreads();
        for (int kk = 0; kk < ACCEL_TILE_K; ++kk) {
            Acc a[4], b[4];
            for (int i = 0; i < 4; ++i) a[i] = as[kk][ty + 16 * i];
            for (int j = 0; j < 4; ++j) b[j] = bs[kk][tx + 16 * j];
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            const accel_i64 gm = m0 + ty + 16 * i, gn = n0 + tx + 16 * j;
            if (gm < M && gn < N) store(gm, gn, acc[i][j]);
        }
}

/* Round an fp32 value to TF32 (10-bit mantissa, round to nearest even) so the fallback GEMM
 * honours the TF32 compute type instead of silently computing in full fp32. */
__device__ __forceinline__ float accel_round_tf32(float v) {
    unsigned int bits = __float_as_uint(v);
    if ((bits & 0x7f800000u) != 0x7f800000u) bits += 0xfffu + ((bits >> 13) & 1u);
    return __uint_as_float(bits & 0xffffe000u);
}
#endif
