/* Direct cuBLASLt vs the same GEMM through the HAL, in one process, alternating, so the HAL's
 * overhead (or an algorithm-choice difference) shows as a ratio measured under identical conditions.
 *
 *   cublaslt_direct_bench [--size N] [--dtype bf16|fp8] [--reps R] [--rounds K] [--csv FILE]
 *
 * Row-major D = A B (N x N x N) in bf16, or fp8 (e4m3 A and B, B stored n x k as cuBLASLt's fp8
 * kernels need, per-tensor scales 2^-8 bound through the plugin's accel_cuda_lt_bind, bf16 D), fp32
 * accumulation, with the plugin's own descriptor builder
 * (cuda_lt_desc.c) and the same heuristic request (32 MiB workspace, 16-byte alignment). Each
 * round times R back-to-back GEMMs with a cuEvent pair on each side; the median over rounds is
 * reported. --csv appends a row (header first when the file is new or empty). Exit 77 when there is
 * no usable CUDA device. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_cublaslt_lib.h"
#include "accel_common/dl.h"
#include "cuda_libsearch.h"
#include "cuda_lt_desc.h"
#include "cuda_symbols.h"
#include "accel/reference.h"
#ifdef ACCEL_BENCH_WITH_HAL
#include "accel/accel.h"
#endif

#define DRV_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_cuda_driver_table, ret, name, params)
static const accel_dl_symbol drv_syms[] = {ACCEL_CUDA_DRIVER_BOOTSTRAP(DRV_SYM) ACCEL_CUDA_DRIVER_REQUIRED(DRV_SYM)};
static const accel_dl_alias drv_aliases[] = {ACCEL_CUDA_DRIVER_ALIASES};
static const accel_dl_tier drv_tier = {drv_syms, sizeof drv_syms / sizeof drv_syms[0], drv_aliases,
                                       sizeof drv_aliases / sizeof drv_aliases[0]};

typedef struct bench {
    accel_cuda_driver_table cu;
    accel_cuda_cublaslt_table lt;
    char lt_name[512]; /* the file the plugin's search chose (the same one the HAL path uses) */
    CUcontext ctx;
    CUstream stream;
    cublasLtHandle_t handle;
    accel_cuda_lt_desc desc;
    cublasLtMatmulAlgo_t algo;
    size_t ws_size;
    CUdeviceptr a, b, d, d_hal, ws, scales;
    int algo_id, tile, stages, splitk;
    int fp8;
} bench;

#define SCALE_STRIDE 16 /* bytes between the two scales, as the gemm workload lays them out */

/* The GEMM both paths run. */
static accel_gemm_desc bench_desc(int n, int fp8) {
    accel_gemm_desc g;
    memset(&g, 0, sizeof g);
    g.a_type = g.b_type = fp8 ? ACCEL_DTYPE_F8_E4M3 : ACCEL_DTYPE_BF16;
    g.c_type = g.d_type = ACCEL_DTYPE_BF16;
    g.compute = fp8 ? ACCEL_COMPUTE_F32 : ACCEL_COMPUTE_BF16;
    g.trans_b = fp8; /* cuBLASLt fp8 is TN only */
    g.m = g.n = g.k = n;
    g.batch = 1;
    g.alpha = 1.0;
    return g;
}

static int die(const char *what, int code) {
    fprintf(stderr, "cublaslt_direct_bench: %s (%d)\n", what, code);
    return 1;
}

static int cmp_double(const void *x, const void *y) {
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static uint16_t to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

static float from_bf16(uint16_t h) {
    uint32_t x = (uint32_t)h << 16;
    float f;
    memcpy(&f, &x, 4);
    return f;
}

/* The same descriptors the plugin builds (cuda_lt_desc.c), the same heuristic request. */
static int plan_direct(bench *B, int n) {
    accel_gemm_desc g = bench_desc(n, B->fp8);
    char why[256];
    if (accel_cuda_lt_describe(&B->lt, &g, &B->desc, why, sizeof why) != ACCEL_OK) {
        fprintf(stderr, "cublaslt_direct_bench: %s\n", why);
        return 1;
    }
    cublasLtMatmulPreference_t pref;
    B->lt.cublasLtMatmulPreferenceCreate(&pref);
    const uint64_t max_ws = 32u << 20;
    const uint32_t align = 16;
    B->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max_ws, sizeof max_ws);
    B->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &align, sizeof align);
    B->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &align, sizeof align);
    B->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &align, sizeof align);
    B->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &align, sizeof align);
    cublasLtMatmulHeuristicResult_t r;
    memset(&r, 0, sizeof r);
    int got = 0;
    cublasStatus_t s = B->lt.cublasLtMatmulAlgoGetHeuristic(B->handle, B->desc.op, B->desc.a, B->desc.b, B->desc.c,
                                                            B->desc.d, pref, 1, &r, &got);
    B->lt.cublasLtMatmulPreferenceDestroy(pref);
    if (s != CUBLAS_STATUS_SUCCESS || got < 1) return die("cublasLtMatmulAlgoGetHeuristic", (int)s);
    B->algo = r.algo;
    B->ws_size = r.workspaceSize;
    size_t w;
    B->lt.cublasLtMatmulAlgoConfigGetAttribute(&B->algo, CUBLASLT_ALGO_CONFIG_ID, &B->algo_id, sizeof B->algo_id, &w);
    B->lt.cublasLtMatmulAlgoConfigGetAttribute(&B->algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &B->tile, sizeof B->tile, &w);
    B->lt.cublasLtMatmulAlgoConfigGetAttribute(&B->algo, CUBLASLT_ALGO_CONFIG_STAGES_ID, &B->stages, sizeof B->stages, &w);
    B->lt.cublasLtMatmulAlgoConfigGetAttribute(&B->algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &B->splitk, sizeof B->splitk, &w);
    if (B->fp8 && accel_cuda_lt_bind(&B->lt, &B->desc, 0, B->scales, B->scales + SCALE_STRIDE) != CUBLAS_STATUS_SUCCESS)
        return die("binding the fp8 scales", 0);
    return 0;
}

static int run_direct(bench *B, int reps, double *ms) {
    CUevent e0, e1;
    B->cu.cuEventCreate(&e0, CU_EVENT_DEFAULT);
    B->cu.cuEventCreate(&e1, CU_EVENT_DEFAULT);
    /* Operands bound as the plugin binds them: cuBLASLt's A is desc.a_operand of (A, B). */
    const CUdeviceptr ours[2] = {B->a, B->b};
    const void *lt_a = (const void *)(uintptr_t)ours[B->desc.a_operand];
    const void *lt_b = (const void *)(uintptr_t)ours[B->desc.b_operand];
    void *d = (void *)(uintptr_t)B->d;
    B->cu.cuEventRecord(e0, B->stream);
    for (int i = 0; i < reps; ++i) {
        cublasStatus_t s = B->lt.cublasLtMatmul(B->handle, B->desc.op, &B->desc.alpha, lt_a, B->desc.a, lt_b, B->desc.b,
                                                &B->desc.beta, d, B->desc.c, d, B->desc.d, &B->algo,
                                                (void *)(uintptr_t)B->ws, B->ws_size, (cudaStream_t)B->stream);
        if (s != CUBLAS_STATUS_SUCCESS) return die("cublasLtMatmul", (int)s);
    }
    B->cu.cuEventRecord(e1, B->stream);
    B->cu.cuEventSynchronize(e1);
    float f = 0;
    B->cu.cuEventElapsedTime_v2(&f, e0, e1);
    B->cu.cuEventDestroy_v2(e0);
    B->cu.cuEventDestroy_v2(e1);
    *ms = f / reps;
    return 0;
}

int main(int argc, char **argv) {
    int n = 8192, reps = 10, rounds = 7, fp8 = 0;
    const char *csv = NULL;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc) n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dtype") && i + 1 < argc && (!strcmp(argv[i + 1], "bf16") || !strcmp(argv[i + 1], "fp8")))
            fp8 = !strcmp(argv[++i], "fp8");
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--csv") && i + 1 < argc) csv = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--size N] [--dtype bf16|fp8] [--reps R] [--rounds K] [--csv FILE]\n", argv[0]);
            return 2;
        }
    }
    if (n < 16 || reps < 1 || rounds < 1 || rounds > 64 || (fp8 && n % 16)) return die("bad arguments", 0);

    bench B;
    memset(&B, 0, sizeof B);
    B.fp8 = fp8;
    const char *dtype_name = fp8 ? "fp8" : "bf16";
    char err[256];
    const char *const drv_names[] = {"libcuda.so.1", NULL};
    void *drv = accel_dl_open(NULL, drv_names, 0, NULL, err, sizeof err);
    if (!drv) {
        printf("no CUDA driver: %s\n", err);
        return 77;
    }
    if (accel_dl_resolve(drv, &drv_tier, &B.cu, err, sizeof err))
        return die("driver lacks a symbol", 0);
    CUresult r = B.cu.cuInit(0);
    int count = 0;
    if (r == CUDA_SUCCESS) r = B.cu.cuDeviceGetCount(&count);
    if (r != CUDA_SUCCESS || count == 0) {
        printf("no CUDA device (cuInit/cuDeviceGetCount: %d)\n", (int)r);
        return 77;
    }
    int driver_version = 0;
    B.cu.cuDriverGetVersion(&driver_version);
    accel_cuda_search search;
    accel_cuda_search_init(&search, driver_version);
    accel_cuda_cublaslt_lib ltlib;
    char why[512];
    if (accel_cuda_cublaslt_load(&ltlib, &search, why, sizeof why) != 0) {
        fprintf(stderr, "cublaslt_direct_bench: %s; refused: %s\n", why, search.refused[0] ? search.refused : "none");
        accel_cuda_search_free(&search);
        return 1;
    }
    accel_cuda_search_free(&search);
    B.lt = ltlib.fn;
    snprintf(B.lt_name, sizeof B.lt_name, "%s", ltlib.path);

    CUdevice dev;
    char name[128] = "";
    B.cu.cuDeviceGet(&dev, 0);
    B.cu.cuDeviceGetName(name, sizeof name, dev);
    if ((r = B.cu.cuDevicePrimaryCtxRetain(&B.ctx, dev)) || (r = B.cu.cuCtxSetCurrent(B.ctx)))
        return die("primary context", (int)r);
    B.cu.cuStreamCreate(&B.stream, CU_STREAM_NON_BLOCKING);
    cublasStatus_t ls = B.lt.cublasLtCreate(&B.handle);
    if (ls != CUBLAS_STATUS_SUCCESS) {
        fprintf(stderr, "cublaslt_direct_bench: cublasLtCreate: %s (%d)\n", B.lt.cublasLtGetStatusName(ls), (int)ls);
        return 1;
    }

    /* inputs: bf16 U(-1, 1), or e4m3 U(-256, 256) with scales 2^-8 (the gemm workload's data) */
    const size_t elems = (size_t)n * n, bytes = elems * 2, in_bytes = elems * (fp8 ? 1 : 2);
    uint16_t *host = malloc(bytes);
    if (!host) return die("host memory", 0);
    if ((r = B.cu.cuMemAlloc_v2(&B.a, in_bytes)) || (r = B.cu.cuMemAlloc_v2(&B.b, in_bytes)) ||
        (r = B.cu.cuMemAlloc_v2(&B.d, bytes)) || (r = B.cu.cuMemAlloc_v2(&B.ws, 32u << 20)) ||
        (r = B.cu.cuMemAlloc_v2(&B.scales, 2 * SCALE_STRIDE)))
        return die("cuMemAlloc", (int)r);
    unsigned char scales[2 * SCALE_STRIDE] = {0};
    const float scale = 1.0f / 256.0f;
    memcpy(scales, &scale, sizeof scale);
    memcpy(scales + SCALE_STRIDE, &scale, sizeof scale);
    B.cu.cuMemcpyHtoDAsync_v2(B.scales, scales, sizeof scales, B.stream);
    uint32_t seed = 12345;
    for (int which = 0; which < 2; ++which) {
        for (size_t i = 0; i < elems; ++i) {
            seed = seed * 1664525u + 1013904223u;
            const float u = (float)(seed >> 8) / 8388608.0f - 1.0f;
            if (fp8) ((uint8_t *)host)[i] = accel_ref_f32_to_fp8(ACCEL_DTYPE_F8_E4M3, 256.0f * u);
            else host[i] = to_bf16(u);
        }
        B.cu.cuMemcpyHtoDAsync_v2(which ? B.b : B.a, host, in_bytes, B.stream);
        B.cu.cuStreamSynchronize(B.stream);
    }
    if (plan_direct(&B, n)) return 1;

#ifdef ACCEL_BENCH_WITH_HAL
    /* The HAL path: same device, its own buffers holding the same inputs. */
    accel_runtime *rt = NULL;
    accel_device *hdev = NULL;
    accel_stream *hs = NULL;
    accel_buffer *ha = NULL, *hb = NULL, *hd = NULL, *hws = NULL, *hscales = NULL;
    accel_op_plan *plan = NULL;
    accel_timer *timer = NULL;
    accel_status st = accel_runtime_open(NULL, &rt);
    if (st == ACCEL_OK) st = accel_device_open(rt, "cuda:0", &hdev);
    if (st == ACCEL_OK) st = accel_stream_create(hdev, &hs);
    if (st == ACCEL_OK) st = accel_buffer_alloc(hdev, in_bytes, ACCEL_MEMORY_DEVICE, &ha);
    if (st == ACCEL_OK) st = accel_buffer_alloc(hdev, in_bytes, ACCEL_MEMORY_DEVICE, &hb);
    if (st == ACCEL_OK) st = accel_buffer_alloc(hdev, bytes, ACCEL_MEMORY_DEVICE, &hd);
    if (st == ACCEL_OK) st = accel_buffer_alloc(hdev, sizeof scales, ACCEL_MEMORY_DEVICE, &hscales);
    if (st == ACCEL_OK) st = accel_buffer_write(hs, hscales, 0, scales, sizeof scales);
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_GEMM;
    snprintf(desc.library, sizeof desc.library, "cublaslt");
    desc.u.gemm = bench_desc(n, fp8);
    if (st == ACCEL_OK) st = accel_op_plan_create(hdev, &desc, &plan);
    const size_t hws_size = plan ? accel_op_plan_workspace_size(plan) : 0;
    if (st == ACCEL_OK && hws_size) st = accel_buffer_alloc(hdev, hws_size, ACCEL_MEMORY_DEVICE, &hws);
    if (st == ACCEL_OK) st = accel_timer_create(hdev, &timer);
    if (st != ACCEL_OK) {
        fprintf(stderr, "HAL setup: %s: %s\n", accel_status_str(st), accel_last_error());
        return 1;
    }
    /* Copy the same inputs device-to-device through the HAL's own read/write path. */
    B.cu.cuMemcpyDtoHAsync_v2(host, B.a, in_bytes, B.stream);
    B.cu.cuStreamSynchronize(B.stream);
    accel_buffer_write(hs, ha, 0, host, in_bytes);
    accel_stream_synchronize(hs);
    B.cu.cuMemcpyDtoHAsync_v2(host, B.b, in_bytes, B.stream);
    B.cu.cuStreamSynchronize(B.stream);
    accel_buffer_write(hs, hb, 0, host, in_bytes);
    accel_stream_synchronize(hs);
    const accel_buffer_ref ops[7] = {{ha, 0}, {hb, 0}, {NULL, 0}, {hd, 0}, {NULL, 0},
                                     {fp8 ? hscales : NULL, 0}, {fp8 ? hscales : NULL, SCALE_STRIDE}};
    const accel_buffer_ref wsref = {hws, 0};
#endif

    double direct_ms[64], hal_ms[64];
    double warm;
    if (run_direct(&B, 2, &warm)) return 1;
    for (int k = 0; k < rounds; ++k) {
        if (run_direct(&B, reps, &direct_ms[k])) return 1;
#ifdef ACCEL_BENCH_WITH_HAL
        st = accel_timer_begin(timer, hs);
        for (int i = 0; st == ACCEL_OK && i < reps; ++i) st = accel_op_plan_execute(plan, hs, ops, 7, wsref);
        if (st == ACCEL_OK) st = accel_timer_end(timer, hs);
        double t = 0;
        if (st == ACCEL_OK) st = accel_timer_elapsed_ms(timer, &t);
        if (st != ACCEL_OK) {
            fprintf(stderr, "HAL run: %s: %s\n", accel_status_str(st), accel_last_error());
            return 1;
        }
        hal_ms[k] = t / reps;
#else
        hal_ms[k] = 0;
#endif
    }
    const double flop = 2.0 * n * (double)n * n;
    const double dmed = median(direct_ms, rounds), hmed = median(hal_ms, rounds);
    double max_rel = -1;
    const char *hal_algo = "";
#ifdef ACCEL_BENCH_WITH_HAL
    hal_algo = accel_op_plan_algorithm(plan);
    /* Same inputs, same algorithm request: the outputs should agree closely. */
    uint16_t *h2 = malloc(bytes);
    B.cu.cuMemcpyDtoHAsync_v2(host, B.d, bytes, B.stream);
    B.cu.cuStreamSynchronize(B.stream);
    if (h2 && accel_buffer_read(hs, hd, 0, h2, bytes) == ACCEL_OK && accel_stream_synchronize(hs) == ACCEL_OK) {
        max_rel = 0;
        for (size_t i = 0; i < elems; i += elems / 997 + 1) {
            const double x = from_bf16(host[i]), y = from_bf16(h2[i]);
            const double den = x < 0 ? -x : x;
            const double rel = (x - y < 0 ? y - x : x - y) / (den > 1e-3 ? den : 1e-3);
            if (rel > max_rel) max_rel = rel;
        }
    }
    free(h2);
#endif
    printf("%s: %s %dx%dx%d direct cuBLASLt (%s, algo %d) %.3f ms %.1f TFLOP/s; HAL %.3f ms %.1f TFLOP/s; "
           "hal/direct time %.3f; max rel diff %.3g\n",
           name, dtype_name, n, n, n, B.lt_name, B.algo_id, dmed, flop / dmed / 1e9, hmed, hmed > 0 ? flop / hmed / 1e9 : 0,
           dmed > 0 ? hmed / dmed : 0, max_rel);
    if (csv) {
        FILE *f = fopen(csv, "a");
        if (!f) return die("cannot write csv", 0);
        if (ftell(f) == 0)
            fprintf(f, "device,dtype,m,n,k,reps,rounds,direct_median_ms,direct_tflops,hal_median_ms,hal_tflops,"
                       "hal_over_direct,max_rel_diff,direct_algo,hal_algorithm\n");
        fprintf(f, "\"%s\",%s,%d,%d,%d,%d,%d,%.4f,%.2f,%.4f,%.2f,%.4f,%.3g,\"algo %d tile %d stages %d splitk %d ws %zu\",\"%s\"\n",
                name, dtype_name, n, n, n, reps, rounds, dmed, flop / dmed / 1e9, hmed, hmed > 0 ? flop / hmed / 1e9 : 0,
                dmed > 0 ? hmed / dmed : 0, max_rel, B.algo_id, B.tile, B.stages, B.splitk, B.ws_size, hal_algo);
        fclose(f);
    }
#ifdef ACCEL_BENCH_WITH_HAL
    accel_timer_destroy(timer);
    accel_op_plan_destroy(plan);
    accel_buffer_free(ha);
    accel_buffer_free(hb);
    accel_buffer_free(hd);
    accel_buffer_free(hws);
    accel_buffer_free(hscales);
    accel_stream_destroy(hs);
    accel_device_close(hdev);
    accel_runtime_close(rt);
#endif
    free(host);
    return 0;
}
