/* Names and sizes of the enums in types.h and ops.h. */
#include "hal_internal.h"

/* The table itself is inline in types.h, shared with plugins (which must not call libaccel). */
ACCEL_API size_t accel_dtype_size(accel_dtype t) { return accel_dtype_bytes(t); }

ACCEL_API const char *accel_dtype_name(accel_dtype t) { return accel_dtype_label(t); }

ACCEL_API const char *accel_compute_type_name(accel_compute_type t) {
    switch (t) {
    case ACCEL_COMPUTE_DEFAULT: return "default";
    case ACCEL_COMPUTE_F32: return "f32";
    case ACCEL_COMPUTE_TF32: return "tf32";
    case ACCEL_COMPUTE_F16: return "f16";
    case ACCEL_COMPUTE_BF16: return "bf16";
    case ACCEL_COMPUTE_F64: return "f64";
    case ACCEL_COMPUTE_F16_ACC16: return "f16-acc16";
    case ACCEL_COMPUTE_I32: return "i32";
    default: return "invalid";
    }
}

ACCEL_API const char *accel_op_kind_name(accel_op_kind k) {
    switch (k) {
    case ACCEL_OP_GEMM: return "gemm";
    case ACCEL_OP_CONV2D: return "conv2d";
    case ACCEL_OP_LAYERNORM: return "layernorm";
    case ACCEL_OP_SOFTMAX: return "softmax";
    case ACCEL_OP_ELTWISE: return "eltwise";
    case ACCEL_OP_PERMUTE: return "permute";
    case ACCEL_OP_ATTENTION: return "attention";
    case ACCEL_OP_RMSNORM: return "rmsnorm";
    default: return "invalid";
    }
}

ACCEL_API int accel_op_operand_count(accel_op_kind kind) {
    switch (kind) {
    case ACCEL_OP_GEMM: return 7;
    case ACCEL_OP_CONV2D: return 5;
    case ACCEL_OP_LAYERNORM: return 5;
    case ACCEL_OP_SOFTMAX: return 3;
    case ACCEL_OP_ELTWISE: return 3;
    case ACCEL_OP_PERMUTE: return 2;
    case ACCEL_OP_ATTENTION: return 5;
    case ACCEL_OP_RMSNORM: return 3;
    default: return 0;
    }
}
