/* Op plans on the embedded SPIR-V kernels (filled in as the OpenCL kernel files land). */
#include "ze_internal.h"

accel_status accel_ze_op_plan_create(void *opaque_dev, const accel_op_desc *desc, void **plan,
                                     accel_plugin_plan_info *info) {
    accel_ze_device *dev = opaque_dev;
    (void)plan;
    (void)info;
    return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero: op kind %d not implemented",
                                (int)desc->kind);
}
void accel_ze_op_plan_destroy(void *plan) { (void)plan; }
accel_status accel_ze_op_plan_execute(void *plan, void *stream, const accel_plugin_ref *operands,
                                      size_t noperands, accel_plugin_ref workspace) {
    (void)plan; (void)stream; (void)operands; (void)noperands; (void)workspace;
    return ACCEL_ERR_INTERNAL;
}
