/* Device open/close and the description built from CL device queries. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_internal.h"

#include "accel_common/cpu_peak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Vendor queries for the PCI location (cl_nv_device_attribute_query); not in the Khronos headers. */
#define OCL_DEVICE_PCI_BUS_ID_NV 0x4008
#define OCL_DEVICE_PCI_SLOT_ID_NV 0x4009
#define OCL_DEVICE_PCI_DOMAIN_ID_NV 0x400A

static void ocl_query_string(const ocl_device *dev, cl_device_info what, char *out, size_t len) {
    out[0] = '\0';
    size_t got = 0;
    if (dev->cl->clGetDeviceInfo(dev->id, what, len - 1, out, &got) != CL_SUCCESS)
        out[0] = '\0';
    out[len - 1] = '\0';
}

/* Extensions can be kilobytes long: read the whole string. Caller frees. */
static char *ocl_query_extensions(const ocl_device *dev) {
    size_t n = 0;
    if (dev->cl->clGetDeviceInfo(dev->id, CL_DEVICE_EXTENSIONS, 0, NULL, &n) != CL_SUCCESS)
        return calloc(1, 1);
    char *s = calloc(n + 1, 1);
    if (s && dev->cl->clGetDeviceInfo(dev->id, CL_DEVICE_EXTENSIONS, n, s, NULL) != CL_SUCCESS)
        s[0] = '\0';
    return s;
}

static int ocl_has_extension(const char *list, const char *ext) {
    size_t n = strlen(ext);
    for (const char *p = list; p && (p = strstr(p, ext)) != NULL; p += n) {
        int starts = p == list || p[-1] == ' ';
        int ends = p[n] == '\0' || p[n] == ' ';
        if (starts && ends)
            return 1;
    }
    return 0;
}

static void ocl_device_query_caps(ocl_device *dev) {
    const ocl_api *cl = dev->cl;
    ocl_query_string(dev, CL_DEVICE_NAME, dev->name, sizeof(dev->name));
    ocl_query_string(dev, CL_DRIVER_VERSION, dev->driver_version, sizeof(dev->driver_version));
    dev->platform_version[0] = '\0';
    cl->clGetPlatformInfo(dev->platform, CL_PLATFORM_VERSION, sizeof(dev->platform_version) - 1,
                          dev->platform_version, NULL);
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_TYPE, sizeof(dev->type), &dev->type, NULL);
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof(size_t),
                        &dev->max_work_group, NULL);
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof(dev->max_work_item),
                        dev->max_work_item, NULL);
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_LOCAL_MEM_SIZE, sizeof(cl_ulong), &dev->local_mem, NULL);
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof(cl_ulong), &dev->max_alloc,
                        NULL);
    cl_uint align_bits = 0;
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof(align_bits), &align_bits,
                        NULL);
    dev->base_addr_align_bytes = align_bits >= 8 ? align_bits / 8 : 1;
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT, sizeof(cl_uint),
                        &dev->pref_vec_float, NULL);
    size_t res = 0;
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_PROFILING_TIMER_RESOLUTION, sizeof(res), &res, NULL);
    dev->timer_resolution_ns = res > 0 ? (double)res : 1.0;
    if (dev->max_work_group == 0)
        dev->max_work_group = 1;

    char *ext = ocl_query_extensions(dev);
    dev->has_fp16 = ocl_has_extension(ext, "cl_khr_fp16");
    cl_device_fp_config dbl = 0;
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof(dbl), &dbl, NULL);
    dev->has_fp64 = ocl_has_extension(ext, "cl_khr_fp64") || dbl != 0;
    free(ext);
    char il[256];
    ocl_query_string(dev, CL_DEVICE_IL_VERSION, il, sizeof(il));
    dev->has_spirv = strstr(il, "SPIR-V") != NULL && cl->clCreateProgramWithIL != NULL;
}

/* A CPU-type device computes on this host's cores (the implementation's threads cannot leave the
 * process's CPUs): cores = physical cores of the process, no more than the compute units. */
static void ocl_device_cpu_peak(ocl_device *dev) {
    cl_uint cu = 0;
    dev->cl->clGetDeviceInfo(dev->id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof(cu), &cu, NULL);
    int cores = accel_cpu_physical_cores_of_process();
    if (cu > 0 && (cores <= 0 || (int)cu < cores))
        cores = (int)cu;
    accel_cpu_peak_detect(cores, &dev->cpu_peak, &dev->cpu_peak_fp8_tflops, dev->cpu_peak_how,
                          sizeof dev->cpu_peak_how, NULL);
}

accel_status ocl_device_open(void *p, int index, void **out) {
    ocl_ctx *ctx = p;
    if (index < 0 || index >= ctx->device_count)
        return ctx->host->set_error(ACCEL_ERR_NOT_FOUND, "opencl:%d: no such device (%d found)",
                                    index, ctx->device_count);
    ocl_device *dev = calloc(1, sizeof(*dev));
    if (!dev)
        return ACCEL_ERR_OUT_OF_MEMORY;
    dev->ctx = ctx;
    dev->cl = &ctx->cl;
    dev->host = ctx->host;
    dev->index = index;
    dev->platform = ctx->devices[index].platform;
    dev->id = ctx->devices[index].device;
    pthread_mutex_init(&dev->lock, NULL);
    ocl_device_query_caps(dev);
    if (dev->type & CL_DEVICE_TYPE_CPU)
        ocl_device_cpu_peak(dev);

    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)dev->platform, 0};
    cl_int err = CL_SUCCESS;
    dev->context = dev->cl->clCreateContext(props, 1, &dev->id, NULL, NULL, &err);
    if (!dev->context) {
        accel_status st = ocl_fail(dev, ocl_status_of(err), "clCreateContext", err);
        ocl_device_close(dev);
        return st;
    }
    dev->internal_queue =
        dev->cl->clCreateCommandQueue(dev->context, dev->id, CL_QUEUE_PROFILING_ENABLE, &err);
    if (!dev->internal_queue) {
        accel_status st = ocl_fail(dev, ocl_status_of(err), "clCreateCommandQueue", err);
        ocl_device_close(dev);
        return st;
    }
    dev->timer_scratch = dev->cl->clCreateBuffer(dev->context, CL_MEM_READ_WRITE, 64, NULL, &err);
    if (!dev->timer_scratch) {
        accel_status st = ocl_fail(dev, ocl_status_of(err), "clCreateBuffer", err);
        ocl_device_close(dev);
        return st;
    }
    *out = dev;
    return ACCEL_OK;
}

void ocl_device_close(void *p) {
    ocl_device *dev = p;
    if (!dev)
        return;
    if (dev->internal_queue)
        dev->cl->clFinish(dev->internal_queue);
    ocl_programs_release(dev);
    if (dev->timer_scratch)
        dev->cl->clReleaseMemObject(dev->timer_scratch);
    if (dev->internal_queue)
        dev->cl->clReleaseCommandQueue(dev->internal_queue);
    if (dev->context)
        dev->cl->clReleaseContext(dev->context);
    pthread_mutex_destroy(&dev->lock);
    free(dev);
}

static void ocl_fill_pci_bus_id(const ocl_device *dev, const char *ext, accel_device_info *info) {
    const ocl_api *cl = dev->cl;
    if (ocl_has_extension(ext, "cl_khr_pci_bus_info")) {
        cl_device_pci_bus_info_khr pci;
        if (cl->clGetDeviceInfo(dev->id, CL_DEVICE_PCI_BUS_INFO_KHR, sizeof(pci), &pci, NULL) ==
            CL_SUCCESS) {
            snprintf(info->pci_bus_id, sizeof(info->pci_bus_id), "%04x:%02x:%02x.%x",
                     pci.pci_domain, pci.pci_bus, pci.pci_device, pci.pci_function);
            return;
        }
    }
    if (ocl_has_extension(ext, "cl_amd_device_attribute_query")) {
        cl_device_topology_amd topo;
        if (cl->clGetDeviceInfo(dev->id, CL_DEVICE_TOPOLOGY_AMD, sizeof(topo), &topo, NULL) ==
                CL_SUCCESS &&
            topo.raw.type == CL_DEVICE_TOPOLOGY_TYPE_PCIE_AMD) {
            snprintf(info->pci_bus_id, sizeof(info->pci_bus_id), "0000:%02x:%02x.%x",
                     (unsigned)(unsigned char)topo.pcie.bus, (unsigned)(unsigned char)topo.pcie.device,
                     (unsigned)(unsigned char)topo.pcie.function);
            return;
        }
    }
    if (ocl_has_extension(ext, "cl_nv_device_attribute_query")) {
        cl_uint bus = 0, slot = 0, domain = 0;
        if (cl->clGetDeviceInfo(dev->id, OCL_DEVICE_PCI_BUS_ID_NV, sizeof(bus), &bus, NULL) ==
                CL_SUCCESS &&
            cl->clGetDeviceInfo(dev->id, OCL_DEVICE_PCI_SLOT_ID_NV, sizeof(slot), &slot, NULL) ==
                CL_SUCCESS) {
            cl->clGetDeviceInfo(dev->id, OCL_DEVICE_PCI_DOMAIN_ID_NV, sizeof(domain), &domain, NULL);
            /* NVIDIA packs device and function into the slot id: device = slot >> 3. */
            snprintf(info->pci_bus_id, sizeof(info->pci_bus_id), "%04x:%02x:%02x.%x", domain, bus,
                     slot >> 3, slot & 7);
        }
    }
}

static void ocl_fill_uuid(const ocl_device *dev, const char *ext, accel_device_info *info) {
    if (!ocl_has_extension(ext, "cl_khr_device_uuid"))
        return;
    unsigned char u[CL_UUID_SIZE_KHR];
    if (dev->cl->clGetDeviceInfo(dev->id, CL_DEVICE_UUID_KHR, sizeof(u), u, NULL) != CL_SUCCESS)
        return;
    int zero = 1;
    for (size_t i = 0; i < sizeof(u); i++)
        zero &= u[i] == 0;
    if (zero)
        return;
    char *o = info->uuid;
    for (size_t i = 0; i < sizeof(u); i++) {
        int dash = i == 4 || i == 6 || i == 8 || i == 10;
        o += sprintf(o, "%s%02x", dash ? "-" : "", u[i]);
    }
}

accel_status ocl_device_info(void *p, accel_device_info *info) {
    ocl_device *dev = p;
    const ocl_api *cl = dev->cl;
    info->type = (dev->type & CL_DEVICE_TYPE_GPU)           ? ACCEL_DEVICE_GPU
                 : (dev->type & CL_DEVICE_TYPE_CPU)         ? ACCEL_DEVICE_CPU
                 : (dev->type & CL_DEVICE_TYPE_ACCELERATOR) ? ACCEL_DEVICE_ACCELERATOR
                                                            : ACCEL_DEVICE_OTHER;
    snprintf(info->name, sizeof(info->name), "%s", dev->name);
    ocl_query_string(dev, CL_DEVICE_VENDOR, info->vendor, sizeof(info->vendor));
    snprintf(info->driver_version, sizeof(info->driver_version), "%s", dev->driver_version);
    ocl_query_string(dev, CL_DEVICE_VERSION, info->runtime_version, sizeof(info->runtime_version));
    ocl_query_string(dev, CL_DEVICE_OPENCL_C_VERSION, info->isa, sizeof(info->isa));
    cl_uint cu = 0, mhz = 0;
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof(cu), &cu, NULL);
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof(mhz), &mhz, NULL);
    info->compute_units = (int)cu;
    info->clock_mhz = 0; /* OpenCL reports no current clock */
    info->max_clock_mhz = (int)mhz;
    cl_ulong mem = 0, cache = 0;
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof(mem), &mem, NULL);
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE, sizeof(cache), &cache, NULL);
    info->memory_bytes = mem;
    info->max_alloc_bytes = dev->max_alloc;
    info->cache_bytes = cache;
    cl_bool ecc = CL_FALSE, unified = CL_FALSE;
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_ERROR_CORRECTION_SUPPORT, sizeof(ecc), &ecc, NULL);
    cl->clGetDeviceInfo(dev->id, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof(unified), &unified, NULL);
    info->ecc_enabled = ecc ? 1 : 0;
    info->mig_enabled = -1;
    info->power_limit_w = 0;
    info->numa_node = -1;
    info->features = 0;
    if (dev->has_fp64)
        info->features |= ACCEL_FEATURE_FP64;
    if (dev->has_fp16)
        info->features |= ACCEL_FEATURE_FP16;
    if (ecc)
        info->features |= ACCEL_FEATURE_ECC;
    /* Feature bits mean hardware arithmetic, as on the other backends. Our kernels still store f16
     * (vload_half, core OpenCL C) and bf16 (ushort) with fp32 math on every device: see notes. */
    info->module_formats = 1u << ACCEL_MODULE_OPENCL_C;
    if (dev->has_spirv)
        info->module_formats |= 1u << ACCEL_MODULE_SPIRV;
    char *ext = ocl_query_extensions(dev);
    ocl_fill_pci_bus_id(dev, ext, info);
    ocl_fill_uuid(dev, ext, info);
    free(ext);
    snprintf(info->op_libraries, sizeof(info->op_libraries), "%s",
             dev->ctx->clblast.lib ? "accel,clblast" : "accel");
    char plat[96] = "";
    cl->clGetPlatformInfo(dev->platform, CL_PLATFORM_NAME, sizeof(plat) - 1, plat, NULL);
    snprintf(info->notes, sizeof(info->notes),
             "platform %.60s; %.80s; f16/bf16 storage with fp32 math%s; host-unified %s; base "
             "align %u B",
             plat, dev->platform_version, dev->has_fp16 ? " (cl_khr_fp16 present)" : "",
             unified ? "yes" : "no", dev->base_addr_align_bytes);
    if (dev->type & CL_DEVICE_TYPE_CPU) {
        info->vendor_peak = dev->cpu_peak;
        if (ACCEL_DEVICE_INFO_HAS_FP8_PEAK(info))
            info->vendor_peak_fp8_tflops = dev->cpu_peak_fp8_tflops;
        size_t used = strlen(info->notes);
        snprintf(info->notes + used, sizeof(info->notes) - used, "; host CPU %s", dev->cpu_peak_how);
    }
    return ACCEL_OK;
}

accel_status ocl_device_synchronize(void *p) {
    ocl_device *dev = p;
    pthread_mutex_lock(&dev->lock);
    cl_int err = dev->cl->clFinish(dev->internal_queue);
    for (ocl_stream *s = dev->streams; s && err == CL_SUCCESS; s = s->next)
        err = dev->cl->clFinish(s->queue);
    pthread_mutex_unlock(&dev->lock);
    OCL_CHECK(dev, "clFinish", err);
    return ACCEL_OK;
}
