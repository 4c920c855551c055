/* Program builds with a per-device binary cache on disk (accel_common/rtc_cache.h), so a second
 * run does not recompile.
 *
 * Cache directory: $ACCEL_CACHE_DIR, else $XDG_CACHE_HOME/accelbench/opencl, else
 * ~/.cache/accelbench/opencl. File name: opencl-<128-bit key of device name, driver version,
 * platform version, options and source>.clbin, holding the driver's program binary. A file that
 * fails the cache's checks, or that the driver refuses, is ignored and rebuilt. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_common/embedded.h"
#include "accel_common/rtc_cache.h"

extern const accel_embedded_file ocl_kernel_sources[];
extern const size_t ocl_kernel_sources_count;

const char *ocl_kernel_source(const char *file) {
    const accel_embedded_file *f = accel_embedded_find(ocl_kernel_sources, ocl_kernel_sources_count, file);
    return f ? f->text : NULL;
}

static accel_status ocl_build_failure(ocl_device *dev, cl_program prog, cl_int err) {
    size_t n = 0;
    dev->cl->clGetProgramBuildInfo(prog, dev->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
    char *log = calloc(n + 1, 1);
    if (log && n)
        dev->cl->clGetProgramBuildInfo(prog, dev->id, CL_PROGRAM_BUILD_LOG, n, log, NULL);
    /* Drop leading blank lines; keep the first part, where the first error is. */
    const char *excerpt = log ? log : "";
    while (*excerpt == '\n' || *excerpt == ' ')
        excerpt++;
    accel_status st = dev->host->set_error(
        err == CL_BUILD_PROGRAM_FAILURE || err == CL_INVALID_BUILD_OPTIONS ? ACCEL_ERR_INVALID_ARGUMENT
                                                                           : ACCEL_ERR_DEVICE,
        "clBuildProgram: %s (%d): %.1200s", ocl_error_name(err), (int)err, excerpt);
    free(log);
    return st;
}

static cl_program ocl_try_binary(ocl_device *dev, const unsigned char *bin, size_t n,
                                 const char *options) {
    cl_int status = CL_SUCCESS, err = CL_SUCCESS;
    cl_program prog =
        dev->cl->clCreateProgramWithBinary(dev->context, 1, &dev->id, &n, &bin, &status, &err);
    if (!prog)
        return NULL;
    if (err != CL_SUCCESS || status != CL_SUCCESS ||
        dev->cl->clBuildProgram(prog, 1, &dev->id, options, NULL, NULL) != CL_SUCCESS) {
        dev->cl->clReleaseProgram(prog);
        return NULL;
    }
    return prog;
}

static void ocl_store_binary(ocl_device *dev, cl_program prog, const char *path) {
    size_t n = 0;
    if (dev->cl->clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof(n), &n, NULL) !=
            CL_SUCCESS ||
        n == 0)
        return;
    unsigned char *bin = malloc(n);
    if (!bin)
        return;
    unsigned char *bins[1] = {bin};
    if (dev->cl->clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof(bins), bins, NULL) == CL_SUCCESS)
        (void)accel_rtc_cache_write(path, bin, n);
    free(bin);
}

accel_status ocl_program_build(ocl_device *dev, const char *source, size_t source_len,
                               const char *options, cl_program *out, char cache_state[8]) {
    const char *opts = options ? options : "";
    char dir[900], path[1024];
    int cache_on = accel_rtc_cache_dir("opencl", ACCEL_RTC_CACHE_ENV_FLAT, dir, sizeof(dir)) == 0;
    snprintf(cache_state, 8, "%s", cache_on ? "miss" : "off");
    if (cache_on) {
        accel_rtc_key key;
        accel_rtc_key_init(&key);
        accel_rtc_key_add_str(&key, dev->name);
        accel_rtc_key_add_str(&key, dev->driver_version);
        accel_rtc_key_add_str(&key, dev->platform_version);
        accel_rtc_key_add_str(&key, opts);
        accel_rtc_key_add(&key, source, source_len);
        char hex[33];
        accel_rtc_key_hex(&key, hex);
        snprintf(path, sizeof(path), "%s/opencl-%s.clbin", dir, hex);
        size_t n = 0;
        unsigned char *bin = accel_rtc_cache_read(path, &n);
        if (bin) {
            cl_program prog = ocl_try_binary(dev, bin, n, opts);
            free(bin);
            if (prog) {
                snprintf(cache_state, 8, "hit");
                *out = prog;
                return ACCEL_OK;
            }
        }
    }
    cl_int err = CL_SUCCESS;
    cl_program prog = dev->cl->clCreateProgramWithSource(dev->context, 1, &source, &source_len, &err);
    if (!prog)
        return ocl_fail(dev, ocl_status_of(err), "clCreateProgramWithSource", err);
    err = dev->cl->clBuildProgram(prog, 1, &dev->id, opts, NULL, NULL);
    if (err != CL_SUCCESS) {
        accel_status st = ocl_build_failure(dev, prog, err);
        dev->cl->clReleaseProgram(prog);
        return st;
    }
    if (cache_on)
        ocl_store_binary(dev, prog, path);
    *out = prog;
    return ACCEL_OK;
}

accel_status ocl_program_get(ocl_device *dev, const char *file, const char *options,
                             cl_program *out, const char **cache_state) {
    size_t keylen = strlen(file) + strlen(options) + 2;
    pthread_mutex_lock(&dev->lock);
    for (ocl_program_entry *e = dev->programs; e; e = e->next) {
        if (strncmp(e->key, file, strlen(file)) == 0 && e->key[strlen(file)] == '|' &&
            strcmp(e->key + strlen(file) + 1, options) == 0) {
            *out = e->program;
            *cache_state = "mem";
            pthread_mutex_unlock(&dev->lock);
            return ACCEL_OK;
        }
    }
    const char *src = ocl_kernel_source(file);
    if (!src) {
        pthread_mutex_unlock(&dev->lock);
        return dev->host->set_error(ACCEL_ERR_INTERNAL, "opencl: no embedded kernel file %s.cl", file);
    }
    ocl_program_entry *e = calloc(1, sizeof(*e));
    char *key = malloc(keylen);
    if (!e || !key) {
        free(e);
        free(key);
        pthread_mutex_unlock(&dev->lock);
        return ACCEL_ERR_OUT_OF_MEMORY;
    }
    snprintf(key, keylen, "%s|%s", file, options);
    accel_status st = ocl_program_build(dev, src, strlen(src), options, &e->program, e->cache_state);
    if (st != ACCEL_OK) {
        free(e);
        free(key);
        pthread_mutex_unlock(&dev->lock);
        return st;
    }
    e->key = key;
    e->next = dev->programs;
    dev->programs = e;
    *out = e->program;
    *cache_state = e->cache_state;
    pthread_mutex_unlock(&dev->lock);
    return ACCEL_OK;
}

void ocl_programs_release(ocl_device *dev) {
    ocl_program_entry *e = dev->programs;
    while (e) {
        ocl_program_entry *next = e->next;
        dev->cl->clReleaseProgram(e->program);
        free(e->key);
        free(e);
        e = next;
    }
    dev->programs = NULL;
}
