#include "ze_peak.h"

#include <stdio.h>
#include <string.h>

typedef struct ze_peak_entry {
    const char *name_fragment;
    uint32_t card_eus; /* Xe-cores x 8 vector engines */
    double f64, f32, tf32, f16, bf16, int8, memory_gbps;
    const char *source;
} ze_peak_entry;

/* Intel's published peaks: Xe-cores x (256 FP32/FP64 vector flop, 4096 FP16/BF16 XMX flop, 2048 TF32
 * XMX flop, 8192 INT8 XMX op per clock) x max clock; HBM2e bandwidth from the product pages. */
static const ze_peak_entry ze_peaks[] = {
    /* 128 Xe-cores at 1.6 GHz, 128 GB HBM2e at 3.2768 TB/s */
    {"Max 1550", 1024u, 52.4, 52.4, 419.4, 838.9, 838.9, 1677.7, 3276.8, "vendor:Intel DC GPU Max 1550 spec"},
    /* 56 Xe-cores at 1.55 GHz, 48 GB HBM2e at 1.2288 TB/s */
    {"Max 1100", 448u, 22.2, 22.2, 177.8, 355.5, 355.5, 711.1, 1228.8, "vendor:Intel DC GPU Max 1100 spec"},
};

int accel_ze_peak_lookup(const char *device_name, uint32_t eu_count, accel_peak_table *out) {
    memset(out, 0, sizeof *out);
    if (!device_name) return 0;
    for (size_t i = 0; i < sizeof ze_peaks / sizeof ze_peaks[0]; i++) {
        const ze_peak_entry *e = &ze_peaks[i];
        if (!strstr(device_name, e->name_fragment)) continue;
        double share = 1.0;
        if (eu_count > 0 && eu_count < e->card_eus) share = (double)eu_count / (double)e->card_eus;
        out->tflops[ACCEL_COMPUTE_F64] = e->f64 * share;
        out->tflops[ACCEL_COMPUTE_F32] = e->f32 * share;
        out->tflops[ACCEL_COMPUTE_TF32] = e->tf32 * share;
        out->tflops[ACCEL_COMPUTE_F16] = e->f16 * share;
        out->tflops[ACCEL_COMPUTE_BF16] = e->bf16 * share;
        out->tflops[ACCEL_COMPUTE_I32] = e->int8 * share;
        out->memory_gbps = e->memory_gbps * share;
        if (share < 1.0)
            snprintf(out->source, sizeof out->source, "%s x%.2f (%u of %u EUs)", e->source, share,
                     eu_count, e->card_eus);
        else
            snprintf(out->source, sizeof out->source, "%s", e->source);
        return 1;
    }
    return 0;
}
