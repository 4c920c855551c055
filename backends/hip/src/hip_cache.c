/* hiprtc code objects behind the disk cache (accel_common/rtc_cache.h), one file per (source,
 * headers, arch, options, hiprtc): <cache>/hip/<arch>/<key>.hsaco. */
#include "hip_kernel_sources.h"
#include "hip_rtc.h"

#include <stdio.h>
#include <string.h>

#include "accel_common/rtc_cache.h"

accel_status hip_rtc_compile_cached(const hip_api *api, const char *name, const char *source,
                                    const char *arch, const char *extra_options,
                                    hip_rtc_result *out, int *cache_hit) {
    *cache_hit = 0;
    out->log = NULL;
    out->used_compat_headers = 0;
    char version[96];
    hip_rtc_version(api, version, sizeof version);
    accel_rtc_key key;
    accel_rtc_key_init(&key);
    accel_rtc_key_add_str(&key, source);
    for (size_t i = 0; i < hip_kernel_headers_count; ++i) {
        accel_rtc_key_add_str(&key, hip_kernel_headers[i].name);
        accel_rtc_key_add_str(&key, hip_kernel_headers[i].text);
    }
    accel_rtc_key_add_str(&key, arch);
    accel_rtc_key_add_str(&key, extra_options);
    accel_rtc_key_add_str(&key, version);
    char hex[33];
    accel_rtc_key_hex(&key, hex);

    char dir[900], path[1024];
    const int have_dir = accel_rtc_cache_dir("hip", 0, dir, sizeof dir) == 0 &&
                         snprintf(path, sizeof path, "%s/%s/%s.hsaco", dir, arch, hex) < (int)sizeof path;
    if (have_dir) {
        out->message[0] = '\0';
        out->code = accel_rtc_cache_read(path, &out->code_size);
        if (out->code) {
            *cache_hit = 1;
            return ACCEL_OK;
        }
    }
    accel_status st = hip_rtc_compile(api, name, source, arch, extra_options, out);
    if (st == ACCEL_OK && have_dir) (void)accel_rtc_cache_write(path, out->code, out->code_size);
    return st;
}
