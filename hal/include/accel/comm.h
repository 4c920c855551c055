/* Communicators and collectives (scale-out; docs/scale-out.md).
 *
 * An accel_comm is one rank of a group of devices that reduce, gather and exchange buffers:
 * - world comms: one rank per process, bootstrapped over MPI (mpirun, srun, an MPIJob);
 * - local comms: one process driving several devices of one backend, one rank each.
 * Collectives are enqueued on accel streams in stream order, so accel timers bracket them.
 *
 * Transports. A backend with a vendor collective library (cuda: NCCL, hip: RCCL, level_zero:
 * oneCCL) carries its collectives itself through the plugin's comm_* slots (plugin.h, ABI 1.2). A
 * backend without them (cpu, opencl) gets libaccel's MPI host transport: the stream's earlier work
 * is finished, device buffers are used in place when host-addressable (accel_buffer_host_ptr) or
 * else staged through host memory, MPI moves and reduces the data, and the results are written
 * back before the call returns; the stream is in order, so a timer ended after the call brackets
 * it. A vendor backend whose library failed to load is refused with that library's reason; it
 * never falls back to the host transport silently.
 *
 * Local comms exist only on backends with a collective library: MPI gives one rank per process,
 * so the host transport cannot drive several ranks from one thread (accel_comm_create_local on cpu
 * or opencl answers ACCEL_ERR_UNIMPLEMENTED saying to launch one process per device with mpirun).
 *
 * Reductions. SUM and AVG on F32, BF16 and F16. The host transport reduces bf16/fp16 through a
 * user MPI_Op that widens each pair of operands to fp32, adds, and rounds the result back to nearest
 * even once per pairwise step (so a sum of n ranks is rounded up to n-1 times, like a ring in
 * NCCL); sums of small integers are exact (bf16: |sum| <= 256, fp16: |sum| <= 2048). AVG is the
 * sum divided by the rank count, rounded once more. */
#ifndef ACCEL_COMM_H
#define ACCEL_COMM_H

#include "accel/stream.h"
#include "accel/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct accel_comm accel_comm;

/* Values are stable: they travel through the plugin ABI. */
typedef enum accel_reduce_op { ACCEL_REDUCE_SUM = 0, ACCEL_REDUCE_AVG = 1 } accel_reduce_op;

/* The transport this communicator runs on, as the comm_library CSV column reports it:
 * "nccl 2.27.7", "rccl 2.20.5", "mpi Open MPI v4.1.4". Truncated to len (len > 0). */
accel_status accel_comm_library(const accel_comm *comm, char *buf, size_t len);
int accel_comm_rank(const accel_comm *comm);  /* -1 for an invalid handle */
int accel_comm_size(const accel_comm *comm);  /* -1 for an invalid handle */
accel_device *accel_comm_device(const accel_comm *comm); /* NULL for an invalid handle */

/* One process, several distinct devices of one backend, one rank each (rank i = devices[i]), as
 * ncclCommInitAll. out_comms has ndevices slots, all set on success and all NULL on failure.
 * Backends with a collective library only (see above). */
accel_status accel_comm_create_local(accel_device *const *devices, int ndevices,
                                     accel_comm **out_comms);

/* Across processes: one rank per process over MPI_COMM_WORLD (rank = the MPI rank). Collective: every
 * rank calls it. The caller has called accel_mpi_init. On a vendor backend rank 0 makes the
 * library's unique id, MPI broadcasts it and every rank joins; cpu/opencl use the host transport. */
accel_status accel_comm_create_world(accel_device *device, accel_comm **out_comm);
/* NULL is a no-op. Waits for the device's queued work first. */
accel_status accel_comm_destroy(accel_comm *comm);

/* Collectives, enqueued on `stream` (a stream of the comm's device). Counts are in elements of
 * dtype (F32, BF16, F16), > 0; every rank passes the same count, dtype, op and root. In-place when
 * send and recv name the same (buffer, offset); other overlaps are refused. Buffer ranges:
 *   all_reduce:     send count,             recv count
 *   all_gather:     send send_count,        recv send_count * nranks (rank r's part at r*send_count)
 *   reduce_scatter: send recv_count*nranks, recv recv_count (rank r gets part r). Counts that do not
 *                   divide by the ranks are the caller's to pad: the API takes the per-rank count.
 *   broadcast:      send count (read on root only), recv count
 *   alltoall:       send and recv count_per_peer * nranks (part p goes to / comes from rank p)
 *   send / recv:    count, to / from rank peer (peer != own rank). Pairs that could wait on each
 *                   other (a ring) go inside accel_comm_group_begin/end.
 * In-place all_gather: send is recv at offset rank*send_count elements; in-place reduce_scatter:
 * recv is send at offset rank*recv_count elements (NCCL's convention). */
accel_status accel_comm_all_reduce(accel_comm *comm, accel_stream *stream, accel_buffer_ref send,
                                   accel_buffer_ref recv, size_t count, accel_dtype dtype,
                                   accel_reduce_op op);
accel_status accel_comm_all_gather(accel_comm *comm, accel_stream *stream, accel_buffer_ref send,
                                   accel_buffer_ref recv, size_t send_count, accel_dtype dtype);
accel_status accel_comm_reduce_scatter(accel_comm *comm, accel_stream *stream,
                                       accel_buffer_ref send, accel_buffer_ref recv,
                                       size_t recv_count, accel_dtype dtype, accel_reduce_op op);
accel_status accel_comm_broadcast(accel_comm *comm, accel_stream *stream, accel_buffer_ref send,
                                  accel_buffer_ref recv, size_t count, accel_dtype dtype, int root);
accel_status accel_comm_alltoall(accel_comm *comm, accel_stream *stream, accel_buffer_ref send,
                                 accel_buffer_ref recv, size_t count_per_peer, accel_dtype dtype);
accel_status accel_comm_send(accel_comm *comm, accel_stream *stream, accel_buffer_ref buf,
                             size_t count, accel_dtype dtype, int peer);
accel_status accel_comm_recv(accel_comm *comm, accel_stream *stream, accel_buffer_ref buf,
                             size_t count, accel_dtype dtype, int peer);

/* Brackets calls that must progress together: several ranks of local comms driven from one
 * thread, or send/recv pairs (as ncclGroupStart/End). Per thread; groups nest; the work is complete
 * (host transport) or enqueued (vendor libraries) when the outermost group_end returns. */
accel_status accel_comm_group_begin(accel_device *any_device_of_the_backend);
accel_status accel_comm_group_end(accel_device *any_device_of_the_backend);

/* ---- MPI bootstrap ----
 * Present in every libaccel; the functions work only when it was built with MPI (CMake
 * ACCEL_MPI=AUTO|ON|OFF). Without MPI they answer ACCEL_ERR_UNIMPLEMENTED with "this accelbench was
 * built without MPI; collectives across processes need an MPI build (install libopenmpi-dev and
 * reconfigure)". */
typedef struct accel_mpi_world {
    int rank, size;             /* in MPI_COMM_WORLD */
    int local_rank, local_size; /* among the ranks of this node (MPI_COMM_TYPE_SHARED) */
    int nodes;                  /* distinct nodes */
    char library[96];           /* "mpi Open MPI v4.1.4" */
} accel_mpi_world;

/* 1 when MPI is compiled in. */
int accel_mpi_available(void);
/* 1 when the environment says mpirun / srun / an MPIJob launched this process (OMPI_COMM_WORLD_SIZE,
 * PMI_SIZE, PMIX_RANK, SLURM_NTASKS with SLURM_PROCID); works without MPI compiled in, so a build
 * without MPI can refuse clearly. */
int accel_mpi_launched(void);
/* OMPI_COMM_WORLD_LOCAL_RANK, SLURM_LOCALID, LOCAL_RANK (first set wins); -1 when none is. */
int accel_local_rank_from_env(void);
/* MPI_Init_thread (FUNNELED) once per process; later calls return the same world. Call it before
 * starting threads. */
accel_status accel_mpi_init(accel_mpi_world *out);
/* MPI_Finalize when accel_mpi_init initialised MPI; a no-op otherwise. */
accel_status accel_mpi_finalize(void);
/* MPI_Abort(MPI_COMM_WORLD, code) after printing why to stderr: ends every rank. */
accel_status accel_mpi_abort(int code, const char *why);

/* Host-side agreement between the ranks of MPI_COMM_WORLD (what the CLI needs to keep the ranks in
 * step; no device memory involved). After accel_mpi_init. */
/* Every rank's value, rank order: all has world.size slots. */
accel_status accel_mpi_allgather_u64(uint64_t mine, uint64_t *all);
/* values[i] becomes the maximum of values[i] over all ranks. */
accel_status accel_mpi_max_doubles(double *values, size_t n);
/* values[i] becomes the sum of values[i] over all ranks. */
accel_status accel_mpi_sum_doubles(double *values, size_t n);
accel_status accel_mpi_barrier(void);
/* A barrier that waits asleep (MPI_Ibarrier, tested every millisecond) instead of polling, for ranks
 * that wait while another rank is measured on the same cores (dp_step's one-rank phase). */
accel_status accel_mpi_barrier_sleeping(void);
/* bytes of data from root's copy to every rank's. */
accel_status accel_mpi_broadcast_bytes(void *data, size_t bytes, int root);

#ifdef __cplusplus
}
#endif
#endif
