#define _POSIX_C_SOURCE 200809L
#include "csv.h"

#include "results_file.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void format_valid_field(bench_strbuf *out, const char *field);

void bench_csv_format_field(bench_strbuf *out, const char *field)
{
    if (bench_utf8_valid(field)) {
        format_valid_field(out, field);
        return;
    }
    /* Names from plugins can carry any bytes; the file stays UTF-8 (plot.py, csv readers). */
    bench_strbuf escaped = {0};
    bench_utf8_escape(field, &escaped);
    format_valid_field(out, bench_strbuf_str(&escaped));
    bench_strbuf_free(&escaped);
}

static void format_valid_field(bench_strbuf *out, const char *field)
{
    size_t n = strlen(field);
    int quote = strpbrk(field, ",\"\r\n") != NULL || (n && (field[0] == ' ' || field[n - 1] == ' '));
    if (!quote) {
        bench_strbuf_appendn(out, field, n);
        return;
    }
    bench_strbuf_append(out, "\"");
    for (const char *p = field; *p; p++) {
        if (*p == '"')
            bench_strbuf_append(out, "\"\"");
        else
            bench_strbuf_appendn(out, p, 1);
    }
    bench_strbuf_append(out, "\"");
}

void bench_csv_format_record(bench_strbuf *out, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            bench_strbuf_append(out, ",");
        bench_csv_format_field(out, fields[i] ? fields[i] : "");
    }
    bench_strbuf_append(out, "\n");
}

int bench_csv_append(FILE *f, const char *const *fields, size_t n)
{
    bench_strbuf sb = {0};
    bench_csv_format_record(&sb, fields, n);
    /* Past stdio's buffer, which would keep the tail of a failed write and add it later. */
    int rc = fflush(f) == 0 ? bench_append_whole(fileno(f), sb.data, sb.len) : -1;
    bench_strbuf_free(&sb);
    return rc;
}

int bench_csv_parse_record(const char *text, size_t len, size_t *pos, bench_strlist *fields)
{
    for (size_t i = 0; i < fields->count; i++)
        free(fields->items[i]);
    fields->count = 0;
    size_t p = *pos;
    if (p >= len)
        return 0;
    bench_strbuf field = {0};
    for (;;) {
        bench_strbuf_free(&field);
        bench_strbuf_appendn(&field, "", 0);
        if (p < len && text[p] == '"') {
            p++;
            for (;;) {
                if (p >= len)
                    goto malformed; /* unterminated quote */
                if (text[p] == '"') {
                    if (p + 1 < len && text[p + 1] == '"') {
                        bench_strbuf_appendn(&field, "\"", 1);
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                bench_strbuf_appendn(&field, text + p, 1);
                p++;
            }
            if (p < len && text[p] != ',' && text[p] != '\n' && text[p] != '\r')
                goto malformed;
        } else {
            size_t start = p;
            while (p < len && text[p] != ',' && text[p] != '\n' && text[p] != '\r') {
                if (text[p] == '"')
                    goto malformed; /* a quote inside an unquoted field */
                p++;
            }
            bench_strbuf_appendn(&field, text + start, p - start);
        }
        bench_strlist_add(fields, bench_strbuf_str(&field));
        if (p >= len)
            goto malformed; /* no newline: a torn last record */
        if (text[p] == ',') {
            p++;
            continue;
        }
        if (text[p] == '\r') {
            if (p + 1 >= len || text[p + 1] != '\n')
                goto malformed;
            p++;
        }
        p++; /* the '\n' */
        break;
    }
    bench_strbuf_free(&field);
    *pos = p;
    return 1;
malformed:
    bench_strbuf_free(&field);
    return -1;
}

char *bench_file_read_all(const char *path, size_t *out_len)
{
    /* Regular files only: a FIFO would block and a device (/dev/zero) never end. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return NULL;
    }
    bench_strbuf sb = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        bench_strbuf_appendn(&sb, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        bench_strbuf_free(&sb);
        errno = EIO;
        return NULL;
    }
    if (!sb.data)
        bench_strbuf_appendn(&sb, "", 0);
    *out_len = sb.len;
    return sb.data;
}
