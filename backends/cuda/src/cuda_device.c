/* Devices: primary context, description (attributes, UUID, PCI id, peak table), synchronize. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_internal.h"
#include "cuda_peak.h"

static int attribute(accel_cuda_device *dev, CUdevice_attribute attr) {
    int v = 0;
    if (dev->ctx->cu.cuDeviceGetAttribute(&v, attr, dev->dev) != CUDA_SUCCESS) return 0;
    return v;
}

accel_status accel_cuda_device_open(void *p, int index, void **out) {
    accel_cuda_ctx *ctx = p;
    accel_cuda_device *dev = calloc(1, sizeof *dev);
    if (!dev) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    dev->ctx = ctx;
    dev->index = index;
    accel_status st = ACCEL_CUDA_CALL(ctx, cuDeviceGet(&dev->dev, index), "cuDeviceGet");
    if (st == ACCEL_OK)
        st = ACCEL_CUDA_CALL(ctx, cuDevicePrimaryCtxRetain(&dev->pctx, dev->dev), "cuDevicePrimaryCtxRetain");
    if (st != ACCEL_OK) {
        free(dev);
        return st;
    }
    pthread_mutex_init(&dev->lock, NULL);
    pthread_mutex_init(&dev->dnn_exec_lock, NULL);
    ctx->cu.cuDeviceGetName(dev->name, (int)sizeof dev->name, dev->dev);
    dev->sm = attribute(dev, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10 +
              attribute(dev, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    dev->sm_count = attribute(dev, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    size_t total = 0;
    if (ctx->cu.cuDeviceTotalMem_v2(&total, dev->dev) == CUDA_SUCCESS) dev->memory_bytes = total;

    char bus[32] = "";
    if (ctx->cu.cuDeviceGetPCIBusId(bus, (int)sizeof bus, dev->dev) == CUDA_SUCCESS)
        accel_cuda_nvml_attach(dev, bus);

    st = accel_cuda_make_current(dev);
    if (st == ACCEL_OK && ctx->lt_ok) {
        cublasStatus_t s = ctx->lt.cublasLtCreate(&dev->lt_handle);
        if (s != CUBLAS_STATUS_SUCCESS) {
            dev->lt_handle = NULL;
            char msg[160];
            snprintf(msg, sizeof msg, "cublasLtCreate: %s (%d); GEMM library cublaslt disabled",
                     ctx->lt.cublasLtGetStatusName(s), (int)s);
            if (ctx->host->log) ctx->host->log(ACCEL_LOG_WARN, "cuda", msg);
        }
    }
    if (st != ACCEL_OK) {
        ctx->cu.cuDevicePrimaryCtxRelease_v2(dev->dev);
        pthread_mutex_destroy(&dev->lock);
        pthread_mutex_destroy(&dev->dnn_exec_lock);
        free(dev);
        return st;
    }
    *out = dev;
    return ACCEL_OK;
}

void accel_cuda_device_close(void *p) {
    accel_cuda_device *dev = p;
    accel_cuda_ctx *ctx = dev->ctx;
    if (accel_cuda_make_current(dev) == ACCEL_OK) {
        if (dev->lt_handle) ctx->lt.cublasLtDestroy(dev->lt_handle);
        if (dev->dnn_handle) ctx->dnn.cudnnDestroy(dev->dnn_handle);
        accel_cuda_builtin_modules_release(dev);
    }
    ctx->cu.cuDevicePrimaryCtxRelease_v2(dev->dev);
    pthread_mutex_destroy(&dev->lock);
    pthread_mutex_destroy(&dev->dnn_exec_lock);
    free(dev);
}

accel_status accel_cuda_device_synchronize(void *p) {
    accel_cuda_device *dev = p;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;
    return ACCEL_CUDA_CALL(dev->ctx, cuCtxSynchronize(), "cuCtxSynchronize");
}

static void format_uuid(const CUuuid *u, char *out, size_t len) {
    const unsigned char *b = (const unsigned char *)u->bytes;
    snprintf(out, len,
             "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

accel_status accel_cuda_device_info(void *p, accel_device_info *info) {
    accel_cuda_device *dev = p;
    accel_cuda_ctx *ctx = dev->ctx;
    info->type = ACCEL_DEVICE_GPU;
    snprintf(info->name, sizeof info->name, "%s", dev->name);
    snprintf(info->vendor, sizeof info->vendor, "NVIDIA");
    CUuuid uuid;
    if (ctx->cu.cuDeviceGetUuid_v2(&uuid, dev->dev) == CUDA_SUCCESS)
        format_uuid(&uuid, info->uuid, sizeof info->uuid);
    char bus[32] = "";
    if (ctx->cu.cuDeviceGetPCIBusId(bus, (int)sizeof bus, dev->dev) == CUDA_SUCCESS) {
        for (char *c = bus; *c; ++c) *c = (char)tolower((unsigned char)*c);
        snprintf(info->pci_bus_id, sizeof info->pci_bus_id, "%s", bus);
    }
    char kernel_driver[64] = "";
    if (ctx->nvml_ok && ctx->nvml.nvmlSystemGetDriverVersion &&
        ctx->nvml.nvmlSystemGetDriverVersion(kernel_driver, sizeof kernel_driver) != 0)
        kernel_driver[0] = '\0';
    snprintf(info->driver_version, sizeof info->driver_version, "%s%sCUDA %d.%d", kernel_driver,
             kernel_driver[0] ? " / " : "", ctx->driver_version / 1000, (ctx->driver_version % 1000) / 10);
    /* What serves this driver (cuda_libsearch.h): both runtime libraries' versions, since either may
     * come from another release than the toolkit the plugin was built with. */
    char nvrtc_v[24] = "", lt_v[40] = "";
    if (ctx->nvrtc_ok) snprintf(nvrtc_v, sizeof nvrtc_v, "NVRTC %d.%d", ctx->nvrtc.major, ctx->nvrtc.minor);
    if (ctx->lt_ok)
        snprintf(lt_v, sizeof lt_v, "cuBLASLt %zu.%zu.%zu", ctx->lt_version / 10000, (ctx->lt_version / 100) % 100,
                 ctx->lt_version % 100);
    snprintf(info->runtime_version, sizeof info->runtime_version, "%s%s%s", nvrtc_v,
             nvrtc_v[0] && lt_v[0] ? ", " : "", lt_v);
    snprintf(info->isa, sizeof info->isa, "sm_%d", dev->sm);
    info->compute_units = dev->sm_count;
    info->max_clock_mhz = attribute(dev, CU_DEVICE_ATTRIBUTE_CLOCK_RATE) / 1000;
    info->clock_mhz = info->max_clock_mhz;
    info->memory_bytes = dev->memory_bytes;
    info->max_alloc_bytes = dev->memory_bytes;
    info->cache_bytes = (uint64_t)attribute(dev, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);

    uint64_t f = ACCEL_FEATURE_FP64 | ACCEL_FEATURE_INT8;
    if (dev->sm >= 60) f |= ACCEL_FEATURE_FP16;
    if (dev->sm >= 70) f |= ACCEL_FEATURE_MATRIX_UNITS;
    if (dev->sm >= 80) f |= ACCEL_FEATURE_BF16 | ACCEL_FEATURE_TF32;
    if (dev->sm >= 89) f |= ACCEL_FEATURE_FP8;
    info->ecc_enabled = attribute(dev, CU_DEVICE_ATTRIBUTE_ECC_ENABLED) ? 1 : 0;
    if (info->ecc_enabled) f |= ACCEL_FEATURE_ECC;
    if (ctx->has_graphs) f |= ACCEL_FEATURE_GRAPHS;
    info->features = f;
    info->mig_enabled = -1;

    info->module_formats = (1u << ACCEL_MODULE_PTX) | (1u << ACCEL_MODULE_CUBIN);
    if (ctx->nvrtc_ok) info->module_formats |= 1u << ACCEL_MODULE_GPU_C;
    info->power_limit_w = accel_cuda_nvml_power_limit_w(dev);
    info->numa_node = -1;

    const int lt = dev->lt_handle != NULL, ours = ctx->nvrtc_ok;
    snprintf(info->op_libraries, sizeof info->op_libraries, "%s%s%s", lt ? "cublaslt" : "",
             lt && ours ? "," : "", ours ? "accel" : "");
    accel_cuda_peak_lookup(dev->name, dev->sm_count, dev->memory_bytes, &info->vendor_peak);
    if (ACCEL_DEVICE_INFO_HAS_FP8_PEAK(info))
        info->vendor_peak_fp8_tflops = accel_cuda_peak_fp8_tflops(dev->name, dev->sm_count, dev->memory_bytes);
    snprintf(info->notes, sizeof info->notes, "NVRTC: %s%s%s; cuBLASLt: %s%s; NVML: %s",
             ctx->nvrtc_ok ? ctx->nvrtc.lib_path : ctx->nvrtc_reason,
             ctx->nvrtc_ok && !ctx->nvrtc.include_dir[0] ? " (cuda_fp16.h not found: set CUDA_HOME)" : "",
             ctx->nvrtc_ok && ctx->nvrtc.include_major && ctx->nvrtc.include_major != ctx->nvrtc.major
                 ? " (headers of another CUDA major)" : "",
             ctx->lt_ok ? ctx->lt_path : ctx->lt_reason,
             ctx->lt_ok && !dev->lt_handle ? " (cublasLtCreate failed on this device)" : "",
             dev->nvml_dev ? "yes" : "no");
    return ACCEL_OK;
}
