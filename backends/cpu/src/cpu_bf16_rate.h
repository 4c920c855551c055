/* The measured rate of the CPU's bf16 dot product against its fp32 FMA (cpu_bf16_rate.c). */
#ifndef ACCEL_CPU_BF16_RATE_H
#define ACCEL_CPU_BF16_RATE_H

/* Multiply-adds per second of vdpbf16ps over those of the fp32 FMA, both 512-bit on one core, best
 * of a few short tries (~2 ms in all). 0 when the CPU has no AVX512_BF16 (or is not x86-64). */
double cpu_bf16_dot_rate_vs_fp32(void);

#endif
