/* cuDNN 9 for conv backward (cuda_conv_cudnn.c), dlopen()ed on the first plan that wants it and
 * found like cuBLASLt (cuda_libsearch.h: $ACCEL_CUDA_LIB_DIRS, the toolkit's lib64, the
 * nvidia-cudnn-cu12/-cu13 wheels' nvidia/cudnn/lib, the loader). libcudnn.so.9 is the small
 * dispatch library; it opens its sublibraries (libcudnn_cnn.so.9 ...) from its own folder when a
 * handle is made. Its soname major is cuDNN's own; the CUDA major it was built for
 * (cudnnGetCudartVersion) must be one the driver runs, else it is refused with both versions. */
#ifndef ACCEL_CUDA_CUDNN_LIB_H
#define ACCEL_CUDA_CUDNN_LIB_H

#include <stddef.h>

#include "cuda_cudnn_abi.h"
#include "cuda_libsearch.h"

typedef struct accel_cuda_cudnn_lib {
    void *lib;
    char path[512];      /* the file opened */
    size_t version;      /* cudnnGetVersion(): 91300 = 9.13.0 */
    size_t cudart;       /* cudnnGetCudartVersion(): 13000 = built for CUDA 13.0 */
    int driver_major;
    accel_cuda_cudnn_table fn;
} accel_cuda_cudnn_lib;

/* 0 on success; else err says why, naming the places searched and every file refused. */
int accel_cuda_cudnn_load(accel_cuda_cudnn_lib *dnn, accel_cuda_search *search, char *err, size_t err_len);

/* "CUDNN_STATUS_NOT_SUPPORTED" from the library itself, or "CUDNN_STATUS_<code>" without one. */
const char *accel_cuda_cudnn_status_name(const accel_cuda_cudnn_table *fn, accel_cudnn_status s);

#endif
