/* Backend init: load the driver through its symbol table, classify every way it can be absent or
 * unusable (no library, stub, no devices, too old) without crashing, then the optional libraries. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_common/dl.h"
#include "accel_common/rtc_cache.h"
#include "cuda_cublaslt_lib.h"
#include "cuda_libsearch.h"
#include "cuda_comm.h"
#include "cuda_internal.h"

#define DRV_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_cuda_driver_table, ret, name, params)
static const accel_dl_symbol driver_bootstrap[] = {ACCEL_CUDA_DRIVER_BOOTSTRAP(DRV_SYM)};
static const accel_dl_symbol driver_required[] = {ACCEL_CUDA_DRIVER_REQUIRED(DRV_SYM)};
static const accel_dl_symbol driver_optional[] = {ACCEL_CUDA_DRIVER_OPTIONAL(DRV_SYM)};
static const accel_dl_alias driver_aliases[] = {ACCEL_CUDA_DRIVER_ALIASES};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
static const accel_dl_tier bootstrap_tier = ACCEL_DL_TIER(driver_bootstrap);
static const accel_dl_tier required_tier = {driver_required, COUNT(driver_required), driver_aliases,
                                            COUNT(driver_aliases)};
static const accel_dl_tier optional_tier = ACCEL_DL_TIER(driver_optional);

const char *accel_cuda_error_name(const accel_cuda_ctx *ctx, CUresult r) {
    const char *name = NULL;
    if (ctx && ctx->cu.cuGetErrorName && ctx->cu.cuGetErrorName(r, &name) == CUDA_SUCCESS && name)
        return name;
    return "CUDA_ERROR_UNKNOWN_CODE";
}

accel_status accel_cuda_check(const accel_cuda_ctx *ctx, CUresult r, const char *what) {
    if (r == CUDA_SUCCESS) return ACCEL_OK;
    accel_status st;
    switch (r) {
    case CUDA_ERROR_OUT_OF_MEMORY: st = ACCEL_ERR_OUT_OF_MEMORY; break;
    case CUDA_ERROR_NOT_FOUND: st = ACCEL_ERR_NOT_FOUND; break;
    case CUDA_ERROR_NOT_SUPPORTED: st = ACCEL_ERR_UNIMPLEMENTED; break;
    case CUDA_ERROR_NO_BINARY_FOR_GPU:
    case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    case CUDA_ERROR_INVALID_PTX:
    case CUDA_ERROR_INVALID_IMAGE: st = ACCEL_ERR_INCOMPATIBLE; break;
    case CUDA_ERROR_INVALID_VALUE:
    case CUDA_ERROR_INVALID_HANDLE: st = ACCEL_ERR_INVALID_ARGUMENT; break;
    default: st = ACCEL_ERR_DEVICE; break; /* sticky launch errors, lost device, ... */
    }
    return ctx->host->set_error(st, "%s: %s (%d)", what, accel_cuda_error_name(ctx, r), (int)r);
}

accel_status accel_cuda_make_current(accel_cuda_device *dev) {
    return ACCEL_CUDA_CALL(dev->ctx, cuCtxSetCurrent(dev->pctx), "cuCtxSetCurrent");
}

static void log_info(const accel_cuda_ctx *ctx, const char *msg) {
    if (ctx->host->log) ctx->host->log(ACCEL_LOG_INFO, "cuda", msg);
}

/* NVRTC and cuBLASLt of a major the driver runs, wherever they are (cuda_libsearch.h). Either one
 * alone leaves a useful device (cuBLASLt GEMMs, or our kernels); with neither, only copies would
 * work, so init refuses the backend and says what was found and why it could not be used. */
static void load_runtime_libraries(accel_cuda_ctx *ctx, accel_cuda_search *search) {
    char why[512];
    if (accel_cuda_nvrtc_load(&ctx->nvrtc, search, why, sizeof why) == 0) ctx->nvrtc_ok = 1;
    else snprintf(ctx->nvrtc_reason, sizeof ctx->nvrtc_reason, "NVRTC unavailable: %s", why);
    accel_cuda_cublaslt_lib lt;
    if (accel_cuda_cublaslt_load(&lt, search, why, sizeof why) == 0) {
        ctx->lt = lt.fn;
        ctx->lt_version = lt.version;
        snprintf(ctx->lt_path, sizeof ctx->lt_path, "%s", lt.path);
        ctx->lt_ok = 1;
    } else {
        snprintf(ctx->lt_reason, sizeof ctx->lt_reason, "cuBLASLt unavailable: %s", why);
    }
    snprintf(ctx->libs_refused, sizeof ctx->libs_refused, "%s", search->refused);
}

/* The refusal when neither library is usable: the driver, each file found and why it was refused,
 * and where else the search looked. */
static void explain_no_libraries(const accel_cuda_ctx *ctx, const accel_cuda_search *search, char *text, size_t len) {
    const int v = ctx->driver_version;
    snprintf(text, len,
             "driver %d.%d runs CUDA <= %d libraries, and no NVRTC or cuBLASLt of such a major was found: %s%s"
             "(searched %s; install CUDA %d libraries, e.g. pip install nvidia-cuda-nvrtc-cu%d nvidia-cublas-cu%d, "
             "or point ACCEL_CUDA_LIB_DIRS at them)",
             v / 1000, (v % 1000) / 10, v / 1000, search->refused[0] ? search->refused : "none found",
             search->refused[0] ? " " : " ", search->searched, v / 1000, v / 1000, v / 1000);
}

static void choose_cache_dir(accel_cuda_ctx *ctx) {
    if (accel_rtc_cache_dir("cuda", 0, ctx->cache_dir, sizeof ctx->cache_dir) != 0) ctx->cache_dir[0] = '\0';
}

static accel_status fail(accel_cuda_ctx *ctx, accel_status st, char *reason, size_t len,
                         const char *text) {
    snprintf(reason, len, "%s", text);
    accel_dl_close(ctx->driver_lib);
    pthread_mutex_destroy(&ctx->comm_lock);
    pthread_mutex_destroy(&ctx->cudnn_lock);
    free(ctx);
    return st;
}

void accel_cuda_describe_libraries(const accel_cuda_ctx *ctx, char *text, size_t len) {
    const int v = ctx->driver_version;
    char nvrtc[700], lt[600];
    if (ctx->nvrtc_ok) {
        const accel_cuda_nvrtc *nv = &ctx->nvrtc;
        char headers[600];
        if (!nv->include_dir[0]) snprintf(headers, sizeof headers, "cuda_fp16.h not found: set CUDA_HOME");
        else if (nv->include_major && nv->include_major != nv->major)
            snprintf(headers, sizeof headers, "headers CUDA %d in %s: not NVRTC's major", nv->include_major, nv->include_dir);
        else snprintf(headers, sizeof headers, "headers %s", nv->include_dir);
        snprintf(nvrtc, sizeof nvrtc, "NVRTC %d.%d (%s; %s)", nv->major, nv->minor, nv->lib_path, headers);
    } else {
        snprintf(nvrtc, sizeof nvrtc, "%s", ctx->nvrtc_reason);
    }
    if (ctx->lt_ok)
        snprintf(lt, sizeof lt, "cuBLASLt %zu.%zu.%zu (%s)", ctx->lt_version / 10000, (ctx->lt_version / 100) % 100,
                 ctx->lt_version % 100, ctx->lt_path);
    else
        snprintf(lt, sizeof lt, "%s", ctx->lt_reason);
    snprintf(text, len, "driver %d.%d (%s); %s; %s; NVML: %s%s%s", v / 1000, (v % 1000) / 10, ctx->driver_lib_name,
             nvrtc, lt, ctx->nvml_ok ? "yes" : "no", ctx->libs_refused[0] ? "; refused: " : "", ctx->libs_refused);
}

accel_status accel_cuda_init(const accel_host_services *host, void **out_ctx, int *device_count,
                             char *reason, size_t reason_len) {
    *out_ctx = NULL;
    *device_count = 0;
    accel_cuda_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        snprintf(reason, reason_len, "out of host memory");
        return ACCEL_ERR_OUT_OF_MEMORY;
    }
    ctx->host = host;
    pthread_mutex_init(&ctx->comm_lock, NULL);
    pthread_mutex_init(&ctx->cudnn_lock, NULL);
    char text[1024], why[256], missing[96];

    /* ACCEL_CUDA_DRIVER_LIB names another driver library (tests hide the real one with it). */
    const char *override = getenv("ACCEL_CUDA_DRIVER_LIB");
    const char *const default_names[] = {"libcuda.so.1", NULL};
    const char *const override_names[] = {override, NULL};
    const accel_dl_log log = {host, "cuda"};
    ctx->driver_lib = accel_dl_open(&log, override && override[0] ? override_names : default_names, 0,
                                    &ctx->driver_lib_name, why, sizeof why);
    if (!ctx->driver_lib) {
        snprintf(text, sizeof text, "libcuda.so.1 not found (install the NVIDIA driver): %s", why);
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }
    if (accel_dl_resolve(ctx->driver_lib, &bootstrap_tier, &ctx->cu, missing, sizeof missing)) {
        snprintf(text, sizeof text, "%s lacks %s: not an NVIDIA driver library", ctx->driver_lib_name, missing);
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }

    CUresult r = ctx->cu.cuInit(0);
    if (r == CUDA_ERROR_STUB_LIBRARY)
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len,
                    "no driver (stub libcuda): cuInit: CUDA_ERROR_STUB_LIBRARY (34); the toolkit's "
                    "stubs directory is on the library path instead of the NVIDIA driver");
    if (r == CUDA_ERROR_NO_DEVICE) {
        /* Loaded and working, just nothing to run on: OK with zero devices. */
        snprintf(reason, reason_len, "no devices (cuInit: CUDA_ERROR_NO_DEVICE (100))");
        ctx->device_count = 0;
        *out_ctx = ctx;
        return ACCEL_OK;
    }
    if (r != CUDA_SUCCESS) {
        snprintf(text, sizeof text, "cuInit: %s (%d)", accel_cuda_error_name(ctx, r), (int)r);
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }
    /* The driver's CUDA version decides which runtime libraries it can run (below). */
    int version = 0;
    r = ctx->cu.cuDriverGetVersion(&version);
    if (r != CUDA_SUCCESS || version <= 0) {
        snprintf(text, sizeof text, "cuDriverGetVersion: %s (%d)", accel_cuda_error_name(ctx, r), (int)r);
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }
    ctx->driver_version = version;

    if (accel_dl_resolve(ctx->driver_lib, &required_tier, &ctx->cu, missing, sizeof missing)) {
        snprintf(text, sizeof text, "%s (driver %d.%d) lacks %s", ctx->driver_lib_name,
                 version / 1000, (version % 1000) / 10, missing);
        return fail(ctx, ACCEL_ERR_INCOMPATIBLE, reason, reason_len, text);
    }
    accel_dl_resolve(ctx->driver_lib, &optional_tier, &ctx->cu, NULL, 0);
    ctx->has_graphs = ctx->cu.cuStreamBeginCapture_v2 && ctx->cu.cuStreamEndCapture &&
                      ctx->cu.cuGraphInstantiateWithFlags && ctx->cu.cuGraphLaunch &&
                      ctx->cu.cuGraphExecDestroy && ctx->cu.cuGraphDestroy;

    int count = 0;
    r = ctx->cu.cuDeviceGetCount(&count);
    if (r != CUDA_SUCCESS) {
        snprintf(text, sizeof text, "cuDeviceGetCount: %s (%d)", accel_cuda_error_name(ctx, r), (int)r);
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }
    ctx->device_count = count;
    if (count == 0) {
        snprintf(reason, reason_len, "no devices");
        *out_ctx = ctx;
        return ACCEL_OK;
    }

    accel_cuda_search search;
    accel_cuda_search_init(&search, version);
    search.log = &log;
    load_runtime_libraries(ctx, &search);
    if (!ctx->nvrtc_ok && !ctx->lt_ok) {
        explain_no_libraries(ctx, &search, text, sizeof text);
        const int found = search.refused[0] != '\0';
        accel_cuda_search_free(&search);
        log_info(ctx, text);
        return fail(ctx, found ? ACCEL_ERR_INCOMPATIBLE : ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }
    accel_cuda_search_free(&search);
    accel_cuda_nvml_load(ctx);
    choose_cache_dir(ctx);

    /* With devices, the reason line says what was loaded: which runtime libraries serve this driver
     * is what a user of an old-driver machine needs to see in `accelbench devices`. */
    accel_cuda_describe_libraries(ctx, text, sizeof text);
    log_info(ctx, text);
    snprintf(reason, reason_len, "%s", text);
    *device_count = count;
    *out_ctx = ctx;
    return ACCEL_OK;
}

void accel_cuda_shutdown(void *p) {
    accel_cuda_ctx *ctx = p;
    if (!ctx) return;
    accel_cuda_comm_lib_free(ctx);
    pthread_mutex_destroy(&ctx->comm_lock);
    pthread_mutex_destroy(&ctx->cudnn_lock);
    accel_cuda_nvml_unload(ctx);
    if (ctx->nvrtc_ok) accel_cuda_nvrtc_unload(&ctx->nvrtc);
    /* libcuda, libcublasLt and libcudnn stay loaded: the driver's threads may outlive the context, and
     * cuBLASLt's static CUDA runtime registers exit handlers that must find it mapped. */
    free(ctx);
}
