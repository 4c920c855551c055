/* One plugin source, built several times with a BROKEN_* define, each breaking one loader rule.
 * The loader must report every one of them and keep going. */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

#include "accel/plugin.h"

#ifdef BROKEN_NEEDS_VENDOR
/* Linked against a library that is not on the search path at run time: dlopen itself fails. */
int accel_fake_vendor_version(void);
#endif

static accel_status b_init(const accel_host_services *host, void **ctx, int *count, char *reason,
                           size_t len) {
    (void)host;
    *ctx = NULL;
    *count = 0;
#ifdef BROKEN_INIT_UNAVAILABLE
    /* What a real backend does when its vendor runtime is absent. */
    void *lib = dlopen("libaccel-no-such-vendor.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(reason, len, "%s (install the vendor runtime)", dlerror());
        return ACCEL_ERR_UNAVAILABLE;
    }
    dlclose(lib);
#endif
#ifdef BROKEN_NEEDS_VENDOR
    *count = accel_fake_vendor_version();
#endif
    snprintf(reason, len, "no devices");
    return ACCEL_OK;
}
static void b_shutdown(void *ctx) { (void)ctx; }
static accel_status b_unimpl(void) { return ACCEL_ERR_UNIMPLEMENTED; }
static void b_void(void *p) { (void)p; }

#define U (void *)b_unimpl
static const accel_backend_ops ops = {
#ifdef BROKEN_MAJOR
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR + 98,
#else
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
#endif
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
#ifdef BROKEN_SHORT_STRUCT
    .struct_size = offsetof(accel_backend_ops, op_plan_create),
#else
    .struct_size = sizeof(accel_backend_ops),
#endif
#ifdef DECLARED_NAME
    .name = DECLARED_NAME, /* differs from the file's name: must be refused */
#else
    .name = PLUGIN_NAME,
#endif
    .version = "test",
    .init = b_init,
    .shutdown = b_shutdown,
    .device_open = U, .device_close = b_void, .device_info = U, .device_synchronize = U,
    .buffer_alloc = U, .buffer_free = U, .stream_create = U, .stream_destroy = b_void,
    .stream_synchronize = U, .buffer_write = U, .buffer_read = U, .buffer_copy = U,
    .buffer_fill = U, .timer_create = U, .timer_destroy = b_void, .timer_begin = U,
    .timer_end = U, .timer_elapsed_ms = U, .timer_properties = U,
#ifndef BROKEN_MISSING_SLOT
    .op_plan_create = U,
#endif
    .op_plan_destroy = b_void, .op_plan_execute = U,
};

#ifndef BROKEN_NO_SYMBOL
ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned major,
                                                                   const accel_host_services *h) {
    (void)h;
    (void)major;
#ifdef BROKEN_REFUSES
    return major == 0 ? &ops : NULL; /* serves no ABI this host speaks */
#else
    return &ops;
#endif
}
#else
ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v0(void) { return &ops; }
#endif
