#include "cpu_isa.h"

#include "accel_common/cpu_peak.h"

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
