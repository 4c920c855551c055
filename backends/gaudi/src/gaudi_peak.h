/* Vendor peak figures of Gaudi products (docs/backend-gaudi.md cites each). */
#ifndef ACCEL_GAUDI_PEAK_H
#define ACCEL_GAUDI_PEAK_H

#include "accel/types.h"
#include "gaudi_api.h"

/* Fills out for a known device type and returns 1, with the dense fp8 matrix figure in *fp8_tflops
 * (the peak table has no fp8 slot); 0 with out zeroed otherwise. */
int accel_gaudi_peak_lookup(synapse_device_type type, accel_peak_table *out, double *fp8_tflops);

/* "gaudi2", "gaudi3", or NULL for a type this backend does not drive. */
const char *accel_gaudi_isa_name(synapse_device_type type);

#endif
