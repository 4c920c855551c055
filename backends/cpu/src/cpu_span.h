/* Runs of contiguous elements converted between a storage type and fp32 in bulk, so the loops that
 * compute on them see plain float arrays and vectorise (cpu_load/cpu_store decide the type per
 * element, which keeps a loop scalar). fp32 data is used in place, without a copy. */
#ifndef ACCEL_CPU_SPAN_H
#define ACCEL_CPU_SPAN_H

#include "cpu_dtype.h"

/* Elements per span: three spans of floats fit on the stack of an OpenMP thread and in L1. */
#define CPU_SPAN 512

/* Elements off..off+n-1 of p as fp32: p itself for f32, else converted into tmp (n <= CPU_SPAN). */
static inline const float *cpu_span_in(accel_dtype t, const void *p, int64_t off, int64_t n, float *tmp) {
    switch (t) {
    case ACCEL_DTYPE_BF16: {
        const uint16_t *s = (const uint16_t *)p + off;
        for (int64_t i = 0; i < n; i++) tmp[i] = cpu_bf16_to_f32(s[i]);
        return tmp;
    }
    case ACCEL_DTYPE_F16: {
        const uint16_t *s = (const uint16_t *)p + off;
        for (int64_t i = 0; i < n; i++) tmp[i] = cpu_f16_to_f32(s[i]);
        return tmp;
    }
    default: return (const float *)p + off;
    }
}

/* Where to compute elements off.. of p in fp32: p itself for f32, else tmp, to be stored back by
 * cpu_span_out. */
static inline float *cpu_span_dst(accel_dtype t, void *p, int64_t off, float *tmp) {
    return t == ACCEL_DTYPE_F32 ? (float *)p + off : tmp;
}

static inline void cpu_span_out(accel_dtype t, void *p, int64_t off, int64_t n, const float *v) {
    switch (t) {
    case ACCEL_DTYPE_BF16: {
        uint16_t *d = (uint16_t *)p + off;
        for (int64_t i = 0; i < n; i++) d[i] = cpu_f32_to_bf16(v[i]);
        break;
    }
    case ACCEL_DTYPE_F16: {
        uint16_t *d = (uint16_t *)p + off;
        for (int64_t i = 0; i < n; i++) d[i] = cpu_f32_to_f16(v[i]);
        break;
    }
    default: break; /* computed in place */
    }
}

/* Elements off..off+n-1 of p copied into dst as fp32 (any n): for a row kept whole in a buffer. */
static inline void cpu_span_copy_in(accel_dtype t, const void *p, int64_t off, int64_t n, float *dst) {
    if (t == ACCEL_DTYPE_F32) {
        memcpy(dst, (const float *)p + off, sizeof(float) * (size_t)n);
        return;
    }
    for (int64_t i = 0; i < n; i += CPU_SPAN) {
        const int64_t len = n - i < CPU_SPAN ? n - i : CPU_SPAN;
        (void)cpu_span_in(t, p, off + i, len, dst + i);
    }
}

/* dst's n fp32 values stored as elements off.. of p (any n). */
static inline void cpu_span_copy_out(accel_dtype t, void *p, int64_t off, int64_t n, const float *src) {
    if (t == ACCEL_DTYPE_F32) {
        memcpy((float *)p + off, src, sizeof(float) * (size_t)n);
        return;
    }
    cpu_span_out(t, p, off, n, src);
}

static inline int64_t cpu_span_len(int64_t off, int64_t end) {
    return end - off < CPU_SPAN ? end - off : CPU_SPAN;
}

#endif
