/* A GEMM plan's weights kept packed between runs (cpu_gemm_pack.h).
 *
 * Without the constant hint, the packed copy is re-used only while B holds the same bytes: every
 * run hashes B and compares pointer and hash with those it packed from, so a write through any path
 * (transfers, ops, kernels, the host pointer of a unified-memory buffer) is seen. B is packed on the
 * second run that finds it unchanged; weights that change at every run (training) run on the plain
 * layout and cost only the hash.
 *
 * With the constant hint (accel_gemm_desc.b_constant, ABI 1.4) the caller promises B does not
 * change while the same buffer is bound at the same offset: B is packed at the first run of a
 * binding and the copy is used for as long as that binding lasts, without reading B again. A
 * binding is the buffer's allocation serial (cpu_buffer.serial, never reused, unlike an address)
 * and B's address in it. */
#ifndef ACCEL_CPU_WEIGHTS_CACHE_H
#define ACCEL_CPU_WEIGHTS_CACHE_H

#include "cpu_gemm_pack.h"

typedef struct cpu_weights_cache {
    cpu_weights_pack layout;
    int constant; /* the b_constant hint: keyed on the binding alone */
    void *packed; /* layout.bytes, owned; allocated at the first pack */
    int valid;    /* packed holds B as it was at (src, serial) or (src, hash) */
    const void *src;
    uint64_t serial; /* constant: the bound buffer's allocation serial */
    uint64_t hash;   /* otherwise: B's hash when packed */
    int seen; /* the last run that could not use packed saw (seen_src, seen_hash) */
    const void *seen_src;
    uint64_t seen_hash;
} cpu_weights_cache;

void cpu_weights_cache_init(cpu_weights_cache *c, const cpu_weights_pack *layout, int constant);
void cpu_weights_cache_destroy(cpu_weights_cache *c);

/* The packed weights to run on for B (K x N, row stride ldb) bound from the buffer with allocation
 * serial `serial`, packing them first when the cache decides to; NULL: run on B as it is. */
const void *cpu_weights_cache_get(cpu_weights_cache *c, const void *b, uint64_t serial, int64_t ldb);

/* 64-bit hash of the K x N elements of B (row padding excluded); large B is hashed in row blocks
 * spread over the OpenMP threads, the blocks' hashes combined in order. */
uint64_t cpu_weights_hash(const void *b, int64_t k, int64_t n, int64_t ldb, size_t elem);

#endif
