/* `accelbench run` and `accelbench suite`: validate everything, then measure device by device
 * in worker processes, appending each row to the CSV the moment it is known. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "args.h"
#include "budget_run.h"
#include "commands.h"
#include "csv.h"
#include "fleet.h"
#include "measure.h"
#include "metadata.h"
#include "mpi_run.h"
#include "outpath.h"
#include "plot_hint.h"
#include "probe_supervisor.h"
#include "proc.h"
#include "progress.h"
#include "results_file.h"
#include "resume.h"
#include "roofs.h"
#include "row_settings.h"
#include "run_output.h"
#include "selection.h"
#include "cost.h"
#include "sidecar.h"
#include "signals.h"
#include "summary.h"
#include "topology.h"
#include "util.h"
#include "worker_supervisor.h"

static const char RUN_HELP[] =
    "usage: accelbench run --workload W[,W] [options]\n"
    "\n"
    "Measures workloads on devices, one CSV row per device x workload x config x dtype x library.\n"
    "\n"
    "Selection:\n"
    "  --workload W[,W]     workloads to run (see: accelbench list); required\n"
    "  --backend B[,B]      every distinct device model of backend B (repeatable)\n"
    "  --device B:N         one device; B:all = every device of B (repeatable)\n"
    "                       default: one device per distinct model over all backends\n"
    "  --dtype D[,D]        fp32, tf32, fp16, bf16, fp8 (default: every dtype a config defines)\n"
    "  --config C[,C]       config ids (default: the configs marked standard)\n"
    "                       (transfer p2p-*: one row per ordered pair of the chosen devices)\n"
    "  --library L          only rows through op library L (e.g. onednn, openblas); workloads\n"
    "                       without a library choice still run\n"
    "Measurement:\n"
    "  --cold               rotate buffer sets of >= 2x the last-level cache\n"
    "  --warmup-ms N        untimed warm-up, at least 2 runs (default 200; GPUs 1000)\n"
    "  --min-time-ms N      sampling lasts at least N ms (default 500)\n"
    "  --max-samples N      at most N samples (default 200; at least min(10, N) are taken)\n"
    "  --timeout-s N        watchdog per row: a row running longer is killed (default 600);\n"
    "                       also the deadline of each plugin's probe (default 60)\n"
    "  --seed N             input data seed (default 1)\n"
    "  --min-bytes N        collective workload: smallest size of the sweep (default 8)\n"
    "  --max-bytes N        collective workload: largest size (default 1073741824)\n"
    "  --factor N           collective workload: size step (default 2)\n"
    "                       (collective and dp_step run under mpirun only: docs/scale-out.md)\n"
    "Output:\n"
    "  --csv FILE           results CSV (a regular file or a new one), appended to if it has\n"
    "                       the header of this or an earlier schema version (rows then keep\n"
    "                       the file's columns); locked while the run writes it\n"
    "                       (default: results/<hostname>-<YYYYMMDD-HHMMSS>.csv)\n"
    "  --json FILE          environment sidecar (default: the CSV path with .json)\n"
    "  --tag key=value      recorded in every row's tags column (repeatable)\n"
    "Cost, energy, identity (docs/cli.md, \"Energy, carbon and cost\"):\n"
    "  --price-per-hour USD fills usd_per_hour and usd_per_million_items (overrides --prices)\n"
    "  --prices FILE        usd_per_hour from the CSV row (instance_type,provider,region,\n"
    "                       usd_per_hour) of this instance type\n"
    "  --instance-type T    the instance type (default: from DMI, or --cloud-metadata)\n"
    "  --region R           the region, to pick among a prices file's rows\n"
    "  --grid-gco2-per-kwh G  grid carbon intensity: fills gco2_per_million_items\n"
    "  --cloud-metadata     ask the provider's metadata endpoint for the instance type (1 s at\n"
    "                       most; without it nothing is asked of the network)\n"
    "  --resume             skip rows already standing with status ok in the CSV\n"
    "  --quiet              print only errors and the CSV path\n"
    "  --verbose            print every unsupported row as it comes and in the summary table\n"
    "                       (default: a count per device and each distinct reason, at the end),\n"
    "                       and under each layer's row (bert_layer, resnet_block, training) its\n"
    "                       planned ops, each with the library and algorithm the backend chose,\n"
    "                       and after its sampling each op's median time over up to 1 s of\n"
    "                       untimed runs, each op between device timers of its own\n"
    "  --dry-run            print the rows this would measure (device, workload, config, dtype,\n"
    "                       library), one per line, and stop: nothing is measured or written\n"
    "  --budget T           wall-time budget of the whole command (90s, 10m, 1.5h): rows are\n"
    "                       planned to fit, first one row of every workload on every device,\n"
    "                       then the rest in order, re-planned after every row; rows left out\n"
    "                       are written as status skipped with the reason (docs/cli.md)\n"
    "  --sequential         devices of one model one after another (default: at the same time,\n"
    "                       one worker each; a row more than 10% below the median of the\n"
    "                       same model's devices gets a 'fleet:' note either way)\n"
    "\n"
    "Exit status: 0 when no row is failed_verification or error, 1 otherwise (or rows could not\n"
    "be written, or the CSV vanished, or the sidecar could not be written), 2 bad usage (nothing\n"
    "is run or written), 130 interrupted (the CSV stays valid; --resume continues).\n";

static const char SUITE_HELP[] =
    "usage: accelbench suite [--quick] [--budget T] [run options]\n"
    "\n"
    "Runs the standard suite (every workload, the configs marked standard) on every available\n"
    "device, writes results/<hostname>-<YYYYMMDD-HHMMSS>[-quick].csv (relative to the\n"
    "current directory) and prints a summary table and the CSV path. Devices of one model run at\n"
    "the same time and are compared (fleet check; --sequential: one after another).\n"
    "\n"
    "  --budget T           fit the suite into T (90s, 10m, 1.5h): every workload on every device\n"
    "                       first, then the rest in order; rows left out are written as skipped.\n"
    "                       A first run on a small machine: accelbench suite --budget 8m\n"
    "  --quick              the pinned quick list (configs marked quick), on CPU devices each\n"
    "                       through the device's default op library, on accelerators through\n"
    "                       every library it offers (unless --library), with shorter sampling\n"
    "                       (--min-time-ms 200 unless given)\n"
    "Every `accelbench run` option is accepted and narrows or changes the suite (--workload,\n"
    "--device, --dtype, --config, --csv, --tag, ...; see: accelbench run --help).\n"
    "\n"
    "Exit status: as for run (0 all fine, 1 a row failed or errored, 2 bad usage, 130 interrupted).\n";

/* --dry-run: the rows, in the order they would run, and those --resume would skip. */
static void print_plan(const bench_plan *plan, size_t resumed)
{
    printf("dry run: %zu row%s planned", plan->item_count, plan->item_count == 1 ? "" : "s");
    if (resumed)
        printf(", %zu already ok in the CSV (--resume skips them)", resumed);
    printf("; nothing is measured or written\n");
    for (size_t i = 0; i < plan->item_count; i++) {
        const bench_item *it = &plan->items[i];
        printf("  %-10s %-13s %-30s %-5s %s%s%s%s\n", plan->devices[it->device].id, it->workload->name,
               it->config->id, awl_dtype_name(it->dtype), it->library[0] ? it->library : "-",
               it->has_peer ? "  -> " : "", it->has_peer ? plan->devices[it->peer].id : "",
               it->already_ok ? "  (already ok)" : it->over_budget ? "  (over --budget at first)" : "");
    }
}

typedef struct run_ctx {
    const bench_plan *plan;
    const bench_run_args *args;
    const bench_metadata *meta;
    bench_results_file *csv;
    size_t csv_columns;         /* the file's schema: an older file keeps its own column set */
    const char *schema_version;
    char tags[1024];
    bench_roofs roofs;
    bench_progress progress;
    bench_run_summary summary;
    bench_summary_table table;
    bench_run_budget *budget;   /* --budget; NULL without */
    bench_fleet fleet;          /* peers: devices of one model */
    int writing_left_out;       /* rows the budget left out: written, not shown one by one */
    char stop_note[128];        /* a row the budget's end stopped */
    bench_identity identity; /* provider, instance type, price, grid intensity */
} run_ctx;

static void item_label(const bench_plan *plan, size_t i, char *buf, size_t n)
{
    const bench_item *it = &plan->items[i];
    snprintf(buf, n, "%s%s%s %s %s %s%s%s", plan->devices[it->device].id, it->has_peer ? "->" : "",
             it->has_peer ? plan->devices[it->peer].id : "", it->workload->name, it->config->id,
             awl_dtype_name(it->dtype), it->library[0] ? " " : "", it->library);
}

static void on_start(void *vctx, size_t item)
{
    run_ctx *ctx = vctx;
    char label[256];
    item_label(ctx->plan, item, label, sizeof label);
    bench_progress_start(&ctx->progress, label);
    if (ctx->budget)
        bench_run_budget_started(ctx->budget, item);
}

/* --verbose: each step's median time over the profiled runs after the row's sampling, its share
 * of their sum, and the row's own median beside that sum (the steps run between timers with no
 * synchronization between them, so the sum comes close to the layer's time; where it is well
 * above, the timers themselves cost). */
static void on_step_times(void *vctx, size_t item, int runs, double row_median_ms, const char *times)
{
    run_ctx *ctx = vctx;
    if (!ctx->args->verbose || ctx->args->quiet || !times[0])
        return;
    /* One "<ms>\t<label>" line per step; a line without a time reads as 0 ms, labelled whole. */
    struct { double ms; const char *name; int len; } step[128];
    size_t n = 0;
    double sum = 0;
    for (const char *p = times; *p && n < sizeof step / sizeof step[0]; n++) {
        size_t len = strcspn(p, "\n");
        char *end;
        double ms = strtod(p, &end);
        if (end > p + len) { /* strtod skipped this line's end */
            ms = 0;
            end = (char *)p;
        }
        const char *name = *end == '\t' ? end + 1 : end;
        step[n].ms = ms;
        step[n].name = name;
        step[n].len = (int)(len - (size_t)(name - p));
        sum += ms;
        p += len + (p[len] == '\n');
    }
    char label[256], line[640];
    item_label(ctx->plan, item, label, sizeof label);
    snprintf(line, sizeof line, "%s: time per step, median of %d profiled run%s: %.3f ms in all (the row's median %.3f ms)",
             label, runs, runs == 1 ? "" : "s", sum, row_median_ms);
    bench_progress_message(&ctx->progress, line);
    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof line, "    %9.3f ms %5.1f%%  %.*s", step[i].ms, sum > 0 ? 100.0 * step[i].ms / sum : 0.0,
                 step[i].len < 300 ? step[i].len : 300, step[i].name);
        bench_progress_message(&ctx->progress, line);
    }
}

static void on_progress(void *vctx, size_t item, int sampling, size_t samples, double elapsed_ms)
{
    (void)item;
    bench_progress_tick(&((run_ctx *)vctx)->progress, sampling, samples, elapsed_ms);
}

/* --verbose: the row's planned ops, each with the library and algorithm its backend chose, under
 * the row's label (before its result line: setup comes first). */
static void on_steps(void *vctx, size_t item, const char *steps)
{
    run_ctx *ctx = vctx;
    if (!ctx->args->verbose || ctx->args->quiet || !steps[0])
        return;
    char label[256], line[640];
    item_label(ctx->plan, item, label, sizeof label);
    snprintf(line, sizeof line, "%s: steps", label);
    bench_progress_message(&ctx->progress, line);
    for (const char *p = steps; *p;) {
        size_t n = strcspn(p, "\n");
        snprintf(line, sizeof line, "    %.*s", (int)(n < 600 ? n : 600), p);
        bench_progress_message(&ctx->progress, line);
        p += n;
        if (*p == '\n')
            p++;
    }
}

static int wanted(void *vctx, size_t item)
{
    run_ctx *ctx = vctx;
    return !ctx->budget || bench_run_budget_wanted(ctx->budget, item);
}

/* The columns that say whose row it is: host, version and device, as the CSV records them (the
 * resume keys of planned rows are made from the same). */
static void device_row(const bench_metadata *meta, const accel_device_info *d, bench_row *row)
{
    bench_row_set(row, BENCH_COL_HOSTNAME, meta->hostname);
    bench_row_set(row, BENCH_COL_ACCELBENCH_VERSION, meta->version);
    bench_row_set(row, BENCH_COL_BACKEND, d->backend);
    bench_row_setf(row, BENCH_COL_DEVICE_INDEX, "%d", d->index);
    bench_row_set(row, BENCH_COL_DEVICE_UUID, d->uuid);
    bench_row_set(row, BENCH_COL_PCI_BUS_ID, d->pci_bus_id);
    bench_row_set(row, BENCH_COL_DEVICE_NAME, d->name);
}

/* Columns the parent owns: identity of the device and the run, the roof, and prices. */
static void fill_row(run_ctx *ctx, size_t item, const bench_row *from_worker, bench_row *row)
{
    const bench_item *it = &ctx->plan->items[item];
    const accel_device_info *d = &ctx->plan->devices[it->device].info;
    bench_row_set(row, BENCH_COL_SCHEMA_VERSION, ctx->schema_version);
    bench_row_set(row, BENCH_COL_RUN_ID, ctx->meta->run_id);
    char now[32];
    bench_utc_iso(now, sizeof now);
    bench_row_set(row, BENCH_COL_TIMESTAMP_UTC, now);
    bench_row_set(row, BENCH_COL_GIT_SHA, ctx->meta->git_sha);
    bench_row_set(row, BENCH_COL_TAGS, ctx->tags);
    device_row(ctx->meta, d, row);
    bench_row_set(row, BENCH_COL_VENDOR, d->vendor);
    bench_row_set(row, BENCH_COL_DRIVER_VERSION, d->driver_version);
    bench_row_set(row, BENCH_COL_RUNTIME_VERSION, d->runtime_version);
    bench_row_set(row, BENCH_COL_LIBRARY, it->library);
    bench_row_set(row, BENCH_COL_WORKLOAD, it->workload->name);
    bench_row_set(row, BENCH_COL_CONFIG, it->config->id);
    bench_row_set(row, BENCH_COL_DTYPE, awl_dtype_name(it->dtype));
    bench_row_set(row, BENCH_COL_CACHE, ctx->args->cold ? "cold" : "warm");
    bench_row_set(row, BENCH_COL_TIMER, ctx->plan->devices[it->device].timer_name);
    for (int c = 0; c < BENCH_COL_COUNT; c++) {
        const char *v = bench_row_get(from_worker, (bench_column)c);
        if (v[0])
            bench_row_set(row, (bench_column)c, v);
    }
    const bench_identity *id = &ctx->identity;
    bench_cost cost = {id->usd_per_hour, id->grid_gco2_per_kwh, id->instance.provider,
                       id->instance.instance_type};
    bench_cost_fill(&cost, row);
}

/* The row is appended whole or not at all; one that cannot be written is not counted as written,
 * its record goes to stderr instead, and a results file that vanished stops the run. */
static void emit_row(void *vctx, size_t item, bench_row *row_in)
{
    run_ctx *ctx = vctx;
    bench_row row = *row_in; /* the caller frees it */
    char label[256];
    item_label(ctx->plan, item, label, sizeof label);
    bench_strbuf record = {0};
    bench_csv_format_record(&record, (const char *const *)row.fields, ctx->csv_columns);
    char why[600] = "";
    bench_append_result r = BENCH_APPEND_CHANGED;
    if (!ctx->summary.stopped)
        r = bench_results_append(ctx->csv, record.data, record.len, why, sizeof why);
    if (r == BENCH_APPEND_OK) {
        const char *status = bench_row_get(&row, BENCH_COL_STATUS);
        for (int s = 0; s < 5; s++)
            if (strcmp(status, bench_statuses[s]) == 0)
                ctx->summary.rows_by_status[s]++;
        if (!ctx->writing_left_out) {
            bench_progress_row(&ctx->progress, label, &row);
            /* Unsupported rows are told once, condensed by device and reason (progress.c); the
             * table repeats them only with --verbose. */
            if (ctx->args->verbose || strcmp(status, "unsupported") != 0)
                bench_summary_table_add(&ctx->table, &row);
        }
    } else {
        ctx->summary.rows_lost++;
        if (r == BENCH_APPEND_CHANGED && !ctx->summary.stopped) {
            ctx->summary.stopped = 1;
            bench_copy(ctx->summary.problem, sizeof ctx->summary.problem, why);
        } else if (r == BENCH_APPEND_LOST && !ctx->summary.problem[0]) {
            char shown[256];
            bench_path_for_message(ctx->csv->path, shown, sizeof shown);
            snprintf(ctx->summary.problem, sizeof ctx->summary.problem, "cannot write %s: %.300s",
                     shown, why);
        }
        bench_progress_lost(&ctx->progress, label, why[0] ? why : ctx->summary.problem, record.data);
    }
    bench_strbuf_free(&record);
}

static int on_row(void *vctx, size_t item, bench_row *from_worker, const char *roof, int bandwidth)
{
    run_ctx *ctx = vctx;
    bench_row row = {0};
    fill_row(ctx, item, from_worker, &row);
    const bench_item *it = &ctx->plan->items[item];
    bench_roofs_apply(&ctx->roofs, &ctx->plan->devices[it->device].info, roof, bandwidth, &row);
    bench_roofs_record(&ctx->roofs, &row, roof);
    if (ctx->writing_left_out) {
        emit_row(ctx, item, &row);
        bench_fleet_offer(&ctx->fleet, item, NULL, emit_row, ctx);
    } else {
        /* A row compared with its peers waits for theirs (seconds: peers run the same rows at
         * the same time). */
        bench_fleet_offer(&ctx->fleet, item, &row, emit_row, ctx);
    }
    bench_row_free(&row);
    int replan = 0;
    if (ctx->budget && !ctx->writing_left_out) {
        replan = bench_run_budget_finished(ctx->budget, item, bench_row_get(from_worker, BENCH_COL_STATUS));
        /* The bar counts the rows planned now, not those the budget left out. */
        ctx->progress.total = ctx->progress.done + bench_run_budget_planned(ctx->budget);
    }
    return ctx->summary.stopped ? 1 : replan ? BENCH_SINK_REPLAN : 0;
}

/* The rows --budget left out, as status skipped with the reason, once the devices are done. */
static void write_left_out(run_ctx *ctx)
{
    size_t n = 0;
    ctx->writing_left_out = 1;
    for (size_t i = 0; i < ctx->plan->item_count && !ctx->summary.stopped; i++) {
        char note[200];
        if (!bench_run_budget_skipped(ctx->budget, i, note, sizeof note))
            continue;
        bench_row row = {0};
        bench_row_set(&row, BENCH_COL_STATUS, "skipped");
        bench_row_set(&row, BENCH_COL_NOTES, note);
        on_row(ctx, i, &row, "", 0);
        bench_row_free(&row);
        n++;
    }
    ctx->writing_left_out = 0;
    if (n && !ctx->args->quiet) {
        char line[200];
        snprintf(line, sizeof line, "budget %s: %zu row%s left out, written to the CSV as skipped with "
                 "the reason", ctx->args->budget_text, n, n == 1 ? "" : "s");
        bench_progress_message(&ctx->progress, line);
    }
}

/* --resume: rows this host, version and device already measured ok are not run again. */
static size_t mark_resumed(bench_plan *plan, const bench_metadata *meta, const bench_existing_csv *e)
{
    size_t resumed = 0;
    for (size_t i = 0; i < plan->item_count; i++) {
        bench_item *it = &plan->items[i];
        bench_row row = {0};
        device_row(meta, &plan->devices[it->device].info, &row);
        bench_row_set(&row, BENCH_COL_WORKLOAD, it->workload->name);
        bench_row_set(&row, BENCH_COL_CONFIG, it->config->id);
        bench_row_set(&row, BENCH_COL_DTYPE, awl_dtype_name(it->dtype));
        if (it->has_peer)
            bench_row_set(&row, BENCH_COL_PEER_DEVICE, plan->devices[it->peer].id);
        bench_strbuf key = {0};
        bench_resume_key_of_row(&row, it->library[0] ? it->library : "*", &key);
        it->already_ok = bench_strlist_contains(&e->ok_keys, key.data);
        resumed += (size_t)it->already_ok;
        bench_strbuf_free(&key);
        bench_row_free(&row);
    }
    return resumed;
}

/* Measured roofs from the file count only for a device of this plan (same identity). */
static void reuse_roofs(run_ctx *ctx, const bench_existing_csv *e)
{
    for (size_t r = 0; r < e->roof_row_count; r++) {
        bench_strbuf have = {0};
        bench_device_identity(&e->roof_rows[r], &have);
        for (size_t d = 0; d < ctx->plan->device_count; d++) {
            bench_row row = {0};
            bench_strbuf want = {0};
            device_row(ctx->meta, &ctx->plan->devices[d].info, &row);
            bench_device_identity(&row, &want);
            int same = strcmp(bench_strbuf_str(&have), bench_strbuf_str(&want)) == 0;
            bench_strbuf_free(&want);
            bench_row_free(&row);
            if (same) {
                bench_roofs_record(&ctx->roofs, &e->roof_rows[r], NULL);
                break;
            }
        }
        bench_strbuf_free(&have);
    }
}

static int usage_error(const char *cmd, const char *msg)
{
    fprintf(stderr, "accelbench %s: %s\n", cmd, msg);
    return 2;
}

/* Device d's rows still to run, and its worker settings. */
static void device_job(run_ctx *ctx, accel_runtime *rt, size_t d, bench_device_job *job)
{
    const bench_plan *plan = ctx->plan;
    job->n = 0;
    for (size_t i = 0; i < plan->item_count; i++) {
        const bench_item *it = &plan->items[i];
        if (it->device == d && !it->already_ok && !it->has_peer)
            job->rows[job->n++] = (bench_worker_row){i, it->workload->name, it->config->id,
                                                     awl_dtype_name(it->dtype), it->library};
    }
    int gpu = plan->devices[d].info.type != ACCEL_DEVICE_CPU;
    bench_row_settings_resolve(ctx->args, gpu, &job->s);
    job->s.plugin_path = bench_backend_plugin_path(rt, plan->devices[d].info.backend);
    job->s.device_id = plan->devices[d].id;
    job->s.pin_threads = !gpu;
    if (ctx->budget) {
        job->s.stop_at_ms = bench_run_budget_stop_at_ms(ctx->budget);
        snprintf(ctx->stop_note, sizeof ctx->stop_note,
                 "--budget %s: the budget ran out during the row (not a complete measurement)",
                 ctx->args->budget_text);
        job->s.stop_note = ctx->stop_note;
    }
    job->rc = 0;
}

/* The rows of pairs (transfer p2p-*), after every device's own rows: one worker per ordered pair
 * (device -> peer) opens both devices, and the pairs run one at a time, so a pair's copies never
 * share a device or a link with another row. Returns 1 when interrupted. */
static int run_pairs(run_ctx *ctx, accel_runtime *rt, bench_worker_hooks *hooks)
{
    const bench_plan *plan = ctx->plan;
    bench_device_job job;
    memset(&job, 0, sizeof job);
    job.rows = malloc((plan->item_count ? plan->item_count : 1) * sizeof *job.rows);
    if (!job.rows)
        abort();
    int interrupted = 0;
    for (size_t i = 0; i < plan->item_count && !interrupted && !ctx->summary.stopped; i++) {
        const bench_item *first = &plan->items[i];
        if (!first->has_peer || first->already_ok)
            continue;
        int seen = 0; /* this pair's rows went with an earlier item of the same pair */
        for (size_t j = 0; j < i && !seen; j++)
            seen = plan->items[j].has_peer && !plan->items[j].already_ok &&
                   plan->items[j].device == first->device && plan->items[j].peer == first->peer;
        if (seen)
            continue;
        device_job(ctx, rt, first->device, &job);
        job.n = 0;
        for (size_t j = i; j < plan->item_count; j++) {
            const bench_item *it = &plan->items[j];
            if (it->has_peer && !it->already_ok && it->device == first->device && it->peer == first->peer)
                job.rows[job.n++] = (bench_worker_row){j, it->workload->name, it->config->id,
                                                       awl_dtype_name(it->dtype), it->library};
        }
        job.s.peer_device_id = plan->devices[first->peer].id;
        job.s.peer_plugin_path = bench_backend_plugin_path(rt, plan->devices[first->peer].info.backend);
        int rc = bench_worker_run_rows(job.rows, job.n, &job.s, hooks);
        interrupted = rc == 130 || bench_interrupted;
    }
    free(job.rows);
    return interrupted;
}

/* Models one after another; the devices of one model (peers) at the same time, one worker each,
 * unless --sequential or CPU devices (which share the host's cores with everything else).
 * Returns 1 when interrupted. */
static int run_devices(run_ctx *ctx, accel_runtime *rt, const bench_run_args *a)
{
    const bench_plan *plan = ctx->plan;
    size_t nd = plan->device_count;
    bench_device_job *jobs = calloc(nd ? nd : 1, sizeof *jobs);
    if (!jobs)
        abort();
    for (size_t d = 0; d < nd; d++) {
        jobs[d].rows = malloc((plan->item_count ? plan->item_count : 1) * sizeof *jobs[d].rows);
        if (!jobs[d].rows)
            abort();
    }
    bench_worker_hooks hooks = {on_start, on_row, on_progress, wanted, ctx, on_steps, on_step_times};
    int interrupted = 0;
    for (size_t d = 0; d < nd && !interrupted && !ctx->summary.stopped; d++) {
        if (ctx->fleet.model[d] != d)
            continue; /* ran with the first device of its model */
        int together = !a->sequential && bench_fleet_has_peers(&ctx->fleet, d) &&
                       plan->devices[d].info.type != ACCEL_DEVICE_CPU;
        bench_device_job *batch[64];
        size_t nbatch = 0;
        for (size_t e = d; e < nd && !interrupted && !ctx->summary.stopped; e++) {
            if (ctx->fleet.model[e] != d)
                continue;
            device_job(ctx, rt, e, &jobs[e]);
            if (jobs[e].n == 0)
                continue;
            if (together && nbatch < sizeof batch / sizeof batch[0]) {
                batch[nbatch++] = &jobs[e];
                continue;
            }
            int rc = bench_worker_run_rows(jobs[e].rows, jobs[e].n, &jobs[e].s, &hooks);
            interrupted = rc == 130 || bench_interrupted;
        }
        if (nbatch) {
            bench_device_job run[64];
            for (size_t b = 0; b < nbatch; b++)
                run[b] = *batch[b];
            int rc = bench_fleet_run_jobs(run, nbatch, &hooks);
            interrupted = rc == 130 || bench_interrupted;
        }
        if (ctx->budget)
            for (size_t e = d; e < nd; e++)
                if (ctx->fleet.model[e] == d)
                    bench_run_budget_device_done(ctx->budget, e);
    }
    if (!interrupted && !ctx->summary.stopped)
        interrupted = run_pairs(ctx, rt, &hooks);
    for (size_t d = 0; d < nd; d++)
        free(jobs[d].rows);
    free(jobs);
    return interrupted;
}

static int run_other_rank(accel_runtime *rt, bench_plan *plan, bench_run_args *a,
                          const accel_mpi_world *mpi, bench_metadata *meta, bench_run_output *out);

/* mpi: the world of an MPI launch (mpi_run.h), NULL in a plain run. Under MPI every rank walks
 * the same checkpoints (bench_mpi_agree), and only rank 0 touches the files. */
static int run_command(int argc, char **argv, int is_suite, const accel_mpi_world *mpi)
{
    /* --budget counts the whole command, the plugin probes included. */
    double started_ms = bench_monotonic_ms();
    const char *cmd = is_suite ? "suite" : "run";
    const int rank0 = !mpi || mpi->rank == 0;
    bench_run_args a;
    char err[1024];
    int rc = bench_run_args_parse(argc, argv, 2, is_suite, &a, err, sizeof err);
    if (rc != 0) {
        bench_run_args_free(&a);
        return rank0 ? usage_error(cmd, err) : 2;
    }
    a.mpi = mpi != NULL;
    if (a.help) {
        fputs(is_suite ? SUITE_HELP : RUN_HELP, stdout);
        bench_run_args_free(&a);
        return 0;
    }
    accel_runtime *rt = NULL;
    /* --timeout-s bounds every step that can hang, the plugin probes included. */
    rc = bench_runtime_open_probed(&rt, cmd,
                                   a.timeout_s > 0 ? (long)a.timeout_s
                                                   : bench_probe_timeout_from_env(BENCH_PROBE_DEFAULT_TIMEOUT_S));
    if (rc != 0) {
        bench_run_args_free(&a);
        return rc;
    }
    int exit_status = 2;
    bench_plan plan = {0};
    bench_run_output out;
    memset(&out, 0, sizeof out);
    out.csv.fd = -1;
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    bench_metadata meta;
    bench_metadata_init(&meta);
    bench_row_owner owner = {meta.hostname, meta.version};
    bench_run_budget budget;
    memset(&budget, 0, sizeof budget);

    int ready = bench_plan_build(rt, &a, &plan, err, sizeof err);
    if (ready == 0 && mpi)
        ready = bench_mpi_bind_device(rt, mpi, &plan, err, sizeof err);
    /* Output paths: checked, never created, until everything is known to be valid. */
    if (ready == 0 && rank0)
        ready = bench_run_output_check(&a, &meta, &owner, &out, err, sizeof err);
    if (ready != 0 && rank0)
        usage_error(cmd, err);
    if (mpi)
        ready = bench_mpi_agree(ready);
    if (ready != 0)
        goto out;

    if (bench_identity_resolve(&a, &ctx.identity, err, sizeof err) != 0) {
        usage_error(cmd, err);
        goto out;
    }
    if (ctx.identity.instance.metadata_error[0] && !a.quiet)
        fprintf(stderr, "accelbench %s: --cloud-metadata: %s\n", cmd,
                ctx.identity.instance.metadata_error);

    if (a.dry_run) {
        /* The file as it stands now (not locked: nothing is written). */
        if (rank0) {
            size_t resumed = a.resume ? mark_resumed(&plan, &meta, &out.existing) : 0;
            if (a.budget_s > 0 && bench_run_budget_init(&budget, &plan, &a, started_ms) == 0) {
                char line[400];
                bench_run_budget_describe(&budget, line, sizeof line);
                printf("%s\n", line);
                for (size_t i = 0; i < plan.item_count; i++)
                    if (!plan.items[i].already_ok && !bench_run_budget_wanted(&budget, i))
                        plan.items[i].over_budget = 1;
            }
            print_plan(&plan, resumed);
        }
        exit_status = 0;
        goto out;
    }

    /* Everything is valid: from here on files are written. A file size limit (ulimit -f) makes
     * a write fail with EFBIG, handled like a full disk, instead of killing the process. */
    signal(SIGXFSZ, SIG_IGN);
    rc = rank0 ? bench_run_output_open(&a, &meta, &owner, &out, err, sizeof err) : 0;
    if (rc != 0) {
        fprintf(stderr, "accelbench %s: %s\n", cmd, err);
        /* Under MPI the other ranks wait at the checkpoint after the sidecar: meet them there. */
        exit_status = mpi ? bench_mpi_agree(rc) : rc;
        goto out;
    }
    if (!rank0) {
        /* Rank 0's files are ready (or it failed and says so here). */
        rc = bench_mpi_agree(0);
        if (rc != 0) {
            exit_status = rc;
            goto out;
        }
        return run_other_rank(rt, &plan, &a, mpi, &meta, &out);
    }
    const char *csv_path = out.csv_path;
    size_t resumed = a.resume ? mark_resumed(&plan, &meta, &out.existing) : 0;
    if (out.existing.foreign_rows && !a.quiet)
        fprintf(stderr, "accelbench %s: %s holds %zu row%s of another host or accelbench version: kept, "
                        "but not taken as done by --resume nor as measured roofs\n",
                cmd, csv_path, out.existing.foreign_rows, out.existing.foreign_rows == 1 ? "" : "s");
    bench_topology topo;
    bench_topology_read(&topo);
    ctx.plan = &plan;
    ctx.args = &a;
    ctx.meta = &meta;
    ctx.csv = &out.csv;
    ctx.csv_columns = out.existing.columns;
    ctx.schema_version = out.existing.schema_version;
    ctx.summary.rows_resumed = resumed;
    for (size_t i = 0; i < a.tags.count; i++)
        snprintf(ctx.tags + strlen(ctx.tags), sizeof ctx.tags - strlen(ctx.tags), "%s%s",
                 i ? ";" : "", a.tags.items[i]);
    reuse_roofs(&ctx, &out.existing);
    bench_fleet_init(&ctx.fleet, &plan);
    bench_sidecar side = {out.json_path, csv_path, &meta, &topo, rt, &plan, &a, argc, argv, &ctx.summary,
                          &ctx.identity};
    if (bench_sidecar_write(&side) != 0) {
        /* Nothing is measured without its environment record. */
        char shown[256];
        bench_path_for_message(out.json_path, shown, sizeof shown);
        fprintf(stderr, "accelbench %s: cannot write %s: %s\n", cmd, shown, strerror(errno));
        bench_run_output_close(&out, 1);
        exit_status = mpi ? bench_mpi_agree(1) : 1;
        goto out;
    }
    if (mpi && bench_mpi_agree(0) != 0) {
        bench_run_output_close(&out, 1);
        exit_status = 1;
        goto out;
    }

    bench_signals_install();
    bench_progress_init(&ctx.progress, plan.item_count - resumed, a.quiet, a.verbose);
    if (resumed && !a.quiet)
        fprintf(stderr, "resume: %zu of %zu rows already ok in %s\n", resumed, plan.item_count, csv_path);
    int interrupted;
    if (mpi) {
        /* Under MPI every rank runs its own device's rows in step with the others; a wall-time
         * budget would let ranks drop different rows, so --budget plans nothing there. */
        int rr = bench_mpi_share_resume(&plan);
        (void)rr;
        rr = bench_mpi_run_rows(rt, &plan, &a, mpi, on_start, on_row, &ctx);
        interrupted = rr == 130;
    } else {
        if (a.budget_s > 0) {
            if (bench_run_budget_init(&budget, &plan, &a, started_ms) != 0)
                abort();
            ctx.budget = &budget;
            ctx.progress.total = bench_run_budget_planned(&budget);
            if (!a.quiet) {
                char line[400];
                bench_run_budget_describe(&budget, line, sizeof line);
                fprintf(stderr, "%s\n", line);
            }
        }
        interrupted = run_devices(&ctx, rt, &a);
        if (ctx.budget && !interrupted)
            write_left_out(&ctx);
    }
    /* Rows whose peers' rows will not come (interrupted, resumed) are written as they are. */
    bench_fleet_flush(&ctx.fleet, emit_row, &ctx);
    bench_progress_finish(&ctx.progress);
    int csv_there = bench_results_still_there(&out.csv);
    bench_run_output_close(&out, 0);

    int failed = ctx.summary.rows_by_status[1] + ctx.summary.rows_by_status[2] > 0 ||
                 ctx.summary.rows_lost > 0 || ctx.summary.stopped;
    exit_status = interrupted ? bench_signals_exit_status() : failed ? 1 : 0;
    ctx.summary.finished = 1;
    ctx.summary.interrupted = interrupted;
    ctx.summary.exit_status = exit_status;
    bench_utc_iso(ctx.summary.finished_utc, sizeof ctx.summary.finished_utc);
    if (bench_sidecar_write(&side) != 0) {
        char shown[256];
        bench_path_for_message(out.json_path, shown, sizeof shown);
        fprintf(stderr, "accelbench %s: cannot write %s: %s\n", cmd, shown, strerror(errno));
        if (exit_status == 0)
            exit_status = 1;
    }
    if (is_suite && !a.quiet)
        bench_summary_table_print(&ctx.table, stdout);
    if (!a.quiet && ctx.fleet.flags.count) {
        printf("fleet check: %zu row%s more than %.0f%% below the median of the same model's devices:\n",
               ctx.fleet.flags.count, ctx.fleet.flags.count == 1 ? "" : "s", BENCH_FLEET_THRESHOLD * 100);
        for (size_t i = 0; i < ctx.fleet.flags.count; i++)
            printf("  %s\n", ctx.fleet.flags.items[i]);
    }
    if (ctx.summary.stopped)
        fprintf(stderr, "accelbench %s: stopped: %s; %zu measured row%s could not be written (printed "
                        "above as 'lost row:')\n",
                cmd, ctx.summary.problem, ctx.summary.rows_lost, ctx.summary.rows_lost == 1 ? "" : "s");
    else if (ctx.summary.rows_lost)
        fprintf(stderr, "accelbench %s: %zu row%s could not be written (%s); each is printed above as "
                        "'lost row:'\n",
                cmd, ctx.summary.rows_lost, ctx.summary.rows_lost == 1 ? "" : "s", ctx.summary.problem);
    if (interrupted)
        fprintf(stderr, "interrupted: the CSV is complete up to the last row; rerun with --resume "
                        "to finish\n");
    /* Never name a file that is gone or no longer holds what this run wrote. */
    if (csv_there && !ctx.summary.stopped) {
        printf("results: %s\n", csv_path);
        if (!a.quiet)
            bench_plot_hint_print(csv_path, stdout);
    }
out:
    bench_fleet_free(&ctx.fleet);
    bench_run_budget_free(&budget);
    bench_summary_table_free(&ctx.table);
    bench_roofs_free(&ctx.roofs);
    bench_run_output_free(&out);
    bench_plan_free(&plan);
    accel_runtime_close(rt);
    bench_run_args_free(&a);
    return exit_status;
}

/* The ranks other than 0 under MPI: the same rows, in lockstep with rank 0, nothing written. */
static int run_other_rank(accel_runtime *rt, bench_plan *plan, bench_run_args *a,
                          const accel_mpi_world *mpi, bench_metadata *meta, bench_run_output *out)
{
    (void)meta;
    int rc = 0;
    if (bench_mpi_share_resume(plan) != 0)
        rc = 1;
    if (rc == 0)
        rc = bench_mpi_run_rows(rt, plan, a, mpi, NULL, NULL, NULL);
    bench_run_output_free(out);
    bench_plan_free(plan);
    accel_runtime_close(rt);
    bench_run_args_free(a);
    return rc == 130 ? bench_signals_exit_status() : rc;
}

int bench_cmd_run(int argc, char **argv, int is_suite)
{
    if (!accel_mpi_launched())
        return run_command(argc, argv, is_suite, NULL);
    accel_mpi_world world;
    int rc = bench_mpi_start(argc, argv, is_suite ? "suite" : "run", &world);
    if (rc == 0)
        rc = run_command(argc, argv, is_suite, &world);
    return bench_mpi_finish(rc);
}
