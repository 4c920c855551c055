/* The workload interface: each workload is one file pair implementing this table, written against the
 * public HAL API only. The CLI (benchmarks/) lists configs, sets up, times run() with device timers
 * and calls verify() on the output of the last timed run. */
#ifndef ACCEL_WORKLOAD_H
#define ACCEL_WORKLOAD_H

#include "accel/accel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The dtype axis of the CSV ("fp32", "tf32", "fp16", "bf16", "fp8"). */
typedef enum awl_dtype {
    AWL_FP32 = 0,
    AWL_TF32 = 1,
    AWL_FP16 = 2,
    AWL_BF16 = 3,
    AWL_FP8 = 4,
    AWL_DTYPE_COUNT
} awl_dtype;
const char *awl_dtype_name(awl_dtype d);           /* "fp32" */
int awl_dtype_parse(const char *name, awl_dtype *out); /* 0 on success */

/* One config of a workload; static data. */
typedef struct awl_config {
    const char *id;          /* stable, short: "2048", "base-s128-b8", "conv3_x-identity-b32-nhwc" */
    const char *description;
    int64_t batch, m, n, k;  /* CSV columns; 0 = not applicable (left empty) */
    unsigned dtypes;         /* bit (1u << awl_dtype) per dtype this config is defined for */
    int quick;               /* part of `suite --quick` */
    int standard;            /* part of `suite` */
} awl_config;

/* Options the CLI passes to setup. */
typedef struct awl_options {
    int cold;                /* rotate buffer sets of >= 2x the device's last-level cache */
    uint64_t seed;
    const char *library;     /* "" = default; else copied into accel_op_desc.library */
    accel_device *peer;      /* transfer p2p-*: the destination device; NULL = none (one device) */
} awl_options;

/* What setup reports, for the CSV. */
typedef struct awl_setup_info {
    double flop;             /* per run() (docs/workloads.md counting); 0 for bandwidth workloads */
    double bytes;            /* moved per run() (minimum traffic); 0 when not meaningful */
    double items;            /* per run(): sequences, images, or 1 */
    const char *item;        /* "sequence", "image", "gemm", "byte", ... */
    char library[64];        /* path that ran, from the plans ("onednn", "clblast") */
    char compute_type[16];   /* "f32", "tf32", "bf16"... */
    char notes[256];         /* e.g. chosen algorithm */
    int bandwidth;           /* 1: report gbps (stream, transfer); 0: report tflops */
    char roof[32];           /* which measured roof pct_peak uses: "matrix-bf16", "fma-fp32", "triad" */
    size_t device_bytes;     /* memory the config allocated on the device */
    /* transfer p2p-*: the CSV's peer_device ("cuda:1"), link ("nvlink", "host-staged") and
     * peer_access ("yes"/"no"); "" elsewhere. */
    char peer_device[48];
    char link[32];
    char peer_access[8];
    /* Layers of planned ops (bert_layer, resnet_block, training steps): one line per step,
     * "<n> <name>: <op> <library>: <algorithm>", what run --verbose prints under the row; "" for
     * workloads of one op, whose notes already say it. Cut with "..." where it does not fit. */
    char steps[8192];
} awl_setup_info;

typedef struct awl_verify_result {
    int checked;             /* 0 = this workload/config has nothing to verify */
    int passed;
    double max_rel_err;      /* worst |err| / bound-scale seen (for the CSV) */
    double tolerance;        /* threshold it was compared against */
    char detail[256];        /* first failing index and values, when failed; when passed, a remark
                                for the row's notes or "" */
} awl_verify_result;

typedef struct awl_workload {
    const char *name;        /* "gemm", "bert_layer", "resnet_block", "stream", "transfer", "peak" */
    const char *description;
    size_t (*config_count)(void);
    const awl_config *(*config_at)(size_t i);
    /* Libraries this workload runs the config through on dev: fills names (default first), returns
     * the count. gemm asks for every op library the device offers (onednn, openblas, ...). */
    size_t (*libraries)(accel_device *dev, const awl_config *cfg, const char **names, size_t max);
    /* Allocate, plan, upload inputs. ACCEL_ERR_UNIMPLEMENTED: dtype/op not offered (row "unsupported");
     * ACCEL_ERR_OUT_OF_MEMORY or a too-large config: row "skipped" with the reason in
     * accel_last_error(). On failure nothing is left allocated. */
    accel_status (*setup)(accel_device *dev, accel_stream *stream, const awl_config *cfg,
                          awl_dtype dtype, const awl_options *opt, void **state,
                          awl_setup_info *info);
    /* Enqueue one run only (no sync, no allocation). */
    accel_status (*run)(void *state, accel_stream *stream);
    /* Check the output of the last run (synchronizes). */
    accel_status (*verify)(void *state, accel_stream *stream, awl_verify_result *out);
    void (*teardown)(void *state);
    /* Test hook: corrupt one output element of the last run so verify must fail. */
    accel_status (*corrupt_output)(void *state, accel_stream *stream);
    /* Test hook (training steps with fp16 loss scaling; NULL or a no-op elsewhere): the loss scale
     * the timed steps start from, to force overflows. */
    accel_status (*set_loss_scale)(void *state, accel_stream *stream, double scale);
    /* Layers of planned ops (NULL elsewhere): one run, the timed runs' ops in their order, each
     * bracketed by a device timer of its own and the stream synchronized once at the end:
     * step_ms[i] is step i's time (the order of awl_setup_info.steps), *count the steps (at most
     * cap). No synchronization between steps, so each starts as it does in a timed run. A training
     * step counts it as one of its runs. */
    accel_status (*profile_steps)(void *state, accel_stream *stream, double *step_ms, size_t cap, size_t *count);
} awl_workload;

/* Registry of all workloads, in CLI listing order. */
size_t awl_workload_count(void);
const awl_workload *awl_workload_at(size_t i);
const awl_workload *awl_workload_find(const char *name);
const awl_config *awl_config_find(const awl_workload *w, const char *id);

/* Added (additive): 1 for a workload whose rows are one measurement across the ranks of an MPI
 * launch (collective): the CLI runs it only under mpirun/srun, in the ranks' own processes. */
int awl_workload_needs_ranks(const awl_workload *w);
/* The collective workload's configs (docs/scale-out.md): nccl-tests' bus bandwidth factor on
 * `ranks` ranks (all_reduce 2(n-1)/n; all_gather, reduce_scatter, alltoall (n-1)/n; broadcast and
 * sendrecv 1), and the size in bytes (nccl-tests' "size"); 0 for a config of another workload. */
double awl_collective_bus_factor(const awl_config *cfg, int ranks);
uint64_t awl_collective_size_bytes(const awl_config *cfg);

/* Added (additive): 1 for a config that measures a pair of devices (transfer p2p-*): the CLI makes
 * one row per ordered pair of the run's devices and passes the second as awl_options.peer. */
int awl_config_needs_peer(const awl_config *cfg);
/* Added (additive): the one-rank run of a workload across ranks that reports a scaling efficiency
 * (dp_step): one run on this rank alone, with no communication, which the CLI times on rank 0
 * while the other ranks wait; ACCEL_ERR_UNIMPLEMENTED for every other workload. */
accel_status awl_run_alone(const awl_workload *w, void *state, accel_stream *stream);
int awl_workload_runs_alone(const awl_workload *w);

/* Added (additive): the reason for the last failing workload call on this thread. A workload's own
 * refusal (a config too large for the device) has no public setter for accel_last_error(), so it is
 * kept here; when the workload gave none this returns accel_last_error(). setup() also copies the
 * reason into info->notes when it fails. */
const char *awl_last_error(void);

#ifdef __cplusplus
}
#endif
#endif
