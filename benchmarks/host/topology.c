#define _GNU_SOURCE /* readlink */
#include "topology.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pci_name.h"
#include "util.h"

#ifdef ACCELBENCH_HAVE_HWLOC
#include <hwloc.h>

static void read_hwloc(bench_topology *t)
{
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0)
        return;
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        return;
    }
    unsigned v = hwloc_get_api_version();
    snprintf(t->source, sizeof t->source, "hwloc %u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
    t->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    t->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    t->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    t->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    const hwloc_obj_type_t types[3] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE};
    for (int i = 0; i < 3; i++) {
        t->caches[i].level = i + 1;
        t->caches[i].count = hwloc_get_nbobjs_by_type(topo, types[i]);
        hwloc_obj_t o = hwloc_get_obj_by_type(topo, types[i], 0);
        if (o && o->attr)
            t->caches[i].size_bytes = o->attr->cache.size;
    }
    hwloc_topology_destroy(topo);
}
#endif

static int read_int_file(const char *path, long *out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fscanf(f, "%ld", out) == 1;
    fclose(f);
    return ok ? 0 : -1;
}

static void read_line_file(const char *path, char *buf, size_t n)
{
    bench_copy(buf, n, "");
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(buf, (int)n, f))
        buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

static uint64_t parse_size(const char *s)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (end && (*end == 'K' || *end == 'k'))
        v <<= 10;
    else if (end && *end == 'M')
        v <<= 20;
    return (uint64_t)v;
}

/* Without hwloc: CPUs and packages from the topology files, NUMA nodes from /sys, caches as seen
 * by cpu0 (instances counted by distinct shared_cpu_list over all CPUs). */
static void read_sysfs(bench_topology *t)
{
    bench_copy(t->source, sizeof t->source, "sysfs");
    long pus = sysconf(_SC_NPROCESSORS_ONLN);
    t->pus = pus > 0 ? (int)pus : 0;
    bench_strlist packages = {0}, cores = {0};
    bench_strlist shared[3] = {{0}};
    for (int cpu = 0; cpu < 4096; cpu++) {
        char path[256], key[64];
        long pkg, core;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", cpu);
        if (read_int_file(path, &pkg) != 0) {
            if (cpu >= t->pus)
                break;
            continue;
        }
        snprintf(key, sizeof key, "%ld", pkg);
        if (!bench_strlist_contains(&packages, key))
            bench_strlist_add(&packages, key);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/core_id", cpu);
        if (read_int_file(path, &core) == 0) {
            snprintf(key, sizeof key, "%ld/%ld", pkg, core);
            if (!bench_strlist_contains(&cores, key))
                bench_strlist_add(&cores, key);
        }
        for (int idx = 0; idx < 8; idx++) {
            char type[32], list[256];
            long level;
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/level", cpu, idx);
            if (read_int_file(path, &level) != 0)
                break;
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/type", cpu, idx);
            read_line_file(path, type, sizeof type);
            if (level < 1 || level > 3 || strcmp(type, "Instruction") == 0)
                continue;
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/shared_cpu_list",
                     cpu, idx);
            read_line_file(path, list, sizeof list);
            if (!bench_strlist_contains(&shared[level - 1], list))
                bench_strlist_add(&shared[level - 1], list);
            if (cpu == 0) {
                char size[32];
                snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
                read_line_file(path, size, sizeof size);
                t->caches[level - 1].size_bytes = parse_size(size);
            }
        }
    }
    t->packages = (int)packages.count;
    t->cores = (int)cores.count;
    for (int i = 0; i < 3; i++) {
        t->caches[i].level = i + 1;
        t->caches[i].count = (int)shared[i].count;
        bench_strlist_free(&shared[i]);
    }
    bench_strlist_free(&packages);
    bench_strlist_free(&cores);
    DIR *d = opendir("/sys/devices/system/node");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strncmp(e->d_name, "node", 4) == 0 && isdigit((unsigned char)e->d_name[4]))
                t->numa_nodes++;
        closedir(d);
    }
}

void bench_topology_read(bench_topology *t)
{
    memset(t, 0, sizeof *t);
#ifdef ACCELBENCH_HAVE_HWLOC
    read_hwloc(t);
    if (t->pus > 0)
        return;
    memset(t, 0, sizeof *t);
#endif
    read_sysfs(t);
}

static void format_bytes(uint64_t b, char *buf, size_t n)
{
    if (b >= (1ull << 20))
        snprintf(buf, n, "%.3g MiB", (double)b / (1 << 20));
    else
        snprintf(buf, n, "%.3g KiB", (double)b / 1024);
}

void bench_topology_summary(const bench_topology *t, char *buf, size_t n)
{
    bench_strbuf sb = {0};
    bench_strbuf_appendf(&sb, "%d package%s, %d cores, %d PUs, %d NUMA node%s", t->packages,
                         t->packages == 1 ? "" : "s", t->cores, t->pus, t->numa_nodes,
                         t->numa_nodes == 1 ? "" : "s");
    const char *sep = "; ";
    for (int i = 0; i < 3; i++) {
        if (!t->caches[i].size_bytes)
            continue;
        char size[32];
        format_bytes(t->caches[i].size_bytes, size, sizeof size);
        bench_strbuf_appendf(&sb, "%sL%d%s %s x%d", sep, i + 1, i == 0 ? "d" : "", size,
                             t->caches[i].count);
        sep = ", ";
    }
    bench_strbuf_appendf(&sb, " (%s)", t->source);
    bench_copy(buf, n, bench_strbuf_str(&sb));
    bench_strbuf_free(&sb);
}

void bench_topology_to_json(bench_json *j, const bench_topology *t)
{
    bench_json_object_begin(j);
    bench_json_kv_string(j, "source", t->source);
    bench_json_kv_int(j, "packages", t->packages);
    bench_json_kv_int(j, "cores", t->cores);
    bench_json_kv_int(j, "pus", t->pus);
    bench_json_kv_int(j, "numa_nodes", t->numa_nodes);
    bench_json_key(j, "caches");
    bench_json_array_begin(j);
    for (int i = 0; i < 3; i++) {
        bench_json_object_begin(j);
        bench_json_kv_int(j, "level", t->caches[i].level);
        bench_json_kv_int(j, "size_bytes", (int64_t)t->caches[i].size_bytes);
        bench_json_kv_int(j, "count", t->caches[i].count);
        bench_json_object_end(j);
    }
    bench_json_array_end(j);
    bench_json_object_end(j);
}

int bench_pci_numa_node(const char *pci_bus_id)
{
    char name[64], path[512];
    long node;
    if (bench_pci_sysfs_name(pci_bus_id, name, sizeof name) != 0)
        return -1;
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/numa_node", name);
    if (read_int_file(path, &node) != 0 || node < 0)
        return -1;
    return (int)node;
}

void bench_pci_driver(const char *pci_bus_id, char *buf, size_t n)
{
    char name[64], path[512], target[512];
    bench_copy(buf, n, "");
    if (bench_pci_sysfs_name(pci_bus_id, name, sizeof name) != 0)
        return;
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/driver", name);
    ssize_t len = readlink(path, target, sizeof target - 1);
    if (len <= 0)
        return;
    target[len] = '\0';
    const char *slash = strrchr(target, '/');
    bench_copy(buf, n, slash ? slash + 1 : target);
}
