/* The .cu family's planner (accel_cu_planner.h): the acceptance rule, the grid, and the argument
 * list of every kernel in ../kernels, written once for the cuda and hip plugins. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "accel_attention_limits.h"
#include "accel_cu_planner.h"
#include "accel_cu_train.h"

/* ---- the entries and their parameter lists ---- */

#define CU_FLOAT_TYPES(M, src, name, sig)                                                          \
    M(src, name, "f32", sig("float")) M(src, name, "f16", sig("accel_f16"))                        \
    M(src, name, "bf16", sig("accel_bf16"))
#define CU_ENTRY(src, name, sfx, type) {src, name "_" sfx, type},

#define ELTWISE_SIG(T) "void (*)(int, const " T " *, const " T " *, " T " *, accel_i64, accel_i64, float, float)"
#define BIAS_ACT_SIG(T) "void (*)(" T " *, const " T " *, accel_i64, accel_i64, accel_i64, accel_i64, accel_i64, accel_i64, int)"
#define GEMM_SIG(T) "void (*)(const " T " *, const " T " *, const " T " *, " T " *, const " T " *, accel_gemm_params)"
#define LAYERNORM_SIG(T) "void (*)(const " T " *, const " T " *, const " T " *, const " T " *, " T " *, accel_i64, float)"
#define RMSNORM_SIG(T) "void (*)(const " T " *, const " T " *, " T " *, accel_i64, float)"
#define SOFTMAX_SIG(T) "void (*)(const " T " *, const float *, " T " *, accel_i64, float, accel_i64)"
#define ATTENTION_SIG(T) "void (*)(const " T " *, const " T " *, const " T " *, const float *, " T " *, accel_attention_params)"
#define CONV2D_SIG(T) "void (*)(const " T " *, const " T " *, const " T " *, const " T " *, " T " *, accel_conv2d_params)"
#define PERMUTE_SIG(E) "void (*)(const " E " *, " E " *, accel_permute_params)"

const accel_cu_entry accel_cu_entries[] = {
    {"fill.cu", "accel_fill_pattern",
     "void (*)(unsigned char *, accel_i64, unsigned long long, unsigned long long, int)"},
    CU_FLOAT_TYPES(CU_ENTRY, "eltwise.cu", "accel_eltwise", ELTWISE_SIG)
    CU_FLOAT_TYPES(CU_ENTRY, "epilogue.cu", "accel_bias_act", BIAS_ACT_SIG)
    CU_FLOAT_TYPES(CU_ENTRY, "gemm.cu", "accel_gemm", GEMM_SIG)
    CU_ENTRY("gemm.cu", "accel_gemm", "f64", GEMM_SIG("double"))
    CU_FLOAT_TYPES(CU_ENTRY, "layernorm.cu", "accel_layernorm", LAYERNORM_SIG)
    CU_FLOAT_TYPES(CU_ENTRY, "layernorm.cu", "accel_rmsnorm", RMSNORM_SIG)
    CU_FLOAT_TYPES(CU_ENTRY, "softmax.cu", "accel_softmax", SOFTMAX_SIG)
    CU_FLOAT_TYPES(CU_ENTRY, "attention.cu", "accel_attention", ATTENTION_SIG)
    CU_FLOAT_TYPES(CU_ENTRY, "flash_attention.cu", "accel_flash_attention", ATTENTION_SIG)
    CU_ENTRY("flash_attention.cu", "accel_flash_attention_mma", "f16", ATTENTION_SIG("accel_f16"))
    CU_ENTRY("flash_attention.cu", "accel_flash_attention_mma", "bf16", ATTENTION_SIG("accel_bf16"))
    CU_ENTRY("flash_attention.cu", "accel_flash_attention_mfma", "f16", ATTENTION_SIG("accel_f16"))
    CU_ENTRY("flash_attention.cu", "accel_flash_attention_mfma", "bf16", ATTENTION_SIG("accel_bf16"))
    CU_FLOAT_TYPES(CU_ENTRY, "conv2d.cu", "accel_conv2d", CONV2D_SIG)
    CU_ENTRY("permute.cu", "accel_permute", "b1", PERMUTE_SIG("unsigned char"))
    CU_ENTRY("permute.cu", "accel_permute", "b2", PERMUTE_SIG("unsigned short"))
    CU_ENTRY("permute.cu", "accel_permute", "b4", PERMUTE_SIG("unsigned int"))
    CU_ENTRY("permute.cu", "accel_permute", "b8", PERMUTE_SIG("unsigned long long"))
    /* the training kinds (accel_cu_train.h) */
    ACCEL_CU_TRAIN_ENTRIES(CU_FLOAT_TYPES, CU_ENTRY)
};
const size_t accel_cu_entry_count = sizeof accel_cu_entries / sizeof accel_cu_entries[0];

/* ---- helpers ---- */

#define CU_STR_(x) #x
#define CU_STR(x) CU_STR_(x)

typedef struct cu_ctx {
    const accel_cu_target *t;
    accel_recipe *r;
    char *why;
    size_t why_len;
} cu_ctx;

static accel_status refuse(cu_ctx *c, accel_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static accel_status refuse(cu_ctx *c, accel_status st, const char *fmt, ...) {
    int n = snprintf(c->why, c->why_len, "%s ", c->t->backend);
    if (n < 0 || (size_t)n >= c->why_len) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why + n, c->why_len - (size_t)n, fmt, ap);
    va_end(ap);
    return st;
}

const char *accel_cu_dtype_suffix(accel_dtype t, int with_f64) {
    switch (t) {
    case ACCEL_DTYPE_F32: return "f32";
    case ACCEL_DTYPE_F16: return "f16";
    case ACCEL_DTYPE_BF16: return "bf16";
    case ACCEL_DTYPE_F64: return with_f64 ? "f64" : NULL;
    default: return NULL;
    }
}

int accel_cu_act_of(uint32_t e) {
    if (e & ACCEL_EPILOGUE_RELU) return ACCEL_ACT_RELU;
    if (e & ACCEL_EPILOGUE_GELU_ERF) return ACCEL_ACT_GELU_ERF;
    if (e & ACCEL_EPILOGUE_GELU_TANH) return ACCEL_ACT_GELU_TANH;
    return ACCEL_ACT_NONE;
}

static accel_status no_storage(cu_ctx *c, const char *op, accel_dtype t) {
    return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: storage type %s is not one the kernels take (f32, f16, bf16)", op,
                  accel_dtype_label(t));
}

/* The kernel `<prefix>_<suffix>` of source. */
static accel_recipe_launch *launch_of(cu_ctx *c, const char *source, const char *prefix, const char *suffix) {
    char entry[48];
    snprintf(entry, sizeof entry, "%s_%s", prefix, suffix);
    return accel_recipe_add_launch(c->r, source, entry);
}

/* Grid-stride kernels: 256 threads, enough blocks to fill the GPU and no more. */
static void stride_grid(cu_ctx *c, accel_recipe_launch *l, int64_t items) {
    const unsigned threads = 256;
    uint64_t blocks = ((uint64_t)(items > 0 ? items : 0) + threads - 1) / threads;
    const uint64_t cap = c->t->stride_blocks_max ? c->t->stride_blocks_max : 1;
    if (blocks > cap) blocks = cap;
    l->grid[0] = (uint32_t)(blocks ? blocks : 1);
    l->group[0] = threads;
}

/* One block per row: a warp multiple up to 256 threads (the block reductions need whole warps). */
static accel_status row_grid(cu_ctx *c, accel_recipe_launch *l, const char *op, int64_t rows, int64_t cols) {
    if (rows > INT_MAX)
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: %lld rows (at most %d, one block each)", op, (long long)rows,
                      INT_MAX);
    const int64_t warp = c->t->warp ? c->t->warp : 32;
    int64_t threads = (cols + warp - 1) / warp * warp;
    if (threads > 256) threads = 256;
    if (threads < warp) threads = warp;
    l->grid[0] = (uint32_t)rows;
    l->group[0] = (uint32_t)threads;
    return ACCEL_OK;
}

/* 64x64 output tiles, 256 threads (accel_gpu_tile.h); batches beyond 65535 loop in the kernel. */
static accel_status tile_grid(cu_ctx *c, accel_recipe_launch *l, const char *op, int64_t m, int64_t n, int64_t batch) {
    const int64_t gx = (n + 63) / 64, gy = (m + 63) / 64;
    if (gx > INT_MAX || gy > 65535)
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: %lld x %lld is too large for the 64x64 tile grid", op,
                      (long long)m, (long long)n);
    l->grid[0] = (uint32_t)gx;
    l->grid[1] = (uint32_t)gy;
    l->grid[2] = (uint32_t)(batch > 65535 ? 65535 : batch);
    l->group[0] = 256;
    return ACCEL_OK;
}

static void describe(cu_ctx *c, const accel_recipe_launch *l, const char *how) {
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "%s (%s) %s", l->entry, l->source, how);
}

/* ---- the ops ---- */

static accel_status plan_eltwise(cu_ctx *c, const accel_eltwise_desc *e) {
    const char *sfx = accel_cu_dtype_suffix(e->dtype, 0);
    if (!sfx) return no_storage(c, "eltwise", e->dtype);
    if (e->kind < ACCEL_ELTWISE_COPY || e->kind > ACCEL_ELTWISE_GELU_TANH_BACKWARD)
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "eltwise: kind %d", (int)e->kind);
    /* the activation backward kinds read Z, the output gradient */
    const int binary = e->kind == ACCEL_ELTWISE_ADD || e->kind == ACCEL_ELTWISE_MUL ||
                       e->kind == ACCEL_ELTWISE_BIAS_ADD || e->kind >= ACCEL_ELTWISE_RELU_BACKWARD;
    accel_recipe *r = c->r;
    accel_recipe_launch *l = launch_of(c, "eltwise.cu", "accel_eltwise", sfx);
    stride_grid(c, l, e->count);
    accel_recipe_i32(r, l, e->kind, 0);
    accel_recipe_operand(r, l, 0, 1);
    accel_recipe_operand_if(r, l, 1, binary);
    accel_recipe_operand(r, l, 2, 1);
    accel_recipe_i64(r, l, e->count, 0);
    accel_recipe_i64(r, l, e->cols > 0 ? e->cols : 1, 0);
    accel_recipe_f32(r, l, e->alpha);
    accel_recipe_f32(r, l, e->beta);
    describe(c, l, "grid-stride");
    return ACCEL_OK;
}

static accel_status plan_layernorm(cu_ctx *c, const accel_layernorm_desc *d) {
    const char *sfx = accel_cu_dtype_suffix(d->dtype, 0);
    if (!sfx) return no_storage(c, "layernorm", d->dtype);
    accel_recipe *r = c->r;
    accel_recipe_launch *l = launch_of(c, "layernorm.cu", "accel_layernorm", sfx);
    accel_status st = row_grid(c, l, "layernorm", d->rows, d->cols);
    if (st != ACCEL_OK) return st;
    accel_recipe_operand(r, l, 0, 1);
    accel_recipe_operand_if(r, l, 1, d->has_residual);
    accel_recipe_operand(r, l, 2, 1);
    accel_recipe_operand(r, l, 3, 1);
    accel_recipe_operand(r, l, 4, 1);
    accel_recipe_i64(r, l, d->cols, 0);
    accel_recipe_f32(r, l, d->eps);
    describe(c, l, "block per row, two-pass fp32 statistics");
    return ACCEL_OK;
}

static accel_status plan_rmsnorm(cu_ctx *c, const accel_rmsnorm_desc *d) {
    const char *sfx = accel_cu_dtype_suffix(d->dtype, 0);
    if (!sfx) return no_storage(c, "rmsnorm", d->dtype);
    accel_recipe *r = c->r;
    accel_recipe_launch *l = launch_of(c, "layernorm.cu", "accel_rmsnorm", sfx);
    accel_status st = row_grid(c, l, "rmsnorm", d->rows, d->cols);
    if (st != ACCEL_OK) return st;
    accel_recipe_operand(r, l, 0, 1);
    accel_recipe_operand(r, l, 1, 1);
    accel_recipe_operand(r, l, 2, 1);
    accel_recipe_i64(r, l, d->cols, 0);
    accel_recipe_f32(r, l, d->eps);
    describe(c, l, "block per row, fp32 sum of squares");
    return ACCEL_OK;
}

static accel_status plan_softmax(cu_ctx *c, const accel_softmax_desc *d) {
    const char *sfx = accel_cu_dtype_suffix(d->dtype, 0);
    if (!sfx) return no_storage(c, "softmax", d->dtype);
    accel_recipe *r = c->r;
    accel_recipe_launch *l = launch_of(c, "softmax.cu", "accel_softmax", sfx);
    accel_status st = row_grid(c, l, "softmax", d->rows, d->cols);
    if (st != ACCEL_OK) return st;
    accel_recipe_operand(r, l, 0, 1);
    accel_recipe_operand(r, l, 1, 0); /* the mask: optional, null when absent */
    accel_recipe_operand(r, l, 2, 1);
    accel_recipe_i64(r, l, d->cols, 0);
    accel_recipe_f32(r, l, d->scale);
    accel_recipe_i64(r, l, d->rows_per_mask_row > 0 ? d->rows_per_mask_row : 1, 0);
    describe(c, l, "block per row, fp32");
    return ACCEL_OK;
}

/* The tiled flash kernels (flash_attention.cu) for head sizes up to ACCEL_FLASH_MAX_DIM, on tensor
 * cores for f16/bf16 where the target has them; the row-per-block kernel (attention.cu) for the
 * larger head sizes it still takes. */
static accel_status plan_attention(cu_ctx *c, const accel_attention_desc *d) {
    const char *sfx = accel_cu_dtype_suffix(d->dtype, 0);
    if (!sfx) return no_storage(c, "attention", d->dtype);
    if (!accel_compute_is_fp32_on(d->compute, d->dtype))
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "attention: compute type %d (the kernel computes in fp32)",
                      (int)d->compute);
    if (d->batch < 1 || d->heads < 1 || d->seq < 1 || d->head_dim < 1)
        return refuse(c, ACCEL_ERR_INVALID_ARGUMENT, "attention: batch, heads, seq and head_dim must be positive");
    if (d->batch > INT_MAX / d->heads)
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "attention: batch * heads %lld x %lld above %d (one grid row each)",
                      (long long)d->batch, (long long)d->heads, INT_MAX);
    const accel_attention_params p = {d->heads, d->seq, d->head_dim, (float)d->scale, d->causal ? 1 : 0};
    const int64_t q_tiles = (d->seq + ACCEL_FLASH_ROWS - 1) / ACCEL_FLASH_ROWS;
    accel_recipe *r = c->r;
    accel_recipe_launch *l;
    if (d->head_dim <= ACCEL_FLASH_MAX_DIM && q_tiles <= 65535) {
        const int half = d->dtype != ACCEL_DTYPE_F32;
        const int mma = c->t->mma_16816 && half, mfma = !mma && c->t->mfma_16x16x16 && half;
        l = launch_of(c, "flash_attention.cu",
                      mma ? "accel_flash_attention_mma" : mfma ? "accel_flash_attention_mfma" : "accel_flash_attention",
                      sfx);
        l->grid[0] = (uint32_t)(d->batch * d->heads);
        l->grid[1] = (uint32_t)q_tiles;
        l->group[0] = ACCEL_FLASH_THREADS;
        for (int i = 0; i < 5; ++i) accel_recipe_operand(r, l, i, i != 3); /* the mask is optional */
        accel_recipe_bytes(r, l, &p, sizeof p, 8, 0);
        describe(c, l, mma    ? "flash-tiled-mma-" CU_STR(ACCEL_FLASH_ROWS) "x" CU_STR(ACCEL_FLASH_MMA_KEYS)
                                   ", online softmax, fp32 accumulation"
                       : mfma ? "flash-tiled-mfma-" CU_STR(ACCEL_FLASH_ROWS) "x" CU_STR(ACCEL_FLASH_MMA_KEYS)
                                   ", online softmax, fp32 accumulation"
                              : "flash-tiled-fma-" CU_STR(ACCEL_FLASH_ROWS) "x" CU_STR(ACCEL_FLASH_FMA_KEYS)
                                   ", online softmax, fp32");
        return ACCEL_OK;
    }
    if (d->seq > ACCEL_ATTENTION_MAX_SEQ || d->head_dim > ACCEL_ATTENTION_MAX_DIM)
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED,
                      "attention: seq %lld / head_dim %lld: the tiled kernel takes head_dim <= %d, the row kernel "
                      "seq <= %d and head_dim <= %d (a row's scores sit in shared memory)",
                      (long long)d->seq, (long long)d->head_dim, ACCEL_FLASH_MAX_DIM, ACCEL_ATTENTION_MAX_SEQ,
                      ACCEL_ATTENTION_MAX_DIM);
    l = launch_of(c, "attention.cu", "accel_attention", sfx);
    l->grid[0] = (uint32_t)(d->batch * d->heads);
    l->grid[1] = (uint32_t)d->seq;
    l->group[0] = 128;
    for (int i = 0; i < 5; ++i) accel_recipe_operand(r, l, i, i != 3);
    accel_recipe_bytes(r, l, &p, sizeof p, 8, 0);
    describe(c, l, "block per query row, scores in shared memory, fp32");
    return ACCEL_OK;
}

static accel_status plan_permute(cu_ctx *c, const accel_permute_desc *d) {
    static const char *const by_size[9] = {NULL, "b1", "b2", NULL, "b4", NULL, NULL, NULL, "b8"};
    const size_t es = accel_dtype_bytes(d->dtype);
    if (es > 8 || !by_size[es])
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "permute: storage type %s", accel_dtype_label(d->dtype));
    if (d->ndims < 1 || d->ndims > ACCEL_CU_PERMUTE_MAX)
        return refuse(c, ACCEL_ERR_INVALID_ARGUMENT, "permute of %d dims", d->ndims);
    int64_t dims[ACCEL_PERMUTE_MAX_DIMS], strides[ACCEL_PERMUTE_MAX_DIMS];
    accel_permute_params p;
    memset(&p, 0, sizeof p);
    p.total = accel_permute_walk(d, dims, strides);
    p.ndims = d->ndims;
    for (int i = 0; i < d->ndims; ++i) {
        p.out_dims[i] = dims[i];
        p.in_strides[i] = strides[i];
    }
    accel_recipe *r = c->r;
    accel_recipe_launch *l = launch_of(c, "permute.cu", "accel_permute", by_size[es]);
    stride_grid(c, l, p.total);
    accel_recipe_operand(r, l, 0, 1);
    accel_recipe_operand(r, l, 1, 1);
    accel_recipe_bytes(r, l, &p, sizeof p, 8, 0);
    describe(c, l, "gather, grid-stride");
    return ACCEL_OK;
}

void accel_cu_gemm_params_of(const accel_gemm_desc *in, accel_gemm_params *p) {
    const accel_gemm_desc g = accel_gemm_resolved(in);
    memset(p, 0, sizeof *p);
    p->m = g.m, p->n = g.n, p->k = g.k;
    p->lda = g.lda, p->ldb = g.ldb, p->ldc = g.ldc, p->ldd = g.ldd;
    p->stride_a = g.stride_a, p->stride_b = g.stride_b, p->stride_c = g.stride_c, p->stride_d = g.stride_d;
    p->stride_bias = g.stride_bias;
    p->batch = g.batch;
    p->alpha = g.alpha;
    p->beta = g.beta;
    p->trans_a = g.trans_a != 0;
    p->trans_b = g.trans_b != 0;
    p->act = accel_cu_act_of(g.epilogue);
    p->round_tf32 = g.a_type == ACCEL_DTYPE_F32 && g.compute == ACCEL_COMPUTE_TF32;
}

/* The GEMM kernel accumulates in fp32 (fp64 for f64); TF32 is honoured by rounding the inputs. */
static int gemm_compute_ok(accel_dtype t, accel_compute_type ct) {
    switch (t) {
    case ACCEL_DTYPE_F32: return ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_F32 || ct == ACCEL_COMPUTE_TF32;
    case ACCEL_DTYPE_F64: return ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_F64;
    default: return accel_compute_is_fp32_on(ct, t);
    }
}

static accel_status plan_gemm(cu_ctx *c, const accel_gemm_desc *g) {
    if (accel_dtype_is_fp8(g->a_type) || accel_dtype_is_fp8(g->b_type))
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: the accel GEMM kernel does not read fp8 (the vendor "
                      "libraries do, where the device has fp8 tensor cores)");
    const accel_dtype bias = g->bias_type ? g->bias_type : g->d_type;
    const accel_dtype c_type = g->beta != 0.0 ? g->c_type : g->a_type;
    const char *sfx = accel_cu_dtype_suffix(g->a_type, 1);
    if (!sfx || g->b_type != g->a_type || g->d_type != g->a_type || c_type != g->a_type ||
        ((g->epilogue & ACCEL_EPILOGUE_BIAS) && bias != g->a_type))
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: the accel GEMM kernel needs A, B, C, D and bias of one "
                      "type (f32, f16, bf16, f64)");
    if (!gemm_compute_ok(g->a_type, g->compute))
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: compute type %d with %s storage (the accel kernel "
                      "accumulates in fp32, fp64 for f64; no fp16 accumulation)", (int)g->compute, sfx);
    if (g->epilogue & ACCEL_EPILOGUE_RESIDUAL)
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: the residual epilogue is conv2d's (use beta * C)");
    accel_gemm_params p;
    accel_cu_gemm_params_of(g, &p);
    accel_recipe *r = c->r;
    accel_recipe_launch *l = launch_of(c, "gemm.cu", "accel_gemm", sfx);
    accel_status st = tile_grid(c, l, "gemm", g->m, g->n, g->batch);
    if (st != ACCEL_OK) return st;
    accel_recipe_operand(r, l, 0, 1);
    accel_recipe_operand(r, l, 1, 1);
    accel_recipe_operand_if(r, l, 2, g->beta != 0.0);
    accel_recipe_operand(r, l, 3, 1);
    accel_recipe_operand_if(r, l, 4, (g->epilogue & ACCEL_EPILOGUE_BIAS) != 0);
    accel_recipe_bytes(r, l, &p, sizeof p, 8, 0);
    describe(c, l, p.round_tf32 ? "64x64x16 tiles, fp32 FMA on tf32-rounded inputs"
                                : g->a_type == ACCEL_DTYPE_F64 ? "64x64x16 tiles, fp64 FMA" : "64x64x16 tiles, fp32 FMA");
    return ACCEL_OK;
}

static accel_status plan_conv2d(cu_ctx *c, const accel_conv2d_desc *d) {
    const char *sfx = accel_cu_dtype_suffix(d->x_type, 0);
    if (!sfx || d->w_type != d->x_type || d->y_type != d->x_type)
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: the accel kernel needs X, W and Y of one type (f32, f16, "
                      "bf16)");
    if (d->groups > 1) return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: groups > 1");
    /* The kernel multiplies and accumulates in fp32 whatever was asked: anything else is refused
     * here, never run silently as fp32 (tf32, fp16 accumulation, f64). */
    if (!accel_compute_is_fp32_on(d->compute, d->x_type))
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: compute type %d with %s storage (the accel kernel "
                      "computes in fp32)", (int)d->compute, sfx);
    if (d->epilogue & ~(ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU))
        return refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: the epilogue takes bias, residual and relu");
    int64_t p = 0, q = 0;
    if (!accel_conv2d_out_hw(d, &p, &q) || p <= 0 || q <= 0)
        return refuse(c, ACCEL_ERR_INVALID_ARGUMENT, "conv2d: the output is empty");
    accel_conv2d_params k;
    memset(&k, 0, sizeof k);
    k.n = d->n, k.c = d->c, k.h = d->h, k.w = d->w, k.k = d->k, k.r = d->r, k.s = d->s, k.p = p, k.q = q;
    k.stride_h = d->stride_h, k.stride_w = d->stride_w, k.pad_h = d->pad_h, k.pad_w = d->pad_w;
    k.dil_h = d->dil_h ? d->dil_h : 1;
    k.dil_w = d->dil_w ? d->dil_w : 1;
    k.nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    k.relu = (d->epilogue & ACCEL_EPILOGUE_RELU) != 0;
    accel_recipe *r = c->r;
    accel_recipe_launch *l = launch_of(c, "conv2d.cu", "accel_conv2d", sfx);
    accel_status st = tile_grid(c, l, "conv2d", d->n * p * q, d->k, 1);
    if (st != ACCEL_OK) return st;
    accel_recipe_operand(r, l, 0, 1);
    accel_recipe_operand(r, l, 1, 1);
    accel_recipe_operand_if(r, l, 2, (d->epilogue & ACCEL_EPILOGUE_BIAS) != 0);
    accel_recipe_operand_if(r, l, 3, (d->epilogue & ACCEL_EPILOGUE_RESIDUAL) != 0);
    accel_recipe_operand(r, l, 4, 1);
    accel_recipe_bytes(r, l, &k, sizeof k, 8, 0);
    describe(c, l, "implicit GEMM, 64x64x16 tiles, fp32 accumulate");
    return ACCEL_OK;
}

static accel_status finish(cu_ctx *c, accel_status st) {
    if (st == ACCEL_OK && c->r->overflow)
        return refuse(c, ACCEL_ERR_INTERNAL, "planner: the recipe overflowed (a planner bug)");
    return st;
}

accel_status accel_cu_plan(const accel_op_desc *d, const accel_cu_target *t, accel_recipe *r, char *why,
                           size_t why_len) {
    cu_ctx c = {t, r, why, why_len};
    memset(r, 0, sizeof *r);
    if (why_len) why[0] = '\0';
    accel_status st;
    switch (d->kind) {
    case ACCEL_OP_GEMM: st = plan_gemm(&c, &d->u.gemm); break;
    case ACCEL_OP_CONV2D: st = plan_conv2d(&c, &d->u.conv2d); break;
    case ACCEL_OP_LAYERNORM: st = plan_layernorm(&c, &d->u.layernorm); break;
    case ACCEL_OP_SOFTMAX: st = plan_softmax(&c, &d->u.softmax); break;
    case ACCEL_OP_RMSNORM: st = plan_rmsnorm(&c, &d->u.rmsnorm); break;
    case ACCEL_OP_ELTWISE: st = plan_eltwise(&c, &d->u.eltwise); break;
    case ACCEL_OP_PERMUTE: st = plan_permute(&c, &d->u.permute); break;
    case ACCEL_OP_ATTENTION: st = plan_attention(&c, &d->u.attention); break;
    /* the training kinds: cu_plan_train.c */
    case ACCEL_OP_LAYERNORM_BACKWARD:
    case ACCEL_OP_SOFTMAX_BACKWARD:
    case ACCEL_OP_REDUCE:
    case ACCEL_OP_BATCHNORM:
    case ACCEL_OP_BATCHNORM_BACKWARD:
    case ACCEL_OP_CONV2D_BACKWARD_DATA:
    case ACCEL_OP_CONV2D_BACKWARD_WEIGHTS:
    case ACCEL_OP_ADAMW:
    case ACCEL_OP_AMP_SCALE:
    case ACCEL_OP_AMP_UPDATE_SCALE: return accel_cu_plan_train(d, t, r, why, why_len);
    default: st = refuse(&c, ACCEL_ERR_UNIMPLEMENTED, "%s: no kernel in the .cu family", accel_op_kind_label(d->kind)); break;
    }
    return finish(&c, st);
}

accel_status accel_cu_plan_gemm_epilogue(const accel_gemm_desc *g, int act, int add_bias, const accel_cu_target *t,
                                         accel_recipe *r, char *why, size_t why_len) {
    cu_ctx c = {t, r, why, why_len};
    memset(r, 0, sizeof *r);
    if (why_len) why[0] = '\0';
    const char *sfx = accel_cu_dtype_suffix(g->d_type, 0);
    if (!sfx) return no_storage(&c, "gemm epilogue", g->d_type);
    accel_gemm_params p;
    accel_cu_gemm_params_of(g, &p);
    accel_recipe_launch *l = launch_of(&c, "epilogue.cu", "accel_bias_act", sfx);
    stride_grid(&c, l, p.m * p.n * p.batch);
    accel_recipe_operand(r, l, 3, 1);
    accel_recipe_operand_if(r, l, 4, add_bias);
    accel_recipe_i64(r, l, p.m, 0);
    accel_recipe_i64(r, l, p.n, 0);
    accel_recipe_i64(r, l, p.ldd, 0);
    accel_recipe_i64(r, l, p.batch, 0);
    accel_recipe_i64(r, l, p.stride_d, 0);
    accel_recipe_i64(r, l, p.stride_bias, 0);
    accel_recipe_i32(r, l, act, 0);
    describe(&c, l, "bias and activation after the library GEMM");
    return finish(&c, ACCEL_OK);
}
