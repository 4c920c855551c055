#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *checked_realloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "accelbench: out of memory\n");
        abort();
    }
    return q;
}

char *bench_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = checked_realloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

void bench_copy(char *dst, size_t cap, const char *src)
{
    if (cap == 0)
        return;
    snprintf(dst, cap, "%s", src ? src : "");
}

void bench_strbuf_appendn(bench_strbuf *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < sb->len + n + 1)
            cap *= 2;
        sb->data = checked_realloc(sb->data, cap);
        sb->cap = cap;
    }
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void bench_strbuf_append(bench_strbuf *sb, const char *s)
{
    bench_strbuf_appendn(sb, s, strlen(s));
}

void bench_strbuf_appendf(bench_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        char *tmp = checked_realloc(NULL, (size_t)n + 1);
        vsnprintf(tmp, (size_t)n + 1, fmt, ap2);
        bench_strbuf_appendn(sb, tmp, (size_t)n);
        free(tmp);
    }
    va_end(ap2);
}

const char *bench_strbuf_str(const bench_strbuf *sb)
{
    return sb->data ? sb->data : "";
}

void bench_strbuf_free(bench_strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

void bench_strlist_add(bench_strlist *l, const char *s)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = checked_realloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->count++] = bench_strdup(s);
}

int bench_strlist_contains(const bench_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return 1;
    return 0;
}

void bench_strlist_free(bench_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = l->cap = 0;
}

int bench_list_split(const char *text, bench_strlist *l)
{
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 0)
            return -1;
        char *item = checked_realloc(NULL, n + 1);
        memcpy(item, p, n);
        item[n] = '\0';
        if (!bench_strlist_contains(l, item))
            bench_strlist_add(l, item);
        free(item);
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int bench_parse_u64(const char *text, uint64_t *out)
{
    if (!text || !isdigit((unsigned char)text[0]))
        return -1; /* rejects "", "-1", "+1", " 1" (strtoull would accept them) */
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0')
        return -1;
    if (errno == ERANGE)
        return -2;
    *out = (uint64_t)v;
    return 0;
}

int bench_parse_double(const char *text, double *out)
{
    if (!text || !(isdigit((unsigned char)text[0]) || text[0] == '.'))
        return -1;
    errno = 0;
    char *end = NULL;
    double v = strtod(text, &end);
    if (*end != '\0')
        return -1;
    if ((errno == ERANGE && fabs(v) > 1.0) || isinf(v))
        return -2;
    if (errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
