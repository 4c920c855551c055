/* The MPI side of comms in a libaccel built without MPI (ACCEL_MPI=OFF or no MPI found): every
 * entry says so, so single-device work runs and collectives fail with the way to get them. */
#include "hal_internal.h"

#define NO_MPI_HINT                                                                               \
    "this accelbench was built without MPI; collectives across processes need an MPI build "      \
    "(install libopenmpi-dev and reconfigure)"

static accel_status no_mpi(const char *fn) {
    return hal_error(ACCEL_ERR_UNIMPLEMENTED, "%s: " NO_MPI_HINT, fn);
}

ACCEL_API int accel_mpi_available(void) { return 0; }
ACCEL_API accel_status accel_mpi_init(accel_mpi_world *out) {
    if (out) *out = (accel_mpi_world){0, 1, 0, 1, 1, ""};
    return no_mpi(__func__);
}
ACCEL_API accel_status accel_mpi_finalize(void) { return ACCEL_OK; }
ACCEL_API accel_status accel_mpi_abort(int code, const char *why) {
    (void)code;
    (void)why;
    return no_mpi(__func__);
}
ACCEL_API accel_status accel_mpi_allgather_u64(uint64_t mine, uint64_t *all) {
    (void)mine;
    (void)all;
    return no_mpi(__func__);
}
ACCEL_API accel_status accel_mpi_max_doubles(double *values, size_t n) {
    (void)values;
    (void)n;
    return no_mpi(__func__);
}
ACCEL_API accel_status accel_mpi_sum_doubles(double *values, size_t n) {
    (void)values;
    (void)n;
    return no_mpi(__func__);
}
ACCEL_API accel_status accel_mpi_barrier(void) { return no_mpi(__func__); }
ACCEL_API accel_status accel_mpi_barrier_sleeping(void) { return no_mpi(__func__); }
ACCEL_API accel_status accel_mpi_broadcast_bytes(void *data, size_t bytes, int root) {
    (void)data;
    (void)bytes;
    (void)root;
    return no_mpi(__func__);
}

accel_status hal_mpi_world_of(int *rank, int *size) {
    *rank = 0;
    *size = 1;
    return no_mpi("accel_comm_create_world");
}
accel_status hal_mpi_bcast_bytes(void *data, size_t bytes, int root) {
    (void)data;
    (void)bytes;
    (void)root;
    return no_mpi("accel_comm_create_world");
}
accel_status hal_host_comm_create(accel_comm *comm) {
    (void)comm;
    return no_mpi("accel_comm_create_world");
}
void hal_host_comm_destroy(accel_comm *comm) { (void)comm; }
accel_status hal_host_collective(accel_comm *comm, accel_stream *stream, const hal_collective *c) {
    (void)comm;
    (void)stream;
    (void)c;
    return no_mpi("accel_comm collective");
}
accel_status hal_host_group_begin(void) { return no_mpi("accel_comm_group_begin"); }
accel_status hal_host_group_end(void) { return no_mpi("accel_comm_group_end"); }
