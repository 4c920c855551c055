/* GEMM plan on our own engine: the description becomes strides, compute runs in fp32. */
#include <stdio.h>
#include <stdlib.h>

#include "cpu_dtype.h"
#include "cpu_gemm_core.h"
#include "cpu_gemm_desc.h"
#include "cpu_internal.h"

typedef struct gemm_accel_plan {
    cpu_plan base;
    cpu_gemm_problem problem;
    int threads;
} gemm_accel_plan;

static accel_status gemm_accel_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    gemm_accel_plan *p = (gemm_accel_plan *)plan;
    const cpu_gemm_problem *g = &p->problem;
    cpu_gemm_problem scaled;
    const float *a_scale = cpu_ref_ptr(ops[5]), *b_scale = cpu_ref_ptr(ops[6]);
    if (a_scale || b_scale) {
        /* fp8 dequantisation scales multiply every product, so they fold into alpha; read at
         * execute because a pipeline rewrites them between runs */
        scaled = *g;
        scaled.alpha *= (a_scale ? *a_scale : 1.0f) * (b_scale ? *b_scale : 1.0f);
        g = &scaled;
    }
    cpu_gemm_run(g, cpu_ref_ptr(ops[0]), cpu_ref_ptr(ops[1]), cpu_ref_ptr(ops[2]), cpu_ref_ptr(ops[4]),
                 cpu_ref_ptr(ops[3]), ws, p->threads);
    return ACCEL_OK;
}

static void gemm_accel_destroy(cpu_plan *plan) { free(plan); }

accel_status cpu_gemm_plan_accel(cpu_context *ctx, const accel_gemm_desc *d, cpu_plan **out,
                                 accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    accel_status st = cpu_gemm_check_types(host, "cpu/accel gemm", d, 1);
    if (st != ACCEL_OK) return st;
    if (d->epilogue & ~(ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU | ACCEL_EPILOGUE_GELU_ERF |
                        ACCEL_EPILOGUE_GELU_TANH))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/accel gemm: epilogue 0x%x not supported", d->epilogue);
    gemm_accel_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    cpu_gemm_dims r = cpu_gemm_dims_resolve(d);
    cpu_gemm_problem *g = &p->problem;
    g->a_type = d->a_type;
    g->b_type = d->b_type;
    g->c_type = d->c_type;
    g->d_type = d->d_type;
    g->bias_type = r.bias_type;
    g->m = d->m;
    g->n = d->n;
    g->k = d->k;
    g->batch = d->batch > 0 ? d->batch : 1;
    g->a_rs = d->trans_a ? 1 : r.lda;
    g->a_cs = d->trans_a ? r.lda : 1;
    g->b_rs = d->trans_b ? 1 : r.ldb;
    g->b_cs = d->trans_b ? r.ldb : 1;
    g->c_rs = r.ldc;
    g->c_cs = 1;
    g->d_rs = r.ldd;
    g->d_cs = 1;
    g->a_bs = r.stride_a;
    g->b_bs = r.stride_b;
    g->c_bs = r.stride_c;
    g->d_bs = r.stride_d;
    g->bias_bs = r.stride_bias;
    g->alpha = (float)d->alpha;
    g->beta = (float)d->beta;
    g->epilogue = d->epilogue;
    p->threads = ctx->threads;
    p->base.execute = gemm_accel_execute;
    p->base.destroy = gemm_accel_destroy;
    p->base.workspace_bytes = cpu_gemm_workspace_bytes(g, p->threads);
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "packed %s, %d threads%s",
             cpu_gemm_kernel_name(g), p->threads,
             accel_dtype_is_fp8(d->a_type) ? ", fp8 widened to fp32 while packing (no fp8 units)" : "");
    *out = &p->base;
    return ACCEL_OK;
}
