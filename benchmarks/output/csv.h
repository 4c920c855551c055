/* RFC 4180 CSV: field quoting, record formatting, durable appends, and a strict reader. */
#ifndef BENCH_CSV_H
#define BENCH_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* Appends one field, quoted when it holds ',', '"', CR, LF or leading/trailing spaces; bytes that
 * are not UTF-8 are written as the text \xNN (utf8.h). */
void bench_csv_format_field(bench_strbuf *out, const char *field);
/* Appends fields joined by ',' and a terminating "\n". */
void bench_csv_format_record(bench_strbuf *out, const char *const *fields, size_t n);

/* Appends one formatted record whole or not at all (bench_append_whole: one write after reserving
 * the space, fsync, cut back on failure), so a crash, Ctrl-C or a full disk never leaves half a row
 * behind. f must be opened for appending. Returns 0, or -1 with errno set. */
int bench_csv_append(FILE *f, const char *const *fields, size_t n);

/* Parses one record starting at *pos in text[0..len); CRLF or LF end a record. On success
 * returns 1, fills fields (cleared first) and advances *pos; returns 0 at the end of input;
 * returns -1 on a malformed record (unterminated quote, text after a closing quote, or a record
 * without a final newline: a torn write), with *pos left at the record's start. */
int bench_csv_parse_record(const char *text, size_t len, size_t *pos, bench_strlist *fields);

/* Reads a whole regular file into memory (NUL-terminated). Returns NULL with errno set on failure
 * (EINVAL: not a regular file). */
char *bench_file_read_all(const char *path, size_t *out_len);

#endif
