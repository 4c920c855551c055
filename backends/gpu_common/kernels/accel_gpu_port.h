/* Portability layer for the accel GPU kernels: one source compiled by NVRTC (CUDA) and hipRTC (HIP).
 * Kernels include only this header; everything vendor-specific stays here. See ../README.md. */
#ifndef ACCEL_GPU_PORT_H
#define ACCEL_GPU_PORT_H

#if defined(ACCEL_GPU_EMULATION)
/* Host threads standing in for a block, so the kernels' arithmetic can be unit-tested without a
 * GPU (backends/gpu_common/tests). Never used by a backend. */
#include "accel_gpu_emu.h"
#elif defined(__HIPCC_RTC__) || defined(__HIP_PLATFORM_AMD__)
#include <hip/hip_fp16.h>
#include <hip/hip_bf16.h>
typedef __half accel_f16;
typedef __hip_bfloat16 accel_bf16;
/* Wavefronts are 64 wide on CDNA, 32 on RDNA; the reductions below work for either. */
#if defined(__AMDGCN_WAVEFRONT_SIZE)
#define ACCEL_WARP_SIZE __AMDGCN_WAVEFRONT_SIZE
#else
#define ACCEL_WARP_SIZE 64
#endif
#define ACCEL_SHFL_XOR(v, lane_mask) __shfl_xor((v), (lane_mask))
#define ACCEL_F16_TO_F32(h) __half2float(h)
#define ACCEL_F32_TO_F16(f) __float2half(f)
#define ACCEL_BF16_TO_F32(b) __bfloat162float(b)
#define ACCEL_F32_TO_BF16(f) __float2bfloat16(f)
#elif defined(__CUDACC_RTC__) || defined(__CUDACC__)
#include <cuda_fp16.h>
#include <cuda_bf16.h>
typedef __half accel_f16;
typedef __nv_bfloat16 accel_bf16;
#define ACCEL_WARP_SIZE 32
#define ACCEL_SHFL_XOR(v, lane_mask) __shfl_xor_sync(0xffffffffu, (v), (lane_mask))
#define ACCEL_F16_TO_F32(h) __half2float(h)
#define ACCEL_F32_TO_F16(f) __float2half_rn(f)
#define ACCEL_BF16_TO_F32(b) __bfloat162float(b)
#define ACCEL_F32_TO_BF16(f) __float2bfloat16_rn(f)
#else
#error "accel_gpu_port.h: compile with NVRTC (__CUDACC_RTC__) or hipRTC (__HIPCC_RTC__)"
#endif

#include "accel_cu_params.h" /* accel_i64, the by-value parameter structs, ACCEL_ACT_* */

/* -inf without <math.h> macros (NVRTC and hipRTC differ in which they predefine). */
#define ACCEL_NEG_INF (-__int_as_float(0x7f800000))

/* Storage <-> arithmetic type. Reductions and products run in float (double for f64). */
__device__ __forceinline__ float accel_load(const float *p) { return *p; }
__device__ __forceinline__ float accel_load(const accel_f16 *p) { return ACCEL_F16_TO_F32(*p); }
__device__ __forceinline__ float accel_load(const accel_bf16 *p) { return ACCEL_BF16_TO_F32(*p); }
__device__ __forceinline__ double accel_load(const double *p) { return *p; }
__device__ __forceinline__ void accel_store(float *p, float v) { *p = v; }
__device__ __forceinline__ void accel_store(accel_f16 *p, float v) { *p = ACCEL_F32_TO_F16(v); }
__device__ __forceinline__ void accel_store(accel_bf16 *p, float v) { *p = ACCEL_F32_TO_BF16(v); }
__device__ __forceinline__ void accel_store(double *p, double v) { *p = v; }

template <typename A> __device__ __forceinline__ A accel_activate(A v, int act) {
    if (act == ACCEL_ACT_RELU) return v > A(0) ? v : A(0);
    if (act == ACCEL_ACT_GELU_ERF) return A(0.5) * v * (A(1) + erf(v * A(0.70710678118654752440)));
    if (act == ACCEL_ACT_GELU_TANH)
        return A(0.5) * v * (A(1) + tanh(A(0.79788456080286535588) * (v + A(0.044715) * v * v * v)));
    return v;
}

/* Sum over the whole block; every thread gets the result. scratch holds one float per warp
 * (blockDim.x <= 1024, a multiple of ACCEL_WARP_SIZE). Ends with a barrier so scratch can be reused. */
__device__ __forceinline__ float accel_block_sum(float v, float *scratch) {
    for (int m = ACCEL_WARP_SIZE / 2; m > 0; m >>= 1) v += ACCEL_SHFL_XOR(v, m);
    const int warp = threadIdx.x / ACCEL_WARP_SIZE, lane = threadIdx.x % ACCEL_WARP_SIZE;
    const int nwarps = blockDim.x / ACCEL_WARP_SIZE;
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float total = 0.0f;
    for (int i = 0; i < nwarps; ++i) total += scratch[i];
    __syncthreads();
    return total;
}

__device__ __forceinline__ float accel_block_max(float v, float *scratch) {
    for (int m = ACCEL_WARP_SIZE / 2; m > 0; m >>= 1) v = fmaxf(v, ACCEL_SHFL_XOR(v, m));
    const int warp = threadIdx.x / ACCEL_WARP_SIZE, lane = threadIdx.x % ACCEL_WARP_SIZE;
    const int nwarps = blockDim.x / ACCEL_WARP_SIZE;
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float best = scratch[0];
    for (int i = 1; i < nwarps; ++i) best = fmaxf(best, scratch[i]);
    __syncthreads();
    return best;
}

/* Grid-stride loop over [0, n) with 64-bit indices. */
#define ACCEL_GRID_STRIDE_LOOP(i, n)                                                        \
    for (accel_i64 i = (accel_i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n);           \
         i += (accel_i64)blockDim.x * gridDim.x)

/* One extern "C" entry per storage type, so hosts find kernels by plain names ("accel_x_f16"). */
#define ACCEL_FOR_FLOAT_TYPES(M) M(float, f32) M(accel_f16, f16) M(accel_bf16, bf16)

/* Fully unroll the next loop (its trip count is a compile-time bound), so arrays it indexes stay in
 * registers. Nothing in the host emulation. */
#if defined(ACCEL_GPU_EMULATION)
#define ACCEL_UNROLL
#else
#define ACCEL_UNROLL _Pragma("unroll")
#endif

/* 16-byte word for vector copies between global and shared memory. */
struct alignas(16) accel_u128 {
    unsigned x, y, z, w;
};

/* Tensor-core matrix multiply-accumulate of one warp, D(16x8, fp32) += A(16x16) B(16x8) with A, B
 * in f16 or bf16 (the tag's type), in the register layout of PTX mma.sync.aligned.m16n8k16.row.col:
 * lane = 4 g + t holds a = {A[g][2t..2t+1], A[g+8][2t..], A[g][2t+8..], A[g+8][2t+8..]},
 * b = {B[2t..2t+1][g], B[2t+8..2t+9][g]} (two 16-bit values per register, the lower column or
 * row in the low half) and d = {D[g][2t], D[g][2t+1], D[g+8][2t], D[g+8][2t+1]}. Every lane of the
 * warp must call it. ACCEL_HAS_MMA_16816 says whether this compile has it (sm_80 and newer; the
 * host emulation, to test the layout); elsewhere kernels take their portable path.
 * accel_bits16 rounds a float to the tag's 16-bit type and returns its bits. */
#if defined(ACCEL_GPU_EMULATION)
#define ACCEL_HAS_MMA_16816 1 /* accel_gpu_emu.h defines accel_mma_16816 and accel_bits16 */
#elif defined(__CUDACC_RTC__) && defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
#define ACCEL_HAS_MMA_16816 1
#define ACCEL_MMA_16816(T, ptx_type)                                                               \
    __device__ __forceinline__ void accel_mma_16816(float (&d)[4], const unsigned (&a)[4],          \
                                                    const unsigned (&b)[2], const T *) {            \
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32." ptx_type "." ptx_type                 \
                     ".f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"                  \
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])                               \
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));           \
    }
ACCEL_MMA_16816(accel_bf16, "bf16")
ACCEL_MMA_16816(accel_f16, "f16")
#undef ACCEL_MMA_16816
__device__ __forceinline__ unsigned accel_bits16(float v, const accel_bf16 *) {
    return __bfloat16_as_ushort(__float2bfloat16_rn(v));
}
__device__ __forceinline__ unsigned accel_bits16(float v, const accel_f16 *) {
    return __half_as_ushort(__float2half_rn(v));
}
#else
#define ACCEL_HAS_MMA_16816 0
#endif

/* Matrix-core multiply-accumulate of one 64-lane wavefront on AMD CDNA, D(16x16, fp32) += A(16x16)
 * B(16x16) with A, B in f16 or bf16 (the tag's type): v_mfma_f32_16x16x16{f16,bf16_1k}, in its
 * register layout: lane l = 16 q + c (c = l % 16, q = l / 16) holds a = A[c][4q..4q+3],
 * b = B[4q..4q+3][c] (two 16-bit values per register, the lower k in the low half) and
 * d = {D[4q][c], D[4q+1][c], D[4q+2][c], D[4q+3][c]}. Every lane of the wavefront must call it.
 * ACCEL_HAS_MFMA_16X16X16 says whether this compile has it: gfx90a (MI200), gfx940/941/942 (MI300)
 * and gfx950 (MI350), whose hiprtc offers both builtins (gfx908 lacks the bf16_1k one); the host
 * emulation, to test the layout. Elsewhere kernels take their portable path. accel_bits16 as above. */
#if defined(ACCEL_GPU_EMULATION)
#define ACCEL_HAS_MFMA_16X16X16 1 /* accel_gpu_emu.h defines accel_mfma_16x16x16 */
#elif (defined(__HIPCC_RTC__) || defined(__HIP_PLATFORM_AMD__)) &&                                \
    (defined(__gfx90a__) || defined(__gfx940__) || defined(__gfx941__) || defined(__gfx942__) ||  \
     defined(__gfx950__))
#define ACCEL_HAS_MFMA_16X16X16 1
typedef short accel_v4i16 __attribute__((ext_vector_type(4)));
typedef _Float16 accel_v4f16 __attribute__((ext_vector_type(4)));
typedef float accel_v4f32 __attribute__((ext_vector_type(4)));
typedef unsigned accel_v2u32 __attribute__((ext_vector_type(2)));
#define ACCEL_MFMA_16X16X16(T, vec, builtin)                                                       \
    __device__ __forceinline__ void accel_mfma_16x16x16(float (&d)[4], const unsigned (&a)[2],      \
                                                        const unsigned (&b)[2], const T *) {        \
        const accel_v2u32 av = {a[0], a[1]}, bv = {b[0], b[1]};                                    \
        const accel_v4f32 r = builtin(__builtin_bit_cast(vec, av), __builtin_bit_cast(vec, bv),    \
                                      accel_v4f32{d[0], d[1], d[2], d[3]}, 0, 0, 0);               \
        d[0] = r[0], d[1] = r[1], d[2] = r[2], d[3] = r[3];                                        \
    }
ACCEL_MFMA_16X16X16(accel_bf16, accel_v4i16, __builtin_amdgcn_mfma_f32_16x16x16bf16_1k)
ACCEL_MFMA_16X16X16(accel_f16, accel_v4f16, __builtin_amdgcn_mfma_f32_16x16x16f16)
#undef ACCEL_MFMA_16X16X16
__device__ __forceinline__ unsigned accel_bits16(float v, const accel_bf16 *) {
    return __builtin_bit_cast(unsigned short, __float2bfloat16(v));
}
__device__ __forceinline__ unsigned accel_bits16(float v, const accel_f16 *) {
    return __builtin_bit_cast(unsigned short, __float2half(v));
}
#else
#define ACCEL_HAS_MFMA_16X16X16 0
#endif

#endif
