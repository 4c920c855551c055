/* XLA through our HAL against XLA driven directly through the PJRT C API, same plugin, same module.
 *
 *   ACCEL_PJRT_PLUGIN=<plugin.so> build/bin/pjrt_dispatch_bench [--iters N] [--rounds R] [--only TEXT]
 *
 * For each case the direct side compiles the very module text the backend compiles for its plan
 * (pjrt_module.c), keeps its operands on the device, and runs N executions back to back, donating
 * the output as the backend does, waiting once at the end: the loop a JAX program's jitted call
 * reduces to. The HAL side runs accel_op_plan_execute N times between a timer's begin and end.
 * Printed per case: median time per execution of each (R rounds, alternating), their ratio
 * (direct / HAL: 1.0 = no overhead), the per-execution dispatch overhead, and planning time
 * (accel_op_plan_create) against the bare compile. A benchmark, not a test: numbers on a shared
 * machine are noisy. --only runs the cases whose name contains TEXT (to profile one of them). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel/accel.h"
#include "pjrt_compile.h"
#include "pjrt_load.h"
#include "pjrt_module.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct direct {
    const pjrt_api *api;
    pjrt_client *client;
    pjrt_device *device;
} direct;

static void die_pjrt(const direct *d, pjrt_error *err, const char *what) {
    pjrt_error_message_args m = {.struct_size = sizeof m, .error = err};
    d->api->error_message(&m);
    fprintf(stderr, "%s: %.*s\n", what, (int)m.message_size, m.message);
    exit(1);
}

static void await_event(const direct *d, pjrt_event *ev) {
    pjrt_event_args a = {.struct_size = sizeof a, .event = ev};
    pjrt_error *err = d->api->event_await(&a);
    if (err) die_pjrt(d, err, "PJRT_Event_Await");
    d->api->event_destroy(&a);
}

static pjrt_buffer *upload(const direct *d, const pj_shape *s, const void *data) {
    pjrt_buffer_from_host_args a = {.struct_size = sizeof a, .client = d->client, .data = data, .type = s->type,
                                    .dims = s->dims, .num_dims = (size_t)s->rank, .device = d->device,
                                    .host_buffer_semantics = PJRT_HOST_BUFFER_COPIED_DURING_CALL};
    pjrt_error *err = d->api->client_buffer_from_host_buffer(&a);
    if (err) die_pjrt(d, err, "BufferFromHostBuffer");
    if (a.done_with_host_buffer) await_event(d, a.done_with_host_buffer);
    return a.buffer;
}

static void direct_open(direct *d, const char *path) {
    pjrt_plugin_lib lib;
    char why[512];
    if (pjrt_plugin_open(NULL, path, &lib, why, sizeof why) != ACCEL_OK) {
        fprintf(stderr, "%s: %s\n", path, why);
        exit(1);
    }
    d->api = lib.api;
    pjrt_plugin_initialize_args ia = {.struct_size = sizeof ia};
    pjrt_error *err = d->api->plugin_initialize(&ia);
    if (err) die_pjrt(d, err, "PJRT_Plugin_Initialize");
    pjrt_client_create_args ca = {.struct_size = sizeof ca};
    if ((err = d->api->client_create(&ca))) die_pjrt(d, err, "PJRT_Client_Create");
    d->client = ca.client;
    pjrt_client_devices_args da = {.struct_size = sizeof da, .client = d->client};
    if ((err = d->api->client_addressable_devices(&da))) die_pjrt(d, err, "AddressableDevices");
    d->device = da.devices[0];
}

typedef struct bench_case {
    const char *name;
    accel_op_desc desc;
} bench_case;

/* Per-execution ms of `iters` back-to-back executions of the direct module. */
static double direct_round(const direct *d, pjrt_loaded_executable *exe, pjrt_buffer **params, int nparams,
                           int out_param, int iters) {
    pjrt_event **events = calloc((size_t)iters, sizeof *events);
    double t0 = now_ms();
    for (int it = 0; it < iters; ++it) {
        pjrt_buffer *result = NULL, **out_list = &result;
        pjrt_buffer *const *arg_list = params;
        pjrt_execute_options o = {.struct_size = sizeof o};
        pjrt_execute_args a = {.struct_size = sizeof a, .executable = exe, .options = &o, .argument_lists = &arg_list,
                               .num_devices = 1, .num_args = (size_t)nparams, .output_lists = &out_list,
                               .device_complete_events = &events[it], .execute_device = d->device};
        pjrt_error *err = d->api->loaded_executable_execute(&a);
        if (err) die_pjrt(d, err, "Execute");
        pjrt_buffer_destroy_args del = {.struct_size = sizeof del, .buffer = params[out_param]};
        d->api->buffer_destroy(&del); /* donated */
        params[out_param] = result;
    }
    for (int it = 0; it < iters; ++it) await_event(d, events[it]);
    double ms = (now_ms() - t0) / iters;
    free(events);
    return ms;
}

static void fill(void *p, size_t bytes, accel_dtype t) {
    size_t es = accel_dtype_size(t);
    uint32_t x = 12345;
    for (size_t i = 0; i + es <= bytes; i += es) {
        x = x * 1664525u + 1013904223u;
        float f = (float)((x >> 9) & 0xffff) / 65536.0f - 0.5f;
        if (t == ACCEL_DTYPE_F32) memcpy((char *)p + i, &f, 4);
        else { uint32_t u; memcpy(&u, &f, 4); uint16_t h = (uint16_t)(u >> 16); memcpy((char *)p + i, &h, 2); }
    }
}

static void run_case(const bench_case *c, const direct *d, accel_device *dev, accel_stream *s, int iters, int rounds) {
    pj_op_spec spec;
    char why[256];
    if (pj_op_describe(&c->desc, "cpu", &spec, why, sizeof why) != ACCEL_OK) {
        printf("%-22s %s\n", c->name, why);
        return;
    }
    pj_binding b = pj_binding_primary(&spec);
    size_t len = 0;
    char *text = pj_module_emit(&c->desc, &spec, &b, &len);
    double t0 = now_ms();
    pjrt_loaded_executable *exe = NULL;
    pjrt_error *err = pj_compile_mlir(d->api, d->client, text, len, &exe);
    double compile_ms = now_ms() - t0;
    if (err) die_pjrt(d, err, "compile");
    free(text);
    /* operands, direct and HAL, with the same contents */
    pjrt_buffer *params[PJ_MAX_PARAMS];
    accel_buffer *bufs[PJ_MAX_PARAMS] = {0};
    accel_buffer_ref refs[PJ_MAX_PARAMS];
    memset(refs, 0, sizeof refs);
    int out_param = b.operand_param[spec.output];
    for (int i = 0; i < spec.noperands; ++i) {
        int j = b.operand_param[i];
        if (j < 0) continue;
        size_t bytes = pj_shape_bytes(&b.param[j]);
        void *host = malloc(bytes);
        fill(host, bytes, c->desc.kind == ACCEL_OP_GEMM && c->desc.u.gemm.a_type == ACCEL_DTYPE_BF16 ? ACCEL_DTYPE_BF16 : ACCEL_DTYPE_F32);
        params[j] = upload(d, &b.param[j], host);
        if (accel_buffer_alloc(dev, bytes, ACCEL_MEMORY_DEVICE, &bufs[i]) != ACCEL_OK ||
            accel_buffer_write(s, bufs[i], 0, host, bytes) != ACCEL_OK) {
            fprintf(stderr, "HAL buffers: %s\n", accel_last_error());
            exit(1);
        }
        refs[i].buffer = bufs[i];
        free(host);
    }
    t0 = now_ms();
    accel_op_plan *plan = NULL;
    if (accel_op_plan_create(dev, &c->desc, &plan) != ACCEL_OK) {
        fprintf(stderr, "plan: %s\n", accel_last_error());
        exit(1);
    }
    double plan_ms = now_ms() - t0;
    accel_timer *timer = NULL;
    accel_timer_create(dev, &timer);
    /* warm both (the HAL's first execution types its buffers) */
    for (int w = 0; w < 3; ++w) accel_op_plan_execute(plan, s, refs, (size_t)spec.noperands, (accel_buffer_ref){0});
    accel_stream_synchronize(s);
    direct_round(d, exe, params, b.nparams, out_param, 3);
    double *hal = calloc((size_t)rounds, sizeof *hal), *dir = calloc((size_t)rounds, sizeof *dir);
    for (int r = 0; r < rounds; ++r) {
        /* alternate which side goes first, so neither always runs on the caches the other left */
        if (r % 2 == 0) dir[r] = direct_round(d, exe, params, b.nparams, out_param, iters);
        accel_timer_begin(timer, s);
        for (int it = 0; it < iters; ++it)
            if (accel_op_plan_execute(plan, s, refs, (size_t)spec.noperands, (accel_buffer_ref){0}) != ACCEL_OK) {
                fprintf(stderr, "execute: %s\n", accel_last_error());
                exit(1);
            }
        accel_timer_end(timer, s);
        accel_timer_elapsed_ms(timer, &hal[r]);
        hal[r] /= iters;
        if (r % 2 == 1) dir[r] = direct_round(d, exe, params, b.nparams, out_param, iters);
    }
    qsort(hal, (size_t)rounds, sizeof *hal, cmp_double);
    qsort(dir, (size_t)rounds, sizeof *dir, cmp_double);
    double h = hal[rounds / 2], dm = dir[rounds / 2];
    printf("%-22s %10.4f %10.4f %8.3fx %10.1f %9.1f %9.1f\n", c->name, dm, h, dm / h, (h - dm) * 1e3, compile_ms, plan_ms);
    free(hal);
    free(dir);
    accel_timer_destroy(timer);
    accel_op_plan_destroy(plan);
    for (int i = 0; i < PJ_MAX_PARAMS; ++i) accel_buffer_free(bufs[i]);
    for (int j = 0; j < b.nparams; ++j) {
        pjrt_buffer_destroy_args del = {.struct_size = sizeof del, .buffer = params[j]};
        d->api->buffer_destroy(&del);
    }
    pjrt_loaded_executable_destroy_args ed = {.struct_size = sizeof ed, .executable = exe};
    d->api->loaded_executable_destroy(&ed);
}

static accel_op_desc gemm(int64_t m, int64_t n, int64_t k, accel_dtype t, uint32_t epi) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_GEMM;
    d.u.gemm = (accel_gemm_desc){.a_type = t, .b_type = t, .c_type = t, .d_type = t, .m = m, .n = n, .k = k,
                                 .batch = 1, .alpha = 1.0, .epilogue = epi};
    return d;
}

static accel_op_desc eltwise_add(int64_t n) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ELTWISE;
    d.u.eltwise = (accel_eltwise_desc){.kind = ACCEL_ELTWISE_ADD, .dtype = ACCEL_DTYPE_F32, .count = n, .alpha = 1, .beta = 1};
    return d;
}

int main(int argc, char **argv) {
    int iters = 50, rounds = 7;
    const char *only = "";
    setvbuf(stdout, NULL, _IOLBF, 0); /* each case's line as it is measured */
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc) iters = atoi(argv[++i]);
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
        else {
            fprintf(stderr, "usage: ACCEL_PJRT_PLUGIN=plugin.so %s [--iters N] [--rounds R] [--only TEXT]\n", argv[0]);
            return 2;
        }
    }
    const char *path = getenv("ACCEL_PJRT_PLUGIN");
    if (!path || !*path || iters < 1 || rounds < 1) {
        fprintf(stderr, "set ACCEL_PJRT_PLUGIN to one PJRT plugin (scripts/install-pjrt-plugin.sh prints one)\n");
        return 2;
    }
    direct d;
    direct_open(&d, path);
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.backends = "pjrt";
    accel_runtime *rt = NULL;
    accel_device *dev = NULL;
    accel_stream *s = NULL;
    if (accel_runtime_open(&opts, &rt) != ACCEL_OK || accel_device_open(rt, "pjrt:0", &dev) != ACCEL_OK ||
        accel_stream_create(dev, &s) != ACCEL_OK) {
        fprintf(stderr, "pjrt:0: %s\n", accel_last_error());
        return 1;
    }
    const bench_case cases[] = {
        {"eltwise add 4096 f32", eltwise_add(4096)},
        {"eltwise add 4M f32", eltwise_add(1 << 22)},
        {"gemm 128 f32", gemm(128, 128, 128, ACCEL_DTYPE_F32, 0)},
        {"gemm 1024 f32", gemm(1024, 1024, 1024, ACCEL_DTYPE_F32, 0)},
        {"gemm 1024 bf16 +bias", gemm(1024, 1024, 1024, ACCEL_DTYPE_BF16, ACCEL_EPILOGUE_BIAS)},
    };
    printf("%d executions per round, median of %d rounds; times in ms per execution\n", iters, rounds);
    printf("%-22s %10s %10s %9s %10s %9s %9s\n", "case", "direct", "HAL", "dir/HAL", "extra_us", "compile", "plan");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i)
        if (strstr(cases[i].name, only)) run_case(&cases[i], &d, dev, s, iters, rounds);
    accel_stream_destroy(s);
    accel_device_close(dev);
    accel_runtime_close(rt);
    return 0;
}
