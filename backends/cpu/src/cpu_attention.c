/* Fused attention (library "accel"): O = softmax(scale Q K^T + mask) V per (batch, head), without
 * the S x S score matrix ever reaching memory. A thread takes one (batch, head) pair, widens its K
 * (transposed, D x S) and V (S x D) to fp32 once in its slice of the workspace, then streams the
 * query rows: one row of S scores, softmax in place, and P V accumulated into a D-float row. Both
 * inner loops walk contiguous fp32 (axpy form), so they vectorise without reassociating sums, and
 * the per-pair working set (2 S D + S + D floats: 98 KiB at S 384, D 64) stays in L2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu_dtype.h"
#include "cpu_internal.h"

typedef struct attention_plan {
    cpu_plan base;
    accel_attention_desc d;
    int threads;
    size_t thread_floats; /* workspace floats per thread */
} attention_plan;

static size_t thread_floats(const accel_attention_desc *d) {
    /* rounded to 16 floats so every thread's slice starts on a cache line */
    size_t n = (size_t)(2 * d->seq * d->head_dim + d->seq + d->head_dim);
    return (n + 15) / 16 * 16;
}

/* One query row: scores, masked softmax, weighted sum of V rows. */
static void attend_row(const float *q, const float *kt, const float *v, const float *mask, int64_t S,
                       int64_t D, float *scores, float *out) {
    for (int64_t j = 0; j < S; j++) scores[j] = mask ? mask[j] : 0.0f;
    for (int64_t e = 0; e < D; e++) {
        const float qe = q[e];
        const float *k = kt + e * S;
        for (int64_t j = 0; j < S; j++) scores[j] += qe * k[j];
    }
    float mx = -INFINITY;
    for (int64_t j = 0; j < S; j++) mx = scores[j] > mx ? scores[j] : mx;
    float sum = 0.0f;
    for (int64_t j = 0; j < S; j++) {
        scores[j] = expf(scores[j] - mx);
        sum += scores[j];
    }
    const float inv = 1.0f / sum;
    for (int64_t e = 0; e < D; e++) out[e] = 0.0f;
    for (int64_t j = 0; j < S; j++) {
        const float pj = scores[j] * inv;
        const float *vj = v + j * D;
        for (int64_t e = 0; e < D; e++) out[e] += pj * vj[e];
    }
}

static accel_status attention_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const attention_plan *p = (const attention_plan *)plan;
    const accel_attention_desc d = p->d;
    const void *Q = cpu_ref_ptr(ops[0]), *K = cpu_ref_ptr(ops[1]), *V = cpu_ref_ptr(ops[2]);
    const float *mask = cpu_ref_ptr(ops[3]);
    void *O = cpu_ref_ptr(ops[4]);
    const int64_t S = d.seq, D = d.head_dim, pairs = d.batch * d.heads;
    const float scale = (float)d.scale;
#pragma omp parallel for num_threads(p->threads) schedule(dynamic, 1)
    for (int64_t bh = 0; bh < pairs; bh++) {
#ifdef _OPENMP
        const int tid = omp_get_thread_num();
#else
        const int tid = 0;
#endif
        float *kt = (float *)ws + (size_t)tid * p->thread_floats;
        float *v = kt + S * D, *scores = v + S * D, *out = scores + S;
        float qs[512]; /* head_dim <= 512, checked at plan time */
        const int64_t base = bh * S * D;
        for (int64_t j = 0; j < S; j++)
            for (int64_t e = 0; e < D; e++) {
                kt[e * S + j] = cpu_load(d.dtype, K, base + j * D + e);
                v[j * D + e] = cpu_load(d.dtype, V, base + j * D + e);
            }
        const float *m = mask ? mask + (bh / d.heads) * S : NULL;
        for (int64_t i = 0; i < S; i++) {
            for (int64_t e = 0; e < D; e++) qs[e] = scale * cpu_load(d.dtype, Q, base + i * D + e);
            attend_row(qs, kt, v, m, S, D, scores, out);
            for (int64_t e = 0; e < D; e++) cpu_store(d.dtype, O, base + i * D + e, out[e]);
        }
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
    if (d->compute != ACCEL_COMPUTE_DEFAULT && d->compute != ACCEL_COMPUTE_F32 &&
        !(d->compute == ACCEL_COMPUTE_BF16 && d->dtype == ACCEL_DTYPE_BF16) &&
        !(d->compute == ACCEL_COMPUTE_F16 && d->dtype == ACCEL_DTYPE_F16))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu attention: compute type %d (it computes in fp32 from f32/bf16/f16 storage)",
                               (int)d->compute);
    if (d->head_dim > 512)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu attention: head_dim %lld above 512",
                               (long long)d->head_dim);
    attention_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    p->threads = ctx->threads;
    p->thread_floats = thread_floats(d);
    p->base.execute = attention_execute;
    p->base.destroy = attention_free;
    p->base.workspace_bytes = (size_t)p->threads * p->thread_floats * sizeof(float);
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm,
             "fused row-streaming attention, fp32, K^T/V widened per (batch, head), %d threads", p->threads);
    *out = &p->base;
    return ACCEL_OK;
}
