/* The parameter structs the .cu kernels take by value, defined once for both sides: the kernels
 * include this file (the run-time compiler is handed it by name, like every header here), and so do
 * the hosts that fill them (the family planner, backends/gpu_common/src/cu_planner.c; the cuda and
 * hip plugins only copy the recipe's bytes). Plain C and C++ with no includes, so NVRTC, hipRTC and
 * a host C11 compiler all read it.
 *
 * Each struct is written as a field list (X-macro) so the compile tests can check, field by field,
 * that the device compiler lays it out as the host compiler does (offsets and size asserted in the
 * device compile, with the host's values): host and device agree by test, not by hope. */
#ifndef ACCEL_CU_PARAMS_H
#define ACCEL_CU_PARAMS_H

#ifndef ACCEL_I64_DEFINED
#define ACCEL_I64_DEFINED
typedef long long accel_i64;
#endif

#define ACCEL_CU_PERMUTE_MAX 6

/* F(type, name, extent): extent is empty or "[n]". */
#define ACCEL_CU_GEMM_PARAMS(F)                                                                    \
    F(accel_i64, m, ) F(accel_i64, n, ) F(accel_i64, k, ) F(accel_i64, lda, ) F(accel_i64, ldb, )  \
    F(accel_i64, ldc, ) F(accel_i64, ldd, ) F(accel_i64, stride_a, ) F(accel_i64, stride_b, )      \
    F(accel_i64, stride_c, ) F(accel_i64, stride_d, ) F(accel_i64, stride_bias, )                  \
    F(accel_i64, batch, ) F(double, alpha, ) F(double, beta, ) F(int, trans_a, ) F(int, trans_b, ) \
    F(int, act, ) F(int, round_tf32, )

#define ACCEL_CU_CONV2D_PARAMS(F)                                                                  \
    F(accel_i64, n, ) F(accel_i64, c, ) F(accel_i64, h, ) F(accel_i64, w, ) F(accel_i64, k, )      \
    F(accel_i64, r, ) F(accel_i64, s, ) F(accel_i64, p, ) F(accel_i64, q, )                        \
    F(accel_i64, stride_h, ) F(accel_i64, stride_w, ) F(accel_i64, pad_h, ) F(accel_i64, pad_w, )  \
    F(accel_i64, dil_h, ) F(accel_i64, dil_w, ) F(int, nhwc, ) F(int, relu, )

#define ACCEL_CU_PERMUTE_PARAMS(F)                                                                 \
    F(accel_i64, total, ) F(accel_i64, out_dims, [ACCEL_CU_PERMUTE_MAX])                          \
    F(accel_i64, in_strides, [ACCEL_CU_PERMUTE_MAX]) F(int, ndims, ) F(int, pad_, )

#define ACCEL_CU_ATTENTION_PARAMS(F)                                                               \
    F(accel_i64, heads, ) F(accel_i64, seq, ) F(accel_i64, head_dim, ) F(float, scale, )          \
    F(int, causal, )

/* Every struct, for the layout checks: X(struct name, field list). */
#define ACCEL_CU_PARAM_STRUCTS(X)                                                                  \
    X(accel_gemm_params, ACCEL_CU_GEMM_PARAMS)                                                     \
    X(accel_conv2d_params, ACCEL_CU_CONV2D_PARAMS)                                                 \
    X(accel_permute_params, ACCEL_CU_PERMUTE_PARAMS)                                               \
    X(accel_attention_params, ACCEL_CU_ATTENTION_PARAMS)

#define ACCEL_CU_FIELD(type, name, extent) type name extent;
#define ACCEL_CU_STRUCT(sname, fields)                                                             \
    typedef struct sname {                                                                         \
        fields(ACCEL_CU_FIELD)                                                                     \
    } sname;
ACCEL_CU_PARAM_STRUCTS(ACCEL_CU_STRUCT)
#undef ACCEL_CU_STRUCT
#undef ACCEL_CU_FIELD

/* accel_attention_params.causal: 1 drops key j > query i (on top of the mask): the HAL's
 * accel_attention_desc.causal (ABI 1.3), passed through by the planner. */

/* Activation codes (accel_gemm_params.act, the epilogue kernel's act). */
#define ACCEL_ACT_NONE 0
#define ACCEL_ACT_RELU 1
#define ACCEL_ACT_GELU_ERF 2
#define ACCEL_ACT_GELU_TANH 3

#endif
