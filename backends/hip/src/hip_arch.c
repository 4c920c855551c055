/* The AMD product table and ISA mapping (see hip_arch.h). */
#define _POSIX_C_SOURCE 200809L
#include "hip_arch.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Dense peaks from AMD's product pages/datasheets (no sparsity); F32 and F64 take the MFMA (matrix)
 * rate where it beats the vector rate, since that is what a GEMM can reach. TF32 is MI300's xf32.
 * fp8 is the dense matrix rate (gfx94x computes the FNUZ variants, which bound our OCP-format rows
 * all the same: no faster fp8 path exists on the part). MI300's 256 MB Infinity Cache sits behind
 * the 4 MB L2 that hipDeviceAttributeL2CacheSize reports; --cold buffer rotation must outgrow it.
 * No gfx950 part (MI350X 4613.7 / MI355X 5033.2 dense fp8 TFLOP/s, 256 CUs each) is listed: the two
 * differ only in clock, and their PCI ids are not confirmed here, so a lookup could not tell them
 * apart; such a device gets no roof rather than a wrong one. */
static const hip_product products[] = {
    {"MI300X", "gfx942", {0x74a1, 0x74b5, 0}, 304, 1, 163.4, 653.7, 1307.4, 1307.4, 163.4, 2614.9, 5300.0,
     256ull << 20, "vendor:AMD Instinct MI300X datasheet"},
    {"MI325X", "gfx942", {0x74a5, 0, 0}, 304, 1, 163.4, 653.7, 1307.4, 1307.4, 163.4, 2614.9, 6000.0,
     256ull << 20, "vendor:AMD Instinct MI325X datasheet"},
    {"MI300A", "gfx942", {0x74a0, 0, 0}, 228, 1, 122.6, 490.3, 980.6, 980.6, 122.6, 1961.2, 5300.0,
     256ull << 20, "vendor:AMD Instinct MI300A datasheet"},
    {"MI250X", "gfx90a", {0x740c, 0, 0}, 220, 2, 95.7, 0.0, 383.0, 383.0, 95.7, 0.0, 3276.8,
     0, "vendor:AMD Instinct MI250X datasheet"},
    {"MI250", "gfx90a", {0x740c, 0, 0}, 208, 2, 90.5, 0.0, 362.1, 362.1, 90.5, 0.0, 3276.8,
     0, "vendor:AMD Instinct MI250 datasheet"},
    {"MI210", "gfx90a", {0x740f, 0, 0}, 104, 1, 45.3, 0.0, 181.0, 181.0, 45.3, 0.0, 1638.4,
     0, "vendor:AMD Instinct MI210 datasheet"},
};
#define PRODUCT_COUNT (sizeof products / sizeof products[0])

/* ISA of PCI ids with no peak entry. */
static const struct {
    unsigned pci_id;
    const char *arch;
} extra_arches[] = {{0x738c, "gfx908"}, {0x738e, "gfx908"}};

static int has_pci_id(const hip_product *p, unsigned id) {
    for (size_t i = 0; i < sizeof p->pci_ids / sizeof p->pci_ids[0] && p->pci_ids[i]; ++i)
        if (p->pci_ids[i] == id)
            return 1;
    return 0;
}

const hip_product *hip_product_lookup(unsigned pci_device_id, int compute_units) {
    const hip_product *only = NULL;
    int candidates = 0;
    for (size_t i = 0; i < PRODUCT_COUNT; ++i) {
        const hip_product *p = &products[i];
        if (!has_pci_id(p, pci_device_id))
            continue;
        if (compute_units == p->compute_units || compute_units == p->compute_units / p->dies)
            return p;
        only = p;
        ++candidates;
    }
    if (candidates == 1 && compute_units > 0 && compute_units < only->compute_units / only->dies)
        return only;
    return NULL;
}

static double product_share(const hip_product *product, int compute_units) {
    if (compute_units > 0 && compute_units < product->compute_units)
        return (double)compute_units / (double)product->compute_units;
    return 1.0;
}

void hip_product_peak(const hip_product *product, int compute_units, accel_peak_table *peak) {
    memset(peak, 0, sizeof *peak);
    if (!product)
        return;
    double share = product_share(product, compute_units);
    peak->tflops[ACCEL_COMPUTE_F32] = product->tflops_f32 * share;
    peak->tflops[ACCEL_COMPUTE_TF32] = product->tflops_tf32 * share;
    peak->tflops[ACCEL_COMPUTE_F16] = product->tflops_f16 * share;
    peak->tflops[ACCEL_COMPUTE_BF16] = product->tflops_bf16 * share;
    peak->tflops[ACCEL_COMPUTE_F64] = product->tflops_f64 * share;
    /* Memory bandwidth splits with the dies (each GCD owns its HBM stacks); a compute partition of
     * one die still sees all of the die's memory, so only the die share applies. */
    peak->memory_gbps = product->memory_gbps / (double)product->dies;
    snprintf(peak->source, sizeof peak->source, "%s", product->source);
}

double hip_product_peak_fp8(const hip_product *product, int compute_units) {
    return product ? product->tflops_fp8 * product_share(product, compute_units) : 0.0;
}

int hip_arch_from_target_version(unsigned version, char *out, size_t out_len) {
    unsigned major = version / 10000, minor = (version / 100) % 100, stepping = version % 100;
    if (major == 0 || minor > 15 || stepping > 15)
        return -1;
    int n = snprintf(out, out_len, "gfx%u%x%x", major, minor, stepping);
    return (n > 0 && (size_t)n < out_len) ? 0 : -1;
}

int hip_pci_bus_id_parse(const char *bus_id, unsigned *domain, unsigned *bus, unsigned *dev,
                         unsigned *fn) {
    int consumed = 0;
    if (!bus_id || sscanf(bus_id, "%x:%x:%x.%1x%n", domain, bus, dev, fn, &consumed) != 4)
        return -1;
    return bus_id[consumed] == '\0' ? 0 : -1;
}

/* Reads "key value" lines of one KFD properties file. */
static int read_kfd_node(const char *path, unsigned long long *target_version,
                         unsigned long long *domain, unsigned long long *location) {
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    *target_version = *domain = *location = ~0ull;
    while (fgets(line, sizeof line, f)) {
        char key[128];
        unsigned long long value;
        if (sscanf(line, "%127s %llu", key, &value) != 2)
            continue;
        if (strcmp(key, "gfx_target_version") == 0)
            *target_version = value;
        else if (strcmp(key, "domain") == 0)
            *domain = value;
        else if (strcmp(key, "location_id") == 0)
            *location = value;
    }
    fclose(f);
    return 0;
}

int hip_arch_from_kfd(const char *kfd_root, const char *pci_bus_id, char *out, size_t out_len) {
    unsigned domain, bus, dev, fn;
    if (hip_pci_bus_id_parse(pci_bus_id, &domain, &bus, &dev, &fn) != 0)
        return -1;
    unsigned long long want_location = ((unsigned long long)bus << 8) | (dev << 3) | fn;
    char nodes_dir[512];
    snprintf(nodes_dir, sizeof nodes_dir, "%s/nodes", kfd_root);
    DIR *dir = opendir(nodes_dir);
    if (!dir)
        return -1;
    int found = -1;
    struct dirent *entry;
    while (found != 0 && (entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s/properties", nodes_dir, entry->d_name);
        unsigned long long version, node_domain, location;
        if (read_kfd_node(path, &version, &node_domain, &location) != 0)
            continue;
        /* CPU nodes have gfx_target_version 0. */
        if (version == 0 || version == ~0ull || location != want_location)
            continue;
        if (node_domain != ~0ull && node_domain != domain)
            continue;
        found = hip_arch_from_target_version((unsigned)version, out, out_len);
    }
    closedir(dir);
    return found;
}

const char *hip_arch_from_pci_id(unsigned pci_device_id) {
    for (size_t i = 0; i < PRODUCT_COUNT; ++i)
        if (has_pci_id(&products[i], pci_device_id))
            return products[i].arch;
    for (size_t i = 0; i < sizeof extra_arches / sizeof extra_arches[0]; ++i)
        if (extra_arches[i].pci_id == pci_device_id)
            return extra_arches[i].arch;
    return NULL;
}

unsigned long long hip_arch_features(const char *arch) {
    /* Every AMD GPU ISA has fp16 and fp64 (RDNA at a low fp64 rate). */
    unsigned long long f = ACCEL_FEATURE_FP16 | ACCEL_FEATURE_FP64 | ACCEL_FEATURE_INT8;
    if (!arch)
        return f;
    int mfma = strcmp(arch, "gfx908") == 0 || strcmp(arch, "gfx90a") == 0 ||
               strncmp(arch, "gfx94", 5) == 0 || strncmp(arch, "gfx95", 5) == 0;
    int wmma = strncmp(arch, "gfx11", 5) == 0 || strncmp(arch, "gfx12", 5) == 0;
    if (mfma || wmma)
        f |= ACCEL_FEATURE_MATRIX_UNITS | ACCEL_FEATURE_BF16;
    if (strncmp(arch, "gfx94", 5) == 0)
        f |= ACCEL_FEATURE_TF32 | ACCEL_FEATURE_FP8; /* FNUZ fp8: see ACCEL_FEATURE_FP8 */
    if (strncmp(arch, "gfx95", 5) == 0)
        f |= ACCEL_FEATURE_FP8; /* OCP fp8; xf32 is gone on gfx950 */
    return f;
}

int hip_arch_has_flash_mfma(const char *arch) {
    static const char *const isas[] = {"gfx90a", "gfx940", "gfx941", "gfx942", "gfx950"};
    for (size_t i = 0; arch && i < sizeof isas / sizeof isas[0]; ++i)
        if (strcmp(arch, isas[i]) == 0)
            return 1;
    return 0;
}
