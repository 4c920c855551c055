/* The Gaudi plugin's op plans as the mock SynapseAI sees them (environment from tests/CMakeLists.txt):
 * the graph each description becomes, the workspace taken from the recipe, plan-owned stand-ins for
 * optional operands left out at execute, refusals that never reach SynapseAI, and a clean end: no
 * call the real runtime would refuse, nothing left allocated, acquired or compiled.
 *   gaudi_mock_plan_test PATH/TO/mock/libSynapse.so */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "check.h"
#include "accel/reference.h"
#include "mock_control.h"

TEST_DEFINE_COUNTS;

static const mock_synapse_report *stats;
static accel_device *dev;
static accel_stream *stream;

static accel_buffer *upload(const void *host, size_t bytes) {
    accel_buffer *b = NULL;
    CHECKF(accel_buffer_alloc(dev, bytes, ACCEL_MEMORY_DEVICE, &b) == ACCEL_OK, "alloc %zu", bytes);
    if (b && host) CHECKF(accel_buffer_write(stream, b, 0, host, bytes) == ACCEL_OK, "write");
    return b;
}

/* Plans d and checks the graph the mock compiled from it. */
static accel_op_plan *plan_as(const accel_op_desc *d, const char *graph) {
    accel_op_plan *plan = NULL;
    const int compiles = stats->compiles;
    CHECKF(accel_op_plan_create(dev, d, &plan) == ACCEL_OK, "plan %s", graph);
    if (!plan) return NULL;
    CHECKF(stats->compiles == compiles + 1, "%d compiles for one plan", stats->compiles - compiles);
    CHECKF(strcmp(stats->last_graph, graph) == 0, "graph '%s', want '%s'", stats->last_graph, graph);
    CHECKF(strcmp(accel_op_plan_algorithm(plan), graph) == 0, "algorithm '%s'", accel_op_plan_algorithm(plan));
    CHECKF(strcmp(accel_op_plan_library(plan), "synapse") == 0, "library '%s'", accel_op_plan_library(plan));
    return plan;
}

/* Planning d must be refused with a reason containing why, before any SynapseAI graph exists. */
static void refused(const accel_op_desc *d, const char *why) {
    accel_op_plan *plan = NULL;
    const int compiles = stats->compiles, graphs = stats->live_graphs;
    accel_status st = accel_op_plan_create(dev, d, &plan);
    CHECKF(st == ACCEL_ERR_UNIMPLEMENTED && !plan, "status %s for '%s'", accel_status_str(st), why);
    CHECKF(strstr(accel_last_error(), why) != NULL, "reason lacks '%s'", why);
    CHECKF(stats->compiles == compiles && stats->live_graphs == graphs, "a graph was built for a refusal");
    accel_op_plan_destroy(plan);
}

static accel_gemm_desc gemm(accel_dtype t, int64_t m, int64_t n, int64_t k) {
    return (accel_gemm_desc){.a_type = t, .b_type = t, .c_type = t, .d_type = t, .m = m, .n = n, .k = k, .batch = 1,
                             .alpha = 1.0};
}

static void check_gemm_graphs(void) {
    accel_op_desc d = {.kind = ACCEL_OP_GEMM};
    d.u.gemm = gemm(ACCEL_DTYPE_F32, 8, 8, 8);
    accel_op_plan_destroy(plan_as(&d, "gemm"));
    d.u.gemm = gemm(ACCEL_DTYPE_BF16, 8, 8, 8);
    d.u.gemm.batch = 3;
    accel_op_plan_destroy(plan_as(&d, "batch_gemm"));
    d.u.gemm.alpha = 0.5;
    d.u.gemm.epilogue = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_GELU_TANH;
    accel_op_plan_destroy(plan_as(&d, "batch_gemm>constant_f32>mult_fwd_f32>cast_bf16_to_f32>add_fwd_f32>"
                                         "gelu_fwd_f32>cast_f32_to_bf16"));
    d.u.gemm = gemm(ACCEL_DTYPE_F8_E5M2, 16, 16, 32);
    d.u.gemm.c_type = d.u.gemm.d_type = ACCEL_DTYPE_F32;
    d.u.gemm.trans_b = 1;
    accel_op_plan_destroy(plan_as(&d, "gemm>mult_fwd_f32>mult_fwd_f32"));
}

static void check_refusals(void) {
    accel_op_desc d = {.kind = ACCEL_OP_GEMM};
    d.u.gemm = gemm(ACCEL_DTYPE_F32, 8, 8, 8);
    d.u.gemm.compute = ACCEL_COMPUTE_TF32;
    refused(&d, "tf32");
    d.u.gemm = gemm(ACCEL_DTYPE_F32, 8, 8, 8);
    d.u.gemm.lda = 12;
    refused(&d, "dense");
    d.u.gemm = gemm(ACCEL_DTYPE_F8_E4M3, 16, 16, 32);
    d.u.gemm.c_type = d.u.gemm.d_type = ACCEL_DTYPE_BF16;
    d.u.gemm.trans_b = 1;
    refused(&d, "e4m3 on Gaudi 2");
    d.u.gemm = gemm(ACCEL_DTYPE_F32, 8, 8, 8);
    snprintf(d.library, sizeof d.library, "cublaslt");
    refused(&d, "no op library 'cublaslt'");
    accel_op_desc p = {.kind = ACCEL_OP_PERMUTE};
    p.u.permute = (accel_permute_desc){.dtype = ACCEL_DTYPE_I32, .ndims = 2, .dims = {3, 4}, .perm = {1, 0}};
    refused(&p, "i32");
}

/* y = softmax(x) with the mask operand left out at execute: the plan's zero mask stands in. */
static void check_absent_mask(void) {
    enum { ROWS = 6, COLS = 9 };
    accel_op_desc d = {.kind = ACCEL_OP_SOFTMAX};
    d.u.softmax = (accel_softmax_desc){.dtype = ACCEL_DTYPE_F32, .rows = ROWS, .cols = COLS, .scale = 0.5,
                                       .rows_per_mask_row = 3};
    accel_op_plan *plan = plan_as(&d, "constant_f32>mult_fwd_f32>add_fwd_f32>softmax_fwd_f32");
    float x[ROWS * COLS], y[ROWS * COLS];
    accel_ref_fill_random(ACCEL_DTYPE_F32, x, ROWS * COLS, 7, -2, 2);
    accel_buffer *bx = upload(x, sizeof x), *by = upload(NULL, sizeof y), *ws = NULL;
    const size_t wsb = plan ? accel_op_plan_workspace_size(plan) : 0;
    CHECKF(wsb > 0, "a graph with intermediates needs a workspace");
    accel_buffer_ref refs[3] = {{bx, 0}, {NULL, 0}, {by, 0}};
    const int launches = stats->launches;
    if (plan)
        CHECKF(accel_op_plan_execute(plan, stream, refs, 3, (accel_buffer_ref){NULL, 0}) == ACCEL_ERR_INVALID_ARGUMENT,
               "executed without its workspace");
    CHECKF(stats->launches == launches, "a launch without workspace reached SynapseAI");
    if (wsb) ws = upload(NULL, wsb);
    if (plan) CHECKF(accel_op_plan_execute(plan, stream, refs, 3, (accel_buffer_ref){ws, 0}) == ACCEL_OK, "execute");
    CHECKF(stats->last_workspace_size == wsb, "recipe workspace %llu, plan says %zu",
           (unsigned long long)stats->last_workspace_size, wsb);
    CHECKF(accel_buffer_read(stream, by, 0, y, sizeof y) == ACCEL_OK && accel_stream_synchronize(stream) == ACCEL_OK,
           "read");
    double ref[ROWS * COLS];
    accel_ref_softmax(&d.u.softmax, x, NULL, ref);
    const double err = accel_ref_normwise_rel_err(ACCEL_DTYPE_F32, y, ref, ROWS * COLS);
    CHECKF(err < 1e-6, "softmax without mask: error %g", err);

    /* Pinned host memory is no operand for a graph. */
    accel_buffer *pinned = NULL;
    CHECKF(accel_buffer_alloc(dev, sizeof x, ACCEL_MEMORY_HOST_PINNED, &pinned) == ACCEL_OK, "pinned");
    accel_buffer_ref pinned_refs[3] = {{pinned, 0}, {NULL, 0}, {by, 0}};
    if (plan)
        CHECKF(accel_op_plan_execute(plan, stream, pinned_refs, 3, (accel_buffer_ref){ws, 0}) == ACCEL_ERR_UNIMPLEMENTED,
               "a pinned operand was launched");
    accel_buffer_free(pinned);
    accel_buffer_free(bx);
    accel_buffer_free(by);
    accel_buffer_free(ws);
    accel_op_plan_destroy(plan);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s MOCK_LIBSYNAPSE\n", argv[0]);
        return 2;
    }
    accel_runtime *rt = NULL;
    if (accel_runtime_open(NULL, &rt) != ACCEL_OK || accel_device_open(rt, "gaudi:0", &dev) != ACCEL_OK) {
        printf("FAIL: no gaudi:0 on the mock: %s\n", accel_last_error());
        return 1;
    }
    /* The plugin opened the mock by this path; RTLD_NOLOAD finds that same copy. */
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_NOLOAD);
    mock_synapse_stats_fn fn = lib ? (mock_synapse_stats_fn)(uintptr_t)dlsym(lib, "mock_synapse_stats") : NULL;
    if (!fn) {
        printf("FAIL: the plugin did not load the mock at %s\n", argv[1]);
        return 1;
    }
    stats = fn();
    CHECKF(accel_stream_create(dev, &stream) == ACCEL_OK, "stream");
    check_gemm_graphs();
    check_refusals();
    check_absent_mask();
    accel_stream_destroy(stream);

    /* Two opens of one device share its acquisition; the last close releases it. */
    accel_device *second = NULL;
    CHECKF(accel_device_open(rt, "gaudi:0", &second) == ACCEL_OK && stats->acquired_devices == 1, "second open");
    accel_device_close(second);
    CHECKF(stats->acquired_devices == 1, "closing one of two handles released the device");
    accel_device_close(dev);
    CHECKF(stats->acquired_devices == 0, "the device stayed acquired after its last close");
    accel_runtime_close(rt);
    CHECKF(stats->violations == 0, "%d calls the real runtime would refuse, last: %s", stats->violations,
           stats->last_violation);
    CHECKF(!stats->initialized, "synDestroy was not called at shutdown");
    CHECKF(!stats->live_device_allocations && !stats->live_host_allocations && !stats->live_streams &&
               !stats->live_events && !stats->live_graphs && !stats->live_sections && !stats->live_recipes,
           "left behind: %d device, %d host allocations, %d streams, %d events, %d graphs, %d sections, %d recipes",
           stats->live_device_allocations, stats->live_host_allocations, stats->live_streams, stats->live_events,
           stats->live_graphs, stats->live_sections, stats->live_recipes);
    dlclose(lib);
    return test_finish("gaudi_mock_plans");
}
