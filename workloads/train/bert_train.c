/* The bert_layer training step (configs "*-train"): the post-LN encoder layer's forward pass keeping
 * what the backward needs, the backward pass from a given output gradient to every parameter
 * gradient and the input gradient, and AdamW on fp32 masters; fp16 adds loss scaling on the device.
 * One run() is one step. verify() runs one more step from the initial state and checks every
 * gradient, the input gradient and every parameter's update against an fp64 reference of the step.
 *
 * The forward differs from the inference layer only where the backward needs a tensor the fused
 * ops would not keep: the residual adds are separate eltwise ops (each layernorm's input is kept)
 * and GELU follows the FFN GEMM as an eltwise op (its input is kept). */
#include "bert_train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_train.h"

#define BERT_LN_EPS 1e-12
#define BERT_MASK_DROP -10000.0f

enum { /* weight tensors (group W, compute dtype gradients) and the rest (group P, fp32 gradients) */
    W_QKV, W_O, W_1, W_2, W_COUNT
};
enum { P_BQKV, P_BO, P_B1, P_B2, P_G1, P_BE1, P_G2, P_BE2, P_COUNT };

enum { /* activations and their gradients */
    A_X, A_QKV, A_QKVP, A_P, A_CTX, A_CTX2, A_ATTN, A_PRE1, A_H1, A_F1PRE, A_F1, A_F2, A_PRE2, A_OUT,
    A_DOUT, A_DWORK, A_DPRE2, A_DF1, A_DH1, A_DPRE1, A_DCTX2, A_DCTX, A_DP, A_DQKVP, A_DQKV, A_DX, A_MASK, A_COUNT
};

typedef struct bert_train_state {
    int train; /* 1: bert_layer.c tells the two state kinds apart by this first member */
    accel_device *dev;
    int64_t B, S, H, A, F;
    awl_dtype dtype;
    accel_dtype t;
    wl_buffers bufs;
    accel_buffer *a[A_COUNT];
    wl_param_group w, p;
    wl_amp amp;
    wl_steps steps;
    void *x0, *dout0; /* host copies of the input and the output gradient */
    float *mask;
    int64_t runs;     /* steps run since setup */
    int corrupt;      /* test hook: perturb a gradient in the verified step */
    int backward_end; /* the first optimizer step */
} bert_train_state;

static void teardown(bert_train_state *st) {
    if (!st) return;
    if (st->dev) accel_device_synchronize(st->dev);
    wl_steps_destroy(&st->steps);
    wl_free_all(&st->bufs);
    wl_group_free_host(&st->w);
    wl_group_free_host(&st->p);
    free(st->x0), free(st->dout0), free(st->mask);
    free(st);
}

void wl_bert_train_teardown(void *state) { teardown(state); }

double wl_bert_train_flop_per_sequence(int64_t seq, int64_t hidden, int64_t ffn) {
    /* every GEMM of the forward again twice in the backward (its input gradient and its weight
     * gradient; the attention products likewise): three times the forward's GEMM count */
    return 3.0 * wl_bert_flop_per_sequence(seq, hidden, ffn);
}

static accel_gemm_desc gemm(accel_dtype t, accel_compute_type c, int64_t m, int64_t n, int64_t k) {
    accel_gemm_desc g;
    memset(&g, 0, sizeof g);
    g.a_type = g.b_type = g.c_type = g.d_type = t;
    g.compute = c;
    g.m = m, g.n = n, g.k = k, g.batch = 1, g.alpha = 1.0;
    return g;
}

/* Batched over B*A heads of an [B, A, S, *] buffer. */
static accel_gemm_desc head_gemm(accel_dtype t, accel_compute_type c, int64_t heads, int64_t m, int64_t n, int64_t k,
                                 int ta, int tb, int64_t sa, int64_t sb, int64_t sd) {
    accel_gemm_desc g = gemm(t, c, m, n, k);
    g.trans_a = ta, g.trans_b = tb, g.batch = heads, g.stride_a = sa, g.stride_b = sb, g.stride_d = sd;
    return g;
}

typedef struct builder {
    bert_train_state *st;
    const char *lib;
    accel_status s;
} builder;

static accel_buffer_ref R(const builder *b, int i) { return wl_ref(b->st->a[i], 0); }

static void op(builder *b, accel_op_desc *d, accel_buffer_ref *ops, size_t n) {
    if (b->s != ACCEL_OK) return;
    snprintf(d->library, sizeof d->library, "%s", b->lib);
    b->s = wl_steps_add(&b->st->steps, b->st->dev, d, ops, n);
}

static void gemm_op(builder *b, const accel_gemm_desc *g, accel_buffer_ref a, accel_buffer_ref bm, accel_buffer_ref c,
                    accel_buffer_ref d, accel_buffer_ref bias, const char *name) {
    if (b->s != ACCEL_OK) return;
    b->s = wl_steps_add_gemm_c(&b->st->steps, b->st->dev, b->lib, g, a, bm, c, d, bias, name);
}

static void eltwise(builder *b, accel_eltwise_kind k, int64_t count, accel_buffer_ref x, accel_buffer_ref z,
                    accel_buffer_ref y) {
    accel_op_desc d = {.kind = ACCEL_OP_ELTWISE};
    d.u.eltwise = (accel_eltwise_desc){.kind = k, .dtype = b->st->t, .count = count, .alpha = 1, .beta = 1};
    accel_buffer_ref ops[3] = {x, z, y};
    op(b, &d, ops, 3);
}

static void permute(builder *b, int nd, const int64_t *dims, const int *perm, accel_buffer_ref x, accel_buffer_ref y) {
    accel_op_desc d = {.kind = ACCEL_OP_PERMUTE};
    d.u.permute.dtype = b->st->t;
    d.u.permute.ndims = nd;
    for (int i = 0; i < nd; i++) d.u.permute.dims[i] = dims[i], d.u.permute.perm[i] = perm[i];
    accel_buffer_ref ops[2] = {x, y};
    op(b, &d, ops, 2);
}

static void layernorm(builder *b, accel_buffer_ref x, accel_buffer_ref g, accel_buffer_ref be, accel_buffer_ref y) {
    accel_op_desc d = {.kind = ACCEL_OP_LAYERNORM};
    d.u.layernorm = (accel_layernorm_desc){b->st->t, b->st->B * b->st->S, b->st->H, BERT_LN_EPS, 0};
    const accel_buffer_ref none = {NULL, 0};
    accel_buffer_ref ops[5] = {x, none, g, be, y};
    op(b, &d, ops, 5);
}

static void layernorm_backward(builder *b, accel_buffer_ref x, accel_buffer_ref g, accel_buffer_ref dy,
                               accel_buffer_ref dx, accel_buffer_ref dg, accel_buffer_ref dbe) {
    accel_op_desc d = {.kind = ACCEL_OP_LAYERNORM_BACKWARD};
    d.u.layernorm_backward = (accel_layernorm_backward_desc){b->st->t, b->st->B * b->st->S, b->st->H, BERT_LN_EPS, 0};
    accel_buffer_ref ops[6] = {x, g, dy, dx, dg, dbe};
    op(b, &d, ops, 6);
}

/* the bias gradient of a GEMM over T rows: the column sums of its output gradient, in fp32 */
/* The gradients of group tensors the last op completed (the data-parallel step's hook). */
static void ready(builder *b, wl_param_group *g, int t0, int t1) {
    wl_group_grad_ready(g, t0, &b->st->steps);
    if (t1 >= 0) wl_group_grad_ready(g, t1, &b->st->steps);
}

static void bias_grad(builder *b, int64_t cols, accel_buffer_ref dy, accel_buffer_ref db) {
    accel_op_desc d = {.kind = ACCEL_OP_REDUCE};
    d.u.reduce = (accel_reduce_desc){b->st->t, ACCEL_DTYPE_F32, b->st->B * b->st->S, cols, 1, 0};
    accel_buffer_ref ops[2] = {dy, db};
    op(b, &d, ops, 2);
}

static accel_status build(bert_train_state *st, const char *lib) {
    builder bld = {st, lib, ACCEL_OK}, *b = &bld;
    const int64_t B = st->B, S = st->S, H = st->H, A = st->A, D = H / A, F = st->F, T = B * S;
    const accel_dtype t = st->t;
    const accel_compute_type ct = wl_compute_type(st->dtype);
    const size_t es = accel_dtype_size(t), slice = (size_t)(T * H) * es;
    const accel_buffer_ref none = {NULL, 0};
    const double scale = 1.0 / sqrt((double)D);
    wl_param_group *W = &st->w, *P = &st->p;
    accel_gemm_desc g;

    /* ---- forward, keeping what the backward reads ---- */
    g = gemm(t, ct, T, 3 * H, H);
    g.epilogue = ACCEL_EPILOGUE_BIAS;
    gemm_op(b, &g, R(b, A_X), wl_group_model(W, W_QKV), none, R(b, A_QKV), wl_group_model(P, P_BQKV), "qkv");
    const int64_t qkv_dims[5] = {B, S, 3, A, D}, heads_dims[5] = {3, B, A, S, D};
    const int to_heads[5] = {2, 0, 3, 1, 4}, from_heads[5] = {1, 3, 0, 2, 4};
    permute(b, 5, qkv_dims, to_heads, R(b, A_QKV), R(b, A_QKVP));
    const accel_buffer_ref q = wl_ref(st->a[A_QKVP], 0), k = wl_ref(st->a[A_QKVP], slice), v = wl_ref(st->a[A_QKVP], 2 * slice);
    g = head_gemm(t, ct, B * A, S, S, D, 0, 1, S * D, S * D, S * S);
    gemm_op(b, &g, q, k, none, R(b, A_P), none, "scores");
    accel_op_desc d = {.kind = ACCEL_OP_SOFTMAX};
    d.u.softmax = (accel_softmax_desc){t, B * A * S, S, scale, A * S};
    accel_buffer_ref sm[3] = {R(b, A_P), R(b, A_MASK), R(b, A_P)};
    op(b, &d, sm, 3);
    g = head_gemm(t, ct, B * A, S, D, S, 0, 0, S * S, S * D, S * D);
    gemm_op(b, &g, R(b, A_P), v, none, R(b, A_CTX), none, "context");
    const int64_t ctx_dims[4] = {B, A, S, D};
    const int swap[4] = {0, 2, 1, 3};
    permute(b, 4, ctx_dims, swap, R(b, A_CTX), R(b, A_CTX2));
    g = gemm(t, ct, T, H, H);
    g.epilogue = ACCEL_EPILOGUE_BIAS;
    gemm_op(b, &g, R(b, A_CTX2), wl_group_model(W, W_O), none, R(b, A_ATTN), wl_group_model(P, P_BO), "out-proj");
    eltwise(b, ACCEL_ELTWISE_ADD, T * H, R(b, A_ATTN), R(b, A_X), R(b, A_PRE1));
    layernorm(b, R(b, A_PRE1), wl_group_model(P, P_G1), wl_group_model(P, P_BE1), R(b, A_H1));
    g = gemm(t, ct, T, F, H);
    g.epilogue = ACCEL_EPILOGUE_BIAS;
    gemm_op(b, &g, R(b, A_H1), wl_group_model(W, W_1), none, R(b, A_F1PRE), wl_group_model(P, P_B1), "ffn1");
    eltwise(b, ACCEL_ELTWISE_GELU_ERF, T * F, R(b, A_F1PRE), none, R(b, A_F1));
    g = gemm(t, ct, T, H, F);
    g.epilogue = ACCEL_EPILOGUE_BIAS;
    gemm_op(b, &g, R(b, A_F1), wl_group_model(W, W_2), none, R(b, A_F2), wl_group_model(P, P_B2), "ffn2");
    eltwise(b, ACCEL_ELTWISE_ADD, T * H, R(b, A_F2), R(b, A_H1), R(b, A_PRE2));
    layernorm(b, R(b, A_PRE2), wl_group_model(P, P_G2), wl_group_model(P, P_BE2), R(b, A_OUT));

    /* ---- backward from dOUT (scaled by the loss scale first with fp16) ---- */
    accel_buffer_ref dout = R(b, A_DOUT);
    if (st->amp.enabled && b->s == ACCEL_OK) {
        b->s = wl_amp_add_scaled_copy(&st->steps, st->dev, lib, &st->amp, t, T * H, dout, R(b, A_DWORK));
        dout = R(b, A_DWORK);
    }
    layernorm_backward(b, R(b, A_PRE2), wl_group_model(P, P_G2), dout, R(b, A_DPRE2), wl_group_grad(P, P_G2),
                       wl_group_grad(P, P_BE2));
    ready(b, P, P_G2, P_BE2);
    bias_grad(b, H, R(b, A_DPRE2), wl_group_grad(P, P_B2));
    ready(b, P, P_B2, -1);
    g = gemm(t, ct, F, H, T); /* dW2 = F1^T dPRE2 */
    g.trans_a = 1;
    gemm_op(b, &g, R(b, A_F1), R(b, A_DPRE2), none, wl_group_grad(W, W_2), none, "dW2");
    ready(b, W, W_2, -1);
    g = gemm(t, ct, T, F, H); /* dF1 = dPRE2 W2^T */
    g.trans_b = 1;
    gemm_op(b, &g, R(b, A_DPRE2), wl_group_model(W, W_2), none, R(b, A_DF1), none, "dF1");
    eltwise(b, ACCEL_ELTWISE_GELU_ERF_BACKWARD, T * F, R(b, A_F1PRE), R(b, A_DF1), R(b, A_DF1));
    bias_grad(b, F, R(b, A_DF1), wl_group_grad(P, P_B1));
    ready(b, P, P_B1, -1);
    g = gemm(t, ct, H, F, T); /* dW1 = H1^T dF1pre */
    g.trans_a = 1;
    gemm_op(b, &g, R(b, A_H1), R(b, A_DF1), none, wl_group_grad(W, W_1), none, "dW1");
    ready(b, W, W_1, -1);
    g = gemm(t, ct, T, H, F); /* dH1 = dF1pre W1^T + dPRE2 (the residual's share) */
    g.trans_b = 1;
    g.beta = 1.0;
    gemm_op(b, &g, R(b, A_DF1), wl_group_model(W, W_1), R(b, A_DPRE2), R(b, A_DH1), none, "dH1");
    layernorm_backward(b, R(b, A_PRE1), wl_group_model(P, P_G1), R(b, A_DH1), R(b, A_DPRE1), wl_group_grad(P, P_G1),
                       wl_group_grad(P, P_BE1));
    ready(b, P, P_G1, P_BE1);
    bias_grad(b, H, R(b, A_DPRE1), wl_group_grad(P, P_BO));
    ready(b, P, P_BO, -1);
    g = gemm(t, ct, H, H, T); /* dWo = CTX2^T dPRE1 */
    g.trans_a = 1;
    gemm_op(b, &g, R(b, A_CTX2), R(b, A_DPRE1), none, wl_group_grad(W, W_O), none, "dWo");
    ready(b, W, W_O, -1);
    g = gemm(t, ct, T, H, H); /* dCTX2 = dPRE1 Wo^T */
    g.trans_b = 1;
    gemm_op(b, &g, R(b, A_DPRE1), wl_group_model(W, W_O), none, R(b, A_DCTX2), none, "dCTX2");
    const int64_t ctx2_dims[4] = {B, S, A, D};
    permute(b, 4, ctx2_dims, swap, R(b, A_DCTX2), R(b, A_DCTX));
    const accel_buffer_ref dq = wl_ref(st->a[A_DQKVP], 0), dk = wl_ref(st->a[A_DQKVP], slice),
                           dv = wl_ref(st->a[A_DQKVP], 2 * slice);
    g = head_gemm(t, ct, B * A, S, S, D, 0, 1, S * D, S * D, S * S); /* dP = dCTX V^T */
    gemm_op(b, &g, R(b, A_DCTX), v, none, R(b, A_DP), none, "dP");
    g = head_gemm(t, ct, B * A, S, D, S, 1, 0, S * S, S * D, S * D); /* dV = P^T dCTX */
    gemm_op(b, &g, R(b, A_P), R(b, A_DCTX), none, dv, none, "dV");
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_SOFTMAX_BACKWARD;
    d.u.softmax = (accel_softmax_desc){t, B * A * S, S, scale, 0};
    accel_buffer_ref smb[3] = {R(b, A_P), R(b, A_DP), R(b, A_DP)};
    op(b, &d, smb, 3);
    g = head_gemm(t, ct, B * A, S, D, S, 0, 0, S * S, S * D, S * D); /* dQ = dS K */
    gemm_op(b, &g, R(b, A_DP), k, none, dq, none, "dQ");
    g = head_gemm(t, ct, B * A, S, D, S, 1, 0, S * S, S * D, S * D); /* dK = dS^T Q */
    gemm_op(b, &g, R(b, A_DP), q, none, dk, none, "dK");
    permute(b, 5, heads_dims, from_heads, R(b, A_DQKVP), R(b, A_DQKV));
    bias_grad(b, 3 * H, R(b, A_DQKV), wl_group_grad(P, P_BQKV));
    ready(b, P, P_BQKV, -1);
    g = gemm(t, ct, H, 3 * H, T); /* dWqkv = X^T dQKV */
    g.trans_a = 1;
    gemm_op(b, &g, R(b, A_X), R(b, A_DQKV), none, wl_group_grad(W, W_QKV), none, "dWqkv");
    ready(b, W, W_QKV, -1);
    g = gemm(t, ct, T, H, 3 * H); /* dX = dQKV Wqkv^T + dPRE1 */
    g.trans_b = 1;
    g.beta = 1.0;
    gemm_op(b, &g, R(b, A_DQKV), wl_group_model(W, W_QKV), R(b, A_DPRE1), R(b, A_DX), none, "dX");

    /* ---- optimizer ---- */
    st->backward_end = st->steps.count;
    if (b->s == ACCEL_OK) {
        wl_param_group *groups[2] = {&st->w, &st->p};
        b->s = wl_train_add_optimizer(&st->steps, st->dev, lib, &st->amp, groups, 2);
    }
    return b->s;
}

/* Valid length of sequence b, as in the inference layer. */
static int64_t valid_len(int64_t b, int64_t seq) { return seq - 1 - (b * 13) % (seq / 4); }

accel_status wl_bert_train_setup(accel_device *dev, accel_stream *stream, int64_t batch, int64_t seq, int64_t hidden,
                                 int64_t heads, int64_t ffn, awl_dtype dtype, const awl_options *opt, int data_rank,
                                 void **state, awl_setup_info *info) {
    *state = NULL;
    const accel_dtype t = wl_storage_type(dtype);
    const int64_t B = batch, S = seq, H = hidden, A = heads, F = ffn, T = B * S;
    const size_t es = accel_dtype_size(t);
    int64_t counts[A_COUNT] = {
        [A_X] = T * H, [A_QKV] = T * 3 * H, [A_QKVP] = 3 * T * H, [A_P] = B * A * S * S, [A_CTX] = T * H,
        [A_CTX2] = T * H, [A_ATTN] = T * H, [A_PRE1] = T * H, [A_H1] = T * H, [A_F1PRE] = T * F, [A_F1] = T * F,
        [A_F2] = T * H, [A_PRE2] = T * H, [A_OUT] = T * H, [A_DOUT] = T * H, [A_DWORK] = T * H, [A_DPRE2] = T * H,
        [A_DF1] = T * F, [A_DH1] = T * H, [A_DPRE1] = T * H, [A_DCTX2] = T * H, [A_DCTX] = T * H, [A_DP] = B * A * S * S,
        [A_DQKVP] = 3 * T * H, [A_DQKV] = T * 3 * H, [A_DX] = T * H, [A_MASK] = 0};
    const int64_t nw = H * 3 * H + H * H + 2 * H * F, np = 3 * H + H + F + H + 4 * H;
    char what[80];
    snprintf(what, sizeof what, "bert_layer training step %s", awl_dtype_name(dtype));
    /* activations in the compute dtype, plus per parameter: model, master, gradient, two moments */
    accel_status s = wl_check_counts_fit(dev, counts, A_COUNT, es,
                                         (uint64_t)(T * 4) + (uint64_t)(nw + np) * (uint64_t)(es + 4 * 4), what);
    if (s != ACCEL_OK) return s;
    bert_train_state *st = calloc(1, sizeof *st);
    if (!st) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "bert training state");
    st->train = 1;
    st->dev = dev, st->B = B, st->S = S, st->H = H, st->A = A, st->F = F, st->dtype = dtype, st->t = t;
    for (int i = 0; i < A_COUNT && s == ACCEL_OK; i++) {
        const size_t bytes = i == A_MASK ? (size_t)T * sizeof(float) : (size_t)counts[i] * es;
        if (i == A_DWORK && dtype != AWL_FP16) continue; /* only loss scaling needs a scaled copy */
        s = wl_alloc(&st->bufs, dev, bytes, ACCEL_MEMORY_DEVICE, &st->a[i]);
    }
    /* Weights ~U(-sqrt(3/K), sqrt(3/K)) keep each projection's output variance near its input's. */
    const double kh = sqrt(3.0 / (double)H), kf = sqrt(3.0 / (double)F);
    wl_group_add(&st->w, "Wqkv", H * 3 * H, -kh, kh);
    wl_group_add(&st->w, "Wo", H * H, -kh, kh);
    wl_group_add(&st->w, "W1", H * F, -kh, kh);
    wl_group_add(&st->w, "W2", F * H, -kf, kf);
    wl_group_add(&st->p, "bqkv", 3 * H, -0.1, 0.1);
    wl_group_add(&st->p, "bo", H, -0.1, 0.1);
    wl_group_add(&st->p, "b1", F, -0.1, 0.1);
    wl_group_add(&st->p, "b2", H, -0.1, 0.1);
    wl_group_add(&st->p, "ln1.gamma", H, 0.5, 1.5);
    wl_group_add(&st->p, "ln1.beta", H, -0.1, 0.1);
    wl_group_add(&st->p, "ln2.gamma", H, 0.5, 1.5);
    wl_group_add(&st->p, "ln2.beta", H, -0.1, 0.1);
    const uint64_t seed = opt ? opt->seed : 1;
    /* The data (input, output gradient) differs between data-parallel ranks, the weights do not. */
    const uint64_t dseed = seed * 7 + 1000003ull * (uint64_t)data_rank;
    if (s == ACCEL_OK) s = wl_group_init(&st->w, &st->bufs, dev, stream, t, t, seed * 7 + 1);
    if (s == ACCEL_OK) s = wl_group_init(&st->p, &st->bufs, dev, stream, t, ACCEL_DTYPE_F32, seed * 7 + 2);
    if (s == ACCEL_OK) s = wl_amp_init(&st->amp, dtype == AWL_FP16, &st->bufs, dev, stream);
    if (s == ACCEL_OK)
        s = wl_upload_random(stream, st->a[A_X], t, T * H, dseed + 3, -1, 1, dtype == AWL_TF32, &st->x0, "bert inputs");
    /* the output gradient of a loss averaged over the batch's tokens: about 1/T each */
    if (s == ACCEL_OK)
        s = wl_upload_random(stream, st->a[A_DOUT], t, T * H, dseed + 4, -1.0 / (double)T, 1.0 / (double)T, 0,
                             &st->dout0, "bert output gradient");
    if (s == ACCEL_OK && !(st->mask = malloc(sizeof(float) * (size_t)T))) s = wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "bert mask");
    if (s == ACCEL_OK) {
        for (int64_t bi = 0; bi < B; bi++)
            for (int64_t j = 0; j < S; j++) st->mask[bi * S + j] = j < valid_len(bi, S) ? 0.0f : BERT_MASK_DROP;
        s = wl_upload(stream, st->a[A_MASK], 0, st->mask, sizeof(float) * (size_t)T);
    }
    const char *lib = opt && opt->library ? opt->library : "";
    if (s == ACCEL_OK) s = build(st, lib);
    if (s == ACCEL_OK) s = wl_steps_alloc_workspace(&st->steps, &st->bufs, dev);
    if (s != ACCEL_OK) {
        snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
        teardown(st);
        return s;
    }
    wl_train_describe(&st->steps, &st->bufs, dtype, opt, "forward, backward, AdamW",
                      wl_bert_train_flop_per_sequence(S, H, F) * (double)B, (double)B, info);
    *state = st;
    return ACCEL_OK;
}

void wl_bert_train_view(void *state, wl_train_view *out) {
    bert_train_state *st = state;
    *out = (wl_train_view){{&st->w, &st->p}, 2, &st->amp, &st->steps, st->backward_end, &st->runs};
}

accel_status wl_bert_train_run(void *state, accel_stream *stream) {
    bert_train_state *st = state;
    st->runs++;
    return wl_steps_run(&st->steps, stream);
}

accel_status wl_bert_train_set_loss_scale(void *state, accel_stream *stream, double scale) {
    return wl_amp_set_scale(stream, &((bert_train_state *)state)->amp, scale);
}

accel_status wl_bert_train_corrupt(void *state, accel_stream *stream) {
    (void)stream;
    ((bert_train_state *)state)->corrupt = 1;
    return ACCEL_OK;
}

/* ---- the fp64 reference of one step ---- */

typedef struct ref_grads {
    double *w[W_COUNT], *p[P_COUNT], *dx;
} ref_grads;

static void add_bias(double *y, int64_t rows, int64_t n, const double *bias) {
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < n; j++) y[i * n + j] += bias[j];
}

static void column_sums(const double *x, int64_t rows, int64_t n, double *out) {
    for (int64_t j = 0; j < n; j++) out[j] = 0.0;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < n; j++) out[j] += x[i * n + j];
}

static double *dalloc(int64_t n) { return calloc((size_t)n, sizeof(double)); }

/* Forward and backward in fp64 from the values the device read (inputs and model copies). */
static int reference(const bert_train_state *st, ref_grads *r) {
    const int64_t B = st->B, S = st->S, H = st->H, A = st->A, D = H / A, F = st->F, T = B * S;
    const accel_dtype t = st->t;
    const wl_param_group *W = &st->w, *P = &st->p;
    double *w[W_COUNT], *p[P_COUNT];
    for (int i = 0; i < W_COUNT; i++)
        w[i] = wl_to_double(t, (const char *)W->model0 + (size_t)W->tensors[i].offset * accel_dtype_size(t), W->tensors[i].count);
    for (int i = 0; i < P_COUNT; i++)
        p[i] = wl_to_double(t, (const char *)P->model0 + (size_t)P->tensors[i].offset * accel_dtype_size(t), P->tensors[i].count);
    double *x = wl_to_double(t, st->x0, T * H), *dout = wl_to_double(t, st->dout0, T * H);
    double *qkv = dalloc(T * 3 * H), *probs = dalloc(B * A * S * S), *ctx2 = dalloc(T * H), *pre1 = dalloc(T * H);
    double *h1 = dalloc(T * H), *f1pre = dalloc(T * F), *f1 = dalloc(T * F), *pre2 = dalloc(T * H);
    double *dpre2 = dalloc(T * H), *df1 = dalloc(T * F), *dh1 = dalloc(T * H), *dpre1 = dalloc(T * H);
    double *dctx2 = dalloc(T * H), *dqkv = dalloc(T * 3 * H), *tmp = dalloc(T * F);
    double *qh = dalloc(3 * S * D), *hd = dalloc(S * S), *g1 = dalloc(S * D), *g2 = dalloc(S * D);
    int ok = x && dout && qkv && probs && ctx2 && pre1 && h1 && f1pre && f1 && pre2 && dpre2 && df1 && dh1 && dpre1 &&
             dctx2 && dqkv && tmp && qh && hd && g1 && g2;
    for (int i = 0; i < W_COUNT; i++) ok = ok && w[i] && (r->w[i] = dalloc(W->tensors[i].count));
    for (int i = 0; i < P_COUNT; i++) ok = ok && p[i] && (r->p[i] = dalloc(P->tensors[i].count));
    ok = ok && (r->dx = dalloc(T * H));
    if (ok) {
        const double scale = 1.0 / sqrt((double)D);
        /* forward */
        wl_dgemm(T, 3 * H, H, x, 0, w[W_QKV], 0, qkv);
        add_bias(qkv, T, 3 * H, p[P_BQKV]);
        accel_softmax_desc sm = {ACCEL_DTYPE_F64, S, S, scale, S};
        for (int64_t bi = 0; bi < B; bi++)
            for (int64_t a = 0; a < A; a++) {
                double *qa = qh, *ka = qh + S * D, *va = qh + 2 * S * D, *pa = probs + (bi * A + a) * S * S;
                for (int64_t s = 0; s < S; s++)
                    for (int64_t e = 0; e < D; e++) {
                        const double *row = qkv + (bi * S + s) * 3 * H + a * D + e;
                        qa[s * D + e] = row[0], ka[s * D + e] = row[H], va[s * D + e] = row[2 * H];
                    }
                wl_dgemm(S, S, D, qa, 0, ka, 1, hd);
                accel_ref_softmax(&sm, hd, st->mask + bi * S, pa);
                wl_dgemm(S, D, S, pa, 0, va, 0, g1);
                for (int64_t s = 0; s < S; s++)
                    for (int64_t e = 0; e < D; e++) ctx2[(bi * S + s) * H + a * D + e] = g1[s * D + e];
            }
        wl_dgemm(T, H, H, ctx2, 0, w[W_O], 0, pre1);
        add_bias(pre1, T, H, p[P_BO]);
        for (int64_t i = 0; i < T * H; i++) pre1[i] += x[i];
        accel_layernorm_desc ln = {ACCEL_DTYPE_F64, T, H, BERT_LN_EPS, 0};
        accel_ref_layernorm(&ln, pre1, NULL, p[P_G1], p[P_BE1], h1);
        wl_dgemm(T, F, H, h1, 0, w[W_1], 0, f1pre);
        add_bias(f1pre, T, F, p[P_B1]);
        for (int64_t i = 0; i < T * F; i++) f1[i] = accel_ref_gelu_erf(f1pre[i]);
        wl_dgemm(T, H, F, f1, 0, w[W_2], 0, pre2);
        add_bias(pre2, T, H, p[P_B2]);
        for (int64_t i = 0; i < T * H; i++) pre2[i] += h1[i];
        /* backward */
        accel_layernorm_backward_desc lnb = {ACCEL_DTYPE_F64, T, H, BERT_LN_EPS, 0};
        accel_ref_layernorm_backward(&lnb, pre2, p[P_G2], dout, dpre2, r->p[P_G2], r->p[P_BE2]);
        column_sums(dpre2, T, H, r->p[P_B2]);
        wl_dgemm(F, H, T, f1, 1, dpre2, 0, r->w[W_2]);
        wl_dgemm(T, F, H, dpre2, 0, w[W_2], 1, df1);
        for (int64_t i = 0; i < T * F; i++) df1[i] *= accel_ref_gelu_erf_grad(f1pre[i]);
        column_sums(df1, T, F, r->p[P_B1]);
        wl_dgemm(H, F, T, h1, 1, df1, 0, r->w[W_1]);
        wl_dgemm(T, H, F, df1, 0, w[W_1], 1, dh1);
        for (int64_t i = 0; i < T * H; i++) dh1[i] += dpre2[i];
        accel_ref_layernorm_backward(&lnb, pre1, p[P_G1], dh1, dpre1, r->p[P_G1], r->p[P_BE1]);
        column_sums(dpre1, T, H, r->p[P_BO]);
        wl_dgemm(H, H, T, ctx2, 1, dpre1, 0, r->w[W_O]);
        wl_dgemm(T, H, H, dpre1, 0, w[W_O], 1, dctx2);
        accel_softmax_desc smb = {ACCEL_DTYPE_F64, S, S, scale, 0};
        for (int64_t bi = 0; bi < B; bi++)
            for (int64_t a = 0; a < A; a++) {
                double *qa = qh, *ka = qh + S * D, *va = qh + 2 * S * D, *pa = probs + (bi * A + a) * S * S;
                for (int64_t s = 0; s < S; s++)
                    for (int64_t e = 0; e < D; e++) {
                        const double *row = qkv + (bi * S + s) * 3 * H + a * D + e;
                        qa[s * D + e] = row[0], ka[s * D + e] = row[H], va[s * D + e] = row[2 * H];
                        g1[s * D + e] = dctx2[(bi * S + s) * H + a * D + e]; /* dCTX of this head */
                    }
                wl_dgemm(S, S, D, g1, 0, va, 1, hd);      /* dP */
                wl_dgemm(S, D, S, pa, 1, g1, 0, g2);      /* dV */
                for (int64_t s = 0; s < S; s++)
                    for (int64_t e = 0; e < D; e++) dqkv[(bi * S + s) * 3 * H + 2 * H + a * D + e] = g2[s * D + e];
                accel_ref_softmax_backward(&smb, pa, hd, hd); /* dS, in place: read row by row first */
                wl_dgemm(S, D, S, hd, 0, ka, 0, g2);      /* dQ */
                for (int64_t s = 0; s < S; s++)
                    for (int64_t e = 0; e < D; e++) dqkv[(bi * S + s) * 3 * H + a * D + e] = g2[s * D + e];
                wl_dgemm(S, D, S, hd, 1, qa, 0, g2);      /* dK */
                for (int64_t s = 0; s < S; s++)
                    for (int64_t e = 0; e < D; e++) dqkv[(bi * S + s) * 3 * H + H + a * D + e] = g2[s * D + e];
            }
        column_sums(dqkv, T, 3 * H, r->p[P_BQKV]);
        wl_dgemm(H, 3 * H, T, x, 1, dqkv, 0, r->w[W_QKV]);
        wl_dgemm(T, H, 3 * H, dqkv, 0, w[W_QKV], 1, r->dx);
        for (int64_t i = 0; i < T * H; i++) r->dx[i] += dpre1[i];
    }
    for (int i = 0; i < W_COUNT; i++) free(w[i]);
    for (int i = 0; i < P_COUNT; i++) free(p[i]);
    free(x), free(dout), free(qkv), free(probs), free(ctx2), free(pre1), free(h1), free(f1pre), free(f1), free(pre2);
    free(dpre2), free(df1), free(dh1), free(dpre1), free(dctx2), free(dqkv), free(tmp), free(qh), free(hd), free(g1), free(g2);
    return ok;
}

static void free_grads(ref_grads *r) {
    for (int i = 0; i < W_COUNT; i++) free(r->w[i]);
    for (int i = 0; i < P_COUNT; i++) free(r->p[i]);
    free(r->dx);
}

accel_status wl_bert_train_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    bert_train_state *st = state;
    memset(out, 0, sizeof *out);
    /* What the timed steps did with fp16: an overflow in every step is no training step at all. */
    int32_t skipped;
    float scale;
    accel_status s = wl_amp_read(stream, &st->amp, &skipped, &scale);
    if (s != ACCEL_OK) return s;
    if (st->amp.enabled && st->runs > 0 && skipped >= st->runs) {
        out->checked = 1;
        out->passed = 0;
        snprintf(out->detail, sizeof out->detail,
                 "fp16 loss scaling: all %lld steps overflowed and were skipped (scale now %g): not a training step",
                 (long long)st->runs, (double)scale);
        return ACCEL_OK;
    }
    /* One step from the initial state, then its gradients and updates against the reference. */
    wl_param_group *groups[2] = {&st->w, &st->p};
    if ((s = wl_train_restore(stream, groups, 2, &st->amp)) != ACCEL_OK) return s;
    if ((s = wl_steps_run(&st->steps, stream)) != ACCEL_OK) return s;
    if ((s = wl_bert_train_check_step(st, stream, NULL, NULL, out)) != ACCEL_OK) return s;
    if (st->amp.enabled && out->passed && skipped > 0)
        snprintf(out->detail, sizeof out->detail, "fp16 loss scaling: %d of %lld timed steps skipped (overflow), scale %g",
                 (int)skipped, (long long)st->runs, (double)scale);
    return s;
}

accel_status wl_bert_train_check_step(void *state, accel_stream *stream, wl_train_combine combine, void *ctx,
                                      awl_verify_result *out) {
    bert_train_state *st = state;
    accel_status s = ACCEL_OK;
    if (st->corrupt) /* test hook: one weight gradient perturbed, as a wrong kernel would */
        if ((s = wl_corrupt_element(stream, st->w.grad, 0, st->w.grad_type, 7)) != ACCEL_OK) return s;
    ref_grads r;
    memset(&r, 0, sizeof r);
    if (!reference(st, &r)) {
        free_grads(&r);
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "bert training reference");
    }
    /* Data parallel: the parameters' gradient is the ranks' combined one (the input gradient stays
     * each rank's own). */
    for (int i = 0; combine && i < W_COUNT && s == ACCEL_OK; i++) s = combine(ctx, r.w[i], (size_t)st->w.tensors[i].count);
    for (int i = 0; combine && i < P_COUNT && s == ACCEL_OK; i++) s = combine(ctx, r.p[i], (size_t)st->p.tensors[i].count);
    const double tol = wl_train_tolerance(st->dtype);
    for (int i = 0; i < W_COUNT && s == ACCEL_OK; i++) s = wl_train_check_grad(stream, &st->w, i, r.w[i], tol, out);
    for (int i = 0; i < P_COUNT && s == ACCEL_OK; i++) s = wl_train_check_grad(stream, &st->p, i, r.p[i], tol, out);
    if (s == ACCEL_OK) {
        void *dx = NULL;
        const int64_t n = st->B * st->S * st->H;
        s = wl_download(stream, st->a[A_DX], 0, (size_t)n * accel_dtype_size(st->t), &dx);
        const double f = wl_amp_input_grad_factor(&st->amp);
        for (int64_t i = 0; i < n; i++) r.dx[i] *= f;
        if (s == ACCEL_OK) wl_verify_normwise(st->t, dx, r.dx, n, tol, "input gradient", out);
        free(dx);
    }
    if (s == ACCEL_OK) s = wl_train_check_update(stream, &st->w, WL_TRAIN_UPDATE_TOL, out);
    if (s == ACCEL_OK) s = wl_train_check_update(stream, &st->p, WL_TRAIN_UPDATE_TOL, out);
    free_grads(&r);
    return s;
}
