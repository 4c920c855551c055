/* Packed GEMM weights re-used while B's bytes stay the same (see cpu_weights_cache.h). */
#include "cpu_weights_cache.h"

#include <string.h>

#include "cpu_internal.h"

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static uint64_t round64(uint64_t acc, uint64_t w) { return rotl(acc + w * P2, 31) * P1; }

/* Four independent lanes so the multiplies overlap; memcpy loads: rows need not be 8-aligned. */
static void hash_bytes(uint64_t lane[4], const unsigned char *p, size_t bytes) {
    size_t i = 0;
    for (; i + 32 <= bytes; i += 32) {
        uint64_t w[4];
        memcpy(w, p + i, 32);
        lane[0] = round64(lane[0], w[0]);
        lane[1] = round64(lane[1], w[1]);
        lane[2] = round64(lane[2], w[2]);
        lane[3] = round64(lane[3], w[3]);
    }
    for (; i < bytes; i++) lane[i % 4] = round64(lane[i % 4], p[i]);
}

uint64_t cpu_weights_hash(const void *b, int64_t k, int64_t n, int64_t ldb, size_t elem) {
    uint64_t lane[4] = {P1 + P2, P2, 0, (uint64_t)0 - P1};
    const size_t row = (size_t)n * elem;
    if ((size_t)ldb * elem == row) {
        hash_bytes(lane, b, row * (size_t)k);
    } else {
        for (int64_t i = 0; i < k; i++)
            hash_bytes(lane, (const unsigned char *)b + (size_t)i * (size_t)ldb * elem, row);
    }
    uint64_t h = rotl(lane[0], 1) + rotl(lane[1], 7) + rotl(lane[2], 12) + rotl(lane[3], 18);
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    return h;
}

void cpu_weights_cache_init(cpu_weights_cache *c, const cpu_weights_pack *layout) {
    memset(c, 0, sizeof *c);
    c->layout = *layout;
}

void cpu_weights_cache_destroy(cpu_weights_cache *c) {
    cpu_aligned_free(c->packed);
    c->packed = NULL;
    c->valid = 0;
}

const void *cpu_weights_cache_get(cpu_weights_cache *c, const void *b, int64_t ldb) {
    const cpu_weights_pack *l = &c->layout;
    const uint64_t h = cpu_weights_hash(b, l->k, l->n, ldb, l->elem);
    if (c->valid && c->src == b && c->hash == h) return c->packed;
    if (c->seen && c->seen_src == b && c->seen_hash == h) {
        /* Allocated at the first pack, so plans whose weights always change never hold a copy;
         * without the memory the run stays on the plain layout. */
        if (!c->packed && !(c->packed = cpu_aligned_alloc(l->bytes))) return NULL;
        cpu_weights_pack_run(l, b, ldb, c->packed);
        c->valid = 1;
        c->src = b;
        c->hash = h;
        c->seen = 0;
        return c->packed;
    }
    c->seen = 1;
    c->seen_src = b;
    c->seen_hash = h;
    return NULL;
}
