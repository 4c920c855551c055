/* ABI 1.3 peer slots: what connects two CUDA devices (the driver's P2P answers, then NVML for the
 * link), peer access, and device-to-device copies. */
#include <stdio.h>
#include <string.h>

#include "cuda_internal.h"

/* From the NVML API reference (nvml.h is not in the toolkit). */
enum { NVML_OK = 0, NVML_P2P_CAPS_INDEX_NVLINK = 2, NVML_P2P_STATUS_OK = 0 };

static const char *nvml_topology_name(int level) {
    switch (level) {
    case 0: return "same board";
    case 10: return "one PCIe switch";
    case 20: return "several PCIe switches";
    case 30: return "one host bridge";
    case 40: return "one NUMA node";
    case 50: return "across NUMA nodes (SMP interconnect)";
    default: return "unknown PCIe path";
    }
}

/* The link from NVML: an NVLink P2P status of OK means NVLink; otherwise the PCIe common ancestor. */
static void nvml_link(const accel_cuda_device *dev, const accel_cuda_device *peer,
                      accel_peer_info *info, char *detail, size_t len) {
    const accel_cuda_ctx *ctx = dev->ctx;
    if (!ctx->nvml_ok || !dev->nvml_dev || !peer->nvml_dev) {
        snprintf(detail, len, "; NVML not loaded: link unknown");
        return;
    }
    int status = -1, level = -1;
    if (ctx->nvml.nvmlDeviceGetP2PStatus &&
        ctx->nvml.nvmlDeviceGetP2PStatus(dev->nvml_dev, peer->nvml_dev, NVML_P2P_CAPS_INDEX_NVLINK,
                                         &status) == NVML_OK &&
        status == NVML_P2P_STATUS_OK) {
        info->link = ACCEL_LINK_NVLINK;
        snprintf(detail, len, "; NVML: NVLink P2P");
        return;
    }
    if (ctx->nvml.nvmlDeviceGetTopologyCommonAncestor &&
        ctx->nvml.nvmlDeviceGetTopologyCommonAncestor(dev->nvml_dev, peer->nvml_dev, &level) ==
            NVML_OK) {
        info->link = ACCEL_LINK_PCIE;
        snprintf(detail, len, "; NVML: PCIe, %s", nvml_topology_name(level));
        return;
    }
    snprintf(detail, len, "; NVML: no NVLink, no topology answer: link unknown");
}

accel_status accel_cuda_peer_query(void *d, void *p, accel_peer_info *info) {
    accel_cuda_device *dev = d, *peer = p;
    accel_cuda_ctx *ctx = dev->ctx;
    if (!ctx->cu.cuDeviceCanAccessPeer) {
        snprintf(info->detail, sizeof info->detail, "the driver has no cuDeviceCanAccessPeer");
        return ACCEL_OK;
    }
    int can = 0;
    accel_status st = ACCEL_CUDA_CALL(ctx, cuDeviceCanAccessPeer(&can, dev->dev, peer->dev),
                                      "cuDeviceCanAccessPeer");
    if (st != ACCEL_OK) return st;
    info->can_access_peer = can != 0;
    char attrs[64] = "";
    if (ctx->cu.cuDeviceGetP2PAttribute && can) {
        int rank = -1, atomics = -1;
        if (ctx->cu.cuDeviceGetP2PAttribute(&rank, CU_DEVICE_P2P_ATTRIBUTE_PERFORMANCE_RANK, dev->dev,
                                            peer->dev) == CUDA_SUCCESS)
            info->performance_rank = rank;
        if (ctx->cu.cuDeviceGetP2PAttribute(&atomics, CU_DEVICE_P2P_ATTRIBUTE_NATIVE_ATOMIC_SUPPORTED,
                                            dev->dev, peer->dev) == CUDA_SUCCESS)
            info->native_atomics = atomics != 0;
        snprintf(attrs, sizeof attrs, ", performance rank %d", info->performance_rank);
    }
    char link[96];
    nvml_link(dev, peer, info, link, sizeof link);
    snprintf(info->detail, sizeof info->detail, "cuDeviceCanAccessPeer %d%s%s", can, attrs, link);
    return ACCEL_OK;
}

accel_status accel_cuda_peer_enable(void *d, void *p) {
    accel_cuda_device *dev = d, *peer = p;
    accel_cuda_ctx *ctx = dev->ctx;
    if (!ctx->cu.cuCtxEnablePeerAccess)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "the driver has no cuCtxEnablePeerAccess");
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;
    CUresult r = ctx->cu.cuCtxEnablePeerAccess(peer->pctx, 0);
    if (r == CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED) return ACCEL_OK;
    if (r == CUDA_ERROR_PEER_ACCESS_UNSUPPORTED)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "cuCtxEnablePeerAccess (cuda:%d -> cuda:%d): %s (%d)", dev->index,
                                    peer->index, accel_cuda_error_name(ctx, r), (int)r);
    return accel_cuda_check(ctx, r, "cuCtxEnablePeerAccess");
}

/* cuMemcpyPeerAsync takes the direct path when peer access is enabled, and is staged by the driver
 * otherwise; the caller records which through peer_enable's answer. */
accel_status accel_cuda_buffer_copy_peer(void *s, void *dst_dev, void *d, size_t dst_offset,
                                         void *src_dev, void *sb, size_t src_offset, size_t bytes) {
    accel_cuda_stream *stream = s;
    accel_cuda_device *ddev = dst_dev, *sdev = src_dev;
    accel_cuda_buffer *dst = d, *src = sb;
    accel_cuda_ctx *ctx = stream->dev->ctx;
    if (!ctx->cu.cuMemcpyPeerAsync)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "the driver has no cuMemcpyPeerAsync");
    accel_status st = accel_cuda_make_current(stream->dev);
    if (st != ACCEL_OK) return st;
    return ACCEL_CUDA_CALL(ctx,
                           cuMemcpyPeerAsync(dst->ptr + dst_offset, ddev->pctx, src->ptr + src_offset,
                                             sdev->pctx, bytes, stream->stream),
                           "cuMemcpyPeerAsync");
}
