/* `accelbench run` under an MPI launch (mpi_run.h; docs/scale-out.md). Workers are not forked
 * here: MPI owns the process, and every rank must issue the same collectives in the same order, so
 * each rank runs its rows in its own process, on the main thread (MPI_THREAD_FUNNELED), and every
 * decision that shapes the sequence of collectives (how many warm-up runs, batch size, samples) is
 * taken from values the ranks first agree on. */
#define _POSIX_C_SOURCE 200809L
#include "mpi_run.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel_workload.h"
#include "measure.h"
#include "signals.h"
#include "stats.h"
#include "util.h"

static int g_rank; /* for messages from the watchdog's signal handler */

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int bench_mpi_start(int argc, char **argv, const char *command, accel_mpi_world *world)
{
    if (accel_mpi_init(world) != ACCEL_OK) {
        fprintf(stderr, "accelbench %s: launched by mpirun/srun, but %s\n", command, accel_last_error());
        return 2;
    }
    g_rank = world->rank;
    /* Ranks that run different command lines would measure different rows and wait on each other
     * forever: compare the argument vectors first. */
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 1; i < argc; i++)
        h = fnv1a(h, argv[i], strlen(argv[i]) + 1);
    uint64_t *all = calloc((size_t)world->size, sizeof *all);
    if (!all || accel_mpi_allgather_u64(h, all) != ACCEL_OK) {
        fprintf(stderr, "accelbench %s: rank %d: cannot compare the ranks' arguments: %s\n", command,
                world->rank, all ? accel_last_error() : "out of memory");
        free(all);
        return 2;
    }
    int differs = -1;
    for (int r = 0; r < world->size && differs < 0; r++)
        if (all[r] != all[0])
            differs = r;
    free(all);
    if (differs >= 0) {
        if (world->rank == 0 || world->rank == differs)
            fprintf(stderr, "accelbench %s: the ranks disagree on their arguments: rank %d's differ "
                            "from rank 0's (every rank must run the same command line)\n",
                    command, differs);
        return 2;
    }
    /* One copy of what the run prints (the plan, results path, summary): rank 0's. Every rank
     * keeps stderr, so a rank's own failure is heard. */
    if (world->rank != 0 && !freopen("/dev/null", "w", stdout))
        fprintf(stderr, "accelbench %s: rank %d: cannot silence stdout\n", command, world->rank);
    return 0;
}

int bench_mpi_agree(int status)
{
    accel_mpi_world w;
    if (accel_mpi_init(&w) != ACCEL_OK)
        return status;
    uint64_t *all = calloc((size_t)w.size, sizeof *all);
    if (!all || accel_mpi_allgather_u64((uint64_t)(unsigned)status, all) != ACCEL_OK) {
        free(all);
        return status ? status : 1;
    }
    int worst = status;
    for (int r = 0; r < w.size; r++)
        if ((int)all[r] > worst)
            worst = (int)all[r];
    free(all);
    return worst;
}

int bench_mpi_finish(int status)
{
    status = bench_mpi_agree(status);
    accel_mpi_finalize();
    return status;
}

static int fill_device(accel_runtime *rt, const char *id, bench_device *out)
{
    accel_device *dev = NULL;
    if (accel_device_open(rt, id, &dev) != ACCEL_OK)
        return -1;
    bench_device d;
    memset(&d, 0, sizeof d);
    bench_copy(d.id, sizeof d.id, id);
    d.info.struct_size = sizeof d.info;
    const char *timer = "";
    int ok = accel_device_info_get(dev, &d.info) == ACCEL_OK &&
             accel_timer_properties(dev, &d.timer_resolution_ns, &timer) == ACCEL_OK;
    bench_copy(d.timer_name, sizeof d.timer_name, timer);
    d.numa_node = out->numa_node;
    accel_device_close(dev);
    if (!ok)
        return -1;
    *out = d;
    return 0;
}

int bench_mpi_bind_device(accel_runtime *rt, const accel_mpi_world *world, bench_plan *plan,
                          char *err, size_t n)
{
    if (plan->device_count == 0) {
        snprintf(err, n, "no device to run on");
        return 2;
    }
    /* The launcher's local rank (OMPI_COMM_WORLD_LOCAL_RANK, SLURM_LOCALID, LOCAL_RANK), else the
     * rank among the ranks that share this node's memory. */
    int local = accel_local_rank_from_env();
    if (local < 0)
        local = world->local_rank;
    char backend[64];
    bench_copy(backend, sizeof backend, plan->devices[0].id);
    char *colon = strchr(backend, ':');
    if (colon)
        *colon = '\0';
    char want[96];
    snprintf(want, sizeof want, "%s:%d", backend, local);
    if (strcmp(want, plan->devices[0].id) != 0 && fill_device(rt, want, &plan->devices[0]) != 0 &&
        world->rank == 0)
        fprintf(stderr, "accelbench: %s has no device %s for local rank %d: the ranks of this node "
                        "share %s\n",
                backend, want, local, plan->devices[0].id);
    /* Each rank measures the first device's rows on its own device; the other planned devices are
     * the other ranks' own. */
    size_t kept = 0;
    for (size_t i = 0; i < plan->item_count; i++)
        if (plan->items[i].device == 0)
            plan->items[kept++] = plan->items[i];
    plan->item_count = kept;
    plan->device_count = 1;
    return 0;
}

int bench_mpi_share_resume(bench_plan *plan)
{
    if (plan->item_count == 0)
        return 0;
    unsigned char *flags = calloc(plan->item_count, 1);
    if (!flags)
        return -1;
    for (size_t i = 0; i < plan->item_count; i++)
        flags[i] = (unsigned char)plan->items[i].already_ok;
    int rc = accel_mpi_broadcast_bytes(flags, plan->item_count, 0) == ACCEL_OK ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < plan->item_count; i++)
        plan->items[i].already_ok = flags[i];
    free(flags);
    return rc;
}

/* ---- the watchdog ---- */

static char g_watchdog_msg[512];
static size_t g_watchdog_len;

static void on_watchdog(int sig)
{
    (void)sig;
    ssize_t w = write(2, g_watchdog_msg, g_watchdog_len);
    (void)w;
    _exit(1);
}

/* A row that outlives --timeout-s ends this rank: the others are waiting on a rank that is gone or
 * stuck (mpirun names a rank that died), and a collective cannot be abandoned half-way. Rows
 * already written stay in the CSV. */
static void watchdog_arm(const bench_run_args *a, const char *label)
{
    const long s = a->timeout_s > 0 ? (long)a->timeout_s : BENCH_DEFAULT_TIMEOUT_S;
    int n = snprintf(g_watchdog_msg, sizeof g_watchdog_msg,
                     "accelbench rank %d: watchdog: row %s made no progress for %ld s "
                     "(--timeout-s): a peer rank is lost or stuck; exiting (rows already written "
                     "are kept)\n",
                     g_rank, label, s);
    g_watchdog_len = n > 0 ? ((size_t)n < sizeof g_watchdog_msg ? (size_t)n : sizeof g_watchdog_msg - 1) : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_watchdog;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm((unsigned)s);
}

/* ---- one row ---- */

typedef struct rank_ctx {
    const bench_run_args *a;
    const accel_mpi_world *world;
    accel_device *dev;
    accel_stream *stream;
    accel_timer *timer;
    double timer_resolution_ns;
    int gpu;
} rank_ctx;

/* Rank `from`'s text, on every rank. */
static void share_text(char *text, size_t n, int from)
{
    if (accel_mpi_broadcast_bytes(text, n, from) != ACCEL_OK)
        snprintf(text, n, "(rank %d's message could not be fetched: %s)", from, accel_last_error());
    text[n - 1] = '\0';
}

/* The first rank whose value is non-zero, -1 when none: every rank gets the same answer. */
static int first_rank_with(const accel_mpi_world *w, uint64_t mine, uint64_t *value)
{
    uint64_t *all = calloc((size_t)w->size, sizeof *all);
    int found = -1;
    if (!all || accel_mpi_allgather_u64(mine, all) != ACCEL_OK) {
        free(all);
        *value = ACCEL_ERR_INTERNAL;
        return 0;
    }
    for (int r = 0; r < w->size && found < 0; r++)
        if (all[r]) {
            found = r;
            *value = all[r];
        }
    free(all);
    return found;
}

static void note(bench_row *r, const char *text) { bench_row_append_note(r, text); }

static accel_status time_runs(rank_ctx *rc, const awl_workload *wl, void *state, uint64_t runs,
                              double *ms)
{
    accel_status st = accel_timer_begin(rc->timer, rc->stream);
    for (uint64_t i = 0; st == ACCEL_OK && i < runs; i++)
        st = wl->run(state, rc->stream);
    if (st == ACCEL_OK)
        st = accel_timer_end(rc->timer, rc->stream);
    if (st == ACCEL_OK)
        st = accel_timer_elapsed_ms(rc->timer, ms);
    return st;
}

/* A vendor collective library that is absent or too old when the row is set up (NCCL, RCCL:
 * ACCEL_ERR_UNAVAILABLE) is a row this machine cannot run, like a dtype a backend lacks:
 * unsupported with the library's reason, not an error of the run. */
/* dp_step's one-rank figure: rank 0 runs the step alone (awl_run_alone, no communication), timed
 * like the row's samples (batch runs per sample, the median), while the other ranks wait asleep so
 * they do not take the cores it runs on. Every rank gets rank 0's status and median. */
static accel_status time_alone(rank_ctx *rc, const awl_workload *wl, void *state, uint64_t batch,
                               size_t samples, double *median)
{
    accel_status st = ACCEL_OK;
    *median = 0;
    if (rc->world->rank == 0) {
        double *per_run = calloc(samples ? samples : 1, sizeof *per_run);
        st = per_run ? awl_run_alone(wl, state, rc->stream) : ACCEL_ERR_OUT_OF_MEMORY;
        if (st == ACCEL_OK)
            st = accel_stream_synchronize(rc->stream);
        size_t taken = 0;
        for (; st == ACCEL_OK && taken < samples; taken++) {
            double ms = 0;
            st = accel_timer_begin(rc->timer, rc->stream);
            for (uint64_t i = 0; st == ACCEL_OK && i < batch; i++)
                st = awl_run_alone(wl, state, rc->stream);
            if (st == ACCEL_OK)
                st = accel_timer_end(rc->timer, rc->stream);
            if (st == ACCEL_OK)
                st = accel_timer_elapsed_ms(rc->timer, &ms);
            per_run[taken] = ms / (double)batch;
        }
        if (st == ACCEL_OK) {
            bench_stats s;
            memset(&s, 0, sizeof s);
            bench_stats_compute(per_run, taken, &s);
            *median = s.median;
        }
        free(per_run);
    }
    accel_status b = accel_mpi_barrier_sleeping();
    if (st == ACCEL_OK)
        st = b;
    if (accel_mpi_broadcast_bytes(median, sizeof *median, 0) != ACCEL_OK && st == ACCEL_OK)
        st = ACCEL_ERR_INTERNAL;
    return st;
}

static const char *row_status_of(accel_status st, int at_setup)
{
    return st == ACCEL_ERR_UNIMPLEMENTED || (at_setup && st == ACCEL_ERR_UNAVAILABLE) ? "unsupported"
           : st == ACCEL_ERR_OUT_OF_MEMORY ? "skipped"
                                           : "error";
}

/* A failure somewhere: the row says which rank and why, on every rank alike. */
static int agree_failure(rank_ctx *rc, accel_status mine, const char *my_text, bench_row *row,
                         const char *during)
{
    uint64_t st = 0;
    const int who = first_rank_with(rc->world, (uint64_t)mine, &st);
    if (who < 0)
        return 0;
    char text[512];
    snprintf(text, sizeof text, "%s", mine != ACCEL_OK ? my_text : "");
    share_text(text, sizeof text, who);
    char msg[700];
    snprintf(msg, sizeof msg, "rank %d%s: %s: %s", who, during, accel_status_str((accel_status)st),
             text);
    bench_row_set(row, BENCH_COL_STATUS, row_status_of((accel_status)st, strcmp(during, " (setup)") == 0));
    note(row, msg);
    return 1;
}

static void run_row(rank_ctx *rc, const bench_item *it, bench_row *row, char *roof, size_t roof_len,
                    int *bandwidth)
{
    const bench_run_args *a = rc->a;
    const awl_workload *wl = it->workload;
    const awl_config *cfg = it->config;
    bench_row_set(row, BENCH_COL_WORKLOAD, wl->name);
    bench_row_set(row, BENCH_COL_CONFIG, cfg->id);
    bench_row_set(row, BENCH_COL_DTYPE, awl_dtype_name(it->dtype));
    bench_row_set(row, BENCH_COL_LIBRARY, it->library);
    bench_row_setf(row, BENCH_COL_RANKS, "%d", rc->world->size);
    bench_row_setf(row, BENCH_COL_NODES, "%d", rc->world->nodes);
    bench_row_setf(row, BENCH_COL_DEVICES_PER_NODE, "%d", rc->world->local_size);

    awl_options opt = {a->cold, a->has_seed ? a->seed : 1, it->library, NULL};
    awl_setup_info info;
    memset(&info, 0, sizeof info);
    void *state = NULL;
    accel_clear_error();
    accel_status st = wl->setup(rc->dev, rc->stream, cfg, it->dtype, &opt, &state, &info);
    if (agree_failure(rc, st, awl_last_error(), row, " (setup)")) {
        if (st == ACCEL_OK)
            wl->teardown(state);
        return;
    }
    bench_copy(roof, roof_len, info.roof);
    *bandwidth = info.bandwidth;
    if (!it->library[0] && info.library[0])
        bench_row_set(row, BENCH_COL_LIBRARY, info.library);
    bench_row_set(row, BENCH_COL_COMM_LIBRARY, info.library);
    if (info.bytes > 0)
        bench_row_set_number(row, BENCH_COL_BYTES, info.bytes);
    /* dp_step: one rank's step, so tflops and pct_peak are each device's (as MFU is quoted). */
    if (info.flop > 0)
        bench_row_set_number(row, BENCH_COL_FLOP, info.flop);
    bench_row_set(row, BENCH_COL_COMPUTE_TYPE, info.compute_type);
    bench_row_set(row, BENCH_COL_ITEM, info.item ? info.item : "");
    note(row, info.notes);

    /* Test hook: fp16 loss scaling starts from this scale ("inf" overflows every step), on every
     * rank or on ACCEL_TEST_AMP_SCALE_RANK's only. */
    const char *amp_scale = getenv("ACCEL_TEST_AMP_SCALE"), *amp_rank = getenv("ACCEL_TEST_AMP_SCALE_RANK");
    if (amp_scale && wl->set_loss_scale && (!amp_rank || atoi(amp_rank) == rc->world->rank))
        (void)wl->set_loss_scale(state, rc->stream, strtod(amp_scale, NULL));

    /* Lockstep sampling: one untimed run, one timed run whose slowest rank sets every count. */
    double t = 0;
    st = wl->run(state, rc->stream);
    if (st == ACCEL_OK)
        st = accel_stream_synchronize(rc->stream);
    if (st == ACCEL_OK)
        st = time_runs(rc, wl, state, 1, &t);
    char text[512];
    snprintf(text, sizeof text, "%s", accel_last_error());
    if (agree_failure(rc, st, text, row, " (first run)")) {
        wl->teardown(state);
        return;
    }
    if (accel_mpi_max_doubles(&t, 1) != ACCEL_OK)
        t = 1.0;
    if (!(t > 1e-6))
        t = 1e-6;
    const double warmup_ms = a->warmup_ms >= 0 ? (double)a->warmup_ms
                                               : (rc->gpu ? BENCH_DEFAULT_GPU_WARMUP_MS : BENCH_DEFAULT_WARMUP_MS);
    const double min_time_ms = a->min_time_ms >= 0 ? (double)a->min_time_ms : BENCH_DEFAULT_MIN_TIME_MS;
    const size_t max_samples = a->max_samples > 0 ? (size_t)a->max_samples : BENCH_DEFAULT_MAX_SAMPLES;
    double min_sample_ms = 1000.0 * rc->timer_resolution_ns / 1e6;
    if (min_sample_ms < 1.0)
        min_sample_ms = 1.0;
    uint64_t warm = (uint64_t)ceil(warmup_ms / t);
    warm = warm < 2 ? 2 : warm > 100000 ? 100000 : warm;
    uint64_t batch = (uint64_t)ceil(min_sample_ms / t);
    batch = batch < 1 ? 1 : batch > 100000 ? 100000 : batch;
    size_t samples = (size_t)ceil(min_time_ms / ((double)batch * t));
    const size_t floor_samples = max_samples < 10 ? max_samples : 10;
    samples = samples < floor_samples ? floor_samples : samples > max_samples ? max_samples : samples;

    const double w0 = bench_monotonic_ms();
    double ms = 0;
    st = time_runs(rc, wl, state, warm, &ms);
    bench_row_setf(row, BENCH_COL_WARMUP_MS, "%.0f", bench_monotonic_ms() - w0);
    double *per_run = calloc(samples, sizeof *per_run);
    size_t taken = 0;
    for (; st == ACCEL_OK && per_run && taken < samples; taken++) {
        st = time_runs(rc, wl, state, batch, &ms);
        per_run[taken] = ms / (double)batch;
    }
    if (st != ACCEL_OK && taken > 0)
        taken--;
    snprintf(text, sizeof text, "%s", per_run ? accel_last_error() : "out of memory");
    if (agree_failure(rc, per_run ? st : ACCEL_ERR_OUT_OF_MEMORY, text, row, " (sampling)")) {
        free(per_run);
        wl->teardown(state);
        return;
    }
    bench_stats s;
    memset(&s, 0, sizeof s);
    bench_stats_compute(per_run, taken, &s);
    free(per_run);
    /* Time per size = the slowest rank's median (nccl-tests' convention); every other timing
     * column likewise the largest over ranks. */
    double v[7] = {s.median, s.min, s.mean, s.p5, s.p95, s.stddev, s.cov};
    accel_mpi_max_doubles(v, 7);
    bench_row_setf(row, BENCH_COL_SAMPLES, "%zu", taken);
    bench_row_set_number(row, BENCH_COL_MEDIAN_MS, v[0]);
    bench_row_set_number(row, BENCH_COL_MIN_MS, v[1]);
    bench_row_set_number(row, BENCH_COL_MEAN_MS, v[2]);
    bench_row_set_number(row, BENCH_COL_P5_MS, v[3]);
    bench_row_set_number(row, BENCH_COL_P95_MS, v[4]);
    bench_row_set_number(row, BENCH_COL_STDDEV_MS, v[5]);
    bench_row_set_number(row, BENCH_COL_COV, v[6]);
    const double sec = v[0] / 1000.0;
    if (sec > 0 && info.bytes > 0) {
        const double algbw = info.bytes / sec / 1e9;
        bench_row_set_number(row, BENCH_COL_GBPS, algbw);
        const double factor = awl_collective_bus_factor(cfg, rc->world->size);
        if (factor > 0)
            bench_row_set_number(row, BENCH_COL_BUSBW_GBPS, algbw * factor);
    }
    if (sec > 0 && info.items > 0)
        bench_row_set_number(row, BENCH_COL_ITEMS_PER_S, info.items / sec);
    if (sec > 0 && info.flop > 0)
        bench_row_set_number(row, BENCH_COL_TFLOPS, info.flop / sec / 1e12);
    char msg[160];
    snprintf(msg, sizeof msg, "time: the slowest of %d ranks' medians", rc->world->size);
    note(row, msg);
    if (awl_workload_runs_alone(wl)) {
        double alone = 0;
        accel_clear_error();
        st = time_alone(rc, wl, state, batch, taken, &alone);
        snprintf(text, sizeof text, "%s", accel_last_error());
        if (agree_failure(rc, st, text, row, " (one rank alone)")) {
            wl->teardown(state);
            return;
        }
        /* samples/s over N ranks / (N x one rank's) = one rank's step time / the N-rank step time */
        if (alone > 0 && v[0] > 0)
            bench_row_set_number(row, BENCH_COL_SCALING_EFFICIENCY, alone / v[0]);
        snprintf(msg, sizeof msg, "one rank alone (rank 0, no communication): %.4g ms per step", alone);
        note(row, msg);
    }

    /* Verification: every rank checks its own result; the row is verified when all pass. */
    if (getenv("ACCEL_TEST_CORRUPT") && strcmp(getenv("ACCEL_TEST_CORRUPT"), wl->name) == 0 &&
        rc->world->rank == rc->world->size - 1 && wl->corrupt_output)
        wl->corrupt_output(state, rc->stream);
    awl_verify_result vr;
    memset(&vr, 0, sizeof vr);
    accel_clear_error();
    st = wl->verify(state, rc->stream, &vr);
    snprintf(text, sizeof text, "%s", awl_last_error());
    if (agree_failure(rc, st, text, row, " (verify)")) {
        bench_row_set(row, BENCH_COL_STATUS, "error");
        wl->teardown(state);
        return;
    }
    uint64_t bad = 0;
    const int failing = first_rank_with(rc->world, vr.checked && !vr.passed, &bad);
    double worst = vr.max_rel_err;
    accel_mpi_max_doubles(&worst, 1);
    if (vr.checked) {
        bench_row_set(row, BENCH_COL_VERIFIED, failing < 0 ? "true" : "false");
        bench_row_set_number(row, BENCH_COL_MAX_REL_ERR, worst);
        bench_row_set_number(row, BENCH_COL_TOLERANCE, vr.tolerance);
    }
    bench_row_set(row, BENCH_COL_STATUS, failing < 0 ? "ok" : "failed_verification");
    char detail[256];
    snprintf(detail, sizeof detail, "%s", vr.detail);
    if (failing >= 0)
        share_text(detail, sizeof detail, failing);
    note(row, detail);
    wl->teardown(state);
}

/* Test hook, honoured only when set: ACCEL_TEST_RANK_DIE=<rank>:<n> kills that rank (SIGKILL) as
 * its n-th row (0-based) starts, to test what the others do. */
static void maybe_die(const accel_mpi_world *w, size_t ordinal)
{
    const char *v = getenv("ACCEL_TEST_RANK_DIE");
    int rank = -1;
    unsigned long n = 0;
    if (v && sscanf(v, "%d:%lu", &rank, &n) == 2 && rank == w->rank && n == ordinal)
        raise(SIGKILL);
}

int bench_mpi_run_rows(accel_runtime *rt, const bench_plan *plan, const bench_run_args *a,
                       const accel_mpi_world *world, bench_row_start on_start, bench_row_sink sink,
                       void *ctx)
{
    rank_ctx rc;
    memset(&rc, 0, sizeof rc);
    rc.a = a;
    rc.world = world;
    const bench_device *d = &plan->devices[0];
    rc.gpu = d->info.type != ACCEL_DEVICE_CPU;
    const char *timer_name = "";
    accel_status st = accel_device_open(rt, d->id, &rc.dev);
    if (st == ACCEL_OK)
        st = accel_stream_create(rc.dev, &rc.stream);
    if (st == ACCEL_OK)
        st = accel_timer_create(rc.dev, &rc.timer);
    if (st == ACCEL_OK)
        st = accel_timer_properties(rc.dev, &rc.timer_resolution_ns, &timer_name);
    if (st != ACCEL_OK)
        fprintf(stderr, "accelbench rank %d: cannot use %s: %s\n", world->rank, d->id, accel_last_error());
    int result = bench_mpi_agree(st != ACCEL_OK);
    size_t ordinal = 0;
    for (size_t i = 0; result == 0 && i < plan->item_count; i++) {
        const bench_item *it = &plan->items[i];
        if (it->already_ok)
            continue;
        maybe_die(world, ordinal++);
        char label[256];
        snprintf(label, sizeof label, "%s %s %s", it->workload->name, it->config->id,
                 awl_dtype_name(it->dtype));
        if (on_start)
            on_start(ctx, i);
        watchdog_arm(a, label);
        bench_row row = {0};
        char roof[64] = "";
        int bandwidth = 0;
        bench_row_set(&row, BENCH_COL_CACHE, a->cold ? "cold" : "warm");
        bench_row_set(&row, BENCH_COL_TIMER, timer_name);
        run_row(&rc, it, &row, roof, sizeof roof, &bandwidth);
        alarm(0);
        int stop = sink ? sink(ctx, i, &row, roof, bandwidth) : 0;
        bench_row_free(&row);
        if (bench_mpi_agree(stop))
            result = 1;
        else if (bench_mpi_agree(bench_interrupted ? 130 : 0))
            result = 130;
    }
    accel_timer_destroy(rc.timer);
    accel_stream_destroy(rc.stream);
    accel_device_close(rc.dev);
    return result;
}
