/* The training-step ops: backward passes, the optimizer and mixed-precision loss scaling. Included
 * by ops.h (their descriptions are members of accel_op_desc.u); the conventions of ops.h hold.
 *
 * Mixed precision as the training workloads use it (apex "O2" style): the model's weights and
 * activations are stored in the compute dtype (bf16 or fp16), every reduction and normalisation
 * accumulates in fp32, parameter gradients of normalisation layers and biases come out in fp32,
 * and the optimizer keeps fp32 master weights, writing the compute-dtype model copy as it updates.
 * With fp16, the output gradient is scaled by a loss scale held in device memory, the gradients are
 * unscaled and checked for inf/NaN on the device, an overflowing step is skipped, and the scale is
 * adjusted on the device: nothing in a step needs the host to read anything back. */
/* A part of ops.h (it uses ops.h's accel_layout and feeds its union): ops.h includes it at the
 * right place, and including this file first includes ops.h. */
#ifndef ACCEL_OPS_H
#include "accel/ops.h"
#elif !defined(ACCEL_OPS_TRAIN_H)
#define ACCEL_OPS_TRAIN_H

#ifdef __cplusplus
extern "C" {
#endif

/* layernorm backward, for LAYERNORM without residual (the workload passes the pre-norm sum); the
 * row statistics are recomputed from X:
 *   xhat = (X - mean) rstd, g = dY * gamma
 *   dX = rstd (g - mean_j(g) - xhat mean_j(g xhat))
 *   dgamma[j] (+)= sum_r dY[r, j] xhat[r, j];  dbeta[j] (+)= sum_r dY[r, j]
 * dgamma and dbeta are fp32 and are added to (accumulate = 1) or overwritten (0).
 * Operands: [0] X, [1] gamma (cols, dtype), [2] dY, [3] dX (may alias dY), [4] dgamma (F32, cols),
 * [5] dbeta (F32, cols). */
typedef struct accel_layernorm_backward_desc {
    accel_dtype dtype; /* X, gamma, dY, dX */
    int64_t rows, cols;
    double eps;
    int accumulate;
} accel_layernorm_backward_desc;

/* softmax backward uses accel_softmax_desc (rows, cols, scale; the mask plays no part): for
 * Y = softmax(scale X + mask), dX = scale Y (dY - sum_j dY Y).
 * Operands: [0] Y, [1] dY, [2] dX (may alias dY). */

/* Sum over all but one axis of an [outer, channels, inner] tensor: the bias gradient of a GEMM
 * (outer = rows, inner = 1), of an NHWC conv (outer = n h w, inner = 1) or of an NCHW conv
 * (outer = n, inner = h w).  Y[c] (+)= sum_{o, i} X[o, c, i], accumulated in fp32.
 * Operands: [0] X (x_type), [1] Y (y_type: F32, or x_type). */
typedef struct accel_reduce_desc {
    accel_dtype x_type, y_type;
    int64_t outer, channels, inner;
    int accumulate; /* 1: Y += sum; 0: Y = sum */
} accel_reduce_desc;

/* Batch normalisation in training mode over n x c x h x w (per channel, statistics over n, h, w):
 *   mean_c, var_c (biased) of X;  Y = (X - mean_c) / sqrt(var_c + eps) * gamma_c + beta_c
 *   running_mean = (1 - momentum) running_mean + momentum mean_c
 *   running_var  = (1 - momentum) running_var + momentum var_c * m / (m - 1),  m = n h w
 *   save_mean = mean_c, save_invstd = 1 / sqrt(var_c + eps)   (what the backward needs)
 * Operands: [0] X, [1] gamma (F32, c), [2] beta (F32, c), [3] Y, [4] running_mean (F32, in/out),
 * [5] running_var (F32, in/out), [6] save_mean (F32, c), [7] save_invstd (F32, c).
 * BATCHNORM_BACKWARD (same description; momentum unused):
 *   xhat = (X - save_mean) save_invstd
 *   dgamma_c = sum dY xhat;  dbeta_c = sum dY
 *   dX = gamma_c save_invstd (dY - dbeta_c / m - xhat dgamma_c / m)
 * Operands: [0] X, [1] gamma (F32), [2] dY, [3] save_mean, [4] save_invstd, [5] dX,
 * [6] dgamma (F32, c, overwritten), [7] dbeta (F32, c, overwritten). */
typedef struct accel_batchnorm_desc {
    accel_layout layout;
    accel_dtype dtype; /* X, Y, dY, dX */
    int64_t n, c, h, w;
    double eps, momentum;
} accel_batchnorm_desc;

/* conv2d backward, both with accel_conv2d_desc describing the forward convolution (epilogue must
 * be NONE: the bias gradient is a REDUCE, activations have eltwise backward kinds):
 * CONV2D_BACKWARD_DATA:    dX = the gradient of conv(X, W) with respect to X, given dY.
 *   Operands: [0] dY (y_type), [1] W (w_type), [2] dX (x_type).
 * CONV2D_BACKWARD_WEIGHTS: dW = the gradient with respect to W, given X and dY.
 *   Operands: [0] X (x_type), [1] dY (y_type), [2] dW (w_type). */

/* AdamW (decoupled weight decay) over a flat buffer of `count` parameters: every tensor of a group
 * laid end to end, so one op updates them all (a multi-tensor apply without a list of pointers):
 *   g = grad;  m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
 *   p = p - lr (weight_decay p + (m / (1 - beta1^step)) / (sqrt(v / (1 - beta2^step)) + eps))
 *   model = p rounded to model_type (the copy the next forward reads), when given
 * With found_inf given and non-zero, nothing is written (the step is skipped).
 * Operands: [0] param (F32, in/out), [1] grad (grad_type), [2] m (F32), [3] v (F32),
 * [4] model copy (model_type, or absent), [5] found_inf (I32, or absent). */
typedef struct accel_adamw_desc {
    accel_dtype grad_type;  /* F32, F16 or BF16 */
    accel_dtype model_type; /* F16 or BF16 with a model copy; INVALID: none */
    int64_t count;
    double lr, beta1, beta2, eps, weight_decay;
    int64_t step;           /* >= 1, for the bias correction */
} accel_adamw_desc;

/* Loss scaling, with the scale in device memory (one fp32):
 * AMP_SCALE: X = X * scale (invert = 0: the output gradient before the backward pass) or
 *   X = X / scale (invert = 1: unscaling the gradients); with found_inf given, any inf or NaN in
 *   the result sets it to 1 (it is only ever set, never cleared, by this op).
 *   Operands: [0] X (dtype, in/out), [1] scale (F32), [2] found_inf (I32, or absent).
 * AMP_UPDATE_SCALE: after the optimizer: when found_inf is set, scale *= backoff_factor, the growth
 *   tracker restarts and `skipped` (when given) counts the step; otherwise the tracker counts a
 *   clean step and, at growth_interval clean steps in a row, scale *= growth_factor and the tracker
 *   restarts. Then found_inf is cleared for the next step.
 *   Operands: [0] scale (F32, in/out), [1] growth_tracker (I32, in/out), [2] found_inf (I32, in/out),
 *   [3] skipped (I32, in/out, or absent). */
typedef struct accel_amp_scale_desc {
    accel_dtype dtype;
    int64_t count;
    int invert;
} accel_amp_scale_desc;

typedef struct accel_amp_update_desc {
    double growth_factor;   /* > 1, typically 2 */
    double backoff_factor;  /* in (0, 1), typically 0.5 */
    int64_t growth_interval; /* >= 1, typically 2000 */
} accel_amp_update_desc;

#ifdef __cplusplus
}
#endif
#endif
