/* RCCL collectives (hip_comm.h). */
#include "hip_comm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_common/ccl.h"
#include "hip_internal.h"

struct hip_rccl {
    int ok;
    accel_ccl rccl;
    char reason[1024];
};

typedef struct hip_comm {
    hip_device *dev;
    accel_ccl_comm comm;
    int nranks;
    void *scratch; /* in-place alltoall stages its send data here */
    size_t scratch_bytes;
} hip_comm;

void hip_comm_lib_free(hip_ctx *ctx) {
    /* librccl stays mapped: its proxy threads and exit handlers outlive the communicators. */
    free(ctx->rccl);
    ctx->rccl = NULL;
}

/* Tries each place in turn; the first library that opens and passes accel_ccl_accept wins. */
static void load(hip_ctx *ctx, struct hip_rccl *r) {
    const accel_dl_log log = {ctx->host, "hip"};
    char rocm_path[512] = "";
    const char *rocm = getenv("ROCM_PATH");
    if (rocm && rocm[0]) snprintf(rocm_path, sizeof rocm_path, "%s/lib/librccl.so.1", rocm);
    const char *override = getenv("ACCEL_RCCL_LIBRARY");
    const char *const places[] = {rocm_path, "/opt/rocm/lib/librccl.so.1", "librccl.so.1"};
    const char *const *list = places;
    size_t count = sizeof places / sizeof places[0];
    if (override && override[0]) {
        list = &override;
        count = 1;
    }
    char refused[768] = "";
    r->rccl.name = "RCCL";
    for (size_t i = 0; i < count && !r->ok; ++i) {
        if (!list[i][0]) continue;
        const char *const candidates[] = {list[i], NULL};
        char why[256] = "";
        void *lib = accel_dl_open(&log, candidates, ACCEL_DL_NODELETE, NULL, why, sizeof why);
        if (lib && accel_ccl_accept(lib, &r->rccl, why, sizeof why) == 0) {
            snprintf(r->rccl.path, sizeof r->rccl.path, "%s", list[i]);
            r->ok = 1;
            return;
        }
        /* A file that is not there is not worth naming: only files found and refused are. */
        if (lib) {
            const size_t used = strlen(refused);
            snprintf(refused + used, sizeof refused - used, "%s%s (%s)", used ? "; " : "", list[i], why);
            accel_dl_close(lib);
        }
    }
    snprintf(r->reason, sizeof r->reason, "RCCL unavailable: no usable librccl.so.1 (%s%s)%s%s",
             override && override[0] ? "$ACCEL_RCCL_LIBRARY=" : "searched $ROCM_PATH/lib, /opt/rocm/lib, the loader",
             override && override[0] ? override : "", refused[0] ? "; refused: " : "", refused);
}

static const accel_ccl *rccl_of(hip_ctx *ctx) {
    pthread_mutex_lock(&ctx->lock);
    if (!ctx->rccl && (ctx->rccl = calloc(1, sizeof *ctx->rccl)) != NULL) load(ctx, ctx->rccl);
    struct hip_rccl *r = ctx->rccl;
    pthread_mutex_unlock(&ctx->lock);
    if (!r) {
        ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
        return NULL;
    }
    if (!r->ok) {
        ctx->host->set_error(ACCEL_ERR_UNAVAILABLE, "%s", r->reason);
        return NULL;
    }
    return &r->rccl;
}

accel_status hip_comm_library(void *p, char *buf, size_t len) {
    hip_ctx *ctx = p;
    const accel_ccl *rccl = rccl_of(ctx);
    if (!rccl) {
        snprintf(buf, len, "%s", ctx->rccl ? ctx->rccl->reason : "out of host memory");
        return ctx->rccl ? ACCEL_ERR_UNAVAILABLE : ACCEL_ERR_OUT_OF_MEMORY;
    }
    char version[32];
    accel_ccl_version_text(rccl->version, version, sizeof version);
    snprintf(buf, len, "rccl %s", version);
    return ACCEL_OK;
}

accel_status hip_comm_unique_id(void *p, void *id, size_t id_capacity, size_t *id_bytes) {
    hip_ctx *ctx = p;
    const accel_ccl *rccl = rccl_of(ctx);
    if (!rccl) return ACCEL_ERR_UNAVAILABLE;
    return accel_ccl_make_unique_id(rccl, id, id_capacity, id_bytes, ctx->host->set_error);
}

accel_status hip_comm_init_rank(void *d, int nranks, int rank, const void *id, size_t id_bytes, void **out) {
    hip_device *dev = d;
    hip_ctx *ctx = dev->ctx;
    *out = NULL;
    const accel_ccl *rccl = rccl_of(ctx);
    if (!rccl) return ACCEL_ERR_UNAVAILABLE;
    /* RCCL binds the communicator to the thread's current device. */
    accel_status st = hip_device_bind(dev);
    if (st != ACCEL_OK) return st;
    hip_comm *c = calloc(1, sizeof *c);
    if (!c) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    st = accel_ccl_init_rank(rccl, nranks, rank, id, id_bytes, &c->comm, ctx->host->set_error);
    if (st != ACCEL_OK) {
        free(c);
        return st;
    }
    c->dev = dev;
    c->nranks = nranks;
    *out = c;
    return ACCEL_OK;
}

void hip_comm_destroy(void *p) {
    hip_comm *c = p;
    if (!c) return;
    hip_ctx *ctx = c->dev->ctx;
    hip_device_bind(c->dev);
    accel_ccl_comm_end(&ctx->rccl->rccl, c->comm);
    if (c->scratch) ctx->api.hipFree(c->scratch);
    free(c);
}

static accel_status group(void *p, int begin) {
    hip_ctx *ctx = p;
    const accel_ccl *rccl = rccl_of(ctx);
    if (!rccl) return ACCEL_ERR_UNAVAILABLE;
    const accel_ccl_result r = begin ? rccl->fn.ncclGroupStart() : rccl->fn.ncclGroupEnd();
    if (r == ACCEL_CCL_SUCCESS) return ACCEL_OK;
    return accel_ccl_report(rccl, NULL, r, begin ? "ncclGroupStart" : "ncclGroupEnd", ctx->host->set_error);
}
accel_status hip_comm_group_begin(void *ctx) { return group(ctx, 1); }
accel_status hip_comm_group_end(void *ctx) { return group(ctx, 0); }

/* Send/recv cannot run an alltoall in place: the send data is first copied, in stream order, to a
 * scratch buffer of the comm. */
static accel_status stage_in_place(hip_comm *c, hipStream_t stream, const void *data, size_t bytes) {
    hip_ctx *ctx = c->dev->ctx;
    if (c->scratch_bytes < bytes) {
        hipError_t e = hipSuccess;
        if (c->scratch) {
            if ((e = ctx->api.hipStreamSynchronize(stream)) != hipSuccess)
                return hip_fail(ctx, "hipStreamSynchronize", e);
            ctx->api.hipFree(c->scratch);
            c->scratch = NULL;
            c->scratch_bytes = 0;
        }
        if ((e = ctx->api.hipMalloc(&c->scratch, bytes)) != hipSuccess)
            return hip_fail(ctx, "hipMalloc (alltoall staging)", e);
        c->scratch_bytes = bytes;
    }
    const hipError_t e = ctx->api.hipMemcpyAsync(c->scratch, data, bytes, hipMemcpyDeviceToDevice, stream);
    return e == hipSuccess ? ACCEL_OK : hip_fail(ctx, "hipMemcpyAsync (alltoall staging)", e);
}

accel_status hip_comm_collective(void *p, void *s, const accel_plugin_collective *coll) {
    hip_comm *c = p;
    hip_stream *stream = s;
    hip_ctx *ctx = c->dev->ctx;
    const accel_ccl *rccl = &ctx->rccl->rccl;
    accel_status st = hip_device_bind(c->dev);
    if (st != ACCEL_OK) return st;
    const void *send = hip_ref_ptr(coll->send);
    void *recv = hip_ref_ptr(coll->recv);
    if (coll->kind == ACCEL_COLL_ALLTOALL && send == recv) {
        st = stage_in_place(c, stream->stream, send, coll->count * accel_dtype_bytes(coll->dtype) * (size_t)c->nranks);
        if (st != ACCEL_OK) return st;
        send = c->scratch;
    }
    const char *what = "";
    const accel_ccl_result r =
        accel_ccl_enqueue(rccl, c->comm, c->nranks, (accel_ccl_stream)stream->stream, coll, send, recv, &what);
    return r == ACCEL_CCL_SUCCESS ? ACCEL_OK : accel_ccl_report(rccl, c->comm, r, what, ctx->host->set_error);
}
