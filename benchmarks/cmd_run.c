/* `accelbench run` and `accelbench suite`: validate everything, then measure device by device
 * in worker processes, appending each row to the CSV the moment it is known. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel/accel.h"
#include "args.h"
#include "commands.h"
#include "csv.h"
#include "metadata.h"
#include "progress.h"
#include "resume.h"
#include "roofs.h"
#include "selection.h"
#include "sidecar.h"
#include "signals.h"
#include "summary.h"
#include "topology.h"
#include "util.h"
#include "worker.h"

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
    "  --library L          only rows through op library L (e.g. onednn, openblas); workloads\n"
    "                       without a library choice still run\n"
    "Measurement:\n"
    "  --cold               rotate buffer sets of >= 2x the last-level cache\n"
    "  --warmup-ms N        untimed warm-up, at least 2 runs (default 200; GPUs 1000)\n"
    "  --min-time-ms N      sampling lasts at least N ms (default 500)\n"
    "  --max-samples N      at most N samples (default 200; at least min(10, N) are taken)\n"
    "  --timeout-s N        watchdog per row: a row running longer is killed (default 600)\n"
    "  --seed N             input data seed (default 1)\n"
    "Output:\n"
    "  --csv FILE           results CSV, appended to if it has the same header\n"
    "                       (default: results/<hostname>-<YYYYMMDD-HHMMSS>.csv)\n"
    "  --json FILE          environment sidecar (default: the CSV path with .json)\n"
    "  --tag key=value      recorded in every row's tags column (repeatable)\n"
    "  --price-per-hour USD fills usd_per_hour and usd_per_million_items\n"
    "  --resume             skip rows already standing with status ok in the CSV\n"
    "  --quiet              print only errors and the CSV path\n"
    "  --dry-run            print the rows this would measure (device, workload, config, dtype,\n"
    "                       library), one per line, and stop: nothing is measured or written\n"
    "\n"
    "Exit status: 0 when no row is failed_verification or error, 1 otherwise, 2 bad usage\n"
    "(nothing is run or written), 130 interrupted (the CSV stays valid; --resume continues).\n";

static const char SUITE_HELP[] =
    "usage: accelbench suite [--quick] [run options]\n"
    "\n"
    "Runs the standard suite (every workload, the configs marked standard) on every available\n"
    "device model, writes results/<hostname>-<YYYYMMDD-HHMMSS>[-quick].csv (relative to the\n"
    "current directory) and prints a summary table and the CSV path.\n"
    "\n"
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
        printf("  %-10s %-13s %-30s %-5s %s%s\n", plan->devices[it->device].id, it->workload->name,
               it->config->id, awl_dtype_name(it->dtype), it->library[0] ? it->library : "-",
               it->already_ok ? "  (already ok)" : "");
    }
}

typedef struct run_ctx {
    const bench_plan *plan;
    const bench_run_args *args;
    const bench_metadata *meta;
    FILE *csv;
    const char *csv_path;
    char tags[1024];
    bench_roofs roofs;
    bench_progress progress;
    bench_run_summary summary;
    bench_summary_table table;
    int write_failed;
} run_ctx;

static void item_label(const bench_plan *plan, size_t i, char *buf, size_t n)
{
    const bench_item *it = &plan->items[i];
    snprintf(buf, n, "%s %s %s %s%s%s", plan->devices[it->device].id, it->workload->name,
             it->config->id, awl_dtype_name(it->dtype), it->library[0] ? " " : "", it->library);
}

static void on_start(void *vctx, size_t item)
{
    run_ctx *ctx = vctx;
    char label[256];
    item_label(ctx->plan, item, label, sizeof label);
    bench_progress_start(&ctx->progress, label);
}

/* Columns the parent owns: identity of the device and the run, the roof, and prices. */
static void fill_row(run_ctx *ctx, size_t item, const bench_row *from_worker, bench_row *row)
{
    const bench_item *it = &ctx->plan->items[item];
    const accel_device_info *d = &ctx->plan->devices[it->device].info;
    bench_row_set(row, BENCH_COL_SCHEMA_VERSION, BENCH_SCHEMA_VERSION);
    bench_row_set(row, BENCH_COL_RUN_ID, ctx->meta->run_id);
    char now[32];
    bench_utc_iso(now, sizeof now);
    bench_row_set(row, BENCH_COL_TIMESTAMP_UTC, now);
    bench_row_set(row, BENCH_COL_ACCELBENCH_VERSION, ctx->meta->version);
    bench_row_set(row, BENCH_COL_GIT_SHA, ctx->meta->git_sha);
    bench_row_set(row, BENCH_COL_HOSTNAME, ctx->meta->hostname);
    bench_row_set(row, BENCH_COL_TAGS, ctx->tags);
    bench_row_set(row, BENCH_COL_BACKEND, d->backend);
    bench_row_setf(row, BENCH_COL_DEVICE_INDEX, "%d", d->index);
    bench_row_set(row, BENCH_COL_DEVICE_UUID, d->uuid);
    bench_row_set(row, BENCH_COL_PCI_BUS_ID, d->pci_bus_id);
    bench_row_set(row, BENCH_COL_DEVICE_NAME, d->name);
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
    if (ctx->args->price_per_hour >= 0) {
        bench_row_set_number(row, BENCH_COL_USD_PER_HOUR, ctx->args->price_per_hour);
        double items_per_s;
        if (bench_parse_double(bench_row_get(row, BENCH_COL_ITEMS_PER_S), &items_per_s) == 0 &&
            items_per_s > 0)
            bench_row_set_number(row, BENCH_COL_USD_PER_MILLION_ITEMS,
                                 ctx->args->price_per_hour / 3600.0 / items_per_s * 1e6);
    }
}

static void on_row(void *vctx, size_t item, bench_row *from_worker, const char *roof, int bandwidth)
{
    run_ctx *ctx = vctx;
    bench_row row = {0};
    fill_row(ctx, item, from_worker, &row);
    const bench_item *it = &ctx->plan->items[item];
    bench_roofs_apply(&ctx->roofs, &ctx->plan->devices[it->device].info, roof, bandwidth, &row);
    bench_roofs_record(&ctx->roofs, &row, roof);
    if (bench_csv_append(ctx->csv, (const char *const *)row.fields, BENCH_COL_COUNT) != 0 &&
        !ctx->write_failed) {
        ctx->write_failed = 1;
        char msg[600];
        snprintf(msg, sizeof msg, "accelbench: cannot write %s: %s", ctx->csv_path, strerror(errno));
        bench_progress_message(&ctx->progress, msg);
    }
    const char *status = bench_row_get(&row, BENCH_COL_STATUS);
    for (int s = 0; s < 5; s++)
        if (strcmp(status, bench_statuses[s]) == 0)
            ctx->summary.rows_by_status[s]++;
    char label[256];
    item_label(ctx->plan, item, label, sizeof label);
    bench_progress_row(&ctx->progress, label, &row);
    bench_summary_table_add(&ctx->table, &row);
    bench_row_free(&row);
}

/* Directory part of path must exist and be writable. */
static int check_writable_dir(const char *path, const char *what, char *err, size_t n)
{
    char *copy = bench_strdup(path);
    const char *dir = dirname(copy);
    struct stat st;
    int rc = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, n, "%s '%s': directory '%s' does not exist", what, path, dir);
        rc = 2;
    } else if (access(dir, W_OK) != 0) {
        snprintf(err, n, "%s '%s': directory '%s' is not writable", what, path, dir);
        rc = 2;
    } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, n, "%s '%s' is a directory", what, path);
        rc = 2;
    } else if (stat(path, &st) == 0 && access(path, W_OK) != 0) {
        snprintf(err, n, "%s '%s' is not writable", what, path);
        rc = 2;
    }
    free(copy);
    return rc;
}

static char *default_json_path(const char *csv)
{
    size_t n = strlen(csv);
    bench_strbuf sb = {0};
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        bench_strbuf_appendn(&sb, csv, n - 4);
    else
        bench_strbuf_append(&sb, csv);
    bench_strbuf_append(&sb, ".json");
    return sb.data;
}

static void plot_hint(const char *csv_path)
{
    const char *candidates[] = {ACCELBENCH_SOURCE_DIR "/scripts/plot.py", ACCELBENCH_DATA_DIR "/plot.py"};
    for (size_t i = 0; i < 2; i++)
        if (access(candidates[i], R_OK) == 0) {
            printf("plot: python3 %s %s\n", candidates[i], csv_path);
            return;
        }
}

static int usage_error(const char *cmd, const char *msg)
{
    fprintf(stderr, "accelbench %s: %s\n", cmd, msg);
    return 2;
}

int bench_cmd_run(int argc, char **argv, int is_suite)
{
    const char *cmd = is_suite ? "suite" : "run";
    bench_run_args a;
    char err[1024];
    int rc = bench_run_args_parse(argc, argv, 2, is_suite, &a, err, sizeof err);
    if (rc != 0) {
        bench_run_args_free(&a);
        return usage_error(cmd, err);
    }
    if (a.help) {
        fputs(is_suite ? SUITE_HELP : RUN_HELP, stdout);
        bench_run_args_free(&a);
        return 0;
    }
    accel_runtime *rt = NULL;
    if (bench_runtime_open(&rt, cmd) != 0) {
        bench_run_args_free(&a);
        return 1;
    }
    int exit_status = 2;
    bench_plan plan = {0};
    bench_existing_csv existing = {0};
    char *csv_default = NULL, *json_default = NULL;
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    bench_metadata meta;
    bench_metadata_init(&meta);

    if (bench_plan_build(rt, &a, &plan, err, sizeof err) != 0) {
        usage_error(cmd, err);
        goto out;
    }
    /* Output paths: checked, never created, until everything is known to be valid. */
    int default_dir = 0;
    const char *csv_path = a.csv_path;
    if (!csv_path) {
        char stamp[32];
        bench_utc_compact(stamp, sizeof stamp);
        bench_strbuf sb = {0};
        bench_strbuf_appendf(&sb, "results/%s-%s%s.csv", meta.hostname, stamp, a.quick ? "-quick" : "");
        csv_default = sb.data;
        csv_path = csv_default;
        default_dir = 1;
        struct stat st;
        if (stat("results", &st) == 0 && !S_ISDIR(st.st_mode)) {
            usage_error(cmd, "'results' exists and is not a directory (give --csv FILE)");
            goto out;
        }
        if (access(".", W_OK) != 0) {
            usage_error(cmd, "the current directory is not writable (give --csv FILE)");
            goto out;
        }
    } else if (check_writable_dir(csv_path, "--csv", err, sizeof err) != 0) {
        usage_error(cmd, err);
        goto out;
    }
    const char *json_path = a.json_path;
    if (!json_path)
        json_path = json_default = default_json_path(csv_path);
    if (strcmp(json_path, csv_path) == 0) {
        usage_error(cmd, "--json and --csv name the same file");
        goto out;
    }
    if (!(default_dir && !a.json_path) && check_writable_dir(json_path, "--json", err, sizeof err) != 0) {
        usage_error(cmd, err);
        goto out;
    }
    bench_existing_csv_load(csv_path, &existing);
    if (existing.state == BENCH_CSV_BAD) {
        usage_error(cmd, existing.problem);
        goto out;
    }
    size_t resumed = 0;
    if (a.resume) {
        for (size_t i = 0; i < plan.item_count; i++) {
            bench_item *it = &plan.items[i];
            const accel_device_info *d = &plan.devices[it->device].info;
            char index[16];
            snprintf(index, sizeof index, "%d", d->index);
            bench_strbuf key = {0};
            bench_resume_key(d->uuid, d->backend, index, it->workload->name, it->config->id,
                             awl_dtype_name(it->dtype), it->library[0] ? it->library : "*", &key);
            it->already_ok = bench_strlist_contains(&existing.ok_keys, key.data);
            resumed += (size_t)it->already_ok;
            bench_strbuf_free(&key);
        }
    }

    if (a.dry_run) {
        print_plan(&plan, resumed);
        exit_status = 0;
        goto out;
    }

    /* Everything is valid: from here on files are written. */
    if (default_dir && mkdir("results", 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "accelbench %s: cannot create results/: %s\n", cmd, strerror(errno));
        goto out;
    }
    ctx.csv = fopen(csv_path, "a");
    if (!ctx.csv) { /* an unusable path is the caller's to fix: usage, nothing was run */
        fprintf(stderr, "accelbench %s: cannot open %s: %s\n", cmd, csv_path, strerror(errno));
        goto out;
    }
    if (existing.state != BENCH_CSV_APPENDABLE &&
        bench_csv_append(ctx.csv, bench_column_names, BENCH_COL_COUNT) != 0) {
        fprintf(stderr, "accelbench %s: cannot write %s: %s\n", cmd, csv_path, strerror(errno));
        exit_status = 1;
        goto out;
    }
    bench_topology topo;
    bench_topology_read(&topo);
    ctx.plan = &plan;
    ctx.args = &a;
    ctx.meta = &meta;
    ctx.csv_path = csv_path;
    ctx.summary.rows_resumed = resumed;
    for (size_t i = 0; i < a.tags.count; i++)
        snprintf(ctx.tags + strlen(ctx.tags), sizeof ctx.tags - strlen(ctx.tags), "%s%s",
                 i ? ";" : "", a.tags.items[i]);
    for (size_t i = 0; i < existing.roof_row_count; i++)
        bench_roofs_record(&ctx.roofs, &existing.roof_rows[i], NULL);
    bench_sidecar side = {json_path, csv_path, &meta, &topo, rt, &plan, &a, argc, argv, &ctx.summary};
    if (bench_sidecar_write(&side) != 0)
        fprintf(stderr, "accelbench %s: cannot write %s: %s\n", cmd, json_path, strerror(errno));

    bench_signals_install();
    bench_progress_init(&ctx.progress, plan.item_count - resumed, a.quiet);
    if (resumed && !a.quiet)
        fprintf(stderr, "resume: %zu of %zu rows already ok in %s\n", resumed, plan.item_count, csv_path);
    int interrupted = 0;
    size_t *items = malloc((plan.item_count ? plan.item_count : 1) * sizeof *items);
    if (!items)
        abort();
    /* Devices one after another: never two timed at once on the same host. */
    for (size_t d = 0; d < plan.device_count && !interrupted; d++) {
        size_t n = 0;
        for (size_t i = 0; i < plan.item_count; i++)
            if (plan.items[i].device == d && !plan.items[i].already_ok)
                items[n++] = i;
        if (n == 0)
            continue;
        int gpu = plan.devices[d].info.type != ACCEL_DEVICE_CPU;
        bench_worker_settings s;
        s.warmup_ms = a.warmup_ms >= 0 ? a.warmup_ms
                                       : (gpu ? BENCH_DEFAULT_GPU_WARMUP_MS : BENCH_DEFAULT_WARMUP_MS);
        s.min_time_ms = a.min_time_ms >= 0 ? a.min_time_ms
                                           : (a.quick ? BENCH_QUICK_MIN_TIME_MS : BENCH_DEFAULT_MIN_TIME_MS);
        s.max_samples = a.max_samples > 0 ? a.max_samples : BENCH_DEFAULT_MAX_SAMPLES;
        s.timeout_s = a.timeout_s > 0 ? a.timeout_s : BENCH_DEFAULT_TIMEOUT_S;
        s.seed = a.has_seed ? a.seed : 1;
        s.cold = a.cold;
        interrupted = bench_worker_run_device(&plan, items, n, &s, on_start, on_row, &ctx) != 0 ||
                      bench_interrupted;
    }
    free(items);
    bench_progress_finish(&ctx.progress);
    fclose(ctx.csv);
    ctx.csv = NULL;

    int failed = ctx.summary.rows_by_status[1] + ctx.summary.rows_by_status[2] > 0 || ctx.write_failed;
    exit_status = interrupted ? bench_signals_exit_status() : failed ? 1 : 0;
    ctx.summary.finished = 1;
    ctx.summary.interrupted = interrupted;
    ctx.summary.exit_status = exit_status;
    bench_utc_iso(ctx.summary.finished_utc, sizeof ctx.summary.finished_utc);
    if (bench_sidecar_write(&side) != 0)
        fprintf(stderr, "accelbench %s: cannot write %s: %s\n", cmd, json_path, strerror(errno));
    if (is_suite && !a.quiet)
        bench_summary_table_print(&ctx.table, stdout);
    if (interrupted)
        fprintf(stderr, "interrupted: the CSV is complete up to the last row; rerun with --resume "
                        "to finish\n");
    printf("results: %s\n", csv_path);
    if (!a.quiet)
        plot_hint(csv_path);
out:
    if (ctx.csv)
        fclose(ctx.csv);
    bench_summary_table_free(&ctx.table);
    bench_roofs_free(&ctx.roofs);
    bench_existing_csv_free(&existing);
    bench_plan_free(&plan);
    free(csv_default);
    free(json_default);
    accel_runtime_close(rt);
    bench_run_args_free(&a);
    return exit_status;
}
