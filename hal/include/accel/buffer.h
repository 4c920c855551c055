/* Buffers are opaque and always addressed as (buffer, byte offset): a cl_mem is not a pointer. */
#ifndef ACCEL_BUFFER_H
#define ACCEL_BUFFER_H

#include "accel/device.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct accel_buffer accel_buffer;

typedef enum accel_memory_kind {
    ACCEL_MEMORY_DEVICE = 0,      /* device-local */
    ACCEL_MEMORY_HOST_PINNED = 1  /* page-locked host memory the device can DMA from; host pointer */
} accel_memory_kind;

/* bytes > 0. ACCEL_ERR_OUT_OF_MEMORY when it does not fit. */
accel_status accel_buffer_alloc(accel_device *dev, size_t bytes, accel_memory_kind kind,
                                accel_buffer **out_buf);
/* Waits for queued work of the buffer's device before freeing, so in-flight work never touches freed
 * memory. NULL is a no-op. */
accel_status accel_buffer_free(accel_buffer *buf);
size_t accel_buffer_size(const accel_buffer *buf);
accel_device *accel_buffer_device(const accel_buffer *buf);
/* Host pointer of a HOST_PINNED buffer, or of any buffer on a device with
 * ACCEL_FEATURE_UNIFIED_MEMORY; ACCEL_ERR_UNIMPLEMENTED otherwise. */
accel_status accel_buffer_host_ptr(accel_buffer *buf, void **out_ptr);

/* (buffer, byte offset): how ops and kernels name memory. */
typedef struct accel_buffer_ref {
    accel_buffer *buffer; /* NULL = absent (an optional operand) */
    size_t offset;
} accel_buffer_ref;

#ifdef __cplusplus
}
#endif
#endif
