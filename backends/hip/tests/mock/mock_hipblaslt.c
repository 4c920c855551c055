/* A stand-in libhipblaslt.so.1 recording descriptors, layouts and the last hipblasLtMatmul call.
 * With MOCK_BLASLT_ROCM60=1 it takes only ROCm 6.0's compute-type values (300/301), like that
 * release did, to exercise the plugin's second try. The heuristic asks for 1024 workspace bytes. */
#include "mock_hip.h"

#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef struct desc {
    int compute, scale_type;
    int32_t trans_a, trans_b, bias_type;
    uint32_t epilogue;
    const void *bias;
} desc;

static mock_blaslt_matmul last;

EXPORT const mock_blaslt_matmul *mock_blaslt_last_matmul(void) { return &last; }

EXPORT int hipblasLtCreate(void **h) { *h = malloc(1); return 0; }
EXPORT int hipblasLtDestroy(void *h) { free(h); return 0; }

EXPORT int hipblasLtMatmulDescCreate(void **out, int compute, int scale_type) {
    const char *old = getenv("MOCK_BLASLT_ROCM60");
    int rocm60 = old && old[0] == '1';
    int known = rocm60 ? (compute == 300 || compute == 301) : (compute == 2 || compute == 6);
    if (!known)
        return 3; /* HIPBLAS_STATUS_INVALID_VALUE */
    desc *d = calloc(1, sizeof *d);
    d->compute = compute;
    d->scale_type = scale_type;
    d->epilogue = 1;
    *out = d;
    return 0;
}
EXPORT int hipblasLtMatmulDescDestroy(void *d) { free(d); return 0; }
EXPORT int hipblasLtMatmulDescSetAttribute(void *p, int attr, const void *buf, size_t size) {
    desc *d = p;
    switch (attr) {
    case 0: if (size != 4) return 3; memcpy(&d->trans_a, buf, 4); return 0;
    case 1: if (size != 4) return 3; memcpy(&d->trans_b, buf, 4); return 0;
    case 2: if (size != 4) return 3; memcpy(&d->epilogue, buf, 4); return 0;
    case 3: if (size != sizeof(void *)) return 3; memcpy(&d->bias, buf, size); return 0;
    case 4: if (size != 4) return 3; memcpy(&d->bias_type, buf, 4); return 0;
    default: return 3;
    }
}
EXPORT int hipblasLtMatrixLayoutCreate(void **out, int type, uint64_t rows, uint64_t cols, int64_t ld) {
    mock_blaslt_layout *l = calloc(1, sizeof *l);
    l->type = type;
    l->rows = rows;
    l->cols = cols;
    l->ld = ld;
    l->batch = 1;
    *out = l;
    return 0;
}
EXPORT int hipblasLtMatrixLayoutDestroy(void *l) { free(l); return 0; }
EXPORT int hipblasLtMatrixLayoutSetAttribute(void *p, int attr, const void *buf, size_t size) {
    mock_blaslt_layout *l = p;
    if (attr == 0 && size == 4) { memcpy(&l->batch, buf, 4); return 0; }
    if (attr == 1 && size == 8) { memcpy(&l->stride, buf, 8); return 0; }
    return 3;
}
EXPORT int hipblasLtMatmulPreferenceCreate(void **p) { *p = calloc(1, 8); return 0; }
EXPORT int hipblasLtMatmulPreferenceDestroy(void *p) { free(p); return 0; }
EXPORT int hipblasLtMatmulPreferenceSetAttribute(void *p, int attr, const void *buf, size_t size) {
    if (attr != 1 || size != 8) return 3;
    memcpy(p, buf, 8);
    return 0;
}

typedef struct heuristic {
    uint8_t algo[16];
    size_t max_workspace;
    size_t workspace_size;
    int state;
    float waves;
    int reserved[4];
} heuristic;

EXPORT int hipblasLtMatmulAlgoGetHeuristic(void *h, void *d, void *a, void *b, void *c, void *dd,
                                           void *pref, int requested, heuristic *results, int *returned) {
    (void)h; (void)d; (void)a; (void)b; (void)c; (void)dd;
    uint64_t max_ws;
    memcpy(&max_ws, pref, 8);
    if (requested < 1 || max_ws < 1024) {
        *returned = 0;
        return 0;
    }
    memset(&results[0], 0, sizeof results[0]);
    results[0].algo[0] = 0x5a;
    results[0].workspace_size = 1024;
    *returned = 1;
    return 0;
}

EXPORT int hipblasLtMatmul(void *h, void *dp, const void *alpha, const void *a, void *la,
                           const void *b, void *lb, const void *beta, const void *c, void *lc,
                           void *d, void *ld, const heuristic *algo, void *ws, size_t ws_size,
                           hipStream_t s) {
    (void)h; (void)s;
    if (!algo || algo->algo[0] != 0x5a)
        return 3;
    const desc *de = dp;
    last.compute = de->compute;
    last.scale_type = de->scale_type;
    last.trans_a = de->trans_a;
    last.trans_b = de->trans_b;
    last.epilogue = de->epilogue;
    last.bias = de->bias;
    last.bias_type = de->bias_type;
    last.a = *(const mock_blaslt_layout *)la;
    last.b = *(const mock_blaslt_layout *)lb;
    last.c = *(const mock_blaslt_layout *)lc;
    last.d = *(const mock_blaslt_layout *)ld;
    last.pa = a;
    last.pb = b;
    last.pc = c;
    last.pd = d;
    last.alpha = *(const float *)alpha;
    last.beta = *(const float *)beta;
    last.workspace = ws;
    last.workspace_size = ws_size;
    ++last.count;
    return 0;
}
