/* The "plot:" line printed after a run: a command that can be pasted into a shell as it is (every
 * word quoted where needed) and that names a Python interpreter which has matplotlib, or says how
 * to get one. */
#ifndef BENCH_PLOT_HINT_H
#define BENCH_PLOT_HINT_H

#include <stdio.h>

#include "util.h"

/* Appends s as one POSIX shell word: unchanged when it holds only safe characters, else in single
 * quotes with each ' written as '\''. */
void bench_shell_quote(const char *s, bench_strbuf *out);

/* Prints the line (and, without a usable interpreter, how to get one) when plot.py is found in
 * the source tree or the installed data directory. */
void bench_plot_hint_print(const char *csv_path, FILE *out);

#endif
