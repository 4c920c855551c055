/* Buffers: allocation and ownership checks; transfers live in stream.c. */
#include <stdlib.h>

#include "hal_internal.h"

ACCEL_API accel_status accel_buffer_alloc(accel_device *dev, size_t bytes, accel_memory_kind kind,
                                          accel_buffer **out_buf) {
    HAL_CHECK_OUT(out_buf);
    *out_buf = NULL;
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    if (bytes == 0)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_alloc: %s: size is 0 bytes",
                         dev->id);
    if (kind != ACCEL_MEMORY_DEVICE && kind != ACCEL_MEMORY_HOST_PINNED)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_alloc: unknown memory kind %d",
                         (int)kind);
    const accel_device_info *info = &dev->slot->info;
    if (kind == ACCEL_MEMORY_DEVICE && info->memory_bytes && bytes > info->memory_bytes)
        return hal_error(ACCEL_ERR_OUT_OF_MEMORY,
                         "accel_buffer_alloc: %s: %zu bytes exceed the device's %llu bytes", dev->id,
                         bytes, (unsigned long long)info->memory_bytes);
    accel_buffer *b = calloc(1, sizeof *b);
    if (!b) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_buffer_alloc: out of host memory");
    accel_clear_error();
    accel_status st = dev->be->ops->buffer_alloc(dev->slot->handle, bytes, kind, &b->handle,
                                                 &b->host_ptr);
    if (st != ACCEL_OK) {
        free(b);
        if (!accel_last_error()[0])
            hal_error(st, "accel_buffer_alloc: %s: %zu bytes: %s", dev->id, bytes,
                      accel_status_str(st));
        return st;
    }
    b->tag = TAG_BUFFER;
    b->dev = dev;
    b->size = bytes;
    b->kind = kind;
    hal_device_adopt(dev, HAL_OWNED_BUFFER);
    *out_buf = b;
    return ACCEL_OK;
}

ACCEL_API accel_status accel_buffer_free(accel_buffer *buf) {
    if (!buf) return ACCEL_OK;
    HAL_CHECK_HANDLE(buf, TAG_BUFFER, "buffer");
    /* Queued work may still read or write it: finish the device's work first. */
    accel_status st = accel_device_synchronize(buf->dev);
    buf->dev->be->ops->buffer_free(buf->dev->slot->handle, buf->handle);
    hal_device_release(buf->dev, HAL_OWNED_BUFFER);
    buf->tag = 0;
    free(buf);
    return st;
}

ACCEL_API size_t accel_buffer_size(const accel_buffer *buf) {
    return buf && buf->tag == TAG_BUFFER ? buf->size : 0;
}

ACCEL_API accel_device *accel_buffer_device(const accel_buffer *buf) {
    return buf && buf->tag == TAG_BUFFER ? buf->dev : NULL;
}

ACCEL_API accel_status accel_buffer_host_ptr(accel_buffer *buf, void **out_ptr) {
    HAL_CHECK_OUT(out_ptr);
    *out_ptr = NULL;
    HAL_CHECK_HANDLE(buf, TAG_BUFFER, "buffer");
    if (!buf->host_ptr)
        return hal_error(ACCEL_ERR_UNIMPLEMENTED,
                         "accel_buffer_host_ptr: this %s buffer on %s is not host-addressable",
                         buf->kind == ACCEL_MEMORY_DEVICE ? "device" : "pinned", buf->dev->id);
    *out_ptr = buf->host_ptr;
    return ACCEL_OK;
}
