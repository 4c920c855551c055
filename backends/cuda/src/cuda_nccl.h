/* NCCL for the cuda backend's collectives (cuda_comm.c): libnccl.so.2, dlopen()ed on first use and
 * never linked, through NCCL's C ABI (accel_common/ccl.h; no nccl.h needed to build).
 *
 * Looked for like the CUDA libraries (cuda_libsearch.h): $ACCEL_CUDA_LIB_DIRS, the toolkit's
 * lib64/lib (CUDA 13 toolkits can carry NCCL there), the nvidia-nccl-cu12/-cu13 wheels'
 * nvidia/nccl/lib, then the dynamic loader. NCCL's soname major (2) is its own, unrelated to the
 * CUDA major, so the search's CUDA-major filter does not apply; an NCCL built for a newer CUDA than
 * the driver runs fails at communicator creation with ncclUnhandledCudaError, and that message is
 * what the user sees. */
#ifndef ACCEL_CUDA_NCCL_H
#define ACCEL_CUDA_NCCL_H

#include <stddef.h>

#include "accel_common/ccl.h"
#include "cuda_libsearch.h"

/* 0 on success (nccl->name is "NCCL"); else err says why, naming the places searched and every
 * file refused with its reason. */
int accel_cuda_nccl_load(accel_ccl *nccl, accel_cuda_search *search, char *err, size_t err_len);

#endif
