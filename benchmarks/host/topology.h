/* Host topology summary: packages, cores, NUMA nodes, caches (hwloc when built with it, else
 * /proc and /sys), and the NUMA node of a PCI device. */
#ifndef BENCH_TOPOLOGY_H
#define BENCH_TOPOLOGY_H

#include <stdint.h>

#include "json.h"

typedef struct bench_cache_level {
    int level;           /* 1, 2, 3 (L1 = data cache) */
    uint64_t size_bytes; /* of one instance; 0 unknown */
    int count;           /* instances; 0 unknown */
} bench_cache_level;

typedef struct bench_topology {
    char source[32];     /* "hwloc 2.9.0" or "sysfs" */
    int packages, cores, pus, numa_nodes; /* 0 = unknown */
    bench_cache_level caches[3];
} bench_topology;

void bench_topology_read(bench_topology *t);
void bench_topology_to_json(bench_json *j, const bench_topology *t);
/* "1 package, 2 cores, 2 PUs, 1 NUMA node; L1d 48 KiB x2, L2 1.25 MiB x2, L3 48 MiB x1" */
void bench_topology_summary(const bench_topology *t, char *buf, size_t n);

/* NUMA node of a PCI device from /sys/bus/pci/devices/<id>/numa_node; accepts CUDA-style
 * "00000000:1B:00.0" and sysfs-style "0000:1b:00.0". -1 unknown. */
int bench_pci_numa_node(const char *pci_bus_id);
/* Kernel driver bound to a PCI device ("nvidia", "amdgpu"), "" unknown. */
void bench_pci_driver(const char *pci_bus_id, char *buf, size_t n);

#endif
