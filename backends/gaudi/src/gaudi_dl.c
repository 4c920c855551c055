#define _POSIX_C_SOURCE 200809L
#include "gaudi_dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

void *accel_gaudi_dl_open(const char *const *candidates, const char **which, char *why,
                          size_t why_len) {
    if (why_len) why[0] = '\0';
    for (const char *const *c = candidates; *c; ++c) {
        void *lib = dlopen(*c, RTLD_NOW | RTLD_LOCAL);
        if (lib) {
            if (which) *which = *c;
            return lib;
        }
        const char *message = dlerror();
        if (c == candidates && why_len) snprintf(why, why_len, "%s", message ? message : *c);
    }
    return NULL;
}

int accel_gaudi_dl_fill(void *lib, const accel_gaudi_symbol *symbols, size_t count, void *table,
                        char *first_missing, size_t first_missing_len) {
    int missing = 0;
    if (first_missing_len) first_missing[0] = '\0';
    for (const accel_gaudi_symbol *s = symbols; s < symbols + count; ++s) {
        void *fn = dlsym(lib, s->name);
        if (!fn && missing++ == 0 && first_missing_len)
            snprintf(first_missing, first_missing_len, "%s", s->name);
        /* Object and function pointers share one representation on POSIX; copying the bytes
         * avoids the cast ISO C leaves undefined. */
        memcpy((char *)table + s->slot, &fn, sizeof fn);
    }
    return missing;
}
