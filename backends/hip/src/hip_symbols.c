/* Loading libamdhip64 and hiprtc (accel_common/dl.h) into the symbol table in hip_api.h. */
#include "hip_api.h"

#include <stdio.h>
#include <string.h>

#define HIP_SYM(ret, name, params) ACCEL_DL_SYMBOL(hip_api, ret, name, params)
static const accel_dl_symbol hip_required[] = {ACCEL_HIP_REQUIRED_SYMBOLS(HIP_SYM)};
static const accel_dl_symbol hip_optional[] = {ACCEL_HIP_OPTIONAL_SYMBOLS(HIP_SYM)};
static const accel_dl_symbol rtc_required[] = {ACCEL_HIPRTC_REQUIRED_SYMBOLS(HIP_SYM)};
static const accel_dl_symbol rtc_optional[] = {ACCEL_HIPRTC_OPTIONAL_SYMBOLS(HIP_SYM)};

static const char *const hip_lib_names[] = {"libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so", NULL};
/* libhiprtc.so.5 exists from ROCm 5.3 on; before, hiprtc lives inside libamdhip64. */
static const char *const rtc_lib_names[] = {"libhiprtc.so.6", "libhiprtc.so.5", NULL};

/* NODELETE: the HIP runtime starts threads of its own (and the libraries above it register exit
 * handlers), so unmapping any of them at dlclose could pull code from under a live thread.
 * $ACCEL_HIP_LIBRARY picks one runtime (a second ROCm under /opt, or a test's stand-in). */
static const accel_dl_library hip_library = {hip_lib_names, "ACCEL_HIP_LIBRARY", ACCEL_DL_NODELETE, {0},
                                             ACCEL_DL_TIER(hip_required), ACCEL_DL_TIER(hip_optional)};
static const accel_dl_library rtc_library = {rtc_lib_names, NULL, ACCEL_DL_NODELETE, {0}, ACCEL_DL_TIER(rtc_required),
                                             ACCEL_DL_TIER(rtc_optional)};

/* hiprtc from its own library, else from inside libamdhip64; absent is not an error. */
static void open_rtc(hip_api *api, const accel_dl_log *log) {
    accel_dl_handle h;
    if (accel_dl_load(log, &rtc_library, api, &h) == ACCEL_DL_LOADED) {
        api->rtc_lib = h.lib;
        snprintf(api->rtc_lib_name, sizeof api->rtc_lib_name, "%s", h.name);
        return;
    }
    if (accel_dl_resolve(api->hip_lib, &rtc_library.required, api, NULL, 0) == 0) {
        accel_dl_resolve(api->hip_lib, &rtc_library.optional, api, NULL, 0);
        snprintf(api->rtc_lib_name, sizeof api->rtc_lib_name, "%s", api->hip_lib_name);
        return;
    }
    accel_dl_clear(&rtc_library.required, api);
    api->rtc_lib_name[0] = '\0';
}

accel_status hip_api_open(hip_api *api, const accel_dl_log *log, char *reason, size_t reason_len) {
    memset(api, 0, sizeof *api);
    accel_dl_handle h;
    switch (accel_dl_load(log, &hip_library, api, &h)) {
    case ACCEL_DL_LOADED: break;
    case ACCEL_DL_NOT_FOUND:
        snprintf(reason, reason_len,
                 "%s (install ROCm 6: the amdgpu-dkms driver and the hip-runtime-amd package, or "
                 "Debian's libamdhip64-5)",
                 h.why);
        return ACCEL_ERR_UNAVAILABLE;
    default:
        snprintf(reason, reason_len, "%s lacks %s (HIP runtime too old; ROCm >= 5.2 needed)", h.name, h.missing);
        memset(api, 0, sizeof *api);
        return ACCEL_ERR_INCOMPATIBLE;
    }
    api->hip_lib = h.lib;
    snprintf(api->hip_lib_name, sizeof api->hip_lib_name, "%s", h.name);
    if (api->hipRuntimeGetVersion(&api->runtime_version) != hipSuccess)
        api->runtime_version = 0;
    open_rtc(api, log);
    return ACCEL_OK;
}

void hip_api_close(hip_api *api) {
    accel_dl_close(api->rtc_lib);
    accel_dl_close(api->hip_lib);
    memset(api, 0, sizeof *api);
}

int hip_api_has_rtc(const hip_api *api) { return api->rtc_lib_name[0] != '\0'; }

const char *hip_api_error_name(const hip_api *api, hipError_t err) {
    if (api->hipGetErrorName) {
        const char *name = api->hipGetErrorName(err);
        if (name && name[0])
            return name;
    }
    return "hipError";
}
