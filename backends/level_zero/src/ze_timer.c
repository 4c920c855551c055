/* Timers: two global timestamps written into the stream's command list, into pinned host memory
 * (docs/backend-level-zero.md, timers); elapsed = masked (end - start) x ns per tick. */
#include <stdint.h>
#include <stdlib.h>

#include "ze_internal.h"
#include "ze_timestamp.h"

typedef struct ze_accel_timer {
    accel_ze_device *dev;
    uint64_t *stamps; /* [0] begin, [1] end: zeMemAllocHost, so the device writes it directly */
    ze_event_pool_handle_t pool;
    ze_event_handle_t end_event; /* signalled once the end stamp is written */
    accel_ze_stream *end_stream;
    int begun, ended;
} ze_accel_timer;

accel_status accel_ze_timer_create(void *opaque_dev, void **out) {
    accel_ze_device *dev = opaque_dev;
    ze_accel_timer *t = calloc(1, sizeof *t);
    if (!t) return dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    t->dev = dev;
    ze_host_mem_alloc_desc_t desc = {ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC, NULL, 0};
    void *stamps = NULL;
    ze_result_t r = dev->api->zeMemAllocHost(dev->context, &desc, 2 * sizeof(uint64_t), 64, &stamps);
    if (r != ZE_RESULT_SUCCESS) {
        free(t);
        return accel_ze_fail(dev->host, "zeMemAllocHost(timer)", r);
    }
    t->stamps = stamps;
    accel_status status = accel_ze_event_pool_single(dev, &t->pool, &t->end_event);
    if (status != ACCEL_OK) {
        dev->api->zeMemFree(dev->context, stamps);
        free(t);
        return status;
    }
    *out = t;
    return ACCEL_OK;
}

void accel_ze_timer_destroy(void *opaque) {
    ze_accel_timer *t = opaque;
    t->dev->api->zeEventDestroy(t->end_event);
    t->dev->api->zeEventPoolDestroy(t->pool);
    t->dev->api->zeMemFree(t->dev->context, t->stamps);
    free(t);
}

accel_status accel_ze_timer_begin(void *opaque, void *opaque_stream) {
    ze_accel_timer *t = opaque;
    accel_ze_stream *s = opaque_stream;
    /* An end stamp still in flight would write over the new pair: let it land first. */
    if (t->ended) {
        if (accel_ze_stream_is_live(t->dev, t->end_stream)) {
            accel_status status = accel_ze_stream_flush(t->end_stream);
            if (status != ACCEL_OK) return status;
        }
        ACCEL_ZE_CHECK(t->dev, "zeEventHostSynchronize",
                       t->dev->api->zeEventHostSynchronize(t->end_event, UINT64_MAX));
    }
    ACCEL_ZE_CHECK(t->dev, "zeEventHostReset", t->dev->api->zeEventHostReset(t->end_event));
    /* The barrier after every command makes the stamp wait for the work before it. */
    ACCEL_ZE_CHECK(t->dev, "zeCommandListAppendWriteGlobalTimestamp",
                   t->dev->api->zeCommandListAppendWriteGlobalTimestamp(s->list, &t->stamps[0], NULL,
                                                                        0, NULL));
    t->begun = 1;
    t->ended = 0;
    return accel_ze_stream_appended(s);
}

accel_status accel_ze_timer_end(void *opaque, void *opaque_stream) {
    ze_accel_timer *t = opaque;
    accel_ze_stream *s = opaque_stream;
    if (!t->begun)
        return t->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "timer end without begin");
    ACCEL_ZE_CHECK(t->dev, "zeCommandListAppendWriteGlobalTimestamp",
                   t->dev->api->zeCommandListAppendWriteGlobalTimestamp(s->list, &t->stamps[1],
                                                                        t->end_event, 0, NULL));
    t->ended = 1;
    t->end_stream = s;
    return accel_ze_stream_appended(s);
}

accel_status accel_ze_timer_elapsed_ms(void *opaque, double *ms) {
    ze_accel_timer *t = opaque;
    if (!t->ended)
        return t->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "timer has no begin/end pair");
    /* A regular list runs only when submitted; a destroyed stream was synchronized by the host. */
    if (accel_ze_stream_is_live(t->dev, t->end_stream)) {
        accel_status status = accel_ze_stream_flush(t->end_stream);
        if (status != ACCEL_OK) return status;
    }
    ACCEL_ZE_CHECK(t->dev, "zeEventHostSynchronize",
                   t->dev->api->zeEventHostSynchronize(t->end_event, UINT64_MAX));
    *ms = accel_ze_timestamp_elapsed_ms(t->stamps[0], t->stamps[1], t->dev->timestamp_valid_bits,
                                        t->dev->ns_per_tick);
    return ACCEL_OK;
}

accel_status accel_ze_timer_properties(void *opaque_dev, double *resolution_ns, const char **name) {
    accel_ze_device *dev = opaque_dev;
    *resolution_ns = dev->ns_per_tick;
    *name = "ze-timestamp";
    return ACCEL_OK;
}
