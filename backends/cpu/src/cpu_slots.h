/* Memory, stream, event and timer slots (cpu_memory.c, cpu_stream.c). */
#ifndef ACCEL_CPU_SLOTS_H
#define ACCEL_CPU_SLOTS_H

#include "cpu_internal.h"

accel_status cpu_buffer_alloc(void *dev, size_t bytes, accel_memory_kind kind, void **buf,
                              void **host_ptr);
void cpu_buffer_free(void *dev, void *buf);
accel_status cpu_stream_create(void *dev, void **stream);
void cpu_stream_destroy(void *stream);
accel_status cpu_stream_synchronize(void *stream);
accel_status cpu_buffer_write(void *stream, void *dst, size_t dst_offset, const void *src,
                              size_t bytes);
accel_status cpu_buffer_read(void *stream, void *src, size_t src_offset, void *dst, size_t bytes);
accel_status cpu_buffer_copy(void *stream, void *dst, size_t dst_offset, void *src,
                             size_t src_offset, size_t bytes);
accel_status cpu_buffer_fill(void *stream, void *dst, size_t dst_offset, size_t bytes,
                             const void *pattern, size_t pattern_size);
accel_status cpu_event_create(void *dev, void **event);
void cpu_event_destroy(void *event);
accel_status cpu_event_record(void *event, void *stream);
accel_status cpu_stream_wait_event(void *stream, void *event);
accel_status cpu_event_synchronize(void *event);
accel_status cpu_timer_create(void *dev, void **timer);
void cpu_timer_destroy(void *timer);
accel_status cpu_timer_begin(void *timer, void *stream);
accel_status cpu_timer_end(void *timer, void *stream);
accel_status cpu_timer_elapsed_ms(void *timer, double *ms);
accel_status cpu_timer_properties(void *dev, double *resolution_ns, const char **name);

#endif
