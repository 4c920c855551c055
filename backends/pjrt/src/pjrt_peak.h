/* Vendor peak figures for the devices a PJRT plugin reports (pure lookup, unit-tested). */
#ifndef ACCEL_PJRT_PEAK_H
#define ACCEL_PJRT_PEAK_H

#include <stdint.h>

#include "accel/types.h"

/* platform "tpu": Google's published per-chip figures by device kind ("TPU v5 lite"); platform
 * "cuda": the NVIDIA table the cuda backend uses (device kind is the GPU name). 1 when known. */
int pj_peak_lookup(const char *platform, const char *device_kind, int core_count, uint64_t memory_bytes,
                   accel_peak_table *out);

#endif
