/* ABI 1.3 peer slots: what connects two AMD GPUs (hipDeviceCanAccessPeer, and the link type and hop
 * count ROCm reports), peer access, and device-to-device copies (hipMemcpyPeerAsync). */
#include <stdint.h>
#include <stdio.h>

#include "hip_internal.h"

/* hsa_amd_link_info_type_t, which hipExtGetLinkTypeAndHopCount answers with (ROCm's hsa_ext_amd.h,
 * not among the HIP headers the plugin builds with). */
enum { HSA_LINK_HYPERTRANSPORT = 0, HSA_LINK_QPI = 1, HSA_LINK_PCIE = 2, HSA_LINK_INFINIBAND = 3,
       HSA_LINK_XGMI = 4 };

accel_status hip_peer_query(void *d, void *p, accel_peer_info *info) {
    hip_device *dev = d, *peer = p;
    const hip_api *api = &dev->ctx->api;
    if (!api->hipDeviceCanAccessPeer) {
        snprintf(info->detail, sizeof info->detail, "the HIP runtime has no hipDeviceCanAccessPeer");
        return ACCEL_OK;
    }
    int can = 0;
    hipError_t err = api->hipDeviceCanAccessPeer(&can, dev->index, peer->index);
    if (err != hipSuccess) return hip_fail(dev->ctx, "hipDeviceCanAccessPeer", err);
    info->can_access_peer = can != 0;
    uint32_t type = 0, hops = 0;
    if (api->hipExtGetLinkTypeAndHopCount &&
        api->hipExtGetLinkTypeAndHopCount(dev->index, peer->index, &type, &hops) == hipSuccess) {
        info->link = type == HSA_LINK_XGMI ? ACCEL_LINK_XGMI : type == HSA_LINK_PCIE ? ACCEL_LINK_PCIE
                                                                                   : ACCEL_LINK_UNKNOWN;
        info->link_count = (int)hops;
        snprintf(info->detail, sizeof info->detail,
                 "hipDeviceCanAccessPeer %d; hipExtGetLinkTypeAndHopCount: link type %u, %u hop(s)", can,
                 type, hops);
    } else {
        snprintf(info->detail, sizeof info->detail,
                 "hipDeviceCanAccessPeer %d; no hipExtGetLinkTypeAndHopCount answer: link unknown", can);
    }
    return ACCEL_OK;
}

accel_status hip_peer_enable(void *d, void *p) {
    hip_device *dev = d, *peer = p;
    const hip_api *api = &dev->ctx->api;
    if (!api->hipDeviceEnablePeerAccess)
        return dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                         "the HIP runtime has no hipDeviceEnablePeerAccess");
    accel_status st = hip_device_bind(dev);
    if (st != ACCEL_OK) return st;
    hipError_t err = api->hipDeviceEnablePeerAccess(peer->index, 0);
    if (err == hipSuccess || err == hipErrorPeerAccessAlreadyEnabled) return ACCEL_OK;
    if (err == hipErrorPeerAccessUnsupported)
        return dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                         "hipDeviceEnablePeerAccess (hip:%d -> hip:%d): %s (%d)", dev->index,
                                         peer->index, hip_api_error_name(api, err), (int)err);
    return hip_fail(dev->ctx, "hipDeviceEnablePeerAccess", err);
}

accel_status hip_buffer_copy_peer(void *s, void *dst_dev, void *d, size_t dst_offset, void *src_dev,
                                  void *sb, size_t src_offset, size_t bytes) {
    hip_stream *stream = s;
    hip_device *ddev = dst_dev, *sdev = src_dev;
    hip_buffer *dst = d, *src = sb;
    const hip_api *api = &stream->dev->ctx->api;
    if (!api->hipMemcpyPeerAsync)
        return stream->dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                                 "the HIP runtime has no hipMemcpyPeerAsync");
    accel_status st = hip_device_bind(stream->dev);
    if (st != ACCEL_OK) return st;
    hipError_t err = api->hipMemcpyPeerAsync((char *)dst->ptr + dst_offset, ddev->index,
                                             (const char *)src->ptr + src_offset, sdev->index, bytes,
                                             stream->stream);
    return err == hipSuccess ? ACCEL_OK : hip_fail(stream->dev->ctx, "hipMemcpyPeerAsync", err);
}
