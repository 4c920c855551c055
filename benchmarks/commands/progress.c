#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure.h"
#include "util.h"

void bench_progress_init(bench_progress *p, size_t total, int quiet, int verbose)
{
    memset(p, 0, sizeof *p);
    p->total = total;
    p->quiet = quiet;
    p->verbose = verbose;
    p->tty = isatty(STDERR_FILENO);
    p->start_ms = bench_monotonic_ms();
}

static void clear_bar(bench_progress *p)
{
    if (p->bar_drawn) {
        fputs("\r\033[K", stderr);
        p->bar_drawn = 0;
    }
}

static void format_duration(double s, char *buf, size_t n)
{
    if (s < 0)
        s = 0;
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else if (t >= 60)
        snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, n, "%lds", t);
}

static void draw_bar(bench_progress *p, const char *label, const char *in_row)
{
    clear_bar(p);
    const int width = 24;
    int filled = p->total ? (int)(width * p->done / p->total) : 0;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
    bar[width] = '\0';
    char eta[32] = "?";
    double elapsed = (bench_monotonic_ms() - p->start_ms) / 1000.0;
    if (p->done > 0)
        format_duration(elapsed / (double)p->done * (double)(p->total - p->done), eta, sizeof eta);
    fprintf(stderr, "[%s] %zu/%zu ETA %s  %s%s", bar, p->done, p->total, eta, label, in_row);
    fflush(stderr);
    p->bar_drawn = 1;
    p->drawn_ms = bench_monotonic_ms();
}

void bench_progress_start(bench_progress *p, const char *label)
{
    if (p->quiet || !p->tty)
        return;
    bench_copy(p->label, sizeof p->label, label);
    draw_bar(p, label, "");
}

void bench_progress_tick(bench_progress *p, int sampling, size_t samples, double elapsed_ms)
{
    /* A log (not a TTY) gets nothing: one line per row is what a CI log wants. */
    if (p->quiet || !p->tty || !p->bar_drawn || bench_monotonic_ms() - p->drawn_ms < 200.0)
        return;
    char in_row[64];
    if (sampling)
        snprintf(in_row, sizeof in_row, "  (%.1f s, %zu sample%s)", elapsed_ms / 1000.0, samples,
                 samples == 1 ? "" : "s");
    else
        snprintf(in_row, sizeof in_row, "  (%.1f s, warming up)", elapsed_ms / 1000.0);
    draw_bar(p, p->label, in_row);
}

void bench_row_headline(const bench_row *row, char *buf, size_t n)
{
    const char *tflops = bench_row_get(row, BENCH_COL_TFLOPS);
    const char *gbps = bench_row_get(row, BENCH_COL_GBPS);
    const char *items = bench_row_get(row, BENCH_COL_ITEMS_PER_S);
    if (tflops[0])
        snprintf(buf, n, "%s TFLOP/s", tflops);
    else if (gbps[0])
        snprintf(buf, n, "%s GB/s", gbps);
    else if (items[0])
        snprintf(buf, n, "%s %s/s", items, bench_row_get(row, BENCH_COL_ITEM));
    else
        bench_copy(buf, n, "");
}

/* Counts an unsupported row under its device (the label's first word) and reason; 0 when out of
 * memory, and the row is then printed as it would be with --verbose. */
static int tally_unsupported(bench_progress *p, const char *label, const char *reason)
{
    size_t dev_len = strcspn(label, " ");
    for (size_t i = 0; i < p->n_unsupported; i++) {
        bench_unsupported_tally *t = &p->unsupported[i];
        if (strlen(t->device) == dev_len && strncmp(t->device, label, dev_len) == 0 && strcmp(t->reason, reason) == 0) {
            t->count++;
            return 1;
        }
    }
    if (p->n_unsupported == p->cap_unsupported) {
        size_t cap = p->cap_unsupported ? 2 * p->cap_unsupported : 16;
        bench_unsupported_tally *grown = realloc(p->unsupported, cap * sizeof *grown);
        if (!grown)
            return 0;
        p->unsupported = grown;
        p->cap_unsupported = cap;
    }
    char *device = strndup(label, dev_len), *why = strdup(reason);
    if (!device || !why) {
        free(device);
        free(why);
        return 0;
    }
    p->unsupported[p->n_unsupported++] = (bench_unsupported_tally){device, why, 1};
    return 1;
}

void bench_progress_row(bench_progress *p, const char *label, const bench_row *row)
{
    p->done++;
    const char *status = bench_row_get(row, BENCH_COL_STATUS);
    if (!p->verbose && strcmp(status, "unsupported") == 0 &&
        tally_unsupported(p, label, bench_row_get(row, BENCH_COL_NOTES)))
        return;
    int problem = strcmp(status, "error") == 0 || strcmp(status, "failed_verification") == 0;
    if (p->quiet && !problem)
        return;
    clear_bar(p);
    char headline[96];
    bench_row_headline(row, headline, sizeof headline);
    const char *notes = bench_row_get(row, BENCH_COL_NOTES);
    int show_notes = strcmp(status, "ok") != 0 && notes[0];
    fprintf(stderr, "[%zu/%zu] %s ... %s%s%s%s%s\n", p->done, p->total, label, headline,
            headline[0] ? " " : "", status, show_notes ? ": " : "", show_notes ? notes : "");
    fflush(stderr);
}

void bench_progress_lost(bench_progress *p, const char *label, const char *why, const char *record)
{
    p->done++;
    clear_bar(p);
    size_t n = strlen(record);
    while (n && record[n - 1] == '\n')
        n--;
    fprintf(stderr, "[%zu/%zu] %s ... NOT WRITTEN (%s)\nlost row: %.*s\n", p->done, p->total, label,
            why, (int)n, record);
    fflush(stderr);
}

void bench_progress_message(bench_progress *p, const char *line)
{
    clear_bar(p);
    fprintf(stderr, "%s\n", line);
}

void bench_progress_finish(bench_progress *p)
{
    clear_bar(p);
    size_t rows = 0;
    for (size_t i = 0; i < p->n_unsupported; i++)
        rows += p->unsupported[i].count;
    if (rows && !p->quiet) {
        fprintf(stderr, "unsupported: %zu row%s not measured (each is in the CSV with its reason; --verbose "
                        "prints them as they come):\n",
                rows, rows == 1 ? "" : "s");
        /* Per device in order of first sight, then its reasons in order of first sight. */
        for (size_t i = 0; i < p->n_unsupported; i++) {
            int first = 1;
            for (size_t j = 0; j < i && first; j++)
                first = strcmp(p->unsupported[j].device, p->unsupported[i].device) != 0;
            if (!first)
                continue;
            size_t dev_rows = 0;
            for (size_t j = i; j < p->n_unsupported; j++)
                if (strcmp(p->unsupported[j].device, p->unsupported[i].device) == 0)
                    dev_rows += p->unsupported[j].count;
            fprintf(stderr, "  %s: %zu row%s\n", p->unsupported[i].device, dev_rows, dev_rows == 1 ? "" : "s");
            for (size_t j = i; j < p->n_unsupported; j++)
                if (strcmp(p->unsupported[j].device, p->unsupported[i].device) == 0)
                    fprintf(stderr, "    %4zux %s\n", p->unsupported[j].count, p->unsupported[j].reason);
        }
        fflush(stderr);
    }
    for (size_t i = 0; i < p->n_unsupported; i++) {
        free(p->unsupported[i].device);
        free(p->unsupported[i].reason);
    }
    free(p->unsupported);
    p->unsupported = NULL;
    p->n_unsupported = p->cap_unsupported = 0;
}
