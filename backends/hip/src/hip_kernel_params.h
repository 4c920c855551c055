/* Host mirrors of the parameter structs the shared kernels take by value
 * (backends/gpu_common/kernels: gemm.cu, conv2d.cu, permute.cu, attention.cu). Field for field the same order and
 * types, so a packed argument block matches the kernel's layout; hip_rtc_compile_test checks the
 * sizes and offsets against the device compiler with static_asserts. */
#ifndef ACCEL_HIP_KERNEL_PARAMS_H
#define ACCEL_HIP_KERNEL_PARAMS_H

#include <stddef.h>
#include <stdint.h>

typedef struct hip_gemm_params {
    int64_t m, n, k, lda, ldb, ldc, ldd;
    int64_t stride_a, stride_b, stride_c, stride_d, stride_bias, batch;
    double alpha, beta;
    int32_t trans_a, trans_b, act, round_tf32;
} hip_gemm_params;

typedef struct hip_conv2d_params {
    int64_t n, c, h, w, k, r, s, p, q;
    int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
    int32_t nhwc, relu;
} hip_conv2d_params;

typedef struct hip_permute_params {
    int64_t total;
    int64_t out_dims[6];
    int64_t in_strides[6];
    int32_t ndims;
    int32_t pad_;
} hip_permute_params;

typedef struct hip_attention_params {
    int64_t heads, seq, head_dim;
    float scale;
    int32_t pad_;
} hip_attention_params;

/* A kernel the plugin launches: its source, name, and parameter list as a C++ function pointer
 * type in the kernels' own type names (hip_kernel_signatures.c). */
typedef struct hip_kernel_signature {
    const char *source;
    const char *kernel;
    const char *type;
} hip_kernel_signature;
extern const hip_kernel_signature hip_kernel_signatures[];
extern const size_t hip_kernel_signature_count;

#endif
