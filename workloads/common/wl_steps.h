/* A fixed sequence of planned ops executed in order by run(): how bert_layer and resnet_block
 * describe a layer once and replay it with enqueue-only calls. */
#ifndef WL_STEPS_H
#define WL_STEPS_H

#include "wl_common.h"

#define WL_MAX_STEPS 80 /* a training step: forward, backward and optimizer */

typedef struct wl_step {
    accel_op_plan *plan;
    accel_op_kind kind;
    char name[32]; /* GEMMs: the caller's name ("qkv"); "": the op kind names the step */
    accel_buffer_ref ops[ACCEL_OP_MAX_OPERANDS];
    size_t nops;
} wl_step;

typedef struct wl_steps {
    wl_step items[WL_MAX_STEPS];
    int count;
    size_t workspace_bytes; /* largest need over the plans; one shared buffer, stream-ordered */
    accel_buffer *workspace;
    char library[64];
    char notes[256];
} wl_steps;

/* Plans desc and appends it with its nops operands (trailing optional ones may be left out). */
accel_status wl_steps_add(wl_steps *steps, accel_device *dev, const accel_op_desc *desc,
                          const accel_buffer_ref *ops, size_t nops);
accel_status wl_steps_run(wl_steps *steps, accel_stream *stream);
/* awl_workload.profile_steps over these steps. */
accel_status wl_steps_profile(wl_steps *steps, accel_stream *stream, double *step_ms, size_t cap, size_t *count);
/* Steps [from, to) only: a data-parallel step (train/dp_step.c) runs the backward in pieces and
 * enqueues each gradient bucket's all-reduce between them. */
accel_status wl_steps_run_range(wl_steps *steps, accel_stream *stream, int from, int to);
/* The one workspace every step shares, on the workload's buffer list (none when no step needs one). */
accel_status wl_steps_alloc_workspace(wl_steps *steps, wl_buffers *bufs, accel_device *dev);
/* The setup_info fields a layer of steps fills the same way: library, compute type, notes (the
 * steps' own after `lead`), the cold-run note, the matrix roof, the device bytes and each step's
 * library and algorithm (info->steps). */
void wl_steps_describe(const wl_steps *steps, const wl_buffers *bufs, awl_dtype dtype, const awl_options *opt,
                       const char *lead, awl_setup_info *info);
void wl_steps_destroy(wl_steps *steps);

/* GEMM with a bias (+ activation) epilogue; when the backend answers UNIMPLEMENTED for the fused
 * epilogue it plans the GEMM plainly and adds eltwise BIAS_ADD / GELU ops, noting that it did. */
accel_status wl_steps_add_gemm(wl_steps *steps, accel_device *dev, const char *library,
                               const accel_gemm_desc *g, accel_buffer_ref a, accel_buffer_ref b,
                               accel_buffer_ref d, accel_buffer_ref bias, const char *name);
/* The same with C (read when g->beta != 0): the gradient GEMMs that add onto a residual's. */
accel_status wl_steps_add_gemm_c(wl_steps *steps, accel_device *dev, const char *library,
                                 const accel_gemm_desc *g, accel_buffer_ref a, accel_buffer_ref b,
                                 accel_buffer_ref c, accel_buffer_ref d, accel_buffer_ref bias, const char *name);

#endif
