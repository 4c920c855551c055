/* collective: nccl-tests-style sweeps of all_reduce, all_gather, reduce_scatter, broadcast, alltoall
 * and sendrecv over the ranks of an MPI launch, out of place and in place, on a world comm
 * (accel/comm.h). One config per collective, placement and size (8 B .. 1 GiB by 2; the CLI's
 * --min-bytes/--max-bytes/--factor pick among them). A size is nccl-tests' "size": the whole
 * buffer of all_reduce, broadcast and sendrecv, the gathered (receive) buffer of all_gather, the
 * input of reduce_scatter, and each rank's whole send buffer of alltoall; gbps is nccl-tests'
 * algbw (size / time) and the CLI derives busbw from awl_collective_bus_factor.
 *
 * Data check: rank r's input element i is v(r, i) = ((7r + 3i) mod 5) - 2, small integers whose
 * sums stay exact in fp32, fp16 (to 1024 ranks) and bf16 (to 128 ranks), so a verified row is
 * bit-exact: verify refills the inputs, runs the collective once more and compares every element
 * of the result with the value it must hold. */
#include "collective.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum coll_kind {
    COLL_ALL_REDUCE,
    COLL_ALL_GATHER,
    COLL_REDUCE_SCATTER,
    COLL_BROADCAST,
    COLL_ALLTOALL,
    COLL_SENDRECV
} coll_kind;

typedef struct coll_config {
    awl_config cfg;
    coll_kind kind;
    int inplace;
    uint64_t bytes;
} coll_config;

#define COLL_DTYPES ((1u << AWL_FP32) | (1u << AWL_FP16) | (1u << AWL_BF16))

#define COLL_SIZES(X, kind, place) \
    X(kind, place, 8ull, "8B") \
    X(kind, place, 16ull, "16B") \
    X(kind, place, 32ull, "32B") \
    X(kind, place, 64ull, "64B") \
    X(kind, place, 128ull, "128B") \
    X(kind, place, 256ull, "256B") \
    X(kind, place, 512ull, "512B") \
    X(kind, place, 1024ull, "1KiB") \
    X(kind, place, 2048ull, "2KiB") \
    X(kind, place, 4096ull, "4KiB") \
    X(kind, place, 8192ull, "8KiB") \
    X(kind, place, 16384ull, "16KiB") \
    X(kind, place, 32768ull, "32KiB") \
    X(kind, place, 65536ull, "64KiB") \
    X(kind, place, 131072ull, "128KiB") \
    X(kind, place, 262144ull, "256KiB") \
    X(kind, place, 524288ull, "512KiB") \
    X(kind, place, 1048576ull, "1MiB") \
    X(kind, place, 2097152ull, "2MiB") \
    X(kind, place, 4194304ull, "4MiB") \
    X(kind, place, 8388608ull, "8MiB") \
    X(kind, place, 16777216ull, "16MiB") \
    X(kind, place, 33554432ull, "32MiB") \
    X(kind, place, 67108864ull, "64MiB") \
    X(kind, place, 134217728ull, "128MiB") \
    X(kind, place, 268435456ull, "256MiB") \
    X(kind, place, 536870912ull, "512MiB") \
    X(kind, place, 1073741824ull, "1GiB")

/* Every config is standard: without --config the size sweep (--min-bytes/--max-bytes/--factor)
 * chooses among them, and only an MPI launch runs this workload at all. */
#define COLL_ROW(kname, place, b, sname)                                                          \
    {{kname "-" place "-" sname, kname " " place " " sname, 0, 0, 0, 0, COLL_DTYPES, 0, 1},       \
     KIND, PLACE_INPLACE, b},

static const coll_config coll_configs[] = {
#define KIND COLL_ALL_REDUCE
#define PLACE_INPLACE 0
    COLL_SIZES(COLL_ROW, "all_reduce", "oop")
#undef PLACE_INPLACE
#define PLACE_INPLACE 1
    COLL_SIZES(COLL_ROW, "all_reduce", "inplace")
#undef PLACE_INPLACE
#undef KIND
#define KIND COLL_ALL_GATHER
#define PLACE_INPLACE 0
    COLL_SIZES(COLL_ROW, "all_gather", "oop")
#undef PLACE_INPLACE
#define PLACE_INPLACE 1
    COLL_SIZES(COLL_ROW, "all_gather", "inplace")
#undef PLACE_INPLACE
#undef KIND
#define KIND COLL_REDUCE_SCATTER
#define PLACE_INPLACE 0
    COLL_SIZES(COLL_ROW, "reduce_scatter", "oop")
#undef PLACE_INPLACE
#define PLACE_INPLACE 1
    COLL_SIZES(COLL_ROW, "reduce_scatter", "inplace")
#undef PLACE_INPLACE
#undef KIND
#define KIND COLL_BROADCAST
#define PLACE_INPLACE 0
    COLL_SIZES(COLL_ROW, "broadcast", "oop")
#undef PLACE_INPLACE
#define PLACE_INPLACE 1
    COLL_SIZES(COLL_ROW, "broadcast", "inplace")
#undef PLACE_INPLACE
#undef KIND
#define KIND COLL_ALLTOALL
#define PLACE_INPLACE 0
    COLL_SIZES(COLL_ROW, "alltoall", "oop")
#undef PLACE_INPLACE
#define PLACE_INPLACE 1
    COLL_SIZES(COLL_ROW, "alltoall", "inplace")
#undef PLACE_INPLACE
#undef KIND
/* sendrecv has no in-place form here: MPI may not read and write one buffer in the same exchange. */
#define KIND COLL_SENDRECV
#define PLACE_INPLACE 0
    COLL_SIZES(COLL_ROW, "sendrecv", "oop")
#undef PLACE_INPLACE
#undef KIND
};

typedef struct coll_state {
    accel_device *dev;
    const coll_config *cfg;
    accel_comm *comm;
    int rank, ranks;
    accel_dtype dt;
    size_t es;
    size_t total; /* elements in nccl-tests' size */
    size_t per;   /* the count argument: per rank for gather/scatter/alltoall, else total */
    wl_buffers bufs;
    accel_buffer *send_buf, *recv_buf; /* the same buffer in place */
    accel_buffer_ref send, recv;
    int corrupt_next;
} coll_state;

static size_t coll_config_count(void) { return WL_ARRAY_LEN(coll_configs); }
static const awl_config *coll_config_at(size_t i) {
    return i < WL_ARRAY_LEN(coll_configs) ? &coll_configs[i].cfg : NULL;
}

static const coll_config *coll_of(const awl_config *cfg) {
    const coll_config *first = coll_configs, *end = coll_configs + WL_ARRAY_LEN(coll_configs);
    const coll_config *c = (const coll_config *)cfg;
    return c >= first && c < end ? c : NULL;
}

double awl_collective_bus_factor(const awl_config *cfg, int ranks) {
    const coll_config *c = coll_of(cfg);
    if (!c || ranks < 1) return 0;
    const double n = ranks;
    switch (c->kind) {
    case COLL_ALL_REDUCE: return 2.0 * (n - 1) / n;
    case COLL_ALL_GATHER:
    case COLL_REDUCE_SCATTER:
    case COLL_ALLTOALL: return (n - 1) / n;
    case COLL_BROADCAST:
    case COLL_SENDRECV: return 1.0;
    }
    return 0;
}

uint64_t awl_collective_size_bytes(const awl_config *cfg) {
    const coll_config *c = coll_of(cfg);
    return c ? c->bytes : 0;
}

static int per_rank_kind(coll_kind k) {
    return k == COLL_ALL_GATHER || k == COLL_REDUCE_SCATTER || k == COLL_ALLTOALL;
}

/* Rank r's input element i (the file comment). */
static float input_value(int r, size_t i) {
    return (float)((int)((7u * (unsigned)r + 3u * (unsigned)(i % 5u)) % 5u) - 2);
}

static float expected_value(const coll_state *st, size_t j) {
    const coll_kind k = st->cfg->kind;
    const size_t per = st->per;
    float sum = 0;
    switch (k) {
    case COLL_ALL_REDUCE:
        for (int r = 0; r < st->ranks; ++r) sum += input_value(r, j);
        return sum;
    case COLL_ALL_GATHER: return input_value((int)(j / per), j % per);
    case COLL_REDUCE_SCATTER:
        for (int r = 0; r < st->ranks; ++r) sum += input_value(r, (size_t)st->rank * per + j);
        return sum;
    case COLL_BROADCAST: return input_value(0, j);
    case COLL_ALLTOALL: return input_value((int)(j / per), (size_t)st->rank * per + j % per);
    case COLL_SENDRECV: return input_value((st->rank + st->ranks - 1) % st->ranks, j);
    }
    return 0;
}

static void store(accel_dtype t, void *p, size_t i, float v) {
    if (t == ACCEL_DTYPE_F32)
        ((float *)p)[i] = v;
    else
        ((uint16_t *)p)[i] = t == ACCEL_DTYPE_BF16 ? accel_ref_f32_to_bf16(v) : accel_ref_f32_to_f16(v);
}

static float load(accel_dtype t, const void *p, size_t i) {
    if (t == ACCEL_DTYPE_F32) return ((const float *)p)[i];
    const uint16_t h = ((const uint16_t *)p)[i];
    return t == ACCEL_DTYPE_BF16 ? accel_ref_bf16_to_f32(h) : accel_ref_f16_to_f32(h);
}

static void coll_teardown(void *state) {
    coll_state *st = state;
    if (!st) return;
    if (st->dev) accel_device_synchronize(st->dev);
    wl_free_all(&st->bufs);
    accel_comm_destroy(st->comm);
    free(st);
}

/* Elements the send and receive ranges hold. */
static size_t send_elems(const coll_state *st) {
    return st->cfg->kind == COLL_ALL_GATHER ? st->per : st->total;
}
static size_t recv_elems(const coll_state *st) {
    return st->cfg->kind == COLL_REDUCE_SCATTER ? st->per : st->total;
}

static accel_status coll_setup(accel_device *dev, accel_stream *stream, const awl_config *cfg,
                               awl_dtype dtype, const awl_options *opt, void **state,
                               awl_setup_info *info) {
    (void)opt;
    (void)stream;
    *state = NULL;
    wl_clear_error();
    const coll_config *c = coll_of(cfg);
    if (!c) return wl_fail(ACCEL_ERR_INVALID_ARGUMENT, "not a collective config");
    if (dtype != AWL_FP32 && dtype != AWL_FP16 && dtype != AWL_BF16)
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "collectives run fp32, fp16 and bf16");
    coll_state *st = calloc(1, sizeof *st);
    if (!st) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "collective state");
    st->dev = dev;
    st->cfg = c;
    st->dt = wl_storage_type(dtype);
    st->es = accel_dtype_bytes(st->dt);
    accel_status s;
    /* Every rank takes the same decisions up to here, so either all of them join the comm or none
     * does; what can differ between ranks (memory) comes after, and the CLI compares outcomes. */
    accel_mpi_world world;
    if (!accel_mpi_launched()) {
        s = wl_fail(ACCEL_ERR_UNIMPLEMENTED,
                    "collectives run across ranks: run under mpirun (mpirun -np 2 accelbench run "
                    "--workload collective)");
        goto fail;
    }
    if ((s = accel_mpi_init(&world)) != ACCEL_OK) {
        s = wl_fail_hal(s, "collectives need an MPI launch");
        goto fail;
    }
    st->ranks = world.size;
    st->rank = world.rank;
    st->total = (size_t)(c->bytes / st->es);
    st->per = per_rank_kind(c->kind) ? st->total / (size_t)st->ranks : st->total;
    if (c->bytes % st->es || st->total == 0) {
        s = wl_fail(ACCEL_ERR_UNIMPLEMENTED, "%llu B is not a whole number of %s elements",
                    (unsigned long long)c->bytes, accel_dtype_label(st->dt));
        goto fail;
    }
    if (per_rank_kind(c->kind) && st->total % (size_t)st->ranks) {
        /* nccl-tests rounds such sizes down; a row must report the bytes it moved, so refuse. */
        s = wl_fail(ACCEL_ERR_UNIMPLEMENTED,
                    "%llu B = %zu %s elements do not divide among %d ranks: this collective needs "
                    "sizes that are multiples of ranks x element size (refused, not padded)",
                    (unsigned long long)c->bytes, st->total, accel_dtype_label(st->dt), st->ranks);
        goto fail;
    }
    if (c->kind == COLL_SENDRECV && st->ranks < 2) {
        s = wl_fail(ACCEL_ERR_UNIMPLEMENTED, "sendrecv needs at least 2 ranks");
        goto fail;
    }
    if ((s = accel_comm_create_world(dev, &st->comm)) != ACCEL_OK) {
        s = wl_fail_hal(s, "creating the world comm");
        goto fail;
    }
    accel_device_info dinfo;
    if ((s = wl_device_info(dev, &dinfo)) != ACCEL_OK) goto fail;
    const size_t sb = send_elems(st) * st->es, rb = recv_elems(st) * st->es;
    const size_t one = c->inplace ? (sb > rb ? sb : rb) : 0;
    if ((s = wl_check_fit(&dinfo, c->inplace ? one : sb + rb, c->inplace ? one : (sb > rb ? sb : rb),
                          "collective")) != ACCEL_OK)
        goto fail;
    if (c->inplace) {
        if ((s = wl_alloc(&st->bufs, dev, one, ACCEL_MEMORY_DEVICE, &st->send_buf)) != ACCEL_OK) goto fail;
        st->recv_buf = st->send_buf;
        size_t so = 0, ro = 0;
        if (c->kind == COLL_ALL_GATHER) so = (size_t)st->rank * st->per * st->es;
        if (c->kind == COLL_REDUCE_SCATTER) ro = (size_t)st->rank * st->per * st->es;
        st->send = wl_ref(st->send_buf, so);
        st->recv = wl_ref(st->recv_buf, ro);
    } else {
        if ((s = wl_alloc(&st->bufs, dev, sb, ACCEL_MEMORY_DEVICE, &st->send_buf)) != ACCEL_OK ||
            (s = wl_alloc(&st->bufs, dev, rb, ACCEL_MEMORY_DEVICE, &st->recv_buf)) != ACCEL_OK)
            goto fail;
        st->send = wl_ref(st->send_buf, 0);
        st->recv = wl_ref(st->recv_buf, 0);
    }
    char lib[sizeof info->library] = ""; /* the library column's width: a longer name is cut */
    accel_comm_library(st->comm, lib, sizeof lib);
    info->flop = 0;
    info->bytes = (double)c->bytes;
    info->items = 1;
    info->item = "collective";
    snprintf(info->library, sizeof info->library, "%s", lib);
    info->compute_type[0] = '\0';
    snprintf(info->notes, sizeof info->notes, "%d ranks; %s", st->ranks,
             c->inplace ? "in place" : "out of place");
    info->bandwidth = 1;
    info->roof[0] = '\0';
    info->device_bytes = c->inplace ? one : sb + rb;
    *state = st;
    return ACCEL_OK;
fail:
    snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
    coll_teardown(st);
    return s;
}

static accel_status coll_run(void *state, accel_stream *stream) {
    coll_state *st = state;
    accel_status s = ACCEL_OK;
    switch (st->cfg->kind) {
    case COLL_ALL_REDUCE:
        s = accel_comm_all_reduce(st->comm, stream, st->send, st->recv, st->per, st->dt, ACCEL_REDUCE_SUM);
        break;
    case COLL_ALL_GATHER:
        s = accel_comm_all_gather(st->comm, stream, st->send, st->recv, st->per, st->dt);
        break;
    case COLL_REDUCE_SCATTER:
        s = accel_comm_reduce_scatter(st->comm, stream, st->send, st->recv, st->per, st->dt,
                                      ACCEL_REDUCE_SUM);
        break;
    case COLL_BROADCAST:
        s = accel_comm_broadcast(st->comm, stream, st->send, st->recv, st->per, st->dt, 0);
        break;
    case COLL_ALLTOALL:
        s = accel_comm_alltoall(st->comm, stream, st->send, st->recv, st->per, st->dt);
        break;
    case COLL_SENDRECV: {
        const int next = (st->rank + 1) % st->ranks, prev = (st->rank + st->ranks - 1) % st->ranks;
        s = accel_comm_group_begin(st->dev);
        if (s == ACCEL_OK) s = accel_comm_send(st->comm, stream, st->send, st->per, st->dt, next);
        if (s == ACCEL_OK) s = accel_comm_recv(st->comm, stream, st->recv, st->per, st->dt, prev);
        accel_status e = accel_comm_group_end(st->dev);
        if (s == ACCEL_OK) s = e;
        break;
    }
    }
    return s == ACCEL_OK ? ACCEL_OK : wl_fail_hal(s, "collective");
}

/* Inputs as the file comment defines them; everything else poisoned with NaN bytes, so a result
 * that was never written fails the check. */
static accel_status fill_inputs(coll_state *st, accel_stream *stream) {
    const coll_config *c = st->cfg;
    const size_t buf_elems = accel_buffer_size(st->send_buf) / st->es;
    const size_t recv_n = c->inplace ? 0 : recv_elems(st);
    unsigned char *host = malloc((buf_elems > recv_n ? buf_elems : recv_n) * st->es);
    if (!host) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "collective inputs");
    accel_status s = ACCEL_OK;
    if (!c->inplace) {
        memset(host, 0xff, recv_elems(st) * st->es);
        s = wl_upload(stream, st->recv_buf, 0, host, recv_elems(st) * st->es);
    }
    memset(host, 0xff, buf_elems * st->es);
    const size_t base = st->send.offset / st->es;
    const int has_input = c->kind != COLL_BROADCAST || st->rank == 0;
    for (size_t i = 0; has_input && i < send_elems(st); ++i)
        store(st->dt, host, base + i, input_value(st->rank, i));
    if (s == ACCEL_OK) s = wl_upload(stream, st->send_buf, 0, host, buf_elems * st->es);
    free(host);
    return s;
}

static accel_status coll_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    coll_state *st = state;
    memset(out, 0, sizeof *out);
    accel_status s = fill_inputs(st, stream);
    if (s == ACCEL_OK) s = coll_run(st, stream);
    if (s == ACCEL_OK && (s = accel_stream_synchronize(stream)) != ACCEL_OK)
        s = wl_fail_hal(s, "collective synchronize");
    if (s == ACCEL_OK && st->corrupt_next) {
        s = wl_corrupt_element(stream, st->recv.buffer, st->recv.offset, st->dt, 0);
        st->corrupt_next = 0;
    }
    if (s != ACCEL_OK) return s;
    const size_t n = recv_elems(st);
    void *got = NULL;
    if ((s = wl_download(stream, st->recv.buffer, st->recv.offset, n * st->es, &got)) != ACCEL_OK)
        return s;
    size_t bad = 0, first = 0;
    for (size_t j = 0; j < n; ++j) {
        const float g = load(st->dt, got, j), e = expected_value(st, j);
        if (!(g == e) && bad++ == 0) first = j;
    }
    out->checked = 1;
    out->passed = bad == 0;
    out->max_rel_err = (double)bad / (double)n; /* fraction of elements wrong */
    out->tolerance = 0.0;
    if (bad)
        snprintf(out->detail, sizeof out->detail,
                 "rank %d: %zu of %zu elements differ; first at %zu: %g, expected %g", st->rank, bad,
                 n, first, (double)load(st->dt, got, first), (double)expected_value(st, first));
    else
        snprintf(out->detail, sizeof out->detail, "bit-exact");
    free(got);
    return ACCEL_OK;
}

/* The check refills and reruns, so the corruption lands on its result. */
static accel_status coll_corrupt(void *state, accel_stream *stream) {
    (void)stream;
    ((coll_state *)state)->corrupt_next = 1;
    return ACCEL_OK;
}

const awl_workload awl_collective_workload = {
    "collective",
    "all_reduce, all_gather, reduce_scatter, broadcast, alltoall, sendrecv across MPI ranks "
    "(algbw GB/s; run under mpirun)",
    coll_config_count,
    coll_config_at,
    wl_default_library,
    coll_setup,
    coll_run,
    coll_verify,
    coll_teardown,
    coll_corrupt,
    NULL,
    NULL,
};
