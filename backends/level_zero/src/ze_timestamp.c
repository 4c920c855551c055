#include "ze_timestamp.h"

double accel_ze_ns_per_tick(uint64_t timer_resolution, int resolution_is_hz) {
    if (timer_resolution == 0) return 0.0;
    return resolution_is_hz ? 1e9 / (double)timer_resolution : (double)timer_resolution;
}

uint64_t accel_ze_timestamp_ticks(uint64_t start, uint64_t end, uint32_t valid_bits) {
    /* Unsigned subtraction wraps modulo 2^64; masking then reduces it modulo 2^valid_bits, which is
     * the right answer whenever the interval is shorter than one wrap of the counter. */
    uint64_t mask = (valid_bits == 0 || valid_bits >= 64) ? UINT64_MAX
                                                          : ((uint64_t)1 << valid_bits) - 1u;
    return (end - start) & mask;
}

double accel_ze_timestamp_elapsed_ms(uint64_t start, uint64_t end, uint32_t valid_bits,
                                     double ns_per_tick) {
    return (double)accel_ze_timestamp_ticks(start, end, valid_bits) * ns_per_tick * 1e-6;
}

uint32_t accel_ze_eu_count(uint32_t slices, uint32_t subslices_per_slice, uint32_t eus_per_subslice) {
    uint64_t n = (uint64_t)slices * subslices_per_slice; /* < 2^64: cannot overflow */
    if (n > UINT32_MAX) return UINT32_MAX;
    n *= eus_per_subslice;
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}
