/* Which AMD product and ISA a HIP device is, and the vendor's peak numbers for it.
 *
 * The ISA name ("gfx942") is what hiprtc needs. hipDeviceProp_t.gcnArchName would give it, but that
 * struct's layout changed in ROCm 6.0 and the 5.x enum's hipDeviceAttributeGcnArchName became an
 * unused slot in 6.0, so neither is read. Instead, in order:
 *   1. the amdgpu KFD topology in sysfs (gfx_target_version of the node whose PCI location matches the
 *      device's hipDeviceGetPCIBusId): exact for every GPU, independent of the HIP version;
 *   2. the PCI device id (hipDeviceAttributePciDeviceId) through the product table below.
 * Pure functions except hip_arch_from_kfd, which reads files under a given root. */
#ifndef ACCEL_HIP_ARCH_H
#define ACCEL_HIP_ARCH_H

#include "accel/types.h"
#include <stddef.h>
#include <stdint.h>

typedef struct hip_product {
    const char *name;          /* "MI300X" */
    const char *arch;          /* "gfx942" */
    unsigned pci_ids[3];       /* PCI device ids (vendor 0x1002); 0-terminated */
    int compute_units;         /* whole product */
    int dies;                  /* HIP devices per product when unpartitioned (MI250X: 2 GCDs) */
    /* dense vendor peaks for the whole product; the higher of vector and matrix (MFMA) rates */
    double tflops_f32, tflops_tf32, tflops_f16, tflops_bf16, tflops_f64;
    double tflops_fp8;         /* dense fp8 matrix rate; 0 = no fp8 arithmetic (gfx90a) */
    double memory_gbps;
    uint64_t last_level_cache; /* bytes of AMD Infinity Cache (MALL) when larger than L2; 0 = L2 */
    const char *source;
} hip_product;

/* The product for a device, or NULL. compute_units separates products sharing a PCI id (MI250X 110
 * CUs per GCD vs MI250 104). A device showing fewer CUs than one die (a partition) still matches
 * when its PCI id names one product only. */
const hip_product *hip_product_lookup(unsigned pci_device_id, int compute_units);

/* Fills *peak from a product, scaled to the share of the product one device has (one GCD of an
 * MI250X is half its peak; a CPX partition of an MI300X is 38/304). Zeroes it when product is NULL. */
void hip_product_peak(const hip_product *product, int compute_units, accel_peak_table *peak);

/* The product's dense fp8 peak in TFLOP/s, scaled like hip_product_peak; 0 for NULL. */
double hip_product_peak_fp8(const hip_product *product, int compute_units);

/* KFD gfx_target_version (major*10000 + minor*100 + stepping) to an ISA name: 90402 -> "gfx942",
 * 90010 -> "gfx90a", 110000 -> "gfx1100". Returns 0 on success. */
int hip_arch_from_target_version(unsigned version, char *out, size_t out_len);

/* "0000:c1:00.0" -> domain, bus, device, function. Returns 0 on success. */
int hip_pci_bus_id_parse(const char *bus_id, unsigned *domain, unsigned *bus, unsigned *dev,
                         unsigned *fn);

/* Looks through <kfd_root>/nodes/<n>/properties (kfd_root is normally
 * "/sys/class/kfd/kfd/topology") for the GPU node at this PCI bus id. Returns 0 and the ISA name. */
int hip_arch_from_kfd(const char *kfd_root, const char *pci_bus_id, char *out, size_t out_len);

/* The ISA from the PCI id table; NULL when unknown. */
const char *hip_arch_from_pci_id(unsigned pci_device_id);

/* Features of an ISA: ACCEL_FEATURE_* bits (MFMA matrix units on gfx908/90a/94x/95x, xf32 on gfx94x,
 * fp8 on gfx94x (FNUZ) and gfx95x (OCP)). */
unsigned long long hip_arch_features(const char *arch);

/* 1 when the ISA runs the flash attention kernel's MFMA body (v_mfma_f32_16x16x16 f16 and bf16_1k:
 * gfx90a, gfx940/941/942, gfx950; not gfx908, which lacks the bf16_1k form): the planner's choice
 * must match the kernel's own compile-time test of the same list (accel_gpu_port.h), or the entry
 * would run its portable body under the MFMA name. */
int hip_arch_has_flash_mfma(const char *arch);

#endif
