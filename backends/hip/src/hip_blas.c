/* dlopen of hipBLASLt and rocBLAS (hip_blas.h). */
/* RTLD_NODELETE: the HIP runtime starts threads of its own (and the libraries above it register
 * exit handlers), so unmapping any of them at dlclose could pull code from under a live thread. */
#define _GNU_SOURCE
#include "hip_blas.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static const char *const rocblas_names[] = {"librocblas.so.4", "librocblas.so.3"};
static const char *const blaslt_names[] = {"libhipblaslt.so.1", "libhipblaslt.so.0"};

static void open_blaslt(hip_blas *blas, int debug) {
    hip_blaslt *l = &blas->blaslt;
    snprintf(blas->blaslt_reason, sizeof blas->blaslt_reason,
             "libhipblaslt.so.1/.so.0 not found (install hipblaslt)");
    for (size_t i = 0; i < sizeof blaslt_names / sizeof blaslt_names[0] && !l->lib; ++i) {
        l->lib = dlopen(blaslt_names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (l->lib) {
            snprintf(l->lib_name, sizeof l->lib_name, "%s", blaslt_names[i]);
        } else if (debug) {
            const char *e = dlerror();
            fprintf(stderr, "accel hip: dlopen %s: %s\n", blaslt_names[i], e ? e : "?");
        }
    }
    if (!l->lib)
        return;
    const char *missing = NULL;
#define ACCEL_BLASLT_RESOLVE(ret, name, params)                                                    \
    {                                                                                              \
        void *sym = dlsym(l->lib, #name);                                                          \
        memcpy(&l->name, &sym, sizeof l->name);                                                    \
        if (!sym && !missing)                                                                      \
            missing = #name;                                                                       \
    }
    ACCEL_HIPBLASLT_SYMBOLS(ACCEL_BLASLT_RESOLVE)
#undef ACCEL_BLASLT_RESOLVE
    if (missing) {
        snprintf(blas->blaslt_reason, sizeof blas->blaslt_reason, "%s lacks %s", l->lib_name, missing);
        dlclose(l->lib);
        memset(l, 0, sizeof *l);
    }
}

void hip_blas_open(hip_blas *blas, int debug) {
    memset(blas, 0, sizeof *blas);
    open_blaslt(blas, debug);
    hip_rocblas *r = &blas->rocblas;
    const char *first_error = NULL;
    for (size_t i = 0; i < sizeof rocblas_names / sizeof rocblas_names[0] && !r->lib; ++i) {
        r->lib = dlopen(rocblas_names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (r->lib) {
            snprintf(r->lib_name, sizeof r->lib_name, "%s", rocblas_names[i]);
        } else {
            const char *e = dlerror();
            if (debug)
                fprintf(stderr, "accel hip: dlopen %s: %s\n", rocblas_names[i], e ? e : "?");
            if (!first_error)
                snprintf(blas->reason, sizeof blas->reason, "%s (install rocblas)", e ? e : "");
            first_error = blas->reason;
        }
    }
    if (!r->lib)
        return;
    const char *missing = NULL;
#define ACCEL_ROCBLAS_RESOLVE(ret, name, params)                                                   \
    {                                                                                              \
        void *sym = dlsym(r->lib, #name);                                                          \
        memcpy(&r->name, &sym, sizeof r->name);                                                    \
        if (!sym && !missing)                                                                      \
            missing = #name;                                                                       \
    }
    ACCEL_ROCBLAS_SYMBOLS(ACCEL_ROCBLAS_RESOLVE)
#undef ACCEL_ROCBLAS_RESOLVE
    if (missing) {
        snprintf(blas->reason, sizeof blas->reason, "%s lacks %s", r->lib_name, missing);
        dlclose(r->lib);
        memset(r, 0, sizeof *r);
    }
}

void hip_blas_close(hip_blas *blas) {
    if (blas->blaslt.lib)
        dlclose(blas->blaslt.lib);
    if (blas->rocblas.lib)
        dlclose(blas->rocblas.lib);
    memset(blas, 0, sizeof *blas);
}

const char *hip_rocblas_status_name(const hip_rocblas *r, int status) {
    const char *s = r->rocblas_status_to_string ? r->rocblas_status_to_string(status) : NULL;
    return s ? s : "rocblas_status";
}
