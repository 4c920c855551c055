/* Backend init: load SynapseAI through its symbol table and tell apart every way the stack can be
 * absent or unusable (no library, not SynapseAI, too old, no device node, driver and library from
 * different releases, no device), then the optional HLML. A device held by another process is found
 * at device_open, where acquiring it fails. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_common/dl.h"
#include "gaudi_internal.h"

#define SYN_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_gaudi_synapse_table, ret, name, params)
static const accel_dl_symbol synapse_bootstrap[] = {ACCEL_GAUDI_SYNAPSE_BOOTSTRAP(SYN_SYM)};
static const accel_dl_symbol synapse_required[] = {ACCEL_GAUDI_SYNAPSE_REQUIRED(SYN_SYM)};
static const accel_dl_symbol synapse_optional[] = {ACCEL_GAUDI_SYNAPSE_OPTIONAL(SYN_SYM)};
static const accel_dl_tier bootstrap_tier = ACCEL_DL_TIER(synapse_bootstrap);
static const accel_dl_tier required_tier = ACCEL_DL_TIER(synapse_required);
static const accel_dl_tier optional_tier = ACCEL_DL_TIER(synapse_optional);
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define INSTALL_HINT "install the Intel Gaudi software stack, package habanalabs-graph"

static const char *const status_names[] = {
    "synSuccess", "synInvalidArgument", "synCbFull", "synOutOfHostMemory", "synOutOfDeviceMemory",
    "synObjectAlreadyInitialized", "synObjectNotInitialized", "synCommandSubmissionFailure",
    "synNoDeviceFound", "synDeviceTypeMismatch", "synFailedToInitializeCb", "synFailedToFreeCb",
    "synFailedToMapCb", "synFailedToUnmapCb", "synFailedToAllocateDeviceMemory",
    "synFailedToFreeDeviceMemory", "synFailedNotEnoughDevicesFound", "synDeviceReset",
    "synUnsupported", "synWrongParamsFile", "synDeviceAlreadyAcquired", "synNameIsAlreadyUsed",
    "synBusy", "synAllResourcesTaken", "synUnavailable", "synInvalidTensorDimensions", "synFail",
    "synOutOfResources", "synUninitialized", "synAlreadyInitialized", "synFailedSectionValidation",
    "synSynapseTerminated", "synAssertAsync", "synInvalidEventHandle", "synMappingNotFound",
    "synFailedDynamicPatching", "synFailedStaticPatching", "synFailedToSubmitWorkload",
    "synInvalidSectionsDefinition", "synInvalidTensorProperties", "synFailHccl",
    "synFailedToCollectTime", "synTimeout", "synResourceBadUsage"};

const char *accel_gaudi_status_name(const accel_gaudi_ctx *ctx, synapse_status s, char *buf,
                                    size_t len) {
    if (s >= 0 && (size_t)s < COUNT(status_names)) return status_names[s];
    if (ctx && ctx->syn.synStatusGetBriefDescription &&
        ctx->syn.synStatusGetBriefDescription(s, buf, len) == SYNAPSE_SUCCESS && buf[0])
        return buf;
    return "unknown synStatus";
}

accel_status accel_gaudi_check(const accel_gaudi_ctx *ctx, synapse_status s, const char *what) {
    if (s == SYNAPSE_SUCCESS) return ACCEL_OK;
    accel_status st;
    switch (s) {
    case SYNAPSE_OUT_OF_HOST_MEMORY:
    case SYNAPSE_OUT_OF_DEVICE_MEMORY:
    case SYNAPSE_FAILED_TO_ALLOCATE_DEVICE_MEMORY:
    case SYNAPSE_OUT_OF_RESOURCES: st = ACCEL_ERR_OUT_OF_MEMORY; break;
    case SYNAPSE_INVALID_ARGUMENT: st = ACCEL_ERR_INVALID_ARGUMENT; break;
    case SYNAPSE_UNSUPPORTED: st = ACCEL_ERR_UNIMPLEMENTED; break;
    case SYNAPSE_DEVICE_ALREADY_ACQUIRED:
    case SYNAPSE_BUSY:
    case SYNAPSE_ALL_RESOURCES_TAKEN:
    case SYNAPSE_UNAVAILABLE: st = ACCEL_ERR_UNAVAILABLE; break;
    default: st = ACCEL_ERR_DEVICE; break; /* device reset, failed submission, ... */
    }
    char buf[64];
    return ctx->host->set_error(st, "%s: %s (%d)", what, accel_gaudi_status_name(ctx, s, buf, sizeof buf),
                                (int)s);
}

/* Where the plugin looks for device nodes and the driver's version: "/" normally; tests point
 * ACCEL_GAUDI_ROOT at a tree of their own. */
static const char *filesystem_root(void) {
    const char *root = getenv("ACCEL_GAUDI_ROOT");
    return root && root[0] ? root : "";
}

static int has_numbered_entry(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    const size_t n = strlen(prefix);
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d));)
        found = strncmp(e->d_name, prefix, n) == 0 && e->d_name[n] >= '0' && e->d_name[n] <= '9';
    closedir(d);
    return found;
}

/* The habanalabs driver creates /dev/accel/accelN (kernels with the accel subsystem) or /dev/hlN. */
static int device_node_present(void) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/dev/accel", filesystem_root());
    if (has_numbered_entry(dir, "accel")) return 1;
    snprintf(dir, sizeof dir, "%s/dev", filesystem_root());
    return has_numbered_entry(dir, "hl");
}

static void read_driver_version(char *out, size_t len) {
    char path[512];
    snprintf(path, sizeof path, "%s/sys/module/habanalabs/version", filesystem_root());
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (fgets(out, (int)len, f)) out[strcspn(out, "\r\n")] = '\0';
    fclose(f);
}

/* "1.18.0.524" and "1.18.0-ee698fb" name the same release when major and minor agree; Intel
 * supports a SynapseAI release only with the driver of that release. */
static int same_release(const char *a, const char *b) {
    unsigned amaj, amin, bmaj, bmin;
    if (sscanf(a, "%u.%u", &amaj, &amin) != 2 || sscanf(b, "%u.%u", &bmaj, &bmin) != 2) return 1;
    return amaj == bmaj && amin == bmin;
}

static accel_status fail(accel_gaudi_ctx *ctx, accel_status st, char *reason, size_t len,
                         const char *text) {
    snprintf(reason, len, "%s", text);
    /* libSynapse stays mapped: its static destructors and helper threads must find it there. */
    pthread_mutex_destroy(&ctx->acquire_lock);
    free(ctx);
    return st;
}

static accel_status load_synapse(accel_gaudi_ctx *ctx, char *reason, size_t reason_len) {
    char text[768], why[384], missing[96];
    /* ACCEL_GAUDI_SYNAPSE_LIB names another library (the tests' mock, or a non-default install). */
    const char *override = getenv("ACCEL_GAUDI_SYNAPSE_LIB");
    const char *const defaults[] = {"libSynapse.so", "/usr/lib/habanalabs/libSynapse.so", NULL};
    const char *const chosen[] = {override, NULL};
    const int overridden = override && override[0];
    /* libSynapse stays mapped even when refused below: its static destructors and helper threads
     * must find it there. */
    const accel_dl_log log = {ctx->host, "gaudi"};
    ctx->synapse_lib = accel_dl_open(&log, overridden ? chosen : defaults, ACCEL_DL_NODELETE, &ctx->synapse_lib_name,
                                     why, sizeof why);
    if (!ctx->synapse_lib) {
        snprintf(text, sizeof text, "%s not found, %s: %s", overridden ? override : "libSynapse.so",
                 INSTALL_HINT, why);
        snprintf(reason, reason_len, "%s", text);
        return ACCEL_ERR_UNAVAILABLE;
    }
    if (accel_dl_resolve(ctx->synapse_lib, &bootstrap_tier, &ctx->syn, missing, sizeof missing)) {
        snprintf(reason, reason_len, "%s lacks %s: not a SynapseAI library", ctx->synapse_lib_name, missing);
        return ACCEL_ERR_UNAVAILABLE;
    }
    if (ctx->syn.synDriverGetVersion(ctx->synapse_version, (int)sizeof ctx->synapse_version) != SYNAPSE_SUCCESS)
        ctx->synapse_version[0] = '\0';
    if (accel_dl_resolve(ctx->synapse_lib, &required_tier, &ctx->syn, missing, sizeof missing)) {
        snprintf(reason, reason_len,
                 "library mismatch: %s (SynapseAI %s) lacks %s, which this backend needs (SynapseAI "
                 "1.10 or newer)",
                 ctx->synapse_lib_name, ctx->synapse_version[0] ? ctx->synapse_version : "?", missing);
        return ACCEL_ERR_INCOMPATIBLE;
    }
    accel_dl_resolve(ctx->synapse_lib, &optional_tier, &ctx->syn, NULL, 0);
    return ACCEL_OK;
}

accel_status accel_gaudi_init(const accel_host_services *host, void **out_ctx, int *device_count,
                              char *reason, size_t reason_len) {
    *out_ctx = NULL;
    *device_count = 0;
    accel_gaudi_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        snprintf(reason, reason_len, "out of host memory");
        return ACCEL_ERR_OUT_OF_MEMORY;
    }
    ctx->host = host;
    pthread_mutex_init(&ctx->acquire_lock, NULL);
    char text[768], name[64];
    accel_status st = load_synapse(ctx, reason, reason_len);
    if (st != ACCEL_OK) {
        pthread_mutex_destroy(&ctx->acquire_lock);
        free(ctx);
        return st;
    }

    /* No device node: the driver is not loaded, or the container was given no device. SynapseAI
     * works, there is just nothing to run on. */
    if (!device_node_present()) {
        snprintf(reason, reason_len,
                 "no devices: no Gaudi device node (/dev/accel/accel*, /dev/hl*); the habanalabs "
                 "driver is not loaded or no device was passed to this container (SynapseAI %s)",
                 ctx->synapse_version);
        *out_ctx = ctx;
        return ACCEL_OK;
    }
    read_driver_version(ctx->driver_version, sizeof ctx->driver_version);
    if (ctx->driver_version[0] && ctx->synapse_version[0] &&
        !same_release(ctx->driver_version, ctx->synapse_version)) {
        snprintf(text, sizeof text,
                 "driver and library mismatch: habanalabs driver %s with SynapseAI %s (%s); install "
                 "the SynapseAI release that matches the driver",
                 ctx->driver_version, ctx->synapse_version, ctx->synapse_lib_name);
        return fail(ctx, ACCEL_ERR_INCOMPATIBLE, reason, reason_len, text);
    }

    synapse_status s = ctx->syn.synInitialize();
    if (s != SYNAPSE_SUCCESS) {
        snprintf(text, sizeof text, "synInitialize: %s (%d) (SynapseAI %s, driver %s)",
                 accel_gaudi_status_name(ctx, s, name, sizeof name), (int)s, ctx->synapse_version,
                 ctx->driver_version[0] ? ctx->driver_version : "version unknown");
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }
    uint32_t count = 0;
    s = ctx->syn.synDeviceGetCount(&count);
    if (s == SYNAPSE_NO_DEVICE_FOUND || (s == SYNAPSE_SUCCESS && count == 0)) {
        snprintf(reason, reason_len, "no devices (synDeviceGetCount: %s)",
                 s == SYNAPSE_SUCCESS ? "0" : accel_gaudi_status_name(ctx, s, name, sizeof name));
        ctx->syn.synDestroy();
        *out_ctx = ctx;
        return ACCEL_OK;
    }
    uint32_t ids = ACCEL_GAUDI_MAX_DEVICES;
    if (s == SYNAPSE_SUCCESS) s = ctx->syn.synDeviceGetModuleIDs(ctx->module_ids, &ids);
    if (s != SYNAPSE_SUCCESS) {
        snprintf(text, sizeof text, "device enumeration: %s (%d)", accel_gaudi_status_name(ctx, s, name, sizeof name),
                 (int)s);
        ctx->syn.synDestroy();
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }
    ctx->device_count = (int)(ids < count ? ids : count);

    accel_gaudi_hlml_load(ctx);
    snprintf(text, sizeof text, "SynapseAI %s (%s), driver %s, %d device(s), HLML: %s", ctx->synapse_version,
             ctx->synapse_lib_name, ctx->driver_version[0] ? ctx->driver_version : "version unknown",
             ctx->device_count, ctx->hlml_ok ? "yes" : "no");
    if (host->log) host->log(ACCEL_LOG_INFO, "gaudi", text);
    *device_count = ctx->device_count;
    *out_ctx = ctx;
    return ACCEL_OK;
}

void accel_gaudi_shutdown(void *p) {
    accel_gaudi_ctx *ctx = p;
    if (!ctx) return;
    accel_gaudi_hlml_unload(ctx);
    if (ctx->device_count > 0) ctx->syn.synDestroy();
    pthread_mutex_destroy(&ctx->acquire_lock);
    free(ctx);
}
