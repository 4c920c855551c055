#define _POSIX_C_SOURCE 200809L
#include "cuda_dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

void *accel_cuda_dl_open(const char *const *names, const char **opened, char *err, size_t err_len) {
    if (err_len) err[0] = '\0';
    for (size_t i = 0; names[i]; ++i) {
        void *lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (lib) {
            if (opened) *opened = names[i];
            return lib;
        }
        const char *why = dlerror();
        if (err_len) snprintf(err, err_len, "%s", why ? why : names[i]);
    }
    return NULL;
}

int accel_cuda_dl_resolve(void *lib, const accel_cuda_symbol *syms, size_t count, void *table,
                          const accel_cuda_alias *aliases, size_t naliases, char *missing, size_t missing_len) {
    int nmissing = 0;
    if (missing && missing_len) missing[0] = '\0';
    for (size_t i = 0; i < count; ++i) {
        void *sym = dlsym(lib, syms[i].name);
        for (size_t a = 0; !sym && a < naliases; ++a)
            if (strcmp(aliases[a].name, syms[i].name) == 0) sym = dlsym(lib, aliases[a].legacy);
        if (!sym && nmissing++ == 0 && missing && missing_len)
            snprintf(missing, missing_len, "%s", syms[i].name);
        /* POSIX guarantees object and function pointers share a representation; memcpy avoids the
         * ISO C cast between them. */
        memcpy((char *)table + syms[i].offset, &sym, sizeof sym);
    }
    return nmissing;
}

void accel_cuda_dl_close(void *lib) {
    if (lib) dlclose(lib);
}
