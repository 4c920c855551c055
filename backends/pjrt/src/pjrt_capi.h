/* The part of XLA's PJRT C API (xla/pjrt/c/pjrt_c_api.h) this backend calls, declared here from the
 * documented ABI so the plugin builds with no XLA checkout and no Python package.
 *
 * How the ABI stays stable: every argument struct starts with its own struct_size (what the caller
 * was compiled with), fields are only ever appended, and the function table (pjrt_api) only grows at
 * its end while the major version is 0. The layouts below are those of API 0.81; a plugin of 0.81 or
 * newer reads only the fields our struct_size covers, and pjrt_load.c refuses older plugins and any
 * whose table is too short to hold the last entry we call (PJRT_API_LAST_USED_SLOT).
 *
 * Names are this project's (pjrt_ + snake case) so nothing here can clash with the official header
 * if a future build includes both. */
#ifndef ACCEL_PJRT_CAPI_H
#define ACCEL_PJRT_CAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PJRT_API_MAJOR_SUPPORTED 0
#define PJRT_API_MINOR_OLDEST 81

/* The size a struct had when we compiled it, up to and including `last`. */
#define PJRT_ARGS_SIZE(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))

typedef struct pjrt_error pjrt_error;
typedef struct pjrt_client pjrt_client;
typedef struct pjrt_device pjrt_device;
typedef struct pjrt_device_description pjrt_device_description;
typedef struct pjrt_memory pjrt_memory;
typedef struct pjrt_event pjrt_event;
typedef struct pjrt_buffer pjrt_buffer;
typedef struct pjrt_loaded_executable pjrt_loaded_executable;

/* Error codes (absl status codes). */
enum {
    PJRT_CODE_INVALID_ARGUMENT = 3,
    PJRT_CODE_NOT_FOUND = 5,
    PJRT_CODE_RESOURCE_EXHAUSTED = 8,
    PJRT_CODE_FAILED_PRECONDITION = 9,
    PJRT_CODE_UNIMPLEMENTED = 12,
    PJRT_CODE_INTERNAL = 13,
    PJRT_CODE_UNAVAILABLE = 14
};

/* Element types (PJRT_Buffer_Type); only those this backend stores. */
typedef enum pjrt_element_type {
    PJRT_ELEM_INVALID = 0,
    PJRT_ELEM_S8 = 2,
    PJRT_ELEM_S32 = 4,
    PJRT_ELEM_S64 = 5,
    PJRT_ELEM_U8 = 6,
    PJRT_ELEM_F16 = 10,
    PJRT_ELEM_F32 = 11,
    PJRT_ELEM_F64 = 12,
    PJRT_ELEM_BF16 = 13,
    PJRT_ELEM_F8E5M2 = 16,
    PJRT_ELEM_F8E4M3FN = 17
} pjrt_element_type;

/* The host data is copied before PJRT_Client_BufferFromHostBuffer returns. */
#define PJRT_HOST_BUFFER_COPIED_DURING_CALL 0

typedef enum { PJRT_VALUE_STRING = 0, PJRT_VALUE_INT64 = 1, PJRT_VALUE_INT64_LIST = 2,
               PJRT_VALUE_FLOAT = 3, PJRT_VALUE_BOOL = 4 } pjrt_value_type;

typedef struct pjrt_named_value {
    size_t struct_size;
    void *extension_start;
    const char *name;
    size_t name_size;
    pjrt_value_type type;
    union {
        const char *string_value;
        int64_t int64_value;
        const int64_t *int64_array_value;
        float float_value;
        bool bool_value;
    } value;
    size_t value_size; /* string length or list length; 1 for scalars */
} pjrt_named_value;

/* ---- errors ---- */
typedef struct { size_t struct_size; void *extension_start; pjrt_error *error; } pjrt_error_destroy_args;
typedef struct {
    size_t struct_size; void *extension_start;
    const pjrt_error *error;
    const char *message; /* out, not NUL-terminated */
    size_t message_size; /* out */
} pjrt_error_message_args;
typedef struct { size_t struct_size; void *extension_start; const pjrt_error *error; int code; } pjrt_error_get_code_args;

/* ---- plugin and events ---- */
typedef struct { size_t struct_size; void *extension_start; } pjrt_plugin_initialize_args;
typedef struct { size_t struct_size; void *extension_start; pjrt_event *event; } pjrt_event_args; /* destroy, await */
typedef struct { size_t struct_size; void *extension_start; pjrt_event *event; bool is_ready; } pjrt_event_is_ready_args;

/* ---- client ---- */
typedef struct {
    size_t struct_size; void *extension_start;
    const pjrt_named_value *create_options;
    size_t num_options;
    void *kv_get_callback, *kv_get_user_arg, *kv_put_callback, *kv_put_user_arg;
    pjrt_client *client; /* out */
    void *kv_try_get_callback, *kv_try_get_user_arg;
} pjrt_client_create_args;
typedef struct { size_t struct_size; void *extension_start; pjrt_client *client; } pjrt_client_destroy_args;
typedef struct {
    size_t struct_size; void *extension_start;
    pjrt_client *client;
    const char *text; /* out: platform name or version, not NUL-terminated */
    size_t text_size;
} pjrt_client_string_args;
typedef struct { size_t struct_size; void *extension_start; pjrt_client *client; int process_index; } pjrt_client_process_index_args;
typedef struct {
    size_t struct_size; void *extension_start;
    pjrt_client *client;
    pjrt_device *const *devices; /* out */
    size_t num_devices;          /* out */
} pjrt_client_devices_args;

typedef struct {
    size_t struct_size; void *extension_start;
    char *code; /* the module text; PJRT does not change it on compile */
    size_t code_size;
    const char *format; /* "mlir" */
    size_t format_size;
} pjrt_program;
typedef struct {
    size_t struct_size; void *extension_start;
    pjrt_client *client;
    const pjrt_program *program;
    const char *compile_options; /* serialized xla.CompileOptionsProto */
    size_t compile_options_size;
    pjrt_loaded_executable *executable; /* out */
} pjrt_client_compile_args;
typedef struct {
    size_t struct_size; void *extension_start;
    pjrt_client *client;
    const void *data;
    pjrt_element_type type;
    const int64_t *dims;
    size_t num_dims;
    const int64_t *byte_strides; /* NULL: dense row-major */
    size_t num_byte_strides;
    int host_buffer_semantics;
    pjrt_device *device;
    pjrt_memory *memory;
    void *device_layout;
    pjrt_event *done_with_host_buffer; /* out */
    pjrt_buffer *buffer;               /* out */
} pjrt_buffer_from_host_args;

/* ---- devices ---- */
typedef struct { size_t struct_size; void *extension_start; pjrt_device_description *description; int value; } pjrt_description_int_args; /* id, process index */
typedef struct {
    size_t struct_size; void *extension_start;
    pjrt_device_description *description;
    size_t num_attributes;              /* out */
    const pjrt_named_value *attributes; /* out */
} pjrt_description_attributes_args;
typedef struct {
    size_t struct_size; void *extension_start;
    pjrt_device_description *description;
    const char *text; /* out: kind or debug string, not NUL-terminated */
    size_t text_size;
} pjrt_description_string_args;
typedef struct { size_t struct_size; void *extension_start; pjrt_device *device; pjrt_device_description *description; } pjrt_device_get_description_args;
typedef struct {
    size_t struct_size; void *extension_start;
    pjrt_device *device;
    int64_t bytes_in_use;
    int64_t peak_bytes_in_use; bool peak_bytes_in_use_is_set;
    int64_t num_allocs; bool num_allocs_is_set;
    int64_t largest_alloc_size; bool largest_alloc_size_is_set;
    int64_t bytes_limit; bool bytes_limit_is_set;
    int64_t bytes_reserved; bool bytes_reserved_is_set;
    int64_t peak_bytes_reserved; bool peak_bytes_reserved_is_set;
    int64_t bytes_reservable_limit; bool bytes_reservable_limit_is_set;
    int64_t largest_free_block_bytes; bool largest_free_block_bytes_is_set;
    int64_t pool_bytes; bool pool_bytes_is_set;
    int64_t peak_pool_bytes; bool peak_pool_bytes_is_set;
} pjrt_device_memory_stats_args;

/* ---- executables ---- */
typedef struct { size_t struct_size; void *extension_start; pjrt_loaded_executable *executable; } pjrt_loaded_executable_destroy_args;
typedef struct {
    size_t struct_size; void *extension_start;
    void **send_callbacks, **recv_callbacks;
    size_t num_send_ops, num_recv_ops;
    int launch_id;
    const int64_t *non_donatable_input_indices;
    size_t num_non_donatable_input_indices;
    void *context;
    const char *call_location;
    size_t num_tasks;
    int *task_ids;
    int64_t *incarnation_ids;
} pjrt_execute_options;
typedef struct {
    size_t struct_size; void *extension_start;
    pjrt_loaded_executable *executable;
    pjrt_execute_options *options;
    pjrt_buffer *const *const *argument_lists; /* [device][argument] */
    size_t num_devices;
    size_t num_args;
    pjrt_buffer **const *output_lists;  /* [device][output], filled */
    pjrt_event **device_complete_events; /* [device], filled when non-NULL */
    pjrt_device *execute_device;
} pjrt_execute_args;

/* ---- buffers ---- */
typedef struct { size_t struct_size; void *extension_start; pjrt_buffer *buffer; } pjrt_buffer_destroy_args;
typedef struct {
    size_t struct_size; void *extension_start;
    pjrt_buffer *src;
    void *host_layout; /* NULL: dense row-major */
    void *dst;         /* NULL asks for the size in dst_size */
    size_t dst_size;
    pjrt_event *event; /* out */
} pjrt_buffer_to_host_args;

typedef void (*pjrt_unused_fn)(void);
typedef pjrt_error *(*pjrt_fn)(void *args); /* documentation only */

/* The function table GetPjrtApi() returns, in ABI order up to the last entry this backend calls. */
typedef struct pjrt_api {
    size_t struct_size;
    void *extension_start;
    struct { size_t struct_size; void *extension_start; int major_version, minor_version; } version;

    void (*error_destroy)(pjrt_error_destroy_args *);
    void (*error_message)(pjrt_error_message_args *);
    pjrt_error *(*error_get_code)(pjrt_error_get_code_args *);

    pjrt_error *(*plugin_initialize)(pjrt_plugin_initialize_args *);
    pjrt_unused_fn plugin_attributes;

    pjrt_error *(*event_destroy)(pjrt_event_args *);
    pjrt_error *(*event_is_ready)(pjrt_event_is_ready_args *);
    pjrt_unused_fn event_error;
    pjrt_error *(*event_await)(pjrt_event_args *);
    pjrt_unused_fn event_on_ready;

    pjrt_error *(*client_create)(pjrt_client_create_args *);
    pjrt_error *(*client_destroy)(pjrt_client_destroy_args *);
    pjrt_error *(*client_platform_name)(pjrt_client_string_args *);
    pjrt_error *(*client_process_index)(pjrt_client_process_index_args *);
    pjrt_error *(*client_platform_version)(pjrt_client_string_args *);
    pjrt_unused_fn client_devices;
    pjrt_error *(*client_addressable_devices)(pjrt_client_devices_args *);
    pjrt_unused_fn client_lookup_device, client_lookup_addressable_device, client_addressable_memories;
    pjrt_error *(*client_compile)(pjrt_client_compile_args *);
    pjrt_unused_fn client_default_device_assignment;
    pjrt_error *(*client_buffer_from_host_buffer)(pjrt_buffer_from_host_args *);

    pjrt_error *(*description_id)(pjrt_description_int_args *);
    pjrt_error *(*description_process_index)(pjrt_description_int_args *);
    pjrt_error *(*description_attributes)(pjrt_description_attributes_args *);
    pjrt_error *(*description_kind)(pjrt_description_string_args *);
    pjrt_error *(*description_debug_string)(pjrt_description_string_args *);
    pjrt_unused_fn description_to_string;

    pjrt_error *(*device_get_description)(pjrt_device_get_description_args *);
    pjrt_unused_fn device_is_addressable, device_local_hardware_id, device_addressable_memories,
        device_default_memory;
    pjrt_error *(*device_memory_stats)(pjrt_device_memory_stats_args *);

    pjrt_unused_fn memory_id, memory_kind, memory_debug_string, memory_to_string,
        memory_addressable_by_devices;

    pjrt_unused_fn executable_destroy, executable_name, executable_num_replicas,
        executable_num_partitions, executable_num_outputs, executable_code_size,
        executable_cost_analysis, executable_output_memory_kinds, executable_optimized_program,
        executable_serialize;

    pjrt_error *(*loaded_executable_destroy)(pjrt_loaded_executable_destroy_args *);
    pjrt_unused_fn loaded_executable_get_executable, loaded_executable_addressable_devices,
        loaded_executable_delete, loaded_executable_is_deleted;
    pjrt_error *(*loaded_executable_execute)(pjrt_execute_args *);
    pjrt_unused_fn executable_deserialize_and_load, loaded_executable_fingerprint;

    pjrt_error *(*buffer_destroy)(pjrt_buffer_destroy_args *);
    pjrt_unused_fn buffer_element_type, buffer_dimensions, buffer_unpadded_dimensions,
        buffer_dynamic_dimension_indices, buffer_memory_layout, buffer_on_device_size,
        buffer_device, buffer_memory, buffer_delete, buffer_is_deleted, buffer_copy_to_device;
    pjrt_error *(*buffer_to_host_buffer)(pjrt_buffer_to_host_args *);
    /* ... the table goes on; nothing past here is called. */
} pjrt_api;

#define PJRT_API_LAST_USED_SLOT buffer_to_host_buffer
#define PJRT_GET_API_SYMBOL "GetPjrtApi"
typedef const pjrt_api *(*pjrt_get_api_fn)(void);

#endif
