/* Activation functions shared by the GEMM/conv epilogues and eltwise. */
#ifndef ACCEL_CPU_ACTIVATION_H
#define ACCEL_CPU_ACTIVATION_H

#include <math.h>
#include <stdint.h>
#include <string.h>

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

/* Branch-free forms of the above for loops that must vectorise (libm's erff/expf/tanhf are calls
 * the vectoriser cannot widen without -ffast-math). exp: round-to-nearest by the 1.5 * 2^23 trick,
 * a two-part ln 2 and a degree-7 Taylor polynomial on |r| <= ln2/2 (error < 1e-8 relative before
 * rounding). erfc(|x|) by Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7): 1 + erf(x) is taken as
 * erfc(-x) for x < 0, so GELU's left tail keeps its relative accuracy. */
static inline float cpu_exp_v(float x) {
    x = x < -87.0f ? -87.0f : x > 88.0f ? 88.0f : x;
    const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187045e-06f;
    float q = 1.0f / 5040.0f;
    q = q * r + 1.0f / 720.0f;
    q = q * r + 1.0f / 120.0f;
    q = q * r + 1.0f / 24.0f;
    q = q * r + 1.0f / 6.0f;
    q = q * r + 0.5f;
    q = q * r + 1.0f;
    q = q * r + 1.0f;
    const int32_t bits = ((int32_t)n + 127) * (1 << 23);
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return q * scale;
}

/* 1 + erf(x / sqrt 2), given g = exp(-x^2 / 2) */
static inline float cpu_one_plus_erf_v(float x, float g) {
    const float a = (x < 0.0f ? -x : x) * 0.70710678118654752f, t = 1.0f / (1.0f + 0.3275911f * a);
    float q = 1.061405429f;
    q = q * t - 1.453152027f;
    q = q * t + 1.421413741f;
    q = q * t - 0.284496736f;
    q = q * t + 0.254829592f;
    const float erfc = q * t * g; /* exp(-a^2) = g */
    return x < 0.0f ? erfc : 2.0f - erfc;
}

static inline float cpu_gelu_erf_v(float x) {
    return 0.5f * x * cpu_one_plus_erf_v(x, cpu_exp_v(-0.5f * x * x));
}
static inline float cpu_gelu_erf_grad_v(float x) {
    const float g = cpu_exp_v(-0.5f * x * x);
    return 0.5f * cpu_one_plus_erf_v(x, g) + x * 0.39894228040143268f * g;
}
/* 0.5 x (1 + tanh y) = x s and 1 - tanh^2 y = 4 s (1 - s), with s = 1 / (1 + exp(-2y)) */
static inline float cpu_gelu_tanh_v(float x) {
    const float y = 0.79788456080286536f * (x + 0.044715f * x * x * x);
    return x / (1.0f + cpu_exp_v(-2.0f * y));
}
static inline float cpu_gelu_tanh_grad_v(float x) {
    const float c = 0.79788456080286536f, y = c * (x + 0.044715f * x * x * x);
    const float s = 1.0f / (1.0f + cpu_exp_v(-2.0f * y));
    return s + 2.0f * x * s * (1.0f - s) * c * (1.0f + 3.0f * 0.044715f * x * x);
}

static inline float cpu_apply_activation(uint32_t epilogue, float x) {
    if (epilogue & ACCEL_EPILOGUE_RELU) return cpu_relu(x);
    if (epilogue & ACCEL_EPILOGUE_GELU_ERF) return cpu_gelu_erf(x);
    if (epilogue & ACCEL_EPILOGUE_GELU_TANH) return cpu_gelu_tanh(x);
    return x;
}

#endif
