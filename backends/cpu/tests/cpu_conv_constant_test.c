/* The constant-weights hint on oneDNN convolutions (accel_conv2d_desc.w_constant, ABI 1.4): with it
 * the plan keeps the reordered weights of a binding and does not read W again, which a write
 * through W's host pointer makes visible (the hint's contract says such a write gives stale
 * results); binding another buffer, another offset, or a new buffer that may sit at a freed one's
 * address reorders again. Without the hint every run reads W (a rewrite is seen at once). */
#include <string.h>

#include "cpu_test_util.h"

#define F32 ACCEL_DTYPE_F32
#define BF16 ACCEL_DTYPE_BF16

typedef struct conv_fixture {
    test_env *env;
    accel_op_desc desc;
    accel_op_plan *plan;
    accel_buffer *x, *bias, *y, *ws;
    void *X, *B, *Y;
    double *ref;
    int64_t nx, nw, ny;
    size_t e;
    char label[96];
} conv_fixture;

static double threshold(accel_dtype t) { return t == F32 ? 2e-6 : 5e-3; }

static void *random_tensor(accel_dtype t, int64_t count, uint64_t seed) {
    void *p = malloc((size_t)count * accel_dtype_size(t) + 1);
    accel_ref_fill_random(t, p, count, seed, -1, 1);
    return p;
}

/* Runs the plan with W bound at (w, off) and returns Y's normwise error against the reference of
 * the weights `expect` (host copy). */
static double run_against(conv_fixture *f, accel_buffer *w, size_t off, const void *expect) {
    const accel_conv2d_desc *d = &f->desc.u.conv2d;
    accel_buffer_ref ops[5] = {{f->x, 0}, {w, off}, {f->bias, 0}, {NULL, 0}, {f->y, 0}};
    accel_buffer_ref wref = {f->ws, 0};
    CHECK_OK(accel_op_plan_execute(f->plan, f->env->stream, ops, 5, wref));
    CHECK_OK(accel_stream_synchronize(f->env->stream));
    test_download(f->env, f->y, f->Y, (size_t)f->ny * f->e);
    accel_ref_conv2d(d, f->X, expect, f->B, NULL, f->ref);
    return accel_ref_normwise_rel_err(d->y_type, f->Y, f->ref, f->ny);
}

static void expect_match(conv_fixture *f, const char *step, double err) {
    const accel_dtype t = f->desc.u.conv2d.y_type;
    CHECK(err <= threshold(t), "%s %s: Y off the expected weights' reference (normwise %.3g)", f->label,
          step, err);
}

static void expect_differ(conv_fixture *f, const char *step, double err) {
    const accel_dtype t = f->desc.u.conv2d.y_type;
    CHECK(err > 100 * threshold(t), "%s %s: Y matches weights the plan should not have read (normwise %.3g)",
          f->label, step, err);
}

static void constant_case(test_env *env, accel_layout layout, accel_dtype t, int constant) {
    conv_fixture f;
    memset(&f, 0, sizeof f);
    f.env = env;
    f.desc.kind = ACCEL_OP_CONV2D;
    snprintf(f.desc.library, sizeof f.desc.library, "onednn");
    accel_conv2d_desc *d = &f.desc.u.conv2d;
    *d = (accel_conv2d_desc){.layout = layout, .x_type = t, .w_type = t, .y_type = t, .n = 2, .c = 32,
                             .h = 9, .w = 9, .k = 48, .r = 3, .s = 3, .stride_h = 1, .stride_w = 1,
                             .pad_h = 1, .pad_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1,
                             .epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU, .w_constant = constant};
    snprintf(f.label, sizeof f.label, "[%s %s w_constant=%d]", layout == ACCEL_LAYOUT_NHWC ? "nhwc" : "nchw",
             accel_dtype_name(t), constant);
    f.e = accel_dtype_size(t);
    f.nx = d->n * d->c * d->h * d->w;
    f.nw = d->k * d->c * d->r * d->s;
    f.ny = d->n * d->k * d->h * d->w;
    const size_t wb = (size_t)f.nw * f.e;
    f.X = random_tensor(t, f.nx, 31);
    f.B = random_tensor(t, d->k, 32);
    void *W[6];
    for (int i = 0; i < 6; i++) W[i] = random_tensor(t, f.nw, 40 + (uint64_t)i);
    f.Y = malloc((size_t)f.ny * f.e);
    f.ref = malloc((size_t)f.ny * sizeof(double));
    f.x = test_upload(env, f.X, (size_t)f.nx * f.e);
    f.bias = test_upload(env, f.B, (size_t)d->k * f.e);
    f.y = test_alloc(env, (size_t)f.ny * f.e);
    CHECK_OK(accel_op_plan_create(env->dev, &f.desc, &f.plan));
    if (!f.plan) goto out;
    const char *algo = accel_op_plan_algorithm(f.plan);
    printf("%s %s\n", f.label, algo);
    CHECK(strstr(algo, constant ? "weights kept (w_constant)" : "weights reordered per execute") != NULL,
          "%s: algorithm \"%s\"", f.label, algo);
    const size_t wsb = accel_op_plan_workspace_size(f.plan);
    f.ws = wsb ? test_alloc(env, wsb) : NULL;

    /* wa is larger than glibc's largest mmap threshold (32 MiB), so it is mapped on its own and a
     * mapping of the same size made right after its free usually lands at its address */
    const size_t big = (size_t)40 << 20;
    accel_buffer *wa = test_alloc(env, big), *wbuf = test_upload(env, W[2], wb);
    void *host_a = NULL;
    CHECK_OK(accel_buffer_host_ptr(wa, &host_a));
    if (!host_a) goto free_w;
    memcpy(host_a, W[0], wb);
    expect_match(&f, "first run", run_against(&f, wa, 0, W[0]));
    /* W rewritten through its host pointer, the binding unchanged */
    memcpy(host_a, W[1], wb);
    if (constant) {
        double err = run_against(&f, wa, 0, W[0]);
        expect_match(&f, "after a host write (kept copy)", err);
        expect_differ(&f, "after a host write (kept copy)", run_against(&f, wa, 0, W[1]));
    } else {
        expect_match(&f, "after a host write", run_against(&f, wa, 0, W[1]));
    }
    expect_match(&f, "another buffer", run_against(&f, wbuf, 0, W[2]));
    expect_match(&f, "the first buffer again", run_against(&f, wa, 0, W[1]));
    /* a new buffer at the address of the freed one the plan last ran on, holding other weights: an
     * address-only key would take the kept copy for it */
    void *old_host = NULL;
    CHECK_OK(accel_buffer_host_ptr(wa, &old_host));
    accel_buffer_free(wa);
    accel_buffer *tries[4] = {NULL, NULL, NULL, NULL};
    wa = NULL;
    for (int i = 0; i < 4 && !wa; i++) {
        tries[i] = test_alloc(env, big);
        void *h = NULL;
        CHECK_OK(accel_buffer_host_ptr(tries[i], &h));
        if (h) memcpy(h, W[5], wb);
        if (h == old_host) {
            wa = tries[i];
            tries[i] = NULL;
        }
    }
    for (int i = 0; i < 4; i++) accel_buffer_free(tries[i]);
    printf("%s a new buffer %s the freed one's address\n", f.label, wa ? "at" : "never at");
    if (!wa) wa = test_upload(env, W[5], wb);
    expect_match(&f, "a new buffer after a free", run_against(&f, wa, 0, W[5]));
    /* another offset in one buffer */
    accel_buffer *two = test_alloc(env, 2 * wb);
    void *host_two = NULL;
    CHECK_OK(accel_buffer_host_ptr(two, &host_two));
    if (host_two) {
        memcpy(host_two, W[3], wb);
        memcpy((char *)host_two + wb, W[4], wb);
        expect_match(&f, "offset 0", run_against(&f, two, 0, W[3]));
        expect_match(&f, "another offset", run_against(&f, two, wb, W[4]));
    }
    accel_buffer_free(two);
free_w:
    accel_buffer_free(wa);
    accel_buffer_free(wbuf);
out:
    accel_op_plan_destroy(f.plan);
    accel_buffer_free(f.ws);
    accel_buffer_free(f.x);
    accel_buffer_free(f.bias);
    accel_buffer_free(f.y);
    for (int i = 0; i < 6; i++) free(W[i]);
    free(f.X);
    free(f.B);
    free(f.Y);
    free(f.ref);
}

int main(void) {
    test_env env;
    test_env_open(&env);
    if (!test_env_has_library(&env, "onednn")) {
        printf("cpu_conv_constant_test: oneDNN not built in: nothing to check\n");
        test_env_close(&env);
        return test_finish("cpu_conv_constant_test");
    }
    for (int l = 0; l < 2; l++)
        for (int constant = 0; constant < 2; constant++) {
            const accel_layout layout = l ? ACCEL_LAYOUT_NHWC : ACCEL_LAYOUT_NCHW;
            constant_case(&env, layout, F32, constant);
            constant_case(&env, layout, BF16, constant);
        }
    test_env_close(&env);
    return test_finish("cpu_conv_constant_test");
}
