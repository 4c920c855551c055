/* cpuid + XCR0 decoding for the host CPU (see cpu_peak.h). */
#include "accel_common/cpu_peak.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <stdint.h>

/* xgetbv by hand: the intrinsic's spelling differs between compilers and versions. */
static uint64_t read_xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static accel_cpu_vendor vendor_of(unsigned b, unsigned c, unsigned d) {
    char id[13];
    memcpy(id, &b, 4);
    memcpy(id + 4, &d, 4);
    memcpy(id + 8, &c, 4);
    id[12] = '\0';
    if (strcmp(id, "GenuineIntel") == 0) return ACCEL_CPU_VENDOR_INTEL;
    if (strcmp(id, "AuthenticAMD") == 0) return ACCEL_CPU_VENDOR_AMD;
    return ACCEL_CPU_VENDOR_OTHER;
}

accel_cpu_features accel_cpu_features_detect(void) {
    accel_cpu_features f;
    memset(&f, 0, sizeof f);
    unsigned a, b, c, d;
    unsigned max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 1) return f;
    __cpuid(0, a, b, c, d);
    f.vendor = vendor_of(b, c, d);
    __cpuid(1, a, b, c, d);
    unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    f.family = base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family;
    f.model = (base_family == 0x6 || base_family == 0xf) ? (((a >> 16) & 0xf) << 4) | base_model : base_model;
    int osxsave = (c >> 27) & 1;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_ok = (xcr0 & 0x6) == 0x6;
    int zmm_ok = ymm_ok && (xcr0 & 0xe0) == 0xe0;
    int tile_ok = (xcr0 & 0x60000) == 0x60000;
    f.avx = ymm_ok && ((c >> 28) & 1);
    f.fma = f.avx && ((c >> 12) & 1);
    f.f16c = f.avx && ((c >> 29) & 1);
    if (max_leaf < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    unsigned max_sub = a;
    f.avx2 = f.avx && ((b >> 5) & 1);
    f.avx512f = zmm_ok && ((b >> 16) & 1);
    f.avx512_vnni = f.avx512f && ((c >> 11) & 1);
    f.avx512_fp16 = f.avx512f && ((d >> 23) & 1);
    f.amx_bf16 = tile_ok && ((d >> 22) & 1);
    f.amx_tile = tile_ok && ((d >> 24) & 1);
    if (max_sub >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        f.avx512_bf16 = f.avx512f && ((a >> 5) & 1);
        f.amx_fp16 = tile_ok && ((a >> 21) & 1);
    }
    return f;
}
#else
accel_cpu_features accel_cpu_features_detect(void) {
    accel_cpu_features f;
    memset(&f, 0, sizeof f);
    return f;
}
#endif
