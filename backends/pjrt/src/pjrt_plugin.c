/* The pjrt backend: any PJRT plugin (libtpu, the JAX GPU plugins, an XLA CPU plugin) behind the HAL.
 * docs/backend-pjrt.md describes what it does and what it cannot. */
#include "pjrt_init.h"

static const accel_backend_ops pjrt_ops = {
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(accel_backend_ops),
    .name = "pjrt",
    .version = "pjrt " ACCEL_PJRT_BACKEND_VERSION " (PJRT C API 0.81+)",
    .init = pj_init,
    .shutdown = pj_shutdown,
    .device_open = pj_device_open,
    .device_close = pj_device_close,
    .device_info = pj_device_info,
    .device_synchronize = pj_device_synchronize,
    .buffer_alloc = pj_buffer_alloc,
    .buffer_free = pj_buffer_free,
    .stream_create = pj_stream_create,
    .stream_destroy = pj_stream_destroy,
    .stream_synchronize = pj_stream_synchronize,
    .buffer_write = pj_write,
    .buffer_read = pj_read,
    .buffer_copy = pj_copy,
    .buffer_fill = pj_fill,
    .event_create = pj_event_create,
    .event_destroy = pj_event_destroy,
    .event_record = pj_event_record,
    .stream_wait_event = pj_stream_wait_event,
    .event_synchronize = pj_event_synchronize,
    .timer_create = pj_timer_create,
    .timer_destroy = pj_timer_destroy,
    .timer_begin = pj_timer_begin,
    .timer_end = pj_timer_end,
    .timer_elapsed_ms = pj_timer_elapsed_ms,
    .timer_properties = pj_timer_properties,
    /* no kernel slots: XLA compiles whole programs from StableHLO and PJRT loads no kernel
     * binaries, so the HAL answers every accel_module_load with UNIMPLEMENTED (accepts: none) */
    .op_plan_create = pj_op_plan_create,
    .op_plan_destroy = pj_op_plan_destroy,
    .op_plan_execute = pj_op_plan_execute,
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned host_abi_major,
                                                                   const accel_host_services *host) {
    (void)host;
    return host_abi_major == ACCEL_PLUGIN_ABI_MAJOR ? &pjrt_ops : NULL;
}
