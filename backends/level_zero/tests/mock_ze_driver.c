/* A stand-in for libze_loader.so.1 with one fake "Intel Data Center GPU Max 1550" stack, so the
 * plugin's real code paths run on machines without an Intel GPU (ACCEL_LEVEL_ZERO_LOADER points the
 * plugin here). Memory is host memory and copies/fills really happen; kernels are not executed, but
 * every launch is checked against the SPIR-V it came from the way a driver would: kernel names from
 * OpEntryPoint, argument count and sizes from OpFunctionParameter types, reqd_work_group_size from
 * OpExecutionMode LocalSize, and buffer arguments must point into a live allocation.
 * Timestamps are synthetic and deterministic: every written stamp advances 1,000,000 ticks of a
 * 19.2 MHz, 32-valid-bit counter that wraps between the first two stamps and has garbage above bit 31.
 * MOCK_ZE_NO_IMMEDIATE=1 refuses immediate command lists (regular lists are then queued and run at
 * zeCommandQueueExecuteCommandLists); MOCK_ZE_FILL_MAX sets the fill pattern limit (default 16);
 * MOCK_ZE_INTEGRATED=1 reports an integrated GPU.
 * Test-only queries: mock_ze_live_objects(), mock_ze_launch_count(), mock_ze_last_launch().
 * Built with MOCK_ZE_EXECUTE (and mock_ze_opencl.c), memory is OpenCL SVM, kernels really run on the
 * OpenCL device from the source their SPIR-V was compiled from, and timestamps follow real time. */
#define _POSIX_C_SOURCE 200809L
#include <level_zero/ze_api.h>
#include <level_zero/zes_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef MOCK_ZE_EXECUTE
#include "mock_ze_opencl.h"
#endif

#define MOCK_EXPORT __attribute__((visibility("default")))
#define MOCK_MAX_PARAMS 64
#define MOCK_MAX_ALLOCS 4096

struct _ze_driver_handle_t { int unused; };
struct _ze_device_handle_t { int unused; };
struct _ze_context_handle_t { int live; };
struct _ze_command_queue_handle_t { int live; };
struct _ze_event_pool_handle_t { uint32_t count; };
struct _ze_event_handle_t { int signaled; };
struct _ze_module_build_log_handle_t { char text[128]; };

typedef enum { CMD_COPY, CMD_FILL, CMD_BARRIER, CMD_SIGNAL, CMD_WAIT, CMD_STAMP, CMD_LAUNCH } cmd_kind;
typedef struct mock_launch mock_launch; /* a kernel launch with its arguments, for execution */
typedef struct mock_cmd {
    cmd_kind kind;
    void *dst;
    const void *src;
    size_t bytes;
    unsigned char pattern[16];
    size_t pattern_size;
    ze_event_handle_t signal;
    ze_event_handle_t wait;
    mock_launch *launch; /* CMD_LAUNCH: owned by the command */
} mock_cmd;

struct _ze_command_list_handle_t {
    int immediate, closed;
    mock_cmd *cmds;
    size_t ncmds, cap;
};

typedef struct mock_param {
    uint32_t type_id;
    size_t size;   /* bytes the driver expects */
    int is_local;  /* Workgroup pointer: size = local bytes, value NULL */
    int is_global; /* CrossWorkgroup / generic pointer: must point into an allocation or be NULL */
} mock_param;

typedef struct mock_entry {
    char name[128];
    uint32_t function_id;
    uint32_t local_size[3]; /* 0 = not required */
    mock_param params[MOCK_MAX_PARAMS];
    int nparams;
} mock_entry;

struct _ze_module_handle_t {
    mock_entry *entries;
    int nentries;
    void *cl_program; /* MOCK_ZE_EXECUTE */
};

typedef struct mock_arg_value {
    int kind; /* 0 value, 1 global pointer, 2 local */
    size_t size;
    unsigned char bytes[16];
} mock_arg_value;

struct _ze_kernel_handle_t {
    mock_entry entry;
    uint64_t set_mask;
    uint32_t group[3];
    int group_set;
    void *cl_kernel; /* MOCK_ZE_EXECUTE */
    mock_arg_value args[MOCK_MAX_PARAMS];
};

struct mock_launch {
    void *cl_kernel;
    int nargs;
    mock_arg_value args[MOCK_MAX_PARAMS];
    uint32_t groups[3], local[3];
};

static struct _ze_driver_handle_t the_driver;
static struct _ze_device_handle_t the_device;
static long live_objects;
static long launches;
static char last_launch_name[128];
static uint32_t last_launch_groups[3], last_launch_local[3];
static uint64_t stamp_ticks = 0xFFFFFFFFull - 500000u; /* wraps between the first two stamps */
static uint64_t stamp_calls;
static uint64_t energy_uj, energy_us;

static struct { char *ptr; size_t bytes; } allocs[MOCK_MAX_ALLOCS];

MOCK_EXPORT long mock_ze_live_objects(void) { return live_objects; }
MOCK_EXPORT long mock_ze_launch_count(void) { return launches; }
MOCK_EXPORT void mock_ze_last_launch(char *name, size_t len, uint32_t groups[3], uint32_t local[3]) {
    snprintf(name, len, "%s", last_launch_name);
    memcpy(groups, last_launch_groups, sizeof last_launch_groups);
    memcpy(local, last_launch_local, sizeof last_launch_local);
}

static void *mock_new(size_t bytes) {
    void *p = calloc(1, bytes);
    if (p) live_objects++;
    return p;
}
static void mock_delete(void *p) {
    if (!p) return;
    free(p);
    live_objects--;
}

/* 0: not USM; 1: [p, p+bytes) inside one allocation; -1: starts inside one but runs past its end. */
static int usm_range(const void *p, size_t bytes) {
    const char *c = p;
    for (int i = 0; i < MOCK_MAX_ALLOCS; i++) {
        if (!allocs[i].ptr || c < allocs[i].ptr || c >= allocs[i].ptr + allocs[i].bytes) continue;
        return (size_t)(allocs[i].ptr + allocs[i].bytes - c) >= bytes ? 1 : -1;
    }
    return 0;
}

MOCK_EXPORT ze_result_t zeInit(ze_init_flags_t flags) {
#ifdef MOCK_ZE_EXECUTE
    char err[256];
    if (!mockcl_init(err, sizeof err)) {
        fprintf(stderr, "mock: %s\n", err);
        return ZE_RESULT_ERROR_UNINITIALIZED;
    }
#endif
    return flags == ZE_INIT_FLAG_GPU_ONLY ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_INVALID_ENUMERATION;
}
MOCK_EXPORT ze_result_t zeDriverGet(uint32_t *count, ze_driver_handle_t *drivers) {
    if (drivers && *count >= 1) drivers[0] = &the_driver;
    *count = 1;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDriverGetApiVersion(ze_driver_handle_t d, ze_api_version_t *v) {
    (void)d;
    *v = ZE_MAKE_VERSION(1, 2);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDriverGetProperties(ze_driver_handle_t d, ze_driver_properties_t *p) {
    (void)d;
    p->driverVersion = 12345;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDeviceGet(ze_driver_handle_t d, uint32_t *count, ze_device_handle_t *devs) {
    if (d != &the_driver) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
    if (devs && *count >= 1) devs[0] = &the_device;
    *count = 1;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDeviceGetProperties(ze_device_handle_t d, ze_device_properties_t *p) {
    (void)d;
    ze_structure_type_t stype = p->stype;
    memset(p, 0, sizeof *p);
    p->stype = stype;
    p->type = ZE_DEVICE_TYPE_GPU;
    const char *integrated = getenv("MOCK_ZE_INTEGRATED");
    if (integrated && integrated[0] == '1') p->flags |= ZE_DEVICE_PROPERTY_FLAG_INTEGRATED;
    p->vendorId = 0x8086;
    p->deviceId = 0x0bd5;
    p->coreClockRate = 1600;
    p->maxMemAllocSize = 1ull << 30;
    p->numThreadsPerEU = 8;
    p->physicalEUSimdWidth = 16;
    p->numEUsPerSubslice = 8;
    p->numSubslicesPerSlice = 64;
    p->numSlices = 1; /* 512 EUs: one stack of a 1550 */
    /* cycles/s under the 1.2 structure type, whole ns per tick under 1.0 */
    p->timerResolution = stype == ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES_1_2 ? 19200000u : 52u;
    p->timestampValidBits = 32;
    p->kernelTimestampValidBits = 32;
    for (int i = 0; i < ZE_MAX_DEVICE_UUID_SIZE; i++) p->uuid.id[i] = (uint8_t)i;
    snprintf(p->name, sizeof p->name, "Intel(R) Data Center GPU Max 1550");
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDeviceGetComputeProperties(ze_device_handle_t d,
                                                     ze_device_compute_properties_t *p) {
    (void)d;
    p->maxTotalGroupSize = 1024;
    p->maxGroupSizeX = p->maxGroupSizeY = p->maxGroupSizeZ = 1024;
    p->maxGroupCountX = p->maxGroupCountY = p->maxGroupCountZ = 0xFFFFFFFFu;
    p->maxSharedLocalMemory = 128 * 1024;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDeviceGetModuleProperties(ze_device_handle_t d, ze_device_module_properties_t *p) {
    (void)d;
    p->flags = ZE_DEVICE_MODULE_FLAG_FP16 | ZE_DEVICE_MODULE_FLAG_FP64;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDeviceGetMemoryProperties(ze_device_handle_t d, uint32_t *count,
                                                    ze_device_memory_properties_t *p) {
    (void)d;
    if (p && *count >= 1) p[0].totalSize = 64ull << 30;
    *count = 1;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDeviceGetCacheProperties(ze_device_handle_t d, uint32_t *count,
                                                   ze_device_cache_properties_t *p) {
    (void)d;
    if (p && *count >= 1) p[0].cacheSize = 204ull << 20;
    *count = 1;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDevicePciGetPropertiesExt(ze_device_handle_t d, ze_pci_ext_properties_t *p) {
    (void)d;
    p->address.domain = 0;
    p->address.bus = 0x3a;
    p->address.device = 0;
    p->address.function = 0;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeDeviceGetCommandQueueGroupProperties(ze_device_handle_t d, uint32_t *count,
                                                               ze_command_queue_group_properties_t *p) {
    (void)d;
    if (p && *count >= 2) {
        /* group 0 copies only, so the plugin must pick group 1 */
        p[0].flags = ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COPY;
        p[0].maxMemoryFillPatternSize = 16;
        p[0].numQueues = 1;
        const char *fill = getenv("MOCK_ZE_FILL_MAX");
        p[1].flags = ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE | ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COPY;
        p[1].maxMemoryFillPatternSize = fill ? (size_t)atoi(fill) : 16;
        p[1].numQueues = 1;
    }
    *count = 2;
    return ZE_RESULT_SUCCESS;
}

MOCK_EXPORT ze_result_t zeContextCreate(ze_driver_handle_t d, const ze_context_desc_t *desc,
                                        ze_context_handle_t *out) {
    (void)d;
    (void)desc;
    *out = mock_new(sizeof **out);
    return *out ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
}
MOCK_EXPORT ze_result_t zeContextDestroy(ze_context_handle_t c) {
    mock_delete(c);
    return ZE_RESULT_SUCCESS;
}

static ze_result_t queue_desc_check(const ze_command_queue_desc_t *desc) {
    return desc->ordinal == 1 ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_INVALID_ARGUMENT;
}
MOCK_EXPORT ze_result_t zeCommandQueueCreate(ze_context_handle_t c, ze_device_handle_t d,
                                             const ze_command_queue_desc_t *desc,
                                             ze_command_queue_handle_t *out) {
    (void)c;
    (void)d;
    if (queue_desc_check(desc) != ZE_RESULT_SUCCESS) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    *out = mock_new(sizeof **out);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeCommandQueueDestroy(ze_command_queue_handle_t q) {
    mock_delete(q);
    return ZE_RESULT_SUCCESS;
}

static ze_result_t cmd_run(const mock_cmd *c) {
    switch (c->kind) {
    case CMD_COPY: memmove(c->dst, c->src, c->bytes); break;
    case CMD_FILL:
        for (size_t i = 0; i < c->bytes; i++) ((unsigned char *)c->dst)[i] = c->pattern[i % c->pattern_size];
        break;
    case CMD_WAIT:
        if (!c->wait->signaled) return ZE_RESULT_ERROR_INVALID_SYNCHRONIZATION_OBJECT; /* would hang */
        break;
    case CMD_STAMP: {
        /* garbage above the 32 valid bits, different for every stamp */
        uint64_t garbage = (++stamp_calls * 0x9E37ull) << 40;
#ifdef MOCK_ZE_EXECUTE
        struct timespec ts; /* real time at 19.2 MHz, so timed work shows its duration */
        clock_gettime(CLOCK_MONOTONIC, &ts);
        stamp_ticks = (uint64_t)((ts.tv_sec * 1000000000.0 + ts.tv_nsec) * 0.0192);
#endif
        *(uint64_t *)c->dst = garbage | (stamp_ticks & 0xFFFFFFFFull);
        stamp_ticks += 1000000u;
        break;
    }
    case CMD_LAUNCH:
#ifdef MOCK_ZE_EXECUTE
    {
        char err[256];
        mockcl_arg args[MOCK_MAX_PARAMS];
        for (int i = 0; i < c->launch->nargs; i++) {
            args[i].kind = c->launch->args[i].kind;
            args[i].size = c->launch->args[i].size;
            memcpy(args[i].bytes, c->launch->args[i].bytes, sizeof args[i].bytes);
        }
        if (!mockcl_launch(c->launch->cl_kernel, args, c->launch->nargs, c->launch->groups,
                           c->launch->local, err, sizeof err)) {
            fprintf(stderr, "mock: launch failed: %s\n", err);
            return ZE_RESULT_ERROR_DEVICE_LOST;
        }
    }
#endif
        break;
    default: break;
    }
    if (c->signal) c->signal->signaled = 1;
    return ZE_RESULT_SUCCESS;
}

static ze_result_t list_append(ze_command_list_handle_t l, mock_cmd c) {
    if (!l || l->closed) {
        free(c.launch);
        return l ? ZE_RESULT_ERROR_INVALID_ARGUMENT : ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
    }
    if (l->immediate) {
        ze_result_t r = cmd_run(&c);
        free(c.launch);
        return r;
    }
    if (l->ncmds == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        mock_cmd *grown = realloc(l->cmds, cap * sizeof *grown);
        if (!grown) {
            free(c.launch);
            return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
        }
        l->cmds = grown;
        l->cap = cap;
    }
    l->cmds[l->ncmds++] = c;
    return ZE_RESULT_SUCCESS;
}

MOCK_EXPORT ze_result_t zeCommandQueueExecuteCommandLists(ze_command_queue_handle_t q, uint32_t n,
                                                          ze_command_list_handle_t *lists,
                                                          ze_fence_handle_t fence) {
    (void)q;
    (void)fence;
    for (uint32_t i = 0; i < n; i++) {
        if (!lists[i]->closed || lists[i]->immediate) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
        for (size_t k = 0; k < lists[i]->ncmds; k++) {
            ze_result_t r = cmd_run(&lists[i]->cmds[k]);
            if (r != ZE_RESULT_SUCCESS) return r;
        }
    }
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeCommandQueueSynchronize(ze_command_queue_handle_t q, uint64_t timeout) {
    (void)q;
    (void)timeout;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeCommandListCreate(ze_context_handle_t c, ze_device_handle_t d,
                                            const ze_command_list_desc_t *desc,
                                            ze_command_list_handle_t *out) {
    (void)c;
    (void)d;
    if (desc->commandQueueGroupOrdinal != 1) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    *out = mock_new(sizeof **out);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeCommandListCreateImmediate(ze_context_handle_t c, ze_device_handle_t d,
                                                     const ze_command_queue_desc_t *desc,
                                                     ze_command_list_handle_t *out) {
    (void)c;
    (void)d;
    const char *no = getenv("MOCK_ZE_NO_IMMEDIATE");
    if (no && no[0] == '1') return ZE_RESULT_ERROR_UNSUPPORTED_FEATURE;
    if (queue_desc_check(desc) != ZE_RESULT_SUCCESS) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    *out = mock_new(sizeof **out);
    (*out)->immediate = 1;
    return ZE_RESULT_SUCCESS;
}
static void list_clear(ze_command_list_handle_t l) {
    for (size_t i = 0; i < l->ncmds; i++) free(l->cmds[i].launch);
    l->ncmds = 0;
}
MOCK_EXPORT ze_result_t zeCommandListDestroy(ze_command_list_handle_t l) {
    list_clear(l);
    free(l->cmds);
    mock_delete(l);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeCommandListClose(ze_command_list_handle_t l) {
    l->closed = 1;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeCommandListReset(ze_command_list_handle_t l) {
    l->closed = 0;
    list_clear(l);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeCommandListAppendBarrier(ze_command_list_handle_t l, ze_event_handle_t signal,
                                                   uint32_t nwait, ze_event_handle_t *wait) {
    (void)wait;
    if (nwait) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    return list_append(l, (mock_cmd){.kind = CMD_BARRIER, .signal = signal});
}
MOCK_EXPORT ze_result_t zeCommandListAppendMemoryCopy(ze_command_list_handle_t l, void *dst,
                                                      const void *src, size_t size,
                                                      ze_event_handle_t signal, uint32_t nwait,
                                                      ze_event_handle_t *wait) {
    (void)wait;
    if (nwait || usm_range(dst, size) < 0 || usm_range(src, size) < 0)
        return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    return list_append(l, (mock_cmd){.kind = CMD_COPY, .dst = dst, .src = src, .bytes = size, .signal = signal});
}
MOCK_EXPORT ze_result_t zeCommandListAppendMemoryFill(ze_command_list_handle_t l, void *ptr,
                                                      const void *pattern, size_t pattern_size,
                                                      size_t size, ze_event_handle_t signal,
                                                      uint32_t nwait, ze_event_handle_t *wait) {
    (void)wait;
    const char *fill = getenv("MOCK_ZE_FILL_MAX");
    size_t max = fill ? (size_t)atoi(fill) : 16;
    if (nwait || usm_range(ptr, size) != 1 || pattern_size == 0 || pattern_size > max ||
        size % pattern_size)
        return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    mock_cmd c = {.kind = CMD_FILL, .dst = ptr, .bytes = size, .pattern_size = pattern_size, .signal = signal};
    memcpy(c.pattern, pattern, pattern_size); /* the pattern is copied at append, as the spec says */
    return list_append(l, c);
}
MOCK_EXPORT ze_result_t zeCommandListAppendSignalEvent(ze_command_list_handle_t l, ze_event_handle_t e) {
    return list_append(l, (mock_cmd){.kind = CMD_BARRIER, .signal = e});
}
MOCK_EXPORT ze_result_t zeCommandListAppendWaitOnEvents(ze_command_list_handle_t l, uint32_t n,
                                                        ze_event_handle_t *events) {
    for (uint32_t i = 0; i < n; i++) {
        ze_result_t r = list_append(l, (mock_cmd){.kind = CMD_WAIT, .wait = events[i]});
        if (r != ZE_RESULT_SUCCESS) return r;
    }
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeCommandListAppendWriteGlobalTimestamp(ze_command_list_handle_t l,
                                                                uint64_t *dst, ze_event_handle_t signal,
                                                                uint32_t nwait, ze_event_handle_t *wait) {
    (void)wait;
    if (nwait || usm_range(dst, sizeof *dst) != 1) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    return list_append(l, (mock_cmd){.kind = CMD_STAMP, .dst = dst, .signal = signal});
}

static ze_result_t mem_alloc(size_t size, size_t alignment, void **out) {
    if (size == 0 || (alignment & (alignment - 1))) return ZE_RESULT_ERROR_UNSUPPORTED_SIZE;
    for (int i = 0; i < MOCK_MAX_ALLOCS; i++) {
        if (allocs[i].ptr) continue;
        size_t rounded = (size + 63) / 64 * 64;
#ifdef MOCK_ZE_EXECUTE
        allocs[i].ptr = mockcl_alloc(rounded);
#else
        allocs[i].ptr = aligned_alloc(64, rounded);
#endif
        if (!allocs[i].ptr) return ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY;
        allocs[i].bytes = size;
        live_objects++;
        *out = allocs[i].ptr;
        return ZE_RESULT_SUCCESS;
    }
    return ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY;
}
MOCK_EXPORT ze_result_t zeMemAllocDevice(ze_context_handle_t c, const ze_device_mem_alloc_desc_t *d,
                                         size_t size, size_t alignment, ze_device_handle_t dev, void **out) {
    (void)c;
    (void)d;
    (void)dev;
    return mem_alloc(size, alignment, out);
}
MOCK_EXPORT ze_result_t zeMemAllocHost(ze_context_handle_t c, const ze_host_mem_alloc_desc_t *d,
                                       size_t size, size_t alignment, void **out) {
    (void)c;
    (void)d;
    return mem_alloc(size, alignment, out);
}
MOCK_EXPORT ze_result_t zeMemAllocShared(ze_context_handle_t c, const ze_device_mem_alloc_desc_t *dd,
                                         const ze_host_mem_alloc_desc_t *hd, size_t size,
                                         size_t alignment, ze_device_handle_t dev, void **out) {
    (void)c;
    (void)dd;
    (void)hd;
    (void)dev;
    return mem_alloc(size, alignment, out);
}
MOCK_EXPORT ze_result_t zeMemFree(ze_context_handle_t c, void *ptr) {
    (void)c;
    for (int i = 0; i < MOCK_MAX_ALLOCS; i++) {
        if (allocs[i].ptr != ptr) continue;
#ifdef MOCK_ZE_EXECUTE
        mockcl_free(ptr);
#else
        free(ptr);
#endif
        allocs[i].ptr = NULL;
        live_objects--;
        return ZE_RESULT_SUCCESS;
    }
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
}

MOCK_EXPORT ze_result_t zeEventPoolCreate(ze_context_handle_t c, const ze_event_pool_desc_t *desc,
                                          uint32_t ndev, ze_device_handle_t *devs,
                                          ze_event_pool_handle_t *out) {
    (void)c;
    (void)ndev;
    (void)devs;
    *out = mock_new(sizeof **out);
    (*out)->count = desc->count;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeEventPoolDestroy(ze_event_pool_handle_t p) {
    mock_delete(p);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeEventCreate(ze_event_pool_handle_t p, const ze_event_desc_t *desc,
                                      ze_event_handle_t *out) {
    if (desc->index >= p->count) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    *out = mock_new(sizeof **out);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeEventDestroy(ze_event_handle_t e) {
    mock_delete(e);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeEventHostSynchronize(ze_event_handle_t e, uint64_t timeout) {
    (void)timeout;
    /* Nothing runs later in this mock: an unsignalled event would hang a real driver forever. */
    return e->signaled ? ZE_RESULT_SUCCESS : ZE_RESULT_NOT_READY;
}
MOCK_EXPORT ze_result_t zeEventHostReset(ze_event_handle_t e) {
    e->signaled = 0;
    return ZE_RESULT_SUCCESS;
}

/* ---- modules: just enough SPIR-V parsing to know entry points and their parameters ---- */

enum {
    OP_ENTRY_POINT = 15, OP_EXECUTION_MODE = 16, OP_TYPE_INT = 21, OP_TYPE_FLOAT = 22,
    OP_TYPE_VECTOR = 23, OP_TYPE_POINTER = 32, OP_FUNCTION = 54, OP_FUNCTION_PARAMETER = 55,
    MODE_LOCAL_SIZE = 17, SC_WORKGROUP = 4, SC_CROSS_WORKGROUP = 5, SC_GENERIC = 8
};

typedef struct spv_type {
    uint32_t size;          /* bytes as a kernel argument */
    uint32_t storage_class; /* pointers */
    int is_pointer;
} spv_type;

static ze_result_t module_parse(const uint32_t *w, size_t nwords, ze_module_handle_t m, char *log,
                                size_t loglen) {
    if (nwords < 5 || w[0] != 0x07230203u) {
        snprintf(log, loglen, "mock: not SPIR-V (magic 0x%08x)", nwords ? w[0] : 0u);
        return ZE_RESULT_ERROR_MODULE_BUILD_FAILURE;
    }
    uint32_t bound = w[3];
    spv_type *types = calloc(bound, sizeof *types);
    m->entries = calloc(64, sizeof *m->entries);
    if (!types || !m->entries) {
        free(types);
        return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
    }
    mock_entry *current = NULL;
    for (size_t i = 5; i < nwords;) {
        uint32_t count = w[i] >> 16, op = w[i] & 0xFFFFu;
        if (count == 0 || i + count > nwords) break;
        const uint32_t *a = &w[i + 1];
        if (op == OP_ENTRY_POINT && m->nentries < 64) {
            mock_entry *e = &m->entries[m->nentries++];
            e->function_id = a[1];
            snprintf(e->name, sizeof e->name, "%s", (const char *)&a[2]);
        } else if (op == OP_EXECUTION_MODE && a[1] == MODE_LOCAL_SIZE) {
            for (int k = 0; k < m->nentries; k++)
                if (m->entries[k].function_id == a[0]) memcpy(m->entries[k].local_size, &a[2], 12);
        } else if (op == OP_TYPE_INT && a[0] < bound) {
            types[a[0]].size = a[1] / 8;
        } else if (op == OP_TYPE_FLOAT && a[0] < bound) {
            types[a[0]].size = a[1] / 8;
        } else if (op == OP_TYPE_VECTOR && a[0] < bound && a[1] < bound) {
            uint32_t n = a[2] == 3 ? 4 : a[2]; /* 3-component vectors take 4 slots */
            types[a[0]].size = types[a[1]].size * n;
        } else if (op == OP_TYPE_POINTER && a[0] < bound) {
            types[a[0]].size = 8;
            types[a[0]].is_pointer = 1;
            types[a[0]].storage_class = a[1];
        } else if (op == OP_FUNCTION) {
            current = NULL;
            for (int k = 0; k < m->nentries; k++)
                if (m->entries[k].function_id == a[1]) current = &m->entries[k];
        } else if (op == OP_FUNCTION_PARAMETER && current && current->nparams < MOCK_MAX_PARAMS &&
                   a[0] < bound) {
            mock_param *p = &current->params[current->nparams++];
            p->type_id = a[0];
            p->size = types[a[0]].size;
            p->is_local = types[a[0]].is_pointer && types[a[0]].storage_class == SC_WORKGROUP;
            p->is_global = types[a[0]].is_pointer && (types[a[0]].storage_class == SC_CROSS_WORKGROUP ||
                                                      types[a[0]].storage_class == SC_GENERIC);
        }
        i += count;
    }
    free(types);
    if (m->nentries == 0) {
        snprintf(log, loglen, "mock: no OpEntryPoint in the module");
        return ZE_RESULT_ERROR_MODULE_BUILD_FAILURE;
    }
    return ZE_RESULT_SUCCESS;
}

MOCK_EXPORT ze_result_t zeModuleCreate(ze_context_handle_t c, ze_device_handle_t d,
                                       const ze_module_desc_t *desc, ze_module_handle_t *out,
                                       ze_module_build_log_handle_t *log_out) {
    (void)c;
    (void)d;
    ze_module_build_log_handle_t log = mock_new(sizeof *log);
    if (log_out) *log_out = log;
    ze_result_t r = ZE_RESULT_ERROR_INVALID_ENUMERATION;
    ze_module_handle_t m = NULL;
    if (desc->format == ZE_MODULE_FORMAT_IL_SPIRV) {
        m = mock_new(sizeof *m);
        uint32_t *words = malloc(desc->inputSize + 4);
        memcpy(words, desc->pInputModule, desc->inputSize);
        r = module_parse(words, desc->inputSize / 4, m, log->text, sizeof log->text);
        free(words);
#ifdef MOCK_ZE_EXECUTE
        if (r == ZE_RESULT_SUCCESS) {
            m->cl_program = mockcl_program_for_spirv(desc->pInputModule, desc->inputSize, log->text,
                                                     sizeof log->text);
            if (!m->cl_program) r = ZE_RESULT_ERROR_MODULE_BUILD_FAILURE;
        }
#endif
    }
    if (!log_out) mock_delete(log);
    if (r != ZE_RESULT_SUCCESS) {
        if (m) free(m->entries);
        mock_delete(m);
        return r;
    }
    *out = m;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeModuleDestroy(ze_module_handle_t m) {
#ifdef MOCK_ZE_EXECUTE
    mockcl_program_release(m->cl_program);
#endif
    free(m->entries);
    mock_delete(m);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeModuleBuildLogGetString(ze_module_build_log_handle_t log, size_t *size, char *out) {
    if (out) snprintf(out, *size, "%s", log->text);
    *size = strlen(log->text) + 1;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeModuleBuildLogDestroy(ze_module_build_log_handle_t log) {
    mock_delete(log);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeKernelCreate(ze_module_handle_t m, const ze_kernel_desc_t *desc,
                                       ze_kernel_handle_t *out) {
    for (int i = 0; i < m->nentries; i++) {
        if (strcmp(m->entries[i].name, desc->pKernelName) != 0) continue;
        *out = mock_new(sizeof **out);
        (*out)->entry = m->entries[i];
#ifdef MOCK_ZE_EXECUTE
        (*out)->cl_kernel = mockcl_kernel(m->cl_program, desc->pKernelName);
        if (!(*out)->cl_kernel) {
            mock_delete(*out);
            return ZE_RESULT_ERROR_INVALID_KERNEL_NAME;
        }
#endif
        return ZE_RESULT_SUCCESS;
    }
    return ZE_RESULT_ERROR_INVALID_KERNEL_NAME;
}
MOCK_EXPORT ze_result_t zeKernelDestroy(ze_kernel_handle_t k) {
#ifdef MOCK_ZE_EXECUTE
    mockcl_kernel_release(k->cl_kernel);
#endif
    mock_delete(k);
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeKernelSetGroupSize(ze_kernel_handle_t k, uint32_t x, uint32_t y, uint32_t z) {
    const uint32_t *req = k->entry.local_size;
    if (x == 0 || y == 0 || z == 0 || (req[0] && (req[0] != x || req[1] != y || req[2] != z)))
        return ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION;
    k->group[0] = x;
    k->group[1] = y;
    k->group[2] = z;
    k->group_set = 1;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeKernelSetArgumentValue(ze_kernel_handle_t k, uint32_t index, size_t size,
                                                 const void *value) {
    if ((int)index >= k->entry.nparams) return ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_INDEX;
    const mock_param *p = &k->entry.params[index];
    if (p->is_local) {
        if (value || size == 0) return ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE;
    } else {
        if (size != p->size || !value) return ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE;
        if (p->is_global) {
            void *ptr;
            memcpy(&ptr, value, sizeof ptr);
            if (ptr && usm_range(ptr, 1) != 1) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
        }
    }
    mock_arg_value *a = &k->args[index];
    a->kind = p->is_local ? 2 : p->is_global ? 1 : 0;
    a->size = size;
    memset(a->bytes, 0, sizeof a->bytes);
    if (value && size <= sizeof a->bytes) memcpy(a->bytes, value, size);
    k->set_mask |= 1ull << index;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zeCommandListAppendLaunchKernel(ze_command_list_handle_t l, ze_kernel_handle_t k,
                                                        const ze_group_count_t *groups,
                                                        ze_event_handle_t signal, uint32_t nwait,
                                                        ze_event_handle_t *wait) {
    (void)wait;
    uint64_t all = k->entry.nparams >= 64 ? UINT64_MAX : (1ull << k->entry.nparams) - 1u;
    if (nwait || !k->group_set || (k->set_mask & all) != all || !groups->groupCountX ||
        !groups->groupCountY || !groups->groupCountZ)
        return ZE_RESULT_ERROR_INVALID_ARGUMENT;
    launches++;
    snprintf(last_launch_name, sizeof last_launch_name, "%s", k->entry.name);
    last_launch_groups[0] = groups->groupCountX;
    last_launch_groups[1] = groups->groupCountY;
    last_launch_groups[2] = groups->groupCountZ;
    memcpy(last_launch_local, k->group, sizeof k->group);
    /* arguments are captured at append time, as in Level Zero */
    mock_launch *launch = malloc(sizeof *launch);
    if (!launch) return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
    launch->cl_kernel = k->cl_kernel;
    launch->nargs = k->entry.nparams;
    memcpy(launch->args, k->args, sizeof k->args);
    launch->groups[0] = groups->groupCountX;
    launch->groups[1] = groups->groupCountY;
    launch->groups[2] = groups->groupCountZ;
    memcpy(launch->local, k->group, sizeof k->group);
    return list_append(l, (mock_cmd){.kind = CMD_LAUNCH, .signal = signal, .launch = launch});
}

/* ---- sysman: one power domain (600 W sustained limit, 300 W between readings), one GPU frequency
 * domain at 1550 MHz capped by power, one 45 C sensor ---- */

static int sysman_object;
/* The power domains: stack 0's first (as a multi-stack device may list them), then the device's. */
static int stack_power_domain;
MOCK_EXPORT ze_result_t zesDeviceEnumPowerDomains(zes_device_handle_t d, uint32_t *count, zes_pwr_handle_t *out) {
    (void)d;
    if (out && *count >= 1) out[0] = (zes_pwr_handle_t)&stack_power_domain;
    if (out && *count >= 2) out[1] = (zes_pwr_handle_t)&sysman_object;
    *count = 2;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zesPowerGetProperties(zes_pwr_handle_t p, zes_power_properties_t *props) {
    props->onSubdevice = p == (zes_pwr_handle_t)&stack_power_domain;
    props->subdeviceId = 0;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zesPowerGetEnergyCounter(zes_pwr_handle_t p, zes_power_energy_counter_t *out) {
    (void)p;
    if (getenv("MOCK_ZE_NO_ENERGY")) return ZE_RESULT_ERROR_UNSUPPORTED_FEATURE; /* the tests' switch */
    if (p == (zes_pwr_handle_t)&stack_power_domain) return ZE_RESULT_ERROR_UNSUPPORTED_FEATURE;
    energy_uj += 300000000u; /* 300 J per 1 s between readings */
    energy_us += 1000000u;
    out->energy = energy_uj;
    out->timestamp = energy_us;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zesPowerGetLimits(zes_pwr_handle_t p, zes_power_sustained_limit_t *s,
                                          zes_power_burst_limit_t *b, zes_power_peak_limit_t *pk) {
    (void)b;
    (void)pk;
    if (s) {
        s->enabled = 1;
        s->power = p == (zes_pwr_handle_t)&stack_power_domain ? 300000 : 600000; /* mW */
    }
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zesDeviceEnumFrequencyDomains(zes_device_handle_t d, uint32_t *count, zes_freq_handle_t *out) {
    (void)d;
    if (out && *count >= 1) out[0] = (zes_freq_handle_t)&sysman_object;
    *count = 1;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zesFrequencyGetProperties(zes_freq_handle_t f, zes_freq_properties_t *p) {
    (void)f;
    p->type = ZES_FREQ_DOMAIN_GPU;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zesFrequencyGetState(zes_freq_handle_t f, zes_freq_state_t *s) {
    (void)f;
    s->actual = 1550.0;
    s->throttleReasons = ZES_FREQ_THROTTLE_REASON_FLAG_AVE_PWR_CAP;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zesDeviceEnumTemperatureSensors(zes_device_handle_t d, uint32_t *count, zes_temp_handle_t *out) {
    (void)d;
    if (out && *count >= 1) out[0] = (zes_temp_handle_t)&sysman_object;
    *count = 1;
    return ZE_RESULT_SUCCESS;
}
MOCK_EXPORT ze_result_t zesTemperatureGetState(zes_temp_handle_t t, double *c) {
    (void)t;
    *c = 45.0;
    return ZE_RESULT_SUCCESS;
}
