/* Progress on stderr: a redrawn bar with ETA on a TTY, plain lines otherwise, errors only with
 * --quiet. Unsupported rows are condensed (a count per device and each distinct reason, printed at
 * the end) unless --verbose: the CSV holds each with its reason either way. */
#ifndef BENCH_PROGRESS_H
#define BENCH_PROGRESS_H

#include <stddef.h>

#include "columns.h"

typedef struct bench_unsupported_tally {
    char *device, *reason;
    size_t count;
} bench_unsupported_tally;

typedef struct bench_progress {
    size_t total, done;
    int tty, quiet, verbose;
    double start_ms;
    int bar_drawn;
    double drawn_ms;     /* when the bar was last drawn */
    char label[256];     /* the row in flight */
    bench_unsupported_tally *unsupported; /* distinct (device, reason), in order of first sight */
    size_t n_unsupported, cap_unsupported;
} bench_progress;

void bench_progress_init(bench_progress *p, size_t total, int quiet, int verbose);
/* A row starts: redraw the bar (TTY only). label: "cpu:0 gemm 2048 fp32 onednn". */
void bench_progress_start(bench_progress *p, const char *label);
/* Within a long row: the bar shows the time and samples so far, redrawn at most five times a
 * second, on a TTY only. */
void bench_progress_tick(bench_progress *p, int sampling, size_t samples, double elapsed_ms);
/* A row finished: "[3/17] cpu:0 gemm 2048 fp32 onednn ... 1.23 TFLOP/s ok". */
void bench_progress_row(bench_progress *p, const char *label, const bench_row *row);
/* A row finished but could not be written (shown even with --quiet): the progress line says so
 * and the next line holds the whole CSV record, so the measurement survives on the terminal. */
void bench_progress_lost(bench_progress *p, const char *label, const char *why, const char *record);
/* A message line that must not be garbled by the bar. */
void bench_progress_message(bench_progress *p, const char *line);
/* Clears the bar and prints the condensed unsupported rows (not with --quiet); frees the tally. */
void bench_progress_finish(bench_progress *p);

/* "1.23 TFLOP/s", "45.6 GB/s", "789 items/s" or "" for a row. */
void bench_row_headline(const bench_row *row, char *buf, size_t n);

#endif
