#include "duration.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

int bench_parse_duration(const char *text, double *seconds)
{
    if (!text)
        return -1;
    size_t n = strlen(text);
    if (n == 0 || n > 32)
        return -1;
    double unit = 1;
    char number[40];
    memcpy(number, text, n + 1);
    switch (number[n - 1]) {
    case 's': unit = 1; number[--n] = '\0'; break;
    case 'm': unit = 60; number[--n] = '\0'; break;
    case 'h': unit = 3600; number[--n] = '\0'; break;
    default: break;
    }
    double v;
    int rc = bench_parse_double(number, &v);
    if (rc == -2)
        return -2;
    if (rc != 0)
        return -1;
    v *= unit;
    if (!(v > 0) || v > BENCH_DURATION_MAX_S)
        return -2;
    *seconds = v;
    return 0;
}

void bench_format_duration(double seconds, char *buf, size_t n)
{
    if (!(seconds > 0))
        seconds = 0;
    if (seconds < 9.95) {
        snprintf(buf, n, "%.1f s", seconds);
        return;
    }
    long t = (long)(seconds + 0.5);
    if (t < 60)
        snprintf(buf, n, "%ld s", t);
    else if (t < 3600)
        snprintf(buf, n, "%ld m %02ld s", t / 60, t % 60);
    else
        snprintf(buf, n, "%ld h %02ld m", t / 3600, (t / 60) % 60);
}
