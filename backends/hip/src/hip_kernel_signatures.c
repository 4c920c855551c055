/* The kernels the plugin launches and the parameter lists its host code packs for them
 * (hip_memory.c, hip_op_gemm.c, hip_op_kernels.c). hip_rtc_compile_test appends
 * static_assert(__is_same(decltype(&kernel), type)) for each to the shared sources, so a change
 * of a kernel's parameters there fails a test here instead of corrupting arguments on a GPU. */
#include "hip_kernel_params.h"

#define FLOAT_TYPES(M, src, name, sig) M(src, name, "f32", sig("float")) \
    M(src, name, "f16", sig("accel_f16")) M(src, name, "bf16", sig("accel_bf16"))
#define ENTRY(src, name, sfx, type) {src, name "_" sfx, type},

#define ELTWISE_SIG(T) "void (*)(int, const " T " *, const " T " *, " T " *, accel_i64, accel_i64, float, float)"
#define BIAS_ACT_SIG(T) "void (*)(" T " *, const " T " *, accel_i64, accel_i64, accel_i64, accel_i64, accel_i64, accel_i64, int)"
#define GEMM_SIG(T) "void (*)(const " T " *, const " T " *, const " T " *, " T " *, const " T " *, accel_gemm_params)"
#define LAYERNORM_SIG(T) "void (*)(const " T " *, const " T " *, const " T " *, const " T " *, " T " *, accel_i64, float)"
#define SOFTMAX_SIG(T) "void (*)(const " T " *, const float *, " T " *, accel_i64, float, accel_i64)"
#define ATTENTION_SIG(T) "void (*)(const " T " *, const " T " *, const " T " *, const float *, " T " *, accel_attention_params)"
#define CONV2D_SIG(T) "void (*)(const " T " *, const " T " *, const " T " *, const " T " *, " T " *, accel_conv2d_params)"
#define PERMUTE_SIG(E) "void (*)(const " E " *, " E " *, accel_permute_params)"

const hip_kernel_signature hip_kernel_signatures[] = {
    {"fill.cu", "accel_fill_pattern",
     "void (*)(unsigned char *, accel_i64, unsigned long long, unsigned long long, int)"},
    FLOAT_TYPES(ENTRY, "eltwise.cu", "accel_eltwise", ELTWISE_SIG)
    FLOAT_TYPES(ENTRY, "epilogue.cu", "accel_bias_act", BIAS_ACT_SIG)
    FLOAT_TYPES(ENTRY, "gemm.cu", "accel_gemm", GEMM_SIG)
    ENTRY("gemm.cu", "accel_gemm", "f64", GEMM_SIG("double"))
    FLOAT_TYPES(ENTRY, "layernorm.cu", "accel_layernorm", LAYERNORM_SIG)
    FLOAT_TYPES(ENTRY, "softmax.cu", "accel_softmax", SOFTMAX_SIG)
    FLOAT_TYPES(ENTRY, "attention.cu", "accel_attention", ATTENTION_SIG)
    FLOAT_TYPES(ENTRY, "conv2d.cu", "accel_conv2d", CONV2D_SIG)
    ENTRY("permute.cu", "accel_permute", "b1", PERMUTE_SIG("unsigned char"))
    ENTRY("permute.cu", "accel_permute", "b2", PERMUTE_SIG("unsigned short"))
    ENTRY("permute.cu", "accel_permute", "b4", PERMUTE_SIG("unsigned int"))
    ENTRY("permute.cu", "accel_permute", "b8", PERMUTE_SIG("unsigned long long"))
};
const size_t hip_kernel_signature_count = sizeof hip_kernel_signatures / sizeof hip_kernel_signatures[0];
