/* Device info, buffers, transfers, fills, pinned memory, timers, events and error paths. */
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

static conf_result check_info(conf_ctx *c) {
    accel_device_info copy = c->info;
    if (c->corrupt) copy.name[0] = '\0';
    const accel_device_info *i = &copy;
    if (!i->name[0]) return conf_fail(c, "empty device name");
    if (!i->backend[0]) return conf_fail(c, "empty backend name");
    if (i->memory_bytes == 0) return conf_fail(c, "memory_bytes is 0");
    if (i->compute_units <= 0) return conf_fail(c, "compute_units is %d", i->compute_units);
    double res = 0;
    const char *name = NULL;
    accel_status st = accel_timer_properties(c->dev, &res, &name);
    if (st != ACCEL_OK) return conf_from_status(c, st, "timer_properties");
    if (!(res > 0) || !name || !*name) return conf_fail(c, "timer resolution %g name '%s'", res, name ? name : "");
    return CONF_PASS;
}

static conf_result roundtrip(conf_ctx *c, size_t bytes, size_t offset) {
    accel_buffer *b = NULL;
    unsigned char *src = malloc(bytes), *dst = calloc(1, bytes);
    conf_result r = CONF_PASS;
    accel_status st = src && dst ? accel_buffer_alloc(c->dev, bytes + offset, ACCEL_MEMORY_DEVICE, &b)
                                 : ACCEL_ERR_OUT_OF_MEMORY;
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "buffer_alloc");
        goto done;
    }
    for (size_t i = 0; i < bytes; ++i) src[i] = (unsigned char)(i * 131u + 7u);
    if ((st = accel_buffer_write(c->stream, b, offset, src, bytes)) != ACCEL_OK ||
        (st = accel_buffer_read(c->stream, b, offset, dst, bytes)) != ACCEL_OK ||
        (st = accel_stream_synchronize(c->stream)) != ACCEL_OK) {
        r = conf_from_status(c, st, "write/read");
        goto done;
    }
    if (c->corrupt) dst[bytes / 2] ^= 0x5a;
    if (memcmp(src, dst, bytes) != 0) r = conf_fail(c, "%zu bytes at offset %zu differ after a round trip", bytes, offset);
done:
    accel_buffer_free(b);
    free(src);
    free(dst);
    return r;
}

static conf_result check_roundtrip(conf_ctx *c) {
    const size_t sizes[] = {1, 3, 4097, 1 << 20};
    const size_t offsets[] = {0, 5, 64, 4096};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; ++i) {
        conf_result r = roundtrip(c, sizes[i], offsets[i]);
        if (r != CONF_PASS) return r;
    }
    return CONF_PASS;
}

static conf_result check_copy(conf_ctx *c) {
    enum { N = 100003 };
    accel_buffer *a = NULL, *b = NULL;
    unsigned char *src = malloc(N), *dst = calloc(1, N);
    conf_result r = CONF_PASS;
    accel_status st = src && dst ? accel_buffer_alloc(c->dev, N, ACCEL_MEMORY_DEVICE, &a)
                                 : ACCEL_ERR_OUT_OF_MEMORY;
    if (st == ACCEL_OK) st = accel_buffer_alloc(c->dev, N, ACCEL_MEMORY_DEVICE, &b);
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "buffer_alloc");
        goto done;
    }
    for (size_t i = 0; i < N; ++i) src[i] = (unsigned char)(i ^ (i >> 8));
    unsigned char zero = 0;
    if ((st = accel_buffer_write(c->stream, a, 0, src, N)) != ACCEL_OK ||
        (st = accel_buffer_fill(c->stream, b, 0, N, &zero, 1)) != ACCEL_OK ||
        (st = accel_buffer_copy(c->stream, b, 17, a, 3, N - 100)) != ACCEL_OK ||
        (st = accel_buffer_read(c->stream, b, 0, dst, N)) != ACCEL_OK ||
        (st = accel_stream_synchronize(c->stream)) != ACCEL_OK) {
        r = conf_from_status(c, st, "copy");
        goto done;
    }
    if (c->corrupt) dst[500] ^= 1;
    for (size_t i = 0; i < N && r == CONF_PASS; ++i) {
        unsigned char want = (i >= 17 && i < 17 + N - 100) ? src[i - 17 + 3] : 0;
        if (dst[i] != want) r = conf_fail(c, "byte %zu is %u, wanted %u", i, dst[i], want);
    }
done:
    accel_buffer_free(a);
    accel_buffer_free(b);
    free(src);
    free(dst);
    return r;
}

static conf_result check_fill(conf_ctx *c) {
    enum { N = 4096 + 64 };
    accel_buffer *b = NULL;
    unsigned char pattern[16], got[N];
    for (int i = 0; i < 16; ++i) pattern[i] = (unsigned char)(0xa0 + i);
    accel_status st = accel_buffer_alloc(c->dev, N, ACCEL_MEMORY_DEVICE, &b);
    if (st != ACCEL_OK) return conf_from_status(c, st, "buffer_alloc");
    conf_result r = CONF_PASS;
    for (size_t ps = 1; ps <= 16 && r == CONF_PASS; ps *= 2) {
        unsigned char zero[16] = {0};
        if ((st = accel_buffer_fill(c->stream, b, 0, N, zero, 16)) != ACCEL_OK ||
            (st = accel_buffer_fill(c->stream, b, 64, 4096, pattern, ps)) != ACCEL_OK ||
            (st = accel_buffer_read(c->stream, b, 0, got, N)) != ACCEL_OK ||
            (st = accel_stream_synchronize(c->stream)) != ACCEL_OK) {
            r = conf_from_status(c, st, "fill");
            break;
        }
        if (c->corrupt) got[100] ^= 1;
        for (size_t i = 0; i < N; ++i) {
            unsigned char want = (i >= 64 && i < 64 + 4096) ? pattern[(i - 64) % ps] : 0;
            if (got[i] != want) {
                r = conf_fail(c, "pattern size %zu: byte %zu is 0x%02x, wanted 0x%02x", ps, i, got[i], want);
                break;
            }
        }
    }
    accel_buffer_free(b);
    return r;
}

static conf_result check_pinned(conf_ctx *c) {
    enum { N = 1 << 16 };
    accel_buffer *pin = NULL, *dev = NULL, *pin2 = NULL;
    conf_result r = CONF_PASS;
    void *p = NULL, *p2 = NULL;
    accel_status st = accel_buffer_alloc(c->dev, N, ACCEL_MEMORY_HOST_PINNED, &pin);
    if (st == ACCEL_OK) st = accel_buffer_alloc(c->dev, N, ACCEL_MEMORY_HOST_PINNED, &pin2);
    if (st == ACCEL_OK) st = accel_buffer_alloc(c->dev, N, ACCEL_MEMORY_DEVICE, &dev);
    if (st == ACCEL_OK) st = accel_buffer_host_ptr(pin, &p);
    if (st == ACCEL_OK) st = accel_buffer_host_ptr(pin2, &p2);
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "pinned buffers");
        goto done;
    }
    for (int i = 0; i < N; ++i) ((unsigned char *)p)[i] = (unsigned char)(i * 7);
    memset(p2, 0, N);
    if ((st = accel_buffer_copy(c->stream, dev, 0, pin, 0, N)) != ACCEL_OK ||
        (st = accel_buffer_copy(c->stream, pin2, 0, dev, 0, N)) != ACCEL_OK ||
        (st = accel_stream_synchronize(c->stream)) != ACCEL_OK) {
        r = conf_from_status(c, st, "pinned copies");
        goto done;
    }
    if (c->corrupt) ((unsigned char *)p2)[9] ^= 1;
    if (memcmp(p, p2, N) != 0) r = conf_fail(c, "pinned -> device -> pinned changed the data");
done:
    accel_buffer_free(pin);
    accel_buffer_free(pin2);
    accel_buffer_free(dev);
    return r;
}

static conf_result check_timer(conf_ctx *c) {
    enum { N = 1 << 24 };
    accel_timer *t = NULL;
    accel_buffer *b = NULL;
    conf_result r = CONF_PASS;
    accel_status st = accel_timer_create(c->dev, &t);
    if (st == ACCEL_OK) st = accel_buffer_alloc(c->dev, N, ACCEL_MEMORY_DEVICE, &b);
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "timer setup");
        goto done;
    }
    double small = -1, big = -1;
    float one = 1.0f;
    /* One fill, then sixteen: the longer bracket must not measure less than zero, and must be
     * positive — a timer stuck at 0 or negative is the bug this catches. */
    for (int pass = 0; pass < 2; ++pass) {
        int reps = pass ? 16 : 1;
        if ((st = accel_timer_begin(t, c->stream)) != ACCEL_OK) break;
        for (int i = 0; i < reps && st == ACCEL_OK; ++i)
            st = accel_buffer_fill(c->stream, b, 0, N, &one, 4);
        if (st == ACCEL_OK) st = accel_timer_end(t, c->stream);
        if (st == ACCEL_OK) st = accel_timer_elapsed_ms(t, pass ? &big : &small);
        if (st != ACCEL_OK) break;
    }
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "timer");
        goto done;
    }
    if (c->corrupt) big = -big;
    if (!(small >= 0) || !(big > 0) || big > 60e3)
        r = conf_fail(c, "timer gave %.6f ms for 1 fill and %.6f ms for 16", small, big);
done:
    accel_timer_destroy(t);
    accel_buffer_free(b);
    return r;
}

static conf_result check_events(conf_ctx *c) {
    accel_event *e = NULL;
    accel_stream *s2 = NULL;
    accel_buffer *b = NULL;
    conf_result r = CONF_PASS;
    accel_status st = accel_event_create(c->dev, &e);
    if (st != ACCEL_OK) return conf_from_status(c, st, "event_create");
    st = accel_stream_create(c->dev, &s2);
    if (st == ACCEL_OK) st = accel_buffer_alloc(c->dev, 4096, ACCEL_MEMORY_DEVICE, &b);
    uint32_t v = 0x12345678u, got[1024];
    /* Fill on one stream, make the second wait, read on the second. */
    if (st == ACCEL_OK) st = accel_buffer_fill(c->stream, b, 0, 4096, &v, 4);
    if (st == ACCEL_OK) st = accel_event_record(e, c->stream);
    if (st == ACCEL_OK) st = accel_stream_wait_event(s2, e);
    if (st == ACCEL_OK) st = accel_buffer_read(s2, b, 0, got, 4096);
    if (st == ACCEL_OK) st = accel_stream_synchronize(s2);
    if (st == ACCEL_OK) st = accel_event_synchronize(e);
    if (st != ACCEL_OK) r = conf_from_status(c, st, "events");
    else {
        if (c->corrupt) got[3] = 0;
        for (int i = 0; i < 1024; ++i)
            if (got[i] != v) {
                r = conf_fail(c, "word %d read on the waiting stream is 0x%x", i, got[i]);
                break;
            }
    }
    accel_buffer_free(b);
    accel_stream_destroy(s2);
    accel_event_destroy(e);
    return r;
}

/* Every bad call is refused with a message, and the device still works afterwards. */
static conf_result check_error_paths(conf_ctx *c) {
    accel_buffer *b = NULL;
    accel_status st = accel_buffer_alloc(c->dev, 64, ACCEL_MEMORY_DEVICE, &b);
    if (st != ACCEL_OK) return conf_from_status(c, st, "buffer_alloc");
    char host[128] = {0};
    conf_result r = CONF_PASS;
    struct { accel_status got; const char *what; } cases[] = {
        {accel_buffer_write(c->stream, b, 60, host, 8), "write past the end"},
        {accel_buffer_read(c->stream, b, 65, host, 1), "read past the end"},
        {accel_buffer_copy(c->stream, b, 0, b, 32, 64), "copy past the end"},
        {accel_buffer_fill(c->stream, b, 0, 6, host, 4), "fill size not a pattern multiple"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i)
        if (cases[i].got != ACCEL_ERR_INVALID_ARGUMENT || c->corrupt) {
            r = conf_fail(c, "%s returned %s", cases[i].what, accel_status_str(cases[i].got));
            break;
        }
    accel_buffer *huge = NULL;
    if (r == CONF_PASS) {
        st = accel_buffer_alloc(c->dev, (size_t)-1 / 2, ACCEL_MEMORY_DEVICE, &huge);
        if (st != ACCEL_ERR_OUT_OF_MEMORY && st != ACCEL_ERR_INVALID_ARGUMENT)
            r = conf_fail(c, "allocating SIZE_MAX/2 bytes returned %s", accel_status_str(st));
        accel_buffer_free(huge);
    }
    if (r == CONF_PASS && roundtrip(c, 1000, 0) != CONF_PASS)
        r = conf_fail(c, "the device no longer works after refused calls");
    accel_buffer_free(b);
    return r;
}

const conf_check conf_memory_checks[] = {
    {"device-info", check_info},
    {"buffer-roundtrip", check_roundtrip},
    {"buffer-copy", check_copy},
    {"buffer-fill", check_fill},
    {"pinned-memory", check_pinned},
    {"timer", check_timer},
    {"events", check_events},
    {"error-paths", check_error_paths},
    {NULL, NULL},
};
