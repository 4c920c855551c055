/* hiprtc compilation (hip_rtc.h). */
#define _POSIX_C_SOURCE 200809L
#include "hip_rtc.h"
#include "hip_kernel_sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const hip_source *hip_kernel_source_find(const char *name) {
    const hip_source *s = accel_embedded_find(hip_kernel_sources, hip_kernel_sources_count, name);
    return s ? s : accel_embedded_find(hip_kernel_headers, hip_kernel_headers_count, name);
}

static const char *rtc_error(const hip_api *api, hiprtcResult r) {
    const char *s = api->hiprtcGetErrorString ? api->hiprtcGetErrorString(r) : NULL;
    return s ? s : "HIPRTC_ERROR";
}

void hip_rtc_version(const hip_api *api, char *out, size_t out_len) {
    int major = 0, minor = 0;
    if (api->hiprtcVersion && api->hiprtcVersion(&major, &minor) == HIPRTC_SUCCESS)
        snprintf(out, out_len, "hiprtc %d.%d (%s)", major, minor, api->rtc_lib_name);
    else
        snprintf(out, out_len, "hiprtc (%s)", api->rtc_lib_name);
}

static accel_status compile_once(const hip_api *api, const char *name, const char *source,
                                 const char *arch, const char *extra_options, int with_compat,
                                 hip_rtc_result *out) {
    out->code = NULL;
    out->code_size = 0;
    out->message[0] = '\0';
    out->log = NULL;
    if (!hip_api_has_rtc(api)) {
        snprintf(out->message, sizeof out->message,
                 "hiprtc not found (libhiprtc.so.6, libhiprtc.so.5 or hiprtc in %s); install "
                 "ROCm's hiprtc package",
                 api->hip_lib_name);
        return ACCEL_ERR_UNAVAILABLE;
    }
    enum { MAX_HEADERS = 32 };
    const char *headers[MAX_HEADERS], *include_names[MAX_HEADERS];
    int nheaders = 0;
    for (size_t i = 0; i < hip_kernel_headers_count && nheaders < MAX_HEADERS; ++i) {
        headers[nheaders] = hip_kernel_headers[i].text;
        include_names[nheaders++] = hip_kernel_headers[i].name;
    }
    if (with_compat) {
        for (size_t i = 0; i < hip_rtc5_compat_headers_count && nheaders < MAX_HEADERS; ++i) {
            headers[nheaders] = hip_rtc5_compat_headers[i].text;
            include_names[nheaders++] = hip_rtc5_compat_headers[i].name;
        }
    }
    hiprtcProgram prog = NULL;
    hiprtcResult r = api->hiprtcCreateProgram(&prog, source, name, nheaders, headers, include_names);
    if (r != HIPRTC_SUCCESS) {
        snprintf(out->message, sizeof out->message, "hiprtcCreateProgram(%s): %s (%d)", name,
                 rtc_error(api, r), (int)r);
        return ACCEL_ERR_DEVICE;
    }
    char arch_option[64];
    snprintf(arch_option, sizeof arch_option, "--offload-arch=%s", arch);
    /* extra_options is split at blanks: "-DTILE=64 -ffast-math" is two options. */
    enum { MAX_OPTIONS = 32 };
    const char *options[MAX_OPTIONS] = {arch_option, "-O3"};
    int noptions = 2;
    char extra[1024] = "";
    snprintf(extra, sizeof extra, "%s", extra_options ? extra_options : "");
    for (char *save = NULL, *tok = strtok_r(extra, " \t\n", &save); tok && noptions < MAX_OPTIONS;
         tok = strtok_r(NULL, " \t\n", &save))
        options[noptions++] = tok;
    r = api->hiprtcCompileProgram(prog, noptions, options);
    accel_status status = ACCEL_OK;
    if (r != HIPRTC_SUCCESS) {
        size_t log_size = 0;
        char *log = NULL;
        if (api->hiprtcGetProgramLogSize(prog, &log_size) == HIPRTC_SUCCESS && log_size > 0 &&
            (log = calloc(log_size + 1, 1)) != NULL)
            (void)api->hiprtcGetProgramLog(prog, log);
        snprintf(out->message, sizeof out->message, "hiprtcCompileProgram(%s, %s): %s (%d): %s",
                 name, arch_option, rtc_error(api, r), (int)r, log ? log : "(no log)");
        out->log = log;
        status = ACCEL_ERR_DEVICE;
    } else {
        size_t size = 0;
        r = api->hiprtcGetCodeSize(prog, &size);
        if (r == HIPRTC_SUCCESS && size > 0 && (out->code = malloc(size)) != NULL &&
            (r = api->hiprtcGetCode(prog, out->code)) == HIPRTC_SUCCESS) {
            out->code_size = size;
        } else {
            free(out->code);
            out->code = NULL;
            snprintf(out->message, sizeof out->message, "hiprtcGetCode(%s): %s (%d), %zu bytes",
                     name, rtc_error(api, r), (int)r, size);
            status = r == HIPRTC_SUCCESS && size > 0 ? ACCEL_ERR_OUT_OF_MEMORY : ACCEL_ERR_DEVICE;
        }
    }
    (void)api->hiprtcDestroyProgram(&prog);
    return status;
}

/* hiprtc of ROCm 5.x needs the stand-ins for hip/hip_fp16.h and hip/hip_bf16.h; should a ROCm 6
 * hiprtc also stumble on exactly those headers, the stand-ins are tried once more. */
accel_status hip_rtc_compile(const hip_api *api, const char *name, const char *source,
                             const char *arch, const char *extra_options, hip_rtc_result *out) {
    int rocm5 = api->runtime_version > 0 && api->runtime_version < 60000000;
    accel_status st = compile_once(api, name, source, arch, extra_options, rocm5, out);
    out->used_compat_headers = rocm5;
    if (st != ACCEL_ERR_DEVICE || rocm5 || !out->log ||
        (!strstr(out->log, "hip/hip_bf16.h") && !strstr(out->log, "hip/hip_fp16.h")))
        return st;
    hip_rtc_result retry;
    if (compile_once(api, name, source, arch, extra_options, 1, &retry) != ACCEL_OK) {
        free(retry.log);
        return st;
    }
    free(out->log);
    *out = retry;
    out->used_compat_headers = 1;
    return ACCEL_OK;
}
