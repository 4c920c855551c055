/* NCCL, dlopen()ed on first use (never linked): the collective library behind the cuda backend's
 * comm_* slots (accel/comm.h).
 *
 * libnccl.so.2 is looked for like the CUDA libraries (cuda_libsearch.h): $ACCEL_CUDA_LIB_DIRS, the
 * toolkit's lib64/lib (CUDA 13 toolkits ship NCCL there), the nvidia-nccl-cu12/-cu13 wheels'
 * nvidia/nccl/lib, then the dynamic loader. NCCL carries its own version (2.x), unrelated to the
 * CUDA major, so the CUDA-major filter of the search does not apply to it; an NCCL built for a
 * newer CUDA than the driver runs fails at communicator creation with ncclUnhandledCudaError, and
 * that message is what the user sees.
 *
 * Symbols: every entry point below must resolve. 2.10 is the oldest release accepted, because AVG
 * reductions (ncclAvg) arrived in it; ncclSend/ncclRecv (2.7), ncclCommGetAsyncError (2.4) and
 * ncclBroadcast are older. Alltoall is run as grouped ncclSend/ncclRecv (as nccl-tests does), so
 * ncclAlltoAll (2.28) is not needed.
 *
 * Part of accel_cuda_common: no libaccel, no plugin state. */
#ifndef ACCEL_CUDA_NCCL_H
#define ACCEL_CUDA_NCCL_H

#include <stddef.h>

#include <nccl.h>

#include "accel/plugin.h"
#include "cuda_libsearch.h"

#define ACCEL_CUDA_NCCL_BOOTSTRAP(X)                                                             \
    X(ncclResult_t, ncclGetVersion, (int *))                                                     \
    X(const char *, ncclGetErrorString, (ncclResult_t))

#define ACCEL_CUDA_NCCL_REQUIRED(X)                                                              \
    X(ncclResult_t, ncclGetUniqueId, (ncclUniqueId *))                                           \
    X(ncclResult_t, ncclCommInitRank, (ncclComm_t *, int, ncclUniqueId, int))                    \
    X(ncclResult_t, ncclCommInitAll, (ncclComm_t *, int, const int *))                           \
    X(ncclResult_t, ncclGroupStart, (void))                                                      \
    X(ncclResult_t, ncclGroupEnd, (void))                                                        \
    X(ncclResult_t, ncclAllReduce, (const void *, void *, size_t, ncclDataType_t, ncclRedOp_t,   \
                                    ncclComm_t, cudaStream_t))                                   \
    X(ncclResult_t, ncclAllGather, (const void *, void *, size_t, ncclDataType_t, ncclComm_t,    \
                                    cudaStream_t))                                               \
    X(ncclResult_t, ncclReduceScatter, (const void *, void *, size_t, ncclDataType_t,            \
                                        ncclRedOp_t, ncclComm_t, cudaStream_t))                  \
    X(ncclResult_t, ncclBroadcast, (const void *, void *, size_t, ncclDataType_t, int,           \
                                    ncclComm_t, cudaStream_t))                                   \
    X(ncclResult_t, ncclSend, (const void *, size_t, ncclDataType_t, int, ncclComm_t,            \
                               cudaStream_t))                                                    \
    X(ncclResult_t, ncclRecv, (void *, size_t, ncclDataType_t, int, ncclComm_t, cudaStream_t))   \
    X(ncclResult_t, ncclCommDestroy, (ncclComm_t))                                               \
    X(ncclResult_t, ncclCommAbort, (ncclComm_t))                                                 \
    X(ncclResult_t, ncclCommGetAsyncError, (ncclComm_t, ncclResult_t *))

typedef struct accel_cuda_nccl_table {
    ACCEL_CUDA_NCCL_BOOTSTRAP(ACCEL_DL_FIELD)
    ACCEL_CUDA_NCCL_REQUIRED(ACCEL_DL_FIELD)
} accel_cuda_nccl_table;

/* The oldest NCCL accepted (ncclAvg), as NCCL_VERSION(2, 10, 0). */
#define ACCEL_CUDA_NCCL_MIN_CODE 21000

typedef struct accel_cuda_nccl {
    void *lib;
    char path[512];  /* the file opened */
    int version;     /* ncclGetVersion(): 22809 = 2.28.9 */
    accel_cuda_nccl_table fn;
} accel_cuda_nccl;

/* Loads NCCL through search (see above). 0 on success; else err says why, naming every file
 * refused and the places searched. */
int accel_cuda_nccl_load(accel_cuda_nccl *nccl, accel_cuda_search *search, char *err, size_t err_len);

/* "2.28.9" from a version code; NCCL encoded 2.8 and older as X*1000+Y*100+Z, 2.9 on as
 * X*10000+Y*100+Z. */
void accel_cuda_nccl_version_text(int code, char *buf, size_t len);

/* NCCL's own name of a result code: "ncclUnhandledCudaError", or "ncclResult_t <n>" when unknown. */
const char *accel_cuda_nccl_result_name(ncclResult_t r, char *scratch, size_t scratch_len);

/* The status an NCCL result maps to, and a message "what: ncclName (n): NCCL's description". */
accel_status accel_cuda_nccl_status(const accel_cuda_nccl *nccl, ncclResult_t r, const char *what, char *msg,
                                    size_t msg_len);

/* NCCL's data type / reduction for an accel dtype / op; -1 when NCCL has none. */
int accel_cuda_nccl_dtype(accel_dtype dtype, ncclDataType_t *out);
int accel_cuda_nccl_op(accel_reduce_op op, ncclRedOp_t *out);

/* Enqueues one collective (plugin.h's accel_plugin_collective, refs already resolved to device
 * addresses) on stream. Alltoall is a group of ncclSend/ncclRecv to and from every rank. The
 * result is NCCL's; *what names the call that failed. */
ncclResult_t accel_cuda_nccl_enqueue(const accel_cuda_nccl *nccl, ncclComm_t comm, int nranks, cudaStream_t stream,
                                     const accel_plugin_collective *c, const void *send, void *recv,
                                     const char **what);

#endif
