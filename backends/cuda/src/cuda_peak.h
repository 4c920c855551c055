/* Vendor peak numbers for the NVIDIA data-centre parts we target (pure lookup, unit-tested). */
#ifndef ACCEL_CUDA_PEAK_H
#define ACCEL_CUDA_PEAK_H

#include <stdint.h>

#include "accel/types.h"

/* Fills *out and returns 1 when (device name, SM count, memory bytes) is a known product; else
 * zeroes *out and returns 0. Dense figures (no 2:4 sparsity), boost clock, per GPU. */
int accel_cuda_peak_lookup(const char *device_name, int sm_count, uint64_t memory_bytes,
                           accel_peak_table *out);

/* Dense fp8 (e4m3) tensor-core peak in TFLOP/s of the same product (accel_device_info's
 * vendor_peak_fp8_tflops, plugin ABI 1.1); 0 when unknown or the part has no fp8 (A100). */
double accel_cuda_peak_fp8_tflops(const char *device_name, int sm_count, uint64_t memory_bytes);

#endif
