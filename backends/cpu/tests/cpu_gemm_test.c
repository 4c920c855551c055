/* GEMM on every CPU library path against the fp64 reference: odd sizes, both transposes, padded
 * leading dims, batch strides, alpha/beta, C aliasing D, bias and every activation, f32/bf16/f16
 * storage, and the combinations each path must refuse. */
#include <math.h>
#include <string.h>

#include "cpu_test_util.h"

enum { EXPECT_OK, EXPECT_UNIMPLEMENTED, EXPECT_OK_OR_UNIMPLEMENTED };

typedef struct gemm_case {
    const char *lib;
    accel_dtype a, b, c, d, bias;
    accel_compute_type compute;
    int ta, tb;
    int64_t m, n, k, batch;
    double alpha, beta;
    uint32_t epilogue;
    int c_is_d;
    int expect;
    int bias_per_batch;
    float a_scale, b_scale; /* fp8 dequantisation scales; 0 = operand absent */
    int b_constant;         /* the ABI 1.4 hint */
} gemm_case;

static const double SENTINEL = 512.0; /* exact in every type; ld padding must keep it */

/* dense_ad: A, C and D without padding between rows or batches (oneDNN picks its brgemm only
 * then). */
static void run_case(test_env *env, const gemm_case *gc, int dense_ad) {
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_GEMM;
    snprintf(desc.library, sizeof desc.library, "%s", gc->lib);
    accel_gemm_desc *g = &desc.u.gemm;
    g->a_type = gc->a;
    g->b_type = gc->b;
    g->c_type = gc->c_is_d ? gc->d : gc->c;
    g->d_type = gc->d;
    g->bias_type = gc->bias;
    g->compute = gc->compute;
    g->trans_a = gc->ta;
    g->trans_b = gc->tb;
    g->m = gc->m;
    g->n = gc->n;
    g->k = gc->k;
    g->batch = gc->batch;
    g->alpha = gc->alpha;
    g->beta = gc->beta;
    g->epilogue = gc->epilogue;
    g->b_constant = gc->b_constant;
    const int64_t a_rows = gc->ta ? gc->k : gc->m, a_cols = gc->ta ? gc->m : gc->k;
    const int64_t b_rows = gc->tb ? gc->n : gc->k, b_cols = gc->tb ? gc->k : gc->n;
    const int64_t pad = dense_ad ? 0 : 1;
    g->lda = a_cols + 3 * pad;
    g->ldb = b_cols + 1;
    g->ldc = gc->n + 2 * pad;
    g->ldd = gc->c_is_d ? g->ldc : gc->n + 5 * pad;
    g->stride_a = a_rows * g->lda + 7 * pad;
    g->stride_b = b_rows * g->ldb + 2;
    g->stride_c = gc->m * g->ldc + 4 * pad;
    g->stride_d = gc->c_is_d ? g->stride_c : gc->m * g->ldd + 3 * pad;
    g->stride_bias = gc->bias_per_batch ? gc->n + 3 : 0;
    const accel_dtype bias_t = gc->bias == ACCEL_DTYPE_INVALID ? gc->d : gc->bias;
    const int64_t na = g->stride_a * gc->batch, nb = g->stride_b * gc->batch;
    const int64_t nc = g->stride_c * gc->batch, nd = g->stride_d * gc->batch;
    const size_t ea = accel_dtype_size(gc->a), eb = accel_dtype_size(gc->b);
    const size_t ec = accel_dtype_size(g->c_type), ed = accel_dtype_size(gc->d);
    void *A = malloc(na * ea), *B = malloc(nb * eb), *C = malloc(nc * ec), *D = malloc(nd * ed);
    const int64_t nbias = gc->bias_per_batch ? g->stride_bias * gc->batch : gc->n;
    void *bias = malloc(nbias * 8);
    accel_ref_fill_random(gc->a, A, na, 11, -1, 1);
    accel_ref_fill_random(gc->b, B, nb, 12, -1, 1);
    accel_ref_fill_random(g->c_type, C, nc, 13, -1, 1);
    accel_ref_fill_random(bias_t, bias, nbias, 14, -1, 1);
    for (int64_t i = 0; i < nd; i++) accel_ref_store(gc->d, D, i, SENTINEL);
    if (gc->c_is_d) memcpy(D, C, nd * ed);

    accel_buffer *bufs[7] = {NULL};
    bufs[0] = test_upload(env, A, na * ea);
    bufs[1] = test_upload(env, B, nb * eb);
    bufs[3] = test_upload(env, D, nd * ed);
    bufs[2] = gc->c_is_d ? bufs[3] : test_upload(env, C, nc * ec);
    bufs[4] = test_upload(env, bias, nbias * accel_dtype_size(bias_t));
    if (gc->a_scale) bufs[5] = test_upload(env, &gc->a_scale, sizeof gc->a_scale);
    if (gc->b_scale) bufs[6] = test_upload(env, &gc->b_scale, sizeof gc->b_scale);
    const int scaled = gc->a_scale || gc->b_scale;
    char algo[300] = "";
    /* dense cases run three times: the onednn path packs B at the second run and re-uses it (at the
     * first with b_constant) */
    accel_status st = test_run_op_times(env, &desc, bufs, scaled ? 7 : 5, dense_ad || gc->b_constant ? 3 : 1, algo,
                                        sizeof algo);
    /* the reference sees the scales folded into alpha (powers of two here: exact) */
    accel_gemm_desc ref_desc = *g;
    ref_desc.alpha *= (gc->a_scale ? gc->a_scale : 1.0) * (gc->b_scale ? gc->b_scale : 1.0);
    char label[200];
    snprintf(label, sizeof label, "[%s %s%s%s->%s ta%d tb%d %lldx%lldx%lld b%lld ep0x%x%s%s]", gc->lib,
             accel_dtype_name(gc->a), accel_dtype_name(gc->b), accel_dtype_name(g->c_type),
             accel_dtype_name(gc->d), gc->ta, gc->tb, (long long)gc->m, (long long)gc->n,
             (long long)gc->k, (long long)gc->batch, gc->epilogue, gc->c_is_d ? " C=D" : "",
             gc->b_constant ? " const-B" : "");
    if (gc->expect == EXPECT_UNIMPLEMENTED) {
        CHECK(st == ACCEL_ERR_UNIMPLEMENTED, "%s: expected UNIMPLEMENTED, got %s", label,
              accel_status_str(st));
        CHECK(strlen(accel_last_error()) > 0, "%s: UNIMPLEMENTED without a reason", label);
    } else if (st == ACCEL_ERR_UNIMPLEMENTED && gc->expect == EXPECT_OK_OR_UNIMPLEMENTED) {
        printf("  %s unimplemented: %s\n", label, accel_last_error());
    } else {
        CHECK(st == ACCEL_OK, "%s: plan failed: %s: %s", label, accel_status_str(st),
              accel_last_error());
    }
    if (st == ACCEL_OK && gc->expect != EXPECT_UNIMPLEMENTED) {
        void *got = malloc(nd * ed);
        test_download(env, bufs[3], got, nd * ed);
        const double u_acc = ldexp(1.0, -24);
        const double u_out = accel_ref_unit_roundoff_dtype(gc->d);
        int bad = 0;
        double worst = 0;
        for (int64_t b = 0; b < gc->batch; b++)
            for (int64_t i = 0; i < gc->m; i++)
                for (int64_t j = 0; j < g->ldd; j++) {
                    const int64_t idx = b * g->stride_d + i * g->ldd + j;
                    const double v = accel_ref_load(gc->d, got, idx);
                    if (j >= gc->n) { /* padding of D must be untouched */
                        if (!gc->c_is_d && v != SENTINEL && bad++ < 3)
                            fprintf(stderr, "%s: D padding (%lld,%lld,%lld) overwritten: %g\n",
                                    label, (long long)b, (long long)i, (long long)j, v);
                        continue;
                    }
                    double ref, abs_sum;
                    accel_ref_gemm_element(&ref_desc, A, B, C, bias, b, i, j, &ref, &abs_sum);
                    const double tol = 8.0 * (double)gc->k * u_acc * fabs(ref_desc.alpha) * abs_sum +
                                       2.0 * u_out * (fabs(ref) + fabs(gc->beta) + 1.0) + 1e-30;
                    const double err = fabs(v - ref);
                    if (err / tol > worst) worst = err / tol;
                    if (!(err <= tol) && bad++ < 3)
                        fprintf(stderr, "%s: D(%lld,%lld,%lld) = %.8g, reference %.8g (tol %.3g)\n",
                                label, (long long)b, (long long)i, (long long)j, v, ref, tol);
                }
        CHECK(bad == 0, "%s: %d wrong elements (%s)", label, bad, algo);
        if (!bad) printf("  ok %s err/tol %.3f  %s\n", label, worst, algo);
        free(got);
    }
    for (int i = 0; i < 7; i++)
        if (!(i == 2 && gc->c_is_d)) accel_buffer_free(bufs[i]);
    free(A);
    free(B);
    free(C);
    free(D);
    free(bias);
}

#define F32 ACCEL_DTYPE_F32
#define BF16 ACCEL_DTYPE_BF16
#define F16 ACCEL_DTYPE_F16
#define INV ACCEL_DTYPE_INVALID
#define E4M3 ACCEL_DTYPE_F8_E4M3
#define E5M2 ACCEL_DTYPE_F8_E5M2
#define DEF ACCEL_COMPUTE_DEFAULT
#define BIAS ACCEL_EPILOGUE_BIAS
#define RELU ACCEL_EPILOGUE_RELU
#define GELU ACCEL_EPILOGUE_GELU_ERF
#define GTANH ACCEL_EPILOGUE_GELU_TANH

/* An n x n x n f32 GEMM through library `lib`. */
static accel_op_desc small_f32_gemm(const char *lib, int64_t n) {
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_GEMM;
    snprintf(desc.library, sizeof desc.library, "%s", lib);
    desc.u.gemm = (accel_gemm_desc){.a_type = F32, .b_type = F32, .c_type = F32, .d_type = F32,
                                    .m = n, .n = n, .k = n, .batch = 1, .alpha = 1.0};
    return desc;
}

static void run_library(test_env *env, const char *lib) {
    const int blas = strcmp(lib, "openblas") == 0;
    const int onednn = strcmp(lib, "onednn") == 0 || (lib[0] == 0 && test_env_has_library(env, "onednn"));
    const int ep_ok = blas ? EXPECT_UNIMPLEMENTED : EXPECT_OK;
    const int lowp_ok = blas ? EXPECT_UNIMPLEMENTED : EXPECT_OK;
    const int fp8_ok = strcmp(lib, "accel") == 0 || lib[0] == 0 ? EXPECT_OK : EXPECT_UNIMPLEMENTED;
    const gemm_case cases[] = {
        /* fp32, all transposes, alpha/beta, batch 3 */
        {lib, F32, F32, F32, F32, INV, DEF, 0, 0, 37, 53, 71, 3, 0.5, 0.25, 0, 0, EXPECT_OK, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 1, 0, 37, 53, 71, 3, 0.5, 0.25, 0, 0, EXPECT_OK, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 0, 1, 37, 53, 71, 3, 0.5, 0.25, 0, 0, EXPECT_OK, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 1, 1, 37, 53, 71, 3, 0.5, 0.25, 0, 0, EXPECT_OK, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 0, 0, 37, 53, 71, 1, 1.0, 0.0, 0, 0, EXPECT_OK, 0, 0, 0, 0},
        /* sizes crossing the engine's block edges (MC 96, KC 256, NC 384) */
        {lib, F32, F32, F32, F32, INV, DEF, 0, 1, 200, 401, 300, 1, 1.0, 0.0, 0, 0, EXPECT_OK, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 0, 0, 1, 7, 5, 2, 2.0, 0.0, 0, 0, EXPECT_OK, 0, 0, 0, 0},
        /* in-place C = D */
        {lib, F32, F32, F32, F32, INV, DEF, 0, 1, 37, 53, 71, 3, 0.5, 0.25, 0, 1, EXPECT_OK, 0, 0, 0, 0},
        /* epilogues */
        {lib, F32, F32, F32, F32, INV, DEF, 0, 0, 37, 53, 71, 3, 1.0, 0.0, BIAS, 0, ep_ok, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 1, 1, 37, 53, 71, 3, 0.5, 0.25, BIAS | RELU, 0, ep_ok, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 0, 1, 37, 53, 71, 2, 1.0, 0.0, BIAS | GELU, 0, ep_ok, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 0, 0, 37, 53, 71, 2, 0.5, 0.0, GTANH, 0, ep_ok, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 0, 0, 37, 53, 71, 2, 1.0, 0.0, RELU, 0, ep_ok, 0, 0, 0, 0},
        /* bf16 storage, fp32 accumulation; D bf16 or f32 */
        {lib, BF16, BF16, BF16, BF16, INV, DEF, 0, 0, 37, 53, 71, 3, 0.5, 0.25, 0, 0, lowp_ok, 0, 0, 0, 0},
        {lib, BF16, BF16, F32, F32, INV, DEF, 1, 1, 37, 53, 71, 3, 0.5, 0.25, 0, 0, lowp_ok, 0, 0, 0, 0},
        {lib, BF16, BF16, F32, BF16, F32, DEF, 0, 1, 37, 53, 71, 2, 1.0, 0.25, BIAS | GELU, 0, lowp_ok, 0, 0, 0, 0},
        {lib, BF16, BF16, BF16, BF16, INV, DEF, 0, 1, 37, 53, 71, 3, 1.0, 0.0, BIAS | RELU, 0, lowp_ok, 0, 0, 0, 0},
        {lib, BF16, BF16, F32, BF16, BF16, DEF, 1, 0, 37, 53, 71, 3, 0.5, 0.25, BIAS | GTANH, 0, lowp_ok, 0, 0, 0, 0},
        {lib, BF16, BF16, F32, F32, INV, DEF, 1, 0, 70, 401, 301, 1, 1.0, 0.0, 0, 0, lowp_ok, 0, 0, 0, 0},
        /* a bias per batch entry (stride_bias != 0) */
        {lib, F32, F32, F32, F32, INV, DEF, 0, 0, 37, 53, 71, 3, 1.0, 0.0, BIAS, 0, ep_ok, 1, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, DEF, 0, 1, 37, 53, 71, 3, 0.5, 0.25, BIAS | RELU, 0, ep_ok, 1, 0, 0, 0},
        /* f16: oneDNN only where the CPU has fp16 arithmetic; ours always */
        {lib, F16, F16, F16, F16, INV, DEF, 0, 1, 37, 53, 71, 2, 0.5, 0.25, BIAS, 0,
         blas ? EXPECT_UNIMPLEMENTED : onednn ? EXPECT_OK_OR_UNIMPLEMENTED : EXPECT_OK, 0, 0, 0, 0},
        /* fp8 inputs with per-tensor scales: our engine widens them while packing; oneDNN 2.6
         * and BLAS have no fp8 */
        {lib, E4M3, E4M3, BF16, BF16, INV, DEF, 0, 1, 37, 53, 71, 2, 1.0, 0.0, BIAS | GELU, 0, fp8_ok, 0,
         0.5f, 0.25f, 0},
        {lib, E4M3, E5M2, F32, F32, INV, ACCEL_COMPUTE_F32, 1, 0, 70, 401, 301, 3, 0.5, 0.25, 0, 0,
         fp8_ok, 0, 0.0f, 4.0f, 0},
        {lib, E5M2, E5M2, F16, F16, INV, DEF, 0, 0, 37, 53, 71, 1, 1.0, 0.0, 0, 0, fp8_ok, 0, 0, 0, 0},
        /* refused everywhere */
        {lib, F32, F32, F32, F32, INV, ACCEL_COMPUTE_TF32, 0, 0, 37, 53, 71, 1, 1, 0, 0, 0,
         EXPECT_UNIMPLEMENTED, 0, 0, 0, 0},
        {lib, F32, F32, F32, F32, INV, ACCEL_COMPUTE_BF16, 0, 0, 37, 53, 71, 1, 1, 0, 0, 0,
         EXPECT_UNIMPLEMENTED, 0, 0, 0, 0},
    };
    /* One weight matrix, dense A and D, sizes oneDNN runs on its brgemm: the onednn path packs B
     * into the blocked layout oneDNN asks for; K and N off the block sizes (zero padding). */
    const gemm_case dense_cases[] = {
        {lib, F32, F32, F32, F32, INV, DEF, 0, 0, 96, 161, 97, 1, 1.0, 0.0, BIAS | GELU, 0, ep_ok, 0, 0, 0, 0},
        {lib, BF16, BF16, BF16, BF16, INV, DEF, 0, 0, 96, 161, 97, 1, 1.0, 0.0, BIAS, 0, lowp_ok, 0, 0, 0, 0},
        {lib, BF16, BF16, F32, F32, INV, DEF, 1, 0, 96, 128, 97, 1, 0.5, 0.25, 0, 0, lowp_ok, 0, 0, 0, 0},
        /* constant B (packed at the first run): bf16 runs widened to f32 on CPUs without AMX (bias
         * widened, D narrowed); with beta it stays bf16 */
        {lib, F32, F32, F32, F32, INV, DEF, 0, 0, 96, 161, 97, 1, 1.0, 0.0, BIAS | GELU, 0, ep_ok, 0, 0, 0, 1},
        {lib, BF16, BF16, BF16, BF16, INV, DEF, 0, 0, 96, 161, 97, 1, 1.0, 0.0, BIAS | GELU, 0, lowp_ok, 0, 0, 0, 1},
        {lib, BF16, BF16, BF16, BF16, INV, ACCEL_COMPUTE_BF16, 0, 0, 96, 161, 97, 1, 0.5, 0.0, BIAS, 0, lowp_ok, 0, 0, 0, 1},
        {lib, BF16, BF16, F32, F32, INV, DEF, 0, 0, 96, 128, 97, 1, 0.5, 0.25, BIAS, 0, lowp_ok, 0, 0, 0, 1},
    };
    /* The same hint with padded A and D (leading dimensions past the row). */
    const gemm_case padded_constant_cases[] = {
        {lib, BF16, BF16, BF16, BF16, INV, DEF, 0, 0, 37, 53, 71, 1, 0.5, 0.0, BIAS | GTANH, 0, lowp_ok, 0, 0, 0, 1},
        {lib, BF16, BF16, F32, F32, F32, DEF, 0, 0, 37, 53, 71, 1, 1.0, 0.0, BIAS, 0, lowp_ok, 0, 0, 0, 1},
    };
    printf("library %s\n", lib);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(env, &cases[i], 0);
    for (size_t i = 0; i < sizeof dense_cases / sizeof dense_cases[0]; i++) run_case(env, &dense_cases[i], 1);
    for (size_t i = 0; i < sizeof padded_constant_cases / sizeof padded_constant_cases[0]; i++)
        run_case(env, &padded_constant_cases[i], 0);

    /* The tf32 refusal names its reason. */
    accel_op_desc desc = small_f32_gemm(lib, 8);
    desc.u.gemm.compute = ACCEL_COMPUTE_TF32;
    accel_op_plan *plan = NULL;
    accel_status st = accel_op_plan_create(env->dev, &desc, &plan);
    if (!blas) {
        CHECK(st == ACCEL_ERR_UNIMPLEMENTED && strstr(accel_last_error(), "tf32"),
              "%s tf32: %s / %s", lib, accel_status_str(st), accel_last_error());
    }
    if (plan) accel_op_plan_destroy(plan);
}

/* The HAL's operand rules at execute: trailing optional operands may be left out, a scale for a
 * non-fp8 input is refused, more operands than the kind has are refused. */
static void check_operand_counts(test_env *env) {
    accel_op_desc desc = small_f32_gemm("accel", 4);
    accel_op_plan *plan = NULL;
    CHECK_OK(accel_op_plan_create(env->dev, &desc, &plan));
    if (!plan) return;
    accel_buffer *buf = test_alloc(env, 4096);
    accel_buffer *ws = accel_op_plan_workspace_size(plan) ? test_alloc(env, accel_op_plan_workspace_size(plan)) : NULL;
    accel_buffer_ref r = {buf, 0}, none = {NULL, 0}, w = {ws, 0};
    accel_buffer_ref ops[8] = {r, r, none, r, none, none, none, none};
    CHECK_OK(accel_op_plan_execute(plan, env->stream, ops, 4, w)); /* C, bias, scales omitted */
    CHECK_OK(accel_op_plan_execute(plan, env->stream, ops, 7, w));
    CHECK(accel_op_plan_execute(plan, env->stream, ops, 3, w) == ACCEL_ERR_INVALID_ARGUMENT,
          "D left out but accepted");
    CHECK(accel_op_plan_execute(plan, env->stream, ops, 8, w) == ACCEL_ERR_INVALID_ARGUMENT,
          "8 GEMM operands accepted");
    ops[5] = r;
    CHECK(accel_op_plan_execute(plan, env->stream, ops, 7, w) == ACCEL_ERR_INVALID_ARGUMENT &&
              strstr(accel_last_error(), "fp8"),
          "a scale for f32 A accepted: %s", accel_last_error());
    CHECK_OK(accel_stream_synchronize(env->stream));
    accel_op_plan_destroy(plan);
    accel_buffer_free(ws);
    accel_buffer_free(buf);
}

/* Max |D - reference| / tolerance over an m x n f32 GEMM D = A B (dense, no epilogue). */
static double f32_gemm_error(const accel_gemm_desc *g, const float *A, const float *B, const float *D) {
    double worst = 0;
    for (int64_t i = 0; i < g->m; i++)
        for (int64_t j = 0; j < g->n; j++) {
            double ref, abs_sum;
            accel_ref_gemm_element(g, A, B, NULL, NULL, 0, i, j, &ref, &abs_sum);
            const double tol = 8.0 * (double)g->k * ldexp(1.0, -24) * abs_sum + 1e-30;
            const double e = fabs(D[i * g->n + j] - ref) / tol;
            if (!(e <= worst)) worst = e;
        }
    return worst;
}

/* The onednn path keeps B packed between runs; a write to B, even one element through the host
 * pointer of the unified-memory buffer (no backend call sees it), must reach the next run. k = 1301
 * makes B large enough (837 KB) to be hashed in parallel row blocks; the write lands in the last. */
static void check_weights_rewritten(test_env *env, int64_t k) {
    accel_op_desc desc = small_f32_gemm("onednn", 0);
    accel_gemm_desc *g = &desc.u.gemm;
    g->m = 96;
    g->k = k;
    g->n = 161;
    const size_t na = (size_t)(g->m * g->k), nb = (size_t)(g->k * g->n), nd = (size_t)(g->m * g->n);
    float *A = malloc(na * 4), *B = malloc(nb * 4), *D = malloc(nd * 4);
    accel_ref_fill_random(F32, A, (int64_t)na, 21, -1, 1);
    accel_ref_fill_random(F32, B, (int64_t)nb, 22, -1, 1);
    accel_op_plan *plan = NULL;
    CHECK_OK(accel_op_plan_create(env->dev, &desc, &plan));
    accel_buffer *a = test_upload(env, A, na * 4), *b = test_upload(env, B, nb * 4);
    accel_buffer *d = test_alloc(env, nd * 4);
    const size_t wsb = plan ? accel_op_plan_workspace_size(plan) : 0;
    accel_buffer *ws = wsb ? test_alloc(env, wsb) : NULL;
    float *host_b = NULL;
    CHECK_OK(accel_buffer_host_ptr(b, (void **)&host_b));
    accel_buffer_ref ops[5] = {{a, 0}, {b, 0}, {NULL, 0}, {d, 0}, {NULL, 0}}, w = {ws, 0};
    const char *algo = plan ? accel_op_plan_algorithm(plan) : "";
    printf("weights rewritten between runs (k %lld): %s\n", (long long)k, algo);
    /* B as uploaded for runs 0-2 (the second packs it, the third re-uses it); one element changed
     * before run 3 (kept for 4, which packs it, and 5); changed back before run 6, so B holds
     * bytes an earlier run saw while the packed copy holds the changed ones. */
    const float delta[8] = {0, 0, 0, 0.5f, 0, 0, -0.5f, 0};
    const size_t at = (size_t)(k - 47) * (size_t)g->n + 45;
    for (int run = 0; plan && host_b && run < 8; run++) {
        if (delta[run] != 0) {
            B[at] += delta[run];
            host_b[at] = B[at];
        }
        CHECK_OK(accel_op_plan_execute(plan, env->stream, ops, 5, w));
        test_download(env, d, D, nd * 4);
        const double err = f32_gemm_error(g, A, B, D);
        CHECK(err <= 1.0, "run %d: D off the reference of the current B by %.3g tolerances (%s)", run, err,
              algo);
    }
    accel_op_plan_destroy(plan);
    accel_buffer_free(ws);
    accel_buffer_free(d);
    accel_buffer_free(b);
    accel_buffer_free(a);
    free(A);
    free(B);
    free(D);
}

typedef struct bound_gemm {
    test_env *env;
    accel_op_plan *plan;
    const accel_gemm_desc *g;
    accel_buffer *a, *d, *ws;
    const float *A;
    float *D;
} bound_gemm;

/* Runs D = A B with B bound at (buf, off); max error of D against the reference of A ref_b. */
static double run_bound(const bound_gemm *t, accel_buffer *buf, size_t off, const float *ref_b) {
    accel_buffer_ref ops[5] = {{t->a, 0}, {buf, off}, {NULL, 0}, {t->d, 0}, {NULL, 0}}, w = {t->ws, 0};
    CHECK_OK(accel_op_plan_execute(t->plan, t->env->stream, ops, 5, w));
    test_download(t->env, t->d, t->D, (size_t)(t->g->m * t->g->n) * 4);
    return f32_gemm_error(t->g, t->A, ref_b, t->D);
}

/* b_constant (ABI 1.4): B is packed at the first run of a binding and never read again while that
 * binding lasts, so a write through the host pointer is (as the hint allows) not seen: the stale
 * result is the proof that no run re-reads or hashes B. Any other binding (another buffer, another
 * offset, a buffer allocated after one was freed) repacks. */
static void check_weights_constant(test_env *env) {
    accel_op_desc desc = small_f32_gemm("onednn", 0);
    accel_gemm_desc *g = &desc.u.gemm;
    g->m = 96;
    g->k = 97;
    g->n = 161;
    g->b_constant = 1;
    const size_t na = (size_t)(g->m * g->k), nb = (size_t)(g->k * g->n), nd = (size_t)(g->m * g->n);
    float *A = malloc(na * 4), *B1 = malloc(nb * 4), *B1w = malloc(nb * 4), *B23 = malloc(2 * nb * 4);
    float *B4 = malloc(nb * 4), *D = malloc(nd * 4);
    accel_ref_fill_random(F32, A, (int64_t)na, 31, -1, 1);
    accel_ref_fill_random(F32, B1, (int64_t)nb, 32, -1, 1);
    accel_ref_fill_random(F32, B23, (int64_t)(2 * nb), 33, -1, 1);
    accel_ref_fill_random(F32, B4, (int64_t)nb, 34, -1, 1);
    memcpy(B1w, B1, nb * 4);
    const size_t at = 50 * (size_t)g->n + 45;
    B1w[at] += 0.5f;
    accel_op_plan *plan = NULL;
    CHECK_OK(accel_op_plan_create(env->dev, &desc, &plan));
    const char *algo = plan ? accel_op_plan_algorithm(plan) : "";
    printf("constant weights: %s\n", algo);
    CHECK(strstr(algo, "constant weights packed per binding"), "the hint is not honoured: %s", algo);
    const size_t wsb = plan ? accel_op_plan_workspace_size(plan) : 0;
    bound_gemm t = {env, plan, g, test_upload(env, A, na * 4), test_alloc(env, nd * 4),
                    wsb ? test_alloc(env, wsb) : NULL, A, D};
    accel_buffer *b1 = test_upload(env, B1, nb * 4), *b23 = test_upload(env, B23, 2 * nb * 4);
    float *host_b1 = NULL;
    CHECK_OK(accel_buffer_host_ptr(b1, (void **)&host_b1));
    if (plan && host_b1) {
        double e = run_bound(&t, b1, 0, B1);
        CHECK(e <= 1.0, "first run: off B's reference by %.3g tolerances", e);
        host_b1[at] = B1w[at]; /* a write the hint promised away */
        e = run_bound(&t, b1, 0, B1);
        CHECK(e <= 1.0, "second run of the same binding: B read again (off the packed B by %.3g tolerances)", e);
        e = run_bound(&t, b23, 0, B23);
        CHECK(e <= 1.0, "another buffer: not repacked (%.3g tolerances)", e);
        e = run_bound(&t, b23, nb * 4, B23 + nb);
        CHECK(e <= 1.0, "another offset in the same buffer: not repacked (%.3g tolerances)", e);
        e = run_bound(&t, b1, 0, B1w);
        CHECK(e <= 1.0, "back to the first buffer: not repacked from its bytes now (%.3g tolerances)", e);
        /* A buffer allocated after one is freed may get its address back; it is still a new binding. */
        accel_buffer_free(b1);
        b1 = test_upload(env, B4, nb * 4);
        e = run_bound(&t, b1, 0, B4);
        CHECK(e <= 1.0, "a new buffer (maybe at a freed one's address): not repacked (%.3g tolerances)", e);
    }
    accel_op_plan_destroy(plan);
    accel_buffer_free(t.ws);
    accel_buffer_free(t.d);
    accel_buffer_free(t.a);
    accel_buffer_free(b1);
    accel_buffer_free(b23);
    free(A);
    free(B1);
    free(B1w);
    free(B23);
    free(B4);
    free(D);
}

/* OpenBLAS runs kernels for this CPU's ISA: never its pre-AVX2 ones on an AVX2 CPU (the plugin
 * says so in the algorithm if it does), and on an Intel AVX-512 CPU, with OPENBLAS_CORETYPE unset
 * when the test started, the SkylakeX kernels the plugin names before loading it. */
static void check_openblas_kernels(test_env *env, int coretype_was_set) {
    accel_op_desc desc = small_f32_gemm("openblas", 8);
    accel_op_plan *plan = NULL;
    CHECK_OK(accel_op_plan_create(env->dev, &desc, &plan));
    const char *algo = plan ? accel_op_plan_algorithm(plan) : "";
    printf("openblas: %s\n", algo);
    if (!coretype_was_set) {
        CHECK(!strstr(algo, "pre-AVX2"), "OpenBLAS on old kernels: %s", algo);
#if defined(__x86_64__) && defined(__GNUC__)
        if (__builtin_cpu_is("intel") && __builtin_cpu_supports("avx512f"))
            CHECK(strstr(algo, "SkylakeX") && strstr(algo, "OPENBLAS_CORETYPE=SkylakeX set by the cpu backend"),
                  "OpenBLAS kernels not named on an AVX-512 Intel CPU: %s", algo);
#endif
    }
    if (plan) accel_op_plan_destroy(plan);
}

int main(void) {
    const int coretype_was_set = getenv("OPENBLAS_CORETYPE") != NULL;
    test_env env;
    test_env_open(&env);
    printf("cpu:0 %s, libraries %s\n", env.info.name, env.info.op_libraries);
    CHECK(test_env_has_library(&env, "accel"), "op_libraries lacks accel: %s", env.info.op_libraries);
    const char *libs[] = {"onednn", "openblas", "accel", ""};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        if (libs[i][0] && !test_env_has_library(&env, libs[i])) {
            printf("library %s not available on this machine: skipped\n", libs[i]);
            continue;
        }
        run_library(&env, libs[i]);
    }
    /* a library the device does not offer is refused, never substituted */
    accel_op_desc desc = small_f32_gemm("cublaslt", 8);
    accel_op_plan *plan = NULL;
    CHECK(accel_op_plan_create(env.dev, &desc, &plan) == ACCEL_ERR_UNIMPLEMENTED,
          "unknown library accepted");
    if (plan) accel_op_plan_destroy(plan);
    check_operand_counts(&env);
    if (test_env_has_library(&env, "openblas")) check_openblas_kernels(&env, coretype_was_set);
    if (test_env_has_library(&env, "onednn")) {
        check_weights_rewritten(&env, 97);
        check_weights_rewritten(&env, 1301);
        check_weights_constant(&env);
    }
    test_env_close(&env);
    return test_finish("cpu_gemm_test");
}
