/* B (K x N, row-major, any ldb) packed into the blocked layout oneDNN's matmul picks for its weights
 * when asked for format "any". oneDNN's brgemm matmul re-packs plain weights for every block of M
 * rows it computes (at N = 3072 fp32 that path ran 1.7-2x slower than on packed weights), so GEMMs
 * with one weight matrix pack it once and keep it while it is unchanged (cpu_weights_cache.h). */
#ifndef ACCEL_CPU_GEMM_PACK_H
#define ACCEL_CPU_GEMM_PACK_H

#include <oneapi/dnnl/dnnl.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cpu_weights_pack {
    size_t elem;                  /* bytes per packed element: 4 (f32) or 2 (bf16) */
    size_t src_elem;              /* bytes per element of B: elem, or 2 with elem 4 (bf16 widened) */
    int64_t k, n;                 /* logical K x N */
    int64_t k_blocks, n_blocks;   /* blocks over the padded dims */
    int64_t bk, bn;               /* a block is bk x bn elements */
    int64_t vnni;                 /* K rows interleaved innermost: 2 for bf16, 1 for f32 */
    int64_t stride_kb, stride_nb; /* elements between neighbouring blocks along K / N */
    size_t bytes;                 /* size of the packed weights */
} cpu_weights_pack;

/* Reads the weights layout oneDNN chose (md of a 2-D {K, N} operand). 1 when this packer writes it
 * (inner blocks K x N, or K x N x K-pairs for 2-byte types, nothing else); 0 otherwise. */
int cpu_weights_pack_describe(const dnnl_memory_desc_t *md, size_t elem, cpu_weights_pack *out);

/* The same layout filled from bf16 B, widened (exactly) to the f32 elements it describes. */
void cpu_weights_pack_widen_bf16(cpu_weights_pack *p);

/* dst (p->bytes, 64-byte aligned) <- src (K x N, row stride ldb elements); padding zeroed.
 * Spreads the blocks over the OpenMP threads. */
void cpu_weights_pack_run(const cpu_weights_pack *p, const void *src, int64_t ldb, void *dst);

#endif
