/* Shared helpers of the conformance checks: tensors, comparisons, results. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

conf_result conf_fail(conf_ctx *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return CONF_FAIL;
}

conf_result conf_skip(conf_ctx *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return CONF_SKIP;
}

void conf_prefix(conf_ctx *c, const char *fmt, ...) {
    char head[128], old[sizeof c->why];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, c->why, sizeof old);
    snprintf(c->why, sizeof c->why, "%s: %.*s", head, (int)(sizeof c->why - sizeof head - 4), old);
}

conf_result conf_from_status(conf_ctx *c, accel_status st, const char *what) {
    if (st == ACCEL_ERR_UNIMPLEMENTED || st == ACCEL_ERR_UNAVAILABLE)
        return conf_skip(c, "%s: %s", what, accel_last_error());
    return conf_fail(c, "%s: %s: %s", what, accel_status_str(st), accel_last_error());
}

accel_status conf_tensor_empty(conf_ctx *c, conf_tensor *t, accel_dtype type, int64_t count) {
    memset(t, 0, sizeof *t);
    if (count == 0) return ACCEL_OK;
    t->type = type;
    t->count = count;
    size_t bytes = (size_t)count * accel_dtype_size(type);
    t->host = calloc(1, bytes);
    if (!t->host) return ACCEL_ERR_OUT_OF_MEMORY;
    return accel_buffer_alloc(c->dev, bytes, ACCEL_MEMORY_DEVICE, &t->buf);
}

accel_status conf_tensor_random(conf_ctx *c, conf_tensor *t, accel_dtype type, int64_t count,
                                uint64_t seed, double lo, double hi) {
    accel_status st = conf_tensor_empty(c, t, type, count);
    if (st != ACCEL_OK || count == 0) return st;
    accel_ref_fill_random(type, t->host, count, seed, lo, hi);
    return accel_buffer_write(c->stream, t->buf, 0, t->host,
                              (size_t)count * accel_dtype_size(type));
}

accel_status conf_tensor_download(conf_ctx *c, conf_tensor *t) {
    accel_status st = accel_buffer_read(c->stream, t->buf, 0, t->host,
                                        (size_t)t->count * accel_dtype_size(t->type));
    if (st != ACCEL_OK) return st;
    return accel_stream_synchronize(c->stream);
}

void conf_tensor_free(conf_tensor *t) {
    if (t->buf) accel_buffer_free(t->buf);
    free(t->host);
    memset(t, 0, sizeof *t);
}

accel_buffer_ref conf_ref(const conf_tensor *t) {
    accel_buffer_ref r = {t->buf, 0};
    return r;
}

double conf_tolerance(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: return 2e-5;
    case ACCEL_DTYPE_F16: return 3e-3;
    case ACCEL_DTYPE_BF16: return 2e-2;
    default: return 1e-12;
    }
}

conf_result conf_compare_normwise(conf_ctx *c, conf_tensor *got, const double *ref, double tol) {
    if (c->corrupt) {
        int64_t i = got->count / 2;
        double v = accel_ref_load(got->type, got->host, i);
        accel_ref_store(got->type, got->host, i, v + 10.0 * (fabs(v) + 1.0));
    }
    double err = accel_ref_normwise_rel_err(got->type, got->host, ref, got->count);
    if (!(err <= tol)) return conf_fail(c, "normwise relative error %.3g > %.3g", err, tol);
    return CONF_PASS;
}
