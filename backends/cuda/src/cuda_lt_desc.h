/* The host-only half of a cuBLASLt GEMM plan: matmul descriptor, layouts and epilogue split, built
 * from an accel_gemm_desc without a device (so it is unit-tested on machines without a GPU). */
#ifndef ACCEL_CUDA_LT_DESC_H
#define ACCEL_CUDA_LT_DESC_H

#include <stddef.h>

#include "accel/ops.h"
#include "cuda_symbols.h"

typedef struct accel_cuda_lt_desc {
    cublasLtMatmulDesc_t op;
    cublasLtMatrixLayout_t a, b, c, d; /* cuBLASLt's A, B, C, D */
    int a_operand, b_operand;          /* which of our operands (0 = A, 1 = B) is cuBLASLt's A, B */
    int fused_bias;                    /* cuBLASLt adds the bias (pointer set at execute) */
    int after_act;                     /* ACCEL_ACT_* our epilogue kernel applies afterwards, or 0 */
    int fp8;                           /* fp8 inputs: per-tensor scale pointers bound at execute */
    cudaDataType_t scale_type;
    union {
        float f;
        double d;
        uint16_t h;
    } alpha, beta;
} accel_cuda_lt_desc;

/* The GEMM with ld*, stride_* (0 = packed), batch, c_type and bias_type made explicit. */

/* ACCEL_OK, or ACCEL_ERR_UNIMPLEMENTED (a combination cuBLASLt or this mapping does not run) /
 * ACCEL_ERR_INTERNAL with the reason in why. On failure nothing needs releasing. */
accel_status accel_cuda_lt_describe(const accel_cuda_cublaslt_table *lt, const accel_gemm_desc *desc,
                                    accel_cuda_lt_desc *out, char *why, size_t why_len);
void accel_cuda_lt_desc_release(const accel_cuda_cublaslt_table *lt, accel_cuda_lt_desc *d);

/* Points the descriptor at this execute's bias (when fused) and, for fp8, at our A's and B's
 * scales (0 = absent = 1): host-side attribute writes only, so execute still only enqueues. Our A
 * is cuBLASLt's B, so our a_scale becomes its B_SCALE_POINTER. Returns the failing status. */
cublasStatus_t accel_cuda_lt_bind(const accel_cuda_cublaslt_table *lt, const accel_cuda_lt_desc *d,
                                  CUdeviceptr bias, CUdeviceptr a_scale, CUdeviceptr b_scale);

/* float -> IEEE half bits, round to nearest even. */
uint16_t accel_cuda_float_to_half(float f);

#endif
