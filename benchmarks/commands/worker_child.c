/* The worker process, the child's side of process/worker_supervisor.c (`accelbench __worker`):
 * opens one device, and for each row sets the workload up, warms up, samples, verifies and reports
 * the row to the parent over the pipe. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel/accel.h"
#include "accel_workload.h"
#include "commands.h"
#include "energy.h"
#include "error_chain.h"
#include "measure.h"
#include "signals.h"
#include "step_profile.h"
#include "util.h"
#include "wire.h"
#include "worker_supervisor.h"

typedef struct worker {
    int fd;
    pid_t parent;
    char device_id[64];
    const char *plugin;
    char peer_id[64];        /* transfer p2p-* rows: the pair's second device, "" = none */
    const char *peer_plugin;
    accel_device *peer;
    bench_worker_settings s;
    accel_runtime *rt;
    accel_device *dev;
    accel_device_info info;
    accel_stream *stream;
    accel_timer *timer;
    double timer_resolution_ns;
    const char *timer_name;
} worker;

static void send_message(worker *w, const char *const *fields, size_t n)
{
    if (getppid() != w->parent)
        _exit(4); /* the parent died (the kernel's SIGKILL normally comes first) */
    if (bench_wire_send(w->fd, fields, n) != 0)
        _exit(4); /* the parent is gone: nobody to report to */
}

/* The parent's watchdog tests: compiled in always, honoured only when the variable is set. */
static int test_hook(const char *var, const char *workload)
{
    const char *v = getenv(var);
    return v && strcmp(v, workload) == 0;
}

/* In-row progress for the parent's console, at most four messages a second. */
typedef struct progress_ctx {
    worker *w;
    const char *index;
    double last_sent_ms;
} progress_ctx;

static void send_progress(void *vctx, int sampling, size_t samples, double elapsed_ms)
{
    progress_ctx *pc = vctx;
    double now = bench_monotonic_ms();
    if (now - pc->last_sent_ms < 250.0)
        return;
    pc->last_sent_ms = now;
    char n[32], ms[32];
    snprintf(n, sizeof n, "%zu", samples);
    snprintf(ms, sizeof ms, "%.0f", elapsed_ms);
    const char *msg[] = {"progress", pc->index, sampling ? "1" : "0", n, ms};
    send_message(pc->w, msg, 5);
}

typedef struct batch_ctx {
    worker *w;
    const awl_workload *wl;
    void *state;
    accel_status status;
} batch_ctx;

static int run_batch(void *ctx, uint64_t batch, double *out_ms)
{
    batch_ctx *b = ctx;
    accel_status st = accel_timer_begin(b->w->timer, b->w->stream);
    for (uint64_t i = 0; st == ACCEL_OK && i < batch; i++)
        st = b->wl->run(b->state, b->w->stream);
    if (st == ACCEL_OK)
        st = accel_timer_end(b->w->timer, b->w->stream);
    if (st == ACCEL_OK)
        st = accel_timer_elapsed_ms(b->w->timer, out_ms);
    b->status = st;
    return st == ACCEL_OK ? 0 : (int)st;
}

static void set_i64(bench_row *r, bench_column c, int64_t v)
{
    if (v > 0)
        bench_row_setf(r, c, "%lld", (long long)v);
}

static void append_note(bench_row *r, const char *note)
{
    bench_row_append_note(r, note);
}

/* "<status>: <message>", each status word and context said once although every layer of the
 * chain (plugin, HAL, workload) prefixed its own. */
static void error_text_from(accel_status st, const char *msg, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s", accel_status_str(st), msg[0] ? ": " : "", msg);
    const char *words[ACCEL_ERR_INTERNAL + 1];
    size_t nwords = 0;
    for (int s = ACCEL_OK; s <= ACCEL_ERR_INTERNAL; s++)
        words[nwords++] = accel_status_str((accel_status)s);
    bench_error_chain_tidy(buf, words, nwords);
}

static void error_text(accel_status st, char *buf, size_t n)
{
    error_text_from(st, accel_last_error(), buf, n);
}

/* One reading of the energy counter; a device without one says why in source ("none: ..."). */
static void read_energy(accel_device *dev, bench_energy_reading *e, accel_device_telemetry *t)
{
    *t = (accel_device_telemetry){sizeof *t, -1, -1, -1, -1, -1, "", ""};
    accel_clear_error();
    if (accel_device_telemetry_get(dev, t) != ACCEL_OK) {
        snprintf(e->source, sizeof e->source, "none: %s", accel_last_error());
        *t = (accel_device_telemetry){sizeof *t, -1, -1, -1, -1, -1, "", ""};
    } else {
        bench_copy(e->source, sizeof e->source, t->energy_source);
    }
    e->joules = t->energy_j;
    e->at_ms = bench_monotonic_ms();
}

typedef struct sampling_start_ctx {
    accel_device *dev;
    bench_energy_reading *before;
} sampling_start_ctx;

static void on_sampling_start(void *vctx)
{
    sampling_start_ctx *c = vctx;
    accel_device_telemetry t;
    read_energy(c->dev, c->before, &t);
}

static void fill_telemetry(bench_row *r, const bench_energy_reading *before,
                           const bench_energy_reading *after, const accel_device_telemetry *now,
                           double median_ms, double items_per_run)
{
    if (now->clock_mhz >= 0)
        bench_row_set_number(r, BENCH_COL_CLOCK_MHZ, now->clock_mhz);
    double power = bench_energy_fill(r, before, after, median_ms, items_per_run);
    if (power < 0 && now->power_w >= 0)
        power = now->power_w;
    if (power >= 0)
        bench_row_set_number(r, BENCH_COL_POWER_W, power);
    if (now->throttle_reasons[0]) {
        char note[160];
        snprintf(note, sizeof note, "throttle: %s", now->throttle_reasons);
        append_note(r, note);
    }
}

/* run --verbose: the steps' times, after the sampling and before the verification (which a
 * training step's verify starts from its initial state anyway). A profile that fails costs the
 * row nothing: it is reported on stderr, and the row is verified as ever. */
static void send_step_times(worker *w, const char *index, const awl_workload *wl, void *state,
                            const char *steps, double row_median_ms)
{
    char times[8192];
    int runs = 0;
    accel_clear_error();
    accel_status st = bench_step_profile(wl, state, w->stream, steps, times, sizeof times, &runs);
    if (st != ACCEL_OK) {
        char text[512];
        error_text(st, text, sizeof text);
        fprintf(stderr, "accelbench: profiling the steps of %s: %s\n", wl->name, text);
        return;
    }
    char runs_text[16], median[32];
    snprintf(runs_text, sizeof runs_text, "%d", runs);
    snprintf(median, sizeof median, "%.9g", row_median_ms);
    const char *msg[] = {"step_times", index, runs_text, median, times};
    send_message(w, msg, 5);
}

/* Runs one row; returns 1 when the device error looks sticky (fresh process wanted). */
static int run_item(worker *w, const char *index, const awl_workload *wl, const awl_config *cfg,
                    awl_dtype dtype, const char *library, bench_row *r, char *roof, size_t roof_len,
                    int *bandwidth)
{
    bench_row_set(r, BENCH_COL_WORKLOAD, wl->name);
    bench_row_set(r, BENCH_COL_CONFIG, cfg->id);
    bench_row_set(r, BENCH_COL_DTYPE, awl_dtype_name(dtype));
    bench_row_set(r, BENCH_COL_LIBRARY, library);
    set_i64(r, BENCH_COL_BATCH, cfg->batch);
    set_i64(r, BENCH_COL_M, cfg->m);
    set_i64(r, BENCH_COL_N, cfg->n);
    set_i64(r, BENCH_COL_K, cfg->k);
    bench_row_set(r, BENCH_COL_CACHE, w->s.cold ? "cold" : "warm");
    bench_row_set(r, BENCH_COL_TIMER, w->timer_name);

    if (test_hook("ACCEL_TEST_CRASH", wl->name)) {
        signal(SIGSEGV, SIG_DFL); /* a real crash even under ASan, whose handler would exit(1) */
        raise(SIGSEGV);
    }
    if (test_hook("ACCEL_TEST_HANG", wl->name))
        for (;;)
            pause();

    awl_options opt = {w->s.cold, w->s.seed, library, w->peer};
    awl_setup_info info;
    memset(&info, 0, sizeof info);
    void *state = NULL;
    accel_clear_error();
    accel_status st = wl->setup(w->dev, w->stream, cfg, dtype, &opt, &state, &info);
    char text[512];
    if (st != ACCEL_OK) {
        /* A workload's own refusal (too big for the device) is kept by the workload library. */
        error_text_from(st, awl_last_error(), text, sizeof text);
        const char *status = st == ACCEL_ERR_UNIMPLEMENTED  ? "unsupported"
                             : st == ACCEL_ERR_OUT_OF_MEMORY ? "skipped"
                                                             : "error";
        bench_row_set(r, BENCH_COL_STATUS, status);
        /* "unsupported" already says "unimplemented". */
        append_note(r, st == ACCEL_ERR_UNIMPLEMENTED ? bench_error_chain_skip(text, accel_status_str(st)) : text);
        return st == ACCEL_ERR_DEVICE;
    }
    if (info.steps[0]) {
        const char *msg[] = {"steps", index, info.steps};
        send_message(w, msg, 3);
    }
    bench_copy(roof, roof_len, info.roof);
    *bandwidth = info.bandwidth;
    if (!library[0] && info.library[0])
        bench_row_set(r, BENCH_COL_LIBRARY, info.library);
    else if (info.library[0] && strcmp(info.library, library) != 0) {
        snprintf(text, sizeof text, "path %s", info.library);
        append_note(r, text);
    }
    bench_row_set(r, BENCH_COL_COMPUTE_TYPE, info.compute_type);
    if (info.flop > 0)
        bench_row_set_number(r, BENCH_COL_FLOP, info.flop);
    if (info.bytes > 0)
        bench_row_set_number(r, BENCH_COL_BYTES, info.bytes);
    bench_row_set(r, BENCH_COL_ITEM, info.item ? info.item : "");
    append_note(r, info.notes);
    bench_row_set(r, BENCH_COL_PEER_DEVICE, info.peer_device);
    bench_row_set(r, BENCH_COL_LINK, info.link);
    bench_row_set(r, BENCH_COL_PEER_ACCESS, info.peer_access);

    /* Test hook: fp16 loss scaling starts from this scale ("inf" overflows every step). */
    const char *amp_scale = getenv("ACCEL_TEST_AMP_SCALE");
    if (amp_scale && wl->set_loss_scale)
        (void)wl->set_loss_scale(state, w->stream, strtod(amp_scale, NULL));

    /* A device with an energy counter samples at least the counter's window (energy.h); the
     * reading that opens the window is taken as sampling starts, after the warm-up. */
    accel_device_telemetry now;
    bench_energy_reading before, after;
    read_energy(w->dev, &before, &now);
    bench_measure_params p;
    bench_measure_defaults(&p, (double)w->s.warmup_ms, (double)w->s.min_time_ms,
                           (size_t)w->s.max_samples, w->timer_resolution_ns);
    p.stop = &bench_interrupted;
    progress_ctx pctx = {w, index, bench_monotonic_ms()};
    p.on_progress = send_progress;
    p.progress_ctx = &pctx;
    if (before.joules >= 0 && p.min_time_ms < BENCH_ENERGY_MIN_WINDOW_MS) {
        p.min_time_ms = BENCH_ENERGY_MIN_WINDOW_MS;
        p.time_cap_ms = fmax(p.time_cap_ms, 2.0 * BENCH_ENERGY_MIN_WINDOW_MS);
    }
    sampling_start_ctx start = {w->dev, &before};
    p.on_sampling_start = on_sampling_start;
    p.on_sampling_ctx = &start;
    batch_ctx bctx = {w, wl, state, ACCEL_OK};
    bench_measure_result m;
    int rc = bench_measure(&p, run_batch, &bctx, &m);
    int sticky = 0;
    bench_row_setf(r, BENCH_COL_WARMUP_MS, "%.0f", m.warmup_elapsed_ms);
    if (rc != 0) {
        error_text(bctx.status, text, sizeof text);
        bench_row_set(r, BENCH_COL_STATUS, "error");
        append_note(r, text);
        sticky = bctx.status == ACCEL_ERR_DEVICE;
    } else if (m.interrupted) {
        snprintf(text, sizeof text,
                 "interrupted by signal after %zu sample%s: not a complete measurement", m.samples,
                 m.samples == 1 ? "" : "s");
        bench_row_set(r, BENCH_COL_STATUS, "skipped");
        append_note(r, text);
    }
    if (m.samples > 0) {
        const bench_stats *s = &m.stats;
        bench_row_setf(r, BENCH_COL_SAMPLES, "%zu", m.samples);
        bench_row_set_number(r, BENCH_COL_MEDIAN_MS, s->median);
        bench_row_set_number(r, BENCH_COL_MIN_MS, s->min);
        bench_row_set_number(r, BENCH_COL_MEAN_MS, s->mean);
        bench_row_set_number(r, BENCH_COL_P5_MS, s->p5);
        bench_row_set_number(r, BENCH_COL_P95_MS, s->p95);
        bench_row_set_number(r, BENCH_COL_STDDEV_MS, s->stddev);
        bench_row_set_number(r, BENCH_COL_COV, s->cov);
        double sec = s->median / 1000.0;
        if (sec > 0) {
            if (info.flop > 0)
                bench_row_set_number(r, BENCH_COL_TFLOPS, info.flop / sec / 1e12);
            if (info.bytes > 0)
                bench_row_set_number(r, BENCH_COL_GBPS, info.bytes / sec / 1e9);
            if (info.items > 0)
                bench_row_set_number(r, BENCH_COL_ITEMS_PER_S, info.items / sec);
        }
        if (s->cov > 0.05) {
            snprintf(text, sizeof text, "high variance (CoV %.1f%%)", s->cov * 100.0);
            append_note(r, text);
        }
        if (strcmp(m.stop_reason, "converged") != 0 && !m.interrupted && rc == 0) {
            if (s->ci_valid)
                snprintf(text, sizeof text, "median 95%% CI +-%.1f%% (%s)",
                         s->ci_rel_halfwidth * 100.0, m.stop_reason);
            else
                snprintf(text, sizeof text, "too few samples for a 95%% CI of the median (%s)",
                         m.stop_reason);
            append_note(r, text);
        }
        read_energy(w->dev, &after, &now);
        fill_telemetry(r, &before, &after, &now, s->median, (double)info.items);
    }

    if (rc == 0 && !m.interrupted && m.samples > 0 && w->s.profile_steps && wl->profile_steps && info.steps[0])
        send_step_times(w, index, wl, state, info.steps, m.stats.median);
    if (rc == 0 && !m.interrupted) {
        if (test_hook("ACCEL_TEST_CORRUPT", wl->name) && wl->corrupt_output)
            wl->corrupt_output(state, w->stream);
        awl_verify_result v;
        memset(&v, 0, sizeof v);
        accel_clear_error();
        st = wl->verify(state, w->stream, &v);
        if (st != ACCEL_OK) {
            error_text(st, text, sizeof text);
            bench_row_set(r, BENCH_COL_STATUS, "error");
            snprintf(text + strlen(text), sizeof text - strlen(text), " (during verify)");
            append_note(r, text);
            sticky = st == ACCEL_ERR_DEVICE;
        } else if (v.checked) {
            bench_row_set(r, BENCH_COL_VERIFIED, v.passed ? "true" : "false");
            bench_row_set_number(r, BENCH_COL_MAX_REL_ERR, v.max_rel_err);
            bench_row_set_number(r, BENCH_COL_TOLERANCE, v.tolerance);
            bench_row_set(r, BENCH_COL_STATUS, v.passed ? "ok" : "failed_verification");
            if (v.detail[0])
                append_note(r, v.detail);
        } else {
            bench_row_set(r, BENCH_COL_STATUS, "ok");
        }
    }
    bench_measure_result_free(&m);
    wl->teardown(state);
    return sticky;
}

static int open_device(worker *w, char *why, size_t n)
{
    accel_runtime_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    const char *plugins[2] = {w->plugin, w->peer_plugin};
    if (w->plugin) {
        o.plugin_paths = plugins;
        /* A pair of two plugins loads both; of one plugin, that one once. */
        o.plugin_path_count = w->peer_plugin && strcmp(w->peer_plugin, w->plugin) != 0 ? 2 : 1;
        o.no_default_paths = 1;
    }
    accel_status st = accel_runtime_open(&o, &w->rt);
    if (st == ACCEL_OK)
        st = accel_device_open(w->rt, w->device_id, &w->dev);
    if (st == ACCEL_OK && w->peer_id[0] && (st = accel_device_open(w->rt, w->peer_id, &w->peer)) != ACCEL_OK) {
        char text[400];
        error_text(st, text, sizeof text);
        snprintf(why, n, "worker cannot use the peer %s: %s", w->peer_id, text);
        return -1;
    }
    if (st == ACCEL_OK) {
        w->info.struct_size = sizeof w->info;
        st = accel_device_info_get(w->dev, &w->info);
    }
    if (st == ACCEL_OK)
        st = accel_stream_create(w->dev, &w->stream);
    if (st == ACCEL_OK)
        st = accel_timer_create(w->dev, &w->timer);
    if (st == ACCEL_OK)
        st = accel_timer_properties(w->dev, &w->timer_resolution_ns, &w->timer_name);
    if (st != ACCEL_OK) {
        char text[400];
        error_text(st, text, sizeof text);
        snprintf(why, n, "worker cannot use %s: %s", w->device_id, text);
        return -1;
    }
    return 0;
}

static void close_device(worker *w)
{
    accel_timer_destroy(w->timer);
    accel_stream_destroy(w->stream);
    accel_device_close(w->peer);
    accel_device_close(w->dev);
    accel_runtime_close(w->rt);
}

static int parse_i64(const char *s, int64_t *out)
{
    uint64_t v;
    if (bench_parse_u64(s, &v) != 0 || v > INT64_MAX)
        return -1;
    *out = (int64_t)v;
    return 0;
}

int bench_worker_child_main(int argc, char **argv)
{
    worker w;
    memset(&w, 0, sizeof w);
    w.fd = -1;
    int i = 2;
    for (; i + 1 < argc && strcmp(argv[i], "--") != 0; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        int64_t num = 0;
        int bad = 0;
        if (strcmp(k, "--device") == 0)
            bench_copy(w.device_id, sizeof w.device_id, v);
        else if (strcmp(k, "--plugin") == 0)
            w.plugin = v;
        else if (strcmp(k, "--peer") == 0)
            bench_copy(w.peer_id, sizeof w.peer_id, v);
        else if (strcmp(k, "--peer-plugin") == 0)
            w.peer_plugin = v;
        else if (strcmp(k, "--seed") == 0)
            bad = bench_parse_u64(v, &w.s.seed);
        else if ((bad = parse_i64(v, &num)) == 0) {
            if (strcmp(k, "--fd") == 0)
                w.fd = (int)num;
            else if (strcmp(k, "--warmup-ms") == 0)
                w.s.warmup_ms = num;
            else if (strcmp(k, "--min-time-ms") == 0)
                w.s.min_time_ms = num;
            else if (strcmp(k, "--max-samples") == 0)
                w.s.max_samples = num;
            else if (strcmp(k, "--cold") == 0)
                w.s.cold = (int)num;
            else if (strcmp(k, "--profile-steps") == 0)
                w.s.profile_steps = (int)num;
            else
                bad = 1;
        }
        if (bad) {
            fprintf(stderr, "accelbench __worker: bad argument %s %s\n", k, v);
            return 2;
        }
    }
    if (w.fd < 0 || !w.device_id[0] || i >= argc || strcmp(argv[i], "--") != 0 ||
        (argc - i - 1) % 5 != 0 || w.s.max_samples < 1) {
        fprintf(stderr, "accelbench __worker: internal command, started by accelbench run\n");
        return 2;
    }
    w.parent = getppid();
    bench_signals_install();
    char why[512];
    if (open_device(&w, why, sizeof why) != 0) {
        const char *msg[] = {"fatal", why};
        send_message(&w, msg, 2);
        return 1;
    }
    int exit_status = 0;
    for (i = i + 1; i + 4 < argc; i += 5) {
        const char *index = argv[i];
        const awl_workload *wl = awl_workload_find(argv[i + 1]);
        const awl_config *cfg = wl ? awl_config_find(wl, argv[i + 2]) : NULL;
        awl_dtype dtype;
        if (!cfg || awl_dtype_parse(argv[i + 3], &dtype) != 0) {
            fprintf(stderr, "accelbench __worker: unknown row %s/%s/%s\n", argv[i + 1], argv[i + 2],
                    argv[i + 3]);
            exit_status = 2;
            break;
        }
        if (bench_interrupted) {
            exit_status = BENCH_WORKER_EXIT_INTERRUPTED;
            break;
        }
        const char *begin[] = {"begin", index};
        send_message(&w, begin, 2);
        bench_row row = {0};
        char roof[64] = "";
        int bandwidth = 0;
        int sticky = run_item(&w, index, wl, cfg, dtype, argv[i + 4], &row, roof, sizeof roof,
                              &bandwidth);
        /* row, index, roof, bandwidth, then every column in CSV order */
        const char *msg[4 + BENCH_COL_COUNT];
        msg[0] = "row";
        msg[1] = index;
        msg[2] = roof;
        msg[3] = bandwidth ? "1" : "0";
        for (int c = 0; c < BENCH_COL_COUNT; c++)
            msg[4 + c] = bench_row_get(&row, (bench_column)c);
        send_message(&w, msg, 4 + BENCH_COL_COUNT);
        bench_row_free(&row);
        if (bench_interrupted) {
            exit_status = BENCH_WORKER_EXIT_INTERRUPTED;
            break;
        }
        if (sticky) {
            exit_status = BENCH_WORKER_EXIT_RESTART;
            break;
        }
    }
    close_device(&w);
    return exit_status;
}
