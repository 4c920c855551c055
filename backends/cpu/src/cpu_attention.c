/* Fused attention (library "accel"): O = softmax(scale Q K^T + mask) V per (batch, head). A thread
 * takes one (batch, head) pair at a time and keeps its S x S scores in its own slice of the
 * workspace (64 KiB at S 128, 576 KiB at S 384: cache-resident), so the score matrix of the whole
 * batch never exists in memory, unlike the composed GEMM + softmax path. Both products run on our
 * packed GEMM engine, single-threaded inside the pair loop: scores = scale Q K^T + mask (the mask
 * row is the GEMM's bias), softmax in place, then O = P V with the conversion to the storage type
 * in the GEMM's epilogue. In bf16, P is rounded to bf16 as softmax writes it (what the composed
 * path stores too), so P V runs on the bf16 pair kernel (vdpbf16ps on AVX512_BF16) instead of
 * widening V to fp32 for an fp32 product. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu_dtype.h"
#include "cpu_gemm_core.h"
#include "cpu_internal.h"
#include "cpu_softmax_row.h"

typedef struct attention_plan {
    cpu_plan base;
    accel_attention_desc d;
    cpu_gemm_problem qk, pv; /* per pair: scores = scale Q K^T (+ mask), O = P V */
    int threads;
    int p_bf16;          /* P stored as bf16 for a bf16 x bf16 P V */
    size_t thread_bytes; /* workspace bytes per thread: scores, P (bf16 only), GEMM scratch */
} attention_plan;

/* Softmax of each of `rows` rows of S floats: in place, or into p16 as bf16 when it is not NULL. */
static void softmax_rows(float *scores, uint16_t *p16, int64_t rows, int64_t S) {
    for (int64_t i = 0; i < rows; i++) {
        float *r = scores + i * S;
        const float inv = 1.0f / cpu_softmax_exp_row(r, S);
        if (p16) {
            cpu_softmax_scale_row(r, r, inv, S);
            for (int64_t j = 0; j < S; j++) p16[i * S + j] = cpu_f32_to_bf16(r[j]);
        }
        else
            cpu_softmax_scale_row(r, r, inv, S);
    }
}

/* Causal: query i sees keys 0..i; the scores above the diagonal become -inf (exp 0). */
static void drop_future_keys(float *scores, int64_t S) {
    for (int64_t i = 0; i < S; i++)
        for (int64_t j = i + 1; j < S; j++) scores[i * S + j] = -INFINITY;
}

static accel_status attention_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const attention_plan *p = (const attention_plan *)plan;
    const accel_attention_desc *d = &p->d;
    const char *Q = cpu_ref_ptr(ops[0]), *K = cpu_ref_ptr(ops[1]), *V = cpu_ref_ptr(ops[2]);
    const float *mask = cpu_ref_ptr(ops[3]);
    char *O = cpu_ref_ptr(ops[4]);
    const int64_t S = d->seq, pairs = d->batch * d->heads;
    const size_t pair_bytes = (size_t)(S * d->head_dim) * accel_dtype_bytes(d->dtype);
    cpu_gemm_problem qk = p->qk;
    if (!mask) qk.epilogue = ACCEL_EPILOGUE_NONE;
#pragma omp parallel for num_threads(p->threads) schedule(dynamic, 1)
    for (int64_t bh = 0; bh < pairs; bh++) {
#ifdef _OPENMP
        const int tid = omp_get_thread_num();
#else
        const int tid = 0;
#endif
        float *scores = (float *)((char *)ws + (size_t)tid * p->thread_bytes);
        uint16_t *p16 = p->p_bf16 ? (uint16_t *)(scores + S * S) : NULL;
        void *gemm_ws = p16 ? (void *)(p16 + ((S * S + 31) & ~(int64_t)31)) : (void *)(scores + S * S);
        const size_t off = (size_t)bh * pair_bytes;
        const float *mask_row = mask ? mask + (bh / d->heads) * S : NULL;
        cpu_gemm_run(&qk, Q + off, K + off, NULL, mask_row, scores, gemm_ws, 1);
        if (d->causal) drop_future_keys(scores, S);
        softmax_rows(scores, p16, S, S);
        cpu_gemm_run(&p->pv, p16 ? (const void *)p16 : scores, V + off, NULL, NULL, O + off, gemm_ws, 1);
    }
    return ACCEL_OK;
}

static void attention_free(cpu_plan *plan) { free(plan); }

accel_status cpu_attention_plan(cpu_context *ctx, const accel_attention_desc *d, cpu_plan **out,
                                accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    if (!cpu_dtype_is_float(d->dtype))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu attention: dtype %d not supported (f32, bf16, f16)",
                               (int)d->dtype);
    if (!accel_compute_is_fp32_on(d->compute, d->dtype))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu attention: compute type %d (it computes in fp32 from f32/bf16/f16 storage)",
                               (int)d->compute);
    attention_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    const int64_t S = d->seq, D = d->head_dim;
    p->d = *d;
    p->threads = ctx->threads;
    /* scores (S x S, fp32) = scale Q (S x D) K^T: B(e, j) = K[j][e]; the mask row is a column bias */
    p->qk = (cpu_gemm_problem){.a_type = d->dtype, .b_type = d->dtype, .c_type = ACCEL_DTYPE_F32,
                               .d_type = ACCEL_DTYPE_F32, .bias_type = ACCEL_DTYPE_F32,
                               .m = S, .n = S, .k = D, .batch = 1,
                               .a_rs = D, .a_cs = 1, .b_rs = 1, .b_cs = D, .c_rs = S, .c_cs = 1, .d_rs = S, .d_cs = 1,
                               .alpha = (float)d->scale, .beta = 0.0f, .epilogue = ACCEL_EPILOGUE_BIAS};
    p->p_bf16 = d->dtype == ACCEL_DTYPE_BF16;
    /* O (S x D, storage type) = P (S x S, fp32; bf16 in bf16) V (S x D) */
    p->pv = (cpu_gemm_problem){.a_type = p->p_bf16 ? ACCEL_DTYPE_BF16 : ACCEL_DTYPE_F32, .b_type = d->dtype, .c_type = d->dtype,
                               .d_type = d->dtype, .bias_type = d->dtype, .m = S, .n = D, .k = S, .batch = 1,
                               .a_rs = S, .a_cs = 1, .b_rs = D, .b_cs = 1, .c_rs = D, .c_cs = 1, .d_rs = D, .d_cs = 1,
                               .alpha = 1.0f, .beta = 0.0f, .epilogue = ACCEL_EPILOGUE_NONE};
    size_t gemm_ws = cpu_gemm_workspace_bytes(&p->qk, 1), pv_ws = cpu_gemm_workspace_bytes(&p->pv, 1);
    gemm_ws = pv_ws > gemm_ws ? pv_ws : gemm_ws;
    const size_t p16_bytes = p->p_bf16 ? (size_t)((S * S + 31) & ~(int64_t)31) * sizeof(uint16_t) : 0;
    p->thread_bytes = ((size_t)(S * S) * sizeof(float) + p16_bytes + gemm_ws + 63) / 64 * 64;
    p->base.execute = attention_execute;
    p->base.destroy = attention_free;
    p->base.workspace_bytes = (size_t)p->threads * p->thread_bytes + 64;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm,
             "fused per (batch, head): scale Q K^T + mask%s -> softmax -> P%s V on the packed engine "
             "(%s), scores cache-resident, %d threads", d->causal ? " + causal" : "", p->p_bf16 ? " (bf16)" : "",
             cpu_gemm_kernel_name(&p->qk), p->threads);
    *out = &p->base;
    return ACCEL_OK;
}
