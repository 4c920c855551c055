/* NVRTC compilation behind a disk cache: ${ACCEL_CACHE_DIR:-~/.cache/accelbench}/cuda/
 * <source>-<arch>-<hash>.{cubin,ptx}. The hash covers the source, the embedded headers, the
 * options, the arch and the NVRTC version, so a changed kernel or compiler never reuses a stale
 * binary. The cache is an optimisation only: any failure to read or write it just recompiles. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel_gpu_sources.h"
#include "cuda_internal.h"

static uint64_t fnv1a(uint64_t h, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; ++i) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t fnv1a_str(uint64_t h, const char *s) {
    return fnv1a(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static int mkdir_p(const char *path) {
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; ++p) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return (mkdir(tmp, 0755) == 0 || errno == EEXIST) ? 0 : -1;
}

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *data = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n > 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)n + 1);
        if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    if (data) {
        data[n] = '\0';
        *size = (size_t)n;
    }
    return data;
}

static void write_file_atomic(const char *path, const char *data, size_t size) {
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) return;
    const int ok = fwrite(data, 1, size, f) == size;
    if (fclose(f) == 0 && ok && rename(tmp, path) == 0) return;
    unlink(tmp);
}

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

    uint64_t h = 14695981039346656037ull;
    h = fnv1a_str(h, source);
    for (size_t i = 0; i < accel_gpu_kernel_header_count; ++i) {
        h = fnv1a_str(h, accel_gpu_kernel_headers[i].name);
        h = fnv1a_str(h, accel_gpu_kernel_headers[i].text);
    }
    h = fnv1a_str(h, options);
    h = fnv1a_str(h, arch);
    h = fnv1a(h, &ctx->nvrtc.major, sizeof ctx->nvrtc.major);
    h = fnv1a(h, &ctx->nvrtc.minor, sizeof ctx->nvrtc.minor);
    h = fnv1a_str(h, ctx->nvrtc.include_dir);

    char safe[64];
    size_t j = 0;
    for (const char *c = name; *c && j + 1 < sizeof safe; ++c)
        safe[j++] = (*c == '/' || *c == ' ') ? '_' : *c;
    safe[j] = '\0';
    const char *short_arch = strchr(arch, '=') ? strchr(arch, '=') + 1 : arch;
    char path[600] = "";
    if (ctx->cache_dir[0]) {
        snprintf(path, sizeof path, "%s/%s-%s-%016llx.%s", ctx->cache_dir, safe, short_arch,
                 (unsigned long long)h, cubin ? "cubin" : "ptx");
        char *cached = read_file(path, image_size);
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
    if (path[0] && mkdir_p(ctx->cache_dir) == 0) write_file_atomic(path, *image, *image_size);
    return ACCEL_OK;
}
