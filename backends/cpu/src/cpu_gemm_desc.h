/* Shared by every GEMM path: defaults of an accel_gemm_desc (ld 0 = packed, stride 0 = packed) and
 * the dtype/compute combinations the CPU can run. */
#ifndef ACCEL_CPU_GEMM_DESC_H
#define ACCEL_CPU_GEMM_DESC_H

#include "accel/plugin.h"

typedef struct cpu_gemm_dims {
    int64_t lda, ldb, ldc, ldd;
    int64_t stride_a, stride_b, stride_c, stride_d, stride_bias;
    accel_dtype bias_type;
    accel_compute_type compute;
} cpu_gemm_dims;

cpu_gemm_dims cpu_gemm_dims_resolve(const accel_gemm_desc *d);

/* ACCEL_OK when the storage types and compute type form a combination computed exactly as the
 * description says (fp32 accumulation); else UNIMPLEMENTED through host->set_error naming `path`.
 * fp8_inputs: the path can read fp8 A and B (our engine widens them while packing). */
accel_status cpu_gemm_check_types(const accel_host_services *host, const char *path,
                                  const accel_gemm_desc *d, int fp8_inputs);

#endif
