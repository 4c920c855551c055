/* Theoretical peak of the host CPU: cores x clock x FLOPs per cycle for the ISA and dtype.
 *
 * Part of accel_backend_common, the static support library that plugins link (plugins must not
 * call libaccel). The cpu backend fills its vendor_peak from it, and so does the opencl backend for
 * CPU-type devices (PoCL runs on these same cores). Every figure is an upper bound: the clock is the
 * highest of a measured single-core clock, cpuinfo_max_freq and /proc/cpuinfo, and where the number
 * of 512-bit FMA ports cannot be known the larger count is taken and the result says so.
 * docs/backend-cpu.md gives the formula and the FLOPs/cycle table. */
#ifndef ACCEL_COMMON_CPU_PEAK_H
#define ACCEL_COMMON_CPU_PEAK_H

#include <stddef.h>

#include "accel/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum accel_cpu_vendor { ACCEL_CPU_VENDOR_OTHER = 0, ACCEL_CPU_VENDOR_INTEL, ACCEL_CPU_VENDOR_AMD } accel_cpu_vendor;

/* What cpuid and XCR0 say (only what the CPU has and the OS enables). */
typedef struct accel_cpu_features {
    accel_cpu_vendor vendor;
    unsigned family, model; /* display family and model (extended fields folded in) */
    int avx, fma, f16c, avx2, avx512f, avx512_vnni, avx512_bf16, avx512_fp16;
    int amx_tile, amx_bf16, amx_fp16;
    /* Not from cpuid: vdpbf16ps multiply-adds per second over the fp32 FMA's, as
     * accel_cpu_bf16_dot_rate_vs_fp32 measured it (accel_cpu_peak_detect fills it); 0 = not
     * measured, and the table then assumes the dot product issues as often as the FMA. */
    double bf16_dot_rate;
} accel_cpu_features;

/* FLOPs one core can retire per cycle (a fused multiply-add counts 2), per dtype of the operands. */
typedef struct accel_cpu_flops {
    double fp64, fp32, bf16, fp16, fp8;
    int fma_ports;     /* FMA pipes of the widest vector unit used for fp32 (0 without FMA) */
    int vector_bits;   /* width of one FMA pipe's operation: 128, 256, 512 */
    int ports_assumed; /* 1: the port count or width is not known for this model: the upper bound */
    const char *fp32_path, *bf16_path, *fp16_path; /* "avx512 fma", "avx512_bf16 dot", "amx-bf16" */
    int bf16_from_rate; /* bf16 set from the measured dot rate, below the table's 2 x fp32 */
} accel_cpu_flops;

/* The host's features (x86 cpuid; zeros elsewhere; bf16_dot_rate 0). */
accel_cpu_features accel_cpu_features_detect(void);

/* vdpbf16ps multiply-adds per second over those of the fp32 FMA, both 512-bit on one core, best of
 * a few alternated tries (~2 ms in all). 0 when the CPU has no AVX512_BF16 (or is not x86-64). */
double accel_cpu_bf16_dot_rate_vs_fp32(void);

/* FLOPs per cycle per core for these features. Pure: the table of docs/backend-cpu.md. With a
 * measured bf16_dot_rate and no AMX, bf16 is the higher of the fp32 figure (bf16 widened onto the
 * fp32 kernels) and 1.25x the measured dot rate (a margin for a measurement on a busy core), never
 * above the table's 2 x fp32. */
accel_cpu_flops accel_cpu_flops_per_cycle(const accel_cpu_features *f);

/* Physical cores among the CPUs in cpus[0..count) (SMT siblings share one core's FMA pipes), from
 * sysfs topology under sysfs_cpu_root ("/sys/devices/system/cpu"); count when it is unreadable. */
int accel_cpu_physical_cores(const int *cpus, int count, const char *sysfs_cpu_root);
/* The same for the CPUs this process may run on (sched_getaffinity). */
int accel_cpu_physical_cores_of_process(void);

/* Clock upper bound in MHz: the highest of a single-core clock measured with a dependent imul
 * chain (x86-64; imul r64 has a fixed 3-cycle latency, unlike an immediate add that recent Intel
 * cores can eliminate), cpuinfo_max_freq and the largest "cpu MHz" of /proc/cpuinfo. measured_mhz
 * (may be NULL) gets the measured figure, 0 where it cannot be measured. Takes ~40 ms: call it once
 * per device. */
double accel_cpu_clock_bound_mhz(double *measured_mhz);

/* The measured part alone (0 on other architectures). */
double accel_cpu_clock_measure_mhz(void);

/* Fills peak (tflops per compute type, fp8_tflops, source "theoretical:...") for `cores` physical
 * cores at clock_mhz, and writes how it was computed to how (one line, for device notes). Memory
 * bandwidth stays 0 (unknown: no portable way to read channels and transfer rate). */
void accel_cpu_peak_compute(const accel_cpu_features *f, int cores, double clock_mhz, accel_peak_table *peak,
                            double *fp8_tflops, char *how, size_t how_len);

/* Detect everything for this host and `cores` physical cores: the clock bound and the bf16 dot rate
 * (both measured once per call) and the table above. bf16_dot_rate (may be NULL) gets the measured
 * rate, 0 where there is none. */
void accel_cpu_peak_detect(int cores, accel_peak_table *peak, double *fp8_tflops, char *how, size_t how_len,
                           double *bf16_dot_rate);

#ifdef __cplusplus
}
#endif
#endif
