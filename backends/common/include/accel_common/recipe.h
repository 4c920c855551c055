/* A launch recipe: what a kernel-family planner (backends/gpu_common for .cu, backends/kernels_cl for .cl) makes of
 * an accel_op_desc, and all a backend needs to launch it: the kernel (source, entry, compile-time
 * defines or prebuilt variant), the grid and group, the shared memory, and the arguments in order,
 * each an operand of the op, a null buffer, or scalar bytes held in the recipe. The planner decides
 * everything that depends on the op; the backend keeps only the step from recipe to launch
 * (cuLaunchKernel's parameter array, HIP's packed argument block, clSetKernelArg,
 * zeKernelSetArgumentValue), plus whatever depends on its device alone.
 *
 * Plain data, no pointers into the desc: a plan copies the recipe and launches it at every execute.
 * Operand indices follow the op's operand order (ops.h); ACCEL_RECIPE_WORKSPACE names the plan's
 * workspace. */
#ifndef ACCEL_COMMON_RECIPE_H
#define ACCEL_COMMON_RECIPE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "accel/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACCEL_RECIPE_MAX_ARGS 32
#define ACCEL_RECIPE_MAX_LAUNCHES 3
#define ACCEL_RECIPE_SCALAR_BYTES 512
/* The operand index that names the plan's workspace. */
#define ACCEL_RECIPE_WORKSPACE 15

typedef enum accel_recipe_arg_kind {
    ACCEL_RECIPE_ARG_OPERAND = 1, /* the operand's device address (its buffer + byte offset); an
                                     absent operand is a null pointer (.cl: a dummy buffer) */
    ACCEL_RECIPE_ARG_NULL = 2,    /* a buffer argument the kernel does not read for this op */
    ACCEL_RECIPE_ARG_SCALAR = 3,  /* `size` bytes at scalars + offset, aligned to `align` */
    ACCEL_RECIPE_ARG_PRESENT = 4, /* int32: 1 when the operand is given at execute, else 0 */
    ACCEL_RECIPE_ARG_ELEMENT_OFFSET = 5 /* int64 (.cl kernels' "x_off"): the operand's byte offset
                                           in elements of `elem_size`, when the backend passes the
                                           buffer's base (OpenCL); 0 when it passes base + offset */
} accel_recipe_arg_kind;

/* ACCEL_RECIPE_ARG_SCALAR: a size the warm-up launch sets to 0 (its problem is empty). */
#define ACCEL_RECIPE_ZERO_IN_WARM_UP 1u

typedef struct accel_recipe_arg {
    uint8_t kind;      /* accel_recipe_arg_kind */
    uint8_t operand;   /* OPERAND, PRESENT, ELEMENT_OFFSET: operand index or ACCEL_RECIPE_WORKSPACE */
    uint8_t flags;     /* ACCEL_RECIPE_ZERO_IN_WARM_UP */
    uint8_t elem_size; /* ELEMENT_OFFSET: bytes per element */
    uint16_t offset;   /* SCALAR: where its bytes start in accel_recipe.scalars */
    uint16_t size;     /* SCALAR: bytes */
    uint16_t align;    /* SCALAR: alignment in an argument block (natural, at most 8) */
} accel_recipe_arg;

typedef struct accel_recipe_launch {
    const char *source;   /* family source: "layernorm.cu", "layernorm" (.cl stem) */
    char entry[48];       /* "accel_layernorm_bf16", "accel_layernorm" */
    char defines[192];    /* .cl compile-time options ("-DWG=256 -DDTYPE=2"); "" for .cu */
    char variant[64];     /* .cl prebuilt image of those defines ("layernorm__wg256_dt2") */
    uint32_t grid[3];     /* groups per dimension */
    uint32_t group[3];    /* work-items (threads) per group */
    uint32_t shared_bytes;/* dynamic shared memory */
    uint32_t nargs;
    accel_recipe_arg args[ACCEL_RECIPE_MAX_ARGS];
} accel_recipe_launch;

typedef struct accel_recipe {
    accel_recipe_launch launch[ACCEL_RECIPE_MAX_LAUNCHES]; /* run in order at every execute */
    uint32_t nlaunches;
    uint32_t required;      /* bit i: operand i must be given (the host checks it too) */
    size_t workspace_bytes; /* what the plan needs at execute */
    char algorithm[128];    /* what runs, for accel_plugin_plan_info.algorithm */
    uint32_t scalar_used;
    int overflow;           /* a builder below ran out of room: a planner bug, refuse the plan */
    /* Scalars by value, as words so a backend may point a launch parameter at any 8-aligned one. */
    uint64_t scalars[ACCEL_RECIPE_SCALAR_BYTES / 8];
} accel_recipe;

/* The bytes of a SCALAR argument. */
static inline const void *accel_recipe_scalar(const accel_recipe *r, const accel_recipe_arg *a) {
    return (const unsigned char *)r->scalars + a->offset;
}

/* The first operand a recipe requires that `operands` (count n) lacks, or -1. */
static inline int accel_recipe_missing(const accel_recipe *r, const accel_plugin_ref *operands, size_t n) {
    for (int i = 0; i < 32; ++i)
        if ((r->required >> i & 1u) && ((size_t)i >= n || !operands[i].buffer)) return i;
    return -1;
}

/* The buffer an argument names: an operand, the workspace, or {NULL, 0}. */
static inline accel_plugin_ref accel_recipe_ref(const accel_recipe_arg *a, const accel_plugin_ref *operands,
                                                size_t n, accel_plugin_ref workspace) {
    accel_plugin_ref none = {NULL, 0};
    if (a->kind == ACCEL_RECIPE_ARG_NULL) return none;
    if (a->operand == ACCEL_RECIPE_WORKSPACE) return workspace;
    return a->operand < n ? operands[a->operand] : none;
}

/* ---- builders, for the planners ---- */

/* Starts the next launch: source and entry; grid, group and arguments follow. */
static inline accel_recipe_launch *accel_recipe_add_launch(accel_recipe *r, const char *source, const char *entry) {
    if (r->nlaunches >= ACCEL_RECIPE_MAX_LAUNCHES) { /* a planner bug: refused, never launched */
        r->overflow = 1;
        r->nlaunches = ACCEL_RECIPE_MAX_LAUNCHES - 1;
    }
    accel_recipe_launch *l = &r->launch[r->nlaunches++];
    memset(l, 0, sizeof *l);
    l->source = source;
    size_t n = strlen(entry);
    if (n >= sizeof l->entry) r->overflow = 1, n = sizeof l->entry - 1;
    memcpy(l->entry, entry, n);
    l->grid[0] = l->grid[1] = l->grid[2] = 1;
    l->group[0] = l->group[1] = l->group[2] = 1;
    return l;
}

static inline accel_recipe_arg *accel_recipe_next_arg(accel_recipe *r, accel_recipe_launch *l) {
    if (l->nargs >= ACCEL_RECIPE_MAX_ARGS) { /* a planner bug: refused, never launched */
        r->overflow = 1;
        l->nargs = ACCEL_RECIPE_MAX_ARGS - 1;
    }
    accel_recipe_arg *a = &l->args[l->nargs++];
    memset(a, 0, sizeof *a);
    return a;
}

/* Operand `i`; `required` adds it to the operands execute must be given. */
static inline void accel_recipe_operand(accel_recipe *r, accel_recipe_launch *l, int i, int required) {
    accel_recipe_arg *a = accel_recipe_next_arg(r, l);
    a->kind = ACCEL_RECIPE_ARG_OPERAND;
    a->operand = (uint8_t)i;
    if (required && i < 32) r->required |= 1u << i;
}

static inline void accel_recipe_null(accel_recipe *r, accel_recipe_launch *l) {
    accel_recipe_next_arg(r, l)->kind = ACCEL_RECIPE_ARG_NULL;
}

/* Operand i, or a null buffer when `used` is 0 (an operand this op does not read). */
static inline void accel_recipe_operand_if(accel_recipe *r, accel_recipe_launch *l, int i, int used) {
    if (used) accel_recipe_operand(r, l, i, 1);
    else accel_recipe_null(r, l);
}

static inline void accel_recipe_present(accel_recipe *r, accel_recipe_launch *l, int i) {
    accel_recipe_arg *a = accel_recipe_next_arg(r, l);
    a->kind = ACCEL_RECIPE_ARG_PRESENT;
    a->operand = (uint8_t)i;
}

static inline void accel_recipe_element_offset(accel_recipe *r, accel_recipe_launch *l, int i, size_t elem_size) {
    accel_recipe_arg *a = accel_recipe_next_arg(r, l);
    a->kind = ACCEL_RECIPE_ARG_ELEMENT_OFFSET;
    a->operand = (uint8_t)i;
    a->elem_size = (uint8_t)elem_size;
}

/* size bytes of value, by value, aligned to `align` both here and in an argument block. */
static inline void accel_recipe_bytes(accel_recipe *r, accel_recipe_launch *l, const void *value, size_t size,
                                      size_t align, unsigned flags) {
    const size_t at = (r->scalar_used + align - 1) / align * align;
    accel_recipe_arg *a = accel_recipe_next_arg(r, l);
    if (at + size > sizeof r->scalars) {
        r->overflow = 1;
        return;
    }
    memcpy((unsigned char *)r->scalars + at, value, size);
    r->scalar_used = (uint32_t)(at + size);
    a->kind = ACCEL_RECIPE_ARG_SCALAR;
    a->flags = (uint8_t)flags;
    a->offset = (uint16_t)at;
    a->size = (uint16_t)size;
    a->align = (uint16_t)align;
}

static inline void accel_recipe_i32(accel_recipe *r, accel_recipe_launch *l, int64_t v, unsigned flags) {
    const int32_t x = (int32_t)v;
    accel_recipe_bytes(r, l, &x, sizeof x, sizeof x, flags);
}
static inline void accel_recipe_i64(accel_recipe *r, accel_recipe_launch *l, int64_t v, unsigned flags) {
    accel_recipe_bytes(r, l, &v, sizeof v, sizeof v, flags);
}
static inline void accel_recipe_f32(accel_recipe *r, accel_recipe_launch *l, double v) {
    const float x = (float)v;
    accel_recipe_bytes(r, l, &x, sizeof x, sizeof x, 0);
}

#ifdef __cplusplus
}
#endif
#endif
