/* The layernorm and softmax backward passes and the channel reduce of a training step
 * (accel/ops_train.h), every sum in fp32; statistics and the gradients of gamma/beta are fp32.
 * Layernorm backward is three launches (dX may alias dY, so both parameter gradients are summed
 * before any dX is written): row statistics into the workspace, one thread per column for dgamma
 * and dbeta, then dX one block per row. Row and channel kernels take blockDim.x a warp multiple
 * <= 1024. Batch norm is train_bn.cu. */
#include "accel_gpu_port.h"

/* stats[2 row] = mean, stats[2 row + 1] = 1 / sqrt(var + eps), biased variance, two passes. */
template <typename T>
__device__ void accel_ln_bwd_stats_impl(const T *x, float *stats, accel_i64 cols, float eps) {
    __shared__ float scratch[32];
    const accel_i64 row = blockIdx.x;
    const T *xr = x + row * cols;
    float sum = 0.0f;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x) sum += accel_load(xr + j);
    const float mean = accel_block_sum(sum, scratch) / (float)cols;
    float sq = 0.0f;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x) {
        const float d = accel_load(xr + j) - mean;
        sq += d * d;
    }
    const float rstd = rsqrtf(accel_block_sum(sq, scratch) / (float)cols + eps);
    if (threadIdx.x == 0) {
        stats[2 * row] = mean;
        stats[2 * row + 1] = rstd;
    }
}

template <typename T>
__device__ void accel_ln_bwd_params_impl(const T *x, const T *dy, const float *stats, float *dgamma, float *dbeta,
                                         accel_i64 rows, accel_i64 cols, int accumulate) {
    ACCEL_GRID_STRIDE_LOOP(j, cols) {
        float dg = 0.0f, db = 0.0f;
        for (accel_i64 r = 0; r < rows; ++r) {
            const float g = accel_load(dy + r * cols + j);
            dg += g * (accel_load(x + r * cols + j) - stats[2 * r]) * stats[2 * r + 1];
            db += g;
        }
        dgamma[j] = accumulate ? dgamma[j] + dg : dg;
        dbeta[j] = accumulate ? dbeta[j] + db : db;
    }
}

/* dX = rstd (g - mean(g) - xhat mean(g xhat)), g = dY gamma; each thread rewrites only what it read. */
template <typename T>
__device__ void accel_ln_bwd_data_impl(const T *x, const T *gamma, const T *dy, const float *stats, T *dx,
                                       accel_i64 cols) {
    __shared__ float scratch[32];
    const accel_i64 row = blockIdx.x;
    const T *xr = x + row * cols, *dyr = dy + row * cols;
    T *dxr = dx + row * cols;
    const float mean = stats[2 * row], rstd = stats[2 * row + 1];
    float sg = 0.0f, sgx = 0.0f;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x) {
        const float g = accel_load(dyr + j) * accel_load(gamma + j);
        sg += g;
        sgx += g * (accel_load(xr + j) - mean) * rstd;
    }
    const float mg = accel_block_sum(sg, scratch) / (float)cols;
    const float mgx = accel_block_sum(sgx, scratch) / (float)cols;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x) {
        const float g = accel_load(dyr + j) * accel_load(gamma + j);
        accel_store(dxr + j, rstd * (g - mg - (accel_load(xr + j) - mean) * rstd * mgx));
    }
}

/* dX = scale Y (dY - sum dY Y), one block per row; dX may alias dY. */
template <typename T>
__device__ void accel_softmax_bwd_impl(const T *y, const T *dy, T *dx, accel_i64 cols, float scale) {
    __shared__ float scratch[32];
    const accel_i64 row = blockIdx.x;
    const T *yr = y + row * cols, *dyr = dy + row * cols;
    T *dxr = dx + row * cols;
    float dot = 0.0f;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x) dot += accel_load(dyr + j) * accel_load(yr + j);
    dot = accel_block_sum(dot, scratch);
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x)
        accel_store(dxr + j, scale * accel_load(yr + j) * (accel_load(dyr + j) - dot));
}

/* Y[c] (+)= sum X[o, c, i], one block per channel; Y is y32 (fp32) or yt (the storage type). */
template <typename T>
__device__ void accel_reduce_impl(const T *x, float *y32, T *yt, accel_i64 outer, accel_i64 channels, accel_i64 inner,
                                  int accumulate) {
    __shared__ float scratch[32];
    const accel_i64 c = blockIdx.x, total = outer * inner;
    float sum = 0.0f;
    for (accel_i64 t = threadIdx.x; t < total; t += blockDim.x) {
        const accel_i64 o = t / inner, i = t - o * inner;
        sum += accel_load(x + (o * channels + c) * inner + i);
    }
    sum = accel_block_sum(sum, scratch);
    if (threadIdx.x != 0) return;
    if (y32) y32[c] = accumulate ? y32[c] + sum : sum;
    else accel_store(yt + c, accumulate ? accel_load(yt + c) + sum : sum);
}

#define ACCEL_TRAIN_NORM_ENTRIES(T, sfx)                                                                         \
    extern "C" __global__ void accel_ln_bwd_stats_##sfx(const T *x, float *stats, accel_i64 cols, float eps) {  \
        accel_ln_bwd_stats_impl<T>(x, stats, cols, eps);                                                        \
    }                                                                                                           \
    extern "C" __global__ void accel_ln_bwd_params_##sfx(const T *x, const T *dy, const float *stats,           \
                                                         float *dgamma, float *dbeta, accel_i64 rows,            \
                                                         accel_i64 cols, int accumulate) {                       \
        accel_ln_bwd_params_impl<T>(x, dy, stats, dgamma, dbeta, rows, cols, accumulate);                       \
    }                                                                                                           \
    extern "C" __global__ void accel_ln_bwd_data_##sfx(const T *x, const T *gamma, const T *dy,                 \
                                                       const float *stats, T *dx, accel_i64 cols) {             \
        accel_ln_bwd_data_impl<T>(x, gamma, dy, stats, dx, cols);                                               \
    }                                                                                                           \
    extern "C" __global__ void accel_softmax_bwd_##sfx(const T *y, const T *dy, T *dx, accel_i64 cols,          \
                                                       float scale) {                                           \
        accel_softmax_bwd_impl<T>(y, dy, dx, cols, scale);                                                      \
    }                                                                                                           \
    extern "C" __global__ void accel_reduce_##sfx(const T *x, float *y32, T *yt, accel_i64 outer,               \
                                                  accel_i64 channels, accel_i64 inner, int accumulate) {        \
        accel_reduce_impl<T>(x, y32, yt, outer, channels, inner, accumulate);                                   \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_TRAIN_NORM_ENTRIES)
