/* Fallback GEMM (library "accel"): D = act(alpha op(A) op(B) + beta C + bias), row-major, strided
 * batch over blockIdx.z, the semantics of accel_gemm_desc (hal/include/accel/ops.h). */
#include "accel_gpu_tile.h"

template <typename T, typename Acc> struct accel_gemm_load_a {
    const T *a; accel_i64 lda; int trans; int tf32;
    __device__ Acc operator()(accel_i64 m, accel_i64 k) const {
        Acc v = accel_load(trans ? a + k * lda + m : a + m * lda + k);
        return tf32 ? Acc(accel_round_tf32(float(v))) : v;
    }
};
template <typename T, typename Acc> struct accel_gemm_load_b {
    const T *b; accel_i64 ldb; int trans; int tf32;
    __device__ Acc operator()(accel_i64 k, accel_i64 n) const {
        Acc v = accel_load(trans ? b + n * ldb + k : b + k * ldb + n);
        return tf32 ? Acc(accel_round_tf32(float(v))) : v;
    }
};
template <typename T, typename Acc> struct accel_gemm_store {
    const T *c; T *d; const T *bias; accel_i64 ldc, ldd; Acc alpha, beta; int act;
    __device__ void operator()(accel_i64 m, accel_i64 n, Acc acc) const {
        Acc v = alpha * acc;
        if (c) v += beta * Acc(accel_load(c + m * ldc + n));
        if (bias) v += Acc(accel_load(bias + n));
        accel_store(d + m * ldd + n, accel_activate(v, act));
    }
};

template <typename T, typename Acc>
__device__ void accel_gemm_impl(const T *a, const T *b, const T *c, T *d, const T *bias,
                                const accel_gemm_params &p) {
    const accel_i64 m0 = (accel_i64)blockIdx.y * ACCEL_TILE_M, n0 = (accel_i64)blockIdx.x * ACCEL_TILE_N;
    for (accel_i64 z = blockIdx.z; z < p.batch; z += gridDim.z) {
        accel_gemm_load_a<T, Acc> la = {a + z * p.stride_a, p.lda, p.trans_a, p.round_tf32};
        accel_gemm_load_b<T, Acc> lb = {b + z * p.stride_b, p.ldb, p.trans_b, p.round_tf32};
        accel_gemm_store<T, Acc> st = {c ? c + z * p.stride_c : (const T *)0, d + z * p.stride_d,
                                       bias ? bias + z * p.stride_bias : (const T *)0,
                                       p.ldc, p.ldd, Acc(p.alpha), Acc(p.beta), p.act};
        accel_tile_gemm<Acc>(p.m, p.n, p.k, m0, n0, la, lb, st);
    }
}

#define ACCEL_GEMM_ENTRY(T, Acc, sfx)                                                         \
    extern "C" __global__ void __launch_bounds__(ACCEL_TILE_THREADS)                          \
    accel_gemm_##sfx(const T *a, const T *b, const T *c, T *d, const T *bias,                 \
                     const accel_gemm_params p) {                                             \
        accel_gemm_impl<T, Acc>(a, b, c, d, bias, p);                                         \
    }
ACCEL_GEMM_ENTRY(float, float, f32)
ACCEL_GEMM_ENTRY(accel_f16, float, f16)
ACCEL_GEMM_ENTRY(accel_bf16, float, bf16)
ACCEL_GEMM_ENTRY(double, double, f64)
