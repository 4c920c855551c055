#define _POSIX_C_SOURCE 200809L
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void bench_wire_encode(bench_strbuf *out, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            bench_strbuf_append(out, "\t");
        for (const char *p = fields[i] ? fields[i] : ""; *p; p++) {
            switch (*p) {
            case '\\': bench_strbuf_append(out, "\\\\"); break;
            case '\t': bench_strbuf_append(out, "\\t"); break;
            case '\n': bench_strbuf_append(out, "\\n"); break;
            case '\r': bench_strbuf_append(out, "\\r"); break;
            default: bench_strbuf_appendn(out, p, 1);
            }
        }
    }
    bench_strbuf_append(out, "\n");
}

int bench_wire_send(int fd, const char *const *fields, size_t n)
{
    bench_strbuf sb = {0};
    bench_wire_encode(&sb, fields, n);
    size_t done = 0;
    int rc = 0;
    while (done < sb.len) {
        ssize_t k = write(fd, sb.data + done, sb.len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = -1;
            break;
        }
        done += (size_t)k;
    }
    bench_strbuf_free(&sb);
    return rc;
}

int bench_wire_decode(const char *line, bench_strlist *fields)
{
    bench_strbuf cur = {0};
    bench_strbuf_appendn(&cur, "", 0);
    int rc = 0;
    for (const char *p = line;; p++) {
        if (*p == '\0' || *p == '\t') {
            bench_strlist_add(fields, bench_strbuf_str(&cur));
            cur.len = 0;
            cur.data[0] = '\0';
            if (*p == '\0')
                break;
            continue;
        }
        if (*p != '\\') {
            bench_strbuf_appendn(&cur, p, 1);
            continue;
        }
        p++;
        const char *rep = *p == '\\' ? "\\" : *p == 't' ? "\t" : *p == 'n' ? "\n" : *p == 'r' ? "\r" : NULL;
        if (!rep) {
            rc = -1;
            break;
        }
        bench_strbuf_append(&cur, rep);
    }
    bench_strbuf_free(&cur);
    return rc;
}

void bench_wire_take_lines(bench_strbuf *pending, const char *data, size_t n,
                           void (*on_line)(void *ctx, const char *line), void *ctx)
{
    bench_strbuf_appendn(pending, data, n);
    char *start = pending->data, *nl;
    while ((nl = memchr(start, '\n', pending->len - (size_t)(start - pending->data))) != NULL) {
        *nl = '\0';
        on_line(ctx, start);
        start = nl + 1;
    }
    size_t rest = pending->len - (size_t)(start - pending->data);
    memmove(pending->data, start, rest);
    pending->len = rest;
    pending->data[rest] = '\0';
}
