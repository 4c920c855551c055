/* The roof each row's pct_peak is measured against: the same device's peak/stream row from this
 * run (or, with --resume, from the file) when there is one, else the vendor's published peak. */
#ifndef BENCH_ROOFS_H
#define BENCH_ROOFS_H

#include <stddef.h>

#include "accel/accel.h"
#include "columns.h"

typedef struct bench_roof {
    char device_key[96];  /* uuid or backend:index */
    char name[64];        /* "matrix-bf16", "fma-fp32", "triad" */
    char workload[32];    /* "peak" or "stream" */
    double value;         /* TFLOP/s for peak, GB/s for stream */
} bench_roof;

typedef struct bench_roofs {
    bench_roof *items;
    size_t count;
} bench_roofs;

/* Records an ok peak row, or an ok stream row whose config is its roof ("triad"), under the
 * roof name its workload reported ("matrix-bf16", "fma-fp32", "triad"); ignores any other.
 * roof NULL derives the name from the row (peak: "<config>-<dtype>"; stream: the config), for
 * rows read back from a CSV. */
void bench_roofs_record(bench_roofs *r, const bench_row *row, const char *roof);
/* Fills peak_tflops, peak_source and pct_peak of row. roof names the measured roof the workload
 * asked for; bandwidth selects GB/s vs TFLOP/s. */
void bench_roofs_apply(const bench_roofs *r, const accel_device_info *info, const char *roof,
                       int bandwidth, bench_row *row);
void bench_roofs_free(bench_roofs *r);

#endif
