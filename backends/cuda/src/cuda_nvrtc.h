/* NVRTC, dlopen()ed: compiles the embedded accel kernels (or user GPU C source) for one arch. */
#ifndef ACCEL_CUDA_NVRTC_H
#define ACCEL_CUDA_NVRTC_H

#include <stddef.h>

#include "cuda_symbols.h"

struct accel_cuda_search;

typedef struct accel_cuda_nvrtc {
    void *lib;
    char lib_path[512];   /* the file opened: "/usr/local/cuda-13.0/lib64/libnvrtc.so.13" */
    int major, minor;     /* NVRTC's own version */
    int driver_major;     /* newest CUDA major the driver runs (bounds the NVRTC accepted) */
    accel_cuda_nvrtc_table fn;
    int archs[64];        /* supported sm numbers, ascending */
    int narchs;
    char include_dir[512]; /* holds cuda_fp16.h / cuda_bf16.h; "" when none was found */
    int include_major;     /* CUDA major of those headers; 0 unknown; != major is a mismatch */
} accel_cuda_nvrtc;

/* Finds the newest NVRTC the driver can run (see cuda_libsearch.h). 0 on success; else err says
 * why, and search->refused names every file refused. */
int accel_cuda_nvrtc_load(accel_cuda_nvrtc *nv, struct accel_cuda_search *search, char *err, size_t err_len);
void accel_cuda_nvrtc_unload(accel_cuda_nvrtc *nv);

/* The best target for a device of compute capability sm (e.g. 90): the real arch when NVRTC knows
 * it (a cubin), else PTX for the newest virtual arch NVRTC knows below it, which the driver JITs.
 * Returns 0 when NVRTC knows no arch <= sm. */
int accel_cuda_nvrtc_pick_arch(const accel_cuda_nvrtc *nv, int sm, char *arch_option,
                               size_t len, int *is_cubin);

/* Compiles one source with the embedded kernel headers available by name. arch_option is
 * "--gpu-architecture=sm_90" (cubin) or "=compute_90" (PTX); extra_options may be NULL or a
 * space-separated list. On success *out is malloc'ed (PTX NUL-terminated; size excludes nothing:
 * it is what cuModuleLoadData takes). On failure returns the nvrtcResult and *log (malloc'ed)
 * holds "nvrtcCompileProgram: NVRTC_ERROR_COMPILATION (6)" plus the compiler's log. */
int accel_cuda_nvrtc_compile(const accel_cuda_nvrtc *nv, const char *name, const char *source,
                             const char *arch_option, int want_cubin, const char *extra_options,
                             char **out, size_t *out_size, char **log);

#endif
