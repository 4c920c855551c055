/* Fused attention, O = softmax(scale Q K^T + mask) V per (batch, head), one block per query row
 * (grid.x = batch * heads, grid.y = seq): the row's scores live in shared memory, never in global
 * memory. Q, K, V, O are [batch, heads, seq, head_dim]; mask is [batch, seq] additive fp32.
 * A simple kernel, not a flash-attention one: each block reads its (batch, head)'s K and V from L2.
 * The planner runs it only for head sizes the tiled kernels (flash_attention.cu) do not take. */
#include "accel_attention_limits.h"
#include "accel_gpu_port.h"

template <typename T>
__device__ void accel_attention_impl(const T *q, const T *k, const T *v, const float *mask, T *o,
                                     const accel_attention_params &p) {
    __shared__ float qs[ACCEL_ATTENTION_MAX_DIM];
    __shared__ float ps[ACCEL_ATTENTION_MAX_SEQ];
    __shared__ float scratch[32];
    const accel_i64 S = p.seq, D = p.head_dim, bh = blockIdx.x, i = blockIdx.y;
    const accel_i64 base = bh * S * D;
    const float *mrow = mask ? mask + (bh / p.heads) * S : (const float *)0;

    for (accel_i64 e = threadIdx.x; e < D; e += blockDim.x) qs[e] = p.scale * accel_load(q + base + i * D + e);
    __syncthreads();
    float best = ACCEL_NEG_INF;
    for (accel_i64 j = threadIdx.x; j < S; j += blockDim.x) {
        const T *kr = k + base + j * D;
        float acc = mrow ? mrow[j] : 0.0f;
        for (accel_i64 e = 0; e < D; ++e) acc += qs[e] * accel_load(kr + e);
        if (p.causal && j > i) acc = ACCEL_NEG_INF;
        ps[j] = acc;
        best = fmaxf(best, acc);
    }
    best = accel_block_max(best, scratch); /* its barriers also publish ps */
    if (best == ACCEL_NEG_INF) best = 0.0f; /* a row masked out with -inf: keep exp finite */
    float sum = 0.0f;
    for (accel_i64 j = threadIdx.x; j < S; j += blockDim.x) {
        const float e = __expf(ps[j] - best);
        ps[j] = e;
        sum += e;
    }
    const float inv = 1.0f / accel_block_sum(sum, scratch);
    for (accel_i64 e = threadIdx.x; e < D; e += blockDim.x) {
        float acc = 0.0f;
        for (accel_i64 j = 0; j < S; ++j) acc += ps[j] * accel_load(v + base + j * D + e);
        accel_store(o + base + i * D + e, acc * inv);
    }
}

#define ACCEL_ATTENTION_ENTRY(T, sfx)                                                              \
    extern "C" __global__ void accel_attention_##sfx(const T *q, const T *k, const T *v,          \
                                                     const float *mask, T *o,                     \
                                                     const accel_attention_params p) {            \
        accel_attention_impl<T>(q, k, v, mask, o, p);                                              \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_ATTENTION_ENTRY)
