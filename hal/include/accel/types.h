/* Element types, compute types, device kinds and feature flags shared by every part of the API. */
#ifndef ACCEL_TYPES_H
#define ACCEL_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Storage types. Values are stable: they travel through the plugin ABI. */
typedef enum accel_dtype {
    ACCEL_DTYPE_INVALID = 0,
    ACCEL_DTYPE_F32 = 1,
    ACCEL_DTYPE_F16 = 2,
    ACCEL_DTYPE_BF16 = 3,
    ACCEL_DTYPE_F64 = 4,
    ACCEL_DTYPE_I8 = 5,
    ACCEL_DTYPE_I32 = 6,
    ACCEL_DTYPE_F8_E4M3 = 7,  /* OCP e4m3 ("e4m3fn"): GEMM A/B only, with scale operands (ops.h) */
    ACCEL_DTYPE_F8_E5M2 = 8,  /* OCP e5m2: likewise */
    ACCEL_DTYPE_COUNT_
} accel_dtype;

/* The fp8 storage types (both defined for GEMM A/B only). Inline: plugins cannot call libaccel. */
static inline int accel_dtype_is_fp8(accel_dtype t) {
    return t == ACCEL_DTYPE_F8_E4M3 || t == ACCEL_DTYPE_F8_E5M2;
}

/* Bytes per element and the short name ("f32", "f16", "bf16", "f64", "i8", "i32", "f8e4m3",
 * "f8e5m2") of every storage type: the one table of them. Inline, so plugins (which must not call
 * libaccel), the HAL, the reference and the workloads share this definition; accel_dtype_size() and
 * accel_dtype_name() in ops.h answer the same through libaccel. Unknown values: 0 and "invalid". */
typedef struct accel_dtype_traits {
    size_t bytes;
    const char *name;
} accel_dtype_traits;

static inline accel_dtype_traits accel_dtype_traits_of(accel_dtype t) {
    accel_dtype_traits r = {0, "invalid"};
    switch (t) {
    case ACCEL_DTYPE_F32: r.bytes = 4; r.name = "f32"; break;
    case ACCEL_DTYPE_F16: r.bytes = 2; r.name = "f16"; break;
    case ACCEL_DTYPE_BF16: r.bytes = 2; r.name = "bf16"; break;
    case ACCEL_DTYPE_F64: r.bytes = 8; r.name = "f64"; break;
    case ACCEL_DTYPE_I8: r.bytes = 1; r.name = "i8"; break;
    case ACCEL_DTYPE_I32: r.bytes = 4; r.name = "i32"; break;
    case ACCEL_DTYPE_F8_E4M3: r.bytes = 1; r.name = "f8e4m3"; break;
    case ACCEL_DTYPE_F8_E5M2: r.bytes = 1; r.name = "f8e5m2"; break;
    default: break;
    }
    return r;
}

static inline size_t accel_dtype_bytes(accel_dtype t) { return accel_dtype_traits_of(t).bytes; }
static inline const char *accel_dtype_label(accel_dtype t) { return accel_dtype_traits_of(t).name; }

/* How products are formed and accumulated, separate from storage (cuBLAS/hipBLASLt model).
 * F32: fp32 multiply and accumulate. TF32: inputs rounded to 10-bit mantissa, fp32 accumulate.
 * F16 / BF16: products in that type with fp32 accumulation unless the backend says otherwise in the
 * plan's algorithm string. F16_ACC16: fp16 accumulation. */
typedef enum accel_compute_type {
    ACCEL_COMPUTE_DEFAULT = 0, /* derived from the input storage type: f32->F32, f16->F16, bf16->BF16 */
    ACCEL_COMPUTE_F32 = 1,
    ACCEL_COMPUTE_TF32 = 2,
    ACCEL_COMPUTE_F16 = 3,
    ACCEL_COMPUTE_BF16 = 4,
    ACCEL_COMPUTE_F64 = 5,
    ACCEL_COMPUTE_F16_ACC16 = 6,
    ACCEL_COMPUTE_I32 = 7,
    ACCEL_COMPUTE_COUNT_
} accel_compute_type;

/* "default", "f32", "tf32", "f16", "bf16", "f64", "f16-acc16", "i32"; "invalid" otherwise. Inline,
 * so plugins (which must not call libaccel) name compute types as accel_compute_type_name() does. */
static inline const char *accel_compute_type_label(accel_compute_type t) {
    switch (t) {
    case ACCEL_COMPUTE_DEFAULT: return "default";
    case ACCEL_COMPUTE_F32: return "f32";
    case ACCEL_COMPUTE_TF32: return "tf32";
    case ACCEL_COMPUTE_F16: return "f16";
    case ACCEL_COMPUTE_BF16: return "bf16";
    case ACCEL_COMPUTE_F64: return "f64";
    case ACCEL_COMPUTE_F16_ACC16: return "f16-acc16";
    case ACCEL_COMPUTE_I32: return "i32";
    default: return "invalid";
    }
}

typedef enum accel_device_type {
    ACCEL_DEVICE_CPU = 1,
    ACCEL_DEVICE_GPU = 2,
    ACCEL_DEVICE_ACCELERATOR = 3,
    ACCEL_DEVICE_OTHER = 4
} accel_device_type;

/* Whether fp32 arithmetic on inputs stored as t delivers compute type c: DEFAULT, F32, or t's own
 * F16 / BF16 (products of such inputs are exact in fp32, and accumulation is fp32). What a backend
 * that computes in fp32 checks before accepting a compute type. Inline: plugins cannot call libaccel. */
static inline int accel_compute_is_fp32_on(accel_compute_type c, accel_dtype t) {
    return c == ACCEL_COMPUTE_DEFAULT || c == ACCEL_COMPUTE_F32 || (c == ACCEL_COMPUTE_F16 && t == ACCEL_DTYPE_F16) ||
           (c == ACCEL_COMPUTE_BF16 && t == ACCEL_DTYPE_BF16);
}

/* accel_device_info.features bits. */
#define ACCEL_FEATURE_FP64 (1ull << 0)
#define ACCEL_FEATURE_FP16 (1ull << 1)
#define ACCEL_FEATURE_BF16 (1ull << 2)
#define ACCEL_FEATURE_TF32 (1ull << 3)
/* fp8 matrix hardware. The F8 dtypes are the OCP formats (NVIDIA sm_89+, AMD gfx950); AMD gfx94x
 * (MI300) has the FNUZ variants instead (other bias, no -0, NaN 0x80), which are not these dtypes. */
#define ACCEL_FEATURE_FP8 (1ull << 4)
#define ACCEL_FEATURE_INT8 (1ull << 5)
#define ACCEL_FEATURE_MATRIX_UNITS (1ull << 6) /* tensor cores, AMX, MFMA, XMX */
#define ACCEL_FEATURE_UNIFIED_MEMORY (1ull << 7) /* device buffers are host-addressable (CPU) */
#define ACCEL_FEATURE_ECC (1ull << 8)
#define ACCEL_FEATURE_MIG (1ull << 9)
#define ACCEL_FEATURE_GRAPHS (1ull << 10) /* record/replay supported */

/* Kernel module formats (bit = 1 << format). */
typedef enum accel_module_format {
    ACCEL_MODULE_OPENCL_C = 0,     /* OpenCL C source text */
    ACCEL_MODULE_SPIRV = 1,        /* SPIR-V binary (OpenCL kernel flavour) */
    ACCEL_MODULE_PTX = 2,          /* PTX text */
    ACCEL_MODULE_CUBIN = 3,        /* cubin or fatbin */
    ACCEL_MODULE_GPU_C = 4,        /* CUDA C++ compiled at run time (NVRTC / hiprtc): docs/architecture.md */
    ACCEL_MODULE_HIP_CODE_OBJECT = 5,
    ACCEL_MODULE_CPU_TABLE = 6,    /* accel_cpu_module_image (accel/cpu_kernel.h) */
    ACCEL_MODULE_FORMAT_COUNT_
} accel_module_format;

/* Peak numbers published by the vendor for this exact product (dense, no sparsity), when known. */
typedef struct accel_peak_table {
    double tflops[ACCEL_COMPUTE_COUNT_]; /* indexed by accel_compute_type; 0 = unknown */
    double memory_gbps;                  /* 0 = unknown */
    char source[64];                     /* e.g. "vendor:H100-SXM5-80GB datasheet" */
} accel_peak_table;

/* Growth of the structs that carry a struct_size (accel_device_info, accel_device_telemetry,
 * accel_runtime_options, and in plugin.h accel_host_services and accel_backend_ops):
 * - struct_size never moves (the first field; after abi_major and abi_minor in the plugin tables)
 *   and is set by whoever allocates the struct, to sizeof() as compiled.
 * - They only ever grow at the end, with a minor ABI bump; a field is never moved or removed.
 * - A reader uses only the fields struct_size covers and takes every field past it as zero, so an
 *   older party with a smaller struct keeps working: an appended field means "absent / unknown"
 *   when zero.
 * - A struct larger than the reader knows: fields that offer something (plugin slots, host
 *   services) are ignored; a caller's libaccel options past what libaccel knows must be zero
 *   (libaccel refuses the call otherwise, rather than drop a request it cannot honour).
 * - Filled for a caller (device info, telemetry): libaccel writes the fields both sides know and
 *   zeroes the caller's fields it does not know; a plugin writes a field only when the host's
 *   struct_size covers it (ACCEL_STRUCT_HAS).
 * Structs without a struct_size (accel_op_desc, accel_backend_report, accel_plugin_plan_info, the
 * plugin argument structs) never change size within a major version. */
#define ACCEL_STRUCT_HAS(ptr, type, field)                                                          \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

#define ACCEL_INFO_STR 128

typedef struct accel_device_info {
    size_t struct_size;           /* sizeof(accel_device_info); 1.0's smaller size is accepted */
    char backend[32];             /* "cpu", "opencl", "cuda", ... */
    int index;                    /* index within the backend */
    accel_device_type type;
    char name[ACCEL_INFO_STR];    /* "NVIDIA H100 80GB HBM3", "AMD EPYC 9654" */
    char vendor[64];
    char uuid[48];                /* stable id; "" when the platform exposes none */
    char pci_bus_id[32];          /* "0000:1b:00.0"; "" when not a PCI device */
    char driver_version[64];
    char runtime_version[64];
    char isa[ACCEL_INFO_STR];     /* "sm_90", "gfx942", "AVX-512 AVX512_BF16 AMX" */
    int compute_units;            /* SMs, CUs, EUs/Xe cores, CPU cores used */
    int clock_mhz;                /* current or base; 0 unknown */
    int max_clock_mhz;            /* 0 unknown */
    uint64_t memory_bytes;
    uint64_t max_alloc_bytes;
    uint64_t cache_bytes;         /* last-level cache; sizes --cold buffer rotation */
    uint64_t features;            /* ACCEL_FEATURE_* */
    uint32_t module_formats;      /* bit (1u << accel_module_format) per accepted format */
    int ecc_enabled;              /* -1 unknown, 0/1 */
    int mig_enabled;              /* -1 unknown, 0/1 */
    double power_limit_w;         /* 0 unknown */
    int numa_node;                /* -1 unknown */
    char op_libraries[128];       /* selectable op paths, default first: "onednn,openblas" */
    accel_peak_table vendor_peak; /* zeros when the product is not in the backend's table */
    char notes[256];              /* anything else worth a CSV note */
    /* ABI 1.1 (appended: a 1.0 plugin leaves it 0). Dense fp8 (e4m3) matrix peak in TFLOP/s, the
     * roof of fp8 GEMM rows; 0 = unknown or no fp8 arithmetic. A plugin writes it only when
     * struct_size covers it (ACCEL_DEVICE_INFO_HAS_FP8_PEAK). */
    double vendor_peak_fp8_tflops;
} accel_device_info;

/* Whether an info struct of this struct_size has room for vendor_peak_fp8_tflops (a host built
 * before ABI 1.1 passes a smaller one). */
#define ACCEL_DEVICE_INFO_HAS_FP8_PEAK(info)                                                        \
    ACCEL_STRUCT_HAS(info, accel_device_info, vendor_peak_fp8_tflops)

#ifdef __cplusplus
}
#endif
#endif
