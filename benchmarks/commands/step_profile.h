/* run --verbose: where a layer's time goes, step by step (the worker's side). */
#ifndef BENCH_STEP_PROFILE_H
#define BENCH_STEP_PROFILE_H

#include <stddef.h>

#include "accel/accel.h"
#include "accel_workload.h"

/* Untimed runs after a row's sampling, each step between device timers of its own: at least
 * BENCH_STEP_PROFILE_MIN_RUNS, then more until BENCH_STEP_PROFILE_MS have passed or
 * BENCH_STEP_PROFILE_MAX_RUNS were made. */
#define BENCH_STEP_PROFILE_MIN_RUNS 3
#define BENCH_STEP_PROFILE_MAX_RUNS 25
#define BENCH_STEP_PROFILE_MS 1000.0

/* Profiles wl's steps (wl->profile_steps must exist) and writes one line per step into out,
 * "<median ms>\t<label>", the label being the start of the step's line in steps_text (awl_setup_info
 * .steps) up to its library: "1 qkv: gemm onednn". *runs: the profiled runs. A step whose line
 * is missing from steps_text (cut) is labelled by its number. */
accel_status bench_step_profile(const awl_workload *wl, void *state, accel_stream *stream, const char *steps_text,
                                char *out, size_t len, int *runs);

#endif
