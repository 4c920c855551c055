/* The terminal table `suite` prints at the end: one line per row measured. */
#ifndef BENCH_SUMMARY_H
#define BENCH_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "columns.h"

typedef struct bench_summary_table {
    char **lines;     /* cells joined by '\t' */
    size_t count;
} bench_summary_table;

void bench_summary_table_add(bench_summary_table *t, const bench_row *row);
/* Columns: device, workload, config, dtype, library, median, throughput, pct_peak, verified, status. */
void bench_summary_table_print(const bench_summary_table *t, FILE *out);
void bench_summary_table_free(bench_summary_table *t);

#endif
