#include "roofs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void device_key(const bench_row *row, char *buf, size_t n)
{
    const char *uuid = bench_row_get(row, BENCH_COL_DEVICE_UUID);
    if (uuid[0])
        snprintf(buf, n, "%s", uuid);
    else
        snprintf(buf, n, "%s:%s", bench_row_get(row, BENCH_COL_BACKEND),
                 bench_row_get(row, BENCH_COL_DEVICE_INDEX));
}

void bench_roofs_record(bench_roofs *r, const bench_row *row, const char *roof)
{
    const char *wl = bench_row_get(row, BENCH_COL_WORKLOAD);
    int peak = strcmp(wl, "peak") == 0, stream = strcmp(wl, "stream") == 0;
    if ((!peak && !stream) || strcmp(bench_row_get(row, BENCH_COL_STATUS), "ok") != 0)
        return;
    char derived[64];
    if (!roof) {
        if (peak)
            snprintf(derived, sizeof derived, "%s-%s", bench_row_get(row, BENCH_COL_CONFIG),
                     bench_row_get(row, BENCH_COL_DTYPE));
        else
            snprintf(derived, sizeof derived, "%s", bench_row_get(row, BENCH_COL_CONFIG));
        roof = derived;
    }
    if (!roof[0] || (stream && strcmp(roof, bench_row_get(row, BENCH_COL_CONFIG)) != 0))
        return;
    double v;
    if (bench_parse_double(bench_row_get(row, peak ? BENCH_COL_TFLOPS : BENCH_COL_GBPS), &v) != 0 || v <= 0)
        return;
    const char *name = roof;
    bench_roof entry;
    memset(&entry, 0, sizeof entry);
    device_key(row, entry.device_key, sizeof entry.device_key);
    bench_copy(entry.name, sizeof entry.name, name);
    bench_copy(entry.workload, sizeof entry.workload, wl);
    entry.value = v;
    /* The best of several libraries or repeated runs is the roof. */
    for (size_t i = 0; i < r->count; i++) {
        bench_roof *o = &r->items[i];
        if (strcmp(o->device_key, entry.device_key) == 0 && strcmp(o->name, entry.name) == 0 &&
            strcmp(o->workload, entry.workload) == 0) {
            if (v > o->value)
                o->value = v;
            return;
        }
    }
    r->items = realloc(r->items, (r->count + 1) * sizeof *r->items);
    if (!r->items)
        abort();
    r->items[r->count++] = entry;
}

static int compute_index(const char *compute_type, const char *dtype)
{
    static const struct { const char *name; int index; } map[] = {
        {"f32", ACCEL_COMPUTE_F32},   {"fp32", ACCEL_COMPUTE_F32},  {"tf32", ACCEL_COMPUTE_TF32},
        {"f16", ACCEL_COMPUTE_F16},   {"fp16", ACCEL_COMPUTE_F16},  {"bf16", ACCEL_COMPUTE_BF16},
        {"f64", ACCEL_COMPUTE_F64},   {"fp64", ACCEL_COMPUTE_F64},
        {"f16_acc16", ACCEL_COMPUTE_F16_ACC16}, {"i32", ACCEL_COMPUTE_I32},
    };
    /* fp8 GEMM computes in "f32" but runs on fp8 tensor cores: the fp32 figure is no yardstick, and
     * the peak table has no fp8 entry, so only a measured roof (peak/matrix-fp8) applies. */
    if (dtype && strcmp(dtype, "fp8") == 0)
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        const char *name = pass == 0 ? compute_type : dtype;
        for (size_t i = 0; name && i < sizeof map / sizeof map[0]; i++)
            if (strcmp(map[i].name, name) == 0)
                return map[i].index;
    }
    return -1;
}

void bench_roofs_apply(const bench_roofs *r, const accel_device_info *info, const char *roof,
                       int bandwidth, bench_row *row)
{
    double achieved;
    if (bench_parse_double(bench_row_get(row, bandwidth ? BENCH_COL_GBPS : BENCH_COL_TFLOPS),
                           &achieved) != 0)
        return;
    char key[96];
    device_key(row, key, sizeof key);
    const char *own_workload = bench_row_get(row, BENCH_COL_WORKLOAD);
    const char *own_config = bench_row_get(row, BENCH_COL_CONFIG);
    for (size_t i = 0; roof && roof[0] && i < r->count; i++) {
        const bench_roof *o = &r->items[i];
        if (strcmp(o->device_key, key) != 0 || strcmp(o->name, roof) != 0)
            continue;
        if (strcmp(o->workload, bandwidth ? "stream" : "peak") != 0)
            continue;
        if (strcmp(o->workload, own_workload) == 0 &&
            (strcmp(own_workload, "peak") == 0 || strcmp(o->name, own_config) == 0))
            continue; /* a roof row is not its own yardstick */
        if (!bandwidth)
            bench_row_set_number(row, BENCH_COL_PEAK_TFLOPS, o->value);
        bench_row_setf(row, BENCH_COL_PEAK_SOURCE, "measured:%s/%s", o->workload, o->name);
        bench_row_set_number(row, BENCH_COL_PCT_PEAK, 100.0 * achieved / o->value);
        return;
    }
    double vendor = 0;
    if (bandwidth) {
        vendor = info->vendor_peak.memory_gbps;
    } else {
        int idx = compute_index(bench_row_get(row, BENCH_COL_COMPUTE_TYPE),
                                bench_row_get(row, BENCH_COL_DTYPE));
        if (idx >= 0)
            vendor = info->vendor_peak.tflops[idx];
    }
    if (vendor <= 0)
        return;
    if (!bandwidth)
        bench_row_set_number(row, BENCH_COL_PEAK_TFLOPS, vendor);
    const char *src = info->vendor_peak.source;
    if (strncmp(src, "vendor:", 7) == 0)
        bench_row_set(row, BENCH_COL_PEAK_SOURCE, src);
    else
        bench_row_setf(row, BENCH_COL_PEAK_SOURCE, "vendor:%s", src[0] ? src : "datasheet");
    bench_row_set_number(row, BENCH_COL_PCT_PEAK, 100.0 * achieved / vendor);
}

void bench_roofs_free(bench_roofs *r)
{
    free(r->items);
    r->items = NULL;
    r->count = 0;
}
