/* How much the HAL adds per call: a tiny op through accel_op_plan_execute versus the same plugin
 * slot called directly (the plugin dlopened a second time, bypassing libaccel), alternated, medians
 * of many rounds. The difference is libaccel's argument checking and dispatch.
 *
 * usage: accel_dispatch_bench PLUGIN.so [DEVICE_INDEX]   e.g. build/lib/accel/libaccel-backend-cpu.so */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel/plugin.h"

enum { CALLS = 20000, ROUNDS = 15 };

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static accel_status direct_set_error(accel_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return s;
}
static void direct_log(int level, const char *b, const char *m) { (void)level; (void)b; (void)m; }

static int die(const char *what) {
    fprintf(stderr, "accel_dispatch_bench: %s: %s\n", what, accel_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PLUGIN.so [DEVICE_INDEX]\n", argv[0]);
        return 2;
    }
    int index = argc > 2 ? atoi(argv[2]) : 0;
    accel_op_desc desc = {.kind = ACCEL_OP_ELTWISE};
    desc.u.eltwise = (accel_eltwise_desc){.kind = ACCEL_ELTWISE_SCALE, .dtype = ACCEL_DTYPE_F32,
                                          .count = 1, .alpha = 2.0};

    /* Through libaccel. */
    const char *paths[] = {argv[1]};
    accel_runtime_options o = {.struct_size = sizeof o, .plugin_paths = paths,
                               .plugin_path_count = 1, .no_default_paths = 1};
    accel_runtime *rt = NULL;
    accel_device *dev = NULL;
    accel_stream *s = NULL;
    accel_buffer *x = NULL, *y = NULL;
    accel_op_plan *plan = NULL;
    const accel_backend_report *rep;
    size_t nrep;
    if (accel_runtime_open(&o, &rt) != ACCEL_OK) return die("runtime");
    accel_runtime_backends(rt, &rep, &nrep);
    if (nrep != 1 || rep[0].status != ACCEL_OK || rep[0].device_count <= index) {
        fprintf(stderr, "accel_dispatch_bench: %s: %s\n", argv[1], nrep ? rep[0].reason : "not loaded");
        return 1;
    }
    char id[64];
    snprintf(id, sizeof id, "%s:%d", rep[0].name, index);
    if (accel_device_open(rt, id, &dev) != ACCEL_OK || accel_stream_create(dev, &s) != ACCEL_OK ||
        accel_buffer_alloc(dev, 64, ACCEL_MEMORY_DEVICE, &x) != ACCEL_OK ||
        accel_buffer_alloc(dev, 64, ACCEL_MEMORY_DEVICE, &y) != ACCEL_OK ||
        accel_op_plan_create(dev, &desc, &plan) != ACCEL_OK)
        return die(id);
    accel_buffer_ref refs[3] = {{x, 0}, {NULL, 0}, {y, 0}};
    accel_buffer_ref nows = {NULL, 0};

    /* The same plugin, directly: a second dlopen of the same file shares its code. */
    void *dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    accel_plugin_query_fn q;
    *(void **)&q = dl ? dlsym(dl, ACCEL_PLUGIN_QUERY_SYMBOL) : NULL;
    accel_host_services host = {ACCEL_PLUGIN_ABI_MAJOR, ACCEL_PLUGIN_ABI_MINOR, sizeof host, 0,
                                direct_log, direct_set_error};
    const accel_backend_ops *ops = q ? q(ACCEL_PLUGIN_ABI_MAJOR, &host) : NULL;
    void *ctx = NULL, *pdev = NULL, *ps = NULL, *px = NULL, *py = NULL, *pplan = NULL, *hp;
    int count = 0;
    char reason[256];
    accel_plugin_plan_info info;
    if (!ops || ops->init(&host, &ctx, &count, reason, sizeof reason) != ACCEL_OK ||
        ops->device_open(ctx, index, &pdev) != ACCEL_OK || ops->stream_create(pdev, &ps) != ACCEL_OK ||
        ops->buffer_alloc(pdev, 64, ACCEL_MEMORY_DEVICE, &px, &hp) != ACCEL_OK ||
        ops->buffer_alloc(pdev, 64, ACCEL_MEMORY_DEVICE, &py, &hp) != ACCEL_OK ||
        ops->op_plan_create(pdev, &desc, &pplan, &info) != ACCEL_OK) {
        fprintf(stderr, "accel_dispatch_bench: direct plugin setup failed\n");
        return 1;
    }
    accel_plugin_ref prefs[3] = {{px, 0}, {NULL, 0}, {py, 0}};
    accel_plugin_ref pws = {NULL, 0};

    double hal[ROUNDS], direct[ROUNDS];
    for (int r = 0; r < ROUNDS; ++r) {
        double t0 = now_ns();
        for (int i = 0; i < CALLS; ++i)
            if (accel_op_plan_execute(plan, s, refs, 3, nows) != ACCEL_OK) return die("execute");
        accel_stream_synchronize(s);
        double t1 = now_ns();
        for (int i = 0; i < CALLS; ++i)
            if (ops->op_plan_execute(pplan, ps, prefs, 3, pws) != ACCEL_OK) return die("direct");
        ops->stream_synchronize(ps);
        double t2 = now_ns();
        hal[r] = (t1 - t0) / CALLS;
        direct[r] = (t2 - t1) / CALLS;
    }
    qsort(hal, ROUNDS, sizeof *hal, cmp_double);
    qsort(direct, ROUNDS, sizeof *direct, cmp_double);
    double mh = hal[ROUNDS / 2], md = direct[ROUNDS / 2];
    printf("tiny op (eltwise scale, 1 element) on %s, %s, median of %d rounds x %d calls:\n", id,
           accel_op_plan_library(plan), ROUNDS, CALLS);
    printf("  through libaccel: %8.1f ns/call\n  plugin directly:  %8.1f ns/call\n", mh, md);
    printf("  HAL dispatch overhead: %.1f ns/call (%s 1 us)\n", mh - md, mh - md < 1000 ? "under" : "OVER");

    ops->op_plan_destroy(pplan);
    ops->buffer_free(pdev, px);
    ops->buffer_free(pdev, py);
    ops->stream_destroy(ps);
    ops->device_close(pdev);
    ops->shutdown(ctx);
    accel_op_plan_destroy(plan);
    accel_buffer_free(x);
    accel_buffer_free(y);
    accel_stream_destroy(s);
    accel_device_close(dev);
    accel_runtime_close(rt);
    return mh - md < 1000 ? 0 : 1;
}
