/* transfer: h2d and d2h, from pinned host memory (HOST_PINNED buffer + accel_buffer_copy) and from
 * pageable memory (malloc + accel_buffer_write/read). On a CPU device this is memcpy bandwidth.
 * The p2p-* configs copy between two devices (transfer_p2p.c). */
#include "transfer.h"
#include "transfer_p2p.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRANSFER_BYTES (256ull << 20)
#define TRANSFER_BYTES_CPU (64ull << 20)

typedef struct transfer_config {
    awl_config cfg;
    int to_device;
    int pinned;
    transfer_p2p_mode p2p;
} transfer_config;

static const transfer_config transfer_configs[] = {
    {{"h2d-pinned", "host (pinned) to device", 0, 0, 0, 0, 1u << AWL_FP32, 0, 1}, 1, 1, P2P_NONE},
    {{"d2h-pinned", "device to host (pinned)", 0, 0, 0, 0, 1u << AWL_FP32, 0, 1}, 0, 1, P2P_NONE},
    {{"h2d-pageable", "host (malloc) to device", 0, 0, 0, 0, 1u << AWL_FP32, 0, 1}, 1, 0, P2P_NONE},
    {{"d2h-pageable", "device to host (malloc)", 0, 0, 0, 0, 1u << AWL_FP32, 0, 1}, 0, 0, P2P_NONE},
    /* One row per ordered pair of the run's devices (the CLI pairs them; docs/cli.md). */
    {{"p2p-uni", "device to peer device, one way", 0, 0, 0, 0, 1u << AWL_FP32, 0, 0}, 0, 0, P2P_UNI},
    {{"p2p-bidir", "device to peer and back at once", 0, 0, 0, 0, 1u << AWL_FP32, 0, 0}, 0, 0, P2P_BIDIR},
    {{"p2p-latency", "one 8-byte copy to the peer", 0, 0, 0, 0, 1u << AWL_FP32, 0, 0}, 0, 0, P2P_LATENCY},
};

int transfer_config_is_p2p(const awl_config *cfg) {
    for (size_t i = 0; i < WL_ARRAY_LEN(transfer_configs); i++)
        if (cfg == &transfer_configs[i].cfg)
            return transfer_configs[i].p2p != P2P_NONE;
    return 0;
}

typedef struct transfer_state {
    int is_p2p; /* 0 here; 1 in transfer_p2p.c's state */
    accel_device *dev;
    const transfer_config *cfg;
    size_t bytes;
    wl_buffers bufs;
    accel_buffer *device_buf, *pinned_buf;
    unsigned char *host;   /* pinned host pointer or malloc'ed pageable memory */
    unsigned char *owned;  /* malloc'ed pageable memory (freed at teardown) */
} transfer_state;

static size_t transfer_config_count(void) { return WL_ARRAY_LEN(transfer_configs); }
static const awl_config *transfer_config_at(size_t i) {
    return i < WL_ARRAY_LEN(transfer_configs) ? &transfer_configs[i].cfg : NULL;
}

uint32_t transfer_pattern_word(size_t i) {
    uint64_t z = (uint64_t)i * 0x9e3779b97f4a7c15ull;
    z ^= z >> 29;
    z *= 0xbf58476d1ce4e5b9ull;
    return (uint32_t)(z >> 32);
}

void transfer_fill_pattern(unsigned char *p, size_t bytes) {
    uint32_t *w = (uint32_t *)p;
    for (size_t i = 0; i < bytes / 4; i++)
        w[i] = transfer_pattern_word(i);
}

static void transfer_teardown(void *state) {
    transfer_state *st = state;
    if (!st)
        return;
    if (st->is_p2p) {
        transfer_p2p_teardown(state);
        return;
    }
    if (st->dev)
        accel_device_synchronize(st->dev);
    wl_free_all(&st->bufs);
    free(st->owned);
    free(st);
}

static accel_status transfer_setup(accel_device *dev, accel_stream *stream, const awl_config *cfg,
                                   awl_dtype dtype, const awl_options *opt, void **state,
                                   awl_setup_info *info) {
    *state = NULL;
    wl_clear_error();
    if (dtype != AWL_FP32)
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "transfer moves bytes; it is listed under fp32 only");
    const transfer_config *c = (const transfer_config *)cfg;
    if (c->p2p != P2P_NONE)
        return transfer_p2p_setup(dev, stream, c->p2p, opt, state, info);
    accel_device_info dinfo;
    accel_status s = wl_device_info(dev, &dinfo);
    if (s != ACCEL_OK)
        return s;
    int host_is_device = dinfo.type == ACCEL_DEVICE_CPU || (dinfo.features & ACCEL_FEATURE_UNIFIED_MEMORY);
    transfer_state *st = calloc(1, sizeof *st);
    if (!st)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "transfer state");
    st->dev = dev;
    st->cfg = c;
    st->bytes = host_is_device ? TRANSFER_BYTES_CPU : TRANSFER_BYTES;
    if ((s = wl_check_fit(&dinfo, 2 * st->bytes, st->bytes, "transfer")) != ACCEL_OK)
        goto fail;
    if ((s = wl_alloc(&st->bufs, dev, st->bytes, ACCEL_MEMORY_DEVICE, &st->device_buf)) != ACCEL_OK)
        goto fail;
    if (c->pinned) {
        if ((s = wl_alloc(&st->bufs, dev, st->bytes, ACCEL_MEMORY_HOST_PINNED, &st->pinned_buf)) != ACCEL_OK)
            goto fail;
        void *p = NULL;
        if ((s = accel_buffer_host_ptr(st->pinned_buf, &p)) != ACCEL_OK) {
            s = wl_fail_hal(s, "host pointer of a pinned buffer");
            goto fail;
        }
        st->host = p;
    } else {
        st->owned = malloc(st->bytes);
        if (!st->owned) {
            s = wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "pageable host buffer of %zu bytes", st->bytes);
            goto fail;
        }
        st->host = st->owned;
    }
    /* The source holds the pattern; the destination starts zeroed so a copy that did nothing fails. */
    if (c->to_device) {
        transfer_fill_pattern(st->host, st->bytes);
        const uint32_t zero = 0;
        s = accel_buffer_fill(stream, st->device_buf, 0, st->bytes, &zero, sizeof zero);
        if (s == ACCEL_OK)
            s = accel_stream_synchronize(stream);
        if (s != ACCEL_OK) {
            s = wl_fail_hal(s, "clearing the device buffer");
            goto fail;
        }
    } else {
        transfer_fill_pattern(st->host, st->bytes);
        if ((s = wl_upload(stream, st->device_buf, 0, st->host, st->bytes)) != ACCEL_OK)
            goto fail;
        memset(st->host, 0, st->bytes);
    }
    info->flop = 0;
    info->bytes = (double)st->bytes;
    info->items = 1;
    info->item = "transfer";
    snprintf(info->library, sizeof info->library, "%s", c->pinned ? "buffer_copy" : c->to_device ? "buffer_write" : "buffer_read");
    info->compute_type[0] = '\0';
    snprintf(info->notes, sizeof info->notes, "%.0f MiB %s%s", (double)st->bytes / 1048576.0,
             c->pinned ? "pinned" : "pageable",
             host_is_device ? "; device memory is host memory: this measures memcpy bandwidth" : "");
    info->bandwidth = 1;
    info->roof[0] = '\0';
    info->device_bytes = st->bytes;
    *state = st;
    return ACCEL_OK;
fail:
    snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
    transfer_teardown(st);
    return s;
}

static accel_status transfer_run(void *state, accel_stream *stream) {
    transfer_state *st = state;
    if (st->is_p2p)
        return transfer_p2p_run(state, stream);
    const transfer_config *c = st->cfg;
    accel_status s;
    if (c->pinned)
        s = c->to_device ? accel_buffer_copy(stream, st->device_buf, 0, st->pinned_buf, 0, st->bytes)
                         : accel_buffer_copy(stream, st->pinned_buf, 0, st->device_buf, 0, st->bytes);
    else
        s = c->to_device ? accel_buffer_write(stream, st->device_buf, 0, st->host, st->bytes)
                         : accel_buffer_read(stream, st->device_buf, 0, st->host, st->bytes);
    return s == ACCEL_OK ? ACCEL_OK : wl_fail_hal(s, "transfer");
}

static accel_status transfer_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    transfer_state *st = state;
    if (st->is_p2p)
        return transfer_p2p_verify(state, stream, out);
    memset(out, 0, sizeof *out);
    accel_status s = accel_stream_synchronize(stream);
    if (s != ACCEL_OK)
        return wl_fail_hal(s, "transfer synchronize");
    unsigned char *dst = st->host, *copy = NULL;
    if (st->cfg->to_device) {
        if ((s = wl_download(stream, st->device_buf, 0, st->bytes, (void **)&copy)) != ACCEL_OK)
            return s;
        dst = copy;
    }
    const uint32_t *w = (const uint32_t *)dst;
    size_t words = st->bytes / 4, bad = 0, first = 0;
    for (size_t i = 0; i < words; i++)
        if (w[i] != transfer_pattern_word(i) && bad++ == 0)
            first = i;
    out->checked = 1;
    out->passed = bad == 0;
    out->max_rel_err = (double)bad / (double)words; /* fraction of words wrong */
    out->tolerance = 0.0;
    if (bad)
        snprintf(out->detail, sizeof out->detail, "%zu of %zu words differ; first at word %zu: 0x%08x, expected 0x%08x",
                 bad, words, first, w[first], transfer_pattern_word(first));
    free(copy);
    return ACCEL_OK;
}

static accel_status transfer_corrupt(void *state, accel_stream *stream) {
    transfer_state *st = state;
    if (st->is_p2p)
        return transfer_p2p_corrupt(state, stream);
    accel_status s = accel_stream_synchronize(stream);
    if (s != ACCEL_OK)
        return wl_fail_hal(s, "transfer synchronize");
    uint32_t bad = ~transfer_pattern_word(0);
    if (st->cfg->to_device) {
        s = accel_buffer_write(stream, st->device_buf, 0, &bad, sizeof bad);
        if (s == ACCEL_OK)
            s = accel_stream_synchronize(stream);
        return s == ACCEL_OK ? ACCEL_OK : wl_fail_hal(s, "corrupt_output");
    }
    memcpy(st->host, &bad, sizeof bad);
    return ACCEL_OK;
}

const awl_workload awl_transfer_workload = {
    "transfer",
    "host<->device copies, pinned and pageable, each direction, and device-to-device copies between pairs (GB/s)",
    transfer_config_count,
    transfer_config_at,
    wl_default_library,
    transfer_setup,
    transfer_run,
    transfer_verify,
    transfer_teardown,
    transfer_corrupt,
    NULL,
    NULL,
};
