/* Unit test of the AMD product/peak table and the ISA mapping (no GPU needed): PCI id and CU count
 * to product, per-die and per-partition peak scaling, gfx_target_version to ISA names, and the KFD
 * topology lookup against a fake sysfs tree written under argv[1]. */
#define _POSIX_C_SOURCE 200809L
#include "hip_arch.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int failures;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

static int near(double a, double b) { return fabs(a - b) <= 1e-9 * fabs(b) + 1e-12; }

static void test_products(void) {
    const hip_product *p = hip_product_lookup(0x74a1, 304);
    CHECK(p && strcmp(p->name, "MI300X") == 0 && strcmp(p->arch, "gfx942") == 0);
    accel_peak_table peak;
    hip_product_peak(p, 304, &peak);
    CHECK(near(peak.tflops[ACCEL_COMPUTE_BF16], 1307.4));
    CHECK(near(peak.tflops[ACCEL_COMPUTE_F16], 1307.4));
    CHECK(near(peak.tflops[ACCEL_COMPUTE_TF32], 653.7));
    CHECK(near(peak.tflops[ACCEL_COMPUTE_F32], 163.4));
    CHECK(near(peak.tflops[ACCEL_COMPUTE_F64], 163.4));
    CHECK(near(peak.memory_gbps, 5300.0));
    CHECK(strstr(peak.source, "MI300X") != NULL);
    CHECK(p->last_level_cache == 256ull << 20); /* Infinity Cache, not the 4 MB L2 */

    CHECK(near(hip_product_peak_fp8(p, 304), 2614.9));

    /* MI325X (PCI 0x74a5): MI300X's compute, 6 TB/s HBM3E. */
    p = hip_product_lookup(0x74a5, 304);
    CHECK(p && strcmp(p->name, "MI325X") == 0 && strcmp(p->arch, "gfx942") == 0);
    hip_product_peak(p, 304, &peak);
    CHECK(near(peak.tflops[ACCEL_COMPUTE_BF16], 1307.4) && near(peak.memory_gbps, 6000.0));
    CHECK(near(hip_product_peak_fp8(p, 304), 2614.9));
    CHECK(hip_product_peak_fp8(NULL, 304) == 0.0);
    CHECK(hip_product_peak_fp8(hip_product_lookup(0x740c, 110), 110) == 0.0); /* MI250X: no fp8 */

    /* A CPX partition of an MI300X: 38 of 304 CUs. */
    p = hip_product_lookup(0x74a1, 38);
    CHECK(p && strcmp(p->name, "MI300X") == 0);
    hip_product_peak(p, 38, &peak);
    CHECK(near(peak.tflops[ACCEL_COMPUTE_BF16], 1307.4 * 38.0 / 304.0));
    CHECK(near(hip_product_peak_fp8(p, 38), 2614.9 * 38.0 / 304.0));

    p = hip_product_lookup(0x74a0, 228);
    CHECK(p && strcmp(p->name, "MI300A") == 0);
    hip_product_peak(p, 228, &peak);
    CHECK(near(peak.tflops[ACCEL_COMPUTE_TF32], 490.3));

    /* MI250X and MI250 share a PCI id: one GCD (the HIP device) has 110 or 104 CUs. */
    p = hip_product_lookup(0x740c, 110);
    CHECK(p && strcmp(p->name, "MI250X") == 0);
    hip_product_peak(p, 110, &peak);
    CHECK(near(peak.tflops[ACCEL_COMPUTE_F16], 383.0 / 2));
    CHECK(near(peak.memory_gbps, 3276.8 / 2));
    CHECK(peak.tflops[ACCEL_COMPUTE_TF32] == 0.0); /* no xf32 before MI300 */
    CHECK(p->last_level_cache == 0);
    p = hip_product_lookup(0x740c, 104);
    CHECK(p && strcmp(p->name, "MI250") == 0);
    CHECK(hip_product_lookup(0x740c, 80) == NULL); /* ambiguous and matching neither */

    p = hip_product_lookup(0x740f, 104);
    CHECK(p && strcmp(p->name, "MI210") == 0 && strcmp(p->arch, "gfx90a") == 0);
    hip_product_peak(p, 104, &peak);
    CHECK(near(peak.tflops[ACCEL_COMPUTE_BF16], 181.0) && near(peak.memory_gbps, 1638.4));

    CHECK(hip_product_lookup(0x1234, 64) == NULL);
    hip_product_peak(NULL, 64, &peak);
    CHECK(peak.tflops[ACCEL_COMPUTE_F32] == 0.0 && peak.source[0] == '\0');
}

static void test_arch_names(void) {
    char s[32];
    CHECK(hip_arch_from_target_version(90402, s, sizeof s) == 0 && strcmp(s, "gfx942") == 0);
    CHECK(hip_arch_from_target_version(90010, s, sizeof s) == 0 && strcmp(s, "gfx90a") == 0);
    CHECK(hip_arch_from_target_version(90008, s, sizeof s) == 0 && strcmp(s, "gfx908") == 0);
    CHECK(hip_arch_from_target_version(110000, s, sizeof s) == 0 && strcmp(s, "gfx1100") == 0);
    CHECK(hip_arch_from_target_version(100300, s, sizeof s) == 0 && strcmp(s, "gfx1030") == 0);
    CHECK(hip_arch_from_target_version(0, s, sizeof s) != 0);
    CHECK(hip_arch_from_target_version(91600, s, sizeof s) != 0); /* minor 16: not one hex digit */

    CHECK(strcmp(hip_arch_from_pci_id(0x74a1), "gfx942") == 0);
    CHECK(strcmp(hip_arch_from_pci_id(0x740c), "gfx90a") == 0);
    CHECK(strcmp(hip_arch_from_pci_id(0x738c), "gfx908") == 0);
    CHECK(hip_arch_from_pci_id(0x1234) == NULL);

    unsigned d, b, v, f;
    CHECK(hip_pci_bus_id_parse("0000:c1:00.0", &d, &b, &v, &f) == 0 && d == 0 && b == 0xc1 &&
          v == 0 && f == 0);
    CHECK(hip_pci_bus_id_parse("0001:1b:02.3", &d, &b, &v, &f) == 0 && d == 1 && b == 0x1b &&
          v == 2 && f == 3);
    CHECK(hip_pci_bus_id_parse("c1:00.0", &d, &b, &v, &f) != 0);
    CHECK(hip_pci_bus_id_parse("0000:c1:00.0x", &d, &b, &v, &f) != 0);

    unsigned long long fe = hip_arch_features("gfx942");
    CHECK((fe & ACCEL_FEATURE_TF32) && (fe & ACCEL_FEATURE_MATRIX_UNITS) && (fe & ACCEL_FEATURE_FP8));
    fe = hip_arch_features("gfx950");
    CHECK(!(fe & ACCEL_FEATURE_TF32) && (fe & ACCEL_FEATURE_MATRIX_UNITS) && (fe & ACCEL_FEATURE_FP8));
    fe = hip_arch_features("gfx90a");
    CHECK(!(fe & ACCEL_FEATURE_TF32) && (fe & ACCEL_FEATURE_MATRIX_UNITS) && (fe & ACCEL_FEATURE_BF16));
    fe = hip_arch_features("gfx1030");
    CHECK(!(fe & ACCEL_FEATURE_MATRIX_UNITS) && (fe & ACCEL_FEATURE_FP16));
    /* the flash kernel's MFMA body: CDNA2 and later, not CDNA1 (no bf16_1k), not RDNA */
    CHECK(hip_arch_has_flash_mfma("gfx90a") && hip_arch_has_flash_mfma("gfx942") && hip_arch_has_flash_mfma("gfx950"));
    CHECK(!hip_arch_has_flash_mfma("gfx908") && !hip_arch_has_flash_mfma("gfx1100") && !hip_arch_has_flash_mfma("") &&
          !hip_arch_has_flash_mfma(NULL));
}

static void write_node(const char *root, int node, const char *text) {
    char path[1024];
    snprintf(path, sizeof path, "%s/nodes/%d", root, node);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/nodes/%d/properties", root, node);
    FILE *f = fopen(path, "w");
    if (!f) {
        printf("FAIL cannot write %s\n", path);
        ++failures;
        return;
    }
    fputs(text, f);
    fclose(f);
}

static void test_kfd(const char *root) {
    char path[1024];
    mkdir(root, 0755);
    snprintf(path, sizeof path, "%s/nodes", root);
    mkdir(path, 0755);
    /* A CPU node, an MI300X at c1:00.0 (location_id 0xc100 = 49408), an MI210 at 0001:1b:00.0. */
    write_node(root, 0, "cpu_cores_count 96\nsimd_count 0\ngfx_target_version 0\nlocation_id 0\ndomain 0\n");
    write_node(root, 1, "simd_count 1216\ngfx_target_version 90402\nlocation_id 49408\ndomain 0\n");
    write_node(root, 2, "gfx_target_version 90010\nlocation_id 6912\ndomain 1\n");
    char arch[32];
    CHECK(hip_arch_from_kfd(root, "0000:c1:00.0", arch, sizeof arch) == 0 && strcmp(arch, "gfx942") == 0);
    CHECK(hip_arch_from_kfd(root, "0001:1b:00.0", arch, sizeof arch) == 0 && strcmp(arch, "gfx90a") == 0);
    CHECK(hip_arch_from_kfd(root, "0000:1b:00.0", arch, sizeof arch) != 0); /* wrong domain */
    CHECK(hip_arch_from_kfd(root, "0000:05:00.0", arch, sizeof arch) != 0);
    CHECK(hip_arch_from_kfd("/nonexistent/kfd", "0000:c1:00.0", arch, sizeof arch) != 0);
}

int main(int argc, char **argv) {
    test_products();
    test_arch_names();
    test_kfd(argc > 1 ? argv[1] : "fake_kfd");
    if (failures)
        printf("%d checks failed\n", failures);
    else
        printf("all checks passed\n");
    return failures ? 1 : 0;
}
