/* The collective slots of a cuda plugin built without nccl.h: every one refuses with the reason,
 * so that cuda devices are never handed the MPI host transport instead of NCCL. */
#include <stdio.h>

#include "cuda_comm.h"
#include "cuda_internal.h"

#define NO_NCCL "NCCL unavailable: this cuda plugin was built without nccl.h (install NCCL's headers, e.g. " \
                "libnccl-dev, and reconfigure)"

static accel_status refuse(void *ctx) {
    return ((accel_cuda_ctx *)ctx)->host->set_error(ACCEL_ERR_UNAVAILABLE, "%s", NO_NCCL);
}

accel_status accel_cuda_comm_library(void *ctx, char *buf, size_t len) {
    snprintf(buf, len, "%s", NO_NCCL);
    return refuse(ctx);
}
accel_status accel_cuda_comm_unique_id(void *ctx, void *id, size_t id_capacity, size_t *id_bytes) {
    (void)id, (void)id_capacity, (void)id_bytes;
    return refuse(ctx);
}
accel_status accel_cuda_comm_init_rank(void *dev, int nranks, int rank, const void *id, size_t id_bytes,
                                       void **comm) {
    (void)nranks, (void)rank, (void)id, (void)id_bytes;
    *comm = NULL;
    return refuse(((accel_cuda_device *)dev)->ctx);
}
void accel_cuda_comm_destroy(void *comm) { (void)comm; }
accel_status accel_cuda_comm_group_begin(void *ctx) { return refuse(ctx); }
accel_status accel_cuda_comm_group_end(void *ctx) { return refuse(ctx); }
accel_status accel_cuda_comm_collective(void *comm, void *stream, const accel_plugin_collective *c) {
    (void)comm, (void)stream, (void)c;
    return ACCEL_ERR_UNAVAILABLE; /* unreachable: no comm is ever made */
}
void accel_cuda_comm_lib_free(struct accel_cuda_ctx *ctx) { (void)ctx; }
