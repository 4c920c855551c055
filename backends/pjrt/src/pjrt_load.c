#define _POSIX_C_SOURCE 200809L
#include "pjrt_load.h"

#include <stdio.h>
#include <string.h>

typedef struct plugin_entry {
    pjrt_get_api_fn GetPjrtApi;
} plugin_entry;
static const accel_dl_symbol entry_symbols[] = {{PJRT_GET_API_SYMBOL, offsetof(plugin_entry, GetPjrtApi)}};
static const accel_dl_tier entry_tier = ACCEL_DL_TIER(entry_symbols);

accel_status pjrt_plugin_open(const accel_dl_log *log, const char *path, pjrt_plugin_lib *out, char *reason,
                              size_t reason_len) {
    memset(out, 0, sizeof *out);
    const char *const candidates[] = {path, NULL};
    void *handle = accel_dl_open(log, candidates, 0, NULL, reason, reason_len);
    if (!handle) return ACCEL_ERR_UNAVAILABLE;
    plugin_entry entry;
    accel_dl_resolve(handle, &entry_tier, &entry, NULL, 0);
    pjrt_get_api_fn get_api = entry.GetPjrtApi;
    const pjrt_api *api = get_api ? get_api() : NULL;
    accel_status st = ACCEL_OK;
    if (!get_api) {
        snprintf(reason, reason_len, "no %s symbol: not a PJRT plugin", PJRT_GET_API_SYMBOL);
        st = ACCEL_ERR_UNAVAILABLE;
    } else if (!api) {
        snprintf(reason, reason_len, "%s returned NULL", PJRT_GET_API_SYMBOL);
        st = ACCEL_ERR_INCOMPATIBLE;
    } else if (api->version.major_version != PJRT_API_MAJOR_SUPPORTED ||
               api->version.minor_version < PJRT_API_MINOR_OLDEST) {
        snprintf(reason, reason_len,
                 "PJRT C API %d.%d, this backend needs %d.%d or a newer %d.x",
                 api->version.major_version, api->version.minor_version, PJRT_API_MAJOR_SUPPORTED,
                 PJRT_API_MINOR_OLDEST, PJRT_API_MAJOR_SUPPORTED);
        st = ACCEL_ERR_INCOMPATIBLE;
    } else if (api->struct_size < PJRT_ARGS_SIZE(pjrt_api, PJRT_API_LAST_USED_SLOT)) {
        snprintf(reason, reason_len,
                 "PJRT C API %d.%d has a %zu-byte function table, shorter than the %zu bytes "
                 "this backend calls into", api->version.major_version,
                 api->version.minor_version, api->struct_size,
                 PJRT_ARGS_SIZE(pjrt_api, PJRT_API_LAST_USED_SLOT));
        st = ACCEL_ERR_INCOMPATIBLE;
    }
    if (st != ACCEL_OK) {
        accel_dl_close(handle);
        return st;
    }
    out->handle = handle;
    out->api = api;
    snprintf(out->path, sizeof out->path, "%s", path);
    return ACCEL_OK;
}
