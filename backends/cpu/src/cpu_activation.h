/* Activation functions shared by the GEMM/conv epilogues and eltwise. */
#ifndef ACCEL_CPU_ACTIVATION_H
#define ACCEL_CPU_ACTIVATION_H

#include <math.h>
#include <stdint.h>

#include "accel/ops.h"

static inline float cpu_relu(float x) { return x > 0.0f ? x : 0.0f; }
static inline float cpu_gelu_erf(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }
static inline float cpu_gelu_tanh(float x) {
    return 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
}

/* Derivatives, for the eltwise backward kinds. */
static inline float cpu_gelu_erf_grad(float x) {
    return 0.5f * (1.0f + erff(x * 0.70710678118654752f)) + x * 0.39894228040143268f * expf(-0.5f * x * x);
}
static inline float cpu_gelu_tanh_grad(float x) {
    const float c = 0.79788456080286536f, t = tanhf(c * (x + 0.044715f * x * x * x));
    return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * c * (1.0f + 3.0f * 0.044715f * x * x);
}

static inline float cpu_apply_activation(uint32_t epilogue, float x) {
    if (epilogue & ACCEL_EPILOGUE_RELU) return cpu_relu(x);
    if (epilogue & ACCEL_EPILOGUE_GELU_ERF) return cpu_gelu_erf(x);
    if (epilogue & ACCEL_EPILOGUE_GELU_TANH) return cpu_gelu_tanh(x);
    return x;
}

#endif
