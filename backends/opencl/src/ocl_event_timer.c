/* Events (markers and barriers with wait lists) and timers from the profiling info of two tiny
 * fill commands bracketing the work: in an in-order queue, the first one's END is when the
 * bracketed work may start and the last one's START is when it has finished. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_internal.h"

#include <stdlib.h>

typedef struct ocl_event {
    ocl_device *dev;
    cl_event ev; /* NULL until recorded */
} ocl_event;

accel_status ocl_event_create(void *p, void **out) {
    ocl_event *e = calloc(1, sizeof(*e));
    if (!e)
        return ACCEL_ERR_OUT_OF_MEMORY;
    e->dev = p;
    *out = e;
    return ACCEL_OK;
}

void ocl_event_destroy(void *p) {
    ocl_event *e = p;
    if (e->ev)
        e->dev->cl->clReleaseEvent(e->ev);
    free(e);
}

accel_status ocl_event_record(void *p, void *stream) {
    ocl_event *e = p;
    ocl_stream *s = stream;
    cl_event ev = NULL;
    OCL_CHECK(e->dev, "clEnqueueMarkerWithWaitList",
              e->dev->cl->clEnqueueMarkerWithWaitList(s->queue, 0, NULL, &ev));
    if (e->ev)
        e->dev->cl->clReleaseEvent(e->ev);
    e->ev = ev;
    /* Another queue may wait on this marker: make sure it is submitted. */
    e->dev->cl->clFlush(s->queue);
    return ACCEL_OK;
}

accel_status ocl_stream_wait_event(void *stream, void *p) {
    ocl_event *e = p;
    ocl_stream *s = stream;
    if (!e->ev)
        return ACCEL_OK; /* never recorded: nothing to wait for */
    OCL_CHECK(e->dev, "clEnqueueBarrierWithWaitList",
              e->dev->cl->clEnqueueBarrierWithWaitList(s->queue, 1, &e->ev, NULL));
    return ACCEL_OK;
}

accel_status ocl_event_synchronize(void *p) {
    ocl_event *e = p;
    if (!e->ev)
        return ACCEL_OK;
    OCL_CHECK(e->dev, "clWaitForEvents", e->dev->cl->clWaitForEvents(1, &e->ev));
    return ACCEL_OK;
}

typedef struct ocl_timer {
    ocl_device *dev;
    cl_event begin, end;
} ocl_timer;

accel_status ocl_timer_create(void *p, void **out) {
    ocl_timer *t = calloc(1, sizeof(*t));
    if (!t)
        return ACCEL_ERR_OUT_OF_MEMORY;
    t->dev = p;
    *out = t;
    return ACCEL_OK;
}

static void ocl_timer_reset(ocl_timer *t, cl_event *which) {
    if (*which)
        t->dev->cl->clReleaseEvent(*which);
    *which = NULL;
}

void ocl_timer_destroy(void *p) {
    ocl_timer *t = p;
    ocl_timer_reset(t, &t->begin);
    ocl_timer_reset(t, &t->end);
    free(t);
}

/* A marker carries no profiling info on some drivers; a 4-byte fill always does. */
static accel_status ocl_timer_mark(ocl_timer *t, ocl_stream *s, cl_event *out) {
    static const cl_uint zero = 0;
    ocl_timer_reset(t, out);
    OCL_CHECK(t->dev, "clEnqueueFillBuffer (timer mark)",
              t->dev->cl->clEnqueueFillBuffer(s->queue, t->dev->timer_scratch, &zero, sizeof(zero),
                                              0, sizeof(zero), 0, NULL, out));
    return ACCEL_OK;
}

accel_status ocl_timer_begin(void *p, void *stream) {
    ocl_timer *t = p;
    ocl_timer_reset(t, &t->end);
    return ocl_timer_mark(t, stream, &t->begin);
}

accel_status ocl_timer_end(void *p, void *stream) {
    ocl_timer *t = p;
    if (!t->begin)
        return t->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "timer ended before it began");
    accel_status st = ocl_timer_mark(t, stream, &t->end);
    if (st == ACCEL_OK)
        t->dev->cl->clFlush(((ocl_stream *)stream)->queue);
    return st;
}

accel_status ocl_timer_elapsed_ms(void *p, double *ms) {
    ocl_timer *t = p;
    const ocl_api *cl = t->dev->cl;
    if (!t->begin || !t->end)
        return t->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                       "timer has no begin/end pair recorded");
    OCL_CHECK(t->dev, "clWaitForEvents", cl->clWaitForEvents(1, &t->end));
    cl_ulong first_end = 0, last_start = 0;
    OCL_CHECK(t->dev, "clGetEventProfilingInfo(CL_PROFILING_COMMAND_END)",
              cl->clGetEventProfilingInfo(t->begin, CL_PROFILING_COMMAND_END, sizeof(first_end),
                                          &first_end, NULL));
    OCL_CHECK(t->dev, "clGetEventProfilingInfo(CL_PROFILING_COMMAND_START)",
              cl->clGetEventProfilingInfo(t->end, CL_PROFILING_COMMAND_START, sizeof(last_start),
                                          &last_start, NULL));
    *ms = last_start > first_end ? (double)(last_start - first_end) * 1e-6 : 0.0;
    return ACCEL_OK;
}

accel_status ocl_timer_properties(void *p, double *resolution_ns, const char **name) {
    ocl_device *dev = p;
    *resolution_ns = dev->timer_resolution_ns;
    *name = "cl-profiling";
    return ACCEL_OK;
}
