/* The null backend: a complete, minimal plugin to copy when adding a backend (docs/backends.md).
 *
 * It has no vendor library. By default it reports 0 devices, with the reason. With
 * ACCEL_NULL_DEVICES=N it exposes N "devices" backed by host memory that run transfers, fills,
 * events and timers synchronously, and answer UNIMPLEMENTED for every op, so the HAL can be tested
 * with no hardware and no vendor runtime at all. The devices are one model (fleet mode's peers);
 * for the tests of the fleet check, ACCEL_NULL_SLOW_DEVICE=I:F makes device I's transfers run at
 * F (0 < F <= 1) of their speed, and ACCEL_NULL_TRACE=FILE appends "open|close I <ns>" lines as
 * devices are opened and closed (monotonic clock), which shows whether devices ran at once.
 *
 * A real backend replaces each section: init loads the vendor library (dlopen + symbol table) and
 * enumerates; device_* wrap the vendor's device; buffers, streams, timers and ops call the vendor. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "accel/plugin.h"

#define NULL_MAX_DEVICES 16

typedef struct null_ctx {
    const accel_host_services *host;
    int device_count;
} null_ctx;

typedef struct null_device {
    null_ctx *ctx;
    int index;
    double speed;      /* ACCEL_NULL_SLOW_DEVICE: 1 = full speed */
} null_device;

typedef struct null_buffer {
    unsigned char *data;
    size_t size;
} null_buffer;

typedef struct null_stream {
    null_device *dev;
} null_stream;

typedef struct null_timer {
    double begin_ms, end_ms;
} null_timer;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* ---- lifecycle ---- */

static accel_status null_init(const accel_host_services *host, void **out_ctx, int *device_count,
                              char *reason, size_t reason_len) {
    null_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "null: out of host memory");
    ctx->host = host;
    const char *env = getenv("ACCEL_NULL_DEVICES");
    char *end = NULL;
    long n = env ? strtol(env, &end, 10) : 0;
    if (env && (*end || n < 0 || n > NULL_MAX_DEVICES)) {
        snprintf(reason, reason_len, "ACCEL_NULL_DEVICES='%s' is not a number in 0..%d", env,
                 NULL_MAX_DEVICES);
        n = 0;
    } else if (n == 0) {
        snprintf(reason, reason_len,
                 "no devices: the null backend is a template (ACCEL_NULL_DEVICES=N exposes N "
                 "host-memory test devices)");
    }
    ctx->device_count = (int)n;
    *device_count = (int)n;
    *out_ctx = ctx;
    return ACCEL_OK;
}

static void null_shutdown(void *ctx) { free(ctx); }

/* ---- devices ---- */

/* ACCEL_NULL_SLOW_DEVICE=I:F: F for device I, 1 for the others (and for a malformed value). */
static double device_speed(int index) {
    const char *v = getenv("ACCEL_NULL_SLOW_DEVICE");
    if (!v) return 1.0;
    char *end = NULL;
    long i = strtol(v, &end, 10);
    if (end == v || *end != ':' || i != index) return 1.0;
    double f = strtod(end + 1, &end);
    return (*end == '\0' && f > 0 && f <= 1) ? f : 1.0;
}

static void trace(const char *what, int index) {
    const char *path = getenv("ACCEL_NULL_TRACE");
    if (!path || !path[0]) return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char line[96];
    int n = snprintf(line, sizeof line, "%s %d %lld\n", what, index,
                     (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec);
    /* One write of a whole line with O_APPEND: lines of concurrent workers never interleave. */
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    if (write(fd, line, (size_t)n) < 0) { /* a test's trace only: nothing to report */ }
    close(fd);
}

/* A slowed device takes 1/speed times as long as the work really took. It sleeps the extra
 * time rather than spin, so that it does not take the host's cores from its peers (which here
 * are processes on the same host). */
static void throttle(const null_device *d, double started_ms) {
    if (d->speed >= 1.0) return;
    double extra_ms = (now_ms() - started_ms) * (1.0 / d->speed - 1.0);
    long long ns = (long long)(extra_ms * 1e6);
    struct timespec ts = {(time_t)(ns / 1000000000ll), (long)(ns % 1000000000ll)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static accel_status null_device_open(void *vctx, int index, void **out_dev) {
    null_ctx *ctx = vctx;
    null_device *d = calloc(1, sizeof *d);
    if (!d) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "null: out of host memory");
    d->ctx = ctx;
    d->index = index;
    d->speed = device_speed(index);
    trace("open", index);
    *out_dev = d;
    return ACCEL_OK;
}

static void null_device_close(void *dev) {
    trace("close", ((null_device *)dev)->index);
    free(dev);
}

static accel_status null_device_info(void *vdev, accel_device_info *info) {
    null_device *d = vdev;
    info->type = ACCEL_DEVICE_OTHER;
    snprintf(info->name, sizeof info->name, "null test device");
    snprintf(info->vendor, sizeof info->vendor, "accelbench");
    snprintf(info->uuid, sizeof info->uuid, "null-%d", d->index);
    snprintf(info->driver_version, sizeof info->driver_version, "none");
    snprintf(info->runtime_version, sizeof info->runtime_version, "none");
    snprintf(info->isa, sizeof info->isa, "host");
    info->compute_units = 1;
    info->memory_bytes = 1ull << 30;
    info->max_alloc_bytes = 1ull << 30;
    info->features = ACCEL_FEATURE_UNIFIED_MEMORY;
    info->module_formats = 0; /* no kernels: the kernel slots are left NULL below */
    snprintf(info->op_libraries, sizeof info->op_libraries, "%s", "");
    snprintf(info->notes, sizeof info->notes, "host memory, synchronous, runs no ops");
    return ACCEL_OK;
}

static accel_status null_device_synchronize(void *dev) {
    (void)dev; /* everything ran at enqueue */
    return ACCEL_OK;
}

/* ---- memory ---- */

static accel_status null_buffer_alloc(void *vdev, size_t bytes, accel_memory_kind kind,
                                      void **out_buf, void **host_ptr) {
    null_device *d = vdev;
    (void)kind; /* host memory either way */
    null_buffer *b = malloc(sizeof *b);
    void *data = NULL;
    if (!b || posix_memalign(&data, 64, bytes) != 0) {
        free(b);
        return d->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY,
                                       "null: posix_memalign(%zu) failed", bytes);
    }
    b->data = data;
    b->size = bytes;
    *out_buf = b;
    *host_ptr = data;
    return ACCEL_OK;
}

static void null_buffer_free(void *dev, void *vbuf) {
    (void)dev;
    null_buffer *b = vbuf;
    free(b->data);
    free(b);
}

/* ---- streams and transfers (the HAL has checked ranges and devices) ---- */

static accel_status null_stream_create(void *vdev, void **out_stream) {
    null_device *d = vdev;
    null_stream *s = calloc(1, sizeof *s);
    if (!s) return d->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "null: out of host memory");
    s->dev = d;
    *out_stream = s;
    return ACCEL_OK;
}

static void null_stream_destroy(void *s) { free(s); }
static accel_status null_stream_synchronize(void *s) { (void)s; return ACCEL_OK; }

static accel_status null_write(void *s, void *dst, size_t off, const void *src, size_t bytes) {
    double t0 = now_ms();
    memcpy(((null_buffer *)dst)->data + off, src, bytes);
    throttle(((null_stream *)s)->dev, t0);
    return ACCEL_OK;
}

static accel_status null_read(void *s, void *src, size_t off, void *dst, size_t bytes) {
    double t0 = now_ms();
    memcpy(dst, ((null_buffer *)src)->data + off, bytes);
    throttle(((null_stream *)s)->dev, t0);
    return ACCEL_OK;
}

static accel_status null_copy(void *s, void *dst, size_t doff, void *src, size_t soff,
                              size_t bytes) {
    double t0 = now_ms();
    memmove(((null_buffer *)dst)->data + doff, ((null_buffer *)src)->data + soff, bytes);
    throttle(((null_stream *)s)->dev, t0);
    return ACCEL_OK;
}

static accel_status null_fill(void *s, void *dst, size_t off, size_t bytes, const void *pattern,
                              size_t pattern_size) {
    (void)s;
    unsigned char *p = ((null_buffer *)dst)->data + off;
    for (size_t i = 0; i < bytes; i += pattern_size) memcpy(p + i, pattern, pattern_size);
    return ACCEL_OK;
}

/* ---- events: work is complete at enqueue, so an event is only a token ---- */

static accel_status null_event_create(void *vdev, void **out_event) {
    null_device *d = vdev;
    int *e = calloc(1, sizeof *e);
    if (!e) return d->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "null: out of host memory");
    *out_event = e;
    return ACCEL_OK;
}
static void null_event_destroy(void *e) { free(e); }
static accel_status null_event_record(void *e, void *s) { (void)s; *(int *)e = 1; return ACCEL_OK; }
static accel_status null_stream_wait_event(void *s, void *e) { (void)s; (void)e; return ACCEL_OK; }
static accel_status null_event_synchronize(void *e) { (void)e; return ACCEL_OK; }

/* ---- timers: host clock, valid because every enqueue completes before it returns ---- */

static accel_status null_timer_create(void *vdev, void **out_timer) {
    null_device *d = vdev;
    null_timer *t = calloc(1, sizeof *t);
    if (!t) return d->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "null: out of host memory");
    *out_timer = t;
    return ACCEL_OK;
}
static void null_timer_destroy(void *t) { free(t); }
static accel_status null_timer_begin(void *t, void *s) {
    (void)s;
    ((null_timer *)t)->begin_ms = now_ms();
    return ACCEL_OK;
}
static accel_status null_timer_end(void *t, void *s) {
    (void)s;
    ((null_timer *)t)->end_ms = now_ms();
    return ACCEL_OK;
}
static accel_status null_timer_elapsed_ms(void *vt, double *ms) {
    null_timer *t = vt;
    *ms = t->end_ms - t->begin_ms;
    return ACCEL_OK;
}
static accel_status null_timer_properties(void *dev, double *resolution_ns, const char **name) {
    (void)dev;
    struct timespec res;
    clock_getres(CLOCK_MONOTONIC, &res);
    *resolution_ns = (double)res.tv_sec * 1e9 + (double)res.tv_nsec;
    *name = "clock-monotonic";
    return ACCEL_OK;
}

/* ---- ops: a real backend plans here (descriptors, algorithm choice, compilation) ---- */

static accel_status null_op_plan_create(void *vdev, const accel_op_desc *desc, void **plan,
                                        accel_plugin_plan_info *info) {
    null_device *d = vdev;
    (void)plan;
    (void)info;
    return d->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "null: runs no ops (%s requested)",
                                   accel_op_kind_label(desc->kind));
}
static void null_op_plan_destroy(void *plan) { (void)plan; }
static accel_status null_op_plan_execute(void *plan, void *s, const accel_plugin_ref *ops,
                                         size_t n, accel_plugin_ref ws) {
    (void)plan; (void)s; (void)ops; (void)n; (void)ws;
    return ACCEL_ERR_INTERNAL; /* unreachable: no plan is ever created */
}

static const accel_backend_ops null_ops = {
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(accel_backend_ops),
    .name = "null",
    .version = "null 1.0",
    .init = null_init,
    .shutdown = null_shutdown,
    .device_open = null_device_open,
    .device_close = null_device_close,
    .device_info = null_device_info,
    .device_synchronize = null_device_synchronize,
    .buffer_alloc = null_buffer_alloc,
    .buffer_free = null_buffer_free,
    .stream_create = null_stream_create,
    .stream_destroy = null_stream_destroy,
    .stream_synchronize = null_stream_synchronize,
    .buffer_write = null_write,
    .buffer_read = null_read,
    .buffer_copy = null_copy,
    .buffer_fill = null_fill,
    .event_create = null_event_create,
    .event_destroy = null_event_destroy,
    .event_record = null_event_record,
    .stream_wait_event = null_stream_wait_event,
    .event_synchronize = null_event_synchronize,
    .timer_create = null_timer_create,
    .timer_destroy = null_timer_destroy,
    .timer_begin = null_timer_begin,
    .timer_end = null_timer_end,
    .timer_elapsed_ms = null_timer_elapsed_ms,
    .timer_properties = null_timer_properties,
    .op_plan_create = null_op_plan_create,
    .op_plan_destroy = null_op_plan_destroy,
    .op_plan_execute = null_op_plan_execute,
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned host_abi_major,
                                                                   const accel_host_services *host) {
    (void)host;
    return host_abi_major == ACCEL_PLUGIN_ABI_MAJOR ? &null_ops : NULL;
}
