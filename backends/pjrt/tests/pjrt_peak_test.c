/* The TPU peak table maps every device kind libtpu reports to its product, and nothing else. */
#include <stdio.h>
#include <string.h>

#include "pjrt_expect.h"
#include "pjrt_peak.h"


static void tpu(const char *kind, double bf16, double int8, double gbps) {
    accel_peak_table p;
    int hit = pj_peak_lookup("tpu", kind, 1, 0, &p);
    EXPECT(hit == (bf16 > 0), "'%s': lookup %d", kind, hit);
    EXPECT(p.tflops[ACCEL_COMPUTE_BF16] == bf16, "'%s': bf16 %g, want %g", kind, p.tflops[ACCEL_COMPUTE_BF16], bf16);
    EXPECT(p.tflops[ACCEL_COMPUTE_I32] == int8, "'%s': int8 %g, want %g", kind, p.tflops[ACCEL_COMPUTE_I32], int8);
    EXPECT(p.memory_gbps == gbps, "'%s': %g GB/s, want %g", kind, p.memory_gbps, gbps);
    EXPECT(p.tflops[ACCEL_COMPUTE_F32] == 0, "'%s': an fp32 peak was claimed", kind);
    if (hit) EXPECT(strncmp(p.source, "vendor:Cloud TPU", 16) == 0, "'%s': source '%s'", kind, p.source);
}

int main(void) {
    tpu("TPU v4", 275, 275, 1200);
    tpu("TPU v5 lite", 197, 393, 819);
    tpu("TPU v5e", 197, 393, 819);
    tpu("TPU v5", 459, 918, 2765);
    tpu("TPU v5p", 459, 918, 2765);
    tpu("TPU v6 lite", 918, 1836, 1640);
    tpu("TPU v6e", 918, 1836, 1640);
    tpu("TPU v4 lite", 0, 0, 0); /* v4i: no published figures */
    tpu("TPU v3", 0, 0, 0);
    tpu("TPU v7x", 0, 0, 0);
    accel_peak_table p;
    EXPECT(pj_peak_lookup("cpu", "cpu", 4, 0, &p) == 0, "a CPU got a peak");
    EXPECT(pj_peak_lookup("cuda", "NVIDIA H100 80GB HBM3", 132, 80ull << 30, &p) == 1 && p.memory_gbps > 0,
           "the CUDA plugin's H100 is not in the NVIDIA table");
    printf("pjrt peak table: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
