/* Buffers (device memory, pinned host memory) and the transfers and fills enqueued on streams. */
#include <stdlib.h>
#include <string.h>

#include "cuda_internal.h"

accel_status accel_cuda_buffer_alloc(void *p, size_t bytes, accel_memory_kind kind, void **out,
                                     void **host_ptr) {
    accel_cuda_device *dev = p;
    accel_cuda_ctx *ctx = dev->ctx;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;
    accel_cuda_buffer *buf = calloc(1, sizeof *buf);
    if (!buf) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    buf->bytes = bytes;
    if (kind == ACCEL_MEMORY_HOST_PINNED) {
        st = ACCEL_CUDA_CALL(ctx, cuMemAllocHost_v2(&buf->host, bytes), "cuMemAllocHost_v2");
        buf->pinned = 1;
        /* Unified addressing (every 64-bit Linux CUDA platform): the host address is also the
         * device address, so kernels and cuMemcpyAsync take it directly. */
        buf->ptr = (CUdeviceptr)(uintptr_t)buf->host;
    } else {
        st = ACCEL_CUDA_CALL(ctx, cuMemAlloc_v2(&buf->ptr, bytes), "cuMemAlloc_v2");
    }
    if (st != ACCEL_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *host_ptr = buf->pinned ? buf->host : NULL;
    return ACCEL_OK;
}

void accel_cuda_buffer_free(void *p, void *b) {
    accel_cuda_device *dev = p;
    accel_cuda_buffer *buf = b;
    if (accel_cuda_make_current(dev) == ACCEL_OK) {
        if (buf->pinned) dev->ctx->cu.cuMemFreeHost(buf->host);
        else dev->ctx->cu.cuMemFree_v2(buf->ptr);
    }
    free(buf);
}

accel_status accel_cuda_buffer_write(void *s, void *d, size_t dst_offset, const void *src,
                                     size_t bytes) {
    accel_cuda_stream *stream = s;
    accel_cuda_buffer *dst = d;
    accel_cuda_ctx *ctx = stream->dev->ctx;
    accel_status st = accel_cuda_make_current(stream->dev);
    if (st != ACCEL_OK) return st;
    if (dst->pinned)
        return ACCEL_CUDA_CALL(ctx, cuMemcpyAsync(dst->ptr + dst_offset, (CUdeviceptr)(uintptr_t)src, bytes,
                                                  stream->stream), "cuMemcpyAsync");
    return ACCEL_CUDA_CALL(ctx, cuMemcpyHtoDAsync_v2(dst->ptr + dst_offset, src, bytes, stream->stream),
                           "cuMemcpyHtoDAsync_v2");
}

accel_status accel_cuda_buffer_read(void *s, void *sb, size_t src_offset, void *dst, size_t bytes) {
    accel_cuda_stream *stream = s;
    accel_cuda_buffer *src = sb;
    accel_cuda_ctx *ctx = stream->dev->ctx;
    accel_status st = accel_cuda_make_current(stream->dev);
    if (st != ACCEL_OK) return st;
    if (src->pinned)
        return ACCEL_CUDA_CALL(ctx, cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst, src->ptr + src_offset, bytes,
                                                  stream->stream), "cuMemcpyAsync");
    return ACCEL_CUDA_CALL(ctx, cuMemcpyDtoHAsync_v2(dst, src->ptr + src_offset, bytes, stream->stream),
                           "cuMemcpyDtoHAsync_v2");
}

accel_status accel_cuda_buffer_copy(void *s, void *d, size_t dst_offset, void *sb, size_t src_offset,
                                    size_t bytes) {
    accel_cuda_stream *stream = s;
    accel_cuda_buffer *dst = d, *src = sb;
    accel_status st = accel_cuda_make_current(stream->dev);
    if (st != ACCEL_OK) return st;
    return ACCEL_CUDA_CALL(stream->dev->ctx,
                           cuMemcpyAsync(dst->ptr + dst_offset, src->ptr + src_offset, bytes, stream->stream),
                           "cuMemcpyAsync");
}

accel_status accel_cuda_buffer_fill(void *s, void *d, size_t dst_offset, size_t bytes,
                                    const void *pattern, size_t pattern_size) {
    accel_cuda_stream *stream = s;
    accel_cuda_buffer *dst = d;
    accel_cuda_ctx *ctx = stream->dev->ctx;
    accel_status st = accel_cuda_make_current(stream->dev);
    if (st != ACCEL_OK) return st;
    const CUdeviceptr ptr = dst->ptr + dst_offset;
    const size_t count = bytes / pattern_size;
    /* cuMemsetD16/D32 need an address aligned to the element; otherwise fall to the kernel. */
    if (pattern_size == 1) {
        unsigned char v;
        memcpy(&v, pattern, 1);
        return ACCEL_CUDA_CALL(ctx, cuMemsetD8Async(ptr, v, count, stream->stream), "cuMemsetD8Async");
    }
    if (pattern_size == 2 && ptr % 2 == 0) {
        unsigned short v;
        memcpy(&v, pattern, 2);
        return ACCEL_CUDA_CALL(ctx, cuMemsetD16Async(ptr, v, count, stream->stream), "cuMemsetD16Async");
    }
    if (pattern_size == 4 && ptr % 4 == 0) {
        unsigned int v;
        memcpy(&v, pattern, 4);
        return ACCEL_CUDA_CALL(ctx, cuMemsetD32Async(ptr, v, count, stream->stream), "cuMemsetD32Async");
    }
    /* 8/16-byte patterns (and unaligned 2/4): the fill kernel, compiled on first use. */
    CUfunction fn;
    st = accel_cuda_builtin_function(stream->dev, "fill.cu", "accel_fill_pattern", &fn);
    if (st != ACCEL_OK) return st;
    unsigned long long words[2] = {0, 0};
    memcpy(words, pattern, pattern_size);
    long long n = (long long)count;
    int psize = (int)pattern_size;
    void *params[] = {(void *)&ptr, &n, &words[0], &words[1], &psize};
    const unsigned int threads = 256;
    size_t blocks = (count + threads - 1) / threads;
    const size_t cap = (size_t)(stream->dev->sm_count > 0 ? stream->dev->sm_count : 1) * 32;
    if (blocks > cap) blocks = cap;
    if (blocks == 0) blocks = 1;
    return ACCEL_CUDA_CALL(ctx, cuLaunchKernel(fn, (unsigned)blocks, 1, 1, threads, 1, 1, 0, stream->stream,
                                               params, NULL), "cuLaunchKernel(accel_fill_pattern)");
}
