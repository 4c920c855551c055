/* The comm_* slots (plugin.h, ABI 1.2) on NCCL (cuda_nccl.h). NCCL is loaded on the first comm
 * call, not at init: it is a large library that single-device runs never need. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_comm.h"
#include "cuda_internal.h"
#include "cuda_nccl.h"

struct accel_cuda_comm_lib {
    int tried, ok;
    accel_ccl nccl;
    char reason[1024];
};

typedef struct accel_cuda_comm {
    accel_cuda_device *dev;
    accel_ccl_comm comm;
    int nranks, rank;
    CUdeviceptr scratch; /* in-place alltoall stages its send data here */
    size_t scratch_bytes;
} accel_cuda_comm;

void accel_cuda_comm_lib_free(accel_cuda_ctx *ctx) {
    /* libnccl stays mapped: its proxy threads and atexit handlers outlive the communicators. */
    free(ctx->comm_lib);
    ctx->comm_lib = NULL;
}

/* The loaded NCCL, or NULL with the reason set as the error. */
static const accel_ccl *nccl_of(accel_cuda_ctx *ctx) {
    pthread_mutex_lock(&ctx->comm_lock);
    if (!ctx->comm_lib) ctx->comm_lib = calloc(1, sizeof *ctx->comm_lib);
    struct accel_cuda_comm_lib *lib = ctx->comm_lib;
    if (lib && !lib->tried) {
        lib->tried = 1;
        accel_cuda_search search;
        /* NCCL's soname major (2) is not a CUDA major: no driver-major filter (cuda_nccl.h). */
        accel_cuda_search_init(&search, 1000 * 1000);
        const accel_dl_log log = {ctx->host, "cuda"};
        search.log = &log;
        char err[1024];
        lib->ok = accel_cuda_nccl_load(&lib->nccl, &search, err, sizeof err) == 0;
        if (!lib->ok) snprintf(lib->reason, sizeof lib->reason, "NCCL unavailable: %s", err);
        accel_cuda_search_free(&search);
        if (lib->ok && ctx->host->log) {
            char version[32], msg[640];
            accel_ccl_version_text(lib->nccl.version, version, sizeof version);
            snprintf(msg, sizeof msg, "NCCL %s (%s)", version, lib->nccl.path);
            ctx->host->log(ACCEL_LOG_INFO, "cuda", msg);
        }
    }
    pthread_mutex_unlock(&ctx->comm_lock);
    if (!lib) {
        ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
        return NULL;
    }
    if (!lib->ok) {
        ctx->host->set_error(ACCEL_ERR_UNAVAILABLE, "%s", lib->reason);
        return NULL;
    }
    return &lib->nccl;
}

static accel_status nccl_check(accel_cuda_ctx *ctx, accel_ccl_result r, const char *what) {
    return r == ACCEL_CCL_SUCCESS ? ACCEL_OK : accel_ccl_report(&ctx->comm_lib->nccl, NULL, r, what, ctx->host->set_error);
}

accel_status accel_cuda_comm_library(void *p, char *buf, size_t len) {
    accel_cuda_ctx *ctx = p;
    const accel_ccl *nccl = nccl_of(ctx);
    if (!nccl) {
        snprintf(buf, len, "%s", ctx->comm_lib ? ctx->comm_lib->reason : "out of host memory");
        return ctx->comm_lib ? ACCEL_ERR_UNAVAILABLE : ACCEL_ERR_OUT_OF_MEMORY;
    }
    char version[32];
    accel_ccl_version_text(nccl->version, version, sizeof version);
    snprintf(buf, len, "nccl %s", version);
    return ACCEL_OK;
}

accel_status accel_cuda_comm_unique_id(void *p, void *id, size_t id_capacity, size_t *id_bytes) {
    accel_cuda_ctx *ctx = p;
    const accel_ccl *nccl = nccl_of(ctx);
    if (!nccl) return ACCEL_ERR_UNAVAILABLE;
    return accel_ccl_make_unique_id(nccl, id, id_capacity, id_bytes, ctx->host->set_error);
}

accel_status accel_cuda_comm_init_rank(void *d, int nranks, int rank, const void *id, size_t id_bytes,
                                       void **out) {
    accel_cuda_device *dev = d;
    accel_cuda_ctx *ctx = dev->ctx;
    *out = NULL;
    const accel_ccl *nccl = nccl_of(ctx);
    if (!nccl) return ACCEL_ERR_UNAVAILABLE;
    /* NCCL binds the communicator to the current device: the device's primary context. */
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;
    accel_cuda_comm *c = calloc(1, sizeof *c);
    if (!c) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    st = accel_ccl_init_rank(nccl, nranks, rank, id, id_bytes, &c->comm, ctx->host->set_error);
    if (st != ACCEL_OK) {
        free(c);
        return st;
    }
    c->dev = dev;
    c->nranks = nranks;
    c->rank = rank;
    *out = c;
    return ACCEL_OK;
}

void accel_cuda_comm_destroy(void *p) {
    accel_cuda_comm *c = p;
    if (!c) return;
    accel_cuda_ctx *ctx = c->dev->ctx;
    const accel_ccl *nccl = &ctx->comm_lib->nccl;
    accel_cuda_make_current(c->dev);
    accel_ccl_comm_end(nccl, c->comm);
    if (c->scratch) ctx->cu.cuMemFree_v2(c->scratch);
    free(c);
}

accel_status accel_cuda_comm_group_begin(void *p) {
    accel_cuda_ctx *ctx = p;
    const accel_ccl *nccl = nccl_of(ctx);
    if (!nccl) return ACCEL_ERR_UNAVAILABLE;
    return nccl_check(ctx, nccl->fn.ncclGroupStart(), "ncclGroupStart");
}

accel_status accel_cuda_comm_group_end(void *p) {
    accel_cuda_ctx *ctx = p;
    const accel_ccl *nccl = nccl_of(ctx);
    if (!nccl) return ACCEL_ERR_UNAVAILABLE;
    return nccl_check(ctx, nccl->fn.ncclGroupEnd(), "ncclGroupEnd");
}

/* NCCL's send/recv cannot run an alltoall in place (a part would be overwritten before it is
 * sent), so the send data is first copied, in stream order, to a scratch buffer of the comm. */
static accel_status stage_in_place(accel_cuda_comm *c, CUstream stream, CUdeviceptr data, size_t bytes) {
    accel_cuda_ctx *ctx = c->dev->ctx;
    if (c->scratch_bytes < bytes) {
        if (c->scratch) {
            accel_status st = ACCEL_CUDA_CALL(ctx, cuStreamSynchronize(stream), "cuStreamSynchronize");
            if (st != ACCEL_OK) return st;
            ctx->cu.cuMemFree_v2(c->scratch);
            c->scratch = 0;
            c->scratch_bytes = 0;
        }
        accel_status st = ACCEL_CUDA_CALL(ctx, cuMemAlloc_v2(&c->scratch, bytes), "cuMemAlloc (alltoall staging)");
        if (st != ACCEL_OK) return st;
        c->scratch_bytes = bytes;
    }
    return ACCEL_CUDA_CALL(ctx, cuMemcpyAsync(c->scratch, data, bytes, stream), "cuMemcpyAsync (alltoall staging)");
}

accel_status accel_cuda_comm_collective(void *p, void *s, const accel_plugin_collective *coll) {
    accel_cuda_comm *c = p;
    accel_cuda_stream *stream = s;
    accel_cuda_ctx *ctx = c->dev->ctx;
    const accel_ccl *nccl = &ctx->comm_lib->nccl;
    accel_status st = accel_cuda_make_current(c->dev);
    if (st != ACCEL_OK) return st;
    CUdeviceptr send = accel_cuda_ref_ptr(coll->send), recv = accel_cuda_ref_ptr(coll->recv);
    if (coll->kind == ACCEL_COLL_ALLTOALL && send == recv) {
        const size_t bytes = coll->count * accel_dtype_bytes(coll->dtype) * (size_t)c->nranks;
        st = stage_in_place(c, stream->stream, send, bytes);
        if (st != ACCEL_OK) return st;
        send = c->scratch;
    }
    const char *what = "";
    const accel_ccl_result r = accel_ccl_enqueue(nccl, c->comm, c->nranks, (accel_ccl_stream)stream->stream, coll,
                                                 (const void *)(uintptr_t)send, (void *)(uintptr_t)recv, &what);
    if (r == ACCEL_CCL_SUCCESS) return ACCEL_OK;
    /* A failure caused by another rank shows on the communicator's asynchronous error. */
    return accel_ccl_report(nccl, c->comm, r, what, ctx->host->set_error);
}
