/* Packing of GEMM weights into oneDNN's blocked layouts (see cpu_gemm_pack.h for why). */
#include "cpu_gemm_pack.h"

#include <string.h>

int cpu_weights_pack_describe(const dnnl_memory_desc_t *md, size_t elem, cpu_weights_pack *out) {
    memset(out, 0, sizeof *out);
    if (md->ndims != 2 || md->format_kind != dnnl_blocked || md->offset0 != 0 ||
        md->extra.flags != 0 || md->padded_offsets[0] != 0 || md->padded_offsets[1] != 0)
        return 0;
    const dnnl_blocking_desc_t *b = &md->format_desc.blocking;
    int64_t bk, bn, vnni;
    if (b->inner_nblks == 2 && b->inner_idxs[0] == 0 && b->inner_idxs[1] == 1) {
        bk = b->inner_blks[0];
        bn = b->inner_blks[1];
        vnni = 1;
    } else if (b->inner_nblks == 3 && b->inner_idxs[0] == 0 && b->inner_idxs[1] == 1 &&
               b->inner_idxs[2] == 0) {
        vnni = b->inner_blks[2];
        bk = b->inner_blks[0] * vnni;
        bn = b->inner_blks[1];
    } else {
        return 0;
    }
    /* The interleaving written below: f32 plain rows; bf16/f16 pairs of K rows. */
    if (!((elem == 4 && vnni == 1) || (elem == 2 && vnni == 2))) return 0;
    const int64_t kp = md->padded_dims[0], np = md->padded_dims[1];
    if (bk <= 0 || bn <= 0 || kp % bk || np % bn) return 0;
    out->elem = elem;
    out->src_elem = elem;
    out->k = md->dims[0];
    out->n = md->dims[1];
    out->k_blocks = kp / bk;
    out->n_blocks = np / bn;
    out->bk = bk;
    out->bn = bn;
    out->vnni = vnni;
    out->stride_kb = b->strides[0];
    out->stride_nb = b->strides[1];
    out->bytes = dnnl_memory_desc_get_size(md);
    /* Every block must lie inside the memory oneDNN sized, and blocks must not overlap. */
    const int64_t block = bk * bn;
    const int64_t last = (out->k_blocks - 1) * out->stride_kb + (out->n_blocks - 1) * out->stride_nb;
    if (out->stride_kb < block || out->stride_nb < block ||
        (size_t)(last + block) * elem > out->bytes)
        return 0;
    return 1;
}

/* One bk x bn block of 4-byte elements: rows of bn copied, the part past N or K zeroed. */
static void pack_block_4(const cpu_weights_pack *p, const char *src, int64_t ldb, int64_t k0,
                         int64_t n0, char *dst) {
    const int64_t cols = p->n - n0 < p->bn ? p->n - n0 : p->bn;
    const size_t row_bytes = (size_t)p->bn * 4;
    for (int64_t ki = 0; ki < p->bk; ki++) {
        char *d = dst + (size_t)ki * row_bytes;
        if (k0 + ki >= p->k) {
            memset(d, 0, row_bytes);
            continue;
        }
        memcpy(d, src + ((size_t)(k0 + ki) * (size_t)ldb + (size_t)n0) * 4, (size_t)cols * 4);
        if (cols < p->bn) memset(d + (size_t)cols * 4, 0, row_bytes - (size_t)cols * 4);
    }
}

/* The same from bf16 B: each element widened to f32 (bf16 is f32's upper half). */
static void pack_block_4_from_bf16(const cpu_weights_pack *p, const char *src, int64_t ldb, int64_t k0,
                                   int64_t n0, char *dst) {
    const int64_t cols = p->n - n0 < p->bn ? p->n - n0 : p->bn;
    for (int64_t ki = 0; ki < p->bk; ki++) {
        uint32_t *d = (uint32_t *)(void *)(dst + (size_t)ki * (size_t)p->bn * 4);
        int64_t j = 0;
        if (k0 + ki < p->k) {
            const uint16_t *s = (const uint16_t *)(const void *)src + (k0 + ki) * ldb + n0;
            for (; j < cols; j++) d[j] = (uint32_t)s[j] << 16;
        }
        for (; j < p->bn; j++) d[j] = 0;
    }
}

void cpu_weights_pack_widen_bf16(cpu_weights_pack *p) { p->src_elem = 2; }

/* One block of 2-byte elements in K pairs: out[kk][n] = {B[k0+2kk][n], B[k0+2kk+1][n]}. */
static void pack_block_2x2(const cpu_weights_pack *p, const char *src, int64_t ldb, int64_t k0,
                           int64_t n0, char *dst) {
    const int64_t cols = p->n - n0 < p->bn ? p->n - n0 : p->bn;
    uint32_t *out = (uint32_t *)(void *)dst;
    for (int64_t kk = 0; kk < p->bk / 2; kk++, out += p->bn) {
        const int64_t r0 = k0 + 2 * kk, r1 = r0 + 1;
        const uint16_t *s0 = r0 < p->k ? (const uint16_t *)(const void *)src + r0 * ldb + n0 : NULL;
        const uint16_t *s1 = r1 < p->k ? (const uint16_t *)(const void *)src + r1 * ldb + n0 : NULL;
        if (s0 && s1) {
            for (int64_t j = 0; j < cols; j++) out[j] = (uint32_t)s0[j] | (uint32_t)s1[j] << 16;
        } else if (s0) {
            for (int64_t j = 0; j < cols; j++) out[j] = s0[j];
        } else {
            memset(out, 0, (size_t)cols * 4);
        }
        if (cols < p->bn) memset(out + cols, 0, (size_t)(p->bn - cols) * 4);
    }
}

void cpu_weights_pack_run(const cpu_weights_pack *p, const void *src, int64_t ldb, void *dst) {
    const int64_t blocks = p->k_blocks * p->n_blocks;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < blocks; i++) {
        /* N-block-major: each thread reads a band of columns of every row it touches. */
        const int64_t nb = i / p->k_blocks, kb = i % p->k_blocks;
        char *d = (char *)dst + (size_t)(kb * p->stride_kb + nb * p->stride_nb) * p->elem;
        if (p->elem == 4 && p->src_elem == 2)
            pack_block_4_from_bf16(p, src, ldb, kb * p->bk, nb * p->bn, d);
        else if (p->elem == 4)
            pack_block_4(p, src, ldb, kb * p->bk, nb * p->bn, d);
        else
            pack_block_2x2(p, src, ldb, kb * p->bk, nb * p->bn, d);
    }
}
