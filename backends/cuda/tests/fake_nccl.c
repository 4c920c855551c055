/* A stand-in libnccl.so.2 for tests without a GPU: the entry points the cuda plugin resolves
 * (src/cuda_nccl.h), moving data between the fake driver's "device" buffers, which are host memory
 * (fake_libcuda.c). Ranks are communicators of one process, from one thread inside a group (local
 * comms) or from several threads. A collective runs once every rank of the communicator has posted
 * its matching call; a group that ends with a call the other ranks never posted fails with
 * ncclInvalidUsage (real NCCL would hang), and ranks that post different collectives, counts,
 * types, operations or roots get ncclInvalidUsage (real NCCL would compute garbage or hang).
 * Reductions add in float in rank order and round once (bf16/fp16: to nearest even).
 * Behaviour picked by the environment:
 *   ACCEL_FAKE_NCCL_VERSION  the code ncclGetVersion reports (default 22605 = 2.26.5)
 *   ACCEL_FAKE_NCCL=initfail ncclCommInitRank answers ncclUnhandledCudaError
 *   ACCEL_FAKE_NCCL=remote   collectives answer ncclRemoteError, as after a lost peer, and
 *                            ncclCommGetAsyncError reports it
 * Test-only; never installed. Signatures come from nccl.h, so they cannot drift. */
#include <math.h>
#include <nccl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_EXPORT __attribute__((visibility("default")))
#define MAX_RANKS 8
#define MAX_PENDING 64

typedef enum { OP_ALL_REDUCE, OP_ALL_GATHER, OP_REDUCE_SCATTER, OP_BROADCAST, OP_SEND, OP_RECV } op_kind;

typedef struct pending {
    op_kind kind;
    const void *send;
    void *recv;
    size_t count;
    ncclDataType_t dtype;
    ncclRedOp_t op;
    int root_or_peer;
    int group_serial; /* the group it was posted in (0: none) */
} pending;

typedef struct clique clique;
struct ncclComm {
    clique *clique;
    int rank;
    ncclResult_t async;
    pending queue[MAX_PENDING]; /* collectives in posting order */
    int nqueue;
    pending p2p[MAX_PENDING]; /* sends and receives, matched by peer */
    int np2p;
};

struct clique {
    uint64_t id;
    int nranks, joined;
    struct ncclComm *ranks[MAX_RANKS];
    clique *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static clique *cliques;
static uint64_t next_id = 1;
static __thread int group_depth;
static __thread int group_serial;
static int serials;

static const char *mode(void) {
    const char *m = getenv("ACCEL_FAKE_NCCL");
    return m ? m : "";
}

FAKE_EXPORT ncclResult_t ncclGetVersion(int *version) {
    const char *v = getenv("ACCEL_FAKE_NCCL_VERSION");
    *version = v && v[0] ? atoi(v) : 22605;
    return ncclSuccess;
}

FAKE_EXPORT const char *ncclGetErrorString(ncclResult_t r) {
    switch (r) {
    case ncclSuccess: return "no error";
    case ncclUnhandledCudaError: return "unhandled cuda error (fake: no GPU behind the fake driver)";
    case ncclSystemError: return "unhandled system error";
    case ncclInternalError: return "internal error";
    case ncclInvalidArgument: return "invalid argument";
    case ncclInvalidUsage: return "invalid usage (fake: ranks disagree, or a group ended unmatched)";
    case ncclRemoteError: return "remote process exited or there was a network error";
    default: return "unknown result code";
    }
}

/* The unique id carries a magic and the clique number, so ids that did not come from here fail. */
static const char magic[8] = "fakencl";

FAKE_EXPORT ncclResult_t ncclGetUniqueId(ncclUniqueId *id) {
    memset(id, 0, sizeof *id);
    memcpy(id->internal, magic, sizeof magic);
    pthread_mutex_lock(&lock);
    const uint64_t n = next_id++;
    pthread_mutex_unlock(&lock);
    memcpy(id->internal + 8, &n, sizeof n);
    return ncclSuccess;
}

FAKE_EXPORT ncclResult_t ncclCommInitRank(ncclComm_t *comm, int nranks, ncclUniqueId id, int rank) {
    if (strcmp(mode(), "initfail") == 0) return ncclUnhandledCudaError;
    if (!comm || nranks < 1 || nranks > MAX_RANKS || rank < 0 || rank >= nranks) return ncclInvalidArgument;
    if (memcmp(id.internal, magic, sizeof magic) != 0) return ncclInvalidArgument;
    uint64_t cid;
    memcpy(&cid, id.internal + 8, sizeof cid);
    ncclResult_t r = ncclSuccess;
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
    struct ncclComm *m = NULL;
    if (!c) r = ncclSystemError;
    else if (c->nranks != nranks || c->ranks[rank]) r = ncclInvalidUsage;
    else if (!(m = calloc(1, sizeof *m))) r = ncclSystemError;
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

FAKE_EXPORT ncclResult_t ncclCommInitAll(ncclComm_t *comms, int ndev, const int *devlist) {
    (void)devlist;
    ncclUniqueId id;
    ncclGetUniqueId(&id);
    for (int i = 0; i < ndev; ++i) {
        ncclResult_t r = ncclCommInitRank(&comms[i], ndev, id, i);
        if (r != ncclSuccess) return r;
    }
    return ncclSuccess;
}

static void leave(struct ncclComm *m) {
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

FAKE_EXPORT ncclResult_t ncclCommDestroy(ncclComm_t comm) {
    if (!comm) return ncclInvalidArgument;
    /* Real NCCL would wait for work no peer will ever match: here it is an error of the caller. */
    const int unmatched = comm->nqueue || comm->np2p;
    leave(comm);
    return unmatched ? ncclInvalidUsage : ncclSuccess;
}
FAKE_EXPORT ncclResult_t ncclCommAbort(ncclComm_t comm) {
    if (!comm) return ncclInvalidArgument;
    leave(comm);
    return ncclSuccess;
}
FAKE_EXPORT ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t *err) {
    if (!comm || !err) return ncclInvalidArgument;
    *err = comm->async;
    return ncclSuccess;
}

/* ---- element arithmetic ---- */
static size_t type_size(ncclDataType_t t) {
    switch (t) {
    case ncclInt8: case ncclUint8: return 1;
    case ncclFloat16: case ncclBfloat16: return 2;
    case ncclInt32: case ncclUint32: case ncclFloat32: return 4;
    case ncclInt64: case ncclUint64: case ncclFloat64: return 8;
    default: return 0;
    }
}

static float half_to_float(uint16_t h) {
    const uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    float f;
    if (exp == 0) f = (float)man / 16777216.0f; /* subnormal: man * 2^-24 */
    else if (exp == 31) f = man ? NAN : INFINITY;
    else {
        const uint32_t bits = ((exp + 112) << 23) | (man << 13);
        memcpy(&f, &bits, sizeof f);
    }
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    b |= sign;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* Integer-valued sums (what the tests use) are exact in half; values are rounded to nearest even
 * through float's own conversion of the scaled mantissa. */
static uint16_t float_to_half(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    const uint16_t sign = (uint16_t)((b >> 16) & 0x8000);
    const float a = fabsf(f);
    if (a != a) return sign | 0x7e00;
    if (a >= 65520.0f) return sign | 0x7c00;
    if (a < 6.103515625e-05f) return sign | (uint16_t)nearbyintf(a * 16777216.0f);
    int e;
    const float m = frexpf(a, &e); /* a = m * 2^e, m in [0.5, 1) */
    uint32_t man = (uint32_t)nearbyintf(m * 2048.0f); /* 11 significant bits */
    if (man == 2048) { man = 1024; ++e; }
    if (e + 14 >= 31) return sign | 0x7c00;
    return sign | (uint16_t)(((uint32_t)(e + 14) << 10) | (man & 0x3ff));
}

static float bf16_to_float(uint16_t h) {
    const uint32_t b = (uint32_t)h << 16;
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}
static uint16_t float_to_bf16(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    if ((b & 0x7fffffff) > 0x7f800000) return (uint16_t)((b >> 16) | 0x40);
    b += 0x7fff + ((b >> 16) & 1);
    return (uint16_t)(b >> 16);
}

static double load(const void *p, size_t i, ncclDataType_t t) {
    switch (t) {
    case ncclFloat32: return ((const float *)p)[i];
    case ncclFloat64: return ((const double *)p)[i];
    case ncclFloat16: return half_to_float(((const uint16_t *)p)[i]);
    case ncclBfloat16: return bf16_to_float(((const uint16_t *)p)[i]);
    case ncclInt32: return ((const int32_t *)p)[i];
    default: return 0;
    }
}
static void store(void *p, size_t i, ncclDataType_t t, double v) {
    switch (t) {
    case ncclFloat32: ((float *)p)[i] = (float)v; break;
    case ncclFloat64: ((double *)p)[i] = v; break;
    case ncclFloat16: ((uint16_t *)p)[i] = float_to_half((float)v); break;
    case ncclBfloat16: ((uint16_t *)p)[i] = float_to_bf16((float)v); break;
    case ncclInt32: ((int32_t *)p)[i] = (int32_t)v; break;
    default: break;
    }
}
static int reducible(ncclDataType_t t) {
    return t == ncclFloat32 || t == ncclFloat64 || t == ncclFloat16 || t == ncclBfloat16 || t == ncclInt32;
}

/* ---- running matched collectives ---- */
static int same_call(const pending *a, const pending *b) {
    return a->kind == b->kind && a->count == b->count && a->dtype == b->dtype && a->op == b->op &&
           a->root_or_peer == b->root_or_peer;
}

/* Runs the collective at the head of every rank's queue (all present and agreeing). Results go to
 * scratch first: in-place calls read the buffers they write. */
static ncclResult_t run_collective(clique *c) {
    const int n = c->nranks;
    pending *p[MAX_RANKS] = {0};
    for (int r = 0; r < n; ++r) p[r] = &c->ranks[r]->queue[0];
    ncclResult_t res = ncclSuccess;
    for (int r = 1; r < n; ++r)
        if (!same_call(p[0], p[r])) res = ncclInvalidUsage; /* dropped from every queue below */
    const size_t count = p[0]->count, es = type_size(p[0]->dtype);
    const ncclDataType_t t = p[0]->dtype;
    size_t out_elems = p[0]->kind == OP_ALL_GATHER ? count * (size_t)n : count;
    void *out[MAX_RANKS] = {0};
    for (int r = 0; r < n && res == ncclSuccess; ++r)
        if (!(out[r] = malloc(out_elems * es))) res = ncclSystemError;
    if (res == ncclSuccess) switch (p[0]->kind) {
    case OP_ALL_REDUCE:
    case OP_REDUCE_SCATTER:
        if (!reducible(t) || (p[0]->op != ncclSum && p[0]->op != ncclAvg)) { res = ncclInvalidArgument; break; }
        for (int dst = 0; dst < n; ++dst)
            for (size_t i = 0; i < count; ++i) {
                const size_t src_i = p[0]->kind == OP_REDUCE_SCATTER ? (size_t)dst * count + i : i;
                double sum = 0;
                for (int r = 0; r < n; ++r) sum += (float)load(p[r]->send, src_i, t);
                store(out[dst], i, t, p[0]->op == ncclAvg ? (float)sum / (float)n : (float)sum);
            }
        break;
    case OP_ALL_GATHER:
        for (int dst = 0; dst < n; ++dst)
            for (int r = 0; r < n; ++r) memcpy((char *)out[dst] + (size_t)r * count * es, p[r]->send, count * es);
        break;
    case OP_BROADCAST:
        for (int dst = 0; dst < n; ++dst) memcpy(out[dst], p[p[0]->root_or_peer]->send, count * es);
        break;
    default: res = ncclInternalError; break;
    }
    for (int r = 0; r < n; ++r) {
        if (res == ncclSuccess) memcpy(p[r]->recv, out[r], out_elems * es);
        free(out[r]);
        struct ncclComm *m = c->ranks[r];
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
static ncclResult_t run_p2p(clique *c) {
    for (int matched = 1; matched;) {
        matched = 0;
        for (int s = 0; !matched && s < c->nranks; ++s) {
            struct ncclComm *ms = c->ranks[s];
            for (int i = 0; !matched && ms && i < ms->np2p; ++i) {
                const pending snd = ms->p2p[i];
                if (snd.kind != OP_SEND) continue;
                struct ncclComm *mr = c->ranks[snd.root_or_peer];
                for (int j = 0; !matched && mr && j < mr->np2p; ++j) {
                    const pending rcv = mr->p2p[j];
                    if (rcv.kind != OP_RECV || rcv.root_or_peer != s) continue;
                    if (rcv.count != snd.count || rcv.dtype != snd.dtype) return ncclInvalidUsage;
                    memmove(rcv.recv, snd.send, snd.count * type_size(snd.dtype));
                    /* Higher index first: both may sit in one list (a send to oneself). */
                    if (ms == mr && j > i) { drop(mr->p2p, &mr->np2p, j); drop(ms->p2p, &ms->np2p, i); }
                    else { drop(ms->p2p, &ms->np2p, i); drop(mr->p2p, &mr->np2p, j); }
                    matched = 1;
                }
            }
        }
    }
    return ncclSuccess;
}

static ncclResult_t progress(clique *c) {
    for (;;) {
        int ready = c->joined == c->nranks;
        for (int r = 0; ready && r < c->nranks; ++r) ready = c->ranks[r]->nqueue > 0;
        if (!ready) break;
        const ncclResult_t res = run_collective(c);
        if (res != ncclSuccess) return res;
    }
    return run_p2p(c);
}

static ncclResult_t post(ncclComm_t comm, pending op, cudaStream_t stream) {
    (void)stream; /* the fake driver runs everything at once: stream order is posting order */
    if (!comm) return ncclInvalidArgument;
    if (strcmp(mode(), "remote") == 0) {
        comm->async = ncclRemoteError;
        return ncclRemoteError;
    }
    if (type_size(op.dtype) == 0) return ncclInvalidArgument;
    op.group_serial = group_depth ? group_serial : 0;
    pthread_mutex_lock(&lock);
    ncclResult_t r = ncclSuccess;
    int *n = op.kind == OP_SEND || op.kind == OP_RECV ? &comm->np2p : &comm->nqueue;
    pending *q = op.kind == OP_SEND || op.kind == OP_RECV ? comm->p2p : comm->queue;
    if (*n >= MAX_PENDING) r = ncclInternalError;
    else {
        q[(*n)++] = op;
        r = progress(comm->clique);
    }
    pthread_mutex_unlock(&lock);
    return r;
}

FAKE_EXPORT ncclResult_t ncclGroupStart(void) {
    if (group_depth++ == 0) {
        pthread_mutex_lock(&lock);
        group_serial = ++serials;
        pthread_mutex_unlock(&lock);
    }
    return ncclSuccess;
}

/* Everything posted inside the group must have found its partners by now. */
FAKE_EXPORT ncclResult_t ncclGroupEnd(void) {
    if (group_depth == 0) return ncclInvalidUsage;
    if (--group_depth) return ncclSuccess;
    ncclResult_t r = ncclSuccess;
    pthread_mutex_lock(&lock);
    for (clique *c = cliques; c; c = c->next)
        for (int k = 0; k < c->nranks; ++k) {
            struct ncclComm *m = c->ranks[k];
            for (int i = 0; m && i < m->nqueue; ++i)
                if (m->queue[i].group_serial == group_serial) r = ncclInvalidUsage;
            for (int i = 0; m && i < m->np2p; ++i)
                if (m->p2p[i].group_serial == group_serial) r = ncclInvalidUsage;
        }
    pthread_mutex_unlock(&lock);
    return r;
}

FAKE_EXPORT ncclResult_t ncclAllReduce(const void *send, void *recv, size_t count, ncclDataType_t t, ncclRedOp_t op,
                                       ncclComm_t comm, cudaStream_t s) {
    return post(comm, (pending){OP_ALL_REDUCE, send, recv, count, t, op, 0, 0}, s);
}
FAKE_EXPORT ncclResult_t ncclAllGather(const void *send, void *recv, size_t count, ncclDataType_t t, ncclComm_t comm,
                                       cudaStream_t s) {
    return post(comm, (pending){OP_ALL_GATHER, send, recv, count, t, ncclSum, 0, 0}, s);
}
FAKE_EXPORT ncclResult_t ncclReduceScatter(const void *send, void *recv, size_t count, ncclDataType_t t,
                                           ncclRedOp_t op, ncclComm_t comm, cudaStream_t s) {
    return post(comm, (pending){OP_REDUCE_SCATTER, send, recv, count, t, op, 0, 0}, s);
}
FAKE_EXPORT ncclResult_t ncclBroadcast(const void *send, void *recv, size_t count, ncclDataType_t t, int root,
                                       ncclComm_t comm, cudaStream_t s) {
    if (!comm || root < 0 || root >= comm->clique->nranks) return ncclInvalidArgument;
    return post(comm, (pending){OP_BROADCAST, send, recv, count, t, ncclSum, root, 0}, s);
}
FAKE_EXPORT ncclResult_t ncclSend(const void *send, size_t count, ncclDataType_t t, int peer, ncclComm_t comm,
                                  cudaStream_t s) {
    if (!comm || peer < 0 || peer >= comm->clique->nranks) return ncclInvalidArgument;
    return post(comm, (pending){OP_SEND, send, NULL, count, t, ncclSum, peer, 0}, s);
}
FAKE_EXPORT ncclResult_t ncclRecv(void *recv, size_t count, ncclDataType_t t, int peer, ncclComm_t comm,
                                  cudaStream_t s) {
    if (!comm || peer < 0 || peer >= comm->clique->nranks) return ncclInvalidArgument;
    return post(comm, (pending){OP_RECV, NULL, recv, count, t, ncclSum, peer, 0}, s);
}
