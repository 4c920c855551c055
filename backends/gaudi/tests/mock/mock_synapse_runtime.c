/* Mock SynapseAI, runtime half: lifecycle, devices, memory, streams, events, copies and memsets,
 * on host memory. Test-only; never installed. Every call checks what the real runtime demands
 * (synInitialize first, an acquired device before memory, streams or events, DMA only from mapped
 * host memory into live device allocations) and counts a violation, printed to stderr, when the
 * plugin breaks a rule. Work runs at enqueue, so streams are always idle. Environment:
 *   MOCK_SYNAPSE_DEVICE   gaudi2 (default) | gaudi3
 *   MOCK_SYNAPSE_DEVICES  how many devices (default 1)
 *   MOCK_SYNAPSE_MODE     ok (default) | busy (another process holds every device) |
 *                         nodevice (synDeviceGetCount answers 0) | initfail (synInitialize fails)
 *   MOCK_SYNAPSE_VERSION  what synDriverGetVersion answers (default 1.18.0.524) */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mock_synapse.h"

pthread_mutex_t mock_lock = PTHREAD_MUTEX_INITIALIZER;
mock_synapse_report mock_stats;

#define MOCK_MAX_DEVICES 8
#define MOCK_MAX_ALLOCATIONS 4096
#define MOCK_DEVICE_ALLOC_LIMIT ((uint64_t)4 << 30) /* one host-backed allocation, at most */

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && v[0] ? v : fallback;
}

static int mode_is(const char *mode) { return strcmp(env_or("MOCK_SYNAPSE_MODE", "ok"), mode) == 0; }

static synapse_device_type device_type(void) {
    return strcmp(env_or("MOCK_SYNAPSE_DEVICE", "gaudi2"), "gaudi3") == 0 ? SYNAPSE_DEVICE_GAUDI3
                                                                          : SYNAPSE_DEVICE_GAUDI2;
}

static uint32_t device_count(void) {
    long n = strtol(env_or("MOCK_SYNAPSE_DEVICES", "1"), NULL, 10);
    return n < 0 ? 0 : n > MOCK_MAX_DEVICES ? MOCK_MAX_DEVICES : (uint32_t)n;
}

/* Module ids differ from indices and from device ids, so mixing them up is caught. */
static synapse_module_id module_of(uint32_t index) { return (index * 3 + 2) % 8; }

void mock_violation(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mock_stats.last_violation, sizeof mock_stats.last_violation, fmt, ap);
    va_end(ap);
    mock_stats.violations++;
    fprintf(stderr, "mock SynapseAI: %s\n", mock_stats.last_violation);
}

int mock_initialized(void) {
    if (!mock_stats.initialized) mock_violation("called before synInitialize (or after synDestroy)");
    return mock_stats.initialized;
}

MOCK_EXPORT const mock_synapse_report *mock_synapse_stats(void) { return &mock_stats; }

/* ---- devices ---- */

typedef struct mock_device {
    int acquired;
    synapse_device_id id;
    synapse_module_id module;
} mock_device;
static mock_device devices[MOCK_MAX_DEVICES];

static mock_device *acquired(synapse_device_id id) {
    for (uint32_t i = 0; i < MOCK_MAX_DEVICES; ++i)
        if (devices[i].acquired && devices[i].id == id) return &devices[i];
    mock_violation("device id %u is not acquired", (unsigned)id);
    return NULL;
}

MOCK_EXPORT synapse_status synDriverGetVersion(char *out, int len) {
    if (!out || len <= 0) return SYNAPSE_INVALID_ARGUMENT;
    snprintf(out, (size_t)len, "%s", env_or("MOCK_SYNAPSE_VERSION", "1.18.0.524"));
    return SYNAPSE_SUCCESS;
}

static void release_device_resources(synapse_device_id id);

static synapse_status initialize(void) {
    if (mode_is("initfail")) return SYNAPSE_FAIL;
    mock_stats.initialized = 1;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synInitialize(void) { LOCKED(initialize()); }

static synapse_status destroy(void) {
    if (!mock_initialized()) return SYNAPSE_UNINITIALIZED;
    for (uint32_t i = 0; i < MOCK_MAX_DEVICES; ++i)
        if (devices[i].acquired) {
            mock_violation("synDestroy with module %u still acquired", (unsigned)devices[i].module);
            release_device_resources(devices[i].id);
            devices[i].acquired = 0;
            mock_stats.acquired_devices--;
        }
    mock_stats.initialized = 0;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synDestroy(void) { LOCKED(destroy()); }

static synapse_status get_count(uint32_t *count) {
    if (!mock_initialized()) return SYNAPSE_UNINITIALIZED;
    *count = mode_is("nodevice") ? 0 : device_count();
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synDeviceGetCount(uint32_t *count) { LOCKED(get_count(count)); }

static synapse_status get_module_ids(uint32_t *ids, uint32_t *size) {
    if (!mock_initialized()) return SYNAPSE_UNINITIALIZED;
    const uint32_t n = mode_is("nodevice") ? 0 : device_count();
    if (*size < n) return SYNAPSE_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < n; ++i) ids[i] = module_of(i);
    *size = n;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synDeviceGetModuleIDs(uint32_t *ids, uint32_t *size) { LOCKED(get_module_ids(ids, size)); }

static synapse_status acquire(synapse_device_id *id, synapse_module_id module) {
    if (!mock_initialized()) return SYNAPSE_UNINITIALIZED;
    for (uint32_t i = 0; i < device_count(); ++i) {
        if (module_of(i) != module) continue;
        if (mode_is("busy") || devices[i].acquired) return SYNAPSE_DEVICE_ALREADY_ACQUIRED;
        devices[i].acquired = 1;
        devices[i].module = module;
        devices[i].id = 100 + i;
        *id = devices[i].id;
        mock_stats.acquired_devices++;
        return SYNAPSE_SUCCESS;
    }
    mock_violation("synDeviceAcquireByModuleId: no module %u (a device index passed as module id?)", (unsigned)module);
    return SYNAPSE_INVALID_ARGUMENT;
}
MOCK_EXPORT synapse_status synDeviceAcquireByModuleId(synapse_device_id *id, synapse_module_id module) {
    LOCKED(acquire(id, module));
}

static synapse_status release(synapse_device_id id) {
    if (!mock_initialized()) return SYNAPSE_UNINITIALIZED;
    mock_device *d = acquired(id);
    if (!d) return SYNAPSE_INVALID_ARGUMENT;
    release_device_resources(id);
    d->acquired = 0;
    mock_stats.acquired_devices--;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synDeviceRelease(synapse_device_id id) { LOCKED(release(id)); }

static uint64_t dram_size(void) {
    return device_type() == SYNAPSE_DEVICE_GAUDI3 ? (uint64_t)128e9 : (uint64_t)96e9;
}

static synapse_status get_info(synapse_device_id id, synapse_device_info *info) {
    if (!mock_initialized() || !acquired(id)) return SYNAPSE_INVALID_ARGUMENT;
    memset(info, 0, sizeof *info);
    const int gaudi3 = device_type() == SYNAPSE_DEVICE_GAUDI3;
    info->sram_size = gaudi3 ? 96u << 20 : 48u << 20;
    info->dram_size = dram_size();
    info->tpc_enabled_mask = gaudi3 ? ~0ull : (1ull << 24) - 1;
    info->dram_enabled = 1;
    info->device_id = id;
    info->device_type = device_type();
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synDeviceGetInfo(synapse_device_id id, synapse_device_info *info) {
    LOCKED(get_info(id, info));
}

static synapse_status get_name(char *name, int len, synapse_device_id id) {
    if (!mock_initialized() || !acquired(id)) return SYNAPSE_INVALID_ARGUMENT;
    snprintf(name, (size_t)len, "%s", device_type() == SYNAPSE_DEVICE_GAUDI3 ? "GAUDI3" : "GAUDI2");
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synDeviceGetName(char *name, int len, synapse_device_id id) { LOCKED(get_name(name, len, id)); }

static synapse_status get_pci(char *bus, int len, synapse_device_id id) {
    mock_device *d = mock_initialized() ? acquired(id) : NULL;
    if (!d) return SYNAPSE_INVALID_ARGUMENT;
    /* mock_hlml.c derives the same id from the module. */
    snprintf(bus, (size_t)len, "0000:%02x:00.0", 0x19 + 0x10 * (unsigned)d->module);
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synDeviceGetPCIBusId(char *bus, int len, synapse_device_id id) { LOCKED(get_pci(bus, len, id)); }

static synapse_status synchronize_device(synapse_device_id id) {
    return mock_initialized() && acquired(id) ? SYNAPSE_SUCCESS : SYNAPSE_INVALID_ARGUMENT;
}
MOCK_EXPORT synapse_status synDeviceSynchronize(synapse_device_id id) { LOCKED(synchronize_device(id)); }

/* ---- memory ---- */

typedef struct mock_allocation {
    int live, host;
    synapse_device_id device;
    void *data;
    uint64_t bytes;
} mock_allocation;
static mock_allocation allocations[MOCK_MAX_ALLOCATIONS];

static uint64_t allocated_bytes(synapse_device_id device) {
    uint64_t sum = 0;
    for (int i = 0; i < MOCK_MAX_ALLOCATIONS; ++i)
        if (allocations[i].live && !allocations[i].host && allocations[i].device == device) sum += allocations[i].bytes;
    return sum;
}

static synapse_status allocate(synapse_device_id device, uint64_t bytes, int host, void **out) {
    if (!mock_initialized() || !acquired(device)) return SYNAPSE_INVALID_ARGUMENT;
    if (bytes == 0) {
        mock_violation("allocation of 0 bytes");
        return SYNAPSE_INVALID_ARGUMENT;
    }
    if (bytes > MOCK_DEVICE_ALLOC_LIMIT || (!host && allocated_bytes(device) + bytes > dram_size()))
        return host ? SYNAPSE_OUT_OF_HOST_MEMORY : SYNAPSE_OUT_OF_DEVICE_MEMORY;
    for (int i = 0; i < MOCK_MAX_ALLOCATIONS; ++i) {
        if (allocations[i].live) continue;
        void *data = NULL;
        /* SynapseAI hands out 128-byte aligned device addresses. */
        if (posix_memalign(&data, 128, (size_t)bytes) != 0)
            return host ? SYNAPSE_OUT_OF_HOST_MEMORY : SYNAPSE_OUT_OF_DEVICE_MEMORY;
        /* Fresh device memory holds garbage; a plan that reads what it never wrote shows. */
        memset(data, 0xa5, (size_t)bytes);
        allocations[i] = (mock_allocation){1, host, device, data, bytes};
        if (host) mock_stats.live_host_allocations++;
        else mock_stats.live_device_allocations++;
        *out = data;
        return SYNAPSE_SUCCESS;
    }
    return SYNAPSE_OUT_OF_RESOURCES;
}

static synapse_status release_allocation(synapse_device_id device, uint64_t address, int host) {
    if (!mock_initialized() || !acquired(device)) return SYNAPSE_INVALID_ARGUMENT;
    for (int i = 0; i < MOCK_MAX_ALLOCATIONS; ++i) {
        mock_allocation *a = &allocations[i];
        if (!a->live || a->host != host || (uint64_t)(uintptr_t)a->data != address) continue;
        if (a->device != device) mock_violation("memory freed through device %u, allocated on %u", device, a->device);
        free(a->data);
        a->live = 0;
        if (host) mock_stats.live_host_allocations--;
        else mock_stats.live_device_allocations--;
        return SYNAPSE_SUCCESS;
    }
    mock_violation("%s free of 0x%llx: not the start of a live allocation", host ? "synHostFree" : "synDeviceFree",
                   (unsigned long long)address);
    return SYNAPSE_INVALID_ARGUMENT;
}

static int in_allocation(uint64_t address, uint64_t bytes, int host) {
    for (int i = 0; i < MOCK_MAX_ALLOCATIONS; ++i) {
        const mock_allocation *a = &allocations[i];
        const uint64_t base = (uint64_t)(uintptr_t)a->data;
        if (a->live && a->host == host && address >= base && bytes <= a->bytes && address - base <= a->bytes - bytes)
            return 1;
    }
    return 0;
}
int mock_device_range(uint64_t address, uint64_t bytes) { return in_allocation(address, bytes, 0); }
int mock_host_range(uint64_t address, uint64_t bytes) { return in_allocation(address, bytes, 1); }

static synapse_status device_malloc(synapse_device_id device, uint64_t bytes, uint64_t requested, uint32_t flags,
                                    uint64_t *out) {
    if (flags != 0 || requested != 0) mock_violation("synDeviceMalloc: flags and requested address must be 0 here");
    void *p = NULL;
    synapse_status s = allocate(device, bytes, 0, &p);
    if (s == SYNAPSE_SUCCESS) *out = (uint64_t)(uintptr_t)p;
    return s;
}
MOCK_EXPORT synapse_status synDeviceMalloc(synapse_device_id device, uint64_t bytes, uint64_t requested,
                                           uint32_t flags, uint64_t *out) {
    LOCKED(device_malloc(device, bytes, requested, flags, out));
}
MOCK_EXPORT synapse_status synDeviceFree(synapse_device_id device, uint64_t address, uint32_t flags) {
    (void)flags;
    LOCKED(release_allocation(device, address, 0));
}
MOCK_EXPORT synapse_status synHostMalloc(synapse_device_id device, uint64_t bytes, uint32_t flags, void **out) {
    (void)flags;
    LOCKED(allocate(device, bytes, 1, out));
}
MOCK_EXPORT synapse_status synHostFree(synapse_device_id device, const void *p, uint32_t flags) {
    (void)flags;
    LOCKED(release_allocation(device, (uint64_t)(uintptr_t)p, 1));
}

static synapse_status memory_info(synapse_device_id device, uint64_t *free_bytes, uint64_t *total) {
    if (!mock_initialized() || !acquired(device)) return SYNAPSE_INVALID_ARGUMENT;
    *total = dram_size();
    *free_bytes = *total - allocated_bytes(device);
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synDeviceGetMemoryInfo(synapse_device_id device, uint64_t *free_bytes, uint64_t *total) {
    LOCKED(memory_info(device, free_bytes, total));
}

/* ---- streams and events ---- */

struct synapse_stream_s {
    synapse_device_id device;
};

#define MOCK_MAX_OBJECTS 256
static struct synapse_stream_s *streams[MOCK_MAX_OBJECTS];

struct synapse_event_s {
    synapse_device_id device;
    uint32_t flags;
    const struct synapse_stream_s *recorded_on;
    uint64_t when_ns;
};
static struct synapse_event_s *events[MOCK_MAX_OBJECTS];

static int slot_of(void **table, const void *p) {
    for (int i = 0; p && i < MOCK_MAX_OBJECTS; ++i)
        if (table[i] == p) return i;
    return -1;
}

static int live_stream(struct synapse_stream_s *s) {
    if (slot_of((void **)streams, s) >= 0) return 1;
    mock_violation("stream %p is not live", (void *)s);
    return 0;
}

int mock_stream_device_type(struct synapse_stream_s *s, synapse_device_type *type) {
    if (!live_stream(s) || !acquired(s->device)) return 0;
    *type = device_type();
    return 1;
}

static synapse_status stream_create(struct synapse_stream_s **out, synapse_device_id device, uint32_t flags) {
    if (!mock_initialized() || !acquired(device)) return SYNAPSE_INVALID_ARGUMENT;
    if (flags != 0) mock_violation("synStreamCreateGeneric: flags must be 0");
    int i = 0;
    for (; i < MOCK_MAX_OBJECTS && streams[i]; ++i) {}
    if (i == MOCK_MAX_OBJECTS) return SYNAPSE_ALL_RESOURCES_TAKEN;
    streams[i] = calloc(1, sizeof *streams[i]);
    if (!streams[i]) return SYNAPSE_OUT_OF_HOST_MEMORY;
    streams[i]->device = device;
    mock_stats.live_streams++;
    *out = streams[i];
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synStreamCreateGeneric(struct synapse_stream_s **out, synapse_device_id device,
                                                  uint32_t flags) {
    LOCKED(stream_create(out, device, flags));
}

static synapse_status stream_destroy(struct synapse_stream_s *s) {
    int i = slot_of((void **)streams, s);
    if (!mock_initialized() || i < 0) {
        mock_violation("synStreamDestroy of a stream that is not live");
        return SYNAPSE_INVALID_ARGUMENT;
    }
    for (int e = 0; e < MOCK_MAX_OBJECTS; ++e)
        if (events[e] && events[e]->recorded_on == s) events[e]->recorded_on = NULL;
    free(s);
    streams[i] = NULL;
    mock_stats.live_streams--;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synStreamDestroy(struct synapse_stream_s *s) { LOCKED(stream_destroy(s)); }

static synapse_status stream_synchronize(struct synapse_stream_s *s) {
    return mock_initialized() && live_stream(s) ? SYNAPSE_SUCCESS : SYNAPSE_INVALID_ARGUMENT;
}
MOCK_EXPORT synapse_status synStreamSynchronize(struct synapse_stream_s *s) { LOCKED(stream_synchronize(s)); }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static synapse_status event_create(struct synapse_event_s **out, synapse_device_id device, uint32_t flags) {
    if (!mock_initialized() || !acquired(device)) return SYNAPSE_INVALID_ARGUMENT;
    if (flags & ~(uint32_t)SYNAPSE_EVENT_COLLECT_TIME) mock_violation("synEventCreate: unknown flags 0x%x", flags);
    int i = 0;
    for (; i < MOCK_MAX_OBJECTS && events[i]; ++i) {}
    if (i == MOCK_MAX_OBJECTS) return SYNAPSE_ALL_RESOURCES_TAKEN;
    events[i] = calloc(1, sizeof *events[i]);
    if (!events[i]) return SYNAPSE_OUT_OF_HOST_MEMORY;
    events[i]->device = device;
    events[i]->flags = flags;
    mock_stats.live_events++;
    *out = events[i];
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synEventCreate(struct synapse_event_s **out, synapse_device_id device, uint32_t flags) {
    LOCKED(event_create(out, device, flags));
}

static int live_event(struct synapse_event_s *e) {
    if (slot_of((void **)events, e) >= 0) return 1;
    mock_violation("event %p is not live", (void *)e);
    return 0;
}

static synapse_status event_destroy(struct synapse_event_s *e) {
    if (!mock_initialized() || !live_event(e)) return SYNAPSE_INVALID_ARGUMENT;
    events[slot_of((void **)events, e)] = NULL;
    free(e);
    mock_stats.live_events--;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synEventDestroy(struct synapse_event_s *e) { LOCKED(event_destroy(e)); }

static synapse_status event_record(struct synapse_event_s *e, struct synapse_stream_s *s) {
    if (!mock_initialized() || !live_event(e) || !live_stream(s)) return SYNAPSE_INVALID_ARGUMENT;
    if (e->device != s->device) {
        mock_violation("synEventRecord: event and stream of different devices");
        return SYNAPSE_INVALID_ARGUMENT;
    }
    e->recorded_on = s;
    e->when_ns = now_ns();
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synEventRecord(struct synapse_event_s *e, struct synapse_stream_s *s) {
    LOCKED(event_record(e, s));
}

static synapse_status wait_event(struct synapse_stream_s *s, struct synapse_event_s *e, uint32_t flags) {
    if (!mock_initialized() || !live_stream(s) || !live_event(e)) return SYNAPSE_INVALID_ARGUMENT;
    if (flags != 0 || e->recorded_on == s) {
        mock_violation("synStreamWaitEvent: flags must be 0 and the event from another stream");
        return SYNAPSE_INVALID_ARGUMENT;
    }
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synStreamWaitEvent(struct synapse_stream_s *s, struct synapse_event_s *e, uint32_t flags) {
    LOCKED(wait_event(s, e, flags));
}

static synapse_status event_synchronize(struct synapse_event_s *e) {
    return mock_initialized() && live_event(e) ? SYNAPSE_SUCCESS : SYNAPSE_INVALID_ARGUMENT;
}
MOCK_EXPORT synapse_status synEventSynchronize(struct synapse_event_s *e) { LOCKED(event_synchronize(e)); }

static synapse_status elapsed(uint64_t *ns, struct synapse_event_s *a, struct synapse_event_s *b) {
    if (!mock_initialized() || !live_event(a) || !live_event(b)) return SYNAPSE_INVALID_ARGUMENT;
    if (!(a->flags & SYNAPSE_EVENT_COLLECT_TIME) || !(b->flags & SYNAPSE_EVENT_COLLECT_TIME)) {
        mock_violation("synEventElapsedTime: events not created with EVENT_COLLECT_TIME");
        return SYNAPSE_INVALID_ARGUMENT;
    }
    if (!a->recorded_on || !b->recorded_on) return SYNAPSE_OBJECT_NOT_INITIALIZED;
    *ns = b->when_ns >= a->when_ns ? b->when_ns - a->when_ns : 0;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synEventElapsedTime(uint64_t *ns, struct synapse_event_s *a, struct synapse_event_s *b) {
    LOCKED(elapsed(ns, a, b));
}

/* Streams, events and memory of a device released (or still held at synDestroy). */
static void release_device_resources(synapse_device_id id) {
    for (int i = 0; i < MOCK_MAX_ALLOCATIONS; ++i)
        if (allocations[i].live && allocations[i].device == id) {
            free(allocations[i].data);
            allocations[i].live = 0;
            if (allocations[i].host) mock_stats.live_host_allocations--;
            else mock_stats.live_device_allocations--;
        }
    for (int i = 0; i < MOCK_MAX_OBJECTS; ++i) {
        if (streams[i] && streams[i]->device == id) {
            free(streams[i]);
            streams[i] = NULL;
            mock_stats.live_streams--;
        }
        if (events[i] && events[i]->device == id) {
            free(events[i]);
            events[i] = NULL;
            mock_stats.live_events--;
        }
    }
}

/* ---- copies and memsets: checked, then done at once ---- */

static synapse_status copy(struct synapse_stream_s *s, uint64_t src, uint64_t bytes, uint64_t dst,
                           synapse_dma_direction direction) {
    if (!mock_initialized() || !live_stream(s) || !acquired(s->device)) return SYNAPSE_INVALID_ARGUMENT;
    const int src_host = direction == SYNAPSE_HOST_TO_DRAM, dst_host = direction == SYNAPSE_DRAM_TO_HOST;
    if (direction < SYNAPSE_HOST_TO_DRAM || direction > SYNAPSE_DRAM_TO_DRAM || bytes == 0) {
        mock_violation("synMemCopyAsync: direction %d, %llu bytes", direction, (unsigned long long)bytes);
        return SYNAPSE_INVALID_ARGUMENT;
    }
    if (!in_allocation(src, bytes, src_host) || !in_allocation(dst, bytes, dst_host)) {
        mock_violation("synMemCopyAsync: %llu bytes from 0x%llx (%s) to 0x%llx (%s) leave the allocations (host "
                       "memory must come from synHostMalloc)",
                       (unsigned long long)bytes, (unsigned long long)src, src_host ? "host" : "device",
                       (unsigned long long)dst, dst_host ? "host" : "device");
        return SYNAPSE_INVALID_ARGUMENT;
    }
    memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, (size_t)bytes);
    mock_stats.copies++;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synMemCopyAsync(struct synapse_stream_s *s, uint64_t src, uint64_t bytes, uint64_t dst,
                                           synapse_dma_direction direction) {
    LOCKED(copy(s, src, bytes, dst, direction));
}

static synapse_status memset_device(uint64_t dst, const void *value, size_t width, uint64_t count,
                                    struct synapse_stream_s *s) {
    if (!mock_initialized() || !live_stream(s)) return SYNAPSE_INVALID_ARGUMENT;
    if (count == 0 || dst % width != 0 || !in_allocation(dst, count * width, 0)) {
        mock_violation("synMemsetD%zuAsync: %llu elements at 0x%llx (aligned to %zu, inside one allocation?)",
                       width * 8, (unsigned long long)count, (unsigned long long)dst, width);
        return SYNAPSE_INVALID_ARGUMENT;
    }
    for (uint64_t i = 0; i < count; ++i) memcpy((char *)(uintptr_t)dst + i * width, value, width);
    mock_stats.memsets++;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synMemsetD8Async(uint64_t dst, unsigned char v, uint64_t n, struct synapse_stream_s *s) {
    LOCKED(memset_device(dst, &v, 1, n, s));
}
MOCK_EXPORT synapse_status synMemsetD16Async(uint64_t dst, uint16_t v, uint64_t n, struct synapse_stream_s *s) {
    LOCKED(memset_device(dst, &v, 2, n, s));
}
MOCK_EXPORT synapse_status synMemsetD32Async(uint64_t dst, uint32_t v, uint64_t n, struct synapse_stream_s *s) {
    LOCKED(memset_device(dst, &v, 4, n, s));
}

MOCK_EXPORT synapse_status synStatusGetBriefDescription(synapse_status s, char *out, size_t len) {
    snprintf(out, len, "mock status %d", (int)s);
    return SYNAPSE_SUCCESS;
}
