/* Compiles every embedded .cu kernel source (backends/gpu_common/kernels) with hiprtc for one ISA
 * (default gfx90a), with no GPU needed, and with the family's contract checks appended
 * (cu_compile_checks.h: each entry's parameters as the planner launches it, each by-value struct's
 * layout as the host compiler lays it out; for flash_attention.cu, that the MFMA body is compiled
 * exactly where the planner picks it), so the AMD compiler checks them too. Exits 1 with the
 * compile log on any failure, 77 (ctest SKIP_RETURN_CODE) with the reason when hiprtc itself is
 * absent. */
#include "cu_compile_checks.h"
#include "hip_api.h"
#include "hip_arch.h"
#include "hip_kernel_sources.h"
#include "hip_rtc.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SKIP = 77 };

int main(int argc, char **argv) {
    const char *arch = argc > 1 ? argv[1] : "gfx90a";
    hip_api api;
    char reason[512] = "";
    if (hip_api_open(&api, 0, reason, sizeof reason) != ACCEL_OK) {
        printf("SKIP: %s\n", reason);
        return SKIP;
    }
    if (!hip_api_has_rtc(&api)) {
        printf("SKIP: no hiprtc in libhiprtc.so.6/.so.5 or %s\n", api.hip_lib_name);
        hip_api_close(&api);
        return SKIP;
    }
    if (hip_kernel_sources_count == 0) {
        printf("FAIL: no kernel sources embedded (backends/gpu_common/kernels/*.cu)\n");
        hip_api_close(&api);
        return 1;
    }
    char version[96];
    hip_rtc_version(&api, version, sizeof version);
    int failures = 0;
    for (size_t i = 0; i < hip_kernel_sources_count; ++i) {
        const hip_source *src = &hip_kernel_sources[i];
        static char asserts[32768]; /* the largest source (train_norm.cu: 15 entries) with the struct checks */
        int nchecks = 0;
        if (accel_cu_compile_checks(src->name, asserts, sizeof asserts, &nchecks) >= sizeof asserts) {
            printf("FAIL %s: the contract checks do not fit\n", src->name);
            return 1;
        }
        /* The planner picks the flash kernel's MFMA entry by hip_arch_has_flash_mfma(); the kernel
         * compiles its MFMA body by its own test of the ISA: both must agree, or the MFMA entry
         * runs the portable body on a CDNA GPU (or fails to compile on another). */
        char mfma_check[192] = "";
        if (strcmp(src->name, "flash_attention.cu") == 0)
            snprintf(mfma_check, sizeof mfma_check,
                     "\nstatic_assert(ACCEL_HAS_MFMA_16X16X16 == %d, \"the MFMA body and "
                     "hip_arch_has_flash_mfma(%s) disagree\");\n",
                     hip_arch_has_flash_mfma(arch), arch);
        size_t n = src->size + strlen(asserts) + strlen(mfma_check) + 1;
        char *text = malloc(n);
        if (!text)
            return 1;
        snprintf(text, n, "%s%s%s", src->text, asserts, mfma_check);
        hip_rtc_result r;
        accel_status st = hip_rtc_compile(&api, src->name, text, arch, NULL, &r);
        free(text);
        if (st != ACCEL_OK) {
            printf("FAIL %s for %s with %s:\n%s\n", src->name, arch, version,
                   r.log ? r.log : r.message);
            free(r.log);
            ++failures;
            continue;
        }
        /* A code object is an ELF or a clang offload bundle of ELFs. */
        int elf = r.code_size > 4 && memcmp(r.code, "\177ELF", 4) == 0;
        int bundle = r.code_size > 24 && memcmp(r.code, "__CLANG_OFFLOAD_BUNDLE__", 24) == 0;
        if (!elf && !bundle) {
            printf("FAIL %s: hiprtc returned %zu bytes that are neither ELF nor an offload bundle\n",
                   src->name, r.code_size);
            ++failures;
        } else {
            printf("ok   %s -> %zu bytes (%s), %d signature and layout asserts hold\n", src->name, r.code_size,
                   elf ? "ELF" : "bundle", nchecks);
        }
        free(r.code);
    }
    hip_api_close(&api);
    printf("%d of %zu sources failed (%s, %s)\n", failures, hip_kernel_sources_count, arch, version);
    return failures ? 1 : 0;
}
