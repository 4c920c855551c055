/* The optimizer and loss scaling of a training step (accel/ops_train.h). Every decision that
 * depends on an overflow is taken on the device from the found_inf flag: the host never reads
 * anything back. Absent optional operands are null pointers. */
#include "accel_gpu_port.h"

__device__ __forceinline__ int accel_not_finite(float v) {
    return (__float_as_uint(v) & 0x7f800000u) == 0x7f800000u;
}

/* AdamW on fp32 masters; bc1 = 1 - beta1^step, bc2 = 1 - beta2^step from the host. The model copy
 * (model16 or modelb16, at most one given) is the new parameter rounded to its type. */
template <typename T>
__device__ void accel_adamw_impl(float *param, const T *grad, float *m, float *v, accel_f16 *model16,
                                 accel_bf16 *modelb16, const int *found_inf, accel_i64 count, float lr, float beta1,
                                 float beta2, float eps, float weight_decay, float bc1, float bc2) {
    if (found_inf && *found_inf) return;
    ACCEL_GRID_STRIDE_LOOP(i, count) {
        const float g = accel_load(grad + i);
        const float mi = beta1 * m[i] + (1.0f - beta1) * g;
        const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        float p = param[i];
        p -= lr * (weight_decay * p + (mi / bc1) / (sqrtf(vi / bc2) + eps));
        m[i] = mi;
        v[i] = vi;
        param[i] = p;
        if (model16) accel_store(model16 + i, p);
        if (modelb16) accel_store(modelb16 + i, p);
    }
}

/* X = X * scale (or / scale); a result that is inf or NaN once stored sets *found_inf. */
template <typename T>
__device__ void accel_amp_scale_impl(T *x, const float *scale, int *found_inf, accel_i64 count, int invert) {
    const float sc = *scale;
    ACCEL_GRID_STRIDE_LOOP(i, count) {
        const float a = accel_load(x + i);
        accel_store(x + i, invert ? a / sc : a * sc);
        if (found_inf && accel_not_finite(accel_load(x + i))) *found_inf = 1;
    }
}

#define ACCEL_TRAIN_OPTIM_ENTRIES(T, sfx)                                                                      \
    extern "C" __global__ void accel_adamw_##sfx(float *param, const T *grad, float *m, float *v,             \
                                                 accel_f16 *model16, accel_bf16 *modelb16,                    \
                                                 const int *found_inf, accel_i64 count, float lr, float beta1, \
                                                 float beta2, float eps, float weight_decay, float bc1,        \
                                                 float bc2) {                                                  \
        accel_adamw_impl<T>(param, grad, m, v, model16, modelb16, found_inf, count, lr, beta1, beta2, eps,     \
                            weight_decay, bc1, bc2);                                                           \
    }                                                                                                          \
    extern "C" __global__ void accel_amp_scale_##sfx(T *x, const float *scale, int *found_inf, accel_i64 count, \
                                                     int invert) {                                             \
        accel_amp_scale_impl<T>(x, scale, found_inf, count, invert);                                           \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_TRAIN_OPTIM_ENTRIES)

/* The GradScaler update, one thread: on overflow scale *= backoff, the tracker restarts and the
 * skip is counted; else a clean step is counted and, at interval in a row, scale *= growth. Then
 * found_inf is cleared for the next step. */
extern "C" __global__ void accel_amp_update(float *scale, int *tracker, int *found_inf, int *skipped, float growth,
                                            float backoff, accel_i64 interval) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    if (*found_inf) {
        *scale *= backoff;
        *tracker = 0;
        if (skipped) *skipped += 1;
    } else if (++*tracker >= interval) {
        *scale *= growth;
        *tracker = 0;
    }
    *found_inf = 0;
}
