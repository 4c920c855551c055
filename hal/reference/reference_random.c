/* Deterministic test data and the normwise error measure. */
#include "accel/reference.h"

#include <math.h>

/* splitmix64 of (seed, index): element i does not depend on how the fill is chunked. */
static uint64_t splitmix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void accel_ref_fill_random(accel_dtype t, void *dst, int64_t count, uint64_t seed, double lo,
                           double hi) {
    uint64_t key = splitmix64(seed ^ 0x5851f42d4c957f2dull);
    for (int64_t i = 0; i < count; i++) {
        uint64_t r = splitmix64(key + (uint64_t)i * 0x9e3779b97f4a7c15ull);
        double u = (double)(r >> 11) * 0x1.0p-53; /* [0, 1) */
        double v = lo + u * (hi - lo);
        /* Round to what t holds, then keep it inside [lo, hi) (rounding can reach hi). */
        double stored = (double)accel_ref_round_to(t, (float)v);
        if (t == ACCEL_DTYPE_F64)
            stored = v;
        if (stored >= hi || stored < lo)
            stored = (double)accel_ref_round_to(t, (float)lo);
        accel_ref_store(t, dst, i, stored);
    }
}

double accel_ref_normwise_rel_err(accel_dtype t, const void *got, const double *ref, int64_t count) {
    double err2 = 0.0, ref2 = 0.0;
    for (int64_t i = 0; i < count; i++) {
        double g = accel_ref_load(t, got, i);
        double e = g - ref[i];
        err2 += e * e;
        ref2 += ref[i] * ref[i];
    }
    if (isnan(err2))
        return NAN;
    return ref2 > 0.0 ? sqrt(err2 / ref2) : sqrt(err2);
}
