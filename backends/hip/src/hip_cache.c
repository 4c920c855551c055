/* On-disk cache of hiprtc code objects, one file per (source, headers, arch, options, hiprtc). */
#define _POSIX_C_SOURCE 200809L
#include "hip_kernel_sources.h"
#include "hip_rtc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hip_cache_dir(char *out, size_t out_len) {
    const char *base = getenv("ACCEL_CACHE_DIR");
    int n;
    if (base && base[0])
        n = snprintf(out, out_len, "%s/hip", base);
    else if ((base = getenv("XDG_CACHE_HOME")) && base[0])
        n = snprintf(out, out_len, "%s/accelbench/hip", base);
    else if ((base = getenv("HOME")) && base[0])
        n = snprintf(out, out_len, "%s/.cache/accelbench/hip", base);
    else
        return -1;
    return (n > 0 && (size_t)n < out_len) ? 0 : -1;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t size) {
    const unsigned char *p = data;
    for (size_t i = 0; i < size; ++i) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t fnv1a_str(uint64_t h, const char *s) {
    return fnv1a(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static int mkdir_p(const char *path) {
    char tmp[1024];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return -1;
    for (char *p = tmp + 1; *p; ++p) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return (mkdir(tmp, 0755) == 0 || errno == EEXIST) ? 0 : -1;
}

static int read_file(const char *path, void **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int rc = -1;
    if (fseek(f, 0, SEEK_END) == 0) {
        long len = ftell(f);
        if (len > 0 && fseek(f, 0, SEEK_SET) == 0) {
            void *buf = malloc((size_t)len);
            if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
                *data = buf;
                *size = (size_t)len;
                rc = 0;
            } else {
                free(buf);
            }
        }
    }
    fclose(f);
    return rc;
}

/* Write to a private temporary name, then rename: concurrent workers never see half a file. */
static void write_file_atomic(const char *path, const void *data, size_t size) {
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return;
    int ok = fwrite(data, 1, size, f) == size;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0)
        (void)remove(tmp);
}

accel_status hip_rtc_compile_cached(const hip_api *api, const char *name, const char *source,
                                    const char *arch, const char *extra_options,
                                    hip_rtc_result *out, int *cache_hit) {
    *cache_hit = 0;
    out->log = NULL;
    out->used_compat_headers = 0;
    char version[96];
    hip_rtc_version(api, version, sizeof version);
    uint64_t h = 14695981039346656037ull;
    h = fnv1a_str(h, source);
    for (size_t i = 0; i < hip_kernel_headers_count; ++i) {
        h = fnv1a_str(h, hip_kernel_headers[i].name);
        h = fnv1a_str(h, hip_kernel_headers[i].text);
    }
    h = fnv1a_str(h, arch);
    h = fnv1a_str(h, extra_options);
    h = fnv1a_str(h, version);

    char dir[900], path[1024];
    int have_dir = hip_cache_dir(dir, sizeof dir) == 0;
    if (have_dir) {
        size_t len = strlen(dir);
        snprintf(dir + len, sizeof dir - len, "/%s", arch);
        snprintf(path, sizeof path, "%s/%016llx.hsaco", dir, (unsigned long long)h);
        out->message[0] = '\0';
        if (read_file(path, &out->code, &out->code_size) == 0) {
            *cache_hit = 1;
            return ACCEL_OK;
        }
    }
    accel_status st = hip_rtc_compile(api, name, source, arch, extra_options, out);
    if (st == ACCEL_OK && have_dir && mkdir_p(dir) == 0)
        write_file_atomic(path, out->code, out->code_size);
    return st;
}
