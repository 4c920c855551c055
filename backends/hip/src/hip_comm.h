/* The hip backend's collective slots (plugin.h ABI 1.2), on RCCL: librccl.so.1, dlopen()ed on the
 * first comm call (never linked) through NCCL's C ABI, which RCCL keeps (accel_common/ccl.h).
 * Looked for as $ACCEL_RCCL_LIBRARY when set (one file: tests, a second install), else
 * $ROCM_PATH/lib, /opt/rocm/lib, then the dynamic loader. Without a usable RCCL every slot
 * answers UNAVAILABLE with the reason: hip devices never fall back to the MPI host transport. */
#ifndef ACCEL_HIP_COMM_H
#define ACCEL_HIP_COMM_H

#include <stddef.h>

#include "accel/plugin.h"

struct hip_ctx;

accel_status hip_comm_library(void *ctx, char *buf, size_t len);
accel_status hip_comm_unique_id(void *ctx, void *id, size_t id_capacity, size_t *id_bytes);
accel_status hip_comm_init_rank(void *dev, int nranks, int rank, const void *id, size_t id_bytes, void **comm);
void hip_comm_destroy(void *comm);
accel_status hip_comm_group_begin(void *ctx);
accel_status hip_comm_group_end(void *ctx);
accel_status hip_comm_collective(void *comm, void *stream, const accel_plugin_collective *c);
/* Frees the RCCL state hung off the context (at shutdown). */
void hip_comm_lib_free(struct hip_ctx *ctx);

#endif
