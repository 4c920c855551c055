#include "gaudi_peak.h"

#include <stdio.h>
#include <string.h>

/* Dense matrix-engine (MME) peaks and HBM bandwidth, from Intel's published figures:
 * Gaudi 2 (HL-225, OAM): 432 TFLOP/s bf16, 865 TFLOP/s fp8, 96 GB HBM2e at 2.46 TB/s;
 * Gaudi 3 (HL-325L, OAM): 1835 TFLOP/s bf16 and fp8, 128 GB HBM2e at 3.7 TB/s.
 * Intel publishes no fp32 or fp16 matrix figure for either; those stay 0 (unknown). */
typedef struct gaudi_product {
    synapse_device_type type;
    const char *source; /* fits accel_peak_table.source */
    double bf16, fp8, gbps;
} gaudi_product;

static const gaudi_product products[] = {
    {SYNAPSE_DEVICE_GAUDI2, "vendor:Intel Gaudi 2 (HL-225) product figures", 432, 865, 2460},
    {SYNAPSE_DEVICE_GAUDI3, "vendor:Intel Gaudi 3 (HL-325L) white paper", 1835, 1835, 3700},
};

int accel_gaudi_peak_lookup(synapse_device_type type, accel_peak_table *out, double *fp8_tflops) {
    memset(out, 0, sizeof *out);
    *fp8_tflops = 0;
    for (size_t i = 0; i < sizeof products / sizeof products[0]; ++i) {
        if (products[i].type != type) continue;
        out->tflops[ACCEL_COMPUTE_BF16] = products[i].bf16;
        out->memory_gbps = products[i].gbps;
        snprintf(out->source, sizeof out->source, "%s", products[i].source);
        *fp8_tflops = products[i].fp8;
        return 1;
    }
    return 0;
}

const char *accel_gaudi_isa_name(synapse_device_type type) {
    switch (type) {
    case SYNAPSE_DEVICE_GAUDI2: return "gaudi2";
    case SYNAPSE_DEVICE_GAUDI3: return "gaudi3";
    default: return NULL;
    }
}
