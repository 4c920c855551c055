#include "summary.h"

#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "util.h"

#define NCOLS 10
static const char *const HEADER[NCOLS] = {"device", "workload", "config", "dtype", "library",
                                          "median", "throughput", "pct_peak", "verified", "status"};

void bench_summary_table_add(bench_summary_table *t, const bench_row *row)
{
    char device[160], median[48] = "", pct[32] = "", headline[96];
    snprintf(device, sizeof device, "%s:%s", bench_row_get(row, BENCH_COL_BACKEND),
             bench_row_get(row, BENCH_COL_DEVICE_INDEX));
    double v;
    if (bench_parse_double(bench_row_get(row, BENCH_COL_MEDIAN_MS), &v) == 0)
        snprintf(median, sizeof median, "%.4g ms", v);
    if (bench_parse_double(bench_row_get(row, BENCH_COL_PCT_PEAK), &v) == 0)
        snprintf(pct, sizeof pct, "%.1f%%", v);
    bench_row_headline(row, headline, sizeof headline);
    const char *cells[NCOLS] = {device, bench_row_get(row, BENCH_COL_WORKLOAD),
                                bench_row_get(row, BENCH_COL_CONFIG), bench_row_get(row, BENCH_COL_DTYPE),
                                bench_row_get(row, BENCH_COL_LIBRARY), median, headline, pct,
                                bench_row_get(row, BENCH_COL_VERIFIED), bench_row_get(row, BENCH_COL_STATUS)};
    bench_strbuf sb = {0};
    for (int i = 0; i < NCOLS; i++) {
        bench_strbuf_append(&sb, i ? "\t" : "");
        for (const char *p = cells[i]; *p; p++) /* a tab or newline would break the layout */
            bench_strbuf_appendn(&sb, (*p == '\t' || *p == '\n' || *p == '\r') ? " " : p, 1);
    }
    t->lines = realloc(t->lines, (t->count + 1) * sizeof *t->lines);
    if (!t->lines)
        abort();
    t->lines[t->count++] = sb.data ? sb.data : bench_strdup("");
}

static size_t cell(const char *line, int col, const char **start)
{
    const char *p = line;
    for (int i = 0; i < col; i++) {
        p = strchr(p, '\t');
        if (!p)
            return 0;
        p++;
    }
    *start = p;
    const char *end = strchr(p, '\t');
    return end ? (size_t)(end - p) : strlen(p);
}

void bench_summary_table_print(const bench_summary_table *t, FILE *out)
{
    if (t->count == 0)
        return;
    size_t width[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        width[c] = strlen(HEADER[c]);
        for (size_t r = 0; r < t->count; r++) {
            const char *s;
            size_t n = cell(t->lines[r], c, &s);
            if (n > width[c])
                width[c] = n;
        }
    }
    for (int c = 0; c < NCOLS; c++)
        fprintf(out, c + 1 < NCOLS ? "%-*s  " : "%.*s\n", (int)width[c], HEADER[c]);
    for (size_t r = 0; r < t->count; r++)
        for (int c = 0; c < NCOLS; c++) {
            const char *s = "";
            size_t n = cell(t->lines[r], c, &s);
            if (c + 1 < NCOLS)
                fprintf(out, "%.*s%*s  ", (int)n, s, (int)(width[c] - n), "");
            else
                fprintf(out, "%.*s\n", (int)n, s);
        }
}

void bench_summary_table_free(bench_summary_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->lines[i]);
    free(t->lines);
    t->lines = NULL;
    t->count = 0;
}
