/* Program builds with a per-device binary cache on disk, so a second run does not recompile.
 *
 * Cache directory: $ACCEL_CACHE_DIR, else $XDG_CACHE_HOME/accelbench/opencl, else
 * ~/.cache/accelbench/opencl. File name: opencl-<128-bit hash of device name, driver version,
 * platform version, options and source>.clbin. File layout: 8-byte magic, u64 payload size, u64
 * FNV-1a checksum of the payload, payload (the driver's program binary). Files are written to a
 * temporary name and renamed, so readers never see a partial file; a file that fails any check, or
 * that the driver refuses, is ignored and rebuilt. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char ocl_cache_magic[8] = {'A', 'C', 'L', 'P', 'R', 'G', '1', '\n'};

typedef struct ocl_hash {
    uint64_t a, b;
} ocl_hash;

static void ocl_hash_bytes(ocl_hash *h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h->a = (h->a ^ p[i]) * 0x100000001b3ull;
        h->b = (h->b ^ p[i]) * 0x100000001b3ull;
        h->b ^= h->b >> 29;
    }
    /* A separator, so ("ab","c") and ("a","bc") differ. */
    h->a = (h->a ^ 0xff) * 0x100000001b3ull;
    h->b = (h->b ^ 0xfe) * 0x100000001b3ull;
}

static uint64_t ocl_checksum(const void *data, size_t n) {
    ocl_hash h = {0xcbf29ce484222325ull, 0};
    ocl_hash_bytes(&h, data, n);
    return h.a;
}

static int ocl_mkdir_p(const char *path) {
    char tmp[1024];
    if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* 0 and the directory in out, or -1 when no usable location exists. */
static int ocl_cache_dir(char *out, size_t len) {
    const char *dir = getenv("ACCEL_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (dir && dir[0])
        n = snprintf(out, len, "%s", dir);
    else if (xdg && xdg[0])
        n = snprintf(out, len, "%s/accelbench/opencl", xdg);
    else if (home && home[0])
        n = snprintf(out, len, "%s/.cache/accelbench/opencl", home);
    else
        return -1;
    if (n < 0 || (size_t)n >= len)
        return -1;
    return ocl_mkdir_p(out);
}

/* Returns a malloc'ed payload when the file exists and passes every check. */
static unsigned char *ocl_cache_read(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char magic[8];
    uint64_t n = 0, sum = 0;
    unsigned char *data = NULL;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, ocl_cache_magic, 8) != 0 ||
        fread(&n, sizeof(n), 1, f) != 1 || fread(&sum, sizeof(sum), 1, f) != 1 || n == 0 ||
        n > ((uint64_t)1 << 31))
        goto bad;
    data = malloc((size_t)n);
    if (!data || fread(data, 1, (size_t)n, f) != n || fgetc(f) != EOF ||
        ocl_checksum(data, (size_t)n) != sum)
        goto bad;
    fclose(f);
    *size = (size_t)n;
    return data;
bad:
    free(data);
    fclose(f);
    return NULL;
}

/* tag: unique per writer within the process (two device handles may build the same program at
 * once); the pid makes it unique across processes. */
static void ocl_cache_write(const char *path, const unsigned char *data, size_t n, const void *tag) {
    char tmp[1100];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%p", path, (long)getpid(), tag);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return;
    uint64_t n64 = n, sum = ocl_checksum(data, n);
    int ok = fwrite(ocl_cache_magic, 1, 8, f) == 8 && fwrite(&n64, sizeof(n64), 1, f) == 1 &&
             fwrite(&sum, sizeof(sum), 1, f) == 1 && fwrite(data, 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0)
        remove(tmp);
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
        ocl_cache_write(path, bin, n, dev);
    free(bin);
}

accel_status ocl_program_build(ocl_device *dev, const char *source, size_t source_len,
                               const char *options, cl_program *out, char cache_state[8]) {
    const char *opts = options ? options : "";
    char dir[900], path[1024];
    int cache_on = ocl_cache_dir(dir, sizeof(dir)) == 0;
    snprintf(cache_state, 8, "%s", cache_on ? "miss" : "off");
    if (cache_on) {
        ocl_hash h = {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull};
        ocl_hash_bytes(&h, dev->name, strlen(dev->name));
        ocl_hash_bytes(&h, dev->driver_version, strlen(dev->driver_version));
        ocl_hash_bytes(&h, dev->platform_version, strlen(dev->platform_version));
        ocl_hash_bytes(&h, opts, strlen(opts));
        ocl_hash_bytes(&h, source, source_len);
        snprintf(path, sizeof(path), "%s/opencl-%016llx%016llx.clbin", dir, (unsigned long long)h.a,
                 (unsigned long long)h.b);
        size_t n = 0;
        unsigned char *bin = ocl_cache_read(path, &n);
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
