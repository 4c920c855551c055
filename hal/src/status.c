/* Status names and the per-thread last-error message (the one piece of per-thread state the API
 * promises). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hal_internal.h"

static _Thread_local char tls_last_error[2048];

ACCEL_API const char *accel_status_str(accel_status status) {
    switch (status) {
    case ACCEL_OK: return "ok";
    case ACCEL_ERR_INVALID_ARGUMENT: return "invalid argument";
    case ACCEL_ERR_NOT_FOUND: return "not found";
    case ACCEL_ERR_UNAVAILABLE: return "unavailable";
    case ACCEL_ERR_UNIMPLEMENTED: return "unimplemented";
    case ACCEL_ERR_OUT_OF_MEMORY: return "out of memory";
    case ACCEL_ERR_INCOMPATIBLE: return "incompatible";
    case ACCEL_ERR_DEVICE: return "device error";
    case ACCEL_ERR_TIMEOUT: return "timeout";
    case ACCEL_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

ACCEL_API const char *accel_last_error(void) { return tls_last_error; }

ACCEL_API void accel_clear_error(void) { tls_last_error[0] = '\0'; }

accel_status hal_set_error_v(accel_status status, const char *fmt, va_list ap) {
    vsnprintf(tls_last_error, sizeof tls_last_error, fmt, ap);
    /* One line: the CLI prints it as one. */
    for (char *p = tls_last_error; *p; ++p)
        if (*p == '\n' || *p == '\r') *p = ' ';
    return status;
}

accel_status hal_error(accel_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hal_set_error_v(status, fmt, ap);
    va_end(ap);
    return status;
}

void hal_log(int level, const char *backend, const char *message) {
    static const char *names[] = {"error", "warning", "info", "debug"};
    const char *lv = (level >= 0 && level <= ACCEL_LOG_DEBUG) ? names[level] : "log";
    fprintf(stderr, "accel[%s] %s: %s\n", backend ? backend : "hal", lv, message);
}
