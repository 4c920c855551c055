/* What the .cl planner's files share (cl_planner.c: the forward ops and the entry point;
 * cl_plan_train.c: the training ops). Private to backends/kernels_cl. */
#ifndef ACCEL_CL_PLANNER_INTERNAL_H
#define ACCEL_CL_PLANNER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "accel_cl_planner.h"

typedef struct cl_ctx {
    const accel_cl_target *t;
    accel_recipe *r;
    char *why;
    size_t why_len;
    size_t group_limit;  /* one-dimensional groups: the device's, or the compiled kernel's when smaller */
    size_t kernel_limit; /* what the compiled kernel takes (0: not known) */
} cl_ctx;

/* The refusal: "<backend> " and the message in c->why; returns st. */
accel_status cl_refuse(cl_ctx *c, accel_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Storage code of the kernels (DTYPE): 0 f32, 1 f16, 2 bf16; -1 after the refusal. */
int cl_storage(cl_ctx *c, accel_dtype t, const char *what);
uint32_t cl_groups(uint64_t items, uint64_t per_group);
/* A buffer argument and its element-offset argument, or a null buffer and offset 0 when unused. */
void cl_buffer_arg(cl_ctx *c, accel_recipe_launch *l, int operand, size_t elem_size, int used, int required);
accel_recipe_launch *cl_launch(cl_ctx *c, const char *source, const char *entry, const char *defines,
                               const char *variant);
/* `file`.cl's accel_<name>, WG and DTYPE compiled in, one group per row (*wg: the group). */
accel_recipe_launch *cl_row_launch_in(cl_ctx *c, const char *file, const char *name, int dt, int64_t rows,
                                      int64_t cols, size_t *wg);
accel_status cl_rows_ok(cl_ctx *c, const char *op, int64_t rows, int64_t cols);
/* The work-group of the one-work-item-per-element kernels. */
size_t cl_element_group(const cl_ctx *c);

/* The training kinds of ops_train.h (cl_plan_train.c). */
accel_status cl_plan_train(cl_ctx *c, const accel_op_desc *d);

#endif
