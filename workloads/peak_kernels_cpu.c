/* CPU_TABLE FMA kernel: long independent FMA chains in registers, with AVX-512 and AVX2 variants
 * chosen at run time so the binary stays portable (no -march=native). */
#include "peak_kernels.h"

#include <math.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define WL_X86 1
#endif

static void fma_generic(float *state, int iters, float a, float b) {
    for (int i = 0; i < iters; i++)
        for (int l = 0; l < WL_PEAK_CPU_STATE; l++)
            state[l] = fmaf(state[l], a, b);
}

#ifdef WL_X86
__attribute__((target("avx512f"))) static void fma_avx512(float *state, int iters, float a, float b) {
    __m512 va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b);
    __m512 x0 = _mm512_loadu_ps(state + 0), x1 = _mm512_loadu_ps(state + 16);
    __m512 x2 = _mm512_loadu_ps(state + 32), x3 = _mm512_loadu_ps(state + 48);
    __m512 x4 = _mm512_loadu_ps(state + 64), x5 = _mm512_loadu_ps(state + 80);
    __m512 x6 = _mm512_loadu_ps(state + 96), x7 = _mm512_loadu_ps(state + 112);
    for (int i = 0; i < iters; i++) {
        x0 = _mm512_fmadd_ps(x0, va, vb);
        x1 = _mm512_fmadd_ps(x1, va, vb);
        x2 = _mm512_fmadd_ps(x2, va, vb);
        x3 = _mm512_fmadd_ps(x3, va, vb);
        x4 = _mm512_fmadd_ps(x4, va, vb);
        x5 = _mm512_fmadd_ps(x5, va, vb);
        x6 = _mm512_fmadd_ps(x6, va, vb);
        x7 = _mm512_fmadd_ps(x7, va, vb);
    }
    _mm512_storeu_ps(state + 0, x0), _mm512_storeu_ps(state + 16, x1);
    _mm512_storeu_ps(state + 32, x2), _mm512_storeu_ps(state + 48, x3);
    _mm512_storeu_ps(state + 64, x4), _mm512_storeu_ps(state + 80, x5);
    _mm512_storeu_ps(state + 96, x6), _mm512_storeu_ps(state + 112, x7);
}

__attribute__((target("avx2,fma"))) static void fma_avx2(float *state, int iters, float a, float b) {
    /* Two passes of eight ymm chains: 16 chains + 2 constants would not fit 16 registers. */
    __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
    for (int half = 0; half < 2; half++) {
        float *s = state + half * 64;
        __m256 x0 = _mm256_loadu_ps(s + 0), x1 = _mm256_loadu_ps(s + 8);
        __m256 x2 = _mm256_loadu_ps(s + 16), x3 = _mm256_loadu_ps(s + 24);
        __m256 x4 = _mm256_loadu_ps(s + 32), x5 = _mm256_loadu_ps(s + 40);
        __m256 x6 = _mm256_loadu_ps(s + 48), x7 = _mm256_loadu_ps(s + 56);
        for (int i = 0; i < iters; i++) {
            x0 = _mm256_fmadd_ps(x0, va, vb);
            x1 = _mm256_fmadd_ps(x1, va, vb);
            x2 = _mm256_fmadd_ps(x2, va, vb);
            x3 = _mm256_fmadd_ps(x3, va, vb);
            x4 = _mm256_fmadd_ps(x4, va, vb);
            x5 = _mm256_fmadd_ps(x5, va, vb);
            x6 = _mm256_fmadd_ps(x6, va, vb);
            x7 = _mm256_fmadd_ps(x7, va, vb);
        }
        _mm256_storeu_ps(s + 0, x0), _mm256_storeu_ps(s + 8, x1);
        _mm256_storeu_ps(s + 16, x2), _mm256_storeu_ps(s + 24, x3);
        _mm256_storeu_ps(s + 32, x4), _mm256_storeu_ps(s + 40, x5);
        _mm256_storeu_ps(s + 48, x6), _mm256_storeu_ps(s + 56, x7);
    }
}
#endif

typedef void (*fma_fn)(float *, int, float, float);

static fma_fn pick_variant(const char **name) {
#ifdef WL_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        *name = "avx512f";
        return fma_avx512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *name = "avx2+fma";
        return fma_avx2;
    }
#endif
    *name = "generic";
    return fma_generic;
}

const char *wl_peak_cpu_variant(void) {
    const char *name;
    (void)pick_variant(&name);
    return name;
}

/* args: [0] float *out (one float per group), [1] int32 iters, [2] float a, [3] float b. */
static void peak_fma_kernel(const accel_cpu_group *g) {
    float *out = g->args[0];
    int iters = *(const int32_t *)g->args[1];
    float a = *(const float *)g->args[2], b = *(const float *)g->args[3];
    float state[WL_PEAK_CPU_STATE];
    for (int l = 0; l < WL_PEAK_CPU_STATE; l++)
        state[l] = (float)l * (1.0f / 256.0f);
    const char *name;
    pick_variant(&name)(state, iters, a, b);
    float sum = 0.0f;
    for (int l = 0; l < WL_PEAK_CPU_STATE; l++)
        sum += state[l];
    out[g->group_id[0]] = sum;
}

static const accel_cpu_kernel_entry peak_entries[] = {
    {WL_PEAK_KERNEL_NAME, peak_fma_kernel, 4},
};

static const accel_cpu_module_image peak_image = {ACCEL_CPU_MODULE_MAGIC, 1, peak_entries};

const accel_cpu_module_image *wl_peak_cpu_module(void) { return &peak_image; }
