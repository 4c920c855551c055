/* Where PJRT plugins are looked for: ACCEL_PJRT_PLUGIN, else the files that pip installs for libtpu,
 * the JAX GPU plugins and the CPU plugin wheels, in Python's package folders (accel_common/pysite.h,
 * without asking python3). */
#ifndef ACCEL_PJRT_FIND_H
#define ACCEL_PJRT_FIND_H

#include <stddef.h>

#define PJ_FIND_MAX 16

typedef struct pj_candidates {
    int explicit_list;       /* from ACCEL_PJRT_PLUGIN: every path is loaded, and each must work */
    int count;
    char paths[PJ_FIND_MAX][512];
    char looked[384];        /* the folders searched, for the "none found" reason */
} pj_candidates;

/* Fills out from the environment; known places come in preference order (TPU, GPU, CPU). */
void pj_find_plugins(pj_candidates *out);

#endif
