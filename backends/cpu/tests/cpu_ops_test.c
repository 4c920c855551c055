/* conv2d (both layouts, every library path), layernorm, softmax, eltwise (with the activation
 * backward kinds) and permute against the fp64 reference, in f32, bf16 and f16 storage; the row and
 * channel training ops at sizes crossing the backend's fp32 spans. */
#include <math.h>
#include <string.h>

#include "cpu_test_util.h"

#define F32 ACCEL_DTYPE_F32
#define BF16 ACCEL_DTYPE_BF16
#define F16 ACCEL_DTYPE_F16

/* Normwise threshold: a few output roundings; a wrong epilogue or index is orders above it. */
static double threshold(accel_dtype t) {
    return t == F32 ? 2e-6 : t == BF16 ? 5e-3 : 6e-4;
}

static void *random_tensor(accel_dtype t, int64_t count, uint64_t seed, double lo, double hi) {
    void *p = malloc((size_t)count * accel_dtype_size(t) + 1);
    accel_ref_fill_random(t, p, count, seed, lo, hi);
    return p;
}

/* ---- conv2d ---- */

/* want: a substring the plan's algorithm must contain (NULL: any). res_in_y: the residual is
 * bound as Y itself (in place: Y holds the residual before the run). */
static void conv_case_full(test_env *env, const char *lib, accel_layout layout, accel_dtype t,
                           int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t r,
                           int64_t s, int64_t stride, int64_t pad, int64_t dil, uint32_t epilogue,
                           int expect_ok, const char *want, int res_in_y) {
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_CONV2D;
    snprintf(desc.library, sizeof desc.library, "%s", lib);
    accel_conv2d_desc *d = &desc.u.conv2d;
    *d = (accel_conv2d_desc){.layout = layout, .x_type = t, .w_type = t, .y_type = t,
                             .n = n, .c = c, .h = h, .w = w, .k = k, .r = r, .s = s,
                             .stride_h = stride, .stride_w = stride, .pad_h = pad, .pad_w = pad,
                             .dil_h = dil, .dil_w = dil, .groups = 1, .epilogue = epilogue};
    int64_t p, q;
    accel_ref_conv2d_out_hw(d, &p, &q);
    const int64_t nx = n * c * h * w, nw = k * c * r * s, ny = n * k * p * q;
    const size_t e = accel_dtype_size(t);
    void *X = random_tensor(t, nx, 21, -1, 1), *W = random_tensor(t, nw, 22, -1, 1);
    void *bias = random_tensor(t, k, 23, -1, 1), *res = random_tensor(t, ny, 24, -1, 1);
    accel_buffer *bufs[5] = {test_upload(env, X, nx * e), test_upload(env, W, nw * e),
                             test_upload(env, bias, k * e), test_upload(env, res, ny * e),
                             res_in_y ? NULL : test_alloc(env, ny * e)};
    if (res_in_y) bufs[4] = bufs[3];
    char algo[300] = "", label[160];
    snprintf(label, sizeof label, "[conv %s %s %s n%lld c%lld %lldx%lld k%lld %lldx%lld s%lld p%lld d%lld ep0x%x%s]",
             lib, layout == ACCEL_LAYOUT_NHWC ? "nhwc" : "nchw", accel_dtype_name(t), (long long)n,
             (long long)c, (long long)h, (long long)w, (long long)k, (long long)r, (long long)s,
             (long long)stride, (long long)pad, (long long)dil, epilogue, res_in_y ? " in place" : "");
    accel_status st = test_run_op(env, &desc, bufs, 5, algo, sizeof algo);
    if (!expect_ok) {
        CHECK(st == ACCEL_ERR_UNIMPLEMENTED, "%s: expected UNIMPLEMENTED, got %s", label,
              accel_status_str(st));
    } else if (st != ACCEL_OK) {
        CHECK(0, "%s: %s: %s", label, accel_status_str(st), accel_last_error());
    } else {
        void *got = malloc(ny * e);
        double *ref = malloc(ny * sizeof(double));
        test_download(env, bufs[4], got, ny * e);
        accel_ref_conv2d(d, X, W, bias, res, ref);
        double err = accel_ref_normwise_rel_err(t, got, ref, ny);
        CHECK(err <= threshold(t), "%s: normwise error %.3g > %.3g (%s)", label, err, threshold(t), algo);
        if (err <= threshold(t)) printf("  ok %s err %.2g  %s\n", label, err, algo);
        if (want) CHECK(strstr(algo, want) != NULL, "%s: algorithm \"%s\" lacks \"%s\"", label, algo, want);
        free(got);
        free(ref);
    }
    for (int i = 0; i < (res_in_y ? 4 : 5); i++) accel_buffer_free(bufs[i]);
    free(X);
    free(W);
    free(bias);
    free(res);
}

static void conv_case_want(test_env *env, const char *lib, accel_layout layout, accel_dtype t,
                           int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t r,
                           int64_t s, int64_t stride, int64_t pad, int64_t dil, uint32_t epilogue,
                           int expect_ok, const char *want) {
    conv_case_full(env, lib, layout, t, n, c, h, w, k, r, s, stride, pad, dil, epilogue, expect_ok,
                   want, 0);
}

static void conv_case(test_env *env, const char *lib, accel_layout layout, accel_dtype t,
                      int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t r, int64_t s,
                      int64_t stride, int64_t pad, int64_t dil, uint32_t epilogue, int expect_ok) {
    conv_case_want(env, lib, layout, t, n, c, h, w, k, r, s, stride, pad, dil, epilogue, expect_ok,
                   NULL);
}

static void conv_tests(test_env *env, const char *lib) {
    const uint32_t all = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU;
    for (int l = 0; l < 2; l++) {
        accel_layout layout = l ? ACCEL_LAYOUT_NHWC : ACCEL_LAYOUT_NCHW;
        conv_case(env, lib, layout, F32, 2, 5, 9, 11, 7, 3, 3, 2, 1, 1, all, 1);
        conv_case(env, lib, layout, F32, 2, 6, 7, 5, 9, 1, 1, 1, 0, 1, all, 1); /* 1x1 direct */
        conv_case(env, lib, layout, F32, 1, 3, 10, 9, 4, 3, 2, 1, 2, 2, ACCEL_EPILOGUE_BIAS, 1);
        conv_case(env, lib, layout, F32, 3, 4, 6, 6, 5, 3, 3, 1, 1, 1, 0, 1);
        conv_case(env, lib, layout, BF16, 2, 5, 9, 11, 7, 3, 3, 2, 1, 1, all, 1);
        conv_case(env, lib, layout, BF16, 2, 16, 6, 6, 16, 1, 1, 1, 0, 1, all, 1);
    }
}

/* ---- layernorm / softmax / eltwise / permute ---- */

static void check_output(test_env *env, accel_buffer *buf, accel_dtype t, const double *ref,
                         int64_t count, const char *label, const char *algo) {
    void *got = malloc((size_t)count * accel_dtype_size(t));
    test_download(env, buf, got, (size_t)count * accel_dtype_size(t));
    double err = accel_ref_normwise_rel_err(t, got, ref, count);
    CHECK(err <= threshold(t), "%s: normwise error %.3g > %.3g (%s)", label, err, threshold(t), algo);
    if (err <= threshold(t)) printf("  ok %s err %.2g\n", label, err);
    free(got);
}

static void layernorm_case(test_env *env, accel_dtype t, int residual, int in_place) {
    const int64_t rows = 13, cols = 77;
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_LAYERNORM;
    desc.u.layernorm = (accel_layernorm_desc){t, rows, cols, 1e-5, residual};
    const size_t e = accel_dtype_size(t);
    void *X = random_tensor(t, rows * cols, 31, -2, 3), *R = random_tensor(t, rows * cols, 32, -1, 1);
    void *g = random_tensor(t, cols, 33, 0.5, 1.5), *b = random_tensor(t, cols, 34, -1, 1);
    accel_buffer *bx = test_upload(env, X, rows * cols * e);
    accel_buffer *bufs[5] = {bx, residual ? test_upload(env, R, rows * cols * e) : NULL,
                             test_upload(env, g, cols * e), test_upload(env, b, cols * e),
                             in_place ? bx : test_alloc(env, rows * cols * e)};
    char algo[300] = "", label[96];
    snprintf(label, sizeof label, "[layernorm %s%s%s]", accel_dtype_name(t),
             residual ? " +residual" : "", in_place ? " in-place" : "");
    CHECK_OK(test_run_op(env, &desc, bufs, 5, algo, sizeof algo));
    double *ref = malloc(rows * cols * sizeof(double));
    accel_ref_layernorm(&desc.u.layernorm, X, residual ? R : NULL, g, b, ref);
    check_output(env, bufs[4], t, ref, rows * cols, label, algo);
    for (int i = 0; i < 4; i++) accel_buffer_free(bufs[i]);
    if (!in_place) accel_buffer_free(bufs[4]);
    free(ref);
    free(X);
    free(R);
    free(g);
    free(b);
}

static void softmax_case(test_env *env, accel_dtype t, int masked, int in_place) {
    const int64_t batch = 2, heads = 3, seq = 19, rows = batch * heads * seq, cols = seq;
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_SOFTMAX;
    desc.u.softmax = (accel_softmax_desc){t, rows, cols, 0.35, masked ? heads * seq : 0};
    const size_t e = accel_dtype_size(t);
    void *X = random_tensor(t, rows * cols, 41, -4, 4);
    float *mask = malloc(batch * cols * sizeof(float));
    for (int64_t b = 0; b < batch; b++) /* batch b keeps its first seq - 3b positions */
        for (int64_t j = 0; j < cols; j++) mask[b * cols + j] = j < seq - 3 * b ? 0.0f : -10000.0f;
    accel_buffer *bx = test_upload(env, X, rows * cols * e);
    accel_buffer *bufs[3] = {bx, masked ? test_upload(env, mask, batch * cols * sizeof(float)) : NULL,
                             in_place ? bx : test_alloc(env, rows * cols * e)};
    char algo[300] = "", label[96];
    snprintf(label, sizeof label, "[softmax %s%s%s]", accel_dtype_name(t), masked ? " masked" : "",
             in_place ? " in-place" : "");
    CHECK_OK(test_run_op(env, &desc, bufs, 3, algo, sizeof algo));
    double *ref = malloc(rows * cols * sizeof(double));
    accel_ref_softmax(&desc.u.softmax, X, masked ? mask : NULL, ref);
    check_output(env, bufs[2], t, ref, rows * cols, label, algo);
    for (int i = 0; i < (in_place ? 2 : 3); i++) accel_buffer_free(bufs[i]);
    free(ref);
    free(X);
    free(mask);
}

/* Probabilities far below a row's largest are 0 or normal, never subnormal: a subnormal P made the
 * P V GEMM after the softmax 40x slower (microcode assists). Masked keys (-10000) give exactly 0, as
 * libm's expf did. Row 0 spans exponents 0 .. -149 in steps of 0.5; row 1 is masked past column 5. */
static void softmax_no_subnormals(test_env *env) {
    const int64_t rows = 2, cols = 300;
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_SOFTMAX;
    desc.u.softmax = (accel_softmax_desc){ACCEL_DTYPE_F32, rows, cols, 1.0, 1};
    float *X = malloc(rows * cols * sizeof(float)), *mask = malloc(rows * cols * sizeof(float));
    float *Y = malloc(rows * cols * sizeof(float));
    for (int64_t j = 0; j < cols; j++) {
        X[j] = -0.5f * (float)j;
        X[cols + j] = (float)(j % 7) * 0.25f;
        mask[j] = 0.0f;
        mask[cols + j] = j < 5 ? 0.0f : -10000.0f;
    }
    accel_buffer *bufs[3] = {test_upload(env, X, rows * cols * 4), test_upload(env, mask, rows * cols * 4),
                             test_alloc(env, rows * cols * 4)};
    char algo[300] = "";
    CHECK_OK(test_run_op(env, &desc, bufs, 3, algo, sizeof algo));
    test_download(env, bufs[2], Y, rows * cols * 4);
    int subnormal = 0, masked_nonzero = 0;
    for (int64_t i = 0; i < rows * cols; i++) {
        subnormal += fpclassify(Y[i]) == FP_SUBNORMAL;
        masked_nonzero += i >= cols && (i - cols) >= 5 && Y[i] != 0.0f;
    }
    CHECK(subnormal == 0, "[softmax f32 subnormals] %d subnormal probabilities (%s)", subnormal, algo);
    CHECK(masked_nonzero == 0, "[softmax f32 subnormals] %d masked keys with a nonzero probability", masked_nonzero);
    /* where the exponential is normal, it is still accurate */
    double *ref = malloc(rows * cols * sizeof(double));
    accel_ref_softmax(&desc.u.softmax, X, mask, ref);
    int off = 0;
    for (int64_t j = 0; j < 160; j++) off += fabs(Y[j] - ref[j]) > 1e-5 * ref[j];
    CHECK(off == 0, "[softmax f32 subnormals] %d of row 0's first 160 probabilities off by > 1e-5 relative", off);
    if (!subnormal && !masked_nonzero && !off) printf("  ok [softmax f32 subnormals] none, masked keys 0\n");
    for (int i = 0; i < 3; i++) accel_buffer_free(bufs[i]);
    free(ref);
    free(X);
    free(mask);
    free(Y);
}

static void eltwise_case(test_env *env, accel_dtype t, accel_eltwise_kind kind) {
    const int64_t count = 1001 * 3, cols = 1001;
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_ELTWISE;
    desc.u.eltwise = (accel_eltwise_desc){kind, t, count, cols, 0.75, -1.5};
    const int binary = kind == ACCEL_ELTWISE_ADD || kind == ACCEL_ELTWISE_MUL ||
                       kind == ACCEL_ELTWISE_BIAS_ADD || kind >= ACCEL_ELTWISE_RELU_BACKWARD;
    const int64_t zcount = kind == ACCEL_ELTWISE_BIAS_ADD ? cols : count;
    const size_t e = accel_dtype_size(t);
    void *X = random_tensor(t, count, 51, -3, 3), *Z = random_tensor(t, zcount, 52, -2, 2);
    accel_buffer *bufs[3] = {test_upload(env, X, count * e),
                             binary ? test_upload(env, Z, zcount * e) : NULL,
                             test_alloc(env, count * e)};
    char algo[300] = "", label[96];
    snprintf(label, sizeof label, "[eltwise kind %d %s]", (int)kind, accel_dtype_name(t));
    CHECK_OK(test_run_op(env, &desc, bufs, 3, algo, sizeof algo));
    double *ref = malloc(count * sizeof(double));
    accel_ref_eltwise(&desc.u.eltwise, X, binary ? Z : NULL, ref);
    check_output(env, bufs[2], t, ref, count, label, algo);
    for (int i = 0; i < 3; i++) accel_buffer_free(bufs[i]);
    free(ref);
    free(X);
    free(Z);
}

static void permute_case(test_env *env, accel_dtype t, int nd, const int64_t *dims, const int *perm) {
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_PERMUTE;
    desc.u.permute.dtype = t;
    desc.u.permute.ndims = nd;
    int64_t count = 1;
    for (int i = 0; i < nd; i++) {
        desc.u.permute.dims[i] = dims[i];
        desc.u.permute.perm[i] = perm[i];
        count *= dims[i];
    }
    const size_t e = accel_dtype_size(t);
    void *X = random_tensor(t, count, 61, -1, 1);
    accel_buffer *bufs[2] = {test_upload(env, X, count * e), test_alloc(env, count * e)};
    char algo[300] = "";
    CHECK_OK(test_run_op(env, &desc, bufs, 2, algo, sizeof algo));
    double *ref = malloc(count * sizeof(double));
    accel_ref_permute(&desc.u.permute, X, ref);
    void *got = malloc(count * e);
    test_download(env, bufs[1], got, count * e);
    int64_t bad = 0;
    for (int64_t i = 0; i < count; i++) bad += accel_ref_load(t, got, i) != ref[i];
    CHECK(bad == 0, "[permute %dD %s] %lld elements misplaced (%s)", nd, accel_dtype_name(t),
          (long long)bad, algo);
    if (!bad) printf("  ok [permute %dD %s] exact  %s\n", nd, accel_dtype_name(t), algo);
    free(got);
    free(ref);
    free(X);
    accel_buffer_free(bufs[0]);
    accel_buffer_free(bufs[1]);
}

/* ---- training ops at sizes that cross the backend's 512-element fp32 spans ---- */

static void check_f32(test_env *env, accel_buffer *buf, const double *ref, int64_t count, const char *label,
                      const char *what, const char *algo) {
    char l[200];
    snprintf(l, sizeof l, "%s %s", label, what);
    check_output(env, buf, F32, ref, count, l, algo);
}

static void layernorm_backward_span_case(test_env *env, accel_dtype t) {
    const int64_t rows = 5, cols = 1100, n = rows * cols;
    accel_op_desc desc = {.kind = ACCEL_OP_LAYERNORM_BACKWARD};
    desc.u.layernorm_backward = (accel_layernorm_backward_desc){t, rows, cols, 1e-5, 0};
    const size_t e = accel_dtype_size(t);
    void *X = random_tensor(t, n, 61, -2, 3), *g = random_tensor(t, cols, 62, 0.5, 1.5);
    void *dY = random_tensor(t, n, 63, -1, 1);
    accel_buffer *bufs[6] = {test_upload(env, X, n * e), test_upload(env, g, cols * e), test_upload(env, dY, n * e),
                             test_alloc(env, n * e), test_alloc(env, cols * 4), test_alloc(env, cols * 4)};
    char algo[300] = "", label[96];
    snprintf(label, sizeof label, "[layernorm_backward %s cols %lld]", accel_dtype_name(t), (long long)cols);
    CHECK_OK(test_run_op(env, &desc, bufs, 6, algo, sizeof algo));
    double *dx = malloc(n * sizeof(double)), *dg = malloc(cols * sizeof(double)), *db = malloc(cols * sizeof(double));
    accel_ref_layernorm_backward(&desc.u.layernorm_backward, X, g, dY, dx, dg, db);
    check_output(env, bufs[3], t, dx, n, label, algo);
    check_f32(env, bufs[4], dg, cols, label, "dgamma", algo);
    check_f32(env, bufs[5], db, cols, label, "dbeta", algo);
    for (int i = 0; i < 6; i++) accel_buffer_free(bufs[i]);
    free(dx), free(dg), free(db), free(X), free(g), free(dY);
}

static void softmax_backward_span_case(test_env *env, accel_dtype t) {
    const int64_t rows = 4, cols = 1100, n = rows * cols;
    accel_op_desc desc = {.kind = ACCEL_OP_SOFTMAX_BACKWARD};
    desc.u.softmax = (accel_softmax_desc){.dtype = t, .rows = rows, .cols = cols, .scale = 0.37};
    const size_t e = accel_dtype_size(t);
    void *Y = random_tensor(t, n, 64, 0, 0.002), *dY = random_tensor(t, n, 65, -1, 1);
    accel_buffer *bufs[3] = {test_upload(env, Y, n * e), test_upload(env, dY, n * e), NULL};
    bufs[2] = bufs[1]; /* dX over dY, as the workloads run it */
    char algo[300] = "", label[96];
    snprintf(label, sizeof label, "[softmax_backward %s cols %lld in-place]", accel_dtype_name(t), (long long)cols);
    CHECK_OK(test_run_op(env, &desc, bufs, 3, algo, sizeof algo));
    double *dx = malloc(n * sizeof(double));
    accel_ref_softmax_backward(&desc.u.softmax, Y, dY, dx);
    check_output(env, bufs[2], t, dx, n, label, algo);
    accel_buffer_free(bufs[0]), accel_buffer_free(bufs[1]);
    free(dx), free(Y), free(dY);
}

static void reduce_span_case(test_env *env, accel_dtype t) {
    const int64_t outer = 9, channels = 1100, n = outer * channels;
    accel_op_desc desc = {.kind = ACCEL_OP_REDUCE};
    desc.u.reduce = (accel_reduce_desc){t, F32, outer, channels, 1, 0};
    void *X = random_tensor(t, n, 66, -1, 1);
    accel_buffer *bufs[2] = {test_upload(env, X, n * accel_dtype_size(t)), test_alloc(env, channels * 4)};
    char algo[300] = "", label[96];
    snprintf(label, sizeof label, "[reduce %s rows of %lld]", accel_dtype_name(t), (long long)channels);
    CHECK_OK(test_run_op(env, &desc, bufs, 2, algo, sizeof algo));
    double *y = malloc(channels * sizeof(double));
    accel_ref_reduce(&desc.u.reduce, X, y);
    check_f32(env, bufs[1], y, channels, label, "Y", algo);
    accel_buffer_free(bufs[0]), accel_buffer_free(bufs[1]);
    free(y), free(X);
}

/* Forward (training) then backward from the forward's saved statistics. */
static void batchnorm_span_case(test_env *env, accel_layout layout, accel_dtype t, int64_t n, int64_t c, int64_t h,
                                int64_t w) {
    const int64_t count = n * c * h * w;
    const size_t e = accel_dtype_size(t), ce = (size_t)c * 4;
    accel_batchnorm_desc b = {layout, t, n, c, h, w, 1e-5, 0.1};
    accel_op_desc fwd = {.kind = ACCEL_OP_BATCHNORM}, bwd = {.kind = ACCEL_OP_BATCHNORM_BACKWARD};
    fwd.u.batchnorm = bwd.u.batchnorm = b;
    void *X = random_tensor(t, count, 67, -2, 3), *dY = random_tensor(t, count, 68, -1, 1);
    float *gamma = random_tensor(F32, c, 69, 0.5, 1.5), *beta = random_tensor(F32, c, 70, -1, 1);
    float *rm = random_tensor(F32, c, 71, -1, 1), *rv = random_tensor(F32, c, 72, 0.5, 2);
    float *mean = malloc(ce), *invstd = malloc(ce);
    accel_buffer *f[8] = {test_upload(env, X, count * e), test_upload(env, gamma, ce), test_upload(env, beta, ce),
                          test_alloc(env, count * e), test_upload(env, rm, ce), test_upload(env, rv, ce),
                          test_alloc(env, ce), test_alloc(env, ce)};
    char algo[300] = "", label[128];
    snprintf(label, sizeof label, "[batchnorm %s %s n%lld c%lld %lldx%lld]", layout == ACCEL_LAYOUT_NHWC ? "nhwc" : "nchw",
             accel_dtype_name(t), (long long)n, (long long)c, (long long)h, (long long)w);
    CHECK_OK(test_run_op(env, &fwd, f, 8, algo, sizeof algo));
    double *y = malloc(count * sizeof(double)), *v[4];
    for (int i = 0; i < 4; i++) v[i] = malloc(c * sizeof(double));
    accel_ref_batchnorm(&b, X, gamma, beta, rm, rv, y, v[0], v[1], v[2], v[3]);
    check_output(env, f[3], t, y, count, label, algo);
    check_f32(env, f[4], v[0], c, label, "running mean", algo);
    check_f32(env, f[5], v[1], c, label, "running var", algo);
    check_f32(env, f[6], v[2], c, label, "mean", algo);
    check_f32(env, f[7], v[3], c, label, "invstd", algo);
    test_download(env, f[6], mean, ce);
    test_download(env, f[7], invstd, ce);
    accel_buffer *g[8] = {f[0], f[1], test_upload(env, dY, count * e), f[6], f[7], test_alloc(env, count * e),
                          test_alloc(env, ce), test_alloc(env, ce)};
    CHECK_OK(test_run_op(env, &bwd, g, 8, algo, sizeof algo));
    accel_ref_batchnorm_backward(&b, X, gamma, dY, mean, invstd, y, v[0], v[1]);
    check_output(env, g[5], t, y, count, label, algo);
    check_f32(env, g[6], v[0], c, label, "dgamma", algo);
    check_f32(env, g[7], v[1], c, label, "dbeta", algo);
    for (int i = 0; i < 8; i++) accel_buffer_free(f[i]);
    for (int i = 2; i < 8; i++)
        if (i != 3 && i != 4) accel_buffer_free(g[i]);
    for (int i = 0; i < 4; i++) free(v[i]);
    free(y), free(X), free(dY), free(gamma), free(beta), free(rm), free(rv), free(mean), free(invstd);
}

static void training_span_tests(test_env *env) {
    const accel_dtype types[2] = {F32, BF16};
    for (int ti = 0; ti < 2; ti++) {
        const accel_dtype t = types[ti];
        layernorm_backward_span_case(env, t);
        softmax_backward_span_case(env, t);
        reduce_span_case(env, t);
        batchnorm_span_case(env, ACCEL_LAYOUT_NHWC, t, 2, 600, 3, 5);  /* channels: two spans */
        batchnorm_span_case(env, ACCEL_LAYOUT_NCHW, t, 2, 3, 20, 55); /* h w: three spans */
    }
}

int main(void) {
    test_env env;
    test_env_open(&env);
    const char *conv_libs[] = {"onednn", "accel"};
    for (int i = 0; i < 2; i++) {
        if (!test_env_has_library(&env, conv_libs[i])) {
            printf("conv2d: library %s not available: skipped\n", conv_libs[i]);
            continue;
        }
        conv_tests(&env, conv_libs[i]);
    }
    if (test_env_has_library(&env, "onednn")) {
        /* NCHW at ResNet-like channel counts: 1x1 as a brgemm matmul on the caller's layout, the
         * others on oneDNN's blocked/NHWC kernels with the activations (and the residual)
         * reordered inside the op; never its plain-nchw gemm:jit fallback. The bias is a
         * post-op whose index moves with the residual: both with and without. */
        const uint32_t ep = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU;
        const char *want = "activations reordered in and out", *mm = "1x1 NCHW as matmul brg:";
        conv_case_want(&env, "onednn", ACCEL_LAYOUT_NCHW, F32, 2, 64, 14, 14, 32, 1, 1, 1, 0, 1, ep, 1, mm);
        conv_case_want(&env, "onednn", ACCEL_LAYOUT_NCHW, F32, 2, 64, 14, 14, 32, 1, 1, 1, 0, 1,
                       ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU, 1, mm);
        conv_case_want(&env, "onednn", ACCEL_LAYOUT_NCHW, BF16, 2, 64, 14, 14, 32, 1, 1, 1, 0, 1, ep, 1, mm);
        /* the residual read by the epilogue, and in place (Y bound as the residual too: a binary
         * post-op reading Y while brgemm accumulates K blocks in it would add partial sums; 640
         * input channels take several K blocks) */
        conv_case_want(&env, "onednn", ACCEL_LAYOUT_NCHW, F32, 2, 64, 14, 14, 32, 1, 1, 1, 0, 1, ep, 1,
                       "residual in epilogue");
        conv_case_full(&env, "onednn", ACCEL_LAYOUT_NCHW, F32, 2, 640, 7, 7, 48, 1, 1, 1, 0, 1, ep, 1, mm, 1);
        conv_case_full(&env, "onednn", ACCEL_LAYOUT_NCHW, BF16, 2, 640, 7, 7, 48, 1, 1, 1, 0, 1, ep, 1, mm, 1);
        conv_case_want(&env, "onednn", ACCEL_LAYOUT_NCHW, F32, 2, 64, 14, 14, 32, 1, 1, 1, 0, 1, 0, 1, mm);
        conv_case_want(&env, "onednn", ACCEL_LAYOUT_NCHW, F32, 2, 32, 14, 14, 32, 3, 3, 1, 1, 1, ep, 1, want);
        conv_case_want(&env, "onednn", ACCEL_LAYOUT_NCHW, BF16, 2, 32, 14, 14, 64, 3, 3, 2, 1, 1, ep, 1, want);
    }
    if (test_env_has_library(&env, "openblas"))
        conv_case(&env, "openblas", ACCEL_LAYOUT_NHWC, F32, 1, 2, 4, 4, 2, 1, 1, 1, 0, 1, 0, 0);
    conv_case(&env, "accel", ACCEL_LAYOUT_NHWC, F32, 1, 2, 4, 4, 2, 1, 1, 1, 0, 1, 0, 1);
    conv_case(&env, "accel", ACCEL_LAYOUT_NCHW, F16, 1, 3, 5, 5, 4, 3, 3, 1, 1, 1,
              ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU, 1);
    /* 17 MB of im2col columns per image: the accel path runs one image per pass, three passes */
    const uint32_t all_ep = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU;
    conv_case(&env, "accel", ACCEL_LAYOUT_NHWC, F32, 3, 64, 86, 86, 4, 3, 3, 1, 1, 1, all_ep, 1);
    conv_case(&env, "accel", ACCEL_LAYOUT_NCHW, F32, 3, 64, 86, 86, 4, 3, 3, 1, 1, 1, all_ep, 1);

    const accel_dtype types[3] = {F32, BF16, F16};
    for (int ti = 0; ti < 3; ti++) {
        const accel_dtype t = types[ti];
        layernorm_case(&env, t, 0, 0);
        layernorm_case(&env, t, 1, 0);
        layernorm_case(&env, t, 1, 1);
        softmax_case(&env, t, 0, 0);
        softmax_case(&env, t, 1, 0);
        softmax_case(&env, t, 1, 1);
        for (int k = ACCEL_ELTWISE_COPY; k <= ACCEL_ELTWISE_GELU_TANH_BACKWARD; k++)
            eltwise_case(&env, t, (accel_eltwise_kind)k);
        const int64_t qkv[5] = {2, 7, 3, 4, 5};
        const int qkv_perm[5] = {2, 0, 3, 1, 4};
        permute_case(&env, t, 5, qkv, qkv_perm);
    }
    const int64_t d3[3] = {37, 45, 3};
    const int p3[3] = {2, 1, 0};
    permute_case(&env, F32, 3, d3, p3);
    const int64_t d2[2] = {70, 33};
    const int p2[2] = {1, 0};
    permute_case(&env, BF16, 2, d2, p2);
    const int64_t d6[6] = {2, 3, 4, 5, 3, 2};
    const int p6[6] = {5, 3, 1, 0, 4, 2};
    permute_case(&env, F32, 6, d6, p6);
    softmax_no_subnormals(&env);
    training_span_tests(&env);
    test_env_close(&env);
    return test_finish("cpu_ops_test");
}
