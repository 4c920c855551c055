/* Streams (in-order queues), events, device-side timers, transfers, and the reserved record/replay slot. */
#ifndef ACCEL_STREAM_H
#define ACCEL_STREAM_H

#include "accel/buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct accel_stream accel_stream;
typedef struct accel_event accel_event;
typedef struct accel_timer accel_timer;
typedef struct accel_graph accel_graph;

/* A stream is used by one thread at a time; distinct streams may be used from distinct threads. */
accel_status accel_stream_create(accel_device *dev, accel_stream **out_stream);
/* Waits for its queued work, then destroys. NULL is a no-op. */
accel_status accel_stream_destroy(accel_stream *stream);
accel_status accel_stream_synchronize(accel_stream *stream);
accel_device *accel_stream_device(const accel_stream *stream);

/* Transfers, enqueued in order on stream. src/dst host pointers must stay valid until the stream is
 * synchronized (pageable host memory: the backend may complete the copy before returning). */
accel_status accel_buffer_write(accel_stream *stream, accel_buffer *dst, size_t dst_offset,
                                const void *src, size_t bytes);
accel_status accel_buffer_read(accel_stream *stream, const accel_buffer *src, size_t src_offset,
                               void *dst, size_t bytes);
/* Buffers may belong to different devices only when one is HOST_PINNED on the stream's device. */
accel_status accel_buffer_copy(accel_stream *stream, accel_buffer *dst, size_t dst_offset,
                               const accel_buffer *src, size_t src_offset, size_t bytes);
/* pattern_size is 1, 2, 4, 8 or 16, and bytes a multiple of it. */
accel_status accel_buffer_fill(accel_stream *stream, accel_buffer *dst, size_t dst_offset,
                               size_t bytes, const void *pattern, size_t pattern_size);

/* Events: record on one stream, wait on another (device-side), or wait on the host. */
accel_status accel_event_create(accel_device *dev, accel_event **out_event);
void accel_event_destroy(accel_event *event);
accel_status accel_event_record(accel_event *event, accel_stream *stream);
accel_status accel_stream_wait_event(accel_stream *stream, accel_event *event);
accel_status accel_event_synchronize(accel_event *event);

/* Device-side timers bracketing any sequence of work on one stream:
 *   begin(t, s); ...enqueue...; end(t, s); elapsed(t, &ms)   (elapsed waits for the end mark).
 * CUDA/HIP event pairs, Level Zero global timestamps, OpenCL profiling of first/last command, CPU
 * clock_gettime(CLOCK_MONOTONIC) with in-order execution. */
accel_status accel_timer_create(accel_device *dev, accel_timer **out_timer);
void accel_timer_destroy(accel_timer *timer);
accel_status accel_timer_begin(accel_timer *timer, accel_stream *stream);
accel_status accel_timer_end(accel_timer *timer, accel_stream *stream);
accel_status accel_timer_elapsed_ms(accel_timer *timer, double *out_ms);
/* Resolution of this device's timer in nanoseconds, and a name for the CSV "timer" column
 * ("cuda-event", "cl-profiling", "ze-timestamp", "clock-monotonic"). */
accel_status accel_timer_properties(accel_device *dev, double *out_resolution_ns,
                                    const char **out_name);

/* Reserved record/replay slot (CUDA graphs, HIP graphs, Level Zero command lists). Backends without
 * it answer ACCEL_ERR_UNIMPLEMENTED. Work enqueued between begin and end is recorded, not run. */
accel_status accel_stream_capture_begin(accel_stream *stream);
accel_status accel_stream_capture_end(accel_stream *stream, accel_graph **out_graph);
accel_status accel_graph_launch(accel_graph *graph, accel_stream *stream);
void accel_graph_destroy(accel_graph *graph);

#ifdef __cplusplus
}
#endif
#endif
