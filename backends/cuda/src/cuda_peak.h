/* Vendor peak numbers for the NVIDIA data-centre parts we target (pure lookup, unit-tested). */
#ifndef ACCEL_CUDA_PEAK_H
#define ACCEL_CUDA_PEAK_H

#include <stdint.h>

#include "accel/types.h"

/* Fills *out and returns 1 when (device name, SM count, memory bytes) is a known product; else
 * zeroes *out and returns 0. Dense figures (no 2:4 sparsity), boost clock, per GPU. */
int accel_cuda_peak_lookup(const char *device_name, int sm_count, uint64_t memory_bytes,
                           accel_peak_table *out);

#endif
