/* Buffers are page-aligned host memory; transfers are memcpy spread over the threads (one core
 * cannot saturate a server's memory bandwidth). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu_internal.h"
#include "cpu_slots.h"

void *cpu_aligned_alloc(size_t bytes) {
    void *p = NULL;
    size_t rounded = (bytes + CPU_ALIGNMENT - 1) / CPU_ALIGNMENT * CPU_ALIGNMENT;
    if (posix_memalign(&p, CPU_ALIGNMENT, rounded ? rounded : CPU_ALIGNMENT) != 0) return NULL;
    return p;
}

void cpu_aligned_free(void *p) { free(p); }

double cpu_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int cpu_max_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* Below this a single memcpy beats waking the thread team. */
#define PARALLEL_COPY_BYTES (4u << 20)

static void copy_bytes(void *dst, const void *src, size_t bytes) {
    if (bytes < PARALLEL_COPY_BYTES || cpu_max_threads() == 1) {
        memmove(dst, src, bytes);
        return;
    }
    /* Overlapping ranges: the chunked parallel copy would race, so keep memmove's semantics. */
    const char *s = src;
    char *d = dst;
    if ((d < s + bytes) && (s < d + bytes)) {
        memmove(dst, src, bytes);
        return;
    }
    const size_t chunk = 1u << 20;
    long chunks = (long)((bytes + chunk - 1) / chunk);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < chunks; i++) {
        size_t off = (size_t)i * chunk;
        size_t n = bytes - off < chunk ? bytes - off : chunk;
        memcpy(d + off, s + off, n);
    }
}

accel_status cpu_buffer_alloc(void *vdev, size_t bytes, accel_memory_kind kind, void **out_buf,
                              void **host_ptr) {
    cpu_device *dev = vdev;
    const accel_host_services *host = dev->ctx->host;
    cpu_buffer *b = calloc(1, sizeof *b);
    if (!b) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: %s", strerror(ENOMEM));
    b->data = cpu_aligned_alloc(bytes);
    if (!b->data) {
        free(b);
        return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "posix_memalign(%zu bytes): %s", bytes,
                               strerror(ENOMEM));
    }
    b->bytes = bytes;
    b->serial = atomic_fetch_add_explicit(&dev->ctx->buffer_serials, 1, memory_order_relaxed) + 1;
    /* Pinning is best effort: RLIMIT_MEMLOCK is small for unprivileged users, and the memory works
     * the same unlocked. */
    if (kind == ACCEL_MEMORY_HOST_PINNED) b->locked = mlock(b->data, bytes) == 0;
    *out_buf = b;
    *host_ptr = b->data; /* unified memory: every buffer is host-addressable */
    return ACCEL_OK;
}

void cpu_buffer_free(void *dev, void *vbuf) {
    (void)dev;
    cpu_buffer *b = vbuf;
    if (!b) return;
    if (b->locked) munlock(b->data, b->bytes);
    cpu_aligned_free(b->data);
    free(b);
}

accel_status cpu_stream_create(void *vdev, void **out_stream) {
    cpu_device *dev = vdev;
    cpu_stream *s = calloc(1, sizeof *s);
    if (!s) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    s->dev = dev;
    *out_stream = s;
    return ACCEL_OK;
}

void cpu_stream_destroy(void *stream) { free(stream); }

accel_status cpu_stream_synchronize(void *stream) {
    (void)stream;
    return ACCEL_OK;
}

accel_status cpu_buffer_write(void *stream, void *dst, size_t dst_offset, const void *src,
                              size_t bytes) {
    (void)stream;
    copy_bytes((char *)((cpu_buffer *)dst)->data + dst_offset, src, bytes);
    return ACCEL_OK;
}

accel_status cpu_buffer_read(void *stream, void *src, size_t src_offset, void *dst, size_t bytes) {
    (void)stream;
    copy_bytes(dst, (const char *)((cpu_buffer *)src)->data + src_offset, bytes);
    return ACCEL_OK;
}

accel_status cpu_buffer_copy(void *stream, void *dst, size_t dst_offset, void *src,
                             size_t src_offset, size_t bytes) {
    (void)stream;
    copy_bytes((char *)((cpu_buffer *)dst)->data + dst_offset,
               (const char *)((cpu_buffer *)src)->data + src_offset, bytes);
    return ACCEL_OK;
}

accel_status cpu_buffer_fill(void *stream, void *dst, size_t dst_offset, size_t bytes,
                             const void *pattern, size_t pattern_size) {
    cpu_stream *s = stream;
    char *d = (char *)((cpu_buffer *)dst)->data + dst_offset;
    if (pattern_size == 0 || bytes % pattern_size != 0)
        return s->dev->ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                            "fill: %zu bytes is not a multiple of pattern size %zu",
                                            bytes, pattern_size);
    if (pattern_size == 1) {
        memset(d, *(const unsigned char *)pattern, bytes);
        return ACCEL_OK;
    }
    /* Seed one copy, then double the filled prefix: log2(bytes) memcpys. */
    size_t done = pattern_size < bytes ? pattern_size : bytes;
    memcpy(d, pattern, done);
    while (done < bytes) {
        size_t n = done < bytes - done ? done : bytes - done;
        memcpy(d + done, d, n);
        done += n;
    }
    return ACCEL_OK;
}
