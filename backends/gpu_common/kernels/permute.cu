/* Permute up to 6-D: one thread per output element. The host folds the permutation into
 * in_strides: output dimension d walks the input with stride in_strides[d] (elements). */
#include "accel_gpu_port.h"

template <typename E>
__device__ void accel_permute_impl(const E *x, E *y, const accel_permute_params p) {
    ACCEL_GRID_STRIDE_LOOP(i, p.total) {
        accel_i64 rem = i, src = 0;
        for (int d = p.ndims - 1; d >= 0; --d) {
            src += (rem % p.out_dims[d]) * p.in_strides[d];
            rem /= p.out_dims[d];
        }
        y[i] = x[src];
    }
}

/* By element size: the permutation does not care about the value type. */
#define ACCEL_PERMUTE_ENTRY(E, sfx)                                                           \
    extern "C" __global__ void accel_permute_##sfx(const E *x, E *y,                          \
                                                   const accel_permute_params p) {            \
        accel_permute_impl<E>(x, y, p);                                                       \
    }
ACCEL_PERMUTE_ENTRY(unsigned char, b1)
ACCEL_PERMUTE_ENTRY(unsigned short, b2)
ACCEL_PERMUTE_ENTRY(unsigned int, b4)
ACCEL_PERMUTE_ENTRY(unsigned long long, b8)
