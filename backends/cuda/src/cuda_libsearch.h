/* Finding the NVRTC and cuBLASLt that the installed driver can run.
 *
 * The plugin is built against one toolkit's headers (CUDA 13 here) but meets whatever driver the
 * machine has. CUDA libraries of major M need a driver of at least M.0 (minor-version
 * compatibility holds only within a major release), and rented images often run R550/R570 (CUDA
 * 12.x) drivers beside a CUDA 13 toolkit, or carry CUDA 12 libraries only inside Python wheels
 * (PyTorch's nvidia-* dependencies). So each library is looked for in several places, newest
 * soname first, and the first copy whose major the driver can run is kept.
 *
 * Places, in the default order (ACCEL_CUDA_LIB_SEARCH="env,toolkit,wheels,system" changes order and
 * subset):
 *   env      the directories in $ACCEL_CUDA_LIB_DIRS (colon-separated)
 *   toolkit  $CUDA_HOME, $CUDA_PATH, the toolkit the plugin was built against, /usr/local/cuda,
 *            /usr/local/cuda-* (newest first): their lib64 and lib folders
 *   wheels   nvidia/<package>/lib under every Python site folder (accel_common/pysite.h: $PYTHONPATH,
 *            the python3 on PATH's sys.path, the usual system, user, virtualenv and conda
 *            locations), and $CONDA_PREFIX/lib
 *   system   the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache)
 * Every file found and refused is remembered with the reason, for the message that explains a
 * refusal. */
#ifndef ACCEL_CUDA_LIBSEARCH_H
#define ACCEL_CUDA_LIBSEARCH_H

#include <stddef.h>

#include "accel_common/dl.h"

#define ACCEL_CUDA_SEARCH_MAX_DIRS 96

typedef struct accel_cuda_search {
    int driver_major;      /* newest CUDA major the driver runs: 12 for a 12.4 driver */
    int steps[4];          /* ACCEL_CUDA_SEARCH_* in the order tried */
    int nsteps;
    int wheels_listed;     /* the wheels step's folders are listed on first use (it runs python3) */
    char *dirs[ACCEL_CUDA_SEARCH_MAX_DIRS];
    int dir_step[ACCEL_CUDA_SEARCH_MAX_DIRS];
    int ndirs;
    char refused[1536];    /* "path (why); path (why)" over every library searched */
    char searched[256];    /* "env (unset), toolkit, wheels, system": what the search covered */
    const accel_dl_log *log; /* where each dlopen is traced; NULL (what init leaves) for none */
} accel_cuda_search;

enum { ACCEL_CUDA_SEARCH_ENV, ACCEL_CUDA_SEARCH_TOOLKIT, ACCEL_CUDA_SEARCH_WHEELS, ACCEL_CUDA_SEARCH_SYSTEM };

/* Decides whether an opened library is usable: resolves its symbols and checks its own version.
 * Returns 0 when it is; otherwise writes why into why. */
typedef int (*accel_cuda_lib_accept)(void *lib, void *user, char *why, size_t why_len);

/* Prepares a search for a driver that reports driver_version (cuDriverGetVersion: 12040 = 12.4).
 * Reads ACCEL_CUDA_LIB_SEARCH and ACCEL_CUDA_LIB_DIRS; an unknown step name is ignored and
 * noted in searched. */
void accel_cuda_search_init(accel_cuda_search *s, int driver_version);
void accel_cuda_search_free(accel_cuda_search *s);

/* Opens the first usable "<stem>.<major>" (majors tried in the order given, e.g. {13, 12}),
 * place by place. Files whose major exceeds the driver's are refused without being opened. On
 * success returns the handle (never closed again: NVIDIA's libraries keep process-wide state) and
 * the file's path in path; on failure NULL, with every refusal in s->refused. */
void *accel_cuda_search_open(accel_cuda_search *s, const char *stem, const int *majors, size_t nmajors,
                             accel_cuda_lib_accept accept, void *user, char *path, size_t path_len);

/* The CUDA major a header folder belongs to (CUDA_VERSION in cuda.h, else CUDART_VERSION in
 * cuda_runtime_api.h), or 0 when neither says. */
int accel_cuda_header_major(const char *include_dir);

#endif
