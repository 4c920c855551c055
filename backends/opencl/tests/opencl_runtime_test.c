/* OpenCL backend behaviour beyond the ops: device info, transfers, events, timers, user kernels
 * from source (with buffer offsets as sub-buffers), the build-failure message, the program cache
 * (second load is a hit, a corrupt file is rebuilt), and a machine without a platform.
 * Usage: opencl_runtime_test <plugin> [--expect-no-platform | --expect-no-library].
 * Exit 77 when no device. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_test_util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static const char *const user_source =
    "__kernel void axpy(__global float *y, __global const float *x, const float a, const int n) {\n"
    "    int i = get_global_id(0);\n"
    "    if (i < n) y[i] += a * x[i];\n"
    "}\n";

static void test_info(ocl_test *t) {
    accel_device_info info = {.struct_size = sizeof(info)};
    T_CHECK(t, accel_device_info_get(t->dev, &info) == ACCEL_OK, "device info");
    T_CHECK(t, info.name[0] && info.vendor[0] && info.driver_version[0], "name/vendor/driver");
    T_CHECK(t, info.compute_units > 0 && info.memory_bytes > 0 && info.max_alloc_bytes > 0,
            "cu %d mem %llu", info.compute_units, (unsigned long long)info.memory_bytes);
    T_CHECK(t, info.module_formats & (1u << ACCEL_MODULE_OPENCL_C), "OpenCL C format");
    T_CHECK(t, strncmp(info.op_libraries, "accel", 5) == 0, "op libraries '%s'", info.op_libraries);
    double res = 0;
    const char *name = NULL;
    T_CHECK(t, accel_timer_properties(t->dev, &res, &name) == ACCEL_OK && res > 0 &&
                   strcmp(name, "cl-profiling") == 0,
            "timer properties");
    printf("[%s] %s | %s | %s | cu %d | %s\n", t->id, info.name, info.vendor, info.driver_version,
           info.compute_units, info.notes);
}

static void test_memory_events_timer(ocl_test *t) {
    enum { N = 4099 };
    float *h = malloc(N * sizeof(float)), *g = malloc(N * sizeof(float));
    for (int i = 0; i < N; i++)
        h[i] = (float)i * 0.5f;
    accel_buffer *a = NULL, *b = NULL, *pinned = NULL;
    T_CHECK(t, accel_buffer_alloc(t->dev, N * sizeof(float), ACCEL_MEMORY_DEVICE, &a) == ACCEL_OK, "alloc");
    T_CHECK(t, accel_buffer_alloc(t->dev, N * sizeof(float), ACCEL_MEMORY_DEVICE, &b) == ACCEL_OK, "alloc");
    T_CHECK(t, accel_buffer_alloc(t->dev, N * sizeof(float), ACCEL_MEMORY_HOST_PINNED, &pinned) == ACCEL_OK,
            "pinned alloc");
    void *hp = NULL;
    T_CHECK(t, accel_buffer_host_ptr(pinned, &hp) == ACCEL_OK && hp, "pinned host pointer");
    accel_timer *tm = NULL;
    accel_event *ev = NULL;
    accel_stream *other = NULL;
    T_CHECK(t, accel_timer_create(t->dev, &tm) == ACCEL_OK, "timer");
    T_CHECK(t, accel_event_create(t->dev, &ev) == ACCEL_OK, "event");
    T_CHECK(t, accel_stream_create(t->dev, &other) == ACCEL_OK, "second stream");
    T_CHECK(t, accel_timer_begin(tm, t->stream) == ACCEL_OK, "timer begin");
    T_CHECK(t, accel_buffer_write(t->stream, a, 0, h, N * sizeof(float)) == ACCEL_OK, "write");
    float seven = 7.0f;
    T_CHECK(t, accel_buffer_fill(t->stream, a, 4 * 100, 4 * 50, &seven, 4) == ACCEL_OK, "fill");
    T_CHECK(t, accel_event_record(ev, t->stream) == ACCEL_OK, "record");
    T_CHECK(t, accel_timer_end(tm, t->stream) == ACCEL_OK, "timer end");
    /* the copy on the other stream must see the write and fill */
    T_CHECK(t, accel_stream_wait_event(other, ev) == ACCEL_OK, "wait event");
    T_CHECK(t, accel_buffer_copy(other, b, 8, a, 4, (N - 3) * sizeof(float)) == ACCEL_OK, "copy");
    T_CHECK(t, accel_buffer_copy(other, pinned, 0, b, 0, N * sizeof(float)) == ACCEL_OK, "copy to pinned");
    T_CHECK(t, accel_stream_synchronize(other) == ACCEL_OK, "sync");
    T_CHECK(t, accel_event_synchronize(ev) == ACCEL_OK, "event sync");
    T_CHECK(t, accel_buffer_read(t->stream, b, 0, g, N * sizeof(float)) == ACCEL_OK &&
                   accel_stream_synchronize(t->stream) == ACCEL_OK,
            "read");
    int bad = 0;
    for (int i = 2; i < N - 1; i++) {
        float want = (i - 1 >= 100 && i - 1 < 150) ? 7.0f : (float)(i - 1) * 0.5f;
        bad += g[i] != want || ((float *)hp)[i] != want;
    }
    T_CHECK(t, bad == 0, "%d elements wrong after write/fill/copy across streams", bad);
    double ms = -1;
    T_CHECK(t, accel_timer_elapsed_ms(tm, &ms) == ACCEL_OK && ms >= 0, "elapsed %g", ms);
    accel_stream_destroy(other);
    accel_event_destroy(ev);
    accel_timer_destroy(tm);
    accel_buffer_free(a);
    accel_buffer_free(b);
    accel_buffer_free(pinned);
    free(h);
    free(g);
}

static void test_user_kernel(ocl_test *t) {
    accel_module *mod = NULL;
    accel_kernel *k = NULL;
    T_CHECK(t, accel_module_load(t->dev, ACCEL_MODULE_OPENCL_C, user_source, strlen(user_source),
                                 NULL, &mod) == ACCEL_OK,
            "module load");
    if (!mod)
        return;
    T_CHECK(t, accel_kernel_get(mod, "axpy", &k) == ACCEL_OK, "kernel get");
    accel_kernel *missing = NULL;
    T_CHECK(t, accel_kernel_get(mod, "nope", &missing) != ACCEL_OK, "missing kernel refused");
    enum { N = 1000 };
    float x[N], y[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)i;
        y[i] = 1.0f;
    }
    accel_buffer *bx = NULL, *by = NULL;
    accel_buffer_alloc(t->dev, sizeof(x) + 4096, ACCEL_MEMORY_DEVICE, &bx);
    accel_buffer_alloc(t->dev, sizeof(y), ACCEL_MEMORY_DEVICE, &by);
    /* x lives 4096 bytes in: passed as (buffer, offset) -> a sub-buffer (4096 is aligned anywhere) */
    accel_buffer_write(t->stream, bx, 4096, x, sizeof(x));
    accel_buffer_write(t->stream, by, 0, y, sizeof(y));
    float a = 2.0f;
    int n = N;
    accel_kernel_arg args[4] = {accel_arg_buffer(by, 0), accel_arg_buffer(bx, 4096),
                                accel_arg_scalar(&a, sizeof(a)), accel_arg_scalar(&n, sizeof(n))};
    uint32_t grid[3] = {(N + 63) / 64, 1, 1}, group[3] = {64, 1, 1};
    T_CHECK(t, accel_kernel_launch(t->stream, k, grid, group, args, 4, 0) == ACCEL_OK, "launch");
    accel_buffer_read(t->stream, by, 0, y, sizeof(y));
    accel_stream_synchronize(t->stream);
    int bad = 0;
    for (int i = 0; i < N; i++)
        bad += y[i] != 1.0f + 2.0f * (float)i;
    T_CHECK(t, bad == 0, "axpy: %d wrong", bad);
    /* an offset the device cannot start a sub-buffer at is refused with a reason */
    args[1] = accel_arg_buffer(bx, 4);
    accel_clear_error();
    accel_status st = accel_kernel_launch(t->stream, k, grid, group, args, 4, 0);
    T_CHECK(t, st == ACCEL_ERR_INVALID_ARGUMENT && strstr(accel_last_error(), "MEM_BASE_ADDR_ALIGN"),
            "misaligned offset gave %s", accel_status_str(st));
    accel_stream_synchronize(t->stream);
    accel_kernel_release(k);
    accel_module_unload(mod);
    accel_buffer_free(bx);
    accel_buffer_free(by);
}

static void test_build_failure(ocl_test *t) {
    const char *bad = "__kernel void broken(__global float *y) { y[0] = undeclared_thing; }\n";
    accel_module *mod = NULL;
    accel_clear_error();
    accel_status st = accel_module_load(t->dev, ACCEL_MODULE_OPENCL_C, bad, strlen(bad), NULL, &mod);
    const char *msg = accel_last_error();
    T_CHECK(t, st != ACCEL_OK && strstr(msg, "clBuildProgram: CL_BUILD_PROGRAM_FAILURE (-11)") &&
                   strstr(msg, "undeclared_thing"),
            "build failure gave %s: '%s'", accel_status_str(st), msg);
    if (mod)
        accel_module_unload(mod);
}

/* Counts our cache files; optionally overwrites each with garbage. */
static int cache_files(const char *dir, int corrupt) {
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "opencl-", 7) != 0 || !strstr(e->d_name, ".clbin") ||
            strstr(e->d_name, ".tmp"))
            continue;
        n++;
        if (corrupt) {
            char path[1200];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            FILE *f = fopen(path, "wb");
            if (f) {
                fputs("ACLPRG1\nnot a program binary", f);
                fclose(f);
            }
        }
    }
    closedir(d);
    return n;
}

/* Plans an eltwise op (a fresh device each time, so only the disk cache can answer) and returns
 * the cache state the plan reports. */
static void plan_cache_state(ocl_test *t, int index, char *out, size_t len) {
    out[0] = '\0';
    ocl_test_close_device(t);
    if (ocl_test_open_device(t, index) != 0)
        return;
    accel_op_desc d = {.kind = ACCEL_OP_ELTWISE};
    /* a count no other test uses: the source and options are the same, so the key is too */
    d.u.eltwise = (accel_eltwise_desc){ACCEL_ELTWISE_RELU, ACCEL_DTYPE_F32, 77, 0, 1, 0};
    accel_op_plan *plan = NULL;
    if (accel_op_plan_create(t->dev, &d, &plan) != ACCEL_OK)
        return;
    const char *alg = accel_op_plan_algorithm(plan);
    const char *c = strstr(alg, "cache=");
    snprintf(out, len, "%s", c ? c + 6 : "?");
    accel_op_plan_destroy(plan);
}

static void test_cache(ocl_test *t, int index) {
    const char *dir = getenv("ACCEL_CACHE_DIR");
    if (!dir || !dir[0]) {
        fprintf(stderr, "ACCEL_CACHE_DIR unset: cache checks skipped\n");
        return;
    }
    char state[16];
    plan_cache_state(t, index, state, sizeof(state));
    T_CHECK(t, strcmp(state, "hit") == 0 || strcmp(state, "miss") == 0, "first plan cache '%s'", state);
    T_CHECK(t, cache_files(dir, 0) > 0, "no cache file in %s", dir);
    plan_cache_state(t, index, state, sizeof(state));
    T_CHECK(t, strcmp(state, "hit") == 0, "second load must hit the cache, got '%s'", state);
    cache_files(dir, 1);
    plan_cache_state(t, index, state, sizeof(state));
    T_CHECK(t, strcmp(state, "miss") == 0, "corrupt cache file must be rebuilt, got '%s'", state);
    plan_cache_state(t, index, state, sizeof(state));
    T_CHECK(t, strcmp(state, "hit") == 0, "rebuilt file must hit, got '%s'", state);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s <plugin> [--expect-no-platform]\n", argv[0]);
        return 2;
    }
    ocl_test t;
    int n = ocl_test_open_runtime(&t, argv[1]);
    const accel_backend_report *rep = ocl_test_report(&t);
    if (argc > 2 && strcmp(argv[2], "--expect-no-platform") == 0) {
        /* Run with OCL_ICD_VENDORS pointing to an empty directory: the loader finds no ICD. */
        int ok = rep && rep->status == ACCEL_OK && rep->device_count == 0 && n == 0 &&
                 strstr(rep->reason, "no OpenCL platform") && strstr(rep->reason, "-1001");
        printf("%s: status %s, %d devices, reason '%s'\n", ok ? "PASS" : "FAIL",
               rep ? accel_status_str(rep->status) : "?", rep ? rep->device_count : -1,
               rep ? rep->reason : "no report");
        accel_runtime_close(t.rt);
        return ok ? 0 : 1;
    }
    if (argc > 2 && strcmp(argv[2], "--expect-no-library") == 0) {
        /* Run with ACCEL_OPENCL_LIBRARY naming a file that does not exist. */
        int ok = rep && rep->status == ACCEL_ERR_UNAVAILABLE && n <= 0 &&
                 strstr(rep->reason, "install") && strstr(rep->reason, "pocl-opencl-icd");
        printf("%s: status %s, reason '%s'\n", ok ? "PASS" : "FAIL",
               rep ? accel_status_str(rep->status) : "?", rep ? rep->reason : "no report");
        accel_runtime_close(t.rt);
        return ok ? 0 : 1;
    }
    if (n <= 0) {
        printf("SKIP: no OpenCL device (%s)\n", rep ? rep->reason : "runtime did not open");
        accel_runtime_close(t.rt);
        return n == 0 ? OCL_TEST_SKIP : 1;
    }
    for (int i = 0; i < n; i++) {
        if (ocl_test_open_device(&t, i) != 0) {
            t.failed++;
            continue;
        }
        test_info(&t);
        test_memory_events_timer(&t);
        test_user_kernel(&t);
        test_build_failure(&t);
        test_cache(&t, i);
        ocl_test_close_device(&t);
    }
    accel_runtime_close(t.rt);
    printf("%d passed, %d failed on %d OpenCL device(s)\n", t.passed, t.failed, n);
    return t.failed ? 1 : 0;
}
