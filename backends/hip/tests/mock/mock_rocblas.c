/* A stand-in librocblas.so.4 recording the last rocblas_gemm_strided_batched_ex call. */
#include "mock_hip.h"

#include <stdlib.h>

#define EXPORT __attribute__((visibility("default")))

static mock_rocblas_gemm last_gemm;

EXPORT const mock_rocblas_gemm *mock_rocblas_last_gemm(void) { return &last_gemm; }

EXPORT int rocblas_create_handle(void **h) { *h = malloc(1); return 0; }
EXPORT int rocblas_destroy_handle(void *h) { free(h); return 0; }
EXPORT int rocblas_set_stream(void *h, hipStream_t s) { (void)h; (void)s; return 0; }
EXPORT int rocblas_set_pointer_mode(void *h, int mode) { (void)h; return mode == 0 ? 0 : 11; }
EXPORT const char *rocblas_status_to_string(int s) { return s ? "rocblas_status_error" : "rocblas_status_success"; }
EXPORT int rocblas_gemm_strided_batched_ex(void *h, int trans_a, int trans_b, int32_t m, int32_t n,
                                           int32_t k, const void *alpha, const void *a, int a_type,
                                           int32_t lda, int64_t stride_a, const void *b, int b_type,
                                           int32_t ldb, int64_t stride_b, const void *beta,
                                           const void *c, int c_type, int32_t ldc, int64_t stride_c,
                                           void *d, int d_type, int32_t ldd, int64_t stride_d,
                                           int32_t batch, int compute_type, int algo,
                                           int32_t solution, uint32_t flags) {
    (void)h; (void)b_type; (void)c_type; (void)d_type; (void)algo; (void)solution; (void)flags;
    mock_rocblas_gemm g = {trans_a, trans_b, m, n, k, lda, ldb, ldc, ldd, batch, stride_a,
                           stride_b, stride_c, stride_d, a, b, c, d, a_type, compute_type,
                           *(const float *)alpha, *(const float *)beta, last_gemm.count + 1};
    last_gemm = g;
    return 0;
}
