/* Every vendor entry point this backend calls, as X-macro lists X(return, name, params).
 * Names are the exported symbols (the header's _v2/_v4 targets, e.g. cuMemAlloc_v2), never the
 * header's macro aliases, because dlsym sees exported names. tests/cuda_symbols_check.c assigns each
 * header prototype to its table slot inside sizeof(), so a wrong name or signature fails the build. */
#ifndef ACCEL_CUDA_SYMBOLS_H
#define ACCEL_CUDA_SYMBOLS_H

#include <cuda.h>
#include <nvrtc.h>
#include <cublasLt.h>

#include "accel_common/dl.h"

/* Present in every driver since CUDA 2: resolved first so an old driver is reported as such
 * ("driver too old") instead of as a missing newer symbol. */
#define ACCEL_CUDA_DRIVER_BOOTSTRAP(X)                                                     \
    X(CUresult, cuInit, (unsigned int))                                                    \
    X(CUresult, cuDriverGetVersion, (int *))                                               \
    X(CUresult, cuGetErrorName, (CUresult, const char **))

#define ACCEL_CUDA_DRIVER_REQUIRED(X)                                                      \
    X(CUresult, cuDeviceGetCount, (int *))                                                 \
    X(CUresult, cuDeviceGet, (CUdevice *, int))                                            \
    X(CUresult, cuDeviceGetName, (char *, int, CUdevice))                                  \
    X(CUresult, cuDeviceGetAttribute, (int *, CUdevice_attribute, CUdevice))               \
    X(CUresult, cuDeviceTotalMem_v2, (size_t *, CUdevice))                                 \
    X(CUresult, cuDeviceGetUuid_v2, (CUuuid *, CUdevice))                                  \
    X(CUresult, cuDeviceGetPCIBusId, (char *, int, CUdevice))                              \
    X(CUresult, cuDevicePrimaryCtxRetain, (CUcontext *, CUdevice))                         \
    X(CUresult, cuDevicePrimaryCtxRelease_v2, (CUdevice))                                  \
    X(CUresult, cuCtxSetCurrent, (CUcontext))                                              \
    X(CUresult, cuCtxSynchronize, (void))                                                  \
    X(CUresult, cuMemAlloc_v2, (CUdeviceptr *, size_t))                                    \
    X(CUresult, cuMemFree_v2, (CUdeviceptr))                                               \
    X(CUresult, cuMemAllocHost_v2, (void **, size_t))                                      \
    X(CUresult, cuMemFreeHost, (void *))                                                   \
    X(CUresult, cuStreamCreate, (CUstream *, unsigned int))                                \
    X(CUresult, cuStreamDestroy_v2, (CUstream))                                            \
    X(CUresult, cuStreamSynchronize, (CUstream))                                           \
    X(CUresult, cuStreamWaitEvent, (CUstream, CUevent, unsigned int))                      \
    X(CUresult, cuMemcpyHtoDAsync_v2, (CUdeviceptr, const void *, size_t, CUstream))       \
    X(CUresult, cuMemcpyDtoHAsync_v2, (void *, CUdeviceptr, size_t, CUstream))             \
    X(CUresult, cuMemcpyAsync, (CUdeviceptr, CUdeviceptr, size_t, CUstream))               \
    X(CUresult, cuMemsetD8Async, (CUdeviceptr, unsigned char, size_t, CUstream))           \
    X(CUresult, cuMemsetD16Async, (CUdeviceptr, unsigned short, size_t, CUstream))         \
    X(CUresult, cuMemsetD32Async, (CUdeviceptr, unsigned int, size_t, CUstream))           \
    X(CUresult, cuEventCreate, (CUevent *, unsigned int))                                  \
    X(CUresult, cuEventDestroy_v2, (CUevent))                                              \
    X(CUresult, cuEventRecord, (CUevent, CUstream))                                        \
    X(CUresult, cuEventSynchronize, (CUevent))                                             \
    X(CUresult, cuEventElapsedTime_v2, (float *, CUevent, CUevent))                        \
    X(CUresult, cuModuleLoadData, (CUmodule *, const void *))                              \
    X(CUresult, cuModuleUnload, (CUmodule))                                                \
    X(CUresult, cuModuleGetFunction, (CUfunction *, CUmodule, const char *))               \
    X(CUresult, cuLaunchKernel, (CUfunction, unsigned int, unsigned int, unsigned int,     \
                                 unsigned int, unsigned int, unsigned int, unsigned int,   \
                                 CUstream, void **, void **))

/* Exported names newer than the oldest driver the backend accepts (CUDA 12.0, R525: what CUDA 12
 * libraries need), each with the original export of the same signature that older drivers have
 * instead. cuEventElapsedTime_v2 is what the CUDA 13 header maps cuEventElapsedTime to; R550/R570
 * drivers export only cuEventElapsedTime. An initializer list for accel_dl_alias[]. */
#define ACCEL_CUDA_DRIVER_ALIASES {"cuEventElapsedTime_v2", "cuEventElapsedTime"},

/* Missing ones switch a feature off (graphs, >48 KiB dynamic shared memory, free-memory query). */
#define ACCEL_CUDA_DRIVER_OPTIONAL(X)                                                      \
    X(CUresult, cuStreamBeginCapture_v2, (CUstream, CUstreamCaptureMode))                  \
    X(CUresult, cuStreamEndCapture, (CUstream, CUgraph *))                                 \
    X(CUresult, cuGraphInstantiateWithFlags, (CUgraphExec *, CUgraph, unsigned long long)) \
    X(CUresult, cuGraphLaunch, (CUgraphExec, CUstream))                                    \
    X(CUresult, cuGraphExecDestroy, (CUgraphExec))                                         \
    X(CUresult, cuGraphDestroy, (CUgraph))                                                 \
    X(CUresult, cuFuncSetAttribute, (CUfunction, CUfunction_attribute, int))               \
    X(CUresult, cuMemGetInfo_v2, (size_t *, size_t *))                                    \
    X(CUresult, cuDeviceCanAccessPeer, (int *, CUdevice, CUdevice))                        \
    X(CUresult, cuDeviceGetP2PAttribute, (int *, CUdevice_P2PAttribute, CUdevice, CUdevice)) \
    X(CUresult, cuCtxEnablePeerAccess, (CUcontext, unsigned int))                          \
    X(CUresult, cuMemcpyPeerAsync, (CUdeviceptr, CUcontext, CUdeviceptr, CUcontext, size_t, \
                                    CUstream))

#define ACCEL_CUDA_NVRTC_REQUIRED(X)                                                       \
    X(const char *, nvrtcGetErrorString, (nvrtcResult))                                    \
    X(nvrtcResult, nvrtcVersion, (int *, int *))                                           \
    X(nvrtcResult, nvrtcGetNumSupportedArchs, (int *))                                     \
    X(nvrtcResult, nvrtcGetSupportedArchs, (int *))                                        \
    X(nvrtcResult, nvrtcCreateProgram, (nvrtcProgram *, const char *, const char *, int,   \
                                        const char *const *, const char *const *))         \
    X(nvrtcResult, nvrtcDestroyProgram, (nvrtcProgram *))                                  \
    X(nvrtcResult, nvrtcCompileProgram, (nvrtcProgram, int, const char *const *))          \
    X(nvrtcResult, nvrtcGetPTXSize, (nvrtcProgram, size_t *))                              \
    X(nvrtcResult, nvrtcGetPTX, (nvrtcProgram, char *))                                    \
    X(nvrtcResult, nvrtcGetCUBINSize, (nvrtcProgram, size_t *))                            \
    X(nvrtcResult, nvrtcGetCUBIN, (nvrtcProgram, char *))                                  \
    X(nvrtcResult, nvrtcGetProgramLogSize, (nvrtcProgram, size_t *))                       \
    X(nvrtcResult, nvrtcGetProgramLog, (nvrtcProgram, char *))

#define ACCEL_CUDA_CUBLASLT_REQUIRED(X)                                                    \
    X(cublasStatus_t, cublasLtCreate, (cublasLtHandle_t *))                                \
    X(cublasStatus_t, cublasLtDestroy, (cublasLtHandle_t))                                 \
    X(const char *, cublasLtGetStatusName, (cublasStatus_t))                               \
    X(size_t, cublasLtGetVersion, (void))                                                  \
    X(cublasStatus_t, cublasLtMatmulDescCreate,                                            \
      (cublasLtMatmulDesc_t *, cublasComputeType_t, cudaDataType_t))                       \
    X(cublasStatus_t, cublasLtMatmulDescDestroy, (cublasLtMatmulDesc_t))                   \
    X(cublasStatus_t, cublasLtMatmulDescSetAttribute,                                      \
      (cublasLtMatmulDesc_t, cublasLtMatmulDescAttributes_t, const void *, size_t))        \
    X(cublasStatus_t, cublasLtMatrixLayoutCreate,                                          \
      (cublasLtMatrixLayout_t *, cudaDataType, uint64_t, uint64_t, int64_t))               \
    X(cublasStatus_t, cublasLtMatrixLayoutDestroy, (cublasLtMatrixLayout_t))               \
    X(cublasStatus_t, cublasLtMatrixLayoutSetAttribute,                                    \
      (cublasLtMatrixLayout_t, cublasLtMatrixLayoutAttribute_t, const void *, size_t))     \
    X(cublasStatus_t, cublasLtMatmulPreferenceCreate, (cublasLtMatmulPreference_t *))      \
    X(cublasStatus_t, cublasLtMatmulPreferenceDestroy, (cublasLtMatmulPreference_t))       \
    X(cublasStatus_t, cublasLtMatmulPreferenceSetAttribute,                                \
      (cublasLtMatmulPreference_t, cublasLtMatmulPreferenceAttributes_t, const void *,     \
       size_t))                                                                            \
    X(cublasStatus_t, cublasLtMatmulAlgoGetHeuristic,                                      \
      (cublasLtHandle_t, cublasLtMatmulDesc_t, cublasLtMatrixLayout_t,                     \
       cublasLtMatrixLayout_t, cublasLtMatrixLayout_t, cublasLtMatrixLayout_t,             \
       cublasLtMatmulPreference_t, int, cublasLtMatmulHeuristicResult_t *, int *))         \
    X(cublasStatus_t, cublasLtMatmulAlgoConfigGetAttribute,                                \
      (const cublasLtMatmulAlgo_t *, cublasLtMatmulAlgoConfigAttributes_t, void *, size_t, \
       size_t *))                                                                          \
    X(cublasStatus_t, cublasLtMatmul,                                                      \
      (cublasLtHandle_t, cublasLtMatmulDesc_t, const void *, const void *,                 \
       cublasLtMatrixLayout_t, const void *, cublasLtMatrixLayout_t, const void *,         \
       const void *, cublasLtMatrixLayout_t, void *, cublasLtMatrixLayout_t,               \
       const cublasLtMatmulAlgo_t *, void *, size_t, cudaStream_t))

/* NVML: the toolkit ships no nvml.h, so these are declared from the NVML API reference with the
 * opaque handle as void* and nvmlReturn_t as int (ABI-identical). All optional. */
typedef void *accel_nvml_device;
#define ACCEL_CUDA_NVML(X)                                                                 \
    X(int, nvmlInit_v2, (void))                                                            \
    X(int, nvmlShutdown, (void))                                                           \
    X(int, nvmlDeviceGetHandleByPciBusId_v2, (const char *, accel_nvml_device *))          \
    X(int, nvmlDeviceGetClockInfo, (accel_nvml_device, int, unsigned int *))               \
    X(int, nvmlDeviceGetPowerUsage, (accel_nvml_device, unsigned int *))                   \
    X(int, nvmlDeviceGetTotalEnergyConsumption, (accel_nvml_device, unsigned long long *)) \
    X(int, nvmlDeviceGetCurrentClocksEventReasons, (accel_nvml_device, unsigned long long *)) \
    X(int, nvmlDeviceGetCurrentClocksThrottleReasons, (accel_nvml_device, unsigned long long *)) \
    X(int, nvmlSystemGetDriverVersion, (char *, unsigned int))                             \
    X(int, nvmlDeviceGetEnforcedPowerLimit, (accel_nvml_device, unsigned int *))           \
    X(int, nvmlDeviceGetTemperature, (accel_nvml_device, int, unsigned int *))             \
    X(int, nvmlDeviceGetP2PStatus, (accel_nvml_device, accel_nvml_device, int, int *))     \
    X(int, nvmlDeviceGetTopologyCommonAncestor, (accel_nvml_device, accel_nvml_device, int *))

typedef struct accel_cuda_driver_table {
    ACCEL_CUDA_DRIVER_BOOTSTRAP(ACCEL_DL_FIELD)
    ACCEL_CUDA_DRIVER_REQUIRED(ACCEL_DL_FIELD)
    ACCEL_CUDA_DRIVER_OPTIONAL(ACCEL_DL_FIELD)
} accel_cuda_driver_table;

typedef struct accel_cuda_nvrtc_table {
    ACCEL_CUDA_NVRTC_REQUIRED(ACCEL_DL_FIELD)
} accel_cuda_nvrtc_table;

typedef struct accel_cuda_cublaslt_table {
    ACCEL_CUDA_CUBLASLT_REQUIRED(ACCEL_DL_FIELD)
} accel_cuda_cublaslt_table;

typedef struct accel_cuda_nvml_table {
    ACCEL_CUDA_NVML(ACCEL_DL_FIELD)
} accel_cuda_nvml_table;

#endif
