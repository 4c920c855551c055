/* FLOPs per cycle per core by ISA and model, and the theoretical peak (see cpu_peak.h). */
#define _GNU_SOURCE
#include "accel_common/cpu_peak.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

/* Intel family-6 models whose count of 512-bit FMA pipes per core is the same in every SKU. */
static const unsigned intel_two_fma512[] = {
    0x57, 0x85,       /* Knights Landing / Mill */
    0x6a, 0x6c,       /* Ice Lake-SP */
    0x8f,             /* Sapphire Rapids */
    0xcf,             /* Emerald Rapids */
    0xad, 0xae,       /* Granite Rapids */
};
static const unsigned intel_one_fma512[] = {
    0x66,             /* Cannon Lake */
    0x7d, 0x7e,       /* Ice Lake client */
    0x8c, 0x8d,       /* Tiger Lake */
    0xa7,             /* Rocket Lake */
};

static int listed(const unsigned *models, size_t n, unsigned model) {
    for (size_t i = 0; i < n; i++)
        if (models[i] == model) return 1;
    return 0;
}

/* FMA pipes and their width for fp32; *assumed when the model does not tell. */
static void fma_units(const accel_cpu_features *f, int *ports, int *bits, int *assumed) {
    *assumed = 0;
    if (f->avx512f) {
        *bits = 512;
        *ports = 2;
        if (f->vendor == ACCEL_CPU_VENDOR_AMD && f->family == 0x19) {
            *bits = 256; /* Zen 4: 512-bit operations run as two halves on 256-bit pipes */
        } else if (f->vendor == ACCEL_CPU_VENDOR_INTEL && f->family == 6 &&
                   listed(intel_one_fma512, sizeof intel_one_fma512 / sizeof *intel_one_fma512, f->model)) {
            *ports = 1;
        } else if (!(f->vendor == ACCEL_CPU_VENDOR_INTEL && f->family == 6 &&
                     listed(intel_two_fma512, sizeof intel_two_fma512 / sizeof *intel_two_fma512, f->model))) {
            /* Skylake/Cascade Lake-SP (one or two pipes by SKU), Zen 5 (full 512-bit pipes on desktop
             * and server parts, halves on mobile ones), anything newer: the larger figure. */
            *assumed = 1;
        }
        return;
    }
    if (f->fma) {
        *ports = 2;
        *bits = 256;
        if (f->vendor == ACCEL_CPU_VENDOR_AMD && f->family == 0x17 && f->model < 0x30)
            *bits = 128; /* Zen / Zen+: 256-bit operations as two 128-bit halves */
        else if (!(f->vendor == ACCEL_CPU_VENDOR_INTEL && f->family == 6) &&
                 !(f->vendor == ACCEL_CPU_VENDOR_AMD && (f->family == 0x17 || f->family == 0x19)))
            *assumed = 1;
        return;
    }
    /* No FMA: a multiply pipe and an add pipe of the AVX (256) or SSE (128) width, counted as one
     * "port" doing a multiply-add pair per cycle. */
    *ports = 1;
    *bits = f->avx ? 256 : 128;
    *assumed = 1;
}

accel_cpu_flops accel_cpu_flops_per_cycle(const accel_cpu_features *f) {
    accel_cpu_flops r;
    memset(&r, 0, sizeof r);
    int ports, bits, assumed;
    fma_units(f, &ports, &bits, &assumed);
    r.fma_ports = f->fma || f->avx512f ? ports : 0;
    r.vector_bits = bits;
    r.ports_assumed = assumed;
    r.fp32 = (double)ports * (bits / 32) * 2.0;
    r.fp64 = r.fp32 / 2.0;
    r.fp32_path = f->avx512f ? "avx512 fma" : f->fma ? (bits == 128 ? "avx2 fma (128-bit pipes)" : "avx2 fma")
                  : f->avx ? "avx mul+add" : "sse mul+add";
    /* bf16 and fp16 without their own instructions are widened to fp32: the fp32 rate. */
    r.bf16 = r.fp32;
    r.bf16_path = "widened to fp32";
    if (f->avx512_bf16) { /* vdpbf16ps: two products per fp32 lane at the FMA's issue rate */
        r.bf16 = 2.0 * r.fp32;
        r.bf16_path = "avx512_bf16 dot";
        const double dot = 1.25 * f->bf16_dot_rate;
        if (f->bf16_dot_rate > 0.0 && dot < 2.0) {
            r.bf16 = r.fp32 * (dot > 1.0 ? dot : 1.0);
            r.bf16_path = dot > 1.0 ? "avx512_bf16 dot at its measured rate" : "fp32 kernels: bf16 dot measured slower";
            r.bf16_from_rate = 1;
        }
    }
    if (f->amx_bf16) { /* TDPBF16PS: 16x16x32 products every 16 cycles = 512 FMA per cycle */
        r.bf16 = 1024.0;
        r.bf16_path = "amx-bf16";
        r.bf16_from_rate = 0;
    }
    r.fp16 = r.fp32;
    r.fp16_path = "widened to fp32";
    if (f->avx512_fp16) { /* 32 fp16 lanes per 512-bit FMA */
        r.fp16 = 2.0 * r.fp32;
        r.fp16_path = "avx512_fp16 fma";
    }
    if (f->amx_fp16) {
        r.fp16 = 1024.0;
        r.fp16_path = "amx-fp16";
    }
    /* No CPU here multiplies fp8: a library widens e4m3/e5m2 to fp32, bf16 or fp16 (all exact), so the
     * fastest of those bounds it. */
    r.fp8 = r.fp32 > r.bf16 ? r.fp32 : r.bf16;
    r.fp8 = r.fp16 > r.fp8 ? r.fp16 : r.fp8;
    return r;
}

static int read_int(const char *path, long *out) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int ok = fscanf(f, "%ld", out) == 1;
    fclose(f);
    return ok;
}

int accel_cpu_physical_cores(const int *cpus, int count, const char *root) {
    long seen[2 * 1024];
    int distinct = 0;
    for (int i = 0; i < count; i++) {
        char path[256];
        long core, package;
        snprintf(path, sizeof path, "%s/cpu%d/topology/core_id", root, cpus[i]);
        if (!read_int(path, &core)) return count;
        snprintf(path, sizeof path, "%s/cpu%d/topology/physical_package_id", root, cpus[i]);
        if (!read_int(path, &package)) return count;
        int known = 0;
        for (int j = 0; j < distinct && !known; j++)
            known = seen[2 * j] == package && seen[2 * j + 1] == core;
        if (known) continue;
        if (distinct == 1024) return count; /* more cores than we track: no claim below count */
        seen[2 * distinct] = package;
        seen[2 * distinct + 1] = core;
        distinct++;
    }
    return distinct > 0 ? distinct : count;
}

int accel_cpu_physical_cores_of_process(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    int cpus[CPU_SETSIZE], n = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set)) cpus[n++] = c;
    return accel_cpu_physical_cores(cpus, n, "/sys/devices/system/cpu");
}

void accel_cpu_peak_compute(const accel_cpu_features *f, int cores, double clock_mhz, accel_peak_table *peak,
                            double *fp8_tflops, char *how, size_t how_len) {
    memset(peak, 0, sizeof *peak);
    if (fp8_tflops) *fp8_tflops = 0;
    if (how && how_len) how[0] = '\0';
    if (cores <= 0 || !(clock_mhz > 0)) return;
    accel_cpu_flops fl = accel_cpu_flops_per_cycle(f);
    const double per_flop = (double)cores * clock_mhz * 1e6 / 1e12;
    peak->tflops[ACCEL_COMPUTE_F32] = fl.fp32 * per_flop;
    peak->tflops[ACCEL_COMPUTE_TF32] = fl.fp32 * per_flop; /* tf32 is fp32 arithmetic on a CPU */
    peak->tflops[ACCEL_COMPUTE_F64] = fl.fp64 * per_flop;
    peak->tflops[ACCEL_COMPUTE_BF16] = fl.bf16 * per_flop;
    peak->tflops[ACCEL_COMPUTE_F16] = fl.fp16 * per_flop;
    peak->tflops[ACCEL_COMPUTE_F16_ACC16] = fl.fp16 * per_flop;
    if (fp8_tflops) *fp8_tflops = fl.fp8 * per_flop;
    /* 64 characters: "theoretical:<cores>c*<GHz>GHz*<fp32>|<bf16>|<fp16> f32|bf16|f16/cyc", and
     * " ub" when a port count was assumed (the upper bound). */
    char source[160];
    int n = snprintf(source, sizeof source, "theoretical:%dc*%.2fGHz*%g|%g|%g f32|bf16|f16/cyc%s", cores,
                     clock_mhz / 1000.0, fl.fp32, fl.bf16, fl.fp16, fl.ports_assumed ? " ub" : "");
    size_t keep = n < 0 ? 0 : (size_t)n < sizeof peak->source ? (size_t)n : sizeof peak->source - 1;
    memcpy(peak->source, source, keep);
    peak->source[keep] = '\0';
    if (how && how_len)
        snprintf(how, how_len,
                 "peak = %d cores x %.0f MHz x FLOP/cycle/core: fp32 %g (%s, %d x %d-bit%s), bf16 %g (%s), "
                 "fp16 %g (%s), fp8 %g",
                 cores, clock_mhz, fl.fp32, fl.fp32_path, fl.fma_ports ? fl.fma_ports : 1, fl.vector_bits,
                 fl.ports_assumed ? ", assumed: upper bound" : "", fl.bf16, fl.bf16_path, fl.fp16, fl.fp16_path,
                 fl.fp8);
}

void accel_cpu_peak_detect(int cores, accel_peak_table *peak, double *fp8_tflops, char *how, size_t how_len,
                           double *bf16_dot_rate) {
    accel_cpu_features f = accel_cpu_features_detect();
    double measured = 0;
    double clock = accel_cpu_clock_bound_mhz(&measured);
    f.bf16_dot_rate = accel_cpu_bf16_dot_rate_vs_fp32();
    if (bf16_dot_rate) *bf16_dot_rate = f.bf16_dot_rate;
    accel_cpu_peak_compute(&f, cores, clock, peak, fp8_tflops, how, how_len);
    if (how && how_len && how[0]) {
        size_t used = strlen(how);
        snprintf(how + used, how_len - used, "; clock = max(measured %.0f MHz, cpuinfo_max_freq, cpu MHz)",
                 measured);
    }
}
