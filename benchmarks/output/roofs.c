#include "roofs.h"

#include <math.h>
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

/* n of a peak/matrix row's n x n x n GEMM: its flop column is 2 n^3 (the m, n, k columns are
 * empty because the size is the device's, not the config's). */
static long long matrix_size(const bench_row *row)
{
    double flop;
    if (strcmp(bench_row_get(row, BENCH_COL_CONFIG), "matrix") != 0 ||
        bench_parse_double(bench_row_get(row, BENCH_COL_FLOP), &flop) != 0 || flop <= 0)
        return 0;
    return llround(cbrt(flop / 2.0));
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
    bench_roof entry;
    memset(&entry, 0, sizeof entry);
    device_key(row, entry.device_key, sizeof entry.device_key);
    bench_copy(entry.name, sizeof entry.name, roof);
    bench_copy(entry.workload, sizeof entry.workload, wl);
    bench_copy(entry.config, sizeof entry.config, bench_row_get(row, BENCH_COL_CONFIG));
    bench_copy(entry.library, sizeof entry.library, bench_row_get(row, BENCH_COL_LIBRARY));
    entry.size = peak ? matrix_size(row) : 0;
    entry.value = v;
    /* Repeated runs of one library and size: the best is the roof. */
    for (size_t i = 0; i < r->count; i++) {
        bench_roof *o = &r->items[i];
        if (strcmp(o->device_key, entry.device_key) == 0 && strcmp(o->name, entry.name) == 0 &&
            strcmp(o->workload, entry.workload) == 0 && strcmp(o->library, entry.library) == 0 &&
            o->size == entry.size) {
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

static int row_dim_is(const bench_row *row, bench_column c, long long want)
{
    double v;
    return bench_parse_double(bench_row_get(row, c), &v) == 0 && v == (double)want;
}

/* Whether roof o was measured by the very op the row runs: the row itself (or a repeat of it), or
 * a GEMM of the same library on the same n x n x n shape as the peak/matrix roof. */
static int same_op(const bench_roof *o, const bench_row *row)
{
    const char *wl = bench_row_get(row, BENCH_COL_WORKLOAD);
    const char *library = bench_row_get(row, BENCH_COL_LIBRARY);
    if (strcmp(o->library, library) != 0)
        return 0;
    if (strcmp(o->workload, wl) == 0 && strcmp(o->config, bench_row_get(row, BENCH_COL_CONFIG)) == 0)
        return 1;
    const char *batch = bench_row_get(row, BENCH_COL_BATCH);
    return strcmp(wl, "gemm") == 0 && o->size > 0 && row_dim_is(row, BENCH_COL_M, o->size) &&
           row_dim_is(row, BENCH_COL_N, o->size) && row_dim_is(row, BENCH_COL_K, o->size) &&
           (!batch[0] || row_dim_is(row, BENCH_COL_BATCH, 1));
}

static void apply_attainable(const bench_roofs *r, const char *roof, int bandwidth, double achieved,
                             bench_row *row)
{
    char key[96];
    device_key(row, key, sizeof key);
    const bench_roof *best = NULL;
    for (size_t i = 0; roof && roof[0] && i < r->count; i++) {
        const bench_roof *o = &r->items[i];
        if (strcmp(o->device_key, key) != 0 || strcmp(o->name, roof) != 0 ||
            strcmp(o->workload, bandwidth ? "stream" : "peak") != 0 || same_op(o, row))
            continue;
        if (!best || o->value > best->value)
            best = o;
    }
    if (!best)
        return;
    bench_row_set_number(row, BENCH_COL_ATTAINABLE, best->value);
    if (best->size > 0)
        bench_row_setf(row, BENCH_COL_ATTAINABLE_SOURCE, "measured:%s/%s %s n=%lld", best->workload, best->name,
                       best->library, best->size);
    else
        bench_row_setf(row, BENCH_COL_ATTAINABLE_SOURCE, "measured:%s/%s %s", best->workload, best->name,
                       best->library);
    bench_row_set_number(row, BENCH_COL_PCT_ATTAINABLE, 100.0 * achieved / best->value);
}

static int compute_index(const char *compute_type, const char *dtype)
{
    static const struct { const char *name; int index; } map[] = {
        {"f32", ACCEL_COMPUTE_F32},   {"fp32", ACCEL_COMPUTE_F32},  {"tf32", ACCEL_COMPUTE_TF32},
        {"f16", ACCEL_COMPUTE_F16},   {"fp16", ACCEL_COMPUTE_F16},  {"bf16", ACCEL_COMPUTE_BF16},
        {"f64", ACCEL_COMPUTE_F64},   {"fp64", ACCEL_COMPUTE_F64},
        {"f16_acc16", ACCEL_COMPUTE_F16_ACC16}, {"i32", ACCEL_COMPUTE_I32},
    };
    for (int pass = 0; pass < 2; pass++) {
        const char *name = pass == 0 ? compute_type : dtype;
        for (size_t i = 0; name && i < sizeof map / sizeof map[0]; i++)
            if (strcmp(map[i].name, name) == 0)
                return map[i].index;
    }
    return -1;
}

/* The roof that bounds the row: the device's datasheet or theoretical peak. fp8 GEMM computes in
 * "f32" but runs on fp8 matrix units: its roof is the fp8 figure, never the fp32 one. */
static double bounding_roof(const accel_device_info *info, int bandwidth, const bench_row *row)
{
    if (bandwidth)
        return info->vendor_peak.memory_gbps;
    if (strcmp(bench_row_get(row, BENCH_COL_DTYPE), "fp8") == 0)
        return info->vendor_peak_fp8_tflops;
    int idx = compute_index(bench_row_get(row, BENCH_COL_COMPUTE_TYPE), bench_row_get(row, BENCH_COL_DTYPE));
    return idx >= 0 ? info->vendor_peak.tflops[idx] : 0;
}

void bench_roofs_apply(const bench_roofs *r, const accel_device_info *info, const char *roof,
                       int bandwidth, bench_row *row)
{
    double achieved;
    if (bench_parse_double(bench_row_get(row, bandwidth ? BENCH_COL_GBPS : BENCH_COL_TFLOPS),
                           &achieved) != 0)
        return;
    apply_attainable(r, roof, bandwidth, achieved, row);
    double bound = bounding_roof(info, bandwidth, row);
    if (!(bound > 0))
        return;
    bench_row_set_number(row, bandwidth ? BENCH_COL_PEAK_GBPS : BENCH_COL_PEAK_TFLOPS, bound);
    const char *src = info->vendor_peak.source;
    if (strncmp(src, "vendor:", 7) == 0 || strncmp(src, "theoretical:", 12) == 0)
        bench_row_set(row, BENCH_COL_PEAK_SOURCE, src);
    else
        bench_row_setf(row, BENCH_COL_PEAK_SOURCE, "vendor:%s", src[0] ? src : "datasheet");
    bench_row_set_number(row, BENCH_COL_PCT_PEAK, 100.0 * achieved / bound);
}

void bench_roofs_free(bench_roofs *r)
{
    free(r->items);
    r->items = NULL;
    r->count = 0;
}
