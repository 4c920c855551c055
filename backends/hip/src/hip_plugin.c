/* Plugin entry: init/shutdown (hipInit outcomes mapped to reasons) and the slot table. */
#define _POSIX_C_SOURCE 200809L
#include "hip_comm.h"
#include "hip_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

accel_status hip_fail(const hip_ctx *ctx, const char *what, hipError_t err) {
    accel_status st = err == hipErrorOutOfMemory ? ACCEL_ERR_OUT_OF_MEMORY : ACCEL_ERR_DEVICE;
    return ctx->host->set_error(st, "%s: %s (%d)", what, hip_api_error_name(&ctx->api, err),
                                (int)err);
}

/* 60140091 -> "6.1.40091" (HIP_VERSION encoding: major * 10^7 + minor * 10^5 + patch). */
static void format_hip_version(int v, char *out, size_t len) {
    if (v <= 0)
        snprintf(out, len, "unknown");
    else
        snprintf(out, len, "%d.%d.%d", v / 10000000, (v / 100000) % 100, v % 100000);
}

/* Why hipInit found nothing usable, with what the machine shows about the kernel driver. */
static void describe_kfd(char *out, size_t len) {
    if (access("/dev/kfd", F_OK) != 0)
        snprintf(out, len, "no /dev/kfd: the amdgpu kernel driver is not loaded or this is no AMD GPU host");
    else if (access("/dev/kfd", R_OK | W_OK) != 0)
        snprintf(out, len, "/dev/kfd is not accessible (%s): add the user to the render and video groups",
                 strerror(errno));
    else
        snprintf(out, len, "/dev/kfd is present");
}

static accel_status hip_init(const accel_host_services *host, void **out_ctx, int *device_count,
                             char *reason, size_t reason_len) {
    *out_ctx = NULL;
    *device_count = 0;
    hip_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        snprintf(reason, reason_len, "out of host memory");
        return ACCEL_ERR_OUT_OF_MEMORY;
    }
    ctx->host = host;
    const accel_dl_log log = {host, "hip"};
    accel_status st = hip_api_open(&ctx->api, &log, reason, reason_len);
    if (st != ACCEL_OK) {
        free(ctx);
        return st;
    }
    hip_api *api = &ctx->api;
    int v = 0;
    format_hip_version(api->runtime_version, ctx->runtime_version, sizeof ctx->runtime_version);
    char kfd[160];
    hipError_t err = api->hipInit(0);
    if (err == hipErrorInsufficientDriver) {
        snprintf(reason, reason_len,
                 "driver too old for HIP runtime %s (%s): hipInit: %s (%d); update amdgpu-dkms",
                 ctx->runtime_version, api->hip_lib_name, hip_api_error_name(api, err), (int)err);
        hip_api_close(api);
        free(ctx);
        return ACCEL_ERR_INCOMPATIBLE;
    }
    if (err != hipSuccess) {
        describe_kfd(kfd, sizeof kfd);
        snprintf(reason, reason_len, "no devices: hipInit: %s (%d) with %s %s; %s",
                 hip_api_error_name(api, err), (int)err, api->hip_lib_name, ctx->runtime_version, kfd);
    } else if ((err = api->hipGetDeviceCount(&ctx->device_count)) != hipSuccess ||
               ctx->device_count <= 0) {
        ctx->device_count = 0;
        describe_kfd(kfd, sizeof kfd);
        if (err == hipSuccess)
            snprintf(reason, reason_len, "no devices: hipGetDeviceCount found none; %s", kfd);
        else
            snprintf(reason, reason_len, "no devices: hipGetDeviceCount: %s (%d); %s",
                     hip_api_error_name(api, err), (int)err, kfd);
    }
    if (err == hipSuccess && api->hipDriverGetVersion(&v) == hipSuccess)
        format_hip_version(v, ctx->driver_version, sizeof ctx->driver_version);
    else
        snprintf(ctx->driver_version, sizeof ctx->driver_version, "unknown");
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        hip_api_close(api);
        free(ctx);
        snprintf(reason, reason_len, "pthread_mutex_init failed");
        return ACCEL_ERR_INTERNAL;
    }
    *device_count = ctx->device_count;
    *out_ctx = ctx;
    return ACCEL_OK;
}

static void hip_shutdown(void *p) {
    hip_ctx *ctx = p;
    if (!ctx)
        return;
    if (ctx->blas_tried)
        hip_blas_close(&ctx->blas);
    if (ctx->smi_tried)
        hip_smi_close(&ctx->smi);
    hip_comm_lib_free(ctx);
    pthread_mutex_destroy(&ctx->lock);
    hip_api_close(&ctx->api);
    free(ctx);
}

const hip_blas *hip_ctx_blas(hip_ctx *ctx) {
    pthread_mutex_lock(&ctx->lock);
    if (!ctx->blas_tried) {
        const accel_dl_log log = {ctx->host, "hip"};
        hip_blas_open(&ctx->blas, &log);
        ctx->blas_tried = 1;
    }
    pthread_mutex_unlock(&ctx->lock);
    return &ctx->blas;
}

const hip_smi *hip_ctx_smi(hip_ctx *ctx) {
    pthread_mutex_lock(&ctx->lock);
    if (!ctx->smi_tried) {
        const accel_dl_log log = {ctx->host, "hip"};
        hip_smi_open(&ctx->smi, &log);
        ctx->smi_tried = 1;
    }
    pthread_mutex_unlock(&ctx->lock);
    return &ctx->smi;
}

static const accel_backend_ops hip_ops = {
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(accel_backend_ops),
    .name = "hip",
    .version = "hip-backend 0.1 (ROCm 5/6; hiprtc, hipBLASLt, rocBLAS)",
    .init = hip_init,
    .shutdown = hip_shutdown,
    .device_open = hip_device_open,
    .device_close = hip_device_close,
    .device_info = hip_device_info,
    .device_synchronize = hip_device_synchronize,
    .device_telemetry = hip_device_telemetry,
    .buffer_alloc = hip_buffer_alloc,
    .buffer_free = hip_buffer_free,
    .stream_create = hip_stream_create,
    .stream_destroy = hip_stream_destroy,
    .stream_synchronize = hip_stream_synchronize,
    .buffer_write = hip_buffer_write,
    .buffer_read = hip_buffer_read,
    .buffer_copy = hip_buffer_copy,
    .buffer_fill = hip_buffer_fill,
    .event_create = hip_event_create,
    .event_destroy = hip_event_destroy,
    .event_record = hip_event_record,
    .stream_wait_event = hip_stream_wait_event,
    .event_synchronize = hip_event_synchronize,
    .timer_create = hip_timer_create,
    .timer_destroy = hip_timer_destroy,
    .timer_begin = hip_timer_begin,
    .timer_end = hip_timer_end,
    .timer_elapsed_ms = hip_timer_elapsed_ms,
    .timer_properties = hip_timer_properties,
    .module_load = hip_module_load,
    .module_unload = hip_module_unload,
    .kernel_get = hip_kernel_get,
    .kernel_release = hip_kernel_release,
    .kernel_launch = hip_kernel_launch,
    .op_plan_create = hip_op_plan_create,
    .op_plan_destroy = hip_op_plan_destroy,
    .op_plan_execute = hip_op_plan_execute,
    .stream_capture_begin = hip_stream_capture_begin,
    .stream_capture_end = hip_stream_capture_end,
    .graph_launch = hip_graph_launch,
    .graph_destroy = hip_graph_destroy,
    .comm_library = hip_comm_library,
    .comm_unique_id = hip_comm_unique_id,
    .comm_init_rank = hip_comm_init_rank,
    .comm_destroy = hip_comm_destroy,
    .comm_group_begin = hip_comm_group_begin,
    .comm_group_end = hip_comm_group_end,
    .comm_collective = hip_comm_collective,
    .peer_query = hip_peer_query,
    .peer_enable = hip_peer_enable,
    .buffer_copy_peer = hip_buffer_copy_peer,
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned host_abi_major,
                                                                   const accel_host_services *host) {
    (void)host;
    return host_abi_major == ACCEL_PLUGIN_ABI_MAJOR ? &hip_ops : NULL;
}
