/* The CUDA plugin's handles. Every vendor call goes through ctx->cu / ctx->lt / ctx->nvml, the
 * dlopen()ed symbol tables hung off the plugin context. */
#ifndef ACCEL_CUDA_INTERNAL_H
#define ACCEL_CUDA_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "accel/plugin.h"
#include "cuda_cudnn_abi.h"
#include "cuda_nvrtc.h"
#include "cuda_symbols.h"

#define ACCEL_CUDA_MAX_MODULES 16

typedef struct accel_cuda_ctx {
    const accel_host_services *host;
    void *driver_lib;
    const char *driver_lib_name;
    accel_cuda_driver_table cu;
    int driver_version; /* 13000 = 13.0 */
    int device_count;
    int has_graphs;

    int nvrtc_ok; /* optional: GPU_C modules and our own kernels need it */
    accel_cuda_nvrtc nvrtc;
    char nvrtc_reason[256];

    int lt_ok; /* optional: GEMM library "cublaslt" */
    char lt_path[512];
    accel_cuda_cublaslt_table lt;
    size_t lt_version;
    char lt_reason[256];

    /* Library files found and refused while choosing NVRTC and cuBLASLt ("path (why); ..."). */
    char libs_refused[768];

    int nvml_ok; /* optional: telemetry */
    void *nvml_lib;
    accel_cuda_nvml_table nvml;

    char cache_dir[512]; /* compiled-kernel cache; "" = memory only */

    /* cuDNN, loaded by the first conv backward plan (cuda_conv_cudnn.c) under cudnn_lock:
     * cudnn_state 0 = not tried, 1 = loaded, -1 = unusable (cudnn_reason says why). */
    pthread_mutex_t cudnn_lock;
    int cudnn_state;
    accel_cuda_cudnn_table dnn;
    size_t cudnn_version;
    char cudnn_path[512];
    char cudnn_reason[640];

    /* NCCL, loaded by the first comm_* call (cuda_comm.c); comm_lock guards the loading. */
    pthread_mutex_t comm_lock;
    struct accel_cuda_comm_lib *comm_lib;
} accel_cuda_ctx;

typedef struct accel_cuda_device {
    accel_cuda_ctx *ctx;
    int index;
    CUdevice dev;
    CUcontext pctx; /* primary context, retained while open */
    char name[128];
    int sm;         /* compute capability as 90 for 9.0 */
    int sm_count;
    uint64_t memory_bytes;
    cublasLtHandle_t lt_handle; /* NULL without cuBLASLt */
    /* cuDNN handle, made by the first plan that uses it (under lock); dnn_tried with a NULL handle
     * means cudnnCreate failed, and dnn_reason says why. dnn_exec_lock pairs cudnnSetStream with
     * the call it is for: plans on different streams share the handle. */
    accel_cudnn_handle dnn_handle;
    int dnn_tried;
    char dnn_reason[256];
    pthread_mutex_t dnn_exec_lock;
    accel_nvml_device nvml_dev; /* NULL without NVML */
    /* Built-in kernel modules, compiled once per device (plan creation or first 8/16-byte fill). */
    pthread_mutex_t lock;
    struct {
        const char *source;
        CUmodule module;
    } modules[ACCEL_CUDA_MAX_MODULES];
    int nmodules;
} accel_cuda_device;

typedef struct accel_cuda_buffer {
    CUdeviceptr ptr; /* pinned host memory too: unified addressing makes it a device address */
    size_t bytes;
    int pinned;
    void *host;
} accel_cuda_buffer;

typedef struct accel_cuda_stream {
    accel_cuda_device *dev;
    CUstream stream;
} accel_cuda_stream;

typedef struct accel_cuda_event {
    accel_cuda_device *dev;
    CUevent event;
} accel_cuda_event;

typedef struct accel_cuda_timer {
    accel_cuda_device *dev;
    CUevent begin, end;
    int begun, ended;
} accel_cuda_timer;

typedef struct accel_cuda_module {
    accel_cuda_device *dev;
    CUmodule module;
} accel_cuda_module;

typedef struct accel_cuda_kernel {
    accel_cuda_module *module;
    CUfunction function;
} accel_cuda_kernel;

typedef struct accel_cuda_graph {
    accel_cuda_device *dev;
    CUgraph graph;
    CUgraphExec exec;
} accel_cuda_graph;

/* "CUDA_ERROR_OUT_OF_MEMORY" or "CUDA_ERROR_UNKNOWN_CODE". */
const char *accel_cuda_error_name(const accel_cuda_ctx *ctx, CUresult r);
/* ACCEL_OK for CUDA_SUCCESS; otherwise the mapped status with "what: NAME (code)" set as the
 * message. Sticky errors (CUDA_ERROR_ILLEGAL_ADDRESS ...) come back as ACCEL_ERR_DEVICE. */
accel_status accel_cuda_check(const accel_cuda_ctx *ctx, CUresult r, const char *what);
#define ACCEL_CUDA_CALL(ctx, call, name) accel_cuda_check((ctx), (ctx)->cu.call, name)
/* Makes the device's primary context current on this thread (every slot starts with it). */
accel_status accel_cuda_make_current(accel_cuda_device *dev);

static inline CUdeviceptr accel_cuda_ref_ptr(accel_plugin_ref ref) {
    return ref.buffer ? ((const accel_cuda_buffer *)ref.buffer)->ptr + ref.offset : 0;
}

/* Slots, grouped by file. */
accel_status accel_cuda_init(const accel_host_services *host, void **ctx, int *device_count,
                             char *reason, size_t reason_len);
void accel_cuda_shutdown(void *ctx);
/* "driver 12.4 (libcuda.so.1); NVRTC 12.4 (path; headers dir); cuBLASLt 12.4.5 (path); NVML: yes;
 * refused: path (why)": which runtime libraries serve this driver, and which were passed over. */
void accel_cuda_describe_libraries(const accel_cuda_ctx *ctx, char *text, size_t len);

accel_status accel_cuda_device_open(void *ctx, int index, void **dev);
void accel_cuda_device_close(void *dev);
accel_status accel_cuda_device_info(void *dev, accel_device_info *info);
accel_status accel_cuda_device_synchronize(void *dev);
accel_status accel_cuda_device_telemetry(void *dev, accel_device_telemetry *out);

accel_status accel_cuda_peer_query(void *dev, void *peer, accel_peer_info *info);
accel_status accel_cuda_peer_enable(void *dev, void *peer);
accel_status accel_cuda_buffer_copy_peer(void *stream, void *dst_dev, void *dst, size_t dst_offset,
                                         void *src_dev, void *src, size_t src_offset, size_t bytes);

void accel_cuda_nvml_load(accel_cuda_ctx *ctx);
void accel_cuda_nvml_unload(accel_cuda_ctx *ctx);
void accel_cuda_nvml_attach(accel_cuda_device *dev, const char *pci_bus_id);
double accel_cuda_nvml_power_limit_w(const accel_cuda_device *dev);

accel_status accel_cuda_buffer_alloc(void *dev, size_t bytes, accel_memory_kind kind, void **buf,
                                     void **host_ptr);
void accel_cuda_buffer_free(void *dev, void *buf);
accel_status accel_cuda_buffer_write(void *stream, void *dst, size_t dst_offset, const void *src,
                                     size_t bytes);
accel_status accel_cuda_buffer_read(void *stream, void *src, size_t src_offset, void *dst,
                                    size_t bytes);
accel_status accel_cuda_buffer_copy(void *stream, void *dst, size_t dst_offset, void *src,
                                    size_t src_offset, size_t bytes);
accel_status accel_cuda_buffer_fill(void *stream, void *dst, size_t dst_offset, size_t bytes,
                                    const void *pattern, size_t pattern_size);

accel_status accel_cuda_stream_create(void *dev, void **stream);
void accel_cuda_stream_destroy(void *stream);
accel_status accel_cuda_stream_synchronize(void *stream);
accel_status accel_cuda_event_create(void *dev, void **event);
void accel_cuda_event_destroy(void *event);
accel_status accel_cuda_event_record(void *event, void *stream);
accel_status accel_cuda_stream_wait_event(void *stream, void *event);
accel_status accel_cuda_event_synchronize(void *event);
accel_status accel_cuda_timer_create(void *dev, void **timer);
void accel_cuda_timer_destroy(void *timer);
accel_status accel_cuda_timer_begin(void *timer, void *stream);
accel_status accel_cuda_timer_end(void *timer, void *stream);
accel_status accel_cuda_timer_elapsed_ms(void *timer, double *ms);
accel_status accel_cuda_timer_properties(void *dev, double *resolution_ns, const char **name);
accel_status accel_cuda_stream_capture_begin(void *stream);
accel_status accel_cuda_stream_capture_end(void *stream, void **graph);
accel_status accel_cuda_graph_launch(void *graph, void *stream);
void accel_cuda_graph_destroy(void *graph);

accel_status accel_cuda_module_load(void *dev, accel_module_format format, const void *bytes,
                                    size_t size, const char *options, void **module);
void accel_cuda_module_unload(void *module);
accel_status accel_cuda_kernel_get(void *module, const char *name, void **kernel);
void accel_cuda_kernel_release(void *kernel);
accel_status accel_cuda_kernel_launch(void *stream, void *kernel, const uint32_t grid[3],
                                      const uint32_t group[3], const accel_plugin_arg *args,
                                      size_t nargs, size_t shared_bytes);
/* A kernel from the embedded sources ("layernorm.cu", "accel_layernorm_f16"), compiling the source
 * for this device on first use (memory and disk cache). Never call from an execute path. */
accel_status accel_cuda_builtin_function(accel_cuda_device *dev, const char *source,
                                         const char *entry, CUfunction *out);
void accel_cuda_builtin_modules_release(accel_cuda_device *dev);

/* Compile (or fetch from the caches) source for the device: *image is malloc'ed, loadable by
 * cuModuleLoadData. */
accel_status accel_cuda_compile_cached(accel_cuda_device *dev, const char *name, const char *source,
                                       const char *options, char **image, size_t *image_size);

accel_status accel_cuda_op_plan_create(void *dev, const accel_op_desc *desc, void **plan,
                                       accel_plugin_plan_info *info);
void accel_cuda_op_plan_destroy(void *plan);
accel_status accel_cuda_op_plan_execute(void *plan, void *stream, const accel_plugin_ref *operands,
                                        size_t noperands, accel_plugin_ref workspace);

#endif
