/* cuBLASLt, dlopen()ed: the newest copy the driver can run (see cuda_libsearch.h). */
#ifndef ACCEL_CUDA_CUBLASLT_LIB_H
#define ACCEL_CUDA_CUBLASLT_LIB_H

#include <stddef.h>

#include "cuda_libsearch.h"
#include "cuda_symbols.h"

typedef struct accel_cuda_cublaslt_lib {
    void *lib;
    char path[512];  /* the file opened */
    size_t version;  /* cublasLtGetVersion(): 120405 = 12.4.5 */
    int driver_major;
    accel_cuda_cublaslt_table fn;
} accel_cuda_cublaslt_lib;

/* 0 on success; else err says why and search->refused names every file refused. */
int accel_cuda_cublaslt_load(accel_cuda_cublaslt_lib *lt, accel_cuda_search *search, char *err, size_t err_len);

#endif
