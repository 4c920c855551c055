/* The "accel" GEMM engine. Loop nest (per batch entry):
 *   for jc (panels of up to all of N, B panel <= 64 MiB): pack B[:, panel], all of K, shared
 *     parallel for (MC row block, <= NC column part): for pc (KC): pack A block  (L2)
 *        for jr: for ir: micro-kernel into the thread's fp32 tile (B micro-panel in L1)
 *        epilogue: tile -> D with alpha, beta*C, bias, activation, dtype conversion
 * One wide B panel means one barrier per batch entry instead of two per NC columns: on a loaded or
 * many-core host each barrier waits for the slowest thread. Accumulating in a private fp32 tile
 * keeps bf16/f16 outputs exact until the final rounding. */
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu_activation.h"
#include "cpu_dtype.h"
#include "cpu_gemm_core.h"
#include "cpu_gemm_kernels.h"

enum { GEMM_MC = 96, GEMM_KC = 128, GEMM_NC = 384 };

static int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Largest packed B panel: beyond it, N is walked in panels of GEMM_PANEL_MIN columns. */
#define GEMM_PANEL_BYTES ((int64_t)64 << 20)
#define GEMM_PANEL_MIN (8 * GEMM_NC)

typedef struct gemm_layout {
    int64_t nc_r, mc_r; /* padded tile sizes */
    int64_t panel_n;    /* columns of B packed at once (a multiple of GEMM_NC, or all of N) */
    size_t bpack_floats, apack_floats, tile_floats;
} gemm_layout;

static gemm_layout layout_for(const cpu_gemm_problem *p, cpu_gemm_kernel kern) {
    gemm_layout l;
    l.panel_n = round_up(p->n, kern.nr) * p->k * 4 <= GEMM_PANEL_BYTES ? p->n : GEMM_PANEL_MIN;
    if (l.panel_n > p->n) l.panel_n = p->n;
    l.nc_r = round_up(min64(p->n, GEMM_NC), kern.nr);
    l.mc_r = round_up(min64(p->m, GEMM_MC), kern.mr);
    l.bpack_floats = (size_t)round_up(round_up(l.panel_n, kern.nr) * (p->k + 1), 16);
    l.apack_floats = (size_t)round_up(l.mc_r * min64(p->k, GEMM_KC), 16);
    l.tile_floats = (size_t)round_up(l.mc_r * l.nc_r, 16);
    return l;
}

/* bf16 x bf16 products are exact in fp32, so the dot-product kernel computes what the fp32 kernel
 * would on the widened values (accumulation order aside). */
static cpu_gemm_kernel kernel_for(const cpu_gemm_problem *p) {
    return cpu_gemm_kernel_select(p->a_type == ACCEL_DTYPE_BF16 && p->b_type == ACCEL_DTYPE_BF16);
}

const char *cpu_gemm_kernel_name(const cpu_gemm_problem *p) { return kernel_for(p).name; }

size_t cpu_gemm_workspace_bytes(const cpu_gemm_problem *p, int threads) {
    /* sized for fp32 panels; bf16 pair panels take at most as many bytes */
    gemm_layout l = layout_for(p, kernel_for(p));
    return (l.bpack_floats + (size_t)threads * (l.apack_floats + l.tile_floats)) * sizeof(float) +
           64;
}

static void pack_b_strip(const cpu_gemm_problem *p, const void *B, int64_t j0, int64_t jend,
                         int nr, float *dst) {
    const int64_t k = p->k;
    int64_t width = min64(nr, jend - j0);
    if (p->b_type == ACCEL_DTYPE_F32 && p->b_cs == 1) {
        const float *b = (const float *)B + j0;
        for (int64_t q = 0; q < k; q++) {
            memcpy(dst + q * nr, b + q * p->b_rs, (size_t)width * sizeof(float));
            for (int64_t jj = width; jj < nr; jj++) dst[q * nr + jj] = 0.0f;
        }
        return;
    }
    for (int64_t jj = 0; jj < nr; jj++) {
        if (jj >= width) {
            for (int64_t q = 0; q < k; q++) dst[q * nr + jj] = 0.0f;
            continue;
        }
        int64_t base = (j0 + jj) * p->b_cs;
        for (int64_t q = 0; q < k; q++) dst[q * nr + jj] = cpu_load(p->b_type, B, base + q * p->b_rs);
    }
}

static void pack_a_block(const cpu_gemm_problem *p, const void *A, int64_t i0, int64_t iend,
                         int64_t p0, int64_t kc, int mr, float *dst) {
    for (int64_t r0 = i0; r0 < iend; r0 += mr) {
        float *d = dst + (r0 - i0) * kc;
        int64_t rows = min64(mr, iend - r0);
        if (p->a_type == ACCEL_DTYPE_F32 && p->a_cs == 1 && rows == mr && mr <= 16) {
            /* rows are contiguous in k: walk k outside so each store is a full mr-float run */
            const float *row[16];
            for (int ii = 0; ii < mr; ii++) row[ii] = (const float *)A + (r0 + ii) * p->a_rs + p0;
            for (int64_t q = 0; q < kc; q++)
                for (int ii = 0; ii < mr; ii++) d[q * mr + ii] = row[ii][q];
            continue;
        }
        for (int64_t ii = 0; ii < mr; ii++) {
            if (ii >= rows) {
                for (int64_t q = 0; q < kc; q++) d[q * mr + ii] = 0.0f;
                continue;
            }
            int64_t base = (r0 + ii) * p->a_rs + p0 * p->a_cs;
            if (p->a_type == ACCEL_DTYPE_F32) {
                const float *a = (const float *)A + base;
                for (int64_t q = 0; q < kc; q++) d[q * mr + ii] = a[q * p->a_cs];
            } else {
                for (int64_t q = 0; q < kc; q++)
                    d[q * mr + ii] = cpu_load(p->a_type, A, base + q * p->a_cs);
            }
        }
    }
}

/* bf16 pair panels: B(q, j) at ((q / 2) * nr + j) * 2 + q % 2, the odd tail of k zero-padded. */
static void pack_b_strip_pairs(const cpu_gemm_problem *p, const void *B, int64_t j0, int64_t jend,
                               int nr, uint16_t *dst) {
    const int64_t k = p->k, k2 = round_up(k, 2);
    const uint16_t *b = B;
    const int64_t width = min64(nr, jend - j0);
    for (int64_t q = 0; q < k2; q++) {
        uint16_t *d = dst + (q / 2) * nr * 2 + (q % 2);
        for (int64_t jj = 0; jj < nr; jj++)
            d[jj * 2] = (q < k && jj < width) ? b[q * p->b_rs + (j0 + jj) * p->b_cs] : 0;
    }
}

static void pack_a_block_pairs(const cpu_gemm_problem *p, const void *A, int64_t i0, int64_t iend,
                               int64_t p0, int64_t kc, int mr, uint16_t *dst) {
    const uint16_t *a = A;
    const int64_t kc2 = round_up(kc, 2);
    for (int64_t r0 = i0; r0 < iend; r0 += mr) {
        uint16_t *d = dst + (r0 - i0) * kc2;
        const int64_t rows = min64(mr, iend - r0);
        for (int64_t ii = 0; ii < mr; ii++) {
            const int64_t base = (r0 + ii) * p->a_rs + p0 * p->a_cs;
            for (int64_t q = 0; q < kc2; q++)
                d[(q / 2) * mr * 2 + ii * 2 + (q % 2)] =
                    (ii < rows && q < kc) ? a[base + q * p->a_cs] : 0;
        }
    }
}

static void epilogue(const cpu_gemm_problem *p, const float *tile, int64_t ldt, int64_t i0,
                     int64_t mc, int64_t j0, int64_t nc, const void *C, const void *bias, void *D) {
    const int has_bias = (p->epilogue & ACCEL_EPILOGUE_BIAS) != 0;
    const int has_c = p->beta != 0.0f;
    /* fp32, unit column strides, bias by column: the common case, in loops that vectorise */
    if (p->d_type == ACCEL_DTYPE_F32 && p->d_cs == 1 && (!has_c || (p->c_type == ACCEL_DTYPE_F32 && p->c_cs == 1)) &&
        (!has_bias || (p->bias_type == ACCEL_DTYPE_F32 && !p->bias_per_row))) {
        const float *bv = has_bias ? (const float *)bias + j0 : NULL;
        for (int64_t i = 0; i < mc; i++) {
            const float *t = tile + i * ldt;
            float *d = (float *)D + (i0 + i) * p->d_rs + j0;
            const float *c = has_c ? (const float *)C + (i0 + i) * p->c_rs + j0 : NULL;
            for (int64_t j = 0; j < nc; j++) {
                float v = p->alpha * t[j];
                if (has_c) v += p->beta * c[j];
                if (has_bias) v += bv[j];
                d[j] = v;
            }
            if (p->epilogue & ACCEL_EPILOGUE_RELU)
                for (int64_t j = 0; j < nc; j++) d[j] = cpu_relu(d[j]);
            else if (p->epilogue & (ACCEL_EPILOGUE_GELU_ERF | ACCEL_EPILOGUE_GELU_TANH))
                for (int64_t j = 0; j < nc; j++) d[j] = cpu_apply_activation(p->epilogue, d[j]);
        }
        return;
    }
    for (int64_t i = 0; i < mc; i++) {
        const float *t = tile + i * ldt;
        int64_t gi = i0 + i;
        for (int64_t j = 0; j < nc; j++) {
            int64_t gj = j0 + j;
            float v = p->alpha * t[j];
            if (has_c) v += p->beta * cpu_load(p->c_type, C, gi * p->c_rs + gj * p->c_cs);
            if (has_bias) v += cpu_load(p->bias_type, bias, p->bias_per_row ? gi : gj);
            v = cpu_apply_activation(p->epilogue, v);
            cpu_store(p->d_type, D, gi * p->d_rs + gj * p->d_cs, v);
        }
    }
}

static const void *offset_elems(const void *base, accel_dtype t, int64_t elems) {
    return base ? (const char *)base + elems * (int64_t)accel_dtype_bytes(t) : NULL;
}

void cpu_gemm_run(const cpu_gemm_problem *p, const void *A, const void *B, const void *C,
                  const void *bias, void *D, void *workspace, int threads) {
    const cpu_gemm_kernel kern = kernel_for(p);
    const gemm_layout l = layout_for(p, kern);
    /* panel element size and k stride: fp32, or bf16 pairs with k rounded up to even */
    const int64_t esize = kern.bf16_pairs ? 2 : 4;
    const int64_t kstride = kern.bf16_pairs ? round_up(p->k, 2) : p->k;
    float *ws = (float *)(((uintptr_t)workspace + 63) & ~(uintptr_t)63);
    float *bpack = ws;
    float *thread_area = ws + l.bpack_floats;

    /* When every batch entry shares B (b_bs == 0: conv weights), B is packed once and the items of
     * all entries run in one parallel loop; otherwise each entry packs its own B. */
    const int shared_b = p->b_bs == 0;
    const int64_t outer = shared_b ? 1 : p->batch, inner = shared_b ? p->batch : 1;
    for (int64_t ob = 0; ob < outer; ob++) {
        const void *Bb = offset_elems(B, p->b_type, ob * p->b_bs);

        for (int64_t jc = 0; jc < p->n; jc += l.panel_n) {
            const int64_t nc = min64(l.panel_n, p->n - jc);
            const int64_t strips = (nc + kern.nr - 1) / kern.nr;
            /* Work items are (row block, column part of at most NC): with few row blocks the parts
             * get narrower until each thread has ~2 items, or a part is one strip. */
            const int64_t mblocks = (p->m + GEMM_MC - 1) / GEMM_MC;
            const int64_t strips_per_nc = GEMM_NC / kern.nr;
            int64_t parts = (strips + strips_per_nc - 1) / strips_per_nc;
            if (inner * mblocks * parts < 2 * (int64_t)threads) {
                parts = (2 * (int64_t)threads + inner * mblocks - 1) / (inner * mblocks);
                if (parts > strips) parts = strips;
            }
#pragma omp parallel num_threads(threads)
            {
#pragma omp for schedule(static)
                for (int64_t s = 0; s < strips; s++) {
                    char *dst = (char *)bpack + s * kern.nr * kstride * esize;
                    if (kern.bf16_pairs)
                        pack_b_strip_pairs(p, Bb, jc + s * kern.nr, jc + nc, kern.nr, (uint16_t *)dst);
                    else
                        pack_b_strip(p, Bb, jc + s * kern.nr, jc + nc, kern.nr, (float *)dst);
                }
                int tid = 0;
#ifdef _OPENMP
                tid = omp_get_thread_num();
#endif
                float *apack = thread_area + (size_t)tid * (l.apack_floats + l.tile_floats);
                float *tile = apack + l.apack_floats;
#pragma omp for schedule(dynamic, 1)
                for (int64_t item = 0; item < inner * mblocks * parts; item++) {
                    const int64_t bi = shared_b ? item / (mblocks * parts) : ob;
                    const int64_t mb = (item / parts) % mblocks, part = item % parts;
                    const int64_t s0 = part * strips / parts, s1 = (part + 1) * strips / parts;
                    const void *Ab = offset_elems(A, p->a_type, bi * p->a_bs);
                    const void *Cb = offset_elems(C, p->c_type, bi * p->c_bs);
                    const void *biasb = offset_elems(bias, p->bias_type, bi * p->bias_bs);
                    void *Db = (char *)D + bi * p->d_bs * (int64_t)accel_dtype_bytes(p->d_type);
                    const int64_t ic = mb * GEMM_MC, mc = min64(GEMM_MC, p->m - ic);
                    for (int64_t pc = 0; pc < p->k; pc += GEMM_KC) {
                        const int64_t kc = min64(GEMM_KC, p->k - pc);
                        const int64_t kcs = kern.bf16_pairs ? round_up(kc, 2) : kc;
                        if (kern.bf16_pairs)
                            pack_a_block_pairs(p, Ab, ic, ic + mc, pc, kc, kern.mr, (uint16_t *)apack);
                        else
                            pack_a_block(p, Ab, ic, ic + mc, pc, kc, kern.mr, apack);
                        for (int64_t s = s0; s < s1; s++) {
                            /* pc is even (KC is), so the pair layout's offset is pc * nr too */
                            const char *bp = (const char *)bpack +
                                             (s * kern.nr * kstride + pc * kern.nr) * esize;
                            for (int64_t r = 0; r < mc; r += kern.mr)
                                kern.fn(kcs, (const char *)apack + r * kcs * esize, bp,
                                        tile + r * l.nc_r + (s - s0) * kern.nr, l.nc_r, pc > 0);
                        }
                    }
                    const int64_t j0 = s0 * kern.nr, j1 = min64(s1 * kern.nr, nc);
                    epilogue(p, tile, l.nc_r, ic, mc, jc + j0, j1 - j0, Cb, biasb, Db);
                }
            }
        }
    }
}
