/* LayerNorm over the last dimension, one block per row, fp32 statistics, two passes over the row
 * (mean, then centred variance) for accuracy; the row stays in L1/L2 between passes.
 * Y may alias X: each element is read and written by the same thread, writes in the last pass. */
#include "accel_gpu_port.h"

template <typename T>
__device__ void accel_layernorm_impl(const T *x, const T *res, const T *gamma, const T *beta,
                                     T *y, accel_i64 cols, float eps) {
    __shared__ float scratch[32];
    const accel_i64 row = blockIdx.x;
    const T *xr = x + row * cols;
    const T *rr = res ? res + row * cols : (const T *)0;
    T *yr = y + row * cols;

    float sum = 0.0f;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x)
        sum += accel_load(xr + j) + (rr ? accel_load(rr + j) : 0.0f);
    const float mean = accel_block_sum(sum, scratch) / (float)cols;

    float sq = 0.0f;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x) {
        const float d = accel_load(xr + j) + (rr ? accel_load(rr + j) : 0.0f) - mean;
        sq += d * d;
    }
    const float inv_std = rsqrtf(accel_block_sum(sq, scratch) / (float)cols + eps);

    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x) {
        const float t = accel_load(xr + j) + (rr ? accel_load(rr + j) : 0.0f);
        accel_store(yr + j, (t - mean) * inv_std * accel_load(gamma + j) + accel_load(beta + j));
    }
}

#define ACCEL_LAYERNORM_ENTRY(T, sfx)                                                         \
    extern "C" __global__ void accel_layernorm_##sfx(const T *x, const T *res, const T *gamma, \
                                                     const T *beta, T *y, accel_i64 cols,     \
                                                     float eps) {                             \
        accel_layernorm_impl<T>(x, res, gamma, beta, y, cols, eps);                           \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_LAYERNORM_ENTRY)

/* RMSNorm (LLaMA-style): y = x / sqrt(mean(x^2) + eps) * gamma, one block per row, the sum of
 * squares in fp32. Y may alias X as above. */
template <typename T>
__device__ void accel_rmsnorm_impl(const T *x, const T *gamma, T *y, accel_i64 cols, float eps) {
    __shared__ float scratch[32];
    const accel_i64 row = blockIdx.x;
    const T *xr = x + row * cols;
    T *yr = y + row * cols;

    float sq = 0.0f;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x) {
        const float v = accel_load(xr + j);
        sq += v * v;
    }
    const float inv_rms = rsqrtf(accel_block_sum(sq, scratch) / (float)cols + eps);

    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x)
        accel_store(yr + j, accel_load(xr + j) * inv_rms * accel_load(gamma + j));
}

#define ACCEL_RMSNORM_ENTRY(T, sfx)                                                                \
    extern "C" __global__ void accel_rmsnorm_##sfx(const T *x, const T *gamma, T *y, accel_i64 cols, \
                                                   float eps) {                                    \
        accel_rmsnorm_impl<T>(x, gamma, y, cols, eps);                                             \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_RMSNORM_ENTRY)
