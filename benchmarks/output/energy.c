/* Energy columns from counter readings (energy.h). */
#define _POSIX_C_SOURCE 200809L
#include "energy.h"

#include <stdio.h>
#include <string.h>

/* A reading without a counter explains itself with "none: ..."; a plugin that predates the
 * energy_source field leaves it empty. */
static void set_none(bench_row *r, const char *why)
{
    if (strncmp(why, "none", 4) == 0)
        bench_row_set(r, BENCH_COL_ENERGY_SOURCE, why);
    else
        bench_row_setf(r, BENCH_COL_ENERGY_SOURCE, "none: %s",
                       why[0] ? why : "the backend reports no energy counter");
}

double bench_energy_fill(bench_row *r, const bench_energy_reading *before,
                         const bench_energy_reading *after, double median_ms, double items_per_run)
{
    if (before->joules < 0) {
        set_none(r, before->source);
        return -1;
    }
    if (after->joules < 0) {
        set_none(r, after->source);
        return -1;
    }
    const char *source = after->source[0] ? after->source : "counter";
    char why[256];
    const double window_ms = after->at_ms - before->at_ms;
    if (after->joules < before->joules) {
        snprintf(why, sizeof why, "none: the %s counter went back from %.6g J to %.6g J", source,
                 before->joules, after->joules);
        set_none(r, why);
        return -1;
    }
    if (!(window_ms >= BENCH_ENERGY_MIN_WINDOW_MS)) {
        snprintf(why, sizeof why, "none: the %s window was %.0f ms, under the %.0f ms it needs",
                 source, window_ms, BENCH_ENERGY_MIN_WINDOW_MS);
        set_none(r, why);
        return -1;
    }
    const double power_w = (after->joules - before->joules) / (window_ms / 1000.0);
    const double energy_j = power_w * median_ms / 1000.0;
    bench_row_set(r, BENCH_COL_ENERGY_SOURCE, source);
    bench_row_set_number(r, BENCH_COL_ENERGY_J, energy_j);
    if (items_per_run > 0)
        bench_row_set_number(r, BENCH_COL_JOULES_PER_ITEM, energy_j / items_per_run);
    return power_w;
}
