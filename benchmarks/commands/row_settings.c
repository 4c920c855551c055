#include "row_settings.h"

#include <string.h>

void bench_row_settings_resolve(const bench_run_args *a, int gpu, bench_worker_settings *s)
{
    memset(s, 0, sizeof *s);
    s->warmup_ms = a->warmup_ms >= 0 ? a->warmup_ms
                                     : (gpu ? BENCH_DEFAULT_GPU_WARMUP_MS : BENCH_DEFAULT_WARMUP_MS);
    s->min_time_ms = a->min_time_ms >= 0 ? a->min_time_ms
                                         : (a->quick ? BENCH_QUICK_MIN_TIME_MS : BENCH_DEFAULT_MIN_TIME_MS);
    s->max_samples = a->max_samples > 0 ? a->max_samples : BENCH_DEFAULT_MAX_SAMPLES;
    s->timeout_s = a->timeout_s > 0 ? a->timeout_s : BENCH_DEFAULT_TIMEOUT_S;
    s->seed = a->has_seed ? a->seed : 1;
    s->cold = a->cold;
    s->profile_steps = a->verbose && !a->quiet;
}
