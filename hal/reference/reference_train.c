/* fp64 references of the training ops (accel/ops_train.h). Each follows the formula in the header
 * of its op directly; the tests check them against finite differences of the forward references. */
#include "accel/reference.h"

#include <math.h>
#include <stdlib.h>

void accel_ref_layernorm_backward(const accel_layernorm_backward_desc *d, const void *X, const void *gamma,
                                  const void *dY, double *dX, double *dgamma, double *dbeta) {
    const int64_t R = d->rows, C = d->cols;
    for (int64_t j = 0; j < C; j++)
        dgamma[j] = dbeta[j] = 0.0;
    double *xhat = malloc((size_t)C * sizeof *xhat), *g = malloc((size_t)C * sizeof *g);
    if (!xhat || !g) {
        free(xhat), free(g);
        for (int64_t i = 0; i < R * C; i++) dX[i] = NAN;
        return;
    }
    for (int64_t r = 0; r < R; r++) {
        double mean = 0.0, var = 0.0;
        for (int64_t j = 0; j < C; j++) mean += accel_ref_load(d->dtype, X, r * C + j);
        mean /= (double)C;
        for (int64_t j = 0; j < C; j++) {
            const double t = accel_ref_load(d->dtype, X, r * C + j) - mean;
            var += t * t;
        }
        const double rstd = 1.0 / sqrt(var / (double)C + d->eps);
        double mean_g = 0.0, mean_gx = 0.0;
        for (int64_t j = 0; j < C; j++) {
            const double dy = accel_ref_load(d->dtype, dY, r * C + j);
            xhat[j] = (accel_ref_load(d->dtype, X, r * C + j) - mean) * rstd;
            g[j] = dy * accel_ref_load(d->dtype, gamma, j);
            mean_g += g[j];
            mean_gx += g[j] * xhat[j];
            dgamma[j] += dy * xhat[j];
            dbeta[j] += dy;
        }
        mean_g /= (double)C;
        mean_gx /= (double)C;
        for (int64_t j = 0; j < C; j++) dX[r * C + j] = rstd * (g[j] - mean_g - xhat[j] * mean_gx);
    }
    free(xhat);
    free(g);
}

void accel_ref_softmax_backward(const accel_softmax_desc *d, const void *Y, const void *dY, double *dX) {
    const int64_t R = d->rows, C = d->cols;
    for (int64_t r = 0; r < R; r++) {
        double dot = 0.0;
        for (int64_t j = 0; j < C; j++)
            dot += accel_ref_load(d->dtype, dY, r * C + j) * accel_ref_load(d->dtype, Y, r * C + j);
        for (int64_t j = 0; j < C; j++)
            dX[r * C + j] = d->scale * accel_ref_load(d->dtype, Y, r * C + j) *
                            (accel_ref_load(d->dtype, dY, r * C + j) - dot);
    }
}

void accel_ref_reduce(const accel_reduce_desc *d, const void *X, double *Y) {
    for (int64_t c = 0; c < d->channels; c++) Y[c] = 0.0;
    for (int64_t o = 0; o < d->outer; o++)
        for (int64_t c = 0; c < d->channels; c++)
            for (int64_t i = 0; i < d->inner; i++)
                Y[c] += accel_ref_load(d->x_type, X, (o * d->channels + c) * d->inner + i);
}

/* Index of (n, c, hw) in an n x c x (h w) tensor of the description's layout. */
static int64_t bn_index(const accel_batchnorm_desc *d, int64_t n, int64_t c, int64_t hw) {
    const int64_t HW = d->h * d->w;
    return d->layout == ACCEL_LAYOUT_NHWC ? (n * HW + hw) * d->c + c : (n * d->c + c) * HW + hw;
}

void accel_ref_batchnorm(const accel_batchnorm_desc *d, const void *X, const float *gamma, const float *beta,
                         const float *running_mean, const float *running_var, double *Y,
                         double *new_running_mean, double *new_running_var, double *save_mean,
                         double *save_invstd) {
    const int64_t HW = d->h * d->w, m = d->n * HW;
    for (int64_t c = 0; c < d->c; c++) {
        double mean = 0.0, var = 0.0;
        for (int64_t n = 0; n < d->n; n++)
            for (int64_t hw = 0; hw < HW; hw++) mean += accel_ref_load(d->dtype, X, bn_index(d, n, c, hw));
        mean /= (double)m;
        for (int64_t n = 0; n < d->n; n++)
            for (int64_t hw = 0; hw < HW; hw++) {
                const double t = accel_ref_load(d->dtype, X, bn_index(d, n, c, hw)) - mean;
                var += t * t;
            }
        var /= (double)m;
        const double invstd = 1.0 / sqrt(var + d->eps);
        for (int64_t n = 0; n < d->n; n++)
            for (int64_t hw = 0; hw < HW; hw++) {
                const int64_t i = bn_index(d, n, c, hw);
                Y[i] = (accel_ref_load(d->dtype, X, i) - mean) * invstd * gamma[c] + beta[c];
            }
        new_running_mean[c] = (1.0 - d->momentum) * running_mean[c] + d->momentum * mean;
        new_running_var[c] = (1.0 - d->momentum) * running_var[c] + d->momentum * var * (double)m / (double)(m - 1);
        save_mean[c] = mean;
        save_invstd[c] = invstd;
    }
}

void accel_ref_batchnorm_backward(const accel_batchnorm_desc *d, const void *X, const float *gamma, const void *dY,
                                  const float *save_mean, const float *save_invstd, double *dX, double *dgamma,
                                  double *dbeta) {
    const int64_t HW = d->h * d->w, m = d->n * HW;
    for (int64_t c = 0; c < d->c; c++) {
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int64_t n = 0; n < d->n; n++)
            for (int64_t hw = 0; hw < HW; hw++) {
                const int64_t i = bn_index(d, n, c, hw);
                const double dy = accel_ref_load(d->dtype, dY, i);
                const double xhat = (accel_ref_load(d->dtype, X, i) - save_mean[c]) * save_invstd[c];
                sum_dy += dy;
                sum_dy_xhat += dy * xhat;
            }
        dgamma[c] = sum_dy_xhat;
        dbeta[c] = sum_dy;
        for (int64_t n = 0; n < d->n; n++)
            for (int64_t hw = 0; hw < HW; hw++) {
                const int64_t i = bn_index(d, n, c, hw);
                const double xhat = (accel_ref_load(d->dtype, X, i) - save_mean[c]) * save_invstd[c];
                dX[i] = gamma[c] * save_invstd[c] *
                        (accel_ref_load(d->dtype, dY, i) - sum_dy / (double)m - xhat * sum_dy_xhat / (double)m);
            }
    }
}

/* Element offsets of X[n, c, h, w], W[k, c, r, s] and Y[n, k, p, q] in the description's layout. */
static int64_t conv_x(const accel_conv2d_desc *d, int64_t n, int64_t c, int64_t h, int64_t w) {
    return d->layout == ACCEL_LAYOUT_NHWC ? ((n * d->h + h) * d->w + w) * d->c + c : ((n * d->c + c) * d->h + h) * d->w + w;
}
static int64_t conv_w(const accel_conv2d_desc *d, int64_t k, int64_t c, int64_t r, int64_t s) {
    return d->layout == ACCEL_LAYOUT_NHWC ? ((k * d->r + r) * d->s + s) * d->c + c : ((k * d->c + c) * d->r + r) * d->s + s;
}
static int64_t conv_y(const accel_conv2d_desc *d, int64_t P, int64_t Q, int64_t n, int64_t k, int64_t p, int64_t q) {
    return d->layout == ACCEL_LAYOUT_NHWC ? ((n * P + p) * Q + q) * d->k + k : ((n * d->k + k) * P + p) * Q + q;
}

/* Visits every (input position, weight, output position) the forward convolution multiplies. */
#define CONV_FOR_EACH_TAP(d, P, Q, BODY)                                                           \
    do {                                                                                           \
        const int64_t dh_ = (d)->dil_h ? (d)->dil_h : 1, dw_ = (d)->dil_w ? (d)->dil_w : 1;        \
        for (int64_t n = 0; n < (d)->n; n++)                                                       \
            for (int64_t k = 0; k < (d)->k; k++)                                                   \
                for (int64_t p = 0; p < (P); p++)                                                  \
                    for (int64_t q = 0; q < (Q); q++)                                              \
                        for (int64_t r = 0; r < (d)->r; r++) {                                     \
                            const int64_t h = p * (d)->stride_h - (d)->pad_h + r * dh_;            \
                            if (h < 0 || h >= (d)->h) continue;                                    \
                            for (int64_t s = 0; s < (d)->s; s++) {                                 \
                                const int64_t w = q * (d)->stride_w - (d)->pad_w + s * dw_;        \
                                if (w < 0 || w >= (d)->w) continue;                                \
                                for (int64_t c = 0; c < (d)->c; c++) { BODY; }                     \
                            }                                                                      \
                        }                                                                          \
    } while (0)

void accel_ref_conv2d_backward_data(const accel_conv2d_desc *d, const void *dY, const void *W, double *dX) {
    int64_t P, Q;
    accel_ref_conv2d_out_hw(d, &P, &Q);
    for (int64_t i = 0; i < d->n * d->c * d->h * d->w; i++) dX[i] = 0.0;
    CONV_FOR_EACH_TAP(d, P, Q,
                      dX[conv_x(d, n, c, h, w)] += accel_ref_load(d->y_type, dY, conv_y(d, P, Q, n, k, p, q)) *
                                                   accel_ref_load(d->w_type, W, conv_w(d, k, c, r, s)));
}

void accel_ref_conv2d_backward_weights(const accel_conv2d_desc *d, const void *X, const void *dY, double *dW) {
    int64_t P, Q;
    accel_ref_conv2d_out_hw(d, &P, &Q);
    for (int64_t i = 0; i < d->k * d->c * d->r * d->s; i++) dW[i] = 0.0;
    CONV_FOR_EACH_TAP(d, P, Q,
                      dW[conv_w(d, k, c, r, s)] += accel_ref_load(d->y_type, dY, conv_y(d, P, Q, n, k, p, q)) *
                                                   accel_ref_load(d->x_type, X, conv_x(d, n, c, h, w)));
}

void accel_ref_adamw(const accel_adamw_desc *d, const float *param, const void *grad, const float *m,
                     const float *v, int found_inf, double *new_param, double *new_m, double *new_v) {
    const double c1 = 1.0 - pow(d->beta1, (double)d->step), c2 = 1.0 - pow(d->beta2, (double)d->step);
    for (int64_t i = 0; i < d->count; i++) {
        if (found_inf) {
            new_param[i] = param[i], new_m[i] = m[i], new_v[i] = v[i];
            continue;
        }
        const double g = accel_ref_load(d->grad_type, grad, i);
        new_m[i] = d->beta1 * m[i] + (1.0 - d->beta1) * g;
        new_v[i] = d->beta2 * v[i] + (1.0 - d->beta2) * g * g;
        new_param[i] = param[i] - d->lr * (d->weight_decay * param[i] + (new_m[i] / c1) / (sqrt(new_v[i] / c2) + d->eps));
    }
}

int accel_ref_amp_scale(const accel_amp_scale_desc *d, const void *X, float scale, double *Y) {
    int nonfinite = 0;
    for (int64_t i = 0; i < d->count; i++) {
        const double x = accel_ref_load(d->dtype, X, i);
        Y[i] = d->invert ? x / (double)scale : x * (double)scale;
        /* what the result holds once stored in dtype: an f16 overflow is an infinity there */
        nonfinite |= !isfinite(accel_ref_round_to(d->dtype, (float)Y[i]));
    }
    return nonfinite;
}

void accel_ref_amp_update_scale(const accel_amp_update_desc *d, float *scale, int32_t *growth_tracker,
                                int32_t *found_inf, int32_t *skipped) {
    if (*found_inf) {
        *scale = (float)(*scale * d->backoff_factor);
        *growth_tracker = 0;
        if (skipped) ++*skipped;
    } else if (++*growth_tracker >= d->growth_interval) {
        *scale = (float)(*scale * d->growth_factor);
        *growth_tracker = 0;
    }
    *found_inf = 0;
}
