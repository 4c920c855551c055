/* Whole-tensor fp64 references for conv2d, layernorm, rmsnorm, softmax, eltwise, permute and
 * attention. */
#include "accel/reference.h"

#include <math.h>
#include <stdlib.h>

void accel_ref_conv2d_out_hw(const accel_conv2d_desc *d, int64_t *p, int64_t *q) { accel_conv2d_out_hw(d, p, q); }

void accel_ref_conv2d(const accel_conv2d_desc *d, const void *X, const void *W, const void *bias,
                      const void *residual, double *Y) {
    int64_t P, Q;
    accel_ref_conv2d_out_hw(d, &P, &Q);
    int64_t N = d->n, C = d->c, H = d->h, Wd = d->w, K = d->k, R = d->r, S = d->s;
    int64_t dh = d->dil_h ? d->dil_h : 1, dw = d->dil_w ? d->dil_w : 1;
    int64_t sh = d->stride_h ? d->stride_h : 1, sw = d->stride_w ? d->stride_w : 1;
    int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    /* Widen once into NHWC / KRSC doubles so the inner loop runs over contiguous channels whatever
     * the caller's layout (speed matters: workloads verify whole images with this). */
    double *x = malloc((size_t)(N * H * Wd * C) * sizeof *x);
    double *w = malloc((size_t)(K * R * S * C) * sizeof *w);
    if (!x || !w) {
        free(x);
        free(w);
        for (int64_t i = 0; i < N * K * P * Q; i++)
            Y[i] = NAN;
        return;
    }
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t h = 0; h < H; h++)
                for (int64_t ww = 0; ww < Wd; ww++) {
                    int64_t src = nhwc ? ((n * H + h) * Wd + ww) * C + c : ((n * C + c) * H + h) * Wd + ww;
                    x[((n * H + h) * Wd + ww) * C + c] = accel_ref_load(d->x_type, X, src);
                }
    for (int64_t k = 0; k < K; k++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t r = 0; r < R; r++)
                for (int64_t s = 0; s < S; s++) {
                    int64_t src = nhwc ? ((k * R + r) * S + s) * C + c : ((k * C + c) * R + r) * S + s;
                    w[((k * R + r) * S + s) * C + c] = accel_ref_load(d->w_type, W, src);
                }
    for (int64_t n = 0; n < N; n++)
        for (int64_t p = 0; p < P; p++)
            for (int64_t q = 0; q < Q; q++)
                for (int64_t k = 0; k < K; k++) {
                    double acc = 0.0;
                    for (int64_t r = 0; r < R; r++) {
                        int64_t h = p * sh - d->pad_h + r * dh;
                        if (h < 0 || h >= H)
                            continue;
                        for (int64_t s = 0; s < S; s++) {
                            int64_t ww = q * sw - d->pad_w + s * dw;
                            if (ww < 0 || ww >= Wd)
                                continue;
                            const double *xp = x + ((n * H + h) * Wd + ww) * C;
                            const double *wp = w + ((k * R + r) * S + s) * C;
                            for (int64_t c = 0; c < C; c++)
                                acc += xp[c] * wp[c];
                        }
                    }
                    int64_t out = nhwc ? ((n * P + p) * Q + q) * K + k : ((n * K + k) * P + p) * Q + q;
                    if ((d->epilogue & ACCEL_EPILOGUE_BIAS) && bias)
                        acc += accel_ref_load(d->y_type, bias, k);
                    if ((d->epilogue & ACCEL_EPILOGUE_RESIDUAL) && residual)
                        acc += accel_ref_load(d->y_type, residual, out);
                    if (d->epilogue & ACCEL_EPILOGUE_RELU)
                        acc = acc > 0.0 ? acc : 0.0;
                    Y[out] = acc;
                }
    free(x);
    free(w);
}

void accel_ref_layernorm(const accel_layernorm_desc *d, const void *X, const void *R,
                         const void *gamma, const void *beta, double *Y) {
    int64_t cols = d->cols;
    double *t = malloc((size_t)cols * sizeof *t);
    if (!t) {
        for (int64_t i = 0; i < d->rows * cols; i++)
            Y[i] = NAN;
        return;
    }
    for (int64_t r = 0; r < d->rows; r++) {
        double mean = 0.0;
        for (int64_t j = 0; j < cols; j++) {
            t[j] = accel_ref_load(d->dtype, X, r * cols + j);
            if (d->has_residual && R)
                t[j] += accel_ref_load(d->dtype, R, r * cols + j);
            mean += t[j];
        }
        mean /= (double)cols;
        double var = 0.0;
        for (int64_t j = 0; j < cols; j++)
            var += (t[j] - mean) * (t[j] - mean);
        var /= (double)cols;
        double inv = 1.0 / sqrt(var + d->eps);
        for (int64_t j = 0; j < cols; j++)
            Y[r * cols + j] = (t[j] - mean) * inv * accel_ref_load(d->dtype, gamma, j) +
                              accel_ref_load(d->dtype, beta, j);
    }
    free(t);
}

void accel_ref_rmsnorm(const accel_rmsnorm_desc *d, const void *X, const void *gamma, double *Y) {
    const int64_t cols = d->cols;
    for (int64_t r = 0; r < d->rows; r++) {
        double sum_sq = 0.0;
        for (int64_t j = 0; j < cols; j++) {
            const double x = accel_ref_load(d->dtype, X, r * cols + j);
            sum_sq += x * x;
        }
        const double inv = 1.0 / sqrt(sum_sq / (double)cols + d->eps);
        for (int64_t j = 0; j < cols; j++)
            Y[r * cols + j] = accel_ref_load(d->dtype, X, r * cols + j) * inv * accel_ref_load(d->dtype, gamma, j);
    }
}

/* Softmax of one row of logits already scaled and masked, in place. */
static void softmax_row(double *v, int64_t cols) {
    double mx = -INFINITY;
    for (int64_t j = 0; j < cols; j++)
        mx = v[j] > mx ? v[j] : mx;
    double sum = 0.0;
    for (int64_t j = 0; j < cols; j++) {
        v[j] = mx == -INFINITY ? 0.0 : exp(v[j] - mx);
        sum += v[j];
    }
    for (int64_t j = 0; j < cols; j++)
        v[j] = sum > 0.0 ? v[j] / sum : NAN;
}

void accel_ref_softmax(const accel_softmax_desc *d, const void *X, const float *mask, double *Y) {
    int64_t rpm = d->rows_per_mask_row > 0 ? d->rows_per_mask_row : 1;
    for (int64_t r = 0; r < d->rows; r++) {
        double *y = Y + r * d->cols;
        for (int64_t j = 0; j < d->cols; j++) {
            y[j] = d->scale * accel_ref_load(d->dtype, X, r * d->cols + j);
            if (mask)
                y[j] += (double)mask[(r / rpm) * d->cols + j];
        }
        softmax_row(y, d->cols);
    }
}

void accel_ref_eltwise(const accel_eltwise_desc *d, const void *X, const void *Z, double *Y) {
    for (int64_t i = 0; i < d->count; i++) {
        double x = accel_ref_load(d->dtype, X, i);
        double y;
        switch (d->kind) {
        case ACCEL_ELTWISE_COPY: y = x; break;
        case ACCEL_ELTWISE_SCALE: y = d->alpha * x; break;
        case ACCEL_ELTWISE_ADD: y = d->alpha * x + d->beta * accel_ref_load(d->dtype, Z, i); break;
        case ACCEL_ELTWISE_MUL: y = d->alpha * x * accel_ref_load(d->dtype, Z, i); break;
        case ACCEL_ELTWISE_RELU: y = x > 0.0 ? x : 0.0; break;
        case ACCEL_ELTWISE_GELU_ERF: y = accel_ref_gelu_erf(x); break;
        case ACCEL_ELTWISE_GELU_TANH: y = accel_ref_gelu_tanh(x); break;
        case ACCEL_ELTWISE_BIAS_ADD: y = x + accel_ref_load(d->dtype, Z, i % d->cols); break;
        case ACCEL_ELTWISE_RELU_BACKWARD: y = x > 0.0 ? accel_ref_load(d->dtype, Z, i) : 0.0; break;
        case ACCEL_ELTWISE_GELU_ERF_BACKWARD: y = accel_ref_load(d->dtype, Z, i) * accel_ref_gelu_erf_grad(x); break;
        case ACCEL_ELTWISE_GELU_TANH_BACKWARD: y = accel_ref_load(d->dtype, Z, i) * accel_ref_gelu_tanh_grad(x); break;
        default: y = NAN; break;
        }
        Y[i] = y;
    }
}

void accel_ref_permute(const accel_permute_desc *d, const void *X, double *Y) {
    int nd = d->ndims;
    int64_t in_stride[ACCEL_PERMUTE_MAX_DIMS], out_dims[ACCEL_PERMUTE_MAX_DIMS];
    const int64_t total = accel_permute_walk(d, out_dims, in_stride);
    for (int64_t o = 0; o < total; o++) {
        /* Output coordinate along dim i is the input coordinate along dim perm[i]. */
        int64_t rem = o, src = 0;
        for (int i = nd - 1; i >= 0; i--) {
            int64_t c = rem % out_dims[i];
            rem /= out_dims[i];
            src += c * in_stride[i];
        }
        Y[o] = accel_ref_load(d->dtype, X, src);
    }
}

void accel_ref_attention(const accel_attention_desc *d, const void *Q, const void *K, const void *V,
                         const float *mask, double *O) {
    int64_t S = d->seq, D = d->head_dim;
    double *p = malloc((size_t)S * sizeof *p);
    if (!p) {
        for (int64_t i = 0; i < d->batch * d->heads * S * D; i++)
            O[i] = NAN;
        return;
    }
    for (int64_t b = 0; b < d->batch; b++)
        for (int64_t h = 0; h < d->heads; h++) {
            int64_t base = (b * d->heads + h) * S * D;
            for (int64_t i = 0; i < S; i++) {
                for (int64_t j = 0; j < S; j++) {
                    double acc = 0.0;
                    for (int64_t e = 0; e < D; e++)
                        acc += accel_ref_load(d->dtype, Q, base + i * D + e) *
                               accel_ref_load(d->dtype, K, base + j * D + e);
                    p[j] = d->scale * acc + (mask ? (double)mask[b * S + j] : 0.0);
                    if (d->causal && j > i) p[j] = -INFINITY;
                }
                softmax_row(p, S);
                for (int64_t e = 0; e < D; e++) {
                    double acc = 0.0;
                    for (int64_t j = 0; j < S; j++)
                        acc += p[j] * accel_ref_load(d->dtype, V, base + j * D + e);
                    O[base + i * D + e] = acc;
                }
            }
        }
    free(p);
}
