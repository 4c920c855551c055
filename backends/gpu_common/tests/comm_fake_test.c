/* A vendor backend's collectives through the public accel_comm_* API, on its fake runtime and the
 * fake collective library (fake_ccl.c): cuda on fake_libcuda.c ($ACCEL_FAKE_CUDA_DEVICES devices)
 * with a fake libnccl.so.2, hip on mock_hip.c ($MOCK_HIP_DEVICES) with a fake librccl.so.1.
 *   comm_fake_test BACKEND ok N     a local comm over N devices; every collective, out of place and
 *                                   in place, f32/bf16/f16, sum and avg, checked element by
 *                                   element; send/recv around a ring; ranks that disagree refused
 *   comm_fake_test BACKEND initfail ncclCommInitRank fails: the error names ncclUnhandledCudaError
 *   comm_fake_test BACKEND missing  no library where searched: UNAVAILABLE naming the file
 *   comm_fake_test BACKEND old      a 2.8 release (no ncclAvg): refused, naming the version
 *   comm_fake_test BACKEND remote   a collective fails with ncclRemoteError (a lost peer) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "accel/reference.h"
#include "gpu_host_test.h"

#define MAXN 8
static int n;
static accel_device *dev[MAXN];
static accel_stream *stream[MAXN];
static accel_comm *comm[MAXN];
static accel_buffer *sendb[MAXN], *recvb[MAXN];

static uint16_t to_bits16(float v, accel_dtype t) {
    return t == ACCEL_DTYPE_BF16 ? accel_ref_f32_to_bf16(v) : accel_ref_f32_to_f16(v);
}
static float from_bits16(uint16_t h, accel_dtype t) {
    return t == ACCEL_DTYPE_BF16 ? accel_ref_bf16_to_f32(h) : accel_ref_f16_to_f32(h);
}

static void put(accel_buffer *b, size_t elem_offset, const float *v, size_t count, accel_dtype t, int r) {
    const size_t es = accel_dtype_bytes(t);
    unsigned char *bytes = malloc(count * es);
    for (size_t i = 0; i < count; ++i) {
        if (t == ACCEL_DTYPE_F32) memcpy(bytes + i * 4, &v[i], 4);
        else {
            const uint16_t h = to_bits16(v[i], t);
            memcpy(bytes + i * 2, &h, 2);
        }
    }
    EXPECT(accel_buffer_write(stream[r], b, elem_offset * es, bytes, count * es) == ACCEL_OK, "write");
    accel_stream_synchronize(stream[r]);
    free(bytes);
}

static void get(accel_buffer *b, size_t elem_offset, float *v, size_t count, accel_dtype t, int r) {
    const size_t es = accel_dtype_bytes(t);
    unsigned char *bytes = malloc(count * es);
    EXPECT(accel_buffer_read(stream[r], b, elem_offset * es, bytes, count * es) == ACCEL_OK, "read");
    accel_stream_synchronize(stream[r]);
    for (size_t i = 0; i < count; ++i) {
        if (t == ACCEL_DTYPE_F32) memcpy(&v[i], bytes + i * 4, 4);
        else {
            uint16_t h;
            memcpy(&h, bytes + i * 2, 2);
            v[i] = from_bits16(h, t);
        }
    }
    free(bytes);
}

/* Rank r's element i of its contribution: small, distinct per rank and position. */
static float value(int r, size_t i) { return (float)(r + 1) + (float)(i % 7); }

#define COUNT 24 /* divisible by 2, 3 and 4 ranks */

static void fill_sends(accel_dtype t, size_t elems) {
    float v[COUNT * MAXN];
    for (int r = 0; r < n; ++r) {
        for (size_t i = 0; i < elems; ++i) v[i] = value(r, i);
        put(sendb[r], 0, v, elems, t, r);
        put(recvb[r], 0, v, elems, t, r); /* in-place runs start from the same data */
    }
}

static accel_buffer_ref ref(accel_buffer *b, size_t elems, accel_dtype t) {
    accel_buffer_ref x = {b, elems * accel_dtype_bytes(t)};
    return x;
}

static void check(const char *what, int r, const float *got, const float *want, size_t count) {
    for (size_t i = 0; i < count; ++i)
        if (got[i] != want[i]) {
            EXPECT(0, "%s rank %d element %zu: %g, want %g", what, r, i, (double)got[i], (double)want[i]);
            return;
        }
}

static void all_reduce(accel_dtype t, accel_reduce_op op, int in_place) {
    fill_sends(t, COUNT);
    accel_comm_group_begin(dev[0]);
    for (int r = 0; r < n; ++r) {
        accel_buffer *src = in_place ? recvb[r] : sendb[r];
        EXPECT(accel_comm_all_reduce(comm[r], stream[r], ref(src, 0, t), ref(recvb[r], 0, t), COUNT, t, op) == ACCEL_OK,
               "all_reduce rank %d", r);
    }
    EXPECT(accel_comm_group_end(dev[0]) == ACCEL_OK, "group_end");
    for (int r = 0; r < n; ++r) {
        float got[COUNT], want[COUNT];
        get(recvb[r], 0, got, COUNT, t, r);
        for (size_t i = 0; i < COUNT; ++i) {
            float sum = 0;
            for (int k = 0; k < n; ++k) sum += value(k, i);
            want[i] = op == ACCEL_REDUCE_AVG ? sum / (float)n : sum;
        }
        check(in_place ? "all_reduce in place" : "all_reduce", r, got, want, COUNT);
    }
}

static void all_gather(accel_dtype t, int in_place) {
    const size_t part = COUNT / (size_t)n;
    fill_sends(t, COUNT);
    accel_comm_group_begin(dev[0]);
    for (int r = 0; r < n; ++r) {
        /* In place: the rank's part already sits at rank*part in recv (comm.h). */
        accel_buffer_ref s = in_place ? ref(recvb[r], (size_t)r * part, t) : ref(sendb[r], 0, t);
        EXPECT(accel_comm_all_gather(comm[r], stream[r], s, ref(recvb[r], 0, t), part, t) == ACCEL_OK,
               "all_gather rank %d", r);
    }
    EXPECT(accel_comm_group_end(dev[0]) == ACCEL_OK, "group_end");
    for (int r = 0; r < n; ++r) {
        float got[COUNT], want[COUNT];
        get(recvb[r], 0, got, COUNT, t, r);
        for (int k = 0; k < n; ++k)
            for (size_t i = 0; i < part; ++i)
                want[(size_t)k * part + i] = in_place ? value(k, (size_t)k * part + i) : value(k, i);
        check(in_place ? "all_gather in place" : "all_gather", r, got, want, COUNT);
    }
}

static void reduce_scatter(accel_dtype t, accel_reduce_op op, int in_place) {
    const size_t part = COUNT / (size_t)n;
    fill_sends(t, COUNT);
    accel_comm_group_begin(dev[0]);
    for (int r = 0; r < n; ++r) {
        accel_buffer_ref s = in_place ? ref(recvb[r], 0, t) : ref(sendb[r], 0, t);
        accel_buffer_ref d = in_place ? ref(recvb[r], (size_t)r * part, t) : ref(recvb[r], 0, t);
        EXPECT(accel_comm_reduce_scatter(comm[r], stream[r], s, d, part, t, op) == ACCEL_OK, "reduce_scatter rank %d",
               r);
    }
    EXPECT(accel_comm_group_end(dev[0]) == ACCEL_OK, "group_end");
    for (int r = 0; r < n; ++r) {
        float got[COUNT], want[COUNT];
        get(recvb[r], in_place ? (size_t)r * part : 0, got, part, t, r);
        for (size_t i = 0; i < part; ++i) {
            float sum = 0;
            for (int k = 0; k < n; ++k) sum += value(k, (size_t)r * part + i);
            want[i] = op == ACCEL_REDUCE_AVG ? sum / (float)n : sum;
        }
        check(in_place ? "reduce_scatter in place" : "reduce_scatter", r, got, want, part);
    }
}

static void broadcast(accel_dtype t, int root, int in_place) {
    fill_sends(t, COUNT);
    accel_comm_group_begin(dev[0]);
    for (int r = 0; r < n; ++r) {
        accel_buffer *src = in_place ? recvb[r] : sendb[r];
        EXPECT(accel_comm_broadcast(comm[r], stream[r], ref(src, 0, t), ref(recvb[r], 0, t), COUNT, t, root) ==
                   ACCEL_OK,
               "broadcast rank %d", r);
    }
    EXPECT(accel_comm_group_end(dev[0]) == ACCEL_OK, "group_end");
    for (int r = 0; r < n; ++r) {
        float got[COUNT], want[COUNT];
        get(recvb[r], 0, got, COUNT, t, r);
        for (size_t i = 0; i < COUNT; ++i) want[i] = value(root, i);
        check(in_place ? "broadcast in place" : "broadcast", r, got, want, COUNT);
    }
}

static void alltoall(accel_dtype t, int in_place) {
    const size_t part = COUNT / (size_t)n;
    fill_sends(t, COUNT);
    accel_comm_group_begin(dev[0]);
    for (int r = 0; r < n; ++r) {
        accel_buffer *src = in_place ? recvb[r] : sendb[r];
        EXPECT(accel_comm_alltoall(comm[r], stream[r], ref(src, 0, t), ref(recvb[r], 0, t), part, t) == ACCEL_OK,
               "alltoall rank %d", r);
    }
    EXPECT(accel_comm_group_end(dev[0]) == ACCEL_OK, "group_end");
    for (int r = 0; r < n; ++r) {
        float got[COUNT], want[COUNT];
        get(recvb[r], 0, got, COUNT, t, r);
        /* Part k of rank r's result is part r of rank k's send. */
        for (int k = 0; k < n; ++k)
            for (size_t i = 0; i < part; ++i) want[(size_t)k * part + i] = value(k, (size_t)r * part + i);
        check(in_place ? "alltoall in place" : "alltoall", r, got, want, COUNT);
    }
}

static void ring(accel_dtype t) {
    fill_sends(t, COUNT);
    accel_comm_group_begin(dev[0]);
    for (int r = 0; r < n; ++r) {
        EXPECT(accel_comm_send(comm[r], stream[r], ref(sendb[r], 0, t), COUNT, t, (r + 1) % n) == ACCEL_OK, "send");
        EXPECT(accel_comm_recv(comm[r], stream[r], ref(recvb[r], 0, t), COUNT, t, (r + n - 1) % n) == ACCEL_OK,
               "recv");
    }
    EXPECT(accel_comm_group_end(dev[0]) == ACCEL_OK, "group_end");
    for (int r = 0; r < n; ++r) {
        float got[COUNT], want[COUNT];
        get(recvb[r], 0, got, COUNT, t, r);
        for (size_t i = 0; i < COUNT; ++i) want[i] = value((r + n - 1) % n, i);
        check("send/recv ring", r, got, want, COUNT);
    }
}

static int open_devices(accel_runtime *rt, const char *backend, int count) {
    n = count;
    for (int r = 0; r < n; ++r) {
        char id[32];
        snprintf(id, sizeof id, "%s:%d", backend, r);
        if (accel_device_open(rt, id, &dev[r]) != ACCEL_OK || accel_stream_create(dev[r], &stream[r]) != ACCEL_OK ||
            accel_buffer_alloc(dev[r], COUNT * 4, ACCEL_MEMORY_DEVICE, &sendb[r]) != ACCEL_OK ||
            accel_buffer_alloc(dev[r], COUNT * 4, ACCEL_MEMORY_DEVICE, &recvb[r]) != ACCEL_OK) {
            printf("FAIL: opening %s: %s\n", id, accel_last_error());
            return -1;
        }
    }
    return 0;
}

static void expect_create_fails(accel_status want, const char *needle) {
    const accel_status st = accel_comm_create_local(dev, n, comm);
    EXPECT(st == want, "create_local: %s, want %s", accel_status_str(st), accel_status_str(want));
    EXPECT(strstr(accel_last_error(), needle) != NULL, "error should name '%s'", needle);
    for (int r = 0; r < n; ++r) EXPECT(comm[r] == NULL, "comm %d left set after a failure", r);
    printf("create_local refused: %s\n", accel_last_error());
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "cuda") != 0 && strcmp(argv[1], "hip") != 0)) {
        fprintf(stderr, "usage: %s cuda|hip ok N|initfail|missing|old|remote\n", argv[0]);
        return 2;
    }
    const char *backend = argv[1], *mode = argv[2];
    const int cuda = strcmp(backend, "cuda") == 0;
    accel_runtime *rt = NULL;
    if (accel_runtime_open(NULL, &rt) != ACCEL_OK) {
        printf("FAIL: runtime: %s\n", accel_last_error());
        return 1;
    }
    if (open_devices(rt, backend, strcmp(mode, "ok") == 0 && argc > 3 ? atoi(argv[3]) : 2) != 0) return 1;

    if (strcmp(mode, "initfail") == 0) expect_create_fails(ACCEL_ERR_DEVICE, "ncclUnhandledCudaError");
    else if (strcmp(mode, "missing") == 0) expect_create_fails(ACCEL_ERR_UNAVAILABLE, cuda ? "libnccl.so.2" : "librccl.so.1");
    else if (strcmp(mode, "old") == 0)
        expect_create_fails(ACCEL_ERR_UNAVAILABLE, cuda ? "NCCL 2.8.4; 2.10 or newer" : "RCCL 2.8.4; 2.10 or newer");
    else {
        EXPECT(accel_comm_create_local(dev, n, comm) == ACCEL_OK, "create_local over %d devices", n);
        if (failures) return 1;
        char lib[96];
        EXPECT(accel_comm_library(comm[0], lib, sizeof lib) == ACCEL_OK &&
                   strcmp(lib, cuda ? "nccl 2.26.5" : "rccl 2.26.5") == 0,
               "library '%s'", lib);
        for (int r = 0; r < n; ++r)
            EXPECT(accel_comm_rank(comm[r]) == r && accel_comm_size(comm[r]) == n, "rank/size of comm %d", r);
        if (strcmp(mode, "remote") == 0) {
            const accel_status st = accel_comm_all_reduce(comm[0], stream[0], ref(sendb[0], 0, ACCEL_DTYPE_F32),
                                                          ref(recvb[0], 0, ACCEL_DTYPE_F32), COUNT, ACCEL_DTYPE_F32,
                                                          ACCEL_REDUCE_SUM);
            EXPECT(st == ACCEL_ERR_DEVICE && strstr(accel_last_error(), "ncclAllReduce: ncclRemoteError (6)"),
                   "a lost peer: %s", accel_status_str(st));
            printf("all_reduce refused: %s\n", accel_last_error());
        } else {
            const accel_dtype types[] = {ACCEL_DTYPE_F32, ACCEL_DTYPE_BF16, ACCEL_DTYPE_F16};
            for (int k = 0; k < 3; ++k) {
                const accel_dtype t = types[k];
                for (int in_place = 0; in_place < 2; ++in_place) {
                    all_reduce(t, ACCEL_REDUCE_SUM, in_place);
                    all_reduce(t, ACCEL_REDUCE_AVG, in_place);
                    all_gather(t, in_place);
                    reduce_scatter(t, ACCEL_REDUCE_SUM, in_place);
                    reduce_scatter(t, ACCEL_REDUCE_AVG, in_place);
                    broadcast(t, n - 1, in_place);
                    alltoall(t, in_place);
                }
                ring(t);
            }
            /* Ranks that disagree on the count: refused (by the call that completes the set, or at
             * the group's end), naming NCCL's code. */
            accel_comm_group_begin(dev[0]);
            accel_status st = ACCEL_OK;
            char why[512] = "";
            for (int r = 0; r < n; ++r) {
                const accel_status s = accel_comm_all_reduce(
                    comm[r], stream[r], ref(sendb[r], 0, ACCEL_DTYPE_F32), ref(recvb[r], 0, ACCEL_DTYPE_F32),
                    (size_t)(r == 0 ? COUNT : COUNT / 2), ACCEL_DTYPE_F32, ACCEL_REDUCE_SUM);
                if (s != ACCEL_OK && st == ACCEL_OK) {
                    st = s;
                    snprintf(why, sizeof why, "%s", accel_last_error());
                }
            }
            const accel_status end = accel_comm_group_end(dev[0]);
            if (end != ACCEL_OK && st == ACCEL_OK) {
                st = end;
                snprintf(why, sizeof why, "%s", accel_last_error());
            }
            EXPECT(st == ACCEL_ERR_INVALID_ARGUMENT && strstr(why, "ncclInvalidUsage"), "mismatched counts: %s (%s)",
                   accel_status_str(st), why);
            printf("mismatched counts refused: %s\n", why);
        }
        for (int r = 0; r < n; ++r) accel_comm_destroy(comm[r]);
    }
    for (int r = 0; r < n; ++r) {
        accel_buffer_free(sendb[r]);
        accel_buffer_free(recvb[r]);
        accel_stream_destroy(stream[r]);
        accel_device_close(dev[r]);
    }
    accel_runtime_close(rt);
    if (failures) {
        printf("%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
