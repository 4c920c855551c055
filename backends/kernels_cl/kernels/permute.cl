/* permute.cl: tensor transpose of up to 6 dimensions, one output element per work-item.
 *
 * Kernel accel_permute(long count, int ndims,
 *                      long d0..d5   output dimension sizes (unused trailing ones = 1),
 *                      long s0..s5   input element stride for each output dimension,
 *                      global const E *X, long x_off, global E *Y, long y_off)
 *   Y[linear output index] = X[sum_d coord_d * s_d]; output written contiguously (coalesced).
 *   Any 1-D work-group; grid covers count.
 *
 * Compile-time options: ELEM_BYTES (2, 4 or 8; default 4): values are moved as raw bits. */

#ifndef ELEM_BYTES
#define ELEM_BYTES 4
#endif
#if ELEM_BYTES == 2
#define E ushort
#elif ELEM_BYTES == 8
#define E ulong
#else
#define E uint
#endif

__kernel void accel_permute(const long count, const int ndims, const long d0, const long d1,
                            const long d2, const long d3, const long d4, const long d5,
                            const long s0, const long s1, const long s2, const long s3,
                            const long s4, const long s5, __global const E *X, const long x_off,
                            __global E *Y, const long y_off) {
    const long i = get_global_id(0);
    if (i >= count)
        return;
    const long dims[6] = {d0, d1, d2, d3, d4, d5};
    const long strides[6] = {s0, s1, s2, s3, s4, s5};
    long rest = i, src = 0;
    for (int d = ndims - 1; d >= 0; d--) {
        /* rest - q * dim rather than %: see the freeze note in gemm.cl */
        const long q = rest / dims[d];
        src += (rest - q * dims[d]) * strides[d];
        rest = q;
    }
    Y[y_off + i] = X[x_off + src];
}
