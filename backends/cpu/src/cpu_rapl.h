/* Linux powercap RAPL energy of the CPU packages (<sysfs>/class/powercap/intel-rapl:N, which AMD
 * processors also use on recent kernels): the package zones' energy_uj counters summed, each
 * counter's wrap at max_energy_range_uj unfolded, as joules since cpu_rapl_open. Pure file reading
 * under a sysfs root so that tests can hand it a fake tree. */
#ifndef ACCEL_CPU_RAPL_H
#define ACCEL_CPU_RAPL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define CPU_RAPL_MAX_ZONES 16

typedef struct cpu_rapl_zone {
    char dir[64];          /* "intel-rapl:0" */
    uint64_t max_range_uj; /* the value at which energy_uj wraps to 0; 0 = unknown */
    uint64_t last_uj;
} cpu_rapl_zone;

typedef struct cpu_rapl {
    pthread_mutex_t lock; /* telemetry may be read from several threads */
    char root[256];       /* the sysfs root ("/sys") */
    int zones;            /* 0: no readable counter, reason says why */
    cpu_rapl_zone zone[CPU_RAPL_MAX_ZONES];
    uint64_t total_uj;    /* summed deltas since open */
    char reason[160];     /* "none: ..." when zones == 0 or a read failed */
} cpu_rapl;

/* Finds the package zones under sysfs_root (NULL: "/sys") and takes their first readings. Never
 * fails: without a readable counter r->zones is 0 and r->reason says why. */
void cpu_rapl_open(cpu_rapl *r, const char *sysfs_root);
/* Joules since open (every zone's delta summed, wraps unfolded). 0 on success; -1 with r->reason
 * copied to why (e.g. a counter that became unreadable or went back without a known range). */
int cpu_rapl_read(cpu_rapl *r, double *joules, char *why, size_t why_len);
void cpu_rapl_close(cpu_rapl *r);

/* One counter's increase from last to now, wrapping at max_range (0 = unknown range: a decrease is
 * then an error, -1). */
int cpu_rapl_delta(uint64_t last, uint64_t now, uint64_t max_range, uint64_t *delta);

#endif
