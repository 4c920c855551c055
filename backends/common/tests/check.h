/* The check macro of the backends/common tests: a failed condition is reported with its place and a
 * printf-style detail, counted in failures, and the test goes on to the next check. */
#ifndef BACKEND_COMMON_TEST_CHECK_H
#define BACKEND_COMMON_TEST_CHECK_H

#include <stdio.h>

static int failures;
#define CHECK(cond, ...)                                                                            \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            ++failures;                                                                             \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                           \
            fputc('\n', stderr);                                                                    \
        }                                                                                           \
    } while (0)

#endif
