/* An upper bound of the core clock (see cpu_peak.h). VMs often have no cpufreq, and their
 * "cpu MHz" is the nominal TSC rate, below the turbo clock the cores really run at: a peak computed
 * from it would let measured rows exceed 100%. So the clock is also measured. */
#define _GNU_SOURCE
#include "accel_common/cpu_peak.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHAIN_LATENCY_CYCLES 3 /* imul r64, r64 on every x86-64 core since Nehalem and Zen */
#define CHAIN_PER_ITER 8
#define CHAIN_ITERS 100000     /* 2.4M cycles: ~1 ms at 2-3 GHz */
#define CHAIN_TRIALS 25
#define WARMUP_NS 20e6         /* lets a core leave its idle clock before the trials */

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

#if defined(__x86_64__)
/* Each imul depends on the previous one, so the chain takes iters x 8 x 3 cycles whatever the
 * core's width; the loop counter runs beside it. */
static uint64_t imul_chain(uint64_t x, long iters) {
    for (long i = 0; i < iters; i++)
        __asm__ volatile("imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0\n\t"
                         "imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0"
                         : "+r"(x));
    return x;
}

double accel_cpu_clock_measure_mhz(void) {
    volatile uint64_t sink = 0;
    double start = now_ns();
    while (now_ns() - start < WARMUP_NS)
        sink += imul_chain(3, CHAIN_ITERS / 10);
    double best = 0;
    /* A trial the scheduler interrupted reads low, never high: the fastest trial is the clock. */
    for (int t = 0; t < CHAIN_TRIALS; t++) {
        double t0 = now_ns();
        sink += imul_chain(3 + (uint64_t)t, CHAIN_ITERS);
        double ns = now_ns() - t0;
        double mhz = ns > 0 ? (double)CHAIN_ITERS * CHAIN_PER_ITER * CHAIN_LATENCY_CYCLES / ns * 1e3 : 0;
        if (mhz > best) best = mhz;
    }
    (void)sink;
    return best;
}
#else
double accel_cpu_clock_measure_mhz(void) { return 0; }
#endif

/* Highest cpuinfo_max_freq over the CPUs that have one (kHz in sysfs). */
static double sysfs_max_mhz(void) {
    double best = 0;
    for (int cpu = 0; cpu < 4096; cpu++) {
        char path[128];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpufreq/cpuinfo_max_freq", cpu);
        FILE *f = fopen(path, "r");
        if (!f) {
            if (cpu > 0) break;
            continue; /* cpu0 may be offline-capable without cpufreq; look at a few more */
        }
        long khz = 0;
        if (fscanf(f, "%ld", &khz) == 1 && khz / 1000.0 > best) best = khz / 1000.0;
        fclose(f);
    }
    return best;
}

static double proc_cpuinfo_max_mhz(void) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return 0;
    char line[512];
    double best = 0;
    while (fgets(line, sizeof line, f)) {
        double mhz;
        const char *colon = strchr(line, ':');
        if (strncmp(line, "cpu MHz", 7) == 0 && colon && sscanf(colon + 1, "%lf", &mhz) == 1 && mhz > best)
            best = mhz;
    }
    fclose(f);
    return best;
}

double accel_cpu_clock_bound_mhz(double *measured_mhz) {
    double measured = accel_cpu_clock_measure_mhz();
    if (measured_mhz) *measured_mhz = measured;
    double best = measured;
    double v = sysfs_max_mhz();
    if (v > best) best = v;
    v = proc_cpuinfo_max_mhz();
    if (v > best) best = v;
    return best;
}
