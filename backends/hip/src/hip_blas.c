/* Loading hipBLASLt and rocBLAS (hip_blas.h) through accel_common/dl.h. NODELETE: the HIP runtime
 * starts threads of its own (and the libraries above it register exit handlers), so unmapping any
 * of them at dlclose could pull code from under a live thread. */
#include "hip_blas.h"

#include <stdio.h>
#include <string.h>

#define ROCBLAS_SYM(ret, name, params) ACCEL_DL_SYMBOL(hip_rocblas, ret, name, params)
#define BLASLT_SYM(ret, name, params) ACCEL_DL_SYMBOL(hip_blaslt, ret, name, params)
static const accel_dl_symbol rocblas_symbols[] = {ACCEL_ROCBLAS_SYMBOLS(ROCBLAS_SYM)};
static const accel_dl_symbol blaslt_symbols[] = {ACCEL_HIPBLASLT_SYMBOLS(BLASLT_SYM)};
static const char *const rocblas_names[] = {"librocblas.so.4", "librocblas.so.3", NULL};
static const char *const blaslt_names[] = {"libhipblaslt.so.1", "libhipblaslt.so.0", NULL};
static const accel_dl_library rocblas_library = {rocblas_names, NULL, ACCEL_DL_NODELETE, {0},
                                                 ACCEL_DL_TIER(rocblas_symbols), {0}};
static const accel_dl_library blaslt_library = {blaslt_names, NULL, ACCEL_DL_NODELETE, {0},
                                                ACCEL_DL_TIER(blaslt_symbols), {0}};

static void open_blaslt(hip_blas *blas, const accel_dl_log *log) {
    hip_blaslt *l = &blas->blaslt;
    accel_dl_handle h;
    switch (accel_dl_load(log, &blaslt_library, l, &h)) {
    case ACCEL_DL_LOADED:
        l->lib = h.lib;
        snprintf(l->lib_name, sizeof l->lib_name, "%s", h.name);
        return;
    case ACCEL_DL_NOT_FOUND:
        snprintf(blas->blaslt_reason, sizeof blas->blaslt_reason,
                 "libhipblaslt.so.1/.so.0 not found (install hipblaslt)");
        return;
    default:
        snprintf(blas->blaslt_reason, sizeof blas->blaslt_reason, "%s lacks %s", h.name, h.missing);
        return;
    }
}

void hip_blas_open(hip_blas *blas, const accel_dl_log *log) {
    memset(blas, 0, sizeof *blas);
    open_blaslt(blas, log);
    hip_rocblas *r = &blas->rocblas;
    accel_dl_handle h;
    switch (accel_dl_load(log, &rocblas_library, r, &h)) {
    case ACCEL_DL_LOADED:
        r->lib = h.lib;
        snprintf(r->lib_name, sizeof r->lib_name, "%s", h.name);
        return;
    case ACCEL_DL_NOT_FOUND:
        snprintf(blas->reason, sizeof blas->reason, "%.200s (install rocblas)", h.why);
        return;
    default:
        snprintf(blas->reason, sizeof blas->reason, "%s lacks %s", h.name, h.missing);
        return;
    }
}

void hip_blas_close(hip_blas *blas) {
    accel_dl_close(blas->blaslt.lib);
    accel_dl_close(blas->rocblas.lib);
    memset(blas, 0, sizeof *blas);
}

const char *hip_rocblas_status_name(const hip_rocblas *r, int status) {
    const char *s = r->rocblas_status_to_string ? r->rocblas_status_to_string(status) : NULL;
    return s ? s : "rocblas_status";
}
