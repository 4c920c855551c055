/* Compiles every embedded kernel source with the real NVRTC (dlopen()ed) to PTX for sm_80 and
 * sm_90, and checks that every entry point the plugin looks up is in the PTX. Exit 1 with the NVRTC
 * log on any failure; 77 (skipped) when NVRTC cannot be loaded at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_gpu_sources.h"
#include "cuda_kernel_names.h"
#include "cuda_libsearch.h"
#include "cuda_nvrtc.h"

typedef struct entry { const char *source, *name; } entry;
#define ENTRY(src, name) {src, name},
static const entry entries[] = {ACCEL_CUDA_KERNEL_ENTRIES(ENTRY)};

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
    static const char *const archs[] = {"--gpu-architecture=compute_80", "--gpu-architecture=compute_90"};
    int failures = 0, checked = 0;
    if (accel_gpu_kernel_source_count == 0) {
        printf("FAIL: no kernel sources embedded\n");
        return 1;
    }
    for (size_t a = 0; a < 2; ++a) {
        for (size_t i = 0; i < accel_gpu_kernel_source_count; ++i) {
            const accel_gpu_source *src = &accel_gpu_kernel_sources[i];
            char *ptx = NULL, *log = NULL;
            size_t size = 0;
            int r = accel_cuda_nvrtc_compile(&nv, src->name, src->text, archs[a], 0, NULL, &ptx,
                                             &size, &log);
            if (r != 0) {
                printf("FAIL %s %s\n%s\n", src->name, archs[a], log ? log : "");
                ++failures;
            } else {
                for (size_t e = 0; e < sizeof entries / sizeof entries[0]; ++e) {
                    if (strcmp(entries[e].source, src->name) != 0) continue;
                    char needle[128];
                    snprintf(needle, sizeof needle, ".entry %s(", entries[e].name);
                    if (!strstr(ptx, needle)) {
                        printf("FAIL %s %s: entry %s missing from PTX\n", src->name, archs[a],
                               entries[e].name);
                        ++failures;
                    }
                    ++checked;
                }
                printf("ok   %-14s %s (%zu bytes PTX)\n", src->name, archs[a] + 19, size);
            }
            free(ptx);
            free(log);
        }
    }
    if (checked != 2 * (int)(sizeof entries / sizeof entries[0])) {
        printf("FAIL: %d entry checks for %zu entries (a source named in cuda_kernel_names.h is "
               "not embedded)\n", checked, sizeof entries / sizeof entries[0]);
        ++failures;
    }
    accel_cuda_nvrtc_unload(&nv);
    return failures ? 1 : 0;
}
