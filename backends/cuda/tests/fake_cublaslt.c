/* A stand-in libcublasLt for the fake driver (fake_libcuda.c, whose "device" memory is host memory):
 * every entry point the plugin resolves, implementing cuBLASLt's documented column-major semantics
 * on the host, D = epilogue(alpha op(A) op(B) + beta C [+ bias per row of D]), with per-tensor
 * fp8 scales and TF32 input rounding, so the plugin's cublaslt path (descriptors, operand swap,
 * bias and scale binding, workspace, algorithm choice and fallback) runs end to end in the
 * conformance suite without a GPU. Built as libcublasLt.so.13 (FAKE_CUBLASLT_VERSION 130001) and as
 * the CUDA 12 copy (120405) that the old-driver tests find.
 *
 * The heuristic offers three algorithms (ids 0, 1, 2; algorithm i needs i MiB of workspace).
 * $ACCEL_FAKE_CUBLASLT_FAIL lists algorithm ids whose cublasLtMatmul fails with
 * CUBLAS_STATUS_EXECUTION_FAILED, as a kernel the driver cannot launch does;
 * $ACCEL_FAKE_CUBLASLT=nohandle makes cublasLtCreate fail as the real library does on this fake.
 * Setting the bias pointer yields the CPU a few times, so that a plan whose descriptor two threads
 * rebind without a lock really produces wrong results (the thread-safety test relies on it).
 * Attributes the plugin never sets are refused, so a new one cannot slip in unmodelled.
 * Signatures come from cublasLt.h. Test-only; never installed. */
#define _GNU_SOURCE
#include <cublasLt.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/reference.h"

#define FAKE_EXPORT __attribute__((visibility("default")))
#define FAKE_ALGOS 3

typedef struct fake_op {
    cublasComputeType_t compute;
    cudaDataType_t scale_type;
    int32_t trans[2];
    uint32_t epilogue;
    int8_t fast_accum;
    int32_t bias_type;
    int64_t bias_stride;
    const void *bias, *scale[2];
} fake_op;

typedef struct fake_layout {
    cudaDataType type;
    uint64_t rows, cols;
    int64_t ld, stride;
    int32_t batch;
} fake_layout;

typedef struct fake_pref {
    uint64_t max_workspace;
} fake_pref;

static accel_dtype dtype_of(int t) {
    switch (t) {
    case CUDA_R_32F: return ACCEL_DTYPE_F32;
    case CUDA_R_16F: return ACCEL_DTYPE_F16;
    case CUDA_R_16BF: return ACCEL_DTYPE_BF16;
    case CUDA_R_64F: return ACCEL_DTYPE_F64;
    case CUDA_R_8F_E4M3: return ACCEL_DTYPE_F8_E4M3;
    case CUDA_R_8F_E5M2: return ACCEL_DTYPE_F8_E5M2;
    default: return ACCEL_DTYPE_INVALID;
    }
}

static size_t workspace_of(int algo) { return (size_t)algo << 20; }

static int algo_fails(int id) {
    const char *list = getenv("ACCEL_FAKE_CUBLASLT_FAIL");
    for (const char *p = list; p && *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p) break;
        if (v == id) return 1;
        p = *end == ',' ? end + 1 : end;
    }
    return 0;
}

FAKE_EXPORT size_t cublasLtGetVersion(void) { return FAKE_CUBLASLT_VERSION; }

FAKE_EXPORT cublasStatus_t cublasLtCreate(cublasLtHandle_t *h) {
    const char *mode = getenv("ACCEL_FAKE_CUBLASLT");
    if (mode && strcmp(mode, "nohandle") == 0) {
        *h = NULL;
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    *h = (cublasLtHandle_t)malloc(1);
    return *h ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_ALLOC_FAILED;
}
FAKE_EXPORT cublasStatus_t cublasLtDestroy(cublasLtHandle_t h) {
    free(h);
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT const char *cublasLtGetStatusName(cublasStatus_t s) {
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return "CUBLAS_STATUS_INTERNAL_ERROR";
    }
}

FAKE_EXPORT cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *d, cublasComputeType_t c, cudaDataType_t s) {
    fake_op *op = calloc(1, sizeof *op);
    if (!op) return CUBLAS_STATUS_ALLOC_FAILED;
    op->compute = c;
    op->scale_type = s;
    op->bias_type = -1;
    *d = (cublasLtMatmulDesc_t)op;
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t d) {
    free(d);
    return CUBLAS_STATUS_SUCCESS;
}

#define SET(field)                                              \
    do {                                                        \
        if (n != sizeof(field)) return CUBLAS_STATUS_INVALID_VALUE; \
        memcpy(&(field), v, n);                                 \
    } while (0)

FAKE_EXPORT cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a,
                                                          const void *v, size_t n) {
    fake_op *op = (fake_op *)d;
    switch (a) {
    case CUBLASLT_MATMUL_DESC_TRANSA: SET(op->trans[0]); break;
    case CUBLASLT_MATMUL_DESC_TRANSB: SET(op->trans[1]); break;
    case CUBLASLT_MATMUL_DESC_EPILOGUE: SET(op->epilogue); break;
    case CUBLASLT_MATMUL_DESC_FAST_ACCUM: SET(op->fast_accum); break;
    case CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE: SET(op->bias_type); break;
    case CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE: SET(op->bias_stride); break;
    case CUBLASLT_MATMUL_DESC_A_SCALE_POINTER: SET(op->scale[0]); break;
    case CUBLASLT_MATMUL_DESC_B_SCALE_POINTER: SET(op->scale[1]); break;
    case CUBLASLT_MATMUL_DESC_BIAS_POINTER:
        SET(op->bias);
        for (int i = 0; i < 8; ++i) sched_yield(); /* widen the window an unlocked rebind races in */
        break;
    default: return CUBLAS_STATUS_INVALID_VALUE;
    }
    return CUBLAS_STATUS_SUCCESS;
}

FAKE_EXPORT cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *l, cudaDataType t, uint64_t r,
                                                      uint64_t c, int64_t ld) {
    if (dtype_of(t) == ACCEL_DTYPE_INVALID || ld < (int64_t)r) return CUBLAS_STATUS_INVALID_VALUE;
    fake_layout *L = calloc(1, sizeof *L);
    if (!L) return CUBLAS_STATUS_ALLOC_FAILED;
    *L = (fake_layout){t, r, c, ld, 0, 1};
    *l = (cublasLtMatrixLayout_t)L;
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t l) {
    free(l);
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT cublasStatus_t cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t l, cublasLtMatrixLayoutAttribute_t a,
                                                            const void *v, size_t n) {
    fake_layout *L = (fake_layout *)l;
    switch (a) {
    case CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT: SET(L->batch); break;
    case CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET: SET(L->stride); break;
    default: return CUBLAS_STATUS_INVALID_VALUE;
    }
    return CUBLAS_STATUS_SUCCESS;
}

FAKE_EXPORT cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *p) {
    fake_pref *P = calloc(1, sizeof *P);
    if (!P) return CUBLAS_STATUS_ALLOC_FAILED;
    *p = (cublasLtMatmulPreference_t)P;
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t p) {
    free(p);
    return CUBLAS_STATUS_SUCCESS;
}
FAKE_EXPORT cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t p,
                                                                cublasLtMatmulPreferenceAttributes_t a, const void *v,
                                                                size_t n) {
    fake_pref *P = (fake_pref *)p;
    if (a == CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES) SET(P->max_workspace);
    return CUBLAS_STATUS_SUCCESS; /* alignment preferences: every host address here qualifies */
}

FAKE_EXPORT cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t h, cublasLtMatmulDesc_t d,
                                                          cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                                                          cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t o,
                                                          cublasLtMatmulPreference_t p, int n,
                                                          cublasLtMatmulHeuristicResult_t *r, int *got) {
    (void)d, (void)a, (void)b, (void)c, (void)o;
    if (!h || n < 1) return CUBLAS_STATUS_INVALID_VALUE;
    const fake_pref *P = (const fake_pref *)p;
    *got = 0;
    for (int i = 0; i < FAKE_ALGOS && *got < n; ++i) {
        if (workspace_of(i) > P->max_workspace) continue;
        cublasLtMatmulHeuristicResult_t *x = &r[(*got)++];
        memset(x, 0, sizeof *x);
        x->algo.data[0] = (uint64_t)i;
        x->workspaceSize = workspace_of(i);
        x->state = CUBLAS_STATUS_SUCCESS;
        x->wavesCount = 1.0f;
    }
    return *got ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_SUPPORTED;
}

FAKE_EXPORT cublasStatus_t cublasLtMatmulAlgoConfigGetAttribute(const cublasLtMatmulAlgo_t *algo,
                                                                cublasLtMatmulAlgoConfigAttributes_t a, void *v,
                                                                size_t n, size_t *w) {
    int32_t value = a == CUBLASLT_ALGO_CONFIG_ID ? (int32_t)algo->data[0] : a == CUBLASLT_ALGO_CONFIG_SPLITK_NUM ? 1 : 0;
    if (n < sizeof value) return CUBLAS_STATUS_INVALID_VALUE;
    memcpy(v, &value, sizeof value);
    if (w) *w = sizeof value;
    return CUBLAS_STATUS_SUCCESS;
}

static double scalar(cudaDataType_t t, const void *p) {
    if (t == CUDA_R_64F) return *(const double *)p;
    if (t == CUDA_R_16F) return accel_ref_f16_to_f32(*(const uint16_t *)p);
    return *(const float *)p;
}

/* op(X) of batch z of a column-major operand as a dense row-major rows x cols double matrix (what
 * the compute type sees: TF32 rounds the inputs), so the product below runs over contiguous
 * memory; the fake runs whole workloads, not just unit-sized checks. */
static void materialize(const fake_layout *L, const void *x, int trans, int tf32, int64_t z, int64_t rows, int64_t cols,
                        double *out) {
    const accel_dtype t = dtype_of(L->type);
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t l = 0; l < cols; ++l) {
            const int64_t r = trans ? l : i, c = trans ? i : l;
            const double v = accel_ref_load(t, x, z * L->stride + r + c * L->ld);
            out[i * cols + l] = tf32 ? accel_ref_round_tf32((float)v) : v;
        }
}

FAKE_EXPORT cublasStatus_t cublasLtMatmul(cublasLtHandle_t h, cublasLtMatmulDesc_t d, const void *alpha,
                                          const void *A, cublasLtMatrixLayout_t la, const void *B,
                                          cublasLtMatrixLayout_t lb, const void *beta, const void *C,
                                          cublasLtMatrixLayout_t lc, void *D, cublasLtMatrixLayout_t ld,
                                          const cublasLtMatmulAlgo_t *algo, void *ws, size_t wss, cudaStream_t s) {
    (void)s;
    const fake_op *op = (const fake_op *)d;
    const fake_layout *LA = (const fake_layout *)la, *LB = (const fake_layout *)lb, *LC = (const fake_layout *)lc;
    const fake_layout *LD = (const fake_layout *)ld;
    if (!h || !op || !algo || !A || !B || !D) return CUBLAS_STATUS_INVALID_VALUE;
    const int id = (int)algo->data[0];
    if (id < 0 || id >= FAKE_ALGOS || wss < workspace_of(id) || (workspace_of(id) && !ws))
        return CUBLAS_STATUS_INVALID_VALUE;
    if (algo_fails(id)) return CUBLAS_STATUS_EXECUTION_FAILED;
    const int ta = op->trans[0] == CUBLAS_OP_T, tb = op->trans[1] == CUBLAS_OP_T;
    const int64_t M = (int64_t)LD->rows, N = (int64_t)LD->cols, K = ta ? (int64_t)LA->rows : (int64_t)LA->cols;
    if ((ta ? (int64_t)LA->cols : (int64_t)LA->rows) != M || (tb ? (int64_t)LB->cols : (int64_t)LB->rows) != K ||
        (tb ? (int64_t)LB->rows : (int64_t)LB->cols) != N || LC->rows != LD->rows || LC->cols != LD->cols)
        return CUBLAS_STATUS_INVALID_VALUE;
    const int tf32 = op->compute == CUBLAS_COMPUTE_32F_FAST_TF32;
    const double al = scalar(op->scale_type, alpha), be = scalar(op->scale_type, beta);
    const double sa = op->scale[0] ? *(const float *)op->scale[0] : 1.0, sb = op->scale[1] ? *(const float *)op->scale[1] : 1.0;
    const uint32_t epi = op->epilogue, act = epi & ~(uint32_t)CUBLASLT_EPILOGUE_BIAS;
    const accel_dtype bias_t = dtype_of(op->bias_type >= 0 ? op->bias_type : (int)LD->type);
    if ((epi & CUBLASLT_EPILOGUE_BIAS) && !op->bias) return CUBLAS_STATUS_INVALID_VALUE;
    const int32_t batch = LD->batch;
    double *a = malloc(sizeof(double) * (size_t)(M * K)), *b = malloc(sizeof(double) * (size_t)(K * N));
    double *acc = malloc(sizeof(double) * (size_t)N);
    if (!a || !b || !acc) {
        free(a), free(b), free(acc);
        return CUBLAS_STATUS_ALLOC_FAILED;
    }
    for (int32_t z = 0; z < batch; ++z) {
        materialize(LA, A, ta, tf32, LA->batch > 1 ? z : 0, M, K, a);
        materialize(LB, B, tb, tf32, LB->batch > 1 ? z : 0, K, N, b);
        for (int64_t i = 0; i < M; ++i) {
            for (int64_t j = 0; j < N; ++j) acc[j] = 0;
            for (int64_t l = 0; l < K; ++l) {
                const double ail = a[i * K + l];
                const double *brow = b + l * N;
                for (int64_t j = 0; j < N; ++j) acc[j] += ail * brow[j];
            }
            for (int64_t j = 0; j < N; ++j) {
                double v = al * sa * sb * acc[j];
                if (be != 0.0)
                    v += be * accel_ref_load(dtype_of(LC->type), C, (LC->batch > 1 ? z : 0) * LC->stride + i + j * LC->ld);
                if (epi & CUBLASLT_EPILOGUE_BIAS) v += accel_ref_load(bias_t, op->bias, z * op->bias_stride + i);
                if (act == CUBLASLT_EPILOGUE_RELU) v = v > 0 ? v : 0;
                else if (act == CUBLASLT_EPILOGUE_GELU) v = accel_ref_gelu_tanh(v);
                accel_ref_store(dtype_of(LD->type), D, z * LD->stride + i + j * LD->ld, v);
            }
        }
    }
    free(a), free(b), free(acc);
    return CUBLAS_STATUS_SUCCESS;
}
