/* Completion events: PJRT runs work asynchronously and orders it by data dependence only, so a
 * device keeps the events of the executions it has not waited for, and every synchronisation point
 * (stream, device, timer, event) waits for all of them. */
#include <stdlib.h>

#include "pjrt_internal.h"

/* Past this many outstanding executions, the oldest are waited for before another is queued. */
#define PJ_PENDING_LIMIT 256

accel_status pj_event_wait(const pj_device *dev, pjrt_event *ev, const char *what) {
    pjrt_event_args a = {.struct_size = sizeof a, .event = ev};
    pjrt_error *err = dev->api->event_await(&a);
    pjrt_event_args d = {.struct_size = sizeof d, .event = ev};
    pjrt_error *derr = dev->api->event_destroy(&d);
    if (err) {
        if (derr) pj_fail(dev, derr, ACCEL_ERR_DEVICE, "PJRT_Event_Destroy");
        return pj_fail(dev, err, ACCEL_ERR_DEVICE, what);
    }
    return derr ? pj_fail(dev, derr, ACCEL_ERR_DEVICE, "PJRT_Event_Destroy") : ACCEL_OK;
}

/* Drops the events that have completed; 1 when any failed (the error is reported). */
static accel_status reap_ready(pj_device *dev) {
    accel_status st = ACCEL_OK;
    size_t keep = 0;
    for (size_t i = 0; i < dev->npending; ++i) {
        pjrt_event_is_ready_args r = {.struct_size = sizeof r, .event = dev->pending[i]};
        pjrt_error *err = dev->api->event_is_ready(&r);
        if (err) {
            st = pj_fail(dev, err, ACCEL_ERR_DEVICE, "PJRT_Event_IsReady");
            dev->pending[keep++] = dev->pending[i];
        } else if (r.is_ready) {
            accel_status w = pj_event_wait(dev, dev->pending[i], "execution");
            if (w != ACCEL_OK) st = w;
        } else {
            dev->pending[keep++] = dev->pending[i];
        }
    }
    dev->npending = keep;
    return st;
}

accel_status pj_device_track(pj_device *dev, pjrt_event *ev) {
    pthread_mutex_lock(&dev->lock);
    accel_status st = ACCEL_OK;
    if (dev->npending >= PJ_PENDING_LIMIT) {
        st = reap_ready(dev);
        if (dev->npending >= PJ_PENDING_LIMIT) { /* still all running: wait for the oldest */
            accel_status w = pj_event_wait(dev, dev->pending[0], "execution");
            if (w != ACCEL_OK) st = w;
            for (size_t i = 1; i < dev->npending; ++i) dev->pending[i - 1] = dev->pending[i];
            dev->npending--;
        }
    }
    if (dev->npending == dev->cap_pending) {
        size_t cap = dev->cap_pending ? dev->cap_pending * 2 : 32;
        pjrt_event **p = realloc(dev->pending, cap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&dev->lock);
            accel_status w = pj_event_wait(dev, ev, "execution"); /* cannot track it: wait now */
            return w != ACCEL_OK ? w : st;
        }
        dev->pending = p;
        dev->cap_pending = cap;
    }
    dev->pending[dev->npending++] = ev;
    pthread_mutex_unlock(&dev->lock);
    return st;
}

accel_status pj_device_drain(pj_device *dev) {
    pthread_mutex_lock(&dev->lock);
    accel_status st = ACCEL_OK;
    for (size_t i = 0; i < dev->npending; ++i) {
        accel_status w = pj_event_wait(dev, dev->pending[i], "execution");
        if (w != ACCEL_OK && st == ACCEL_OK) st = w;
    }
    dev->npending = 0;
    pthread_mutex_unlock(&dev->lock);
    return st;
}
