/* Row-wise and element-wise ops: layernorm, softmax, attention (one work-group per row), eltwise and
 * permute (one work-item per element). Work-group sizes come from the device limits at plan time. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_ops.h"

#include "../../gpu_common/kernels/accel_attention_limits.h"

#include <limits.h>
#include <stdio.h>

static size_t ocl_round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

/* Group size for row kernels: enough work-items to cover a row, capped at 256. */
static size_t ocl_row_group(ocl_device *dev, int64_t cols) {
    size_t want = cols >= 256 ? 256 : (size_t)cols;
    if (want < 16)
        want = 16;
    return ocl_pow2_group(dev, want);
}

/* Refits the row group when the compiled kernel allows fewer work-items than planned. */
static int ocl_kernel_allows(ocl_plan *plan, size_t wg) {
    size_t kwg = 0;
    plan->dev->cl->clGetKernelWorkGroupInfo(plan->kernel, plan->dev->id, CL_KERNEL_WORK_GROUP_SIZE,
                                            sizeof(kwg), &kwg, NULL);
    return kwg == 0 || kwg >= wg;
}

/* Sets the scalar arguments; `empty` makes the problem empty and binds dummy buffers (warm-up). */
typedef accel_status (*ocl_args_fn)(ocl_plan *plan, int empty);

typedef struct ocl_scalar {
    size_t size;
    const void *value;
} ocl_scalar;

/* Arguments 0..n-1 from `v`; with `empty`, also a dummy buffer for each of the nrefs (buffer,
 * offset) pairs that follow them. */
static accel_status ocl_set_args(ocl_plan *plan, const ocl_scalar *v, cl_uint n, cl_uint nrefs, int empty) {
    accel_status st = ACCEL_OK;
    for (cl_uint i = 0; i < n && st == ACCEL_OK; i++)
        st = ocl_arg(plan, i, v[i].size, v[i].value);
    for (cl_uint i = 0; empty && i < nrefs && st == ACCEL_OK; i++)
        st = ocl_arg_ref(plan, n + 2 * i, (accel_plugin_ref){NULL, 0}, 1);
    return st;
}

/* The common tail of every planner here: one warm-up launch on an empty problem, then the real
 * arguments, then the execute function. */
static accel_status ocl_plan_finish(ocl_plan *plan, ocl_args_fn args, ocl_plan_exec_fn exec) {
    accel_status st = args(plan, 1);
    if (st == ACCEL_OK)
        st = ocl_plan_warm_up(plan);
    if (st == ACCEL_OK)
        st = args(plan, 0);
    if (st == ACCEL_OK)
        plan->exec = exec;
    return st;
}

/* One work-group per row of `cols`, DTYPE-specialised; halves the group until the compiled kernel
 * accepts it. *wg and *cache describe the result for the algorithm string. */
static accel_status ocl_plan_rows(ocl_plan *plan, const char *name, accel_dtype dtype, int64_t rows,
                                  int64_t cols, ocl_args_fn args, ocl_plan_exec_fn exec, size_t *wg,
                                  const char **cache) {
    ocl_device *dev = plan->dev;
    int dt = ocl_storage_code(dev, dtype, name);
    if (dt < 0)
        return ACCEL_ERR_UNIMPLEMENTED;
    if (cols > INT_MAX)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "opencl %s: cols above 2^31", name);
    char entry[48];
    snprintf(entry, sizeof(entry), "accel_%s", name);
    for (*wg = ocl_row_group(dev, cols); *wg >= 1; *wg /= 2) {
        char opts[64];
        snprintf(opts, sizeof(opts), "-DWG=%zu -DDTYPE=%d", *wg, dt);
        accel_status st = ocl_plan_kernel(plan, name, opts, entry, cache);
        if (st != ACCEL_OK)
            return st;
        if (!ocl_kernel_allows(plan, *wg)) {
            dev->cl->clReleaseKernel(plan->kernel);
            plan->kernel = NULL;
            continue;
        }
        plan->local[0] = *wg;
        plan->global[0] = *wg * (size_t)rows;
        return ocl_plan_finish(plan, args, exec);
    }
    return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "opencl %s: no work-group fits", name);
}

/* One work-item per element, groups of up to 256 (fewer when the kernel allows fewer). */
static accel_status ocl_plan_elements(ocl_plan *plan, const char *name, const char *opts, size_t count,
                                      ocl_args_fn args, ocl_plan_exec_fn exec, size_t *wg,
                                      const char **cache) {
    ocl_device *dev = plan->dev;
    char entry[48];
    snprintf(entry, sizeof(entry), "accel_%s", name);
    accel_status st = ocl_plan_kernel(plan, name, opts, entry, cache);
    if (st != ACCEL_OK)
        return st;
    size_t kwg = 0;
    *wg = ocl_pow2_group(dev, 256);
    dev->cl->clGetKernelWorkGroupInfo(plan->kernel, dev->id, CL_KERNEL_WORK_GROUP_SIZE, sizeof(kwg),
                                      &kwg, NULL);
    while (kwg && *wg > kwg)
        *wg /= 2;
    plan->local[0] = *wg;
    plan->global[0] = ocl_round_up(count, *wg);
    return ocl_plan_finish(plan, args, exec);
}

/* ---- layernorm: args cols, eps, has_residual, X, x_off, R, r_off, gamma, g_off, beta, b_off, Y,
 * y_off ---- */

static accel_status ocl_layernorm_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    const accel_layernorm_desc *d = &plan->desc.u.layernorm;
    size_t es = ocl_dtype_size(d->dtype);
    if (d->has_residual && !ops[1].buffer)
        return plan->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                          "opencl layernorm: residual operand missing");
    accel_status st = ACCEL_OK;
    for (cl_uint i = 0; i < 5 && st == ACCEL_OK; i++)
        st = ocl_arg_ref(plan, 3 + 2 * i, ops[i], es);
    return st == ACCEL_OK ? ocl_plan_enqueue(plan, s) : st;
}

static accel_status ocl_layernorm_args(ocl_plan *plan, int empty) {
    const accel_layernorm_desc *d = &plan->desc.u.layernorm;
    cl_int cols = empty ? 0 : (cl_int)d->cols, res = d->has_residual ? 1 : 0;
    cl_float eps = (cl_float)d->eps;
    const ocl_scalar v[] = {{sizeof(cols), &cols}, {sizeof(eps), &eps}, {sizeof(res), &res}};
    return ocl_set_args(plan, v, 3, 5, empty);
}

accel_status ocl_plan_layernorm(ocl_plan *plan, accel_plugin_plan_info *info) {
    const accel_layernorm_desc *d = &plan->desc.u.layernorm;
    size_t wg = 0;
    const char *cache = "";
    accel_status st = ocl_plan_rows(plan, "layernorm", d->dtype, d->rows, d->cols, ocl_layernorm_args,
                                    ocl_layernorm_exec, &wg, &cache);
    if (st == ACCEL_OK)
        snprintf(info->algorithm, sizeof(info->algorithm),
                 "layernorm.cl row-per-group wg %zu two-pass fp32 cache=%s", wg, cache);
    return st;
}

/* ---- softmax: args cols, scale, has_mask, rows_per_mask_row, X, x_off, mask, mask_off, Y, y_off */

static accel_status ocl_softmax_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    const accel_softmax_desc *d = &plan->desc.u.softmax;
    size_t es = ocl_dtype_size(d->dtype);
    cl_int has_mask = ops[1].buffer != NULL;
    if (has_mask && d->rows_per_mask_row < 1)
        return plan->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                          "opencl softmax: a mask needs rows_per_mask_row >= 1");
    accel_status st = ocl_arg(plan, 2, sizeof(has_mask), &has_mask);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(plan, 4, ops[0], es);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(plan, 6, ops[1], sizeof(float));
    if (st == ACCEL_OK)
        st = ocl_arg_ref(plan, 8, ops[2], es);
    return st == ACCEL_OK ? ocl_plan_enqueue(plan, s) : st;
}

static accel_status ocl_softmax_args(ocl_plan *plan, int empty) {
    const accel_softmax_desc *d = &plan->desc.u.softmax;
    cl_int cols = empty ? 0 : (cl_int)d->cols, has_mask = 0;
    cl_float scale = (cl_float)d->scale;
    cl_long rpm = d->rows_per_mask_row > 0 ? d->rows_per_mask_row : 1;
    const ocl_scalar v[] = {{sizeof(cols), &cols}, {sizeof(scale), &scale}, {sizeof(has_mask), &has_mask},
                            {sizeof(rpm), &rpm}};
    return ocl_set_args(plan, v, 4, 3, empty);
}

accel_status ocl_plan_softmax(ocl_plan *plan, accel_plugin_plan_info *info) {
    const accel_softmax_desc *d = &plan->desc.u.softmax;
    size_t wg = 0;
    const char *cache = "";
    accel_status st = ocl_plan_rows(plan, "softmax", d->dtype, d->rows, d->cols, ocl_softmax_args,
                                    ocl_softmax_exec, &wg, &cache);
    if (st == ACCEL_OK)
        snprintf(info->algorithm, sizeof(info->algorithm), "softmax.cl row-per-group wg %zu fp32 cache=%s",
                 wg, cache);
    return st;
}

/* ---- attention: args seq, head_dim, scale, has_mask, Q, q_off, K, k_off, V, v_off, mask,
 * mask_off, O, o_off; grid (WG * seq, heads, batch) ---- */


static accel_status ocl_attention_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    size_t es = ocl_dtype_size(plan->desc.u.attention.dtype);
    cl_int has_mask = ops[3].buffer != NULL;
    accel_status st = ocl_arg(plan, 3, sizeof(has_mask), &has_mask);
    for (cl_uint i = 0; i < 5 && st == ACCEL_OK; i++)
        st = ocl_arg_ref(plan, 4 + 2 * i, ops[i], i == 3 ? sizeof(float) : es);
    return st == ACCEL_OK ? ocl_plan_enqueue(plan, s) : st;
}

static accel_status ocl_attention_args(ocl_plan *plan, int empty) {
    const accel_attention_desc *d = &plan->desc.u.attention;
    /* the warm-up keeps the real grid: with seq and head_dim 0 no group touches the dummy buffers */
    cl_int seq = empty ? 0 : (cl_int)d->seq, dim = empty ? 0 : (cl_int)d->head_dim, has_mask = 0;
    cl_float scale = (cl_float)d->scale;
    const ocl_scalar v[] = {{sizeof(seq), &seq}, {sizeof(dim), &dim}, {sizeof(scale), &scale},
                            {sizeof(has_mask), &has_mask}};
    return ocl_set_args(plan, v, 4, 5, empty);
}

accel_status ocl_plan_attention(ocl_plan *plan, accel_plugin_plan_info *info) {
    ocl_device *dev = plan->dev;
    const accel_attention_desc *d = &plan->desc.u.attention;
    if (!accel_compute_is_fp32_on(d->compute, d->dtype))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl attention: compute type %d (the kernel computes in fp32)",
                                    (int)d->compute);
    if (d->seq > ACCEL_ATTENTION_MAX_SEQ || d->head_dim > ACCEL_ATTENTION_MAX_DIM)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl attention: seq %lld / head_dim %lld above the kernel's %d / %d "
                                    "(a row's scores sit in local memory)", (long long)d->seq,
                                    (long long)d->head_dim, ACCEL_ATTENTION_MAX_SEQ, ACCEL_ATTENTION_MAX_DIM);
    plan->global[1] = (size_t)d->heads;
    plan->global[2] = (size_t)d->batch;
    size_t wg = 0;
    const char *cache = "";
    accel_status st = ocl_plan_rows(plan, "attention", d->dtype, d->seq, d->seq, ocl_attention_args,
                                    ocl_attention_exec, &wg, &cache);
    if (st == ACCEL_OK)
        snprintf(info->algorithm, sizeof(info->algorithm),
                 "attention.cl group-per-query-row wg %zu, scores in local memory, fp32 cache=%s", wg, cache);
    return st;
}

/* ---- eltwise: args kind, count, cols, alpha, beta, X, x_off, Z, z_off, Y, y_off ---- */

static int ocl_eltwise_binary(accel_eltwise_kind k) {
    return k == ACCEL_ELTWISE_ADD || k == ACCEL_ELTWISE_MUL || k == ACCEL_ELTWISE_BIAS_ADD;
}

static accel_status ocl_eltwise_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    const accel_eltwise_desc *d = &plan->desc.u.eltwise;
    size_t es = ocl_dtype_size(d->dtype);
    if (ocl_eltwise_binary(d->kind) && !ops[1].buffer)
        return plan->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                          "opencl eltwise: Z operand missing");
    accel_status st = ACCEL_OK;
    for (cl_uint i = 0; i < 3 && st == ACCEL_OK; i++)
        st = ocl_arg_ref(plan, 5 + 2 * i, ocl_eltwise_binary(d->kind) || i != 1 ? ops[i] : (accel_plugin_ref){NULL, 0}, es);
    return st == ACCEL_OK ? ocl_plan_enqueue(plan, s) : st;
}

static accel_status ocl_eltwise_args(ocl_plan *plan, int empty) {
    const accel_eltwise_desc *d = &plan->desc.u.eltwise;
    cl_int kind = (cl_int)d->kind;
    cl_long count = empty ? 0 : d->count, cols = d->cols > 0 ? d->cols : 1;
    cl_float alpha = (cl_float)d->alpha, beta = (cl_float)d->beta;
    const ocl_scalar v[] = {{sizeof(kind), &kind}, {sizeof(count), &count}, {sizeof(cols), &cols},
                            {sizeof(alpha), &alpha}, {sizeof(beta), &beta}};
    return ocl_set_args(plan, v, 5, 3, empty);
}

accel_status ocl_plan_eltwise(ocl_plan *plan, accel_plugin_plan_info *info) {
    ocl_device *dev = plan->dev;
    const accel_eltwise_desc *d = &plan->desc.u.eltwise;
    if (d->kind < ACCEL_ELTWISE_COPY || d->kind > ACCEL_ELTWISE_BIAS_ADD)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "opencl eltwise: kind %d", (int)d->kind);
    if (d->kind == ACCEL_ELTWISE_BIAS_ADD && d->cols <= 0)
        return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "opencl eltwise: bias add needs cols");
    int dt = ocl_storage_code(dev, d->dtype, "eltwise");
    if (dt < 0)
        return ACCEL_ERR_UNIMPLEMENTED;
    char opts[32];
    snprintf(opts, sizeof(opts), "-DDTYPE=%d", dt);
    size_t wg = 0;
    const char *cache = "";
    accel_status st = ocl_plan_elements(plan, "eltwise", opts, (size_t)d->count, ocl_eltwise_args,
                                        ocl_eltwise_exec, &wg, &cache);
    if (st == ACCEL_OK)
        snprintf(info->algorithm, sizeof(info->algorithm), "eltwise.cl wg %zu cache=%s", wg, cache);
    return st;
}

/* ---- permute: args count, ndims, d0..d5, s0..s5, X, x_off, Y, y_off ---- */

static accel_status ocl_permute_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    size_t es = ocl_dtype_size(plan->desc.u.permute.dtype);
    accel_status st = ocl_arg_ref(plan, 14, ops[0], es);
    if (st == ACCEL_OK)
        st = ocl_arg_ref(plan, 16, ops[1], es);
    return st == ACCEL_OK ? ocl_plan_enqueue(plan, s) : st;
}

static cl_long ocl_permute_count(const accel_permute_desc *d) {
    cl_long count = 1;
    for (int i = 0; i < d->ndims; i++)
        count *= d->dims[i];
    return count;
}

static accel_status ocl_permute_args(ocl_plan *plan, int empty) {
    const accel_permute_desc *d = &plan->desc.u.permute;
    cl_long in_stride[ACCEL_PERMUTE_MAX_DIMS], out_dims[6], strides[6];
    cl_long acc = 1;
    for (int i = d->ndims - 1; i >= 0; i--) {
        in_stride[i] = acc;
        acc *= d->dims[i];
    }
    for (int i = 0; i < 6; i++) {
        out_dims[i] = i < d->ndims ? d->dims[d->perm[i]] : 1;
        strides[i] = i < d->ndims ? in_stride[d->perm[i]] : 0;
    }
    cl_long n = empty ? 0 : ocl_permute_count(d);
    cl_int nd = d->ndims;
    accel_status st = ocl_arg(plan, 0, sizeof(n), &n);
    if (st == ACCEL_OK)
        st = ocl_arg(plan, 1, sizeof(nd), &nd);
    for (cl_uint i = 0; i < 6 && st == ACCEL_OK; i++) {
        st = ocl_arg(plan, 2 + i, sizeof(cl_long), &out_dims[i]);
        if (st == ACCEL_OK)
            st = ocl_arg(plan, 8 + i, sizeof(cl_long), &strides[i]);
    }
    for (cl_uint i = 0; empty && i < 2 && st == ACCEL_OK; i++)
        st = ocl_arg_ref(plan, 14 + 2 * i, (accel_plugin_ref){NULL, 0}, 1);
    return st;
}

accel_status ocl_plan_permute(ocl_plan *plan, accel_plugin_plan_info *info) {
    ocl_device *dev = plan->dev;
    const accel_permute_desc *d = &plan->desc.u.permute;
    size_t es = ocl_dtype_size(d->dtype);
    if (es != 2 && es != 4 && es != 8)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl permute: element size %zu (2, 4 or 8 bytes only)", es);
    if (d->ndims < 1 || d->ndims > ACCEL_PERMUTE_MAX_DIMS)
        return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "opencl permute: ndims %d", d->ndims);
    char opts[32];
    snprintf(opts, sizeof(opts), "-DELEM_BYTES=%zu", es);
    size_t wg = 0;
    const char *cache = "";
    accel_status st = ocl_plan_elements(plan, "permute", opts, (size_t)ocl_permute_count(d), ocl_permute_args,
                                        ocl_permute_exec, &wg, &cache);
    if (st == ACCEL_OK)
        snprintf(info->algorithm, sizeof(info->algorithm), "permute.cl %dd wg %zu cache=%s", d->ndims, wg,
                 cache);
    return st;
}
