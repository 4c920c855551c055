/* Pairs of devices (peer.h): argument checks, the plugin's ABI 1.3 peer slots for two devices of
 * one plugin, and host staging for every other pair. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_internal.h"

#define OPS(dev) ((dev)->be->ops)
/* Host staging moves this much per step through a bounce buffer when neither side is
 * host-addressable: large enough for full-speed copies, small next to any device. */
#define HAL_STAGING_CHUNK (8u << 20)

static int hal_has_peer_slots(const hal_backend *be) {
    return HAL_HAS_SLOT(be->ops, peer_query) && HAL_HAS_SLOT(be->ops, peer_enable) &&
           HAL_HAS_SLOT(be->ops, buffer_copy_peer);
}

/* Why a pair of distinct devices has no device path, or "" when it has one. */
static void hal_no_direct_path(const accel_device *a, const accel_device *b, char *why, size_t n) {
    why[0] = '\0';
    if (a->be != b->be)
        snprintf(why, n, "%s and %s are devices of different plugins (%s, %s)", a->id, b->id,
                 OPS(a)->name, OPS(b)->name);
    else if (!hal_has_peer_slots(a->be) && OPS(a)->abi_minor >= 3)
        snprintf(why, n, "the %s plugin has no device-to-device path between its devices",
                 OPS(a)->name);
    else if (!hal_has_peer_slots(a->be))
        snprintf(why, n,
                 "peer copies need plugin ABI 1.3: the %s plugin is ABI %u.%u and has no peer slots",
                 OPS(a)->name, OPS(a)->abi_major, OPS(a)->abi_minor);
}

ACCEL_API accel_status accel_device_peer_query(accel_device *dev, accel_device *peer,
                                               accel_peer_info *out) {
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    HAL_CHECK_HANDLE(peer, TAG_DEVICE, "peer device");
    HAL_CHECK_OUT(out);
    accel_status st = hal_struct_check(out, sizeof *out, sizeof *out, "accel_device_peer_query",
                                       "peer info");
    if (st != ACCEL_OK) return st;
    accel_peer_info info = {.struct_size = sizeof info, .link = ACCEL_LINK_UNKNOWN,
                            .performance_rank = -1, .native_atomics = -1};
    char why[256];
    hal_no_direct_path(dev, peer, why, sizeof why);
    if (hal_same_device(dev, peer)) {
        info.link = ACCEL_LINK_SAME_DEVICE;
        info.can_access_peer = 1;
        snprintf(info.detail, sizeof info.detail, "%s and %s are the same device", dev->id, peer->id);
    } else if (why[0]) {
        info.link = ACCEL_LINK_HOST_STAGED;
        snprintf(info.detail, sizeof info.detail, "%.140s: copies are staged through host memory", why);
    } else {
        accel_clear_error();
        st = OPS(dev)->peer_query(dev->slot->handle, peer->slot->handle, &info);
        if (st != ACCEL_OK) {
            if (!accel_last_error()[0])
                hal_error(st, "accel_device_peer_query: %s -> %s: %s", dev->id, peer->id,
                          accel_status_str(st));
            return st;
        }
        info.struct_size = sizeof info;
        info.detail[sizeof info.detail - 1] = '\0';
    }
    memcpy(out, &info, sizeof info);
    return ACCEL_OK;
}

ACCEL_API accel_status accel_device_peer_enable(accel_device *dev, accel_device *peer) {
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    HAL_CHECK_HANDLE(peer, TAG_DEVICE, "peer device");
    if (hal_same_device(dev, peer)) return ACCEL_OK;
    char why[256];
    hal_no_direct_path(dev, peer, why, sizeof why);
    if (why[0])
        return hal_error(ACCEL_ERR_UNIMPLEMENTED, "accel_device_peer_enable: %s", why);
    return OPS(dev)->peer_enable(dev->slot->handle, peer->slot->handle);
}

static accel_status check_peer_buffer(const accel_buffer *b, size_t off, size_t bytes,
                                      const char *what) {
    if (!b)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_copy_peer: %s buffer is NULL", what);
    if (b->tag != TAG_BUFFER)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_buffer_copy_peer: %s buffer is not a valid handle", what);
    if (!hal_range_ok(b->size, off, bytes))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_buffer_copy_peer: %s range [%zu, %zu + %zu) is outside the %zu-byte "
                         "buffer",
                         what, off, off, bytes, b->size);
    return ACCEL_OK;
}

/* A stream of dev for the staging half that does not run on the caller's stream; kept with the
 * caller's stream (one thread uses it at a time) and replaced when another device is asked. */
static accel_status staging_stream_for(accel_stream *stream, accel_device *dev, accel_stream **out) {
    if (hal_same_device(stream->dev, dev)) {
        *out = stream;
        return ACCEL_OK;
    }
    if (stream->staging && stream->staging->dev != dev) {
        accel_stream_destroy(stream->staging);
        stream->staging = NULL;
    }
    if (!stream->staging) {
        accel_status st = accel_stream_create(dev, &stream->staging);
        if (st != ACCEL_OK) return st;
    }
    *out = stream->staging;
    return ACCEL_OK;
}

/* One copy through the host. Two host-addressable sides (CPU devices, unified memory, pinned) are
 * one memcpy; one such side is read or written in place by the other device, one transfer;
 * otherwise a bounce buffer in chunks. */
static accel_status copy_staged(accel_stream *stream, accel_buffer *dst, size_t dst_offset,
                                const accel_buffer *src, size_t src_offset, size_t bytes) {
    accel_stream *on_src = NULL, *on_dst = NULL;
    accel_status st = accel_stream_synchronize(stream);
    if (st == ACCEL_OK) st = staging_stream_for(stream, src->dev, &on_src);
    if (st == ACCEL_OK) st = staging_stream_for(stream, dst->dev, &on_dst);
    if (st != ACCEL_OK) return st;
    if (dst->host_ptr && src->host_ptr) {
        memmove((unsigned char *)dst->host_ptr + dst_offset,
                (const unsigned char *)src->host_ptr + src_offset, bytes);
        return ACCEL_OK;
    }
    if (dst->host_ptr) {
        st = accel_buffer_read(on_src, src, src_offset, (unsigned char *)dst->host_ptr + dst_offset,
                               bytes);
        return st == ACCEL_OK ? accel_stream_synchronize(on_src) : st;
    }
    if (src->host_ptr) {
        st = accel_buffer_write(on_dst, dst, dst_offset,
                                (const unsigned char *)src->host_ptr + src_offset, bytes);
        return st == ACCEL_OK ? accel_stream_synchronize(on_dst) : st;
    }
    size_t chunk = bytes < HAL_STAGING_CHUNK ? bytes : HAL_STAGING_CHUNK;
    unsigned char *bounce = malloc(chunk);
    if (!bounce)
        return hal_error(ACCEL_ERR_OUT_OF_MEMORY,
                         "accel_buffer_copy_peer: no host memory for a %zu-byte staging buffer", chunk);
    for (size_t done = 0; st == ACCEL_OK && done < bytes; done += chunk) {
        size_t n = bytes - done < chunk ? bytes - done : chunk;
        st = accel_buffer_read(on_src, src, src_offset + done, bounce, n);
        if (st == ACCEL_OK) st = accel_stream_synchronize(on_src);
        if (st == ACCEL_OK) st = accel_buffer_write(on_dst, dst, dst_offset + done, bounce, n);
        if (st == ACCEL_OK) st = accel_stream_synchronize(on_dst);
    }
    free(bounce);
    return st;
}

ACCEL_API accel_status accel_buffer_copy_peer(accel_stream *stream, accel_buffer *dst,
                                              size_t dst_offset, const accel_buffer *src,
                                              size_t src_offset, size_t bytes, unsigned flags) {
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    if (bytes == 0)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_copy_peer: 0 bytes");
    if (flags & ~ACCEL_PEER_COPY_STAGED_OK)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_buffer_copy_peer: unknown flags 0x%x",
                         flags);
    accel_status st = check_peer_buffer(dst, dst_offset, bytes, "destination");
    if (st == ACCEL_OK) st = check_peer_buffer(src, src_offset, bytes, "source");
    if (st != ACCEL_OK) return st;
    if (!hal_same_device(stream->dev, src->dev) && !hal_same_device(stream->dev, dst->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_buffer_copy_peer: the stream belongs to %s, neither the source's "
                         "device %s nor the destination's %s",
                         stream->dev->id, src->dev->id, dst->dev->id);
    if (hal_same_device(src->dev, dst->dev))
        return accel_buffer_copy(stream, dst, dst_offset, src, src_offset, bytes);
    char why[256];
    hal_no_direct_path(src->dev, dst->dev, why, sizeof why);
    if (!why[0])
        return OPS(stream->dev)->buffer_copy_peer(stream->handle, dst->dev->slot->handle,
                                                  dst->handle, dst_offset, src->dev->slot->handle,
                                                  src->handle, src_offset, bytes);
    if (!(flags & ACCEL_PEER_COPY_STAGED_OK))
        return hal_error(ACCEL_ERR_UNIMPLEMENTED,
                         "accel_buffer_copy_peer: %s; pass ACCEL_PEER_COPY_STAGED_OK to stage the "
                         "copy through host memory",
                         why);
    return copy_staged(stream, dst, dst_offset, src, src_offset, bytes);
}
