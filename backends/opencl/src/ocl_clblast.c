#define _POSIX_C_SOURCE 200809L
#include "ocl_clblast.h"

#include <stdio.h>
#include <string.h>

#define CLBLAST_SYM(sym, type, field) {#sym, offsetof(ocl_clblast_api, field)},
#define CLBLAST_SKIP(sym, type, field)
static const accel_dl_symbol clblast_required[] = {OCL_CLBLAST_LIST(CLBLAST_SYM, CLBLAST_SKIP)};
static const accel_dl_symbol clblast_optional[] = {OCL_CLBLAST_LIST(CLBLAST_SKIP, CLBLAST_SYM)};
static const char *const clblast_names[] = {"libclblast.so.1", NULL};
static const accel_dl_library clblast_library = {clblast_names, NULL, 0, {0}, ACCEL_DL_TIER(clblast_required),
                                                 ACCEL_DL_TIER(clblast_optional)};

int ocl_clblast_open(ocl_clblast_api *api, const accel_dl_log *log, char *why, size_t why_len) {
    memset(api, 0, sizeof(*api));
    accel_dl_handle h;
    switch (accel_dl_load(log, &clblast_library, api, &h)) {
    case ACCEL_DL_LOADED:
        api->lib = h.lib;
        return 0;
    case ACCEL_DL_NOT_FOUND:
        snprintf(why, why_len, "%s (install libclblast1 for the clblast GEMM path)",
                 h.why[0] ? h.why : "libclblast.so.1 not found");
        return -1;
    default:
        snprintf(why, why_len, "libclblast.so.1 lacks %s", h.missing);
        return -1;
    }
}

void ocl_clblast_close(ocl_clblast_api *api) {
    accel_dl_close(api->lib);
    memset(api, 0, sizeof(*api));
}
