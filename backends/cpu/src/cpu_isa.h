/* What the host CPU can execute, from cpuid and XCR0 (the OS must save the wide registers too). */
#ifndef ACCEL_CPU_ISA_H
#define ACCEL_CPU_ISA_H

typedef struct cpu_isa {
    int avx2, fma, f16c, avx512f, avx512_vnni, avx512_bf16, avx512_fp16;
    int amx_tile, amx_bf16, amx_fp16;
} cpu_isa;

cpu_isa cpu_isa_detect(void);

#endif
