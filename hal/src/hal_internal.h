/* libaccel's internal objects: thin wrappers that tie each plugin handle to its device, so the HAL
 * can check every argument before a plugin sees it. */
#ifndef ACCEL_HAL_INTERNAL_H
#define ACCEL_HAL_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>

#include "accel/plugin.h"

#define ACCEL_API __attribute__((visibility("default")))

/* Type tags catch a handle of one kind passed where another is expected. */
enum {
    TAG_DEVICE = 0x44455631u,
    TAG_BUFFER = 0x42554631u,
    TAG_STREAM = 0x53545231u,
    TAG_EVENT = 0x45564e31u,
    TAG_TIMER = 0x54494d31u,
    TAG_MODULE = 0x4d4f4431u,
    TAG_KERNEL = 0x4b524e31u,
    TAG_PLAN = 0x504c4e31u,
    TAG_GRAPH = 0x47525031u,
    TAG_COMM = 0x434f4d31u
};

/* One device of a loaded backend; opened once in the plugin however many accel_device handles
 * point at it, so buffers from two handles of the same hardware stay compatible. */
typedef struct hal_device_slot {
    void *handle; /* plugin device, NULL while closed */
    int opens;
    accel_device_info info;
} hal_device_slot;

typedef struct hal_backend {
    /* The plugin's table copied at load and zero-extended past its struct_size (types.h, growth),
     * so a slot the plugin's ABI minor lacks reads as NULL however it is reached. */
    const accel_backend_ops *ops;
    void *ctx;
    void *dl;
    int device_count;
    hal_device_slot *slots;
    struct accel_runtime *rt;
} hal_backend;

struct accel_runtime {
    accel_backend_report *reports;
    size_t report_count;
    hal_backend *backends;
    size_t backend_count;
    accel_host_services host;
    int debug;
    pthread_mutex_t lock;          /* device open/close, the slots and the open-device list */
    struct accel_device *devices;  /* open device handles: the runtime closes only without any */
};

/* What a device handle owns (device.h, ownership): it closes only when every count is 0. */
typedef enum hal_owned_kind {
    HAL_OWNED_BUFFER,
    HAL_OWNED_STREAM,
    HAL_OWNED_EVENT,
    HAL_OWNED_TIMER,
    HAL_OWNED_MODULE,
    HAL_OWNED_PLAN,
    HAL_OWNED_GRAPH,
    HAL_OWNED_COMM,
    HAL_OWNED_KINDS
} hal_owned_kind;

struct accel_device {
    uint32_t tag;
    accel_runtime *rt;
    hal_backend *be;
    hal_device_slot *slot;
    int index;
    char id[48];
    atomic_int owned[HAL_OWNED_KINDS];
    struct accel_device *prev, *next; /* in rt->devices */
};

struct accel_buffer {
    uint32_t tag;
    accel_device *dev;
    void *handle;
    size_t size;
    accel_memory_kind kind;
    void *host_ptr;
};

struct accel_stream {
    uint32_t tag;
    accel_device *dev;
    void *handle;
    int capturing;
    /* peer.c: a stream of the other device of a host-staged peer copy; destroyed with this one */
    struct accel_stream *staging;
};

struct accel_event {
    uint32_t tag;
    accel_device *dev;
    void *handle;
};

struct accel_timer {
    uint32_t tag;
    accel_device *dev;
    void *handle;
    int state; /* 0 idle, 1 begun, 2 ended */
};

struct accel_module {
    uint32_t tag;
    accel_device *dev;
    void *handle;
    atomic_int kernels_out;
};

struct accel_kernel {
    uint32_t tag;
    accel_module *module;
    void *handle;
};

struct accel_op_plan {
    uint32_t tag;
    accel_device *dev;
    void *handle;
    accel_op_desc desc;
    accel_plugin_plan_info info;
};

struct accel_graph {
    uint32_t tag;
    accel_device *dev;
    void *handle;
};

struct hal_host_comm; /* comm_mpi.c: the MPI host transport's state of one comm */

struct accel_comm {
    uint32_t tag;
    accel_device *dev;
    int rank, size;
    void *vendor;                /* the plugin's comm (a collective library), or NULL */
    struct hal_host_comm *host;  /* the MPI host transport, when vendor is NULL */
    char library[96];            /* what accel_comm_library answers */
};

/* One checked collective, as comm.c hands it to a transport. */
typedef struct hal_collective {
    accel_collective_kind kind;
    accel_buffer_ref send, recv;
    size_t count; /* as accel_plugin_collective.count */
    accel_dtype dtype;
    accel_reduce_op op;
    int peer_or_root;
} hal_collective;

/* comm_mpi.c (or comm_nompi.c in a build without MPI): the MPI side of comms. Every function sets
 * the error message when it fails; without MPI they all answer UNIMPLEMENTED with the build hint. */
accel_status hal_mpi_world_of(int *rank, int *size);  /* after accel_mpi_init */
accel_status hal_mpi_bcast_bytes(void *data, size_t bytes, int root);
accel_status hal_host_comm_create(accel_comm *comm);  /* fills comm->host and comm->library */
void hal_host_comm_destroy(accel_comm *comm);
accel_status hal_host_collective(accel_comm *comm, accel_stream *stream, const hal_collective *c);
accel_status hal_host_group_begin(void);
accel_status hal_host_group_end(void);

/* status.c */
accel_status hal_error(accel_status status, const char *fmt, ...) ACCEL_PRINTF_LIKE(2, 3);
accel_status hal_set_error_v(accel_status status, const char *fmt, va_list ap);
void hal_log(int level, const char *backend, const char *message);

/* The smallest size each public struct had (ABI 1.0): a caller built against that header passes it.
 * accel_runtime_options grew `refused` after its first release; accel_device_info grew
 * vendor_peak_fp8_tflops in 1.1, accel_device_telemetry energy_source in 1.2. */
#define HAL_OPTIONS_SIZE_1_0 offsetof(accel_runtime_options, refused)
#define HAL_DEVICE_INFO_SIZE_1_0 offsetof(accel_device_info, vendor_peak_fp8_tflops)
#define HAL_TELEMETRY_SIZE_1_0 offsetof(accel_device_telemetry, energy_source)

/* struct_size.c: the growth rule of types.h for the structs a caller hands libaccel.
 * Check: the caller's struct_size (its first field) is at least min_size, the 1.0 size. */
accel_status hal_struct_check(const void *caller, size_t known_size, size_t min_size,
                              const char *fn, const char *what);
/*
 * In: copies the caller's struct (its struct_size first) into *known (sizeof known_size), zero past
 * what the caller has; refuses a struct smaller than min_size, or one larger than known_size whose
 * extra bytes are not all zero (a request this libaccel cannot honour). */
accel_status hal_struct_in(void *known, size_t known_size, const void *caller, size_t min_size,
                           const char *fn, const char *what);
/* Out: fills the caller's struct (its struct_size first) from *known: the bytes both have, zeroes
 * the caller's bytes past known_size, and leaves its struct_size as the caller set it. Refuses a
 * struct smaller than min_size. */
accel_status hal_struct_out(void *caller, const void *known, size_t known_size, size_t min_size,
                            const char *fn, const char *what);

/* device.c: what a device handle still owns, as "2 buffers, 1 stream" (0 when nothing). */
int hal_device_owned_describe(accel_device *dev, char *buf, size_t len);
static inline void hal_device_adopt(accel_device *dev, hal_owned_kind k) {
    atomic_fetch_add_explicit(&dev->owned[k], 1, memory_order_relaxed);
}
static inline void hal_device_release(accel_device *dev, hal_owned_kind k) {
    atomic_fetch_sub_explicit(&dev->owned[k], 1, memory_order_relaxed);
}

/* loader.c: fills rt->reports and rt->backends. opts is NULL or a full-size (normalised) struct. */
accel_status hal_loader_discover(accel_runtime *rt, const accel_runtime_options *opts);
/* The files discover would try (after the filter), none loaded; rt only carries the debug flag. */
accel_status hal_loader_list(accel_runtime *rt, const accel_runtime_options *opts,
                             char ***out_paths, size_t *out_count);
void hal_loader_unload(accel_runtime *rt);

/* Same hardware, same plugin device: buffers and streams of such handles can meet. */
static inline int hal_same_device(const accel_device *a, const accel_device *b) {
    return a->slot == b->slot;
}

/* Range [offset, offset + bytes) inside a buffer of size `size`, without overflow. */
static inline int hal_range_ok(size_t size, size_t offset, size_t bytes) {
    return offset <= size && bytes <= size - offset;
}

/* An optional slot is callable when set: the loader's copy of the table is zero past what the
 * plugin's struct_size covers. */
#define HAL_HAS_SLOT(ops, slot) ((ops)->slot != NULL)

#define HAL_CHECK_HANDLE(h, TAG, what)                                                            \
    do {                                                                                          \
        if ((h) == NULL) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: " what " is NULL",   \
                                          __func__);                                              \
        if ((h)->tag != (TAG))                                                                    \
            return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: " what " is not a valid handle",    \
                             __func__);                                                           \
    } while (0)

#define HAL_CHECK_OUT(p)                                                                          \
    do {                                                                                          \
        if ((p) == NULL)                                                                          \
            return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: output pointer " #p " is NULL",    \
                             __func__);                                                           \
    } while (0)

#endif
