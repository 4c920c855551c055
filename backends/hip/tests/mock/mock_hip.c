/* A stand-in libamdhip64.so.6 (with hiprtc inside, as on ROCm 5.2) for testing the plugin's host
 * logic on machines without an AMD GPU: memory is host memory, copies and memsets run at once,
 * launches are recorded (not run) so tests can read the packed argument block. Behaviour is set by
 * environment variables: MOCK_HIPINIT_ERROR (hipInit's return), MOCK_HIP_DEVICES (count),
 * MOCK_HIP_PCI_ID, MOCK_HIP_CUS. The record is read through mock_hip_last_launch(). Peers:
 * MOCK_HIP_PEER_GROUPS ("01,23"): devices of one group can access each other over xGMI (1 hop); any
 * other pair is PCIe (2 hops) without access; unset, every pair is xGMI. hipMemcpyPeerAsync counts
 * its calls (mock_hip_peer_copies). */
#define _POSIX_C_SOURCE 200809L
#include "mock_hip.h"
#include "fake_peer_groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

static mock_hip_launch last_launch;
static int event_clock;

EXPORT const mock_hip_launch *mock_hip_last_launch(void) { return &last_launch; }

static int env_int(const char *name, int fallback) {
    const char *v = getenv(name);
    return v && v[0] ? (int)strtol(v, NULL, 0) : fallback;
}

EXPORT hipError_t hipInit(unsigned int flags) {
    (void)flags;
    return (hipError_t)env_int("MOCK_HIPINIT_ERROR", 0);
}
EXPORT const char *hipGetErrorName(hipError_t e) {
    switch ((int)e) {
    case 0: return "hipSuccess";
    case 2: return "hipErrorOutOfMemory";
    case 35: return "hipErrorInsufficientDriver";
    case 100: return "hipErrorNoDevice";
    case 101: return "hipErrorInvalidDevice";
    case 217: return "hipErrorPeerAccessUnsupported";
    default: return "hipErrorUnknown";
    }
}
EXPORT hipError_t hipDriverGetVersion(int *v) { *v = 60241134; return hipSuccess; }
EXPORT hipError_t hipRuntimeGetVersion(int *v) { *v = 60241134; return hipSuccess; }
EXPORT hipError_t hipGetDeviceCount(int *count) {
    *count = env_int("MOCK_HIP_DEVICES", 1);
    return *count > 0 ? hipSuccess : hipErrorNoDevice;
}
EXPORT hipError_t hipDeviceGet(hipDevice_t *device, int ordinal) { *device = ordinal; return hipSuccess; }
EXPORT hipError_t hipDeviceGetName(char *name, int len, hipDevice_t device) {
    (void)device;
    snprintf(name, (size_t)len, "AMD Instinct MI300X");
    return hipSuccess;
}
EXPORT hipError_t hipDeviceGetAttribute(int *value, hipDeviceAttribute_t attr, int device) {
    (void)device;
    switch (attr) {
    case hipDeviceAttributePciDeviceId: *value = env_int("MOCK_HIP_PCI_ID", 0x74a1); break;
    case hipDeviceAttributeMultiprocessorCount: *value = env_int("MOCK_HIP_CUS", 304); break;
    case hipDeviceAttributeClockRate: *value = 2100000; break;
    case hipDeviceAttributeL2CacheSize: *value = 4 << 20; break;
    case hipDeviceAttributeEccEnabled: *value = 1; break;
    default: return hipErrorInvalidValue;
    }
    return hipSuccess;
}
EXPORT hipError_t hipDeviceGetPCIBusId(char *bus_id, int len, int device) {
    snprintf(bus_id, (size_t)len, "0000:%02x:00.0", 0xc1 + device);
    return hipSuccess;
}
EXPORT hipError_t hipDeviceTotalMem(size_t *bytes, hipDevice_t device) {
    (void)device;
    *bytes = (size_t)192 << 30;
    return hipSuccess;
}
EXPORT hipError_t hipDeviceGetUuid(hipUUID *uuid, hipDevice_t device) {
    (void)device;
    memcpy(uuid->bytes, "0123456789abcdef", 16);
    return hipSuccess;
}
static _Thread_local int current_device;
EXPORT hipError_t hipSetDevice(int device) {
    current_device = device;
    return hipSuccess;
}

static int peer_capable(int a, int b) { return fake_peer_groups_capable("MOCK_HIP_PEER_GROUPS", a, b); }
EXPORT hipError_t hipDeviceCanAccessPeer(int *can, int device, int peer) {
    const int n = env_int("MOCK_HIP_DEVICES", 1);
    if (device < 0 || device >= n || peer < 0 || peer >= n) return hipErrorInvalidDevice;
    *can = device != peer && peer_capable(device, peer);
    return hipSuccess;
}
EXPORT hipError_t hipExtGetLinkTypeAndHopCount(int a, int b, uint32_t *type, uint32_t *hops) {
    int can = 0;
    hipError_t err = hipDeviceCanAccessPeer(&can, a, b);
    if (err != hipSuccess) return err;
    *type = can ? 4u : 2u; /* HSA_AMD_LINK_INFO_TYPE_XGMI / _PCIE */
    *hops = can ? 1u : 2u;
    return hipSuccess;
}
static unsigned enabled_peers[8];
EXPORT hipError_t hipDeviceEnablePeerAccess(int peer, unsigned int flags) {
    int can = 0;
    if (flags || hipDeviceCanAccessPeer(&can, current_device, peer) != hipSuccess) return hipErrorInvalidValue;
    if (!can) return hipErrorPeerAccessUnsupported;
    if (enabled_peers[current_device & 7] & (1u << peer)) return hipErrorPeerAccessAlreadyEnabled;
    enabled_peers[current_device & 7] |= 1u << peer;
    return hipSuccess;
}
static unsigned long peer_copies;
EXPORT unsigned long mock_hip_peer_copies(void) { return peer_copies; }
EXPORT hipError_t hipMemcpyPeerAsync(void *dst, int dst_device, const void *src, int src_device,
                                     size_t bytes, hipStream_t s) {
    (void)s;
    const int n = env_int("MOCK_HIP_DEVICES", 1);
    if (dst_device < 0 || dst_device >= n || src_device < 0 || src_device >= n) return hipErrorInvalidDevice;
    memmove(dst, src, bytes);
    peer_copies++;
    return hipSuccess;
}
EXPORT hipError_t hipDeviceSynchronize(void) { return hipSuccess; }
EXPORT hipError_t hipMalloc(void **ptr, size_t bytes) {
    *ptr = calloc(1, bytes);
    return *ptr ? hipSuccess : hipErrorOutOfMemory;
}
EXPORT hipError_t hipFree(void *ptr) { free(ptr); return hipSuccess; }
EXPORT hipError_t hipHostMalloc(void **ptr, size_t bytes, unsigned int flags) {
    (void)flags;
    return hipMalloc(ptr, bytes);
}
EXPORT hipError_t hipHostFree(void *ptr) { free(ptr); return hipSuccess; }

struct ihipStream_t { int id; };
struct ihipEvent_t { int stamp; };
EXPORT hipError_t hipStreamCreateWithFlags(hipStream_t *s, unsigned int flags) {
    (void)flags;
    *s = calloc(1, sizeof **s);
    return hipSuccess;
}
EXPORT hipError_t hipStreamDestroy(hipStream_t s) { free(s); return hipSuccess; }
EXPORT hipError_t hipStreamSynchronize(hipStream_t s) { (void)s; return hipSuccess; }
EXPORT hipError_t hipStreamWaitEvent(hipStream_t s, hipEvent_t e, unsigned int flags) {
    (void)s; (void)e; (void)flags;
    return hipSuccess;
}
EXPORT hipError_t hipMemcpyAsync(void *dst, const void *src, size_t bytes, hipMemcpyKind kind,
                                 hipStream_t s) {
    (void)kind; (void)s;
    memmove(dst, src, bytes);
    return hipSuccess;
}
EXPORT hipError_t hipMemsetD8Async(hipDeviceptr_t dst, unsigned char v, size_t n, hipStream_t s) {
    (void)s;
    memset(dst, v, n);
    return hipSuccess;
}
EXPORT hipError_t hipMemsetD16Async(hipDeviceptr_t dst, unsigned short v, size_t n, hipStream_t s) {
    (void)s;
    for (size_t i = 0; i < n; ++i)
        memcpy((char *)dst + 2 * i, &v, 2);
    return hipSuccess;
}
EXPORT hipError_t hipMemsetD32Async(hipDeviceptr_t dst, int v, size_t n, hipStream_t s) {
    (void)s;
    for (size_t i = 0; i < n; ++i)
        memcpy((char *)dst + 4 * i, &v, 4);
    return hipSuccess;
}
EXPORT hipError_t hipEventCreateWithFlags(hipEvent_t *e, unsigned flags) {
    (void)flags;
    *e = calloc(1, sizeof **e);
    return hipSuccess;
}
EXPORT hipError_t hipEventDestroy(hipEvent_t e) { free(e); return hipSuccess; }
EXPORT hipError_t hipEventRecord(hipEvent_t e, hipStream_t s) {
    (void)s;
    e->stamp = ++event_clock;
    return hipSuccess;
}
EXPORT hipError_t hipEventSynchronize(hipEvent_t e) { (void)e; return hipSuccess; }
/* Each record advances a clock by 1.5 ms, so elapsed times are known exactly. */
EXPORT hipError_t hipEventElapsedTime(float *ms, hipEvent_t a, hipEvent_t b) {
    *ms = 1.5f * (float)(b->stamp - a->stamp);
    return hipSuccess;
}

struct ihipModule_t { int loaded; };
struct ihipModuleSymbol_t { char name[64]; };
EXPORT hipError_t hipModuleLoadData(hipModule_t *m, const void *image) {
    if (!image || memcmp(image, "MOCKCODE", 8) != 0)
        return hipErrorInvalidImage;
    *m = calloc(1, sizeof **m);
    return hipSuccess;
}
EXPORT hipError_t hipModuleUnload(hipModule_t m) { free(m); return hipSuccess; }
/* Functions live as long as the process: the mock never frees them (tests are short). */
EXPORT hipError_t hipModuleGetFunction(hipFunction_t *fn, hipModule_t m, const char *name) {
    (void)m;
    static struct ihipModuleSymbol_t functions[64];
    static int used;
    for (int i = 0; i < used; ++i)
        if (strcmp(functions[i].name, name) == 0) {
            *fn = &functions[i];
            return hipSuccess;
        }
    if (used == 64 || strlen(name) >= sizeof functions[0].name)
        return hipErrorNotFound;
    snprintf(functions[used].name, sizeof functions[used].name, "%s", name);
    *fn = &functions[used++];
    return hipSuccess;
}
EXPORT hipError_t hipModuleLaunchKernel(hipFunction_t fn, unsigned gx, unsigned gy, unsigned gz,
                                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                                        hipStream_t s, void **params, void **extra) {
    (void)s;
    if (params || !extra || extra[0] != HIP_LAUNCH_PARAM_BUFFER_POINTER ||
        extra[2] != HIP_LAUNCH_PARAM_BUFFER_SIZE || extra[4] != HIP_LAUNCH_PARAM_END)
        return hipErrorInvalidValue;
    size_t size = *(size_t *)extra[3];
    if (size > sizeof last_launch.args)
        return hipErrorInvalidValue;
    snprintf(last_launch.kernel, sizeof last_launch.kernel, "%s", fn->name);
    memcpy(last_launch.args, extra[1], size);
    last_launch.args_size = size;
    unsigned dims[6] = {gx, gy, gz, bx, by, bz};
    memcpy(last_launch.grid, dims, sizeof last_launch.grid);
    memcpy(last_launch.block, dims + 3, sizeof last_launch.block);
    last_launch.shared_bytes = shared;
    ++last_launch.count;
    return hipSuccess;
}

/* hiprtc: the "code object" is MOCKCODE followed by the program name. */
struct _hiprtcProgram { char name[64]; };
EXPORT const char *hiprtcGetErrorString(hiprtcResult r) { return r ? "HIPRTC_ERROR" : "HIPRTC_SUCCESS"; }
EXPORT hiprtcResult hiprtcVersion(int *major, int *minor) { *major = 6; *minor = 2; return HIPRTC_SUCCESS; }
EXPORT hiprtcResult hiprtcCreateProgram(hiprtcProgram *p, const char *src, const char *name, int n,
                                        const char **headers, const char **names) {
    (void)src; (void)n; (void)headers; (void)names;
    *p = calloc(1, sizeof **p);
    snprintf((*p)->name, sizeof (*p)->name, "%s", name ? name : "");
    return HIPRTC_SUCCESS;
}
EXPORT hiprtcResult hiprtcCompileProgram(hiprtcProgram p, int n, const char **options) {
    (void)p;
    /* The plugin must ask for the device's own ISA. */
    for (int i = 0; i < n; ++i)
        if (strcmp(options[i], "--offload-arch=gfx942") == 0) {
            ++last_launch.compiles;
            return HIPRTC_SUCCESS;
        }
    return HIPRTC_ERROR_INVALID_OPTION;
}
EXPORT hiprtcResult hiprtcGetProgramLogSize(hiprtcProgram p, size_t *size) { (void)p; *size = 1; return HIPRTC_SUCCESS; }
EXPORT hiprtcResult hiprtcGetProgramLog(hiprtcProgram p, char *log) { (void)p; log[0] = '\0'; return HIPRTC_SUCCESS; }
EXPORT hiprtcResult hiprtcGetCodeSize(hiprtcProgram p, size_t *size) {
    *size = 8 + strlen(p->name) + 1;
    return HIPRTC_SUCCESS;
}
EXPORT hiprtcResult hiprtcGetCode(hiprtcProgram p, char *code) {
    memcpy(code, "MOCKCODE", 8);
    memcpy(code + 8, p->name, strlen(p->name) + 1);
    return HIPRTC_SUCCESS;
}
EXPORT hiprtcResult hiprtcDestroyProgram(hiprtcProgram *p) { free(*p); *p = NULL; return HIPRTC_SUCCESS; }
