/* The op set: planned once (every costly step), executed many times (enqueue only).
 *
 * Conventions for every op:
 * - All tensors are dense and row-major unless a layout field says otherwise; element strides and
 *   leading dimensions are in elements, offsets in accel_buffer_ref are in bytes.
 * - "Packed" (the meaning of 0 in a leading-dimension or batch-stride field): no gap. A matrix
 *   stored as rows x cols has the packed leading dimension cols (its row length as stored); a batch
 *   of them has the packed stride rows * ld, with ld the leading dimension in use.
 * - Each op documents its operand order: the `operands` array given to accel_op_plan_execute follows
 *   it exactly; optional operands are {NULL, 0}.
 * - Reductions (GEMM/conv accumulation, layernorm statistics, softmax sums) accumulate in at least
 *   fp32, whatever the storage type.
 * - A backend either runs the op as described or answers ACCEL_ERR_UNIMPLEMENTED (with the reason in
 *   accel_last_error()); never a silent fallback to another device.
 */
#ifndef ACCEL_OPS_H
#define ACCEL_OPS_H

#include "accel/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum accel_op_kind {
    ACCEL_OP_GEMM = 1,
    ACCEL_OP_CONV2D = 2,
    ACCEL_OP_LAYERNORM = 3,
    ACCEL_OP_SOFTMAX = 4,
    ACCEL_OP_ELTWISE = 5,
    ACCEL_OP_PERMUTE = 6,
    ACCEL_OP_ATTENTION = 7, /* optional fused op; UNIMPLEMENTED lets the workload compose it */
    ACCEL_OP_RMSNORM = 8,
    /* The training ops (ops_train.h): */
    ACCEL_OP_LAYERNORM_BACKWARD = 9,
    ACCEL_OP_SOFTMAX_BACKWARD = 10,
    ACCEL_OP_REDUCE = 11,
    ACCEL_OP_BATCHNORM = 12,
    ACCEL_OP_BATCHNORM_BACKWARD = 13,
    ACCEL_OP_CONV2D_BACKWARD_DATA = 14,
    ACCEL_OP_CONV2D_BACKWARD_WEIGHTS = 15,
    ACCEL_OP_ADAMW = 16,
    ACCEL_OP_AMP_SCALE = 17,
    ACCEL_OP_AMP_UPDATE_SCALE = 18,
    ACCEL_OP_KIND_COUNT_
} accel_op_kind;

/* Epilogue flags; applied in this order: + bias, + residual (conv only), activation. */
#define ACCEL_EPILOGUE_NONE 0u
#define ACCEL_EPILOGUE_BIAS (1u << 0)      /* bias vector: length n (GEMM) or out channels (conv) */
#define ACCEL_EPILOGUE_RELU (1u << 1)
#define ACCEL_EPILOGUE_GELU_ERF (1u << 2)  /* 0.5 x (1 + erf(x / sqrt 2)): what BERT uses */
#define ACCEL_EPILOGUE_GELU_TANH (1u << 3) /* 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) */
#define ACCEL_EPILOGUE_RESIDUAL (1u << 4)  /* conv2d: add a tensor shaped like the output */

/* GEMM: D = act(alpha * op(A) * op(B) + beta * C + bias)
 *   op(A) is m x k: A stored m x k (lda >= k), or k x m when trans_a (lda >= m). Likewise op(B) is
 *   k x n: B stored k x n (ldb >= n), or n x k when trans_b (ldb >= k). C and D are m x n (ldc, ldd
 *   >= n). ld* = 0 means packed: k for A (m when trans_a), n for B (k when trans_b), n for C and D.
 *   Batched: batch >= 1, stride_* elements between consecutive matrices (0 = packed for that
 *   operand: its stored rows times its leading dimension, e.g. m * lda for A; except stride_bias:
 *   0 means one bias shared by every batch).
 *   beta == 0: C is not read (may be absent). C may be the same memory as D.
 *   bias has n elements of bias_type.
 * fp8 (F8_E4M3 / F8_E5M2) is defined for A and B only, both fp8, with C, D and bias in f32, f16 or
 *   bf16 and compute F32 (DEFAULT means F32 here): D = act(alpha * (sa op(A)) (sb op(B)) + ...),
 *   where sa and sb are per-tensor dequantisation scales, one fp32 each in device memory (operands
 *   5 and 6; absent = 1). Device memory, not desc fields, because that is where the quantisation
 *   step of a real pipeline leaves them, and cuBLASLt / hipBLASLt read them there. fp8 outputs
 *   (which need an output scale and amax) are not defined yet. The scale operands must be absent
 *   for non-fp8 A / B.
 * b_constant (ABI 1.4; a hint, 0 = as before): 1 promises that B's contents stay the same between
 *   runs of this plan for as long as the same buffer is bound at the same offset (a model's weights
 *   at inference, as an ONNX initializer or a frozen graph's constant is). The backend may then keep
 *   a transformed copy (packed, reordered) keyed on the binding alone, without reading B again to
 *   notice a change; writing B while it is so bound gives stale results. Binding another buffer or
 *   offset is always noticed. Leave it 0 for weights that change (training, an optimizer step).
 * Operands: [0] A, [1] B, [2] C, [3] D, [4] bias, [5] a_scale, [6] b_scale. */
typedef struct accel_gemm_desc {
    accel_dtype a_type, b_type, c_type, d_type;
    accel_dtype bias_type;      /* INVALID = same as d_type */
    accel_compute_type compute; /* DEFAULT = from a_type */
    accel_dtype scale_type;     /* type of alpha/beta; INVALID = F32 (held as doubles here) */
    int trans_a, trans_b;
    int64_t m, n, k;
    int64_t lda, ldb, ldc, ldd;
    int64_t batch;
    int64_t stride_a, stride_b, stride_c, stride_d, stride_bias;
    double alpha, beta;
    uint32_t epilogue;          /* ACCEL_EPILOGUE_BIAS | one activation */
    int b_constant;             /* ABI 1.4 hint, above */
} accel_gemm_desc;

/* The GEMM with every "0 = packed / same as" default made explicit: leading dimensions, batch
 * strides (stride_bias stays: 0 means one shared bias), bias_type and c_type (INVALID = d_type),
 * batch (at least 1). The one definition, inline for plugins (which must not call libaccel). */
static inline accel_gemm_desc accel_gemm_resolved(const accel_gemm_desc *in) {
    accel_gemm_desc g = *in;
    if (g.batch < 1) g.batch = 1;
    if (!g.lda) g.lda = g.trans_a ? g.m : g.k;
    if (!g.ldb) g.ldb = g.trans_b ? g.k : g.n;
    if (!g.ldc) g.ldc = g.n;
    if (!g.ldd) g.ldd = g.n;
    if (!g.stride_a) g.stride_a = (g.trans_a ? g.k : g.m) * g.lda;
    if (!g.stride_b) g.stride_b = (g.trans_b ? g.n : g.k) * g.ldb;
    if (!g.stride_c) g.stride_c = g.m * g.ldc;
    if (!g.stride_d) g.stride_d = g.m * g.ldd;
    if (g.bias_type == ACCEL_DTYPE_INVALID) g.bias_type = g.d_type;
    if (g.c_type == ACCEL_DTYPE_INVALID) g.c_type = g.d_type;
    return g;
}

typedef enum accel_layout {
    ACCEL_LAYOUT_NCHW = 0, /* weights KCRS (out, in, kh, kw) */
    ACCEL_LAYOUT_NHWC = 1  /* weights KRSC (out, kh, kw, in) */
} accel_layout;

/* conv2d, cross-correlation as in every DL framework: Y = act(conv(X, W) + bias + residual).
 *   X is n x c x h x w in `layout`, Y is n x k x p x q with p = (h + 2 pad_h - dil_h (r-1) - 1) /
 *   stride_h + 1, likewise q. groups: 1 (grouped/depthwise reserved). residual is shaped like Y.
 * Operands: [0] X, [1] W, [2] bias (k), [3] residual, [4] Y. */
typedef struct accel_conv2d_desc {
    accel_layout layout;
    accel_dtype x_type, w_type, y_type; /* bias and residual take y_type */
    accel_compute_type compute;
    int64_t n, c, h, w;   /* input */
    int64_t k, r, s;      /* output channels, kernel height, kernel width */
    int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w; /* dil 0 is taken as 1 */
    int64_t groups;       /* 0 or 1 */
    uint32_t epilogue;    /* BIAS, RESIDUAL, RELU */
    int w_constant;       /* ABI 1.4 hint, as accel_gemm_desc.b_constant, for the weights W */
} accel_conv2d_desc;

/* The conv2d output height p and width q (formula above; dil 0 counts as 1, and so does stride 0
 * for callers that have not validated the desc). Returns 0, with p = q = 0, when a size overflows
 * int64, else 1; p or q <= 0 means the kernel does not fit the padded input. The one definition:
 * inline so plugins, which must not call libaccel, share it with the HAL. */
static inline int accel_conv2d_out_hw(const accel_conv2d_desc *c, int64_t *p, int64_t *q) {
    const int64_t dh = c->dil_h ? c->dil_h : 1, dw = c->dil_w ? c->dil_w : 1;
    const int64_t sh = c->stride_h ? c->stride_h : 1, sw = c->stride_w ? c->stride_w : 1;
    int64_t eh, ew, ph, pw;
    if (__builtin_mul_overflow(dh, c->r - 1, &eh) || __builtin_mul_overflow(dw, c->s - 1, &ew) ||
        __builtin_mul_overflow((int64_t)2, c->pad_h, &ph) || __builtin_mul_overflow((int64_t)2, c->pad_w, &pw) ||
        __builtin_add_overflow(c->h, ph, &ph) || __builtin_add_overflow(c->w, pw, &pw)) {
        *p = *q = 0;
        return 0;
    }
    const int64_t span_h = ph - eh - 1, span_w = pw - ew - 1;
    *p = span_h < 0 ? 0 : span_h / sh + 1;
    *q = span_w < 0 ? 0 : span_w / sw + 1;
    return 1;
}

/* layernorm over the last dimension, rows x cols:
 *   t = X (+ R when has_residual); Y = (t - mean) / sqrt(var + eps) * gamma + beta   (biased var)
 * Operands: [0] X, [1] R (residual, or absent), [2] gamma (cols), [3] beta (cols), [4] Y.
 * gamma/beta are stored in `dtype` too. Y may alias X. */
typedef struct accel_layernorm_desc {
    accel_dtype dtype;
    int64_t rows, cols;
    double eps;
    int has_residual;
} accel_layernorm_desc;

/* rmsnorm over the last dimension, rows x cols (LLaMA-style models):
 *   Y = X / sqrt(mean(X^2) + eps) * gamma        (mean over the row, accumulated in at least fp32)
 * Operands: [0] X, [1] gamma (cols, stored in `dtype`), [2] Y. Y may alias X. */
typedef struct accel_rmsnorm_desc {
    accel_dtype dtype;
    int64_t rows, cols;
    double eps;
} accel_rmsnorm_desc;

/* softmax over the last dimension of rows x cols:
 *   Y[r, j] = softmax_j(scale * X[r, j] + mask[r / rows_per_mask_row, j])
 *   mask is an additive fp32 tensor (0 keep, large negative drop) of (rows / rows_per_mask_row) x cols;
 *   for BERT: rows = B*heads*S, rows_per_mask_row = heads*S, mask is B x S. Absent = no mask.
 * Operands: [0] X, [1] mask (F32, or absent), [2] Y. Y may alias X. */
typedef struct accel_softmax_desc {
    accel_dtype dtype;
    int64_t rows, cols;
    double scale;
    int64_t rows_per_mask_row; /* >= 1 when a mask is given */
} accel_softmax_desc;

typedef enum accel_eltwise_kind {
    ACCEL_ELTWISE_COPY = 1,      /* Y = X */
    ACCEL_ELTWISE_SCALE = 2,     /* Y = alpha X */
    ACCEL_ELTWISE_ADD = 3,       /* Y = alpha X + beta Z   (residual add: alpha = beta = 1) */
    ACCEL_ELTWISE_MUL = 4,       /* Y = alpha X * Z */
    ACCEL_ELTWISE_RELU = 5,      /* Y = max(X, 0) */
    ACCEL_ELTWISE_GELU_ERF = 6,
    ACCEL_ELTWISE_GELU_TANH = 7,
    ACCEL_ELTWISE_BIAS_ADD = 8,  /* Y[i, j] = X[i, j] + Z[j], X viewed as (count / cols) x cols */
    /* Backward of the activations: X is the forward input, Z the gradient of the output,
     * Y = Z * f'(X) the gradient of the input. */
    ACCEL_ELTWISE_RELU_BACKWARD = 9,      /* Y = X > 0 ? Z : 0 */
    ACCEL_ELTWISE_GELU_ERF_BACKWARD = 10, /* Y = Z (Phi(X) + X phi(X)) */
    ACCEL_ELTWISE_GELU_TANH_BACKWARD = 11 /* Y = Z d/dX of the tanh form */
} accel_eltwise_kind;

/* Operands: [0] X, [1] Z (binary and backward kinds; absent otherwise), [2] Y. Y may alias X or Z. */
typedef struct accel_eltwise_desc {
    accel_eltwise_kind kind;
    accel_dtype dtype;
    int64_t count;  /* elements of X and Y */
    int64_t cols;   /* BIAS_ADD only */
    double alpha, beta;
} accel_eltwise_desc;

/* permute: Y[i_perm[0], ..., i_perm[nd-1]] = X[i_0, ..., i_{nd-1}] — that is, output dimension d has
 * size dims[perm[d]]. Up to 6 dims. BERT: [B,S,3,A,D] perm {2,0,3,1,4} -> [3,B,A,S,D].
 * Operands: [0] X, [1] Y (no aliasing). */
#define ACCEL_PERMUTE_MAX_DIMS 6
typedef struct accel_permute_desc {
    accel_dtype dtype;
    int ndims;
    int64_t dims[ACCEL_PERMUTE_MAX_DIMS];
    int perm[ACCEL_PERMUTE_MAX_DIMS];
} accel_permute_desc;

/* The permute as a walk over the output: output dimension o has out_dims[o] = dims[perm[o]]
 * elements, and a step along it moves in_strides[o] elements in the packed input. Returns the
 * element count. Entries from ndims up are 1 and 0 (kernels that take six dims index them harmlessly).
 * The one definition, inline for plugins. */
static inline int64_t accel_permute_walk(const accel_permute_desc *d, int64_t out_dims[ACCEL_PERMUTE_MAX_DIMS],
                                         int64_t in_strides[ACCEL_PERMUTE_MAX_DIMS]) {
    int64_t packed[ACCEL_PERMUTE_MAX_DIMS], total = 1;
    const int nd = d->ndims < 0 ? 0 : d->ndims > ACCEL_PERMUTE_MAX_DIMS ? ACCEL_PERMUTE_MAX_DIMS : d->ndims;
    for (int i = nd - 1; i >= 0; --i) {
        packed[i] = total;
        total *= d->dims[i];
    }
    for (int o = 0; o < ACCEL_PERMUTE_MAX_DIMS; ++o) {
        const int from = o < nd ? d->perm[o] : -1;
        out_dims[o] = from >= 0 && from < nd ? d->dims[from] : 1;
        in_strides[o] = from >= 0 && from < nd ? packed[from] : 0;
    }
    return total;
}

/* attention (optional): O = softmax(scale Q K^T + mask) V per (batch, head).
 *   Q, K, V, O are [batch, heads, seq, head_dim]; mask as in softmax with rows_per_mask_row =
 *   heads * seq, i.e. batch x seq additive fp32.
 *   causal (ABI 1.3; 0 or 1): 1 also drops every key j > query i (a decoder's mask, PyTorch's
 *   scaled_dot_product_attention is_causal=True), on top of the additive mask. A plugin built
 *   against ABI <= 1.2 does not know the field, so libaccel answers UNIMPLEMENTED for a causal
 *   plan on it (the reason names both ABIs) rather than let it compute a non-causal result.
 * Operands: [0] Q, [1] K, [2] V, [3] mask (or absent), [4] O. */
typedef struct accel_attention_desc {
    accel_dtype dtype;
    accel_compute_type compute;
    int64_t batch, heads, seq, head_dim;
    double scale;
    int causal;
} accel_attention_desc;

#include "accel/ops_train.h"

typedef struct accel_op_desc {
    accel_op_kind kind;
    /* "" = the backend's default path; otherwise one of the names the device lists in
     * accel_device_info.op_libraries ("onednn", "openblas", "clblast", "cublaslt", "accel" = our own
     * kernels). An unknown or absent library answers UNIMPLEMENTED, so reference libraries are
     * measured as rows of their own, never substituted silently. */
    char library[32];
    union {
        accel_gemm_desc gemm;
        accel_conv2d_desc conv2d;
        accel_layernorm_desc layernorm;
        accel_softmax_desc softmax;
        accel_eltwise_desc eltwise;
        accel_permute_desc permute;
        accel_attention_desc attention;
        accel_rmsnorm_desc rmsnorm;
        /* training ops; SOFTMAX_BACKWARD takes softmax, CONV2D_BACKWARD_* take conv2d */
        accel_layernorm_backward_desc layernorm_backward;
        accel_reduce_desc reduce;
        accel_batchnorm_desc batchnorm; /* BATCHNORM and BATCHNORM_BACKWARD */
        accel_adamw_desc adamw;
        accel_amp_scale_desc amp_scale;
        accel_amp_update_desc amp_update;
    } u;
} accel_op_desc;

/* accel_op_desc never changes size within ABI major 1 (see ACCEL_STRUCT_HAS in types.h): a new op's
 * description fits the union, and a field added to an existing one means "as before" when zero, so
 * zero-initialise every description (accel_op_desc d = {.kind = ...}). */

/* Operand count for each kind (7, 5, 5, 3, 3, 2, 5, 3; the training ops in ops_train.h). accel_op_plan_execute takes fewer: trailing
 * operands the plan does not require may be left out (a GEMM caller without fp8 scales passes 5). */
#define ACCEL_OP_MAX_OPERANDS 8
int accel_op_operand_count(accel_op_kind kind);

/* The name ("gemm", ...; "invalid" for an unknown kind) and operand count (0 when unknown) of every
 * op kind: the one table of them. Inline, so plugins (which must not call libaccel) share it;
 * accel_op_kind_name() and accel_op_operand_count() answer the same through libaccel.
 * row_wise marks the family of one normalisation per row (layernorm, softmax, rmsnorm): a backend
 * hands the whole family to one place, so a new row-wise op touches that place only. */
typedef struct accel_op_kind_traits {
    const char *name;
    int operands;
    int row_wise;
} accel_op_kind_traits;

static inline accel_op_kind_traits accel_op_kind_traits_of(accel_op_kind k) {
    accel_op_kind_traits r = {"invalid", 0, 0};
    switch (k) {
    case ACCEL_OP_GEMM: r.name = "gemm"; r.operands = 7; break;
    case ACCEL_OP_CONV2D: r.name = "conv2d"; r.operands = 5; break;
    case ACCEL_OP_LAYERNORM: r.name = "layernorm"; r.operands = 5; r.row_wise = 1; break;
    case ACCEL_OP_SOFTMAX: r.name = "softmax"; r.operands = 3; r.row_wise = 1; break;
    case ACCEL_OP_ELTWISE: r.name = "eltwise"; r.operands = 3; break;
    case ACCEL_OP_PERMUTE: r.name = "permute"; r.operands = 2; break;
    case ACCEL_OP_ATTENTION: r.name = "attention"; r.operands = 5; break;
    case ACCEL_OP_RMSNORM: r.name = "rmsnorm"; r.operands = 3; r.row_wise = 1; break;
    /* the training ops (ops_train.h) */
    case ACCEL_OP_LAYERNORM_BACKWARD: r.name = "layernorm_backward"; r.operands = 6; break;
    case ACCEL_OP_SOFTMAX_BACKWARD: r.name = "softmax_backward"; r.operands = 3; break;
    case ACCEL_OP_REDUCE: r.name = "reduce"; r.operands = 2; break;
    case ACCEL_OP_BATCHNORM: r.name = "batchnorm"; r.operands = 8; break;
    case ACCEL_OP_BATCHNORM_BACKWARD: r.name = "batchnorm_backward"; r.operands = 8; break;
    case ACCEL_OP_CONV2D_BACKWARD_DATA: r.name = "conv2d_backward_data"; r.operands = 3; break;
    case ACCEL_OP_CONV2D_BACKWARD_WEIGHTS: r.name = "conv2d_backward_weights"; r.operands = 3; break;
    case ACCEL_OP_ADAMW: r.name = "adamw"; r.operands = 6; break;
    case ACCEL_OP_AMP_SCALE: r.name = "amp_scale"; r.operands = 3; break;
    case ACCEL_OP_AMP_UPDATE_SCALE: r.name = "amp_update_scale"; r.operands = 4; break;
    default: break;
    }
    return r;
}

static inline const char *accel_op_kind_label(accel_op_kind k) { return accel_op_kind_traits_of(k).name; }
static inline int accel_op_operand_slots(accel_op_kind k) { return accel_op_kind_traits_of(k).operands; }
static inline int accel_op_is_row_wise(accel_op_kind k) { return accel_op_kind_traits_of(k).row_wise; }

typedef struct accel_op_plan accel_op_plan;

/* Validates the description (sizes > 0, no overflow, leading dimensions, supported combination),
 * then does every costly step. UNIMPLEMENTED when the backend does not run this combination. */
accel_status accel_op_plan_create(accel_device *dev, const accel_op_desc *desc,
                                  accel_op_plan **out_plan);
void accel_op_plan_destroy(accel_op_plan *plan);
/* Bytes of scratch the plan needs at execute (0 = none). */
size_t accel_op_plan_workspace_size(const accel_op_plan *plan);
/* Which library/kernel path runs the op ("onednn", "cublaslt", "accel-opencl"), and the algorithm
 * detail ("brg:avx512_core_bf16", "algo 23 tile 256x128 splitk 1"): these go in the CSV. The
 * algorithm may change at an execute (cublaslt moves to its next algorithm when one fails to run):
 * read it after executing, and not while another thread executes the plan. */
const char *accel_op_plan_library(const accel_op_plan *plan);
const char *accel_op_plan_algorithm(const accel_op_plan *plan);
/* Minimum bytes each operand must span from its offset (0 for an absent operand). */
accel_status accel_op_operand_bytes(const accel_op_desc *desc, int operand, size_t *out_bytes);

/* Enqueue only: no allocation, no compilation. Operand buffers must be on the plan's device, with
 * enough bytes past their offsets (checked). workspace: {NULL,0} when the size is 0. Thread-safe:
 * one plan may be executed from several threads, each with its own operands and stream; libaccel
 * lets one execute of a plan into the plugin at a time (each enqueue is short; the queued work
 * still overlaps on the device; a host backend's op runs inside execute, so there executes of one
 * plan run one after another). Two executes in flight must not share one workspace. */
accel_status accel_op_plan_execute(accel_op_plan *plan, accel_stream *stream,
                                   const accel_buffer_ref *operands, size_t noperands,
                                   accel_buffer_ref workspace);

/* Helpers. */
size_t accel_dtype_size(accel_dtype t);     /* 0 for INVALID */
const char *accel_dtype_name(accel_dtype t); /* "f32", "f16", "bf16", ... */
const char *accel_compute_type_name(accel_compute_type t);
const char *accel_op_kind_name(accel_op_kind k);

#ifdef __cplusplus
}
#endif
#endif
