/* Op validation shared by plan creation and execution. */
#ifndef ACCEL_OP_VALIDATE_H
#define ACCEL_OP_VALIDATE_H

#include "accel/ops.h"

/* UNUSED: ignored if given (C when beta == 0); REJECTED: must be absent (a scale for non-fp8 A). */
typedef enum operand_use {
    OPERAND_UNUSED = 0,
    OPERAND_OPTIONAL = 1,
    OPERAND_REQUIRED = 2,
    OPERAND_REJECTED = 3
} operand_use;

accel_status hal_op_validate(const accel_op_desc *desc);
operand_use hal_op_operand_use(const accel_op_desc *desc, int operand);

/* The training ops (op_train.c), which the functions above hand their kinds to. */
accel_status hal_train_op_validate(const accel_op_desc *desc);
operand_use hal_train_op_operand_use(const accel_op_desc *desc, int operand);
int64_t hal_train_op_operand_elements(const accel_op_desc *desc, int operand, accel_dtype *type);

#endif
