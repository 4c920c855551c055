/* Buffers (HBM from synDeviceMalloc, pinned host memory from synHostMalloc) and the transfers and
 * fills enqueued on streams. SynapseAI's DMA reads and writes only host memory it has mapped, so
 * pageable user memory goes through the stream's staging buffer, and such transfers are complete
 * when they return (what the HAL allows for pageable memory). */
#include <stdlib.h>
#include <string.h>

#include "gaudi_internal.h"

accel_status accel_gaudi_buffer_alloc(void *p, size_t bytes, accel_memory_kind kind, void **out,
                                      void **host_ptr) {
    accel_gaudi_device *dev = p;
    accel_gaudi_ctx *ctx = dev->ctx;
    accel_gaudi_buffer *buf = calloc(1, sizeof *buf);
    if (!buf) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    buf->bytes = bytes;
    accel_status st;
    if (kind == ACCEL_MEMORY_HOST_PINNED) {
        buf->pinned = 1;
        st = ACCEL_GAUDI_CALL(ctx, synHostMalloc(dev->id, bytes, 0, &buf->host), "synHostMalloc");
        buf->address = (uint64_t)(uintptr_t)buf->host;
    } else {
        st = ACCEL_GAUDI_CALL(ctx, synDeviceMalloc(dev->id, bytes, 0, 0, &buf->address), "synDeviceMalloc");
    }
    if (st != ACCEL_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *host_ptr = buf->pinned ? buf->host : NULL;
    return ACCEL_OK;
}

void accel_gaudi_buffer_free(void *p, void *b) {
    accel_gaudi_device *dev = p;
    accel_gaudi_buffer *buf = b;
    if (buf->pinned) dev->ctx->syn.synHostFree(dev->id, buf->host, 0);
    else dev->ctx->syn.synDeviceFree(dev->id, buf->address, 0);
    free(buf);
}

static accel_status copy_async(accel_gaudi_stream *s, uint64_t src, uint64_t bytes, uint64_t dst,
                               synapse_dma_direction direction) {
    return ACCEL_GAUDI_CALL(s->dev->ctx, synMemCopyAsync(s->stream, src, bytes, dst, direction), "synMemCopyAsync");
}

static accel_status drain(accel_gaudi_stream *s) {
    return ACCEL_GAUDI_CALL(s->dev->ctx, synStreamSynchronize(s->stream), "synStreamSynchronize");
}

static uint64_t host_address(const void *p) { return (uint64_t)(uintptr_t)p; }

accel_status accel_gaudi_upload(accel_gaudi_stream *s, uint64_t dst, const void *src, size_t bytes) {
    accel_status st = ACCEL_OK;
    for (size_t done = 0; done < bytes && st == ACCEL_OK;) {
        const size_t n = bytes - done < ACCEL_GAUDI_STAGING_BYTES ? bytes - done : ACCEL_GAUDI_STAGING_BYTES;
        memcpy(s->staging, (const char *)src + done, n);
        st = copy_async(s, host_address(s->staging), n, dst + done, SYNAPSE_HOST_TO_DRAM);
        if (st == ACCEL_OK) st = drain(s); /* the staging buffer is refilled next */
        done += n;
    }
    return st;
}

accel_status accel_gaudi_buffer_write(void *sp, void *d, size_t dst_offset, const void *src, size_t bytes) {
    accel_gaudi_stream *s = sp;
    accel_gaudi_buffer *dst = d;
    if (dst->pinned) {
        /* Host memory: earlier work on the stream may still write it, so wait, then copy. */
        accel_status st = drain(s);
        if (st == ACCEL_OK) memcpy((char *)dst->host + dst_offset, src, bytes);
        return st;
    }
    return accel_gaudi_upload(s, dst->address + dst_offset, src, bytes);
}

accel_status accel_gaudi_buffer_read(void *sp, void *sb, size_t src_offset, void *dst, size_t bytes) {
    accel_gaudi_stream *s = sp;
    accel_gaudi_buffer *src = sb;
    accel_status st = drain(s);
    if (src->pinned) {
        if (st == ACCEL_OK) memcpy(dst, (const char *)src->host + src_offset, bytes);
        return st;
    }
    for (size_t done = 0; done < bytes && st == ACCEL_OK;) {
        const size_t n = bytes - done < ACCEL_GAUDI_STAGING_BYTES ? bytes - done : ACCEL_GAUDI_STAGING_BYTES;
        st = copy_async(s, src->address + src_offset + done, n, host_address(s->staging), SYNAPSE_DRAM_TO_HOST);
        if (st == ACCEL_OK) st = drain(s);
        if (st == ACCEL_OK) memcpy((char *)dst + done, s->staging, n);
        done += n;
    }
    return st;
}

accel_status accel_gaudi_buffer_copy(void *sp, void *d, size_t dst_offset, void *sb, size_t src_offset,
                                     size_t bytes) {
    accel_gaudi_stream *s = sp;
    accel_gaudi_buffer *dst = d, *src = sb;
    const uint64_t from = src->address + src_offset, to = dst->address + dst_offset;
    if (src->pinned && dst->pinned) {
        accel_status st = drain(s);
        if (st == ACCEL_OK) memmove((char *)dst->host + dst_offset, (const char *)src->host + src_offset, bytes);
        return st;
    }
    const synapse_dma_direction direction = src->pinned   ? SYNAPSE_HOST_TO_DRAM
                                            : dst->pinned ? SYNAPSE_DRAM_TO_HOST
                                                          : SYNAPSE_DRAM_TO_DRAM;
    return copy_async(s, from, bytes, to, direction);
}

/* The shortest prefix of pattern whose repetition is the pattern: an 8-byte fill of two equal
 * floats is a 4-byte fill, which the memset engine takes. */
static size_t period_of(const unsigned char *pattern, size_t size) {
    while (size > 1 && memcmp(pattern, pattern + size / 2, size / 2) == 0) size /= 2;
    return size;
}

accel_status accel_gaudi_buffer_fill(void *sp, void *d, size_t dst_offset, size_t bytes, const void *pattern,
                                     size_t pattern_size) {
    accel_gaudi_stream *s = sp;
    accel_gaudi_buffer *dst = d;
    accel_gaudi_ctx *ctx = s->dev->ctx;
    const unsigned char *pat = pattern;
    if (dst->pinned) {
        accel_status st = drain(s);
        for (size_t i = 0; st == ACCEL_OK && i < bytes; i += pattern_size)
            memcpy((char *)dst->host + dst_offset + i, pat, pattern_size);
        return st;
    }
    const uint64_t to = dst->address + dst_offset;
    const size_t period = period_of(pat, pattern_size);
    if (period == 1)
        return ACCEL_GAUDI_CALL(ctx, synMemsetD8Async(to, pat[0], bytes, s->stream), "synMemsetD8Async");
    if (period == 2 && to % 2 == 0) {
        uint16_t v;
        memcpy(&v, pat, 2);
        return ACCEL_GAUDI_CALL(ctx, synMemsetD16Async(to, v, bytes / 2, s->stream), "synMemsetD16Async");
    }
    if (period == 4 && to % 4 == 0) {
        uint32_t v;
        memcpy(&v, pat, 4);
        return ACCEL_GAUDI_CALL(ctx, synMemsetD32Async(to, v, bytes / 4, s->stream), "synMemsetD32Async");
    }
    /* 8- and 16-byte patterns (or unaligned ones): DMA a staging buffer full of the pattern, the
     * same bytes for every chunk since chunks start at multiples of the pattern. */
    accel_status st = drain(s);
    const size_t chunk = ACCEL_GAUDI_STAGING_BYTES - ACCEL_GAUDI_STAGING_BYTES % pattern_size;
    const size_t first = bytes < chunk ? bytes : chunk;
    for (size_t i = 0; i < first; i += pattern_size) memcpy((char *)s->staging + i, pat, pattern_size);
    for (size_t done = 0; done < bytes && st == ACCEL_OK; done += chunk) {
        const size_t n = bytes - done < chunk ? bytes - done : chunk;
        st = copy_async(s, host_address(s->staging), n, to + done, SYNAPSE_HOST_TO_DRAM);
    }
    return st == ACCEL_OK ? drain(s) : st;
}
