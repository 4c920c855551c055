/* Events and timers. Streams execute in order on the calling thread, so an event is complete as soon
 * as it is recorded and a timer is a pair of CLOCK_MONOTONIC readings around the enqueued work. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>

#include "cpu_internal.h"
#include "cpu_slots.h"

typedef struct cpu_event {
    cpu_device *dev;
    int recorded;
} cpu_event;

accel_status cpu_event_create(void *vdev, void **out_event) {
    cpu_device *dev = vdev;
    cpu_event *e = calloc(1, sizeof *e);
    if (!e) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    e->dev = dev;
    *out_event = e;
    return ACCEL_OK;
}

void cpu_event_destroy(void *event) { free(event); }

accel_status cpu_event_record(void *event, void *stream) {
    (void)stream;
    ((cpu_event *)event)->recorded = 1;
    return ACCEL_OK;
}

accel_status cpu_stream_wait_event(void *stream, void *event) {
    (void)stream;
    (void)event;
    return ACCEL_OK;
}

accel_status cpu_event_synchronize(void *event) {
    (void)event;
    return ACCEL_OK;
}

accel_status cpu_timer_create(void *vdev, void **out_timer) {
    cpu_device *dev = vdev;
    cpu_timer *t = calloc(1, sizeof *t);
    if (!t) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    t->dev = dev;
    *out_timer = t;
    return ACCEL_OK;
}

void cpu_timer_destroy(void *timer) { free(timer); }

accel_status cpu_timer_begin(void *timer, void *stream) {
    (void)stream;
    cpu_timer *t = timer;
    t->begin_ns = cpu_now_ns();
    t->begun = 1;
    t->ended = 0;
    return ACCEL_OK;
}

accel_status cpu_timer_end(void *timer, void *stream) {
    cpu_timer *t = timer;
    cpu_stream *s = stream;
    if (!t->begun)
        return s->dev->ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                            "timer_end: timer was not begun");
    t->end_ns = cpu_now_ns();
    t->ended = 1;
    return ACCEL_OK;
}

accel_status cpu_timer_elapsed_ms(void *timer, double *ms) {
    cpu_timer *t = timer;
    if (!t->begun || !t->ended)
        return t->dev->ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                            "timer_elapsed: timer has no begin/end pair");
    *ms = (t->end_ns - t->begin_ns) / 1e6;
    return ACCEL_OK;
}

accel_status cpu_timer_properties(void *dev, double *resolution_ns, const char **name) {
    (void)dev;
    struct timespec res;
    *resolution_ns = clock_getres(CLOCK_MONOTONIC, &res) == 0
                         ? (double)res.tv_sec * 1e9 + (double)res.tv_nsec
                         : 1.0;
    *name = "clock-monotonic";
    return ACCEL_OK;
}
