#include "cpu_isa.h"

#include "accel_common/cpu_peak.h"
#include "cpu_internal.h"

/* The shared detector (backends/common) reads cpuid and XCR0; this is the subset the kernels and the
 * device description use. */
cpu_isa cpu_isa_detect(void) {
    accel_cpu_features f = accel_cpu_features_detect();
    cpu_isa isa = {0};
    isa.avx2 = f.avx2;
    isa.fma = f.fma;
    isa.f16c = f.f16c;
    isa.avx512f = f.avx512f;
    isa.avx512_vnni = f.avx512_vnni;
    isa.avx512_bf16 = f.avx512_bf16;
    isa.avx512_fp16 = f.avx512_fp16;
    isa.amx_tile = f.amx_tile;
    isa.amx_bf16 = f.amx_bf16;
    isa.amx_fp16 = f.amx_fp16;
    return isa;
}

/* 1.5: below it the bf16 kernels' savings in memory traffic have not paid for the widening of A and
 * the narrowing of D in the measured layers (a ratio of 0.5 here: oneDNN 2.6's bf16 convolution
 * ran at 0.6x of its fp32 one, the bf16 matmul likewise); AMX is another unit altogether. */
int cpu_bf16_prefers_f32(const cpu_context *ctx) {
    if (cpu_isa_detect().amx_bf16) return 0;
    return ctx->bf16_dot_vs_fp32 < 1.5;
}
