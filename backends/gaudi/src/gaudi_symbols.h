/* Every SynapseAI and HLML entry point this backend calls, as X-macro lists X(return, name, params),
 * with the exported names dlsym sees. Declared from the published headers (gaudi_api.h says
 * where); tests/mock implements each one, so a name missing from the mock fails its build. */
#ifndef ACCEL_GAUDI_SYMBOLS_H
#define ACCEL_GAUDI_SYMBOLS_H

#include <stddef.h>

#include "gaudi_api.h"

/* Resolved first: a library without these is not SynapseAI at all. synDriverGetVersion is the one
 * call the API allows before synInitialize. */
#define ACCEL_GAUDI_SYNAPSE_BOOTSTRAP(X)                                                          \
    X(synapse_status, synInitialize, (void))                                                      \
    X(synapse_status, synDestroy, (void))                                                         \
    X(synapse_status, synDriverGetVersion, (char *, int))

#define ACCEL_GAUDI_SYNAPSE_REQUIRED(X)                                                           \
    X(synapse_status, synDeviceGetCount, (uint32_t *))                                            \
    X(synapse_status, synDeviceGetModuleIDs, (uint32_t *, uint32_t *))                            \
    X(synapse_status, synDeviceAcquireByModuleId, (synapse_device_id *, synapse_module_id))       \
    X(synapse_status, synDeviceRelease, (synapse_device_id))                                      \
    X(synapse_status, synDeviceGetInfo, (synapse_device_id, synapse_device_info *))               \
    X(synapse_status, synDeviceGetName, (char *, int, synapse_device_id))                         \
    X(synapse_status, synDeviceGetPCIBusId, (char *, int, synapse_device_id))                     \
    X(synapse_status, synDeviceGetMemoryInfo, (synapse_device_id, uint64_t *, uint64_t *))        \
    X(synapse_status, synDeviceSynchronize, (synapse_device_id))                                  \
    X(synapse_status, synDeviceMalloc, (synapse_device_id, uint64_t, uint64_t, uint32_t,         \
                                        uint64_t *))                                              \
    X(synapse_status, synDeviceFree, (synapse_device_id, uint64_t, uint32_t))                     \
    X(synapse_status, synHostMalloc, (synapse_device_id, uint64_t, uint32_t, void **))            \
    X(synapse_status, synHostFree, (synapse_device_id, const void *, uint32_t))                   \
    X(synapse_status, synStreamCreateGeneric, (synapse_stream *, synapse_device_id, uint32_t))    \
    X(synapse_status, synStreamDestroy, (synapse_stream))                                         \
    X(synapse_status, synStreamSynchronize, (synapse_stream))                                     \
    X(synapse_status, synStreamWaitEvent, (synapse_stream, synapse_event, uint32_t))              \
    X(synapse_status, synMemCopyAsync, (synapse_stream, uint64_t, uint64_t, uint64_t,            \
                                        synapse_dma_direction))                                   \
    X(synapse_status, synMemsetD8Async, (uint64_t, unsigned char, uint64_t, synapse_stream))      \
    X(synapse_status, synMemsetD16Async, (uint64_t, uint16_t, uint64_t, synapse_stream))          \
    X(synapse_status, synMemsetD32Async, (uint64_t, uint32_t, uint64_t, synapse_stream))          \
    X(synapse_status, synEventCreate, (synapse_event *, synapse_device_id, uint32_t))             \
    X(synapse_status, synEventDestroy, (synapse_event))                                           \
    X(synapse_status, synEventRecord, (synapse_event, synapse_stream))                            \
    X(synapse_status, synEventSynchronize, (synapse_event))                                       \
    X(synapse_status, synEventElapsedTime, (uint64_t *, synapse_event, synapse_event))            \
    X(synapse_status, synGraphCreate, (synapse_graph *, synapse_device_type))                     \
    X(synapse_status, synGraphDestroy, (synapse_graph))                                           \
    X(synapse_status, synSectionCreate, (synapse_section *, uint64_t, synapse_graph))             \
    X(synapse_status, synSectionDestroy, (synapse_section))                                       \
    X(synapse_status, synTensorHandleCreate, (synapse_tensor *, synapse_graph, int,              \
                                              const char *))                                      \
    X(synapse_status, synTensorAssignToSection, (synapse_tensor, synapse_section, uint64_t))      \
    X(synapse_status, synTensorSetGeometry, (synapse_tensor, const synapse_tensor_geometry *,    \
                                             int))                                                \
    X(synapse_status, synTensorSetDeviceFullLayout, (synapse_tensor,                              \
                                                     const synapse_tensor_layout *))             \
    X(synapse_status, synNodeCreate, (synapse_graph, const synapse_tensor *,                      \
                                      const synapse_tensor *, uint32_t, uint32_t, const void *,   \
                                      unsigned, const char *, const char *, const char **,       \
                                      const char **))                                             \
    X(synapse_status, synGraphCompile, (synapse_recipe *, synapse_graph, const char *,           \
                                        const char *))                                            \
    X(synapse_status, synRecipeDestroy, (synapse_recipe))                                         \
    X(synapse_status, synTensorRetrieveIds, (synapse_recipe, const char **, uint64_t *,          \
                                             uint32_t))                                           \
    X(synapse_status, synWorkspaceGetSize, (uint64_t *, synapse_recipe))                          \
    X(synapse_status, synLaunchExt, (synapse_stream, const synapse_launch_tensor *, uint32_t,    \
                                     uint64_t, synapse_recipe, uint32_t))

/* Missing ones only cost a detail (the status text in messages). */
#define ACCEL_GAUDI_SYNAPSE_OPTIONAL(X)                                                           \
    X(synapse_status, synStatusGetBriefDescription, (synapse_status, char *, size_t))

/* HLML (libhlml.so): telemetry and description details, every entry optional. */
#define ACCEL_GAUDI_HLML(X)                                                                       \
    X(hlml_status, hlml_init, (void))                                                             \
    X(hlml_status, hlml_shutdown, (void))                                                         \
    X(hlml_status, hlml_device_get_handle_by_pci_bus_id, (const char *, hlml_device *))           \
    X(hlml_status, hlml_device_get_name, (hlml_device, char *, unsigned int))                     \
    X(hlml_status, hlml_device_get_uuid, (hlml_device, char *, unsigned int))                     \
    X(hlml_status, hlml_device_get_clock_info, (hlml_device, int, unsigned int *))               \
    X(hlml_status, hlml_device_get_max_clock_info, (hlml_device, int, unsigned int *))           \
    X(hlml_status, hlml_device_get_power_usage, (hlml_device, unsigned int *))                    \
    X(hlml_status, hlml_device_get_power_management_default_limit, (hlml_device,                 \
                                                                    unsigned int *))             \
    X(hlml_status, hlml_device_get_total_energy_consumption, (hlml_device, unsigned long long *)) \
    X(hlml_status, hlml_device_get_temperature, (hlml_device, int, unsigned int *))              \
    X(hlml_status, hlml_device_get_ecc_mode, (hlml_device, int *, int *))                         \
    X(hlml_status, hlml_device_get_current_clocks_throttle_reasons, (hlml_device,                \
                                                                     unsigned long long *))

#define ACCEL_GAUDI_FN_FIELD(ret, name, params) ret (*name) params;

typedef struct accel_gaudi_synapse_table {
    ACCEL_GAUDI_SYNAPSE_BOOTSTRAP(ACCEL_GAUDI_FN_FIELD)
    ACCEL_GAUDI_SYNAPSE_REQUIRED(ACCEL_GAUDI_FN_FIELD)
    ACCEL_GAUDI_SYNAPSE_OPTIONAL(ACCEL_GAUDI_FN_FIELD)
} accel_gaudi_synapse_table;

typedef struct accel_gaudi_hlml_table {
    ACCEL_GAUDI_HLML(ACCEL_GAUDI_FN_FIELD)
} accel_gaudi_hlml_table;

#endif
