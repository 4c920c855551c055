/* A stand-in libcublasLt.so.12 for the old-driver tests: every entry point the plugin resolves,
 * reporting version 12.4.5. Like the real cuBLASLt on the fake driver, it cannot create a handle
 * (CUBLAS_STATUS_NOT_INITIALIZED), so the device runs GEMMs on the accel path; what the test checks
 * is that this CUDA 12 library is the one chosen for a 12.x driver. Signatures come from
 * cublasLt.h. Test-only; never installed. */
#include <cublasLt.h>

#define FAKE_EXPORT __attribute__((visibility("default")))

FAKE_EXPORT size_t cublasLtGetVersion(void) { return 120405; }
FAKE_EXPORT cublasStatus_t cublasLtCreate(cublasLtHandle_t *h) {
    *h = 0;
    return CUBLAS_STATUS_NOT_INITIALIZED;
}
FAKE_EXPORT cublasStatus_t cublasLtDestroy(cublasLtHandle_t h) {
    (void)h;
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT const char *cublasLtGetStatusName(cublasStatus_t s) {
    return s == CUBLAS_STATUS_NOT_INITIALIZED ? "CUBLAS_STATUS_NOT_INITIALIZED" : "CUBLAS_STATUS_NOT_SUPPORTED";
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *d, cublasComputeType_t c, cudaDataType_t s) {
    (void)d, (void)c, (void)s;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t d) {
    (void)d;
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a,
                                                          const void *v, size_t n) {
    (void)d, (void)a, (void)v, (void)n;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}
FAKE_EXPORT cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *l, cudaDataType t, uint64_t r,
                                                      uint64_t c, int64_t ld) {
    (void)l, (void)t, (void)r, (void)c, (void)ld;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}
FAKE_EXPORT cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t l) {
    (void)l;
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT cublasStatus_t cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t l, cublasLtMatrixLayoutAttribute_t a,
                                                            const void *v, size_t n) {
    (void)l, (void)a, (void)v, (void)n;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *p) {
    (void)p;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t p) {
    (void)p;
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t p,
                                                                cublasLtMatmulPreferenceAttributes_t a, const void *v,
                                                                size_t n) {
    (void)p, (void)a, (void)v, (void)n;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t h, cublasLtMatmulDesc_t d,
                                                          cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                                                          cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t o,
                                                          cublasLtMatmulPreference_t p, int n,
                                                          cublasLtMatmulHeuristicResult_t *r, int *got) {
    (void)h, (void)d, (void)a, (void)b, (void)c, (void)o, (void)p, (void)n, (void)r;
    *got = 0;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulAlgoConfigGetAttribute(const cublasLtMatmulAlgo_t *algo,
                                                                cublasLtMatmulAlgoConfigAttributes_t a, void *v,
                                                                size_t n, size_t *w) {
    (void)algo, (void)a, (void)v, (void)n, (void)w;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmul(cublasLtHandle_t h, cublasLtMatmulDesc_t d, const void *alpha,
                                          const void *A, cublasLtMatrixLayout_t la, const void *B,
                                          cublasLtMatrixLayout_t lb, const void *beta, const void *C,
                                          cublasLtMatrixLayout_t lc, void *D, cublasLtMatrixLayout_t ld,
                                          const cublasLtMatmulAlgo_t *algo, void *ws, size_t wss, cudaStream_t s) {
    (void)h, (void)d, (void)alpha, (void)A, (void)la, (void)B, (void)lb, (void)beta, (void)C, (void)lc, (void)D;
    (void)ld, (void)algo, (void)ws, (void)wss, (void)s;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}
