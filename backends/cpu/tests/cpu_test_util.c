#include "cpu_test_util.h"

#include <string.h>

int test_failures = 0;

void test_env_open(test_env *env) {
    memset(env, 0, sizeof *env);
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.backends = "cpu";
    if (accel_runtime_open(&opts, &env->rt) != ACCEL_OK) {
        fprintf(stderr, "accel_runtime_open: %s\n", accel_last_error());
        exit(1);
    }
    if (accel_device_open(env->rt, "cpu:0", &env->dev) != ACCEL_OK) {
        const accel_backend_report *reports = NULL;
        size_t n = 0;
        accel_runtime_backends(env->rt, &reports, &n);
        fprintf(stderr, "accel_device_open(cpu:0): %s\n", accel_last_error());
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "  backend %s (%s): %s %s\n", reports[i].name, reports[i].path,
                    accel_status_str(reports[i].status), reports[i].reason);
        exit(1);
    }
    env->info.struct_size = sizeof env->info;
    if (accel_device_info_get(env->dev, &env->info) != ACCEL_OK ||
        accel_stream_create(env->dev, &env->stream) != ACCEL_OK) {
        fprintf(stderr, "cpu:0 setup: %s\n", accel_last_error());
        exit(1);
    }
}

void test_env_close(test_env *env) {
    accel_stream_destroy(env->stream);
    accel_device_close(env->dev);
    accel_runtime_close(env->rt);
}

int test_env_has_library(const test_env *env, const char *lib) {
    char list[sizeof env->info.op_libraries + 2];
    snprintf(list, sizeof list, ",%s,", env->info.op_libraries);
    char needle[48];
    snprintf(needle, sizeof needle, ",%s,", lib);
    return strstr(list, needle) != NULL;
}

accel_buffer *test_alloc(test_env *env, size_t bytes) {
    accel_buffer *b = NULL;
    if (accel_buffer_alloc(env->dev, bytes, ACCEL_MEMORY_DEVICE, &b) != ACCEL_OK) {
        fprintf(stderr, "accel_buffer_alloc(%zu): %s\n", bytes, accel_last_error());
        exit(1);
    }
    return b;
}

accel_buffer *test_upload(test_env *env, const void *host, size_t bytes) {
    if (!host || bytes == 0) return NULL;
    accel_buffer *b = test_alloc(env, bytes);
    CHECK_OK(accel_buffer_write(env->stream, b, 0, host, bytes));
    return b;
}

void test_download(test_env *env, accel_buffer *buf, void *host, size_t bytes) {
    CHECK_OK(accel_buffer_read(env->stream, buf, 0, host, bytes));
    CHECK_OK(accel_stream_synchronize(env->stream));
}

accel_status test_run_op(test_env *env, const accel_op_desc *desc, accel_buffer **operands,
                         int noperands, char *algorithm, size_t algorithm_len) {
    return test_run_op_times(env, desc, operands, noperands, 1, algorithm, algorithm_len);
}

accel_status test_run_op_times(test_env *env, const accel_op_desc *desc, accel_buffer **operands,
                               int noperands, int runs, char *algorithm, size_t algorithm_len) {
    accel_op_plan *plan = NULL;
    accel_status st = accel_op_plan_create(env->dev, desc, &plan);
    if (st != ACCEL_OK) return st;
    if (algorithm)
        snprintf(algorithm, algorithm_len, "%s: %s", accel_op_plan_library(plan),
                 accel_op_plan_algorithm(plan));
    size_t ws_bytes = accel_op_plan_workspace_size(plan);
    accel_buffer *ws = ws_bytes ? test_alloc(env, ws_bytes) : NULL;
    accel_buffer_ref refs[ACCEL_OP_MAX_OPERANDS];
    for (int i = 0; i < noperands; i++) {
        refs[i].buffer = operands[i];
        refs[i].offset = 0;
    }
    accel_buffer_ref wref = {ws, 0};
    for (int r = 0; r < runs; r++)
        CHECK_OK(accel_op_plan_execute(plan, env->stream, refs, (size_t)noperands, wref));
    CHECK_OK(accel_stream_synchronize(env->stream));
    accel_buffer_free(ws);
    accel_op_plan_destroy(plan);
    return ACCEL_OK;
}

int test_finish(const char *name) {
    if (test_failures) {
        fprintf(stderr, "%s: %d failure(s)\n", name, test_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}
