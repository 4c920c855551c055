/* A GEMM plan's weights kept packed between runs (cpu_gemm_pack.h) and re-used only while B holds
 * the same bytes: every run hashes B (one pass, one thread: no barrier) and compares pointer and
 * hash with those it packed from, so a write through any path (transfers, ops, kernels, the host
 * pointer of a unified-memory buffer) is seen. B is packed on the second run that finds it
 * unchanged; weights that change at every run (training, --cold buffer rotation) run on the plain
 * layout and cost only the hash. */
#ifndef ACCEL_CPU_WEIGHTS_CACHE_H
#define ACCEL_CPU_WEIGHTS_CACHE_H

#include "cpu_gemm_pack.h"

typedef struct cpu_weights_cache {
    cpu_weights_pack layout;
    void *packed; /* layout.bytes, owned; allocated at the first pack */
    int valid;    /* packed holds B as it was at (src, hash) */
    const void *src;
    uint64_t hash;
    int seen; /* the last run that could not use packed saw (seen_src, seen_hash) */
    const void *seen_src;
    uint64_t seen_hash;
} cpu_weights_cache;

void cpu_weights_cache_init(cpu_weights_cache *c, const cpu_weights_pack *layout);
void cpu_weights_cache_destroy(cpu_weights_cache *c);

/* The packed weights to run on for B (K x N, row stride ldb), packing them first when this is the
 * second run in a row to see these bytes; NULL: run on B as it is. */
const void *cpu_weights_cache_get(cpu_weights_cache *c, const void *b, int64_t ldb);

/* 64-bit hash of the K x N elements of B (row padding excluded). */
uint64_t cpu_weights_hash(const void *b, int64_t k, int64_t n, int64_t ldb, size_t elem);

#endif
