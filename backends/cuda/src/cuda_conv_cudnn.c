/* conv2d backward data and weights through cuDNN's convolution API (cuda_cudnn_abi.h says why this
 * API and not the graph one). Planned once per shape: tensor, filter and convolution descriptors
 * for NCHW (filters KCRS) or NHWC (filters KRSC), the math type from the compute type (fp32 on FMA
 * units, TF32 tensor cores, or bf16/fp16 tensor cores accumulating in fp32), then the algorithm
 * cudnnGet*Algorithm_v7 ranks first among those that run in the workspace we allow; the workspace
 * itself comes from the host's device allocator (the plan reports its size). Execute binds the
 * stream and makes the one call.
 *
 * cuDNN is loaded by the first plan that wants it, and each device makes its handle then: a
 * program that never plans a conv backward never pays for libcudnn's sublibraries. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_cudnn_lib.h"
#include "cuda_ops.h"

/* Algorithms needing more scratch than this are passed over (FFT variants can ask for GiBs). */
#define ACCEL_CUDA_CUDNN_MAX_WORKSPACE (256u << 20)
#define ACCEL_CUDA_CUDNN_ALGOS 8

typedef struct dnn_plan {
    accel_cudnn_tensor x, y; /* X (or dX) and dY */
    accel_cudnn_filter w;    /* W (or dW) */
    accel_cudnn_conv conv;
    int weights;             /* 1: backward weights (filter), 0: backward data */
    int algo;
    size_t workspace;
} dnn_plan;

/* Where a refusal's text goes besides accel_last_error(): the default path names it in the plan
 * that runs instead (a plugin cannot read accel_last_error back). */
typedef struct dnn_msg {
    char *text;
    size_t len;
} dnn_msg;

static accel_status ACCEL_PRINTF_LIKE(4, 5) refuse(const accel_cuda_ctx *ctx, dnn_msg m, accel_status st,
                                                   const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m.text, m.len, fmt, ap);
    va_end(ap);
    return ctx->host->set_error(st, "%s", m.text);
}

static accel_status dnn_error(const accel_cuda_ctx *ctx, dnn_msg m, accel_status st, const char *what,
                              accel_cudnn_status s) {
    return refuse(ctx, m, st, "%s: %s (%d)", what, accel_cuda_cudnn_status_name(&ctx->dnn, s), (int)s);
}

/* Loads cuDNN for the process (once) and makes this device's handle (once). ACCEL_OK, or
 * UNIMPLEMENTED with the reason in why. */
static accel_status cudnn_ready(accel_cuda_device *dev, char *why, size_t why_len) {
    accel_cuda_ctx *ctx = dev->ctx;
    pthread_mutex_lock(&ctx->cudnn_lock);
    if (ctx->cudnn_state == 0) {
        accel_cuda_search search;
        accel_cuda_search_init(&search, ctx->driver_version);
        const accel_dl_log log = {ctx->host, "cuda"};
        search.log = &log;
        accel_cuda_cudnn_lib lib;
        char err[sizeof ctx->cudnn_reason - 32];
        if (accel_cuda_cudnn_load(&lib, &search, err, sizeof err) == 0) {
            ctx->dnn = lib.fn;
            ctx->cudnn_version = lib.version;
            snprintf(ctx->cudnn_path, sizeof ctx->cudnn_path, "%s", lib.path);
            ctx->cudnn_state = 1;
            char msg[700];
            snprintf(msg, sizeof msg, "cuDNN %zu.%zu.%zu (%s, built for CUDA %zu.%zu) for conv backward",
                     lib.version / 10000, (lib.version / 100) % 100, lib.version % 100, lib.path, lib.cudart / 1000,
                     (lib.cudart % 1000) / 10);
            if (ctx->host->log) ctx->host->log(ACCEL_LOG_INFO, "cuda", msg);
        } else {
            snprintf(ctx->cudnn_reason, sizeof ctx->cudnn_reason, "cuDNN unavailable: %s", err);
            ctx->cudnn_state = -1;
        }
        accel_cuda_search_free(&search);
    }
    const int loaded = ctx->cudnn_state == 1;
    if (!loaded) snprintf(why, why_len, "%s", ctx->cudnn_reason);
    pthread_mutex_unlock(&ctx->cudnn_lock);
    if (!loaded) return ACCEL_ERR_UNIMPLEMENTED;

    pthread_mutex_lock(&dev->lock);
    if (!dev->dnn_tried) {
        dev->dnn_tried = 1;
        /* cudnnCreate works on the calling thread's current context: the device's primary one */
        accel_cudnn_status s = ctx->dnn.cudnnCreate(&dev->dnn_handle);
        if (s != ACCEL_CUDNN_STATUS_SUCCESS) {
            dev->dnn_handle = NULL;
            snprintf(dev->dnn_reason, sizeof dev->dnn_reason, "cudnnCreate: %s (%d)",
                     accel_cuda_cudnn_status_name(&ctx->dnn, s), (int)s);
        }
    }
    const int ok = dev->dnn_handle != NULL;
    if (!ok) snprintf(why, why_len, "%s", dev->dnn_reason);
    pthread_mutex_unlock(&dev->lock);
    return ok ? ACCEL_OK : ACCEL_ERR_UNIMPLEMENTED;
}

static void dnn_release(accel_cuda_plan *plan) {
    dnn_plan *dp = plan->impl;
    if (!dp) return;
    const accel_cuda_cudnn_table *fn = &plan->dev->ctx->dnn;
    if (dp->x) fn->cudnnDestroyTensorDescriptor(dp->x);
    if (dp->y) fn->cudnnDestroyTensorDescriptor(dp->y);
    if (dp->w) fn->cudnnDestroyFilterDescriptor(dp->w);
    if (dp->conv) fn->cudnnDestroyConvolutionDescriptor(dp->conv);
    free(dp);
    plan->impl = NULL;
}

static int cudnn_data_type(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: return ACCEL_CUDNN_DATA_FLOAT;
    case ACCEL_DTYPE_F16: return ACCEL_CUDNN_DATA_HALF;
    case ACCEL_DTYPE_BF16: return ACCEL_CUDNN_DATA_BFLOAT16;
    default: return -1;
    }
}

/* The math type for the compute type, or -1 when cuDNN is not asked to do what the desc says. */
static int math_type(const accel_conv2d_desc *d, const char **label) {
    if (d->x_type == ACCEL_DTYPE_F32) {
        if (d->compute == ACCEL_COMPUTE_TF32) return *label = "tf32 tensor-op math", ACCEL_CUDNN_DEFAULT_MATH;
        if (d->compute == ACCEL_COMPUTE_F32 || d->compute == ACCEL_COMPUTE_DEFAULT)
            return *label = "fp32 FMA math", ACCEL_CUDNN_FMA_MATH;
        return -1;
    }
    /* fp16/bf16 storage: fp32 accumulation (the convolution's compute type is FLOAT) */
    if (accel_compute_is_fp32_on(d->compute, d->x_type))
        return *label = "tensor-op math, fp32 accumulate", ACCEL_CUDNN_TENSOR_OP_MATH;
    return -1;
}

static int fits_int(int64_t v) { return v > 0 && v <= INT_MAX; }

/* Whether cuDNN's 4-d convolution API can take the desc at all; why otherwise. */
static int describable(const accel_conv2d_desc *d, char *why, size_t len) {
    if (d->epilogue) return snprintf(why, len, "an epilogue"), 0;
    if (d->groups > 1) return snprintf(why, len, "groups > 1"), 0;
    if (d->w_type != d->x_type || d->y_type != d->x_type)
        return snprintf(why, len, "X, W and Y of different storage types"), 0;
    if (cudnn_data_type(d->x_type) < 0) return snprintf(why, len, "%s storage", accel_dtype_label(d->x_type)), 0;
    const int64_t dims[] = {d->n, d->c, d->h, d->w, d->k, d->r, d->s};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; ++i)
        if (!fits_int(dims[i])) return snprintf(why, len, "a dimension beyond int"), 0;
    if (d->pad_h > INT_MAX || d->pad_w > INT_MAX || d->stride_h > INT_MAX || d->stride_w > INT_MAX ||
        d->dil_h > INT_MAX || d->dil_w > INT_MAX)
        return snprintf(why, len, "a stride, pad or dilation beyond int"), 0;
    return 1;
}

static int one(int64_t v) { return v ? (int)v : 1; }

static accel_status describe(accel_cuda_plan *plan, dnn_plan *dp, const char **math_label, dnn_msg m) {
    accel_cuda_ctx *ctx = plan->dev->ctx;
    const accel_cuda_cudnn_table *fn = &ctx->dnn;
    const accel_conv2d_desc *d = &plan->desc.u.conv2d;
    const int dt = cudnn_data_type(d->x_type);
    const int fmt = d->layout == ACCEL_LAYOUT_NHWC ? ACCEL_CUDNN_TENSOR_NHWC : ACCEL_CUDNN_TENSOR_NCHW;
    const int math = math_type(d, math_label);
    int64_t p = 0, q = 0;
    if (!accel_conv2d_out_hw(d, &p, &q) || p <= 0 || q <= 0)
        return refuse(ctx, m, ACCEL_ERR_INVALID_ARGUMENT, "cudnn conv backward: the output is empty");
    accel_cudnn_status s;
    if ((s = fn->cudnnCreateTensorDescriptor(&dp->x)) != ACCEL_CUDNN_STATUS_SUCCESS ||
        (s = fn->cudnnCreateTensorDescriptor(&dp->y)) != ACCEL_CUDNN_STATUS_SUCCESS ||
        (s = fn->cudnnCreateFilterDescriptor(&dp->w)) != ACCEL_CUDNN_STATUS_SUCCESS ||
        (s = fn->cudnnCreateConvolutionDescriptor(&dp->conv)) != ACCEL_CUDNN_STATUS_SUCCESS)
        return dnn_error(ctx, m, ACCEL_ERR_INTERNAL, "cudnnCreate*Descriptor", s);
    /* tensor: (desc, format, type, n, c, h, w); filter: (desc, type, format, k, c, r, s) */
    if ((s = fn->cudnnSetTensor4dDescriptor(dp->x, fmt, dt, (int)d->n, (int)d->c, (int)d->h, (int)d->w)) !=
        ACCEL_CUDNN_STATUS_SUCCESS)
        return dnn_error(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "cudnnSetTensor4dDescriptor(X)", s);
    if ((s = fn->cudnnSetTensor4dDescriptor(dp->y, fmt, dt, (int)d->n, (int)d->k, (int)p, (int)q)) !=
        ACCEL_CUDNN_STATUS_SUCCESS)
        return dnn_error(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "cudnnSetTensor4dDescriptor(dY)", s);
    if ((s = fn->cudnnSetFilter4dDescriptor(dp->w, dt, fmt, (int)d->k, (int)d->c, (int)d->r, (int)d->s)) !=
        ACCEL_CUDNN_STATUS_SUCCESS)
        return dnn_error(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "cudnnSetFilter4dDescriptor", s);
    if ((s = fn->cudnnSetConvolution2dDescriptor(dp->conv, (int)d->pad_h, (int)d->pad_w, one(d->stride_h),
                                                 one(d->stride_w), one(d->dil_h), one(d->dil_w),
                                                 ACCEL_CUDNN_CROSS_CORRELATION, ACCEL_CUDNN_DATA_FLOAT)) !=
        ACCEL_CUDNN_STATUS_SUCCESS)
        return dnn_error(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "cudnnSetConvolution2dDescriptor", s);
    if ((s = fn->cudnnSetConvolutionMathType(dp->conv, math)) != ACCEL_CUDNN_STATUS_SUCCESS)
        return dnn_error(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "cudnnSetConvolutionMathType", s);
    return ACCEL_OK;
}

/* The heuristic's best algorithm that runs within our workspace limit. */
static accel_status choose_algorithm(accel_cuda_plan *plan, dnn_plan *dp, dnn_msg m) {
    accel_cuda_device *dev = plan->dev;
    accel_cuda_ctx *ctx = dev->ctx;
    const accel_cuda_cudnn_table *fn = &ctx->dnn;
    accel_cudnn_algo_perf perf[ACCEL_CUDA_CUDNN_ALGOS];
    memset(perf, 0, sizeof perf);
    int returned = 0;
    const char *what = dp->weights ? "cudnnGetConvolutionBackwardFilterAlgorithm_v7"
                                   : "cudnnGetConvolutionBackwardDataAlgorithm_v7";
    accel_cudnn_status s =
        dp->weights ? fn->cudnnGetConvolutionBackwardFilterAlgorithm_v7(dev->dnn_handle, dp->x, dp->y, dp->conv, dp->w,
                                                                        ACCEL_CUDA_CUDNN_ALGOS, &returned, perf)
                    : fn->cudnnGetConvolutionBackwardDataAlgorithm_v7(dev->dnn_handle, dp->w, dp->y, dp->conv, dp->x,
                                                                      ACCEL_CUDA_CUDNN_ALGOS, &returned, perf);
    if (s != ACCEL_CUDNN_STATUS_SUCCESS) return dnn_error(ctx, m, ACCEL_ERR_UNIMPLEMENTED, what, s);
    for (int i = 0; i < returned && i < ACCEL_CUDA_CUDNN_ALGOS; ++i) {
        if (perf[i].status != ACCEL_CUDNN_STATUS_SUCCESS) continue;
        size_t ws = 0;
        s = dp->weights ? fn->cudnnGetConvolutionBackwardFilterWorkspaceSize(dev->dnn_handle, dp->x, dp->y, dp->conv,
                                                                             dp->w, perf[i].algo, &ws)
                        : fn->cudnnGetConvolutionBackwardDataWorkspaceSize(dev->dnn_handle, dp->w, dp->y, dp->conv,
                                                                           dp->x, perf[i].algo, &ws);
        if (s != ACCEL_CUDNN_STATUS_SUCCESS || ws > ACCEL_CUDA_CUDNN_MAX_WORKSPACE) continue;
        dp->algo = perf[i].algo;
        dp->workspace = ws;
        return ACCEL_OK;
    }
    return refuse(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "%s: none of the %d algorithms offered runs in %u MiB of "
                                "workspace", what, returned, ACCEL_CUDA_CUDNN_MAX_WORKSPACE >> 20);
}

static accel_status exec_dnn(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                             accel_plugin_ref workspace) {
    dnn_plan *dp = plan->impl;
    accel_cuda_device *dev = plan->dev;
    accel_cuda_ctx *ctx = dev->ctx;
    if (dp->workspace && !workspace.buffer)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "cudnn plan needs a %zu-byte workspace", dp->workspace);
    for (int i = 0; i < 3; ++i)
        if (!operands[i].buffer)
            return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "cudnn conv backward: operand %d is required", i);
    const void *in0 = (const void *)(uintptr_t)accel_cuda_ref_ptr(operands[0]);
    const void *in1 = (const void *)(uintptr_t)accel_cuda_ref_ptr(operands[1]);
    void *out = (void *)(uintptr_t)accel_cuda_ref_ptr(operands[2]);
    void *ws = dp->workspace ? (void *)(uintptr_t)accel_cuda_ref_ptr(workspace) : NULL;
    const float alpha = 1.0f, beta = 0.0f; /* float scaling for every non-double data type */
    pthread_mutex_lock(&dev->dnn_exec_lock);
    accel_cudnn_status st = ctx->dnn.cudnnSetStream(dev->dnn_handle, (void *)s->stream);
    const char *what = "cudnnSetStream";
    if (st == ACCEL_CUDNN_STATUS_SUCCESS) {
        /* data: [0] dY, [1] W, [2] dX; weights: [0] X, [1] dY, [2] dW */
        what = dp->weights ? "cudnnConvolutionBackwardFilter" : "cudnnConvolutionBackwardData";
        st = dp->weights ? ctx->dnn.cudnnConvolutionBackwardFilter(dev->dnn_handle, &alpha, dp->x, in0, dp->y, in1,
                                                                   dp->conv, dp->algo, ws, dp->workspace, &beta, dp->w,
                                                                   out)
                         : ctx->dnn.cudnnConvolutionBackwardData(dev->dnn_handle, &alpha, dp->w, in1, dp->y, in0,
                                                                 dp->conv, dp->algo, ws, dp->workspace, &beta, dp->x,
                                                                 out);
    }
    pthread_mutex_unlock(&dev->dnn_exec_lock);
    if (st == ACCEL_CUDNN_STATUS_SUCCESS) return ACCEL_OK;
    const accel_status mapped = st == ACCEL_CUDNN_STATUS_EXECUTION_FAILED ? ACCEL_ERR_DEVICE
                                : st == ACCEL_CUDNN_STATUS_NOT_SUPPORTED  ? ACCEL_ERR_UNIMPLEMENTED
                                : st == ACCEL_CUDNN_STATUS_BAD_PARAM      ? ACCEL_ERR_INVALID_ARGUMENT
                                                                          : ACCEL_ERR_INTERNAL;
    return ctx->host->set_error(mapped, "%s: %s (%d)", what, accel_cuda_cudnn_status_name(&ctx->dnn, st), (int)st);
}

accel_status accel_cuda_plan_conv_cudnn(accel_cuda_plan *plan, accel_plugin_plan_info *info, char *reason,
                                       size_t reason_len) {
    const dnn_msg m = {reason, reason_len};
    accel_cuda_device *dev = plan->dev;
    accel_cuda_ctx *ctx = dev->ctx;
    const accel_conv2d_desc *d = &plan->desc.u.conv2d;
    char why[sizeof ctx->cudnn_reason];
    const char *math = "";
    if (plan->desc.kind != ACCEL_OP_CONV2D_BACKWARD_DATA && plan->desc.kind != ACCEL_OP_CONV2D_BACKWARD_WEIGHTS)
        return refuse(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "library cudnn runs conv2d backward (data, weights) only");
    if (!describable(d, why, sizeof why))
        return refuse(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "cudnn conv backward: not with %s", why);
    if (math_type(d, &math) < 0)
        return refuse(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "cudnn conv backward: compute %s on %s storage",
                                    accel_compute_type_label(d->compute), accel_dtype_label(d->x_type));
    if (d->compute == ACCEL_COMPUTE_TF32 && dev->sm < 80)
        return refuse(ctx, m, ACCEL_ERR_UNIMPLEMENTED, "cudnn conv backward: TF32 needs sm_80 or newer; this "
                                    "device is sm_%d", dev->sm);
    accel_status st = cudnn_ready(dev, why, sizeof why);
    if (st != ACCEL_OK) return refuse(ctx, m, st, "%s", why);
    dnn_plan *dp = calloc(1, sizeof *dp);
    if (!dp) return refuse(ctx, m, ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    dp->weights = plan->desc.kind == ACCEL_OP_CONV2D_BACKWARD_WEIGHTS;
    plan->impl = dp;
    plan->release = dnn_release;
    st = describe(plan, dp, &math, m);
    if (st == ACCEL_OK) st = choose_algorithm(plan, dp, m);
    if (st != ACCEL_OK) return st;
    plan->execute = exec_dnn;
    snprintf(info->library, sizeof info->library, "cudnn");
    const size_t v = ctx->cudnn_version;
    snprintf(info->algorithm, sizeof info->algorithm, "%s algo %d, %s, %s, ws %zu, cuDNN %zu.%zu.%zu",
             dp->weights ? "bwd-filter" : "bwd-data", dp->algo, d->layout == ACCEL_LAYOUT_NHWC ? "NHWC" : "NCHW", math,
             dp->workspace, v / 10000, (v / 100) % 100, v % 100);
    info->workspace_bytes = dp->workspace;
    return ACCEL_OK;
}
