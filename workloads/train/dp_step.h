/* dp_step workload: a data-parallel training step across the ranks of an MPI launch
 * (docs/scale-out.md). awl_run_alone (accel_workload.h) is its one-rank run. */
#ifndef WL_DP_STEP_H
#define WL_DP_STEP_H

#include "../common/wl_common.h"

extern const awl_workload awl_dp_step_workload;

#endif
