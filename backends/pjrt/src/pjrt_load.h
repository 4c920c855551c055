/* Opening one PJRT plugin file (through accel_common/dl.h): its single entry GetPjrtApi, and the
 * version check. */
#ifndef ACCEL_PJRT_LOAD_H
#define ACCEL_PJRT_LOAD_H

#include <stddef.h>

#include "accel/status.h"
#include "accel_common/dl.h"
#include "pjrt_capi.h"

typedef struct pjrt_plugin_lib {
    void *handle;
    const pjrt_api *api;
    char path[512];
} pjrt_plugin_lib;

/* Each dlopen is traced through log (may be NULL).
 * UNAVAILABLE: the file does not load or lacks GetPjrtApi (reason has dlerror()). INCOMPATIBLE:
 * another major version, a minor older than PJRT_API_MINOR_OLDEST, or a table too short for the
 * entries we call (reason names both versions). The library stays loaded on success only. */
accel_status pjrt_plugin_open(const accel_dl_log *log, const char *path, pjrt_plugin_lib *out, char *reason,
                              size_t reason_len);

/* XLA's plugins keep threads and static state that do not survive dlclose; the handle is released
 * only for libraries that failed the checks (see pjrt_plugin_open). */

#endif
