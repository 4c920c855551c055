#define _POSIX_C_SOURCE 200809L
#include "pjrt_find.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Package folders that exist, from patterns like "<prefix>/lib/python3*\/site-packages". */
static int site_dirs(char dirs[][512], int max) {
    const char *prefixes[4] = {getenv("VIRTUAL_ENV"), getenv("CONDA_PREFIX"), NULL, NULL};
    char user[512] = "";
    const char *home = getenv("HOME");
    if (home) snprintf(user, sizeof user, "%s/.local", home);
    prefixes[2] = user[0] ? user : NULL;
    char pattern[640];
    int n = 0;
    /* PYTHONPATH entries first: that is where `pip install --target` folders are named. */
    const char *pp = getenv("PYTHONPATH");
    if (pp) {
        char copy[2048];
        snprintf(copy, sizeof copy, "%s", pp);
        char *save = NULL;
        for (char *t = strtok_r(copy, ":", &save); t && n < max; t = strtok_r(NULL, ":", &save))
            if (*t) snprintf(dirs[n++], 512, "%s", t);
    }
    const char *system_patterns[] = {"/usr/local/lib/python3*/dist-packages",
                                     "/usr/local/lib/python3*/site-packages",
                                     "/usr/lib/python3/dist-packages"};
    for (int p = 0; p < 3 + 3 && n < max; ++p) {
        if (p < 3) {
            if (!prefixes[p]) continue;
            snprintf(pattern, sizeof pattern, "%s/lib/python3*/site-packages", prefixes[p]);
        } else {
            snprintf(pattern, sizeof pattern, "%s", system_patterns[p - 3]);
        }
        glob_t g;
        if (glob(pattern, 0, NULL, &g) == 0)
            for (size_t i = 0; i < g.gl_pathc && n < max; ++i) snprintf(dirs[n++], 512, "%s", g.gl_pathv[i]);
        globfree(&g);
    }
    return n;
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
    char dirs[16][512];
    int ndirs = site_dirs(dirs, 16);
    for (int d = 0; d < ndirs; ++d) add_looked(out, dirs[d]);
    for (size_t f = 0; f < sizeof known_files / sizeof *known_files; ++f)
        for (int d = 0; d < ndirs; ++d) {
            char path[1100];
            snprintf(path, sizeof path, "%s/%s", dirs[d], known_files[f]);
            if (access(path, R_OK) == 0 && strlen(path) < sizeof out->paths[0]) add_path(out, path);
        }
    if (!out->looked[0]) snprintf(out->looked, sizeof out->looked, "no Python package folder found");
}
