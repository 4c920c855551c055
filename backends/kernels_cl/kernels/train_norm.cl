/* train_norm.cl: the backward passes of the normalisations and the reductions of a training step
 * (accel/ops_train.h), every sum in fp32. Statistics, gradients of gamma/beta and bias gradients
 * are fp32; X, dY, dX are stored as DTYPE. Buffers come as (pointer, element offset) pairs.
 *
 * Layernorm backward, three launches (dX may alias dY, so both parameter gradients are summed
 * before any dX is written):
 *   accel_ln_bwd_stats(int cols, float eps, X, x_off, S, s_off): one group per row; S[2 r] = mean,
 *     S[2 r + 1] = 1 / sqrt(var + eps) (biased variance, two passes).
 *   accel_ln_bwd_params(int rows, int cols, int accumulate, X, x_off, dY, dy_off, S, s_off,
 *     dgamma, dg_off, dbeta, db_off): one work-item per column, summing over the rows.
 *   accel_ln_bwd_data(int cols, X, x_off, gamma, g_off, dY, dy_off, S, s_off, dX, dx_off): one group
 *     per row, dX = rstd (g - mean(g) - xhat mean(g xhat)), g = dY gamma.
 * accel_softmax_bwd(int cols, float scale, Y, y_off, dY, dy_off, dX, dx_off): one group per row,
 *   dX = scale Y (dY - sum dY Y); dX may alias dY.
 * accel_reduce(long outer, int channels, long inner, int accumulate, int y_f32, X, x_off, Y, y_off):
 *   one group per channel, Y[c] (+)= sum X[o, c, i]; Y is f32 (y_f32) or T.
 * Batch norm (per channel c over m = n h w values; nhwc: channel fastest, else NCHW):
 *   accel_bn_stats(int n, int c, int hw, int nhwc, float eps, float momentum, X, x_off,
 *     running_mean, rm_off, running_var, rv_off, save_mean, sm_off, save_invstd, si_off): one group
 *     per channel, two passes; the running variance takes the unbiased variance.
 *   accel_bn_apply(long total, int c, int hw, int nhwc, X, x_off, gamma, g_off, beta, b_off,
 *     save_mean, sm_off, save_invstd, si_off, Y, y_off): one work-item per element.
 *   accel_bn_bwd_params(int n, int c, int hw, int nhwc, X, x_off, dY, dy_off, save_mean, sm_off,
 *     save_invstd, si_off, dgamma, dg_off, dbeta, db_off): one group per channel.
 *   accel_bn_bwd_data(long total, int c, int hw, int nhwc, X, x_off, gamma, g_off, dY, dy_off,
 *     save_mean, sm_off, save_invstd, si_off, dgamma, dg_off, dbeta, db_off, dX, dx_off): one
 *     work-item per element; dX may alias dY.
 * Loops over a row or channel run the group's trip count with the bound test inside (the form
 * llvm-spirv 14 lays out in dominator order for the level_zero build, as layernorm.cl's rmsnorm).
 * The sizes the planner flags zero in the plugin's warm-up make every kernel write nothing (the
 * group kernels still pass their barriers: no early return before one).
 *
 * Compile-time options: WG (the row / channel kernels' work-group, a power of two; default 256),
 * DTYPE (0 f32, 1 f16, 2 bf16). */

#ifndef WG
#define WG 256
#endif
#include "accel_storage.h"

#include "accel_group.h"

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_ln_bwd_stats(const int cols, const float eps, __global const T *X, const long x_off, __global float *S,
                   const long s_off) {
    __local float scratch[WG];
    const long row = get_group_id(0);
    const int lid = get_local_id(0);
    X += x_off + row * cols;
    float sum = 0.0f;
    for (int j0 = 0; j0 < cols; j0 += WG) {
        const int j = j0 + lid;
        if (j < cols) {
            sum += LOAD(X, j);
        }
    }
    const float mean = accel_group_reduce(sum, 0, scratch) / (float)cols;
    float sq = 0.0f;
    for (int j0 = 0; j0 < cols; j0 += WG) {
        const int j = j0 + lid;
        if (j < cols) {
            const float d = LOAD(X, j) - mean;
            sq += d * d;
        }
    }
    const float rstd = rsqrt(accel_group_reduce(sq, 0, scratch) / (float)cols + eps);
    if (lid == 0 && cols > 0) {
        S[s_off + 2 * row] = mean;
        S[s_off + 2 * row + 1] = rstd;
    }
}

__kernel void accel_ln_bwd_params(const int rows, const int cols, const int accumulate, __global const T *X,
                                  const long x_off, __global const T *dY, const long dy_off, __global const float *S,
                                  const long s_off, __global float *dgamma, const long dg_off, __global float *dbeta,
                                  const long db_off) {
    const int j = get_global_id(0);
    if (j >= cols)
        return;
    X += x_off;
    dY += dy_off;
    S += s_off;
    float dg = 0.0f, db = 0.0f;
    for (int r = 0; r < rows; r++) {
        const long at = (long)r * cols + j;
        const float dy = LOAD(dY, at);
        dg += dy * (LOAD(X, at) - S[2 * r]) * S[2 * r + 1];
        db += dy;
    }
    if (accumulate) {
        dg += dgamma[dg_off + j];
        db += dbeta[db_off + j];
    }
    dgamma[dg_off + j] = dg;
    dbeta[db_off + j] = db;
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_ln_bwd_data(const int cols, __global const T *X, const long x_off, __global const T *gamma, const long g_off,
                  __global const T *dY, const long dy_off, __global const float *S, const long s_off, __global T *dX,
                  const long dx_off) {
    __local float scratch[WG];
    const long row = get_group_id(0);
    const int lid = get_local_id(0);
    X += x_off + row * cols;
    dY += dy_off + row * cols;
    dX += dx_off + row * cols;
    gamma += g_off;
    const float mean = cols > 0 ? S[s_off + 2 * row] : 0.0f, rstd = cols > 0 ? S[s_off + 2 * row + 1] : 0.0f;
    float sg = 0.0f, sgx = 0.0f;
    for (int j0 = 0; j0 < cols; j0 += WG) {
        const int j = j0 + lid;
        if (j < cols) {
            const float g = LOAD(dY, j) * LOAD(gamma, j);
            sg += g;
            sgx += g * (LOAD(X, j) - mean) * rstd;
        }
    }
    const float mg = accel_group_reduce(sg, 0, scratch) / (float)cols;
    const float mgx = accel_group_reduce(sgx, 0, scratch) / (float)cols;
    /* each work-item rewrites only the elements it read: dX may alias dY */
    for (int j0 = 0; j0 < cols; j0 += WG) {
        const int j = j0 + lid;
        if (j < cols) {
            const float g = LOAD(dY, j) * LOAD(gamma, j);
            STORE(dX, j, rstd * (g - mg - (LOAD(X, j) - mean) * rstd * mgx));
        }
    }
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_softmax_bwd(const int cols, const float scale, __global const T *Y, const long y_off, __global const T *dY,
                  const long dy_off, __global T *dX, const long dx_off) {
    __local float scratch[WG];
    const long row = get_group_id(0);
    const int lid = get_local_id(0);
    Y += y_off + row * cols;
    dY += dy_off + row * cols;
    dX += dx_off + row * cols;
    float dot = 0.0f;
    for (int j0 = 0; j0 < cols; j0 += WG) {
        const int j = j0 + lid;
        if (j < cols) {
            dot += LOAD(dY, j) * LOAD(Y, j);
        }
    }
    dot = accel_group_reduce(dot, 0, scratch);
    for (int j0 = 0; j0 < cols; j0 += WG) {
        const int j = j0 + lid;
        if (j < cols) {
            STORE(dX, j, scale * LOAD(Y, j) * (LOAD(dY, j) - dot));
        }
    }
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_reduce(const long outer, const int channels, const long inner, const int accumulate, const int y_f32,
             __global const T *X, const long x_off, __global void *Y, const long y_off) {
    __local float scratch[WG];
    const long c = get_group_id(0);
    const int lid = get_local_id(0);
    X += x_off;
    const long total = outer * inner;
    float sum = 0.0f;
    for (long t0 = 0; t0 < total; t0 += WG) {
        const long t = t0 + lid;
        if (t < total) {
            const long o = t / inner, i = t - o * inner;
            sum += LOAD(X, (o * channels + c) * inner + i);
        }
    }
    sum = accel_group_reduce(sum, 0, scratch);
    if (lid != 0 || total == 0)
        return;
    if (y_f32) {
        __global float *y = (__global float *)Y + y_off;
        y[c] = accumulate ? y[c] + sum : sum;
    } else {
        __global T *y = (__global T *)Y + y_off;
        STORE(y, c, accumulate ? LOAD(y, c) + sum : sum);
    }
}

/* The index of value t (of the m = n hw values) of channel ch. */
inline long accel_bn_at(const long t, const int ch, const int c, const int hw, const int nhwc) {
    if (nhwc)
        return t * c + ch;
    const long img = t / hw;
    return (img * c + ch) * hw + (t - img * hw);
}

inline int accel_bn_channel(const long i, const int c, const int hw, const int nhwc) {
    return nhwc ? (int)(i % c) : (int)((i / hw) % c);
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_bn_stats(const int n, const int c, const int hw, const int nhwc, const float eps, const float momentum,
               __global const T *X, const long x_off, __global float *running_mean, const long rm_off,
               __global float *running_var, const long rv_off, __global float *save_mean, const long sm_off,
               __global float *save_invstd, const long si_off) {
    __local float scratch[WG];
    const int ch = get_group_id(0);
    const int lid = get_local_id(0);
    X += x_off;
    const long m = (long)n * hw;
    float sum = 0.0f;
    for (long t0 = 0; t0 < m; t0 += WG) {
        const long t = t0 + lid;
        if (t < m) {
            sum += LOAD(X, accel_bn_at(t, ch, c, hw, nhwc));
        }
    }
    const float mean = accel_group_reduce(sum, 0, scratch) / (float)m;
    float sq = 0.0f;
    for (long t0 = 0; t0 < m; t0 += WG) {
        const long t = t0 + lid;
        if (t < m) {
            const float d = LOAD(X, accel_bn_at(t, ch, c, hw, nhwc)) - mean;
            sq += d * d;
        }
    }
    const float var = accel_group_reduce(sq, 0, scratch) / (float)m;
    if (lid != 0 || m == 0)
        return;
    save_mean[sm_off + ch] = mean;
    save_invstd[si_off + ch] = rsqrt(var + eps);
    running_mean[rm_off + ch] = (1.0f - momentum) * running_mean[rm_off + ch] + momentum * mean;
    running_var[rv_off + ch] =
        (1.0f - momentum) * running_var[rv_off + ch] + momentum * var * ((float)m / (float)(m - 1));
}

__kernel void accel_bn_apply(const long total, const int c, const int hw, const int nhwc, __global const T *X,
                             const long x_off, __global const float *gamma, const long g_off,
                             __global const float *beta, const long b_off, __global const float *save_mean,
                             const long sm_off, __global const float *save_invstd, const long si_off, __global T *Y,
                             const long y_off) {
    const long i = get_global_id(0);
    if (i >= total)
        return;
    const int ch = accel_bn_channel(i, c, hw, nhwc);
    const float xhat = (LOAD(X, x_off + i) - save_mean[sm_off + ch]) * save_invstd[si_off + ch];
    STORE(Y, y_off + i, xhat * gamma[g_off + ch] + beta[b_off + ch]);
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_bn_bwd_params(const int n, const int c, const int hw, const int nhwc, __global const T *X, const long x_off,
                    __global const T *dY, const long dy_off, __global const float *save_mean, const long sm_off,
                    __global const float *save_invstd, const long si_off, __global float *dgamma, const long dg_off,
                    __global float *dbeta, const long db_off) {
    __local float scratch[WG];
    const int ch = get_group_id(0);
    const int lid = get_local_id(0);
    X += x_off;
    dY += dy_off;
    const long m = (long)n * hw;
    const float mean = m > 0 ? save_mean[sm_off + ch] : 0.0f, invstd = m > 0 ? save_invstd[si_off + ch] : 0.0f;
    float sg = 0.0f, sb = 0.0f;
    for (long t0 = 0; t0 < m; t0 += WG) {
        const long t = t0 + lid;
        if (t < m) {
            const long at = accel_bn_at(t, ch, c, hw, nhwc);
            const float dy = LOAD(dY, at);
            sg += dy * (LOAD(X, at) - mean) * invstd;
            sb += dy;
        }
    }
    sg = accel_group_reduce(sg, 0, scratch);
    sb = accel_group_reduce(sb, 0, scratch);
    if (lid == 0 && m > 0) {
        dgamma[dg_off + ch] = sg;
        dbeta[db_off + ch] = sb;
    }
}

__kernel void accel_bn_bwd_data(const long total, const int c, const int hw, const int nhwc, __global const T *X,
                                const long x_off, __global const float *gamma, const long g_off, __global const T *dY,
                                const long dy_off, __global const float *save_mean, const long sm_off,
                                __global const float *save_invstd, const long si_off, __global const float *dgamma,
                                const long dg_off, __global const float *dbeta, const long db_off, __global T *dX,
                                const long dx_off) {
    const long i = get_global_id(0);
    if (i >= total)
        return;
    const int ch = accel_bn_channel(i, c, hw, nhwc);
    const float m = (float)(total / c), invstd = save_invstd[si_off + ch];
    const float xhat = (LOAD(X, x_off + i) - save_mean[sm_off + ch]) * invstd;
    const float dy = LOAD(dY, dy_off + i);
    STORE(dX, dx_off + i,
          gamma[g_off + ch] * invstd * (dy - dbeta[db_off + ch] / m - xhat * dgamma[dg_off + ch] / m));
}
