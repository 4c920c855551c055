/* stream workload: STREAM copy, scale, add and triad through the eltwise op. */
#ifndef WL_STREAM_H
#define WL_STREAM_H

#include "common/wl_common.h"

extern const awl_workload awl_stream_workload;

/* Elements per array for a device: max(4x LLC, 64 MiB) of fp32, capped by its memory. */
int64_t wl_stream_elements(const accel_device_info *info);

#endif
