/* stream: copy c = a, scale b = s c, add c = a + b, triad a = b + s c (McCalpin's kernels) as single
 * eltwise ops on arrays far larger than the last-level cache. Every kernel is idempotent, so any run
 * leaves the same arrays behind for verification. */
#include "stream.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_SCALAR 3.0
#define STREAM_MIN_BYTES (64ull << 20)
#define STREAM_SAMPLES 1000

typedef enum { K_COPY, K_SCALE, K_ADD, K_TRIAD } stream_kernel;

typedef struct stream_config {
    awl_config cfg;
    stream_kernel kernel;
    int arrays; /* STREAM byte convention: arrays touched per element */
} stream_config;

static const stream_config stream_configs[] = {
    {{"copy", "c = a", 0, 0, 0, 0, 1u << AWL_FP32, 1, 1}, K_COPY, 2},
    {{"scale", "b = 3 c", 0, 0, 0, 0, 1u << AWL_FP32, 1, 1}, K_SCALE, 2},
    {{"add", "c = a + b", 0, 0, 0, 0, 1u << AWL_FP32, 1, 1}, K_ADD, 3},
    {{"triad", "a = b + 3 c", 0, 0, 0, 0, 1u << AWL_FP32, 1, 1}, K_TRIAD, 3},
};

typedef struct stream_state {
    accel_device *dev;
    const stream_config *cfg;
    int64_t n;
    wl_buffers bufs;
    accel_buffer *arr[3]; /* a, b, c */
    accel_op_plan *plan;
    accel_buffer_ref ops[3];
    int out; /* which array the kernel writes */
} stream_state;

static size_t stream_config_count(void) { return WL_ARRAY_LEN(stream_configs); }
static const awl_config *stream_config_at(size_t i) {
    return i < WL_ARRAY_LEN(stream_configs) ? &stream_configs[i].cfg : NULL;
}

int64_t wl_stream_elements(const accel_device_info *info) {
    uint64_t bytes = 4 * info->cache_bytes;
    bytes = bytes < STREAM_MIN_BYTES ? STREAM_MIN_BYTES : bytes;
    if (info->memory_bytes && bytes > info->memory_bytes / 4)
        bytes = info->memory_bytes / 4;
    if (info->max_alloc_bytes && bytes > info->max_alloc_bytes)
        bytes = info->max_alloc_bytes;
    return (int64_t)(bytes / sizeof(float));
}

/* Initial value of element i of array `which`: multiples of 1/256 below 4, so b + 3c and a + b are
 * exact in fp32 and the check can be exact. */
static float stream_init_value(int which, int64_t i) {
    uint64_t z = (uint64_t)i * 0x9e3779b97f4a7c15ull + (uint64_t)(which + 1) * 0xbf58476d1ce4e5b9ull;
    z ^= z >> 31;
    z *= 0x94d049bb133111ebull;
    z ^= z >> 29;
    return (float)(z % 1024) / 256.0f;
}

static double stream_expected(const stream_config *c, int64_t i) {
    double a = stream_init_value(0, i), b = stream_init_value(1, i), cc = stream_init_value(2, i);
    switch (c->kernel) {
    case K_COPY: return a;
    case K_SCALE: return STREAM_SCALAR * cc;
    case K_ADD: return a + b;
    default: return b + STREAM_SCALAR * cc;
    }
}

static void stream_teardown(void *state) {
    stream_state *st = state;
    if (!st)
        return;
    if (st->dev)
        accel_device_synchronize(st->dev);
    accel_op_plan_destroy(st->plan);
    wl_free_all(&st->bufs);
    free(st);
}

static accel_status stream_setup(accel_device *dev, accel_stream *stream, const awl_config *cfg,
                                 awl_dtype dtype, const awl_options *opt, void **state,
                                 awl_setup_info *info) {
    *state = NULL;
    wl_clear_error();
    if (dtype != AWL_FP32)
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "stream is defined for fp32 only");
    const stream_config *c = (const stream_config *)cfg;
    accel_device_info dinfo;
    accel_status s = wl_device_info(dev, &dinfo);
    if (s != ACCEL_OK)
        return s;
    stream_state *st = calloc(1, sizeof *st);
    if (!st)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "stream state");
    st->dev = dev;
    st->cfg = c;
    st->n = wl_stream_elements(&dinfo);
    size_t bytes = (size_t)st->n * sizeof(float);
    accel_op_desc op;
    memset(&op, 0, sizeof op);
    op.kind = ACCEL_OP_ELTWISE;
    if (opt && opt->library)
        snprintf(op.library, sizeof op.library, "%s", opt->library);
    op.u.eltwise.dtype = ACCEL_DTYPE_F32;
    op.u.eltwise.count = st->n;
    op.u.eltwise.alpha = 1.0;
    op.u.eltwise.beta = 1.0;
    for (int i = 0; i < 3; i++)
        if ((s = wl_alloc(&st->bufs, dev, bytes, ACCEL_MEMORY_DEVICE, &st->arr[i])) != ACCEL_OK)
            goto fail;
    accel_buffer_ref a = wl_ref(st->arr[0], 0), b = wl_ref(st->arr[1], 0), cc = wl_ref(st->arr[2], 0),
                     none = {NULL, 0};
    switch (c->kernel) {
    case K_COPY:
        op.u.eltwise.kind = ACCEL_ELTWISE_COPY;
        st->ops[0] = a, st->ops[1] = none, st->ops[2] = cc, st->out = 2;
        break;
    case K_SCALE:
        op.u.eltwise.kind = ACCEL_ELTWISE_SCALE;
        op.u.eltwise.alpha = STREAM_SCALAR;
        st->ops[0] = cc, st->ops[1] = none, st->ops[2] = b, st->out = 1;
        break;
    case K_ADD:
        op.u.eltwise.kind = ACCEL_ELTWISE_ADD;
        st->ops[0] = a, st->ops[1] = b, st->ops[2] = cc, st->out = 2;
        break;
    case K_TRIAD:
        op.u.eltwise.kind = ACCEL_ELTWISE_ADD;
        op.u.eltwise.beta = STREAM_SCALAR;
        st->ops[0] = b, st->ops[1] = cc, st->ops[2] = a, st->out = 0;
        break;
    }
    if ((s = wl_plan(dev, &op, &st->plan, NULL)) != ACCEL_OK)
        goto fail;
    if (accel_op_plan_workspace_size(st->plan) != 0) {
        s = wl_fail(ACCEL_ERR_UNIMPLEMENTED, "stream: the eltwise plan asks for workspace; STREAM "
                    "counts only the three arrays");
        goto fail;
    }
    /* Upload in chunks so the host never holds a whole array. */
    {
        const int64_t chunk = 1 << 20;
        float *tmp = malloc((size_t)chunk * sizeof(float));
        if (!tmp) {
            s = wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "stream upload chunk");
            goto fail;
        }
        for (int w = 0; w < 3 && s == ACCEL_OK; w++)
            for (int64_t off = 0; off < st->n && s == ACCEL_OK; off += chunk) {
                int64_t len = st->n - off < chunk ? st->n - off : chunk;
                for (int64_t i = 0; i < len; i++)
                    tmp[i] = stream_init_value(w, off + i);
                s = wl_upload(stream, st->arr[w], (size_t)off * sizeof(float), tmp, (size_t)len * sizeof(float));
            }
        free(tmp);
        if (s != ACCEL_OK)
            goto fail;
    }
    info->flop = 0;
    info->bytes = (double)c->arrays * (double)bytes;
    info->items = 1;
    info->item = "kernel";
    info->library[0] = '\0';
    wl_note_plan(info->library, sizeof info->library, st->plan);
    snprintf(info->compute_type, sizeof info->compute_type, "f32");
    snprintf(info->notes, sizeof info->notes, "%lld floats per array (%.0f MiB), %d arrays counted",
             (long long)st->n, (double)bytes / 1048576.0, c->arrays);
    info->bandwidth = 1;
    snprintf(info->roof, sizeof info->roof, "triad");
    info->device_bytes = st->bufs.bytes;
    *state = st;
    return ACCEL_OK;
fail:
    snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
    stream_teardown(st);
    return s;
}

static accel_status stream_run(void *state, accel_stream *stream) {
    stream_state *st = state;
    accel_buffer_ref none = {NULL, 0};
    accel_status s = accel_op_plan_execute(st->plan, stream, st->ops, 3, none);
    return s == ACCEL_OK ? ACCEL_OK : wl_fail_hal(s, "stream execute");
}

static accel_status stream_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    stream_state *st = state;
    memset(out, 0, sizeof *out);
    float got[STREAM_SAMPLES];
    int64_t pos[STREAM_SAMPLES];
    accel_status s = ACCEL_OK;
    for (int i = 0; i < STREAM_SAMPLES && s == ACCEL_OK; i++) {
        /* index 0 (corrupted by the test hook), the last element, and a spread in between */
        pos[i] = i == 0 ? 0 : i == 1 ? st->n - 1 : (int64_t)((uint64_t)i * 2654435761u % (uint64_t)st->n);
        s = accel_buffer_read(stream, st->arr[st->out], (size_t)pos[i] * sizeof(float), &got[i], sizeof(float));
    }
    if (s == ACCEL_OK)
        s = accel_stream_synchronize(stream);
    if (s != ACCEL_OK)
        return wl_fail_hal(s, "reading stream samples");
    out->checked = 1;
    out->passed = 1;
    out->tolerance = 0.0; /* the inputs make every kernel exact in fp32 */
    for (int i = 0; i < STREAM_SAMPLES; i++) {
        double want = stream_expected(st->cfg, pos[i]);
        double rel = fabs(got[i] - want) / (fabs(want) > 0 ? fabs(want) : 1.0);
        if (isnan(got[i]))
            rel = INFINITY;
        if (rel > out->max_rel_err)
            out->max_rel_err = rel;
        if (!(rel <= out->tolerance) && out->passed) {
            out->passed = 0;
            snprintf(out->detail, sizeof out->detail, "%s[%lld] = %.9g, expected %.9g", st->cfg->cfg.id,
                     (long long)pos[i], (double)got[i], want);
        }
    }
    return ACCEL_OK;
}

static accel_status stream_corrupt(void *state, accel_stream *stream) {
    stream_state *st = state;
    return wl_corrupt_element(stream, st->arr[st->out], 0, ACCEL_DTYPE_F32, 0);
}

const awl_workload awl_stream_workload = {
    "stream",
    "STREAM copy/scale/add/triad via the eltwise op on arrays >= 4x the last-level cache (GB/s)",
    stream_config_count,
    stream_config_at,
    wl_default_library,
    stream_setup,
    stream_run,
    stream_verify,
    stream_teardown,
    stream_corrupt,
    NULL,
    NULL,
};
