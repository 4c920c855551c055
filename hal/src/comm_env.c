/* How the launcher (mpirun, srun, an MPIJob) shows itself in the environment; needs no MPI, so a
 * build without MPI can still tell a user that it was launched under mpirun. */
#include <stdlib.h>

#include "hal_internal.h"

static int env_set(const char *name) {
    const char *v = getenv(name);
    return v && v[0];
}

ACCEL_API int accel_mpi_launched(void) {
    return env_set("OMPI_COMM_WORLD_SIZE") || env_set("PMI_SIZE") || env_set("PMIX_RANK") ||
           (env_set("SLURM_NTASKS") && env_set("SLURM_PROCID"));
}

ACCEL_API int accel_local_rank_from_env(void) {
    static const char *const names[] = {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "LOCAL_RANK"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        const char *v = getenv(names[i]);
        if (!v || !v[0]) continue;
        char *end;
        long r = strtol(v, &end, 10);
        if (*end == '\0' && r >= 0 && r < 1 << 20) return (int)r;
    }
    return -1;
}
