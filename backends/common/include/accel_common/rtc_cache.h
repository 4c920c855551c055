/* The disk cache of run-time compiled kernels (NVRTC cubins/PTX, hiprtc code objects, OpenCL
 * program binaries), so a second run does not compile again.
 *
 * The key hashes everything the output depends on (source, embedded headers, options, target arch,
 * compiler version ...); a changed kernel or compiler never reuses a stale file. Files carry an
 * 8-byte magic, the payload size and a checksum, are written under a private name and renamed, so
 * concurrent writers (worker processes, threads) never expose half a file, and a file that fails a
 * check reads as absent. The cache is an optimisation only: any failure to read or write it costs a
 * compile, never an error. */
#ifndef ACCEL_COMMON_RTC_CACHE_H
#define ACCEL_COMMON_RTC_CACHE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A 128-bit key (two FNV-1a lanes). Each piece added is followed by a separator, so ("ab", "c")
 * and ("a", "bc") differ. */
typedef struct accel_rtc_key {
    uint64_t a, b;
} accel_rtc_key;

void accel_rtc_key_init(accel_rtc_key *key);
void accel_rtc_key_add(accel_rtc_key *key, const void *data, size_t size);
void accel_rtc_key_add_str(accel_rtc_key *key, const char *text); /* NULL adds as "" */
/* 32 lowercase hex digits and a NUL. */
void accel_rtc_key_hex(const accel_rtc_key *key, char out[33]);

enum {
    /* $ACCEL_CACHE_DIR itself rather than $ACCEL_CACHE_DIR/<backend>: the opencl layout, kept so
     * its existing caches and documentation stay valid. */
    ACCEL_RTC_CACHE_ENV_FLAT = 1u << 0
};

/* The backend's cache folder: $ACCEL_CACHE_DIR/<backend>, else $XDG_CACHE_HOME/accelbench/<backend>,
 * else $HOME/.cache/accelbench/<backend>. Returns 0 with the path in out, -1 when none can be named
 * (or it does not fit). Creates nothing. */
int accel_rtc_cache_dir(const char *backend, unsigned flags, char *out, size_t out_len);

/* The payload of a cache file (malloc'ed, with a NUL after it that size does not count), or NULL
 * when the file is absent or fails any check. */
void *accel_rtc_cache_read(const char *path, size_t *size);

/* Writes data as a cache file, creating its folders. Returns 0 when the file is in place. */
int accel_rtc_cache_write(const char *path, const void *data, size_t size);

#ifdef __cplusplus
}
#endif
#endif
