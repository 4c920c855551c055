/* Buffers, in-order queues with profiling, and the transfers enqueued on them. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_internal.h"

#include <stdlib.h>
#include <string.h>

accel_status ocl_buffer_alloc(void *p, size_t bytes, accel_memory_kind kind, void **out,
                              void **host_ptr) {
    ocl_device *dev = p;
    ocl_buffer *b = calloc(1, sizeof(*b));
    if (!b)
        return ACCEL_ERR_OUT_OF_MEMORY;
    cl_mem_flags flags = CL_MEM_READ_WRITE;
    if (kind == ACCEL_MEMORY_HOST_PINNED)
        flags |= CL_MEM_ALLOC_HOST_PTR;
    cl_int err = CL_SUCCESS;
    b->mem = dev->cl->clCreateBuffer(dev->context, flags, bytes, NULL, &err);
    if (!b->mem) {
        free(b);
        return ocl_fail(dev, ocl_status_of(err), "clCreateBuffer", err);
    }
    b->bytes = bytes;
    if (kind == ACCEL_MEMORY_HOST_PINNED) {
        /* Mapped once for the buffer's life: drivers back ALLOC_HOST_PTR with pinned pages, and the
         * mapping gives the host pointer the API promises. */
        b->host_ptr = dev->cl->clEnqueueMapBuffer(dev->internal_queue, b->mem, CL_TRUE,
                                                  CL_MAP_READ | CL_MAP_WRITE, 0, bytes, 0, NULL,
                                                  NULL, &err);
        if (!b->host_ptr) {
            dev->cl->clReleaseMemObject(b->mem);
            free(b);
            return ocl_fail(dev, ocl_status_of(err), "clEnqueueMapBuffer", err);
        }
    }
    *out = b;
    *host_ptr = b->host_ptr;
    return ACCEL_OK;
}

void ocl_buffer_free(void *p, void *buf) {
    ocl_device *dev = p;
    ocl_buffer *b = buf;
    if (b->host_ptr) {
        dev->cl->clEnqueueUnmapMemObject(dev->internal_queue, b->mem, b->host_ptr, 0, NULL, NULL);
        dev->cl->clFinish(dev->internal_queue);
    }
    dev->cl->clReleaseMemObject(b->mem);
    free(b);
}

accel_status ocl_stream_create(void *p, void **out) {
    ocl_device *dev = p;
    ocl_stream *s = calloc(1, sizeof(*s));
    if (!s)
        return ACCEL_ERR_OUT_OF_MEMORY;
    cl_int err = CL_SUCCESS;
    s->dev = dev;
    s->queue = dev->cl->clCreateCommandQueue(dev->context, dev->id, CL_QUEUE_PROFILING_ENABLE, &err);
    if (!s->queue) {
        free(s);
        return ocl_fail(dev, ocl_status_of(err), "clCreateCommandQueue", err);
    }
    pthread_mutex_lock(&dev->lock);
    s->next = dev->streams;
    dev->streams = s;
    pthread_mutex_unlock(&dev->lock);
    *out = s;
    return ACCEL_OK;
}

void ocl_stream_destroy(void *p) {
    ocl_stream *s = p;
    ocl_device *dev = s->dev;
    pthread_mutex_lock(&dev->lock);
    for (ocl_stream **it = &dev->streams; *it; it = &(*it)->next) {
        if (*it == s) {
            *it = s->next;
            break;
        }
    }
    pthread_mutex_unlock(&dev->lock);
    dev->cl->clFinish(s->queue);
    dev->cl->clReleaseCommandQueue(s->queue);
    free(s);
}

accel_status ocl_stream_synchronize(void *p) {
    ocl_stream *s = p;
    OCL_CHECK(s->dev, "clFinish", s->dev->cl->clFinish(s->queue));
    return ACCEL_OK;
}

accel_status ocl_buffer_write(void *p, void *dst, size_t dst_offset, const void *src, size_t bytes) {
    ocl_stream *s = p;
    ocl_buffer *b = dst;
    /* Non-blocking: the API says the host pointer stays valid until the stream is synchronized. */
    OCL_CHECK(s->dev, "clEnqueueWriteBuffer",
              s->dev->cl->clEnqueueWriteBuffer(s->queue, b->mem, CL_FALSE, dst_offset, bytes, src,
                                               0, NULL, NULL));
    return ACCEL_OK;
}

accel_status ocl_buffer_read(void *p, void *src, size_t src_offset, void *dst, size_t bytes) {
    ocl_stream *s = p;
    ocl_buffer *b = src;
    OCL_CHECK(s->dev, "clEnqueueReadBuffer",
              s->dev->cl->clEnqueueReadBuffer(s->queue, b->mem, CL_FALSE, src_offset, bytes, dst, 0,
                                              NULL, NULL));
    return ACCEL_OK;
}

accel_status ocl_buffer_copy(void *p, void *dst, size_t dst_offset, void *src, size_t src_offset,
                             size_t bytes) {
    ocl_stream *s = p;
    ocl_buffer *d = dst, *sb = src;
    OCL_CHECK(s->dev, "clEnqueueCopyBuffer",
              s->dev->cl->clEnqueueCopyBuffer(s->queue, sb->mem, d->mem, src_offset, dst_offset,
                                              bytes, 0, NULL, NULL));
    return ACCEL_OK;
}

accel_status ocl_buffer_fill(void *p, void *dst, size_t dst_offset, size_t bytes,
                             const void *pattern, size_t pattern_size) {
    ocl_stream *s = p;
    ocl_buffer *d = dst;
    if (dst_offset % pattern_size != 0)
        return s->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                       "clEnqueueFillBuffer needs the offset (%zu) to be a multiple "
                                       "of the pattern size (%zu)",
                                       dst_offset, pattern_size);
    OCL_CHECK(s->dev, "clEnqueueFillBuffer",
              s->dev->cl->clEnqueueFillBuffer(s->queue, d->mem, pattern, pattern_size, dst_offset,
                                              bytes, 0, NULL, NULL));
    return ACCEL_OK;
}
