/* A stand-in libcuda.so.1 for tests on machines without a GPU: the driver entry points the plugin
 * requires, on host memory. Built twice: as a CUDA 13.0 driver, and with ACCEL_FAKE_CUDA_VERSION=12040
 * as an R550-era 12.4 driver, which (like the real ones) exports the original cuEventElapsedTime
 * and not the _v2 the CUDA 13 header maps it to. Behaviour picked by $ACCEL_FAKE_CUDA:
 *   nodevice  cuInit answers CUDA_ERROR_NO_DEVICE
 *   (other)   one "NVIDIA H100 80GB HBM3", sm_90, 132 SMs (or $ACCEL_FAKE_CUDA_SMS), 50 MiB L2 (or
 *             $ACCEL_FAKE_CUDA_L2_KIB), 80 GiB (or $ACCEL_FAKE_CUDA_MEM_MIB); memory is malloc, copies and
 *             memsets run at once, events time 1.5 ms, modules must be a real cubin (ELF) or PTX
 *             naming the kernels asked for; launches are recorded (accel_fake_cuda_last_launch)
 *             and our own accel kernels run on host threads (fake_kernels.cpp); any other kernel
 *             answers CUDA_ERROR_NOT_SUPPORTED. Allocations over 1 GiB fail with OUT_OF_MEMORY.
 *             $ACCEL_FAKE_CUDA_DEVICES (1-8, default 1) such devices, sharing host memory, for the
 *             collectives' tests (fake_nccl.c moves data between their buffers).
 *             Peers: $ACCEL_FAKE_CUDA_PEER_GROUPS ("01,23"): devices of one group can access each
 *             other (performance rank 0, native atomics); unset, every pair can. Each device has its
 *             own primary context, cuCtxEnablePeerAccess checks the current one, and
 *             cuMemcpyPeerAsync copies and counts (accel_fake_cuda_peer_copies).
 * Test-only; never installed. Signatures come from cuda.h, so they cannot drift. */
#include <cuda.h>

#include "fake_peer_groups.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_EXPORT __attribute__((visibility("default")))

#ifndef ACCEL_FAKE_CUDA_VERSION
#define ACCEL_FAKE_CUDA_VERSION 13000
#endif

static const char *mode(void) {
    const char *m = getenv("ACCEL_FAKE_CUDA");
    return m ? m : "";
}

/* The device-check rehearsal shrinks the fake (fewer SMs, a smaller L2) so that workloads sized
 * from them finish on host threads: $ACCEL_FAKE_CUDA_SMS, $ACCEL_FAKE_CUDA_L2_KIB. */
static int env_int(const char *name, int fallback) {
    const char *v = getenv(name);
    const int n = v ? atoi(v) : 0;
    return n > 0 ? n : fallback;
}

FAKE_EXPORT CUresult cuInit(unsigned int flags) {
    (void)flags;
    return strcmp(mode(), "nodevice") == 0 ? CUDA_ERROR_NO_DEVICE : CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuDriverGetVersion(int *v) {
    *v = ACCEL_FAKE_CUDA_VERSION;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuGetErrorName(CUresult r, const char **s) {
    switch (r) {
    case CUDA_SUCCESS: *s = "CUDA_SUCCESS"; return CUDA_SUCCESS;
    case CUDA_ERROR_OUT_OF_MEMORY: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_IMAGE: *s = "CUDA_ERROR_INVALID_IMAGE"; return CUDA_SUCCESS;
    case CUDA_ERROR_NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; return CUDA_SUCCESS;
    case CUDA_ERROR_INVALID_DEVICE: *s = "CUDA_ERROR_INVALID_DEVICE"; return CUDA_SUCCESS;
    case CUDA_ERROR_NOT_SUPPORTED: *s = "CUDA_ERROR_NOT_SUPPORTED"; return CUDA_SUCCESS;
    case CUDA_ERROR_PEER_ACCESS_UNSUPPORTED: *s = "CUDA_ERROR_PEER_ACCESS_UNSUPPORTED"; return CUDA_SUCCESS;
    case CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED:
        *s = "CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED";
        return CUDA_SUCCESS;
    default: *s = NULL; return CUDA_ERROR_INVALID_VALUE;
    }
}
/* NVRTC looks this up in an already-loaded libcuda and crashes when it is missing. */
FAKE_EXPORT CUresult cuGetExportTable(const void **table, const CUuuid *id) {
    (void)id;
    *table = NULL;
    return CUDA_ERROR_NOT_SUPPORTED;
}
static int device_count(void) {
    const int n = env_int("ACCEL_FAKE_CUDA_DEVICES", 1);
    return n > 8 ? 8 : n;
}
FAKE_EXPORT CUresult cuDeviceGetCount(int *n) { *n = device_count(); return CUDA_SUCCESS; }
FAKE_EXPORT CUresult cuDeviceGet(CUdevice *d, int ordinal) {
    if (ordinal < 0 || ordinal >= device_count()) return CUDA_ERROR_INVALID_DEVICE;
    *d = ordinal;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
    (void)d;
    snprintf(name, (size_t)len, "NVIDIA H100 80GB HBM3");
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuDeviceGetAttribute(int *v, CUdevice_attribute a, CUdevice d) {
    (void)d;
    switch (a) {
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *v = 9; break;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *v = 0; break;
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *v = env_int("ACCEL_FAKE_CUDA_SMS", 132); break;
    case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: *v = 1980000; break;
    case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: *v = env_int("ACCEL_FAKE_CUDA_L2_KIB", 50 << 10) << 10; break;
    case CU_DEVICE_ATTRIBUTE_ECC_ENABLED: *v = 1; break;
    default: *v = 0; break;
    }
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d) {
    (void)d;
    *bytes = (size_t)env_int("ACCEL_FAKE_CUDA_MEM_MIB", 80 << 10) << 20;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuDeviceGetUuid_v2(CUuuid *u, CUdevice d) {
    for (int i = 0; i < 16; ++i) u->bytes[i] = (char)(i + 16 * d);
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuDeviceGetPCIBusId(char *s, int len, CUdevice d) {
    snprintf(s, (size_t)len, "0000:%02X:00.0", 0x1B + d);
    return CUDA_SUCCESS;
}
/* Device d's primary context is 0x1000 + d, so the peer calls can tell devices apart. */
#define FAKE_CTX_BASE 0x1000u
static _Thread_local uintptr_t current_ctx;
FAKE_EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *c, CUdevice d) {
    *c = (CUcontext)(uintptr_t)(FAKE_CTX_BASE + (unsigned)d);
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) { (void)d; return CUDA_SUCCESS; }
FAKE_EXPORT CUresult cuCtxSetCurrent(CUcontext c) {
    if (!c) return CUDA_ERROR_INVALID_CONTEXT;
    current_ctx = (uintptr_t)c;
    return CUDA_SUCCESS;
}

static int peer_capable(int a, int b) {
    return fake_peer_groups_capable("ACCEL_FAKE_CUDA_PEER_GROUPS", a, b);
}
FAKE_EXPORT CUresult cuDeviceCanAccessPeer(int *can, CUdevice d, CUdevice peer) {
    if (d < 0 || d >= device_count() || peer < 0 || peer >= device_count()) return CUDA_ERROR_INVALID_DEVICE;
    *can = d != peer && peer_capable(d, peer);
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuDeviceGetP2PAttribute(int *v, CUdevice_P2PAttribute a, CUdevice d, CUdevice peer) {
    int can = 0;
    CUresult r = cuDeviceCanAccessPeer(&can, d, peer);
    if (r != CUDA_SUCCESS) return r;
    *v = a == CU_DEVICE_P2P_ATTRIBUTE_PERFORMANCE_RANK ? 0 : can;
    return CUDA_SUCCESS;
}
static unsigned enabled_peers[8]; /* bit e of [d]: device d's context may access device e */
FAKE_EXPORT CUresult cuCtxEnablePeerAccess(CUcontext peer, unsigned int flags) {
    const int d = (int)(current_ctx - FAKE_CTX_BASE), e = (int)((uintptr_t)peer - FAKE_CTX_BASE);
    if (flags || !current_ctx || d < 0 || d >= device_count() || e < 0 || e >= device_count())
        return CUDA_ERROR_INVALID_VALUE;
    if (d == e || !peer_capable(d, e)) return CUDA_ERROR_PEER_ACCESS_UNSUPPORTED;
    if (enabled_peers[d] & (1u << e)) return CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED;
    enabled_peers[d] |= 1u << e;
    return CUDA_SUCCESS;
}
static unsigned long peer_copies;
FAKE_EXPORT unsigned long accel_fake_cuda_peer_copies(void) { return peer_copies; }
FAKE_EXPORT CUresult cuCtxSynchronize(void) { return CUDA_SUCCESS; }

FAKE_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n) {
    if (n > ((size_t)1 << 30)) return CUDA_ERROR_OUT_OF_MEMORY;
    void *m = malloc(n);
    if (!m) return CUDA_ERROR_OUT_OF_MEMORY;
    *p = (CUdeviceptr)(uintptr_t)m;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuMemFree_v2(CUdeviceptr p) { free((void *)(uintptr_t)p); return CUDA_SUCCESS; }
FAKE_EXPORT CUresult cuMemAllocHost_v2(void **p, size_t n) {
    *p = malloc(n);
    return *p ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
FAKE_EXPORT CUresult cuMemFreeHost(void *p) { free(p); return CUDA_SUCCESS; }

static int streams;
FAKE_EXPORT CUresult cuStreamCreate(CUstream *s, unsigned int flags) {
    if (flags != CU_STREAM_NON_BLOCKING) return CUDA_ERROR_INVALID_VALUE; /* the plugin's promise */
    *s = (CUstream)(uintptr_t)(0x2000 + ++streams);
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuStreamDestroy_v2(CUstream s) { (void)s; return CUDA_SUCCESS; }
FAKE_EXPORT CUresult cuStreamSynchronize(CUstream s) { (void)s; return CUDA_SUCCESS; }
FAKE_EXPORT CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned int f) { (void)s; (void)e; (void)f; return CUDA_SUCCESS; }
void *accel_fake_cuda_graph_new(void);
void accel_fake_cuda_graph_free(void *g);
void accel_fake_cuda_graph_run(void *g);
int accel_fake_cuda_record_kernel(void *g, const char *name, const unsigned grid[3], const unsigned block[3],
                                  void **params);

/* Stream capture (the graph entry points the plugin treats as optional): while a stream captures,
 * its kernel launches are recorded (fake_kernels.cpp copies their arguments) and run again at each
 * cuGraphLaunch. Copies and memsets cannot be captured here: they answer
 * CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, which the capture-and-replay check never provokes. */
static CUstream capturing;
static void *capture_graph;
#define NOT_WHILE_CAPTURING(st) \
    do { if ((st) && (st) == capturing) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED; } while (0)

FAKE_EXPORT CUresult cuStreamBeginCapture_v2(CUstream s, CUstreamCaptureMode mode) {
    (void)mode;
    if (!s || capturing) return CUDA_ERROR_ILLEGAL_STATE;
    capture_graph = accel_fake_cuda_graph_new();
    capturing = s;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuStreamEndCapture(CUstream s, CUgraph *g) {
    if (s != capturing) return CUDA_ERROR_ILLEGAL_STATE;
    *g = (CUgraph)capture_graph;
    capturing = NULL;
    capture_graph = NULL;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuGraphInstantiateWithFlags(CUgraphExec *e, CUgraph g, unsigned long long flags) {
    (void)flags;
    *e = (CUgraphExec)g; /* the recorded launches are all an executable graph needs here */
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuGraphLaunch(CUgraphExec e, CUstream s) {
    NOT_WHILE_CAPTURING(s);
    accel_fake_cuda_graph_run(e);
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuGraphExecDestroy(CUgraphExec e) { (void)e; return CUDA_SUCCESS; }
FAKE_EXPORT CUresult cuGraphDestroy(CUgraph g) {
    accel_fake_cuda_graph_free(g);
    return CUDA_SUCCESS;
}

FAKE_EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void *s, size_t n, CUstream st) {
    NOT_WHILE_CAPTURING(st);
    memcpy((void *)(uintptr_t)d, s, n);
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuMemcpyDtoHAsync_v2(void *d, CUdeviceptr s, size_t n, CUstream st) {
    NOT_WHILE_CAPTURING(st);
    memcpy(d, (const void *)(uintptr_t)s, n);
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuMemcpyAsync(CUdeviceptr d, CUdeviceptr s, size_t n, CUstream st) {
    NOT_WHILE_CAPTURING(st);
    memmove((void *)(uintptr_t)d, (const void *)(uintptr_t)s, n);
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuMemcpyPeerAsync(CUdeviceptr d, CUcontext dctx, CUdeviceptr s, CUcontext sctx,
                                       size_t n, CUstream st) {
    NOT_WHILE_CAPTURING(st);
    if (!dctx || !sctx) return CUDA_ERROR_INVALID_CONTEXT;
    memmove((void *)(uintptr_t)d, (const void *)(uintptr_t)s, n);
    peer_copies++;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuMemsetD8Async(CUdeviceptr d, unsigned char v, size_t n, CUstream st) {
    NOT_WHILE_CAPTURING(st);
    memset((void *)(uintptr_t)d, v, n);
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuMemsetD16Async(CUdeviceptr d, unsigned short v, size_t n, CUstream st) {
    NOT_WHILE_CAPTURING(st);
    if (d % 2) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < n; ++i) ((unsigned short *)(uintptr_t)d)[i] = v;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuMemsetD32Async(CUdeviceptr d, unsigned int v, size_t n, CUstream st) {
    NOT_WHILE_CAPTURING(st);
    if (d % 4) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < n; ++i) ((unsigned int *)(uintptr_t)d)[i] = v;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuEventCreate(CUevent *e, unsigned int f) { (void)f; *e = (CUevent)(uintptr_t)0x3000; return CUDA_SUCCESS; }
FAKE_EXPORT CUresult cuEventDestroy_v2(CUevent e) { (void)e; return CUDA_SUCCESS; }
FAKE_EXPORT CUresult cuEventRecord(CUevent e, CUstream s) { (void)e; (void)s; return CUDA_SUCCESS; }
FAKE_EXPORT CUresult cuEventSynchronize(CUevent e) { (void)e; return CUDA_SUCCESS; }
#if ACCEL_FAKE_CUDA_VERSION >= 13000
FAKE_EXPORT CUresult cuEventElapsedTime_v2(float *ms, CUevent a, CUevent b) { (void)a; (void)b; *ms = 1.5f; return CUDA_SUCCESS; }
#else
/* The header maps the name to _v2; an older driver exports it under its original name. */
#undef cuEventElapsedTime
FAKE_EXPORT CUresult cuEventElapsedTime(float *ms, CUevent a, CUevent b);
FAKE_EXPORT CUresult cuEventElapsedTime(float *ms, CUevent a, CUevent b) { (void)a; (void)b; *ms = 1.5f; return CUDA_SUCCESS; }
#endif

/* Modules: remember the image so cuModuleGetFunction can check the kernel name is in it. */
typedef struct fake_module { const unsigned char *image; size_t size; } fake_module;
typedef struct fake_function { char name[128]; } fake_function;

FAKE_EXPORT CUresult cuModuleLoadData(CUmodule *m, const void *image) {
    const unsigned char *p = image;
    size_t size;
    if (p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F') {
        /* A cubin: it ends with its section header table. */
        const uint64_t shoff = *(const uint64_t *)(p + 0x28);
        const uint16_t shentsize = *(const uint16_t *)(p + 0x3a), shnum = *(const uint16_t *)(p + 0x3c);
        size = (size_t)shoff + (size_t)shentsize * shnum;
    } else if (strstr((const char *)p, ".version") && strstr((const char *)p, ".target")) {
        size = strlen((const char *)p);
    } else {
        return CUDA_ERROR_INVALID_IMAGE;
    }
    fake_module *fm = malloc(sizeof *fm);
    unsigned char *copy = malloc(size);
    memcpy(copy, p, size);
    fm->image = copy;
    fm->size = size;
    *m = (CUmodule)fm;
    return CUDA_SUCCESS;
}
FAKE_EXPORT CUresult cuModuleUnload(CUmodule m) {
    fake_module *fm = (fake_module *)m;
    free((void *)fm->image);
    free(fm);
    return CUDA_SUCCESS;
}
static int contains(const unsigned char *hay, size_t n, const char *needle) {
    const size_t k = strlen(needle);
    for (size_t i = 0; i + k < n; ++i)
        if (memcmp(hay + i, needle, k) == 0 && hay[i + k] == '\0') return 1;
    return 0;
}
static fake_function functions[64];
static int nfunctions;
FAKE_EXPORT CUresult cuModuleGetFunction(CUfunction *f, CUmodule m, const char *name) {
    fake_module *fm = (fake_module *)m;
    if (!contains(fm->image, fm->size, name)) return CUDA_ERROR_NOT_FOUND;
    for (int i = 0; i < nfunctions; ++i)
        if (strcmp(functions[i].name, name) == 0) {
            *f = (CUfunction)&functions[i];
            return CUDA_SUCCESS;
        }
    if (nfunctions == 64) return CUDA_ERROR_OUT_OF_MEMORY;
    snprintf(functions[nfunctions].name, sizeof functions[nfunctions].name, "%s", name);
    *f = (CUfunction)&functions[nfunctions++];
    return CUDA_SUCCESS;
}

int accel_fake_cuda_run_kernel(const char *name, const unsigned grid[3], const unsigned block[3], void **params);


static struct {
    char name[128];
    unsigned grid[3], block[3], shared;
    int launches;
    void *params0;
} last;
FAKE_EXPORT CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                    unsigned bz, unsigned shared, CUstream s, void **params, void **extra) {
    (void)s;
    (void)extra;
    if (!gx || !gy || !gz || !bx || !by || !bz || (unsigned long long)bx * by * bz > 1024) return CUDA_ERROR_INVALID_VALUE;
    snprintf(last.name, sizeof last.name, "%s", ((fake_function *)f)->name);
    last.grid[0] = gx, last.grid[1] = gy, last.grid[2] = gz;
    last.block[0] = bx, last.block[1] = by, last.block[2] = bz;
    last.shared = shared;
    last.params0 = params ? params[0] : NULL;
    last.launches++;
    if (s && s == capturing)
        return accel_fake_cuda_record_kernel(capture_graph, last.name, last.grid, last.block, params) == 0
                   ? CUDA_SUCCESS : CUDA_ERROR_NOT_SUPPORTED;
    /* Our own kernels run on host threads (fake_kernels.cpp); anything else cannot run here. */
    return accel_fake_cuda_run_kernel(last.name, last.grid, last.block, params) == 0 ? CUDA_SUCCESS
                                                                                   : CUDA_ERROR_NOT_SUPPORTED;
}

/* For the test: the last launch's kernel name, grid and block, and how many launches so far. */
FAKE_EXPORT int accel_fake_cuda_last_launch(char *name, size_t len, unsigned grid[3], unsigned block[3]) {
    snprintf(name, len, "%s", last.name);
    memcpy(grid, last.grid, sizeof last.grid);
    memcpy(block, last.block, sizeof last.block);
    return last.launches;
}
