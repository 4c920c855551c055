/* The Python package folders pip installs wheels into, where plugins look for vendor libraries
 * shipped as wheels: NVIDIA's nvidia-* wheels (the cuda backend's "wheels" step) and the PJRT
 * plugin wheels (libtpu, jax-cuda*-pjrt, the XLA CPU plugin).
 *
 * Order: the $PYTHONPATH entries (where `pip install --target` folders are named), then, when asked,
 * the sys.path of the python3 on PATH (site-packages, virtualenvs, .pth additions), then the usual
 * locations: $VIRTUAL_ENV and $CONDA_PREFIX (lib/python3.*\/site-packages), ~/.local/lib/python3.*\/
 * site-packages, /usr/local/lib/python3.*\/{dist,site}-packages, /usr/lib/python3/dist-packages,
 * /opt/conda/lib/python3.*\/site-packages. Only folders that exist are listed, each once (by real
 * path), under the name it was first met by. */
#ifndef ACCEL_COMMON_PYSITE_H
#define ACCEL_COMMON_PYSITE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    /* Also run `python3 -c 'import sys; print(sys.path)'` (about 20 ms): the interpreter users
     * install into is usually the python3 on PATH, and its sys.path knows folders no pattern does. */
    ACCEL_PYSITE_ASK_PYTHON = 1u << 0
};

#define ACCEL_PYSITE_MAX 48

typedef struct accel_pysite_list {
    int count;
    char *dirs[ACCEL_PYSITE_MAX]; /* malloc'ed; accel_pysite_free releases them */
} accel_pysite_list;

/* Fills out (flags: ACCEL_PYSITE_*). Never fails: a folder that cannot be listed is left out. */
void accel_pysite_find(unsigned flags, accel_pysite_list *out);
void accel_pysite_free(accel_pysite_list *list);

#ifdef __cplusplus
}
#endif
#endif
