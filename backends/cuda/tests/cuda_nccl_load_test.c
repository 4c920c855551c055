/* NCCL's loader (src/cuda_nccl.c) against the real libnccl.so.2 of the toolkit, on a machine with
 * or without a GPU:
 *   - the table's slots match nccl.h's prototypes (compile time, below);
 *   - the library is found in the toolkit and reports its version (printed, and >= 2.10);
 *   - a unique id can be made; a one-rank communicator either works (a GPU and its driver are
 *     present) or is refused with NCCL's own result code, never a crash.
 * Exit 77 (skipped) when the toolkit has no libnccl.so.2. */
#include <stdio.h>
#include <string.h>

#include "cuda_nccl.h"

/* Assigning each nccl.h prototype to its slot inside sizeof: a wrong name or signature in
 * ACCEL_CUDA_NCCL_* fails the build, nothing is called or linked. */
static accel_cuda_nccl_table signature_check;
#define CHECK_SLOT(ret, name, params) (void)sizeof(signature_check.name = name);

int main(void) {
    ACCEL_CUDA_NCCL_BOOTSTRAP(CHECK_SLOT)
    ACCEL_CUDA_NCCL_REQUIRED(CHECK_SLOT)

    accel_cuda_search search;
    accel_cuda_search_init(&search, 1000 * 1000);
    accel_cuda_nccl nccl;
    char err[2048];
    const int rc = accel_cuda_nccl_load(&nccl, &search, err, sizeof err);
    accel_cuda_search_free(&search);
    if (rc != 0) {
        if (strstr(err, "no usable libnccl.so.2 (searched") && !strstr(err, "refused")) {
            printf("skipped: %s\n", err);
            return 77;
        }
        printf("FAIL: %s\n", err);
        return 1;
    }
    char version[32];
    accel_cuda_nccl_version_text(nccl.version, version, sizeof version);
    printf("NCCL %s (%s)\n", version, nccl.path);
    int failures = 0;
    if (nccl.version < ACCEL_CUDA_NCCL_MIN_CODE) {
        printf("FAIL: version %d below the minimum accepted\n", nccl.version);
        ++failures;
    }
    int again = 0;
    if (nccl.fn.ncclGetVersion(&again) != ncclSuccess || again != nccl.version) {
        printf("FAIL: ncclGetVersion disagrees (%d)\n", again);
        ++failures;
    }

    ncclUniqueId id;
    char msg[512];
    ncclResult_t r = nccl.fn.ncclGetUniqueId(&id);
    if (accel_cuda_nccl_status(&nccl, r, "ncclGetUniqueId", msg, sizeof msg) != ACCEL_OK) {
        /* Without a network interface NCCL cannot make a bootstrap id: also a clean refusal. */
        printf("unique id refused: %s\n", msg);
        return failures ? 1 : 0;
    }
    ncclComm_t comm = NULL;
    r = nccl.fn.ncclCommInitRank(&comm, 1, id, 0);
    if (r == ncclSuccess) {
        printf("one-rank communicator created (a GPU is present)\n");
        nccl.fn.ncclCommDestroy(comm);
    } else {
        const accel_status st = accel_cuda_nccl_status(&nccl, r, "ncclCommInitRank", msg, sizeof msg);
        printf("communicator refused (accel_status %d): %s\n", (int)st, msg);
        char scratch[32];
        if (!strstr(msg, accel_cuda_nccl_result_name(r, scratch, sizeof scratch)) || st == ACCEL_OK) {
            printf("FAIL: the message does not name NCCL's result\n");
            ++failures;
        }
    }
    return failures ? 1 : 0;
}
