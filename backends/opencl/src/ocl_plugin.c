/* Plugin entry: init/shutdown (library loading and device enumeration) and the ops table. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static accel_status ocl_enumerate(ocl_ctx *ctx, char *reason, size_t reason_len) {
    const ocl_api *cl = &ctx->cl;
    cl_uint nplat = 0;
    cl_int err = cl->clGetPlatformIDs(0, NULL, &nplat);
    if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && nplat == 0)) {
        snprintf(reason, reason_len,
                 "no OpenCL platform: clGetPlatformIDs: CL_PLATFORM_NOT_FOUND_KHR (-1001); no ICD "
                 "registered in /etc/OpenCL/vendors (or $OCL_ICD_VENDORS), install a driver, e.g. "
                 "pocl-opencl-icd");
        return ACCEL_OK;
    }
    if (err != CL_SUCCESS) {
        snprintf(reason, reason_len, "clGetPlatformIDs: %s (%d)", ocl_error_name(err), (int)err);
        return ACCEL_ERR_DEVICE;
    }
    cl_platform_id *plats = calloc(nplat, sizeof(*plats));
    if (!plats)
        return ACCEL_ERR_OUT_OF_MEMORY;
    err = cl->clGetPlatformIDs(nplat, plats, NULL);
    if (err != CL_SUCCESS) {
        free(plats);
        snprintf(reason, reason_len, "clGetPlatformIDs: %s (%d)", ocl_error_name(err), (int)err);
        return ACCEL_ERR_DEVICE;
    }
    for (cl_uint p = 0; p < nplat; p++) {
        cl_uint ndev = 0;
        err = cl->clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 0, NULL, &ndev);
        if (err != CL_SUCCESS || ndev == 0)
            continue; /* CL_DEVICE_NOT_FOUND: a platform with nothing on it */
        cl_device_id *ids = calloc(ndev, sizeof(*ids));
        ocl_device_ref *grown =
            realloc(ctx->devices, (size_t)(ctx->device_count + (int)ndev) * sizeof(*grown));
        if (!ids || !grown) {
            free(ids);
            if (grown)
                ctx->devices = grown;
            free(plats);
            return ACCEL_ERR_OUT_OF_MEMORY;
        }
        ctx->devices = grown;
        if (cl->clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, ndev, ids, NULL) == CL_SUCCESS) {
            for (cl_uint d = 0; d < ndev; d++) {
                ctx->devices[ctx->device_count].platform = plats[p];
                ctx->devices[ctx->device_count].device = ids[d];
                ctx->device_count++;
            }
        }
        free(ids);
    }
    if (ctx->device_count == 0)
        snprintf(reason, reason_len, "no devices: %u OpenCL platform(s) found, none has a device",
                 (unsigned)nplat);
    free(plats);
    return ACCEL_OK;
}

static void ocl_shutdown(void *p) {
    ocl_ctx *ctx = p;
    if (!ctx)
        return;
    free(ctx->devices);
    ocl_clblast_close(&ctx->clblast);
    ocl_api_close(&ctx->cl);
    free(ctx);
}

static accel_status ocl_init(const accel_host_services *host, void **out_ctx, int *device_count,
                             char *reason, size_t reason_len) {
    *out_ctx = NULL;
    *device_count = 0;
    if (reason_len)
        reason[0] = '\0';
    ocl_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return ACCEL_ERR_OUT_OF_MEMORY;
    ctx->host = host;
    const accel_dl_log log = {host, OCL_BACKEND_NAME};
    if (ocl_api_open(&ctx->cl, &log, reason, reason_len) != 0) {
        free(ctx);
        return ACCEL_ERR_UNAVAILABLE;
    }
    accel_status st = ocl_enumerate(ctx, reason, reason_len);
    if (st != ACCEL_OK) {
        ocl_shutdown(ctx);
        return st;
    }
    char why[256];
    if (ocl_clblast_open(&ctx->clblast, &log, why, sizeof(why)) != 0 && host->debug)
        host->log(ACCEL_LOG_DEBUG, OCL_BACKEND_NAME, why);
    *device_count = ctx->device_count;
    *out_ctx = ctx;
    return ACCEL_OK;
}

static const accel_backend_ops ocl_ops = {
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(accel_backend_ops),
    .name = OCL_BACKEND_NAME,
    .version = "accel-opencl 0.1 (OpenCL C kernels, optional CLBlast)",
    .init = ocl_init,
    .shutdown = ocl_shutdown,
    .device_open = ocl_device_open,
    .device_close = ocl_device_close,
    .device_info = ocl_device_info,
    .device_synchronize = ocl_device_synchronize,
    .device_telemetry = NULL,
    .buffer_alloc = ocl_buffer_alloc,
    .buffer_free = ocl_buffer_free,
    .stream_create = ocl_stream_create,
    .stream_destroy = ocl_stream_destroy,
    .stream_synchronize = ocl_stream_synchronize,
    .buffer_write = ocl_buffer_write,
    .buffer_read = ocl_buffer_read,
    .buffer_copy = ocl_buffer_copy,
    .buffer_fill = ocl_buffer_fill,
    .event_create = ocl_event_create,
    .event_destroy = ocl_event_destroy,
    .event_record = ocl_event_record,
    .stream_wait_event = ocl_stream_wait_event,
    .event_synchronize = ocl_event_synchronize,
    .timer_create = ocl_timer_create,
    .timer_destroy = ocl_timer_destroy,
    .timer_begin = ocl_timer_begin,
    .timer_end = ocl_timer_end,
    .timer_elapsed_ms = ocl_timer_elapsed_ms,
    .timer_properties = ocl_timer_properties,
    .module_load = ocl_module_load,
    .module_unload = ocl_module_unload,
    .kernel_get = ocl_kernel_get,
    .kernel_release = ocl_kernel_release,
    .kernel_launch = ocl_kernel_launch,
    .op_plan_create = ocl_op_plan_create,
    .op_plan_destroy = ocl_op_plan_destroy,
    .op_plan_execute = ocl_op_plan_execute,
    .stream_capture_begin = NULL,
    .stream_capture_end = NULL,
    .graph_launch = NULL,
    .graph_destroy = NULL,
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned host_abi_major,
                                                                   const accel_host_services *host) {
    (void)host;
    (void)host_abi_major; /* the host compares majors and reports a mismatch with both versions */
    return &ocl_ops;
}

accel_status ocl_fail(const ocl_device *dev, accel_status status, const char *what, cl_int code) {
    return dev->host->set_error(status, "%s: %s (%d)", what, ocl_error_name(code), (int)code);
}

accel_status ocl_status_of(cl_int code) {
    switch (code) {
    case CL_MEM_OBJECT_ALLOCATION_FAILURE:
    case CL_OUT_OF_HOST_MEMORY:
    case CL_INVALID_BUFFER_SIZE:
        return ACCEL_ERR_OUT_OF_MEMORY;
    default:
        return ACCEL_ERR_DEVICE;
    }
}
