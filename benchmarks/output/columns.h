/* The results CSV schema (docs/cli.md, CSV: a contract): column order and names. */
#ifndef BENCH_COLUMNS_H
#define BENCH_COLUMNS_H

#include <stddef.h>

#define BENCH_SCHEMA_VERSION "4"

#define BENCH_COLUMN_LIST(X) \
    X(SCHEMA_VERSION, "schema_version") X(RUN_ID, "run_id") X(TIMESTAMP_UTC, "timestamp_utc") \
    X(ACCELBENCH_VERSION, "accelbench_version") X(GIT_SHA, "git_sha") X(HOSTNAME, "hostname") \
    X(TAGS, "tags") X(BACKEND, "backend") X(DEVICE_INDEX, "device_index") \
    X(DEVICE_UUID, "device_uuid") X(PCI_BUS_ID, "pci_bus_id") X(DEVICE_NAME, "device_name") \
    X(VENDOR, "vendor") X(DRIVER_VERSION, "driver_version") X(RUNTIME_VERSION, "runtime_version") \
    X(LIBRARY, "library") X(WORKLOAD, "workload") X(CONFIG, "config") X(DTYPE, "dtype") \
    X(COMPUTE_TYPE, "compute_type") X(BATCH, "batch") X(M, "m") X(N, "n") X(K, "k") \
    X(FLOP, "flop") X(BYTES, "bytes") X(CACHE, "cache") X(WARMUP_MS, "warmup_ms") \
    X(SAMPLES, "samples") X(TIMER, "timer") X(MEDIAN_MS, "median_ms") X(MIN_MS, "min_ms") \
    X(MEAN_MS, "mean_ms") X(P5_MS, "p5_ms") X(P95_MS, "p95_ms") X(STDDEV_MS, "stddev_ms") \
    X(COV, "cov") X(TFLOPS, "tflops") X(GBPS, "gbps") X(ITEMS_PER_S, "items_per_s") \
    X(ITEM, "item") X(PEAK_TFLOPS, "peak_tflops") X(PEAK_SOURCE, "peak_source") \
    X(PCT_PEAK, "pct_peak") X(CLOCK_MHZ, "clock_mhz") X(POWER_W, "power_w") \
    X(ENERGY_J, "energy_j") X(USD_PER_HOUR, "usd_per_hour") \
    X(USD_PER_MILLION_ITEMS, "usd_per_million_items") X(VERIFIED, "verified") \
    X(MAX_REL_ERR, "max_rel_err") X(TOLERANCE, "tolerance") X(STATUS, "status") X(NOTES, "notes") \
    /* schema_version 2: appended, so positional readers of version 1 keep working */ \
    X(PEAK_GBPS, "peak_gbps") X(ATTAINABLE, "attainable") X(ATTAINABLE_SOURCE, "attainable_source") \
    X(PCT_ATTAINABLE, "pct_attainable") \
    /* schema_version 3: scale-out (ranks and the collective library) and cost, energy, carbon */ \
    X(RANKS, "ranks") X(NODES, "nodes") X(DEVICES_PER_NODE, "devices_per_node") \
    X(COMM_LIBRARY, "comm_library") X(BUSBW_GBPS, "busbw_gbps") X(ENERGY_SOURCE, "energy_source") \
    X(JOULES_PER_ITEM, "joules_per_item") X(GRID_GCO2_PER_KWH, "grid_gco2_per_kwh") \
    X(GCO2_PER_MILLION_ITEMS, "gco2_per_million_items") X(PROVIDER, "provider") \
    X(INSTANCE_TYPE, "instance_type") \
    /* schema_version 4: device pairs (transfer p2p) and data-parallel scaling (dp_step) */ \
    X(PEER_DEVICE, "peer_device") X(LINK, "link") X(PEER_ACCESS, "peer_access") \
    X(SCALING_EFFICIENCY, "scaling_efficiency")

typedef enum bench_column {
#define BENCH_COLUMN_ENUM(id, name) BENCH_COL_##id,
    BENCH_COLUMN_LIST(BENCH_COLUMN_ENUM)
#undef BENCH_COLUMN_ENUM
    BENCH_COL_COUNT
} bench_column;

extern const char *const bench_column_names[BENCH_COL_COUNT];

/* Every schema version's column set is a prefix of the newest one (columns are only appended):
 * version 1 ends with notes, version 2 with pct_attainable, version 3 with instance_type. The column count of a version, 0 when
 * unknown; and the version whose header has exactly `count` columns, NULL when none. */
#define BENCH_COL_COUNT_V1 (BENCH_COL_NOTES + 1)
#define BENCH_COL_COUNT_V2 (BENCH_COL_PCT_ATTAINABLE + 1)
#define BENCH_COL_COUNT_V3 (BENCH_COL_INSTANCE_TYPE + 1)
size_t bench_schema_column_count(const char *version);
const char *bench_schema_of_column_count(size_t count);

/* Column index by name, or -1. */
int bench_column_find(const char *name);

/* One result row: every field a string (possibly ""), owned by the row. */
typedef struct bench_row {
    char *fields[BENCH_COL_COUNT];
} bench_row;

void bench_row_set(bench_row *r, bench_column c, const char *value);
void bench_row_setf(bench_row *r, bench_column c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Numbers as the CSV writes them: integers below 1e15 exactly, others %.6g (six significant
 * digits), "" when the value is not finite. */
void bench_row_set_number(bench_row *r, bench_column c, double v);
const char *bench_row_get(const bench_row *r, bench_column c); /* "" when unset */
/* Appends "; note" to the notes column (just the note when it is empty); NULL or "" does nothing. */
void bench_row_append_note(bench_row *r, const char *note);
void bench_row_free(bench_row *r);

#endif
