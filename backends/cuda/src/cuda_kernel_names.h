/* Every entry point the plugin takes from the embedded kernel sources, with its source file.
 * tests/cuda_nvrtc_compile_test.c checks each one is present in the compiled PTX. */
#ifndef ACCEL_CUDA_KERNEL_NAMES_H
#define ACCEL_CUDA_KERNEL_NAMES_H

#define ACCEL_CUDA_KERNEL_ENTRIES(X)                                                        \
    X("fill.cu", "accel_fill_pattern")                                                     \
    X("eltwise.cu", "accel_eltwise_f32") X("eltwise.cu", "accel_eltwise_f16")              \
    X("eltwise.cu", "accel_eltwise_bf16")                                                  \
    X("epilogue.cu", "accel_bias_act_f32") X("epilogue.cu", "accel_bias_act_f16")          \
    X("epilogue.cu", "accel_bias_act_bf16")                                                \
    X("layernorm.cu", "accel_layernorm_f32") X("layernorm.cu", "accel_layernorm_f16")      \
    X("layernorm.cu", "accel_layernorm_bf16")                                              \
    X("softmax.cu", "accel_softmax_f32") X("softmax.cu", "accel_softmax_f16")              \
    X("softmax.cu", "accel_softmax_bf16")                                                  \
    X("attention.cu", "accel_attention_f32") X("attention.cu", "accel_attention_f16")      \
    X("attention.cu", "accel_attention_bf16")                                              \
    X("permute.cu", "accel_permute_b1") X("permute.cu", "accel_permute_b2")                \
    X("permute.cu", "accel_permute_b4") X("permute.cu", "accel_permute_b8")                \
    X("gemm.cu", "accel_gemm_f32") X("gemm.cu", "accel_gemm_f16")                          \
    X("gemm.cu", "accel_gemm_bf16") X("gemm.cu", "accel_gemm_f64")                         \
    X("conv2d.cu", "accel_conv2d_f32") X("conv2d.cu", "accel_conv2d_f16")                  \
    X("conv2d.cu", "accel_conv2d_bf16")

#endif
