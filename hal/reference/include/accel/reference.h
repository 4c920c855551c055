/* Plain reference implementations of every op, on host memory, accumulating in fp64. Verification in
 * workloads and the conformance suite compare backends against these. Slow on purpose: clarity first.
 * Inputs are read in their storage type (f32/f16/bf16/f64) and widened exactly to double. */
#ifndef ACCEL_REFERENCE_H
#define ACCEL_REFERENCE_H

#include "accel/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Conversions, round-to-nearest-even, NaN preserved. */
uint16_t accel_ref_f32_to_bf16(float x);
float accel_ref_bf16_to_f32(uint16_t x);
uint16_t accel_ref_f32_to_f16(float x);
float accel_ref_f16_to_f32(uint16_t x);
/* OCP 8-bit floats: e4m3 ("e4m3fn": bias 7, no infinities, max 448, NaN S.1111.111) and e5m2
 * (bias 15, IEEE-style infinities and NaNs, max 57344); subnormals in both. Encoding rounds to
 * nearest even; values beyond the largest finite become NaN (e4m3) or infinity (e5m2), as the
 * non-saturating conversions of CUDA and ROCm do. */
uint8_t accel_ref_f32_to_fp8(accel_dtype t, float x);
float accel_ref_fp8_to_f32(accel_dtype t, uint8_t x);
/* Round x to what `t` can hold (tf32 for ACCEL_COMPUTE_TF32 is accel_ref_round_tf32). */
float accel_ref_round_to(accel_dtype t, float x);
float accel_ref_round_tf32(float x);
/* Element i of a buffer of type t, as double; store double as type t (rounded). */
double accel_ref_load(accel_dtype t, const void *base, int64_t i);
void accel_ref_store(accel_dtype t, void *base, int64_t i, double v);
/* Unit roundoff of a storage or compute type: 2^-24 f32, 2^-11 f16, 2^-8 bf16, 2^-11 tf32, 2^-53 f64. */
double accel_ref_unit_roundoff_dtype(accel_dtype t);
double accel_ref_unit_roundoff_compute(accel_compute_type t, accel_dtype a_type);

double accel_ref_gelu_erf(double x);
double accel_ref_gelu_tanh(double x);
/* Their derivatives (what the eltwise backward kinds multiply by). */
double accel_ref_gelu_erf_grad(double x);
double accel_ref_gelu_tanh_grad(double x);

/* One GEMM output element D[batch][i][j] in fp64 (before rounding to d_type), and sum_k |a||b| for
 * the error bound of docs/workloads.md (gemm). C and bias may be NULL when the desc does not use them.
 * fp8 scales: pass a desc whose alpha is alpha * a_scale * b_scale (the scales are powers of two in
 * every check here, so the product is exact) and scale out_abs_sum the same way. */
void accel_ref_gemm_element(const accel_gemm_desc *d, const void *A, const void *B, const void *C,
                            const void *bias, int64_t batch, int64_t i, int64_t j, double *out_value,
                            double *out_abs_sum);

/* Whole-tensor references; outputs are fp64 arrays sized like the op's output. */
void accel_ref_conv2d(const accel_conv2d_desc *d, const void *X, const void *W, const void *bias,
                      const void *residual, double *Y);
void accel_ref_layernorm(const accel_layernorm_desc *d, const void *X, const void *R,
                         const void *gamma, const void *beta, double *Y);
void accel_ref_rmsnorm(const accel_rmsnorm_desc *d, const void *X, const void *gamma, double *Y);
void accel_ref_softmax(const accel_softmax_desc *d, const void *X, const float *mask, double *Y);
void accel_ref_eltwise(const accel_eltwise_desc *d, const void *X, const void *Z, double *Y);
void accel_ref_permute(const accel_permute_desc *d, const void *X, double *Y);
void accel_ref_attention(const accel_attention_desc *d, const void *Q, const void *K, const void *V,
                         const float *mask, double *O);

/* The training ops (accel/ops_train.h): whole-tensor fp64 outputs; per-channel and parameter
 * inputs given as the fp32 arrays the ops take. Accumulating variants are the caller's sum. */
void accel_ref_layernorm_backward(const accel_layernorm_backward_desc *d, const void *X, const void *gamma,
                                  const void *dY, double *dX, double *dgamma, double *dbeta);
void accel_ref_softmax_backward(const accel_softmax_desc *d, const void *Y, const void *dY, double *dX);
void accel_ref_reduce(const accel_reduce_desc *d, const void *X, double *Y);
void accel_ref_batchnorm(const accel_batchnorm_desc *d, const void *X, const float *gamma, const float *beta,
                         const float *running_mean, const float *running_var, double *Y,
                         double *new_running_mean, double *new_running_var, double *save_mean,
                         double *save_invstd);
void accel_ref_batchnorm_backward(const accel_batchnorm_desc *d, const void *X, const float *gamma, const void *dY,
                                  const float *save_mean, const float *save_invstd, double *dX, double *dgamma,
                                  double *dbeta);
void accel_ref_conv2d_backward_data(const accel_conv2d_desc *d, const void *dY, const void *W, double *dX);
void accel_ref_conv2d_backward_weights(const accel_conv2d_desc *d, const void *X, const void *dY, double *dW);
/* found_inf: the flag's value before the op (non-zero: nothing changes). */
void accel_ref_adamw(const accel_adamw_desc *d, const float *param, const void *grad, const float *m,
                     const float *v, int found_inf, double *new_param, double *new_m, double *new_v);
/* Returns 1 when a result, stored in d->dtype, is inf or NaN. */
int accel_ref_amp_scale(const accel_amp_scale_desc *d, const void *X, float scale, double *Y);
void accel_ref_amp_update_scale(const accel_amp_update_desc *d, float *scale, int32_t *growth_tracker,
                                int32_t *found_inf, int32_t *skipped);

/* Output geometry of a conv2d (p, q). */
void accel_ref_conv2d_out_hw(const accel_conv2d_desc *d, int64_t *p, int64_t *q);

/* Deterministic inputs: fills `count` elements of type t with uniform values in [lo, hi) from seed,
 * already representable in t (so the reference sees exactly what the device sees). */
void accel_ref_fill_random(accel_dtype t, void *dst, int64_t count, uint64_t seed, double lo,
                           double hi);

/* Normwise relative error ||got - ref||_2 / ||ref||_2 with got read as type t. */
double accel_ref_normwise_rel_err(accel_dtype t, const void *got, const double *ref, int64_t count);

#ifdef __cplusplus
}
#endif
#endif
