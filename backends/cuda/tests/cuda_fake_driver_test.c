/* The plugin's host side against tests/fake_libcuda.c (a libcuda.so.1 on host memory), through the
 * real runtime: init classification (no devices; a 12.4 driver with and without CUDA 12 libraries
 * to run), device description and peak table, transfers and fills, timers, error mapping, and op
 * plans whose kernels NVRTC really compiles to sm_90 cubins (the fake checks each kernel name is in
 * the cubin and records launches).
 *   cuda_fake_driver_test PLUGIN nodevice|ok|real-cublaslt|old-only13|old-with12|old-wheel12|peer
 * nodevice/ok: $ACCEL_FAKE_CUDA names the same mode and the 13.0 fake is first on LD_LIBRARY_PATH;
 * ok has the fake cuBLASLt in ACCEL_CUDA_LIB_DIRS (algorithm fallback, one plan on two threads),
 * real-cublaslt the toolkit's, which cannot make a handle on the fake.
 * old-*: the 12.4 fake is first on LD_LIBRARY_PATH; with12 also sets ACCEL_CUDA_LIB_DIRS to the
 * fake CUDA 12 NVRTC and cuBLASLt, wheel12 puts them in a fake site folder on PYTHONPATH.
 * peer: 4 fake devices, peer groups {0,1} and {2,3} ($ACCEL_FAKE_CUDA_PEER_GROUPS), NVLink between
 * 0 and 1 from the fake NVML ($FAKE_NVML_NVLINK): the ABI 1.3 peer slots (peer_checks).
 * cudnn, cudnn-absent, cudnn-real: conv backward and cuDNN (cuda_cudnn_fake_checks.c). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "gpu_host_test.h"

int accel_test_cudnn_checks(accel_runtime *rt, const char *mode);

typedef int (*last_launch_fn)(char *, size_t, unsigned[3], unsigned[3]);
static last_launch_fn last_launch;

static int launched(const char *want, unsigned gx, unsigned bx) {
    char name[128];
    unsigned grid[3], block[3];
    if (!last_launch) return 0;
    last_launch(name, sizeof name, grid, block);
    if (strcmp(name, want) != 0 || (gx && grid[0] != gx) || (bx && block[0] != bx)) {
        printf("  last launch: %s grid %u,%u,%u block %u,%u,%u (want %s grid.x %u block.x %u)\n", name, grid[0],
               grid[1], grid[2], block[0], block[1], block[2], want, gx, bx);
        return 0;
    }
    return 1;
}

static const accel_backend_report *report(accel_runtime *rt) {
    const accel_backend_report *r = NULL;
    size_t n = 0;
    accel_runtime_backends(rt, &r, &n);
    for (size_t i = 0; i < n; ++i)
        if (strcmp(r[i].name, "cuda") == 0) return &r[i];
    return NULL;
}

static accel_op_plan *plan(accel_device *dev, accel_op_desc *d, accel_status want) {
    accel_op_plan *p = NULL;
    accel_status st = accel_op_plan_create(dev, d, &p);
    EXPECT(st == want, "plan kind %d lib '%s': %s, want %s", (int)d->kind, d->library, accel_status_str(st),
           accel_status_str(want));
    return st == ACCEL_OK ? p : NULL;
}

static int count_cache_files(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".cubin") || strstr(e->d_name, ".ptx")) ++n;
    closedir(d);
    return n;
}

static int skipped; /* NVRTC missing: the kernel half cannot run here */

static void device_checks(accel_runtime *rt, const char *cache_dir) {
    accel_device *dev = NULL;
    EXPECT(accel_device_open(rt, "cuda:0", &dev) == ACCEL_OK, "open cuda:0");
    if (!dev) return;
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    EXPECT(accel_device_info_get(dev, &info) == ACCEL_OK, "info");
    printf("info: %s %s %d SMs uuid %s pci %s peak '%s' bf16 %.1f libs '%s' formats 0x%x\n  notes: %s\n", info.name,
           info.isa, info.compute_units, info.uuid, info.pci_bus_id, info.vendor_peak.source,
           info.vendor_peak.tflops[ACCEL_COMPUTE_BF16], info.op_libraries, info.module_formats, info.notes);
    EXPECT(strcmp(info.isa, "sm_90") == 0, "isa %s", info.isa);
    EXPECT(info.compute_units == 132 && info.max_clock_mhz == 1980, "SMs %d clock %d", info.compute_units, info.max_clock_mhz);
    EXPECT(strcmp(info.vendor_peak.source, "vendor:H100-SXM5-80GB datasheet (dense)") == 0, "peak '%s'", info.vendor_peak.source);
    EXPECT(info.vendor_peak_fp8_tflops == 1979.0, "fp8 peak %g", info.vendor_peak_fp8_tflops);
    EXPECT(strcmp(info.uuid, "GPU-00010203-0405-0607-0809-0a0b0c0d0e0f") == 0, "uuid %s", info.uuid);
    EXPECT(strcmp(info.pci_bus_id, "0000:1b:00.0") == 0, "pci %s", info.pci_bus_id);
    EXPECT(info.cache_bytes == (50u << 20) && info.ecc_enabled == 1, "L2 %llu ecc %d", (unsigned long long)info.cache_bytes, info.ecc_enabled);
    const uint64_t want_f = ACCEL_FEATURE_FP16 | ACCEL_FEATURE_BF16 | ACCEL_FEATURE_TF32 | ACCEL_FEATURE_FP8 | ACCEL_FEATURE_MATRIX_UNITS | ACCEL_FEATURE_ECC;
    EXPECT((info.features & want_f) == want_f, "features 0x%llx", (unsigned long long)info.features);
    if (!(info.module_formats & (1u << ACCEL_MODULE_GPU_C))) {
        /* Headers without the toolkit's libraries: nothing below can compile a kernel. */
        printf("SKIP: no NVRTC (%s)\n", info.notes);
        skipped = 1;
        accel_device_close(dev);
        return;
    }
    EXPECT(strstr(info.op_libraries, "accel") != NULL, "op_libraries '%s'", info.op_libraries);

    accel_stream *s = NULL;
    EXPECT(accel_stream_create(dev, &s) == ACCEL_OK, "stream");
    accel_buffer *a = NULL, *b = NULL, *pinned = NULL;
    EXPECT(accel_buffer_alloc(dev, 4096, ACCEL_MEMORY_DEVICE, &a) == ACCEL_OK, "alloc a");
    EXPECT(accel_buffer_alloc(dev, 4096, ACCEL_MEMORY_DEVICE, &b) == ACCEL_OK, "alloc b");
    EXPECT(accel_buffer_alloc(dev, 4096, ACCEL_MEMORY_HOST_PINNED, &pinned) == ACCEL_OK, "alloc pinned");
    accel_buffer *huge = NULL;
    accel_status st = accel_buffer_alloc(dev, (size_t)2 << 30, ACCEL_MEMORY_DEVICE, &huge);
    EXPECT(st == ACCEL_ERR_OUT_OF_MEMORY && strstr(accel_last_error(), "cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (2)"),
           "oversized alloc: %s", accel_status_str(st));
    if (a && b && pinned && s) {
        unsigned char src[4096], dst[4096];
        for (int i = 0; i < 4096; ++i) src[i] = (unsigned char)(i * 13 + 1);
        EXPECT(accel_buffer_write(s, a, 0, src, 4096) == ACCEL_OK, "write");
        EXPECT(accel_buffer_copy(s, b, 8, a, 0, 4000) == ACCEL_OK, "copy");
        EXPECT(accel_buffer_copy(s, pinned, 0, b, 8, 4000) == ACCEL_OK, "copy to pinned");
        EXPECT(accel_buffer_read(s, pinned, 0, dst, 4000) == ACCEL_OK, "read pinned");
        EXPECT(memcmp(src, dst, 4000) == 0, "round trip through copy and pinned memory differs");
        const unsigned int p4 = 0xdeadbeefu;
        const unsigned short p2 = 0x1234;
        EXPECT(accel_buffer_fill(s, a, 16, 64, &p4, 4) == ACCEL_OK, "fill 4");
        EXPECT(accel_buffer_fill(s, a, 80, 32, &p2, 2) == ACCEL_OK, "fill 2");
        EXPECT(accel_buffer_read(s, a, 0, dst, 128) == ACCEL_OK, "read");
        unsigned int w4;
        unsigned short w2;
        memcpy(&w4, dst + 16 + 60, 4);
        memcpy(&w2, dst + 80 + 30, 2);
        EXPECT(w4 == p4 && w2 == p2 && dst[15] == src[15] && dst[112] == src[112], "memset fills wrong");
        /* 8-byte pattern: the NVRTC-compiled fill kernel (sm_90 cubin) is loaded and launched. */
        const unsigned long long p8 = 0x0102030405060708ull;
        EXPECT(accel_buffer_fill(s, a, 0, 256, &p8, 8) == ACCEL_OK, "fill 8");
        EXPECT(launched("accel_fill_pattern", 0, 256), "fill kernel not launched");
        unsigned long long got8 = 0;
        EXPECT(accel_buffer_read(s, a, 248, &got8, 8) == ACCEL_OK && got8 == p8, "8-byte fill wrote %llx", got8);

        accel_timer *t = NULL;
        double ms = 0;
        EXPECT(accel_timer_create(dev, &t) == ACCEL_OK, "timer");
        if (t) {
            EXPECT(accel_timer_begin(t, s) == ACCEL_OK && accel_timer_end(t, s) == ACCEL_OK &&
                       accel_timer_elapsed_ms(t, &ms) == ACCEL_OK && ms == 1.5, "timer %g ms", ms);
            accel_timer_destroy(t);
        }
        double res;
        const char *tname;
        EXPECT(accel_timer_properties(dev, &res, &tname) == ACCEL_OK && strcmp(tname, "cuda-event") == 0, "timer name");

        /* Op plans: our kernels compiled for sm_90 at plan time; execute only launches. */
        accel_op_desc d;
        memset(&d, 0, sizeof d);
        d.kind = ACCEL_OP_LAYERNORM;
        d.u.layernorm = (accel_layernorm_desc){ACCEL_DTYPE_F32, 4, 256, 1e-5, 1};
        accel_op_plan *p = plan(dev, &d, ACCEL_OK);
        if (p) {
            EXPECT(strcmp(accel_op_plan_library(p), "accel-cuda") == 0, "library %s", accel_op_plan_library(p));
            const accel_buffer_ref ops[5] = {{a, 0}, {b, 0}, {a, 1024}, {a, 2048}, {b, 0}};
            EXPECT(accel_op_plan_execute(p, s, ops, 5, (accel_buffer_ref){NULL, 0}) == ACCEL_OK, "layernorm execute");
            EXPECT(launched("accel_layernorm_f32", 4, 256), "layernorm launch");
            accel_op_plan_destroy(p);
        }
        memset(&d, 0, sizeof d);
        d.kind = ACCEL_OP_GEMM;
        snprintf(d.library, sizeof d.library, "accel");
        d.u.gemm.a_type = d.u.gemm.b_type = d.u.gemm.c_type = d.u.gemm.d_type = ACCEL_DTYPE_BF16;
        d.u.gemm.m = 100, d.u.gemm.n = 130, d.u.gemm.k = 8, d.u.gemm.batch = 1, d.u.gemm.alpha = 1;
        d.u.gemm.epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF;
        p = plan(dev, &d, ACCEL_OK);
        if (p) {
            printf("gemm accel: %s / %s\n", accel_op_plan_library(p), accel_op_plan_algorithm(p));
            const accel_buffer_ref ops[5] = {{a, 0}, {a, 0}, {NULL, 0}, {b, 0}, {a, 0}};
            accel_status est = accel_op_plan_execute(p, s, ops, 5, (accel_buffer_ref){NULL, 0});
            EXPECT(est == ACCEL_OK || est == ACCEL_ERR_INVALID_ARGUMENT, "gemm execute %s", accel_status_str(est));
            if (est == ACCEL_OK) EXPECT(launched("accel_gemm_bf16", 3, 256), "gemm launch");
            accel_op_plan_destroy(p);
        }
        d.u.gemm.compute = ACCEL_COMPUTE_F16_ACC16;
        plan(dev, &d, ACCEL_ERR_UNIMPLEMENTED);
        memset(&d, 0, sizeof d);
        d.kind = ACCEL_OP_ATTENTION;
        d.u.attention = (accel_attention_desc){ACCEL_DTYPE_F16, ACCEL_COMPUTE_DEFAULT, 1, 2, 16, 8, 0.25, 0};
        /* The planner's choice on the fake sm_90 (conformance checks the numbers): the flash kernel on
         * tensor cores for f16/bf16, its FMA body for f32, the row kernel above its head-size limit. */
        static const struct {
            accel_dtype t;
            int64_t seq, dim;
            accel_status want;
            const char *algorithm;
        } attn[] = {
            {ACCEL_DTYPE_F16, 16, 8, ACCEL_OK, "accel_flash_attention_mma_f16 (flash_attention.cu) flash-tiled-mma-64x64"},
            {ACCEL_DTYPE_BF16, 5000, 128, ACCEL_OK, "accel_flash_attention_mma_bf16 (flash_attention.cu) flash-tiled-mma"},
            {ACCEL_DTYPE_F32, 16, 64, ACCEL_OK, "accel_flash_attention_f32 (flash_attention.cu) flash-tiled-fma-64x16"},
            {ACCEL_DTYPE_F16, 16, 200, ACCEL_OK, "accel_attention_f16 (attention.cu) block per query row"},
            /* a row's scores must fit the row kernel's shared memory */
            {ACCEL_DTYPE_F16, 5000, 200, ACCEL_ERR_UNIMPLEMENTED, NULL},
        };
        for (size_t i = 0; i < sizeof attn / sizeof attn[0]; ++i) {
            d.u.attention.dtype = attn[i].t;
            d.u.attention.seq = attn[i].seq;
            d.u.attention.head_dim = attn[i].dim;
            accel_op_plan *p = plan(dev, &d, attn[i].want);
            if (p)
                EXPECT(strncmp(accel_op_plan_algorithm(p), attn[i].algorithm, strlen(attn[i].algorithm)) == 0,
                       "attention %s s%lld d%lld: algorithm '%s'", accel_dtype_label(attn[i].t),
                       (long long)attn[i].seq, (long long)attn[i].dim, accel_op_plan_algorithm(p));
            accel_op_plan_destroy(p);
        }
        d.u.attention = (accel_attention_desc){ACCEL_DTYPE_F16, ACCEL_COMPUTE_DEFAULT, 1, 2, 16, 8, 0.25, 0};
        snprintf(d.library, sizeof d.library, "cublaslt");
        plan(dev, &d, ACCEL_ERR_UNIMPLEMENTED);
        memset(&d, 0, sizeof d);
        d.kind = ACCEL_OP_SOFTMAX;
        snprintf(d.library, sizeof d.library, "cublaslt");
        d.u.softmax = (accel_softmax_desc){ACCEL_DTYPE_F32, 4, 16, 1.0, 1};
        plan(dev, &d, ACCEL_ERR_UNIMPLEMENTED);
        snprintf(d.library, sizeof d.library, "nosuchlib");
        plan(dev, &d, ACCEL_ERR_UNIMPLEMENTED);

        /* A user GPU C module through NVRTC; a missing kernel name is NOT_FOUND. */
        static const char src_c[] = "extern \"C\" __global__ void scale2(float *x) { x[threadIdx.x] *= 2.0f; }";
        accel_module *m = NULL;
        EXPECT(accel_module_load(dev, ACCEL_MODULE_GPU_C, src_c, strlen(src_c), NULL, &m) == ACCEL_OK, "GPU_C module");
        if (m) {
            accel_kernel *k = NULL;
            EXPECT(accel_kernel_get(m, "scale2", &k) == ACCEL_OK, "kernel_get scale2");
            accel_kernel *missing = NULL;
            EXPECT(accel_kernel_get(m, "nope", &missing) == ACCEL_ERR_NOT_FOUND, "kernel_get nope");
            if (k) {
                const uint32_t grid[3] = {1, 1, 1}, group[3] = {32, 1, 1};
                const accel_kernel_arg arg = accel_arg_buffer(a, 0);
                /* The fake runs only our own kernels: a user kernel reaches it and is refused. */
                EXPECT(accel_kernel_launch(s, k, grid, group, &arg, 1, 0) == ACCEL_ERR_UNIMPLEMENTED, "launch");
                EXPECT(launched("scale2", 1, 32), "user kernel launch");
                accel_kernel_release(k);
            }
            accel_module_unload(m);
        }
        static const char bad_c[] = "this is not CUDA";
        m = NULL;
        st = accel_module_load(dev, ACCEL_MODULE_GPU_C, bad_c, strlen(bad_c), NULL, &m);
        EXPECT(st != ACCEL_OK && strstr(accel_last_error(), "nvrtcCompileProgram"), "bad source: %s", accel_status_str(st));
        static const char junk[] = "not a cubin";
        st = accel_module_load(dev, ACCEL_MODULE_CUBIN, junk, sizeof junk, NULL, &m);
        EXPECT(st == ACCEL_ERR_INCOMPATIBLE && strstr(accel_last_error(), "CUDA_ERROR_INVALID_IMAGE"), "junk cubin: %s",
               accel_status_str(st));
    }
    EXPECT(count_cache_files(cache_dir) >= 3, "disk kernel cache %s has %d files", cache_dir, count_cache_files(cache_dir));
    accel_buffer_free(a);
    accel_buffer_free(b);
    accel_buffer_free(pinned);
    accel_stream_destroy(s);
    accel_device_close(dev);
}

/* cublaslt on the fake cuBLASLt (fake_cublaslt.c): an algorithm that fails to run is replaced by the
 * next the heuristic offered, and the plan says so; when all fail the error lists each. */
static accel_op_plan *lt_gemm_plan(accel_device *dev, int bias) {
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_GEMM;
    snprintf(d.library, sizeof d.library, "cublaslt");
    d.u.gemm.a_type = d.u.gemm.b_type = d.u.gemm.c_type = d.u.gemm.d_type = ACCEL_DTYPE_F32;
    d.u.gemm.m = 8, d.u.gemm.n = 16, d.u.gemm.k = 4, d.u.gemm.batch = 1, d.u.gemm.alpha = 1;
    if (bias) d.u.gemm.epilogue = ACCEL_EPILOGUE_BIAS;
    return plan(dev, &d, ACCEL_OK);
}

typedef struct lt_thread {
    accel_device *dev;
    accel_op_plan *plan;
    accel_buffer *a, *b, *bias, *d, *ws;
    float bias_value;
    int wrong;
} lt_thread;

/* A = 0, so D = bias: any D holding the other thread's bias was computed with a descriptor that
 * thread rebound in between. */
static void *lt_thread_main(void *p) {
    lt_thread *t = p;
    accel_stream *s = NULL;
    if (accel_stream_create(t->dev, &s) != ACCEL_OK) {
        t->wrong = -1;
        return NULL;
    }
    float out[8 * 16];
    for (int it = 0; it < 2000; ++it) {
        const accel_buffer_ref ops[5] = {{t->a, 0}, {t->b, 0}, {NULL, 0}, {t->d, 0}, {t->bias, 0}};
        if (accel_op_plan_execute(t->plan, s, ops, 5, (accel_buffer_ref){t->ws, 0}) != ACCEL_OK ||
            accel_buffer_read(s, t->d, 0, out, sizeof out) != ACCEL_OK) {
            t->wrong = -1;
            break;
        }
        for (int i = 0; i < 8 * 16; ++i) t->wrong += out[i] != t->bias_value;
    }
    accel_stream_destroy(s);
    return NULL;
}

/* The peer slots on 4 fake devices: link and access per pair, enabling, and copies checked byte by
 * byte on a stream of either side, through cuMemcpyPeerAsync (the fake counts its calls). */
static void peer_checks(accel_runtime *rt, void *fake) {
    accel_device *d[4] = {NULL};
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "cuda:%d", i);
        EXPECT(accel_device_open(rt, id, &d[i]) == ACCEL_OK, "open %s", id);
        if (!d[i]) return;
    }
    accel_peer_info pi = {.struct_size = sizeof pi};
    EXPECT(accel_device_peer_query(d[0], d[1], &pi) == ACCEL_OK && pi.can_access_peer == 1 &&
               pi.link == ACCEL_LINK_NVLINK && pi.performance_rank == 0 && pi.native_atomics == 1 &&
               strstr(pi.detail, "cuDeviceCanAccessPeer 1") && strstr(pi.detail, "NVML: NVLink"),
           "0 -> 1: access %d link %s rank %d atomics %d detail '%s'", pi.can_access_peer,
           accel_link_kind_name(pi.link), pi.performance_rank, pi.native_atomics, pi.detail);
    EXPECT(accel_device_peer_query(d[3], d[2], &pi) == ACCEL_OK && pi.can_access_peer == 1 &&
               pi.link == ACCEL_LINK_PCIE && strstr(pi.detail, "NVML: PCIe, one host bridge"),
           "3 -> 2: access %d link %s detail '%s'", pi.can_access_peer, accel_link_kind_name(pi.link),
           pi.detail);
    EXPECT(accel_device_peer_query(d[0], d[2], &pi) == ACCEL_OK && pi.can_access_peer == 0 &&
               pi.performance_rank == -1 && pi.link == ACCEL_LINK_PCIE &&
               strstr(pi.detail, "cuDeviceCanAccessPeer 0"),
           "0 -> 2: access %d link %s detail '%s'", pi.can_access_peer, accel_link_kind_name(pi.link),
           pi.detail);
    EXPECT(accel_device_peer_enable(d[0], d[1]) == ACCEL_OK, "enable 0 -> 1");
    EXPECT(accel_device_peer_enable(d[0], d[1]) == ACCEL_OK, "enable 0 -> 1 again (already enabled)");
    EXPECT(accel_device_peer_enable(d[0], d[2]) == ACCEL_ERR_UNIMPLEMENTED &&
               strstr(accel_last_error(), "CUDA_ERROR_PEER_ACCESS_UNSUPPORTED (217)"),
           "enable 0 -> 2 refused naming the CUDA error");

    unsigned long (*copies)(void) = NULL;
    void *sym = fake ? dlsym(fake, "accel_fake_cuda_peer_copies") : NULL;
    memcpy(&copies, &sym, sizeof sym);
    EXPECT(copies != NULL, "the fake counts peer copies");
    enum { N = 1 << 16 };
    static unsigned char in[N], out[N];
    for (int i = 0; i < N; i++) in[i] = (unsigned char)(i * 7 + 3);
    accel_buffer *a = NULL, *b = NULL;
    accel_stream *s0 = NULL, *s1 = NULL, *s2 = NULL;
    EXPECT(accel_buffer_alloc(d[0], N, ACCEL_MEMORY_DEVICE, &a) == ACCEL_OK &&
               accel_buffer_alloc(d[1], N, ACCEL_MEMORY_DEVICE, &b) == ACCEL_OK &&
               accel_stream_create(d[0], &s0) == ACCEL_OK && accel_stream_create(d[1], &s1) == ACCEL_OK &&
               accel_stream_create(d[2], &s2) == ACCEL_OK,
           "buffers and streams");
    if (a && b && s0 && s1 && s2 && copies) {
        const unsigned long before = copies();
        const unsigned char zero = 0;
        EXPECT(accel_buffer_write(s0, a, 0, in, N) == ACCEL_OK &&
                   accel_buffer_fill(s1, b, 0, N, &zero, 1) == ACCEL_OK,
               "prepare");
        /* No staging flag: a plugin with the slots copies device to device. */
        EXPECT(accel_buffer_copy_peer(s0, b, 4, a, 8, N - 8, 0) == ACCEL_OK, "copy on the source's stream");
        EXPECT(accel_stream_synchronize(s0) == ACCEL_OK && accel_buffer_read(s1, b, 0, out, N) == ACCEL_OK &&
                   accel_stream_synchronize(s1) == ACCEL_OK,
               "read back");
        EXPECT(memcmp(out + 4, in + 8, N - 8) == 0 && out[0] == 0 && out[3] == 0, "cuda:0 -> cuda:1 bytes");
        EXPECT(accel_buffer_copy_peer(s1, a, 0, b, 4, 100, 0) == ACCEL_OK, "copy on the destination's stream");
        EXPECT(accel_stream_synchronize(s1) == ACCEL_OK && accel_buffer_read(s0, a, 0, out, 100) == ACCEL_OK &&
                   accel_stream_synchronize(s0) == ACCEL_OK && memcmp(out, in + 8, 100) == 0,
               "cuda:1 -> cuda:0 bytes");
        EXPECT(copies() == before + 2, "cuMemcpyPeerAsync ran %lu times, wanted 2", copies() - before);
        EXPECT(accel_buffer_copy_peer(s2, b, 0, a, 0, 16, 0) == ACCEL_ERR_INVALID_ARGUMENT,
               "a stream of a third device is refused");
    }
    accel_stream_destroy(s0);
    accel_stream_destroy(s1);
    accel_stream_destroy(s2);
    accel_buffer_free(a);
    accel_buffer_free(b);
    for (int i = 0; i < 4; i++) accel_device_close(d[i]);
}

static void cublaslt_checks(accel_runtime *rt) {
    accel_device *dev = NULL;
    EXPECT(accel_device_open(rt, "cuda:0", &dev) == ACCEL_OK, "open cuda:0");
    if (!dev) return;
    accel_device_info info = {.struct_size = sizeof info};
    accel_device_info_get(dev, &info);
    EXPECT(strcmp(info.op_libraries, "cublaslt,accel") == 0, "op_libraries '%s'", info.op_libraries);
    accel_stream *s = NULL;
    accel_buffer *a = NULL, *b = NULL, *d = NULL, *ws = NULL, *bias[2] = {NULL, NULL}, *out[2] = {NULL, NULL};
    accel_stream_create(dev, &s);
    accel_buffer_alloc(dev, 4096, ACCEL_MEMORY_DEVICE, &a);
    accel_buffer_alloc(dev, 4096, ACCEL_MEMORY_DEVICE, &b);
    accel_buffer_alloc(dev, 4096, ACCEL_MEMORY_DEVICE, &d);
    float ones[64], got[8 * 16];
    for (int i = 0; i < 64; ++i) ones[i] = 1.0f;
    accel_op_plan *p = lt_gemm_plan(dev, 0);
    if (p && s && a && b && d) {
        const size_t wsz = accel_op_plan_workspace_size(p);
        EXPECT(wsz == (2u << 20), "workspace %zu: the largest of the algorithms kept", wsz);
        EXPECT(accel_buffer_alloc(dev, wsz, ACCEL_MEMORY_DEVICE, &ws) == ACCEL_OK, "workspace");
        EXPECT(strncmp(accel_op_plan_algorithm(p), "algo 0 ", 7) == 0, "algorithm '%s'", accel_op_plan_algorithm(p));
        accel_buffer_write(s, a, 0, ones, sizeof ones);
        accel_buffer_write(s, b, 0, ones, sizeof ones);
        const accel_buffer_ref ops[5] = {{a, 0}, {b, 0}, {NULL, 0}, {d, 0}, {NULL, 0}};
        setenv("ACCEL_FAKE_CUBLASLT_FAIL", "0", 1);
        EXPECT(accel_op_plan_execute(p, s, ops, 5, (accel_buffer_ref){ws, 0}) == ACCEL_OK, "execute after a failing algorithm");
        accel_buffer_read(s, d, 0, got, sizeof got);
        EXPECT(got[0] == 4.0f && got[8 * 16 - 1] == 4.0f, "D = %g, want 4 (k)", got[0]);
        const char *algo = accel_op_plan_algorithm(p);
        EXPECT(strncmp(algo, "algo 1 ", 7) == 0 && strstr(algo, "choice 2 of 3 offered; algo 0: CUBLAS_STATUS_EXECUTION_FAILED"),
               "algorithm after fallback '%s'", algo);
        setenv("ACCEL_FAKE_CUBLASLT_FAIL", "0,1,2", 1);
        accel_status st = accel_op_plan_execute(p, s, ops, 5, (accel_buffer_ref){ws, 0});
        EXPECT(st == ACCEL_ERR_DEVICE && strstr(accel_last_error(), "every algorithm the heuristic offered failed") &&
                   strstr(accel_last_error(), "algo 2: CUBLAS_STATUS_EXECUTION_FAILED"),
               "all failing: %s: %s", accel_status_str(st), accel_last_error());
        unsetenv("ACCEL_FAKE_CUBLASLT_FAIL");
        accel_op_plan_destroy(p);
    }
    /* Two threads executing one plan with different biases: the descriptor the plan rebinds per
     * execute must not be shared between two executes in flight. */
    p = lt_gemm_plan(dev, 1);
    if (p && s && a && b && d) {
        float zeros[64] = {0};
        accel_buffer_write(s, a, 0, zeros, sizeof zeros);
        lt_thread t[2];
        pthread_t th[2];
        for (int i = 0; i < 2; ++i) {
            float bv[16];
            for (int j = 0; j < 16; ++j) bv[j] = (float)(i + 1);
            accel_buffer_alloc(dev, 4096, ACCEL_MEMORY_DEVICE, &bias[i]);
            accel_buffer_alloc(dev, 4096, ACCEL_MEMORY_DEVICE, &out[i]);
            accel_buffer_write(s, bias[i], 0, bv, sizeof bv);
            t[i] = (lt_thread){dev, p, a, b, bias[i], out[i], ws, (float)(i + 1), 0};
        }
        for (int i = 0; i < 2; ++i) pthread_create(&th[i], NULL, lt_thread_main, &t[i]);
        for (int i = 0; i < 2; ++i) pthread_join(th[i], NULL);
        EXPECT(t[0].wrong == 0 && t[1].wrong == 0, "two threads on one plan: %d and %d wrong elements", t[0].wrong,
               t[1].wrong);
        accel_op_plan_destroy(p);
    }
    accel_buffer *bufs[] = {a, b, d, ws, bias[0], bias[1], out[0], out[1]};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; ++i) accel_buffer_free(bufs[i]);
    accel_stream_destroy(s);
    accel_device_close(dev);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PLUGIN nodevice|ok|real-cublaslt|old-only13|old-with12|old-wheel12|peer|cudnn|"
                "cudnn-absent|cudnn-real\n", argv[0]);
        return 2;
    }
    const char *mode = argv[2];
    accel_runtime *rt = NULL;
    EXPECT(gpu_host_test_runtime_open(argv[1], "cuda", &rt) == ACCEL_OK, "runtime");
    if (!rt) return 1;
    const accel_backend_report *r = report(rt);
    EXPECT(r != NULL, "no cuda report");
    if (!r) return 1;
    printf("cuda: status=%s devices=%d reason='%s'\n", accel_status_str(r->status), r->device_count, r->reason);
    if (strcmp(mode, "old-only13") == 0) {
        /* A 12.4 driver and only the CUDA 13 toolkit's libraries: refused, naming the driver, each
         * library found and why it cannot run there. */
        EXPECT(r->status == ACCEL_ERR_INCOMPATIBLE, "status %s", accel_status_str(r->status));
        EXPECT(strstr(r->reason, "driver 12.4 runs CUDA <= 12 libraries") != NULL, "reason: driver");
        EXPECT(strstr(r->reason, "libnvrtc.so.13 (CUDA 13 library, the driver runs CUDA 12)") != NULL,
               "reason: nvrtc");
        EXPECT(strstr(r->reason, "libcublasLt.so.13 (CUDA 13 library, the driver runs CUDA 12)") != NULL,
               "reason: cublasLt");
        EXPECT(strstr(r->reason, "searched env ($ACCEL_CUDA_LIB_DIRS unset), toolkit") != NULL, "reason: where");
    } else if (strcmp(mode, "peer") == 0) {
        EXPECT(r->status == ACCEL_OK && r->device_count == 4, "status %s devices %d", accel_status_str(r->status),
               r->device_count);
        void *fake = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
        if (r->device_count == 4) peer_checks(rt, fake);
        if (fake) dlclose(fake);
    } else if (strcmp(mode, "nodevice") == 0) {
        EXPECT(r->status == ACCEL_OK && r->device_count == 0, "status %s devices %d", accel_status_str(r->status),
               r->device_count);
        EXPECT(strstr(r->reason, "no devices") != NULL, "reason");
    } else {
        EXPECT(r->status == ACCEL_OK && r->device_count == 1, "status %s devices %d", accel_status_str(r->status),
               r->device_count);
        void *fake = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
        void *sym = fake ? dlsym(fake, "accel_fake_cuda_last_launch") : NULL;
        memcpy(&last_launch, &sym, sizeof sym);
        EXPECT(last_launch != NULL, "the fake libcuda is not the one loaded");
        const char *cache = getenv("ACCEL_CACHE_DIR");
        char dir[512];
        snprintf(dir, sizeof dir, "%s/cuda", cache ? cache : ".");
        const int with12 = strcmp(mode, "old-with12") == 0, wheel12 = strcmp(mode, "old-wheel12") == 0;
        if (with12 || wheel12) {
            /* The same 12.4 driver with CUDA 12 libraries to be found (in $ACCEL_CUDA_LIB_DIRS, or in a
             * pip wheel's nvidia/<package>/lib under a Python site folder): they are chosen and said. */
            const char *nvrtc = with12 ? "fake_cuda12_libs/libnvrtc.so.12" : "fake_site/nvidia/cuda_nvrtc/lib/libnvrtc.so.12";
            const char *lt = with12 ? "fake_cuda12_libs/libcublasLt.so.12" : "fake_site/nvidia/cublas/lib/libcublasLt.so.12";
            EXPECT(strstr(r->reason, "driver 12.4") && strstr(r->reason, nvrtc) && strstr(r->reason, "NVRTC 12.4") &&
                       strstr(r->reason, "cuBLASLt 12.4.5 (") && strstr(r->reason, lt),
                   "reason names the CUDA 12 libraries %s and %s", nvrtc, lt);
            accel_device *dev = NULL;
            accel_device_info info = {.struct_size = sizeof info};
            EXPECT(accel_device_open(rt, "cuda:0", &dev) == ACCEL_OK && accel_device_info_get(dev, &info) == ACCEL_OK,
                   "open");
            EXPECT(strcmp(info.runtime_version, "NVRTC 12.4, cuBLASLt 12.4.5") == 0, "runtime_version '%s'",
                   info.runtime_version);
            EXPECT(strcmp(info.op_libraries, "cublaslt,accel") == 0, "op_libraries '%s'", info.op_libraries);
            accel_device_close(dev);
        }
        if (strcmp(mode, "real-cublaslt") == 0 && r->device_count == 1) {
            /* The toolkit's cuBLASLt cannot make a handle on the fake: cublaslt is off, said why. */
            accel_device *dev = NULL;
            accel_device_info info = {.struct_size = sizeof info};
            EXPECT(accel_device_open(rt, "cuda:0", &dev) == ACCEL_OK && accel_device_info_get(dev, &info) == ACCEL_OK,
                   "open");
            EXPECT(strcmp(info.op_libraries, "accel") == 0 && strstr(info.notes, "cublasLtCreate failed"),
                   "op_libraries '%s' notes '%s'", info.op_libraries, info.notes);
            accel_device_close(dev);
        }
        if (strcmp(mode, "ok") == 0 && r->device_count == 1) cublaslt_checks(rt);
        if (strncmp(mode, "cudnn", 5) == 0) failures += accel_test_cudnn_checks(rt, mode);
        else if (r->device_count == 1) device_checks(rt, dir);
        if (fake) dlclose(fake);
    }
    accel_runtime_close(rt);
    if (!failures && skipped) return 77;
    if (!failures) printf("ok\n");
    return failures ? 1 : 0;
}
