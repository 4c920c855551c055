/* Shared workload plumbing: error reasons, fit checks, buffer lists, uploads and plans. */
#include "wl_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per-thread like accel_last_error(): the one piece of state the workload API keeps. */
static _Thread_local char wl_error[1024];
static _Thread_local char wl_library_names[8][32];

const char *awl_last_error(void) { return wl_error[0] ? wl_error : accel_last_error(); }

void wl_clear_error(void) {
    wl_error[0] = '\0';
    accel_clear_error();
}

accel_status wl_fail(accel_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(wl_error, sizeof wl_error, fmt, ap);
    va_end(ap);
    return status;
}

accel_status wl_fail_hal(accel_status status, const char *what) {
    const char *hal = accel_last_error();
    snprintf(wl_error, sizeof wl_error, "%s: %s%s%s", what, accel_status_str(status), hal[0] ? ": " : "",
             hal);
    return status;
}

accel_dtype wl_storage_type(awl_dtype d) {
    switch (d) {
    case AWL_FP32:
    case AWL_TF32: return ACCEL_DTYPE_F32;
    case AWL_FP16: return ACCEL_DTYPE_F16;
    case AWL_BF16: return ACCEL_DTYPE_BF16;
    case AWL_FP8: return ACCEL_DTYPE_F8_E4M3;
    default: return ACCEL_DTYPE_INVALID;
    }
}

accel_compute_type wl_compute_type(awl_dtype d) {
    switch (d) {
    case AWL_FP32: return ACCEL_COMPUTE_F32;
    case AWL_TF32: return ACCEL_COMPUTE_TF32;
    case AWL_FP16: return ACCEL_COMPUTE_F16;
    case AWL_BF16: return ACCEL_COMPUTE_BF16;
    case AWL_FP8: return ACCEL_COMPUTE_F32; /* fp8 products, fp32 accumulation */
    default: return ACCEL_COMPUTE_DEFAULT;
    }
}

accel_status wl_device_info(accel_device *dev, accel_device_info *info) {
    memset(info, 0, sizeof *info);
    info->struct_size = sizeof *info;
    accel_status st = accel_device_info_get(dev, info);
    if (st != ACCEL_OK)
        return wl_fail_hal(st, "accel_device_info_get");
    return ACCEL_OK;
}

accel_status wl_check_fit(const accel_device_info *info, uint64_t total, uint64_t largest,
                          const char *what) {
    /* Leave 10% of device memory to the runtime, the library's workspace and other tenants. */
    if (info->memory_bytes && (double)total > 0.9 * (double)info->memory_bytes)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY,
                       "%s needs %.2f GiB but the device has %.2f GiB (90%% usable)", what,
                       (double)total / 1073741824.0, (double)info->memory_bytes / 1073741824.0);
    if (info->max_alloc_bytes && largest > info->max_alloc_bytes)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY,
                       "%s needs one buffer of %.2f GiB but the device allows %.2f GiB per allocation",
                       what, (double)largest / 1073741824.0,
                       (double)info->max_alloc_bytes / 1073741824.0);
    return ACCEL_OK;
}

size_t wl_set_stride(size_t bytes) {
    return (bytes + WL_SET_ALIGN - 1) / WL_SET_ALIGN * WL_SET_ALIGN;
}

accel_status wl_alloc(wl_buffers *list, accel_device *dev, size_t bytes, accel_memory_kind kind,
                      accel_buffer **out) {
    *out = NULL;
    if (list->count >= WL_MAX_BUFFERS)
        return wl_fail(ACCEL_ERR_INTERNAL, "workload buffer list full (%d)", WL_MAX_BUFFERS);
    accel_status st = accel_buffer_alloc(dev, bytes ? bytes : 1, kind, out);
    if (st != ACCEL_OK) {
        char what[96];
        snprintf(what, sizeof what, "allocating %.1f MiB%s", (double)bytes / 1048576.0,
                 kind == ACCEL_MEMORY_HOST_PINNED ? " pinned" : "");
        return wl_fail_hal(st, what);
    }
    list->items[list->count++] = *out;
    list->bytes += bytes;
    return ACCEL_OK;
}

void wl_free_all(wl_buffers *list) {
    for (int i = list->count - 1; i >= 0; i--)
        accel_buffer_free(list->items[i]);
    list->count = 0;
    list->bytes = 0;
}

void *wl_host_random(accel_dtype dtype, int64_t count, uint64_t seed, double lo, double hi, int tf32) {
    size_t es = accel_dtype_size(dtype);
    void *p = malloc((size_t)count * es + 1);
    if (!p)
        return NULL;
    accel_ref_fill_random(dtype, p, count, seed, lo, hi);
    if (tf32 && dtype == ACCEL_DTYPE_F32) {
        float *f = p;
        for (int64_t i = 0; i < count; i++)
            f[i] = accel_ref_round_tf32(f[i]);
    }
    return p;
}

accel_status wl_upload_random(accel_stream *s, accel_buffer *dst, accel_dtype dtype, int64_t count, uint64_t seed,
                              double lo, double hi, int tf32, void **host, const char *what) {
    *host = wl_host_random(dtype, count, seed, lo, hi, tf32);
    if (!*host)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "host copies of the %s", what);
    return wl_upload(s, dst, 0, *host, (size_t)count * accel_dtype_size(dtype));
}

accel_status wl_check_counts_fit(accel_device *dev, const int64_t *counts, int n, size_t es, uint64_t extra,
                                 const char *what) {
    uint64_t total = extra, largest = extra;
    for (int i = 0; i < n; i++) {
        uint64_t bytes = (uint64_t)counts[i] * es;
        total += bytes;
        largest = bytes > largest ? bytes : largest;
    }
    accel_device_info dinfo;
    accel_status s = wl_device_info(dev, &dinfo);
    return s == ACCEL_OK ? wl_check_fit(&dinfo, total, largest, what) : s;
}

accel_status wl_upload(accel_stream *s, accel_buffer *dst, size_t offset, const void *src, size_t bytes) {
    accel_status st = accel_buffer_write(s, dst, offset, src, bytes);
    if (st == ACCEL_OK)
        st = accel_stream_synchronize(s);
    return st == ACCEL_OK ? ACCEL_OK : wl_fail_hal(st, "uploading inputs");
}

accel_status wl_download(accel_stream *s, accel_buffer *src, size_t offset, size_t bytes, void **out) {
    *out = malloc(bytes ? bytes : 1);
    if (!*out)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "host buffer of %zu bytes for verification", bytes);
    accel_status st = accel_buffer_read(s, src, offset, *out, bytes);
    if (st == ACCEL_OK)
        st = accel_stream_synchronize(s);
    if (st != ACCEL_OK) {
        free(*out);
        *out = NULL;
        return wl_fail_hal(st, "reading results back");
    }
    return ACCEL_OK;
}

accel_status wl_plan(accel_device *dev, const accel_op_desc *desc, accel_op_plan **out,
                     size_t *max_workspace) {
    accel_status st = accel_op_plan_create(dev, desc, out);
    if (st != ACCEL_OK) {
        *out = NULL;
        char what[64];
        snprintf(what, sizeof what, "planning %s", accel_op_kind_name(desc->kind));
        return wl_fail_hal(st, what);
    }
    size_t ws = accel_op_plan_workspace_size(*out);
    if (max_workspace && ws > *max_workspace)
        *max_workspace = ws;
    return ACCEL_OK;
}

accel_buffer_ref wl_ref(accel_buffer *b, size_t offset) {
    accel_buffer_ref r = {b, offset};
    return r;
}

void wl_appendf(char *dst, size_t len, const char *fmt, ...) {
    size_t used = strlen(dst);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst + used, len - used, fmt, ap);
    va_end(ap);
}

void wl_note_plan(char *library, size_t library_len, const accel_op_plan *plan) {
    const char *lib = accel_op_plan_library(plan);
    if (!lib || !lib[0] || strstr(library, lib))
        return;
    wl_appendf(library, library_len, "%s%s", library[0] ? "+" : "", lib);
}

accel_status wl_corrupt_element(accel_stream *s, accel_buffer *buf, size_t offset, accel_dtype dtype,
                                int64_t index) {
    size_t es = accel_dtype_size(dtype);
    unsigned char elem[8];
    accel_status st = accel_buffer_read(s, buf, offset + (size_t)index * es, elem, es);
    if (st == ACCEL_OK)
        st = accel_stream_synchronize(s);
    if (st != ACCEL_OK)
        return wl_fail_hal(st, "corrupt_output: read");
    double v = accel_ref_load(dtype, elem, 0);
    /* Far outside any tolerance yet finite in every dtype (f16 max is 65504). */
    double bad = isfinite(v) && fabs(v) < 1000.0 ? -v + 30000.0 : 12345.0;
    accel_ref_store(dtype, elem, 0, bad);
    st = accel_buffer_write(s, buf, offset + (size_t)index * es, elem, es);
    if (st == ACCEL_OK)
        st = accel_stream_synchronize(s);
    return st == ACCEL_OK ? ACCEL_OK : wl_fail_hal(st, "corrupt_output: write");
}

size_t wl_default_library(accel_device *dev, const awl_config *cfg, const char **names, size_t max) {
    (void)dev;
    (void)cfg;
    if (max < 1)
        return 0;
    names[0] = "";
    return 1;
}

size_t wl_device_libraries(accel_device *dev, const char **names, size_t max) {
    accel_device_info info;
    if (max < 1)
        return 0;
    if (wl_device_info(dev, &info) != ACCEL_OK || !info.op_libraries[0]) {
        names[0] = "";
        return 1;
    }
    size_t n = 0;
    const char *p = info.op_libraries;
    while (*p && n < max && n < WL_ARRAY_LEN(wl_library_names)) {
        size_t len = strcspn(p, ",");
        if (len > 0 && len < sizeof wl_library_names[0]) {
            memcpy(wl_library_names[n], p, len);
            wl_library_names[n][len] = '\0';
            names[n] = wl_library_names[n];
            n++;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    if (n == 0) {
        names[0] = "";
        n = 1;
    }
    return n;
}
