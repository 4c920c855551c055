/* The CPU backend's entry point: the slot table, init/shutdown and device open/close. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "accel_common/cpu_peak.h"
#include "cpu_internal.h"
#include "cpu_slots.h"

#ifdef ACCEL_CPU_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl_version.h>
#define CPU_STR2(x) #x
#define CPU_STR(x) CPU_STR2(x)
/* what the plugin was built against; device info reports the library actually loaded */
#define CPU_PLUGIN_VERSION                                                                         \
    ACCEL_CPU_BACKEND_VERSION " (oneDNN " CPU_STR(DNNL_VERSION_MAJOR) "." CPU_STR(                \
        DNNL_VERSION_MINOR) "." CPU_STR(DNNL_VERSION_PATCH) ")"
#else
#define CPU_PLUGIN_VERSION ACCEL_CPU_BACKEND_VERSION " (no oneDNN)"
#endif

/* The CPUs this process may use. With OMP_PROC_BIND set, libgomp has already bound this thread to
 * its first place when the plugin loads, so the thread's own mask says one core: the union of the
 * OpenMP places is the process's real set. */
static int process_cpuset(cpu_set_t *set) {
    CPU_ZERO(set);
#ifdef _OPENMP
    int ids[CPU_SETSIZE];
    for (int place = 0; place < omp_get_num_places(); place++) {
        int n = omp_get_place_num_procs(place);
        if (n <= 0 || n > CPU_SETSIZE) continue;
        omp_get_place_proc_ids(place, ids);
        for (int i = 0; i < n; i++)
            if (ids[i] >= 0 && ids[i] < CPU_SETSIZE) CPU_SET(ids[i], set);
    }
#endif
    if (CPU_COUNT(set) == 0 && sched_getaffinity(0, sizeof *set, set) != 0) CPU_ZERO(set);
    int n = CPU_COUNT(set);
    if (n > 0) return n;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

/* OpenBLAS sizes its thread pool from the loading thread's mask and its threads inherit it: load
 * it with this thread widened to the process's CPUs, then put the binding back. */
static void openblas_open_unbound(cpu_context *ctx, const cpu_set_t *all) {
    cpu_set_t mine;
    int widened = CPU_COUNT(all) > 0 && sched_getaffinity(0, sizeof mine, &mine) == 0 &&
                  !CPU_EQUAL(&mine, all) && sched_setaffinity(0, sizeof *all, all) == 0;
    if (cpu_openblas_open(ctx) != ACCEL_OK && ctx->host->debug)
        ctx->host->log(ACCEL_LOG_DEBUG, "cpu", ctx->openblas_reason);
    if (widened) sched_setaffinity(0, sizeof mine, &mine);
}

/* OpenMP (and oneDNN, OpenBLAS) start worker threads that outlive any one call. If the host
 * dlclose()d this plugin, libgomp and libdnnl could be unmapped under those sleeping threads, so the
 * plugin pins itself, and with it its dependencies, for the life of the process. */
static void pin_plugin_in_memory(void) {
    Dl_info self;
    if (dladdr((void *)pin_plugin_in_memory, &self) && self.dli_fname)
        (void)dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
}

static int physical_cores_of(const cpu_set_t *set, int fallback) {
    int ids[CPU_SETSIZE], n = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, set)) ids[n++] = c;
    return n > 0 ? accel_cpu_physical_cores(ids, n, "/sys/devices/system/cpu") : fallback;
}

static accel_status cpu_init(const accel_host_services *host, void **out_ctx, int *device_count,
                             char *reason, size_t reason_len) {
    cpu_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        snprintf(reason, reason_len, "calloc: out of memory");
        return ACCEL_ERR_OUT_OF_MEMORY;
    }
    ctx->host = host;
    atomic_init(&ctx->buffer_serials, 0);
    pin_plugin_in_memory();
    cpu_set_t all;
    ctx->cores = process_cpuset(&all);
    ctx->threads = cpu_max_threads(); /* OMP_NUM_THREADS, else one per CPU */
    ctx->physical_cores = physical_cores_of(&all, ctx->cores);
    /* Optional libraries: their absence only removes a library name from op_libraries. */
    openblas_open_unbound(ctx, &all);
#ifdef ACCEL_CPU_HAVE_ONEDNN
    if (cpu_onednn_open(ctx) != ACCEL_OK)
        host->log(ACCEL_LOG_WARN, "cpu", ctx->onednn_reason);
#else
    snprintf(ctx->onednn_reason, sizeof ctx->onednn_reason,
             "built without oneDNN (install libdnnl-dev and reconfigure)");
#endif
    *out_ctx = ctx;
    *device_count = 1;
    if (reason_len) reason[0] = '\0';
    return ACCEL_OK;
}

static void cpu_shutdown(void *vctx) {
    cpu_context *ctx = vctx;
    if (!ctx) return;
#ifdef ACCEL_CPU_HAVE_ONEDNN
    cpu_onednn_close(ctx);
#endif
    cpu_openblas_close(ctx);
    free(ctx);
}

static accel_status cpu_device_open(void *vctx, int index, void **out_dev) {
    cpu_context *ctx = vctx;
    if (index != 0) return ctx->host->set_error(ACCEL_ERR_NOT_FOUND, "cpu: no device %d", index);
    cpu_device *dev = calloc(1, sizeof *dev);
    if (!dev) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    dev->ctx = ctx;
    cpu_rapl_open(&dev->rapl, getenv("ACCEL_SYSFS_ROOT"));
    /* The HAL opens a device under its lock, so this runs once per context: the clock measurement
     * (~40 ms) is not repeated per info call or reopen. */
    if (!ctx->peak_known) {
        accel_cpu_peak_detect(ctx->physical_cores, &ctx->peak, &ctx->peak_fp8_tflops, ctx->peak_how,
                              sizeof ctx->peak_how, &ctx->bf16_dot_vs_fp32);
        ctx->peak_known = 1;
    }
    *out_dev = dev;
    return ACCEL_OK;
}

static void cpu_device_close(void *vdev) {
    cpu_device *dev = vdev;
    cpu_rapl_close(&dev->rapl);
    free(dev);
}

static accel_status cpu_device_info(void *dev, accel_device_info *info) {
    return cpu_device_info_fill(dev, info);
}

/* Work runs synchronously when it is enqueued, so there is never anything to wait for. */
static accel_status cpu_device_synchronize(void *dev) {
    (void)dev;
    return ACCEL_OK;
}

static const accel_backend_ops cpu_ops = {
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(accel_backend_ops),
    .name = "cpu",
    .version = CPU_PLUGIN_VERSION,
    .init = cpu_init,
    .shutdown = cpu_shutdown,
    .device_open = cpu_device_open,
    .device_close = cpu_device_close,
    .device_info = cpu_device_info,
    .device_synchronize = cpu_device_synchronize,
    .device_telemetry = cpu_device_telemetry_read,
    .buffer_alloc = cpu_buffer_alloc,
    .buffer_free = cpu_buffer_free,
    .stream_create = cpu_stream_create,
    .stream_destroy = cpu_stream_destroy,
    .stream_synchronize = cpu_stream_synchronize,
    .buffer_write = cpu_buffer_write,
    .buffer_read = cpu_buffer_read,
    .buffer_copy = cpu_buffer_copy,
    .buffer_fill = cpu_buffer_fill,
    .event_create = cpu_event_create,
    .event_destroy = cpu_event_destroy,
    .event_record = cpu_event_record,
    .stream_wait_event = cpu_stream_wait_event,
    .event_synchronize = cpu_event_synchronize,
    .timer_create = cpu_timer_create,
    .timer_destroy = cpu_timer_destroy,
    .timer_begin = cpu_timer_begin,
    .timer_end = cpu_timer_end,
    .timer_elapsed_ms = cpu_timer_elapsed_ms,
    .timer_properties = cpu_timer_properties,
    .module_load = cpu_module_load,
    .module_unload = cpu_module_unload,
    .kernel_get = cpu_kernel_get,
    .kernel_release = cpu_kernel_release,
    .kernel_launch = cpu_kernel_launch,
    .op_plan_create = cpu_op_plan_create,
    .op_plan_destroy = cpu_op_plan_destroy,
    .op_plan_execute = cpu_op_plan_execute,
    /* Work already runs synchronously on the calling thread: nothing to record or replay. */
    .stream_capture_begin = NULL,
    .stream_capture_end = NULL,
    .graph_launch = NULL,
    .graph_destroy = NULL,
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned host_abi_major,
                                                                   const accel_host_services *host) {
    (void)host;
    if (host_abi_major != ACCEL_PLUGIN_ABI_MAJOR) return NULL;
    return &cpu_ops;
}
