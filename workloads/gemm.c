/* gemm: D = act(A B + bias) over square, odd, DeepBench and BERT projection shapes. */
#include "gemm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALL_DTYPES ((1u << AWL_FP32) | (1u << AWL_TF32) | (1u << AWL_FP16) | (1u << AWL_BF16))
/* fp8 where a config fixes no layout (square, BERT projections): its rows store B as n x k, the
 * layout fp8 GEMM libraries run (weights as [out, in]). DeepBench configs keep their NN/TN/NT. */
#define LINEAR_DTYPES (ALL_DTYPES | (1u << AWL_FP8))

typedef struct gemm_config {
    awl_config cfg; /* first: config_at hands out &cfg and setup casts back */
    int trans_a, trans_b;
    uint32_t epilogue;
} gemm_config;

#define SQ(id, nn, q, s) {{id, "square " id, 1, nn, nn, nn, LINEAR_DTYPES, q, s}, 0, 0, 0}
#define DB(id, mm, nn, kk, ta, tb, s) \
    {{"deepbench-" id, "DeepBench " id, 1, mm, nn, kk, ALL_DTYPES, 0, s}, ta, tb, 0}
/* BERT projections: M = batch * seq, (N, K) = (3H, H) qkv, (H, H) out, (F, H) ffn1, (H, F) ffn2. */
#define BERT(model, b, S, H, F, s)                                                                    \
    {{"bert-" model "-qkv-b" #b, "BERT-" model " QKV projection, batch " #b, 1, b * S, 3 * H, H,       \
      LINEAR_DTYPES, 0, s}, 0, 0, 0},                                                                  \
    {{"bert-" model "-out-b" #b, "BERT-" model " attention output projection, batch " #b, 1, b * S,   \
      H, H, LINEAR_DTYPES, 0, s}, 0, 0, 0},                                                            \
    {{"bert-" model "-ffn1-b" #b, "BERT-" model " FFN up projection, batch " #b, 1, b * S, F, H,      \
      LINEAR_DTYPES, 0, s}, 0, 0, 0},                                                                  \
    {{"bert-" model "-ffn2-b" #b, "BERT-" model " FFN down projection, batch " #b, 1, b * S, H, F,    \
      LINEAR_DTYPES, 0, 0}, 0, 0, 0}

static const gemm_config gemm_configs[] = {
    SQ("1024", 1024, 1, 1),
    SQ("2048", 2048, 1, 1),
    SQ("4096", 4096, 0, 1),
    SQ("8192", 8192, 0, 0),
    SQ("1000", 1000, 0, 1),
    SQ("3000", 3000, 0, 0),
    SQ("6145", 6145, 0, 0),
    DB("1760x128x1760-NN", 1760, 128, 1760, 0, 0, 1),
    DB("2560x64x2560-NN", 2560, 64, 2560, 0, 0, 0),
    DB("5124x9124x2560-TN", 5124, 9124, 2560, 1, 0, 0),
    DB("3072x128x1024-TN", 3072, 128, 1024, 1, 0, 1),
    DB("2048x7133x2048-NT", 2048, 7133, 2048, 0, 1, 0),
    DB("35x700x2048-NN", 35, 700, 2048, 0, 0, 1),
    DB("7680x1x2560-NN", 7680, 1, 2560, 0, 0, 1),
    DB("8448x24000x2816-NN", 8448, 24000, 2816, 0, 0, 0),
    BERT("base", 1, 128, 768, 3072, 0),
    BERT("base", 8, 128, 768, 3072, 1),
    BERT("base", 32, 128, 768, 3072, 0),
    BERT("large", 1, 384, 1024, 4096, 0),
    BERT("large", 8, 384, 1024, 4096, 0),
    BERT("large", 32, 384, 1024, 4096, 0),
    {{"2048-bias-gelu", "square 2048, bias + GELU(erf) epilogue", 1, 2048, 2048, 2048, LINEAR_DTYPES, 0,
      1}, 0, 0, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF},
    {{"2048-bias-relu", "square 2048, bias + ReLU epilogue", 1, 2048, 2048, 2048, LINEAR_DTYPES, 0, 0},
     0, 0, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU},
    {{"bert-base-ffn1-b8-bias-gelu", "BERT-base FFN up projection, batch 8, bias + GELU(erf)", 1,
      1024, 3072, 768, LINEAR_DTYPES, 0, 1}, 0, 0, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF},
    {{"bert-large-ffn1-b8-bias-gelu", "BERT-large FFN up projection, batch 8, bias + GELU(erf)", 1,
      3072, 4096, 1024, LINEAR_DTYPES, 0, 0}, 0, 0, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF},
};

/* fp8 rows: inputs spread over [-FP8_RANGE, FP8_RANGE) so e4m3's exponent range is used the way a
 * quantiser with per-tensor scaling uses it, and 1/FP8_RANGE as each dequantisation scale (a power
 * of two: the reference's folded alpha is exact). */
#define FP8_RANGE 256.0
#define WL_GEMM_SCALE_STRIDE 16 /* bytes between the two scales: keeps each 16-byte aligned */

/* Buffer sets rotated by --cold (one set when warm), each operand's sets packed in one buffer at
 * wl_set_stride() distances, so every set starts 256-byte aligned. */
#define GEMM_MAX_SETS 4096

typedef struct gemm_state {
    accel_device *dev;
    accel_gemm_desc desc;
    accel_op_plan *plan;
    wl_buffers bufs;
    accel_buffer *a, *b, *d; /* `sets` consecutive copies each */
    size_t a_bytes, b_bytes, d_bytes;
    size_t a_stride, b_stride, d_stride; /* distance between sets: bytes rounded up to 256 */
    accel_buffer *bias, *workspace;
    accel_buffer *scales; /* fp8: a_scale at offset 0, b_scale at WL_GEMM_SCALE_STRIDE */
    accel_gemm_desc verify_desc; /* desc with the fp8 scales folded into alpha, for the reference */
    size_t workspace_bytes;
    int sets, next, last;
    void *host_a, *host_b, *host_bias;
    char algorithm[192]; /* the plan's at setup, to notice a change during the run */
} gemm_state;

static size_t gemm_config_count(void) { return WL_ARRAY_LEN(gemm_configs); }

static const awl_config *gemm_config_at(size_t i) {
    return i < WL_ARRAY_LEN(gemm_configs) ? &gemm_configs[i].cfg : NULL;
}

static size_t gemm_libraries(accel_device *dev, const awl_config *cfg, const char **names, size_t max) {
    (void)cfg;
    return wl_device_libraries(dev, names, max);
}

void wl_gemm_teardown(void *state) {
    gemm_state *st = state;
    if (!st)
        return;
    if (st->dev)
        accel_device_synchronize(st->dev);
    accel_op_plan_destroy(st->plan);
    wl_free_all(&st->bufs);
    free(st->host_a);
    free(st->host_b);
    free(st->host_bias);
    free(st);
}

accel_status wl_gemm_setup_shape(accel_device *dev, accel_stream *stream, const wl_gemm_shape *shape,
                                 awl_dtype dtype, const awl_options *opt, void **state,
                                 awl_setup_info *info) {
    *state = NULL;
    wl_clear_error();
    accel_dtype t = wl_storage_type(dtype);
    if (t == ACCEL_DTYPE_INVALID)
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "gemm: no storage type for %s", awl_dtype_name(dtype));
    const int fp8 = dtype == AWL_FP8;
    const accel_dtype out_t = fp8 ? ACCEL_DTYPE_BF16 : t; /* fp8 in, bf16 out, as fp8 inference runs */
    accel_device_info dinfo;
    accel_status s = wl_device_info(dev, &dinfo);
    if (s != ACCEL_OK)
        return s;
    size_t es = accel_dtype_size(out_t), es_in = accel_dtype_size(t);
    uint64_t a_bytes = (uint64_t)(shape->m * shape->k * shape->batch) * es_in;
    uint64_t b_bytes = (uint64_t)(shape->k * shape->n * shape->batch) * es_in;
    uint64_t d_bytes = (uint64_t)(shape->m * shape->n * shape->batch) * es;
    uint64_t set_bytes = wl_set_stride(a_bytes) + wl_set_stride(b_bytes) + wl_set_stride(d_bytes);
    int sets = 1;
    if (opt && opt->cold && dinfo.cache_bytes) {
        uint64_t want = 2 * dinfo.cache_bytes;
        sets = (int)((want + set_bytes - 1) / set_bytes) + 1;
        sets = sets > GEMM_MAX_SETS ? GEMM_MAX_SETS : sets;
    }
    uint64_t largest = wl_set_stride(a_bytes) > wl_set_stride(b_bytes) ? wl_set_stride(a_bytes) : wl_set_stride(b_bytes);
    largest = wl_set_stride(d_bytes) > largest ? wl_set_stride(d_bytes) : largest;
    if (sets > 1 && dinfo.max_alloc_bytes && largest * (uint64_t)sets > dinfo.max_alloc_bytes) {
        uint64_t fit = dinfo.max_alloc_bytes / largest;
        sets = fit < 1 ? 1 : (int)fit;
    }
    char what[96];
    snprintf(what, sizeof what, "gemm %lldx%lldx%lld %s", (long long)shape->m, (long long)shape->n,
             (long long)shape->k, awl_dtype_name(dtype));
    if ((s = wl_check_fit(&dinfo, set_bytes * (uint64_t)sets + (uint64_t)shape->n * es,
                          largest * (uint64_t)sets, what)) != ACCEL_OK) {
        if (sets == 1)
            return s;
        /* Cold rotation does not fit: fewer sets, still one at least. */
        uint64_t budget = dinfo.memory_bytes ? (uint64_t)(0.8 * (double)dinfo.memory_bytes) : 0;
        sets = budget ? (int)(budget / set_bytes) : 1;
        sets = sets < 1 ? 1 : sets;
        if ((s = wl_check_fit(&dinfo, set_bytes * (uint64_t)sets, largest * (uint64_t)sets, what)) != ACCEL_OK)
            return s;
    }

    gemm_state *st = calloc(1, sizeof *st);
    if (!st)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "gemm state");
    st->dev = dev;
    st->sets = sets;
    accel_gemm_desc *d = &st->desc;
    d->a_type = d->b_type = t;
    d->c_type = d->d_type = out_t;
    d->compute = wl_compute_type(dtype);
    d->trans_a = shape->trans_a;
    d->trans_b = fp8 && !shape->trans_a ? 1 : shape->trans_b;
    d->m = shape->m;
    d->n = shape->n;
    d->k = shape->k;
    d->batch = shape->batch;
    d->alpha = 1.0;
    d->beta = 0.0;
    d->epilogue = shape->epilogue;

    accel_op_desc op;
    memset(&op, 0, sizeof op);
    op.kind = ACCEL_OP_GEMM;
    if (opt && opt->library)
        snprintf(op.library, sizeof op.library, "%s", opt->library);
    op.u.gemm = *d;
    if ((s = wl_plan(dev, &op, &st->plan, &st->workspace_bytes)) != ACCEL_OK)
        goto fail;

    uint64_t seed = opt ? opt->seed : 1;
    int tf32 = dtype == AWL_TF32;
    const double range = fp8 ? FP8_RANGE : 1.0;
    st->host_a = wl_host_random(t, shape->m * shape->k * shape->batch, seed * 3 + 1, -range, range, tf32);
    st->host_b = wl_host_random(t, shape->k * shape->n * shape->batch, seed * 3 + 2, -range, range, tf32);
    if (shape->epilogue & ACCEL_EPILOGUE_BIAS)
        st->host_bias = wl_host_random(out_t, shape->n, seed * 3 + 3, -1.0, 1.0, 0);
    st->verify_desc = *d;
    if (fp8) {
        const float scale = (float)(1.0 / FP8_RANGE);
        unsigned char host_scales[2 * WL_GEMM_SCALE_STRIDE] = {0};
        memcpy(host_scales, &scale, sizeof scale);
        memcpy(host_scales + WL_GEMM_SCALE_STRIDE, &scale, sizeof scale);
        st->verify_desc.alpha *= (double)scale * (double)scale;
        if ((s = wl_alloc(&st->bufs, dev, sizeof host_scales, ACCEL_MEMORY_DEVICE, &st->scales)) != ACCEL_OK ||
            (s = wl_upload(stream, st->scales, 0, host_scales, sizeof host_scales)) != ACCEL_OK)
            goto fail;
    }
    if (!st->host_a || !st->host_b || ((shape->epilogue & ACCEL_EPILOGUE_BIAS) && !st->host_bias)) {
        s = wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "host copies of the gemm inputs (%.2f GiB)",
                    (double)(a_bytes + b_bytes) / 1073741824.0);
        goto fail;
    }
    st->a_bytes = a_bytes;
    st->b_bytes = b_bytes;
    st->d_bytes = d_bytes;
    st->a_stride = wl_set_stride(a_bytes);
    st->b_stride = wl_set_stride(b_bytes);
    st->d_stride = wl_set_stride(d_bytes);
    /* The last set needs only its own bytes, not a whole stride. */
    if ((s = wl_alloc(&st->bufs, dev, st->a_stride * (size_t)(sets - 1) + a_bytes, ACCEL_MEMORY_DEVICE, &st->a)) != ACCEL_OK ||
        (s = wl_alloc(&st->bufs, dev, st->b_stride * (size_t)(sets - 1) + b_bytes, ACCEL_MEMORY_DEVICE, &st->b)) != ACCEL_OK ||
        (s = wl_alloc(&st->bufs, dev, st->d_stride * (size_t)(sets - 1) + d_bytes, ACCEL_MEMORY_DEVICE, &st->d)) != ACCEL_OK)
        goto fail;
    for (int i = 0; i < sets; i++)
        if ((s = wl_upload(stream, st->a, st->a_stride * (size_t)i, st->host_a, a_bytes)) != ACCEL_OK ||
            (s = wl_upload(stream, st->b, st->b_stride * (size_t)i, st->host_b, b_bytes)) != ACCEL_OK)
            goto fail;
    if (st->host_bias) {
        if ((s = wl_alloc(&st->bufs, dev, (size_t)shape->n * es, ACCEL_MEMORY_DEVICE, &st->bias)) != ACCEL_OK ||
            (s = wl_upload(stream, st->bias, 0, st->host_bias, (size_t)shape->n * es)) != ACCEL_OK)
            goto fail;
    }
    if (st->workspace_bytes &&
        (s = wl_alloc(&st->bufs, dev, st->workspace_bytes, ACCEL_MEMORY_DEVICE, &st->workspace)) != ACCEL_OK)
        goto fail;

    info->flop = 2.0 * (double)shape->m * (double)shape->n * (double)shape->k * (double)shape->batch;
    info->bytes = (double)(a_bytes + b_bytes + d_bytes) + (st->host_bias ? (double)shape->n * (double)es : 0);
    info->items = 1;
    info->item = "gemm";
    info->library[0] = '\0';
    wl_note_plan(info->library, sizeof info->library, st->plan);
    snprintf(info->compute_type, sizeof info->compute_type, "%s", accel_compute_type_name(d->compute));
    const char *algo = accel_op_plan_algorithm(st->plan);
    snprintf(st->algorithm, sizeof st->algorithm, "%s", algo ? algo : "");
    snprintf(info->notes, sizeof info->notes, "%s", st->algorithm);
    if (fp8)
        wl_appendf(info->notes, sizeof info->notes, "%sfp8 e4m3 A, B (B stored n x k) with per-tensor scales 2^-8, bf16 D",
                   info->notes[0] ? "; " : "");
    if (sets > 1)
        wl_appendf(info->notes, sizeof info->notes, "%scold: %d buffer sets", info->notes[0] ? "; " : "",
                   sets);
    else if (opt && opt->cold)
        wl_appendf(info->notes, sizeof info->notes, "%scold: %s", info->notes[0] ? "; " : "",
                   dinfo.cache_bytes ? "working set already > 2x LLC" : "LLC size unknown, not rotated");
    info->bandwidth = 0;
    snprintf(info->roof, sizeof info->roof, "matrix-%s", awl_dtype_name(dtype));
    info->device_bytes = st->bufs.bytes;
    *state = st;
    return ACCEL_OK;
fail:
    snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
    wl_gemm_teardown(st);
    return s;
}

accel_status wl_gemm_run(void *state, accel_stream *stream) {
    gemm_state *st = state;
    int i = st->next;
    accel_buffer_ref ops[7] = {wl_ref(st->a, st->a_stride * (size_t)i), wl_ref(st->b, st->b_stride * (size_t)i),
                               wl_ref(NULL, 0), wl_ref(st->d, st->d_stride * (size_t)i), wl_ref(st->bias, 0),
                               wl_ref(st->scales, 0), wl_ref(st->scales, WL_GEMM_SCALE_STRIDE)};
    accel_status s = accel_op_plan_execute(st->plan, stream, ops, st->scales ? 7 : 5, wl_ref(st->workspace, 0));
    if (s != ACCEL_OK)
        return wl_fail_hal(s, "gemm execute");
    st->last = i;
    st->next = (i + 1) % st->sets;
    return ACCEL_OK;
}

accel_status wl_gemm_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    gemm_state *st = state;
    memset(out, 0, sizeof *out);
    wl_gemm_check chk = {&st->verify_desc, st->host_a, st->host_b, NULL, st->host_bias, WL_GEMM_BOUND_G};
    accel_status s = wl_verify_gemm(&chk, stream, st->d, st->d_stride * (size_t)st->last, out);
    /* A library may change algorithm during the run (cublaslt, when one fails to run): the row
     * must name what was timed, not what was planned. */
    const char *now = accel_op_plan_algorithm(st->plan);
    if (s == ACCEL_OK && out->passed && now && strcmp(now, st->algorithm) != 0)
        snprintf(out->detail, sizeof out->detail, "algorithm changed during the run, timed with: %s", now);
    return s;
}

accel_status wl_gemm_corrupt(void *state, accel_stream *stream) {
    gemm_state *st = state;
    return wl_corrupt_element(stream, st->d, st->d_stride * (size_t)st->last, st->desc.d_type, 0);
}

static accel_status gemm_setup(accel_device *dev, accel_stream *stream, const awl_config *cfg,
                               awl_dtype dtype, const awl_options *opt, void **state,
                               awl_setup_info *info) {
    const gemm_config *gc = (const gemm_config *)cfg;
    wl_gemm_shape shape = {cfg->m, cfg->n, cfg->k, cfg->batch ? cfg->batch : 1, gc->trans_a,
                           gc->trans_b, gc->epilogue};
    return wl_gemm_setup_shape(dev, stream, &shape, dtype, opt, state, info);
}

const awl_workload awl_gemm_workload = {
    "gemm",
    "D = act(op(A) op(B) + bias): square, odd, DeepBench and BERT projection shapes",
    gemm_config_count,
    gemm_config_at,
    gemm_libraries,
    gemm_setup,
    wl_gemm_run,
    wl_gemm_verify,
    wl_gemm_teardown,
    wl_gemm_corrupt,
    NULL,
    NULL,
};
