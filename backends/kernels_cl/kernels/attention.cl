/* attention.cl: fused attention, O = softmax(scale Q K^T + mask) V per (batch, head), one
 * work-group per query row; the row's scores stay in local memory.
 *
 * Kernel accel_attention(int seq, int head_dim, float scale, int has_mask, int causal,
 *                        global const T *Q, long q_off, global const T *K, long k_off,
 *                        global const T *V, long v_off, global const float *mask, long mask_off,
 *                        global T *O, long o_off)
 *   Q, K, V, O are [batch, heads, seq, head_dim]; mask is [batch, seq] additive fp32. Grid
 *   (WG * seq, heads, batch), work-group (WG, 1, 1): group (i, h, b) computes row i of head h of
 *   batch b (3-D so no index is divided: llvm-spirv-14 cannot take what clang makes of that).
 *   seq <= ACCEL_ATTENTION_MAX_SEQ and head_dim <= ACCEL_ATTENTION_MAX_DIM (the local arrays).
 *   causal 1: row i sees keys 0..i only (the loops stop there; the rest of ps is never read).
 *
 * Compile-time options: WG (default 64), DTYPE (0 f32, 1 f16 storage via vload_half, 2 bf16). */

#ifndef WG
#define WG 64
#endif
#include "../../gpu_common/kernels/accel_attention_limits.h"

#include "accel_storage.h"

#include "accel_group.h"

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_attention(const int seq, const int head_dim, const float scale, const int has_mask, const int causal,
                __global const T *Q, const long q_off, __global const T *K, const long k_off,
                __global const T *V, const long v_off, __global const float *mask, const long mask_off,
                __global T *O, const long o_off) {
    __local float qs[ACCEL_ATTENTION_MAX_DIM];
    __local float ps[ACCEL_ATTENTION_MAX_SEQ];
    __local float scratch[WG];
    const long i = get_group_id(0), h = get_group_id(1), b = get_group_id(2);
    const long heads = get_num_groups(1);
    const int lid = get_local_id(0);
    const long base = (b * heads + h) * (long)seq * head_dim;
    const int keys = causal ? (int)i + 1 : seq;
    Q += q_off + base + i * head_dim;
    K += k_off + base;
    V += v_off + base;
    O += o_off + base + i * head_dim;
    mask += mask_off + (has_mask ? b * seq : 0);

    for (int e = lid; e < head_dim; e += WG)
        qs[e] = scale * LOAD(Q, e);
    barrier(CLK_LOCAL_MEM_FENCE);
    float mx = -INFINITY;
    for (int j = lid; j < keys; j += WG) {
        float acc = has_mask ? mask[j] : 0.0f;
        for (int e = 0; e < head_dim; e++)
            acc += qs[e] * LOAD(K, (long)j * head_dim + e);
        ps[j] = acc;
        mx = fmax(mx, acc);
    }
    mx = accel_group_reduce(mx, 1, scratch); /* its barriers also publish ps */
    if (mx == -INFINITY)
        mx = 0.0f;
    float sum = 0.0f;
    for (int j = lid; j < keys; j += WG) {
        const float p = exp(ps[j] - mx);
        ps[j] = p;
        sum += p;
    }
    const float inv = 1.0f / accel_group_reduce(sum, 0, scratch);
    for (int e = lid; e < head_dim; e += WG) {
        float acc = 0.0f;
        for (int j = 0; j < keys; j++)
            acc += ps[j] * LOAD(V, (long)j * head_dim + e);
        STORE(O, e, acc * inv);
    }
}
