/* Output paths (--csv, --json): checked before any work, so that a run never ends unable to write
 * what it measured, and never writes into something that is not a regular file. */
#ifndef BENCH_OUTPATH_H
#define BENCH_OUTPATH_H

#include <stddef.h>

/* The path as a one-line message shows it: printable UTF-8, and a long one shortened in its
 * middle ("/very/lo...name.csv") so that the reason after it always fits. */
void bench_path_for_message(const char *path, char *buf, size_t n);

/* Accepts a regular writable file, or a new file in an existing writable directory; refuses a
 * directory, a device, a FIFO, a socket, a dangling symbolic link, a path or name longer than the
 * system takes. what is the option ("--csv"). Returns 0, or 2 with a one-line message. */
int bench_output_path_check(const char *path, const char *what, char *err, size_t n);

#endif
