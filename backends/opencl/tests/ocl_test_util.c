#define _POSIX_C_SOURCE 200809L
#include "ocl_test_util.h"

#include <stdlib.h>
#include <string.h>

int ocl_test_open_runtime(ocl_test *t, const char *plugin_path) {
    memset(t, 0, sizeof(*t));
    snprintf(t->id, sizeof(t->id), "opencl");
    const char *paths[1] = {plugin_path};
    accel_runtime_options o = {.struct_size = sizeof(o),
                               .plugin_paths = paths,
                               .plugin_path_count = 1,
                               .backends = "opencl",
                               .no_default_paths = 1};
    if (accel_runtime_open(&o, &t->rt) != ACCEL_OK) {
        fprintf(stderr, "accel_runtime_open: %s\n", accel_last_error());
        return -1;
    }
    int n = 0;
    if (accel_runtime_backend_device_count(t->rt, "opencl", &n) != ACCEL_OK)
        return 0;
    return n;
}

const accel_backend_report *ocl_test_report(const ocl_test *t) {
    const accel_backend_report *list = NULL;
    size_t n = 0;
    if (accel_runtime_backends(t->rt, &list, &n) != ACCEL_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, "opencl") == 0)
            return &list[i];
    return NULL;
}

int ocl_test_open_device(ocl_test *t, int index) {
    snprintf(t->id, sizeof(t->id), "opencl:%d", index);
    if (accel_device_open(t->rt, t->id, &t->dev) != ACCEL_OK ||
        accel_stream_create(t->dev, &t->stream) != ACCEL_OK) {
        fprintf(stderr, "open %s: %s\n", t->id, accel_last_error());
        return -1;
    }
    return 0;
}

void ocl_test_close_device(ocl_test *t) {
    accel_stream_destroy(t->stream);
    accel_device_close(t->dev);
    t->stream = NULL;
    t->dev = NULL;
}

static int ocl_tensor_alloc(ocl_test *t, ocl_tensor *x, accel_dtype type, int64_t count) {
    memset(x, 0, sizeof(*x));
    x->type = type;
    x->count = count;
    size_t bytes = (size_t)count * accel_dtype_size(type);
    x->host = calloc(1, bytes);
    if (!x->host || accel_buffer_alloc(t->dev, bytes, ACCEL_MEMORY_DEVICE, &x->buf) != ACCEL_OK)
        return -1;
    return 0;
}

int ocl_tensor_random(ocl_test *t, ocl_tensor *x, accel_dtype type, int64_t count, uint64_t seed,
                      double lo, double hi) {
    if (ocl_tensor_alloc(t, x, type, count) != 0)
        return -1;
    accel_ref_fill_random(type, x->host, count, seed, lo, hi);
    size_t bytes = (size_t)count * accel_dtype_size(type);
    if (accel_buffer_write(t->stream, x->buf, 0, x->host, bytes) != ACCEL_OK ||
        accel_stream_synchronize(t->stream) != ACCEL_OK)
        return -1;
    return 0;
}

int ocl_tensor_zero(ocl_test *t, ocl_tensor *x, accel_dtype type, int64_t count) {
    if (ocl_tensor_alloc(t, x, type, count) != 0)
        return -1;
    unsigned char zero = 0;
    size_t bytes = (size_t)count * accel_dtype_size(type);
    if (accel_buffer_fill(t->stream, x->buf, 0, bytes, &zero, 1) != ACCEL_OK ||
        accel_stream_synchronize(t->stream) != ACCEL_OK)
        return -1;
    return 0;
}

int ocl_tensor_download(ocl_test *t, ocl_tensor *x) {
    size_t bytes = (size_t)x->count * accel_dtype_size(x->type);
    if (accel_buffer_read(t->stream, x->buf, 0, x->host, bytes) != ACCEL_OK ||
        accel_stream_synchronize(t->stream) != ACCEL_OK)
        return -1;
    return 0;
}

void ocl_tensor_free(ocl_tensor *x) {
    if (x->buf)
        accel_buffer_free(x->buf);
    free(x->host);
    memset(x, 0, sizeof(*x));
}

accel_buffer_ref ocl_tensor_ref(const ocl_tensor *x) {
    accel_buffer_ref r = {x->buf, 0};
    return r;
}
