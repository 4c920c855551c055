/* accel_device_info and telemetry for the host CPU: /proc, /sys, sysconf, cpuid. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cpu_internal.h"
#include "cpu_isa.h"

/* Truncating copy (the info fields are fixed-size; a cut name is still a useful name). */
static void copy_str(char *dst, size_t len, const char *src) {
    size_t n = strlen(src);
    if (n >= len) n = len - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* First value of "key : value" in /proc/cpuinfo. */
static int cpuinfo_field(const char *key, char *out, size_t len) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return 0;
    char line[1024];
    size_t klen = strlen(key);
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0) continue;
        char *colon = strchr(line, ':');
        if (!colon) continue;
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        v[strcspn(v, "\n")] = '\0';
        copy_str(out, len, v);
        found = 1;
        break;
    }
    fclose(f);
    return found;
}

static uint64_t parse_size_with_suffix(const char *s) {
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (end && (*end == 'K' || *end == 'k')) v <<= 10;
    else if (end && (*end == 'M' || *end == 'm')) v <<= 20;
    return v;
}

/* Largest cache visible from cpu0 (the LLC); sysconf first, sysfs when glibc does not know. */
/* sysfs first: it describes the caches this CPU really sees. glibc's sysconf answer comes from
 * cpuid and can be far off in a VM (320 MiB of L3 reported on a 2-vCPU guest whose sysfs says
 * 32 MiB), which made stream arrays ten times larger than needed. */
static uint64_t last_level_cache_bytes(void) {
    uint64_t best = 0;
    for (int i = 0; i < 8; i++) {
        char path[128], buf[64];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        FILE *f = fopen(path, "r");
        if (!f) break;
        if (fgets(buf, sizeof buf, f)) {
            uint64_t v = parse_size_with_suffix(buf);
            if (v > best) best = v;
        }
        fclose(f);
    }
#ifdef _SC_LEVEL3_CACHE_SIZE
    if (best == 0) {
        long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
        if (l3 > 0) best = (uint64_t)l3;
    }
#endif
    return best;
}

static uint64_t physical_memory_bytes(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) return (uint64_t)pages * (uint64_t)page;
    char v[64];
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return 0;
    uint64_t kb = 0;
    while (fgets(v, sizeof v, f))
        if (sscanf(v, "MemTotal: %" SCNu64 " kB", &kb) == 1) break;
    fclose(f);
    return kb * 1024u;
}

static int max_clock_mhz(void) {
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "r");
    long khz = 0;
    if (f) {
        if (fscanf(f, "%ld", &khz) != 1) khz = 0;
        fclose(f);
    }
    return (int)(khz / 1000);
}

static void append_word(char *dst, size_t len, const char *word) {
    size_t used = strlen(dst);
    snprintf(dst + used, len - used, "%s%s", used ? " " : "", word);
}

accel_status cpu_device_info_fill(cpu_device *dev, accel_device_info *info) {
    cpu_context *ctx = dev->ctx;
    cpu_isa isa = cpu_isa_detect();
    char buf[256];

    info->type = ACCEL_DEVICE_CPU;
    if (!cpuinfo_field("model name", info->name, sizeof info->name))
        snprintf(info->name, sizeof info->name, "unknown CPU");
    if (cpuinfo_field("vendor_id", buf, sizeof buf)) {
        const char *v = strcmp(buf, "AuthenticAMD") == 0   ? "AMD"
                        : strcmp(buf, "GenuineIntel") == 0 ? "Intel"
                                                           : buf;
        copy_str(info->vendor, sizeof info->vendor, v);
    }
    struct utsname u;
    if (uname(&u) == 0) copy_str(info->driver_version, sizeof info->driver_version, u.release);
#ifdef ACCEL_CPU_HAVE_ONEDNN
    cpu_onednn_version(info->runtime_version, sizeof info->runtime_version);
#endif
    info->isa[0] = '\0';
    if (isa.avx2) append_word(info->isa, sizeof info->isa, "AVX2");
    if (isa.fma) append_word(info->isa, sizeof info->isa, "FMA");
    if (isa.f16c) append_word(info->isa, sizeof info->isa, "F16C");
    if (isa.avx512f) append_word(info->isa, sizeof info->isa, "AVX-512");
    if (isa.avx512_vnni) append_word(info->isa, sizeof info->isa, "AVX512_VNNI");
    if (isa.avx512_bf16) append_word(info->isa, sizeof info->isa, "AVX512_BF16");
    if (isa.avx512_fp16) append_word(info->isa, sizeof info->isa, "AVX512_FP16");
    if (isa.amx_bf16) append_word(info->isa, sizeof info->isa, "AMX-BF16");
    if (isa.amx_fp16) append_word(info->isa, sizeof info->isa, "AMX-FP16");
    if (isa.amx_tile) append_word(info->isa, sizeof info->isa, "AMX-TILE");

    info->compute_units = ctx->cores;
    info->max_clock_mhz = max_clock_mhz();
    if (cpuinfo_field("cpu MHz", buf, sizeof buf)) info->clock_mhz = (int)atof(buf);
    info->memory_bytes = physical_memory_bytes();
    info->max_alloc_bytes = info->memory_bytes;
    info->cache_bytes = last_level_cache_bytes();
    info->features = ACCEL_FEATURE_FP64 | ACCEL_FEATURE_UNIFIED_MEMORY;
    if (isa.avx512_bf16 || isa.amx_bf16) info->features |= ACCEL_FEATURE_BF16;
    if (isa.avx512_fp16) info->features |= ACCEL_FEATURE_FP16;
    if (isa.avx512_vnni || isa.amx_tile) info->features |= ACCEL_FEATURE_INT8;
    if (isa.amx_tile) info->features |= ACCEL_FEATURE_MATRIX_UNITS;
    info->module_formats = 1u << ACCEL_MODULE_CPU_TABLE;
    info->ecc_enabled = -1;
    info->mig_enabled = -1;
    info->numa_node = -1;

    info->op_libraries[0] = '\0';
    if (ctx->onednn) append_word(info->op_libraries, sizeof info->op_libraries, "onednn");
    if (ctx->openblas) append_word(info->op_libraries, sizeof info->op_libraries, "openblas");
    append_word(info->op_libraries, sizeof info->op_libraries, "accel");
    for (char *p = info->op_libraries; *p; p++)
        if (*p == ' ') *p = ',';

    info->vendor_peak = ctx->peak;
    if (ACCEL_DEVICE_INFO_HAS_FP8_PEAK(info)) info->vendor_peak_fp8_tflops = ctx->peak_fp8_tflops;

    snprintf(info->notes, sizeof info->notes, "threads=%d", ctx->threads);
    if (!ctx->onednn) {
        size_t used = strlen(info->notes);
        copy_str(info->notes + used, sizeof info->notes - used, "; no oneDNN: ");
        used = strlen(info->notes);
        copy_str(info->notes + used, sizeof info->notes - used, ctx->onednn_reason);
    }
    /* Before the peak's formula, which may fill the rest of the 255 characters. */
    if (ctx->bf16_dot_vs_fp32 > 0.0) {
        size_t used = strlen(info->notes);
        snprintf(info->notes + used, sizeof info->notes - used, "; bf16 dot %.2fx fp32 FMA (measured): bf16 on %s kernels",
                 ctx->bf16_dot_vs_fp32, cpu_bf16_prefers_f32(ctx) ? "fp32" : "bf16");
    }
    if (ctx->peak_how[0]) {
        size_t used = strlen(info->notes);
        snprintf(info->notes + used, sizeof info->notes - used, "; %s", ctx->peak_how);
    }
    return ACCEL_OK;
}

/* Mean of every core's "cpu MHz". */
static int cpuinfo_mean_mhz(double *out) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return 0;
    char line[1024];
    double sum = 0;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        double mhz;
        if (strncmp(line, "cpu MHz", 7) == 0 && sscanf(strchr(line, ':') + 1, "%lf", &mhz) == 1) {
            sum += mhz;
            n++;
        }
    }
    fclose(f);
    if (n) *out = sum / n;
    return n > 0;
}

accel_status cpu_device_telemetry_read(void *vdev, accel_device_telemetry *out) {
    cpu_device *dev = vdev;
    out->clock_mhz = out->memory_clock_mhz = out->power_w = out->energy_j = -1;
    out->temperature_c = -1;
    out->throttle_reasons[0] = '\0';
    int any = cpuinfo_mean_mhz(&out->clock_mhz);
    char why[sizeof dev->rapl.reason] = "";
    const int energy = cpu_rapl_read(&dev->rapl, &out->energy_j, why, sizeof why) == 0;
    any |= energy;
    if (!any)
        return dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                         "cpu telemetry: no \"cpu MHz\" in /proc/cpuinfo; energy: %s",
                                         why);
    if (ACCEL_STRUCT_HAS(out, accel_device_telemetry, energy_source))
        snprintf(out->energy_source, sizeof out->energy_source, "%s", energy ? "rapl" : why);
    return ACCEL_OK;
}
