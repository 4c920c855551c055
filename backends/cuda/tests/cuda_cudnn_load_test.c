/* cuDNN's loader (src/cuda_cudnn_lib.c) against the toolkit's real libcudnn.so.9, with or without
 * a GPU: the library is found, accepted (every entry point src/cuda_cudnn_abi.h declares resolves)
 * and reports its version and the CUDA it was built for; a handle is either made (a GPU and its
 * driver are present) or refused with cuDNN's own status string and code, never a crash.
 * Exit 77 (skipped) when the toolkit has no libcudnn.so.9. */
#include <stdio.h>
#include <string.h>

#include "cuda_cudnn_lib.h"

int main(void) {
    accel_cuda_search search;
    accel_cuda_search_init(&search, 1000 * 1000);
    accel_cuda_cudnn_lib dnn;
    char err[2048];
    const int rc = accel_cuda_cudnn_load(&dnn, &search, err, sizeof err);
    accel_cuda_search_free(&search);
    if (rc != 0) {
        if (!strstr(err, "refused")) {
            printf("skipped: %s\n", err);
            return 77;
        }
        printf("FAIL: %s\n", err);
        return 1;
    }
    const size_t v = dnn.version;
    printf("cuDNN %zu.%zu.%zu built for CUDA %zu.%zu (%s)\n", v / 10000, (v / 100) % 100, v % 100, dnn.cudart / 1000,
           (dnn.cudart % 1000) / 10, dnn.path);
    int failures = 0;
    if (v / 10000 != 9 || dnn.cudart < 11000) {
        printf("FAIL: version %zu / CUDA %zu out of range\n", v, dnn.cudart);
        ++failures;
    }
    const char *name = accel_cuda_cudnn_status_name(&dnn.fn, ACCEL_CUDNN_STATUS_NOT_SUPPORTED);
    if (strcmp(name, "CUDNN_STATUS_NOT_SUPPORTED") != 0) {
        printf("FAIL: cudnnGetErrorString(3000) = '%s'\n", name);
        ++failures;
    }
    accel_cudnn_handle h = NULL;
    const accel_cudnn_status s = dnn.fn.cudnnCreate(&h);
    if (s == ACCEL_CUDNN_STATUS_SUCCESS) {
        printf("handle created (a GPU is present)\n");
        dnn.fn.cudnnDestroy(h);
    } else {
        name = accel_cuda_cudnn_status_name(&dnn.fn, s);
        printf("handle refused: cudnnCreate: %s (%d)\n", name, (int)s);
        if (strncmp(name, "CUDNN_STATUS_", 13) != 0) {
            printf("FAIL: cuDNN did not name its status\n");
            ++failures;
        }
    }
    return failures ? 1 : 0;
}
