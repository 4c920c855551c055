/* The runtime: plugin discovery and the list of backends found, loaded or refused (with why). */
#ifndef ACCEL_RUNTIME_H
#define ACCEL_RUNTIME_H

#include "accel/status.h"
#include "accel/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct accel_runtime accel_runtime;

/* A plugin file the caller has already judged unusable, with why. accelbench probes every plugin
 * in a child process first and passes the ones whose probe crashed, exited or hung, so that their
 * code never runs in its own process. */
typedef struct accel_plugin_refusal {
    const char *path;     /* exactly as accel_plugin_files() listed it */
    accel_status status;  /* reported as the backend's status */
    const char *reason;   /* reported as the backend's reason */
} accel_plugin_refusal;

typedef struct accel_runtime_options {
    size_t struct_size;              /* sizeof(accel_runtime_options); the size before `refused`
                                        (ABI 1.0 callers) is accepted too (types.h: growth) */
    const char *const *plugin_paths; /* plugin files or directories searched first; may be NULL */
    size_t plugin_path_count;
    const char *backends;            /* "cpu,opencl" filter; NULL = $ACCEL_BACKENDS, "" = all */
    int debug;                       /* 1 = print every path tried to stderr; also $ACCEL_DEBUG=1 */
    int no_default_paths;            /* 1 = only plugin_paths (tests); skips env and install dirs */
    /* Files never dlopen()ed: each is reported with its status and reason instead. */
    const accel_plugin_refusal *refused;
    size_t refused_count;
} accel_runtime_options;

/* One plugin the loader found, whether it loaded or not. */
typedef struct accel_backend_report {
    char name[32];            /* from the plugin, or from its file name when it did not load */
    char path[512];           /* the file loaded or refused */
    accel_status status;      /* ACCEL_OK when it loaded and initialised (even with 0 devices) */
    char reason[512];         /* why not, or why no devices: "libcuda.so.1: cannot open shared object
                                 file (install the NVIDIA driver)", "no devices", "driver too old..." */
    int device_count;
    unsigned abi_major, abi_minor;
    char version[64];         /* backend's own version string, e.g. "oneDNN 2.6.3" */
} accel_backend_report;

/* opts may be NULL (defaults). Never fails because one plugin failed: that is in the reports. */
accel_status accel_runtime_open(const accel_runtime_options *opts, accel_runtime **out_rt);
/* Closes the runtime once every device opened from it is closed (device.h, ownership). With devices
 * still open it refuses: ACCEL_ERR_INVALID_ARGUMENT with a message naming them, also printed to
 * stderr, and the runtime stays open and usable. NULL is a no-op. */
accel_status accel_runtime_close(accel_runtime *rt);

/* The plugin files accel_runtime_open(opts) would try, in search order and after the backends
 * filter, without loading any of them. *out_paths is an array of *out_count strings; free it with
 * accel_plugin_files_free. opts may be NULL (defaults). */
accel_status accel_plugin_files(const accel_runtime_options *opts, char ***out_paths,
                                size_t *out_count);
void accel_plugin_files_free(char **paths, size_t count);

/* Every backend found, loaded or refused, in search order; pointers live as long as rt. */
accel_status accel_runtime_backends(const accel_runtime *rt, const accel_backend_report **out_list,
                                    size_t *out_count);

/* Devices over all loaded backends, in backend order; ids are "backend:index". */
accel_status accel_runtime_device_count(const accel_runtime *rt, int *out_count);
accel_status accel_runtime_device_id(const accel_runtime *rt, int ordinal, char *buf, size_t buf_len);
/* Count for one backend ("cpu"); ACCEL_ERR_NOT_FOUND if no such backend loaded. */
accel_status accel_runtime_backend_device_count(const accel_runtime *rt, const char *backend,
                                                int *out_count);

/* "0.1.0" */
const char *accel_version(void);

#ifdef __cplusplus
}
#endif
#endif
