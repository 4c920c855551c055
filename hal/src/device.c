/* Devices: "backend:index" ids, one plugin device per hardware device however often it is opened. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_internal.h"

static accel_status parse_device_id(const char *id, char *backend, size_t blen, int *index) {
    const char *colon = strchr(id, ':');
    if (!colon || colon == id || (size_t)(colon - id) >= blen || !colon[1])
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "device id '%s' is not of the form backend:index (e.g. cpu:0)", id);
    memcpy(backend, id, (size_t)(colon - id));
    backend[colon - id] = '\0';
    char *end = NULL;
    errno = 0;
    long v = strtol(colon + 1, &end, 10);
    if (errno || *end || v < 0 || v > 1 << 20 || colon[1] == '-' || colon[1] == '+')
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "device id '%s': index must be a non-negative integer", id);
    *index = (int)v;
    return ACCEL_OK;
}

static hal_backend *find_backend(accel_runtime *rt, const char *name) {
    for (size_t i = 0; i < rt->backend_count; ++i)
        if (strcmp(rt->backends[i].ops->name, name) == 0) return &rt->backends[i];
    return NULL;
}

static accel_status explain_missing_backend(const accel_runtime *rt, const char *name) {
    for (size_t i = 0; i < rt->report_count; ++i)
        if (strcmp(rt->reports[i].name, name) == 0)
            return hal_error(ACCEL_ERR_UNAVAILABLE, "backend '%s' is not usable: %s", name,
                             rt->reports[i].reason);
    return hal_error(ACCEL_ERR_NOT_FOUND,
                     "no backend named '%s' was found (see `accelbench devices`)", name);
}

static accel_status slot_open(hal_backend *be, int index, hal_device_slot *slot) {
    if (slot->opens++ > 0) return ACCEL_OK;
    accel_clear_error();
    accel_status st = be->ops->device_open(be->ctx, index, &slot->handle);
    if (st != ACCEL_OK) {
        slot->opens = 0;
        slot->handle = NULL;
        if (!accel_last_error()[0])
            hal_error(st, "%s:%d: device_open failed (%s)", be->ops->name, index,
                      accel_status_str(st));
        return st;
    }
    memset(&slot->info, 0, sizeof slot->info);
    slot->info.struct_size = sizeof slot->info;
    slot->info.ecc_enabled = -1;
    slot->info.mig_enabled = -1;
    slot->info.numa_node = -1;
    st = be->ops->device_info(slot->handle, &slot->info);
    if (st != ACCEL_OK) {
        be->ops->device_close(slot->handle);
        slot->handle = NULL;
        slot->opens = 0;
        return st;
    }
    snprintf(slot->info.backend, sizeof slot->info.backend, "%s", be->ops->name);
    slot->info.index = index;
    slot->info.struct_size = sizeof slot->info;
    return ACCEL_OK;
}

ACCEL_API accel_status accel_device_open(accel_runtime *rt, const char *id,
                                         accel_device **out_dev) {
    HAL_CHECK_OUT(out_dev);
    *out_dev = NULL;
    if (!rt) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_device_open: runtime is NULL");
    if (!id) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_device_open: device id is NULL");
    char name[32];
    int index = -1;
    accel_status st = parse_device_id(id, name, sizeof name, &index);
    if (st != ACCEL_OK) return st;
    hal_backend *be = find_backend(rt, name);
    if (!be) return explain_missing_backend(rt, name);
    if (index >= be->device_count)
        return hal_error(ACCEL_ERR_NOT_FOUND, "device %s does not exist: backend '%s' has %d device(s)",
                         id, name, be->device_count);
    accel_device *dev = calloc(1, sizeof *dev);
    if (!dev) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_device_open: out of host memory");
    pthread_mutex_lock(&rt->lock);
    st = slot_open(be, index, &be->slots[index]);
    pthread_mutex_unlock(&rt->lock);
    if (st != ACCEL_OK) {
        free(dev);
        return st;
    }
    dev->tag = TAG_DEVICE;
    dev->rt = rt;
    dev->be = be;
    dev->slot = &be->slots[index];
    dev->index = index;
    snprintf(dev->id, sizeof dev->id, "%s:%d", name, index);
    for (int k = 0; k < HAL_OWNED_KINDS; ++k) atomic_init(&dev->owned[k], 0);
    pthread_mutex_lock(&rt->lock);
    accel_device **link = &rt->devices;
    while (*link) {
        dev->prev = *link;
        link = &(*link)->next;
    }
    *link = dev; /* in open order, as accel_runtime_close names them */
    pthread_mutex_unlock(&rt->lock);
    *out_dev = dev;
    return ACCEL_OK;
}

int hal_device_owned_describe(accel_device *dev, char *buf, size_t len) {
    static const char *const names[HAL_OWNED_KINDS][2] = {
        [HAL_OWNED_BUFFER] = {"buffer", "buffers"},   [HAL_OWNED_STREAM] = {"stream", "streams"},
        [HAL_OWNED_EVENT] = {"event", "events"},      [HAL_OWNED_TIMER] = {"timer", "timers"},
        [HAL_OWNED_MODULE] = {"module", "modules"},   [HAL_OWNED_PLAN] = {"op plan", "op plans"},
        [HAL_OWNED_GRAPH] = {"graph", "graphs"},      [HAL_OWNED_COMM] = {"comm", "comms"}};
    int total = 0;
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < HAL_OWNED_KINDS; ++k) {
        const int n = atomic_load_explicit(&dev->owned[k], memory_order_relaxed);
        if (n <= 0) continue;
        total += n;
        const int w = snprintf(buf + used, len - used, "%s%d %s", used ? ", " : "", n,
                               names[k][n != 1]);
        if (w < 0 || (size_t)w >= len - used) break;
        used += (size_t)w;
    }
    return total;
}

ACCEL_API accel_status accel_device_close(accel_device *dev) {
    if (!dev) return ACCEL_OK;
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    char owned[192];
    if (hal_device_owned_describe(dev, owned, sizeof owned)) {
        /* Freeing them here would leave the caller holding handles into freed memory, which a
         * later accel_buffer_free would touch: refuse, and keep everything valid. */
        hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                  "accel_device_close: %s still has %s alive: free or destroy them first (the "
                  "device stays open)",
                  dev->id, owned);
        hal_log(ACCEL_LOG_WARN, NULL, accel_last_error());
        return ACCEL_ERR_INVALID_ARGUMENT;
    }
    accel_runtime *rt = dev->rt;
    pthread_mutex_lock(&rt->lock);
    if (--dev->slot->opens == 0) {
        dev->be->ops->device_close(dev->slot->handle);
        dev->slot->handle = NULL;
    }
    if (dev->prev) dev->prev->next = dev->next;
    else rt->devices = dev->next;
    if (dev->next) dev->next->prev = dev->prev;
    pthread_mutex_unlock(&rt->lock);
    dev->tag = 0;
    free(dev);
    return ACCEL_OK;
}

ACCEL_API accel_status accel_device_info_get(const accel_device *dev, accel_device_info *info) {
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    HAL_CHECK_OUT(info);
    return hal_struct_out(info, &dev->slot->info, sizeof dev->slot->info, HAL_DEVICE_INFO_SIZE_1_0,
                          "accel_device_info_get", "info");
}

ACCEL_API const char *accel_device_id(const accel_device *dev) {
    return dev && dev->tag == TAG_DEVICE ? dev->id : "";
}

ACCEL_API accel_status accel_device_synchronize(accel_device *dev) {
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    return dev->be->ops->device_synchronize(dev->slot->handle);
}

ACCEL_API accel_status accel_device_telemetry_get(accel_device *dev, accel_device_telemetry *out) {
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    HAL_CHECK_OUT(out);
    accel_status st = hal_struct_check(out, sizeof *out, HAL_TELEMETRY_SIZE_1_0,
                                       "accel_device_telemetry_get", "telemetry");
    if (st != ACCEL_OK) return st;
    const accel_backend_ops *o = dev->be->ops;
    if (!HAL_HAS_SLOT(o, device_telemetry))
        return hal_error(ACCEL_ERR_UNIMPLEMENTED, "%s: the %s backend reads no telemetry", dev->id,
                         o->name);
    accel_device_telemetry t = {.struct_size = sizeof t, .clock_mhz = -1, .memory_clock_mhz = -1,
                                .power_w = -1, .energy_j = -1, .temperature_c = -1};
    st = o->device_telemetry(dev->slot->handle, &t);
    if (st != ACCEL_OK) return st;
    return hal_struct_out(out, &t, sizeof t, HAL_TELEMETRY_SIZE_1_0, "accel_device_telemetry_get",
                          "telemetry");
}
