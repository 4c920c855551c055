#include "cuda_nccl.h"

#include <stdio.h>
#include <string.h>

#define NCCL_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_cuda_nccl_table, ret, name, params)
static const accel_dl_symbol bootstrap_symbols[] = {ACCEL_CUDA_NCCL_BOOTSTRAP(NCCL_SYM)};
static const accel_dl_symbol required_symbols[] = {ACCEL_CUDA_NCCL_REQUIRED(NCCL_SYM)};
static const accel_dl_tier bootstrap_tier = ACCEL_DL_TIER(bootstrap_symbols);
static const accel_dl_tier required_tier = ACCEL_DL_TIER(required_symbols);

void accel_cuda_nccl_version_text(int code, char *buf, size_t len) {
    if (code >= 10000)
        snprintf(buf, len, "%d.%d.%d", code / 10000, (code % 10000) / 100, code % 100);
    else
        snprintf(buf, len, "%d.%d.%d", code / 1000, (code % 1000) / 100, code % 100);
}

/* A library is NCCL when the bootstrap pair resolves, new enough when its own version says so and
 * every required entry point resolves. */
static int accept_nccl(void *lib, void *user, char *why, size_t why_len) {
    accel_cuda_nccl *n = user;
    char missing[96], version[32];
    if (accel_dl_resolve(lib, &bootstrap_tier, &n->fn, missing, sizeof missing)) {
        snprintf(why, why_len, "lacks %s: not NCCL", missing);
        return -1;
    }
    int code = 0;
    const ncclResult_t r = n->fn.ncclGetVersion(&code);
    if (r != ncclSuccess) {
        char scratch[32];
        snprintf(why, why_len, "ncclGetVersion: %s (%d)", accel_cuda_nccl_result_name(r, scratch, sizeof scratch),
                 (int)r);
        return -1;
    }
    accel_cuda_nccl_version_text(code, version, sizeof version);
    /* Codes before 2.9 are X*1000+...: 2804 is 2.8.4, below 21000 in either encoding. */
    if (code < ACCEL_CUDA_NCCL_MIN_CODE) {
        snprintf(why, why_len, "NCCL %s; 2.10 or newer is needed (ncclAvg)", version);
        return -1;
    }
    if (accel_dl_resolve(lib, &required_tier, &n->fn, missing, sizeof missing)) {
        snprintf(why, why_len, "NCCL %s lacks %s", version, missing);
        return -1;
    }
    n->version = code;
    return 0;
}

int accel_cuda_nccl_load(accel_cuda_nccl *nccl, accel_cuda_search *search, char *err, size_t err_len) {
    static const int majors[] = {2};
    memset(nccl, 0, sizeof *nccl);
    nccl->lib = accel_cuda_search_open(search, "libnccl.so", majors, 1, accept_nccl, nccl, nccl->path,
                                       sizeof nccl->path);
    if (!nccl->lib) {
        snprintf(err, err_len, "no usable libnccl.so.2 (searched %s)%s%s", search->searched,
                 search->refused[0] ? "; refused: " : "", search->refused);
        memset(&nccl->fn, 0, sizeof nccl->fn);
        return -1;
    }
    return 0;
}

const char *accel_cuda_nccl_result_name(ncclResult_t r, char *scratch, size_t scratch_len) {
    switch ((int)r) {
    case 0: return "ncclSuccess";
    case 1: return "ncclUnhandledCudaError";
    case 2: return "ncclSystemError";
    case 3: return "ncclInternalError";
    case 4: return "ncclInvalidArgument";
    case 5: return "ncclInvalidUsage";
    case 6: return "ncclRemoteError";
    case 7: return "ncclInProgress";
    default: snprintf(scratch, scratch_len, "ncclResult_t %d", (int)r); return scratch;
    }
}

accel_status accel_cuda_nccl_status(const accel_cuda_nccl *nccl, ncclResult_t r, const char *what, char *msg,
                                    size_t msg_len) {
    if (r == ncclSuccess) return ACCEL_OK;
    char scratch[32];
    const char *text = nccl && nccl->fn.ncclGetErrorString ? nccl->fn.ncclGetErrorString(r) : NULL;
    snprintf(msg, msg_len, "%s: %s (%d)%s%s", what, accel_cuda_nccl_result_name(r, scratch, sizeof scratch), (int)r,
             text ? ": " : "", text ? text : "");
    switch ((int)r) {
    case 4: /* ncclInvalidArgument */
    case 5: /* ncclInvalidUsage: both are a caller's mistake the host checks should have caught */
        return ACCEL_ERR_INVALID_ARGUMENT;
    case 3: return ACCEL_ERR_INTERNAL;
    default: return ACCEL_ERR_DEVICE; /* CUDA, system (network, shm) or remote-peer failures */
    }
}

int accel_cuda_nccl_dtype(accel_dtype dtype, ncclDataType_t *out) {
    switch (dtype) {
    case ACCEL_DTYPE_F32: *out = ncclFloat32; return 0;
    case ACCEL_DTYPE_F16: *out = ncclFloat16; return 0;
    case ACCEL_DTYPE_BF16: *out = ncclBfloat16; return 0;
    case ACCEL_DTYPE_F64: *out = ncclFloat64; return 0;
    case ACCEL_DTYPE_I32: *out = ncclInt32; return 0;
    case ACCEL_DTYPE_I8: *out = ncclInt8; return 0;
    default: return -1;
    }
}

int accel_cuda_nccl_op(accel_reduce_op op, ncclRedOp_t *out) {
    switch (op) {
    case ACCEL_REDUCE_SUM: *out = ncclSum; return 0;
    case ACCEL_REDUCE_AVG: *out = ncclAvg; return 0;
    default: return -1;
    }
}

ncclResult_t accel_cuda_nccl_enqueue(const accel_cuda_nccl *nccl, ncclComm_t comm, int nranks, cudaStream_t stream,
                                     const accel_plugin_collective *c, const void *send, void *recv,
                                     const char **what) {
    const accel_cuda_nccl_table *fn = &nccl->fn;
    ncclDataType_t dt;
    ncclRedOp_t op = ncclSum;
    *what = "accel_cuda_nccl_enqueue";
    if (accel_cuda_nccl_dtype(c->dtype, &dt) != 0) return ncclInvalidArgument;
    if ((c->kind == ACCEL_COLL_ALL_REDUCE || c->kind == ACCEL_COLL_REDUCE_SCATTER) &&
        accel_cuda_nccl_op(c->op, &op) != 0)
        return ncclInvalidArgument;
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
        ncclResult_t r = fn->ncclGroupStart();
        *what = "ncclGroupStart";
        for (int p = 0; r == ncclSuccess && p < nranks; ++p) {
            r = fn->ncclSend((const char *)send + (size_t)p * part, c->count, dt, p, comm, stream);
            *what = "ncclSend (alltoall)";
            if (r == ncclSuccess) {
                r = fn->ncclRecv((char *)recv + (size_t)p * part, c->count, dt, p, comm, stream);
                *what = "ncclRecv (alltoall)";
            }
        }
        /* The group is closed even after a failure, or later calls would join it. */
        const ncclResult_t end = fn->ncclGroupEnd();
        if (r == ncclSuccess) *what = "ncclGroupEnd (alltoall)";
        return r != ncclSuccess ? r : end;
    }
    default: return ncclInvalidArgument;
    }
}
