/* The Level Zero entry points this backend uses, resolved from libze_loader.so.1 at run time.
 * Required ones must all resolve or the backend is UNAVAILABLE; optional ones may be NULL and every
 * caller checks. X(symbol, function-pointer type). */
#ifndef ACCEL_ZE_SYMBOLS_H
#define ACCEL_ZE_SYMBOLS_H

#include <level_zero/ze_api.h>
#include <level_zero/ze_ddi.h>
#include <level_zero/zes_api.h>
#include <level_zero/zes_ddi.h>

#include "accel/plugin.h"
#include "accel_common/dl.h"

/* API 1.6; older headers (1.4 here) do not declare it. */
typedef ze_result_t(ZE_APICALL *accel_ze_pfn_command_list_host_synchronize)(ze_command_list_handle_t,
                                                                            uint64_t);

#define ACCEL_ZE_REQUIRED_SYMBOLS(X)                                                               \
    X(zeInit, ze_pfnInit_t)                                                                        \
    X(zeDriverGet, ze_pfnDriverGet_t)                                                              \
    X(zeDriverGetApiVersion, ze_pfnDriverGetApiVersion_t)                                          \
    X(zeDriverGetProperties, ze_pfnDriverGetProperties_t)                                          \
    X(zeDeviceGet, ze_pfnDeviceGet_t)                                                              \
    X(zeDeviceGetProperties, ze_pfnDeviceGetProperties_t)                                          \
    X(zeDeviceGetComputeProperties, ze_pfnDeviceGetComputeProperties_t)                            \
    X(zeDeviceGetModuleProperties, ze_pfnDeviceGetModuleProperties_t)                              \
    X(zeDeviceGetMemoryProperties, ze_pfnDeviceGetMemoryProperties_t)                              \
    X(zeDeviceGetCommandQueueGroupProperties, ze_pfnDeviceGetCommandQueueGroupProperties_t)        \
    X(zeContextCreate, ze_pfnContextCreate_t)                                                      \
    X(zeContextDestroy, ze_pfnContextDestroy_t)                                                    \
    X(zeCommandQueueCreate, ze_pfnCommandQueueCreate_t)                                            \
    X(zeCommandQueueDestroy, ze_pfnCommandQueueDestroy_t)                                          \
    X(zeCommandQueueExecuteCommandLists, ze_pfnCommandQueueExecuteCommandLists_t)                  \
    X(zeCommandQueueSynchronize, ze_pfnCommandQueueSynchronize_t)                                  \
    X(zeCommandListCreate, ze_pfnCommandListCreate_t)                                              \
    X(zeCommandListCreateImmediate, ze_pfnCommandListCreateImmediate_t)                            \
    X(zeCommandListDestroy, ze_pfnCommandListDestroy_t)                                            \
    X(zeCommandListClose, ze_pfnCommandListClose_t)                                                \
    X(zeCommandListReset, ze_pfnCommandListReset_t)                                                \
    X(zeCommandListAppendBarrier, ze_pfnCommandListAppendBarrier_t)                                \
    X(zeCommandListAppendMemoryCopy, ze_pfnCommandListAppendMemoryCopy_t)                          \
    X(zeCommandListAppendMemoryFill, ze_pfnCommandListAppendMemoryFill_t)                          \
    X(zeCommandListAppendSignalEvent, ze_pfnCommandListAppendSignalEvent_t)                        \
    X(zeCommandListAppendWaitOnEvents, ze_pfnCommandListAppendWaitOnEvents_t)                      \
    X(zeCommandListAppendWriteGlobalTimestamp, ze_pfnCommandListAppendWriteGlobalTimestamp_t)      \
    X(zeCommandListAppendLaunchKernel, ze_pfnCommandListAppendLaunchKernel_t)                      \
    X(zeMemAllocDevice, ze_pfnMemAllocDevice_t)                                                    \
    X(zeMemAllocHost, ze_pfnMemAllocHost_t)                                                        \
    X(zeMemAllocShared, ze_pfnMemAllocShared_t)                                                    \
    X(zeMemFree, ze_pfnMemFree_t)                                                                  \
    X(zeEventPoolCreate, ze_pfnEventPoolCreate_t)                                                  \
    X(zeEventPoolDestroy, ze_pfnEventPoolDestroy_t)                                                \
    X(zeEventCreate, ze_pfnEventCreate_t)                                                          \
    X(zeEventDestroy, ze_pfnEventDestroy_t)                                                        \
    X(zeEventHostSynchronize, ze_pfnEventHostSynchronize_t)                                        \
    X(zeEventHostReset, ze_pfnEventHostReset_t)                                                    \
    X(zeModuleCreate, ze_pfnModuleCreate_t)                                                        \
    X(zeModuleDestroy, ze_pfnModuleDestroy_t)                                                      \
    X(zeModuleBuildLogGetString, ze_pfnModuleBuildLogGetString_t)                                  \
    X(zeModuleBuildLogDestroy, ze_pfnModuleBuildLogDestroy_t)                                      \
    X(zeKernelCreate, ze_pfnKernelCreate_t)                                                        \
    X(zeKernelDestroy, ze_pfnKernelDestroy_t)                                                      \
    X(zeKernelSetGroupSize, ze_pfnKernelSetGroupSize_t)                                            \
    X(zeKernelSetArgumentValue, ze_pfnKernelSetArgumentValue_t)

#define ACCEL_ZE_OPTIONAL_SYMBOLS(X)                                                               \
    X(zeDevicePciGetPropertiesExt, ze_pfnDevicePciGetPropertiesExt_t)                              \
    X(zeDeviceGetCacheProperties, ze_pfnDeviceGetCacheProperties_t)                                \
    X(zeCommandListHostSynchronize, accel_ze_pfn_command_list_host_synchronize)                    \
    X(zesDeviceEnumPowerDomains, zes_pfnDeviceEnumPowerDomains_t)                                  \
    X(zesPowerGetEnergyCounter, zes_pfnPowerGetEnergyCounter_t)                                    \
    X(zesPowerGetLimits, zes_pfnPowerGetLimits_t)                                                  \
    X(zesPowerGetProperties, zes_pfnPowerGetProperties_t)                                          \
    X(zesDeviceEnumFrequencyDomains, zes_pfnDeviceEnumFrequencyDomains_t)                          \
    X(zesFrequencyGetProperties, zes_pfnFrequencyGetProperties_t)                                  \
    X(zesFrequencyGetState, zes_pfnFrequencyGetState_t)                                            \
    X(zesDeviceEnumTemperatureSensors, zes_pfnDeviceEnumTemperatureSensors_t)                      \
    X(zesTemperatureGetState, zes_pfnTemperatureGetState_t)

typedef struct accel_ze_api {
    void *library;
    char library_name[256]; /* the file actually opened */
#define ACCEL_ZE_DECLARE(name, type) type name;
    ACCEL_ZE_REQUIRED_SYMBOLS(ACCEL_ZE_DECLARE)
    ACCEL_ZE_OPTIONAL_SYMBOLS(ACCEL_ZE_DECLARE)
#undef ACCEL_ZE_DECLARE
} accel_ze_api;

/* Opens the loader ($ACCEL_LEVEL_ZERO_LOADER, else libze_loader.so.1, else libze_loader.so) and
 * resolves every symbol, tracing each dlopen through host's log. On failure writes why, with an
 * install hint, into reason and returns UNAVAILABLE; nothing stays open. */
accel_status accel_ze_api_load(accel_ze_api *api, const accel_host_services *host, char *reason,
                               size_t reason_len);
void accel_ze_api_unload(accel_ze_api *api);

/* "ZE_RESULT_ERROR_UNINITIALIZED"; "ZE_RESULT_<unknown>" for values this build does not know. */
const char *accel_ze_result_name(ze_result_t result);

#endif
