/* permute up to 6-D. Writes go in output order (contiguous); when the innermost dimension stays
 * innermost (BERT's QKV split) each output row is one memcpy. Otherwise the two innermost output
 * dimensions are walked in cache-sized tiles so the strided reads reuse their lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_internal.h"

typedef struct permute_plan {
    cpu_plan base;
    int nd;
    size_t elem;
    int64_t out_dims[ACCEL_PERMUTE_MAX_DIMS];
    int64_t in_stride[ACCEL_PERMUTE_MAX_DIMS]; /* input stride (elements) of output dimension d */
    int64_t total;
} permute_plan;

static void copy_elem(char *dst, const char *src, size_t elem) {
    switch (elem) {
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    default: memcpy(dst, src, elem); break;
    }
}

static accel_status permute_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    (void)ws;
    const permute_plan *p = (const permute_plan *)plan;
    const char *X = cpu_ref_ptr(ops[0]);
    char *Y = cpu_ref_ptr(ops[1]);
    const int nd = p->nd;
    const size_t elem = p->elem;
    const int64_t inner = p->out_dims[nd - 1];
    const int64_t inner_stride = p->in_stride[nd - 1];
    if (nd >= 2 && inner_stride != 1) {
        /* Tile the last two output dims: reads of a 32x32 tile touch 32 lines, each reused. */
        const int64_t rows2 = p->out_dims[nd - 2], s2 = p->in_stride[nd - 2];
        const int64_t outer = p->total / (rows2 * inner);
        const int64_t T = 32;
        const int64_t tiles_r = (rows2 + T - 1) / T, tiles_c = (inner + T - 1) / T;
#pragma omp parallel for schedule(static) collapse(2)
        for (int64_t o = 0; o < outer; o++)
            for (int64_t tile = 0; tile < tiles_r * tiles_c; tile++) {
                int64_t rem = o, in_base = 0;
                for (int d = nd - 3; d >= 0; d--) {
                    in_base += (rem % p->out_dims[d]) * p->in_stride[d];
                    rem /= p->out_dims[d];
                }
                const int64_t r0 = (tile / tiles_c) * T, c0 = (tile % tiles_c) * T;
                const int64_t r1 = r0 + T < rows2 ? r0 + T : rows2;
                const int64_t c1 = c0 + T < inner ? c0 + T : inner;
                for (int64_t r = r0; r < r1; r++) {
                    char *y = Y + ((o * rows2 + r) * inner) * (int64_t)elem;
                    const char *x = X + (in_base + r * s2) * (int64_t)elem;
                    for (int64_t c = c0; c < c1; c++)
                        copy_elem(y + c * (int64_t)elem, x + c * inner_stride * (int64_t)elem, elem);
                }
            }
        return ACCEL_OK;
    }
    const int64_t rows = p->total / inner;
#pragma omp parallel for schedule(static)
    for (int64_t row = 0; row < rows; row++) {
        int64_t rem = row, in_base = 0;
        for (int d = nd - 2; d >= 0; d--) {
            in_base += (rem % p->out_dims[d]) * p->in_stride[d];
            rem /= p->out_dims[d];
        }
        memcpy(Y + row * inner * (int64_t)elem, X + in_base * (int64_t)elem, (size_t)inner * elem);
    }
    return ACCEL_OK;
}

static void permute_destroy(cpu_plan *plan) { free(plan); }

accel_status cpu_permute_plan(cpu_context *ctx, const accel_permute_desc *d, cpu_plan **out,
                              accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    /* fp8 is defined as a GEMM input format only. */
    const size_t elem = accel_dtype_is_fp8(d->dtype) ? 0 : accel_dtype_bytes(d->dtype);
    if (!elem)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu permute: dtype %d not supported", (int)d->dtype);
    if (d->ndims < 1 || d->ndims > ACCEL_PERMUTE_MAX_DIMS)
        return host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "cpu permute: %d dims", d->ndims);
    permute_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->nd = d->ndims;
    p->elem = elem;
    p->total = accel_permute_walk(d, p->out_dims, p->in_stride);
    p->base.execute = permute_execute;
    p->base.destroy = permute_destroy;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "permute %s",
             p->in_stride[d->ndims - 1] == 1 ? "row memcpy" : "32x32 tiles");
    *out = &p->base;
    return ACCEL_OK;
}
