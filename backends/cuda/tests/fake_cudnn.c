/* A stand-in libcudnn.so.9 for the fake driver (fake_libcuda.c, whose "device" memory is host
 * memory): the entry points the plugin resolves (src/cuda_cudnn_abi.h), with cuDNN's documented
 * descriptor semantics (tensor: format, type, n, c, h, w; filter: type, format, k, c, r, s with
 * NHWC meaning KRSC; 2-d cross-correlation), computing the backward convolutions on the host, at
 * the call, through the fp64 reference, so the plugin's cudnn path (loading, handle, descriptors,
 * operand order, algorithm choice, workspace, stream binding) runs end to end in the conformance
 * suite and the resnet training step without a GPU.
 *
 * The heuristic offers algorithm 1 (needs 1 MiB of workspace) and then 0 (none); an execute
 * without the workspace its algorithm needs is CUDNN_STATUS_BAD_PARAM. $ACCEL_FAKE_CUDNN:
 *   nohandle  cudnnCreate fails as the real library does without a GPU;
 *   wrong     every result has one element off, which verification must catch.
 * Every call checks its descriptors are set and consistent, as cuDNN does. Test-only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/reference.h"
#include "cuda_cudnn_abi.h"

#define FAKE_EXPORT __attribute__((visibility("default")))
#define FAKE_ALGO_WORKSPACE (1u << 20)

typedef struct fake_handle {
    void *stream;
} fake_handle;
typedef struct fake_tensor {
    int set, format, type, n, c, h, w;
} fake_tensor;
typedef struct fake_conv {
    int set, pad_h, pad_w, u, v, dil_h, dil_w, mode, compute, math;
} fake_conv;

static int fake_mode(const char *m) {
    const char *v = getenv("ACCEL_FAKE_CUDNN");
    return v && strcmp(v, m) == 0;
}

FAKE_EXPORT size_t cudnnGetVersion(void) { return 91300; }
FAKE_EXPORT size_t cudnnGetCudartVersion(void) {
    const char *v = getenv("ACCEL_FAKE_CUDNN_CUDART");
    return v ? (size_t)strtoul(v, NULL, 10) : 13000;
}

FAKE_EXPORT const char *cudnnGetErrorString(accel_cudnn_status s) {
    switch (s) {
    case ACCEL_CUDNN_STATUS_SUCCESS: return "CUDNN_STATUS_SUCCESS";
    case ACCEL_CUDNN_STATUS_NOT_INITIALIZED: return "CUDNN_STATUS_NOT_INITIALIZED";
    case ACCEL_CUDNN_STATUS_BAD_PARAM: return "CUDNN_STATUS_BAD_PARAM";
    case ACCEL_CUDNN_STATUS_NOT_SUPPORTED: return "CUDNN_STATUS_NOT_SUPPORTED";
    case ACCEL_CUDNN_STATUS_EXECUTION_FAILED: return "CUDNN_STATUS_EXECUTION_FAILED";
    default: return "CUDNN_STATUS_UNKNOWN";
    }
}

FAKE_EXPORT accel_cudnn_status cudnnCreate(accel_cudnn_handle *h) {
    if (fake_mode("nohandle")) return ACCEL_CUDNN_STATUS_NOT_INITIALIZED;
    *h = calloc(1, sizeof(fake_handle));
    return *h ? ACCEL_CUDNN_STATUS_SUCCESS : ACCEL_CUDNN_STATUS_NOT_INITIALIZED;
}
FAKE_EXPORT accel_cudnn_status cudnnDestroy(accel_cudnn_handle h) {
    free(h);
    return ACCEL_CUDNN_STATUS_SUCCESS;
}
FAKE_EXPORT accel_cudnn_status cudnnSetStream(accel_cudnn_handle h, void *stream) {
    if (!h) return ACCEL_CUDNN_STATUS_BAD_PARAM;
    ((fake_handle *)h)->stream = stream;
    return ACCEL_CUDNN_STATUS_SUCCESS;
}

static accel_cudnn_status create(void **d, size_t size) {
    *d = calloc(1, size);
    return *d ? ACCEL_CUDNN_STATUS_SUCCESS : ACCEL_CUDNN_STATUS_NOT_INITIALIZED;
}
static accel_cudnn_status destroy(void *d) {
    free(d);
    return ACCEL_CUDNN_STATUS_SUCCESS;
}
static int known_type(int t) {
    return t == ACCEL_CUDNN_DATA_FLOAT || t == ACCEL_CUDNN_DATA_HALF || t == ACCEL_CUDNN_DATA_BFLOAT16;
}
static accel_cudnn_status set4d(fake_tensor *t, int format, int type, int n, int c, int h, int w) {
    if (!t || n <= 0 || c <= 0 || h <= 0 || w <= 0 || !known_type(type) ||
        (format != ACCEL_CUDNN_TENSOR_NCHW && format != ACCEL_CUDNN_TENSOR_NHWC))
        return ACCEL_CUDNN_STATUS_BAD_PARAM;
    *t = (fake_tensor){1, format, type, n, c, h, w};
    return ACCEL_CUDNN_STATUS_SUCCESS;
}

FAKE_EXPORT accel_cudnn_status cudnnCreateTensorDescriptor(accel_cudnn_tensor *d) { return create(d, sizeof(fake_tensor)); }
FAKE_EXPORT accel_cudnn_status cudnnDestroyTensorDescriptor(accel_cudnn_tensor d) { return destroy(d); }
FAKE_EXPORT accel_cudnn_status cudnnSetTensor4dDescriptor(accel_cudnn_tensor d, int format, int type, int n, int c,
                                                          int h, int w) {
    return set4d(d, format, type, n, c, h, w);
}
FAKE_EXPORT accel_cudnn_status cudnnCreateFilterDescriptor(accel_cudnn_filter *d) { return create(d, sizeof(fake_tensor)); }
FAKE_EXPORT accel_cudnn_status cudnnDestroyFilterDescriptor(accel_cudnn_filter d) { return destroy(d); }
FAKE_EXPORT accel_cudnn_status cudnnSetFilter4dDescriptor(accel_cudnn_filter d, int type, int format, int k, int c,
                                                          int r, int s) {
    return set4d(d, format, type, k, c, r, s);
}
FAKE_EXPORT accel_cudnn_status cudnnCreateConvolutionDescriptor(accel_cudnn_conv *d) { return create(d, sizeof(fake_conv)); }
FAKE_EXPORT accel_cudnn_status cudnnDestroyConvolutionDescriptor(accel_cudnn_conv d) { return destroy(d); }
FAKE_EXPORT accel_cudnn_status cudnnSetConvolution2dDescriptor(accel_cudnn_conv d, int pad_h, int pad_w, int u, int v,
                                                               int dil_h, int dil_w, int mode, int compute) {
    fake_conv *c = d;
    if (!c || pad_h < 0 || pad_w < 0 || u <= 0 || v <= 0 || dil_h <= 0 || dil_w <= 0 || mode != 1 ||
        compute != ACCEL_CUDNN_DATA_FLOAT)
        return ACCEL_CUDNN_STATUS_BAD_PARAM;
    const int math = c->math;
    *c = (fake_conv){1, pad_h, pad_w, u, v, dil_h, dil_w, mode, compute, math};
    return ACCEL_CUDNN_STATUS_SUCCESS;
}
FAKE_EXPORT accel_cudnn_status cudnnSetConvolutionMathType(accel_cudnn_conv d, int math) {
    if (!d || math < 0 || math > 3) return ACCEL_CUDNN_STATUS_BAD_PARAM;
    ((fake_conv *)d)->math = math;
    return ACCEL_CUDNN_STATUS_SUCCESS;
}

static accel_dtype dtype_of(int t) {
    return t == ACCEL_CUDNN_DATA_HALF ? ACCEL_DTYPE_F16 : t == ACCEL_CUDNN_DATA_BFLOAT16 ? ACCEL_DTYPE_BF16 : ACCEL_DTYPE_F32;
}

/* The forward convolution the three descriptors describe, checked for consistency as cuDNN does:
 * the output tensor must be the forward's output shape, and every operand of one layout and type. */
static accel_cudnn_status forward_desc(const fake_tensor *x, const fake_tensor *w, const fake_conv *c,
                                       const fake_tensor *y, accel_conv2d_desc *d) {
    if (!x || !w || !c || !y || !x->set || !w->set || !c->set || !y->set) return ACCEL_CUDNN_STATUS_BAD_PARAM;
    if (x->format != w->format || x->format != y->format || x->type != w->type || x->type != y->type)
        return ACCEL_CUDNN_STATUS_NOT_SUPPORTED;
    if (x->type != ACCEL_CUDNN_DATA_FLOAT && c->math != ACCEL_CUDNN_TENSOR_OP_MATH)
        return ACCEL_CUDNN_STATUS_NOT_SUPPORTED; /* half/bf16 run on tensor cores only */
    memset(d, 0, sizeof *d);
    d->layout = x->format == ACCEL_CUDNN_TENSOR_NHWC ? ACCEL_LAYOUT_NHWC : ACCEL_LAYOUT_NCHW;
    d->x_type = d->w_type = d->y_type = dtype_of(x->type);
    d->n = x->n, d->c = x->c, d->h = x->h, d->w = x->w;
    d->k = w->n, d->r = w->h, d->s = w->w;
    d->stride_h = c->u, d->stride_w = c->v, d->pad_h = c->pad_h, d->pad_w = c->pad_w;
    d->dil_h = c->dil_h, d->dil_w = c->dil_w, d->groups = 1;
    int64_t p = 0, q = 0;
    if (w->c != x->c || !accel_conv2d_out_hw(d, &p, &q) || y->n != x->n || y->c != w->n || y->h != p || y->w != q)
        return ACCEL_CUDNN_STATUS_BAD_PARAM;
    return ACCEL_CUDNN_STATUS_SUCCESS;
}

static int offer(int requested, int *returned, accel_cudnn_algo_perf *perf) {
    static const int algos[2] = {1, 0};
    int n = requested < 2 ? requested : 2;
    for (int i = 0; i < n; ++i) {
        memset(&perf[i], 0, sizeof perf[i]);
        perf[i].algo = algos[i];
        perf[i].status = ACCEL_CUDNN_STATUS_SUCCESS;
        perf[i].memory = algos[i] == 1 ? FAKE_ALGO_WORKSPACE : 0;
    }
    *returned = n;
    return n > 0 ? ACCEL_CUDNN_STATUS_SUCCESS : ACCEL_CUDNN_STATUS_BAD_PARAM;
}

FAKE_EXPORT accel_cudnn_status cudnnGetConvolutionBackwardDataAlgorithm_v7(accel_cudnn_handle h, accel_cudnn_filter w,
                                                                           accel_cudnn_tensor dy, accel_cudnn_conv c,
                                                                           accel_cudnn_tensor dx, int requested,
                                                                           int *returned, accel_cudnn_algo_perf *perf) {
    accel_conv2d_desc d;
    accel_cudnn_status s = h ? forward_desc(dx, w, c, dy, &d) : ACCEL_CUDNN_STATUS_BAD_PARAM;
    return s != ACCEL_CUDNN_STATUS_SUCCESS ? s : offer(requested, returned, perf);
}
FAKE_EXPORT accel_cudnn_status cudnnGetConvolutionBackwardFilterAlgorithm_v7(accel_cudnn_handle h, accel_cudnn_tensor x,
                                                                             accel_cudnn_tensor dy, accel_cudnn_conv c,
                                                                             accel_cudnn_filter dw, int requested,
                                                                             int *returned, accel_cudnn_algo_perf *perf) {
    accel_conv2d_desc d;
    accel_cudnn_status s = h ? forward_desc(x, dw, c, dy, &d) : ACCEL_CUDNN_STATUS_BAD_PARAM;
    return s != ACCEL_CUDNN_STATUS_SUCCESS ? s : offer(requested, returned, perf);
}

static accel_cudnn_status workspace_of(int algo, size_t *bytes) {
    if (algo != 0 && algo != 1) return ACCEL_CUDNN_STATUS_BAD_PARAM;
    *bytes = algo == 1 ? FAKE_ALGO_WORKSPACE : 0;
    return ACCEL_CUDNN_STATUS_SUCCESS;
}
FAKE_EXPORT accel_cudnn_status cudnnGetConvolutionBackwardDataWorkspaceSize(accel_cudnn_handle h, accel_cudnn_filter w,
                                                                            accel_cudnn_tensor dy, accel_cudnn_conv c,
                                                                            accel_cudnn_tensor dx, int algo,
                                                                            size_t *bytes) {
    (void)h, (void)w, (void)dy, (void)c, (void)dx;
    return workspace_of(algo, bytes);
}
FAKE_EXPORT accel_cudnn_status cudnnGetConvolutionBackwardFilterWorkspaceSize(accel_cudnn_handle h, accel_cudnn_tensor x,
                                                                              accel_cudnn_tensor dy, accel_cudnn_conv c,
                                                                              accel_cudnn_filter dw, int algo,
                                                                              size_t *bytes) {
    (void)h, (void)x, (void)dy, (void)c, (void)dw;
    return workspace_of(algo, bytes);
}

/* out = alpha result + beta out, in out's storage type (beta 0 never reads out, as in cuDNN). */
static void store(accel_dtype t, void *out, const double *result, int64_t n, float alpha, float beta) {
    for (int64_t i = 0; i < n; ++i) {
        const double old = beta != 0.0f ? accel_ref_load(t, out, i) : 0.0;
        accel_ref_store(t, out, i, alpha * result[i] + beta * old);
    }
    if (fake_mode("wrong") && n > 0) accel_ref_store(t, out, n / 2, accel_ref_load(t, out, n / 2) + 1.0);
}

/* One backward call: arguments checked as cuDNN checks them, then out = alpha result + beta out.
 * in0/in1 are dY and W (data) or X and dY (filter), in the reference's argument order. */
static accel_cudnn_status backward(int weights, accel_cudnn_handle h, const fake_tensor *x, const fake_tensor *w,
                                   const fake_conv *c, const fake_tensor *y, const void *in0, const void *in1,
                                   int algo, const void *ws, size_t ws_bytes, const void *alpha, const void *beta,
                                   void *out) {
    size_t need = 0;
    if (!h || workspace_of(algo, &need) != ACCEL_CUDNN_STATUS_SUCCESS) return ACCEL_CUDNN_STATUS_BAD_PARAM;
    if (need && (!ws || ws_bytes < need)) return ACCEL_CUDNN_STATUS_BAD_PARAM;
    accel_conv2d_desc d;
    const accel_cudnn_status s = forward_desc(x, w, c, y, &d);
    if (s != ACCEL_CUDNN_STATUS_SUCCESS) return s;
    const int64_t n = weights ? d.k * d.c * d.r * d.s : d.n * d.c * d.h * d.w;
    double *r = malloc(sizeof(double) * (size_t)n);
    if (!r) return ACCEL_CUDNN_STATUS_EXECUTION_FAILED;
    if (weights) accel_ref_conv2d_backward_weights(&d, in0, in1, r);
    else accel_ref_conv2d_backward_data(&d, in0, in1, r);
    store(d.x_type, out, r, n, *(const float *)alpha, *(const float *)beta);
    free(r);
    return ACCEL_CUDNN_STATUS_SUCCESS;
}

FAKE_EXPORT accel_cudnn_status cudnnConvolutionBackwardData(accel_cudnn_handle h, const void *alpha,
                                                            accel_cudnn_filter wd, const void *w,
                                                            accel_cudnn_tensor dyd, const void *dy, accel_cudnn_conv c,
                                                            int algo, void *ws, size_t ws_bytes, const void *beta,
                                                            accel_cudnn_tensor dxd, void *dx) {
    return backward(0, h, dxd, wd, c, dyd, dy, w, algo, ws, ws_bytes, alpha, beta, dx);
}

FAKE_EXPORT accel_cudnn_status cudnnConvolutionBackwardFilter(accel_cudnn_handle h, const void *alpha,
                                                              accel_cudnn_tensor xd, const void *x,
                                                              accel_cudnn_tensor dyd, const void *dy,
                                                              accel_cudnn_conv c, int algo, void *ws, size_t ws_bytes,
                                                              const void *beta, accel_cudnn_filter dwd, void *dw) {
    return backward(1, h, xd, dwd, c, dyd, x, dy, algo, ws, ws_bytes, alpha, beta, dw);
}
