// The fake libcuda's kernel engine: when the plugin launches one of the shared accel kernels, run it
// on host threads through the emulation header (backends/gpu_common/tests/accel_gpu_emu.h), with
// the arguments exactly as the plugin marshalled them. So the plugin's host code (parameter
// structs, grids, strides, epilogue flags) is checked end to end without a GPU. The peak
// workload's FMA kernel is here too (its GPU_C source is a file of its own). Other user kernels are
// not run: cuLaunchKernel answers CUDA_ERROR_NOT_SUPPORTED for them.
#define ACCEL_GPU_EMULATION 1
#include "../../gpu_common/kernels/attention.cu"
#include "../../gpu_common/kernels/conv2d.cu"
#include "../../gpu_common/kernels/eltwise.cu"
#include "../../gpu_common/kernels/epilogue.cu"
#include "../../gpu_common/kernels/fill.cu"
#include "../../gpu_common/kernels/flash_attention.cu"
#include "../../gpu_common/kernels/gemm.cu"
#include "../../gpu_common/kernels/layernorm.cu"
#include "../../gpu_common/kernels/permute.cu"
#include "../../gpu_common/kernels/softmax.cu"
#include "../../gpu_common/kernels/train_bn.cu"
#include "../../gpu_common/kernels/train_conv.cu"
#include "../../gpu_common/kernels/train_norm.cu"
#include "../../gpu_common/kernels/train_optim.cu"
#include "../../../workloads/kernels/peak_fma.cu"

#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

template <typename... P, std::size_t... I>
static void run_unpacked(void (*k)(P...), accel_emu_dim3 g, accel_emu_dim3 b, void **params,
                         std::index_sequence<I...>) {
    // params[i] points at the i-th argument's bytes (CUdeviceptr for pointers, structs by value).
    accel_emu_launch(k, g, b, *static_cast<std::remove_cv_t<P> *>(params[I])...);
}

template <typename... P> static void run(void (*k)(P...), accel_emu_dim3 g, accel_emu_dim3 b, void **params) {
    run_unpacked(k, g, b, params, std::index_sequence_for<P...>{});
}

// Stream capture: the arguments are copied now (as cuStreamBeginCapture's graphs keep kernel
// parameters by value) and the launch runs when the graph is launched.
using fake_closure = std::function<void()>;

template <typename... P, std::size_t... I>
static fake_closure record_unpacked(void (*k)(P...), accel_emu_dim3 g, accel_emu_dim3 b, void **params,
                                    std::index_sequence<I...>) {
    std::tuple<std::remove_cv_t<P>...> args{*static_cast<std::remove_cv_t<P> *>(params[I])...};
    return [k, g, b, args]() { accel_emu_launch(k, g, b, std::get<I>(args)...); };
}

template <typename... P>
static fake_closure record(void (*k)(P...), accel_emu_dim3 g, accel_emu_dim3 b, void **params) {
    return record_unpacked(k, g, b, params, std::index_sequence_for<P...>{});
}

struct fake_entry {
    const char *name;
    void (*run)(accel_emu_dim3, accel_emu_dim3, void **);
    fake_closure (*record)(accel_emu_dim3, accel_emu_dim3, void **);
};
#define ENTRY(fn)                                                                                   \
    {#fn, [](accel_emu_dim3 g, accel_emu_dim3 b, void **p) { run(fn, g, b, p); },                  \
     [](accel_emu_dim3 g, accel_emu_dim3 b, void **p) { return record(fn, g, b, p); }},
static const fake_entry entries[] = {
    ENTRY(accel_fill_pattern)
    ENTRY(accel_eltwise_f32) ENTRY(accel_eltwise_f16) ENTRY(accel_eltwise_bf16)
    ENTRY(accel_bias_act_f32) ENTRY(accel_bias_act_f16) ENTRY(accel_bias_act_bf16)
    ENTRY(accel_layernorm_f32) ENTRY(accel_layernorm_f16) ENTRY(accel_layernorm_bf16)
    ENTRY(accel_rmsnorm_f32) ENTRY(accel_rmsnorm_f16) ENTRY(accel_rmsnorm_bf16)
    ENTRY(accel_softmax_f32) ENTRY(accel_softmax_f16) ENTRY(accel_softmax_bf16)
    ENTRY(accel_attention_f32) ENTRY(accel_attention_f16) ENTRY(accel_attention_bf16)
    ENTRY(accel_flash_attention_f32) ENTRY(accel_flash_attention_f16) ENTRY(accel_flash_attention_bf16)
    ENTRY(accel_flash_attention_mma_f16) ENTRY(accel_flash_attention_mma_bf16)
    ENTRY(accel_permute_b1) ENTRY(accel_permute_b2) ENTRY(accel_permute_b4) ENTRY(accel_permute_b8)
    ENTRY(accel_gemm_f32) ENTRY(accel_gemm_f16) ENTRY(accel_gemm_bf16) ENTRY(accel_gemm_f64)
    ENTRY(accel_conv2d_f32) ENTRY(accel_conv2d_f16) ENTRY(accel_conv2d_bf16)
    ENTRY(accel_peak_fma_fp32)
    // the training kinds
#define TRAIN_ENTRIES(T, sfx)                                                                                   \
    ENTRY(accel_ln_bwd_stats_##sfx) ENTRY(accel_ln_bwd_params_##sfx) ENTRY(accel_ln_bwd_data_##sfx)             \
    ENTRY(accel_softmax_bwd_##sfx) ENTRY(accel_reduce_##sfx) ENTRY(accel_bn_stats_##sfx)                        \
    ENTRY(accel_bn_apply_##sfx) ENTRY(accel_bn_bwd_params_##sfx) ENTRY(accel_bn_bwd_data_##sfx)                 \
    ENTRY(accel_conv_bwd_data_##sfx) ENTRY(accel_conv_bwd_weights_##sfx) ENTRY(accel_adamw_##sfx)               \
    ENTRY(accel_amp_scale_##sfx)
    ACCEL_FOR_FLOAT_TYPES(TRAIN_ENTRIES)
#undef TRAIN_ENTRIES
    ENTRY(accel_amp_update)
};

struct fake_graph {
    std::vector<fake_closure> launches;
};

extern "C" void *accel_fake_cuda_graph_new(void) { return new fake_graph; }
extern "C" void accel_fake_cuda_graph_free(void *g) { delete static_cast<fake_graph *>(g); }
extern "C" void accel_fake_cuda_graph_run(void *g) {
    for (const fake_closure &f : static_cast<fake_graph *>(g)->launches) f();
}
// Appends the launch to the graph instead of running it; -1 for a kernel the fake cannot run.
extern "C" int accel_fake_cuda_record_kernel(void *g, const char *name, const unsigned grid[3], const unsigned block[3],
                                             void **params) {
    for (const fake_entry &e : entries)
        if (std::strcmp(e.name, name) == 0) {
            static_cast<fake_graph *>(g)->launches.push_back(
                e.record({grid[0], grid[1], grid[2]}, {block[0], block[1], block[2]}, params));
            return 0;
        }
    return -1;
}

extern "C" int accel_fake_cuda_run_kernel(const char *name, const unsigned grid[3], const unsigned block[3],
                                          void **params) {
    for (const fake_entry &e : entries)
        if (std::strcmp(e.name, name) == 0) {
            e.run({grid[0], grid[1], grid[2]}, {block[0], block[1], block[2]}, params);
            return 0;
        }
    return -1;
}
