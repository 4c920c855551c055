/* Minimal assertion helpers for the CLI unit tests: every failure prints where and exits 1. */
#ifndef CLI_CHECK_H
#define CLI_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cli_check_failures;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            cli_check_failures++;                                                   \
        }                                                                           \
    } while (0)

#define CHECK_STR(a, b)                                                                   \
    do {                                                                                  \
        const char *a_ = (a), *b_ = (b);                                                  \
        if (strcmp(a_, b_) != 0) {                                                        \
            fprintf(stderr, "%s:%d: '%s' != '%s' (%s vs %s)\n", __FILE__, __LINE__, a_, b_, \
                    #a, #b);                                                              \
            cli_check_failures++;                                                         \
        }                                                                                 \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                 \
    do {                                                                                      \
        double a_ = (a), b_ = (b);                                                            \
        if (!(fabs(a_ - b_) <= (tol))) {                                                      \
            fprintf(stderr, "%s:%d: %.17g != %.17g (%s vs %s)\n", __FILE__, __LINE__, a_, b_, \
                    #a, #b);                                                                  \
            cli_check_failures++;                                                             \
        }                                                                                     \
    } while (0)

#define CHECK_DONE()                                                        \
    do {                                                                    \
        if (cli_check_failures) {                                           \
            fprintf(stderr, "%d check(s) failed\n", cli_check_failures);    \
            return 1;                                                       \
        }                                                                   \
        printf("all checks passed\n");                                      \
        return 0;                                                           \
    } while (0)

#endif
