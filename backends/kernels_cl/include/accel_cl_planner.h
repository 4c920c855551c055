/* The .cl kernel family's planner: one for the opencl and level_zero plugins. It turns an
 * accel_op_desc into a launch recipe (accel_common/recipe.h) for the OpenCL C kernels in
 * ../kernels, under the family's one acceptance rule for storage and compute types. OpenCL builds
 * any -D combination from source at run time; Level Zero runs SPIR-V built at build time, so for it
 * the planner only names the variants the build made (backends/level_zero/cmake/ze_kernel_variants.cmake), each recipe
 * launch carrying both the defines and the variant's name. Pure host code: no vendor API. */
#ifndef ACCEL_CL_PLANNER_H
#define ACCEL_CL_PLANNER_H

#include <stddef.h>

#include "accel/ops.h"
#include "accel_common/recipe.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the planner needs to know about the device and how the backend gets its kernels. */
typedef struct accel_cl_target {
    const char *backend;       /* "opencl", "level_zero": starts every refusal */
    int prebuilt;              /* only the build-time variants (fixed tiles and work-groups) */
    int cpu;                   /* a CPU device: the vector kernels (gemm_vec.cl, conv2d_vec.cl) */
    size_t max_group;          /* work-items per group */
    size_t max_item[3];        /* work-items per group in each dimension */
    size_t local_mem;          /* bytes of local memory */
    unsigned pref_vec_float;   /* preferred float vector width */
    size_t kernel_group_limit; /* 0, or the most work-items the compiled main kernel takes: the
                                  backend plans again with it when a kernel allows fewer */
    /* Tuning overrides (the opencl plugin's ACCEL_OPENCL_* environment; NULL = none). */
    const char *gemm_kernel;   /* "tiled" | "vec" */
    const char *gemm_tile;     /* "TSM,TSN,TSK,WPTM,WPTN" */
    const char *gemm_vec;      /* "VECN,WPTM[,KC]" */
    const char *gemm_pack_b;   /* "0": the vector GEMM reads a transposed B in place */
    const char *conv_kernel;   /* "tiled" | "vec" */
    const char *conv_tile;     /* "TSM,TSN,TSK,WPTM,WPTN" */
    const char *conv_kc;       /* taps per work-group pass of the NCHW vector kernel */
} accel_cl_target;

/* Our kernels for the op, forward and training kinds (the latter in cl_plan_train.c). The main
 * kernel is the last launch (earlier ones pack an operand into the workspace, or sum what the last
 * needs: the training norms take up to three). On refusal: the status (UNIMPLEMENTED, or INVALID_ARGUMENT) and why. */
accel_status accel_cl_plan(const accel_op_desc *desc, const accel_cl_target *target, accel_recipe *out,
                           char *why, size_t why_len);

#ifdef __cplusplus
}
#endif
#endif
