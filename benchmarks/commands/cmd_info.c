/* `accelbench info [--json]`: host, OS, CPU, topology, backends (drivers), devices and where
 * each sits (NUMA node of its PCI slot). */
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"
#include "commands.h"
#include "json.h"
#include "metadata.h"
#include "sidecar.h"
#include "topology.h"

static const char HELP[] =
    "usage: accelbench info [--json]\n"
    "\n"
    "Describes this machine: host, OS, CPU, topology (packages, cores, NUMA nodes, caches; from\n"
    "hwloc when built with it, else /proc and /sys), every backend with its version or why it\n"
    "did not load, and every device with its locality (NUMA node of its PCI slot, kernel\n"
    "driver) when known. --json prints the same as one JSON object.\n";

typedef struct dev_entry {
    char id[64];
    accel_device_info info;
    int ok;
    int numa;
    char driver[64];
} dev_entry;

int bench_cmd_info(int argc, char **argv)
{
    int json = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(HELP, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
            continue;
        }
        fprintf(stderr, "accelbench info: unexpected argument '%s' (see --help)\n", argv[i]);
        return 2;
    }
    accel_runtime *rt;
    const int open_rc = bench_runtime_open(&rt, "info");
    if (open_rc != 0)
        return open_rc; /* 2: ACCEL_BACKENDS names no plugin, as for every command */
    bench_metadata meta;
    bench_metadata_init(&meta);
    bench_topology topo;
    bench_topology_read(&topo);
    int n = 0;
    accel_runtime_device_count(rt, &n);
    dev_entry devs[64];
    if (n > 64)
        n = 64;
    for (int i = 0; i < n; i++) {
        dev_entry *d = &devs[i];
        memset(d, 0, sizeof *d);
        d->info.struct_size = sizeof d->info;
        d->numa = -1;
        accel_device *dev = NULL;
        if (accel_runtime_device_id(rt, i, d->id, sizeof d->id) == ACCEL_OK &&
            accel_device_open(rt, d->id, &dev) == ACCEL_OK && accel_device_info_get(dev, &d->info) == ACCEL_OK) {
            d->ok = 1;
            d->numa = d->info.numa_node >= 0 ? d->info.numa_node : bench_pci_numa_node(d->info.pci_bus_id);
            bench_pci_driver(d->info.pci_bus_id, d->driver, sizeof d->driver);
        }
        accel_device_close(dev);
    }
    if (json) {
        bench_json j = {0};
        bench_json_object_begin(&j);
        bench_json_kv_string(&j, "hostname", meta.hostname);
        bench_json_kv_string(&j, "accelbench_version", meta.version);
        bench_json_kv_string(&j, "git_sha", meta.git_sha);
        bench_json_key(&j, "os");
        bench_json_object_begin(&j);
        bench_json_kv_string(&j, "sysname", meta.os_sysname);
        bench_json_kv_string(&j, "release", meta.os_release);
        bench_json_kv_string(&j, "version", meta.os_version);
        bench_json_kv_string(&j, "machine", meta.os_machine);
        bench_json_object_end(&j);
        bench_json_kv_string(&j, "cpu_model", meta.cpu_model);
        bench_json_key(&j, "build");
        bench_json_object_begin(&j);
        bench_json_kv_string(&j, "compiler", meta.compiler);
        bench_json_kv_string(&j, "c_flags", meta.c_flags);
        bench_json_kv_string(&j, "build_type", meta.build_type);
        bench_json_object_end(&j);
        bench_json_key(&j, "topology");
        bench_topology_to_json(&j, &topo);
        bench_json_key(&j, "backends");
        bench_json_backends(&j, rt);
        bench_json_key(&j, "devices");
        bench_json_array_begin(&j);
        for (int i = 0; i < n; i++) {
            if (!devs[i].ok)
                continue;
            bench_json_device_info(&j, &devs[i].info, devs[i].numa);
        }
        bench_json_array_end(&j);
        bench_json_object_end(&j);
        printf("%s\n", bench_json_text(&j));
        bench_json_free(&j);
        accel_runtime_close(rt);
        return 0;
    }
    char summary[512];
    bench_topology_summary(&topo, summary, sizeof summary);
    printf("host:       %s\n", meta.hostname);
    printf("os:         %s %s %s\n", meta.os_sysname, meta.os_release, meta.os_machine);
    printf("cpu:        %s\n", meta.cpu_model[0] ? meta.cpu_model : "(unknown)");
    printf("topology:   %s\n", summary);
    printf("accelbench: %s (git %s, %s, %s)\n", meta.version, meta.git_sha, meta.compiler, meta.build_type);
    printf("backends:\n");
    const accel_backend_report *list = NULL;
    size_t count = 0;
    accel_runtime_backends(rt, &list, &count);
    for (size_t i = 0; i < count; i++)
        printf("  %-12s %-13s %s%s%s\n", list[i].name, accel_status_str(list[i].status),
               list[i].version[0] ? list[i].version : "", list[i].reason[0] && list[i].version[0] ? "; " : "",
               list[i].reason);
    printf("devices:\n");
    if (n == 0)
        printf("  (none)\n");
    for (int i = 0; i < n; i++) {
        const dev_entry *d = &devs[i];
        if (!d->ok) {
            printf("  %-10s cannot open: %s\n", d->id, accel_last_error());
            continue;
        }
        printf("  %-10s %s (%s)\n", d->id, d->info.name, d->info.vendor);
        printf("             driver %s, runtime %s; %d compute units; %.1f GiB; isa %s\n",
               d->info.driver_version[0] ? d->info.driver_version : "-",
               d->info.runtime_version[0] ? d->info.runtime_version : "-", d->info.compute_units,
               (double)d->info.memory_bytes / (1024.0 * 1024.0 * 1024.0), d->info.isa[0] ? d->info.isa : "?");
        if (d->info.pci_bus_id[0] || d->numa >= 0)
            printf("             pci %s, numa node %s%d%s%s\n", d->info.pci_bus_id[0] ? d->info.pci_bus_id : "-",
                   d->numa >= 0 ? "" : "unknown ", d->numa >= 0 ? d->numa : 0,
                   d->driver[0] ? ", kernel driver " : "", d->driver);
        if (d->info.op_libraries[0])
            printf("             op libraries: %s\n", d->info.op_libraries);
        if (d->info.vendor_peak.source[0])
            printf("             %s peak: %s\n",
                   strncmp(d->info.vendor_peak.source, "theoretical:", 12) == 0 ? "theoretical" : "vendor",
                   d->info.vendor_peak.source);
    }
    accel_runtime_close(rt);
    return 0;
}
