/* A plugin of another ABI minor than the host, built as either of two (types.h, growth):
 * - OLD_PLUGIN: ABI 1.0. Its table ends before the record/replay slots (its struct_size says so),
 *   and it knows no accel_device_info field past 1.0. The slots after its struct_size hold a
 *   function that aborts, so a host that reads past struct_size calls it and the test dies.
 * - otherwise a NEWER plugin: ABI 1.<host minor + 1>, whose table has slots this host does not know
 *   (aborting too, since the host must ignore them), and whose device info has a field this host's
 *   struct lacks, written only when the host's struct_size covers it (never, with this host).
 * Two host-memory devices with dummy plans, modules and kernels, so the host's bookkeeping of them
 * can be tested (tests/unit/test_ownership.c). */
#include <stdio.h>
#include <stdlib.h>

#include "accel/plugin.h"

typedef struct version_ctx {
    const accel_host_services *host;
} version_ctx;

/* Handles the host only creates and destroys; one allocation each, so ASan's leak check sees a
 * handle the host forgot to destroy. */
static accel_status new_handle(void **out) {
    *out = malloc(16);
    return *out ? ACCEL_OK : ACCEL_ERR_OUT_OF_MEMORY;
}
static void free_handle(void *h) { free(h); }

static accel_status v_init(const accel_host_services *host, void **ctx, int *count, char *reason,
                           size_t len) {
    version_ctx *c = calloc(1, sizeof *c);
    if (!c) return ACCEL_ERR_OUT_OF_MEMORY;
    c->host = host;
    *ctx = c;
    *count = 2; /* two, so a pair of an ABI 1.0 plugin's devices can be tested (test_peer) */
    snprintf(reason, len, "%s", "");
    return ACCEL_OK;
}
static void v_shutdown(void *ctx) { free(ctx); }
static accel_status v_device_open(void *ctx, int index, void **dev) {
    (void)index;
    *dev = ctx;
    return ACCEL_OK;
}
static void v_device_close(void *dev) { (void)dev; }

#ifdef OLD_PLUGIN
static accel_status v_device_info(void *dev, accel_device_info *info) {
    (void)dev;
    /* Built before 1.1: no vendor_peak_fp8_tflops to write. */
    snprintf(info->name, sizeof info->name, "ABI 1.0 test device");
    info->compute_units = 1;
    info->memory_bytes = 1u << 20;
    info->module_formats = 1u << ACCEL_MODULE_CPU_TABLE;
    return ACCEL_OK;
}
#else
/* The device info of a header one minor newer than the host's. */
typedef struct newer_device_info {
    accel_device_info known;
    double future_metric;
} newer_device_info;

static accel_status v_device_info(void *dev, accel_device_info *info) {
    (void)dev;
    snprintf(info->name, sizeof info->name, "ABI 1.%u test device", ACCEL_PLUGIN_ABI_MINOR + 1);
    info->compute_units = 1;
    info->memory_bytes = 1u << 20;
    info->module_formats = 1u << ACCEL_MODULE_CPU_TABLE;
    if (ACCEL_DEVICE_INFO_HAS_FP8_PEAK(info)) info->vendor_peak_fp8_tflops = 42.0;
    if (ACCEL_STRUCT_HAS(info, newer_device_info, future_metric))
        ((newer_device_info *)info)->future_metric = 1.0;
    return ACCEL_OK;
}
#endif

static accel_status v_ok(void) { return ACCEL_OK; }
static accel_status v_unimplemented(void) { return ACCEL_ERR_UNIMPLEMENTED; }

static accel_status v_buffer_alloc(void *dev, size_t bytes, accel_memory_kind kind, void **buf,
                                   void **host_ptr) {
    (void)dev;
    (void)kind;
    *buf = malloc(bytes);
    *host_ptr = *buf;
    return *buf ? ACCEL_OK : ACCEL_ERR_OUT_OF_MEMORY;
}
static void v_buffer_free(void *dev, void *buf) {
    (void)dev;
    free(buf);
}
static accel_status v_create(void *dev, void **out) {
    (void)dev;
    return new_handle(out);
}
static accel_status v_plan_create(void *dev, const accel_op_desc *desc, void **plan,
                                  accel_plugin_plan_info *info) {
    (void)dev;
    snprintf(info->library, sizeof info->library, "version-test");
    snprintf(info->algorithm, sizeof info->algorithm, "%s: planned, runs nothing",
             accel_op_kind_label(desc->kind));
    return new_handle(plan);
}
static accel_status v_module_load(void *dev, accel_module_format format, const void *bytes,
                                  size_t size, const char *options, void **module) {
    (void)dev, (void)format, (void)bytes, (void)size, (void)options;
    return new_handle(module);
}
static accel_status v_kernel_get(void *module, const char *name, void **kernel) {
    (void)module, (void)name;
    return new_handle(kernel);
}
static accel_status v_timer_properties(void *dev, double *resolution_ns, const char **name) {
    (void)dev;
    *resolution_ns = 1.0;
    *name = "version-test";
    return ACCEL_OK;
}

/* Stands in for any slot past what the host may read: reaching it means the host broke the rule. */
static accel_status v_past_struct_size(void) {
    fputs("version plugin: the host called a slot past the struct_size it was given\n", stderr);
    abort();
}

#define OK (void *)v_ok
#define NO (void *)v_unimplemented
#define PAST (void *)v_past_struct_size

#ifdef OLD_PLUGIN
typedef accel_backend_ops version_table;
#define TABLE(field) field
#define TABLE_SIZE offsetof(accel_backend_ops, stream_capture_begin)
#define TABLE_MINOR 0u
#else
typedef struct version_table {
    accel_backend_ops known;
    void *future_slots[3];
} version_table;
#define TABLE(field) known.field
#define TABLE_SIZE sizeof(version_table)
#define TABLE_MINOR (ACCEL_PLUGIN_ABI_MINOR + 1u)
#endif

static const version_table table = {
    .TABLE(abi_major) = ACCEL_PLUGIN_ABI_MAJOR,
    .TABLE(abi_minor) = TABLE_MINOR,
    .TABLE(struct_size) = TABLE_SIZE,
    .TABLE(name) = PLUGIN_NAME,
    .TABLE(version) = "version test",
    .TABLE(init) = v_init,
    .TABLE(shutdown) = v_shutdown,
    .TABLE(device_open) = v_device_open,
    .TABLE(device_close) = v_device_close,
    .TABLE(device_info) = v_device_info,
    .TABLE(device_synchronize) = OK,
    .TABLE(buffer_alloc) = v_buffer_alloc,
    .TABLE(buffer_free) = v_buffer_free,
    .TABLE(stream_create) = v_create,
    .TABLE(stream_destroy) = free_handle,
    .TABLE(stream_synchronize) = OK,
    .TABLE(buffer_write) = NO,
    .TABLE(buffer_read) = NO,
    .TABLE(buffer_copy) = NO,
    .TABLE(buffer_fill) = NO,
    .TABLE(timer_create) = v_create,
    .TABLE(timer_destroy) = free_handle,
    .TABLE(timer_begin) = NO,
    .TABLE(timer_end) = NO,
    .TABLE(timer_elapsed_ms) = NO,
    .TABLE(timer_properties) = v_timer_properties,
    .TABLE(module_load) = v_module_load,
    .TABLE(module_unload) = free_handle,
    .TABLE(kernel_get) = v_kernel_get,
    .TABLE(kernel_release) = free_handle,
    .TABLE(kernel_launch) = NO,
    .TABLE(op_plan_create) = v_plan_create,
    .TABLE(op_plan_destroy) = free_handle,
    .TABLE(op_plan_execute) = NO,
#ifdef OLD_PLUGIN
    /* Physically present, outside struct_size: an ABI 1.0 host never had them. */
    .stream_capture_begin = PAST,
    .stream_capture_end = PAST,
    .graph_launch = PAST,
    .graph_destroy = PAST,
#else
    .known.stream_capture_begin = OK,
    .known.stream_capture_end = v_create,
    .known.graph_launch = OK,
    .known.graph_destroy = free_handle,
    .future_slots = {PAST, PAST, PAST},
#endif
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned major,
                                                                   const accel_host_services *h) {
    (void)h;
    return major == ACCEL_PLUGIN_ABI_MAJOR ? (const accel_backend_ops *)&table : NULL;
}
