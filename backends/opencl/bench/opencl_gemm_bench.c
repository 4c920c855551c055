/* fp32 GEMM through the HAL on an OpenCL device: our tiled kernel (library "accel") against
 * CLBlast's SGEMM (library "clblast"), timed in the same run, alternated, medians over repeats.
 *
 *   opencl_gemm_bench [--plugin PATH] [--device N] [--size M[,N,K]] [--repeats R] [--iters I]
 *                     [--trans-b]
 *
 * Each sample is I back-to-back executions bracketed by the device-side timer; the two libraries
 * alternate sample by sample so drift and other load hit both alike. */
#define _POSIX_C_SOURCE 200809L
#include <accel/accel.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#define TRY(call)                                                                                  \
    do {                                                                                           \
        accel_status st_ = (call);                                                                 \
        if (st_ != ACCEL_OK) {                                                                     \
            fprintf(stderr, "%s: %s: %s\n", #call, accel_status_str(st_), accel_last_error());     \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(int argc, char **argv) {
    const char *plugin = NULL;
    int device = 0, repeats = 9, iters = 3, trans_b = 0;
    long m = 1024, n = 1024, k = 1024;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--plugin") && i + 1 < argc)
            plugin = argv[++i];
        else if (!strcmp(argv[i], "--device") && i + 1 < argc)
            device = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            int got = sscanf(argv[++i], "%ld,%ld,%ld", &m, &n, &k);
            if (got == 1)
                n = k = m;
        } else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
            iters = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--trans-b"))
            trans_b = 1;
        else {
            fprintf(stderr, "usage: %s [--plugin PATH] [--device N] [--size M[,N,K]] [--repeats R] "
                            "[--iters I] [--trans-b]\n", argv[0]);
            return 2;
        }
    }
    if (repeats < 1 || iters < 1 || m < 1 || n < 1 || k < 1) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    const char *paths[1] = {plugin};
    accel_runtime_options o = {.struct_size = sizeof(o), .backends = "opencl"};
    if (plugin) {
        o.plugin_paths = paths;
        o.plugin_path_count = 1;
    }
    accel_runtime *rt = NULL;
    TRY(accel_runtime_open(&o, &rt));
    char id[32];
    snprintf(id, sizeof(id), "opencl:%d", device);
    accel_device *dev = NULL;
    TRY(accel_device_open(rt, id, &dev));
    accel_device_info info = {.struct_size = sizeof(info)};
    TRY(accel_device_info_get(dev, &info));
    accel_stream *s = NULL;
    TRY(accel_stream_create(dev, &s));

    size_t bytes_a = (size_t)(m * k) * 4, bytes_b = (size_t)(k * n) * 4, bytes_d = (size_t)(m * n) * 4;
    float *ha = malloc(bytes_a), *hb = malloc(bytes_b), *hd = malloc(bytes_d);
    for (long i = 0; i < m * k; i++)
        ha[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    for (long i = 0; i < k * n; i++)
        hb[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
    accel_buffer *a = NULL, *b = NULL, *d = NULL;
    TRY(accel_buffer_alloc(dev, bytes_a, ACCEL_MEMORY_DEVICE, &a));
    TRY(accel_buffer_alloc(dev, bytes_b, ACCEL_MEMORY_DEVICE, &b));
    TRY(accel_buffer_alloc(dev, bytes_d, ACCEL_MEMORY_DEVICE, &d));
    TRY(accel_buffer_write(s, a, 0, ha, bytes_a));
    TRY(accel_buffer_write(s, b, 0, hb, bytes_b));
    TRY(accel_stream_synchronize(s));

    const char *libs[2] = {"accel", "clblast"};
    accel_op_plan *plans[2] = {NULL, NULL};
    int nlib = 0;
    for (int l = 0; l < 2; l++) {
        accel_op_desc desc = {.kind = ACCEL_OP_GEMM};
        snprintf(desc.library, sizeof(desc.library), "%s", libs[l]);
        accel_gemm_desc *g = &desc.u.gemm;
        g->a_type = g->b_type = g->c_type = g->d_type = ACCEL_DTYPE_F32;
        g->m = m;
        g->n = n;
        g->k = k;
        g->batch = 1;
        g->alpha = 1.0;
        g->trans_b = trans_b; /* B stored n x k */
        if (accel_op_plan_create(dev, &desc, &plans[l]) != ACCEL_OK) {
            printf("%-8s unavailable: %s\n", libs[l], accel_last_error());
            plans[l] = NULL;
            continue;
        }
        printf("%-8s %s: %s\n", libs[l], accel_op_plan_library(plans[l]),
               accel_op_plan_algorithm(plans[l]));
        nlib++;
    }
    if (!plans[0]) {
        fprintf(stderr, "our GEMM did not plan\n");
        return 1;
    }
    accel_buffer_ref ops[5] = {{a, 0}, {b, 0}, {NULL, 0}, {d, 0}, {NULL, 0}};
    accel_timer *tm = NULL;
    TRY(accel_timer_create(dev, &tm));
    accel_buffer *ws[2] = {NULL, NULL};
    for (int l = 0; l < 2; l++)
        if (plans[l] && accel_op_plan_workspace_size(plans[l]))
            TRY(accel_buffer_alloc(dev, accel_op_plan_workspace_size(plans[l]), ACCEL_MEMORY_DEVICE,
                                   &ws[l]));
    /* warm-up and a spot check of each library against a host dot product */
    for (int l = 0; l < 2; l++) {
        if (!plans[l])
            continue;
        accel_buffer_ref w = {ws[l], 0};
        TRY(accel_op_plan_execute(plans[l], s, ops, 5, w));
        TRY(accel_op_plan_execute(plans[l], s, ops, 5, w));
        TRY(accel_buffer_read(s, d, 0, hd, bytes_d));
        TRY(accel_stream_synchronize(s));
        double worst = 0;
        for (int t = 0; t < 16; t++) {
            long i = (t * 131) % m, j = (t * 977) % n;
            double ref = 0, mag = 0;
            for (long p = 0; p < k; p++) {
                double bv = trans_b ? hb[j * k + p] : hb[p * n + j];
                ref += (double)ha[i * k + p] * bv;
                mag += fabs((double)ha[i * k + p] * bv);
            }
            double e = fabs(hd[i * n + j] - ref) / (mag + 1e-30);
            worst = e > worst ? e : worst;
        }
        printf("%-8s spot check: worst |err|/sum|ab| = %.2e %s\n", libs[l], worst,
               worst < 1e-5 ? "ok" : "WRONG");
    }
    double *ms[2];
    ms[0] = calloc((size_t)repeats, sizeof(double));
    ms[1] = calloc((size_t)repeats, sizeof(double));
    for (int r = 0; r < repeats; r++) {
        for (int l = 0; l < 2; l++) {
            int ll = (r % 2) ? 1 - l : l; /* alternate which library goes first */
            if (!plans[ll])
                continue;
            TRY(accel_timer_begin(tm, s));
            accel_buffer_ref w = {ws[ll], 0};
            for (int it = 0; it < iters; it++)
                TRY(accel_op_plan_execute(plans[ll], s, ops, 5, w));
            TRY(accel_timer_end(tm, s));
            double t = 0;
            TRY(accel_timer_elapsed_ms(tm, &t));
            ms[ll][r] = t / iters;
        }
    }
    double flop = 2.0 * (double)m * (double)n * (double)k;
    double med[2] = {0, 0};
    printf("device %s: %s (%s), fp32 GEMM %ldx%ldx%ld%s, %d repeats x %d iters\n", id, info.name,
           info.driver_version, m, n, k, trans_b ? " NT" : "", repeats, iters);
    for (int l = 0; l < 2; l++) {
        if (!plans[l])
            continue;
        double mn = ms[l][0];
        for (int r = 1; r < repeats; r++)
            mn = ms[l][r] < mn ? ms[l][r] : mn;
        med[l] = median(ms[l], repeats);
        printf("%-8s median %.3f ms  %.1f GFLOP/s  (min %.3f ms)\n", libs[l], med[l],
               flop / (med[l] * 1e6), mn);
    }
    if (plans[1] && med[0] > 0)
        printf("ours / clblast speed: %.2fx\n", med[1] / med[0]);
    accel_timer_destroy(tm);
    for (int l = 0; l < 2; l++) {
        if (plans[l])
            accel_op_plan_destroy(plans[l]);
        accel_buffer_free(ws[l]);
        free(ms[l]);
    }
    accel_buffer_free(a);
    accel_buffer_free(b);
    accel_buffer_free(d);
    accel_stream_destroy(s);
    accel_device_close(dev);
    accel_runtime_close(rt);
    free(ha);
    free(hb);
    free(hd);
    (void)nlib;
    return 0;
}
