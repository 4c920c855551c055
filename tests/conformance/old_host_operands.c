/* A plugin under a host from before the GEMM scale operands (plugin.h: such hosts pass 5 operands
 * for GEMM, and a plugin reads operands[5] and [6] only when noperands > 6). This test is that old
 * host: it loads the plugin itself, plans an f32 GEMM with bias and C, and executes it with an
 * operand array of exactly 5 entries that ends where an inaccessible page begins, so a plugin that
 * reads one slot too far crashes here instead of reading garbage. The result is checked against
 * the fp64 reference, unless --launch-only (a mock that runs no kernels). Usage:
 * old_host_operands <plugin.so> [--launch-only]; 77 when the plugin has no device here. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel/plugin.h"
#include "accel/reference.h"

enum { M = 19, N = 23, K = 29, OLD_GEMM_OPERANDS = 5 };

static void host_log(int level, const char *backend, const char *message) {
    (void)level;
    fprintf(stderr, "[%s] %s\n", backend, message);
}

static char last_error[512];
static accel_status host_set_error(accel_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

static int fail(const char *what, accel_status st) {
    fprintf(stderr, "old_host_operands: %s: status %d: %s\n", what, (int)st, last_error);
    return 1;
}

/* Room for `count` operand slots placed so that the slot after the last is the first byte of a
 * PROT_NONE page. */
static accel_plugin_ref *guarded_slots(size_t count) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p + page, page, PROT_NONE) != 0) return NULL;
    return (accel_plugin_ref *)(p + page - count * sizeof(accel_plugin_ref));
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: old_host_operands <plugin.so> [--launch-only]\n");
        return 2;
    }
    void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!so) {
        fprintf(stderr, "old_host_operands: %s\n", dlerror());
        return 1;
    }
    accel_plugin_query_fn query;
    *(void **)&query = dlsym(so, "accel_plugin_query_v1");
    /* The host as a 1.0 one was: the plugin sees minor 0. */
    const accel_host_services host = {ACCEL_PLUGIN_ABI_MAJOR, 0, sizeof host, 0, host_log, host_set_error};
    const accel_backend_ops *ops = query ? query(ACCEL_PLUGIN_ABI_MAJOR, &host) : NULL;
    if (!ops) {
        fprintf(stderr, "old_host_operands: %s: no accel_plugin_query_v1 answer\n", argv[1]);
        return 1;
    }
    void *ctx = NULL, *dev = NULL, *stream = NULL;
    int count = 0;
    char reason[256] = "";
    accel_status st = ops->init(&host, &ctx, &count, reason, sizeof reason);
    const int check_numbers = !(argc > 2 && strcmp(argv[2], "--launch-only") == 0);
    if (st != ACCEL_OK || count < 1) {
        printf("SKIP: %s has no device here (%s)\n", ops->name, reason);
        if (st == ACCEL_OK) ops->shutdown(ctx);
        return 77;
    }
    if ((st = ops->device_open(ctx, 0, &dev)) != ACCEL_OK) return fail("device_open", st);
    if ((st = ops->stream_create(dev, &stream)) != ACCEL_OK) return fail("stream_create", st);

    /* D = 0.5 A B + 0.25 C + bias: every one of the 5 slots in use. */
    const size_t sizes[OLD_GEMM_OPERANDS] = {M * K, K * N, M * N, M * N, N};
    float *host_data[OLD_GEMM_OPERANDS];
    void *bufs[OLD_GEMM_OPERANDS];
    for (int i = 0; i < OLD_GEMM_OPERANDS; ++i) {
        host_data[i] = calloc(sizes[i], sizeof(float));
        void *host_ptr = NULL;
        if (!host_data[i]) return 1;
        if (i != 3) accel_ref_fill_random(ACCEL_DTYPE_F32, host_data[i], (int64_t)sizes[i], 7u + (unsigned)i, -1, 1);
        if ((st = ops->buffer_alloc(dev, sizes[i] * sizeof(float), ACCEL_MEMORY_DEVICE, &bufs[i], &host_ptr)) != ACCEL_OK)
            return fail("buffer_alloc", st);
        if ((st = ops->buffer_write(stream, bufs[i], 0, host_data[i], sizes[i] * sizeof(float))) != ACCEL_OK)
            return fail("buffer_write", st);
    }
    accel_op_desc desc = {.kind = ACCEL_OP_GEMM};
    desc.u.gemm = (accel_gemm_desc){.a_type = ACCEL_DTYPE_F32, .b_type = ACCEL_DTYPE_F32, .c_type = ACCEL_DTYPE_F32,
                                    .d_type = ACCEL_DTYPE_F32, .m = M, .n = N, .k = K, .batch = 1, .alpha = 0.5,
                                    .beta = 0.25, .epilogue = ACCEL_EPILOGUE_BIAS};
    accel_plugin_plan_info info;
    memset(&info, 0, sizeof info);
    void *plan = NULL;
    if ((st = ops->op_plan_create(dev, &desc, &plan, &info)) != ACCEL_OK) return fail("op_plan_create", st);
    void *ws = NULL, *ws_host = NULL;
    if (info.workspace_bytes &&
        (st = ops->buffer_alloc(dev, info.workspace_bytes, ACCEL_MEMORY_DEVICE, &ws, &ws_host)) != ACCEL_OK)
        return fail("workspace", st);
    accel_plugin_ref *slots = guarded_slots(OLD_GEMM_OPERANDS);
    if (!slots) return 1;
    for (int i = 0; i < OLD_GEMM_OPERANDS; ++i) slots[i] = (accel_plugin_ref){bufs[i], 0};
    st = ops->op_plan_execute(plan, stream, slots, OLD_GEMM_OPERANDS, (accel_plugin_ref){ws, 0});
    if (st != ACCEL_OK) return fail("op_plan_execute with 5 operands", st);
    if ((st = ops->buffer_read(stream, bufs[3], 0, host_data[3], sizes[3] * sizeof(float))) != ACCEL_OK ||
        (st = ops->stream_synchronize(stream)) != ACCEL_OK)
        return fail("read back", st);
    int bad = 0;
    for (int64_t i = 0; i < M && !bad && check_numbers; ++i)
        for (int64_t j = 0; j < N; ++j) {
            double ref, abs_sum;
            accel_ref_gemm_element(&desc.u.gemm, host_data[0], host_data[1], host_data[2], host_data[4], 0, i, j,
                                   &ref, &abs_sum);
            const double got = host_data[3][i * N + j];
            if (!(fabs(got - ref) <= 1e-5 * (abs_sum + 1.0))) {
                fprintf(stderr, "old_host_operands: %s: D[%lld][%lld] = %.9g, reference %.9g\n", ops->name,
                        (long long)i, (long long)j, got, ref);
                bad = 1;
                break;
            }
        }
    ops->op_plan_destroy(plan);
    if (ws) ops->buffer_free(dev, ws);
    for (int i = 0; i < OLD_GEMM_OPERANDS; ++i) {
        ops->buffer_free(dev, bufs[i]);
        free(host_data[i]);
    }
    ops->stream_destroy(stream);
    ops->device_close(dev);
    ops->shutdown(ctx);
    if (!bad)
        printf("%s: GEMM under a 1.0 host (5 operands) %s (%s)\n", ops->name,
               check_numbers ? "correct" : "launched", info.algorithm);
    return bad;
}
