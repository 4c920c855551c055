/* The pjrt tests' one check: EXPECT(cond, printf-style why) prints the failure and counts it. */
#ifndef ACCEL_PJRT_EXPECT_H
#define ACCEL_PJRT_EXPECT_H

#include <stdio.h>

static int failures;

#define EXPECT(cond, ...)                                   \
    do {                                                    \
        if (!(cond)) {                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);     \
            printf(__VA_ARGS__);                            \
            printf("\n");                                   \
            ++failures;                                     \
        }                                                   \
    } while (0)

#endif
