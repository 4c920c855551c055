/* Collective libraries with NCCL's C ABI: NVIDIA's NCCL (cuda backend) and AMD's RCCL (hip backend),
 * which exports the same nccl* entry points, result codes, data types, reductions and the 128-byte
 * unique id. Both are dlopen()ed (never linked) and neither header is needed to build: the ABI
 * below is declared from NCCL's documented API (enum values are part of it, fixed since 2.x), and
 * the cuda tests check it against nccl.h where the toolkit has one (cuda_nccl_load_test.c).
 *
 * Entry points used: every one below must resolve. 2.10 is the oldest release accepted, because
 * AVG reductions (ncclAvg) arrived in it; ncclSend/ncclRecv (2.7), ncclCommGetAsyncError (2.4) and
 * ncclBroadcast are older. Alltoall runs as grouped ncclSend/ncclRecv (as nccl-tests does), so
 * ncclAlltoAll (2.28) is not needed.
 *
 * Part of accel_backend_common: no libaccel, no plugin state. */
#ifndef ACCEL_COMMON_CCL_H
#define ACCEL_COMMON_CCL_H

#include <stddef.h>

#include "accel/plugin.h"
#include "accel_common/dl.h"

typedef int accel_ccl_result;        /* ncclResult_t */
typedef struct accel_ccl_opaque *accel_ccl_comm; /* ncclComm_t */
typedef void *accel_ccl_stream;      /* cudaStream_t / hipStream_t */
typedef struct accel_ccl_unique_id { char internal[128]; } accel_ccl_unique_id; /* ncclUniqueId */

enum { /* ncclResult_t */
    ACCEL_CCL_SUCCESS = 0, ACCEL_CCL_UNHANDLED_CUDA_ERROR = 1, ACCEL_CCL_SYSTEM_ERROR = 2,
    ACCEL_CCL_INTERNAL_ERROR = 3, ACCEL_CCL_INVALID_ARGUMENT = 4, ACCEL_CCL_INVALID_USAGE = 5,
    ACCEL_CCL_REMOTE_ERROR = 6, ACCEL_CCL_IN_PROGRESS = 7
};
enum { /* ncclDataType_t */
    ACCEL_CCL_INT8 = 0, ACCEL_CCL_UINT8 = 1, ACCEL_CCL_INT32 = 2, ACCEL_CCL_UINT32 = 3, ACCEL_CCL_INT64 = 4,
    ACCEL_CCL_UINT64 = 5, ACCEL_CCL_FLOAT16 = 6, ACCEL_CCL_FLOAT32 = 7, ACCEL_CCL_FLOAT64 = 8,
    ACCEL_CCL_BFLOAT16 = 9
};
enum { ACCEL_CCL_SUM = 0, ACCEL_CCL_PROD = 1, ACCEL_CCL_MAX = 2, ACCEL_CCL_MIN = 3, ACCEL_CCL_AVG = 4 }; /* ncclRedOp_t */

#define ACCEL_CCL_BOOTSTRAP(X)                                                                   \
    X(accel_ccl_result, ncclGetVersion, (int *))                                                 \
    X(const char *, ncclGetErrorString, (accel_ccl_result))

#define ACCEL_CCL_REQUIRED(X)                                                                    \
    X(accel_ccl_result, ncclGetUniqueId, (accel_ccl_unique_id *))                                \
    X(accel_ccl_result, ncclCommInitRank, (accel_ccl_comm *, int, accel_ccl_unique_id, int))     \
    X(accel_ccl_result, ncclCommInitAll, (accel_ccl_comm *, int, const int *))                   \
    X(accel_ccl_result, ncclGroupStart, (void))                                                  \
    X(accel_ccl_result, ncclGroupEnd, (void))                                                    \
    X(accel_ccl_result, ncclAllReduce, (const void *, void *, size_t, int, int, accel_ccl_comm,  \
                                        accel_ccl_stream))                                       \
    X(accel_ccl_result, ncclAllGather, (const void *, void *, size_t, int, accel_ccl_comm,       \
                                        accel_ccl_stream))                                       \
    X(accel_ccl_result, ncclReduceScatter, (const void *, void *, size_t, int, int,              \
                                            accel_ccl_comm, accel_ccl_stream))                   \
    X(accel_ccl_result, ncclBroadcast, (const void *, void *, size_t, int, int, accel_ccl_comm,  \
                                        accel_ccl_stream))                                       \
    X(accel_ccl_result, ncclSend, (const void *, size_t, int, int, accel_ccl_comm,               \
                                   accel_ccl_stream))                                            \
    X(accel_ccl_result, ncclRecv, (void *, size_t, int, int, accel_ccl_comm, accel_ccl_stream))  \
    X(accel_ccl_result, ncclCommDestroy, (accel_ccl_comm))                                       \
    X(accel_ccl_result, ncclCommAbort, (accel_ccl_comm))                                         \
    X(accel_ccl_result, ncclCommGetAsyncError, (accel_ccl_comm, accel_ccl_result *))

typedef struct accel_ccl_table {
    ACCEL_CCL_BOOTSTRAP(ACCEL_DL_FIELD)
    ACCEL_CCL_REQUIRED(ACCEL_DL_FIELD)
} accel_ccl_table;

/* The oldest release accepted (ncclAvg), as NCCL_VERSION(2, 10, 0); RCCL numbers its releases the
 * same way (RCCL 2.20.5 = 22005). */
#define ACCEL_CCL_MIN_CODE 21000

typedef struct accel_ccl {
    const char *name; /* "NCCL" or "RCCL": what messages call it */
    void *lib;
    char path[512];   /* the file opened */
    int version;      /* ncclGetVersion(): 22809 = 2.28.9 */
    accel_ccl_table fn;
} accel_ccl;

/* Resolves and checks an opened library (bootstrap symbols, version >= 2.10, every required
 * symbol) into ccl, whose name is set. 0 when usable; else why says why ("NCCL 2.8.4; 2.10 or newer
 * is needed (ncclAvg)", "lacks ncclSend"). Fits accel_cuda_lib_accept and plain dlopen callers. */
int accel_ccl_accept(void *lib, accel_ccl *ccl, char *why, size_t why_len);

/* "2.28.9" from a version code; 2.8 and older were encoded X*1000+Y*100+Z, 2.9 on X*10000+Y*100+Z. */
void accel_ccl_version_text(int code, char *buf, size_t len);
/* NCCL's own name of a result code: "ncclUnhandledCudaError" (RCCL keeps the names), or
 * "ncclResult_t <n>" in scratch when unknown. */
const char *accel_ccl_result_name(accel_ccl_result r, char *scratch, size_t scratch_len);
/* The status a result maps to, and "what: ncclName (n): the library's description" in msg. */
accel_status accel_ccl_status(const accel_ccl *ccl, accel_ccl_result r, const char *what, char *msg, size_t msg_len);

/* Enqueues one collective (refs already resolved to device addresses) on stream. Alltoall is a
 * group of sends and receives to and from every rank; an in-place alltoall must be given its send
 * data staged elsewhere by the caller (send/recv cannot run it in place). *what names the call
 * that failed. */
accel_ccl_result accel_ccl_enqueue(const accel_ccl *ccl, accel_ccl_comm comm, int nranks, accel_ccl_stream stream,
                                   const accel_plugin_collective *c, const void *send, void *recv, const char **what);

/* After a failed collective: the communicator's asynchronous error (a lost peer) joined to the
 * call's own in one message, set through set_error; returns the status. */
accel_status accel_ccl_report(const accel_ccl *ccl, accel_ccl_comm comm, accel_ccl_result r, const char *what,
                              accel_status (*set_error)(accel_status, const char *, ...));

/* ncclGetUniqueId into id (id_capacity >= 128 bytes); errors through set_error. */
accel_status accel_ccl_make_unique_id(const accel_ccl *ccl, void *id, size_t id_capacity, size_t *id_bytes,
                                      accel_status (*set_error)(accel_status, const char *, ...));
/* ncclCommInitRank for rank of nranks on the caller's current device; *out NULL on failure, with
 * "ncclCommInitRank (rank r of n): ncclName (code): description" set through set_error. */
accel_status accel_ccl_init_rank(const accel_ccl *ccl, int nranks, int rank, const void *id, size_t id_bytes,
                                 accel_ccl_comm *out, accel_status (*set_error)(accel_status, const char *, ...));

/* Ends a communicator: ncclCommAbort when it carries an asynchronous error (a destroy would wait on
 * a peer that is gone, as NCCL documents), ncclCommDestroy otherwise. */
void accel_ccl_comm_end(const accel_ccl *ccl, accel_ccl_comm comm);

#endif
