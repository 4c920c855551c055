/* Tiled (flash-style) fused attention, O = softmax(scale Q K^T + mask [+ causal]) V per
 * (batch, head); Q, K, V, O are [batch, heads, seq, head_dim], mask [batch, seq] additive fp32.
 * A block of ACCEL_FLASH_THREADS threads owns ACCEL_FLASH_ROWS query rows (grid.x = batch * heads,
 * grid.y = the query tiles) and walks the keys a tile at a time with an online softmax: per row a
 * running maximum and sum, the partial output rescaled whenever the maximum grows, so the scores
 * never leave the chip and K and V are read once per query tile instead of once per query row.
 * Everything accumulates in fp32. head_dim up to ACCEL_FLASH_MAX_DIM (accel_attention_limits.h);
 * any sequence length.
 *
 * Two bodies, one grid and block shape:
 * - accel_flash_attention_mma_{f16,bf16}: tensor cores (mma.sync m16n8k16, sm_80 and newer). Each
 *   of the 4 warps owns 16 query rows; S = Q K^T for a 64-key tile comes out in the MMA's
 *   accumulator layout, which is also the A-operand layout of P V, so the probabilities go from
 *   registers to the second MMA without a trip through shared memory (rounded to the storage type
 *   there, as every flash kernel does). Shared memory: K and V tiles, 64 x (128 + 8) 16-bit each
 *   (34 KiB; the 8 pad keep the fragment reads free of bank conflicts); Q goes through the K tile
 *   into registers once.
 * - accel_flash_attention_mfma_{f16,bf16}: matrix cores of AMD CDNA (v_mfma_f32_16x16x16, gfx90a
 *   and gfx94x, through hiprtc): two 64-lane wavefronts of 32 query rows, both products computed
 *   transposed so that P goes from S^T's accumulator to the second MFMA in registers too (the
 *   comment at its body says why); the same tiles and shared memory as the mma path.
 * - accel_flash_attention_{f32,f16,bf16}: the portable path (fp32 storage, archs without matrix
 *   cores: RDNA, gfx908, sm < 80). Two threads per query row, each
 *   computing the row's scores and accumulating half of its head dims with scalar FMA. Shared
 *   memory: Q transposed (so a warp reads 32 rows' elements from 32 banks), a 16-key K and V tile,
 *   all fp32: 48 KiB, the static limit.
 * The MMA and MFMA entries fall back to the portable body where the arch has neither, so every
 * entry exists in every compile; the planner picks them only where it does. */
#include "accel_attention_limits.h"
#include "accel_gpu_port.h"

#define ACCEL_FLASH_WARPS (ACCEL_FLASH_THREADS / 32)

/* What every body derives from its block: the (batch, head) pair's offset, its first query row, the
 * sequence's mask row (or null) and the last key any of its rows sees (causal: its own last row). */
struct accel_flash_block {
    accel_i64 S, q0, base, kend;
    const float *mrow;
};
__device__ __forceinline__ accel_flash_block accel_flash_block_of(const accel_attention_params &p, const float *mask) {
    accel_flash_block b;
    const accel_i64 bh = blockIdx.x;
    b.S = p.seq;
    b.q0 = (accel_i64)blockIdx.y * ACCEL_FLASH_ROWS;
    b.base = bh * p.seq * p.head_dim;
    b.kend = p.causal && b.q0 + ACCEL_FLASH_ROWS < b.S ? b.q0 + ACCEL_FLASH_ROWS : b.S;
    b.mrow = mask ? mask + (bh / p.heads) * p.seq : (const float *)0;
    return b;
}

/* ---- the portable path ---- */

template <typename T>
__device__ void accel_flash_fma_impl(const T *q, const T *k, const T *v, const float *mask, T *o,
                                     const accel_attention_params &p) {
    enum { BR = ACCEL_FLASH_ROWS, BC = ACCEL_FLASH_FMA_KEYS, DM = ACCEL_FLASH_MAX_DIM, HALF = DM / 2 };
    static_assert(ACCEL_FLASH_THREADS == 2 * BR, "two threads per query row");
    static_assert((DM * BR + 2 * BC * DM) * sizeof(float) <= 48 * 1024, "static shared memory limit");
    __shared__ float qt[DM][BR]; /* Q tile, transposed */
    __shared__ float ks[BC][DM];
    __shared__ float vs[BC][DM];
    const accel_flash_block blk = accel_flash_block_of(p, mask);
    const accel_i64 S = blk.S, D = p.head_dim, q0 = blk.q0, base = blk.base;
    const float *mrow = blk.mrow;
    const int r = threadIdx.x % BR, h = threadIdx.x / BR; /* h: which half of the head dims */
    const int dh = (int)((D + 1) / 2), e0 = h * dh, ne = (int)(D - e0 < dh ? D - e0 : dh);
    const accel_i64 qi = q0 + r;

    for (int l = threadIdx.x; l < BR * D; l += ACCEL_FLASH_THREADS) {
        const int row = l / (int)D, e = l % (int)D;
        qt[e][row] = q0 + row < S ? accel_load(q + base + (q0 + row) * D + e) : 0.0f;
    }
    float acc[HALF];
ACCEL_UNROLL
    for (int j = 0; j < HALF; ++j) acc[j] = 0.0f;
    float m = ACCEL_NEG_INF, l = 0.0f;
    for (accel_i64 k0 = 0; k0 < blk.kend; k0 += BC) { /* causal: a block-uniform bound */
        __syncthreads(); /* the previous tile is consumed (and, the first time, qt is written) */
        for (int x = threadIdx.x; x < BC * D; x += ACCEL_FLASH_THREADS) {
            const int row = x / (int)D, e = x % (int)D;
            const bool in = k0 + row < S;
            ks[row][e] = in ? accel_load(k + base + (k0 + row) * D + e) : 0.0f;
            vs[row][e] = in ? accel_load(v + base + (k0 + row) * D + e) : 0.0f;
        }
        __syncthreads();
        /* s[] is indexed at run time (the key loops are not unrolled: unrolling them into the
         * head-dim loop made NVRTC take a minute for this body); it lives in local memory, L1 */
        float s[BC];
        float best = m;
        for (int j = 0; j < BC; ++j) {
            float dot = 0.0f;
            for (int e = 0; e < D; ++e) dot += qt[e][r] * ks[j][e];
            const accel_i64 key = k0 + j;
            float x = dot * p.scale + (mrow && key < S ? mrow[key] : 0.0f);
            if (key >= S || (p.causal && key > qi)) x = ACCEL_NEG_INF;
            s[j] = x;
            best = fmaxf(best, x);
        }
        const float shift = best == ACCEL_NEG_INF ? 0.0f : best; /* all masked so far: keep exp finite */
        const float alpha = __expf(m - shift);
        m = best;
        l *= alpha;
ACCEL_UNROLL
        for (int j = 0; j < HALF; ++j) acc[j] *= alpha;
        for (int j = 0; j < BC; ++j) {
            const float pj = __expf(s[j] - shift);
            l += pj;
ACCEL_UNROLL
            for (int e = 0; e < HALF; ++e)
                if (e < ne) acc[e] += pj * vs[j][e0 + e];
        }
    }
    if (qi < S) {
        const float inv = l > 0.0f ? 1.0f / l : 0.0f;
        T *orow = o + base + qi * D + e0;
ACCEL_UNROLL
        for (int e = 0; e < HALF; ++e)
            if (e < ne) accel_store(orow + e, acc[e] * inv);
    }
}

/* ---- the matrix-core paths (tensor cores on NVIDIA, MFMA on AMD CDNA) ---- */
#if ACCEL_HAS_MMA_16816 || ACCEL_HAS_MFMA_16X16X16

/* Rows [row0, row0 + 64) of a [S, D] 16-bit matrix into a tile of 32-bit words (two elements each),
 * `words` per tile row; rows past S and columns from D to the padded width dp are zero (the MMA
 * reads them: zero keeps the padded products out of the sums and NaN out of P V). */
template <typename T>
__device__ __forceinline__ void accel_flash_tile_load(const T *src, accel_i64 S, int D, int dp, accel_i64 row0,
                                                      unsigned *tile, int words) {
    const unsigned short *g = reinterpret_cast<const unsigned short *>(src);
    const int rows = ACCEL_FLASH_MMA_KEYS;
    if ((D & 7) == 0 && (((unsigned long long)src) & 15u) == 0) {
        const int chunks = D / 8; /* 16 bytes each */
        for (int x = threadIdx.x; x < rows * chunks; x += ACCEL_FLASH_THREADS) {
            const int r = x / chunks, c = x % chunks;
            accel_u128 val = {0u, 0u, 0u, 0u};
            if (row0 + r < S) val = *reinterpret_cast<const accel_u128 *>(g + (row0 + r) * D + 8 * c);
            *reinterpret_cast<accel_u128 *>(tile + r * words + 4 * c) = val;
        }
        for (int x = threadIdx.x; x < rows * (dp - D) / 2; x += ACCEL_FLASH_THREADS) {
            const int r = x / ((dp - D) / 2), c = x % ((dp - D) / 2);
            tile[r * words + D / 2 + c] = 0u;
        }
        return;
    }
    for (int x = threadIdx.x; x < rows * (dp / 2); x += ACCEL_FLASH_THREADS) {
        const int r = x / (dp / 2), c = 2 * (x % (dp / 2));
        const bool in = row0 + r < S;
        const unsigned lo = in && c < D ? g[(row0 + r) * D + c] : 0u;
        const unsigned hi = in && c + 1 < D ? g[(row0 + r) * D + c + 1] : 0u;
        tile[r * words + c / 2] = lo | (hi << 16);
    }
}
#endif

#if ACCEL_HAS_MMA_16816

template <typename T>
__device__ void accel_flash_mma_impl(const T *q, const T *k, const T *v, const float *mask, T *o,
                                     const accel_attention_params &p) {
    enum {
        BR = ACCEL_FLASH_ROWS, BC = ACCEL_FLASH_MMA_KEYS, DM = ACCEL_FLASH_MAX_DIM,
        WORDS = (DM + 8) / 2, /* 32-bit words per tile row: 68, so rows start 4 banks apart */
        KC = DM / 16,         /* head-dim steps of the S MMA */
        DC = DM / 8,          /* head-dim column blocks of the P V MMA */
        NC = BC / 8           /* key column blocks of S */
    };
    static_assert(ACCEL_FLASH_WARPS * 16 == BR, "one warp per 16 query rows");
    static_assert(BC == BR, "Q is staged through the K tile");
    static_assert(2 * BC * WORDS * 4 <= 48 * 1024, "static shared memory limit");
    __shared__ accel_u128 kbuf[BC * WORDS / 4];
    __shared__ accel_u128 vbuf[BC * WORDS / 4];
    unsigned *ks = reinterpret_cast<unsigned *>(kbuf), *vs = reinterpret_cast<unsigned *>(vbuf);
    const T *tag = (const T *)0;
    const accel_flash_block blk = accel_flash_block_of(p, mask);
    const accel_i64 S = blk.S, q0 = blk.q0, base = blk.base;
    const float *mrow = blk.mrow;
    const int D = (int)p.head_dim, dp = (D + 15) & ~15, kc_n = dp / 16, dc_n = (D + 7) / 8;
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane >> 2, t = lane & 3;
    const int wr = warp * 16;                           /* the warp's first row in the tile */
    const accel_i64 qi0 = q0 + wr + g, qi1 = qi0 + 8; /* this lane's two query rows */

    accel_flash_tile_load(q + base, S, D, dp, q0, ks, WORDS);
    __syncthreads();
    unsigned qa[KC][4] = {};
ACCEL_UNROLL
    for (int c = 0; c < KC; ++c)
        if (c < kc_n) {
            const unsigned *r0 = ks + (wr + g) * WORDS + 8 * c + t, *r1 = r0 + 8 * WORDS;
            qa[c][0] = r0[0];
            qa[c][1] = r1[0];
            qa[c][2] = r0[4];
            qa[c][3] = r1[4];
        }

    float acc[DC][4];
ACCEL_UNROLL
    for (int c = 0; c < DC; ++c)
        for (int i = 0; i < 4; ++i) acc[c][i] = 0.0f;
    float m0 = ACCEL_NEG_INF, m1 = ACCEL_NEG_INF, l0 = 0.0f, l1 = 0.0f;
    for (accel_i64 k0 = 0; k0 < blk.kend; k0 += BC) {
        __syncthreads(); /* the Q fragments, then the previous tile, are read */
        accel_flash_tile_load(k + base, S, D, dp, k0, ks, WORDS);
        accel_flash_tile_load(v + base, S, D, dp, k0, vs, WORDS);
        __syncthreads();

        float s[NC][4];
ACCEL_UNROLL
        for (int n = 0; n < NC; ++n) {
            for (int i = 0; i < 4; ++i) s[n][i] = 0.0f;
            const unsigned *kr = ks + (8 * n + g) * WORDS + t; /* B[d][key] = K[key][d] */
ACCEL_UNROLL
            for (int c = 0; c < KC; ++c)
                if (c < kc_n) {
                    const unsigned b[2] = {kr[8 * c], kr[8 * c + 4]};
                    accel_mma_16816(s[n], qa[c], b, tag);
                }
        }
        float best0 = m0, best1 = m1;
ACCEL_UNROLL
        for (int n = 0; n < NC; ++n)
            for (int i = 0; i < 4; ++i) {
                const accel_i64 key = k0 + 8 * n + 2 * t + (i & 1), qi = i < 2 ? qi0 : qi1;
                float x = s[n][i] * p.scale + (mrow && key < S ? mrow[key] : 0.0f);
                if (key >= S || (p.causal && key > qi)) x = ACCEL_NEG_INF;
                s[n][i] = x;
                if (i < 2) best0 = fmaxf(best0, x);
                else best1 = fmaxf(best1, x);
            }
        /* a row's 64 scores are spread over the 4 lanes of its quad */
        for (int mask_bit = 1; mask_bit < 4; mask_bit <<= 1) {
            best0 = fmaxf(best0, ACCEL_SHFL_XOR(best0, mask_bit));
            best1 = fmaxf(best1, ACCEL_SHFL_XOR(best1, mask_bit));
        }
        const float shift0 = best0 == ACCEL_NEG_INF ? 0.0f : best0, shift1 = best1 == ACCEL_NEG_INF ? 0.0f : best1;
        const float alpha0 = __expf(m0 - shift0), alpha1 = __expf(m1 - shift1);
        m0 = best0;
        m1 = best1;
        l0 *= alpha0; /* each lane sums its own columns; the quad's sums meet at the end */
        l1 *= alpha1;
ACCEL_UNROLL
        for (int c = 0; c < DC; ++c) {
            acc[c][0] *= alpha0;
            acc[c][1] *= alpha0;
            acc[c][2] *= alpha1;
            acc[c][3] *= alpha1;
        }
ACCEL_UNROLL
        for (int n = 0; n < NC; ++n)
            for (int i = 0; i < 4; ++i) {
                s[n][i] = __expf(s[n][i] - (i < 2 ? shift0 : shift1));
                if (i < 2) l0 += s[n][i];
                else l1 += s[n][i];
            }
        /* O += P V: key block kb (16 keys) of P is S's column blocks 2 kb and 2 kb + 1, already
         * in the A layout; B[key][d] = V[key][d] is gathered from two 16-bit halves */
ACCEL_UNROLL
        for (int kb = 0; kb < BC / 16; ++kb) {
            const unsigned a[4] = {accel_bits16(s[2 * kb][0], tag) | accel_bits16(s[2 * kb][1], tag) << 16,
                                   accel_bits16(s[2 * kb][2], tag) | accel_bits16(s[2 * kb][3], tag) << 16,
                                   accel_bits16(s[2 * kb + 1][0], tag) | accel_bits16(s[2 * kb + 1][1], tag) << 16,
                                   accel_bits16(s[2 * kb + 1][2], tag) | accel_bits16(s[2 * kb + 1][3], tag) << 16};
            const int key = 16 * kb + 2 * t;
ACCEL_UNROLL
            for (int c = 0; c < DC; ++c)
                if (c < dc_n) {
                    const int col = 8 * c + g, word = col / 2, sh = 16 * (col & 1);
                    const unsigned *v0 = vs + key * WORDS + word;
                    const unsigned b[2] = {((v0[0] >> sh) & 0xffffu) | ((v0[WORDS] >> sh) & 0xffffu) << 16,
                                           ((v0[8 * WORDS] >> sh) & 0xffffu) | ((v0[9 * WORDS] >> sh) & 0xffffu) << 16};
                    accel_mma_16816(acc[c], a, b, tag);
                }
        }
    }
    for (int mask_bit = 1; mask_bit < 4; mask_bit <<= 1) {
        l0 += ACCEL_SHFL_XOR(l0, mask_bit);
        l1 += ACCEL_SHFL_XOR(l1, mask_bit);
    }
    const float inv0 = l0 > 0.0f ? 1.0f / l0 : 0.0f, inv1 = l1 > 0.0f ? 1.0f / l1 : 0.0f;
ACCEL_UNROLL
    for (int c = 0; c < DC; ++c)
        if (c < dc_n)
            for (int i = 0; i < 4; ++i) {
                const int col = 8 * c + 2 * t + (i & 1);
                const accel_i64 qi = i < 2 ? qi0 : qi1;
                if (col < D && qi < S) accel_store(o + base + qi * D + col, acc[c][i] * (i < 2 ? inv0 : inv1));
            }
}

template <typename T>
__device__ __forceinline__ void accel_flash_mma_or_fma(const T *q, const T *k, const T *v, const float *mask, T *o,
                                                       const accel_attention_params &p) {
    accel_flash_mma_impl<T>(q, k, v, mask, o, p);
}
#else
template <typename T>
__device__ __forceinline__ void accel_flash_mma_or_fma(const T *q, const T *k, const T *v, const float *mask, T *o,
                                                       const accel_attention_params &p) {
    accel_flash_fma_impl<T>(q, k, v, mask, o, p); /* no tensor cores in this compile: same grid */
}
#endif

/* ---- the MFMA path (AMD CDNA: gfx90a, gfx94x) ---- */
#if ACCEL_HAS_MFMA_16X16X16

/* Two 64-lane wavefronts, 32 query rows each (two 16-row tiles). Both products are computed
 * transposed, S^T = K Q^T and O^T = V^T P^T, because v_mfma's accumulator holds a column per lane
 * (D[4q..4q+3][c]) while its B operand wants B[4q..4q+3][c]: so S^T's accumulator, lane l holding
 * query row c = l % 16 and keys 4q..4q+3, is P^T's B operand as it stands (rounded to the storage
 * type), and every value a lane holds, of S^T and of O^T, belongs to its own query row c. A row's
 * maximum and sum meet over the 4 lanes of the same c (xor 16 and 32). Shared memory as the mma
 * path: K and V tiles of 64 keys x (128 + 8) 16-bit, Q staged through the K tile. */
template <typename T>
__device__ void accel_flash_mfma_impl(const T *q, const T *k, const T *v, const float *mask, T *o,
                                      const accel_attention_params &p) {
    enum {
        BR = ACCEL_FLASH_ROWS, BC = ACCEL_FLASH_MMA_KEYS, DM = ACCEL_FLASH_MAX_DIM,
        WORDS = (DM + 8) / 2, /* 32-bit words per tile row */
        KC = DM / 16,         /* head-dim steps of S^T, and head-dim tiles of O^T */
        WAVE = 64, WAVES = ACCEL_FLASH_THREADS / WAVE,
        RT = BR / WAVES / 16, /* 16-row query tiles per wavefront */
        KT = BC / 16          /* 16-key tiles per key tile */
    };
    static_assert(RT * 16 * WAVES == BR, "whole 16-row tiles per wavefront");
    static_assert(BC == BR, "Q is staged through the K tile");
    static_assert(2 * BC * WORDS * 4 <= 48 * 1024, "static shared memory limit");
    __shared__ accel_u128 kbuf[BC * WORDS / 4];
    __shared__ accel_u128 vbuf[BC * WORDS / 4];
    unsigned *ks = reinterpret_cast<unsigned *>(kbuf), *vs = reinterpret_cast<unsigned *>(vbuf);
    const T *tag = (const T *)0;
    const accel_flash_block blk = accel_flash_block_of(p, mask);
    const accel_i64 S = blk.S, q0 = blk.q0, base = blk.base;
    const float *mrow = blk.mrow;
    const int D = (int)p.head_dim, dp = (D + 15) & ~15, kc_n = dp / 16;
    const int wave = threadIdx.x / WAVE, lane = threadIdx.x % WAVE, c16 = lane % 16, q4 = lane / 16;
    const int wr = wave * RT * 16; /* the wavefront's first row in the tile */

    accel_flash_tile_load(q + base, S, D, dp, q0, ks, WORDS);
    __syncthreads();
    unsigned qb[RT][KC][2] = {}; /* B[d][row] = Q[row][d]: row c16 of each tile, dims 4 q4.. */
ACCEL_UNROLL
    for (int rt = 0; rt < RT; ++rt)
ACCEL_UNROLL
        for (int c = 0; c < KC; ++c)
            if (c < kc_n) {
                const unsigned *r = ks + (wr + 16 * rt + c16) * WORDS + 8 * c + 2 * q4;
                qb[rt][c][0] = r[0];
                qb[rt][c][1] = r[1];
            }

    float acc[KC][RT][4]; /* O^T[16 d + 4 q4 + i][row 16 rt + c16] */
ACCEL_UNROLL
    for (int d = 0; d < KC; ++d)
        for (int rt = 0; rt < RT; ++rt)
            for (int i = 0; i < 4; ++i) acc[d][rt][i] = 0.0f;
    float m[RT], l[RT];
    for (int rt = 0; rt < RT; ++rt) m[rt] = ACCEL_NEG_INF, l[rt] = 0.0f;
    for (accel_i64 k0 = 0; k0 < blk.kend; k0 += BC) {
        __syncthreads(); /* the Q fragments, then the previous tile, are read */
        accel_flash_tile_load(k + base, S, D, dp, k0, ks, WORDS);
        accel_flash_tile_load(v + base, S, D, dp, k0, vs, WORDS);
        __syncthreads();

        float st[KT][RT][4]; /* S^T[key 16 kt + 4 q4 + i][row 16 rt + c16] */
ACCEL_UNROLL
        for (int kt = 0; kt < KT; ++kt)
ACCEL_UNROLL
            for (int rt = 0; rt < RT; ++rt) {
                for (int i = 0; i < 4; ++i) st[kt][rt][i] = 0.0f;
                const unsigned *kr = ks + (16 * kt + c16) * WORDS + 2 * q4; /* A[key][d] = K[key][d] */
ACCEL_UNROLL
                for (int c = 0; c < KC; ++c)
                    if (c < kc_n) {
                        const unsigned a[2] = {kr[8 * c], kr[8 * c + 1]};
                        accel_mfma_16x16x16(st[kt][rt], a, qb[rt][c], tag);
                    }
            }
        float best[RT];
ACCEL_UNROLL
        for (int rt = 0; rt < RT; ++rt) {
            const accel_i64 qi = q0 + wr + 16 * rt + c16;
            best[rt] = m[rt];
ACCEL_UNROLL
            for (int kt = 0; kt < KT; ++kt)
                for (int i = 0; i < 4; ++i) {
                    const accel_i64 key = k0 + 16 * kt + 4 * q4 + i;
                    float x = st[kt][rt][i] * p.scale + (mrow && key < S ? mrow[key] : 0.0f);
                    if (key >= S || (p.causal && key > qi)) x = ACCEL_NEG_INF;
                    st[kt][rt][i] = x;
                    best[rt] = fmaxf(best[rt], x);
                }
            /* a row's 64 scores are spread over the 4 lanes of its c16 */
            best[rt] = fmaxf(best[rt], ACCEL_SHFL_XOR(best[rt], 16));
            best[rt] = fmaxf(best[rt], ACCEL_SHFL_XOR(best[rt], 32));
            const float shift = best[rt] == ACCEL_NEG_INF ? 0.0f : best[rt];
            const float alpha = __expf(m[rt] - shift);
            m[rt] = best[rt];
            l[rt] *= alpha; /* each lane sums its own keys; the 4 lanes' sums meet at the end */
ACCEL_UNROLL
            for (int d = 0; d < KC; ++d)
                for (int i = 0; i < 4; ++i) acc[d][rt][i] *= alpha;
ACCEL_UNROLL
            for (int kt = 0; kt < KT; ++kt)
                for (int i = 0; i < 4; ++i) {
                    st[kt][rt][i] = __expf(st[kt][rt][i] - shift);
                    l[rt] += st[kt][rt][i];
                }
        }
        /* O^T += V^T P^T, 16 keys at a time: B[key][row] = P[row][key] is S^T's accumulator;
         * A[d][key] = V[key][d] is gathered from four rows' 16-bit halves */
ACCEL_UNROLL
        for (int kt = 0; kt < KT; ++kt) {
            unsigned b[RT][2];
ACCEL_UNROLL
            for (int rt = 0; rt < RT; ++rt) {
                b[rt][0] = accel_bits16(st[kt][rt][0], tag) | accel_bits16(st[kt][rt][1], tag) << 16;
                b[rt][1] = accel_bits16(st[kt][rt][2], tag) | accel_bits16(st[kt][rt][3], tag) << 16;
            }
            const unsigned *vk = vs + (16 * kt + 4 * q4) * WORDS;
ACCEL_UNROLL
            for (int d = 0; d < KC; ++d)
                if (d < kc_n) {
                    const int col = 16 * d + c16, sh = 16 * (col & 1);
                    const unsigned *v0 = vk + col / 2;
                    const unsigned a[2] = {((v0[0] >> sh) & 0xffffu) | ((v0[WORDS] >> sh) & 0xffffu) << 16,
                                           ((v0[2 * WORDS] >> sh) & 0xffffu) | ((v0[3 * WORDS] >> sh) & 0xffffu) << 16};
ACCEL_UNROLL
                    for (int rt = 0; rt < RT; ++rt) accel_mfma_16x16x16(acc[d][rt], a, b[rt], tag);
                }
        }
    }
ACCEL_UNROLL
    for (int rt = 0; rt < RT; ++rt) {
        l[rt] += ACCEL_SHFL_XOR(l[rt], 16);
        l[rt] += ACCEL_SHFL_XOR(l[rt], 32);
        const float inv = l[rt] > 0.0f ? 1.0f / l[rt] : 0.0f;
        const accel_i64 qi = q0 + wr + 16 * rt + c16;
ACCEL_UNROLL
        for (int d = 0; d < KC; ++d)
            if (d < kc_n && qi < S)
                for (int i = 0; i < 4; ++i) {
                    const int col = 16 * d + 4 * q4 + i;
                    if (col < D) accel_store(o + base + qi * D + col, acc[d][rt][i] * inv);
                }
    }
}

template <typename T>
__device__ __forceinline__ void accel_flash_mfma_or_fma(const T *q, const T *k, const T *v, const float *mask, T *o,
                                                        const accel_attention_params &p) {
    accel_flash_mfma_impl<T>(q, k, v, mask, o, p);
}
#else
template <typename T>
__device__ __forceinline__ void accel_flash_mfma_or_fma(const T *q, const T *k, const T *v, const float *mask, T *o,
                                                        const accel_attention_params &p) {
    accel_flash_fma_impl<T>(q, k, v, mask, o, p); /* no matrix cores in this compile: same grid */
}
#endif

#define ACCEL_FLASH_FMA_ENTRY(T, sfx)                                                              \
    extern "C" __global__ void __launch_bounds__(ACCEL_FLASH_THREADS)                              \
        accel_flash_attention_##sfx(const T *q, const T *k, const T *v, const float *mask, T *o,   \
                                    const accel_attention_params p) {                             \
        accel_flash_fma_impl<T>(q, k, v, mask, o, p);                                              \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_FLASH_FMA_ENTRY)

#define ACCEL_FLASH_MMA_ENTRY(T, sfx)                                                              \
    extern "C" __global__ void __launch_bounds__(ACCEL_FLASH_THREADS)                              \
        accel_flash_attention_mma_##sfx(const T *q, const T *k, const T *v, const float *mask, T *o, \
                                        const accel_attention_params p) {                         \
        accel_flash_mma_or_fma<T>(q, k, v, mask, o, p);                                            \
    }
ACCEL_FLASH_MMA_ENTRY(accel_f16, f16)
ACCEL_FLASH_MMA_ENTRY(accel_bf16, bf16)

#define ACCEL_FLASH_MFMA_ENTRY(T, sfx)                                                             \
    extern "C" __global__ void __launch_bounds__(ACCEL_FLASH_THREADS)                              \
        accel_flash_attention_mfma_##sfx(const T *q, const T *k, const T *v, const float *mask, T *o, \
                                         const accel_attention_params p) {                        \
        accel_flash_mfma_or_fma<T>(q, k, v, mask, o, p);                                           \
    }
ACCEL_FLASH_MFMA_ENTRY(accel_f16, f16)
ACCEL_FLASH_MFMA_ENTRY(accel_bf16, bf16)
