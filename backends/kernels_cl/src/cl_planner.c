/* The .cl family's planner (accel_cl_planner.h): the acceptance rule, the kernel variant, the
 * geometry and the argument list of every kernel in ../kernels, written once for the opencl and
 * level_zero plugins. Buffers go to the kernels as (buffer, element offset) pairs. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_attention_limits.h"
#include "accel_cl_planner.h"
#include "cl_planner_internal.h"

static int kernel_takes(const cl_ctx *c, size_t work_items) { return !c->kernel_limit || work_items <= c->kernel_limit; }

/* The default tiles of gemm.cl and conv2d.cl: the ones the prebuilt variants have. */
typedef struct cl_tile {
    int tsm, tsn, tsk, wptm, wptn;
} cl_tile;
static const cl_tile cl_tiles[] = {{64, 64, 16, 4, 4}, {32, 32, 16, 4, 4}, {16, 16, 16, 2, 2}, {8, 8, 8, 2, 2}};
/* The prebuilt variants' work-groups: rows (64 for rows shorter than 256), elements. */
enum { CL_PREBUILT_ROW_SMALL = 64, CL_PREBUILT_ROW = 256, CL_PREBUILT_ELEMENTS = 256 };

accel_status cl_refuse(cl_ctx *c, accel_status st, const char *fmt, ...) {
    int n = snprintf(c->why, c->why_len, "%s ", c->t->backend);
    if (n < 0 || (size_t)n >= c->why_len) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why + n, c->why_len - (size_t)n, fmt, ap);
    va_end(ap);
    return st;
}

/* Storage code of the kernels (DTYPE, AB_TYPE, CD_TYPE): 0 f32, 1 f16 (vload_half: core OpenCL C,
 * no cl_khr_fp16 needed), 2 bf16; -1 after the refusal. */
int cl_storage(cl_ctx *c, accel_dtype t, const char *what) {
    switch (t) {
    case ACCEL_DTYPE_F32: return 0;
    case ACCEL_DTYPE_F16: return 1;
    case ACCEL_DTYPE_BF16: return 2;
    default:
        cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: storage type %s: the OpenCL C kernels store f32, f16 or bf16", what,
               accel_dtype_label(t));
        return -1;
    }
}

static size_t pow2_at_most(size_t v) {
    size_t g = 1;
    while (g * 2 <= v) g *= 2;
    return g;
}

/* The most work-items one group of a kernel may have here. */
static size_t group_cap(const cl_ctx *c) {
    size_t cap = c->t->max_group;
    if (c->t->max_item[0] && c->t->max_item[0] < cap) cap = c->t->max_item[0];
    return cap ? cap : 1;
}

uint32_t cl_groups(uint64_t items, uint64_t per_group) { return (uint32_t)((items + per_group - 1) / per_group); }

/* A buffer argument and its element-offset argument, or a null buffer and offset 0 when unused. */
void cl_buffer_arg(cl_ctx *c, accel_recipe_launch *l, int operand, size_t elem_size, int used, int required) {
    if (!used) {
        accel_recipe_null(c->r, l);
        accel_recipe_i64(c->r, l, 0, 0);
        return;
    }
    accel_recipe_operand(c->r, l, operand, required);
    accel_recipe_element_offset(c->r, l, operand, elem_size);
}

accel_recipe_launch *cl_launch(cl_ctx *c, const char *source, const char *entry, const char *defines,
                                   const char *variant) {
    accel_recipe_launch *l = accel_recipe_add_launch(c->r, source, entry);
    if (strlen(defines) >= sizeof l->defines || strlen(variant) >= sizeof l->variant) c->r->overflow = 1;
    snprintf(l->defines, sizeof l->defines, "%s", defines);
    snprintf(l->variant, sizeof l->variant, "%s", variant);
    return l;
}

/* ---- row kernels: one work-group per row ---- */

/* Work-group for rows of `cols`: a power of two covering the row, from 16 up to 256 (source), or
 * the prebuilt 64 / 256. */
static size_t row_group(const cl_ctx *c, int64_t cols) {
    if (c->t->prebuilt) return cols >= 256 ? CL_PREBUILT_ROW : CL_PREBUILT_ROW_SMALL;
    size_t want = cols >= 256 ? 256 : (size_t)cols;
    if (want < 16) want = 16;
    if (want > c->group_limit) want = c->group_limit;
    return pow2_at_most(want);
}

/* The launch of `file`.cl's accel_<name>, WG and DTYPE compiled in, one group per row. */
accel_recipe_launch *cl_row_launch_in(cl_ctx *c, const char *file, const char *name, int dt, int64_t rows,
                                          int64_t cols, size_t *wg) {
    char entry[48], defines[64], variant[64];
    *wg = row_group(c, cols);
    snprintf(entry, sizeof entry, "accel_%s", name);
    snprintf(defines, sizeof defines, "-DWG=%zu -DDTYPE=%d", *wg, dt);
    snprintf(variant, sizeof variant, "%s__wg%zu_dt%d", file, *wg, dt);
    accel_recipe_launch *l = cl_launch(c, file, entry, defines, variant);
    l->grid[0] = (uint32_t)rows;
    l->group[0] = (uint32_t)*wg;
    return l;
}

static accel_recipe_launch *row_launch(cl_ctx *c, const char *name, int dt, int64_t rows, int64_t cols, size_t *wg) {
    return cl_row_launch_in(c, name, name, dt, rows, cols, wg);
}

accel_status cl_rows_ok(cl_ctx *c, const char *op, int64_t rows, int64_t cols) {
    if (cols > INT_MAX) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: cols above 2^31", op);
    if (rows > UINT32_MAX) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: rows above 2^32", op);
    return ACCEL_OK;
}

static accel_status plan_layernorm(cl_ctx *c, const accel_layernorm_desc *d) {
    const int dt = cl_storage(c, d->dtype, "layernorm");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    accel_status st = cl_rows_ok(c, "layernorm", d->rows, d->cols);
    if (st != ACCEL_OK) return st;
    const size_t es = accel_dtype_bytes(d->dtype);
    size_t wg;
    accel_recipe_launch *l = row_launch(c, "layernorm", dt, d->rows, d->cols, &wg);
    accel_recipe_i32(c->r, l, d->cols, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_f32(c->r, l, d->eps);
    accel_recipe_i32(c->r, l, d->has_residual ? 1 : 0, 0);
    cl_buffer_arg(c, l, 0, es, 1, 1);
    cl_buffer_arg(c, l, 1, es, d->has_residual, 1);
    for (int i = 2; i < 5; ++i) cl_buffer_arg(c, l, i, es, 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "layernorm.cl row-per-group wg %zu two-pass fp32", wg);
    return ACCEL_OK;
}

/* accel_rmsnorm lives in layernorm.cl (its prebuilt variants are layernorm's). */
static accel_status plan_rmsnorm(cl_ctx *c, const accel_rmsnorm_desc *d) {
    const int dt = cl_storage(c, d->dtype, "rmsnorm");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    accel_status st = cl_rows_ok(c, "rmsnorm", d->rows, d->cols);
    if (st != ACCEL_OK) return st;
    const size_t es = accel_dtype_bytes(d->dtype);
    size_t wg;
    accel_recipe_launch *l = cl_row_launch_in(c, "layernorm", "rmsnorm", dt, d->rows, d->cols, &wg);
    accel_recipe_i32(c->r, l, d->cols, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_f32(c->r, l, d->eps);
    for (int i = 0; i < 3; ++i) cl_buffer_arg(c, l, i, es, 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "layernorm.cl rmsnorm row-per-group wg %zu fp32", wg);
    return ACCEL_OK;
}

static accel_status plan_softmax(cl_ctx *c, const accel_softmax_desc *d) {
    const int dt = cl_storage(c, d->dtype, "softmax");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    accel_status st = cl_rows_ok(c, "softmax", d->rows, d->cols);
    if (st != ACCEL_OK) return st;
    const size_t es = accel_dtype_bytes(d->dtype);
    size_t wg;
    accel_recipe_launch *l = row_launch(c, "softmax", dt, d->rows, d->cols, &wg);
    accel_recipe_i32(c->r, l, d->cols, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_f32(c->r, l, d->scale);
    accel_recipe_present(c->r, l, 1); /* has_mask follows the operand */
    accel_recipe_i64(c->r, l, d->rows_per_mask_row > 0 ? d->rows_per_mask_row : 1, 0);
    cl_buffer_arg(c, l, 0, es, 1, 1);
    cl_buffer_arg(c, l, 1, sizeof(float), 1, 0);
    cl_buffer_arg(c, l, 2, es, 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "softmax.cl row-per-group wg %zu fp32", wg);
    return ACCEL_OK;
}

static accel_status plan_attention(cl_ctx *c, const accel_attention_desc *d) {
    const int dt = cl_storage(c, d->dtype, "attention");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    if (!accel_compute_is_fp32_on(d->compute, d->dtype))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "attention: compute type %d (the kernel computes in fp32)",
                      (int)d->compute);
    if (d->seq > ACCEL_ATTENTION_MAX_SEQ || d->head_dim > ACCEL_ATTENTION_MAX_DIM)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED,
                      "attention: seq %lld / head_dim %lld above the kernel's %d / %d (a row's scores sit in local "
                      "memory)", (long long)d->seq, (long long)d->head_dim, ACCEL_ATTENTION_MAX_SEQ,
                      ACCEL_ATTENTION_MAX_DIM);
    if (d->heads > UINT32_MAX || d->batch > UINT32_MAX)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "attention: heads or batch above 2^32");
    const size_t es = accel_dtype_bytes(d->dtype);
    size_t wg;
    /* grid (seq, heads, batch): group (i, h, b) computes row i of head h of batch b */
    accel_recipe_launch *l = row_launch(c, "attention", dt, d->seq, d->seq, &wg);
    l->grid[1] = (uint32_t)d->heads;
    l->grid[2] = (uint32_t)d->batch;
    accel_recipe_i32(c->r, l, d->seq, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i32(c->r, l, d->head_dim, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_f32(c->r, l, d->scale);
    accel_recipe_present(c->r, l, 3);
    accel_recipe_i32(c->r, l, d->causal, 0);
    for (int i = 0; i < 5; ++i) cl_buffer_arg(c, l, i, i == 3 ? sizeof(float) : es, 1, i != 3);
    snprintf(c->r->algorithm, sizeof c->r->algorithm,
             "attention.cl group-per-query-row wg %zu, scores in local memory, fp32%s", wg,
             d->causal ? ", causal" : "");
    return ACCEL_OK;
}

/* ---- element kernels: one work-item per element ---- */

size_t cl_element_group(const cl_ctx *c) {
    if (c->t->prebuilt) return CL_PREBUILT_ELEMENTS;
    return pow2_at_most(c->group_limit < 256 ? c->group_limit : 256);
}

static accel_status plan_eltwise(cl_ctx *c, const accel_eltwise_desc *d) {
    if (d->kind < ACCEL_ELTWISE_COPY || d->kind > ACCEL_ELTWISE_GELU_TANH_BACKWARD)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "eltwise: kind %d", (int)d->kind);
    if (d->kind == ACCEL_ELTWISE_BIAS_ADD && d->cols <= 0)
        return cl_refuse(c, ACCEL_ERR_INVALID_ARGUMENT, "eltwise: bias add needs cols");
    const int dt = cl_storage(c, d->dtype, "eltwise");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    /* the activation backward kinds read Z, the output gradient */
    const int binary = d->kind == ACCEL_ELTWISE_ADD || d->kind == ACCEL_ELTWISE_MUL ||
                       d->kind == ACCEL_ELTWISE_BIAS_ADD || d->kind >= ACCEL_ELTWISE_RELU_BACKWARD;
    const size_t es = accel_dtype_bytes(d->dtype), wg = cl_element_group(c);
    if ((uint64_t)d->count / wg >= UINT32_MAX) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "eltwise: count too large");
    char defines[32], variant[32];
    snprintf(defines, sizeof defines, "-DDTYPE=%d", dt);
    snprintf(variant, sizeof variant, "eltwise__dt%d", dt);
    accel_recipe_launch *l = cl_launch(c, "eltwise", "accel_eltwise", defines, variant);
    l->grid[0] = cl_groups((uint64_t)d->count, wg);
    l->group[0] = (uint32_t)wg;
    accel_recipe_i32(c->r, l, d->kind, 0);
    accel_recipe_i64(c->r, l, d->count, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i64(c->r, l, d->cols > 0 ? d->cols : 1, 0);
    accel_recipe_f32(c->r, l, d->alpha);
    accel_recipe_f32(c->r, l, d->beta);
    cl_buffer_arg(c, l, 0, es, 1, 1);
    cl_buffer_arg(c, l, 1, es, binary, 1);
    cl_buffer_arg(c, l, 2, es, 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "eltwise.cl wg %zu", wg);
    return ACCEL_OK;
}

static accel_status plan_permute(cl_ctx *c, const accel_permute_desc *d) {
    const size_t es = accel_dtype_bytes(d->dtype);
    if (es != 2 && es != 4 && es != 8)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "permute: element size %zu (2, 4 or 8 bytes only)", es);
    if (d->ndims < 1 || d->ndims > ACCEL_PERMUTE_MAX_DIMS)
        return cl_refuse(c, ACCEL_ERR_INVALID_ARGUMENT, "permute: ndims %d", d->ndims);
    int64_t dims[ACCEL_PERMUTE_MAX_DIMS], strides[ACCEL_PERMUTE_MAX_DIMS];
    const int64_t count = accel_permute_walk(d, dims, strides);
    const size_t wg = cl_element_group(c);
    if ((uint64_t)count / wg >= UINT32_MAX) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "permute: too many elements");
    char defines[32], variant[32];
    snprintf(defines, sizeof defines, "-DELEM_BYTES=%zu", es);
    snprintf(variant, sizeof variant, "permute__e%zu", es);
    accel_recipe_launch *l = cl_launch(c, "permute", "accel_permute", defines, variant);
    l->grid[0] = cl_groups((uint64_t)count, wg);
    l->group[0] = (uint32_t)wg;
    accel_recipe_i64(c->r, l, count, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i32(c->r, l, d->ndims, 0);
    for (int i = 0; i < ACCEL_PERMUTE_MAX_DIMS; ++i) accel_recipe_i64(c->r, l, dims[i], 0);
    for (int i = 0; i < ACCEL_PERMUTE_MAX_DIMS; ++i) accel_recipe_i64(c->r, l, strides[i], 0);
    cl_buffer_arg(c, l, 0, es, 1, 1);
    cl_buffer_arg(c, l, 1, es, 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "permute.cl %dd wg %zu", d->ndims, wg);
    return ACCEL_OK;
}

/* ---- the tiled and vector kernels (GEMM, conv2d) ---- */

/* "TSM,TSN,TSK,WPTM,WPTN" from an override, or 0. */
static int parse_tile(const char *s, cl_tile *t) {
    return s && sscanf(s, "%d,%d,%d,%d,%d", &t->tsm, &t->tsn, &t->tsk, &t->wptm, &t->wptn) == 5 && t->tsm > 0 &&
           t->tsn > 0 && t->tsk > 0 && t->wptm > 0 && t->wptn > 0 && t->tsm % t->wptm == 0 && t->tsn % t->wptn == 0;
}

/* The work-items of a tile's group, (TSN/WPTN) x (TSM/WPTM), fit the device and the kernel. */
static int tile_group_fits(const cl_ctx *c, cl_tile t) {
    const size_t r0 = (size_t)(t.tsn / t.wptn), r1 = (size_t)(t.tsm / t.wptm);
    return r0 * r1 <= c->t->max_group && kernel_takes(c, r0 * r1) && r0 <= c->t->max_item[0] &&
           r1 <= c->t->max_item[1];
}

/* gemm.cl loads tiles as float4 and keeps B's tile padded by one column. */
static int gemm_tile_fits(const cl_ctx *c, cl_tile t) {
    if (t.tsm <= 0 || t.tsn <= 0 || t.tsk <= 0 || t.wptm <= 0 || t.wptn <= 0) return 0;
    if (t.tsm % t.wptm || t.tsn % t.wptn || t.tsk % 4 || t.tsm % 4 || t.tsn % 4) return 0;
    const size_t wg = (size_t)(t.tsn / t.wptn) * (size_t)(t.tsm / t.wptm);
    if (!tile_group_fits(c, t) || ((size_t)t.tsm * t.tsk) % (4 * wg) || ((size_t)t.tsn * t.tsk) % (4 * wg)) return 0;
    return ((size_t)t.tsm * t.tsk + (size_t)t.tsk * (t.tsn + 1)) * sizeof(float) <= c->t->local_mem;
}

static int conv_tile_fits(const cl_ctx *c, cl_tile t) {
    const size_t wg = (size_t)(t.tsn / t.wptn) * (size_t)(t.tsm / t.wptm);
    if (!tile_group_fits(c, t) || ((size_t)t.tsm * t.tsk) % wg || ((size_t)t.tsn * t.tsk) % wg) return 0;
    return ((size_t)t.tsk * (t.tsm + t.tsn)) * sizeof(float) <= c->t->local_mem;
}

/* The first tile that fits: the override, then the defaults largest first (prebuilt: the default). */
static int choose_tile(const cl_ctx *c, const char *override, int (*fits)(const cl_ctx *, cl_tile), cl_tile *out) {
    if (c->t->prebuilt) {
        *out = cl_tiles[0];
        return 1;
    }
    cl_tile user;
    if (parse_tile(override, &user) && fits(c, user)) {
        *out = user;
        return 1;
    }
    for (size_t i = 0; i < sizeof cl_tiles / sizeof cl_tiles[0]; ++i)
        if (fits(c, cl_tiles[i])) {
            *out = cl_tiles[i];
            return 1;
        }
    return 0;
}

/* Vector kernels on CPU devices: VECN floats per vector, WPTM rows per work-item (so that the
 * accumulators, one operand and the broadcasts fit the register file). */
static void vec_shape(const cl_ctx *c, int *vecn, int *wptm) {
    const unsigned pv = c->t->pref_vec_float;
    *vecn = pv >= 16 ? 16 : pv >= 8 ? 8 : 4;
    *wptm = *vecn == 16 ? 8 : *vecn == 8 ? 6 : 4;
}

/* An 8 x 8 work-group, halved (dimension 1 first) until the device and the kernel take it. */
static void vec_group(const cl_ctx *c, size_t *l0, size_t *l1) {
    *l0 = 8, *l1 = 8;
    while (!kernel_takes(c, *l0 * *l1) || *l0 * *l1 > c->t->max_group || *l0 > c->t->max_item[0] ||
           *l1 > c->t->max_item[1]) {
        if (*l1 > 1) *l1 /= 2;
        else if (*l0 > 1) *l0 /= 2;
        else break;
    }
}

static int use_vec(const cl_ctx *c, const char *override) {
    if (c->t->prebuilt) return 0;
    return override && override[0] ? strcmp(override, "vec") == 0 : c->t->cpu;
}

static const char *trans_label(int ta, int tb, int packed) {
    static const char *const labels[] = {"", " TB", " TA", " TA TB", "", " TB(packed into workspace)", " TA",
                                         " TA TB(packed into workspace)"};
    return labels[(packed ? 4 : 0) + (ta ? 2 : 0) + (tb ? 1 : 0)];
}

/* ---- GEMM: gemm.cl accel_gemm or gemm_vec.cl accel_gemm_vec (25 arguments) ---- */

typedef struct gemm_plan {
    accel_gemm_desc g; /* resolved */
    int ab, cd, flags;
    size_t ab_size, cd_size;
} gemm_plan;

/* The 25 arguments; B is the workspace (packed k x n per batch) when packed_b. */
static void gemm_args(cl_ctx *c, accel_recipe_launch *l, const gemm_plan *p, int packed_b) {
    const accel_gemm_desc *g = &p->g;
    accel_recipe *r = c->r;
    accel_recipe_i32(r, l, g->m, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i32(r, l, g->n, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i32(r, l, g->k, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    cl_buffer_arg(c, l, 0, p->ab_size, 1, 1);
    accel_recipe_i64(r, l, g->lda, 0);
    accel_recipe_i64(r, l, g->stride_a, 0);
    cl_buffer_arg(c, l, packed_b ? ACCEL_RECIPE_WORKSPACE : 1, p->ab_size, 1, !packed_b);
    accel_recipe_i64(r, l, packed_b ? g->n : g->ldb, 0);
    accel_recipe_i64(r, l, packed_b ? g->n * g->k : g->stride_b, 0);
    cl_buffer_arg(c, l, 2, p->cd_size, g->beta != 0.0, 1);
    accel_recipe_i64(r, l, g->ldc, 0);
    accel_recipe_i64(r, l, g->stride_c, 0);
    cl_buffer_arg(c, l, 3, p->cd_size, 1, 1);
    accel_recipe_i64(r, l, g->ldd, 0);
    accel_recipe_i64(r, l, g->stride_d, 0);
    cl_buffer_arg(c, l, 4, p->cd_size, (g->epilogue & ACCEL_EPILOGUE_BIAS) != 0, 1);
    accel_recipe_i64(r, l, g->stride_bias, 0);
    accel_recipe_f32(r, l, g->alpha);
    accel_recipe_f32(r, l, g->beta);
    accel_recipe_i32(r, l, p->flags, ACCEL_RECIPE_ZERO_IN_WARM_UP);
}

static accel_status plan_gemm_vec(cl_ctx *c, const gemm_plan *p) {
    const accel_gemm_desc *g = &p->g;
    int vecn, wptm, kc = 256; /* K rows per work-group pass: 2.5x at 2048^3 on PoCL, chunks stay in L2 */
    vec_shape(c, &vecn, &wptm);
    int ev = 0, ew = 0, ek = 0;
    const int got = c->t->gemm_vec ? sscanf(c->t->gemm_vec, "%d,%d,%d", &ev, &ew, &ek) : 0;
    if (got >= 2 && (ev == 4 || ev == 8 || ev == 16) && ew >= 1 && ew <= 16) {
        vecn = ev;
        wptm = ew;
        if (got == 3 && ek >= 0) kc = ek;
    }
    /* A transposed B is packed into the workspace first, so the kernel loads whole vectors of it. */
    const int pack_b = g->trans_b && !(c->t->gemm_pack_b && strcmp(c->t->gemm_pack_b, "0") == 0);
    char defines[160];
    snprintf(defines, sizeof defines, "-DVECN=%d -DWPTM=%d -DKC=%d -DTRANS_A=%d -DTRANS_B=%d -DAB_TYPE=%d -DCD_TYPE=%d",
             vecn, wptm, kc, g->trans_a ? 1 : 0, g->trans_b && !pack_b ? 1 : 0, p->ab, p->cd);
    size_t l0, l1;
    vec_group(c, &l0, &l1);
    if (pack_b) {
        accel_recipe_launch *a = cl_launch(c, "gemm_vec", "accel_transpose_b", defines, "");
        a->group[0] = (uint32_t)l0;
        a->group[1] = (uint32_t)l1;
        a->grid[0] = cl_groups((uint64_t)g->n, l0);
        a->grid[1] = cl_groups((uint64_t)g->k, l1);
        a->grid[2] = (uint32_t)g->batch;
        accel_recipe_i32(c->r, a, g->n, ACCEL_RECIPE_ZERO_IN_WARM_UP);
        accel_recipe_i32(c->r, a, g->k, ACCEL_RECIPE_ZERO_IN_WARM_UP);
        cl_buffer_arg(c, a, 1, p->ab_size, 1, 1);
        accel_recipe_i64(c->r, a, g->ldb, 0);
        accel_recipe_i64(c->r, a, g->stride_b, 0);
        cl_buffer_arg(c, a, ACCEL_RECIPE_WORKSPACE, p->ab_size, 1, 0);
        c->r->workspace_bytes = (size_t)g->n * (size_t)g->k * (size_t)g->batch * p->ab_size;
    }
    accel_recipe_launch *l = cl_launch(c, "gemm_vec", "accel_gemm_vec", defines, "");
    l->group[0] = (uint32_t)l0;
    l->group[1] = (uint32_t)l1;
    l->grid[0] = cl_groups(cl_groups((uint64_t)g->n, (uint64_t)vecn), l0);
    l->grid[1] = cl_groups(cl_groups((uint64_t)g->m, (uint64_t)wptm), l1);
    l->grid[2] = (uint32_t)g->batch;
    gemm_args(c, l, p, pack_b);
    snprintf(c->r->algorithm, sizeof c->r->algorithm,
             "gemm_vec.cl float%d x %d rows per work-item k-chunk %d wg %zux%zu%s fp32-acc", vecn, wptm, kc, l0, l1,
             trans_label(g->trans_a, g->trans_b, pack_b));
    return ACCEL_OK;
}

static accel_status plan_gemm(cl_ctx *c, const accel_gemm_desc *in) {
    gemm_plan p;
    memset(&p, 0, sizeof p);
    p.g = accel_gemm_resolved(in);
    const accel_gemm_desc *g = &p.g;
    if (g->compute == ACCEL_COMPUTE_TF32)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: TF32 compute is not offered (OpenCL C has no TF32 math and "
                      "the kernels multiply in fp32); use f32");
    if (accel_dtype_is_fp8(g->a_type) || accel_dtype_is_fp8(g->b_type))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: fp8 is not implemented (the kernels read f32, f16 and bf16; "
                      "OpenCL C has no fp8 type)");
    if (!accel_compute_is_fp32_on(g->compute, g->a_type))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: compute type %d with %s inputs is not offered (the kernels "
                      "multiply and accumulate in fp32)", (int)g->compute, accel_dtype_label(g->a_type));
    if (g->a_type != g->b_type) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: A and B must share a storage type");
    if ((g->beta != 0.0 && g->c_type != g->d_type) || ((g->epilogue & ACCEL_EPILOGUE_BIAS) && g->bias_type != g->d_type))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: C and bias must have D's storage type");
    if (g->epilogue & ACCEL_EPILOGUE_RESIDUAL)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: no residual epilogue (use beta * C)");
    if (g->m > INT_MAX || g->n > INT_MAX || g->k > INT_MAX || g->batch > UINT32_MAX)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: a dimension above 2^31");
    p.ab = cl_storage(c, g->a_type, "gemm A/B");
    if (p.ab < 0) return ACCEL_ERR_UNIMPLEMENTED;
    p.cd = cl_storage(c, g->d_type, "gemm D");
    if (p.cd < 0) return ACCEL_ERR_UNIMPLEMENTED;
    p.ab_size = accel_dtype_bytes(g->a_type);
    p.cd_size = accel_dtype_bytes(g->d_type);
    p.flags = (g->beta != 0.0 ? 1 : 0) | ((g->epilogue & ACCEL_EPILOGUE_BIAS) ? 2 : 0) |
              ((g->epilogue & ACCEL_EPILOGUE_RELU) ? 4 : 0) | ((g->epilogue & ACCEL_EPILOGUE_GELU_ERF) ? 8 : 0) |
              ((g->epilogue & ACCEL_EPILOGUE_GELU_TANH) ? 16 : 0);
    if (use_vec(c, c->t->gemm_kernel)) return plan_gemm_vec(c, &p);
    if (c->t->prebuilt && !(p.ab == p.cd || p.cd == 0))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: no prebuilt variant for AB_TYPE %d with CD_TYPE %d (built: "
                      "same type, or f16/bf16 in with f32 out)", p.ab, p.cd);
    cl_tile t;
    if (!choose_tile(c, c->t->gemm_tile, gemm_tile_fits, &t))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "gemm: no tile fits this device (max work-group %zu, local memory "
                      "%zu bytes)", c->t->max_group, c->t->local_mem);
    char defines[192], variant[64];
    snprintf(defines, sizeof defines,
             "-DTSM=%d -DTSN=%d -DTSK=%d -DWPTM=%d -DWPTN=%d -DTRANS_A=%d -DTRANS_B=%d -DAB_TYPE=%d -DCD_TYPE=%d", t.tsm,
             t.tsn, t.tsk, t.wptm, t.wptn, g->trans_a ? 1 : 0, g->trans_b ? 1 : 0, p.ab, p.cd);
    snprintf(variant, sizeof variant, "gemm__t%d%d_ab%d_cd%d", g->trans_a ? 1 : 0, g->trans_b ? 1 : 0, p.ab, p.cd);
    accel_recipe_launch *l = cl_launch(c, "gemm", "accel_gemm", defines, variant);
    const uint32_t r0 = (uint32_t)(t.tsn / t.wptn), r1 = (uint32_t)(t.tsm / t.wptm);
    l->group[0] = r0;
    l->group[1] = r1;
    l->grid[0] = cl_groups((uint64_t)g->n, (uint64_t)t.tsn);
    l->grid[1] = cl_groups((uint64_t)g->m, (uint64_t)t.tsm);
    l->grid[2] = (uint32_t)g->batch;
    gemm_args(c, l, &p, 0);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "gemm.cl tile %dx%dx%d wpt %dx%d wg %ux%u%s fp32-acc", t.tsm,
             t.tsn, t.tsk, t.wptm, t.wptn, r0, r1, trans_label(g->trans_a, g->trans_b, 0));
    return ACCEL_OK;
}

/* ---- conv2d: conv2d.cl accel_conv2d or conv2d_vec.cl (26 arguments) ---- */

typedef struct conv_plan {
    const accel_conv2d_desc *d;
    int64_t p, q;
    int dt;
    size_t es;
} conv_plan;

/* X, W (or the packed weights in the workspace), bias, residual, Y, then the geometry and flags. */
static void conv_args(cl_ctx *c, accel_recipe_launch *l, const conv_plan *cp, int packed_w) {
    const accel_conv2d_desc *d = cp->d;
    cl_buffer_arg(c, l, 0, cp->es, 1, 1);
    cl_buffer_arg(c, l, packed_w ? ACCEL_RECIPE_WORKSPACE : 1, cp->es, 1, !packed_w);
    cl_buffer_arg(c, l, 2, cp->es, (d->epilogue & ACCEL_EPILOGUE_BIAS) != 0, 1);
    cl_buffer_arg(c, l, 3, cp->es, (d->epilogue & ACCEL_EPILOGUE_RESIDUAL) != 0, 1);
    cl_buffer_arg(c, l, 4, cp->es, 1, 1);
    const int64_t v[15] = {d->n, d->c, d->h, d->w, d->k, d->r, d->s, cp->p, cp->q, d->stride_h, d->stride_w,
                           d->pad_h, d->pad_w, d->dil_h ? d->dil_h : 1, d->dil_w ? d->dil_w : 1};
    for (int i = 0; i < 15; ++i) accel_recipe_i32(c->r, l, v[i], i == 0 ? ACCEL_RECIPE_ZERO_IN_WARM_UP : 0);
    accel_recipe_i32(c->r, l,
                     ((d->epilogue & ACCEL_EPILOGUE_BIAS) ? 2 : 0) | ((d->epilogue & ACCEL_EPILOGUE_RELU) ? 4 : 0) |
                         ((d->epilogue & ACCEL_EPILOGUE_RESIDUAL) ? 32 : 0),
                     ACCEL_RECIPE_ZERO_IN_WARM_UP);
}

/* CPU devices: conv2d_vec.cl. NHWC packs the weights to (r*s*c) x k in the workspace first
 * (accel_conv_pack_w); NCHW gathers pixels and reads the weights in place. */
static accel_status plan_conv2d_vec(cl_ctx *c, const conv_plan *cp) {
    const accel_conv2d_desc *d = cp->d;
    int vecn, wptm, kc = 256; /* taps per work-group pass (NCHW) */
    vec_shape(c, &vecn, &wptm);
    if (c->t->conv_kc && atoi(c->t->conv_kc) > 0) kc = atoi(c->t->conv_kc);
    char defines[96];
    snprintf(defines, sizeof defines, "-DVECN=%d -DWPTM=%d -DKC=%d -DDTYPE=%d", vecn, wptm, kc, cp->dt);
    size_t l0, l1;
    vec_group(c, &l0, &l1);
    const uint64_t pixels = (uint64_t)(d->n * cp->p * cp->q);
    if (d->layout == ACCEL_LAYOUT_NCHW) {
        /* rows = output channels, columns = pixels */
        accel_recipe_launch *l = cl_launch(c, "conv2d_vec", "accel_conv2d_vec_nchw", defines, "");
        l->group[0] = (uint32_t)l0;
        l->group[1] = (uint32_t)l1;
        l->grid[0] = cl_groups(cl_groups(pixels, (uint64_t)vecn), l0);
        l->grid[1] = cl_groups(cl_groups((uint64_t)d->k, (uint64_t)wptm), l1);
        conv_args(c, l, cp, 0);
        snprintf(c->r->algorithm, sizeof c->r->algorithm,
                 "conv2d_vec.cl implicit-gemm nchw %d channels x float%d pixels per work-item, k-chunk %d, fp32-acc",
                 wptm, vecn, kc);
        return ACCEL_OK;
    }
    const uint64_t rsc = (uint64_t)(d->r * d->s * d->c);
    accel_recipe_launch *a = cl_launch(c, "conv2d_vec", "accel_conv_pack_w", defines, "");
    a->group[0] = (uint32_t)l0;
    a->group[1] = (uint32_t)l1;
    a->grid[0] = cl_groups((uint64_t)d->k, l0);
    a->grid[1] = cl_groups(rsc, l1);
    accel_recipe_i32(c->r, a, d->k, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i32(c->r, a, (int64_t)rsc, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    cl_buffer_arg(c, a, 1, cp->es, 1, 1);
    cl_buffer_arg(c, a, ACCEL_RECIPE_WORKSPACE, cp->es, 1, 0);
    /* the packed weights, plus VECN elements the kernel may read past the last row */
    c->r->workspace_bytes = ((size_t)d->k * (size_t)rsc + (size_t)vecn) * cp->es;
    accel_recipe_launch *l = cl_launch(c, "conv2d_vec", "accel_conv2d_vec", defines, "");
    l->group[0] = (uint32_t)l0;
    l->group[1] = (uint32_t)l1;
    l->grid[0] = cl_groups(cl_groups((uint64_t)d->k, (uint64_t)vecn), l0);
    l->grid[1] = cl_groups(cl_groups(pixels, (uint64_t)wptm), l1);
    conv_args(c, l, cp, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm,
             "conv2d_vec.cl implicit-gemm nhwc float%d x %d pixels per work-item, weights packed in workspace, fp32-acc",
             vecn, wptm);
    return ACCEL_OK;
}

static accel_status plan_conv2d(cl_ctx *c, const accel_conv2d_desc *d) {
    if (d->groups > 1) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: groups > 1");
    if (d->x_type != d->w_type || d->x_type != d->y_type)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: X, W and Y must share a storage type");
    /* The kernels multiply and accumulate in fp32: anything else is refused, never run as fp32. */
    if (!accel_compute_is_fp32_on(d->compute, d->x_type))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: compute type %d with %s storage (the kernels compute in "
                      "fp32; no tf32, no fp16 accumulation)", (int)d->compute, accel_dtype_label(d->x_type));
    if (d->epilogue & ~(ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: the epilogue takes bias, residual and relu only");
    conv_plan cp = {d, 0, 0, cl_storage(c, d->x_type, "conv2d"), accel_dtype_bytes(d->x_type)};
    if (cp.dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    if (!accel_conv2d_out_hw(d, &cp.p, &cp.q) || cp.p <= 0 || cp.q <= 0)
        return cl_refuse(c, ACCEL_ERR_INVALID_ARGUMENT, "conv2d: the output is empty");
    const int64_t pixels = d->n * cp.p * cp.q, depth = d->c * d->r * d->s;
    if (pixels > INT_MAX || depth > INT_MAX || d->n * d->c * d->h * d->w > INT_MAX || pixels * d->k > INT_MAX)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: a tensor above 2^31 elements");
    if (use_vec(c, c->t->conv_kernel)) return plan_conv2d_vec(c, &cp);
    const int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    const int64_t rows = nhwc ? pixels : d->k, cols = nhwc ? d->k : pixels;
    cl_tile t;
    if (!choose_tile(c, c->t->conv_tile, conv_tile_fits, &t))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "conv2d: no tile fits this device");
    char defines[200], variant[64];
    snprintf(defines, sizeof defines, "-DTSM=%d -DTSN=%d -DTSK=%d -DWPTM=%d -DWPTN=%d -DLAYOUT=%d -DDTYPE=%d", t.tsm,
             t.tsn, t.tsk, t.wptm, t.wptn, nhwc, cp.dt);
    snprintf(variant, sizeof variant, "conv2d__l%d_dt%d", nhwc, cp.dt);
    accel_recipe_launch *l = cl_launch(c, "conv2d", "accel_conv2d", defines, variant);
    l->group[0] = (uint32_t)(t.tsn / t.wptn);
    l->group[1] = (uint32_t)(t.tsm / t.wptm);
    l->grid[0] = cl_groups((uint64_t)cols, (uint64_t)t.tsn);
    l->grid[1] = cl_groups((uint64_t)rows, (uint64_t)t.tsm);
    conv_args(c, l, &cp, 0);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "conv2d.cl implicit-gemm %s tile %dx%dx%d wpt %dx%d fp32-acc",
             nhwc ? "nhwc" : "nchw", t.tsm, t.tsn, t.tsk, t.wptm, t.wptn);
    return ACCEL_OK;
}

accel_status accel_cl_plan(const accel_op_desc *d, const accel_cl_target *t, accel_recipe *r, char *why,
                           size_t why_len) {
    cl_ctx c = {t, r, why, why_len, 0, t->kernel_group_limit};
    memset(r, 0, sizeof *r);
    if (why_len) why[0] = '\0';
    c.group_limit = group_cap(&c);
    if (c.kernel_limit && c.kernel_limit < c.group_limit) c.group_limit = c.kernel_limit;
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
    case ACCEL_OP_LAYERNORM_BACKWARD:
    case ACCEL_OP_SOFTMAX_BACKWARD:
    case ACCEL_OP_REDUCE:
    case ACCEL_OP_BATCHNORM:
    case ACCEL_OP_BATCHNORM_BACKWARD:
    case ACCEL_OP_CONV2D_BACKWARD_DATA:
    case ACCEL_OP_CONV2D_BACKWARD_WEIGHTS:
    case ACCEL_OP_ADAMW:
    case ACCEL_OP_AMP_SCALE:
    case ACCEL_OP_AMP_UPDATE_SCALE: st = cl_plan_train(&c, d); break;
    default: st = cl_refuse(&c, ACCEL_ERR_UNIMPLEMENTED, "%s: no kernel in the .cl family", accel_op_kind_label(d->kind)); break;
    }
    if (st == ACCEL_OK && r->overflow)
        st = cl_refuse(&c, ACCEL_ERR_INTERNAL, "planner: the recipe overflowed (a planner bug)");
    return st;
}
