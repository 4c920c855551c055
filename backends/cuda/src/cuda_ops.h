/* Op plans: one struct for every op kind; each kind fills in execute/release at plan time. */
#ifndef ACCEL_CUDA_OPS_H
#define ACCEL_CUDA_OPS_H

#include "cuda_internal.h"
#include "cuda_lt_desc.h"

typedef struct accel_cuda_plan accel_cuda_plan;
typedef accel_status (*accel_cuda_plan_exec_fn)(accel_cuda_plan *plan, accel_cuda_stream *stream,
                                                const accel_plugin_ref *operands,
                                                accel_plugin_ref workspace);

struct accel_cuda_plan {
    accel_cuda_device *dev;
    accel_op_desc desc;
    accel_cuda_plan_exec_fn execute;
    void (*release)(accel_cuda_plan *plan); /* frees impl; may be NULL */
    void *impl;                             /* cuBLASLt descriptors */
    CUfunction fn;                          /* main kernel (our path) */
    CUfunction epilogue_fn;                 /* bias/activation after a library GEMM, or NULL */
    int act;                                /* ACCEL_ACT_* for the epilogue kernel */
    unsigned grid[3], block[3];
    /* Kernel parameter struct passed by value (layouts mirror the .cu structs). */
    union {
        struct {
            int64_t total, out_dims[6], in_strides[6];
            int ndims, pad_;
        } permute;
        struct {
            int64_t m, n, k, lda, ldb, ldc, ldd;
            int64_t stride_a, stride_b, stride_c, stride_d, stride_bias, batch;
            double alpha, beta;
            int trans_a, trans_b, act, round_tf32;
        } gemm;
        struct {
            int64_t n, c, h, w, k, r, s, p, q;
            int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
            int nhwc, relu;
        } conv;
    } params;
};

/* Kernel-name suffix for a storage type ("f32", "f16", "bf16", "f64"), NULL when we have none. */
const char *accel_cuda_dtype_suffix(accel_dtype t, int allow_f64);
/* Bytes per element (0 for INVALID); the plugin cannot call libaccel's accel_dtype_size. */
size_t accel_cuda_dtype_size(accel_dtype t);
int accel_cuda_act_from_epilogue(uint32_t epilogue);

/* Plan builders for our own kernels (library "accel-cuda"). */
accel_status accel_cuda_plan_eltwise(accel_cuda_plan *plan, accel_plugin_plan_info *info);
accel_status accel_cuda_plan_layernorm(accel_cuda_plan *plan, accel_plugin_plan_info *info);
accel_status accel_cuda_plan_softmax(accel_cuda_plan *plan, accel_plugin_plan_info *info);
accel_status accel_cuda_plan_attention(accel_cuda_plan *plan, accel_plugin_plan_info *info);
accel_status accel_cuda_plan_permute(accel_cuda_plan *plan, accel_plugin_plan_info *info);
accel_status accel_cuda_plan_conv2d(accel_cuda_plan *plan, accel_plugin_plan_info *info);
accel_status accel_cuda_plan_gemm_accel(accel_cuda_plan *plan, accel_plugin_plan_info *info);
/* cuBLASLt GEMM (library "cublaslt"). */
accel_status accel_cuda_plan_gemm_cublaslt(accel_cuda_plan *plan, accel_plugin_plan_info *info);

/* Enqueue the bias/activation epilogue kernel over D (after a library GEMM). */
accel_status accel_cuda_run_gemm_epilogue(accel_cuda_plan *plan, accel_cuda_stream *stream,
                                          CUdeviceptr d, CUdeviceptr bias);

#endif
