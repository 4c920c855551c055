/* transfer workload: host<->device bandwidth, pinned and pageable, each direction. */
#ifndef WL_TRANSFER_H
#define WL_TRANSFER_H

#include "common/wl_common.h"

extern const awl_workload awl_transfer_workload;

#endif
