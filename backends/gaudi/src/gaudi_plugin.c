/* The plugin's one exported symbol and its slot table. The kernel slots stay empty: a Gaudi runs
 * TPC kernels built by Intel's TPC toolchain (tpc-clang) into glue-code libraries, not modules
 * loaded through this API, so the device declares no module format (its notes say why). */
#include "gaudi_internal.h"

static const accel_backend_ops gaudi_ops = {
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(accel_backend_ops),
    .name = "gaudi",
    .version = "gaudi-backend 0.1 (SynapseAI graph API, HLML)",
    .init = accel_gaudi_init,
    .shutdown = accel_gaudi_shutdown,
    .device_open = accel_gaudi_device_open,
    .device_close = accel_gaudi_device_close,
    .device_info = accel_gaudi_device_info,
    .device_synchronize = accel_gaudi_device_synchronize,
    .device_telemetry = accel_gaudi_device_telemetry,
    .buffer_alloc = accel_gaudi_buffer_alloc,
    .buffer_free = accel_gaudi_buffer_free,
    .stream_create = accel_gaudi_stream_create,
    .stream_destroy = accel_gaudi_stream_destroy,
    .stream_synchronize = accel_gaudi_stream_synchronize,
    .buffer_write = accel_gaudi_buffer_write,
    .buffer_read = accel_gaudi_buffer_read,
    .buffer_copy = accel_gaudi_buffer_copy,
    .buffer_fill = accel_gaudi_buffer_fill,
    .event_create = accel_gaudi_event_create,
    .event_destroy = accel_gaudi_event_destroy,
    .event_record = accel_gaudi_event_record,
    .stream_wait_event = accel_gaudi_stream_wait_event,
    .event_synchronize = accel_gaudi_event_synchronize,
    .timer_create = accel_gaudi_timer_create,
    .timer_destroy = accel_gaudi_timer_destroy,
    .timer_begin = accel_gaudi_timer_begin,
    .timer_end = accel_gaudi_timer_end,
    .timer_elapsed_ms = accel_gaudi_timer_elapsed_ms,
    .timer_properties = accel_gaudi_timer_properties,
    .op_plan_create = accel_gaudi_op_plan_create,
    .op_plan_destroy = accel_gaudi_op_plan_destroy,
    .op_plan_execute = accel_gaudi_op_plan_execute,
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned host_abi_major,
                                                                   const accel_host_services *host) {
    (void)host;
    return host_abi_major == ACCEL_PLUGIN_ABI_MAJOR ? &gaudi_ops : NULL;
}
