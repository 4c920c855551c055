// Runs the shared GPU kernels (../kernels/*.cu) on host threads through accel_gpu_emu.h and checks
// each entry-point family against the fp64 reference library (hal/reference), so their arithmetic
// and indexing are tested on machines without a GPU. C++ because the kernels are CUDA C++.
// Not tested here: the vendor compilers' code generation, real warp behaviour and timing, and each
// backend's launch code (those need a device: scripts/device-check.sh).
#define ACCEL_GPU_EMULATION 1
#include "../kernels/conv2d.cu"
#include "../kernels/eltwise.cu"
#include "../kernels/epilogue.cu"
#include "../kernels/fill.cu"
#include "../kernels/flash_attention.cu"
#include "../kernels/gemm.cu"
#include "../kernels/layernorm.cu"
#include "../kernels/permute.cu"
#include "../kernels/softmax.cu"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "accel/reference.h"

static int failures;

static void check(const char *what, double err, double tol) {
    const bool ok = err <= tol && err == err;
    std::printf("%s %-48s err %.3g (tol %.3g)\n", ok ? "ok  " : "FAIL", what, err, tol);
    if (!ok) ++failures;
}

static size_t dsize(accel_dtype t) { return t == ACCEL_DTYPE_F32 ? 4 : t == ACCEL_DTYPE_F64 ? 8 : 2; }
static const char *dname(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 ? "f32" : t == ACCEL_DTYPE_F16 ? "f16" : t == ACCEL_DTYPE_BF16 ? "bf16" : "f64";
}
// Normwise tolerance of an op whose output is rounded to t once (fp32 accumulation inside).
static double tol_for(accel_dtype t) { return t == ACCEL_DTYPE_F32 ? 1e-6 : t == ACCEL_DTYPE_F16 ? 1e-3 : 8e-3; }

struct host_buf {
    std::vector<unsigned char> bytes;
    host_buf(accel_dtype t, int64_t n, uint64_t seed, double lo = -1, double hi = 1) : bytes(dsize(t) * (size_t)n) {
        accel_ref_fill_random(t, bytes.data(), n, seed, lo, hi);
    }
    template <typename T> T *as() { return reinterpret_cast<T *>(bytes.data()); }
};


template <typename T>
static void test_layernorm(void (*k)(const T *, const T *, const T *, const T *, T *, accel_i64, float), accel_dtype t,
                           int residual) {
    const int64_t rows = 5, cols = 300;
    accel_layernorm_desc d = {t, rows, cols, 1e-5, residual};
    host_buf x(t, rows * cols, 1, -2, 3), r(t, rows * cols, 2), g(t, cols, 3, 0.5, 1.5), b(t, cols, 4), y(t, rows * cols, 5);
    accel_emu_launch(k, {(unsigned)rows, 1, 1}, {256, 1, 1}, x.as<const T>(),
                     residual ? r.as<const T>() : (const T *)nullptr, g.as<const T>(), b.as<const T>(), y.as<T>(),
                     (accel_i64)cols, 1e-5f);
    std::vector<double> ref((size_t)(rows * cols));
    accel_ref_layernorm(&d, x.bytes.data(), residual ? r.bytes.data() : nullptr, g.bytes.data(), b.bytes.data(), ref.data());
    char name[80];
    std::snprintf(name, sizeof name, "layernorm %s%s", dname(t), residual ? " +residual" : "");
    check(name, accel_ref_normwise_rel_err(t, y.bytes.data(), ref.data(), rows * cols), 4 * tol_for(t));
}

template <typename T>
static void test_softmax(void (*k)(const T *, const float *, T *, accel_i64, float, accel_i64), accel_dtype t) {
    const int64_t rows = 6, cols = 70, rpm = 3;
    accel_softmax_desc d = {t, rows, cols, 0.125, rpm};
    host_buf x(t, rows * cols, 7, -4, 4), y(t, rows * cols, 8);
    std::vector<float> mask((size_t)(rows / rpm * cols), 0.0f);
    for (int64_t j = 50; j < cols; ++j) mask[(size_t)j] = -10000.0f; // first mask row drops the tail
    accel_emu_launch(k, {(unsigned)rows, 1, 1}, {96, 1, 1}, x.as<const T>(), (const float *)mask.data(), y.as<T>(),
                     (accel_i64)cols, 0.125f, (accel_i64)rpm);
    std::vector<double> ref((size_t)(rows * cols));
    accel_ref_softmax(&d, x.bytes.data(), mask.data(), ref.data());
    char name[80];
    std::snprintf(name, sizeof name, "softmax %s scale+mask", dname(t));
    check(name, accel_ref_normwise_rel_err(t, y.bytes.data(), ref.data(), rows * cols), 2 * tol_for(t));
}

template <typename T>
static void test_eltwise(void (*k)(int, const T *, const T *, T *, accel_i64, accel_i64, float, float), accel_dtype t) {
    const int64_t count = 1000, cols = 40;
    for (int kind = ACCEL_ELTWISE_COPY; kind <= ACCEL_ELTWISE_BIAS_ADD; ++kind) {
        accel_eltwise_desc d = {(accel_eltwise_kind)kind, t, count, cols, 0.75, -1.5};
        host_buf x(t, count, 11 + kind, -3, 3), z(t, count, 31 + kind), y(t, count, 51);
        accel_emu_launch(k, {2, 1, 1}, {128, 1, 1}, kind, x.as<const T>(), z.as<const T>(), y.as<T>(), (accel_i64)count,
                         (accel_i64)cols, 0.75f, -1.5f);
        std::vector<double> ref((size_t)count);
        accel_ref_eltwise(&d, x.bytes.data(), z.bytes.data(), ref.data());
        char name[80];
        std::snprintf(name, sizeof name, "eltwise %s kind %d", dname(t), kind);
        check(name, accel_ref_normwise_rel_err(t, y.bytes.data(), ref.data(), count), 2 * tol_for(t));
    }
}

template <typename E> static void test_permute(void (*k)(const E *, E *, const accel_permute_params), accel_dtype t) {
    accel_permute_desc d = {t, 5, {2, 3, 3, 2, 4, 1}, {2, 0, 3, 1, 4, 5}}; // BERT [B,S,3,A,D] -> [3,B,A,S,D]
    const int64_t total = 2 * 3 * 3 * 2 * 4;
    accel_permute_params p = {};
    int64_t in_stride[5], s = 1;
    for (int i = 4; i >= 0; --i) { in_stride[i] = s; s *= d.dims[i]; }
    p.total = total;
    p.ndims = 5;
    for (int o = 0; o < 5; ++o) { p.out_dims[o] = d.dims[d.perm[o]]; p.in_strides[o] = in_stride[d.perm[o]]; }
    host_buf x(t, total, 61), y(t, total, 62);
    accel_emu_launch(k, {1, 1, 1}, {64, 1, 1}, x.as<const E>(), y.as<E>(), p);
    std::vector<double> ref((size_t)total);
    accel_ref_permute(&d, x.bytes.data(), ref.data());
    char name[80];
    std::snprintf(name, sizeof name, "permute %s 5-D BERT QKV", dname(t));
    check(name, accel_ref_normwise_rel_err(t, y.bytes.data(), ref.data(), total), 0.0);
}

// GEMM: every element against accel_ref_gemm_element with the docs/workloads.md bound.
template <typename T>
static void test_gemm(void (*k)(const T *, const T *, const T *, T *, const T *, const accel_gemm_params), accel_dtype t,
                      int ta, int tb, accel_compute_type compute, uint32_t epilogue) {
    accel_gemm_desc g = {};
    g.a_type = g.b_type = g.c_type = g.d_type = g.bias_type = t;
    g.compute = compute;
    g.trans_a = ta, g.trans_b = tb;
    g.m = 70, g.n = 45, g.k = 33, g.batch = 2;
    g.lda = (ta ? g.m : g.k) + 3, g.ldb = (tb ? g.k : g.n) + 1, g.ldc = g.n + 2, g.ldd = g.n + 5;
    g.stride_a = (ta ? g.k : g.m) * g.lda, g.stride_b = (tb ? g.n : g.k) * g.ldb;
    g.stride_c = g.m * g.ldc, g.stride_d = g.m * g.ldd, g.stride_bias = g.n;
    g.alpha = 0.5, g.beta = 0.25, g.epilogue = epilogue;
    host_buf A(t, g.stride_a * 2, 71), B(t, g.stride_b * 2, 72), C(t, g.stride_c * 2, 73), D(t, g.stride_d * 2, 74),
        bias(t, g.n * 2, 75);
    accel_gemm_params p = {g.m, g.n, g.k, g.lda, g.ldb, g.ldc, g.ldd, g.stride_a, g.stride_b, g.stride_c, g.stride_d,
                           g.stride_bias, g.batch, g.alpha, g.beta, ta, tb,
                           (epilogue & ACCEL_EPILOGUE_RELU) ? 1 : (epilogue & ACCEL_EPILOGUE_GELU_ERF) ? 2 : (epilogue & ACCEL_EPILOGUE_GELU_TANH) ? 3 : 0,
                           compute == ACCEL_COMPUTE_TF32};
    const bool has_bias = epilogue & ACCEL_EPILOGUE_BIAS;
    accel_emu_launch(k, {(unsigned)((g.n + 63) / 64), (unsigned)((g.m + 63) / 64), 2}, {256, 1, 1}, A.as<const T>(),
                     B.as<const T>(), (const T *)C.as<T>(), D.as<T>(), has_bias ? (const T *)bias.as<T>() : (const T *)nullptr, p);
    const double u = accel_ref_unit_roundoff_compute(compute, t), u_out = accel_ref_unit_roundoff_dtype(t);
    double worst = 0;
    for (int64_t b = 0; b < g.batch; ++b)
        for (int64_t i = 0; i < g.m; ++i)
            for (int64_t j = 0; j < g.n; ++j) {
                double ref, abs_sum;
                accel_ref_gemm_element(&g, A.bytes.data(), B.bytes.data(), C.bytes.data(), has_bias ? bias.bytes.data() : nullptr,
                                       b, i, j, &ref, &abs_sum);
                const double got = accel_ref_load(t, D.bytes.data(), b * g.stride_d + i * g.ldd + j);
                const double bound = 2.0 * std::sqrt((double)g.k) * u * (abs_sum + 1.0) + u_out * std::fabs(ref) + 1e-12;
                const double ratio = std::fabs(got - ref) / bound;
                if (ratio > worst) worst = ratio;
            }
    char name[96];
    std::snprintf(name, sizeof name, "gemm %s %c%c %s epi 0x%x (err/bound)", dname(t), ta ? 'T' : 'N', tb ? 'T' : 'N',
                  compute == ACCEL_COMPUTE_TF32 ? "tf32" : "", epilogue);
    check(name, worst, 1.0);
}

template <typename T>
static void test_conv2d(void (*k)(const T *, const T *, const T *, const T *, T *, const accel_conv2d_params), accel_dtype t,
                        accel_layout layout) {
    accel_conv2d_desc c = {};
    c.layout = layout, c.x_type = c.w_type = c.y_type = t;
    c.n = 2, c.c = 5, c.h = 7, c.w = 6, c.k = 6, c.r = 3, c.s = 3;
    c.stride_h = 2, c.stride_w = 1, c.pad_h = 1, c.pad_w = 1, c.dil_h = 1, c.dil_w = 1, c.groups = 1;
    c.epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU;
    int64_t p, q;
    accel_ref_conv2d_out_hw(&c, &p, &q);
    const int64_t ny = c.n * c.k * p * q;
    host_buf X(t, c.n * c.c * c.h * c.w, 81), W(t, c.k * c.c * c.r * c.s, 82), bias(t, c.k, 83), R(t, ny, 84), Y(t, ny, 85);
    accel_conv2d_params prm = {c.n, c.c, c.h, c.w, c.k, c.r, c.s, p, q, c.stride_h, c.stride_w, c.pad_h, c.pad_w, 1, 1,
                               layout == ACCEL_LAYOUT_NHWC, 1};
    accel_emu_launch(k, {(unsigned)((c.k + 63) / 64), (unsigned)((c.n * p * q + 63) / 64), 1}, {256, 1, 1},
                     X.as<const T>(), W.as<const T>(), (const T *)bias.as<T>(), (const T *)R.as<T>(), Y.as<T>(), prm);
    std::vector<double> ref((size_t)ny);
    accel_ref_conv2d(&c, X.bytes.data(), W.bytes.data(), bias.bytes.data(), R.bytes.data(), ref.data());
    char name[80];
    std::snprintf(name, sizeof name, "conv2d %s %s s2x1 pad1 bias+res+relu", dname(t), layout == ACCEL_LAYOUT_NHWC ? "NHWC" : "NCHW");
    check(name, accel_ref_normwise_rel_err(t, Y.bytes.data(), ref.data(), ny), 4 * tol_for(t));
}

template <typename T>
static void test_bias_act(void (*k)(T *, const T *, accel_i64, accel_i64, accel_i64, accel_i64, accel_i64, accel_i64, int),
                          accel_dtype t) {
    const int64_t rows = 9, cols = 21, ld = 25, batch = 2, sd = rows * ld;
    host_buf D(t, sd * batch, 91, -3, 3), bias(t, cols * batch, 92);
    std::vector<double> ref((size_t)(rows * cols * batch));
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j)
                ref[(size_t)((b * rows + i) * cols + j)] = accel_ref_gelu_erf(
                    accel_ref_round_to(t, (float)(accel_ref_load(t, D.bytes.data(), b * sd + i * ld + j) +
                                                  accel_ref_load(t, bias.bytes.data(), b * cols + j))));
    accel_emu_launch(k, {3, 1, 1}, {64, 1, 1}, D.as<T>(), (const T *)bias.as<T>(), (accel_i64)rows, (accel_i64)cols,
                     (accel_i64)ld, (accel_i64)batch, (accel_i64)sd, (accel_i64)cols, 2);
    std::vector<double> got((size_t)(rows * cols * batch));
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j)
                got[(size_t)((b * rows + i) * cols + j)] = accel_ref_load(t, D.bytes.data(), b * sd + i * ld + j);
    double num = 0, den = 0;
    for (size_t i = 0; i < got.size(); ++i) { num += (got[i] - ref[i]) * (got[i] - ref[i]); den += ref[i] * ref[i]; }
    char name[80];
    std::snprintf(name, sizeof name, "bias+gelu_erf epilogue %s ld>cols batch 2", dname(t));
    check(name, std::sqrt(num / den), 2 * tol_for(t));
}

static void test_fill(int pattern_size, size_t offset) {
    std::vector<unsigned char> buf(256 + 32, 0xee);
    unsigned char pattern[16];
    for (int i = 0; i < 16; ++i) pattern[i] = (unsigned char)(0x10 + i * 7);
    unsigned long long words[2];
    std::memcpy(words, pattern, 16);
    const accel_i64 count = 256 / pattern_size;
    accel_emu_launch(accel_fill_pattern, {1, 1, 1}, {32, 1, 1}, buf.data() + offset, count, words[0], words[1], pattern_size);
    double bad = 0;
    for (size_t i = 0; i < buf.size(); ++i) {
        const bool inside = i >= offset && i < offset + 256;
        const unsigned char want = inside ? pattern[(i - offset) % (size_t)pattern_size] : 0xee;
        if (buf[i] != want) ++bad;
    }
    char name[80];
    std::snprintf(name, sizeof name, "fill %d-byte pattern at offset %zu (bad bytes)", pattern_size, offset);
    check(name, bad, 0);
}

// fp64 attention with the causal mask hal/reference lacks (its accel_ref_attention is checked
// against this one for the non-causal case below, so this reference is itself tested).
static void attention_reference(const accel_attention_desc &d, const void *q, const void *k, const void *v,
                                const float *mask, int causal, std::vector<double> &out) {
    const int64_t S = d.seq, D = d.head_dim;
    out.assign((size_t)(d.batch * d.heads * S * D), 0.0);
    std::vector<double> w((size_t)S);
    for (int64_t bh = 0; bh < d.batch * d.heads; ++bh)
        for (int64_t i = 0; i < S; ++i) {
            const int64_t base = bh * S * D;
            double best = -INFINITY, sum = 0;
            for (int64_t j = 0; j < S; ++j) {
                double x = 0;
                for (int64_t e = 0; e < D; ++e)
                    x += accel_ref_load(d.dtype, q, base + i * D + e) * accel_ref_load(d.dtype, k, base + j * D + e);
                x = x * d.scale + (mask ? mask[bh / d.heads * S + j] : 0.0);
                w[(size_t)j] = causal && j > i ? -INFINITY : x;
                best = std::fmax(best, w[(size_t)j]);
            }
            for (int64_t j = 0; j < S; ++j) sum += w[(size_t)j] = std::exp(w[(size_t)j] - best);
            for (int64_t e = 0; e < D; ++e) {
                double o = 0;
                for (int64_t j = 0; j < S; ++j) o += w[(size_t)j] * accel_ref_load(d.dtype, v, base + j * D + e);
                out[(size_t)(base + i * D + e)] = o / sum;
            }
        }
}


// The tiled kernels on shapes that leave partial query and key tiles and (for the MMA path) a head
// size that is no multiple of 16, with the additive mask, causal or not, launched as the planner
// launches them (grid batch*heads x query tiles, ACCEL_FLASH_THREADS threads).
template <typename T>
static void test_flash(void (*k)(const T *, const T *, const T *, const float *, T *, const accel_attention_params),
                       const char *what, accel_dtype t, int64_t seq, int64_t head_dim, int causal, bool use_mask) {
    const accel_attention_desc d = {t, ACCEL_COMPUTE_DEFAULT, 2, 2, seq, head_dim, 1.0 / std::sqrt((double)head_dim),
                                    causal};
    const int64_t n = d.batch * d.heads * seq * head_dim;
    host_buf q(t, n, 31, -2, 2), kk(t, n, 32, -2, 2), v(t, n, 33), o(t, n, 34);
    std::vector<float> mask((size_t)(d.batch * seq), 0.0f);
    for (int64_t j = seq - 7; j < seq; ++j) mask[(size_t)j] = -10000.0f;            // batch 0 drops its tail
    for (int64_t j = 0; j < seq; j += 5) mask[(size_t)(seq + j)] = -1.5f;           // batch 1: soft penalties
    const float *m = use_mask ? mask.data() : nullptr;
    const accel_attention_params p = {d.heads, seq, head_dim, (float)d.scale, causal};
    const unsigned tiles = (unsigned)((seq + ACCEL_FLASH_ROWS - 1) / ACCEL_FLASH_ROWS);
    accel_emu_launch(k, {(unsigned)(d.batch * d.heads), tiles, 1}, {ACCEL_FLASH_THREADS, 1, 1}, q.as<const T>(),
                     kk.as<const T>(), v.as<const T>(), m, o.as<T>(), p);
    std::vector<double> ref;
    attention_reference(d, q.bytes.data(), kk.bytes.data(), v.bytes.data(), m, causal, ref);
    { // the test's own reference agrees with the library's (causal too: accel_attention_desc.causal)
        std::vector<double> lib((size_t)n);
        accel_ref_attention(&d, q.bytes.data(), kk.bytes.data(), v.bytes.data(), m, lib.data());
        double worst = 0;
        for (size_t i = 0; i < lib.size(); ++i) worst = std::fmax(worst, std::fabs(lib[i] - ref[i]));
        if (worst > 1e-9) check("attention reference vs accel_ref_attention", worst, 1e-9);
    }
    char name[96];
    std::snprintf(name, sizeof name, "%s %s s%lld d%lld%s%s", what, dname(t), (long long)seq, (long long)head_dim,
                  use_mask ? " mask" : "", causal ? " causal" : "");
    // P is rounded to the storage type before P V on the MMA path, as in every flash kernel
    check(name, accel_ref_normwise_rel_err(t, o.bytes.data(), ref.data(), n), (t == ACCEL_DTYPE_F32 ? 4 : 2) * tol_for(t));
}

int main() {
    test_flash(accel_flash_attention_f32, "flash fma", ACCEL_DTYPE_F32, 70, 24, 0, true);
    test_flash(accel_flash_attention_f32, "flash fma", ACCEL_DTYPE_F32, 33, 128, 1, true);
    test_flash(accel_flash_attention_bf16, "flash fma", ACCEL_DTYPE_BF16, 130, 64, 1, false);
    test_flash(accel_flash_attention_mma_bf16, "flash mma", ACCEL_DTYPE_BF16, 130, 64, 0, true);
    test_flash(accel_flash_attention_mma_bf16, "flash mma", ACCEL_DTYPE_BF16, 130, 64, 1, true);
    test_flash(accel_flash_attention_mma_f16, "flash mma", ACCEL_DTYPE_F16, 77, 40, 0, true);
    test_flash(accel_flash_attention_mma_f16, "flash mma", ACCEL_DTYPE_F16, 65, 128, 1, false);
    test_flash(accel_flash_attention_mma_bf16, "flash mma", ACCEL_DTYPE_BF16, 20, 13, 1, true);
    // the MFMA body (two 64-lane wavefronts, products transposed): partial tiles, a head size no
    // multiple of 16, causal or not
    test_flash(accel_flash_attention_mfma_bf16, "flash mfma", ACCEL_DTYPE_BF16, 130, 64, 1, true);
    test_flash(accel_flash_attention_mfma_f16, "flash mfma", ACCEL_DTYPE_F16, 77, 40, 1, false);
    test_flash(accel_flash_attention_mfma_f16, "flash mfma", ACCEL_DTYPE_F16, 65, 128, 0, true);
    test_layernorm(accel_layernorm_f32, ACCEL_DTYPE_F32, 0);
    test_layernorm(accel_layernorm_f32, ACCEL_DTYPE_F32, 1);
    test_layernorm(accel_layernorm_bf16, ACCEL_DTYPE_BF16, 1);
    test_layernorm(accel_layernorm_f16, ACCEL_DTYPE_F16, 0);
    test_softmax(accel_softmax_f32, ACCEL_DTYPE_F32);
    test_softmax(accel_softmax_bf16, ACCEL_DTYPE_BF16);
    test_eltwise(accel_eltwise_f32, ACCEL_DTYPE_F32);
    test_eltwise(accel_eltwise_f16, ACCEL_DTYPE_F16);
    test_permute(accel_permute_b4, ACCEL_DTYPE_F32);
    test_permute(accel_permute_b2, ACCEL_DTYPE_BF16);
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb)
            test_gemm(accel_gemm_f32, ACCEL_DTYPE_F32, ta, tb, ACCEL_COMPUTE_F32, ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_ERF);
    test_gemm(accel_gemm_f32, ACCEL_DTYPE_F32, 0, 1, ACCEL_COMPUTE_TF32, ACCEL_EPILOGUE_RELU);
    test_gemm(accel_gemm_bf16, ACCEL_DTYPE_BF16, 1, 0, ACCEL_COMPUTE_BF16, ACCEL_EPILOGUE_BIAS);
    test_gemm(accel_gemm_f16, ACCEL_DTYPE_F16, 0, 0, ACCEL_COMPUTE_F16, ACCEL_EPILOGUE_GELU_TANH);
    test_gemm(accel_gemm_f64, ACCEL_DTYPE_F64, 1, 1, ACCEL_COMPUTE_F64, ACCEL_EPILOGUE_NONE);
    test_conv2d(accel_conv2d_f32, ACCEL_DTYPE_F32, ACCEL_LAYOUT_NCHW);
    test_conv2d(accel_conv2d_f32, ACCEL_DTYPE_F32, ACCEL_LAYOUT_NHWC);
    test_conv2d(accel_conv2d_bf16, ACCEL_DTYPE_BF16, ACCEL_LAYOUT_NHWC);
    test_bias_act(accel_bias_act_f32, ACCEL_DTYPE_F32);
    test_bias_act(accel_bias_act_bf16, ACCEL_DTYPE_BF16);
    test_fill(8, 0);
    test_fill(16, 0);
    test_fill(16, 3);
    test_fill(8, 5);
    std::printf("%s\n", failures ? "FAILED" : "all kernels match the reference");
    return failures ? 1 : 0;
}
