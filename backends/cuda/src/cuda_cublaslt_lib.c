#include "cuda_cublaslt_lib.h"

#include <stdio.h>
#include <string.h>

#include "accel_common/dl.h"

#define LT_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_cuda_cublaslt_table, ret, name, params)
static const accel_dl_symbol cublaslt_symbols[] = {ACCEL_CUDA_CUBLASLT_REQUIRED(LT_SYM)};
static const accel_dl_tier cublaslt_tier = ACCEL_DL_TIER(cublaslt_symbols);

/* Usable when every entry point resolves and its own major (not just the soname's) is one the
 * driver runs: cuBLASLt M.x needs an M.0 driver. */
static int accept_cublaslt(void *lib, void *user, char *why, size_t why_len) {
    accel_cuda_cublaslt_lib *lt = user;
    char missing[96];
    if (accel_dl_resolve(lib, &cublaslt_tier, &lt->fn, missing, sizeof missing)) {
        snprintf(why, why_len, "lacks %s", missing);
        return -1;
    }
    const size_t v = lt->fn.cublasLtGetVersion();
    if ((int)(v / 10000) > lt->driver_major) {
        snprintf(why, why_len, "cuBLASLt %zu.%zu.%zu, the driver runs CUDA %d", v / 10000, (v / 100) % 100, v % 100,
                 lt->driver_major);
        return -1;
    }
    lt->version = v;
    return 0;
}

int accel_cuda_cublaslt_load(accel_cuda_cublaslt_lib *lt, accel_cuda_search *search, char *err, size_t err_len) {
    static const int majors[] = {13, 12};
    memset(lt, 0, sizeof *lt);
    lt->driver_major = search->driver_major;
    lt->lib = accel_cuda_search_open(search, "libcublasLt.so", majors, 2, accept_cublaslt, lt, lt->path,
                                     sizeof lt->path);
    if (!lt->lib) {
        snprintf(err, err_len, "no libcublasLt.so.%d or .%d the driver can run (searched %s)", majors[0], majors[1],
                 search->searched);
        memset(&lt->fn, 0, sizeof lt->fn);
        return -1;
    }
    return 0;
}
