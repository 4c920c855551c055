/* Kernel modules: load, launch with buffer offsets and scalars, and a refused bad module; in every
 * format the device declares that this suite has a kernel for. */
#include <stdlib.h>
#include <string.h>

#include "accel/cpu_kernel.h"
#include "conformance.h"

/* out[i] = a[i] + 2 b[i] for i < n */
static const char vadd_opencl[] =
    "__kernel void conf_vadd(__global const float *a, __global const float *b,\n"
    "                        __global float *out, int n) {\n"
    "    int i = (int)get_global_id(0);\n"
    "    if (i < n) out[i] = a[i] + 2.0f * b[i];\n"
    "}\n";

static const char vadd_gpu_c[] =
    "extern \"C\" __global__ void conf_vadd(const float *a, const float *b, float *out, int n) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) out[i] = a[i] + 2.0f * b[i];\n"
    "}\n";

static void vadd_cpu(const accel_cpu_group *g) {
    const float *a = g->args[0], *b = g->args[1];
    float *out = g->args[2];
    int n = *(const int *)g->args[3];
    for (uint32_t l = 0; l < g->group_size[0]; ++l) {
        int64_t i = (int64_t)g->group_id[0] * g->group_size[0] + l;
        if (i < n) out[i] = a[i] + 2.0f * b[i];
    }
}

static const accel_cpu_kernel_entry cpu_entries[] = {{"conf_vadd", vadd_cpu, 4}};
static const accel_cpu_module_image cpu_image = {ACCEL_CPU_MODULE_MAGIC, 1, cpu_entries};

typedef struct module_source {
    accel_module_format format;
    const void *bytes;
    size_t size;
    const char *bad; /* a module of that format that must be refused */
} module_source;

static int pick_format(const conf_ctx *c, module_source *m) {
    uint32_t f = c->info.module_formats;
    if (f & (1u << ACCEL_MODULE_CPU_TABLE)) {
        static const accel_cpu_module_image bad = {0xbadu, 1, cpu_entries};
        *m = (module_source){ACCEL_MODULE_CPU_TABLE, &cpu_image, sizeof cpu_image, (const char *)&bad};
    } else if (f & (1u << ACCEL_MODULE_OPENCL_C)) {
        *m = (module_source){ACCEL_MODULE_OPENCL_C, vadd_opencl, sizeof vadd_opencl - 1,
                             "__kernel void broken( { syntax error"};
    } else if (f & (1u << ACCEL_MODULE_GPU_C)) {
        *m = (module_source){ACCEL_MODULE_GPU_C, vadd_gpu_c, sizeof vadd_gpu_c - 1,
                             "extern \"C\" __global__ void broken( { syntax error"};
    } else {
        return 0;
    }
    return 1;
}

static conf_result check_kernel_launch(conf_ctx *c) {
    module_source src;
    if (!pick_format(c, &src))
        return conf_skip(c, "the device declares no module format this suite has a kernel in");
    enum { N = 1000, OFF = 1024 }; /* offset in floats: 4096 bytes, aligned for every API */
    accel_module *m = NULL;
    accel_kernel *k = NULL;
    conf_tensor a = {0}, b = {0}, out = {0};
    conf_result r = CONF_PASS;
    accel_status st = accel_module_load(c->dev, src.format, src.bytes, src.size, NULL, &m);
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "module_load");
        goto done;
    }
    st = accel_kernel_get(m, "conf_vadd", &k);
    if (st == ACCEL_OK) st = conf_tensor_random(c, &a, ACCEL_DTYPE_F32, N + OFF, 1, -1, 1);
    if (st == ACCEL_OK) st = conf_tensor_random(c, &b, ACCEL_DTYPE_F32, N, 2, -1, 1);
    if (st == ACCEL_OK) st = conf_tensor_empty(c, &out, ACCEL_DTYPE_F32, N + OFF);
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "kernel setup");
        goto done;
    }
    int n = N;
    accel_kernel_arg args[4] = {accel_arg_buffer(a.buf, OFF * sizeof(float)),
                                accel_arg_buffer(b.buf, 0),
                                accel_arg_buffer(out.buf, OFF * sizeof(float)),
                                accel_arg_scalar(&n, sizeof n)};
    const uint32_t group[3] = {64, 1, 1}, grid[3] = {(N + 63) / 64, 1, 1};
    st = accel_kernel_launch(c->stream, k, grid, group, args, 4, 0);
    if (st == ACCEL_OK) st = conf_tensor_download(c, &out);
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "kernel_launch");
        goto done;
    }
    float *o = (float *)out.host + OFF, *pa = (float *)a.host + OFF, *pb = b.host;
    if (c->corrupt) o[7] += 1.0f;
    for (int i = 0; i < N; ++i)
        if (o[i] != pa[i] + 2.0f * pb[i]) {
            r = conf_fail(c, "out[%d] = %g, wanted %g", i, o[i], pa[i] + 2.0f * pb[i]);
            break;
        }
    /* Too few arguments must be refused (CPU tables know their arity; others may not). */
    if (r == CONF_PASS && src.format == ACCEL_MODULE_CPU_TABLE &&
        accel_kernel_launch(c->stream, k, grid, group, args, 3, 0) == ACCEL_OK)
        r = conf_fail(c, "a launch with 3 of 4 arguments was accepted");
done:
    accel_kernel_release(k);
    accel_module_unload(m);
    conf_tensor_free(&a);
    conf_tensor_free(&b);
    conf_tensor_free(&out);
    return r;
}

static conf_result check_bad_module(conf_ctx *c) {
    module_source src;
    if (!pick_format(c, &src))
        return conf_skip(c, "the device declares no module format this suite has a kernel in");
    accel_module *m = NULL;
    accel_clear_error();
    size_t size = src.format == ACCEL_MODULE_CPU_TABLE ? sizeof cpu_image : strlen(src.bad);
    accel_status st = accel_module_load(c->dev, src.format, src.bad, size, NULL, &m);
    if (st == ACCEL_OK || c->corrupt) {
        accel_module_unload(m);
        return conf_fail(c, "a broken module was accepted");
    }
    if (!accel_last_error()[0]) return conf_fail(c, "a broken module was refused without a message");
    /* An unknown kernel name in a good module. */
    st = accel_module_load(c->dev, src.format, src.bytes, src.size, NULL, &m);
    if (st != ACCEL_OK) return conf_from_status(c, st, "module_load");
    accel_kernel *k = NULL;
    st = accel_kernel_get(m, "no_such_kernel", &k);
    accel_kernel_release(k);
    accel_module_unload(m);
    if (st == ACCEL_OK) return conf_fail(c, "kernel 'no_such_kernel' was found");
    return CONF_PASS;
}

const conf_check conf_kernel_checks[] = {
    {"kernel-launch", check_kernel_launch},
    {"kernel-bad-module", check_bad_module},
    {NULL, NULL},
};
