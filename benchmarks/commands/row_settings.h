/* The sampling policy a device's rows run under: the options as given, else the defaults for the
 * device type. Shared by the run (worker settings) and the --budget cost model. */
#ifndef BENCH_ROW_SETTINGS_H
#define BENCH_ROW_SETTINGS_H

#include "args.h"
#include "worker_supervisor.h"

/* Fills the timing fields of s (warmup_ms, min_time_ms, max_samples, timeout_s, seed, cold);
 * gpu: the device is not a CPU. */
void bench_row_settings_resolve(const bench_run_args *a, int gpu, bench_worker_settings *s);

#endif
