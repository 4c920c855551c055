/* The child -> parent pipe protocol of workers and probes: one message per line, fields separated
 * by TAB, with backslash escapes (\\ \t \n \r) so any text (error messages, notes) survives the
 * trip. */
#ifndef BENCH_WIRE_H
#define BENCH_WIRE_H

#include <stddef.h>

#include "util.h"

/* Appends the fields as one line, '\n' terminated. */
void bench_wire_encode(bench_strbuf *out, const char *const *fields, size_t n);
/* Writes the fields to fd as one line, whole (short writes and EINTR are retried). Returns 0, or -1
 * when the line could not be written: the reading end is gone, so is the parent that reads it. */
int bench_wire_send(int fd, const char *const *fields, size_t n);
/* Splits one line (without its '\n') into fields (appended). Returns 0, -1 on a bad escape. */
int bench_wire_decode(const char *line, bench_strlist *fields);

/* Appends n bytes read from a pipe to pending and calls on_line for each whole line in it (without
 * its '\n'); the unfinished tail stays in pending for the next read. */
void bench_wire_take_lines(bench_strbuf *pending, const char *data, size_t n,
                           void (*on_line)(void *ctx, const char *line), void *ctx);

#endif
