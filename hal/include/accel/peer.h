/* Pairs of devices: how two devices are connected, peer access, and copies between their buffers
 * (`transfer p2p`, docs/scale-out.md). Added with plugin ABI 1.3. */
#ifndef ACCEL_PEER_H
#define ACCEL_PEER_H

#include "accel/stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What connects two devices. HOST_STAGED: no device path; copies go through host memory (devices
 * of different plugins, or a plugin without the ABI 1.3 peer slots). */
typedef enum accel_link_kind {
    ACCEL_LINK_UNKNOWN = 0,
    ACCEL_LINK_SAME_DEVICE = 1,
    ACCEL_LINK_PCIE = 2,
    ACCEL_LINK_NVLINK = 3,
    ACCEL_LINK_XGMI = 4,
    ACCEL_LINK_HOST_STAGED = 5,
    ACCEL_LINK_KIND_COUNT_
} accel_link_kind;

/* "unknown", "same-device", "pcie", "nvlink", "xgmi", "host-staged" (the CSV's `link` column).
 * Inline: plugins use it and never call libaccel. */
static inline const char *accel_link_kind_name(accel_link_kind k) {
    static const char *const names[] = {"unknown", "same-device", "pcie", "nvlink", "xgmi",
                                        "host-staged"};
    return (unsigned)k < (unsigned)ACCEL_LINK_KIND_COUNT_ ? names[k] : "unknown";
}

/* The answer for an ordered pair (device -> peer). struct_size grows as types.h describes. */
typedef struct accel_peer_info {
    size_t struct_size;
    int can_access_peer;  /* 1: device can address peer's memory once peer access is enabled */
    accel_link_kind link;
    int link_count;       /* NVLinks or xGMI links between them, PCIe hops; 0 = unknown */
    int performance_rank; /* the vendor's relative rank (lower is better); -1 = none given */
    int native_atomics;   /* 1 / 0; -1 = unknown */
    char detail[192];     /* where the answer came from ("cuDeviceGetP2PAttribute; NVML: 4 NVLinks") */
} accel_peer_info;

/* Fills *out for the pair (device -> peer); out->struct_size set by the caller. Never fails for a
 * valid pair: what is not known reads UNKNOWN / -1, with why in detail. */
accel_status accel_device_peer_query(accel_device *dev, accel_device *peer, accel_peer_info *out);
/* Lets dev's work address peer's memory (cuCtxEnablePeerAccess, hipDeviceEnablePeerAccess).
 * Enabling twice is fine. ACCEL_ERR_UNIMPLEMENTED with the reason when the pair cannot. */
accel_status accel_device_peer_enable(accel_device *dev, accel_device *peer);

/* accel_buffer_copy_peer may go through host memory. */
#define ACCEL_PEER_COPY_STAGED_OK 1u

/* Copies bytes from src (on one device) to dst (on another, or the same), in order on stream, a
 * stream of src's or dst's device. Devices of one plugin with the ABI 1.3 copy slot: the vendor's
 * peer copy (cuMemcpyPeerAsync, hipMemcpyPeerAsync, ...), enqueued. Otherwise (different plugins, or
 * a plugin before ABI 1.3) only with ACCEL_PEER_COPY_STAGED_OK: the HAL stages the copy through
 * host memory and it is complete when the call returns; without the flag that is refused
 * (ACCEL_ERR_UNIMPLEMENTED, saying why). */
accel_status accel_buffer_copy_peer(accel_stream *stream, accel_buffer *dst, size_t dst_offset,
                                    const accel_buffer *src, size_t src_offset, size_t bytes,
                                    unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
