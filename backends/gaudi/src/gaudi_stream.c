/* Streams (each with a pinned staging buffer for pageable host memory), events, and timers from
 * event pairs created to collect time (synEventElapsedTime, nanoseconds). */
#include <stdlib.h>
#include <string.h>

#include "gaudi_internal.h"

accel_status accel_gaudi_stream_init(accel_gaudi_device *dev, accel_gaudi_stream *s) {
    accel_gaudi_ctx *ctx = dev->ctx;
    memset(s, 0, sizeof *s);
    s->dev = dev;
    accel_status st = ACCEL_GAUDI_CALL(ctx, synStreamCreateGeneric(&s->stream, dev->id, 0), "synStreamCreateGeneric");
    if (st != ACCEL_OK) return st;
    st = ACCEL_GAUDI_CALL(ctx, synHostMalloc(dev->id, ACCEL_GAUDI_STAGING_BYTES, 0, &s->staging), "synHostMalloc");
    if (st != ACCEL_OK) {
        ctx->syn.synStreamDestroy(s->stream);
        s->stream = NULL;
    }
    return st;
}

void accel_gaudi_stream_release(accel_gaudi_stream *s) {
    accel_gaudi_ctx *ctx = s->dev->ctx;
    if (!s->stream) return;
    ctx->syn.synStreamSynchronize(s->stream);
    ctx->syn.synHostFree(s->dev->id, s->staging, 0);
    ctx->syn.synStreamDestroy(s->stream);
    s->stream = NULL;
}

accel_status accel_gaudi_stream_create(void *p, void **out) {
    accel_gaudi_device *dev = p;
    accel_gaudi_stream *s = calloc(1, sizeof *s);
    if (!s) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    accel_status st = accel_gaudi_stream_init(dev, s);
    if (st != ACCEL_OK) {
        free(s);
        return st;
    }
    *out = s;
    return ACCEL_OK;
}

void accel_gaudi_stream_destroy(void *p) {
    accel_gaudi_stream_release(p);
    free(p);
}

accel_status accel_gaudi_stream_synchronize(void *p) {
    accel_gaudi_stream *s = p;
    return ACCEL_GAUDI_CALL(s->dev->ctx, synStreamSynchronize(s->stream), "synStreamSynchronize");
}

accel_status accel_gaudi_event_create(void *p, void **out) {
    accel_gaudi_device *dev = p;
    accel_gaudi_event *e = calloc(1, sizeof *e);
    if (!e) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    e->dev = dev;
    accel_status st = ACCEL_GAUDI_CALL(dev->ctx, synEventCreate(&e->event, dev->id, 0), "synEventCreate");
    if (st != ACCEL_OK) {
        free(e);
        return st;
    }
    *out = e;
    return ACCEL_OK;
}

void accel_gaudi_event_destroy(void *p) {
    accel_gaudi_event *e = p;
    e->dev->ctx->syn.synEventDestroy(e->event);
    free(e);
}

accel_status accel_gaudi_event_record(void *p, void *sp) {
    accel_gaudi_event *e = p;
    accel_gaudi_stream *s = sp;
    accel_status st = ACCEL_GAUDI_CALL(e->dev->ctx, synEventRecord(e->event, s->stream), "synEventRecord");
    if (st == ACCEL_OK) e->recorded_on = s;
    return st;
}

accel_status accel_gaudi_stream_wait_event(void *sp, void *p) {
    accel_gaudi_stream *s = sp;
    accel_gaudi_event *e = p;
    /* SynapseAI wants the event from another stream; a stream already runs its own work in order,
     * and an event never recorded stands for no work. */
    if (!e->recorded_on || e->recorded_on == s) return ACCEL_OK;
    return ACCEL_GAUDI_CALL(e->dev->ctx, synStreamWaitEvent(s->stream, e->event, 0), "synStreamWaitEvent");
}

accel_status accel_gaudi_event_synchronize(void *p) {
    accel_gaudi_event *e = p;
    if (!e->recorded_on) return ACCEL_OK;
    return ACCEL_GAUDI_CALL(e->dev->ctx, synEventSynchronize(e->event), "synEventSynchronize");
}

accel_status accel_gaudi_timer_create(void *p, void **out) {
    accel_gaudi_device *dev = p;
    accel_gaudi_ctx *ctx = dev->ctx;
    accel_gaudi_timer *t = calloc(1, sizeof *t);
    if (!t) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    t->dev = dev;
    accel_status st = ACCEL_GAUDI_CALL(ctx, synEventCreate(&t->begin, dev->id, SYNAPSE_EVENT_COLLECT_TIME),
                                       "synEventCreate");
    if (st == ACCEL_OK)
        st = ACCEL_GAUDI_CALL(ctx, synEventCreate(&t->end, dev->id, SYNAPSE_EVENT_COLLECT_TIME), "synEventCreate");
    if (st != ACCEL_OK) {
        if (t->begin) ctx->syn.synEventDestroy(t->begin);
        free(t);
        return st;
    }
    *out = t;
    return ACCEL_OK;
}

void accel_gaudi_timer_destroy(void *p) {
    accel_gaudi_timer *t = p;
    t->dev->ctx->syn.synEventDestroy(t->begin);
    t->dev->ctx->syn.synEventDestroy(t->end);
    free(t);
}

accel_status accel_gaudi_timer_begin(void *p, void *sp) {
    accel_gaudi_timer *t = p;
    accel_gaudi_stream *s = sp;
    accel_status st = ACCEL_GAUDI_CALL(t->dev->ctx, synEventRecord(t->begin, s->stream), "synEventRecord");
    t->begun = st == ACCEL_OK;
    t->ended = 0;
    return st;
}

accel_status accel_gaudi_timer_end(void *p, void *sp) {
    accel_gaudi_timer *t = p;
    accel_gaudi_stream *s = sp;
    if (!t->begun) return t->dev->ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "timer ended before it began");
    accel_status st = ACCEL_GAUDI_CALL(t->dev->ctx, synEventRecord(t->end, s->stream), "synEventRecord");
    t->ended = st == ACCEL_OK;
    return st;
}

accel_status accel_gaudi_timer_elapsed_ms(void *p, double *ms) {
    accel_gaudi_timer *t = p;
    accel_gaudi_ctx *ctx = t->dev->ctx;
    if (!t->begun || !t->ended)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "timer has no begin and end marks");
    accel_status st = ACCEL_GAUDI_CALL(ctx, synEventSynchronize(t->end), "synEventSynchronize");
    uint64_t ns = 0;
    if (st == ACCEL_OK)
        st = ACCEL_GAUDI_CALL(ctx, synEventElapsedTime(&ns, t->begin, t->end), "synEventElapsedTime");
    if (st == ACCEL_OK) *ms = (double)ns * 1e-6;
    return st;
}

accel_status accel_gaudi_timer_properties(void *p, double *resolution_ns, const char **name) {
    (void)p;
    /* synEventElapsedTime reports whole nanoseconds; the device's own tick is not documented
     * (docs/backend-gaudi.md: to be measured on hardware). */
    *resolution_ns = 1.0;
    *name = "syn-event";
    return ACCEL_OK;
}
