/* dlopen of libamdhip64 and hiprtc and resolution of the symbol table in hip_api.h. */
/* RTLD_NODELETE: the HIP runtime starts threads of its own (and the libraries above it register
 * exit handlers), so unmapping any of them at dlclose could pull code from under a live thread. */
#define _GNU_SOURCE
#include "hip_api.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const hip_lib_names[] = {"libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so"};
/* libhiprtc.so.5 exists from ROCm 5.3 on; before, hiprtc lives inside libamdhip64. */
static const char *const rtc_lib_names[] = {"libhiprtc.so.6", "libhiprtc.so.5"};

static void *open_first(const char *const *names, size_t count, int debug, char *used,
                        size_t used_len, char *last_error, size_t last_error_len) {
    for (size_t i = 0; i < count; ++i) {
        void *lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (lib) {
            snprintf(used, used_len, "%s", names[i]);
            return lib;
        }
        const char *err = dlerror();
        if (debug)
            fprintf(stderr, "accel hip: dlopen %s: %s\n", names[i], err ? err : "?");
        if (i == 0 || last_error[0] == '\0')
            snprintf(last_error, last_error_len, "%s", err ? err : names[i]);
    }
    return NULL;
}

/* dlsym returns void*; converting through memcpy keeps C11 -Wpedantic-clean function pointers. */
static int resolve(void *lib, const char *name, void *slot, size_t slot_size) {
    void *sym = dlsym(lib, name);
    memcpy(slot, &sym, slot_size);
    return sym != NULL;
}

static int resolve_rtc(hip_api *api, void *lib) {
    int ok = 1;
#define ACCEL_HIP_RESOLVE_RTC(ret, name, params) ok &= resolve(lib, #name, &api->name, sizeof api->name);
    ACCEL_HIPRTC_REQUIRED_SYMBOLS(ACCEL_HIP_RESOLVE_RTC)
#undef ACCEL_HIP_RESOLVE_RTC
#define ACCEL_HIP_RESOLVE_RTC_OPT(ret, name, params) (void)resolve(lib, #name, &api->name, sizeof api->name);
    ACCEL_HIPRTC_OPTIONAL_SYMBOLS(ACCEL_HIP_RESOLVE_RTC_OPT)
#undef ACCEL_HIP_RESOLVE_RTC_OPT
    return ok;
}

static void clear_rtc(hip_api *api) {
#define ACCEL_HIP_CLEAR(ret, name, params) api->name = NULL;
    ACCEL_HIPRTC_REQUIRED_SYMBOLS(ACCEL_HIP_CLEAR)
    ACCEL_HIPRTC_OPTIONAL_SYMBOLS(ACCEL_HIP_CLEAR)
#undef ACCEL_HIP_CLEAR
}

static void open_rtc(hip_api *api, int debug) {
    char err[256] = "";
    api->rtc_lib = open_first(rtc_lib_names, sizeof rtc_lib_names / sizeof rtc_lib_names[0], debug,
                              api->rtc_lib_name, sizeof api->rtc_lib_name, err, sizeof err);
    if (api->rtc_lib) {
        if (resolve_rtc(api, api->rtc_lib))
            return;
        dlclose(api->rtc_lib);
        api->rtc_lib = NULL;
    }
    clear_rtc(api);
    if (resolve_rtc(api, api->hip_lib)) {
        snprintf(api->rtc_lib_name, sizeof api->rtc_lib_name, "%s", api->hip_lib_name);
        return;
    }
    clear_rtc(api);
    api->rtc_lib_name[0] = '\0';
}

accel_status hip_api_open(hip_api *api, int debug, char *reason, size_t reason_len) {
    memset(api, 0, sizeof *api);
    char err[256] = "";
    /* $ACCEL_HIP_LIBRARY picks one runtime (a second ROCm under /opt, or a test's stand-in). */
    const char *chosen = getenv("ACCEL_HIP_LIBRARY");
    const char *const chosen_names[1] = {chosen};
    int use_chosen = chosen && chosen[0];
    api->hip_lib = open_first(use_chosen ? chosen_names : hip_lib_names,
                              use_chosen ? 1 : sizeof hip_lib_names / sizeof hip_lib_names[0], debug,
                              api->hip_lib_name, sizeof api->hip_lib_name, err, sizeof err);
    if (!api->hip_lib) {
        snprintf(reason, reason_len,
                 "%s (install ROCm 6: the amdgpu-dkms driver and the hip-runtime-amd package, or "
                 "Debian's libamdhip64-5)",
                 err);
        return ACCEL_ERR_UNAVAILABLE;
    }
    const char *missing = NULL;
#define ACCEL_HIP_RESOLVE(ret, name, params)                                                       \
    if (!resolve(api->hip_lib, #name, &api->name, sizeof api->name) && !missing)                   \
        missing = #name;
    ACCEL_HIP_REQUIRED_SYMBOLS(ACCEL_HIP_RESOLVE)
#undef ACCEL_HIP_RESOLVE
    if (missing) {
        snprintf(reason, reason_len, "%s lacks %s (HIP runtime too old; ROCm >= 5.2 needed)",
                 api->hip_lib_name, missing);
        hip_api_close(api);
        return ACCEL_ERR_INCOMPATIBLE;
    }
#define ACCEL_HIP_RESOLVE_OPT(ret, name, params) (void)resolve(api->hip_lib, #name, &api->name, sizeof api->name);
    ACCEL_HIP_OPTIONAL_SYMBOLS(ACCEL_HIP_RESOLVE_OPT)
#undef ACCEL_HIP_RESOLVE_OPT
    if (api->hipRuntimeGetVersion(&api->runtime_version) != hipSuccess)
        api->runtime_version = 0;
    open_rtc(api, debug);
    return ACCEL_OK;
}

void hip_api_close(hip_api *api) {
    if (api->rtc_lib)
        dlclose(api->rtc_lib);
    if (api->hip_lib)
        dlclose(api->hip_lib);
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
