/* transfer p2p: device -> peer copies through accel_buffer_copy_peer (the vendor's peer copy, or
 * host staging between devices of different plugins), one row per ordered pair. The destination
 * starts zeroed and is checked word by word after the last run. */
#include "transfer_p2p.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P2P_BYTES (256ull << 20)
#define P2P_BYTES_HOST (64ull << 20) /* a CPU device or a host-staged pair: host memory bandwidth */
#define P2P_LATENCY_BYTES 8u

typedef struct p2p_state {
    int is_p2p; /* first field, as in transfer.c's state: tells the two apart */
    transfer_p2p_mode mode;
    accel_device *dev, *peer;
    size_t bytes;
    unsigned flags;
    wl_buffers bufs;
    accel_buffer *src, *dst;           /* dev -> peer */
    accel_buffer *back_src, *back_dst; /* peer -> dev (bidir) */
    accel_stream *peer_stream;         /* uploads and downloads of the peer's buffers */
    accel_stream *second;              /* bidir: the peer -> dev copy, on dev, beside the timed stream */
    accel_event *started, *finished;   /* bidir: join the two streams */
} p2p_state;

void transfer_p2p_teardown(void *state) {
    p2p_state *st = state;
    if (!st)
        return;
    if (st->dev)
        accel_device_synchronize(st->dev);
    if (st->peer)
        accel_device_synchronize(st->peer);
    accel_event_destroy(st->started);
    accel_event_destroy(st->finished);
    accel_stream_destroy(st->second);
    accel_stream_destroy(st->peer_stream);
    wl_free_all(&st->bufs);
    free(st);
}

static accel_status clear_buffer(accel_stream *s, accel_buffer *b, size_t bytes) {
    const uint32_t zero = 0;
    accel_status st = accel_buffer_fill(s, b, 0, bytes, &zero, sizeof zero);
    if (st == ACCEL_OK)
        st = accel_stream_synchronize(s);
    return st == ACCEL_OK ? ACCEL_OK : wl_fail_hal(st, "clearing the destination");
}

/* Source with the pattern, destination zeroed, so a copy that did nothing fails verification. */
static accel_status prepare_pair(accel_stream *src_stream, accel_buffer *src, accel_stream *dst_stream,
                                 accel_buffer *dst, size_t bytes) {
    unsigned char *host = malloc(bytes);
    if (!host)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "transfer p2p: %zu bytes of host memory", bytes);
    transfer_fill_pattern(host, bytes);
    accel_status st = wl_upload(src_stream, src, 0, host, bytes);
    free(host);
    return st == ACCEL_OK ? clear_buffer(dst_stream, dst, bytes) : st;
}

static void describe_pair(const p2p_state *st, const accel_peer_info *pi, int enabled,
                          awl_setup_info *info) {
    snprintf(info->peer_device, sizeof info->peer_device, "%s", accel_device_id(st->peer));
    snprintf(info->link, sizeof info->link, "%s", accel_link_kind_name(pi->link));
    snprintf(info->peer_access, sizeof info->peer_access, "%s", enabled ? "yes" : "no");
    const char *what = st->mode == P2P_LATENCY ? "latency of one" : st->mode == P2P_BIDIR ? "both ways," : "one way,";
    if (st->mode == P2P_LATENCY)
        snprintf(info->notes, sizeof info->notes, "%s %zu-byte copy to %s (median_ms is the latency); %.110s",
                 what, st->bytes, info->peer_device, pi->detail);
    else
        snprintf(info->notes, sizeof info->notes, "%s %.0f MiB to %s; %.120s", what,
                 (double)st->bytes / 1048576.0, info->peer_device, pi->detail);
}

accel_status transfer_p2p_setup(accel_device *dev, accel_stream *stream, transfer_p2p_mode mode,
                                const awl_options *opt, void **state, awl_setup_info *info) {
    *state = NULL;
    if (!opt->peer)
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "one device: no pair (transfer p2p needs two devices)");
    accel_peer_info pi = {.struct_size = sizeof pi};
    accel_status s = accel_device_peer_query(dev, opt->peer, &pi);
    if (s != ACCEL_OK)
        return wl_fail_hal(s, "peer query");
    if (pi.link == ACCEL_LINK_SAME_DEVICE)
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "%s and %s are the same device: no pair",
                       accel_device_id(dev), accel_device_id(opt->peer));
    accel_device_info dinfo, pinfo;
    if ((s = wl_device_info(dev, &dinfo)) != ACCEL_OK || (s = wl_device_info(opt->peer, &pinfo)) != ACCEL_OK)
        return s;
    p2p_state *st = calloc(1, sizeof *st);
    if (!st)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "transfer p2p state");
    st->is_p2p = 1;
    st->mode = mode;
    st->dev = dev;
    st->peer = opt->peer;
    st->flags = ACCEL_PEER_COPY_STAGED_OK;
    const int host_side = dinfo.type == ACCEL_DEVICE_CPU || pinfo.type == ACCEL_DEVICE_CPU ||
                          pi.link == ACCEL_LINK_HOST_STAGED;
    st->bytes = mode == P2P_LATENCY ? P2P_LATENCY_BYTES : host_side ? P2P_BYTES_HOST : P2P_BYTES;
    /* A small device (an emulator, a test's fake) gets at most an eighth of its memory per buffer. */
    const uint64_t smaller = dinfo.memory_bytes < pinfo.memory_bytes ? dinfo.memory_bytes : pinfo.memory_bytes;
    if (smaller && st->bytes > smaller / 8)
        st->bytes = (size_t)(smaller / 8) & ~(size_t)4095;
    const int bidir = mode == P2P_BIDIR;
    /* Peer access where the vendor offers it (both ways for bidir); without it the vendor's peer
     * copy is still measured, staged by the driver, and the row says peer_access no. */
    int enabled = 0;
    if (pi.can_access_peer) {
        s = accel_device_peer_enable(dev, opt->peer);
        if (s == ACCEL_OK && bidir)
            s = accel_device_peer_enable(opt->peer, dev);
        if (s != ACCEL_OK && s != ACCEL_ERR_UNIMPLEMENTED) {
            s = wl_fail_hal(s, "enabling peer access");
            goto fail;
        }
        enabled = s == ACCEL_OK;
    }
    if ((s = wl_check_fit(&dinfo, (bidir ? 2 : 1) * st->bytes, st->bytes, "transfer p2p")) != ACCEL_OK ||
        (s = wl_check_fit(&pinfo, (bidir ? 2 : 1) * st->bytes, st->bytes, "transfer p2p")) != ACCEL_OK)
        goto fail;
    if ((s = accel_stream_create(opt->peer, &st->peer_stream)) != ACCEL_OK) {
        s = wl_fail_hal(s, "a stream on the peer");
        goto fail;
    }
    if ((s = wl_alloc(&st->bufs, dev, st->bytes, ACCEL_MEMORY_DEVICE, &st->src)) != ACCEL_OK ||
        (s = wl_alloc(&st->bufs, opt->peer, st->bytes, ACCEL_MEMORY_DEVICE, &st->dst)) != ACCEL_OK ||
        (s = prepare_pair(stream, st->src, st->peer_stream, st->dst, st->bytes)) != ACCEL_OK)
        goto fail;
    if (bidir) {
        if ((s = wl_alloc(&st->bufs, opt->peer, st->bytes, ACCEL_MEMORY_DEVICE, &st->back_src)) != ACCEL_OK ||
            (s = wl_alloc(&st->bufs, dev, st->bytes, ACCEL_MEMORY_DEVICE, &st->back_dst)) != ACCEL_OK ||
            (s = prepare_pair(st->peer_stream, st->back_src, stream, st->back_dst, st->bytes)) != ACCEL_OK)
            goto fail;
        /* Both directions at once needs a second stream joined by events; a device without events
         * runs them one after the other on the timed stream (said in the notes), and so does a
         * host-staged pair, whose copies complete before the call returns anyway. */
        if (pi.link != ACCEL_LINK_HOST_STAGED && accel_event_create(dev, &st->started) == ACCEL_OK &&
            accel_event_create(dev, &st->finished) == ACCEL_OK &&
            accel_stream_create(dev, &st->second) != ACCEL_OK)
            st->second = NULL;
    }
    describe_pair(st, &pi, enabled, info);
    if (bidir && !st->second && pi.link != ACCEL_LINK_HOST_STAGED)
        snprintf(info->notes + strlen(info->notes), sizeof info->notes - strlen(info->notes),
                 "; no events on %s: the two directions ran one after the other", accel_device_id(dev));
    info->flop = 0;
    info->bytes = (double)st->bytes * (bidir ? 2 : 1);
    info->items = 1;
    info->item = "transfer";
    snprintf(info->library, sizeof info->library, "%s",
             pi.link == ACCEL_LINK_HOST_STAGED ? "host-staged" : "buffer_copy_peer");
    info->compute_type[0] = '\0';
    info->bandwidth = 1;
    info->roof[0] = '\0';
    info->device_bytes = st->bytes * (bidir ? 2 : 1);
    *state = st;
    return ACCEL_OK;
fail:
    snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
    transfer_p2p_teardown(st);
    return s;
}

accel_status transfer_p2p_run(void *state, accel_stream *stream) {
    p2p_state *st = state;
    accel_status s = accel_buffer_copy_peer(stream, st->dst, 0, st->src, 0, st->bytes, st->flags);
    if (s == ACCEL_OK && st->mode == P2P_BIDIR) {
        if (st->second) {
            s = accel_event_record(st->started, stream);
            if (s == ACCEL_OK) s = accel_stream_wait_event(st->second, st->started);
            if (s == ACCEL_OK)
                s = accel_buffer_copy_peer(st->second, st->back_dst, 0, st->back_src, 0, st->bytes, st->flags);
            if (s == ACCEL_OK) s = accel_event_record(st->finished, st->second);
            if (s == ACCEL_OK) s = accel_stream_wait_event(stream, st->finished);
        } else {
            s = accel_buffer_copy_peer(stream, st->back_dst, 0, st->back_src, 0, st->bytes, st->flags);
        }
    }
    return s == ACCEL_OK ? ACCEL_OK : wl_fail_hal(s, "transfer p2p");
}

static accel_status check_copy(accel_stream *s, accel_buffer *b, size_t bytes, const char *where,
                               awl_verify_result *out) {
    unsigned char *copy = NULL;
    accel_status st = wl_download(s, b, 0, bytes, (void **)&copy);
    if (st != ACCEL_OK)
        return st;
    const uint32_t *w = (const uint32_t *)copy;
    size_t words = bytes / 4, bad = 0, first = 0;
    for (size_t i = 0; i < words; i++)
        if (w[i] != transfer_pattern_word(i) && bad++ == 0)
            first = i;
    if (bad && out->passed) {
        out->passed = 0;
        out->max_rel_err = (double)bad / (double)words;
        snprintf(out->detail, sizeof out->detail,
                 "%s: %zu of %zu words differ; first at word %zu: 0x%08x, expected 0x%08x", where, bad,
                 words, first, w[first], transfer_pattern_word(first));
    }
    free(copy);
    return ACCEL_OK;
}

accel_status transfer_p2p_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    p2p_state *st = state;
    memset(out, 0, sizeof *out);
    accel_status s = accel_stream_synchronize(stream);
    if (s == ACCEL_OK && st->second)
        s = accel_stream_synchronize(st->second);
    if (s != ACCEL_OK)
        return wl_fail_hal(s, "transfer p2p synchronize");
    out->checked = 1;
    out->passed = 1;
    out->tolerance = 0.0;
    s = check_copy(st->peer_stream, st->dst, st->bytes, accel_device_id(st->peer), out);
    if (s == ACCEL_OK && st->mode == P2P_BIDIR)
        s = check_copy(stream, st->back_dst, st->bytes, accel_device_id(st->dev), out);
    return s;
}

accel_status transfer_p2p_corrupt(void *state, accel_stream *stream) {
    p2p_state *st = state;
    accel_status s = accel_stream_synchronize(stream);
    uint32_t bad = ~transfer_pattern_word(0);
    if (s == ACCEL_OK)
        s = accel_buffer_write(st->peer_stream, st->dst, 0, &bad, sizeof bad);
    if (s == ACCEL_OK)
        s = accel_stream_synchronize(st->peer_stream);
    return s == ACCEL_OK ? ACCEL_OK : wl_fail_hal(s, "corrupt_output");
}
