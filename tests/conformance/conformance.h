/* The backend conformance suite: one table of checks, run against every device found. */
#ifndef ACCEL_CONFORMANCE_H
#define ACCEL_CONFORMANCE_H

#include <stdio.h>

#include "accel/accel.h"
#include "accel/reference.h"

typedef enum conf_result { CONF_PASS = 0, CONF_FAIL = 1, CONF_SKIP = 2 } conf_result;

typedef struct conf_ctx {
    accel_device *dev;
    accel_stream *stream;
    accel_device_info info;
    char why[512]; /* failure or skip reason */
    int corrupt;   /* self-test: damage the output before checking, so the check must fail */
    char library[32]; /* op library the op checks plan with ("" = the device's default) */
} conf_ctx;

typedef conf_result (*conf_fn)(conf_ctx *c);

typedef struct conf_check {
    const char *name;
    conf_fn fn;
} conf_check;

/* Each group of checks lives in its own file. */
extern const conf_check conf_memory_checks[];
extern const conf_check conf_kernel_checks[];
extern const conf_check conf_op_checks[];
extern const conf_check conf_graph_checks[];
extern const conf_check conf_train_checks[];

/* Helpers (conf_util.c). */
conf_result conf_fail(conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
conf_result conf_skip(conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Puts "<context>: " before the current reason. */
void conf_prefix(conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failed call: UNIMPLEMENTED/UNAVAILABLE become a skip with the backend's reason, else a failure. */
conf_result conf_from_status(conf_ctx *c, accel_status st, const char *what);

/* A host tensor with its device copy. */
typedef struct conf_tensor {
    accel_dtype type;
    int64_t count;
    void *host;
    accel_buffer *buf;
} conf_tensor;

/* Random host data of `type` (representable exactly), uploaded. count 0 = absent tensor. */
accel_status conf_tensor_random(conf_ctx *c, conf_tensor *t, accel_dtype type, int64_t count,
                                uint64_t seed, double lo, double hi);
/* Device buffer of count elements with host space for reading it back. */
accel_status conf_tensor_empty(conf_ctx *c, conf_tensor *t, accel_dtype type, int64_t count);
accel_status conf_tensor_download(conf_ctx *c, conf_tensor *t);
void conf_tensor_free(conf_tensor *t);
accel_buffer_ref conf_ref(const conf_tensor *t);

/* got (type t) against an fp64 reference, normwise; fails with the error when above tol. With
 * c->corrupt set, one element is damaged first (the self-test that the comparison can fail). */
conf_result conf_compare_normwise(conf_ctx *c, conf_tensor *got, const double *ref, double tol);
/* Per-dtype normwise tolerance for ops that round only at the output. */
double conf_tolerance(accel_dtype t);

#endif
