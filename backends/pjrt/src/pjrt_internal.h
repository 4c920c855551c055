/* The pjrt backend's objects: loaded plugins and their clients, devices, buffers, streams, plans. */
#ifndef ACCEL_PJRT_INTERNAL_H
#define ACCEL_PJRT_INTERNAL_H

#include <pthread.h>

#include "accel/plugin.h"
#include "pjrt_capi.h"
#include "pjrt_load.h"
#include "pjrt_shape.h"

#define PJ_MAX_PLUGINS 8
#define PJ_MAX_DEVICES 64

/* One PJRT plugin, initialised, with its client. */
typedef struct pj_plugin {
    pjrt_plugin_lib lib;
    pjrt_client *client;
    char platform[32];         /* "tpu", "cuda", "cpu" */
    char platform_version[96];
    int process_index;
} pj_plugin;

typedef struct pj_ctx {
    const accel_host_services *host;
    pj_plugin plugins[PJ_MAX_PLUGINS];
    int nplugins;
    struct { int plugin; pjrt_device *device; } devices[PJ_MAX_DEVICES];
    int ndevices;
} pj_ctx;

typedef struct pj_device {
    pj_ctx *ctx;
    const pj_plugin *plugin;
    const pjrt_api *api;
    pjrt_client *client;
    pjrt_device *device;
    int index;
    uint64_t memory_bytes;
    /* Completion events of executions not yet waited for, shared by every stream of the device:
     * PJRT orders work by data dependence, so a stream boundary is a wait on all of them. */
    pthread_mutex_t lock;
    pjrt_event **pending;
    size_t npending, cap_pending;
} pj_device;

/* A device buffer: one PJRT buffer holding all `bytes`, swapped for a new one whenever something
 * writes it (PJRT buffers are immutable values). Until first written it has no PJRT buffer and reads
 * as zeros. HOST_PINNED buffers are plain host memory. */
typedef struct pj_buffer {
    pj_device *dev;
    size_t bytes;
    int pinned;
    unsigned char *host; /* pinned storage */
    pjrt_buffer *value;  /* NULL until written */
    pj_shape shape;      /* the element type and dimensions `value` has */
} pj_buffer;

typedef struct pj_stream {
    pj_device *dev;
} pj_stream;

/* errors: the PJRT message and code into host->set_error; destroys err. */
accel_status pj_fail(const pj_device *dev, pjrt_error *err, accel_status fallback, const char *what);
accel_status pj_fail_api(const accel_host_services *host, const pjrt_api *api, pjrt_error *err,
                         accel_status fallback, const char *what);
void pj_error_text(const pjrt_api *api, pjrt_error *err, char *out, size_t out_len);

/* events */
accel_status pj_event_wait(const pj_device *dev, pjrt_event *ev, const char *what); /* destroys ev */
accel_status pj_device_track(pj_device *dev, pjrt_event *ev);
accel_status pj_device_drain(pj_device *dev);

/* buffers */
void pj_value_destroy(const pj_device *dev, pjrt_buffer *value);
accel_status pj_buffer_upload(pj_device *dev, const void *data, const pj_shape *shape, pjrt_buffer **out);
accel_status pj_buffer_download(pj_device *dev, pj_buffer *b, void *dst); /* all b->bytes */
/* Gives b a value of `shape` (same bytes) holding its current contents: the host round trip that
 * turns a buffer written as bytes into the element type an op reads. */
accel_status pj_buffer_retype(pj_device *dev, pj_buffer *b, const pj_shape *shape);
accel_status pj_buffer_materialize(pj_device *dev, pj_buffer *b);

#endif
