/* Every level_zero op plan computed for real and checked against the fp64 reference: the plugin runs
 * its Level Zero path against the executing mock driver (mock_ze_driver.c + mock_ze_opencl.c), which
 * runs each launch on the OpenCL device from the source and -D options of the SPIR-V image the plugin
 * chose, with the plugin's arguments and geometry. Wrong offsets, strides, flags, variants or grids
 * show up as numerical errors here. --fill-only: only the fill paths (run with MOCK_ZE_FILL_MAX=4 to
 * send 16-byte patterns through our fill_pattern kernel). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "accel/reference.h"

static int failures;
static accel_device *dev;
static accel_stream *stream;

static double tolerance(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 ? 2e-5 : t == ACCEL_DTYPE_F16 ? 2e-3 : 1.6e-2;
}

typedef void (*reference_fn)(const accel_op_desc *d, void *const in[], double *out);

static void ref_gemm(const accel_op_desc *d, void *const in[], double *out) {
    const accel_gemm_desc *g = &d->u.gemm;
    int64_t batch = g->batch > 0 ? g->batch : 1;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t i = 0; i < g->m; i++)
            for (int64_t j = 0; j < g->n; j++) {
                double v, abs_sum;
                accel_ref_gemm_element(g, in[0], in[1], in[2], in[4], b, i, j, &v, &abs_sum);
                out[(b * g->m + i) * g->n + j] = v;
            }
}
static void ref_conv(const accel_op_desc *d, void *const in[], double *out) {
    accel_ref_conv2d(&d->u.conv2d, in[0], in[1], in[2], in[3], out);
}
static void ref_layernorm(const accel_op_desc *d, void *const in[], double *out) {
    accel_ref_layernorm(&d->u.layernorm, in[0], in[1], in[2], in[3], out);
}
static void ref_softmax(const accel_op_desc *d, void *const in[], double *out) {
    accel_ref_softmax(&d->u.softmax, in[0], in[1], out);
}
static void ref_attention(const accel_op_desc *d, void *const in[], double *out) {
    accel_ref_attention(&d->u.attention, in[0], in[1], in[2], in[3], out);
}
static void ref_eltwise(const accel_op_desc *d, void *const in[], double *out) {
    accel_ref_eltwise(&d->u.eltwise, in[0], in[1], out);
}
static void ref_permute(const accel_op_desc *d, void *const in[], double *out) {
    accel_ref_permute(&d->u.permute, in[0], out);
}

/* types[i]: storage of operand i; output: the operand written. Inputs get seeded random values. */
static void run_case(const char *label, const accel_op_desc *desc, const accel_dtype types[],
                     int output, reference_fn ref) {
    int n = accel_op_operand_count(desc->kind);
    void *host[ACCEL_OP_MAX_OPERANDS] = {0};
    accel_buffer *bufs[ACCEL_OP_MAX_OPERANDS] = {0};
    accel_buffer_ref refs[ACCEL_OP_MAX_OPERANDS];
    size_t bytes[ACCEL_OP_MAX_OPERANDS] = {0};
    const size_t offset = 384; /* operands start inside their allocations */
    accel_op_plan *plan = NULL;
    double *expect = NULL;
    int ok = accel_op_plan_create(dev, desc, &plan) == ACCEL_OK;
    if (!ok) fprintf(stderr, "%s: plan: %s\n", label, accel_last_error());
    for (int i = 0; ok && i < n; i++) {
        refs[i] = (accel_buffer_ref){NULL, 0};
        if (accel_op_operand_bytes(desc, i, &bytes[i]) != ACCEL_OK || bytes[i] == 0) continue;
        host[i] = calloc(1, bytes[i]);
        ok = host[i] && accel_buffer_alloc(dev, bytes[i] + offset, ACCEL_MEMORY_DEVICE, &bufs[i]) == ACCEL_OK;
        if (!ok) break;
        refs[i] = (accel_buffer_ref){bufs[i], offset};
        size_t es = accel_dtype_size(types[i]);
        if (i != output) accel_ref_fill_random(types[i], host[i], (int64_t)(bytes[i] / es), 1000u + (uint64_t)i, -1.0, 1.0);
        ok = accel_buffer_write(stream, bufs[i], offset, host[i], bytes[i]) == ACCEL_OK;
    }
    accel_timer *timer = NULL;
    if (ok) ok = accel_timer_create(dev, &timer) == ACCEL_OK && accel_timer_begin(timer, stream) == ACCEL_OK;
    if (ok) ok = accel_op_plan_execute(plan, stream, refs, (size_t)n, (accel_buffer_ref){NULL, 0}) == ACCEL_OK;
    if (ok) ok = accel_timer_end(timer, stream) == ACCEL_OK;
    if (ok) ok = accel_buffer_read(stream, bufs[output], offset, host[output], bytes[output]) == ACCEL_OK;
    if (ok) ok = accel_stream_synchronize(stream) == ACCEL_OK;
    double ms = -1;
    if (ok) ok = accel_timer_elapsed_ms(timer, &ms) == ACCEL_OK && ms >= 0 && ms < 600000;
    if (!ok) {
        fprintf(stderr, "FAIL %s: %s\n", label, accel_last_error());
        failures++;
    } else {
        int64_t count = (int64_t)(bytes[output] / accel_dtype_size(types[output]));
        expect = calloc((size_t)count, sizeof *expect);
        ref(desc, host, expect);
        double err = accel_ref_normwise_rel_err(types[output], host[output], expect, count);
        int pass = err <= tolerance(types[output]);
        printf("%-4s %-26s rel err %.2e (tol %.1e)  %8.3f ms  %s\n", pass ? "ok" : "FAIL", label, err,
               tolerance(types[output]), ms, accel_op_plan_algorithm(plan));
        if (!pass) failures++;
    }
    accel_timer_destroy(timer);
    for (int i = 0; i < n; i++) {
        accel_buffer_free(bufs[i]);
        free(host[i]);
    }
    free(expect);
    accel_op_plan_destroy(plan);
}

static void check_gemm(void) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_GEMM;
    accel_gemm_desc *g = &d.u.gemm;
    g->a_type = g->b_type = g->c_type = g->d_type = ACCEL_DTYPE_F32;
    g->m = 67, g->n = 45, g->k = 33, g->batch = 2, g->alpha = 0.75, g->beta = 0.5;
    g->epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF;
    accel_dtype f32[5] = {ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32};
    run_case("gemm f32 NN beta bias gelu", &d, f32, 3, ref_gemm);
    memset(g, 0, sizeof *g);
    g->a_type = g->b_type = ACCEL_DTYPE_BF16, g->c_type = g->d_type = ACCEL_DTYPE_F32;
    g->trans_a = 1, g->m = 40, g->n = 70, g->k = 50, g->batch = 1, g->alpha = 1.0;
    g->epilogue = ACCEL_EPILOGUE_RELU;
    accel_dtype bf16_f32[5] = {ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32};
    run_case("gemm bf16->f32 TN relu", &d, bf16_f32, 3, ref_gemm);
    memset(g, 0, sizeof *g);
    g->a_type = g->b_type = g->c_type = g->d_type = ACCEL_DTYPE_F16;
    g->trans_b = 1, g->m = 30, g->n = 20, g->k = 70, g->batch = 1, g->alpha = 1.0;
    g->lda = 80, g->ldb = 75; /* padded inputs; D stays packed, as the comparison reads it */
    accel_dtype f16[5] = {ACCEL_DTYPE_F16, ACCEL_DTYPE_F16, ACCEL_DTYPE_F16, ACCEL_DTYPE_F16, ACCEL_DTYPE_F16};
    run_case("gemm f16 NT padded lda/ldb", &d, f16, 3, ref_gemm);
}

static void check_conv(void) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_CONV2D;
    accel_conv2d_desc *c = &d.u.conv2d;
    c->x_type = c->w_type = c->y_type = ACCEL_DTYPE_F32;
    c->n = 2, c->c = 8, c->h = 9, c->w = 7, c->k = 12, c->r = c->s = 3;
    c->stride_h = 2, c->stride_w = 1, c->pad_h = c->pad_w = 1;
    c->epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU;
    accel_dtype f32[5] = {ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32};
    run_case("conv2d nchw f32 s2 bias res", &d, f32, 4, ref_conv);
    c->layout = ACCEL_LAYOUT_NHWC, c->epilogue = ACCEL_EPILOGUE_BIAS;
    run_case("conv2d nhwc f32 bias", &d, f32, 4, ref_conv);
}

static void check_rows(void) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_LAYERNORM;
    d.u.layernorm = (accel_layernorm_desc){ACCEL_DTYPE_F32, 5, 300, 1e-5, 1};
    accel_dtype f32[5] = {ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32};
    run_case("layernorm f32 300 residual", &d, f32, 4, ref_layernorm);
    d.u.layernorm = (accel_layernorm_desc){ACCEL_DTYPE_BF16, 7, 100, 1e-5, 0};
    accel_dtype bf16[5] = {ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16};
    run_case("layernorm bf16 100", &d, bf16, 4, ref_layernorm);

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_SOFTMAX;
    d.u.softmax = (accel_softmax_desc){ACCEL_DTYPE_F32, 24, 50, 0.3, 12};
    accel_dtype sm[3] = {ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32};
    run_case("softmax f32 masked", &d, sm, 2, ref_softmax);

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ATTENTION;
    d.u.attention = (accel_attention_desc){ACCEL_DTYPE_BF16, ACCEL_COMPUTE_DEFAULT, 2, 3, 70, 32, 0.2, 0};
    accel_dtype at[5] = {ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16, ACCEL_DTYPE_F32, ACCEL_DTYPE_BF16};
    run_case("attention bf16 masked", &d, at, 4, ref_attention);
}

static void check_elementwise(void) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ELTWISE;
    d.u.eltwise = (accel_eltwise_desc){ACCEL_ELTWISE_BIAS_ADD, ACCEL_DTYPE_F32, 1000, 100, 1.0, 1.0};
    accel_dtype f32[3] = {ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32};
    run_case("eltwise bias-add f32", &d, f32, 2, ref_eltwise);
    d.u.eltwise = (accel_eltwise_desc){ACCEL_ELTWISE_ADD, ACCEL_DTYPE_F32, 777, 0, 0.5, -2.0};
    run_case("eltwise add f32", &d, f32, 2, ref_eltwise);

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_PERMUTE;
    d.u.permute.dtype = ACCEL_DTYPE_F32;
    d.u.permute.ndims = 4;
    const int64_t dims[4] = {2, 3, 4, 5};
    const int perm[4] = {2, 0, 3, 1};
    memcpy(d.u.permute.dims, dims, sizeof dims);
    memcpy(d.u.permute.perm, perm, sizeof perm);
    run_case("permute f32 4d", &d, f32, 1, ref_permute);
}

static void check_fills(void) {
    enum { BYTES = 1000, OFFSET = 16 };
    accel_buffer *b = NULL;
    unsigned char got[BYTES];
    const unsigned char pattern[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    int ok = accel_buffer_alloc(dev, BYTES + 64, ACCEL_MEMORY_DEVICE, &b) == ACCEL_OK;
    for (size_t size = 4; ok && size <= 16; size *= 2) {
        size_t bytes = BYTES / size * size;
        memset(got, 0, sizeof got);
        ok = accel_buffer_fill(stream, b, OFFSET, bytes, pattern, size) == ACCEL_OK &&
             accel_buffer_read(stream, b, OFFSET, got, bytes) == ACCEL_OK &&
             accel_stream_synchronize(stream) == ACCEL_OK;
        for (size_t i = 0; ok && i < bytes; i++) ok = got[i] == pattern[i % size];
        printf("%-4s fill with a %zu-byte pattern\n", ok ? "ok" : "FAIL", size);
    }
    if (!ok) {
        fprintf(stderr, "FAIL fill: %s\n", accel_last_error());
        failures++;
    }
    accel_buffer_free(b);
}

int main(int argc, char **argv) {
    int fill_only = argc > 1 && strcmp(argv[1], "--fill-only") == 0;
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.backends = "level_zero";
    accel_runtime *rt = NULL;
    if (accel_runtime_open(&opts, &rt) != ACCEL_OK || accel_device_open(rt, "level_zero:0", &dev) != ACCEL_OK ||
        accel_stream_create(dev, &stream) != ACCEL_OK) {
        const accel_backend_report *list = NULL;
        size_t n = 0;
        if (rt) accel_runtime_backends(rt, &list, &n);
        fprintf(stderr, "FAIL: no mock device: %s %s\n", accel_last_error(), n ? list[0].reason : "");
        accel_runtime_close(rt);
        return 1;
    }
    check_fills();
    if (!fill_only) {
        check_gemm();
        check_conv();
        check_rows();
        check_elementwise();
    }
    accel_stream_destroy(stream);
    accel_device_close(dev);
    accel_runtime_close(rt);
    if (failures) {
        fprintf(stderr, "%d case(s) failed\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
