#include "pjrt_peak.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cuda_peak.h"

/* Per chip, dense, from Google Cloud's TPU system-architecture pages (docs/backend-pjrt.md cites
 * each). int8 goes in the I32 slot: int8 products accumulated in int32. */
static const struct {
    const char *key;    /* matched against the lower-cased device kind */
    const char *source;
    double bf16, int8, gbps;
} tpus[] = {
    {"v6e", "vendor:Cloud TPU v6e system architecture", 918, 1836, 1640},
    {"v5p", "vendor:Cloud TPU v5p system architecture", 459, 918, 2765},
    {"v5e", "vendor:Cloud TPU v5e system architecture", 197, 393, 819},
    {"v4", "vendor:Cloud TPU v4 system architecture", 275, 275, 1200},
};

/* The generation key of a TPU device kind: libtpu names v5e "TPU v5 lite", v6e "TPU v6 lite", and
 * v5p "TPU v5" (or "TPU v5p"); "TPU v4 lite" (the inference v4i) is no product we have figures for. */
static const char *tpu_key(const char *kind) {
    char k[64];
    size_t n = 0;
    for (; kind[n] && n + 1 < sizeof k; ++n) k[n] = (char)tolower((unsigned char)kind[n]);
    k[n] = '\0';
    if (strstr(k, "v6 lite") || strstr(k, "v6e")) return "v6e";
    if (strstr(k, "v5 lite") || strstr(k, "v5e") || strstr(k, "v5litepod")) return "v5e";
    if (strstr(k, "v5p") || strcmp(k, "tpu v5") == 0) return "v5p";
    if (strstr(k, "v4 lite")) return NULL;
    if (strstr(k, "v4")) return "v4";
    return NULL;
}

int pj_peak_lookup(const char *platform, const char *device_kind, int core_count, uint64_t memory_bytes,
                   accel_peak_table *out) {
    memset(out, 0, sizeof *out);
    if (strcmp(platform, "cuda") == 0) return accel_cuda_peak_lookup(device_kind, core_count, memory_bytes, out);
    if (strcmp(platform, "tpu") != 0) return 0;
    const char *key = tpu_key(device_kind);
    for (size_t i = 0; key && i < sizeof tpus / sizeof *tpus; ++i) {
        if (strcmp(tpus[i].key, key) != 0) continue;
        out->tflops[ACCEL_COMPUTE_BF16] = tpus[i].bf16;
        out->tflops[ACCEL_COMPUTE_I32] = tpus[i].int8;
        out->memory_gbps = tpus[i].gbps;
        snprintf(out->source, sizeof out->source, "%s", tpus[i].source);
        return 1;
    }
    return 0;
}
