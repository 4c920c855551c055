/* GEMM with our kernels. Two designs, chosen by device type at plan time:
 * - kernels/gemm.cl (GPUs): local-memory tiles, register blocking; tile sizes chosen from the
 *   device's limits (work-group size, work-item sizes, local memory) and compiled in with -D; the
 *   first candidate that fits and that the compiled kernel accepts wins.
 * - kernels/gemm_vec.cl (CPU devices such as PoCL): explicit vectors of the device's preferred
 *   float width, accumulators in registers over the whole K loop, no barriers.
 * Tuning overrides: ACCEL_OPENCL_GEMM_KERNEL = tiled | vec, ACCEL_OPENCL_GEMM_TILE =
 * "TSM,TSN,TSK,WPTM,WPTN" (tiled), ACCEL_OPENCL_GEMM_VEC = "VECN,WPTM" (vec). */
#define _POSIX_C_SOURCE 200809L
#include "ocl_ops.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ocl_gemm_tile {
    int tsm, tsn, tsk, wptm, wptn;
} ocl_gemm_tile;

/* Tiles for the local-memory kernel, preferred first (GPUs: 256-item groups of 4x4 blocks). CPU
 * devices run gemm_vec.cl unless ACCEL_OPENCL_GEMM_KERNEL=tiled. */
static const ocl_gemm_tile ocl_gemm_tiles[] = {
    {64, 64, 16, 4, 4}, {32, 32, 16, 4, 4}, {16, 16, 16, 2, 2}, {8, 8, 8, 2, 2}};

static int ocl_gemm_tile_fits(const ocl_device *dev, ocl_gemm_tile t) {
    if (t.tsm <= 0 || t.tsn <= 0 || t.tsk <= 0 || t.wptm <= 0 || t.wptn <= 0)
        return 0;
    if (t.tsm % t.wptm || t.tsn % t.wptn || t.tsk % 4 || t.tsm % 4 || t.tsn % 4)
        return 0;
    size_t r0 = (size_t)(t.tsn / t.wptn), r1 = (size_t)(t.tsm / t.wptm), wg = r0 * r1;
    if (wg > dev->max_work_group || r0 > dev->max_work_item[0] || r1 > dev->max_work_item[1])
        return 0;
    if (((size_t)t.tsm * t.tsk) % (4 * wg) || ((size_t)t.tsn * t.tsk) % (4 * wg))
        return 0;
    size_t local = ((size_t)t.tsm * t.tsk + (size_t)t.tsk * (t.tsn + 1)) * sizeof(float);
    return local <= dev->local_mem;
}

static int64_t ocl_or(int64_t v, int64_t dflt) { return v ? v : dflt; }

static accel_status ocl_gemm_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    size_t ab = ocl_dtype_size(g->a_type), cd = ocl_dtype_size(g->d_type);
    if ((g->beta != 0.0 && !ops[2].buffer) || ((g->epilogue & ACCEL_EPILOGUE_BIAS) && !ops[4].buffer))
        return plan->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                          "opencl gemm: C (beta != 0) or bias operand missing");
    accel_status st = ocl_arg_ref(plan, 3, ops[0], ab);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(plan, 7, ops[1], ab);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(plan, 11, g->beta != 0.0 ? ops[2] : (accel_plugin_ref){NULL, 0}, cd);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(plan, 15, ops[3], cd);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(plan, 19, (g->epilogue & ACCEL_EPILOGUE_BIAS) ? ops[4] : (accel_plugin_ref){NULL, 0}, cd);
    if (st == ACCEL_OK)
        st = ocl_plan_enqueue(plan, s);
    return st;
}

/* Sets every scalar argument; with empty = 1 the sizes are zero and buffers dummies (warm-up). */
static accel_status ocl_gemm_set_scalars(ocl_plan *plan, int empty, int flags) {
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    cl_int m = empty ? 0 : (cl_int)g->m, n = empty ? 0 : (cl_int)g->n, k = empty ? 0 : (cl_int)g->k;
    cl_long lda = ocl_or(g->lda, g->trans_a ? g->m : g->k);
    cl_long ldb = ocl_or(g->ldb, g->trans_b ? g->k : g->n);
    cl_long ldc = ocl_or(g->ldc, g->n), ldd = ocl_or(g->ldd, g->n);
    cl_long sa = ocl_or(g->stride_a, (g->trans_a ? g->k : g->m) * lda);
    cl_long sb = ocl_or(g->stride_b, (g->trans_b ? g->n : g->k) * ldb);
    cl_long sc = ocl_or(g->stride_c, g->m * ldc), sd = ocl_or(g->stride_d, g->m * ldd);
    cl_long sbias = g->stride_bias;
    cl_float alpha = (cl_float)g->alpha, beta = (cl_float)g->beta;
    cl_int fl = empty ? 0 : flags;
    accel_plugin_ref none = {NULL, 0};
    struct {
        cl_uint index;
        size_t size;
        const void *value;
    } args[] = {{0, sizeof(m), &m},       {1, sizeof(n), &n},         {2, sizeof(k), &k},
                {5, sizeof(lda), &lda},   {6, sizeof(sa), &sa},       {9, sizeof(ldb), &ldb},
                {10, sizeof(sb), &sb},    {13, sizeof(ldc), &ldc},    {14, sizeof(sc), &sc},
                {17, sizeof(ldd), &ldd},  {18, sizeof(sd), &sd},      {21, sizeof(sbias), &sbias},
                {22, sizeof(alpha), &alpha}, {23, sizeof(beta), &beta}, {24, sizeof(fl), &fl}};
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        accel_status st = ocl_arg(plan, args[i].index, args[i].size, args[i].value);
        if (st != ACCEL_OK)
            return st;
    }
    if (empty) {
        for (cl_uint i = 3; i <= 19; i += 4) {
            accel_status st = ocl_arg_ref(plan, i, none, 1);
            if (st != ACCEL_OK)
                return st;
        }
    }
    return ACCEL_OK;
}

static accel_status ocl_gemm_check_types(ocl_device *dev, const accel_gemm_desc *g, int *ab, int *cd) {
    if (g->compute == ACCEL_COMPUTE_TF32)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl: TF32 compute is not offered (OpenCL exposes no TF32 "
                                    "math); use f32");
    if (accel_dtype_is_fp8(g->a_type))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl: fp8 GEMM is not implemented (our kernels read f32, f16 and "
                                    "bf16; OpenCL C has no fp8 type)");
    if (!accel_compute_is_fp32_on(g->compute, g->a_type))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl: compute type %d with %d inputs is not offered (our "
                                    "kernels multiply and accumulate in fp32)",
                                    (int)g->compute, (int)g->a_type);
    if (g->a_type != g->b_type)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl: A and B must share a storage type");
    accel_dtype bias = g->bias_type == ACCEL_DTYPE_INVALID ? g->d_type : g->bias_type;
    int c_ok = g->beta == 0.0 || g->c_type == ACCEL_DTYPE_INVALID || g->c_type == g->d_type;
    int bias_ok = !(g->epilogue & ACCEL_EPILOGUE_BIAS) || bias == g->d_type;
    if (!c_ok || !bias_ok)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl: C and bias must have D's storage type");
    if (g->epilogue & ACCEL_EPILOGUE_RESIDUAL)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl: GEMM has no residual epilogue (use beta * C)");
    if (g->m > INT_MAX || g->n > INT_MAX || g->k > INT_MAX)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "opencl: GEMM dimension above 2^31");
    *ab = ocl_storage_code(dev, g->a_type, "GEMM A/B");
    *cd = ocl_storage_code(dev, g->d_type, "GEMM D");
    return *ab < 0 || *cd < 0 ? ACCEL_ERR_UNIMPLEMENTED : ACCEL_OK;
}

/* Transposed B on the vector kernel: pack B^T into the workspace (k x n per batch), then run the
 * kernel with whole-vector loads of B instead of per-element gathers. */
static accel_status ocl_gemm_packed_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    ocl_device *dev = plan->dev;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    size_t ab = ocl_dtype_size(g->a_type);
    if (!plan->workspace.buffer)
        return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                    "opencl gemm: this plan needs its workspace (transposed B is "
                                    "packed there)");
    ocl_plan aux = *plan; /* the same helpers, pointed at the packing kernel */
    aux.kernel = plan->aux_kernel;
    accel_status st = ocl_arg_ref(&aux, 2, ops[1], ab);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(&aux, 6, plan->workspace, ab);
    if (st == ACCEL_OK) {
        cl_int err = dev->cl->clEnqueueNDRangeKernel(s->queue, plan->aux_kernel, 3, NULL,
                                                     plan->aux_global, plan->aux_local, 0, NULL, NULL);
        if (err != CL_SUCCESS)
            return ocl_fail(dev, ocl_status_of(err), "clEnqueueNDRangeKernel (pack B)", err);
    }
    if (st != ACCEL_OK)
        return st;
    accel_plugin_ref patched[5] = {ops[0], plan->workspace, ops[2], ops[3], ops[4]};
    return ocl_gemm_exec(plan, s, patched);
}

static accel_status ocl_gemm_pack_setup(ocl_plan *plan, cl_program prog, size_t l0, size_t l1) {
    ocl_device *dev = plan->dev;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    cl_int err = CL_SUCCESS;
    plan->aux_kernel = dev->cl->clCreateKernel(prog, "accel_transpose_b", &err);
    if (!plan->aux_kernel)
        return ocl_fail(dev, ocl_status_of(err), "clCreateKernel(accel_transpose_b)", err);
    ocl_plan aux = *plan;
    aux.kernel = plan->aux_kernel;
    size_t n = (size_t)g->n, k = (size_t)g->k;
    plan->aux_local[0] = l0;
    plan->aux_local[1] = l1;
    plan->aux_local[2] = 1;
    plan->aux_global[0] = (n + l0 - 1) / l0 * l0;
    plan->aux_global[1] = (k + l1 - 1) / l1 * l1;
    plan->aux_global[2] = (size_t)(g->batch > 0 ? g->batch : 1);
    cl_int zero = 0, ni = (cl_int)g->n, ki = (cl_int)g->k;
    cl_long ldb = g->ldb ? g->ldb : g->k;
    cl_long sb = g->stride_b ? g->stride_b : g->n * ldb;
    accel_plugin_ref none = {NULL, 0};
    /* warm-up on an empty problem, then the real sizes */
    accel_status st = ocl_arg(&aux, 0, sizeof(zero), &zero);
    if (st == ACCEL_OK)
        st = ocl_arg(&aux, 1, sizeof(zero), &zero);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(&aux, 2, none, 1);
    if (st == ACCEL_OK)
        st = ocl_arg(&aux, 4, sizeof(ldb), &ldb);
    if (st == ACCEL_OK)
        st = ocl_arg(&aux, 5, sizeof(sb), &sb);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(&aux, 6, none, 1);
    for (int d = 0; d < 3 && st == ACCEL_OK; d++)
        aux.local[d] = plan->aux_local[d];
    if (st == ACCEL_OK)
        st = ocl_plan_warm_up(&aux);
    if (st == ACCEL_OK)
        st = ocl_arg(&aux, 0, sizeof(ni), &ni);
    if (st == ACCEL_OK)
        st = ocl_arg(&aux, 1, sizeof(ki), &ki);
    return st;
}

static accel_status ocl_plan_gemm_vec(ocl_plan *plan, accel_plugin_plan_info *info, int ab, int cd,
                                      int flags) {
    ocl_device *dev = plan->dev;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    int vecn = dev->pref_vec_float >= 16 ? 16 : dev->pref_vec_float >= 8 ? 8 : 4;
    int wptm = vecn == 16 ? 8 : vecn == 8 ? 6 : 4; /* accumulators + 1 + broadcasts fit the register file */
    int kc = 256; /* K rows per work-group pass: 2.5x at 2048^3 on PoCL, A and B chunks stay in L2 */
    const char *env = getenv("ACCEL_OPENCL_GEMM_VEC");
    int ev = 0, ew = 0, ek = 0;
    int got = env ? sscanf(env, "%d,%d,%d", &ev, &ew, &ek) : 0;
    if (got >= 2 && (ev == 4 || ev == 8 || ev == 16) && ew >= 1 && ew <= 16) {
        vecn = ev;
        wptm = ew;
        if (got == 3 && ek >= 0)
            kc = ek;
    }
    const char *pack_env = getenv("ACCEL_OPENCL_GEMM_PACK_B");
    int pack_b = g->trans_b && !(pack_env && strcmp(pack_env, "0") == 0);
    char opts[160];
    snprintf(opts, sizeof(opts),
             "-DVECN=%d -DWPTM=%d -DKC=%d -DTRANS_A=%d -DTRANS_B=%d -DAB_TYPE=%d -DCD_TYPE=%d", vecn,
             wptm, kc, g->trans_a ? 1 : 0, g->trans_b && !pack_b ? 1 : 0, ab, cd);
    const char *cache = "";
    accel_status st = ocl_plan_kernel(plan, "gemm_vec", opts, "accel_gemm_vec", &cache);
    if (st != ACCEL_OK)
        return st;
    size_t kwg = 0;
    dev->cl->clGetKernelWorkGroupInfo(plan->kernel, dev->id, CL_KERNEL_WORK_GROUP_SIZE, sizeof(kwg),
                                      &kwg, NULL);
    size_t l0 = 8, l1 = 8;
    while ((kwg && l0 * l1 > kwg) || l0 * l1 > dev->max_work_group || l0 > dev->max_work_item[0] ||
           l1 > dev->max_work_item[1]) {
        if (l1 > 1)
            l1 /= 2;
        else if (l0 > 1)
            l0 /= 2;
        else
            break;
    }
    size_t gx = (size_t)((g->n + vecn - 1) / vecn), gy = (size_t)((g->m + wptm - 1) / wptm);
    plan->local[0] = l0;
    plan->local[1] = l1;
    plan->local[2] = 1;
    plan->global[0] = (gx + l0 - 1) / l0 * l0;
    plan->global[1] = (gy + l1 - 1) / l1 * l1;
    plan->global[2] = (size_t)(g->batch > 0 ? g->batch : 1);
    st = ocl_gemm_set_scalars(plan, 1, flags);
    if (st == ACCEL_OK)
        st = ocl_plan_warm_up(plan);
    if (st == ACCEL_OK)
        st = ocl_gemm_set_scalars(plan, 0, flags);
    if (st == ACCEL_OK && pack_b) {
        /* the kernel reads the packed copy: k x n per batch */
        cl_long ldb = g->n, sb = g->n * g->k;
        st = ocl_arg(plan, 9, sizeof(ldb), &ldb);
        if (st == ACCEL_OK)
            st = ocl_arg(plan, 10, sizeof(sb), &sb);
        cl_program prog;
        const char *unused;
        if (st == ACCEL_OK)
            st = ocl_program_get(dev, "gemm_vec", opts, &prog, &unused);
        if (st == ACCEL_OK)
            st = ocl_gemm_pack_setup(plan, prog, l0, l1);
        info->workspace_bytes = (size_t)g->n * (size_t)g->k * (size_t)plan->global[2] *
                                ocl_dtype_size(g->a_type);
    }
    if (st != ACCEL_OK)
        return st;
    plan->exec = pack_b ? ocl_gemm_packed_exec : ocl_gemm_exec;
    snprintf(info->algorithm, sizeof(info->algorithm),
             "gemm_vec.cl float%d x %d rows per work-item k-chunk %d wg %zux%zu%s%s fp32-acc cache=%s",
             vecn, wptm, kc, l0, l1, g->trans_a ? " TA" : "",
             g->trans_b ? (pack_b ? " TB(packed into workspace)" : " TB") : "", cache);
    return ACCEL_OK;
}

accel_status ocl_plan_gemm(ocl_plan *plan, accel_plugin_plan_info *info) {
    ocl_device *dev = plan->dev;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    int ab = 0, cd = 0;
    accel_status st = ocl_gemm_check_types(dev, g, &ab, &cd);
    if (st != ACCEL_OK)
        return st;
    int flags = (g->beta != 0.0 ? 1 : 0) | ((g->epilogue & ACCEL_EPILOGUE_BIAS) ? 2 : 0) |
                ((g->epilogue & ACCEL_EPILOGUE_RELU) ? 4 : 0) |
                ((g->epilogue & ACCEL_EPILOGUE_GELU_ERF) ? 8 : 0) |
                ((g->epilogue & ACCEL_EPILOGUE_GELU_TANH) ? 16 : 0);

    const char *kind = getenv("ACCEL_OPENCL_GEMM_KERNEL");
    int use_vec = kind && kind[0] ? strcmp(kind, "vec") == 0 : (dev->type & CL_DEVICE_TYPE_CPU) != 0;
    if (use_vec)
        return ocl_plan_gemm_vec(plan, info, ab, cd, flags);

    ocl_gemm_tile cands[8];
    size_t ncand = 0;
    const char *env = getenv("ACCEL_OPENCL_GEMM_TILE");
    ocl_gemm_tile user;
    if (env && sscanf(env, "%d,%d,%d,%d,%d", &user.tsm, &user.tsn, &user.tsk, &user.wptm,
                      &user.wptn) == 5)
        cands[ncand++] = user;
    for (size_t i = 0; i < sizeof(ocl_gemm_tiles) / sizeof(ocl_gemm_tiles[0]) && ncand < 8; i++)
        cands[ncand++] = ocl_gemm_tiles[i];

    st = dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                              "opencl: no GEMM tile fits this device (max work-group %zu, local "
                              "memory %llu bytes)",
                              dev->max_work_group, (unsigned long long)dev->local_mem);
    for (size_t i = 0; i < ncand; i++) {
        ocl_gemm_tile t = cands[i];
        if (!ocl_gemm_tile_fits(dev, t))
            continue;
        char opts[256];
        snprintf(opts, sizeof(opts),
                 "-DTSM=%d -DTSN=%d -DTSK=%d -DWPTM=%d -DWPTN=%d -DTRANS_A=%d -DTRANS_B=%d "
                 "-DAB_TYPE=%d -DCD_TYPE=%d",
                 t.tsm, t.tsn, t.tsk, t.wptm, t.wptn, g->trans_a ? 1 : 0, g->trans_b ? 1 : 0, ab, cd);
        const char *cache = "";
        st = ocl_plan_kernel(plan, "gemm", opts, "accel_gemm", &cache);
        if (st != ACCEL_OK)
            return st;
        size_t r0 = (size_t)(t.tsn / t.wptn), r1 = (size_t)(t.tsm / t.wptm), kwg = 0;
        dev->cl->clGetKernelWorkGroupInfo(plan->kernel, dev->id, CL_KERNEL_WORK_GROUP_SIZE,
                                          sizeof(kwg), &kwg, NULL);
        if (kwg && kwg < r0 * r1) {
            dev->cl->clReleaseKernel(plan->kernel);
            plan->kernel = NULL;
            continue; /* too many registers for this group size: try a smaller tile */
        }
        plan->local[0] = r0;
        plan->local[1] = r1;
        plan->local[2] = 1;
        plan->global[0] = (size_t)((g->n + t.tsn - 1) / t.tsn) * r0;
        plan->global[1] = (size_t)((g->m + t.tsm - 1) / t.tsm) * r1;
        plan->global[2] = (size_t)(g->batch > 0 ? g->batch : 1);
        st = ocl_gemm_set_scalars(plan, 1, flags);
        if (st == ACCEL_OK)
            st = ocl_plan_warm_up(plan);
        if (st == ACCEL_OK)
            st = ocl_gemm_set_scalars(plan, 0, flags);
        if (st != ACCEL_OK)
            return st;
        plan->exec = ocl_gemm_exec;
        snprintf(info->algorithm, sizeof(info->algorithm),
                 "gemm.cl tile %dx%dx%d wpt %dx%d wg %zux%zu%s%s fp32-acc cache=%s", t.tsm, t.tsn,
                 t.tsk, t.wptm, t.wptn, r0, r1, g->trans_a ? " TA" : "", g->trans_b ? " TB" : "",
                 cache);
        return ACCEL_OK;
    }
    return st;
}
