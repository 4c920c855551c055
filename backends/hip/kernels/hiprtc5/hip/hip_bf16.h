/* hiprtc of ROCm 5.x has no hip/hip_bf16.h (and the older hip_bfloat16.h pulls in host headers that
 * hiprtc cannot compile). The HIP backend offers this minimal stand-in to hiprtc < 6 only
 * (hip_rtc.c): the storage type and the two conversions the shared kernels use. Same storage layout
 * as ROCm 6's __hip_bfloat16 (the upper 16 bits of an IEEE fp32). */
#ifndef ACCEL_HIPRTC5_HIP_BF16_H
#define ACCEL_HIPRTC5_HIP_BF16_H

struct __hip_bfloat16 {
    unsigned short data;
};

__device__ __forceinline__ float __bfloat162float(__hip_bfloat16 b) {
    return __uint_as_float((unsigned int)b.data << 16);
}

/* Round to nearest even; NaN stays a quiet NaN. */
__device__ __forceinline__ __hip_bfloat16 __float2bfloat16(float f) {
    unsigned int u = __float_as_uint(f);
    __hip_bfloat16 r;
    if ((u & 0x7fffffffu) > 0x7f800000u)
        r.data = (unsigned short)((u >> 16) | 0x0040u);
    else
        r.data = (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    return r;
}

#endif
