/* The runtime object: the one place libaccel keeps state (loaded plugins and their devices). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_internal.h"

#ifndef ACCEL_VERSION_STRING
#define ACCEL_VERSION_STRING "0.0.0"
#endif

static accel_status host_set_error(accel_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hal_set_error_v(status, fmt, ap);
    va_end(ap);
    return status;
}

/* Warnings and errors always reach stderr; info and debug only under ACCEL_DEBUG. */
static void host_log_quiet(int level, const char *backend, const char *message) {
    if (level <= ACCEL_LOG_WARN) hal_log(level, backend, message);
}

static void host_log_debug(int level, const char *backend, const char *message) {
    hal_log(level, backend, message);
}

ACCEL_API const char *accel_version(void) { return ACCEL_VERSION_STRING; }

static accel_status check_options(const char *fn, const accel_runtime_options *opts) {
    if (!opts) return ACCEL_OK;
    if (opts->struct_size != sizeof *opts && opts->struct_size != HAL_OPTIONS_SIZE_V1)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: options struct_size is %zu, expected %zu",
                         fn, opts->struct_size, sizeof *opts);
    if (opts->plugin_path_count && !opts->plugin_paths)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "%s: plugin_path_count is %zu but plugin_paths is NULL", fn,
                         opts->plugin_path_count);
    if (opts->struct_size >= HAL_OPTIONS_SIZE_WITH_REFUSED && opts->refused_count && !opts->refused)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "%s: refused_count is %zu but refused is NULL", fn, opts->refused_count);
    return ACCEL_OK;
}

static int debug_wanted(const accel_runtime_options *opts) {
    const char *dbg = getenv("ACCEL_DEBUG");
    return (opts && opts->debug) || (dbg && *dbg && strcmp(dbg, "0") != 0);
}

ACCEL_API accel_status accel_plugin_files(const accel_runtime_options *opts, char ***out_paths,
                                          size_t *out_count) {
    HAL_CHECK_OUT(out_paths);
    HAL_CHECK_OUT(out_count);
    *out_paths = NULL;
    *out_count = 0;
    accel_status st = check_options("accel_plugin_files", opts);
    if (st != ACCEL_OK) return st;
    accel_runtime tracer;
    memset(&tracer, 0, sizeof tracer);
    tracer.debug = debug_wanted(opts);
    return hal_loader_list(&tracer, opts, out_paths, out_count);
}

ACCEL_API void accel_plugin_files_free(char **paths, size_t count) {
    for (size_t i = 0; paths && i < count; ++i) free(paths[i]);
    free(paths);
}

ACCEL_API accel_status accel_runtime_open(const accel_runtime_options *opts,
                                          accel_runtime **out_rt) {
    HAL_CHECK_OUT(out_rt);
    *out_rt = NULL;
    accel_status st = check_options("accel_runtime_open", opts);
    if (st != ACCEL_OK) return st;
    accel_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_runtime_open: out of host memory");
    rt->debug = debug_wanted(opts);
    rt->host = (accel_host_services){
        .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
        .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
        .struct_size = sizeof(accel_host_services),
        .debug = rt->debug,
        .log = rt->debug ? host_log_debug : host_log_quiet,
        .set_error = host_set_error,
    };
    pthread_mutex_init(&rt->lock, NULL);
    st = hal_loader_discover(rt, opts);
    if (st != ACCEL_OK) {
        accel_runtime_close(rt);
        return st;
    }
    accel_clear_error();
    *out_rt = rt;
    return ACCEL_OK;
}

ACCEL_API void accel_runtime_close(accel_runtime *rt) {
    if (!rt) return;
    hal_loader_unload(rt);
    pthread_mutex_destroy(&rt->lock);
    free(rt);
}

ACCEL_API accel_status accel_runtime_backends(const accel_runtime *rt,
                                              const accel_backend_report **out_list,
                                              size_t *out_count) {
    if (!rt) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_runtime_backends: runtime is NULL");
    HAL_CHECK_OUT(out_list);
    HAL_CHECK_OUT(out_count);
    *out_list = rt->reports;
    *out_count = rt->report_count;
    return ACCEL_OK;
}

ACCEL_API accel_status accel_runtime_device_count(const accel_runtime *rt, int *out_count) {
    if (!rt)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_runtime_device_count: runtime is NULL");
    HAL_CHECK_OUT(out_count);
    int n = 0;
    for (size_t i = 0; i < rt->backend_count; ++i) n += rt->backends[i].device_count;
    *out_count = n;
    return ACCEL_OK;
}

ACCEL_API accel_status accel_runtime_device_id(const accel_runtime *rt, int ordinal, char *buf,
                                               size_t buf_len) {
    if (!rt) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_runtime_device_id: runtime is NULL");
    if (!buf || buf_len == 0)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_runtime_device_id: empty output buffer");
    int left = ordinal;
    for (size_t i = 0; ordinal >= 0 && i < rt->backend_count; ++i) {
        const hal_backend *b = &rt->backends[i];
        if (left < b->device_count) {
            int n = snprintf(buf, buf_len, "%s:%d", b->ops->name, left);
            if (n < 0 || (size_t)n >= buf_len)
                return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                                 "accel_runtime_device_id: buffer of %zu bytes is too small",
                                 buf_len);
            return ACCEL_OK;
        }
        left -= b->device_count;
    }
    return hal_error(ACCEL_ERR_NOT_FOUND, "accel_runtime_device_id: no device with ordinal %d",
                     ordinal);
}

ACCEL_API accel_status accel_runtime_backend_device_count(const accel_runtime *rt,
                                                          const char *backend, int *out_count) {
    if (!rt || !backend)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_runtime_backend_device_count: runtime or backend name is NULL");
    HAL_CHECK_OUT(out_count);
    for (size_t i = 0; i < rt->backend_count; ++i)
        if (strcmp(rt->backends[i].ops->name, backend) == 0) {
            *out_count = rt->backends[i].device_count;
            return ACCEL_OK;
        }
    return hal_error(ACCEL_ERR_NOT_FOUND, "no backend named '%s' is loaded", backend);
}
