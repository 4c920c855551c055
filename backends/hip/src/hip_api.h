/* The HIP runtime and hiprtc entry points this backend uses, resolved with dlopen/dlsym at init so the
 * plugin builds against headers only (Debian's HIP 5.2 here) and loads on ROCm 5 and 6 alike.
 * Only the C API headers are included; no hipDeviceProp_t is ever touched (its layout changed in 6.0). */
#ifndef ACCEL_HIP_API_H
#define ACCEL_HIP_API_H

#ifndef __HIP_PLATFORM_AMD__
#define __HIP_PLATFORM_AMD__ 1
#endif
#include <hip/hip_runtime_api.h>
#include <hip/hiprtc.h>

#include "accel_common/dl.h"

/* X(return type, name, parameter list) */
#define ACCEL_HIP_REQUIRED_SYMBOLS(X)                                                            \
    X(hipError_t, hipInit, (unsigned int flags))                                                 \
    X(hipError_t, hipDriverGetVersion, (int *version))                                           \
    X(hipError_t, hipRuntimeGetVersion, (int *version))                                          \
    X(hipError_t, hipGetDeviceCount, (int *count))                                               \
    X(hipError_t, hipDeviceGet, (hipDevice_t * device, int ordinal))                             \
    X(hipError_t, hipDeviceGetName, (char *name, int len, hipDevice_t device))                   \
    X(hipError_t, hipDeviceGetAttribute, (int *value, hipDeviceAttribute_t attr, int device))    \
    X(hipError_t, hipDeviceGetPCIBusId, (char *bus_id, int len, int device))                     \
    X(hipError_t, hipDeviceTotalMem, (size_t * bytes, hipDevice_t device))                       \
    X(hipError_t, hipSetDevice, (int device))                                                    \
    X(hipError_t, hipDeviceSynchronize, (void))                                                  \
    X(hipError_t, hipMalloc, (void **ptr, size_t bytes))                                         \
    X(hipError_t, hipFree, (void *ptr))                                                          \
    X(hipError_t, hipHostMalloc, (void **ptr, size_t bytes, unsigned int flags))                 \
    X(hipError_t, hipHostFree, (void *ptr))                                                      \
    X(hipError_t, hipStreamCreateWithFlags, (hipStream_t * stream, unsigned int flags))          \
    X(hipError_t, hipStreamDestroy, (hipStream_t stream))                                        \
    X(hipError_t, hipStreamSynchronize, (hipStream_t stream))                                    \
    X(hipError_t, hipStreamWaitEvent, (hipStream_t stream, hipEvent_t event, unsigned int flags)) \
    X(hipError_t, hipMemcpyAsync,                                                                \
      (void *dst, const void *src, size_t bytes, hipMemcpyKind kind, hipStream_t stream))        \
    X(hipError_t, hipMemsetD8Async,                                                              \
      (hipDeviceptr_t dst, unsigned char value, size_t count, hipStream_t stream))               \
    X(hipError_t, hipMemsetD16Async,                                                             \
      (hipDeviceptr_t dst, unsigned short value, size_t count, hipStream_t stream))              \
    X(hipError_t, hipMemsetD32Async,                                                             \
      (hipDeviceptr_t dst, int value, size_t count, hipStream_t stream))                         \
    X(hipError_t, hipEventCreateWithFlags, (hipEvent_t * event, unsigned int flags))             \
    X(hipError_t, hipEventDestroy, (hipEvent_t event))                                           \
    X(hipError_t, hipEventRecord, (hipEvent_t event, hipStream_t stream))                        \
    X(hipError_t, hipEventSynchronize, (hipEvent_t event))                                       \
    X(hipError_t, hipEventElapsedTime, (float *ms, hipEvent_t start, hipEvent_t stop))           \
    X(hipError_t, hipModuleLoadData, (hipModule_t * module, const void *image))                  \
    X(hipError_t, hipModuleUnload, (hipModule_t module))                                         \
    X(hipError_t, hipModuleGetFunction, (hipFunction_t * fn, hipModule_t module, const char *name)) \
    X(hipError_t, hipModuleLaunchKernel,                                                         \
      (hipFunction_t fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,     \
       unsigned int by, unsigned int bz, unsigned int shared_bytes, hipStream_t stream,          \
       void **params, void **extra))

/* Absent in some releases or only needed for optional features; NULL when missing. */
#define ACCEL_HIP_OPTIONAL_SYMBOLS(X)                                                            \
    X(const char *, hipGetErrorName, (hipError_t error))                                         \
    X(hipError_t, hipDeviceGetUuid, (hipUUID * uuid, hipDevice_t device))                        \
    X(hipError_t, hipMemGetInfo, (size_t * free_bytes, size_t * total_bytes))                    \
    X(hipError_t, hipStreamBeginCapture, (hipStream_t stream, hipStreamCaptureMode mode))        \
    X(hipError_t, hipStreamEndCapture, (hipStream_t stream, hipGraph_t * graph))                 \
    X(hipError_t, hipGraphInstantiate,                                                           \
      (hipGraphExec_t * exec, hipGraph_t graph, hipGraphNode_t * error_node, char *log,          \
       size_t log_size))                                                                         \
    X(hipError_t, hipGraphLaunch, (hipGraphExec_t exec, hipStream_t stream))                     \
    X(hipError_t, hipGraphExecDestroy, (hipGraphExec_t exec))                                    \
    X(hipError_t, hipGraphDestroy, (hipGraph_t graph))                                           \
    X(hipError_t, hipDeviceCanAccessPeer, (int *can, int device, int peer))                      \
    X(hipError_t, hipDeviceEnablePeerAccess, (int peer, unsigned int flags))                     \
    X(hipError_t, hipMemcpyPeerAsync,                                                            \
      (void *dst, int dst_device, const void *src, int src_device, size_t bytes,                 \
       hipStream_t stream))                                                                      \
    X(hipError_t, hipExtGetLinkTypeAndHopCount,                                                  \
      (int device1, int device2, uint32_t *link_type, uint32_t *hop_count))

/* hiprtc: libhiprtc.so.6 on ROCm 6 (and late 5.x), inside libamdhip64.so.5 on early 5.x. */
#define ACCEL_HIPRTC_REQUIRED_SYMBOLS(X)                                                         \
    X(const char *, hiprtcGetErrorString, (hiprtcResult result))                                 \
    X(hiprtcResult, hiprtcCreateProgram,                                                         \
      (hiprtcProgram * prog, const char *src, const char *name, int num_headers,                 \
       const char **headers, const char **include_names))                                        \
    X(hiprtcResult, hiprtcCompileProgram, (hiprtcProgram prog, int num_options, const char **options)) \
    X(hiprtcResult, hiprtcGetProgramLogSize, (hiprtcProgram prog, size_t * size))               \
    X(hiprtcResult, hiprtcGetProgramLog, (hiprtcProgram prog, char *log))                       \
    X(hiprtcResult, hiprtcGetCodeSize, (hiprtcProgram prog, size_t * size))                     \
    X(hiprtcResult, hiprtcGetCode, (hiprtcProgram prog, char *code))                            \
    X(hiprtcResult, hiprtcDestroyProgram, (hiprtcProgram * prog))

#define ACCEL_HIPRTC_OPTIONAL_SYMBOLS(X) X(hiprtcResult, hiprtcVersion, (int *major, int *minor))

typedef struct hip_api {
    void *hip_lib;
    void *rtc_lib; /* NULL when hiprtc is inside hip_lib, or absent */
    char hip_lib_name[32];
    char rtc_lib_name[32]; /* "" when hiprtc is unavailable */
    int runtime_version;   /* hipRuntimeGetVersion: 50221153 for 5.2, 60x0xxxx for 6.x; 0 unknown */
    ACCEL_HIP_REQUIRED_SYMBOLS(ACCEL_DL_FIELD)
    ACCEL_HIP_OPTIONAL_SYMBOLS(ACCEL_DL_FIELD)
    ACCEL_HIPRTC_REQUIRED_SYMBOLS(ACCEL_DL_FIELD)
    ACCEL_HIPRTC_OPTIONAL_SYMBOLS(ACCEL_DL_FIELD)
} hip_api;

/* Opens libamdhip64 (.so.6, then .so.5) and hiprtc, tracing each dlopen through log (may be NULL).
 * UNAVAILABLE with an install hint when the runtime is missing, INCOMPATIBLE when a required entry
 * point is; hiprtc being absent is not an error (hip_api_has_rtc says so, and GPU_C modules are
 * then not offered). */
#include "accel/status.h"
#include <stddef.h>
accel_status hip_api_open(hip_api *api, const accel_dl_log *log, char *reason, size_t reason_len);
void hip_api_close(hip_api *api);
int hip_api_has_rtc(const hip_api *api);

/* "hipErrorNoDevice" from the library when it can say, else "hipError <n>". */
const char *hip_api_error_name(const hip_api *api, hipError_t err);

#endif
