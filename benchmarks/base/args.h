/* Command-line parsing for `run` and `suite`: syntax and number checks only (pure; no HAL, no
 * registry), so it can be unit-tested and fuzzed. Names (workloads, devices, configs) are checked
 * against the runtime later, still before any work (selection.c). */
#ifndef BENCH_ARGS_H
#define BENCH_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define BENCH_DEFAULT_WARMUP_MS 200
#define BENCH_DEFAULT_GPU_WARMUP_MS 1000
#define BENCH_DEFAULT_MIN_TIME_MS 500
#define BENCH_QUICK_MIN_TIME_MS 200
#define BENCH_DEFAULT_MAX_SAMPLES 200
#define BENCH_DEFAULT_TIMEOUT_S 600
#define BENCH_MAX_MS 86400000ull    /* one day: larger durations are certainly typos */
#define BENCH_MAX_SAMPLES_LIMIT 1000000ull

typedef struct bench_run_args {
    int is_suite;
    int quick;              /* suite --quick */
    int help;
    bench_strlist workloads;
    bench_strlist devices;  /* "cpu:0", "cuda:all" as given */
    bench_strlist backends; /* --backend B[,B] (repeatable) */
    bench_strlist dtypes;
    bench_strlist configs;
    const char *library;
    int cold;
    int64_t warmup_ms;      /* -1 = default (depends on device type) */
    int64_t min_time_ms;    /* -1 = default */
    int64_t max_samples;    /* -1 = default */
    int64_t timeout_s;      /* -1 = default */
    uint64_t seed;
    int has_seed;
    const char *csv_path;
    const char *json_path;
    bench_strlist tags;     /* "key=value" each */
    double price_per_hour;  /* < 0 = not given */
    const char *prices_path;   /* --prices FILE */
    const char *instance_type; /* --instance-type T */
    const char *region;        /* --region R (picks among a prices file's rows) */
    double grid_gco2_per_kwh;  /* < 0 = not given */
    int cloud_metadata;        /* --cloud-metadata: ask the provider's metadata endpoint */
    int resume;
    int quiet;
    int verbose; /* every unsupported row on its own line, not condensed */
    int dry_run;            /* print the planned rows, measure and write nothing */
    /* The collective workload's size sweep (-1 = default: 8 B .. 1 GiB, factor 2). */
    int64_t min_bytes, max_bytes, factor;
    int mpi;                /* set by the CLI (not an option): launched under mpirun/srun */
    double budget_s;        /* --budget: wall-time budget in seconds; <= 0 = none */
    const char *budget_text;/* as given ("10m"), for messages and notes */
    int sequential;         /* devices of one model one after another, not at once (fleet mode) */
} bench_run_args;

/* Parses argv[first..argc) (the words after `run` or `suite`). Returns 0 on success; on bad usage
 * returns 2 with one line (no newline) in err. Pointers in out refer into argv; free with
 * bench_run_args_free. */
int bench_run_args_parse(int argc, char *const *argv, int first, int is_suite, bench_run_args *out,
                         char *err, size_t err_len);
void bench_run_args_free(bench_run_args *a);

/* A tag is key=value: key of [A-Za-z0-9_.-]+, value printable UTF-8 without ';' (the CSV joins
 * tags with ';'). Returns 0 when valid. */
int bench_tag_check(const char *tag);
/* Limits of --tag: what the CSV row's tags cell and the sidecar's key buffer hold. */
#define BENCH_TAG_KEY_MAX 100
#define BENCH_TAGS_MAX 1000
/* "cpu:0" or "cpu:all": backend of [a-z0-9_]+, index digits or "all". Returns 0, -2 when the
 * index overflows (or exceeds 1000000), -1 otherwise. */
int bench_device_spec_check(const char *spec);

#endif
