/* Before any work: the instance identity (DMI, then --cloud-metadata, then --instance-type) and the
 * price (--price-per-hour, else the --prices row of the instance type) that every row carries. */
#ifndef BENCH_IDENTITY_H
#define BENCH_IDENTITY_H

#include <stddef.h>

#include "args.h"
#include "instance.h"
#include "json.h"

typedef struct bench_identity {
    bench_instance instance;
    double usd_per_hour;      /* < 0 = unknown */
    char price_source[400];   /* "--price-per-hour", "--prices FILE line N", "" */
    double grid_gco2_per_kwh; /* < 0 = not given */
} bench_identity;

/* Returns 0, or 2 with a one-line err (bad prices file, no row for the instance type, no instance
 * type to look up). A --cloud-metadata that gets no answer is not an error: the DMI identity stays
 * and instance.metadata_error says why. $ACCEL_SYSFS_ROOT stands for /sys (tests). */
int bench_identity_resolve(const bench_run_args *a, bench_identity *out, char *err, size_t err_len);
/* The sidecar's "instance" object: provider, instance type, region, where each came from, the DMI
 * fields read, the price and its source, the grid intensity. */
void bench_identity_to_json(bench_json *j, const bench_identity *id);

#endif
