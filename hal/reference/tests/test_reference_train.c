/* The training ops' fp64 references against the forward references they differentiate: central
 * finite differences of L = sum(G * forward(inputs)) in fp64 storage must match what each backward
 * reference returns, and the conv backward passes must be the exact adjoints of conv2d. The
 * optimizer and loss-scaling references are checked against hand-computed values. */
#include "accel/reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* |got - want| <= tol (|want| + 1e-3): relative, with a floor for gradients near zero. */
static void check_close(const char *what, int64_t i, double got, double want, double tol) {
    if (!(fabs(got - want) <= tol * (fabs(want) + 1e-3))) {
        fprintf(stderr, "%s[%lld] = %.12g, finite differences give %.12g\n", what, (long long)i, got, want);
        failures++;
    }
}

static double *random_f64(int64_t n, uint64_t seed, double lo, double hi) {
    double *p = malloc(sizeof(double) * (size_t)n);
    accel_ref_fill_random(ACCEL_DTYPE_F64, p, n, seed, lo, hi);
    return p;
}

static double dot(const double *a, const double *b, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

#define FD_H 1e-5
#define FD_TOL 1e-6

static void test_eltwise_backward(void) {
    const accel_eltwise_kind fwd[3] = {ACCEL_ELTWISE_RELU, ACCEL_ELTWISE_GELU_ERF, ACCEL_ELTWISE_GELU_TANH};
    const accel_eltwise_kind bwd[3] = {ACCEL_ELTWISE_RELU_BACKWARD, ACCEL_ELTWISE_GELU_ERF_BACKWARD,
                                       ACCEL_ELTWISE_GELU_TANH_BACKWARD};
    enum { N = 41 };
    double x[N], z[N], grad[N], lo[N], hi[N], xl[N], xh[N];
    for (int i = 0; i < N; i++) {
        x[i] = -4.0 + 8.0 * i / (N - 1) + 0.0137; /* away from relu's kink at 0 */
        z[i] = 0.5 + 0.01 * i;
        xl[i] = x[i] - FD_H, xh[i] = x[i] + FD_H;
    }
    for (int k = 0; k < 3; k++) {
        accel_eltwise_desc f = {.kind = fwd[k], .dtype = ACCEL_DTYPE_F64, .count = N};
        accel_eltwise_desc b = {.kind = bwd[k], .dtype = ACCEL_DTYPE_F64, .count = N};
        accel_ref_eltwise(&b, x, z, grad);
        accel_ref_eltwise(&f, xl, NULL, lo);
        accel_ref_eltwise(&f, xh, NULL, hi);
        for (int i = 0; i < N; i++) check_close("eltwise backward", k * 100 + i, grad[i], z[i] * (hi[i] - lo[i]) / (2 * FD_H), FD_TOL);
    }
}

/* dL/dv[i] by central differences, L = sum(G * Y(v)) where eval(v, Y) runs the forward. */
typedef void (*forward_fn)(const void *ctx, const double *v, double *Y);
static void fd_gradient_h(forward_fn eval, const void *ctx, double *v, int64_t n, const double *G, int64_t ny,
                          double h, double *out) {
    double *y = malloc(sizeof(double) * (size_t)ny);
    for (int64_t i = 0; i < n; i++) {
        const double keep = v[i];
        v[i] = keep + h;
        eval(ctx, v, y);
        const double up = dot(G, y, ny);
        v[i] = keep - h;
        eval(ctx, v, y);
        const double down = dot(G, y, ny);
        v[i] = keep;
        out[i] = (up - down) / (2 * h);
    }
    free(y);
}
static void fd_gradient(forward_fn eval, const void *ctx, double *v, int64_t n, const double *G, int64_t ny,
                        double *out) {
    fd_gradient_h(eval, ctx, v, n, G, ny, FD_H, out);
}

typedef struct ln_ctx {
    accel_layernorm_desc d;
    double *x, *gamma, *beta;
    int which; /* 0: v is X, 1: gamma, 2: beta */
} ln_ctx;
static void ln_forward(const void *p, const double *v, double *Y) {
    const ln_ctx *c = p;
    accel_ref_layernorm(&c->d, c->which == 0 ? v : c->x, NULL, c->which == 1 ? v : c->gamma, c->which == 2 ? v : c->beta, Y);
}

static void test_layernorm_backward(void) {
    const int64_t R = 3, C = 7;
    ln_ctx c = {{ACCEL_DTYPE_F64, R, C, 1e-5, 0}, random_f64(R * C, 1, -2, 2), random_f64(C, 2, 0.5, 1.5),
                random_f64(C, 3, -1, 1), 0};
    double *G = random_f64(R * C, 4, -1, 1);
    double dX[21], dgamma[7], dbeta[7], fd[21];
    accel_layernorm_backward_desc b = {ACCEL_DTYPE_F64, R, C, 1e-5, 0};
    accel_ref_layernorm_backward(&b, c.x, c.gamma, G, dX, dgamma, dbeta);
    c.which = 0;
    fd_gradient(ln_forward, &c, c.x, R * C, G, R * C, fd);
    for (int64_t i = 0; i < R * C; i++) check_close("layernorm dX", i, dX[i], fd[i], FD_TOL);
    c.which = 1;
    fd_gradient(ln_forward, &c, c.gamma, C, G, R * C, fd);
    for (int64_t i = 0; i < C; i++) check_close("layernorm dgamma", i, dgamma[i], fd[i], FD_TOL);
    c.which = 2;
    fd_gradient(ln_forward, &c, c.beta, C, G, R * C, fd);
    for (int64_t i = 0; i < C; i++) check_close("layernorm dbeta", i, dbeta[i], fd[i], FD_TOL);
    free(c.x), free(c.gamma), free(c.beta), free(G);
}

typedef struct sm_ctx {
    accel_softmax_desc d;
} sm_ctx;
static void sm_forward(const void *p, const double *v, double *Y) { accel_ref_softmax(&((const sm_ctx *)p)->d, v, NULL, Y); }

static void test_softmax_backward(void) {
    const int64_t R = 4, C = 9;
    sm_ctx c = {{ACCEL_DTYPE_F64, R, C, 0.37, 0}};
    double *x = random_f64(R * C, 5, -3, 3), *G = random_f64(R * C, 6, -1, 1);
    double y[36], dX[36], fd[36];
    accel_ref_softmax(&c.d, x, NULL, y);
    accel_ref_softmax_backward(&c.d, y, G, dX);
    fd_gradient(sm_forward, &c, x, R * C, G, R * C, fd);
    for (int64_t i = 0; i < R * C; i++) check_close("softmax dX", i, dX[i], fd[i], FD_TOL);
    free(x), free(G);
}

static void test_reduce(void) {
    /* [outer 2, channels 3, inner 2], x = 100 o + 10 c + i */
    double x[12], y[3];
    for (int o = 0; o < 2; o++)
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 2; i++) x[(o * 3 + c) * 2 + i] = 100 * o + 10 * c + i;
    accel_reduce_desc d = {ACCEL_DTYPE_F64, ACCEL_DTYPE_F64, 2, 3, 2, 0};
    accel_ref_reduce(&d, x, y);
    for (int c = 0; c < 3; c++) CHECK(y[c] == 200 + 40 * c + 2); /* (0+100)*2 + 10c*4 + (0+1)*2 */
}

typedef struct bn_ctx {
    accel_batchnorm_desc d;
    double *x;
    float *gamma, *beta;
    int which; /* 0: X, 1: gamma, 2: beta */
} bn_ctx;
static void bn_forward(const void *p, const double *v, double *Y) {
    const bn_ctx *c = p;
    float g[8], b[8], rm[8] = {0}, rv[8] = {0};
    double nrm[8], nrv[8], sm[8], si[8];
    for (int64_t k = 0; k < c->d.c; k++) {
        g[k] = c->which == 1 ? (float)v[k] : c->gamma[k];
        b[k] = c->which == 2 ? (float)v[k] : c->beta[k];
    }
    /* gamma and beta are fp32 in the op: differentiate through doubles that fp32 holds exactly */
    accel_ref_batchnorm(&c->d, c->which == 0 ? v : c->x, g, b, rm, rv, Y, nrm, nrv, sm, si);
}

static void test_batchnorm(accel_layout layout) {
    const int64_t N = 2, C = 3, H = 2, W = 3, T = N * C * H * W;
    bn_ctx c = {{layout, ACCEL_DTYPE_F64, N, C, H, W, 1e-5, 0.1}, random_f64(T, 7, -2, 2), NULL, NULL, 0};
    float gamma[3] = {0.75f, 1.25f, -0.5f}, beta[3] = {0.125f, -0.25f, 0.5f}, rm[3] = {1, 2, 3}, rv[3] = {4, 5, 6};
    c.gamma = gamma, c.beta = beta;
    double *G = random_f64(T, 8, -1, 1), *y = malloc(sizeof(double) * (size_t)T);
    double nrm[3], nrv[3], sm[3], si[3];
    accel_ref_batchnorm(&c.d, c.x, gamma, beta, rm, rv, y, nrm, nrv, sm, si);
    /* The statistics by hand, channel 1 in either layout. */
    double mean = 0, var = 0;
    for (int64_t n = 0; n < N; n++)
        for (int64_t hw = 0; hw < H * W; hw++)
            mean += c.x[layout == ACCEL_LAYOUT_NHWC ? (n * H * W + hw) * C + 1 : (n * C + 1) * H * W + hw];
    mean /= N * H * W;
    for (int64_t n = 0; n < N; n++)
        for (int64_t hw = 0; hw < H * W; hw++) {
            const double t = c.x[layout == ACCEL_LAYOUT_NHWC ? (n * H * W + hw) * C + 1 : (n * C + 1) * H * W + hw] - mean;
            var += t * t;
        }
    var /= N * H * W;
    CHECK(fabs(sm[1] - mean) < 1e-12 && fabs(si[1] - 1 / sqrt(var + 1e-5)) < 1e-9);
    CHECK(fabs(nrm[1] - (0.9 * 2 + 0.1 * mean)) < 1e-12);
    CHECK(fabs(nrv[1] - (0.9 * 5 + 0.1 * var * 12 / 11)) < 1e-12);

    float smf[3], sif[3];
    for (int k = 0; k < 3; k++) smf[k] = (float)sm[k], sif[k] = (float)si[k];
    double *dX = malloc(sizeof(double) * (size_t)T), *fd = malloc(sizeof(double) * (size_t)T), dg[3], db[3];
    accel_ref_batchnorm_backward(&c.d, c.x, gamma, G, smf, sif, dX, dg, db);
    c.which = 0;
    fd_gradient(bn_forward, &c, c.x, T, G, T, fd);
    /* the saved statistics are fp32, as the op keeps them: 1e-5 relative */
    for (int64_t i = 0; i < T; i++) check_close("batchnorm dX", i, dX[i], fd[i], 1e-5);
    /* Y is linear in gamma and beta, which the op holds in fp32: a step of 0.5 is exact there. */
    double gv[3] = {gamma[0], gamma[1], gamma[2]}, bv[3] = {beta[0], beta[1], beta[2]};
    c.which = 1;
    fd_gradient_h(bn_forward, &c, gv, C, G, T, 0.5, fd);
    for (int64_t i = 0; i < C; i++) check_close("batchnorm dgamma", i, dg[i], fd[i], 1e-5);
    c.which = 2;
    fd_gradient_h(bn_forward, &c, bv, C, G, T, 0.5, fd);
    for (int64_t i = 0; i < C; i++) check_close("batchnorm dbeta", i, db[i], fd[i], 1e-5);
    free(c.x), free(G), free(y), free(dX), free(fd);
}

/* <conv(X, W), G> = <X, backward_data(G, W)> = <W, backward_weights(X, G)>: exact adjoints. */
static void test_conv_backward(accel_layout layout, int64_t stride, int64_t pad, int64_t dil) {
    accel_conv2d_desc d = {.layout = layout, .x_type = ACCEL_DTYPE_F64, .w_type = ACCEL_DTYPE_F64,
                           .y_type = ACCEL_DTYPE_F64, .n = 2, .c = 3, .h = 7, .w = 6, .k = 4, .r = 3, .s = 2,
                           .stride_h = stride, .stride_w = stride, .pad_h = pad, .pad_w = pad, .dil_h = dil,
                           .dil_w = dil};
    int64_t P, Q;
    accel_ref_conv2d_out_hw(&d, &P, &Q);
    const int64_t nx = d.n * d.c * d.h * d.w, nw = d.k * d.c * d.r * d.s, ny = d.n * d.k * P * Q;
    double *x = random_f64(nx, 11, -1, 1), *w = random_f64(nw, 12, -1, 1), *g = random_f64(ny, 13, -1, 1);
    double *y = malloc(sizeof(double) * (size_t)ny), *dx = malloc(sizeof(double) * (size_t)nx);
    double *dw = malloc(sizeof(double) * (size_t)nw);
    accel_ref_conv2d(&d, x, w, NULL, NULL, y);
    accel_ref_conv2d_backward_data(&d, g, w, dx);
    accel_ref_conv2d_backward_weights(&d, x, g, dw);
    const double l = dot(y, g, ny), lx = dot(x, dx, nx), lw = dot(w, dw, nw);
    if (!(fabs(l - lx) <= 1e-12 * (fabs(l) + 1) && fabs(l - lw) <= 1e-12 * (fabs(l) + 1))) {
        fprintf(stderr, "conv backward (layout %d stride %lld pad %lld dil %lld): <y,g> %.17g, <x,dx> %.17g, <w,dw> %.17g\n",
                (int)layout, (long long)stride, (long long)pad, (long long)dil, l, lx, lw);
        failures++;
    }
    free(x), free(w), free(g), free(y), free(dx), free(dw);
}

static void test_adamw(void) {
    /* one parameter by hand: p 1, g 0.5, m 0.1, v 0.01, step 3 */
    accel_adamw_desc d = {ACCEL_DTYPE_F32, ACCEL_DTYPE_INVALID, 1, 1e-3, 0.9, 0.999, 1e-8, 0.01, 3};
    const float p = 1.0f, m = 0.1f, v = 0.01f, g = 0.5f;
    double np, nm, nv;
    accel_ref_adamw(&d, &p, &g, &m, &v, 0, &np, &nm, &nv);
    const double em = 0.9 * 0.1f + 0.1 * 0.5, ev = 0.999 * 0.01f + 0.001 * 0.25;
    const double mh = em / (1 - pow(0.9, 3)), vh = ev / (1 - pow(0.999, 3));
    CHECK(fabs(nm - em) < 1e-15 && fabs(nv - ev) < 1e-15);
    CHECK(fabs(np - (1.0 - 1e-3 * (0.01 * 1.0 + mh / (sqrt(vh) + 1e-8)))) < 1e-15);
    accel_ref_adamw(&d, &p, &g, &m, &v, 1, &np, &nm, &nv); /* an overflowing step changes nothing */
    CHECK(np == p && nm == m && nv == v);
}

static void test_amp(void) {
    uint16_t h[3] = {accel_ref_f32_to_f16(60000.0f), accel_ref_f32_to_f16(1.0f), accel_ref_f32_to_f16(-2.0f)};
    double y[3];
    accel_amp_scale_desc up = {ACCEL_DTYPE_F16, 3, 0}, up2 = {ACCEL_DTYPE_F16, 2, 0}, down2 = {ACCEL_DTYPE_F16, 2, 1};
    CHECK(accel_ref_amp_scale(&up, h, 2.0f, y) == 1); /* 120000 is beyond f16 */
    CHECK(accel_ref_amp_scale(&up2, h + 1, 2.0f, y) == 0 && y[0] == 2.0 && y[1] == -4.0);
    CHECK(accel_ref_amp_scale(&down2, h + 1, 4.0f, y) == 0 && y[0] == 0.25 && y[1] == -0.5);
    accel_amp_update_desc u = {2.0, 0.5, 3};
    float scale = 1024.0f;
    int32_t tracker = 0, found = 0, skipped = 0;
    for (int i = 0; i < 3; i++) accel_ref_amp_update_scale(&u, &scale, &tracker, &found, &skipped);
    CHECK(scale == 2048.0f && tracker == 0 && skipped == 0); /* grows after 3 clean steps */
    found = 1;
    accel_ref_amp_update_scale(&u, &scale, &tracker, &found, &skipped);
    CHECK(scale == 1024.0f && tracker == 0 && skipped == 1 && found == 0);
    accel_ref_amp_update_scale(&u, &scale, &tracker, &found, NULL);
    CHECK(scale == 1024.0f && tracker == 1);
}

int main(void) {
    test_eltwise_backward();
    test_layernorm_backward();
    test_softmax_backward();
    test_reduce();
    test_batchnorm(ACCEL_LAYOUT_NCHW);
    test_batchnorm(ACCEL_LAYOUT_NHWC);
    test_conv_backward(ACCEL_LAYOUT_NCHW, 1, 1, 1);
    test_conv_backward(ACCEL_LAYOUT_NHWC, 2, 1, 1);
    test_conv_backward(ACCEL_LAYOUT_NCHW, 2, 0, 2);
    test_conv_backward(ACCEL_LAYOUT_NHWC, 1, 2, 2);
    test_adamw();
    test_amp();
    if (failures) {
        fprintf(stderr, "%d training reference check(s) failed\n", failures);
        return 1;
    }
    printf("training references: every backward matches finite differences of its forward\n");
    return 0;
}
