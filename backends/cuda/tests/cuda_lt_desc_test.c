/* The cuBLASLt half of a GEMM plan, checked without a GPU: accel_cuda_lt_describe() builds real
 * cuBLASLt descriptors (host-only calls into the real libcublasLt), the test reads them back
 * (types, transposes, epilogue, rows/cols/ld, batch) and then evaluates exactly those column-major
 * descriptors the way cuBLASLt defines them, on host doubles, with the operands the plan binds to
 * cuBLASLt's A and B. The result must equal the row-major reference (hal/reference) for every
 * element: this proves the row-major -> column-major operand swap, the transposes, leading
 * dimensions, batch strides, alpha/beta, bias and the fused/unfused activation split.
 * Exit 77 when libcublasLt cannot be loaded. */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/reference.h"
#include "accel_common/dl.h"
#include "cuda_lt_desc.h"

#define LT_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_cuda_cublaslt_table, ret, name, params)
static const accel_dl_symbol lt_syms[] = {ACCEL_CUDA_CUBLASLT_REQUIRED(LT_SYM)};
static const accel_dl_tier lt_tier = ACCEL_DL_TIER(lt_syms);

static cublasStatus_t (*desc_get)(cublasLtMatmulDesc_t, cublasLtMatmulDescAttributes_t, void *, size_t, size_t *);
static cublasStatus_t (*layout_get)(cublasLtMatrixLayout_t, cublasLtMatrixLayoutAttribute_t, void *, size_t, size_t *);
static int failures;

#define EXPECT(cond, ...)                                   \
    do {                                                    \
        if (!(cond)) {                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);     \
            printf(__VA_ARGS__);                            \
            printf("\n");                                   \
            ++failures;                                     \
        }                                                   \
    } while (0)

typedef struct layout_info {
    int32_t type;
    uint64_t rows, cols;
    int64_t ld, stride;
    int32_t batch;
} layout_info;

static layout_info read_layout(cublasLtMatrixLayout_t l) {
    layout_info r = {0, 0, 0, 0, 0, 1};
    size_t w;
    layout_get(l, CUBLASLT_MATRIX_LAYOUT_TYPE, &r.type, sizeof r.type, &w);
    layout_get(l, CUBLASLT_MATRIX_LAYOUT_ROWS, &r.rows, sizeof r.rows, &w);
    layout_get(l, CUBLASLT_MATRIX_LAYOUT_COLS, &r.cols, sizeof r.cols, &w);
    layout_get(l, CUBLASLT_MATRIX_LAYOUT_LD, &r.ld, sizeof r.ld, &w);
    layout_get(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &r.batch, sizeof r.batch, &w);
    layout_get(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &r.stride, sizeof r.stride, &w);
    return r;
}

static int32_t desc_int(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a) {
    int32_t v = -1;
    size_t w;
    desc_get(d, a, &v, sizeof v, &w);
    return v;
}

/* op(X)(i, l) of a column-major cuBLASLt operand. */
static double lt_elem(const float *x, const layout_info *L, int trans, int64_t z, int64_t i, int64_t l) {
    const int64_t r = trans ? l : i, c = trans ? i : l;
    return x[z * L->stride + r + c * L->ld];
}

static void numeric_case(const accel_cuda_cublaslt_table *lt, const char *name, int ta, int tb, int64_t batch,
                         int64_t stride_bias, uint32_t epilogue) {
    accel_gemm_desc g;
    memset(&g, 0, sizeof g);
    g.a_type = g.b_type = g.c_type = g.d_type = ACCEL_DTYPE_F32;
    g.trans_a = ta, g.trans_b = tb;
    g.m = 13, g.n = 9, g.k = 7, g.batch = batch;
    g.lda = (ta ? g.m : g.k) + 2, g.ldb = (tb ? g.k : g.n) + 3, g.ldc = g.n + 1, g.ldd = g.n + 4;
    g.stride_a = (ta ? g.k : g.m) * g.lda + 5, g.stride_b = (tb ? g.n : g.k) * g.ldb + 1;
    g.stride_c = g.m * g.ldc + 2, g.stride_d = g.m * g.ldd + 3, g.stride_bias = stride_bias;
    g.alpha = 0.5, g.beta = 0.25, g.epilogue = epilogue;

    accel_cuda_lt_desc ld;
    char why[256] = "";
    accel_status st = accel_cuda_lt_describe(lt, &g, &ld, why, sizeof why);
    EXPECT(st == ACCEL_OK, "%s: describe: %s", name, why);
    if (st != ACCEL_OK) return;
    const int transa = desc_int(ld.op, CUBLASLT_MATMUL_DESC_TRANSA) == CUBLAS_OP_T;
    const int transb = desc_int(ld.op, CUBLASLT_MATMUL_DESC_TRANSB) == CUBLAS_OP_T;
    const int32_t epi = desc_int(ld.op, CUBLASLT_MATMUL_DESC_EPILOGUE);
    layout_info LA = read_layout(ld.a), LB = read_layout(ld.b), LC = read_layout(ld.c), LD = read_layout(ld.d);
    EXPECT(LA.batch == batch && LB.batch == batch && LC.batch == batch && LD.batch == batch, "%s: batch counts", name);
    if (batch == 1) LA.stride = LB.stride = LC.stride = LD.stride = 0;

    const int64_t na = g.stride_a * batch + 64, nb = g.stride_b * batch + 64, nc = g.stride_c * batch + 64;
    const int64_t nd = g.stride_d * batch + 64, nbias = stride_bias * batch + g.n;
    float *A = malloc(sizeof(float) * (size_t)na), *B = malloc(sizeof(float) * (size_t)nb);
    float *C = malloc(sizeof(float) * (size_t)nc), *D = calloc((size_t)nd, sizeof(float));
    float *bias = malloc(sizeof(float) * (size_t)nbias);
    accel_ref_fill_random(ACCEL_DTYPE_F32, A, na, 1, -1, 1);
    accel_ref_fill_random(ACCEL_DTYPE_F32, B, nb, 2, -1, 1);
    accel_ref_fill_random(ACCEL_DTYPE_F32, C, nc, 3, -1, 1);
    accel_ref_fill_random(ACCEL_DTYPE_F32, bias, nbias, 4, -1, 1);
    const float *ops[2] = {A, B};
    const float *lta = ops[ld.a_operand], *ltb = ops[ld.b_operand];

    /* cuBLASLt semantics: D = epi(alpha op(A) op(B) + beta C [+ bias per row of D]). */
    const int64_t M = (int64_t)LD.rows, N = (int64_t)LD.cols, K = transa ? (int64_t)LA.rows : (int64_t)LA.cols;
    EXPECT((transb ? (int64_t)LB.cols : (int64_t)LB.rows) == K, "%s: inner dimensions disagree", name);
    EXPECT((transa ? (int64_t)LA.cols : (int64_t)LA.rows) == M && (transb ? (int64_t)LB.rows : (int64_t)LB.cols) == N,
           "%s: outer dimensions disagree", name);
    for (int64_t z = 0; z < batch; ++z)
        for (int64_t i = 0; i < M; ++i)
            for (int64_t j = 0; j < N; ++j) {
                double acc = 0;
                for (int64_t l = 0; l < K; ++l) acc += lt_elem(lta, &LA, transa, z, i, l) * lt_elem(ltb, &LB, transb, z, l, j);
                double v = ld.alpha.f * acc + ld.beta.f * C[z * LC.stride + i + j * LC.ld];
                if (epi & CUBLASLT_EPILOGUE_BIAS) v += bias[z * stride_bias + i];
                if ((epi & ~CUBLASLT_EPILOGUE_BIAS) == CUBLASLT_EPILOGUE_RELU) v = v > 0 ? v : 0;
                if ((epi & ~CUBLASLT_EPILOGUE_BIAS) == CUBLASLT_EPILOGUE_GELU) v = accel_ref_gelu_tanh(v);
                if (ld.after_act == 2) v = accel_ref_gelu_erf(v); /* our epilogue kernel */
                D[z * LD.stride + i + j * LD.ld] = (float)v;
            }

    double worst = 0;
    for (int64_t z = 0; z < batch; ++z)
        for (int64_t r = 0; r < g.m; ++r)
            for (int64_t c = 0; c < g.n; ++c) {
                double ref, abs_sum;
                accel_ref_gemm_element(&g, A, B, C, bias, z, r, c, &ref, &abs_sum);
                const double got = D[z * g.stride_d + r * g.ldd + c];
                const double err = fabs(got - ref) / (1e-6 * (abs_sum + fabs(ref) + 1));
                if (err > worst) worst = err;
            }
    printf("%s %-34s transa %d transb %d epilogue %d after_act %d  err/tol %.3g\n", worst <= 1 ? "ok  " : "FAIL", name,
           transa, transb, epi, ld.after_act, worst);
    if (worst > 1) ++failures;
    accel_cuda_lt_desc_release(lt, &ld);
    free(A), free(B), free(C), free(D), free(bias);
}

static void type_case(const accel_cuda_cublaslt_table *lt, const char *name, accel_dtype ab, accel_dtype cd,
                      accel_compute_type ct, accel_status want, int32_t want_compute, int32_t want_scale,
                      int32_t want_type) {
    accel_gemm_desc g;
    memset(&g, 0, sizeof g);
    g.a_type = g.b_type = ab, g.c_type = g.d_type = cd, g.compute = ct;
    g.m = 64, g.n = 32, g.k = 16, g.batch = 1, g.alpha = 0.5, g.beta = 0;
    accel_cuda_lt_desc ld;
    char why[256] = "";
    accel_status st = accel_cuda_lt_describe(lt, &g, &ld, why, sizeof why);
    EXPECT(st == want, "%s: status %d want %d (%s)", name, (int)st, (int)want, why);
    if (st == ACCEL_OK) {
        const int32_t compute = desc_int(ld.op, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE);
        const int32_t scale = desc_int(ld.op, CUBLASLT_MATMUL_DESC_SCALE_TYPE);
        const layout_info LA = read_layout(ld.a);
        EXPECT(compute == want_compute && scale == want_scale && LA.type == want_type,
               "%s: compute %d scale %d type %d", name, compute, scale, LA.type);
        if (want_scale == CUDA_R_16F) EXPECT(ld.alpha.h == 0x3800, "%s: alpha as half 0x%04x", name, ld.alpha.h);
        accel_cuda_lt_desc_release(lt, &ld);
    }
    printf("%s %-34s %s\n", st == want ? "ok  " : "FAIL", name, st == ACCEL_OK ? "" : why);
}

static uintptr_t desc_ptr(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a) {
    void *v = (void *)1;
    size_t w;
    desc_get(d, a, &v, sizeof v, &w);
    return (uintptr_t)v;
}

/* fp8: the types land on the swapped operands, the scales follow them (our A's scale is
 * cuBLASLt's B scale), and each cuBLASLt fp8 rule is refused with its reason. */
static void fp8_cases(const accel_cuda_cublaslt_table *lt) {
    accel_gemm_desc g;
    memset(&g, 0, sizeof g);
    g.a_type = ACCEL_DTYPE_F8_E4M3, g.b_type = ACCEL_DTYPE_F8_E5M2;
    g.c_type = g.d_type = ACCEL_DTYPE_BF16;
    g.trans_a = 0, g.trans_b = 1;
    g.m = 64, g.n = 48, g.k = 32, g.batch = 2, g.alpha = 1.0;
    g.epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF;
    accel_cuda_lt_desc ld;
    char why[256] = "";
    accel_status st = accel_cuda_lt_describe(lt, &g, &ld, why, sizeof why);
    EXPECT(st == ACCEL_OK, "fp8 describe: %s", why);
    if (st == ACCEL_OK) {
        const layout_info LA = read_layout(ld.a), LB = read_layout(ld.b), LD = read_layout(ld.d);
        EXPECT(ld.fp8 && ld.a_operand == 1 && ld.b_operand == 0, "fp8: operand roles");
        EXPECT(LA.type == CUDA_R_8F_E5M2 && LB.type == CUDA_R_8F_E4M3 && LD.type == CUDA_R_16BF,
               "fp8: layout types %d %d %d", LA.type, LB.type, LD.type);
        EXPECT(LA.rows == 32 && LA.cols == 48 && LA.ld == 32 && LB.rows == 32 && LB.cols == 64,
               "fp8: layout shapes %llu x %llu ld %lld, %llu x %llu", (unsigned long long)LA.rows,
               (unsigned long long)LA.cols, (long long)LA.ld, (unsigned long long)LB.rows, (unsigned long long)LB.cols);
        EXPECT(desc_int(ld.op, CUBLASLT_MATMUL_DESC_TRANSA) == CUBLAS_OP_T &&
                   desc_int(ld.op, CUBLASLT_MATMUL_DESC_TRANSB) == CUBLAS_OP_N,
               "fp8: cuBLASLt must see TN");
        EXPECT(desc_int(ld.op, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE) == CUBLAS_COMPUTE_32F &&
                   desc_int(ld.op, CUBLASLT_MATMUL_DESC_SCALE_TYPE) == CUDA_R_32F,
               "fp8: compute/scale type");
        int8_t fast = -1;
        size_t w;
        desc_get(ld.op, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast, &w);
        EXPECT(fast == 0, "fp8: fast accumulation must stay off (%d)", fast);
        EXPECT(ld.fused_bias && ld.after_act == 2, "fp8: bias fused, erf-GELU after");
        EXPECT(accel_cuda_lt_bind(lt, &ld, 0x1000, 0x2000, 0x3000) == CUBLAS_STATUS_SUCCESS, "fp8: bind");
        EXPECT(desc_ptr(ld.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER) == 0x1000, "fp8: bias pointer");
        EXPECT(desc_ptr(ld.op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER) == 0x2000 &&
                   desc_ptr(ld.op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER) == 0x3000,
               "fp8: our a_scale must be cuBLASLt's B scale (got A %#lx, B %#lx)",
               (unsigned long)desc_ptr(ld.op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER),
               (unsigned long)desc_ptr(ld.op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER));
        EXPECT(accel_cuda_lt_bind(lt, &ld, 0x1000, 0, 0x3000) == CUBLAS_STATUS_SUCCESS, "fp8: rebind");
        EXPECT(desc_ptr(ld.op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER) == 0, "fp8: an absent scale must clear the old one");
        accel_cuda_lt_desc_release(lt, &ld);
    }
    printf("%s fp8 e4m3 x e5m2 -> bf16 mapping and scale binding\n", failures ? "FAIL" : "ok  ");

    struct { const char *name, *needle; } refusals[] = {
        {"fp8 NN layout", "TN"},
        {"fp8 e5m2 x e5m2", "e5m2"},
        {"fp8 f32 out with f32 bias", "bf16 bias"},
        {"fp8 packed k = 40 (lda 40)", "multiples of 16"},
    };
    for (int i = 0; i < 4; i++) {
        accel_gemm_desc r = g;
        r.epilogue = 0;
        if (i == 0) r.trans_b = 0;
        if (i == 1) r.a_type = ACCEL_DTYPE_F8_E5M2;
        if (i == 2) r.c_type = r.d_type = r.bias_type = ACCEL_DTYPE_F32, r.epilogue = ACCEL_EPILOGUE_BIAS;
        if (i == 3) r.k = 40;
        why[0] = 0;
        st = accel_cuda_lt_describe(lt, &r, &ld, why, sizeof why);
        const int ok = st == ACCEL_ERR_UNIMPLEMENTED && strstr(why, refusals[i].needle);
        EXPECT(ok, "%s: status %d, reason '%s'", refusals[i].name, (int)st, why);
        if (st == ACCEL_OK) accel_cuda_lt_desc_release(lt, &ld);
        printf("%s %-34s %s\n", ok ? "ok  " : "FAIL", refusals[i].name, why);
    }
    /* f32 output with the bf16 bias cuBLASLt wants is fine */
    accel_gemm_desc f = g;
    f.c_type = f.d_type = ACCEL_DTYPE_F32, f.bias_type = ACCEL_DTYPE_BF16, f.epilogue = ACCEL_EPILOGUE_BIAS;
    st = accel_cuda_lt_describe(lt, &f, &ld, why, sizeof why);
    EXPECT(st == ACCEL_OK, "fp8 f32 out, bf16 bias: %s", why);
    if (st == ACCEL_OK) {
        EXPECT(desc_int(ld.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE) == CUDA_R_16BF, "fp8: bias data type");
        accel_cuda_lt_desc_release(lt, &ld);
    }
}

int main(void) {
    const char *const names[] = {"libcublasLt.so.13", "libcublasLt.so.12", NULL};
    char err[256];
    const char *opened = NULL;
    void *lib = accel_dl_open(NULL, names, 0, &opened, err, sizeof err);
    if (!lib) {
        printf("SKIP: %s\n", err);
        return 77;
    }
    accel_cuda_cublaslt_table lt;
    char missing[96];
    if (accel_dl_resolve(lib, &lt_tier, &lt, missing, sizeof missing)) {
        printf("FAIL: %s lacks %s\n", opened, missing);
        return 1;
    }
    void *p = dlsym(lib, "cublasLtMatmulDescGetAttribute"), *q = dlsym(lib, "cublasLtMatrixLayoutGetAttribute");
    memcpy(&desc_get, &p, sizeof p);
    memcpy(&layout_get, &q, sizeof q);
    if (!desc_get || !layout_get) return 1;
    printf("%s (cuBLASLt %zu)\n", opened, lt.cublasLtGetVersion());

    numeric_case(&lt, "NN", 0, 0, 1, 0, ACCEL_EPILOGUE_NONE);
    numeric_case(&lt, "TN batch 3 bias+relu", 1, 0, 3, 9, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU);
    numeric_case(&lt, "NT batch 2 shared bias+gelu_tanh", 0, 1, 2, 0, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_TANH);
    numeric_case(&lt, "TT batch 2 bias+gelu_erf", 1, 1, 2, 11, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF);
    numeric_case(&lt, "NN gelu_erf without bias", 0, 0, 1, 0, ACCEL_EPILOGUE_GELU_ERF);
    numeric_case(&lt, "TN relu without bias", 1, 0, 1, 0, ACCEL_EPILOGUE_RELU);

    type_case(&lt, "f32", ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_COMPUTE_DEFAULT, ACCEL_OK, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_32F);
    type_case(&lt, "tf32", ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_COMPUTE_TF32, ACCEL_OK, CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F, CUDA_R_32F);
    type_case(&lt, "bf16 (fp32 accumulate)", ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16, ACCEL_COMPUTE_BF16, ACCEL_OK, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_16BF);
    type_case(&lt, "f16 -> f32 out", ACCEL_DTYPE_F16, ACCEL_DTYPE_F32, ACCEL_COMPUTE_DEFAULT, ACCEL_OK, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_16F);
    type_case(&lt, "f16 acc16", ACCEL_DTYPE_F16, ACCEL_DTYPE_F16, ACCEL_COMPUTE_F16_ACC16, ACCEL_OK, CUBLAS_COMPUTE_16F, CUDA_R_16F, CUDA_R_16F);
    type_case(&lt, "f64", ACCEL_DTYPE_F64, ACCEL_DTYPE_F64, ACCEL_COMPUTE_DEFAULT, ACCEL_OK, CUBLAS_COMPUTE_64F, CUDA_R_64F, CUDA_R_64F);
    type_case(&lt, "f16 acc16 with f32 out refused", ACCEL_DTYPE_F16, ACCEL_DTYPE_F32, ACCEL_COMPUTE_F16_ACC16, ACCEL_ERR_UNIMPLEMENTED, 0, 0, 0);
    type_case(&lt, "tf32 on bf16 refused", ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16, ACCEL_COMPUTE_TF32, ACCEL_ERR_UNIMPLEMENTED, 0, 0, 0);
    fp8_cases(&lt);
    printf("%s\n", failures ? "FAILED" : "all cuBLASLt descriptors map the row-major GEMM correctly");
    return failures ? 1 : 0;
}
