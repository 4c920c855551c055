/* Buffers and transfers. A PJRT buffer is an immutable value with no (buffer, offset) addressing, so
 * each of ours holds the current value of all its bytes and is given a new one on every write:
 * whole-buffer writes and reads go straight through PJRT; partial ones, copies and fills are
 * assembled in host memory (docs/backend-pjrt.md). Transfers complete before they return. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "pjrt_init.h"
#include "pjrt_internal.h"

void pj_value_destroy(const pj_device *dev, pjrt_buffer *value) {
    if (!value) return;
    pjrt_buffer_destroy_args a = {.struct_size = sizeof a, .buffer = value};
    pjrt_error *err = dev->api->buffer_destroy(&a);
    if (err) pj_fail(dev, err, ACCEL_ERR_DEVICE, "PJRT_Buffer_Destroy");
}

accel_status pj_buffer_upload(pj_device *dev, const void *data, const pj_shape *shape, pjrt_buffer **out) {
    pjrt_buffer_from_host_args a = {.struct_size = sizeof a,
                                    .client = dev->client,
                                    .data = data,
                                    .type = shape->type,
                                    .dims = shape->dims,
                                    .num_dims = (size_t)shape->rank,
                                    .host_buffer_semantics = PJRT_HOST_BUFFER_COPIED_DURING_CALL,
                                    .device = dev->device};
    pjrt_error *err = dev->api->client_buffer_from_host_buffer(&a);
    if (err) return pj_fail(dev, err, ACCEL_ERR_DEVICE, "PJRT_Client_BufferFromHostBuffer");
    if (a.done_with_host_buffer) {
        accel_status st = pj_event_wait(dev, a.done_with_host_buffer, "host-to-device copy");
        if (st != ACCEL_OK) {
            pj_value_destroy(dev, a.buffer);
            return st;
        }
    }
    *out = a.buffer;
    return ACCEL_OK;
}

accel_status pj_buffer_download(pj_device *dev, pj_buffer *b, void *dst) {
    if (!b->value) {
        memset(dst, 0, b->bytes);
        return ACCEL_OK;
    }
    pjrt_buffer_to_host_args a = {.struct_size = sizeof a, .src = b->value, .dst = dst, .dst_size = b->bytes};
    pjrt_error *err = dev->api->buffer_to_host_buffer(&a);
    if (err) return pj_fail(dev, err, ACCEL_ERR_DEVICE, "PJRT_Buffer_ToHostBuffer");
    return a.event ? pj_event_wait(dev, a.event, "device-to-host copy") : ACCEL_OK;
}

/* Replaces b's value with `bytes` from host memory, shaped as `shape`. */
static accel_status replace_value(pj_device *dev, pj_buffer *b, const void *data, const pj_shape *shape) {
    pjrt_buffer *value = NULL;
    accel_status st = pj_buffer_upload(dev, data, shape, &value);
    if (st != ACCEL_OK) return st;
    pj_value_destroy(dev, b->value);
    b->value = value;
    b->shape = *shape;
    return ACCEL_OK;
}

accel_status pj_buffer_retype(pj_device *dev, pj_buffer *b, const pj_shape *shape) {
    if (pj_shape_equal(&b->shape, shape)) return ACCEL_OK;
    if (!b->value) { /* nothing written yet: its zeros take the new shape when materialised */
        b->shape = *shape;
        return ACCEL_OK;
    }
    void *image = malloc(b->bytes);
    if (!image) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: %zu bytes of host staging", b->bytes);
    accel_status st = pj_buffer_download(dev, b, image);
    if (st == ACCEL_OK) st = replace_value(dev, b, image, shape);
    free(image);
    return st;
}

accel_status pj_buffer_materialize(pj_device *dev, pj_buffer *b) {
    if (b->value) return ACCEL_OK;
    void *zeros = calloc(1, b->bytes);
    if (!zeros) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: %zu bytes of host staging", b->bytes);
    accel_status st = replace_value(dev, b, zeros, &b->shape);
    free(zeros);
    return st;
}

accel_status pj_buffer_alloc(void *vdev, size_t bytes, accel_memory_kind kind, void **out, void **host_ptr) {
    pj_device *dev = vdev;
    const accel_host_services *host = dev->ctx->host;
    *host_ptr = NULL;
    /* Device memory is taken when a buffer is first written (PJRT has no uninitialised buffers in
     * the API versions we support), so an impossible size is refused here, not later. */
    if (kind == ACCEL_MEMORY_DEVICE && bytes > dev->memory_bytes)
        return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: %zu bytes requested, the device has %llu",
                               bytes, (unsigned long long)dev->memory_bytes);
    pj_buffer *b = calloc(1, sizeof *b);
    if (!b) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: out of host memory");
    b->dev = dev;
    b->bytes = bytes;
    b->shape = pj_shape_1d(PJRT_ELEM_U8, (int64_t)bytes);
    if (kind == ACCEL_MEMORY_HOST_PINNED) {
        void *p = NULL;
        if (posix_memalign(&p, 64, bytes) != 0) {
            free(b);
            return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: %zu bytes of host memory", bytes);
        }
        b->pinned = 1;
        b->host = p;
        *host_ptr = p;
    }
    *out = b;
    return ACCEL_OK;
}

void pj_buffer_free(void *vdev, void *vbuf) {
    pj_buffer *b = vbuf;
    pj_value_destroy(vdev, b->value);
    free(b->host);
    free(b);
}

/* Writes `bytes` at `off` of a device buffer: the whole buffer in one upload, a part by patching
 * the current contents on the host. */
static accel_status device_write(pj_device *dev, pj_buffer *b, size_t off, const void *src, size_t bytes) {
    if (off == 0 && bytes == b->bytes) return replace_value(dev, b, src, &b->shape);
    unsigned char *image = malloc(b->bytes);
    if (!image) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: %zu bytes of host staging", b->bytes);
    accel_status st = pj_buffer_download(dev, b, image);
    if (st == ACCEL_OK) {
        memmove(image + off, src, bytes);
        st = replace_value(dev, b, image, &b->shape);
    }
    free(image);
    return st;
}

static accel_status device_read(pj_device *dev, pj_buffer *b, size_t off, void *dst, size_t bytes) {
    if (off == 0 && bytes == b->bytes) return pj_buffer_download(dev, b, dst);
    unsigned char *image = malloc(b->bytes);
    if (!image) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: %zu bytes of host staging", b->bytes);
    accel_status st = pj_buffer_download(dev, b, image);
    if (st == ACCEL_OK) memcpy(dst, image + off, bytes);
    free(image);
    return st;
}

accel_status pj_write(void *vs, void *vdst, size_t off, const void *src, size_t bytes) {
    pj_stream *s = vs;
    pj_buffer *dst = vdst;
    if (dst->pinned) {
        memmove(dst->host + off, src, bytes);
        return ACCEL_OK;
    }
    return device_write(s->dev, dst, off, src, bytes);
}

accel_status pj_read(void *vs, void *vsrc, size_t off, void *dst, size_t bytes) {
    pj_stream *s = vs;
    pj_buffer *src = vsrc;
    if (src->pinned) {
        memmove(dst, src->host + off, bytes);
        return ACCEL_OK;
    }
    return device_read(s->dev, src, off, dst, bytes);
}

accel_status pj_copy(void *vs, void *vdst, size_t doff, void *vsrc, size_t soff, size_t bytes) {
    pj_stream *s = vs;
    pj_buffer *dst = vdst, *src = vsrc;
    if (src->pinned) return pj_write(vs, dst, doff, src->host + soff, bytes);
    if (dst->pinned) return device_read(s->dev, src, soff, dst->host + doff, bytes);
    /* Device to device: PJRT copies between devices only, so the bytes pass through the host. */
    void *tmp = malloc(bytes);
    if (!tmp) return s->dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: %zu bytes of host staging", bytes);
    accel_status st = device_read(s->dev, src, soff, tmp, bytes);
    if (st == ACCEL_OK) st = device_write(s->dev, dst, doff, tmp, bytes);
    free(tmp);
    return st;
}

accel_status pj_fill(void *vs, void *vdst, size_t off, size_t bytes, const void *pattern, size_t psize) {
    pj_stream *s = vs;
    pj_buffer *dst = vdst;
    unsigned char *image = dst->pinned ? dst->host + off : malloc(bytes);
    if (!image) return s->dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: %zu bytes of host staging", bytes);
    for (size_t i = 0; i < bytes; i += psize) memcpy(image + i, pattern, psize);
    accel_status st = ACCEL_OK;
    if (!dst->pinned) {
        st = device_write(s->dev, dst, off, image, bytes);
        free(image);
    }
    return st;
}
