/* Turning validated arguments into a plan: which devices, and the ordered list of rows
 * (device x workload x config x dtype x library). Every name is checked here, before any work
 * or file creation; a bad one is a one-line message and exit status 2. */
#ifndef BENCH_SELECTION_H
#define BENCH_SELECTION_H

#include <stddef.h>

#include "accel/accel.h"
#include "accel_workload.h"
#include "args.h"

typedef struct bench_device {
    char id[64];                  /* "cpu:0" */
    accel_device_info info;
    char timer_name[32];
    double timer_resolution_ns;
    int numa_node;                /* -1 unknown (PCI devices: from sysfs) */
} bench_device;

typedef struct bench_item {
    size_t device;                /* index into plan->devices */
    const awl_workload *workload;
    const awl_config *config;
    awl_dtype dtype;
    char library[64];             /* requested op library; "" = the workload's default path */
    int already_ok;               /* --resume found it ok in the CSV: not run again */
    int over_budget;              /* --dry-run --budget: left out of the first plan */
    /* transfer p2p-* (awl_config_needs_peer): one row per ordered pair of the plan's devices,
     * device -> peer; has_peer 0 when the plan has one device (the row says "no pair"). */
    int has_peer;
    size_t peer;                  /* index into plan->devices */
} bench_item;

typedef struct bench_plan {
    bench_device *devices;
    size_t device_count;
    bench_item *items;
    size_t item_count;
} bench_plan;

/* Returns 0, or 2 with a one-line message in err. */
int bench_plan_build(accel_runtime *rt, const bench_run_args *a, bench_plan *plan, char *err,
                     size_t err_len);
void bench_plan_free(bench_plan *plan);

/* Workload names in registry order, comma-separated (for messages). */
void bench_workload_names(char *buf, size_t n);

#endif
