/* NVRTC compilation behind the disk cache (accel_common/rtc_cache.h) in
 * ${ACCEL_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/accelbench}/cuda/<source>-<arch>-<key>.{cubin,ptx}.
 * The key covers the source, the embedded headers, the options, the arch, the NVRTC version and the
 * toolkit headers it compiles against. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_common/rtc_cache.h"
#include "accel_gpu_sources.h"
#include "cuda_internal.h"

accel_status accel_cuda_compile_cached(accel_cuda_device *dev, const char *name, const char *source,
                                       const char *options, char **image, size_t *image_size) {
    accel_cuda_ctx *ctx = dev->ctx;
    *image = NULL;
    if (!ctx->nvrtc_ok)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "GPU C source needs NVRTC: %s", ctx->nvrtc_reason);
    char arch[64];
    int cubin = 0;
    if (!accel_cuda_nvrtc_pick_arch(&ctx->nvrtc, dev->sm, arch, sizeof arch, &cubin))
        return ctx->host->set_error(ACCEL_ERR_INCOMPATIBLE, "%s (NVRTC %d.%d) knows no arch <= sm_%d",
                                    ctx->nvrtc.lib_path, ctx->nvrtc.major, ctx->nvrtc.minor, dev->sm);

    accel_rtc_key key;
    accel_rtc_key_init(&key);
    accel_rtc_key_add_str(&key, source);
    for (size_t i = 0; i < accel_gpu_kernel_header_count; ++i) {
        accel_rtc_key_add_str(&key, accel_gpu_kernel_headers[i].name);
        accel_rtc_key_add_str(&key, accel_gpu_kernel_headers[i].text);
    }
    accel_rtc_key_add_str(&key, options);
    accel_rtc_key_add_str(&key, arch);
    accel_rtc_key_add(&key, &ctx->nvrtc.major, sizeof ctx->nvrtc.major);
    accel_rtc_key_add(&key, &ctx->nvrtc.minor, sizeof ctx->nvrtc.minor);
    accel_rtc_key_add_str(&key, ctx->nvrtc.include_dir);
    char hex[33];
    accel_rtc_key_hex(&key, hex);

    char safe[64];
    size_t j = 0;
    for (const char *c = name; *c && j + 1 < sizeof safe; ++c)
        safe[j++] = (*c == '/' || *c == ' ') ? '_' : *c;
    safe[j] = '\0';
    const char *short_arch = strchr(arch, '=') ? strchr(arch, '=') + 1 : arch;
    char path[600] = "";
    if (ctx->cache_dir[0]) {
        snprintf(path, sizeof path, "%s/%s-%s-%s.%s", ctx->cache_dir, safe, short_arch, hex, cubin ? "cubin" : "ptx");
        char *cached = accel_rtc_cache_read(path, image_size);
        if (cached) {
            *image = cached;
            return ACCEL_OK;
        }
    }

    char *log = NULL;
    int r = accel_cuda_nvrtc_compile(&ctx->nvrtc, name, source, arch, cubin, options, image,
                                     image_size, &log);
    if (r != 0) {
        accel_status st = ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "%s", log ? log : "nvrtc failed");
        free(log);
        return st;
    }
    free(log);
    if (path[0]) (void)accel_rtc_cache_write(path, *image, *image_size);
    return ACCEL_OK;
}
