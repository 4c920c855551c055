/* RTLD_NODELETE needs the GNU feature set with strict C11. */
#define _GNU_SOURCE
#include "accel_common/dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void trace(const accel_dl_log *log, const char *file, const char *outcome) {
    if (!log || !log->host || !log->host->log || !log->host->debug) return;
    char line[640];
    snprintf(line, sizeof line, "dlopen(%s): %s", file, outcome);
    log->host->log(ACCEL_LOG_DEBUG, log->backend ? log->backend : "plugin", line);
}

void *accel_dl_open(const accel_dl_log *log, const char *const *candidates, unsigned flags,
                    const char **opened, char *why, size_t why_len) {
    if (why_len) why[0] = '\0';
    if (opened) *opened = NULL;
    const int mode = RTLD_NOW | RTLD_LOCAL | ((flags & ACCEL_DL_NODELETE) ? RTLD_NODELETE : 0);
    for (size_t i = 0; candidates[i]; ++i) {
        void *lib = dlopen(candidates[i], mode);
        if (lib) {
            trace(log, candidates[i], "ok");
            if (opened) *opened = candidates[i];
            return lib;
        }
        const char *message = dlerror();
        trace(log, candidates[i], message ? message : "cannot open");
        if (i == 0 && why_len) snprintf(why, why_len, "%s", message ? message : candidates[i]);
    }
    return NULL;
}

int accel_dl_resolve(void *lib, const accel_dl_tier *tier, void *table, char *missing, size_t missing_len) {
    int nmissing = 0;
    if (missing_len) missing[0] = '\0';
    for (size_t i = 0; i < tier->count; ++i) {
        const accel_dl_symbol *s = &tier->symbols[i];
        void *sym = dlsym(lib, s->name);
        for (size_t a = 0; !sym && a < tier->naliases; ++a)
            if (strcmp(tier->aliases[a].name, s->name) == 0) sym = dlsym(lib, tier->aliases[a].legacy);
        if (!sym && nmissing++ == 0 && missing_len) snprintf(missing, missing_len, "%s", s->name);
        /* POSIX guarantees object and function pointers share a representation; copying the bytes
         * avoids the cast between them that ISO C leaves undefined. */
        memcpy((char *)table + s->offset, &sym, sizeof sym);
    }
    return nmissing;
}

void accel_dl_clear(const accel_dl_tier *tier, void *table) {
    void *none = NULL;
    for (size_t i = 0; i < tier->count; ++i) memcpy((char *)table + tier->symbols[i].offset, &none, sizeof none);
}

accel_dl_outcome accel_dl_load(const accel_dl_log *log, const accel_dl_library *library, void *table,
                               accel_dl_handle *out) {
    memset(out, 0, sizeof *out);
    const char *override = library->override_env ? getenv(library->override_env) : NULL;
    const char *const chosen[] = {override, NULL};
    const int overridden = override && override[0];
    out->lib = accel_dl_open(log, overridden ? chosen : library->candidates, library->flags, &out->name, out->why,
                             sizeof out->why);
    if (!out->lib) return ACCEL_DL_NOT_FOUND;
    const accel_dl_tier *tiers[3] = {&library->bootstrap, &library->required, &library->optional};
    const accel_dl_outcome fails[2] = {ACCEL_DL_NOT_THIS_LIBRARY, ACCEL_DL_TOO_OLD};
    for (int t = 0; t < 3; ++t) {
        if (accel_dl_resolve(out->lib, tiers[t], table, t < 2 ? out->missing : NULL, t < 2 ? sizeof out->missing : 0) &&
            t < 2) {
            for (int c = 0; c <= t; ++c) accel_dl_clear(tiers[c], table);
            accel_dl_close(out->lib);
            out->lib = NULL;
            return fails[t];
        }
    }
    return ACCEL_DL_LOADED;
}

void accel_dl_close(void *lib) {
    if (lib) dlclose(lib);
}
