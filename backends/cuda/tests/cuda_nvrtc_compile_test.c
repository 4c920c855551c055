/* Compiles every embedded kernel source with the real NVRTC (dlopen()ed) to PTX for sm_80, sm_90
 * and sm_100, with the .cu family's contract checks appended (cu_compile_checks.h: each entry's
 * parameter list as the planner launches it, each parameter struct's layout as the host lays it
 * out), and checks that every entry point the planner names is in the PTX. The tensor-core kernels
 * (flash_attention.cu) must carry their mma.sync in that PTX, and are also compiled to cubins for
 * the three archs, so ptxas checks the inline PTX too. Exit 1 with the NVRTC
 * log on any failure; 77 (skipped) when NVRTC cannot be loaded at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_gpu_sources.h"
#include "cu_compile_checks.h"
#include "cuda_libsearch.h"
#include "cuda_nvrtc.h"

int main(void) {
    accel_cuda_nvrtc nv;
    char err[512];
    /* No driver here: search as for the driver the toolkit's libraries need, so the toolkit's own
     * NVRTC is the one compiled with. */
    accel_cuda_search search;
    accel_cuda_search_init(&search, CUDA_VERSION);
    const int loaded = accel_cuda_nvrtc_load(&nv, &search, err, sizeof err);
    accel_cuda_search_free(&search);
    if (loaded != 0) {
        printf("SKIP: %s\n", err);
        return 77;
    }
    printf("%s (NVRTC %d.%d), headers from %s (CUDA %d)\n", nv.lib_path, nv.major, nv.minor,
           nv.include_dir[0] ? nv.include_dir : "(none found)", nv.include_major);
    static const char *const archs[] = {"--gpu-architecture=compute_80", "--gpu-architecture=compute_90",
                                        "--gpu-architecture=compute_100"};
    static const char *const cubin_archs[] = {"--gpu-architecture=sm_80", "--gpu-architecture=sm_90",
                                              "--gpu-architecture=sm_100"};
    const size_t narchs = sizeof archs / sizeof archs[0];
    int failures = 0, checked = 0, asserts = 0;
    if (accel_gpu_kernel_source_count == 0) {
        printf("FAIL: no kernel sources embedded\n");
        return 1;
    }
    for (size_t a = 0; a < narchs; ++a) {
        for (size_t i = 0; i < accel_gpu_kernel_source_count; ++i) {
            const accel_gpu_source *src = &accel_gpu_kernel_sources[i];
            char *ptx = NULL, *log = NULL;
            size_t size = 0;
            static char checks[32768]; /* the largest source (train_norm.cu: 15 entries) with the struct checks */
            const size_t used = accel_cu_compile_checks(src->name, checks, sizeof checks, &asserts);
            char *text = malloc(strlen(src->text) + used + 1);
            if (used >= sizeof checks || !text) {
                printf("FAIL %s: the contract checks do not fit\n", src->name);
                free(text);
                return 1;
            }
            strcpy(text, src->text);
            strcat(text, checks);
            int r = accel_cuda_nvrtc_compile(&nv, src->name, text, archs[a], 0, NULL, &ptx, &size, &log);
            free(text);
            if (r != 0) {
                printf("FAIL %s %s\n%s\n", src->name, archs[a], log ? log : "");
                ++failures;
            } else {
                for (size_t e = 0; e < accel_cu_entry_count; ++e) {
                    if (strcmp(accel_cu_entries[e].source, src->name) != 0) continue;
                    char needle[128];
                    snprintf(needle, sizeof needle, ".entry %s(", accel_cu_entries[e].entry);
                    if (!strstr(ptx, needle)) {
                        printf("FAIL %s %s: entry %s missing from PTX\n", src->name, archs[a],
                               accel_cu_entries[e].entry);
                        ++failures;
                    }
                    ++checked;
                }
                if (strcmp(src->name, "flash_attention.cu") == 0 && !strstr(ptx, "mma.sync.aligned.m16n8k16")) {
                    printf("FAIL %s %s: no mma.sync in the PTX (the tensor-core path was not compiled)\n",
                           src->name, archs[a]);
                    ++failures;
                }
                printf("ok   %-18s %s (%zu bytes PTX)\n", src->name, archs[a] + 19, size);
            }
            free(ptx);
            free(log);
        }
    }
    /* cubins: ptxas assembles the inline mma.sync for each arch */
    const accel_gpu_source *flash = accel_gpu_kernel_source_find("flash_attention.cu");
    if (!flash) {
        printf("FAIL: flash_attention.cu is not embedded\n");
        ++failures;
    }
    for (size_t a = 0; flash && a < narchs; ++a) {
        char *bin = NULL, *log = NULL;
        size_t size = 0;
        int r = accel_cuda_nvrtc_compile(&nv, flash->name, flash->text, cubin_archs[a], 1, NULL, &bin, &size, &log);
        if (r != 0 || size < 4 || memcmp(bin, "\177ELF", 4) != 0) {
            printf("FAIL %s %s cubin\n%s\n", flash->name, cubin_archs[a], log ? log : "");
            ++failures;
        } else {
            printf("ok   %-18s %s (%zu bytes cubin)\n", flash->name, cubin_archs[a] + 19, size);
        }
        free(bin);
        free(log);
    }
    if (checked != (int)narchs * (int)accel_cu_entry_count) {
        printf("FAIL: %d entry checks for %zu entries (a source the planner names is not embedded)\n", checked,
               accel_cu_entry_count);
        ++failures;
    }
    printf("%d entries in PTX, %d signature and layout asserts passed in the device compiler\n", checked, asserts);
    accel_cuda_nvrtc_unload(&nv);
    return failures ? 1 : 0;
}
