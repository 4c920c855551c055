/* Communicators: argument checks, then the backend's collective library (plugin comm_* slots) or
 * the MPI host transport (comm_mpi.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_internal.h"

#define OPS(dev) ((dev)->be->ops)

#define TRY(x)                                                                                    \
    do {                                                                                          \
        accel_status st_ = (x);                                                                   \
        if (st_ != ACCEL_OK) return st_;                                                          \
    } while (0)

/* A backend carries its own collectives when it fills the required comm slots (plugin.h). */
static int has_library(const accel_backend_ops *o) {
    return HAL_HAS_SLOT(o, comm_library) && HAL_HAS_SLOT(o, comm_unique_id) &&
           HAL_HAS_SLOT(o, comm_init_rank) && HAL_HAS_SLOT(o, comm_destroy) &&
           HAL_HAS_SLOT(o, comm_collective);
}

/* The library's name, or its reason for being unavailable (left as the error message). */
static accel_status library_name(hal_backend *be, char *buf, size_t len) {
    accel_clear_error();
    accel_status st = be->ops->comm_library(be->ctx, buf, len);
    if (st != ACCEL_OK && !accel_last_error()[0])
        hal_error(st, "the %s backend's collective library is unavailable (%s)", be->ops->name,
                  accel_status_str(st));
    return st;
}

static accel_comm *comm_new(accel_device *dev, int rank, int size) {
    accel_comm *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->tag = TAG_COMM;
    c->dev = dev;
    c->rank = rank;
    c->size = size;
    return c;
}

static void comm_adopt(accel_comm *c) { hal_device_adopt(c->dev, HAL_OWNED_COMM); }

ACCEL_API accel_status accel_comm_create_world(accel_device *device, accel_comm **out_comm) {
    HAL_CHECK_OUT(out_comm);
    *out_comm = NULL;
    HAL_CHECK_HANDLE(device, TAG_DEVICE, "device");
    int rank = 0, size = 0;
    TRY(hal_mpi_world_of(&rank, &size));
    accel_comm *c = comm_new(device, rank, size);
    if (!c) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_comm_create_world: out of host memory");
    hal_backend *be = device->be;
    accel_status st;
    if (has_library(be->ops)) {
        /* Every rank must take part in the broadcast even when its library is missing, or rank 0
         * would wait in MPI forever: a failed rank broadcasts nothing but still joins. */
        unsigned char id[ACCEL_COMM_UNIQUE_ID_MAX + 8];
        memset(id, 0, sizeof id);
        st = library_name(be, c->library, sizeof c->library);
        size_t id_bytes = 0;
        if (st == ACCEL_OK && rank == 0) {
            st = be->ops->comm_unique_id(be->ctx, id + 8, ACCEL_COMM_UNIQUE_ID_MAX, &id_bytes);
            if (st == ACCEL_OK && (id_bytes == 0 || id_bytes > ACCEL_COMM_UNIQUE_ID_MAX))
                st = hal_error(ACCEL_ERR_INTERNAL,
                               "accel_comm_create_world: %s's comm_unique_id wrote %zu bytes "
                               "(1..%u expected)",
                               be->ops->name, id_bytes, ACCEL_COMM_UNIQUE_ID_MAX);
        }
        if (rank == 0) {
            const uint64_t n = st == ACCEL_OK ? id_bytes : 0;
            memcpy(id, &n, sizeof n);
        }
        char saved[512];
        snprintf(saved, sizeof saved, "%s", accel_last_error());
        accel_status bst = hal_mpi_bcast_bytes(id, sizeof id, 0);
        if (bst != ACCEL_OK) {
            free(c);
            return bst;
        }
        uint64_t n;
        memcpy(&n, id, sizeof n);
        if (st == ACCEL_OK && n == 0)
            st = hal_error(ACCEL_ERR_UNAVAILABLE,
                           "accel_comm_create_world: rank 0 could not make the %s bootstrap id; "
                           "see rank 0's error",
                           be->ops->name);
        else if (st != ACCEL_OK)
            hal_error(st, "%s", saved);
        if (st == ACCEL_OK) {
            accel_clear_error();
            st = be->ops->comm_init_rank(device->slot->handle, size, rank, id + 8, (size_t)n,
                                         &c->vendor);
            if (st != ACCEL_OK && !accel_last_error()[0])
                hal_error(st, "accel_comm_create_world: %s comm_init_rank (rank %d of %d): %s",
                          device->id, rank, size, accel_status_str(st));
        }
    } else {
        st = hal_host_comm_create(c);
    }
    if (st != ACCEL_OK) {
        free(c);
        return st;
    }
    comm_adopt(c);
    *out_comm = c;
    return ACCEL_OK;
}

ACCEL_API accel_status accel_comm_create_local(accel_device *const *devices, int ndevices,
                                               accel_comm **out_comms) {
    HAL_CHECK_OUT(out_comms);
    if (!devices)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_comm_create_local: devices is NULL");
    if (ndevices < 1)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_comm_create_local: %d devices (at least 1)", ndevices);
    for (int i = 0; i < ndevices; ++i) out_comms[i] = NULL;
    for (int i = 0; i < ndevices; ++i) {
        const accel_device *d = devices[i];
        if (!d || d->tag != TAG_DEVICE)
            return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                             "accel_comm_create_local: device %d is not a valid handle", i);
        if (d->be != devices[0]->be)
            return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                             "accel_comm_create_local: %s and %s belong to different backends",
                             devices[0]->id, d->id);
        for (int j = 0; j < i; ++j)
            if (hal_same_device(devices[j], d))
                return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                                 "accel_comm_create_local: %s is listed twice (ranks %d and %d)",
                                 d->id, j, i);
    }
    hal_backend *be = devices[0]->be;
    if (!has_library(be->ops))
        return hal_error(ACCEL_ERR_UNIMPLEMENTED,
                         "accel_comm_create_local: the %s backend has no collective library; its "
                         "collectives run over MPI with one rank per process: launch one process "
                         "per device (mpirun -np %d)",
                         be->ops->name, ndevices);
    char library[96];
    TRY(library_name(be, library, sizeof library));
    unsigned char id[ACCEL_COMM_UNIQUE_ID_MAX];
    size_t id_bytes = 0;
    TRY(be->ops->comm_unique_id(be->ctx, id, sizeof id, &id_bytes));
    accel_comm **made = calloc((size_t)ndevices, sizeof *made);
    if (!made) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_comm_create_local: out of memory");
    accel_status st = ACCEL_OK;
    if (HAL_HAS_SLOT(be->ops, comm_group_begin)) st = be->ops->comm_group_begin(be->ctx);
    int begun = st == ACCEL_OK;
    for (int i = 0; i < ndevices && st == ACCEL_OK; ++i) {
        made[i] = comm_new(devices[i], i, ndevices);
        if (!made[i]) {
            st = hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_comm_create_local: out of memory");
            break;
        }
        snprintf(made[i]->library, sizeof made[i]->library, "%s", library);
        st = be->ops->comm_init_rank(devices[i]->slot->handle, ndevices, i, id, id_bytes,
                                     &made[i]->vendor);
    }
    if (begun && HAL_HAS_SLOT(be->ops, comm_group_end)) {
        accel_status est = be->ops->comm_group_end(be->ctx);
        if (st == ACCEL_OK) st = est;
    }
    for (int i = 0; i < ndevices; ++i) {
        if (!made[i]) continue;
        if (st != ACCEL_OK) {
            if (made[i]->vendor) be->ops->comm_destroy(made[i]->vendor);
            free(made[i]);
        } else {
            comm_adopt(made[i]);
            out_comms[i] = made[i];
        }
    }
    free(made);
    return st;
}

ACCEL_API accel_status accel_comm_destroy(accel_comm *comm) {
    if (!comm) return ACCEL_OK;
    HAL_CHECK_HANDLE(comm, TAG_COMM, "comm");
    accel_status st = accel_device_synchronize(comm->dev);
    if (comm->vendor)
        OPS(comm->dev)->comm_destroy(comm->vendor);
    else
        hal_host_comm_destroy(comm);
    hal_device_release(comm->dev, HAL_OWNED_COMM);
    comm->tag = 0;
    free(comm);
    return st;
}

ACCEL_API accel_status accel_comm_library(const accel_comm *comm, char *buf, size_t len) {
    HAL_CHECK_HANDLE(comm, TAG_COMM, "comm");
    if (!buf || len == 0)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_comm_library: empty output buffer");
    snprintf(buf, len, "%s", comm->library);
    return ACCEL_OK;
}

ACCEL_API int accel_comm_rank(const accel_comm *comm) {
    return comm && comm->tag == TAG_COMM ? comm->rank : -1;
}

ACCEL_API int accel_comm_size(const accel_comm *comm) {
    return comm && comm->tag == TAG_COMM ? comm->size : -1;
}

ACCEL_API accel_device *accel_comm_device(const accel_comm *comm) {
    return comm && comm->tag == TAG_COMM ? comm->dev : NULL;
}

/* ---- collectives ---- */

static const char *const kind_names[ACCEL_COLL_KIND_COUNT_] = {
    "all_reduce", "all_gather", "reduce_scatter", "broadcast", "alltoall", "send", "recv"};

static accel_status check_ref(const char *fn, const accel_comm *comm, accel_buffer_ref r,
                              size_t bytes, const char *what) {
    if (!r.buffer) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: %s buffer is NULL", fn, what);
    if (r.buffer->tag != TAG_BUFFER)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: %s buffer is not a valid handle", fn, what);
    if (!hal_same_device(r.buffer->dev, comm->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: %s buffer belongs to %s, the comm to %s",
                         fn, what, r.buffer->dev->id, comm->dev->id);
    if (!hal_range_ok(r.buffer->size, r.offset, bytes))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "%s: %s range [%zu, %zu + %zu) is outside the %zu-byte buffer", fn, what,
                         r.offset, r.offset, bytes, r.buffer->size);
    return ACCEL_OK;
}

/* a*b without overflow. */
static int mul_ok(size_t a, size_t b, size_t *out) {
    if (a && b > (size_t)-1 / a) return 0;
    *out = a * b;
    return 1;
}

/* Checks one collective and hands it to the comm's transport. send_bytes / recv_bytes are the
 * ranges read and written; inplace_at is the byte offset inside recv (from recv's offset) where
 * send must sit to be in place, or (size_t)-1 for "send == recv". */
static accel_status run(const char *fn, accel_comm *comm, accel_stream *stream, hal_collective *c,
                        size_t send_elems, size_t recv_elems, size_t inplace_in_send,
                        size_t inplace_in_recv) {
    HAL_CHECK_HANDLE(comm, TAG_COMM, "comm");
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    if (!hal_same_device(stream->dev, comm->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: the stream belongs to %s, the comm to %s",
                         fn, stream->dev->id, comm->dev->id);
    if (stream->capturing)
        return hal_error(ACCEL_ERR_UNIMPLEMENTED, "%s: collectives cannot be recorded in a graph",
                         fn);
    if (c->dtype != ACCEL_DTYPE_F32 && c->dtype != ACCEL_DTYPE_BF16 && c->dtype != ACCEL_DTYPE_F16)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: dtype %s (f32, bf16 or f16 expected)", fn,
                         accel_dtype_label(c->dtype));
    if (c->op != ACCEL_REDUCE_SUM && c->op != ACCEL_REDUCE_AVG)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: reduce op %d (sum or avg expected)", fn,
                         (int)c->op);
    if (c->count == 0) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: count is 0", fn);
    const size_t es = accel_dtype_bytes(c->dtype);
    size_t send_bytes = 0, recv_bytes = 0;
    if (!mul_ok(send_elems, es, &send_bytes) || !mul_ok(recv_elems, es, &recv_bytes))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: %zu elements overflow size_t", fn,
                         c->count);
    const int reads = c->kind != ACCEL_COLL_RECV, writes = c->kind != ACCEL_COLL_SEND;
    if (reads) TRY(check_ref(fn, comm, c->send, send_bytes, "send"));
    if (writes) TRY(check_ref(fn, comm, c->recv, recv_bytes, "receive"));
    if (reads && writes && c->send.buffer == c->recv.buffer) {
        /* In place only at the documented position (comm.h); any other overlap would read data
         * the collective is already overwriting. */
        const size_t s0 = c->send.offset, r0 = c->recv.offset;
        const int in_place = inplace_in_recv != (size_t)-1
                                 ? s0 == r0 + inplace_in_recv * es
                                 : r0 == s0 + inplace_in_send * es;
        const int disjoint = s0 + send_bytes <= r0 || r0 + recv_bytes <= s0;
        if (!in_place && !disjoint)
            return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                             "%s: send [%zu, +%zu) and receive [%zu, +%zu) overlap without being "
                             "in place (comm.h)",
                             fn, s0, send_bytes, r0, recv_bytes);
    }
    if ((c->kind == ACCEL_COLL_BROADCAST || c->kind == ACCEL_COLL_SEND ||
         c->kind == ACCEL_COLL_RECV) &&
        (c->peer_or_root < 0 || c->peer_or_root >= comm->size))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: rank %d is not in the comm (0..%d)", fn,
                         c->peer_or_root, comm->size - 1);
    if ((c->kind == ACCEL_COLL_SEND || c->kind == ACCEL_COLL_RECV) && c->peer_or_root == comm->rank)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: rank %d cannot %s itself", fn,
                         comm->rank, c->kind == ACCEL_COLL_SEND ? "send to" : "receive from");
    accel_clear_error();
    accel_status st;
    if (comm->vendor) {
        const accel_plugin_collective pc = {
            c->kind,
            {reads ? c->send.buffer->handle : NULL, c->send.offset},
            {writes ? c->recv.buffer->handle : NULL, c->recv.offset},
            c->count,
            c->dtype,
            c->op,
            c->peer_or_root};
        st = OPS(comm->dev)->comm_collective(comm->vendor, stream->handle, &pc);
    } else {
        st = hal_host_collective(comm, stream, c);
    }
    if (st != ACCEL_OK && !accel_last_error()[0])
        hal_error(st, "%s: %s (%s) on %s: %s", fn, kind_names[c->kind], comm->library,
                  comm->dev->id, accel_status_str(st));
    return st;
}

#define NO_INPLACE ((size_t)-1)

ACCEL_API accel_status accel_comm_all_reduce(accel_comm *comm, accel_stream *stream,
                                             accel_buffer_ref send, accel_buffer_ref recv,
                                             size_t count, accel_dtype dtype, accel_reduce_op op) {
    hal_collective c = {ACCEL_COLL_ALL_REDUCE, send, recv, count, dtype, op, 0};
    return run(__func__, comm, stream, &c, count, count, NO_INPLACE, 0);
}

ACCEL_API accel_status accel_comm_all_gather(accel_comm *comm, accel_stream *stream,
                                             accel_buffer_ref send, accel_buffer_ref recv,
                                             size_t send_count, accel_dtype dtype) {
    HAL_CHECK_HANDLE(comm, TAG_COMM, "comm");
    hal_collective c = {ACCEL_COLL_ALL_GATHER, send, recv, send_count, dtype, ACCEL_REDUCE_SUM, 0};
    size_t total;
    if (!mul_ok(send_count, (size_t)comm->size, &total))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: count overflows", __func__);
    return run(__func__, comm, stream, &c, send_count, total, NO_INPLACE,
               (size_t)comm->rank * send_count);
}

ACCEL_API accel_status accel_comm_reduce_scatter(accel_comm *comm, accel_stream *stream,
                                                 accel_buffer_ref send, accel_buffer_ref recv,
                                                 size_t recv_count, accel_dtype dtype,
                                                 accel_reduce_op op) {
    HAL_CHECK_HANDLE(comm, TAG_COMM, "comm");
    hal_collective c = {ACCEL_COLL_REDUCE_SCATTER, send, recv, recv_count, dtype, op, 0};
    size_t total;
    if (!mul_ok(recv_count, (size_t)comm->size, &total))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: count overflows", __func__);
    return run(__func__, comm, stream, &c, total, recv_count, (size_t)comm->rank * recv_count,
               NO_INPLACE);
}

ACCEL_API accel_status accel_comm_broadcast(accel_comm *comm, accel_stream *stream,
                                            accel_buffer_ref send, accel_buffer_ref recv,
                                            size_t count, accel_dtype dtype, int root) {
    hal_collective c = {ACCEL_COLL_BROADCAST, send, recv, count, dtype, ACCEL_REDUCE_SUM, root};
    return run(__func__, comm, stream, &c, count, count, NO_INPLACE, 0);
}

ACCEL_API accel_status accel_comm_alltoall(accel_comm *comm, accel_stream *stream,
                                           accel_buffer_ref send, accel_buffer_ref recv,
                                           size_t count_per_peer, accel_dtype dtype) {
    HAL_CHECK_HANDLE(comm, TAG_COMM, "comm");
    hal_collective c = {ACCEL_COLL_ALLTOALL, send, recv, count_per_peer, dtype, ACCEL_REDUCE_SUM, 0};
    size_t total;
    if (!mul_ok(count_per_peer, (size_t)comm->size, &total))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: count overflows", __func__);
    return run(__func__, comm, stream, &c, total, total, NO_INPLACE, 0);
}

ACCEL_API accel_status accel_comm_send(accel_comm *comm, accel_stream *stream,
                                       accel_buffer_ref buf, size_t count, accel_dtype dtype,
                                       int peer) {
    hal_collective c = {ACCEL_COLL_SEND, buf, {NULL, 0}, count, dtype, ACCEL_REDUCE_SUM, peer};
    return run(__func__, comm, stream, &c, count, count, NO_INPLACE, 0);
}

ACCEL_API accel_status accel_comm_recv(accel_comm *comm, accel_stream *stream,
                                       accel_buffer_ref buf, size_t count, accel_dtype dtype,
                                       int peer) {
    hal_collective c = {ACCEL_COLL_RECV, {NULL, 0}, buf, count, dtype, ACCEL_REDUCE_SUM, peer};
    return run(__func__, comm, stream, &c, count, count, NO_INPLACE, 0);
}

static accel_status group(accel_device *dev, int begin) {
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    hal_backend *be = dev->be;
    if (!has_library(be->ops)) return begin ? hal_host_group_begin() : hal_host_group_end();
    accel_status (*slot)(void *) = begin ? be->ops->comm_group_begin : be->ops->comm_group_end;
    if (!slot) return ACCEL_OK; /* a library that needs no grouping (plugin.h) */
    accel_clear_error();
    accel_status st = slot(be->ctx);
    if (st != ACCEL_OK && !accel_last_error()[0])
        hal_error(st, "accel_comm_group_%s: %s: %s", begin ? "begin" : "end", be->ops->name,
                  accel_status_str(st));
    return st;
}

ACCEL_API accel_status accel_comm_group_begin(accel_device *any_device_of_the_backend) {
    return group(any_device_of_the_backend, 1);
}

ACCEL_API accel_status accel_comm_group_end(accel_device *any_device_of_the_backend) {
    return group(any_device_of_the_backend, 0);
}
