/* Streams, events and timers. PJRT has no streams and no device timers: work runs asynchronously,
 * ordered by data dependence, and a stream here is a point to wait for all of a device's outstanding
 * executions. Timers read the host clock after such a wait (the CSV's timer column says "host"). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>

#include "pjrt_init.h"
#include "pjrt_internal.h"

typedef struct pj_timer {
    pj_device *dev;
    double begin_ms, end_ms;
} pj_timer;

typedef struct pj_marker {
    int recorded;
} pj_marker;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

accel_status pj_stream_create(void *vdev, void **out) {
    pj_device *dev = vdev;
    pj_stream *s = calloc(1, sizeof *s);
    if (!s) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: out of host memory");
    s->dev = dev;
    *out = s;
    return ACCEL_OK;
}

void pj_stream_destroy(void *s) { free(s); }
accel_status pj_stream_synchronize(void *vs) { return pj_device_drain(((pj_stream *)vs)->dev); }

/* An event is recorded by waiting for what came before it, so waiting on it later is immediate. */
accel_status pj_event_create(void *vdev, void **out) {
    pj_device *dev = vdev;
    pj_marker *m = calloc(1, sizeof *m);
    if (!m) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: out of host memory");
    *out = m;
    return ACCEL_OK;
}
void pj_event_destroy(void *e) { free(e); }
accel_status pj_event_record(void *e, void *vs) {
    ((pj_marker *)e)->recorded = 1;
    return pj_stream_synchronize(vs);
}
accel_status pj_stream_wait_event(void *s, void *e) { (void)s; (void)e; return ACCEL_OK; }
accel_status pj_event_synchronize(void *e) { (void)e; return ACCEL_OK; }

accel_status pj_timer_create(void *vdev, void **out) {
    pj_device *dev = vdev;
    pj_timer *t = calloc(1, sizeof *t);
    if (!t) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: out of host memory");
    t->dev = dev;
    *out = t;
    return ACCEL_OK;
}
void pj_timer_destroy(void *t) { free(t); }

accel_status pj_timer_begin(void *vt, void *vs) {
    pj_timer *t = vt;
    accel_status st = pj_stream_synchronize(vs); /* what ran before the bracket is not in it */
    t->begin_ms = now_ms();
    return st;
}

accel_status pj_timer_end(void *vt, void *vs) {
    pj_timer *t = vt;
    accel_status st = pj_stream_synchronize(vs);
    t->end_ms = now_ms();
    return st;
}

accel_status pj_timer_elapsed_ms(void *vt, double *ms) {
    pj_timer *t = vt;
    *ms = t->end_ms - t->begin_ms;
    return ACCEL_OK;
}

accel_status pj_timer_properties(void *dev, double *resolution_ns, const char **name) {
    (void)dev;
    struct timespec res;
    clock_getres(CLOCK_MONOTONIC, &res);
    *resolution_ns = (double)res.tv_sec * 1e9 + (double)res.tv_nsec;
    *name = "host";
    return ACCEL_OK;
}
