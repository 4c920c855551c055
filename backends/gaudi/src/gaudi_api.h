/* The part of Intel's SynapseAI runtime (libSynapse.so) and HLML monitoring library (libhlml.so)
 * that this backend calls, declared here from their published C API so the plugin builds on any
 * machine: synapse_api.h, synapse_api_types.h, synapse_common_types.h(.hpp) and
 * perf_lib_layer_params.h in github.com/HabanaAI/Intel_Gaudi3_Software, hlml.h in
 * github.com/HabanaAI/gohlml. Only what we use is here, under our own names; every enum value and
 * struct layout below must equal the library's (docs/backend-gaudi.md lists where each comes from).
 * The mock libraries in tests/mock implement exactly this surface. */
#ifndef ACCEL_GAUDI_API_H
#define ACCEL_GAUDI_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- SynapseAI: statuses (synStatus), the ones we name in messages ---- */
typedef int synapse_status;
enum {
    SYNAPSE_SUCCESS = 0,
    SYNAPSE_INVALID_ARGUMENT = 1,
    SYNAPSE_OUT_OF_HOST_MEMORY = 3,
    SYNAPSE_OUT_OF_DEVICE_MEMORY = 4,
    SYNAPSE_OBJECT_NOT_INITIALIZED = 6,
    SYNAPSE_NO_DEVICE_FOUND = 8,
    SYNAPSE_DEVICE_TYPE_MISMATCH = 9,
    SYNAPSE_FAILED_TO_ALLOCATE_DEVICE_MEMORY = 14,
    SYNAPSE_DEVICE_RESET = 17,
    SYNAPSE_UNSUPPORTED = 18,
    SYNAPSE_DEVICE_ALREADY_ACQUIRED = 20,
    SYNAPSE_BUSY = 22,
    SYNAPSE_ALL_RESOURCES_TAKEN = 23,
    SYNAPSE_UNAVAILABLE = 24,
    SYNAPSE_FAIL = 26,
    SYNAPSE_OUT_OF_RESOURCES = 27,
    SYNAPSE_UNINITIALIZED = 28,
    SYNAPSE_STATUS_LAST = 43 /* synResourceBadUsage, the last one the API defines */
};

/* synDeviceType */
typedef int synapse_device_type;
enum { SYNAPSE_DEVICE_GAUDI = 2, SYNAPSE_DEVICE_GAUDI2 = 4, SYNAPSE_DEVICE_GAUDI3 = 5 };

/* synDataType: one bit per type */
typedef int synapse_dtype;
enum {
    SYNAPSE_DTYPE_BF16 = 1 << 1,
    SYNAPSE_DTYPE_F32 = 1 << 2,
    SYNAPSE_DTYPE_F16 = 1 << 8,
    SYNAPSE_DTYPE_FP8_E4M3 = 1 << 13, /* syn_type_fp8_143 */
    SYNAPSE_DTYPE_FP8_E5M2 = 1 << 14  /* syn_type_fp8_152 */
};

/* Bytes per element; 0 for a type this backend never declares. */
static inline size_t synapse_dtype_bytes(synapse_dtype t) {
    switch (t) {
    case SYNAPSE_DTYPE_F32: return 4;
    case SYNAPSE_DTYPE_BF16:
    case SYNAPSE_DTYPE_F16: return 2;
    case SYNAPSE_DTYPE_FP8_E4M3:
    case SYNAPSE_DTYPE_FP8_E5M2: return 1;
    default: return 0;
    }
}

/* synDmaDir */
typedef int synapse_dma_direction;
enum { SYNAPSE_HOST_TO_DRAM = 0, SYNAPSE_DRAM_TO_HOST = 1, SYNAPSE_DRAM_TO_DRAM = 2 };

/* synTensorType, synGeometryType, synEventCreate flags */
enum { SYNAPSE_DATA_TENSOR = 0 };
enum { SYNAPSE_GEOMETRY_SIZES = 1 }; /* synGeometrySizes (= synGeometryMaxSizes) */
enum { SYNAPSE_EVENT_COLLECT_TIME = 1 };

/* Tensor dimensions are listed fastest-changing first: a row-major [rows][cols] matrix has
 * sizes {cols, rows}. HABANA_DIM_MAX bounds every size array of the API. */
#define SYNAPSE_DIM_MAX 25

typedef uint32_t synapse_device_id;
typedef uint32_t synapse_module_id;
typedef struct synapse_stream_s *synapse_stream;
typedef struct synapse_event_s *synapse_event;
typedef struct synapse_graph_s *synapse_graph;
typedef struct synapse_recipe_s *synapse_recipe;
typedef struct synapse_section_s *synapse_section;
typedef struct synapse_tensor_s *synapse_tensor;

/* synDeviceInfo (the V1 layout, present in every release we target) */
typedef struct synapse_device_info {
    uint64_t sram_base_address;
    uint64_t dram_base_address;
    uint32_t sram_size;
    uint64_t dram_size;
    uint64_t tpc_enabled_mask;
    uint8_t dram_enabled;
    uint32_t device_id;
    uint32_t fd;
    synapse_device_type device_type;
} synapse_device_info;

/* synTensorGeometry */
typedef struct synapse_tensor_geometry {
    uint64_t sizes[SYNAPSE_DIM_MAX];
    uint32_t dims;
} synapse_tensor_geometry;

/* synTensorDeviceFullLayout: strides must be zero (dense) in every release so far */
typedef struct synapse_tensor_layout {
    uint32_t strides[SYNAPSE_DIM_MAX];
    synapse_dtype device_dtype;
} synapse_tensor_layout;

/* synLaunchTensorInfoExt: one persistent tensor's address for a launch, matched by id */
typedef struct synapse_launch_tensor {
    const char *name;
    uint64_t address;
    int tensor_type; /* SYNAPSE_DATA_TENSOR */
    uint64_t sizes[SYNAPSE_DIM_MAX]; /* only for dynamic shapes; zero here */
    uint64_t id;
} synapse_launch_tensor;

/* ---- node parameters (passed by pointer and size to synNodeCreate) ---- */

/* synGEMMParams, for the "gemm" and "batch_gemm" MME nodes */
typedef struct synapse_gemm_params {
    bool transpose_a;
    bool transpose_b;
} synapse_gemm_params;

/* synActivationParams inside synConvolutionParams: left disabled (epilogues are nodes of their own) */
typedef struct synapse_conv_activation {
    bool relu_enable;
    bool residual_before_activation;
    uint16_t padding0;
    uint32_t channels;
    uint64_t negative_coefficients;
    uint64_t positive_coefficients;
} synapse_conv_activation;

/* synConvolutionParams, for "spatial_convolution" */
typedef struct synapse_conv_params {
    uint32_t kernel_w, kernel_h;
    uint32_t stride_w, stride_h;
    int32_t pad_left, pad_right, pad_top, pad_bottom;
    uint32_t dilation_w, dilation_h;
    synapse_conv_activation activation;
    uint32_t groups;
    uint32_t padding1;
} synapse_conv_params;

/* synTransposeParamsNDims, for "transpose": output dimension i is input dimension permutation[i] */
typedef struct synapse_transpose_params {
    uint32_t dims;
    uint32_t permutation[SYNAPSE_DIM_MAX];
} synapse_transpose_params;

/* ns_LayerNormKernel::Params, for "layer_norm_fwd_<type>" */
typedef struct synapse_layernorm_params {
    bool eps_valid;
    float eps;
} synapse_layernorm_params;

/* ns_Softmax::Params: dim 0 is the fastest-changing dimension */
typedef struct synapse_softmax_params {
    int32_t dim;
} synapse_softmax_params;

/* ns_GeluKernel::Params: approximation selects the tanh formula */
typedef struct synapse_gelu_params {
    bool approximation;
} synapse_gelu_params;

/* ns_ConstantKernel::Params (fint_t: the f32 kernels read the float) */
typedef struct synapse_constant_params {
    float value;
} synapse_constant_params;

/* ns_CastKernel::Params; CAST_ROUND_HALF_NE = 0 */
typedef struct synapse_cast_params {
    int32_t round_mode;
} synapse_cast_params;
enum { SYNAPSE_CAST_ROUND_HALF_NE = 0 };

/* ---- HLML (hlml.h) ---- */
typedef int hlml_status;
enum { HLML_OK = 0 };
typedef void *hlml_device;
/* hlml_clock_type_t */
enum { HLML_CLOCK_SOC = 0, HLML_CLOCK_IC = 1, HLML_CLOCK_MME = 2, HLML_CLOCK_TPC = 3 };
/* hlml_temperature_sensors_t */
enum { HLML_TEMPERATURE_ON_AIP = 0 };

#endif
