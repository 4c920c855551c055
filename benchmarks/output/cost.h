/* The cost, carbon and identity columns the parent fills on every row (docs/cli.md, "Energy,
 * carbon and cost"): usd_per_hour and usd_per_million_items, grid_gco2_per_kwh and
 * gco2_per_million_items, provider and instance_type. Pure arithmetic. */
#ifndef BENCH_COST_H
#define BENCH_COST_H

#include "columns.h"

typedef struct bench_cost {
    double usd_per_hour;      /* < 0 = unknown */
    double grid_gco2_per_kwh; /* < 0 = not given */
    const char *provider;     /* "" = not a recognised cloud instance */
    const char *instance_type;
} bench_cost;

/* Reads items_per_s and joules_per_item already in the row. */
void bench_cost_fill(const bench_cost *c, bench_row *r);

#endif
