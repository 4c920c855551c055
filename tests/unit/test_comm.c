/* Communicators (comm.h) on the null backend's host-memory devices:
 *   test_comm PLUGIN          launch detection, local-rank variables, local comms refused on a
 *                             backend without a collective library, world comms before MPI
 *   mpirun -np 2 test_comm PLUGIN   (an MPI build) world comms over the MPI host transport: every
 *                             bad argument refused with a message, AVG and bf16/fp16 sums exact
 *                             where comm.h says, in-place positions, grouped send/recv. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>

#include "accel/reference.h"
#include "check.h"

TEST_DEFINE_COUNTS;

static const char *const launch_vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK",
                                          "SLURM_NTASKS", "SLURM_PROCID"};
static const char *const local_vars[] = {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "LOCAL_RANK"};

static void test_environment(void) {
    for (size_t i = 0; i < 5; i++) unsetenv(launch_vars[i]);
    for (size_t i = 0; i < 3; i++) unsetenv(local_vars[i]);
    CHECK(!accel_mpi_launched());
    setenv("SLURM_NTASKS", "4", 1);
    CHECK(!accel_mpi_launched()); /* an allocation alone is not a launch: srun sets SLURM_PROCID */
    setenv("SLURM_PROCID", "1", 1);
    CHECK(accel_mpi_launched());
    unsetenv("SLURM_NTASKS");
    unsetenv("SLURM_PROCID");
    setenv("PMIX_RANK", "0", 1);
    CHECK(accel_mpi_launched());
    unsetenv("PMIX_RANK");
    CHECK(accel_local_rank_from_env() == -1);
    setenv("LOCAL_RANK", "3", 1);
    CHECK(accel_local_rank_from_env() == 3);
    setenv("SLURM_LOCALID", "2", 1);
    CHECK(accel_local_rank_from_env() == 2); /* SLURM_LOCALID comes before LOCAL_RANK */
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "x1", 1);
    CHECK(accel_local_rank_from_env() == 2); /* not a number: the next variable */
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "1", 1);
    CHECK(accel_local_rank_from_env() == 1);
    for (size_t i = 0; i < 3; i++) unsetenv(local_vars[i]);
}

static void test_local(accel_device *d0, accel_device *d1) {
    accel_comm *comms[2] = {(accel_comm *)1, (accel_comm *)1};
    accel_device *both[2] = {d0, d1};
    CHECK_FAILS(accel_comm_create_local(both, 2, comms), ACCEL_ERR_UNIMPLEMENTED);
    CHECK(strstr(accel_last_error(), "mpirun") != NULL);
    CHECK(comms[0] == NULL && comms[1] == NULL);
    accel_device *twice[2] = {d0, d0};
    CHECK_FAILS(accel_comm_create_local(twice, 2, comms), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_create_local(both, 0, comms), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_create_local(NULL, 2, comms), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK(accel_comm_rank(NULL) == -1 && accel_comm_size(NULL) == -1 && !accel_comm_device(NULL));
    CHECK(accel_comm_destroy(NULL) == ACCEL_OK);
    accel_buffer_ref none = {NULL, 0};
    CHECK_FAILS(accel_comm_all_reduce(NULL, NULL, none, none, 1, ACCEL_DTYPE_F32, ACCEL_REDUCE_SUM),
                ACCEL_ERR_INVALID_ARGUMENT);
}

/* ---- under mpirun -np 2 ---- */

static void put(accel_stream *s, accel_buffer *b, accel_dtype t, const float *v, size_t n) {
    unsigned char host[64];
    for (size_t i = 0; i < n; i++) accel_ref_store(t, host, (int64_t)i, v[i]);
    CHECK_OK(accel_buffer_write(s, b, 0, host, n * accel_dtype_size(t)));
}

static float get(accel_stream *s, accel_buffer *b, size_t offset, accel_dtype t, size_t i) {
    unsigned char host[8];
    CHECK_OK(accel_buffer_read(s, b, offset + i * accel_dtype_size(t), host, accel_dtype_size(t)));
    CHECK_OK(accel_stream_synchronize(s));
    return (float)accel_ref_load(t, host, 0);
}

static void test_world(accel_device *d0, accel_device *d1) {
    accel_mpi_world w;
    CHECK_OK(accel_mpi_init(&w));
    CHECK(w.size == 2 && w.nodes == 1 && w.local_size == 2 && strncmp(w.library, "mpi ", 4) == 0);
    accel_comm *c = NULL;
    CHECK_OK(accel_comm_create_world(d0, &c));
    if (!c) return;
    CHECK(accel_comm_rank(c) == w.rank && accel_comm_size(c) == 2 && accel_comm_device(c) == d0);
    char lib[96];
    CHECK_OK(accel_comm_library(c, lib, sizeof lib));
    CHECK(strcmp(lib, w.library) == 0);
    accel_stream *s = NULL, *other = NULL;
    accel_buffer *a = NULL, *b = NULL, *far = NULL;
    CHECK_OK(accel_stream_create(d0, &s));
    CHECK_OK(accel_stream_create(d1, &other));
    CHECK_OK(accel_buffer_alloc(d0, 64, ACCEL_MEMORY_DEVICE, &a));
    CHECK_OK(accel_buffer_alloc(d0, 64, ACCEL_MEMORY_DEVICE, &b));
    CHECK_OK(accel_buffer_alloc(d1, 64, ACCEL_MEMORY_DEVICE, &far));
    const accel_buffer_ref A = {a, 0}, B = {b, 0};
    const accel_dtype F = ACCEL_DTYPE_F32;

    /* Refused before any rank communicates (so both ranks stay in step). */
    CHECK_FAILS(accel_comm_all_reduce(c, other, A, B, 4, F, ACCEL_REDUCE_SUM), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_all_reduce(c, s, A, B, 0, F, ACCEL_REDUCE_SUM), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_all_reduce(c, s, A, B, 4, ACCEL_DTYPE_I8, ACCEL_REDUCE_SUM), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_all_reduce(c, s, A, B, 4, F, (accel_reduce_op)7), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_all_reduce(c, s, A, B, 17, F, ACCEL_REDUCE_SUM), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_all_reduce(c, s, A, (accel_buffer_ref){far, 0}, 4, F, ACCEL_REDUCE_SUM),
                ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_all_reduce(c, s, A, (accel_buffer_ref){a, 4}, 4, F, ACCEL_REDUCE_SUM),
                ACCEL_ERR_INVALID_ARGUMENT); /* overlapping, not in place */
    CHECK_FAILS(accel_comm_all_gather(c, s, A, (accel_buffer_ref){a, 4}, 2, F),
                ACCEL_ERR_INVALID_ARGUMENT); /* overlapping at the wrong part */
    CHECK_FAILS(accel_comm_reduce_scatter(c, s, A, B, 9, F, ACCEL_REDUCE_SUM), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_broadcast(c, s, A, B, 4, F, 2), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_send(c, s, A, 4, F, w.rank), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_recv(c, s, B, 4, F, -1), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_comm_group_end(d0), ACCEL_ERR_INVALID_ARGUMENT); /* no group open */

    /* AVG: (1 + 2) / 2 = 1.5 exactly; bf16 sums of small integers exact; fp16 too. */
    float mine[4] = {(float)(w.rank + 1), 100.0f * (float)(w.rank + 1), -3.0f, 0.5f};
    put(s, a, F, mine, 4);
    CHECK_OK(accel_comm_all_reduce(c, s, A, B, 4, F, ACCEL_REDUCE_AVG));
    CHECK(get(s, b, 0, F, 0) == 1.5f && get(s, b, 0, F, 1) == 150.0f && get(s, b, 0, F, 2) == -3.0f);
    const accel_dtype halves[2] = {ACCEL_DTYPE_BF16, ACCEL_DTYPE_F16};
    for (int h = 0; h < 2; h++) {
        put(s, a, halves[h], mine, 4);
        CHECK_OK(accel_comm_all_reduce(c, s, A, A, 4, halves[h], ACCEL_REDUCE_SUM)); /* in place */
        CHECKF(get(s, a, 0, halves[h], 0) == 3.0f && get(s, a, 0, halves[h], 1) == 300.0f &&
                   get(s, a, 0, halves[h], 2) == -6.0f && get(s, a, 0, halves[h], 3) == 1.0f,
               "%s in-place sum", accel_dtype_name(halves[h]));
    }
    /* In-place all_gather: each rank's part sits at rank * count; in-place reduce_scatter: the
     * result lands at part rank of the input (NCCL's convention). */
    float part[2] = {(float)(10 * w.rank), (float)(10 * w.rank + 1)};
    unsigned char host[8];
    memcpy(host, part, sizeof part);
    CHECK_OK(accel_buffer_write(s, a, (size_t)w.rank * 8, host, 8));
    CHECK_OK(accel_comm_all_gather(c, s, (accel_buffer_ref){a, (size_t)w.rank * 8}, A, 2, F));
    CHECK(get(s, a, 0, F, 0) == 0.0f && get(s, a, 0, F, 1) == 1.0f && get(s, a, 0, F, 2) == 10.0f &&
          get(s, a, 0, F, 3) == 11.0f);
    float four[4] = {1, 2, 3, 4};
    put(s, a, F, four, 4);
    CHECK_OK(accel_comm_reduce_scatter(c, s, A, (accel_buffer_ref){a, (size_t)w.rank * 8}, 2, F,
                                       ACCEL_REDUCE_SUM));
    CHECK(get(s, a, (size_t)w.rank * 8, F, 0) == 2.0f * four[2 * w.rank] &&
          get(s, a, (size_t)w.rank * 8, F, 1) == 2.0f * four[2 * w.rank + 1]);
    /* A ring of send/recv: grouped, so neither rank waits on the other. */
    put(s, a, F, mine, 4);
    CHECK_OK(accel_comm_group_begin(d0));
    CHECK_OK(accel_comm_send(c, s, A, 4, F, 1 - w.rank));
    CHECK_OK(accel_comm_recv(c, s, B, 4, F, 1 - w.rank));
    CHECK_OK(accel_comm_group_end(d0));
    CHECK(get(s, b, 0, F, 0) == (float)(2 - w.rank));
    /* broadcast from rank 1, out of place. */
    CHECK_OK(accel_comm_broadcast(c, s, A, B, 4, F, 1));
    CHECK(get(s, b, 0, F, 0) == 2.0f && get(s, b, 0, F, 1) == 200.0f);
    CHECK_OK(accel_comm_destroy(c));
    /* Host agreement dp_step uses: fp64 sums (its reference gradients) and a sleeping barrier. */
    double v[2] = {w.rank + 0.25, -0.5 * w.rank};
    CHECK_OK(accel_mpi_sum_doubles(v, 2));
    CHECK(v[0] == 1.5 && v[1] == -0.5);
    CHECK_OK(accel_mpi_barrier_sleeping());
    accel_buffer_free(a);
    accel_buffer_free(b);
    accel_buffer_free(far);
    accel_stream_destroy(s);
    accel_stream_destroy(other);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_comm NULL_PLUGIN\n");
        return 2;
    }
    const int launched = accel_mpi_launched();
    setenv("ACCEL_NULL_DEVICES", "2", 1);
    const char *paths[] = {argv[1]};
    accel_runtime_options o = {.struct_size = sizeof o, .plugin_paths = paths,
                               .plugin_path_count = 1, .no_default_paths = 1};
    accel_runtime *rt = NULL;
    accel_device *d0 = NULL, *d1 = NULL;
    CHECK_OK(accel_runtime_open(&o, &rt));
    CHECK_OK(accel_device_open(rt, "null:0", &d0));
    CHECK_OK(accel_device_open(rt, "null:1", &d1));
    if (!d0 || !d1) return test_finish("comm");
    if (launched) {
        test_world(d0, d1);
    } else {
        test_local(d0, d1);
        accel_comm *c = (accel_comm *)1;
        /* Without accel_mpi_init (or without MPI at all): refused, with why. */
        accel_clear_error();
        CHECK(accel_comm_create_world(d0, &c) != ACCEL_OK && c == NULL && accel_last_error()[0]);
        double v = 1;
        CHECK(accel_mpi_sum_doubles(&v, 1) != ACCEL_OK && accel_mpi_barrier_sleeping() != ACCEL_OK);
        test_environment();
    }
    accel_device_close(d0);
    accel_device_close(d1);
    accel_runtime_close(rt);
    if (launched) accel_mpi_finalize();
    return test_finish(launched ? "comm (mpi)" : "comm");
}
