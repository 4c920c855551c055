#include "columns.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const bench_column_names[BENCH_COL_COUNT] = {
#define BENCH_COLUMN_NAME(id, name) name,
    BENCH_COLUMN_LIST(BENCH_COLUMN_NAME)
#undef BENCH_COLUMN_NAME
};

int bench_column_find(const char *name)
{
    for (int i = 0; i < BENCH_COL_COUNT; i++)
        if (strcmp(bench_column_names[i], name) == 0)
            return i;
    return -1;
}

void bench_row_set(bench_row *r, bench_column c, const char *value)
{
    free(r->fields[c]);
    r->fields[c] = bench_strdup(value ? value : "");
}

void bench_row_setf(bench_row *r, bench_column c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    bench_row_set(r, c, buf);
}

void bench_row_set_number(bench_row *r, bench_column c, double v)
{
    if (!isfinite(v))
        bench_row_set(r, c, "");
    else if (v == floor(v) && fabs(v) < 1e15)
        bench_row_setf(r, c, "%.0f", v); /* counts (flop, bytes) stay exact */
    else
        bench_row_setf(r, c, "%.6g", v);
}

const char *bench_row_get(const bench_row *r, bench_column c)
{
    return r->fields[c] ? r->fields[c] : "";
}

void bench_row_free(bench_row *r)
{
    for (int i = 0; i < BENCH_COL_COUNT; i++) {
        free(r->fields[i]);
        r->fields[i] = NULL;
    }
}
