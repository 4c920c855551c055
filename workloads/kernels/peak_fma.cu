// The peak workload's FMA chains as GPU C (CUDA-style C++ compiled at run time by NVRTC or hipRTC;
// only portable built-ins, so one text serves both). Embedded into the workloads library as
// wl_peak_gpu_c_source; the fake CUDA driver's emulation includes this file, so the kernel the
// GPU runs is the kernel the fake runs.
extern "C" __global__ void accel_peak_fma_fp32(float *out, int iters, float a, float b) {
    unsigned long long gid = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    float x0 = 0.0f, x1 = 0.125f, x2 = 0.25f, x3 = 0.375f;
    float x4 = 0.5f, x5 = 0.625f, x6 = 0.75f, x7 = 0.875f;
    for (int i = 0; i < iters; i++) {
        x0 = fmaf(x0, a, b); x1 = fmaf(x1, a, b); x2 = fmaf(x2, a, b); x3 = fmaf(x3, a, b);
        x4 = fmaf(x4, a, b); x5 = fmaf(x5, a, b); x6 = fmaf(x6, a, b); x7 = fmaf(x7, a, b);
    }
    out[gid] = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));
}
