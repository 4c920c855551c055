/* Test-only stand-in for the CUDA/HIP device environment: the kernels of ../kernels compile as
 * host C++. Each GPU thread of a block is a fiber (a stack of its own, switched cooperatively on
 * the calling OS thread); blocks run one after another. __syncthreads switches back to the block's
 * scheduler, which runs every fiber up to its next barrier before starting the next round, so a
 * round is one barrier phase. __shared__ is a function static (shared by the block's fibers), and
 * the warp shuffle an exchange through a block-wide slot array (valid because the kernels only
 * shuffle in block-uniform code). Correctness first; fibers instead of one OS thread per GPU thread
 * make it fast enough for the fake driver to run whole workloads (a barrier is a few dozen
 * instructions instead of a futex round over hundreds of threads). */
#ifndef ACCEL_GPU_EMU_H
#define ACCEL_GPU_EMU_H

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <math.h>
#include <memory>
#include <vector>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif

#include <cuda_bf16.h>
#include <cuda_fp16.h>

typedef __half accel_f16;
typedef __nv_bfloat16 accel_bf16;

struct accel_emu_dim3 {
    unsigned x = 1, y = 1, z = 1;
};
inline thread_local accel_emu_dim3 threadIdx, blockIdx;
inline accel_emu_dim3 blockDim, gridDim;
inline float accel_emu_shfl_slots[1024];

/* ---- fibers ---- */
#if defined(__x86_64__)
/* Saves the System V callee-saved registers on the current stack, parks its pointer in *from and
 * resumes the stack `to` (a fiber's, or the scheduler's). Weak: every including file defines it. */
extern "C" void accel_emu_switch(void **from, void *to);
__asm__(".text\n"
        ".weak accel_emu_switch\n"
        ".type accel_emu_switch,@function\n"
        "accel_emu_switch:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  movq %rsp, (%rdi)\n"
        "  movq %rsi, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
        "  ret\n"
        ".size accel_emu_switch, .-accel_emu_switch\n");
#endif

struct accel_emu_fiber {
    static constexpr size_t stack_bytes = 256 * 1024;
    std::unique_ptr<char[]> stack{new char[stack_bytes]};
#if defined(__x86_64__)
    void *sp = nullptr;
#else
    ucontext_t ctx;
#endif
    accel_emu_dim3 tid;
    bool done = false;
};

struct accel_emu_scheduler {
    std::vector<accel_emu_fiber> fibers; /* reused by every block of every launch on this thread */
    accel_emu_fiber *current = nullptr;
    void (*body)(void *) = nullptr;      /* the launch's kernel call, run by each fiber */
    void *body_arg = nullptr;
#if defined(__x86_64__)
    void *sp = nullptr;
#else
    ucontext_t ctx;
#endif
};
inline thread_local accel_emu_scheduler accel_emu_sched;

inline void accel_emu_to_scheduler() {
    accel_emu_scheduler &s = accel_emu_sched;
#if defined(__x86_64__)
    accel_emu_switch(&s.current->sp, s.sp);
#else
    swapcontext(&s.current->ctx, &s.ctx);
#endif
}

inline void accel_emu_fiber_main() {
    accel_emu_scheduler &s = accel_emu_sched;
    s.body(s.body_arg);
    s.current->done = true;
    accel_emu_to_scheduler(); /* never resumed */
    std::abort();
}

inline void accel_emu_fiber_start(accel_emu_fiber &f) {
    f.done = false;
#if defined(__x86_64__)
    /* The first switch pops six zero registers and returns into accel_emu_fiber_main with the
     * stack aligned as after a call (rsp = 8 mod 16). */
    uintptr_t top = ((uintptr_t)f.stack.get() + accel_emu_fiber::stack_bytes) & ~(uintptr_t)15;
    void **slot = (void **)(top - 16);
    slot[0] = (void *)&accel_emu_fiber_main;
    slot[1] = nullptr;
    void **regs = slot - 6;
    for (int i = 0; i < 6; ++i) regs[i] = nullptr;
    f.sp = regs;
#else
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack.get();
    f.ctx.uc_stack.ss_size = accel_emu_fiber::stack_bytes;
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, &accel_emu_fiber_main, 0);
#endif
}

inline void accel_emu_resume(accel_emu_fiber &f) {
    accel_emu_scheduler &s = accel_emu_sched;
    s.current = &f;
    threadIdx = f.tid;
#if defined(__x86_64__)
    accel_emu_switch(&s.sp, f.sp);
#else
    swapcontext(&s.ctx, &f.ctx);
#endif
}

/* Runs body(arg) as every thread of one block: round after round, each live fiber up to its next
 * barrier, until all have returned. */
inline void accel_emu_run_block(unsigned nthreads, accel_emu_dim3 block, void (*body)(void *), void *arg) {
    accel_emu_scheduler &s = accel_emu_sched;
    if (s.fibers.size() < nthreads) s.fibers.resize(nthreads);
    s.body = body;
    s.body_arg = arg;
    for (unsigned t = 0; t < nthreads; ++t) {
        accel_emu_fiber &f = s.fibers[t];
        f.tid.x = t % block.x;
        f.tid.y = (t / block.x) % block.y;
        f.tid.z = t / (block.x * block.y);
        accel_emu_fiber_start(f);
    }
    for (unsigned live = nthreads; live;) {
        live = 0;
        for (unsigned t = 0; t < nthreads; ++t) {
            accel_emu_fiber &f = s.fibers[t];
            if (f.done) continue;
            accel_emu_resume(f);
            live += !f.done;
        }
    }
    s.current = nullptr;
}

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

inline void __syncthreads() { accel_emu_to_scheduler(); }
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

/* mma.sync m16n8k16 (accel_gpu_port.h states the register layout): each lane parks its fragments
 * in a block-wide slot array, and after a barrier computes its four outputs from the whole warp's
 * A and B, decoded from the layout the PTX ISA specifies. So a kernel that packs its fragments wrong
 * computes wrong results here, as it would on a tensor core. Block-uniform calls only, like the
 * shuffle. Products of 16-bit values are exact in float; the sum runs in float, in k order. */
inline unsigned accel_emu_mma_slots[1024][6];
inline float accel_emu_from_bits(unsigned bits, const accel_bf16 *) {
    return __uint_as_float((bits & 0xffffu) << 16);
}
inline float accel_emu_from_bits(unsigned bits, const accel_f16 *) {
    const unsigned short b = (unsigned short)(bits & 0xffffu);
    accel_f16 h;
    std::memcpy(static_cast<void *>(&h), &b, 2);
    return __half2float(h);
}
template <typename T> inline unsigned accel_emu_to_bits(T h) {
    unsigned short b;
    std::memcpy(&b, &h, 2);
    return b;
}
inline unsigned accel_bits16(float v, const accel_bf16 *) { return accel_emu_to_bits(__float2bfloat16_rn(v)); }
inline unsigned accel_bits16(float v, const accel_f16 *) { return accel_emu_to_bits(__float2half_rn(v)); }

template <typename T>
inline void accel_mma_16816(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2], const T *tag) {
    unsigned *mine = accel_emu_mma_slots[threadIdx.x];
    for (int i = 0; i < 4; ++i) mine[i] = a[i];
    mine[4] = b[0];
    mine[5] = b[1];
    __syncthreads();
    const unsigned warp = threadIdx.x & ~31u, lane = threadIdx.x & 31u, g = lane >> 2, t = lane & 3u;
    auto elem = [&](unsigned owner, unsigned reg, unsigned high) {
        return accel_emu_from_bits(accel_emu_mma_slots[warp + owner][reg] >> (16 * high), tag);
    };
    /* A[r][c]: lane 4 (r % 8) + (c % 8) / 2, register (r >= 8) + 2 (c >= 8), half c % 2.
     * B[k][n]: lane 4 n + (k % 8) / 2, register 4 + (k >= 8), half k % 2. */
    auto A = [&](unsigned r, unsigned c) { return elem(4 * (r % 8) + (c % 8) / 2, (r >= 8) + 2 * (c >= 8), c % 2); };
    auto B = [&](unsigned k, unsigned n) { return elem(4 * n + (k % 8) / 2, 4 + (k >= 8), k % 2); };
    float out[4];
    for (unsigned i = 0; i < 4; ++i) {
        const unsigned r = g + 8 * (i / 2), n = 2 * t + i % 2;
        float acc = d[i];
        for (unsigned k = 0; k < 16; ++k) acc += A(r, k) * B(k, n);
        out[i] = acc;
    }
    __syncthreads();
    for (int i = 0; i < 4; ++i) d[i] = out[i];
}

/* v_mfma_f32_16x16x16 of one 64-lane wavefront (accel_gpu_port.h states the register layout), the
 * same way: the wavefront's A and B fragments decoded from the layout AMD's CDNA ISA specifies, so
 * a mis-packed fragment computes wrong results here as it would on a matrix core. */
inline unsigned accel_emu_mfma_slots[1024][4];

template <typename T>
inline void accel_mfma_16x16x16(float (&d)[4], const unsigned (&a)[2], const unsigned (&b)[2], const T *tag) {
    unsigned *mine = accel_emu_mfma_slots[threadIdx.x];
    mine[0] = a[0], mine[1] = a[1], mine[2] = b[0], mine[3] = b[1];
    __syncthreads();
    const unsigned wave = threadIdx.x & ~63u, lane = threadIdx.x & 63u;
    auto elem = [&](unsigned owner, unsigned reg, unsigned high) {
        return accel_emu_from_bits(accel_emu_mfma_slots[wave + owner][reg] >> (16 * high), tag);
    };
    /* A[i][k]: lane i + 16 (k / 4), register (k % 4) / 2, half k % 2; B[k][j]: lane j + 16 (k / 4),
     * register 2 + (k % 4) / 2, half k % 2; D[i][j]: lane j + 16 (i / 4), element i % 4. */
    auto A = [&](unsigned i, unsigned k) { return elem(i + 16 * (k / 4), (k % 4) / 2, k % 2); };
    auto B = [&](unsigned k, unsigned j) { return elem(j + 16 * (k / 4), 2 + (k % 4) / 2, k % 2); };
    float out[4];
    for (unsigned v = 0; v < 4; ++v) {
        const unsigned i = 4 * (lane / 16) + v, j = lane % 16;
        float acc = d[v];
        for (unsigned k = 0; k < 16; ++k) acc += A(i, k) * B(k, j);
        out[v] = acc;
    }
    __syncthreads();
    for (int v = 0; v < 4; ++v) d[v] = out[v];
}

/* kernel<<<grid, block>>>(args...) */
template <typename... P, typename... A>
void accel_emu_launch(void (*kernel)(P...), accel_emu_dim3 grid, accel_emu_dim3 block, A... args) {
    gridDim = grid;
    blockDim = block;
    const unsigned nthreads = block.x * block.y * block.z;
    auto call = [&] { kernel(args...); };
    using call_t = decltype(call);
    void (*body)(void *) = [](void *c) { (*static_cast<call_t *>(c))(); };
    for (unsigned bz = 0; bz < grid.z; ++bz)
        for (unsigned by = 0; by < grid.y; ++by)
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                blockIdx.x = bx;
                blockIdx.y = by;
                blockIdx.z = bz;
                accel_emu_run_block(nthreads, block, body, &call);
            }
}

#endif
