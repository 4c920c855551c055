/* The fused attention op against the composed one (batched GEMM Q K^T, masked softmax, batched GEMM
 * P V: what bert_layer runs without -fused) on one device, through the HAL only, with BERT's
 * attention shapes and mask: for scripts/device-check.sh, beside PyTorch's
 * scaled_dot_product_attention (scripts/torch_gpu_reference.py --attention) on the same GPU.
 *
 *   attention_bench [--device cuda:0] [--shapes base-s128-b8,large-s384-b1] [--dtype bf16|fp16|fp32]
 *                   [--reps R] [--rounds K] [--causal off|on|both]
 *
 * Each shape runs with bert_layer's padding mask (causal off) and as a decoder runs it (causal on:
 * accel_attention_desc.causal, no padding mask; the composed path adds a full [B*heads*S, S] mask
 * of the same keys to its softmax, as PyTorch's SDPA is_causal=True is compared with). TFLOP/s
 * counts the products a causal kernel needs, half of Q K^T and P V, when causal.
 *
 * One line per shape and causal setting: both medians (timer events around R executes, median of K rounds), the
 * fused/composed time ratio, the plans' algorithms and the largest difference between the two
 * outputs relative to the composed output's largest magnitude. Exit 77 when the device cannot be
 * opened (no GPU), 1 on any other failure. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "accel/reference.h"

typedef struct shape {
    char name[32];
    int64_t batch, heads, seq, dim;
} shape;

/* "base-s128-b8", "large-s384-b1": BERT-base 12 heads, BERT-large 16, both 64 wide. */
static int shape_parse(const char *text, shape *out) {
    char model[16];
    long long s = 0, b = 0;
    if (sscanf(text, "%15[a-z]-s%lld-b%lld", model, &s, &b) != 3 || s < 1 || b < 1) return -1;
    if (strcmp(model, "base") && strcmp(model, "large")) return -1;
    snprintf(out->name, sizeof out->name, "%s", text);
    out->batch = b;
    out->seq = s;
    out->heads = strcmp(model, "base") ? 16 : 12;
    out->dim = 64;
    return 0;
}

static int cmp_double(const void *x, const void *y) {
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

typedef struct path {
    accel_op_plan *plan[3];
    accel_buffer *workspace[3];
    accel_buffer_ref ops[3][5];
    int nops[3];
    int nplans;
} path;

/* Plan i of the path, its operands and the workspace it asks for. */
static accel_status path_add(path *p, accel_device *dev, const accel_op_desc *d, const accel_buffer_ref *ops,
                             int nops) {
    const int i = p->nplans;
    accel_status st = accel_op_plan_create(dev, d, &p->plan[i]);
    if (st != ACCEL_OK) return st;
    p->nplans++;
    memcpy(p->ops[i], ops, (size_t)nops * sizeof *ops);
    p->nops[i] = nops;
    const size_t ws = accel_op_plan_workspace_size(p->plan[i]);
    return ws ? accel_buffer_alloc(dev, ws, ACCEL_MEMORY_DEVICE, &p->workspace[i]) : ACCEL_OK;
}

static accel_status path_run(const path *p, accel_stream *s) {
    for (int i = 0; i < p->nplans; ++i) {
        const accel_buffer_ref ws = {p->workspace[i], 0};
        accel_status st = accel_op_plan_execute(p->plan[i], s, p->ops[i], (size_t)p->nops[i], ws);
        if (st != ACCEL_OK) return st;
    }
    return ACCEL_OK;
}

static accel_status path_time(const path *p, accel_stream *s, accel_timer *timer, int reps, double *ms) {
    accel_status st = accel_timer_begin(timer, s);
    for (int i = 0; st == ACCEL_OK && i < reps; ++i) st = path_run(p, s);
    if (st == ACCEL_OK) st = accel_timer_end(timer, s);
    if (st == ACCEL_OK) st = accel_timer_elapsed_ms(timer, ms);
    *ms /= reps;
    return st;
}

static void path_free(path *p) {
    for (int i = 0; i < p->nplans; ++i) {
        accel_op_plan_destroy(p->plan[i]);
        accel_buffer_free(p->workspace[i]);
    }
}

static accel_gemm_desc batched_gemm(accel_dtype t, int64_t m, int64_t n, int64_t k, int64_t batch) {
    accel_gemm_desc g;
    memset(&g, 0, sizeof g);
    g.a_type = g.b_type = g.c_type = g.d_type = t;
    g.m = m, g.n = n, g.k = k, g.batch = batch, g.alpha = 1.0;
    return g;
}

#define BENCH_CHECK(expr)                                                                          \
    do {                                                                                           \
        st = (expr);                                                                               \
        if (st != ACCEL_OK) {                                                                      \
            fprintf(stderr, "attention_bench %s: %s: %s: %s\n", sh->name, #expr, accel_status_str(st), \
                    accel_last_error());                                                           \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

static int bench_shape(accel_device *dev, accel_stream *s, accel_timer *timer, const shape *sh, accel_dtype t,
                       int reps, int rounds, int causal) {
    const int64_t B = sh->batch, A = sh->heads, S = sh->seq, D = sh->dim, n = B * A * S * D;
    const size_t es = accel_dtype_bytes(t), qkv_bytes = (size_t)n * es, score_bytes = (size_t)(B * A * S * S) * es;
    accel_buffer *q = NULL, *k = NULL, *v = NULL, *mask = NULL, *fused_out = NULL, *comp_out = NULL, *scores = NULL;
    path fused = {0}, comp = {0};
    unsigned char *host = malloc(qkv_bytes), *host2 = malloc(qkv_bytes);
    /* the softmax's mask: one row per sequence, or, causal, one per (sequence, head, query) */
    const int64_t mask_rows = causal ? B * A * S : B;
    float *hmask = malloc((size_t)(mask_rows * S) * sizeof(float));
    accel_status st = ACCEL_ERR_OUT_OF_MEMORY;
    int rc = 1;
    if (!host || !host2 || !hmask) goto done;
    BENCH_CHECK(accel_buffer_alloc(dev, qkv_bytes, ACCEL_MEMORY_DEVICE, &q));
    BENCH_CHECK(accel_buffer_alloc(dev, qkv_bytes, ACCEL_MEMORY_DEVICE, &k));
    BENCH_CHECK(accel_buffer_alloc(dev, qkv_bytes, ACCEL_MEMORY_DEVICE, &v));
    BENCH_CHECK(accel_buffer_alloc(dev, qkv_bytes, ACCEL_MEMORY_DEVICE, &fused_out));
    BENCH_CHECK(accel_buffer_alloc(dev, qkv_bytes, ACCEL_MEMORY_DEVICE, &comp_out));
    BENCH_CHECK(accel_buffer_alloc(dev, score_bytes, ACCEL_MEMORY_DEVICE, &scores));
    BENCH_CHECK(accel_buffer_alloc(dev, (size_t)(mask_rows * S) * sizeof(float), ACCEL_MEMORY_DEVICE, &mask));
    accel_buffer *inputs[3] = {q, k, v};
    for (int i = 0; i < 3; ++i) {
        accel_ref_fill_random(t, host, n, 101 + (uint64_t)i, -1, 1);
        BENCH_CHECK(accel_buffer_write(s, inputs[i], 0, host, qkv_bytes));
        BENCH_CHECK(accel_stream_synchronize(s));
    }
    /* bert_layer's mask: sequence b keeps its first S - 1 - (13 b) % (S / 4) keys; causal: query i
     * keeps keys 0..i */
    for (int64_t r = 0; r < mask_rows; ++r)
        for (int64_t j = 0; j < S; ++j)
            hmask[r * S + j] = causal ? (j <= r % S ? 0.0f : -10000.0f)
                                      : j < S - 1 - (13 * r) % (S / 4 > 0 ? S / 4 : 1) ? 0.0f : -10000.0f;
    BENCH_CHECK(accel_buffer_write(s, mask, 0, hmask, (size_t)(mask_rows * S) * sizeof(float)));

    const double scale = 1.0 / 8.0; /* 1 / sqrt(64) */
    const accel_buffer_ref rq = {q, 0}, rk = {k, 0}, rv = {v, 0}, rm = {mask, 0}, rs = {scores, 0};
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ATTENTION;
    d.u.attention = (accel_attention_desc){t, ACCEL_COMPUTE_DEFAULT, B, A, S, D, scale, causal};
    const accel_buffer_ref fops[5] = {rq, rk, rv, causal ? (accel_buffer_ref){NULL, 0} : rm, {fused_out, 0}};
    BENCH_CHECK(path_add(&fused, dev, &d, fops, 5));

    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_GEMM; /* scores = Q K^T per (batch, head) */
    d.u.gemm = batched_gemm(t, S, S, D, B * A);
    d.u.gemm.trans_b = 1;
    const accel_buffer_ref g1[5] = {rq, rk, {NULL, 0}, rs, {NULL, 0}};
    BENCH_CHECK(path_add(&comp, dev, &d, g1, 5));
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_SOFTMAX;
    d.u.softmax = (accel_softmax_desc){t, B * A * S, S, scale, causal ? 1 : A * S};
    const accel_buffer_ref sm[3] = {rs, rm, rs};
    BENCH_CHECK(path_add(&comp, dev, &d, sm, 3));
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_GEMM; /* out = P V */
    d.u.gemm = batched_gemm(t, S, D, S, B * A);
    const accel_buffer_ref g2[5] = {rs, rv, {NULL, 0}, {comp_out, 0}, {NULL, 0}};
    BENCH_CHECK(path_add(&comp, dev, &d, g2, 5));

    double fused_ms[64], comp_ms[64], warm;
    BENCH_CHECK(path_time(&fused, s, timer, 1, &warm));
    BENCH_CHECK(path_time(&comp, s, timer, 1, &warm));
    for (int r = 0; r < rounds; ++r) {
        BENCH_CHECK(path_time(&fused, s, timer, reps, &fused_ms[r]));
        BENCH_CHECK(path_time(&comp, s, timer, reps, &comp_ms[r]));
    }
    qsort(fused_ms, (size_t)rounds, sizeof(double), cmp_double);
    qsort(comp_ms, (size_t)rounds, sizeof(double), cmp_double);
    const double fmed = fused_ms[rounds / 2], cmed = comp_ms[rounds / 2];

    BENCH_CHECK(accel_buffer_read(s, fused_out, 0, host, qkv_bytes));
    BENCH_CHECK(accel_buffer_read(s, comp_out, 0, host2, qkv_bytes));
    BENCH_CHECK(accel_stream_synchronize(s));
    double worst = 0, peak = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double a = accel_ref_load(t, host, i), b = accel_ref_load(t, host2, i);
        const double diff = a > b ? a - b : b - a, mag = b < 0 ? -b : b;
        if (!(diff <= worst)) worst = diff; /* a NaN sticks */
        if (mag > peak) peak = mag;
    }
    /* Q K^T and P V; causal: the lower triangle only */
    const double flop = (causal ? 2.0 : 4.0) * (double)(B * A) * (double)S * (double)S * (double)D;
    /* Both round to the storage type in different places (the composed path stores the scores and
     * P, the fused one rounds P only): they agree to a few units of its precision, not exactly. */
    const double bound = (t == ACCEL_DTYPE_F32 ? 1e-4 : t == ACCEL_DTYPE_F16 ? 1e-2 : 5e-2) * (peak > 1 ? peak : 1);
    rc = worst <= bound ? 0 : 1;
    printf("attention %s %s%s [B=%lld heads=%lld S=%lld D=%lld]: fused %.4f ms %.1f TFLOP/s (%s); composed %.4f ms "
           "%.1f TFLOP/s (%s | %s | %s); fused/composed time %.3f; max diff %.3g of %.3g: %s\n",
           sh->name, accel_dtype_label(t), causal ? " causal" : "", (long long)B, (long long)A, (long long)S, (long long)D, fmed,
           flop / fmed / 1e9, accel_op_plan_algorithm(fused.plan[0]), cmed, flop / cmed / 1e9,
           accel_op_plan_algorithm(comp.plan[0]), accel_op_plan_algorithm(comp.plan[1]),
           accel_op_plan_algorithm(comp.plan[2]), cmed > 0 ? fmed / cmed : 0, worst, peak,
           rc ? "MISMATCH" : "outputs agree");
done:
    path_free(&fused);
    path_free(&comp);
    accel_buffer *all[7] = {q, k, v, mask, fused_out, comp_out, scores};
    for (int i = 0; i < 7; ++i) accel_buffer_free(all[i]);
    free(host);
    free(host2);
    free(hmask);
    return rc;
}

int main(int argc, char **argv) {
    const char *device = "cuda:0", *shapes = "base-s128-b8,large-s384-b1", *dtype = "bf16", *causal = "both";
    int reps = 20, rounds = 7;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--device") && i + 1 < argc) device = argv[++i];
        else if (!strcmp(argv[i], "--shapes") && i + 1 < argc) shapes = argv[++i];
        else if (!strcmp(argv[i], "--dtype") && i + 1 < argc) dtype = argv[++i];
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--causal") && i + 1 < argc) causal = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--device cuda:0] [--shapes base-s128-b8,large-s384-b1] [--dtype bf16|fp16|fp32] "
                            "[--reps R] [--rounds K] [--causal off|on|both]\n", argv[0]);
            return 2;
        }
    }
    const accel_dtype t = !strcmp(dtype, "bf16") ? ACCEL_DTYPE_BF16 : !strcmp(dtype, "fp16") ? ACCEL_DTYPE_F16
                          : !strcmp(dtype, "fp32") ? ACCEL_DTYPE_F32 : ACCEL_DTYPE_INVALID;
    if (t == ACCEL_DTYPE_INVALID || reps < 1 || rounds < 1 || rounds > 64) {
        fprintf(stderr, "attention_bench: bad --dtype, --reps or --rounds (rounds 1-64)\n");
        return 2;
    }
    const int causal_from = !strcmp(causal, "on") ? 1 : 0, causal_to = !strcmp(causal, "off") ? 0 : 1;
    if (strcmp(causal, "on") && strcmp(causal, "off") && strcmp(causal, "both")) {
        fprintf(stderr, "attention_bench: bad --causal '%s' (off, on or both)\n", causal);
        return 2;
    }
    shape list[8];
    int nshapes = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", shapes);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (nshapes == 8 || shape_parse(tok, &list[nshapes])) {
            fprintf(stderr, "attention_bench: bad shape '%s' (base-sS-bB or large-sS-bB, at most 8)\n", tok);
            return 2;
        }
        ++nshapes;
    }
    accel_runtime *rt = NULL;
    accel_device *dev = NULL;
    accel_stream *s = NULL;
    accel_timer *timer = NULL;
    accel_status st = accel_runtime_open(NULL, &rt);
    if (st == ACCEL_OK) st = accel_device_open(rt, device, &dev);
    if (st != ACCEL_OK) {
        printf("SKIP: cannot open %s: %s: %s\n", device, accel_status_str(st), accel_last_error());
        accel_runtime_close(rt);
        return 77;
    }
    if (st == ACCEL_OK) st = accel_stream_create(dev, &s);
    if (st == ACCEL_OK) st = accel_timer_create(dev, &timer);
    int failures = 0;
    if (st != ACCEL_OK) {
        fprintf(stderr, "attention_bench: %s: %s\n", accel_status_str(st), accel_last_error());
        failures = 1;
    }
    for (int i = 0; st == ACCEL_OK && i < nshapes; ++i)
        for (int c = causal_from; c <= causal_to; ++c) failures += bench_shape(dev, s, timer, &list[i], t, reps, rounds, c);
    accel_timer_destroy(timer);
    accel_stream_destroy(s);
    accel_device_close(dev);
    accel_runtime_close(rt);
    return failures ? 1 : 0;
}
