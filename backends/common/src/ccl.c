/* NCCL-ABI collective libraries (accel_common/ccl.h). */
#include "accel_common/ccl.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CCL_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_ccl_table, ret, name, params)
static const accel_dl_symbol bootstrap_symbols[] = {ACCEL_CCL_BOOTSTRAP(CCL_SYM)};
static const accel_dl_symbol required_symbols[] = {ACCEL_CCL_REQUIRED(CCL_SYM)};
static const accel_dl_tier bootstrap_tier = ACCEL_DL_TIER(bootstrap_symbols);
static const accel_dl_tier required_tier = ACCEL_DL_TIER(required_symbols);

void accel_ccl_version_text(int code, char *buf, size_t len) {
    if (code >= 10000)
        snprintf(buf, len, "%d.%d.%d", code / 10000, (code % 10000) / 100, code % 100);
    else
        snprintf(buf, len, "%d.%d.%d", code / 1000, (code % 1000) / 100, code % 100);
}

int accel_ccl_accept(void *lib, accel_ccl *ccl, char *why, size_t why_len) {
    char missing[96], version[32];
    if (accel_dl_resolve(lib, &bootstrap_tier, &ccl->fn, missing, sizeof missing)) {
        snprintf(why, why_len, "lacks %s: not %s", missing, ccl->name);
        return -1;
    }
    int code = 0;
    const accel_ccl_result r = ccl->fn.ncclGetVersion(&code);
    if (r != ACCEL_CCL_SUCCESS) {
        char scratch[32];
        snprintf(why, why_len, "ncclGetVersion: %s (%d)", accel_ccl_result_name(r, scratch, sizeof scratch), r);
        return -1;
    }
    accel_ccl_version_text(code, version, sizeof version);
    /* 2.8.4 is 2804 in the old encoding: below 21000 either way. */
    if (code < ACCEL_CCL_MIN_CODE) {
        snprintf(why, why_len, "%s %s; 2.10 or newer is needed (ncclAvg)", ccl->name, version);
        return -1;
    }
    if (accel_dl_resolve(lib, &required_tier, &ccl->fn, missing, sizeof missing)) {
        snprintf(why, why_len, "%s %s lacks %s", ccl->name, version, missing);
        return -1;
    }
    ccl->lib = lib;
    ccl->version = code;
    return 0;
}

const char *accel_ccl_result_name(accel_ccl_result r, char *scratch, size_t scratch_len) {
    static const char *const names[] = {"ncclSuccess",        "ncclUnhandledCudaError", "ncclSystemError",
                                        "ncclInternalError",  "ncclInvalidArgument",    "ncclInvalidUsage",
                                        "ncclRemoteError",    "ncclInProgress"};
    if (r >= 0 && r < (int)(sizeof names / sizeof names[0])) return names[r];
    snprintf(scratch, scratch_len, "ncclResult_t %d", r);
    return scratch;
}

accel_status accel_ccl_status(const accel_ccl *ccl, accel_ccl_result r, const char *what, char *msg, size_t msg_len) {
    if (r == ACCEL_CCL_SUCCESS) return ACCEL_OK;
    char scratch[32];
    const char *text = ccl && ccl->fn.ncclGetErrorString ? ccl->fn.ncclGetErrorString(r) : NULL;
    snprintf(msg, msg_len, "%s: %s (%d)%s%s", what, accel_ccl_result_name(r, scratch, sizeof scratch), r,
             text ? ": " : "", text ? text : "");
    switch (r) {
    case ACCEL_CCL_INVALID_ARGUMENT:
    case ACCEL_CCL_INVALID_USAGE: /* a mistake the host's checks should have caught, or ranks that disagree */
        return ACCEL_ERR_INVALID_ARGUMENT;
    case ACCEL_CCL_INTERNAL_ERROR: return ACCEL_ERR_INTERNAL;
    default: return ACCEL_ERR_DEVICE; /* CUDA/HIP, system (network, shm) or remote-peer failures */
    }
}

static int ccl_dtype(accel_dtype dtype) {
    switch (dtype) {
    case ACCEL_DTYPE_F32: return ACCEL_CCL_FLOAT32;
    case ACCEL_DTYPE_F16: return ACCEL_CCL_FLOAT16;
    case ACCEL_DTYPE_BF16: return ACCEL_CCL_BFLOAT16;
    case ACCEL_DTYPE_F64: return ACCEL_CCL_FLOAT64;
    case ACCEL_DTYPE_I32: return ACCEL_CCL_INT32;
    case ACCEL_DTYPE_I8: return ACCEL_CCL_INT8;
    default: return -1;
    }
}

accel_ccl_result accel_ccl_enqueue(const accel_ccl *ccl, accel_ccl_comm comm, int nranks, accel_ccl_stream stream,
                                   const accel_plugin_collective *c, const void *send, void *recv, const char **what) {
    const accel_ccl_table *fn = &ccl->fn;
    const int dt = ccl_dtype(c->dtype);
    const int op = c->op == ACCEL_REDUCE_AVG ? ACCEL_CCL_AVG : ACCEL_CCL_SUM;
    *what = "accel_ccl_enqueue";
    if (dt < 0 || (c->op != ACCEL_REDUCE_SUM && c->op != ACCEL_REDUCE_AVG)) return ACCEL_CCL_INVALID_ARGUMENT;
    switch (c->kind) {
    case ACCEL_COLL_ALL_REDUCE:
        *what = "ncclAllReduce";
        return fn->ncclAllReduce(send, recv, c->count, dt, op, comm, stream);
    case ACCEL_COLL_ALL_GATHER:
        *what = "ncclAllGather";
        return fn->ncclAllGather(send, recv, c->count, dt, comm, stream);
    case ACCEL_COLL_REDUCE_SCATTER:
        *what = "ncclReduceScatter";
        return fn->ncclReduceScatter(send, recv, c->count, dt, op, comm, stream);
    case ACCEL_COLL_BROADCAST:
        *what = "ncclBroadcast";
        return fn->ncclBroadcast(send, recv, c->count, dt, c->peer_or_root, comm, stream);
    case ACCEL_COLL_SEND:
        *what = "ncclSend";
        return fn->ncclSend(send, c->count, dt, c->peer_or_root, comm, stream);
    case ACCEL_COLL_RECV:
        *what = "ncclRecv";
        return fn->ncclRecv(recv, c->count, dt, c->peer_or_root, comm, stream);
    case ACCEL_COLL_ALLTOALL: {
        const size_t part = c->count * accel_dtype_bytes(c->dtype);
        *what = "ncclGroupStart";
        accel_ccl_result r = fn->ncclGroupStart();
        for (int p = 0; r == ACCEL_CCL_SUCCESS && p < nranks; ++p) {
            *what = "ncclSend (alltoall)";
            r = fn->ncclSend((const char *)send + (size_t)p * part, c->count, dt, p, comm, stream);
            if (r == ACCEL_CCL_SUCCESS) {
                *what = "ncclRecv (alltoall)";
                r = fn->ncclRecv((char *)recv + (size_t)p * part, c->count, dt, p, comm, stream);
            }
        }
        /* The group is closed even after a failure, or later calls would join it. */
        const accel_ccl_result end = fn->ncclGroupEnd();
        if (r == ACCEL_CCL_SUCCESS) *what = "ncclGroupEnd (alltoall)";
        return r != ACCEL_CCL_SUCCESS ? r : end;
    }
    default: return ACCEL_CCL_INVALID_ARGUMENT;
    }
}

accel_status accel_ccl_report(const accel_ccl *ccl, accel_ccl_comm comm, accel_ccl_result r, const char *what,
                              accel_status (*set_error)(accel_status, const char *, ...)) {
    char first[512], second[512];
    const accel_status st = accel_ccl_status(ccl, r, what, first, sizeof first);
    accel_ccl_result async = ACCEL_CCL_SUCCESS;
    if (comm && ccl->fn.ncclCommGetAsyncError(comm, &async) == ACCEL_CCL_SUCCESS && async != ACCEL_CCL_SUCCESS &&
        async != r) {
        const accel_status ast = accel_ccl_status(ccl, async, "ncclCommGetAsyncError", second, sizeof second);
        return set_error(ast, "%s; %s", first, second);
    }
    return set_error(st, "%s", first);
}

void accel_ccl_comm_end(const accel_ccl *ccl, accel_ccl_comm comm) {
    accel_ccl_result async = ACCEL_CCL_SUCCESS;
    if (ccl->fn.ncclCommGetAsyncError(comm, &async) != ACCEL_CCL_SUCCESS || async != ACCEL_CCL_SUCCESS)
        ccl->fn.ncclCommAbort(comm);
    else
        ccl->fn.ncclCommDestroy(comm);
}

accel_status accel_ccl_make_unique_id(const accel_ccl *ccl, void *id, size_t id_capacity, size_t *id_bytes,
                                      accel_status (*set_error)(accel_status, const char *, ...)) {
    if (id_capacity < sizeof(accel_ccl_unique_id))
        return set_error(ACCEL_ERR_INVALID_ARGUMENT, "ncclUniqueId needs %zu bytes, %zu given",
                         sizeof(accel_ccl_unique_id), id_capacity);
    accel_ccl_unique_id uid;
    const accel_ccl_result r = ccl->fn.ncclGetUniqueId(&uid);
    if (r != ACCEL_CCL_SUCCESS) return accel_ccl_report(ccl, NULL, r, "ncclGetUniqueId", set_error);
    memcpy(id, &uid, sizeof uid);
    *id_bytes = sizeof uid;
    return ACCEL_OK;
}

accel_status accel_ccl_init_rank(const accel_ccl *ccl, int nranks, int rank, const void *id, size_t id_bytes,
                                 accel_ccl_comm *out, accel_status (*set_error)(accel_status, const char *, ...)) {
    *out = NULL;
    if (id_bytes != sizeof(accel_ccl_unique_id))
        return set_error(ACCEL_ERR_INVALID_ARGUMENT, "a %s unique id is %zu bytes, %zu given", ccl->name,
                         sizeof(accel_ccl_unique_id), id_bytes);
    accel_ccl_unique_id uid;
    memcpy(&uid, id, sizeof uid);
    const accel_ccl_result r = ccl->fn.ncclCommInitRank(out, nranks, uid, rank);
    if (r == ACCEL_CCL_SUCCESS) return ACCEL_OK;
    *out = NULL;
    char what[64];
    snprintf(what, sizeof what, "ncclCommInitRank (rank %d of %d)", rank, nranks);
    return accel_ccl_report(ccl, NULL, r, what, set_error);
}
