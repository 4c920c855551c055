/* NCCL's loader (src/cuda_nccl.c, accel_common/ccl.h) against the real libnccl.so.2 of the
 * toolkit, on a machine with or without a GPU:
 *   - where nccl.h is at hand, the ABI ccl.h declares matches it (compile time, below);
 *   - the library is found in the toolkit and reports its version (printed, and >= 2.10);
 *   - a unique id can be made; a one-rank communicator either works (a GPU and its driver are
 *     present) or is refused with NCCL's own result code, never a crash.
 * Exit 77 (skipped) when the toolkit has no libnccl.so.2. */
#include <stdio.h>
#include <string.h>

#include "cuda_nccl.h"

#ifdef ACCEL_HAVE_NCCL_H
#include <nccl.h>
/* Comparing two enums' values is the point here. */
#pragma GCC diagnostic ignored "-Wenum-compare"
_Static_assert(sizeof(ncclUniqueId) == sizeof(accel_ccl_unique_id), "ncclUniqueId size");
_Static_assert(sizeof(ncclResult_t) == sizeof(accel_ccl_result), "ncclResult_t size");
_Static_assert(sizeof(ncclDataType_t) == sizeof(int) && sizeof(ncclRedOp_t) == sizeof(int), "enum sizes");
_Static_assert(ncclUnhandledCudaError == ACCEL_CCL_UNHANDLED_CUDA_ERROR && ncclSystemError == ACCEL_CCL_SYSTEM_ERROR &&
                   ncclInternalError == ACCEL_CCL_INTERNAL_ERROR && ncclInvalidArgument == ACCEL_CCL_INVALID_ARGUMENT &&
                   ncclInvalidUsage == ACCEL_CCL_INVALID_USAGE && ncclRemoteError == ACCEL_CCL_REMOTE_ERROR &&
                   ncclInProgress == ACCEL_CCL_IN_PROGRESS,
               "ncclResult_t values");
_Static_assert(ncclInt8 == ACCEL_CCL_INT8 && ncclInt32 == ACCEL_CCL_INT32 && ncclFloat16 == ACCEL_CCL_FLOAT16 &&
                   ncclFloat32 == ACCEL_CCL_FLOAT32 && ncclFloat64 == ACCEL_CCL_FLOAT64 &&
                   ncclBfloat16 == ACCEL_CCL_BFLOAT16,
               "ncclDataType_t values");
_Static_assert(ncclSum == ACCEL_CCL_SUM && ncclAvg == ACCEL_CCL_AVG, "ncclRedOp_t values");
#endif

int main(void) {
    accel_cuda_search search;
    accel_cuda_search_init(&search, 1000 * 1000);
    accel_ccl nccl;
    char err[2048];
    const int rc = accel_cuda_nccl_load(&nccl, &search, err, sizeof err);
    accel_cuda_search_free(&search);
    if (rc != 0) {
        if (!strstr(err, "refused")) {
            printf("skipped: %s\n", err);
            return 77;
        }
        printf("FAIL: %s\n", err);
        return 1;
    }
    char version[32];
    accel_ccl_version_text(nccl.version, version, sizeof version);
    printf("NCCL %s (%s)\n", version, nccl.path);
    int failures = 0;
    if (nccl.version < ACCEL_CCL_MIN_CODE) {
        printf("FAIL: version %d below the minimum accepted\n", nccl.version);
        ++failures;
    }
    int again = 0;
    if (nccl.fn.ncclGetVersion(&again) != ACCEL_CCL_SUCCESS || again != nccl.version) {
        printf("FAIL: ncclGetVersion disagrees (%d)\n", again);
        ++failures;
    }

    accel_ccl_unique_id id;
    char msg[512];
    accel_ccl_result r = nccl.fn.ncclGetUniqueId(&id);
    if (accel_ccl_status(&nccl, r, "ncclGetUniqueId", msg, sizeof msg) != ACCEL_OK) {
        /* Without a network interface NCCL cannot make a bootstrap id: also a clean refusal. */
        printf("unique id refused: %s\n", msg);
        return failures ? 1 : 0;
    }
    accel_ccl_comm comm = NULL;
    r = nccl.fn.ncclCommInitRank(&comm, 1, id, 0);
    if (r == ACCEL_CCL_SUCCESS) {
        printf("one-rank communicator created (a GPU is present)\n");
        nccl.fn.ncclCommDestroy(comm);
    } else {
        const accel_status st = accel_ccl_status(&nccl, r, "ncclCommInitRank", msg, sizeof msg);
        printf("communicator refused (accel_status %d): %s\n", (int)st, msg);
        char scratch[32];
        if (!strstr(msg, accel_ccl_result_name(r, scratch, sizeof scratch)) || st == ACCEL_OK) {
            printf("FAIL: the message does not name NCCL's result\n");
            ++failures;
        }
    }
    return failures ? 1 : 0;
}
