/* Internal types of the OpenCL backend: context, device, stream, buffer, and helpers shared by the
 * source files. Only the plugin entry (ocl_plugin.c) is exported. */
#ifndef OCL_INTERNAL_H
#define OCL_INTERNAL_H

#include "ocl_api.h"
#include "ocl_clblast.h"

#include <accel/plugin.h>
#include <pthread.h>

#define OCL_BACKEND_NAME "opencl"

typedef struct ocl_device_ref {
    cl_platform_id platform;
    cl_device_id device;
} ocl_device_ref;

/* The plugin context: the dlopen'ed symbol tables and the enumerated devices. */
typedef struct ocl_ctx {
    const accel_host_services *host;
    ocl_api cl;
    ocl_clblast_api clblast; /* lib == NULL when CLBlast is not installed */
    int device_count;
    ocl_device_ref *devices;
} ocl_ctx;

/* Programs built for our own kernels, shared by every plan of a device (keyed by file + options). */
typedef struct ocl_program_entry {
    struct ocl_program_entry *next;
    char *key;
    cl_program program;
    char cache_state[8]; /* "hit", "miss", "off": how the disk cache answered when it was built */
} ocl_program_entry;

typedef struct ocl_stream ocl_stream;

typedef struct ocl_device {
    ocl_ctx *ctx;
    const ocl_api *cl;
    const accel_host_services *host;
    int index;
    cl_platform_id platform;
    cl_device_id id;
    cl_context context;
    cl_command_queue internal_queue; /* plan warm-up launches and host-pointer maps */
    cl_mem timer_scratch;            /* target of the tiny fills timers are made of */
    char name[128];
    char driver_version[64];
    char platform_version[128];
    cl_device_type type;
    size_t max_work_group;
    size_t max_work_item[3];
    cl_ulong local_mem;
    cl_ulong max_alloc;
    cl_uint base_addr_align_bytes;
    double timer_resolution_ns;
    cl_uint pref_vec_float; /* CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT */
    int has_fp16, has_fp64, has_spirv;
    /* CPU-type devices (PoCL) run on the host's cores: their roof is the host CPU's theoretical
     * peak (backends/common), computed once at open. Zeros for other devices. */
    accel_peak_table cpu_peak;
    double cpu_peak_fp8_tflops;
    char cpu_peak_how[256];
    pthread_mutex_t lock; /* guards streams and programs */
    ocl_stream *streams;
    ocl_program_entry *programs;
} ocl_device;

struct ocl_stream {
    ocl_device *dev;
    cl_command_queue queue;
    ocl_stream *next;
};

typedef struct ocl_buffer {
    cl_mem mem;
    size_t bytes;
    void *host_ptr; /* mapped once for HOST_PINNED */
} ocl_buffer;

/* Sets the host error "<what>: CL_NAME (code)" and returns status. */
accel_status ocl_fail(const ocl_device *dev, accel_status status, const char *what, cl_int code);
/* Maps a CL error to the closest accel status (allocation failures -> OUT_OF_MEMORY, else DEVICE). */
accel_status ocl_status_of(cl_int code);
#define OCL_CHECK(dev, what, expr)                                                                 \
    do {                                                                                           \
        cl_int ocl_check_err_ = (expr);                                                            \
        if (ocl_check_err_ != CL_SUCCESS)                                                          \
            return ocl_fail((dev), ocl_status_of(ocl_check_err_), (what), ocl_check_err_);        \
    } while (0)

/* Device lifetime and info (ocl_device.c). */
accel_status ocl_device_open(void *ctx, int index, void **dev);
void ocl_device_close(void *dev);
accel_status ocl_device_info(void *dev, accel_device_info *info);
accel_status ocl_device_synchronize(void *dev);

/* Memory and streams (ocl_memory.c), events and timers (ocl_event_timer.c). */
accel_status ocl_buffer_alloc(void *dev, size_t bytes, accel_memory_kind kind, void **buf,
                              void **host_ptr);
void ocl_buffer_free(void *dev, void *buf);
accel_status ocl_stream_create(void *dev, void **stream);
void ocl_stream_destroy(void *stream);
accel_status ocl_stream_synchronize(void *stream);
accel_status ocl_buffer_write(void *stream, void *dst, size_t dst_offset, const void *src,
                              size_t bytes);
accel_status ocl_buffer_read(void *stream, void *src, size_t src_offset, void *dst, size_t bytes);
accel_status ocl_buffer_copy(void *stream, void *dst, size_t dst_offset, void *src,
                             size_t src_offset, size_t bytes);
accel_status ocl_buffer_fill(void *stream, void *dst, size_t dst_offset, size_t bytes,
                             const void *pattern, size_t pattern_size);
accel_status ocl_event_create(void *dev, void **event);
void ocl_event_destroy(void *event);
accel_status ocl_event_record(void *event, void *stream);
accel_status ocl_stream_wait_event(void *stream, void *event);
accel_status ocl_event_synchronize(void *event);
accel_status ocl_timer_create(void *dev, void **timer);
void ocl_timer_destroy(void *timer);
accel_status ocl_timer_begin(void *timer, void *stream);
accel_status ocl_timer_end(void *timer, void *stream);
accel_status ocl_timer_elapsed_ms(void *timer, double *ms);
accel_status ocl_timer_properties(void *dev, double *resolution_ns, const char **name);

/* Programs: build from source with the per-device binary cache (ocl_program.c). cache_state gets
 * "hit", "miss" or "off". On a build failure the error names the CL code and quotes the log. */
accel_status ocl_program_build(ocl_device *dev, const char *source, size_t source_len,
                               const char *options, cl_program *out, char cache_state[8]);
/* Our embedded kernel files, built once per device and option set; the program stays owned by the
 * device. */
accel_status ocl_program_get(ocl_device *dev, const char *file, const char *options,
                             cl_program *out, const char **cache_state);
void ocl_programs_release(ocl_device *dev);
/* The embedded source of kernels/<file>.cl, or NULL (generated ocl_kernel_sources.c). */
const char *ocl_kernel_source(const char *file);

/* User kernels (ocl_module.c). */
accel_status ocl_module_load(void *dev, accel_module_format format, const void *bytes, size_t size,
                             const char *options, void **module);
void ocl_module_unload(void *module);
accel_status ocl_kernel_get(void *module, const char *name, void **kernel);
void ocl_kernel_release(void *kernel);
accel_status ocl_kernel_launch(void *stream, void *kernel, const uint32_t grid[3],
                               const uint32_t group[3], const accel_plugin_arg *args, size_t nargs,
                               size_t shared_bytes);

/* Ops: dispatch in ocl_ops.c, planners in ocl_op_gemm.c, ocl_op_gemm_clblast.c, ocl_op_conv.c,
 * ocl_op_misc.c. */
accel_status ocl_op_plan_create(void *dev, const accel_op_desc *desc, void **plan,
                                accel_plugin_plan_info *info);
void ocl_op_plan_destroy(void *plan);
accel_status ocl_op_plan_execute(void *plan, void *stream, const accel_plugin_ref *operands,
                                 size_t noperands, accel_plugin_ref workspace);

#endif
