/* resnet_block workload: the eight ResNet-50 v1.5 bottleneck blocks. */
#ifndef WL_RESNET_BLOCK_H
#define WL_RESNET_BLOCK_H

#include "common/wl_common.h"

extern const awl_workload awl_resnet_block_workload;

/* FLOP of one image of the block with this config id prefix ("conv3_x-identity"), or 0. */
double wl_resnet_flop_per_image(const awl_config *cfg);

#endif
