/* GPU FMA-chain kernel sources: OpenCL C here, and GPU_C (CUDA-style C++ compiled by NVRTC or
 * hipRTC) in kernels/peak_fma.cu. */
#include "peak_kernels.h"

const char wl_peak_opencl_source[] =
    "__kernel void accel_peak_fma_fp32(__global float *out, int iters, float a, float b) {\n"
    "    size_t gid = get_global_id(0);\n"
    "    float x0 = 0.0f, x1 = 0.125f, x2 = 0.25f, x3 = 0.375f;\n"
    "    float x4 = 0.5f, x5 = 0.625f, x6 = 0.75f, x7 = 0.875f;\n"
    "    for (int i = 0; i < iters; i++) {\n"
    "        x0 = fma(x0, a, b); x1 = fma(x1, a, b); x2 = fma(x2, a, b); x3 = fma(x3, a, b);\n"
    "        x4 = fma(x4, a, b); x5 = fma(x5, a, b); x6 = fma(x6, a, b); x7 = fma(x7, a, b);\n"
    "    }\n"
    "    out[gid] = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));\n"
    "}\n";

