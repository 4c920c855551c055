#include "cuda_cudnn_lib.h"

#include <stdio.h>
#include <string.h>

#define DNN_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_cuda_cudnn_table, ret, name, params)
static const accel_dl_symbol cudnn_bootstrap[] = {ACCEL_CUDA_CUDNN_BOOTSTRAP(DNN_SYM)};
static const accel_dl_symbol cudnn_required[] = {ACCEL_CUDA_CUDNN_REQUIRED(DNN_SYM)};
static const accel_dl_tier bootstrap_tier = ACCEL_DL_TIER(cudnn_bootstrap);
static const accel_dl_tier required_tier = ACCEL_DL_TIER(cudnn_required);

#define CUDNN_MAJOR_WANTED 9

static int accept_cudnn(void *lib, void *user, char *why, size_t why_len) {
    accel_cuda_cudnn_lib *dnn = user;
    char missing[96];
    if (accel_dl_resolve(lib, &bootstrap_tier, &dnn->fn, missing, sizeof missing)) {
        snprintf(why, why_len, "lacks %s: not cuDNN", missing);
        return -1;
    }
    const size_t v = dnn->fn.cudnnGetVersion(), rt = dnn->fn.cudnnGetCudartVersion();
    if (v / 10000 != CUDNN_MAJOR_WANTED) {
        snprintf(why, why_len, "cuDNN %zu.%zu.%zu, the backend speaks cuDNN %d", v / 10000, (v / 100) % 100, v % 100,
                 CUDNN_MAJOR_WANTED);
        return -1;
    }
    if ((int)(rt / 1000) > dnn->driver_major) {
        snprintf(why, why_len, "cuDNN %zu.%zu.%zu built for CUDA %zu.%zu, the driver runs CUDA %d", v / 10000,
                 (v / 100) % 100, v % 100, rt / 1000, (rt % 1000) / 10, dnn->driver_major);
        return -1;
    }
    if (accel_dl_resolve(lib, &required_tier, &dnn->fn, missing, sizeof missing)) {
        snprintf(why, why_len, "lacks %s", missing);
        return -1;
    }
    dnn->version = v;
    dnn->cudart = rt;
    return 0;
}

int accel_cuda_cudnn_load(accel_cuda_cudnn_lib *dnn, accel_cuda_search *search, char *err, size_t err_len) {
    static const int majors[] = {CUDNN_MAJOR_WANTED};
    memset(dnn, 0, sizeof *dnn);
    dnn->driver_major = search->driver_major;
    dnn->lib = accel_cuda_search_open(search, "libcudnn.so", majors, 1, accept_cudnn, dnn, dnn->path, sizeof dnn->path);
    if (!dnn->lib) {
        snprintf(err, err_len, "no usable libcudnn.so.%d (searched %s)%s%s", CUDNN_MAJOR_WANTED, search->searched,
                 search->refused[0] ? "; refused: " : "", search->refused);
        memset(&dnn->fn, 0, sizeof dnn->fn);
        return -1;
    }
    return 0;
}

const char *accel_cuda_cudnn_status_name(const accel_cuda_cudnn_table *fn, accel_cudnn_status s) {
    const char *name = fn && fn->cudnnGetErrorString ? fn->cudnnGetErrorString(s) : NULL;
    return name && name[0] ? name : "CUDNN_STATUS_UNKNOWN";
}
