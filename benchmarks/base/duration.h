/* Durations as people write them on a command line ("90s", "10m", "1.5h") and as the console
 * prints them back ("42 s", "3 m 10 s"). */
#ifndef BENCH_DURATION_H
#define BENCH_DURATION_H

#include <stddef.h>

/* The longest duration accepted: a week (anything longer is a typo). */
#define BENCH_DURATION_MAX_S (7.0 * 24 * 3600)

/* A positive number (digits, optionally a fraction) with a unit suffix s, m or h; a bare number
 * is seconds. Returns 0 with *seconds set, -1 when it is not such a duration, -2 when it is zero
 * or longer than BENCH_DURATION_MAX_S. */
int bench_parse_duration(const char *text, double *seconds);
/* "0.4 s", "42 s", "3 m 10 s", "1 h 05 m". */
void bench_format_duration(double seconds, char *buf, size_t n);

#endif
