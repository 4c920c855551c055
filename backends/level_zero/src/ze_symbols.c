/* Loading the Level Zero loader (accel_common/dl.h) into the table of ze_symbols.h. */
#include "ze_symbols.h"

#include <stdio.h>
#include <string.h>

#define ACCEL_ZE_INSTALL_HINT                                                                      \
    "install the Level Zero loader and Intel GPU driver (Debian/Ubuntu: libze1 intel-level-zero-gpu " \
    "intel-opencl-icd)"

#define ZE_SYM(name, type) {#name, offsetof(accel_ze_api, name)},
static const accel_dl_symbol ze_required[] = {ACCEL_ZE_REQUIRED_SYMBOLS(ZE_SYM)};
static const accel_dl_symbol ze_optional[] = {ACCEL_ZE_OPTIONAL_SYMBOLS(ZE_SYM)};
/* $ACCEL_LEVEL_ZERO_LOADER: tests point this at a missing or mock loader. */
static const char *const ze_loader_names[] = {"libze_loader.so.1", "libze_loader.so", NULL};
static const accel_dl_library ze_library = {ze_loader_names, "ACCEL_LEVEL_ZERO_LOADER", 0, {0},
                                            ACCEL_DL_TIER(ze_required), ACCEL_DL_TIER(ze_optional)};

accel_status accel_ze_api_load(accel_ze_api *api, const accel_host_services *host, char *reason,
                               size_t reason_len) {
    memset(api, 0, sizeof *api);
    const accel_dl_log log = {host, "level_zero"};
    accel_dl_handle h;
    switch (accel_dl_load(&log, &ze_library, api, &h)) {
    case ACCEL_DL_LOADED:
        api->library = h.lib;
        snprintf(api->library_name, sizeof api->library_name, "%s", h.name);
        return ACCEL_OK;
    case ACCEL_DL_NOT_FOUND:
        snprintf(reason, reason_len, "%s (%s)", h.why, ACCEL_ZE_INSTALL_HINT);
        return ACCEL_ERR_UNAVAILABLE;
    default:
        snprintf(reason, reason_len, "%s lacks %s: loader too old (%s)", h.name, h.missing, ACCEL_ZE_INSTALL_HINT);
        return ACCEL_ERR_UNAVAILABLE;
    }
}

void accel_ze_api_unload(accel_ze_api *api) {
    accel_dl_close(api->library);
    memset(api, 0, sizeof *api);
}
