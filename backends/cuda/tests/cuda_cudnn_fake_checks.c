/* cuDNN conv backward through the plugin on the fake driver (cuda_fake_driver_test modes cudnn,
 * cudnn-absent, cudnn-real):
 *   cudnn         fake_cudnn.c is found: the default path plans library "cudnn" (its algorithm and
 *                 workspace said), results match the fp64 reference for fp32 NHWC, bf16 NCHW and
 *                 TF32; ACCEL_CUDA_CONV=kernels gives our kernels with that reason, a bad value is
 *                 refused; a wrong cuDNN result is caught; a device whose cudnnCreate fails falls
 *                 back naming CUDNN_STATUS_NOT_INITIALIZED, and ACCEL_CUDA_CONV=cudnn makes that an error;
 *   cudnn-absent  no libcudnn.so.9 where searched: our kernels, the reason names the search;
 *   cudnn-real    the toolkit's libcudnn.so.9, which cannot make a handle on the fake: our kernels,
 *                 the reason names cudnnCreate's status. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "accel/reference.h"
#include "gpu_host_test.h"

int accel_test_cudnn_checks(accel_runtime *rt, const char *mode);


static accel_conv2d_desc conv(accel_layout layout, accel_dtype t, accel_compute_type compute, int64_t r) {
    accel_conv2d_desc d = {.layout = layout, .x_type = t, .w_type = t, .y_type = t, .compute = compute,
                           .n = 2, .c = 3, .h = 6, .w = 5, .k = 4, .r = r, .s = r, .stride_h = 1, .stride_w = 1,
                           .pad_h = r / 2, .pad_w = r / 2, .dil_h = 1, .dil_w = 1, .groups = 1};
    return d;
}

static void fill(accel_dtype t, void *p, int64_t n, unsigned seed) {
    for (int64_t i = 0; i < n; ++i) {
        seed = seed * 1103515245u + 12345u;
        accel_ref_store(t, p, i, ((double)(seed >> 8 & 0xffff) / 65536.0) - 0.5);
    }
}

typedef struct outcome {
    accel_status plan;
    char library[64];
    char algorithm[256];
    double rel_err; /* normwise, of the result against the fp64 reference; -1 when not run */
} outcome;

/* Plans (and, when planned, runs and checks) one conv backward on dev. */
static outcome run(accel_device *dev, accel_stream *s, accel_op_kind kind, const accel_conv2d_desc *cd,
                   const char *library) {
    outcome o = {.rel_err = -1};
    accel_op_desc d = {.kind = kind};
    d.u.conv2d = *cd;
    snprintf(d.library, sizeof d.library, "%s", library);
    accel_op_plan *plan = NULL;
    o.plan = accel_op_plan_create(dev, &d, &plan);
    if (o.plan != ACCEL_OK) {
        snprintf(o.algorithm, sizeof o.algorithm, "%s", accel_last_error());
        return o;
    }
    snprintf(o.library, sizeof o.library, "%s", accel_op_plan_library(plan));
    snprintf(o.algorithm, sizeof o.algorithm, "%s", accel_op_plan_algorithm(plan));
    int64_t p = 0, q = 0;
    accel_conv2d_out_hw(cd, &p, &q);
    const int weights = kind == ACCEL_OP_CONV2D_BACKWARD_WEIGHTS;
    const int64_t nx = cd->n * cd->c * cd->h * cd->w, nw = cd->k * cd->c * cd->r * cd->s, ny = cd->n * cd->k * p * q;
    const int64_t count[3] = {weights ? nx : ny, weights ? ny : nw, weights ? nw : nx};
    const size_t es = accel_dtype_size(cd->x_type), ws_bytes = accel_op_plan_workspace_size(plan);
    void *host[3] = {NULL, NULL, NULL};
    accel_buffer *buf[3] = {NULL, NULL, NULL}, *ws = NULL;
    accel_status st = ACCEL_OK;
    for (int i = 0; i < 3 && st == ACCEL_OK; ++i) {
        host[i] = calloc((size_t)count[i], es);
        if (i < 2) fill(cd->x_type, host[i], count[i], 7u + (unsigned)i);
        st = accel_buffer_alloc(dev, (size_t)count[i] * es, ACCEL_MEMORY_DEVICE, &buf[i]);
        if (st == ACCEL_OK && i < 2) st = accel_buffer_write(s, buf[i], 0, host[i], (size_t)count[i] * es);
    }
    if (st == ACCEL_OK && ws_bytes) st = accel_buffer_alloc(dev, ws_bytes, ACCEL_MEMORY_DEVICE, &ws);
    const accel_buffer_ref ops[3] = {{buf[0], 0}, {buf[1], 0}, {buf[2], 0}}, wsr = {ws, 0};
    if (st == ACCEL_OK) st = accel_op_plan_execute(plan, s, ops, 3, wsr);
    if (st == ACCEL_OK) st = accel_buffer_read(s, buf[2], 0, host[2], (size_t)count[2] * es);
    if (st == ACCEL_OK) st = accel_stream_synchronize(s);
    EXPECT(st == ACCEL_OK, "running %s through %s: %s", weights ? "dW" : "dX", o.library, accel_status_str(st));
    if (st == ACCEL_OK) {
        double *ref = calloc((size_t)count[2], sizeof *ref), num = 0, den = 0;
        if (weights) accel_ref_conv2d_backward_weights(cd, host[0], host[1], ref);
        else accel_ref_conv2d_backward_data(cd, host[0], host[1], ref);
        for (int64_t i = 0; i < count[2]; ++i) {
            const double e = accel_ref_load(cd->x_type, host[2], i) - ref[i];
            num += e * e, den += ref[i] * ref[i];
        }
        o.rel_err = sqrt(num / (den > 0 ? den : 1));
        free(ref);
    }
    for (int i = 0; i < 3; ++i) free(host[i]), accel_buffer_free(buf[i]);
    accel_buffer_free(ws);
    accel_op_plan_destroy(plan);
    return o;
}

/* Both directions through cuDNN, within tol of the reference. */
static void expect_cudnn(accel_device *dev, accel_stream *s, const accel_conv2d_desc *cd, const char *math, double tol) {
    for (int w = 0; w < 2; ++w) {
        const outcome o = run(dev, s, w ? ACCEL_OP_CONV2D_BACKWARD_WEIGHTS : ACCEL_OP_CONV2D_BACKWARD_DATA, cd, "");
        printf("  %s %s: %s %s err %.2e\n", w ? "dW" : "dX", math, o.library, o.algorithm, o.rel_err);
        EXPECT(o.plan == ACCEL_OK && strcmp(o.library, "cudnn") == 0, "library '%s' (%s)", o.library, o.algorithm);
        EXPECT(strstr(o.algorithm, w ? "bwd-filter algo 1" : "bwd-data algo 1") && strstr(o.algorithm, "ws 1048576") &&
                  strstr(o.algorithm, math) && strstr(o.algorithm, "cuDNN 9.13.0"),
              "algorithm '%s' (want the heuristic's first, its workspace, %s)", o.algorithm, math);
        EXPECT(o.rel_err >= 0 && o.rel_err < tol, "error %.3e over %.1e", o.rel_err, tol);
    }
}

/* The default path on our kernels, with the reason cuDNN was passed over. */
static void expect_kernels(accel_device *dev, accel_stream *s, const char *reason) {
    const accel_conv2d_desc cd = conv(ACCEL_LAYOUT_NHWC, ACCEL_DTYPE_F32, ACCEL_COMPUTE_F32, 3);
    const outcome o = run(dev, s, ACCEL_OP_CONV2D_BACKWARD_DATA, &cd, "");
    printf("  dX fallback: %s %s err %.2e\n", o.library, o.algorithm, o.rel_err);
    EXPECT(o.plan == ACCEL_OK && strcmp(o.library, "accel-cuda") == 0, "library '%s' (%s)", o.library, o.algorithm);
    EXPECT(strstr(o.algorithm, "(cuDNN not used: ") && strstr(o.algorithm, reason), "algorithm '%s' lacks '%s'",
          o.algorithm, reason);
    EXPECT(o.rel_err >= 0 && o.rel_err < 1e-5, "error %.3e", o.rel_err);
}

static int open_device(accel_runtime *rt, accel_device **dev, accel_stream **s) {
    if (accel_device_open(rt, "cuda:0", dev) != ACCEL_OK) return -1;
    if (accel_stream_create(*dev, s) != ACCEL_OK) {
        accel_device_close(*dev);
        return -1;
    }
    return 0;
}

static void close_device(accel_device *dev, accel_stream *s) {
    accel_stream_destroy(s);
    accel_device_close(dev);
}

static void cudnn_present(accel_runtime *rt) {
    accel_device *dev = NULL;
    accel_stream *s = NULL;
    EXPECT(open_device(rt, &dev, &s) == 0, "open cuda:0");
    if (!dev) return;
    const accel_conv2d_desc f32 = conv(ACCEL_LAYOUT_NHWC, ACCEL_DTYPE_F32, ACCEL_COMPUTE_F32, 3);
    const accel_conv2d_desc bf16 = conv(ACCEL_LAYOUT_NCHW, ACCEL_DTYPE_BF16, ACCEL_COMPUTE_DEFAULT, 1);
    const accel_conv2d_desc tf32 = conv(ACCEL_LAYOUT_NCHW, ACCEL_DTYPE_F32, ACCEL_COMPUTE_TF32, 3);
    expect_cudnn(dev, s, &f32, "fp32 FMA math", 1e-6);
    expect_cudnn(dev, s, &bf16, "tensor-op math, fp32 accumulate", 1e-2);
    expect_cudnn(dev, s, &tf32, "tf32 tensor-op math", 1e-6);

    setenv("ACCEL_CUDA_CONV", "kernels", 1);
    expect_kernels(dev, s, "ACCEL_CUDA_CONV=kernels");
    setenv("ACCEL_CUDA_CONV", "cudn", 1);
    outcome o = run(dev, s, ACCEL_OP_CONV2D_BACKWARD_DATA, &f32, "");
    EXPECT(o.plan == ACCEL_ERR_INVALID_ARGUMENT && strstr(o.algorithm, "ACCEL_CUDA_CONV=cudn: expected auto, kernels or cudnn"),
          "a bad ACCEL_CUDA_CONV: %s '%s'", accel_status_str(o.plan), o.algorithm);
    unsetenv("ACCEL_CUDA_CONV");
    o = run(dev, s, ACCEL_OP_CONV2D, &f32, "cudnn");
    EXPECT(o.plan == ACCEL_ERR_UNIMPLEMENTED && strstr(o.algorithm, "library cudnn runs conv2d backward"),
          "cudnn for a forward conv: %s '%s'", accel_status_str(o.plan), o.algorithm);

    /* a wrong cuDNN result must not pass for a right one */
    setenv("ACCEL_FAKE_CUDNN", "wrong", 1);
    o = run(dev, s, ACCEL_OP_CONV2D_BACKWARD_WEIGHTS, &f32, "");
    EXPECT(strcmp(o.library, "cudnn") == 0 && o.rel_err > 1e-3, "a corrupted cuDNN dW went unnoticed: %s err %.3e",
          o.library, o.rel_err);
    close_device(dev, s);

    /* a device whose handle cannot be made: our kernels, or an error when cuDNN is demanded */
    setenv("ACCEL_FAKE_CUDNN", "nohandle", 1);
    EXPECT(open_device(rt, &dev, &s) == 0, "reopen cuda:0");
    if (!dev) return;
    expect_kernels(dev, s, "cudnnCreate: CUDNN_STATUS_NOT_INITIALIZED (1001)");
    setenv("ACCEL_CUDA_CONV", "cudnn", 1);
    o = run(dev, s, ACCEL_OP_CONV2D_BACKWARD_DATA, &f32, "");
    EXPECT(o.plan == ACCEL_ERR_UNIMPLEMENTED && strstr(o.algorithm, "CUDNN_STATUS_NOT_INITIALIZED (1001)"),
          "ACCEL_CUDA_CONV=cudnn without a handle: %s '%s'", accel_status_str(o.plan), o.algorithm);
    unsetenv("ACCEL_CUDA_CONV");
    unsetenv("ACCEL_FAKE_CUDNN");
    close_device(dev, s);
}

int accel_test_cudnn_checks(accel_runtime *rt, const char *mode) {
    failures = 0;
    if (strcmp(mode, "cudnn") == 0) {
        cudnn_present(rt);
        return failures;
    }
    accel_device *dev = NULL;
    accel_stream *s = NULL;
    EXPECT(open_device(rt, &dev, &s) == 0, "open cuda:0");
    if (!dev) return failures;
    const char *reason = strcmp(mode, "cudnn-real") == 0 ? "cudnnCreate: CUDNN_STATUS_"
                                                          : "cuDNN unavailable: no usable libcudnn.so.9 (searched env";
    expect_kernels(dev, s, reason);
    const accel_conv2d_desc f32 = conv(ACCEL_LAYOUT_NHWC, ACCEL_DTYPE_F32, ACCEL_COMPUTE_F32, 3);
    const outcome o = run(dev, s, ACCEL_OP_CONV2D_BACKWARD_WEIGHTS, &f32, "cudnn");
    EXPECT(o.plan == ACCEL_ERR_UNIMPLEMENTED && strstr(o.algorithm, reason), "library cudnn asked for: %s '%s'",
          accel_status_str(o.plan), o.algorithm);
    close_device(dev, s);
    return failures;
}
