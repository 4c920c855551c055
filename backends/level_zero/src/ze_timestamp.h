/* Global-timestamp arithmetic (docs/backend-level-zero.md), kept free of Level Zero calls so it is
 * unit-tested on machines without a driver. */
#ifndef ACCEL_ZE_TIMESTAMP_H
#define ACCEL_ZE_TIMESTAMP_H

#include <stdint.h>

/* Nanoseconds per timer tick from ze_device_properties_t.timerResolution, which is cycles per
 * second when queried as ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES_1_2 (resolution_is_hz) and nanoseconds
 * per tick otherwise. 0 when the driver reports 0. */
double accel_ze_ns_per_tick(uint64_t timer_resolution, int resolution_is_hz);

/* Ticks from start to end on a counter with valid_bits significant bits (bits above are garbage and
 * the counter wraps at 2^valid_bits): (end - start) mod 2^valid_bits. valid_bits 0 or >= 64 means a
 * full 64-bit counter. */
uint64_t accel_ze_timestamp_ticks(uint64_t start, uint64_t end, uint32_t valid_bits);

/* Elapsed milliseconds between two raw global timestamps. */
double accel_ze_timestamp_elapsed_ms(uint64_t start, uint64_t end, uint32_t valid_bits,
                                     double ns_per_tick);

/* Execution units: numSlices * numSubslicesPerSlice * numEUsPerSubslice, saturating at UINT32_MAX. */
uint32_t accel_ze_eu_count(uint32_t slices, uint32_t subslices_per_slice, uint32_t eus_per_subslice);

#endif
