/* glob(), realpath() and dladdr() need the GNU/POSIX feature set. */
#define _GNU_SOURCE
#include "cuda_libsearch.h"

#include <dlfcn.h>
#include <glob.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel_common/pysite.h"

static const char *const step_names[] = {"env", "toolkit", "wheels", "system"};

static void appendf(char *buf, size_t len, const char *sep, const char *fmt, const char *a, const char *b) {
    size_t used = strlen(buf);
    if (used + 1 >= len) return;
    int n = snprintf(buf + used, len - used, "%s", used ? sep : "");
    if (n < 0 || (size_t)n >= len - used) return;
    used += (size_t)n;
    snprintf(buf + used, len - used, fmt, a, b);
}

static int is_dir(const char *path) {
    struct stat st;
    return path && path[0] && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Adds a folder once (by its real path), in the step it was first met in. */
static void add_dir(accel_cuda_search *s, int step, const char *dir) {
    char real[PATH_MAX];
    if (!is_dir(dir) || !realpath(dir, real)) return;
    for (int i = 0; i < s->ndirs; ++i)
        if (strcmp(s->dirs[i], real) == 0) return;
    if (s->ndirs >= ACCEL_CUDA_SEARCH_MAX_DIRS) return;
    char *copy = strdup(real);
    if (!copy) return;
    s->dir_step[s->ndirs] = step;
    s->dirs[s->ndirs++] = copy;
}

static void add_joined(accel_cuda_search *s, int step, const char *root, const char *tail) {
    char path[PATH_MAX];
    if (!root || !root[0]) return;
    if (snprintf(path, sizeof path, "%s%s", root, tail) < (int)sizeof path) add_dir(s, step, path);
}

/* Every match of pattern, last first when newest_first (glob sorts "cuda-12.4" before "cuda-13.0"). */
static void add_glob(accel_cuda_search *s, int step, const char *pattern, int newest_first) {
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0) return;
    for (size_t i = 0; i < g.gl_pathc; ++i)
        add_dir(s, step, g.gl_pathv[newest_first ? g.gl_pathc - 1 - i : i]);
    globfree(&g);
}

static void list_env(accel_cuda_search *s) {
    const char *dirs = getenv("ACCEL_CUDA_LIB_DIRS");
    if (!dirs || !dirs[0]) return;
    char *copy = strdup(dirs), *save = NULL;
    for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save))
        add_dir(s, ACCEL_CUDA_SEARCH_ENV, d);
    free(copy);
}

static void list_toolkit(accel_cuda_search *s) {
    const char *roots[] = {getenv("CUDA_HOME"), getenv("CUDA_PATH")};
    for (size_t i = 0; i < 2; ++i) {
        add_joined(s, ACCEL_CUDA_SEARCH_TOOLKIT, roots[i], "/lib64");
        add_joined(s, ACCEL_CUDA_SEARCH_TOOLKIT, roots[i], "/lib");
    }
#ifdef ACCEL_CUDA_BUILD_INCLUDE_DIR
    add_joined(s, ACCEL_CUDA_SEARCH_TOOLKIT, ACCEL_CUDA_BUILD_INCLUDE_DIR, "/../lib64");
    add_joined(s, ACCEL_CUDA_SEARCH_TOOLKIT, ACCEL_CUDA_BUILD_INCLUDE_DIR, "/../lib");
#endif
    add_dir(s, ACCEL_CUDA_SEARCH_TOOLKIT, "/usr/local/cuda/lib64");
    add_glob(s, ACCEL_CUDA_SEARCH_TOOLKIT, "/usr/local/cuda-*/lib64", 1);
}

/* nvidia/<package>/lib folders of the pip wheels (nvidia-cuda-nvrtc-cu12, nvidia-cublas-cu12, the
 * CUDA 13 wheels' nvidia/cu13/lib) under one site folder. */
static void add_site(accel_cuda_search *s, const char *site) {
    char pattern[PATH_MAX];
    if (!site || !site[0] || strlen(site) + 16 >= sizeof pattern) return;
    snprintf(pattern, sizeof pattern, "%s/nvidia/*/lib", site);
    add_glob(s, ACCEL_CUDA_SEARCH_WHEELS, pattern, 0);
}

/* The interpreter users install PyTorch into is usually the python3 on PATH: its sys.path is asked
 * too (site-packages, virtualenvs, .pth additions), unless ACCEL_CUDA_NO_PYTHON is set. */
static void list_wheels(accel_cuda_search *s) {
    accel_pysite_list sites;
    accel_pysite_find(getenv("ACCEL_CUDA_NO_PYTHON") ? 0 : ACCEL_PYSITE_ASK_PYTHON, &sites);
    for (int i = 0; i < sites.count; ++i) add_site(s, sites.dirs[i]);
    accel_pysite_free(&sites);
    add_joined(s, ACCEL_CUDA_SEARCH_WHEELS, getenv("CONDA_PREFIX"), "/lib");
}

void accel_cuda_search_init(accel_cuda_search *s, int driver_version) {
    memset(s, 0, sizeof *s);
    s->driver_major = driver_version / 1000;
    const char *order = getenv("ACCEL_CUDA_LIB_SEARCH");
    if (!order || !order[0]) order = "env,toolkit,wheels,system";
    char *copy = strdup(order), *save = NULL;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && s->nsteps < 4; t = strtok_r(NULL, ",", &save)) {
        int step = -1;
        for (int i = 0; i < 4; ++i)
            if (strcmp(t, step_names[i]) == 0) step = i;
        int seen = 0;
        for (int i = 0; i < s->nsteps; ++i) seen |= s->steps[i] == step;
        if (step < 0) appendf(s->searched, sizeof s->searched, ", ", "'%s' (unknown step)%s", t, "");
        else if (!seen) s->steps[s->nsteps++] = step;
    }
    free(copy);
    for (int i = 0; i < s->nsteps; ++i) {
        const char *name = step_names[s->steps[i]];
        const int env_unset = s->steps[i] == ACCEL_CUDA_SEARCH_ENV && !getenv("ACCEL_CUDA_LIB_DIRS");
        appendf(s->searched, sizeof s->searched, ", ", "%s%s", name, env_unset ? " ($ACCEL_CUDA_LIB_DIRS unset)" : "");
        if (s->steps[i] == ACCEL_CUDA_SEARCH_ENV) list_env(s);
        else if (s->steps[i] == ACCEL_CUDA_SEARCH_TOOLKIT) list_toolkit(s);
    }
}

void accel_cuda_search_free(accel_cuda_search *s) {
    for (int i = 0; i < s->ndirs; ++i) free(s->dirs[i]);
    s->ndirs = 0;
}

static int file_exists(const char *path) { return access(path, F_OK) == 0; }

/* Opens one candidate and asks accept; the handle on success, NULL with the reason recorded. */
static void *try_open(accel_cuda_search *s, const char *target, const char *shown, accel_cuda_lib_accept accept,
                      void *user, int record_missing) {
    const char *const candidates[] = {target, NULL};
    char why[256];
    void *lib = accel_dl_open(s->log, candidates, 0, NULL, why, sizeof why);
    if (!lib) {
        if (record_missing) appendf(s->refused, sizeof s->refused, "; ", "%s (%s)", shown, why[0] ? why : "cannot open");
        return NULL;
    }
    why[0] = '\0';
    if (accept(lib, user, why, sizeof why) != 0) {
        /* Left mapped: its constructors ran, and unloading NVIDIA's libraries is not safe. */
        appendf(s->refused, sizeof s->refused, "; ", "%s (%s)", shown, why);
        return NULL;
    }
    return lib;
}

void *accel_cuda_search_open(accel_cuda_search *s, const char *stem, const int *majors, size_t nmajors,
                             accel_cuda_lib_accept accept, void *user, char *path, size_t path_len) {
    char file[PATH_MAX + 64];
    if (path_len) path[0] = '\0';
    for (int st = 0; st < s->nsteps; ++st) {
        const int step = s->steps[st];
        if (step == ACCEL_CUDA_SEARCH_WHEELS && !s->wheels_listed) {
            s->wheels_listed = 1;
            list_wheels(s);
        }
        if (step == ACCEL_CUDA_SEARCH_SYSTEM) {
            for (size_t m = 0; m < nmajors; ++m) {
                if (majors[m] > s->driver_major) continue; /* nothing to say about a file not seen */
                snprintf(file, sizeof file, "%s.%d", stem, majors[m]);
                void *lib = try_open(s, file, file, accept, user, 0);
                if (!lib) continue;
                /* Which file the loader picked, for the record. */
                struct link_map *lm = NULL;
                if (dlinfo(lib, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && lm->l_name[0])
                    snprintf(path, path_len, "%s", lm->l_name);
                else
                    snprintf(path, path_len, "%s", file);
                return lib;
            }
            continue;
        }
        for (int d = 0; d < s->ndirs; ++d) {
            if (s->dir_step[d] != step) continue;
            for (size_t m = 0; m < nmajors; ++m) {
                if (snprintf(file, sizeof file, "%s/%s.%d", s->dirs[d], stem, majors[m]) >= (int)sizeof file ||
                    !file_exists(file))
                    continue;
                if (majors[m] > s->driver_major) {
                    char why[96];
                    snprintf(why, sizeof why, "CUDA %d library, the driver runs CUDA %d", majors[m], s->driver_major);
                    appendf(s->refused, sizeof s->refused, "; ", "%s (%s)", file, why);
                    continue;
                }
                void *lib = try_open(s, file, file, accept, user, 1);
                if (lib) {
                    snprintf(path, path_len, "%s", file);
                    return lib;
                }
            }
        }
    }
    return NULL;
}

int accel_cuda_header_major(const char *include_dir) {
    static const struct { const char *file, *macro; } probes[] = {
        {"cuda.h", "#define CUDA_VERSION "}, {"cuda_runtime_api.h", "#define CUDART_VERSION "}};
    for (size_t i = 0; i < 2; ++i) {
        char path[PATH_MAX + 32];
        if (snprintf(path, sizeof path, "%s/%s", include_dir, probes[i].file) >= (int)sizeof path) continue;
        FILE *f = fopen(path, "r");
        if (!f) continue;
        char line[512];
        int version = 0;
        const size_t n = strlen(probes[i].macro);
        while (!version && fgets(line, sizeof line, f))
            if (strncmp(line, probes[i].macro, n) == 0) version = atoi(line + n);
        fclose(f);
        if (version > 0) return version / 1000;
    }
    return 0;
}
