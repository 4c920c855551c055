/* The plugin's host logic against a mock HIP runtime, hiprtc and rocBLAS (tests/mock), found first
 * through LD_LIBRARY_PATH: init outcomes, the device description, transfers and fills, timers, and
 * the exact launches and library calls that op plans make (kernel names, packed argument blocks,
 * the row-major operand swap). Nothing here runs on a GPU; it pins down what the real runtime will
 * be asked to do.
 *   hip_mock_test init35 | init100 | full | blaslt | missing
 * (blaslt: a mock hipBLASLt is found too; missing: $ACCEL_HIP_LIBRARY names no file) */
#define _POSIX_C_SOURCE 200809L
#include "accel/accel.h"
#include "mock/mock_hip.h"

#include <dirent.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, accel_last_error());       \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

static const accel_backend_report *hip_report(accel_runtime *rt) {
    const accel_backend_report *reports = NULL;
    size_t count = 0;
    accel_runtime_backends(rt, &reports, &count);
    for (size_t i = 0; i < count; ++i)
        if (strcmp(reports[i].name, "hip") == 0)
            return &reports[i];
    return NULL;
}

static const mock_hip_launch *last_launch(void) {
    void *lib = dlopen("libamdhip64.so.6", RTLD_NOW | RTLD_NOLOAD);
    mock_hip_last_launch_fn fn = lib ? (mock_hip_last_launch_fn)(uintptr_t)dlsym(lib, "mock_hip_last_launch") : NULL;
    if (lib)
        dlclose(lib);
    return fn ? fn() : NULL;
}

static const mock_rocblas_gemm *last_gemm(void) {
    void *lib = dlopen("librocblas.so.4", RTLD_NOW | RTLD_NOLOAD);
    mock_rocblas_last_gemm_fn fn = lib ? (mock_rocblas_last_gemm_fn)(uintptr_t)dlsym(lib, "mock_rocblas_last_gemm") : NULL;
    if (lib)
        dlclose(lib);
    return fn ? fn() : NULL;
}

static const mock_blaslt_matmul *last_matmul(void) {
    void *lib = dlopen("libhipblaslt.so.1", RTLD_NOW | RTLD_NOLOAD);
    mock_blaslt_last_matmul_fn fn = lib ? (mock_blaslt_last_matmul_fn)(uintptr_t)dlsym(lib, "mock_blaslt_last_matmul") : NULL;
    if (lib)
        dlclose(lib);
    return fn ? fn() : NULL;
}

static int64_t arg_i64(const mock_hip_launch *l, size_t at) { int64_t v; memcpy(&v, l->args + at, 8); return v; }
static int32_t arg_i32(const mock_hip_launch *l, size_t at) { int32_t v; memcpy(&v, l->args + at, 4); return v; }
static float arg_f32(const mock_hip_launch *l, size_t at) { float v; memcpy(&v, l->args + at, 4); return v; }
static double arg_f64(const mock_hip_launch *l, size_t at) { double v; memcpy(&v, l->args + at, 8); return v; }
static void *arg_ptr(const mock_hip_launch *l, size_t at) { void *v; memcpy(&v, l->args + at, sizeof v); return v; }

/* A pinned buffer's host pointer is the mock's "device" pointer, so kernel arguments can be checked. */
static accel_buffer *pinned(accel_device *dev, size_t bytes, char **ptr) {
    accel_buffer *b = NULL;
    void *p = NULL;
    CHECK(accel_buffer_alloc(dev, bytes, ACCEL_MEMORY_HOST_PINNED, &b) == ACCEL_OK);
    CHECK(b && accel_buffer_host_ptr(b, &p) == ACCEL_OK);
    *ptr = p;
    return b;
}

static void check_info(accel_device *dev) {
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK(accel_device_info_get(dev, &info) == ACCEL_OK);
    CHECK(strcmp(info.name, "AMD Instinct MI300X") == 0);
    CHECK(strcmp(info.vendor, "AMD") == 0);
    CHECK(strcmp(info.isa, "gfx942") == 0);
    CHECK(strcmp(info.uuid, "GPU-0123456789abcdef") == 0);
    CHECK(strcmp(info.pci_bus_id, "0000:c1:00.0") == 0);
    CHECK(info.compute_units == 304 && info.clock_mhz == 2100);
    CHECK(info.memory_bytes == (uint64_t)192 << 30);
    CHECK(info.cache_bytes == (uint64_t)256 << 20); /* MI300X Infinity Cache beats the 4 MB L2 */
    CHECK(fabs(info.vendor_peak.tflops[ACCEL_COMPUTE_BF16] - 1307.4) < 1e-9);
    CHECK(strstr(info.vendor_peak.source, "MI300X") != NULL);
    CHECK(strcmp(info.op_libraries, "rocblas,accel") == 0);
    CHECK(info.module_formats & (1u << ACCEL_MODULE_GPU_C));
    CHECK(info.module_formats & (1u << ACCEL_MODULE_HIP_CODE_OBJECT));
    CHECK((info.features & ACCEL_FEATURE_TF32) && (info.features & ACCEL_FEATURE_ECC));
    CHECK(!(info.features & ACCEL_FEATURE_GRAPHS)); /* the mock has no hipGraph symbols */
    CHECK(strstr(info.notes, "PCI id 0x74a1") != NULL); /* no KFD here: the ISA came from the table */
    CHECK(info.power_limit_w == 750.0);
    accel_device_telemetry t;
    memset(&t, 0, sizeof t);
    t.struct_size = sizeof t;
    CHECK(accel_device_telemetry_get(dev, &t) == ACCEL_OK);
    CHECK(t.power_w == 512.0 && fabs(t.energy_j - 0.01525) < 1e-12 && t.temperature_c == 45.0);
    CHECK(strcmp(t.energy_source, "rocm-smi") == 0);
    /* A board without the counter: no energy, and the row will say why. */
    setenv("MOCK_RSMI_NO_ENERGY", "1", 1);
    CHECK(accel_device_telemetry_get(dev, &t) == ACCEL_OK);
    CHECK(t.energy_j < 0 && t.power_w == 512.0);
    CHECK(strcmp(t.energy_source,
                 "none: rsmi_dev_energy_count_get: rsmi_status_t 2 (RSMI_STATUS_NOT_SUPPORTED)") == 0);
    unsetenv("MOCK_RSMI_NO_ENERGY");
    CHECK(t.clock_mhz < 0); /* not read: rsmi_frequencies_t changed layout in ROCm 6 */
    printf("info: %s %s %s peak %s; %s\n", info.name, info.isa, info.uuid, info.vendor_peak.source,
           info.notes);
}

static void check_transfers(accel_device *dev, accel_stream *s) {
    accel_buffer *b = NULL;
    unsigned char in[64], out[64];
    for (int i = 0; i < 64; ++i)
        in[i] = (unsigned char)(3 * i + 1);
    CHECK(accel_buffer_alloc(dev, sizeof in, ACCEL_MEMORY_DEVICE, &b) == ACCEL_OK);
    CHECK(accel_buffer_write(s, b, 0, in, sizeof in) == ACCEL_OK);
    CHECK(accel_buffer_read(s, b, 0, out, sizeof out) == ACCEL_OK);
    CHECK(accel_stream_synchronize(s) == ACCEL_OK && memcmp(in, out, sizeof in) == 0);

    const unsigned char four[4] = {0xde, 0xad, 0xbe, 0xef};
    CHECK(accel_buffer_fill(s, b, 8, 16, four, 4) == ACCEL_OK); /* aligned: hipMemsetD32Async */
    CHECK(accel_buffer_read(s, b, 0, out, sizeof out) == ACCEL_OK);
    CHECK(memcmp(out, in, 8) == 0 && memcmp(out + 8, four, 4) == 0 && memcmp(out + 20, four, 4) == 0 &&
          memcmp(out + 24, in + 24, 40) == 0);

    /* An 8-byte pattern has no driver memset: the fill kernel gets it by value. */
    const mock_hip_launch *l = last_launch();
    int before = l ? l->count : -1;
    const unsigned char eight[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK(accel_buffer_fill(s, b, 8, 16, eight, 8) == ACCEL_OK);
    l = last_launch();
    CHECK(l && l->count == before + 1 && strcmp(l->kernel, "accel_fill_pattern") == 0);
    if (l) {
        CHECK(l->args_size == 36 && arg_i64(l, 8) == 2 && arg_i64(l, 16) == 0x0807060504030201ll &&
              arg_i64(l, 24) == 0 && arg_i32(l, 32) == 8);
    }
    /* A 4-byte pattern repeating a 2-byte one is still a driver memset (D16), no launch. */
    const unsigned char twice[4] = {0x12, 0x34, 0x12, 0x34};
    CHECK(accel_buffer_fill(s, b, 40, 8, twice, 4) == ACCEL_OK);
    CHECK(accel_buffer_read(s, b, 40, out, 8) == ACCEL_OK);
    CHECK(memcmp(out, twice, 4) == 0 && memcmp(out + 4, twice, 4) == 0);
    l = last_launch();
    CHECK(l && l->count == before + 1);
    accel_buffer_free(b);
}

static void check_timer_and_graph(accel_device *dev, accel_stream *s) {
    accel_timer *t = NULL;
    double ms = -1, resolution = 0;
    const char *name = NULL;
    CHECK(accel_timer_create(dev, &t) == ACCEL_OK);
    CHECK(accel_timer_begin(t, s) == ACCEL_OK && accel_timer_end(t, s) == ACCEL_OK);
    CHECK(accel_timer_elapsed_ms(t, &ms) == ACCEL_OK && fabs(ms - 1.5) < 1e-9);
    CHECK(accel_timer_properties(dev, &resolution, &name) == ACCEL_OK && strcmp(name, "hip-event") == 0);
    accel_timer_destroy(t);
    CHECK(accel_stream_capture_begin(s) == ACCEL_ERR_UNIMPLEMENTED);
}

static void check_eltwise(accel_device *dev, accel_stream *s) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ELTWISE;
    d.u.eltwise.kind = ACCEL_ELTWISE_ADD;
    d.u.eltwise.dtype = ACCEL_DTYPE_F32;
    d.u.eltwise.count = 1000;
    d.u.eltwise.alpha = 2.0;
    d.u.eltwise.beta = -1.0;
    accel_op_plan *plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    if (!plan)
        return;
    CHECK(strcmp(accel_op_plan_library(plan), "accel-hip") == 0);
    char *x, *z, *y;
    accel_buffer *bx = pinned(dev, 4000, &x), *bz = pinned(dev, 4000, &z), *by = pinned(dev, 8000, &y);
    accel_buffer_ref ops[3] = {{bx, 0}, {bz, 0}, {by, 4000}};
    accel_buffer_ref none = {NULL, 0};
    CHECK(accel_op_plan_execute(plan, s, ops, 3, none) == ACCEL_OK);
    const mock_hip_launch *l = last_launch();
    CHECK(l && strcmp(l->kernel, "accel_eltwise_f32") == 0);
    if (l) {
        CHECK(l->args_size == 56 && arg_i32(l, 0) == ACCEL_ELTWISE_ADD);
        CHECK(arg_ptr(l, 8) == x && arg_ptr(l, 16) == z && arg_ptr(l, 24) == y + 4000);
        CHECK(arg_i64(l, 32) == 1000 && arg_i64(l, 40) == 1);
        CHECK(arg_f32(l, 48) == 2.0f && arg_f32(l, 52) == -1.0f);
        CHECK(l->grid[0] == 4 && l->block[0] == 256);
    }
    accel_op_plan_destroy(plan);
    accel_buffer_free(bx);
    accel_buffer_free(bz);
    accel_buffer_free(by);
}

static const mock_hip_launch *run_op(accel_device *dev, accel_stream *s, const accel_op_desc *d,
                                     accel_buffer_ref *ops, size_t n, const char *kernel) {
    accel_op_plan *plan = NULL;
    CHECK(accel_op_plan_create(dev, d, &plan) == ACCEL_OK);
    if (!plan)
        return NULL;
    accel_buffer_ref none = {NULL, 0};
    CHECK(accel_op_plan_execute(plan, s, ops, n, none) == ACCEL_OK);
    accel_op_plan_destroy(plan);
    const mock_hip_launch *l = last_launch();
    CHECK(l && strcmp(l->kernel, kernel) == 0);
    return l && strcmp(l->kernel, kernel) == 0 ? l : NULL;
}

static void check_row_ops(accel_device *dev, accel_stream *s) {
    char *x, *r, *g, *y;
    accel_buffer *bx = pinned(dev, 1 << 20, &x), *br = pinned(dev, 1 << 16, &r);
    accel_buffer *bg = pinned(dev, 1 << 16, &g), *by = pinned(dev, 1 << 20, &y);
    accel_op_desc d;

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_LAYERNORM;
    d.u.layernorm.dtype = ACCEL_DTYPE_BF16;
    d.u.layernorm.rows = 6;
    d.u.layernorm.cols = 768;
    d.u.layernorm.eps = 1e-12;
    d.u.layernorm.has_residual = 0;
    accel_buffer_ref ln_ops[5] = {{bx, 0}, {br, 0}, {bg, 0}, {bg, 2048}, {by, 0}};
    const mock_hip_launch *l = run_op(dev, s, &d, ln_ops, 5, "accel_layernorm_bf16");
    if (l) {
        CHECK(arg_ptr(l, 0) == x && arg_ptr(l, 8) == NULL && arg_ptr(l, 16) == g &&
              arg_ptr(l, 24) == g + 2048 && arg_ptr(l, 32) == y);
        CHECK(arg_i64(l, 40) == 768 && arg_f32(l, 48) == 1e-12f && l->args_size == 52);
        CHECK(l->grid[0] == 6 && l->block[0] == 256);
    }

    /* rmsnorm: the mock runs no kernels, so the launch itself is checked (conformance runs the
     * same planner's recipe on the cuda fake driver). */
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_RMSNORM;
    d.u.rmsnorm.dtype = ACCEL_DTYPE_BF16;
    d.u.rmsnorm.rows = 5;
    d.u.rmsnorm.cols = 4096;
    d.u.rmsnorm.eps = 1e-6;
    accel_buffer_ref rms_ops[3] = {{bx, 64}, {bg, 0}, {by, 128}};
    l = run_op(dev, s, &d, rms_ops, 3, "accel_rmsnorm_bf16");
    if (l) {
        CHECK(arg_ptr(l, 0) == x + 64 && arg_ptr(l, 8) == g && arg_ptr(l, 16) == y + 128);
        CHECK(arg_i64(l, 24) == 4096 && arg_f32(l, 32) == 1e-6f && l->args_size == 36);
        CHECK(l->grid[0] == 5 && l->block[0] == 256);
    }

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_SOFTMAX;
    d.u.softmax.dtype = ACCEL_DTYPE_F16;
    d.u.softmax.rows = 2 * 12 * 128;
    d.u.softmax.cols = 128;
    d.u.softmax.scale = 0.125;
    d.u.softmax.rows_per_mask_row = 12 * 128;
    accel_buffer_ref sm_ops[3] = {{bx, 0}, {bg, 0}, {by, 0}};
    l = run_op(dev, s, &d, sm_ops, 3, "accel_softmax_f16");
    if (l) {
        CHECK(arg_ptr(l, 0) == x && arg_ptr(l, 8) == g && arg_ptr(l, 16) == y);
        CHECK(arg_i64(l, 24) == 128 && arg_f32(l, 32) == 0.125f && arg_i64(l, 40) == 1536);
        CHECK(l->args_size == 48 && l->grid[0] == 3072);
    }

    /* BERT's packed QKV [B,S,3,A,D] -> [3,B,A,S,D]. */
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_PERMUTE;
    d.u.permute.dtype = ACCEL_DTYPE_F16;
    d.u.permute.ndims = 5;
    const int64_t dims[5] = {2, 3, 3, 4, 5};
    const int perm[5] = {2, 0, 3, 1, 4};
    memcpy(d.u.permute.dims, dims, sizeof dims);
    memcpy(d.u.permute.perm, perm, sizeof perm);
    accel_buffer_ref pm_ops[2] = {{bx, 0}, {by, 0}};
    l = run_op(dev, s, &d, pm_ops, 2, "accel_permute_b2");
    if (l) {
        const int64_t out_dims[5] = {3, 2, 4, 3, 5}, in_strides[5] = {20, 180, 5, 60, 1};
        CHECK(arg_i64(l, 16) == 360);
        for (int i = 0; i < 5; ++i)
            CHECK(arg_i64(l, 24 + 8 * i) == out_dims[i] && arg_i64(l, 72 + 8 * i) == in_strides[i]);
        CHECK(arg_i32(l, 16 + 104) == 5 && l->args_size == 16 + 112);
    }

    /* conv3_x-like 3x3, pad 1, stride 2, NHWC, bias + residual + ReLU. */
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_CONV2D;
    accel_conv2d_desc *c = &d.u.conv2d;
    c->layout = ACCEL_LAYOUT_NHWC;
    c->x_type = c->w_type = c->y_type = ACCEL_DTYPE_F32;
    c->n = 2; c->c = 8; c->h = 9; c->w = 9; c->k = 70; c->r = 3; c->s = 3;
    c->stride_h = c->stride_w = 2;
    c->pad_h = c->pad_w = 1;
    c->epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU;
    accel_buffer_ref cv_ops[5] = {{bx, 0}, {bg, 0}, {bg, 4096}, {br, 0}, {by, 0}};
    l = run_op(dev, s, &d, cv_ops, 5, "accel_conv2d_f32");
    if (l) {
        CHECK(arg_ptr(l, 16) == g + 4096 && arg_ptr(l, 24) == r && arg_ptr(l, 32) == y);
        CHECK(arg_i64(l, 40 + 56) == 5 && arg_i64(l, 40 + 64) == 5); /* p, q */
        CHECK(arg_i64(l, 40 + 104) == 1 && arg_i64(l, 40 + 112) == 1); /* dilation 0 -> 1 */
        CHECK(arg_i32(l, 40 + 120) == 1 && arg_i32(l, 40 + 124) == 1);  /* nhwc, relu */
        CHECK(l->grid[0] == 2 && l->grid[1] == 1 && l->block[0] == 256); /* 70 channels, 50 pixels */
    }
    /* The .cu family's rule (conformance case conv2d-compute-types, which this mock cannot run: it
     * executes no kernels): the kernel accumulates in fp32, so compute types it does not deliver are
     * refused, never run as fp32. */
    c->x_type = c->w_type = c->y_type = ACCEL_DTYPE_F16;
    const accel_compute_type undelivered[] = {ACCEL_COMPUTE_F16_ACC16, ACCEL_COMPUTE_BF16, ACCEL_COMPUTE_TF32,
                                              ACCEL_COMPUTE_F64, ACCEL_COMPUTE_I32};
    for (size_t i = 0; i < sizeof undelivered / sizeof undelivered[0]; ++i) {
        accel_op_plan *refused = NULL;
        c->compute = undelivered[i];
        CHECK(accel_op_plan_create(dev, &d, &refused) == ACCEL_ERR_UNIMPLEMENTED);
        accel_op_plan_destroy(refused);
    }
    c->compute = ACCEL_COMPUTE_F16;
    accel_op_plan *f16 = NULL;
    CHECK(accel_op_plan_create(dev, &d, &f16) == ACCEL_OK);
    accel_op_plan_destroy(f16);

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ATTENTION;
    d.u.attention.dtype = ACCEL_DTYPE_F16;
    d.u.attention.batch = d.u.attention.heads = 1;
    d.u.attention.seq = d.u.attention.head_dim = 64;
    d.u.attention.scale = 0.125;
    accel_op_plan *plan = NULL;
    /* flash_attention.cu's MFMA body on the mock's gfx942: 64 query rows per 128-thread block */
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    CHECK(plan && strstr(accel_op_plan_algorithm(plan), "accel_flash_attention_mfma_f16 (flash_attention.cu) "
                                                        "flash-tiled-mfma-64x64"));
    accel_buffer *qkvo = NULL;
    CHECK(accel_buffer_alloc(dev, 4 * 64 * 200 * 2 + 64 * 4, ACCEL_MEMORY_DEVICE, &qkvo) == ACCEL_OK);
    const size_t t = 64 * 64 * 2;
    accel_buffer_ref ops[5] = {{qkvo, 0}, {qkvo, t}, {qkvo, 2 * t}, {qkvo, 4 * t}, {qkvo, 3 * t}};
    if (plan && qkvo) {
        CHECK(accel_op_plan_execute(plan, s, ops, 5, (accel_buffer_ref){NULL, 0}) == ACCEL_OK);
        const mock_hip_launch *l = last_launch();
        CHECK(l && strcmp(l->kernel, "accel_flash_attention_mfma_f16") == 0 && l->grid[0] == 1 && l->grid[1] == 1 &&
              l->block[0] == 128);
    }
    accel_op_plan_destroy(plan);
    plan = NULL;
    d.u.attention.dtype = ACCEL_DTYPE_F32; /* no fp32 MFMA body: the portable one */
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    CHECK(plan && strstr(accel_op_plan_algorithm(plan), "accel_flash_attention_f32 (flash_attention.cu) "
                                                        "flash-tiled-fma"));
    accel_op_plan_destroy(plan);
    plan = NULL;
    d.u.attention.dtype = ACCEL_DTYPE_F16;
    d.u.attention.head_dim = 200; /* above the tiled kernel's: attention.cu, one block per query row */
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    if (plan && qkvo) {
        const size_t t200 = 64 * 200 * 2;
        for (int i = 0; i < 5; ++i) ops[i].offset = (size_t)(i == 3 ? 4 : i == 4 ? 3 : i) * t200;
        CHECK(accel_op_plan_execute(plan, s, ops, 5, (accel_buffer_ref){NULL, 0}) == ACCEL_OK);
        const mock_hip_launch *l = last_launch();
        CHECK(l && strcmp(l->kernel, "accel_attention_f16") == 0 && l->grid[0] == 1 && l->grid[1] == 64 &&
              l->block[0] == 128);
    }
    accel_op_plan_destroy(plan);
    d.u.attention.seq = 5000; /* a row's scores must fit the row kernel's shared memory */
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_ERR_UNIMPLEMENTED);
    d.u.attention.head_dim = 64; /* the tiled kernel takes any sequence */
    plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    accel_op_plan_destroy(plan);
    accel_buffer_free(qkvo);
    accel_buffer_free(bx);
    accel_buffer_free(br);
    accel_buffer_free(bg);
    accel_buffer_free(by);
}

static accel_op_desc gemm_desc(const char *library, accel_compute_type compute, int trans_a,
                               uint32_t epilogue) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_GEMM;
    snprintf(d.library, sizeof d.library, "%s", library);
    accel_gemm_desc *g = &d.u.gemm;
    g->a_type = g->b_type = g->c_type = g->d_type = ACCEL_DTYPE_F32;
    g->compute = compute;
    g->trans_a = trans_a;
    g->m = 3;
    g->n = 5;
    g->k = 7;
    g->batch = 1;
    g->alpha = 1.5;
    g->beta = 0.0;
    g->epilogue = epilogue;
    return d;
}

static void check_gemm(accel_device *dev, accel_stream *s) {
    char *a, *b, *dd, *bias;
    accel_buffer *ba = pinned(dev, 4 * 21, &a), *bb = pinned(dev, 4 * 35, &b);
    accel_buffer *bd = pinned(dev, 4 * 15, &dd), *bbias = pinned(dev, 4 * 5, &bias);
    accel_buffer_ref ops[5] = {{ba, 0}, {bb, 0}, {NULL, 0}, {bd, 0}, {bbias, 0}};
    accel_buffer_ref none = {NULL, 0};

    /* rocBLAS, A transposed, bias + erf-GELU: swapped operands, then our epilogue kernel. */
    accel_op_desc d = gemm_desc("rocblas", ACCEL_COMPUTE_DEFAULT, 1,
                                ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF);
    accel_op_plan *plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    if (plan) {
        CHECK(strcmp(accel_op_plan_library(plan), "rocblas") == 0);
        CHECK(accel_op_plan_execute(plan, s, ops, 5, none) == ACCEL_OK);
        const mock_rocblas_gemm *g = last_gemm();
        CHECK(g && g->count == 1);
        if (g) {
            CHECK(g->trans_a == 111 && g->trans_b == 112); /* op(B) = N, op(A) = T */
            CHECK(g->m == 5 && g->n == 3 && g->k == 7);
            CHECK(g->a == b && g->lda == 5 && g->b == a && g->ldb == 3);
            CHECK(g->d == dd && g->c == dd && g->ldd == 5 && g->ldc == 5 && g->batch == 1);
            CHECK(g->a_type == 151 && g->compute_type == 151 && g->alpha == 1.5f && g->beta == 0.0f);
        }
        const mock_hip_launch *l = last_launch();
        CHECK(l && strcmp(l->kernel, "accel_bias_act_f32") == 0);
        if (l) {
            CHECK(arg_ptr(l, 0) == dd && arg_ptr(l, 8) == bias);
            CHECK(arg_i64(l, 16) == 3 && arg_i64(l, 24) == 5 && arg_i64(l, 32) == 5);
            CHECK(arg_i64(l, 40) == 1 && arg_i64(l, 48) == 15 && arg_i64(l, 56) == 0);
            CHECK(arg_i32(l, 64) == 2 && l->args_size == 68); /* ACCEL_ACT_GELU_ERF */
        }
        accel_op_plan_destroy(plan);
    }

    /* tf32 by default: rocBLAS has no xf32 and hipBLASLt is absent, so our kernel, rounding. */
    d = gemm_desc("", ACCEL_COMPUTE_TF32, 0, ACCEL_EPILOGUE_RELU);
    plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    if (plan) {
        CHECK(strcmp(accel_op_plan_library(plan), "accel-hip") == 0);
        CHECK(accel_op_plan_execute(plan, s, ops, 5, none) == ACCEL_OK);
        const mock_hip_launch *l = last_launch();
        CHECK(l && strcmp(l->kernel, "accel_gemm_f32") == 0);
        if (l) {
            CHECK(arg_ptr(l, 0) == a && arg_ptr(l, 8) == b && arg_ptr(l, 16) == NULL);
            CHECK(arg_ptr(l, 24) == dd && arg_ptr(l, 32) == NULL); /* no bias requested */
            CHECK(arg_i64(l, 40) == 3 && arg_i64(l, 48) == 5 && arg_i64(l, 56) == 7);
            CHECK(arg_i64(l, 64) == 7 && arg_i64(l, 72) == 5); /* packed lda, ldb */
            CHECK(arg_f64(l, 40 + 104) == 1.5);
            CHECK(arg_i32(l, 40 + 128) == 1 && arg_i32(l, 40 + 132) == 1); /* relu, tf32 */
            CHECK(l->args_size == 40 + 136 && l->grid[0] == 1 && l->grid[1] == 1 && l->block[0] == 256);
        }
        accel_op_plan_destroy(plan);
    }

    d = gemm_desc("hipblaslt", ACCEL_COMPUTE_DEFAULT, 0, 0);
    plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_ERR_UNIMPLEMENTED);
    CHECK(strstr(accel_last_error(), "hipblaslt") != NULL);
    accel_buffer_free(ba);
    accel_buffer_free(bb);
    accel_buffer_free(bd);
    accel_buffer_free(bbias);
}

static void check_module(accel_device *dev, accel_stream *s) {
    static const char src[] = "extern \"C\" __global__ void k(float *p, int n, double x) {}";
    accel_module *m = NULL;
    accel_kernel *k = NULL;
    CHECK(accel_module_load(dev, ACCEL_MODULE_GPU_C, src, sizeof src - 1, "-DX=1", &m) == ACCEL_OK);
    CHECK(m && accel_kernel_get(m, "k", &k) == ACCEL_OK);
    char *p;
    accel_buffer *b = pinned(dev, 64, &p);
    int n = 42;
    double x = 0.25;
    accel_kernel_arg args[3] = {accel_arg_buffer(b, 16), accel_arg_scalar(&n, sizeof n),
                                accel_arg_scalar(&x, sizeof x)};
    const uint32_t grid[3] = {2, 3, 4}, group[3] = {64, 1, 1};
    CHECK(k && accel_kernel_launch(s, k, grid, group, args, 3, 128) == ACCEL_OK);
    const mock_hip_launch *l = last_launch();
    CHECK(l && strcmp(l->kernel, "k") == 0);
    if (l) {
        CHECK(arg_ptr(l, 0) == p + 16 && arg_i32(l, 8) == 42 && arg_f64(l, 16) == 0.25);
        CHECK(l->args_size == 24 && l->grid[2] == 4 && l->block[0] == 64 && l->shared_bytes == 128);
    }
    if (k)
        accel_kernel_release(k);
    if (m)
        accel_module_unload(m);
    accel_buffer_free(b);
}

/* Counts (or, with remove_them, deletes) the cached code objects in $ACCEL_CACHE_DIR/hip/gfx942. */
static int cached_objects(int remove_them) {
    const char *base = getenv("ACCEL_CACHE_DIR");
    char dir[1024], path[1300];
    snprintf(dir, sizeof dir, "%s/hip/gfx942", base ? base : "");
    DIR *d = opendir(dir);
    int files = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".hsaco"))
            continue;
        ++files;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (remove_them)
            remove(path);
    }
    if (d)
        closedir(d);
    return files;
}

/* The sources compiled above are on disk; a fresh device handle loads them without hiprtc. */
static void check_cache(accel_runtime *rt) {
    CHECK(cached_objects(0) == 11); /* fill, eltwise, layernorm, softmax, attention, flash_attention,
                                       permute, conv2d, epilogue, gemm, the GPU C module */
    const mock_hip_launch *l = last_launch();
    int compiles = l ? l->compiles : -1;
    accel_device *dev = NULL;
    accel_stream *s = NULL;
    CHECK(accel_device_open(rt, "hip:0", &dev) == ACCEL_OK);
    CHECK(dev && accel_stream_create(dev, &s) == ACCEL_OK);
    if (s)
        check_eltwise(dev, s);
    l = last_launch();
    CHECK(l && l->compiles == compiles);
    accel_stream_destroy(s);
    accel_device_close(dev);
}

static int layout_is(const mock_blaslt_layout *l, int type, uint64_t rows, uint64_t cols, int64_t ld,
                     int32_t batch, int64_t stride) {
    return l->type == type && l->rows == rows && l->cols == cols && l->ld == ld &&
           l->batch == batch && (batch == 1 || l->stride == stride);
}

static void check_blaslt(accel_device *dev, accel_stream *s) {
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK(accel_device_info_get(dev, &info) == ACCEL_OK);
    CHECK(strcmp(info.op_libraries, "hipblaslt,rocblas,accel") == 0);

    char *a, *b, *dd, *bias, *ws;
    accel_buffer *ba = pinned(dev, 4 * 42, &a), *bb = pinned(dev, 4 * 70, &b);
    accel_buffer *bd = pinned(dev, 4 * 30, &dd), *bbias = pinned(dev, 4 * 10, &bias);
    accel_buffer *bws = pinned(dev, 1024, &ws);
    accel_buffer_ref ops[5] = {{ba, 0}, {bb, 0}, {NULL, 0}, {bd, 0}, {bbias, 0}};
    accel_buffer_ref workspace = {bws, 0};

    /* Default path, A transposed, bias + erf-GELU: bias fused, erf-GELU by our kernel after. */
    accel_op_desc d = gemm_desc("", ACCEL_COMPUTE_DEFAULT, 1, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF);
    accel_op_plan *plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    if (plan) {
        CHECK(strcmp(accel_op_plan_library(plan), "hipblaslt") == 0);
        CHECK(accel_op_plan_workspace_size(plan) == 1024);
        CHECK(accel_op_plan_execute(plan, s, ops, 5, workspace) == ACCEL_OK);
        const mock_blaslt_matmul *m = last_matmul();
        CHECK(m && m->count == 1);
        if (m) {
            CHECK(m->compute == 2 && m->scale_type == 0); /* HIPBLAS_COMPUTE_32F, HIP_R_32F */
            CHECK(m->trans_a == 111 && m->trans_b == 112);
            CHECK(m->epilogue == 4 && m->bias == bias && m->bias_type == 0);
            CHECK(layout_is(&m->a, 0, 5, 7, 5, 1, 0));  /* our B, column-major n x k */
            CHECK(layout_is(&m->b, 0, 3, 7, 3, 1, 0));  /* our A stored k x m: m x k, op T */
            CHECK(layout_is(&m->c, 0, 5, 3, 5, 1, 0) && layout_is(&m->d, 0, 5, 3, 5, 1, 0));
            CHECK(m->pa == b && m->pb == a && m->pc == dd && m->pd == dd);
            CHECK(m->alpha == 1.5f && m->beta == 0.0f && m->workspace == ws && m->workspace_size == 1024);
        }
        const mock_hip_launch *l = last_launch();
        CHECK(l && strcmp(l->kernel, "accel_bias_act_f32") == 0);
        if (l)
            CHECK(arg_ptr(l, 8) == NULL && arg_i32(l, 64) == 2);
        accel_op_plan_destroy(plan);
    }

    /* xf32 on gfx942 with bias + tanh-GELU: all fused, no kernel afterwards. */
    const mock_hip_launch *l = last_launch();
    int launches = l ? l->count : -1;
    d = gemm_desc("", ACCEL_COMPUTE_TF32, 0, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_TANH);
    plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    if (plan) {
        CHECK(strstr(accel_op_plan_algorithm(plan), "HIPBLAS_COMPUTE_32F_FAST_TF32") != NULL);
        CHECK(accel_op_plan_execute(plan, s, ops, 5, workspace) == ACCEL_OK);
        const mock_blaslt_matmul *m = last_matmul();
        CHECK(m && m->compute == 6 && m->epilogue == 36 && m->trans_a == 111 && m->trans_b == 111);
        CHECK(m && layout_is(&m->b, 0, 7, 3, 7, 1, 0));
        l = last_launch();
        CHECK(l && l->count == launches);
        accel_op_plan_destroy(plan);
    }

    /* Batched with a bias per batch: the library's bias is shared, so bias + ReLU go to our kernel. */
    d = gemm_desc("hipblaslt", ACCEL_COMPUTE_DEFAULT, 0, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU);
    d.u.gemm.batch = 2;
    d.u.gemm.stride_bias = 5;
    plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    if (plan) {
        CHECK(accel_op_plan_execute(plan, s, ops, 5, workspace) == ACCEL_OK);
        const mock_blaslt_matmul *m = last_matmul();
        CHECK(m && m->epilogue == 1);
        CHECK(m && layout_is(&m->a, 0, 5, 7, 5, 2, 35) && layout_is(&m->b, 0, 7, 3, 7, 2, 21) &&
              layout_is(&m->d, 0, 5, 3, 5, 2, 15));
        l = last_launch();
        CHECK(l && strcmp(l->kernel, "accel_bias_act_f32") == 0);
        if (l)
            CHECK(arg_ptr(l, 8) == bias && arg_i64(l, 40) == 2 && arg_i64(l, 56) == 5 && arg_i32(l, 64) == 1);
        accel_op_plan_destroy(plan);
    }

    /* ROCm 6.0's hipBLASLt rejects the hipblas-common enum: the plugin retries with 300/301. */
    setenv("MOCK_BLASLT_ROCM60", "1", 1);
    d = gemm_desc("hipblaslt", ACCEL_COMPUTE_TF32, 0, 0);
    plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    if (plan) {
        CHECK(strstr(accel_op_plan_algorithm(plan), "HIPBLASLT_COMPUTE_F32_FAST_XF32") != NULL);
        CHECK(accel_op_plan_execute(plan, s, ops, 5, workspace) == ACCEL_OK);
        const mock_blaslt_matmul *m = last_matmul();
        CHECK(m && m->compute == 301 && m->epilogue == 1);
        accel_op_plan_destroy(plan);
    }
    unsetenv("MOCK_BLASLT_ROCM60");

    /* f64 is not a hipBLASLt type: the default path takes rocBLAS. */
    d = gemm_desc("", ACCEL_COMPUTE_DEFAULT, 0, 0);
    d.u.gemm.a_type = d.u.gemm.b_type = d.u.gemm.c_type = d.u.gemm.d_type = ACCEL_DTYPE_F64;
    plan = NULL;
    CHECK(accel_op_plan_create(dev, &d, &plan) == ACCEL_OK);
    if (plan) {
        CHECK(strcmp(accel_op_plan_library(plan), "rocblas") == 0);
        CHECK(accel_op_plan_execute(plan, s, ops, 5, workspace) == ACCEL_OK);
        const mock_rocblas_gemm *g = last_gemm();
        CHECK(g && g->a_type == 152 && g->compute_type == 152);
        accel_op_plan_destroy(plan);
    }
    accel_buffer_free(ba);
    accel_buffer_free(bb);
    accel_buffer_free(bd);
    accel_buffer_free(bbias);
    accel_buffer_free(bws);
}

static int run_blaslt(accel_runtime *rt) {
    accel_device *dev = NULL;
    accel_stream *s = NULL;
    CHECK(accel_device_open(rt, "hip:0", &dev) == ACCEL_OK);
    CHECK(dev && accel_stream_create(dev, &s) == ACCEL_OK);
    if (s)
        check_blaslt(dev, s);
    accel_stream_destroy(s);
    accel_device_close(dev);
    return 0;
}

static int run_full(accel_runtime *rt) {
    const accel_backend_report *hip = hip_report(rt);
    CHECK(hip && hip->status == ACCEL_OK && hip->device_count == 1);
    cached_objects(1); /* start cold: what a previous run left would hide a broken cache write */
    accel_device *dev = NULL;
    CHECK(accel_device_open(rt, "hip:0", &dev) == ACCEL_OK);
    if (!dev)
        return 1;
    accel_stream *s = NULL;
    CHECK(accel_stream_create(dev, &s) == ACCEL_OK);
    check_info(dev);
    check_transfers(dev, s);
    check_timer_and_graph(dev, s);
    check_eltwise(dev, s);
    check_row_ops(dev, s);
    check_gemm(dev, s);
    check_module(dev, s);
    const mock_hip_launch *l = last_launch();
    CHECK(l && l->compiles == 11);
    accel_stream_destroy(s);
    accel_device_close(dev);
    check_cache(rt);
    return 0;
}

/* The ABI 1.3 peer slots on 3 mock devices, peer group {0,1} (MOCK_HIP_PEER_GROUPS=01): xGMI with
 * access inside it, PCIe without outside; enabling, and a copy through hipMemcpyPeerAsync. */
static void run_peer(accel_runtime *rt) {
    accel_device *d[3] = {NULL};
    CHECK(accel_device_open(rt, "hip:0", &d[0]) == ACCEL_OK && accel_device_open(rt, "hip:1", &d[1]) == ACCEL_OK &&
          accel_device_open(rt, "hip:2", &d[2]) == ACCEL_OK);
    if (!d[0] || !d[1] || !d[2]) return;
    accel_peer_info pi = {.struct_size = sizeof pi};
    CHECK(accel_device_peer_query(d[1], d[0], &pi) == ACCEL_OK && pi.can_access_peer == 1 &&
          pi.link == ACCEL_LINK_XGMI && pi.link_count == 1 && strstr(pi.detail, "link type 4, 1 hop(s)"));
    CHECK(accel_device_peer_query(d[0], d[2], &pi) == ACCEL_OK && pi.can_access_peer == 0 &&
          pi.link == ACCEL_LINK_PCIE && pi.link_count == 2 && strstr(pi.detail, "hipDeviceCanAccessPeer 0"));
    CHECK(accel_device_peer_enable(d[0], d[1]) == ACCEL_OK);
    CHECK(accel_device_peer_enable(d[0], d[1]) == ACCEL_OK); /* already enabled */
    CHECK(accel_device_peer_enable(d[0], d[2]) == ACCEL_ERR_UNIMPLEMENTED &&
          strstr(accel_last_error(), "hipErrorPeerAccessUnsupported (217)"));
    void *lib = dlopen("libamdhip64.so.6", RTLD_NOW | RTLD_NOLOAD);
    unsigned long (*copies)(void) = lib ? (unsigned long (*)(void))(uintptr_t)dlsym(lib, "mock_hip_peer_copies") : NULL;
    CHECK(copies != NULL);
    accel_buffer *a = NULL, *b = NULL;
    accel_stream *s0 = NULL, *s1 = NULL;
    CHECK(accel_buffer_alloc(d[0], 4096, ACCEL_MEMORY_DEVICE, &a) == ACCEL_OK &&
          accel_buffer_alloc(d[1], 4096, ACCEL_MEMORY_DEVICE, &b) == ACCEL_OK &&
          accel_stream_create(d[0], &s0) == ACCEL_OK && accel_stream_create(d[1], &s1) == ACCEL_OK);
    if (a && b && s0 && s1 && copies) {
        unsigned char in[4096], out[4096];
        for (int i = 0; i < 4096; i++) in[i] = (unsigned char)(i * 13 + 1);
        const unsigned long before = copies();
        CHECK(accel_buffer_write(s0, a, 0, in, sizeof in) == ACCEL_OK);
        CHECK(accel_buffer_copy_peer(s1, b, 16, a, 0, 4000, 0) == ACCEL_OK);
        CHECK(accel_buffer_read(s1, b, 0, out, sizeof out) == ACCEL_OK && accel_stream_synchronize(s1) == ACCEL_OK);
        CHECK(memcmp(out + 16, in, 4000) == 0 && copies() == before + 1);
    }
    accel_stream_destroy(s0);
    accel_stream_destroy(s1);
    accel_buffer_free(a);
    accel_buffer_free(b);
    for (int i = 0; i < 3; i++) accel_device_close(d[i]);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "full";
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.backends = "hip";
    accel_runtime *rt = NULL;
    if (accel_runtime_open(&opts, &rt) != ACCEL_OK) {
        printf("FAIL accel_runtime_open: %s\n", accel_last_error());
        return 1;
    }
    const accel_backend_report *hip = hip_report(rt);
    if (!hip) {
        printf("FAIL no hip plugin found\n");
        accel_runtime_close(rt);
        return 1;
    }
    printf("hip: %s, %d devices, '%s'\n", accel_status_str(hip->status), hip->device_count, hip->reason);
    if (strcmp(mode, "init35") == 0) {
        CHECK(hip->status == ACCEL_ERR_INCOMPATIBLE);
        CHECK(strstr(hip->reason, "driver too old") && strstr(hip->reason, "hipErrorInsufficientDriver (35)"));
    } else if (strcmp(mode, "init100") == 0) {
        CHECK(hip->status == ACCEL_OK && hip->device_count == 0);
        CHECK(strstr(hip->reason, "no devices") && strstr(hip->reason, "hipErrorNoDevice (100)"));
    } else if (strcmp(mode, "missing") == 0) {
        CHECK(hip->status == ACCEL_ERR_UNAVAILABLE && hip->device_count == 0);
        CHECK(strstr(hip->reason, "cannot open shared object file") && strstr(hip->reason, "install ROCm"));
    } else if (strcmp(mode, "blaslt") == 0) {
        run_blaslt(rt);
    } else if (strcmp(mode, "peer") == 0) {
        CHECK(hip->status == ACCEL_OK && hip->device_count == 3);
        run_peer(rt);
    } else {
        run_full(rt);
    }
    accel_runtime_close(rt);
    printf(failures ? "%d checks failed\n" : "all checks passed\n", failures);
    return failures ? 1 : 0;
}
