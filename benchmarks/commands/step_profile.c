/* Each step's median time over a few profiled runs of a layer, for run --verbose. */
#include "step_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "stats.h"

#define MAX_STEPS 128

/* The label of step i (0-based): its line of text up to the second ": " (name, op and library,
 * without the algorithm), or "" when the text has no such line. */
static void step_label(const char *text, size_t i, char *out, size_t len)
{
    out[0] = '\0';
    const char *p = text;
    for (size_t k = 0; k < i && p; k++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p)
        return;
    size_t n = strcspn(p, "\n");
    const char *first = strstr(p, ": ");
    const char *second = first && (size_t)(first - p) < n ? strstr(first + 2, ": ") : NULL;
    if (second && (size_t)(second - p) < n)
        n = (size_t)(second - p);
    if (n >= 3 && strncmp(p + n - 3, "...", 3) == 0) /* describe_steps cut the text here */
        return;
    snprintf(out, len, "%.*s", (int)n, p);
}

accel_status bench_step_profile(const awl_workload *wl, void *state, accel_stream *stream, const char *steps_text,
                                char *out, size_t len, int *runs)
{
    out[0] = '\0';
    *runs = 0;
    double *ms = calloc((size_t)BENCH_STEP_PROFILE_MAX_RUNS * MAX_STEPS, sizeof *ms);
    if (!ms)
        return ACCEL_ERR_OUT_OF_MEMORY;
    size_t nsteps = 0;
    accel_status st = ACCEL_OK;
    double start = bench_monotonic_ms();
    int r = 0;
    for (; r < BENCH_STEP_PROFILE_MAX_RUNS; r++) {
        if (r >= BENCH_STEP_PROFILE_MIN_RUNS && bench_monotonic_ms() - start >= BENCH_STEP_PROFILE_MS)
            break;
        size_t count = 0;
        if ((st = wl->profile_steps(state, stream, ms + (size_t)r * MAX_STEPS, MAX_STEPS, &count)) != ACCEL_OK)
            break;
        if (r > 0 && count != nsteps) {
            st = ACCEL_ERR_INTERNAL;
            break;
        }
        nsteps = count;
    }
    if (st == ACCEL_OK) {
        *runs = r;
        double col[BENCH_STEP_PROFILE_MAX_RUNS];
        size_t used = 0;
        for (size_t i = 0; i < nsteps; i++) {
            for (int k = 0; k < r; k++)
                col[k] = ms[(size_t)k * MAX_STEPS + i];
            bench_stats stats;
            bench_stats_compute(col, (size_t)r, &stats); /* r >= BENCH_STEP_PROFILE_MIN_RUNS */
            const double median = stats.median;
            char label[160];
            step_label(steps_text, i, label, sizeof label);
            int n = label[0] ? snprintf(out + used, len - used, "%.6g\t%s\n", median, label)
                             : snprintf(out + used, len - used, "%.6g\t%zu\n", median, i + 1);
            if (n < 0 || (size_t)n >= len - used) { /* keep whole lines only */
                out[used] = '\0';
                break;
            }
            used += (size_t)n;
        }
    }
    free(ms);
    return st;
}
