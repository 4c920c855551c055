/* glob(), realpath() and popen() need the POSIX feature set. */
#define _DEFAULT_SOURCE
#include "accel_common/pysite.h"

#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Adds a folder that exists, once by its real path, under the name it was met by. */
static void add(accel_pysite_list *l, const char *dir) {
    struct stat st;
    char real[PATH_MAX], other[PATH_MAX];
    if (!dir || !dir[0] || l->count >= ACCEL_PYSITE_MAX || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
        !realpath(dir, real))
        return;
    for (int i = 0; i < l->count; ++i)
        if (strcmp(l->dirs[i], dir) == 0 || (realpath(l->dirs[i], other) && strcmp(other, real) == 0)) return;
    char *copy = strdup(dir);
    if (copy) l->dirs[l->count++] = copy;
}

/* Every match of root + tail ("/lib/python3*" "/site-packages"), in glob's order. */
static void add_glob(accel_pysite_list *l, const char *root, const char *tail) {
    char pattern[PATH_MAX];
    glob_t g;
    if (!root || !root[0] || snprintf(pattern, sizeof pattern, "%s%s", root, tail) >= (int)sizeof pattern) return;
    if (glob(pattern, 0, NULL, &g) != 0) return;
    for (size_t i = 0; i < g.gl_pathc; ++i) add(l, g.gl_pathv[i]);
    globfree(&g);
}

static void add_path_list(accel_pysite_list *l, const char *list) {
    if (!list || !list[0]) return;
    char *copy = strdup(list), *save = NULL;
    for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) add(l, d);
    free(copy);
}

static void add_python_sys_path(accel_pysite_list *l) {
    FILE *p = popen("python3 -c 'import sys; print(\"\\n\".join(p for p in sys.path if p))' 2>/dev/null", "r");
    if (!p) return;
    char line[PATH_MAX];
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        add(l, line);
    }
    pclose(p);
}

void accel_pysite_find(unsigned flags, accel_pysite_list *out) {
    memset(out, 0, sizeof *out);
    add_path_list(out, getenv("PYTHONPATH"));
    if (flags & ACCEL_PYSITE_ASK_PYTHON) add_python_sys_path(out);
    add_glob(out, getenv("VIRTUAL_ENV"), "/lib/python3*/site-packages");
    add_glob(out, getenv("CONDA_PREFIX"), "/lib/python3*/site-packages");
    add_glob(out, getenv("HOME"), "/.local/lib/python3*/site-packages");
    add_glob(out, "/usr/local/lib", "/python3*/dist-packages");
    add_glob(out, "/usr/local/lib", "/python3*/site-packages");
    add(out, "/usr/lib/python3/dist-packages");
    add_glob(out, "/opt/conda/lib", "/python3*/site-packages");
}

void accel_pysite_free(accel_pysite_list *list) {
    for (int i = 0; i < list->count; ++i) free(list->dirs[i]);
    list->count = 0;
}
