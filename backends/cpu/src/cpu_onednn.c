/* oneDNN engine and the primitive runner used by the GEMM and conv plans. */
#include <oneapi/dnnl/dnnl_debug.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_onednn.h"

accel_status cpu_onednn_error(const accel_host_services *host, dnnl_status_t s, const char *what) {
    accel_status st = s == dnnl_unimplemented      ? ACCEL_ERR_UNIMPLEMENTED
                      : s == dnnl_out_of_memory    ? ACCEL_ERR_OUT_OF_MEMORY
                      : s == dnnl_invalid_arguments ? ACCEL_ERR_INVALID_ARGUMENT
                                                   : ACCEL_ERR_DEVICE;
    return host->set_error(st, "%s: dnnl_%s (%d)", what, dnnl_status2str(s), (int)s);
}

dnnl_data_type_t cpu_onednn_dtype(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: return dnnl_f32;
    case ACCEL_DTYPE_BF16: return dnnl_bf16;
    case ACCEL_DTYPE_F16: return dnnl_f16;
    default: return dnnl_data_type_undef;
    }
}

accel_status cpu_onednn_open(cpu_context *ctx) {
    dnnl_engine_t engine = NULL;
    dnnl_status_t s = dnnl_engine_create(&engine, dnnl_cpu, 0);
    if (s != dnnl_success) {
        snprintf(ctx->onednn_reason, sizeof ctx->onednn_reason, "dnnl_engine_create: dnnl_%s",
                 dnnl_status2str(s));
        return ACCEL_ERR_UNAVAILABLE;
    }
    cpu_onednn *o = calloc(1, sizeof *o);
    if (!o) {
        dnnl_engine_destroy(engine);
        snprintf(ctx->onednn_reason, sizeof ctx->onednn_reason, "calloc: out of memory");
        return ACCEL_ERR_OUT_OF_MEMORY;
    }
    o->engine = engine;
    ctx->onednn = o;
    return ACCEL_OK;
}

void cpu_onednn_close(cpu_context *ctx) {
    if (!ctx->onednn) return;
    dnnl_engine_destroy(ctx->onednn->engine);
    free(ctx->onednn);
    ctx->onednn = NULL;
}

const char *cpu_onednn_version(char *buf, size_t len) {
    const dnnl_version_t *v = dnnl_version();
    snprintf(buf, len, "oneDNN %d.%d.%d", v->major, v->minor, v->patch);
    return buf;
}

accel_status onednn_exec_init(cpu_context *ctx, onednn_exec *e, dnnl_primitive_desc_t pd) {
    const accel_host_services *host = ctx->host;
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success && impl)
        snprintf(e->impl, sizeof e->impl, "%s", impl);
    const dnnl_memory_desc_t *scratch_md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    e->scratch_bytes = scratch_md ? dnnl_memory_desc_get_size(scratch_md) : 0;
    dnnl_status_t s = dnnl_primitive_create(&e->prim, pd);
    accel_status st = ACCEL_OK;
    if (s != dnnl_success) {
        e->prim = NULL;
        st = cpu_onednn_error(host, s, "dnnl_primitive_create");
    }
    if (st == ACCEL_OK && e->scratch_bytes) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_SCRATCHPAD, scratch_md);
    dnnl_primitive_desc_destroy(pd);
    if (st != ACCEL_OK) return st;
    s = dnnl_stream_create(&e->stream, ctx->onednn->engine, dnnl_stream_default_flags);
    if (s != dnnl_success) {
        e->stream = NULL;
        return cpu_onednn_error(host, s, "dnnl_stream_create");
    }
    return ACCEL_OK;
}

accel_status onednn_exec_add_arg(cpu_context *ctx, onednn_exec *e, int arg,
                                 const dnnl_memory_desc_t *md) {
    if (e->nargs == ONEDNN_MAX_ARGS)
        return ctx->host->set_error(ACCEL_ERR_INTERNAL, "onednn: too many arguments");
    dnnl_memory_t mem = NULL;
    dnnl_status_t s = dnnl_memory_create(&mem, md, ctx->onednn->engine, DNNL_MEMORY_NONE);
    if (s != dnnl_success) return cpu_onednn_error(ctx->host, s, "dnnl_memory_create");
    e->args[e->nargs].arg = arg;
    e->args[e->nargs].memory = mem;
    e->nargs++;
    return ACCEL_OK;
}

accel_status onednn_exec_bind(cpu_context *ctx, onednn_exec *e, int arg, void *data) {
    for (int i = 0; i < e->nargs; i++) {
        if (e->args[i].arg != arg) continue;
        dnnl_status_t s = dnnl_memory_set_data_handle(e->args[i].memory, data);
        if (s != dnnl_success) return cpu_onednn_error(ctx->host, s, "dnnl_memory_set_data_handle");
        return ACCEL_OK;
    }
    return ctx->host->set_error(ACCEL_ERR_INTERNAL, "onednn: no argument %d", arg);
}

accel_status onednn_exec_run(cpu_context *ctx, onednn_exec *e, void *scratch) {
    if (e->scratch_bytes) {
        accel_status st = onednn_exec_bind(ctx, e, DNNL_ARG_SCRATCHPAD, scratch);
        if (st != ACCEL_OK) return st;
    }
    dnnl_status_t s = dnnl_primitive_execute(e->prim, e->stream, e->nargs, e->args);
    if (s != dnnl_success) return cpu_onednn_error(ctx->host, s, "dnnl_primitive_execute");
    s = dnnl_stream_wait(e->stream);
    if (s != dnnl_success) return cpu_onednn_error(ctx->host, s, "dnnl_stream_wait");
    return ACCEL_OK;
}

void onednn_exec_destroy(onednn_exec *e) {
    for (int i = 0; i < e->nargs; i++) dnnl_memory_destroy(e->args[i].memory);
    e->nargs = 0;
    if (e->prim) dnnl_primitive_destroy(e->prim);
    if (e->stream) dnnl_stream_destroy(e->stream);
    e->prim = NULL;
    e->stream = NULL;
}

/* A reorder primitive from -> to with its two argument memories (scratchpad in user mode); leaves
 * e untouched when the layouts are the same. Returns the bytes `to` needs, 64-byte rounded, via
 * out_bytes (0 when no reorder is needed). */
accel_status onednn_reorder_init(cpu_context *ctx, onednn_exec *e, const dnnl_memory_desc_t *from,
                                 const dnnl_memory_desc_t *to, size_t *out_bytes) {
    const accel_host_services *host = ctx->host;
    *out_bytes = 0;
    if (dnnl_memory_desc_equal(from, to)) return ACCEL_OK;
    dnnl_primitive_attr_t rattr = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_status_t s = dnnl_primitive_attr_create(&rattr);
    if (s != dnnl_success) return cpu_onednn_error(host, s, "dnnl_primitive_attr_create");
    dnnl_primitive_attr_set_scratchpad_mode(rattr, dnnl_scratchpad_mode_user);
    s = dnnl_reorder_primitive_desc_create(&rpd, from, ctx->onednn->engine, to,
                                           ctx->onednn->engine, rattr);
    dnnl_primitive_attr_destroy(rattr);
    if (s != dnnl_success) return cpu_onednn_error(host, s, "dnnl_reorder_primitive_desc_create");
    accel_status st = onednn_exec_init(ctx, e, rpd);
    if (st == ACCEL_OK) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_FROM, from);
    if (st == ACCEL_OK) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_TO, to);
    if (st == ACCEL_OK) *out_bytes = (dnnl_memory_desc_get_size(to) + 63) / 64 * 64;
    return st;
}

accel_status onednn_reorder_run(cpu_context *ctx, onednn_exec *e, void *from, void *to,
                                void *scratch) {
    accel_status st;
    if ((st = onednn_exec_bind(ctx, e, DNNL_ARG_FROM, from)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, e, DNNL_ARG_TO, to)) != ACCEL_OK) return st;
    return onednn_exec_run(ctx, e, scratch);
}

int cpu_onednn_env_is(const char *name, const char *value) {
    const char *v = getenv(name);
    return v && strcmp(v, value) == 0;
}

int cpu_onednn_bf16_on_f32(const cpu_context *ctx, accel_dtype x, accel_dtype w, accel_dtype y,
                           accel_compute_type compute) {
    return x == ACCEL_DTYPE_BF16 && w == ACCEL_DTYPE_BF16 && y == ACCEL_DTYPE_BF16 &&
           (compute == ACCEL_COMPUTE_DEFAULT || compute == ACCEL_COMPUTE_BF16) &&
           cpu_bf16_prefers_f32(ctx) && !cpu_onednn_env_is("ACCEL_CPU_CONV_BF16", "native");
}
