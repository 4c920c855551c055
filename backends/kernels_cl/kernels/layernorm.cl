/* layernorm.cl: layer normalisation over the last dimension, one work-group per row.
 *
 * Kernel accel_layernorm(int cols, float eps, int has_residual,
 *                        global const T *X, long x_off, global const T *R, long r_off,
 *                        global const T *gamma, long g_off, global const T *beta, long b_off,
 *                        global T *Y, long y_off)
 *   t = X (+ R); Y = (t - mean) / sqrt(var + eps) * gamma + beta, biased variance, two passes in
 *   fp32 (mean, then squared deviations) for accuracy. Y may alias X: each element is written only
 *   after every read of its row. Work-group (WG, 1, 1), WG a power of two; grid rows x 1 x 1.
 *
 * Kernel accel_rmsnorm(int cols, float eps, global const T *X, long x_off,
 *                      global const T *gamma, long g_off, global T *Y, long y_off)
 *   Y = X / sqrt(mean(X^2) + eps) * gamma (LLaMA-style), the sum of squares in fp32; same
 *   geometry and aliasing as accel_layernorm.
 *
 * Compile-time options: WG (default 256), DTYPE (0 f32, 1 f16 storage via vload_half, 2 bf16). */

#ifndef WG
#define WG 256
#endif
#include "accel_storage.h"

/* Sum over the work-group; every work-item gets the result. */
inline float accel_group_sum(float v, __local float *scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int half_n = WG / 2; half_n > 0; half_n >>= 1) {
        if (lid < half_n)
            scratch[lid] += scratch[lid + half_n];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_layernorm(const int cols, const float eps, const int has_residual, __global const T *X,
                const long x_off, __global const T *R, const long r_off, __global const T *gamma,
                const long g_off, __global const T *beta, const long b_off, __global T *Y,
                const long y_off) {
    __local float scratch[WG];
    const long row = get_group_id(0);
    const int lid = get_local_id(0);
    X += x_off + row * cols;
    R += r_off + row * cols;
    Y += y_off + row * cols;
    gamma += g_off;
    beta += b_off;

    float sum = 0.0f;
    for (int j = lid; j < cols; j += WG)
        sum += LOAD(X, j) + (has_residual ? LOAD(R, j) : 0.0f);
    const float mean = accel_group_sum(sum, scratch) / (float)cols;

    float sq = 0.0f;
    for (int j = lid; j < cols; j += WG) {
        const float d = LOAD(X, j) + (has_residual ? LOAD(R, j) : 0.0f) - mean;
        sq += d * d;
    }
    const float inv = rsqrt(accel_group_sum(sq, scratch) / (float)cols + eps);

    for (int j = lid; j < cols; j += WG) {
        const float t = LOAD(X, j) + (has_residual ? LOAD(R, j) : 0.0f);
        STORE(Y, j, (t - mean) * inv * LOAD(gamma, j) + LOAD(beta, j));
    }
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_rmsnorm(const int cols, const float eps, __global const T *X, const long x_off, __global const T *gamma,
              const long g_off, __global T *Y, const long y_off) {
    __local float scratch[WG];
    const long row = get_group_id(0);
    const int lid = get_local_id(0);
    X += x_off + row * cols;
    Y += y_off + row * cols;
    gamma += g_off;

    /* The trip count is the group's, not the work-item's (the j < cols test sits inside): the
     * form llvm-spirv 14 lays out in dominator order for the level_zero build. */
    float sq = 0.0f;
    for (int j0 = 0; j0 < cols; j0 += WG) {
        const int j = j0 + lid;
        if (j < cols) {
            const float v = LOAD(X, j);
            sq += v * v;
        }
    }
    const float inv = rsqrt(accel_group_sum(sq, scratch) / (float)cols + eps);

    for (int j0 = 0; j0 < cols; j0 += WG) {
        const int j = j0 + lid;
        if (j < cols)
            STORE(Y, j, LOAD(X, j) * inv * LOAD(gamma, j));
    }
}
