/* Element conversions between the storage types and fp32, where every op computes. Inline so the
 * loops that use them vectorise; round-to-nearest-even, NaN kept a NaN. */
#ifndef ACCEL_CPU_DTYPE_H
#define ACCEL_CPU_DTYPE_H

#include <stdint.h>
#include <string.h>

#include "accel/types.h"

static inline float cpu_bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint16_t cpu_f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static inline float cpu_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, u;
    if (exp == 0x1fu) {
        u = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        u = sign | ((exp + 112u) << 23) | (man << 13);
    } else if (man == 0) {
        u = sign;
    } else { /* subnormal: value = man * 2^-24 exactly representable in fp32 */
        float f = (float)man * (1.0f / 16777216.0f);
        memcpy(&u, &f, sizeof u);
        u |= sign;
    }
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint16_t cpu_f32_to_f16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu));
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* rounds to >= 65520: inf */
    if (a >= 0x38800000u) {                                 /* normal half */
        uint32_t r = a - 0x38000000u;                       /* rebias exponent 127 -> 15 */
        r += 0xfffu + ((r >> 13) & 1u);
        return (uint16_t)(sign | (r >> 13));
    }
    if (a < 0x33000000u) return sign; /* below half the smallest subnormal */
    /* subnormal half: shift the full mantissa into place, round to nearest even */
    uint32_t exp = a >> 23, man = (a & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126u - exp; /* 14..24 */
    uint32_t q = man >> shift, rem = man & ((1u << shift) - 1u), half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (q & 1u))) q++;
    return (uint16_t)(sign | q);
}

/* OCP fp8 (e4m3: bias 7, NaN S.1111.111, no inf; e5m2: bias 15, IEEE inf/NaN) to fp32, exactly:
 * rebias the exponent into fp32's, subnormals through an exact multiply. */
static inline float cpu_fp8_to_f32(accel_dtype t, uint8_t x) {
    const int e5 = t == ACCEL_DTYPE_F8_E5M2;
    const uint32_t mbits = e5 ? 2u : 3u, bias = e5 ? 15u : 7u, emax = e5 ? 31u : 15u;
    uint32_t sign = (uint32_t)(x & 0x80u) << 24, e = (x & 0x7fu) >> mbits, m = x & ((1u << mbits) - 1u);
    uint32_t u;
    if (e == emax && (e5 || m == 7u)) {
        u = sign | 0x7f800000u | (m ? 0x400000u : 0u); /* e5m2 inf, or NaN */
    } else if (e == 0) {
        float f = (float)m * (e5 ? 0x1p-16f : 0x1p-9f);
        memcpy(&u, &f, sizeof u);
        u |= sign;
    } else {
        u = sign | ((e + 127u - bias) << 23) | (m << (23u - mbits));
    }
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Element i of a buffer of type t (F32, BF16, F16 or, read-only, fp8) as fp32. */
static inline float cpu_load(accel_dtype t, const void *p, int64_t i) {
    switch (t) {
    case ACCEL_DTYPE_BF16: return cpu_bf16_to_f32(((const uint16_t *)p)[i]);
    case ACCEL_DTYPE_F16: return cpu_f16_to_f32(((const uint16_t *)p)[i]);
    case ACCEL_DTYPE_F8_E4M3:
    case ACCEL_DTYPE_F8_E5M2: return cpu_fp8_to_f32(t, ((const uint8_t *)p)[i]);
    default: return ((const float *)p)[i];
    }
}

static inline void cpu_store(accel_dtype t, void *p, int64_t i, float v) {
    switch (t) {
    case ACCEL_DTYPE_BF16: ((uint16_t *)p)[i] = cpu_f32_to_bf16(v); break;
    case ACCEL_DTYPE_F16: ((uint16_t *)p)[i] = cpu_f32_to_f16(v); break;
    default: ((float *)p)[i] = v; break;
    }
}

static inline int cpu_dtype_is_float(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 || t == ACCEL_DTYPE_BF16 || t == ACCEL_DTYPE_F16;
}

#endif
