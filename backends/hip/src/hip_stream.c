/* Streams, events, hipEvent-pair timers and hipGraph capture. */
#define _POSIX_C_SOURCE 200809L
#include "hip_internal.h"

#include <stdlib.h>

typedef struct hip_event_obj {
    hip_device *dev;
    hipEvent_t event;
} hip_event_obj;

typedef struct hip_timer_obj {
    hip_device *dev;
    hipEvent_t begin, end;
    int ended;
} hip_timer_obj;

typedef struct hip_graph_obj {
    hip_device *dev;
    hipGraph_t graph;
    hipGraphExec_t exec;
} hip_graph_obj;

accel_status hip_stream_create(void *p, void **out) {
    hip_device *dev = p;
    accel_status st = hip_device_bind(dev);
    if (st != ACCEL_OK)
        return st;
    hip_stream *s = calloc(1, sizeof *s);
    if (!s)
        return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
    s->dev = dev;
    /* Non-blocking: no implicit synchronisation with the legacy null stream. */
    hipError_t err = dev->ctx->api.hipStreamCreateWithFlags(&s->stream, hipStreamNonBlocking);
    if (err != hipSuccess) {
        free(s);
        return hip_fail(dev->ctx, "hipStreamCreateWithFlags", err);
    }
    *out = s;
    return ACCEL_OK;
}

void hip_stream_destroy(void *p) {
    hip_stream *s = p;
    (void)s->dev->ctx->api.hipStreamDestroy(s->stream);
    free(s);
}

accel_status hip_stream_synchronize(void *p) {
    hip_stream *s = p;
    hipError_t err = s->dev->ctx->api.hipStreamSynchronize(s->stream);
    return err == hipSuccess ? ACCEL_OK : hip_fail(s->dev->ctx, "hipStreamSynchronize", err);
}

static accel_status make_event(hip_device *dev, unsigned flags, hipEvent_t *out) {
    accel_status st = hip_device_bind(dev);
    if (st != ACCEL_OK)
        return st;
    hipError_t err = dev->ctx->api.hipEventCreateWithFlags(out, flags);
    return err == hipSuccess ? ACCEL_OK : hip_fail(dev->ctx, "hipEventCreateWithFlags", err);
}

accel_status hip_event_create(void *p, void **out) {
    hip_device *dev = p;
    hip_event_obj *e = calloc(1, sizeof *e);
    if (!e)
        return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
    e->dev = dev;
    accel_status st = make_event(dev, hipEventDisableTiming, &e->event);
    if (st != ACCEL_OK) {
        free(e);
        return st;
    }
    *out = e;
    return ACCEL_OK;
}

void hip_event_destroy(void *p) {
    hip_event_obj *e = p;
    (void)e->dev->ctx->api.hipEventDestroy(e->event);
    free(e);
}

accel_status hip_event_record(void *p, void *stream) {
    hip_event_obj *e = p;
    hipError_t err = e->dev->ctx->api.hipEventRecord(e->event, ((hip_stream *)stream)->stream);
    return err == hipSuccess ? ACCEL_OK : hip_fail(e->dev->ctx, "hipEventRecord", err);
}

accel_status hip_stream_wait_event(void *stream, void *p) {
    hip_stream *s = stream;
    hip_event_obj *e = p;
    hipError_t err = s->dev->ctx->api.hipStreamWaitEvent(s->stream, e->event, 0);
    return err == hipSuccess ? ACCEL_OK : hip_fail(s->dev->ctx, "hipStreamWaitEvent", err);
}

accel_status hip_event_synchronize(void *p) {
    hip_event_obj *e = p;
    hipError_t err = e->dev->ctx->api.hipEventSynchronize(e->event);
    return err == hipSuccess ? ACCEL_OK : hip_fail(e->dev->ctx, "hipEventSynchronize", err);
}

accel_status hip_timer_create(void *p, void **out) {
    hip_device *dev = p;
    hip_timer_obj *t = calloc(1, sizeof *t);
    if (!t)
        return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
    t->dev = dev;
    accel_status st = make_event(dev, 0, &t->begin);
    if (st == ACCEL_OK && (st = make_event(dev, 0, &t->end)) != ACCEL_OK)
        (void)dev->ctx->api.hipEventDestroy(t->begin);
    if (st != ACCEL_OK) {
        free(t);
        return st;
    }
    *out = t;
    return ACCEL_OK;
}

void hip_timer_destroy(void *p) {
    hip_timer_obj *t = p;
    (void)t->dev->ctx->api.hipEventDestroy(t->begin);
    (void)t->dev->ctx->api.hipEventDestroy(t->end);
    free(t);
}

accel_status hip_timer_begin(void *p, void *stream) {
    hip_timer_obj *t = p;
    t->ended = 0;
    hipError_t err = t->dev->ctx->api.hipEventRecord(t->begin, ((hip_stream *)stream)->stream);
    return err == hipSuccess ? ACCEL_OK : hip_fail(t->dev->ctx, "hipEventRecord (timer begin)", err);
}

accel_status hip_timer_end(void *p, void *stream) {
    hip_timer_obj *t = p;
    hipError_t err = t->dev->ctx->api.hipEventRecord(t->end, ((hip_stream *)stream)->stream);
    if (err != hipSuccess)
        return hip_fail(t->dev->ctx, "hipEventRecord (timer end)", err);
    t->ended = 1;
    return ACCEL_OK;
}

accel_status hip_timer_elapsed_ms(void *p, double *ms) {
    hip_timer_obj *t = p;
    hip_ctx *ctx = t->dev->ctx;
    if (!t->ended)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "hip timer: end was not recorded");
    hipError_t err = ctx->api.hipEventSynchronize(t->end);
    if (err != hipSuccess)
        return hip_fail(ctx, "hipEventSynchronize (timer)", err);
    float f = 0;
    err = ctx->api.hipEventElapsedTime(&f, t->begin, t->end);
    if (err != hipSuccess)
        return hip_fail(ctx, "hipEventElapsedTime", err);
    *ms = f;
    return ACCEL_OK;
}

accel_status hip_timer_properties(void *p, double *resolution_ns, const char **name) {
    (void)p;
    /* hipEventElapsedTime is documented with about one microsecond of resolution. */
    *resolution_ns = 1000.0;
    *name = "hip-event";
    return ACCEL_OK;
}

static int has_graphs(const hip_api *api) {
    return api->hipStreamBeginCapture && api->hipStreamEndCapture && api->hipGraphInstantiate &&
           api->hipGraphLaunch && api->hipGraphExecDestroy && api->hipGraphDestroy;
}

accel_status hip_stream_capture_begin(void *p) {
    hip_stream *s = p;
    hip_ctx *ctx = s->dev->ctx;
    if (!has_graphs(&ctx->api))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip: %s has no hipGraph capture",
                                    ctx->api.hip_lib_name);
    /* Thread-local: other threads' unrelated HIP calls stay legal during capture. */
    hipError_t err = ctx->api.hipStreamBeginCapture(s->stream, hipStreamCaptureModeThreadLocal);
    return err == hipSuccess ? ACCEL_OK : hip_fail(ctx, "hipStreamBeginCapture", err);
}

accel_status hip_stream_capture_end(void *p, void **out) {
    hip_stream *s = p;
    hip_ctx *ctx = s->dev->ctx;
    if (!has_graphs(&ctx->api))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip: %s has no hipGraph capture",
                                    ctx->api.hip_lib_name);
    hip_graph_obj *g = calloc(1, sizeof *g);
    if (!g)
        return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
    g->dev = s->dev;
    hipError_t err = ctx->api.hipStreamEndCapture(s->stream, &g->graph);
    if (err != hipSuccess) {
        free(g);
        return hip_fail(ctx, "hipStreamEndCapture", err);
    }
    char log[256] = "";
    err = ctx->api.hipGraphInstantiate(&g->exec, g->graph, NULL, log, sizeof log);
    if (err != hipSuccess) {
        (void)ctx->api.hipGraphDestroy(g->graph);
        free(g);
        return ctx->host->set_error(ACCEL_ERR_DEVICE, "hipGraphInstantiate: %s (%d) %s",
                                    hip_api_error_name(&ctx->api, err), (int)err, log);
    }
    *out = g;
    return ACCEL_OK;
}

accel_status hip_graph_launch(void *p, void *stream) {
    hip_graph_obj *g = p;
    hipError_t err = g->dev->ctx->api.hipGraphLaunch(g->exec, ((hip_stream *)stream)->stream);
    return err == hipSuccess ? ACCEL_OK : hip_fail(g->dev->ctx, "hipGraphLaunch", err);
}

void hip_graph_destroy(void *p) {
    hip_graph_obj *g = p;
    (void)g->dev->ctx->api.hipGraphExecDestroy(g->exec);
    (void)g->dev->ctx->api.hipGraphDestroy(g->graph);
    free(g);
}
