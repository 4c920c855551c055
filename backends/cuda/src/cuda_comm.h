/* The cuda backend's collective slots (plugin.h ABI 1.2), on NCCL (cuda_nccl.h). Without a usable
 * NCCL every slot answers UNAVAILABLE with the reason: cuda devices never fall back to the MPI
 * host transport. */
#ifndef ACCEL_CUDA_COMM_H
#define ACCEL_CUDA_COMM_H

#include <stddef.h>

#include "accel/plugin.h"

struct accel_cuda_ctx;

accel_status accel_cuda_comm_library(void *ctx, char *buf, size_t len);
accel_status accel_cuda_comm_unique_id(void *ctx, void *id, size_t id_capacity, size_t *id_bytes);
accel_status accel_cuda_comm_init_rank(void *dev, int nranks, int rank, const void *id, size_t id_bytes,
                                       void **comm);
void accel_cuda_comm_destroy(void *comm);
accel_status accel_cuda_comm_group_begin(void *ctx);
accel_status accel_cuda_comm_group_end(void *ctx);
accel_status accel_cuda_comm_collective(void *comm, void *stream, const accel_plugin_collective *c);
/* Frees the NCCL state hung off the context (at shutdown). */
void accel_cuda_comm_lib_free(struct accel_cuda_ctx *ctx);

#endif
