/* GEMM epilogue run after a library GEMM that cannot fuse it (cuBLASLt/hipBLASLt GELU is the tanh
 * form; BERT needs erf): D = act(D + bias), in place, over batch x rows x cols with leading
 * dimension ld. bias may be NULL (already added by the library). */
#include "accel_gpu_port.h"

template <typename T>
__device__ void accel_bias_act_impl(T *d, const T *bias, accel_i64 rows, accel_i64 cols,
                                    accel_i64 ld, accel_i64 batch, accel_i64 stride_d,
                                    accel_i64 stride_bias, int act) {
    const accel_i64 per_matrix = rows * cols;
    ACCEL_GRID_STRIDE_LOOP(i, per_matrix * batch) {
        const accel_i64 b = i / per_matrix, rc = i % per_matrix;
        const accel_i64 r = rc / cols, c = rc % cols;
        T *p = d + b * stride_d + r * ld + c;
        float v = accel_load(p);
        if (bias) v += accel_load(bias + b * stride_bias + c);
        accel_store(p, accel_activate(v, act));
    }
}

#define ACCEL_BIAS_ACT_ENTRY(T, sfx)                                                          \
    extern "C" __global__ void accel_bias_act_##sfx(T *d, const T *bias, accel_i64 rows,      \
                                                    accel_i64 cols, accel_i64 ld,             \
                                                    accel_i64 batch, accel_i64 stride_d,      \
                                                    accel_i64 stride_bias, int act) {         \
        accel_bias_act_impl<T>(d, bias, rows, cols, ld, batch, stride_d, stride_bias, act);   \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_BIAS_ACT_ENTRY)
