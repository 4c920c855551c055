/* The roofs a row is measured against.
 *
 * pct_peak (with peak_tflops / peak_gbps and peak_source) is against a roof that bounds every row:
 * the device's vendor_peak, i.e. the datasheet table of a GPU backend or the theoretical peak a CPU
 * backend computes (cores x clock x FLOPs per cycle), and vendor_peak_fp8_tflops for fp8 rows.
 * attainable (with attainable_source and pct_attainable) is the best figure measured on the same
 * device for the roof the row names: peak/matrix-<dtype> (the GEMM op at the device's best size
 * through each op library), peak/fma-fp32, stream/triad. It is a reference, not a bound, and never
 * the row's own op: a roof measured by the same library on the same GEMM shape as the row (or the
 * row itself) is skipped for the next best one. */
#ifndef BENCH_ROOFS_H
#define BENCH_ROOFS_H

#include <stddef.h>

#include "accel/accel.h"
#include "columns.h"

typedef struct bench_roof {
    char device_key[96];  /* uuid or backend:index */
    char name[64];        /* "matrix-bf16", "fma-fp32", "triad" */
    char workload[32];    /* "peak" or "stream" */
    char config[32];      /* the roof row's config: "matrix", "fma", "triad" */
    char library[64];     /* the op library that measured it */
    long long size;       /* matrix roofs: n of the n x n x n GEMM (from the row's flop); else 0 */
    double value;         /* TFLOP/s for peak, GB/s for stream: the best of this library's rows */
} bench_roof;

typedef struct bench_roofs {
    bench_roof *items;
    size_t count;
} bench_roofs;

/* Records an ok peak row, or an ok stream row whose config is its roof ("triad"), under the
 * roof name its workload reported ("matrix-bf16", "fma-fp32", "triad"), keeping the best per
 * library; ignores any other row. roof NULL derives the name from the row (peak:
 * "<config>-<dtype>"; stream: the config), for rows read back from a CSV. */
void bench_roofs_record(bench_roofs *r, const bench_row *row, const char *roof);
/* Fills the bounding roof (peak_tflops or peak_gbps, peak_source, pct_peak) from info, and the
 * attainable reference (attainable, attainable_source, pct_attainable) from the measured roof
 * named roof. bandwidth selects GB/s vs TFLOP/s. */
void bench_roofs_apply(const bench_roofs *r, const accel_device_info *info, const char *roof,
                       int bandwidth, bench_row *row);
void bench_roofs_free(bench_roofs *r);

#endif
