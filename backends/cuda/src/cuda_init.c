/* Backend init: load the driver through its symbol table, classify every way it can be absent or
 * unusable (no library, stub, no devices, too old) without crashing, then the optional libraries. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_dl.h"
#include "cuda_internal.h"

#define DRV_SYM(ret, name, params) ACCEL_CUDA_SYMBOL_ENTRY(accel_cuda_driver_table, ret, name, params)
static const accel_cuda_symbol driver_bootstrap[] = {ACCEL_CUDA_DRIVER_BOOTSTRAP(DRV_SYM)};
static const accel_cuda_symbol driver_required[] = {ACCEL_CUDA_DRIVER_REQUIRED(DRV_SYM)};
static const accel_cuda_symbol driver_optional[] = {ACCEL_CUDA_DRIVER_OPTIONAL(DRV_SYM)};
#define LT_SYM(ret, name, params) ACCEL_CUDA_SYMBOL_ENTRY(accel_cuda_cublaslt_table, ret, name, params)
static const accel_cuda_symbol cublaslt_symbols[] = {ACCEL_CUDA_CUBLASLT_REQUIRED(LT_SYM)};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The toolkit we build against needs a driver of at least its major version (minor-version
 * compatibility): PTX from NVRTC 13 and cuBLASLt 13 refuse older drivers (the runtime's
 * cudaErrorInsufficientDriver, 35). */
#define ACCEL_CUDA_MIN_DRIVER ((CUDA_VERSION / 1000) * 1000)

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

static void load_cublaslt(accel_cuda_ctx *ctx) {
    static const char *const names[] = {"libcublasLt.so.13", "libcublasLt.so.12", NULL};
    char why[256], missing[96];
    ctx->lt_lib = accel_cuda_dl_open(names, &ctx->lt_lib_name, why, sizeof why);
    if (!ctx->lt_lib) {
        snprintf(ctx->lt_reason, sizeof ctx->lt_reason, "cuBLASLt unavailable: %s (install libcublasLt)", why);
        return;
    }
    if (accel_cuda_dl_resolve(ctx->lt_lib, cublaslt_symbols, COUNT(cublaslt_symbols), &ctx->lt,
                              missing, sizeof missing)) {
        snprintf(ctx->lt_reason, sizeof ctx->lt_reason, "%s lacks %s", ctx->lt_lib_name, missing);
        accel_cuda_dl_close(ctx->lt_lib);
        ctx->lt_lib = NULL;
        return;
    }
    ctx->lt_version = ctx->lt.cublasLtGetVersion();
    ctx->lt_ok = 1;
}

static void choose_cache_dir(accel_cuda_ctx *ctx) {
    const char *base = getenv("ACCEL_CACHE_DIR");
    const char *home = getenv("HOME");
    if (base && base[0]) snprintf(ctx->cache_dir, sizeof ctx->cache_dir, "%s/cuda", base);
    else if (home && home[0]) snprintf(ctx->cache_dir, sizeof ctx->cache_dir, "%s/.cache/accelbench/cuda", home);
    else ctx->cache_dir[0] = '\0';
}

static accel_status fail(accel_cuda_ctx *ctx, accel_status st, char *reason, size_t len,
                         const char *text) {
    snprintf(reason, len, "%s", text);
    accel_cuda_dl_close(ctx->driver_lib);
    free(ctx);
    return st;
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
    char text[512], why[256], missing[96];

    /* ACCEL_CUDA_DRIVER_LIB names another driver library (tests hide the real one with it). */
    const char *override = getenv("ACCEL_CUDA_DRIVER_LIB");
    const char *const default_names[] = {"libcuda.so.1", NULL};
    const char *const override_names[] = {override, NULL};
    ctx->driver_lib = accel_cuda_dl_open(override && override[0] ? override_names : default_names,
                                         &ctx->driver_lib_name, why, sizeof why);
    if (!ctx->driver_lib) {
        snprintf(text, sizeof text, "libcuda.so.1 not found (install the NVIDIA driver): %s", why);
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }
    if (accel_cuda_dl_resolve(ctx->driver_lib, driver_bootstrap, COUNT(driver_bootstrap), &ctx->cu,
                              missing, sizeof missing)) {
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
    int version = 0;
    const CUresult vr = ctx->cu.cuDriverGetVersion(&version);
    if (vr == CUDA_SUCCESS && version > 0 && version < ACCEL_CUDA_MIN_DRIVER) {
        snprintf(text, sizeof text,
                 "driver too old: found %d.%d, need %d.%d (the CUDA %d toolkit libraries need driver "
                 "R580 or newer; they would answer cudaErrorInsufficientDriver (35))",
                 version / 1000, (version % 1000) / 10, ACCEL_CUDA_MIN_DRIVER / 1000,
                 (ACCEL_CUDA_MIN_DRIVER % 1000) / 10, ACCEL_CUDA_MIN_DRIVER / 1000);
        return fail(ctx, ACCEL_ERR_INCOMPATIBLE, reason, reason_len, text);
    }
    if (r != CUDA_SUCCESS) {
        snprintf(text, sizeof text, "cuInit: %s (%d)", accel_cuda_error_name(ctx, r), (int)r);
        return fail(ctx, ACCEL_ERR_UNAVAILABLE, reason, reason_len, text);
    }
    ctx->driver_version = version;

    if (accel_cuda_dl_resolve(ctx->driver_lib, driver_required, COUNT(driver_required), &ctx->cu,
                              missing, sizeof missing)) {
        snprintf(text, sizeof text, "%s (driver %d.%d) lacks %s", ctx->driver_lib_name,
                 version / 1000, (version % 1000) / 10, missing);
        return fail(ctx, ACCEL_ERR_INCOMPATIBLE, reason, reason_len, text);
    }
    accel_cuda_dl_resolve(ctx->driver_lib, driver_optional, COUNT(driver_optional), &ctx->cu, NULL, 0);
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
    if (count == 0) snprintf(reason, reason_len, "no devices");

    if (accel_cuda_nvrtc_load(&ctx->nvrtc, why, sizeof why) == 0) ctx->nvrtc_ok = 1;
    else snprintf(ctx->nvrtc_reason, sizeof ctx->nvrtc_reason, "NVRTC unavailable: %s", why);
    load_cublaslt(ctx);
    accel_cuda_nvml_load(ctx);
    choose_cache_dir(ctx);

    snprintf(text, sizeof text, "driver %d.%d (%s); NVRTC: %s; cuBLASLt: %s; NVML: %s",
             version / 1000, (version % 1000) / 10, ctx->driver_lib_name,
             ctx->nvrtc_ok ? ctx->nvrtc.lib_name : ctx->nvrtc_reason,
             ctx->lt_ok ? ctx->lt_lib_name : ctx->lt_reason, ctx->nvml_ok ? "yes" : "no");
    log_info(ctx, text);
    *device_count = count;
    *out_ctx = ctx;
    return ACCEL_OK;
}

void accel_cuda_shutdown(void *p) {
    accel_cuda_ctx *ctx = p;
    if (!ctx) return;
    accel_cuda_nvml_unload(ctx);
    if (ctx->nvrtc_ok) accel_cuda_nvrtc_unload(&ctx->nvrtc);
    /* libcuda and libcublasLt stay loaded: the driver's threads may outlive the context, and
     * cuBLASLt's static CUDA runtime registers exit handlers that must find it mapped. */
    free(ctx);
}
