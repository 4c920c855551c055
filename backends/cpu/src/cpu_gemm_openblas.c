/* OpenBLAS as a reference row: cblas_sgemm resolved at run time (dlopen), fp32 and no epilogue, so
 * the benchmark can put it beside oneDNN and ours in the same run.
 *
 * Its kernels: a DYNAMIC_ARCH OpenBLAS (Debian's) picks them at load time by CPU model number, and
 * a model newer than the library falls back to its oldest x86-64 kernels: 0.3.21 runs Prescott
 * (SSE3) kernels on an Emerald Rapids Xeon (family 6 model 0xcf), 35-63 GFLOP/s on two cores where
 * its SkylakeX kernels run 200-220. A reference row that slow would overstate every ratio against
 * it, so on an Intel CPU with AVX-512 the plugin names the kernels by ISA before loading it
 * (OPENBLAS_CORETYPE=SkylakeX, whose sgemm Cooper Lake and Sapphire Rapids share), unless the user
 * set the variable or OpenBLAS is already loaded. Wherever OpenBLAS still runs pre-AVX2 kernels on
 * an AVX2 CPU, the plan's algorithm says so. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accel_common/cpu_peak.h"
#include "accel_common/dl.h"
#include "cpu_gemm_desc.h"
#include "cpu_internal.h"

/* CBLAS ABI constants (cblas.h): stable across every CBLAS. */
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };

#define OPENBLAS_REQUIRED(X)                                                                       \
    X(void, cblas_sgemm,                                                                           \
      (int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,       \
       const float *b, int ldb, float beta, float *c, int ldc))
#define OPENBLAS_OPTIONAL(X)                                                                       \
    X(char *, openblas_get_config, (void)) X(int, openblas_get_num_threads, (void))                \
    X(char *, openblas_get_corename, (void))

typedef struct openblas_table {
    OPENBLAS_REQUIRED(ACCEL_DL_FIELD)
    OPENBLAS_OPTIONAL(ACCEL_DL_FIELD)
} openblas_table;

struct cpu_openblas {
    void *lib;
    const char *soname;
    openblas_table fn;
    char kernels[128]; /* "; OPENBLAS_CORETYPE=SkylakeX set by the cpu backend", or a warning, or "" */
};

#define OPENBLAS_SYM(ret, name, params) ACCEL_DL_SYMBOL(openblas_table, ret, name, params)
static const accel_dl_symbol openblas_required[] = {OPENBLAS_REQUIRED(OPENBLAS_SYM)};
static const accel_dl_symbol openblas_optional[] = {OPENBLAS_OPTIONAL(OPENBLAS_SYM)};
static const char *const openblas_names[] = {"libopenblas.so.0", "libopenblas.so", NULL};
static const accel_dl_library openblas_library = {openblas_names, NULL, 0, {0}, ACCEL_DL_TIER(openblas_required),
                                                  ACCEL_DL_TIER(openblas_optional)};

/* The kernels by ISA, before the first load (file comment). ACCEL_CPU_OPENBLAS_CORETYPE marks the
 * choice as ours, for the notes of this process and of the workers it starts (which inherit both). */
static void openblas_name_kernels(const accel_cpu_features *f) {
    if (getenv("OPENBLAS_CORETYPE")) return; /* the user's choice, or ours inherited */
    for (const char *const *n = openblas_names; *n; n++) {
        void *loaded = dlopen(*n, RTLD_LAZY | RTLD_NOLOAD);
        if (loaded) { /* its kernels are chosen already */
            dlclose(loaded);
            return;
        }
    }
    if (f->vendor != ACCEL_CPU_VENDOR_INTEL || !f->avx512f) return;
    if (setenv("OPENBLAS_CORETYPE", "SkylakeX", 0) == 0) setenv("ACCEL_CPU_OPENBLAS_CORETYPE", "SkylakeX", 0);
}

/* OpenBLAS's kernels for CPUs without AVX2 (and its "unknown"): on an AVX2 CPU they waste it. */
static int openblas_core_is_old(const char *core) {
    static const char *const old[] = {"Prescott", "Core2",   "Penryn",    "Dunnington", "Nehalem",  "Atom",
                                      "Katmai",   "Coppermine", "Northwood", "Banias",   "Opteron",
                                      "Barcelona", "Bobcat",  "Sandybridge", "Bulldozer", "Piledriver",
                                      "Steamroller", "Excavator", "unknown", NULL};
    for (const char *const *o = old; *o; o++)
        if (strcasecmp(core, *o) == 0) return 1;
    return 0;
}

accel_status cpu_openblas_open(cpu_context *ctx) {
#ifdef ACCEL_CPU_NO_OPENBLAS
    snprintf(ctx->openblas_reason, sizeof ctx->openblas_reason,
             "built with ACCEL_HIDE_DEPS=openblas: libopenblas is not loaded");
    return ACCEL_ERR_UNAVAILABLE;
#endif
    cpu_openblas *ob = calloc(1, sizeof *ob);
    if (!ob) {
        snprintf(ctx->openblas_reason, sizeof ctx->openblas_reason, "calloc: out of memory");
        return ACCEL_ERR_OUT_OF_MEMORY;
    }
    const accel_dl_log log = {ctx->host, "cpu"};
    accel_dl_handle h;
    const accel_cpu_features cpu = accel_cpu_features_detect();
    openblas_name_kernels(&cpu);
    switch (accel_dl_load(&log, &openblas_library, &ob->fn, &h)) {
    case ACCEL_DL_LOADED: {
        ob->lib = h.lib;
        ob->soname = h.name;
        const char *core = ob->fn.openblas_get_corename ? ob->fn.openblas_get_corename() : NULL;
        const char *env = getenv("OPENBLAS_CORETYPE"), *ours = getenv("ACCEL_CPU_OPENBLAS_CORETYPE");
        if (core && openblas_core_is_old(core) && cpu.avx2)
            snprintf(ob->kernels, sizeof ob->kernels, "; pre-AVX2 kernels on an AVX2 CPU: set OPENBLAS_CORETYPE");
        else if (env)
            snprintf(ob->kernels, sizeof ob->kernels, "; OPENBLAS_CORETYPE=%.24s%s", env,
                     ours && strcmp(ours, env) == 0 ? " set by the cpu backend" : "");
        ctx->openblas = ob;
        return ACCEL_OK;
    }
    case ACCEL_DL_NOT_FOUND:
        snprintf(ctx->openblas_reason, sizeof ctx->openblas_reason, "%.200s (install libopenblas0)", h.why);
        break;
    default:
        snprintf(ctx->openblas_reason, sizeof ctx->openblas_reason, "%s: no symbol %s", h.name, h.missing);
        break;
    }
    free(ob);
    return ACCEL_ERR_UNAVAILABLE;
}

void cpu_openblas_close(cpu_context *ctx) {
    if (!ctx->openblas) return;
    accel_dl_close(ctx->openblas->lib);
    free(ctx->openblas);
    ctx->openblas = NULL;
}

typedef struct gemm_openblas_plan {
    cpu_plan base;
    accel_gemm_desc d;
    cpu_gemm_dims r;
} gemm_openblas_plan;

static accel_status gemm_openblas_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    (void)ws;
    gemm_openblas_plan *p = (gemm_openblas_plan *)plan;
    const accel_gemm_desc *d = &p->d;
    const cpu_gemm_dims *r = &p->r;
    const float *A = cpu_ref_ptr(ops[0]), *B = cpu_ref_ptr(ops[1]), *C = cpu_ref_ptr(ops[2]);
    float *D = cpu_ref_ptr(ops[3]);
    for (int64_t bi = 0; bi < d->batch; bi++) {
        float *Db = D + bi * r->stride_d;
        /* CBLAS updates C in place: bring C into D first unless they are the same memory. */
        if (d->beta != 0.0) {
            const float *Cb = C + bi * r->stride_c;
            if (Cb != Db)
                for (int64_t i = 0; i < d->m; i++)
                    memmove(Db + i * r->ldd, Cb + i * r->ldc, (size_t)d->n * sizeof(float));
        }
        p->base.ctx->openblas->fn.cblas_sgemm(
            CBLAS_ROW_MAJOR, d->trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS,
            d->trans_b ? CBLAS_TRANS : CBLAS_NO_TRANS, (int)d->m, (int)d->n, (int)d->k,
            (float)d->alpha, A + bi * r->stride_a, (int)r->lda, B + bi * r->stride_b, (int)r->ldb,
            (float)d->beta, Db, (int)r->ldd);
    }
    return ACCEL_OK;
}

static void gemm_openblas_destroy(cpu_plan *plan) { free(plan); }

accel_status cpu_gemm_plan_openblas(cpu_context *ctx, const accel_gemm_desc *d, cpu_plan **out,
                                    accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    cpu_gemm_dims r = cpu_gemm_dims_resolve(d);
    if (d->a_type != ACCEL_DTYPE_F32 || d->b_type != ACCEL_DTYPE_F32 ||
        d->d_type != ACCEL_DTYPE_F32 || (d->beta != 0.0 && d->c_type != ACCEL_DTYPE_F32) ||
        r.compute != ACCEL_COMPUTE_F32)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/openblas gemm: fp32 storage and compute only (cblas_sgemm)");
    if (d->epilogue != ACCEL_EPILOGUE_NONE)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/openblas gemm: no epilogue (cblas_sgemm has none)");
    const int64_t lim = 2147483647;
    if (d->m > lim || d->n > lim || d->k > lim || r.lda > lim || r.ldb > lim || r.ldd > lim)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/openblas gemm: dimensions beyond 32-bit CBLAS int");
    gemm_openblas_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    if (p->d.batch < 1) p->d.batch = 1;
    p->r = r;
    p->base.execute = gemm_openblas_execute;
    p->base.destroy = gemm_openblas_destroy;
    snprintf(info->library, sizeof info->library, "openblas");
    const char *config = ctx->openblas->fn.openblas_get_config ? ctx->openblas->fn.openblas_get_config()
                                                            : "";
    int threads = ctx->openblas->fn.openblas_get_num_threads
                      ? ctx->openblas->fn.openblas_get_num_threads()
                      : 0;
    snprintf(info->algorithm, sizeof info->algorithm, "cblas_sgemm %s %s, %d threads%s",
             ctx->openblas->soname, config ? config : "", threads, ctx->openblas->kernels);
    *out = &p->base;
    return ACCEL_OK;
}
