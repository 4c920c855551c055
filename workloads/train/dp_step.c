/* dp_step: a data-parallel training step across the ranks of an MPI launch (docs/scale-out.md).
 *
 * Every rank runs the bert_layer training step (train/bert_train.c: forward, backward, AdamW) on
 * its own device with its own data (rank-dependent seeds; the same initial weights everywhere).
 * The parameters' gradients are grouped into buckets as PyTorch DDP does: contiguous runs of
 * tensors taken in reverse order of declaration (about the order the backward produces them), a
 * bucket closed once it holds at least the bucket size (25 MiB by default, DDP's bucket_cap_mb).
 * The backward runs in pieces; as soon as the steps that complete a bucket's last gradient are
 * enqueued, an event recorded on the step's stream lets a second stream start that bucket's
 * all-reduce (average), so communication overlaps the rest of the backward. The optimizer's stream
 * waits for the last bucket (the overlap is the GPU's: the MPI host transport runs each all-reduce
 * on the calling thread before returning). fp16 loss scaling unscales and checks the all-reduced gradients: an
 * overflow on any rank reaches every rank through the sum (inf and NaN propagate), so all ranks
 * take the same skip decision; verify() checks that they did.
 *
 * One run() is one step on every rank: items = ranks x batch samples, flop = one rank's step (the
 * tflops column and pct_peak are each device's).
 * The one-rank figure for the scaling efficiency comes from awl_run_alone (the same step without
 * communication, which the CLI times on rank 0 while the others wait asleep). */
#include "dp_step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert_train.h"

#define DP_DTYPES ((1u << AWL_FP32) | (1u << AWL_FP16) | (1u << AWL_BF16))
#define DP_DEFAULT_BUCKET_BYTES (25ull << 20)
#define DP_MAX_BUCKETS (2 * WL_MAX_PARAM_TENSORS)

typedef struct dp_config {
    awl_config cfg;
    int64_t seq, hidden, heads, ffn;
} dp_config;

static const dp_config dp_configs[] = {
    {{"bert-tiny-s32-b2", "BERT layer training step H128 A2 FFN512, S=32, batch 2 per rank (small, for CI)", 2, 0,
      0, 0, DP_DTYPES, 1, 0},
     32, 128, 2, 512},
    {{"bert-base-s128-b1", "BERT-base layer training step (H768 A12 FFN3072), S=128, batch 1 per rank", 1, 0, 0, 0,
      DP_DTYPES, 0, 1},
     128, 768, 12, 3072},
    {{"bert-base-s128-b8", "BERT-base layer training step (H768 A12 FFN3072), S=128, batch 8 per rank", 8, 0, 0, 0,
      DP_DTYPES, 0, 1},
     128, 768, 12, 3072},
};

typedef struct dp_bucket {
    int group;
    int first, last;       /* tensors first..last of the group, contiguous in its buffers */
    int64_t offset, count; /* in elements of the group's gradient type */
    int ready;             /* the steps after which every gradient of the bucket is final */
} dp_bucket;

typedef struct dp_state {
    accel_device *dev;
    void *train;
    wl_train_view v;
    accel_comm *comm;
    accel_stream *comm_stream;
    accel_event *ready[DP_MAX_BUCKETS], *done;
    dp_bucket buckets[DP_MAX_BUCKETS];
    int nbuckets;
    int rank, ranks;
    uint64_t bucket_bytes;
    int skip_bucket; /* test hook: the verified step leaves bucket 0 out of the all-reduce */
    void *amp_before_alone; /* the loss-scaling state before awl_run_alone's first step */
} dp_state;

static size_t dp_config_count(void) { return WL_ARRAY_LEN(dp_configs); }
static const awl_config *dp_config_at(size_t i) { return i < WL_ARRAY_LEN(dp_configs) ? &dp_configs[i].cfg : NULL; }

static void dp_teardown(void *state) {
    dp_state *st = state;
    if (!st) return;
    if (st->dev) accel_device_synchronize(st->dev);
    if (st->train) wl_bert_train_teardown(st->train);
    for (int i = 0; i < st->nbuckets; i++) accel_event_destroy(st->ready[i]);
    accel_event_destroy(st->done);
    accel_stream_destroy(st->comm_stream);
    accel_comm_destroy(st->comm);
    free(st->amp_before_alone);
    free(st);
}

/* DDP's assignment: per group, tensors from last to first, a bucket closed once it reaches the cap;
 * then all buckets in the order the backward completes them. */
static void make_buckets(dp_state *st) {
    st->nbuckets = 0;
    for (int gi = 0; gi < st->v.ngroups; gi++) {
        const wl_param_group *g = st->v.groups[gi];
        const size_t es = accel_dtype_size(g->grad_type);
        dp_bucket *b = NULL;
        for (int t = g->ntensors - 1; t >= 0; t--) {
            if (!b) {
                b = &st->buckets[st->nbuckets++];
                *b = (dp_bucket){gi, t, t, g->tensors[t].offset, 0, 0};
            }
            b->first = t;
            b->offset = g->tensors[t].offset;
            b->count += g->tensors[t].count;
            if (g->grad_ready[t] > b->ready) b->ready = g->grad_ready[t];
            if ((uint64_t)b->count * es >= st->bucket_bytes) b = NULL;
        }
    }
    for (int i = 1; i < st->nbuckets; i++) /* insertion sort by readiness: a handful of buckets */
        for (int j = i; j > 0 && st->buckets[j].ready < st->buckets[j - 1].ready; j--) {
            const dp_bucket tmp = st->buckets[j];
            st->buckets[j] = st->buckets[j - 1];
            st->buckets[j - 1] = tmp;
        }
}

static accel_status dp_step_once(dp_state *st, accel_stream *stream, int communicate, int skip) {
    wl_steps *steps = st->v.steps;
    accel_status s = ACCEL_OK;
    int cursor = 0;
    for (int i = 0; communicate && i < st->nbuckets && s == ACCEL_OK; i++) {
        const dp_bucket *b = &st->buckets[i];
        s = wl_steps_run_range(steps, stream, cursor, b->ready);
        cursor = b->ready > cursor ? b->ready : cursor;
        if (s == ACCEL_OK && (s = accel_event_record(st->ready[i], stream)) == ACCEL_OK &&
            (s = accel_stream_wait_event(st->comm_stream, st->ready[i])) != ACCEL_OK)
            s = wl_fail_hal(s, "ordering a bucket's all-reduce after its gradients");
        else if (s != ACCEL_OK)
            s = wl_fail_hal(s, "recording a bucket's readiness");
        if (s == ACCEL_OK && !(skip && i == 0)) {
            const wl_param_group *g = st->v.groups[b->group];
            const accel_buffer_ref r = wl_ref(g->grad, (size_t)b->offset * accel_dtype_size(g->grad_type));
            s = accel_comm_all_reduce(st->comm, st->comm_stream, r, r, (size_t)b->count, g->grad_type, ACCEL_REDUCE_AVG);
            if (s != ACCEL_OK) s = wl_fail_hal(s, "all-reduce of a gradient bucket");
        }
    }
    if (s == ACCEL_OK) s = wl_steps_run_range(steps, stream, cursor, st->v.backward_end);
    if (s == ACCEL_OK && communicate) {
        if ((s = accel_event_record(st->done, st->comm_stream)) == ACCEL_OK)
            s = accel_stream_wait_event(stream, st->done);
        if (s != ACCEL_OK) s = wl_fail_hal(s, "ordering the optimizer after the all-reduces");
    }
    if (s == ACCEL_OK) s = wl_steps_run_range(steps, stream, st->v.backward_end, steps->count);
    return s;
}

static accel_status dp_setup(accel_device *dev, accel_stream *stream, const awl_config *cfg, awl_dtype dtype,
                             const awl_options *opt, void **state, awl_setup_info *info) {
    *state = NULL;
    wl_clear_error();
    const dp_config *c = NULL;
    for (size_t i = 0; i < WL_ARRAY_LEN(dp_configs); i++)
        if (cfg == &dp_configs[i].cfg) c = &dp_configs[i];
    if (!c) return wl_fail(ACCEL_ERR_INVALID_ARGUMENT, "not a dp_step config");
    if (!(DP_DTYPES & (1u << dtype)))
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "dp_step runs fp32, fp16 (loss scaling) and bf16");
    dp_state *st = calloc(1, sizeof *st);
    if (!st) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "dp_step state");
    st->dev = dev;
    const char *cap = getenv("ACCEL_DP_BUCKET_MIB");
    st->bucket_bytes = cap && atof(cap) > 0 ? (uint64_t)(atof(cap) * 1048576.0) : DP_DEFAULT_BUCKET_BYTES;
    if (st->bucket_bytes == 0) st->bucket_bytes = 1;
    accel_status s;
    accel_mpi_world world;
    /* Every rank takes the same decisions up to the comm, so all of them join it or none does. */
    if (!accel_mpi_launched()) {
        s = wl_fail(ACCEL_ERR_UNIMPLEMENTED,
                    "dp_step runs across ranks: run under mpirun (mpirun -np 2 accelbench run --workload dp_step)");
        goto fail;
    }
    if ((s = accel_mpi_init(&world)) != ACCEL_OK) {
        s = wl_fail_hal(s, "dp_step needs an MPI launch");
        goto fail;
    }
    st->rank = world.rank, st->ranks = world.size;
    /* Ranks with different buckets would issue different all-reduces and wait on each other. */
    uint64_t *caps = calloc((size_t)st->ranks, sizeof *caps);
    if (!caps) {
        s = wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "dp_step state");
        goto fail;
    }
    if ((s = accel_mpi_allgather_u64(st->bucket_bytes, caps)) != ACCEL_OK) {
        free(caps);
        s = wl_fail_hal(s, "comparing the ranks' bucket sizes");
        goto fail;
    }
    for (int r = 1; r < st->ranks && s == ACCEL_OK; r++)
        if (caps[r] != caps[0])
            s = wl_fail(ACCEL_ERR_INVALID_ARGUMENT,
                        "ACCEL_DP_BUCKET_MIB differs between ranks (rank %d: %llu B, rank 0: %llu B): every rank "
                        "must use the same buckets",
                        r, (unsigned long long)caps[r], (unsigned long long)caps[0]);
    free(caps);
    if (s != ACCEL_OK) goto fail;
    if ((s = accel_comm_create_world(dev, &st->comm)) != ACCEL_OK) {
        s = wl_fail_hal(s, "creating the world comm");
        goto fail;
    }
    if ((s = accel_stream_create(dev, &st->comm_stream)) != ACCEL_OK ||
        (s = accel_event_create(dev, &st->done)) != ACCEL_OK) {
        s = wl_fail_hal(s, "the all-reduce stream");
        goto fail;
    }
    s = wl_bert_train_setup(dev, stream, cfg->batch, c->seq, c->hidden, c->heads, c->ffn, dtype, opt, st->rank,
                            &st->train, info);
    if (s != ACCEL_OK) goto fail;
    wl_bert_train_view(st->train, &st->v);
    make_buckets(st);
    for (int i = 0; i < st->nbuckets; i++)
        if ((s = accel_event_create(dev, &st->ready[i])) != ACCEL_OK) {
            s = wl_fail_hal(s, "bucket events");
            goto fail;
        }
    if ((s = accel_stream_synchronize(stream)) != ACCEL_OK) {
        s = wl_fail_hal(s, "uploading the training state");
        goto fail;
    }
    char lib[sizeof info->library] = "";
    accel_comm_library(st->comm, lib, sizeof lib);
    /* The CLI writes the library column into comm_library for a workload across ranks; the ops'
     * path stays in the notes. */
    char path[sizeof info->library];
    snprintf(path, sizeof path, "%s", info->library);
    snprintf(info->library, sizeof info->library, "%s", lib);
    /* Samples over all ranks; FLOPs stay one rank's (each device's rate against its own roofs). */
    info->items *= st->ranks;
    char notes[sizeof info->notes] = "";
    wl_appendf(notes, sizeof notes,
             "data parallel over %d rank%s: %d gradient bucket%s (<= %.3g MiB each, DDP order), each all-reduced "
             "(avg) on a second stream once the backward has produced it; ops %s; %s",
             st->ranks, st->ranks == 1 ? "" : "s", st->nbuckets, st->nbuckets == 1 ? "" : "s",
             (double)st->bucket_bytes / 1048576.0, path[0] ? path : "default", info->notes);
    snprintf(info->notes, sizeof info->notes, "%s", notes);
    *state = st;
    return ACCEL_OK;
fail:
    snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
    dp_teardown(st);
    return s;
}

static accel_status dp_run(void *state, accel_stream *stream) {
    dp_state *st = state;
    ++*st->v.runs;
    return dp_step_once(st, stream, 1, 0);
}

/* A hash of each group's fp32 masters: ranks that applied the same averaged gradients agree. */
static accel_status masters_hash(dp_state *st, accel_stream *stream, uint64_t *out) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int gi = 0; gi < st->v.ngroups; gi++) {
        const wl_param_group *g = st->v.groups[gi];
        unsigned char *p = NULL;
        accel_status s = wl_download(stream, g->master, 0, sizeof(float) * (size_t)g->count, (void **)&p);
        if (s != ACCEL_OK) return s;
        for (size_t i = 0; i < sizeof(float) * (size_t)g->count; i++) h = (h ^ p[i]) * 0x100000001b3ull;
        free(p);
    }
    *out = h;
    return ACCEL_OK;
}

static accel_status average_over_ranks(void *ctx, double *values, size_t n) {
    const dp_state *st = ctx;
    accel_status s = accel_mpi_sum_doubles(values, n);
    if (s != ACCEL_OK) return wl_fail_hal(s, "summing the reference gradients over the ranks");
    for (size_t i = 0; i < n; i++) values[i] /= st->ranks;
    return ACCEL_OK;
}

/* The all-reduces of one step by themselves, on the comm stream: what overlap can hide. */
static accel_status time_comm_only(dp_state *st, double *ms) {
    accel_timer *timer = NULL;
    accel_status s = accel_timer_create(st->dev, &timer);
    if (s == ACCEL_OK) s = accel_timer_begin(timer, st->comm_stream);
    for (int i = 0; i < st->nbuckets && s == ACCEL_OK; i++) {
        const dp_bucket *b = &st->buckets[i];
        const wl_param_group *g = st->v.groups[b->group];
        const accel_buffer_ref r = wl_ref(g->grad, (size_t)b->offset * accel_dtype_size(g->grad_type));
        s = accel_comm_all_reduce(st->comm, st->comm_stream, r, r, (size_t)b->count, g->grad_type, ACCEL_REDUCE_AVG);
    }
    if (s == ACCEL_OK) s = accel_timer_end(timer, st->comm_stream);
    if (s == ACCEL_OK) s = accel_timer_elapsed_ms(timer, ms);
    accel_timer_destroy(timer);
    if (s == ACCEL_OK) s = accel_mpi_max_doubles(ms, 1);
    return s == ACCEL_OK ? ACCEL_OK : wl_fail_hal(s, "timing the all-reduces alone");
}

static accel_status dp_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    dp_state *st = state;
    memset(out, 0, sizeof *out);
    /* fp16: every rank must have skipped the same steps (one decision from the all-reduced
     * gradients); a step that all of them skipped is no training step. */
    int32_t skipped = 0;
    float scale = 1;
    accel_status s = ACCEL_OK;
    if (st->amp_before_alone) {
        s = wl_upload(stream, st->v.amp->state, 0, st->amp_before_alone, accel_buffer_size(st->v.amp->state));
        free(st->amp_before_alone);
        st->amp_before_alone = NULL;
        if (s != ACCEL_OK) return s;
    }
    s = wl_amp_read(stream, st->v.amp, &skipped, &scale);
    if (s != ACCEL_OK) return s;
    uint64_t *all = calloc((size_t)st->ranks, sizeof *all);
    if (!all) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "dp_step verification");
    if ((s = accel_mpi_allgather_u64((uint64_t)(uint32_t)skipped, all)) != ACCEL_OK) {
        free(all);
        return wl_fail_hal(s, "comparing the ranks' skipped steps");
    }
    int differs = -1;
    for (int r = 0; r < st->ranks && differs < 0; r++)
        if (all[r] != all[0]) differs = r;
    const int64_t runs = *st->v.runs;
    if (differs >= 0) {
        out->checked = 1;
        snprintf(out->detail, sizeof out->detail,
                 "rank %d: fp16 loss scaling: rank %d skipped %llu steps for overflow, rank 0 %llu: the ranks did "
                 "not agree",
                 st->rank, differs, (unsigned long long)all[differs], (unsigned long long)all[0]);
        free(all);
        return ACCEL_OK;
    }
    free(all);
    if (st->v.amp->enabled && runs > 0 && skipped >= runs) {
        out->checked = 1;
        snprintf(out->detail, sizeof out->detail,
                 "rank %d: fp16 loss scaling: all %lld steps overflowed and were skipped on every rank (scale now %g): "
                 "not a training step",
                 st->rank, (long long)runs, (double)scale);
        return ACCEL_OK;
    }
    /* The test hook reaches one rank; the skipped bucket must be every rank's, or they would wait
     * on each other. */
    double skip = st->skip_bucket;
    if ((s = accel_mpi_max_doubles(&skip, 1)) != ACCEL_OK) return wl_fail_hal(s, "agreeing on the test hook");
    st->skip_bucket = 0;
    /* One step from the initial state on every rank, then: the gradients against the average of
     * every rank's fp64 reference, the update, and the same weights on every rank. */
    if ((s = wl_train_restore(stream, st->v.groups, st->v.ngroups, st->v.amp)) != ACCEL_OK) return s;
    if ((s = dp_step_once(st, stream, 1, skip > 0)) != ACCEL_OK) return s;
    if ((s = accel_stream_synchronize(stream)) != ACCEL_OK) return wl_fail_hal(s, "the verified step");
    if ((s = wl_bert_train_check_step(st->train, stream, average_over_ranks, st, out)) != ACCEL_OK) return s;
    uint64_t h = 0;
    if ((s = masters_hash(st, stream, &h)) != ACCEL_OK) return s;
    all = calloc((size_t)st->ranks, sizeof *all);
    if (!all) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "dp_step verification");
    if ((s = accel_mpi_allgather_u64(h, all)) != ACCEL_OK) {
        free(all);
        return wl_fail_hal(s, "comparing the ranks' weights");
    }
    differs = -1;
    for (int r = 0; r < st->ranks && differs < 0; r++)
        if (all[r] != all[0]) differs = r;
    free(all);
    char first[sizeof out->detail];
    snprintf(first, sizeof first, "%s", out->detail);
    if (differs >= 0) {
        out->passed = 0;
        out->detail[0] = '\0';
        wl_appendf(out->detail, sizeof out->detail, "rank %d: the weights after the step differ between rank 0 and rank %d%s%s",
                 st->rank, differs, first[0] ? "; " : "", first);
        return ACCEL_OK;
    }
    if (!out->passed) {
        out->detail[0] = '\0';
        wl_appendf(out->detail, sizeof out->detail, "rank %d: %s", st->rank, first);
        return ACCEL_OK;
    }
    double comm_ms = 0;
    if ((s = time_comm_only(st, &comm_ms)) != ACCEL_OK) return s;
    out->detail[0] = '\0';
    wl_appendf(out->detail, sizeof out->detail,
             "weights equal on all %d rank%s; the %d bucket all-reduce%s alone take %.3g ms per step%s%s", st->ranks,
             st->ranks == 1 ? "" : "s", st->nbuckets, st->nbuckets == 1 ? "" : "s", comm_ms, first[0] ? "; " : "", first);
    return ACCEL_OK;
}

/* The next verification leaves one bucket out of the all-reduce: a wrong all-reduce must fail. */
static accel_status dp_corrupt(void *state, accel_stream *stream) {
    (void)stream;
    ((dp_state *)state)->skip_bucket = 1;
    return ACCEL_OK;
}

static accel_status dp_set_loss_scale(void *state, accel_stream *stream, double scale) {
    return wl_bert_train_set_loss_scale(((dp_state *)state)->train, stream, scale);
}

const awl_workload awl_dp_step_workload = {
    "dp_step",
    "data-parallel training step across MPI ranks: bert_layer training step per rank, gradients all-reduced "
    "in buckets overlapped with the backward (samples/s over all ranks, scaling efficiency; run under mpirun)",
    dp_config_count,
    dp_config_at,
    wl_default_library,
    dp_setup,
    dp_run,
    dp_verify,
    dp_teardown,
    dp_corrupt,
    dp_set_loss_scale,
    NULL,
};

int awl_workload_runs_alone(const awl_workload *w) { return w == &awl_dp_step_workload; }

accel_status awl_run_alone(const awl_workload *w, void *state, accel_stream *stream) {
    if (w != &awl_dp_step_workload) return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "%s has no one-rank run", w ? w->name : "?");
    dp_state *st = state;
    /* The lone steps move this rank's loss scale and skip count away from the others': verify()
     * puts back what the common steps left. */
    if (st->v.amp->enabled && !st->amp_before_alone) {
        accel_status s = wl_download(stream, st->v.amp->state, 0, accel_buffer_size(st->v.amp->state),
                                     &st->amp_before_alone);
        if (s != ACCEL_OK) return s;
    }
    return dp_step_once(st, stream, 0, 0);
}
