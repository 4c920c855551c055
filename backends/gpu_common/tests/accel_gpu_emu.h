/* Test-only stand-in for the CUDA/HIP device environment: the kernels of ../kernels compile as
 * host C++, one std::thread per GPU thread of a block (blocks run one after another), __shared__
 * as function statics (shared by the block's threads), __syncthreads as a std::barrier, and the
 * warp shuffle as an exchange through a block-wide slot array (valid because the kernels only
 * shuffle in block-uniform code). Correctness only: nothing here is fast. */
#ifndef ACCEL_GPU_EMU_H
#define ACCEL_GPU_EMU_H

#include <barrier>
#include <cmath>
#include <cstring>
#include <math.h>
#include <thread>
#include <vector>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

typedef __half accel_f16;
typedef __nv_bfloat16 accel_bf16;

struct accel_emu_dim3 {
    unsigned x = 1, y = 1, z = 1;
};
inline thread_local accel_emu_dim3 threadIdx, blockIdx;
inline accel_emu_dim3 blockDim, gridDim;
inline std::barrier<> *accel_emu_block_barrier = nullptr;
inline float accel_emu_shfl_slots[1024];

/* cuda_fp16.h's host path defines these for host compilers; the emulation owns them here. */
#undef __global__
#undef __device__
#undef __forceinline__
#undef __shared__
#undef __launch_bounds__
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(n)

inline void __syncthreads() { accel_emu_block_barrier->arrive_and_wait(); }
inline float accel_emu_shfl_xor(float v, int lane_mask) {
    accel_emu_shfl_slots[threadIdx.x] = v;
    __syncthreads();
    const float r = accel_emu_shfl_slots[threadIdx.x ^ (unsigned)lane_mask];
    __syncthreads();
    return r;
}
inline float __expf(float x) { return std::exp(x); }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
using std::erf;
using std::tanh;

#define ACCEL_WARP_SIZE 32
#define ACCEL_SHFL_XOR(v, lane_mask) accel_emu_shfl_xor((v), (lane_mask))
#define ACCEL_F16_TO_F32(h) __half2float(h)
#define ACCEL_F32_TO_F16(f) __float2half_rn(f)
#define ACCEL_BF16_TO_F32(b) __bfloat162float(b)
#define ACCEL_F32_TO_BF16(f) __float2bfloat16_rn(f)

/* kernel<<<grid, block>>>(args...) */
template <typename... P, typename... A>
void accel_emu_launch(void (*kernel)(P...), accel_emu_dim3 grid, accel_emu_dim3 block, A... args) {
    gridDim = grid;
    blockDim = block;
    const unsigned nthreads = block.x * block.y * block.z;
    for (unsigned bz = 0; bz < grid.z; ++bz)
        for (unsigned by = 0; by < grid.y; ++by)
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                std::barrier<> bar((std::ptrdiff_t)nthreads);
                accel_emu_block_barrier = &bar;
                std::vector<std::thread> threads;
                threads.reserve(nthreads);
                for (unsigned t = 0; t < nthreads; ++t)
                    threads.emplace_back([=] {
                        threadIdx.x = t % block.x;
                        threadIdx.y = (t / block.x) % block.y;
                        threadIdx.z = t / (block.x * block.y);
                        blockIdx.x = bx;
                        blockIdx.y = by;
                        blockIdx.z = bz;
                        kernel(args...);
                    });
                for (auto &th : threads) th.join();
            }
}

#endif
