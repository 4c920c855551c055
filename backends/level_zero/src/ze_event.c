/* Events: one host-visible Level Zero event each, signalled by a barrier at the recording point. */
#include <stdint.h>
#include <stdlib.h>

#include "ze_internal.h"

typedef struct ze_accel_event {
    accel_ze_device *dev;
    ze_event_pool_handle_t pool;
    ze_event_handle_t event;
    int recorded;
} ze_accel_event;

accel_status accel_ze_event_create(void *opaque_dev, void **out) {
    accel_ze_device *dev = opaque_dev;
    ze_accel_event *e = calloc(1, sizeof *e);
    if (!e) return dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    e->dev = dev;
    accel_status status = accel_ze_event_pool_single(dev, &e->pool, &e->event);
    if (status != ACCEL_OK) {
        free(e);
        return status;
    }
    *out = e;
    return ACCEL_OK;
}

void accel_ze_event_destroy(void *opaque) {
    ze_accel_event *e = opaque;
    e->dev->api->zeEventDestroy(e->event);
    e->dev->api->zeEventPoolDestroy(e->pool);
    free(e);
}

accel_status accel_ze_event_record(void *opaque, void *opaque_stream) {
    ze_accel_event *e = opaque;
    accel_ze_stream *s = opaque_stream;
    const accel_ze_api *api = e->dev->api;
    /* One Level Zero event per accel event: a previous record still in flight would signal it after
     * a host reset and release waiters early, so let it land first. */
    if (e->recorded)
        ACCEL_ZE_CHECK(e->dev, "zeEventHostSynchronize",
                       api->zeEventHostSynchronize(e->event, UINT64_MAX));
    ACCEL_ZE_CHECK(e->dev, "zeEventHostReset", api->zeEventHostReset(e->event));
    ACCEL_ZE_CHECK(e->dev, "zeCommandListAppendBarrier",
                   api->zeCommandListAppendBarrier(s->list, e->event, 0, NULL));
    s->pending = 1;
    e->recorded = 1;
    /* A regular list runs only when submitted: submit now, or another stream waiting on this event
     * would wait for a list nobody executes. */
    return accel_ze_stream_flush(s);
}

accel_status accel_ze_stream_wait_event(void *opaque_stream, void *opaque) {
    accel_ze_stream *s = opaque_stream;
    ze_accel_event *e = opaque;
    if (!e->recorded) return ACCEL_OK; /* like cudaStreamWaitEvent on a never-recorded event */
    ACCEL_ZE_CHECK(s->dev, "zeCommandListAppendWaitOnEvents",
                   s->dev->api->zeCommandListAppendWaitOnEvents(s->list, 1, &e->event));
    s->pending = 1;
    return ACCEL_OK;
}

accel_status accel_ze_event_synchronize(void *opaque) {
    ze_accel_event *e = opaque;
    if (!e->recorded) return ACCEL_OK;
    ACCEL_ZE_CHECK(e->dev, "zeEventHostSynchronize",
                   e->dev->api->zeEventHostSynchronize(e->event, UINT64_MAX));
    return ACCEL_OK;
}
