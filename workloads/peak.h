/* peak workload: measured roofs per dtype and unit (vector FMA chains, matrix engine GEMM). */
#ifndef WL_PEAK_H
#define WL_PEAK_H

#include "common/wl_common.h"

extern const awl_workload awl_peak_workload;

/* GEMM size used for the "matrix" roof on a device of this type. */
int64_t wl_peak_matrix_size(const accel_device_info *info);

#endif
