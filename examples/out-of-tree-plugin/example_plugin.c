/* libaccel-backend-example.so: a backend written outside the accelbench tree, against the installed
 * package only (accel/plugin.h). Its one device is the host: buffers are host memory, every
 * enqueue runs before it returns, and it runs one op, f32 eltwise, through the plan/execute split
 * every backend uses. Every other op answers UNIMPLEMENTED with its reason, which the conformance
 * suite reports as a skip.
 *
 * Rules it follows (docs/backends.md): the file is named libaccel-backend-<name>.so and the table
 * declares the same <name>; the only exported symbol is accel_plugin_query_v1; nothing from
 * libaccel is called (messages go through host->set_error, names through the headers' inline
 * helpers), which -Wl,--no-undefined checks at link time. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <accel/plugin.h>

typedef struct example_ctx {
    const accel_host_services *host; /* set_error, log */
    unsigned long long memory_bytes;
} example_ctx;

typedef struct example_buffer {
    unsigned char *bytes;
} example_buffer;

typedef struct example_timer {
    struct timespec marks[2];
} example_timer;

/* An eltwise plan: the description, checked once at plan time. */
typedef struct example_plan {
    accel_eltwise_desc op;
} example_plan;

#define HOST(dev) (((example_ctx *)(dev))->host)

static accel_status example_init(const accel_host_services *host, void **ctx, int *device_count,
                                 char *reason, size_t reason_len) {
    example_ctx *c = calloc(1, sizeof *c);
    if (!c) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "example: out of host memory");
    c->host = host;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    c->memory_bytes = pages > 0 && page > 0 ? (unsigned long long)pages * (unsigned long long)page
                                            : 1ull << 30;
    *ctx = c;
    *device_count = 1;
    snprintf(reason, reason_len, "%s", "");
    return ACCEL_OK;
}

static void example_shutdown(void *ctx) { free(ctx); }

/* The device handle is the context: there is one device, and it holds no state of its own. */
static accel_status example_device_open(void *ctx, int index, void **dev) {
    (void)index;
    *dev = ctx;
    return ACCEL_OK;
}

static void example_device_close(void *dev) { (void)dev; }

static accel_status example_device_info(void *dev, accel_device_info *info) {
    const example_ctx *c = dev;
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    info->type = ACCEL_DEVICE_CPU;
    snprintf(info->name, sizeof info->name, "example host device");
    snprintf(info->vendor, sizeof info->vendor, "accelbench example");
    snprintf(info->driver_version, sizeof info->driver_version, "none");
    snprintf(info->runtime_version, sizeof info->runtime_version, "none");
    snprintf(info->isa, sizeof info->isa, "host C");
    info->compute_units = 1; /* one thread runs everything */
    info->memory_bytes = c->memory_bytes;
    info->max_alloc_bytes = c->memory_bytes;
    info->features = ACCEL_FEATURE_UNIFIED_MEMORY;
    snprintf(info->op_libraries, sizeof info->op_libraries, "example");
    snprintf(info->notes, sizeof info->notes, "out-of-tree example: f32 eltwise only; %ld host CPUs",
             cpus);
    /* Appended in ABI 1.1: written only when the host's struct has it (types.h, growth). Zero
     * means unknown, and this device has no fp8 arithmetic. */
    if (ACCEL_DEVICE_INFO_HAS_FP8_PEAK(info)) info->vendor_peak_fp8_tflops = 0.0;
    return ACCEL_OK;
}

static accel_status example_synchronize(void *any) {
    (void)any; /* everything ran when it was enqueued */
    return ACCEL_OK;
}

static accel_status example_buffer_alloc(void *dev, size_t bytes, accel_memory_kind kind,
                                         void **buf, void **host_ptr) {
    (void)kind; /* host memory serves both kinds */
    example_buffer *b = malloc(sizeof *b);
    void *bytes_at = NULL;
    if (!b || posix_memalign(&bytes_at, 64, bytes) != 0) {
        free(b);
        return HOST(dev)->set_error(ACCEL_ERR_OUT_OF_MEMORY,
                                    "example: %zu bytes: posix_memalign failed", bytes);
    }
    b->bytes = bytes_at;
    *buf = b;
    *host_ptr = b->bytes;
    return ACCEL_OK;
}

static void example_buffer_free(void *dev, void *buf) {
    (void)dev;
    example_buffer *b = buf;
    free(b->bytes);
    free(b);
}

/* A stream only needs an identity: work is done in order because it is done at once. */
static accel_status example_stream_create(void *dev, void **stream) {
    *stream = dev;
    return ACCEL_OK;
}

static void example_stream_destroy(void *stream) { (void)stream; }

static unsigned char *at(void *buf, size_t offset) { return ((example_buffer *)buf)->bytes + offset; }

static accel_status example_write(void *s, void *dst, size_t off, const void *src, size_t n) {
    (void)s;
    memcpy(at(dst, off), src, n);
    return ACCEL_OK;
}

static accel_status example_read(void *s, void *src, size_t off, void *dst, size_t n) {
    (void)s;
    memcpy(dst, at(src, off), n);
    return ACCEL_OK;
}

static accel_status example_copy(void *s, void *dst, size_t doff, void *src, size_t soff, size_t n) {
    (void)s;
    memmove(at(dst, doff), at(src, soff), n); /* the ranges may overlap within one buffer */
    return ACCEL_OK;
}

static accel_status example_fill(void *s, void *dst, size_t off, size_t n, const void *pattern,
                                 size_t pattern_size) {
    (void)s;
    unsigned char *p = at(dst, off);
    memcpy(p, pattern, pattern_size);
    /* Doubling copies: log2(n) memcpy calls instead of n / pattern_size. */
    for (size_t done = pattern_size; done < n; done *= 2)
        memcpy(p + done, p, done < n - done ? done : n - done);
    return ACCEL_OK;
}

static accel_status example_timer_create(void *dev, void **timer) {
    example_timer *t = calloc(1, sizeof *t);
    if (!t) return HOST(dev)->set_error(ACCEL_ERR_OUT_OF_MEMORY, "example: out of host memory");
    *timer = t;
    return ACCEL_OK;
}

static void example_timer_destroy(void *timer) { free(timer); }

static accel_status example_timer_mark(example_timer *t, int which) {
    clock_gettime(CLOCK_MONOTONIC, &t->marks[which]);
    return ACCEL_OK;
}

static accel_status example_timer_begin(void *t, void *s) {
    (void)s;
    return example_timer_mark(t, 0);
}

static accel_status example_timer_end(void *t, void *s) {
    (void)s;
    return example_timer_mark(t, 1);
}

static accel_status example_timer_elapsed(void *timer, double *ms) {
    const example_timer *t = timer;
    *ms = (double)(t->marks[1].tv_sec - t->marks[0].tv_sec) * 1e3 +
          (double)(t->marks[1].tv_nsec - t->marks[0].tv_nsec) * 1e-6;
    return ACCEL_OK;
}

static accel_status example_timer_properties(void *dev, double *resolution_ns, const char **name) {
    (void)dev;
    struct timespec r;
    clock_getres(CLOCK_MONOTONIC, &r);
    *resolution_ns = (double)r.tv_sec * 1e9 + (double)r.tv_nsec;
    *name = "clock-monotonic";
    return ACCEL_OK;
}

/* The plan step: refuse what this backend does not run, with the reason. The host has already
 * checked the description itself (sizes, kinds, cols dividing count). */
static accel_status example_plan_create(void *dev, const accel_op_desc *desc, void **plan,
                                        accel_plugin_plan_info *info) {
    if (desc->library[0] && strcmp(desc->library, "example") != 0)
        return HOST(dev)->set_error(ACCEL_ERR_UNIMPLEMENTED, "example: no op library '%.32s'",
                                    desc->library);
    if (desc->kind != ACCEL_OP_ELTWISE)
        return HOST(dev)->set_error(ACCEL_ERR_UNIMPLEMENTED, "example: runs eltwise only, not %s",
                                    accel_op_kind_label(desc->kind));
    if (desc->u.eltwise.dtype != ACCEL_DTYPE_F32)
        return HOST(dev)->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "example: eltwise in f32 only, not %s",
                                    accel_dtype_label(desc->u.eltwise.dtype));
    /* Kinds are appended as the ABI grows (the activation backward kinds came after 1.0): refuse
     * what this plugin was not written for, never guess. */
    if (desc->u.eltwise.kind > ACCEL_ELTWISE_BIAS_ADD)
        return HOST(dev)->set_error(ACCEL_ERR_UNIMPLEMENTED, "example: eltwise kind %d is not offered",
                                    (int)desc->u.eltwise.kind);
    example_plan *p = malloc(sizeof *p);
    if (!p) return HOST(dev)->set_error(ACCEL_ERR_OUT_OF_MEMORY, "example: out of host memory");
    p->op = desc->u.eltwise;
    snprintf(info->library, sizeof info->library, "example");
    snprintf(info->algorithm, sizeof info->algorithm, "host loop, fp64 arithmetic");
    *plan = p;
    return ACCEL_OK;
}

static void example_plan_destroy(void *plan) { free(plan); }

static double eltwise_one(const accel_eltwise_desc *e, double x, const float *z, int64_t i) {
    switch (e->kind) {
    case ACCEL_ELTWISE_COPY: return x;
    case ACCEL_ELTWISE_SCALE: return e->alpha * x;
    case ACCEL_ELTWISE_ADD: return e->alpha * x + e->beta * z[i];
    case ACCEL_ELTWISE_MUL: return e->alpha * x * z[i];
    case ACCEL_ELTWISE_RELU: return x > 0.0 ? x : 0.0;
    case ACCEL_ELTWISE_GELU_ERF: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
    case ACCEL_ELTWISE_GELU_TANH:
        return 0.5 * x * (1.0 + tanh(0.7978845608028654 /* sqrt(2/pi) */ * (x + 0.044715 * x * x * x)));
    case ACCEL_ELTWISE_BIAS_ADD: return x + z[i % e->cols];
    default: break; /* refused at plan time */
    }
    return NAN;
}

/* Operands: [0] X, [1] Z (absent for unary kinds), [2] Y; Y may alias X or Z, and each element is
 * read before it is written, so aliasing is safe. */
static accel_status example_plan_execute(void *plan, void *stream, const accel_plugin_ref *operands,
                                         size_t noperands, accel_plugin_ref workspace) {
    (void)stream, (void)noperands, (void)workspace;
    const accel_eltwise_desc *e = &((const example_plan *)plan)->op;
    const float *x = (const float *)(void *)at(operands[0].buffer, operands[0].offset);
    const float *z = operands[1].buffer
                         ? (const float *)(void *)at(operands[1].buffer, operands[1].offset)
                         : NULL;
    float *y = (float *)(void *)at(operands[2].buffer, operands[2].offset);
    for (int64_t i = 0; i < e->count; ++i) y[i] = (float)eltwise_one(e, x[i], z, i);
    return ACCEL_OK;
}

static const accel_backend_ops example_ops = {
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(accel_backend_ops),
    .name = "example",
    .version = "example 1.0",
    .init = example_init,
    .shutdown = example_shutdown,
    .device_open = example_device_open,
    .device_close = example_device_close,
    .device_info = example_device_info,
    .device_synchronize = example_synchronize,
    .buffer_alloc = example_buffer_alloc,
    .buffer_free = example_buffer_free,
    .stream_create = example_stream_create,
    .stream_destroy = example_stream_destroy,
    .stream_synchronize = example_synchronize,
    .buffer_write = example_write,
    .buffer_read = example_read,
    .buffer_copy = example_copy,
    .buffer_fill = example_fill,
    .timer_create = example_timer_create,
    .timer_destroy = example_timer_destroy,
    .timer_begin = example_timer_begin,
    .timer_end = example_timer_end,
    .timer_elapsed_ms = example_timer_elapsed,
    .timer_properties = example_timer_properties,
    .op_plan_create = example_plan_create,
    .op_plan_destroy = example_plan_destroy,
    .op_plan_execute = example_plan_execute,
    /* Events, kernels and record/replay are optional: left NULL, the host answers UNIMPLEMENTED. */
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned host_abi_major,
                                                                   const accel_host_services *host) {
    (void)host;
    return host_abi_major == ACCEL_PLUGIN_ABI_MAJOR ? &example_ops : NULL;
}
