/* GEMM through CLBlast (library = "clblast"), so the reference library is measured as a row of its
 * own. CLBlast computes C = alpha op(A) op(B) + beta C in place: when D is not C, C is copied into D
 * first (enqueued in execute) and CLBlast updates D. Epilogues are not part of CLBlast's GEMM, so
 * they answer UNIMPLEMENTED. CLBlast compiles its kernels on first use: plan_create runs the
 * routine once on scratch buffers so that happens outside timed work. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_ops.h"

#include <CL/cl_half.h>
#include <stdio.h>
#include <string.h>

static int64_t ocl_or(int64_t v, int64_t dflt) { return v ? v : dflt; }

typedef struct ocl_blas_geom {
    size_t m, n, k, lda, ldb, ldc, sa, sb, sc, batch;
} ocl_blas_geom;

static ocl_blas_geom ocl_blas_geom_of(const accel_gemm_desc *g) {
    ocl_blas_geom q;
    q.m = (size_t)g->m;
    q.n = (size_t)g->n;
    q.k = (size_t)g->k;
    q.lda = (size_t)ocl_or(g->lda, g->trans_a ? g->m : g->k);
    q.ldb = (size_t)ocl_or(g->ldb, g->trans_b ? g->k : g->n);
    q.ldc = (size_t)ocl_or(g->ldd, g->n); /* CLBlast writes D */
    q.sa = (size_t)ocl_or(g->stride_a, (g->trans_a ? g->k : g->m) * (int64_t)q.lda);
    q.sb = (size_t)ocl_or(g->stride_b, (g->trans_b ? g->n : g->k) * (int64_t)q.ldb);
    q.sc = (size_t)ocl_or(g->stride_d, g->m * (int64_t)q.ldc);
    q.batch = (size_t)(g->batch > 0 ? g->batch : 1);
    return q;
}

static accel_status ocl_clblast_call(ocl_plan *plan, cl_command_queue queue, cl_mem a, size_t ao,
                                     cl_mem b, size_t bo, cl_mem c, size_t co,
                                     const ocl_blas_geom *q) {
    ocl_device *dev = plan->dev;
    const ocl_clblast_api *api = &dev->ctx->clblast;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    int ta = g->trans_a ? OCL_CLBLAST_TRANS_YES : OCL_CLBLAST_TRANS_NO;
    int tb = g->trans_b ? OCL_CLBLAST_TRANS_YES : OCL_CLBLAST_TRANS_NO;
    int rc;
    const char *fn;
    if (g->a_type == ACCEL_DTYPE_F32) {
        float alpha = (float)g->alpha, beta = (float)g->beta;
        if (q->batch == 1) {
            fn = "CLBlastSgemm";
            rc = api->sgemm(OCL_CLBLAST_ROW_MAJOR, ta, tb, q->m, q->n, q->k, alpha, a, ao, q->lda, b,
                            bo, q->ldb, beta, c, co, q->ldc, &queue, NULL);
        } else {
            fn = "CLBlastSgemmStridedBatched";
            rc = api->sgemm_strided(OCL_CLBLAST_ROW_MAJOR, ta, tb, q->m, q->n, q->k, alpha, a, ao,
                                    q->lda, q->sa, b, bo, q->ldb, q->sb, beta, c, co, q->ldc, q->sc,
                                    q->batch, &queue, NULL);
        }
    } else {
        cl_half alpha = cl_half_from_float((cl_float)g->alpha, CL_HALF_RTE);
        cl_half beta = cl_half_from_float((cl_float)g->beta, CL_HALF_RTE);
        if (q->batch == 1) {
            fn = "CLBlastHgemm";
            rc = api->hgemm(OCL_CLBLAST_ROW_MAJOR, ta, tb, q->m, q->n, q->k, alpha, a, ao, q->lda, b,
                            bo, q->ldb, beta, c, co, q->ldc, &queue, NULL);
        } else {
            fn = "CLBlastHgemmStridedBatched";
            rc = api->hgemm_strided(OCL_CLBLAST_ROW_MAJOR, ta, tb, q->m, q->n, q->k, alpha, a, ao,
                                    q->lda, q->sa, b, bo, q->ldb, q->sb, beta, c, co, q->ldc, q->sc,
                                    q->batch, &queue, NULL);
        }
    }
    if (rc != 0) {
        /* Codes above -1000 are OpenCL's own; CLBlast's start at -1024. */
        const char *name = rc > -1000 ? ocl_error_name(rc) : "CLBlast status";
        return dev->host->set_error(rc > -1000 ? ocl_status_of(rc) : ACCEL_ERR_DEVICE,
                                    "%s: %s (%d)", fn, name, rc);
    }
    return ACCEL_OK;
}

static accel_status ocl_clblast_exec(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    ocl_device *dev = plan->dev;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    size_t es = accel_dtype_bytes(g->a_type);
    for (int i = 0; i < 4; i++)
        if (ops[i].buffer && ops[i].offset % es)
            return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                        "clblast: operand %d offset %zu is not a multiple of %zu", i,
                                        ops[i].offset, es);
    ocl_blas_geom q = ocl_blas_geom_of(g);
    ocl_buffer *a = ops[0].buffer, *b = ops[1].buffer, *c = ops[2].buffer, *d = ops[3].buffer;
    if (g->beta != 0.0) {
        if (!c)
            return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "clblast: beta != 0 needs C");
        if (c != d || ops[2].offset != ops[3].offset) {
            size_t ldc = (size_t)ocl_or(g->ldc, g->n), sc = (size_t)ocl_or(g->stride_c, g->m * (int64_t)ldc);
            for (size_t bi = 0; bi < q.batch; bi++) {
                size_t src_org[3] = {ops[2].offset + bi * sc * es, 0, 0};
                size_t dst_org[3] = {ops[3].offset + bi * q.sc * es, 0, 0};
                size_t region[3] = {q.n * es, q.m, 1};
                cl_int err = dev->cl->clEnqueueCopyBufferRect(s->queue, c->mem, d->mem, src_org,
                                                              dst_org, region, ldc * es, 0,
                                                              q.ldc * es, 0, 0, NULL, NULL);
                OCL_CHECK(dev, "clEnqueueCopyBufferRect (C into D for CLBlast)", err);
            }
        }
    }
    return ocl_clblast_call(plan, s->queue, a->mem, ops[0].offset / es, b->mem, ops[1].offset / es,
                            d->mem, ops[3].offset / es, &q);
}

/* Runs the routine once on zero-filled scratch shaped like the real problem (capped in size, in
 * which case a smaller square problem still compiles CLBlast's program). */
static accel_status ocl_clblast_warm_up(ocl_plan *plan) {
    ocl_device *dev = plan->dev;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    size_t es = accel_dtype_bytes(g->a_type);
    ocl_blas_geom q = ocl_blas_geom_of(g);
    size_t rows_a = g->trans_a ? q.k : q.m, rows_b = g->trans_b ? q.n : q.k;
    size_t need_a = (q.batch - 1) * q.sa + rows_a * q.lda, need_b = (q.batch - 1) * q.sb + rows_b * q.ldb;
    size_t need_c = (q.batch - 1) * q.sc + q.m * q.ldc;
    if ((need_a + need_b + need_c) * es > ((size_t)256 << 20)) {
        q.m = q.n = q.k = q.lda = q.ldb = q.ldc = 64;
        q.sa = q.sb = q.sc = 64 * 64;
        need_a = need_b = need_c = q.batch * 64 * 64;
    }
    cl_int err = CL_SUCCESS;
    cl_mem bufs[3] = {NULL, NULL, NULL};
    size_t sizes[3] = {need_a * es, need_b * es, need_c * es};
    accel_status st = ACCEL_OK;
    for (int i = 0; i < 3 && st == ACCEL_OK; i++) {
        bufs[i] = dev->cl->clCreateBuffer(dev->context, CL_MEM_READ_WRITE, sizes[i], NULL, &err);
        if (!bufs[i])
            st = ocl_fail(dev, ocl_status_of(err), "clCreateBuffer (clblast warm-up)", err);
        else {
            const cl_uchar zero = 0;
            err = dev->cl->clEnqueueFillBuffer(dev->internal_queue, bufs[i], &zero, 1, 0, sizes[i],
                                               0, NULL, NULL);
            if (err != CL_SUCCESS)
                st = ocl_fail(dev, ocl_status_of(err), "clEnqueueFillBuffer", err);
        }
    }
    if (st == ACCEL_OK)
        st = ocl_clblast_call(plan, dev->internal_queue, bufs[0], 0, bufs[1], 0, bufs[2], 0, &q);
    dev->cl->clFinish(dev->internal_queue);
    for (int i = 0; i < 3; i++)
        if (bufs[i])
            dev->cl->clReleaseMemObject(bufs[i]);
    return st;
}

accel_status ocl_plan_gemm_clblast(ocl_plan *plan, accel_plugin_plan_info *info) {
    ocl_device *dev = plan->dev;
    const ocl_clblast_api *api = &dev->ctx->clblast;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    snprintf(info->library, sizeof(info->library), "clblast");
    if (!api->lib)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "clblast: libclblast.so.1 is not installed (apt install libclblast1)");
    if (g->epilogue != ACCEL_EPILOGUE_NONE)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "clblast: GEMM epilogues (bias/activation) are not part of "
                                    "CLBlast's GEMM; use library accel");
    if (g->compute == ACCEL_COMPUTE_TF32)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "clblast: no TF32 compute");
    int f32 = g->a_type == ACCEL_DTYPE_F32 && g->b_type == ACCEL_DTYPE_F32 &&
              g->d_type == ACCEL_DTYPE_F32 &&
              (g->compute == ACCEL_COMPUTE_DEFAULT || g->compute == ACCEL_COMPUTE_F32);
    int f16 = g->a_type == ACCEL_DTYPE_F16 && g->b_type == ACCEL_DTYPE_F16 &&
              g->d_type == ACCEL_DTYPE_F16 &&
              (g->compute == ACCEL_COMPUTE_DEFAULT || g->compute == ACCEL_COMPUTE_F16);
    if (f16 && (!dev->has_fp16 || !api->hgemm || !api->hgemm_strided))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "clblast: fp16 GEMM needs a device with cl_khr_fp16 (%s has none)",
                                    dev->name);
    if (!f32 && !f16)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "clblast: only f32 (and f16 on cl_khr_fp16 devices) with "
                                    "matching storage of A, B, C, D");
    if (g->beta != 0.0 && g->c_type != ACCEL_DTYPE_INVALID && g->c_type != g->d_type)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "clblast: C must have D's type");
    accel_status st = ocl_clblast_warm_up(plan);
    if (st != ACCEL_OK)
        return st;
    plan->exec = ocl_clblast_exec;
    snprintf(info->algorithm, sizeof(info->algorithm), "CLBlast%sgemm%s%s%s",
             f32 ? "S" : "H", g->batch > 1 ? "StridedBatched" : "", g->trans_a ? " TA" : "",
             g->trans_b ? " TB" : "");
    return ACCEL_OK;
}
