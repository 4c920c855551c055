#define _POSIX_C_SOURCE 200809L
#include "pjrt_find.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel_common/pysite.h"

/* Package-relative plugin files, best accelerator first. */
static const char *const known_files[] = {
    "libtpu/libtpu.so",
    "jax_plugins/xla_cuda13/xla_cuda_plugin.so",
    "jax_plugins/xla_cuda12/xla_cuda_plugin.so",
    "jax_plugins/xla_rocm7/xla_rocm_plugin.so",
    "jax_plugins/xla_rocm60/xla_rocm_plugin.so",
    "lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so",
    "xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so",
};

static void add_path(pj_candidates *c, const char *path) {
    if (c->count >= PJ_FIND_MAX) return;
    for (int i = 0; i < c->count; ++i)
        if (strcmp(c->paths[i], path) == 0) return;
    snprintf(c->paths[c->count++], sizeof c->paths[0], "%s", path);
}

static void add_looked(pj_candidates *c, const char *dir) {
    size_t n = strlen(c->looked);
    if (n + 1 < sizeof c->looked)
        snprintf(c->looked + n, sizeof c->looked - n, "%s%s", n ? ", " : "", dir);
}

void pj_find_plugins(pj_candidates *out) {
    memset(out, 0, sizeof *out);
    const char *env = getenv("ACCEL_PJRT_PLUGIN");
    if (env && *env) {
        out->explicit_list = 1;
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", env);
        char *save = NULL;
        for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
            if (*t) add_path(out, t);
        snprintf(out->looked, sizeof out->looked, "ACCEL_PJRT_PLUGIN");
        return;
    }
    accel_pysite_list sites;
    accel_pysite_find(0, &sites);
    for (int d = 0; d < sites.count; ++d) add_looked(out, sites.dirs[d]);
    for (size_t f = 0; f < sizeof known_files / sizeof *known_files; ++f)
        for (int d = 0; d < sites.count; ++d) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", sites.dirs[d], known_files[f]);
            if (access(path, R_OK) == 0 && strlen(path) < sizeof out->paths[0]) add_path(out, path);
        }
    accel_pysite_free(&sites);
    if (!out->looked[0]) snprintf(out->looked, sizeof out->looked, "no Python package folder found");
}
