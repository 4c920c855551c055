/* The Gaudi plugin's handles. Every SynapseAI call goes through ctx->syn and every HLML call through
 * ctx->hlml, the dlopen()ed tables hung off the plugin context. */
#ifndef ACCEL_GAUDI_INTERNAL_H
#define ACCEL_GAUDI_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "accel/plugin.h"
#include "gaudi_symbols.h"

#define ACCEL_GAUDI_MAX_DEVICES 64
#define ACCEL_GAUDI_MAX_BINDINGS 16 /* persistent tensors of one op graph */
/* Pinned bounce buffer of each stream: SynapseAI DMAs only host memory it has mapped. */
#define ACCEL_GAUDI_STAGING_BYTES ((size_t)4 << 20)

typedef struct accel_gaudi_ctx {
    const accel_host_services *host;
    void *synapse_lib;
    const char *synapse_lib_name;
    accel_gaudi_synapse_table syn;
    char synapse_version[64]; /* synDriverGetVersion: the SynapseAI release */
    char driver_version[64];  /* the habanalabs kernel module's; "" when not readable */
    int device_count;
    synapse_module_id module_ids[ACCEL_GAUDI_MAX_DEVICES];
    /* A device is acquired once per process and shared by every accel_device opened on it. */
    pthread_mutex_t acquire_lock;
    int holders[ACCEL_GAUDI_MAX_DEVICES];
    synapse_device_id acquired_ids[ACCEL_GAUDI_MAX_DEVICES];

    int hlml_ok; /* optional: names, clocks, power, energy */
    void *hlml_lib;
    accel_gaudi_hlml_table hlml;
} accel_gaudi_ctx;

typedef struct accel_gaudi_device accel_gaudi_device;

typedef struct accel_gaudi_stream {
    accel_gaudi_device *dev;
    synapse_stream stream;
    void *staging; /* ACCEL_GAUDI_STAGING_BYTES of synHostMalloc memory */
} accel_gaudi_stream;

struct accel_gaudi_device {
    accel_gaudi_ctx *ctx;
    int index;
    synapse_module_id module_id;
    synapse_device_id id;
    synapse_device_info info; /* type, HBM and SRAM sizes, enabled TPCs */
    char name[128];           /* synDeviceGetName ("GAUDI2") */
    char product[64];         /* HLML's board name ("HL-225"), "" without HLML */
    char pci_bus_id[32];
    hlml_device hlml;         /* NULL without HLML */
    /* Plan creation uploads small constant operands (an all-zero mask, unit fp8 scales) through
     * this stream; the lock serialises plan creators on different threads. */
    pthread_mutex_t utility_lock;
    accel_gaudi_stream utility;
};

typedef struct accel_gaudi_buffer {
    uint64_t address; /* device address; for pinned memory the host address SynapseAI mapped */
    size_t bytes;
    int pinned;
    void *host; /* pinned only */
} accel_gaudi_buffer;

typedef struct accel_gaudi_event {
    accel_gaudi_device *dev;
    synapse_event event;
    const accel_gaudi_stream *recorded_on; /* NULL until recorded */
} accel_gaudi_event;

typedef struct accel_gaudi_timer {
    accel_gaudi_device *dev;
    synapse_event begin, end; /* created with SYNAPSE_EVENT_COLLECT_TIME */
    int begun, ended;
} accel_gaudi_timer;

/* One persistent tensor of a compiled op graph and where its address comes from at launch. */
typedef struct accel_gaudi_binding {
    char name[24];
    uint64_t id;       /* synTensorRetrieveIds */
    int operand;       /* index into the op's operand list */
    size_t bytes;      /* what the tensor spans */
    int has_fallback;  /* an absent operand binds to the plan's constant block instead */
    uint64_t fallback_offset;
} accel_gaudi_binding;

typedef struct accel_gaudi_plan {
    accel_gaudi_device *dev;
    synapse_recipe recipe;
    uint64_t workspace_bytes; /* synWorkspaceGetSize */
    int nbindings;
    accel_gaudi_binding bindings[ACCEL_GAUDI_MAX_BINDINGS];
    uint64_t constants; /* device memory holding the fallbacks; 0 = none */
} accel_gaudi_plan;

/* "synDeviceAlreadyAcquired" (the library's own brief text when it has one). */
const char *accel_gaudi_status_name(const accel_gaudi_ctx *ctx, synapse_status s, char *buf,
                                    size_t len);
/* ACCEL_OK for success; otherwise the mapped status with "what: name (code)" as the message. */
accel_status accel_gaudi_check(const accel_gaudi_ctx *ctx, synapse_status s, const char *what);
#define ACCEL_GAUDI_CALL(ctx, call, name) accel_gaudi_check((ctx), (ctx)->syn.call, name)

static inline const accel_gaudi_buffer *accel_gaudi_ref_buffer(accel_plugin_ref ref) {
    return (const accel_gaudi_buffer *)ref.buffer;
}

/* Slots and helpers, grouped by file. */
accel_status accel_gaudi_init(const accel_host_services *host, void **ctx, int *device_count,
                              char *reason, size_t reason_len);
void accel_gaudi_shutdown(void *ctx);

accel_status accel_gaudi_device_open(void *ctx, int index, void **dev);
void accel_gaudi_device_close(void *dev);
accel_status accel_gaudi_device_info(void *dev, accel_device_info *info);
accel_status accel_gaudi_device_synchronize(void *dev);

void accel_gaudi_hlml_load(accel_gaudi_ctx *ctx);
void accel_gaudi_hlml_unload(accel_gaudi_ctx *ctx);
void accel_gaudi_hlml_attach(accel_gaudi_device *dev);
double accel_gaudi_hlml_power_limit_w(const accel_gaudi_device *dev);
int accel_gaudi_hlml_ecc_enabled(const accel_gaudi_device *dev);
void accel_gaudi_hlml_clocks(const accel_gaudi_device *dev, int *current_mhz, int *max_mhz);
accel_status accel_gaudi_device_telemetry(void *dev, accel_device_telemetry *out);

accel_status accel_gaudi_buffer_alloc(void *dev, size_t bytes, accel_memory_kind kind, void **buf,
                                      void **host_ptr);
void accel_gaudi_buffer_free(void *dev, void *buf);
accel_status accel_gaudi_buffer_write(void *stream, void *dst, size_t dst_offset, const void *src,
                                      size_t bytes);
accel_status accel_gaudi_buffer_read(void *stream, void *src, size_t src_offset, void *dst,
                                     size_t bytes);
accel_status accel_gaudi_buffer_copy(void *stream, void *dst, size_t dst_offset, void *src,
                                     size_t src_offset, size_t bytes);
accel_status accel_gaudi_buffer_fill(void *stream, void *dst, size_t dst_offset, size_t bytes,
                                     const void *pattern, size_t pattern_size);
/* Host bytes to device memory through the stream's staging buffer; complete on return. */
accel_status accel_gaudi_upload(accel_gaudi_stream *stream, uint64_t dst, const void *src,
                                size_t bytes);

/* A stream with its staging buffer (also the device's utility stream). */
accel_status accel_gaudi_stream_init(accel_gaudi_device *dev, accel_gaudi_stream *stream);
void accel_gaudi_stream_release(accel_gaudi_stream *stream);
accel_status accel_gaudi_stream_create(void *dev, void **stream);
void accel_gaudi_stream_destroy(void *stream);
accel_status accel_gaudi_stream_synchronize(void *stream);
accel_status accel_gaudi_event_create(void *dev, void **event);
void accel_gaudi_event_destroy(void *event);
accel_status accel_gaudi_event_record(void *event, void *stream);
accel_status accel_gaudi_stream_wait_event(void *stream, void *event);
accel_status accel_gaudi_event_synchronize(void *event);
accel_status accel_gaudi_timer_create(void *dev, void **timer);
void accel_gaudi_timer_destroy(void *timer);
accel_status accel_gaudi_timer_begin(void *timer, void *stream);
accel_status accel_gaudi_timer_end(void *timer, void *stream);
accel_status accel_gaudi_timer_elapsed_ms(void *timer, double *ms);
accel_status accel_gaudi_timer_properties(void *dev, double *resolution_ns, const char **name);

accel_status accel_gaudi_op_plan_create(void *dev, const accel_op_desc *desc, void **plan,
                                        accel_plugin_plan_info *info);
void accel_gaudi_op_plan_destroy(void *plan);
accel_status accel_gaudi_op_plan_execute(void *plan, void *stream, const accel_plugin_ref *operands,
                                         size_t noperands, accel_plugin_ref workspace);

#endif
