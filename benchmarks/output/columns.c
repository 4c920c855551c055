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

static const struct {
    const char *version;
    size_t columns;
} schema_versions[] = {
    {"1", BENCH_COL_COUNT_V1}, {"2", BENCH_COL_COUNT_V2}, {"3", BENCH_COL_COUNT_V3},
    {BENCH_SCHEMA_VERSION, BENCH_COL_COUNT}};

size_t bench_schema_column_count(const char *version)
{
    for (size_t i = 0; i < sizeof schema_versions / sizeof schema_versions[0]; i++)
        if (strcmp(schema_versions[i].version, version) == 0)
            return schema_versions[i].columns;
    return 0;
}

const char *bench_schema_of_column_count(size_t count)
{
    for (size_t i = 0; i < sizeof schema_versions / sizeof schema_versions[0]; i++)
        if (schema_versions[i].columns == count)
            return schema_versions[i].version;
    return NULL;
}

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

void bench_row_append_note(bench_row *r, const char *note)
{
    if (!note || !note[0])
        return;
    const char *old = bench_row_get(r, BENCH_COL_NOTES);
    if (!old[0]) {
        bench_row_set(r, BENCH_COL_NOTES, note);
        return;
    }
    bench_strbuf sb = {0};
    bench_strbuf_appendf(&sb, "%s; %s", old, note);
    bench_row_set(r, BENCH_COL_NOTES, sb.data);
    bench_strbuf_free(&sb);
}
