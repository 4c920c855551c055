/* GEMM throughput on cpu:0 beside OpenBLAS called directly, alternating variants in one process so
 * they see the same machine state; medians over repeats.
 *   cpu_gemm_bench [size=2048] [repeats=9]
 * Variants: HAL onednn fp32, cblas_sgemm direct (dlopen libopenblas.so.0), HAL openblas, HAL onednn
 * bf16 (bf16 in/out, fp32 accumulate), HAL accel fp32 and bf16. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel/accel.h"

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                         int, float, float *, int);

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct variant {
    const char *label;
    const char *lib;
    accel_dtype t;
    accel_op_plan *plan;
    accel_buffer *ws;
    accel_buffer *a, *b, *d;
    double times[64];
    int ok;
} variant;

int main(int argc, char **argv) {
    const int n = argc > 1 ? atoi(argv[1]) : 2048;
    int reps = argc > 2 ? atoi(argv[2]) : 9;
    if (n <= 0 || reps <= 0 || reps > 64) {
        fprintf(stderr, "usage: cpu_gemm_bench [size] [repeats <= 64]\n");
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
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    accel_device_info_get(dev, &info);
    printf("cpu:0 %s, %d cores, isa %s, %s\n", info.name, info.compute_units, info.isa,
           info.runtime_version);

    void *ob = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    sgemm_fn sgemm = NULL;
    if (ob) {
        void *sym = dlsym(ob, "cblas_sgemm");
        memcpy(&sgemm, &sym, sizeof sym);
    }
    const size_t nn = (size_t)n * n;
    float *ha = malloc(nn * 4), *hb = malloc(nn * 4), *hc = malloc(nn * 4);
    for (size_t i = 0; i < nn; i++) {
        ha[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
        hb[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
    }
    variant vs[] = {
        {.label = "hal onednn f32", .lib = "onednn", .t = ACCEL_DTYPE_F32},
        {.label = "cblas_sgemm direct", .lib = NULL, .t = ACCEL_DTYPE_F32},
        {.label = "hal openblas f32", .lib = "openblas", .t = ACCEL_DTYPE_F32},
        {.label = "hal onednn bf16", .lib = "onednn", .t = ACCEL_DTYPE_BF16},
        {.label = "hal accel f32", .lib = "accel", .t = ACCEL_DTYPE_F32},
        {.label = "hal accel bf16", .lib = "accel", .t = ACCEL_DTYPE_BF16},
    };
    const int nv = (int)(sizeof vs / sizeof vs[0]);
    for (int v = 0; v < nv; v++) {
        variant *x = &vs[v];
        if (!x->lib) {
            x->ok = sgemm != NULL;
            if (!x->ok) printf("%-20s unavailable: %s\n", x->label, dlerror());
            continue;
        }
        accel_op_desc desc;
        memset(&desc, 0, sizeof desc);
        desc.kind = ACCEL_OP_GEMM;
        snprintf(desc.library, sizeof desc.library, "%s", x->lib);
        desc.u.gemm = (accel_gemm_desc){.a_type = x->t, .b_type = x->t, .c_type = x->t,
                                        .d_type = x->t, .m = n, .n = n, .k = n, .batch = 1,
                                        .alpha = 1.0};
        if (accel_op_plan_create(dev, &desc, &x->plan) != ACCEL_OK) {
            printf("%-20s unavailable: %s\n", x->label, accel_last_error());
            continue;
        }
        size_t es = accel_dtype_bytes(x->t), wsb = accel_op_plan_workspace_size(x->plan);
        accel_buffer_alloc(dev, nn * es, ACCEL_MEMORY_DEVICE, &x->a);
        accel_buffer_alloc(dev, nn * es, ACCEL_MEMORY_DEVICE, &x->b);
        accel_buffer_alloc(dev, nn * es, ACCEL_MEMORY_DEVICE, &x->d);
        if (wsb) accel_buffer_alloc(dev, wsb, ACCEL_MEMORY_DEVICE, &x->ws);
        /* contents: the fp32 data, or its upper halves as bf16 (values need not be exact) */
        void *pa, *pb;
        accel_buffer_host_ptr(x->a, &pa);
        accel_buffer_host_ptr(x->b, &pb);
        for (size_t i = 0; i < nn; i++) {
            if (es == 4) {
                ((float *)pa)[i] = ha[i];
                ((float *)pb)[i] = hb[i];
            } else {
                uint32_t ua, ub;
                memcpy(&ua, &ha[i], 4);
                memcpy(&ub, &hb[i], 4);
                ((uint16_t *)pa)[i] = (uint16_t)(ua >> 16);
                ((uint16_t *)pb)[i] = (uint16_t)(ub >> 16);
            }
        }
        x->ok = 1;
        printf("%-20s %s: %s\n", x->label, accel_op_plan_library(x->plan),
               accel_op_plan_algorithm(x->plan));
    }
    const double flop = 2.0 * n * (double)n * n;
    for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        for (int v = 0; v < nv; v++) {
            variant *x = &vs[v];
            if (!x->ok) continue;
            double t0 = now_s();
            if (!x->lib) {
                sgemm(101, 111, 111, n, n, n, 1.0f, ha, n, hb, n, 0.0f, hc, n);
            } else {
                accel_buffer_ref ops[5] = {{x->a, 0}, {x->b, 0}, {NULL, 0}, {x->d, 0}, {NULL, 0}};
                accel_buffer_ref ws = {x->ws, 0};
                if (accel_op_plan_execute(x->plan, st, ops, 5, ws) != ACCEL_OK ||
                    accel_stream_synchronize(st) != ACCEL_OK) {
                    printf("%s: execute failed: %s\n", x->label, accel_last_error());
                    x->ok = 0;
                    continue;
                }
            }
            double t = now_s() - t0;
            if (r >= 0) x->times[r] = t;
        }
    }
    double med[16] = {0};
    printf("\n%d^3, %d repeats, alternating; median GFLOP/s (min-max)\n", n, reps);
    for (int v = 0; v < nv; v++) {
        variant *x = &vs[v];
        if (!x->ok) continue;
        qsort(x->times, (size_t)reps, sizeof(double), cmp_double);
        med[v] = x->times[reps / 2];
        printf("%-20s %8.1f GFLOP/s  (%.1f - %.1f)  median %.2f ms\n", x->label, flop / med[v] / 1e9,
               flop / x->times[reps - 1] / 1e9, flop / x->times[0] / 1e9, med[v] * 1e3);
    }
    if (med[0] > 0 && med[1] > 0)
        printf("ratio hal onednn f32 / cblas_sgemm direct: %.3f\n", med[1] / med[0]);
    if (med[0] > 0 && med[3] > 0)
        printf("ratio hal onednn bf16 / hal onednn f32:    %.3f\n", med[0] / med[3]);
    if (med[4] > 0 && med[1] > 0)
        printf("ratio hal accel f32 / cblas_sgemm direct:  %.3f\n", med[1] / med[4]);
    for (int v = 0; v < nv; v++) {
        variant *x = &vs[v];
        if (x->plan) accel_op_plan_destroy(x->plan);
        accel_buffer_free(x->a);
        accel_buffer_free(x->b);
        accel_buffer_free(x->d);
        accel_buffer_free(x->ws);
    }
    free(ha);
    free(hb);
    free(hc);
    if (ob) dlclose(ob);
    accel_stream_destroy(st);
    accel_device_close(dev);
    accel_runtime_close(rt);
    return 0;
}
