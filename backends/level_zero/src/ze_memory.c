/* Buffers are USM allocations (device or pinned host); transfers are appended copies and fills. */
#include <stdlib.h>
#include <string.h>

#include "ze_internal.h"

accel_status accel_ze_buffer_alloc(void *opaque_dev, size_t bytes, accel_memory_kind kind, void **out,
                                   void **host_ptr) {
    accel_ze_device *dev = opaque_dev;
    *host_ptr = NULL;
    if (kind == ACCEL_MEMORY_DEVICE && bytes > dev->props.maxMemAllocSize)
        return dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY,
                                    "zeMemAllocDevice: %zu bytes exceed maxMemAllocSize %llu", bytes,
                                    (unsigned long long)dev->props.maxMemAllocSize);
    accel_ze_buffer *buf = calloc(1, sizeof *buf);
    if (!buf) return dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    ze_result_t r;
    const char *call;
    int shared = kind == ACCEL_MEMORY_DEVICE && accel_ze_device_is_integrated(dev);
    if (kind == ACCEL_MEMORY_HOST_PINNED) {
        ze_host_mem_alloc_desc_t desc = {ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC, NULL, 0};
        call = "zeMemAllocHost";
        r = dev->api->zeMemAllocHost(dev->context, &desc, bytes, 64, &buf->ptr);
    } else if (shared) {
        /* An integrated GPU's memory is system memory: a shared allocation costs nothing more and
         * gives the host pointer ACCEL_FEATURE_UNIFIED_MEMORY promises. */
        ze_device_mem_alloc_desc_t ddesc = {ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC, NULL, 0, 0};
        ze_host_mem_alloc_desc_t hdesc = {ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC, NULL, 0};
        call = "zeMemAllocShared";
        r = dev->api->zeMemAllocShared(dev->context, &ddesc, &hdesc, bytes, 64, dev->device, &buf->ptr);
    } else {
        ze_device_mem_alloc_desc_t desc = {ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC, NULL, 0, 0};
        call = "zeMemAllocDevice";
        r = dev->api->zeMemAllocDevice(dev->context, &desc, bytes, 64, dev->device, &buf->ptr);
    }
    if (r != ZE_RESULT_SUCCESS) {
        free(buf);
        return accel_ze_fail(dev->host, call, r);
    }
    buf->bytes = bytes;
    buf->kind = kind;
    if (kind == ACCEL_MEMORY_HOST_PINNED || shared) *host_ptr = buf->ptr;
    *out = buf;
    return ACCEL_OK;
}

void accel_ze_buffer_free(void *opaque_dev, void *opaque_buf) {
    accel_ze_device *dev = opaque_dev;
    accel_ze_buffer *buf = opaque_buf;
    dev->api->zeMemFree(dev->context, buf->ptr);
    free(buf);
}

static void *buffer_at(void *opaque_buf, size_t offset) {
    return (char *)((accel_ze_buffer *)opaque_buf)->ptr + offset;
}

static accel_status stream_copy(accel_ze_stream *s, void *dst, const void *src, size_t bytes) {
    ACCEL_ZE_CHECK(s->dev, "zeCommandListAppendMemoryCopy",
                   s->dev->api->zeCommandListAppendMemoryCopy(s->list, dst, src, bytes, NULL, 0, NULL));
    return accel_ze_stream_appended(s);
}

accel_status accel_ze_buffer_write(void *stream, void *dst, size_t dst_offset, const void *src,
                                   size_t bytes) {
    return stream_copy(stream, buffer_at(dst, dst_offset), src, bytes);
}

accel_status accel_ze_buffer_read(void *stream, void *src, size_t src_offset, void *dst,
                                  size_t bytes) {
    return stream_copy(stream, dst, buffer_at(src, src_offset), bytes);
}

accel_status accel_ze_buffer_copy(void *stream, void *dst, size_t dst_offset, void *src,
                                  size_t src_offset, size_t bytes) {
    return stream_copy(stream, buffer_at(dst, dst_offset), buffer_at(src, src_offset), bytes);
}

/* Patterns wider than the queue group's fill engine accepts go through our fill_pattern kernel. */
static accel_status fill_with_kernel(accel_ze_stream *s, void *dst, size_t bytes, const void *pattern,
                                     size_t pattern_size) {
    accel_ze_kernel *kernel = NULL;
    accel_status status = accel_ze_embedded_kernel(s->dev, "ze_fill", "fill_pattern", &kernel);
    if (status != ACCEL_OK) return status;
    uint32_t words[4] = {0, 0, 0, 0};
    memcpy(words, pattern, pattern_size);
    uint32_t size32 = (uint32_t)pattern_size;
    uint64_t bytes64 = bytes;
    accel_ze_buffer view = {dst, bytes, ACCEL_MEMORY_DEVICE};
    accel_plugin_arg args[4] = {
        {ACCEL_ARG_BUFFER, {&view, 0}, NULL, 0},
        {ACCEL_ARG_SCALAR, {NULL, 0}, words, sizeof words},
        {ACCEL_ARG_SCALAR, {NULL, 0}, &size32, sizeof size32},
        {ACCEL_ARG_SCALAR, {NULL, 0}, &bytes64, sizeof bytes64},
    };
    const uint32_t group[3] = {256, 1, 1};
    size_t groups = (bytes + 255) / 256;
    if (groups > UINT32_MAX)
        status = s->dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                         "fill of %zu bytes with a %zu-byte pattern: too many groups",
                                         bytes, pattern_size);
    else {
        const uint32_t grid[3] = {(uint32_t)groups, 1, 1};
        status = accel_ze_kernel_launch(s, kernel, grid, group, args, 4, 0);
    }
    return status;
}

accel_status accel_ze_buffer_fill(void *stream, void *dst, size_t dst_offset, size_t bytes,
                                  const void *pattern, size_t pattern_size) {
    accel_ze_stream *s = stream;
    void *at = buffer_at(dst, dst_offset);
    if (pattern_size > s->dev->max_fill_pattern)
        return fill_with_kernel(s, at, bytes, pattern, pattern_size);
    /* The pattern is copied when the command is appended, so the caller's storage may go now. */
    ACCEL_ZE_CHECK(s->dev, "zeCommandListAppendMemoryFill",
                   s->dev->api->zeCommandListAppendMemoryFill(s->list, at, pattern, pattern_size, bytes,
                                                              NULL, 0, NULL));
    return accel_ze_stream_appended(s);
}
