#include <cpuid.h>
#include <stdint.h>

#include "cpu_isa.h"

/* xgetbv by hand: the intrinsic's spelling differs between compilers and versions. */
static uint64_t read_xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

cpu_isa cpu_isa_detect(void) {
    cpu_isa isa = {0};
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return isa;
    int osxsave = (c >> 27) & 1;
    int fma = (c >> 12) & 1, f16c = (c >> 29) & 1, avx = (c >> 28) & 1;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_ok = (xcr0 & 0x6) == 0x6;
    int zmm_ok = ymm_ok && (xcr0 & 0xe0) == 0xe0;
    int tile_ok = (xcr0 & 0x60000) == 0x60000;
    isa.fma = ymm_ok && fma && avx;
    isa.f16c = ymm_ok && f16c && avx;
    if (__get_cpuid_max(0, 0) < 7) return isa;
    __cpuid_count(7, 0, a, b, c, d);
    isa.avx2 = ymm_ok && ((b >> 5) & 1);
    isa.avx512f = zmm_ok && ((b >> 16) & 1);
    isa.avx512_vnni = isa.avx512f && ((c >> 11) & 1);
    isa.avx512_fp16 = isa.avx512f && ((d >> 23) & 1);
    isa.amx_bf16 = tile_ok && ((d >> 22) & 1);
    isa.amx_tile = tile_ok && ((d >> 24) & 1);
    unsigned max_sub = a;
    if (max_sub >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        isa.avx512_bf16 = isa.avx512f && ((a >> 5) & 1);
        isa.amx_fp16 = tile_ok && ((a >> 21) & 1);
    }
    return isa;
}
