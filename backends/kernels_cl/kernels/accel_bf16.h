/* accel_bf16.h: float to bf16 bits, round to nearest even; a NaN stays a quiet NaN. */
#ifndef ACCEL_BF16_H
#define ACCEL_BF16_H

inline ushort accel_f32_to_bf16(float f) {
    uint u = as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (ushort)((u >> 16) | 0x40u);
    return (ushort)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

#endif
