/* accel_group.h: a work-group reduction for the one-group-per-row kernels. Include after WG (the
 * work-group size, a power of two) is defined; scratch holds WG floats in local memory. The
 * barriers inside also publish any local-memory writes made before the call. */
#ifndef ACCEL_GROUP_H
#define ACCEL_GROUP_H

inline float accel_group_reduce(float v, int is_max, __local float *scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int half_n = WG / 2; half_n > 0; half_n >>= 1) {
        if (lid < half_n)
            scratch[lid] = is_max ? fmax(scratch[lid], scratch[lid + half_n])
                                  : scratch[lid] + scratch[lid + half_n];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

#endif
