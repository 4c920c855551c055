/* The backend's slots, one file each group. */
#ifndef ACCEL_PJRT_INIT_H
#define ACCEL_PJRT_INIT_H

#include "accel/plugin.h"

accel_status pj_init(const accel_host_services *host, void **ctx, int *device_count, char *reason,
                     size_t reason_len);
void pj_shutdown(void *ctx);

accel_status pj_device_open(void *ctx, int index, void **dev);
void pj_device_close(void *dev);
accel_status pj_device_info(void *dev, accel_device_info *info);
accel_status pj_device_synchronize(void *dev);

accel_status pj_buffer_alloc(void *dev, size_t bytes, accel_memory_kind kind, void **buf, void **host_ptr);
void pj_buffer_free(void *dev, void *buf);
accel_status pj_write(void *stream, void *dst, size_t off, const void *src, size_t bytes);
accel_status pj_read(void *stream, void *src, size_t off, void *dst, size_t bytes);
accel_status pj_copy(void *stream, void *dst, size_t doff, void *src, size_t soff, size_t bytes);
accel_status pj_fill(void *stream, void *dst, size_t off, size_t bytes, const void *pattern, size_t psize);

accel_status pj_stream_create(void *dev, void **stream);
void pj_stream_destroy(void *stream);
accel_status pj_stream_synchronize(void *stream);
accel_status pj_event_create(void *dev, void **event);
void pj_event_destroy(void *event);
accel_status pj_event_record(void *event, void *stream);
accel_status pj_stream_wait_event(void *stream, void *event);
accel_status pj_event_synchronize(void *event);
accel_status pj_timer_create(void *dev, void **timer);
void pj_timer_destroy(void *timer);
accel_status pj_timer_begin(void *timer, void *stream);
accel_status pj_timer_end(void *timer, void *stream);
accel_status pj_timer_elapsed_ms(void *timer, double *ms);
accel_status pj_timer_properties(void *dev, double *resolution_ns, const char **name);

accel_status pj_op_plan_create(void *dev, const accel_op_desc *desc, void **plan, accel_plugin_plan_info *info);
void pj_op_plan_destroy(void *plan);
accel_status pj_op_plan_execute(void *plan, void *stream, const accel_plugin_ref *operands, size_t noperands,
                                accel_plugin_ref workspace);

#endif
