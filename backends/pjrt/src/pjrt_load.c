#define _POSIX_C_SOURCE 200809L
#include "pjrt_load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

accel_status pjrt_plugin_open(const char *path, pjrt_plugin_lib *out, char *reason, size_t reason_len) {
    memset(out, 0, sizeof *out);
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(reason, reason_len, "%s", why ? why : path);
        return ACCEL_ERR_UNAVAILABLE;
    }
    void *sym = dlsym(handle, PJRT_GET_API_SYMBOL);
    pjrt_get_api_fn get_api = NULL;
    /* POSIX: object and function pointers share a representation; memcpy avoids the ISO C cast. */
    memcpy(&get_api, &sym, sizeof get_api);
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
        dlclose(handle);
        return st;
    }
    out->handle = handle;
    out->api = api;
    snprintf(out->path, sizeof out->path, "%s", path);
    return ACCEL_OK;
}
