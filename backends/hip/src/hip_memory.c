/* Buffers (hipMalloc / hipHostMalloc) and the enqueued transfers and fills. */
#define _POSIX_C_SOURCE 200809L
#include "hip_internal.h"

#include <stdlib.h>
#include <string.h>

accel_status hip_buffer_alloc(void *p, size_t bytes, accel_memory_kind kind, void **out,
                              void **host_ptr) {
    hip_device *dev = p;
    hip_ctx *ctx = dev->ctx;
    accel_status st = hip_device_bind(dev);
    if (st != ACCEL_OK)
        return st;
    hip_buffer *buf = calloc(1, sizeof *buf);
    if (!buf)
        return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
    hipError_t err;
    if (kind == ACCEL_MEMORY_HOST_PINNED)
        err = ctx->api.hipHostMalloc(&buf->ptr, bytes, hipHostMallocDefault);
    else
        err = ctx->api.hipMalloc(&buf->ptr, bytes);
    if (err != hipSuccess) {
        free(buf);
        return hip_fail(ctx, kind == ACCEL_MEMORY_HOST_PINNED ? "hipHostMalloc" : "hipMalloc", err);
    }
    buf->bytes = bytes;
    buf->kind = kind;
    *out = buf;
    *host_ptr = kind == ACCEL_MEMORY_HOST_PINNED ? buf->ptr : NULL;
    return ACCEL_OK;
}

void hip_buffer_free(void *p, void *b) {
    hip_device *dev = p;
    hip_buffer *buf = b;
    if (hip_device_bind(dev) == ACCEL_OK) {
        if (buf->kind == ACCEL_MEMORY_HOST_PINNED)
            (void)dev->ctx->api.hipHostFree(buf->ptr);
        else
            (void)dev->ctx->api.hipFree(buf->ptr);
    }
    free(buf);
}

static accel_status copy(hip_stream *s, void *dst, const void *src, size_t bytes,
                         const char *what) {
    /* hipMemcpyDefault: unified addressing tells the runtime each side's kind, pinned or not. */
    hipError_t err = s->dev->ctx->api.hipMemcpyAsync(dst, src, bytes, hipMemcpyDefault, s->stream);
    return err == hipSuccess ? ACCEL_OK : hip_fail(s->dev->ctx, what, err);
}

accel_status hip_buffer_write(void *stream, void *dst, size_t dst_offset, const void *src,
                              size_t bytes) {
    hip_buffer *d = dst;
    return copy(stream, (char *)d->ptr + dst_offset, src, bytes, "hipMemcpyAsync (write)");
}

accel_status hip_buffer_read(void *stream, void *src, size_t src_offset, void *dst, size_t bytes) {
    hip_buffer *s = src;
    return copy(stream, dst, (char *)s->ptr + src_offset, bytes, "hipMemcpyAsync (read)");
}

accel_status hip_buffer_copy(void *stream, void *dst, size_t dst_offset, void *src,
                             size_t src_offset, size_t bytes) {
    hip_buffer *d = dst, *s = src;
    return copy(stream, (char *)d->ptr + dst_offset, (char *)s->ptr + src_offset, bytes,
                "hipMemcpyAsync (copy)");
}

/* A pattern that repeats a smaller one can use a narrower memset ({1,2,1,2,1,2,1,2} is D16). */
static size_t narrowest_period(const unsigned char *pattern, size_t size) {
    for (size_t period = 1; period < size; period *= 2) {
        int repeats = 1;
        for (size_t i = period; i < size && repeats; ++i)
            repeats = pattern[i] == pattern[i % period];
        if (repeats)
            return period;
    }
    return size;
}

accel_status hip_buffer_fill(void *stream, void *dst, size_t dst_offset, size_t bytes,
                             const void *pattern, size_t pattern_size) {
    hip_stream *s = stream;
    hip_ctx *ctx = s->dev->ctx;
    hip_buffer *d = dst;
    char *p = (char *)d->ptr + dst_offset;
    const unsigned char *pat = pattern;
    size_t period = narrowest_period(pat, pattern_size);
    hipError_t err;
    if (period == 1) {
        err = ctx->api.hipMemsetD8Async(p, pat[0], bytes, s->stream);
        return err == hipSuccess ? ACCEL_OK : hip_fail(ctx, "hipMemsetD8Async", err);
    }
    /* hipMemsetD16/D32 need an address aligned to the element; otherwise use the kernel. */
    if (period == 2 && ((uintptr_t)p % 2) == 0) {
        unsigned short v;
        memcpy(&v, pat, 2);
        err = ctx->api.hipMemsetD16Async(p, v, bytes / 2, s->stream);
        return err == hipSuccess ? ACCEL_OK : hip_fail(ctx, "hipMemsetD16Async", err);
    }
    if (period == 4 && ((uintptr_t)p % 4) == 0) {
        int v;
        memcpy(&v, pat, 4);
        err = ctx->api.hipMemsetD32Async(p, v, bytes / 4, s->stream);
        return err == hipSuccess ? ACCEL_OK : hip_fail(ctx, "hipMemsetD32Async", err);
    }
    /* 8/16-byte patterns, and 2/4-byte ones at an address the driver memset cannot take:
     * accel_fill_pattern from fill.cu, the pattern passed by value (lo/hi words), so the caller's
     * pattern need not outlive this call. */
    hipFunction_t fn;
    accel_status st = hip_device_function(s->dev, "fill.cu", "accel_fill_pattern", &fn);
    if (st != ACCEL_OK)
        return st;
    unsigned long long lo = 0, hi = 0;
    memcpy(&lo, pat, pattern_size < 8 ? pattern_size : 8);
    if (pattern_size > 8)
        memcpy(&hi, pat + 8, pattern_size - 8);
    int size = (int)pattern_size;
    long long count = (long long)(bytes / pattern_size);
    hip_args args = {0};
    hip_args_ptr(&args, p);
    hip_args_push(&args, &count, 8, 8);
    hip_args_push(&args, &lo, 8, 8);
    hip_args_push(&args, &hi, 8, 8);
    hip_args_push(&args, &size, 4, 4);
    long long groups = (count + 255) / 256;
    uint32_t grid[3] = {(uint32_t)(groups < 65535 ? groups : 65535), 1, 1};
    uint32_t block[3] = {256, 1, 1};
    return hip_launch(s->dev, s->stream, fn, grid, block, 0, &args);
}
