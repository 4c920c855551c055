/* Helpers for the CPU backend tests: open cpu:0 through the public API, move host arrays in and
 * out, fail loudly. */
#ifndef ACCEL_CPU_TEST_UTIL_H
#define ACCEL_CPU_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "accel/accel.h"
#include "accel/reference.h"

extern int test_failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                       \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_OK(call)                                                                             \
    do {                                                                                           \
        accel_status s_ = (call);                                                                  \
        if (s_ != ACCEL_OK) {                                                                      \
            fprintf(stderr, "FAIL %s:%d: %s -> %s: %s\n", __FILE__, __LINE__, #call,              \
                    accel_status_str(s_), accel_last_error());                                     \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

typedef struct test_env {
    accel_runtime *rt;
    accel_device *dev;
    accel_stream *stream;
    accel_device_info info;
} test_env;

/* Opens cpu:0; exits the test with status 1 when it cannot. */
void test_env_open(test_env *env);
void test_env_close(test_env *env);
int test_env_has_library(const test_env *env, const char *lib);

/* A device buffer holding a copy of host data (bytes may be 0 for an absent operand: NULL). */
accel_buffer *test_upload(test_env *env, const void *host, size_t bytes);
accel_buffer *test_alloc(test_env *env, size_t bytes);
void test_download(test_env *env, accel_buffer *buf, void *host, size_t bytes);

/* Creates a plan, runs it once with its workspace, frees the workspace. Returns plan status
 * (execute failures are counted as test failures). *plan_out may be NULL. */
accel_status test_run_op(test_env *env, const accel_op_desc *desc, accel_buffer **operands,
                         int noperands, char *algorithm, size_t algorithm_len);
/* The same, running the plan `runs` times in a row (plans that change course after a first run). */
accel_status test_run_op_times(test_env *env, const accel_op_desc *desc, accel_buffer **operands,
                               int noperands, int runs, char *algorithm, size_t algorithm_len);

int test_finish(const char *name);

#endif
