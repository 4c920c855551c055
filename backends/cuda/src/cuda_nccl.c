#include "cuda_nccl.h"

#include <stdio.h>
#include <string.h>

static int accept_nccl(void *lib, void *user, char *why, size_t why_len) {
    return accel_ccl_accept(lib, user, why, why_len);
}

int accel_cuda_nccl_load(accel_ccl *nccl, accel_cuda_search *search, char *err, size_t err_len) {
    static const int majors[] = {2};
    memset(nccl, 0, sizeof *nccl);
    nccl->name = "NCCL";
    if (!accel_cuda_search_open(search, "libnccl.so", majors, 1, accept_nccl, nccl, nccl->path, sizeof nccl->path)) {
        snprintf(err, err_len, "no usable libnccl.so.2 (searched %s)%s%s", search->searched,
                 search->refused[0] ? "; refused: " : "", search->refused);
        memset(&nccl->fn, 0, sizeof nccl->fn);
        nccl->lib = NULL;
        return -1;
    }
    return 0;
}
