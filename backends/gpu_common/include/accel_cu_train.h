/* The .cu family's training ops (accel/ops_train.h): the planner part in src/cu_plan_train.c and
 * the entries of kernels/train_{norm,bn,conv,optim}.cu for the planner's entry table (accel_cu_entries), which the
 * NVRTC and hipRTC compile tests check against the compiled kernels. Pure host code. */
#ifndef ACCEL_CU_TRAIN_H
#define ACCEL_CU_TRAIN_H

#include "accel_cu_planner.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The recipe of a training kind (accel_cu_plan hands them here); refusals as accel_cu_plan's. */
accel_status accel_cu_plan_train(const accel_op_desc *desc, const accel_cu_target *target, accel_recipe *out,
                                 char *why, size_t why_len);

#ifdef __cplusplus
}
#endif

/* Entry-table rows, expanded inside cu_planner.c's table with its CU_FLOAT_TYPES / CU_ENTRY. */
#define ACCEL_CU_LN_BWD_STATS_SIG(T) "void (*)(const " T " *, float *, accel_i64, float)"
#define ACCEL_CU_LN_BWD_PARAMS_SIG(T) \
    "void (*)(const " T " *, const " T " *, const float *, float *, float *, accel_i64, accel_i64, int)"
#define ACCEL_CU_LN_BWD_DATA_SIG(T) \
    "void (*)(const " T " *, const " T " *, const " T " *, const float *, " T " *, accel_i64)"
#define ACCEL_CU_SOFTMAX_BWD_SIG(T) "void (*)(const " T " *, const " T " *, " T " *, accel_i64, float)"
#define ACCEL_CU_REDUCE_SIG(T) "void (*)(const " T " *, float *, " T " *, accel_i64, accel_i64, accel_i64, int)"
#define ACCEL_CU_BN_STATS_SIG(T) \
    "void (*)(const " T " *, float *, float *, float *, float *, accel_i64, accel_i64, accel_i64, int, float, float)"
#define ACCEL_CU_BN_APPLY_SIG(T)                                                                            \
    "void (*)(const " T " *, const float *, const float *, const float *, const float *, " T " *, accel_i64, " \
    "accel_i64, accel_i64, int)"
#define ACCEL_CU_BN_BWD_PARAMS_SIG(T)                                                                         \
    "void (*)(const " T " *, const " T " *, const float *, const float *, float *, float *, accel_i64, accel_i64, " \
    "accel_i64, int)"
#define ACCEL_CU_BN_BWD_DATA_SIG(T)                                                                     \
    "void (*)(const " T " *, const float *, const " T " *, const float *, const float *, const float *, " \
    "const float *, " T " *, accel_i64, accel_i64, accel_i64, int)"
#define ACCEL_CU_CONV_BWD_SIG(T) "void (*)(const " T " *, const " T " *, " T " *, accel_conv2d_params)"
#define ACCEL_CU_ADAMW_SIG(T)                                                                                  \
    "void (*)(float *, const " T " *, float *, float *, accel_f16 *, accel_bf16 *, const int *, accel_i64, float, " \
    "float, float, float, float, float, float)"
#define ACCEL_CU_AMP_SCALE_SIG(T) "void (*)(" T " *, const float *, int *, accel_i64, int)"

#define ACCEL_CU_TRAIN_ENTRIES(TYPES, ENTRY)                                                    \
    TYPES(ENTRY, "train_norm.cu", "accel_ln_bwd_stats", ACCEL_CU_LN_BWD_STATS_SIG)              \
    TYPES(ENTRY, "train_norm.cu", "accel_ln_bwd_params", ACCEL_CU_LN_BWD_PARAMS_SIG)            \
    TYPES(ENTRY, "train_norm.cu", "accel_ln_bwd_data", ACCEL_CU_LN_BWD_DATA_SIG)                \
    TYPES(ENTRY, "train_norm.cu", "accel_softmax_bwd", ACCEL_CU_SOFTMAX_BWD_SIG)                \
    TYPES(ENTRY, "train_norm.cu", "accel_reduce", ACCEL_CU_REDUCE_SIG)                          \
    TYPES(ENTRY, "train_bn.cu", "accel_bn_stats", ACCEL_CU_BN_STATS_SIG)                      \
    TYPES(ENTRY, "train_bn.cu", "accel_bn_apply", ACCEL_CU_BN_APPLY_SIG)                      \
    TYPES(ENTRY, "train_bn.cu", "accel_bn_bwd_params", ACCEL_CU_BN_BWD_PARAMS_SIG)            \
    TYPES(ENTRY, "train_bn.cu", "accel_bn_bwd_data", ACCEL_CU_BN_BWD_DATA_SIG)                \
    TYPES(ENTRY, "train_conv.cu", "accel_conv_bwd_data", ACCEL_CU_CONV_BWD_SIG)                 \
    TYPES(ENTRY, "train_conv.cu", "accel_conv_bwd_weights", ACCEL_CU_CONV_BWD_SIG)              \
    TYPES(ENTRY, "train_optim.cu", "accel_adamw", ACCEL_CU_ADAMW_SIG)                           \
    TYPES(ENTRY, "train_optim.cu", "accel_amp_scale", ACCEL_CU_AMP_SCALE_SIG)                   \
    {"train_optim.cu", "accel_amp_update", "void (*)(float *, int *, int *, int *, float, float, accel_i64)"},

#endif
