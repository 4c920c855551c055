#define _POSIX_C_SOURCE 200809L
#include "selection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"
#include "utf8.h"
#include "util.h"

#define MAX_LIBRARIES 8

static int fail(char *err, size_t n, const char *msg)
{
    bench_copy(err, n, msg);
    return 2;
}

void bench_workload_names(char *buf, size_t n)
{
    bench_strbuf sb = {0};
    for (size_t i = 0; i < awl_workload_count(); i++)
        bench_strbuf_appendf(&sb, "%s%s", i ? ", " : "", awl_workload_at(i)->name);
    bench_copy(buf, n, bench_strbuf_str(&sb));
    bench_strbuf_free(&sb);
}

static const char *backend_reason(accel_runtime *rt, const char *backend)
{
    const accel_backend_report *list;
    size_t count;
    if (accel_runtime_backends(rt, &list, &count) != ACCEL_OK)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i].name, backend) == 0)
            return list[i].reason[0] ? list[i].reason : accel_status_str(list[i].status);
    return NULL;
}

/* A plugin's strings reach every CSV row and the sidecar: bytes that are not UTF-8 become \xNN
 * here, once, so the resume keys computed from the plan match the rows as written. */
static void sanitize_info(accel_device_info *d)
{
#define SANITIZE(field) bench_utf8_sanitize_field(d->field, sizeof d->field)
    SANITIZE(name);
    SANITIZE(vendor);
    SANITIZE(uuid);
    SANITIZE(pci_bus_id);
    SANITIZE(driver_version);
    SANITIZE(runtime_version);
    SANITIZE(isa);
    SANITIZE(op_libraries);
    SANITIZE(notes);
    SANITIZE(vendor_peak.source);
#undef SANITIZE
}

static int add_device(accel_runtime *rt, bench_plan *plan, const char *id, char *err, size_t n)
{
    for (size_t i = 0; i < plan->device_count; i++)
        if (strcmp(plan->devices[i].id, id) == 0)
            return 0;
    accel_device *dev = NULL;
    if (accel_device_open(rt, id, &dev) != ACCEL_OK) {
        snprintf(err, n, "cannot open device '%s': %s", id, accel_last_error());
        return 2;
    }
    plan->devices = realloc(plan->devices, (plan->device_count + 1) * sizeof *plan->devices);
    if (!plan->devices)
        abort();
    bench_device *d = &plan->devices[plan->device_count];
    memset(d, 0, sizeof *d);
    bench_copy(d->id, sizeof d->id, id);
    d->info.struct_size = sizeof d->info;
    accel_status st = accel_device_info_get(dev, &d->info);
    const char *timer_name = NULL;
    if (st == ACCEL_OK)
        st = accel_timer_properties(dev, &d->timer_resolution_ns, &timer_name);
    accel_device_close(dev);
    if (st != ACCEL_OK) {
        snprintf(err, n, "device '%s' does not describe itself: %s", id, accel_last_error());
        return 2;
    }
    bench_copy(d->timer_name, sizeof d->timer_name, timer_name);
    sanitize_info(&d->info);
    bench_utf8_sanitize_field(d->timer_name, sizeof d->timer_name);
    d->numa_node = d->info.numa_node >= 0 ? d->info.numa_node : bench_pci_numa_node(d->info.pci_bus_id);
    plan->device_count++;
    return 0;
}

/* Adds devices of backend (index -1 = all of them; one per distinct name when per_model). */
static int add_backend_devices(accel_runtime *rt, bench_plan *plan, const char *backend, int index,
                               int per_model, char *err, size_t n)
{
    int count = 0;
    if (accel_runtime_backend_device_count(rt, backend, &count) != ACCEL_OK) {
        const char *why = backend_reason(rt, backend);
        if (why)
            snprintf(err, n, "backend '%s' is not available: %s", backend, why);
        else
            snprintf(err, n, "unknown backend '%s' (see: accelbench devices)", backend);
        return 2;
    }
    if (count == 0) {
        const char *why = backend_reason(rt, backend);
        snprintf(err, n, "backend '%s' has no devices%s%s", backend, why ? ": " : "", why ? why : "");
        return 2;
    }
    if (index >= count) {
        snprintf(err, n, "unknown device '%s:%d': backend %s has %d device%s (0..%d)", backend, index,
                 backend, count, count == 1 ? "" : "s", count - 1);
        return 2;
    }
    size_t first_new = plan->device_count;
    for (int i = (index >= 0 ? index : 0); i < (index >= 0 ? index + 1 : count); i++) {
        char id[64];
        snprintf(id, sizeof id, "%s:%d", backend, i);
        size_t before = plan->device_count;
        if (add_device(rt, plan, id, err, n) != 0)
            return 2;
        if (!per_model || plan->device_count == before)
            continue;
        /* One device per distinct model: a later twin of an earlier device is dropped. */
        bench_device *d = &plan->devices[plan->device_count - 1];
        for (size_t j = first_new; j + 1 < plan->device_count; j++)
            if (strcmp(plan->devices[j].info.name, d->info.name) == 0) {
                plan->device_count--;
                break;
            }
    }
    return 0;
}

static int select_devices(accel_runtime *rt, const bench_run_args *a, bench_plan *plan, char *err,
                          size_t n)
{
    if (a->devices.count) {
        for (size_t i = 0; i < a->devices.count; i++) {
            const char *spec = a->devices.items[i];
            const char *colon = strchr(spec, ':');
            char backend[32];
            snprintf(backend, sizeof backend, "%.*s", (int)(colon - spec), spec);
            int index = strcmp(colon + 1, "all") == 0 ? -1 : atoi(colon + 1);
            if (add_backend_devices(rt, plan, backend, index, 0, err, n) != 0)
                return 2;
        }
        return 0;
    }
    /* The suite checks the whole box: every device of a model, measured at once (fleet mode). */
    int per_model = !a->is_suite;
    if (a->backends.count) {
        for (size_t i = 0; i < a->backends.count; i++)
            if (add_backend_devices(rt, plan, a->backends.items[i], -1, per_model, err, n) != 0)
                return 2;
        return 0;
    }
    const accel_backend_report *list;
    size_t count;
    if (accel_runtime_backends(rt, &list, &count) != ACCEL_OK)
        return fail(err, n, "cannot list backends");
    for (size_t i = 0; i < count; i++) {
        if (list[i].status != ACCEL_OK || list[i].device_count <= 0)
            continue;
        int dup = 0; /* the same backend found twice on the search path */
        for (size_t j = 0; j < i; j++)
            dup |= strcmp(list[j].name, list[i].name) == 0 && list[j].status == ACCEL_OK;
        if (!dup && add_backend_devices(rt, plan, list[i].name, -1, per_model, err, n) != 0)
            return 2;
    }
    if (plan->device_count == 0)
        return fail(err, n, "no devices found (see: accelbench devices)");
    return 0;
}

/* Workloads in run order: peak and stream first (they measure the roofs pct_peak uses), then
 * the others in the order asked. */
static int select_workloads(const bench_run_args *a, const awl_workload **out, size_t *count,
                            char *err, size_t n)
{
    const awl_workload *asked[64];
    size_t nasked = 0;
    if (a->workloads.count) {
        for (size_t i = 0; i < a->workloads.count && nasked < 64; i++) {
            const awl_workload *w = awl_workload_find(a->workloads.items[i]);
            if (!w) {
                char names[256];
                bench_workload_names(names, sizeof names);
                snprintf(err, n, "unknown workload '%s' (known: %s)", a->workloads.items[i], names);
                return 2;
            }
            asked[nasked++] = w;
        }
        for (size_t i = 0; i < nasked; i++)
            if (awl_workload_needs_ranks(asked[i]) != a->mpi) {
                if (a->mpi)
                    snprintf(err, n, "under mpirun/srun only workloads across ranks run (collective, dp_step); "
                                     "run %s without mpirun",
                             asked[i]->name);
                else
                    snprintf(err, n, "%s runs across the ranks of an MPI launch: mpirun -np 2 "
                                     "accelbench run --workload %s ...%s",
                             asked[i]->name, asked[i]->name,
                             accel_mpi_available() ? ""
                                                   : " (and this accelbench was built without MPI: "
                                                     "collectives need an MPI build; install "
                                                     "libopenmpi-dev and reconfigure)");
                return 2;
            }
    } else {
        /* The suite: single-device workloads in one process, workloads across ranks only under
         * mpirun (never minutes of a single-process suite). */
        for (size_t i = 0; i < awl_workload_count() && nasked < 64; i++)
            if (awl_workload_needs_ranks(awl_workload_at(i)) == a->mpi)
                asked[nasked++] = awl_workload_at(i);
    }
    *count = 0;
    const char *first[] = {"peak", "stream"};
    for (size_t f = 0; f < 2; f++)
        for (size_t i = 0; i < nasked; i++)
            if (strcmp(asked[i]->name, first[f]) == 0)
                out[(*count)++] = asked[i];
    for (size_t i = 0; i < nasked; i++)
        if (strcmp(asked[i]->name, "peak") != 0 && strcmp(asked[i]->name, "stream") != 0)
            out[(*count)++] = asked[i];
    return 0;
}

/* The collective size sweep: min, min*factor, ... up to max (docs/scale-out.md). */
static int in_sweep(const bench_run_args *a, uint64_t bytes)
{
    const uint64_t min = a->min_bytes > 0 ? (uint64_t)a->min_bytes : 8;
    const uint64_t max = a->max_bytes > 0 ? (uint64_t)a->max_bytes : 1ull << 30;
    const uint64_t factor = a->factor > 0 ? (uint64_t)a->factor : 2;
    for (uint64_t v = min; v <= max; v *= factor) {
        if (v == bytes)
            return 1;
        if (v > max / factor)
            break;
    }
    return 0;
}

/* A config of a workload across ranks is also chosen by its collective's name ("all_reduce") or
 * name and placement ("all_reduce-oop"), the sweep choosing the sizes. */
static int config_prefix_chosen(const bench_run_args *a, const awl_config *c)
{
    for (size_t i = 0; i < a->configs.count; i++) {
        const size_t len = strlen(a->configs.items[i]);
        if (strncmp(c->id, a->configs.items[i], len) == 0 && c->id[len] == '-')
            return 1;
    }
    return 0;
}

static int config_selected(const bench_run_args *a, const awl_workload *w, const awl_config *c, int quick)
{
    if (awl_workload_needs_ranks(w) && awl_collective_size_bytes(c) > 0) {
        if (a->configs.count && bench_strlist_contains(&a->configs, c->id))
            return 1;
        if (a->configs.count && !config_prefix_chosen(a, c))
            return 0;
        return in_sweep(a, awl_collective_size_bytes(c));
    }
    if (a->configs.count)
        return bench_strlist_contains(&a->configs, c->id);
    if (quick) /* the pinned quick list: a workload with no quick config contributes none */
        return c->quick;
    int any_standard = 0;
    for (size_t i = 0; i < w->config_count(); i++)
        any_standard |= w->config_at(i)->standard;
    return any_standard ? c->standard : 1; /* a workload that marks nothing runs whole */
}

static int plan_has_backend(const bench_plan *plan, const char *backend)
{
    const size_t n = strlen(backend);
    for (size_t d = 0; d < plan->device_count; d++)
        if (strncmp(plan->devices[d].id, backend, n) == 0 && plan->devices[d].id[n] == ':')
            return 1;
    return 0;
}

static void add_item(bench_plan *plan, size_t cap_hint, const bench_item *item)
{
    (void)cap_hint;
    plan->items = realloc(plan->items, (plan->item_count + 1) * sizeof *plan->items);
    if (!plan->items)
        abort();
    plan->items[plan->item_count++] = *item;
}

int bench_plan_build(accel_runtime *rt, const bench_run_args *a, bench_plan *plan, char *err,
                     size_t n)
{
    memset(plan, 0, sizeof *plan);
    const awl_workload *workloads[64];
    size_t nw = 0;
    if (select_workloads(a, workloads, &nw, err, n) != 0)
        return 2;
    /* Config ids must each name a config of at least one chosen workload. */
    for (size_t i = 0; i < a->configs.count; i++) {
        int found = 0;
        for (size_t w = 0; w < nw && !found; w++) {
            found = awl_config_find(workloads[w], a->configs.items[i]) != NULL;
            for (size_t c = 0; !found && awl_workload_needs_ranks(workloads[w]) &&
                               c < workloads[w]->config_count();
                 c++) {
                if (awl_collective_size_bytes(workloads[w]->config_at(c)) == 0)
                    continue; /* dp_step: its configs are named whole */
                const char *id = workloads[w]->config_at(c)->id;
                const size_t len = strlen(a->configs.items[i]);
                found = strncmp(id, a->configs.items[i], len) == 0 && id[len] == '-';
            }
        }
        if (!found) {
            snprintf(err, n, "unknown config '%s' for workload%s %s (see: accelbench list)",
                     a->configs.items[i], nw > 1 ? "s" : "",
                     nw == 1 ? workloads[0]->name : "given");
            return 2;
        }
    }
    for (size_t w = 0; w < nw; w++) {
        if (!awl_workload_needs_ranks(workloads[w]) ||
            awl_collective_size_bytes(workloads[w]->config_at(0)) == 0)
            continue; /* the size sweep is the collective workload's */
        const uint64_t min = a->min_bytes > 0 ? (uint64_t)a->min_bytes : 8;
        const uint64_t max = a->max_bytes > 0 ? (uint64_t)a->max_bytes : 1ull << 30;
        const uint64_t factor = a->factor > 0 ? (uint64_t)a->factor : 2;
        for (uint64_t v = min; v <= max; v *= factor) {
            int known = 0;
            for (size_t c = 0; c < workloads[w]->config_count() && !known; c++)
                known = awl_collective_size_bytes(workloads[w]->config_at(c)) == v;
            if (!known) {
                snprintf(err, n, "--min-bytes/--max-bytes/--factor: %llu B is not a size of the %s "
                                 "workload (powers of 2 from 8 B to 1 GiB)",
                         (unsigned long long)v, workloads[w]->name);
                return 2;
            }
            if (v > max / factor)
                break;
        }
    }
    unsigned dtype_mask = 0;
    for (size_t i = 0; i < a->dtypes.count; i++) {
        awl_dtype d;
        if (awl_dtype_parse(a->dtypes.items[i], &d) != 0) {
            bench_strbuf known = {0};
            for (int k = 0; k < AWL_DTYPE_COUNT; k++)
                bench_strbuf_appendf(&known, "%s%s", k ? ", " : "", awl_dtype_name((awl_dtype)k));
            snprintf(err, n, "unknown dtype '%s' (known: %s)", a->dtypes.items[i],
                     bench_strbuf_str(&known));
            bench_strbuf_free(&known);
            return 2;
        }
        dtype_mask |= 1u << d;
    }
    if (select_devices(rt, a, plan, err, n) != 0)
        return 2;

    int library_seen = 0;
    for (size_t d = 0; d < plan->device_count; d++) {
        accel_device *dev = NULL;
        if (accel_device_open(rt, plan->devices[d].id, &dev) != ACCEL_OK) {
            snprintf(err, n, "cannot open device '%s': %s", plan->devices[d].id, accel_last_error());
            return 2;
        }
        accel_device_info dinfo;
        memset(&dinfo, 0, sizeof dinfo);
        dinfo.struct_size = sizeof dinfo;
        const int host_device = accel_device_info_get(dev, &dinfo) != ACCEL_OK || dinfo.type == ACCEL_DEVICE_CPU;
        /* The standard suite measures the host CPU in full once, through the cpu backend. Another
         * backend's view of the same CPU (OpenCL on PoCL, a CPU Level Zero driver) gets the quick
         * list: it checks that path end to end in seconds instead of re-running every sweep on the
         * same silicon (docs/cli.md, "suite"). --config still measures anything on it. */
        const int host_alias = a->is_suite && host_device && strncmp(plan->devices[d].id, "cpu:", 4) != 0 &&
                               plan_has_backend(plan, "cpu");
        const int quick = a->quick || host_alias;
        for (size_t w = 0; w < nw; w++) {
            const awl_workload *wl = workloads[w];
            for (size_t c = 0; c < wl->config_count(); c++) {
                const awl_config *cfg = wl->config_at(c);
                if (!config_selected(a, wl, cfg, quick))
                    continue;
                const char *names[MAX_LIBRARIES];
                size_t nlib = wl->libraries ? wl->libraries(dev, cfg, names, MAX_LIBRARIES) : 0;
                char libs[MAX_LIBRARIES][64];
                for (size_t l = 0; l < nlib; l++)
                    bench_copy(libs[l], sizeof libs[l], names[l] ? names[l] : "");
                if (nlib == 0) {
                    libs[0][0] = '\0';
                    nlib = 1;
                }
                /* suite --quick measures each config once on a CPU device (OpenCL on the host
                 * included), through its default library, where each row costs seconds; an
                 * accelerator also gets the other libraries' rows (our GPU kernels beside
                 * cuBLASLt): there they cost milliseconds, and they are the only rows that check
                 * those kernels on the hardware. --library asks for one. */
                if (quick && !a->library && host_device)
                    nlib = 1;
                for (int dt = 0; dt < AWL_DTYPE_COUNT; dt++) {
                    if (!(cfg->dtypes & (1u << dt)))
                        continue;
                    if (dtype_mask && !(dtype_mask & (1u << dt)))
                        continue;
                    for (size_t l = 0; l < nlib; l++) {
                        /* --library narrows workloads that choose among op libraries; one
                         * with a single default path ("") still runs. */
                        if (a->library && libs[l][0]) {
                            if (strcmp(libs[l], a->library) != 0)
                                continue;
                            library_seen = 1;
                        }
                        bench_item item = {0};
                        item.device = d;
                        item.workload = wl;
                        item.config = cfg;
                        item.dtype = (awl_dtype)dt;
                        bench_copy(item.library, sizeof item.library, libs[l]);
                        if (!awl_config_needs_peer(cfg) || plan->device_count < 2) {
                            add_item(plan, 0, &item);
                            continue;
                        }
                        item.has_peer = 1;
                        for (size_t e = 0; e < plan->device_count; e++) {
                            item.peer = e;
                            if (e != d)
                                add_item(plan, 0, &item);
                        }
                    }
                }
            }
        }
        accel_device_close(dev);
    }
    if (a->library && !library_seen) {
        snprintf(err, n, "unknown library '%s': no chosen workload offers it on the chosen devices",
                 a->library);
        return 2;
    }
    if (plan->item_count == 0)
        return fail(err, n,
                    "nothing to run: no config of the chosen workloads is selected (by --config and "
                    "--dtype, or marked for this suite; see: accelbench list)");
    return 0;
}

void bench_plan_free(bench_plan *plan)
{
    free(plan->devices);
    free(plan->items);
    memset(plan, 0, sizeof *plan);
}
