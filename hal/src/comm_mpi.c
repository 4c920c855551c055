/* The MPI side of comms: the bootstrap (accel_mpi_*) and the MPI host transport that carries the
 * collectives of backends without a collective library (cpu, opencl; comm.h). Built only when CMake
 * found MPI (ACCEL_MPI); comm_nompi.c stands in otherwise. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

#include "accel/reference.h"
#include "hal_internal.h"

/* MPI is initialised once per process, so its state is the process's, not a runtime's: the one
 * piece of libaccel state outside the runtime object, under its own lock. */
static struct {
    pthread_mutex_t lock;
    int ready;           /* accel_mpi_init succeeded */
    int we_initialised;  /* and it was this libaccel that called MPI_Init_thread */
    accel_mpi_world world;
    MPI_Op sum_bf16, sum_f16;
} g_mpi = {PTHREAD_MUTEX_INITIALIZER, 0, 0, {0, 1, 0, 1, 1, ""}, MPI_OP_NULL, MPI_OP_NULL};

struct hal_host_comm {
    MPI_Comm comm;
};

enum { TAG_SENDRECV = 17 };

static accel_status mpi_fail(const char *fn, const char *call, int code) {
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "?");
    return hal_error(ACCEL_ERR_DEVICE, "%s: %s: %s (MPI error %d)", fn, call, text, code);
}

#define MPI_TRY(fn, call)                                                                         \
    do {                                                                                          \
        int rc_ = (call);                                                                         \
        if (rc_ != MPI_SUCCESS) return mpi_fail(fn, #call, rc_);                                  \
    } while (0)

/* fp32 accumulation of bf16 / fp16 pairs, rounded back to nearest even after each pairwise sum
 * (comm.h documents the rounding). */
static void sum_bf16(void *in, void *inout, int *len, MPI_Datatype *type) {
    (void)type;
    const uint16_t *a = in;
    uint16_t *b = inout;
    for (int i = 0; i < *len; ++i)
        b[i] = accel_ref_f32_to_bf16(accel_ref_bf16_to_f32(a[i]) + accel_ref_bf16_to_f32(b[i]));
}

static void sum_f16(void *in, void *inout, int *len, MPI_Datatype *type) {
    (void)type;
    const uint16_t *a = in;
    uint16_t *b = inout;
    for (int i = 0; i < *len; ++i)
        b[i] = accel_ref_f32_to_f16(accel_ref_f16_to_f32(a[i]) + accel_ref_f16_to_f32(b[i]));
}

/* "Open MPI v4.1.4, package: ..." -> "mpi Open MPI v4.1.4" */
static void library_label(char *out, size_t len) {
    char v[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int n = 0;
    if (MPI_Get_library_version(v, &n) != MPI_SUCCESS) snprintf(v, sizeof v, "unknown version");
    v[strcspn(v, ",\n")] = '\0';
    snprintf(out, len, "mpi %s", v);
}

static accel_status world_setup(accel_mpi_world *w) {
    const char *fn = "accel_mpi_init";
    MPI_TRY(fn, MPI_Comm_rank(MPI_COMM_WORLD, &w->rank));
    MPI_TRY(fn, MPI_Comm_size(MPI_COMM_WORLD, &w->size));
    MPI_Comm node;
    MPI_TRY(fn, MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, w->rank, MPI_INFO_NULL,
                                    &node));
    MPI_TRY(fn, MPI_Comm_rank(node, &w->local_rank));
    MPI_TRY(fn, MPI_Comm_size(node, &w->local_size));
    MPI_Comm_free(&node);
    int leader = w->local_rank == 0;
    MPI_TRY(fn, MPI_Allreduce(&leader, &w->nodes, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
    library_label(w->library, sizeof w->library);
    MPI_TRY(fn, MPI_Op_create(sum_bf16, 1, &g_mpi.sum_bf16));
    MPI_TRY(fn, MPI_Op_create(sum_f16, 1, &g_mpi.sum_f16));
    return ACCEL_OK;
}

ACCEL_API int accel_mpi_available(void) { return 1; }

ACCEL_API accel_status accel_mpi_init(accel_mpi_world *out) {
    HAL_CHECK_OUT(out);
    pthread_mutex_lock(&g_mpi.lock);
    accel_status st = ACCEL_OK;
    if (!g_mpi.ready) {
        int initialised = 0, finalized = 0;
        MPI_Initialized(&initialised);
        MPI_Finalized(&finalized);
        if (finalized) {
            st = hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_mpi_init: MPI was already finalized");
        } else if (!initialised) {
            /* FUNNELED: only the thread that called accel_mpi_init makes MPI calls. */
            int provided = 0;
            int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
            if (rc != MPI_SUCCESS)
                st = mpi_fail("accel_mpi_init", "MPI_Init_thread", rc);
            else
                g_mpi.we_initialised = 1;
        }
        if (st == ACCEL_OK) {
            /* Errors come back as codes, so they reach accel_last_error() with MPI's text. */
            MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
            st = world_setup(&g_mpi.world);
        }
        g_mpi.ready = st == ACCEL_OK;
    }
    if (st == ACCEL_OK) *out = g_mpi.world;
    pthread_mutex_unlock(&g_mpi.lock);
    return st;
}

ACCEL_API accel_status accel_mpi_finalize(void) {
    pthread_mutex_lock(&g_mpi.lock);
    accel_status st = ACCEL_OK;
    if (g_mpi.ready) {
        MPI_Op_free(&g_mpi.sum_bf16);
        MPI_Op_free(&g_mpi.sum_f16);
        if (g_mpi.we_initialised) {
            int rc = MPI_Finalize();
            if (rc != MPI_SUCCESS) st = mpi_fail("accel_mpi_finalize", "MPI_Finalize", rc);
        }
        g_mpi.ready = 0;
        g_mpi.we_initialised = 0;
    }
    pthread_mutex_unlock(&g_mpi.lock);
    return st;
}

ACCEL_API accel_status accel_mpi_abort(int code, const char *why) {
    fprintf(stderr, "accelbench rank %d: %s\n", g_mpi.world.rank, why ? why : "aborting");
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    return ACCEL_ERR_INTERNAL; /* not reached: MPI_Abort ends the job */
}

static accel_status need_init(const char *fn) {
    if (g_mpi.ready) return ACCEL_OK;
    return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: call accel_mpi_init first", fn);
}

ACCEL_API accel_status accel_mpi_allgather_u64(uint64_t mine, uint64_t *all) {
    HAL_CHECK_OUT(all);
    accel_status st = need_init(__func__);
    if (st != ACCEL_OK) return st;
    MPI_TRY(__func__, MPI_Allgather(&mine, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD));
    return ACCEL_OK;
}

static accel_status allreduce_doubles(const char *fn, double *values, size_t n, MPI_Op op) {
    accel_status st = need_init(fn);
    if (st != ACCEL_OK) return st;
    if (n > INT_MAX) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: %zu values", fn, n);
    MPI_TRY(fn, MPI_Allreduce(MPI_IN_PLACE, values, (int)n, MPI_DOUBLE, op, MPI_COMM_WORLD));
    return ACCEL_OK;
}

ACCEL_API accel_status accel_mpi_max_doubles(double *values, size_t n) {
    HAL_CHECK_OUT(values);
    return allreduce_doubles(__func__, values, n, MPI_MAX);
}

ACCEL_API accel_status accel_mpi_sum_doubles(double *values, size_t n) {
    HAL_CHECK_OUT(values);
    return allreduce_doubles(__func__, values, n, MPI_SUM);
}

ACCEL_API accel_status accel_mpi_barrier_sleeping(void) {
    accel_status st = need_init(__func__);
    if (st != ACCEL_OK) return st;
    /* MPI_Barrier polls: on cores shared with the rank being measured it would steal their time. */
    MPI_Request req;
    MPI_TRY(__func__, MPI_Ibarrier(MPI_COMM_WORLD, &req));
    for (;;) {
        int done = 0;
        MPI_TRY(__func__, MPI_Test(&req, &done, MPI_STATUS_IGNORE));
        if (done) return ACCEL_OK;
        const struct timespec pause = {0, 1000000}; /* 1 ms */
        nanosleep(&pause, NULL);
    }
}

ACCEL_API accel_status accel_mpi_barrier(void) {
    accel_status st = need_init(__func__);
    if (st != ACCEL_OK) return st;
    MPI_TRY(__func__, MPI_Barrier(MPI_COMM_WORLD));
    return ACCEL_OK;
}

ACCEL_API accel_status accel_mpi_broadcast_bytes(void *data, size_t bytes, int root) {
    HAL_CHECK_OUT(data);
    accel_status st = need_init(__func__);
    if (st != ACCEL_OK) return st;
    if (bytes > INT_MAX) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: %zu bytes", __func__, bytes);
    if (root < 0 || root >= g_mpi.world.size)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: root %d is not a rank", __func__, root);
    MPI_TRY(__func__, MPI_Bcast(data, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD));
    return ACCEL_OK;
}

accel_status hal_mpi_world_of(int *rank, int *size) {
    accel_status st = need_init("accel_comm_create_world");
    if (st != ACCEL_OK) return st;
    *rank = g_mpi.world.rank;
    *size = g_mpi.world.size;
    return ACCEL_OK;
}

accel_status hal_mpi_bcast_bytes(void *data, size_t bytes, int root) {
    return accel_mpi_broadcast_bytes(data, bytes, root);
}

accel_status hal_host_comm_create(accel_comm *comm) {
    struct hal_host_comm *h = calloc(1, sizeof *h);
    if (!h) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_comm_create_world: out of memory");
    int rc = MPI_Comm_dup(MPI_COMM_WORLD, &h->comm);
    if (rc != MPI_SUCCESS) {
        free(h);
        return mpi_fail("accel_comm_create_world", "MPI_Comm_dup", rc);
    }
    MPI_Comm_set_errhandler(h->comm, MPI_ERRORS_RETURN);
    comm->host = h;
    snprintf(comm->library, sizeof comm->library, "%s", g_mpi.world.library);
    return ACCEL_OK;
}

void hal_host_comm_destroy(accel_comm *comm) {
    if (!comm->host) return;
    MPI_Comm_free(&comm->host->comm);
    free(comm->host);
    comm->host = NULL;
}

/* ---- host memory of device buffers ---- */

/* A range of a buffer as host memory: the buffer's own host pointer when it has one, else a
 * staging copy (read from the device first when `load`). */
typedef struct host_view {
    accel_buffer *buf;
    size_t offset, bytes;
    unsigned char *p;
    unsigned char *staging; /* malloc'ed copy, or NULL when p is the buffer's memory */
} host_view;

static accel_status view_open(accel_stream *s, accel_buffer_ref r, size_t bytes, int load,
                              host_view *v) {
    v->buf = r.buffer;
    v->offset = r.offset;
    v->bytes = bytes;
    v->staging = NULL;
    if (r.buffer->host_ptr) {
        v->p = (unsigned char *)r.buffer->host_ptr + r.offset;
        return ACCEL_OK;
    }
    v->staging = malloc(bytes ? bytes : 1);
    if (!v->staging)
        return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "MPI host transport: %zu bytes of staging", bytes);
    v->p = v->staging;
    if (!load) return ACCEL_OK;
    const accel_backend_ops *o = s->dev->be->ops;
    accel_status st = o->buffer_read(s->handle, r.buffer->handle, r.offset, v->staging, bytes);
    if (st == ACCEL_OK) st = o->stream_synchronize(s->handle);
    return st;
}

/* Writes a staged range back (when `store`) and releases the staging copy. */
static accel_status view_close(accel_stream *s, host_view *v, int store) {
    accel_status st = ACCEL_OK;
    if (v->staging && store) {
        const accel_backend_ops *o = s->dev->be->ops;
        st = o->buffer_write(s->handle, v->buf->handle, v->offset, v->staging, v->bytes);
        if (st == ACCEL_OK) st = o->stream_synchronize(s->handle); /* staging must outlive it */
    }
    free(v->staging);
    v->staging = NULL;
    return st;
}

static MPI_Datatype mpi_type(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 ? MPI_FLOAT : MPI_UINT16_T;
}

static MPI_Op mpi_sum(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 ? MPI_SUM : t == ACCEL_DTYPE_BF16 ? g_mpi.sum_bf16 : g_mpi.sum_f16;
}

static void divide(void *p, size_t n, accel_dtype t, int by) {
    if (t == ACCEL_DTYPE_F32) {
        float *f = p;
        for (size_t i = 0; i < n; ++i) f[i] /= (float)by;
        return;
    }
    uint16_t *h = p;
    for (size_t i = 0; i < n; ++i)
        h[i] = t == ACCEL_DTYPE_BF16 ? accel_ref_f32_to_bf16(accel_ref_bf16_to_f32(h[i]) / (float)by)
                                     : accel_ref_f32_to_f16(accel_ref_f16_to_f32(h[i]) / (float)by);
}

/* ---- send/recv groups (per thread, as ncclGroupStart/End) ---- */

typedef struct pending {
    MPI_Request req;
    accel_stream *stream;
    host_view view;
    int is_recv;
} pending;

static _Thread_local struct {
    int depth;
    pending *items;
    size_t count, cap;
} tl_group;

accel_status hal_host_group_begin(void) {
    if (!g_mpi.ready) return need_init("accel_comm_group_begin");
    tl_group.depth++;
    return ACCEL_OK;
}

accel_status hal_host_group_end(void) {
    if (tl_group.depth <= 0)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_comm_group_end: no accel_comm_group_begin to end on this thread");
    if (--tl_group.depth > 0) return ACCEL_OK;
    accel_status st = ACCEL_OK;
    for (size_t i = 0; i < tl_group.count; ++i) {
        pending *p = &tl_group.items[i];
        int rc = MPI_Wait(&p->req, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS && st == ACCEL_OK)
            st = mpi_fail("accel_comm_group_end", p->is_recv ? "MPI_Irecv" : "MPI_Isend", rc);
        accel_status cst = view_close(p->stream, &p->view, p->is_recv && rc == MPI_SUCCESS);
        if (st == ACCEL_OK) st = cst;
    }
    free(tl_group.items);
    tl_group.items = NULL;
    tl_group.count = tl_group.cap = 0;
    return st;
}

static accel_status post(accel_comm *comm, accel_stream *s, const hal_collective *c, size_t bytes) {
    if (tl_group.count == tl_group.cap) {
        size_t cap = tl_group.cap ? 2 * tl_group.cap : 8;
        pending *n = realloc(tl_group.items, cap * sizeof *n);
        if (!n) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_comm: group of %zu", cap);
        tl_group.items = n;
        tl_group.cap = cap;
    }
    pending *p = &tl_group.items[tl_group.count];
    p->stream = s;
    p->is_recv = c->kind == ACCEL_COLL_RECV;
    accel_status st = view_open(s, p->is_recv ? c->recv : c->send, bytes, !p->is_recv, &p->view);
    if (st != ACCEL_OK) {
        view_close(s, &p->view, 0);
        return st;
    }
    int rc = p->is_recv ? MPI_Irecv(p->view.p, (int)c->count, mpi_type(c->dtype), c->peer_or_root,
                                    TAG_SENDRECV, comm->host->comm, &p->req)
                        : MPI_Isend(p->view.p, (int)c->count, mpi_type(c->dtype), c->peer_or_root,
                                    TAG_SENDRECV, comm->host->comm, &p->req);
    if (rc != MPI_SUCCESS) {
        view_close(s, &p->view, 0);
        return mpi_fail("accel_comm", p->is_recv ? "MPI_Irecv" : "MPI_Isend", rc);
    }
    tl_group.count++;
    return ACCEL_OK;
}

/* ---- collectives ---- */

static accel_status collective(accel_comm *comm, accel_stream *s, const hal_collective *c,
                               const char *fn) {
    const size_t es = accel_dtype_bytes(c->dtype), n = c->count, R = (size_t)comm->size;
    const size_t r = (size_t)comm->rank;
    const MPI_Comm mc = comm->host->comm;
    const MPI_Datatype t = mpi_type(c->dtype);
    const int cnt = (int)n;
    if ((c->kind == ACCEL_COLL_SEND || c->kind == ACCEL_COLL_RECV) && tl_group.depth > 0)
        return post(comm, s, c, n * es);
    const int same = c->send.buffer == c->recv.buffer && c->send.buffer;
    host_view sv = {0}, rv = {0};
    accel_status st = ACCEL_OK;
    int rc = MPI_SUCCESS, store_send = 0;
    const char *call = "";
    switch (c->kind) {
    case ACCEL_COLL_ALL_REDUCE: {
        const int inplace = same && c->send.offset == c->recv.offset;
        if (!inplace && (st = view_open(s, c->send, n * es, 1, &sv)) != ACCEL_OK) break;
        if ((st = view_open(s, c->recv, n * es, inplace, &rv)) != ACCEL_OK) break;
        call = "MPI_Allreduce";
        rc = MPI_Allreduce(inplace ? MPI_IN_PLACE : sv.p, rv.p, cnt, t, mpi_sum(c->dtype), mc);
        if (rc == MPI_SUCCESS && c->op == ACCEL_REDUCE_AVG) divide(rv.p, n, c->dtype, comm->size);
        break;
    }
    case ACCEL_COLL_ALL_GATHER: {
        const int inplace = same && c->send.offset == c->recv.offset + r * n * es;
        if (!inplace && (st = view_open(s, c->send, n * es, 1, &sv)) != ACCEL_OK) break;
        if ((st = view_open(s, c->recv, R * n * es, inplace, &rv)) != ACCEL_OK) break;
        call = "MPI_Allgather";
        rc = inplace ? MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, rv.p, cnt, t, mc)
                     : MPI_Allgather(sv.p, cnt, t, rv.p, cnt, t, mc);
        break;
    }
    case ACCEL_COLL_REDUCE_SCATTER: {
        /* In place, the result sits at part `rank` of the input (NCCL's convention), where
         * MPI_IN_PLACE would put it at the start: reduce into a scratch part instead. */
        const int inplace = same && c->recv.offset == c->send.offset + r * n * es;
        if ((st = view_open(s, c->send, R * n * es, 1, &sv)) != ACCEL_OK) break;
        unsigned char *out = NULL, *scratch = NULL;
        if (inplace) {
            scratch = malloc(n * es);
            if (!scratch) {
                st = hal_error(ACCEL_ERR_OUT_OF_MEMORY, "%s: %zu bytes of scratch", fn, n * es);
                break;
            }
            out = scratch;
        } else {
            if ((st = view_open(s, c->recv, n * es, 0, &rv)) != ACCEL_OK) break;
            out = rv.p;
        }
        call = "MPI_Reduce_scatter_block";
        rc = MPI_Reduce_scatter_block(sv.p, out, cnt, t, mpi_sum(c->dtype), mc);
        if (rc == MPI_SUCCESS && c->op == ACCEL_REDUCE_AVG) divide(out, n, c->dtype, comm->size);
        if (inplace && rc == MPI_SUCCESS) memcpy(sv.p + r * n * es, out, n * es);
        store_send = inplace;
        free(scratch);
        break;
    }
    case ACCEL_COLL_BROADCAST: {
        const int root = comm->rank == c->peer_or_root;
        const int inplace = same && c->send.offset == c->recv.offset;
        if (root && !inplace && (st = view_open(s, c->send, n * es, 1, &sv)) != ACCEL_OK) break;
        if ((st = view_open(s, c->recv, n * es, root && inplace, &rv)) != ACCEL_OK) break;
        if (root && !inplace) memcpy(rv.p, sv.p, n * es);
        call = "MPI_Bcast";
        rc = MPI_Bcast(rv.p, cnt, t, c->peer_or_root, mc);
        break;
    }
    case ACCEL_COLL_ALLTOALL: {
        const int inplace = same && c->send.offset == c->recv.offset;
        if (!inplace && (st = view_open(s, c->send, R * n * es, 1, &sv)) != ACCEL_OK) break;
        if ((st = view_open(s, c->recv, R * n * es, inplace, &rv)) != ACCEL_OK) break;
        call = "MPI_Alltoall";
        rc = inplace ? MPI_Alltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, rv.p, cnt, t, mc)
                     : MPI_Alltoall(sv.p, cnt, t, rv.p, cnt, t, mc);
        break;
    }
    case ACCEL_COLL_SEND:
        if ((st = view_open(s, c->send, n * es, 1, &sv)) != ACCEL_OK) break;
        call = "MPI_Send";
        rc = MPI_Send(sv.p, cnt, t, c->peer_or_root, TAG_SENDRECV, mc);
        break;
    case ACCEL_COLL_RECV:
        if ((st = view_open(s, c->recv, n * es, 0, &rv)) != ACCEL_OK) break;
        call = "MPI_Recv";
        rc = MPI_Recv(rv.p, cnt, t, c->peer_or_root, TAG_SENDRECV, mc, MPI_STATUS_IGNORE);
        break;
    default:
        st = hal_error(ACCEL_ERR_INTERNAL, "%s: collective kind %d", fn, (int)c->kind);
    }
    if (st == ACCEL_OK && rc != MPI_SUCCESS) st = mpi_fail(fn, call, rc);
    const int ok = st == ACCEL_OK;
    /* In-place reduce_scatter wrote into the send range; every other kind into recv. */
    accel_status cs = view_close(s, &sv, ok && store_send);
    accel_status cr = view_close(s, &rv, ok);
    if (st == ACCEL_OK) st = cs != ACCEL_OK ? cs : cr;
    return st;
}

accel_status hal_host_collective(accel_comm *comm, accel_stream *stream, const hal_collective *c) {
    static const char *const fns[ACCEL_COLL_KIND_COUNT_] = {
        "accel_comm_all_reduce", "accel_comm_all_gather", "accel_comm_reduce_scatter",
        "accel_comm_broadcast",  "accel_comm_alltoall",   "accel_comm_send",
        "accel_comm_recv"};
    const char *fn = fns[c->kind];
    size_t per_call = c->count;
    if (per_call > INT_MAX)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "%s: %zu elements per rank exceed MPI's int count (%d)", fn, per_call,
                         INT_MAX);
    /* The stream is in order: work enqueued before the collective finishes before MPI reads host
     * memory, and the result is in place when the call returns, before anything enqueued later. */
    const accel_backend_ops *o = stream->dev->be->ops;
    accel_status st = o->stream_synchronize(stream->handle);
    if (st != ACCEL_OK) return st;
    return collective(comm, stream, c, fn);
}
