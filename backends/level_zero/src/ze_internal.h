/* Objects shared by the Level Zero backend's files. */
#ifndef ACCEL_ZE_INTERNAL_H
#define ACCEL_ZE_INTERNAL_H

#include <pthread.h>

#include "accel/plugin.h"
#include "ze_symbols.h"

#define ACCEL_ZE_MAX_DEVICES 64

typedef struct accel_ze_context {
    const accel_host_services *host;
    accel_ze_api api;
    int device_count;
    ze_driver_handle_t drivers[ACCEL_ZE_MAX_DEVICES]; /* the driver of each device */
    ze_device_handle_t devices[ACCEL_ZE_MAX_DEVICES];
} accel_ze_context;

typedef struct accel_ze_module accel_ze_module;
typedef struct accel_ze_stream accel_ze_stream;

typedef struct accel_ze_device {
    accel_ze_context *ctx;
    const accel_ze_api *api;
    const accel_host_services *host;
    ze_driver_handle_t driver;
    ze_device_handle_t device;
    ze_context_handle_t context;
    uint32_t compute_ordinal;     /* command queue group with COMPUTE (copies run there too) */
    size_t max_fill_pattern;      /* that group's largest zeCommandListAppendMemoryFill pattern */
    ze_api_version_t api_version; /* the driver's */
    ze_device_properties_t props;
    ze_device_module_properties_t module_props;
    ze_device_compute_properties_t compute_props;
    double ns_per_tick;           /* global timestamp tick */
    uint32_t timestamp_valid_bits;
    int immediate_lists;          /* 1 when immediate command lists work on this device */
    pthread_mutex_t lock;         /* guards streams and embedded modules */
    pthread_mutex_t launch_lock;  /* kernel arguments are state of the kernel: set+append is atomic */
    accel_ze_stream *streams;     /* every live stream, for device_synchronize */
    accel_ze_module **embedded;   /* lazily built module per accel_ze_kernel_images entry */
    /* sysman: the previous energy reading, so telemetry can report average power between calls */
    int have_energy;
    uint64_t last_energy_uj, last_energy_ts_us;
} accel_ze_device;

struct accel_ze_stream {
    accel_ze_device *dev;
    ze_command_list_handle_t list;
    ze_command_queue_handle_t queue; /* regular lists only */
    int immediate;
    int pending;                     /* regular lists: commands appended since the last submit */
    ze_event_pool_handle_t pool;     /* immediate lists: one event to wait for the tail */
    ze_event_handle_t tail_event;
    accel_ze_stream *next;
};

typedef struct accel_ze_buffer {
    void *ptr; /* USM pointer: device or host allocation */
    size_t bytes;
    accel_memory_kind kind;
} accel_ze_buffer;

typedef struct accel_ze_kernel {
    accel_ze_module *module;
    ze_kernel_handle_t kernel;
    char name[128];
} accel_ze_kernel;

#define ACCEL_ZE_MODULE_KERNEL_CACHE 32
struct accel_ze_module {
    accel_ze_device *dev;
    ze_module_handle_t module;
    /* Embedded modules keep their kernels until the device closes: a kernel must outlive every
     * command list that launched it, which a plan or a fill cannot know. */
    accel_ze_kernel *cached[ACCEL_ZE_MODULE_KERNEL_CACHE];
    size_t ncached;
};

/* Every vendor failure goes through here: "zeMemAllocDevice: ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY
 * (0x70000003)". Out-of-memory results map to ACCEL_ERR_OUT_OF_MEMORY. */
accel_status accel_ze_fail(const accel_host_services *host, const char *call, ze_result_t result);

/* Collective slots (ze_comm.c): oneCCL probed, unsupported with the reason. */
accel_status accel_ze_comm_library(void *ctx, char *buf, size_t len);
accel_status accel_ze_comm_unique_id(void *ctx, void *id, size_t id_capacity, size_t *id_bytes);
accel_status accel_ze_comm_init_rank(void *dev, int nranks, int rank, const void *id, size_t id_bytes, void **comm);
void accel_ze_comm_destroy(void *comm);
accel_status accel_ze_comm_collective(void *comm, void *stream, const accel_plugin_collective *c);
#define ACCEL_ZE_CHECK(dev, call, expr)                                                            \
    do {                                                                                           \
        ze_result_t accel_ze_result_ = (expr);                                                     \
        if (accel_ze_result_ != ZE_RESULT_SUCCESS)                                                 \
            return accel_ze_fail((dev)->host, call, accel_ze_result_);                             \
    } while (0)

/* ze_device.c */
int accel_ze_device_is_integrated(const accel_ze_device *dev);
/* 1 when stream is one of dev's live streams (a timer may outlive the stream it ended on). */
int accel_ze_stream_is_live(accel_ze_device *dev, const accel_ze_stream *stream);
accel_status accel_ze_device_open(void *ctx, int index, void **dev);
void accel_ze_device_close(void *dev);
accel_status accel_ze_device_info(void *dev, accel_device_info *info);
accel_status accel_ze_device_synchronize(void *dev);
/* ze_sysman.c */
accel_status accel_ze_device_telemetry(void *dev, accel_device_telemetry *out);
double accel_ze_power_limit_w(accel_ze_device *dev);
/* ze_memory.c */
accel_status accel_ze_buffer_alloc(void *dev, size_t bytes, accel_memory_kind kind, void **buf,
                                   void **host_ptr);
void accel_ze_buffer_free(void *dev, void *buf);
accel_status accel_ze_buffer_write(void *stream, void *dst, size_t dst_offset, const void *src,
                                   size_t bytes);
accel_status accel_ze_buffer_read(void *stream, void *src, size_t src_offset, void *dst,
                                  size_t bytes);
accel_status accel_ze_buffer_copy(void *stream, void *dst, size_t dst_offset, void *src,
                                  size_t src_offset, size_t bytes);
accel_status accel_ze_buffer_fill(void *stream, void *dst, size_t dst_offset, size_t bytes,
                                  const void *pattern, size_t pattern_size);
/* ze_stream.c */
accel_status accel_ze_stream_create(void *dev, void **stream);
void accel_ze_stream_destroy(void *stream);
accel_status accel_ze_stream_synchronize(void *stream);
/* Called after every appended command: a barrier keeps the stream in order (Level Zero lists are not
 * ordered by themselves). */
accel_status accel_ze_stream_appended(accel_ze_stream *stream);
/* Makes sure what was appended is submitted and finished (regular lists), so host waits on events
 * signalled in it can complete. */
accel_status accel_ze_stream_flush(accel_ze_stream *stream);
accel_status accel_ze_event_pool_single(accel_ze_device *dev, ze_event_pool_handle_t *pool,
                                        ze_event_handle_t *event);
/* ze_event.c */
accel_status accel_ze_event_create(void *dev, void **event);
void accel_ze_event_destroy(void *event);
accel_status accel_ze_event_record(void *event, void *stream);
accel_status accel_ze_stream_wait_event(void *stream, void *event);
accel_status accel_ze_event_synchronize(void *event);
/* ze_timer.c */
accel_status accel_ze_timer_create(void *dev, void **timer);
void accel_ze_timer_destroy(void *timer);
accel_status accel_ze_timer_begin(void *timer, void *stream);
accel_status accel_ze_timer_end(void *timer, void *stream);
accel_status accel_ze_timer_elapsed_ms(void *timer, double *ms);
accel_status accel_ze_timer_properties(void *dev, double *resolution_ns, const char **name);
/* ze_kernel.c */
accel_status accel_ze_module_load(void *dev, accel_module_format format, const void *bytes,
                                  size_t size, const char *options, void **module);
void accel_ze_module_unload(void *module);
accel_status accel_ze_kernel_get(void *module, const char *name, void **kernel);
void accel_ze_kernel_release(void *kernel);
accel_status accel_ze_kernel_launch(void *stream, void *kernel, const uint32_t grid[3],
                                    const uint32_t group[3], const accel_plugin_arg *args,
                                    size_t nargs, size_t shared_bytes);
/* The module built from an embedded image (by .cl stem), built on first use and kept until the device
 * closes; UNIMPLEMENTED with the reason when the build had no such image or could not compile it. */
accel_status accel_ze_embedded_module(accel_ze_device *dev, const char *image, accel_ze_module **out);
/* A kernel of an embedded module, created once and kept with it (do not release). */
accel_status accel_ze_embedded_kernel(accel_ze_device *dev, const char *image, const char *kernel,
                                      accel_ze_kernel **out);
/* ze_ops.c */
accel_status accel_ze_op_plan_create(void *dev, const accel_op_desc *desc, void **plan,
                                     accel_plugin_plan_info *info);
void accel_ze_op_plan_destroy(void *plan);
accel_status accel_ze_op_plan_execute(void *plan, void *stream, const accel_plugin_ref *operands,
                                      size_t noperands, accel_plugin_ref workspace);

#endif
