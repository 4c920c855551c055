/* The level_zero plugin driven through libaccel against mock_ze_driver.c (ACCEL_LEVEL_ZERO_LOADER),
 * so every code path that needs a driver runs here: device info, USM memory round trips, fills,
 * timers (wrap-around + 1.2 frequency scaling end to end), events, sysman telemetry, modules and
 * launches, and every op plan, whose launches the mock checks against the SPIR-V signatures.
 * argv[1] = the mock library (to read its launch log and live-object count). */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "ze_kernel_images.h"

static int failures;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s [last error: %s]\n", __FILE__, __LINE__,      \
                    #cond, accel_last_error());                                                    \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

typedef long (*count_fn)(void);
typedef void (*last_launch_fn)(char *, size_t, uint32_t[3], uint32_t[3]);
static count_fn mock_live, mock_launches;
static last_launch_fn mock_last;
static int fill_by_kernel; /* --fill-by-kernel: the mock's fill engine takes 4-byte patterns only */
static int integrated;     /* --integrated: device buffers are shared allocations with host pointers */

static void check_info(accel_device *dev) {
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK(accel_device_info_get(dev, &info) == ACCEL_OK);
    CHECK(strcmp(info.name, "Intel(R) Data Center GPU Max 1550") == 0);
    CHECK(strcmp(info.vendor, "Intel") == 0);
    CHECK(info.type == ACCEL_DEVICE_GPU);
    CHECK(info.compute_units == 512);
    CHECK(info.clock_mhz == 1600);
    CHECK(strcmp(info.uuid, "00010203-0405-0607-0809-0a0b0c0d0e0f") == 0);
    CHECK(strcmp(info.pci_bus_id, "0000:3a:00.0") == 0);
    CHECK(strcmp(info.driver_version, "12345") == 0);
    CHECK(info.memory_bytes == (64ull << 30));
    CHECK(info.max_alloc_bytes == (1ull << 30));
    CHECK(info.cache_bytes == (204ull << 20));
    CHECK(info.module_formats == (1u << ACCEL_MODULE_SPIRV));
    CHECK((info.features & ACCEL_FEATURE_FP16) && (info.features & ACCEL_FEATURE_FP64));
    CHECK(fabs(info.power_limit_w - 600.0) < 1e-9);
    /* one stack of a 1550: half the card's peak */
    CHECK(fabs(info.vendor_peak.tflops[ACCEL_COMPUTE_BF16] - 838.9 / 2) < 1e-6);
    CHECK(strstr(info.vendor_peak.source, "x0.50") != NULL);
    CHECK(strcmp(info.op_libraries, "accel") == 0);
    CHECK(!!(info.features & ACCEL_FEATURE_UNIFIED_MEMORY) == integrated);
    printf("info: %s | %s | %s\n", info.name, info.runtime_version, info.notes);
}

static void check_memory(accel_device *dev, accel_stream *s) {
    enum { N = 4096 };
    accel_buffer *d = NULL, *e = NULL, *pinned = NULL;
    CHECK(accel_buffer_alloc(dev, N * 4, ACCEL_MEMORY_DEVICE, &d) == ACCEL_OK);
    CHECK(accel_buffer_alloc(dev, N * 4, ACCEL_MEMORY_DEVICE, &e) == ACCEL_OK);
    CHECK(accel_buffer_alloc(dev, N * 4, ACCEL_MEMORY_HOST_PINNED, &pinned) == ACCEL_OK);
    if (!d || !e || !pinned) return;
    void *host = NULL;
    CHECK(accel_buffer_host_ptr(pinned, &host) == ACCEL_OK && host != NULL);
    void *device_host = NULL;
    CHECK((accel_buffer_host_ptr(d, &device_host) == ACCEL_OK) == integrated);
    static uint32_t src[N], dst[N];
    for (uint32_t i = 0; i < N; i++) src[i] = i * 2654435761u;
    CHECK(accel_buffer_write(s, d, 0, src, sizeof src) == ACCEL_OK);
    CHECK(accel_buffer_copy(s, e, 16, d, 0, sizeof src - 16) == ACCEL_OK);
    CHECK(accel_buffer_copy(s, pinned, 0, e, 0, sizeof src) == ACCEL_OK);
    uint32_t four = 0xA5A5F00Du;
    CHECK(accel_buffer_fill(s, e, 0, 16, &four, 4) == ACCEL_OK);
    memset(dst, 0, sizeof dst);
    CHECK(accel_buffer_read(s, e, 0, dst, sizeof dst) == ACCEL_OK);
    CHECK(accel_stream_synchronize(s) == ACCEL_OK);
    int ok = 1;
    for (uint32_t i = 0; i < 4; i++) ok &= dst[i] == four;
    for (uint32_t i = 4; i < N; i++) ok &= dst[i] == src[i - 4];
    CHECK(ok);
    CHECK(host && memcmp((uint32_t *)host + 4, src, (N - 4) * 4) == 0);
    if (integrated) CHECK(device_host && memcmp(device_host, src, sizeof src) == 0);
    /* a 16-byte pattern */
    uint32_t wide[4] = {1, 2, 3, 4};
    long before = mock_launches();
    CHECK(accel_buffer_fill(s, d, 64, 256, wide, 16) == ACCEL_OK);
    if (fill_by_kernel) {
        /* too wide for the fill engine: our fill_pattern kernel, which the mock cannot run */
        char name[128];
        uint32_t g[3], l[3];
        mock_last(name, sizeof name, g, l);
        CHECK(mock_launches() == before + 1 && strcmp(name, "fill_pattern") == 0 && g[0] == 1 && l[0] == 256);
    } else {
        CHECK(mock_launches() == before);
        CHECK(accel_buffer_read(s, d, 64, dst, 256) == ACCEL_OK);
        CHECK(accel_stream_synchronize(s) == ACCEL_OK);
        ok = 1;
        for (int i = 0; i < 64; i++) ok &= dst[i] == wide[i % 4];
        CHECK(ok);
    }
    CHECK(accel_buffer_free(d) == ACCEL_OK);
    CHECK(accel_buffer_free(e) == ACCEL_OK);
    CHECK(accel_buffer_free(pinned) == ACCEL_OK);
}

static void check_timer_events(accel_device *dev, accel_stream *s) {
    double res = 0;
    const char *name = NULL;
    CHECK(accel_timer_properties(dev, &res, &name) == ACCEL_OK);
    CHECK(name && strcmp(name, "ze-timestamp") == 0);
    CHECK(fabs(res - 1e9 / 19.2e6) < 1e-9); /* from the 1.2 structure: 19.2 MHz */
    accel_timer *t = NULL;
    CHECK(accel_timer_create(dev, &t) == ACCEL_OK);
    if (!t) return;
    /* The mock's stamps are 1,000,000 ticks apart and its 32-bit counter wraps between them, with
     * different garbage above bit 31 each time: only masking + scaling gives 52.083 ms. */
    CHECK(accel_timer_begin(t, s) == ACCEL_OK);
    CHECK(accel_timer_end(t, s) == ACCEL_OK);
    double ms = -1;
    CHECK(accel_timer_elapsed_ms(t, &ms) == ACCEL_OK);
    CHECK(fabs(ms - 52.0833333333) < 1e-6);
    printf("timer: %.6f ms\n", ms);
    /* reused without reading in between: the second pair replaces the first */
    CHECK(accel_timer_begin(t, s) == ACCEL_OK);
    CHECK(accel_timer_end(t, s) == ACCEL_OK);
    CHECK(accel_timer_begin(t, s) == ACCEL_OK);
    CHECK(accel_timer_end(t, s) == ACCEL_OK);
    CHECK(accel_timer_elapsed_ms(t, &ms) == ACCEL_OK);
    CHECK(fabs(ms - 52.0833333333) < 1e-6);
    accel_timer_destroy(t);

    accel_stream *s2 = NULL;
    accel_event *ev = NULL;
    CHECK(accel_stream_create(dev, &s2) == ACCEL_OK);
    CHECK(accel_event_create(dev, &ev) == ACCEL_OK);
    if (s2 && ev) {
        CHECK(accel_event_record(ev, s) == ACCEL_OK);
        CHECK(accel_stream_wait_event(s2, ev) == ACCEL_OK);
        CHECK(accel_event_record(ev, s) == ACCEL_OK); /* re-recorded */
        CHECK(accel_stream_wait_event(s2, ev) == ACCEL_OK);
        CHECK(accel_event_synchronize(ev) == ACCEL_OK);
        CHECK(accel_stream_synchronize(s2) == ACCEL_OK);
        CHECK(accel_device_synchronize(dev) == ACCEL_OK);
    }
    accel_event_destroy(ev);
    accel_stream_destroy(s2);
}

static void check_telemetry(accel_device *dev) {
    accel_device_telemetry t;
    memset(&t, 0, sizeof t);
    t.struct_size = sizeof t;
    CHECK(accel_device_telemetry_get(dev, &t) == ACCEL_OK);
    CHECK(t.power_w < 0); /* needs two readings */
    CHECK(accel_device_telemetry_get(dev, &t) == ACCEL_OK);
    CHECK(fabs(t.power_w - 300.0) < 1e-9);
    CHECK(fabs(t.clock_mhz - 1550.0) < 1e-9);
    CHECK(fabs(t.temperature_c - 45.0) < 1e-9);
    CHECK(t.energy_j > 0);
    CHECK(strcmp(t.energy_source, "ze-sysman") == 0);
    setenv("MOCK_ZE_NO_ENERGY", "1", 1);
    CHECK(accel_device_telemetry_get(dev, &t) == ACCEL_OK); /* clocks and temperature still read */
    CHECK(t.energy_j < 0);
    CHECK(strncmp(t.energy_source, "none: zesPowerGetEnergyCounter: ", 32) == 0);
    unsetenv("MOCK_ZE_NO_ENERGY");
    CHECK(strstr(t.throttle_reasons, "power-cap") != NULL);
}

/* A build without the SPIR-V toolchain: ops and wide fills say why instead of running. */
static void check_no_kernels(accel_device *dev, accel_stream *s) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ELTWISE;
    d.u.eltwise = (accel_eltwise_desc){ACCEL_ELTWISE_RELU, ACCEL_DTYPE_F32, 100, 0, 1.0, 0.0};
    accel_op_plan *plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_ERR_UNIMPLEMENTED);
    CHECK(strstr(accel_last_error(), "built without embedded kernels") != NULL);
    if (fill_by_kernel) {
        accel_buffer *b = NULL;
        uint32_t wide[4] = {1, 2, 3, 4};
        CHECK(accel_buffer_alloc(dev, 256, ACCEL_MEMORY_DEVICE, &b) == ACCEL_OK);
        CHECK(accel_buffer_fill(s, b, 0, 256, wide, 16) == ACCEL_ERR_UNIMPLEMENTED);
        accel_buffer_free(b);
    }
}

static void check_kernels(accel_device *dev, accel_stream *s) {
    const accel_ze_kernel_image *img = accel_ze_kernel_image_find("ze_fill");
    CHECK(img && img->spirv_size > 0);
    if (!img || !img->spirv_size) return;
    accel_module *m = NULL;
    CHECK(accel_module_load(dev, ACCEL_MODULE_SPIRV, img->spirv, img->spirv_size, NULL, &m) == ACCEL_OK);
    static const char junk[64] = "this is not SPIR-V at all";
    accel_module *bad = NULL;
    CHECK(accel_module_load(dev, ACCEL_MODULE_SPIRV, junk, sizeof junk, NULL, &bad) != ACCEL_OK);
    CHECK(strstr(accel_last_error(), "ZE_RESULT_ERROR_MODULE_BUILD_FAILURE") != NULL);
    CHECK(strstr(accel_last_error(), "mock: not SPIR-V") != NULL); /* the build log */
    CHECK(accel_module_load(dev, ACCEL_MODULE_OPENCL_C, "kernel void k(){}", 17, NULL, &bad) != ACCEL_OK);
    if (!m) return;
    accel_kernel *k = NULL;
    CHECK(accel_kernel_get(m, "no_such_kernel", &k) != ACCEL_OK);
    CHECK(accel_kernel_get(m, "fill_pattern", &k) == ACCEL_OK);
    accel_buffer *b = NULL;
    CHECK(accel_buffer_alloc(dev, 1024, ACCEL_MEMORY_DEVICE, &b) == ACCEL_OK);
    if (k && b) {
        uint32_t pattern[4] = {1, 2, 3, 4}, size = 16, short_size = 16;
        uint64_t bytes = 1000;
        accel_kernel_arg args[4] = {accel_arg_buffer(b, 24), accel_arg_scalar(pattern, sizeof pattern),
                                    accel_arg_scalar(&size, sizeof size), accel_arg_scalar(&bytes, sizeof bytes)};
        const uint32_t grid[3] = {4, 1, 1}, group[3] = {256, 1, 1};
        long before = mock_launches();
        CHECK(accel_kernel_launch(s, k, grid, group, args, 4, 0) == ACCEL_OK);
        CHECK(mock_launches() == before + 1);
        /* a 4-byte value where the kernel takes a ulong: the driver's size check answers */
        args[3] = accel_arg_scalar(&short_size, sizeof short_size);
        CHECK(accel_kernel_launch(s, k, grid, group, args, 4, 0) != ACCEL_OK);
        CHECK(strstr(accel_last_error(), "ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE") != NULL);
        CHECK(accel_stream_synchronize(s) == ACCEL_OK);
    }
    accel_buffer_free(b);
    accel_kernel_release(k);
    accel_module_unload(m);
}

/* Plans and runs one op; the mock validates the launch against the kernel's SPIR-V. */
static void run_op(accel_device *dev, accel_stream *s, const accel_op_desc *desc, const char *kernel,
                   const uint32_t groups[3], const uint32_t local[3], const char *label) {
    accel_op_plan *plan = NULL;
    accel_status st = accel_op_plan_create(dev, desc, &plan);
    if (st != ACCEL_OK) {
        fprintf(stderr, "%s: plan: %s: %s\n", label, accel_status_str(st), accel_last_error());
        failures++;
        return;
    }
    accel_buffer_ref refs[ACCEL_OP_MAX_OPERANDS];
    accel_buffer *bufs[ACCEL_OP_MAX_OPERANDS] = {0};
    int n = accel_op_operand_count(desc->kind);
    for (int i = 0; i < n; i++) {
        size_t bytes = 0;
        refs[i].buffer = NULL;
        refs[i].offset = 0;
        if (accel_op_operand_bytes(desc, i, &bytes) != ACCEL_OK || bytes == 0) continue;
        CHECK(accel_buffer_alloc(dev, bytes + 256, ACCEL_MEMORY_DEVICE, &bufs[i]) == ACCEL_OK);
        refs[i].buffer = bufs[i];
        refs[i].offset = 256; /* the pointer passed must be base + offset, inside the allocation */
    }
    long before = mock_launches();
    st = accel_op_plan_execute(plan, s, refs, (size_t)n, (accel_buffer_ref){NULL, 0});
    if (st != ACCEL_OK) {
        fprintf(stderr, "%s: execute: %s: %s\n", label, accel_status_str(st), accel_last_error());
        failures++;
    } else {
        char name[128];
        uint32_t g[3], l[3];
        mock_last(name, sizeof name, g, l);
        CHECK(mock_launches() == before + 1);
        CHECK(strcmp(name, kernel) == 0);
        CHECK(memcmp(g, groups, sizeof g) == 0);
        CHECK(memcmp(l, local, sizeof l) == 0);
        printf("%-22s %s grid %ux%ux%u group %ux%ux%u | %s\n", label, name, g[0], g[1], g[2], l[0],
               l[1], l[2], accel_op_plan_algorithm(plan));
    }
    CHECK(accel_stream_synchronize(s) == ACCEL_OK);
    for (int i = 0; i < n; i++) accel_buffer_free(bufs[i]);
    accel_op_plan_destroy(plan);
}

static void check_ops(accel_device *dev, accel_stream *s) {
    const uint32_t tile[3] = {16, 16, 1}, row64[3] = {64, 1, 1}, row256[3] = {256, 1, 1};
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_GEMM;
    accel_gemm_desc *g = &d.u.gemm;
    g->a_type = g->b_type = g->c_type = g->d_type = ACCEL_DTYPE_F32;
    g->m = 1000, g->n = 130, g->k = 70, g->batch = 1, g->alpha = 1.0, g->beta = 0.5;
    g->epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF;
    run_op(dev, s, &d, "accel_gemm", (const uint32_t[3]){3, 16, 1}, tile, "gemm f32 bias+gelu");
    g->trans_a = 1, g->batch = 3, g->beta = 0, g->epilogue = 0;
    run_op(dev, s, &d, "accel_gemm", (const uint32_t[3]){3, 16, 3}, tile, "gemm f32 TN batch 3");
    g->a_type = g->b_type = g->c_type = g->d_type = ACCEL_DTYPE_F16, g->trans_a = 0, g->trans_b = 1, g->batch = 1;
    run_op(dev, s, &d, "accel_gemm", (const uint32_t[3]){3, 16, 1}, tile, "gemm f16 NT");
    g->a_type = g->b_type = ACCEL_DTYPE_BF16, g->c_type = g->d_type = ACCEL_DTYPE_F32;
    run_op(dev, s, &d, "accel_gemm", (const uint32_t[3]){3, 16, 1}, tile, "gemm bf16->f32");
    accel_op_plan *plan = NULL;
    g->compute = ACCEL_COMPUTE_TF32, g->a_type = g->b_type = ACCEL_DTYPE_F32;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_ERR_UNIMPLEMENTED);

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_CONV2D;
    accel_conv2d_desc *c = &d.u.conv2d;
    c->x_type = c->w_type = c->y_type = ACCEL_DTYPE_F32;
    c->n = 2, c->c = 64, c->h = c->w = 28, c->k = 128, c->r = c->s = 3;
    c->stride_h = c->stride_w = 2, c->pad_h = c->pad_w = 1;
    c->epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU;
    /* p = q = 14: 392 pixels; NCHW rows = k = 128, cols = pixels */
    run_op(dev, s, &d, "accel_conv2d", (const uint32_t[3]){7, 2, 1}, tile, "conv2d nchw f32");
    c->layout = ACCEL_LAYOUT_NHWC, c->x_type = c->w_type = c->y_type = ACCEL_DTYPE_BF16;
    run_op(dev, s, &d, "accel_conv2d", (const uint32_t[3]){2, 7, 1}, tile, "conv2d nhwc bf16");

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_LAYERNORM;
    d.u.layernorm = (accel_layernorm_desc){ACCEL_DTYPE_F32, 384, 768, 1e-12, 1};
    run_op(dev, s, &d, "accel_layernorm", (const uint32_t[3]){384, 1, 1}, row256, "layernorm f32 768");
    d.u.layernorm = (accel_layernorm_desc){ACCEL_DTYPE_F16, 10, 100, 1e-5, 0};
    run_op(dev, s, &d, "accel_layernorm", (const uint32_t[3]){10, 1, 1}, row64, "layernorm f16 100");

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_SOFTMAX;
    d.u.softmax = (accel_softmax_desc){ACCEL_DTYPE_F32, 2 * 12 * 128, 128, 0.125, 12 * 128};
    run_op(dev, s, &d, "accel_softmax", (const uint32_t[3]){3072, 1, 1}, row64, "softmax f32 masked");

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ELTWISE;
    d.u.eltwise = (accel_eltwise_desc){ACCEL_ELTWISE_ADD, ACCEL_DTYPE_BF16, 1000, 0, 1.0, 1.0};
    run_op(dev, s, &d, "accel_eltwise", (const uint32_t[3]){4, 1, 1}, row256, "eltwise add bf16");
    d.u.eltwise = (accel_eltwise_desc){ACCEL_ELTWISE_GELU_ERF, ACCEL_DTYPE_F32, 70000, 0, 1.0, 0.0};
    run_op(dev, s, &d, "accel_eltwise", (const uint32_t[3]){274, 1, 1}, row256, "eltwise gelu f32");

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_PERMUTE;
    d.u.permute.dtype = ACCEL_DTYPE_F16;
    d.u.permute.ndims = 5;
    const int64_t dims[5] = {2, 128, 3, 12, 64};
    const int perm[5] = {2, 0, 3, 1, 4};
    memcpy(d.u.permute.dims, dims, sizeof dims);
    memcpy(d.u.permute.perm, perm, sizeof perm);
    run_op(dev, s, &d, "accel_permute", (const uint32_t[3]){2304, 1, 1}, row256, "permute qkv f16");

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ATTENTION;
    d.u.attention = (accel_attention_desc){ACCEL_DTYPE_BF16, ACCEL_COMPUTE_DEFAULT, 8, 12, 384, 64, 0.125, 0};
    run_op(dev, s, &d, "accel_attention", (const uint32_t[3]){384, 12, 8}, row256, "attention bf16 bert-large");
    d.u.attention.seq = 5000; /* past the kernel's local arrays */
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_ERR_UNIMPLEMENTED);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s <mock libze_loader path>\n", argv[0]);
        return 2;
    }
    fill_by_kernel = argc > 2 && strcmp(argv[2], "--fill-by-kernel") == 0;
    integrated = argc > 2 && strcmp(argv[2], "--integrated") == 0;
    void *mock = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!mock) {
        fprintf(stderr, "FAIL: %s\n", dlerror());
        return 1;
    }
    *(void **)&mock_live = dlsym(mock, "mock_ze_live_objects");
    *(void **)&mock_launches = dlsym(mock, "mock_ze_launch_count");
    *(void **)&mock_last = dlsym(mock, "mock_ze_last_launch");
    if (!mock_live || !mock_launches || !mock_last) {
        fprintf(stderr, "FAIL: %s is not the mock driver\n", argv[1]);
        return 1;
    }
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.backends = "level_zero";
    accel_runtime *rt = NULL;
    CHECK(accel_runtime_open(&opts, &rt) == ACCEL_OK);
    int count = 0;
    CHECK(accel_runtime_backend_device_count(rt, "level_zero", &count) == ACCEL_OK && count == 1);
    accel_device *dev = NULL;
    CHECK(accel_device_open(rt, "level_zero:0", &dev) == ACCEL_OK);
    if (dev) {
        check_info(dev);
        accel_stream *s = NULL;
        CHECK(accel_stream_create(dev, &s) == ACCEL_OK);
        if (s) {
            int have_kernels = accel_ze_kernel_image_count > 0;
            if (have_kernels || !fill_by_kernel) check_memory(dev, s);
            check_timer_events(dev, s);
            if (have_kernels) {
                check_kernels(dev, s);
                check_ops(dev, s);
            } else {
                printf("no embedded kernels: %s\n", accel_ze_kernel_toolchain_note);
                check_no_kernels(dev, s);
            }
            accel_stream_destroy(s);
        }
        check_telemetry(dev);
        accel_device_close(dev);
    }
    accel_runtime_close(rt);
    /* every context, list, event, allocation, module and kernel the plugin made is gone */
    long live = mock_live();
    if (live != 0) {
        fprintf(stderr, "FAIL: %ld Level Zero objects leaked\n", live);
        failures++;
    }
    dlclose(mock);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
