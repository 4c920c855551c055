/* Streams (non-blocking), events, cuEvent-pair timers and stream-capture graphs. */
#include <stdlib.h>

#include "cuda_internal.h"

accel_status accel_cuda_stream_create(void *p, void **out) {
    accel_cuda_device *dev = p;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;
    accel_cuda_stream *s = calloc(1, sizeof *s);
    if (!s) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    s->dev = dev;
    /* Non-blocking: no implicit sync with the legacy default stream, and capturable. */
    st = ACCEL_CUDA_CALL(dev->ctx, cuStreamCreate(&s->stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    if (st != ACCEL_OK) {
        free(s);
        return st;
    }
    *out = s;
    return ACCEL_OK;
}

void accel_cuda_stream_destroy(void *p) {
    accel_cuda_stream *s = p;
    if (accel_cuda_make_current(s->dev) == ACCEL_OK) s->dev->ctx->cu.cuStreamDestroy_v2(s->stream);
    free(s);
}

accel_status accel_cuda_stream_synchronize(void *p) {
    accel_cuda_stream *s = p;
    accel_status st = accel_cuda_make_current(s->dev);
    if (st != ACCEL_OK) return st;
    return ACCEL_CUDA_CALL(s->dev->ctx, cuStreamSynchronize(s->stream), "cuStreamSynchronize");
}

accel_status accel_cuda_event_create(void *p, void **out) {
    accel_cuda_device *dev = p;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;
    accel_cuda_event *e = calloc(1, sizeof *e);
    if (!e) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    e->dev = dev;
    st = ACCEL_CUDA_CALL(dev->ctx, cuEventCreate(&e->event, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
    if (st != ACCEL_OK) {
        free(e);
        return st;
    }
    *out = e;
    return ACCEL_OK;
}

void accel_cuda_event_destroy(void *p) {
    accel_cuda_event *e = p;
    if (accel_cuda_make_current(e->dev) == ACCEL_OK) e->dev->ctx->cu.cuEventDestroy_v2(e->event);
    free(e);
}

accel_status accel_cuda_event_record(void *pe, void *ps) {
    accel_cuda_event *e = pe;
    accel_cuda_stream *s = ps;
    accel_status st = accel_cuda_make_current(s->dev);
    if (st != ACCEL_OK) return st;
    return ACCEL_CUDA_CALL(s->dev->ctx, cuEventRecord(e->event, s->stream), "cuEventRecord");
}

accel_status accel_cuda_stream_wait_event(void *ps, void *pe) {
    accel_cuda_stream *s = ps;
    accel_cuda_event *e = pe;
    accel_status st = accel_cuda_make_current(s->dev);
    if (st != ACCEL_OK) return st;
    return ACCEL_CUDA_CALL(s->dev->ctx, cuStreamWaitEvent(s->stream, e->event, 0), "cuStreamWaitEvent");
}

accel_status accel_cuda_event_synchronize(void *pe) {
    accel_cuda_event *e = pe;
    accel_status st = accel_cuda_make_current(e->dev);
    if (st != ACCEL_OK) return st;
    return ACCEL_CUDA_CALL(e->dev->ctx, cuEventSynchronize(e->event), "cuEventSynchronize");
}

accel_status accel_cuda_timer_create(void *p, void **out) {
    accel_cuda_device *dev = p;
    accel_cuda_ctx *ctx = dev->ctx;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;
    accel_cuda_timer *t = calloc(1, sizeof *t);
    if (!t) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    t->dev = dev;
    st = ACCEL_CUDA_CALL(ctx, cuEventCreate(&t->begin, CU_EVENT_DEFAULT), "cuEventCreate");
    if (st == ACCEL_OK) {
        st = ACCEL_CUDA_CALL(ctx, cuEventCreate(&t->end, CU_EVENT_DEFAULT), "cuEventCreate");
        if (st != ACCEL_OK) ctx->cu.cuEventDestroy_v2(t->begin);
    }
    if (st != ACCEL_OK) {
        free(t);
        return st;
    }
    *out = t;
    return ACCEL_OK;
}

void accel_cuda_timer_destroy(void *p) {
    accel_cuda_timer *t = p;
    if (accel_cuda_make_current(t->dev) == ACCEL_OK) {
        t->dev->ctx->cu.cuEventDestroy_v2(t->begin);
        t->dev->ctx->cu.cuEventDestroy_v2(t->end);
    }
    free(t);
}

accel_status accel_cuda_timer_begin(void *pt, void *ps) {
    accel_cuda_timer *t = pt;
    accel_cuda_stream *s = ps;
    accel_status st = accel_cuda_make_current(s->dev);
    if (st != ACCEL_OK) return st;
    st = ACCEL_CUDA_CALL(s->dev->ctx, cuEventRecord(t->begin, s->stream), "cuEventRecord(begin)");
    t->begun = st == ACCEL_OK;
    t->ended = 0;
    return st;
}

accel_status accel_cuda_timer_end(void *pt, void *ps) {
    accel_cuda_timer *t = pt;
    accel_cuda_stream *s = ps;
    if (!t->begun)
        return s->dev->ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "timer end without begin");
    accel_status st = accel_cuda_make_current(s->dev);
    if (st != ACCEL_OK) return st;
    st = ACCEL_CUDA_CALL(s->dev->ctx, cuEventRecord(t->end, s->stream), "cuEventRecord(end)");
    t->ended = st == ACCEL_OK;
    return st;
}

accel_status accel_cuda_timer_elapsed_ms(void *pt, double *ms) {
    accel_cuda_timer *t = pt;
    accel_cuda_ctx *ctx = t->dev->ctx;
    if (!t->begun || !t->ended)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "timer was not begun and ended");
    accel_status st = accel_cuda_make_current(t->dev);
    if (st == ACCEL_OK) st = ACCEL_CUDA_CALL(ctx, cuEventSynchronize(t->end), "cuEventSynchronize");
    float f = 0.0f;
    if (st == ACCEL_OK)
        st = ACCEL_CUDA_CALL(ctx, cuEventElapsedTime_v2(&f, t->begin, t->end), "cuEventElapsedTime_v2");
    if (st == ACCEL_OK) *ms = f;
    return st;
}

accel_status accel_cuda_timer_properties(void *p, double *resolution_ns, const char **name) {
    (void)p;
    *resolution_ns = 500.0; /* cuEventElapsedTime: "resolution of around 0.5 microseconds" */
    *name = "cuda-event";
    return ACCEL_OK;
}

accel_status accel_cuda_stream_capture_begin(void *ps) {
    accel_cuda_stream *s = ps;
    accel_cuda_ctx *ctx = s->dev->ctx;
    if (!ctx->has_graphs)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "driver lacks the stream-capture entry points");
    accel_status st = accel_cuda_make_current(s->dev);
    if (st != ACCEL_OK) return st;
    /* Thread-local: other threads may keep allocating while this one records. */
    return ACCEL_CUDA_CALL(ctx, cuStreamBeginCapture_v2(s->stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                           "cuStreamBeginCapture_v2");
}

accel_status accel_cuda_stream_capture_end(void *ps, void **out) {
    accel_cuda_stream *s = ps;
    accel_cuda_ctx *ctx = s->dev->ctx;
    if (!ctx->has_graphs)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "driver lacks the stream-capture entry points");
    accel_status st = accel_cuda_make_current(s->dev);
    if (st != ACCEL_OK) return st;
    accel_cuda_graph *g = calloc(1, sizeof *g);
    if (!g) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    g->dev = s->dev;
    st = ACCEL_CUDA_CALL(ctx, cuStreamEndCapture(s->stream, &g->graph), "cuStreamEndCapture");
    if (st == ACCEL_OK) {
        st = ACCEL_CUDA_CALL(ctx, cuGraphInstantiateWithFlags(&g->exec, g->graph, 0),
                             "cuGraphInstantiateWithFlags");
        if (st != ACCEL_OK) ctx->cu.cuGraphDestroy(g->graph);
    }
    if (st != ACCEL_OK) {
        free(g);
        return st;
    }
    *out = g;
    return ACCEL_OK;
}

accel_status accel_cuda_graph_launch(void *pg, void *ps) {
    accel_cuda_graph *g = pg;
    accel_cuda_stream *s = ps;
    accel_status st = accel_cuda_make_current(s->dev);
    if (st != ACCEL_OK) return st;
    return ACCEL_CUDA_CALL(s->dev->ctx, cuGraphLaunch(g->exec, s->stream), "cuGraphLaunch");
}

void accel_cuda_graph_destroy(void *pg) {
    accel_cuda_graph *g = pg;
    if (accel_cuda_make_current(g->dev) == ACCEL_OK) {
        g->dev->ctx->cu.cuGraphExecDestroy(g->exec);
        g->dev->ctx->cu.cuGraphDestroy(g->graph);
    }
    free(g);
}
