/* Streams: an immediate command list where the driver offers one (work starts as it is appended),
 * else a regular list that synchronize closes, executes on its own queue and resets. Level Zero does
 * not order the commands of a list by itself, so a barrier follows every command. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ze_internal.h"

accel_status accel_ze_event_pool_single(accel_ze_device *dev, ze_event_pool_handle_t *pool,
                                        ze_event_handle_t *event) {
    ze_event_pool_desc_t pool_desc = {ZE_STRUCTURE_TYPE_EVENT_POOL_DESC, NULL,
                                      ZE_EVENT_POOL_FLAG_HOST_VISIBLE, 1};
    ACCEL_ZE_CHECK(dev, "zeEventPoolCreate",
                   dev->api->zeEventPoolCreate(dev->context, &pool_desc, 1, &dev->device, pool));
    ze_event_desc_t event_desc = {ZE_STRUCTURE_TYPE_EVENT_DESC, NULL, 0, ZE_EVENT_SCOPE_FLAG_HOST,
                                  ZE_EVENT_SCOPE_FLAG_HOST};
    ze_result_t r = dev->api->zeEventCreate(*pool, &event_desc, event);
    if (r != ZE_RESULT_SUCCESS) {
        dev->api->zeEventPoolDestroy(*pool);
        *pool = NULL;
        return accel_ze_fail(dev->host, "zeEventCreate", r);
    }
    return ACCEL_OK;
}

static accel_status stream_create_immediate(accel_ze_device *dev, accel_ze_stream *s) {
    ze_command_queue_desc_t desc = {ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC, NULL, dev->compute_ordinal,
                                    0, 0, ZE_COMMAND_QUEUE_MODE_ASYNCHRONOUS,
                                    ZE_COMMAND_QUEUE_PRIORITY_NORMAL};
    ACCEL_ZE_CHECK(dev, "zeCommandListCreateImmediate",
                   dev->api->zeCommandListCreateImmediate(dev->context, dev->device, &desc, &s->list));
    s->immediate = 1;
    accel_status status = accel_ze_event_pool_single(dev, &s->pool, &s->tail_event);
    if (status != ACCEL_OK) {
        dev->api->zeCommandListDestroy(s->list);
        s->list = NULL;
    }
    return status;
}

static accel_status stream_create_regular(accel_ze_device *dev, accel_ze_stream *s) {
    ze_command_queue_desc_t qdesc = {ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC, NULL, dev->compute_ordinal,
                                     0, 0, ZE_COMMAND_QUEUE_MODE_ASYNCHRONOUS,
                                     ZE_COMMAND_QUEUE_PRIORITY_NORMAL};
    ACCEL_ZE_CHECK(dev, "zeCommandQueueCreate",
                   dev->api->zeCommandQueueCreate(dev->context, dev->device, &qdesc, &s->queue));
    ze_command_list_desc_t ldesc = {ZE_STRUCTURE_TYPE_COMMAND_LIST_DESC, NULL, dev->compute_ordinal, 0};
    ze_result_t r = dev->api->zeCommandListCreate(dev->context, dev->device, &ldesc, &s->list);
    if (r != ZE_RESULT_SUCCESS) {
        dev->api->zeCommandQueueDestroy(s->queue);
        s->queue = NULL;
        return accel_ze_fail(dev->host, "zeCommandListCreate", r);
    }
    s->immediate = 0;
    return ACCEL_OK;
}

accel_status accel_ze_stream_create(void *opaque_dev, void **out) {
    accel_ze_device *dev = opaque_dev;
    accel_ze_stream *s = calloc(1, sizeof *s);
    if (!s) return dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    s->dev = dev;
    accel_status status = ACCEL_ERR_UNAVAILABLE;
    pthread_mutex_lock(&dev->lock);
    int try_immediate = dev->immediate_lists != 0;
    pthread_mutex_unlock(&dev->lock);
    if (try_immediate) {
        status = stream_create_immediate(dev, s);
        pthread_mutex_lock(&dev->lock);
        if (dev->immediate_lists < 0) dev->immediate_lists = status == ACCEL_OK;
        pthread_mutex_unlock(&dev->lock);
        if (status != ACCEL_OK && dev->host->log)
            dev->host->log(ACCEL_LOG_INFO, "level_zero",
                           "immediate command lists unavailable; using regular lists");
    }
    if (status != ACCEL_OK) status = stream_create_regular(dev, s);
    if (status != ACCEL_OK) {
        free(s);
        return status;
    }
    pthread_mutex_lock(&dev->lock);
    s->next = dev->streams;
    dev->streams = s;
    pthread_mutex_unlock(&dev->lock);
    *out = s;
    return ACCEL_OK;
}

void accel_ze_stream_destroy(void *opaque) {
    accel_ze_stream *s = opaque;
    accel_ze_device *dev = s->dev;
    pthread_mutex_lock(&dev->lock);
    for (accel_ze_stream **p = &dev->streams; *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    pthread_mutex_unlock(&dev->lock);
    if (s->tail_event) dev->api->zeEventDestroy(s->tail_event);
    if (s->pool) dev->api->zeEventPoolDestroy(s->pool);
    dev->api->zeCommandListDestroy(s->list);
    if (s->queue) dev->api->zeCommandQueueDestroy(s->queue);
    free(s);
}

accel_status accel_ze_stream_appended(accel_ze_stream *s) {
    ACCEL_ZE_CHECK(s->dev, "zeCommandListAppendBarrier",
                   s->dev->api->zeCommandListAppendBarrier(s->list, NULL, 0, NULL));
    s->pending = 1;
    return ACCEL_OK;
}

static accel_status stream_run_regular(accel_ze_stream *s) {
    const accel_ze_api *api = s->dev->api;
    if (!s->pending) return ACCEL_OK;
    s->pending = 0;
    ACCEL_ZE_CHECK(s->dev, "zeCommandListClose", api->zeCommandListClose(s->list));
    ze_result_t r = api->zeCommandQueueExecuteCommandLists(s->queue, 1, &s->list, NULL);
    if (r == ZE_RESULT_SUCCESS) r = api->zeCommandQueueSynchronize(s->queue, UINT64_MAX);
    /* Reset even after a failure, so the stream stays usable for the next commands. */
    ze_result_t reset = api->zeCommandListReset(s->list);
    if (r != ZE_RESULT_SUCCESS)
        return accel_ze_fail(s->dev->host, "zeCommandQueueExecuteCommandLists/Synchronize", r);
    ACCEL_ZE_CHECK(s->dev, "zeCommandListReset", reset);
    return ACCEL_OK;
}

static accel_status stream_wait_immediate(accel_ze_stream *s) {
    const accel_ze_api *api = s->dev->api;
    if (api->zeCommandListHostSynchronize) {
        ACCEL_ZE_CHECK(s->dev, "zeCommandListHostSynchronize",
                       api->zeCommandListHostSynchronize(s->list, UINT64_MAX));
        return ACCEL_OK;
    }
    /* Loaders before API 1.6 (1.8 here) lack zeCommandListHostSynchronize: wait on an event signalled
     * by a barrier at the tail. */
    ACCEL_ZE_CHECK(s->dev, "zeCommandListAppendBarrier",
                   api->zeCommandListAppendBarrier(s->list, s->tail_event, 0, NULL));
    ACCEL_ZE_CHECK(s->dev, "zeEventHostSynchronize",
                   api->zeEventHostSynchronize(s->tail_event, UINT64_MAX));
    ACCEL_ZE_CHECK(s->dev, "zeEventHostReset", api->zeEventHostReset(s->tail_event));
    return ACCEL_OK;
}

accel_status accel_ze_stream_synchronize(void *opaque) {
    accel_ze_stream *s = opaque;
    if (!s->immediate) return stream_run_regular(s);
    accel_status status = stream_wait_immediate(s);
    if (status == ACCEL_OK) s->pending = 0;
    return status;
}

accel_status accel_ze_stream_flush(accel_ze_stream *s) {
    /* Immediate lists are already running; a regular list has to be submitted, and since it cannot be
     * appended to while it executes, submission waits for it. */
    return s->immediate ? ACCEL_OK : stream_run_regular(s);
}
