/* The CPU FLOPs/cycle table for the CPUs we meet (Zen 4 here, Sapphire/Emerald Rapids elsewhere,
 * AVX2-only, Zen 5, one- and two-port AVX-512 Intel, AMX), the peak arithmetic and its source
 * string, SMT-aware core counting on a fake sysfs tree, and the measured clock's sanity. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accel_common/cpu_peak.h"

static int failures;
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            failures++;                                                               \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
        }                                                                             \
    } while (0)

static accel_cpu_features cpu(accel_cpu_vendor v, unsigned family, unsigned model) {
    accel_cpu_features f;
    memset(&f, 0, sizeof f);
    f.vendor = v;
    f.family = family;
    f.model = model;
    f.avx = f.fma = f.f16c = f.avx2 = 1;
    return f;
}

static void check_flops(const char *what, const accel_cpu_features *f, double fp32, double bf16, double fp16,
                        double fp8, int assumed) {
    accel_cpu_flops r = accel_cpu_flops_per_cycle(f);
    if (r.fp32 != fp32 || r.bf16 != bf16 || r.fp16 != fp16 || r.fp8 != fp8 || r.ports_assumed != assumed ||
        r.fp64 != fp32 / 2) {
        failures++;
        fprintf(stderr, "FAIL %s: fp32 %g bf16 %g fp16 %g fp8 %g assumed %d (wanted %g %g %g %g %d)\n", what,
                r.fp32, r.bf16, r.fp16, r.fp8, r.ports_assumed, fp32, bf16, fp16, fp8, assumed);
    }
}

static void check_table(void) {
    accel_cpu_features f = cpu(ACCEL_CPU_VENDOR_AMD, 0x19, 0x11); /* Zen 4 (Genoa), AVX512_BF16 */
    f.avx512f = f.avx512_vnni = f.avx512_bf16 = 1;
    check_flops("Zen 4", &f, 32, 64, 32, 64, 0);
    f = cpu(ACCEL_CPU_VENDOR_AMD, 0x19, 0x01); /* Zen 3: AVX2 only */
    check_flops("Zen 3", &f, 32, 32, 32, 32, 0);
    f = cpu(ACCEL_CPU_VENDOR_AMD, 0x17, 0x01); /* Zen 1: 128-bit pipes */
    check_flops("Zen 1", &f, 16, 16, 16, 16, 0);
    f = cpu(ACCEL_CPU_VENDOR_AMD, 0x1a, 0x02); /* Zen 5: full or half width by part: the upper bound */
    f.avx512f = f.avx512_bf16 = 1;
    check_flops("Zen 5", &f, 64, 128, 64, 128, 1);
    f = cpu(ACCEL_CPU_VENDOR_INTEL, 6, 0x9e); /* Coffee Lake: AVX2, two FMA pipes */
    check_flops("AVX2 Intel", &f, 32, 32, 32, 32, 0);
    f = cpu(ACCEL_CPU_VENDOR_INTEL, 6, 0x8c); /* Tiger Lake: one 512-bit FMA pipe */
    f.avx512f = 1;
    check_flops("Tiger Lake", &f, 32, 32, 32, 32, 0);
    f = cpu(ACCEL_CPU_VENDOR_INTEL, 6, 0x55); /* Skylake/Cascade Lake-SP: one or two by SKU */
    f.avx512f = 1;
    check_flops("Cascade Lake", &f, 64, 64, 64, 64, 1);
    f = cpu(ACCEL_CPU_VENDOR_INTEL, 6, 0xcf); /* Emerald Rapids in a VM that hides AMX */
    f.avx512f = f.avx512_bf16 = f.avx512_fp16 = 1;
    check_flops("Emerald Rapids, no AMX", &f, 64, 128, 128, 128, 0);
    /* The measured dot rate: half the FMA's multiply-adds (this Xeon without AMX) leaves bf16 on the
     * fp32 kernels' roof; 1.2x gives 1.25 x 1.2 x fp32; 2x and more stays at the table's 2 x fp32. */
    f.bf16_dot_rate = 0.5;
    check_flops("Emerald Rapids, no AMX, dot measured 0.5x", &f, 64, 64, 128, 128, 0);
    CHECK(accel_cpu_flops_per_cycle(&f).bf16_from_rate == 1);
    CHECK(strstr(accel_cpu_flops_per_cycle(&f).bf16_path, "fp32 kernels") != NULL);
    f.bf16_dot_rate = 1.2;
    check_flops("dot measured 1.2x", &f, 64, 96, 128, 128, 0);
    f.bf16_dot_rate = 2.0;
    check_flops("dot measured 2x", &f, 64, 128, 128, 128, 0);
    CHECK(accel_cpu_flops_per_cycle(&f).bf16_from_rate == 0);
    f.bf16_dot_rate = 0.5;
    f.amx_tile = f.amx_bf16 = 1; /* Sapphire/Emerald Rapids with AMX-BF16: the dot rate is moot */
    check_flops("Sapphire Rapids AMX", &f, 64, 1024, 128, 1024, 0);
    CHECK(accel_cpu_flops_per_cycle(&f).bf16_from_rate == 0);
    f.bf16_dot_rate = 0;
    f.model = 0xad; /* Granite Rapids: AMX-FP16 too */
    f.amx_fp16 = 1;
    check_flops("Granite Rapids", &f, 64, 1024, 1024, 1024, 0);
    f = cpu(ACCEL_CPU_VENDOR_OTHER, 6, 0x0f); /* AVX without FMA (Sandy Bridge-like) */
    f.fma = f.avx2 = 0;
    check_flops("AVX, no FMA", &f, 16, 16, 16, 16, 1);
    f.avx = f.f16c = 0;
    check_flops("SSE", &f, 8, 8, 8, 8, 1);
}

static void check_compute(void) {
    accel_cpu_features f = cpu(ACCEL_CPU_VENDOR_INTEL, 6, 0xcf);
    f.avx512f = f.avx512_bf16 = f.avx512_fp16 = 1;
    accel_peak_table p;
    double fp8 = 0;
    char how[256];
    accel_cpu_peak_compute(&f, 2, 3000.0, &p, &fp8, how, sizeof how);
    CHECK(fabs(p.tflops[ACCEL_COMPUTE_F32] - 0.384) < 1e-12); /* 2 x 3 GHz x 64 */
    CHECK(fabs(p.tflops[ACCEL_COMPUTE_F64] - 0.192) < 1e-12);
    CHECK(fabs(p.tflops[ACCEL_COMPUTE_BF16] - 0.768) < 1e-12);
    CHECK(fabs(p.tflops[ACCEL_COMPUTE_F16] - 0.768) < 1e-12);
    CHECK(fabs(fp8 - 0.768) < 1e-12);
    CHECK(p.memory_gbps == 0);
    CHECK(strcmp(p.source, "theoretical:2c*3.00GHz*64|128|128 f32|bf16|f16/cyc") == 0);
    CHECK(strstr(how, "2 cores x 3000 MHz") && strstr(how, "avx512_bf16 dot"));
    /* A measured dot rate shows in the source's bf16 figure and in how, from the first computation. */
    f.bf16_dot_rate = 0.5;
    accel_cpu_peak_compute(&f, 2, 3000.0, &p, &fp8, how, sizeof how);
    CHECK(fabs(p.tflops[ACCEL_COMPUTE_BF16] - 0.384) < 1e-12);
    CHECK(strcmp(p.source, "theoretical:2c*3.00GHz*64|64|128 f32|bf16|f16/cyc") == 0);
    CHECK(strstr(how, "bf16 64 (fp32 kernels: bf16 dot measured slower)") != NULL);
    /* The widest case still fits the 64-byte source whole, with the upper-bound mark. */
    f = cpu(ACCEL_CPU_VENDOR_AMD, 0x1a, 0x11);
    f.avx512f = f.amx_bf16 = f.amx_fp16 = f.amx_tile = 1;
    accel_cpu_peak_compute(&f, 384, 5700.0, &p, &fp8, how, sizeof how);
    CHECK(strcmp(p.source, "theoretical:384c*5.70GHz*64|1024|1024 f32|bf16|f16/cyc ub") == 0);
    fprintf(stderr, "widest source: %s (%zu chars)\n", p.source, strlen(p.source));
    /* No clock or no cores: nothing is claimed. */
    accel_cpu_peak_compute(&f, 2, 0.0, &p, &fp8, how, sizeof how);
    CHECK(p.tflops[ACCEL_COMPUTE_F32] == 0 && fp8 == 0 && p.source[0] == '\0');
}

static void check_cores(const char *sysfs) {
    int four[] = {0, 1, 2, 3}, two[] = {0, 2}, siblings[] = {0, 1}, absent[] = {0, 7};
    CHECK(accel_cpu_physical_cores(four, 4, sysfs) == 2); /* cpu0/1 and cpu2/3 are SMT pairs */
    CHECK(accel_cpu_physical_cores(two, 2, sysfs) == 2);
    CHECK(accel_cpu_physical_cores(siblings, 2, sysfs) == 1);
    CHECK(accel_cpu_physical_cores(absent, 2, sysfs) == 2); /* unreadable: no claim below the count */
    CHECK(accel_cpu_physical_cores_of_process() >= 1);
}

static void check_clock(void) {
    double measured = -1;
    double bound = accel_cpu_clock_bound_mhz(&measured);
#if defined(__x86_64__)
    /* Only sanity: timings on a shared machine prove nothing more. */
    CHECK(measured > 200 && measured < 10000);
#endif
    CHECK(bound >= measured && bound > 0);
    accel_peak_table p;
    double fp8;
    char how[256];
    double rate = -1;
    accel_cpu_peak_detect(1, &p, &fp8, how, sizeof how, &rate);
    CHECK(strncmp(p.source, "theoretical:1c*", 15) == 0 && p.tflops[ACCEL_COMPUTE_F32] > 0);
    /* The dot rate is measured exactly where the instruction is, and the bf16 roof follows it. */
    const accel_cpu_features host = accel_cpu_features_detect();
    CHECK((rate > 0) == (host.avx512f && host.avx512_bf16));
    if (rate > 0) {
        CHECK(rate > 0.05 && rate < 16.0);
        const double dot = 1.25 * rate, bf16 = p.tflops[ACCEL_COMPUTE_BF16], f32 = p.tflops[ACCEL_COMPUTE_F32];
        if (!host.amx_bf16)
            CHECK(fabs(bf16 - f32 * (dot < 1.0 ? 1.0 : dot > 2.0 ? 2.0 : dot)) < 1e-9 * f32);
        printf("host: bf16 dot %.2fx the fp32 FMA\n", rate);
    }
    printf("host: measured clock %.0f MHz, bound %.0f MHz\nhost: %s\nhost: %s\n", measured, bound, p.source, how);
}

int main(int argc, char **argv) {
    check_table();
    check_compute();
    if (argc > 1) check_cores(argv[1]);
    check_clock();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("cpu_peak: all checks passed\n");
    return 0;
}
