/* Plugin entry: loads libze_loader.so.1, initialises the driver, enumerates devices. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ze_internal.h"

#define ACCEL_ZE_DRIVER_HINT "no Level Zero driver: install intel-level-zero-gpu / intel-opencl-icd"

accel_status accel_ze_fail(const accel_host_services *host, const char *call, ze_result_t result) {
    accel_status status = ACCEL_ERR_DEVICE;
    if (result == ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY || result == ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY)
        status = ACCEL_ERR_OUT_OF_MEMORY;
    else if (result == ZE_RESULT_ERROR_UNSUPPORTED_FEATURE ||
             result == ZE_RESULT_ERROR_UNSUPPORTED_VERSION)
        status = ACCEL_ERR_UNIMPLEMENTED;
    return host->set_error(status, "%s: %s (0x%08x)", call, accel_ze_result_name(result),
                           (unsigned)result);
}

static accel_status ze_init(const accel_host_services *host, void **out_ctx, int *device_count,
                            char *reason, size_t reason_len) {
    *out_ctx = NULL;
    *device_count = 0;
    accel_ze_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        snprintf(reason, reason_len, "out of host memory");
        return ACCEL_ERR_OUT_OF_MEMORY;
    }
    ctx->host = host;
    accel_status status = accel_ze_api_load(&ctx->api, host, reason, reason_len);
    if (status != ACCEL_OK) {
        free(ctx);
        return status;
    }
    /* Sysman answers through core device handles only when this is set before zeInit (the loader's
     * zesInit is newer than 1.8). overwrite=0 keeps a user's explicit choice. */
    setenv("ZES_ENABLE_SYSMAN", "1", 0);
    ze_result_t r = ctx->api.zeInit(ZE_INIT_FLAG_GPU_ONLY);
    if (r != ZE_RESULT_SUCCESS) {
        /* Stop here: the 1.8 loader can crash in zeDriverGet after a failed zeInit. */
        snprintf(reason, reason_len, "zeInit(ZE_INIT_FLAG_GPU_ONLY): %s (0x%08x): %s (loader %s)",
                 accel_ze_result_name(r), (unsigned)r, ACCEL_ZE_DRIVER_HINT,
                 ctx->api.library_name);
        accel_ze_api_unload(&ctx->api);
        free(ctx);
        return ACCEL_ERR_UNAVAILABLE;
    }
    uint32_t ndrivers = 0;
    r = ctx->api.zeDriverGet(&ndrivers, NULL);
    ze_driver_handle_t drivers[16];
    if (r == ZE_RESULT_SUCCESS && ndrivers > 16) ndrivers = 16;
    if (r == ZE_RESULT_SUCCESS && ndrivers > 0) r = ctx->api.zeDriverGet(&ndrivers, drivers);
    if (r != ZE_RESULT_SUCCESS) {
        snprintf(reason, reason_len, "zeDriverGet: %s (0x%08x): %s", accel_ze_result_name(r),
                 (unsigned)r, ACCEL_ZE_DRIVER_HINT);
        accel_ze_api_unload(&ctx->api);
        free(ctx);
        return ACCEL_ERR_UNAVAILABLE;
    }
    for (uint32_t d = 0; d < ndrivers; d++) {
        uint32_t n = 0;
        if (ctx->api.zeDeviceGet(drivers[d], &n, NULL) != ZE_RESULT_SUCCESS || n == 0) continue;
        uint32_t room = (uint32_t)(ACCEL_ZE_MAX_DEVICES - ctx->device_count);
        if (n > room) n = room;
        r = ctx->api.zeDeviceGet(drivers[d], &n, &ctx->devices[ctx->device_count]);
        if (r != ZE_RESULT_SUCCESS) continue;
        for (uint32_t i = 0; i < n; i++) ctx->drivers[ctx->device_count + (int)i] = drivers[d];
        ctx->device_count += (int)n;
    }
    if (ctx->device_count == 0)
        snprintf(reason, reason_len, "no devices (%u Level Zero driver(s) report no GPU)", ndrivers);
    *device_count = ctx->device_count;
    *out_ctx = ctx;
    return ACCEL_OK;
}

static void ze_shutdown(void *opaque) {
    accel_ze_context *ctx = opaque;
    /* Level Zero has no zeFini: after a successful zeInit the driver keeps process-wide state, and
     * unloading it under that state (or initialising it again after a reload) is not something
     * drivers support. The loader stays mapped until the process exits; a later runtime gets the same
     * handle back from dlopen. */
    free(ctx);
}

static const accel_backend_ops ze_ops = {
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(accel_backend_ops),
    .name = "level_zero",
    .version = "Level Zero (SPIR-V from the OpenCL C kernels)",
    .init = ze_init,
    .shutdown = ze_shutdown,
    .device_open = accel_ze_device_open,
    .device_close = accel_ze_device_close,
    .device_info = accel_ze_device_info,
    .device_synchronize = accel_ze_device_synchronize,
    .device_telemetry = accel_ze_device_telemetry,
    .buffer_alloc = accel_ze_buffer_alloc,
    .buffer_free = accel_ze_buffer_free,
    .stream_create = accel_ze_stream_create,
    .stream_destroy = accel_ze_stream_destroy,
    .stream_synchronize = accel_ze_stream_synchronize,
    .buffer_write = accel_ze_buffer_write,
    .buffer_read = accel_ze_buffer_read,
    .buffer_copy = accel_ze_buffer_copy,
    .buffer_fill = accel_ze_buffer_fill,
    .event_create = accel_ze_event_create,
    .event_destroy = accel_ze_event_destroy,
    .event_record = accel_ze_event_record,
    .stream_wait_event = accel_ze_stream_wait_event,
    .event_synchronize = accel_ze_event_synchronize,
    .timer_create = accel_ze_timer_create,
    .timer_destroy = accel_ze_timer_destroy,
    .timer_begin = accel_ze_timer_begin,
    .timer_end = accel_ze_timer_end,
    .timer_elapsed_ms = accel_ze_timer_elapsed_ms,
    .timer_properties = accel_ze_timer_properties,
    .module_load = accel_ze_module_load,
    .module_unload = accel_ze_module_unload,
    .kernel_get = accel_ze_kernel_get,
    .kernel_release = accel_ze_kernel_release,
    .kernel_launch = accel_ze_kernel_launch,
    .op_plan_create = accel_ze_op_plan_create,
    .op_plan_destroy = accel_ze_op_plan_destroy,
    .op_plan_execute = accel_ze_op_plan_execute,
    /* Record/replay (a regular command list replayed) is a later item: slots left NULL. */
    .comm_library = accel_ze_comm_library,
    .comm_unique_id = accel_ze_comm_unique_id,
    .comm_init_rank = accel_ze_comm_init_rank,
    .comm_destroy = accel_ze_comm_destroy,
    .comm_collective = accel_ze_comm_collective,
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned host_abi_major,
                                                                   const accel_host_services *host) {
    (void)host;
    (void)host_abi_major; /* the host compares abi_major and reports both versions on a mismatch */
    return &ze_ops;
}
