/* Energy per row (docs/cli.md, "Energy, carbon and cost"): from two readings of the device's
 * energy counter around the sampling phase to the energy_j, joules_per_item and energy_source
 * columns. Pure arithmetic on readings the worker takes; never an estimate without a counter. */
#ifndef BENCH_ENERGY_H
#define BENCH_ENERGY_H

#include "columns.h"

/* The shortest window energy is taken over. Every counter read here updates far faster (RAPL
 * about every millisecond, NVML and rocm-smi every few to tens of milliseconds, Level Zero sysman
 * on the driver's own tick), but some publish in steps of up to ~100 ms: over 1 s one step is at
 * most a few percent. The worker samples at least this long on a device with a counter. */
#define BENCH_ENERGY_MIN_WINDOW_MS 1000.0

typedef struct bench_energy_reading {
    double joules;   /* the counter (any origin); < 0 = none */
    double at_ms;    /* monotonic time of the reading */
    char source[160]; /* "nvml", "rapl", ... or "none: <why>" */
} bench_energy_reading;

/* Sets energy_source and, when both readings have the counter over >= BENCH_ENERGY_MIN_WINDOW_MS,
 * energy_j (mean power x median_ms: per run) and joules_per_item (energy_j / items_per_run, when
 * items_per_run > 0). Returns the mean power in W over the window, or -1 (energy_source then says
 * why, starting "none: "). */
double bench_energy_fill(bench_row *r, const bench_energy_reading *before,
                         const bench_energy_reading *after, double median_ms, double items_per_run);

#endif
