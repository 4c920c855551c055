/* File layout: 8-byte magic, u64 payload size, u64 checksum of the payload (the first key lane
 * over it), payload. The layout and magic are those the opencl backend has always written, so its
 * existing cache files stay valid. */
#define _POSIX_C_SOURCE 200809L
#include "accel_common/rtc_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char cache_magic[8] = {'A', 'C', 'L', 'P', 'R', 'G', '1', '\n'};
enum { MAX_PAYLOAD_BITS = 31 };

/* The opencl backend's seeds, so the names of its existing cache files stay the same. */
void accel_rtc_key_init(accel_rtc_key *key) {
    key->a = 0xcbf29ce484222325ull;
    key->b = 0x84222325cbf29ce4ull;
}

void accel_rtc_key_add(accel_rtc_key *key, const void *data, size_t size) {
    const unsigned char *p = data;
    for (size_t i = 0; i < size; i++) {
        key->a = (key->a ^ p[i]) * 0x100000001b3ull;
        key->b = (key->b ^ p[i]) * 0x100000001b3ull;
        key->b ^= key->b >> 29;
    }
    key->a = (key->a ^ 0xff) * 0x100000001b3ull;
    key->b = (key->b ^ 0xfe) * 0x100000001b3ull;
}

void accel_rtc_key_add_str(accel_rtc_key *key, const char *text) {
    accel_rtc_key_add(key, text ? text : "", text ? strlen(text) : 0);
}

void accel_rtc_key_hex(const accel_rtc_key *key, char out[33]) {
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)key->a, (unsigned long long)key->b);
}

static uint64_t checksum(const void *data, size_t size) {
    accel_rtc_key k;
    accel_rtc_key_init(&k);
    accel_rtc_key_add(&k, data, size);
    return k.a; /* the first lane alone, as the opencl backend has always written it */
}

int accel_rtc_cache_dir(const char *backend, unsigned flags, char *out, size_t out_len) {
    const char *env = getenv("ACCEL_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (env && env[0])
        n = (flags & ACCEL_RTC_CACHE_ENV_FLAT) ? snprintf(out, out_len, "%s", env)
                                               : snprintf(out, out_len, "%s/%s", env, backend);
    else if (xdg && xdg[0])
        n = snprintf(out, out_len, "%s/accelbench/%s", xdg, backend);
    else if (home && home[0])
        n = snprintf(out, out_len, "%s/.cache/accelbench/%s", home, backend);
    else
        return -1;
    return n > 0 && (size_t)n < out_len ? 0 : -1;
}

/* mkdir -p of the folder holding path. */
static int make_parent_dirs(const char *path) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) return -1;
    char *last = strrchr(tmp, '/');
    if (!last || last == tmp) return 0;
    *last = '\0';
    for (char *p = tmp + 1; *p; ++p) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

void *accel_rtc_cache_read(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char magic[8];
    uint64_t n = 0, sum = 0;
    unsigned char *data = NULL;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, cache_magic, 8) != 0 || fread(&n, sizeof n, 1, f) != 1 ||
        fread(&sum, sizeof sum, 1, f) != 1 || n == 0 || n > ((uint64_t)1 << MAX_PAYLOAD_BITS))
        goto bad;
    data = malloc((size_t)n + 1);
    if (!data || fread(data, 1, (size_t)n, f) != n || fgetc(f) != EOF || checksum(data, (size_t)n) != sum) goto bad;
    fclose(f);
    data[n] = '\0';
    *size = (size_t)n;
    return data;
bad:
    free(data);
    fclose(f);
    return NULL;
}

int accel_rtc_cache_write(const char *path, const void *data, size_t size) {
    if (size == 0 || make_parent_dirs(path) != 0) return -1;
    /* A name private to this process and thread: two device handles may write the same file at once. */
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%lx", path, (long)getpid(), (unsigned long)pthread_self()) >=
        (int)sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "wb");
    if (!f) return -1;
    const uint64_t n = size, sum = checksum(data, size);
    int ok = fwrite(cache_magic, 1, 8, f) == 8 && fwrite(&n, sizeof n, 1, f) == 1 && fwrite(&sum, sizeof sum, 1, f) == 1 &&
             fwrite(data, 1, size, f) == size;
    ok = fclose(f) == 0 && ok;
    if (ok && rename(tmp, path) == 0) return 0;
    remove(tmp);
    return -1;
}
