/* The plugin ABI (contract; docs/backends.md explains it step by step).
 *
 * A plugin is a shared library libaccel-backend-<name>.so exporting one C symbol:
 *
 *     const accel_backend_ops *accel_plugin_query_v1(unsigned host_abi_major,
 *                                                    const accel_host_services *host);
 *
 * returning a table whose first four fields are abi_major, abi_minor, struct_size and name. Rules:
 * - abi_major must equal the host's ACCEL_PLUGIN_ABI_MAJOR, or the plugin is reported INCOMPATIBLE
 *   with both versions and not used. A plugin may return NULL when it cannot serve host_abi_major.
 * - New slots are only ever appended (minor bump). The host copies struct_size bytes of the table
 *   and takes the slots past them as NULL (ignoring slots it does not know), and calls an optional
 *   slot only when it is non-NULL. Required slots are marked (R). accel_host_services grows the
 *   same way: read a field only when host->struct_size covers it (types.h, ACCEL_STRUCT_HAS).
 * - Plugin handles are opaque void*; the HAL wraps them and checks every argument before calling, so a
 *   plugin sees only non-NULL handles of its own, sizes > 0 and ranges inside buffers.
 * - Every failing slot returns a status and leaves a message through host->set_error(), naming the
 *   vendor's error code ("clEnqueueNDRangeKernel: CL_OUT_OF_RESOURCES (-5)").
 * - Vendor libraries are dlopen()ed by the plugin at init, never linked, so every plugin builds with
 *   headers only and loads on any machine; a missing one is reported by init with an install hint.
 * - The plugin must not call into libaccel: everything it needs from the host is in host services
 *   and in the inline helpers of the headers (accel_dtype_is_fp8, accel_op_kind_label, ...). Link
 *   with -Wl,--no-undefined to make the linker check it.
 *
 * Threads. The host calls slots from any thread; all a plugin may rely on is what it serialises:
 * - init and shutdown: once per context, with no other slot of that context running. Two runtimes
 *   in one process share the loaded plugin with a context each, so keep no mutable globals.
 * - device_open, device_close and device_info: one at a time per runtime (under its lock).
 * - op_plan_execute: one at a time per plan.
 * - the slots that enqueue on or wait for one stream (transfers, fills, kernel_launch,
 *   op_plan_execute, timer_begin/end, event_record, stream_wait_event, capture, stream_synchronize):
 *   one thread at a time per stream, because callers use a stream from one thread at a time.
 * Every other slot, and the same slots on distinct streams or plans, may run concurrently, also on
 *   one device: state shared by the objects of a device or context (allocators, caches, kernel
 *   tables, a vendor context made current per thread) must be thread-safe.
 */
#ifndef ACCEL_PLUGIN_H
#define ACCEL_PLUGIN_H

#include "accel/accel.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACCEL_PLUGIN_ABI_MAJOR 1u
/* 1.1 added: the fp8 storage types (ACCEL_DTYPE_F8_E4M3/E5M2), GEMM operands 5 and 6 (the fp8
 * scales; operand i exists only when i < noperands, and a 1.0 host passes 5) and
 * accel_device_info.vendor_peak_fp8_tflops (appended; write it only when info->struct_size covers
 * it). */
/* 1.2 added: the collective slots at the end of accel_backend_ops (comm_library ...
 * comm_collective) and accel_plugin_collective; a 1.0/1.1 table reads them as NULL, and such a
 * backend's devices get libaccel's MPI host transport (comm.h); and
 * accel_device_telemetry.energy_source (appended; write it only when out->struct_size covers it). */
/* 1.3 added: the peer slots at the end of accel_backend_ops (peer_query, peer_enable,
 * buffer_copy_peer; peer.h); a 1.0-1.2 table reads them as NULL, and copies between such a
 * plugin's devices are staged through host memory by the HAL when the caller allows it. */
/* 1.3 added: accel_attention_desc.causal (ops.h; the host refuses a causal attention to a plugin
 * older than 1.3, so a plugin of 1.3 or newer must honour the field or refuse the plan). */
/* 1.4 added: the constant-weights hints accel_gemm_desc.b_constant and
 * accel_conv2d_desc.w_constant (ops.h); an older plugin ignores them, which is always correct (it
 * reads the weights every run), so the host passes them to every plugin. */
#define ACCEL_PLUGIN_ABI_MINOR 4u
#define ACCEL_PLUGIN_QUERY_SYMBOL "accel_plugin_query_v1"

#if defined(__GNUC__)
#define ACCEL_PLUGIN_EXPORT __attribute__((visibility("default")))
#define ACCEL_PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define ACCEL_PLUGIN_EXPORT
#define ACCEL_PRINTF_LIKE(f, a)
#endif

enum { ACCEL_LOG_ERROR = 0, ACCEL_LOG_WARN = 1, ACCEL_LOG_INFO = 2, ACCEL_LOG_DEBUG = 3 };

typedef struct accel_host_services {
    unsigned abi_major, abi_minor;
    size_t struct_size; /* sizeof as the host was built: read a field only when it covers it */
    int debug; /* ACCEL_DEBUG or runtime option: plugins may trace their own dlopen attempts */
    /* Printed to stderr when level <= ERROR/WARN or debug is on. */
    void (*log)(int level, const char *backend, const char *message);
    /* Sets this thread's accel_last_error() message and returns status, so a slot can
     * `return host->set_error(ACCEL_ERR_DEVICE, "cuMemAlloc: %s (%d)", name, code);` */
    accel_status (*set_error)(accel_status status, const char *fmt, ...) ACCEL_PRINTF_LIKE(2, 3);
} accel_host_services;

typedef struct accel_plugin_ref {
    void *buffer; /* the plugin's own buffer handle; NULL = absent operand */
    size_t offset;
} accel_plugin_ref;

typedef struct accel_plugin_arg {
    accel_arg_kind kind;
    accel_plugin_ref buffer; /* BUFFER */
    const void *value;       /* SCALAR */
    size_t size;             /* SCALAR, LOCAL */
} accel_plugin_arg;

typedef struct accel_plugin_plan_info {
    size_t workspace_bytes;
    char library[64];
    char algorithm[192];
} accel_plugin_plan_info;

/* ABI 1.2: one collective for comm_collective (comm.h says what each kind reads and writes). The
 * refs are the plugin's own buffers, already checked by the host: ranges inside, same device as
 * the stream, counts > 0, dtype F32/BF16/F16, op SUM/AVG, peer_or_root a rank of the comm (the
 * root for BROADCAST, the peer for SEND/RECV, unused otherwise). SEND reads `send`, RECV writes
 * `recv`. In-place when send and recv are equal. */
typedef enum accel_collective_kind {
    ACCEL_COLL_ALL_REDUCE = 0,
    ACCEL_COLL_ALL_GATHER = 1,
    ACCEL_COLL_REDUCE_SCATTER = 2,
    ACCEL_COLL_BROADCAST = 3,
    ACCEL_COLL_ALLTOALL = 4,
    ACCEL_COLL_SEND = 5,
    ACCEL_COLL_RECV = 6,
    ACCEL_COLL_KIND_COUNT_
} accel_collective_kind;

/* The largest bootstrap id comm_unique_id may write (ncclUniqueId is 128 bytes). */
#define ACCEL_COMM_UNIQUE_ID_MAX 1024u

typedef struct accel_plugin_collective {
    accel_collective_kind kind;
    accel_plugin_ref send, recv;
    size_t count; /* all_reduce/broadcast/send/recv: count; all_gather: send count;
                   * reduce_scatter: recv count; alltoall: count per peer */
    accel_dtype dtype;
    accel_reduce_op op;
    int peer_or_root;
} accel_plugin_collective;

typedef struct accel_backend_ops {
    unsigned abi_major;
    unsigned abi_minor;
    size_t struct_size; /* sizeof(accel_backend_ops) as the plugin was built */
    const char *name;   /* "cuda": must match the file name's <name> */
    const char *version;

    /* (R) Load vendor libraries and enumerate. ACCEL_OK with *device_count >= 0 (when 0, reason says
     * why: "no devices", "driver too old: found 12.2, need 13.0"); or UNAVAILABLE / INCOMPATIBLE with
     * reason ("libcuda.so.1: cannot open shared object file; install the NVIDIA driver"). The context
     * is kept only on ACCEL_OK. */
    accel_status (*init)(const accel_host_services *host, void **ctx, int *device_count,
                         char *reason, size_t reason_len);
    void (*shutdown)(void *ctx); /* (R) */

    accel_status (*device_open)(void *ctx, int index, void **dev); /* (R) */
    void (*device_close)(void *dev);                               /* (R) */
    /* (R) Fill info (struct_size already set; backend and index are filled by the host). */
    accel_status (*device_info)(void *dev, accel_device_info *info);
    accel_status (*device_synchronize)(void *dev);                        /* (R) */
    accel_status (*device_telemetry)(void *dev, accel_device_telemetry *out); /* optional */

    /* (R) host_ptr: host address for HOST_PINNED, and for DEVICE on unified-memory devices; else NULL */
    accel_status (*buffer_alloc)(void *dev, size_t bytes, accel_memory_kind kind, void **buf,
                                 void **host_ptr);
    void (*buffer_free)(void *dev, void *buf); /* (R) the host has synchronized the device first */

    accel_status (*stream_create)(void *dev, void **stream); /* (R) */
    void (*stream_destroy)(void *stream);                    /* (R) the host has synchronized it */
    accel_status (*stream_synchronize)(void *stream);        /* (R) */
    accel_status (*buffer_write)(void *stream, void *dst, size_t dst_offset, const void *src,
                                 size_t bytes); /* (R) */
    accel_status (*buffer_read)(void *stream, void *src, size_t src_offset, void *dst,
                                size_t bytes); /* (R) */
    accel_status (*buffer_copy)(void *stream, void *dst, size_t dst_offset, void *src,
                                size_t src_offset, size_t bytes); /* (R) */
    accel_status (*buffer_fill)(void *stream, void *dst, size_t dst_offset, size_t bytes,
                                const void *pattern, size_t pattern_size); /* (R) */

    accel_status (*event_create)(void *dev, void **event); /* optional (all four) */
    void (*event_destroy)(void *event);
    accel_status (*event_record)(void *event, void *stream);
    accel_status (*stream_wait_event)(void *stream, void *event);
    accel_status (*event_synchronize)(void *event);

    accel_status (*timer_create)(void *dev, void **timer); /* (R) timers */
    void (*timer_destroy)(void *timer);
    accel_status (*timer_begin)(void *timer, void *stream);
    accel_status (*timer_end)(void *timer, void *stream);
    accel_status (*timer_elapsed_ms)(void *timer, double *ms);
    accel_status (*timer_properties)(void *dev, double *resolution_ns, const char **name);

    /* optional: kernels (absent = no module formats) */
    accel_status (*module_load)(void *dev, accel_module_format format, const void *bytes,
                                size_t size, const char *options, void **module);
    void (*module_unload)(void *module);
    accel_status (*kernel_get)(void *module, const char *name, void **kernel);
    void (*kernel_release)(void *kernel);
    accel_status (*kernel_launch)(void *stream, void *kernel, const uint32_t grid[3],
                                  const uint32_t group[3], const accel_plugin_arg *args,
                                  size_t nargs, size_t shared_bytes);

    /* (R) ops; desc has passed the host's generic validation. UNIMPLEMENTED is a normal answer.
     * op_plan_execute gets every operand slot of the kind (absent ones {NULL, 0}); noperands says
     * how many the host passed, and operands[i] exists only when i < noperands: hosts before the
     * GEMM scale operands (ABI 1.0) passed 5 for GEMM, so read operands[5] only when noperands > 5
     * and operands[6] only when noperands > 6 (or copy the first noperands refs into a zeroed
     * ACCEL_OP_MAX_OPERANDS array first).
     * info belongs to the host and stays valid until op_plan_destroy; a plugin whose execute changes
     * course (an algorithm that failed to run, replaced by the next) may rewrite info->algorithm
     * from op_plan_execute so the plan says what really runs. The host never runs two
     * op_plan_execute calls of one plan at once (it serialises them), so state a plan shares
     * between executes needs no lock of the plugin's; different plans may execute concurrently. */
    accel_status (*op_plan_create)(void *dev, const accel_op_desc *desc, void **plan,
                                   accel_plugin_plan_info *info);
    void (*op_plan_destroy)(void *plan);
    accel_status (*op_plan_execute)(void *plan, void *stream, const accel_plugin_ref *operands,
                                    size_t noperands, accel_plugin_ref workspace);

    /* optional: record/replay */
    accel_status (*stream_capture_begin)(void *stream);
    accel_status (*stream_capture_end)(void *stream, void **graph);
    accel_status (*graph_launch)(void *graph, void *stream);
    void (*graph_destroy)(void *graph);

    /* ABI 1.2, optional: a vendor collective library (NCCL, RCCL, oneCCL). All of comm_library,
     * comm_unique_id, comm_init_rank, comm_destroy and comm_collective, or none (the group slots may
     * be NULL when the library needs no grouping). A backend without them gets libaccel's MPI host
     * transport (comm.h); one with them is never given the host transport, so a library that failed
     * to load makes comm_library answer UNAVAILABLE with why ("libnccl.so.2: not found in <places>")
     * and the HAL refuses its comms with that reason.
     * World comms: rank 0 calls comm_unique_id, the HAL broadcasts the id over MPI, and every rank
     * calls comm_init_rank. Local comms: comm_unique_id once, then comm_group_begin, comm_init_rank
     * for each device, comm_group_end (NCCL's single-thread multi-device init).
     * Threads: comm_init_rank and comm_collective of one comm from one thread at a time;
     * comm_group_begin/end bracket calls of the same thread. */
    /* Library name and version, "nccl 2.27.7", or UNAVAILABLE with the reason. */
    accel_status (*comm_library)(void *ctx, char *buf, size_t len);
    /* The bootstrap id (ncclUniqueId: 128 bytes) into id[0..id_capacity); *id_bytes its size. */
    accel_status (*comm_unique_id)(void *ctx, void *id, size_t id_capacity, size_t *id_bytes);
    accel_status (*comm_init_rank)(void *dev, int nranks, int rank, const void *id,
                                   size_t id_bytes, void **comm);
    void (*comm_destroy)(void *comm); /* the host has synchronized the device first */
    accel_status (*comm_group_begin)(void *ctx);
    accel_status (*comm_group_end)(void *ctx);
    /* One collective, enqueued on stream (a stream of the comm's device). */
    accel_status (*comm_collective)(void *comm, void *stream, const accel_plugin_collective *c);

    /* ABI 1.3, optional: pairs of this plugin's devices (peer.h), all three or none. The host has
     * checked that dev and peer (src_dev and dst_dev) are two distinct open devices of this plugin.
     * peer_query: info comes preset (link UNKNOWN, counts 0 / -1, detail ""); fill what the vendor
     * API says and name the calls in detail. peer_enable: enabling twice is not an error.
     * buffer_copy_peer: ranges inside their buffers, bytes > 0; stream is a stream of src_dev or
     * dst_dev; enqueued in order on it (cuMemcpyPeerAsync, hipMemcpyPeerAsync, ...). */
    accel_status (*peer_query)(void *dev, void *peer, accel_peer_info *info);
    accel_status (*peer_enable)(void *dev, void *peer);
    accel_status (*buffer_copy_peer)(void *stream, void *dst_dev, void *dst, size_t dst_offset,
                                     void *src_dev, void *src, size_t src_offset, size_t bytes);
} accel_backend_ops;

typedef const accel_backend_ops *(*accel_plugin_query_fn)(unsigned host_abi_major,
                                                          const accel_host_services *host);

#ifdef __cplusplus
}
#endif
#endif
