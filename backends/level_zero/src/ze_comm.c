/* Collectives on Level Zero devices: oneCCL is probed, and every comm slot answers UNAVAILABLE with
 * the reason (plugin.h ABI 1.2). The slots are present so that Intel GPUs are never handed the MPI
 * host transport in place of a collective library. oneCCL's API is C++ only (oneapi/ccl.hpp: no C
 * entry points to dlsym), so driving it needs a C++ shim built against its headers; neither oneCCL
 * nor its headers are on the machines this backend is developed on, so that shim is not written.
 * When libccl.so.1 is found the reason says exactly that. */
#include <stdio.h>
#include <stdlib.h>

#include "accel_common/dl.h"
#include "ze_internal.h"

/* The probe runs at each call (dlopen of a library already mapped is a reference count), so no
 * state is kept in the context. $ACCEL_ONECCL_LIBRARY names one file instead (tests). */
static accel_status probe(accel_ze_context *ctx, char *reason, size_t len) {
    const accel_dl_log log = {ctx->host, "level_zero"};
    const char *override = getenv("ACCEL_ONECCL_LIBRARY");
    const char *const defaults[] = {"libccl.so.1", "libccl.so", NULL};
    const char *const named[] = {override, NULL};
    const char *opened = NULL;
    char why[256] = "";
    void *lib = accel_dl_open(&log, override && override[0] ? named : defaults, 0, &opened, why, sizeof why);
    if (!lib)
        snprintf(reason, len,
                 "oneCCL unavailable: libccl.so.1 not found (%s); collectives on Level Zero devices need "
                 "oneCCL (Intel oneAPI: source setvars.sh)",
                 why);
    else {
        snprintf(reason, len,
                 "oneCCL found (%s) but not supported yet: its API is C++ only and this accelbench has no "
                 "oneCCL shim; collectives on Level Zero devices are unsupported",
                 opened);
        accel_dl_close(lib);
    }
    return ctx->host->set_error(ACCEL_ERR_UNAVAILABLE, "%s", reason);
}

accel_status accel_ze_comm_library(void *ctx, char *buf, size_t len) { return probe(ctx, buf, len); }

accel_status accel_ze_comm_unique_id(void *ctx, void *id, size_t id_capacity, size_t *id_bytes) {
    (void)id, (void)id_capacity, (void)id_bytes;
    char reason[512];
    return probe(ctx, reason, sizeof reason);
}

accel_status accel_ze_comm_init_rank(void *dev, int nranks, int rank, const void *id, size_t id_bytes, void **comm) {
    (void)nranks, (void)rank, (void)id, (void)id_bytes;
    *comm = NULL;
    char reason[512];
    return probe(((accel_ze_device *)dev)->ctx, reason, sizeof reason);
}

void accel_ze_comm_destroy(void *comm) { (void)comm; /* none is ever made */ }

accel_status accel_ze_comm_collective(void *comm, void *stream, const accel_plugin_collective *c) {
    (void)comm, (void)stream, (void)c;
    return ACCEL_ERR_UNAVAILABLE; /* unreachable: no comm is ever made */
}
