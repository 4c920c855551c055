/* Every op and storage type of the OpenCL backend against the fp64 reference, on every OpenCL
 * device found, at awkward sizes: transposes, leading dimensions, strided batches, alpha/beta,
 * epilogues, masks, residuals. Usage: opencl_ops_test <plugin path> [gemm|conv|other], the part
 * to run (all of them without one): ctest runs the parts side by side, most of each being the
 * driver's first compile of its kernels. Exit 77 when no device. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXOP ACCEL_OP_MAX_OPERANDS

typedef struct op_run {
    ocl_tensor t[MAXOP];
    int n;
    char algorithm[200];
} op_run;

static void op_run_free(op_run *r) {
    for (int i = 0; i < MAXOP; i++)
        ocl_tensor_free(&r->t[i]);
}

/* Creates operands (inputs random, output zero, absent ones where absent[i]), plans, runs once,
 * downloads the output. Returns the plan status (UNIMPLEMENTED passes through). */
static accel_status run_op(ocl_test *t, const accel_op_desc *d, const accel_dtype *types, int out,
                           const int *absent, op_run *r) {
    memset(r, 0, sizeof(*r));
    r->n = accel_op_operand_count(d->kind);
    accel_op_plan *plan = NULL;
    accel_status st = accel_op_plan_create(t->dev, d, &plan);
    if (st != ACCEL_OK)
        return st;
    snprintf(r->algorithm, sizeof(r->algorithm), "%s", accel_op_plan_algorithm(plan));
    accel_buffer_ref refs[MAXOP];
    memset(refs, 0, sizeof(refs));
    for (int i = 0; i < r->n && st == ACCEL_OK; i++) {
        size_t bytes = 0;
        st = accel_op_operand_bytes(d, i, &bytes);
        if (st != ACCEL_OK || bytes == 0 || (absent && absent[i]))
            continue;
        int64_t count = (int64_t)(bytes / accel_dtype_size(types[i]));
        int rc = i == out ? ocl_tensor_zero(t, &r->t[i], types[i], count)
                          : ocl_tensor_random(t, &r->t[i], types[i], count, 1000 + 17 * (uint64_t)i,
                                              -1.0, 1.0);
        if (rc != 0)
            st = ACCEL_ERR_DEVICE;
        refs[i] = ocl_tensor_ref(&r->t[i]);
    }
    accel_buffer *ws = NULL;
    size_t ws_bytes = accel_op_plan_workspace_size(plan);
    if (st == ACCEL_OK && ws_bytes)
        st = accel_buffer_alloc(t->dev, ws_bytes, ACCEL_MEMORY_DEVICE, &ws);
    if (st == ACCEL_OK)
        st = accel_op_plan_execute(plan, t->stream, refs, (size_t)r->n, (accel_buffer_ref){ws, 0});
    if (st == ACCEL_OK && ocl_tensor_download(t, &r->t[out]) != 0)
        st = ACCEL_ERR_DEVICE;
    accel_op_plan_destroy(plan);
    accel_buffer_free(ws);
    return st;
}

static double tol_rel(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 ? 2e-5 : t == ACCEL_DTYPE_F16 ? 3e-3 : 2e-2;
}

static const accel_dtype dtypes[] = {ACCEL_DTYPE_F32, ACCEL_DTYPE_F16, ACCEL_DTYPE_BF16};

/* ---- GEMM ---- */

static void gemm_case(ocl_test *t, accel_gemm_desc g, const char *library) {
    accel_op_desc d = {.kind = ACCEL_OP_GEMM};
    snprintf(d.library, sizeof(d.library), "%s", library);
    d.u.gemm = g;
    accel_dtype types[5] = {g.a_type, g.b_type, g.c_type, g.d_type, g.d_type};
    int absent[5] = {0, 0, g.beta == 0.0, 0, !(g.epilogue & ACCEL_EPILOGUE_BIAS)};
    op_run r;
    accel_status st = run_op(t, &d, types, 3, absent, &r);
    char what[160];
    snprintf(what, sizeof(what), "gemm %s %s %lldx%lldx%lld b%lld ta%d tb%d ep%u lib '%s'",
             accel_dtype_name(g.a_type), accel_dtype_name(g.d_type), (long long)g.m,
             (long long)g.n, (long long)g.k, (long long)g.batch, g.trans_a, g.trans_b, g.epilogue,
             library);
    T_CHECK(t, st == ACCEL_OK, "%s: %s", what, accel_status_str(st));
    if (st != ACCEL_OK) {
        op_run_free(&r);
        return;
    }
    int64_t bad = 0, checked = 0;
    double u = 1.0 / (1 << 24), u_out = accel_ref_unit_roundoff_dtype(g.d_type);
    int64_t batch = g.batch > 0 ? g.batch : 1;
    int64_t ldd = g.ldd ? g.ldd : g.n, sd = g.stride_d ? g.stride_d : g.m * ldd;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t i = 0; i < g.m; i++)
            for (int64_t j = 0; j < g.n; j++) {
                double ref = 0, abs_sum = 0;
                accel_ref_gemm_element(&g, r.t[0].host, r.t[1].host, r.t[2].host, r.t[4].host, b,
                                       i, j, &ref, &abs_sum);
                double got = accel_ref_load(g.d_type, r.t[3].host, b * sd + i * ldd + j);
                double tol = 4.0 * sqrt((double)g.k) * u * abs_sum + 2.0 * u_out * fabs(ref) + 1e-6;
                checked++;
                if (!(fabs(got - ref) <= tol)) {
                    if (bad < 3)
                        fprintf(stderr, "  %s [%lld,%lld,%lld] got %.8g want %.8g (tol %.3g)\n",
                                what, (long long)b, (long long)i, (long long)j, got, ref, tol);
                    bad++;
                }
            }
    T_CHECK(t, bad == 0 && checked > 0, "%s: %lld of %lld outputs off (%s)", what, (long long)bad,
            (long long)checked, r.algorithm);
    op_run_free(&r);
}

static accel_gemm_desc gemm_desc(accel_dtype ab, accel_dtype cd, int64_t m, int64_t n, int64_t k) {
    accel_gemm_desc g;
    memset(&g, 0, sizeof(g));
    g.a_type = g.b_type = ab;
    g.c_type = g.d_type = cd;
    g.m = m;
    g.n = n;
    g.k = k;
    g.batch = 1;
    g.alpha = 1.0;
    return g;
}

static void test_gemm_suite(ocl_test *t) {
    for (size_t di = 0; di < sizeof(dtypes) / sizeof(dtypes[0]); di++) {
        accel_dtype dt = dtypes[di];
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                /* f16/bf16: every transpose too, but one batch and no padding to keep it short */
                if (dt != ACCEL_DTYPE_F32 && ta != tb)
                    continue; /* f16/bf16: NN and TT keep the run short; loads are shared code */
                accel_gemm_desc g = gemm_desc(dt, dt, 37, 53, 71);
                g.trans_a = ta;
                g.trans_b = tb;
                if (dt == ACCEL_DTYPE_F32) {
                    g.batch = 3;
                    g.lda = (ta ? 37 : 71) + 3;
                    g.ldb = (tb ? 71 : 53) + 5;
                    g.ldc = 53 + 2;
                    g.ldd = 53 + 7;
                    g.alpha = 0.75;
                    g.beta = 0.5;
                }
                gemm_case(t, g, "");
            }
        accel_gemm_desc g = gemm_desc(dt, dt, 37, 53, 71);
        g.epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF;
        gemm_case(t, g, "");
    }
    /* epilogues and strided batch with a shared bias, f32 */
    accel_gemm_desc g = gemm_desc(ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, 37, 53, 71);
    g.batch = 3;
    g.stride_a = 37 * 71 + 11;
    g.stride_b = 71 * 53 + 13;
    g.epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU;
    gemm_case(t, g, "");
    g = gemm_desc(ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, 37, 53, 71);
    g.trans_b = 1;
    g.epilogue = ACCEL_EPILOGUE_GELU_TANH;
    g.beta = 1.0; /* C and D distinct operands */
    gemm_case(t, g, "");
    /* several tiles each way, full tiles on the vector-load path, with the device's default tile
     * (the test environment otherwise picks a small tile that compiles fast) */
    char *tile = getenv("ACCEL_OPENCL_GEMM_TILE");
    char saved[64] = "";
    if (tile)
        snprintf(saved, sizeof(saved), "%s", tile);
    unsetenv("ACCEL_OPENCL_GEMM_TILE");
    g = gemm_desc(ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, 200, 300, 100);
    g.beta = 0.5;
    g.ldc = 301;
    gemm_case(t, g, "");
    if (saved[0])
        setenv("ACCEL_OPENCL_GEMM_TILE", saved, 1);
    /* mixed storage: bf16 inputs, f32 output */
    g = gemm_desc(ACCEL_DTYPE_BF16, ACCEL_DTYPE_F32, 37, 53, 71);
    gemm_case(t, g, "");

}

/* Both GEMM kernels (local-memory tiles for GPUs, explicit vectors for CPUs) on every device. */
static void test_gemm(ocl_test *t) {
    const char *kernels[2] = {"tiled", "vec"};
    for (int i = 0; i < 2; i++) {
        setenv("ACCEL_OPENCL_GEMM_KERNEL", kernels[i], 1);
        test_gemm_suite(t);
    }
    /* the vector kernel with other vector widths, an odd row block and several K chunks
     * (including a partial one) between its work-group barriers */
    const char *vec_variants[2] = {"4,3,16", "8,5,32"};
    for (int v = 0; v < 2; v++) {
        setenv("ACCEL_OPENCL_GEMM_VEC", vec_variants[v], 1);
        for (int tr = 0; tr < 3; tr++) {
            accel_gemm_desc g = gemm_desc(ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, 37, 53, 71);
            g.trans_a = tr == 1;
            g.trans_b = tr == 2;
            g.batch = 2;
            g.alpha = -0.5;
            g.beta = tr == 0 ? 0.75 : 0.0;
            g.epilogue = tr == 1 ? ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF : 0;
            gemm_case(t, g, "");
        }
    }
    unsetenv("ACCEL_OPENCL_GEMM_VEC");
    unsetenv("ACCEL_OPENCL_GEMM_KERNEL");

    /* TF32 is not offered */
    accel_op_desc d = {.kind = ACCEL_OP_GEMM};
    d.u.gemm = gemm_desc(ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, 8, 8, 8);
    d.u.gemm.compute = ACCEL_COMPUTE_TF32;
    accel_op_plan *plan = NULL;
    accel_status st = accel_op_plan_create(t->dev, &d, &plan);
    T_CHECK(t, st == ACCEL_ERR_UNIMPLEMENTED && strstr(accel_last_error(), "TF32"), "tf32 gave %s",
            accel_status_str(st));
    if (st == ACCEL_OK)
        accel_op_plan_destroy(plan);
}

static void test_gemm_clblast(ocl_test *t) {
    accel_device_info info = {.struct_size = sizeof(info)};
    accel_device_info_get(t->dev, &info);
    if (!strstr(info.op_libraries, "clblast")) {
        fprintf(stderr, "[%s] CLBlast not installed: clblast GEMM checks skipped\n", t->id);
        return;
    }
    accel_gemm_desc g = gemm_desc(ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, 37, 53, 71);
    g.trans_a = 1;
    g.alpha = 0.5;
    g.beta = 0.25;
    g.ldc = 60;
    g.ldd = 60;
    g.batch = 2;
    gemm_case(t, g, "clblast");
    g = gemm_desc(ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, 37, 53, 71);
    g.trans_b = 1;
    gemm_case(t, g, "clblast");
    accel_op_desc d = {.kind = ACCEL_OP_GEMM};
    snprintf(d.library, sizeof(d.library), "clblast");
    d.u.gemm = gemm_desc(ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, 8, 8, 8);
    d.u.gemm.epilogue = ACCEL_EPILOGUE_RELU;
    accel_op_plan *plan = NULL;
    accel_status st = accel_op_plan_create(t->dev, &d, &plan);
    T_CHECK(t, st == ACCEL_ERR_UNIMPLEMENTED, "clblast with relu epilogue gave %s",
            accel_status_str(st));
    if (st == ACCEL_OK)
        accel_op_plan_destroy(plan);
}

/* ---- conv2d ---- */

/* NCHW and NHWC on the tiled kernel and on the vector kernel. */
static void test_conv(ocl_test *t) {
    for (int variant = 0; variant < 4; variant++) {
        int layout = variant & 1;
        setenv("ACCEL_OPENCL_CONV_KERNEL", variant >= 2 ? "vec" : "tiled", 1);
        setenv("ACCEL_OPENCL_CONV_KC", "16", 1); /* several tap chunks, the last one partial */
        for (size_t di = 0; di < sizeof(dtypes) / sizeof(dtypes[0]); di++)
            for (int shape = 0; shape < 2; shape++) {
                accel_op_desc d = {.kind = ACCEL_OP_CONV2D};
                accel_conv2d_desc *c = &d.u.conv2d;
                c->layout = layout ? ACCEL_LAYOUT_NHWC : ACCEL_LAYOUT_NCHW;
                c->x_type = c->w_type = c->y_type = dtypes[di];
                c->n = 2;
                c->c = 5;
                c->h = 9;
                c->w = 11;
                c->k = shape ? 37 : 7;
                c->r = shape ? 1 : 3;
                c->s = shape ? 1 : 3;
                c->stride_h = c->stride_w = shape ? 1 : 2;
                c->pad_h = c->pad_w = shape ? 0 : 1;
                c->dil_h = c->dil_w = 1;
                c->epilogue = shape ? ACCEL_EPILOGUE_RELU | ACCEL_EPILOGUE_RESIDUAL
                                    : ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU | ACCEL_EPILOGUE_RESIDUAL;
                accel_dtype ty[5] = {dtypes[di], dtypes[di], dtypes[di], dtypes[di], dtypes[di]};
                int absent[5] = {0, 0, !(c->epilogue & ACCEL_EPILOGUE_BIAS), 0, 0};
                op_run r;
                accel_status st = run_op(t, &d, ty, 4, absent, &r);
                T_CHECK(t, st == ACCEL_OK, "conv2d variant %d %s shape %d: %s", variant,
                        accel_dtype_name(dtypes[di]), shape, accel_status_str(st));
                if (st == ACCEL_OK) {
                    double *ref = calloc((size_t)r.t[4].count, sizeof(double));
                    accel_ref_conv2d(c, r.t[0].host, r.t[1].host, r.t[2].host, r.t[3].host, ref);
                    double err = accel_ref_normwise_rel_err(dtypes[di], r.t[4].host, ref, r.t[4].count);
                    if (di == 0 && shape == 0)
                        printf("[%s] conv2d variant %d: %s\n", t->id, variant, r.algorithm);
                    T_CHECK(t, err <= tol_rel(dtypes[di]), "conv2d variant %d %s shape %d: rel err %g (%s)",
                            variant, accel_dtype_name(dtypes[di]), shape, err, r.algorithm);
                    free(ref);
                }
                op_run_free(&r);
            }
    }
    unsetenv("ACCEL_OPENCL_CONV_KERNEL");
    unsetenv("ACCEL_OPENCL_CONV_KC");
}

/* ---- layernorm, softmax, eltwise, permute ---- */

static void test_layernorm(ocl_test *t) {
    for (size_t di = 0; di < sizeof(dtypes) / sizeof(dtypes[0]); di++)
        for (int res = 0; res < 2; res++) {
            accel_op_desc d = {.kind = ACCEL_OP_LAYERNORM};
            d.u.layernorm = (accel_layernorm_desc){dtypes[di], 37, res ? 771 : 5, 1e-5, res};
            accel_dtype ty[5] = {dtypes[di], dtypes[di], dtypes[di], dtypes[di], dtypes[di]};
            int absent[5] = {0, !res, 0, 0, 0};
            op_run r;
            accel_status st = run_op(t, &d, ty, 4, absent, &r);
            T_CHECK(t, st == ACCEL_OK, "layernorm %s res %d: %s", accel_dtype_name(dtypes[di]), res,
                    accel_status_str(st));
            if (st == ACCEL_OK) {
                double *ref = calloc((size_t)r.t[4].count, sizeof(double));
                accel_ref_layernorm(&d.u.layernorm, r.t[0].host, res ? r.t[1].host : NULL,
                                    r.t[2].host, r.t[3].host, ref);
                double err = accel_ref_normwise_rel_err(dtypes[di], r.t[4].host, ref, r.t[4].count);
                T_CHECK(t, err <= tol_rel(dtypes[di]), "layernorm %s res %d: rel err %g",
                        accel_dtype_name(dtypes[di]), res, err);
                free(ref);
            }
            op_run_free(&r);
        }
}

static void test_softmax(ocl_test *t) {
    for (size_t di = 0; di < sizeof(dtypes) / sizeof(dtypes[0]); di++)
        for (int masked = 0; masked < 2; masked++) {
            accel_op_desc d = {.kind = ACCEL_OP_SOFTMAX};
            d.u.softmax = (accel_softmax_desc){dtypes[di], 30, masked ? 37 : 300, 0.125, masked ? 10 : 0};
            accel_dtype ty[3] = {dtypes[di], ACCEL_DTYPE_F32, dtypes[di]};
            int absent[3] = {0, !masked, 0};
            op_run r;
            accel_status st = run_op(t, &d, ty, 2, absent, &r);
            T_CHECK(t, st == ACCEL_OK, "softmax %s mask %d: %s", accel_dtype_name(dtypes[di]),
                    masked, accel_status_str(st));
            if (st == ACCEL_OK) {
                /* The random mask is rewritten as keep/drop to look like BERT's, and rerun. */
                if (masked) {
                    float *mask = r.t[1].host;
                    for (int64_t i = 0; i < r.t[1].count; i++)
                        mask[i] = mask[i] < -0.3f ? -10000.0f : 0.0f;
                    accel_buffer_write(t->stream, r.t[1].buf, 0, mask, (size_t)r.t[1].count * 4);
                    accel_op_plan *plan = NULL;
                    accel_buffer_ref refs[3] = {ocl_tensor_ref(&r.t[0]), ocl_tensor_ref(&r.t[1]),
                                                ocl_tensor_ref(&r.t[2])};
                    st = accel_op_plan_create(t->dev, &d, &plan);
                    if (st == ACCEL_OK)
                        st = accel_op_plan_execute(plan, t->stream, refs, 3, (accel_buffer_ref){NULL, 0});
                    if (st == ACCEL_OK && ocl_tensor_download(t, &r.t[2]) != 0)
                        st = ACCEL_ERR_DEVICE;
                    accel_op_plan_destroy(plan);
                    T_CHECK(t, st == ACCEL_OK, "softmax rerun: %s", accel_status_str(st));
                }
                double *ref = calloc((size_t)r.t[2].count, sizeof(double));
                accel_ref_softmax(&d.u.softmax, r.t[0].host, masked ? r.t[1].host : NULL, ref);
                double err = accel_ref_normwise_rel_err(dtypes[di], r.t[2].host, ref, r.t[2].count);
                T_CHECK(t, err <= tol_rel(dtypes[di]), "softmax %s mask %d: rel err %g",
                        accel_dtype_name(dtypes[di]), masked, err);
                free(ref);
            }
            op_run_free(&r);
        }
}

static void test_eltwise(ocl_test *t) {
    for (size_t di = 0; di < sizeof(dtypes) / sizeof(dtypes[0]); di++)
        for (int kind = ACCEL_ELTWISE_COPY; kind <= ACCEL_ELTWISE_BIAS_ADD; kind++) {
            accel_op_desc d = {.kind = ACCEL_OP_ELTWISE};
            d.u.eltwise = (accel_eltwise_desc){(accel_eltwise_kind)kind, dtypes[di], 1003, 17, 0.75, -1.25};
            int binary = kind == ACCEL_ELTWISE_ADD || kind == ACCEL_ELTWISE_MUL ||
                         kind == ACCEL_ELTWISE_BIAS_ADD;
            accel_dtype ty[3] = {dtypes[di], dtypes[di], dtypes[di]};
            int absent[3] = {0, !binary, 0};
            op_run r;
            accel_status st = run_op(t, &d, ty, 2, absent, &r);
            T_CHECK(t, st == ACCEL_OK, "eltwise %d %s: %s", kind, accel_dtype_name(dtypes[di]),
                    accel_status_str(st));
            if (st == ACCEL_OK) {
                double *ref = calloc((size_t)r.t[2].count, sizeof(double));
                accel_ref_eltwise(&d.u.eltwise, r.t[0].host, binary ? r.t[1].host : NULL, ref);
                double err = accel_ref_normwise_rel_err(dtypes[di], r.t[2].host, ref, r.t[2].count);
                T_CHECK(t, err <= tol_rel(dtypes[di]), "eltwise %d %s: rel err %g", kind,
                        accel_dtype_name(dtypes[di]), err);
                free(ref);
            }
            op_run_free(&r);
        }
}

static void test_permute(ocl_test *t) {
    struct {
        accel_dtype type;
        int nd;
        int64_t dims[6];
        int perm[6];
    } cases[] = {{ACCEL_DTYPE_F32, 5, {2, 5, 3, 4, 6}, {2, 0, 3, 1, 4}},
                 {ACCEL_DTYPE_F16, 6, {2, 3, 1, 4, 5, 3}, {5, 3, 1, 0, 4, 2}},
                 {ACCEL_DTYPE_BF16, 2, {37, 53}, {1, 0}}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        accel_op_desc d = {.kind = ACCEL_OP_PERMUTE};
        d.u.permute.dtype = cases[i].type;
        d.u.permute.ndims = cases[i].nd;
        memcpy(d.u.permute.dims, cases[i].dims, sizeof(cases[i].dims));
        memcpy(d.u.permute.perm, cases[i].perm, sizeof(cases[i].perm));
        accel_dtype ty[2] = {cases[i].type, cases[i].type};
        op_run r;
        accel_status st = run_op(t, &d, ty, 1, NULL, &r);
        T_CHECK(t, st == ACCEL_OK, "permute case %zu: %s", i, accel_status_str(st));
        if (st == ACCEL_OK) {
            double *ref = calloc((size_t)r.t[1].count, sizeof(double));
            accel_ref_permute(&d.u.permute, r.t[0].host, ref);
            int64_t bad = 0;
            for (int64_t j = 0; j < r.t[1].count; j++)
                bad += accel_ref_load(cases[i].type, r.t[1].host, j) != ref[j];
            T_CHECK(t, bad == 0, "permute case %zu: %lld elements differ", i, (long long)bad);
            free(ref);
        }
        op_run_free(&r);
    }
}

/* Fused attention against the fp64 reference: every storage type, with and without the mask, a
 * sequence longer than the work-group, and the refusal past the kernel's local-memory limit. */
static void test_attention(ocl_test *t) {
    for (size_t di = 0; di < sizeof(dtypes) / sizeof(dtypes[0]); di++)
        for (int masked = 0; masked < 2; masked++) {
            accel_op_desc d = {.kind = ACCEL_OP_ATTENTION};
            d.u.attention = (accel_attention_desc){dtypes[di], ACCEL_COMPUTE_DEFAULT, 2, 3, masked ? 300 : 37,
                                                   masked ? 64 : 24, 0.125, 0};
            accel_dtype ty[5] = {dtypes[di], dtypes[di], dtypes[di], ACCEL_DTYPE_F32, dtypes[di]};
            int absent[5] = {0, 0, 0, !masked, 0};
            op_run r;
            accel_status st = run_op(t, &d, ty, 4, absent, &r);
            T_CHECK(t, st == ACCEL_OK, "attention %s mask %d: %s (%s)", accel_dtype_name(dtypes[di]), masked,
                    accel_status_str(st), accel_last_error());
            if (st == ACCEL_OK) {
                double *ref = calloc((size_t)r.t[4].count, sizeof(double));
                accel_ref_attention(&d.u.attention, r.t[0].host, r.t[1].host, r.t[2].host,
                                    masked ? r.t[3].host : NULL, ref);
                double err = accel_ref_normwise_rel_err(dtypes[di], r.t[4].host, ref, r.t[4].count);
                T_CHECK(t, err <= tol_rel(dtypes[di]), "attention %s mask %d: rel err %g",
                        accel_dtype_name(dtypes[di]), masked, err);
                free(ref);
            }
            op_run_free(&r);
        }
    accel_op_desc d = {.kind = ACCEL_OP_ATTENTION};
    d.u.attention = (accel_attention_desc){ACCEL_DTYPE_F32, ACCEL_COMPUTE_DEFAULT, 1, 2, 5000, 64, 0.5, 0};
    accel_op_plan *plan = NULL;
    accel_status st = accel_op_plan_create(t->dev, &d, &plan);
    T_CHECK(t, st == ACCEL_ERR_UNIMPLEMENTED && strstr(accel_last_error(), "local memory"),
            "attention seq 5000 gave %s (%s)", accel_status_str(st), accel_last_error());
    if (st == ACCEL_OK)
        accel_op_plan_destroy(plan);
}

int main(int argc, char **argv) {
    const char *part = argc > 2 ? argv[2] : "all";
    const int all = strcmp(part, "all") == 0, gemm = all || strcmp(part, "gemm") == 0,
              conv = all || strcmp(part, "conv") == 0, other = all || strcmp(part, "other") == 0;
    if (argc < 2 || argc > 3 || !(gemm || conv || other)) {
        fprintf(stderr, "usage: %s <libaccel-backend-opencl.so> [gemm|conv|other|all]\n", argv[0]);
        return 2;
    }
    ocl_test t;
    int n = ocl_test_open_runtime(&t, argv[1]);
    if (n <= 0) {
        const accel_backend_report *rep = n == 0 ? ocl_test_report(&t) : NULL;
        printf("SKIP: no OpenCL device (%s)\n", rep ? rep->reason : "runtime did not open");
        accel_runtime_close(t.rt);
        return n == 0 ? OCL_TEST_SKIP : 1;
    }
    int failed = 0, passed = 0;
    for (int i = 0; i < n; i++) {
        if (ocl_test_open_device(&t, i) != 0) {
            failed++;
            continue;
        }
        if (gemm) {
            test_gemm(&t);
            test_gemm_clblast(&t);
        }
        if (conv)
            test_conv(&t);
        if (other) {
            test_layernorm(&t);
            test_softmax(&t);
            test_eltwise(&t);
            test_permute(&t);
            test_attention(&t);
        }
        ocl_test_close_device(&t);
    }
    failed += t.failed;
    passed += t.passed;
    accel_runtime_close(t.rt);
    printf("%s: %d passed, %d failed on %d OpenCL device(s)\n", part, passed, failed, n);
    if (passed == 0)
        printf("FAIL: part %s checked nothing\n", part);
    return failed || passed == 0 ? 1 : 0;
}
