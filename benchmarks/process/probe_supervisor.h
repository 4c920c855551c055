/* The parent's side of the plugin probes. Before the CLI loads a backend plugin into its own
 * process, a child process (`accelbench __probe`, commands/probe_child.c) loads it, opens each of
 * its devices and reads their descriptions, under a deadline. A plugin whose probe crashes, exits
 * or hangs is never loaded by the parent; its verdict becomes the backend's reason in `accelbench
 * devices`, the sidecar and every message that explains why a backend is unusable. All probes run
 * at once, so start-up costs the slowest plugin's load time, not the sum. */
#ifndef BENCH_PROBE_SUPERVISOR_H
#define BENCH_PROBE_SUPERVISOR_H

#include <stddef.h>

#include "accel/accel.h"

#define BENCH_PROBE_DEFAULT_TIMEOUT_S 60

typedef struct bench_probe_verdict {
    char *path;          /* as accel_plugin_files listed it */
    int ok;              /* the probe ran to its end and exited 0 */
    accel_status status; /* when not ok: ACCEL_ERR_TIMEOUT for a hang, else ACCEL_ERR_INTERNAL */
    char reason[640];    /* when not ok: "probe killed by signal 11 (SIGSEGV, ...) while ..." */
} bench_probe_verdict;

typedef struct bench_probe_set {
    bench_probe_verdict *items;
    size_t count;
} bench_probe_set;

/* Probes each file (all at once), waiting at most timeout_s for each. Never fails as a whole: a
 * probe that cannot even be started is a verdict like any other. */
void bench_probe_plugins(char *const *paths, size_t count, long timeout_s, bench_probe_set *out);
void bench_probe_set_free(bench_probe_set *s);

#endif
