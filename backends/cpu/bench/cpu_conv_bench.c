/* ResNet-50 conv3_x identity bottleneck (28x28x512 -> 1x1 128 -> 3x3 128 -> 1x1 512, NHWC) on
 * cpu:0, comparing oneDNN with its preferred weight layout (weights reordered into the workspace on
 * every execute) against oneDNN on the plain KRSC layout, and our im2col path. Variants alternate
 * in one process; medians over repeats.
 *   cpu_conv_bench [batch=32] [repeats=5] [plain]
 * The plain-weights variant runs only when asked: oneDNN 2.6 has no fast NHWC kernel for plain KRSC
 * weights and falls back to its reference convolution (two orders of magnitude slower). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel/accel.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum { LAYERS = 3, MAX_REPS = 32 };

typedef struct variant {
    const char *label, *lib, *weights_env;
    accel_op_plan *plan[LAYERS];
    accel_buffer *ws[LAYERS];
    double times[MAX_REPS];
    double layer_times[LAYERS][MAX_REPS];
    int ok;
} variant;

int main(int argc, char **argv) {
    const int batch = argc > 1 ? atoi(argv[1]) : 32;
    const int reps = argc > 2 ? atoi(argv[2]) : 5;
    if (batch <= 0 || reps <= 0 || reps > MAX_REPS) {
        fprintf(stderr, "usage: cpu_conv_bench [batch] [repeats <= %d]\n", MAX_REPS);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows up when piped */
    accel_runtime *rt = NULL;
    accel_device *dev = NULL;
    accel_stream *st = NULL;
    if (accel_runtime_open(NULL, &rt) != ACCEL_OK || accel_device_open(rt, "cpu:0", &dev) != ACCEL_OK ||
        accel_stream_create(dev, &st) != ACCEL_OK) {
        fprintf(stderr, "cpu:0: %s\n", accel_last_error());
        return 1;
    }
    const uint32_t br = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU;
    const accel_conv2d_desc layers[LAYERS] = {
        {.layout = ACCEL_LAYOUT_NHWC, .x_type = ACCEL_DTYPE_F32, .w_type = ACCEL_DTYPE_F32,
         .y_type = ACCEL_DTYPE_F32, .n = batch, .c = 512, .h = 28, .w = 28, .k = 128, .r = 1, .s = 1,
         .stride_h = 1, .stride_w = 1, .groups = 1, .epilogue = br},
        {.layout = ACCEL_LAYOUT_NHWC, .x_type = ACCEL_DTYPE_F32, .w_type = ACCEL_DTYPE_F32,
         .y_type = ACCEL_DTYPE_F32, .n = batch, .c = 128, .h = 28, .w = 28, .k = 128, .r = 3, .s = 3,
         .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1, .groups = 1, .epilogue = br},
        {.layout = ACCEL_LAYOUT_NHWC, .x_type = ACCEL_DTYPE_F32, .w_type = ACCEL_DTYPE_F32,
         .y_type = ACCEL_DTYPE_F32, .n = batch, .c = 128, .h = 28, .w = 28, .k = 512, .r = 1, .s = 1,
         .stride_h = 1, .stride_w = 1, .groups = 1, .epilogue = br | ACCEL_EPILOGUE_RESIDUAL},
    };
    const size_t act512 = (size_t)batch * 28 * 28 * 512 * 4, act128 = act512 / 4;
    accel_buffer *x = NULL, *t1 = NULL, *t2 = NULL, *y = NULL, *w[LAYERS] = {0}, *b[LAYERS] = {0};
    accel_buffer_alloc(dev, act512, ACCEL_MEMORY_DEVICE, &x);
    accel_buffer_alloc(dev, act128, ACCEL_MEMORY_DEVICE, &t1);
    accel_buffer_alloc(dev, act128, ACCEL_MEMORY_DEVICE, &t2);
    accel_buffer_alloc(dev, act512, ACCEL_MEMORY_DEVICE, &y);
    for (int l = 0; l < LAYERS; l++) {
        size_t wn = (size_t)layers[l].k * layers[l].c * layers[l].r * layers[l].s;
        accel_buffer_alloc(dev, wn * 4, ACCEL_MEMORY_DEVICE, &w[l]);
        accel_buffer_alloc(dev, (size_t)layers[l].k * 4, ACCEL_MEMORY_DEVICE, &b[l]);
        float v = 0.01f;
        accel_buffer_fill(st, w[l], 0, wn * 4, &v, 4);
        accel_buffer_fill(st, b[l], 0, (size_t)layers[l].k * 4, &v, 4);
    }
    float one = 0.5f;
    accel_buffer_fill(st, x, 0, act512, &one, 4);
    variant vs[] = {
        {.label = "onednn weights any+reorder", .lib = "onednn", .weights_env = "any"},
        {.label = "onednn weights plain", .lib = "onednn", .weights_env = "plain"},
        {.label = "accel im2col+gemm", .lib = "accel", .weights_env = "any"},
    };
    const int nv = (int)(sizeof vs / sizeof vs[0]);
    const int with_plain = argc > 3 && strcmp(argv[3], "plain") == 0;
    for (int v = 0; v < nv; v++) {
        if (!with_plain && strcmp(vs[v].weights_env, "plain") == 0) continue;
        setenv("ACCEL_CPU_CONV_WEIGHTS", vs[v].weights_env, 1); /* read at plan creation */
        vs[v].ok = 1;
        for (int l = 0; l < LAYERS && vs[v].ok; l++) {
            accel_op_desc desc;
            memset(&desc, 0, sizeof desc);
            desc.kind = ACCEL_OP_CONV2D;
            snprintf(desc.library, sizeof desc.library, "%s", vs[v].lib);
            desc.u.conv2d = layers[l];
            if (accel_op_plan_create(dev, &desc, &vs[v].plan[l]) != ACCEL_OK) {
                printf("%-28s unavailable: %s\n", vs[v].label, accel_last_error());
                vs[v].ok = 0;
                break;
            }
            size_t wsb = accel_op_plan_workspace_size(vs[v].plan[l]);
            if (wsb) accel_buffer_alloc(dev, wsb, ACCEL_MEMORY_DEVICE, &vs[v].ws[l]);
            printf("%-28s layer %d: %s (workspace %zu KiB)\n", vs[v].label, l,
                   accel_op_plan_algorithm(vs[v].plan[l]), wsb >> 10);
        }
    }
    for (int r = -1; r < reps; r++) {
        for (int v = 0; v < nv; v++) {
            if (!vs[v].ok) continue;
            double t0 = now_s();
            for (int l = 0; l < LAYERS; l++) {
                double tl = now_s();
                accel_buffer *in = l == 0 ? x : l == 1 ? t1 : t2, *out = l == 0 ? t1 : l == 1 ? t2 : y;
                accel_buffer_ref ops[5] = {{in, 0}, {w[l], 0}, {b[l], 0}, {l == 2 ? x : NULL, 0}, {out, 0}};
                accel_buffer_ref wsr = {vs[v].ws[l], 0};
                if (accel_op_plan_execute(vs[v].plan[l], st, ops, 5, wsr) != ACCEL_OK) {
                    printf("%s: %s\n", vs[v].label, accel_last_error());
                    vs[v].ok = 0;
                    break;
                }
                accel_stream_synchronize(st);
                if (r >= 0) vs[v].layer_times[l][r] = now_s() - tl;
            }
            if (r >= 0) vs[v].times[r] = now_s() - t0;
        }
    }
    const double flop = 2.0 * batch * 28 * 28 * (512.0 * 128 + 128.0 * 128 * 9 + 128.0 * 512);
    printf("\nconv3_x identity NHWC fp32, batch %d, %d repeats alternating: median ms, GFLOP/s\n",
           batch, reps);
    for (int v = 0; v < nv; v++) {
        if (!vs[v].ok) continue;
        qsort(vs[v].times, (size_t)reps, sizeof(double), cmp_double);
        double med = vs[v].times[reps / 2];
        printf("%-28s %9.2f ms %8.1f GFLOP/s  (min %.2f ms); per layer", vs[v].label, med * 1e3,
               flop / med / 1e9, vs[v].times[0] * 1e3);
        for (int l = 0; l < LAYERS; l++) {
            qsort(vs[v].layer_times[l], (size_t)reps, sizeof(double), cmp_double);
            printf(" %.2f", vs[v].layer_times[l][reps / 2] * 1e3);
        }
        printf(" ms\n");
    }
    for (int v = 0; v < nv; v++)
        for (int l = 0; l < LAYERS; l++) {
            if (vs[v].plan[l]) accel_op_plan_destroy(vs[v].plan[l]);
            accel_buffer_free(vs[v].ws[l]);
        }
    for (int l = 0; l < LAYERS; l++) {
        accel_buffer_free(w[l]);
        accel_buffer_free(b[l]);
    }
    accel_buffer_free(x);
    accel_buffer_free(t1);
    accel_buffer_free(t2);
    accel_buffer_free(y);
    accel_stream_destroy(st);
    accel_device_close(dev);
    accel_runtime_close(rt);
    return 0;
}
