/* Elementwise ops (accel_eltwise_kind values, see hal/include/accel/ops.h). */
#include "accel_gpu_port.h"

#define ACCEL_ELT_COPY 1
#define ACCEL_ELT_SCALE 2
#define ACCEL_ELT_ADD 3
#define ACCEL_ELT_MUL 4
#define ACCEL_ELT_RELU 5
#define ACCEL_ELT_GELU_ERF 6
#define ACCEL_ELT_GELU_TANH 7
#define ACCEL_ELT_BIAS_ADD 8
#define ACCEL_ELT_RELU_BACKWARD 9
#define ACCEL_ELT_GELU_ERF_BACKWARD 10
#define ACCEL_ELT_GELU_TANH_BACKWARD 11

/* d/dx of the two GELU forms, for the backward kinds (Y = Z f'(X)). */
__device__ __forceinline__ float accel_gelu_erf_grad(float x) {
    return 0.5f * (1.0f + erff(x * 0.70710678118654752f)) + x * 0.39894228040143268f * expf(-0.5f * x * x);
}
__device__ __forceinline__ float accel_gelu_tanh_grad(float x) {
    const float c = 0.79788456080286536f, t = tanhf(c * (x + 0.044715f * x * x * x));
    return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * c * (1.0f + 3.0f * 0.044715f * x * x);
}

/* Y may alias X or Z: each element is read before it is written by the same thread. */
template <typename T>
__device__ void accel_eltwise_impl(int kind, const T *x, const T *z, T *y, accel_i64 count,
                                   accel_i64 cols, float alpha, float beta) {
    ACCEL_GRID_STRIDE_LOOP(i, count) {
        const float a = accel_load(x + i);
        float r;
        switch (kind) {
        case ACCEL_ELT_COPY: r = a; break;
        case ACCEL_ELT_SCALE: r = alpha * a; break;
        case ACCEL_ELT_ADD: r = alpha * a + beta * accel_load(z + i); break;
        case ACCEL_ELT_MUL: r = alpha * a * accel_load(z + i); break;
        case ACCEL_ELT_RELU: r = accel_activate(a, ACCEL_ACT_RELU); break;
        case ACCEL_ELT_GELU_ERF: r = accel_activate(a, ACCEL_ACT_GELU_ERF); break;
        case ACCEL_ELT_GELU_TANH: r = accel_activate(a, ACCEL_ACT_GELU_TANH); break;
        case ACCEL_ELT_BIAS_ADD: r = a + accel_load(z + i % cols); break;
        case ACCEL_ELT_RELU_BACKWARD: r = a > 0.0f ? float(accel_load(z + i)) : 0.0f; break;
        case ACCEL_ELT_GELU_ERF_BACKWARD: r = float(accel_load(z + i)) * accel_gelu_erf_grad(a); break;
        case ACCEL_ELT_GELU_TANH_BACKWARD: r = float(accel_load(z + i)) * accel_gelu_tanh_grad(a); break;
        default: r = a; break; /* hosts refuse other kinds at plan time */
        }
        accel_store(y + i, r);
    }
}

#define ACCEL_ELTWISE_ENTRY(T, sfx)                                                          \
    extern "C" __global__ void accel_eltwise_##sfx(int kind, const T *x, const T *z, T *y,   \
                                                   accel_i64 count, accel_i64 cols,          \
                                                   float alpha, float beta) {                \
        accel_eltwise_impl<T>(kind, x, z, y, count, cols, alpha, beta);                      \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_ELTWISE_ENTRY)
