/* `accelbench run` under mpirun / srun / an MPIJob (docs/scale-out.md): no worker processes, each
 * rank measures its rows in its own process on the device its local rank picks, in lockstep with
 * the other ranks, and rank 0 alone writes the CSV and the sidecar. */
#ifndef BENCH_MPI_RUN_H
#define BENCH_MPI_RUN_H

#include <stddef.h>

#include "accel/accel.h"
#include "args.h"
#include "selection.h"
#include "worker_supervisor.h"

/* MPI_Init (before the CLI starts any thread or child), then the ranks compare a hash of their
 * argument vectors. Returns 0, or the exit status (2: not an MPI build, or arguments differ; the
 * message is printed). */
int bench_mpi_start(int argc, char **argv, const char *command, accel_mpi_world *world);
/* The exit status every rank returns: the largest of the ranks' statuses; then MPI_Finalize. */
int bench_mpi_finish(int status);
/* Every rank passes the same sequence of these: each gets the largest status of all ranks, so a
 * rank that fails (rank 0's files) takes the others out with it at the same point. */
int bench_mpi_agree(int status);

/* After the plan is built: the rank's device is the local rank's device of the first planned
 * device's backend (shared, noted, when the node has fewer), and the rows are those of that
 * device. Returns 0, or 2 with a message. */
int bench_mpi_bind_device(accel_runtime *rt, const accel_mpi_world *world, bench_plan *plan,
                          char *err, size_t n);
/* Rank 0's resume marks, given to every rank. */
int bench_mpi_share_resume(bench_plan *plan);

/* Runs the plan's rows in lockstep; rank 0 reports each row through on_start / sink (the other
 * ranks pass NULL). Returns 0, 130 when interrupted, or 1 when the sink asked to stop. */
int bench_mpi_run_rows(accel_runtime *rt, const bench_plan *plan, const bench_run_args *a,
                       const accel_mpi_world *world, bench_row_start on_start, bench_row_sink sink,
                       void *ctx);

#endif
