/* The .cu kernel family's planner: one for the cuda and hip plugins. It turns an accel_op_desc into
 * a launch recipe (accel_common/recipe.h) for the kernels in ../kernels, under the family's one
 * acceptance rule for storage and compute types; each plugin keeps only the step from recipe to
 * launch. Pure host code: no vendor API, no device, no libaccel. */
#ifndef ACCEL_CU_PLANNER_H
#define ACCEL_CU_PLANNER_H

#include <stddef.h>

#include "accel/ops.h"
#include "accel_common/recipe.h"
#include "accel_cu_params.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the planner needs to know about the device; the rest is the same on every GPU. */
typedef struct accel_cu_target {
    const char *backend;        /* "cuda", "hip": starts every refusal */
    unsigned warp;              /* block sizes are multiples of this (32; 64 for AMD wavefronts) */
    unsigned stride_blocks_max; /* grid-stride kernels launch at most this many blocks */
    int mma_16816;              /* the compiled kernels have PTX mma.sync m16n8k16 (sm_80 and newer) */
    int mfma_16x16x16;          /* ... AMD v_mfma_f32_16x16x16 f16/bf16 (gfx90a, gfx94x, gfx950) */
} accel_cu_target;

/* Our kernels for the op (the library "accel" of the cuda and hip devices). On refusal: the
 * status (UNIMPLEMENTED, or INVALID_ARGUMENT) and the reason in why. */
accel_status accel_cu_plan(const accel_op_desc *desc, const accel_cu_target *target, accel_recipe *out,
                           char *why, size_t why_len);

/* What a library GEMM cannot fuse, run after it over D (operand 3): act(D + bias), the bias being
 * operand 4 when add_bias. act: ACCEL_ACT_*. */
accel_status accel_cu_plan_gemm_epilogue(const accel_gemm_desc *g, int act, int add_bias,
                                         const accel_cu_target *target, accel_recipe *out, char *why,
                                         size_t why_len);

/* The GEMM as the gemm kernel takes it: leading dimensions and batch strides with "0 = packed"
 * resolved, act from the epilogue flags, round_tf32 for compute TF32. */
void accel_cu_gemm_params_of(const accel_gemm_desc *g, accel_gemm_params *out);
/* ACCEL_ACT_* of the epilogue flags. */
int accel_cu_act_of(uint32_t epilogue);
/* Kernel-name suffix of a storage type the float kernels take ("f32", "f16", "bf16"; "f64" with
 * with_f64: the GEMM has it), or NULL. */
const char *accel_cu_dtype_suffix(accel_dtype t, int with_f64);

/* Every kernel entry a plan can name, with its parameter list as a C++ function-pointer type in
 * the kernels' own type names: the NVRTC and hiprtc compile tests assert each against the compiled
 * kernel, so a planner and a kernel cannot drift apart unnoticed. */
typedef struct accel_cu_entry {
    const char *source;    /* "layernorm.cu" */
    const char *entry;     /* "accel_layernorm_bf16" */
    const char *signature; /* "void (*)(const accel_bf16 *, ...)" */
} accel_cu_entry;
extern const accel_cu_entry accel_cu_entries[];
extern const size_t accel_cu_entry_count;

#ifdef __cplusplus
}
#endif
#endif
