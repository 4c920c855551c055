/* One GEMM output element in fp64, following accel_gemm_desc's documented layout exactly. */
#include "accel/reference.h"

#include <math.h>

double accel_ref_gelu_erf(double x) { return 0.5 * x * (1.0 + erf(x / sqrt(2.0))); }

double accel_ref_gelu_tanh(double x) {
    const double c = sqrt(2.0 / 3.14159265358979323846);
    return 0.5 * x * (1.0 + tanh(c * (x + 0.044715 * x * x * x)));
}

/* d/dx of x Phi(x): Phi(x) + x phi(x). */
double accel_ref_gelu_erf_grad(double x) {
    const double pdf = exp(-0.5 * x * x) / sqrt(2.0 * 3.14159265358979323846);
    return 0.5 * (1.0 + erf(x / sqrt(2.0))) + x * pdf;
}

/* d/dx of 0.5 x (1 + tanh(u)), u = c (x + 0.044715 x^3). */
double accel_ref_gelu_tanh_grad(double x) {
    const double c = sqrt(2.0 / 3.14159265358979323846);
    const double t = tanh(c * (x + 0.044715 * x * x * x));
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * 0.044715 * x * x);
}

void accel_ref_gemm_element(const accel_gemm_desc *d, const void *A, const void *B, const void *C,
                            const void *bias, int64_t batch, int64_t i, int64_t j, double *out_value,
                            double *out_abs_sum) {
    /* Stored shapes: A is m x k (k x m when trans_a), B is k x n (n x k when trans_b). */
    int64_t lda = d->lda ? d->lda : (d->trans_a ? d->m : d->k);
    int64_t ldb = d->ldb ? d->ldb : (d->trans_b ? d->k : d->n);
    int64_t ldc = d->ldc ? d->ldc : d->n;
    int64_t a_rows = d->trans_a ? d->k : d->m;
    int64_t b_rows = d->trans_b ? d->n : d->k;
    int64_t sa = d->stride_a ? d->stride_a : a_rows * lda;
    int64_t sb = d->stride_b ? d->stride_b : b_rows * ldb;
    int64_t sc = d->stride_c ? d->stride_c : d->m * ldc;
    int64_t a0 = batch * sa, b0 = batch * sb;

    double sum = 0.0, abs_sum = 0.0;
    for (int64_t p = 0; p < d->k; p++) {
        int64_t ia = a0 + (d->trans_a ? p * lda + i : i * lda + p);
        int64_t ib = b0 + (d->trans_b ? j * ldb + p : p * ldb + j);
        double a = accel_ref_load(d->a_type, A, ia);
        double b = accel_ref_load(d->b_type, B, ib);
        sum += a * b;
        abs_sum += fabs(a * b);
    }
    double v = d->alpha * sum;
    if (d->beta != 0.0 && C)
        v += d->beta * accel_ref_load(d->c_type, C, batch * sc + i * ldc + j);
    if ((d->epilogue & ACCEL_EPILOGUE_BIAS) && bias) {
        accel_dtype bt = d->bias_type == ACCEL_DTYPE_INVALID ? d->d_type : d->bias_type;
        v += accel_ref_load(bt, bias, batch * d->stride_bias + j);
    }
    if (d->epilogue & ACCEL_EPILOGUE_RELU)
        v = v > 0.0 ? v : 0.0;
    else if (d->epilogue & ACCEL_EPILOGUE_GELU_ERF)
        v = accel_ref_gelu_erf(v);
    else if (d->epilogue & ACCEL_EPILOGUE_GELU_TANH)
        v = accel_ref_gelu_tanh(v);
    if (out_value)
        *out_value = v;
    if (out_abs_sum)
        *out_abs_sum = abs_sum;
}
