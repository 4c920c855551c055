/* peak: "fma" runs long independent FMA chains through a kernel in a module format the device
 * declares; "matrix" runs the GEMM op at the device's best size through each op library. Their rows
 * are the measured roofs other rows' pct_peak refers to (setup_info.roof). */
#include "peak.h"
#include "gemm.h"
#include "peak_kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATRIX_DTYPES ((1u << AWL_FP32) | (1u << AWL_TF32) | (1u << AWL_FP16) | (1u << AWL_BF16) | (1u << AWL_FP8))
#define CPU_ITERS (1 << 20)
/* Several groups per reported core: the backend may run more threads than compute_units (its
 * cpuset seen at init can be narrower than its thread pool), and groups are spread over threads. */
#define CPU_GROUPS_PER_UNIT 8
#define GPU_ITERS 8192
#define GPU_GROUP 256
#define GPU_GROUPS_PER_UNIT 16

typedef enum { PEAK_FMA, PEAK_MATRIX } peak_kind;

typedef struct peak_config {
    awl_config cfg;
    peak_kind kind;
} peak_config;

static const peak_config peak_configs[] = {
    {{"fma", "vector FMA chains in registers (a kernel per module format)", 0, 0, 0, 0, 1u << AWL_FP32, 1, 1},
     PEAK_FMA},
    {{"matrix", "GEMM op at the device's best size (8192 GPU, 2048 CPU or 1024 up to 8 cores, 4096 other)", 0, 0, 0, 0,
      MATRIX_DTYPES, 1, 1},
     PEAK_MATRIX},
};

typedef struct fma_state {
    accel_device *dev;
    wl_buffers bufs;
    accel_buffer *out;
    accel_module *module;
    accel_kernel *kernel;
    uint32_t grid[3], group[3];
    int32_t iters;
    float a, b;
    int64_t outputs;
    float expected;
} fma_state;

typedef struct peak_state {
    peak_kind kind;
    void *inner; /* fma_state or the gemm runner's state */
} peak_state;

static size_t peak_config_count(void) { return WL_ARRAY_LEN(peak_configs); }
static const awl_config *peak_config_at(size_t i) {
    return i < WL_ARRAY_LEN(peak_configs) ? &peak_configs[i].cfg : NULL;
}

static size_t peak_libraries(accel_device *dev, const awl_config *cfg, const char **names, size_t max) {
    if (((const peak_config *)cfg)->kind == PEAK_MATRIX)
        return wl_device_libraries(dev, names, max);
    return wl_default_library(dev, cfg, names, max);
}

int64_t wl_peak_matrix_size(const accel_device_info *info) {
    switch (info->type) {
    case ACCEL_DEVICE_GPU: return 8192;
    /* 4096^3 takes seconds per run on a small host; on a few cores 1024^3 already runs at the
     * library's full rate (tens of ms per run), which keeps `suite --quick` inside its budget. */
    case ACCEL_DEVICE_CPU: return info->compute_units <= 8 ? 1024 : 2048;
    default: return 4096;
    }
}

static void fma_teardown(fma_state *st) {
    if (!st)
        return;
    if (st->dev)
        accel_device_synchronize(st->dev);
    accel_kernel_release(st->kernel);
    accel_module_unload(st->module);
    wl_free_all(&st->bufs);
    free(st);
}

static accel_status fma_setup(accel_device *dev, const accel_device_info *dinfo, fma_state **out,
                              awl_setup_info *info) {
    fma_state *st = calloc(1, sizeof *st);
    if (!st)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "peak state");
    st->dev = dev;
    st->a = WL_PEAK_A;
    st->b = WL_PEAK_B;
    uint32_t formats = dinfo->module_formats;
    int units = dinfo->compute_units > 0 ? dinfo->compute_units : 1;
    accel_status s;
    const char *variant;
    double lanes_per_item;
    if (formats & (1u << ACCEL_MODULE_CPU_TABLE)) {
        const accel_cpu_module_image *img = wl_peak_cpu_module();
        s = accel_module_load(dev, ACCEL_MODULE_CPU_TABLE, img, sizeof *img, NULL, &st->module);
        st->grid[0] = (uint32_t)(units * CPU_GROUPS_PER_UNIT);
        st->group[0] = 1;
        st->iters = CPU_ITERS;
        lanes_per_item = WL_PEAK_CPU_STATE;
        variant = wl_peak_cpu_variant();
    } else if (formats & ((1u << ACCEL_MODULE_GPU_C) | (1u << ACCEL_MODULE_OPENCL_C))) {
        int gpu_c = (formats & (1u << ACCEL_MODULE_GPU_C)) != 0;
        const char *src = gpu_c ? wl_peak_gpu_c_sources[0].text : wl_peak_opencl_source;
        s = accel_module_load(dev, gpu_c ? ACCEL_MODULE_GPU_C : ACCEL_MODULE_OPENCL_C, src, strlen(src),
                              NULL, &st->module);
        st->grid[0] = (uint32_t)(units * GPU_GROUPS_PER_UNIT);
        st->group[0] = GPU_GROUP;
        st->iters = GPU_ITERS;
        lanes_per_item = WL_PEAK_GPU_CHAINS;
        variant = gpu_c ? "gpu_c" : "opencl_c";
    } else {
        free(st);
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED,
                       "peak fma: the device declares no module format we ship a kernel for "
                       "(we have CPU_TABLE, GPU_C and OpenCL C; device formats mask 0x%x)", formats);
    }
    st->grid[1] = st->grid[2] = st->group[1] = st->group[2] = 1;
    if (s != ACCEL_OK) {
        s = wl_fail_hal(s, "peak fma: loading the kernel module");
        goto fail;
    }
    if ((s = accel_kernel_get(st->module, WL_PEAK_KERNEL_NAME, &st->kernel)) != ACCEL_OK) {
        s = wl_fail_hal(s, "peak fma: kernel lookup");
        goto fail;
    }
    st->outputs = (int64_t)st->grid[0] * (st->group[0] > 1 ? st->group[0] : 1);
    st->expected = (float)(lanes_per_item * 0.5); /* every chain ends at the fixed point 0.5 */
    if ((s = wl_alloc(&st->bufs, dev, (size_t)st->outputs * sizeof(float), ACCEL_MEMORY_DEVICE, &st->out)) != ACCEL_OK)
        goto fail;
    info->flop = 2.0 * lanes_per_item * (double)st->iters * (double)st->outputs;
    info->bytes = 0;
    info->items = 1;
    info->item = "kernel";
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->compute_type, sizeof info->compute_type, "f32");
    snprintf(info->notes, sizeof info->notes, "kernel %s, %u groups x %u, %d iterations, %.0f chains-lanes each",
             variant, st->grid[0], st->group[0], st->iters, lanes_per_item);
    snprintf(info->roof, sizeof info->roof, "fma-fp32");
    info->device_bytes = st->bufs.bytes;
    *out = st;
    return ACCEL_OK;
fail:
    fma_teardown(st);
    return s;
}

static void peak_teardown(void *state) {
    peak_state *st = state;
    if (!st)
        return;
    if (st->kind == PEAK_FMA)
        fma_teardown(st->inner);
    else
        wl_gemm_teardown(st->inner);
    free(st);
}

static accel_status peak_setup(accel_device *dev, accel_stream *stream, const awl_config *cfg,
                               awl_dtype dtype, const awl_options *opt, void **state,
                               awl_setup_info *info) {
    *state = NULL;
    wl_clear_error();
    const peak_config *c = (const peak_config *)cfg;
    if (!(cfg->dtypes & (1u << dtype)))
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "peak %s is not defined for %s", cfg->id, awl_dtype_name(dtype));
    accel_device_info dinfo;
    accel_status s = wl_device_info(dev, &dinfo);
    if (s != ACCEL_OK)
        return s;
    peak_state *st = calloc(1, sizeof *st);
    if (!st)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "peak state");
    st->kind = c->kind;
    if (c->kind == PEAK_FMA) {
        fma_state *f = NULL;
        s = fma_setup(dev, &dinfo, &f, info);
        st->inner = f;
    } else {
        int64_t n = wl_peak_matrix_size(&dinfo);
        wl_gemm_shape shape = {n, n, n, 1, 0, 0, 0};
        s = wl_gemm_setup_shape(dev, stream, &shape, dtype, opt, &st->inner, info);
        if (s == ACCEL_OK) {
            char notes[sizeof info->notes];
            snprintf(notes, sizeof notes, "%s", info->notes);
            snprintf(info->notes, sizeof info->notes, "gemm %lldx%lldx%lld", (long long)n, (long long)n,
                     (long long)n);
            if (notes[0])
                wl_appendf(info->notes, sizeof info->notes, "; %s", notes);
        }
    }
    if (s != ACCEL_OK) {
        snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
        free(st);
        return s;
    }
    *state = st;
    return ACCEL_OK;
}

static accel_status peak_run(void *state, accel_stream *stream) {
    peak_state *st = state;
    if (st->kind == PEAK_MATRIX)
        return wl_gemm_run(st->inner, stream);
    fma_state *f = st->inner;
    accel_kernel_arg args[4] = {accel_arg_buffer(f->out, 0), accel_arg_scalar(&f->iters, sizeof f->iters),
                                accel_arg_scalar(&f->a, sizeof f->a), accel_arg_scalar(&f->b, sizeof f->b)};
    accel_status s = accel_kernel_launch(stream, f->kernel, f->grid, f->group, args, 4, 0);
    return s == ACCEL_OK ? ACCEL_OK : wl_fail_hal(s, "peak fma launch");
}

static accel_status peak_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    peak_state *st = state;
    if (st->kind == PEAK_MATRIX)
        return wl_gemm_verify(st->inner, stream, out);
    fma_state *f = st->inner;
    memset(out, 0, sizeof *out);
    float *got = NULL;
    accel_status s = wl_download(stream, f->out, 0, (size_t)f->outputs * sizeof(float), (void **)&got);
    if (s != ACCEL_OK)
        return s;
    out->checked = 1;
    out->passed = 1;
    for (int64_t i = 0; i < f->outputs; i++) {
        double rel = (got[i] - f->expected) / f->expected;
        rel = rel < 0 ? -rel : rel;
        if (!(rel <= 0.0)) {
            if (out->passed)
                snprintf(out->detail, sizeof out->detail, "fma output %lld = %.9g, expected %.9g",
                         (long long)i, (double)got[i], (double)f->expected);
            out->passed = 0;
            out->max_rel_err = rel > out->max_rel_err || rel != rel ? rel : out->max_rel_err;
        }
    }
    free(got);
    return ACCEL_OK;
}

static accel_status peak_corrupt(void *state, accel_stream *stream) {
    peak_state *st = state;
    if (st->kind == PEAK_MATRIX)
        return wl_gemm_corrupt(st->inner, stream);
    fma_state *f = st->inner;
    return wl_corrupt_element(stream, f->out, 0, ACCEL_DTYPE_F32, 0);
}

const awl_workload awl_peak_workload = {
    "peak",
    "measured roofs: vector FMA chains (fma) and the matrix engine through the GEMM op (matrix)",
    peak_config_count,
    peak_config_at,
    peak_libraries,
    peak_setup,
    peak_run,
    peak_verify,
    peak_teardown,
    peak_corrupt,
    NULL,
    NULL,
};
