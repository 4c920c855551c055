/* Shared helpers for the OpenCL backend tests: a runtime holding only this plugin, per-device
 * context, host<->device tensors, and counters. Exit code 77 = skipped (no OpenCL device). */
#ifndef OCL_TEST_UTIL_H
#define OCL_TEST_UTIL_H

#include <accel/accel.h>
#include <accel/reference.h>
#include <stdio.h>

#define OCL_TEST_SKIP 77

typedef struct ocl_test {
    accel_runtime *rt;
    accel_device *dev;
    accel_stream *stream;
    char id[32];
    int failed, passed;
} ocl_test;

#define T_CHECK(t, cond, ...)                                                                      \
    do {                                                                                           \
        if (cond) {                                                                                \
            (t)->passed++;                                                                         \
        } else {                                                                                   \
            (t)->failed++;                                                                         \
            fprintf(stderr, "FAIL %s:%d [%s]: %s: ", __FILE__, __LINE__, (t)->id, #cond);         \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, " (last error: %s)\n", accel_last_error());                            \
        }                                                                                          \
    } while (0)

/* Opens a runtime with only the plugin at plugin_path; returns the OpenCL device count, or -1. */
int ocl_test_open_runtime(ocl_test *t, const char *plugin_path);
/* Prints the backend report line (status, reason). */
const accel_backend_report *ocl_test_report(const ocl_test *t);
int ocl_test_open_device(ocl_test *t, int index);
void ocl_test_close_device(ocl_test *t);

typedef struct ocl_tensor {
    accel_dtype type;
    int64_t count;
    void *host;
    accel_buffer *buf;
} ocl_tensor;

/* Random values in [lo, hi) representable in type, uploaded. */
int ocl_tensor_random(ocl_test *t, ocl_tensor *x, accel_dtype type, int64_t count, uint64_t seed,
                      double lo, double hi);
/* Zero-filled (device and host). */
int ocl_tensor_zero(ocl_test *t, ocl_tensor *x, accel_dtype type, int64_t count);
int ocl_tensor_download(ocl_test *t, ocl_tensor *x);
void ocl_tensor_free(ocl_tensor *x);
accel_buffer_ref ocl_tensor_ref(const ocl_tensor *x);

#endif
