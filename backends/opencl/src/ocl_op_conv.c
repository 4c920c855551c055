/* conv2d as implicit GEMM: kernels/conv2d.cl (local-memory tiles; NCHW/KCRS and NHWC/KRSC) with
 * tile sizes chosen from the device limits at plan time, and kernels/conv2d_vec.cl (explicit
 * vectors, NHWC) on CPU devices. ACCEL_OPENCL_CONV_KERNEL = tiled | vec and
 * ACCEL_OPENCL_CONV_TILE = "TSM,TSN,TSK,WPTM,WPTN" override the choice (tuning, tests). */
#define _POSIX_C_SOURCE 200809L
#include "ocl_ops.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ocl_conv_tile {
    int tsm, tsn, tsk, wptm, wptn;
} ocl_conv_tile;

static const ocl_conv_tile ocl_conv_tiles[] = {
    {64, 64, 16, 4, 4}, {32, 32, 16, 4, 4}, {16, 16, 16, 2, 2}, {8, 8, 8, 2, 2}};

static int ocl_conv_tile_fits(const ocl_device *dev, ocl_conv_tile t) {
    size_t r0 = (size_t)(t.tsn / t.wptn), r1 = (size_t)(t.tsm / t.wptm), wg = r0 * r1;
    if (wg > dev->max_work_group || r0 > dev->max_work_item[0] || r1 > dev->max_work_item[1])
        return 0;
    if (((size_t)t.tsm * t.tsk) % wg || ((size_t)t.tsn * t.tsk) % wg)
        return 0;
    return ((size_t)t.tsk * (t.tsm + t.tsn)) * sizeof(float) <= dev->local_mem;
}

static accel_status ocl_conv_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    const accel_conv2d_desc *c = &plan->desc.u.conv2d;
    size_t es = ocl_dtype_size(c->y_type);
    if (((c->epilogue & ACCEL_EPILOGUE_BIAS) && !ops[2].buffer) ||
        ((c->epilogue & ACCEL_EPILOGUE_RESIDUAL) && !ops[3].buffer))
        return plan->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                          "opencl conv2d: bias or residual operand missing");
    accel_status st = ACCEL_OK;
    for (cl_uint i = 0; i < 5 && st == ACCEL_OK; i++)
        st = ocl_arg_ref(plan, 2 * i, ops[i], es);
    if (st == ACCEL_OK)
        st = ocl_plan_enqueue(plan, s);
    return st;
}

static accel_status ocl_conv_set_geometry(ocl_plan *plan, int empty, int64_t p, int64_t q) {
    const accel_conv2d_desc *c = &plan->desc.u.conv2d;
    cl_int v[16] = {empty ? 0 : (cl_int)c->n, (cl_int)c->c, (cl_int)c->h, (cl_int)c->w,
                    (cl_int)c->k, (cl_int)c->r, (cl_int)c->s, (cl_int)p, (cl_int)q,
                    (cl_int)c->stride_h, (cl_int)c->stride_w, (cl_int)c->pad_h, (cl_int)c->pad_w,
                    (cl_int)(c->dil_h ? c->dil_h : 1), (cl_int)(c->dil_w ? c->dil_w : 1), 0};
    v[15] = empty ? 0
                  : ((c->epilogue & ACCEL_EPILOGUE_BIAS) ? 2 : 0) |
                        ((c->epilogue & ACCEL_EPILOGUE_RELU) ? 4 : 0) |
                        ((c->epilogue & ACCEL_EPILOGUE_RESIDUAL) ? 32 : 0);
    for (cl_uint i = 0; i < 16; i++) {
        accel_status st = ocl_arg(plan, 10 + i, sizeof(cl_int), &v[i]);
        if (st != ACCEL_OK)
            return st;
    }
    if (empty) {
        accel_plugin_ref none = {NULL, 0};
        for (cl_uint i = 0; i < 5; i++) {
            accel_status st = ocl_arg_ref(plan, 2 * i, none, 1);
            if (st != ACCEL_OK)
                return st;
        }
    }
    return ACCEL_OK;
}

/* CPU devices: kernels/conv2d_vec.cl. NHWC packs the weights to (r*s*c) x k in the workspace by
 * accel_conv_pack_w at the start of each execute; NCHW gathers pixels and reads weights in place. */
static accel_status ocl_conv_vec_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    ocl_device *dev = plan->dev;
    size_t es = ocl_dtype_size(plan->desc.u.conv2d.y_type);
    if (!plan->workspace.buffer)
        return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                    "opencl conv2d: this plan needs its workspace (packed weights)");
    ocl_plan aux = *plan;
    aux.kernel = plan->aux_kernel;
    accel_status st = ocl_arg_ref(&aux, 2, ops[1], es);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(&aux, 4, plan->workspace, es);
    if (st != ACCEL_OK)
        return st;
    cl_int err = dev->cl->clEnqueueNDRangeKernel(s->queue, plan->aux_kernel, 3, NULL, plan->aux_global,
                                                 plan->aux_local, 0, NULL, NULL);
    if (err != CL_SUCCESS)
        return ocl_fail(dev, ocl_status_of(err), "clEnqueueNDRangeKernel (pack weights)", err);
    accel_plugin_ref patched[5] = {ops[0], plan->workspace, ops[2], ops[3], ops[4]};
    return ocl_conv_exec(plan, s, patched);
}

static accel_status ocl_plan_conv2d_vec(ocl_plan *plan, accel_plugin_plan_info *info, int dt,
                                        int64_t p, int64_t q) {
    ocl_device *dev = plan->dev;
    const accel_conv2d_desc *c = &plan->desc.u.conv2d;
    int vecn = dev->pref_vec_float >= 16 ? 16 : dev->pref_vec_float >= 8 ? 8 : 4;
    int wptm = vecn == 16 ? 8 : vecn == 8 ? 6 : 4;
    int kc = 256; /* taps per work-group pass (NCHW); ACCEL_OPENCL_CONV_KC overrides (tests) */
    const char *kc_env = getenv("ACCEL_OPENCL_CONV_KC");
    if (kc_env && atoi(kc_env) > 0)
        kc = atoi(kc_env);
    char opts[96];
    snprintf(opts, sizeof(opts), "-DVECN=%d -DWPTM=%d -DKC=%d -DDTYPE=%d", vecn, wptm, kc, dt);
    const char *cache = "";
    int nchw = c->layout == ACCEL_LAYOUT_NCHW;
    accel_status st = ocl_plan_kernel(plan, "conv2d_vec", opts,
                                      nchw ? "accel_conv2d_vec_nchw" : "accel_conv2d_vec", &cache);
    if (st != ACCEL_OK)
        return st;
    if (nchw) {
        /* rows = output channels, columns = pixels; weights read in place */
        size_t l0 = 8, l1 = 8;
        while (l0 * l1 > dev->max_work_group || l0 > dev->max_work_item[0] || l1 > dev->max_work_item[1])
            l1 > 1 ? (l1 /= 2) : (l0 /= 2);
        size_t pixels = (size_t)(c->n * p * q);
        size_t gx = (pixels + (size_t)vecn - 1) / (size_t)vecn;
        size_t gy = ((size_t)c->k + (size_t)wptm - 1) / (size_t)wptm;
        plan->local[0] = l0;
        plan->local[1] = l1;
        plan->global[0] = (gx + l0 - 1) / l0 * l0;
        plan->global[1] = (gy + l1 - 1) / l1 * l1;
        st = ocl_conv_set_geometry(plan, 1, 1, 1);
        if (st == ACCEL_OK)
            st = ocl_plan_warm_up(plan);
        if (st == ACCEL_OK)
            st = ocl_conv_set_geometry(plan, 0, p, q);
        if (st != ACCEL_OK)
            return st;
        plan->exec = ocl_conv_exec;
        snprintf(info->algorithm, sizeof(info->algorithm),
                 "conv2d_vec.cl implicit-gemm nchw %d channels x float%d pixels per work-item, "
                 "k-chunk %d, fp32-acc cache=%s",
                 wptm, vecn, kc, cache);
        return ACCEL_OK;
    }
    cl_program prog;
    const char *unused;
    st = ocl_program_get(dev, "conv2d_vec", opts, &prog, &unused);
    if (st != ACCEL_OK)
        return st;
    cl_int err = CL_SUCCESS;
    plan->aux_kernel = dev->cl->clCreateKernel(prog, "accel_conv_pack_w", &err);
    if (!plan->aux_kernel)
        return ocl_fail(dev, ocl_status_of(err), "clCreateKernel(accel_conv_pack_w)", err);
    size_t l0 = 8, l1 = 8;
    while (l0 * l1 > dev->max_work_group || l0 > dev->max_work_item[0] || l1 > dev->max_work_item[1])
        l1 > 1 ? (l1 /= 2) : (l0 /= 2);
    size_t rsc = (size_t)(c->r * c->s * c->c), pixels = (size_t)(c->n * p * q);
    size_t gx = ((size_t)c->k + (size_t)vecn - 1) / (size_t)vecn, gy = (pixels + (size_t)wptm - 1) / (size_t)wptm;
    plan->local[0] = l0;
    plan->local[1] = l1;
    plan->global[0] = (gx + l0 - 1) / l0 * l0;
    plan->global[1] = (gy + l1 - 1) / l1 * l1;
    plan->aux_local[0] = l0;
    plan->aux_local[1] = l1;
    plan->aux_local[2] = 1;
    plan->aux_global[0] = ((size_t)c->k + l0 - 1) / l0 * l0;
    plan->aux_global[1] = (rsc + l1 - 1) / l1 * l1;
    plan->aux_global[2] = 1;
    /* packed weights plus VECN elements the kernel may read past the last row */
    info->workspace_bytes = ((size_t)c->k * rsc + (size_t)vecn) * ocl_dtype_size(c->y_type);

    ocl_plan aux = *plan;
    aux.kernel = plan->aux_kernel;
    for (int d = 0; d < 3; d++)
        aux.local[d] = plan->aux_local[d];
    cl_int zero = 0, kk = (cl_int)c->k, rr = (cl_int)rsc;
    accel_plugin_ref none = {NULL, 0};
    st = ocl_arg(&aux, 0, sizeof(zero), &zero);
    if (st == ACCEL_OK)
        st = ocl_arg(&aux, 1, sizeof(zero), &zero);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(&aux, 2, none, 1);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(&aux, 4, none, 1);
    if (st == ACCEL_OK)
        st = ocl_plan_warm_up(&aux);
    if (st == ACCEL_OK)
        st = ocl_arg(&aux, 0, sizeof(kk), &kk);
    if (st == ACCEL_OK)
        st = ocl_arg(&aux, 1, sizeof(rr), &rr);
    if (st == ACCEL_OK)
        st = ocl_conv_set_geometry(plan, 1, 1, 1);
    if (st == ACCEL_OK)
        st = ocl_plan_warm_up(plan);
    if (st == ACCEL_OK)
        st = ocl_conv_set_geometry(plan, 0, p, q);
    if (st != ACCEL_OK)
        return st;
    plan->exec = ocl_conv_vec_exec;
    snprintf(info->algorithm, sizeof(info->algorithm),
             "conv2d_vec.cl implicit-gemm nhwc float%d x %d pixels per work-item, weights packed "
             "in workspace, fp32-acc cache=%s",
             vecn, wptm, cache);
    return ACCEL_OK;
}

accel_status ocl_plan_conv2d(ocl_plan *plan, accel_plugin_plan_info *info) {
    ocl_device *dev = plan->dev;
    const accel_conv2d_desc *c = &plan->desc.u.conv2d;
    if (c->groups > 1)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "opencl conv2d: groups > 1");
    if (c->x_type != c->w_type || c->x_type != c->y_type)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl conv2d: X, W and Y must share a storage type");
    if (c->compute == ACCEL_COMPUTE_TF32)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "opencl: no TF32 compute");
    if (c->epilogue & (ACCEL_EPILOGUE_GELU_ERF | ACCEL_EPILOGUE_GELU_TANH))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl conv2d: epilogue takes bias, residual and relu only");
    int dt = ocl_storage_code(dev, c->x_type, "conv2d");
    if (dt < 0)
        return ACCEL_ERR_UNIMPLEMENTED;
    int64_t dh = c->dil_h ? c->dil_h : 1, dw = c->dil_w ? c->dil_w : 1;
    int64_t p = (c->h + 2 * c->pad_h - dh * (c->r - 1) - 1) / c->stride_h + 1;
    int64_t q = (c->w + 2 * c->pad_w - dw * (c->s - 1) - 1) / c->stride_w + 1;
    int64_t pixels = c->n * p * q, depth = c->c * c->r * c->s;
    if (pixels > INT_MAX || depth > INT_MAX || c->n * c->c * c->h * c->w > INT_MAX ||
        pixels * c->k > INT_MAX)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl conv2d: tensor above 2^31 elements");
    const char *kind = getenv("ACCEL_OPENCL_CONV_KERNEL");
    int use_vec = kind && kind[0] ? strcmp(kind, "vec") == 0 : (dev->type & CL_DEVICE_TYPE_CPU) != 0;
    if (use_vec)
        return ocl_plan_conv2d_vec(plan, info, dt, p, q);
    int64_t rows = c->layout == ACCEL_LAYOUT_NCHW ? c->k : pixels;
    int64_t cols = c->layout == ACCEL_LAYOUT_NCHW ? pixels : c->k;
    accel_status st = dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                           "opencl conv2d: no tile fits this device");
    ocl_conv_tile cands[8];
    size_t ncand = 0;
    const char *env = getenv("ACCEL_OPENCL_CONV_TILE");
    ocl_conv_tile user;
    if (env && sscanf(env, "%d,%d,%d,%d,%d", &user.tsm, &user.tsn, &user.tsk, &user.wptm,
                      &user.wptn) == 5 && user.tsm > 0 && user.tsn > 0 && user.tsk > 0 &&
        user.wptm > 0 && user.wptn > 0 && user.tsm % user.wptm == 0 && user.tsn % user.wptn == 0)
        cands[ncand++] = user;
    for (size_t i = 0; i < sizeof(ocl_conv_tiles) / sizeof(ocl_conv_tiles[0]) && ncand < 8; i++)
        cands[ncand++] = ocl_conv_tiles[i];
    for (size_t i = 0; i < ncand; i++) {
        ocl_conv_tile t = cands[i];
        if (!ocl_conv_tile_fits(dev, t))
            continue;
        char opts[200];
        snprintf(opts, sizeof(opts), "-DTSM=%d -DTSN=%d -DTSK=%d -DWPTM=%d -DWPTN=%d -DLAYOUT=%d -DDTYPE=%d",
                 t.tsm, t.tsn, t.tsk, t.wptm, t.wptn, c->layout == ACCEL_LAYOUT_NHWC ? 1 : 0, dt);
        const char *cache = "";
        st = ocl_plan_kernel(plan, "conv2d", opts, "accel_conv2d", &cache);
        if (st != ACCEL_OK)
            return st;
        size_t r0 = (size_t)(t.tsn / t.wptn), r1 = (size_t)(t.tsm / t.wptm), kwg = 0;
        dev->cl->clGetKernelWorkGroupInfo(plan->kernel, dev->id, CL_KERNEL_WORK_GROUP_SIZE,
                                          sizeof(kwg), &kwg, NULL);
        if (kwg && kwg < r0 * r1) {
            dev->cl->clReleaseKernel(plan->kernel);
            plan->kernel = NULL;
            continue;
        }
        plan->local[0] = r0;
        plan->local[1] = r1;
        plan->global[0] = (size_t)((cols + t.tsn - 1) / t.tsn) * r0;
        plan->global[1] = (size_t)((rows + t.tsm - 1) / t.tsm) * r1;
        st = ocl_conv_set_geometry(plan, 1, 1, 1);
        if (st == ACCEL_OK)
            st = ocl_plan_warm_up(plan);
        if (st == ACCEL_OK)
            st = ocl_conv_set_geometry(plan, 0, p, q);
        if (st != ACCEL_OK)
            return st;
        plan->exec = ocl_conv_exec;
        snprintf(info->algorithm, sizeof(info->algorithm),
                 "conv2d.cl implicit-gemm %s tile %dx%dx%d wpt %dx%d fp32-acc cache=%s",
                 c->layout == ACCEL_LAYOUT_NHWC ? "nhwc" : "nchw", t.tsm, t.tsn, t.tsk, t.wptm,
                 t.wptn, cache);
        return ACCEL_OK;
    }
    return st;
}
