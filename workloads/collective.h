/* collective workload: nccl-tests-style size sweeps of every collective across the ranks of an MPI
 * launch (docs/scale-out.md). */
#ifndef WL_COLLECTIVE_H
#define WL_COLLECTIVE_H

#include "common/wl_common.h"

extern const awl_workload awl_collective_workload;

/* awl_collective_bus_factor and awl_collective_size_bytes: accel_workload.h. */

#endif
