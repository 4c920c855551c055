/* The whole public API of libaccel. */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include "accel/status.h"
#include "accel/types.h"
#include "accel/runtime.h"
#include "accel/device.h"
#include "accel/buffer.h"
#include "accel/stream.h"
#include "accel/kernel.h"
#include "accel/ops.h"
#include "accel/comm.h"
#include "accel/peer.h"

#endif
