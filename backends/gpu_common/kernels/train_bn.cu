/* Batch normalisation of a training step (accel/ops_train.h): the forward in training mode (batch
 * statistics, running averages) and the backward, every sum in fp32, statistics and dgamma/dbeta
 * fp32. One block per channel for the sums (blockDim.x a warp multiple <= 1024), then a grid-stride
 * pass per element. */
#include "accel_gpu_port.h"

/* The index of value t (of the n hw values) of channel ch; nhwc: channel fastest, else NCHW. */
__device__ __forceinline__ accel_i64 accel_bn_at(accel_i64 t, accel_i64 ch, accel_i64 c, accel_i64 hw, int nhwc) {
    if (nhwc) return t * c + ch;
    const accel_i64 img = t / hw;
    return (img * c + ch) * hw + (t - img * hw);
}
__device__ __forceinline__ accel_i64 accel_bn_channel(accel_i64 i, accel_i64 c, accel_i64 hw, int nhwc) {
    return nhwc ? i % c : (i / hw) % c;
}

/* One block per channel: batch statistics (two passes), the saved statistics, the running averages
 * (the running variance takes the unbiased variance). */
template <typename T>
__device__ void accel_bn_stats_impl(const T *x, float *running_mean, float *running_var, float *save_mean,
                                    float *save_invstd, accel_i64 n, accel_i64 c, accel_i64 hw, int nhwc, float eps,
                                    float momentum) {
    __shared__ float scratch[32];
    const accel_i64 ch = blockIdx.x, m = n * hw;
    float sum = 0.0f;
    for (accel_i64 t = threadIdx.x; t < m; t += blockDim.x) sum += accel_load(x + accel_bn_at(t, ch, c, hw, nhwc));
    const float mean = accel_block_sum(sum, scratch) / (float)m;
    float sq = 0.0f;
    for (accel_i64 t = threadIdx.x; t < m; t += blockDim.x) {
        const float d = accel_load(x + accel_bn_at(t, ch, c, hw, nhwc)) - mean;
        sq += d * d;
    }
    const float var = accel_block_sum(sq, scratch) / (float)m;
    if (threadIdx.x != 0) return;
    save_mean[ch] = mean;
    save_invstd[ch] = rsqrtf(var + eps);
    running_mean[ch] = (1.0f - momentum) * running_mean[ch] + momentum * mean;
    running_var[ch] = (1.0f - momentum) * running_var[ch] + momentum * var * ((float)m / (float)(m - 1));
}

template <typename T>
__device__ void accel_bn_apply_impl(const T *x, const float *gamma, const float *beta, const float *save_mean,
                                    const float *save_invstd, T *y, accel_i64 total, accel_i64 c, accel_i64 hw,
                                    int nhwc) {
    ACCEL_GRID_STRIDE_LOOP(i, total) {
        const accel_i64 ch = accel_bn_channel(i, c, hw, nhwc);
        const float xhat = (accel_load(x + i) - save_mean[ch]) * save_invstd[ch];
        accel_store(y + i, xhat * gamma[ch] + beta[ch]);
    }
}

template <typename T>
__device__ void accel_bn_bwd_params_impl(const T *x, const T *dy, const float *save_mean, const float *save_invstd,
                                         float *dgamma, float *dbeta, accel_i64 n, accel_i64 c, accel_i64 hw,
                                         int nhwc) {
    __shared__ float scratch[32];
    const accel_i64 ch = blockIdx.x, m = n * hw;
    const float mean = save_mean[ch], invstd = save_invstd[ch];
    float sg = 0.0f, sb = 0.0f;
    for (accel_i64 t = threadIdx.x; t < m; t += blockDim.x) {
        const accel_i64 at = accel_bn_at(t, ch, c, hw, nhwc);
        const float g = accel_load(dy + at);
        sg += g * (accel_load(x + at) - mean) * invstd;
        sb += g;
    }
    sg = accel_block_sum(sg, scratch);
    sb = accel_block_sum(sb, scratch);
    if (threadIdx.x == 0) {
        dgamma[ch] = sg;
        dbeta[ch] = sb;
    }
}

/* dX = gamma invstd (dY - dbeta / m - xhat dgamma / m); dX may alias dY. */
template <typename T>
__device__ void accel_bn_bwd_data_impl(const T *x, const float *gamma, const T *dy, const float *save_mean,
                                       const float *save_invstd, const float *dgamma, const float *dbeta, T *dx,
                                       accel_i64 total, accel_i64 c, accel_i64 hw, int nhwc) {
    const float m = (float)(total / c);
    ACCEL_GRID_STRIDE_LOOP(i, total) {
        const accel_i64 ch = accel_bn_channel(i, c, hw, nhwc);
        const float invstd = save_invstd[ch], xhat = (accel_load(x + i) - save_mean[ch]) * invstd;
        accel_store(dx + i, gamma[ch] * invstd * (accel_load(dy + i) - dbeta[ch] / m - xhat * dgamma[ch] / m));
    }
}

#define ACCEL_TRAIN_BN_ENTRIES(T, sfx)                                                                           \
    extern "C" __global__ void accel_bn_stats_##sfx(const T *x, float *running_mean, float *running_var,        \
                                                    float *save_mean, float *save_invstd, accel_i64 n,          \
                                                    accel_i64 c, accel_i64 hw, int nhwc, float eps,             \
                                                    float momentum) {                                           \
        accel_bn_stats_impl<T>(x, running_mean, running_var, save_mean, save_invstd, n, c, hw, nhwc, eps,       \
                               momentum);                                                                       \
    }                                                                                                           \
    extern "C" __global__ void accel_bn_apply_##sfx(const T *x, const float *gamma, const float *beta,          \
                                                    const float *save_mean, const float *save_invstd, T *y,     \
                                                    accel_i64 total, accel_i64 c, accel_i64 hw, int nhwc) {     \
        accel_bn_apply_impl<T>(x, gamma, beta, save_mean, save_invstd, y, total, c, hw, nhwc);                  \
    }                                                                                                           \
    extern "C" __global__ void accel_bn_bwd_params_##sfx(const T *x, const T *dy, const float *save_mean,       \
                                                         const float *save_invstd, float *dgamma, float *dbeta, \
                                                         accel_i64 n, accel_i64 c, accel_i64 hw, int nhwc) {     \
        accel_bn_bwd_params_impl<T>(x, dy, save_mean, save_invstd, dgamma, dbeta, n, c, hw, nhwc);              \
    }                                                                                                           \
    extern "C" __global__ void accel_bn_bwd_data_##sfx(const T *x, const float *gamma, const T *dy,             \
                                                       const float *save_mean, const float *save_invstd,        \
                                                       const float *dgamma, const float *dbeta, T *dx,          \
                                                       accel_i64 total, accel_i64 c, accel_i64 hw, int nhwc) {   \
        accel_bn_bwd_data_impl<T>(x, gamma, dy, save_mean, save_invstd, dgamma, dbeta, dx, total, c, hw, nhwc); \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_TRAIN_BN_ENTRIES)
