#define _POSIX_C_SOURCE 200809L
#include "fleet.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bench_fleet_init(bench_fleet *f, const bench_plan *plan)
{
    memset(f, 0, sizeof *f);
    f->plan = plan;
    size_t nd = plan->device_count ? plan->device_count : 1, ni = plan->item_count ? plan->item_count : 1;
    f->model = calloc(nd, sizeof *f->model);
    f->peers = calloc(nd, sizeof *f->peers);
    f->held = calloc(ni, sizeof *f->held);
    f->arrived = calloc(ni, 1);
    if (!f->model || !f->peers || !f->held || !f->arrived)
        abort();
    for (size_t d = 0; d < plan->device_count; d++) {
        const accel_device_info *a = &plan->devices[d].info;
        f->model[d] = d;
        for (size_t e = 0; e < d; e++) {
            const accel_device_info *b = &plan->devices[e].info;
            if (strcmp(a->backend, b->backend) == 0 && strcmp(a->name, b->name) == 0) {
                f->model[d] = e;
                break;
            }
        }
    }
    for (size_t d = 0; d < plan->device_count; d++)
        for (size_t e = 0; e < plan->device_count; e++)
            f->peers[d] += e != d && f->model[e] == f->model[d];
    /* Rows --resume skips never come. */
    for (size_t i = 0; i < plan->item_count; i++)
        f->arrived[i] = (unsigned char)plan->items[i].already_ok;
}

int bench_fleet_has_peers(const bench_fleet *f, size_t device)
{
    return f->peers[device] > 0;
}

static int compared(const bench_fleet *f, size_t item)
{
    const bench_item *it = &f->plan->items[item];
    static const char *const workloads[] = {"peak", "stream", "gemm", "transfer"};
    /* A pair's row depends on the peer and the link, not on the device's model alone. */
    if (!f->peers[it->device] || it->has_peer)
        return 0;
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        if (strcmp(it->workload->name, workloads[i]) == 0)
            return 1;
    return 0;
}

static int same_row(const bench_fleet *f, size_t i, size_t j)
{
    const bench_item *a = &f->plan->items[i], *b = &f->plan->items[j];
    return f->model[a->device] == f->model[b->device] && a->workload == b->workload &&
           a->config == b->config && a->dtype == b->dtype && strcmp(a->library, b->library) == 0;
}

/* The row's throughput: TFLOP/s, GB/s or items/s, whichever it reports; 0 when not ok. */
static double throughput(const bench_row *r)
{
    if (strcmp(bench_row_get(r, BENCH_COL_STATUS), "ok") != 0)
        return 0;
    const bench_column cols[] = {BENCH_COL_TFLOPS, BENCH_COL_GBPS, BENCH_COL_ITEMS_PER_S};
    for (size_t c = 0; c < 3; c++) {
        double v;
        if (bench_parse_double(bench_row_get(r, cols[c]), &v) == 0 && v > 0)
            return v;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void append_note(bench_row *r, const char *note)
{
    const char *old = bench_row_get(r, BENCH_COL_NOTES);
    bench_strbuf sb = {0};
    bench_strbuf_appendf(&sb, "%s%s%s", old, old[0] ? "; " : "", note);
    bench_row_set(r, BENCH_COL_NOTES, sb.data);
    bench_strbuf_free(&sb);
}

/* All rows of the key have come (those of item's peers included): compare and emit them. */
static void settle(bench_fleet *f, size_t item, bench_fleet_emit emit, void *ctx)
{
    const bench_plan *plan = f->plan;
    size_t n = 0;
    size_t *members = malloc(plan->item_count * sizeof *members);
    double *values = malloc(plan->item_count * sizeof *values);
    double *others = malloc(plan->item_count * sizeof *others);
    if (!members || !values || !others)
        abort();
    for (size_t j = 0; j < plan->item_count; j++)
        if (f->held[j] && same_row(f, item, j)) {
            members[n] = j;
            values[n++] = throughput(f->held[j]);
        }
    for (size_t m = 0; m < n; m++) {
        if (values[m] <= 0)
            continue;
        size_t k = 0;
        for (size_t o = 0; o < n; o++)
            if (o != m && values[o] > 0)
                others[k++] = values[o];
        if (k == 0)
            continue;
        qsort(others, k, sizeof *others, cmp_double);
        double median = k % 2 ? others[k / 2] : 0.5 * (others[k / 2 - 1] + others[k / 2]);
        double below = 1.0 - values[m] / median;
        if (below <= BENCH_FLEET_THRESHOLD)
            continue;
        const bench_item *it = &plan->items[members[m]];
        char note[256];
        snprintf(note, sizeof note, "fleet: %.0f%% below the median of %zu peer%s on %s %s %s%s%s",
                 below * 100.0, k, k == 1 ? "" : "s", it->workload->name, it->config->id,
                 awl_dtype_name(it->dtype), it->library[0] ? " " : "", it->library);
        append_note(f->held[members[m]], note);
        bench_strbuf line = {0};
        bench_strbuf_appendf(&line, "%s: %s", plan->devices[it->device].id, note);
        bench_strlist_add(&f->flags, line.data);
        bench_strbuf_free(&line);
    }
    for (size_t m = 0; m < n; m++) {
        bench_row *r = f->held[members[m]];
        f->held[members[m]] = NULL;
        emit(ctx, members[m], r);
        bench_row_free(r);
        free(r);
    }
    free(members);
    free(values);
    free(others);
}

void bench_fleet_offer(bench_fleet *f, size_t item, bench_row *row, bench_fleet_emit emit, void *ctx)
{
    f->arrived[item] = 1;
    if (row && !compared(f, item)) {
        emit(ctx, item, row);
        return;
    }
    if (row) {
        bench_row *mine = malloc(sizeof *mine);
        if (!mine)
            abort();
        *mine = *row;
        memset(row, 0, sizeof *row);
        f->held[item] = mine;
    }
    for (size_t j = 0; j < f->plan->item_count; j++)
        if (same_row(f, item, j) && !f->arrived[j])
            return;
    settle(f, item, emit, ctx);
}

void bench_fleet_flush(bench_fleet *f, bench_fleet_emit emit, void *ctx)
{
    for (size_t j = 0; j < f->plan->item_count; j++)
        if (f->held[j]) {
            bench_row *r = f->held[j];
            f->held[j] = NULL;
            emit(ctx, j, r);
            bench_row_free(r);
            free(r);
        }
}

void bench_fleet_free(bench_fleet *f)
{
    if (f->held)
        for (size_t j = 0; j < f->plan->item_count; j++)
            if (f->held[j]) {
                bench_row_free(f->held[j]);
                free(f->held[j]);
            }
    free(f->model);
    free(f->peers);
    free(f->held);
    free(f->arrived);
    bench_strlist_free(&f->flags);
    memset(f, 0, sizeof *f);
}

/* ---- running peers at once ---- */

typedef struct serial_hooks {
    pthread_mutex_t lock;
    const bench_worker_hooks *inner;
} serial_hooks;

static void s_start(void *v, size_t item)
{
    serial_hooks *h = v;
    pthread_mutex_lock(&h->lock);
    if (h->inner->on_start)
        h->inner->on_start(h->inner->ctx, item);
    pthread_mutex_unlock(&h->lock);
}

static int s_sink(void *v, size_t item, bench_row *row, const char *roof, int bandwidth)
{
    serial_hooks *h = v;
    pthread_mutex_lock(&h->lock);
    int r = h->inner->sink(h->inner->ctx, item, row, roof, bandwidth);
    pthread_mutex_unlock(&h->lock);
    return r;
}

static void s_progress(void *v, size_t item, int sampling, size_t samples, double elapsed_ms)
{
    serial_hooks *h = v;
    pthread_mutex_lock(&h->lock);
    if (h->inner->on_progress)
        h->inner->on_progress(h->inner->ctx, item, sampling, samples, elapsed_ms);
    pthread_mutex_unlock(&h->lock);
}

static void s_steps(void *v, size_t item, const char *steps)
{
    serial_hooks *h = v;
    pthread_mutex_lock(&h->lock);
    if (h->inner->on_steps)
        h->inner->on_steps(h->inner->ctx, item, steps);
    pthread_mutex_unlock(&h->lock);
}

static void s_step_times(void *v, size_t item, int runs, double row_median_ms, const char *times)
{
    serial_hooks *h = v;
    pthread_mutex_lock(&h->lock);
    if (h->inner->on_step_times)
        h->inner->on_step_times(h->inner->ctx, item, runs, row_median_ms, times);
    pthread_mutex_unlock(&h->lock);
}

static int s_wanted(void *v, size_t item)
{
    serial_hooks *h = v;
    pthread_mutex_lock(&h->lock);
    int r = !h->inner->wanted || h->inner->wanted(h->inner->ctx, item);
    pthread_mutex_unlock(&h->lock);
    return r;
}

typedef struct job_thread {
    bench_device_job *job;
    bench_worker_hooks hooks;
} job_thread;

static void *job_main(void *v)
{
    job_thread *t = v;
    t->job->rc = bench_worker_run_rows(t->job->rows, t->job->n, &t->job->s, &t->hooks);
    return NULL;
}

int bench_fleet_run_jobs(bench_device_job *jobs, size_t n, const bench_worker_hooks *hooks)
{
    serial_hooks sh;
    pthread_mutex_init(&sh.lock, NULL);
    sh.inner = hooks;
    job_thread *threads = calloc(n ? n : 1, sizeof *threads);
    pthread_t *ids = calloc(n ? n : 1, sizeof *ids);
    int *started = calloc(n ? n : 1, sizeof *started);
    if (!threads || !ids || !started)
        abort();
    for (size_t i = 0; i < n; i++) {
        threads[i].job = &jobs[i];
        threads[i].hooks = (bench_worker_hooks){s_start, s_sink, s_progress, s_wanted, &sh, s_steps, s_step_times};
        started[i] = pthread_create(&ids[i], NULL, job_main, &threads[i]) == 0;
        if (!started[i])
            job_main(&threads[i]); /* no thread to be had: this device runs now, alone */
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (started[i])
            pthread_join(ids[i], NULL);
        if (jobs[i].rc == 130)
            rc = 130;
        else if (jobs[i].rc != 0 && rc == 0)
            rc = jobs[i].rc;
    }
    pthread_mutex_destroy(&sh.lock);
    free(threads);
    free(ids);
    free(started);
    return rc;
}
