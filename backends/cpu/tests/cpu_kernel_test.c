/* ACCEL_MODULE_CPU_TABLE: a vector-add kernel over work-groups, per-group shared scratch, and the
 * error paths (bad magic, wrong size, unknown kernel, wrong argument count, LOCAL arguments). */
#include <string.h>

#include "accel/cpu_kernel.h"
#include "cpu_test_util.h"

/* args: x, y, out, n (uint32). Each group handles group_size[0] elements. */
static void vector_add(const accel_cpu_group *g) {
    const float *x = g->args[0], *y = g->args[1];
    float *out = g->args[2];
    const uint32_t n = *(const uint32_t *)g->args[3];
    float *scratch = g->shared; /* stage through shared memory, like a GPU kernel might */
    const uint32_t base = g->group_id[0] * g->group_size[0];
    for (uint32_t i = 0; i < g->group_size[0]; i++)
        scratch[i] = base + i < n ? x[base + i] + y[base + i] : 0.0f;
    for (uint32_t i = 0; i < g->group_size[0] && base + i < n; i++) out[base + i] = scratch[i];
}

/* Writes its flattened group id, to check every group of a 3-D grid runs exactly once. */
static void group_ids(const accel_cpu_group *g) {
    int *out = g->args[0];
    uint32_t id = g->group_id[0] + g->grid[0] * (g->group_id[1] + g->grid[1] * g->group_id[2]);
    out[id] += 1;
}

static const accel_cpu_kernel_entry entries[] = {
    {"vector_add", vector_add, 4},
    {"group_ids", group_ids, 1},
};

int main(void) {
    test_env env;
    test_env_open(&env);
    accel_cpu_module_image image = {ACCEL_CPU_MODULE_MAGIC, 2, entries};
    accel_module *mod = NULL;
    CHECK_OK(accel_module_load(env.dev, ACCEL_MODULE_CPU_TABLE, &image, sizeof image, NULL, &mod));
    accel_kernel *add = NULL, *ids = NULL;
    CHECK_OK(accel_kernel_get(mod, "vector_add", &add));
    CHECK_OK(accel_kernel_get(mod, "group_ids", &ids));

    enum { N = 1000, GROUP = 64 };
    float x[N], y[N], out[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)i;
        y[i] = 0.25f * (float)i;
        out[i] = -1.0f;
    }
    accel_buffer *bx = test_upload(&env, x, sizeof x), *by = test_upload(&env, y, sizeof y);
    accel_buffer *bo = test_upload(&env, out, sizeof out);
    uint32_t n = N;
    accel_kernel_arg args[4] = {accel_arg_buffer(bx, 0), accel_arg_buffer(by, 0),
                                accel_arg_buffer(bo, 0), accel_arg_scalar(&n, sizeof n)};
    const uint32_t grid[3] = {(N + GROUP - 1) / GROUP, 1, 1}, group[3] = {GROUP, 1, 1};
    CHECK_OK(accel_kernel_launch(env.stream, add, grid, group, args, 4, GROUP * sizeof(float)));
    test_download(&env, bo, out, sizeof out);
    int bad = 0;
    for (int i = 0; i < N; i++) bad += out[i] != 1.25f * (float)i;
    CHECK(bad == 0, "vector_add: %d wrong elements", bad);

    /* with a buffer offset: out[100..] = x[100..] + y[100..] for n - 100 elements */
    uint32_t n2 = N - 100;
    accel_kernel_arg args2[4] = {accel_arg_buffer(bx, 100 * sizeof(float)),
                                 accel_arg_buffer(by, 100 * sizeof(float)),
                                 accel_arg_buffer(bo, 0), accel_arg_scalar(&n2, sizeof n2)};
    CHECK_OK(accel_kernel_launch(env.stream, add, grid, group, args2, 4, GROUP * sizeof(float)));
    test_download(&env, bo, out, sizeof out);
    bad = 0;
    for (int i = 0; i < N - 100; i++) bad += out[i] != 1.25f * (float)(i + 100);
    CHECK(bad == 0, "vector_add with offsets: %d wrong elements", bad);

    /* 3-D grid: each group exactly once */
    const uint32_t grid3[3] = {5, 3, 4}, one[3] = {1, 1, 1};
    int counts[60] = {0};
    accel_buffer *bc = test_upload(&env, counts, sizeof counts);
    accel_kernel_arg cargs[1] = {accel_arg_buffer(bc, 0)};
    CHECK_OK(accel_kernel_launch(env.stream, ids, grid3, one, cargs, 1, 0));
    test_download(&env, bc, counts, sizeof counts);
    bad = 0;
    for (int i = 0; i < 60; i++) bad += counts[i] != 1;
    CHECK(bad == 0, "3-D grid: %d groups not run exactly once", bad);

    /* error paths */
    CHECK(accel_kernel_launch(env.stream, add, grid, group, args, 3, 0) != ACCEL_OK,
          "wrong argument count accepted");
    accel_kernel_arg local_args[4] = {args[0], args[1], args[2], args[3]};
    local_args[3].kind = ACCEL_ARG_LOCAL;
    local_args[3].size = 16;
    CHECK(accel_kernel_launch(env.stream, add, grid, group, local_args, 4, 0) != ACCEL_OK,
          "LOCAL argument accepted");
    accel_kernel *missing = NULL;
    CHECK(accel_kernel_get(mod, "no_such_kernel", &missing) == ACCEL_ERR_NOT_FOUND,
          "unknown kernel name not NOT_FOUND");
    accel_cpu_module_image bad_magic = {0x12345678u, 2, entries};
    accel_module *m2 = NULL;
    CHECK(accel_module_load(env.dev, ACCEL_MODULE_CPU_TABLE, &bad_magic, sizeof bad_magic, NULL,
                            &m2) == ACCEL_ERR_INVALID_ARGUMENT,
          "bad magic accepted");
    CHECK(strstr(accel_last_error(), "magic") != NULL, "bad magic message: %s", accel_last_error());
    CHECK(accel_module_load(env.dev, ACCEL_MODULE_CPU_TABLE, &image, sizeof image - 1, NULL, &m2) !=
              ACCEL_OK,
          "short image accepted");
    accel_cpu_module_image empty = {ACCEL_CPU_MODULE_MAGIC, 0, entries};
    CHECK(accel_module_load(env.dev, ACCEL_MODULE_CPU_TABLE, &empty, sizeof empty, NULL, &m2) !=
              ACCEL_OK,
          "empty module accepted");
    const char *src = "__kernel void k() {}";
    CHECK(accel_module_load(env.dev, ACCEL_MODULE_OPENCL_C, src, strlen(src), NULL, &m2) !=
              ACCEL_OK,
          "OpenCL C accepted by the CPU backend");

    accel_kernel_release(add);
    accel_kernel_release(ids);
    accel_module_unload(mod);
    accel_buffer_free(bx);
    accel_buffer_free(by);
    accel_buffer_free(bo);
    accel_buffer_free(bc);
    test_env_close(&env);
    return test_finish("cpu_kernel_test");
}
