/* PJRT errors into the host's error message, with PJRT's own code and text. */
#include <stdio.h>

#include "pjrt_internal.h"

static const char *code_name(int code) {
    static const char *const names[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
                                        "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                                        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                                        "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                                        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                        "UNAUTHENTICATED"};
    return code >= 0 && code < (int)(sizeof names / sizeof *names) ? names[code] : "?";
}

static int error_code(const pjrt_api *api, pjrt_error *err) {
    pjrt_error_get_code_args a = {.struct_size = sizeof a, .error = err};
    pjrt_error *e2 = api->error_get_code(&a);
    if (e2) {
        pjrt_error_destroy_args d = {.struct_size = sizeof d, .error = e2};
        api->error_destroy(&d);
        return 2; /* UNKNOWN */
    }
    return a.code;
}

void pj_error_text(const pjrt_api *api, pjrt_error *err, char *out, size_t out_len) {
    pjrt_error_message_args m = {.struct_size = sizeof m, .error = err};
    api->error_message(&m);
    int code = error_code(api, err);
    snprintf(out, out_len, "%s (%d): %.*s", code_name(code), code, (int)m.message_size,
             m.message ? m.message : "");
}

accel_status pj_fail_api(const accel_host_services *host, const pjrt_api *api, pjrt_error *err,
                         accel_status fallback, const char *what) {
    char text[1024];
    pj_error_text(api, err, text, sizeof text);
    int code = error_code(api, err);
    pjrt_error_destroy_args d = {.struct_size = sizeof d, .error = err};
    api->error_destroy(&d);
    accel_status st = code == PJRT_CODE_UNIMPLEMENTED        ? ACCEL_ERR_UNIMPLEMENTED
                      : code == PJRT_CODE_RESOURCE_EXHAUSTED ? ACCEL_ERR_OUT_OF_MEMORY
                                                             : fallback;
    return host->set_error(st, "pjrt: %s: %s", what, text);
}

accel_status pj_fail(const pj_device *dev, pjrt_error *err, accel_status fallback, const char *what) {
    return pj_fail_api(dev->ctx->host, dev->api, err, fallback, what);
}
