/* train_optim.cl: the optimizer and the loss scaling of a training step (accel/ops_train.h). Every
 * decision that depends on an overflow is taken on the device from the found_inf flag: the host
 * never reads anything back.
 *
 * Kernel accel_adamw(long count, float lr, float beta1, float beta2, float eps, float weight_decay,
 *                    float bc1, float bc2, int has_model, int has_flag, global float *param, long p_off,
 *                    global const T *grad, long g_off, global float *m, long m_off, global float *v,
 *                    long v_off, global MT *model, long model_off, global const int *found_inf, long f_off)
 *   One work-item per parameter; bc1 = 1 - beta1^step and bc2 = 1 - beta2^step come from the host.
 *   With has_flag and *found_inf non-zero, nothing is written (the skipped step).
 * Kernel accel_amp_scale(long count, int invert, global T *X, long x_off, global const float *scale,
 *                        long s_off, int has_flag, global int *found_inf, long f_off)
 *   X = X * scale or X / scale; a result that is inf or NaN once stored as T sets *found_inf = 1.
 * Kernel accel_amp_update(int active, float growth, float backoff, int interval, global float *scale,
 *                         long s_off, global int *tracker, long t_off, global int *found_inf, long f_off,
 *                         int has_skipped, global int *skipped, long k_off)
 *   One work-item: the GradScaler update, then found_inf cleared. active is 0 in the warm-up.
 *
 * Compile-time options: DTYPE (the gradient / X storage: 0 f32, 1 f16, 2 bf16), MODEL_DT (the model
 * copy's storage: 1 f16, 2 bf16; default 2). */

#include "accel_storage.h"

#ifndef MODEL_DT
#define MODEL_DT 2
#endif
#if MODEL_DT == 1
#define MT half
#define STORE_MODEL(p, i, v) vstore_half((v), (i), (p))
#else
#define MT ushort
#define STORE_MODEL(p, i, v) ((p)[i] = accel_f32_to_bf16(v))
#endif

__kernel void accel_adamw(const long count, const float lr, const float beta1, const float beta2, const float eps,
                          const float weight_decay, const float bc1, const float bc2, const int has_model,
                          const int has_flag, __global float *param, const long p_off, __global const T *grad,
                          const long g_off, __global float *m, const long m_off, __global float *v, const long v_off,
                          __global MT *model, const long model_off, __global const int *found_inf,
                          const long f_off) {
    const long i = get_global_id(0);
    if (i >= count || (has_flag && found_inf[f_off]))
        return;
    const float g = LOAD(grad, g_off + i);
    const float mi = beta1 * m[m_off + i] + (1.0f - beta1) * g;
    const float vi = beta2 * v[v_off + i] + (1.0f - beta2) * g * g;
    float p = param[p_off + i];
    p -= lr * (weight_decay * p + (mi / bc1) / (sqrt(vi / bc2) + eps));
    m[m_off + i] = mi;
    v[v_off + i] = vi;
    param[p_off + i] = p;
    if (has_model)
        STORE_MODEL(model, model_off + i, p);
}

__kernel void accel_amp_scale(const long count, const int invert, __global T *X, const long x_off,
                              __global const float *scale, const long s_off, const int has_flag,
                              __global int *found_inf, const long f_off) {
    const long i = get_global_id(0);
    if (i >= count)
        return;
    const float sc = scale[s_off];
    const float x = LOAD(X, x_off + i);
    STORE(X, x_off + i, invert ? x / sc : x * sc);
    /* what the element holds now: an f16 result above 65504 is an infinity there */
    if (has_flag && !isfinite(LOAD(X, x_off + i)))
        found_inf[f_off] = 1;
}

__kernel void accel_amp_update(const int active, const float growth, const float backoff, const int interval,
                               __global float *scale, const long s_off, __global int *tracker, const long t_off,
                               __global int *found_inf, const long f_off, const int has_skipped,
                               __global int *skipped, const long k_off) {
    if (!active || get_global_id(0) != 0)
        return;
    if (found_inf[f_off]) {
        scale[s_off] *= backoff;
        tracker[t_off] = 0;
        if (has_skipped)
            skipped[k_off] += 1;
    } else if (++tracker[t_off] >= interval) {
        scale[s_off] *= growth;
        tracker[t_off] = 0;
    }
    found_inf[f_off] = 0;
}
