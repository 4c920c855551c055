/* Exact conversions between fp32/fp64 and the narrow float formats, and typed load/store.
 * Everything is done on bit patterns or with power-of-two scaling so no step rounds twice. */
#include "accel/reference.h"

#include <math.h>
#include <string.h>

static uint32_t f32_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static float f32_from_bits(uint32_t u) {
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

uint16_t accel_ref_f32_to_bf16(float x) {
    uint32_t u = f32_bits(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN: keep sign and top payload, force quiet */
        return (uint16_t)((u >> 16) | 0x0040u);
    /* Round to nearest even on the 16 dropped bits; a carry into the exponent is the right answer,
     * including overflow of the largest finite values to infinity. */
    uint32_t lsb = (u >> 16) & 1u;
    return (uint16_t)((u + 0x7fffu + lsb) >> 16);
}

float accel_ref_bf16_to_f32(uint16_t x) { return f32_from_bits((uint32_t)x << 16); }

uint16_t accel_ref_f32_to_f16(float x) {
    uint32_t u = f32_bits(x);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t absu = u & 0x7fffffffu;
    if (absu > 0x7f800000u) /* NaN: quiet, keep the top payload bits */
        return (uint16_t)(sign | 0x7e00u | ((absu >> 13) & 0x3ffu));
    if (absu == 0x7f800000u)
        return (uint16_t)(sign | 0x7c00u);
    int32_t exp = (int32_t)(absu >> 23) - 127;
    uint32_t mant = absu & 0x7fffffu;
    if (exp > 15)
        return (uint16_t)(sign | 0x7c00u);
    if (exp >= -14) {
        /* Normal half: 10 mantissa bits kept, 13 dropped; a carry may bump the exponent (and up
         * to infinity for values >= 65520), which the encoding handles by itself. */
        uint32_t h = ((uint32_t)(exp + 15) << 10) | (mant >> 13);
        uint32_t rest = mant & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
            h++;
        return (uint16_t)(sign | h);
    }
    if (exp < -25) /* below half the smallest denormal: rounds to zero */
        return sign;
    /* Denormal half: value = m * 2^-24 with the implicit bit restored. */
    uint32_t full = mant | 0x800000u;     /* value = full * 2^(exp-23) */
    uint32_t shift = (uint32_t)(-exp - 1); /* 14..24: full >> shift gives units of 2^-24 */
    uint32_t h = full >> shift;
    uint32_t rest = full & ((1u << shift) - 1u);
    uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (h & 1u)))
        h++;
    return (uint16_t)(sign | h);
}

float accel_ref_f16_to_f32(uint16_t x) {
    uint32_t sign = (uint32_t)(x & 0x8000u) << 16;
    uint32_t exp = (x >> 10) & 0x1fu;
    uint32_t mant = x & 0x3ffu;
    if (exp == 0x1f)
        return f32_from_bits(sign | 0x7f800000u | (mant << 13));
    if (exp == 0) {
        float v = ldexpf((float)mant, -24); /* exact: at most 10 significant bits */
        return sign ? -v : v;
    }
    return f32_from_bits(sign | ((exp + 112u) << 23) | (mant << 13));
}

/* Format parameters: significand bits incl. the implicit one, exponent bias, largest finite. */
static void fp8_format(accel_dtype t, int *p, int *bias, double *maxv) {
    if (t == ACCEL_DTYPE_F8_E5M2) {
        *p = 3, *bias = 15, *maxv = 57344.0;
    } else {
        *p = 4, *bias = 7, *maxv = 448.0;
    }
}

float accel_ref_fp8_to_f32(accel_dtype t, uint8_t x) {
    int p, bias;
    double maxv;
    fp8_format(t, &p, &bias, &maxv);
    const int mbits = p - 1, ebits = 7 - mbits;
    const unsigned emask = (1u << ebits) - 1u, mmask = (1u << mbits) - 1u;
    unsigned e = (x >> mbits) & emask, m = x & mmask;
    float sign = (x & 0x80u) ? -1.0f : 1.0f;
    if (t == ACCEL_DTYPE_F8_E5M2 && e == emask)
        return m ? NAN : sign * INFINITY;
    if (t != ACCEL_DTYPE_F8_E5M2 && e == emask && m == mmask)
        return NAN;
    if (e == 0) /* subnormal: m * 2^(1 - bias - mbits), exact in fp32 */
        return sign * ldexpf((float)m, 1 - bias - mbits);
    return sign * ldexpf((float)(m | (1u << mbits)), (int)e - bias - mbits);
}

float accel_ref_round_tf32(float x) {
    uint32_t u = f32_bits(x);
    if ((u & 0x7f800000u) == 0x7f800000u) /* Inf and NaN pass through */
        return x;
    uint32_t lsb = (u >> 13) & 1u;
    u += 0xfffu + lsb;
    u &= ~0x1fffu;
    return f32_from_bits(u);
}

float accel_ref_round_to(accel_dtype t, float x) {
    switch (t) {
    case ACCEL_DTYPE_F16: return accel_ref_f16_to_f32(accel_ref_f32_to_f16(x));
    case ACCEL_DTYPE_BF16: return accel_ref_bf16_to_f32(accel_ref_f32_to_bf16(x));
    case ACCEL_DTYPE_F8_E4M3:
    case ACCEL_DTYPE_F8_E5M2: return accel_ref_fp8_to_f32(t, accel_ref_f32_to_fp8(t, x));
    case ACCEL_DTYPE_I8:
    case ACCEL_DTYPE_I32: {
        double r = nearbyint((double)x);
        double lo = t == ACCEL_DTYPE_I8 ? -128.0 : -2147483648.0;
        double hi = t == ACCEL_DTYPE_I8 ? 127.0 : 2147483647.0;
        return (float)(r < lo ? lo : r > hi ? hi : r);
    }
    default: return x;
    }
}

/* Round a double straight to a binary format with `p` significand bits, minimum normal exponent
 * emin and largest finite value maxv: one rounding, so storing a double as f16 never double-rounds
 * through f32. */
static double round_double_to_format(double x, int p, int emin, double maxv) {
    if (!isfinite(x) || x == 0.0)
        return x;
    int e;
    (void)frexp(x, &e); /* |x| in [2^(e-1), 2^e) */
    int ebase = e - 1 < emin ? emin : e - 1;
    double quantum = ldexp(1.0, ebase - p + 1);
    double r = nearbyint(x / quantum) * quantum; /* default rounding mode: nearest even */
    if (fabs(r) > maxv)
        return copysign(INFINITY, x);
    return r;
}

/* One rounding from double straight to fp8 (storing a double never double-rounds through f32). */
static uint8_t fp8_encode(accel_dtype t, double x) {
    int p, bias;
    double maxv;
    fp8_format(t, &p, &bias, &maxv);
    const int mbits = p - 1;
    const uint8_t nan = 0x7f; /* a NaN in both formats */
    uint8_t sign = signbit(x) ? 0x80 : 0x00;
    if (isnan(x)) return (uint8_t)(sign | nan);
    double r = round_double_to_format(x, p, 1 - bias, maxv);
    if (isinf(r)) /* e4m3 has no infinity */
        return (uint8_t)(sign | (t == ACCEL_DTYPE_F8_E5M2 ? 0x7c : nan));
    double a = fabs(r);
    if (a == 0.0) return sign;
    int e;
    (void)frexp(a, &e); /* a in [2^(e-1), 2^e) */
    int unbiased = e - 1;
    if (unbiased < 1 - bias) /* subnormal: a = m * 2^(1 - bias - mbits) */
        return (uint8_t)(sign | (unsigned)ldexp(a, bias - 1 + mbits));
    unsigned m = (unsigned)ldexp(a, mbits - unbiased) - (1u << mbits);
    return (uint8_t)(sign | ((unsigned)(unbiased + bias) << mbits) | m);
}

uint8_t accel_ref_f32_to_fp8(accel_dtype t, float x) { return fp8_encode(t, (double)x); }

double accel_ref_load(accel_dtype t, const void *base, int64_t i) {
    switch (t) {
    case ACCEL_DTYPE_F32: return (double)((const float *)base)[i];
    case ACCEL_DTYPE_F16: return (double)accel_ref_f16_to_f32(((const uint16_t *)base)[i]);
    case ACCEL_DTYPE_BF16: return (double)accel_ref_bf16_to_f32(((const uint16_t *)base)[i]);
    case ACCEL_DTYPE_F64: return ((const double *)base)[i];
    case ACCEL_DTYPE_I8: return (double)((const int8_t *)base)[i];
    case ACCEL_DTYPE_I32: return (double)((const int32_t *)base)[i];
    case ACCEL_DTYPE_F8_E4M3:
    case ACCEL_DTYPE_F8_E5M2: return (double)accel_ref_fp8_to_f32(t, ((const uint8_t *)base)[i]);
    default: return NAN;
    }
}

void accel_ref_store(accel_dtype t, void *base, int64_t i, double v) {
    switch (t) {
    case ACCEL_DTYPE_F32: ((float *)base)[i] = (float)v; break;
    case ACCEL_DTYPE_F16:
        ((uint16_t *)base)[i] = accel_ref_f32_to_f16(
            isnan(v) ? (float)v : (float)round_double_to_format(v, 11, -14, 65504.0));
        break;
    case ACCEL_DTYPE_BF16:
        ((uint16_t *)base)[i] = accel_ref_f32_to_bf16(
            isnan(v) ? (float)v
                     : (float)round_double_to_format(v, 8, -126, ldexp(255.0, 120)));
        break;
    case ACCEL_DTYPE_F64: ((double *)base)[i] = v; break;
    case ACCEL_DTYPE_I8: ((int8_t *)base)[i] = (int8_t)accel_ref_round_to(t, (float)v); break;
    case ACCEL_DTYPE_F8_E4M3:
    case ACCEL_DTYPE_F8_E5M2: ((uint8_t *)base)[i] = fp8_encode(t, v); break;
    case ACCEL_DTYPE_I32: {
        double r = nearbyint(v);
        r = r < -2147483648.0 ? -2147483648.0 : r > 2147483647.0 ? 2147483647.0 : r;
        ((int32_t *)base)[i] = (int32_t)r;
        break;
    }
    default: break;
    }
}

double accel_ref_unit_roundoff_dtype(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: return ldexp(1.0, -24);
    case ACCEL_DTYPE_F16: return ldexp(1.0, -11);
    case ACCEL_DTYPE_BF16: return ldexp(1.0, -8);
    case ACCEL_DTYPE_F64: return ldexp(1.0, -53);
    case ACCEL_DTYPE_F8_E4M3: return ldexp(1.0, -4);
    case ACCEL_DTYPE_F8_E5M2: return ldexp(1.0, -3);
    default: return 0.0; /* integers are exact */
    }
}

double accel_ref_unit_roundoff_compute(accel_compute_type t, accel_dtype a_type) {
    switch (t) {
    case ACCEL_COMPUTE_DEFAULT: /* fp8 inputs compute in F32 (ops.h) */
        if (accel_dtype_is_fp8(a_type)) return ldexp(1.0, -24);
        return accel_ref_unit_roundoff_dtype(a_type);
    case ACCEL_COMPUTE_F32: return ldexp(1.0, -24);
    case ACCEL_COMPUTE_TF32: return ldexp(1.0, -11);
    case ACCEL_COMPUTE_F16:
    case ACCEL_COMPUTE_F16_ACC16: return ldexp(1.0, -11);
    case ACCEL_COMPUTE_BF16: return ldexp(1.0, -8);
    case ACCEL_COMPUTE_F64: return ldexp(1.0, -53);
    default: return 0.0;
    }
}
