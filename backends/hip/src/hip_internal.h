/* The HIP plugin's objects and the helpers its slot files share. */
#ifndef ACCEL_HIP_INTERNAL_H
#define ACCEL_HIP_INTERNAL_H

#include "accel/plugin.h"
#include "hip_api.h"
#include "hip_blas.h"
#include "hip_smi.h"

#include <pthread.h>

typedef struct hip_ctx {
    const accel_host_services *host;
    hip_api api;
    int device_count;
    char driver_version[24];
    char runtime_version[24];
    pthread_mutex_t lock; /* guards the lazily opened libraries below */
    hip_blas blas;
    int blas_tried;
    hip_smi smi;
    int smi_tried;
    struct hip_rccl *rccl; /* RCCL, loaded by the first comm_* call (hip_comm.c) */
} hip_ctx;

enum { HIP_MAX_MODULES = 32 };

typedef struct hip_device {
    hip_ctx *ctx;
    int index;
    hipDevice_t handle;
    char name[128];
    char pci_bus_id[32];
    char arch[32];        /* "gfx942"; "" when unknown (then no GPU C modules or ops) */
    char arch_source[64]; /* how arch was found, for the notes */
    unsigned pci_device_id;
    int compute_units;
    pthread_mutex_t lock; /* guards the per-source module cache */
    hipModule_t modules[HIP_MAX_MODULES]; /* compiled shared sources, by hip_kernel_sources index */
} hip_device;

typedef struct hip_buffer {
    void *ptr;
    size_t bytes;
    accel_memory_kind kind;
} hip_buffer;

typedef struct hip_stream {
    hip_device *dev;
    hipStream_t stream;
} hip_stream;

/* Status and message for a failed HIP call: "hipMalloc: hipErrorOutOfMemory (2)". */
accel_status hip_fail(const hip_ctx *ctx, const char *what, hipError_t err);
/* Makes dev current on this thread (HIP's current device is per thread). */
accel_status hip_device_bind(hip_device *dev);

/* Packed kernel arguments, laid out as the kernel's parameter list (natural alignment). */
typedef struct hip_args {
    unsigned char bytes[512];
    size_t size;
    int overflow;
} hip_args;
void hip_args_push(hip_args *a, const void *value, size_t size, size_t align);
void hip_args_ptr(hip_args *a, const void *ptr);
accel_status hip_launch(hip_device *dev, hipStream_t stream, hipFunction_t fn, const uint32_t grid[3],
                        const uint32_t block[3], size_t shared_bytes, hip_args *args);

/* A function of one embedded shared source ("gemm.cu", "accel_gemm_f32"), compiling and loading
 * the source for this device's ISA on first use (through the on-disk cache). */
accel_status hip_device_function(hip_device *dev, const char *source, const char *kernel,
                                 hipFunction_t *fn);
void hip_device_unload_modules(hip_device *dev);

/* Opens rocBLAS/hipBLASLt and rocm-smi once per context. */
const hip_blas *hip_ctx_blas(hip_ctx *ctx);
const hip_smi *hip_ctx_smi(hip_ctx *ctx);

/* Slots. */
accel_status hip_device_open(void *ctx, int index, void **dev);
void hip_device_close(void *dev);
accel_status hip_device_info(void *dev, accel_device_info *info);
accel_status hip_device_synchronize(void *dev);
accel_status hip_device_telemetry(void *dev, accel_device_telemetry *out);

accel_status hip_buffer_alloc(void *dev, size_t bytes, accel_memory_kind kind, void **buf,
                              void **host_ptr);
void hip_buffer_free(void *dev, void *buf);
accel_status hip_stream_create(void *dev, void **stream);
void hip_stream_destroy(void *stream);
accel_status hip_stream_synchronize(void *stream);
accel_status hip_buffer_write(void *stream, void *dst, size_t dst_offset, const void *src,
                              size_t bytes);
accel_status hip_buffer_read(void *stream, void *src, size_t src_offset, void *dst, size_t bytes);
accel_status hip_peer_query(void *dev, void *peer, accel_peer_info *info);
accel_status hip_peer_enable(void *dev, void *peer);
accel_status hip_buffer_copy_peer(void *stream, void *dst_dev, void *dst, size_t dst_offset,
                                  void *src_dev, void *src, size_t src_offset, size_t bytes);
accel_status hip_buffer_copy(void *stream, void *dst, size_t dst_offset, void *src,
                             size_t src_offset, size_t bytes);
accel_status hip_buffer_fill(void *stream, void *dst, size_t dst_offset, size_t bytes,
                             const void *pattern, size_t pattern_size);
accel_status hip_event_create(void *dev, void **event);
void hip_event_destroy(void *event);
accel_status hip_event_record(void *event, void *stream);
accel_status hip_stream_wait_event(void *stream, void *event);
accel_status hip_event_synchronize(void *event);
accel_status hip_timer_create(void *dev, void **timer);
void hip_timer_destroy(void *timer);
accel_status hip_timer_begin(void *timer, void *stream);
accel_status hip_timer_end(void *timer, void *stream);
accel_status hip_timer_elapsed_ms(void *timer, double *ms);
accel_status hip_timer_properties(void *dev, double *resolution_ns, const char **name);
accel_status hip_stream_capture_begin(void *stream);
accel_status hip_stream_capture_end(void *stream, void **graph);
accel_status hip_graph_launch(void *graph, void *stream);
void hip_graph_destroy(void *graph);

accel_status hip_module_load(void *dev, accel_module_format format, const void *bytes, size_t size,
                             const char *options, void **module);
void hip_module_unload(void *module);
accel_status hip_kernel_get(void *module, const char *name, void **kernel);
void hip_kernel_release(void *kernel);
accel_status hip_kernel_launch(void *stream, void *kernel, const uint32_t grid[3],
                               const uint32_t group[3], const accel_plugin_arg *args, size_t nargs,
                               size_t shared_bytes);

accel_status hip_op_plan_create(void *dev, const accel_op_desc *desc, void **plan,
                                accel_plugin_plan_info *info);
void hip_op_plan_destroy(void *plan);
accel_status hip_op_plan_execute(void *plan, void *stream, const accel_plugin_ref *operands,
                                 size_t noperands, accel_plugin_ref workspace);

static inline void *hip_ref_ptr(accel_plugin_ref r) {
    return r.buffer ? (char *)((hip_buffer *)r.buffer)->ptr + r.offset : NULL;
}

#endif
