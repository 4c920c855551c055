#define _POSIX_C_SOURCE 200809L
#include "ocl_clblast.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int ocl_clblast_open(ocl_clblast_api *api, int debug, char *why, size_t why_len) {
    memset(api, 0, sizeof(*api));
    void *lib = dlopen("libclblast.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *err = dlerror();
        snprintf(why, why_len, "%s (install libclblast1 for the clblast GEMM path)",
                 err ? err : "libclblast.so.1 not found");
        if (debug)
            fprintf(stderr, "[opencl] %s\n", why);
        return -1;
    }
#define OCL_CLBLAST_REQUIRED(sym, type, field)                                                     \
    {                                                                                              \
        void *p = dlsym(lib, #sym);                                                                \
        if (!p) {                                                                                  \
            snprintf(why, why_len, "libclblast.so.1 lacks %s", #sym);                             \
            dlclose(lib);                                                                          \
            memset(api, 0, sizeof(*api));                                                          \
            return -1;                                                                             \
        }                                                                                          \
        memcpy(&api->field, &p, sizeof(p));                                                        \
    }
#define OCL_CLBLAST_OPTIONAL(sym, type, field)                                                     \
    {                                                                                              \
        void *p = dlsym(lib, #sym);                                                                \
        if (p)                                                                                     \
            memcpy(&api->field, &p, sizeof(p));                                                    \
    }
    OCL_CLBLAST_LIST(OCL_CLBLAST_REQUIRED, OCL_CLBLAST_OPTIONAL)
#undef OCL_CLBLAST_REQUIRED
#undef OCL_CLBLAST_OPTIONAL
    api->lib = lib;
    return 0;
}

void ocl_clblast_close(ocl_clblast_api *api) {
    if (api->lib)
        dlclose(api->lib);
    memset(api, 0, sizeof(*api));
}
