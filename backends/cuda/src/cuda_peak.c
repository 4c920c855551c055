#include "cuda_peak.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* From NVIDIA's product datasheets (A100: "NVIDIA A100 Tensor Core GPU" datasheet; H100: "NVIDIA
 * H100 Tensor Core GPU" datasheet; H200: "NVIDIA H200 Tensor Core GPU" datasheet). The datasheets
 * quote tensor figures with sparsity for H100/H200; these are the dense halves. fp32 is the
 * CUDA-core FMA rate (what SGEMM runs on); fp64 is the FP64 Tensor Core rate (what DGEMM runs on);
 * fp16 and bf16 are tensor-core rates with fp32 accumulation; fp8 is the dense FP8 (e4m3) tensor-core
 * rate, 0 where the part has no fp8 arithmetic (A100). */
typedef struct cuda_product {
    const char *key;    /* "a100-sxm4-40gb" */
    const char *source; /* fits accel_peak_table.source */
    double fp32, tf32, fp16, bf16, fp64, gbps, fp8;
} cuda_product;

static const cuda_product products[] = {
    {"a100-sxm4-40gb", "vendor:A100-SXM4-40GB datasheet (dense)", 19.5, 156, 312, 312, 19.5, 1555, 0},
    {"a100-sxm4-80gb", "vendor:A100-SXM4-80GB datasheet (dense)", 19.5, 156, 312, 312, 19.5, 2039, 0},
    {"a100-pcie-40gb", "vendor:A100-PCIe-40GB datasheet (dense)", 19.5, 156, 312, 312, 19.5, 1555, 0},
    {"a100-pcie-80gb", "vendor:A100-PCIe-80GB datasheet (dense)", 19.5, 156, 312, 312, 19.5, 1935, 0},
    {"h100-sxm5-80gb", "vendor:H100-SXM5-80GB datasheet (dense)", 67, 494.5, 989.5, 989.5, 67, 3350, 1979},
    {"h100-pcie-80gb", "vendor:H100-PCIe-80GB datasheet (dense)", 51, 378, 756.5, 756.5, 51, 2000, 1513},
    {"h100-nvl-94gb", "vendor:H100-NVL-94GB datasheet (dense)", 60, 417.5, 835.5, 835.5, 60, 3900, 1670.5},
    {"h200-sxm-141gb", "vendor:H200-SXM-141GB datasheet (dense)", 67, 494.5, 989.5, 989.5, 67, 4800, 1979},
    {"h200-nvl-141gb", "vendor:H200-NVL-141GB datasheet (dense)", 60, 417.5, 835.5, 835.5, 60, 4800, 1670.5},
};

static int contains(const char *haystack_lower, const char *needle) {
    return strstr(haystack_lower, needle) != NULL;
}

/* Which product key the driver's name denotes. Names seen from the driver: "NVIDIA A100-SXM4-40GB",
 * "NVIDIA A100-SXM4-80GB", "NVIDIA A100-PCIE-40GB", "NVIDIA A100 80GB PCIe", "NVIDIA H100 80GB
 * HBM3" (SXM5), "NVIDIA H100 PCIe", "NVIDIA H100 NVL", "NVIDIA H200", "NVIDIA H200 NVL". SM counts
 * (A100 108, H100 SXM/NVL and H200 132, H100 PCIe 114) reject cut-down variants (A800/H800/H20,
 * MIG slices report fewer SMs) that share a name fragment. */
static const char *product_key(const char *lower, int sms, uint64_t memory_bytes) {
    const double gib = (double)memory_bytes / (1024.0 * 1024.0 * 1024.0);
    if (contains(lower, "a100")) {
        if (sms != 108) return NULL;
        const int big = contains(lower, "80gb") || gib > 50.0;
        if (contains(lower, "pcie")) return big ? "a100-pcie-80gb" : "a100-pcie-40gb";
        return big ? "a100-sxm4-80gb" : "a100-sxm4-40gb";
    }
    /* Grace Hopper modules (GH200) differ in memory and power from the H200 they name-match. */
    if (contains(lower, "gh200") || contains(lower, "gh100")) return NULL;
    if (contains(lower, "h200")) {
        if (sms != 132) return NULL;
        return contains(lower, "nvl") ? "h200-nvl-141gb" : "h200-sxm-141gb";
    }
    if (contains(lower, "h100")) {
        if (contains(lower, "nvl")) return sms == 132 ? "h100-nvl-94gb" : NULL;
        if (contains(lower, "pcie") || sms == 114) return sms == 114 ? "h100-pcie-80gb" : NULL;
        return sms == 132 ? "h100-sxm5-80gb" : NULL;
    }
    return NULL;
}

static const cuda_product *product_of(const char *device_name, int sm_count, uint64_t memory_bytes) {
    char lower[128];
    size_t i = 0;
    for (; device_name && device_name[i] && i + 1 < sizeof lower; ++i)
        lower[i] = (char)tolower((unsigned char)device_name[i]);
    lower[i] = '\0';
    const char *key = product_key(lower, sm_count, memory_bytes);
    for (size_t p = 0; key && p < sizeof products / sizeof products[0]; ++p)
        if (strcmp(products[p].key, key) == 0) return &products[p];
    return NULL;
}

double accel_cuda_peak_fp8_tflops(const char *device_name, int sm_count, uint64_t memory_bytes) {
    const cuda_product *p = product_of(device_name, sm_count, memory_bytes);
    return p ? p->fp8 : 0.0;
}

int accel_cuda_peak_lookup(const char *device_name, int sm_count, uint64_t memory_bytes,
                           accel_peak_table *out) {
    memset(out, 0, sizeof *out);
    const cuda_product *p = product_of(device_name, sm_count, memory_bytes);
    if (!p) return 0;
    out->tflops[ACCEL_COMPUTE_F32] = p->fp32;
    out->tflops[ACCEL_COMPUTE_TF32] = p->tf32;
    out->tflops[ACCEL_COMPUTE_F16] = p->fp16;
    out->tflops[ACCEL_COMPUTE_F16_ACC16] = p->fp16;
    out->tflops[ACCEL_COMPUTE_BF16] = p->bf16;
    out->tflops[ACCEL_COMPUTE_F64] = p->fp64;
    out->memory_gbps = p->gbps;
    snprintf(out->source, sizeof out->source, "%s", p->source);
    return 1;
}
