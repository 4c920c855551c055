/* A tiny test harness: CHECK counts, failures print where and why, main returns non-zero on any. */
#ifndef ACCEL_TEST_CHECK_H
#define ACCEL_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "accel/accel.h"

typedef struct test_counts {
    int passed, failed, skipped;
} test_counts;

extern test_counts g_counts;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (cond) {                                                                               \
            g_counts.passed++;                                                                    \
        } else {                                                                                  \
            g_counts.failed++;                                                                    \
            fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, #cond,      \
                    accel_last_error());                                                          \
        }                                                                                         \
    } while (0)

/* CHECK with a printf-style account of what was found instead of the condition's text. */
#define CHECKF(cond, ...)                                                                         \
    do {                                                                                          \
        if (cond) {                                                                               \
            g_counts.passed++;                                                                    \
        } else {                                                                                  \
            g_counts.failed++;                                                                    \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                  \
            fprintf(stderr, __VA_ARGS__);                                                         \
            fprintf(stderr, " (last error: %s)\n", accel_last_error());                          \
        }                                                                                         \
    } while (0)

/* The status, and a message naming the problem, for a call that must fail. */
#define CHECK_FAILS(call, status)                                                                 \
    do {                                                                                          \
        accel_clear_error();                                                                      \
        accel_status st_ = (call);                                                                \
        if (st_ == (status) && accel_last_error()[0]) {                                           \
            g_counts.passed++;                                                                    \
        } else {                                                                                  \
            g_counts.failed++;                                                                    \
            fprintf(stderr, "FAIL %s:%d: %s returned %s (wanted %s), message '%s'\n", __FILE__,   \
                    __LINE__, #call, accel_status_str(st_), accel_status_str(status),             \
                    accel_last_error());                                                          \
        }                                                                                         \
    } while (0)

#define CHECK_OK(call)                                                                            \
    do {                                                                                          \
        accel_status st_ = (call);                                                                \
        if (st_ == ACCEL_OK) {                                                                    \
            g_counts.passed++;                                                                    \
        } else {                                                                                  \
            g_counts.failed++;                                                                    \
            fprintf(stderr, "FAIL %s:%d: %s returned %s: %s\n", __FILE__, __LINE__, #call,        \
                    accel_status_str(st_), accel_last_error());                                   \
        }                                                                                         \
    } while (0)

#define TEST_DEFINE_COUNTS test_counts g_counts

/* The plain closing line ctest logs and CI reads. */
static inline int test_finish(const char *suite) {
    printf("%s: %d passed, %d failed, %d skipped\n", suite, g_counts.passed, g_counts.failed,
           g_counts.skipped);
    return g_counts.failed ? 1 : 0;
}

#endif
