/* Fill with a 1..16-byte pattern: used for 8/16-byte patterns, and 2/4-byte ones at an address the
 * driver memset cannot take (unaligned); the rest go to cuMemsetD8/16/32 or hipMemsetD*. */
#include "accel_gpu_port.h"

/* One thread per pattern instance; word stores when dst is aligned to the pattern, bytes otherwise
 * (a buffer offset need not be aligned). count = bytes / pattern_size. */
extern "C" __global__ void accel_fill_pattern(unsigned char *dst, accel_i64 count,
                                              unsigned long long lo, unsigned long long hi,
                                              int pattern_size) {
    const bool aligned =
        pattern_size >= 8 && ((unsigned long long)dst % (unsigned long long)pattern_size) == 0;
    ACCEL_GRID_STRIDE_LOOP(i, count) {
        unsigned char *p = dst + i * pattern_size;
        if (aligned) {
            unsigned long long *w = (unsigned long long *)p;
            w[0] = lo;
            if (pattern_size == 16) w[1] = hi;
        } else {
            for (int b = 0; b < pattern_size; ++b) {
                const unsigned long long word = b < 8 ? lo : hi;
                p[b] = (unsigned char)(word >> (8 * (b % 8)));
            }
        }
    }
}
