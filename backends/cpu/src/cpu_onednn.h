/* oneDNN plumbing shared by the GEMM and conv plans: engine, error mapping, and a primitive with its
 * argument memories created once at plan time (data handles set at execute). */
#ifndef ACCEL_CPU_ONEDNN_H
#define ACCEL_CPU_ONEDNN_H

#include <oneapi/dnnl/dnnl.h>

#include "cpu_internal.h"

struct cpu_onednn {
    dnnl_engine_t engine;
};

/* Maps a dnnl_status_t onto accel_status and leaves "what: dnnl_status_name" as the message. */
accel_status cpu_onednn_error(const accel_host_services *host, dnnl_status_t s, const char *what);

#define ONEDNN_MAX_ARGS 12

typedef struct onednn_exec {
    dnnl_primitive_t prim;
    dnnl_stream_t stream; /* per plan: plans may run on different threads at once */
    int nargs;
    dnnl_exec_arg_t args[ONEDNN_MAX_ARGS];
    size_t scratch_bytes; /* user-mode scratchpad: lives in the plan's workspace */
    char impl[96];
} onednn_exec;

/* Builds the primitive from pd (taking ownership of pd in every case), creates memory objects
 * with no data for each (arg, md) pair, and the scratchpad argument. */
accel_status onednn_exec_init(cpu_context *ctx, onednn_exec *e, dnnl_primitive_desc_t pd);
accel_status onednn_exec_add_arg(cpu_context *ctx, onednn_exec *e, int arg,
                                 const dnnl_memory_desc_t *md);
/* Sets the data pointer of argument `arg` (NULL allowed for unused ones). */
accel_status onednn_exec_bind(cpu_context *ctx, onednn_exec *e, int arg, void *data);
accel_status onednn_exec_run(cpu_context *ctx, onednn_exec *e, void *scratch);
void onednn_exec_destroy(onednn_exec *e);

dnnl_data_type_t cpu_onednn_dtype(accel_dtype t);

/* A reorder primitive from -> to with its two argument memories (scratchpad in user mode); leaves
 * e untouched when the layouts are the same. *out_bytes: what `to` needs, 64-byte rounded (0 when
 * no reorder is needed). */
accel_status onednn_reorder_init(cpu_context *ctx, onednn_exec *e, const dnnl_memory_desc_t *from,
                                 const dnnl_memory_desc_t *to, size_t *out_bytes);
accel_status onednn_reorder_run(cpu_context *ctx, onednn_exec *e, void *from, void *to, void *scratch);

/* 1 when environment variable `name` is set to exactly `value`: the measurement switches
 * (ACCEL_CPU_GEMM_WEIGHTS=plain, ACCEL_CPU_CONV_BF16=native, ...), read at plan creation. */
int cpu_onednn_env_is(const char *name, const char *value);

/* bf16 convolutions run on oneDNN's fp32 kernels, the data converted by reorders, where
 * cpu_bf16_prefers_f32 says so (no AMX, a bf16 dot product measured too slow to beat the fp32 FMA;
 * cpu_conv_onednn.c has the figures); ACCEL_CPU_CONV_BF16=native keeps the bf16 kernels
 * (measurement only). */
int cpu_onednn_bf16_on_f32(const cpu_context *ctx, accel_dtype x, accel_dtype w, accel_dtype y,
                           accel_compute_type compute);

#endif
