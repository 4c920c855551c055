/* Modules and kernels in the formats a device declares (accel_device_info.module_formats). */
#ifndef ACCEL_KERNEL_H
#define ACCEL_KERNEL_H

#include "accel/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct accel_module accel_module;
typedef struct accel_kernel accel_kernel;

/* options: compiler options for source formats ("-cl-fast-relaxed-math"), may be NULL. Build logs go
 * into accel_last_error() on failure. */
accel_status accel_module_load(accel_device *dev, accel_module_format format, const void *bytes,
                               size_t size, const char *options, accel_module **out_module);
/* Kernels taken from the module must be released first: while some are out, unload refuses
 * (ACCEL_ERR_INVALID_ARGUMENT, saying how many, also printed to stderr) and the module stays
 * loaded. NULL is a no-op. */
accel_status accel_module_unload(accel_module *module);
accel_status accel_kernel_get(accel_module *module, const char *name, accel_kernel **out_kernel);
void accel_kernel_release(accel_kernel *kernel);

typedef enum accel_arg_kind {
    ACCEL_ARG_BUFFER = 0, /* buffer + offset: a pointer/cl_mem as the kernel sees it */
    ACCEL_ARG_SCALAR = 1, /* value/size bytes copied at launch */
    ACCEL_ARG_LOCAL = 2   /* OpenCL __local of size bytes (GPU C/CPU: use shared_bytes instead) */
} accel_arg_kind;

typedef struct accel_kernel_arg {
    accel_arg_kind kind;
    accel_buffer_ref buffer; /* ACCEL_ARG_BUFFER */
    const void *value;       /* ACCEL_ARG_SCALAR */
    size_t size;             /* SCALAR: bytes of value; LOCAL: bytes of local memory */
} accel_kernel_arg;

static inline accel_kernel_arg accel_arg_buffer(accel_buffer *b, size_t offset) {
    accel_kernel_arg a = {ACCEL_ARG_BUFFER, {b, offset}, NULL, 0};
    return a;
}
static inline accel_kernel_arg accel_arg_scalar(const void *value, size_t size) {
    accel_kernel_arg a = {ACCEL_ARG_SCALAR, {NULL, 0}, value, size};
    return a;
}

/* grid is in work-groups (CUDA blocks), not threads; each of grid[i] and group[i] >= 1. */
accel_status accel_kernel_launch(accel_stream *stream, accel_kernel *kernel, const uint32_t grid[3],
                                 const uint32_t group[3], const accel_kernel_arg *args, size_t nargs,
                                 size_t shared_bytes);

#ifdef __cplusplus
}
#endif
#endif
