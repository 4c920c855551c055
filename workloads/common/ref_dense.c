/* fp64 helpers for whole-layer references (the GEMM is in ref_dgemm.c). */
#include "wl_common.h"

#include <stdlib.h>
#include <string.h>

double *wl_to_double(accel_dtype t, const void *src, int64_t count) {
    double *d = malloc((size_t)(count > 0 ? count : 1) * sizeof *d);
    if (!d)
        return NULL;
    for (int64_t i = 0; i < count; i++)
        d[i] = accel_ref_load(t, src, i);
    return d;
}
