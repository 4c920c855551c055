/* The peak table maps the names real drivers report, with their SM counts, to the right product,
 * and refuses look-alikes (cut-down parts, MIG slices, other GPUs). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cuda_peak.h"

int accel_cuda_symbols_check(void); /* cuda_symbols_check.c */

static int failures;

static void expect(const char *name, int sms, double gib, const char *source, double bf16,
                   double fp32, double gbps) {
    accel_peak_table t;
    const int found = accel_cuda_peak_lookup(name, sms, (uint64_t)(gib * 1073741824.0), &t);
    if (!source) {
        if (found || t.source[0] || t.tflops[ACCEL_COMPUTE_BF16] != 0) {
            printf("FAIL %s (%d SMs): expected no entry, got %s\n", name, sms, t.source);
            ++failures;
        }
        return;
    }
    if (!found || strcmp(t.source, source) != 0 || fabs(t.tflops[ACCEL_COMPUTE_BF16] - bf16) > 1e-9 ||
        fabs(t.tflops[ACCEL_COMPUTE_F32] - fp32) > 1e-9 || fabs(t.memory_gbps - gbps) > 1e-9) {
        printf("FAIL %s (%d SMs): got found=%d '%s' bf16 %g fp32 %g %g GB/s\n", name, sms, found,
               t.source, t.tflops[ACCEL_COMPUTE_BF16], t.tflops[ACCEL_COMPUTE_F32], t.memory_gbps);
        ++failures;
        return;
    }
    if (t.tflops[ACCEL_COMPUTE_TF32] <= 0 || t.tflops[ACCEL_COMPUTE_F64] <= 0 ||
        t.tflops[ACCEL_COMPUTE_F16] != t.tflops[ACCEL_COMPUTE_BF16]) {
        printf("FAIL %s: incomplete row\n", name);
        ++failures;
    }
    printf("ok   %-24s -> %s\n", name, t.source);
}

static void expect_fp8(const char *name, int sms, double gib, double fp8) {
    const double got = accel_cuda_peak_fp8_tflops(name, sms, (uint64_t)(gib * 1073741824.0));
    if (fabs(got - fp8) > 1e-9) {
        printf("FAIL %s (%d SMs): fp8 %g, expected %g\n", name, sms, got, fp8);
        ++failures;
    }
}

int main(void) {
    if (accel_cuda_symbols_check() != 0) {
        printf("FAIL symbol tables\n");
        return 1;
    }
    expect("NVIDIA A100-SXM4-40GB", 108, 39.4, "vendor:A100-SXM4-40GB datasheet (dense)", 312, 19.5, 1555);
    expect("NVIDIA A100-SXM4-80GB", 108, 79.2, "vendor:A100-SXM4-80GB datasheet (dense)", 312, 19.5, 2039);
    expect("NVIDIA A100-PCIE-40GB", 108, 39.4, "vendor:A100-PCIe-40GB datasheet (dense)", 312, 19.5, 1555);
    expect("NVIDIA A100 80GB PCIe", 108, 79.2, "vendor:A100-PCIe-80GB datasheet (dense)", 312, 19.5, 1935);
    expect("NVIDIA H100 80GB HBM3", 132, 79.1, "vendor:H100-SXM5-80GB datasheet (dense)", 989.5, 67, 3350);
    expect("NVIDIA H100 PCIe", 114, 79.1, "vendor:H100-PCIe-80GB datasheet (dense)", 756.5, 51, 2000);
    expect("NVIDIA H100 NVL", 132, 93.6, "vendor:H100-NVL-94GB datasheet (dense)", 835.5, 60, 3900);
    expect("NVIDIA H200", 132, 139.8, "vendor:H200-SXM-141GB datasheet (dense)", 989.5, 67, 4800);
    expect("NVIDIA H200 NVL", 132, 139.8, "vendor:H200-NVL-141GB datasheet (dense)", 835.5, 60, 4800);
    /* Look-alikes and others: no entry rather than a wrong roof. */
    expect("NVIDIA A800-SXM4-80GB", 108, 79.2, NULL, 0, 0, 0);
    expect("NVIDIA H100 80GB HBM3 MIG 1g.10gb", 16, 9.5, NULL, 0, 0, 0);
    expect("NVIDIA H800", 132, 79.1, NULL, 0, 0, 0);
    expect("NVIDIA GH200 480GB", 132, 94.5, NULL, 0, 0, 0);
    expect("NVIDIA GeForce RTX 4090", 128, 23.6, NULL, 0, 0, 0);
    expect("NVIDIA A100-SXM4-40GB", 14, 4.75, NULL, 0, 0, 0); /* MIG 1g.5gb */
    expect("", 0, 0, NULL, 0, 0, 0);
    /* Dense e4m3 from the datasheets (their sparse figures halved); none on A100 or look-alikes. */
    expect_fp8("NVIDIA H100 80GB HBM3", 132, 79.1, 1979);
    expect_fp8("NVIDIA H100 PCIe", 114, 79.1, 1513);
    expect_fp8("NVIDIA H100 NVL", 132, 93.6, 1670.5);
    expect_fp8("NVIDIA H200", 132, 139.8, 1979);
    expect_fp8("NVIDIA H200 NVL", 132, 139.8, 1670.5);
    expect_fp8("NVIDIA A100-SXM4-80GB", 108, 79.2, 0);
    expect_fp8("NVIDIA H800", 132, 79.1, 0);
    return failures ? 1 : 0;
}
