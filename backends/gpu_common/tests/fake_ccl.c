/* A stand-in collective library with NCCL's C ABI (accel_common/ccl.h) for tests without a GPU:
 * built as libnccl.so.2 for the cuda tests (over fake_libcuda.c) and as librccl.so.1 for the hip
 * tests (over mock_hip.c). Both fakes keep "device" buffers in host memory, so data moves with
 * memcpy. Ranks are communicators of one process, from one thread inside a group (local comms) or
 * from several threads. A collective runs once every rank of the communicator has posted its
 * matching call; a group that ends with a call the other ranks never posted fails with
 * ncclInvalidUsage (the real libraries would hang), and ranks that post different collectives,
 * counts, types, operations or roots get ncclInvalidUsage (the real ones would compute garbage or
 * hang). Reductions add in float in rank order and round once (bf16/fp16: to nearest even).
 * Behaviour picked by the environment:
 *   ACCEL_FAKE_CCL_VERSION   the code ncclGetVersion reports (default 22605 = 2.26.5)
 *   ACCEL_FAKE_CCL=initfail  ncclCommInitRank answers ncclUnhandledCudaError
 *   ACCEL_FAKE_CCL=remote    collectives answer ncclRemoteError, as after a lost peer, and
 *                            ncclCommGetAsyncError reports it
 * Test-only; never installed. The signatures are the table's (ccl.h), so they cannot drift from
 * what the plugins call. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accel/reference.h"
#include "accel_common/ccl.h"

#define FAKE_EXPORT __attribute__((visibility("default")))
#define MAX_RANKS 8
#define MAX_PENDING 64

typedef enum { OP_ALL_REDUCE, OP_ALL_GATHER, OP_REDUCE_SCATTER, OP_BROADCAST, OP_SEND, OP_RECV } op_kind;

typedef struct pending {
    op_kind kind;
    const void *send;
    void *recv;
    size_t count;
    int dtype;
    int op;
    int root_or_peer;
    int group_serial; /* the group it was posted in (0: none) */
} pending;

typedef struct clique clique;
struct accel_ccl_opaque {
    clique *clique;
    int rank;
    accel_ccl_result async;
    pending queue[MAX_PENDING]; /* collectives in posting order */
    int nqueue;
    pending p2p[MAX_PENDING]; /* sends and receives, matched by peer */
    int np2p;
};

struct clique {
    uint64_t id;
    int nranks, joined;
    struct accel_ccl_opaque *ranks[MAX_RANKS];
    clique *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static clique *cliques;
static uint64_t next_id = 1;
static __thread int group_depth;
static __thread int group_serial;
static int serials;

static const char *mode(void) {
    const char *m = getenv("ACCEL_FAKE_CCL");
    return m ? m : "";
}

FAKE_EXPORT accel_ccl_result ncclGetVersion(int *version) {
    const char *v = getenv("ACCEL_FAKE_CCL_VERSION");
    *version = v && v[0] ? atoi(v) : 22605;
    return ACCEL_CCL_SUCCESS;
}

FAKE_EXPORT const char *ncclGetErrorString(accel_ccl_result r) {
    switch (r) {
    case ACCEL_CCL_SUCCESS: return "no error";
    case ACCEL_CCL_UNHANDLED_CUDA_ERROR: return "unhandled cuda error (fake: no GPU behind the fake driver)";
    case ACCEL_CCL_SYSTEM_ERROR: return "unhandled system error";
    case ACCEL_CCL_INTERNAL_ERROR: return "internal error";
    case ACCEL_CCL_INVALID_ARGUMENT: return "invalid argument";
    case ACCEL_CCL_INVALID_USAGE: return "invalid usage (fake: ranks disagree, or a group ended unmatched)";
    case ACCEL_CCL_REMOTE_ERROR: return "remote process exited or there was a network error";
    default: return "unknown result code";
    }
}

/* The unique id carries a magic and the clique number, so ids that did not come from here fail. */
static const char magic[8] = "fakencl";

FAKE_EXPORT accel_ccl_result ncclGetUniqueId(accel_ccl_unique_id *id) {
    memset(id, 0, sizeof *id);
    memcpy(id->internal, magic, sizeof magic);
    pthread_mutex_lock(&lock);
    const uint64_t n = next_id++;
    pthread_mutex_unlock(&lock);
    memcpy(id->internal + 8, &n, sizeof n);
    return ACCEL_CCL_SUCCESS;
}

FAKE_EXPORT accel_ccl_result ncclCommInitRank(accel_ccl_comm *comm, int nranks, accel_ccl_unique_id id, int rank) {
    if (strcmp(mode(), "initfail") == 0) return ACCEL_CCL_UNHANDLED_CUDA_ERROR;
    if (!comm || nranks < 1 || nranks > MAX_RANKS || rank < 0 || rank >= nranks) return ACCEL_CCL_INVALID_ARGUMENT;
    if (memcmp(id.internal, magic, sizeof magic) != 0) return ACCEL_CCL_INVALID_ARGUMENT;
    uint64_t cid;
    memcpy(&cid, id.internal + 8, sizeof cid);
    accel_ccl_result r = ACCEL_CCL_SUCCESS;
    pthread_mutex_lock(&lock);
    clique *c = cliques;
    while (c && c->id != cid) c = c->next;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (c) {
            c->id = cid;
            c->nranks = nranks;
            c->next = cliques;
            cliques = c;
        }
    }
    struct accel_ccl_opaque *m = NULL;
    if (!c) r = ACCEL_CCL_SYSTEM_ERROR;
    else if (c->nranks != nranks || c->ranks[rank]) r = ACCEL_CCL_INVALID_USAGE;
    else if (!(m = calloc(1, sizeof *m))) r = ACCEL_CCL_SYSTEM_ERROR;
    else {
        m->clique = c;
        m->rank = rank;
        c->ranks[rank] = m;
        c->joined++;
        *comm = m;
    }
    pthread_mutex_unlock(&lock);
    return r;
}

FAKE_EXPORT accel_ccl_result ncclCommInitAll(accel_ccl_comm *comms, int ndev, const int *devlist) {
    (void)devlist;
    accel_ccl_unique_id id;
    ncclGetUniqueId(&id);
    for (int i = 0; i < ndev; ++i) {
        accel_ccl_result r = ncclCommInitRank(&comms[i], ndev, id, i);
        if (r != ACCEL_CCL_SUCCESS) return r;
    }
    return ACCEL_CCL_SUCCESS;
}

static void leave(struct accel_ccl_opaque *m) {
    pthread_mutex_lock(&lock);
    clique *c = m->clique;
    c->ranks[m->rank] = NULL;
    if (--c->joined == 0) {
        clique **p = &cliques;
        while (*p != c) p = &(*p)->next;
        *p = c->next;
        free(c);
    }
    pthread_mutex_unlock(&lock);
    free(m);
}

FAKE_EXPORT accel_ccl_result ncclCommDestroy(accel_ccl_comm comm) {
    if (!comm) return ACCEL_CCL_INVALID_ARGUMENT;
    /* Real NCCL would wait for work no peer will ever match: here it is an error of the caller. */
    const int unmatched = comm->nqueue || comm->np2p;
    leave(comm);
    return unmatched ? ACCEL_CCL_INVALID_USAGE : ACCEL_CCL_SUCCESS;
}
FAKE_EXPORT accel_ccl_result ncclCommAbort(accel_ccl_comm comm) {
    if (!comm) return ACCEL_CCL_INVALID_ARGUMENT;
    leave(comm);
    return ACCEL_CCL_SUCCESS;
}
FAKE_EXPORT accel_ccl_result ncclCommGetAsyncError(accel_ccl_comm comm, accel_ccl_result *err) {
    if (!comm || !err) return ACCEL_CCL_INVALID_ARGUMENT;
    *err = comm->async;
    return ACCEL_CCL_SUCCESS;
}

/* ---- element arithmetic ---- */
static size_t type_size(int t) {
    switch (t) {
    case ACCEL_CCL_INT8: case ACCEL_CCL_UINT8: return 1;
    case ACCEL_CCL_FLOAT16: case ACCEL_CCL_BFLOAT16: return 2;
    case ACCEL_CCL_INT32: case ACCEL_CCL_UINT32: case ACCEL_CCL_FLOAT32: return 4;
    case ACCEL_CCL_INT64: case ACCEL_CCL_UINT64: case ACCEL_CCL_FLOAT64: return 8;
    default: return 0;
    }
}

static double load(const void *p, size_t i, int t) {
    switch (t) {
    case ACCEL_CCL_FLOAT32: return ((const float *)p)[i];
    case ACCEL_CCL_FLOAT64: return ((const double *)p)[i];
    case ACCEL_CCL_FLOAT16: return accel_ref_f16_to_f32(((const uint16_t *)p)[i]);
    case ACCEL_CCL_BFLOAT16: return accel_ref_bf16_to_f32(((const uint16_t *)p)[i]);
    case ACCEL_CCL_INT32: return ((const int32_t *)p)[i];
    default: return 0;
    }
}
static void store(void *p, size_t i, int t, double v) {
    switch (t) {
    case ACCEL_CCL_FLOAT32: ((float *)p)[i] = (float)v; break;
    case ACCEL_CCL_FLOAT64: ((double *)p)[i] = v; break;
    case ACCEL_CCL_FLOAT16: ((uint16_t *)p)[i] = accel_ref_f32_to_f16((float)v); break;
    case ACCEL_CCL_BFLOAT16: ((uint16_t *)p)[i] = accel_ref_f32_to_bf16((float)v); break;
    case ACCEL_CCL_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
    default: break;
    }
}
static int reducible(int t) {
    return t == ACCEL_CCL_FLOAT32 || t == ACCEL_CCL_FLOAT64 || t == ACCEL_CCL_FLOAT16 || t == ACCEL_CCL_BFLOAT16 || t == ACCEL_CCL_INT32;
}

/* ---- running matched collectives ---- */
static int same_call(const pending *a, const pending *b) {
    return a->kind == b->kind && a->count == b->count && a->dtype == b->dtype && a->op == b->op &&
           a->root_or_peer == b->root_or_peer;
}

/* Runs the collective at the head of every rank's queue (all present and agreeing). Results go to
 * scratch first: in-place calls read the buffers they write. */
static accel_ccl_result run_collective(clique *c) {
    const int n = c->nranks;
    pending *p[MAX_RANKS] = {0};
    for (int r = 0; r < n; ++r) p[r] = &c->ranks[r]->queue[0];
    accel_ccl_result res = ACCEL_CCL_SUCCESS;
    for (int r = 1; r < n; ++r)
        if (!same_call(p[0], p[r])) res = ACCEL_CCL_INVALID_USAGE; /* dropped from every queue below */
    const size_t count = p[0]->count, es = type_size(p[0]->dtype);
    const int t = p[0]->dtype;
    size_t out_elems = p[0]->kind == OP_ALL_GATHER ? count * (size_t)n : count;
    void *out[MAX_RANKS] = {0};
    for (int r = 0; r < n && res == ACCEL_CCL_SUCCESS; ++r)
        if (!(out[r] = malloc(out_elems * es))) res = ACCEL_CCL_SYSTEM_ERROR;
    if (res == ACCEL_CCL_SUCCESS) switch (p[0]->kind) {
    case OP_ALL_REDUCE:
    case OP_REDUCE_SCATTER:
        if (!reducible(t) || (p[0]->op != ACCEL_CCL_SUM && p[0]->op != ACCEL_CCL_AVG)) { res = ACCEL_CCL_INVALID_ARGUMENT; break; }
        for (int dst = 0; dst < n; ++dst)
            for (size_t i = 0; i < count; ++i) {
                const size_t src_i = p[0]->kind == OP_REDUCE_SCATTER ? (size_t)dst * count + i : i;
                double sum = 0;
                for (int r = 0; r < n; ++r) sum += (float)load(p[r]->send, src_i, t);
                store(out[dst], i, t, p[0]->op == ACCEL_CCL_AVG ? (float)sum / (float)n : (float)sum);
            }
        break;
    case OP_ALL_GATHER:
        for (int dst = 0; dst < n; ++dst)
            for (int r = 0; r < n; ++r) memcpy((char *)out[dst] + (size_t)r * count * es, p[r]->send, count * es);
        break;
    case OP_BROADCAST:
        for (int dst = 0; dst < n; ++dst) memcpy(out[dst], p[p[0]->root_or_peer]->send, count * es);
        break;
    default: res = ACCEL_CCL_INTERNAL_ERROR; break;
    }
    for (int r = 0; r < n; ++r) {
        if (res == ACCEL_CCL_SUCCESS) memcpy(p[r]->recv, out[r], out_elems * es);
        free(out[r]);
        struct accel_ccl_opaque *m = c->ranks[r];
        memmove(&m->queue[0], &m->queue[1], (size_t)(m->nqueue - 1) * sizeof m->queue[0]);
        m->nqueue--;
    }
    return res;
}

static void drop(pending *list, int *n, int i) {
    memmove(&list[i], &list[i + 1], (size_t)(*n - i - 1) * sizeof *list);
    --*n;
}

/* Matches sends with receives of the same pair, first posted with first posted, until no pair is
 * left to match. */
static accel_ccl_result run_p2p(clique *c) {
    for (int matched = 1; matched;) {
        matched = 0;
        for (int s = 0; !matched && s < c->nranks; ++s) {
            struct accel_ccl_opaque *ms = c->ranks[s];
            for (int i = 0; !matched && ms && i < ms->np2p; ++i) {
                const pending snd = ms->p2p[i];
                if (snd.kind != OP_SEND) continue;
                struct accel_ccl_opaque *mr = c->ranks[snd.root_or_peer];
                for (int j = 0; !matched && mr && j < mr->np2p; ++j) {
                    const pending rcv = mr->p2p[j];
                    if (rcv.kind != OP_RECV || rcv.root_or_peer != s) continue;
                    if (rcv.count != snd.count || rcv.dtype != snd.dtype) return ACCEL_CCL_INVALID_USAGE;
                    memmove(rcv.recv, snd.send, snd.count * type_size(snd.dtype));
                    /* Higher index first: both may sit in one list (a send to oneself). */
                    if (ms == mr && j > i) { drop(mr->p2p, &mr->np2p, j); drop(ms->p2p, &ms->np2p, i); }
                    else { drop(ms->p2p, &ms->np2p, i); drop(mr->p2p, &mr->np2p, j); }
                    matched = 1;
                }
            }
        }
    }
    return ACCEL_CCL_SUCCESS;
}

static accel_ccl_result progress(clique *c) {
    for (;;) {
        int ready = c->joined == c->nranks;
        for (int r = 0; ready && r < c->nranks; ++r) ready = c->ranks[r]->nqueue > 0;
        if (!ready) break;
        const accel_ccl_result res = run_collective(c);
        if (res != ACCEL_CCL_SUCCESS) return res;
    }
    return run_p2p(c);
}

static accel_ccl_result post(accel_ccl_comm comm, pending op, accel_ccl_stream stream) {
    (void)stream; /* the fake driver runs everything at once: stream order is posting order */
    if (!comm) return ACCEL_CCL_INVALID_ARGUMENT;
    if (strcmp(mode(), "remote") == 0) {
        comm->async = ACCEL_CCL_REMOTE_ERROR;
        return ACCEL_CCL_REMOTE_ERROR;
    }
    if (type_size(op.dtype) == 0) return ACCEL_CCL_INVALID_ARGUMENT;
    op.group_serial = group_depth ? group_serial : 0;
    pthread_mutex_lock(&lock);
    accel_ccl_result r = ACCEL_CCL_SUCCESS;
    int *n = op.kind == OP_SEND || op.kind == OP_RECV ? &comm->np2p : &comm->nqueue;
    pending *q = op.kind == OP_SEND || op.kind == OP_RECV ? comm->p2p : comm->queue;
    if (*n >= MAX_PENDING) r = ACCEL_CCL_INTERNAL_ERROR;
    else {
        q[(*n)++] = op;
        r = progress(comm->clique);
    }
    pthread_mutex_unlock(&lock);
    return r;
}

FAKE_EXPORT accel_ccl_result ncclGroupStart(void) {
    if (group_depth++ == 0) {
        pthread_mutex_lock(&lock);
        group_serial = ++serials;
        pthread_mutex_unlock(&lock);
    }
    return ACCEL_CCL_SUCCESS;
}

/* Everything posted inside the group must have found its partners by now. */
FAKE_EXPORT accel_ccl_result ncclGroupEnd(void) {
    if (group_depth == 0) return ACCEL_CCL_INVALID_USAGE;
    if (--group_depth) return ACCEL_CCL_SUCCESS;
    accel_ccl_result r = ACCEL_CCL_SUCCESS;
    pthread_mutex_lock(&lock);
    for (clique *c = cliques; c; c = c->next)
        for (int k = 0; k < c->nranks; ++k) {
            struct accel_ccl_opaque *m = c->ranks[k];
            for (int i = 0; m && i < m->nqueue; ++i)
                if (m->queue[i].group_serial == group_serial) r = ACCEL_CCL_INVALID_USAGE;
            for (int i = 0; m && i < m->np2p; ++i)
                if (m->p2p[i].group_serial == group_serial) r = ACCEL_CCL_INVALID_USAGE;
        }
    pthread_mutex_unlock(&lock);
    return r;
}

FAKE_EXPORT accel_ccl_result ncclAllReduce(const void *send, void *recv, size_t count, int t, int op,
                                       accel_ccl_comm comm, accel_ccl_stream s) {
    return post(comm, (pending){OP_ALL_REDUCE, send, recv, count, t, op, 0, 0}, s);
}
FAKE_EXPORT accel_ccl_result ncclAllGather(const void *send, void *recv, size_t count, int t, accel_ccl_comm comm,
                                       accel_ccl_stream s) {
    return post(comm, (pending){OP_ALL_GATHER, send, recv, count, t, ACCEL_CCL_SUM, 0, 0}, s);
}
FAKE_EXPORT accel_ccl_result ncclReduceScatter(const void *send, void *recv, size_t count, int t,
                                           int op, accel_ccl_comm comm, accel_ccl_stream s) {
    return post(comm, (pending){OP_REDUCE_SCATTER, send, recv, count, t, op, 0, 0}, s);
}
FAKE_EXPORT accel_ccl_result ncclBroadcast(const void *send, void *recv, size_t count, int t, int root,
                                       accel_ccl_comm comm, accel_ccl_stream s) {
    if (!comm || root < 0 || root >= comm->clique->nranks) return ACCEL_CCL_INVALID_ARGUMENT;
    return post(comm, (pending){OP_BROADCAST, send, recv, count, t, ACCEL_CCL_SUM, root, 0}, s);
}
FAKE_EXPORT accel_ccl_result ncclSend(const void *send, size_t count, int t, int peer, accel_ccl_comm comm,
                                  accel_ccl_stream s) {
    if (!comm || peer < 0 || peer >= comm->clique->nranks) return ACCEL_CCL_INVALID_ARGUMENT;
    return post(comm, (pending){OP_SEND, send, NULL, count, t, ACCEL_CCL_SUM, peer, 0}, s);
}
FAKE_EXPORT accel_ccl_result ncclRecv(void *recv, size_t count, int t, int peer, accel_ccl_comm comm,
                                  accel_ccl_stream s) {
    if (!comm || peer < 0 || peer >= comm->clique->nranks) return ACCEL_CCL_INVALID_ARGUMENT;
    return post(comm, (pending){OP_RECV, NULL, recv, count, t, ACCEL_CCL_SUM, peer, 0}, s);
}

/* Each export assigned to its table slot: a signature that drifts from ccl.h fails the build. */
__attribute__((unused)) static void signature_check(void) {
    accel_ccl_table t;
#define CHECK_SLOT(ret, name, params) (void)sizeof(t.name = name);
    ACCEL_CCL_BOOTSTRAP(CHECK_SLOT)
    ACCEL_CCL_REQUIRED(CHECK_SLOT)
#undef CHECK_SLOT
}
