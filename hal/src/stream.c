/* Streams, transfers, events, timers and record/replay: argument checks, then the plugin. */
#include <stdlib.h>

#include "hal_internal.h"

#define OPS(dev) ((dev)->be->ops)

ACCEL_API accel_status accel_stream_create(accel_device *dev, accel_stream **out_stream) {
    HAL_CHECK_OUT(out_stream);
    *out_stream = NULL;
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    accel_stream *s = calloc(1, sizeof *s);
    if (!s) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_stream_create: out of host memory");
    accel_status st = OPS(dev)->stream_create(dev->slot->handle, &s->handle);
    if (st != ACCEL_OK) {
        free(s);
        return st;
    }
    s->tag = TAG_STREAM;
    s->dev = dev;
    hal_device_adopt(dev, HAL_OWNED_STREAM);
    *out_stream = s;
    return ACCEL_OK;
}

ACCEL_API accel_status accel_stream_destroy(accel_stream *stream) {
    if (!stream) return ACCEL_OK;
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    accel_stream_destroy(stream->staging);
    accel_status st = OPS(stream->dev)->stream_synchronize(stream->handle);
    OPS(stream->dev)->stream_destroy(stream->handle);
    hal_device_release(stream->dev, HAL_OWNED_STREAM);
    stream->tag = 0;
    free(stream);
    return st;
}

ACCEL_API accel_status accel_stream_synchronize(accel_stream *stream) {
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    return OPS(stream->dev)->stream_synchronize(stream->handle);
}

ACCEL_API accel_device *accel_stream_device(const accel_stream *stream) {
    return stream && stream->tag == TAG_STREAM ? stream->dev : NULL;
}

/* A buffer used on a stream: valid, same device, range inside. */
static accel_status check_buffer_on(const accel_stream *s, const accel_buffer *b, size_t off,
                                    size_t bytes, const char *fn, const char *what) {
    if (!b) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: %s buffer is NULL", fn, what);
    if (b->tag != TAG_BUFFER)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: %s buffer is not a valid handle", fn, what);
    if (!hal_same_device(b->dev, s->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "%s: %s buffer belongs to %s but the stream to %s", fn, what, b->dev->id,
                         s->dev->id);
    if (!hal_range_ok(b->size, off, bytes))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "%s: %s range [%zu, %zu + %zu) is outside the %zu-byte buffer", fn, what,
                         off, off, bytes, b->size);
    return ACCEL_OK;
}

#define TRY(x)                                                                                    \
    do {                                                                                          \
        accel_status st_ = (x);                                                                   \
        if (st_ != ACCEL_OK) return st_;                                                          \
    } while (0)

ACCEL_API accel_status accel_buffer_write(accel_stream *stream, accel_buffer *dst,
                                          size_t dst_offset, const void *src, size_t bytes) {
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    if (!src) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_write: source is NULL");
    if (bytes == 0) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_write: 0 bytes");
    TRY(check_buffer_on(stream, dst, dst_offset, bytes, __func__, "destination"));
    return OPS(stream->dev)->buffer_write(stream->handle, dst->handle, dst_offset, src, bytes);
}

ACCEL_API accel_status accel_buffer_read(accel_stream *stream, const accel_buffer *src,
                                         size_t src_offset, void *dst, size_t bytes) {
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    if (!dst) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_read: destination is NULL");
    if (bytes == 0) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_read: 0 bytes");
    TRY(check_buffer_on(stream, src, src_offset, bytes, __func__, "source"));
    return OPS(stream->dev)->buffer_read(stream->handle, src->handle, src_offset, dst, bytes);
}

ACCEL_API accel_status accel_buffer_copy(accel_stream *stream, accel_buffer *dst,
                                         size_t dst_offset, const accel_buffer *src,
                                         size_t src_offset, size_t bytes) {
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    if (bytes == 0) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_copy: 0 bytes");
    TRY(check_buffer_on(stream, dst, dst_offset, bytes, __func__, "destination"));
    TRY(check_buffer_on(stream, src, src_offset, bytes, __func__, "source"));
    return OPS(stream->dev)->buffer_copy(stream->handle, dst->handle, dst_offset, src->handle,
                                         src_offset, bytes);
}

ACCEL_API accel_status accel_buffer_fill(accel_stream *stream, accel_buffer *dst,
                                         size_t dst_offset, size_t bytes, const void *pattern,
                                         size_t pattern_size) {
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    if (!pattern) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_fill: pattern is NULL");
    if (pattern_size != 1 && pattern_size != 2 && pattern_size != 4 && pattern_size != 8 &&
        pattern_size != 16)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_buffer_fill: pattern size %zu is not 1, 2, 4, 8 or 16", pattern_size);
    if (bytes == 0 || bytes % pattern_size || dst_offset % pattern_size)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_buffer_fill: %zu bytes at offset %zu are not a non-zero multiple "
                         "of the %zu-byte pattern",
                         bytes, dst_offset, pattern_size);
    TRY(check_buffer_on(stream, dst, dst_offset, bytes, __func__, "destination"));
    return OPS(stream->dev)->buffer_fill(stream->handle, dst->handle, dst_offset, bytes, pattern,
                                         pattern_size);
}

/* ---- events ---- */

static accel_status events_supported(const accel_device *dev) {
    const accel_backend_ops *o = OPS(dev);
    if (HAL_HAS_SLOT(o, event_create) && HAL_HAS_SLOT(o, event_destroy) &&
        HAL_HAS_SLOT(o, event_record) && HAL_HAS_SLOT(o, stream_wait_event) &&
        HAL_HAS_SLOT(o, event_synchronize))
        return ACCEL_OK;
    return hal_error(ACCEL_ERR_UNIMPLEMENTED, "%s: the %s backend has no events", dev->id, o->name);
}

ACCEL_API accel_status accel_event_create(accel_device *dev, accel_event **out_event) {
    HAL_CHECK_OUT(out_event);
    *out_event = NULL;
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    TRY(events_supported(dev));
    accel_event *e = calloc(1, sizeof *e);
    if (!e) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_event_create: out of host memory");
    accel_status st = OPS(dev)->event_create(dev->slot->handle, &e->handle);
    if (st != ACCEL_OK) {
        free(e);
        return st;
    }
    e->tag = TAG_EVENT;
    e->dev = dev;
    hal_device_adopt(dev, HAL_OWNED_EVENT);
    *out_event = e;
    return ACCEL_OK;
}

ACCEL_API void accel_event_destroy(accel_event *event) {
    if (!event || event->tag != TAG_EVENT) return;
    OPS(event->dev)->event_destroy(event->handle);
    hal_device_release(event->dev, HAL_OWNED_EVENT);
    event->tag = 0;
    free(event);
}

ACCEL_API accel_status accel_event_record(accel_event *event, accel_stream *stream) {
    HAL_CHECK_HANDLE(event, TAG_EVENT, "event");
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    if (!hal_same_device(event->dev, stream->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_event_record: event of %s recorded on a stream of %s",
                         event->dev->id, stream->dev->id);
    return OPS(stream->dev)->event_record(event->handle, stream->handle);
}

ACCEL_API accel_status accel_stream_wait_event(accel_stream *stream, accel_event *event) {
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    HAL_CHECK_HANDLE(event, TAG_EVENT, "event");
    if (!hal_same_device(event->dev, stream->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_stream_wait_event: cross-device waits (%s on %s) are not supported",
                         event->dev->id, stream->dev->id);
    return OPS(stream->dev)->stream_wait_event(stream->handle, event->handle);
}

ACCEL_API accel_status accel_event_synchronize(accel_event *event) {
    HAL_CHECK_HANDLE(event, TAG_EVENT, "event");
    return OPS(event->dev)->event_synchronize(event->handle);
}

/* ---- timers ---- */

ACCEL_API accel_status accel_timer_create(accel_device *dev, accel_timer **out_timer) {
    HAL_CHECK_OUT(out_timer);
    *out_timer = NULL;
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    accel_timer *t = calloc(1, sizeof *t);
    if (!t) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_timer_create: out of host memory");
    accel_status st = OPS(dev)->timer_create(dev->slot->handle, &t->handle);
    if (st != ACCEL_OK) {
        free(t);
        return st;
    }
    t->tag = TAG_TIMER;
    t->dev = dev;
    hal_device_adopt(dev, HAL_OWNED_TIMER);
    *out_timer = t;
    return ACCEL_OK;
}

ACCEL_API void accel_timer_destroy(accel_timer *timer) {
    if (!timer || timer->tag != TAG_TIMER) return;
    OPS(timer->dev)->timer_destroy(timer->handle);
    hal_device_release(timer->dev, HAL_OWNED_TIMER);
    timer->tag = 0;
    free(timer);
}

static accel_status check_timer_stream(const accel_timer *t, const accel_stream *s, const char *fn) {
    HAL_CHECK_HANDLE(t, TAG_TIMER, "timer");
    HAL_CHECK_HANDLE(s, TAG_STREAM, "stream");
    if (!hal_same_device(t->dev, s->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: timer of %s used on a stream of %s", fn,
                         t->dev->id, s->dev->id);
    return ACCEL_OK;
}

ACCEL_API accel_status accel_timer_begin(accel_timer *timer, accel_stream *stream) {
    TRY(check_timer_stream(timer, stream, __func__));
    accel_status st = OPS(stream->dev)->timer_begin(timer->handle, stream->handle);
    timer->state = st == ACCEL_OK ? 1 : 0;
    return st;
}

ACCEL_API accel_status accel_timer_end(accel_timer *timer, accel_stream *stream) {
    TRY(check_timer_stream(timer, stream, __func__));
    if (timer->state != 1)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_timer_end: the timer was not begun");
    accel_status st = OPS(stream->dev)->timer_end(timer->handle, stream->handle);
    timer->state = st == ACCEL_OK ? 2 : 0;
    return st;
}

ACCEL_API accel_status accel_timer_elapsed_ms(accel_timer *timer, double *out_ms) {
    HAL_CHECK_HANDLE(timer, TAG_TIMER, "timer");
    HAL_CHECK_OUT(out_ms);
    if (timer->state != 2)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_timer_elapsed_ms: the timer has no begin/end pair");
    return OPS(timer->dev)->timer_elapsed_ms(timer->handle, out_ms);
}

ACCEL_API accel_status accel_timer_properties(accel_device *dev, double *out_resolution_ns,
                                              const char **out_name) {
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    HAL_CHECK_OUT(out_resolution_ns);
    HAL_CHECK_OUT(out_name);
    return OPS(dev)->timer_properties(dev->slot->handle, out_resolution_ns, out_name);
}

/* ---- record / replay (reserved, optional) ---- */

static accel_status graphs_supported(const accel_device *dev) {
    const accel_backend_ops *o = OPS(dev);
    if (HAL_HAS_SLOT(o, stream_capture_begin) && HAL_HAS_SLOT(o, stream_capture_end) &&
        HAL_HAS_SLOT(o, graph_launch) && HAL_HAS_SLOT(o, graph_destroy))
        return ACCEL_OK;
    return hal_error(ACCEL_ERR_UNIMPLEMENTED, "%s: the %s backend has no record/replay", dev->id,
                     o->name);
}

ACCEL_API accel_status accel_stream_capture_begin(accel_stream *stream) {
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    TRY(graphs_supported(stream->dev));
    if (stream->capturing)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_stream_capture_begin: already capturing");
    accel_status st = OPS(stream->dev)->stream_capture_begin(stream->handle);
    if (st == ACCEL_OK) stream->capturing = 1;
    return st;
}

ACCEL_API accel_status accel_stream_capture_end(accel_stream *stream, accel_graph **out_graph) {
    HAL_CHECK_OUT(out_graph);
    *out_graph = NULL;
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    TRY(graphs_supported(stream->dev));
    if (!stream->capturing)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_stream_capture_end: not capturing");
    accel_graph *g = calloc(1, sizeof *g);
    if (!g) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_stream_capture_end: out of host memory");
    stream->capturing = 0;
    accel_status st = OPS(stream->dev)->stream_capture_end(stream->handle, &g->handle);
    if (st != ACCEL_OK) {
        free(g);
        return st;
    }
    g->tag = TAG_GRAPH;
    g->dev = stream->dev;
    hal_device_adopt(g->dev, HAL_OWNED_GRAPH);
    *out_graph = g;
    return ACCEL_OK;
}

ACCEL_API accel_status accel_graph_launch(accel_graph *graph, accel_stream *stream) {
    HAL_CHECK_HANDLE(graph, TAG_GRAPH, "graph");
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    if (!hal_same_device(graph->dev, stream->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_graph_launch: graph of %s on a stream of %s",
                         graph->dev->id, stream->dev->id);
    return OPS(stream->dev)->graph_launch(graph->handle, stream->handle);
}

ACCEL_API void accel_graph_destroy(accel_graph *graph) {
    if (!graph || graph->tag != TAG_GRAPH) return;
    OPS(graph->dev)->graph_destroy(graph->handle);
    hal_device_release(graph->dev, HAL_OWNED_GRAPH);
    graph->tag = 0;
    free(graph);
}
