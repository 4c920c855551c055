/* Text that reaches the CSV, the JSON sidecar or a one-line message must be valid UTF-8: plugins,
 * host names and paths can carry any bytes. Invalid bytes become the four characters \xNN, so
 * nothing is lost and every reader (json.load, csv, plot.py) accepts the result. */
#ifndef BENCH_UTF8_H
#define BENCH_UTF8_H

#include <stddef.h>

#include "util.h"

/* Length (1..4) of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), or 0 when the bytes there are not one. s is NUL-terminated. */
size_t bench_utf8_sequence(const char *s);
/* 1 when the whole string is well-formed UTF-8. */
int bench_utf8_valid(const char *s);
/* Appends s with every byte that is not part of a well-formed sequence written as \xNN. */
void bench_utf8_escape(const char *s, bench_strbuf *out);
/* As bench_utf8_escape, and control characters (CR, LF, TAB...) as \xNN too: one printable line. */
void bench_utf8_printable(const char *s, bench_strbuf *out);
/* Rewrites a fixed-size field in place with bench_utf8_escape, cut at a character boundary. */
void bench_utf8_sanitize_field(char *field, size_t cap);

#endif
