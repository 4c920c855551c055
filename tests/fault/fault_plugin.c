/* A plugin with one working fake device, built many times, each time failing in one chosen way:
 * FAULT_STAGE (1 constructor, 2 init, 3 device_open, 4 device_info) x FAULT_KIND (1 segfault,
 * 2 abort, 3 exit(7), 4 hang). Without FAULT_STAGE it works; FAULT_BAD_UTF8 gives its device a name
 * and vendor that are not UTF-8. The fault tests check that each costs only itself. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accel/plugin.h"

#ifndef FAULT_STAGE
#define FAULT_STAGE 0
#endif
#ifndef FAULT_KIND
#define FAULT_KIND 0
#endif

static void fault(int stage)
{
    if (stage != FAULT_STAGE)
        return;
    switch (FAULT_KIND) {
    case 1:
        /* A real SIGSEGV death even under ASan, whose handler would turn it into an abort. */
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV);
        break;
    case 2:
        abort();
    case 3:
        fputs("fault plugin: giving up with exit(7)\n", stderr);
        exit(7);
    case 4:
        for (;;)
            pause();
    }
}

__attribute__((constructor)) static void on_load(void) { fault(1); }

static const accel_host_services *g_host;

static accel_status f_init(const accel_host_services *host, void **ctx, int *count, char *reason,
                           size_t len)
{
    g_host = host;
    fault(2);
    *ctx = NULL;
    *count = 1;
    snprintf(reason, len, "one fake device");
    return ACCEL_OK;
}

static void f_shutdown(void *ctx) { (void)ctx; }

static int g_device = 1;

static accel_status f_device_open(void *ctx, int index, void **dev)
{
    (void)ctx;
    (void)index;
    fault(3);
    *dev = &g_device;
    return ACCEL_OK;
}

static void f_device_close(void *dev) { (void)dev; }

static accel_status f_device_info(void *dev, accel_device_info *info)
{
    (void)dev;
    fault(4);
    info->type = ACCEL_DEVICE_ACCELERATOR;
#ifdef FAULT_BAD_UTF8
    snprintf(info->name, sizeof info->name, "Fault \xff\xfe device \xc3(");
    snprintf(info->vendor, sizeof info->vendor, "vendor \xed\xa0\x80 surrogate");
#else
    snprintf(info->name, sizeof info->name, "Fault test device");
    snprintf(info->vendor, sizeof info->vendor, "accelbench tests");
#endif
    snprintf(info->driver_version, sizeof info->driver_version, "1");
    info->compute_units = 1;
    info->memory_bytes = 1ull << 30;
    info->max_alloc_bytes = 1ull << 30;
    return ACCEL_OK;
}

static accel_status f_ok(void) { return ACCEL_OK; }

static accel_status f_unimplemented(void)
{
    return g_host->set_error(ACCEL_ERR_UNIMPLEMENTED, "the fault test plugin runs no work");
}

static void f_void(void *p) { (void)p; }

static void f_buffer_free(void *dev, void *buf)
{
    (void)dev;
    (void)buf;
}

static int g_handle = 1;

static accel_status f_create(void *dev, void **out)
{
    (void)dev;
    *out = &g_handle;
    return ACCEL_OK;
}

static accel_status f_timer_properties(void *dev, double *resolution_ns, const char **name)
{
    (void)dev;
    *resolution_ns = 1000.0;
    *name = "fault-clock";
    return ACCEL_OK;
}

#define OK (void *)f_ok
#define U (void *)f_unimplemented
static const accel_backend_ops ops = {
    .abi_major = ACCEL_PLUGIN_ABI_MAJOR,
    .abi_minor = ACCEL_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(accel_backend_ops),
    .name = PLUGIN_NAME,
    .version = "fault test",
    .init = f_init,
    .shutdown = f_shutdown,
    .device_open = f_device_open,
    .device_close = f_device_close,
    .device_info = f_device_info,
    .device_synchronize = OK,
    .buffer_alloc = U,
    .buffer_free = f_buffer_free,
    .stream_create = f_create,
    .stream_destroy = f_void,
    .stream_synchronize = OK,
    .buffer_write = U,
    .buffer_read = U,
    .buffer_copy = U,
    .buffer_fill = U,
    .timer_create = f_create,
    .timer_destroy = f_void,
    .timer_begin = U,
    .timer_end = U,
    .timer_elapsed_ms = U,
    .timer_properties = f_timer_properties,
    .op_plan_create = U,
    .op_plan_destroy = f_void,
    .op_plan_execute = U,
};

ACCEL_PLUGIN_EXPORT const accel_backend_ops *accel_plugin_query_v1(unsigned major,
                                                                   const accel_host_services *h)
{
    (void)major;
    (void)h;
    return &ops;
}
