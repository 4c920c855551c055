/* Runtime compilation of GPU C (HIP C++) source with hiprtc for one ISA, and the on-disk cache of the
 * resulting code objects. No host services here, so the hiprtc test program uses the same code. */
#ifndef ACCEL_HIP_RTC_H
#define ACCEL_HIP_RTC_H

#include "hip_api.h"
#include "accel/status.h"

typedef struct hip_rtc_result {
    void *code;       /* malloc'ed code object (caller frees) */
    size_t code_size;
    char message[2048]; /* on failure: "hiprtcCompileProgram: HIPRTC_ERROR_COMPILATION (6): <log>" */
    char *log;          /* malloc'ed full compile log on failure, else NULL (caller frees) */
    int used_compat_headers; /* the hiprtc5 stand-ins were offered */
} hip_rtc_result;

/* Compiles one source for arch ("gfx942"). Every embedded header (hip_kernel_sources.h) is offered
 * to hiprtc by name, so the shared sources' #include "accel_gpu_port.h" resolves; with a HIP
 * runtime older than 6.0 the hiprtc5 stand-ins for hip/hip_fp16.h and hip/hip_bf16.h too. extra_options is
 * blank-separated options or NULL. UNAVAILABLE when hiprtc is absent, DEVICE on a compile failure. */
accel_status hip_rtc_compile(const hip_api *api, const char *name, const char *source,
                             const char *arch, const char *extra_options, hip_rtc_result *out);

/* hiprtc's version as "hiprtc 6.1" (or the library name): part of the cache key. */
void hip_rtc_version(const hip_api *api, char *out, size_t out_len);

/* Compiles through the disk cache ($ACCEL_CACHE_DIR/hip/<arch>, else
 * $XDG_CACHE_HOME/accelbench/hip/<arch>, else ~/.cache/accelbench/hip/<arch>): the key hashes
 * source, headers, arch, options and hiprtc version. A cache read or write failure only costs a
 * compile. */
accel_status hip_rtc_compile_cached(const hip_api *api, const char *name, const char *source,
                                    const char *arch, const char *extra_options,
                                    hip_rtc_result *out, int *cache_hit);

#endif
