#define _POSIX_C_SOURCE 200809L
#include "sidecar.h"

#include <stdio.h>
#include <string.h>

const char *const bench_statuses[5] = {"ok", "failed_verification", "error", "unsupported", "skipped"};

static const char *device_type_name(accel_device_type t)
{
    switch (t) {
    case ACCEL_DEVICE_CPU: return "cpu";
    case ACCEL_DEVICE_GPU: return "gpu";
    case ACCEL_DEVICE_ACCELERATOR: return "accelerator";
    default: return "other";
    }
}

void bench_json_device_info(bench_json *j, const accel_device_info *d, int numa_node)
{
    static const char *const features[] = {"fp64", "fp16", "bf16", "tf32", "fp8", "int8",
                                           "matrix_units", "unified_memory", "ecc", "mig", "graphs"};
    static const char *const computes[] = {"default", "f32", "tf32", "f16", "bf16", "f64",
                                           "f16_acc16", "i32"};
    bench_json_object_begin(j);
    bench_json_kv_string(j, "backend", d->backend);
    bench_json_kv_int(j, "index", d->index);
    bench_json_kv_string(j, "type", device_type_name(d->type));
    bench_json_kv_string(j, "name", d->name);
    bench_json_kv_string(j, "vendor", d->vendor);
    bench_json_kv_string(j, "uuid", d->uuid);
    bench_json_kv_string(j, "pci_bus_id", d->pci_bus_id);
    bench_json_kv_int(j, "numa_node", numa_node);
    bench_json_kv_string(j, "driver_version", d->driver_version);
    bench_json_kv_string(j, "runtime_version", d->runtime_version);
    bench_json_kv_string(j, "isa", d->isa);
    bench_json_kv_int(j, "compute_units", d->compute_units);
    bench_json_kv_int(j, "clock_mhz", d->clock_mhz);
    bench_json_kv_int(j, "max_clock_mhz", d->max_clock_mhz);
    bench_json_kv_int(j, "memory_bytes", (int64_t)d->memory_bytes);
    bench_json_kv_int(j, "max_alloc_bytes", (int64_t)d->max_alloc_bytes);
    bench_json_kv_int(j, "cache_bytes", (int64_t)d->cache_bytes);
    bench_json_key(j, "features");
    bench_json_array_begin(j);
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++)
        if (d->features & (1ull << i))
            bench_json_string(j, features[i]);
    bench_json_array_end(j);
    bench_json_kv_int(j, "module_formats", d->module_formats);
    bench_json_kv_int(j, "ecc_enabled", d->ecc_enabled);
    bench_json_kv_int(j, "mig_enabled", d->mig_enabled);
    bench_json_kv_number(j, "power_limit_w", d->power_limit_w);
    bench_json_kv_string(j, "op_libraries", d->op_libraries);
    bench_json_key(j, "vendor_peak");
    bench_json_object_begin(j);
    bench_json_key(j, "tflops");
    bench_json_object_begin(j);
    for (int i = 1; i < ACCEL_COMPUTE_COUNT_ && i < (int)(sizeof computes / sizeof computes[0]); i++)
        if (d->vendor_peak.tflops[i] > 0)
            bench_json_kv_number(j, computes[i], d->vendor_peak.tflops[i]);
    /* Not a compute type: fp8 GEMM computes in f32 on fp8 matrix units (plugin ABI 1.1). */
    if (d->vendor_peak_fp8_tflops > 0)
        bench_json_kv_number(j, "fp8", d->vendor_peak_fp8_tflops);
    bench_json_object_end(j);
    bench_json_kv_number(j, "memory_gbps", d->vendor_peak.memory_gbps);
    bench_json_kv_string(j, "source", d->vendor_peak.source);
    bench_json_object_end(j);
    bench_json_kv_string(j, "notes", d->notes);
    bench_json_object_end(j);
}

void bench_json_backends(bench_json *j, const accel_runtime *rt)
{
    const accel_backend_report *list = NULL;
    size_t count = 0;
    bench_json_array_begin(j);
    if (accel_runtime_backends(rt, &list, &count) == ACCEL_OK) {
        for (size_t i = 0; i < count; i++) {
            const accel_backend_report *b = &list[i];
            bench_json_object_begin(j);
            bench_json_kv_string(j, "name", b->name);
            bench_json_kv_string(j, "path", b->path);
            bench_json_kv_string(j, "status", accel_status_str(b->status));
            bench_json_kv_string(j, "reason", b->reason);
            bench_json_kv_int(j, "device_count", b->device_count);
            bench_json_kv_int(j, "abi_major", b->abi_major);
            bench_json_kv_int(j, "abi_minor", b->abi_minor);
            bench_json_kv_string(j, "version", b->version);
            bench_json_object_end(j);
        }
    }
    bench_json_array_end(j);
}

int bench_sidecar_write(const bench_sidecar *s)
{
    bench_json j = {0};
    bench_json_object_begin(&j);
    bench_json_kv_string(&j, "format", "accelbench-run");
    bench_json_kv_int(&j, "schema_version", 1);
    bench_metadata_to_json(&j, s->meta);
    bench_json_kv_string(&j, "csv", s->csv_path);
    bench_json_key(&j, "command_line");
    bench_json_array_begin(&j);
    for (int i = 0; i < s->argc; i++)
        bench_json_string(&j, s->argv[i]);
    bench_json_array_end(&j);
    bench_json_key(&j, "tags");
    bench_json_object_begin(&j);
    for (size_t i = 0; i < s->args->tags.count; i++) {
        const char *t = s->args->tags.items[i];
        const char *eq = strchr(t, '=');
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(eq - t), t);
        bench_json_kv_string(&j, key, eq + 1);
    }
    bench_json_object_end(&j);
    if (s->identity) {
        bench_json_key(&j, "instance");
        bench_identity_to_json(&j, s->identity);
    }
    bench_json_key(&j, "topology");
    bench_topology_to_json(&j, s->topo);
    bench_json_key(&j, "backends");
    bench_json_backends(&j, s->rt);
    bench_json_key(&j, "devices");
    bench_json_array_begin(&j);
    for (size_t i = 0; i < s->plan->device_count; i++) {
        const bench_device *d = &s->plan->devices[i];
        bench_json_device_info(&j, &d->info, d->numa_node);
    }
    bench_json_array_end(&j);
    /* Every device the runtime found, chosen or not, so the environment is complete. */
    bench_json_key(&j, "all_devices");
    bench_json_array_begin(&j);
    int count = 0;
    accel_runtime_device_count(s->rt, &count);
    for (int i = 0; i < count; i++) {
        char id[64];
        if (accel_runtime_device_id(s->rt, i, id, sizeof id) != ACCEL_OK)
            continue;
        const bench_device *chosen = NULL;
        for (size_t k = 0; k < s->plan->device_count; k++)
            if (strcmp(s->plan->devices[k].id, id) == 0)
                chosen = &s->plan->devices[k];
        if (chosen) {
            bench_json_device_info(&j, &chosen->info, chosen->numa_node);
            continue;
        }
        accel_device *dev = NULL;
        accel_device_info info;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        if (accel_device_open(s->rt, id, &dev) == ACCEL_OK &&
            accel_device_info_get(dev, &info) == ACCEL_OK)
            bench_json_device_info(&j, &info, info.numa_node >= 0 ? info.numa_node
                                                                  : bench_pci_numa_node(info.pci_bus_id));
        accel_device_close(dev);
    }
    bench_json_array_end(&j);
    bench_json_key(&j, "timers");
    bench_json_object_begin(&j);
    for (size_t i = 0; i < s->plan->device_count; i++) {
        const bench_device *d = &s->plan->devices[i];
        bench_json_key(&j, d->id);
        bench_json_object_begin(&j);
        bench_json_kv_string(&j, "name", d->timer_name);
        bench_json_kv_number(&j, "resolution_ns", d->timer_resolution_ns);
        bench_json_object_end(&j);
    }
    bench_json_object_end(&j);
    bench_json_kv_int(&j, "planned_rows", (int64_t)s->plan->item_count);
    const bench_run_summary *r = s->summary;
    bench_json_kv_string(&j, "state", !r->finished    ? "running"
                                      : r->stopped     ? "failed"
                                      : r->interrupted ? "interrupted"
                                                       : "finished");
    if (r->finished) {
        bench_json_kv_string(&j, "finished_utc", r->finished_utc);
        bench_json_key(&j, "rows");
        bench_json_object_begin(&j);
        for (int i = 0; i < 5; i++)
            bench_json_kv_int(&j, bench_statuses[i], (int64_t)r->rows_by_status[i]);
        bench_json_kv_int(&j, "resumed", (int64_t)r->rows_resumed);
        bench_json_kv_int(&j, "lost", (int64_t)r->rows_lost);
        bench_json_object_end(&j);
        if (r->problem[0])
            bench_json_kv_string(&j, "problem", r->problem);
        bench_json_kv_int(&j, "exit_status", r->exit_status);
    }
    bench_json_object_end(&j);
    bench_strbuf_append(&j.out, "\n");
    int rc = bench_file_write_atomic(s->path, j.out.data, j.out.len);
    bench_json_free(&j);
    return rc;
}
