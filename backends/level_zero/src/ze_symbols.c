#define _GNU_SOURCE /* RTLD_* flags with strict C11 */
#include "ze_symbols.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCEL_ZE_INSTALL_HINT                                                                      \
    "install the Level Zero loader and Intel GPU driver (Debian/Ubuntu: libze1 intel-level-zero-gpu " \
    "intel-opencl-icd)"

static int symbol_resolve(void *library, const char *name, void *slot, size_t slot_size) {
    void *address = dlsym(library, name);
    /* POSIX guarantees a data pointer from dlsym converts to a function pointer; memcpy keeps
     * strict C11 compilers quiet about it. */
    memcpy(slot, &address, slot_size < sizeof address ? slot_size : sizeof address);
    return address != NULL;
}

accel_status accel_ze_api_load(accel_ze_api *api, const accel_host_services *host, char *reason,
                               size_t reason_len) {
    memset(api, 0, sizeof *api);
    const char *override = getenv("ACCEL_LEVEL_ZERO_LOADER");
    const char *candidates[3];
    size_t ncandidates = 0;
    if (override && override[0]) {
        candidates[ncandidates++] = override; /* tests point this at a missing or mock loader */
    } else {
        candidates[ncandidates++] = "libze_loader.so.1";
        candidates[ncandidates++] = "libze_loader.so";
    }
    char first_error[256] = "";
    for (size_t i = 0; i < ncandidates && !api->library; i++) {
        api->library = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
        const char *err = api->library ? NULL : dlerror();
        if (host && host->debug && host->log) {
            char line[400];
            snprintf(line, sizeof line, "dlopen(%s): %s", candidates[i], err ? err : "ok");
            host->log(ACCEL_LOG_DEBUG, "level_zero", line);
        }
        if (err && !first_error[0]) snprintf(first_error, sizeof first_error, "%s", err);
        if (api->library) snprintf(api->library_name, sizeof api->library_name, "%s", candidates[i]);
    }
    if (!api->library) {
        snprintf(reason, reason_len, "%s (%s)", first_error, ACCEL_ZE_INSTALL_HINT);
        return ACCEL_ERR_UNAVAILABLE;
    }
#define ACCEL_ZE_RESOLVE_REQUIRED(name, type)                                                      \
    if (!symbol_resolve(api->library, #name, &api->name, sizeof api->name)) {                      \
        snprintf(reason, reason_len, "%s lacks %s: loader too old (%s)", api->library_name, #name, \
                 ACCEL_ZE_INSTALL_HINT);                                                           \
        accel_ze_api_unload(api);                                                                  \
        return ACCEL_ERR_UNAVAILABLE;                                                              \
    }
    ACCEL_ZE_REQUIRED_SYMBOLS(ACCEL_ZE_RESOLVE_REQUIRED)
#undef ACCEL_ZE_RESOLVE_REQUIRED
#define ACCEL_ZE_RESOLVE_OPTIONAL(name, type)                                                      \
    (void)symbol_resolve(api->library, #name, &api->name, sizeof api->name);
    ACCEL_ZE_OPTIONAL_SYMBOLS(ACCEL_ZE_RESOLVE_OPTIONAL)
#undef ACCEL_ZE_RESOLVE_OPTIONAL
    return ACCEL_OK;
}

void accel_ze_api_unload(accel_ze_api *api) {
    if (api->library) dlclose(api->library);
    memset(api, 0, sizeof *api);
}
