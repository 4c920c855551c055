/* Every op against the fp64 reference, at awkward sizes (nothing a multiple of a tile), with
 * transposes, leading dimensions, batches, epilogues and masks. UNIMPLEMENTED is a skip. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define MAX_OPS ACCEL_OP_MAX_OPERANDS

/* Plans the op through the library under test, runs it once on the operands, reads operand `out`
 * back. */
static conf_result run_op(conf_ctx *c, const accel_op_desc *desc, conf_tensor *t, int out) {
    accel_op_desc lib_desc = *desc;
    snprintf(lib_desc.library, sizeof lib_desc.library, "%s", c->library);
    const accel_op_desc *d = &lib_desc;
    accel_op_plan *plan = NULL;
    accel_buffer *ws = NULL;
    accel_status st = accel_op_plan_create(c->dev, d, &plan);
    if (st != ACCEL_OK) return conf_from_status(c, st, "plan");
    size_t wsb = accel_op_plan_workspace_size(plan);
    if (wsb) st = accel_buffer_alloc(c->dev, wsb, ACCEL_MEMORY_DEVICE, &ws);
    accel_buffer_ref refs[MAX_OPS];
    int n = accel_op_operand_count(d->kind);
    for (int i = 0; i < n; ++i) refs[i] = conf_ref(&t[i]);
    accel_buffer_ref wref = {ws, 0};
    if (st == ACCEL_OK) st = accel_op_plan_execute(plan, c->stream, refs, (size_t)n, wref);
    if (st == ACCEL_OK) st = conf_tensor_download(c, &t[out]);
    /* An operand one element short must be refused by the HAL before the backend sees it. */
    if (st == ACCEL_OK && t[0].buf) {
        accel_buffer_ref shifted[MAX_OPS];
        memcpy(shifted, refs, sizeof shifted);
        shifted[0].offset = accel_dtype_size(t[0].type);
        if (accel_op_plan_execute(plan, c->stream, shifted, (size_t)n, wref) != ACCEL_ERR_INVALID_ARGUMENT) {
            accel_op_plan_destroy(plan);
            accel_buffer_free(ws);
            return conf_fail(c, "an operand one element too short was not refused");
        }
    }
    accel_op_plan_destroy(plan);
    accel_buffer_free(ws);
    if (st != ACCEL_OK) return conf_from_status(c, st, "execute");
    return CONF_PASS;
}

static void free_all(conf_tensor *t, int n) {
    for (int i = 0; i < n; ++i) conf_tensor_free(&t[i]);
}

/* Creates the operands of d: inputs random, outputs empty, absent ones absent. */
static accel_status make_operands(conf_ctx *c, const accel_op_desc *d, conf_tensor *t, int out,
                                  const accel_dtype *types) {
    int n = accel_op_operand_count(d->kind);
    memset(t, 0, sizeof(conf_tensor) * MAX_OPS);
    for (int i = 0; i < n; ++i) {
        size_t bytes = 0;
        accel_status st = accel_op_operand_bytes(d, i, &bytes);
        if (st != ACCEL_OK) return st;
        if (!bytes) continue;
        int64_t count = (int64_t)(bytes / accel_dtype_size(types[i]));
        st = i == out ? conf_tensor_empty(c, &t[i], types[i], count)
                      : conf_tensor_random(c, &t[i], types[i], count, 100 + (uint64_t)i, -1, 1);
        if (st != ACCEL_OK) return st;
    }
    return ACCEL_OK;
}

/* ---- GEMM: every output element against the docs/workloads.md bound ---- */

static conf_result gemm_case(conf_ctx *c, accel_gemm_desc g) {
    accel_op_desc d = {.kind = ACCEL_OP_GEMM};
    d.u.gemm = g;
    conf_tensor t[MAX_OPS];
    accel_dtype bias_t = g.bias_type ? g.bias_type : g.d_type;
    /* fp8 scales come out of make_operands as random fp32 in [-1, 1): any value is a valid scale */
    const accel_dtype types[7] = {g.a_type, g.b_type, g.c_type, g.d_type, bias_t, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32};
    accel_status st = make_operands(c, &d, t, 3, types);
    conf_result r = st == ACCEL_OK ? run_op(c, &d, t, 3) : conf_from_status(c, st, "operands");
    if (r != CONF_PASS) {
        free_all(t, MAX_OPS);
        return r;
    }
    if (c->corrupt) accel_ref_store(g.d_type, t[3].host, 0, accel_ref_load(g.d_type, t[3].host, 0) + 1.0);
    double u = accel_ref_unit_roundoff_compute(g.compute, g.a_type);
    const int fp8 = accel_dtype_is_fp8(g.a_type);
    double scale = 1.0; /* the scales fold into alpha for the reference, and scale the bound */
    if (fp8) {
        for (int i = 5; i < 7; ++i)
            if (t[i].host) scale *= accel_ref_load(ACCEL_DTYPE_F32, t[i].host, 0);
        g.alpha *= scale;
        u = fmax(u, 0x1p-14); /* fp8 tensor cores accumulate in ~14 bits between fp32 promotions */
    }
    double u_out = accel_ref_unit_roundoff_dtype(g.d_type);
    int64_t ldd = g.ldd ? g.ldd : g.n, sd = g.stride_d ? g.stride_d : g.m * ldd;
    for (int64_t b = 0; b < g.batch && r == CONF_PASS; ++b)
        for (int64_t i = 0; i < g.m && r == CONF_PASS; ++i)
            for (int64_t j = 0; j < g.n; ++j) {
                double ref, abs_sum;
                accel_ref_gemm_element(&g, t[0].host, t[1].host, t[2].host, t[4].host, b, i, j, &ref,
                                       &abs_sum);
                double got = accel_ref_load(g.d_type, t[3].host, b * sd + i * ldd + j);
                double bound = 4.0 * sqrt((double)g.k) * u * abs_sum * fabs(scale) + 2.0 * u_out * fabs(ref) + 1e-30;
                if (!(fabs(got - ref) <= bound)) {
                    r = conf_fail(c, "D[%lld][%lld][%lld] = %.9g, reference %.9g, bound %.3g",
                                  (long long)b, (long long)i, (long long)j, got, ref, bound);
                    break;
                }
            }
    free_all(t, MAX_OPS);
    return r;
}

static accel_gemm_desc gemm_basic(accel_dtype t, int64_t m, int64_t n, int64_t k) {
    return (accel_gemm_desc){.a_type = t, .b_type = t, .c_type = t, .d_type = t, .m = m, .n = n,
                             .k = k, .batch = 1, .alpha = 1.0};
}

static conf_result check_gemm_f32(conf_ctx *c) { return gemm_case(c, gemm_basic(ACCEL_DTYPE_F32, 37, 53, 71)); }

static conf_result check_gemm_f32_layouts(conf_ctx *c) {
    /* transposes x leading dimensions x alpha/beta x strided batch, one case each combination */
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb) {
            accel_gemm_desc g = gemm_basic(ACCEL_DTYPE_F32, 19, 23, 29);
            g.trans_a = ta;
            g.trans_b = tb;
            g.lda = (ta ? g.m : g.k) + 3;
            g.ldb = (tb ? g.k : g.n) + 5;
            g.ldc = g.n + 2;
            g.ldd = g.n + 1;
            g.batch = 3;
            g.stride_a = (ta ? g.k : g.m) * g.lda + 7;
            g.stride_b = 0; /* packed */
            g.stride_c = g.m * g.ldc;
            g.stride_d = g.m * g.ldd + 4;
            g.alpha = 0.5;
            g.beta = 0.25;
            conf_result r = gemm_case(c, g);
            if (r != CONF_PASS) {
                conf_prefix(c, "trans_a=%d trans_b=%d", ta, tb);
                return r;
            }
        }
    return CONF_PASS;
}

static conf_result epilogue_case(conf_ctx *c, uint32_t epi) {
    accel_gemm_desc g = gemm_basic(ACCEL_DTYPE_F32, 33, 65, 17);
    g.epilogue = epi;
    return gemm_case(c, g);
}
static conf_result check_gemm_bias_relu(conf_ctx *c) { return epilogue_case(c, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU); }
static conf_result check_gemm_bias_gelu_erf(conf_ctx *c) { return epilogue_case(c, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF); }
static conf_result check_gemm_bias_gelu_tanh(conf_ctx *c) { return epilogue_case(c, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_TANH); }

static conf_result check_gemm_bf16(conf_ctx *c) {
    accel_gemm_desc g = gemm_basic(ACCEL_DTYPE_BF16, 41, 37, 130);
    g.compute = ACCEL_COMPUTE_F32;
    g.epilogue = ACCEL_EPILOGUE_BIAS;
    g.trans_b = 1;
    return gemm_case(c, g);
}

static conf_result check_gemm_f16(conf_ctx *c) {
    accel_gemm_desc g = gemm_basic(ACCEL_DTYPE_F16, 41, 37, 130);
    g.compute = ACCEL_COMPUTE_F32;
    return gemm_case(c, g);
}

/* fp8 in the layout every fp8 library runs (B stored n x k), sizes in multiples of 16 as
 * cuBLASLt's fp8 kernels need, both scale operands, a fused bias. */
static conf_result check_gemm_fp8_e4m3(conf_ctx *c) {
    accel_gemm_desc g = gemm_basic(ACCEL_DTYPE_F8_E4M3, 48, 40, 96);
    g.c_type = g.d_type = ACCEL_DTYPE_BF16;
    g.trans_b = 1;
    g.batch = 2;
    g.epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU;
    return gemm_case(c, g);
}

/* mixed e4m3 x e5m2, f32 output accumulating onto C, the bf16 bias cuBLASLt takes with f32 D */
static conf_result check_gemm_fp8_mixed(conf_ctx *c) {
    accel_gemm_desc g = gemm_basic(ACCEL_DTYPE_F8_E4M3, 32, 24, 64);
    g.b_type = ACCEL_DTYPE_F8_E5M2;
    g.c_type = g.d_type = ACCEL_DTYPE_F32;
    g.bias_type = ACCEL_DTYPE_BF16;
    g.trans_b = 1;
    g.alpha = 0.5;
    g.beta = 0.25;
    g.epilogue = ACCEL_EPILOGUE_BIAS;
    return gemm_case(c, g);
}

static conf_result check_gemm_tf32(conf_ctx *c) {
    accel_gemm_desc g = gemm_basic(ACCEL_DTYPE_F32, 41, 37, 130);
    g.compute = ACCEL_COMPUTE_TF32;
    return gemm_case(c, g);
}

/* ---- the other ops: normwise against the whole fp64 output ---- */

/* The fp64 reference of the op, from the host copies of its inputs. */
typedef void (*reference_fn)(const accel_op_desc *d, conf_tensor *t, double *ref);
/* Adjusts inputs after they were made random (masks), re-uploading what it changes; may be NULL. */
typedef accel_status (*prepare_fn)(conf_ctx *c, conf_tensor *t);

/* Makes the operands, runs the op, and compares operand `out` with the reference. */
static conf_result normwise_case(conf_ctx *c, const accel_op_desc *d, const accel_dtype *types,
                                 int out, prepare_fn prepare, reference_fn reference) {
    conf_tensor t[MAX_OPS];
    int n = accel_op_operand_count(d->kind);
    accel_status st = make_operands(c, d, t, out, types);
    if (st == ACCEL_OK && prepare) st = prepare(c, t);
    conf_result r = st == ACCEL_OK ? run_op(c, d, t, out) : conf_from_status(c, st, "operands");
    if (r == CONF_PASS) {
        double *ref = malloc(sizeof(double) * (size_t)t[out].count);
        if (ref) {
            reference(d, t, ref);
            r = conf_compare_normwise(c, &t[out], ref, conf_tolerance(t[out].type));
        } else {
            r = conf_fail(c, "out of host memory");
        }
        free(ref);
    }
    free_all(t, n);
    return r;
}

/* Additive mask of `seqs` rows of `keys`: sequence s keeps its first keys - drop0 - step*s keys. */
static accel_status write_mask(conf_ctx *c, conf_tensor *m, int seqs, int keys, int drop0, int step) {
    float *mask = m->host;
    for (int j = 0; j < seqs * keys; ++j)
        mask[j] = (j % keys >= keys - drop0 - step * (j / keys)) ? -10000.0f : 0.0f;
    return accel_buffer_write(c->stream, m->buf, 0, mask, (size_t)(seqs * keys) * sizeof(float));
}

static void conv_reference(const accel_op_desc *d, conf_tensor *t, double *ref) {
    accel_ref_conv2d(&d->u.conv2d, t[0].host, t[1].host, t[2].host, t[3].host, ref);
}

static conf_result conv_case(conf_ctx *c, accel_layout layout, accel_dtype dt) {
    accel_op_desc d = {.kind = ACCEL_OP_CONV2D};
    d.u.conv2d = (accel_conv2d_desc){.layout = layout, .x_type = dt, .w_type = dt, .y_type = dt,
                                     .n = 2, .c = 5, .h = 9, .w = 7, .k = 6, .r = 3, .s = 3,
                                     .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1,
                                     .epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL |
                                                 ACCEL_EPILOGUE_RELU};
    const accel_dtype types[5] = {dt, dt, dt, dt, dt};
    return normwise_case(c, &d, types, 4, NULL, conv_reference);
}
static conf_result check_conv_nchw(conf_ctx *c) { return conv_case(c, ACCEL_LAYOUT_NCHW, ACCEL_DTYPE_F32); }
static conf_result check_conv_nhwc(conf_ctx *c) { return conv_case(c, ACCEL_LAYOUT_NHWC, ACCEL_DTYPE_F32); }
static conf_result check_conv_nhwc_bf16(conf_ctx *c) { return conv_case(c, ACCEL_LAYOUT_NHWC, ACCEL_DTYPE_BF16); }

/* ---- conv2d under every compute type: refused, or delivered exactly ---- */

/* A 1x1 conv of two f16 channels: products 128 * 273.5 = 35008 twice, then the bias -10016. Every
 * value is exact in f16, so the compute type alone decides y: fp32 (or wider) accumulation gives
 * 60000; inputs rounded to bf16 (273.5 -> 274) give 60128; fp16 accumulation overflows at the second
 * product (70016 > 65504) before the epilogue adds the bias: +inf. Integer compute of float data is
 * no computation at all: it must be refused. */
enum { CONV_PROBE_X, CONV_PROBE_W, CONV_PROBE_BIAS, CONV_PROBE_Y = 4 };

static int conv_probe_expect(accel_compute_type ct, double *want) {
    switch (ct) {
    case ACCEL_COMPUTE_I32: return 0;
    case ACCEL_COMPUTE_F16_ACC16: *want = INFINITY; return 1;
    case ACCEL_COMPUTE_BF16: *want = 60128.0; return 1;
    default: *want = 60000.0; return 1;
    }
}

/* Plans and runs the probe under ct: *accepted 0 when the backend refused it. */
static conf_result conv_probe(conf_ctx *c, accel_compute_type ct, int *accepted, double *y) {
    accel_op_desc d = {.kind = ACCEL_OP_CONV2D};
    snprintf(d.library, sizeof d.library, "%s", c->library);
    d.u.conv2d = (accel_conv2d_desc){.layout = ACCEL_LAYOUT_NCHW, .x_type = ACCEL_DTYPE_F16,
                                     .w_type = ACCEL_DTYPE_F16, .y_type = ACCEL_DTYPE_F16, .compute = ct,
                                     .n = 1, .c = 2, .h = 1, .w = 1, .k = 1, .r = 1, .s = 1,
                                     .stride_h = 1, .stride_w = 1, .epilogue = ACCEL_EPILOGUE_BIAS};
    accel_op_plan *plan = NULL;
    accel_status st = accel_op_plan_create(c->dev, &d, &plan);
    *accepted = st == ACCEL_OK;
    if (st == ACCEL_ERR_UNIMPLEMENTED || st == ACCEL_ERR_INVALID_ARGUMENT) return CONF_PASS;
    if (st != ACCEL_OK) return conf_from_status(c, st, "plan");
    static const double x[2] = {128.0, 128.0}, w[2] = {273.5, 273.5}, bias[1] = {-10016.0};
    const double *values[3] = {x, w, bias};
    const int64_t counts[5] = {2, 2, 1, 0, 1};
    conf_tensor t[MAX_OPS];
    memset(t, 0, sizeof t);
    accel_buffer *ws = NULL;
    const size_t wsb = accel_op_plan_workspace_size(plan);
    if (wsb) st = accel_buffer_alloc(c->dev, wsb, ACCEL_MEMORY_DEVICE, &ws);
    for (int i = 0; i < 5 && st == ACCEL_OK; ++i) {
        if (!counts[i]) continue;
        st = conf_tensor_empty(c, &t[i], ACCEL_DTYPE_F16, counts[i]);
        if (st != ACCEL_OK || i == CONV_PROBE_Y) continue;
        for (int64_t j = 0; j < counts[i]; ++j) accel_ref_store(ACCEL_DTYPE_F16, t[i].host, j, values[i][j]);
        st = accel_buffer_write(c->stream, t[i].buf, 0, t[i].host, (size_t)counts[i] * 2);
    }
    accel_buffer_ref refs[5];
    for (int i = 0; i < 5; ++i) refs[i] = conf_ref(&t[i]);
    const accel_buffer_ref wref = {ws, 0};
    if (st == ACCEL_OK) st = accel_op_plan_execute(plan, c->stream, refs, 5, wref);
    if (st == ACCEL_OK) st = conf_tensor_download(c, &t[CONV_PROBE_Y]);
    if (st == ACCEL_OK) *y = accel_ref_load(ACCEL_DTYPE_F16, t[CONV_PROBE_Y].host, 0);
    accel_op_plan_destroy(plan);
    accel_buffer_free(ws);
    free_all(t, 5);
    return st == ACCEL_OK ? CONF_PASS : conf_from_status(c, st, "execute");
}

static conf_result check_conv_compute_types(conf_ctx *c) {
    int tried_default = 0, damaged = 0;
    for (int ct = 0; ct < ACCEL_COMPUTE_COUNT_; ++ct) {
        const accel_compute_type t = (accel_compute_type)ct;
        int accepted = 0;
        double y = 0.0, want = 0.0;
        conf_result r = conv_probe(c, t, &accepted, &y);
        if (r != CONF_PASS) {
            conf_prefix(c, "compute %s", accel_compute_type_name(t));
            return r;
        }
        if (t == ACCEL_COMPUTE_DEFAULT) {
            if (!accepted) return conf_skip(c, "f16 conv2d is not offered: %s", accel_last_error());
            tried_default = 1;
        }
        if (accepted && c->corrupt && !damaged) { /* self-test: a wrong answer must be caught */
            y += 32.0;
            damaged = 1;
        }
        if (!accepted) continue;
        if (!conv_probe_expect(t, &want))
            return conf_fail(c, "compute %s accepted for f16 data (it must be refused)", accel_compute_type_name(t));
        if (!(y == want))
            return conf_fail(c, "compute %s accepted but not delivered: y = %.9g, the compute type gives %.9g "
                             "(fp32 accumulation gives 60000)", accel_compute_type_name(t), y, want);
    }
    return tried_default ? CONF_PASS : conf_skip(c, "no compute type tried");
}

static void layernorm_reference(const accel_op_desc *d, conf_tensor *t, double *ref) {
    accel_ref_layernorm(&d->u.layernorm, t[0].host, t[1].host, t[2].host, t[3].host, ref);
}

static conf_result layernorm_case(conf_ctx *c, accel_dtype dt) {
    accel_op_desc d = {.kind = ACCEL_OP_LAYERNORM};
    d.u.layernorm = (accel_layernorm_desc){.dtype = dt, .rows = 13, .cols = 77, .eps = 1e-5,
                                           .has_residual = 1};
    const accel_dtype types[5] = {dt, dt, dt, dt, dt};
    return normwise_case(c, &d, types, 4, NULL, layernorm_reference);
}
static conf_result check_layernorm_f32(conf_ctx *c) { return layernorm_case(c, ACCEL_DTYPE_F32); }
static conf_result check_layernorm_bf16(conf_ctx *c) { return layernorm_case(c, ACCEL_DTYPE_BF16); }

static void rmsnorm_reference(const accel_op_desc *d, conf_tensor *t, double *ref) {
    accel_ref_rmsnorm(&d->u.rmsnorm, t[0].host, t[1].host, ref);
}

/* LLaMA's eps, a row length that is no power of two and longer than one work-group. */
static conf_result rmsnorm_case(conf_ctx *c, accel_dtype dt) {
    accel_op_desc d = {.kind = ACCEL_OP_RMSNORM};
    d.u.rmsnorm = (accel_rmsnorm_desc){.dtype = dt, .rows = 11, .cols = 301, .eps = 1e-6};
    const accel_dtype types[3] = {dt, dt, dt};
    return normwise_case(c, &d, types, 2, NULL, rmsnorm_reference);
}
static conf_result check_rmsnorm_f32(conf_ctx *c) { return rmsnorm_case(c, ACCEL_DTYPE_F32); }
static conf_result check_rmsnorm_bf16(conf_ctx *c) { return rmsnorm_case(c, ACCEL_DTYPE_BF16); }

/* 2 sequences of 13 keys; the mask drops the last 3 keys of the first and 6 of the second. */
static accel_status softmax_mask(conf_ctx *c, conf_tensor *t) { return write_mask(c, &t[1], 2, 13, 3, 3); }

static void softmax_reference(const accel_op_desc *d, conf_tensor *t, double *ref) {
    accel_ref_softmax(&d->u.softmax, t[0].host, t[1].host, ref);
}

static conf_result softmax_case(conf_ctx *c, accel_dtype dt) {
    accel_op_desc d = {.kind = ACCEL_OP_SOFTMAX};
    /* 2 sequences x 3 heads x 5 queries, 13 keys. */
    d.u.softmax = (accel_softmax_desc){.dtype = dt, .rows = 30, .cols = 13, .scale = 0.37,
                                       .rows_per_mask_row = 15};
    const accel_dtype types[3] = {dt, ACCEL_DTYPE_F32, dt};
    return normwise_case(c, &d, types, 2, softmax_mask, softmax_reference);
}
static conf_result check_softmax_f32(conf_ctx *c) { return softmax_case(c, ACCEL_DTYPE_F32); }
static conf_result check_softmax_bf16(conf_ctx *c) { return softmax_case(c, ACCEL_DTYPE_BF16); }

static void eltwise_reference(const accel_op_desc *d, conf_tensor *t, double *ref) {
    accel_ref_eltwise(&d->u.eltwise, t[0].host, t[1].host, ref);
}

static conf_result eltwise_case(conf_ctx *c, accel_eltwise_kind kind, accel_dtype dt) {
    accel_op_desc d = {.kind = ACCEL_OP_ELTWISE};
    d.u.eltwise = (accel_eltwise_desc){.kind = kind, .dtype = dt, .count = 1001, .cols = 7,
                                       .alpha = 0.75, .beta = -1.5};
    const accel_dtype types[3] = {dt, dt, dt};
    return normwise_case(c, &d, types, 2, NULL, eltwise_reference);
}

static conf_result check_eltwise_all(conf_ctx *c) {
    static const char *names[] = {"", "copy", "scale", "add", "mul", "relu", "gelu_erf", "gelu_tanh", "bias_add"};
    for (int k = ACCEL_ELTWISE_COPY; k <= ACCEL_ELTWISE_BIAS_ADD; ++k) {
        conf_result r = eltwise_case(c, (accel_eltwise_kind)k, ACCEL_DTYPE_F32);
        if (r != CONF_PASS) {
            conf_prefix(c, "%s", names[k]);
            return r;
        }
    }
    return CONF_PASS;
}
static conf_result check_eltwise_bf16(conf_ctx *c) { return eltwise_case(c, ACCEL_ELTWISE_ADD, ACCEL_DTYPE_BF16); }

static void permute_reference(const accel_op_desc *d, conf_tensor *t, double *ref) {
    accel_ref_permute(&d->u.permute, t[0].host, ref);
}

static conf_result check_permute(conf_ctx *c) {
    accel_op_desc d = {.kind = ACCEL_OP_PERMUTE};
    /* BERT's packed QKV: [B,S,3,A,D] -> [3,B,A,S,D] */
    d.u.permute = (accel_permute_desc){.dtype = ACCEL_DTYPE_F32, .ndims = 5, .dims = {2, 5, 3, 4, 6},
                                       .perm = {2, 0, 3, 1, 4}};
    const accel_dtype types[2] = {ACCEL_DTYPE_F32, ACCEL_DTYPE_F32};
    return normwise_case(c, &d, types, 1, NULL, permute_reference);
}

/* 2 sequences of 9 keys; the mask drops the last 2 keys of the first and 4 of the second. */
static accel_status attention_mask(conf_ctx *c, conf_tensor *t) { return write_mask(c, &t[3], 2, 9, 2, 2); }

static void attention_reference(const accel_op_desc *d, conf_tensor *t, double *ref) {
    accel_ref_attention(&d->u.attention, t[0].host, t[1].host, t[2].host, t[3].host, ref);
}

/* Q, K, V, O in the storage type, the mask in fp32 (written by `mask`). */
static conf_result attention_case(conf_ctx *c, accel_attention_desc a, prepare_fn mask) {
    accel_op_desc d = {.kind = ACCEL_OP_ATTENTION};
    d.u.attention = a;
    const accel_dtype types[5] = {a.dtype, a.dtype, a.dtype, ACCEL_DTYPE_F32, a.dtype};
    return normwise_case(c, &d, types, 4, mask, attention_reference);
}

static conf_result check_attention(conf_ctx *c) {
    return attention_case(c, (accel_attention_desc){.dtype = ACCEL_DTYPE_F32, .batch = 2, .heads = 3, .seq = 9,
                                                    .head_dim = 8, .scale = 0.35},
                          attention_mask);
}

/* BERT's head size, a sequence that is no multiple of anything, bf16 storage. */
static accel_status attention_mask_33(conf_ctx *c, conf_tensor *t) { return write_mask(c, &t[3], 2, 33, 5, 7); }

static conf_result check_attention_bf16(conf_ctx *c) {
    return attention_case(c, (accel_attention_desc){.dtype = ACCEL_DTYPE_BF16, .batch = 2, .heads = 2, .seq = 33,
                                                    .head_dim = 64, .scale = 0.125},
                          attention_mask_33);
}

/* Causal (ABI 1.3) on top of the additive mask: key j > query i is dropped, so query 0 is V[0]
 * and every row's weights differ from the non-causal case above (which fails if the flag is
 * ignored). bf16 at 70 queries: two 64-row query tiles of the flash kernels, the first stopping
 * its key walk at its own last row. */
static conf_result check_attention_causal(conf_ctx *c) {
    return attention_case(c, (accel_attention_desc){.dtype = ACCEL_DTYPE_F32, .batch = 2, .heads = 3, .seq = 9,
                                                    .head_dim = 8, .scale = 0.35, .causal = 1},
                          attention_mask);
}

static accel_status attention_mask_70(conf_ctx *c, conf_tensor *t) { return write_mask(c, &t[3], 2, 70, 3, 9); }

static conf_result check_attention_causal_bf16(conf_ctx *c) {
    return attention_case(c, (accel_attention_desc){.dtype = ACCEL_DTYPE_BF16, .batch = 2, .heads = 1, .seq = 70,
                                                    .head_dim = 64, .scale = 0.125, .causal = 1},
                          attention_mask_70);
}

const conf_check conf_op_checks[] = {
    {"gemm-f32", check_gemm_f32},
    {"gemm-f32-layouts", check_gemm_f32_layouts},
    {"gemm-bias-relu", check_gemm_bias_relu},
    {"gemm-bias-gelu-erf", check_gemm_bias_gelu_erf},
    {"gemm-bias-gelu-tanh", check_gemm_bias_gelu_tanh},
    {"gemm-bf16", check_gemm_bf16},
    {"gemm-f16", check_gemm_f16},
    {"gemm-tf32", check_gemm_tf32},
    {"gemm-fp8-e4m3", check_gemm_fp8_e4m3},
    {"gemm-fp8-e4m3xe5m2", check_gemm_fp8_mixed},
    {"conv2d-nchw", check_conv_nchw},
    {"conv2d-nhwc", check_conv_nhwc},
    {"conv2d-nhwc-bf16", check_conv_nhwc_bf16},
    {"conv2d-compute-types", check_conv_compute_types},
    {"layernorm-f32", check_layernorm_f32},
    {"layernorm-bf16", check_layernorm_bf16},
    {"rmsnorm-f32", check_rmsnorm_f32},
    {"rmsnorm-bf16", check_rmsnorm_bf16},
    {"softmax-f32", check_softmax_f32},
    {"softmax-bf16", check_softmax_bf16},
    {"eltwise-all-f32", check_eltwise_all},
    {"eltwise-add-bf16", check_eltwise_bf16},
    {"permute", check_permute},
    {"attention", check_attention},
    {"attention-bf16", check_attention_bf16},
    {"attention-causal", check_attention_causal},
    {"attention-causal-bf16", check_attention_causal_bf16},
    {NULL, NULL},
};
