/* `--prices FILE`: hourly prices by instance type (docs/cli.md, "Energy, carbon and cost"). The file
 * is CSV with the header instance_type,provider,region,usd_per_hour; lines starting with '#' and
 * blank lines are skipped; fields are plain (no quotes or commas inside). */
#ifndef BENCH_PRICES_H
#define BENCH_PRICES_H

#include <stddef.h>

typedef struct bench_price {
    double usd_per_hour;
    int line;          /* of the file */
    char provider[32];
    char region[64];
} bench_price;

/* Checks the whole file (header, four fields a line, a non-negative finite price, no key
 * (instance_type, provider, region) twice), then picks the row of instance_type (case-insensitive)
 * whose provider is provider or empty (provider "" matches any), and of those the one of region, or
 * the one with an empty region; with region "" exactly one row may match. Returns 0 with *out set,
 * 1 when no row matches (err says so), 2 on a bad file or an ambiguous match (err: one line). */
int bench_prices_lookup(const char *path, const char *instance_type, const char *provider,
                        const char *region, bench_price *out, char *err, size_t err_len);

#endif
