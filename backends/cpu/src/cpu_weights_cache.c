/* Packed GEMM weights re-used while B's bytes stay the same, or for as long as B's binding lasts
 * under the constant hint (see cpu_weights_cache.h). */
#include "cpu_weights_cache.h"

#include <string.h>

#include "cpu_internal.h"

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full

/* Row blocks of at least this many bytes are hashed in parallel; at most HASH_BLOCKS of them, so
 * the block boundaries (and with them the hash) do not depend on the thread count. */
#define HASH_BLOCK_MIN_BYTES (256u * 1024u)
#define HASH_BLOCKS 64

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

/* Rows [r0, r1) of B. */
static uint64_t hash_rows(const unsigned char *b, int64_t r0, int64_t r1, size_t row, size_t pitch) {
    uint64_t lane[4] = {P1 + P2, P2, 0, (uint64_t)0 - P1};
    if (pitch == row) {
        hash_bytes(lane, b + (size_t)r0 * pitch, row * (size_t)(r1 - r0));
    } else {
        for (int64_t i = r0; i < r1; i++) hash_bytes(lane, b + (size_t)i * pitch, row);
    }
    uint64_t h = rotl(lane[0], 1) + rotl(lane[1], 7) + rotl(lane[2], 12) + rotl(lane[3], 18);
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    return h;
}

uint64_t cpu_weights_hash(const void *b, int64_t k, int64_t n, int64_t ldb, size_t elem) {
    const size_t row = (size_t)n * elem, pitch = (size_t)ldb * elem;
    const size_t total = row * (size_t)k;
    int64_t blocks = (int64_t)(total / HASH_BLOCK_MIN_BYTES);
    if (blocks > HASH_BLOCKS) blocks = HASH_BLOCKS;
    if (blocks > k) blocks = k;
    if (blocks < 2) return hash_rows(b, 0, k, row, pitch);
    const int64_t rows_per = (k + blocks - 1) / blocks;
    uint64_t part[HASH_BLOCKS];
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < blocks; i++) {
        const int64_t r0 = i * rows_per, r1 = r0 + rows_per < k ? r0 + rows_per : k;
        part[i] = r0 < r1 ? hash_rows(b, r0, r1, row, pitch) : 0;
    }
    uint64_t h = P1 ^ (uint64_t)blocks;
    for (int64_t i = 0; i < blocks; i++) h = round64(h, part[i]);
    return h ^ (h >> 31);
}

void cpu_weights_cache_init(cpu_weights_cache *c, const cpu_weights_pack *layout, int constant) {
    memset(c, 0, sizeof *c);
    c->layout = *layout;
    c->constant = constant != 0;
}

void cpu_weights_cache_destroy(cpu_weights_cache *c) {
    cpu_aligned_free(c->packed);
    c->packed = NULL;
    c->valid = 0;
}

/* packed <- B; NULL (run on B as it is) without the memory. Allocated at the first pack, so plans
 * whose weights always change never hold a copy. */
static const void *pack(cpu_weights_cache *c, const void *b, int64_t ldb) {
    c->valid = 0;
    if (!c->packed && !(c->packed = cpu_aligned_alloc(c->layout.bytes))) return NULL;
    cpu_weights_pack_run(&c->layout, b, ldb, c->packed);
    c->valid = 1;
    c->src = b;
    return c->packed;
}

const void *cpu_weights_cache_get(cpu_weights_cache *c, const void *b, uint64_t serial, int64_t ldb) {
    if (c->constant) {
        if (c->valid && c->src == b && c->serial == serial) return c->packed;
        c->serial = serial;
        return pack(c, b, ldb);
    }
    const cpu_weights_pack *l = &c->layout;
    const uint64_t h = cpu_weights_hash(b, l->k, l->n, ldb, l->src_elem);
    if (c->valid && c->src == b && c->hash == h) return c->packed;
    if (c->seen && c->seen_src == b && c->seen_hash == h) {
        c->seen = 0;
        c->hash = h;
        return pack(c, b, ldb);
    }
    c->seen = 1;
    c->seen_src = b;
    c->seen_hash = h;
    return NULL;
}
