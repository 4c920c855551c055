/* Small string helpers shared by the CLI modules: growable strings, string lists, strict numbers. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_strbuf {
    char *data;   /* always NUL-terminated once anything was appended; NULL when empty */
    size_t len, cap;
} bench_strbuf;

void bench_strbuf_append(bench_strbuf *sb, const char *s);
void bench_strbuf_appendn(bench_strbuf *sb, const char *s, size_t n);
void bench_strbuf_appendf(bench_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *bench_strbuf_str(const bench_strbuf *sb); /* "" when empty */
void bench_strbuf_free(bench_strbuf *sb);

typedef struct bench_strlist {
    char **items;
    size_t count, cap;
} bench_strlist;

void bench_strlist_add(bench_strlist *l, const char *s);
int bench_strlist_contains(const bench_strlist *l, const char *s);
void bench_strlist_free(bench_strlist *l);

/* Split "a,b,c" into l (appending). Empty elements ("a,,b", trailing comma, "") are an error:
 * returns 0 on success, -1 on an empty element. */
int bench_list_split(const char *text, bench_strlist *l);

/* Strict numbers: the whole string must be a number in range; no sign for unsigned, no
 * whitespace, no trailing garbage. Return 0 on success, -2 when the number overflows the type,
 * -1 otherwise. */
int bench_parse_u64(const char *text, uint64_t *out);
int bench_parse_double(const char *text, double *out);

char *bench_strdup(const char *s);
/* snprintf into a fixed buffer that never overflows and always terminates. */
void bench_copy(char *dst, size_t cap, const char *src);

#endif
