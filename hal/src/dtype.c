/* Names and sizes of the enums in types.h and ops.h. */
#include "hal_internal.h"
#include "op_validate.h"

/* The table itself is inline in types.h, shared with plugins (which must not call libaccel). */
ACCEL_API size_t accel_dtype_size(accel_dtype t) { return accel_dtype_bytes(t); }

ACCEL_API const char *accel_dtype_name(accel_dtype t) { return accel_dtype_label(t); }

ACCEL_API const char *accel_compute_type_name(accel_compute_type t) {
    return accel_compute_type_label(t);
}

ACCEL_API const char *accel_op_kind_name(accel_op_kind k) { return accel_op_kind_label(k); }

ACCEL_API int accel_op_operand_count(accel_op_kind kind) { return accel_op_operand_slots(kind); }
