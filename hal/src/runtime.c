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

/* The caller's options as a full-size struct of this libaccel (types.h, growth), checked. */
static accel_status read_options(const char *fn, const accel_runtime_options *opts,
                                 accel_runtime_options *out) {
    accel_status st = hal_struct_in(out, sizeof *out, opts, HAL_OPTIONS_SIZE_1_0, fn, "options");
    if (st != ACCEL_OK) return st;
    if (out->plugin_path_count && !out->plugin_paths)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "%s: plugin_path_count is %zu but plugin_paths is NULL", fn,
                         out->plugin_path_count);
    if (out->refused_count && !out->refused)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "%s: refused_count is %zu but refused is NULL", fn, out->refused_count);
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
    accel_runtime_options o;
    if (opts) {
        accel_status st = read_options("accel_plugin_files", opts, &o);
        if (st != ACCEL_OK) return st;
    }
    accel_runtime tracer;
    memset(&tracer, 0, sizeof tracer);
    tracer.debug = debug_wanted(opts ? &o : NULL);
    return hal_loader_list(&tracer, opts ? &o : NULL, out_paths, out_count);
}

ACCEL_API void accel_plugin_files_free(char **paths, size_t count) {
    for (size_t i = 0; paths && i < count; ++i) free(paths[i]);
    free(paths);
}

ACCEL_API accel_status accel_runtime_open(const accel_runtime_options *opts,
                                          accel_runtime **out_rt) {
    HAL_CHECK_OUT(out_rt);
    *out_rt = NULL;
    accel_runtime_options o;
    accel_status st = ACCEL_OK;
    if (opts) {
        st = read_options("accel_runtime_open", opts, &o);
        if (st != ACCEL_OK) return st;
        opts = &o;
    }
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

/* "3 devices still open (cpu:0, null:0, null:0)", or 0 when none is. */
static int describe_open_devices(accel_runtime *rt, char *buf, size_t len) {
    int n = 0;
    size_t used = 0;
    buf[0] = '\0';
    for (const accel_device *d = rt->devices; d; d = d->next) n++;
    int w = snprintf(buf, len, "%d device%s still open (", n, n == 1 ? "" : "s");
    used = w > 0 && (size_t)w < len ? (size_t)w : len - 1;
    for (const accel_device *d = rt->devices; d && used < len - 1; d = d->next) {
        w = snprintf(buf + used, len - used, "%s%s", d == rt->devices ? "" : ", ", d->id);
        used = w > 0 && (size_t)w < len - used ? used + (size_t)w : len - 1;
    }
    if (used < len - 1) snprintf(buf + used, len - used, ")");
    return n;
}

ACCEL_API accel_status accel_runtime_close(accel_runtime *rt) {
    if (!rt) return ACCEL_OK;
    char open[256];
    pthread_mutex_lock(&rt->lock);
    const int n = rt->devices ? describe_open_devices(rt, open, sizeof open) : 0;
    pthread_mutex_unlock(&rt->lock);
    if (n) {
        /* Closing the devices here would free handles the caller still holds and will pass to
         * accel_device_close or accel_buffer_free later: refuse, and keep everything valid. */
        hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                  "accel_runtime_close: %s: close %s first (the runtime stays open)", open,
                  n == 1 ? "it" : "them");
        hal_log(ACCEL_LOG_WARN, NULL, accel_last_error());
        return ACCEL_ERR_INVALID_ARGUMENT;
    }
    hal_loader_unload(rt);
    pthread_mutex_destroy(&rt->lock);
    free(rt);
    return ACCEL_OK;
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
