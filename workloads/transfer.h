/* transfer workload: host<->device bandwidth, pinned and pageable, each direction. */
#ifndef WL_TRANSFER_H
#define WL_TRANSFER_H

#include "common/wl_common.h"

extern const awl_workload awl_transfer_workload;
/* 1 for the p2p-* configs (awl_config_needs_peer). */
int transfer_config_is_p2p(const awl_config *cfg);

#endif
