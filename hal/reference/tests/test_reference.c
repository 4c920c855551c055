/* Hand-computed checks of the fp64 reference library: every verification in the project rests on it. */
#include "accel/reference.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)
#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol))) {                                                           \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__, __LINE__, #a, a_, b_); \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void test_bf16(void) {
    CHECK(accel_ref_f32_to_bf16(1.0f) == 0x3f80);
    /* 1 + 2^-8 is the exact midpoint between 1 and 1 + 2^-7: ties to even -> 1. */
    CHECK(accel_ref_f32_to_bf16(1.0f + 0x1p-8f) == 0x3f80);
    /* 1 + 3*2^-8 is the midpoint between 1+2^-7 (odd) and 1+2^-6 (even): rounds up. */
    CHECK(accel_ref_f32_to_bf16(1.0f + 3 * 0x1p-8f) == 0x3f82);
    CHECK(accel_ref_f32_to_bf16(1.0f + 0x1p-8f + 0x1p-20f) == 0x3f81); /* just above: up */
    CHECK(accel_ref_f32_to_bf16(-2.0f) == 0xc000);
    CHECK(accel_ref_f32_to_bf16(INFINITY) == 0x7f80);
    CHECK(accel_ref_f32_to_bf16(-INFINITY) == 0xff80);
    uint16_t nan = accel_ref_f32_to_bf16(NAN);
    CHECK((nan & 0x7f80) == 0x7f80 && (nan & 0x7f) != 0);
    /* A signalling NaN whose payload sits only in the low 16 bits must stay NaN, not become Inf. */
    uint32_t snan_bits = 0x7f800001u;
    float snan;
    memcpy(&snan, &snan_bits, sizeof snan);
    CHECK(isnan(accel_ref_bf16_to_f32(accel_ref_f32_to_bf16(snan))));
    CHECK(accel_ref_f32_to_bf16(3.4028235e38f) == 0x7f80); /* FLT_MAX rounds up to Inf */
    CHECK(accel_ref_f32_to_bf16(0x1p-133f) == 0x0001);      /* denormal bf16 survives */
    CHECK(accel_ref_bf16_to_f32(0x4049) == 3.140625f);
    CHECK(accel_ref_round_to(ACCEL_DTYPE_BF16, 1.0f + 0x1p-8f) == 1.0f);
}

/* Every code of both fp8 formats decodes to a value that encodes back to the same code (NaNs to a
 * NaN), and the landmarks of the OCP spec are where they should be. */
static void test_fp8(void) {
    const accel_dtype types[2] = {ACCEL_DTYPE_F8_E4M3, ACCEL_DTYPE_F8_E5M2};
    for (int t = 0; t < 2; t++) {
        int nans = 0, bad = 0;
        for (unsigned c = 0; c < 256; c++) {
            float v = accel_ref_fp8_to_f32(types[t], (uint8_t)c);
            uint8_t back = accel_ref_f32_to_fp8(types[t], v);
            if (isnan(v)) {
                nans++;
                bad += !isnan(accel_ref_fp8_to_f32(types[t], back));
            } else {
                bad += back != c;
            }
        }
        CHECK(bad == 0);
        CHECK(nans == (t == 0 ? 2 : 6)); /* e4m3: S.1111.111 only; e5m2: S.11111.{01,10,11} */
    }
    const accel_dtype e4 = ACCEL_DTYPE_F8_E4M3, e5 = ACCEL_DTYPE_F8_E5M2;
    CHECK(accel_ref_fp8_to_f32(e4, 0x7e) == 448.0f);
    CHECK(accel_ref_fp8_to_f32(e4, 0x01) == 0x1p-9f);   /* smallest subnormal */
    CHECK(accel_ref_fp8_to_f32(e4, 0x08) == 0x1p-6f);   /* smallest normal */
    CHECK(accel_ref_fp8_to_f32(e4, 0x38) == 1.0f);
    CHECK(accel_ref_fp8_to_f32(e4, 0xb8) == -1.0f);
    CHECK(accel_ref_fp8_to_f32(e5, 0x7b) == 57344.0f);
    CHECK(accel_ref_fp8_to_f32(e5, 0x01) == 0x1p-16f);
    CHECK(accel_ref_fp8_to_f32(e5, 0x3c) == 1.0f);
    CHECK(isinf(accel_ref_fp8_to_f32(e5, 0x7c)));
    /* 1 + 2^-4 is halfway between 1 and 1.125 in e4m3: ties to even (1.0); a hair above goes up. */
    CHECK(accel_ref_f32_to_fp8(e4, 1.0625f) == 0x38);
    CHECK(accel_ref_f32_to_fp8(e4, 1.0626f) == 0x39);
    CHECK(accel_ref_f32_to_fp8(e4, 1.1875f) == 0x3a); /* 1.125 (odd) / 1.25 midpoint: up to even */
    CHECK(accel_ref_f32_to_fp8(e4, 460.0f) == 0x7e);  /* still rounds to 448 */
    CHECK(isnan(accel_ref_fp8_to_f32(e4, accel_ref_f32_to_fp8(e4, 500.0f)))); /* no inf in e4m3 */
    CHECK(isinf(accel_ref_fp8_to_f32(e5, accel_ref_f32_to_fp8(e5, 70000.0f))));
    CHECK(accel_ref_f32_to_fp8(e4, 0x1p-11f) == 0x00); /* a quarter of the smallest: zero */
    CHECK(accel_ref_f32_to_fp8(e4, 0x1p-10f * 1.5f) == 0x01);
    unsigned char buf[2];
    accel_ref_store(e4, buf, 1, -0.3);
    CHECK(accel_ref_load(e4, buf, 1) == -0.3125); /* nearest e4m3 to -0.3 */
    CHECK(accel_ref_round_to(e5, 3.3f) == 3.5f);
    CHECK(accel_ref_unit_roundoff_dtype(e4) == 0x1p-4);
    CHECK(accel_ref_unit_roundoff_compute(ACCEL_COMPUTE_DEFAULT, e4) == 0x1p-24); /* fp8 computes in F32 */
}

static void test_f16(void) {
    CHECK(accel_ref_f32_to_f16(1.0f) == 0x3c00);
    CHECK(accel_ref_f32_to_f16(1.0f + 0x1p-11f) == 0x3c00); /* tie to even */
    CHECK(accel_ref_f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3c02);
    CHECK(accel_ref_f32_to_f16(65504.0f) == 0x7bff);
    CHECK(accel_ref_f32_to_f16(65519.0f) == 0x7bff);
    CHECK(accel_ref_f32_to_f16(65520.0f) == 0x7c00); /* halfway to 65536: even -> Inf */
    CHECK(accel_ref_f32_to_f16(1e6f) == 0x7c00);
    CHECK(accel_ref_f32_to_f16(-INFINITY) == 0xfc00);
    CHECK(accel_ref_f32_to_f16(0x1p-24f) == 0x0001);          /* smallest denormal */
    CHECK(accel_ref_f32_to_f16(0x1p-25f) == 0x0000);          /* tie to even: 0 */
    CHECK(accel_ref_f32_to_f16(0x1.8p-25f) == 0x0001);        /* above the tie */
    CHECK(accel_ref_f32_to_f16(3 * 0x1p-25f) == 0x0002);      /* 1.5 ulp: tie -> 2 */
    CHECK(accel_ref_f32_to_f16(0x1p-14f) == 0x0400);          /* smallest normal */
    CHECK(accel_ref_f32_to_f16(0x1p-14f - 0x1p-25f) == 0x0400); /* rounds up into normal */
    CHECK(accel_ref_f32_to_f16(-0.0f) == 0x8000);
    uint16_t nan = accel_ref_f32_to_f16(NAN);
    CHECK((nan & 0x7c00) == 0x7c00 && (nan & 0x3ff) != 0);
    CHECK(accel_ref_f16_to_f32(0x0001) == 0x1p-24f);
    CHECK(accel_ref_f16_to_f32(0x03ff) == 1023 * 0x1p-24f);
    CHECK(accel_ref_f16_to_f32(0xc000) == -2.0f);
    CHECK(isinf(accel_ref_f16_to_f32(0x7c00)));
    CHECK(isnan(accel_ref_f16_to_f32(0x7e00)));
    /* Every finite half round-trips. */
    int bad = 0;
    for (uint32_t h = 0; h < 0x10000u; h++) {
        if ((h & 0x7c00u) == 0x7c00u)
            continue;
        if (accel_ref_f32_to_f16(accel_ref_f16_to_f32((uint16_t)h)) != h)
            bad++;
    }
    CHECK(bad == 0);
    /* Storing a double must round once: 1 + 2^-11 + 2^-40 is above the tie, so it rounds up even
     * though rounding through f32 first would land exactly on the tie and go down. */
    uint16_t h;
    accel_ref_store(ACCEL_DTYPE_F16, &h, 0, 1.0 + 0x1p-11 + 0x1p-40);
    CHECK(h == 0x3c01);
    accel_ref_store(ACCEL_DTYPE_F16, &h, 0, 70000.0);
    CHECK(h == 0x7c00);
}

static void test_tf32_and_roundoff(void) {
    CHECK(accel_ref_round_tf32(1.0f + 0x1p-11f) == 1.0f);
    CHECK(accel_ref_round_tf32(1.0f + 3 * 0x1p-11f) == 1.0f + 0x1p-9f);
    CHECK(accel_ref_round_tf32(1.0f + 0x1p-10f) == 1.0f + 0x1p-10f);
    CHECK(isinf(accel_ref_round_tf32(INFINITY)));
    CHECK(isnan(accel_ref_round_tf32(NAN)));
    CHECK(accel_ref_unit_roundoff_dtype(ACCEL_DTYPE_F32) == 0x1p-24);
    CHECK(accel_ref_unit_roundoff_dtype(ACCEL_DTYPE_F16) == 0x1p-11);
    CHECK(accel_ref_unit_roundoff_dtype(ACCEL_DTYPE_BF16) == 0x1p-8);
    CHECK(accel_ref_unit_roundoff_compute(ACCEL_COMPUTE_TF32, ACCEL_DTYPE_F32) == 0x1p-11);
    CHECK(accel_ref_unit_roundoff_compute(ACCEL_COMPUTE_DEFAULT, ACCEL_DTYPE_BF16) == 0x1p-8);
    double d = 0;
    accel_ref_store(ACCEL_DTYPE_F64, &d, 0, 0.1);
    CHECK(accel_ref_load(ACCEL_DTYPE_F64, &d, 0) == 0.1);
}

static void test_gemm(void) {
    /* A = [1 2 3; 4 5 6] (2x3), B = [1 0; 0 1; 1 1] (3x2): A*B = [4 5; 10 11]. */
    const float A[6] = {1, 2, 3, 4, 5, 6};
    const float At[6] = {1, 4, 2, 5, 3, 6}; /* A stored transposed: 3x2 */
    const float B[6] = {1, 0, 0, 1, 1, 1};
    const float Bt[6] = {1, 0, 1, 0, 1, 1}; /* B stored transposed: 2x3 */
    const float expect[4] = {4, 5, 10, 11};
    accel_gemm_desc d;
    memset(&d, 0, sizeof d);
    d.a_type = d.b_type = d.c_type = d.d_type = ACCEL_DTYPE_F32;
    d.m = 2;
    d.n = 2;
    d.k = 3;
    d.batch = 1;
    d.alpha = 1.0;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            d.trans_a = ta;
            d.trans_b = tb;
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) {
                    double v, s;
                    accel_ref_gemm_element(&d, ta ? At : A, tb ? Bt : B, NULL, NULL, 0, i, j, &v, &s);
                    CHECK_NEAR(v, expect[i * 2 + j], 0);
                }
        }
    /* sum |a||b| with a negative entry, alpha/beta, bias, relu, padded lda. */
    const float An[8] = {1, -2, 3, 99, 4, 5, -6, 99}; /* lda 4 */
    const float Cm[4] = {10, 20, 30, 40};
    const float bias[2] = {0.5f, -100};
    d.trans_a = d.trans_b = 0;
    d.lda = 4;
    d.alpha = 2.0;
    d.beta = 0.5;
    d.epilogue = ACCEL_EPILOGUE_BIAS;
    double v, s;
    /* row0*B col0 = 1 + 3 = 4 -> 2*4 + 0.5*10 + 0.5 = 13.5; |a||b| = 1 + 3 = 4 */
    accel_ref_gemm_element(&d, An, B, Cm, bias, 0, 0, 0, &v, &s);
    CHECK_NEAR(v, 13.5, 0);
    CHECK_NEAR(s, 4, 0);
    /* row0 col1 = -2 + 3 = 1 -> 2 + 10 - 100 = -88; |a||b| = 2 + 3 = 5 */
    accel_ref_gemm_element(&d, An, B, Cm, bias, 0, 0, 1, &v, &s);
    CHECK_NEAR(v, -88, 0);
    CHECK_NEAR(s, 5, 0);
    d.epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU;
    accel_ref_gemm_element(&d, An, B, Cm, bias, 0, 0, 1, &v, &s);
    CHECK_NEAR(v, 0, 0);
    d.epilogue = ACCEL_EPILOGUE_GELU_ERF;
    d.beta = 0;
    d.alpha = 1;
    /* row1 col0 = 4 - 6 = -2: gelu(-2) = -2 * Phi(-2) = -0.04550026389635842 */
    accel_ref_gemm_element(&d, An, B, NULL, NULL, 0, 1, 0, &v, &s);
    CHECK_NEAR(v, -0.04550026389635842, 1e-15);
    CHECK_NEAR(accel_ref_gelu_tanh(1.0), 0.8411919906082768, 1e-15);
    /* Batched: second batch = first batch scaled by 2, packed strides and one shared bias. */
    float A2[12], B2[12];
    for (int i = 0; i < 6; i++) {
        A2[i] = A[i];
        A2[6 + i] = 2 * A[i];
        B2[i] = B[i];
        B2[6 + i] = B[i];
    }
    memset(&d, 0, sizeof d);
    d.a_type = d.b_type = d.d_type = ACCEL_DTYPE_F32;
    d.m = 2, d.n = 2, d.k = 3, d.batch = 2, d.alpha = 1;
    accel_ref_gemm_element(&d, A2, B2, NULL, NULL, 1, 1, 1, &v, &s);
    CHECK_NEAR(v, 22, 0);
    /* bf16 storage read exactly. */
    uint16_t Ab[6], Bb[6];
    for (int i = 0; i < 6; i++) {
        Ab[i] = accel_ref_f32_to_bf16(A[i]);
        Bb[i] = accel_ref_f32_to_bf16(B[i]);
    }
    d.batch = 1;
    d.a_type = d.b_type = ACCEL_DTYPE_BF16;
    accel_ref_gemm_element(&d, Ab, Bb, NULL, NULL, 0, 1, 1, &v, &s);
    CHECK_NEAR(v, 11, 0);
}

static void test_conv(void) {
    /* 1 image, 1 channel 3x3 input 1..9, 2x2 kernel of ones, 2 output channels (second kernel =
     * 2 * ones), stride 1, no pad: out 2x2 = sums of 2x2 windows: 12 16 24 28. */
    float X[9];
    for (int i = 0; i < 9; i++)
        X[i] = (float)(i + 1);
    float W[8] = {1, 1, 1, 1, 2, 2, 2, 2};
    float bias[2] = {1, -100};
    accel_conv2d_desc d;
    memset(&d, 0, sizeof d);
    d.layout = ACCEL_LAYOUT_NCHW;
    d.x_type = d.w_type = d.y_type = ACCEL_DTYPE_F32;
    d.n = 1, d.c = 1, d.h = 3, d.w = 3, d.k = 2, d.r = 2, d.s = 2;
    d.stride_h = d.stride_w = 1;
    double Y[8];
    accel_ref_conv2d(&d, X, W, NULL, NULL, Y);
    const double e0[8] = {12, 16, 24, 28, 24, 32, 48, 56};
    for (int i = 0; i < 8; i++)
        CHECK_NEAR(Y[i], e0[i], 0);
    /* Same in NHWC (c = 1, so X is identical; Y interleaves k). */
    d.layout = ACCEL_LAYOUT_NHWC;
    accel_ref_conv2d(&d, X, W, NULL, NULL, Y);
    const double e1[8] = {12, 24, 16, 32, 24, 48, 28, 56};
    for (int i = 0; i < 8; i++)
        CHECK_NEAR(Y[i], e1[i], 0);
    /* pad 1, stride 2, bias, residual, relu: output 2x2 windows at (-1,-1), (-1,1), (1,-1), (1,1). */
    d.layout = ACCEL_LAYOUT_NCHW;
    d.pad_h = d.pad_w = 1;
    d.stride_h = d.stride_w = 2;
    d.epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU;
    float res[8] = {0, 0, 0, 100, 0, 0, 0, 0};
    int64_t p, q;
    accel_ref_conv2d_out_hw(&d, &p, &q);
    CHECK(p == 2 && q == 2);
    accel_ref_conv2d(&d, X, W, bias, res, Y);
    /* windows: {1}=1, {2,3}=5, {4,7}=11, {5,6,8,9}=28; k0: +1 (+100 last); k1: 2x - 100 -> relu 0 */
    const double e2[8] = {2, 6, 12, 129, 0, 0, 0, 0};
    for (int i = 0; i < 8; i++)
        CHECK_NEAR(Y[i], e2[i], 0);
    /* Dilation 2 with a 2x2 kernel on 3x3 picks the corners: 1 + 3 + 7 + 9 = 20. */
    memset(&d, 0, sizeof d);
    d.layout = ACCEL_LAYOUT_NCHW;
    d.x_type = d.w_type = d.y_type = ACCEL_DTYPE_F32;
    d.n = 1, d.c = 1, d.h = 3, d.w = 3, d.k = 1, d.r = 2, d.s = 2, d.dil_h = d.dil_w = 2;
    accel_ref_conv2d(&d, X, W, NULL, NULL, Y);
    CHECK_NEAR(Y[0], 20, 0);
    /* Two channels, NCHW vs NHWC on the same logical tensor with KCRS vs KRSC weights agree. */
    float Xn[18], Xh[18], Wk[8], Wr[8];
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 9; i++) {
            Xn[c * 9 + i] = (float)(c * 10 + i);
            Xh[i * 2 + c] = (float)(c * 10 + i);
        }
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 4; i++) {
            Wk[c * 4 + i] = (float)(c + 1) * (float)(i + 1);
            Wr[i * 2 + c] = (float)(c + 1) * (float)(i + 1);
        }
    memset(&d, 0, sizeof d);
    d.x_type = d.w_type = d.y_type = ACCEL_DTYPE_F32;
    d.n = 1, d.c = 2, d.h = 3, d.w = 3, d.k = 1, d.r = 2, d.s = 2;
    double Yn[4], Yh[4];
    d.layout = ACCEL_LAYOUT_NCHW;
    accel_ref_conv2d(&d, Xn, Wk, NULL, NULL, Yn);
    d.layout = ACCEL_LAYOUT_NHWC;
    accel_ref_conv2d(&d, Xh, Wr, NULL, NULL, Yh);
    /* (0,0): c0: 0*1+1*2+3*3+4*4 = 27; c1: 2*(10*1+11*2+13*3+14*4) = 254 -> 281 */
    CHECK_NEAR(Yn[0], 281, 0);
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(Yn[i], Yh[i], 0);
}

static void test_softmax_layernorm(void) {
    /* softmax([0, ln 2, ln 3] ) = [1/6, 2/6, 3/6]; with scale 2 on [0, ln2/2, ln3/2] the same. */
    float X[6] = {0, (float)(0.5 * log(2.0)), (float)(0.5 * log(3.0)), 1, 1, 1};
    double Y[6];
    accel_softmax_desc d = {ACCEL_DTYPE_F32, 2, 3, 2.0, 1};
    accel_ref_softmax(&d, X, NULL, Y);
    CHECK_NEAR(Y[0], 1.0 / 6, 1e-7);
    CHECK_NEAR(Y[1], 2.0 / 6, 1e-7);
    CHECK_NEAR(Y[2], 3.0 / 6, 1e-7);
    CHECK_NEAR(Y[3], 1.0 / 3, 1e-15);
    /* Mask broadcast: one mask row per 2 rows; masking column 2 of the first group. */
    float mask[3] = {0, 0, -1e9f};
    d.rows_per_mask_row = 2;
    accel_ref_softmax(&d, X, mask, Y);
    CHECK_NEAR(Y[0], 1.0 / 3, 1e-7);
    CHECK_NEAR(Y[2], 0, 1e-30);
    CHECK_NEAR(Y[5], 0, 1e-30);
    CHECK_NEAR(Y[3], 0.5, 1e-15);

    /* layernorm of [1 2 3] + residual [1 1 1] = [2 3 4]: mean 3, var 2/3. */
    float L[3] = {1, 2, 3}, R[3] = {1, 1, 1}, g[3] = {1, 2, 1}, b[3] = {0, 0, 10};
    accel_layernorm_desc ln = {ACCEL_DTYPE_F32, 1, 3, 0.0, 1};
    accel_ref_layernorm(&ln, L, R, g, b, Y);
    double s = 1.0 / sqrt(2.0 / 3.0);
    CHECK_NEAR(Y[0], -s, 1e-15);
    CHECK_NEAR(Y[1], 0, 1e-15);
    CHECK_NEAR(Y[2], s + 10, 1e-14);
}

static void test_eltwise_permute_attention(void) {
    float X[4] = {-1, 2, -3, 4}, Z[4] = {1, 1, 2, 2};
    double Y[24];
    accel_eltwise_desc e = {ACCEL_ELTWISE_ADD, ACCEL_DTYPE_F32, 4, 0, 2.0, 3.0};
    accel_ref_eltwise(&e, X, Z, Y);
    CHECK_NEAR(Y[0], 1, 0);
    CHECK_NEAR(Y[3], 14, 0);
    e.kind = ACCEL_ELTWISE_MUL;
    accel_ref_eltwise(&e, X, Z, Y);
    CHECK_NEAR(Y[2], -12, 0);
    e.kind = ACCEL_ELTWISE_RELU;
    accel_ref_eltwise(&e, X, NULL, Y);
    CHECK(Y[0] == 0 && Y[1] == 2);
    e.kind = ACCEL_ELTWISE_SCALE;
    accel_ref_eltwise(&e, X, NULL, Y);
    CHECK_NEAR(Y[1], 4, 0);
    e.kind = ACCEL_ELTWISE_COPY;
    accel_ref_eltwise(&e, X, NULL, Y);
    CHECK_NEAR(Y[2], -3, 0);
    e.kind = ACCEL_ELTWISE_BIAS_ADD;
    e.cols = 2;
    accel_ref_eltwise(&e, X, Z, Y); /* Z[j], j = i % 2: [0, 3, -2, 5] */
    CHECK_NEAR(Y[2], -2, 0);
    CHECK_NEAR(Y[3], 5, 0);
    e.kind = ACCEL_ELTWISE_GELU_ERF;
    accel_ref_eltwise(&e, X, NULL, Y);
    CHECK_NEAR(Y[1], 2 * 0.9772498680518208, 1e-15);
    e.kind = ACCEL_ELTWISE_GELU_TANH;
    accel_ref_eltwise(&e, X, NULL, Y);
    CHECK_NEAR(Y[1], accel_ref_gelu_tanh(2.0), 0);

    /* 2x3 transpose: [[0 1 2][3 4 5]] -> [[0 3][1 4][2 5]] */
    float P[24];
    for (int i = 0; i < 24; i++)
        P[i] = (float)i;
    accel_permute_desc pd;
    memset(&pd, 0, sizeof pd);
    pd.dtype = ACCEL_DTYPE_F32;
    pd.ndims = 2;
    pd.dims[0] = 2, pd.dims[1] = 3;
    pd.perm[0] = 1, pd.perm[1] = 0;
    accel_ref_permute(&pd, P, Y);
    const double et[6] = {0, 3, 1, 4, 2, 5};
    for (int i = 0; i < 6; i++)
        CHECK_NEAR(Y[i], et[i], 0);
    /* BERT's [B,S,3,A,D] -> [3,B,A,S,D] with B=1,S=2,A=2,D=2: X index ((s*3+t)*2+a)*2+d. */
    pd.ndims = 5;
    int64_t dims[5] = {1, 2, 3, 2, 2};
    int perm[5] = {2, 0, 3, 1, 4};
    for (int i = 0; i < 5; i++)
        pd.dims[i] = dims[i], pd.perm[i] = perm[i];
    accel_ref_permute(&pd, P, Y);
    int bad = 0;
    for (int t = 0; t < 3; t++)
        for (int a = 0; a < 2; a++)
            for (int s = 0; s < 2; s++)
                for (int dd = 0; dd < 2; dd++) {
                    int out = ((t * 2 + a) * 2 + s) * 2 + dd;
                    int in = ((s * 3 + t) * 2 + a) * 2 + dd;
                    bad += Y[out] != in;
                }
    CHECK(bad == 0);

    /* Attention, 1 batch, 1 head, seq 2, dim 1: Q = [0, 0] gives uniform weights -> mean of V;
     * with the mask dropping key 1, O = V[0]. */
    float Q[2] = {0, 0}, K[2] = {1, 2}, V[2] = {10, 20};
    accel_attention_desc ad = {ACCEL_DTYPE_F32, ACCEL_COMPUTE_DEFAULT, 1, 1, 2, 1, 1.0, 0};
    accel_ref_attention(&ad, Q, K, V, NULL, Y);
    CHECK_NEAR(Y[0], 15, 1e-12);
    float am[2] = {0, -1e9f};
    accel_ref_attention(&ad, Q, K, V, am, Y);
    CHECK_NEAR(Y[1], 10, 1e-12);
    /* Q = [1]: weights e^1, e^2 over keys 1, 2 -> (10 e + 20 e^2) / (e + e^2). */
    float Q1[2] = {1, 1};
    accel_ref_attention(&ad, Q1, K, V, NULL, Y);
    double e1 = exp(1.0), e2 = exp(2.0);
    CHECK_NEAR(Y[0], (10 * e1 + 20 * e2) / (e1 + e2), 1e-12);
    /* Causal: query 0 sees key 0 only (O = V[0]); query 1 sees both keys, as without the flag. */
    ad.causal = 1;
    accel_ref_attention(&ad, Q1, K, V, NULL, Y);
    CHECK_NEAR(Y[0], 10, 1e-12);
    CHECK_NEAR(Y[1], (10 * e1 + 20 * e2) / (e1 + e2), 1e-12);
}

static void test_random_and_error(void) {
    uint16_t a[1000], b[1000];
    accel_ref_fill_random(ACCEL_DTYPE_BF16, a, 1000, 42, -1.0, 1.0);
    accel_ref_fill_random(ACCEL_DTYPE_BF16, b, 1000, 42, -1.0, 1.0);
    CHECK(memcmp(a, b, sizeof a) == 0);
    accel_ref_fill_random(ACCEL_DTYPE_BF16, b, 1000, 43, -1.0, 1.0);
    CHECK(memcmp(a, b, sizeof a) != 0);
    /* Chunk independence: filling the tail alone gives the same elements is not promised, but the
     * values must lie in range and be exactly representable. */
    int bad = 0;
    double mean = 0;
    for (int i = 0; i < 1000; i++) {
        double v = accel_ref_load(ACCEL_DTYPE_BF16, a, i);
        bad += v < -1.0 || v >= 1.0;
        mean += v;
    }
    CHECK(bad == 0);
    CHECK(fabs(mean / 1000) < 0.1);
    uint16_t h[100];
    accel_ref_fill_random(ACCEL_DTYPE_F16, h, 100, 7, 0.0, 4.0);
    for (int i = 0; i < 100; i++) {
        float v = accel_ref_f16_to_f32(h[i]);
        bad += accel_ref_f32_to_f16(v) != h[i] || v < 0 || v >= 4;
    }
    CHECK(bad == 0);
    float f[3] = {1, 2, 2};
    double ref[3] = {1, 2, 2}; /* ||ref|| = 3 */
    CHECK_NEAR(accel_ref_normwise_rel_err(ACCEL_DTYPE_F32, f, ref, 3), 0, 0);
    f[2] = 2.3f;
    CHECK_NEAR(accel_ref_normwise_rel_err(ACCEL_DTYPE_F32, f, ref, 3), 0.1, 1e-7);
    f[0] = NAN;
    CHECK(isnan(accel_ref_normwise_rel_err(ACCEL_DTYPE_F32, f, ref, 3)));
}

int main(void) {
    test_bf16();
    test_f16();
    test_fp8();
    test_tf32_and_roundoff();
    test_gemm();
    test_conv();
    test_softmax_layernorm();
    test_eltwise_permute_attention();
    test_random_and_error();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("reference: all checks passed\n");
    return 0;
}
